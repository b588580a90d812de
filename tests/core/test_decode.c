/* test_decode.c — unit tests for the core binary decoder and module-level validator
 * (src/core/decode*.c, validate_module.c, names.c; core spec §5 and §3.4).
 *
 * Modules are written by hand as bytes.  Valid modules must decode with the right
 * structure; every hostile class (truncation, over-long LEB128, huge counts, bad UTF-8,
 * bad section order, ...) must give an error with the expected words, never a crash, a
 * leak or a huge allocation.  Last line: "N passed, N failed". */
#include "core/module.h"
#include "base/vec.h"
#include "weld/engine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;

#define CHECK(cond) check_((cond), #cond, __FILE__, __LINE__)
static bool check_(bool ok, const char *what, const char *file, int line) {
  if (ok) g_pass++;
  else {
    g_fail++;
    printf("FAIL %s:%d: %s\n", file, line, what);
  }
  return ok;
}

/* ---- allocator that can fail and records the biggest request ---------------------- */

static long g_alloc_budget = -1; /* allocations left before failing; -1 = unlimited */
static size_t g_biggest;
static void *test_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  if (new_size > g_biggest) g_biggest = new_size;
  if (g_alloc_budget == 0) return NULL;
  if (g_alloc_budget > 0) g_alloc_budget--;
  return realloc(ptr, new_size);
}

/* ---- module builder --------------------------------------------------------------- */

typedef struct {
  base_buf_t b;
  size_t bounds[64]; /* offsets where a section ends (valid truncation points) */
  int nbounds;
} mod_t;

static void mod_init(mod_t *m) {
  memset(m, 0, sizeof *m);
  base_buf_bytes(&m->b, "\0asm\1\0\0\0", 8);
  m->bounds[m->nbounds++] = 8;
}
static void sec(mod_t *m, uint8_t id, const uint8_t *p, size_t n) {
  base_buf_byte(&m->b, id);
  base_buf_u32leb(&m->b, (uint32_t)n);
  base_buf_bytes(&m->b, p, n);
  if (m->nbounds < 64) m->bounds[m->nbounds++] = m->b.len;
}
#define SEC(m, id, ...) \
  do { \
    static const uint8_t p_[] = {__VA_ARGS__}; \
    sec((m), (id), p_, sizeof p_); \
  } while (0)
#define RAW(m, ...) \
  do { \
    static const uint8_t p_[] = {__VA_ARGS__}; \
    base_buf_bytes(&(m)->b, p_, sizeof p_); \
  } while (0)

/* Decodes and expects an error whose message contains `want`; returns the offset. */
static size_t expect_err_(mod_t *m, const char *want, int line) {
  core_module_t *cm = NULL;
  weld_error_t *err = core_decode(m->b.data, m->b.len, &cm);
  size_t off = (size_t)-1;
  if (!err) {
    check_(false, want, __FILE__, line);
    printf("     decoded although \"%s\" was expected\n", want);
    core_module_free(cm);
  } else {
    bool ok = strstr(weld_error_message(err), want) != NULL && cm == NULL;
    if (!check_(ok, want, __FILE__, line)) printf("     got: %s\n", weld_error_message(err));
    off = weld_error_offset(err);
    weld_error_delete(err);
  }
  base_buf_free(&m->b);
  return off;
}
#define EXPECT_ERR(m, want) expect_err_((m), (want), __LINE__)

static core_module_t *expect_ok_(mod_t *m, int line) {
  core_module_t *cm = NULL;
  weld_error_t *err = core_decode(m->b.data, m->b.len, &cm);
  if (err) {
    check_(false, "module decodes", __FILE__, line);
    printf("     error: %s\n", weld_error_message(err));
    weld_error_delete(err);
    return NULL;
  }
  g_pass++;
  return cm;
}
#define EXPECT_OK(m) expect_ok_((m), __LINE__)
#define OK_AND_FREE(m) \
  do { \
    core_module_free(EXPECT_OK(m)); \
    base_buf_free(&(m)->b); \
  } while (0)

static bool name_is(core_name_t n, const char *s) { return n.len == strlen(s) && memcmp(n.s, s, n.len) == 0; }

/* ---- the big valid module --------------------------------------------------------- */

