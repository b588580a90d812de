/* test_canon.c — Canonical ABI values (src/component/layout.c, lower.c, lift.c, strings.c,
 * transfer.c): layouts against hand-computed definitions.py numbers, lower -> lift round
 * trips of every value type and of random nested types through flat values, memory, the
 * spilling rules and component-to-component transfer between two guests (every pair of
 * string encodings), the exact realloc sequences of the string transcoders, and hostile
 * guests (bad realloc results, malformed strings, bad discriminants and chars, huge
 * lengths).  Last line: "N passed, N failed". */
#include "canon_util.h"

static comp_layouts_t L;
static guest_t A, B;

/* ---------------------------------------------------------------- layouts */

static void test_layouts(void) {
  comp_typeid_t u8 = COMP_PRIM_U8, u16 = COMP_PRIM_U16, u32 = COMP_PRIM_U32, u64 = COMP_PRIM_U64;
  comp_typeid_t f32 = COMP_PRIM_F32, f64 = COMP_PRIM_F64, str = COMP_PRIM_STRING;
  const comp_layout_t *l;

  comp_typeid_t r1 = T_record(3, (comp_typeid_t[]){u8, u32, u8});
  l = comp_layout(&L, r1);
  CHECK(l && l->size == 12 && l->align == 4 && l->nflat == 3, "record{u8,u32,u8}: size %u align %u", l->size, l->align);
  CHECK(l->offsets[0] == 0 && l->offsets[1] == 4 && l->offsets[2] == 8, "record offsets");
  CHECK(!(l->flags & COMP_LF_PLAIN), "padded record is not plain");

  comp_typeid_t t2 = T_tuple(2, (comp_typeid_t[]){u16, u16});
  l = comp_layout(&L, t2);
  CHECK(l->size == 4 && l->align == 2 && (l->flags & COMP_LF_PLAIN), "tuple<u16,u16> plain, size 4");

  comp_typeid_t o64 = T_option(u64);
  l = comp_layout(&L, o64);
  CHECK(l->size == 16 && l->align == 8 && l->payload == 8 && l->disc == 1 && l->nflat == 2, "option<u64>: %u %u %u",
        l->size, l->align, l->payload);

  comp_typeid_t res = T_result(COMP_NO_TYPE, str);
  l = comp_layout(&L, res);
  CHECK(l->size == 12 && l->align == 4 && l->payload == 4 && l->nflat == 3, "result<_, string>: %u", l->size);

  comp_typeid_t e256 = T_enum(256), e257 = T_enum(257), e1 = T_enum(1);
  CHECK(comp_layout(&L, e256)->disc == 1 && comp_layout(&L, e257)->disc == 2 && comp_layout(&L, e1)->disc == 1,
        "discriminant sizes");
  CHECK(comp_layout(&L, e257)->size == 2 && comp_layout(&L, e257)->nflat == 1, "enum<257> size 2");

  CHECK(comp_layout(&L, T_flags(8))->size == 1 && comp_layout(&L, T_flags(9))->size == 2 &&
            comp_layout(&L, T_flags(17))->size == 4 && comp_layout(&L, T_flags(32))->size == 4 &&
            comp_layout(&L, T_flags(32))->nflat == 1,
        "flags sizes");

  /* flatten_variant: join(f32, i64) = i64; count = 1 + max */
  comp_typeid_t v = T_variant(3, (comp_typeid_t[]){f32, T_tuple(2, (comp_typeid_t[]){u64, f64}), COMP_NO_TYPE});
  l = comp_layout(&L, v);
  CHECK(l->nflat == 3 && l->size == 24 && l->align == 8 && l->payload == 8, "variant nflat %u size %u", l->nflat, l->size);
  CHECK(comp_layout(&L, str)->size == 8 && comp_layout(&L, str)->align == 4 && comp_layout(&L, str)->nflat == 2, "string");
  CHECK(comp_layout(&L, T_list(r1))->nflat == 2 && comp_layout(&L, T_list(r1))->size == 8, "list");

  uint32_t offs[3], size, align;
  CHECK(comp_tuple_layout(&L, (comp_typeid_t[]){u8, u64, str}, 3, offs, &size, &align) && offs[1] == 8 &&
            offs[2] == 16 && size == 24 && align == 8,
        "tuple layout of params");
  CHECK(comp_flat_count(&L, (comp_typeid_t[]){str, u64, v}, 3) == 6, "flat count");
  CHECK(comp_cval_kind(&L, e1) == WELD_CK_ENUM && comp_cval_kind(&L, u32) == WELD_CK_U32, "cval kinds");
}

/* ---------------------------------------------------------------- random values */

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

static const char *const g_strings[] = {
    "", "a", "hello, world", "h\xc3\xa9llo caf\xc3\xa9", "\xc3\xbf\xc3\xbe", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
    "\xf0\x9f\x98\x80 smile", "\xc4\x80", "an ASCII prefix that is longer than thirty-two bytes, then \xe2\x82\xac",
    "latin1 only: \xc3\xa0\xc3\xa1\xc3\xa2\xc3\xa3 and more text to cross the 32-byte fast path"};
#define NSTRINGS (sizeof g_strings / sizeof g_strings[0])

