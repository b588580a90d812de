/* weld/component.h — the Component Model embedding API.
 *
 * The concepts are those of Rust's `wasmtime::component`, in C's idiom:
 *
 *   weld_component_t        a compiled component (engine-level; instantiate many times)
 *   weld_ctype_t            a component-level type: value types, function types, and the
 *                           types of instances, components, resources (reflection)
 *   weld_linker_t           where the host defines what components may import
 *   weld_linker_instance_t  a named (possibly nested) instance inside a linker
 *   weld_instance_pre_t     a component with all imports resolved and type-checked
 *   weld_cinstance_t        an instantiated component, living in a weld_store_t
 *   weld_cfunc_t            an exported component function
 *   weld_cval_t             a dynamic component value (every WIT type)
 *   weld_resource_type_t    a resource type defined by the host
 *   weld_resource_t         a resource handle (own or borrow; host- or guest-defined)
 *   weld_resource_table_t   a table mapping resource handles to host objects
 *
 * A guide with examples: docs/component.md; a complete host: examples/component.c.
 *
 * Scope: the synchronous Component Model (design/mvp/Explainer.md, CanonicalABI.md).  Async
 * (streams, futures, tasks, async functions), threads and values are rejected when a
 * component is compiled, with an error starting "not supported: ".
 *
 * Typical use:
 *   weld_component_new        compile once (per engine; may be shared by threads)
 *   weld_linker_*             define what the host offers: functions, instances, resource
 *                             types, core modules, other component instances
 *   weld_linker_instantiate_pre   resolve + type-check the imports once
 *   weld_instance_pre_instantiate instantiate many times (cheap: no lookups, no checks)
 *   weld_cinstance_func_by_name / weld_cinstance_export_index + weld_cinstance_func
 *   weld_cfunc_call (weld_cval_t values) or weld_cfunc_call_flat (scalar words)
 *
 * Lifetimes.  A component, a linker and an InstancePre may be deleted at any time: each
 * instance keeps (by reference counting) what it needs — the component's code and types,
 * the host functions' environments (their finalizers run when the last user lets go), the
 * resource types and modules.  Component instances, like core instances, belong to the
 * store they were made in and are freed by weld_store_delete (there is no per-instance
 * delete).  The same weld_store_t holds core and component instances.
 *
 * Errors and traps (weld/common.h): a fallible function returns weld_error_t * for misuse
 * or for something that cannot be done (bad input, an import the linker does not satisfy,
 * arguments of the wrong type); a guest failing at run time is a trap (the weld_trap_t **
 * out-parameter; code WELD_TRAP_COMPONENT for a broken Component Model rule, whose message
 * says which, e.g. "cannot enter component instance: it is already on the call stack").
 * After a trap inside a component instance, that instance cannot be entered again (every
 * later call of its exports traps), as the Component Model requires.
 *
 * Threads: a store (and everything in it) is used by one thread at a time.  Components,
 * InstancePres and weld_ctype_t views may be shared between threads; a linker may not be
 * modified while another thread instantiates through it. */
#ifndef WELD_COMPONENT_H
#define WELD_COMPONENT_H
#include "weld/common.h"
#include "weld/error.h"
#include "weld/module.h"
#include "weld/trap.h"
WELD_EXTERN_C_BEGIN

typedef struct weld_component weld_component_t;
typedef struct weld_ctype weld_ctype_t;
typedef struct weld_linker weld_linker_t;
typedef struct weld_linker_instance weld_linker_instance_t;
typedef struct weld_instance_pre weld_instance_pre_t;
typedef struct weld_cinstance weld_cinstance_t;
typedef struct weld_cfunc weld_cfunc_t;
typedef struct weld_resource_type weld_resource_type_t;
typedef struct weld_resource weld_resource_t;
typedef struct weld_resource_table weld_resource_table_t;
typedef struct weld_ccaller weld_ccaller_t;

/* An export index: a path of export positions (see weld_cinstance_export_index). */
typedef struct weld_export_index {
  uint32_t path[4]; /* implementation-defined */
} weld_export_index_t;

