/* util.c — bump arena and hash tables for the component stages (see util.h). */
#include "component/util.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <string.h>

struct comp_chunk {
  comp_chunk_t *next;
  size_t size; /* bytes of data[] */
  _Alignas(8) unsigned char data[];
};

#define CHUNK_MIN (64u * 1024u)

void *comp_arena_alloc(comp_arena_t *a, size_t n) {
  size_t need = (n + 7) & ~(size_t)7;
  if (need < n) return NULL;
  if (!a->head || a->head->size - a->used < need) {
    size_t cap = a->cap ? a->cap : WELD_MAX_COMPONENT_TYPE_MEM;
    size_t size = need > CHUNK_MIN ? need : CHUNK_MIN;
    /* Grow chunk sizes with the arena so that big components use few chunks. */
    if (a->total / 4 > size) size = a->total / 4;
    if (size > cap || a->total > cap - size) {
      if (need > cap || a->total > cap - need) return NULL;
      size = need;
    }
    comp_chunk_t *c = base_alloc(sizeof *c + size);
    if (!c) return NULL;
    c->next = a->head;
    c->size = size;
    a->head = c;
    a->used = 0;
    a->total += size;
  }
  void *p = a->head->data + a->used;
  a->used += need;
  memset(p, 0, need ? need : 0);
  return p;
}

void *comp_arena_array(comp_arena_t *a, size_t count, size_t size) {
  size_t n;
  if (!base_mul_ok(count, size, &n)) return NULL;
  return comp_arena_alloc(a, n);
}

void *comp_arena_dup(comp_arena_t *a, const void *p, size_t n) {
  void *q = comp_arena_alloc(a, n);
  if (q && n) memcpy(q, p, n);
  return q;
}

void comp_arena_free(comp_arena_t *a) {
  comp_chunk_t *c = a->head;
  while (c) {
    comp_chunk_t *next = c->next;
    base_free(c, sizeof *c + c->size);
    c = next;
  }
  a->head = NULL;
  a->used = a->total = 0;
}

/* ---------------------------------------------------------------- u32 map */

static uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

static bool map_grow(comp_map_t *m) {
  uint32_t ncap = m->cap ? m->cap * 2 : 16;
  if (ncap < m->cap) return false;
  uint32_t *keys = base_alloc((size_t)ncap * sizeof *keys);
  uint32_t *vals = base_alloc((size_t)ncap * sizeof *vals);
  if (!keys || !vals) {
    base_free(keys, (size_t)ncap * sizeof *keys);
    base_free(vals, (size_t)ncap * sizeof *vals);
    return false;
  }
  memset(keys, 0xff, (size_t)ncap * sizeof *keys);
  for (uint32_t i = 0; i < m->cap; i++) {
    if (m->keys[i] == UINT32_MAX) continue;
    uint32_t h = hash32(m->keys[i]) & (ncap - 1);
    while (keys[h] != UINT32_MAX) h = (h + 1) & (ncap - 1);
    keys[h] = m->keys[i];
    vals[h] = m->vals[i];
  }
  base_free(m->keys, (size_t)m->cap * sizeof *keys);
  base_free(m->vals, (size_t)m->cap * sizeof *vals);
  m->keys = keys;
  m->vals = vals;
  m->cap = ncap;
  return true;
}

bool comp_map_put(comp_map_t *m, uint32_t key, uint32_t val) {
  if ((m->len + 1) * 2 > m->cap && !map_grow(m)) return false;
  uint32_t h = hash32(key) & (m->cap - 1);
  while (m->keys[h] != UINT32_MAX && m->keys[h] != key) h = (h + 1) & (m->cap - 1);
  if (m->keys[h] == UINT32_MAX) {
    m->keys[h] = key;
    m->len++;
  }
  m->vals[h] = val;
  return true;
}

