/* cwat.h — the component text format to the component binary format (component-model
 * design/mvp/Explainer.md for the text, Binary.md for the bytes: preamble version 0x0d,
 * layer 1).  Shared state of the cwat*.c files:
 *
 *   cwat.c           entry points, `(component ...)` forms (text, binary, quote), sections,
 *                    the component field loop, imports, exports, start, nested modules
 *   cwat_scope.c     index spaces, name resolution with automatic outer aliases, item
 *                    references with export projections (`(func $i "a" "b")`), alias forms
 *   cwat_types.c     value types, defined types, func/component/instance/resource types,
 *                    core types (func and module types), type uses and extern descriptions
 *   cwat_canon.c     canonical definitions: lift, lower, resource and async built-ins
 *   cwat_instance.c  core instances and component instances (instantiate and bundles)
 *
 * Encoding choices follow wasm-tools' `wast` crate (the reference implementation of the
 * text format), so that the output can be compared byte for byte:
 *   - one pass over the fields in order; a name must be defined before it is used;
 *   - an inline type (a non-primitive value type, a func/component/instance/module type in
 *     a type use) becomes its own type definition placed just before the definition that
 *     uses it, in post-order, never shared with an equal type;
 *   - an inline export bundle in an instantiation argument becomes its own instance,
 *     placed after the inline types of the same definition;
 *   - a name found only in an enclosing component or type introduces an `alias outer`
 *     (a new one at each use) just before the definition, after its inline types; an
 *     export projection `(sort $i "a" "b")` introduces `alias export` definitions likewise;
 *   - inline `(export "x")` annotations become exports at the end of the component;
 *   - consecutive definitions of the same section kind share one section.
 *
 * A scope is a component, a component type, an instance type or a core module type; each
 * has its own index spaces and output (sections for a component, declarators for types). */
#ifndef WELD_TEXT_CWAT_H
#define WELD_TEXT_CWAT_H
#include "base/vec.h"
#include "text/names.h"
#include "text/sexpr.h"
#include <stdbool.h>
#include <stdint.h>

/* Options of the component encoder. */
#define TEXT_CWAT_NO_NAMES 1u       /* no "name" sections in nested core modules */
#define TEXT_CWAT_LEGACY_INDICES 2u /* accept `(memory $i "n")`, `(realloc (func ...))`,
                                       `(dtor (func ...))`, `(table $t)` (wasm-tools with
                                       WAST_STRICT_COMPONENT_INDICES=0) */

/* Index spaces (Explainer "Index spaces"). */
typedef enum cw_ns {
  CN_CORE_FUNC, CN_CORE_TABLE, CN_CORE_MEMORY, CN_CORE_GLOBAL, CN_CORE_TAG,
  CN_CORE_TYPE, CN_CORE_MODULE, CN_CORE_INSTANCE,
  CN_FUNC, CN_VALUE, CN_TYPE, CN_COMPONENT, CN_INSTANCE,
  CN_COUNT
} cw_ns_t;

typedef enum cw_scope_kind { CS_COMPONENT, CS_COMPONENT_TYPE, CS_INSTANCE_TYPE, CS_MODULE_TYPE } cw_scope_kind_t;

/* What a definition is; for a component the value is its section id (Binary.md). */
typedef enum cw_item {
  CI_CORE_MODULE = 1, CI_CORE_INSTANCE = 2, CI_CORE_TYPE = 3, CI_COMPONENT = 4, CI_INSTANCE = 5,
  CI_ALIAS = 6, CI_TYPE = 7, CI_CANON = 8, CI_START = 9, CI_IMPORT = 10, CI_EXPORT = 11,
} cw_item_t;

/* An inline `(export "x")` of a definition, written at the end of the component. */
typedef struct cw_tail_export {
  const text_sx_t *name;
  cw_ns_t ns;
  uint32_t index;
} cw_tail_export_t;

typedef struct cw_scope {
  cw_scope_kind_t kind;
  const text_sx_t *id;        /* the component's or type's $id, for `alias outer $id` */
  struct cw_scope *parent;
  text_space_t names[CN_COUNT];
  uint32_t count[CN_COUNT];
  base_buf_t out;             /* component: finished sections; types: declarators */
  uint32_t ndecls;            /* types: number of declarators in out */
  int sec_id;                 /* component: kind of the section being filled, 0 if none */
  base_buf_t sec;             /* ... its entries */
  uint32_t sec_n;
  VEC(cw_tail_export_t) tail; /* component: inline exports */
  bool has_start;
  /* core module types: first function-type index per signature (explicit `type` decls) */
  VEC(uint8_t) sig_bytes;     /* encoded signatures, concatenated */
  VEC(uint32_t) sig_off, sig_len, sig_idx;
  uint32_t *sig_slots;        /* open-addressing hash of signatures: entry + 1, 0 empty */
  size_t sig_cap;
} cw_scope_t;

