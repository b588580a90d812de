/* engine.c — the engine (weld/engine.h): configuration defaults and the engine-wide
 * registry of canonical function types.
 *
 * Function types are "hash-consed": structurally equal types (core spec §2.3.5 "Function
 * Types"; equality as used by call_indirect §4.4.7 and import matching §4.5.2) get the
 * same small integer id, so those checks are one integer comparison.  The registry is an
 * append-only array plus an open-addressing hash table of ids, guarded by a mutex because
 * modules of one engine may be compiled on several threads. */
#include "base/alloc.h"
#include "base/limits.h"
#include "core/runtime.h"
#include <string.h>

weld_engine_t *weld_engine_new(const weld_config_t *config) {
  weld_engine_t *e = base_calloc(1, sizeof *e);
  if (!e) return NULL;
  if (config) e->config = *config;
  if (!e->config.value_stack_slots) e->config.value_stack_slots = WELD_DEFAULT_VALUE_STACK_SLOTS;
  if (!e->config.max_call_depth) e->config.max_call_depth = WELD_DEFAULT_CALL_DEPTH;
  if (pthread_mutex_init(&e->types_lock, NULL) != 0) {
    base_free(e, sizeof *e);
    return NULL;
  }
  if (pthread_mutex_init(&e->pool_lock, NULL) != 0) {
    pthread_mutex_destroy(&e->types_lock);
    base_free(e, sizeof *e);
    return NULL;
  }
  return e;
}

void weld_engine_delete(weld_engine_t *e) {
  if (!e) return;
  for (uint32_t i = 0; i < e->ncanon; i++) {
    core_functype_t *t = &e->canon_types[i];
    base_free(t->types, (size_t)t->nparams + t->nresults);
  }
  base_free(e->canon_types, (size_t)e->canon_cap * sizeof *e->canon_types);
  base_free(e->type_buckets, (size_t)e->nbuckets * sizeof *e->type_buckets);
  pthread_mutex_destroy(&e->types_lock);
  core_memory_pool_drain(e);
  pthread_mutex_destroy(&e->pool_lock);
  base_free(e, sizeof *e);
}

size_t core_engine_stack_slots(const weld_engine_t *e) { return e->config.value_stack_slots; }
uint32_t core_engine_call_depth(const weld_engine_t *e) { return e->config.max_call_depth; }

/* FNV-1a over the shape of the type. */
static uint32_t type_hash(const core_functype_t *t) {
  uint32_t h = 2166136261u;
  uint32_t n = t->nparams + t->nresults;
  uint32_t hdr[2] = {t->nparams, t->nresults};
  const uint8_t *p = (const uint8_t *)hdr;
  for (size_t i = 0; i < sizeof hdr; i++) h = (h ^ p[i]) * 16777619u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ t->types[i]) * 16777619u;
  return h;
}

static bool same_type(const core_functype_t *a, const core_functype_t *b) {
  if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
  size_t n = (size_t)a->nparams + a->nresults;
  return n == 0 || memcmp(a->types, b->types, n) == 0;
}

/* Rebuild the hash table with room for at least `want` entries (load <= 1/2). */
static bool rehash(weld_engine_t *e, uint32_t want) {
  uint32_t nb = e->nbuckets ? e->nbuckets : 64;
  while (nb / 2 < want) {
    if (nb > (UINT32_MAX >> 2)) return false;
    nb *= 2;
  }
  if (nb == e->nbuckets) return true;
  uint32_t *b = base_alloc((size_t)nb * sizeof *b);
  if (!b) return false;
  memset(b, 0xff, (size_t)nb * sizeof *b);
  for (uint32_t id = 0; id < e->ncanon; id++) {
    uint32_t i = type_hash(&e->canon_types[id]) & (nb - 1);
    while (b[i] != UINT32_MAX) i = (i + 1) & (nb - 1);
    b[i] = id;
  }
  base_free(e->type_buckets, (size_t)e->nbuckets * sizeof *e->type_buckets);
  e->type_buckets = b;
  e->nbuckets = nb;
  return true;
}

static uint32_t intern_locked(weld_engine_t *e, const core_functype_t *t) {
  uint32_t h = type_hash(t);
  if (e->nbuckets) {
    for (uint32_t i = h & (e->nbuckets - 1);; i = (i + 1) & (e->nbuckets - 1)) {
      uint32_t id = e->type_buckets[i];
      if (id == UINT32_MAX) break;
      if (same_type(&e->canon_types[id], t)) return id;
    }
  }
  if (e->ncanon >= UINT32_MAX - 1) return UINT32_MAX;
  if (!rehash(e, e->ncanon + 1)) return UINT32_MAX;
  if (e->ncanon == e->canon_cap) {
    uint32_t ncap = e->canon_cap ? e->canon_cap * 2 : 32;
    if (ncap < e->canon_cap) return UINT32_MAX;
    core_functype_t *nt = base_realloc(e->canon_types, (size_t)e->canon_cap * sizeof *nt,
                                       (size_t)ncap * sizeof *nt);
    if (!nt) return UINT32_MAX;
    e->canon_types = nt;
    e->canon_cap = ncap;
  }
  size_t n = (size_t)t->nparams + t->nresults;
  uint8_t *types = base_alloc(n);
  if (!types) return UINT32_MAX;
  if (n) memcpy(types, t->types, n);
  uint32_t id = e->ncanon++;
  e->canon_types[id] = (core_functype_t){t->nparams, t->nresults, types};
  uint32_t i = h & (e->nbuckets - 1);
  while (e->type_buckets[i] != UINT32_MAX) i = (i + 1) & (e->nbuckets - 1);
  e->type_buckets[i] = id;
  return id;
}

uint32_t core_engine_type_id(weld_engine_t *e, const core_functype_t *t) {
  if (!e || !t) return UINT32_MAX;
  pthread_mutex_lock(&e->types_lock);
  uint32_t id = intern_locked(e, t);
  pthread_mutex_unlock(&e->types_lock);
  return id;
}
