/* test_compdec.c — unit tests of the component binary decoder and validator
 * (src/component): hand-built binaries for valid components, invalid ones, and hostile
 * input (truncation at every byte, huge counts, deep nesting, bad names, work limits).
 *
 * With `--validate [--values] FILE...` it instead decodes and validates each file and
 * prints "FILE: ok" or "FILE: error: MESSAGE" (used by tests/component/dev_corpus.py).
 * Last line of the normal run: "N passed, N failed". */
#include "component/component.h"
#include "component/names.h"
#include "base/alloc.h"
#include "base/vec.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"

/* ---------------------------------------------------------------- binary builder */

typedef base_buf_t buf_t;

static void b_bytes(buf_t *b, const void *p, size_t n) { base_buf_bytes(b, p, n); }
static void b_u8(buf_t *b, uint8_t x) { base_buf_byte(b, x); }
static void b_u32(buf_t *b, uint32_t x) { base_buf_u32leb(b, x); }
static void b_str(buf_t *b, const char *s) {
  b_u32(b, (uint32_t)strlen(s));
  b_bytes(b, s, strlen(s));
}
static void b_preamble(buf_t *b) { b_bytes(b, "\0asm\x0d\0\x01\0", 8); }
/* Appends a section whose contents are `c`. */
static void b_section(buf_t *b, uint8_t id, const buf_t *c) {
  b_u8(b, id);
  b_u32(b, (uint32_t)c->len);
  b_bytes(b, c->data, c->len);
}
static void b_free(buf_t *b) { base_buf_free(b); }

/* Builds a component from a list of sections given as (id, hex-ish byte strings). */
static weld_error_t *decode(const buf_t *b, const comp_features_t *f) {
  comp_component_t *c = NULL;
  weld_error_t *err = comp_decode(NULL, b->data, b->len, f, &c);
  if (!err) comp_component_free(c);
  return err;
}

static bool accepts(const buf_t *b) {
  weld_error_t *e = decode(b, NULL);
  if (e) {
    printf("  (unexpected error: %s)\n", weld_error_message(e));
    weld_error_delete(e);
    return false;
  }
  return true;
}

/* True if rejected with a message containing `want` (NULL: any message). */
static bool rejects(const buf_t *b, const char *want) {
  weld_error_t *e = decode(b, NULL);
  if (!e) return false;
  bool ok = !want || strstr(weld_error_message(e), want);
  if (!ok) printf("  (got: %s)\n", weld_error_message(e));
  size_t off = weld_error_offset(e);
  if (off != (size_t)-1 && off > b->len) {
    printf("  (offset %zu beyond input %zu)\n", off, b->len);
    ok = false;
  }
  weld_error_delete(e);
  return ok;
}

/* A minimal core module: (module (func (export "f") (param i32) (result i32) local.get 0)) */
static const uint8_t k_module_f[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01,
                                     0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00,
                                     0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b};

/* ---------------------------------------------------------------- tests */

