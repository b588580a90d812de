/* test_wit_unit.c — unit and regression tests for the WIT front end (weld/wit.h):
 * error locations and rendering, limits (nesting, huge inputs, deep chains), the query
 * API, feature gates, rollback of failed pushes, printing, and allocation failure at
 * every point of a resolve. */
#include "weld/engine.h"
#include "weld/wit.h"
#include "wit_test_util.h"
#include <stdarg.h>

#include "../test.h"

/* Resolves src; returns the error message (static copy) or NULL on success. */
static const char *try_src(const char *src, weld_wit_t **keep) {
  static char msg[8192];
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_push_str(w, "t.wit", src, strlen(src), NULL);
  const char *r = NULL;
  if (e) {
    snprintf(msg, sizeof msg, "%s", weld_error_message(e));
    weld_error_delete(e);
    r = msg;
  }
  if (keep && !e) *keep = w;
  else weld_wit_delete(w);
  return r;
}

static void expect_ok(const char *src, const char *what) {
  const char *e = try_src(src, NULL);
  CHECK(!e, "%s: unexpected error: %s", what, e ? e : "");
}

static void expect_err_at(const char *src, unsigned line, unsigned col, const char *what) {
  const char *e = try_src(src, NULL);
  unsigned l = 0, c = 0;
  CHECK(e && error_location(e, &l, &c) && l == line && c == col, "%s: expected an error at %u:%u, got %s", what, line,
        col, e ? e : "success");
}

static char *repeat(const char *head, const char *fmt, int n, const char *tail) {
  size_t cap = strlen(head) + strlen(tail) + (size_t)n * (strlen(fmt) + 40) + 1;
  char *s = malloc(cap), *p = s;
  p += sprintf(p, "%s", head);
  for (int i = 0; i < n; i++) p += sprintf(p, fmt, i + 1, i);
  sprintf(p, "%s", tail);
  return s;
}

static void test_errors(void) {
  /* rendering: message, location line, source line, caret under the span */
  const char *e = try_src("package a:b;\ninterface i {\n  type x = nope;\n}\n", NULL);
  CHECK(e && strstr(e, "--> t.wit:3:12") && strstr(e, "    3 |   type x = nope;") && strstr(e, "|            ^---"),
        "error rendering: %s", e ? e : "success");
  expect_err_at("package a:b;\ninterface i {\n  type x = u32\n}\n", 4, 1, "missing semicolon");
  expect_err_at("package a:b;\ninterface i { f: func() -> borrow<r>; resource r; }\n", 2, 15, "returns a borrow");
  expect_err_at("package a:b;\nworld w { import x: func(); import x: func(); }\n", 2, 36, "duplicate import");
  expect_err_at("package a:b;\ninterface i {}\ninterface i {}\n", 3, 11, "duplicate interface");
  expect_err_at("package a:b;\n/* never closed\n", 2, 1, "unterminated comment");
  expect_err_at("package a:b;\ninterface i { type Xy = u32; }\n", 2, 20, "mixed-case identifier");
  expect_err_at("package a:b@1.02.0;\n", 1, 13, "leading zero in version");
  /* no location: missing package header */
  e = try_src("interface i {}\n", NULL);
  CHECK(e && strstr(e, "no `package` header"), "missing package: %s", e ? e : "success");
  /* bytes that are not WIT */
  e = try_src("package a:b;\n\x01\n", NULL);
  CHECK(e != NULL, "control character accepted");
  e = try_src("package a:b;\n\xff\xfe\n", NULL);
  CHECK(e != NULL, "invalid UTF-8 accepted");
  e = try_src("package a:b;\ninterface i { type t = u32; }\n\xe2\x80\xae", NULL);
  CHECK(e != NULL, "bidi override accepted");
  e = try_src("", NULL);
  CHECK(e != NULL, "empty input accepted");
  /* the error renders columns in bytes after multi-byte text */
  e = try_src("package a:b;\n// \xc3\xa9\xc3\xa9\ninterface i { type t = ?; }\n", NULL);
  CHECK(e && strstr(e, "t.wit:3:24"), "location after UTF-8 comment: %s", e ? e : "success");
}

