/* types.h — the type representation of the Component Model (design/mvp/Explainer.md
 * "Type Definitions", "Type checking"; the core types of components: core function, table,
 * memory, global, tag, module and instance types).
 *
 * The type arena.  Every type is a node in one arena (comp_types_t) shared by a root
 * component and all components nested in it, named by its index (comp_typeid_t).  Nodes
 * are immutable once added.  Children are referenced by id, so a type is a DAG.
 *
 * Identity and equality.  Two different ids may denote equal types: equality and
 * subtyping (subtype.c) are structural, except for resources, which compare by their
 * resource identity `rid`.  Ids still matter: the Explainer's rule that the types used by
 * an import or export be "named" (imported or exported before) is a rule about *which
 * definition* a type refers to, so importing or exporting a type creates a fresh id
 * (comp_type_alias) that is structurally the same type, and the validator tracks sets of
 * ids.  A handle type (own/borrow) refers to a COMP_T_RESOURCE node; each resource
 * definition, `(sub resource)` import/export and freshening creates a new rid, and an
 * alias of a resource is a new node with the same rid.
 *
 * Primitive types have fixed ids: comp_prim_t p is type id p.  A value type ("valtype") is
 * therefore just a type id of a defined value type.
 *
 * Substitution (subst.c) maps rids and ids to build instance types at instantiation
 * (resources supplied by arguments, fresh resources for the component's own ones).
 *
 * Limits: every node records its "effective size" (the number of nodes of the fully
 * expanded tree, saturating) and depth; types over WELD_MAX_TYPE_SIZE or deeper than
 * WELD_MAX_TYPE_DEPTH are rejected when created, which bounds the recursion and the work of
 * every algorithm over types.  All type-checking algorithms also charge their steps to
 * comp_types_t.work (limit WELD_MAX_TYPECHECK_WORK). */
#ifndef WELD_COMPONENT_TYPES_H
#define WELD_COMPONENT_TYPES_H
#include "base/error.h"
#include "base/limits.h"
#include "component/util.h"
#include "core/module.h"
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint32_t comp_typeid_t;
#define COMP_NO_TYPE UINT32_MAX

/* Every error for a construct weld deliberately does not implement starts with this
 * (so that a test runner can tell "unsupported feature" from "invalid input"). */
#define COMP_NOT_SUPPORTED "not supported: "

/* A name in the input (UTF-8, not NUL-terminated). */
typedef struct comp_name {
  const char *s;
  uint32_t len;
} comp_name_t;

/* Primitive value types (Binary.md `primvaltype`, code 0x7f - p). */
typedef enum comp_prim {
  COMP_PRIM_BOOL = 0, COMP_PRIM_S8, COMP_PRIM_U8, COMP_PRIM_S16, COMP_PRIM_U16, COMP_PRIM_S32, COMP_PRIM_U32,
  COMP_PRIM_S64, COMP_PRIM_U64, COMP_PRIM_F32, COMP_PRIM_F64, COMP_PRIM_CHAR, COMP_PRIM_STRING,
  COMP_PRIM_COUNT
} comp_prim_t;
const char *comp_prim_name(uint32_t p); /* "bool", ..., "string" */

typedef enum comp_tkind {
  /* defined value types */
  COMP_T_PRIM = 0, COMP_T_RECORD, COMP_T_VARIANT, COMP_T_LIST, COMP_T_TUPLE, COMP_T_FLAGS, COMP_T_ENUM,
  COMP_T_OPTION, COMP_T_RESULT, COMP_T_OWN, COMP_T_BORROW,
  /* other component-level types */
  COMP_T_FUNC, COMP_T_RESOURCE, COMP_T_INSTANCE, COMP_T_COMPONENT,
  /* core types */
  COMP_T_CORE_FUNC, COMP_T_CORE_TABLE, COMP_T_CORE_MEMORY, COMP_T_CORE_GLOBAL, COMP_T_CORE_TAG,
  COMP_T_CORE_MODULE, COMP_T_CORE_INSTANCE,
} comp_tkind_t;
static inline bool comp_tkind_is_defined(uint8_t k) { return k <= COMP_T_BORROW; }
const char *comp_tkind_name(uint8_t k); /* "record", "func", "core module", ... */