/* ======================================================================= components */

/* Decode, validate and compile a component binary (the embedded core modules are compiled
 * by `engine`).  A core module is rejected with a message saying so (use weld_module_new).
 * Errors carry the byte offset (weld_error_offset).  Like wasmtime, weld rejects at the
 * root of a component: component imports, component exports, and exporting one of the
 * root's imported functions again (directly or through an exported instance); a component
 * can wrap such a function (lift a lowered import) instead. */
WELD_API weld_error_t *weld_component_new(weld_engine_t *engine, const uint8_t *bytes, size_t len,
                                          WELD_OWN weld_component_t **out);
WELD_API weld_error_t *weld_component_from_file(weld_engine_t *engine, const char *path,
                                                WELD_OWN weld_component_t **out);
/* Releases the embedder's reference (instances and InstancePres keep their own). */
WELD_API void weld_component_delete(WELD_OWN weld_component_t *c);
/* The component's type (kind WELD_CTYPE_COMPONENT): its imports and exports.  Borrowed:
 * this and every weld_ctype_t reached from it live as long as the component. */
WELD_API const weld_ctype_t *weld_component_type(const weld_component_t *c);

/* Validation only (tools, conformance suites): decode and validate a component binary as
 * the Component Model specifies — without the root-level restrictions of
 * weld_component_new, which are about instantiation — and keep nothing.  NULL if valid;
 * unsupported features give errors starting "not supported: ".  `features` are
 * WELD_CFEATURE_* bits of optional features to accept (0: none). */
enum {
  WELD_CFEATURE_VALUES = 1u << 0, /* 🪙 value imports/exports/arguments and `start` */
};
WELD_API weld_error_t *weld_component_validate(weld_engine_t *engine, const uint8_t *bytes, size_t len,
                                               uint32_t features);

/* ======================================================================= types */

/* A weld_ctype_t is a read-only view of a type of one component (borrowed, valid while the
 * component lives).  Resource types are identified at run time by instance: a type view of
 * `own<r>` says that r is a resource, not which run-time resource type it stands for. */

typedef enum weld_ckind {
  WELD_CK_BOOL = 1,
  WELD_CK_S8, WELD_CK_U8, WELD_CK_S16, WELD_CK_U16, WELD_CK_S32, WELD_CK_U32, WELD_CK_S64, WELD_CK_U64,
  WELD_CK_F32, WELD_CK_F64,
  WELD_CK_CHAR,
  WELD_CK_STRING,
  WELD_CK_LIST,
  WELD_CK_RECORD,
  WELD_CK_TUPLE,
  WELD_CK_VARIANT,
  WELD_CK_ENUM,
  WELD_CK_OPTION,
  WELD_CK_RESULT,
  WELD_CK_FLAGS,
  WELD_CK_OWN,
  WELD_CK_BORROW,
  /* a value representation, not a type: list<T> of a number type T, packed (weld_cval_t) */
  WELD_CK_ARRAY,
  /* not value types: */
  WELD_CTYPE_FUNC = 64,
  WELD_CTYPE_INSTANCE,
  WELD_CTYPE_COMPONENT,
  WELD_CTYPE_RESOURCE,
  WELD_CTYPE_MODULE,     /* a core module (imports/exports as weld_module reflection) */
} weld_ckind_t;

WELD_API weld_ckind_t weld_ctype_kind(const weld_ctype_t *t);
/* Number of members: LIST/OPTION: 1 (the element/payload); RECORD/TUPLE: fields;
 * VARIANT: cases; ENUM/FLAGS: names; RESULT: 2 (ok, err); OWN/BORROW: 1 (the resource);
 * FUNC: parameters; INSTANCE/COMPONENT: exports (see weld_ctype_import_* for imports). */
WELD_API size_t weld_ctype_count(const weld_ctype_t *t);
/* i-th member's name (field, case, enum/flag name, parameter, export), NUL-terminated,
 * or NULL for members without names (tuple, list, option, result). */
