/* test_api.c — the public embedding API (include/weld.h) end to end: engines, stores,
 * modules (decode errors, validation, reflection, files), host functions, calls and their
 * misuse errors, memories, tables, globals, instantiation (import matching per core spec
 * §4.5.2, segment initialisation and its traps per §4.5.4), traps with codes and messages,
 * fuel, interrupts from another thread, store limits, and allocation-failure injection.
 *
 * Modules are hand-encoded with the small builder below (binary format, core spec §5).
 * Prints "N passed, N failed" last. */
#include "weld.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../test.h"
/* An error that must be NULL; prints it otherwise. */
#define OK(e)                                                                 \
  do {                                                                        \
    weld_error_t *e_ = (e);                                                   \
    if (!e_) g_pass++;                                                        \
    else {                                                                    \
      g_fail++;                                                               \
      fprintf(stderr, "%s:%d: unexpected error: %s\n", __FILE__, __LINE__,    \
              weld_error_message(e_));                                        \
      weld_error_delete(e_);                                                  \
    }                                                                         \
  } while (0)
/* An error that must be non-NULL and contain `sub`. */
#define ERR(e, sub)                                                           \
  do {                                                                        \
    weld_error_t *e_ = (e);                                                   \
    if (e_ && strstr(weld_error_message(e_), sub)) g_pass++;                  \
    else {                                                                    \
      g_fail++;                                                               \
      fprintf(stderr, "%s:%d: expected error containing \"%s\", got %s\n",    \
              __FILE__, __LINE__, sub, e_ ? weld_error_message(e_) : "none"); \
    }                                                                         \
    weld_error_delete(e_);                                                    \
  } while (0)

/* ---------------------------------------------------------------- module builder */

typedef struct {
  uint8_t d[8192];
  size_t n;
} B;

static void put(B *b, const void *p, size_t n) {
  if (n == 0) return;
  if (b->n + n > sizeof b->d) abort();
  memcpy(b->d + b->n, p, n);
  b->n += n;
}
#define PUT(b, ...) put(b, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))
static void uleb(B *b, uint64_t v) {
  do {
    uint8_t c = v & 0x7f;
    v >>= 7;
    if (v) c |= 0x80;
    put(b, &c, 1);
  } while (v);
}
static void sleb(B *b, int64_t v) {
  for (;;) {
    uint8_t c = v & 0x7f;
    v >>= 7;
    if ((v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40))) {
      put(b, &c, 1);
      return;
    }
    c |= 0x80;
    put(b, &c, 1);
  }
}
static void name(B *b, const char *s) {
  uleb(b, strlen(s));
  put(b, s, strlen(s));
}
static void header(B *m) { PUT(m, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00); }
static void section(B *m, uint8_t id, const B *body) {
  put(m, &id, 1);
  uleb(m, body->n);
  put(m, body->d, body->n);
}
/* A code-section entry: no locals, then the body bytes (which must end with 0x0b). */
static void code(B *sec, const B *body) {
  uleb(sec, body->n + 1);
  PUT(sec, 0x00);
  put(sec, body->d, body->n);
}

enum { I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b, FREF = 0x70, XREF = 0x6f };

/* Function type entry "0x60 params results" given as counts + bytes. */
static void functype(B *b, int np, const uint8_t *p, int nr, const uint8_t *r) {
  PUT(b, 0x60);
  uleb(b, (uint64_t)np);
  put(b, p, (size_t)np);
  uleb(b, (uint64_t)nr);
  put(b, r, (size_t)nr);
}

static weld_module_t *compile(weld_engine_t *e, const B *m) {
  weld_module_t *mod = NULL;
  weld_error_t *err = weld_module_new(e, m->d, m->n, &mod);
  if (err) {
    fprintf(stderr, "module error: %s\n", weld_error_message(err));
    weld_error_delete(err);
  }
  return mod;
}

/* Calls f: 0 on success, the trap code on a trap (its message in g_msg), -1 on an error. */
static char g_msg[512];
static int call(weld_store_t *s, weld_func_t *f, const weld_val_t *args, size_t nargs, weld_val_t *res,
                size_t nres) {
  weld_trap_t *trap = NULL;
  g_msg[0] = 0;
  if (!f) {
    fprintf(stderr, "  call: no such function\n");
    return -1;
  }
  weld_error_t *err = weld_func_call(s, f, args, nargs, res, nres, &trap);
  if (err) {
    snprintf(g_msg, sizeof g_msg, "%s", weld_error_message(err));
    fprintf(stderr, "  call: unexpected error: %s\n", g_msg);
    weld_error_delete(err);
    return -1;
  }
  if (!trap) return 0;
  snprintf(g_msg, sizeof g_msg, "%s", weld_trap_message(trap));
  int code = (int)weld_trap_code(trap);
  if (getenv("WELD_TEST_VERBOSE")) fprintf(stderr, "  call: trap %d: %s\n", code, g_msg);
  weld_trap_delete(trap);
  return code;
}

static weld_func_t *export_func(weld_instance_t *inst, const char *n) {
  weld_extern_t x;
  if (!weld_instance_export(inst, n, strlen(n), &x) || x.kind != WELD_EXTERN_FUNC) return NULL;
  return x.of.func;
}

/* ---------------------------------------------------------------- host functions */

typedef struct {
  int calls;
  int finalized;
  int32_t last;
} host_env_t;

static weld_trap_t *host_add(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                             weld_val_t *results, size_t nresults) {
  (void)caller;
  host_env_t *h = env;
  h->calls++;
  if (nargs != 2 || nresults != 1 || args[0].kind != WELD_I32 || args[1].kind != WELD_I32)
    return weld_trap_new(WELD_TRAP_HOST, "bad host call");
  h->last = args[0].of.i32;
  results[0] = weld_val_i32(args[0].of.i32 + args[1].of.i32);
  return NULL;
}

static weld_trap_t *host_fail(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                              weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return weld_trap_new(WELD_TRAP_HOST, "host says no");
}

static void host_finalize(void *env) { ((host_env_t *)env)->finalized++; }

static weld_functype_t *ft_ii_i(void) {
  weld_valkind_t p[2] = {WELD_I32, WELD_I32}, r[1] = {WELD_I32};
  return weld_functype_new(p, 2, r, 1);
}

/* ---------------------------------------------------------------- tests */

static void test_engine_store(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  CHECK(e != NULL);
  weld_store_t *s = weld_store_new(e);
  CHECK(s && weld_store_engine(s) == e);
  CHECK(weld_store_get_fuel(s) == UINT64_MAX); /* disabled: unlimited */
  weld_store_set_fuel(s, 42);
  CHECK(weld_store_get_fuel(s) == 42);
  weld_store_disable_fuel(s);
  CHECK(weld_store_get_fuel(s) == UINT64_MAX);
  weld_store_interrupt(s);
  weld_store_clear_interrupt(s);
  weld_store_delete(s);
  weld_engine_delete(e);
  weld_config_t cfg = {.value_stack_slots = 1024, .max_call_depth = 50, .bounds_checks = true};
  e = weld_engine_new(&cfg);
  CHECK(e != NULL);
  weld_engine_delete(e);
  weld_engine_delete(NULL);
  weld_store_delete(NULL);
}

static void test_functype(void) {
  weld_valkind_t p[3] = {WELD_I32, WELD_F64, WELD_EXTERNREF}, r[2] = {WELD_V128, WELD_FUNCREF};
  weld_functype_t *t = weld_functype_new(p, 3, r, 2);
  CHECK(t != NULL);
  CHECK(weld_functype_param_count(t) == 3 && weld_functype_result_count(t) == 2);
  CHECK(weld_functype_param(t, 1) == WELD_F64 && weld_functype_param(t, 2) == WELD_EXTERNREF);
  CHECK(weld_functype_result(t, 0) == WELD_V128 && weld_functype_result(t, 1) == WELD_FUNCREF);
  weld_functype_delete(t);
  weld_valkind_t bad[1] = {(weld_valkind_t)99};
  CHECK(weld_functype_new(bad, 1, NULL, 0) == NULL);
  t = weld_functype_new(NULL, 0, NULL, 0);
  CHECK(t && weld_functype_param_count(t) == 0);
  weld_functype_delete(t);
  CHECK(strcmp(weld_valkind_name(WELD_EXTERNREF), "externref") == 0);
  CHECK(strcmp(weld_valkind_name(WELD_V128), "v128") == 0);
}

