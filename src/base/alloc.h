/* alloc.h — the single allocation hook every part of weld goes through.
 *
 * An embedder may install its own function (weld_set_allocator in weld/engine.h) to cap
 * memory or count allocations; tests use it to fail the Nth allocation.  The hook has
 * Lua's shape: realloc(ud, ptr, old_size, new_size); new_size == 0 frees. */
#ifndef WELD_BASE_ALLOC_H
#define WELD_BASE_ALLOC_H
#include <stddef.h>
#include <stdint.h>

void *base_realloc(void *ptr, size_t old_size, size_t new_size);
void *base_alloc(size_t size);          /* NULL on failure */
void *base_calloc(size_t n, size_t size); /* zeroed; NULL on failure or overflow */
void base_free(void *ptr, size_t size);  /* size may be 0 when unknown */
char *base_strdup(const char *s);
char *base_strndup(const char *s, size_t n);

/* Checked size arithmetic for sizes that come from input. Return 0 on overflow. */
static inline int base_mul_ok(size_t a, size_t b, size_t *out) {
  if (b && a > SIZE_MAX / b) return 0;
  *out = a * b;
  return 1;
}
static inline int base_add_ok(size_t a, size_t b, size_t *out) {
  if (a > SIZE_MAX - b) return 0;
  *out = a + b;
  return 1;
}
#endif