static comp_typeid_t gen_type(int depth) {
  int k = (int)(rnd() % (depth >= 3 ? 13 : 22));
  if (k < 13) return (comp_typeid_t)k; /* a primitive */
  comp_typeid_t ts[4];
  uint32_t n = 1 + (uint32_t)(rnd() % 4);
  switch (k) {
  case 13: return T_list(gen_type(depth + 1));
  case 14:
    for (uint32_t i = 0; i < n; i++) ts[i] = gen_type(depth + 1);
    return T_record(n, ts);
  case 15:
    for (uint32_t i = 0; i < n; i++) ts[i] = gen_type(depth + 1);
    return T_tuple(n, ts);
  case 16:
    for (uint32_t i = 0; i < n; i++) ts[i] = rnd() % 3 ? gen_type(depth + 1) : COMP_NO_TYPE;
    return T_variant(n, ts);
  case 17: return T_enum(rnd() % 4 ? n : 300);
  case 18: return T_option(gen_type(depth + 1));
  case 19: return T_result(rnd() % 3 ? gen_type(depth + 1) : COMP_NO_TYPE, rnd() % 3 ? gen_type(depth + 1) : COMP_NO_TYPE);
  case 20: return T_flags(1 + (uint32_t)(rnd() % 32));
  default: return T_list(COMP_PRIM_U8 + (comp_typeid_t)(rnd() % 10));
  }
}

static void gen_value(comp_typeid_t t, weld_cval_t *v) {
  const comp_layout_t *l = comp_layout(&L, t);
  memset(v, 0, sizeof *v);
  v->kind = comp_cval_kind(&L, t);
  uint64_t r = rnd();
  switch (l->lkind) {
  case COMP_LK_BOOL: v->of.b = r & 1; return;
  case COMP_LK_S8: case COMP_LK_U8: v->of.u8 = (uint8_t)r; return;
  case COMP_LK_S16: case COMP_LK_U16: v->of.u16 = (uint16_t)r; return;
  case COMP_LK_S32: case COMP_LK_U32: v->of.u32 = (uint32_t)r; return;
  case COMP_LK_S64: case COMP_LK_U64: v->of.u64 = r; return;
  case COMP_LK_F32: {
    uint32_t b = (uint32_t)r;
    memcpy(&v->of.f32, &b, 4);
    return;
  }
  case COMP_LK_F64: memcpy(&v->of.f64, &r, 8); return;
  case COMP_LK_CHAR: {
    uint32_t c = (uint32_t)(r % 0x110000);
    if (c >= 0xd800 && c <= 0xdfff) c -= 0x1000;
    v->of.ch = c;
    return;
  }
  case COMP_LK_STRING: *v = V_str(g_strings[r % NSTRINGS]); return;
  case COMP_LK_LIST: {
    size_t n = r % 5;
    weld_cval_items(v, WELD_CK_LIST, n);
    for (size_t i = 0; i < n; i++) gen_value(l->members[0], &v->of.items.ptr[i]);
    return;
  }
  case COMP_LK_RECORD:
    weld_cval_items(v, v->kind, l->n);
    for (uint32_t i = 0; i < l->n; i++) gen_value(l->members[i], &v->of.items.ptr[i]);
    return;
  case COMP_LK_VARIANT: {
    uint32_t idx = (uint32_t)(r % l->n);
    comp_typeid_t ct = l->members ? l->members[idx] : COMP_NO_TYPE;
    weld_cval_t p, *box = NULL;
    if (ct != COMP_NO_TYPE) {
      gen_value(ct, &p);
      weld_cval_box(&box, &p);
    }
    switch (l->kind) {
    case COMP_T_ENUM: v->of.index = idx; break;
    case COMP_T_OPTION: v->of.option = box; break;
    case COMP_T_RESULT: v->of.result.is_err = idx == 1, v->of.result.payload = box; break;
    default: v->of.variant.index = idx, v->of.variant.payload = box; break;
    }
    return;
  }
  case COMP_LK_FLAGS:
    weld_cval_flags(v, l->n);
    v->of.flags.bits[0] = (uint32_t)r & (l->n >= 32 ? UINT32_MAX : (1u << l->n) - 1);
    return;
  default: return;
  }
}

static const uint8_t g_encs[3] = {COMP_UTF8, COMP_UTF16, COMP_LATIN1_UTF16};

