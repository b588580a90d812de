/* store.c — the store (core spec §4.2.3 "Store"; weld/store.h): owner of every runtime
 * object created in it, plus the execution limits the interpreter reads (fuel, interrupt
 * flag) and the resource limits applied when memories and tables are created or grown. */
#include "base/alloc.h"
#include "core/runtime.h"

weld_store_t *weld_store_new(weld_engine_t *engine) {
  if (!engine) return NULL;
  weld_store_t *s = base_calloc(1, sizeof *s);
  if (!s) return NULL;
  s->engine = engine;
  atomic_init(&s->interrupt, 0);
  return s;
}

void weld_store_delete(weld_store_t *s) {
  if (!s) return;
  if (s->thread) core_thread_free(s->thread);
  s->thread = NULL;
  if (s->cm_state_free) s->cm_state_free(s->cm_state);
  s->cm_state = NULL;
  /* Host functions first: finalizers may still look at memories (through their env). */
  for (size_t i = 0; i < s->funcs.len; i++) core_host_func_free(s->funcs.data[i]);
  for (size_t i = 0; i < s->instances.len; i++) core_instance_free(s->instances.data[i]);
  for (size_t i = 0; i < s->mems.len; i++) core_memory_free(s->mems.data[i]);
  for (size_t i = 0; i < s->tables.len; i++) core_table_free(s->tables.data[i]);
  for (size_t i = 0; i < s->globals.len; i++) base_free(s->globals.data[i], sizeof(weld_global_t));
  VEC_FREE(&s->funcs);
  VEC_FREE(&s->instances);
  VEC_FREE(&s->mems);
  VEC_FREE(&s->tables);
  VEC_FREE(&s->globals);
  base_free(s, sizeof *s);
}

weld_engine_t *weld_store_engine(const weld_store_t *s) { return s ? s->engine : NULL; }

void weld_store_set_fuel(weld_store_t *s, uint64_t fuel) {
  s->fuel_enabled = true;
  s->fuel = fuel;
}
uint64_t weld_store_get_fuel(const weld_store_t *s) { return s->fuel_enabled ? s->fuel : UINT64_MAX; }
void weld_store_disable_fuel(weld_store_t *s) {
  s->fuel_enabled = false;
  s->fuel = 0;
}

void weld_store_interrupt(weld_store_t *s) { atomic_store_explicit(&s->interrupt, 1, memory_order_relaxed); }
void weld_store_clear_interrupt(weld_store_t *s) { atomic_store_explicit(&s->interrupt, 0, memory_order_relaxed); }

void weld_store_set_memory_limit(weld_store_t *s, uint64_t bytes) { s->memory_limit = bytes; }
void weld_store_set_table_limit(weld_store_t *s, uint64_t elems) { s->table_limit = elems; }
