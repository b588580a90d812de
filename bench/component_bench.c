/* component_bench.c — the Component Model runtime's costs, measured on the public API only
 * (include/weld/component.h): calls across the component boundary in both directions,
 * 1 MiB strings and list<u8>s in both directions, and instantiation through an
 * InstancePre.  The component is bench/component/bench.wasm (its text, bench.wat, says
 * what each export does); bench/component_jco.mjs measures the same component under
 * `jco transpile` + node and prints the same keys, and bench/run.sh shows the two side by
 * side with the targets.
 *
 *   component_bench COMPONENT.wasm [ROUNDS] [--quick]
 *
 * Prints one line per measurement, "key value unit":
 *   typed_ns            host -> guest id(u32) -> u32 through weld_cfunc_call_flat
 *   dynamic_ns          the same through weld_cfunc_call (weld_cval_t in and out)
 *   guest_host_ns       one call of the flat host function host-id from inside the guest
 *                       (call-host(n) loops n times; (time - typed_ns) / n)
 *   string_h2g_gbs      take-string(s): a 1 MiB host string lowered into the guest
 *                       (UTF-8 validation, realloc, copy), GB/s of string bytes; ASCII text
 *   string_h2g_mixed_gbs  the same with text where 14 of every 44 characters take 2 or 3
 *                       bytes (validation cannot skip ASCII runs as often)
 *   string_g2h_gbs      make-string(n): a 1 MiB guest string lifted to the host as a
 *                       result (validation, copy into a weld_cval_t, which is then dropped)
 *   string_g2h_arg_gbs  send-string(n): the guest passes 1 MiB to the import
 *                       host-take-string (lifted to a weld_cval_t for a dynamic host function)
 *   list_h2g_gbs, list_g2h_gbs, list_g2h_arg_gbs   the same with list<u8> (one weld_cval_t
 *                       per element: that is how the public API represents a list)
 *   instantiate_us      weld_instance_pre_instantiate + the instance's share of deleting
 *                       its store (a fresh store every 100 instances; stores are what free
 *                       component instances), a call of id() to show it works
 *
 * Timing: a monotonic clock; each measurement doubles its batch size until a batch takes
 * 2 ms, keeps running batches for a warm-up of 0.1 s (0.01 s with --quick), then reports
 * the best per-iteration time of ROUNDS (default 20; 3 with --quick) timed batches.  Every result is checked (a wrong
 * value, an error or a trap ends the program with status 1). */
#include "runners/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weld.h>
#include <weld/component.h>

#define MIB (1u << 20)
#define STORE_BATCH 100 /* instances per store in the instantiation measurement */

static const char PATTERN[] = "weld component bench: the quick brown fox jumps over a lazy dog\n"; /* 64 bytes */
/* 64 bytes of UTF-8 text: 14 of its 44 characters take 2 or 3 bytes */
static const char MIXED[] = "Grüße, ça va? 你好世界! Ωμέγα — €5; weld bench!\n";
_Static_assert(sizeof PATTERN == 65 && sizeof MIXED == 65, "64-byte patterns");

static double g_batch = 0.002, g_warm = 0.1;
static int g_rounds = 20;
static const char *g_path;

static void die(const char *what, weld_error_t *err, weld_trap_t *trap) {
  fprintf(stderr, "component_bench: %s: %s\n", what,
          err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "wrong result");
  exit(1);
}
#define CHECK_CALL(what, err, trap)              \
  do {                                           \
    if ((err) || (trap)) die(what, err, trap);   \
  } while (0)
#define CHECK(cond, what)                        \
  do {                                           \
    if (!(cond)) die(what, NULL, NULL);          \
  } while (0)

/* Best time per iteration (ns) of `body` (which may use the iteration number i_): see the
 * header.  Short batches and many rounds: on a shared machine the best batch is one the
 * scheduler did not interrupt.  A macro, not a function taking a callback, so that nothing but the body is
 * timed. */
