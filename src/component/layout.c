/* layout.c — Canonical ABI memory layout and flattening of value types
 * (design/mvp/CanonicalABI.md "Despecialization", "Alignment", "Element Size",
 * "Flattening"; definitions.py despecialize, alignment, elem_size, discriminant_type,
 * max_case_alignment, elem_size_record/variant/flags, flatten_type).
 *
 * Every value type id of an arena gets one comp_layout_t, computed the first time it is
 * asked for (children first; recursion is bounded by WELD_MAX_TYPE_DEPTH) and then read
 * without locking: entries live in fixed blocks of COMP_LAYOUT_BLOCK entries that never move,
 * found through a directory that is replaced (never modified in place) when it must grow.
 *
 * Flat counts only: lifting and lowering flat values of a variant never need the joined
 * flat types (definitions.py `join`), because a core_slot_t holds every core type at the
 * same address on a little-endian host: reading the case's own type from a joined slot is
 * exactly the CoerceValueIter conversion (wrap_i64_to_i32, i32 -> f32 reinterpretation),
 * and zeroing a slot before writing the case's value is the zero-extension of
 * lower_flat_variant. */
#include "component/abi.h"
#include "base/alloc.h"
#include <stdatomic.h>
#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the canonical ABI code assumes a little-endian host");

#define BLOCK 1024u

struct comp_layout_dir {
  uint32_t n;                          /* number of block slots */
  comp_layout_dir_t *next_retired;
  _Atomic(comp_layout_t *) blk[];      /* blk[i] covers ids [i * BLOCK, (i + 1) * BLOCK) */
};

bool comp_layouts_init(comp_layouts_t *L, const comp_types_t *T) {
  memset(L, 0, sizeof *L);
  L->T = T;
  atomic_init(&L->dir, NULL);
  if (pthread_mutex_init(&L->lock, NULL) != 0) return false;
  return true;
}

void comp_layouts_free(comp_layouts_t *L) {
  comp_layout_dir_t *d = atomic_load_explicit(&L->dir, memory_order_relaxed);
  if (d) {
    for (uint32_t i = 0; i < d->n; i++) {
      comp_layout_t *b = atomic_load_explicit(&d->blk[i], memory_order_relaxed);
      if (b) base_free(b, BLOCK * sizeof *b);
    }
    base_free(d, sizeof *d + (size_t)d->n * sizeof d->blk[0]);
  }
  for (comp_layout_dir_t *r = L->retired; r;) {
    comp_layout_dir_t *nx = r->next_retired;
    base_free(r, sizeof *r + (size_t)r->n * sizeof r->blk[0]);
    r = nx;
  }
  comp_arena_free(&L->arena);
  pthread_mutex_destroy(&L->lock);
  memset(L, 0, sizeof *L);
}

/* The entry for id, creating its block (and a larger directory) as needed.  Under lock. */
static comp_layout_t *entry_locked(comp_layouts_t *L, comp_typeid_t id) {
  uint32_t bi = id / BLOCK;
  comp_layout_dir_t *d = atomic_load_explicit(&L->dir, memory_order_relaxed);
  if (!d || bi >= d->n) {
    uint32_t n = d ? d->n : 0, want = bi + 1;
    uint32_t nn = n ? n : 16;
    while (nn < want) nn *= 2;
    comp_layout_dir_t *nd = base_calloc(1, sizeof *nd + (size_t)nn * sizeof nd->blk[0]);
    if (!nd) return NULL;
    nd->n = nn;
    for (uint32_t i = 0; i < n; i++)
      atomic_init(&nd->blk[i], atomic_load_explicit(&d->blk[i], memory_order_relaxed));
    for (uint32_t i = n; i < nn; i++) atomic_init(&nd->blk[i], NULL);
    if (d) {
      d->next_retired = L->retired;
      L->retired = d;
    }
    atomic_store_explicit(&L->dir, nd, memory_order_release);
    d = nd;
  }
  comp_layout_t *b = atomic_load_explicit(&d->blk[bi], memory_order_relaxed);
  if (!b) {
    b = base_calloc(BLOCK, sizeof *b);
    if (!b) return NULL;
    atomic_store_explicit(&d->blk[bi], b, memory_order_release);
  }
  return &b[id % BLOCK];
}

