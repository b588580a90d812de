/* fuzz_crt.c — libFuzzer target for the component runtime (src/component: linker,
 * instantiate, instance, func, and the Canonical ABI behind them): a component binary is
 * compiled (weld_component_new), every import is defined as a trap
 * (weld_linker_define_unknown_imports_as_traps), it is instantiated under fuel and memory
 * limits, and every exported function of the root is called with default arguments (zeros,
 * empty strings and lists, first cases; functions taking handles are skipped).
 *
 * Checks beyond "no crash, leak or sanitizer report": every error and trap has a message.
 * Build and run: see tests/fuzz/README.md (seed corpus: tests/component/dev_corpus.py
 * --all --save DIR, and the .wasm files of tests/component/guests). */
#include "weld.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool default_val(const weld_ctype_t *t, weld_cval_t *v, int depth) {
  memset(v, 0, sizeof *v);
  weld_ckind_t k = weld_ctype_kind(t);
  v->kind = k;
  if (depth > 40) return false;
  switch (k) {
  case WELD_CK_STRING: return weld_cval_string(v, "", 0);
  case WELD_CK_LIST: return weld_cval_items(v, k, 0);
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE: {
    size_t n = weld_ctype_count(t);
    if (n > 64 || !weld_cval_items(v, k, n)) return false;
    for (size_t i = 0; i < n; i++)
      if (!default_val(weld_ctype_member(t, i), &v->of.items.ptr[i], depth + 1)) return false;
    return true;
  }
  case WELD_CK_VARIANT:
  case WELD_CK_RESULT: {
    const weld_ctype_t *m = weld_ctype_member(t, 0);
    if (!m) return true;
    weld_cval_t p;
    if (!default_val(m, &p, depth + 1)) {
      weld_cval_drop(&p);
      return false;
    }
    return weld_cval_box(k == WELD_CK_VARIANT ? &v->of.variant.payload : &v->of.result.payload, &p);
  }
  case WELD_CK_FLAGS: return weld_cval_flags(v, weld_ctype_count(t));
  case WELD_CK_OWN:
  case WELD_CK_BORROW: return false;
  default: return (k >= WELD_CK_BOOL && k <= WELD_CK_CHAR) || k == WELD_CK_ENUM || k == WELD_CK_OPTION;
  }
}

/* Result values may hold own handles, which belong to the host: release them. */
static void forget_handles(weld_cval_t *v) {
  switch (v->kind) {
  case WELD_CK_OWN:
  case WELD_CK_BORROW:
    weld_resource_forget(v->of.resource);
    v->of.resource = NULL;
    break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) forget_handles(&v->of.items.ptr[i]);
    break;
  case WELD_CK_VARIANT:
    if (v->of.variant.payload) forget_handles(v->of.variant.payload);
    break;
  case WELD_CK_OPTION:
    if (v->of.option) forget_handles(v->of.option);
    break;
  case WELD_CK_RESULT:
    if (v->of.result.payload) forget_handles(v->of.result.payload);
    break;
  default: break;
  }
}

static void check_error(weld_error_t *err) {
  if (!err) return;
  if (!weld_error_message(err)[0]) __builtin_trap();
  weld_error_delete(err);
}

static void check_trap(weld_trap_t *trap) {
  if (!trap) return;
  if (!weld_trap_message(trap) || !weld_trap_message(trap)[0]) __builtin_trap();
  weld_trap_delete(trap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static weld_engine_t *engine;
  if (!engine) engine = weld_engine_new(NULL);
  weld_component_t *c = NULL;
  weld_error_t *err = weld_component_new(engine, data, size, &c);
  if (err) {
    check_error(err);
    return 0;
  }
  weld_linker_t *l = weld_linker_new(engine);
  weld_store_t *s = weld_store_new(engine);
  weld_store_set_fuel(s, 100000);
  weld_store_set_memory_limit(s, 64u << 20);
  weld_store_set_table_limit(s, 65536);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  err = weld_linker_define_unknown_imports_as_traps(l, c);
  if (!err) err = weld_linker_instantiate(l, s, c, &inst, &trap);
  if (err || trap) {
    check_error(err);
    check_trap(trap);
  } else {
    const weld_ctype_t *ct = weld_component_type(c);
    for (size_t e = 0; e < weld_ctype_count(ct) && e < 64; e++) {
      const weld_ctype_t *ft = weld_ctype_member(ct, e);
      if (weld_ctype_kind(ft) != WELD_CTYPE_FUNC) continue;
      weld_cfunc_t *f = weld_cinstance_func_by_name(inst, weld_ctype_name(ct, e));
      size_t np = weld_ctype_count(ft), nr = weld_ctype_result_count(ft), na = 0;
      weld_cval_t args[32], res[1];
      bool good = f && np <= 32;
      while (good && na < np) { /* default_val initializes args[na] even when it fails */
        good = default_val(weld_ctype_member(ft, na), &args[na], 0);
        na++;
      }
      if (good) {
        weld_store_set_fuel(s, 100000);
        err = weld_cfunc_call(s, f, args, np, res, nr, &trap);
        if (!err && !trap && nr) {
          forget_handles(&res[0]);
          weld_cval_drop(&res[0]);
        }
        check_error(err);
        check_trap(trap);
        if (weld_cfunc_is_flat(f)) {
          uint64_t w[16] = {0}, r[1];
          weld_store_set_fuel(s, 100000);
          err = weld_cfunc_call_flat(s, f, w, r, &trap);
          check_error(err);
          check_trap(trap);
        }
      }
      for (size_t k = 0; k < na; k++) weld_cval_drop(&args[k]);
    }
  }
  weld_store_delete(s);
  weld_linker_delete(l);
  weld_component_delete(c);
  return 0;
}
