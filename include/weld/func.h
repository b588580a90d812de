/* weld/func.h — functions: wasm functions exported by instances, and host functions. */
#ifndef WELD_FUNC_H
#define WELD_FUNC_H
#include "weld/common.h"
#include "weld/val.h"
#include "weld/trap.h"
#include "weld/instance.h"
WELD_EXTERN_C_BEGIN

/* A host function.  args has the parameter count and kinds of the type; the callback fills
 * results (kinds preset).  Return NULL on success, or a trap (weld_trap_new) to stop the
 * guest; the trap is propagated to the outermost caller. */
typedef WELD_OWN weld_trap_t *(*weld_host_fn_t)(void *env, weld_caller_t *caller,
                                                const weld_val_t *args, size_t nargs,
                                                weld_val_t *results, size_t nresults);

/* finalizer (may be NULL) runs on env when the store is deleted. */
WELD_API weld_func_t *weld_func_new(weld_store_t *store, const weld_functype_t *type,
                                    weld_host_fn_t fn, void *env, void (*finalizer)(void *));
/* Borrowed; valid while the store lives. */
WELD_API const weld_functype_t *weld_func_type(const weld_func_t *f);

/* Call f.  Returns an error for misuse (wrong argument count or kinds, wrong store);
 * otherwise runs f: on a trap *trap is set (owned by caller) and results are unspecified,
 * else *trap is NULL and results are filled. */
WELD_API weld_error_t *weld_func_call(weld_store_t *store, weld_func_t *f,
                                      const weld_val_t *args, size_t nargs,
                                      weld_val_t *results, size_t nresults,
                                      WELD_OWN weld_trap_t **trap);

/* Inside a host function: the instance whose code made the call (NULL when called from
 * the embedder directly), its store, and its exports by name. */
WELD_API weld_instance_t *weld_caller_instance(weld_caller_t *caller);
WELD_API weld_store_t *weld_caller_store(weld_caller_t *caller);
WELD_API bool weld_caller_export(weld_caller_t *caller, const char *name, weld_extern_t *out);

WELD_EXTERN_C_END
#endif