/* One value through every path; returns false (after reporting) on the first mismatch. */
static bool roundtrip(comp_typeid_t t, const weld_cval_t *v, uint8_t enc_a, uint8_t enc_b, const char *what) {
  const comp_layout_t *l = comp_layout(&L, t);
  A.opts.string_encoding = enc_a;
  B.opts.string_encoding = enc_b;
  guest_reset(&A);
  guest_reset(&B);
  comp_abi_cx_t ca = gcx(&A, &L, NULL), cb = gcx(&B, &L, NULL);
  bool ok = true;
  core_slot_t *s1 = calloc(l->nflat + 1, sizeof *s1), *s2 = calloc(l->nflat + 1, sizeof *s2);
  weld_cval_t out;
  weld_error_t *e = comp_cval_check(&L, t, v, &A.abi);
  if (e) {
    printf("FAIL %s: check: %s\n", what, weld_error_message(e));
    weld_error_delete(e);
    ok = false;
    goto done;
  }
  weld_trap_t *tr = comp_lower_flat(&ca, t, v, s1);
  if (tr) {
    printf("FAIL %s: lower_flat: %s\n", what, weld_trap_message(tr));
    weld_trap_delete(tr);
    ok = false;
    goto done;
  }
  /* flat transfer to B, then lift both */
  tr = comp_transfer_flat(&ca, t, s1, &cb, t, s2);
  if (tr) {
    printf("FAIL %s: transfer_flat: %s\n", what, weld_trap_message(tr));
    weld_trap_delete(tr);
    ok = false;
    goto done;
  }
  const comp_abi_cx_t *cxs[2] = {&ca, &cb};
  core_slot_t *ss[2] = {s1, s2};
  for (int i = 0; i < 2 && ok; i++) {
    tr = comp_lift_flat(cxs[i], t, ss[i], &out);
    if (tr) {
      printf("FAIL %s: lift_flat %c: %s\n", what, "AB"[i], weld_trap_message(tr));
      weld_trap_delete(tr);
      ok = false;
    } else {
      if (!cval_eq(v, &out)) printf("FAIL %s: flat round trip %c differs\n", what, "AB"[i]), ok = false;
      weld_cval_drop(&out);
    }
  }
  if (!ok) goto done;
  /* memory: store into A, transfer to B, load both */
  uint32_t pa, pb;
  if ((tr = comp_abi_realloc(&ca, 0, 0, l->align, l->size, &pa)) || (tr = comp_store(&ca, t, v, pa)) ||
      (tr = comp_abi_realloc(&cb, 0, 0, l->align, l->size, &pb)) || (tr = comp_transfer_mem(&ca, t, pa, &cb, t, pb))) {
    printf("FAIL %s: store/transfer_mem: %s\n", what, weld_trap_message(tr));
    weld_trap_delete(tr);
    ok = false;
    goto done;
  }
  uint32_t ps[2] = {pa, pb};
  for (int i = 0; i < 2 && ok; i++) {
    tr = comp_load(cxs[i], t, ps[i], &out);
    if (tr) {
      printf("FAIL %s: load %c: %s\n", what, "AB"[i], weld_trap_message(tr));
      weld_trap_delete(tr);
      ok = false;
    } else {
      if (!cval_eq(v, &out)) printf("FAIL %s: memory round trip %c differs\n", what, "AB"[i]), ok = false;
      weld_cval_drop(&out);
    }
  }
done:
  free(s1);
  free(s2);
  return ok;
}

static void test_primitives(void) {
  struct {
    comp_typeid_t t;
    weld_cval_t v;
  } cases[24];
  int n = 0;
#define ADD(T, K, F, X) (cases[n].t = (T), memset(&cases[n].v, 0, sizeof cases[n].v), cases[n].v.kind = (K), cases[n].v.of.F = (X), n++)
  ADD(COMP_PRIM_BOOL, WELD_CK_BOOL, b, true);
  ADD(COMP_PRIM_BOOL, WELD_CK_BOOL, b, false);
  ADD(COMP_PRIM_S8, WELD_CK_S8, s8, -128);
  ADD(COMP_PRIM_U8, WELD_CK_U8, u8, 255);
  ADD(COMP_PRIM_S16, WELD_CK_S16, s16, -32768);
  ADD(COMP_PRIM_U16, WELD_CK_U16, u16, 65535);
  ADD(COMP_PRIM_S32, WELD_CK_S32, s32, INT32_MIN);
  ADD(COMP_PRIM_U32, WELD_CK_U32, u32, UINT32_MAX);
  ADD(COMP_PRIM_S64, WELD_CK_S64, s64, INT64_MIN);
  ADD(COMP_PRIM_U64, WELD_CK_U64, u64, UINT64_MAX);
  ADD(COMP_PRIM_F32, WELD_CK_F32, f32, -1.5f);
  ADD(COMP_PRIM_F64, WELD_CK_F64, f64, 3.25e300);
  ADD(COMP_PRIM_F32, WELD_CK_F32, f32, INFINITY);
  ADD(COMP_PRIM_CHAR, WELD_CK_CHAR, ch, 0x10ffff);
  ADD(COMP_PRIM_CHAR, WELD_CK_CHAR, ch, 0xd7ff);
  ADD(COMP_PRIM_CHAR, WELD_CK_CHAR, ch, 0xe000);
#undef ADD
  for (int i = 0; i < n; i++) {
    char what[64];
    snprintf(what, sizeof what, "primitive case %d", i);
    CHECK(roundtrip(cases[i].t, &cases[i].v, COMP_UTF8, COMP_UTF16, what), "%s", what);
  }
  /* NaN: lifting canonicalizes (definitions.py canonicalize_nan32/64) */
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  core_slot_t s;
  weld_cval_t out;
  s.u64 = 0x7fa00001u;
  EXPECT_OK(comp_lift_flat(&ca, COMP_PRIM_F32, &s, &out));
  uint32_t bits;
  memcpy(&bits, &out.of.f32, 4);
  CHECK(bits == 0x7fc00000u, "f32 NaN canonicalized: 0x%x", bits);
  s.u64 = 0xfff0000000000001ull;
  EXPECT_OK(comp_lift_flat(&ca, COMP_PRIM_F64, &s, &out));
  uint64_t b64;
  memcpy(&b64, &out.of.f64, 8);
  CHECK(b64 == 0x7ff8000000000000ull, "f64 NaN canonicalized");
  /* flat integers wrap; bool is any nonzero */
  s.u64 = 0x1ff;
  EXPECT_OK(comp_lift_flat(&ca, COMP_PRIM_U8, &s, &out));
  CHECK(out.of.u8 == 0xff, "u8 wraps");
  s.u64 = 0x180;
  EXPECT_OK(comp_lift_flat(&ca, COMP_PRIM_S8, &s, &out));
  CHECK(out.of.s8 == -128, "s8 wraps");
  s.u64 = 2;
  EXPECT_OK(comp_lift_flat(&ca, COMP_PRIM_BOOL, &s, &out));
  CHECK(out.of.b, "bool 2 is true");
  /* lowered signed values are i32 two's complement, zero-extended in the slot */
  weld_cval_t v;
  memset(&v, 0, sizeof v);
  v.kind = WELD_CK_S8;
  v.of.s8 = -1;
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_S8, &v, &s));
  CHECK(s.u64 == 0xffffffffu, "s8 -1 lowers to i32 -1: 0x%llx", (unsigned long long)s.u64);
}

