/* test_js.c — a real-world component on weld: a JS component made by componentize-js
 * (StarlingMonkey, a SpiderMonkey build of several MB, plus bindings generated from a WIT
 * world) decodes, validates, instantiates and runs.
 *
 *   test_js COMPONENT.wasm     (run from the project root; tests/component/js/run.sh builds
 *                               the component from tests/component/js/calc.{js,wit})
 *
 * The world (tests/component/js/calc.wit) exercises the Canonical ABI as another producer
 * lays it out: strings, lists, a record, a variant, an option, a result (a JS exception
 * becomes `err`), flags, an enum, a resource implemented by a JS class, and an imported host
 * interface (weld:calc/host) that the JS calls.  The component also imports the wasi:*
 * interfaces StarlingMonkey is built against; every one the test does not need is defined
 * with weld_linker_define_unknown_imports_as_traps.
 *
 * It prints the component's size and the time of weld_component_new (decode + validate +
 * compile), instantiate_pre and instantiate, and of the calls (TEST_JS_VERBOSE=1: of each).
 * Last line: "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "weld.h"
#include "weld/component.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int g_pass, g_fail;

#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (cond) g_pass++;                                   \
    else {                                                \
      g_fail++;                                           \
      printf("FAIL %s:%d: ", __FILE__, __LINE__);         \
      printf(__VA_ARGS__);                                \
      printf("\n");                                       \
    }                                                     \
  } while (0)

#define HOST "weld:calc/host@0.1.0"
#define COUNTERS "weld:calc/counters@0.1.0"

static weld_engine_t *g_engine;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool ok(weld_error_t *err, const char *what) {
  if (!err) return true;
  printf("  %s: %s\n", what, weld_error_message(err));
  weld_error_delete(err);
  return false;
}

/* ---------------------------------------------------------------- imports */

static const char *kind_name(weld_ckind_t k) {
  switch (k) {
  case WELD_CTYPE_FUNC: return "func";
  case WELD_CTYPE_INSTANCE: return "instance";
  case WELD_CTYPE_COMPONENT: return "component";
  case WELD_CTYPE_RESOURCE: return "resource";
  case WELD_CTYPE_MODULE: return "module";
  default: return "type";
  }
}

/* Prints the imports (instances with their functions and resource types) and counts them. */
static void list_imports(const weld_component_t *c) {
  const weld_ctype_t *ct = weld_component_type(c);
  size_t n = weld_ctype_import_count(ct), wasi = 0, funcs = 0, resources = 0;
  bool host = false;
  printf("imports (%zu):\n", n);
  for (size_t i = 0; i < n; i++) {
    const char *name = weld_ctype_import_name(ct, i);
    const weld_ctype_t *t = weld_ctype_import(ct, i);
    weld_ckind_t k = weld_ctype_kind(t);
    printf("  %s %s", kind_name(k), name);
    if (strncmp(name, "wasi:", 5) == 0) wasi++;
    if (strcmp(name, HOST) == 0) host = true;
    if (k == WELD_CTYPE_INSTANCE) {
      printf(":");
      for (size_t j = 0; j < weld_ctype_count(t); j++) {
        weld_ckind_t mk = weld_ctype_kind(weld_ctype_member(t, j));
        if (mk == WELD_CTYPE_FUNC) funcs++;
        else if (mk == WELD_CTYPE_RESOURCE) resources++;
        else continue;
        printf(" %s%s", mk == WELD_CTYPE_RESOURCE ? "resource " : "", weld_ctype_name(t, j));
      }
    }
    printf("\n");
  }
  printf("  (%zu wasi:* instances, %zu functions, %zu resource types)\n", wasi, funcs, resources);
  CHECK(host, "the component imports " HOST);
  CHECK(wasi > 0, "the component imports wasi:* interfaces");
}

/* ---------------------------------------------------------------- values */

static weld_cval_t v_u32(uint32_t x) { return (weld_cval_t){.kind = WELD_CK_U32, .of.u32 = x}; }
static weld_cval_t v_s32(int32_t x) { return (weld_cval_t){.kind = WELD_CK_S32, .of.s32 = x}; }

