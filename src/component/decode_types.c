/* decode_types.c — encodings of types in the component binary format (design/mvp/Binary.md
 * "Type Definitions": `core:type`, `core:moduletype`, `type`, `defvaltype`, `functype`,
 * `componenttype`, `instancetype`, `resourcetype`, `externdesc`).  Produces the syntax
 * of component.h; the validator turns it into types (types.h).
 *
 * Constructs of the proposals weld does not implement (async stream/future/error-context
 * and async functions, fixed-length lists, maps, GC core types, async resource
 * destructors, 64-bit resource representations) are rejected here with a
 * "not supported: ..." error. */
#include "component/decode_internal.h"
#include "base/limits.h"
#include <string.h>

/* `valtype`: a primitive (one byte 0x73..0x7f) or a type index (s33, non-negative). */
bool comp_decode_valref(comp_dctx_t *c, base_reader_t *r, comp_valref_t *out) {
  size_t off = base_reader_off(r);
  if (base_reader_eof(r)) return comp_drfail(c, r, NULL);
  uint8_t b = *r->p;
  if (b >= 0x73 && b <= 0x7f) {
    r->p++;
    out->is_prim = true;
    out->v = 0x7fu - b;
    return true;
  }
  if (b == 0x64) return comp_dfail(c, off, COMP_NOT_SUPPORTED "the `error-context` type (cm-error-context)");
  int64_t v;
  if (!base_read_sleb(r, 33, &v)) return comp_drfail(c, r, "value type");
  if (v < 0) return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for value type", b);
  if (v > (int64_t)UINT32_MAX - 1) return comp_dfail(c, off, "malformed component: type index too large");
  out->is_prim = false;
  out->v = (uint32_t)v;
  return true;
}

/* `<T>?`: 0x00 absent, 0x01 present. */
static bool rd_opt(comp_dctx_t *c, base_reader_t *r, bool *present, const char *what) {
  size_t off = base_reader_off(r);
  uint8_t b;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b > 1) return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for optional %s", b, what);
  *present = b == 1;
  return true;
}

static bool rd_labels(comp_dctx_t *c, base_reader_t *r, comp_typedef_t *t, bool with_type, const char *what) {
  size_t off = base_reader_off(r);
  if (!comp_rd_count(c, r, &t->n, WELD_MAX_RECORD_FIELDS, what)) return false;
  t->labels = comp_dalloc(c, t->n, sizeof *t->labels, off);
  if (!t->labels) return false;
  for (uint32_t i = 0; i < t->n; i++) {
    if (!comp_rd_name(c, r, &t->labels[i].name)) return false;
    if (with_type) {
      t->labels[i].has_type = true;
      if (!comp_decode_valref(c, r, &t->labels[i].type)) return false;
    }
  }
  return true;
}

static bool decode_decls(comp_dctx_t *c, base_reader_t *r, comp_typedef_t *t, bool component);