static void build_full(mod_t *m) {
  mod_init(m);
  SEC(m, 0, 3, 'f', 'o', 'o', 1, 2, 3); /* custom section before everything */
  SEC(m, 1, 3,                          /* type section: 3 types */
      0x60, 0, 0,                       /* t0 [] -> [] */
      0x60, 2, 0x7f, 0x7e, 1, 0x7d,     /* t1 [i32 i64] -> [f32] */
      0x60, 4, 0x7b, 0x70, 0x6f, 0x7c, 2, 0x7f, 0x7f); /* t2 [v128 funcref externref f64] -> [i32 i32] */
  SEC(m, 2, 5,                          /* import section */
      3, 'e', 'n', 'v', 1, 'f', 0x00, 1,                    /* func 0: t1 */
      3, 'e', 'n', 'v', 1, 't', 0x01, 0x70, 0x01, 1, 10,    /* table 0: funcref 1..10 */
      3, 'e', 'n', 'v', 1, 'm', 0x02, 0x00, 1,              /* memory 0: 1 page */
      3, 'e', 'n', 'v', 1, 'g', 0x03, 0x7f, 0x00,           /* global 0: const i32 */
      3, 'e', 'n', 'v', 2, 'g', 'm', 0x03, 0x7e, 0x01);     /* global 1: mut i64 */
  SEC(m, 3, 4, 0, 1, 2, 0);                                 /* funcs 1..4 */
  SEC(m, 4, 2, 0x6f, 0x00, 0, 0x70, 0x00, 2);               /* tables 1 (externref), 2 (funcref) */
  SEC(m, 0, 1, 'x');                                        /* custom between sections */
  SEC(m, 5, 1, 0x01, 1, 2);                                 /* memory 1: 1..2 pages (multi-memory) */
  SEC(m, 6, 5,                                              /* globals 2..6 */
      0x7f, 0x00, 0x23, 0x00, 0x0b,                         /* i32 = global.get 0 */
      0x70, 0x01, 0xd2, 0x03, 0x0b,                         /* mut funcref = ref.func 3 */
      0x7b, 0x00, 0xfd, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x0b,
      0x6f, 0x00, 0xd0, 0x6f, 0x0b,                         /* externref = ref.null extern */
      0x7c, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x0b); /* f64 = 1.0 */
  SEC(m, 7, 4, 2, 'f', '1', 0x00, 1, 3, 'm', 'e', 'm', 0x02, 1, 1, 'g', 0x03, 2, 1, 't', 0x01, 2);
  SEC(m, 8, 1);                                             /* start: func 1 */
  SEC(m, 9, 8,                                              /* element section: flags 0..7 */
      0x00, 0x41, 0x00, 0x0b, 1, 0,                         /* active table 0, funcs [0] */
      0x01, 0x00, 1, 2,                                     /* passive, funcs [2] */
      0x02, 2, 0x41, 0x01, 0x0b, 0x00, 1, 3,                /* active table 2, funcs [3] */
      0x03, 0x00, 1, 1,                                     /* declarative, funcs [1] */
      0x04, 0x41, 0x00, 0x0b, 2, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b, /* active table 0, exprs */
      0x05, 0x6f, 1, 0xd0, 0x6f, 0x0b,                      /* passive externref exprs */
      0x06, 1, 0x41, 0x00, 0x0b, 0x6f, 1, 0xd0, 0x6f, 0x0b, /* active table 1 externref */
      0x07, 0x70, 1, 0xd2, 0x02, 0x0b);                     /* declarative funcref exprs */
  SEC(m, 12, 3);                                            /* data count */
  SEC(m, 10, 4,                                             /* code section */
      19, 2, 2, 0x7f, 1, 0x7b,                              /* f1: 2 i32, 1 v128 */
      0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0, 0, 0xfc, 0x09, 1, 0x0b,
      7, 0, 0x43, 0, 0, 0, 0, 0x0b,                         /* f2 */
      6, 0, 0x41, 0, 0x41, 0, 0x0b,                         /* f3 */
      2, 0, 0x0b);                                          /* f4 */
  SEC(m, 11, 3,                                             /* data section */
      0x00, 0x41, 0x00, 0x0b, 2, 'h', 'i',                  /* active memory 0 */
      0x01, 1, 'x',                                         /* passive */
      0x02, 1, 0x41, 0x08, 0x0b, 3, 'a', 'b', 'c');         /* active memory 1 */
  SEC(m, 0, 4, 'n', 'a', 'm', 'e',                          /* name section */
      0, 4, 3, 'm', 'o', 'd',                               /* module name */
      1, 13, 2, 1, 3, 'o', 'n', 'e', 3, 5, 't', 'h', 'r', 'e', 'e'); /* funcs 1, 3 */
}