static weld_cval_t v_str(const char *s) {
  weld_cval_t v;
  if (!weld_cval_string(&v, s, strlen(s))) abort();
  return v;
}

static weld_cval_t v_u32s(const uint32_t *xs, size_t n) {
  weld_cval_t v;
  if (!weld_cval_items(&v, WELD_CK_LIST, n)) abort();
  for (size_t i = 0; i < n; i++) v.of.items.ptr[i] = v_u32(xs[i]);
  return v;
}

static weld_cval_t v_strs(const char *const *xs, size_t n) {
  weld_cval_t v;
  if (!weld_cval_items(&v, WELD_CK_LIST, n)) abort();
  for (size_t i = 0; i < n; i++) v.of.items.ptr[i] = v_str(xs[i]);
  return v;
}

static weld_cval_t v_point(int32_t x, int32_t y) {
  weld_cval_t v;
  if (!weld_cval_items(&v, WELD_CK_RECORD, 2)) abort();
  v.of.items.ptr[0] = v_s32(x);
  v.of.items.ptr[1] = v_s32(y);
  return v;
}

/* variant shape { circle(u32), rect(point), empty } */
static weld_cval_t v_shape(uint32_t tag, const weld_cval_t *payload) {
  weld_cval_t v = {.kind = WELD_CK_VARIANT, .of.variant = {tag, NULL}};
  if (payload && !weld_cval_box(&v.of.variant.payload, payload)) abort();
  return v;
}

static bool is_str(const weld_cval_t *v, const char *s) {
  return v->kind == WELD_CK_STRING && v->of.str.len == strlen(s) && memcmp(v->of.str.ptr, s, v->of.str.len) == 0;
}

static bool is_point(const weld_cval_t *v, int32_t x, int32_t y) {
  return v->kind == WELD_CK_RECORD && v->of.items.len == 2 && v->of.items.ptr[0].of.s32 == x &&
         v->of.items.ptr[1].of.s32 == y;
}

/* ---------------------------------------------------------------- the host interface */

/* What weld:calc/host received, for the checks. */
typedef struct host_log {
  char last[256];
  int calls;
} host_log_t;

/* describe: func(label: string, p: point) -> string */
static weld_trap_t *host_describe(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                  weld_cval_t *results, size_t nresults) {
  (void)caller;
  host_log_t *h = env;
  h->calls++;
  if (nargs != 2 || nresults != 1 || args[0].kind != WELD_CK_STRING || args[1].kind != WELD_CK_RECORD ||
      args[1].of.items.len != 2)
    return weld_trap_new(WELD_TRAP_HOST, "describe: unexpected arguments");
  char buf[300];
  int n = snprintf(buf, sizeof buf, "%.*s at (%d, %d)", (int)(args[0].of.str.len > 200 ? 200 : args[0].of.str.len),
                   args[0].of.str.ptr, args[1].of.items.ptr[0].of.s32, args[1].of.items.ptr[1].of.s32);
  if (!weld_cval_string(&results[0], buf, (size_t)n)) return weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "describe");
  return NULL;
}

/* max-of: func(xs: list<u32>) -> option<u32> */
static weld_trap_t *host_max_of(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  (void)caller;
  host_log_t *h = env;
  h->calls++;
  /* a list<u32> arrives packed: an array of uint32_t */
  if (nargs != 1 || nresults != 1 || args[0].kind != WELD_CK_ARRAY || args[0].of.array.elem != WELD_CK_U32 ||
      results[0].kind != WELD_CK_OPTION)
    return weld_trap_new(WELD_TRAP_HOST, "max-of: unexpected arguments");
  results[0].of.option = NULL;
  if (args[0].of.array.len == 0) return NULL;
  const uint32_t *xs = args[0].of.array.ptr;
  uint32_t m = 0;
  for (size_t i = 0; i < args[0].of.array.len; i++)
    if (xs[i] > m) m = xs[i];
  weld_cval_t x = v_u32(m);
  if (!weld_cval_box(&results[0].of.option, &x)) return weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "max-of");
  return NULL;
}

