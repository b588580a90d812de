/* fuzz_module.c — libFuzzer target for core modules: the binary decoder and module-level
 * validator (core spec §5, §3.4), then, when the runtime is built in (WELD_FUZZ_RUNTIME),
 * the whole public path: weld_module_new (validate + compile), and for modules without
 * imports weld_instance_new (segment initialisation and the start function, under fuel
 * and memory/table limits so that no input can hang or exhaust the fuzzer).
 * Build and run: see tests/fuzz/README.md. */
#include "core/module.h"
#include "weld.h"
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  core_module_t *m = NULL;
  weld_error_t *err = core_decode(data, size, &m);
  if (err) {
    /* Every error must have a message and, for binary input, an offset within it. */
    if (!weld_error_message(err)[0]) __builtin_trap();
    size_t off = weld_error_offset(err);
    if (off != (size_t)-1 && off > size) __builtin_trap();
    weld_error_delete(err);
    return 0;
  }
  /* Pointers the decoder hands out must stay inside its copy of the input. */
  for (uint32_t i = 0; i < m->ncodes; i++)
    if (m->codes[i].body < m->bytes || m->codes[i].body + m->codes[i].body_len > m->bytes + m->len)
      __builtin_trap();
  core_module_free(m);

#if WELD_FUZZ_RUNTIME
  static weld_engine_t *engine;
  if (!engine) engine = weld_engine_new(NULL);
  weld_module_t *mod = NULL;
  err = weld_module_new(engine, data, size, &mod);
  if (err) {
    weld_error_delete(err);
    return 0;
  }
  if (weld_module_import_count(mod) == 0) {
    weld_store_t *store = weld_store_new(engine);
    weld_store_set_fuel(store, 100000);
    weld_store_set_memory_limit(store, 64u << 20);
    weld_store_set_table_limit(store, 1u << 16);
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    err = weld_instance_new(store, mod, NULL, 0, &inst, &trap);
    weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    weld_store_delete(store);
  }
  weld_module_delete(mod);
#endif
  return 0;
}
