/* roundtrip_gen.c — random component function types, forwarding guests and values, and the
 * round-trip runner (see roundtrip_gen.h).  Component Model: Explainer.md (type and canon
 * definitions, the text format), CanonicalABI.md (flatten_functype / flatten_type and
 * join, alignment / elem_size, MAX_FLAT_PARAMS = 16, MAX_FLAT_RESULTS = 1, realloc and
 * post-return, borrow scopes: a callee drops the borrows it was given before returning).
 *
 * Test code: plain malloc for the generator's own data; values handed to weld are built
 * with the weld_cval_* builders (weld frees them with its allocator). */
#include "roundtrip_gen.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ choices */

static uint64_t splitmix(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void rt_rand_seed(rt_rand_t *r, uint64_t seed) {
  r->data = NULL;
  r->len = r->pos = 0;
  r->state = seed;
}

void rt_rand_bytes(rt_rand_t *r, const uint8_t *data, size_t len) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: the PRNG that takes over is seeded by the input */
  for (size_t i = 0; i < len; i++) h = (h ^ data[i]) * 0x100000001b3ull;
  r->data = data;
  r->len = len;
  r->pos = 0;
  r->state = h;
}

static uint32_t take(rt_rand_t *r, unsigned nbytes) {
  if (r->pos + nbytes <= r->len) {
    uint32_t v = 0;
    for (unsigned i = 0; i < nbytes; i++) v |= (uint32_t)r->data[r->pos++] << (8 * i);
    return v;
  }
  r->pos = r->len;
  return (uint32_t)splitmix(&r->state);
}

uint32_t rt_below(rt_rand_t *r, uint32_t n) {
  if (n <= 1) return 0;
  unsigned nb = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
  return take(r, nb) % n;
}

uint64_t rt_u64(rt_rand_t *r) {
  uint64_t lo = take(r, 4), hi = take(r, 4);
  return lo | hi << 32;
}

static bool chance(rt_rand_t *r, uint32_t num, uint32_t den) { return rt_below(r, den) < num; }

/* ================================================================ string buffer */