/* log: func(msg: string) */
static weld_trap_t *host_log(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                             weld_cval_t *results, size_t nresults) {
  (void)caller, (void)results;
  host_log_t *h = env;
  h->calls++;
  if (nargs != 1 || nresults != 0 || args[0].kind != WELD_CK_STRING)
    return weld_trap_new(WELD_TRAP_HOST, "log: unexpected arguments");
  size_t n = args[0].of.str.len < sizeof h->last - 1 ? args[0].of.str.len : sizeof h->last - 1;
  memcpy(h->last, args[0].of.str.ptr, n);
  h->last[n] = 0;
  return NULL;
}

static bool define_host(weld_linker_t *l, host_log_t *h) {
  weld_linker_instance_t *li = NULL;
  return ok(weld_linker_instance(weld_linker_root(l), HOST, &li), "host instance") &&
         ok(weld_linker_func(li, "describe", host_describe, h, NULL), "describe") &&
         ok(weld_linker_func(li, "max-of", host_max_of, h, NULL), "max-of") &&
         ok(weld_linker_func(li, "log", host_log, h, NULL), "log");
}

/* ---------------------------------------------------------------- WASI used at run time */

/* StarlingMonkey calls a few WASI functions on the path of every export (its event loop
 * runs around each call); they get small deterministic host versions here instead of traps.
 * Which ones, and why:
 *   wasi:clocks/monotonic-clock#now — read by the event loop when an export is entered
 *     (timers); returns a fake clock advancing by 1 ms per read. */
typedef struct wasi_fake {
  uint64_t clock_ns;
  int now_calls;
} wasi_fake_t;

static weld_trap_t *wasi_monotonic_now(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  wasi_fake_t *w = env;
  w->now_calls++;
  w->clock_ns += 1000000;
  results[0] = w->clock_ns;
  return NULL;
}

/* Defined as a WASI 0.2 host usually does, under @0.2.0: weld matches the component's
 * newer 0.2.x imports by semver, and weld_linker_define_unknown_imports_as_traps completes
 * this instance rather than shadowing it (a bug this test found). */
static bool define_wasi(weld_linker_t *l, wasi_fake_t *w) {
  weld_linker_instance_t *li = NULL;
  weld_ckind_t u64 = WELD_CK_U64;
  return ok(weld_linker_instance(weld_linker_root(l), "wasi:clocks/monotonic-clock@0.2.0", &li), "clock instance") &&
         ok(weld_linker_func_flat(li, "now", NULL, 0, &u64, 1, wasi_monotonic_now, w, NULL), "now");
}

/* ---------------------------------------------------------------- calls */

static weld_store_t *g_store;
static weld_cinstance_t *g_inst;

/* Calls export `name`; true if it returned (results filled), false on error or trap (printed). */
static bool call(const char *name, const weld_cval_t *args, size_t nargs, weld_cval_t *results, size_t nresults) {
  memset(results, 0, nresults * sizeof *results); /* safe to drop and to look at if the call fails */
  weld_cfunc_t *fn = weld_cinstance_func_by_name(g_inst, name);
  if (!fn) {
    printf("  no export %s\n", name);
    return false;
  }
  weld_trap_t *trap = NULL;
  double t0 = now_ms();
  weld_error_t *err = weld_cfunc_call(g_store, fn, args, nargs, results, nresults, &trap);
  if (getenv("TEST_JS_VERBOSE")) printf("  %s: %.2f ms\n", name, now_ms() - t0);
  if (!ok(err, name)) return false;
  if (trap) {
    printf("  %s trapped: %s\n", name, weld_trap_message(trap));
    weld_trap_delete(trap);
    return false;
  }
  return true;
}

static void drop_all(weld_cval_t *v, size_t n) {
  for (size_t i = 0; i < n; i++) weld_cval_drop(&v[i]);
}

