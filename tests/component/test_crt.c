/* test_crt.c — tests of component instantiation, linking and the component embedding API
 * (include/weld/component.h; src/component/{linker,instantiate,instance,func,...}.c).
 *
 * The guests are components in tests/component/guests/: hand-written component text
 * (*.wat, assembled to the committed *.wasm by guests/rebuild.sh) and C guests (*.c,
 * compiled with clang to wasm32 and made into components).  Run from the project root.
 * Last line: "N passed, N failed". */
#include "weld.h"
#include "weld/component.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "cval_util.h"

#define GUESTS "tests/component/guests/"

static weld_engine_t *g_engine;

static weld_component_t *load(const char *name) {
  char path[256];
  snprintf(path, sizeof path, GUESTS "%s", name);
  weld_component_t *c = NULL;
  weld_error_t *err = weld_component_from_file(g_engine, path, &c);
  CHECK(!err, "loading %s: %s", name, err ? weld_error_message(err) : "");
  if (err) weld_error_delete(err);
  return c;
}

/* Prints and frees an error; true if there was none. */
static bool g_quiet;
static bool ok(weld_error_t *err, const char *what) {
  if (!err) return true;
  if (!g_quiet) printf("  %s: %s\n", what, weld_error_message(err));
  weld_error_delete(err);
  return false;
}

static bool no_trap(weld_trap_t *trap, const char *what) {
  if (!trap) return true;
  printf("  %s trapped: %s\n", what, weld_trap_message(trap));
  weld_trap_delete(trap);
  return false;
}

/* ---------------------------------------------------------------- basic */

static weld_trap_t *host_f(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                           size_t nresults) {
  (void)caller;
  int *calls = env;
  (*calls)++;
  if (nargs != 1 || nresults != 1 || args[0].kind != WELD_CK_U32 || results[0].kind != WELD_CK_U32)
    return weld_trap_new(WELD_TRAP_HOST, "bad shape");
  results[0].of.u32 = args[0].of.u32 * 10;
  return NULL;
}

static weld_trap_t *host_f_flat(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller;
  int *calls = env;
  (*calls)++;
  results[0] = args[0] * 100;
  return NULL;
}

static void test_basic(void) {
  weld_component_t *c = load("basic.wasm");
  if (!c) return;
  weld_linker_t *l = weld_linker_new(g_engine);
  int calls = 0;
  CHECK(ok(weld_linker_func(weld_linker_root(l), "host-f", host_f, &calls, NULL), "define"), "define host-f");
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l, s, c, &inst, &trap), "instantiate") && no_trap(trap, "instantiate") && inst,
        "instantiate basic");
  if (inst) {
    weld_cfunc_t *add = weld_cinstance_func_by_name(inst, "add");
    CHECK(add != NULL, "export add");
    weld_cval_t args[2] = {{.kind = WELD_CK_U32, .of.u32 = 40}, {.kind = WELD_CK_U32, .of.u32 = 2}}, res[1];
    CHECK(ok(weld_cfunc_call(s, add, args, 2, res, 1, &trap), "call add") && no_trap(trap, "add") &&
              res[0].kind == WELD_CK_U32 && res[0].of.u32 == 42,
          "add(40, 2) = 42");
    CHECK(weld_cfunc_is_flat(add), "add is flat");
    uint64_t w[2] = {7, 8}, r[1] = {0};
    CHECK(ok(weld_cfunc_call_flat(s, add, w, r, &trap), "flat add") && no_trap(trap, "flat add") && r[0] == 15,
          "flat add(7, 8) = 15 (got %llu)", (unsigned long long)r[0]);
    weld_cfunc_t *ch = weld_cinstance_func_by_name(inst, "callhost");
    weld_cval_t a1 = {.kind = WELD_CK_U32, .of.u32 = 5};
    CHECK(ok(weld_cfunc_call(s, ch, &a1, 1, res, 1, &trap), "call callhost") && no_trap(trap, "callhost") &&
              res[0].of.u32 == 50 && calls == 1,
          "callhost(5) = 50 through the host");
    /* misuse: wrong type / count */
    weld_cval_t bad = {.kind = WELD_CK_STRING};
    weld_error_t *err = weld_cfunc_call(s, ch, &bad, 1, res, 1, &trap);
    CHECK(err != NULL && trap == NULL, "wrong argument type is an error");
    if (err) weld_error_delete(err);
    err = weld_cfunc_call(s, ch, args, 2, res, 1, &trap);
    CHECK(err != NULL && trap == NULL, "wrong argument count is an error");
    if (err) weld_error_delete(err);
  }
  weld_store_delete(s);

  /* The flat host function variant. */
  weld_linker_t *l2 = weld_linker_new(g_engine);
  weld_ckind_t k = WELD_CK_U32;
  calls = 0;
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l2), "host-f", &k, 1, &k, 1, host_f_flat, &calls, NULL), "flat define"),
        "define flat host-f");
  s = weld_store_new(g_engine);
  inst = NULL;
  CHECK(ok(weld_linker_instantiate(l2, s, c, &inst, &trap), "instantiate") && no_trap(trap, "inst") && inst,
        "instantiate with flat host");
  if (inst) {
    weld_cfunc_t *ch = weld_cinstance_func_by_name(inst, "callhost");
    uint64_t w[1] = {3}, r[1] = {0};
    CHECK(ok(weld_cfunc_call_flat(s, ch, w, r, &trap), "flat callhost") && no_trap(trap, "flat callhost") && r[0] == 300 &&
              calls == 1,
          "flat callhost(3) = 300");
  }
  weld_store_delete(s);

  /* A flat host function with the wrong signature is rejected by instantiate_pre. */
  weld_linker_t *l3 = weld_linker_new(g_engine);
  weld_ckind_t k64 = WELD_CK_U64;
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l3), "host-f", &k64, 1, &k, 1, host_f_flat, &calls, NULL), "define"),
        "define wrong flat");
  weld_instance_pre_t *pre = NULL;
  weld_error_t *err = weld_linker_instantiate_pre(l3, c, &pre);
  CHECK(err != NULL && pre == NULL, "flat signature mismatch rejected");
  if (err) {
    CHECK(strstr(weld_error_message(err), "host-f") != NULL, "message names the import: %s", weld_error_message(err));
    weld_error_delete(err);
  }
  /* A missing import too. */
  weld_linker_t *l4 = weld_linker_new(g_engine);
  err = weld_linker_instantiate_pre(l4, c, &pre);
  CHECK(err != NULL, "missing import rejected");
  if (err) weld_error_delete(err);
  /* ... unless defined as a trap. */
  CHECK(ok(weld_linker_define_unknown_imports_as_traps(l4, c), "traps"), "define unknown imports as traps");
  s = weld_store_new(g_engine);
  inst = NULL;
  CHECK(ok(weld_linker_instantiate(l4, s, c, &inst, &trap), "instantiate") && inst, "instantiate with trapping imports");
  if (inst) {
    weld_cfunc_t *ch = weld_cinstance_func_by_name(inst, "callhost");
    weld_cval_t a1 = {.kind = WELD_CK_U32, .of.u32 = 5}, res[1];
    err = weld_cfunc_call(s, ch, &a1, 1, res, 1, &trap);
    CHECK(!err && trap != NULL, "calling a trapping import traps");
    if (trap) weld_trap_delete(trap);
  }
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_linker_delete(l2);
  weld_linker_delete(l3);
  weld_linker_delete(l4);
  weld_component_delete(c);
}

/* ---------------------------------------------------------------- unknown imports as traps */

static weld_trap_t *clock_now(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller, (void)args;
  results[0] = 42;
  return NULL;
}

/* Regressions found with the componentize-js component (tests/component/js): the traps
 * must name the import by its whole path, and must not shadow an instance the host defined
 * under a semver-compatible version (guests/traps.wat). */
static void test_unknown_traps(void) {
  weld_component_t *c = load("traps.wasm");
  if (!c) return;
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_linker_instance_t *li = NULL;
  weld_ckind_t u64 = WELD_CK_U64;
  CHECK(ok(weld_linker_instance(weld_linker_root(l), "wasi:clocks/clock@0.2.0", &li), "instance") &&
            ok(weld_linker_func_flat(li, "now", NULL, 0, &u64, 1, clock_now, NULL, NULL), "now") &&
            ok(weld_linker_define_unknown_imports_as_traps(l, c), "traps"),
        "define clock@0.2.0#now, the rest as traps");
  const char *const fns[] = {"now", "other", "deep"};
  const char *const want[] = {NULL, "`wasi:clocks/clock@0.2.12#other`", "`test:pkg/outer#inner#deep`"};
  for (int i = 0; i < 3; i++) {
    weld_store_t *s = weld_store_new(g_engine); /* a fresh instance each: a trap poisons it */
    weld_cinstance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    if (!ok(weld_linker_instantiate(l, s, c, &inst, &trap), "instantiate") || !no_trap(trap, "instantiate")) {
      CHECK(false, "instantiate traps.wasm");
      weld_store_delete(s);
      break;
    }
    weld_cval_t res[1];
    memset(res, 0, sizeof res);
    weld_error_t *err = weld_cfunc_call(s, weld_cinstance_func_by_name(inst, fns[i]), NULL, 0, res, 1, &trap);
    if (!want[i])
      CHECK(!err && !trap && res[0].kind == WELD_CK_U64 && res[0].of.u64 == 42,
            "the host's clock@0.2.0#now serves the clock@0.2.12 import: %s",
            trap ? weld_trap_message(trap) : err ? weld_error_message(err) : "");
    else
      CHECK(!err && trap && weld_trap_code(trap) == WELD_TRAP_HOST && strstr(weld_trap_message(trap), want[i]),
            "%s traps naming %s: %s", fns[i], want[i], trap ? weld_trap_message(trap) : "(no trap)");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    weld_store_delete(s);
  }
  weld_linker_delete(l);
  weld_component_delete(c);
}

/* ---------------------------------------------------------------- every value type (echo.c) */

/* value builders */
static weld_cval_t vu8(uint8_t x) { weld_cval_t v = {.kind = WELD_CK_U8}; v.of.u8 = x; return v; }
static weld_cval_t vu16(uint16_t x) { weld_cval_t v = {.kind = WELD_CK_U16}; v.of.u16 = x; return v; }
static weld_cval_t vs32(int32_t x) { weld_cval_t v = {.kind = WELD_CK_S32}; v.of.s32 = x; return v; }
static weld_cval_t vu32(uint32_t x) { weld_cval_t v = {.kind = WELD_CK_U32}; v.of.u32 = x; return v; }
static weld_cval_t vu64(uint64_t x) { weld_cval_t v = {.kind = WELD_CK_U64}; v.of.u64 = x; return v; }
static weld_cval_t vf32(float x) { weld_cval_t v = {.kind = WELD_CK_F32}; v.of.f32 = x; return v; }
static weld_cval_t vf64(double x) { weld_cval_t v = {.kind = WELD_CK_F64}; v.of.f64 = x; return v; }
static weld_cval_t vstr(const char *s) { weld_cval_t v; weld_cval_string(&v, s, strlen(s)); return v; }
static weld_cval_t vitems(weld_ckind_t k, size_t n, const weld_cval_t *items) {
  weld_cval_t v;
  weld_cval_items(&v, k, n);
  for (size_t i = 0; i < n; i++) v.of.items.ptr[i] = items[i];
  return v;
}
static weld_cval_t vpoint(int32_t x, int32_t y) {
  weld_cval_t f[2] = {vs32(x), vs32(y)};
  return vitems(WELD_CK_RECORD, 2, f);
}
static weld_cval_t vsome(weld_cval_t x) {
  weld_cval_t v = {.kind = WELD_CK_OPTION};
  weld_cval_box(&v.of.option, &x);
  return v;
}
static weld_cval_t vcase(weld_ckind_t kind, uint32_t index, const weld_cval_t *payload) {
  weld_cval_t v = {.kind = kind};
  if (kind == WELD_CK_RESULT) {
    v.of.result.is_err = index != 0;
    if (payload) weld_cval_box(&v.of.result.payload, payload);
  } else {
    v.of.variant.index = index;
    if (payload) weld_cval_box(&v.of.variant.payload, payload);
  }
  return v;
}

typedef struct echo_host {
  weld_cval_t seen[20];
  size_t nseen;
  int calls;
} echo_host_t;

static weld_trap_t *echo_fn(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                            size_t nresults) {
  echo_host_t *h = env;
  h->calls++;
  for (size_t i = 0; i < h->nseen; i++) weld_cval_drop(&h->seen[i]);
  h->nseen = 0;
  for (size_t i = 0; i < nargs && i < 20; i++, h->nseen++)
    if (!weld_cval_clone(&h->seen[i], &args[i])) return weld_trap_new(WELD_TRAP_HOST, "clone failed");
  const weld_ctype_t *ft = weld_ccaller_func_type(caller);
  if (!ft || weld_ctype_kind(ft) != WELD_CTYPE_FUNC || weld_ctype_count(ft) != nargs) return weld_trap_new(WELD_TRAP_HOST, "type");
  if (nresults == 0) return NULL;
  if (nargs == 17) { /* echo-many: the sum of the numbers plus the string's length */
    uint32_t sum = 0;
    for (size_t i = 0; i < 16; i++) sum += args[i].of.u32;
    results[0].of.u32 = sum + (uint32_t)args[16].of.str.len;
    return NULL;
  }
  /* result kinds are preset to the result type's (a list of numbers arrives as an ARRAY,
   * its type's kind is LIST) */
  if (results[0].kind != args[0].kind && !(results[0].kind == WELD_CK_LIST && args[0].kind == WELD_CK_ARRAY))
    return weld_trap_new(WELD_TRAP_HOST, "result kind differs");
  if (!weld_cval_clone(&results[0], &args[0])) return weld_trap_new(WELD_TRAP_HOST, "clone failed");
  return NULL;
}