bool comp_decode_type(comp_dctx_t *c, base_reader_t *r, comp_typedef_t *t) {
  size_t off = base_reader_off(r);
  uint8_t b;
  t->offset = (uint32_t)off;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b >= 0x73 && b <= 0x7f) {
    t->kind = COMP_DEF_PRIM;
    t->prim = (uint8_t)(0x7f - b);
    return true;
  }
  switch (b) {
  case 0x72:
    t->kind = COMP_DEF_RECORD;
    return rd_labels(c, r, t, true, "record fields");
  case 0x71: {
    t->kind = COMP_DEF_VARIANT;
    if (!comp_rd_count(c, r, &t->n, WELD_MAX_RECORD_FIELDS, "variant cases")) return false;
    t->labels = comp_dalloc(c, t->n, sizeof *t->labels, off);
    if (!t->labels) return false;
    for (uint32_t i = 0; i < t->n; i++) {
      comp_label_ref_t *l = &t->labels[i];
      if (!comp_rd_name(c, r, &l->name) || !rd_opt(c, r, &l->has_type, "case type")) return false;
      if (l->has_type && !comp_decode_valref(c, r, &l->type)) return false;
      size_t roff = base_reader_off(r);
      uint8_t refines;
      if (!comp_rd_u8(c, r, &refines)) return false;
      if (refines != 0x00)
        return comp_dfail(c, roff, "malformed component: invalid leading byte (0x%x) for variant case refinement", refines);
    }
    return true;
  }
  case 0x70:
    t->kind = COMP_DEF_LIST;
    return comp_decode_valref(c, r, &t->elem);
  case 0x6f:
    t->kind = COMP_DEF_TUPLE;
    if (!comp_rd_count(c, r, &t->n, WELD_MAX_RECORD_FIELDS, "tuple types")) return false;
    t->types = comp_dalloc(c, t->n, sizeof *t->types, off);
    if (!t->types) return false;
    for (uint32_t i = 0; i < t->n; i++)
      if (!comp_decode_valref(c, r, &t->types[i])) return false;
    return true;
  case 0x6e:
    t->kind = COMP_DEF_FLAGS;
    return rd_labels(c, r, t, false, "flags");
  case 0x6d:
    t->kind = COMP_DEF_ENUM;
    return rd_labels(c, r, t, false, "enum cases");
  case 0x6b:
    t->kind = COMP_DEF_OPTION;
    return comp_decode_valref(c, r, &t->elem);
  case 0x6a:
    t->kind = COMP_DEF_RESULT;
    if (!rd_opt(c, r, &t->has_ok, "result type")) return false;
    if (t->has_ok && !comp_decode_valref(c, r, &t->ok)) return false;
    if (!rd_opt(c, r, &t->has_err, "result error type")) return false;
    if (t->has_err && !comp_decode_valref(c, r, &t->err)) return false;
    return true;
  case 0x69:
  case 0x68:
    t->kind = b == 0x69 ? COMP_DEF_OWN : COMP_DEF_BORROW;
    return comp_rd_u32(c, r, &t->elem.v);
  case 0x67:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "fixed-length lists (cm-fixed-length-lists)");
  case 0x66:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "the `stream` type (cm-async)");
  case 0x65:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "the `future` type (cm-async)");
  case 0x64:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "the `error-context` type (cm-error-context)");
  case 0x63:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "the `map` type (cm-map)");
  case 0x40: {
    t->kind = COMP_DEF_FUNC;
    if (!rd_labels(c, r, t, true, "function parameters")) return false;
    size_t roff = base_reader_off(r);
    uint8_t rb;
    if (!comp_rd_u8(c, r, &rb)) return false;
    if (rb == 0x00) {
      t->has_result = true;
      return comp_decode_valref(c, r, &t->result);
    }
    if (rb == 0x01) {
      size_t noff = base_reader_off(r);
      uint8_t zero;
      if (!comp_rd_u8(c, r, &zero)) return false;
      if (zero != 0x00)
        return comp_dfail(c, noff, "malformed component: invalid leading byte (0x%x) for number of results", zero);
      return true;
    }
    return comp_dfail(c, roff, "malformed component: invalid leading byte (0x%x) for component function results", rb);
  }
  case 0x43:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "async function types (cm-async)");
  case 0x41:
  case 0x42:
    t->kind = b == 0x41 ? COMP_DEF_COMPONENT : COMP_DEF_INSTANCE;
    return decode_decls(c, r, t, b == 0x41);
  case 0x3f: {
    size_t roff = base_reader_off(r);
    uint8_t rep;
    t->kind = COMP_DEF_RESOURCE;
    if (!comp_rd_u8(c, r, &rep)) return false;
    if (rep == 0x7e) return comp_dfail(c, roff, COMP_NOT_SUPPORTED "resources with `i64` representation (cm64)");
    if (rep != 0x7f) return comp_dfail(c, roff, "malformed component: invalid resource representation (0x%x)", rep);
    if (!rd_opt(c, r, &t->has_dtor, "resource destructor")) return false;
    if (t->has_dtor && !comp_rd_u32(c, r, &t->dtor)) return false;
    return true;
  }
  case 0x3e:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "resources with async destructors (cm-async)");
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for type", b);
}

/* `componentdecl*` / `instancedecl*` */
static bool decode_decls(comp_dctx_t *c, base_reader_t *r, comp_typedef_t *t, bool component) {
  size_t off = base_reader_off(r);
  if (c->type_depth >= WELD_MAX_COMPONENT_NESTING)
    return comp_dfail(c, off, "types nested too deeply (more than %u levels)", WELD_MAX_COMPONENT_NESTING);
  if (!comp_rd_count(c, r, &t->n, WELD_MAX_COMPONENT_DECLS, component ? "component type declarations" : "instance type declarations"))
    return false;
  t->decls = comp_dalloc(c, t->n, sizeof *t->decls, off);
  if (!t->decls) return false;
  c->type_depth++;
  bool ok = true;
  for (uint32_t i = 0; ok && i < t->n; i++) {
    comp_decl_t *d = &t->decls[i];
    size_t doff = base_reader_off(r);
    uint8_t b;
    d->offset = (uint32_t)doff;
    if (!comp_rd_u8(c, r, &b)) {
      ok = false;
      break;
    }
    switch (b) {
    case 0x00:
      d->kind = COMP_DECL_CORE_TYPE;
      ok = comp_decode_core_type(c, r, &d->core_type, true);
      break;
    case 0x01:
      d->kind = COMP_DECL_TYPE;
      ok = comp_decode_type(c, r, &d->type);
      break;
    case 0x02:
      d->kind = COMP_DECL_ALIAS;
      ok = comp_decode_alias(c, r, &d->alias);
      break;
    case 0x03:
      if (!component) {
        ok = comp_dfail(c, doff, "malformed component: invalid leading byte (0x3) for instance type declaration");
        break;
      }
      d->kind = COMP_DECL_IMPORT;
      ok = comp_rd_extern_name(c, r, &d->name) && comp_decode_externdesc(c, r, &d->desc);
      break;
    case 0x04:
      d->kind = COMP_DECL_EXPORT;
      ok = comp_rd_extern_name(c, r, &d->name) && comp_decode_externdesc(c, r, &d->desc);
      break;
    default:
      ok = comp_dfail(c, doff, "malformed component: invalid leading byte (0x%x) for %s type declaration", b,
                      component ? "component" : "instance");
    }
  }
  c->type_depth--;
  return ok;
}