static void test_strings(void) {
  weld_cval_t a = v_str("weld"), r;
  CHECK(call("greet", &a, 1, &r, 1) && is_str(&r, "hello, weld!"), "greet(\"weld\")");
  weld_cval_drop(&a);
  weld_cval_drop(&r);
  /* non-ASCII both ways (the JS engine holds UTF-16 / latin1 strings; the ABI carries UTF-8) */
  a = v_str("w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80");
  CHECK(call("greet", &a, 1, &r, 1) && is_str(&r, "hello, w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x98\x80!"),
        "greet with non-ASCII text");
  weld_cval_drop(&a);
  weld_cval_drop(&r);
  /* a long string (crosses the guest's realloc growth) */
  size_t n = 100000;
  char *big = malloc(n + 1), *want = malloc(n + 9);
  memset(big, 'x', n);
  big[n] = 0;
  snprintf(want, n + 9, "hello, %s!", big);
  a = v_str(big);
  CHECK(call("greet", &a, 1, &r, 1) && is_str(&r, want), "greet with a %zu-byte string", n);
  weld_cval_drop(&a);
  weld_cval_drop(&r);
  free(big);
  free(want);

  a = v_str("  the quick\tbrown  fox ");
  static const char *const words[] = {"the", "quick", "brown", "fox"};
  bool good = call("split-words", &a, 1, &r, 1) && r.kind == WELD_CK_LIST && r.of.items.len == 4;
  for (size_t i = 0; good && i < 4; i++) good = is_str(&r.of.items.ptr[i], words[i]);
  CHECK(good, "split-words -> list<string>");
  weld_cval_drop(&a);
  weld_cval_drop(&r);
}

static void test_lists(void) {
  uint32_t xs[] = {1, 2, 3, 4000000000u};
  weld_cval_t a = v_u32s(xs, 4), r;
  CHECK(call("sum", &a, 1, &r, 1) && r.kind == WELD_CK_U64 && r.of.u64 == 4000000006ull, "sum(list<u32>) -> u64 (%llu)",
        (unsigned long long)r.of.u64);
  weld_cval_drop(&a);
  weld_cval_drop(&r);
  a = v_u32s(NULL, 0);
  CHECK(call("sum", &a, 1, &r, 1) && r.of.u64 == 0, "sum of an empty list");
  weld_cval_drop(&a);
  weld_cval_drop(&r);

  static const char *const names[] = {"ant", "bee", "cat"};
  weld_cval_t args[2] = {v_strs(names, 3), v_str("cat")};
  CHECK(call("find", args, 2, &r, 1) && r.kind == WELD_CK_OPTION && r.of.option && r.of.option->of.u32 == 2,
        "find -> some(2)");
  weld_cval_drop(&r);
  weld_cval_drop(&args[1]);
  args[1] = v_str("dog");
  CHECK(call("find", args, 2, &r, 1) && r.kind == WELD_CK_OPTION && !r.of.option, "find -> none");
  weld_cval_drop(&r);
  drop_all(args, 2);
}

static void test_record_variant(void) {
  weld_cval_t args[2] = {v_point(1, 2), v_point(-5, 10)}, r;
  CHECK(call("add-points", args, 2, &r, 1) && is_point(&r, -4, 12), "add-points -> point");
  weld_cval_drop(&r);
  drop_all(args, 2);

  weld_cval_t p = v_u32(3);
  weld_cval_t s = v_shape(0, &p);
  CHECK(call("area", &s, 1, &r, 1) && r.kind == WELD_CK_U64 && r.of.u64 == 27, "area(circle(3)) = 27");
  weld_cval_drop(&s);
  p = v_point(4, -5);
  s = v_shape(1, &p);
  CHECK(call("area", &s, 1, &r, 1) && r.of.u64 == 20, "area(rect(4, -5)) = 20");
  weld_cval_drop(&s);
  s = v_shape(2, NULL);
  CHECK(call("area", &s, 1, &r, 1) && r.of.u64 == 0, "area(empty) = 0");
  weld_cval_drop(&s);

  weld_cval_t n = v_u32(0);
  CHECK(call("make-shape", &n, 1, &r, 1) && r.kind == WELD_CK_VARIANT && r.of.variant.index == 2 && !r.of.variant.payload,
        "make-shape(0) = empty");
  weld_cval_drop(&r);
  n = v_u32(7);
  CHECK(call("make-shape", &n, 1, &r, 1) && r.of.variant.index == 0 && r.of.variant.payload &&
            r.of.variant.payload->of.u32 == 7,
        "make-shape(7) = circle(7)");
  weld_cval_drop(&r);
  n = v_u32(4);
  CHECK(call("make-shape", &n, 1, &r, 1) && r.of.variant.index == 1 && r.of.variant.payload &&
            is_point(r.of.variant.payload, 4, -4),
        "make-shape(4) = rect(4, -4)");
  weld_cval_drop(&r);
}

