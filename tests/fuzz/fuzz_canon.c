/* fuzz_canon.c — libFuzzer target for the Canonical ABI (src/component/layout.c, lift.c,
 * lower.c, strings.c, resources.c, transfer.c): the input chooses a value type (every kind,
 * nested), the string encodings of two instances, the bytes of the source instance's linear
 * memory, flat core values, pointers, and how the destination's realloc misbehaves.  Then:
 * lift_flat and load from the source; when they succeed, the lifted value must type-check
 * (comp_cval_check), lower into the destination and lift back equal; transfer_flat and
 * transfer_mem from source to destination must trap or succeed without any sanitizer
 * report; lift_values with spilling.  Handles: the source's table holds a few own and
 * borrow handles of one resource type.
 * Build and run: see tests/fuzz/README.md. */
#include "../component/cval_util.h"
#include "base/alloc.h"
#include "component/abi.h"
#include "weld.h"
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct rd {
  const uint8_t *p;
  size_t n, i;
} rd_t;
static uint8_t byte(rd_t *r) { return r->i < r->n ? r->p[r->i++] : 0; }
static uint32_t u32(rd_t *r) {
  uint32_t x = byte(r);
  x |= (uint32_t)byte(r) << 8;
  x |= (uint32_t)byte(r) << 16;
  return x | (uint32_t)byte(r) << 24;
}

/* ---------------------------------------------------------------- types from bytes */

static comp_types_t T;
static comp_arena_t A;
static int g_budget;
static comp_typeid_t g_res;

static comp_typeid_t add(comp_type_t *t) {
  comp_typeid_t id;
  weld_error_t *e = comp_type_add(&T, t, 0, &id);
  if (e) {
    weld_error_delete(e);
    return COMP_PRIM_U8;
  }
  return id;
}

static const comp_name_t g_name = {"x", 1};

static comp_typeid_t gen(rd_t *r, int depth) {
  uint8_t b = byte(r);
  if (--g_budget <= 0 || depth > 6) return b % COMP_PRIM_COUNT;
  int k = b % 24;
  if (k < COMP_PRIM_COUNT) return (comp_typeid_t)k;
  comp_type_t t;
  memset(&t, 0, sizeof t);
  uint32_t n = 1 + byte(r) % 4;
  switch (k) {
  case 13: t.kind = COMP_T_LIST, t.u.elem = gen(r, depth + 1); break;
  case 14:
  case 15: {
    comp_labeled_t *it = comp_arena_array(&A, n, sizeof *it);
    if (!it) return COMP_PRIM_U8;
    for (uint32_t i = 0; i < n; i++) {
      it[i].name = g_name;
      it[i].type = k == 15 && byte(r) % 3 == 0 ? COMP_NO_TYPE : gen(r, depth + 1);
    }
    t.kind = k == 14 ? COMP_T_RECORD : COMP_T_VARIANT;
    t.u.fields.n = n;
    t.u.fields.items = it;
    break;
  }
  case 16: {
    comp_typeid_t *ts = comp_arena_array(&A, n, sizeof *ts);
    if (!ts) return COMP_PRIM_U8;
    for (uint32_t i = 0; i < n; i++) ts[i] = gen(r, depth + 1);
    t.kind = COMP_T_TUPLE, t.u.tuple.n = byte(r) % 8 == 0 ? 0 : n, t.u.tuple.types = ts;
    break;
  }
  case 17:
  case 18: {
    uint32_t m = k == 17 && byte(r) % 4 == 0 ? 257 + byte(r) : 1 + byte(r) % 32;
    comp_name_t *ns = comp_arena_array(&A, m, sizeof *ns);
    if (!ns) return COMP_PRIM_U8;
    for (uint32_t i = 0; i < m; i++) ns[i] = g_name;
    t.kind = k == 17 ? COMP_T_ENUM : COMP_T_FLAGS, t.u.labels.n = m, t.u.labels.names = ns;
    break;
  }
  case 19: t.kind = COMP_T_OPTION, t.u.elem = gen(r, depth + 1); break;
  case 20:
    t.kind = COMP_T_RESULT;
    t.u.result.ok = byte(r) & 1 ? gen(r, depth + 1) : COMP_NO_TYPE;
    t.u.result.err = byte(r) & 1 ? gen(r, depth + 1) : COMP_NO_TYPE;
    break;
  case 21:
  case 22: t.kind = k == 21 ? COMP_T_OWN : COMP_T_BORROW, t.u.resource = g_res; break;
  default: t.kind = COMP_T_LIST, t.u.elem = COMP_PRIM_U8 + byte(r) % 11; break;
  }
  return add(&t);
}

