/* test_interp.c — the function-body validator/compiler (compile.c) and the interpreter
 * (interp.c, signals.c): the shape of the generated code (operand forwarding, fused
 * compare-and-branch, immediate forms), regressions for every translation bug found, traps
 * and their messages, the guard-page path, stack exhaustion, host re-entry, fuel and
 * interrupts.  Conformance as a whole is the spec suite's job (tests/spec); these cases
 * pin down the engine's own decisions.
 *
 * Modules are written in the text format (weld_wat_to_wasm).  Prints "N passed, N failed"
 * last. */
#include "core/code.h"
#include "weld.h"
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../test.h"
#include "wat_env.h"

/* ------------------------------------------------------------------ helpers */
/* For tests that create the store and imports first. */
static bool load_in(env_t *env, const char *wat, const weld_extern_t *imports, size_t nimports) {
  weld_error_t *err = compile_wat(env->engine, wat, &env->module);
  if (err) {
    fprintf(stderr, "compile: %s\n", weld_error_message(err));
    weld_error_delete(err);
    return false;
  }
  weld_trap_t *trap = NULL;
  err = weld_instance_new(env->store, env->module, imports, nimports, &env->inst, &trap);
  if (err || trap) {
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    return false;
  }
  return true;
}
static weld_func_t *func(env_t *env, const char *name) {
  weld_extern_t ex;
  if (!weld_instance_export(env->inst, name, strlen(name), &ex) || ex.kind != WELD_EXTERN_FUNC) return NULL;
  return ex.of.func;
}

static char g_trap_msg[512];
static weld_trap_code_t g_trap_code;
/* Calls export `name`; returns 0 on success, 1 on trap (code/message saved), -1 on error. */
static int call(env_t *env, const char *name, const weld_val_t *args, size_t nargs, weld_val_t *res,
                size_t nres) {
  weld_func_t *f = func(env, name);
  if (!f) {
    fprintf(stderr, "no export %s\n", name);
    return -1;
  }
  const weld_functype_t *ft = weld_func_type(f);
  for (size_t i = 0; i < nres; i++) res[i].kind = weld_functype_result(ft, i);
  weld_trap_t *trap = NULL;
  weld_error_t *err = weld_func_call(env->store, f, args, nargs, res, nres, &trap);
  if (err) {
    fprintf(stderr, "call %s: %s\n", name, weld_error_message(err));
    weld_error_delete(err);
    return -1;
  }
  if (trap) {
    g_trap_code = weld_trap_code(trap);
    snprintf(g_trap_msg, sizeof g_trap_msg, "%s", weld_trap_message(trap));
    weld_trap_delete(trap);
    return 1;
  }
  return 0;
}
static int32_t call_i32(env_t *env, const char *name, int nargs, int32_t a0, int32_t a1) {
  weld_val_t args[2] = {weld_val_i32(a0), weld_val_i32(a1)}, res[1];
  if (call(env, name, args, (size_t)nargs, res, 1) != 0) return INT32_MIN;
  return res[0].of.i32;
}
static bool traps(env_t *env, const char *name, int nargs, int32_t a0, weld_trap_code_t code) {
  weld_val_t args[2] = {weld_val_i32(a0), weld_val_i32(0)}, res[4];
  const weld_functype_t *ft = weld_func_type(func(env, name));
  int r = call(env, name, args, (size_t)nargs, res, weld_functype_result_count(ft));
  if (r != 1) return false;
  if (g_trap_code != code) fprintf(stderr, "trap %d (%s), expected %d\n", g_trap_code, g_trap_msg, code);
  return g_trap_code == code;
}