static void test_random(void) {
  int bad = 0;
  for (int i = 0; i < 400 && bad < 5; i++) {
    comp_typeid_t t = gen_type(0);
    weld_cval_t v;
    gen_value(t, &v);
    char what[64];
    snprintf(what, sizeof what, "random value %d", i);
    bool ok = roundtrip(t, &v, g_encs[i % 3], g_encs[(i / 3) % 3], what);
    CHECK(ok, "%s", what);
    if (!ok) bad++;
    weld_cval_drop(&v);
  }
}

/* lower_flat_values / lift_flat_values with spilling */
static void test_values_spill(void) {
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  guest_reset(&A);
  comp_typeid_t ts[17];
  weld_cval_t vs[17], out[17];
  for (int i = 0; i < 17; i++) ts[i] = COMP_PRIM_U32, vs[i] = V_u32((uint32_t)i * 7);
  core_slot_t slots[17];
  uint32_t nout;
  /* 16 flat values fit */
  EXPECT_OK(comp_lower_values(&ca, COMP_MAX_FLAT_PARAMS, ts, 16, vs, slots, &nout, NULL));
  CHECK(nout == 16 && slots[15].u32 == 105, "16 params flat");
  EXPECT_OK(comp_lift_values(&ca, COMP_MAX_FLAT_PARAMS, ts, 16, slots, 16, out));
  CHECK(out[15].of.u32 == 105, "16 lifted");
  /* 17 spill into a realloc'd tuple */
  int32_t calls = gget(A.calls);
  EXPECT_OK(comp_lower_values(&ca, COMP_MAX_FLAT_PARAMS, ts, 17, vs, slots, &nout, NULL));
  CHECK(nout == 1 && gget(A.calls) == calls + 1, "17 params spill (nout %u)", nout);
  uint32_t p = slots[0].u32, x;
  memcpy(&x, gmem(&A) + p + 64, 4);
  CHECK(x == 112, "17th param in memory");
  EXPECT_OK(comp_lift_values(&ca, COMP_MAX_FLAT_PARAMS, ts, 17, slots, 1, out));
  CHECK(out[16].of.u32 == 112 && out[0].of.u32 == 0, "17 lifted from memory");
  CHECK(A.abi.may_leave, "may_leave restored");
  /* results: 2 flat values go to the out-param (canon lower) */
  comp_typeid_t st = COMP_PRIM_STRING;
  weld_cval_t sv = V_str("result!");
  uint32_t outp = 64;
  EXPECT_OK(comp_lower_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, &sv, slots, &nout, &outp));
  CHECK(nout == 0, "out-param results write no slot");
  slots[0].u64 = 64;
  EXPECT_OK(comp_lift_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, slots, 1, out));
  CHECK(cval_eq(&sv, &out[0]), "string result through the return area");
  weld_cval_drop(&out[0]);
  uint32_t badp = 65;
  EXPECT_TRAP(comp_lower_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, &sv, slots, &nout, &badp), "aligned");
  badp = (uint32_t)A.mem->size - 4;
  EXPECT_TRAP(comp_lower_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, &sv, slots, &nout, &badp), "out of bounds");
  slots[0].u64 = (uint32_t)A.mem->size;
  EXPECT_TRAP(comp_lift_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, slots, 1, out), "out of bounds");
  slots[0].u64 = 2;
  EXPECT_TRAP(comp_lift_values(&ca, COMP_MAX_FLAT_PARAMS, ts, 17, slots, 1, out), "aligned");
  weld_cval_drop(&sv);
}

/* ---------------------------------------------------------------- strings */

static const char *enc_name(uint8_t e) { return e == COMP_UTF8 ? "utf8" : e == COMP_UTF16 ? "utf16" : "latin1+utf16"; }

