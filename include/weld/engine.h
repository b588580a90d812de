/* weld/engine.h — the engine: shared configuration and compiled-code owner.  One engine
 * may be used by many stores; it is safe to share across threads. */
#ifndef WELD_ENGINE_H
#define WELD_ENGINE_H
#include "weld/common.h"
WELD_EXTERN_C_BEGIN

/* Allocation hook used by all of weld (process-wide; install before creating engines).
 * Shaped like Lua's: new_size == 0 frees ptr and returns NULL; otherwise behaves like
 * realloc.  old_size is the previous size of ptr, or 0 when unknown.  NULL fn restores
 * the default (libc realloc/free). */
typedef void *(*weld_realloc_fn)(void *ud, void *ptr, size_t old_size, size_t new_size);
WELD_API void weld_set_allocator(weld_realloc_fn fn, void *ud);

/* Optional WebAssembly features beyond the 2.0 standard.  All are enabled by default;
 * set bits in weld_config_t.disabled_features to reject modules that use them. */
enum {
  WELD_FEATURE_MULTI_MEMORY = 1u << 0, /* more than one memory per module */
};

typedef struct weld_config {
  size_t value_stack_slots;  /* 8-byte slots per call stack; 0 = default (1 Mi slots) */
  uint32_t max_call_depth;   /* wasm frames before "call stack exhausted"; 0 = default */
  bool bounds_checks;        /* force explicit bounds checks instead of guard pages */
  uint32_t disabled_features; /* WELD_FEATURE_* bits; 0 = everything weld supports */
} weld_config_t;

/* config may be NULL for defaults. */
WELD_API WELD_OWN weld_engine_t *weld_engine_new(const weld_config_t *config);
WELD_API void weld_engine_delete(WELD_OWN weld_engine_t *engine);

WELD_EXTERN_C_END
#endif