WELD_API const char *weld_ctype_name(const weld_ctype_t *t, size_t i);
/* i-th member's type, or NULL when absent (payload-less variant case, result<_, E>'s ok,
 * enum and flags members). */
WELD_API const weld_ctype_t *weld_ctype_member(const weld_ctype_t *t, size_t i);
/* FUNC: results (0 or 1 in the component model; the count function exists for clarity). */
WELD_API size_t weld_ctype_result_count(const weld_ctype_t *t);
WELD_API const weld_ctype_t *weld_ctype_result(const weld_ctype_t *t, size_t i);
/* INSTANCE/COMPONENT imports (components only; instance types have no imports). */
WELD_API size_t weld_ctype_import_count(const weld_ctype_t *t);
WELD_API const char *weld_ctype_import_name(const weld_ctype_t *t, size_t i);
WELD_API const weld_ctype_t *weld_ctype_import(const weld_ctype_t *t, size_t i);
/* Look up an export of an INSTANCE/COMPONENT type by name; NULL if none. */
WELD_API const weld_ctype_t *weld_ctype_export(const weld_ctype_t *t, const char *name);
/* WIT-like rendering for messages, e.g. "func(a: u32, b: string) -> list<u8>"; owned (free
 * with weld_string_delete); NULL on allocation failure. */
WELD_API WELD_OWN char *weld_ctype_to_string(const weld_ctype_t *t);
WELD_API void weld_string_delete(WELD_OWN char *s);

/* ======================================================================= values */

/* A component value.  Aggregates own their members: free with weld_cval_drop.
 *   LIST / RECORD / TUPLE: `items` holds the elements / fields in type order / elements.
 *   ARRAY: a list<T> whose T is a number type (s8, u8, s16, u16, s32, u32, s64, u64, f32,
 *     f64), its elements packed in `array.ptr` as a C array of int8_t, uint8_t, ... double
 *     (`array.elem` says which: WELD_CK_S8 ... WELD_CK_F64).  weld gives every list of
 *     numbers it lifts (results, host function arguments) in this form, so a list<u8> is a
 *     byte buffer; as an argument or a host function's result, such a list may be given
 *     either way (ARRAY with the right elem, or LIST of items).
 *   VARIANT: `variant.index` is the case; `variant.payload` NULL if the case has none.
 *   ENUM: `index`.  OPTION: `option` NULL for none.  RESULT: `result.is_err`, payload or NULL.
 *   FLAGS: bit i of flags.bits[i / 32] is the i-th flag.
 *   STRING: UTF-8 bytes (not NUL-terminated; may contain any scalar value).
 *   CHAR: a Unicode scalar value.
 *   OWN / BORROW: a resource handle (see weld_resource_*). */
typedef struct weld_cval weld_cval_t;
struct weld_cval {
  weld_ckind_t kind;
  union {
    bool b;
    int8_t s8; uint8_t u8; int16_t s16; uint16_t u16;
    int32_t s32; uint32_t u32; int64_t s64; uint64_t u64;
    float f32; double f64;
    uint32_t ch;
    struct { char *ptr; size_t len; } str;
    struct { weld_cval_t *ptr; size_t len; } items;
    struct { void *ptr; size_t len; weld_ckind_t elem; } array;
    struct { uint32_t index; weld_cval_t *payload; } variant;
    uint32_t index;                              /* ENUM */
    weld_cval_t *option;                         /* OPTION: NULL = none */
    struct { bool is_err; weld_cval_t *payload; } result;
    struct { uint32_t *bits; size_t nwords; } flags;
    weld_resource_t *resource;                   /* OWN / BORROW */
  } of;
};

/* Ownership in calls: arguments passed to weld_cfunc_call are borrowed (the caller drops
 * them), except that `own` handles in them are moved into the guest; results are owned by
 * the caller.  A host function receives borrowed arguments (valid until it returns; `own`
 * handles among them become the host's: drop or forget them) and fills its results, which
 * weld takes.  A `borrow` argument given by the host may carry an own or a borrow handle.
 *
 * Builders (return false on allocation failure, leaving *v a valid empty value). */