static inline comp_layout_t *lookup_fast(comp_layouts_t *L, comp_typeid_t id) {
  comp_layout_dir_t *d = atomic_load_explicit(&L->dir, memory_order_acquire);
  if (!d || id / BLOCK >= d->n) return NULL;
  comp_layout_t *b = atomic_load_explicit(&d->blk[id / BLOCK], memory_order_acquire);
  if (!b) return NULL;
  comp_layout_t *e = &b[id % BLOCK];
  return atomic_load_explicit(&e->ready, memory_order_acquire) ? e : NULL;
}

static uint32_t sat_add(uint32_t a, uint32_t b) { return a > UINT32_MAX - b ? UINT32_MAX : a + b; }

static const comp_layout_t *get_locked(comp_layouts_t *L, comp_typeid_t id);

/* elem_size / alignment / flatten_type of a primitive */
static void prim_layout(uint32_t p, comp_layout_t *l) {
  static const uint8_t sizes[COMP_PRIM_COUNT] = {1, 1, 1, 2, 2, 4, 4, 8, 8, 4, 8, 4, 8};
  l->lkind = (uint8_t)p;
  l->size = sizes[p];
  l->align = p == COMP_PRIM_STRING ? 4 : sizes[p];
  l->nflat = p == COMP_PRIM_STRING ? 2 : 1;
  if (p == COMP_PRIM_STRING) l->flags = COMP_LF_PTR;
  else if (p != COMP_PRIM_BOOL && p != COMP_PRIM_CHAR) l->flags = COMP_LF_PLAIN;
}

/* elem_size_record, alignment_record, flatten_record */
static bool record_layout(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n, comp_layout_t *l) {
  uint32_t *offs = comp_arena_array(&L->arena, n ? n : 1, sizeof *offs);
  if (!offs) return false;
  uint64_t s = 0, sum = 0;
  uint32_t a = 1, nflat = 0;
  bool plain = true;
  uint8_t flags = 0;
  for (uint32_t i = 0; i < n; i++) {
    const comp_layout_t *f = get_locked(L, ts[i]);
    if (!f) return false;
    s = comp_align_to((uint32_t)s, f->align);
    offs[i] = (uint32_t)s;
    s += f->size;
    sum += f->size;
    if (s > UINT32_MAX / 2) return false; /* impossible within WELD_MAX_TYPE_SIZE */
    if (f->align > a) a = f->align;
    nflat = sat_add(nflat, f->nflat);
    plain = plain && (f->flags & COMP_LF_PLAIN);
    flags |= f->flags & (uint8_t)~COMP_LF_PLAIN;
  }
  l->lkind = COMP_LK_RECORD;
  l->align = (uint8_t)a;
  l->size = comp_align_to((uint32_t)s, a);
  l->flags = (uint8_t)(flags | (plain && l->size == sum ? COMP_LF_PLAIN : 0));
  l->nflat = nflat;
  l->n = n;
  l->members = ts;
  l->offsets = offs;
  return true;
}

/* discriminant_type (as a byte count) */
static uint8_t disc_bytes(uint32_t ncases) {
  if (ncases <= 256u) return 1;
  if (ncases <= 65536u) return 2;
  return 4;
}