static void test_string_matrix(void) {
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      for (size_t i = 0; i < NSTRINGS; i++) {
        weld_cval_t v = V_str(g_strings[i]);
        char what[96];
        snprintf(what, sizeof what, "string %zu %s -> %s", i, enc_name(g_encs[a]), enc_name(g_encs[b]));
        CHECK(roundtrip(COMP_PRIM_STRING, &v, g_encs[a], g_encs[b], what), "%s", what);
        weld_cval_drop(&v);
      }
  /* Representation checks. */
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  core_slot_t s[2];
  weld_cval_t v = V_str("h\xc3\xa9llo");
  A.opts.string_encoding = COMP_LATIN1_UTF16;
  guest_reset(&A);
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &v, s));
  CHECK(s[1].u32 == 5 && gmem(&A)[s[0].u32 + 1] == 0xe9, "latin1: 5 bytes, e9 (%u)", s[1].u32);
  /* utf8 source needing UTF-16: realloc(0,0,2,n), grow to 2n, shrink: 3 calls */
  CHECK(gget(A.calls) == 2, "latin1 fit: initial + shrink realloc (%d)", gget(A.calls));
  weld_cval_drop(&v);
  v = V_str("\xe6\x97\xa5\xe6\x9c\xac");
  guest_reset(&A);
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &v, s));
  CHECK(s[1].u32 == (2u | COMP_UTF16_TAG) && gget(A.calls) == 3, "latin1+utf16 tagged: 0x%x, %d calls", s[1].u32,
        gget(A.calls));
  weld_cval_drop(&v);
  A.opts.string_encoding = COMP_UTF16;
  v = V_str("\xf0\x9f\x98\x80");
  guest_reset(&A);
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &v, s));
  CHECK(s[1].u32 == 2 && gget(A.calls) == 2, "utf16 surrogate pair: %u units, %d calls", s[1].u32, gget(A.calls));
  weld_cval_drop(&v);
  A.opts.string_encoding = COMP_UTF8;
  v = V_str("plain");
  guest_reset(&A);
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &v, s));
  CHECK(s[1].u32 == 5 && gget(A.calls) == 1, "utf8 copy: one realloc");
  weld_cval_drop(&v);
  /* utf16 -> utf8 with non-ASCII: realloc n, grow to 3n, shrink */
  A.opts.string_encoding = COMP_UTF16;
  B.opts.string_encoding = COMP_UTF8;
  guest_reset(&A);
  guest_reset(&B);
  v = V_str("ab\xe2\x82\xac");
  comp_abi_cx_t cb = gcx(&B, &L, NULL);
  core_slot_t s2[2];
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &v, s));
  EXPECT_OK(comp_transfer_flat(&ca, COMP_PRIM_STRING, s, &cb, COMP_PRIM_STRING, s2));
  CHECK(s2[1].u32 == 5 && gget(B.calls) == 3 && memcmp(gmem(&B) + s2[0].u32, "ab\xe2\x82\xac", 5) == 0,
        "utf16->utf8: %u bytes, %d calls", s2[1].u32, gget(B.calls));
  /* latin1+utf16 (utf16-tagged but Latin-1 content) -> latin1+utf16: the "probably" path */
  A.opts.string_encoding = COMP_LATIN1_UTF16;
  B.opts.string_encoding = COMP_LATIN1_UTF16;
  guest_reset(&A);
  guest_reset(&B);
  uint8_t *m = gmem(&A);
  const uint8_t u16[] = {'x', 0, 0xe9, 0, 'y', 0};
  memcpy(m + 200, u16, 6);
  s[0].u64 = 200;
  s[1].u64 = 3 | COMP_UTF16_TAG;
  EXPECT_OK(comp_transfer_flat(&ca, COMP_PRIM_STRING, s, &cb, COMP_PRIM_STRING, s2));
  CHECK(s2[1].u32 == 3 && memcmp(gmem(&B) + s2[0].u32, "x\xe9y", 3) == 0 && gget(B.calls) == 2,
        "probably-utf16 compressed to latin1: 0x%x, %d calls", s2[1].u32, gget(B.calls));
  weld_cval_drop(&v);
  A.opts.string_encoding = COMP_UTF8;
  B.opts.string_encoding = COMP_UTF8;
}

/* ---------------------------------------------------------------- hostile guests */