static void test_result_flags_enum(void) {
  weld_cval_t args[2] = {v_s32(-7), v_s32(2)}, r;
  CHECK(call("divide", args, 2, &r, 1) && r.kind == WELD_CK_RESULT && !r.of.result.is_err && r.of.result.payload &&
            r.of.result.payload->of.s32 == -3,
        "divide(-7, 2) = ok(-3)");
  weld_cval_drop(&r);
  args[1] = v_s32(0);
  bool good = call("divide", args, 2, &r, 1) && r.kind == WELD_CK_RESULT && r.of.result.is_err && r.of.result.payload &&
              is_str(r.of.result.payload, "division by zero");
  CHECK(good, "divide(-7, 0) = err(\"division by zero\") from a JS exception");
  weld_cval_drop(&r);

  /* flags perms { read, write, exec } */
  weld_cval_t fl;
  if (!weld_cval_flags(&fl, 3)) abort();
  fl.of.flags.bits[0] = 1u; /* read */
  CHECK(call("toggle", &fl, 1, &r, 1) && r.kind == WELD_CK_FLAGS && r.of.flags.nwords == 1 && r.of.flags.bits[0] == 6u,
        "toggle({read}) = {write, exec}");
  weld_cval_drop(&r);
  fl.of.flags.bits[0] = 7u;
  CHECK(call("toggle", &fl, 1, &r, 1) && r.of.flags.bits[0] == 0, "toggle(all) = {}");
  weld_cval_drop(&r);
  weld_cval_drop(&fl);

  /* enum color { red, green, blue } */
  weld_cval_t c = {.kind = WELD_CK_ENUM, .of.index = 2};
  CHECK(call("next-color", &c, 1, &r, 1) && r.kind == WELD_CK_ENUM && r.of.index == 0, "next-color(blue) = red");
  c.of.index = 0;
  CHECK(call("next-color", &c, 1, &r, 1) && r.of.index == 1, "next-color(red) = green");

  /* the same through the scalar fast path (enum and flags are flat) */
  weld_cfunc_t *nc = weld_cinstance_func_by_name(g_inst, "next-color");
  weld_cfunc_t *tg = weld_cinstance_func_by_name(g_inst, "toggle");
  CHECK(nc && tg && weld_cfunc_is_flat(nc) && weld_cfunc_is_flat(tg), "next-color and toggle are flat");
  if (nc && tg && weld_cfunc_is_flat(nc) && weld_cfunc_is_flat(tg)) {
    uint64_t in = 1, out = 99;
    weld_trap_t *trap = NULL;
    CHECK(ok(weld_cfunc_call_flat(g_store, nc, &in, &out, &trap), "flat") && !trap && out == 2,
          "flat next-color(green) = blue (%llu)", (unsigned long long)out);
    if (trap) weld_trap_delete(trap);
    trap = NULL;
    in = 2;
    CHECK(ok(weld_cfunc_call_flat(g_store, tg, &in, &out, &trap), "flat") && !trap && out == 5,
          "flat toggle({write}) = {read, exec} (%llu)", (unsigned long long)out);
    if (trap) weld_trap_delete(trap);
    trap = NULL;
    in = 3; /* not a color: an error, nothing runs */
    weld_error_t *err = weld_cfunc_call_flat(g_store, nc, &in, &out, &trap);
    CHECK(err && !trap, "flat next-color(3) is an error");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
  }
}

