/* canon_util.h — shared fixtures of the Canonical ABI tests (test_canon*.c) and of
 * bench/canon_bench.c: a guest core module with a memory and a bump-allocator `realloc`
 * (whose misbehaviour is selectable: misaligned, out-of-bounds, trapping, wrapping results),
 * a destructor and post-return that count their calls, and small functions to call; a type
 * arena builder; value builders; deep equality of weld_cval_t. */
#ifndef WELD_TESTS_CANON_UTIL_H
#define WELD_TESTS_CANON_UTIL_H
#include "base/alloc.h"
#include "component/abi.h"
#include "weld.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../test.h"
#include "cval_util.h"

/* ---------------------------------------------------------------- the guest */

static const char GUEST_WAT[] =
    "(module\n"
    "  (memory (export \"memory\") 1)\n"
    "  (global $bump (mut i32) (i32.const 1024))\n"
    "  (global $mode (export \"mode\") (mut i32) (i32.const 0))\n"
    "  (global $calls (export \"calls\") (mut i32) (i32.const 0))\n"
    "  (global $dtors (export \"dtors\") (mut i32) (i32.const 0))\n"
    "  (global $last (export \"last\") (mut i32) (i32.const -1))\n"
    "  (global $post (export \"post\") (mut i32) (i32.const 0))\n"
    "  (func (export \"reset\") (global.set $bump (i32.const 1024)) (global.set $calls (i32.const 0)))\n"
    "  (func (export \"realloc\") (param $old i32) (param $osz i32) (param $align i32) (param $nsz i32) (result i32)\n"
    "    (local $p i32) (local $end i64) (local $need i64)\n"
    "    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))\n"
    "    (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.or (global.get $bump) (i32.const 1)))))\n"
    "    (if (i32.eq (global.get $mode) (i32.const 2))\n"
    "      (then (return (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)))))\n"
    "    (if (i32.eq (global.get $mode) (i32.const 3)) (then (unreachable)))\n"
    "    (if (i32.eq (global.get $mode) (i32.const 4)) (then (return (i32.const 0xfffffff0))))\n"
    "    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))\n"
    "                           (i32.sub (i32.const 0) (local.get $align))))\n"
    "    (local.set $end (i64.add (i64.extend_i32_u (local.get $p)) (i64.extend_i32_u (local.get $nsz))))\n"
    "    (local.set $need (i64.sub (i64.shr_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 16))\n"
    "                              (i64.extend_i32_u (memory.size))))\n"
    "    (if (i64.gt_s (local.get $need) (i64.const 0))\n"
    "      (then (if (i32.eq (memory.grow (i32.wrap_i64 (local.get $need))) (i32.const -1)) (then (unreachable)))))\n"
    "    (if (i32.ne (local.get $osz) (i32.const 0))\n"
    "      (then (memory.copy (local.get $p) (local.get $old)\n"
    "               (select (local.get $osz) (local.get $nsz) (i32.lt_u (local.get $osz) (local.get $nsz))))))\n"
    "    (global.set $bump (i32.wrap_i64 (local.get $end)))\n"
    "    (local.get $p))\n"
    "  (func (export \"dtor\") (param i32)\n"
    "    (global.set $dtors (i32.add (global.get $dtors) (i32.const 1)))\n"
    "    (global.set $last (local.get 0)))\n"
    "  (func (export \"post_return\") (param i32) (global.set $post (i32.add (global.get $post) (i32.const 1))))\n"
    "  (func (export \"echo_str\") (param i32 i32) (result i32)\n"
    "    (i32.store (i32.const 16) (local.get 0)) (i32.store (i32.const 20) (local.get 1)) (i32.const 16))\n"
    "  (func (export \"sum17\") (param $p i32) (result i32)\n"
    "    (local $i i32) (local $s i32)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.ge_u (local.get $i) (i32.const 17)))\n"
    "      (local.set $s (i32.add (local.get $s)\n"
    "        (i32.load (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))))))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $s))\n"
    "  (func (export \"trap\") unreachable)\n"
    "  (func (export \"add2\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func (export \"ret_ptr\") (result i32) (i32.const 16))\n"
    ")\n";

typedef struct guest {
  weld_instance_t *inst;
  weld_memory_t *mem;
  weld_func_t *realloc, *dtor, *post_return, *echo_str, *sum17, *trap, *add2, *reset, *ret_ptr;
  weld_global_t *mode, *calls, *dtors, *last, *post;
  comp_abi_opts_t opts;
  comp_abi_inst_t abi;
} guest_t;

static weld_engine_t *g_engine;
static weld_store_t *g_store;
static weld_module_t *g_module;