static const char *const g_echo_names[] = {
    "echo-bool", "echo-s8", "echo-u8", "echo-s16", "echo-u16", "echo-s32", "echo-u32", "echo-s64", "echo-u64",
    "echo-f32", "echo-f64", "echo-char", "echo-string", "echo-list-u8", "echo-list-string", "echo-point",
    "echo-mixed", "echo-tuple", "echo-shape", "echo-color", "echo-perms", "echo-option", "echo-result",
    "echo-result-empty", "echo-many", "echo-nested", "echo-none",
};

/* Calls export `name` with v (consumed) and checks the host saw v and the result is v. */
static void roundtrip(weld_store_t *s, weld_cinstance_t *inst, echo_host_t *h, const char *name, weld_cval_t v) {
  char path[100];
  snprintf(path, sizeof path, "test:guest/echo#%s", name);
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, path);
  CHECK(f != NULL, "export %s", path);
  if (!f) {
    weld_cval_drop(&v);
    return;
  }
  weld_cval_t r;
  memset(&r, 0, sizeof r);
  weld_trap_t *trap = NULL;
  int calls = h->calls;
  weld_error_t *err = weld_cfunc_call(s, f, &v, 1, &r, 1, &trap);
  bool fine = ok(err, name) && no_trap(trap, name);
  CHECK(fine && h->calls == calls + 1, "%s: call", name);
  if (fine) {
    CHECK(h->nseen == 1 && cval_eq(&h->seen[0], &v), "%s: the host received the value sent", name);
    CHECK(cval_eq(&r, &v), "%s: the result is the value sent", name);
  }
  weld_cval_drop(&r);
  weld_cval_drop(&v);
}

static void test_echo_file(const char *file) {
  weld_component_t *c = load(file);
  if (!c) return;
  printf("  echo guest %s\n", file);
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_linker_instance_t *li = NULL;
  echo_host_t h;
  memset(&h, 0, sizeof h);
  CHECK(ok(weld_linker_instance(weld_linker_root(l), "test:guest/echo", &li), "instance"), "linker instance");
  for (size_t i = 0; i < sizeof g_echo_names / sizeof *g_echo_names; i++)
    CHECK(ok(weld_linker_func(li, g_echo_names[i], echo_fn, &h, NULL), g_echo_names[i]), "define %s", g_echo_names[i]);
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l, s, c, &inst, &trap), "instantiate") && no_trap(trap, "instantiate") && inst,
        "instantiate %s", file);
  if (inst) {
    weld_cval_t v;
    v.kind = WELD_CK_BOOL; v.of.b = true; roundtrip(s, inst, &h, "echo-bool", v);
    v.kind = WELD_CK_S8; v.of.s8 = -128; roundtrip(s, inst, &h, "echo-s8", v);
    roundtrip(s, inst, &h, "echo-u8", vu8(255));
    v.kind = WELD_CK_S16; v.of.s16 = -12345; roundtrip(s, inst, &h, "echo-s16", v);
    roundtrip(s, inst, &h, "echo-u16", vu16(65535));
    roundtrip(s, inst, &h, "echo-s32", vs32(INT32_MIN));
    roundtrip(s, inst, &h, "echo-u32", vu32(UINT32_MAX));
    v.kind = WELD_CK_S64; v.of.s64 = INT64_MIN + 7; roundtrip(s, inst, &h, "echo-s64", v);
    roundtrip(s, inst, &h, "echo-u64", vu64(UINT64_MAX - 1));
    roundtrip(s, inst, &h, "echo-f32", vf32(-1.5f));
    roundtrip(s, inst, &h, "echo-f64", vf64(3.141592653589793));
    v.kind = WELD_CK_CHAR; v.of.ch = 0x1F600; roundtrip(s, inst, &h, "echo-char", v);
    roundtrip(s, inst, &h, "echo-string", vstr("hello, w\xc3\xb6rld \xf0\x9f\x98\x80"));
    roundtrip(s, inst, &h, "echo-string", vstr("latin1 only: caf\xc3\xa9"));
    roundtrip(s, inst, &h, "echo-string", vstr(""));
    weld_cval_t bytes[5] = {vu8(0), vu8(1), vu8(2), vu8(254), vu8(255)};
    roundtrip(s, inst, &h, "echo-list-u8", vitems(WELD_CK_LIST, 5, bytes));
    roundtrip(s, inst, &h, "echo-list-u8", vitems(WELD_CK_LIST, 0, NULL));
    weld_cval_t strs[3] = {vstr("a"), vstr(""), vstr("\xe2\x82\xac uro")};
    roundtrip(s, inst, &h, "echo-list-string", vitems(WELD_CK_LIST, 3, strs));
    roundtrip(s, inst, &h, "echo-point", vpoint(-3, 4));
    weld_cval_t d[2] = {vu16(1), vu16(65535)};
    weld_cval_t mixed[5] = {vu8(7), vu64(1ull << 40), vstr("mixed"), vitems(WELD_CK_LIST, 2, d), vsome(vf32(0.25f))};
    roundtrip(s, inst, &h, "echo-mixed", vitems(WELD_CK_RECORD, 5, mixed));
    weld_cval_t mixed2[5] = {vu8(0), vu64(0), vstr(""), vitems(WELD_CK_LIST, 0, NULL), {.kind = WELD_CK_OPTION}};
    roundtrip(s, inst, &h, "echo-mixed", vitems(WELD_CK_RECORD, 5, mixed2));
    weld_cval_t tup[3] = {vu8(9), vstr("tuple"), vf64(-0.0)};
    roundtrip(s, inst, &h, "echo-tuple", vitems(WELD_CK_TUPLE, 3, tup));
    weld_cval_t pl = vf32(2.5f);
    roundtrip(s, inst, &h, "echo-shape", vcase(WELD_CK_VARIANT, 0, &pl));
    pl = vpoint(10, -20);
    roundtrip(s, inst, &h, "echo-shape", vcase(WELD_CK_VARIANT, 1, &pl));
    pl = vstr("label");
    roundtrip(s, inst, &h, "echo-shape", vcase(WELD_CK_VARIANT, 2, &pl));
    roundtrip(s, inst, &h, "echo-shape", vcase(WELD_CK_VARIANT, 3, NULL));
    v.kind = WELD_CK_ENUM; v.of.index = 2; roundtrip(s, inst, &h, "echo-color", v);
    weld_cval_flags(&v, 3); v.of.flags.bits[0] = 5; roundtrip(s, inst, &h, "echo-perms", v);
    roundtrip(s, inst, &h, "echo-option", vsome(vu32(77)));
    v.kind = WELD_CK_OPTION; v.of.option = NULL; roundtrip(s, inst, &h, "echo-option", v);
    pl = vstr("ok!");
    roundtrip(s, inst, &h, "echo-result", vcase(WELD_CK_RESULT, 0, &pl));
    pl = vu16(404);
    roundtrip(s, inst, &h, "echo-result", vcase(WELD_CK_RESULT, 1, &pl));
    roundtrip(s, inst, &h, "echo-result-empty", vcase(WELD_CK_RESULT, 0, NULL));
    roundtrip(s, inst, &h, "echo-result-empty", vcase(WELD_CK_RESULT, 1, NULL));
    /* list<option<tuple<point, list<string>>>> */
    weld_cval_t ss[2] = {vstr("x"), vstr("yz")};
    weld_cval_t t1[2] = {vpoint(1, 2), vitems(WELD_CK_LIST, 2, ss)};
    weld_cval_t t2[2] = {vpoint(-1, -2), vitems(WELD_CK_LIST, 0, NULL)};
    weld_cval_t el[3] = {vsome(vitems(WELD_CK_TUPLE, 2, t1)), {.kind = WELD_CK_OPTION}, vsome(vitems(WELD_CK_TUPLE, 2, t2))};
    roundtrip(s, inst, &h, "echo-nested", vitems(WELD_CK_LIST, 3, el));

    /* 17 parameters (passed through memory both ways) */
    weld_cfunc_t *many = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-many");
    weld_cval_t args[17], r;
    for (int i = 0; i < 16; i++) args[i] = vu32((uint32_t)i * 1000);
    args[16] = vstr("seventeen");
    CHECK(ok(weld_cfunc_call(s, many, args, 17, &r, 1, &trap), "many") && no_trap(trap, "many") &&
              r.of.u32 == 120000 + 9 && h.nseen == 17 && cval_eq(&h.seen[16], &args[16]),
          "echo-many: 17 parameters through memory");
    for (int i = 0; i < 17; i++) weld_cval_drop(&args[i]);
    weld_cfunc_t *none = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-none");
    int calls = h.calls;
    CHECK(ok(weld_cfunc_call(s, none, NULL, 0, NULL, 0, &trap), "none") && no_trap(trap, "none") && h.calls == calls + 1,
          "echo-none: no parameters, no results");
    /* post-return ran once per echo-string call */
    weld_cfunc_t *prc = weld_cinstance_func_by_name(inst, "post-return-count");
    CHECK(prc && ok(weld_cfunc_call(s, prc, NULL, 0, &r, 1, &trap), "prc") && no_trap(trap, "prc") && r.of.u32 == 3,
          "post-return ran after each echo-string call (%u)", r.of.u32);
    /* flat fast path on a scalar export */
    weld_cfunc_t *u8f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-u8");
    uint64_t w[1] = {200}, rw[1] = {0};
    CHECK(weld_cfunc_is_flat(u8f) && ok(weld_cfunc_call_flat(s, u8f, w, rw, &trap), "flat u8") && no_trap(trap, "flat u8") &&
              rw[0] == 200,
          "flat echo-u8");
    weld_cfunc_t *strf = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-string");
    CHECK(!weld_cfunc_is_flat(strf), "echo-string is not flat");
    /* host misuse: invalid values are errors, nothing runs */
    calls = h.calls;
    v.kind = WELD_CK_CHAR; v.of.ch = 0xD800;
    weld_cfunc_t *chf = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-char");
    weld_error_t *err = weld_cfunc_call(s, chf, &v, 1, &r, 1, &trap);
    CHECK(err && !trap && h.calls == calls, "a surrogate char is rejected before the call");
    if (err) weld_error_delete(err);
    v.kind = WELD_CK_ENUM; v.of.index = 3;
    err = weld_cfunc_call(s, weld_cinstance_func_by_name(inst, "test:guest/echo#echo-color"), &v, 1, &r, 1, &trap);
    CHECK(err && !trap, "an enum index out of range is rejected");
    if (err) weld_error_delete(err);
    v.kind = WELD_CK_STRING; v.of.str.ptr = "\xff"; v.of.str.len = 1;
    err = weld_cfunc_call(s, strf, &v, 1, &r, 1, &trap);
    CHECK(err && !trap, "invalid UTF-8 is rejected");
    if (err) weld_error_delete(err);
  }
  for (size_t i = 0; i < h.nseen; i++) weld_cval_drop(&h.seen[i]);
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);
}

static void test_echo(void) {
  test_echo_file("echo.wasm");
  test_echo_file("echo16.wasm");
  test_echo_file("echo-latin1.wasm");
}

/* ---------------------------------------------------------------- resources both ways (res.c) */

/* The host side of guests/res.wit: `blob` is a host resource type whose reps are handles of
 * a weld_resource_table_t.  Every blob object is also listed in `all`, so that the blobs
 * left behind in trapped instances (whose handles nobody drops) can be freed at the end. */
typedef struct rg_blob {
  uint32_t len;
  uint8_t *data;
} rg_blob_t;

typedef struct rg_host {
  weld_resource_table_t *table;
  weld_resource_type_t *blob;
  rg_blob_t *all[128];
  uint32_t nall;
  uint32_t freed, last_freed;     /* blob destructor runs, the rep freed last */
  uint32_t borrows;               /* borrows received by blob.size and blob.get */
  weld_resource_t *drop_in_call;  /* an own<counter> that the next blob.size drops */
  char drop_in_call_msg[256];
} rg_host_t;

static void rg_blob_dtor(void *env, uint32_t rep) {
  rg_host_t *h = env;
  void *obj = NULL;
  weld_error_t *err = weld_resource_table_delete_entry(h->table, rep, &obj);
  CHECK(!err && obj, "blob destructor: rep %u is a live blob", rep);
  if (err) weld_error_delete(err);
  if (!obj) return;
  rg_blob_t *b = obj;
  for (uint32_t i = 0; i < h->nall; i++)
    if (h->all[i] == b) h->all[i] = NULL;
  free(b->data);
  free(b);
  h->freed++;
  h->last_freed = rep;
}

/* A new blob of the n bytes at `bytes` (NULL: 0, 1, ..., n-1); its rep, or 0. */
static uint32_t rg_blob_make(rg_host_t *h, const uint8_t *bytes, uint32_t n) {
  if (h->nall == sizeof h->all / sizeof *h->all) return 0;
  rg_blob_t *b = malloc(sizeof *b);
  uint8_t *d = malloc(n ? n : 1);
  uint32_t rep = 0;
  weld_error_t *err = NULL;
  if (!b || !d || (err = weld_resource_table_push(h->table, b, &rep)) != NULL) {
    free(b);
    free(d);
    if (err) weld_error_delete(err);
    return 0;
  }
  for (uint32_t i = 0; i < n; i++) d[i] = bytes ? bytes[i] : (uint8_t)i;
  b->len = n;
  b->data = d;
  h->all[h->nall++] = b;
  return rep;
}

