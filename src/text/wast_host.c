/* wast_host.c — the embedder imports that component test scripts expect
 * (testsuite/HOST.md "Component scripts"), defined in a component linker through the
 * public embedding API only (weld/component.h), as any embedder would:
 *
 *   root:  host-return-two: func() -> u32 (2);  host-echo-u32: func(v: u32) -> u32
 *   host:  return-three, return-hi, nested { return-four }, simple-module (core module:
 *          global g = 100, func f -> 101), resource1 / resource2 / resource1-again (host
 *          resource types; resource1's destructor counts drops and remembers the last rep),
 *          [constructor]resource1, [static]resource1.assert / .last-drop / .drops,
 *          [method]resource1.simple / .take-borrow / .take-own.
 *
 * The async host functions of HOST.md (never-return, return-two-slowly, echo-slowly,
 * [method]resource1.never-return) are not defined: weld runs the synchronous Component
 * Model only, and the scripts that import them are skipped for needing async.  host-echo-u32
 * is defined as a synchronous function.  Owned handles a host function receives are
 * released without running the destructor (the host keeps the rep), as wasmtime's test
 * host does with its `Resource<T>` arguments. */
#include "base/alloc.h"
#include "text/wast_internal.h"
#include <stdio.h>
#include <string.h>

struct text_wast_host {
  weld_resource_type_t *r1, *r2;
  uint32_t drops, last_drop; /* resource1 */
  weld_module_t *simple;
};

/* (module (global (export "g") i32 (i32.const 100))
 *         (func (export "f") (result i32) (i32.const 101))) */
static const uint8_t simple_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                   /* preamble */
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,                         /* type: [] -> [i32] */
    0x03, 0x02, 0x01, 0x00,                                           /* func: type 0 */
    0x06, 0x07, 0x01, 0x7f, 0x00, 0x41, 0xe4, 0x00, 0x0b,             /* global i32 = 100 */
    0x07, 0x09, 0x02, 0x01, 'g', 0x03, 0x00, 0x01, 'f', 0x00, 0x00,   /* exports g, f */
    0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe5, 0x00, 0x0b,             /* body: i32.const 101 */
};

static void r1_dtor(void *env, uint32_t rep) {
  text_wast_host_t *h = env;
  h->drops++;
  h->last_drop = rep;
}

/* ------------------------------------------------------------------ flat functions */

static weld_trap_t *return_const(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = (uint64_t)(uintptr_t)env;
  return NULL;
}

static weld_trap_t *echo_u32(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller;
  results[0] = args[0];
  return NULL;
}

static weld_trap_t *r1_last_drop(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = ((text_wast_host_t *)env)->last_drop;
  return NULL;
}

static weld_trap_t *r1_drops(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)caller, (void)args;
  results[0] = ((text_wast_host_t *)env)->drops;
  return NULL;
}

/* ------------------------------------------------------------------ dynamic functions */

static weld_trap_t *host_trap(const char *fmt, uint32_t a, uint32_t b) {
  char msg[160];
  snprintf(msg, sizeof msg, fmt, a, b);
  return weld_trap_new(WELD_TRAP_HOST, msg);
}

/* A handle argument of the kind wanted (own or borrow) of resource1, and its rep. */
static weld_trap_t *handle_arg(text_wast_host_t *h, const weld_cval_t *v, bool own, uint32_t *rep) {
  if (v->kind != (own ? WELD_CK_OWN : WELD_CK_BORROW) || !v->of.resource)
    return weld_trap_new(WELD_TRAP_HOST, own ? "expected an own handle" : "expected a borrow handle");
  if (weld_resource_is_own(v->of.resource) != own)
    return weld_trap_new(WELD_TRAP_HOST, own ? "the handle is not owned" : "the handle is not a borrow");
  if (weld_resource_host_type(v->of.resource) != h->r1)
    return weld_trap_new(WELD_TRAP_HOST, "the handle is not a resource1");
  weld_error_t *e = weld_resource_rep(v->of.resource, rep);
  if (e) {
    weld_trap_t *t = weld_trap_new(WELD_TRAP_HOST, weld_error_message(e));
    weld_error_delete(e);
    return t;
  }
  return NULL;
}

static bool arg_u32(const weld_cval_t *args, size_t nargs, size_t i, uint32_t *out) {
  if (i >= nargs || args[i].kind != WELD_CK_U32) return false;
  *out = args[i].of.u32;
  return true;
}

static weld_trap_t *return_hi(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                              weld_cval_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs;
  if (nresults != 1) return weld_trap_new(WELD_TRAP_HOST, "return-hi: expected one result");
  if (!weld_cval_string(&results[0], "hi", 2)) return weld_trap_new(WELD_TRAP_HOST, "out of memory");
  return NULL;
}

static weld_trap_t *r1_ctor(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                            weld_cval_t *results, size_t nresults) {
  text_wast_host_t *h = env;
  uint32_t rep;
  if (!arg_u32(args, nargs, 0, &rep) || nresults != 1) return weld_trap_new(WELD_TRAP_HOST, "[constructor]resource1: bad signature");
  weld_resource_t *r = weld_resource_new_own(weld_ccaller_store(caller), h->r1, rep);
  if (!r) return weld_trap_new(WELD_TRAP_HOST, "out of memory");
  results[0].kind = WELD_CK_OWN;
  results[0].of.resource = r;
  return NULL;
}