static void test_host(host_log_t *h) {
  uint32_t xs[] = {3, 9, 4};
  weld_cval_t args[2] = {v_str("pt"), v_u32s(xs, 3)}, r;
  int before = h->calls;
  CHECK(call("call-host", args, 2, &r, 1) && is_str(&r, "pt at (3, 9)"), "call-host -> host describe");
  CHECK(h->calls == before + 3, "the JS called the 3 host functions (%d)", h->calls - before);
  CHECK(strcmp(h->last, "max of 3 values: 9") == 0, "host log received \"%s\"", h->last);
  weld_cval_drop(&r);
  weld_cval_drop(&args[1]);
  args[1] = v_u32s(NULL, 0);
  CHECK(call("call-host", args, 2, &r, 1) && is_str(&r, "pt at (0, -1)"), "call-host with an empty list (none)");
  CHECK(strcmp(h->last, "max of 0 values: none") == 0, "host log received \"%s\"", h->last);
  weld_cval_drop(&r);
  drop_all(args, 2);
}

/* resource counter, implemented by a JS class */
static void test_resource(void) {
  weld_cval_t a = v_u32(10), own = {0}, r;
  if (!call(COUNTERS "#[constructor]counter", &a, 1, &own, 1) || own.kind != WELD_CK_OWN || !own.of.resource) {
    CHECK(false, "construct a counter");
    return;
  }
  CHECK(weld_resource_is_own(own.of.resource) && !weld_resource_host_type(own.of.resource),
        "the constructor returns an own handle of a guest resource");
  weld_cval_t self = {.kind = WELD_CK_BORROW, .of.resource = own.of.resource};
  weld_cval_t args[2] = {self, v_u32(5)};
  CHECK(call(COUNTERS "#[method]counter.add", args, 2, &r, 1) && r.of.u32 == 15, "counter.add(5) = 15");
  CHECK(call(COUNTERS "#[method]counter.add", args, 2, &r, 1) && r.of.u32 == 20, "counter.add(5) = 20");
  CHECK(call(COUNTERS "#[method]counter.get", &self, 1, &r, 1) && r.of.u32 == 20, "counter.get() = 20");
  CHECK(call(COUNTERS "#[method]counter.name", &self, 1, &r, 1) && is_str(&r, "counter(20)"), "counter.name()");
  weld_cval_drop(&r);
  uint32_t xs[] = {1, 2};
  weld_cval_t targs[2] = {self, v_u32s(xs, 2)};
  CHECK(call(COUNTERS "#total", targs, 2, &r, 1) && r.kind == WELD_CK_U64 && r.of.u64 == 23, "total(borrow, [1, 2]) = 23");
  weld_cval_drop(&targs[1]);

  /* a second instance of the class is independent */
  a = v_u32(100);
  weld_cval_t own2 = {0};
  CHECK(call(COUNTERS "#[constructor]counter", &a, 1, &own2, 1) && own2.kind == WELD_CK_OWN, "a second counter");
  if (own2.kind == WELD_CK_OWN) {
    weld_cval_t s2 = {.kind = WELD_CK_BORROW, .of.resource = own2.of.resource};
    CHECK(call(COUNTERS "#[method]counter.get", &s2, 1, &r, 1) && r.of.u32 == 100, "second counter.get() = 100");
    CHECK(call(COUNTERS "#[method]counter.get", &self, 1, &r, 1) && r.of.u32 == 20, "first counter unchanged");
    weld_trap_t *trap = NULL;
    CHECK(ok(weld_resource_drop(g_store, own2.of.resource, &trap), "drop") && !trap, "drop the second counter");
    if (trap) weld_trap_delete(trap);
  }
  /* dropping the own handle runs the JS resource's destructor in the guest */
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_resource_drop(g_store, own.of.resource, &trap), "drop") && !trap, "drop the counter");
  if (trap) {
    printf("  drop trapped: %s\n", weld_trap_message(trap));
    weld_trap_delete(trap);
  }
}

/* ---------------------------------------------------------------- main */

/* A second instance from the same InstancePre, in the same store: its JS state is its own,
 * and its resource handles are not the first instance's. */