/* The live blob a handle stands for, or NULL. */
static rg_blob_t *rg_blob_of(rg_host_t *h, const weld_resource_t *r) {
  uint32_t rep = 0;
  if (!r || weld_resource_host_type(r) != h->blob) return NULL;
  weld_error_t *err = weld_resource_rep(r, &rep);
  if (err) {
    weld_error_delete(err);
    return NULL;
  }
  return weld_resource_table_get(h->table, rep);
}

static weld_trap_t *rg_own_result(rg_host_t *h, weld_ccaller_t *caller, uint32_t rep, weld_cval_t *res) {
  if (!rep) return weld_trap_new(WELD_TRAP_HOST, "cannot make a blob");
  res->of.resource = weld_resource_new_own(weld_ccaller_store(caller), h->blob, rep);
  return res->of.resource ? NULL : weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "out of memory");
}

/* [constructor]blob(init: list<u8>) -> own<blob> */
static weld_trap_t *rg_blob_ctor(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                 weld_cval_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  rg_host_t *h = env;
  /* a list<u8> arrives packed: a byte buffer */
  size_t n = args[0].of.array.len;
  if (args[0].kind != WELD_CK_ARRAY || args[0].of.array.elem != WELD_CK_U8 || n > 256)
    return weld_trap_new(WELD_TRAP_HOST, "blob: bad init");
  return rg_own_result(h, caller, rg_blob_make(h, args[0].of.array.ptr, (uint32_t)n), &results[0]);
}

/* The blob behind a `self` argument, which must be a borrow (NULL: *trap says why). */
static rg_blob_t *rg_self(rg_host_t *h, const weld_cval_t *self, weld_trap_t **trap) {
  *trap = NULL;
  rg_blob_t *b = rg_blob_of(h, self->of.resource);
  if (self->kind != WELD_CK_BORROW || weld_resource_is_own(self->of.resource))
    *trap = weld_trap_new(WELD_TRAP_HOST, "blob method: self is not a borrow");
  else if (!b)
    *trap = weld_trap_new(WELD_TRAP_HOST, "blob method: not a live blob");
  else
    h->borrows++;
  return *trap ? NULL : b;
}

/* [method]blob.size(self: borrow<blob>) -> u32.  When drop_in_call is set, the host drops
 * that own<counter> from inside the call (the guest instance is on the stack: the drop
 * must trap, not run the guest's destructor), and it drops the lent borrow too (no effect:
 * the borrow ends with the call). */
static weld_trap_t *rg_blob_size(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                 weld_cval_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  rg_host_t *h = env;
  weld_trap_t *trap = NULL;
  rg_blob_t *b = rg_self(h, &args[0], &trap);
  if (!b) return trap;
  if (h->drop_in_call) {
    weld_error_t *err = weld_resource_drop(weld_ccaller_store(caller), h->drop_in_call, &trap);
    h->drop_in_call = NULL;
    snprintf(h->drop_in_call_msg, sizeof h->drop_in_call_msg, "%s",
             err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "(no trap)");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    err = weld_resource_drop(weld_ccaller_store(caller), args[0].of.resource, NULL);
    if (err) weld_error_delete(err);
    if (rg_blob_of(h, args[0].of.resource) != b) return weld_trap_new(WELD_TRAP_HOST, "the lent borrow went away");
  }
  results[0].of.u32 = b->len;
  return NULL;
}

/* [method]blob.get(self: borrow<blob>, i: u32) -> u8 */
static weld_trap_t *rg_blob_get(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  (void)caller, (void)nargs, (void)nresults;
  weld_trap_t *trap = NULL;
  rg_blob_t *b = rg_self(env, &args[0], &trap);
  if (!b) return trap;
  if (args[1].of.u32 >= b->len) return weld_trap_new(WELD_TRAP_HOST, "blob.get: index out of range");
  results[0].of.u8 = b->data[args[1].of.u32];
  return NULL;
}

/* [static]blob.merge(a: own<blob>, b: own<blob>) -> own<blob>: the host owns a and b now
 * and drops them (their destructors run) */
static weld_trap_t *rg_blob_merge(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                  weld_cval_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  rg_host_t *h = env;
  rg_blob_t *a = rg_blob_of(h, args[0].of.resource), *b = rg_blob_of(h, args[1].of.resource);
  if (args[0].kind != WELD_CK_OWN || args[1].kind != WELD_CK_OWN || !weld_resource_is_own(args[0].of.resource) ||
      !weld_resource_is_own(args[1].of.resource) || !a || !b || a->len + b->len > 256)
    return weld_trap_new(WELD_TRAP_HOST, "blob.merge: not two owned blobs");
  uint8_t buf[256];
  memcpy(buf, a->data, a->len);
  memcpy(buf + a->len, b->data, b->len);
  uint32_t rep = rg_blob_make(h, buf, a->len + b->len);
  for (int i = 0; i < 2; i++) {
    weld_trap_t *trap = NULL;
    weld_error_t *err = weld_resource_drop(weld_ccaller_store(caller), args[i].of.resource, &trap);
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
  }
  return rg_own_result(h, caller, rep, &results[0]);
}

/* make-blob(n: u32) -> own<blob> */
static weld_trap_t *rg_make_blob(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                 weld_cval_t *results, size_t nresults) {
  (void)nargs, (void)nresults;
  if (args[0].of.u32 > 256) return weld_trap_new(WELD_TRAP_HOST, "make-blob: too big");
  return rg_own_result(env, caller, rg_blob_make(env, NULL, args[0].of.u32), &results[0]);
}

static weld_cval_t rg_handle(weld_ckind_t kind, weld_resource_t *r) {
  weld_cval_t v = {.kind = kind};
  v.of.resource = r;
  return v;
}

/* Calls test:res/api#name.  With `why` NULL the call must succeed (a failure is printed);
 * otherwise the error or trap message is copied there (empty if the call succeeded) and
 * *is_trap says which it was. */
static bool rg_call(weld_store_t *s, weld_cinstance_t *inst, const char *name, const weld_cval_t *args, size_t nargs,
                    weld_cval_t *res, size_t nres, char *why, bool *is_trap) {
  char path[100];
  snprintf(path, sizeof path, "test:res/api#%s", name);
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, path);
  if (why) why[0] = 0;
  if (is_trap) *is_trap = false;
  if (!f) {
    CHECK(false, "no export %s", path);
    return false;
  }
  for (size_t i = 0; i < nres; i++) memset(&res[i], 0, sizeof res[i]);
  weld_trap_t *trap = NULL;
  weld_error_t *err = weld_cfunc_call(s, f, args, nargs, res, nres, &trap);
  if (why && (err || trap)) {
    snprintf(why, 256, "%s", err ? weld_error_message(err) : weld_trap_message(trap));
    if (is_trap) *is_trap = trap != NULL;
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    return false;
  }
  return ok(err, name) && no_trap(trap, name);
}

/* A call with scalar (or no) argument and result words: 0 if it failed. */
static uint32_t rg_call_u32(weld_store_t *s, weld_cinstance_t *inst, const char *name, const weld_cval_t *args,
                            size_t nargs) {
  weld_cval_t r;
  if (!rg_call(s, inst, name, args, nargs, &r, 1, NULL, NULL)) return 0;
  uint32_t v = r.kind == WELD_CK_U8 ? r.of.u8 : r.of.u32;
  weld_cval_drop(&r);
  return v;
}

/* An own<blob> result (NULL if the call failed or returned something else). */
static weld_resource_t *rg_call_own(weld_store_t *s, weld_cinstance_t *inst, const char *name, const weld_cval_t *args,
                                    size_t nargs) {
  weld_cval_t r;
  if (!rg_call(s, inst, name, args, nargs, &r, 1, NULL, NULL)) return NULL;
  return r.kind == WELD_CK_OWN ? r.of.resource : NULL;
}

static weld_linker_t *rg_linker(rg_host_t *h) {
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_linker_instance_t *li = NULL;
  CHECK(ok(weld_linker_instance(weld_linker_root(l), "test:res/host", &li), "instance") &&
            ok(weld_linker_resource(li, "blob", h->blob), "blob") &&
            ok(weld_linker_func(li, "[constructor]blob", rg_blob_ctor, h, NULL), "ctor") &&
            ok(weld_linker_func(li, "[method]blob.size", rg_blob_size, h, NULL), "size") &&
            ok(weld_linker_func(li, "[method]blob.get", rg_blob_get, h, NULL), "get") &&
            ok(weld_linker_func(li, "[static]blob.merge", rg_blob_merge, h, NULL), "merge") &&
            ok(weld_linker_func(li, "make-blob", rg_make_blob, h, NULL), "make-blob"),
        "res: the host defines test:res/host");
  return l;
}

static weld_cinstance_t *rg_instantiate(weld_instance_pre_t *pre, weld_store_t *s) {
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(pre && ok(weld_instance_pre_instantiate(pre, s, &inst, &trap), "instantiate") && no_trap(trap, "instantiate") && inst,
        "res: instantiate res.wasm");
  return inst;
}

/* The guest's counter type in inst (weld_cinstance_resource). */
static weld_resource_type_t *rg_counter_type(weld_cinstance_t *inst) {
  weld_export_index_t api, ctr;
  if (!weld_cinstance_export_index(inst, NULL, "test:res/api", &api) ||
      !weld_cinstance_export_index(inst, &api, "counter", &ctr))
    return NULL;
  return weld_cinstance_resource(inst, &ctr);
}