WELD_API bool weld_cval_string(weld_cval_t *v, const char *utf8, size_t len);  /* copies */
WELD_API bool weld_cval_items(weld_cval_t *v, weld_ckind_t kind, size_t n);   /* n zeroed items */
WELD_API bool weld_cval_box(weld_cval_t **slot, const weld_cval_t *moved);   /* payload box */
WELD_API bool weld_cval_flags(weld_cval_t *v, size_t nflags);                 /* all clear */
/* An ARRAY of n numbers of kind elem (WELD_CK_S8 ... WELD_CK_F64), copied from data (n
 * elements of the matching C type), or zero if data is NULL.  False also for a bad elem. */
WELD_API bool weld_cval_array(weld_cval_t *v, weld_ckind_t elem, const void *data, size_t n);
/* Reading lists generically, whichever form they have: the number of elements of a LIST,
 * ARRAY, RECORD or TUPLE (0 for other kinds), and the i-th of them as a value (for an
 * ARRAY a number value built on the spot; otherwise a shallow copy of the item: a view, not
 * to be dropped).  False if i is out of range. */
WELD_API size_t weld_cval_len(const weld_cval_t *v);
WELD_API bool weld_cval_element(const weld_cval_t *v, size_t i, weld_cval_t *out);
/* Frees what v owns (recursively) and resets it; does not free v itself. */
WELD_API void weld_cval_drop(weld_cval_t *v);
/* Deep copy (resources are shared handles, not duplicated). */
WELD_API bool weld_cval_clone(weld_cval_t *dst, const weld_cval_t *src);
/* Checks that v has type t (kinds, counts, indices, char validity, UTF-8, flag bits); NULL
 * if so.  Resource identities are checked when the value is passed to a call. */
WELD_API weld_error_t *weld_cval_check(const weld_cval_t *v, const weld_ctype_t *t);

/* ======================================================================= resources */

/* A host-defined resource type.  dtor (may be NULL) runs when the last owned handle of a
 * resource of this type is dropped by a guest or by the host (weld_resource_drop), with
 * the rep given at creation.  Two calls make two distinct types. */
WELD_API WELD_OWN weld_resource_type_t *weld_resource_type_new(const char *debug_name,
                                                                void (*dtor)(void *env, uint32_t rep),
                                                                void *env);
WELD_API void weld_resource_type_delete(WELD_OWN weld_resource_type_t *t);

/* Handles.  A weld_resource_t lives until it is dropped (weld_resource_drop), forgotten
 * (weld_resource_forget), or moved into a guest (passing an `own` to a guest consumes the
 * weld_resource_t); a borrow received by a host function ends when the function returns.
 * Handles of guest-defined resources reach the host as results or arguments; their rep is
 * the guest's business (weld_resource_rep fails for them), and they must not be used (not
 * even dropped: forget them) after the store of the defining instance is deleted. */
WELD_API weld_resource_t *weld_resource_new_own(weld_store_t *store, weld_resource_type_t *t, uint32_t rep);
WELD_API weld_resource_t *weld_resource_new_borrow(weld_store_t *store, weld_resource_type_t *t, uint32_t rep);
WELD_API bool weld_resource_is_own(const weld_resource_t *r);
/* The host type of r, or NULL when r is a resource defined by a guest component. */
WELD_API weld_resource_type_t *weld_resource_host_type(const weld_resource_t *r);
/* The type of r, host- or guest-defined (borrowed: valid while r is).  A guest-defined
 * type is the run-time type of one component instance: compare it with
 * weld_cinstance_resource to tell which exported resource a handle is. */
WELD_API weld_resource_type_t *weld_resource_type(const weld_resource_t *r);
/* The rep of a host resource (error if r is a guest resource). */
WELD_API weld_error_t *weld_resource_rep(const weld_resource_t *r, uint32_t *rep);
/* Drops an owned handle: runs the destructor (host dtor, or the guest's destructor, which
 * may trap). */
