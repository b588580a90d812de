/* module.h — the decoded form of a core WebAssembly module (core spec §2.5 "Modules",
 * binary format §5.5).
 *
 * Produced by core_decode() from the binary format (the text parser produces binary,
 * then decodes, so both paths meet here).  All pointers into the input point into
 * `bytes`, the module's own copy of the input.  Function bodies and constant expressions
 * stay as encoded instruction bytes: the one-pass validator/compiler (compile.c) reads
 * them, and instantiation evaluates constant expressions from them. */
#ifndef WELD_CORE_MODULE_H
#define WELD_CORE_MODULE_H
#include "base/error.h"
#include "base/vec.h"
#include <stdbool.h>
#include <stdint.h>

/* Value types, numbered by their binary encoding (§5.3.1-5.3.3). */
typedef enum core_valtype {
  VT_I32 = 0x7f,
  VT_I64 = 0x7e,
  VT_F32 = 0x7d,
  VT_F64 = 0x7c,
  VT_V128 = 0x7b,
  VT_FUNCREF = 0x70,
  VT_EXTERNREF = 0x6f,
} core_valtype_t;

static inline bool core_is_reftype(uint8_t t) { return t == VT_FUNCREF || t == VT_EXTERNREF; }
static inline bool core_is_valtype(uint8_t t) {
  return (t >= VT_V128 && t <= VT_I32) || core_is_reftype(t);
}
const char *core_valtype_name(uint8_t t); /* "i32", "funcref", ... */

/* External kinds, by binary encoding (§5.5.5). */
enum { EXT_FUNC = 0, EXT_TABLE = 1, EXT_MEMORY = 2, EXT_GLOBAL = 3 };

typedef struct core_functype {
  uint32_t nparams, nresults;
  uint8_t *types; /* nparams param types followed by nresults result types */
} core_functype_t;
static inline const uint8_t *core_ft_params(const core_functype_t *t) { return t->types; }
static inline const uint8_t *core_ft_results(const core_functype_t *t) { return t->types + t->nparams; }
bool core_functype_eq(const core_functype_t *a, const core_functype_t *b);

typedef struct core_limits {
  uint64_t min, max;
  bool has_max;
} core_limits_t;

typedef struct core_tabletype {
  uint8_t elem; /* VT_FUNCREF or VT_EXTERNREF */
  core_limits_t limits;
} core_tabletype_t;

typedef struct core_memtype {
  core_limits_t limits; /* pages */
} core_memtype_t;

typedef struct core_globaltype {
  uint8_t type;
  bool mut;
} core_globaltype_t;

typedef struct core_name {
  const char *s; /* UTF-8, not NUL-terminated, points into module bytes */
  uint32_t len;
} core_name_t;

typedef struct core_import {
  core_name_t module, name;
  uint8_t kind; /* EXT_* */
  uint32_t index; /* index in its kind's index space (imports come first) */
  union {
    uint32_t func_type; /* type index */
    core_tabletype_t table;
    core_memtype_t mem;
    core_globaltype_t global;
  } desc;
} core_import_t;

typedef struct core_export {
  core_name_t name;
  uint8_t kind;
  uint32_t index;
} core_export_t;

/* An encoded constant expression (§3.3.10): code[0..len) is the whole expression
 * including the terminating 0x0b `end`. */
typedef struct core_constexpr {
  const uint8_t *code;
  uint32_t len;
  uint32_t offset; /* byte offset in the module, for error messages */
} core_constexpr_t;

typedef struct core_global {
  core_globaltype_t type;
  core_constexpr_t init; /* len == 0 for imported globals */
} core_global_t;

enum { SEG_ACTIVE = 0, SEG_PASSIVE = 1, SEG_DECLARATIVE = 2 };

typedef struct core_elem {
  uint8_t mode;       /* SEG_* */
  uint8_t elemtype;   /* VT_FUNCREF / VT_EXTERNREF */
  uint32_t table;     /* active only */
  core_constexpr_t offset; /* active only */
  uint32_t count;
  /* Exactly one of these is set: function indices (the compact encodings) or one
   * constant expression per element (the expression encodings). */
  uint32_t *funcs;
  core_constexpr_t *exprs;
} core_elem_t;

typedef struct core_data {
  uint8_t mode; /* SEG_ACTIVE / SEG_PASSIVE */
  uint32_t memory;
  core_constexpr_t offset;
  const uint8_t *bytes;
  uint32_t len;
} core_data_t;

typedef struct core_localgroup {
  uint32_t count;
  uint8_t type;
} core_localgroup_t;

typedef struct core_code {
  uint32_t nlocals;            /* declared locals (parameters not included) */
  uint32_t ngroups;
  core_localgroup_t *groups;   /* run-length encoded local types */
  const uint8_t *body;         /* instruction bytes, ending with 0x0b */
  uint32_t body_len;
  uint32_t body_offset;        /* byte offset of body in the module */
} core_code_t;

typedef struct core_custom {
  core_name_t name;
  const uint8_t *data;
  uint32_t len;
  uint32_t offset;
} core_custom_t;

typedef struct core_func_name {
  uint32_t func;
  core_name_t name;
} core_func_name_t;

typedef struct core_module {
  uint8_t *bytes; /* owned copy of the binary */
  size_t len;

  uint32_t ntypes;
  core_functype_t *types;

  uint32_t nimports;
  core_import_t *imports;

  /* Index spaces, imports first. */
  uint32_t nfuncs, nimported_funcs;
  uint32_t *func_types; /* type index of every function */
  uint32_t ntables, nimported_tables;
  core_tabletype_t *tables;
  uint32_t nmems, nimported_mems;
  core_memtype_t *mems;
  uint32_t nglobals, nimported_globals;
  core_global_t *globals;

  uint32_t nexports;
  core_export_t *exports;

  bool has_start;
  uint32_t start;

  uint32_t nelems;
  core_elem_t *elems;

  bool has_datacount;
  uint32_t datacount;
  uint32_t ndatas;
  core_data_t *datas;

  uint32_t ncodes; /* == nfuncs - nimported_funcs */
  core_code_t *codes;

  /* ref.func may only name functions that are "declared" (§3.4.10, C.refs): referenced
   * from an element segment, export, or global initialiser outside function bodies. */
  uint8_t *func_declared; /* nfuncs flags */

  /* From the "name" custom section when present and well-formed (a malformed name
   * section is ignored, as custom sections must not affect validity). */
  core_name_t module_name;
  uint32_t nfunc_names;
  core_func_name_t *func_names; /* sorted by func index */

  uint32_t ncustoms;
  core_custom_t *customs;
} core_module_t;

/* Decode a binary module: structure, section order and sizes, LEB128 rules, UTF-8 names,
 * and module-level validation (everything except instruction sequences in function
 * bodies, which compile.c validates while translating; constant expressions are fully
 * validated here).  On error returns a weld_error_t naming what is wrong and the byte
 * offset. */
weld_error_t *core_decode(const uint8_t *bytes, size_t len, core_module_t **out);
void core_module_free(core_module_t *m);

/* Name of function `idx` from the name section, or NULL. */
const core_name_t *core_func_name(const core_module_t *m, uint32_t idx);

#endif