/* Host blobs and guest counters in both directions (guests/res.c, world `res`). */
static void test_res_guest(void) {
  weld_component_t *c = load("res.wasm");
  if (!c) return;
  printf("  resource guest res.wasm\n");
  rg_host_t h;
  memset(&h, 0, sizeof h);
  h.table = weld_resource_table_new();
  h.blob = weld_resource_type_new("blob", rg_blob_dtor, &h);
  weld_linker_t *l = rg_linker(&h);
  weld_instance_pre_t *pre = NULL;
  CHECK(ok(weld_linker_instantiate_pre(l, c, &pre), "pre"), "res: instantiate_pre");
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = rg_instantiate(pre, s);
  if (!inst) goto done;
  weld_cval_t a[3], r;
  uint32_t rep = 0, freed;
  char why[256];
  bool is_trap = false;

  /* --- host blobs: made by the guest, returned as own<blob> */
  a[0] = vu32(5);
  weld_resource_t *b5 = rg_call_own(s, inst, "new-blob", a, 1);
  rg_blob_t *ob = rg_blob_of(&h, b5);
  CHECK(b5 && weld_resource_is_own(b5) && weld_resource_host_type(b5) == h.blob && weld_resource_type(b5) == h.blob &&
            ob && ob->len == 5 && ob->data[4] == 4 && h.freed == 0,
        "new-blob: the guest's [constructor]blob gives the host an own<blob> with the guest's bytes");
  /* lent to the guest (a borrow argument carrying the host's own handle) */
  a[0] = rg_handle(WELD_CK_BORROW, b5), a[1] = vu32(3);
  uint32_t borrows = h.borrows;
  CHECK(rg_call_u32(s, inst, "peek", a, 2) == 3 && h.borrows == borrows + 1 && h.freed == 0,
        "peek: a borrow<blob> reaches the guest, which calls blob.get and drops the borrow");
  /* moved into the guest and dropped there: the destructor runs then, exactly once */
  ok(weld_resource_rep(b5, &rep), "rep");
  a[0] = rg_handle(WELD_CK_OWN, b5);
  CHECK(rg_call_u32(s, inst, "consume", a, 1) == 5 && h.freed == 1 && h.last_freed == rep,
        "consume: an own<blob> moved in and dropped by the guest runs the host destructor");
  /* the host's free function, passed through the guest */
  a[0] = vu32(4);
  weld_resource_t *b4 = rg_call_own(s, inst, "fetch-blob", a, 1);
  ob = rg_blob_of(&h, b4);
  CHECK(ob && ob->len == 4 && h.freed == 1, "fetch-blob: the host's make-blob result passes through the guest");
  if (b4) {
    weld_trap_t *trap = NULL;
    ok(weld_resource_rep(b4, &rep), "rep");
    CHECK(ok(weld_resource_drop(s, b4, &trap), "drop") && !trap && h.freed == 2 && h.last_freed == rep,
          "the host drops an own<blob> it got from the guest: its destructor runs");
  }
  /* [static]blob.merge: two owns into the guest, on to the host, a new own back */
  uint8_t ab[3] = {7, 8, 9};
  uint32_t ra = rg_blob_make(&h, ab, 3), rb = rg_blob_make(&h, ab + 1, 2);
  a[0] = rg_handle(WELD_CK_OWN, weld_resource_new_own(s, h.blob, ra));
  a[1] = rg_handle(WELD_CK_OWN, weld_resource_new_own(s, h.blob, rb));
  weld_resource_t *m = rg_call_own(s, inst, "merge", a, 2);
  ob = rg_blob_of(&h, m);
  CHECK(ob && ob->len == 5 && ob->data[0] == 7 && ob->data[3] == 8 && ob->data[4] == 9 && h.freed == 4,
        "merge: own<blob> both ways through a static function (freed %u)", h.freed);
  /* kept by the guest across calls, then given back: the same blob */
  ok(weld_resource_rep(m, &rep), "rep");
  a[0] = rg_handle(WELD_CK_OWN, m);
  CHECK(rg_call(s, inst, "keep", a, 1, NULL, 0, NULL, NULL) && h.freed == 4, "keep: the guest holds an own<blob>");
  CHECK(rg_call(s, inst, "give", NULL, 0, &r, 1, NULL, NULL) && r.kind == WELD_CK_OPTION && r.of.option &&
            r.of.option->kind == WELD_CK_OWN && weld_resource_host_type(r.of.option->of.resource) == h.blob,
        "give: some(own<blob>)");
  weld_resource_t *back = r.kind == WELD_CK_OPTION && r.of.option ? r.of.option->of.resource : NULL;
  uint32_t rep2 = 0;
  CHECK(back && !weld_resource_rep(back, &rep2) && rep2 == rep, "give: the blob given back is the one kept");
  if (r.kind == WELD_CK_OPTION && r.of.option) r.of.option->of.resource = NULL;
  weld_cval_drop(&r);
  CHECK(rg_call(s, inst, "give", NULL, 0, &r, 1, NULL, NULL) && r.kind == WELD_CK_OPTION && !r.of.option,
        "give: none once given");
  weld_cval_drop(&r);
  /* keep twice: the guest drops the first blob when it takes the second */
  a[0] = rg_handle(WELD_CK_OWN, back);
  rg_call(s, inst, "keep", a, 1, NULL, 0, NULL, NULL);
  a[0] = vu32(2);
  weld_resource_t *b2 = rg_call_own(s, inst, "new-blob", a, 1);
  a[0] = rg_handle(WELD_CK_OWN, b2);
  CHECK(rg_call(s, inst, "keep", a, 1, NULL, 0, NULL, NULL) && h.freed == 5 && h.last_freed == rep,
        "keep: the blob replaced in the guest is freed then");
  /* list<own<blob>> */
  weld_cval_t items[3];
  for (uint32_t i = 0; i < 3; i++)
    items[i] = rg_handle(WELD_CK_OWN, weld_resource_new_own(s, h.blob, rg_blob_make(&h, NULL, i + 1)));
  a[0] = vitems(WELD_CK_LIST, 3, items);
  CHECK(rg_call_u32(s, inst, "total", a, 1) == 6 && h.freed == 8, "total: list<own<blob>> moved in, every blob dropped");
  weld_cval_drop(&a[0]);
  a[0] = vitems(WELD_CK_LIST, 0, NULL);
  CHECK(rg_call_u32(s, inst, "total", a, 1) == 0, "total: an empty list<own<blob>>");
  weld_cval_drop(&a[0]);
  /* option<borrow<blob>> -> option<u32>, with a borrow the host made */
  rep = rg_blob_make(&h, NULL, 9);
  weld_resource_t *lent = weld_resource_new_borrow(s, h.blob, rep);
  a[0] = vsome(rg_handle(WELD_CK_BORROW, lent));
  CHECK(rg_call(s, inst, "maybe-size", a, 1, &r, 1, NULL, NULL) && r.kind == WELD_CK_OPTION && r.of.option &&
            r.of.option->of.u32 == 9,
        "maybe-size: some(borrow<blob>) -> some(9)");
  weld_cval_drop(&r);
  weld_cval_drop(&a[0]);
  a[0] = (weld_cval_t){.kind = WELD_CK_OPTION};
  CHECK(rg_call(s, inst, "maybe-size", a, 1, &r, 1, NULL, NULL) && r.kind == WELD_CK_OPTION && !r.of.option,
        "maybe-size: none -> none");
  weld_cval_drop(&r);
  freed = h.freed;
  CHECK(ok(weld_resource_drop(s, lent, NULL), "drop borrow") && h.freed == freed,
        "dropping a borrow the host made runs no destructor");
  weld_resource_t *own9 = weld_resource_new_own(s, h.blob, rep);

  /* --- guest counters */
  weld_resource_type_t *ctype = rg_counter_type(inst);
  CHECK(ctype && ctype != h.blob, "the instance exports its counter type");
  a[0] = vu32(10);
  weld_resource_t *c1 = rg_call_own(s, inst, "[constructor]counter", a, 1);
  CHECK(c1 && weld_resource_is_own(c1) && weld_resource_type(c1) == ctype && weld_resource_host_type(c1) == NULL,
        "[constructor]counter: an own<counter> of the instance's counter type");
  uint32_t dummy = 0;
  weld_error_t *err = c1 ? weld_resource_rep(c1, &dummy) : NULL;
  CHECK(err != NULL, "weld_resource_rep refuses a guest resource");
  if (err) weld_error_delete(err);
  CHECK(rg_call_u32(s, inst, "live-counters", NULL, 0) == 1, "one live counter");
  a[0] = rg_handle(WELD_CK_BORROW, c1), a[1] = vu32(5);
  CHECK(rg_call_u32(s, inst, "[method]counter.add", a, 2) == 15, "counter.add: self is the rep in the guest");
  CHECK(rg_call_u32(s, inst, "[method]counter.get", a, 1) == 15, "counter.get");
  a[1] = rg_handle(WELD_CK_BORROW, own9); /* an own handle lent as a borrow */
  CHECK(rg_call_u32(s, inst, "[method]counter.add-size", a, 2) == 24 && h.freed == freed,
        "counter.add-size: a borrow<blob> next to self; the guest drops it");
  weld_resource_t *c2 = rg_call_own(s, inst, "[method]counter.fork", a, 1);
  CHECK(c2 && c2 != c1 && weld_resource_type(c2) == ctype && rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
        "counter.fork returns a new own<counter>");
  a[1] = rg_handle(WELD_CK_BORROW, c2);
  CHECK(rg_call_u32(s, inst, "[static]counter.sum", a, 2) == 48, "counter.sum of two borrows of the guest's type");
  a[0] = vu32(100);
  weld_resource_t *c3 = rg_call_own(s, inst, "[constructor]counter", a, 1);
  CHECK(rg_call_u32(s, inst, "live-counters", NULL, 0) == 3, "three live counters");
  a[0] = rg_handle(WELD_CK_BORROW, c1), a[1] = rg_handle(WELD_CK_OWN, c3);
  CHECK(rg_call_u32(s, inst, "[method]counter.absorb", a, 2) == 124 && rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
        "counter.absorb: own<counter> of the guest's type arrives as a handle; resource.drop runs [dtor]counter");
  weld_trap_t *trap = NULL;
  CHECK(c2 && ok(weld_resource_drop(s, c2, &trap), "drop counter") && no_trap(trap, "drop counter") &&
            rg_call_u32(s, inst, "live-counters", NULL, 0) == 1,
        "the host drops an own<counter>: the guest's destructor runs");
  a[0] = vu32(1);
  weld_resource_t *c4 = rg_call_own(s, inst, "[constructor]counter", a, 1);
  weld_resource_forget(c4);
  CHECK(rg_call_u32(s, inst, "live-counters", NULL, 0) == 2, "a forgotten own<counter> runs no destructor");
  /* a forgotten own<blob>: the rep stays the host's, which may make a new handle of it */
  a[0] = vu32(3);
  weld_resource_t *b3 = rg_call_own(s, inst, "fetch-blob", a, 1);
  freed = h.freed;
  rep = 0;
  CHECK(b3 && ok(weld_resource_rep(b3, &rep), "rep"), "fetch-blob");
  weld_resource_forget(b3);
  CHECK(h.freed == freed && rg_blob_of(&h, (b3 = weld_resource_new_own(s, h.blob, rep))) != NULL,
        "a forgotten own<blob> runs no destructor; the blob is still there");
  a[0] = rg_handle(WELD_CK_OWN, b3);
  CHECK(rg_call_u32(s, inst, "consume", a, 1) == 3 && h.freed == freed + 1 && h.last_freed == rep,
        "a new own handle of the forgotten blob's rep works");

  /* --- misuse by the host: errors, and nothing runs */
  freed = h.freed;
  items[0] = rg_handle(WELD_CK_OWN, own9), items[1] = rg_handle(WELD_CK_OWN, own9);
  a[0] = vitems(WELD_CK_LIST, 2, items);
  CHECK(!rg_call(s, inst, "total", a, 1, &r, 1, why, &is_trap) && !is_trap && why[0] && h.freed == freed,
        "one own handle passed twice in a call is an error: %s", why);
  weld_cval_drop(&a[0]);
  /* regression: an own also lent as a borrow in the same call reached the guest, which
   * dropped the own (running the destructor) and then used the borrow */
  a[0] = rg_handle(WELD_CK_BORROW, c1), a[1] = rg_handle(WELD_CK_OWN, c1);
  CHECK(!rg_call(s, inst, "[method]counter.absorb", a, 2, &r, 1, why, &is_trap) && !is_trap &&
            strstr(why, "as an own and as a borrow") && rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
        "one handle passed as own and as borrow in a call is an error: %s", why);
  if (is_trap) goto done; /* c1 was consumed and the instance poisoned: nothing below can work */
  a[0] = rg_handle(WELD_CK_OWN, c1);
  CHECK(!rg_call(s, inst, "consume", a, 1, &r, 1, why, &is_trap) && !is_trap && strstr(why, "guest-defined") &&
            rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
        "a counter where a blob is expected is an error: %s", why);
  weld_resource_type_t *other = weld_resource_type_new("blob", NULL, NULL);
  weld_resource_t *fake = weld_resource_new_own(s, other, 1);
  a[0] = rg_handle(WELD_CK_BORROW, fake), a[1] = vu32(0);
  borrows = h.borrows;
  CHECK(!rg_call(s, inst, "peek", a, 2, &r, 1, why, &is_trap) && !is_trap && strstr(why, "a different") &&
            h.borrows == borrows,
        "a blob of another host type of the same name is an error: %s", why);
  weld_resource_forget(fake);
  weld_resource_type_delete(other);
  /* a counter of a second instance of the same component: a distinct type */
  weld_cinstance_t *inst2 = rg_instantiate(pre, s);
  weld_resource_type_t *ctype2 = inst2 ? rg_counter_type(inst2) : NULL;
  CHECK(ctype2 && ctype2 != ctype, "a second instance has its own counter type");
  a[0] = vu32(7);
  weld_resource_t *d1 = inst2 ? rg_call_own(s, inst2, "[constructor]counter", a, 1) : NULL;
  CHECK(d1 && weld_resource_type(d1) == ctype2 && weld_resource_type(d1) != ctype,
        "the second instance's counter has the second type");
  if (d1) {
    a[0] = rg_handle(WELD_CK_BORROW, d1), a[1] = vu32(1);
    CHECK(!rg_call(s, inst, "[method]counter.add", a, 2, &r, 1, why, &is_trap) && !is_trap && why[0],
          "self of the second instance's counter is an error in the first: %s", why);
    a[0] = rg_handle(WELD_CK_BORROW, c1), a[1] = rg_handle(WELD_CK_OWN, d1);
    CHECK(!rg_call(s, inst, "[method]counter.absorb", a, 2, &r, 1, why, &is_trap) && !is_trap && why[0] &&
              rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
          "own<counter> of the second instance is an error in the first: %s", why);
    a[0] = rg_handle(WELD_CK_BORROW, d1), a[1] = vu32(1);
    CHECK(rg_call_u32(s, inst2, "[method]counter.add", a, 2) == 8 && rg_call_u32(s, inst2, "live-counters", NULL, 0) == 1,
          "after the errors the counter still works in its own instance");
    CHECK(ok(weld_resource_drop(s, d1, &trap), "drop d1") && no_trap(trap, "drop d1") &&
              rg_call_u32(s, inst2, "live-counters", NULL, 0) == 0 && rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
          "dropping it runs the destructor of its own instance only");
  }
  /* a guest counter dropped by a host function while the guest is on the stack traps (the
   * destructor cannot enter the instance); a borrow dropped inside a call is no misuse */
  a[0] = vu32(3);
  h.drop_in_call = rg_call_own(s, inst, "[constructor]counter", a, 1);
  a[0] = rg_handle(WELD_CK_BORROW, c1), a[1] = rg_handle(WELD_CK_BORROW, own9);
  CHECK(rg_call_u32(s, inst, "[method]counter.add-size", a, 2) == 133 && !h.drop_in_call &&
            strstr(h.drop_in_call_msg, "cannot enter component instance"),
        "dropping an own<counter> from inside the guest's call traps: %s", h.drop_in_call_msg);
  CHECK(rg_call_u32(s, inst, "live-counters", NULL, 0) == 3, "... and runs no destructor");
  if (c1) {
    CHECK(ok(weld_resource_drop(s, c1, &trap), "drop c1") && no_trap(trap, "drop c1") &&
              rg_call_u32(s, inst, "live-counters", NULL, 0) == 2,
          "the last host own<counter> dropped");
  }
  freed = h.freed;
  CHECK(ok(weld_resource_drop(s, own9, &trap), "drop own9") && !trap && h.freed == freed + 1,
        "the host's own blob, lent four times, dropped by the host");

  /* --- misuse by the guest: traps, each in a fresh instance (a trap poisons it) */
  static const struct {
    uint32_t how;
    const char *want;
  } bad[] = {
      {0, "unknown handle index"},
      {1, "borrow handles still remain"},
      {3, "unknown handle index"},
      {4, "wrong type"},
      {5, "unknown handle index"},
      {6, "is a borrow where an owned handle was expected"},
      {7, "wrong type"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    weld_cinstance_t *gi = rg_instantiate(pre, s);
    if (!gi) break;
    rep = rg_blob_make(&h, NULL, 1);
    weld_resource_t *lend = weld_resource_new_own(s, h.blob, rep);
    a[0] = vu32(bad[i].how);
    a[1] = vsome(rg_handle(WELD_CK_BORROW, lend));
    if (bad[i].how == 3) { /* the borrow of an earlier call, used in a later one */
      a[0] = vu32(2);
      CHECK(rg_call(s, gi, "misuse", a, 2, &r, 1, NULL, NULL), "misuse 2: the guest remembers a borrow index");
      weld_cval_drop(&a[1]);
      a[0] = vu32(3);
      a[1] = (weld_cval_t){.kind = WELD_CK_OPTION};
    }
    CHECK(!rg_call(s, gi, "misuse", a, 2, &r, 1, why, &is_trap) && is_trap && strstr(why, bad[i].want),
          "misuse %u traps with \"%s\": %s", bad[i].how, bad[i].want, why);
    freed = h.freed;
    CHECK(!rg_call(s, gi, "live-counters", NULL, 0, &r, 1, why, &is_trap) && is_trap && strstr(why, "trapped earlier"),
          "misuse %u: the instance cannot be entered again: %s", bad[i].how, why);
    weld_cval_drop(&a[1]);
    CHECK(rg_blob_of(&h, lend) && ok(weld_resource_drop(s, lend, &trap), "drop lend") && !trap && h.freed == freed + 1,
          "misuse %u: the lent blob is still the host's", bad[i].how);
  }

done:
  weld_store_delete(s);
  /* blobs still owned by handles in the deleted instances' tables were never dropped */
  uint32_t left = 0;
  for (uint32_t i = 0; i < h.nall; i++)
    if (h.all[i]) {
      left++;
      free(h.all[i]->data);
      free(h.all[i]);
    }
  CHECK(left == 2, "res: the blob kept by the guest and one left in a trapped instance were not freed (%u)", left);
  weld_instance_pre_delete(pre);
  weld_linker_delete(l);
  weld_resource_type_delete(h.blob);
  weld_resource_table_delete(h.table);
  weld_component_delete(c);
}

/* ---------------------------------------------------------------- HOST.md host (host.wat) */

typedef struct res_host {
  weld_resource_type_t *r1, *r2;
  uint32_t drops, last_drop;
  weld_module_t *simple;
} res_host_t;

static void r1_dtor(void *env, uint32_t rep) {
  res_host_t *h = env;
  h->drops++;
  h->last_drop = rep;
}
static void never_dtor(void *env, uint32_t rep) {
  (void)rep;
  int *n = env;
  (*n)++;
}

static weld_trap_t *ret_u32(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = (uint64_t)(uintptr_t)env;
  return NULL;
}

static weld_trap_t *ret_hi(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                           size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  return weld_cval_string(&results[0], "hi", 2) ? NULL : weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "oom");
}