WELD_API weld_error_t *weld_resource_drop(weld_store_t *store, weld_resource_t *r, WELD_OWN weld_trap_t **trap);
/* Releases a handle the host received without dropping the resource: no destructor runs
 * (the host keeps the rep and is responsible for it).  No effect on a borrow lent to a
 * running host function (it ends with the call). */
WELD_API void weld_resource_forget(WELD_OWN weld_resource_t *r);

/* A table mapping 32-bit handles to host objects, for host implementations of resources
 * (reps are its handles).  Parent/child links: deleting a parent that still has children
 * fails, as an embedder usually wants (e.g. a stream outliving its file). */
WELD_API WELD_OWN weld_resource_table_t *weld_resource_table_new(void);
WELD_API void weld_resource_table_delete(WELD_OWN weld_resource_table_t *t);
WELD_API weld_error_t *weld_resource_table_push(weld_resource_table_t *t, void *obj, uint32_t *handle);
WELD_API weld_error_t *weld_resource_table_push_child(weld_resource_table_t *t, void *obj, uint32_t parent,
                                                      uint32_t *handle);
/* NULL if handle is not live. */
WELD_API void *weld_resource_table_get(const weld_resource_table_t *t, uint32_t handle);
/* Removes handle and returns its object (NULL + error if unknown or it has children). */
WELD_API weld_error_t *weld_resource_table_delete_entry(weld_resource_table_t *t, uint32_t handle, void **obj);
WELD_API size_t weld_resource_table_children(const weld_resource_table_t *t, uint32_t handle,
                                             uint32_t *out, size_t cap);

/* ======================================================================= linker */

/* A dynamic host function: receives the arguments lifted to values (types from the
 * import's type: weld_ccaller_func_type), fills results (kinds preset to the result types;
 * the callee builds aggregates with the weld_cval_* builders; weld takes ownership).
 * Return NULL or a trap (weld_trap_new), which becomes the guest's trap.  A result of the
 * wrong type is a trap too.  The host may call into other component instances through
 * weld_ccaller_store (calling back into the instance that called it traps: "cannot enter
 * component instance"). */
typedef WELD_OWN weld_trap_t *(*weld_chost_fn_t)(void *env, weld_ccaller_t *caller,
                                                 const weld_cval_t *args, size_t nargs,
                                                 weld_cval_t *results, size_t nresults);
/* A flat host function for signatures made only of scalar types (bool, integers, floats,
 * char, enum, flags of <= 32 flags): arguments and results as 64-bit words in their
 * canonical-ABI flat form (i32 zero/sign per type, floats as bits).  No allocation.
 * Precisely: bool 0/1; s8/s16/s32/s64 sign-extended to 64 bits, u8..u64 zero-extended;
 * f32 as its 32 bits (zero-extended), f64 as its 64 bits (NaNs coming from a guest are
 * canonical); char a Unicode scalar value; enum the case index; flags the bit set.  A
 * result that is not a value of its type (a surrogate char, an enum index out of range,
 * an undeclared flag) is a trap. */
typedef WELD_OWN weld_trap_t *(*weld_chost_flat_fn_t)(void *env, weld_ccaller_t *caller,
                                                      const uint64_t *args, uint64_t *results);

/* A linker for components of `engine`.  Definitions are looked up by exact name, except
 * that an import named with a version, `ns:pkg/iface@1.2.3`, is also satisfied by a
 * definition of the same name with a semver-compatible version (same major version, or
 * same minor version for 0.x; the highest wins), as wasmtime does. */
WELD_API WELD_OWN weld_linker_t *weld_linker_new(weld_engine_t *engine);
WELD_API void weld_linker_delete(WELD_OWN weld_linker_t *l);
/* Later definitions with the same name replace earlier ones instead of failing (by
 * default, defining a name twice in one linker instance is an error). */
