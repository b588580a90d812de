/* flatten.c — Canonical ABI flattening of component function types into core function
 * types (design/mvp/CanonicalABI.md "Flattening": `flatten_functype`, `flatten_type`,
 * `flatten_variant`, `join`, MAX_FLAT_PARAMS = 16, MAX_FLAT_RESULTS = 1), as validation
 * needs it: the core signature of `canon lift`/`canon lower`, and whether the options must
 * include `memory` and `realloc`.
 *
 * Flattening stops counting once a list exceeds what can be passed flat (it is then
 * passed through memory), so the work is bounded by MAX_FLAT_PARAMS + 1 values per
 * parameter list regardless of the type's size; recursion is bounded by the type depth. */
#include "component/validate_internal.h"
#include <string.h>

#define CAP (COMP_MAX_FLAT_PARAMS + 1)

typedef struct flat {
  uint8_t t[CAP];
  uint32_t n;     /* number of flat values, saturating at CAP */
} flat_t;

static void push(flat_t *f, uint8_t t) {
  if (f->n < CAP) f->t[f->n] = t;
  if (f->n < CAP) f->n++;
}

/* CanonicalABI.md `join` */
static uint8_t join(uint8_t a, uint8_t b) {
  if (a == b) return a;
  if ((a == VT_I32 && b == VT_F32) || (a == VT_F32 && b == VT_I32)) return VT_I32;
  return VT_I64;
}

/* CanonicalABI.md `flatten_type` (after `despecialize`). */
static void flatten(comp_types_t *T, comp_typeid_t id, flat_t *out) {
  if (out->n >= CAP) return;
  const comp_type_t *t = comp_type(T, id);
  switch (t->kind) {
  case COMP_T_PRIM:
    switch (t->u.prim) {
    case COMP_PRIM_S64:
    case COMP_PRIM_U64: push(out, VT_I64); return;
    case COMP_PRIM_F32: push(out, VT_F32); return;
    case COMP_PRIM_F64: push(out, VT_F64); return;
    case COMP_PRIM_STRING: push(out, VT_I32); push(out, VT_I32); return;
    default: push(out, VT_I32); return;
    }
  case COMP_T_LIST:
    push(out, VT_I32);
    push(out, VT_I32);
    return;
  case COMP_T_RECORD:
    for (uint32_t i = 0; i < t->u.fields.n && out->n < CAP; i++) flatten(T, comp_type(T, id)->u.fields.items[i].type, out);
    return;
  case COMP_T_TUPLE:
    for (uint32_t i = 0; i < t->u.tuple.n && out->n < CAP; i++) flatten(T, comp_type(T, id)->u.tuple.types[i], out);
    return;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
  case COMP_T_OWN:
  case COMP_T_BORROW:
    push(out, VT_I32);
    return;
  case COMP_T_VARIANT:
  case COMP_T_OPTION:
  case COMP_T_RESULT: {
    /* `flatten_variant`: the discriminant, then the join of the cases' flattenings. */
    comp_typeid_t cases[2];
    uint32_t ncases;
    const comp_labeled_t *items = NULL;
    if (t->kind == COMP_T_VARIANT) {
      ncases = t->u.fields.n;
      items = t->u.fields.items;
    } else if (t->kind == COMP_T_OPTION) {
      ncases = 2;
      cases[0] = COMP_NO_TYPE;
      cases[1] = t->u.elem;
    } else {
      ncases = 2;
      cases[0] = t->u.result.ok;
      cases[1] = t->u.result.err;
    }
    flat_t acc;
    acc.n = 0;
    for (uint32_t i = 0; i < ncases; i++) {
      comp_typeid_t ct = items ? items[i].type : cases[i];
      if (ct == COMP_NO_TYPE) continue;
      flat_t c;
      c.n = 0;
      flatten(T, ct, &c);
      for (uint32_t k = 0; k < c.n && k < CAP; k++) {
        if (k < acc.n) acc.t[k] = join(acc.t[k], c.t[k]);
        else {
          acc.t[k] = c.t[k];
          acc.n = k + 1;
        }
      }
      if (c.n >= CAP) acc.n = CAP;
    }
    push(out, VT_I32);
    for (uint32_t k = 0; k < acc.n && out->n < CAP; k++) push(out, acc.t[k]);
    if (acc.n >= CAP) out->n = CAP;
    return;
  }
  default:
    push(out, VT_I32);
    return;
  }
}

bool comp_lower_functype(comp_types_t *T, comp_typeid_t func, bool lift, comp_lowering_t *out) {
  const comp_type_t *f = comp_type(T, func);
  flat_t p, r;
  memset(out, 0, sizeof *out);
  p.n = r.n = 0;
  for (uint32_t i = 0; i < f->u.func.nparams; i++) {
    comp_typeid_t pt = comp_type(T, func)->u.func.params[i].type;
    bool ptr = (comp_type(T, pt)->flags & COMP_TF_PTR) != 0;
    if (lift) out->requires_realloc |= ptr;
    else out->requires_memory |= ptr;
    if (p.n < CAP) flatten(T, pt, &p);
  }
  if (p.n > COMP_MAX_FLAT_PARAMS) {
    out->nparams = 1;
    out->params[0] = VT_I32;
    out->requires_memory = true;
    if (lift) out->requires_realloc = true;
  } else {
    out->nparams = p.n;
    memcpy(out->params, p.t, p.n);
  }
  comp_typeid_t rt = comp_type(T, func)->u.func.result;
  if (rt != COMP_NO_TYPE) {
    if (!lift && (comp_type(T, rt)->flags & COMP_TF_PTR)) out->requires_realloc = true;
    flatten(T, rt, &r);
  }
  if (r.n > COMP_MAX_FLAT_RESULTS) {
    if (lift) {
      out->nresults = 1;
      out->results[0] = VT_I32;
    } else {
      out->params[out->nparams++] = VT_I32; /* a pointer to the results */
    }
    out->requires_memory = true;
  } else {
    out->nresults = r.n;
    memcpy(out->results, r.t, r.n);
  }
  if (out->requires_realloc) out->requires_memory = true;
  return true;
}
