/* global.c — globals (core spec §4.2.9 "Global Instances", global.get/global.set §4.4.5)
 * and weld/global.h.  The value lives in two slots so a v128 fits. */
#include "base/alloc.h"
#include "base/error.h"
#include "core/runtime.h"
#include <string.h>

/* A reference value must be a function of this store (or null, or any externref). */
static bool val_in_store(const weld_store_t *store, const weld_val_t *v) {
  return v->kind != WELD_FUNCREF || !v->of.funcref || v->of.funcref->store == store;
}

weld_error_t *weld_global_new(weld_store_t *store, weld_val_t init, bool mutable_, weld_global_t **out) {
  if (!out) return base_error("weld_global_new: invalid argument");
  *out = NULL;
  if (!store) return base_error("weld_global_new: invalid argument");
  uint8_t t = core_valkind_to_type(init.kind);
  if (!t) return base_error("weld_global_new: invalid value kind %d", (int)init.kind);
  if (!val_in_store(store, &init)) return base_error("weld_global_new: funcref from another store");
  if (!VEC_RESERVE(&store->globals, 1)) return base_error_oom();
  weld_global_t *g = base_calloc(1, sizeof *g);
  if (!g) return base_error_oom();
  g->type.type = t;
  g->type.mut = mutable_;
  g->store = store;
  core_val_to_slots(&init, g->val);
  store->globals.data[store->globals.len++] = g;
  *out = g;
  return NULL;
}

weld_valkind_t weld_global_kind(const weld_global_t *g) { return core_type_to_valkind(g->type.type); }
bool weld_global_mutable(const weld_global_t *g) { return g->type.mut; }

weld_val_t weld_global_get(const weld_global_t *g) {
  weld_val_t v;
  core_slots_to_val(g->val, g->type.type, &v);
  return v;
}

weld_error_t *weld_global_set(weld_global_t *g, weld_val_t v) {
  if (!g) return base_error("weld_global_set: invalid argument");
  if (!g->type.mut) return base_error("global is immutable");
  if (core_valkind_to_type(v.kind) != g->type.type)
    return base_error("type mismatch: global is %s, value is %s", core_valtype_name(g->type.type),
                      weld_valkind_name(v.kind));
  if (!val_in_store(g->store, &v)) return base_error("funcref from another store");
  core_val_to_slots(&v, g->val);
  return NULL;
}