/* ---------------------------------------------------------------- equality */



/* ---------------------------------------------------------------- realloc */

typedef struct bump {
  weld_memory_t *mem;
  uint32_t next, mode;
} bump_t;

static weld_trap_t *host_realloc(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                                 weld_val_t *results, size_t nresults) {
  (void)caller, (void)nargs, (void)nresults;
  bump_t *b = env;
  uint32_t old = (uint32_t)args[0].of.i32, osz = (uint32_t)args[1].of.i32, al = (uint32_t)args[2].of.i32;
  uint32_t nsz = (uint32_t)args[3].of.i32;
  uint32_t p;
  switch (b->mode % 8) {
  case 1: p = b->next | 1; break;                                /* misaligned */
  case 2: p = (uint32_t)weld_memory_size(b->mem) - 1; break;      /* out of bounds */
  case 3: p = 0xfffffff0u; break;                                 /* wraps */
  case 4: return weld_trap_new(WELD_TRAP_HOST, "realloc refuses"); /* traps */
  default: {
    uint64_t q = ((uint64_t)b->next + al - 1) & ~(uint64_t)(al ? al - 1 : 0);
    if (q + nsz > weld_memory_size(b->mem)) {
      uint64_t pages = (q + nsz - weld_memory_size(b->mem) + 65535) / 65536;
      if (weld_memory_grow(b->mem, pages) < 0) {
        p = 0xfffffff0u;
        break;
      }
    }
    p = (uint32_t)q;
    if (osz && old < weld_memory_size(b->mem))
      memmove(weld_memory_data(b->mem) + p, weld_memory_data(b->mem) + old,
              osz < nsz ? (old + (uint64_t)osz <= weld_memory_size(b->mem) ? osz : 0) : nsz);
    b->next = p + nsz;
    break;
  }
  }
  results[0] = weld_val_i32((int32_t)p);
  return NULL;
}

/* ---------------------------------------------------------------- the target */

static weld_resource_type_t *g_rt;
static weld_resource_type_t *resolve(void *env, uint32_t rid) {
  (void)env, (void)rid;
  return g_rt;
}

#define NSLOTS 64