/* alignment_variant, elem_size_variant, flatten_variant (count only) */
static bool variant_layout(comp_layouts_t *L, const comp_typeid_t *cases, uint32_t n, comp_layout_t *l) {
  uint32_t maxa = 1, maxs = 0, maxflat = 0;
  uint8_t flags = 0;
  for (uint32_t i = 0; cases && i < n; i++) {
    if (cases[i] == COMP_NO_TYPE) continue;
    const comp_layout_t *c = get_locked(L, cases[i]);
    if (!c) return false;
    if (c->align > maxa) maxa = c->align;
    if (c->size > maxs) maxs = c->size;
    if (c->nflat > maxflat) maxflat = c->nflat;
    flags |= c->flags & (uint8_t)~COMP_LF_PLAIN;
  }
  uint8_t d = disc_bytes(n);
  l->lkind = COMP_LK_VARIANT;
  l->disc = d;
  l->align = (uint8_t)(d > maxa ? d : maxa);
  l->payload = comp_align_to(d, maxa);
  l->size = comp_align_to(l->payload + maxs, l->align);
  l->nflat = sat_add(1, maxflat);
  l->flags = flags;
  l->n = n;
  l->members = cases;
  return true;
}

static bool compute(comp_layouts_t *L, comp_typeid_t id, comp_layout_t *l) {
  const comp_type_t *t = comp_type(L->T, id);
  l->kind = t->kind;
  switch (t->kind) {
  case COMP_T_PRIM:
    if (t->u.prim >= COMP_PRIM_COUNT) return false;
    prim_layout(t->u.prim, l);
    return true;
  case COMP_T_LIST: {
    const comp_layout_t *e = get_locked(L, t->u.elem);
    if (!e) return false;
    comp_typeid_t *m = comp_arena_dup(&L->arena, &t->u.elem, sizeof t->u.elem);
    if (!m) return false;
    l->lkind = COMP_LK_LIST;
    l->size = 8;
    l->align = 4;
    l->nflat = 2;
    l->flags = (uint8_t)(COMP_LF_PTR | (e->flags & (COMP_LF_HANDLE | COMP_LF_BORROW)));
    l->n = 1;
    l->members = m;
    return true;
  }
  case COMP_T_RECORD: {
    uint32_t n = t->u.fields.n;
    comp_typeid_t *ts = comp_arena_array(&L->arena, n ? n : 1, sizeof *ts);
    if (!ts) return false;
    for (uint32_t i = 0; i < n; i++) ts[i] = comp_type(L->T, id)->u.fields.items[i].type;
    return record_layout(L, ts, n, l);
  }
  case COMP_T_TUPLE:
    return record_layout(L, t->u.tuple.types, t->u.tuple.n, l);
  case COMP_T_VARIANT: {
    uint32_t n = t->u.fields.n;
    comp_typeid_t *cs = comp_arena_array(&L->arena, n ? n : 1, sizeof *cs);
    if (!cs) return false;
    for (uint32_t i = 0; i < n; i++) cs[i] = comp_type(L->T, id)->u.fields.items[i].type;
    return variant_layout(L, cs, n, l);
  }
  case COMP_T_ENUM:
    return variant_layout(L, NULL, t->u.labels.n, l);
  case COMP_T_OPTION: {
    comp_typeid_t *cs = comp_arena_array(&L->arena, 2, sizeof *cs);
    if (!cs) return false;
    cs[0] = COMP_NO_TYPE;
    cs[1] = t->u.elem;
    return variant_layout(L, cs, 2, l);
  }
  case COMP_T_RESULT: {
    comp_typeid_t *cs = comp_arena_array(&L->arena, 2, sizeof *cs);
    if (!cs) return false;
    cs[0] = t->u.result.ok;
    cs[1] = t->u.result.err;
    return variant_layout(L, cs, 2, l);
  }
  case COMP_T_FLAGS: {
    /* alignment_flags / elem_size_flags (at most 32 labels, WELD_MAX_FLAGS) */
    uint32_t n = t->u.labels.n;
    l->lkind = COMP_LK_FLAGS;
    l->n = n;
    l->size = n == 0 ? 0 : n <= 8 ? 1 : n <= 16 ? 2 : 4;
    l->align = (uint8_t)(n <= 8 ? 1 : n <= 16 ? 2 : 4);
    l->disc = (uint8_t)l->size;
    l->nflat = n == 0 ? 0 : 1;
    return n <= 32;
  }
  case COMP_T_OWN:
  case COMP_T_BORROW: {
    const comp_type_t *r = comp_type(L->T, t->u.resource);
    l->lkind = t->kind == COMP_T_OWN ? COMP_LK_OWN : COMP_LK_BORROW;
    l->size = 4;
    l->align = 4;
    l->nflat = 1;
    l->n = 1;
    l->flags = (uint8_t)(COMP_LF_HANDLE | (t->kind == COMP_T_BORROW ? COMP_LF_BORROW : 0));
    l->rid = r->kind == COMP_T_RESOURCE ? r->u.rid : UINT32_MAX;
    return true;
  }
  default:
    return false;
  }
}