/* The listing (core_code_dump) of defined function `i`, into buf. */
static const char *listing(env_t *env, uint32_t i, char *buf, size_t size) {
  FILE *f = fmemopen(buf, size, "w");
  if (!f) return "";
  core_code_dump(env->module->code[i], f);
  fclose(f);
  buf[size - 1] = 0;
  return buf;
}
static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* ------------------------------------------------------------------ code shape */
static void test_code_shape(void) {
  env_t env;
  char buf[4096];
  CHECK(load(&env, NULL,
             "(module (memory 1)"
             " (func (export \"add\") (param i32 i32) (result i32) (local i32)"
             "   local.get 0 local.get 1 i32.add local.set 2 local.get 2)"
             " (func (export \"count\") (param i32) (result i32) (local i32)"
             "   (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))"
             "            (br_if $l (i32.lt_u (local.get 1) (local.get 0))))"
             "   local.get 1)"
             " (func (export \"eqz\") (param i32) (result i32)"
             "   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7)) (else (i32.const 9))))"
             " (func (export \"load\") (param i32) (result i32) (i32.load offset=8 (local.get 0)))"
             " (func (export \"addk\") (param i32) (result i32) (i32.add (i32.const 5) (local.get 0))))",
             NULL, 0));
  /* local.get a; local.get b; i32.add; local.set c -> one instruction c = a + b; then return c */
  const char *l = listing(&env, 0, buf, sizeof buf);
  CHECK(strstr(l, "I32_ADD_SS             a=2 b=0 c=1") != NULL);
  CHECK(count_lines(l) == 3); /* header, add, return */
  CHECK(call_i32(&env, "add", 2, 40, 2) == 42);
  /* counting loop: the increment, the compare and the back-edge are one instruction */
  l = listing(&env, 1, buf, sizeof buf);
  CHECK(strstr(l, "INCB_I32_LT_U_SS       a=1 b=1 c=0") != NULL);
  CHECK(count_lines(l) == 3);
  CHECK(call_i32(&env, "count", 1, 1000, 0) == 1000);
  /* i32.eqz + if -> branch to else when nonzero */
  l = listing(&env, 2, buf, sizeof buf);
  CHECK(strstr(l, "BR_NZ") != NULL);
  CHECK(strstr(l, "I32_EQZ") == NULL);
  CHECK(call_i32(&env, "eqz", 1, 0, 0) == 7 && call_i32(&env, "eqz", 1, 3, 0) == 9);
  /* local.get + load with offset: one load reading the local directly (guard pages) */
  l = listing(&env, 3, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD_G             a=1 b=0 c=8") != NULL);
  /* constant on the left of a commutative op: immediate form */
  l = listing(&env, 4, buf, sizeof buf);
  CHECK(strstr(l, "I32_ADD_SI") != NULL && strstr(l, "CONST") == NULL);
  CHECK(call_i32(&env, "addk", 1, 10, 0) == 15);
  unload(&env);

  /* an engine with explicit bounds checks uses the checked handlers */
  weld_config_t cfg = {0};
  cfg.bounds_checks = true;
  CHECK(load(&env, &cfg, "(module (memory 1) (func (export \"load\") (param i32) (result i32) (i32.load (local.get 0))))",
             NULL, 0));
  l = listing(&env, 0, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD_C") != NULL);
  CHECK(call_i32(&env, "load", 1, 0, 0) == 0);
  CHECK(traps(&env, "load", 1, 65533, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  unload(&env);
}

/* ------------------------------------------------------------------ forwarding regressions */
static void test_forwarding(void) {
  env_t env;
  CHECK(load(&env, NULL,
             "(module"
             /* a deferred read of a local must see the value from before a later local.set */
             " (func (export \"old\") (param i32) (result i32)"
             "   local.get 0 (local.set 0 (i32.const 5)))"
             " (func (export \"old_tee\") (param i32) (result i32)"
             "   local.get 0 (drop (local.tee 0 (i32.const 5))))"
             /* ... also when the write sits in a block that a branch can skip */
             " (func (export \"old_block\") (param i32 i32) (result i32)"
             "   local.get 0 (block (br_if 0 (local.get 1)) (local.set 0 (i32.const 99))))"
             " (func (export \"old_if\") (param i32 i32) (result i32)"
             "   local.get 0 (if (local.get 1) (then (local.set 0 (i32.const 99)))))"
             " (func (export \"old_loop\") (param i32) (result i32) (local i32)"
             "   local.get 0"
             "   (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))"
             "            (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (i32.const 3)))))"
             /* x = x + 1 written in place, and a second read of x still pending */
             " (func (export \"inc\") (param i32) (result i32)"
             "   local.get 0 (local.set 0 (i32.add (local.get 0) (i32.const 1))) local.get 0 i32.sub)"
             /* swap through the stack */
             " (func (export \"swap\") (param i32 i32) (result i32)"
             "   local.get 0 local.get 1 local.set 0 local.set 1"
             "   (i32.sub (i32.mul (local.get 0) (i32.const 10)) (local.get 1)))"
             /* several results copied from locals in swapped order */
             " (func $pair (param i32 i32) (result i32 i32) local.get 1 local.get 0)"
             " (func (export \"pair\") (param i32 i32) (result i32)"
             "   (call $pair (local.get 0) (local.get 1)) i32.const 10 i32.mul i32.add)"
             " (func $pair_br (param i32 i32 i32) (result i32 i32)"
             "   local.get 1 local.get 0 local.get 2 br_if 0 drop drop local.get 0 local.get 1)"
             " (func (export \"pair_br\") (param i32) (result i32)"
             "   (call $pair_br (i32.const 1) (i32.const 2) (local.get 0)) i32.const 10 i32.mul i32.add)"
             /* reinterpretations are free and keep the value */
             " (func (export \"reinterp\") (param i32) (result i32)"
             "   (i32.reinterpret_f32 (f32.reinterpret_i32 (local.get 0))))"
             ")",
             NULL, 0));
  CHECK(call_i32(&env, "old", 1, 3, 0) == 3);
  CHECK(call_i32(&env, "old_tee", 1, 3, 0) == 3);
  CHECK(call_i32(&env, "old_block", 2, 3, 0) == 3);
  CHECK(call_i32(&env, "old_block", 2, 3, 1) == 3);
  CHECK(call_i32(&env, "old_if", 2, 3, 0) == 3);
  CHECK(call_i32(&env, "old_if", 2, 3, 1) == 3);
  CHECK(call_i32(&env, "old_loop", 1, 3, 0) == 3);
  CHECK(call_i32(&env, "inc", 1, 7, 0) == -1);
  CHECK(call_i32(&env, "swap", 2, 1, 2) == 19);
  CHECK(call_i32(&env, "pair", 2, 1, 2) == 12);
  CHECK(call_i32(&env, "pair_br", 1, 1, 0) == 12); /* (2, 1) by the br_if */
  CHECK(call_i32(&env, "pair_br", 1, 0, 0) == 21); /* (1, 2) */
  CHECK(call_i32(&env, "reinterp", 1, 0x7fa00001, 0) == 0x7fa00001); /* signalling NaN bits */
  unload(&env);
}

/* ------------------------------------------------------------------ superinstructions
 * Each function below is shaped to trigger one fusion or accumulator form (checked in the
 * listing) and computes something the C code recomputes. */
static uint64_t rotl64(uint64_t x, unsigned k) { return (x << k) | (x >> ((64 - k) & 63)); }

static void test_fusions(void) {
  env_t env;
  char buf[8192];
  CHECK(load(&env, NULL,
             "(module (memory 1)"
             /* 0: acc across a retargeted local (fib_iter's t ^ (t >> 7)) */
             " (func (export \"mix\") (param i64 i64) (result i64) (local i64)"
             "   local.get 0 local.get 1 i64.add local.tee 2 i64.const 7 i64.shr_u local.get 2 i64.xor)"
             /* 1: shift-op with distinct operands, and rotl feeding xor twice (sha256's sigma) */
             " (func (export \"sigma\") (param i32 i32) (result i32)"
             "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 26)) (i32.rotl (local.get 0) (i32.const 21)))"
             "            (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 3)))))"
             /* 2: the accumulator must not flow into a loop header (a label) */
             " (func (export \"label\") (param i32) (result i32) (local i32)"
             "   (local.set 1 (i32.add (local.get 0) (i32.const 5)))"
             "   (loop $l (local.set 1 (i32.mul (local.get 1) (i32.const 3)))"
             "     (br_if $l (i32.lt_u (local.get 1) (i32.const 1000))))"
             "   (local.get 1))"
             /* 3: two add-immediates (ADD2), the second feeding the loop test (INCB) */
             " (func (export \"add2\") (param i32) (result i32) (local i32 i32)"
             "   (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 3)))"
             "     (local.set 2 (i32.add (local.get 2) (i32.const 1)))"
             "     (br_if $l (i32.ne (local.get 2) (local.get 0))))"
             "   (local.get 1))"
             /* 4: three moves in a row, overlapping (a rotation of three locals) */
             " (func (export \"rot3\") (param i32 i32 i32) (result i32) (local i32)"
             "   (local.set 3 (local.get 0)) (local.set 0 (local.get 1)) (local.set 1 (local.get 2))"
             "   (local.set 2 (local.get 3))"
             "   (i32.add (i32.mul (local.get 0) (i32.const 100)) (i32.add (i32.mul (local.get 1) (i32.const 10)) (local.get 2))))"
             /* 5: loads and stores around the accumulator and address adds */
             " (func (export \"mem\") (param i32 i32) (result i32)"
             "   (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1))"
             "   (i32.store offset=12 (local.get 0) (i32.mul (local.get 1) (i32.const 7)))"
             "   (i32.store offset=4 (local.get 0) (i32.const 11))"
             "   (i32.add (i32.load offset=12 (local.get 0)) (i32.add (i32.load (i32.add (local.get 0) (local.get 1)))"
             "            (i32.load offset=4 (i32.and (local.get 0) (i32.const -1))))))"
             /* 6: f64 chain with memory operands and dacc (matmul's c[j] += a * b[j]) */
             " (func (export \"axpy\") (param i32 f64) (result f64) (local i32)"
             "   (f64.store (i32.const 0) (f64.const 1.5)) (f64.store (i32.const 8) (f64.const 2.25))"
             "   (f64.store offset=64 (i32.const 0) (f64.const 10)) (f64.store offset=72 (i32.const 0) (f64.const 20))"
             "   (loop $l"
             "     (f64.store offset=64 (local.get 2)"
             "       (f64.add (f64.mul (local.get 1) (f64.load (local.get 2))) (f64.load offset=64 (local.get 2))))"
             "     (br_if $l (i32.ne (local.tee 2 (i32.add (local.get 2) (i32.const 8))) (i32.const 16))))"
             "   (f64.add (f64.load offset=64 (i32.const 0)) (f64.div (f64.const 1) (f64.load offset=72 (i32.const 0)))))"
             /* 7: the address add wraps at 2^32 exactly as a separate i32.add would */
             " (func (export \"wrap\") (param i32) (result i32)"
             "   (i32.load8_u (i32.add (local.get 0) (i32.const 0x10000))))"
             ")",
             NULL, 0));
  const char *l = listing(&env, 0, buf, sizeof buf);
  CHECK(strstr(l, "I64_XOR_I64_SHR_U_AA") != NULL);
  weld_val_t a[3], r[1];
  a[0] = weld_val_i64(0x123456789abcdefll);
  a[1] = weld_val_i64(0x0fedcba987654321ll);
  uint64_t t = (uint64_t)a[0].of.i64 + (uint64_t)a[1].of.i64;
  CHECK(call(&env, "mix", a, 2, r, 1) == 0 && (uint64_t)r[0].of.i64 == (t ^ (t >> 7)));

  l = listing(&env, 1, buf, sizeof buf);
  CHECK(strstr(l, "I32_XROT2") != NULL && strstr(l, "I32_ADD_I32_SHL") != NULL);
  uint32_t x = 0xdeadbeefu, y = 0x01234567u;
  uint32_t sig = ((uint32_t)rotl64(((uint64_t)x << 32) | x, 26) ^ (uint32_t)rotl64(((uint64_t)x << 32) | x, 21)) ^
                 (y + (x << 3));
  CHECK((uint32_t)call_i32(&env, "sigma", 2, (int32_t)x, (int32_t)y) == sig);

  CHECK(call_i32(&env, "label", 1, 1, 0) == 1458); /* 6*3^5 */

  l = listing(&env, 3, buf, sizeof buf);
  CHECK(strstr(l, "INCB_I32_NE_SS") != NULL);
  CHECK(call_i32(&env, "add2", 1, 10, 0) == 30);

  l = listing(&env, 4, buf, sizeof buf);
  CHECK(strstr(l, "MOV3") != NULL);
  a[0] = weld_val_i32(1);
  a[1] = weld_val_i32(2);
  a[2] = weld_val_i32(3);
  CHECK(call(&env, "rot3", a, 3, r, 1) == 0 && r[0].of.i32 == 231);

  l = listing(&env, 5, buf, sizeof buf);
  CHECK(strstr(l, "STORE32_AI_G") != NULL && strstr(l, "STORE32_VA_G") != NULL && strstr(l, "STORE32_K_G") != NULL);
  CHECK(strstr(l, "I32_LOAD_AS_G") != NULL && strstr(l, "I32_LOAD_A_G") != NULL);
  /* mem(100, 8): [108] = 8, [112] = 56, [104] = 11 */
  CHECK(call_i32(&env, "mem", 2, 100, 8) == 75);

  l = listing(&env, 6, buf, sizeof buf);
  CHECK(strstr(l, "F64_MLA_ST") != NULL && strstr(l, "F64_MUL_SL") == NULL && strstr(l, "STORE64_VD_G") == NULL);
  a[0] = weld_val_i32(0);
  a[1] = weld_val_f64(2.0);
  CHECK(call(&env, "axpy", a, 2, r, 1) == 0 && r[0].of.f64 == 13.0 + 1.0 / 24.5);

  CHECK(call_i32(&env, "wrap", 1, (int32_t)0xffff0010u, 0) == 0); /* (addr + 0x10000) mod 2^32 = 0x10 */
  CHECK(traps(&env, "wrap", 1, 0x8000, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  unload(&env);
}

/* ------------------------------------------------------------------ fusions, second set
 * (code.h CORE_FUSED_XOPS, compile_fuse.inc): each shape is checked in the listing and
 * its result against C, including the corner each fusion must keep (no fused multiply-add,
 * unsigned conversion, shift amounts mod 32, i32 wrap-around of addresses). */
static uint32_t rotl32(uint32_t x, unsigned k) { k &= 31; return (x << k) | (x >> ((32 - k) & 31)); }

static void test_fusions2(void) {
  env_t env;
  char buf[8192];
  CHECK(load(&env, NULL,
             "(module (memory 1)"
             /* 0: c[j] += a * b[j] over two elements (F64_MLA_ST with a plain and an x + 8 load) */
             " (func (export \"axpy2\") (param i32 i32 f64)"
             "   (f64.store (local.get 0) (f64.add (f64.mul (local.get 2) (f64.load (local.get 1))) (f64.load (local.get 0))))"
             "   (f64.store offset=8 (local.get 0) (f64.add (f64.mul (local.get 2) (f64.load (i32.add (local.get 1) (i32.const 8))))"
             "                                        (f64.load offset=8 (local.get 0)))))"
             /* 1: *p += v (F64_ADD_AL_ST) */
             " (func (export \"addto\") (param i32 f64)"
             "   (f64.store (local.get 0) (f64.add (f64.sqrt (local.get 1)) (f64.load (local.get 0)))))"
             /* 2: s + k / (f64)(u32)x * mem[p] (F64_DIV_I_CVU, F64_MUL_AL_ADD) */
             " (func (export \"spec\") (param i32 i32 f64) (result f64)"
             "   (f64.add (f64.mul (f64.div (f64.const 1) (f64.convert_i32_u (local.get 0))) (f64.load (local.get 1)))"
             "            (local.get 2)))"
             /* 3: the SHA-2 sigma shapes (I32_XROT3, I32_XROT2SHR) */
             " (func (export \"bsig\") (param i32) (result i32)"
             "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 26)) (i32.rotl (local.get 0) (i32.const 21)))"
             "            (i32.rotl (local.get 0) (i32.const 39))))"
             " (func (export \"ssig\") (param i32) (result i32)"
             "   (i32.xor (i32.xor (i32.rotl (local.get 0) (i32.const 25)) (i32.rotl (local.get 0) (i32.const 14)))"
             "            (i32.shr_u (local.get 0) (i32.const 3))))"
             /* 5: add chains (I32_ADD3_SA, I32_ADD4_SA), x + y + k (I32_ADD3I), ~x & y (I32_ANDN) */
             " (func (export \"adds\") (param i32 i32 i32 i32) (result i32)"
             "   (i32.add (local.get 3) (i32.add (local.get 2) (i32.add (local.get 1) (i32.mul (local.get 0) (local.get 0))))))"
             " (func (export \"add3i\") (param i32 i32) (result i32)"
             "   (i32.add (i32.add (local.get 0) (local.get 1)) (i32.const -7)))"
             " (func (export \"andn\") (param i32 i32) (result i32)"
             "   (i32.and (local.get 1) (i32.xor (local.get 0) (i32.const -1))))"
             /* 8: test-under-mask branches, forward (if, br_if with eqz) and backward */
             " (func (export \"tst\") (param i32) (result i32) (local i32)"
             "   (if (i32.and (local.get 0) (i32.const 4)) (then (local.set 1 (i32.const 10))))"
             "   (block $b (br_if $b (i32.eqz (i32.and (local.get 0) (i32.const 2))))"
             "     (local.set 1 (i32.add (local.get 1) (i32.const 1))))"
             "   (local.get 1))"
             " (func (export \"bits\") (param i32) (result i32) (local i32)"
             "   (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))"
             "     (local.set 0 (i32.shr_u (local.get 0) (i32.const 1)))"
             "     (br_if $l (i32.and (local.get 0) (i32.const 0x7fffffff))))"
             "   (local.get 1))"
             /* 10: loop back-edge with the increment in a local (INCBS) */
             " (func (export \"stride\") (param i32 i32) (result i32) (local i32 i32)"
             "   (loop $l (local.set 3 (i32.add (local.get 3) (i32.const 1)))"
             "     (br_if $l (i32.lt_u (local.tee 2 (i32.add (local.get 2) (local.get 1))) (local.get 0))))"
             "   (i32.add (i32.mul (local.get 3) (i32.const 1000)) (local.get 2)))"
             /* 11: address adds read through acc (ADD_AI / ADD_SA feeding loads): wrap at 2^32 */
             " (func (export \"addr\") (param i32 i32) (result i32)"
             "   (i32.load8_u (i32.add (i32.and (local.get 0) (i32.const -1)) (i32.const 0x10000))))"
             " (func (export \"addr2\") (param i32 i32) (result i32)"
             "   (i32.load8_u (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const 1)))))"
             /* 13: locals of callees are zero on every call (4 or fewer: unconditional stores;
              * more: the loop), also when the previous frame in that place left garbage */
             " (func $dirty (param i32) (result i32) (local i32 i32 i32 i32 i32 i32)"
             "   (local.set 1 (local.get 0)) (local.set 2 (local.get 0)) (local.set 3 (local.get 0))"
             "   (local.set 4 (local.get 0)) (local.set 5 (local.get 0)) (local.set 6 (local.get 0)) (local.get 0))"
             " (func $few (param i32) (result i32) (local i32 i32) (i32.add (local.get 0) (i32.add (local.get 1) (local.get 2))))"
             " (func $many (param i32) (result i32) (local i32 i32 i32 i32 i32 i32 i64)"
             "   (i32.add (i32.add (local.get 0) (i32.wrap_i64 (local.get 7)))"
             "            (i32.add (i32.add (local.get 1) (local.get 2)) (i32.add (local.get 5) (local.get 6)))))"
             " (func $none (result i32) (i32.const 3))"
             " (func (export \"zero\") (param i32) (result i32)"
             "   (drop (call $dirty (local.get 0))) (i32.add (call $few (i32.const 1))"
             "     (i32.add (block (result i32) (drop (call $dirty (local.get 0))) (call $many (i32.const 2))) (call $none))))"
             /* 18: an array element, index shifted (I32_LOAD_X_G): the shift and the add wrap */
             " (func $rk (param i32) (result i32) (if (local.get 0) (then (return (i32.const 40)))) (i32.const 2))"
             " (func $rb (param i64) (result i64) (block (drop (br_if 1 (i64.const 7) (i32.wrap_i64 (local.get 0)))))"
             "   (i64.add (local.get 0) (i64.const 100)))"
             " (func (export \"callacc\") (param i32) (result i32)"
             "   (i32.add (i32.add (call $rk (local.get 0)) (i32.const 1))"
             "            (i32.wrap_i64 (i64.mul (call $rb (i64.extend_i32_u (local.get 0))) (i64.const 3)))))"
             " (func $fibr (export \"fibr\") (param i32) (result i32)"
             "   (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))"
             "     (else (i32.add (call $fibr (i32.sub (local.get 0) (i32.const 1)))"
             "                    (call $fibr (i32.add (local.get 0) (i32.const -2)))))))"
             /* 23..25: a comparison-and-branch on a value just loaded (BRL32 / BRL8, either side,
              * register or constant operand), and load + constant (I32_LOAD8_U_ADDI) */
             " (func (export \"brl\") (param i32 i32) (result i32)"
             "   (if (i32.lt_u (i32.load offset=8 (local.get 0)) (local.get 1)) (then (return (i32.const 1))))"
             "   (if (i32.gt_s (local.get 1) (i32.load8_u (local.get 0))) (then (return (i32.const 2))))"
             "   (block $b (br_if $b (i32.ne (i32.load8_u offset=1 (local.get 0)) (i32.const 0x7f))) (return (i32.const 3)))"
             "   (i32.const 4))"
             " (func (export \"ldk\") (param i32) (result i32)"
             "   (i32.add (i32.load8_u offset=2 (local.get 0)) (i32.const -48)))"
             " (func (export \"ldk32\") (param i32) (result i32)"
             "   (i32.add (i32.load (local.get 0)) (i32.const 0x7fffffff)))"
             " (func (export \"elem\") (param i32 i32) (result i32)"
             "   (i32.load offset=4 (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 34)))))"
             ")",
             NULL, 0));
  const char *l = listing(&env, 0, buf, sizeof buf);
  CHECK(strstr(l, "F64_MLA_ST") != NULL && strstr(l, "F64_MUL") == NULL && strstr(l, "STORE64") == NULL);
  /* x * q + m with x = q = 1 + 2^-30, m = -(1 + 2^-29): rounded separately the sum is 0; a
   * fused multiply-add would give 2^-60 */
  double xq = 1.0 + ldexp(1.0, -30), m = -(1.0 + ldexp(1.0, -29));
  weld_memory_t *mem = env.inst->mem0;
  uint8_t *base = mem->base;
  memcpy(base + 0, &m, 8);
  memcpy(base + 8, &m, 8);
  memcpy(base + 100, &xq, 8);
  memcpy(base + 108, &xq, 8);
  weld_val_t a[4], r[1];
  a[0] = weld_val_i32(0);
  a[1] = weld_val_i32(100);
  a[2] = weld_val_f64(xq);
  CHECK(call(&env, "axpy2", a, 3, r, 0) == 0);
  double got0, got1;
  memcpy(&got0, base, 8);
  memcpy(&got1, base + 8, 8);
  CHECK(got0 == 0.0 && got1 == 0.0);
  /* the second element's address is (u32)(q + 8): it wraps */
  a[1] = weld_val_i32(-8);
  memcpy(base + 0, &m, 8);
  memcpy(base + 8, &m, 8);
  double two = 2.0;
  memcpy(base + 0, &two, 8);
  CHECK(call(&env, "axpy2", a, 3, r, 0) == 1 && g_trap_code == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);

  l = listing(&env, 1, buf, sizeof buf);
  CHECK(strstr(l, "F64_ADD_AL_ST") != NULL);
  double v = 1.5;
  memcpy(base + 200, &v, 8);
  a[0] = weld_val_i32(200);
  a[1] = weld_val_f64(16.0);
  CHECK(call(&env, "addto", a, 2, r, 0) == 0);
  memcpy(&v, base + 200, 8);
  CHECK(v == 5.5);

  l = listing(&env, 2, buf, sizeof buf);
  CHECK(strstr(l, "F64_DIV_I_CVU") != NULL && strstr(l, "F64_MUL_AL_ADD") != NULL);
  double three = 3.0;
  memcpy(base + 300, &three, 8);
  a[0] = weld_val_i32((int32_t)0xc0000000u); /* 3 * 2^30 as u32 */
  a[1] = weld_val_i32(300);
  a[2] = weld_val_f64(0.25);
  CHECK(call(&env, "spec", a, 3, r, 1) == 0 && r[0].of.f64 == 1.0 / 3221225472.0 * 3.0 + 0.25);
  /* m * q + s must not be fused either: 1/x with x = 1 is exact, mem = q, s = m / 1 */
  memcpy(base + 300, &xq, 8);
  a[0] = weld_val_i32(1);
  a[2] = weld_val_f64(-(1.0 + ldexp(1.0, -29)));
  CHECK(call(&env, "spec", a, 3, r, 1) == 0 && r[0].of.f64 == xq - 1.0 - ldexp(1.0, -29) + 0.0 &&
        r[0].of.f64 == 1.0 * xq + -(1.0 + ldexp(1.0, -29)));

  uint32_t x = 0x6a09e667u;
  l = listing(&env, 3, buf, sizeof buf);
  CHECK(strstr(l, "I32_XROT3") != NULL && count_lines(l) == 3);
  CHECK((uint32_t)call_i32(&env, "bsig", 1, (int32_t)x, 0) == (rotl32(x, 26) ^ rotl32(x, 21) ^ rotl32(x, 39)));
  l = listing(&env, 4, buf, sizeof buf);
  CHECK(strstr(l, "I32_XROT2SHR") != NULL && count_lines(l) == 3);
  CHECK((uint32_t)call_i32(&env, "ssig", 1, (int32_t)x, 0) == (rotl32(x, 25) ^ rotl32(x, 14) ^ (x >> 3)));

  l = listing(&env, 5, buf, sizeof buf);
  CHECK(strstr(l, "I32_ADD4_SA") != NULL);
  a[0] = weld_val_i32(0x10000);
  a[1] = weld_val_i32(-1);
  a[2] = weld_val_i32(0x7fffffff);
  a[3] = weld_val_i32(5);
  CHECK(call(&env, "adds", a, 4, r, 1) == 0 && (uint32_t)r[0].of.i32 == 0u + 5u + 0x7fffffffu + 0xffffffffu);
  l = listing(&env, 6, buf, sizeof buf);
  CHECK(strstr(l, "I32_ADD3I") != NULL);
  CHECK((uint32_t)call_i32(&env, "add3i", 2, 3, -2) == 0xfffffffau);
  l = listing(&env, 7, buf, sizeof buf);
  CHECK(strstr(l, "I32_ANDN") != NULL && strstr(l, "XOR") == NULL);
  CHECK((uint32_t)call_i32(&env, "andn", 2, 0x0f0f00ff, (int32_t)0xffff0000u) == 0xf0f00000u);

  l = listing(&env, 8, buf, sizeof buf);
  CHECK(strstr(l, "BR_AND_Z") != NULL && strstr(l, "I32_AND") == NULL && strstr(l, "EQZ") == NULL);
  CHECK(call_i32(&env, "tst", 1, 0, 0) == 0 && call_i32(&env, "tst", 1, 4, 0) == 10);
  CHECK(call_i32(&env, "tst", 1, 2, 0) == 1 && call_i32(&env, "tst", 1, 6, 0) == 11);
  l = listing(&env, 9, buf, sizeof buf);
  CHECK(strstr(l, "BR_AND_NZ_BACK") != NULL);
  CHECK(call_i32(&env, "bits", 1, (int32_t)0xffffffffu, 0) == 32 && call_i32(&env, "bits", 1, 1, 0) == 1);

  l = listing(&env, 10, buf, sizeof buf);
  CHECK(strstr(l, "INCBS_I32_LT_U_SS") != NULL);
  CHECK(call_i32(&env, "stride", 2, 100, 7) == 15 * 1000 + 105);
  CHECK((uint32_t)call_i32(&env, "stride", 2, 5, 0x7fffffff) == 1000u + 0x7fffffffu);

  l = listing(&env, 11, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD8_U_AI_G") != NULL);
  base[0x10] = 0x5a;
  CHECK(call_i32(&env, "addr", 2, (int32_t)0xffff0010u, 0) == 0x5a); /* (addr + 0x10000) mod 2^32 */
  CHECK(traps(&env, "addr", 2, 0x8000, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  l = listing(&env, 12, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD8_U_AS_G") != NULL);
  CHECK(call_i32(&env, "addr2", 2, 0x20, 0x10 - 0x20) == 0x5a);

  CHECK(call_i32(&env, "zero", 1, 77, 0) == 1 + 2 + 3);

  l = listing(&env, 25, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD_X_G") != NULL && count_lines(l) == 3);
  uint32_t w = 0xa1b2c3d4u;
  memcpy(base + 0x404, &w, 4);
  CHECK((uint32_t)call_i32(&env, "elem", 2, 0x100, 0) == w);               /* 0x100 << 2 + 4 */
  CHECK((uint32_t)call_i32(&env, "elem", 2, 0x40000100, 0) == w);          /* << 2 wraps */
  CHECK((uint32_t)call_i32(&env, "elem", 2, 0x101, -4) == w);              /* + wraps */
  CHECK(traps(&env, "elem", 2, 0x3fffffff, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));

  /* a direct call's integer result is read from acc by the next instruction (RET_1 and
   * RET_K set it, whichever way the callee returns) */
  l = listing(&env, 20, buf, sizeof buf);
  CHECK(strstr(l, "I32_ADD_AI") != NULL && strstr(l, "I64_MUL_AI") != NULL);
  l = listing(&env, 18, buf, sizeof buf);
  CHECK(strstr(l, "RET_K") != NULL);
  CHECK(call_i32(&env, "callacc", 1, 1, 0) == 41 + 21 && call_i32(&env, "callacc", 1, 0, 0) == 3 + 300);
  /* f(n - 1): the argument's add-immediate travels with the call (CALL_ADDI) */
  l = listing(&env, 21, buf, sizeof buf);
  CHECK(strstr(l, "CALL_ADDI") != NULL);
  CHECK(call_i32(&env, "fibr", 1, 20, 0) == 6765);

  l = listing(&env, 22, buf, sizeof buf);
  CHECK(strstr(l, "BRL32_I32_GE_U_SS") != NULL && strstr(l, "BRL8_I32_GE_S_SS") != NULL &&
        strstr(l, "BRL8_I32_NE_SI") != NULL && strstr(l, "LOAD") == NULL);
  uint32_t big = 0x90000000u;
  memcpy(base + 0x508, &big, 4); /* [0x500 + 8]: u32 0x90000000 */
  base[0x500] = 0xf0;            /* u8 240 */
  base[0x501] = 0x7f;
  CHECK(call_i32(&env, "brl", 2, 0x500, (int32_t)0x90000001u) == 1); /* unsigned: 0x9.. < 0x9..1 */
  CHECK(call_i32(&env, "brl", 2, 0x500, 241) == 2);                  /* signed: 241 > 240 */
  CHECK(call_i32(&env, "brl", 2, 0x500, 0) == 3);                    /* 0 > 240 is false */
  base[0x501] = 0x80;
  CHECK(call_i32(&env, "brl", 2, 0x500, 100) == 4);
  CHECK(traps(&env, "brl", 2, 65530, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  l = listing(&env, 23, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD8_U_ADDI") != NULL);
  base[0x602] = '7';
  CHECK(call_i32(&env, "ldk", 1, 0x600, 0) == 7);
  l = listing(&env, 24, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD_ADDI") != NULL);
  CHECK((uint32_t)call_i32(&env, "ldk32", 1, 0x508, 0) == 0x90000000u + 0x7fffffffu);
  unload(&env);
}

/* ------------------------------------------------------------------ control flow */
static void test_control(void) {
  env_t env;
  CHECK(load(&env, NULL,
             "(module"
             " (func (export \"table\") (param i32) (result i32)"
             "   (block $d (result i32) (block $b (result i32) (block $a (result i32)"
             "     (br_table $a $b $d (i32.const 100) (local.get 0)))"
             "     (i32.add (i32.const 1))) (i32.add (i32.const 2))))"
             " (func (export \"multi\") (param i32) (result i32)"
             "   (i32.const 1) (i32.const 2)"
             "   (if (param i32 i32) (result i32 i32) (local.get 0)"
             "     (then (i32.add) (i32.const 10)) (else (i32.sub) (i32.const 20)))"
             "   (i32.mul))"
             " (func (export \"loopsum\") (param i32) (result i32)"
             "   (i32.const 0) (local.get 0)"
             "   (loop $l (param i32 i32) (result i32)"
             "     (if (param i32 i32) (result i32) (i32.eqz (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))"
             "       (then (i32.add))"
             "       (else (i32.add) (local.get 0) (br $l)))))"
             " (func (export \"sel\") (param i32) (result i32)"
             "   (select (i32.const 11) (i32.const 22) (local.get 0)))"
             " (func (export \"early\") (param i32) (result i32)"
             "   (if (i32.gt_s (local.get 0) (i32.const 5)) (then (return (i32.const 1))))"
             "   (i32.const 0))"
             ")",
             NULL, 0));
  CHECK(call_i32(&env, "table", 1, 0, 0) == 103);
  CHECK(call_i32(&env, "table", 1, 1, 0) == 102);
  CHECK(call_i32(&env, "table", 1, 2, 0) == 100);
  CHECK(call_i32(&env, "table", 1, 99, 0) == 100);
  CHECK(call_i32(&env, "multi", 1, 1, 0) == 30);
  CHECK(call_i32(&env, "multi", 1, 0, 0) == -20);
  CHECK(call_i32(&env, "loopsum", 1, 10, 0) == 55);
  CHECK(call_i32(&env, "sel", 1, 1, 0) == 11 && call_i32(&env, "sel", 1, 0, 0) == 22);
  CHECK(call_i32(&env, "early", 1, 9, 0) == 1 && call_i32(&env, "early", 1, 2, 0) == 0);
  unload(&env);

  /* br_table entries that need value moves share one stub per label (regression: one stub
   * per entry let a large table with wide labels blow up the code) */
  char buf[4096];
  CHECK(load(&env, NULL,
             "(module (func (export \"bt\") (param i32) (result i32)"
             "  (block $o (result i32) (block $i (result i32) (local.get 0)"
             "    (br_table $o $o $i $o $o $o $o $o (local.get 0))) (i32.add (i32.const 100)))))",
             NULL, 0));
  const char *l = listing(&env, 0, buf, sizeof buf);
  int moves = 0;
  for (const char *p = l; (p = strstr(p, " MOV ")) != NULL; p++) moves++;
  CHECK(moves == 2);
  CHECK(call_i32(&env, "bt", 1, 0, 0) == 0 && call_i32(&env, "bt", 1, 1, 0) == 1);
  CHECK(call_i32(&env, "bt", 1, 2, 0) == 102 && call_i32(&env, "bt", 1, 6, 0) == 6);
  CHECK(call_i32(&env, "bt", 1, 99, 0) == 99);
  unload(&env);
}

/* ------------------------------------------------------------------ numerics */
static void test_numerics(void) {
  env_t env;
  CHECK(load(&env, NULL,
             "(module"
             " (func (export \"div\") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))"
             " (func (export \"rem\") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))"
             " (func (export \"divk\") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))"
             " (func (export \"remk\") (param i32) (result i32) (i32.rem_s (local.get 0) (i32.const -1)))"
             " (func (export \"trunc\") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))"
             " (func (export \"sat\") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))"
             " (func (export \"min\") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))"
             " (func (export \"nearest\") (param f32) (result f32) (f32.nearest (local.get 0)))"
             " (func (export \"floor\") (param f32) (result f32) (f32.floor (local.get 0)))"
             " (func (export \"rotl\") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))"
             ")",
             NULL, 0));
  CHECK(call_i32(&env, "div", 2, 7, 2) == 3);
  weld_val_t a[2], r[1];
  a[0] = weld_val_i32(1);
  a[1] = weld_val_i32(0);
  CHECK(call(&env, "div", a, 2, r, 1) == 1 && g_trap_code == WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);
  a[0] = weld_val_i32(INT32_MIN);
  a[1] = weld_val_i32(-1);
  CHECK(call(&env, "div", a, 2, r, 1) == 1 && g_trap_code == WELD_TRAP_INTEGER_OVERFLOW);
  CHECK(call(&env, "rem", a, 2, r, 1) == 0 && r[0].of.i32 == 0);
  CHECK(call(&env, "divk", a, 1, r, 1) == 1 && g_trap_code == WELD_TRAP_INTEGER_OVERFLOW);
  CHECK(call(&env, "remk", a, 1, r, 1) == 0 && r[0].of.i32 == 0);
  a[0] = weld_val_f32(NAN);
  CHECK(call(&env, "trunc", a, 1, r, 1) == 1 && g_trap_code == WELD_TRAP_INVALID_CONVERSION);
  a[0] = weld_val_f32(3e9f);
  CHECK(call(&env, "trunc", a, 1, r, 1) == 1 && g_trap_code == WELD_TRAP_INTEGER_OVERFLOW);
  CHECK(call(&env, "sat", a, 1, r, 1) == 0 && r[0].of.i32 == INT32_MAX);
  a[0] = weld_val_f32(-2147483648.0f);
  CHECK(call(&env, "trunc", a, 1, r, 1) == 0 && r[0].of.i32 == INT32_MIN);
  a[0] = weld_val_f64(0.0);
  a[1] = weld_val_f64(-0.0);
  CHECK(call(&env, "min", a, 2, r, 1) == 0 && signbit(r[0].of.f64));
  a[0] = weld_val_f32(2.5f);
  CHECK(call(&env, "nearest", a, 1, r, 1) == 0 && r[0].of.f32 == 2.0f);
  a[0] = weld_val_f32(-3.5f);
  CHECK(call(&env, "nearest", a, 1, r, 1) == 0 && r[0].of.f32 == -4.0f);
  /* floor of a signalling NaN returns a quiet NaN (regression: libm passed it through) */
  a[0].kind = WELD_F32;
  a[0].of.f32_bits = 0x7fa00000u;
  CHECK(call(&env, "floor", a, 1, r, 1) == 0 && (r[0].of.f32_bits & 0x7fc00000u) == 0x7fc00000u);
  a[0] = weld_val_i64(0x8000000000000001ll);
  a[1] = weld_val_i64(65);
  CHECK(call(&env, "rotl", a, 2, r, 1) == 0 && r[0].of.i64 == 3);
  unload(&env);
}

/* ------------------------------------------------------------------ traps */
static void test_traps(void) {
  env_t env;
  CHECK(load(&env, NULL,
             "(module (memory 1) (table 2 funcref) (elem (i32.const 0) $f)"
             " (type $t (func (result i32))) (type $u (func (param i32) (result i32)))"
             " (func $f (result i32) (i32.const 1))"
             " (func $boom (export \"boom\") unreachable)"
             " (func (export \"ci\") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))"
             " (func (export \"ci_bad\") (result i32) (call_indirect (type $u) (i32.const 0) (i32.const 0)))"
             " (func (export \"oob\") (param i32) (result i32) (i32.load (local.get 0)))"
             " (func (export \"oob64\") (param i32) (i64.store (local.get 0) (i64.const -1)))"
             " (func (export \"peek\") (param i32) (result i32) (i32.load8_u (local.get 0)))"
             " (func (export \"fill\") (param i32 i32) (memory.fill (local.get 0) (i32.const 7) (local.get 1)))"
             " (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))"
             ")",
             NULL, 0));
  CHECK(traps(&env, "boom", 0, 0, WELD_TRAP_UNREACHABLE));
  CHECK(strstr(g_trap_msg, "boom") != NULL); /* the name section's function name */
  CHECK(call_i32(&env, "ci", 1, 0, 0) == 1);
  CHECK(traps(&env, "ci", 1, 1, WELD_TRAP_UNINITIALIZED_ELEMENT));
  CHECK(traps(&env, "ci", 1, 2, WELD_TRAP_TABLE_OUT_OF_BOUNDS));
  CHECK(traps(&env, "ci_bad", 0, 0, WELD_TRAP_INDIRECT_CALL_TYPE));
  /* guard pages: faults become traps, at the edge and far beyond */
  CHECK(call_i32(&env, "oob", 1, 65532, 0) == 0);
  CHECK(traps(&env, "oob", 1, 65533, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  CHECK(traps(&env, "oob", 1, -1, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  CHECK(traps(&env, "oob64", 1, 65532, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  CHECK(call_i32(&env, "peek", 1, 65532, 0) == 0); /* the faulting store wrote nothing */
  /* bulk operations check before writing anything */
  weld_val_t a[2] = {weld_val_i32(65530), weld_val_i32(10)}, r[1];
  CHECK(call(&env, "fill", a, 2, r, 0) == 1 && g_trap_code == WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
  CHECK(call_i32(&env, "peek", 1, 65530, 0) == 0);
  /* after growing, the same address works; the engine keeps running after traps */
  CHECK(call_i32(&env, "grow", 1, 1, 0) == 1);
  CHECK(call_i32(&env, "oob", 1, 65533, 0) == 0);
  CHECK(traps(&env, "oob", 1, 131069, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  unload(&env);
}

/* ------------------------------------------------------------------ multi-memory */
static void test_multi_memory(void) {
  env_t env;
  char buf[4096];
  CHECK(load(&env, NULL,
             "(module (memory $a 1) (memory $b 2)"
             " (func (export \"f\") (param i32) (result i32)"
             "   (i32.store $b (local.get 0) (i32.const 42))"
             "   (i32.store8 $a (i32.const 3) (i32.const 7))"
             "   (memory.copy $a $b (i32.const 100) (local.get 0) (i32.const 4))"
             "   (i32.add (i32.load $a (i32.const 100)) (i32.add (memory.size $b) (i32.load8_u $a (i32.const 3)))))"
             " (func (export \"g\") (param i32) (result i32) (i32.load $b (local.get 0)))"
             " (func (export \"grow\") (result i32) (memory.grow $b (i32.const 1))))",
             NULL, 0));
  const char *l = listing(&env, 1, buf, sizeof buf);
  CHECK(strstr(l, "I32_LOAD_M             a=1 b=0 c=0 d=1") != NULL); /* checked path, memory 1 */
  CHECK(call_i32(&env, "f", 1, 8, 0) == 42 + 2 + 7);
  CHECK(call_i32(&env, "g", 1, 8, 0) == 42);
  CHECK(traps(&env, "g", 1, 131069, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  CHECK(call_i32(&env, "grow", 0, 0, 0) == 2);
  CHECK(call_i32(&env, "g", 1, 131069, 0) == 0);
  CHECK(traps(&env, "g", 1, 196605, WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
  unload(&env);
}

/* ------------------------------------------------------------------ stack exhaustion */
static void test_stack(void) {
  env_t env;
  const char *wat = "(module"
                    " (func $r (export \"rec\") (param i32) (result i32)"
                    "   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))"
                    "     (else (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1)))))))"
                    " (func $inf (export \"inf\") (call $inf))"
                    " (func $big (export \"big\") (param i64 i64 i64 i64 i64 i64 i64 i64)"
                    "   (local v128 v128 v128 v128 v128 v128 v128 v128) (call $big (local.get 0) (local.get 1)"
                    "   (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6) (local.get 7))))";
  CHECK(load(&env, NULL, wat, NULL, 0));
  CHECK(call_i32(&env, "rec", 1, 50000, 0) == 50000);
  CHECK(traps(&env, "inf", 0, 0, WELD_TRAP_STACK_EXHAUSTED));
  weld_val_t a[8];
  for (int i = 0; i < 8; i++) a[i] = weld_val_i64(i);
  CHECK(call(&env, "big", a, 8, NULL, 0) == 1 && g_trap_code == WELD_TRAP_STACK_EXHAUSTED);
  CHECK(call_i32(&env, "rec", 1, 10, 0) == 10); /* usable after exhaustion */
  unload(&env);
  /* a small value stack runs out before the frame limit */
  weld_config_t cfg = {0};
  cfg.value_stack_slots = 1000;
  CHECK(load(&env, &cfg, wat, NULL, 0));
  CHECK(call_i32(&env, "rec", 1, 100, 0) == 100);
  CHECK(traps(&env, "rec", 1, 5000, WELD_TRAP_STACK_EXHAUSTED));
  unload(&env);
  cfg.value_stack_slots = 0;
  cfg.max_call_depth = 100;
  CHECK(load(&env, &cfg, wat, NULL, 0));
  CHECK(call_i32(&env, "rec", 1, 90, 0) == 90);
  CHECK(traps(&env, "rec", 1, 200, WELD_TRAP_STACK_EXHAUSTED));
  unload(&env);
}

/* ------------------------------------------------------------------ host functions */
typedef struct {
  env_t *env;
  int depth, max_depth, calls;
} reenter_t;

/* host "down"(n): calls the guest's "down"(n - 1) when n > 0, returns n * 2 + inner */
static weld_trap_t *host_down(void *envp, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                              weld_val_t *results, size_t nresults) {
  (void)nargs;
  (void)nresults;
  reenter_t *r = envp;
  r->calls++;
  r->depth++;
  if (r->depth > r->max_depth) r->max_depth = r->depth;
  int32_t n = args[0].of.i32;
  int32_t inner = 0;
  weld_trap_t *trap = NULL;
  if (n > 0) {
    weld_extern_t ex;
    if (!weld_caller_export(caller, "down", &ex)) {
      r->depth--;
      return weld_trap_new(WELD_TRAP_HOST, "no export down");
    }
    weld_val_t a = weld_val_i32(n - 1), res;
    res.kind = WELD_I32;
    weld_error_t *err = weld_func_call(weld_caller_store(caller), ex.of.func, &a, 1, &res, 1, &trap);
    if (err) {
      weld_error_delete(err);
      r->depth--;
      return weld_trap_new(WELD_TRAP_HOST, "call failed");
    }
    if (trap) {
      r->depth--;
      return trap; /* propagate */
    }
    inner = res.of.i32;
  }
  results[0] = weld_val_i32(n * 2 + inner);
  r->depth--;
  return NULL;
}

static weld_trap_t *host_fault(void *envp, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                               weld_val_t *results, size_t nresults) {
  (void)envp;
  (void)args;
  (void)nargs;
  (void)results;
  (void)nresults;
  /* a guest call that faults on a guard page inside a host call: the inner entry traps,
   * the outer one keeps running */
  weld_extern_t ex;
  if (!weld_caller_export(caller, "oob", &ex)) return weld_trap_new(WELD_TRAP_HOST, "no oob");
  weld_trap_t *trap = NULL;
  weld_val_t a = weld_val_i32(-1), res;
  res.kind = WELD_I32;
  weld_error_t *err = weld_func_call(weld_caller_store(caller), ex.of.func, &a, 1, &res, 1, &trap);
  if (err) {
    weld_error_delete(err);
    return weld_trap_new(WELD_TRAP_HOST, "error");
  }
  int ok = trap && weld_trap_code(trap) == WELD_TRAP_MEMORY_OUT_OF_BOUNDS;
  if (trap) weld_trap_delete(trap);
  results[0] = weld_val_i32(ok ? 77 : -1);
  return NULL;
}

static void test_host(void) {
  env_t env;
  memset(&env, 0, sizeof env);
  env.engine = weld_engine_new(NULL);
  env.store = weld_store_new(env.engine);
  reenter_t r = {&env, 0, 0, 0};
  weld_valkind_t i32 = WELD_I32;
  weld_functype_t *ft = weld_functype_new(&i32, 1, &i32, 1);
  weld_extern_t imps[2];
  imps[0].kind = WELD_EXTERN_FUNC;
  imps[0].of.func = weld_func_new(env.store, ft, host_down, &r, NULL);
  weld_functype_t *ft0 = weld_functype_new(NULL, 0, &i32, 1);
  imps[1].kind = WELD_EXTERN_FUNC;
  imps[1].of.func = weld_func_new(env.store, ft0, host_fault, NULL, NULL);
  weld_functype_delete(ft);
  weld_functype_delete(ft0);
  CHECK(load_in(&env,
                "(module (import \"h\" \"down\" (func $down (param i32) (result i32)))"
                " (import \"h\" \"fault\" (func $fault (result i32)))"
                " (memory 1)"
                " (func (export \"down\") (param i32) (result i32)"
                "   (i32.add (i32.const 1000) (call $down (local.get 0))))"
                " (func (export \"oob\") (param i32) (result i32) (i32.load (local.get 0)))"
                " (func (export \"fault\") (result i32) (i32.add (call $fault) (i32.load (i32.const 0)))))",
                imps, 2));
  /* down(n) = 1000 + host(n) = 1000 + 2n + down(n-1) */
  CHECK(call_i32(&env, "down", 1, 3, 0) == 4000 + 2 * (3 + 2 + 1));
  CHECK(r.max_depth == 4);
  /* the nesting cap stops unbounded host <-> wasm recursion with a trap */
  r.max_depth = 0;
  CHECK(traps(&env, "down", 1, 100000, WELD_TRAP_STACK_EXHAUSTED));
  CHECK(r.depth == 0 && r.max_depth >= 100 && r.max_depth <= 1000);
  CHECK(call_i32(&env, "down", 1, 1, 0) == 2000 + 2);
  CHECK(call_i32(&env, "fault", 0, 0, 0) == 77);
  unload(&env);
}

/* ------------------------------------------------------------------ fuel and interrupts */
static void *interrupter(void *arg) {
  usleep(50000);
  weld_store_interrupt(arg);
  return NULL;
}

static void test_fuel_interrupt(void) {
  env_t env;
  CHECK(load(&env, NULL,
             "(module (func (export \"spin\") (loop (br 0)))"
             " (func (export \"spin_if\") (param i32) (loop (br_if 0 (local.get 0))))"
             " (func $r (export \"rec\") (call $r))"
             " (func (export \"count\") (param i32) (result i32) (local i32)"
             "   (loop $l (br_if $l (i32.lt_u (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))"
             "   (local.get 1)))",
             NULL, 0));
  pthread_t th;
  pthread_create(&th, NULL, interrupter, env.store);
  CHECK(traps(&env, "spin", 0, 0, WELD_TRAP_INTERRUPT));
  pthread_join(th, NULL);
  CHECK(traps(&env, "spin_if", 1, 1, WELD_TRAP_INTERRUPT)); /* still pending */
  weld_store_clear_interrupt(env.store);
  CHECK(call_i32(&env, "count", 1, 10, 0) == 10);
  weld_store_set_fuel(env.store, 1000);
  CHECK(traps(&env, "spin", 0, 0, WELD_TRAP_OUT_OF_FUEL));
  weld_store_set_fuel(env.store, 1000);
  CHECK(traps(&env, "rec", 0, 0, WELD_TRAP_OUT_OF_FUEL));
  weld_store_set_fuel(env.store, 1000);
  CHECK(call_i32(&env, "count", 1, 500, 0) == 500);
  CHECK(weld_store_get_fuel(env.store) < 1000 && weld_store_get_fuel(env.store) >= 400);
  weld_store_disable_fuel(env.store);
  CHECK(call_i32(&env, "count", 1, 5000, 0) == 5000);
  unload(&env);
}

/* ------------------------------------------------------------------ validation errors */
static void expect_invalid(const char *wat, const char *sub) {
  weld_engine_t *e = weld_engine_new(NULL);
  weld_module_t *m = NULL;
  weld_error_t *err = compile_wat(e, wat, &m);
  bool ok = err && strstr(weld_error_message(err), sub) && weld_error_offset(err) != (size_t)-1;
  if (!ok) fprintf(stderr, "expected \"%s\", got %s\n", sub, err ? weld_error_message(err) : "success");
  CHECK(ok);
  if (err) weld_error_delete(err);
  if (m) weld_module_delete(m);
  weld_engine_delete(e);
}

static void test_validation(void) {
  expect_invalid("(module (func (result i32) (f64.const 1)))", "type mismatch: expected i32 but found f64");
  expect_invalid("(module (func (local.get 5)))", "unknown local 5");
  expect_invalid("(module (func (drop (i32.add (i32.const 1)))))", "type mismatch");
  expect_invalid("(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))",
                 "alignment must not be larger than natural");
  expect_invalid("(module (func (drop (i32.load (i32.const 0)))))", "unknown memory 0");
  expect_invalid("(module (func (br 1)))", "unknown label");
  expect_invalid("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))", "global is immutable");
  expect_invalid("(module (func $f (drop (ref.func $f))))", "undeclared function reference");
  expect_invalid("(module (func (select (ref.null func) (ref.null func) (i32.const 1)) drop))", "type mismatch");
  expect_invalid("(module (func (block (result i32) (i32.const 1) (i32.const 2))))", "type mismatch");
  expect_invalid("(module (func (i8x16.extract_lane_s 16 (v128.const i64x2 0 0)) drop))", "invalid lane index");
  expect_invalid("(module (func (if (result i32) (i32.const 1) (then (i32.const 1)))))", "type mismatch");
  /* unreachable code is still type-checked (after br_if the label types are concrete) */
  expect_invalid("(module (func (result f32) (block (result i32) unreachable br_if 0 f32.neg)))", "type mismatch");
}

int main(void) {
  test_code_shape();
  test_forwarding();
  test_fusions();
  test_fusions2();
  test_control();
  test_numerics();
  test_traps();
  test_multi_memory();
  test_stack();
  test_host();
  test_fuel_interrupt();
  test_validation();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