static void drop_lifted(weld_cval_t *v, comp_abi_call_t *call) {
  comp_cval_discard(v);
  (void)call;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static weld_engine_t *engine;
  static weld_functype_t *rtype;
  if (!engine) {
    engine = weld_engine_new(NULL);
    weld_valkind_t p[4] = {WELD_I32, WELD_I32, WELD_I32, WELD_I32}, r = WELD_I32;
    rtype = weld_functype_new(p, 4, &r, 1);
  }
  rd_t r = {data, size, 0};
  weld_store_t *store = weld_store_new(engine);
  weld_store_set_memory_limit(store, 16u << 20);
  weld_limits_t lim = {1, 4, true};
  weld_memory_t *ma = NULL, *mb = NULL;
  if (weld_memory_new(store, lim, &ma) || weld_memory_new(store, lim, &mb)) __builtin_trap();
  bump_t ba = {ma, 1024, 0}, bb = {mb, 1024, 0};
  weld_func_t *ra = weld_func_new(store, rtype, host_realloc, &ba, NULL);
  weld_func_t *rb = weld_func_new(store, rtype, host_realloc, &bb, NULL);

  memset(&A, 0, sizeof A);
  comp_types_init(&T, &A);
  comp_type_fresh_resource(&T, 0, &g_res);
  g_budget = 40;
  comp_typeid_t t = gen(&r, 0);
  comp_typeid_t t2 = gen(&r, 0);
  comp_layouts_t L;
  comp_layouts_init(&L, &T);

  comp_abi_inst_t ia, ib;
  comp_abi_inst_init(&ia, store);
  comp_abi_inst_init(&ib, store);
  ia.resource_type = ib.resource_type = resolve;
  g_rt = comp_rtype_new_guest(&ia, NULL, "r");
  comp_abi_opts_t oa = {ma, ra, NULL, (uint8_t)(byte(&r) % 3)}, ob = {mb, rb, NULL, (uint8_t)(byte(&r) % 3)};
  uint8_t rmode = byte(&r);
  for (int i = 0; i < 4; i++) {
    uint32_t h;
    weld_trap_t *tr = comp_resource_new(&ia, g_rt, 100 + (uint32_t)i, &h);
    if (tr) weld_trap_delete(tr);
  }
  comp_abi_call_t task, sub_a, sub_b;
  comp_abi_call_init(&task, &ia);
  uint32_t bh;
  weld_resource_type_t *other = comp_rtype_new_guest(&ib, NULL, "other");
  weld_trap_t *tr = comp_handle_lower_borrow(&ia, &task, other, 7, &bh);
  if (tr) weld_trap_delete(tr);
  comp_rtype_unref(other); /* the handle keeps its own reference */

  core_slot_t in[NSLOTS], out[NSLOTS];
  for (int i = 0; i < NSLOTS; i++) in[i].u64 = byte(&r) & 1 ? u32(&r) : (uint64_t)u32(&r) << 32 | u32(&r);
  uint32_t ptr = u32(&r) % 70000;
  /* the rest of the input is the source memory */
  if (r.i < r.n) memcpy(weld_memory_data(ma), r.p + r.i, r.n - r.i < 65536 ? r.n - r.i : 65536);
  bb.mode = rmode & 0x80 ? rmode : 0;

  comp_abi_call_init(&sub_a, &ia);
  comp_abi_call_init(&sub_b, &ib);
  comp_abi_cx_t ca = {&L, &oa, &ia, &sub_a, 0}, cb = {&L, &ob, &ib, &sub_b, 0};
  const comp_layout_t *l = comp_layout(&L, t);
  weld_cval_t v, w;
  if (l && l->nflat <= NSLOTS) {
    tr = comp_lift_flat(&ca, t, in, &v);
    if (!tr) {
      weld_error_t *e = comp_cval_check(&L, t, &v, &ia);
      if (e) __builtin_trap(); /* a lifted value is always well-typed */
      tr = comp_lower_flat(&cb, t, &v, out);
      if (!tr) {
        tr = comp_lift_flat(&cb, t, out, &w);
        if (!tr) {
          if (!cval_eq(&v, &w)) __builtin_trap();
          drop_lifted(&w, &sub_b);
        }
      }
      drop_lifted(&v, &sub_a);
    }
    if (tr) weld_trap_delete(tr);
    tr = comp_transfer_flat(&ca, t, in, &cb, t, out);
    if (tr) weld_trap_delete(tr);
  }
  tr = comp_load(&ca, t2, ptr, &v);
  if (!tr) {
    weld_error_t *e = comp_cval_check(&L, t2, &v, &ia);
    if (e) __builtin_trap();
    const comp_layout_t *l2 = comp_layout(&L, t2);
    uint32_t p = 0;
    tr = comp_abi_realloc(&cb, 0, 0, l2->align, l2->size, &p);
    if (!tr) tr = comp_store(&cb, t2, &v, p);
    if (!tr) {
      tr = comp_load(&cb, t2, p, &w);
      if (!tr) {
        if (!cval_eq(&v, &w)) __builtin_trap();
        drop_lifted(&w, &sub_b);
      }
    }
    drop_lifted(&v, &sub_a);
  }
  if (tr) weld_trap_delete(tr);
  tr = comp_transfer_mem(&ca, t2, ptr, &cb, t2, (uint32_t)(ptr * 7u) % 70000);
  if (tr) weld_trap_delete(tr);
  comp_typeid_t ts[2] = {t, t2};
  weld_cval_t vs[2];
  tr = comp_lift_values(&ca, 1, ts, 2, in, NSLOTS, vs);
  if (!tr) {
    drop_lifted(&vs[0], &sub_a);
    drop_lifted(&vs[1], &sub_a);
  } else {
    weld_trap_delete(tr);
  }

  comp_abi_call_finish_lower(&sub_a);
  comp_abi_call_finish_lower(&sub_b);
  tr = comp_abi_call_finish_lift(&task);
  if (tr) weld_trap_delete(tr);
  comp_abi_inst_free(&ia);
  comp_abi_inst_free(&ib);
  comp_rtype_unref(g_rt);
  comp_layouts_free(&L);
  comp_types_free(&T);
  comp_arena_free(&A);
  weld_store_delete(store);
  return 0;
}