static char *str_copy(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

typedef struct sb {
  char *p;
  size_t n, cap;
  bool oom;
} sb_t;

static void sb_put(sb_t *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = true;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

static void sb_printf(sb_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sb_t *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->oom = true;
    return;
  }
  if ((size_t)n < sizeof tmp) {
    sb_put(b, tmp, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    b->oom = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_put(b, big, (size_t)n);
  free(big);
}

static void sb_free(sb_t *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* ================================================================ types */

static rt_type_t *node(rt_case_t *c, weld_ckind_t k, uint32_t n) {
  if (c->oom) return NULL;
  if (c->nnodes == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 64;
    rt_type_t **p = realloc(c->nodes, cap * sizeof *p);
    if (!p) {
      c->oom = true;
      return NULL;
    }
    c->nodes = p;
    c->cap = cap;
  }
  rt_type_t *t = calloc(1, sizeof *t);
  rt_type_t **m = n ? calloc(n, sizeof *m) : NULL;
  if (!t || (n && !m)) {
    free(t);
    free(m);
    c->oom = true;
    return NULL;
  }
  t->kind = k;
  t->n = n;
  t->m = m;
  t->named = -1;
  c->nodes[c->nnodes++] = t;
  return t;
}

static void name_it(rt_case_t *c, rt_type_t *t) {
  rt_type_t **p = realloc(c->named, (c->nnamed + 1) * sizeof *p);
  if (!p) {
    c->oom = true;
    return;
  }
  c->named = p;
  t->named = (int)c->nnamed;
  c->named[c->nnamed++] = t;
}

static const weld_ckind_t k_prims[] = {WELD_CK_BOOL, WELD_CK_S8,  WELD_CK_U8,  WELD_CK_S16,  WELD_CK_U16,
                                       WELD_CK_S32,  WELD_CK_U32, WELD_CK_S64, WELD_CK_U64,  WELD_CK_F32,
                                       WELD_CK_F64,  WELD_CK_CHAR, WELD_CK_STRING};
#define N_PRIMS (sizeof k_prims / sizeof k_prims[0])

/* A label count for enum/flags/variant; sometimes past 256 (2-byte discriminants) or at the
 * byte boundaries of flags. */
static uint32_t label_count(rt_rand_t *r, weld_ckind_t k) {
  if (k == WELD_CK_FLAGS) {
    static const uint32_t edges[] = {1, 7, 8, 9, 15, 16, 17, 31, 32};
    if (chance(r, 1, 2)) return edges[rt_below(r, sizeof edges / sizeof edges[0])];
    return 1 + rt_below(r, 32);
  }
  if (chance(r, 1, 24)) return 255 + rt_below(r, 40); /* 255, 256: 1 byte; 257..: 2 bytes */
  return 1 + rt_below(r, 8);
}

/* borrow_ok: inside a parameter (borrows may not appear in results). */
static rt_type_t *gen_type(rt_case_t *c, rt_rand_t *r, const rt_opts_t *o, uint32_t depth, bool borrow_ok) {
  if (c->oom) return NULL;
  if (c->budget) c->budget--;
  bool leaf = depth >= o->max_depth || c->budget == 0;
  /* 0..12 primitives, 13 list, 14 record, 15 tuple, 16 variant, 17 enum, 18 option, 19 result,
   * 20 flags, 21 own, 22 borrow */
  uint32_t pick = o->resources && chance(r, 1, 5) ? 21 + rt_below(r, 2) : rt_below(r, 21);
  if (leaf && pick >= N_PRIMS && pick != 17 && pick != 20 && pick < 21) pick = rt_below(r, N_PRIMS);
  if (pick == 22 && !borrow_ok) pick = 21;
  rt_type_t *t = NULL;
  if (pick < N_PRIMS) return node(c, k_prims[pick], 0);
  switch (pick) {
  case 13:
    if (!(t = node(c, WELD_CK_LIST, 1))) return NULL;
    t->m[0] = gen_type(c, r, o, depth + 1, borrow_ok);
    return t;
  case 14:
  case 15: {
    uint32_t n = 1 + rt_below(r, chance(r, 1, 8) ? 12 : 4);
    if (!(t = node(c, pick == 14 ? WELD_CK_RECORD : WELD_CK_TUPLE, n))) return NULL;
    for (uint32_t i = 0; i < n; i++) t->m[i] = gen_type(c, r, o, depth + 1, borrow_ok);
    if (pick == 14) name_it(c, t);
    return t;
  }
  case 16: {
    uint32_t n = label_count(r, WELD_CK_VARIANT);
    if (!(t = node(c, WELD_CK_VARIANT, n))) return NULL;
    for (uint32_t i = 0; i < n; i++)
      if (n <= 16 ? chance(r, 2, 3) : chance(r, 1, 64)) t->m[i] = gen_type(c, r, o, depth + 1, borrow_ok);
    name_it(c, t);
    return t;
  }
  case 17:
  case 20:
    if (!(t = node(c, pick == 17 ? WELD_CK_ENUM : WELD_CK_FLAGS, 0))) return NULL;
    t->n = label_count(r, t->kind);
    name_it(c, t);
    return t;
  case 18:
    if (!(t = node(c, WELD_CK_OPTION, 1))) return NULL;
    t->m[0] = gen_type(c, r, o, depth + 1, borrow_ok);
    return t;
  case 19:
    if (!(t = node(c, WELD_CK_RESULT, 2))) return NULL;
    if (chance(r, 3, 4)) t->m[0] = gen_type(c, r, o, depth + 1, borrow_ok);
    if (chance(r, 2, 3)) t->m[1] = gen_type(c, r, o, depth + 1, borrow_ok);
    return t;
  case 21: c->uses_resources = true; return node(c, WELD_CK_OWN, 0);
  default: c->uses_resources = true; return node(c, WELD_CK_BORROW, 0);
  }
}

void rt_case_free(rt_case_t *c) {
  for (size_t i = 0; i < c->nnodes; i++) {
    free(c->nodes[i]->m);
    free(c->nodes[i]);
  }
  free(c->nodes);
  free(c->named);
  free(c->params);
  free(c->text);
  memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- flattening */

enum { CT_I32, CT_I64, CT_F32, CT_F64 };
static const char *const ct_name[] = {"i32", "i64", "f32", "f64"};

typedef struct flat {
  uint8_t *v;
  size_t n, cap;
  bool oom;
} flat_t;

static void flat_push(flat_t *f, uint8_t t) {
  if (f->oom) return;
  if (f->n == f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 32;
    uint8_t *p = realloc(f->v, cap);
    if (!p) {
      f->oom = true;
      return;
    }
    f->v = p;
    f->cap = cap;
  }
  f->v[f->n++] = t;
}

static uint8_t join(uint8_t a, uint8_t b) {
  if (a == b) return a;
  if ((a == CT_I32 && b == CT_F32) || (a == CT_F32 && b == CT_I32)) return CT_I32;
  return CT_I64;
}

static void flatten(const rt_type_t *t, flat_t *out);

static void flatten_cases(const rt_type_t *const *cases, uint32_t n, flat_t *out) {
  flat_push(out, CT_I32);
  size_t start = out->n;
  for (uint32_t i = 0; i < n; i++) {
    if (!cases[i]) continue;
    flat_t f = {0};
    flatten(cases[i], &f);
    if (f.oom) out->oom = true;
    for (size_t j = 0; j < f.n; j++) {
      if (start + j < out->n) out->v[start + j] = join(out->v[start + j], f.v[j]);
      else flat_push(out, f.v[j]);
    }
    free(f.v);
  }
}

/* definitions.py flatten_type */
static void flatten(const rt_type_t *t, flat_t *out) {
  switch (t->kind) {
  case WELD_CK_S64:
  case WELD_CK_U64: flat_push(out, CT_I64); break;
  case WELD_CK_F32: flat_push(out, CT_F32); break;
  case WELD_CK_F64: flat_push(out, CT_F64); break;
  case WELD_CK_STRING:
  case WELD_CK_LIST:
    flat_push(out, CT_I32);
    flat_push(out, CT_I32);
    break;
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (uint32_t i = 0; i < t->n; i++) flatten(t->m[i], out);
    break;
  case WELD_CK_VARIANT: flatten_cases((const rt_type_t *const *)t->m, t->n, out); break;
  case WELD_CK_OPTION: {
    const rt_type_t *cs[2] = {NULL, t->m[0]};
    flatten_cases(cs, 2, out);
    break;
  }
  case WELD_CK_RESULT: flatten_cases((const rt_type_t *const *)t->m, 2, out); break;
  default: flat_push(out, CT_I32); break; /* bool, s8..u32, char, enum, flags (<= 32), own, borrow */
  }
}

/* ---------------------------------------------------------------- layout */

static uint32_t align_to(uint32_t x, uint32_t a) { return (x + a - 1) / a * a; }
static uint32_t disc_size(uint32_t n) { return n <= 256 ? 1 : n <= 65536 ? 2 : 4; }

static uint32_t alignment(const rt_type_t *t);
static uint32_t elem_size(const rt_type_t *t);

static uint32_t cases_align(const rt_type_t *const *cs, uint32_t n) {
  uint32_t a = disc_size(n);
  for (uint32_t i = 0; i < n; i++)
    if (cs[i] && alignment(cs[i]) > a) a = alignment(cs[i]);
  return a;
}

static uint32_t cases_size(const rt_type_t *const *cs, uint32_t n) {
  uint32_t ma = 1, ms = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (!cs[i]) continue;
    if (alignment(cs[i]) > ma) ma = alignment(cs[i]);
    if (elem_size(cs[i]) > ms) ms = elem_size(cs[i]);
  }
  return align_to(align_to(disc_size(n), ma) + ms, cases_align(cs, n));
}

static void cases_of(const rt_type_t *t, const rt_type_t **two, const rt_type_t *const **cs, uint32_t *n) {
  if (t->kind == WELD_CK_OPTION) {
    two[0] = NULL;
    two[1] = t->m[0];
    *cs = two;
    *n = 2;
  } else {
    *cs = (const rt_type_t *const *)t->m;
    *n = t->kind == WELD_CK_RESULT ? 2 : t->n;
  }
}

/* definitions.py alignment */
static uint32_t alignment(const rt_type_t *t) {
  switch (t->kind) {
  case WELD_CK_BOOL:
  case WELD_CK_S8:
  case WELD_CK_U8: return 1;
  case WELD_CK_S16:
  case WELD_CK_U16: return 2;
  case WELD_CK_S64:
  case WELD_CK_U64:
  case WELD_CK_F64: return 8;
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE: {
    uint32_t a = 1;
    for (uint32_t i = 0; i < t->n; i++)
      if (alignment(t->m[i]) > a) a = alignment(t->m[i]);
    return a;
  }
  case WELD_CK_ENUM: return disc_size(t->n);
  case WELD_CK_FLAGS: return t->n <= 8 ? 1 : t->n <= 16 ? 2 : 4;
  case WELD_CK_VARIANT:
  case WELD_CK_OPTION:
  case WELD_CK_RESULT: {
    const rt_type_t *two[2], *const *cs;
    uint32_t n;
    cases_of(t, two, &cs, &n);
    return cases_align(cs, n);
  }
  default: return 4;
  }
}

/* definitions.py elem_size */
static uint32_t elem_size(const rt_type_t *t) {
  switch (t->kind) {
  case WELD_CK_STRING:
  case WELD_CK_LIST: return 8;
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE: {
    uint32_t s = 0;
    for (uint32_t i = 0; i < t->n; i++) s = align_to(s, alignment(t->m[i])) + elem_size(t->m[i]);
    return align_to(s, alignment(t));
  }
  case WELD_CK_ENUM:
  case WELD_CK_FLAGS: return alignment(t);
  case WELD_CK_VARIANT:
  case WELD_CK_OPTION:
  case WELD_CK_RESULT: {
    const rt_type_t *two[2], *const *cs;
    uint32_t n;
    cases_of(t, two, &cs, &n);
    return cases_size(cs, n);
  }
  default: return alignment(t);
  }
}

static bool has_borrows(const rt_type_t *t) {
  if (!t) return false;
  if (t->kind == WELD_CK_BORROW) return true;
  uint32_t n = t->kind == WELD_CK_VARIANT || t->kind == WELD_CK_RECORD || t->kind == WELD_CK_TUPLE ? t->n
               : t->kind == WELD_CK_RESULT                                                       ? 2
               : t->kind == WELD_CK_OPTION || t->kind == WELD_CK_LIST                            ? 1
                                                                                                  : 0;
  for (uint32_t i = 0; i < n; i++)
    if (has_borrows(t->m[i])) return true;
  return false;
}

static uint32_t flat_count(const rt_type_t *t) {
  flat_t f = {0};
  flatten(t, &f);
  free(f.v);
  return (uint32_t)f.n;
}

/* Core code that drops every borrow handle in a parameter value (a callee must drop the
 * borrows it was given before it returns: CanonicalABI.md borrow_scope / num_borrows).  A
 * value is either in flat parameters (slot = index of its first core parameter; `slots`
 * are the types of the core parameters, joined ones included) or in memory at
 * (local `base` + off).  Cases are told apart by their discriminants; list elements are
 * visited with a loop (two fresh locals per list). */
typedef struct dropgen {
  sb_t *b;
  const uint8_t *slots;
  uint32_t nlocals; /* list locals $q<i> (pointer) and $n<i> (count) */
} dropgen_t;

static void slot_i32(dropgen_t *d, uint32_t slot) {
  if (d->slots[slot] == CT_I64) sb_printf(d->b, "(i32.wrap_i64 (local.get %u))", slot);
  else sb_printf(d->b, "(local.get %u)", slot);
}

static void mem_base(dropgen_t *d, int base) {
  if (base < 0) sb_printf(d->b, "(local.get 0)"); /* spilled parameters */
  else sb_printf(d->b, "(local.get $q%d)", base);
}

static void emit_drops(dropgen_t *d, const rt_type_t *t, bool mem, uint32_t slot, int base, uint32_t off) {
  if (!has_borrows(t)) return;
  sb_t *b = d->b;
  switch (t->kind) {
  case WELD_CK_BORROW:
    sb_printf(b, "(call $drop ");
    if (mem) {
      sb_printf(b, "(i32.load offset=%u ", off);
      mem_base(d, base);
      sb_printf(b, ")");
    } else {
      slot_i32(d, slot);
    }
    sb_printf(b, ")\n");
    return;
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE: {
    uint32_t o = 0;
    for (uint32_t i = 0; i < t->n; i++) {
      o = align_to(o, alignment(t->m[i]));
      emit_drops(d, t->m[i], mem, slot, base, off + o);
      o += elem_size(t->m[i]);
      slot += flat_count(t->m[i]);
    }
    return;
  }
  case WELD_CK_VARIANT:
  case WELD_CK_OPTION:
  case WELD_CK_RESULT: {
    const rt_type_t *two[2], *const *cs;
    uint32_t n;
    cases_of(t, two, &cs, &n);
    uint32_t ma = 1;
    for (uint32_t i = 0; i < n; i++)
      if (cs[i] && alignment(cs[i]) > ma) ma = alignment(cs[i]);
    uint32_t poff = off + align_to(disc_size(n), ma);
    for (uint32_t i = 0; i < n; i++) {
      if (!has_borrows(cs[i])) continue;
      sb_printf(b, "(if (i32.eq (i32.const %u) ", i);
      if (mem) {
        uint32_t ds = disc_size(n);
        sb_printf(b, "(%s offset=%u ", ds == 1 ? "i32.load8_u" : ds == 2 ? "i32.load16_u" : "i32.load", off);
        mem_base(d, base);
        sb_printf(b, ")");
      } else {
        slot_i32(d, slot);
      }
      sb_printf(b, ") (then\n");
      emit_drops(d, cs[i], mem, slot + 1, base, poff);
      sb_printf(b, "))\n");
    }
    return;
  }
  case WELD_CK_LIST: {
    int q = (int)d->nlocals++;
    sb_printf(b, "(local.set $q%d ", q);
    if (mem) {
      sb_printf(b, "(i32.load offset=%u ", off);
      mem_base(d, base);
      sb_printf(b, ")");
    } else {
      slot_i32(d, slot);
    }
    sb_printf(b, ")\n(local.set $n%d ", q);
    if (mem) {
      sb_printf(b, "(i32.load offset=%u ", off + 4);
      mem_base(d, base);
      sb_printf(b, ")");
    } else {
      slot_i32(d, slot + 1);
    }
    sb_printf(b, ")\n(block (loop (br_if 1 (i32.eqz (local.get $n%d)))\n", q);
    emit_drops(d, t->m[0], true, 0, q, 0);
    sb_printf(b, "(local.set $q%d (i32.add (local.get $q%d) (i32.const %u)))\n", q, q, elem_size(t->m[0]));
    sb_printf(b, "(local.set $n%d (i32.sub (local.get $n%d) (i32.const 1))) (br 0)))\n", q, q);
    return;
  }
  default: return;
  }
}

/* ---------------------------------------------------------------- text */

static void emit_valtype(sb_t *b, const rt_type_t *t) {
  static const char *const prim[] = {"bool", "s8",  "u8",  "s16", "u16", "s32",  "u32",
                                     "s64",  "u64", "f32", "f64", "char", "string"};
  if (t->named >= 0) {
    sb_printf(b, "$t%d", t->named);
    return;
  }
  switch (t->kind) {
  case WELD_CK_LIST:
    sb_printf(b, "(list ");
    emit_valtype(b, t->m[0]);
    sb_printf(b, ")");
    break;
  case WELD_CK_TUPLE:
    sb_printf(b, "(tuple");
    for (uint32_t i = 0; i < t->n; i++) {
      sb_printf(b, " ");
      emit_valtype(b, t->m[i]);
    }
    sb_printf(b, ")");
    break;
  case WELD_CK_OPTION:
    sb_printf(b, "(option ");
    emit_valtype(b, t->m[0]);
    sb_printf(b, ")");
    break;
  case WELD_CK_RESULT:
    sb_printf(b, "(result");
    if (t->m[0]) {
      sb_printf(b, " ");
      emit_valtype(b, t->m[0]);
    }
    if (t->m[1]) {
      sb_printf(b, " (error ");
      emit_valtype(b, t->m[1]);
      sb_printf(b, ")");
    }
    sb_printf(b, ")");
    break;
  case WELD_CK_OWN: sb_printf(b, "(own $r)"); break;
  case WELD_CK_BORROW: sb_printf(b, "(borrow $r)"); break;
  default: sb_printf(b, "%s", prim[t->kind - WELD_CK_BOOL]); break;
  }
}

static void emit_typedef(sb_t *b, const rt_type_t *t) {
  switch (t->kind) {
  case WELD_CK_RECORD:
    sb_printf(b, "(record");
    for (uint32_t i = 0; i < t->n; i++) {
      sb_printf(b, " (field \"f%u\" ", i);
      emit_valtype(b, t->m[i]);
      sb_printf(b, ")");
    }
    break;
  case WELD_CK_VARIANT:
    sb_printf(b, "(variant");
    for (uint32_t i = 0; i < t->n; i++) {
      sb_printf(b, " (case \"c%u\"", i);
      if (t->m[i]) {
        sb_printf(b, " ");
        emit_valtype(b, t->m[i]);
      }
      sb_printf(b, ")");
    }
    break;
  default:
    sb_printf(b, "(%s", t->kind == WELD_CK_ENUM ? "enum" : "flags");
    for (uint32_t i = 0; i < t->n; i++) sb_printf(b, " \"%c%u\"", t->kind == WELD_CK_ENUM ? 'e' : 'g', i);
    break;
  }
  sb_printf(b, ")");
}

/* The imports every scope needs: the resource type and the named value types (the Component
 * Model's "named types" rule: types an import refers to must be imported). */
static void emit_type_imports(sb_t *b, const rt_case_t *c, const char *ind) {
  if (c->uses_resources) sb_printf(b, "%s(import \"r\" (type $r (sub resource)))\n", ind);
  for (uint32_t i = 0; i < c->nnamed; i++) {
    sb_printf(b, "%s(type $d%u ", ind, i);
    emit_typedef(b, c->named[i]);
    sb_printf(b, ")\n%s(import \"t%u\" (type $t%u (eq $d%u)))\n", ind, i, i, i);
  }
}

static void emit_functype(sb_t *b, const rt_case_t *c) {
  for (uint32_t i = 0; i < c->nparams; i++) {
    sb_printf(b, " (param \"p%u\" ", i);
    emit_valtype(b, c->params[i]);
    sb_printf(b, ")");
  }
  if (c->result) {
    sb_printf(b, " (result ");
    emit_valtype(b, c->result);
    sb_printf(b, ")");
  }
}

static void emit_core_list(sb_t *b, const char *what, const uint8_t *v, size_t n) {
  if (!n) return;
  sb_printf(b, " (%s", what);
  for (size_t i = 0; i < n; i++) sb_printf(b, " %s", ct_name[v[i]]);
  sb_printf(b, ")");
}

typedef struct sig {
  flat_t params, results;  /* flattened component types */
  uint8_t lift_p[17], lower_p[18], res1;
  uint32_t nlift_p, nlower_p;
  bool spill_params, retptr, has_res;
} sig_t;

/* definitions.py flatten_functype for 'lift' and 'lower' */
static void sig_compute(const rt_case_t *c, sig_t *s) {
  memset(s, 0, sizeof *s);
  for (uint32_t i = 0; i < c->nparams; i++) flatten(c->params[i], &s->params);
  if (c->result) flatten(c->result, &s->results);
  s->spill_params = s->params.n > 16;
  if (s->spill_params) {
    s->lift_p[0] = CT_I32;
    s->nlift_p = 1;
  } else {
    for (size_t i = 0; i < s->params.n; i++) s->lift_p[i] = s->params.v[i];
    s->nlift_p = (uint32_t)s->params.n;
  }
  memcpy(s->lower_p, s->lift_p, s->nlift_p);
  s->nlower_p = s->nlift_p;
  s->retptr = s->results.n > 1;
  if (s->retptr) {
    s->lower_p[s->nlower_p++] = CT_I32;
    s->res1 = CT_I32; /* the lifted function returns the pointer */
    s->has_res = true;
  } else if (s->results.n == 1) {
    s->res1 = s->results.v[0];
    s->has_res = true;
  }
}

static void sig_free(sig_t *s) {
  free(s->params.v);
  free(s->results.v);
}

static bool type_has_memory_things(const rt_type_t *t) {
  if (!t) return false;
  if (t->kind == WELD_CK_STRING || t->kind == WELD_CK_LIST) return true;
  uint32_t n = t->kind == WELD_CK_VARIANT || t->kind == WELD_CK_RECORD || t->kind == WELD_CK_TUPLE ? t->n
               : t->kind == WELD_CK_RESULT                                                       ? 2
               : t->kind == WELD_CK_OPTION                                                       ? 1
                                                                                                  : 0;
  for (uint32_t i = 0; i < n; i++)
    if (type_has_memory_things(t->m[i])) return true;
  return false;
}

static const char *const enc_name[] = {"utf8", "utf16", "latin1+utf16"};

static void emit_opts(sb_t *b, rt_rand_t *r, int enc, bool need_mem) {
  if (need_mem || chance(r, 1, 2))
    sb_printf(b, " (memory (core memory $libc \"mem\")) (realloc (core func $libc \"realloc\"))");
  if (enc != RT_ENC_UTF8 || chance(r, 1, 2)) sb_printf(b, " string-encoding=%s", enc_name[enc]);
}

/* One forwarding stage: imports f, exports f. */
static void emit_stage(sb_t *b, rt_rand_t *r, const rt_case_t *c, const sig_t *s, uint32_t k, int enc) {
  bool leak = c->leaky_stage == k;
  uint32_t base = 8 + rt_below(r, 2048); /* deliberately unaligned heap start */
  bool mem_things = type_has_memory_things(c->result);
  for (uint32_t i = 0; i < c->nparams; i++) mem_things = mem_things || type_has_memory_things(c->params[i]);
  bool need_mem = mem_things || s->spill_params || s->retptr;
  /* the code dropping the borrows the adapter is given, after the call */
  sb_t drops = {0};
  dropgen_t dg = {&drops, s->params.v, 0};
  uint32_t slot = 0, off = 0;
  for (uint32_t i = 0; i < c->nparams; i++) {
    off = align_to(off, alignment(c->params[i]));
    emit_drops(&dg, c->params[i], s->spill_params, slot, -1, off);
    off += elem_size(c->params[i]);
    slot += flat_count(c->params[i]);
  }
  bool nb = drops.n > 0;
  if (drops.oom) b->oom = true;

  sb_printf(b, "  (component $s%u\n", k);
  emit_type_imports(b, c, "    ");
  sb_printf(b, "    (import \"f\" (func $f");
  emit_functype(b, c);
  sb_printf(b, "))\n");
  /* memory, realloc (a bump allocator: honours alignment, grows memory, checks its
   * arguments), post-return (frees everything) */
  sb_printf(b,
            "    (core module $libc\n"
            "      (memory (export \"mem\") 1)\n"
            "      (global $top (mut i32) (i32.const %u))\n"
            "      (func (export \"realloc\") (param $old i32) (param $osz i32) (param $al i32) (param $nsz i32) (result i32)\n"
            "        (local $p i32) (local $end i64) (local $have i64)\n"
            "        (if (i32.or (i32.eqz (local.get $al))\n"
            "              (i32.or (i32.gt_u (local.get $al) (i32.const 8))\n"
            "                      (i32.and (local.get $al) (i32.sub (local.get $al) (i32.const 1)))))\n"
            "          (then unreachable))\n"
            "        (if (i32.and (i32.eqz (local.get $osz)) (i32.ne (local.get $old) (i32.const 0))) (then unreachable))\n"
            "        (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get $al) (i32.const 1)))\n"
            "                               (i32.sub (i32.const 0) (local.get $al))))\n"
            "        (local.set $end (i64.add (i64.extend_i32_u (local.get $p)) (i64.extend_i32_u (local.get $nsz))))\n"
            "        (local.set $have (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16)))\n"
            "        (if (i64.gt_u (local.get $end) (local.get $have))\n"
            "          (then (if (i32.eq (memory.grow (i32.wrap_i64 (i64.shr_u (i64.add (i64.sub (local.get $end) (local.get $have))\n"
            "                                                                  (i64.const 65535)) (i64.const 16))))\n"
            "                            (i32.const -1))\n"
            "                  (then unreachable))))\n"
            "        (global.set $top (i32.wrap_i64 (local.get $end)))\n"
            "        (if (local.get $osz)\n"
            "          (then (memory.copy (local.get $p) (local.get $old)\n"
            "                  (select (local.get $osz) (local.get $nsz) (i32.lt_u (local.get $osz) (local.get $nsz))))))\n",
            base);
  if (c->bad_realloc_stage == k) {
    /* misbehaving from the (K+1)th call on: out of bounds, misaligned, or straddling the end */
    uint32_t after = rt_below(r, 6);
    sb_printf(b, "        (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
                 "        (if (i32.gt_u (global.get $calls) (i32.const %u)) (then\n", after);
    switch (rt_below(r, 3)) {
    case 0: sb_printf(b, "          (return (i32.const %d))))\n", -(int)(8 + 8 * rt_below(r, 4))); break;
    case 1:
      /* p + 1 or p + al/2: not a multiple of al (> 1) */
      sb_printf(b, "          (if (i32.gt_u (local.get $al) (i32.const 1)) (then (return (i32.add (local.get $p) %s))))))\n",
                chance(r, 1, 2) ? "(i32.const 1)" : "(i32.shr_u (local.get $al) (i32.const 1))");
      break;
    default:
      sb_printf(b, "          (return (i32.sub (i32.shl (memory.size) (i32.const 16)) (i32.shr_u (local.get $nsz) (i32.const 1))))))\n");
      break;
    }
  }
  sb_printf(b, "        (local.get $p))\n"
               "      (global $calls (mut i32) (i32.const 0))\n"
               "      (func (export \"post\")");
  if (s->has_res) sb_printf(b, " (param %s)", ct_name[s->res1]);
  sb_printf(b, " (global.set $top (i32.const %u))))\n", base);
  sb_printf(b, "    (core instance $libc (instantiate $libc))\n");
  sb_printf(b, "    (core func $fl (canon lower (func $f)");
  emit_opts(b, r, enc, need_mem);
  sb_printf(b, "))\n");
  if (nb) sb_printf(b, "    (core func $drop (canon resource.drop $r))\n");
  /* Without a return area or borrows to drop, the lowered import has the core type the lift
   * expects: sometimes lift it directly (no core code between the two). */
  if (!s->retptr && (leak ? chance(r, 1, 2) : !nb && chance(r, 1, 4))) {
    sb_free(&drops);
    sb_printf(b, "    (func (export \"f\")");
    emit_functype(b, c);
    sb_printf(b, " (canon lift (core func $fl)");
    emit_opts(b, r, enc, need_mem);
    if (chance(r, 7, 8)) sb_printf(b, " (post-return (core func $libc \"post\"))");
    sb_printf(b, ")))\n");
    return;
  }
  /* the adapter */
  sb_printf(b, "    (core module $a\n      (import \"\" \"f\" (func $f");
  emit_core_list(b, "param", s->lower_p, s->nlower_p);
  if (!s->retptr && s->has_res) sb_printf(b, " (result %s)", ct_name[s->res1]);
  sb_printf(b, "))\n      (import \"\" \"realloc\" (func $realloc (param i32 i32 i32 i32) (result i32)))\n"
               "      (import \"\" \"mem\" (memory 0))\n");
  if (nb) sb_printf(b, "      (import \"\" \"drop\" (func $drop (param i32)))\n");
  sb_printf(b, "      (func (export \"f\")");
  emit_core_list(b, "param", s->lift_p, s->nlift_p);
  if (s->has_res) sb_printf(b, " (result %s)", ct_name[s->res1]);
  sb_printf(b, " (local $ra i32)");
  for (uint32_t i = 0; i < dg.nlocals; i++) sb_printf(b, " (local $q%u i32) (local $n%u i32)", i, i);
  sb_printf(b, "\n");
  if (s->retptr)
    sb_printf(b, "        (local.set $ra (call $realloc (i32.const 0) (i32.const 0) (i32.const %u) (i32.const %u)))\n",
              alignment(c->result), elem_size(c->result));
  sb_printf(b, "        (call $f");
  for (uint32_t i = 0; i < s->nlift_p; i++) sb_printf(b, " (local.get %u)", i);
  if (s->retptr) sb_printf(b, " (local.get $ra)");
  sb_printf(b, ")\n");
  /* a callee drops the borrows it was given (CanonicalABI.md: borrow_scope, num_borrows) */
  if (nb && !leak) sb_put(b, drops.p, drops.n);
  sb_free(&drops);
  if (s->retptr) sb_printf(b, "        (local.get $ra)\n");
  sb_printf(b, "      ))\n");
  sb_printf(b, "    (core instance $ai (instantiate $a (with \"\" (instance (export \"f\" (func $fl))"
               " (export \"realloc\" (func $libc \"realloc\")) (export \"mem\" (memory $libc \"mem\"))");
  if (nb) sb_printf(b, " (export \"drop\" (func $drop))");
  sb_printf(b, "))))\n    (func (export \"f\")");
  emit_functype(b, c);
  sb_printf(b, " (canon lift (core func $ai \"f\")");
  emit_opts(b, r, enc, need_mem);
  if (chance(r, 7, 8)) sb_printf(b, " (post-return (core func $libc \"post\"))");
  sb_printf(b, ")))\n");
}

bool rt_case_gen(rt_case_t *c, rt_rand_t *r, const rt_opts_t *o) {
  memset(c, 0, sizeof *c);
  rt_opts_t dflt = {20, 4, 80, false, false, false};
  if (!o) o = &dflt;
  c->budget = o->max_nodes;
  uint32_t np;
  switch (rt_below(r, 8)) {
  case 0: np = 0; break;
  case 1: case 2: case 3: np = 1 + rt_below(r, 4); break;
  case 4: case 5: np = 1 + rt_below(r, 10); break;
  default: np = rt_below(r, o->max_params + 1); break;
  }
  c->params = np ? calloc(np, sizeof *c->params) : NULL;
  if (np && !c->params) return false;
  c->nparams = np;
  for (uint32_t i = 0; i < np; i++) c->params[i] = gen_type(c, r, o, 0, true);
  if (chance(r, 3, 4)) c->result = gen_type(c, r, o, 0, false);
  if (c->oom) return false;
  c->nstages = 1 + (chance(r, 1, 2) ? 0 : chance(r, 2, 3) ? 1 : 2);
  for (uint32_t k = 0; k < c->nstages; k++) c->enc[k] = (int)rt_below(r, 3);
  /* a stage that does not drop the borrows it is given: calls passing borrows must trap */
  bool borrows = false;
  for (uint32_t i = 0; i < np; i++) borrows = borrows || has_borrows(c->params[i]);
  if (borrows && o->invalid && chance(r, 1, 6)) c->leaky_stage = 1 + rt_below(r, c->nstages);
  /* a stage whose realloc misbehaves: calls may trap (and must not do worse) */
  if (!c->leaky_stage && o->invalid && chance(r, 1, 16)) c->bad_realloc_stage = 1 + rt_below(r, c->nstages);

  sig_t s;
  sig_compute(c, &s);
  sb_t b = {0};
  sb_printf(&b, "(component\n");
  emit_type_imports(&b, c, "  ");
  sb_printf(&b, "  (import \"f\" (func $f");
  emit_functype(&b, c);
  sb_printf(&b, "))\n");
  for (uint32_t k = 1; k <= c->nstages; k++) {
    emit_stage(&b, r, c, &s, k, c->enc[k - 1]);
    sb_printf(&b, "  (instance $i%u (instantiate $s%u", k, k);
    if (k == 1) sb_printf(&b, " (with \"f\" (func $f))");
    else sb_printf(&b, " (with \"f\" (func $i%u \"f\"))", k - 1);
    if (c->uses_resources) sb_printf(&b, " (with \"r\" (type $r))");
    for (uint32_t i = 0; i < c->nnamed; i++) sb_printf(&b, " (with \"t%u\" (type $t%u))", i, i);
    sb_printf(&b, "))\n");
  }
  sb_printf(&b, "  (export \"f\" (func $i%u \"f\"))\n)\n", c->nstages);
  sig_free(&s);
  if (b.oom || s.params.oom || s.results.oom) {
    sb_free(&b);
    return false;
  }
  c->text = b.p;
  c->text_len = b.n;
  return true;
}

static void type_str(sb_t *b, const rt_type_t *t) {
  static const char *const prim[] = {"bool", "s8",  "u8",  "s16", "u16", "s32",  "u32",
                                     "s64",  "u64", "f32", "f64", "char", "string"};
  switch (t->kind) {
  case WELD_CK_LIST:
    sb_printf(b, "list<");
    type_str(b, t->m[0]);
    sb_printf(b, ">");
    break;
  case WELD_CK_OPTION:
    sb_printf(b, "option<");
    type_str(b, t->m[0]);
    sb_printf(b, ">");
    break;
  case WELD_CK_RESULT:
    sb_printf(b, "result<");
    if (t->m[0]) type_str(b, t->m[0]);
    else sb_printf(b, "_");
    if (t->m[1]) {
      sb_printf(b, ", ");
      type_str(b, t->m[1]);
    }
    sb_printf(b, ">");
    break;
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
  case WELD_CK_VARIANT:
    sb_printf(b, "%s{", t->kind == WELD_CK_RECORD ? "record" : t->kind == WELD_CK_TUPLE ? "tuple" : "variant");
    for (uint32_t i = 0; i < t->n; i++) {
      if (i) sb_printf(b, ", ");
      if (t->m[i]) type_str(b, t->m[i]);
      else sb_printf(b, "_");
    }
    sb_printf(b, "}");
    break;
  case WELD_CK_ENUM: sb_printf(b, "enum(%u)", t->n); break;
  case WELD_CK_FLAGS: sb_printf(b, "flags(%u)", t->n); break;
  case WELD_CK_OWN: sb_printf(b, "own<r>"); break;
  case WELD_CK_BORROW: sb_printf(b, "borrow<r>"); break;
  default: sb_printf(b, "%s", prim[t->kind - WELD_CK_BOOL]); break;
  }
}

char *rt_type_str(const rt_type_t *t) {
  sb_t b = {0};
  type_str(&b, t);
  if (b.oom) {
    sb_free(&b);
    return NULL;
  }
  return b.p;
}

/* ================================================================ values */

typedef struct vbudget {
  uint32_t nodes; /* values */
  uint32_t chars; /* string characters */
} vbudget_t;

static size_t utf8_put(char *o, uint32_t c) {
  if (c < 0x80) {
    o[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    o[0] = (char)(0xC0 | c >> 6);
    o[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    o[0] = (char)(0xE0 | c >> 12);
    o[1] = (char)(0x80 | (c >> 6 & 0x3F));
    o[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | c >> 18);
  o[1] = (char)(0x80 | (c >> 12 & 0x3F));
  o[2] = (char)(0x80 | (c >> 6 & 0x3F));
  o[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* A Unicode scalar value from a class: 0 ASCII, 1 Latin-1, 2 BMP, 3 any. */
static uint32_t gen_scalar(rt_rand_t *r, unsigned cls) {
  static const uint32_t edges[] = {0, 0x7F, 0x80, 0xFF, 0x100, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF};
  if (cls >= 2 && chance(r, 1, 8)) {
    uint32_t c = edges[rt_below(r, sizeof edges / sizeof edges[0])];
    if (cls == 2 && c > 0xFFFF) c = 0xFFFF;
    return c;
  }
  switch (cls) {
  case 0: return rt_below(r, 0x80);
  case 1: return rt_below(r, 0x100);
  case 2: {
    uint32_t c = rt_below(r, 0x10000 - 0x800);
    return c < 0xD800 ? c : c + 0x800;
  }
  default: {
    uint32_t c = rt_below(r, 0x110000 - 0x800);
    return c < 0xD800 ? c : c + 0x800;
  }
  }
}

static bool gen_string(weld_cval_t *v, rt_rand_t *r, vbudget_t *bud) {
  uint32_t n;
  switch (rt_below(r, 16)) {
  case 0: case 1: n = 0; break;
  case 2: case 3: n = 100 + rt_below(r, 400); break; /* long: transcoders grow and shrink */
  case 4: n = chance(r, 1, 4) ? 1000 + rt_below(r, 40000) : 24 + rt_below(r, 100); break;
  default: n = rt_below(r, 24); break;
  }
  if (n > bud->chars) n = bud->chars;
  bud->chars -= n;
  /* 0 ASCII, 1 Latin-1, 2 BMP, 3 anything, 4 Latin-1 then something wider at a random point
   * (latin1+utf16 must switch encodings midway), 5 per character */
  unsigned mode = rt_below(r, 6), wide_at = n ? rt_below(r, n) : 0;
  char *buf = malloc((size_t)n * 4 + 1);
  if (!buf) return weld_cval_string(v, "", 0) && false;
  size_t len = 0;
  for (uint32_t i = 0; i < n; i++) {
    unsigned cls = mode <= 3 ? mode : mode == 4 ? (i == wide_at ? 2 + rt_below(r, 2) : 1) : rt_below(r, 4);
    len += utf8_put(buf + len, gen_scalar(r, cls));
  }
  bool ok = weld_cval_string(v, buf, len);
  free(buf);
  return ok;
}

static uint64_t gen_int_bits(rt_rand_t *r, unsigned bits, bool is_signed) {
  uint64_t mask = bits == 64 ? UINT64_MAX : (1ull << bits) - 1, v;
  switch (rt_below(r, 8)) {
  case 0: v = 0; break;
  case 1: v = mask; break;                                        /* -1 / max */
  case 2: v = is_signed ? mask >> 1 : 1; break;                   /* signed max */
  case 3: v = is_signed ? (mask >> 1) + 1 : mask - 1; break;      /* signed min */
  default: v = rt_u64(r); break;
  }
  return v & mask;
}

static uint32_t gen_f32_bits(rt_rand_t *r) {
  uint32_t sign = (uint32_t)rt_below(r, 2) << 31;
  switch (rt_below(r, 10)) {
  case 0: return sign | 0x7fc00000u;                                      /* canonical NaN */
  case 1: return sign | 0x7f800000u | (1 + rt_below(r, 0x7fffff));        /* NaN with a payload */
  case 2: return sign | 0x7f800000u;                                      /* infinity */
  case 3: return sign;                                                    /* +-0 */
  case 4: return sign | (1 + rt_below(r, 0x7fffff));                      /* subnormal */
  default: return (uint32_t)rt_u64(r);
  }
}

static uint64_t gen_f64_bits(rt_rand_t *r) {
  uint64_t sign = (uint64_t)rt_below(r, 2) << 63, frac = rt_u64(r) & 0xfffffffffffffull;
  switch (rt_below(r, 10)) {
  case 0: return sign | 0x7ff8000000000000ull;
  case 1: return sign | 0x7ff0000000000000ull | (frac ? frac : 1);
  case 2: return sign | 0x7ff0000000000000ull;
  case 3: return sign;
  case 4: return sign | (frac ? frac : 1);
  default: return rt_u64(r);
  }
}

static size_t number_size(weld_ckind_t k) {
  switch (k) {
  case WELD_CK_S8:
  case WELD_CK_U8: return 1;
  case WELD_CK_S16:
  case WELD_CK_U16: return 2;
  case WELD_CK_S64:
  case WELD_CK_U64:
  case WELD_CK_F64: return 8;
  default: return 4;
  }
}

/* A LIST of numbers of kind elem, made an ARRAY (the packed form). */
static bool to_array(weld_cval_t *v, weld_ckind_t elem) {
  size_t n = v->of.items.len, es = number_size(elem);
  uint8_t *buf = malloc(n * es + 1);
  if (!buf) return false;
  for (size_t i = 0; i < n; i++) {
    const weld_cval_t *x = &v->of.items.ptr[i];
    const void *src = es == 1 ? (const void *)&x->of.u8 : es == 2 ? (const void *)&x->of.u16
                      : es == 4 ? (elem == WELD_CK_F32 ? (const void *)&x->of.f32 : (const void *)&x->of.u32)
                                : (elem == WELD_CK_F64 ? (const void *)&x->of.f64 : (const void *)&x->of.u64);
    memcpy(buf + i * es, src, es);
  }
  weld_cval_t a;
  bool ok = weld_cval_array(&a, elem, buf, n);
  free(buf);
  if (!ok) return false;
  weld_cval_drop(v);
  *v = a;
  return true;
}

static bool gen_value(weld_cval_t *v, const rt_type_t *t, rt_rand_t *r, vbudget_t *bud) {
  memset(v, 0, sizeof *v);
  v->kind = t->kind;
  if (bud->nodes) bud->nodes--;
  switch (t->kind) {
  case WELD_CK_BOOL: v->of.b = rt_below(r, 2); return true;
  case WELD_CK_S8: v->of.s8 = (int8_t)gen_int_bits(r, 8, true); return true;
  case WELD_CK_U8: v->of.u8 = (uint8_t)gen_int_bits(r, 8, false); return true;
  case WELD_CK_S16: v->of.s16 = (int16_t)gen_int_bits(r, 16, true); return true;
  case WELD_CK_U16: v->of.u16 = (uint16_t)gen_int_bits(r, 16, false); return true;
  case WELD_CK_S32: v->of.s32 = (int32_t)gen_int_bits(r, 32, true); return true;
  case WELD_CK_U32: v->of.u32 = (uint32_t)gen_int_bits(r, 32, false); return true;
  case WELD_CK_S64: v->of.s64 = (int64_t)gen_int_bits(r, 64, true); return true;
  case WELD_CK_U64: v->of.u64 = gen_int_bits(r, 64, false); return true;
  case WELD_CK_F32: {
    uint32_t bits = gen_f32_bits(r);
    memcpy(&v->of.f32, &bits, 4);
    return true;
  }
  case WELD_CK_F64: {
    uint64_t bits = gen_f64_bits(r);
    memcpy(&v->of.f64, &bits, 8);
    return true;
  }
  case WELD_CK_CHAR: v->of.ch = gen_scalar(r, rt_below(r, 4)); return true;
  case WELD_CK_STRING: return gen_string(v, r, bud);
  case WELD_CK_LIST: {
    uint32_t n;
    switch (rt_below(r, 8)) {
    case 0: n = 0; break;
    case 1: n = rt_below(r, 300); break;
    case 2: n = rt_type_is_scalar(t->m[0]) && chance(r, 1, 4) ? rt_below(r, 20000) : rt_below(r, 12); break;
    default: n = rt_below(r, 6); break;
    }
    if (n > bud->nodes) n = bud->nodes;
    if (!weld_cval_items(v, WELD_CK_LIST, n)) return false;
    for (uint32_t i = 0; i < n; i++)
      if (!gen_value(&v->of.items.ptr[i], t->m[0], r, bud)) return false;
    /* a list of numbers may also be given packed (weld lifts it that way) */
    if (t->m[0]->kind >= WELD_CK_S8 && t->m[0]->kind <= WELD_CK_F64 && chance(r, 1, 2)) return to_array(v, t->m[0]->kind);
    return true;
  }
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (!weld_cval_items(v, t->kind, t->n)) return false;
    for (uint32_t i = 0; i < t->n; i++)
      if (!gen_value(&v->of.items.ptr[i], t->m[i], r, bud)) return false;
    return true;
  case WELD_CK_VARIANT: {
    uint32_t i = rt_below(r, t->n);
    if (t->n > 16 && chance(r, 1, 2)) { /* prefer the cases with payloads, and the last one */
      for (uint32_t j = 0; j < t->n; j++)
        if (t->m[j] && chance(r, 1, 2)) i = j;
      if (chance(r, 1, 4)) i = t->n - 1;
    }
    v->of.variant.index = i;
    if (!t->m[i]) return true;
    weld_cval_t p;
    bool ok = gen_value(&p, t->m[i], r, bud);
    if (!weld_cval_box(&v->of.variant.payload, &p)) {
      weld_cval_drop(&p);
      return false;
    }
    return ok;
  }
  case WELD_CK_ENUM: v->of.index = chance(r, 1, 4) ? t->n - 1 : rt_below(r, t->n); return true;
  case WELD_CK_OPTION: {
    if (chance(r, 1, 3)) return true;
    weld_cval_t p;
    bool ok = gen_value(&p, t->m[0], r, bud);
    if (!weld_cval_box(&v->of.option, &p)) {
      weld_cval_drop(&p);
      return false;
    }
    return ok;
  }
  case WELD_CK_RESULT: {
    v->of.result.is_err = rt_below(r, 2);
    const rt_type_t *pt = t->m[v->of.result.is_err];
    if (!pt) return true;
    weld_cval_t p;
    bool ok = gen_value(&p, pt, r, bud);
    if (!weld_cval_box(&v->of.result.payload, &p)) {
      weld_cval_drop(&p);
      return false;
    }
    return ok;
  }
  case WELD_CK_FLAGS: {
    if (!weld_cval_flags(v, t->n)) return false;
    uint32_t bits = (uint32_t)rt_u64(r);
    if (chance(r, 1, 4)) bits = chance(r, 1, 2) ? 0 : UINT32_MAX;
    v->of.flags.bits[0] = t->n >= 32 ? bits : bits & ((1u << t->n) - 1);
    return true;
  }
  case WELD_CK_OWN:
  case WELD_CK_BORROW:
    v->kind = WELD_CK_U32; /* rep form */
    v->of.u32 = (uint32_t)rt_u64(r);
    return true;
  default: return false;
  }
}

bool rt_value_gen(weld_cval_t *v, const rt_type_t *t, rt_rand_t *r) {
  vbudget_t bud = {30000, 60000};
  return gen_value(v, t, r, &bud);
}

static bool has_resources(const rt_type_t *t) {
  if (!t) return false;
  if (t->kind == WELD_CK_OWN || t->kind == WELD_CK_BORROW) return true;
  uint32_t n = t->kind == WELD_CK_VARIANT || t->kind == WELD_CK_RECORD || t->kind == WELD_CK_TUPLE ? t->n
               : t->kind == WELD_CK_RESULT                                                       ? 2
               : t->kind == WELD_CK_OPTION || t->kind == WELD_CK_LIST                            ? 1
                                                                                                  : 0;
  for (uint32_t i = 0; i < n; i++)
    if (has_resources(t->m[i])) return true;
  return false;
}

static bool boxed(weld_cval_t **slot, const weld_cval_t *src, const rt_type_t *t, weld_store_t *s,
                  weld_resource_type_t *rt) {
  *slot = NULL;
  if (!src) return true;
  weld_cval_t p;
  bool ok = rt_materialize(&p, src, t, s, rt);
  if (!weld_cval_box(slot, &p)) {
    weld_cval_drop(&p);
    return false;
  }
  return ok;
}

bool rt_materialize(weld_cval_t *out, const weld_cval_t *v, const rt_type_t *t, weld_store_t *store,
                    weld_resource_type_t *rt) {
  if (!has_resources(t)) return weld_cval_clone(out, v);
  memset(out, 0, sizeof *out);
  out->kind = t->kind;
  switch (t->kind) {
  case WELD_CK_OWN:
  case WELD_CK_BORROW:
    out->of.resource = t->kind == WELD_CK_OWN ? weld_resource_new_own(store, rt, v->of.u32)
                                              : weld_resource_new_borrow(store, rt, v->of.u32);
    return out->of.resource != NULL;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (!weld_cval_items(out, t->kind, v->of.items.len)) return false;
    for (size_t i = 0; i < v->of.items.len; i++)
      if (!rt_materialize(&out->of.items.ptr[i], &v->of.items.ptr[i], t->kind == WELD_CK_LIST ? t->m[0] : t->m[i],
                          store, rt))
        return false;
    return true;
  case WELD_CK_VARIANT:
    out->of.variant.index = v->of.variant.index;
    return boxed(&out->of.variant.payload, v->of.variant.payload, t->m[v->of.variant.index], store, rt);
  case WELD_CK_OPTION: return boxed(&out->of.option, v->of.option, t->m[0], store, rt);
  case WELD_CK_RESULT:
    out->of.result.is_err = v->of.result.is_err;
    return boxed(&out->of.result.payload, v->of.result.payload, t->m[v->of.result.is_err], store, rt);
  default: return weld_cval_clone(out, v);
  }
}

/* How many borrow handles a (rep-form) value holds. */
static uint64_t count_borrows(const weld_cval_t *v, const rt_type_t *t) {
  if (!v || !t || !has_borrows(t)) return 0;
  uint64_t n = 0;
  switch (t->kind) {
  case WELD_CK_BORROW: return 1;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++)
      n += count_borrows(&v->of.items.ptr[i], t->kind == WELD_CK_LIST ? t->m[0] : t->m[i]);
    return n;
  case WELD_CK_VARIANT: return count_borrows(v->of.variant.payload, t->m[v->of.variant.index]);
  case WELD_CK_OPTION: return count_borrows(v->of.option, t->m[0]);
  case WELD_CK_RESULT: return count_borrows(v->of.result.payload, t->m[v->of.result.is_err]);
  default: return 0;
  }
}

static void release_walk(weld_cval_t *v, const rt_type_t *t) {
  if (!t || !has_resources(t)) return;
  switch (v->kind) {
  case WELD_CK_BORROW:
    weld_resource_forget(v->of.resource);
    v->of.resource = NULL;
    break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++)
      release_walk(&v->of.items.ptr[i], t->kind == WELD_CK_LIST ? t->m[0] : t->m[i]);
    break;
  case WELD_CK_VARIANT:
    if (v->of.variant.payload) release_walk(v->of.variant.payload, t->m[v->of.variant.index]);
    break;
  case WELD_CK_OPTION:
    if (v->of.option) release_walk(v->of.option, t->m[0]);
    break;
  case WELD_CK_RESULT:
    if (v->of.result.payload) release_walk(v->of.result.payload, t->m[v->of.result.is_err]);
    break;
  default: break; /* own handles were moved */
  }
}

void rt_release(weld_cval_t *v, const rt_type_t *t) {
  release_walk(v, t);
  weld_cval_drop(v);
}

static void forget_walk(const weld_cval_t *v) {
  switch (v->kind) {
  case WELD_CK_OWN:
  case WELD_CK_BORROW: weld_resource_forget(v->of.resource); break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) forget_walk(&v->of.items.ptr[i]);
    break;
  case WELD_CK_VARIANT:
    if (v->of.variant.payload) forget_walk(v->of.variant.payload);
    break;
  case WELD_CK_OPTION:
    if (v->of.option) forget_walk(v->of.option);
    break;
  case WELD_CK_RESULT:
    if (v->of.result.payload) forget_walk(v->of.result.payload);
    break;
  default: break;
  }
}

void rt_forget_all(weld_cval_t *v) {
  forget_walk(v);
  weld_cval_drop(v);
}

/* ---------------------------------------------------------------- equality */

static bool mismatch(char *why, size_t n, const char *path, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool mismatch(char *why, size_t n, const char *path, const char *fmt, ...) {
  if (!why || !n) return false;
  int k = snprintf(why, n, "at %s: ", path[0] ? path : "(top)");
  if (k < 0 || (size_t)k >= n) return false;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why + k, n - (size_t)k, fmt, ap);
  va_end(ap);
  return false;
}

static void path_push(char *path, size_t cap, const char *fmt, size_t i) {
  size_t l = strlen(path);
  if (l < cap) snprintf(path + l, cap - l, fmt, i);
}

static bool eq_walk(const rt_type_t *t, const weld_cval_t *e, const weld_cval_t *g, char *path, size_t pcap, char *why,
                    size_t wn);

static bool eq_box(const rt_type_t *t, const weld_cval_t *e, const weld_cval_t *g, char *path, size_t pcap, char *why,
                   size_t wn) {
  if (!t) {
    if (e || g) return mismatch(why, wn, path, "payload where the case has none");
    return true;
  }
  if (!e || !g) return mismatch(why, wn, path, "payload missing (expected %s, got %s)", e ? "one" : "none", g ? "one" : "none");
  return eq_walk(t, e, g, path, pcap, why, wn);
}

static bool eq_walk(const rt_type_t *t, const weld_cval_t *e, const weld_cval_t *g, char *path, size_t pcap, char *why,
                    size_t wn) {
  size_t plen = strlen(path);
  bool res = true;
  if (t->kind == WELD_CK_LIST && (g->kind == WELD_CK_ARRAY || e->kind == WELD_CK_ARRAY)) {
    /* a list of numbers in its packed form: compare element by element */
    size_t n = weld_cval_len(e);
    if (weld_cval_len(g) != n) return mismatch(why, wn, path, "%zu items, expected %zu", weld_cval_len(g), n);
    for (size_t i = 0; i < n && res; i++) {
      weld_cval_t ei, gi;
      weld_cval_element(e, i, &ei);
      weld_cval_element(g, i, &gi);
      path_push(path, pcap, "[%zu]", i);
      res = eq_walk(t->m[0], &ei, &gi, path, pcap, why, wn);
      path[plen] = 0;
    }
    return res;
  }
  if (t->kind == WELD_CK_OWN || t->kind == WELD_CK_BORROW) {
    if (g->kind != t->kind) return mismatch(why, wn, path, "kind %d, expected %d", (int)g->kind, (int)t->kind);
    uint32_t rep = 0;
    weld_error_t *err = weld_resource_rep(g->of.resource, &rep);
    if (err) {
      mismatch(why, wn, path, "resource: %s", weld_error_message(err));
      weld_error_delete(err);
      return false;
    }
    if (rep != e->of.u32) return mismatch(why, wn, path, "resource rep %u, expected %u", rep, e->of.u32);
    if (weld_resource_is_own(g->of.resource) != (t->kind == WELD_CK_OWN))
      return mismatch(why, wn, path, "handle is%s own", weld_resource_is_own(g->of.resource) ? "" : " not");
    return true;
  }
  if (g->kind != t->kind || e->kind != t->kind)
    return mismatch(why, wn, path, "kind %d, expected %d", (int)g->kind, (int)t->kind);
  switch (t->kind) {
  case WELD_CK_BOOL:
    if (g->of.b != e->of.b) return mismatch(why, wn, path, "bool %d, expected %d", g->of.b, e->of.b);
    return true;
  case WELD_CK_S8:
  case WELD_CK_U8:
  case WELD_CK_S16:
  case WELD_CK_U16:
  case WELD_CK_S32:
  case WELD_CK_U32:
  case WELD_CK_S64:
  case WELD_CK_U64:
  case WELD_CK_CHAR:
  case WELD_CK_ENUM: {
    uint64_t a = rt_to_word(t, e), b = rt_to_word(t, g);
    if (a != b) return mismatch(why, wn, path, "0x%llx, expected 0x%llx", (unsigned long long)b, (unsigned long long)a);
    return true;
  }
  case WELD_CK_F32: {
    uint32_t a, b;
    memcpy(&a, &e->of.f32, 4);
    memcpy(&b, &g->of.f32, 4);
    if (isnan(e->of.f32) && isnan(g->of.f32)) return true;
    if (a != b) return mismatch(why, wn, path, "f32 bits 0x%08x, expected 0x%08x", b, a);
    return true;
  }
  case WELD_CK_F64: {
    uint64_t a, b;
    memcpy(&a, &e->of.f64, 8);
    memcpy(&b, &g->of.f64, 8);
    if (isnan(e->of.f64) && isnan(g->of.f64)) return true;
    if (a != b) return mismatch(why, wn, path, "f64 bits 0x%016llx, expected 0x%016llx", (unsigned long long)b, (unsigned long long)a);
    return true;
  }
  case WELD_CK_STRING:
    if (g->of.str.len != e->of.str.len || (e->of.str.len && memcmp(g->of.str.ptr, e->of.str.ptr, e->of.str.len)))
      return mismatch(why, wn, path, "string \"%.*s\" (%zu bytes), expected \"%.*s\" (%zu bytes)",
                      (int)(g->of.str.len > 60 ? 60 : g->of.str.len), g->of.str.ptr ? g->of.str.ptr : "", g->of.str.len,
                      (int)(e->of.str.len > 60 ? 60 : e->of.str.len), e->of.str.ptr ? e->of.str.ptr : "", e->of.str.len);
    return true;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (g->of.items.len != e->of.items.len)
      return mismatch(why, wn, path, "%zu items, expected %zu", g->of.items.len, e->of.items.len);
    for (size_t i = 0; i < e->of.items.len && res; i++) {
      path_push(path, pcap, t->kind == WELD_CK_LIST ? "[%zu]" : ".%zu", i);
      res = eq_walk(t->kind == WELD_CK_LIST ? t->m[0] : t->m[i], &e->of.items.ptr[i], &g->of.items.ptr[i], path, pcap,
                    why, wn);
      path[plen] = 0;
    }
    return res;
  case WELD_CK_VARIANT:
    if (g->of.variant.index != e->of.variant.index)
      return mismatch(why, wn, path, "case %u, expected %u", g->of.variant.index, e->of.variant.index);
    path_push(path, pcap, "<c%zu>", e->of.variant.index);
    res = eq_box(t->m[e->of.variant.index], e->of.variant.payload, g->of.variant.payload, path, pcap, why, wn);
    path[plen] = 0;
    return res;
  case WELD_CK_OPTION:
    if (!e->of.option != !g->of.option)
      return mismatch(why, wn, path, "%s, expected %s", g->of.option ? "some" : "none", e->of.option ? "some" : "none");
    if (!e->of.option) return true;
    path_push(path, pcap, "<some>", 0);
    res = eq_walk(t->m[0], e->of.option, g->of.option, path, pcap, why, wn);
    path[plen] = 0;
    return res;
  case WELD_CK_RESULT:
    if (g->of.result.is_err != e->of.result.is_err)
      return mismatch(why, wn, path, "%s, expected %s", g->of.result.is_err ? "err" : "ok", e->of.result.is_err ? "err" : "ok");
    path_push(path, pcap, e->of.result.is_err ? "<err>" : "<ok>", 0);
    res = eq_box(t->m[e->of.result.is_err], e->of.result.payload, g->of.result.payload, path, pcap, why, wn);
    path[plen] = 0;
    return res;
  case WELD_CK_FLAGS: {
    size_t nw = (t->n + 31) / 32;
    for (size_t w = 0; w < nw || w < g->of.flags.nwords; w++) {
      uint32_t a = w < e->of.flags.nwords ? e->of.flags.bits[w] : 0, b = w < g->of.flags.nwords ? g->of.flags.bits[w] : 0;
      if (a != b) return mismatch(why, wn, path, "flags word %zu 0x%x, expected 0x%x", w, b, a);
    }
    return true;
  }
  default: return mismatch(why, wn, path, "unexpected kind %d", (int)t->kind);
  }
}

bool rt_equal(const rt_type_t *t, const weld_cval_t *expected, const weld_cval_t *got, char *why, size_t whylen) {
  char path[256] = "";
  if (why && whylen) why[0] = 0;
  return eq_walk(t, expected, got, path, sizeof path, why, whylen);
}

/* ---------------------------------------------------------------- flat words */

bool rt_type_is_scalar(const rt_type_t *t) {
  return (t->kind >= WELD_CK_BOOL && t->kind <= WELD_CK_CHAR) || t->kind == WELD_CK_ENUM || t->kind == WELD_CK_FLAGS;
}

uint64_t rt_to_word(const rt_type_t *t, const weld_cval_t *v) {
  switch (t->kind) {
  case WELD_CK_BOOL: return v->of.b;
  case WELD_CK_S8: return (uint64_t)(int64_t)v->of.s8;
  case WELD_CK_U8: return v->of.u8;
  case WELD_CK_S16: return (uint64_t)(int64_t)v->of.s16;
  case WELD_CK_U16: return v->of.u16;
  case WELD_CK_S32: return (uint64_t)(int64_t)v->of.s32;
  case WELD_CK_U32: return v->of.u32;
  case WELD_CK_S64: return (uint64_t)v->of.s64;
  case WELD_CK_U64: return v->of.u64;
  case WELD_CK_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    return b;
  }
  case WELD_CK_F64: {
    uint64_t b;
    memcpy(&b, &v->of.f64, 8);
    return b;
  }
  case WELD_CK_CHAR: return v->of.ch;
  case WELD_CK_ENUM: return v->of.index;
  case WELD_CK_FLAGS: return v->of.flags.nwords ? v->of.flags.bits[0] : 0;
  default: return 0;
  }
}

void rt_from_word(const rt_type_t *t, uint64_t w, weld_cval_t *out) {
  memset(out, 0, sizeof *out);
  out->kind = t->kind;
  switch (t->kind) {
  case WELD_CK_BOOL: out->of.b = w != 0; break;
  case WELD_CK_S8: out->of.s8 = (int8_t)w; break;
  case WELD_CK_U8: out->of.u8 = (uint8_t)w; break;
  case WELD_CK_S16: out->of.s16 = (int16_t)w; break;
  case WELD_CK_U16: out->of.u16 = (uint16_t)w; break;
  case WELD_CK_S32: out->of.s32 = (int32_t)w; break;
  case WELD_CK_U32: out->of.u32 = (uint32_t)w; break;
  case WELD_CK_S64: out->of.s64 = (int64_t)w; break;
  case WELD_CK_U64: out->of.u64 = w; break;
  case WELD_CK_F32: {
    uint32_t b = (uint32_t)w;
    memcpy(&out->of.f32, &b, 4);
    break;
  }
  case WELD_CK_F64: memcpy(&out->of.f64, &w, 8); break;
  case WELD_CK_CHAR: out->of.ch = (uint32_t)w; break;
  case WELD_CK_ENUM: out->of.index = (uint32_t)w; break;
  case WELD_CK_FLAGS:
    if (weld_cval_flags(out, t->n)) out->of.flags.bits[0] = (uint32_t)w;
    break;
  default: break;
  }
}

/* ---------------------------------------------------------------- invalid values */

/* Values that are not values of their type, to check that weld refuses them cleanly: an
 * argument of the wrong type is an error before anything runs, a host result of the wrong
 * type a trap. */
typedef struct pick {
  weld_cval_t *node;
  const rt_type_t *t;
  uint32_t seen;
} pick_t;

static bool corruptible(const rt_type_t *t, const weld_cval_t *v) {
  if (v->kind == WELD_CK_ARRAY) return true;
  switch (t->kind) {
  case WELD_CK_STRING: return v->of.str.len > 0;
  case WELD_CK_FLAGS: return t->n < 32;
  case WELD_CK_ENUM:
  case WELD_CK_VARIANT: return true;
  default: return t->kind >= WELD_CK_BOOL && t->kind <= WELD_CK_CHAR;
  }
}

static void collect(weld_cval_t *v, const rt_type_t *t, rt_rand_t *r, pick_t *p) {
  if (!t || !v) return;
  if (corruptible(t, v) && rt_below(r, ++p->seen) == 0) {
    p->node = v;
    p->t = t;
  }
  if (v->kind == WELD_CK_ARRAY) return;
  switch (t->kind) {
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) collect(&v->of.items.ptr[i], t->kind == WELD_CK_LIST ? t->m[0] : t->m[i], r, p);
    break;
  case WELD_CK_VARIANT: collect(v->of.variant.payload, t->m[v->of.variant.index], r, p); break;
  case WELD_CK_OPTION: collect(v->of.option, t->m[0], r, p); break;
  case WELD_CK_RESULT: collect(v->of.result.payload, t->m[v->of.result.is_err], r, p); break;
  default: break;
  }
}

/* Makes one random part of v invalid for its type; false if v has no such part. */
static bool corrupt(weld_cval_t *v, const rt_type_t *t, rt_rand_t *r) {
  pick_t p = {NULL, NULL, 0};
  collect(v, t, r, &p);
  if (!p.node) return false;
  weld_cval_t *n = p.node;
  uint32_t lim = p.t->n;
  if (n->kind == WELD_CK_ARRAY) { /* another element kind of the same size */
    static const weld_ckind_t same[][3] = {{WELD_CK_S8, WELD_CK_U8, WELD_CK_U8},
                                           {WELD_CK_S16, WELD_CK_U16, WELD_CK_U16},
                                           {WELD_CK_S32, WELD_CK_U32, WELD_CK_F32},
                                           {WELD_CK_S64, WELD_CK_U64, WELD_CK_F64}};
    for (size_t g = 0; g < 4; g++)
      for (size_t j = 0; j < 3; j++)
        if (same[g][j] == n->of.array.elem) {
          weld_ckind_t k;
          do k = same[g][rt_below(r, 3)];
          while (k == n->of.array.elem);
          n->of.array.elem = k;
          return true;
        }
    return false;
  }
  switch (p.t->kind) {
  case WELD_CK_STRING: n->of.str.ptr[rt_below(r, (uint32_t)n->of.str.len)] = (char)0xFF; return true;
  case WELD_CK_FLAGS: n->of.flags.bits[0] |= 1u << (lim + rt_below(r, 32 - lim)); return true;
  case WELD_CK_VARIANT: n->of.variant.index = lim + rt_below(r, 3); return true;
  case WELD_CK_ENUM:
    if (chance(r, 1, 2)) {
      n->of.index = lim + rt_below(r, 3);
      return true;
    }
    break;
  case WELD_CK_CHAR:
    if (chance(r, 1, 2)) {
      n->of.ch = chance(r, 1, 2) ? 0xD800 + rt_below(r, 0x800) : 0x110000 + rt_below(r, 1u << 20);
      return true;
    }
    break;
  default: break;
  }
  /* another scalar kind (these own nothing) */
  weld_ckind_t k;
  do k = (weld_ckind_t)(WELD_CK_BOOL + rt_below(r, WELD_CK_CHAR - WELD_CK_BOOL + 1));
  while (k == p.t->kind || k == WELD_CK_STRING);
  n->kind = k;
  return true;
}

/* An invalid flat word for a scalar type, if it has one (char, enum, flags of < 32). */
static bool corrupt_word(const rt_type_t *t, uint64_t *w, rt_rand_t *r) {
  switch (t->kind) {
  case WELD_CK_CHAR: *w = chance(r, 1, 2) ? 0xD800 + rt_below(r, 0x800) : 0x110000 + rt_below(r, 1u << 20); return true;
  case WELD_CK_ENUM: *w = t->n + rt_below(r, 3); return true;
  case WELD_CK_FLAGS:
    if (t->n >= 32) return false;
    *w |= 1u << (t->n + rt_below(r, 32 - t->n));
    return true;
  default: return false;
  }
}

/* ================================================================ runner */

/* The type weld reflects (weld_ctype_*) is the one generated: kinds, member counts, names. */
static bool ctype_matches(const weld_ctype_t *ct, const rt_type_t *t, unsigned depth) {
  if (!ct || !t || depth > 64) return !ct && !t;
  if (weld_ctype_kind(ct) != t->kind) return false;
  switch (t->kind) {
  case WELD_CK_LIST:
  case WELD_CK_OPTION:
    return weld_ctype_count(ct) == 1 && ctype_matches(weld_ctype_member(ct, 0), t->m[0], depth + 1);
  case WELD_CK_RESULT:
    return weld_ctype_count(ct) == 2 && ctype_matches(weld_ctype_member(ct, 0), t->m[0], depth + 1) &&
           ctype_matches(weld_ctype_member(ct, 1), t->m[1], depth + 1);
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
  case WELD_CK_VARIANT:
  case WELD_CK_ENUM:
  case WELD_CK_FLAGS:
    if (weld_ctype_count(ct) != t->n) return false;
    for (uint32_t i = 0; i < t->n; i++) {
      char want[16];
      const char *name = weld_ctype_name(ct, i);
      snprintf(want, sizeof want, "%c%u",
               t->kind == WELD_CK_RECORD    ? 'f'
               : t->kind == WELD_CK_VARIANT ? 'c'
               : t->kind == WELD_CK_ENUM    ? 'e'
                                            : 'g',
               i);
      if (t->kind == WELD_CK_TUPLE ? name != NULL : !name || strcmp(name, want)) return false;
      if (t->kind != WELD_CK_ENUM && t->kind != WELD_CK_FLAGS &&
          !ctype_matches(weld_ctype_member(ct, i), t->m[i], depth + 1))
        return false;
    }
    return true;
  default: return true;
  }
}

static bool functype_matches(const weld_ctype_t *ft, const rt_case_t *c) {
  if (!ft || weld_ctype_kind(ft) != WELD_CTYPE_FUNC || weld_ctype_count(ft) != c->nparams ||
      weld_ctype_result_count(ft) != (c->result ? 1u : 0u))
    return false;
  for (uint32_t i = 0; i < c->nparams; i++) {
    char want[16];
    snprintf(want, sizeof want, "p%u", i);
    const char *name = weld_ctype_name(ft, i);
    if (!name || strcmp(name, want) || !ctype_matches(weld_ctype_member(ft, i), c->params[i], 0)) return false;
  }
  return !c->result || ctype_matches(weld_ctype_result(ft, 0), c->result, 0);
}

typedef struct host_env {
  const rt_case_t *c;
  const weld_cval_t *args; /* expected (rep form) */
  const weld_cval_t *ret;  /* to return (rep form) */
  weld_store_t *store;
  weld_resource_type_t *rt;
  int calls;
  char *err;      /* the first problem (malloc'ed) */
  rt_rand_t *r;
  bool bad_result; /* return an invalid result (the call must trap) */
  bool corrupted;  /* ... and did */
  uint64_t refused_args, refused_results, bad_pointers;
} host_env_t;

static void env_fail(host_env_t *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void env_fail(host_env_t *h, const char *fmt, ...) {
  if (h->err) return;
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  h->err = str_copy(buf);
}

static weld_trap_t *host_dyn(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                             weld_cval_t *results, size_t nresults) {
  host_env_t *h = env;
  h->calls++;
  const rt_case_t *c = h->c;
  if (!functype_matches(weld_ccaller_func_type(caller), c)) {
    char *ts = weld_ctype_to_string(weld_ccaller_func_type(caller));
    env_fail(h, "host: weld_ccaller_func_type is %s", ts ? ts : "?");
    weld_string_delete(ts);
    return weld_trap_new(WELD_TRAP_HOST, "roundtrip: bad type");
  }
  if (nargs != c->nparams || nresults != (c->result ? 1u : 0u)) {
    env_fail(h, "host: called with %zu args / %zu results, expected %u / %u", nargs, nresults, c->nparams,
             c->result ? 1u : 0u);
    return weld_trap_new(WELD_TRAP_HOST, "roundtrip: bad shape");
  }
  char why[512];
  bool good = true;
  for (uint32_t i = 0; i < c->nparams && good; i++)
    if (!(good = rt_equal(c->params[i], &h->args[i], &args[i], why, sizeof why)))
      env_fail(h, "host: argument %u differs: %s", i, why);
  for (uint32_t i = 0; i < c->nparams; i++) forget_walk(&args[i]); /* own handles are ours now */
  if (!good) return weld_trap_new(WELD_TRAP_HOST, "roundtrip: argument mismatch");
  if (c->result) {
    if (results[0].kind != c->result->kind) {
      env_fail(h, "host: result preset to kind %d, expected %d", (int)results[0].kind, (int)c->result->kind);
      return weld_trap_new(WELD_TRAP_HOST, "roundtrip: bad result kind");
    }
    if (!rt_materialize(&results[0], h->ret, c->result, h->store, h->rt)) {
      env_fail(h, "host: out of memory building the result");
      return weld_trap_new(WELD_TRAP_HOST, "roundtrip: out of memory");
    }
    if (h->bad_result) h->corrupted = corrupt(&results[0], c->result, h->r);
  }
  return NULL;
}

static bool word_eq(const rt_type_t *t, uint64_t e, uint64_t g) {
  if (t->kind == WELD_CK_F32) {
    float a, b;
    uint32_t x = (uint32_t)e, y = (uint32_t)g;
    memcpy(&a, &x, 4);
    memcpy(&b, &y, 4);
    if (isnan(a) && isnan(b) && g >> 32 == 0) return true;
  } else if (t->kind == WELD_CK_F64) {
    double a, b;
    memcpy(&a, &e, 8);
    memcpy(&b, &g, 8);
    if (isnan(a) && isnan(b)) return true;
  }
  return e == g;
}

static weld_trap_t *host_flat(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller;
  host_env_t *h = env;
  h->calls++;
  const rt_case_t *c = h->c;
  for (uint32_t i = 0; i < c->nparams; i++) {
    uint64_t e = rt_to_word(c->params[i], &h->args[i]);
    if (!word_eq(c->params[i], e, args[i])) {
      env_fail(h, "flat host: argument %u is 0x%llx, expected 0x%llx", i, (unsigned long long)args[i],
               (unsigned long long)e);
      return weld_trap_new(WELD_TRAP_HOST, "roundtrip: argument mismatch");
    }
  }
  if (c->result) {
    results[0] = rt_to_word(c->result, h->ret);
    if (h->bad_result) h->corrupted = corrupt_word(c->result, &results[0], h->r);
  }
  return NULL;
}

static bool sig_is_flat(const rt_case_t *c) {
  if (c->nparams > 16) return false;
  for (uint32_t i = 0; i < c->nparams; i++)
    if (!rt_type_is_scalar(c->params[i])) return false;
  return !c->result || rt_type_is_scalar(c->result);
}

static char *fail_msg(const rt_case_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *fail_msg(const rt_case_t *c, const char *fmt, ...) {
  sb_t b = {0};
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  sb_printf(&b, "%s\nfunc(", buf);
  for (uint32_t i = 0; i < c->nparams; i++) {
    if (i) sb_printf(&b, ", ");
    type_str(&b, c->params[i]);
  }
  sb_printf(&b, ")");
  if (c->result) {
    sb_printf(&b, " -> ");
    type_str(&b, c->result);
  }
  sb_printf(&b, "\nstages:");
  for (uint32_t k = 0; k < c->nstages; k++) sb_printf(&b, " %s", enc_name[c->enc[k]]);
  if (c->text) sb_printf(&b, "\n%s", c->text);
  return b.p;
}

#define RT_FUEL 50000000u

enum { BAD_NONE, BAD_ARG, BAD_RESULT };

/* The outcome of a call that was given an invalid argument (bad == BAD_ARG) or whose host
 * function returned an invalid result (BAD_RESULT), when the corruption took: an error and
 * no call, or a trap after one call (which leaves the instance unusable: *dead). */
static bool check_refused(const rt_case_t *c, host_env_t *h, int bad, weld_error_t *err, weld_trap_t *trap,
                          const char *what, char **msg, bool *dead) {
  if (bad == BAD_ARG) {
    if (!err || trap || h->calls) {
      *msg = fail_msg(c, "%s: an invalid argument gave %s%s (host called %d times)", what,
                      err ? "an error: " : trap ? "a trap: " : "success",
                      err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "", h->calls);
      return false;
    }
    if (!weld_error_message(err)[0]) {
      *msg = fail_msg(c, "%s: an error without a message", what);
      return false;
    }
    h->refused_args++;
    return true;
  }
  *dead = true;
  if (err || !trap || h->calls != 1) {
    *msg = fail_msg(c, "%s: an invalid host result gave %s%s (host called %d times)", what,
                    err ? "an error: " : trap ? "a trap: " : "success",
                    err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "", h->calls);
    return false;
  }
  if (!weld_trap_message(trap) || !weld_trap_message(trap)[0]) {
    *msg = fail_msg(c, "%s: a trap without a message", what);
    return false;
  }
  h->refused_results++;
  return true;
}

/* One call through the dynamic path; false + *msg on failure. */
static bool call_dynamic(const rt_case_t *c, host_env_t *h, weld_store_t *s, weld_cfunc_t *f, rt_rand_t *r, int bad,
                         bool *dead, char **msg) {
  uint32_t np = c->nparams;
  weld_cval_t *args = calloc(np ? np : 1, sizeof *args), *margs = calloc(np ? np : 1, sizeof *margs);
  weld_cval_t ret, res[1];
  memset(&ret, 0, sizeof ret);
  memset(res, 0, sizeof res);
  bool good = args && margs, bad_arg = false;
  for (uint32_t i = 0; i < np && good; i++) good = rt_value_gen(&args[i], c->params[i], r);
  if (good && c->result) good = rt_value_gen(&ret, c->result, r);
  uint32_t made = 0;
  for (; made < np && good; made++) good = rt_materialize(&margs[made], &args[made], c->params[made], s, h->rt);
  if (good && bad == BAD_ARG && np) {
    uint32_t i = rt_below(r, np);
    bad_arg = corrupt(&margs[i], c->params[i], r);
  }
  weld_error_t *err = NULL;
  weld_trap_t *trap = NULL;
  if (!good) {
    *msg = fail_msg(c, "out of memory generating values");
  } else {
    h->args = args;
    h->ret = &ret;
    h->calls = 0;
    h->bad_result = bad == BAD_RESULT;
    h->corrupted = false;
    weld_store_set_fuel(s, RT_FUEL);
    err = weld_cfunc_call(s, f, margs, np, res, c->result ? 1 : 0, &trap);
    char why[512];
    uint64_t nborrows = 0;
    for (uint32_t i = 0; i < np; i++) nborrows += count_borrows(&args[i], c->params[i]);
    if (bad_arg) {
      good = check_refused(c, h, BAD_ARG, err, trap, "call", msg, dead);
    } else if (c->bad_realloc_stage && trap && !err && !h->err) {
      *dead = true; /* a bad pointer from realloc (or a result refused first) */
      h->bad_pointers++;
      if (!weld_trap_message(trap)[0]) {
        *msg = fail_msg(c, "call: a trap without a message");
        good = false;
      }
    } else if (h->corrupted) {
      good = check_refused(c, h, BAD_RESULT, err, trap, "call", msg, dead);
    } else if (c->leaky_stage && nborrows && !h->err) {
      /* CanonicalABI.md: a callee returning with borrows it has not dropped traps */
      *dead = true;
      if (err || !trap || h->calls != 1 || !weld_trap_message(trap)[0]) {
        *msg = fail_msg(c, "stage %u keeps %llu borrow(s): expected a trap after one host call, got %s%s (host called %d times)",
                        c->leaky_stage, (unsigned long long)nborrows, err ? "an error: " : trap ? "a trap: " : "success",
                        err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "", h->calls);
        good = false;
      } else {
        h->refused_results++;
      }
    } else if (err) {
      *msg = fail_msg(c, "call: error: %s%s%s", weld_error_message(err), h->err ? "\n" : "", h->err ? h->err : "");
      good = false;
    } else if (trap) {
      *msg = fail_msg(c, "call: trap: %s%s%s", weld_trap_message(trap), h->err ? "\n" : "", h->err ? h->err : "");
      good = false;
    } else if (h->err) {
      *msg = fail_msg(c, "%s", h->err);
      good = false;
    } else if (h->calls != 1) {
      *msg = fail_msg(c, "the host function ran %d times", h->calls);
      good = false;
    } else if (c->result && !rt_equal(c->result, &ret, &res[0], why, sizeof why)) {
      *msg = fail_msg(c, "result differs: %s", why);
      good = false;
    }
    if (!err && !trap && c->result) rt_forget_all(&res[0]);
  }
  h->bad_result = false;
  if (err) { /* nothing ran: the own handles are still ours */
    for (uint32_t i = 0; i < made; i++) rt_forget_all(&margs[i]);
    weld_error_delete(err);
  } else {
    for (uint32_t i = 0; i < made; i++) rt_release(&margs[i], c->params[i]);
  }
  if (trap) weld_trap_delete(trap);
  for (uint32_t i = 0; i < np; i++) weld_cval_drop(&args[i]);
  weld_cval_drop(&ret);
  free(args);
  free(margs);
  free(h->err);
  h->err = NULL;
  return good;
}

static bool call_flat(const rt_case_t *c, host_env_t *h, weld_store_t *s, weld_cfunc_t *f, rt_rand_t *r, int bad,
                      bool *dead, char **msg) {
  uint32_t np = c->nparams;
  weld_cval_t args[16], ret;
  uint64_t w[16], out[1] = {0};
  memset(&ret, 0, sizeof ret);
  bool good = true, bad_arg = false;
  uint32_t made = 0;
  for (; made < np && good; made++) good = rt_value_gen(&args[made], c->params[made], r);
  if (good && c->result) good = rt_value_gen(&ret, c->result, r);
  if (!good) {
    *msg = fail_msg(c, "out of memory generating values");
  } else {
    for (uint32_t i = 0; i < np; i++) w[i] = rt_to_word(c->params[i], &args[i]);
    if (bad == BAD_ARG && np) {
      uint32_t i = rt_below(r, np);
      bad_arg = corrupt_word(c->params[i], &w[i], r);
    }
    h->args = args;
    h->ret = &ret;
    h->calls = 0;
    h->bad_result = bad == BAD_RESULT;
    h->corrupted = false;
    weld_trap_t *trap = NULL;
    weld_store_set_fuel(s, RT_FUEL);
    weld_error_t *err = weld_cfunc_call_flat(s, f, w, out, &trap);
    uint64_t e = c->result ? rt_to_word(c->result, &ret) : 0;
    if (bad_arg || h->corrupted) {
      good = check_refused(c, h, bad_arg ? BAD_ARG : BAD_RESULT, err, trap, "flat call", msg, dead);
    } else if (err) {
      *msg = fail_msg(c, "flat call: error: %s", weld_error_message(err));
      good = false;
    } else if (trap) {
      *msg = fail_msg(c, "flat call: trap: %s%s%s", weld_trap_message(trap), h->err ? "\n" : "", h->err ? h->err : "");
      good = false;
    } else if (h->err) {
      *msg = fail_msg(c, "flat call: %s", h->err);
      good = false;
    } else if (h->calls != 1) {
      *msg = fail_msg(c, "flat call: the host function ran %d times", h->calls);
      good = false;
    } else if (c->result && !word_eq(c->result, e, out[0])) {
      *msg = fail_msg(c, "flat call: result 0x%llx, expected 0x%llx", (unsigned long long)out[0], (unsigned long long)e);
      good = false;
    }
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
  }
  h->bad_result = false;
  for (uint32_t i = 0; i < made; i++) weld_cval_drop(&args[i]);
  weld_cval_drop(&ret);
  free(h->err);
  h->err = NULL;
  return good;
}

bool rt_run_case(weld_engine_t *engine, rt_rand_t *r, const rt_opts_t *o, uint32_t ncalls, rt_stats_t *stats,
                 char **msg) {
  *msg = NULL;
  rt_case_t c;
  if (!rt_case_gen(&c, r, o)) {
    rt_case_free(&c);
    *msg = str_copy("out of memory generating the case");
    return false;
  }
  bool good = false;
  uint8_t *bin = NULL;
  size_t bin_len = 0;
  weld_component_t *comp = NULL;
  weld_linker_t *l = NULL;
  weld_store_t *s = NULL;
  weld_resource_type_t *rt = NULL;
  host_env_t h;
  memset(&h, 0, sizeof h);
  h.c = &c;
  if (o && o->dump) printf("%s\n", c.text);
  weld_error_t *err = weld_wat_to_wasm(c.text, c.text_len, &bin, &bin_len);
  if (err) {
    *msg = fail_msg(&c, "component text: %s", weld_error_message(err));
    goto done;
  }
  if ((err = weld_component_new(engine, bin, bin_len, &comp))) {
    *msg = fail_msg(&c, "weld_component_new: %s", weld_error_message(err));
    goto done;
  }
  l = weld_linker_new(engine);
  s = weld_store_new(engine);
  if (!l || !s) {
    *msg = fail_msg(&c, "out of memory");
    goto done;
  }
  weld_store_set_memory_limit(s, 256u << 20);
  h.store = s;
  if (c.uses_resources) {
    rt = weld_resource_type_new("r", NULL, NULL);
    if (!rt) {
      *msg = fail_msg(&c, "out of memory");
      goto done;
    }
    h.rt = rt;
    if ((err = weld_linker_resource(weld_linker_root(l), "r", rt))) {
      *msg = fail_msg(&c, "weld_linker_resource: %s", weld_error_message(err));
      goto done;
    }
  }
  bool flat = sig_is_flat(&c), flat_host = flat && chance(r, 1, 2);
  if (flat_host) {
    weld_ckind_t pk[16], rk[1];
    for (uint32_t i = 0; i < c.nparams; i++) pk[i] = c.params[i]->kind;
    if (c.result) rk[0] = c.result->kind;
    err = weld_linker_func_flat(weld_linker_root(l), "f", pk, c.nparams, rk, c.result ? 1 : 0, host_flat, &h, NULL);
  } else {
    err = weld_linker_func(weld_linker_root(l), "f", host_dyn, &h, NULL);
  }
  if (err) {
    *msg = fail_msg(&c, "defining f: %s", weld_error_message(err));
    goto done;
  }
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  weld_store_set_fuel(s, RT_FUEL);
  if ((err = weld_linker_instantiate(l, s, comp, &inst, &trap)) || trap) {
    *msg = fail_msg(&c, "instantiate: %s", err ? weld_error_message(err) : weld_trap_message(trap));
    if (trap) weld_trap_delete(trap);
    goto done;
  }
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, "f");
  if (!f) {
    *msg = fail_msg(&c, "no export f");
    goto done;
  }
  if (!functype_matches(weld_cfunc_type(f), &c)) {
    char *ts = weld_ctype_to_string(weld_cfunc_type(f));
    *msg = fail_msg(&c, "weld reflects the export's type as %s", ts ? ts : "?");
    weld_string_delete(ts);
    goto done;
  }
  if (weld_cfunc_is_flat(f) != flat) {
    *msg = fail_msg(&c, "weld_cfunc_is_flat says %d, expected %d", weld_cfunc_is_flat(f), flat);
    goto done;
  }
  good = true;
  h.r = r;
  bool dead = false;
  for (uint32_t k = 0; k < ncalls && good && !dead; k++) {
    /* now and then an invalid argument or host result (refused cleanly: an error, or a
     * trap that ends the instance) */
    int bad = o && o->invalid && chance(r, 1, 10) ? (chance(r, 1, 2) ? BAD_ARG : BAD_RESULT) : BAD_NONE;
    good = call_dynamic(&c, &h, s, f, r, bad, &dead, msg);
    if (stats) stats->calls++;
    if (good && flat && !dead) {
      bad = o && o->invalid && chance(r, 1, 10) ? (chance(r, 1, 2) ? BAD_ARG : BAD_RESULT) : BAD_NONE;
      good = call_flat(&c, &h, s, f, r, bad, &dead, msg);
      if (stats) stats->flat_calls++;
    }
  }
  if (stats) {
    sig_t sg;
    sig_compute(&c, &sg);
    stats->cases++;
    stats->stages += c.nstages;
    for (uint32_t k = 1; k < c.nstages; k++)
      if (c.enc[k] != c.enc[k - 1]) {
        stats->encodings_differ++;
        break;
      }
    stats->spilled_params += sg.spill_params;
    stats->retptr += sg.retptr;
    stats->resources += c.uses_resources;
    stats->refused_args += h.refused_args;
    stats->refused_results += h.refused_results;
    stats->bad_pointers += h.bad_pointers;
    sig_free(&sg);
  }
done:
  if (err) weld_error_delete(err);
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(comp);
  weld_resource_type_delete(rt);
  if (bin) weld_free_bytes(bin, bin_len);
  free(h.err);
  rt_case_free(&c);
  return good;
}
