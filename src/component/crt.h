/* crt.h — the component runtime: instantiation and linking of components and the objects of
 * the public embedding API (include/weld/component.h), shared by
 *   component_api.c  weld_component_* (decode + plan), the per-component static plan, and
 *                    the root-level restrictions weld shares with wasmtime
 *   ctype_api.c      weld_ctype_* reflection (views of the type arena)
 *   linker.c         weld_linker_*: host definitions, resolution and type checking of imports
 *                    (instantiate_pre), define_unknown_imports_as_traps
 *   instantiate.c    running a plan: the index spaces of one component instance, core
 *                    instances, aliases, nested components, canon definitions, exports
 *   instance.c       weld_cinstance_*: export lookup (by name, by path, by index)
 *   func.c           weld_cfunc_* (dynamic and flat calls) and the core trampolines of
 *                    `canon lower` (host callee, or a lifted function of another instance)
 *   resource_api.c   weld_resource_table_* (host-side handle tables), weld_resource_forget
 * (the other weld_resource_* functions and weld_cval_* builders are the Canonical ABI's:
 * resources.c, cval.c)
 * (design/mvp/Explainer.md "Instance Definitions", "Alias Definitions", "Canonical
 * Definitions", "Import and Export Definitions"; the Canonical ABI itself is abi.h.)
 *
 * Model.  A component instance at run time (comp_frame_t, nested instances included) holds,
 * for each sort, the values of its index space in index order (comp_rval_t), filled while
 * walking the component's items in binary order exactly as the validator did, so index i
 * of a sort at run time is index i of the validated space.  Positions that the validator
 * found by name (alias targets, core instantiation arguments, export slots) are resolved
 * once per component into a plan (comp_plan_t), so instantiation does no name lookup for
 * what is defined inside the component.
 *
 * Resources.  Types are static (one arena per component tree), resource types are not: each
 * frame maps the resource identities (rid) of its types to run-time resource types
 * (weld_resource_type_t, abi.h).  A rid is bound when the entry that introduces it enters an
 * index space: a resource type definition (fresh type per instance), an imported or aliased
 * type, or an instance value (all resources reachable through its exports, by the paths of
 * its type's `explicit_` list).
 *
 * Ownership.  A component (decoded tree, types, layouts, plans) is reference-counted:
 * the embedder's handle, each instance_pre and each instance.  Frames and everything an
 * instantiation allocates belong to the store (comp_store_t, freed by weld_store_delete
 * through store->cm_state).  Host definitions of a linker are reference-counted objects so
 * that instances outlive the linker that made them. */
#ifndef WELD_COMPONENT_CRT_H
#define WELD_COMPONENT_CRT_H
#include "base/vec.h"
#include "component/abi.h"
#include "component/component.h"
#include "component/types.h"
#include "component/util.h"
#include "core/runtime.h"
#include "weld/component.h"
#include <stdatomic.h>

/* ---------------------------------------------------------------- ctype views */

typedef struct comp_ctypes {
  const comp_types_t *T;
  comp_layouts_t *L; /* the component's layouts (weld_cval_check) */
  uint32_t n;
  weld_ctype_t *v; /* v[id] */
} comp_ctypes_t;

struct weld_ctype {
  const comp_ctypes_t *u;
  comp_typeid_t id;
  char **names, **inames; /* NUL-terminated member / import names, made on first use */
  uint32_t nnames, ninames;
};

weld_error_t *comp_ctypes_init(comp_ctypes_t *u, const comp_types_t *T);
void comp_ctypes_free(comp_ctypes_t *u);
const weld_ctype_t *comp_ctype_view(const comp_ctypes_t *u, comp_typeid_t id);
char *comp_type_to_string(const comp_types_t *T, comp_typeid_t id); /* base_alloc'd, NULL on OOM */

/* ---------------------------------------------------------------- plans */

/* A core instantiation argument resolved: module import i comes from core instance
 * `inst` (index space), its export at position `pos` of that instance's type. */
typedef struct comp_core_argpos {
  uint32_t inst, pos;
} comp_core_argpos_t;

typedef struct comp_plan comp_plan_t;
struct comp_plan {
  const comp_component_t *c;
  uint32_t *slot;              /* per item: its index in its sort's space (UINT32_MAX: none) */
  uint32_t *pos;               /* per item: ALIAS export/core export: position of the name in the
                                  instance's type; EXPORT: position in the component type's exports */
  comp_core_argpos_t **cargs;  /* per CORE_INSTANCE instantiate item of a module defined in this
                                  component: one entry per module import (NULL otherwise) */
  comp_plan_t **child;         /* per COMPONENT item */
  weld_functype_t **lowered;   /* per CANON item (lower/resource.*): the core type */
  comp_typeid_t *canon_type;   /* per CANON lift/lower item: the component function type */
  struct comp_flatsig **flat;  /* per CANON lift/lower item: its flat signature */
  uint32_t nexports;
  uint32_t *export_item;       /* item of the i-th export of the component type */
  uint32_t counts[COMP_SORT_COUNT];
};

/* ---------------------------------------------------------------- components */