WELD_API void weld_linker_allow_shadowing(weld_linker_t *l, bool allow);
/* The root instance (borrowed, lives as long as the linker). */
WELD_API weld_linker_instance_t *weld_linker_root(weld_linker_t *l);
/* A nested instance `name` (created if absent), e.g. "wasi:cli/stdout@0.2.3"; instances
 * nest to any depth.  Borrowed: lives as long as the linker.  An instance import is
 * satisfied when every export its type declares is defined (extra definitions are fine);
 * an import of an instance that needs nothing (only value types and such instances) needs
 * no definition at all. */
WELD_API weld_error_t *weld_linker_instance(weld_linker_instance_t *parent, const char *name,
                                            weld_linker_instance_t **out);
/* Define a host function `name`.  A dynamic function takes the type of the import it is
 * linked to (weld_ccaller_func_type tells it), as wasmtime's func_new does.  A flat function
 * declares its scalar parameter and result kinds, checked against the import when a
 * component is pre-instantiated. */
WELD_API weld_error_t *weld_linker_func(weld_linker_instance_t *li, const char *name,
                                        weld_chost_fn_t fn, void *env, void (*finalizer)(void *));
WELD_API weld_error_t *weld_linker_func_flat(weld_linker_instance_t *li, const char *name,
                                             const weld_ckind_t *params, size_t nparams,
                                             const weld_ckind_t *results, size_t nresults,
                                             weld_chost_flat_fn_t fn, void *env, void (*finalizer)(void *));
/* Define a resource type import `name` as host type t (the linker keeps a reference).  An
 * import `(type (sub resource))` takes whatever type is defined; an import `(type (eq r))`
 * must be given the same type as r (or nothing). */
WELD_API weld_error_t *weld_linker_resource(weld_linker_instance_t *li, const char *name, weld_resource_type_t *t);
/* Define a core module import (the linker keeps a reference).  The module must belong to
 * the linker's engine, export what the import's module type declares (with those types)
 * and import only what it declares. */
WELD_API weld_error_t *weld_linker_module(weld_linker_instance_t *li, const char *name, weld_module_t *m);
/* Define `name` as an instance whose exports are those of a live component instance
 * (plugins importing each other).  Calls go directly from one component to the other
 * (values copied between the two instances' memories, handles moved between their
 * tables), without host values in between.  The exports are checked against the import's
 * type (functions by structural type, resources by identity); the importing component
 * must be instantiated in the same store.  `inst` lives as long as its store: the linker
 * definition and any InstancePre made with it must not be used after that store is
 * deleted.  Registering a named instance for later components, as the component
 * execution tests expect of `(component $name ...)`, is this call with "name". */
WELD_API weld_error_t *weld_linker_instance_from(weld_linker_instance_t *li, const char *name,
                                                 weld_cinstance_t *inst);
/* The same for an instance the live instance exports (found with weld_cinstance_export_index),
 * e.g. an interface `ns:pkg/iface` exported by one component and imported by another. */
WELD_API weld_error_t *weld_linker_instance_from_export(weld_linker_instance_t *li, const char *name,
                                                        weld_cinstance_t *inst, const weld_export_index_t *idx);
/* Define every import of c that the linker does not define: functions as functions that
 * trap when called (WELD_TRAP_HOST, naming the import by its path, e.g.
 * "wasi:random/random@0.2.3#get-random-bytes"), instances recursively (an instance the
 * linker defines, also under a semver-compatible name, is completed, not replaced),
 * resource types as fresh host types without destructor.  Core modules cannot be made up: a
 * missing module import still fails at instantiate_pre. */
WELD_API weld_error_t *weld_linker_define_unknown_imports_as_traps(weld_linker_t *l, const weld_component_t *c);

/* Resolve and type-check all imports of c once: the error names the import that is not
 * satisfied and why (e.g. "component imports `host#return-three`, but no function of
 * that name is defined").  The InstancePre keeps references to c and to what it found
 * in the linker, which may be changed or deleted afterwards. */
WELD_API weld_error_t *weld_linker_instantiate_pre(weld_linker_t *l, weld_component_t *c,
                                                   WELD_OWN weld_instance_pre_t **out);
