/* weld/instance.h — module instances and the extern values that flow in and out of them. */
#ifndef WELD_INSTANCE_H
#define WELD_INSTANCE_H
#include "weld/common.h"
#include "weld/module.h"
#include "weld/trap.h"
WELD_EXTERN_C_BEGIN

typedef struct weld_extern {
  weld_externkind_t kind;
  union {
    weld_func_t *func;
    weld_table_t *table;
    weld_memory_t *memory;
    weld_global_t *global;
  } of;
} weld_extern_t;

/* Instantiate m in store.  imports[i] provides the i-th import of m (in the module's import
 * order).  Returns an error if the imports do not match (count, kind or type: "incompatible
 * import type ..."), or if instantiation fails before running code; returns NULL and sets
 * *trap if a segment initialisation or the start function trapped (the partially
 * initialised instance's effects on shared memories/tables stay, as the spec requires). */
WELD_API weld_error_t *weld_instance_new(weld_store_t *store, weld_module_t *m,
                                         const weld_extern_t *imports, size_t nimports,
                                         weld_instance_t **out, WELD_OWN weld_trap_t **trap);
/* Export by name; false if there is none. */
WELD_API bool weld_instance_export(weld_instance_t *inst, const char *name, size_t name_len,
                                   weld_extern_t *out);
WELD_API size_t weld_instance_export_count(const weld_instance_t *inst);
/* i-th export in module order; name borrowed. */
WELD_API void weld_instance_export_nth(weld_instance_t *inst, size_t i, const char **name,
                                       size_t *name_len, weld_extern_t *out);
WELD_API weld_module_t *weld_instance_module(const weld_instance_t *inst);

WELD_EXTERN_C_END
#endif
