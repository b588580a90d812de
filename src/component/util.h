/* util.h — storage helpers shared by the component stages (decode, types, validate):
 * a bump arena that frees everything at once, and two small open-addressing hash tables
 * (u32 -> u32 and a set of byte strings).
 *
 * The arena backs a decoded component's syntax tree and its type arena (types.h): both
 * live exactly as long as the root component, so nothing in them is freed separately.
 * Its total size is capped (WELD_MAX_COMPONENT_TYPE_MEM) so that no input can make
 * validation allocate without bound (type substitution creates types). */
#ifndef WELD_COMPONENT_UTIL_H
#define WELD_COMPONENT_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct comp_chunk comp_chunk_t;
typedef struct comp_arena {
  comp_chunk_t *head; /* newest chunk first */
  size_t used;        /* bytes used in head */
  size_t total;       /* bytes of all chunks */
  size_t cap;         /* maximum total (0 = WELD_MAX_COMPONENT_TYPE_MEM) */
} comp_arena_t;

/* Zeroed, 8-byte aligned memory that lives until comp_arena_free; NULL when out of memory
 * or over the cap.  n == 0 returns a valid non-NULL pointer. */
void *comp_arena_alloc(comp_arena_t *a, size_t n);
/* comp_arena_alloc(count * size) with overflow checking. */
void *comp_arena_array(comp_arena_t *a, size_t count, size_t size);
void *comp_arena_dup(comp_arena_t *a, const void *p, size_t n);
void comp_arena_free(comp_arena_t *a);

/* u32 -> u32 map; UINT32_MAX cannot be a key. */
typedef struct comp_map {
  uint32_t *keys, *vals;
  uint32_t cap, len; /* cap is 0 or a power of two */
} comp_map_t;
bool comp_map_put(comp_map_t *m, uint32_t key, uint32_t val); /* replaces; false on OOM */
bool comp_map_get(const comp_map_t *m, uint32_t key, uint32_t *val);
static inline bool comp_map_has(const comp_map_t *m, uint32_t key) { return comp_map_get(m, key, NULL); }
void comp_map_clear(comp_map_t *m); /* keeps the storage */
void comp_map_free(comp_map_t *m);

/* Set of byte strings (not copied: they must outlive the set). */
typedef struct comp_strset {
  const char **ptrs;
  uint32_t *lens;
  uint32_t *vals; /* value stored with each string */
  uint32_t cap, len;
} comp_strset_t;
/* Inserts s with value val; if an equal string is present, returns false and sets *prev to
 * its value (nothing inserted).  On OOM returns false and sets *oom. */
bool comp_strset_add(comp_strset_t *s, const char *p, uint32_t n, uint32_t val, uint32_t *prev, bool *oom);
bool comp_strset_find(const comp_strset_t *s, const char *p, uint32_t n, uint32_t *val);
void comp_strset_free(comp_strset_t *s);

#endif
