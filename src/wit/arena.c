/* arena.c — bump allocator, arena-backed arrays and hash map for the WIT front end
 * (see arena.h). */
#include "wit/arena.h"
#include "base/alloc.h"
#include <stdarg.h>
#include <stdio.h>

struct wit_chunk {
  wit_chunk_t *next;
  size_t size;
  max_align_t data[];
};

#define WIT_CHUNK_MIN (32u * 1024u)

void *wit_alloc(wit_arena_t *a, size_t n) {
  n = (n + 7) & ~(size_t)7;
  if (n == 0) n = 8;
  if (a->head && a->cap - a->used >= n) {
    void *p = (char *)a->head->data + a->used;
    a->used += n;
    return p;
  }
  if (a->oom) return NULL;
  size_t size = n > WIT_CHUNK_MIN ? n : WIT_CHUNK_MIN;
  if (a->head && a->head->size * 2 > size && a->head->size < (1u << 22)) size = a->head->size * 2;
  size_t total;
  if (!base_add_ok(sizeof(wit_chunk_t), size, &total)) {
    a->oom = true;
    return NULL;
  }
  wit_chunk_t *c = base_alloc(total);
  if (!c) {
    a->oom = true;
    return NULL;
  }
  c->size = size;
  if (n > WIT_CHUNK_MIN && a->head && a->cap - a->used > WIT_CHUNK_MIN / 4) {
    /* A big one-off request: keep using the current chunk for small ones. */
    c->next = a->head->next;
    a->head->next = c;
    return c->data;
  }
  c->next = a->head;
  a->head = c;
  a->cap = size;
  a->used = n;
  return c->data;
}

void *wit_zalloc(wit_arena_t *a, size_t n) {
  void *p = wit_alloc(a, n);
  if (p) memset(p, 0, n);
  return p;
}

char *wit_strndup(wit_arena_t *a, const char *s, size_t n) {
  char *p = wit_alloc(a, n + 1);
  if (!p) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *wit_strdup(wit_arena_t *a, const char *s) { return s ? wit_strndup(a, s, strlen(s)) : NULL; }

char *wit_sprintf(wit_arena_t *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = wit_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

void wit_arena_free(wit_arena_t *a) {
  wit_chunk_t *c = a->head;
  while (c) {
    wit_chunk_t *next = c->next;
    base_free(c, sizeof(wit_chunk_t) + c->size);
    c = next;
  }
  a->head = NULL;
  a->used = a->cap = 0;
  a->oom = false;
}

bool wit_vec_grow(wit_arena_t *a, void **data, size_t *cap, size_t elem, size_t need) {
  if (need <= *cap) return true;
  size_t ncap = *cap ? *cap * 2 : 4;
  if (ncap < need) ncap = need;
  size_t bytes;
  if (!base_mul_ok(ncap, elem, &bytes)) {
    a->oom = true;
    return false;
  }
  void *p = wit_alloc(a, bytes);
  if (!p) return false;
  if (*cap) memcpy(p, *data, *cap * elem);
  *data = p;
  *cap = ncap;
  return true;
}

/* FNV-1a */
uint32_t wit_hash(const void *key, size_t len) {
  const uint8_t *p = key;
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  return h;
}

static wit_map_slot_t *map_find(const wit_map_t *m, const void *key, uint32_t len, uint32_t hash) {
  if (!m->cap) return NULL;
  uint32_t mask = m->cap - 1;
  for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
    wit_map_slot_t *s = &m->slots[i];
    if (!s->key) return s;
    if (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0) return s;
  }
}

uint32_t wit_map_get(const wit_map_t *m, const void *key, size_t len) {
  if (!m->cap) return WIT_MAP_MISSING;
  wit_map_slot_t *s = map_find(m, key, (uint32_t)len, wit_hash(key, len));
  return s->key ? s->val : WIT_MAP_MISSING;
}

static bool map_grow(wit_arena_t *a, wit_map_t *m) {
  uint32_t ncap = m->cap ? m->cap * 2 : 16;
  wit_map_slot_t *slots = wit_zalloc(a, sizeof(wit_map_slot_t) * ncap);
  if (!slots) return false;
  wit_map_t n = {slots, ncap, 0};
  for (uint32_t i = 0; i < m->cap; i++) {
    wit_map_slot_t *s = &m->slots[i];
    if (!s->key) continue;
    *map_find(&n, s->key, s->len, s->hash) = *s;
    n.count++;
  }
  *m = n;
  return true;
}

static wit_map_slot_t *map_slot(wit_arena_t *a, wit_map_t *m, const void *key, size_t len) {
  if ((m->count + 1) * 4 >= m->cap * 3 && !map_grow(a, m)) return NULL;
  static const char empty[1] = "";
  return map_find(m, len ? key : empty, (uint32_t)len, wit_hash(key, len));
}

uint32_t wit_map_put(wit_arena_t *a, wit_map_t *m, const void *key, size_t len, uint32_t val) {
  static const char empty[1] = "";
  if (!len) key = empty;
  wit_map_slot_t *s = map_slot(a, m, key, len);
  if (!s) return WIT_MAP_MISSING;
  if (s->key) return s->val;
  s->key = key;
  s->len = (uint32_t)len;
  s->hash = wit_hash(key, len);
  s->val = val;
  m->count++;
  return WIT_MAP_MISSING;
}

void wit_map_set(wit_arena_t *a, wit_map_t *m, const void *key, size_t len, uint32_t val) {
  static const char empty[1] = "";
  if (!len) key = empty;
  wit_map_slot_t *s = map_slot(a, m, key, len);
  if (!s) return;
  if (!s->key) {
    s->key = key;
    s->len = (uint32_t)len;
    s->hash = wit_hash(key, len);
    m->count++;
  }
  s->val = val;
}