static weld_trap_t *r1_ctor(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                            size_t nresults) {
  (void)nargs, (void)nresults;
  res_host_t *h = env;
  results[0].of.resource = weld_resource_new_own(weld_ccaller_store(caller), h->r1, args[0].of.u32);
  return results[0].of.resource ? NULL : weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "oom");
}

static weld_trap_t *r1_assert(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                              size_t nresults) {
  (void)caller, (void)nargs, (void)results, (void)nresults;
  res_host_t *h = env;
  uint32_t rep = 0;
  weld_resource_t *r = args[0].of.resource;
  bool good = args[0].kind == WELD_CK_OWN && weld_resource_is_own(r) && weld_resource_host_type(r) == h->r1 &&
              !weld_resource_rep(r, &rep) && rep == args[1].of.u32;
  weld_resource_forget(r);
  return good ? NULL : weld_trap_new(WELD_TRAP_HOST, "resource1.assert failed");
}

static weld_trap_t *r1_simple(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                              size_t nresults) {
  (void)caller, (void)nargs, (void)results, (void)nresults;
  res_host_t *h = env;
  uint32_t rep = 0;
  weld_resource_t *r = args[0].of.resource;
  bool good = args[0].kind == WELD_CK_BORROW && !weld_resource_is_own(r) && weld_resource_host_type(r) == h->r1 &&
              !weld_resource_rep(r, &rep) && rep == args[1].of.u32;
  return good ? NULL : weld_trap_new(WELD_TRAP_HOST, "resource1.simple failed");
}

static weld_trap_t *r1_take_borrow(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                   weld_cval_t *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)results, (void)nresults;
  return args[0].kind == WELD_CK_BORROW && args[1].kind == WELD_CK_BORROW && !weld_resource_is_own(args[0].of.resource) &&
                 !weld_resource_is_own(args[1].of.resource)
             ? NULL
             : weld_trap_new(WELD_TRAP_HOST, "resource1.take-borrow: not two borrows");
}

static weld_trap_t *r1_take_own(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  (void)env, (void)nargs, (void)results, (void)nresults;
  bool good = args[0].kind == WELD_CK_BORROW && args[1].kind == WELD_CK_OWN && weld_resource_is_own(args[1].of.resource);
  weld_trap_t *trap = NULL;
  if (args[1].kind == WELD_CK_OWN) weld_resource_drop(weld_ccaller_store(caller), args[1].of.resource, &trap);
  if (trap) return trap;
  return good ? NULL : weld_trap_new(WELD_TRAP_HOST, "resource1.take-own: not a borrow and an own");
}

static weld_trap_t *r1_drops(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = ((res_host_t *)env)->drops;
  return NULL;
}
static weld_trap_t *r1_last(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = ((res_host_t *)env)->last_drop;
  return NULL;
}

/* The host of shared/testsuite/HOST.md (the parts a synchronous runtime uses). */
static weld_linker_t *host_linker_ex(res_host_t *h, bool *good_out) {
  weld_linker_t *l = weld_linker_new(g_engine);
  if (!l) {
    *good_out = false;
    return NULL;
  }
  weld_linker_instance_t *root = weld_linker_root(l), *host, *nested;
  weld_ckind_t u32 = WELD_CK_U32;
  bool good = ok(weld_linker_func_flat(root, "host-return-two", NULL, 0, &u32, 1, ret_u32, (void *)2, NULL), "two") &&
              ok(weld_linker_instance(root, "host", &host), "host") &&
              ok(weld_linker_func_flat(host, "return-three", NULL, 0, &u32, 1, ret_u32, (void *)3, NULL), "three") &&
              ok(weld_linker_func(host, "return-hi", ret_hi, NULL, NULL), "hi") &&
              ok(weld_linker_instance(host, "nested", &nested), "nested") &&
              ok(weld_linker_func_flat(nested, "return-four", NULL, 0, &u32, 1, ret_u32, (void *)4, NULL), "four") &&
              ok(weld_linker_module(host, "simple-module", h->simple), "module") &&
              ok(weld_linker_resource(host, "resource1", h->r1), "r1") &&
              ok(weld_linker_resource(host, "resource2", h->r2), "r2") &&
              ok(weld_linker_resource(host, "resource1-again", h->r1), "r1 again") &&
              ok(weld_linker_func(host, "[constructor]resource1", r1_ctor, h, NULL), "ctor") &&
              ok(weld_linker_func(host, "[static]resource1.assert", r1_assert, h, NULL), "assert") &&
              ok(weld_linker_func_flat(host, "[static]resource1.last-drop", NULL, 0, &u32, 1, r1_last, h, NULL), "last") &&
              ok(weld_linker_func_flat(host, "[static]resource1.drops", NULL, 0, &u32, 1, r1_drops, h, NULL), "drops") &&
              ok(weld_linker_func(host, "[method]resource1.simple", r1_simple, h, NULL), "simple") &&
              ok(weld_linker_func(host, "[method]resource1.take-borrow", r1_take_borrow, h, NULL), "take-borrow") &&
              ok(weld_linker_func(host, "[method]resource1.take-own", r1_take_own, h, NULL), "take-own");
  *good_out = good;
  return l;
}

static weld_linker_t *host_linker(res_host_t *h, int *never) {
  bool good;
  (void)never;
  weld_linker_t *l = host_linker_ex(h, &good);
  CHECK(good, "host linker defined");
  return l;
}

static bool call_u32(weld_store_t *s, weld_cinstance_t *inst, const char *name, const uint32_t *arg, uint32_t *out) {
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, name);
  if (!f) {
    printf("  no export %s\n", name);
    return false;
  }
  weld_cval_t a = {.kind = WELD_CK_U32}, r;
  if (arg) a.of.u32 = *arg;
  weld_trap_t *trap = NULL;
  if (!ok(weld_cfunc_call(s, f, &a, arg ? 1 : 0, &r, 1, &trap), name) || !no_trap(trap, name)) return false;
  *out = r.of.u32;
  return true;
}

static void test_host(void) {
  weld_component_t *c = load("host.wasm");
  if (!c) return;
  res_host_t h;
  memset(&h, 0, sizeof h);
  int never = 0;
  h.r1 = weld_resource_type_new("resource1", r1_dtor, &h);
  h.r2 = weld_resource_type_new("resource2", never_dtor, &never);
  const char *wat = "(module (global (export \"g\") i32 (i32.const 100)) (func (export \"f\") (result i32) (i32.const 101)))";
  uint8_t *bin = NULL;
  size_t len = 0;
  CHECK(ok(weld_wat_to_wasm(wat, strlen(wat), &bin, &len), "wat") && ok(weld_module_new(g_engine, bin, len, &h.simple), "module"),
        "simple-module");
  weld_free_bytes(bin, len);
  weld_linker_t *l = host_linker(&h, &never);
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l, s, c, &inst, &trap), "instantiate") && no_trap(trap, "instantiate") && inst,
        "instantiate host.wasm");
  if (inst) {
    uint32_t r = 0, rep = 42;
    CHECK(call_u32(s, inst, "sum", NULL, &r) && r == 9, "two + three + nested four = 9 (%u)", r);
    CHECK(call_u32(s, inst, "hi", NULL, &r) && r == 2000 + 'h', "return-hi through memory (%u)", r);
    CHECK(call_u32(s, inst, "module", NULL, &r) && r == 201, "imported core module instantiated (%u)", r);
    CHECK(call_u32(s, inst, "resources", &rep, &r) && r == 1000 + 43 && h.drops == 1 && h.last_drop == 43,
          "host resource: ctor, borrow, own moved to host, drop runs the destructor (%u)", r);
    /* an own handle made by the host, given to the guest, dropped there */
    weld_cval_t a = {.kind = WELD_CK_OWN};
    a.of.resource = weld_resource_new_own(s, h.r1, 7);
    weld_cfunc_t *take = weld_cinstance_func_by_name(inst, "take");
    CHECK(take && ok(weld_cfunc_call(s, take, &a, 1, NULL, 0, &trap), "take") && no_trap(trap, "take") && h.drops == 2 &&
              h.last_drop == 7,
          "host own passed to the guest and dropped there");
    /* an own made in the guest, returned to the host, dropped by the host */
    weld_cfunc_t *make = weld_cinstance_func_by_name(inst, "make");
    weld_cval_t m = {.kind = WELD_CK_U32}, res;
    m.of.u32 = 9;
    CHECK(make && ok(weld_cfunc_call(s, make, &m, 1, &res, 1, &trap), "make") && no_trap(trap, "make") &&
              res.kind == WELD_CK_OWN && weld_resource_host_type(res.of.resource) == h.r1,
          "guest returns an own host resource");
    if (res.kind == WELD_CK_OWN && res.of.resource) {
      uint32_t rp = 0;
      CHECK(!weld_resource_rep(res.of.resource, &rp) && rp == 9, "its rep");
      CHECK(ok(weld_resource_drop(s, res.of.resource, &trap), "drop") && !trap && h.drops == 3 && h.last_drop == 9,
            "host drop runs the destructor");
    }
    /* wrong resource type: resource2 handle where resource1 is expected */
    a.kind = WELD_CK_OWN;
    a.of.resource = weld_resource_new_own(s, h.r2, 1);
    weld_error_t *err = weld_cfunc_call(s, take, &a, 1, NULL, 0, &trap);
    CHECK(err && !trap, "a handle of another resource type is an error");
    if (err) weld_error_delete(err);
    weld_resource_forget(a.of.resource);
    /* nested export paths and export indices */
    weld_export_index_t again, three, nest, four;
    CHECK(weld_cinstance_export_index(inst, NULL, "again", &again) &&
              weld_cinstance_export_index(inst, &again, "return-three", &three) &&
              weld_cinstance_export_index(inst, &again, "nested", &nest) &&
              weld_cinstance_export_index(inst, &nest, "return-four", &four),
          "export indices of nested instances");
    weld_cfunc_t *f4 = weld_cinstance_func(inst, &four);
    uint64_t w = 0;
    CHECK(f4 && ok(weld_cfunc_call_flat(s, f4, NULL, &w, &trap), "four") && !trap && w == 4,
          "a re-exported host function in a nested instance");
    CHECK(weld_cinstance_func_by_name(inst, "again#nested#return-four") == f4, "lookup by path");
    CHECK(weld_cinstance_func(inst, &nest) == NULL, "an instance is not a function");
    CHECK(!weld_cinstance_export_index(inst, NULL, "nope", &nest), "unknown export");
    const weld_ctype_t *t = weld_cinstance_export_type(inst, &nest);
    CHECK(t && weld_ctype_kind(t) == WELD_CTYPE_INSTANCE && weld_ctype_count(t) == 1 &&
              strcmp(weld_ctype_name(t, 0), "return-four") == 0,
          "type of a nested instance export");
  }
  weld_store_delete(s);
  CHECK(never == 0, "the destructor of resource2 never ran");
  weld_linker_delete(l);
  weld_resource_type_delete(h.r1);
  weld_resource_type_delete(h.r2);
  weld_module_delete(h.simple);
  weld_component_delete(c);
}

/* ---------------------------------------------------------------- nested components (nested.wat) */

typedef struct nest_host {
  uint32_t log[16];
  int nlog;
  weld_store_t *s;
  weld_cinstance_t *inst;
  char last_trap[256];
} nest_host_t;

static weld_trap_t *nest_log(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)results;
  nest_host_t *h = env;
  if (h->nlog < 16) h->log[h->nlog++] = (uint32_t)args[0];
  return NULL;
}