static void test_hostile(void) {
  comp_abi_cx_t ca = gcx(&A, &L, NULL), cb = gcx(&B, &L, NULL);
  weld_cval_t out;
  core_slot_t s[4], s2[4];
  uint8_t *m;
  guest_reset(&A);
  guest_reset(&B);
  A.opts.string_encoding = COMP_UTF8;
  m = gmem(&A);
  /* malformed UTF-8 */
  static const struct {
    const char *b;
    uint32_t n;
  } bad8[] = {{"\xc0\x80", 2}, {"\xed\xa0\x80", 3}, {"ab\xe6\x97", 4}, {"\xf4\x90\x80\x80", 4}, {"\x80", 1}, {"\xff", 1}};
  for (size_t i = 0; i < sizeof bad8 / sizeof bad8[0]; i++) {
    memcpy(m + 300, bad8[i].b, bad8[i].n);
    s[0].u64 = 300;
    s[1].u64 = bad8[i].n;
    EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "invalid UTF-8");
    EXPECT_TRAP(comp_transfer_flat(&ca, COMP_PRIM_STRING, s, &cb, COMP_PRIM_STRING, s2), "invalid UTF-8");
  }
  /* unpaired surrogates in UTF-16 */
  A.opts.string_encoding = COMP_UTF16;
  static const uint16_t bad16[][3] = {{0xd800, 'a', 'b'}, {'a', 0xdc00, 'b'}, {'a', 'b', 0xdbff}};
  for (int i = 0; i < 3; i++) {
    memcpy(m + 300, bad16[i], 6);
    s[0].u64 = 300;
    s[1].u64 = 3;
    EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "unpaired surrogate");
  }
  s[0].u64 = 301;
  s[1].u64 = 1;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "aligned");
  /* lengths: 64-bit arithmetic, no wrap-around */
  s[0].u64 = 0x10;
  s[1].u64 = 0x7fffffff;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "out of bounds");
  A.opts.string_encoding = COMP_LATIN1_UTF16;
  s[1].u64 = 0xffffffffu; /* tagged utf16, 2^31 - 1 units */
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "out of bounds");
  s[1].u64 = (uint32_t)A.mem->size + 1; /* latin1, one byte too long */
  s[0].u64 = 0;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "out of bounds");
  A.opts.string_encoding = COMP_UTF8;
  s[0].u64 = 0xffffffffu;
  s[1].u64 = 2;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_STRING, s, &out), "out of bounds");
  comp_typeid_t lu32 = T_list(COMP_PRIM_U32);
  s[0].u64 = 16;
  s[1].u64 = 0x40000001u; /* 4 * len wraps to 4 in 32 bits */
  EXPECT_TRAP(comp_lift_flat(&ca, lu32, s, &out), "out of bounds");
  EXPECT_TRAP(comp_transfer_flat(&ca, lu32, s, &cb, lu32, s2), "out of bounds");
  s[0].u64 = 2;
  s[1].u64 = 1;
  EXPECT_TRAP(comp_lift_flat(&ca, lu32, s, &out), "aligned");
  /* a list of zero-size elements cannot make the host allocate without bound */
  comp_typeid_t lempty = T_list(T_tuple(0, NULL));
  s[0].u64 = 0;
  s[1].u64 = 0xffffffffu;
  EXPECT_TRAP(comp_lift_flat(&ca, lempty, s, &out), "too large");
  EXPECT_OK(comp_transfer_flat(&ca, lempty, s, &cb, lempty, s2));
  CHECK(s2[1].u32 == 0xffffffffu, "zero-size list transferred in O(1)");
  /* aliasing amplification: 100 list entries naming the same 1000-byte string (regression:
   * the host-value budget of one lift) */
  comp_typeid_t lstr = T_list(COMP_PRIM_STRING);
  memset(m + 4096, 'q', 1000);
  for (uint32_t i = 0; i < 100; i++) {
    memcpy(m + 8192 + 8 * i, &(uint32_t){4096}, 4);
    memcpy(m + 8192 + 8 * i + 4, &(uint32_t){1000}, 4);
  }
  s[0].u64 = 8192;
  s[1].u64 = 100;
  ca.host_budget = 50000;
  EXPECT_TRAP(comp_lift_flat(&ca, lstr, s, &out), "too large");
  ca.host_budget = 200000;
  EXPECT_OK(comp_lift_flat(&ca, lstr, s, &out));
  CHECK(out.of.items.len == 100 && out.of.items.ptr[99].of.str.len == 1000, "aliased strings within budget");
  weld_cval_drop(&out);
  comp_typeid_t llu8 = T_list(T_list(COMP_PRIM_U8));
  ca.host_budget = 100 * 1000; /* inner list of 1000 u8 (packed: 1000 bytes), 100 times, plus the outer */
  EXPECT_TRAP(comp_lift_flat(&ca, llu8, s, &out), "too large");
  ca.host_budget = 0;
  /* chars */
  s[0].u64 = 0xd800;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_CHAR, s, &out), "surrogate");
  s[0].u64 = 0x110000;
  EXPECT_TRAP(comp_lift_flat(&ca, COMP_PRIM_CHAR, s, &out), "U+10FFFF");
  EXPECT_TRAP(comp_transfer_flat(&ca, COMP_PRIM_CHAR, s, &cb, COMP_PRIM_CHAR, s2), "invalid char");
  memcpy(m + 400, &(uint32_t){0xdfff}, 4);
  EXPECT_TRAP(comp_load(&ca, COMP_PRIM_CHAR, 400, &out), "surrogate");
  /* discriminants */
  comp_typeid_t opt = T_option(COMP_PRIM_U32), en = T_enum(3), e300 = T_enum(300);
  comp_typeid_t var = T_variant(2, (comp_typeid_t[]){COMP_PRIM_F32, COMP_PRIM_U64});
  comp_typeid_t res = T_result(COMP_PRIM_STRING, COMP_NO_TYPE);
  s[0].u64 = 2;
  EXPECT_TRAP(comp_lift_flat(&ca, opt, s, &out), "discriminant 2");
  EXPECT_TRAP(comp_lift_flat(&ca, res, s, &out), "discriminant");
  EXPECT_TRAP(comp_transfer_flat(&ca, var, s, &cb, var, s2), "discriminant");
  s[0].u64 = 3;
  EXPECT_TRAP(comp_lift_flat(&ca, en, s, &out), "discriminant 3");
  m[400] = 2;
  EXPECT_TRAP(comp_load(&ca, opt, 400, &out), "discriminant");
  memcpy(m + 400, &(uint16_t){300}, 2);
  EXPECT_TRAP(comp_load(&ca, e300, 400, &out), "discriminant 300");
  memcpy(m + 400, &(uint16_t){299}, 2);
  EXPECT_OK(comp_load(&ca, e300, 400, &out));
  CHECK(out.kind == WELD_CK_ENUM && out.of.index == 299, "2-byte discriminant");
  m[400] = 2;
  uint32_t dst = 512;
  EXPECT_TRAP(comp_transfer_mem(&ca, var, 400, &cb, var, dst), "discriminant");
  /* a variant payload read from a joined slot: case f32 in an i64 slot */
  s[0].u64 = 0;
  s[1].u64 = 0xffffffff3fc00000ull;
  EXPECT_OK(comp_lift_flat(&ca, var, s, &out));
  CHECK(out.of.variant.payload && out.of.variant.payload->of.f32 == 1.5f, "f32 from joined i64 slot");
  weld_cval_drop(&out);
  /* flags: bits beyond the labels are ignored (unpack_flags_from_int), bool any nonzero */
  comp_typeid_t fl = T_flags(3);
  s[0].u64 = 0xfffffff5;
  EXPECT_OK(comp_lift_flat(&ca, fl, s, &out));
  CHECK(out.of.flags.bits[0] == 5, "flags masked: 0x%x", out.of.flags.bits[0]);
  weld_cval_drop(&out);
  EXPECT_OK(comp_transfer_flat(&ca, fl, s, &cb, fl, s2));
  CHECK(s2[0].u64 == 5, "flags masked in transfer");
  m[400] = 0xff;
  EXPECT_OK(comp_transfer_mem(&ca, fl, 400, &cb, fl, 600));
  CHECK(gmem(&B)[600] == 7, "flags masked in memory transfer");
  m[400] = 7;
  EXPECT_OK(comp_transfer_mem(&ca, COMP_PRIM_BOOL, 400, &cb, COMP_PRIM_BOOL, 601));
  CHECK(gmem(&B)[601] == 1, "bool normalized in transfer");
  /* bad realloc results */
  weld_cval_t sv = V_str("some text");
  comp_typeid_t lu16 = T_list(COMP_PRIM_U16);
  weld_cval_t lv;
  weld_cval_items(&lv, WELD_CK_LIST, 3);
  for (int i = 0; i < 3; i++) lv.of.items.ptr[i].kind = WELD_CK_U16;
  A.opts.string_encoding = COMP_UTF16;
  gset(A.mode, 1);
  EXPECT_TRAP(comp_lower_flat(&ca, COMP_PRIM_STRING, &sv, s), "misaligned");
  EXPECT_TRAP(comp_lower_flat(&ca, lu16, &lv, s), "misaligned");
  gset(A.mode, 2);
  EXPECT_TRAP(comp_lower_flat(&ca, COMP_PRIM_STRING, &sv, s), "exceed linear memory");
  gset(A.mode, 3);
  EXPECT_TRAP(comp_lower_flat(&ca, COMP_PRIM_STRING, &sv, s), "unreachable");
  gset(A.mode, 4);
  EXPECT_TRAP(comp_lower_flat(&ca, COMP_PRIM_STRING, &sv, s), "exceed linear memory");
  EXPECT_TRAP(comp_lower_flat(&ca, lu16, &lv, s), "exceed linear memory");
  gset(A.mode, 0);
  /* the destination's realloc misbehaving during a transfer */
  A.opts.string_encoding = COMP_UTF8;
  guest_reset(&A);
  EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &sv, s));
  gset(B.mode, 2);
  EXPECT_TRAP(comp_transfer_flat(&ca, COMP_PRIM_STRING, s, &cb, COMP_PRIM_STRING, s2), "exceed linear memory");
  gset(B.mode, 0);
  /* no realloc/memory option */
  comp_abi_opts_t none = {0};
  comp_abi_cx_t cn = {&L, &none, &A.abi, NULL, 0};
  EXPECT_TRAP(comp_lower_flat(&cn, COMP_PRIM_STRING, &sv, s), "absent");
  none.realloc = A.realloc;
  EXPECT_TRAP(comp_lower_flat(&cn, COMP_PRIM_STRING, &sv, s), "`memory`");
  none.realloc = NULL;
  none.memory = A.mem;
  EXPECT_TRAP(comp_lower_flat(&cn, COMP_PRIM_STRING, &sv, s), "`realloc`");
  weld_cval_drop(&sv);
  weld_cval_drop(&lv);
  /* a host string too long for the guest's encoding (utf16 doubles it) is a trap */
  A.opts.string_encoding = COMP_UTF8;
}