/* Type flags (computed from the children when a node is added). */
enum {
  COMP_TF_BORROW = 1, /* a value type that contains a borrow handle */
  COMP_TF_PTR = 2,    /* a value type that contains a string or list (needs linear memory) */
};

typedef struct comp_labeled {
  comp_name_t name;
  comp_typeid_t type; /* COMP_NO_TYPE for a variant case without payload */
} comp_labeled_t;

/* External kinds of component imports/exports (Binary.md `externdesc`, sorts). */
typedef enum comp_ekind {
  COMP_E_MODULE = 0, COMP_E_FUNC, COMP_E_VALUE, COMP_E_TYPE, COMP_E_COMPONENT, COMP_E_INSTANCE
} comp_ekind_t;
const char *comp_ekind_name(uint8_t k); /* "module", "func", ... */

/* The type of an import or export ("ComponentEntityType").  For COMP_E_TYPE, `type` is
 * the id the import/export *creates* (a fresh alias or a fresh resource) and `referenced`
 * the type it is bound to (for `(sub resource)` both are the fresh resource). */
typedef struct comp_entity {
  uint8_t kind;             /* comp_ekind_t */
  comp_typeid_t type;       /* module: core module type; func; value: valtype; type: created; component; instance */
  comp_typeid_t referenced; /* type only (else COMP_NO_TYPE) */
} comp_entity_t;

typedef struct comp_extern {
  comp_name_t name;
  comp_entity_t ent;
} comp_extern_t;

/* Where a resource is reachable: path[0] indexes the imports (imported resources) or the
 * exports (defined/explicit resources) of the type, each further element the exports of
 * the instance type found so far. */
typedef struct comp_rpath {
  uint32_t rid;
  uint32_t len;
  uint32_t *path;
} comp_rpath_t;

typedef struct comp_instance_type {
  uint32_t nexports;
  comp_extern_t *exports;
  uint32_t *sorted;          /* export indices ordered by name (comp_lookup) */
  uint32_t ndefined;         /* resources this type introduces (fresh per use) */
  comp_rpath_t *defined;     /* paths into exports */
  uint32_t nexplicit;        /* every resource reachable through exports, first path */
  comp_rpath_t *explicit_;
} comp_instance_type_t;

typedef struct comp_component_type {
  uint32_t nimports;
  comp_extern_t *imports;
  uint32_t *isorted;
  uint32_t nexports;
  comp_extern_t *exports;
  uint32_t *esorted;
  uint32_t nimported;        /* abstract resources the imports introduce (paths into imports) */
  comp_rpath_t *imported;
  uint32_t ndefined;         /* resources the component defines and exports (paths into exports) */
  comp_rpath_t *defined;
  uint32_t nexplicit;
  comp_rpath_t *explicit_;
} comp_component_type_t;

typedef struct comp_core_limits {
  uint64_t min, max;
  bool has_max, shared, is64;
} comp_core_limits_t;

typedef struct comp_core_import {
  comp_name_t module, name;
  comp_typeid_t type; /* COMP_T_CORE_FUNC/TABLE/MEMORY/GLOBAL/TAG */
} comp_core_import_t;

typedef struct comp_core_export {
  comp_name_t name;
  comp_typeid_t type;
} comp_core_export_t;