static inline void fixture_init(void) {
  g_engine = weld_engine_new(NULL);
  g_store = weld_store_new(g_engine);
  uint8_t *bin = NULL;
  size_t n = 0;
  weld_error_t *e = weld_wat_to_wasm(GUEST_WAT, sizeof GUEST_WAT - 1, &bin, &n);
  if (e) {
    printf("guest WAT: %s\n", weld_error_message(e));
    exit(1);
  }
  e = weld_module_new(g_engine, bin, n, &g_module);
  weld_free_bytes(bin, n);
  if (e) {
    printf("guest module: %s\n", weld_error_message(e));
    exit(1);
  }
}

static inline void fixture_free(void) {
  weld_module_delete(g_module);
  weld_store_delete(g_store);
  weld_engine_delete(g_engine);
}

static inline weld_func_t *gfunc(guest_t *g, const char *name) {
  weld_extern_t x;
  if (!weld_instance_export(g->inst, name, strlen(name), &x)) {
    printf("missing export %s\n", name);
    exit(1);
  }
  return x.of.func;
}
static inline weld_global_t *gglobal(guest_t *g, const char *name) {
  weld_extern_t x;
  if (!weld_instance_export(g->inst, name, strlen(name), &x)) exit(1);
  return x.of.global;
}

static inline void guest_init(guest_t *g, uint8_t enc) {
  memset(g, 0, sizeof *g);
  weld_trap_t *trap = NULL;
  weld_error_t *e = weld_instance_new(g_store, g_module, NULL, 0, &g->inst, &trap);
  if (e || trap) {
    printf("instantiate failed\n");
    exit(1);
  }
  weld_extern_t x;
  weld_instance_export(g->inst, "memory", 6, &x);
  g->mem = x.of.memory;
  g->realloc = gfunc(g, "realloc");
  g->dtor = gfunc(g, "dtor");
  g->post_return = gfunc(g, "post_return");
  g->echo_str = gfunc(g, "echo_str");
  g->sum17 = gfunc(g, "sum17");
  g->trap = gfunc(g, "trap");
  g->add2 = gfunc(g, "add2");
  g->reset = gfunc(g, "reset");
  g->ret_ptr = gfunc(g, "ret_ptr");
  g->mode = gglobal(g, "mode");
  g->calls = gglobal(g, "calls");
  g->dtors = gglobal(g, "dtors");
  g->last = gglobal(g, "last");
  g->post = gglobal(g, "post");
  g->opts.memory = g->mem;
  g->opts.realloc = g->realloc;
  g->opts.string_encoding = enc;
  comp_abi_inst_init(&g->abi, g_store);
}

static inline void guest_free(guest_t *g) { comp_abi_inst_free(&g->abi); }

static inline int32_t gget(weld_global_t *gl) { return weld_global_get(gl).of.i32; }
static inline void gset(weld_global_t *gl, int32_t v) { weld_global_set(gl, weld_val_i32(v)); }
static inline void guest_reset(guest_t *g) {
  core_slot_t s[1];
  weld_trap_t *t = core_call(g_store, g->reset, s);
  if (t) weld_trap_delete(t);
  gset(g->mode, 0);
}
static inline uint8_t *gmem(guest_t *g) { return g->mem->base; }

static inline comp_abi_cx_t gcx(guest_t *g, comp_layouts_t *L, comp_abi_call_t *call) {
  comp_abi_cx_t cx = {L, &g->opts, &g->abi, call, 0};
  return cx;
}

/* A trap is expected: checks it and that its message contains `needle`. */
static inline bool expect_trap(weld_trap_t *t, const char *needle, const char *what, int line) {
  if (!t) {
    g_fail++;
    printf("FAIL line %d: %s: expected a trap containing \"%s\", got success\n", line, what, needle);
    return false;
  }
  bool ok = strstr(weld_trap_message(t), needle) != NULL;
  if (ok) g_pass++;
  else {
    g_fail++;
    printf("FAIL line %d: %s: trap \"%s\" lacks \"%s\"\n", line, what, weld_trap_message(t), needle);
  }
  weld_trap_delete(t);
  return ok;
}
#define EXPECT_TRAP(expr, needle) expect_trap((expr), (needle), #expr, __LINE__)
static inline bool expect_ok(weld_trap_t *t, const char *what, int line) {
  if (t) {
    g_fail++;
    printf("FAIL line %d: %s: unexpected trap: %s\n", line, what, weld_trap_message(t));
    weld_trap_delete(t);
    return false;
  }
  g_pass++;
  return true;
}
#define EXPECT_OK(expr) expect_ok((expr), #expr, __LINE__)

/* ---------------------------------------------------------------- types */

static comp_arena_t g_arena;
static comp_types_t g_T;