/* ---------------------------------------------------------------- host misuse */

static void expect_err(weld_error_t *e, const char *needle, int line) {
  if (!e) {
    g_fail++;
    printf("FAIL line %d: expected an error containing \"%s\"\n", line, needle);
    return;
  }
  if (strstr(weld_error_message(e), needle)) g_pass++;
  else {
    g_fail++;
    printf("FAIL line %d: error \"%s\" lacks \"%s\"\n", line, weld_error_message(e), needle);
  }
  weld_error_delete(e);
}
#define EXPECT_ERR(expr, needle) expect_err((expr), (needle), __LINE__)

static void test_check(void) {
  weld_cval_t v = V_u32(3);
  EXPECT_ERR(comp_cval_check(&L, COMP_PRIM_STRING, &v, NULL), "expected string, found u32");
  v.kind = WELD_CK_CHAR;
  v.of.ch = 0xd800;
  EXPECT_ERR(comp_cval_check(&L, COMP_PRIM_CHAR, &v, NULL), "scalar");
  weld_cval_t s = V_strn("\xff", 1);
  EXPECT_ERR(comp_cval_check(&L, COMP_PRIM_STRING, &s, NULL), "UTF-8");
  weld_cval_drop(&s);
  comp_typeid_t rec = T_record(2, (comp_typeid_t[]){COMP_PRIM_U32, COMP_PRIM_STRING});
  weld_cval_t r;
  weld_cval_items(&r, WELD_CK_RECORD, 2);
  r.of.items.ptr[0] = V_u32(1);
  r.of.items.ptr[1] = V_u32(2);
  EXPECT_ERR(comp_cval_check(&L, rec, &r, NULL), "field `b`: expected string");
  weld_cval_drop(&r);
  weld_cval_items(&r, WELD_CK_RECORD, 1);
  EXPECT_ERR(comp_cval_check(&L, rec, &r, NULL), "fields");
  weld_cval_drop(&r);
  comp_typeid_t var = T_variant(2, (comp_typeid_t[]){COMP_NO_TYPE, COMP_PRIM_U32});
  memset(&v, 0, sizeof v);
  v.kind = WELD_CK_VARIANT;
  v.of.variant.index = 2;
  EXPECT_ERR(comp_cval_check(&L, var, &v, NULL), "out of range");
  v.of.variant.index = 1;
  EXPECT_ERR(comp_cval_check(&L, var, &v, NULL), "needs a payload");
  comp_typeid_t fl = T_flags(3);
  weld_cval_flags(&v, 32);
  v.of.flags.bits[0] = 8;
  EXPECT_ERR(comp_cval_check(&L, fl, &v, NULL), "beyond");
  weld_cval_drop(&v);
  comp_typeid_t lst = T_list(COMP_PRIM_U8);
  weld_cval_items(&v, WELD_CK_LIST, 2);
  v.of.items.ptr[0].kind = WELD_CK_U8;
  v.of.items.ptr[1].kind = WELD_CK_U16;
  EXPECT_ERR(comp_cval_check(&L, lst, &v, NULL), "list element 1");
  weld_cval_drop(&v);
  /* an own handle passed twice */
  weld_resource_type_t *rt = weld_resource_type_new("thing", NULL, NULL);
  weld_resource_t *h = weld_resource_new_own(g_store, rt, 1);
  weld_cval_t two[2];
  memset(two, 0, sizeof two);
  two[0].kind = two[1].kind = WELD_CK_OWN;
  two[0].of.resource = two[1].of.resource = h;
  EXPECT_ERR(comp_cval_check_moves(two, 2), "twice");
  comp_typeid_t own = T_handle(true, T_resource());
  weld_resource_t *b = weld_resource_new_borrow(g_store, rt, 1);
  two[0].of.resource = b;
  EXPECT_ERR(comp_cval_check(&L, own, &two[0], NULL), "borrowed handle");
  weld_resource_drop(g_store, h, NULL);
  weld_resource_drop(g_store, b, NULL);
  weld_resource_type_delete(rt);
}

