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
#include "../component/cval_util.h"
#include "weld.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);



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
        good = cval_default(weld_ctype_member(ft, na), &args[na], 0);
        na++;
      }
      if (good) {
        weld_store_set_fuel(s, 100000);
        err = weld_cfunc_call(s, f, args, np, res, nr, &trap);
        if (!err && !trap && nr) {
          cval_forget_handles(&res[0]);
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
