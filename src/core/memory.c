/* memory.c — linear memories (core spec §4.2.8 "Memory Instances", §4.5.3.3 "Growing
 * memories", memory.grow §4.4.7) and weld/memory.h.
 *
 * Layout.  On 64-bit POSIX hosts a memory reserves CORE_GUARD_RESERVE bytes of address
 * space up front (mmap PROT_NONE, MAP_NORESERVE) and makes the accessible prefix
 * readable/writable as it grows (mprotect).  The base never moves, and since an i32
 * address plus a u32 offset plus the access width stays inside the reservation, any
 * out-of-bounds access faults; the execution engine's signal handler turns such a fault
 * into a trap after asking core_addr_in_guarded_memory.  Such a memory is `guarded`.
 *
 * Fallback (engine config bounds_checks, 32-bit hosts, or when the big reservation is
 * refused): reserve only the maximum the memory may reach (the type's maximum, or 4 GiB,
 * halved until the reservation succeeds but never below the minimum) the same way; the base
 * still never moves, accesses are bounds-checked explicitly (guarded = false), and
 * growing past the reservation fails like any other failed memory.grow (§4.4.7 allows
 * memory.grow to fail at any time).  Fresh anonymous pages are zero, so grown pages need
 * no clearing.
 *
 * Pool.  Mapping, protecting and unmapping an 8 GiB reservation costs more than the rest of
 * instantiating a small component, so a freed guarded memory's reservation goes to a pool
 * in its engine (up to WELD_MEMORY_POOL of them): its accessible prefix is zeroed (memset
 * when small, madvise(MADV_DONTNEED) otherwise, which gives the pages back) and kept
 * readable/writable; a new guarded memory takes one and only adjusts the protection of
 * the difference between the old and the new size. */
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include "core/runtime.h"
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_NORESERVE
#define MAP_NORESERVE 0
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

#define PAGE ((uint64_t)WELD_WASM_PAGE_SIZE)