static void test_empty(void) {
  buf_t b = {0};
  b_preamble(&b);
  CHECK(accepts(&b), "empty component");
  b_free(&b);

  static const uint8_t core[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  buf_t c = {0};
  b_bytes(&c, core, sizeof core);
  CHECK(rejects(&c, "core module"), "core module given as component");
  b_free(&c);

  buf_t d = {0};
  b_bytes(&d, "\0asm\x0c\0\x01\0", 8);
  CHECK(rejects(&d, "version"), "old version");
  b_free(&d);

  buf_t e = {0};
  b_bytes(&e, "\0asx\x0d\0\x01\0", 8);
  CHECK(rejects(&e, "magic"), "bad magic");
  b_free(&e);
}

/* The lift example: core module, core instance, func type, canon lift, export. */
static void build_lift(buf_t *b, uint8_t param_type) {
  buf_t s = {0};
  b_preamble(b);
  b_section(b, 1, &(buf_t){(uint8_t *)k_module_f, sizeof k_module_f, 0, 0});
  /* core instance: instantiate module 0, no args */
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_u32(&s, 0);
  b_u32(&s, 0);
  b_section(b, 2, &s);
  s.len = 0;
  /* type: (func (param "x" <t>) (result u32)) */
  b_u32(&s, 1);
  b_u8(&s, 0x40);
  b_u32(&s, 1);
  b_str(&s, "x");
  b_u8(&s, param_type);
  b_u8(&s, 0x00);
  b_u8(&s, 0x79);
  b_section(b, 7, &s);
  s.len = 0;
  /* alias core export 0 "f" (core func) */
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_u8(&s, 0x00);
  b_u8(&s, 0x01);
  b_u32(&s, 0);
  b_str(&s, "f");
  b_section(b, 6, &s);
  s.len = 0;
  /* canon lift core func 0, no options, type 0 */
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_u8(&s, 0x00);
  b_u32(&s, 0);
  b_u32(&s, 0);
  b_u32(&s, 0);
  b_section(b, 8, &s);
  s.len = 0;
  /* export "f" (func 0) */
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_str(&s, "f");
  b_u8(&s, 0x01);
  b_u32(&s, 0);
  b_u8(&s, 0x00);
  b_section(b, 11, &s);
  b_free(&s);
}

static void test_lift(void) {
  buf_t b = {0};
  build_lift(&b, 0x79 /* u32 */);
  CHECK(accepts(&b), "lift u32 -> u32");
  b_free(&b);

  buf_t c = {0};
  build_lift(&c, 0x77 /* u64: flattens to i64, core func takes i32 */);
  CHECK(rejects(&c, "do not match"), "lift signature mismatch");
  b_free(&c);

  /* Truncation at every byte gives an error with an offset inside the input (or, exactly
   * at a section boundary, a valid shorter component), never a crash. */
  buf_t d = {0};
  build_lift(&d, 0x79);
  int bad = 0, rejected = 0;
  for (size_t n = 0; n < d.len; n++) {
    buf_t t = {d.data, n, n, false};
    weld_error_t *e = decode(&t, NULL);
    if (!e) continue;
    rejected++;
    size_t off = weld_error_offset(e);
    if (off != (size_t)-1 && off > n) bad++;
    weld_error_delete(e);
  }
  CHECK(bad == 0 && rejected + 7 >= (int)d.len, "truncations: %d offsets out of range, %d rejected of %zu", bad, rejected, d.len);

  /* Every single-byte corruption: must not crash (result may be ok or error). */
  for (size_t i = 8; i < d.len; i++) {
    for (int x = 0; x < 256; x += 17) {
      uint8_t save = d.data[i];
      d.data[i] = (uint8_t)x;
      weld_error_t *e = decode(&d, NULL);
      weld_error_delete(e);
      d.data[i] = save;
    }
  }
  CHECK(1, "corruptions survived");
  b_free(&d);
}

static void test_huge_counts(void) {
  buf_t b = {0}, s = {0};
  b_preamble(&b);
  b_u32(&s, 0xffffffffu); /* type count */
  b_u8(&s, 0x73);
  b_section(&b, 7, &s);
  CHECK(rejects(&b, "too many"), "huge type count");
  b_free(&b);
  b_free(&s);

  buf_t c = {0}, t = {0};
  b_preamble(&c);
  b_u32(&t, 1);
  b_u8(&t, 0x72); /* record */
  b_u32(&t, 5000); /* fields, but few bytes left */
  b_section(&c, 7, &t);
  CHECK(rejects(&c, "exceeds the bytes left"), "record count beyond input");
  b_free(&c);
  b_free(&t);

  /* section size beyond the input */
  buf_t d = {0};
  b_preamble(&d);
  b_u8(&d, 7);
  b_u32(&d, 1000000);
  CHECK(rejects(&d, "out of bounds"), "section size");
  b_free(&d);
}

/* (component (component (component ...))) nested n deep */
static void nest(buf_t *out, int n) {
  buf_t inner = {0};
  b_preamble(&inner);
  for (int i = 0; i < n; i++) {
    buf_t outer = {0};
    b_preamble(&outer);
    buf_t body = {0};
    b_bytes(&body, inner.data, inner.len);
    b_section(&outer, 4, &body);
    b_free(&body);
    b_free(&inner);
    inner = outer;
  }
  *out = inner;
}

static void test_nesting(void) {
  buf_t b;
  nest(&b, 50);
  CHECK(accepts(&b), "50 nested components");
  b_free(&b);
  nest(&b, 5000);
  CHECK(rejects(&b, "nested too deeply"), "5000 nested components");
  b_free(&b);

  /* deeply nested instance types: (type (instance (type (instance ...)))) */
  buf_t t = {0};
  int depth = 3000;
  for (int i = 0; i < depth; i++) {
    b_u8(&t, 0x42);
    b_u32(&t, 1);
    b_u8(&t, 0x01);
  }
  b_u8(&t, 0x73);
  buf_t s = {0}, c = {0};
  b_u32(&s, 1);
  b_bytes(&s, t.data, t.len);
  b_preamble(&c);
  b_section(&c, 7, &s);
  CHECK(rejects(&c, "too deeply"), "deeply nested instance types");
  b_free(&t);
  b_free(&s);
  b_free(&c);

  /* a chain of list types by index: list(list(...)) deeper than the type depth limit */
  buf_t d = {0}, u = {0};
  b_preamble(&d);
  b_u32(&u, 200);
  b_u8(&u, 0x73);
  for (int i = 1; i < 200; i++) {
    b_u8(&u, 0x70);
    base_buf_s64leb(&u, i - 1); /* type indices in value types are s33 */
  }
  b_section(&d, 7, &u);
  CHECK(rejects(&d, "nesting is too deep"), "type chain deeper than the limit");
  b_free(&d);
  b_free(&u);
}

static void type_section(buf_t *b, const uint8_t *t, size_t n) {
  buf_t s = {0};
  b_u32(&s, 1);
  b_bytes(&s, t, n);
  b_section(b, 7, &s);
  b_free(&s);
}

static void test_types(void) {
  struct {
    const char *what;
    const uint8_t *bytes;
    size_t n;
    const char *err; /* NULL: valid */
  } cases[] = {
      {"record", (const uint8_t *)"\x72\x01\x01x\x79", 5, NULL},
      {"empty record", (const uint8_t *)"\x72\x00", 2, "at least one field"},
      {"record not kebab", (const uint8_t *)"\x72\x01\x02xY\x79", 6, "kebab"},
      {"record dup", (const uint8_t *)"\x72\x02\x01x\x79\x01X\x79", 8, "conflicts"},
      {"variant", (const uint8_t *)"\x71\x02\x01" "a\x00\x00\x01" "b\x01\x7d\x00", 11, NULL},
      {"variant refines", (const uint8_t *)"\x71\x01\x01" "a\x00\x01\x00", 7, "malformed"},
      {"empty variant", (const uint8_t *)"\x71\x00", 2, "at least one case"},
      {"tuple", (const uint8_t *)"\x6f\x02\x79\x73", 4, NULL},
      {"empty tuple", (const uint8_t *)"\x6f\x00", 2, "at least one type"},
      {"flags", (const uint8_t *)"\x6e\x02\x01" "a\x01" "b", 6, NULL},
      {"enum", (const uint8_t *)"\x6d\x01\x01" "a", 4, NULL},
      {"empty enum", (const uint8_t *)"\x6d\x00", 2, "at least one"},
      {"option", (const uint8_t *)"\x6b\x73", 2, NULL},
      {"result", (const uint8_t *)"\x6a\x01\x79\x01\x73", 5, NULL},
      {"result bad opt", (const uint8_t *)"\x6a\x02", 2, "malformed"},
      {"list of unknown type", (const uint8_t *)"\x70\x05", 2, "out of bounds"},
      {"own of non-resource", (const uint8_t *)"\x69\x00", 2, "out of bounds"},
      {"func", (const uint8_t *)"\x40\x01\x01" "a\x79\x01\x00", 7, NULL},
      {"func bad results", (const uint8_t *)"\x40\x00\x01\x01", 4, "number of results"},
      {"func bad results tag", (const uint8_t *)"\x40\x00\x02\x00", 4, "component function results"},
      {"func empty param name", (const uint8_t *)"\x40\x01\x00\x79\x01\x00", 6, "cannot be empty"},
      {"async func", (const uint8_t *)"\x43\x00\x01\x00", 4, "not supported"},
      {"stream", (const uint8_t *)"\x66\x00", 2, "not supported"},
      {"future", (const uint8_t *)"\x65\x00", 2, "not supported"},
      {"error-context", (const uint8_t *)"\x64", 1, "not supported"},
      {"fixed list", (const uint8_t *)"\x67\x79\x04", 3, "not supported"},
      {"map", (const uint8_t *)"\x63\x73\x79", 3, "not supported"},
      {"resource", (const uint8_t *)"\x3f\x7f\x00", 3, NULL},
      {"resource i64", (const uint8_t *)"\x3f\x7e\x00", 3, "not supported"},
      {"resource bad dtor", (const uint8_t *)"\x3f\x7f\x01\x00", 4, "out of bounds"},
      {"unknown type byte", (const uint8_t *)"\x55", 1, "malformed"},
      {"instance type", (const uint8_t *)"\x42\x01\x04\x00\x01" "a\x01\x00", 8, "out of bounds"},
      {"component type", (const uint8_t *)"\x41\x02\x01\x40\x00\x01\x00\x03\x00\x01" "a\x01\x00", 13, NULL},
      {"resource in type", (const uint8_t *)"\x42\x01\x01\x3f\x7f\x00", 6, "concrete component"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    buf_t b = {0};
    b_preamble(&b);
    type_section(&b, cases[i].bytes, cases[i].n);
    if (cases[i].err) CHECK(rejects(&b, cases[i].err), "type %s: expected error containing '%s'", cases[i].what, cases[i].err);
    else CHECK(accepts(&b), "type %s: expected valid", cases[i].what);
    b_free(&b);
  }
  /* 33 flags */
  buf_t t = {0};
  b_u8(&t, 0x6e);
  b_u32(&t, 33);
  for (int i = 0; i < 33; i++) {
    char nm[16];
    snprintf(nm, sizeof nm, "f%d", i);
    b_str(&t, nm);
  }
  buf_t b = {0};
  b_preamble(&b);
  type_section(&b, t.data, t.len);
  CHECK(rejects(&b, "32 flags"), "33 flags");
  b_free(&b);
  b_free(&t);
}

static void import_func(buf_t *b, const char *name, uint32_t type_idx) {
  buf_t s = {0};
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_str(&s, name);
  b_u8(&s, 0x01);
  b_u32(&s, type_idx);
  b_section(b, 10, &s);
  b_free(&s);
}

static void test_names(void) {
  static const struct {
    const char *name;
    bool ok;
  } names[] = {
      {"a", true},         {"a-b-c", true},      {"a1-b2", true},       {"ABC-def", true},       {"a-1-c", true},
      {"", false},         {"0-a", false},       {"aB", false},         {"a--b", false},         {"a-", false},
      {"a:b/c", true},     {"a:b/c@1.2.3", true}, {"a:b/c@1.2", false},  {"a:b/c@01.2.3", false}, {"A:b/c", false},
      {"a:b", false},      {"a:b/c/d", false},   {"a:b:c/d", false},    {"a:b/c@1.0.0-rc.1+build.5", true},
      {"[constructor]a", false /* no resource a */}, {"[static]a", false}, {"[method]a.b", false},
      {"url=<x>", true},   {"url=<<>", false},   {"integrity=<sha256-abc=>", true}, {"integrity=<md5-a>", false},
      {"locked-dep=<a:b@1.0.0>", true}, {"unlocked-dep=<a:b@{>=1.0.0 <2.0.0}>", true}, {"relative-url=<a>", false},
      {"[async]f", false}, {"foo.bar", false},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    buf_t b = {0};
    b_preamble(&b);
    type_section(&b, (const uint8_t *)"\x40\x00\x01\x00", 4);
    import_func(&b, names[i].name, 0);
    if (names[i].ok) CHECK(accepts(&b), "name `%s` should be valid", names[i].name);
    else CHECK(rejects(&b, NULL), "name `%s` should be invalid", names[i].name);
    b_free(&b);
  }
  /* strong uniqueness */
  static const char *const dups[][2] = {{"a", "A"}, {"foo-bar", "FOO-BAR"}, {"a:b/c", "a:b/c"}};
  for (size_t i = 0; i < sizeof dups / sizeof dups[0]; i++) {
    buf_t b = {0};
    b_preamble(&b);
    type_section(&b, (const uint8_t *)"\x40\x00\x01\x00", 4);
    import_func(&b, dups[i][0], 0);
    import_func(&b, dups[i][1], 0);
    CHECK(rejects(&b, "conflicts"), "`%s` and `%s` conflict", dups[i][0], dups[i][1]);
    b_free(&b);
  }
  /* kebab unit checks */
  CHECK(comp_is_kebab("a0-000-3d4a-54FF", 16), "kebab digits");
  CHECK(!comp_is_kebab("a0-000-3d4A-54Ff", 16), "kebab mixed case");
  char buf[128];
  CHECK(comp_semver_error("1.2.3", 5, buf, sizeof buf) == NULL, "semver ok");
  CHECK(comp_semver_error("1.2", 3, buf, sizeof buf) != NULL, "semver short");
  CHECK(comp_semver_error("1.2.3-01", 8, buf, sizeof buf) != NULL, "semver pre leading zero");
  CHECK(comp_semver_error("1.2.3+01", 8, buf, sizeof buf) == NULL, "semver build leading zero ok");
}

/* Resource + [constructor]/[method] names. */
static void test_resources(void) {
  /* (import "a" (type (sub resource))) (type (own 0)) (type (func (result 1)))
     (import "[constructor]a" (func (type 2))) */
  buf_t b = {0}, s = {0};
  b_preamble(&b);
  b_u32(&s, 1);
  b_u8(&s, 0x00);
  b_str(&s, "a");
  b_u8(&s, 0x03);
  b_u8(&s, 0x01);
  b_section(&b, 10, &s);
  s.len = 0;
  b_u32(&s, 2);
  b_bytes(&s, "\x69\x00", 2);
  b_bytes(&s, "\x40\x00\x00\x01", 4);
  b_section(&b, 7, &s);
  size_t mark = b.len;
  import_func(&b, "[constructor]a", 2);
  CHECK(accepts(&b), "constructor of imported resource");
  b.len = mark;
  import_func(&b, "[constructor]b", 2);
  CHECK(rejects(&b, "resource name"), "constructor for the wrong resource");
  b.len = mark;
  import_func(&b, "[method]a.m", 2);
  CHECK(rejects(&b, "at least one argument"), "method without self");
  b_free(&b);
  b_free(&s);

  /* resource.new on an imported resource is not local */
  buf_t c = {0}, t = {0};
  b_preamble(&c);
  b_u32(&t, 1);
  b_u8(&t, 0x00);
  b_str(&t, "r");
  b_u8(&t, 0x03);
  b_u8(&t, 0x01);
  b_section(&c, 10, &t);
  t.len = 0;
  b_u32(&t, 1);
  b_bytes(&t, "\x02\x00", 2);
  b_section(&c, 8, &t);
  CHECK(rejects(&c, "not a local resource"), "resource.new of an import");
  b_free(&c);
  b_free(&t);
}

/* Exponential type sizes: t0 = u8, t(i+1) = tuple(t_i x 10) — rejected by the size limit. */
static void test_type_size(void) {
  buf_t b = {0}, s = {0};
  b_preamble(&b);
  b_u32(&s, 9);
  b_u8(&s, 0x7d);
  for (int i = 1; i < 9; i++) {
    b_u8(&s, 0x6f);
    b_u32(&s, 10);
    for (int k = 0; k < 10; k++) base_buf_s64leb(&s, i - 1);
  }
  b_section(&b, 7, &s);
  CHECK(rejects(&b, "effective type size"), "exponential type size");
  b_free(&b);
  b_free(&s);
}

static void test_unsupported(void) {
  /* canon stream.new (0x0e) */
  buf_t b = {0}, s = {0};
  b_preamble(&b);
  b_u32(&s, 1);
  b_bytes(&s, "\x0e\x00", 2);
  b_section(&b, 8, &s);
  CHECK(rejects(&b, "not supported: canonical builtin `stream.new`"), "stream.new");
  b_free(&b);
  b_free(&s);
  /* value section */
  buf_t c = {0}, t = {0};
  b_preamble(&c);
  b_u32(&t, 0);
  b_section(&c, 12, &t);
  CHECK(rejects(&c, "not supported"), "value section");
  b_free(&c);
  b_free(&t);
  /* start without the values feature */
  buf_t d = {0}, u = {0};
  b_preamble(&d);
  type_section(&d, (const uint8_t *)"\x40\x00\x01\x00", 4);
  import_func(&d, "f", 0);
  b_bytes(&u, "\x00\x00\x00", 3);
  b_section(&d, 9, &u);
  CHECK(rejects(&d, "not supported"), "start without values");
  comp_features_t f = {.values = true};
  weld_error_t *e = decode(&d, &f);
  CHECK(e == NULL, "start with values: %s", e ? weld_error_message(e) : "");
  weld_error_delete(e);
  b_free(&d);
  b_free(&u);
}

/* Appends bytes written as hex pairs ("00 61 73 6d ..."). */
static void b_hex(buf_t *b, const char *hex) {
  for (const char *p = hex; *p;) {
    while (*p == ' ') p++;
    if (!*p) break;
    unsigned v;
    if (sscanf(p, "%2x", &v) != 1) break;
    b_u8(b, (uint8_t)v);
    p += 2;
  }
}

static bool hex_rejects(const char *hex, const char *want) {
  buf_t b = {0};
  b_hex(&b, hex);
  bool r = rejects(&b, want);
  b_free(&b);
  return r;
}

static bool hex_accepts(const char *hex) {
  buf_t b = {0};
  b_hex(&b, hex);
  bool r = accepts(&b);
  b_free(&b);
  return r;
}

/* Regression cases, each named after what was wrong (found with the test suite,
 * differential testing against wasmparser, or fuzzing). */
static void test_regressions(void) {
  /* A core module inside a component may not import the same (module, name) twice. */
  CHECK(hex_rejects("00 61 73 6d 0d 00 01 00  01 19"
                    "  00 61 73 6d 01 00 00 00  01 04 01 60 00 00  02 09 02 00 00 00 00 00 00 00 00",
                    "duplicate import name"),
        "duplicate core module imports");
  /* Outer aliases in a core module type may reach any enclosing scope (count 2 here). */
  CHECK(hex_accepts("00 61 73 6d 0d 00 01 00  03 04 01 60 00 00"
                    "  04 12 00 61 73 6d 0d 00 01 00  03 08 01 50 01 02 10 01 02 00"),
        "module type alias outer 2");
  CHECK(hex_rejects("00 61 73 6d 0d 00 01 00  03 04 01 60 00 00"
                    "  04 12 00 61 73 6d 0d 00 01 00  03 08 01 50 01 02 10 01 03 00",
                    "outer alias count"),
        "module type alias outer 3");
  /* 0x00 must introduce a non-final GC sub type: anything else is malformed, not "not
   * supported". */
  CHECK(hex_rejects("00 61 73 6d 0d 00 01 00  03 05 01 00 60 00 00", "malformed"), "core type 0x00 0x60");
  /* Imports may not refer to resources the component defines itself. */
  CHECK(hex_rejects("00 61 73 6d 0d 00 01 00  07 04 01 3f 7f 00  0a 07 01 00 01 62 03 00 00",
                    "local resource type found in imports"),
        "import (eq local resource)");
  /* ... and exports only once the resource itself has been exported. */
  CHECK(hex_rejects("00 61 73 6d 0d 00 01 00  07 12 02 3f 7f 00 42 02 02 03 02 01 00 04 00 01 72 03 00 00"
                    "  0b 07 01 00 01 74 03 01 00",
                    "not exported itself"),
        "export of a type referring to an unexported local resource");
  CHECK(hex_accepts("00 61 73 6d 0d 00 01 00  07 12 02 3f 7f 00 42 02 02 03 02 01 00 04 00 01 72 03 00 00"
                    "  0b 0d 02 00 01 72 03 00 00  00 01 74 03 01 00"),
        "the same after exporting the resource");
}

/* Allocation failure at every point must give an error, never a crash or leak. */
static size_t g_fail_at, g_allocs;
static void *failing_realloc(void *ud, void *ptr, size_t old, size_t n) {
  (void)ud;
  (void)old;
  if (n == 0) {
    free(ptr);
    return NULL;
  }
  if (++g_allocs == g_fail_at) return NULL;
  return realloc(ptr, n);
}

static void test_oom(void) {
  buf_t b = {0};
  build_lift(&b, 0x79);
  /* copy out of weld's allocator before installing the failing one */
  uint8_t *copy = malloc(b.len);
  size_t n = b.len;
  memcpy(copy, b.data, n);
  b_free(&b);
  int crashes = 0, successes = 0;
  for (g_fail_at = 1; g_fail_at < 5000; g_fail_at++) {
    g_allocs = 0;
    weld_set_allocator(failing_realloc, NULL);
    comp_component_t *c = NULL;
    weld_error_t *e = comp_decode(NULL, copy, n, NULL, &c);
    if (!e) {
      successes++;
      comp_component_free(c);
    }
    weld_error_delete(e);
    weld_set_allocator(NULL, NULL);
    if (g_allocs < g_fail_at) break; /* all allocations passed */
  }
  free(copy);
  CHECK(crashes == 0, "oom");
  CHECK(successes >= 1, "the last run (no failure) succeeds");
}

/* ---------------------------------------------------------------- driver mode */

static int validate_files(int argc, char **argv) {
  comp_features_t f = {0};
  int i = 0, bad = 0;
  if (i < argc && strcmp(argv[i], "--values") == 0) {
    f.values = true;
    i++;
  }
  for (; i < argc; i++) {
    FILE *fp = fopen(argv[i], "rb");
    if (!fp) {
      printf("%s: error: cannot open\n", argv[i]);
      bad = 1;
      continue;
    }
    VEC(uint8_t) data = {0};
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
      if (!VEC_RESERVE(&data, n)) break;
      memcpy(data.data + data.len, chunk, n);
      data.len += n;
    }
    fclose(fp);
    comp_component_t *c = NULL;
    weld_error_t *e = comp_decode(NULL, data.data ? data.data : (const uint8_t *)"", data.len, &f, &c);
    if (e) {
      printf("%s: error: %s\n", argv[i], weld_error_message(e));
      weld_error_delete(e);
      bad = 1;
    } else {
      printf("%s: ok\n", argv[i]);
      comp_component_free(c);
    }
    VEC_FREE(&data);
  }
  return bad;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--validate") == 0) return validate_files(argc - 2, argv + 2);
  test_empty();
  test_lift();
  test_huge_counts();
  test_nesting();
  test_types();
  test_names();
  test_resources();
  test_type_size();
  test_unsupported();
  test_regressions();
  test_oom();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
