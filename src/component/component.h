/* component.h — a decoded and validated component: the Component Model binary format
 * (design/mvp/Binary.md, preamble version 0x0d, layer 1) after decoding (decode.c) and
 * validation/type checking (validate*.c, design/mvp/Explainer.md).
 *
 * Shape.  A component is the list of its definitions in binary order (`items`), exactly
 * as the sections give them (sections may repeat and interleave; Binary.md `flatten(s*)`),
 * plus, after validation, the index spaces: for each sort, the list of entries in index
 * order, each naming the item that introduced it and its type (a comp_typeid_t in the
 * shared type arena, types.h).  Nested components (section 4) are comp_component_t
 * children of their COMP_ITEM_COMPONENT item; the whole tree shares one type arena and one
 * storage arena owned by the root, and all names point into the root's copy of the bytes
 * (names taken from embedded core modules point into that module's own copy).
 *
 * What is supported.  The synchronous Component Model: core modules (decoded and fully
 * validated by the core engine), core instances, core types (function and module types),
 * nested components, instances, aliases (export, core export, outer), types (all defined
 * value types, func, component, instance, resource), canon lift/lower and
 * resource.new/drop/rep, imports and exports; with comp_features_t.values also values
 * (🪙: value imports/exports and the start section).  Everything else — async (stream,
 * future, error-context, async functions and canon options/builtins), threads, gc,
 * memory64 in canonical options, fixed-length lists, maps, `implements` names, value
 * definitions (section 12) — is rejected with an error whose message starts with
 * "not supported: " (see COMP_NOT_SUPPORTED) so that a test runner can tell it from an
 * invalid input.  (Embedded core modules using core proposals the core engine lacks —
 * memory64, exception tags, GC — fail with the core engine's "invalid core module: ..."
 * error instead.)
 *
 * Errors carry a byte offset into the input given to comp_decode (weld_error_offset). */
#ifndef WELD_COMPONENT_COMPONENT_H
#define WELD_COMPONENT_COMPONENT_H
#include "base/error.h"
#include "component/types.h"
#include "component/util.h"
#include "core/module.h"
#include "weld.h"
#include <stdbool.h>
#include <stdint.h>

/* Optional features (all off in a zeroed struct; comp_decode(.., NULL, ..) = all off). */
typedef struct comp_features {
  bool values; /* 🪙 `value` sort: value imports/exports/aliases/arguments and `start` */
} comp_features_t;

/* Sorts: the core sorts and the component sorts as one enum (Binary.md `sort`,
 * `core:sort`).  Used for index spaces and sort-indices. */
typedef enum comp_sort {
  COMP_SORT_CORE_FUNC = 0,
  COMP_SORT_CORE_TABLE,
  COMP_SORT_CORE_MEMORY,
  COMP_SORT_CORE_GLOBAL,
  COMP_SORT_CORE_TAG,
  COMP_SORT_CORE_TYPE,
  COMP_SORT_CORE_MODULE,
  COMP_SORT_CORE_INSTANCE,
  COMP_SORT_FUNC,
  COMP_SORT_VALUE,
  COMP_SORT_TYPE,
  COMP_SORT_COMPONENT,
  COMP_SORT_INSTANCE,
  COMP_SORT_COUNT
} comp_sort_t;
const char *comp_sort_name(uint8_t sort); /* "core func", "instance", ... */
static inline bool comp_sort_is_core(uint8_t sort) { return sort <= COMP_SORT_CORE_INSTANCE; }

typedef struct comp_sortidx {
  uint8_t sort; /* comp_sort_t */
  uint32_t idx;
} comp_sortidx_t;

/* ---------------------------------------------------------------- syntax */

/* A value type reference as encoded (Binary.md `valtype`): a primitive or a type index. */
typedef struct comp_valref {
  bool is_prim;
  uint32_t v; /* comp_prim_t if is_prim, else a type index */
} comp_valref_t;

typedef struct comp_label_ref {
  comp_name_t name;
  bool has_type;   /* variant cases and result payloads may be absent */
  comp_valref_t type;
} comp_label_ref_t;

/* `defvaltype`, `functype`, `resourcetype` as encoded, before validation. */
typedef enum comp_deftype_kind {
  COMP_DEF_PRIM = 0, COMP_DEF_RECORD, COMP_DEF_VARIANT, COMP_DEF_LIST, COMP_DEF_TUPLE, COMP_DEF_FLAGS,
  COMP_DEF_ENUM, COMP_DEF_OPTION, COMP_DEF_RESULT, COMP_DEF_OWN, COMP_DEF_BORROW,
  COMP_DEF_FUNC, COMP_DEF_RESOURCE, COMP_DEF_COMPONENT, COMP_DEF_INSTANCE,
} comp_deftype_kind_t;

typedef struct comp_decl comp_decl_t;