static inline void types_init(void) {
  memset(&g_arena, 0, sizeof g_arena);
  comp_types_init(&g_T, &g_arena);
}
static inline void types_free(void) {
  comp_types_free(&g_T);
  comp_arena_free(&g_arena);
}

static inline comp_typeid_t add_type(comp_type_t *t) {
  comp_typeid_t id;
  weld_error_t *e = comp_type_add(&g_T, t, 0, &id);
  if (e) {
    printf("type: %s\n", weld_error_message(e));
    exit(1);
  }
  return id;
}
static inline comp_type_t ty_of(uint8_t kind) {
  comp_type_t t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  return t;
}
static inline comp_typeid_t T_list(comp_typeid_t e) {
  comp_type_t t = ty_of(COMP_T_LIST);
  t.u.elem = e;
  return add_type(&t);
}
static inline comp_typeid_t T_option(comp_typeid_t e) {
  comp_type_t t = ty_of(COMP_T_OPTION);
  t.u.elem = e;
  return add_type(&t);
}
static inline comp_typeid_t T_result(comp_typeid_t ok, comp_typeid_t err) {
  comp_type_t t = ty_of(COMP_T_RESULT);
  t.u.result.ok = ok;
  t.u.result.err = err;
  return add_type(&t);
}
static const char *const g_labels[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
                                       "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "A", "B", "C", "D", "E", "F"};
static inline comp_name_t label(uint32_t i) {
  comp_name_t n;
  n.s = g_labels[i % 32];
  n.len = 1;
  return n;
}
static inline comp_typeid_t T_fields(uint8_t kind, uint32_t n, const comp_typeid_t *ts) {
  comp_type_t t = ty_of(kind);
  comp_labeled_t *items = comp_arena_array(&g_arena, n ? n : 1, sizeof *items);
  for (uint32_t i = 0; i < n; i++) items[i].name = label(i), items[i].type = ts[i];
  t.u.fields.n = n;
  t.u.fields.items = items;
  return add_type(&t);
}
static inline comp_typeid_t T_record(uint32_t n, const comp_typeid_t *ts) { return T_fields(COMP_T_RECORD, n, ts); }
static inline comp_typeid_t T_variant(uint32_t n, const comp_typeid_t *ts) { return T_fields(COMP_T_VARIANT, n, ts); }
static inline comp_typeid_t T_tuple(uint32_t n, const comp_typeid_t *ts) {
  comp_type_t t = ty_of(COMP_T_TUPLE);
  comp_typeid_t *v = comp_arena_array(&g_arena, n ? n : 1, sizeof *v);
  if (n) memcpy(v, ts, n * sizeof *v);
  t.u.tuple.n = n;
  t.u.tuple.types = v;
  return add_type(&t);
}
static inline comp_typeid_t T_labels(uint8_t kind, uint32_t n) {
  comp_type_t t = ty_of(kind);
  comp_name_t *v = comp_arena_array(&g_arena, n ? n : 1, sizeof *v);
  for (uint32_t i = 0; i < n; i++) v[i] = label(i);
  t.u.labels.n = n;
  t.u.labels.names = v;
  return add_type(&t);
}
static inline comp_typeid_t T_enum(uint32_t n) { return T_labels(COMP_T_ENUM, n); }
static inline comp_typeid_t T_flags(uint32_t n) { return T_labels(COMP_T_FLAGS, n); }
static inline comp_typeid_t T_resource(void) {
  comp_typeid_t id;
  comp_type_fresh_resource(&g_T, 0, &id);
  return id;
}
static inline comp_typeid_t T_handle(bool own, comp_typeid_t res) {
  comp_type_t t = ty_of(own ? COMP_T_OWN : COMP_T_BORROW);
  t.u.resource = res;
  return add_type(&t);
}
static inline comp_typeid_t T_func(uint32_t n, const comp_typeid_t *ps, comp_typeid_t result) {
  comp_type_t t = ty_of(COMP_T_FUNC);
  comp_labeled_t *items = comp_arena_array(&g_arena, n ? n : 1, sizeof *items);
  for (uint32_t i = 0; i < n; i++) items[i].name = label(i), items[i].type = ps[i];
  t.u.func.nparams = n;
  t.u.func.params = items;
  t.u.func.result = result;
  return add_type(&t);
}

/* ---------------------------------------------------------------- values */

static inline weld_cval_t V_u32(uint32_t x) {
  weld_cval_t v;
  memset(&v, 0, sizeof v);
  v.kind = WELD_CK_U32;
  v.of.u32 = x;
  return v;
}
static inline weld_cval_t V_str(const char *s) {
  weld_cval_t v;
  weld_cval_string(&v, s, strlen(s));
  return v;
}
static inline weld_cval_t V_strn(const char *s, size_t n) {
  weld_cval_t v;
  weld_cval_string(&v, s, n);
  return v;
}

#endif