static void test_module_errors(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_module_t *mod = (weld_module_t *)1;
  static const uint8_t junk[] = {0x00, 0x61, 0x73, 0x6e, 1, 0, 0, 0};
  weld_error_t *err = weld_module_new(e, junk, sizeof junk, &mod);
  CHECK(err != NULL && mod == NULL);
  CHECK(err && weld_error_offset(err) != (size_t)-1);
  weld_error_delete(err);
  static const uint8_t trunc[] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1};
  CHECK((err = weld_module_validate(e, trunc, sizeof trunc)) != NULL);
  weld_error_delete(err);
  B m = {0};
  header(&m);
  OK(weld_module_validate(e, m.d, m.n));
  OK(weld_module_new(e, m.d, m.n, &mod));
  CHECK(mod && weld_module_import_count(mod) == 0 && weld_module_export_count(mod) == 0);
  weld_module_delete(mod);
  /* Invalid function body: i32.add with an empty stack (caught by the validator). */
  B t = {0}, f = {0}, c = {0}, body = {0};
  m.n = 0;
  header(&m);
  PUT(&t, 1);
  functype(&t, 0, NULL, 1, (const uint8_t[]){I32});
  section(&m, 1, &t);
  PUT(&f, 1, 0);
  section(&m, 3, &f);
  PUT(&body, 0x6a, 0x0b);
  PUT(&c, 1);
  code(&c, &body);
  section(&m, 10, &c);
  CHECK((err = weld_module_validate(e, m.d, m.n)) != NULL);
  weld_error_delete(err);
  /* Files. */
  ERR(weld_module_from_file(e, "/nonexistent/dir/x.wasm", &mod), "/nonexistent/dir/x.wasm");
  char path[] = "/tmp/weld_test_api_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    B ok = {0};
    header(&ok);
    CHECK(write(fd, ok.d, ok.n) == (ssize_t)ok.n);
    close(fd);
    mod = NULL;
    OK(weld_module_from_file(e, path, &mod));
    CHECK(mod != NULL);
    weld_module_delete(mod);
    fd = open(path, O_WRONLY | O_TRUNC);
    if (fd >= 0) {
      CHECK(write(fd, junk, sizeof junk) == (ssize_t)sizeof junk);
      close(fd);
    }
    ERR(weld_module_from_file(e, path, &mod), path);
    unlink(path);
  }
  weld_engine_delete(e);
}

/* Module with one import of each kind and one export of each kind:
 *   (import "env" "add" (func (param i32 i32) (result i32)))
 *   (import "env" "tab" (table 1 5 funcref))
 *   (import "env" "mem" (memory 1))
 *   (import "env" "g" (global (mut i64)))
 *   (table 2 externref) (memory 0 3) (global f32 (f32.const 1.5))
 *   (func $f (param i32 i32) (result i32) local.get 0 local.get 1 call 0)
 *   exports "f" "t" "m" "gl" "add2" (the import re-exported) */
static void build_reflect(B *m) {
  B s = {0};
  header(m);
  PUT(&s, 1);
  functype(&s, 2, (const uint8_t[]){I32, I32}, 1, (const uint8_t[]){I32});
  section(m, 1, &s);
  s.n = 0;
  PUT(&s, 4);
  name(&s, "env"), name(&s, "add"), PUT(&s, 0x00, 0x00);
  name(&s, "env"), name(&s, "tab"), PUT(&s, 0x01, FREF, 0x01, 1, 5);
  name(&s, "env"), name(&s, "mem"), PUT(&s, 0x02, 0x00, 1);
  name(&s, "env"), name(&s, "g"), PUT(&s, 0x03, I64, 1);
  section(m, 2, &s);
  s.n = 0;
  PUT(&s, 1, 0);
  section(m, 3, &s);
  s.n = 0;
  PUT(&s, 1, XREF, 0x00, 2);
  section(m, 4, &s);
  s.n = 0;
  PUT(&s, 1, 0x01, 0, 3);
  section(m, 5, &s);
  s.n = 0;
  PUT(&s, 1, F32, 0, 0x43, 0x00, 0x00, 0xc0, 0x3f, 0x0b);
  section(m, 6, &s);
  s.n = 0;
  PUT(&s, 5);
  name(&s, "f"), PUT(&s, 0x00, 1);
  name(&s, "t"), PUT(&s, 0x01, 1);
  name(&s, "m"), PUT(&s, 0x02, 1);
  name(&s, "gl"), PUT(&s, 0x03, 1);
  name(&s, "add2"), PUT(&s, 0x00, 0);
  section(m, 7, &s);
  s.n = 0;
  B body = {0};
  PUT(&body, 0x20, 0, 0x20, 1, 0x10, 0, 0x0b);
  PUT(&s, 1);
  code(&s, &body);
  section(m, 10, &s);
}

static void test_reflection(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  B m = {0};
  build_reflect(&m);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  if (!mod) {
    weld_engine_delete(e);
    return;
  }
  CHECK(weld_module_import_count(mod) == 4);
  weld_import_desc_t im;
  weld_module_import(mod, 0, &im);
  CHECK(im.module_len == 3 && memcmp(im.module, "env", 3) == 0 && im.name_len == 3 &&
        memcmp(im.name, "add", 3) == 0);
  CHECK(im.type.kind == WELD_EXTERN_FUNC && im.type.func &&
        weld_functype_param_count(im.type.func) == 2 && weld_functype_result(im.type.func, 0) == WELD_I32);
  weld_module_import(mod, 1, &im);
  CHECK(im.type.kind == WELD_EXTERN_TABLE && im.type.table.elem == WELD_FUNCREF &&
        im.type.table.limits.min == 1 && im.type.table.limits.has_max && im.type.table.limits.max == 5);
  weld_module_import(mod, 2, &im);
  CHECK(im.type.kind == WELD_EXTERN_MEMORY && im.type.memory.limits.min == 1 && !im.type.memory.limits.has_max);
  weld_module_import(mod, 3, &im);
  CHECK(im.type.kind == WELD_EXTERN_GLOBAL && im.type.global.type == WELD_I64 && im.type.global.mutable_);
  CHECK(weld_module_export_count(mod) == 5);
  weld_export_desc_t ex;
  weld_module_export(mod, 0, &ex);
  CHECK(ex.name_len == 1 && ex.name[0] == 'f' && ex.type.kind == WELD_EXTERN_FUNC && ex.type.func &&
        weld_functype_param_count(ex.type.func) == 2);
  weld_module_export(mod, 1, &ex);
  CHECK(ex.type.kind == WELD_EXTERN_TABLE && ex.type.table.elem == WELD_EXTERNREF && ex.type.table.limits.min == 2);
  weld_module_export(mod, 2, &ex);
  CHECK(ex.type.kind == WELD_EXTERN_MEMORY && ex.type.memory.limits.max == 3);
  weld_module_export(mod, 3, &ex);
  CHECK(ex.type.kind == WELD_EXTERN_GLOBAL && ex.type.global.type == WELD_F32 && !ex.type.global.mutable_);
  weld_module_export(mod, 4, &ex);
  CHECK(ex.name_len == 4 && ex.type.kind == WELD_EXTERN_FUNC);
  weld_module_export(mod, 99, &ex); /* out of range: zeroed, no crash */
  CHECK(ex.name == NULL);

  /* Instantiate it with matching imports, then call through the re-export chain. */
  weld_store_t *s = weld_store_new(e);
  host_env_t h = {0};
  weld_functype_t *ft = ft_ii_i();
  weld_func_t *add = weld_func_new(s, ft, host_add, &h, host_finalize);
  weld_functype_delete(ft);
  CHECK(add != NULL);
  weld_table_t *tab;
  weld_memory_t *mem;
  weld_global_t *g;
  weld_val_t nullref = {.kind = WELD_FUNCREF};
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){2, 4, true}, nullref, &tab));
  OK(weld_memory_new(s, (weld_limits_t){1, 0, false}, &mem));
  OK(weld_global_new(s, weld_val_i64(7), true, &g));
  weld_extern_t imports[4] = {{WELD_EXTERN_FUNC, {.func = add}}, {WELD_EXTERN_TABLE, {.table = tab}},
                              {WELD_EXTERN_MEMORY, {.memory = mem}}, {WELD_EXTERN_GLOBAL, {.global = g}}};
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  OK(weld_instance_new(s, mod, imports, 4, &inst, &trap));
  CHECK(inst && !trap);
  if (inst) {
    CHECK(weld_instance_module(inst) == mod);
    CHECK(weld_instance_export_count(inst) == 5);
    const char *nm;
    size_t nl;
    weld_extern_t x;
    weld_instance_export_nth(inst, 4, &nm, &nl, &x);
    CHECK(nl == 4 && memcmp(nm, "add2", 4) == 0 && x.kind == WELD_EXTERN_FUNC && x.of.func == add);
    CHECK(!weld_instance_export(inst, "nope", 4, &x));
    CHECK(weld_instance_export(inst, "gl", 2, &x) && x.kind == WELD_EXTERN_GLOBAL);
    if (x.kind == WELD_EXTERN_GLOBAL) {
      weld_val_t v = weld_global_get(x.of.global);
      CHECK(v.kind == WELD_F32 && v.of.f32 == 1.5f);
      ERR(weld_global_set(x.of.global, v), "immutable");
    }
    CHECK(weld_instance_export(inst, "t", 1, &x) && x.kind == WELD_EXTERN_TABLE &&
          weld_table_size(x.of.table) == 2 && weld_table_elem_kind(x.of.table) == WELD_EXTERNREF);
    CHECK(weld_instance_export(inst, "m", 1, &x) && x.kind == WELD_EXTERN_MEMORY &&
          weld_memory_pages(x.of.memory) == 0);
    weld_func_t *f = export_func(inst, "f");
    CHECK(f != NULL);
    const weld_functype_t *fty = weld_func_type(f);
    CHECK(fty && weld_functype_param_count(fty) == 2 && weld_functype_result_count(fty) == 1);
    weld_val_t args[2] = {weld_val_i32(40), weld_val_i32(2)}, res[1];
    CHECK(call(s, f, args, 2, res, 1) == 0 && res[0].kind == WELD_I32 && res[0].of.i32 == 42 &&
          h.calls == 1 && h.last == 40);
    /* The host function directly. */
    CHECK(call(s, add, args, 2, res, 1) == 0 && res[0].of.i32 == 42 && h.calls == 2);
  }
  /* The module handle can go before the store: instances keep it alive. */
  weld_module_delete(mod);
  weld_store_delete(s);
  CHECK(h.finalized == 1);
  weld_engine_delete(e);
}