static weld_trap_t *nest_cb(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  nest_host_t *h = env;
  weld_cfunc_t *f = weld_cinstance_func_by_name(h->inst, args[0] == 0 ? "seven" : "a#bump");
  weld_trap_t *trap = NULL;
  weld_error_t *err = weld_cfunc_call_flat(weld_ccaller_store(caller), f, NULL, results, &trap);
  if (err) {
    weld_error_delete(err);
    return weld_trap_new(WELD_TRAP_HOST, "callback error");
  }
  if (trap) snprintf(h->last_trap, sizeof h->last_trap, "%s", weld_trap_message(trap));
  return trap;
}

static bool call1(weld_store_t *s, weld_cinstance_t *inst, const char *name, weld_cval_t *arg, weld_cval_t *res,
                  weld_trap_t **trap) {
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, name);
  if (!f) {
    printf("  no export %s\n", name);
    return false;
  }
  const weld_ctype_t *t = weld_cfunc_type(f);
  return ok(weld_cfunc_call(s, f, arg, arg ? 1 : 0, res, weld_ctype_result_count(t), trap), name);
}

static void test_nested(void) {
  weld_component_t *c = load("nested.wasm");
  if (!c) return;
  nest_host_t h;
  memset(&h, 0, sizeof h);
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_ckind_t u32 = WELD_CK_U32;
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l), "log", &u32, 1, NULL, 0, nest_log, &h, NULL), "log") &&
            ok(weld_linker_func_flat(weld_linker_root(l), "call-back", &u32, 1, &u32, 1, nest_cb, &h, NULL), "cb"),
        "define nested host");
  weld_store_t *s = weld_store_new(g_engine);
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l, s, c, &h.inst, &trap), "instantiate") && no_trap(trap, "instantiate") && h.inst,
        "instantiate nested.wasm");
  weld_cinstance_t *inst = h.inst;
  if (inst) {
    uint32_t r = 0;
    CHECK(call_u32(s, inst, "a#bump", NULL, &r) && r == 1, "a#bump 1");
    CHECK(call_u32(s, inst, "a#bump", NULL, &r) && r == 2, "a#bump 2");
    CHECK(call_u32(s, inst, "b#bump", NULL, &r) && r == 1, "b#bump: each inner instance has its own core instance");
    weld_cval_t arg = {.kind = WELD_CK_U32}, res;
    arg.of.u32 = 5;
    CHECK(call1(s, inst, "a#[constructor]r", &arg, &res, &trap) && no_trap(trap, "ctor") && res.kind == WELD_CK_OWN,
          "guest resource constructor");
    weld_resource_t *ra = res.kind == WELD_CK_OWN ? res.of.resource : NULL;
    CHECK(ra && weld_resource_host_type(ra) == NULL, "a guest resource has no host type");
    uint32_t rep;
    weld_error_t *err = ra ? weld_resource_rep(ra, &rep) : NULL;
    CHECK(err != NULL, "rep of a guest resource is an error for the host");
    if (err) weld_error_delete(err);
    if (ra) {
      weld_cval_t b = {.kind = WELD_CK_BORROW};
      b.of.resource = ra;
      CHECK(call1(s, inst, "a#[method]r.get", &b, &res, &trap) && no_trap(trap, "get") && res.of.u32 == 5,
            "method with a borrow of the guest resource");
      weld_cval_t o = {.kind = WELD_CK_OWN};
      o.of.resource = ra;
      weld_cfunc_t *bconsume = weld_cinstance_func_by_name(inst, "b#[static]r.consume");
      err = weld_cfunc_call(s, bconsume, &o, 1, &res, 1, &trap);
      CHECK(err && !trap, "a's resource is not b's resource (each instance defines its own type)");
      if (err) weld_error_delete(err);
      CHECK(call1(s, inst, "a#[static]r.consume", &o, &res, &trap) && no_trap(trap, "consume") && res.of.u32 == 5 &&
                h.nlog == 1 && h.log[0] == 1005,
            "own moved into the guest and dropped: the guest destructor ran");
    }
    arg.of.u32 = 6;
    CHECK(call1(s, inst, "a#[constructor]r", &arg, &res, &trap) && no_trap(trap, "ctor") && res.kind == WELD_CK_OWN,
          "another");
    if (res.kind == WELD_CK_OWN) {
      CHECK(ok(weld_resource_drop(s, res.of.resource, &trap), "drop") && no_trap(trap, "drop") && h.nlog == 2 &&
                h.log[1] == 1006,
            "the host drops a guest resource: the guest destructor ran");
    }
    uint32_t which = 1;
    CHECK(call_u32(s, inst, "reenter", &which, &r) && r == 3, "a host callback may enter another instance (%u)", r);
    weld_cfunc_t *re = weld_cinstance_func_by_name(inst, "reenter");
    weld_cval_t w0 = {.kind = WELD_CK_U32};
    w0.of.u32 = 0;
    err = weld_cfunc_call(s, re, &w0, 1, &res, 1, &trap);
    CHECK(!err && trap && strstr(h.last_trap, "cannot enter component instance"),
          "a host callback into the calling instance traps: '%s'", h.last_trap);
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    weld_cfunc_t *seven = weld_cinstance_func_by_name(inst, "seven");
    uint64_t w = 0;
    err = weld_cfunc_call_flat(s, seven, NULL, &w, &trap);
    CHECK(!err && trap, "after a trap the instance cannot be entered again");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
  }
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);
}

/* ---------------------------------------------------------------- --script (dev_exec.py) */

static int hexval(int c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; }

/* "-" or hex -> NUL-terminated bytes (in buf); length in *n */
static bool unhex(const char *h, char *buf, size_t cap, size_t *n) {
  *n = 0;
  if (strcmp(h, "-") == 0) {
    buf[0] = 0;
    return true;
  }
  size_t len = strlen(h);
  if (len % 2 || len / 2 >= cap) return false;
  for (size_t i = 0; i < len; i += 2) {
    int a = hexval(h[i]), b = hexval(h[i + 1]);
    if (a < 0 || b < 0) return false;
    buf[(*n)++] = (char)(a * 16 + b);
  }
  buf[*n] = 0;
  return true;
}

/* Parses token *i (and following) as a value of type t. */
static bool parse_val(char **tok, int ntok, int *i, const weld_ctype_t *t, weld_cval_t *out) {
  memset(out, 0, sizeof *out);
  if (*i >= ntok || !t) return false;
  char *k = tok[(*i)++];
  char *colon = strchr(k, ':');
  if (!colon) return false;
  *colon = 0;
  char *v = colon + 1;
  weld_ckind_t want = weld_ctype_kind(t);
  char buf[4096];
  size_t n;
  if (!strcmp(k, "str")) {
    if (!unhex(v, buf, sizeof buf, &n)) return false;
    return want == WELD_CK_STRING && weld_cval_string(out, buf, n);
  }
  if (!strcmp(k, "enum") || !strcmp(k, "variant")) {
    char *c2 = strchr(v, ':');
    if (c2) *c2 = 0;
    if (!unhex(v, buf, sizeof buf, &n)) return false;
    size_t idx = SIZE_MAX;
    for (size_t j = 0; j < weld_ctype_count(t); j++)
      if (weld_ctype_name(t, j) && strcmp(weld_ctype_name(t, j), buf) == 0) idx = j;
    if (idx == SIZE_MAX) return false;
    out->kind = want;
    if (want == WELD_CK_ENUM) {
      out->of.index = (uint32_t)idx;
      return true;
    }
    if (want != WELD_CK_VARIANT) return false;
    out->of.variant.index = (uint32_t)idx;
    if (c2 && atoi(c2 + 1)) {
      weld_cval_t p;
      if (!parse_val(tok, ntok, i, weld_ctype_member(t, idx), &p)) return false;
      weld_cval_box(&out->of.variant.payload, &p);
    }
    return true;
  }
  if (!strcmp(k, "tuple") || !strcmp(k, "list") || !strcmp(k, "record")) {
    size_t cnt = (size_t)atol(v);
    if (!weld_cval_items(out, want, cnt)) return false;
    for (size_t j = 0; j < cnt; j++)
      if (!parse_val(tok, ntok, i, weld_ctype_member(t, want == WELD_CK_LIST ? 0 : j), &out->of.items.ptr[j])) return false;
    return true;
  }
  long long x = atoll(v);
  static const struct { const char *n; weld_ckind_t k; } prims[] = {
      {"bool", WELD_CK_BOOL}, {"s8", WELD_CK_S8}, {"u8", WELD_CK_U8}, {"s16", WELD_CK_S16}, {"u16", WELD_CK_U16},
      {"s32", WELD_CK_S32}, {"u32", WELD_CK_U32}, {"s64", WELD_CK_S64}, {"u64", WELD_CK_U64}, {"char", WELD_CK_CHAR}};
  for (size_t j = 0; j < sizeof prims / sizeof *prims; j++)
    if (!strcmp(k, prims[j].n)) {
      out->kind = prims[j].k;
      switch (prims[j].k) {
      case WELD_CK_BOOL: out->of.b = x != 0; break;
      case WELD_CK_S8: out->of.s8 = (int8_t)x; break;
      case WELD_CK_U8: out->of.u8 = (uint8_t)x; break;
      case WELD_CK_S16: out->of.s16 = (int16_t)x; break;
      case WELD_CK_U16: out->of.u16 = (uint16_t)x; break;
      case WELD_CK_S32: out->of.s32 = (int32_t)x; break;
      case WELD_CK_U32: out->of.u32 = (uint32_t)x; break;
      case WELD_CK_S64: out->of.s64 = (int64_t)x; break;
      case WELD_CK_U64: out->of.u64 = (uint64_t)strtoull(v, NULL, 10); break;
      default: out->of.ch = (uint32_t)x; break;
      }
      return true;
    }
  return false;
}

#define MAX_NAMED 64
typedef struct script {
  weld_store_t *s;
  weld_linker_t *l;
  res_host_t h;
  int never;
  weld_cinstance_t *cur;
  struct { char name[64]; weld_component_t *c; } defs[MAX_NAMED];
  int ndefs;
  weld_component_t *owned[1024];
  int nowned;
  int pass, fail;
} script_t;