bool comp_map_get(const comp_map_t *m, uint32_t key, uint32_t *val) {
  if (!m->cap) return false;
  uint32_t h = hash32(key) & (m->cap - 1);
  while (m->keys[h] != UINT32_MAX) {
    if (m->keys[h] == key) {
      if (val) *val = m->vals[h];
      return true;
    }
    h = (h + 1) & (m->cap - 1);
  }
  return false;
}

void comp_map_clear(comp_map_t *m) {
  if (m->cap) memset(m->keys, 0xff, (size_t)m->cap * sizeof *m->keys);
  m->len = 0;
}

void comp_map_free(comp_map_t *m) {
  base_free(m->keys, (size_t)m->cap * sizeof *m->keys);
  base_free(m->vals, (size_t)m->cap * sizeof *m->vals);
  memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- string set */

static uint32_t hash_bytes(const char *p, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
  return hash32(h ^ n);
}

static bool strset_grow(comp_strset_t *s) {
  uint32_t ncap = s->cap ? s->cap * 2 : 16;
  if (ncap < s->cap) return false;
  const char **ptrs = base_calloc(ncap, sizeof *ptrs);
  uint32_t *lens = base_alloc((size_t)ncap * sizeof *lens);
  uint32_t *vals = base_alloc((size_t)ncap * sizeof *vals);
  if (!ptrs || !lens || !vals) {
    base_free(ptrs, (size_t)ncap * sizeof *ptrs);
    base_free(lens, (size_t)ncap * sizeof *lens);
    base_free(vals, (size_t)ncap * sizeof *vals);
    return false;
  }
  for (uint32_t i = 0; i < s->cap; i++) {
    if (!s->ptrs[i]) continue;
    uint32_t h = hash_bytes(s->ptrs[i], s->lens[i]) & (ncap - 1);
    while (ptrs[h]) h = (h + 1) & (ncap - 1);
    ptrs[h] = s->ptrs[i];
    lens[h] = s->lens[i];
    vals[h] = s->vals[i];
  }
  base_free(s->ptrs, (size_t)s->cap * sizeof *s->ptrs);
  base_free(s->lens, (size_t)s->cap * sizeof *s->lens);
  base_free(s->vals, (size_t)s->cap * sizeof *s->vals);
  s->ptrs = ptrs;
  s->lens = lens;
  s->vals = vals;
  s->cap = ncap;
  return true;
}

/* Empty strings are stored with a non-NULL pointer so that NULL can mark empty slots. */
static const char g_empty[1] = "";

bool comp_strset_add(comp_strset_t *s, const char *p, uint32_t n, uint32_t val, uint32_t *prev, bool *oom) {
  if (oom) *oom = false;
  if (!p) p = g_empty;
  if ((s->len + 1) * 2 > s->cap && !strset_grow(s)) {
    if (oom) *oom = true;
    return false;
  }
  uint32_t h = hash_bytes(p, n) & (s->cap - 1);
  while (s->ptrs[h]) {
    if (s->lens[h] == n && memcmp(s->ptrs[h], p, n) == 0) {
      if (prev) *prev = s->vals[h];
      return false;
    }
    h = (h + 1) & (s->cap - 1);
  }
  s->ptrs[h] = p;
  s->lens[h] = n;
  s->vals[h] = val;
  s->len++;
  return true;
}

bool comp_strset_find(const comp_strset_t *s, const char *p, uint32_t n, uint32_t *val) {
  if (!s->cap) return false;
  if (!p) p = g_empty;
  uint32_t h = hash_bytes(p, n) & (s->cap - 1);
  while (s->ptrs[h]) {
    if (s->lens[h] == n && memcmp(s->ptrs[h], p, n) == 0) {
      if (val) *val = s->vals[h];
      return true;
    }
    h = (h + 1) & (s->cap - 1);
  }
  return false;
}

void comp_strset_free(comp_strset_t *s) {
  base_free(s->ptrs, (size_t)s->cap * sizeof *s->ptrs);
  base_free(s->lens, (size_t)s->cap * sizeof *s->lens);
  base_free(s->vals, (size_t)s->cap * sizeof *s->vals);
  memset(s, 0, sizeof *s);
}