static void test_full(void) {
  mod_t mb;
  build_full(&mb);
  core_module_t *m = EXPECT_OK(&mb);
  if (m) {
    CHECK(m->ntypes == 3);
    CHECK(m->types[1].nparams == 2 && m->types[1].nresults == 1 && core_ft_results(&m->types[1])[0] == VT_F32);
    CHECK(m->types[2].nparams == 4 && m->types[2].nresults == 2 && core_ft_params(&m->types[2])[0] == VT_V128);
    CHECK(!core_functype_eq(&m->types[0], &m->types[1]) && core_functype_eq(&m->types[2], &m->types[2]));
    CHECK(m->nimports == 5 && name_is(m->imports[4].module, "env") && name_is(m->imports[4].name, "gm"));
    CHECK(m->imports[4].kind == EXT_GLOBAL && m->imports[4].index == 1);
    CHECK(m->nfuncs == 5 && m->nimported_funcs == 1 && m->func_types[0] == 1 && m->func_types[3] == 2);
    CHECK(m->ntables == 3 && m->nimported_tables == 1 && m->tables[0].limits.has_max && m->tables[0].limits.max == 10);
    CHECK(m->tables[1].elem == VT_EXTERNREF && m->tables[2].limits.min == 2);
    CHECK(m->nmems == 2 && m->nimported_mems == 1 && m->mems[1].limits.max == 2);
    CHECK(m->nglobals == 7 && m->nimported_globals == 2 && m->globals[1].type.mut && m->globals[3].type.mut);
    CHECK(m->globals[0].init.len == 0 && m->globals[2].init.len == 3 && m->globals[2].init.code[0] == 0x23);
    CHECK(m->globals[4].type.type == VT_V128 && m->globals[4].init.len == 19);
    CHECK(m->nexports == 4 && name_is(m->exports[1].name, "mem") && m->exports[1].kind == EXT_MEMORY);
    CHECK(m->has_start && m->start == 1);
    CHECK(m->nelems == 8);
    if (m->nelems == 8) {
      CHECK(m->elems[0].mode == SEG_ACTIVE && m->elems[0].table == 0 && m->elems[0].funcs && m->elems[0].funcs[0] == 0);
      CHECK(m->elems[1].mode == SEG_PASSIVE && m->elems[1].count == 1 && m->elems[1].funcs[0] == 2);
      CHECK(m->elems[2].mode == SEG_ACTIVE && m->elems[2].table == 2 && m->elems[2].offset.len == 3);
      CHECK(m->elems[3].mode == SEG_DECLARATIVE);
      CHECK(m->elems[4].exprs && m->elems[4].count == 2 && m->elems[4].exprs[1].code[0] == 0xd0);
      CHECK(m->elems[5].mode == SEG_PASSIVE && m->elems[5].elemtype == VT_EXTERNREF);
      CHECK(m->elems[6].table == 1 && m->elems[6].elemtype == VT_EXTERNREF);
      CHECK(m->elems[7].mode == SEG_DECLARATIVE && m->elems[7].elemtype == VT_FUNCREF && !m->elems[7].funcs);
    }
    CHECK(m->has_datacount && m->datacount == 3 && m->ndatas == 3);
    CHECK(m->datas[0].mode == SEG_ACTIVE && m->datas[0].memory == 0 && m->datas[0].len == 2 && !memcmp(m->datas[0].bytes, "hi", 2));
    CHECK(m->datas[1].mode == SEG_PASSIVE && m->datas[1].len == 1);
    CHECK(m->datas[2].memory == 1 && m->datas[2].len == 3 && m->datas[2].offset.code[1] == 8);
    CHECK(m->ncodes == 4 && m->codes[0].ngroups == 2 && m->codes[0].nlocals == 3);
    CHECK(m->codes[0].groups && m->codes[0].groups[1].type == VT_V128 && m->codes[0].groups[0].count == 2);
    CHECK(m->codes[0].body_len == 14 && m->codes[0].body[m->codes[0].body_len - 1] == 0x0b);
    CHECK(m->codes[0].body == m->bytes + m->codes[0].body_offset);
    CHECK(m->codes[1].ngroups == 0 && m->codes[1].nlocals == 0 && m->codes[3].body_len == 1);
    CHECK(m->func_declared[0] && m->func_declared[1] && m->func_declared[2] && m->func_declared[3] && !m->func_declared[4]);
    CHECK(name_is(m->module_name, "mod") && m->nfunc_names == 2);
    const core_name_t *n1 = core_func_name(m, 1), *n3 = core_func_name(m, 3);
    CHECK(n1 && name_is(*n1, "one") && n3 && name_is(*n3, "three") && !core_func_name(m, 2) && !core_func_name(m, 4));
    CHECK(m->ncustoms == 3 && name_is(m->customs[0].name, "foo") && m->customs[0].len == 3 && name_is(m->customs[2].name, "name"));
    core_module_free(m);
  }

  /* Truncation at every byte: an error (or, exactly at a section boundary, a valid
   * shorter module), never a crash. */
  size_t full = mb.b.len;
  int bad = 0;
  for (size_t len = 0; len < full; len++) {
    bool boundary = false;
    for (int i = 0; i < mb.nbounds; i++) boundary |= mb.bounds[i] == len;
    core_module_t *cm = NULL;
    weld_error_t *err = core_decode(mb.b.data, len, &cm);
    if (!err && !boundary) bad++;
    weld_error_delete(err);
    core_module_free(cm);
  }
  CHECK(bad == 0);

  /* Every byte replaced by a few values: no crash, no leak (ASan), no huge allocation. */
  uint8_t *copy = malloc(full);
  g_biggest = 0;
  weld_set_allocator(test_realloc, NULL);
  static const uint8_t vals[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xff};
  for (size_t i = 0; i < full; i++) {
    for (size_t v = 0; v < sizeof vals; v++) {
      memcpy(copy, mb.b.data, full);
      copy[i] = vals[v];
      core_module_t *cm = NULL;
      weld_error_t *err = core_decode(copy, full, &cm);
      weld_error_delete(err);
      core_module_free(cm);
    }
  }
  CHECK(g_biggest < 4096);

  /* Out of memory at every allocation: an error, never a crash or leak. */
  int oom_ok = 1;
  for (long n = 0; n < 200; n++) {
    g_alloc_budget = n;
    core_module_t *cm = NULL;
    weld_error_t *err = core_decode(mb.b.data, full, &cm);
    g_alloc_budget = -1;
    if (!err) {
      core_module_free(cm);
      break;
    }
    if (!strstr(weld_error_message(err), "out of memory")) oom_ok = 0;
    weld_error_delete(err);
  }
  CHECK(oom_ok);
  weld_set_allocator(NULL, NULL);
  free(copy);
  base_buf_free(&mb.b);
}

/* ---- preamble and framing --------------------------------------------------------- */