struct weld_component {
  weld_engine_t *engine;
  comp_component_t *root;
  comp_ctypes_t ctypes;
  comp_layouts_t layouts;
  bool has_layouts;
  comp_plan_t *plan; /* root plan (children reachable through it) */
  atomic_uint refs;
};
void comp_component_ref(weld_component_t *c);
void comp_component_unref(weld_component_t *c);

/* ---------------------------------------------------------------- run-time values */

typedef struct comp_frame comp_frame_t;
typedef struct comp_inst comp_inst_t;
typedef struct comp_core_inst comp_core_inst_t;
typedef struct comp_closure comp_closure_t;
typedef struct comp_hostfn comp_hostfn_t;

typedef union comp_rval {
  void *p;
  weld_func_t *core_func;
  weld_table_t *table;
  weld_memory_t *memory;
  weld_global_t *global;
  weld_module_t *module;
  comp_core_inst_t *core_inst;
  weld_cfunc_t *func;
  weld_resource_type_t *rtype; /* TYPE: the run-time resource type (NULL for other types) */
  comp_closure_t *comp;
  comp_inst_t *inst;
} comp_rval_t;

/* A core instance: its exports in the order of its static type (comp_type u.core_inst). */
struct comp_core_inst {
  uint32_t n;
  weld_extern_t *ex;
  weld_instance_t *inst; /* instantiated ones */
};

/* A component instance value: exports in the order of `ext` (names, kinds, types in the
 * arena of `T`), `sorted` its name index. */
struct comp_inst {
  uint32_t n;
  const comp_extern_t *ext;
  const uint32_t *sorted;
  comp_rval_t *vals;
  const comp_types_t *T;
  comp_frame_t *frame; /* the frame that made it (NULL for host instances) */
};

/* A component value: the static component plus the frame its outer aliases read. */
struct comp_closure {
  const comp_plan_t *plan;
  comp_frame_t *env;
};

/* A host function defined in a linker (reference-counted; the finalizer runs at zero). */
struct comp_hostfn {
  weld_chost_fn_t fn;
  weld_chost_flat_fn_t flat;
  void *env;
  void (*finalizer)(void *);
  uint32_t nparams, nresults;
  weld_ckind_t *kinds; /* flat: params then results */
  atomic_uint refs;
  bool traps;          /* defined by define_unknown_imports_as_traps */
  char *name;
};
void comp_hostfn_ref(comp_hostfn_t *f);
void comp_hostfn_unref(comp_hostfn_t *f);

enum { COMP_CFUNC_LIFTED = 0, COMP_CFUNC_HOST };

/* Flat signatures (scalar-only; see weld_chost_flat_fn_t): the kind of each flat value. */
#define COMP_FLAT_MAX 16
typedef struct comp_flatsig {
  bool ok;                    /* every parameter and result is a scalar */
  uint8_t np, nr;
  uint8_t p[COMP_FLAT_MAX], r[COMP_FLAT_MAX]; /* weld_ckind_t */
  uint32_t pn[COMP_FLAT_MAX], rn[COMP_FLAT_MAX]; /* ENUM: cases; FLAGS: labels */
  bool plain;                 /* every parameter is u32/u64/s64/f32/f64: a word <= pmask is its slot */
  uint64_t pmask[COMP_FLAT_MAX];
  bool plain_lift;            /* every parameter is u32/u64/s64: a slot becomes a word by masking */
  uint64_t rmask;             /* the result is u32/u64/s64: its mask (0 otherwise) */
} comp_flatsig_t;
void comp_flatsig_of(const comp_types_t *T, comp_typeid_t ft, comp_flatsig_t *out);

struct weld_cfunc {
  uint8_t kind;               /* COMP_CFUNC_* */
  const comp_types_t *T;      /* the arena of `type` */
  comp_typeid_t type;         /* COMP_T_FUNC */
  const weld_ctype_t *view;
  comp_layouts_t *L;
  comp_flatsig_t flat;
  bool fast;                  /* LIFTED, flat.plain, result u32/u64/s64 or none, no post-return */
  /* LIFTED */
  comp_frame_t *frame;
  weld_func_t *core;
  comp_abi_opts_t opts;
  /* HOST */
  comp_hostfn_t *host;
};

/* Bump memory of a frame (small chunks: a small component's frame needs a few hundred
 * bytes to a few KiB).  Allocations are zeroed and 8-byte aligned; NULL on OOM. */
typedef struct comp_fchunk comp_fchunk_t;
typedef struct comp_fmem {
  comp_fchunk_t *head;
  size_t used, size; /* of head */
} comp_fmem_t;
void *comp_fmem_alloc(comp_fmem_t *m, size_t n);
void *comp_fmem_array(comp_fmem_t *m, size_t count, size_t size);
void comp_fmem_free(comp_fmem_t *m);