/* ---------------------------------------------------------------- allocation failures */

static long g_fail_at = -1, g_allocs;
static void *failing_realloc(void *ud, void *ptr, size_t old, size_t n) {
  (void)ud, (void)old;
  if (n == 0) {
    free(ptr);
    return NULL;
  }
  if (g_fail_at >= 0 && g_allocs++ == g_fail_at) return NULL;
  return realloc(ptr, n);
}

/* Every allocation of a lift and of a lower fails in turn: a trap, never a crash or leak. */
static void test_oom(void) {
  comp_typeid_t rec = T_record(3, (comp_typeid_t[]){COMP_PRIM_STRING, T_list(COMP_PRIM_U32), T_option(COMP_PRIM_STRING)});
  comp_typeid_t t = T_list(rec);
  g_rng = 12345;
  weld_cval_t v;
  memset(&v, 0, sizeof v);
  do {
    weld_cval_drop(&v);
    gen_value(t, &v);
  } while (v.of.items.len < 2);
  A.opts.string_encoding = COMP_UTF16;
  guest_reset(&A);
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  core_slot_t s[2];
  EXPECT_OK(comp_lower_flat(&ca, t, &v, s));
  int lift_ok = 0, lower_ok = 0, traps = 0;
  weld_set_allocator(failing_realloc, NULL);
  for (long n = 0; n < 400 && !(lift_ok && lower_ok); n++) {
    weld_cval_t out;
    g_allocs = 0, g_fail_at = n;
    weld_trap_t *tr = comp_lift_flat(&ca, t, s, &out);
    if (tr) traps++, weld_trap_delete(tr);
    else {
      if (g_allocs <= n) lift_ok = 1;
      weld_cval_drop(&out);
    }
    g_allocs = 0, g_fail_at = n;
    core_slot_t s2[2];
    tr = comp_lower_flat(&ca, t, &v, s2);
    if (tr) traps++, weld_trap_delete(tr);
    else if (g_allocs <= n) lower_ok = 1;
  }
  g_fail_at = -1;
  weld_set_allocator(NULL, NULL);
  CHECK(lift_ok && lower_ok && traps > 0, "allocation failures: lift %d lower %d traps %d", lift_ok, lower_ok, traps);
  weld_cval_drop(&v);
  A.opts.string_encoding = COMP_UTF8;
}

int main(void) {
  fixture_init();
  types_init();
  comp_layouts_init(&L, &g_T);
  guest_init(&A, COMP_UTF8);
  guest_init(&B, COMP_UTF16);
  test_layouts();
  test_primitives();
  test_values_spill();
  test_string_matrix();
  test_random();
  test_hostile();
  test_check();
  test_oom();
  guest_free(&A);
  guest_free(&B);
  comp_layouts_free(&L);
  types_free();
  fixture_free();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
