/* test_crt_link.c — linking component instances into each other at run time
 * (weld_linker_instance_from: provider.wat's exports imported by consumer.wat, calls going
 * directly from one component to the other), InstancePre reuse, and the timing targets of
 * the component runtime (printed; checked against generous bounds so that a loaded machine
 * does not fail the suite, with `--bench` for the strict targets).
 * Run from the project root.  Last line: "N passed, N failed". */
#include "weld.h"
#include "weld/component.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../test.h"
static bool g_bench;

#define GUESTS "tests/component/guests/"

static weld_engine_t *g_engine;

static bool ok(weld_error_t *err, const char *what) {
  if (!err) return true;
  printf("  %s: %s\n", what, weld_error_message(err));
  weld_error_delete(err);
  return false;
}

static bool no_trap(weld_trap_t *trap, const char *what) {
  if (!trap) return true;
  printf("  %s trapped: %s\n", what, weld_trap_message(trap));
  weld_trap_delete(trap);
  return false;
}

static weld_component_t *load(const char *name) {
  char path[256];
  snprintf(path, sizeof path, GUESTS "%s", name);
  weld_component_t *c = NULL;
  CHECK(ok(weld_component_from_file(g_engine, path, &c), name), "load %s", name);
  return c;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------- linking */

typedef struct logbuf {
  uint32_t v[16];
  int n;
} logbuf_t;

static weld_trap_t *log_fn(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)results;
  logbuf_t *l = env;
  if (l->n < 16) l->v[l->n++] = (uint32_t)args[0];
  return NULL;
}

static bool call_u32(weld_store_t *s, weld_cinstance_t *inst, const char *name, uint32_t *out) {
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, name);
  weld_cval_t r;
  weld_trap_t *trap = NULL;
  if (!f || !ok(weld_cfunc_call(s, f, NULL, 0, &r, 1, &trap), name) || !no_trap(trap, name)) return false;
  *out = r.of.u32;
  return true;
}

static void test_link(void) {
  weld_component_t *prov = load("provider.wasm"), *cons = load("consumer.wasm");
  if (!prov || !cons) return;
  logbuf_t lg;
  memset(&lg, 0, sizeof lg);
  weld_ckind_t u32 = WELD_CK_U32;
  weld_linker_t *l1 = weld_linker_new(g_engine);
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l1), "log", &u32, 1, NULL, 0, log_fn, &lg, NULL), "log"), "define log");
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *p = NULL, *c = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l1, s, prov, &p, &trap), "provider") && no_trap(trap, "provider") && p,
        "instantiate the provider");
  weld_linker_t *l2 = weld_linker_new(g_engine);
  /* no definition yet: a clear error naming the import */
  weld_instance_pre_t *pre = NULL;
  weld_error_t *err = weld_linker_instantiate_pre(l2, cons, &pre);
  CHECK(err && strstr(weld_error_message(err), "test:link/provider"), "missing instance: %s",
        err ? weld_error_message(err) : "no error");
  if (err) weld_error_delete(err);
  CHECK(ok(weld_linker_instance_from(weld_linker_root(l2), "test:link/provider", p), "from"), "instance_from");
  CHECK(ok(weld_linker_instantiate(l2, s, cons, &c, &trap), "consumer") && no_trap(trap, "consumer") && c,
        "instantiate the consumer linked to the provider");
  if (c) {
    weld_cfunc_t *add = weld_cinstance_func_by_name(c, "add");
    uint64_t w[2] = {40, 2}, r = 0;
    CHECK(add && ok(weld_cfunc_call_flat(s, add, w, &r, &trap), "add") && no_trap(trap, "add") && r == 42,
          "consumer.add calls provider.add");
    uint32_t v = 0;
    CHECK(call_u32(s, c, "greet", &v) && v == 12000 + 'w', "a string copied between two memories (%u)", v);
    CHECK(call_u32(s, c, "count", &v) && v == 12, "a provider resource used by the consumer (%u)", v);
    CHECK(lg.n == 1 && lg.v[0] != 0, "dropping it in the consumer ran the provider's destructor");
    CHECK(call_u32(s, c, "give", &v) && v == 6 && lg.n == 2, "an own moved from the consumer to the provider (%u)", v);
    weld_cfunc_t *uag = weld_cinstance_func_by_name(c, "use-after-give");
    weld_error_t *e2 = weld_cfunc_call(s, uag, NULL, 0, NULL, 0, &trap);
    CHECK(!e2 && trap, "the moved handle is gone from the consumer's table");
    if (trap) {
      CHECK(strstr(weld_trap_message(trap), "handle") != NULL, "message: %s", weld_trap_message(trap));
      weld_trap_delete(trap);
      trap = NULL;
    }
    if (e2) weld_error_delete(e2);
  }
  /* a provider whose exports do not match: a clear error */
  weld_linker_t *l3 = weld_linker_new(g_engine);
  weld_cinstance_t *c2 = NULL;
  CHECK(ok(weld_linker_instance_from(weld_linker_root(l3), "test:link/provider", c ? c : p), "from"), "instance_from consumer");
  err = weld_linker_instantiate(l3, s, cons, &c2, &trap);
  CHECK(err != NULL && c2 == NULL, "an instance lacking the exports is rejected: %s", err ? weld_error_message(err) : "");
  if (err) weld_error_delete(err);
  /* linked instances must live in the same store */
  weld_store_t *s2 = weld_store_new(g_engine);
  err = weld_linker_instantiate(l2, s2, cons, &c2, &trap);
  CHECK(err != NULL, "linking across stores is rejected");
  if (err) weld_error_delete(err);
  weld_store_delete(s2);
  weld_store_delete(s);
  weld_linker_delete(l1);
  weld_linker_delete(l2);
  weld_linker_delete(l3);
  weld_component_delete(prov);
  weld_component_delete(cons);
}