typedef struct cw {
  const text_doc_t *doc;
  cw_scope_t *scope;          /* innermost */
  uint32_t depth;             /* scopes open (components and types) */
  uint32_t quote_depth;
  unsigned flags;
} cw_t;

/* Child type indices of one definition: inline types are defined first (in a walk that
 * only expands), then the definition is encoded in a second walk that consumes them in
 * the same order. */
typedef struct cw_kids {
  VEC(uint32_t) v;
  size_t next;
} cw_kids_t;

/* ---- cwat.c ---------------------------------------------------------------------------- */
/* text_encode_component (sexpr.h) with options (TEXT_CWAT_*). */
weld_error_t *text_encode_component_flags(const text_doc_t *doc, const text_sx_t *component, unsigned flags,
                                          base_buf_t *out, const text_sx_t **name_out);
/* Appends one definition to the current scope (section entry or declarator). */
weld_error_t *text_cw_emit(cw_t *c, cw_item_t item, const base_buf_t *bytes, const text_sx_t *at);
/* The fields items[i..n) of a component, in the current (component) scope. */
weld_error_t *text_cw_component_fields(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n);
/* Opens/closes a scope; text_cw_pop frees it. */
weld_error_t *text_cw_push(cw_t *c, cw_scope_kind_t kind, const text_sx_t *id, const text_sx_t *at);
void text_cw_pop(cw_t *c);
/* A name string (import/export names, labels): UTF-8 checked, written as vec(byte). */
weld_error_t *text_cw_name(cw_t *c, const text_sx_t *x, base_buf_t *out);
/* An import or export name: `"name"`, `(interface "name")`, optionally followed by
 * `(implements "name")` (Binary.md importname'/exportname'); *i advances past them. */
weld_error_t *text_cw_extern_name(cw_t *c, const text_sx_t *x, uint32_t *i, base_buf_t *out);

/* ---- cwat_scope.c ---------------------------------------------------------------------- */
extern const char *const text_cw_ns_name[CN_COUNT];
/* The sort bytes of an index space (component `sort`; core sorts are 0x00 + core:sort). */
void text_cw_sort(cw_ns_t ns, base_buf_t *out);
/* Core sort byte (core:sort) of a core index space. */
uint8_t text_cw_core_sort(cw_ns_t ns);
/* A component sort keyword at x (func, value, type, component, instance, or `core` +
 * module/func/...): returns the space and advances *i; -1 if there is none. */
int text_cw_sort_kw(const text_sx_t *items, uint32_t n, uint32_t *i, bool allow_core);
/* A core sort keyword (func, table, memory, global, tag, type, module, instance). */
int text_cw_core_sort_kw(const text_sx_t *x);
/* Gives the next index of space ns to a new definition and binds id (may be NULL). */
weld_error_t *text_cw_bind(cw_t *c, cw_ns_t ns, const text_sx_t *id, const text_sx_t *at, uint32_t *index);
/* An index: a u32, or an id bound in this scope or (through an automatic outer alias) in
 * an enclosing one. */
weld_error_t *text_cw_resolve(cw_t *c, cw_ns_t ns, const text_sx_t *x, uint32_t *index);
/* The items[i..n) of an item reference after its sort keyword: an index followed by
 * export names (component: any number, each an `alias export`; core: at most one, an
 * `alias core export`). */
weld_error_t *text_cw_ref_tail(cw_t *c, cw_ns_t ns, const text_sx_t *at, const text_sx_t *items, uint32_t i,
                               uint32_t n, uint32_t *index);
/* A parenthesized item reference `(sort idx "name"*)` of the expected space.  In a core
 * context (core instance exports and arguments) the sort is a bare core keyword
 * (`(func $f)`, `(instance $i)`); otherwise core sorts are written `(core func $f)`. */
weld_error_t *text_cw_ref(cw_t *c, cw_ns_t ns, const text_sx_t *x, bool core_ctx, uint32_t *index);
/* Any component-context item reference; *ns receives its space. */
weld_error_t *text_cw_any_ref(cw_t *c, const text_sx_t *x, cw_ns_t *ns, uint32_t *index);
/* `$idx` or `(core <sort> $idx "name"?)` (canon options, dtor, ...). */
weld_error_t *text_cw_index_or_core_ref(cw_t *c, cw_ns_t ns, const text_sx_t *x, uint32_t *index);
/* `(alias ...)` as a field or a type declarator. */
weld_error_t *text_cw_alias_field(cw_t *c, const text_sx_t *x);
/* `(<sort> $id? (alias export $i "name"))`-style inline aliases of func/core func etc.:
 * the `(alias ...)` node a, defining one item of space ns bound to id. */
weld_error_t *text_cw_inline_alias(cw_t *c, cw_ns_t ns, const text_sx_t *id, const text_sx_t *a);
/* An `alias export` of instance inst (component) or core instance (core ns): defines the
 * item; bound to id if given. */