typedef struct comp_typedef {
  uint8_t kind;          /* comp_deftype_kind_t */
  uint8_t prim;          /* COMP_DEF_PRIM */
  uint32_t offset;       /* byte offset of the type in the input */
  uint32_t n;            /* fields/cases/params/tuple types/labels/decls */
  comp_label_ref_t *labels; /* record fields, variant cases, func params, flags/enum labels */
  comp_valref_t *types;  /* tuple members */
  comp_valref_t elem;    /* list/option element, own/borrow: .v is the resource type index */
  bool has_ok, has_err;  /* result */
  comp_valref_t ok, err;
  bool has_result;       /* func */
  comp_valref_t result;
  bool has_dtor;         /* resource: rep is always i32 */
  uint32_t dtor;         /* core func index */
  comp_decl_t *decls;    /* component/instance type declarators */
} comp_typedef_t;

/* `externdesc` */
typedef enum comp_extern_desc_kind {
  COMP_DESC_MODULE = 0, COMP_DESC_FUNC, COMP_DESC_VALUE, COMP_DESC_TYPE, COMP_DESC_COMPONENT, COMP_DESC_INSTANCE
} comp_extern_desc_kind_t;
typedef struct comp_externdesc {
  uint8_t kind;          /* comp_extern_desc_kind_t */
  bool sub_resource;     /* type: (sub resource) rather than (eq idx) */
  uint32_t idx;          /* module: core type idx; func/component/instance: type idx; type: eq idx */
  comp_valref_t value;   /* value: its type */
} comp_externdesc_t;

/* Core types (`core:type`): a function type or a module type. */
typedef enum comp_core_decl_kind { COMP_CDECL_IMPORT = 0, COMP_CDECL_TYPE, COMP_CDECL_ALIAS, COMP_CDECL_EXPORT } comp_core_decl_kind_t;
typedef struct comp_core_importdesc {
  uint8_t kind;          /* EXT_FUNC/TABLE/MEMORY/GLOBAL or 4 = tag */
  uint32_t idx;          /* func/tag: type index */
  uint8_t elem;          /* table element type */
  uint8_t valtype;       /* global */
  bool mut, has_max, shared, is64;
  uint64_t min, max;
} comp_core_importdesc_t;
typedef struct comp_core_decl {
  uint8_t kind;          /* comp_core_decl_kind_t */
  uint32_t offset;
  comp_name_t module, name;      /* import: module+name; export: name */
  comp_core_importdesc_t desc;   /* import/export */
  core_functype_t func;          /* type */
  uint32_t outer_count, outer_idx; /* alias (outer, type sort) */
} comp_core_decl_t;
typedef struct comp_core_typedef {
  bool is_module;
  uint32_t offset;
  core_functype_t func;          /* !is_module */
  uint32_t ndecls;
  comp_core_decl_t *decls;       /* is_module */
} comp_core_typedef_t;

typedef enum comp_alias_target { COMP_ALIAS_EXPORT = 0, COMP_ALIAS_CORE_EXPORT, COMP_ALIAS_OUTER } comp_alias_target_t;
typedef struct comp_alias {
  uint8_t sort;          /* comp_sort_t */
  uint8_t target;        /* comp_alias_target_t */
  uint32_t instance;     /* export / core export */
  comp_name_t name;
  uint32_t outer_count, outer_idx;
} comp_alias_t;

/* Declarators of component and instance types (`componentdecl`, `instancedecl`). */
typedef enum comp_decl_kind { COMP_DECL_CORE_TYPE = 0, COMP_DECL_TYPE, COMP_DECL_ALIAS, COMP_DECL_IMPORT, COMP_DECL_EXPORT } comp_decl_kind_t;
struct comp_decl {
  uint8_t kind;          /* comp_decl_kind_t */
  uint32_t offset;
  comp_core_typedef_t core_type;
  comp_typedef_t type;
  comp_alias_t alias;
  comp_name_t name;      /* import/export */
  comp_externdesc_t desc;
};

typedef struct comp_core_arg {  /* `core:instantiatearg` (always the instance sort) */
  comp_name_t name;
  uint32_t instance;
} comp_core_arg_t;
typedef struct comp_inline_export { /* `core:inlineexport`, `inlineexport`, `instantiatearg` */
  comp_name_t name;
  comp_sortidx_t item;
} comp_inline_export_t;

typedef struct comp_core_instance_def {
  bool instantiate;
  uint32_t module;       /* instantiate */
  uint32_t n;            /* args or exports */
  comp_core_arg_t *args;
  comp_inline_export_t *exports;
} comp_core_instance_def_t;

typedef struct comp_instance_def {
  bool instantiate;
  uint32_t component;
  uint32_t n;
  comp_inline_export_t *args;    /* instantiate: (with name sortidx) */
  comp_inline_export_t *exports; /* bag of exports */
} comp_instance_def_t;

typedef enum comp_string_encoding { COMP_UTF8 = 0, COMP_UTF16, COMP_LATIN1_UTF16 } comp_string_encoding_t;
typedef struct comp_canon_opts {
  uint8_t string_encoding; /* comp_string_encoding_t (default utf8) */
  bool has_memory, has_realloc, has_post_return;
  uint32_t memory, realloc, post_return; /* core memory / core func indices */
} comp_canon_opts_t;