static void test_limits(void) {
  /* 100 nested types are fine, 101 are not */
  char *s = repeat("package a:b;\ninterface i { type t = ", "list<", 99, "u8");
  size_t n = strlen(s);
  s = realloc(s, n + 200);
  for (int i = 0; i < 99; i++) strcat(s, ">");
  strcat(s, "; }\n");
  expect_ok(s, "99 nested lists");
  free(s);
  s = repeat("package a:b;\ninterface i { type t = ", "list<", 150, "u8");
  const char *e = try_src(s, NULL);
  CHECK(e && strstr(e, "type nesting too deep"), "150 nested lists: %s", e ? e : "success");
  free(s);
  s = repeat("package a:b;\n", "package a:b%d%.0d {\n", 300, "");
  e = try_src(s, NULL);
  CHECK(e && strstr(e, "package nesting too deep"), "300 nested packages: %s", e ? e : "success");
  free(s);
  /* long chains resolve without deep recursion */
  s = repeat("package a:b;\ninterface i {\n  type t0 = u32;\n", "  type t%d = t%d;\n", 50000,
             "  f: func(x: t50000) -> list<t50000>;\n}\nworld w { import i; }\n");
  expect_ok(s, "50000 chained type aliases");
  free(s);
  s = repeat("package a:b;\ninterface i0 { type t = u32; }\n", "interface i%d { use i%d.{t}; }\n", 20000,
             "world w { export i20000; }\nworld v { import i20000; export i20000: interface { use i20000.{t}; } }\n");
  expect_ok(s, "20000 chained interfaces");
  free(s);
  /* quadratic blow-up through include chains is cut off by WELD_MAX_WIT_ITEMS */
  {
    size_t cap = 3000 * 80 + 100;
    char *t = malloc(cap), *p = t;
    p += sprintf(p, "package a:b;\nworld w0 { import g0: func(); }\n");
    for (int i = 1; i < 3000; i++) p += sprintf(p, "world w%d { include w%d; import g%d: func(); }\n", i, i - 1, i);
    e = try_src(t, NULL);
    CHECK(e && strstr(e, "too many"), "include chain: %s", e ? e : "success");
    free(t);
  }
}

/* Regressions: name lookups into big packages/interfaces used to be linear (quadratic
 * overall); these inputs took seconds and now take milliseconds. */
static void test_scaling(void) {
  enum { N = 20000 };
  size_t cap = (size_t)N * 128 + 256;
  char *s = malloc(cap), *p = s;
  p += sprintf(p, "package a:main;\ninterface u {\n");
  for (int i = 0; i < N; i++) p += sprintf(p, "  use b:dep/i%d.{t as t%d};\n", i, i);
  p += sprintf(p, "}\npackage b:dep {\n");
  for (int i = 0; i < N; i++) p += sprintf(p, "  interface i%d { type t = u32; }\n", i);
  sprintf(p, "}\n");
  expect_ok(s, "20000 foreign interfaces");
  p = s;
  p += sprintf(p, "package a:main;\ninterface big {\n");
  for (int i = 0; i < N; i++) p += sprintf(p, "  type t%d = u32;\n", i);
  p += sprintf(p, "}\npackage b:x { interface y { use a:main/big.{");
  for (int i = 0; i < N; i++) p += sprintf(p, "%st%d", i ? ", " : "", i);
  sprintf(p, "}; } }\n");
  expect_ok(s, "20000 foreign types");
  free(s);
}

