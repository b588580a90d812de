/* cval.c — dynamic component values (weld/component.h weld_cval_t): the builders, deep drop
 * and clone.  The value domain is the Canonical ABI's abstract one (CanonicalABI.md
 * "Lifting and Lowering"): lift.c produces these values and lower.c consumes them.
 *
 * Every buffer a value owns is allocated here with a size derivable from the value
 * (strings: len + 1 bytes, NUL-terminated for convenience; items: len elements; arrays:
 * len numbers; flags: nwords words; boxes: one weld_cval_t), so weld_cval_drop can give the
 * allocator the sizes back.  Resources are handles with their own lifetime (resources.c): dropping a
 * value never drops the resource it names. */
#include "component/abi.h"
#include "base/alloc.h"
#include <string.h>

bool weld_cval_string(weld_cval_t *v, const char *utf8, size_t len) {
  v->kind = WELD_CK_STRING;
  v->of.str.ptr = NULL;
  v->of.str.len = 0;
  if (len == SIZE_MAX) return false;
  char *p = base_alloc(len + 1);
  if (!p) return false;
  if (len) memcpy(p, utf8, len);
  p[len] = 0;
  v->of.str.ptr = p;
  v->of.str.len = len;
  return true;
}

bool weld_cval_items(weld_cval_t *v, weld_ckind_t kind, size_t n) {
  v->kind = kind;
  v->of.items.ptr = NULL;
  v->of.items.len = 0;
  if (n == 0) return true;
  weld_cval_t *p = base_calloc(n, sizeof *p);
  if (!p) return false;
  v->of.items.ptr = p;
  v->of.items.len = n;
  return true;
}

bool weld_cval_array(weld_cval_t *v, weld_ckind_t elem, const void *data, size_t n) {
  size_t size = comp_number_size(elem);
  v->kind = WELD_CK_ARRAY;
  v->of.array.ptr = NULL;
  v->of.array.len = 0;
  v->of.array.elem = size ? elem : WELD_CK_U8;
  if (!size || n > SIZE_MAX / size) return false;
  if (n == 0) return true;
  void *p = data ? base_alloc(n * size) : base_calloc(n, size);
  if (!p) return false;
  if (data) memcpy(p, data, n * size);
  v->of.array.ptr = p;
  v->of.array.len = n;
  return true;
}

size_t weld_cval_len(const weld_cval_t *v) {
  if (!v) return 0;
  switch (v->kind) {
  case WELD_CK_ARRAY: return v->of.array.len;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE: return v->of.items.len;
  default: return 0;
  }
}

bool weld_cval_element(const weld_cval_t *v, size_t i, weld_cval_t *out) {
  memset(out, 0, sizeof *out);
  if (i >= weld_cval_len(v)) return false;
  if (v->kind != WELD_CK_ARRAY) {
    *out = v->of.items.ptr[i];
    return true;
  }
  size_t size = comp_number_size(v->of.array.elem);
  out->kind = v->of.array.elem;
  memcpy(&out->of, (const uint8_t *)v->of.array.ptr + i * size, size); /* the union's first bytes */
  return true;
}

bool weld_cval_box(weld_cval_t **slot, const weld_cval_t *moved) {
  weld_cval_t *p = base_alloc(sizeof *p);
  if (!p) {
    *slot = NULL;
    return false;
  }
  *p = *moved;
  *slot = p;
  return true;
}

bool weld_cval_flags(weld_cval_t *v, size_t nflags) {
  v->kind = WELD_CK_FLAGS;
  v->of.flags.bits = NULL;
  v->of.flags.nwords = 0;
  size_t nw = (nflags + 31) / 32;
  if (nw == 0) return true;
  uint32_t *b = base_calloc(nw, sizeof *b);
  if (!b) return false;
  v->of.flags.bits = b;
  v->of.flags.nwords = nw;
  return true;
}

/* Kinds whose values own memory (what weld_cval_drop frees) / may hold an own handle
 * (what comp_cval_free_owns looks for).  Lists of scalars are skipped element by element
 * without a call: a 1 MiB list<u8> is 2^20 values. */
#define KIND_BIT(k) (1u << (k))
#define OWNS_MEMORY                                                                                     \
  (KIND_BIT(WELD_CK_STRING) | KIND_BIT(WELD_CK_LIST) | KIND_BIT(WELD_CK_RECORD) | KIND_BIT(WELD_CK_TUPLE) | \
   KIND_BIT(WELD_CK_VARIANT) | KIND_BIT(WELD_CK_OPTION) | KIND_BIT(WELD_CK_RESULT) | KIND_BIT(WELD_CK_FLAGS) | \
   KIND_BIT(WELD_CK_ARRAY))
