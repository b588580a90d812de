/* arena.h — bump allocation for the WIT front end, plus growable arrays and a hash map
 * that live in an arena.
 *
 * Everything a parse or a resolved set owns (strings, AST nodes, arrays, maps) comes from
 * one arena and is released at once; a failed allocation sets a sticky `oom` flag and
 * returns NULL, so callers check once per construct.  Arrays use the VEC(T) shape of
 * base/vec.h ({data, len, cap}) so public headers can expose them directly. */
#ifndef WELD_WIT_ARENA_H
#define WELD_WIT_ARENA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wit_chunk wit_chunk_t;
typedef struct wit_arena {
  wit_chunk_t *head;
  size_t used, cap;
  bool oom;
} wit_arena_t;

/* memcpy that accepts (NULL, 0) */
static inline void wit_copy(void *d, const void *s, size_t n) {
  if (n) memcpy(d, s, n);
}

void *wit_alloc(wit_arena_t *a, size_t n);  /* 8-byte aligned, uninitialised */
void *wit_zalloc(wit_arena_t *a, size_t n); /* zeroed */
char *wit_strndup(wit_arena_t *a, const char *s, size_t n);
char *wit_strdup(wit_arena_t *a, const char *s);
char *wit_sprintf(wit_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wit_arena_free(wit_arena_t *a);

/* Grows an arena-backed array (old storage is simply abandoned). */
bool wit_vec_grow(wit_arena_t *a, void **data, size_t *cap, size_t elem, size_t need);
#define AVEC_RESERVE(a, v, n) \
  ((v)->len + (n) <= (v)->cap || wit_vec_grow(a, (void **)&(v)->data, &(v)->cap, sizeof(*(v)->data), (v)->len + (n)))
#define AVEC_PUSH(a, v, x) (AVEC_RESERVE(a, v, 1) ? ((v)->data[(v)->len++] = (x), true) : false)

/* A hash map from byte strings to uint32 values (keys are borrowed, not copied). */
typedef struct wit_map_slot {
  const void *key;
  uint32_t len, hash, val;
} wit_map_slot_t;
typedef struct wit_map {
  wit_map_slot_t *slots;
  uint32_t cap, count;
} wit_map_t;

#define WIT_MAP_MISSING UINT32_MAX
uint32_t wit_hash(const void *key, size_t len);
uint32_t wit_map_get(const wit_map_t *m, const void *key, size_t len);
/* Inserts key->val unless present; returns the previous value or WIT_MAP_MISSING.
 * On OOM sets a->oom and returns WIT_MAP_MISSING without inserting. */
uint32_t wit_map_put(wit_arena_t *a, wit_map_t *m, const void *key, size_t len, uint32_t val);
/* Overwrites (or inserts) key->val. */
void wit_map_set(wit_arena_t *a, wit_map_t *m, const void *key, size_t len, uint32_t val);
static inline uint32_t wit_map_gets(const wit_map_t *m, const char *s) { return wit_map_get(m, s, strlen(s)); }
static inline uint32_t wit_map_puts(wit_arena_t *a, wit_map_t *m, const char *s, uint32_t v) {
  return wit_map_put(a, m, s, strlen(s), v);
}

#endif