/* Misuse of weld_func_call gives errors, not crashes. */
static void test_call_errors(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_store_t *s = weld_store_new(e), *s2 = weld_store_new(e);
  host_env_t h = {0};
  weld_functype_t *ft = ft_ii_i();
  weld_func_t *add = weld_func_new(s, ft, host_add, &h, NULL);
  weld_func_t *other = weld_func_new(s2, ft, host_add, &h, NULL);
  weld_functype_delete(ft);
  CHECK(weld_func_new(s, NULL, host_add, NULL, NULL) == NULL);
  weld_val_t args[3] = {weld_val_i32(1), weld_val_i32(2), weld_val_i32(3)}, res[2];
  weld_trap_t *trap = NULL;
  ERR(weld_func_call(s, add, args, 1, res, 1, &trap), "wrong number of arguments");
  ERR(weld_func_call(s, add, args, 3, res, 1, &trap), "wrong number of arguments");
  ERR(weld_func_call(s, add, args, 2, res, 2, &trap), "wrong number of results");
  weld_val_t bad[2] = {weld_val_i32(1), weld_val_i64(2)};
  ERR(weld_func_call(s, add, bad, 2, res, 1, &trap), "type mismatch");
  ERR(weld_func_call(s, other, args, 2, res, 1, &trap), "another store");
  ERR(weld_func_call(s, add, args, 2, res, 1, NULL), "invalid argument");
  CHECK(trap == NULL && h.calls == 0);
  /* A host trap reaches the caller with its code and message. */
  weld_functype_t *empty = weld_functype_new(NULL, 0, NULL, 0);
  weld_func_t *fail = weld_func_new(s, empty, host_fail, NULL, NULL);
  weld_functype_delete(empty);
  CHECK(call(s, fail, NULL, 0, NULL, 0) == WELD_TRAP_HOST && strcmp(g_msg, "host says no") == 0);
  weld_store_delete(s2);
  weld_store_delete(s);
  weld_engine_delete(e);
}

static void test_traps(void) {
  weld_trap_t *t = weld_trap_new(WELD_TRAP_UNREACHABLE, "boom");
  CHECK(t && weld_trap_code(t) == WELD_TRAP_UNREACHABLE && strcmp(weld_trap_message(t), "boom") == 0);
  weld_trap_delete(t);
  t = weld_trap_new(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO, NULL);
  CHECK(t && strcmp(weld_trap_message(t), "integer divide by zero") == 0);
  weld_trap_delete(t);
  weld_trap_delete(NULL);

  /* (func $div (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
   * (func (unreachable))   with a name section naming func 0 "div" only. */
  weld_engine_t *e = weld_engine_new(NULL);
  B m = {0}, s = {0}, body = {0}, sub = {0};
  header(&m);
  PUT(&s, 2);
  functype(&s, 2, (const uint8_t[]){I32, I32}, 1, (const uint8_t[]){I32});
  functype(&s, 0, NULL, 0, NULL);
  section(&m, 1, &s);
  s.n = 0;
  PUT(&s, 2, 0, 1);
  section(&m, 3, &s);
  s.n = 0;
  PUT(&s, 2);
  name(&s, "div"), PUT(&s, 0x00, 0);
  name(&s, "unr"), PUT(&s, 0x00, 1);
  section(&m, 7, &s);
  s.n = 0;
  PUT(&s, 2);
  PUT(&body, 0x20, 0, 0x20, 1, 0x6d, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x00, 0x0b);
  code(&s, &body);
  section(&m, 10, &s);
  s.n = 0;
  name(&s, "name");
  PUT(&sub, 1, 0, 3, 'd', 'i', 'v');
  PUT(&s, 1);
  uleb(&s, sub.n);
  put(&s, sub.d, sub.n);
  section(&m, 0, &s);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  weld_store_t *st = weld_store_new(e);
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  if (mod) OK(weld_instance_new(st, mod, NULL, 0, &inst, &trap));
  if (inst) {
    weld_val_t args[2] = {weld_val_i32(7), weld_val_i32(0)}, res[1];
    CHECK(call(st, export_func(inst, "div"), args, 2, res, 1) == WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);
    CHECK(strstr(g_msg, "integer divide by zero") != NULL);
    CHECK(strstr(g_msg, "$div (func 0)") != NULL);
    fprintf(stderr, "  (trap message: %s)\n", g_msg);
    args[0] = weld_val_i32(INT32_MIN);
    args[1] = weld_val_i32(-1);
    CHECK(call(st, export_func(inst, "div"), args, 2, res, 1) == WELD_TRAP_INTEGER_OVERFLOW);
    args[0] = weld_val_i32(-9);
    args[1] = weld_val_i32(2);
    CHECK(call(st, export_func(inst, "div"), args, 2, res, 1) == 0 && res[0].of.i32 == -4);
    CHECK(call(st, export_func(inst, "unr"), NULL, 0, NULL, 0) == WELD_TRAP_UNREACHABLE);
    CHECK(strstr(g_msg, "unreachable") != NULL && strstr(g_msg, "func 1") != NULL);
  }
  weld_module_delete(mod);
  weld_store_delete(st);
  weld_engine_delete(e);
}