static void test_api(void) {
  weld_wit_t *w = NULL;
  const char *src = "package ex:pkg@1.2.3;\n"
                    "/// An interface.\n"
                    "interface types {\n"
                    "  resource file { constructor(); read: func(n: u32) -> list<u8>; open: static func() -> file; }\n"
                    "  record pt { x: s32, y: s32 }\n"
                    "}\n"
                    "interface api { use types.{file, pt as point}; get: func(f: borrow<file>) -> point; }\n"
                    "world w1 { import api; export run: func(); }\n"
                    "world w2 { include w1; }\n";
  const char *e = try_src(src, &w);
  CHECK(!e, "api source: %s", e ? e : "");
  if (!w) return;
  uint32_t pkg = weld_wit_find_package(w, "ex:pkg");
  CHECK(pkg == 0 && weld_wit_find_package(w, "ex:pkg@1.2.3") == 0 && weld_wit_find_package(w, "ex:nope") == WELD_WIT_NONE,
        "find_package");
  uint32_t types = weld_wit_find_interface(w, pkg, "types");
  uint32_t api = weld_wit_find_interface(w, WELD_WIT_NONE, "ex:pkg/api@1.2.3");
  CHECK(types != WELD_WIT_NONE && api != WELD_WIT_NONE, "find_interface");
  char *id = weld_wit_interface_id(w, api);
  CHECK(id && !strcmp(id, "ex:pkg/api@1.2.3"), "interface_id %s", id ? id : "(null)");
  weld_wit_free_string(id);
  const weld_wit_interface_t *ti = weld_wit_interface(w, types);
  CHECK(ti && ti->docs && !strcmp(ti->docs, "An interface."), "interface docs");
  CHECK(ti && ti->funcs.len == 3, "resource functions: %zu", ti ? ti->funcs.len : 0);
  uint32_t file = weld_wit_find_type(w, types, "file");
  CHECK(file != WELD_WIT_NONE && weld_wit_type(w, file)->kind == WELD_WIT_KIND_RESOURCE, "resource type");
  uint32_t point = weld_wit_find_type(w, api, "point");
  CHECK(point != WELD_WIT_NONE && weld_wit_type_interface_dep(w, point) == types, "use dependency");
  uint32_t world;
  weld_error_t *err = weld_wit_select_world(w, pkg, NULL, &world);
  CHECK(err != NULL, "two worlds need a name");
  weld_error_delete(err);
  err = weld_wit_select_world(w, pkg, "w2", &world);
  CHECK(!err, "select w2");
  weld_error_delete(err);
  const weld_wit_world_t *w2 = weld_wit_world(w, world);
  /* w2 = w1 elaborated: imports types (needed by api) and api; exports run */
  CHECK(w2 && w2->imports.len == 2 && w2->exports.len == 1 && w2->imports.data[0].key_interface == types &&
            w2->exports.data[0].kind == WELD_WIT_ITEM_FUNC && !strcmp(w2->exports.data[0].name, "run"),
        "elaborated include");
  err = weld_wit_select_world(w, WELD_WIT_NONE, "ex:pkg/w1@1.2.3", &world);
  CHECK(!err, "select qualified world");
  weld_error_delete(err);
  /* a failed push leaves the set unchanged */
  size_t np = weld_wit_package_count(w), nt = weld_wit_type_count(w);
  const char *bad = "package ex:other;\ninterface x { use ex:pkg/types@1.2.3.{file}; type y = nope; }\n";
  err = weld_wit_push_str(w, "bad.wit", bad, strlen(bad), NULL);
  CHECK(err && weld_wit_package_count(w) == np && weld_wit_type_count(w) == nt, "rollback after a failed push");
  weld_error_delete(err);
  const char *good = "package ex:other;\ninterface x { use ex:pkg/types@1.2.3.{file}; f: func() -> file; }\n";
  err = weld_wit_push_str(w, "good.wit", good, strlen(good), &pkg);
  CHECK(!err && weld_wit_package_count(w) == np + 1, "push depending on an earlier push: %s",
        err ? weld_error_message(err) : "");
  weld_error_delete(err);
  err = weld_wit_push_str(w, "again.wit", good, strlen(good), NULL);
  CHECK(err != NULL, "the same package twice");
  weld_error_delete(err);
  char *json = weld_wit_to_json(w);
  CHECK(json && strstr(json, "\"ex:other\"") && strstr(json, "\"contents\": \"An interface.\""), "json");
  weld_wit_free_string(json);
  weld_wit_delete(w);
}

static void test_features(void) {
  const char *src = "package a:b@1.0.0;\n"
                    "interface i {\n"
                    "  @unstable(feature = fancy) f: func();\n"
                    "  @since(version = 1.0.0) @deprecated(version = 1.0.0) g: func();\n"
                    "}\n";
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_push_str(w, "t.wit", src, strlen(src), NULL);
  CHECK(!e && weld_wit_interface(w, 0)->funcs.len == 1, "gated function dropped");
  const weld_wit_func_t *g = e ? NULL : &weld_wit_interface(w, 0)->funcs.data[0];
  CHECK(g && g->stability.kind == WELD_WIT_STABILITY_STABLE && !strcmp(g->stability.deprecated, "1.0.0"),
        "deprecated kept");
  weld_error_delete(e);
  weld_wit_delete(w);
  w = weld_wit_new();
  e = weld_wit_enable_feature(w, "fancy");
  weld_error_delete(e);
  e = weld_wit_push_str(w, "t.wit", src, strlen(src), NULL);
  CHECK(!e && weld_wit_interface(w, 0)->funcs.len == 2, "enabled feature keeps the function");
  weld_error_delete(e);
  weld_wit_delete(w);
  const char *early = "package a:b@1.0.0;\n@since(version = 2.0.0)\ninterface i {}\n";
  const char *msg = try_src(early, NULL);
  CHECK(msg && strstr(msg, "unreleased version"), "@since a later version: %s", msg ? msg : "success");
}