static const comp_layout_t *get_locked(comp_layouts_t *L, comp_typeid_t id) {
  if (id >= L->T->len) return NULL;
  comp_layout_t *e = entry_locked(L, id);
  if (!e) return NULL;
  if (atomic_load_explicit(&e->ready, memory_order_relaxed)) return e;
  comp_layout_t tmp;
  memset(&tmp, 0, sizeof tmp);
  if (!compute(L, id, &tmp)) return NULL;
  if (tmp.size == 0) tmp.flags |= COMP_LF_PLAIN; /* nothing to copy */
  e->lkind = tmp.lkind;
  e->kind = tmp.kind;
  e->align = tmp.align;
  e->disc = tmp.disc;
  e->flags = tmp.flags;
  e->size = tmp.size;
  e->nflat = tmp.nflat;
  e->payload = tmp.payload;
  e->n = tmp.n;
  e->members = tmp.members;
  e->offsets = tmp.offsets;
  e->rid = tmp.rid;
  atomic_store_explicit(&e->ready, 1, memory_order_release);
  return e;
}

const comp_layout_t *comp_layout(comp_layouts_t *L, comp_typeid_t id) {
  const comp_layout_t *e = lookup_fast(L, id);
  if (e) return e;
  pthread_mutex_lock(&L->lock);
  e = get_locked(L, id);
  pthread_mutex_unlock(&L->lock);
  return e;
}

uint32_t comp_flat_count(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n) {
  uint32_t c = 0;
  for (uint32_t i = 0; i < n; i++) {
    const comp_layout_t *l = comp_layout(L, ts[i]);
    c = sat_add(c, l ? l->nflat : UINT32_MAX);
  }
  return c;
}

bool comp_tuple_layout(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n, uint32_t *offsets, uint32_t *size,
                       uint32_t *align) {
  uint64_t s = 0;
  uint32_t a = 1;
  for (uint32_t i = 0; i < n; i++) {
    const comp_layout_t *f = comp_layout(L, ts[i]);
    if (!f) return false;
    s = comp_align_to((uint32_t)s, f->align);
    offsets[i] = (uint32_t)s;
    s += f->size;
    if (s > UINT32_MAX / 2) return false;
    if (f->align > a) a = f->align;
  }
  *size = comp_align_to((uint32_t)s, a);
  *align = a;
  return true;
}

weld_ckind_t comp_cval_kind(comp_layouts_t *L, comp_typeid_t id) {
  if (id >= L->T->len) return (weld_ckind_t)0;
  const comp_type_t *t = comp_type(L->T, id);
  switch (t->kind) {
  case COMP_T_PRIM: return t->u.prim < COMP_PRIM_COUNT ? (weld_ckind_t)(WELD_CK_BOOL + t->u.prim) : (weld_ckind_t)0;
  case COMP_T_LIST: return WELD_CK_LIST;
  case COMP_T_RECORD: return WELD_CK_RECORD;
  case COMP_T_TUPLE: return WELD_CK_TUPLE;
  case COMP_T_VARIANT: return WELD_CK_VARIANT;
  case COMP_T_ENUM: return WELD_CK_ENUM;
  case COMP_T_OPTION: return WELD_CK_OPTION;
  case COMP_T_RESULT: return WELD_CK_RESULT;
  case COMP_T_FLAGS: return WELD_CK_FLAGS;
  case COMP_T_OWN: return WELD_CK_OWN;
  case COMP_T_BORROW: return WELD_CK_BORROW;
  default: return (weld_ckind_t)0;
  }
}