static void *reserve(size_t bytes) {
  if (bytes == 0) bytes = (size_t)PAGE; /* a valid, inaccessible base for empty memories */
  void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

/* A guarded reservation of CORE_GUARD_RESERVE bytes whose first `init` bytes are readable,
 * writable and zero: from the engine's pool, or freshly mapped. */
static uint8_t *guarded_take(weld_engine_t *e, size_t init) {
  uint8_t *base = NULL;
  size_t rw = 0;
  pthread_mutex_lock(&e->pool_lock);
  if (e->npool) {
    e->npool--;
    base = e->pool[e->npool].base;
    rw = e->pool[e->npool].rw;
  }
  pthread_mutex_unlock(&e->pool_lock);
  if (!base) {
    base = reserve(CORE_GUARD_RESERVE);
    if (!base) return NULL;
  }
  int ok = 0;
  if (init > rw) ok = mprotect(base + rw, init - rw, PROT_READ | PROT_WRITE);
  else if (init < rw) ok = mprotect(base + init, rw - init, PROT_NONE);
  if (ok != 0) {
    munmap(base, CORE_GUARD_RESERVE);
    return NULL;
  }
  return base;
}

/* Gives a guarded reservation back: to the pool, zeroed, or to the system. */
static void guarded_release(weld_engine_t *e, uint8_t *base, size_t size) {
  bool zeroed = size <= WELD_MEMORY_POOL_MEMSET ? (memset(base, 0, size), true)
                                                : madvise(base, size, MADV_DONTNEED) == 0;
  if (zeroed) {
    pthread_mutex_lock(&e->pool_lock);
    bool kept = e->npool < WELD_MEMORY_POOL;
    if (kept) e->pool[e->npool++] = (struct core_pooled_mem){base, size};
    pthread_mutex_unlock(&e->pool_lock);
    if (kept) return;
  }
  munmap(base, CORE_GUARD_RESERVE);
}

void core_memory_pool_drain(weld_engine_t *e) {
  for (uint32_t i = 0; i < e->npool; i++) munmap(e->pool[i].base, CORE_GUARD_RESERVE);
  e->npool = 0;
}

/* Make [from, to) of the reservation readable and writable. */
static bool commit(weld_memory_t *mem, uint64_t from, uint64_t to) {
  if (to <= from) return true;
  return mprotect(mem->base + from, (size_t)(to - from), PROT_READ | PROT_WRITE) == 0;
}

/* Is the store's total within its limit after adding `bytes`? */
static bool store_allows(const weld_store_t *s, uint64_t bytes) {
  if (!s->memory_limit) return true;
  return s->memory_used <= s->memory_limit && bytes <= s->memory_limit - s->memory_used;
}

weld_error_t *core_memory_new(weld_store_t *store, const core_memtype_t *mt, weld_memory_t **out) {
  *out = NULL;
  const core_limits_t *l = &mt->limits;
  if (l->min > WELD_MAX_PAGES32 || (l->has_max && l->max > WELD_MAX_PAGES32))
    return base_error("memory size must be at most 65536 pages (4 GiB)");
  if (l->has_max && l->max < l->min) return base_error("size minimum must not be greater than maximum");
  uint64_t max_pages = l->has_max ? l->max : WELD_MAX_PAGES32;
  uint64_t init = l->min * PAGE;
  if (!store_allows(store, init))
    return base_error("memory limit exceeded: %llu bytes requested, store limit %llu bytes (%llu in use)",
                      (unsigned long long)init, (unsigned long long)store->memory_limit,
                      (unsigned long long)store->memory_used);
  if (!VEC_RESERVE(&store->mems, 1)) return base_error_oom();
  weld_memory_t *mem = base_calloc(1, sizeof *mem);
  if (!mem) return base_error_oom();
  mem->type = *mt;
  mem->store = store;
  mem->max_pages = max_pages;

  bool try_guard = sizeof(void *) >= 8 && !store->engine->config.bounds_checks;
  if (try_guard) {
    mem->base = guarded_take(store->engine, (size_t)init);
    if (mem->base) {
      mem->reserved = CORE_GUARD_RESERVE;
      mem->guarded = true;
      mem->size = init;
      store->memory_used += init;
      store->mems.data[store->mems.len++] = mem;
      *out = mem;
      return NULL;
    }
  }
  if (!mem->base) {
    /* Unguarded: reserve the most this memory may ever use, shrinking on refusal. */
    uint64_t want = max_pages * PAGE; /* address space only: costs no memory */
    for (;;) {
      if (want <= SIZE_MAX) mem->base = reserve((size_t)want);
      if (mem->base || want <= init) break;
      want = want / 2 / PAGE * PAGE;
      if (want < init) want = init;
    }
    if (!mem->base) {
      base_free(mem, sizeof *mem);
      return base_error("cannot reserve %llu bytes of address space for a memory",
                        (unsigned long long)init);
    }
    mem->reserved = want ? (size_t)want : (size_t)PAGE;
    if (want / PAGE < mem->max_pages) mem->max_pages = want / PAGE;
  }
  if (!commit(mem, 0, init)) {
    munmap(mem->base, mem->reserved);
    base_free(mem, sizeof *mem);
    return base_error("out of memory allocating %llu bytes of linear memory", (unsigned long long)init);
  }
  mem->size = init;
  store->memory_used += init;
  store->mems.data[store->mems.len++] = mem;
  *out = mem;
  return NULL;
}

void core_memory_free(weld_memory_t *mem) {
  if (!mem) return;
  if (mem->base && mem->guarded) guarded_release(mem->store->engine, mem->base, (size_t)mem->size);
  else if (mem->base) munmap(mem->base, mem->reserved);
  base_free(mem, sizeof *mem);
}

int64_t core_memory_grow(weld_memory_t *mem, uint64_t delta) {
  uint64_t old_pages = mem->size / PAGE;
  if (delta == 0) return (int64_t)old_pages;
  if (delta > WELD_MAX_PAGES32 || old_pages + delta > mem->max_pages) return -1;
  uint64_t new_size = (old_pages + delta) * PAGE;
  if (!mem->guarded && new_size > mem->reserved) return -1; /* (guarded: max_pages suffices) */
  if (!store_allows(mem->store, delta * PAGE)) return -1;
  if (!commit(mem, mem->size, new_size)) return -1;
  mem->size = new_size;
  mem->store->memory_used += delta * PAGE;
  return (int64_t)old_pages;
}

bool core_addr_in_guarded_memory(const weld_store_t *store, const void *addr) {
  if (!store) return false;
  uintptr_t a = (uintptr_t)addr;
  for (size_t i = 0; i < store->mems.len; i++) {
    const weld_memory_t *m = store->mems.data[i];
    if (m->guarded && a >= (uintptr_t)m->base && a - (uintptr_t)m->base < m->reserved) return true;
  }
  return false;
}

/* ---------------------------------------------------------------- public API */

weld_error_t *weld_memory_new(weld_store_t *store, weld_limits_t limits, weld_memory_t **out) {
  if (!out) return base_error("weld_memory_new: invalid argument");
  *out = NULL;
  if (!store) return base_error("weld_memory_new: invalid argument");
  if (limits.has_max && limits.max < limits.min)
    return base_error("size minimum must not be greater than maximum");
  core_memtype_t mt = {{limits.min, limits.has_max ? limits.max : 0, limits.has_max}};
  return core_memory_new(store, &mt, out);
}

weld_limits_t weld_memory_type(const weld_memory_t *m) {
  /* The current type: the minimum is the current size (§4.5.2 "external types"). */
  weld_limits_t l = {m->size / PAGE, m->type.limits.max, m->type.limits.has_max};
  if (!l.has_max) l.max = 0;
  return l;
}

uint8_t *weld_memory_data(weld_memory_t *m) { return m->base; }
size_t weld_memory_size(const weld_memory_t *m) { return (size_t)m->size; }
uint64_t weld_memory_pages(const weld_memory_t *m) { return m->size / PAGE; }
int64_t weld_memory_grow(weld_memory_t *m, uint64_t delta) { return m ? core_memory_grow(m, delta) : -1; }
