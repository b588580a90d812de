/* res.c — a C test guest for resources in the component runtime (built by rebuild.sh with
 * clang for wasm32, no libc, then made a component of world `res` in res.wit).
 *
 * Both kinds of resources cross the boundary, in both directions:
 *   - `blob` is defined by the HOST (imported from test:res/host): the guest creates blobs
 *     ([constructor]blob, make-blob), calls their methods, passes them to the host
 *     ([static]blob.merge, results) and receives them (own and borrow parameters, a list of
 *     owns, an option of a borrow), dropping every handle it is done with;
 *   - `counter` is defined by the GUEST (exported in test:res/api): resource.new makes its
 *     handles, [dtor]counter runs when the last owned handle is dropped.
 * The Canonical ABI is written by hand (CanonicalABI.md "Handle types", canon resource.new /
 * resource.drop / resource.rep): a method of the guest's own resource receives the rep for
 * `self` (a borrow of a type the instance defines lowers to its rep), an `own<counter>`
 * parameter arrives as a handle index, and a borrow of a host blob arrives as a handle index
 * that must be dropped before the export returns.  Each counter's rep is 1000 + its slot, so
 * that a handle index mistaken for a rep (or the reverse) traps here. */
#include <stddef.h>
#include <stdint.h>

#define HOST(n) __attribute__((import_module("test:res/host"), import_name(n)))
#define INTRINSIC(n) __attribute__((import_module("[export]test:res/api"), import_name(n)))
#define EXPORT(n) __attribute__((export_name("test:res/api#" n)))

/* ---------------------------------------------------------------- allocation */

extern unsigned char __heap_base;
static uintptr_t heap_top;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = p + new_size;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have) {
    size_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
  }
  heap_top = end;
  if (old && old_size) __builtin_memcpy((void *)p, old, old_size < new_size ? old_size : new_size);
  return (void *)p;
}

static uint32_t retarea[4];
#define RET ((int32_t)(uintptr_t)retarea)

/* ---------------------------------------------------------------- the host's blob */

HOST("[constructor]blob") int32_t blob_new(int32_t ptr, int32_t len);
HOST("[method]blob.size") int32_t blob_size(int32_t self);
HOST("[method]blob.get") int32_t blob_get(int32_t self, int32_t i);
HOST("[static]blob.merge") int32_t blob_merge(int32_t a, int32_t b);
HOST("[resource-drop]blob") void blob_drop(int32_t h);
HOST("make-blob") int32_t make_blob(int32_t n);

/* ---------------------------------------------------------------- the guest's counter */

INTRINSIC("[resource-new]counter") int32_t counter_handle_new(int32_t rep);
INTRINSIC("[resource-rep]counter") int32_t counter_handle_rep(int32_t h);
INTRINSIC("[resource-drop]counter") void counter_handle_drop(int32_t h);

#define NCOUNTERS 64
#define REP0 1000
static struct {
  uint32_t value;
  uint32_t used;
} counters[NCOUNTERS];
static uint32_t live;

/* The slot of a rep; traps on anything that is not a live counter's rep. */
static uint32_t slot(int32_t rep) {
  uint32_t s = (uint32_t)rep - REP0;
  if (s >= NCOUNTERS || !counters[s].used) __builtin_trap();
  return s;
}

/* A new counter: its own handle. */
static int32_t counter_make(uint32_t value) {
  for (uint32_t s = 0; s < NCOUNTERS; s++)
    if (!counters[s].used) {
      counters[s].used = 1;
      counters[s].value = value;
      live++;
      return counter_handle_new((int32_t)(REP0 + s));
    }
  __builtin_trap();
}

EXPORT("[constructor]counter") int32_t counter_ctor(int32_t start) { return counter_make((uint32_t)start); }

EXPORT("[dtor]counter") void counter_dtor(int32_t rep) {
  counters[slot(rep)].used = 0;
  live--;
}

EXPORT("[method]counter.add") int32_t counter_add(int32_t self, int32_t n) {
  return (int32_t)(counters[slot(self)].value += (uint32_t)n);
}

EXPORT("[method]counter.get") int32_t counter_get(int32_t self) { return (int32_t)counters[slot(self)].value; }

/* `other` is an own handle of the guest's own type: resource.rep finds the counter,
 * resource.drop ends it (and calls [dtor]counter directly, within this instance). */
