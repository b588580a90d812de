/* validate_internal.h — state shared by the component validator's files:
 *   validate.c        components, index spaces, instances, aliases, imports/exports, start
 *   validate_types.c  type definitions and component/instance/core module type declarators
 *   canon.c           canonical definitions (lift, lower, resource.*) and their options
 *   flatten.c         the Canonical ABI flattening used by canon.c
 *   subtype.c         subtyping/equality of component and core types, instantiation checks
 *   subst.c           type substitution (resources, type renamings) and free resources
 *   names.c           import/export name grammar, strong uniqueness, resource-name rules
 * (design/mvp/Explainer.md; the scheme of index spaces and scopes follows the Explainer's
 * "Index Spaces" and "Alias Definitions".)
 *
 * A scope is one component, component type or instance type being validated.  Scopes form
 * a stack (outer aliases count outward along it); concrete components always come first,
 * type scopes after them. */
#ifndef WELD_COMPONENT_VALIDATE_INTERNAL_H
#define WELD_COMPONENT_VALIDATE_INTERNAL_H
#include "base/vec.h"
#include "component/component.h"
#include "component/names.h"
#include "component/util.h"

typedef enum comp_scope_kind { SCOPE_COMPONENT = 0, SCOPE_COMPONENT_TYPE, SCOPE_INSTANCE_TYPE } comp_scope_kind_t;
typedef enum comp_extern_dir { DIR_NONE = 0, DIR_IMPORT, DIR_EXPORT } comp_extern_dir_t;

typedef VEC(comp_index_t) comp_index_vec_t;

typedef struct comp_defined_res {
  uint32_t rid;
  bool local; /* defined by a `resource` type here (resource.new/rep allowed) */
} comp_defined_res_t;

typedef struct comp_scope {
  uint8_t kind;               /* comp_scope_kind_t */
  comp_component_t *comp;     /* SCOPE_COMPONENT */
  comp_index_vec_t sp[COMP_SORT_COUNT];
  VEC(uint8_t) value_used;    /* parallel to sp[COMP_SORT_VALUE] */
  VEC(comp_extern_t) imports, exports;
  comp_strset_t import_keys, export_keys; /* strong uniqueness (names.h keys) */
  VEC(comp_rpath_t) imported_res;
  VEC(comp_defined_res_t) defined_res;
  comp_map_t defined_map;     /* rid -> index in defined_res */
  VEC(comp_rpath_t) explicit_res;
  comp_map_t explicit_map;    /* rid -> index in explicit_res */
  comp_map_t imported_types, exported_types; /* "named" type ids (sets) */
  comp_namectx_t import_ctx, export_ctx;     /* resource names for [constructor]/[method]/[static] */
  bool has_start;
  uint64_t type_size;
} comp_scope_t;

typedef struct comp_vctx {
  comp_component_t *root;
  comp_types_t *T;
  comp_arena_t *A;
  const comp_features_t *features;
  VEC(comp_scope_t *) scopes;
} comp_vctx_t;

static inline comp_scope_t *cur_scope(comp_vctx_t *v) { return VEC_LAST(&v->scopes); }

/* validate.c */
weld_error_t *comp_scope_push(comp_vctx_t *v, uint8_t kind, comp_component_t *comp, comp_scope_t **out);
void comp_scope_pop(comp_vctx_t *v);
weld_error_t *comp_sp_push(comp_vctx_t *v, comp_scope_t *s, uint8_t sort, uint32_t item, uint32_t sub, comp_typeid_t type,
                           size_t off);
/* Entry `idx` of a sort's index space ("<sort> index out of bounds" otherwise). */
weld_error_t *comp_sp_get(comp_vctx_t *v, comp_scope_t *s, uint8_t sort, uint32_t idx, size_t off, comp_typeid_t *out);
weld_error_t *comp_alias(comp_vctx_t *v, comp_scope_t *s, const comp_alias_t *a, uint32_t item, size_t off);
/* Adds an import or export (types: both; components: imports) to the scope: index space,
 * resource bookkeeping, "named types" rule, name rules and uniqueness. */
weld_error_t *comp_add_extern(comp_vctx_t *v, comp_scope_t *s, uint8_t dir, comp_name_t name, comp_entity_t ent,
                              uint32_t item, size_t off);
/* The type of a finished scope: its imports/exports and resources. */
weld_error_t *comp_finish_component_type(comp_vctx_t *v, comp_scope_t *s, size_t off, comp_typeid_t *out);
weld_error_t *comp_finish_instance_type(comp_vctx_t *v, comp_scope_t *s, size_t off, comp_typeid_t *out);
/* `externdesc` -> entity (the type an import/export declares). */
weld_error_t *comp_check_type_ref(comp_vctx_t *v, comp_scope_t *s, const comp_externdesc_t *d, uint8_t dir, size_t off,
                                  comp_entity_t *out);