static void test_preamble(void) {
  mod_t m;
  static const struct { const char *bytes; size_t len; const char *want; } cases[] = {
      {"", 0, "unexpected end"},
      {"\1", 1, "unexpected end"},
      {"\0as", 3, "unexpected end"},
      {"asm\0", 4, "magic header not detected"},
      {"\0ASM\1\0\0\0", 8, "magic header not detected"},
      {"\0asm", 4, "unexpected end"},
      {"\0asm\1\0\0", 7, "unexpected end"},
      {"\0asm\0\0\0\0", 8, "unknown binary version"},
      {"\0asm\2\0\0\0", 8, "unknown binary version"},
      {"\0asm\x0d\0\1\0", 8, "this is a component"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    memset(&m, 0, sizeof m);
    base_buf_bytes(&m.b, cases[i].bytes, cases[i].len);
    if (!cases[i].len) base_buf_byte(&m.b, 0), m.b.len = 0;
    EXPECT_ERR(&m, cases[i].want);
  }
  mod_init(&m);
  core_module_t *e = EXPECT_OK(&m);
  if (e) CHECK(e->ntypes == 0 && e->nfuncs == 0 && e->ncustoms == 0 && e->func_types == NULL);
  core_module_free(e);
  base_buf_free(&m.b);
}

static void test_sections(void) {
  mod_t m;
  size_t off;
  mod_init(&m);
  RAW(&m, 0x0d, 0x01, 0x00);
  off = EXPECT_ERR(&m, "malformed section id");
  CHECK(off == 8);
  mod_init(&m);
  RAW(&m, 0x80, 0x01, 0x00);
  EXPECT_ERR(&m, "malformed section id");
  mod_init(&m);
  RAW(&m, 0x01, 0x05, 0x00); /* size past the end */
  EXPECT_ERR(&m, "length out of bounds");
  mod_init(&m);
  RAW(&m, 0x01); /* id without size */
  EXPECT_ERR(&m, "unexpected end");
  mod_init(&m);
  SEC(&m, 1, 0, 0x00); /* one byte too many */
  off = EXPECT_ERR(&m, "section size mismatch");
  CHECK(off == 11);
  mod_init(&m);
  SEC(&m, 1, 2, 0x60, 0, 0); /* count 2, one given */
  EXPECT_ERR(&m, "unexpected end");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0, 0x60, 0, 0); /* count 1, two given */
  EXPECT_ERR(&m, "section size mismatch");
  /* order and duplicates */
  mod_init(&m);
  SEC(&m, 3, 0);
  SEC(&m, 1, 0);
  EXPECT_ERR(&m, "unexpected content after last section");
  mod_init(&m);
  SEC(&m, 1, 0);
  SEC(&m, 1, 0);
  EXPECT_ERR(&m, "duplicate type section");
  mod_init(&m);
  SEC(&m, 10, 0);
  SEC(&m, 12, 0); /* data count after code */
  EXPECT_ERR(&m, "unexpected content after last section");
  mod_init(&m);
  SEC(&m, 12, 0);
  SEC(&m, 9, 0); /* element after data count */
  EXPECT_ERR(&m, "unexpected content after last section");
  mod_init(&m);
  SEC(&m, 11, 0);
  SEC(&m, 10, 0);
  EXPECT_ERR(&m, "unexpected content after last section");
  /* every section empty, in order, with customs everywhere */
  mod_init(&m);
  for (uint8_t id = 1; id <= 11; id++) {
    if (id == 8) continue; /* start has no empty form */
    if (id == 10) SEC(&m, 12, 0);
    sec(&m, id, (const uint8_t *)"", 1);
    SEC(&m, 0, 1, 'c');
  }
  OK_AND_FREE(&m);
  /* custom sections */
  mod_init(&m);
  SEC(&m, 0); /* no name */
  EXPECT_ERR(&m, "unexpected end");
  mod_init(&m);
  SEC(&m, 0, 5, 'a');
  EXPECT_ERR(&m, "name length out of bounds");
  mod_init(&m);
  SEC(&m, 0, 2, 0xc0, 0x80); /* overlong UTF-8 */
  EXPECT_ERR(&m, "malformed UTF-8");
  mod_init(&m);
  SEC(&m, 0, 3, 0xed, 0xa0, 0x80); /* surrogate */
  EXPECT_ERR(&m, "malformed UTF-8");
  mod_init(&m);
  SEC(&m, 0, 0); /* empty name is fine */
  OK_AND_FREE(&m);
}

static void test_leb(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00); /* 6-byte u32 */
  EXPECT_ERR(&m, "integer representation too long");
  mod_init(&m);
  SEC(&m, 1, 0x80, 0x80, 0x80, 0x80, 0x70); /* unused bits set */
  EXPECT_ERR(&m, "integer too large");
  mod_init(&m);
  SEC(&m, 1, 0x81, 0x00, 0x60, 0, 0); /* over-long but within 5 bytes: allowed */
  OK_AND_FREE(&m);
  mod_init(&m);
  SEC(&m, 1, 0x80, 0x80); /* truncated LEB */
  EXPECT_ERR(&m, "unexpected end");
  /* section size itself over-long */
  mod_init(&m);
  RAW(&m, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
  EXPECT_ERR(&m, "integer representation too long");
  /* i32.const with an over-long / too large immediate in a global */
  mod_init(&m);
  SEC(&m, 6, 1, 0x7f, 0x00, 0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
  EXPECT_ERR(&m, "integer representation too long");
  mod_init(&m);
  SEC(&m, 6, 1, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x4f, 0x0b);
  EXPECT_ERR(&m, "integer too large");
  mod_init(&m);
  SEC(&m, 6, 1, 0x7e, 0x00, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
  EXPECT_ERR(&m, "integer representation too long");
}

/* Huge counts with tiny payloads are rejected before anything is allocated. */
static void test_huge_counts(void) {
  static const uint8_t ids[] = {1, 2, 3, 4, 5, 6, 7, 9, 10, 11};
  weld_set_allocator(test_realloc, NULL);
  for (size_t i = 0; i < sizeof ids; i++) {
    mod_t m;
    mod_init(&m);
    if (ids[i] == 11) SEC(&m, 12, 0xff, 0xff, 0x03); /* data count 65535 */
    if (ids[i] == 10) SEC(&m, 3, 0);
    sec(&m, ids[i], (const uint8_t *)"\xff\xff\xff\xff\x0f\x00", 6);
    g_biggest = 0;
    core_module_t *cm = NULL;
    weld_error_t *err = core_decode(m.b.data, m.b.len, &cm);
    CHECK(err != NULL && g_biggest < 1024);
    if (err && ids[i] != 10 && ids[i] != 11 && !strstr(weld_error_message(err), "too many") &&
        !strstr(weld_error_message(err), "length out of bounds"))
      printf("     section %u: %s\n", ids[i], weld_error_message(err));
    weld_error_delete(err);
    core_module_free(cm);
    base_buf_free(&m.b);
  }
  /* a count under the cap but larger than the bytes left */
  {
    mod_t m;
    mod_init(&m);
    SEC(&m, 1, 0xc0, 0x84, 0x3d, 0x60, 0, 0); /* 1000000 types, 3 bytes */
    g_biggest = 0;
    EXPECT_ERR(&m, "length out of bounds");
    CHECK(g_biggest < 1024);
  }
  {
    mod_t m; /* elements count huge inside a segment */
    mod_init(&m);
    SEC(&m, 9, 1, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f);
    g_biggest = 0;
    EXPECT_ERR(&m, "length out of bounds");
    CHECK(g_biggest < 1024);
  }
  {
    mod_t m; /* local groups count huge */
    mod_init(&m);
    SEC(&m, 1, 1, 0x60, 0, 0);
    SEC(&m, 3, 1, 0);
    SEC(&m, 10, 1, 7, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b);
    g_biggest = 0;
    EXPECT_ERR(&m, "length out of bounds");
    CHECK(g_biggest < 1024);
  }
  {
    mod_t m; /* name section with a huge function name count: ignored */
    mod_init(&m);
    SEC(&m, 0, 4, 'n', 'a', 'm', 'e', 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f);
    g_biggest = 0;
    OK_AND_FREE(&m);
    CHECK(g_biggest < 1024);
  }
  weld_set_allocator(NULL, NULL);
}

static void test_types(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 1, 1, 0x61, 0, 0);
  EXPECT_ERR(&m, "malformed function type");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x7a, 0);
  EXPECT_ERR(&m, "malformed value type");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 1, 0x40);
  EXPECT_ERR(&m, "malformed value type");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0xe9, 0x07); /* 1001 params */
  EXPECT_ERR(&m, "too many parameters");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0xe9, 0x07);
  EXPECT_ERR(&m, "too many results");
  mod_init(&m);
  SEC(&m, 3, 1, 0); /* no types */
  SEC(&m, 10, 1, 2, 0, 0x0b);
  EXPECT_ERR(&m, "unknown type");
}