#define BEST(result, body)                                                    \
  do {                                                                        \
    long n_ = 1;                                                              \
    double start_ = bench_now();                                              \
    for (;;) {                                                                \
      double t0_ = bench_now();                                               \
      for (long i_ = 0; i_ < n_; i_++) { body; }                              \
      if (bench_now() - t0_ >= g_batch || n_ >= (1L << 30)) break;            \
      n_ *= 2;                                                                \
    }                                                                         \
    while (bench_now() - start_ < g_warm)                                     \
      for (long i_ = 0; i_ < n_; i_++) { body; }                              \
    double min_ = 1e30;                                                       \
    for (int r_ = 0; r_ < g_rounds; r_++) {                                   \
      double t0_ = bench_now();                                               \
      for (long i_ = 0; i_ < n_; i_++) { body; }                              \
      double t_ = (bench_now() - t0_) / (double)n_;                           \
      if (t_ < min_) min_ = t_;                                               \
    }                                                                         \
    (result) = min_ * 1e9;                                                    \
  } while (0)

static void out(const char *key, double value, const char *unit) { printf("%s %.*f %s\n", key, value < 10 ? 3 : 1, value, unit); }
static double gbs(double ns) { return (double)MIB / ns; } /* bytes per ns = GB/s */

/* ---------------------------------------------------------------- host functions */

static size_t g_received;

static weld_trap_t *host_id(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller;
  results[0] = args[0];
  return NULL;
}

/* host-take-string / host-take-list: returns the length (and looks at both ends) */
static weld_trap_t *host_take(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                              weld_cval_t *results, size_t nresults) {
  (void)env, (void)caller;
  if (nargs != 1 || nresults != 1) return weld_trap_new(WELD_TRAP_HOST, "host_take: wrong arity");
  size_t n;
  if (args[0].kind == WELD_CK_STRING) {
    n = args[0].of.str.len;
    if (n && (args[0].of.str.ptr[0] != PATTERN[0] || args[0].of.str.ptr[n - 1] != PATTERN[(n - 1) % 64]))
      return weld_trap_new(WELD_TRAP_HOST, "host_take: wrong string contents");
  } else if (args[0].kind == WELD_CK_ARRAY && args[0].of.array.elem == WELD_CK_U8) { /* list<u8>, packed */
    n = args[0].of.array.len;
    const uint8_t *p = args[0].of.array.ptr;
    if (n && (p[0] != (uint8_t)PATTERN[0] || p[n - 1] != (uint8_t)PATTERN[(n - 1) % 64]))
      return weld_trap_new(WELD_TRAP_HOST, "host_take: wrong list contents");
  } else {
    return weld_trap_new(WELD_TRAP_HOST, "host_take: wrong argument kind");
  }
  g_received = n;
  results[0].of.u32 = (uint32_t)n;
  return NULL;
}

/* ---------------------------------------------------------------- the measurements */

static weld_cfunc_t *func(weld_cinstance_t *inst, const char *name) {
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, name);
  if (!f) {
    fprintf(stderr, "component_bench: %s: the component has no export `%s`\n", g_path, name);
    exit(1);
  }
  return f;
}

