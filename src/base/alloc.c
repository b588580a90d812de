/* alloc.c — the allocation hook (see alloc.h). */
#include "base/alloc.h"
#include "weld/engine.h"
#include <stdlib.h>
#include <string.h>

static void *default_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

static weld_realloc_fn g_realloc = default_realloc;
static void *g_ud;

void weld_set_allocator(weld_realloc_fn fn, void *ud) {
  g_realloc = fn ? fn : default_realloc;
  g_ud = fn ? ud : NULL;
}

void *base_realloc(void *ptr, size_t old_size, size_t new_size) {
  return g_realloc(g_ud, ptr, old_size, new_size);
}
void *base_alloc(size_t size) { return g_realloc(g_ud, NULL, 0, size ? size : 1); }
void *base_calloc(size_t n, size_t size) {
  size_t total;
  if (!base_mul_ok(n, size, &total)) return NULL;
  void *p = base_alloc(total);
  if (p) memset(p, 0, total ? total : 1);
  return p;
}
void base_free(void *ptr, size_t size) {
  if (ptr) g_realloc(g_ud, ptr, size, 0);
}
char *base_strndup(const char *s, size_t n) {
  char *p = base_alloc(n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}
char *base_strdup(const char *s) { return base_strndup(s, strlen(s)); }