weld_error_t *text_cw_alias_export(cw_t *c, cw_ns_t ns, uint32_t inst, const text_sx_t *name, const text_sx_t *id,
                                   const text_sx_t *at, uint32_t *index);

/* ---- cwat_types.c ---------------------------------------------------------------------- */
/* `(type $id? (export "x")* deftype)` in a component (inline exports allowed) or type. */
weld_error_t *text_cw_type_field(cw_t *c, const text_sx_t *x);
/* `(core type $id? (func ...) | (module ...))`. */
weld_error_t *text_cw_core_type_field(cw_t *c, const text_sx_t *x);
/* A type use for a func, component or instance (space CN_FUNC / CN_COMPONENT /
 * CN_INSTANCE says which) at items[*i..n): `(type $t "export"*)` or the inline type's
 * body (params/results, or declarators), defined as a new type. */
weld_error_t *text_cw_typeuse(cw_t *c, cw_ns_t what, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                              uint32_t n, uint32_t *index);
/* A core module type use: `(type $t)` or module declarators. */
weld_error_t *text_cw_core_module_typeuse(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                                          uint32_t n, uint32_t *index);
/* An extern description (Binary.md externdesc) from a sort form such as
 * `(func $id? <typeuse>)`, `(instance $id? ...)`, `(value $id? T)`, `(type $id? (eq $t))`;
 * *ns receives its space and *id its $id (not bound). */
weld_error_t *text_cw_externdesc(cw_t *c, const text_sx_t *x, base_buf_t *out, cw_ns_t *ns, const text_sx_t **id);
/* A value type use in a standalone position (`(result T)` of task.return ...): primitive,
 * index, or an inline definition (defined before the caller's definition). */
weld_error_t *text_cw_valtype(cw_t *c, const text_sx_t *x, base_buf_t *out);
/* True if x is a primitive value type keyword; *b receives its byte. */
bool text_cw_primitive(const text_sx_t *x, uint8_t *b);

/* ---- cwat_canon.c ---------------------------------------------------------------------- */
/* `(canon ...)` as a field. */
weld_error_t *text_cw_canon_field(cw_t *c, const text_sx_t *x);
/* `(func $id? (export "x")* <typeuse> (canon lift ...))`: the canon node and type use. */
weld_error_t *text_cw_func_lift(cw_t *c, const text_sx_t *x, uint32_t i, const text_sx_t *id, uint32_t *index);
/* `(core func $id? (canon <builtin> ...))`. */
weld_error_t *text_cw_core_func_canon(cw_t *c, const text_sx_t *canon, const text_sx_t *id);

/* ---- cwat_instance.c ------------------------------------------------------------------- */
weld_error_t *text_cw_core_instance_field(cw_t *c, const text_sx_t *x);
weld_error_t *text_cw_instance_field(cw_t *c, const text_sx_t *x);

/* ---- helpers --------------------------------------------------------------------------- */
static inline const text_sx_t *cw_opt_id(const text_sx_t *x, uint32_t *i) {
  if (*i < x->nitems && x->items[*i].kind == SX_ID) return &x->items[(*i)++];
  return NULL;
}
/* Skips `(@name "...")` annotations (names for the name section; weld keeps $ids). */
static inline void cw_skip_annotations(const text_sx_t *x, uint32_t *i) {
  while (*i < x->nitems && x->items[*i].kind == SX_LIST && x->items[*i].nitems > 0 &&
         x->items[*i].items[0].kind == SX_ATOM && x->items[*i].items[0].len > 1 && x->items[*i].items[0].text[0] == '@')
    (*i)++;
}
static inline bool cw_is_kw(const text_sx_t *x, const char *kw) { return text_sx_is_atom(x, kw); }
static inline bool cw_is_form(const text_sx_t *x, const char *kw) { return text_sx_is_form(x, kw); }
/* `(kw ...)` whose second item is the keyword kw2 (e.g. `(core module ...)`). */
static inline bool cw_is_form2(const text_sx_t *x, const char *kw, const text_sx_t **second, const char *kw2) {
  if (!cw_is_form(x, kw) || x->nitems < 2 || !text_sx_is_atom(&x->items[1], kw2)) return false;
  if (second) *second = &x->items[1];
  return true;
}
/* An inline `(export "name")` (a name, possibly `(interface ...)`/versioned, nothing else). */
bool text_cw_is_inline_export(const text_sx_t *x);
/* An inline `(import "name")`. */
bool text_cw_is_inline_import(const text_sx_t *x);
/* Error text for a token: clipped raw text. */
#define CW_TOK(x) (int)((x)->len > 60 ? 60 : (x)->len), (x)->text
/* Item counts of one component / type stay below these (limits.h). */
weld_error_t *text_cw_expect_end(cw_t *c, const text_sx_t *x, uint32_t i);
static inline const text_sx_t *cw_at(const text_sx_t *x, uint32_t i) { return i < x->nitems ? &x->items[i] : x; }

#endif