static void test_memory(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_store_t *s = weld_store_new(e);
  weld_memory_t *mem = NULL;
  OK(weld_memory_new(s, (weld_limits_t){1, 3, true}, &mem));
  CHECK(mem && weld_memory_pages(mem) == 1 && weld_memory_size(mem) == 65536);
  uint8_t *base = weld_memory_data(mem);
  CHECK(base[0] == 0 && base[65535] == 0);
  base[100] = 7;
  CHECK(weld_memory_grow(mem, 1) == 1);
  CHECK(weld_memory_data(mem) == base && weld_memory_pages(mem) == 2);
  CHECK(base[100] == 7 && base[65536] == 0 && base[2 * 65536 - 1] == 0);
  base[2 * 65536 - 1] = 9;
  CHECK(weld_memory_grow(mem, 2) == -1); /* over the maximum */
  CHECK(weld_memory_grow(mem, UINT64_MAX) == -1);
  CHECK(weld_memory_grow(mem, 0) == 2);
  CHECK(weld_memory_grow(mem, 1) == 2 && weld_memory_pages(mem) == 3);
  weld_limits_t l = weld_memory_type(mem);
  CHECK(l.min == 3 && l.has_max && l.max == 3);
  ERR(weld_memory_new(s, (weld_limits_t){2, 1, true}, &mem), "minimum");
  ERR(weld_memory_new(s, (weld_limits_t){65537, 0, false}, &mem), "65536");
  /* No maximum: up to 65536 pages. */
  OK(weld_memory_new(s, (weld_limits_t){0, 0, false}, &mem));
  CHECK(weld_memory_pages(mem) == 0 && weld_memory_grow(mem, 65537) == -1);
  CHECK(weld_memory_grow(mem, 16) == 0 && weld_memory_pages(mem) == 16);
  weld_store_delete(s);

  /* Store memory limit: creation and growth beyond it fail. */
  s = weld_store_new(e);
  weld_store_set_memory_limit(s, 4 * 65536);
  OK(weld_memory_new(s, (weld_limits_t){2, 0, false}, &mem));
  CHECK(weld_memory_grow(mem, 3) == -1);
  CHECK(weld_memory_grow(mem, 1) == 2);
  ERR(weld_memory_new(s, (weld_limits_t){2, 0, false}, &mem), "memory limit");
  weld_memory_t *m2 = NULL;
  OK(weld_memory_new(s, (weld_limits_t){1, 0, false}, &m2));
  CHECK(m2 && weld_memory_grow(m2, 1) == -1);
  weld_store_delete(s);

  /* Explicit bounds-check engines work the same way through the API. */
  weld_config_t cfg = {.bounds_checks = true};
  weld_engine_t *e2 = weld_engine_new(&cfg);
  s = weld_store_new(e2);
  OK(weld_memory_new(s, (weld_limits_t){1, 0, false}, &mem));
  base = weld_memory_data(mem);
  CHECK(weld_memory_grow(mem, 2) == 1 && weld_memory_data(mem) == base);
  base[3 * 65536 - 1] = 1;
  weld_store_delete(s);
  weld_engine_delete(e2);
  weld_engine_delete(e);
}

/* (memory (export "mem") 1 2) (data (i32.const 8) "hello")
 * (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
 * (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
 * (func (export "size") (result i32) memory.size)
 * (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store) */
static void build_memory_module(B *mp) {
  B m = {0}, s = {0}, body = {0};
  header(&m);
  PUT(&s, 4);
  functype(&s, 1, (const uint8_t[]){I32}, 1, (const uint8_t[]){I32});
  functype(&s, 0, NULL, 1, (const uint8_t[]){I32});
  functype(&s, 2, (const uint8_t[]){I32, I32}, 0, NULL);
  functype(&s, 0, NULL, 0, NULL);
  section(&m, 1, &s);
  s.n = 0;
  PUT(&s, 4, 0, 0, 1, 2);
  section(&m, 3, &s);
  s.n = 0;
  PUT(&s, 1, 0x01, 1, 2);
  section(&m, 5, &s);
  s.n = 0;
  PUT(&s, 5);
  name(&s, "mem"), PUT(&s, 0x02, 0);
  name(&s, "load"), PUT(&s, 0x00, 0);
  name(&s, "grow"), PUT(&s, 0x00, 1);
  name(&s, "size"), PUT(&s, 0x00, 2);
  name(&s, "store"), PUT(&s, 0x00, 3);
  section(&m, 7, &s);
  s.n = 0;
  PUT(&s, 4);
  PUT(&body, 0x20, 0, 0x2d, 0, 0, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x20, 0, 0x40, 0, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x3f, 0, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x20, 0, 0x20, 1, 0x36, 2, 0, 0x0b);
  code(&s, &body);
  section(&m, 10, &s);
  s.n = 0;
  PUT(&s, 1, 0, 0x41, 8, 0x0b, 5, 'h', 'e', 'l', 'l', 'o');
  section(&m, 11, &s);
  *mp = m;
}

static void test_memory_wasm(bool bounds_checks) {
  weld_config_t cfg = {.bounds_checks = bounds_checks};
  weld_engine_t *e = weld_engine_new(&cfg);
  B m = {0};
  build_memory_module(&m);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  weld_store_t *st = weld_store_new(e);
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  if (mod) OK(weld_instance_new(st, mod, NULL, 0, &inst, &trap));
  if (inst) {
    weld_extern_t x;
    CHECK(weld_instance_export(inst, "mem", 3, &x) && x.kind == WELD_EXTERN_MEMORY);
    weld_memory_t *mem = x.of.memory;
    CHECK(memcmp(weld_memory_data(mem) + 8, "hello", 5) == 0);
    weld_val_t a[2] = {weld_val_i32(9)}, r[1];
    CHECK(call(st, export_func(inst, "load"), a, 1, r, 1) == 0 && r[0].of.i32 == 'e');
    a[0] = weld_val_i32(65536);
    CHECK(call(st, export_func(inst, "load"), a, 1, r, 1) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
    CHECK(strstr(g_msg, "out of bounds memory access") != NULL);
    a[0] = weld_val_i32(-1);
    CHECK(call(st, export_func(inst, "load"), a, 1, r, 1) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
    a[0] = weld_val_i32(65534);
    a[1] = weld_val_i32(0x01020304);
    CHECK(call(st, export_func(inst, "store"), a, 2, NULL, 0) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
    a[0] = weld_val_i32(1);
    CHECK(call(st, export_func(inst, "grow"), a, 1, r, 1) == 0 && r[0].of.i32 == 1);
    CHECK(call(st, export_func(inst, "grow"), a, 1, r, 1) == 0 && r[0].of.i32 == -1);
    CHECK(call(st, export_func(inst, "size"), NULL, 0, r, 1) == 0 && r[0].of.i32 == 2 && weld_memory_pages(mem) == 2);
    a[0] = weld_val_i32(65534);
    CHECK(call(st, export_func(inst, "store"), a, 2, NULL, 0) == 0 && weld_memory_data(mem)[65534] == 4 && weld_memory_data(mem)[65537] == 1);
    /* The embedder writes at the end of the grown memory; wasm sees it. */
    if (weld_memory_pages(mem) == 2) {
      weld_memory_data(mem)[2 * 65536 - 1] = 0x5a;
      a[0] = weld_val_i32(2 * 65536 - 1);
      CHECK(call(st, export_func(inst, "load"), a, 1, r, 1) == 0 && r[0].of.i32 == 0x5a);
    }
  }
  weld_module_delete(mod);
  weld_store_delete(st);
  weld_engine_delete(e);
}

/* Freed guard-page memories are pooled by the engine and reused: a reused memory must be
 * all zero (small ones are cleared with memset, large ones with madvise), and exactly its
 * own size must be accessible (the pooled reservation may have been larger or smaller). */
static bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i]) return false;
  return true;
}