static weld_trap_t *r1_assert(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                              weld_cval_t *results, size_t nresults) {
  (void)caller, (void)results, (void)nresults;
  uint32_t rep, want;
  if (nargs != 2 || !arg_u32(args, nargs, 1, &want)) return weld_trap_new(WELD_TRAP_HOST, "[static]resource1.assert: bad signature");
  weld_trap_t *t = handle_arg(env, &args[0], true, &rep);
  if (args[0].kind == WELD_CK_OWN && args[0].of.resource) weld_resource_forget(args[0].of.resource);
  if (t) return t;
  if (rep != want) return host_trap("[static]resource1.assert: rep %u, expected %u", rep, want);
  return NULL;
}

static weld_trap_t *r1_simple(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                              weld_cval_t *results, size_t nresults) {
  (void)caller, (void)results, (void)nresults;
  uint32_t rep, want;
  if (nargs != 2 || !arg_u32(args, nargs, 1, &want)) return weld_trap_new(WELD_TRAP_HOST, "[method]resource1.simple: bad signature");
  weld_trap_t *t = handle_arg(env, &args[0], false, &rep);
  if (t) return t;
  if (rep != want) return host_trap("[method]resource1.simple: rep %u, expected %u", rep, want);
  return NULL;
}

static weld_trap_t *r1_take_borrow(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                   weld_cval_t *results, size_t nresults) {
  (void)caller, (void)results, (void)nresults;
  uint32_t rep;
  if (nargs != 2) return weld_trap_new(WELD_TRAP_HOST, "[method]resource1.take-borrow: bad signature");
  weld_trap_t *t = handle_arg(env, &args[0], false, &rep);
  if (!t) t = handle_arg(env, &args[1], false, &rep);
  return t;
}

static weld_trap_t *r1_take_own(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  (void)caller, (void)results, (void)nresults;
  uint32_t rep;
  if (nargs != 2) return weld_trap_new(WELD_TRAP_HOST, "[method]resource1.take-own: bad signature");
  weld_trap_t *t = handle_arg(env, &args[0], false, &rep);
  if (!t) t = handle_arg(env, &args[1], true, &rep);
  if (args[1].kind == WELD_CK_OWN && args[1].of.resource) weld_resource_forget(args[1].of.resource);
  return t;
}

/* ------------------------------------------------------------------ definitions */

#define TRY(x)                 \
  do {                         \
    if ((err = (x))) goto out; \
  } while (0)

static weld_error_t *flat_u32(weld_linker_instance_t *li, const char *name, weld_chost_flat_fn_t fn, void *env,
                              bool has_param) {
  weld_ckind_t u32 = WELD_CK_U32;
  return weld_linker_func_flat(li, name, &u32, has_param ? 1 : 0, &u32, 1, fn, env, NULL);
}

weld_error_t *text_wast_host_new(weld_engine_t *engine, weld_linker_t *linker, text_wast_host_t **out) {
  *out = NULL;
  text_wast_host_t *h = base_calloc(1, sizeof *h);
  if (!h) return base_error_oom();
  weld_error_t *err = NULL;
  weld_linker_instance_t *root = weld_linker_root(linker), *host, *nested;
  h->r1 = weld_resource_type_new("resource1", r1_dtor, h);
  h->r2 = weld_resource_type_new("resource2", NULL, NULL);
  if (!h->r1 || !h->r2) {
    err = base_error_oom();
    goto out;
  }
  TRY(weld_module_new(engine, simple_module, sizeof simple_module, &h->simple));

  TRY(flat_u32(root, "host-return-two", return_const, (void *)(uintptr_t)2, false));
  TRY(flat_u32(root, "host-echo-u32", echo_u32, NULL, true));

  TRY(weld_linker_instance(root, "host", &host));
  TRY(flat_u32(host, "return-three", return_const, (void *)(uintptr_t)3, false));
  TRY(weld_linker_func(host, "return-hi", return_hi, NULL, NULL));
  TRY(weld_linker_instance(host, "nested", &nested));
  TRY(flat_u32(nested, "return-four", return_const, (void *)(uintptr_t)4, false));
  TRY(weld_linker_module(host, "simple-module", h->simple));
  TRY(weld_linker_resource(host, "resource1", h->r1));
  TRY(weld_linker_resource(host, "resource2", h->r2));
  TRY(weld_linker_resource(host, "resource1-again", h->r1));
  TRY(weld_linker_func(host, "[constructor]resource1", r1_ctor, h, NULL));
  TRY(weld_linker_func(host, "[static]resource1.assert", r1_assert, h, NULL));
  TRY(flat_u32(host, "[static]resource1.last-drop", r1_last_drop, h, false));
  TRY(flat_u32(host, "[static]resource1.drops", r1_drops, h, false));
  TRY(weld_linker_func(host, "[method]resource1.simple", r1_simple, h, NULL));
  TRY(weld_linker_func(host, "[method]resource1.take-borrow", r1_take_borrow, h, NULL));
  TRY(weld_linker_func(host, "[method]resource1.take-own", r1_take_own, h, NULL));
out:
  if (err) {
    text_wast_host_delete(h);
    return base_error_wrap(err, "cannot define the component host imports");
  }
  *out = h;
  return NULL;
}

void text_wast_host_delete(text_wast_host_t *h) {
  if (!h) return;
  if (h->r1) weld_resource_type_delete(h->r1);
  if (h->r2) weld_resource_type_delete(h->r2);
  if (h->simple) weld_module_delete(h->simple);
  base_free(h, sizeof *h);
}