static void sfail(script_t *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sfail(script_t *sc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("FAIL ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  sc->fail++;
}

/* 0 ok, 1 compile error, 2 link error, 3 trap */
static int script_inst(script_t *sc, weld_component_t *c, weld_cinstance_t **out, char *msg, size_t cap) {
  weld_trap_t *trap = NULL;
  weld_error_t *err = weld_linker_instantiate(sc->l, sc->s, c, out, &trap);
  if (err) {
    snprintf(msg, cap, "%s", weld_error_message(err));
    weld_error_delete(err);
    return 2;
  }
  if (trap) {
    snprintf(msg, cap, "%s", weld_trap_message(trap));
    weld_trap_delete(trap);
    return 3;
  }
  return 0;
}

static weld_component_t *script_load(script_t *sc, const char *path, char *msg, size_t cap) {
  weld_component_t *c = NULL;
  weld_error_t *err = weld_component_from_file(g_engine, path, &c);
  if (err) {
    snprintf(msg, cap, "%s", weld_error_message(err));
    weld_error_delete(err);
    return NULL;
  }
  if (sc->nowned < 1024) sc->owned[sc->nowned++] = c;
  return c;
}

static void script_invoke(script_t *sc, int line, char **tok, int ntok, bool expect_trap) {
  char name[512];
  size_t n;
  if (!sc->cur) {
    sfail(sc, "line %d: no instance", line);
    return;
  }
  if (!unhex(tok[2], name, sizeof name, &n)) {
    sfail(sc, "line %d: bad name", line);
    return;
  }
  weld_cfunc_t *f = weld_cinstance_func_by_name(sc->cur, name);
  if (!f) {
    sfail(sc, "line %d: no export `%s`", line, name);
    return;
  }
  const weld_ctype_t *ft = weld_cfunc_type(f);
  size_t np = weld_ctype_count(ft), nr = weld_ctype_result_count(ft);
  weld_cval_t args[32], res[1], want[1];
  int i = 3;
  size_t na = 0;
  bool good = np <= 32;
  for (; good && na < np; na++) good = parse_val(tok, ntok, &i, weld_ctype_member(ft, na), &args[na]);
  bool has_arrow = i < ntok && strcmp(tok[i], "->") == 0;
  if (has_arrow) i++;
  bool has_want = false;
  if (good && !expect_trap && nr && i < ntok) {
    good = parse_val(tok, ntok, &i, weld_ctype_result(ft, 0), &want[0]);
    has_want = good;
  }
  if (!good) {
    sfail(sc, "line %d: cannot build the values of `%s`", line, name);
  } else {
    weld_trap_t *trap = NULL;
    memset(res, 0, sizeof res);
    weld_error_t *err = weld_cfunc_call(sc->s, f, args, np, res, nr, &trap);
    if (err) {
      sfail(sc, "line %d: %s: error %s", line, name, weld_error_message(err));
      weld_error_delete(err);
    } else if (expect_trap) {
      if (trap) sc->pass++;
      else sfail(sc, "line %d: %s: expected a trap", line, name);
      if (!trap && nr) weld_cval_drop(&res[0]);
    } else if (trap) {
      sfail(sc, "line %d: %s: trapped: %s", line, name, weld_trap_message(trap));
    } else {
      if (has_want && !cval_eq(&res[0], &want[0])) sfail(sc, "line %d: %s: wrong result", line, name);
      else sc->pass++;
      if (nr) weld_cval_drop(&res[0]);
    }
    if (trap) weld_trap_delete(trap);
  }
  for (size_t k = 0; k < na; k++) weld_cval_drop(&args[k]);
  if (has_want) weld_cval_drop(&want[0]);
}

static int run_script(const char *file) {
  FILE *fp = fopen(file, "r");
  if (!fp) return 2;
  script_t *sc = calloc(1, sizeof *sc);
  sc->s = weld_store_new(g_engine);
  sc->h.r1 = weld_resource_type_new("resource1", r1_dtor, &sc->h);
  sc->h.r2 = weld_resource_type_new("resource2", never_dtor, &sc->never);
  const char *wat = "(module (global (export \"g\") i32 (i32.const 100)) (func (export \"f\") (result i32) (i32.const 101)))";
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_wat_to_wasm(wat, strlen(wat), &bin, &len);
  weld_module_new(g_engine, bin, len, &sc->h.simple);
  weld_free_bytes(bin, len);
  sc->l = host_linker(&sc->h, &sc->never);
  char line[65536];
  while (fgets(line, sizeof line, fp)) {
    char *tok[4096];
    int ntok = 0;
    for (char *p = strtok(line, " \n"); p && ntok < 4096; p = strtok(NULL, " \n")) tok[ntok++] = p;
    if (!ntok) continue;
    char msg[512] = "";
    if (!strcmp(tok[0], "component") || !strcmp(tok[0], "definition")) {
      weld_component_t *c = script_load(sc, tok[1], msg, sizeof msg);
      if (!c) {
        sfail(sc, "%s %s: compile error: %s", tok[0], tok[2], msg);
        if (!strcmp(tok[0], "component")) sc->cur = NULL;
        continue;
      }
      if (!strcmp(tok[0], "definition")) {
        if (sc->ndefs < MAX_NAMED) {
          snprintf(sc->defs[sc->ndefs].name, 64, "%s", tok[2]);
          sc->defs[sc->ndefs++].c = c;
        }
        continue;
      }
      if (ntok > 2 && strcmp(tok[2], "-") && sc->ndefs < MAX_NAMED) {
        snprintf(sc->defs[sc->ndefs].name, 64, "%s", tok[2]);
        sc->defs[sc->ndefs++].c = c;
      }
      int r = script_inst(sc, c, &sc->cur, msg, sizeof msg);
      if (r) {
        sfail(sc, "component %s: %s: %s", tok[1], r == 3 ? "trap" : "link error", msg);
        sc->cur = NULL;
      } else {
        sc->pass++;
        /* a named component instance can be imported by later components under its name */
        if (ntok > 2 && tok[2][0] == '$') {
          weld_linker_allow_shadowing(sc->l, true);
          weld_error_t *e = weld_linker_instance_from(weld_linker_root(sc->l), tok[2] + 1, sc->cur);
          if (e) weld_error_delete(e);
        }
      }
    } else if (!strcmp(tok[0], "instance")) {
      weld_component_t *c = NULL;
      for (int k = 0; k < sc->ndefs; k++)
        if (!strcmp(sc->defs[k].name, tok[2])) c = sc->defs[k].c;
      if (!c) {
        sfail(sc, "instance %s: unknown definition %s", tok[1], tok[2]);
        continue;
      }
      int r = script_inst(sc, c, &sc->cur, msg, sizeof msg);
      if (r) {
        sfail(sc, "instance %s: %s", tok[1], msg);
        sc->cur = NULL;
      } else {
        sc->pass++;
      }
    } else if (!strcmp(tok[0], "return") || !strcmp(tok[0], "trap")) {
      script_invoke(sc, atoi(tok[1]), tok, ntok, tok[0][0] == 't');
    } else if (!strcmp(tok[0], "unlinkable") || !strcmp(tok[0], "trapinst") || !strcmp(tok[0], "invalid")) {
      int ln = atoi(tok[1]);
      weld_component_t *c = script_load(sc, tok[2], msg, sizeof msg);
      if (!c) {
        if (tok[0][0] == 'i') sc->pass++;
        else sfail(sc, "line %d: compile error instead of %s: %s", ln, tok[0], msg);
        continue;
      }
      if (tok[0][0] == 'i') {
        sfail(sc, "line %d: expected invalid, compiled", ln);
        continue;
      }
      weld_cinstance_t *inst = NULL;
      int r = script_inst(sc, c, &inst, msg, sizeof msg);
      if ((tok[0][0] == 'u' && (r == 2 || r == 3)) || (tok[0][0] == 't' && r == 3)) sc->pass++;
      else sfail(sc, "line %d: %s expected, got %s %s", ln, tok[0], r == 0 ? "success" : r == 2 ? "link error" : "trap", msg);
    } else if (!strcmp(tok[0], "jcoerror")) {
      /* not counted */
    }
  }
  fclose(fp);
  weld_store_delete(sc->s);
  weld_linker_delete(sc->l);
  for (int k = 0; k < sc->nowned; k++) weld_component_delete(sc->owned[k]);
  weld_resource_type_delete(sc->h.r1);
  weld_resource_type_delete(sc->h.r2);
  weld_module_delete(sc->h.simple);
  printf("%d passed, %d failed\n", sc->pass, sc->fail);
  int rc = sc->fail != 0;
  free(sc);
  return rc;
}

/* ---------------------------------------------------------------- API details */

static void test_api_misc(void) {
  /* reflection */
  weld_component_t *c = load("echo.wasm");
  if (c) {
    const weld_ctype_t *ct = weld_component_type(c);
    CHECK(weld_ctype_kind(ct) == WELD_CTYPE_COMPONENT && weld_ctype_import_count(ct) == 1 &&
              strcmp(weld_ctype_import_name(ct, 0), "test:guest/echo") == 0,
          "component imports");
    const weld_ctype_t *it = weld_ctype_import(ct, 0);
    CHECK(weld_ctype_kind(it) == WELD_CTYPE_INSTANCE, "the import is an instance");
    const weld_ctype_t *fp = weld_ctype_export(it, "echo-point");
    CHECK(fp && weld_ctype_kind(fp) == WELD_CTYPE_FUNC && weld_ctype_count(fp) == 1 && weld_ctype_result_count(fp) == 1 &&
              strcmp(weld_ctype_name(fp, 0), "v") == 0,
          "function type reflection");
    const weld_ctype_t *pt = weld_ctype_member(fp, 0);
    CHECK(pt && weld_ctype_kind(pt) == WELD_CK_RECORD && weld_ctype_count(pt) == 2 && strcmp(weld_ctype_name(pt, 1), "y") == 0 &&
              weld_ctype_kind(weld_ctype_member(pt, 1)) == WELD_CK_S32,
          "record reflection");
    char *str = weld_ctype_to_string(fp);
    CHECK(str && strcmp(str, "func(v: record { x: s32, y: s32 }) -> record { x: s32, y: s32 }") == 0, "rendering: %s", str);
    weld_string_delete(str);
    const weld_ctype_t *fr = weld_ctype_export(it, "echo-result");
    const weld_ctype_t *rt = weld_ctype_result(fr, 0);
    CHECK(rt && weld_ctype_kind(rt) == WELD_CK_RESULT && weld_ctype_count(rt) == 2 &&
              weld_ctype_kind(weld_ctype_member(rt, 0)) == WELD_CK_STRING && weld_ctype_kind(weld_ctype_member(rt, 1)) == WELD_CK_U16 &&
              weld_ctype_name(rt, 0) == NULL,
          "result reflection");
    const weld_ctype_t *fs = weld_ctype_export(it, "echo-shape");
    const weld_ctype_t *sh = weld_ctype_member(fs, 0);
    CHECK(weld_ctype_kind(sh) == WELD_CK_VARIANT && weld_ctype_count(sh) == 4 && weld_ctype_member(sh, 3) == NULL &&
              strcmp(weld_ctype_name(sh, 2), "label") == 0,
          "variant reflection");
    CHECK(weld_ctype_export(it, "nope") == NULL && weld_ctype_member(fp, 5) == NULL && weld_ctype_name(fp, 5) == NULL,
          "out of range");
    /* weld_cval_check */
    weld_cval_t v = vpoint(1, 2);
    CHECK(weld_cval_check(&v, pt) == NULL, "a point checks");
    weld_error_t *err = weld_cval_check(&v, weld_ctype_member(fs, 0));
    CHECK(err != NULL, "a record is not a variant");
    if (err) weld_error_delete(err);
    weld_cval_drop(&v);
    v.kind = WELD_CK_CHAR;
    v.of.ch = 0x110000;
    err = weld_cval_check(&v, weld_ctype_member(weld_ctype_export(it, "echo-char"), 0));
    CHECK(err != NULL, "a char beyond U+10FFFF is rejected");
    if (err) weld_error_delete(err);
    weld_component_delete(c);
  }

  /* shadowing */
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_ckind_t u32 = WELD_CK_U32;
  int calls = 0;
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l), "host-f", &u32, 1, &u32, 1, host_f_flat, &calls, NULL), "def"), "def");
  weld_error_t *err = weld_linker_func(weld_linker_root(l), "host-f", host_f, &calls, NULL);
  CHECK(err != NULL, "a second definition is an error by default");
  if (err) weld_error_delete(err);
  weld_linker_allow_shadowing(l, true);
  CHECK(ok(weld_linker_func(weld_linker_root(l), "host-f", host_f, &calls, NULL), "shadow"), "shadowing replaces");
  c = load("basic.wasm");
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  CHECK(c && ok(weld_linker_instantiate(l, s, c, &inst, &trap), "inst") && inst, "instantiate");
  if (inst) {
    weld_cfunc_t *ch = weld_cinstance_func_by_name(inst, "callhost");
    uint64_t w = 2, r = 0;
    CHECK(ok(weld_cfunc_call_flat(s, ch, &w, &r, &trap), "call") && !trap && r == 20, "the later definition is used");
    weld_export_index_t mi;
    CHECK(weld_cinstance_export_index(inst, NULL, "plain", &mi) && weld_cinstance_module(inst, &mi) != NULL &&
              weld_cinstance_func(inst, &mi) == NULL &&
              weld_ctype_kind(weld_cinstance_export_type(inst, &mi)) == WELD_CTYPE_MODULE,
          "an exported core module");
    weld_module_t *m = weld_cinstance_module(inst, &mi);
    if (m) {
      weld_instance_t *ci = NULL;
      weld_extern_t ex;
      CHECK(ok(weld_instance_new(s, m, NULL, 0, &ci, &trap), "core") && !trap && weld_instance_export(ci, "nine", 4, &ex),
            "the exported module can be instantiated");
    }
  }
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);

  /* unknown imports as traps: instances and resources too */
  c = load("host.wasm");
  l = weld_linker_new(g_engine);
  err = weld_linker_define_unknown_imports_as_traps(l, c);
  CHECK(!err, "define unknown imports");
  if (err) weld_error_delete(err);
  weld_instance_pre_t *pre = NULL;
  err = weld_linker_instantiate_pre(l, c, &pre);
  CHECK(err && strstr(weld_error_message(err), "simple-module"), "a core module cannot be made up: %s",
        err ? weld_error_message(err) : "");
  if (err) weld_error_delete(err);
  weld_linker_delete(l);
  weld_component_delete(c);

  /* resource tables */
  weld_resource_table_t *t = weld_resource_table_new();
  uint32_t a = 0, b = 0, d = 0, kids[4];
  int x = 1, y = 2, z = 3;
  CHECK(!weld_resource_table_push(t, &x, &a) && !weld_resource_table_push_child(t, &y, a, &b) &&
            !weld_resource_table_push_child(t, &z, a, &d) && a != 0 && a != b && b != d,
        "push and push_child");
  CHECK(weld_resource_table_get(t, b) == &y && weld_resource_table_get(t, 0) == NULL && weld_resource_table_get(t, 99) == NULL,
        "get");
  CHECK(weld_resource_table_children(t, a, kids, 4) == 2 && (kids[0] == b || kids[1] == b), "children");
  void *obj = NULL;
  err = weld_resource_table_delete_entry(t, a, &obj);
  CHECK(err && obj == NULL, "a parent with children cannot be deleted");
  if (err) weld_error_delete(err);
  CHECK(!weld_resource_table_delete_entry(t, b, &obj) && obj == &y && !weld_resource_table_delete_entry(t, d, &obj) &&
            !weld_resource_table_delete_entry(t, a, &obj) && obj == &x,
        "delete children then the parent");
  err = weld_resource_table_delete_entry(t, a, &obj);
  CHECK(err != NULL, "double delete is an error");
  if (err) weld_error_delete(err);
  uint32_t a2;
  CHECK(!weld_resource_table_push(t, &z, &a2) && a2 == a, "the most recently freed handle is reused");
  err = weld_resource_table_push_child(t, &z, 77, &a2);
  CHECK(err != NULL, "unknown parent");
  if (err) weld_error_delete(err);
  weld_resource_table_delete(t);
}

/* ---------------------------------------------------------------- out of memory */

/* Allocation failure at every point of load + link + instantiate + call must give an
 * error or a trap, never a crash or a leak (allocations are counted). */
static long g_fail_at, g_allocs, g_live;
static void *failing_realloc(void *ud, void *ptr, size_t old, size_t n) {
  (void)ud, (void)old;
  if (n == 0) {
    if (ptr) g_live--;
    free(ptr);
    return NULL;
  }
  if (++g_allocs == g_fail_at) return NULL;
  void *q = realloc(ptr, n);
  if (q && !ptr) g_live++;
  return q;
}