int main(int argc, char **argv) {
  const char *pos[2] = {NULL, NULL};
  int npos = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) g_rounds = 3, g_warm = 0.01;
    else if (npos < 2) pos[npos++] = argv[i];
  }
  if (!pos[0]) {
    fprintf(stderr, "usage: component_bench COMPONENT.wasm [ROUNDS] [--quick]\n");
    return 2;
  }
  g_path = pos[0];
  if (pos[1]) g_rounds = atoi(pos[1]) > 0 ? atoi(pos[1]) : 1;

  weld_engine_t *engine = weld_engine_new(NULL);
  weld_component_t *c = NULL;
  weld_error_t *err = weld_component_from_file(engine, g_path, &c);
  CHECK_CALL("load", err, NULL);
  weld_linker_t *l = weld_linker_new(engine);
  weld_ckind_t u32 = WELD_CK_U32;
  err = weld_linker_func_flat(weld_linker_root(l), "host-id", &u32, 1, &u32, 1, host_id, NULL, NULL);
  if (!err) err = weld_linker_func(weld_linker_root(l), "host-take-string", host_take, NULL, NULL);
  if (!err) err = weld_linker_func(weld_linker_root(l), "host-take-list", host_take, NULL, NULL);
  CHECK_CALL("define the imports", err, NULL);
  weld_instance_pre_t *pre = NULL;
  err = weld_linker_instantiate_pre(l, c, &pre);
  CHECK_CALL("instantiate_pre", err, NULL);

  weld_store_t *s = weld_store_new(engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  err = weld_instance_pre_instantiate(pre, s, &inst, &trap);
  CHECK_CALL("instantiate", err, trap);
  weld_cfunc_t *id = func(inst, "id"), *call_host = func(inst, "call-host");
  CHECK(weld_cfunc_is_flat(id) && weld_cfunc_is_flat(call_host), "id and call-host are flat");
  double ns;
  uint64_t sum = 0;

  /* ---- host -> guest calls ---- */
  uint64_t w = 0, r = 0;
  double typed;
  BEST(typed, {
    w = (uint64_t)i_;
    err = weld_cfunc_call_flat(s, id, &w, &r, &trap);
    if (__builtin_expect(err || trap || r != w, 0)) die("id (typed)", err, trap);
  });
  out("typed_ns", typed, "ns");
  weld_cval_t a = {.kind = WELD_CK_U32}, res;
  BEST(ns, {
    a.of.u32 = (uint32_t)i_;
    err = weld_cfunc_call(s, id, &a, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.kind != WELD_CK_U32 || res.of.u32 != a.of.u32, 0)) die("id (dynamic)", err, trap);
  });
  out("dynamic_ns", ns, "ns");

  /* ---- guest -> host: n calls of host-id from inside the guest ---- */
  w = 1000;
  double t0 = bench_now();
  err = weld_cfunc_call_flat(s, call_host, &w, &r, &trap);
  CHECK_CALL("call-host", err, trap);
  double per = (bench_now() - t0) / 1000;
  uint64_t inner = (uint64_t)(g_batch / (per > 1e-9 ? per : 1e-9));
  inner = inner < 1000 ? 1000 : inner > 100000000 ? 100000000 : inner;
  uint32_t expect = (uint32_t)(inner * (inner - 1) / 2);
  BEST(ns, {
    w = inner;
    err = weld_cfunc_call_flat(s, call_host, &w, &r, &trap);
    if (__builtin_expect(err || trap || r != expect, 0)) die("call-host", err, trap);
  });
  out("guest_host_ns", ns > typed ? (ns - typed) / (double)inner : 0, "ns");

  /* ---- strings: 1 MiB of ASCII text (the guest makes the same text) ---- */
  char *text = malloc(MIB);
  CHECK(text != NULL, "out of memory");
  for (size_t i = 0; i < MIB; i++) text[i] = PATTERN[i % 64];
  weld_cval_t str;
  CHECK(weld_cval_string(&str, text, MIB), "out of memory");
  weld_cfunc_t *take_string = func(inst, "take-string"), *make_string = func(inst, "make-string");
  weld_cfunc_t *send_string = func(inst, "send-string");
  BEST(ns, {
    err = weld_cfunc_call(s, take_string, &str, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.of.u32 != MIB, 0)) die("take-string", err, trap);
  });
  out("string_h2g_gbs", gbs(ns), "GB/s");
  weld_cval_t mixed;
  CHECK(weld_cval_string(&mixed, text, MIB), "out of memory");
  for (size_t i = 0; i < MIB; i++) mixed.of.str.ptr[i] = MIXED[i % 64];
  BEST(ns, {
    err = weld_cfunc_call(s, take_string, &mixed, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.of.u32 != MIB, 0)) die("take-string (non-ASCII)", err, trap);
  });
  out("string_h2g_mixed_gbs", gbs(ns), "GB/s");
  weld_cval_drop(&mixed);
  weld_cval_t n_arg = {.kind = WELD_CK_U32, .of.u32 = MIB};
  err = weld_cfunc_call(s, make_string, &n_arg, 1, &res, 1, &trap);
  CHECK_CALL("make-string", err, trap);
  CHECK(res.kind == WELD_CK_STRING && res.of.str.len == MIB && memcmp(res.of.str.ptr, text, MIB) == 0,
        "make-string returns the text");
  weld_cval_drop(&res);
  BEST(ns, {
    err = weld_cfunc_call(s, make_string, &n_arg, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.of.str.len != MIB, 0)) die("make-string", err, trap);
    sum += (uint8_t)res.of.str.ptr[i_ & 0xfffff];
    weld_cval_drop(&res);
  });
  out("string_g2h_gbs", gbs(ns), "GB/s");
  CHECK(weld_cfunc_is_flat(send_string), "send-string is flat");
  BEST(ns, {
    w = MIB;
    g_received = 0;
    err = weld_cfunc_call_flat(s, send_string, &w, &r, &trap);
    if (__builtin_expect(err || trap || r != MIB || g_received != MIB, 0)) die("send-string", err, trap);
  });
  out("string_g2h_arg_gbs", gbs(ns), "GB/s");
  weld_cval_drop(&str);

  /* ---- list<u8>: the same bytes as a list (packed: a WELD_CK_ARRAY of bytes) ---- */
  weld_cval_t list;
  CHECK(weld_cval_array(&list, WELD_CK_U8, text, MIB), "out of memory");
  weld_cfunc_t *take_list = func(inst, "take-list"), *make_list = func(inst, "make-list");
  weld_cfunc_t *send_list = func(inst, "send-list");
  BEST(ns, {
    err = weld_cfunc_call(s, take_list, &list, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.of.u32 != MIB, 0)) die("take-list", err, trap);
  });
  out("list_h2g_gbs", gbs(ns), "GB/s");
  err = weld_cfunc_call(s, make_list, &n_arg, 1, &res, 1, &trap);
  CHECK_CALL("make-list", err, trap);
  CHECK(res.kind == WELD_CK_ARRAY && res.of.array.elem == WELD_CK_U8 && res.of.array.len == MIB,
        "make-list returns a list of bytes");
  CHECK(memcmp(res.of.array.ptr, text, MIB) == 0, "make-list returns the text");
  weld_cval_drop(&res);
  BEST(ns, {
    err = weld_cfunc_call(s, make_list, &n_arg, 1, &res, 1, &trap);
    if (__builtin_expect(err || trap || res.of.array.len != MIB, 0)) die("make-list", err, trap);
    sum += ((const uint8_t *)res.of.array.ptr)[i_ & 0xfffff];
    weld_cval_drop(&res);
  });
  out("list_g2h_gbs", gbs(ns), "GB/s");
  BEST(ns, {
    w = MIB;
    g_received = 0;
    err = weld_cfunc_call_flat(s, send_list, &w, &r, &trap);
    if (__builtin_expect(err || trap || r != MIB || g_received != MIB, 0)) die("send-list", err, trap);
  });
  out("list_g2h_arg_gbs", gbs(ns), "GB/s");
  weld_cval_drop(&list);
  free(text);
  weld_store_delete(s);

  /* ---- instantiation through the InstancePre ---- */
  s = weld_store_new(engine);
  long in_store = 0;
  BEST(ns, {
    if (in_store == STORE_BATCH) {
      weld_store_delete(s);
      s = weld_store_new(engine);
      in_store = 0;
    }
    err = weld_instance_pre_instantiate(pre, s, &inst, &trap);
    if (__builtin_expect(err || trap, 0)) die("instantiate", err, trap);
    in_store++;
  });
  weld_store_delete(s);
  out("instantiate_us", ns / 1000, "us");
  /* the last instance works */
  s = weld_store_new(engine);
  err = weld_instance_pre_instantiate(pre, s, &inst, &trap);
  CHECK_CALL("instantiate", err, trap);
  w = 7;
  err = weld_cfunc_call_flat(s, func(inst, "id"), &w, &r, &trap);
  CHECK_CALL("id after instantiation", err, trap);
  CHECK(r == 7, "id(7) == 7");
  weld_store_delete(s);

  weld_instance_pre_delete(pre);
  weld_linker_delete(l);
  weld_component_delete(c);
  weld_engine_delete(engine);
  if (sum == 1) printf("\n"); /* keeps sum alive */
  return 0;
}