#define MAY_HOLD_OWN                                                                                     \
  (KIND_BIT(WELD_CK_OWN) | KIND_BIT(WELD_CK_LIST) | KIND_BIT(WELD_CK_RECORD) | KIND_BIT(WELD_CK_TUPLE) | \
   KIND_BIT(WELD_CK_VARIANT) | KIND_BIT(WELD_CK_OPTION) | KIND_BIT(WELD_CK_RESULT))
static inline bool kind_in(weld_ckind_t k, uint32_t set) { return (unsigned)k < 32 && (set & KIND_BIT(k)); }

static void free_box(weld_cval_t *b) {
  if (!b) return;
  weld_cval_drop(b);
  base_free(b, sizeof *b);
}

void weld_cval_drop(weld_cval_t *v) {
  if (!v) return;
  switch (v->kind) {
  case WELD_CK_STRING:
    base_free(v->of.str.ptr, v->of.str.len + 1);
    break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (v->of.items.ptr) {
      for (size_t i = 0; i < v->of.items.len; i++)
        if (kind_in(v->of.items.ptr[i].kind, OWNS_MEMORY)) weld_cval_drop(&v->of.items.ptr[i]);
      base_free(v->of.items.ptr, v->of.items.len * sizeof *v->of.items.ptr);
    }
    break;
  case WELD_CK_ARRAY: base_free(v->of.array.ptr, v->of.array.len * comp_number_size(v->of.array.elem)); break;
  case WELD_CK_VARIANT: free_box(v->of.variant.payload); break;
  case WELD_CK_OPTION: free_box(v->of.option); break;
  case WELD_CK_RESULT: free_box(v->of.result.payload); break;
  case WELD_CK_FLAGS: base_free(v->of.flags.bits, v->of.flags.nwords * sizeof(uint32_t)); break;
  default: break;
  }
  weld_ckind_t k = v->kind;
  memset(v, 0, sizeof *v);
  v->kind = k;
}

void comp_cval_free_owns(const weld_cval_t *v) {
  if (!v) return;
  switch (v->kind) {
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; v->of.items.ptr && i < v->of.items.len; i++)
      if (kind_in(v->of.items.ptr[i].kind, MAY_HOLD_OWN)) comp_cval_free_owns(&v->of.items.ptr[i]);
    break;
  case WELD_CK_VARIANT: comp_cval_free_owns(v->of.variant.payload); break;
  case WELD_CK_OPTION: comp_cval_free_owns(v->of.option); break;
  case WELD_CK_RESULT: comp_cval_free_owns(v->of.result.payload); break;
  case WELD_CK_OWN:
    if (v->of.resource && !v->of.resource->in_call) comp_resource_consume(v->of.resource);
    break;
  default: break;
  }
}

/* Drops v and also the weld_resource_t of every own handle in it (a value lifted from a
 * guest and thrown away after a trap: nobody else can reach those handles). */
void comp_cval_discard(weld_cval_t *v) {
  if (!v) return;
  comp_cval_free_owns(v);
  weld_cval_drop(v);
}

static bool clone_box(weld_cval_t **dst, const weld_cval_t *src) {
  *dst = NULL;
  if (!src) return true;
  weld_cval_t tmp;
  if (!weld_cval_clone(&tmp, src)) return false;
  if (!weld_cval_box(dst, &tmp)) {
    weld_cval_drop(&tmp);
    return false;
  }
  return true;
}

bool weld_cval_clone(weld_cval_t *dst, const weld_cval_t *src) {
  *dst = *src;
  switch (src->kind) {
  case WELD_CK_STRING:
    if (!weld_cval_string(dst, src->of.str.ptr, src->of.str.len)) return false;
    return true;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    if (!weld_cval_items(dst, src->kind, src->of.items.len)) return false;
    for (size_t i = 0; i < src->of.items.len; i++) {
      if (!weld_cval_clone(&dst->of.items.ptr[i], &src->of.items.ptr[i])) {
        weld_cval_drop(dst);
        return false;
      }
    }
    return true;
  case WELD_CK_ARRAY: return weld_cval_array(dst, src->of.array.elem, src->of.array.ptr, src->of.array.len);
  case WELD_CK_VARIANT: return clone_box(&dst->of.variant.payload, src->of.variant.payload);
  case WELD_CK_OPTION: return clone_box(&dst->of.option, src->of.option);
  case WELD_CK_RESULT: return clone_box(&dst->of.result.payload, src->of.result.payload);
  case WELD_CK_FLAGS:
    if (!weld_cval_flags(dst, src->of.flags.nwords * 32)) return false;
    if (src->of.flags.nwords) memcpy(dst->of.flags.bits, src->of.flags.bits, src->of.flags.nwords * sizeof(uint32_t));
    return true;
  default:
    return true;
  }
}