static void test_imports(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x04, 0);
  EXPECT_ERR(&m, "malformed import kind");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x00, 0);
  EXPECT_ERR(&m, "unknown type");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 0xff, 1, 'b', 0x02, 0x00, 0);
  EXPECT_ERR(&m, "malformed UTF-8");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 2, 0xe2, 0x82, 0x02, 0x00, 0); /* truncated 3-byte sequence */
  EXPECT_ERR(&m, "malformed UTF-8");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x03, 0x7f, 0x02);
  EXPECT_ERR(&m, "malformed mutability");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x01, 0x7f, 0x00, 0);
  EXPECT_ERR(&m, "malformed reference type");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x02, 0x02, 0);
  EXPECT_ERR(&m, "malformed limits flags");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x02, 0x00, 0x81, 0x80, 0x04); /* 65537 pages */
  EXPECT_ERR(&m, "at most 65536 pages");
  mod_init(&m);
  SEC(&m, 2, 2, 0, 0, 0x02, 0x00, 0, 0, 0, 0x02, 0x00, 0); /* empty names, two memories */
  OK_AND_FREE(&m);
}

static void test_tables_memories(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0x01, 2, 1);
  EXPECT_ERR(&m, "minimum must not be greater than maximum");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0x08, 0);
  EXPECT_ERR(&m, "integer too large");
  mod_init(&m);
  SEC(&m, 4, 1, 0x7f, 0x00, 0);
  EXPECT_ERR(&m, "malformed reference type");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0x01, 0, 0xff, 0xff, 0xff, 0xff, 0x0f); /* max 2^32-1 is fine */
  OK_AND_FREE(&m);
  mod_init(&m);
  SEC(&m, 5, 1, 0x01, 0x80, 0x80, 0x04, 0x80, 0x80, 0x04); /* 65536 pages */
  OK_AND_FREE(&m);
  mod_init(&m);
  SEC(&m, 5, 1, 0x01, 0, 0x81, 0x80, 0x04);
  EXPECT_ERR(&m, "at most 65536 pages");
  mod_init(&m);
  SEC(&m, 5, 1, 0x01, 3, 2);
  EXPECT_ERR(&m, "minimum must not be greater than maximum");
  mod_init(&m);
  SEC(&m, 5, 1, 0x03, 1, 2); /* shared memory flags: not in 2.0, named as the threads feature */
  EXPECT_ERR(&m, "not supported: threads (shared memory)");
  mod_init(&m);
  SEC(&m, 5, 1, 0x02, 1); /* shared without maximum: malformed in every proposal */
  EXPECT_ERR(&m, "malformed limits flags");
  mod_init(&m);
  SEC(&m, 5, 1, 0x04, 1); /* 64-bit memory: the memory64 feature */
  EXPECT_ERR(&m, "not supported: memory64");
  mod_init(&m);
  SEC(&m, 5, 1, 0x05, 1, 2);
  EXPECT_ERR(&m, "not supported: memory64");
  mod_init(&m);
  SEC(&m, 5, 1, 0x07, 1, 2); /* shared 64-bit memory */
  EXPECT_ERR(&m, "not supported: memory64");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0x04, 1); /* 64-bit table (memory64 proposal) */
  EXPECT_ERR(&m, "not supported: memory64");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0x03, 1, 2); /* a shared table is no proposal weld knows */
  EXPECT_ERR(&m, "malformed limits flags");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x02, 0x05, 0, 1); /* imported 64-bit memory */
  EXPECT_ERR(&m, "not supported: memory64");
  mod_init(&m);
  SEC(&m, 5, 3, 0, 0, 0, 1, 0, 2); /* multi-memory */
  core_module_t *cm = EXPECT_OK(&m);
  if (cm) CHECK(cm->nmems == 3 && cm->mems[2].limits.min == 2);
  core_module_free(cm);
  base_buf_free(&m.b);
  /* more than WELD_MAX_MEMORIES */
  mod_init(&m);
  {
    uint8_t p[1 + 2 * 101];
    p[0] = 101;
    for (int i = 0; i < 101; i++) p[1 + 2 * i] = 0, p[2 + 2 * i] = 0;
    sec(&m, 5, p, sizeof p);
  }
  EXPECT_ERR(&m, "too many memories");
}