/* A component instance (nested ones included). */
struct comp_frame {
  comp_abi_inst_t abi;
  weld_store_t *store;
  weld_component_t *component;
  const comp_plan_t *plan;
  comp_frame_t *env;          /* enclosing frame (outer aliases); NULL for the root */
  comp_rval_t *sp[COMP_SORT_COUNT];
  comp_map_t rids;            /* rid -> index in rtypes */
  VEC(weld_resource_type_t *) rtypes; /* counted references */
  comp_inst_t *exports;
  comp_fmem_t mem;            /* everything else this frame allocated */
  VEC(weld_resource_type_t *) owned; /* references to release (guest types it defined) */
};

/* Binds rid -> rt in f (takes a new reference; ignores a rid already bound). */
bool comp_frame_bind(comp_frame_t *f, uint32_t rid, weld_resource_type_t *rt);
weld_resource_type_t *comp_frame_rtype(const comp_frame_t *f, uint32_t rid);

/* The store's component state (store->cm_state). */
typedef struct comp_store {
  VEC(comp_frame_t *) frames;
  VEC(weld_cinstance_t *) instances;
} comp_store_t;
comp_store_t *comp_store_get(weld_store_t *store); /* creates it on first use; NULL on OOM */

struct weld_cinstance {
  weld_store_t *store;
  weld_component_t *component;
  comp_frame_t *frame;
  weld_instance_pre_t *pre; /* counted reference (host definitions live as long as this) */
};

/* ---------------------------------------------------------------- linker */

enum { COMP_LDEF_FUNC = 0, COMP_LDEF_INSTANCE, COMP_LDEF_RESOURCE, COMP_LDEF_MODULE, COMP_LDEF_CINSTANCE };

typedef struct comp_ldef {
  char *name;
  size_t len;
  uint8_t kind;
  union {
    comp_hostfn_t *fn;
    weld_linker_instance_t *inst;
    weld_resource_type_t *rt;
    weld_module_t *module;
    weld_cinstance_t *cinst;
  } u;
  weld_export_index_t path;  /* CINSTANCE: an exported instance (path[0] == 0: the top level) */
} comp_ldef_t;

/* The instance value a CINSTANCE definition names and the frame whose resource identities
 * its types use; NULL if the path is not an instance. */
const comp_inst_t *comp_cinstance_at(const weld_cinstance_t *ci, const weld_export_index_t *path, comp_frame_t **frame);

struct weld_linker_instance {
  weld_linker_t *linker;
  VEC(comp_ldef_t) defs;
};

struct weld_linker {
  weld_engine_t *engine;
  bool shadowing;
  weld_linker_instance_t *root;
  VEC(weld_linker_instance_t *) all;
};

/* Everything resolved for one component: the run-time values of its imports (host
 * functions as weld_cfunc_t, host instances as comp_inst_t, resource types, modules), made
 * once and shared (read-only) by every instance. */
struct weld_instance_pre {
  weld_component_t *component; /* counted */
  weld_engine_t *engine;
  comp_rval_t *imports;        /* per import of the root */
  comp_arena_t arena;          /* comp_inst_t / weld_cfunc_t made for host definitions */
  VEC(comp_hostfn_t *) fns;    /* counted references */
  VEC(weld_resource_type_t *) rts;
  VEC(weld_module_t *) modules;
  weld_store_t *store;         /* non-NULL when an import comes from a live instance */
  atomic_uint refs;
};
void comp_pre_unref(weld_instance_pre_t *p);

/* instantiate.c: instantiates `plan` with the given import values (in import order) in
 * store; `env` is the enclosing frame (NULL for a root). */
/* What one top-level instantiation may do: nested components may instantiate each other
 * exponentially often, so the component and core instances made (at most
 * WELD_MAX_INSTANTIATION_INSTANCES) and the steps taken (definitions, exports copied,
 * resources bound: at most WELD_MAX_INSTANTIATION_WORK) are counted. */
typedef struct comp_budget {
  uint32_t instances;
  uint64_t work;
} comp_budget_t;
weld_error_t *comp_instantiate(weld_store_t *store, weld_component_t *component, const comp_plan_t *plan,
                               comp_frame_t *env, const comp_rval_t *imports, comp_budget_t *budget, comp_frame_t **out,
                               weld_trap_t **trap);
/* Frees a frame's storage (by the store). */
void comp_frame_free(comp_frame_t *f);

/* func.c */
weld_func_t *comp_lower_func(comp_frame_t *f, weld_cfunc_t *callee, comp_typeid_t ft, const weld_functype_t *core_type,
                             const comp_flatsig_t *sig, const comp_abi_opts_t *opts);
weld_cfunc_t *comp_cfunc_host(comp_arena_t *a, comp_hostfn_t *h, const weld_component_t *c, comp_typeid_t ft);

/* "u32", "string", ... for messages (func.c). */
const char *comp_ckind_name(weld_ckind_t k);

/* Structural equality of value/function types across arenas, with resources compared
 * by their run-time types (linker.c). */
typedef weld_resource_type_t *(*comp_rid_fn)(const void *env, uint32_t rid);
bool comp_types_equal(const comp_types_t *TA, comp_typeid_t a, comp_rid_fn ra, const void *ea, const comp_types_t *TB,
                      comp_typeid_t b, comp_rid_fn rb, const void *eb, unsigned depth);

#endif