/* ---------------------------------------------------------------- core types */

static bool rd_core_valtype(comp_dctx_t *c, base_reader_t *r, uint8_t *out) {
  size_t off = base_reader_off(r);
  uint8_t b;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (core_is_valtype(b)) {
    *out = b;
    return true;
  }
  if (b == 0x63 || b == 0x64 || (b >= 0x69 && b <= 0x6e) || (b >= 0x71 && b <= 0x74))
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "core value type 0x%x (gc / typed function references)", b);
  return comp_dfail(c, off, "malformed component: invalid core value type 0x%x", b);
}

static bool rd_core_functype_body(comp_dctx_t *c, base_reader_t *r, core_functype_t *f) {
  size_t off = base_reader_off(r);
  uint32_t np, nr;
  if (!comp_rd_count(c, r, &np, WELD_MAX_FUNC_PARAMS, "core function parameters")) return false;
  /* Read into a bounded temporary: results come after the parameters. */
  uint8_t *params = comp_dalloc(c, np, 1, off);
  if (!params) return false;
  for (uint32_t i = 0; i < np; i++)
    if (!rd_core_valtype(c, r, &params[i])) return false;
  if (!comp_rd_count(c, r, &nr, WELD_MAX_FUNC_RESULTS, "core function results")) return false;
  uint8_t *types = comp_dalloc(c, (size_t)np + nr, 1, off);
  if (!types) return false;
  if (np) memcpy(types, params, np);
  for (uint32_t i = 0; i < nr; i++)
    if (!rd_core_valtype(c, r, &types[np + i])) return false;
  f->nparams = np;
  f->nresults = nr;
  f->types = types;
  return true;
}

static bool rd_limits(comp_dctx_t *c, base_reader_t *r, comp_core_importdesc_t *d, bool memory) {
  size_t off = base_reader_off(r);
  uint8_t flags;
  if (!comp_rd_u8(c, r, &flags)) return false;
  uint8_t allowed = memory ? 0x07 : 0x05;
  if (memory && (flags & 0x08))
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "custom page sizes (custom-page-sizes)");
  if (flags & ~allowed) return comp_dfail(c, off, "malformed component: invalid %s limits flags 0x%x", memory ? "memory" : "table", flags);
  d->has_max = flags & 1;
  d->shared = (flags & 2) != 0;
  d->is64 = (flags & 4) != 0;
  unsigned bits = d->is64 ? 64 : 32;
  if (!base_read_uleb(r, bits, &d->min)) return comp_drfail(c, r, "limits");
  if (d->has_max && !base_read_uleb(r, bits, &d->max)) return comp_drfail(c, r, "limits");
  return true;
}