static void test_memory_pool(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  static const char wat[] = "(module (memory (export \"m\") 1)"
                            "  (func (export \"ld\") (param i32) (result i32) (i32.load8_u (local.get 0))))";
  uint8_t *bin = NULL;
  size_t len = 0;
  OK(weld_wat_to_wasm(wat, sizeof wat - 1, &bin, &len));
  weld_module_t *mod = NULL;
  OK(weld_module_new(e, bin, len, &mod));
  weld_free_bytes(bin, len);
  for (int round = 0; round < 6 && mod; round++) {
    /* round 0: fresh; 1..: reuse of a small (memset) then a large (madvise) memory */
    weld_store_t *s = weld_store_new(e);
    weld_memory_t *hm = NULL;
    OK(weld_memory_new(s, (weld_limits_t){.min = (uint64_t)(round % 3), .max = 16, .has_max = true}, &hm));
    CHECK(hm && all_zero(weld_memory_data(hm), weld_memory_size(hm)));
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    OK(weld_instance_new(s, mod, NULL, 0, &inst, &trap));
    CHECK(inst && !trap);
    weld_extern_t ex;
    weld_memory_t *m = inst && weld_instance_export(inst, "m", 1, &ex) && ex.kind == WELD_EXTERN_MEMORY ? ex.of.memory : NULL;
    CHECK(m && weld_memory_size(m) == 65536 && all_zero(weld_memory_data(m), 65536));
    weld_func_t *ld = NULL;
    if (inst && weld_instance_export(inst, "ld", 2, &ex) && ex.kind == WELD_EXTERN_FUNC) ld = ex.of.func;
    weld_val_t arg = {.kind = WELD_I32, .of.i32 = 65536}, res;
    OK(weld_func_call(s, ld, &arg, 1, &res, 1, &trap));
    CHECK(trap && weld_trap_code(trap) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
    weld_trap_delete(trap);
    if (m) {
      memset(weld_memory_data(m), 0xab, weld_memory_size(m));
      if (round % 2) { /* grow past the memset threshold, dirty everything */
        CHECK(weld_memory_grow(m, 7) == 1);
        memset(weld_memory_data(m), 0xcd, weld_memory_size(m));
      }
    }
    if (hm) memset(weld_memory_data(hm), 0xef, weld_memory_size(hm));
    weld_store_delete(s);
  }
  weld_module_delete(mod);
  weld_engine_delete(e);
}

static void test_tables_globals(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_store_t *s = weld_store_new(e), *s2 = weld_store_new(e);
  weld_table_t *t = NULL;
  weld_val_t xnull = {.kind = WELD_EXTERNREF}, fnull = {.kind = WELD_FUNCREF};
  OK(weld_table_new(s, WELD_EXTERNREF, (weld_limits_t){3, 5, true}, xnull, &t));
  CHECK(t && weld_table_size(t) == 3 && weld_table_elem_kind(t) == WELD_EXTERNREF);
  int cookie;
  weld_val_t x = {.kind = WELD_EXTERNREF, .of.externref = &cookie}, got;
  CHECK(weld_table_set(t, 2, x));
  CHECK(weld_table_get(t, 2, &got) && got.kind == WELD_EXTERNREF && got.of.externref == &cookie);
  CHECK(weld_table_get(t, 0, &got) && got.of.externref == NULL);
  CHECK(!weld_table_get(t, 3, &got));
  CHECK(!weld_table_set(t, 3, x));
  CHECK(!weld_table_set(t, 0, fnull)); /* wrong kind */
  CHECK(weld_table_grow(t, 2, x) == 3 && weld_table_size(t) == 5);
  CHECK(weld_table_get(t, 4, &got) && got.of.externref == &cookie);
  CHECK(weld_table_grow(t, 1, x) == -1);
  CHECK(weld_table_grow(t, 0, x) == 5);
  weld_limits_t l = weld_table_type(t);
  CHECK(l.min == 5 && l.has_max && l.max == 5);
  ERR(weld_table_new(s, WELD_I32, (weld_limits_t){1, 0, false}, weld_val_i32(0), &t), "funcref or externref");
  ERR(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){1, 0, false}, xnull, &t), "funcref");
  ERR(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){3, 2, true}, fnull, &t), "minimum");
  /* Funcrefs from another store are refused. */
  weld_functype_t *ft = ft_ii_i();
  host_env_t h = {0};
  weld_func_t *f2 = weld_func_new(s2, ft, host_add, &h, NULL);
  weld_func_t *f1 = weld_func_new(s, ft, host_add, &h, NULL);
  weld_functype_delete(ft);
  weld_val_t fr2 = {.kind = WELD_FUNCREF, .of.funcref = f2}, fr1 = {.kind = WELD_FUNCREF, .of.funcref = f1};
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){1, 0, false}, fr1, &t));
  CHECK(weld_table_get(t, 0, &got) && got.of.funcref == f1);
  CHECK(!weld_table_set(t, 0, fr2));
  CHECK(weld_table_grow(t, 1, fr2) == -1);
  weld_global_t *g2;
  ERR(weld_global_new(s, fr2, false, &g2), "another store");
  /* Table limits of the store. */
  weld_store_set_table_limit(s, 10);
  ERR(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){11, 0, false}, fnull, &t), "table limit");
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){8, 0, false}, fnull, &t));
  CHECK(weld_table_grow(t, 3, fnull) == -1 && weld_table_grow(t, 2, fnull) == 8);
  CHECK(weld_table_grow(t, UINT32_MAX, fnull) == -1);

  /* Globals of every kind. */
  weld_global_t *g;
  OK(weld_global_new(s, weld_val_i32(-5), true, &g));
  CHECK(weld_global_kind(g) == WELD_I32 && weld_global_mutable(g) && weld_global_get(g).of.i32 == -5);
  OK(weld_global_set(g, weld_val_i32(12)));
  CHECK(weld_global_get(g).of.i32 == 12);
  ERR(weld_global_set(g, weld_val_i64(12)), "type mismatch");
  OK(weld_global_new(s, weld_val_f64(2.25), false, &g));
  CHECK(weld_global_get(g).of.f64 == 2.25 && !weld_global_mutable(g));
  ERR(weld_global_set(g, weld_val_f64(1)), "immutable");
  weld_val_t nan = {.kind = WELD_F32};
  nan.of.f32_bits = 0x7fa00001u; /* NaN payload survives */
  OK(weld_global_new(s, nan, true, &g));
  CHECK(weld_global_get(g).of.f32_bits == 0x7fa00001u);
  weld_val_t v = {.kind = WELD_V128};
  for (int i = 0; i < 16; i++) v.of.v128[i] = (uint8_t)(i * 17);
  OK(weld_global_new(s, v, true, &g));
  got = weld_global_get(g);
  CHECK(got.kind == WELD_V128 && memcmp(got.of.v128, v.of.v128, 16) == 0);
  OK(weld_global_new(s, x, false, &g));
  CHECK(weld_global_get(g).of.externref == &cookie);
  weld_store_delete(s);
  weld_store_delete(s2);
  weld_engine_delete(e);
}

/* Import matching (§4.5.2) with a module importing one of each kind:
 * (import "env" "add" (func (param i32 i32) (result i32)))
 * (import "env" "tab" (table 1 5 funcref)) (import "env" "mem" (memory 1)) (import "env" "g" (global (mut i64))) */