static uint8_t *read_guest(const char *name, size_t *n) {
  char path[256];
  snprintf(path, sizeof path, GUESTS "%s", name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *buf = malloc(1 << 16);
  *n = fread(buf, 1, 1 << 16, f);
  fclose(f);
  return buf;
}

/* One full run; returns true if everything succeeded. */
static bool oom_run(const uint8_t *bytes, size_t n) {
  bool all = false;
  weld_engine_t *e = weld_engine_new(NULL);
  if (!e) return false;
  weld_component_t *c = NULL;
  weld_linker_t *l = NULL;
  weld_store_t *s = NULL;
  weld_trap_t *trap = NULL; /* (before the first goto: out frees it) */
  res_host_t h;
  memset(&h, 0, sizeof h);
  int never = 0;
  weld_error_t *err = weld_component_new(e, bytes, n, &c);
  if (err) goto out;
  h.r1 = weld_resource_type_new("resource1", r1_dtor, &h);
  h.r2 = weld_resource_type_new("resource2", never_dtor, &never);
  const char *wat = "(module (global (export \"g\") i32 (i32.const 100)) (func (export \"f\") (result i32) (i32.const 101)))";
  uint8_t *bin = NULL;
  size_t len = 0;
  err = weld_wat_to_wasm(wat, strlen(wat), &bin, &len);
  if (err) goto out;
  err = weld_module_new(e, bin, len, &h.simple);
  weld_free_bytes(bin, len);
  if (err || !h.r1 || !h.r2) goto out;
  {
    weld_engine_t *saved = g_engine;
    bool good;
    g_engine = e;
    l = host_linker_ex(&h, &good);
    g_engine = saved;
    if (!good) goto out;
  }
  s = weld_store_new(e);
  if (!s) goto out;
  weld_cinstance_t *inst = NULL;
  err = weld_linker_instantiate(l, s, c, &inst, &trap);
  if (err || trap) goto out;
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, "resources");
  weld_cval_t a = {.kind = WELD_CK_U32}, r;
  a.of.u32 = 5;
  err = weld_cfunc_call(s, f, &a, 1, &r, 1, &trap);
  if (err || trap) goto out;
  f = weld_cinstance_func_by_name(inst, "hi");
  err = weld_cfunc_call(s, f, NULL, 0, &r, 1, &trap);
  if (err || trap) goto out;
  all = true;
out:
  if (err) weld_error_delete(err);
  if (trap) weld_trap_delete(trap);
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);
  weld_resource_type_delete(h.r1);
  weld_resource_type_delete(h.r2);
  weld_module_delete(h.simple);
  weld_engine_delete(e);
  return all;
}

static void test_oom(void) {
  size_t n = 0;
  uint8_t *bytes = read_guest("host.wasm", &n);
  if (!bytes) {
    CHECK(0, "read host.wasm");
    return;
  }
  /* a first run creates whatever process-wide state weld keeps */
  g_fail_at = -1;
  weld_set_allocator(failing_realloc, NULL);
  bool first = oom_run(bytes, n);
  weld_set_allocator(NULL, NULL);
  CHECK(first, "the run succeeds without allocation failures");
  long leaks = 0, runs = 0;
  bool done = false;
  g_quiet = true;
  for (g_fail_at = 1; g_fail_at < 20000 && !done; g_fail_at++) {
    g_allocs = 0;
    long before = g_live;
    weld_set_allocator(failing_realloc, NULL);
    bool all = oom_run(bytes, n);
    weld_set_allocator(NULL, NULL);
    runs++;
    if (g_live != before) {
      if (leaks++ < 5) printf("  leak when allocation %ld fails (%ld blocks)\n", g_fail_at, g_live - before);
    }
    if (g_allocs < g_fail_at) done = all;
  }
  g_quiet = false;
  free(bytes);
  printf("  out of memory at each of %ld allocations\n", runs);
  CHECK(done, "a run without failures completes (%ld runs)", runs);
  CHECK(leaks == 0, "no leaks when an allocation fails (%ld)", leaks);
}

/* ---------------------------------------------------------------- compile errors */

static void test_compile_errors(void) {
  static const char *const bad[] = {"reexport.wasm", "compimport.wasm"};
  for (size_t i = 0; i < 2; i++) {
    char path[256];
    snprintf(path, sizeof path, GUESTS "%s", bad[i]);
    weld_component_t *c = NULL;
    weld_error_t *err = weld_component_from_file(g_engine, path, &c);
    CHECK(err && !c, "%s is rejected", bad[i]);
    if (err) weld_error_delete(err);
  }
  /* a core module is not a component */
  const char *wat = "(module)";
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_component_t *c = NULL;
  CHECK(ok(weld_wat_to_wasm(wat, strlen(wat), &bin, &len), "wat"), "wat");
  weld_error_t *err = weld_component_new(g_engine, bin, len, &c);
  CHECK(err && strstr(weld_error_message(err), "weld_module_new"), "a core module is rejected with a hint");
  if (err) weld_error_delete(err);
  weld_free_bytes(bin, len);
  /* truncated and garbage input */
  FILE *f = fopen(GUESTS "host.wasm", "rb");
  uint8_t buf[4096];
  size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
  if (f) fclose(f);
  int rejected = 0;
  for (size_t cut = 0; cut < n; cut += 7) {
    err = weld_component_new(g_engine, buf, cut, &c);
    if (err) {
      rejected++;
      weld_error_delete(err);
    } else { /* a cut at a section boundary is a smaller valid component */
      weld_linker_t *l = weld_linker_new(g_engine);
      weld_store_t *s = weld_store_new(g_engine);
      weld_cinstance_t *inst;
      weld_trap_t *trap = NULL;
      err = weld_linker_define_unknown_imports_as_traps(l, c);
      if (!err) err = weld_linker_instantiate(l, s, c, &inst, &trap);
      if (err) weld_error_delete(err);
      if (trap) weld_trap_delete(trap);
      weld_store_delete(s);
      weld_linker_delete(l);
      weld_component_delete(c);
    }
  }
  CHECK(rejected > (int)(n / 7) - 20, "truncations of host.wasm are rejected (%d of %zu)", rejected, (n + 6) / 7);
  /* exponentially many nested instances: an error, quickly */
  c = load("exponential.wasm");
  if (c) {
    weld_linker_t *l = weld_linker_new(g_engine);
    weld_store_t *s = weld_store_new(g_engine);
    weld_cinstance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    err = weld_linker_instantiate(l, s, c, &inst, &trap);
    CHECK(err && strstr(weld_error_message(err), "too many instances"), "instance limit: %s", err ? weld_error_message(err) : "");
    if (err) weld_error_delete(err);
    weld_store_delete(s);
    weld_linker_delete(l);
    weld_component_delete(c);
  }
  /* a start function calling back into the instance being instantiated traps */
  c = load("selfcall.wasm");
  if (c) {
    weld_linker_t *l = weld_linker_new(g_engine);
    weld_store_t *s = weld_store_new(g_engine);
    weld_cinstance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    err = weld_linker_instantiate(l, s, c, &inst, &trap);
    CHECK(!err && trap && strstr(weld_trap_message(trap), "cannot enter component instance"),
          "reentrance during instantiation traps: %s", trap ? weld_trap_message(trap) : err ? weld_error_message(err) : "");
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    weld_store_delete(s);
    weld_linker_delete(l);
    weld_component_delete(c);
  }
  err = weld_component_from_file(g_engine, GUESTS "does-not-exist.wasm", &c);
  CHECK(err && !c, "a missing file is an error");
  if (err) weld_error_delete(err);
}

/* ---------------------------------------------------------------- --instantiate (robustness) */

/* A default value of type t (zeros, empty, first case); false for handles. */


static int instantiate_files(int argc, char **argv) {
  int counts[5] = {0};
  for (int i = 0; i < argc; i++) {
    weld_component_t *c = NULL;
    weld_error_t *err = weld_component_from_file(g_engine, argv[i], &c);
    if (err) {
      counts[0]++;
      weld_error_delete(err);
      continue;
    }
    weld_linker_t *l = weld_linker_new(g_engine);
    weld_store_t *s = weld_store_new(g_engine);
    weld_cinstance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    err = weld_linker_define_unknown_imports_as_traps(l, c);
    if (!err) err = weld_linker_instantiate(l, s, c, &inst, &trap);
    if (err || trap) {
      counts[err ? 1 : 2]++;
      printf("%s: %s\n", argv[i], err ? weld_error_message(err) : weld_trap_message(trap));
      if (err) weld_error_delete(err);
      if (trap) weld_trap_delete(trap);
    } else {
      counts[3]++;
      const weld_ctype_t *ct = weld_component_type(c);
      for (size_t e = 0; e < weld_ctype_count(ct); e++) {
        const weld_ctype_t *ft = weld_ctype_member(ct, e);
        if (weld_ctype_kind(ft) != WELD_CTYPE_FUNC) continue;
        weld_cfunc_t *f = weld_cinstance_func_by_name(inst, weld_ctype_name(ct, e));
        size_t np = weld_ctype_count(ft), nr = weld_ctype_result_count(ft);
        weld_cval_t args[64], res[1];
        size_t na = 0;
        bool good = f && np <= 64;
        while (good && na < np) { /* default_val initializes args[na] even when it fails */
        good = cval_default(weld_ctype_member(ft, na), &args[na], 0);
        na++;
      }
        if (good) {
          err = weld_cfunc_call(s, f, args, np, res, nr, &trap);
          if (err) weld_error_delete(err);
          else if (trap) weld_trap_delete(trap);
          else if (nr) {
            cval_forget_handles(&res[0]);
            weld_cval_drop(&res[0]);
          }
          counts[4]++;
        }
        for (size_t k = 0; k < na; k++) weld_cval_drop(&args[k]);
      }
    }
    weld_store_delete(s);
    weld_linker_delete(l);
    weld_component_delete(c);
  }
  printf("%d rejected, %d link errors, %d traps, %d instantiated, %d calls\n", counts[0], counts[1], counts[2], counts[3],
         counts[4]);
  return 0;
}

/* ---------------------------------------------------------------- flat words out of range */

/* Returns the word stored in env. */
static weld_trap_t *word_fn(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = *(const uint64_t *)env;
  return NULL;
}

/* A flat word that is not a value of its type is an error from weld_cfunc_call_flat and a
 * trap when a flat host function returns it (regression: u8/s8/s32 words were masked and
 * passed on silently). */
static void test_flat_ranges(void) {
  static const char *const kinds[] = {"u8", "s8", "u16", "s32", "u32", "f32", "bool"};
  static const weld_ckind_t ks[] = {WELD_CK_U8, WELD_CK_S8, WELD_CK_U16, WELD_CK_S32, WELD_CK_U32, WELD_CK_F32, WELD_CK_BOOL};
  static const uint64_t good[] = {255, (uint64_t)-128, 65535, (uint64_t)(int64_t)INT32_MIN, UINT32_MAX, 0x7fc00000, 1};
  static const uint64_t bad[] = {256, 128, 65536, (uint64_t)INT32_MAX + 1, (uint64_t)UINT32_MAX + 1, (uint64_t)1 << 32, 2};
  for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
    char wat[1024];
    snprintf(wat, sizeof wat,
             "(component (import \"get\" (func $get (param \"x\" %s) (result %s)))"
             "  (core func $g (canon lower (func $get)))"
             "  (func (export \"call\") (param \"x\" %s) (result %s) (canon lift (core func $g))))",
             kinds[i], kinds[i], kinds[i], kinds[i]);
    uint8_t *bin = NULL;
    size_t len = 0;
    weld_component_t *c = NULL;
    if (!CHECK(ok(weld_wat_to_wasm(wat, strlen(wat), &bin, &len), "wat") &&
                   ok(weld_component_new(g_engine, bin, len, &c), "component"),
               "%s component", kinds[i])) {
      weld_free_bytes(bin, len);
      continue;
    }
    weld_free_bytes(bin, len);
    uint64_t ret = good[i];
    weld_linker_t *l = weld_linker_new(g_engine);
    weld_store_t *s = weld_store_new(g_engine);
    weld_cinstance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    CHECK(ok(weld_linker_func_flat(weld_linker_root(l), "get", &ks[i], 1, &ks[i], 1, word_fn, &ret, NULL), "def") &&
              ok(weld_linker_instantiate(l, s, c, &inst, &trap), "inst") && !trap,
          "%s instance", kinds[i]);
    weld_cfunc_t *f = inst ? weld_cinstance_func_by_name(inst, "call") : NULL;
    uint64_t r = 0;
    CHECK(f && ok(weld_cfunc_call_flat(s, f, &good[i], &r, &trap), "good") && !trap && r == good[i],
          "%s: 0x%llx passes both ways", kinds[i], (unsigned long long)good[i]);
    weld_error_t *err = f ? weld_cfunc_call_flat(s, f, &bad[i], &r, &trap) : NULL;
    CHECK(err && !trap && strstr(weld_error_message(err), kinds[i]), "%s: argument 0x%llx is an error (%s)", kinds[i],
          (unsigned long long)bad[i], err ? weld_error_message(err) : "none");
    weld_error_delete(err);
    ret = bad[i];
    err = f ? weld_cfunc_call_flat(s, f, &good[i], &r, &trap) : NULL;
    CHECK(!err && trap && strstr(weld_trap_message(trap), "host function returned an invalid"),
          "%s: a host result 0x%llx traps (%s)", kinds[i], (unsigned long long)bad[i], trap ? weld_trap_message(trap) : "none");
    weld_error_delete(err);
    weld_trap_delete(trap);
    weld_store_delete(s);
    weld_linker_delete(l);
    weld_component_delete(c);
  }
}

int main(int argc, char **argv) {
  g_engine = weld_engine_new(NULL);
  if (argc >= 2 && strcmp(argv[1], "--instantiate") == 0) {
    int rc = instantiate_files(argc - 2, argv + 2);
    weld_engine_delete(g_engine);
    return rc;
  }
  if (argc == 3 && strcmp(argv[1], "--script") == 0) {
    int rc = run_script(argv[2]);
    weld_engine_delete(g_engine);
    return rc;
  }
  test_basic();
  test_echo();
  test_res_guest();
  test_host();
  test_nested();
  test_unknown_traps();
  test_api_misc();
  test_flat_ranges();
  test_compile_errors();
  test_oom();
  weld_engine_delete(g_engine);
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}