static void test_second_instance(weld_instance_pre_t *pre) {
  weld_cinstance_t *second = NULL;
  weld_trap_t *trap = NULL;
  double t0 = now_ms();
  CHECK(ok(weld_instance_pre_instantiate(pre, g_store, &second, &trap), "instantiate") && !trap && second,
        "a second instance in the same store");
  printf("second instantiate %.1f ms\n", now_ms() - t0);
  if (trap) weld_trap_delete(trap);
  if (!second) return;
  weld_cinstance_t *first = g_inst;
  weld_cval_t a = v_u32(7), own = {0}, r;
  bool made = call(COUNTERS "#[constructor]counter", &a, 1, &own, 1) && own.kind == WELD_CK_OWN;
  CHECK(made, "a counter of the first instance");
  g_inst = second;
  CHECK(call("next-color", &(weld_cval_t){.kind = WELD_CK_ENUM, .of.index = 1}, 1, &r, 1) && r.of.index == 2,
        "the second instance runs");
  if (made) {
    /* the first instance's handle given to the second instance's method */
    weld_cfunc_t *get = weld_cinstance_func_by_name(second, COUNTERS "#[method]counter.get");
    weld_cval_t self = {.kind = WELD_CK_BORROW, .of.resource = own.of.resource};
    weld_error_t *err = get ? weld_cfunc_call(g_store, get, &self, 1, &r, 1, &trap) : NULL;
    CHECK(get && (err || trap), "a counter of one instance is refused by the other: %s",
          err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "(accepted)");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    trap = NULL;
  }
  g_inst = first;
  if (made) {
    weld_cval_t self = {.kind = WELD_CK_BORROW, .of.resource = own.of.resource};
    CHECK(call(COUNTERS "#[method]counter.get", &self, 1, &r, 1) && r.of.u32 == 7, "the first instance still works");
    CHECK(ok(weld_resource_drop(g_store, own.of.resource, &trap), "drop") && !trap, "drop it");
    if (trap) weld_trap_delete(trap);
  }
}

/* Many calls in a row: the guest's allocator and weld's per-call state stay stable. */
static void test_many_calls(void) {
  int good = 0, n = 200;
  double t0 = now_ms();
  for (int i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "n%d", i);
    weld_cval_t a = v_str(name), r;
    char want[48];
    snprintf(want, sizeof want, "hello, n%d!", i);
    if (call("greet", &a, 1, &r, 1) && is_str(&r, want)) good++;
    weld_cval_drop(&a);
    weld_cval_drop(&r);
  }
  CHECK(good == n, "%d of %d greet calls in a row", good, n);
  printf("%d greet calls: %.3f ms per call\n", n, (now_ms() - t0) / n);
}

/* Without weld:calc/host defined, the host functions are traps too: calling the export that
 * uses them traps with a message naming the import, and the instance is dead afterwards. */
static void test_trap_names_import(weld_component_t *c) {
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  wasi_fake_t w;
  memset(&w, 0, sizeof w);
  bool good = define_wasi(l, &w) && ok(weld_linker_define_unknown_imports_as_traps(l, c), "traps") &&
              ok(weld_linker_instantiate(l, s, c, &inst, &trap), "instantiate") && !trap;
  CHECK(good, "instantiate with every import a trap");
  if (trap) weld_trap_delete(trap);
  trap = NULL;
  weld_cfunc_t *fn = good ? weld_cinstance_func_by_name(inst, "call-host") : NULL;
  if (fn) {
    uint32_t xs[] = {1};
    weld_cval_t args[2] = {v_str("x"), v_u32s(xs, 1)}, r;
    good = ok(weld_cfunc_call(s, fn, args, 2, &r, 1, &trap), "call-host");
    CHECK(good && trap && weld_trap_code(trap) == WELD_TRAP_HOST &&
              strstr(weld_trap_message(trap), HOST "#max-of") != NULL,
          "the trap names the import: %s", trap ? weld_trap_message(trap) : "(no trap)");
    if (trap) weld_trap_delete(trap);
    trap = NULL;
    drop_all(args, 2);
    /* the instance trapped: it cannot be entered again */
    weld_cfunc_t *g = weld_cinstance_func_by_name(inst, "greet");
    weld_cval_t a = v_str("again");
    good = g && ok(weld_cfunc_call(s, g, &a, 1, &r, 1, &trap), "greet");
    CHECK(good && trap, "after a trap the instance cannot be entered");
    if (trap) weld_trap_delete(trap);
    weld_cval_drop(&a);
  }
  weld_store_delete(s);
  weld_linker_delete(l);
}