static void test_import_matching(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  B m = {0};
  build_reflect(&m);
  weld_module_t *mod = compile(e, &m);
  weld_store_t *s = weld_store_new(e), *s2 = weld_store_new(e);
  host_env_t h = {0};
  weld_functype_t *ft = ft_ii_i();
  weld_valkind_t i64 = WELD_I64;
  weld_functype_t *ft2 = weld_functype_new(&i64, 1, NULL, 0);
  weld_func_t *add = weld_func_new(s, ft, host_add, &h, NULL);
  weld_func_t *wrong = weld_func_new(s, ft2, host_add, &h, NULL);
  weld_func_t *add_s2 = weld_func_new(s2, ft, host_add, &h, NULL);
  weld_functype_delete(ft);
  weld_functype_delete(ft2);
  weld_table_t *tab, *tab_nomax, *tab_bigmax, *tab_ext, *tab_small, *tab_grown;
  weld_memory_t *mem, *mem_small;
  weld_global_t *g, *g_imm, *g_i32;
  weld_val_t fnull = {.kind = WELD_FUNCREF}, xnull = {.kind = WELD_EXTERNREF};
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){1, 5, true}, fnull, &tab));
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){1, 0, false}, fnull, &tab_nomax));
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){1, 6, true}, fnull, &tab_bigmax));
  OK(weld_table_new(s, WELD_EXTERNREF, (weld_limits_t){1, 5, true}, xnull, &tab_ext));
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){0, 5, true}, fnull, &tab_small));
  OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){0, 5, true}, fnull, &tab_grown));
  CHECK(weld_table_grow(tab_grown, 1, fnull) == 0); /* current size counts, not the initial */
  OK(weld_memory_new(s, (weld_limits_t){1, 0, false}, &mem));
  OK(weld_memory_new(s, (weld_limits_t){0, 0, false}, &mem_small));
  OK(weld_global_new(s, weld_val_i64(1), true, &g));
  OK(weld_global_new(s, weld_val_i64(1), false, &g_imm));
  OK(weld_global_new(s, weld_val_i32(1), true, &g_i32));
  weld_extern_t good[4] = {{WELD_EXTERN_FUNC, {.func = add}}, {WELD_EXTERN_TABLE, {.table = tab}},
                           {WELD_EXTERN_MEMORY, {.memory = mem}}, {WELD_EXTERN_GLOBAL, {.global = g}}};
  weld_extern_t im[4];
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
#define TRY(i, field, val, expect_ok)                                                       \
  do {                                                                                      \
    memcpy(im, good, sizeof im);                                                            \
    im[i].of.field = val;                                                                   \
    inst = NULL;                                                                            \
    if (expect_ok) OK(weld_instance_new(s, mod, im, 4, &inst, &trap));                      \
    else ERR(weld_instance_new(s, mod, im, 4, &inst, &trap), "incompatible import type");   \
    CHECK((inst != NULL) == (expect_ok) && trap == NULL);                                   \
  } while (0)
  if (mod) {
    TRY(0, func, add, true);
    TRY(0, func, wrong, false);
    TRY(0, func, add_s2, false);
    TRY(1, table, tab_nomax, false);  /* required max 5, none provided */
    TRY(1, table, tab_bigmax, false); /* 6 > 5 */
    TRY(1, table, tab_ext, false);    /* element type */
    TRY(1, table, tab_small, false);  /* min 0 < 1 */
    TRY(1, table, tab_grown, true);   /* grown to 1 */
    TRY(2, memory, mem_small, false);
    CHECK(weld_memory_grow(mem_small, 1) == 0);
    TRY(2, memory, mem_small, true);
    TRY(3, global, g_imm, false);
    TRY(3, global, g_i32, false);
    /* Wrong kind and wrong count. */
    memcpy(im, good, sizeof im);
    im[0] = good[1];
    ERR(weld_instance_new(s, mod, im, 4, &inst, &trap), "expected a func");
    ERR(weld_instance_new(s, mod, good, 3, &inst, &trap), "wrong number of imports");
    /* The message names the import. */
    memcpy(im, good, sizeof im);
    im[3].of.global = g_imm;
    ERR(weld_instance_new(s, mod, im, 4, &inst, &trap), "\"env\" \"g\"");
  }
#undef TRY
  /* A module from another engine. */
  weld_engine_t *e2 = weld_engine_new(NULL);
  weld_store_t *s3 = weld_store_new(e2);
  if (mod) ERR(weld_instance_new(s3, mod, good, 4, &inst, &trap), "different engines");
  weld_store_delete(s3);
  weld_engine_delete(e2);
  weld_module_delete(mod);
  weld_store_delete(s);
  weld_store_delete(s2);
  weld_engine_delete(e);
}

/* Segment initialisation (§4.5.4): element segments, then data segments, in order; a
 * failing segment traps without writing, earlier ones stay written in imported objects.
 *   (import "env" "tab" (table 2 funcref)) (import "env" "mem" (memory 1))
 *   (func $f (result i32) i32.const 77)
 *   (elem (i32.const 0) $f)           ;; ok
 *   (elem (i32.const OFF_E) $f $f)     ;; OOB if OFF_E = 1
 *   (data (i32.const 0) "ab")          ;; ok
 *   (data (i32.const OFF_D) "cd")      ;; OOB if OFF_D = 65535 */
static void build_segments(B *m, uint8_t off_e, uint32_t off_d, bool start_trap) {
  B s = {0}, body = {0};
  header(m);
  PUT(&s, 2);
  functype(&s, 0, NULL, 1, (const uint8_t[]){I32});
  functype(&s, 0, NULL, 0, NULL);
  section(m, 1, &s);
  s.n = 0;
  PUT(&s, 2);
  name(&s, "env"), name(&s, "tab"), PUT(&s, 0x01, FREF, 0x00, 2);
  name(&s, "env"), name(&s, "mem"), PUT(&s, 0x02, 0x00, 1);
  section(m, 2, &s);
  s.n = 0;
  PUT(&s, 2, 0, 1);
  section(m, 3, &s);
  s.n = 0;
  PUT(&s, 1), name(&s, "f"), PUT(&s, 0x00, 0);
  section(m, 7, &s);
  s.n = 0;
  if (start_trap) { /* (start 1): the function that runs `unreachable` */
    PUT(&s, 1);
    section(m, 8, &s);
  }
  s.n = 0;
  PUT(&s, 2, 0x00, 0x41, 0, 0x0b, 1, 0, 0x00, 0x41, off_e, 0x0b, 2, 0, 0);
  section(m, 9, &s);
  s.n = 0;
  PUT(&s, 2);
  PUT(&body, 0x41, 0xcd, 0x00, 0x0b); /* i32.const 77 */
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x00, 0x0b);
  code(&s, &body);
  section(m, 10, &s);
  s.n = 0;
  PUT(&s, 2, 0x00, 0x41, 0, 0x0b, 2, 'a', 'b', 0x00, 0x41);
  sleb(&s, (int32_t)off_d);
  PUT(&s, 0x0b, 2, 'c', 'd');
  section(m, 11, &s);
}

