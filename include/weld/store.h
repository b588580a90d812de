/* weld/store.h — a store: the world of runtime objects (instances, functions, memories,
 * tables, globals) one guest program lives in.  A store is used by one thread at a time;
 * only weld_store_interrupt may be called from another thread. */
#ifndef WELD_STORE_H
#define WELD_STORE_H
#include "weld/common.h"
WELD_EXTERN_C_BEGIN

WELD_API WELD_OWN weld_store_t *weld_store_new(weld_engine_t *engine);
WELD_API void weld_store_delete(WELD_OWN weld_store_t *store);
WELD_API weld_engine_t *weld_store_engine(const weld_store_t *store);

/* Fuel: when enabled, every entry into a wasm function (a call from wasm, and the
 * embedder's own call through weld_func_call and the component API) and every loop
 * iteration (a backward branch taken) consumes one unit; an entry or iteration with no
 * fuel left traps with WELD_TRAP_OUT_OF_FUEL instead.  Disabled (unlimited) by default. */
WELD_API void weld_store_set_fuel(weld_store_t *store, uint64_t fuel);
WELD_API uint64_t weld_store_get_fuel(const weld_store_t *store);
WELD_API void weld_store_disable_fuel(weld_store_t *store);

/* Ask running guest code to stop with WELD_TRAP_INTERRUPT.  Safe from any thread and from
 * signal handlers.  The request stays pending until weld_store_clear_interrupt. */
WELD_API void weld_store_interrupt(weld_store_t *store);
WELD_API void weld_store_clear_interrupt(weld_store_t *store);

/* Upper bound on the total bytes of linear memory in this store (0 = no limit beyond the
 * types').  memory.grow beyond it returns -1; instantiation beyond it fails. */
WELD_API void weld_store_set_memory_limit(weld_store_t *store, uint64_t bytes);
/* Upper bound on the elements of any table (0 = no limit beyond the types'). */
WELD_API void weld_store_set_table_limit(weld_store_t *store, uint64_t elems);

WELD_EXTERN_C_END
#endif