static bool rd_importdesc(comp_dctx_t *c, base_reader_t *r, comp_core_importdesc_t *d) {
  size_t off = base_reader_off(r);
  uint8_t b;
  if (!comp_rd_u8(c, r, &b)) return false;
  d->kind = b;
  switch (b) {
  case EXT_FUNC:
    return comp_rd_u32(c, r, &d->idx);
  case EXT_TABLE: {
    size_t eoff = base_reader_off(r);
    uint8_t e;
    if (!comp_rd_u8(c, r, &e)) return false;
    if (!core_is_reftype(e)) {
      if (e == 0x63 || e == 0x64 || (e >= 0x69 && e <= 0x6e) || (e >= 0x71 && e <= 0x74))
        return comp_dfail(c, eoff, COMP_NOT_SUPPORTED "table element type 0x%x (gc / typed function references)", e);
      return comp_dfail(c, eoff, "malformed component: invalid table element type 0x%x", e);
    }
    d->elem = e;
    return rd_limits(c, r, d, false);
  }
  case EXT_MEMORY:
    return rd_limits(c, r, d, true);
  case EXT_GLOBAL: {
    size_t moff;
    uint8_t m;
    if (!rd_core_valtype(c, r, &d->valtype)) return false;
    moff = base_reader_off(r);
    if (!comp_rd_u8(c, r, &m)) return false;
    if (m > 1) return comp_dfail(c, moff, "malformed component: invalid global mutability 0x%x", m);
    d->mut = m == 1;
    return true;
  }
  case 4: { /* tag: attribute 0x00 (exception) + type index */
    size_t aoff = base_reader_off(r);
    uint8_t attr;
    if (!comp_rd_u8(c, r, &attr)) return false;
    if (attr != 0) return comp_dfail(c, aoff, "malformed component: invalid tag attribute 0x%x", attr);
    return comp_rd_u32(c, r, &d->idx);
  }
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for core import/export descriptor", b);
}

static bool decode_module_decls(comp_dctx_t *c, base_reader_t *r, comp_core_typedef_t *t) {
  size_t off = base_reader_off(r);
  if (!comp_rd_count(c, r, &t->ndecls, WELD_MAX_COMPONENT_DECLS, "module type declarations")) return false;
  t->decls = comp_dalloc(c, t->ndecls, sizeof *t->decls, off);
  if (!t->decls) return false;
  for (uint32_t i = 0; i < t->ndecls; i++) {
    comp_core_decl_t *d = &t->decls[i];
    size_t doff = base_reader_off(r);
    uint8_t b;
    d->offset = (uint32_t)doff;
    if (!comp_rd_u8(c, r, &b)) return false;
    switch (b) {
    case 0x00:
      d->kind = COMP_CDECL_IMPORT;
      if (!comp_rd_name(c, r, &d->module) || !comp_rd_name(c, r, &d->name) || !rd_importdesc(c, r, &d->desc)) return false;
      break;
    case 0x01: {
      comp_core_typedef_t inner;
      memset(&inner, 0, sizeof inner);
      d->kind = COMP_CDECL_TYPE;
      if (!comp_decode_core_type(c, r, &inner, false)) return false;
      d->func = inner.func;
      break;
    }
    case 0x02: {
      size_t soff = base_reader_off(r);
      uint8_t sort, target;
      d->kind = COMP_CDECL_ALIAS;
      if (!comp_rd_u8(c, r, &sort)) return false;
      if (sort != 0x10)
        return comp_dfail(c, soff, "malformed component: invalid leading byte (0x%x) for outer alias kind", sort);
      soff = base_reader_off(r);
      if (!comp_rd_u8(c, r, &target)) return false;
      if (target != 0x01)
        return comp_dfail(c, soff, "malformed component: invalid leading byte (0x%x) for outer alias target", target);
      if (!comp_rd_u32(c, r, &d->outer_count) || !comp_rd_u32(c, r, &d->outer_idx)) return false;
      break;
    }
    case 0x03:
      d->kind = COMP_CDECL_EXPORT;
      if (!comp_rd_name(c, r, &d->name) || !rd_importdesc(c, r, &d->desc)) return false;
      break;
    default:
      return comp_dfail(c, doff, "malformed component: invalid leading byte (0x%x) for type definition", b);
    }
  }
  return true;
}

/* `core:type`.  Module types (0x50) only when `top` (they may not nest); 0x00 0x50 and the
 * other GC encodings are rejected as not supported. */
bool comp_decode_core_type(comp_dctx_t *c, base_reader_t *r, comp_core_typedef_t *t, bool top) {
  size_t off = base_reader_off(r);
  uint8_t b;
  t->offset = (uint32_t)off;
  if (!comp_rd_u8(c, r, &b)) return false;
  switch (b) {
  case 0x60:
    t->is_module = false;
    return rd_core_functype_body(c, r, &t->func);
  case 0x50:
    if (!top) return comp_dfail(c, off, COMP_NOT_SUPPORTED "GC subtypes (0x50) in core module types (gc)");
    t->is_module = true;
    return decode_module_decls(c, r, t);
  case 0x00: {
    size_t poff = base_reader_off(r);
    uint8_t next;
    if (!comp_rd_u8(c, r, &next)) return false;
    if (next != 0x50)
      return comp_dfail(c, poff, "malformed component: invalid leading byte (0x%x) for non-final sub type", next);
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "GC core types (rec/sub/struct/array, gc)");
  }
  case 0x4e:
  case 0x4f:
  case 0x5e:
  case 0x5f:
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "GC core types (rec/sub/struct/array, gc)");
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for core type", b);
}