/* An uncaught JS exception in an export without an error case: StarlingMonkey sets up its
 * stdio to report it (its first WASI call is wasi:cli/stdin#get-stdin, a trap here, which
 * the trap message names) and gives up: the call traps and that instance is dead; the store
 * and the other instances are unaffected. */
static void test_uncaught_exception(weld_instance_pre_t *pre) {
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_instance_pre_instantiate(pre, g_store, &inst, &trap), "instantiate") && !trap && inst,
        "an instance for the exception");
  if (trap) weld_trap_delete(trap);
  trap = NULL;
  if (!inst) return;
  weld_cfunc_t *fn = weld_cinstance_func_by_name(inst, "fail");
  weld_cval_t a = v_str("boom"), r;
  weld_error_t *err = fn ? weld_cfunc_call(g_store, fn, &a, 1, &r, 1, &trap) : NULL;
  CHECK(fn && !err && trap, "fail(\"boom\") traps: %s", trap ? weld_trap_message(trap) : "(no trap)");
  if (trap) printf("  uncaught exception: %s\n", weld_trap_message(trap));
  if (err) weld_error_delete(err);
  if (trap) weld_trap_delete(trap);
  trap = NULL;
  weld_cval_drop(&a);
  /* the first instance lives on */
  a = v_str("still");
  CHECK(call("greet", &a, 1, &r, 1) && is_str(&r, "hello, still!"), "the other instance still runs");
  weld_cval_drop(&a);
  weld_cval_drop(&r);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: test_js COMPONENT.wasm\n");
    return 2;
  }
  g_engine = weld_engine_new(NULL);
  FILE *f = fopen(argv[1], "rb");
  long size = -1;
  if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (f) fclose(f);
  double t0 = now_ms();
  weld_component_t *c = NULL;
  CHECK(ok(weld_component_from_file(g_engine, argv[1], &c), "load"), "load %s", argv[1]);
  double t1 = now_ms();
  if (c) {
    printf("component: %ld bytes; decode+validate+compile %.1f ms\n", size, t1 - t0);
    list_imports(c);

    weld_linker_t *l = weld_linker_new(g_engine);
    host_log_t h;
    memset(&h, 0, sizeof h);
    wasi_fake_t w;
    memset(&w, 0, sizeof w);
    bool good = define_host(l, &h) && define_wasi(l, &w) && ok(weld_linker_define_unknown_imports_as_traps(l, c), "traps");
    CHECK(good, "define the host interface and the rest as traps");
    weld_instance_pre_t *pre = NULL;
    double t2 = now_ms();
    CHECK(good && ok(weld_linker_instantiate_pre(l, c, &pre), "instantiate_pre"), "instantiate_pre");
    double t3 = now_ms();
    g_store = weld_store_new(g_engine);
    weld_trap_t *trap = NULL;
    if (pre) {
      CHECK(ok(weld_instance_pre_instantiate(pre, g_store, &g_inst, &trap), "instantiate") && !trap && g_inst,
            "instantiate: %s", trap ? weld_trap_message(trap) : "");
      if (trap) weld_trap_delete(trap);
    }
    double t4 = now_ms();
    printf("instantiate_pre %.1f ms, instantiate %.1f ms\n", t3 - t2, t4 - t3);
    if (g_inst) {
      double t5 = now_ms();
      test_strings();
      test_lists();
      test_record_variant();
      test_result_flags_enum();
      test_host(&h);
      test_resource();
      test_many_calls();
      test_second_instance(pre);
      test_uncaught_exception(pre);
      printf("calls: %.1f ms; WASI used: monotonic-clock#now %d times\n", now_ms() - t5, w.now_calls);
    }
    weld_store_delete(g_store);
    weld_instance_pre_delete(pre);
    weld_linker_delete(l);
    test_trap_names_import(c);
    weld_component_delete(c);
  }
  weld_engine_delete(g_engine);
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