EXPORT("[method]counter.absorb") int32_t counter_absorb(int32_t self, int32_t other) {
  uint32_t v = counters[slot(counter_handle_rep(other))].value;
  counter_handle_drop(other);
  return (int32_t)(counters[slot(self)].value += v);
}

/* `b` is a borrowed host blob: a handle index, dropped before returning. */
EXPORT("[method]counter.add-size") int32_t counter_add_size(int32_t self, int32_t b) {
  uint32_t n = (uint32_t)blob_size(b);
  blob_drop(b);
  return (int32_t)(counters[slot(self)].value += n);
}

EXPORT("[method]counter.fork") int32_t counter_fork(int32_t self) { return counter_make(counters[slot(self)].value); }

/* borrows of the guest's own type: both are reps */
EXPORT("[static]counter.sum") int32_t counter_sum(int32_t a, int32_t b) {
  return (int32_t)(counters[slot(a)].value + counters[slot(b)].value);
}

EXPORT("live-counters") int32_t live_counters(void) { return (int32_t)live; }

/* ---------------------------------------------------------------- host blobs through the guest */

EXPORT("new-blob") int32_t exp_new_blob(int32_t n) {
  uint8_t *bytes = cabi_realloc(0, 0, 1, (size_t)n);
  for (int32_t i = 0; i < n; i++) bytes[i] = (uint8_t)i;
  return blob_new((int32_t)(uintptr_t)bytes, n); /* the own handle moves to the caller */
}

EXPORT("fetch-blob") int32_t exp_fetch_blob(int32_t n) { return make_blob(n); }

EXPORT("consume") int32_t exp_consume(int32_t b) {
  int32_t n = blob_size(b);
  blob_drop(b); /* the last own handle: the host's destructor runs */
  return n;
}

EXPORT("peek") int32_t exp_peek(int32_t b, int32_t i) {
  int32_t v = blob_get(b, i);
  blob_drop(b); /* a borrow handle must be gone before the call returns */
  return v;
}

EXPORT("merge") int32_t exp_merge(int32_t a, int32_t b) { return blob_merge(a, b); }

/* list<own<blob>>: (pointer, length) of handle indices in this guest's memory */
EXPORT("total") int32_t exp_total(int32_t ptr, int32_t len) {
  const int32_t *h = (const int32_t *)(uintptr_t)ptr;
  int32_t sum = 0;
  for (int32_t i = 0; i < len; i++) {
    sum += blob_size(h[i]);
    blob_drop(h[i]);
  }
  return sum;
}

/* option<borrow<blob>> -> option<u32>: two flat results, so through a return area
 * (discriminant byte at 0, payload at 4) */
EXPORT("maybe-size") int32_t exp_maybe_size(int32_t is_some, int32_t b) {
  retarea[0] = 0;
  if (is_some) {
    retarea[0] = 1;
    retarea[1] = (uint32_t)blob_size(b);
    blob_drop(b);
  }
  return RET;
}

static int32_t kept; /* an own blob handle kept across calls (0: none) */

EXPORT("keep") void exp_keep(int32_t b) {
  if (kept) blob_drop(kept);
  kept = b;
}

EXPORT("give") int32_t exp_give(void) {
  retarea[0] = kept ? 1 : 0;
  retarea[1] = (uint32_t)kept;
  kept = 0;
  return RET;
}

/* ---------------------------------------------------------------- misuse (each traps but 2) */

static int32_t stashed; /* a borrow handle index remembered past its call */

EXPORT("misuse") int32_t exp_misuse(int32_t how, int32_t is_some, int32_t b) {
  int32_t h;
  switch (how) {
  case 0: /* an own handle used after it was dropped */
    h = make_blob(1);
    blob_drop(h);
    return blob_size(h);
  case 1: /* the lent borrow is not dropped before returning */
    return is_some;
  case 2: /* remember the borrow's index (dropped correctly) ... */
    stashed = b;
    if (is_some) blob_drop(b);
    return stashed;
  case 3: /* ... and use it in a later call */
    return blob_size(stashed);
  case 4: /* resource.rep of the wrong resource type */
    return counter_handle_rep(b);
  case 5: /* a borrow dropped twice */
    blob_drop(b);
    blob_drop(b);
    return 0;
  case 6: /* a borrow given where the host takes an own */
    return blob_merge(b, make_blob(1));
  case 7: /* a counter handle dropped as a blob */
    h = counter_make(1);
    blob_drop(h);
    return 0;
  default:
    __builtin_trap();
  }
}