static void test_globals_constexprs(void) {
  mod_t m;
  static const struct { uint8_t bytes[24]; size_t len; const char *want; } bad[] = {
      {{0x7f, 0x00, 0x0b}, 3, "type mismatch"},                            /* empty */
      {{0x7f, 0x00, 0x41, 0, 0x41, 0, 0x0b}, 7, "type mismatch"},          /* two values */
      {{0x7f, 0x00, 0x42, 0, 0x0b}, 5, "type mismatch"},                   /* i64 for i32 */
      {{0x7f, 0x00, 0x41, 0, 0x41, 0, 0x6a, 0x0b}, 8, "type mismatch"},
      {{0x7f, 0x00, 0x41, 0, 0x45, 0x0b}, 6, "constant expression required"}, /* i32.eqz */
      {{0x7f, 0x00, 0x01, 0x0b}, 4, "constant expression required"},       /* nop */
      {{0x7f, 0x00, 0x20, 0, 0x0b}, 5, "constant expression required"},    /* local.get */
      {{0x7f, 0x00, 0xff, 0x0b}, 4, "illegal opcode"},
      {{0x7f, 0x00, 0xfc, 0x63, 0x0b}, 5, "illegal opcode"},
      {{0x7f, 0x00, 0xfd, 0x0d, 0x0b}, 5, "constant expression required"}, /* i8x16.shuffle */
      {{0x7f, 0x00, 0x41, 0}, 4, "unexpected end"},                        /* missing end */
      {{0x7f, 0x00, 0x23, 0, 0x0b}, 5, "unknown global"},                  /* no globals yet */
      {{0x7f, 0x00, 0xd2, 0, 0x0b}, 5, "unknown function"},
      {{0x70, 0x00, 0xd0, 0x7f, 0x0b}, 5, "malformed reference type"},
      {{0x70, 0x00, 0xd0, 0x6f, 0x0b}, 5, "type mismatch"},                /* externref for funcref */
      {{0x7b, 0x00, 0xfd, 0x0c, 1, 2, 3, 0x0b}, 8, "unexpected end"},      /* short v128 */
      {{0x7f, 0x02, 0x41, 0, 0x0b}, 5, "malformed mutability"},
      {{0x40, 0x00, 0x41, 0, 0x0b}, 5, "malformed value type"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mod_init(&m);
    uint8_t p[32];
    p[0] = 1;
    memcpy(p + 1, bad[i].bytes, bad[i].len);
    sec(&m, 6, p, bad[i].len + 1);
    EXPECT_ERR(&m, bad[i].want);
  }
  /* global.get: imported immutable only */
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x03, 0x7f, 0x01);
  SEC(&m, 6, 1, 0x7f, 0x00, 0x23, 0, 0x0b);
  EXPECT_ERR(&m, "constant expression required");
  mod_init(&m);
  SEC(&m, 6, 2, 0x7f, 0x00, 0x41, 0, 0x0b, 0x7f, 0x00, 0x23, 0, 0x0b);
  EXPECT_ERR(&m, "unknown global 0");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x03, 0x7e, 0x00);
  SEC(&m, 6, 1, 0x7f, 0x00, 0x23, 0, 0x0b);
  EXPECT_ERR(&m, "type mismatch");
  mod_init(&m);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x03, 0x7e, 0x00);
  SEC(&m, 6, 1, 0x7e, 0x01, 0x23, 0, 0x0b);
  OK_AND_FREE(&m);
  /* data/elem offsets follow the same rule */
  mod_init(&m);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 6, 1, 0x7f, 0x00, 0x41, 0, 0x0b);
  SEC(&m, 11, 1, 0x00, 0x23, 0, 0x0b, 0);
  EXPECT_ERR(&m, "unknown global");
}

static void test_exports_start(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 7, 2, 1, 'a', 0x00, 0, 1, 'a', 0x00, 0);
  SEC(&m, 10, 1, 2, 0, 0x0b);
  EXPECT_ERR(&m, "duplicate export name");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 7, 3, 1, 'a', 0x00, 0, 2, 'a', 'b', 0x00, 0, 0, 0x00, 0); /* "a", "ab", "": distinct */
  SEC(&m, 10, 1, 2, 0, 0x0b);
  OK_AND_FREE(&m);
  static const struct { uint8_t kind; const char *want; } kinds[] = {
      {0, "unknown function"}, {1, "unknown table"}, {2, "unknown memory"}, {3, "unknown global"}, {4, "malformed export kind"}};
  for (size_t i = 0; i < 5; i++) {
    mod_init(&m);
    uint8_t p[] = {1, 1, 'x', kinds[i].kind, 0};
    sec(&m, 7, p, sizeof p);
    EXPECT_ERR(&m, kinds[i].want);
  }
  mod_init(&m);
  SEC(&m, 7, 1, 2, 0xc3, 0x28, 0x00, 0); /* invalid continuation byte */
  EXPECT_ERR(&m, "malformed UTF-8");
  mod_init(&m);
  SEC(&m, 8, 0);
  EXPECT_ERR(&m, "unknown function");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 1, 0x7f, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 8, 0);
  SEC(&m, 10, 1, 2, 0, 0x0b);
  EXPECT_ERR(&m, "start function");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 1, 0x7f);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x00, 0);
  SEC(&m, 8, 0);
  EXPECT_ERR(&m, "start function");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 2, 1, 1, 'a', 1, 'b', 0x00, 0);
  SEC(&m, 8, 0); /* imported start function */
  OK_AND_FREE(&m);
}

static void test_elems(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 9, 1, 0x08, 0x41, 0, 0x0b, 0);
  EXPECT_ERR(&m, "malformed elements segment kind");
  mod_init(&m);
  SEC(&m, 9, 1, 0x00, 0x41, 0, 0x0b, 0);
  EXPECT_ERR(&m, "unknown table 0");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 0x02, 1, 0x41, 0, 0x0b, 0x00, 0);
  EXPECT_ERR(&m, "unknown table 1");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 0x01, 0x01, 0);
  EXPECT_ERR(&m, "malformed element kind");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 0x05, 0x7f, 0);
  EXPECT_ERR(&m, "malformed reference type");
  mod_init(&m);
  SEC(&m, 4, 1, 0x6f, 0, 0);
  SEC(&m, 9, 1, 0x00, 0x41, 0, 0x0b, 0);
  EXPECT_ERR(&m, "type mismatch");
  mod_init(&m);
  SEC(&m, 4, 1, 0x70, 0, 0);
  SEC(&m, 9, 1, 0x00, 0x42, 0, 0x0b, 0); /* i64 offset */
  EXPECT_ERR(&m, "type mismatch");
  mod_init(&m);
  SEC(&m, 9, 1, 0x01, 0x00, 1, 0);
  EXPECT_ERR(&m, "unknown function 0");
  mod_init(&m);
  SEC(&m, 9, 1, 0x05, 0x70, 1, 0xd0, 0x6f, 0x0b); /* externref expr in funcref segment */
  EXPECT_ERR(&m, "type mismatch");
  mod_init(&m);
  SEC(&m, 9, 1, 0x05, 0x70, 1, 0xf3, 0x00, 0x0b);
  EXPECT_ERR(&m, "illegal opcode");
  mod_init(&m);
  SEC(&m, 9, 1, 0x05, 0x70, 2, 0xd0, 0x70, 0x0b); /* 2 exprs, 1 given */
  EXPECT_ERR(&m, "unexpected end");
  mod_init(&m); /* declarative segment with no table is fine */
  SEC(&m, 9, 1, 0x07, 0x6f, 1, 0xd0, 0x6f, 0x0b);
  OK_AND_FREE(&m);
}