static void test_segments(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_val_t fnull = {.kind = WELD_FUNCREF}, got;
  for (int c = 0; c < 4; c++) {
    /* c=0: all fine; c=1: elem OOB; c=2: data OOB; c=3: start traps */
    B m = {0};
    build_segments(&m, c == 1 ? 1 : 0, c == 2 ? 65535 : 100, c == 3);
    weld_module_t *mod = compile(e, &m);
    CHECK(mod != NULL);
    if (!mod) continue;
    weld_store_t *s = weld_store_new(e);
    weld_table_t *tab;
    weld_memory_t *mem;
    OK(weld_table_new(s, WELD_FUNCREF, (weld_limits_t){2, 0, false}, fnull, &tab));
    OK(weld_memory_new(s, (weld_limits_t){1, 0, false}, &mem));
    weld_extern_t im[2] = {{WELD_EXTERN_TABLE, {.table = tab}}, {WELD_EXTERN_MEMORY, {.memory = mem}}};
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    OK(weld_instance_new(s, mod, im, 2, &inst, &trap));
    uint8_t *d = weld_memory_data(mem);
    CHECK(weld_table_get(tab, 0, &got) && got.of.funcref != NULL); /* first segment always written */
    if (c == 0) {
      CHECK(inst && !trap);
      CHECK(d[0] == 'a' && d[100] == 'c' && d[101] == 'd');
      CHECK(weld_table_get(tab, 1, &got) && got.of.funcref != NULL);
      if (inst) {
        weld_val_t r;
        CHECK(call(s, export_func(inst, "f"), NULL, 0, &r, 1) == 0 && r.of.i32 == 77);
      }
    } else if (c == 1) {
      CHECK(!inst && trap && weld_trap_code(trap) == WELD_TRAP_TABLE_OUT_OF_BOUNDS);
      CHECK(weld_table_get(tab, 1, &got) && got.of.funcref == NULL); /* nothing partial */
      CHECK(d[0] == 0);                                              /* data not reached */
    } else if (c == 2) {
      CHECK(!inst && trap && weld_trap_code(trap) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
      CHECK(d[0] == 'a' && d[65535] == 0);
    } else {
      CHECK(!inst && trap && weld_trap_code(trap) == WELD_TRAP_UNREACHABLE);
      CHECK(d[0] == 'a' && d[100] == 'c');
    }
    if (trap && c) {
      CHECK(weld_trap_message(trap)[0] != 0);
      /* The functions of the failed instance stay callable through the imported table. */
      CHECK(weld_table_get(tab, 0, &got) && got.of.funcref);
      weld_val_t r;
      CHECK(got.of.funcref && call(s, got.of.funcref, NULL, 0, &r, 1) == 0 && r.of.i32 == 77);
    }
    weld_trap_delete(trap);
    weld_module_delete(mod);
    weld_store_delete(s);
  }
  weld_engine_delete(e);
}

/* Instantiation errors before any effect: memory limit, table limit. */
static void test_instance_limits(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  /* (memory 3) (table 20 funcref) (global (export "g") i32 (i32.const 5)) */
  B m = {0}, s = {0};
  header(&m);
  PUT(&s, 1, FREF, 0x00, 20);
  section(&m, 4, &s);
  s.n = 0;
  PUT(&s, 1, 0x00, 3);
  section(&m, 5, &s);
  s.n = 0;
  PUT(&s, 1, I32, 0, 0x41, 5, 0x0b);
  section(&m, 6, &s);
  s.n = 0;
  PUT(&s, 1), name(&s, "g"), PUT(&s, 0x03, 0);
  section(&m, 7, &s);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  if (mod) {
    weld_store_t *st = weld_store_new(e);
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    weld_store_set_memory_limit(st, 2 * 65536);
    ERR(weld_instance_new(st, mod, NULL, 0, &inst, &trap), "memory limit");
    CHECK(!inst && !trap);
    weld_store_set_memory_limit(st, 0);
    weld_store_set_table_limit(st, 10);
    ERR(weld_instance_new(st, mod, NULL, 0, &inst, &trap), "table limit");
    weld_store_set_table_limit(st, 0);
    OK(weld_instance_new(st, mod, NULL, 0, &inst, &trap));
    weld_extern_t x;
    CHECK(inst && weld_instance_export(inst, "g", 1, &x) && weld_global_get(x.of.global).of.i32 == 5);
    /* Many instances of one module in one store. */
    for (int i = 0; i < 20; i++) OK(weld_instance_new(st, mod, NULL, 0, &inst, &trap));
    weld_store_delete(st);
    weld_module_delete(mod);
  }
  weld_engine_delete(e);
}

/* Global initialisers: global.get of an imported global, ref.func, ref.null, v128.const.
 * (import "env" "base" (global i32))
 * (global (export "a") i32 (global.get 0)) (global (export "r") funcref (ref.func 0))
 * (global (export "n") externref (ref.null extern)) (global (export "v") v128 (v128.const ...))
 * (global (export "m") (mut i64) (i64.const -3))
 * (func (export "get_a") (result i32) global.get 1)
 * (func (export "id_v") (param v128) (result v128) local.get 0)
 * (func (export "id_x") (param externref) (result externref) local.get 0) */
static void test_globals_wasm(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  B m = {0}, s = {0}, body = {0};
  header(&m);
  PUT(&s, 3);
  functype(&s, 0, NULL, 1, (const uint8_t[]){I32});
  functype(&s, 1, (const uint8_t[]){V128}, 1, (const uint8_t[]){V128});
  functype(&s, 1, (const uint8_t[]){XREF}, 1, (const uint8_t[]){XREF});
  section(&m, 1, &s);
  s.n = 0;
  PUT(&s, 1), name(&s, "env"), name(&s, "base"), PUT(&s, 0x03, I32, 0);
  section(&m, 2, &s);
  s.n = 0;
  PUT(&s, 3, 0, 1, 2);
  section(&m, 3, &s);
  s.n = 0;
  PUT(&s, 5);
  PUT(&s, I32, 0, 0x23, 0, 0x0b);
  PUT(&s, FREF, 0, 0xd2, 0, 0x0b);
  PUT(&s, XREF, 0, 0xd0, XREF, 0x0b);
  PUT(&s, V128, 0, 0xfd, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x0b);
  PUT(&s, I64, 1, 0x42, 0x7d, 0x0b);
  section(&m, 6, &s);
  s.n = 0;
  PUT(&s, 8);
  name(&s, "a"), PUT(&s, 0x03, 1);
  name(&s, "r"), PUT(&s, 0x03, 2);
  name(&s, "n"), PUT(&s, 0x03, 3);
  name(&s, "v"), PUT(&s, 0x03, 4);
  name(&s, "m"), PUT(&s, 0x03, 5);
  name(&s, "get_a"), PUT(&s, 0x00, 0);
  name(&s, "id_v"), PUT(&s, 0x00, 1);
  name(&s, "id_x"), PUT(&s, 0x00, 2);
  section(&m, 7, &s);
  s.n = 0;
  PUT(&s, 3);
  PUT(&body, 0x23, 1, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x20, 0, 0x0b);
  code(&s, &body);
  code(&s, &body);
  section(&m, 10, &s);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  weld_store_t *st = weld_store_new(e);
  weld_global_t *base;
  OK(weld_global_new(st, weld_val_i32(1234), false, &base));
  weld_extern_t im = {WELD_EXTERN_GLOBAL, {.global = base}};
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  if (mod) OK(weld_instance_new(st, mod, &im, 1, &inst, &trap));
  if (inst) {
    weld_extern_t x;
    CHECK(weld_instance_export(inst, "a", 1, &x) && weld_global_get(x.of.global).of.i32 == 1234);
    CHECK(weld_instance_export(inst, "r", 1, &x) &&
          weld_global_get(x.of.global).of.funcref == export_func(inst, "get_a"));
    CHECK(weld_instance_export(inst, "n", 1, &x) && weld_global_get(x.of.global).kind == WELD_EXTERNREF &&
          weld_global_get(x.of.global).of.externref == NULL);
    CHECK(weld_instance_export(inst, "v", 1, &x));
    weld_val_t v = weld_global_get(x.of.global);
    CHECK(v.kind == WELD_V128 && v.of.v128[0] == 1 && v.of.v128[15] == 16);
    CHECK(weld_instance_export(inst, "m", 1, &x) && weld_global_get(x.of.global).of.i64 == -3 &&
          weld_global_mutable(x.of.global));
    weld_val_t r;
    CHECK(call(st, export_func(inst, "get_a"), NULL, 0, &r, 1) == 0 && r.of.i32 == 1234);
    CHECK(call(st, export_func(inst, "id_v"), &v, 1, &r, 1) == 0 && r.kind == WELD_V128 && memcmp(r.of.v128, v.of.v128, 16) == 0);
    int cookie;
    weld_val_t xr = {.kind = WELD_EXTERNREF, .of.externref = &cookie};
    CHECK(call(st, export_func(inst, "id_x"), &xr, 1, &r, 1) == 0 && r.kind == WELD_EXTERNREF && r.of.externref == &cookie);
  }
  weld_module_delete(mod);
  weld_store_delete(st);
  weld_engine_delete(e);
}

/* (func (export "spin") (loop br 0)) (func (export "one") (result i32) i32.const 1) */
static weld_module_t *spin_module(weld_engine_t *e) {
  B m = {0}, s = {0}, body = {0};
  header(&m);
  PUT(&s, 2);
  functype(&s, 0, NULL, 0, NULL);
  functype(&s, 0, NULL, 1, (const uint8_t[]){I32});
  section(&m, 1, &s);
  s.n = 0;
  PUT(&s, 2, 0, 1);
  section(&m, 3, &s);
  s.n = 0;
  PUT(&s, 2), name(&s, "spin"), PUT(&s, 0x00, 0), name(&s, "one"), PUT(&s, 0x00, 1);
  section(&m, 7, &s);
  s.n = 0;
  PUT(&s, 2);
  PUT(&body, 0x03, 0x40, 0x0c, 0, 0x0b, 0x0b);
  code(&s, &body);
  body.n = 0;
  PUT(&body, 0x41, 1, 0x0b);
  code(&s, &body);
  section(&m, 10, &s);
  return compile(e, &m);
}

static void *interrupter(void *arg) {
  usleep(50 * 1000);
  weld_store_interrupt(arg);
  return NULL;
}

static void test_fuel_interrupt(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_module_t *mod = spin_module(e);
  CHECK(mod != NULL);
  weld_store_t *st = weld_store_new(e);
  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  if (mod) OK(weld_instance_new(st, mod, NULL, 0, &inst, &trap));
  if (inst) {
    weld_func_t *spin = export_func(inst, "spin"), *one = export_func(inst, "one");
    weld_val_t r;
    weld_store_set_fuel(st, 10000);
    CHECK(call(st, spin, NULL, 0, NULL, 0) == WELD_TRAP_OUT_OF_FUEL);
    CHECK(weld_store_get_fuel(st) == 0);
    weld_store_set_fuel(st, 1000);
    CHECK(call(st, one, NULL, 0, &r, 1) == 0 && r.of.i32 == 1 && weld_store_get_fuel(st) <= 1000);
    weld_store_disable_fuel(st);

    pthread_t th;
    CHECK(pthread_create(&th, NULL, interrupter, st) == 0);
    int code = call(st, spin, NULL, 0, NULL, 0);
    pthread_join(th, NULL);
    CHECK(code == WELD_TRAP_INTERRUPT);
    /* Pending until cleared. */
    CHECK(call(st, spin, NULL, 0, NULL, 0) == WELD_TRAP_INTERRUPT);
    weld_store_clear_interrupt(st);
    CHECK(call(st, one, NULL, 0, &r, 1) == 0 && r.of.i32 == 1);
  }
  weld_module_delete(mod);
  weld_store_delete(st);
  weld_engine_delete(e);
}

/* One engine and one module shared by several threads, each with its own store: calls,
 * memory growth and out-of-bounds traps (guard-page faults) happen concurrently. */
typedef struct {
  weld_engine_t *engine;
  weld_module_t *module;
  int errors;
} worker_t;

static void *worker(void *arg) {
  worker_t *w = arg;
  for (int round = 0; round < 20; round++) {
    weld_store_t *st = weld_store_new(w->engine);
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    weld_error_t *err = weld_instance_new(st, w->module, NULL, 0, &inst, &trap);
    if (err || trap || !inst) {
      w->errors++;
      weld_error_delete(err);
      weld_trap_delete(trap);
      weld_store_delete(st);
      continue;
    }
    weld_func_t *load = export_func(inst, "load"), *grow = export_func(inst, "grow");
    for (int i = 0; i < 50; i++) {
      weld_val_t a = weld_val_i32(i % 2 ? 9 : 70000), r;
      err = weld_func_call(st, load, &a, 1, &r, 1, &trap);
      if (err || (i % 2 ? (trap || r.of.i32 != 'e') : (!trap || weld_trap_code(trap) != WELD_TRAP_MEMORY_OUT_OF_BOUNDS)))
        w->errors++;
      weld_error_delete(err);
      weld_trap_delete(trap);
    }
    weld_val_t one = weld_val_i32(1), r;
    err = weld_func_call(st, grow, &one, 1, &r, 1, &trap);
    if (err || trap || r.of.i32 != 1) w->errors++;
    weld_error_delete(err);
    weld_trap_delete(trap);
    weld_store_delete(st);
  }
  return NULL;
}

static void test_threads(void) {
  weld_engine_t *e = weld_engine_new(NULL);
  B m = {0};
  build_memory_module(&m);
  weld_module_t *mod = compile(e, &m);
  CHECK(mod != NULL);
  if (mod) {
    worker_t w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
      w[i] = (worker_t){e, mod, 0};
      CHECK(pthread_create(&th[i], NULL, worker, &w[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
      pthread_join(th[i], NULL);
      CHECK(w[i].errors == 0);
    }
    weld_module_delete(mod);
  }
  weld_engine_delete(e);
}

/* Allocation failure injection: fail the Nth allocation for every N until a whole embedding
 * scenario succeeds; nothing may crash or leak (run under ASan/valgrind). */
static long g_alloc_count, g_fail_at;
static void *failing_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud, (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  if (++g_alloc_count == g_fail_at) return NULL;
  return realloc(ptr, new_size);
}

static int scenario(void) {
  int ok = 0;
  weld_engine_t *e = weld_engine_new(NULL);
  if (!e) return 0;
  B m = {0};
  build_reflect(&m);
  weld_module_t *mod = NULL;
  weld_error_t *err = weld_module_new(e, m.d, m.n, &mod);
  weld_store_t *s = weld_store_new(e);
  host_env_t h = {0};
  weld_functype_t *ft = ft_ii_i();
  weld_func_t *add = s && ft ? weld_func_new(s, ft, host_add, &h, NULL) : NULL;
  weld_functype_delete(ft);
  weld_table_t *tab = NULL;
  weld_memory_t *mem = NULL;
  weld_global_t *g = NULL;
  weld_val_t fnull = {.kind = WELD_FUNCREF};
  if (!err && s && add && !(err = weld_table_new(s, WELD_FUNCREF, (weld_limits_t){2, 4, true}, fnull, &tab)) &&
      !(err = weld_memory_new(s, (weld_limits_t){1, 0, false}, &mem)) &&
      !(err = weld_global_new(s, weld_val_i64(7), true, &g))) {
    weld_extern_t imports[4] = {{WELD_EXTERN_FUNC, {.func = add}}, {WELD_EXTERN_TABLE, {.table = tab}},
                                {WELD_EXTERN_MEMORY, {.memory = mem}}, {WELD_EXTERN_GLOBAL, {.global = g}}};
    weld_instance_t *inst = NULL;
    weld_trap_t *trap = NULL;
    err = weld_instance_new(s, mod, imports, 4, &inst, &trap);
    if (!err && inst) {
      weld_val_t args[2] = {weld_val_i32(1), weld_val_i32(2)}, r;
      err = weld_func_call(s, export_func(inst, "f"), args, 2, &r, 1, &trap);
      if (!err && !trap && r.of.i32 == 3) ok = 1;
    }
    weld_trap_delete(trap);
    trap = NULL;
    /* A second module with element and data segments into the same table and memory. */
    B m2 = {0};
    build_segments(&m2, 0, 100, false);
    weld_module_t *mod2 = NULL;
    weld_extern_t imports2[2] = {{WELD_EXTERN_TABLE, {.table = tab}}, {WELD_EXTERN_MEMORY, {.memory = mem}}};
    if (ok && !err) {
      ok = 0;
      err = weld_module_new(e, m2.d, m2.n, &mod2);
      if (!err) err = weld_instance_new(s, mod2, imports2, 2, &inst, &trap);
      if (!err && !trap && weld_memory_data(mem)[100] == 'c') ok = 1;
      weld_trap_delete(trap);
      weld_module_delete(mod2);
    }
  }
  weld_error_delete(err);
  weld_module_delete(mod);
  weld_store_delete(s);
  weld_engine_delete(e);
  return ok;
}

static void test_alloc_failures(void) {
  weld_set_allocator(failing_realloc, NULL);
  int succeeded = 0;
  long n;
  for (n = 1; n < 5000 && !succeeded; n++) {
    g_alloc_count = 0;
    g_fail_at = n;
    succeeded = scenario();
  }
  weld_set_allocator(NULL, NULL);
  CHECK(succeeded);
  fprintf(stderr, "  (allocation failure injection: %ld points)\n", n - 1);
}

int main(void) {
  test_engine_store();
  test_functype();
  test_module_errors();
  test_reflection();
  test_call_errors();
  test_traps();
  test_memory();
  test_memory_wasm(false);
  test_memory_wasm(true);
  test_memory_pool();
  test_tables_globals();
  test_import_matching();
  test_segments();
  test_instance_limits();
  test_globals_wasm();
  test_fuel_interrupt();
  test_threads();
  test_alloc_failures();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}
