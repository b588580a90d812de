/* weld/memory.h — linear memories. */
#ifndef WELD_MEMORY_H
#define WELD_MEMORY_H
#include "weld/common.h"
#include "weld/val.h"
WELD_EXTERN_C_BEGIN

/* A new memory owned by the store (limits in 64 KiB pages). */
WELD_API weld_error_t *weld_memory_new(weld_store_t *store, weld_limits_t limits, weld_memory_t **out);
WELD_API weld_limits_t weld_memory_type(const weld_memory_t *m);
/* Base address and size in bytes.  The base address stays the same when the memory grows. */
WELD_API uint8_t *weld_memory_data(weld_memory_t *m);
WELD_API size_t weld_memory_size(const weld_memory_t *m);
WELD_API uint64_t weld_memory_pages(const weld_memory_t *m);
/* Grow by delta pages; returns the old size in pages, or -1 if it cannot grow. */
WELD_API int64_t weld_memory_grow(weld_memory_t *m, uint64_t delta);

WELD_EXTERN_C_END
#endif