static void test_code(void) {
  mod_t m;
  /* function and code counts */
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 2, 0, 0);
  EXPECT_ERR(&m, "function and code section have inconsistent lengths");
  mod_init(&m);
  SEC(&m, 10, 1, 2, 0, 0x0b);
  EXPECT_ERR(&m, "function and code section have inconsistent lengths");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 2, 0, 0);
  SEC(&m, 10, 1, 2, 0, 0x0b);
  EXPECT_ERR(&m, "function and code section have inconsistent lengths");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 0);
  SEC(&m, 10, 0);
  OK_AND_FREE(&m);
  /* body framing */
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 3, 0, 0x41, 0x01); /* missing end */
  EXPECT_ERR(&m, "END opcode expected");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 1, 0); /* nothing after the locals */
  EXPECT_ERR(&m, "END opcode expected");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 9, 0, 0x0b);
  EXPECT_ERR(&m, "length out of bounds");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 0); /* size 0 */
  EXPECT_ERR(&m, "length out of bounds");
  /* locals */
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 10, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 2, 0x7e, 0x0b);
  EXPECT_ERR(&m, "too many locals");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 2, 0x7f, 0x7f, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 26, 4, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7f, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7e, 0x80, 0x80, 0x80,
      0x80, 0x04, 0x7d, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7c, 0x0b);
  EXPECT_ERR(&m, "too many locals");
  mod_init(&m); /* params count towards the cap: 2 params + 49999 locals > 50000 */
  SEC(&m, 1, 1, 0x60, 2, 0x7f, 0x7f, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 6, 1, 0xcf, 0x86, 0x03, 0x7f, 0x0b);
  EXPECT_ERR(&m, "too many locals");
  mod_init(&m); /* 1 param + 49999 locals = 50000: fine */
  SEC(&m, 1, 1, 0x60, 1, 0x7f, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 6, 1, 0xcf, 0x86, 0x03, 0x7f, 0x0b);
  OK_AND_FREE(&m);
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 4, 1, 1, 0x60, 0x0b);
  EXPECT_ERR(&m, "malformed value type");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 10, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7f, 2, 0x7e, 0x0b);
  EXPECT_ERR(&m, "integer too large");
  mod_init(&m); /* zero-count groups are allowed */
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 8, 3, 0, 0x7f, 0, 0x7e, 2, 0x7d, 0x0b);
  core_module_t *cm = EXPECT_OK(&m);
  if (cm) CHECK(cm->codes[0].ngroups == 3 && cm->codes[0].nlocals == 2 && cm->codes[0].groups[2].type == VT_F32);
  core_module_free(cm);
  base_buf_free(&m.b);
}

static void test_data(void) {
  mod_t m;
  mod_init(&m);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 11, 1, 0x03, 0);
  EXPECT_ERR(&m, "malformed data segment kind");
  mod_init(&m);
  SEC(&m, 11, 1, 0x00, 0x41, 0, 0x0b, 0);
  EXPECT_ERR(&m, "unknown memory 0");
  mod_init(&m);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 11, 1, 0x02, 1, 0x41, 0, 0x0b, 0);
  EXPECT_ERR(&m, "unknown memory 1");
  mod_init(&m);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 11, 1, 0x01, 5, 'a');
  EXPECT_ERR(&m, "unexpected end");
  mod_init(&m);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 11, 1, 0x00, 0x43, 0, 0, 0, 0, 0x0b, 0);
  EXPECT_ERR(&m, "type mismatch");
  /* data count */
  mod_init(&m);
  SEC(&m, 12, 2);
  SEC(&m, 11, 1, 0x01, 0);
  EXPECT_ERR(&m, "data count and data section have inconsistent lengths");
  mod_init(&m);
  SEC(&m, 12, 1);
  EXPECT_ERR(&m, "data count and data section have inconsistent lengths");
  mod_init(&m);
  SEC(&m, 12, 0);
  OK_AND_FREE(&m);
  mod_init(&m);
  SEC(&m, 12, 0xff, 0xff, 0xff, 0xff, 0x0f);
  EXPECT_ERR(&m, "too many data segments");
  /* memory.init / data.drop need the data count section */
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 10, 1, 5, 0, 0xfc, 0x09, 0, 0x0b);
  SEC(&m, 11, 1, 0x01, 0);
  EXPECT_ERR(&m, "data count section required");
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 5, 1, 0, 1);
  SEC(&m, 10, 1, 12, 0, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0, 0, 0x0b);
  EXPECT_ERR(&m, "data count section required");
  /* ... but a 0xFC 0x08 inside immediates is not memory.init */
  mod_init(&m);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 20, 0,
      0x41, 0xfc, 0x08, 0x1a,                   /* i32.const (LEB fc 08), drop */
      0x44, 0, 0, 0, 0, 0, 0, 0xfc, 0x08, 0x1a, /* f64.const with fc 08 in it, drop */
      0xfc, 0x00, 0x1a, 0x1a,                   /* i32.trunc_sat_f32_s (unvalidated), drop */
      0x0b);
  OK_AND_FREE(&m);
  mod_init(&m); /* over-long sub-opcode LEB: data.drop is FC 89 00 */
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 10, 1, 6, 0, 0xfc, 0x89, 0x00, 0, 0x0b);
  EXPECT_ERR(&m, "data count section required");
  /* the walk must step over every kind of immediate (full of FC 08 bytes) to find
   * memory.init at the end, and must not be fooled when it is not there */
  static const uint8_t walk[] = {
      92, 0,
      0x02, 0x40,                                  /* block */
      0x0e, 2, 0, 0xfc, 0x08, 0,                   /* br_table [0 (fc 08)] 0 */
      0x28, 0x42, 1, 0xfc, 0x08,                   /* i32.load align with memidx bit, mem 1, offset */
      0x1c, 1, 0x7f,                               /* select (result i32) */
      0xd0, 0x70,                                  /* ref.null func */
      0x11, 0xfc, 0x08, 0,                         /* call_indirect type (fc 08) table 0 */
      0x43, 0xfc, 0x08, 0xfc, 0x08,                /* f32.const */
      0x44, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x09, /* f64.const */
      0xfd, 0x0c, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, /* v128.const */
      0xfd, 0x0d, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, 0xfc, 0x08, /* shuffle */
      0xfd, 0x15, 0x08,                            /* i8x16.extract_lane_s 8 */
      0xfd, 0x54, 0x00, 0xfc, 0x08, 0x09,          /* v128.load8_lane memarg lane */
      0xfc, 0x0e, 0x08, 0x09,                      /* table.copy 8 9 */
      0x0b,                                        /* end */
      0xfc, 0x08, 0, 0,                            /* memory.init 0 0 (replaced by nops below) */
      0x0b};
  for (int with_init = 1; with_init >= 0; with_init--) {
    uint8_t code[1 + sizeof walk];
    code[0] = 1;
    memcpy(code + 1, walk, sizeof walk);
    if (!with_init) memset(code + 1 + sizeof walk - 5, 0x01, 4);
    mod_init(&m);
    SEC(&m, 1, 1, 0x60, 0, 0);
    SEC(&m, 3, 1, 0);
    sec(&m, 10, code, sizeof code);
    if (with_init) EXPECT_ERR(&m, "data count section required");
    else OK_AND_FREE(&m);
  }
  mod_init(&m); /* with a data count section everything is compile.c's business */
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 1, 0);
  SEC(&m, 12, 0);
  SEC(&m, 10, 1, 5, 0, 0xfc, 0x09, 0, 0x0b);
  OK_AND_FREE(&m);
}

