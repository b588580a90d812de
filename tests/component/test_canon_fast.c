/* test_canon_fast.c — the fast paths of the Canonical ABI (src/component) against their
 * reference behaviour, so a speed-up cannot change an answer:
 *   - comp_utf8_valid (strings.c: a shift-based DFA, several chains in lock-step on long
 *     strings, ASCII blocks skipped) against base_utf8_valid (src/base/utf.c, a plain
 *     decoder): every 1- and 2-byte string, every 3-byte string starting with a non-ASCII
 *     byte, 4/5-byte strings of boundary bytes, and long random strings (valid, truncated,
 *     and corrupted — also right at the points where the chains split the string);
 *   - the type check of list<scalar> values (lower.c: the kinds compared in a tight loop)
 *     still names the first bad element, and the walks for own handles (lower.c
 *     collect_owns, cval.c comp_cval_free_owns), which skip scalar elements without a call,
 *     still find handles nested in lists and records;
 *   - list<integer> lifted without zeroing the array first (lift.c) gives whole, clean
 *     elements.
 * Last line: "N passed, N failed". */
#include "canon_util.h"
#include "base/utf.h"
#include "component/crt.h"

static comp_layouts_t L;
static guest_t A;

/* ---------------------------------------------------------------- UTF-8 validation */

static long g_utf8_bad;
static void same(const uint8_t *s, size_t n) {
  bool fast = comp_utf8_valid(s, n), ref = base_utf8_valid(s, n);
  if (fast != ref && g_utf8_bad++ < 5) {
    printf("  comp_utf8_valid=%d base_utf8_valid=%d for %zu bytes:", fast, ref, n);
    for (size_t i = 0; i < n && i < 16; i++) printf(" %02x", s[i]);
    printf("\n");
  }
}

/* a random valid character (1-4 bytes) at p; returns its length */
static size_t rand_char(uint8_t *p) {
  int k = rand() % 8;
  uint32_t cp;
  if (k < 3) cp = (uint32_t)rand() % 0x80;
  else if (k < 5) cp = 0x80 + (uint32_t)rand() % (0x800 - 0x80);
  else if (k < 7) {
    do cp = 0x800 + (uint32_t)rand() % (0x10000 - 0x800);
    while (cp >= 0xd800 && cp <= 0xdfff);
  } else cp = 0x10000 + (uint32_t)rand() % (0x110000 - 0x10000);
  return base_utf8_encode(cp, p);
}

static void test_utf8(void) {
  uint8_t b[8];
  for (uint32_t x = 0; x < 0x10000; x++) {
    b[0] = (uint8_t)(x >> 8), b[1] = (uint8_t)x;
    same(b, 1);
    same(b, 2);
  }
  for (uint32_t x = 0x800000; x < 0x1000000; x++) {
    b[0] = (uint8_t)(x >> 16), b[1] = (uint8_t)(x >> 8), b[2] = (uint8_t)x;
    same(b, 3);
  }
  static const uint8_t edge[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
                                 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff};
  size_t ne = sizeof edge;
  for (size_t a = 0; a < ne; a++)
    for (size_t c = 0; c < ne; c++)
      for (size_t d = 0; d < ne; d++)
        for (size_t e = 0; e < ne; e++) {
          b[0] = edge[a], b[1] = edge[c], b[2] = edge[d], b[3] = edge[e], b[4] = 'x';
          same(b, 4);
          same(b, 5);
        }
  CHECK(g_utf8_bad == 0, "short strings: %ld disagreements", g_utf8_bad);

  /* long strings take the multi-chain path (>= 4096 bytes after the ASCII prefix) */
  size_t cap = 20000;
  uint8_t *s = malloc(cap + 4);
  long valid = 0;
  srand(12345);
  for (int r = 0; r < 600; r++) {
    size_t n = 0, want = 4096 + (size_t)rand() % (cap - 4096);
    int mostly_ascii = rand() % 3 == 0;
    while (n < want) {
      if (mostly_ascii && rand() % 16) s[n++] = (uint8_t)('a' + rand() % 26);
      else n += rand_char(s + n);
    }
    same(s, n);
    valid += base_utf8_valid(s, n);
    same(s, n - 1); /* maybe a cut character */
    int nc = 1 + rand() % 3;
    for (int c = 0; c < nc; c++) {
      /* anywhere, or within a few bytes of a quarter (where the chains split) */
      size_t at = rand() % 2 ? (size_t)rand() % n : (n / 4 * (size_t)(1 + rand() % 3) + (size_t)(rand() % 9) - 4) % n;
      s[at] = edge[(size_t)rand() % ne];
    }
    same(s, n);
  }
  /* four continuation bytes where a chain would start */
  memset(s, 'a', 16384);
  memcpy(s + 4096, "\x80\x80\x80\x80", 4);
  same(s, 16384);
  CHECK(!comp_utf8_valid(s, 16384), "continuation bytes at a split point");
  free(s);
  CHECK(valid == 600, "the random strings were valid before corruption (%ld)", valid);
  CHECK(g_utf8_bad == 0, "long strings: %ld disagreements", g_utf8_bad);
}

/* ---------------------------------------------------------------- list checks and handle walks */

static bool err_has(weld_error_t *e, const char *needle) {
  bool ok = e && strstr(weld_error_message(e), needle);
  if (e && !ok) printf("  error was: %s\n", weld_error_message(e));
  weld_error_delete(e);
  return ok;
}