/* An interface exported by one component (nested.wat's instance `a`, with a resource type
 * it defines) imported by another (consumer2.wat), matched by a semver-compatible name. */
static weld_trap_t *cb_unused(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller, (void)args;
  results[0] = 0;
  return NULL;
}

static void test_link_export(void) {
  weld_component_t *prov = load("nested.wasm"), *cons = load("consumer2.wasm");
  if (!prov || !cons) return;
  logbuf_t lg;
  memset(&lg, 0, sizeof lg);
  weld_ckind_t u32 = WELD_CK_U32;
  weld_linker_t *l1 = weld_linker_new(g_engine);
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l1), "log", &u32, 1, NULL, 0, log_fn, &lg, NULL), "log") &&
            ok(weld_linker_func_flat(weld_linker_root(l1), "call-back", &u32, 1, &u32, 1, cb_unused, NULL, NULL), "cb"),
        "define");
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *p = NULL, *c = NULL;
  weld_trap_t *trap = NULL;
  CHECK(ok(weld_linker_instantiate(l1, s, prov, &p, &trap), "nested") && !trap && p, "instantiate nested.wasm");
  weld_export_index_t a;
  CHECK(p && weld_cinstance_export_index(p, NULL, "a", &a), "export a");
  weld_linker_t *l2 = weld_linker_new(g_engine);
  /* an incompatible version does not match */
  CHECK(ok(weld_linker_instance_from_export(weld_linker_root(l2), "test:link/a@2.0.0", p, &a), "from 2.0"), "define 2.0");
  weld_error_t *err = weld_linker_instantiate(l2, s, cons, &c, &trap);
  CHECK(err != NULL, "version 2.0.0 does not satisfy 1.0.0");
  if (err) weld_error_delete(err);
  weld_export_index_t bad;
  CHECK(weld_cinstance_export_index(p, NULL, "seven", &bad), "export seven");
  err = weld_linker_instance_from_export(weld_linker_root(l2), "x", p, &bad);
  CHECK(err != NULL, "a function export is not an instance");
  if (err) weld_error_delete(err);
  CHECK(ok(weld_linker_instance_from_export(weld_linker_root(l2), "test:link/a@1.2.0", p, &a), "from 1.2"), "define 1.2");
  CHECK(ok(weld_linker_instantiate(l2, s, cons, &c, &trap), "consumer2") && no_trap(trap, "consumer2") && c,
        "1.2.0 satisfies 1.0.0; the exported instance links");
  if (c) {
    weld_cfunc_t *run = weld_cinstance_func_by_name(c, "run");
    uint64_t w = 7, r = 0;
    CHECK(run && ok(weld_cfunc_call_flat(s, run, &w, &r, &trap), "run") && no_trap(trap, "run") && r == 701,
          "consumer2 used the other component's resource and function (%llu)", (unsigned long long)r);
    CHECK(lg.n == 1 && lg.v[0] == 1007, "the defining component's destructor ran");
  }
  weld_store_delete(s);
  weld_linker_delete(l1);
  weld_linker_delete(l2);
  weld_component_delete(prov);
  weld_component_delete(cons);
}

/* ---------------------------------------------------------------- InstancePre and timing */

static weld_trap_t *host_f(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                           size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)nresults;
  results[0].of.u32 = args[0].of.u32 + 1;
  return NULL;
}

static weld_trap_t *host_f_flat(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller;
  results[0] = args[0] + 1;
  return NULL;
}

/* ns per iteration of `body` */
#define TIME(n, body)                               \
  ({                                                \
    double t0_ = now();                             \
    for (long i_ = 0; i_ < (n); i_++) { body; }     \
    (now() - t0_) * 1e9 / (double)(n);              \
  })

