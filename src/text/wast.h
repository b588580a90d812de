/* wast.h — the .wast script runner: the script commands of the WebAssembly spec test suite
 * (WebAssembly/spec interpreter/README.md "Scripts": module, register, invoke, get,
 * assert_return, assert_trap, assert_exhaustion, assert_invalid, assert_malformed,
 * assert_unlinkable, assert_uninstantiable) run against weld through the public embedding
 * API only (weld.h), plus the `spectest` host module of testsuite/HOST.md.
 *
 * Pieces: wast.c (commands, registry of named modules/instances, watchdog), wast_values.c
 * (constants, expected-value patterns, printing), spectest.c (the spectest host module),
 * and for component scripts (component-model Explainer.md, wasm-tools/wasmtime script
 * extensions): wast_component.c (component commands and actions, feature gating by the
 * script header), wast_cvalues.c (typed component values: str.const, record.const, ...),
 * wast_host.c (the component host imports of testsuite/HOST.md, through weld/component.h).
 * Their shared internals are in wast_internal.h. */
#ifndef WELD_TEXT_WAST_H
#define WELD_TEXT_WAST_H
#include "text/sexpr.h"
#include "weld.h"

/* ------------------------------------------------------------------ running a script */

typedef enum text_wast_outcome {
  TEXT_WAST_PASS = 0,
  TEXT_WAST_FAIL,
  TEXT_WAST_SKIP, /* needs a feature weld does not have (result.feature names it) */
} text_wast_outcome_t;

/* One counted command: an assertion, a module that must load, or a top-level action.
 * Strings are borrowed for the duration of the callback; expected/actual are one line
 * each (possibly empty). */
typedef struct text_wast_result {
  uint32_t index;       /* position of the command among the script's top-level forms */
  uint32_t line;        /* 1-based line of the command */
  const char *command;  /* "assert_return", "module", ... */
  text_wast_outcome_t outcome;
  const char *expected; /* e.g. "(i32.const 1)", "trap \"integer overflow\"" */
  const char *actual;   /* e.g. "(i32.const 2)", "trap \"integer overflow in ...\"" */
  const char *feature;  /* TEXT_WAST_SKIP: the missing feature */
} text_wast_result_t;

typedef struct text_wast_options {
  weld_engine_t *engine;   /* NULL: the runner makes one for this script, with config */
  const weld_config_t *config; /* (may be NULL for defaults) */
  uint32_t timeout_ms;     /* per module instantiation or action; 0 = no watchdog */
  uint64_t fuel;           /* per action; 0 = fuel metering off */
  /* Component forms are only validated (decode + validate, as wasm-tools' `wast` does),
   * not instantiated; a component is instantiated the first time an action needs it.
   * For the component validation suite, whose components import what no host provides. */
  bool validate_components;
  /* Crash recovery (see tools/wast.c): commands whose index is below first_reported run
   * but report nothing; commands listed in crashed[] are not run at all and count as
   * failed module loads for the commands that depend on them. */
  uint32_t first_reported;
  const uint32_t *crashed;
  size_t ncrashed;
  /* Called before each top-level command (may be NULL), and once per counted command. */
  void (*on_begin)(void *ud, uint32_t index, uint32_t line);
  void (*on_result)(void *ud, const text_wast_result_t *r);
  void *ud;
} text_wast_options_t;

/* Runs the script src[0..len).  Returns an error only if the script cannot be read as
 * S-expressions at all; every command's outcome goes through opts->on_result. */
weld_error_t *text_wast_run(const char *src, size_t len, const char *filename,
                            const text_wast_options_t *opts);

/* ------------------------------------------------------------------ script values */

typedef enum text_wast_vkind {
  TEXT_WAST_V_CORE = 0,       /* an exact core value (floats compared by bits) */
  TEXT_WAST_V_NAN_CANONICAL,  /* f32/f64 (core.kind): any canonical NaN */
  TEXT_WAST_V_NAN_ARITHMETIC, /* f32/f64 (core.kind): any arithmetic NaN */
  TEXT_WAST_V_V128,           /* v128 with a lane shape and per-lane patterns */
  TEXT_WAST_V_REF_FUNC,       /* (ref.func ...) expected: any non-null funcref */
  TEXT_WAST_V_REF_EXTERN_ANY, /* (ref.extern) expected: any non-null externref */
  TEXT_WAST_V_REF_NULL_ANY,   /* (ref.null) expected: any null reference */
  TEXT_WAST_V_EITHER,         /* (either v...): any of the alternatives */
  /* (Typed component values — str.const, record.const, ... — are text_wast_cval_t, read
   * against a function's types: wast_internal.h, wast_cvalues.c.) */
} text_wast_vkind_t;

typedef enum text_wast_shape {
  TEXT_WAST_I8X16 = 0, TEXT_WAST_I16X8, TEXT_WAST_I32X4, TEXT_WAST_I64X2,
  TEXT_WAST_F32X4, TEXT_WAST_F64X2,
} text_wast_shape_t;

enum { TEXT_WAST_LANE_EXACT = 0, TEXT_WAST_LANE_NAN_CANONICAL, TEXT_WAST_LANE_NAN_ARITHMETIC };

typedef struct text_wast_val {
  text_wast_vkind_t kind;
  weld_val_t core;        /* CORE: the value; NAN_*: core.kind; V128: the exact lanes */
  uint8_t shape;          /* V128: text_wast_shape_t */
  uint8_t lane[16];       /* V128: TEXT_WAST_LANE_* of each lane */
  struct text_wast_val *alts; /* EITHER */
  uint32_t nalts;
} text_wast_val_t;

/* Reads a constant.  With pattern false only exact values are accepted (arguments of an
 * action); with pattern true also NaN patterns, lane patterns, (ref.func), (either ...). */
weld_error_t *text_wast_parse_val(const text_doc_t *doc, const text_sx_t *x, bool pattern,
                                  text_wast_val_t *out);
void text_wast_val_free(text_wast_val_t *v);
bool text_wast_val_match(const text_wast_val_t *pat, const weld_val_t *v);
/* Appends v in script syntax; hint (may be NULL) is the expected value, whose v128 shape
 * is used for printing. */
void text_wast_print_val(base_buf_t *b, const weld_val_t *v, const text_wast_val_t *hint);

/* ------------------------------------------------------------------ spectest */

typedef struct text_wast_export {
  const char *name;
  weld_extern_t ext;
} text_wast_export_t;

#define TEXT_SPECTEST_EXPORTS 13
/* Creates the spectest host module's objects in store (HOST.md): fills out[0..13). */
weld_error_t *text_spectest_new(weld_store_t *store, text_wast_export_t out[TEXT_SPECTEST_EXPORTS]);

#endif