static void test_names(void) {
  mod_t m;
  /* malformed name sections are ignored */
  static const struct { uint8_t bytes[24]; size_t len; } bad[] = {
      {{1, 6, 2, 3, 1, 'a', 1, 1, 'b'}, 9},        /* indices not increasing */
      {{1, 5, 1, 9, 1, 'a'}, 6},                    /* subsection size too big */
      {{1, 4, 1, 7, 1, 'a'}, 6},                    /* function index out of range */
      {{1, 4, 1, 0, 1, 0xff}, 6},                   /* bad UTF-8 */
      {{1, 4, 1, 0, 1, 'a', 0, 2, 1, 'm'}, 10},     /* subsections out of order */
      {{0, 3, 1, 'm', 'x'}, 5},                     /* junk in module name subsection */
      {{0xff}, 1},                                  /* truncated */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    mod_init(&m);
    SEC(&m, 1, 1, 0x60, 0, 0);
    SEC(&m, 3, 2, 0, 0);
    SEC(&m, 10, 2, 2, 0, 0x0b, 2, 0, 0x0b);
    uint8_t p[40] = {4, 'n', 'a', 'm', 'e'};
    memcpy(p + 5, bad[i].bytes, bad[i].len);
    sec(&m, 0, p, 5 + bad[i].len);
    core_module_t *cm = EXPECT_OK(&m);
    if (cm) CHECK(cm->nfunc_names == 0 && cm->func_names == NULL && cm->module_name.len == 0 && cm->ncustoms == 1);
    core_module_free(cm);
    base_buf_free(&m.b);
  }
  /* a good one before the function section (indices checked at the end), local names skipped */
  mod_init(&m);
  SEC(&m, 0, 4, 'n', 'a', 'm', 'e', 1, 7, 2, 0, 1, 'a', 1, 1, 'b', 2, 3, 1, 0, 0);
  SEC(&m, 1, 1, 0x60, 0, 0);
  SEC(&m, 3, 2, 0, 0);
  SEC(&m, 10, 2, 2, 0, 0x0b, 2, 0, 0x0b);
  core_module_t *cm = EXPECT_OK(&m);
  if (cm) {
    CHECK(cm->nfunc_names == 2 && name_is(*core_func_name(cm, 1), "b"));
    CHECK(core_func_name(cm, 2) == NULL);
  }
  core_module_free(cm);
  base_buf_free(&m.b);
}

static void test_misc(void) {
  CHECK(!strcmp(core_valtype_name(VT_I32), "i32") && !strcmp(core_valtype_name(VT_V128), "v128"));
  CHECK(!strcmp(core_valtype_name(VT_EXTERNREF), "externref") && !strcmp(core_valtype_name(0x40), "<invalid type>"));
  /* the decoder keeps its own copy: the caller's buffer may go away */
  mod_t m;
  mod_init(&m);
  SEC(&m, 0, 1, 'z', 9, 8);
  core_module_t *cm = EXPECT_OK(&m);
  memset(m.b.data, 0xee, m.b.len);
  if (cm) CHECK(cm->ncustoms == 1 && cm->customs[0].len == 2 && cm->customs[0].data[0] == 9 && name_is(cm->customs[0].name, "z"));
  core_module_free(cm);
  base_buf_free(&m.b);
  core_module_free(NULL);
}

int main(void) {
  test_preamble();
  test_sections();
  test_leb();
  test_huge_counts();
  test_types();
  test_imports();
  test_tables_memories();
  test_globals_constexprs();
  test_exports_start();
  test_elems();
  test_code();
  test_data();
  test_names();
  test_misc();
  test_full();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
