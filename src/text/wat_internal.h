/* wat_internal.h — shared state of the core text-format encoder (core spec §6.4-6.6):
 * index spaces, the type table with implicit type definitions, and the per-function
 * context (locals, labels, folded-instruction frames).  Used by wat.c (module forms and
 * sections), wat_module.c (fields), wat_types.c (types and type uses) and wat_instr.c
 * (instructions). */
#ifndef WELD_TEXT_WAT_INTERNAL_H
#define WELD_TEXT_WAT_INTERNAL_H
#include "base/vec.h"
#include "text/names.h"
#include "text/sexpr.h"
#include <stdbool.h>
#include <stdint.h>

/* The index spaces of a core module (§6.6.4 identifier context). */
enum wat_space { WS_TYPE, WS_FUNC, WS_TABLE, WS_MEM, WS_GLOBAL, WS_ELEM, WS_DATA, WS_COUNT };
extern const char *const text_wat_space_name[WS_COUNT];

/* Value type bytes of the binary format (§5.3). */
enum {
  WAT_I32 = 0x7f, WAT_I64 = 0x7e, WAT_F32 = 0x7d, WAT_F64 = 0x7c, WAT_V128 = 0x7b,
  WAT_FUNCREF = 0x70, WAT_EXTERNREF = 0x6f,
};

typedef struct wat_functype {
  uint32_t np, nr;
  uint8_t *vt; /* np parameter types then nr result types (base_alloc'd) */
} wat_functype_t;

typedef struct wat_label {
  const text_sx_t *id;   /* NULL if unnamed */
  const text_sx_t *node; /* where it was opened (errors) */
  uint8_t plain;         /* opened by a plain block/loop/if: needs an `end` */
  uint8_t is_if, has_else;
  size_t else_end;       /* output length just after the `else` opcode */
} wat_label_t;

typedef struct wat_frame {
  const text_sx_t *items; /* the node array being walked */
  uint32_t i, n;
  uint8_t kind;
  size_t pending_start;   /* FR_FOLD_OP / FR_IF_COND: bytes in wat_t.pending to emit at the end */
  size_t label_depth;     /* labels.len when the frame's instruction sequence began */
  const text_sx_t *node;  /* the folded instruction */
  const text_sx_t *then_node, *else_node;
  const text_sx_t *label; /* FR_IF_COND: the if's label, pushed when the conditions are done */
} wat_frame_t;

typedef VEC(uint8_t) wat_bytes_t;

typedef struct wat_param_ids {
  VEC(const text_sx_t *) ids; /* one per parameter, NULL when unnamed */
} wat_param_ids_t;

typedef struct wat {
  const text_doc_t *doc;
  text_space_t spaces[WS_COUNT];
  uint32_t counts[WS_COUNT];
  VEC(wat_functype_t) types;
  uint32_t *sig_slots; /* hash of type signatures -> first index + 1 */
  size_t sig_cap, sig_used;
  text_space_t ops;    /* instruction names -> core_op_t */
  /* per function */
  text_space_t locals;
  uint32_t nlocals;
  VEC(wat_label_t) labels;
  VEC(wat_frame_t) frames;
  base_buf_t pending;
  bool uses_data_count; /* memory.init or data.drop seen */
  /* the "name" custom section (appendix §7.4): module and function names from $ids */
  bool emit_names;
  const text_sx_t *module_id;
  VEC(const text_sx_t *) func_ids; /* per function index, NULL if unnamed */
} wat_t;

/* wat_types.c */
int text_wat_valtype(const text_sx_t *x, uint8_t *out);   /* 0 if x is a value type keyword */
int text_wat_reftype(const text_sx_t *x, uint8_t *out);   /* funcref / externref */
int text_wat_heaptype(const text_sx_t *x, uint8_t *out);  /* func / extern */
void text_wat_types_free(wat_t *w);
/* Appends a type definition; *index receives its index. */
weld_error_t *text_wat_add_type(wat_t *w, const uint8_t *params, uint32_t np, const uint8_t *results,
                           uint32_t nr, uint32_t *index);
/* Parses `(param ...)* (result ...)*` at items[*i]; ids (may be NULL) receives param ids
 * (naming a parameter is only allowed where allow_ids is set). */
weld_error_t *text_wat_parse_params_results(wat_t *w, const text_sx_t *items, uint32_t n, uint32_t *i,
                                       wat_bytes_t *params, wat_bytes_t *results,
                                       wat_param_ids_t *ids, bool allow_ids);
/* `(type x)? (param ...)* (result ...)*`: the type index, implicitly defined if needed (§6.6.3
 * abbreviation).  *np receives the parameter count; ids as above. */
weld_error_t *text_wat_typeuse(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                          uint32_t *i, uint32_t *typeidx, uint32_t *np, wat_param_ids_t *ids,
                          bool allow_ids);
/* A block type (§6.5.2): appends 0x40, a value type, or an s33 type index to out. */
weld_error_t *text_wat_blocktype(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                            uint32_t *i, base_buf_t *out);
/* Limits "min max?" as u32 (§6.4.4).  Returns the number of atoms used through *i. */
weld_error_t *text_wat_limits(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                         uint32_t *i, base_buf_t *out);
/* A memory type after the id/exports: `i32|i64`? limits `shared`? `(pagesize n)`?
 * (memory64, threads and custom-page-sizes encodings of the limits flags). */
weld_error_t *text_wat_memtype(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t *i,
                               base_buf_t *out);
/* Table limits: `i32|i64`? limits (table64 flag). */
weld_error_t *text_wat_tablelimits(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t *i,
                                   base_buf_t *out);
/* The error for an unexpected token where a type was expected: "not supported: ..." for
 * the spellings of proposals weld does not implement (GC, typed references). */
weld_error_t *text_wat_type_error(wat_t *w, const text_sx_t *x, const char *expected);
/* A name string (UTF-8 checked) written as vec(byte). */
weld_error_t *text_wat_name(wat_t *w, const text_sx_t *x, base_buf_t *out);

/* wat_instr.c */
weld_error_t *text_wat_ops_init(wat_t *w);
/* Encodes the instruction sequence items[i..n) (plain and folded) to out, without the
 * final `end`.  Labels and locals come from the function context. */
weld_error_t *text_wat_encode_instrs(wat_t *w, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out);
/* An expression (instrs + end) such as a global's initializer or an offset. */
weld_error_t *text_wat_encode_expr(wat_t *w, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out);
void text_wat_func_reset(wat_t *w);

/* wat_module.c */
weld_error_t *text_wat_encode_fields(wat_t *w, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out);

/* Helpers */
static inline bool wat_is_kw(const text_sx_t *x, const char *kw) { return text_sx_is_atom(x, kw); }
static inline bool wat_is_form(const text_sx_t *x, const char *kw) { return text_sx_is_form(x, kw); }
/* Error text for a token: clipped raw text. */
#define WAT_TOK(x) (int)((x)->len > 60 ? 60 : (x)->len), (x)->text

#endif