typedef struct comp_type {
  uint8_t kind;   /* comp_tkind_t */
  uint8_t flags;  /* COMP_TF_* */
  uint16_t depth; /* 0 for leaves */
  uint32_t size;  /* effective size, saturating at WELD_MAX_TYPE_SIZE + 1 */
  union {
    uint32_t prim;                                           /* COMP_T_PRIM */
    struct { uint32_t n; comp_labeled_t *items; } fields;    /* RECORD (fields), VARIANT (cases) */
    comp_typeid_t elem;                                      /* LIST, OPTION */
    struct { uint32_t n; comp_typeid_t *types; } tuple;      /* TUPLE */
    struct { uint32_t n; comp_name_t *names; } labels;       /* FLAGS, ENUM */
    struct { comp_typeid_t ok, err; } result;                /* RESULT (COMP_NO_TYPE if absent) */
    comp_typeid_t resource;                                  /* OWN, BORROW: a RESOURCE node */
    struct { uint32_t nparams; comp_labeled_t *params; comp_typeid_t result; } func; /* FUNC */
    uint32_t rid;                                            /* RESOURCE */
    comp_instance_type_t *inst;                              /* INSTANCE */
    comp_component_type_t *comp;                             /* COMPONENT */
    core_functype_t core_func;                               /* CORE_FUNC */
    struct { uint8_t elem; comp_core_limits_t limits; } table; /* CORE_TABLE */
    comp_core_limits_t mem;                                  /* CORE_MEMORY */
    core_globaltype_t global;                                /* CORE_GLOBAL */
    comp_typeid_t tag;                                       /* CORE_TAG: its CORE_FUNC type */
    struct {
      uint32_t nimports; comp_core_import_t *imports;
      uint32_t nexports; comp_core_export_t *exports; uint32_t *esorted;
    } module;                                                /* CORE_MODULE */
    struct { uint32_t nexports; comp_core_export_t *exports; uint32_t *sorted; } core_inst; /* CORE_INSTANCE */
  } u;
} comp_type_t;

typedef struct comp_types {
  comp_type_t *v;
  uint32_t len, cap;
  comp_arena_t *arena; /* payload arrays (borrowed) */
  uint32_t next_rid;
  uint64_t work;       /* steps charged by the algorithms (comp_types_charge) */
} comp_types_t;

/* Sets up the arena with the primitive types; false on OOM. */
bool comp_types_init(comp_types_t *t, comp_arena_t *arena);
void comp_types_free(comp_types_t *t);

static inline const comp_type_t *comp_type(const comp_types_t *t, comp_typeid_t id) { return &t->v[id]; }
static inline uint8_t comp_type_kind(const comp_types_t *t, comp_typeid_t id) { return t->v[id].kind; }

/* Adds a node (its payload arrays must already live in t->arena or be static): computes
 * flags, size and depth from the children and checks the limits.  `offset` is for the
 * error.  On success *out is the new id. */
weld_error_t *comp_type_add(comp_types_t *t, const comp_type_t *ty, size_t offset, comp_typeid_t *out);

/* A fresh resource identity. */
static inline uint32_t comp_types_fresh_rid(comp_types_t *t) { return t->next_rid++; }
/* A new RESOURCE node with a fresh rid. */
weld_error_t *comp_type_fresh_resource(comp_types_t *t, size_t offset, comp_typeid_t *out);
/* A new id for the same type (structurally equal; a resource keeps its rid).  Used by
 * imports and exports of types, which introduce a new type index. */
weld_error_t *comp_type_alias(comp_types_t *t, comp_typeid_t id, size_t offset, comp_typeid_t *out);

/* Charges n steps of type-checking work; false once over WELD_MAX_TYPECHECK_WORK. */
static inline bool comp_types_charge(comp_types_t *t, uint64_t n) {
  t->work += n;
  return t->work <= WELD_MAX_TYPECHECK_WORK;
}
weld_error_t *comp_types_work_error(size_t offset);

/* Lookup by exact name in a list with a sorted index (see comp_sort_names); UINT32_MAX if
 * absent. */
uint32_t comp_lookup(const comp_extern_t *items, const uint32_t *sorted, uint32_t n, const char *s, uint32_t len);
uint32_t comp_core_lookup(const comp_core_export_t *items, const uint32_t *sorted, uint32_t n, const char *s, uint32_t len);
/* Builds the sorted index of items' names in the arena; NULL on OOM. */
uint32_t *comp_sort_names(comp_arena_t *a, const comp_extern_t *items, uint32_t n);
uint32_t *comp_core_sort_names(comp_arena_t *a, const comp_core_export_t *items, uint32_t n);

/* Size of an entity's type (for the component's effective-size limit). */
uint32_t comp_entity_size(const comp_types_t *t, const comp_entity_t *e);

static inline bool comp_name_eq(comp_name_t a, comp_name_t b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.s, b.s, a.len) == 0);
}
/* Equality of labels, which the Component Model compares ignoring ASCII case. */
bool comp_label_eq(comp_name_t a, comp_name_t b);

#endif
