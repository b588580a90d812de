/* wast_internal.h — what the pieces of the .wast runner share (not an API): the registry of
 * named modules and instances, the runner state, and the helpers that report a command's
 * outcome.  wast.c runs scripts and the core commands; wast_component.c the component
 * commands (`(component ...)` forms, component actions, feature gating); wast_cvalues.c the
 * typed component values; wast_host.c the component host imports of testsuite/HOST.md. */
#ifndef WELD_TEXT_WAST_INTERNAL_H
#define WELD_TEXT_WAST_INTERNAL_H
#include "text/wast.h"
#include "weld/component.h"
#include <pthread.h>
#include <time.h>

/* ------------------------------------------------------------------ registry */

typedef enum text_wast_entry_kind {
  ENT_CORE_INSTANCE,   /* an instantiated core module */
  ENT_CORE_MODULE,     /* (module definition ...): compiled, not instantiated */
  ENT_HOST,            /* exports provided by the host (spectest) */
  ENT_FAILED,          /* a module that should have loaded but did not (reason says why) */
  ENT_SKIPPED,         /* needs a feature weld does not have (reason names it) */
  ENT_COMP_INSTANCE,   /* an instantiated component (cinst; comp is its component) */
  ENT_COMP_DEFINITION, /* (component definition ...): compiled (comp), not instantiated */
  ENT_COMP_VALIDATED,  /* validation mode: a valid component (bytes kept), instantiated
                          the first time an action needs it */
} text_wast_entry_kind_t;

typedef struct text_wast_entry {
  text_wast_entry_kind_t kind;
  weld_instance_t *inst;
  weld_module_t *module; /* the embedder's handle, deleted with the runner */
  text_wast_export_t host[TEXT_SPECTEST_EXPORTS];
  size_t nhost;
  char *reason;
  /* components */
  weld_component_t *comp;   /* deleted with the runner */
  weld_cinstance_t *cinst;  /* lives in the store */
  uint8_t *bytes;           /* ENT_COMP_VALIDATED: the binary */
  size_t nbytes;
  char *regname;            /* ENT_COMP_VALIDATED: name to register once instantiated */
  bool definition;          /* ENT_COMP_VALIDATED: from (component definition ...) */
} text_wast_entry_t;

typedef struct text_wast_binding {
  uint8_t *name;
  size_t len;
  text_wast_entry_t *e;
} text_wast_binding_t;

typedef VEC(text_wast_binding_t) text_wast_bindings_t;

/* ------------------------------------------------------------------ watchdog */

typedef struct text_wast_watchdog {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
  bool started, armed, fired, quit;
  struct timespec deadline;
  weld_store_t *store;
} text_wast_watchdog_t;

/* ------------------------------------------------------------------ script features */

/* What the script's header asks for (`;; RUN: ... -f a,-b` lines of wasm-tools scripts,
 * `;;! name = true` lines of wasmtime scripts), decided by text_wast_gate. */
typedef struct text_wast_gate {
  const char *missing;  /* NULL: runnable; else the feature weld lacks (points into buf) */
  bool values;          /* component `value`s (🪙) enabled */
  char buf[160];
} text_wast_gate_t;

/* ------------------------------------------------------------------ the runner */

typedef struct text_wast_comp text_wast_comp_t; /* wast_component.c */

typedef struct text_wast_runner {
  const text_doc_t *doc;
  const text_wast_options_t *o;
  weld_engine_t *engine;
  bool own_engine;
  weld_store_t *store;
  VEC(text_wast_entry_t *) entries;
  text_wast_bindings_t ids;  /* $name -> entry */
  text_wast_bindings_t regs; /* registered name -> entry */
  text_wast_entry_t *current;
  text_wast_watchdog_t wd;
  text_wast_gate_t gate;
  text_wast_comp_t *comp;    /* component linker and host, made on first use */
  /* the command being run */
  uint32_t index, line;
  const char *command;
  char cmdname[40];
  base_buf_t exp, act;
} text_wast_runner_t;

/* Reports the command being run (r->exp / r->act hold the expected and actual texts). */
void text_wast_report(text_wast_runner_t *r, text_wast_outcome_t outcome, const char *feature);
/* Appends a message in quotes, first line only. */
void text_wast_put_msg(base_buf_t *b, const char *msg);
/* Appends a name in single quotes, escaping bytes that are not printable ASCII as \hh. */
void text_wast_put_name(base_buf_t *b, const void *name, size_t len);
/* Appends the source text of a node. */
void text_wast_put_source(base_buf_t *b, const text_doc_t *doc, const text_sx_t *x);
text_wast_entry_t *text_wast_new_entry(text_wast_runner_t *r, text_wast_entry_kind_t kind);
/* An entry standing for a module that did not load (ENT_FAILED or ENT_SKIPPED). */
text_wast_entry_t *text_wast_placeholder(text_wast_runner_t *r, text_wast_entry_kind_t kind, const char *reason);
void text_wast_bind_id(text_wast_runner_t *r, const text_sx_t *id, text_wast_entry_t *e);
text_wast_entry_t *text_wast_lookup_id(text_wast_runner_t *r, const text_sx_t *id);
/* The newest definition ((module|component) definition) bound to id, else what id names:
 * definitions and instances have separate names in scripts (`(component instance $A $A)`). */