static void test_print(void) {
  weld_wit_t *w = NULL;
  const char *src = "package a:%interface@0.1.0-rc.1+b5;\n"
                    "interface %type {\n"
                    "  /// docs with \"quotes\"\n"
                    "  ///   and indentation\n"
                    "  variant %result { ok(u32), %err }\n"
                    "  flags f { a, b }\n"
                    "  type m = map<string, list<u8, 4>>;\n"
                    "  %func: async func(%use: option<tuple<>>) -> result<_, error-context>;\n"
                    "  s: func() -> stream<future>;\n"
                    "}\n";
  const char *e = try_src(src, &w);
  CHECK(!e, "print source: %s", e ? e : "");
  if (!w) return;
  char *a = weld_wit_print(w, WELD_WIT_NONE, WELD_WIT_NONE);
  weld_wit_t *w2 = NULL;
  e = a ? try_src(a, &w2) : "print failed";
  CHECK(!e, "printed text parses: %s\n%s", e ? e : "", a ? a : "");
  char *b = w2 ? weld_wit_print(w2, WELD_WIT_NONE, WELD_WIT_NONE) : NULL;
  CHECK(a && b && !strcmp(a, b), "print is stable:\n%s\n---\n%s", a ? a : "", b ? b : "");
  CHECK(a && strstr(a, "interface %type") && strstr(a, "%func: async func(%use: option<tuple<>>)"), "escaping:\n%s",
        a ? a : "");
  weld_wit_free_string(a);
  weld_wit_free_string(b);
  weld_wit_delete(w2);
  weld_wit_delete(w);
}

/* ---- allocation failure at every point ---- */

static long alloc_budget = -1; /* allocations left before failing; -1 = unlimited */
static void *failing_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  if (alloc_budget == 0) return NULL;
  if (alloc_budget > 0) alloc_budget--;
  return realloc(ptr, new_size);
}

static void test_oom(void) {
  const char *src = "package a:b@1.0.0;\n"
                    "interface i { resource r { constructor(); m: func() -> list<r>; } record p { r: r } }\n"
                    "interface j { use i.{r, p}; f: func(x: borrow<r>) -> p; }\n"
                    "world w0 { import j; import k: interface { use i.{r}; g: func() -> r; } export h: func(); }\n"
                    "world w1 { include w0 with { h as h2 } export i; }\n"
                    "@unstable(feature = off) interface gone { @unstable(feature = off) type t = u8; }\n"
                    "package dep:x@2.0.0 {\n"
                    "  /// docs\n"
                    "  @since(version = 1.0.0) interface e { use a:b/i@1.0.0.{r}; enum k { p, q } }\n"
                    "  world wd { include a:b/w1@1.0.0; import e; export x: async func(s: stream<u8>) -> future; }\n"
                    "}\n";
  weld_set_allocator(failing_realloc, NULL);
  bool ok = true;
  int n;
  for (n = 0; n < 100000; n++) {
    alloc_budget = n;
    weld_wit_t *w = weld_wit_new();
    if (!w) continue;
    weld_error_t *e = weld_wit_push_str(w, "t.wit", src, strlen(src), NULL);
    if (!e) {
      char *j = weld_wit_to_json(w);
      char *p = weld_wit_print(w, WELD_WIT_NONE, WELD_WIT_NONE);
      weld_wit_free_string(j);
      weld_wit_free_string(p);
      weld_wit_delete(w);
      if (alloc_budget > 0) break; /* succeeded with allocations to spare: done */
      continue;
    }
    if (!strstr(weld_error_message(e), "out of memory")) {
      if (ok) printf("  allocation %d failed and the error was: %s\n", n, weld_error_message(e));
      ok = false;
    }
    weld_error_delete(e);
    weld_wit_delete(w);
  }
  alloc_budget = -1;
  weld_set_allocator(NULL, NULL);
  CHECK(ok, "out-of-memory is reported as such at every allocation (%d tried)", n);
}

int main(void) {
  test_errors();
  test_limits();
  test_scaling();
  test_api();
  test_features();
  test_print();
  test_oom();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}
