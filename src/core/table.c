/* table.c — tables (core spec §4.2.7 "Table Instances", §4.5.3.2 "Growing tables",
 * table.grow §4.4.6) and weld/table.h.  Elements are pointers: a funcref is a
 * weld_func_t *, an externref the embedder's void *; NULL is the null reference. */
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include "core/runtime.h"
#include <string.h>

/* The most elements table t may ever hold: its type's maximum, the store's limit and
 * WELD_MAX_TABLE_ELEMS. */
static uint64_t table_cap(const weld_table_t *t) {
  uint64_t cap = t->max;
  if (t->store->table_limit && t->store->table_limit < cap) cap = t->store->table_limit;
  if (cap > WELD_MAX_TABLE_ELEMS) cap = WELD_MAX_TABLE_ELEMS;
  return cap;
}

weld_error_t *core_table_new(weld_store_t *store, const core_tabletype_t *tt, void *init,
                             weld_table_t **out) {
  *out = NULL;
  const core_limits_t *l = &tt->limits;
  if (l->min > UINT32_MAX || (l->has_max && (l->max > UINT32_MAX || l->max < l->min)))
    return base_error("invalid table limits");
  if (!core_is_reftype(tt->elem)) return base_error("invalid table element type");
  if (!VEC_RESERVE(&store->tables, 1)) return base_error_oom();
  weld_table_t *t = base_calloc(1, sizeof *t);
  if (!t) return base_error_oom();
  t->store = store;
  t->type = *tt;
  t->elemtype = tt->elem;
  t->max = l->has_max ? (uint32_t)l->max : UINT32_MAX;
  if (l->min > table_cap(t)) {
    uint64_t lim = store->table_limit && store->table_limit < WELD_MAX_TABLE_ELEMS
                       ? store->table_limit : WELD_MAX_TABLE_ELEMS;
    base_free(t, sizeof *t);
    return base_error("table limit exceeded: %llu elements requested, at most %llu allowed",
                      (unsigned long long)l->min, (unsigned long long)lim);
  }
  t->size = (uint32_t)l->min;
  t->elems = base_alloc((size_t)(t->size ? t->size : 1) * sizeof(void *));
  if (!t->elems) {
    base_free(t, sizeof *t);
    return base_error_oom();
  }
  for (uint32_t i = 0; i < t->size; i++) t->elems[i] = init;
  store->tables.data[store->tables.len++] = t;
  *out = t;
  return NULL;
}

void core_table_free(weld_table_t *t) {
  if (!t) return;
  base_free(t->elems, (size_t)(t->size ? t->size : 1) * sizeof(void *));
  base_free(t, sizeof *t);
}

int64_t core_table_grow(weld_table_t *t, uint32_t delta, void *init) {
  uint32_t old = t->size;
  if (delta == 0) return old;
  uint64_t n = (uint64_t)old + delta;
  if (n > table_cap(t)) return -1;
  void **e = base_realloc(t->elems, (size_t)(old ? old : 1) * sizeof(void *), (size_t)n * sizeof(void *));
  if (!e) return -1;
  for (uint64_t i = old; i < n; i++) e[i] = init;
  t->elems = e;
  t->size = (uint32_t)n;
  return old;
}

/* ---------------------------------------------------------------- public API */

/* The reference in v as a table element; false if v is not a reference of type `elem`
 * or is a function of another store. */
static bool ref_of(weld_store_t *store, uint8_t elem, weld_val_t v, void **out) {
  if (core_valkind_to_type(v.kind) != elem) return false;
  if (elem == VT_FUNCREF) {
    if (v.of.funcref && v.of.funcref->store != store) return false;
    *out = v.of.funcref;
  } else {
    *out = v.of.externref;
  }
  return true;
}

weld_error_t *weld_table_new(weld_store_t *store, weld_valkind_t elem, weld_limits_t limits,
                             weld_val_t init, weld_table_t **out) {
  if (!out) return base_error("weld_table_new: invalid argument");
  *out = NULL;
  if (!store) return base_error("weld_table_new: invalid argument");
  uint8_t et = core_valkind_to_type(elem);
  if (!core_is_reftype(et)) return base_error("table element type must be funcref or externref");
  if (limits.has_max && limits.max < limits.min)
    return base_error("size minimum must not be greater than maximum");
  void *r;
  if (!ref_of(store, et, init, &r))
    return base_error("table initial value must be a %s of this store", weld_valkind_name(elem));
  core_tabletype_t tt = {et, {limits.min, limits.has_max ? limits.max : 0, limits.has_max}};
  return core_table_new(store, &tt, r, out);
}

weld_valkind_t weld_table_elem_kind(const weld_table_t *t) { return core_type_to_valkind(t->elemtype); }

weld_limits_t weld_table_type(const weld_table_t *t) {
  weld_limits_t l = {t->size, t->type.limits.has_max ? t->type.limits.max : 0, t->type.limits.has_max};
  return l;
}

uint32_t weld_table_size(const weld_table_t *t) { return t->size; }

bool weld_table_get(const weld_table_t *t, uint32_t i, weld_val_t *out) {
  if (!t || i >= t->size) return false;
  memset(out, 0, sizeof *out);
  out->kind = core_type_to_valkind(t->elemtype);
  if (t->elemtype == VT_FUNCREF)
    out->of.funcref = t->elems[i];
  else
    out->of.externref = t->elems[i];
  return true;
}

bool weld_table_set(weld_table_t *t, uint32_t i, weld_val_t v) {
  void *r;
  if (!t || i >= t->size || !ref_of(t->store, t->elemtype, v, &r)) return false;
  t->elems[i] = r;
  return true;
}

int64_t weld_table_grow(weld_table_t *t, uint32_t delta, weld_val_t init) {
  void *r;
  if (!t || !ref_of(t->store, t->elemtype, init, &r)) return -1;
  return core_table_grow(t, delta, r);
}
