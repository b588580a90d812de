/* cval_util.h — component values in tests (public API only): deep equality, a default
 * value of a type, giving up the handles in a result.
 *
 * cval_eq: floats compare by bits, except that any two NaNs are equal (lifting may canonicalise
 * them); a list of numbers compares equal in its two forms (ARRAY, or LIST of items);
 * flags compare every word; resources are equal when they are the same handle, or host
 * handles of the same type and rep. */
#ifndef WELD_TESTS_CVAL_UTIL_H
#define WELD_TESTS_CVAL_UTIL_H
#include "weld/component.h"
#include <math.h>
#include <stdbool.h>
#include <string.h>

static inline bool cval_eq(const weld_cval_t *a, const weld_cval_t *b);

static inline bool cval_box_eq(const weld_cval_t *a, const weld_cval_t *b) {
  if (!a || !b) return a == b;
  return cval_eq(a, b);
}

static inline bool cval_is_list(const weld_cval_t *v) { return v->kind == WELD_CK_LIST || v->kind == WELD_CK_ARRAY; }

static inline bool cval_eq(const weld_cval_t *a, const weld_cval_t *b) {
  if (cval_is_list(a) && cval_is_list(b)) {
    size_t n = weld_cval_len(a);
    if (n != weld_cval_len(b)) return false;
    for (size_t i = 0; i < n; i++) {
      weld_cval_t x, y;
      if (!weld_cval_element(a, i, &x) || !weld_cval_element(b, i, &y) || !cval_eq(&x, &y)) return false;
    }
    return true;
  }
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case WELD_CK_BOOL: return a->of.b == b->of.b;
  case WELD_CK_S8: case WELD_CK_U8: return a->of.u8 == b->of.u8;
  case WELD_CK_S16: case WELD_CK_U16: return a->of.u16 == b->of.u16;
  case WELD_CK_S32: case WELD_CK_U32: return a->of.u32 == b->of.u32;
  case WELD_CK_CHAR: return a->of.ch == b->of.ch;
  case WELD_CK_S64: case WELD_CK_U64: return a->of.u64 == b->of.u64;
  case WELD_CK_F32: return (isnan(a->of.f32) && isnan(b->of.f32)) || memcmp(&a->of.f32, &b->of.f32, 4) == 0;
  case WELD_CK_F64: return (isnan(a->of.f64) && isnan(b->of.f64)) || memcmp(&a->of.f64, &b->of.f64, 8) == 0;
  case WELD_CK_STRING:
    return a->of.str.len == b->of.str.len && (a->of.str.len == 0 || memcmp(a->of.str.ptr, b->of.str.ptr, a->of.str.len) == 0);
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (a->of.items.len != b->of.items.len) return false;
    for (size_t i = 0; i < a->of.items.len; i++)
      if (!cval_eq(&a->of.items.ptr[i], &b->of.items.ptr[i])) return false;
    return true;
  case WELD_CK_VARIANT:
    return a->of.variant.index == b->of.variant.index && cval_box_eq(a->of.variant.payload, b->of.variant.payload);
  case WELD_CK_ENUM: return a->of.index == b->of.index;
  case WELD_CK_OPTION: return cval_box_eq(a->of.option, b->of.option);
  case WELD_CK_RESULT:
    return a->of.result.is_err == b->of.result.is_err && cval_box_eq(a->of.result.payload, b->of.result.payload);
  case WELD_CK_FLAGS: {
    size_t n = a->of.flags.nwords > b->of.flags.nwords ? a->of.flags.nwords : b->of.flags.nwords;
    for (size_t i = 0; i < n; i++) {
      uint32_t x = i < a->of.flags.nwords ? a->of.flags.bits[i] : 0, y = i < b->of.flags.nwords ? b->of.flags.bits[i] : 0;
      if (x != y) return false;
    }
    return true;
  }
  case WELD_CK_OWN:
  case WELD_CK_BORROW: {
    if (a->of.resource == b->of.resource) return true;
    uint32_t x, y;
    weld_error_t *ea, *eb;
    if (!a->of.resource || !b->of.resource || weld_resource_type(a->of.resource) != weld_resource_type(b->of.resource))
      return false;
    ea = weld_resource_rep(a->of.resource, &x);
    eb = weld_resource_rep(b->of.resource, &y);
    bool same = !ea && !eb && x == y;
    weld_error_delete(ea);
    weld_error_delete(eb);
    return same;
  }
  default: return false;
  }
}

/* A value of type t made of defaults (empty strings and lists, zeros, first cases); false
 * for types that need a resource handle or nest deeper than 40. */
static inline bool cval_default(const weld_ctype_t *t, weld_cval_t *v, int depth) {
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
      if (!cval_default(weld_ctype_member(t, i), &v->of.items.ptr[i], depth + 1)) return false;
    return true;
  }
  case WELD_CK_VARIANT:
  case WELD_CK_RESULT: {
    const weld_ctype_t *m = weld_ctype_member(t, 0);
    if (!m) return true;
    weld_cval_t p;
    if (!cval_default(m, &p, depth + 1)) {
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
static inline void cval_forget_handles(weld_cval_t *v) {
  switch (v->kind) {
  case WELD_CK_OWN:
  case WELD_CK_BORROW:
    weld_resource_forget(v->of.resource);
    v->of.resource = NULL;
    break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) cval_forget_handles(&v->of.items.ptr[i]);
    break;
  case WELD_CK_VARIANT:
    if (v->of.variant.payload) cval_forget_handles(v->of.variant.payload);
    break;
  case WELD_CK_OPTION:
    if (v->of.option) cval_forget_handles(v->of.option);
    break;
  case WELD_CK_RESULT:
    if (v->of.result.payload) cval_forget_handles(v->of.result.payload);
    break;
  default: break;
  }
}

#endif