WELD_API void weld_instance_pre_delete(WELD_OWN weld_instance_pre_t *p);
/* Instantiate in `store` (of the same engine): no name lookup or type checking happens
 * here.  An error if the store is wrong or memory runs out; a trap if a core module's
 * start function (or a segment initialisation) traps, in which case the instances created
 * so far stay in the store.  *out is borrowed from the store. */
WELD_API weld_error_t *weld_instance_pre_instantiate(weld_instance_pre_t *p, weld_store_t *store,
                                                     weld_cinstance_t **out, WELD_OWN weld_trap_t **trap);
/* instantiate_pre + instantiate. */
WELD_API weld_error_t *weld_linker_instantiate(weld_linker_t *l, weld_store_t *store, weld_component_t *c,
                                               weld_cinstance_t **out, WELD_OWN weld_trap_t **trap);

/* ======================================================================= instances */

/* An export index (declared at the top of this file): resolved once by name, then used for
 * fast repeated lookup.  An index found on one instance is valid for every instance of
 * the same component.  Exported instances nest up to 3 levels deep. */

/* Find export `name` inside `parent` (NULL = the instance's top level); false if none. */
WELD_API bool weld_cinstance_export_index(weld_cinstance_t *inst, const weld_export_index_t *parent,
                                          const char *name, weld_export_index_t *out);
/* NULL if the export is not of that kind. */
WELD_API weld_cfunc_t *weld_cinstance_func(weld_cinstance_t *inst, const weld_export_index_t *idx);
WELD_API weld_module_t *weld_cinstance_module(weld_cinstance_t *inst, const weld_export_index_t *idx);
/* An exported resource type (`resource r` of an exported interface, or of the instance):
 * the run-time type, defined by this instance or passed through from its imports.
 * Borrowed: lives as long as the store. */
WELD_API weld_resource_type_t *weld_cinstance_resource(weld_cinstance_t *inst, const weld_export_index_t *idx);
WELD_API const weld_ctype_t *weld_cinstance_export_type(weld_cinstance_t *inst, const weld_export_index_t *idx);
/* Convenience: a function by path, e.g. "wasi:cli/run@0.2.0#run" or "add" (nested
 * instance names separated by '#'); NULL if there is none. */
WELD_API weld_cfunc_t *weld_cinstance_func_by_name(weld_cinstance_t *inst, const char *path);

/* ======================================================================= functions */

/* The function's type (kind WELD_CTYPE_FUNC; borrowed, lives with the component). */
WELD_API const weld_ctype_t *weld_cfunc_type(const weld_cfunc_t *f);
/* Dynamic call: arguments are checked against the parameter types (error on mismatch,
 * nothing runs); results are owned by the caller (weld_cval_drop each).  post-return runs
 * automatically after the results are lifted.  Calling an instance that is already
 * running (a host function calling back into its caller) traps. */
WELD_API weld_error_t *weld_cfunc_call(weld_store_t *store, weld_cfunc_t *f,
                                       const weld_cval_t *args, size_t nargs,
                                       weld_cval_t *results, size_t nresults,
                                       WELD_OWN weld_trap_t **trap);
/* Typed fast path for scalar-only signatures (see weld_chost_flat_fn_t): check once with
 * weld_cfunc_is_flat, then call with flat words; no values are boxed.  args has one word
 * per parameter, results room for one word (if the function has a result).  An argument
 * that is not a value of its type is an error; the results are valid unless *trap. */
WELD_API bool weld_cfunc_is_flat(const weld_cfunc_t *f);
WELD_API weld_error_t *weld_cfunc_call_flat(weld_store_t *store, weld_cfunc_t *f,
                                            const uint64_t *args, uint64_t *results,
                                            WELD_OWN weld_trap_t **trap);

/* Inside a host function: the store of the calling instance, and the type of the import
 * as the calling component declared it (borrowed). */
WELD_API weld_store_t *weld_ccaller_store(weld_ccaller_t *caller);
WELD_API const weld_ctype_t *weld_ccaller_func_type(weld_ccaller_t *caller);

WELD_EXTERN_C_END
#endif