static void test_lists(void) {
  comp_typeid_t lu8 = T_list(COMP_PRIM_U8), lchar = T_list(COMP_PRIM_CHAR);
  weld_cval_t v;
  size_t n = 100000;
  CHECK(weld_cval_items(&v, WELD_CK_LIST, n));
  for (size_t i = 0; i < n; i++) v.of.items.ptr[i].kind = WELD_CK_U8, v.of.items.ptr[i].of.u8 = (uint8_t)i;
  CHECK(comp_cval_check(&L, lu8, &v, NULL) == NULL, "list<u8> of 100000 elements");
  v.of.items.ptr[77777].kind = WELD_CK_U16;
  CHECK(err_has(comp_cval_check(&L, lu8, &v, NULL), "list element 77777: expected u8, found u16"), "bad element named");
  v.of.items.ptr[3].kind = WELD_CK_S32;
  CHECK(err_has(comp_cval_check(&L, lu8, &v, NULL), "list element 3:"), "the first bad element is named");
  weld_cval_drop(&v);
  CHECK(weld_cval_items(&v, WELD_CK_LIST, 3));
  for (size_t i = 0; i < 3; i++) v.of.items.ptr[i].kind = WELD_CK_CHAR, v.of.items.ptr[i].of.ch = 'a';
  v.of.items.ptr[2].of.ch = 0xd800;
  CHECK(err_has(comp_cval_check(&L, lchar, &v, NULL), "list element 2"), "list<char> still checks each char");
  weld_cval_drop(&v);

  /* own handles inside list<record{u8, own}>: found past scalar fields and elements */
  weld_resource_type_t *rt = weld_resource_type_new("thing", NULL, NULL);
  weld_resource_t *h = weld_resource_new_own(g_store, rt, 1), *h2 = weld_resource_new_own(g_store, rt, 2);
  weld_cval_t outer;
  CHECK(weld_cval_items(&outer, WELD_CK_LIST, 4));
  for (int i = 0; i < 4; i++) {
    weld_cval_t *rec = &outer.of.items.ptr[i];
    CHECK(weld_cval_items(rec, WELD_CK_RECORD, 2));
    rec->of.items.ptr[0].kind = WELD_CK_U8;
    rec->of.items.ptr[1].kind = i == 3 ? WELD_CK_OWN : WELD_CK_U32;
    rec->of.items.ptr[1].of.resource = i == 3 ? h : NULL;
  }
  weld_cval_t two[2];
  memset(two, 0, sizeof two);
  two[0] = outer;
  two[1].kind = WELD_CK_OWN;
  two[1].of.resource = h;
  CHECK(err_has(comp_cval_check_moves(two, 2), "twice"), "an own in a list of records and again outside");
  two[1].of.resource = h2;
  weld_error_t *e = comp_cval_check_moves(two, 2);
  CHECK(e == NULL, "two different owns");
  weld_error_delete(e);
  weld_cval_drop(&outer);
  weld_resource_drop(g_store, h, NULL);
  weld_resource_drop(g_store, h2, NULL);
  weld_resource_type_delete(rt);
}

/* ---------------------------------------------------------------- lifting lists of integers (packed) */

static void test_lift_lists(void) {
  static const struct {
    comp_typeid_t elem;
    weld_ckind_t kind;
    uint32_t size;
  } cases[] = {{COMP_PRIM_U8, WELD_CK_U8, 1},   {COMP_PRIM_S8, WELD_CK_S8, 1},   {COMP_PRIM_U16, WELD_CK_U16, 2},
               {COMP_PRIM_S16, WELD_CK_S16, 2}, {COMP_PRIM_U32, WELD_CK_U32, 4}, {COMP_PRIM_S32, WELD_CK_S32, 4},
               {COMP_PRIM_U64, WELD_CK_U64, 8}, {COMP_PRIM_S64, WELD_CK_S64, 8}};
  comp_abi_cx_t cx = gcx(&A, &L, NULL);
  uint8_t *m = gmem(&A);
  const uint32_t at = 4096, n = 1000;
  for (uint32_t i = 0; i < n * 8; i++) m[at + i] = (uint8_t)(i * 37 + 201);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    comp_typeid_t lt = T_list(cases[c].elem);
    core_slot_t slots[2];
    slots[0].u64 = at;
    slots[1].u64 = n;
    weld_cval_t out;
    EXPECT_OK(comp_lift_values(&cx, COMP_MAX_FLAT_PARAMS, &lt, 1, slots, 2, &out));
    /* packed: the guest's bytes as they were, and the same numbers element by element */
    bool ok = out.kind == WELD_CK_ARRAY && out.of.array.elem == cases[c].kind && out.of.array.len == n &&
              memcmp(out.of.array.ptr, m + at, (size_t)n * cases[c].size) == 0;
    for (uint32_t i = 0; ok && i < n; i++) {
      weld_cval_t e;
      const uint8_t *p = m + at + i * cases[c].size;
      uint64_t want = 0, got = 0;
      memcpy(&want, p, cases[c].size);
      ok = weld_cval_element(&out, i, &e) && e.kind == cases[c].kind;
      memcpy(&got, &e.of, cases[c].size);
      ok = ok && got == want;
    }
    CHECK(ok, "list of %s lifted as an array", comp_ckind_name(cases[c].kind));
    weld_cval_drop(&out);
    /* the empty list */
    slots[1].u64 = 0;
    EXPECT_OK(comp_lift_values(&cx, COMP_MAX_FLAT_PARAMS, &lt, 1, slots, 2, &out));
    CHECK(out.kind == WELD_CK_ARRAY && out.of.array.len == 0 && out.of.array.ptr == NULL, "empty list");
    weld_cval_drop(&out);
  }
}

int main(void) {
  fixture_init();
  types_init();
  comp_layouts_init(&L, &g_T);
  guest_init(&A, COMP_UTF8);
  test_utf8();
  test_lists();
  test_lift_lists();
  guest_free(&A);
  comp_layouts_free(&L);
  types_free();
  fixture_free();
  return test_summary();
}