static void test_pre_and_timing(void) {
  weld_component_t *c = load("basic.wasm");
  if (!c) return;
  weld_linker_t *l = weld_linker_new(g_engine);
  weld_ckind_t u32 = WELD_CK_U32;
  CHECK(ok(weld_linker_func_flat(weld_linker_root(l), "host-f", &u32, 1, &u32, 1, host_f_flat, NULL, NULL), "def"), "define");
  weld_instance_pre_t *pre = NULL;
  CHECK(ok(weld_linker_instantiate_pre(l, c, &pre), "pre") && pre, "instantiate_pre");
  weld_linker_delete(l); /* the pre keeps what it needs */
  weld_component_delete(c); /* ... and so do the instances */
  if (!pre) return;
  weld_store_t *s = weld_store_new(g_engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  int n = 0;
  for (int i = 0; i < 50; i++) n += ok(weld_instance_pre_instantiate(pre, s, &inst, &trap), "inst") && !trap;
  CHECK(n == 50, "50 instances from one InstancePre");
  weld_store_delete(s);
  /* instantiation time (fresh store per batch so memory stays bounded) */
  long iters = g_bench ? 20000 : 2000;
  s = weld_store_new(g_engine);
  double ns = TIME(iters, {
    if (i_ % 500 == 0) {
      weld_store_delete(s);
      s = weld_store_new(g_engine);
    }
    weld_error_t *e = weld_instance_pre_instantiate(pre, s, &inst, &trap);
    if (e) weld_error_delete(e);
  });
  printf("  instantiate (InstancePre, small component): %.0f ns\n", ns);
  CHECK(ns < (g_bench ? 10000 : 200000), "instantiation took %.0f ns", ns);
  CHECK(ok(weld_instance_pre_instantiate(pre, s, &inst, &trap), "inst") && !trap, "instance");
  weld_cfunc_t *add = weld_cinstance_func_by_name(inst, "add"), *ch = weld_cinstance_func_by_name(inst, "callhost");
  iters = g_bench ? 5000000 : 200000;
  uint64_t w[2] = {1, 2}, r = 0, sum = 0;
  ns = TIME(iters, {
    weld_cfunc_call_flat(s, add, w, &r, &trap);
    sum += r;
  });
  printf("  typed host->guest call add(u32,u32)->u32: %.1f ns\n", ns);
  CHECK(sum == 3 * (uint64_t)iters && ns < (g_bench ? 30 : 5000), "typed call %.1f ns", ns);
  weld_cval_t a[2] = {{.kind = WELD_CK_U32}, {.kind = WELD_CK_U32}}, res;
  a[0].of.u32 = 1;
  a[1].of.u32 = 2;
  sum = 0;
  ns = TIME(iters, {
    weld_cfunc_call(s, add, a, 2, &res, 1, &trap);
    sum += res.of.u32;
  });
  printf("  dynamic host->guest call add(u32,u32)->u32: %.1f ns\n", ns);
  CHECK(sum == 3 * (uint64_t)iters && ns < (g_bench ? 100 : 10000), "dynamic call %.1f ns", ns);
  /* guest->host: callhost = host->guest + guest->host; subtract the host->guest part */
  uint64_t one = 5;
  double base = TIME(iters, { weld_cfunc_call_flat(s, add, w, &r, &trap); });
  ns = TIME(iters, { weld_cfunc_call_flat(s, ch, &one, &r, &trap); });
  CHECK(r == 6, "callhost");
  printf("  guest->host call of a flat host function: %.1f ns (host->guest->host %.1f ns)\n", ns - base, ns);
  CHECK(ns - base < (g_bench ? 20 : 5000), "guest->host %.1f ns", ns - base);
  weld_store_delete(s);
  weld_instance_pre_delete(pre);

  /* the same with a dynamic host function */
  c = load("basic.wasm");
  l = weld_linker_new(g_engine);
  CHECK(ok(weld_linker_func(weld_linker_root(l), "host-f", host_f, NULL, NULL), "def"), "define dynamic");
  s = weld_store_new(g_engine);
  CHECK(ok(weld_linker_instantiate(l, s, c, &inst, &trap), "inst") && !trap, "instance");
  ch = weld_cinstance_func_by_name(inst, "callhost");
  add = weld_cinstance_func_by_name(inst, "add");
  base = TIME(iters, { weld_cfunc_call_flat(s, add, w, &r, &trap); });
  ns = TIME(iters, { weld_cfunc_call_flat(s, ch, &one, &r, &trap); });
  CHECK(r == 6, "callhost dynamic");
  printf("  guest->host call of a dynamic host function: %.1f ns\n", ns - base);
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);
}

int main(int argc, char **argv) {
  g_bench = argc > 1 && strcmp(argv[1], "--bench") == 0;
  g_engine = weld_engine_new(NULL);
  test_link();
  test_link_export();
  test_pre_and_timing();
  weld_engine_delete(g_engine);
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}