weld_error_t *comp_values_enabled(comp_vctx_t *v, size_t off);
/* Registers a resource defined in scope s. */
weld_error_t *comp_scope_define_resource(comp_scope_t *s, uint32_t rid, bool local);

/* validate_types.c */
weld_error_t *comp_valtype(comp_vctx_t *v, comp_scope_t *s, comp_valref_t r, size_t off, comp_typeid_t *out);
weld_error_t *comp_define_type(comp_vctx_t *v, comp_scope_t *s, const comp_typedef_t *t, comp_typeid_t *out);
weld_error_t *comp_define_core_type(comp_vctx_t *v, comp_scope_t *s, const comp_core_typedef_t *t, comp_typeid_t *out);
weld_error_t *comp_module_type_of(comp_vctx_t *v, const core_module_t *m, size_t off, comp_typeid_t *out);
weld_error_t *comp_core_func_type(comp_vctx_t *v, const uint8_t *params, uint32_t np, const uint8_t *results, uint32_t nr,
                                  size_t off, comp_typeid_t *out);

/* canon.c */
weld_error_t *comp_canon(comp_vctx_t *v, comp_scope_t *s, const comp_canon_t *c, uint32_t item, size_t off);

/* flatten.c: Canonical ABI flattening (CanonicalABI.md `flatten_functype`). */
#define COMP_MAX_FLAT_PARAMS 16
#define COMP_MAX_FLAT_RESULTS 1
typedef struct comp_lowering {
  uint8_t params[COMP_MAX_FLAT_PARAMS + 2];
  uint32_t nparams;
  uint8_t results[COMP_MAX_FLAT_RESULTS + 1];
  uint32_t nresults;
  bool requires_memory, requires_realloc;
} comp_lowering_t;
/* `lift`: the core signature a lifted function must have; else a lowered one's. */
bool comp_lower_functype(comp_types_t *T, comp_typeid_t func, bool lift, comp_lowering_t *out);

/* subtype.c: a <: b (a is what is given, b what is expected); errors describe the mismatch. */
weld_error_t *comp_entity_subtype(comp_vctx_t *v, const comp_entity_t *a, const comp_entity_t *b, size_t off);
weld_error_t *comp_type_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off);
weld_error_t *comp_core_extern_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off);

/* A list of named entities offered as arguments (instantiation args, or the imports/
 * exports of a type when checking component subtyping). */
typedef struct comp_args {
  const comp_extern_t *items;
  const uint32_t *sorted;
  uint32_t n;
} comp_args_t;

/* subst.c */
typedef struct comp_subst {
  comp_map_t rids;  /* rid -> rid */
  comp_map_t types; /* type id -> type id (renamed type imports) */
  comp_map_t memo;  /* per application: old id -> new id */
} comp_subst_t;
void comp_subst_free(comp_subst_t *s);
weld_error_t *comp_subst_type(comp_vctx_t *v, comp_subst_t *s, comp_typeid_t id, size_t off, comp_typeid_t *out);
weld_error_t *comp_subst_entity(comp_vctx_t *v, comp_subst_t *s, const comp_entity_t *in, size_t off, comp_entity_t *out);
/* Maps the rids of paths (allocating in the arena). */
weld_error_t *comp_subst_rpaths(comp_vctx_t *v, comp_subst_t *s, const comp_rpath_t *in, uint32_t n, size_t off,
                                comp_rpath_t **out);
/* True if the type refers to a resource it does not itself introduce. *err on work limit. */
bool comp_has_free_resources(comp_vctx_t *v, comp_typeid_t id, size_t off, weld_error_t **err);
/* True if the entity's type refers (freely) to a resource for which pred(cx, rid) holds. */
bool comp_entity_refers_to(comp_vctx_t *v, const comp_entity_t *e, bool (*pred)(void *cx, uint32_t rid), void *cx, size_t off,
                           weld_error_t **err);

/* Instantiation-style matching (Explainer "instantiate" / wasmparser's open_instance_type):
 * `dir` DIR_IMPORT checks args against the component type's imports, DIR_EXPORT checks the
 * given exports against its exports.  On success `map` holds the resource mapping from the
 * type's imported (resp. defined) resources to the arguments' and the renamings of type
 * imports/exports to the arguments' types. */
weld_error_t *comp_open_component(comp_vctx_t *v, const comp_args_t *args, comp_typeid_t ctype, uint8_t dir,
                                  size_t off, comp_subst_t *map);

/* Error helpers */
weld_error_t *comp_verr(size_t off, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
