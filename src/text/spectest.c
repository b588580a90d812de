/* spectest.c — the `spectest` host module that the core spec test scripts import
 * (testsuite/HOST.md; WebAssembly/spec interpreter/host/spectest.ml): print functions that
 * do nothing, four immutable globals holding 666 / 666.6, a funcref table of 10..20
 * elements and a memory of 1..2 pages.  Built with the public embedding API only. */
#include "text/wast.h"

static weld_trap_t *spectest_print(void *env, weld_caller_t *caller, const weld_val_t *args,
                                   size_t nargs, weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return NULL;
}

static weld_error_t *make_print(weld_store_t *store, const weld_valkind_t *params, size_t n,
                                weld_extern_t *out) {
  weld_functype_t *t = weld_functype_new(params, n, NULL, 0);
  if (!t) return base_error_oom();
  weld_func_t *f = weld_func_new(store, t, spectest_print, NULL, NULL);
  weld_functype_delete(t);
  if (!f) return base_error_oom();
  out->kind = WELD_EXTERN_FUNC;
  out->of.func = f;
  return NULL;
}

static weld_error_t *make_global(weld_store_t *store, weld_val_t v, weld_extern_t *out) {
  out->kind = WELD_EXTERN_GLOBAL;
  return weld_global_new(store, v, false, &out->of.global);
}

weld_error_t *text_spectest_new(weld_store_t *store, text_wast_export_t out[TEXT_SPECTEST_EXPORTS]) {
  static const weld_valkind_t i32[] = {WELD_I32}, i64[] = {WELD_I64}, f32[] = {WELD_F32},
                              f64[] = {WELD_F64}, i32_f32[] = {WELD_I32, WELD_F32},
                              f64_f64[] = {WELD_F64, WELD_F64};
  static const struct {
    const char *name;
    const weld_valkind_t *params;
    size_t n;
  } prints[] = {{"print", NULL, 0},        {"print_i32", i32, 1},         {"print_i64", i64, 1},
                {"print_f32", f32, 1},     {"print_f64", f64, 1},         {"print_i32_f32", i32_f32, 2},
                {"print_f64_f64", f64_f64, 2}};
  size_t k = 0;
  weld_error_t *e = NULL;
  for (size_t i = 0; i < sizeof prints / sizeof prints[0] && !e; i++, k++) {
    out[k].name = prints[i].name;
    e = make_print(store, prints[i].params, prints[i].n, &out[k].ext);
  }
  if (e) return e;

  weld_val_t g32f, g64f;
  g32f.kind = WELD_F32;
  g32f.of.i64 = 0;
  g32f.of.f32_bits = 0x4426a666u; /* 666.6 */
  g64f.kind = WELD_F64;
  g64f.of.f64_bits = 0x4084d4cccccccccdull;
  out[k].name = "global_i32";
  if ((e = make_global(store, weld_val_i32(666), &out[k++].ext))) return e;
  out[k].name = "global_i64";
  if ((e = make_global(store, weld_val_i64(666), &out[k++].ext))) return e;
  out[k].name = "global_f32";
  if ((e = make_global(store, g32f, &out[k++].ext))) return e;
  out[k].name = "global_f64";
  if ((e = make_global(store, g64f, &out[k++].ext))) return e;

  weld_val_t null_func;
  null_func.kind = WELD_FUNCREF;
  null_func.of.funcref = NULL;
  out[k].name = "table";
  out[k].ext.kind = WELD_EXTERN_TABLE;
  weld_limits_t tl = {10, 20, true};
  if ((e = weld_table_new(store, WELD_FUNCREF, tl, null_func, &out[k++].ext.of.table))) return e;

  out[k].name = "memory";
  out[k].ext.kind = WELD_EXTERN_MEMORY;
  weld_limits_t ml = {1, 2, true};
  if ((e = weld_memory_new(store, ml, &out[k++].ext.of.memory))) return e;
  return NULL;
}