typedef enum comp_canon_kind { COMP_CANON_LIFT = 0, COMP_CANON_LOWER, COMP_CANON_RESOURCE_NEW, COMP_CANON_RESOURCE_DROP, COMP_CANON_RESOURCE_REP } comp_canon_kind_t;
typedef struct comp_canon {
  uint8_t kind;          /* comp_canon_kind_t */
  uint32_t func;         /* lift: core func; lower: func */
  uint32_t type;         /* lift: func type; resource.*: resource type */
  comp_canon_opts_t opts;
} comp_canon_t;

typedef struct comp_start {
  uint32_t func;
  uint32_t nargs;
  uint32_t *args;        /* value indices */
  uint32_t nresults;
} comp_start_t;

typedef struct comp_import {
  comp_name_t name;
  comp_externdesc_t desc;
} comp_import_t;

typedef struct comp_export {
  comp_name_t name;
  comp_sortidx_t item;
  bool has_type;         /* type ascription */
  comp_externdesc_t desc;
} comp_export_t;

typedef struct comp_core_module_def {
  core_module_t *module;   /* decoded (owned; NULL when `compiled` is set: use compiled->m) */
  weld_module_t *compiled; /* validated + compiled by the engine given to comp_decode (owned reference) */
  uint32_t len;            /* byte length of the module in the input */
} comp_core_module_def_t;
/* The decoded module of a core module item (whichever of the two fields is set). */
core_module_t *comp_core_module(const comp_core_module_def_t *d);

typedef enum comp_item_kind {
  COMP_ITEM_CORE_MODULE = 0, COMP_ITEM_CORE_INSTANCE, COMP_ITEM_CORE_TYPE, COMP_ITEM_COMPONENT, COMP_ITEM_INSTANCE,
  COMP_ITEM_ALIAS, COMP_ITEM_TYPE, COMP_ITEM_CANON, COMP_ITEM_START, COMP_ITEM_IMPORT, COMP_ITEM_EXPORT,
} comp_item_kind_t;

typedef struct comp_component comp_component_t;

typedef struct comp_item {
  uint8_t kind;          /* comp_item_kind_t */
  uint32_t offset;       /* byte offset of the definition in the input */
  union {
    comp_core_module_def_t core_module;
    comp_core_instance_def_t core_instance;
    comp_core_typedef_t core_type;
    comp_component_t *component;
    comp_instance_def_t instance;
    comp_alias_t alias;
    comp_typedef_t type;
    comp_canon_t canon;
    comp_start_t start;
    comp_import_t import;
    comp_export_t export;
  } u;
} comp_item_t;

/* ---------------------------------------------------------------- index spaces */

/* One index-space entry: which item introduced it (index into the component's items; for
 * an alias, import or export the entry is the alias/import/export item itself) and its
 * type.  `sub` is reserved for items that introduce several entries (always 0 today: a
 * start function has at most one result).  `type` by sort:
 *   core func: COMP_T_CORE_FUNC     core table/memory/global/tag: COMP_T_CORE_TABLE/...
 *   core type: any core type node   core module: COMP_T_CORE_MODULE
 *   core instance: COMP_T_CORE_INSTANCE
 *   func: COMP_T_FUNC   value: a value type   type: the type (for imports/exports a fresh
 *   alias of it, see types.h)   component: COMP_T_COMPONENT   instance: COMP_T_INSTANCE */
typedef struct comp_index {
  uint32_t item;
  uint32_t sub;
  comp_typeid_t type;
} comp_index_t;

typedef struct comp_space {
  uint32_t len;
  comp_index_t *entries;
} comp_space_t;

struct comp_component {
  comp_component_t *parent;  /* NULL for the root */
  uint32_t depth;            /* 0 for the root */
  uint32_t offset, len;      /* where its bytes are in the input (preamble included) */
  uint32_t nitems;
  comp_item_t *items;
  comp_space_t space[COMP_SORT_COUNT];
  comp_typeid_t type;        /* its component type (imports and exports) */

  /* Root only: storage for everything above and the types. */
  uint8_t *bytes;            /* copy of the whole input */
  size_t nbytes;
  comp_arena_t *arena;
  comp_types_t *types;
  weld_engine_t *engine;     /* the engine that compiled the core modules */
  bool owns_engine;          /* engine was created by comp_decode (freed with the root) */
};

/* Decodes and validates a component binary.  `engine` (may be NULL) validates and
 * compiles the embedded core modules, which stay compiled in the result (the engine must
 * outlive it); with NULL comp_decode creates a private engine for them, owned and freed by
 * the root (root->owns_engine).  `features` may be NULL (all optional features off).  On success *out is
 * the root component (free with comp_component_free); on error *out is NULL and the error
 * names what is wrong and where (byte offset). */
weld_error_t *comp_decode(weld_engine_t *engine, const uint8_t *bytes, size_t len, const comp_features_t *features,
                          comp_component_t **out);
void comp_component_free(comp_component_t *c);

/* True if the first 8 bytes are a component preamble (any version). */
bool comp_is_component(const uint8_t *bytes, size_t len);

#endif