text_wast_entry_t *text_wast_lookup_def(text_wast_runner_t *r, const text_sx_t *id);
/* Starts the runner's budget (fuel, watchdog) for one action or instantiation; done()
 * ends it and says whether the watchdog fired. */
void text_wast_arm(text_wast_runner_t *r);
bool text_wast_disarm(text_wast_runner_t *r);
/* Describes a trap (calling out the runner's own timeout and fuel budget). */
void text_wast_describe_trap(text_wast_runner_t *r, weld_trap_t *t, bool fired, base_buf_t *why);
/* True if the trap came from the runner's own budget rather than from the guest. */
bool text_wast_budget_trap(text_wast_runner_t *r, weld_trap_t *t, bool fired);
/* If msg says "not supported: ..." (anywhere on its first line), the feature part of it
 * (up to the end of the line, at most cap-1 bytes) is copied to buf and true returned. */
bool text_wast_not_supported(const char *msg, char *buf, size_t cap);

/* ------------------------------------------------------------------ components (wast_component.c) */

/* Reads the script header into g. */
void text_wast_gate(const text_doc_t *doc, text_wast_gate_t *g);
/* (component ...), (component definition ...), (component instance ...) */
void text_wast_comp_module(text_wast_runner_t *r, const text_sx_t *x);
/* assert_invalid / assert_malformed of a component. */
void text_wast_comp_assert_rejected(text_wast_runner_t *r, const text_sx_t *x, const text_sx_t *c);
/* assert_unlinkable (want_trap false) / assert_trap, assert_uninstantiable of a component. */
void text_wast_comp_assert_instantiate(text_wast_runner_t *r, const text_sx_t *x, const text_sx_t *c, bool want_trap);
/* An action on a component entry e.  what: 0 a plain action, 1 assert_return (expected
 * values in x->items[2..]), 2 assert_trap. */
enum { TEXT_WAST_DO_ACTION, TEXT_WAST_DO_RETURN, TEXT_WAST_DO_TRAP };
void text_wast_comp_action(text_wast_runner_t *r, const text_sx_t *x, const text_sx_t *a, text_wast_entry_t *e, int what);
/* (register "name") of a component entry: false if e is not one. */
bool text_wast_comp_register(text_wast_runner_t *r, text_wast_entry_t *e, const uint8_t *name, size_t len);
bool text_wast_entry_is_component(const text_wast_entry_t *e);
void text_wast_comp_free(text_wast_runner_t *r);

/* ------------------------------------------------------------------ component values (wast_cvalues.c) */

/* A component value as written in a script (wasm-tools' `wast` syntax: (u32.const 1),
 * (str.const "x"), (record.const (field "a" v)...), (variant.const "c" v?), ...), untyped:
 * names of cases, fields and flags are resolved against the function's types later. */
typedef struct text_wast_cval {
  weld_ckind_t kind;      /* the form written (WELD_CK_*) */
  uint8_t nan;            /* F32/F64 expected: TEXT_WAST_LANE_* */
  bool is_err;            /* RESULT */
  uint64_t bits;          /* BOOL, integers (sign-extended), float bits, CHAR */
  const uint8_t *str;     /* STRING bytes; VARIANT/ENUM case name; record field label */
  uint32_t str_len;
  const uint8_t *label;   /* record field name (for items of a RECORD) */
  uint32_t label_len;
  const text_sx_t *at;    /* the node, for messages */
  struct text_wast_cval *items; /* LIST/TUPLE/RECORD elements; FLAGS names (as STRING
                                   items); VARIANT/OPTION/RESULT payload (0 or 1 item) */
  uint32_t nitems;
} text_wast_cval_t;

/* True if x looks like a component value form (u32.const, str.const, ...). */
bool text_wast_is_cval(const text_sx_t *x);
/* Parses a component value; pattern allows nan:canonical / nan:arithmetic floats. */
weld_error_t *text_wast_parse_cval(const text_doc_t *doc, const text_sx_t *x, bool pattern, text_wast_cval_t *out);
void text_wast_cval_free(text_wast_cval_t *v);
/* Builds the weld value of type t that v writes; error (with the node's position) if v is
 * not a value of t. */
weld_error_t *text_wast_cval_build(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *t,
                                   weld_cval_t *out);
/* True if the value got (of type t) is what pat expects. */
bool text_wast_cval_match(const text_wast_cval_t *pat, const weld_cval_t *got, const weld_ctype_t *t);
/* Appends a value in script syntax (names taken from t). */
/* Appends a float given by its bits (width 32 or 64): decimal, inf, or nan:0x<payload>. */
void text_wast_print_float(base_buf_t *b, uint64_t bits, unsigned width);
void text_wast_print_cval(base_buf_t *b, const weld_cval_t *v, const weld_ctype_t *t);

/* ------------------------------------------------------------------ host (wast_host.c) */

typedef struct text_wast_host text_wast_host_t;
/* Defines the component host imports of testsuite/HOST.md in the linker (root functions
 * and the `host` instance), through the public API only. */
weld_error_t *text_wast_host_new(weld_engine_t *engine, weld_linker_t *linker, text_wast_host_t **out);
void text_wast_host_delete(text_wast_host_t *h);

#endif
