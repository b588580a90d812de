/* decode.c — WIT packages encoded as WebAssembly components, back to WIT (the inverse of
 * encode.c; the format is wasm-tools' wit-component "WIT package encoding", version 2,
 * and the single-world encoding written into `component-type` custom sections).
 *
 * A WIT package binary is a component of type definitions and type exports only: each
 * export is a component type with exactly one export named `ns:pkg/item@version`, an
 * instance type (an interface; its imports are the interfaces it depends on, each with
 * all its types) or a component type (a world; its imports and exports are the world's
 * elaborated items).  A `package-docs` custom section (metadata.c) carries docs and gates.
 *
 * Why a reader of its own rather than src/component's comp_decode: a WIT package only
 * needs the type section, the export section and custom sections, and it legitimately
 * contains what the runtime decoder rejects as unsupported (async functions, `future`,
 * `stream`, `map`, fixed-length lists, `error-context`).  The reader here builds a small
 * graph of component types (phase 1) and never instantiates anything.
 *
 * Phase 2 turns that graph into unresolved packages (internal.h) exactly as the text
 * path (unresolved.c) would from the same package written as WIT, so that resolve.c binds
 * references to other packages, applies gates and creates `own` handles the same way:
 *   - a resource in a value position is a reference to the resource (`own<r>` == `r`),
 *     `borrow<r>` an interned anonymous type; anonymous types are interned per package;
 *   - `use`d types become aliases; types from other packages become placeholders bound by
 *     name when the package is resolved;
 *   - types are numbered in the order the text path gives (an interface's `use`s, then its
 *     types in dependency order, then its functions; a world's types before its inline
 *     interfaces and functions), so a package decoded from its own encoding is numbered
 *     like the original (see docs/wit.md for the few cases where function order differs).
 * Each foreign package that the binary refers to also gets a partial "stub" package built
 * from what the binary says about it; the loader uses it only when that package is not
 * loaded otherwise (like wasm-tools, which decodes such packages partially). */
#include "base/error.h"
#include "base/limits.h"
#include "base/reader.h"
#include "wit/internal.h"
#include "wit/lexer.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- phase 1: the component type graph ---- */

enum { CT_DEF = 1, CT_FUNC, CT_INSTANCE, CT_COMPONENT, CT_RESOURCE, CT_EXPORTED };
enum { EX_FUNC = 1, EX_TYPE, EX_INSTANCE, EX_COMPONENT };

typedef struct cext {
  const char *name;
  uint32_t off;  /* byte offset of the name */
  uint8_t kind;  /* EX_* */
  uint32_t ty;   /* ctype */
  const char *implements; /* `(implements "ns:pkg/iface")` of a labeled instance, or NULL */
} cext_t;

typedef struct ctype {
  uint8_t kind;  /* CT_* */
  uint8_t dkind; /* CT_DEF: weld_wit_kind_t (ALIAS for a primitive) */
  bool async;    /* CT_FUNC */
  uint32_t off;
  weld_wit_type_t a, b; /* CT_DEF elements (T_ID: ctype); CT_EXPORTED: a = the referenced type */
  weld_wit_type_t result;
  uint32_t size;
  struct { weld_wit_case_t *data; size_t len, cap; } cases; /* CT_DEF cases, CT_FUNC params */
  struct { cext_t *data; size_t len, cap; } imports, exports;
  wit_map_t import_idx, export_idx; /* name -> index in imports/exports */
} ctype_t;

typedef struct scope {
  struct scope *parent;
  struct { uint32_t *data; size_t len, cap; } types, instances;
  uint32_t owner; /* the component/instance type being declared, or UINT32_MAX */
  bool component; /* imports allowed */
} scope_t;

typedef struct dec {
  weld_wit_t *wit;
  wit_arena_t *a;   /* the set's arena: names and the unresolved packages */
  wit_arena_t tmp;  /* the graph and the builders' maps */
  const char *path;
  const wit_srcmap_t *sm;
  uint32_t base;    /* global offset of byte 0 */
  weld_error_t *err;
  struct { ctype_t *data; size_t len, cap; } types;
  struct { cext_t *data; size_t len, cap; } exports; /* top level */
  wit_map_t export_idx;
  const char *docs; /* package-docs payload (JSON), or NULL */
  size_t docs_len, docs_off;
  uint32_t depth;
} dec_t;

static bool dfail(dec_t *d, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool dfail(dec_t *d, size_t off, const char *fmt, ...) {
  if (d->err) return false;
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  wit_span_t sp = {d->base + (uint32_t)off, d->base + (uint32_t)off};
  d->err = wit_error_at(d->sm, sp, "%s", msg);
  return false;
}

static bool doom(dec_t *d) {
  if (!d->err) d->err = base_error_oom();
  return false;
}

/* A reader error becomes a decode error at its offset. */
static bool rfail(dec_t *d, base_reader_t *r) {
  return dfail(d, r->err_off, "malformed component: %s", r->err ? r->err : "unexpected end");
}

static bool rd_u8(dec_t *d, base_reader_t *r, uint8_t *v) { return base_read_u8(r, v) || rfail(d, r); }
static bool rd_u32(dec_t *d, base_reader_t *r, uint32_t *v) { return base_read_u32(r, v) || rfail(d, r); }

/* A name as a NUL-terminated string in the set's arena. */
static bool rd_name(dec_t *d, base_reader_t *r, const char **out, uint32_t *off) {
  const uint8_t *s;
  uint32_t n;
  *off = (uint32_t)base_reader_off(r);
  if (!base_read_name(r, &s, &n)) return rfail(d, r);
  if (memchr(s, 0, n)) return dfail(d, *off, "malformed component: name contains a NUL character");
  char *c = wit_strndup(d->a, (const char *)s, n);
  if (!c) return doom(d);
  *out = c;
  return true;
}

static uint32_t new_ctype(dec_t *d, uint8_t kind, size_t off) {
  if (d->types.len >= WELD_MAX_COMPONENT_INDEX) {
    dfail(d, off, "too many types (more than %u)", WELD_MAX_COMPONENT_INDEX);
    return UINT32_MAX;
  }
  ctype_t t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  t.off = (uint32_t)off;
  if (!AVEC_PUSH(&d->tmp, &d->types, t)) {
    doom(d);
    return UINT32_MAX;
  }
  return (uint32_t)d->types.len - 1;
}

static bool push_idx(dec_t *d, void *vec, uint32_t v, size_t off) {
  struct { uint32_t *data; size_t len, cap; } *s = vec;
  if (s->len >= WELD_MAX_COMPONENT_INDEX) return dfail(d, off, "index space too large");
  return AVEC_PUSH(&d->tmp, s, v) || doom(d);
}

static uint32_t prim_tag(uint8_t b) {
  switch (b) {
  case 0x7f: return WELD_WIT_T_BOOL;
  case 0x7e: return WELD_WIT_T_S8;
  case 0x7d: return WELD_WIT_T_U8;
  case 0x7c: return WELD_WIT_T_S16;
  case 0x7b: return WELD_WIT_T_U16;
  case 0x7a: return WELD_WIT_T_S32;
  case 0x79: return WELD_WIT_T_U32;
  case 0x78: return WELD_WIT_T_S64;
  case 0x77: return WELD_WIT_T_U64;
  case 0x76: return WELD_WIT_T_F32;
  case 0x75: return WELD_WIT_T_F64;
  case 0x74: return WELD_WIT_T_CHAR;
  case 0x73: return WELD_WIT_T_STRING;
  case 0x64: return WELD_WIT_T_ERROR_CONTEXT;
  default: return WELD_WIT_T_NONE;
  }
}

/* A type index of the current scope, as a ctype. */
static bool type_at(dec_t *d, scope_t *s, uint32_t idx, size_t off, uint32_t *out) {
  *out = 0;
  if (idx >= s->types.len) return dfail(d, off, "type index %u out of bounds (%zu types)", idx, s->types.len);
  *out = s->types.data[idx];
  return true;
}

/* valtype ::= primvaltype | typeidx (an s33, as wasm-tools reads it) */
static bool rd_valtype(dec_t *d, base_reader_t *r, scope_t *s, weld_wit_type_t *out) {
  size_t off = base_reader_off(r);
  if (base_reader_eof(r)) return rfail(d, r);
  uint32_t p = prim_tag(*r->p);
  if (p != WELD_WIT_T_NONE) {
    r->p++;
    *out = wit_ty(p, 0);
    return true;
  }
  int64_t v;
  if (!base_read_sleb(r, 64, &v)) return rfail(d, r);
  if (v < 0 || v > UINT32_MAX) return dfail(d, off, "malformed component: invalid value type");
  uint32_t id = 0;
  if (!type_at(d, s, (uint32_t)v, off, &id)) return false;
  *out = wit_ty_id(id);
  return true;
}

/* t?:<valtype>? */
static bool rd_optval(dec_t *d, base_reader_t *r, scope_t *s, weld_wit_type_t *out) {
  uint8_t b;
  *out = wit_ty(WELD_WIT_T_NONE, 0);
  if (!rd_u8(d, r, &b)) return false;
  if (b == 0) return true;
  if (b != 1) return dfail(d, base_reader_off(r) - 1, "malformed component: invalid optional value type flag 0x%x", b);
  return rd_valtype(d, r, s, out);
}

static bool rd_count(dec_t *d, base_reader_t *r, uint32_t max, const char *what, uint32_t *n) {
  size_t off = base_reader_off(r);
  if (!rd_u32(d, r, n)) return false;
  if (*n > max) return dfail(d, off, "too many %s (%u, at most %u)", what, *n, max);
  return true;
}

static bool push_case(dec_t *d, ctype_t *t, const char *name, weld_wit_type_t ty) {
  weld_wit_case_t c = {name, ty, NULL};
  return AVEC_PUSH(&d->tmp, &t->cases, c) || doom(d);
}

static bool rd_type(dec_t *d, base_reader_t *r, scope_t *s, uint32_t *out);

static bool rd_decls(dec_t *d, base_reader_t *r, scope_t *s);

/* functype ::= (0x40 | 0x43) vec(<label valtype>) (0x00 <valtype> | 0x01 0x00) */
static bool rd_functype(dec_t *d, base_reader_t *r, scope_t *s, bool async, size_t off, uint32_t *out) {
  uint32_t id = new_ctype(d, CT_FUNC, off), n;
  if (id == UINT32_MAX || !rd_count(d, r, WELD_MAX_RECORD_FIELDS, "parameters", &n)) return false;
  d->types.data[id].async = async;
  for (uint32_t i = 0; i < n; i++) {
    const char *name;
    uint32_t noff;
    weld_wit_type_t t;
    if (!rd_name(d, r, &name, &noff) || !rd_valtype(d, r, s, &t) || !push_case(d, &d->types.data[id], name, t))
      return false;
  }
  uint8_t b;
  if (!rd_u8(d, r, &b)) return false;
  if (b == 0x00) {
    weld_wit_type_t t;
    if (!rd_valtype(d, r, s, &t)) return false;
    d->types.data[id].result = t;
  } else if (b == 0x01) {
    if (!rd_u8(d, r, &b)) return false;
    if (b != 0) return dfail(d, base_reader_off(r) - 1, "named function results are not supported");
  } else {
    return dfail(d, base_reader_off(r) - 1, "malformed component: invalid function result list 0x%x", b);
  }
  *out = id;
  return true;
}

/* defvaltype (after its first byte b) */
static bool rd_defval(dec_t *d, base_reader_t *r, scope_t *s, uint8_t b, size_t off, uint32_t *out) {
  uint32_t id = new_ctype(d, CT_DEF, off), n;
  if (id == UINT32_MAX) return false;
#define T (&d->types.data[id])
  uint32_t p = prim_tag(b);
  if (p != WELD_WIT_T_NONE) {
    T->dkind = WELD_WIT_KIND_ALIAS;
    T->a = wit_ty(p, 0);
    *out = id;
    return true;
  }
  weld_wit_type_t t = {0, 0}, u = {0, 0};
  switch (b) {
  case 0x72: /* record */
  case 0x71: /* variant */
    T->dkind = b == 0x72 ? WELD_WIT_KIND_RECORD : WELD_WIT_KIND_VARIANT;
    if (!rd_count(d, r, WELD_MAX_RECORD_FIELDS, b == 0x72 ? "record fields" : "variant cases", &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
      const char *name;
      uint32_t noff;
      if (!rd_name(d, r, &name, &noff)) return false;
      if (b == 0x72) {
        if (!rd_valtype(d, r, s, &t)) return false;
      } else {
        uint8_t refines;
        if (!rd_optval(d, r, s, &t) || !rd_u8(d, r, &refines)) return false;
        if (refines != 0) return dfail(d, base_reader_off(r) - 1, "variant cases with `refines` are not supported");
      }
      if (!push_case(d, T, name, t)) return false;
    }
    break;
  case 0x70: T->dkind = WELD_WIT_KIND_LIST; if (!rd_valtype(d, r, s, &T->a)) return false; break;
  case 0x67:
    T->dkind = WELD_WIT_KIND_FIXED_LIST;
    if (!rd_valtype(d, r, s, &t) || !rd_u32(d, r, &n)) return false;
    T->a = t;
    T->size = n;
    break;
  case 0x63:
    T->dkind = WELD_WIT_KIND_MAP;
    if (!rd_valtype(d, r, s, &t) || !rd_valtype(d, r, s, &u)) return false;
    T->a = t;
    T->b = u;
    break;
  case 0x6f:
    T->dkind = WELD_WIT_KIND_TUPLE;
    if (!rd_count(d, r, WELD_MAX_RECORD_FIELDS, "tuple fields", &n)) return false;
    for (uint32_t i = 0; i < n; i++)
      if (!rd_valtype(d, r, s, &t) || !push_case(d, T, NULL, t)) return false;
    break;
  case 0x6e:
  case 0x6d:
    T->dkind = b == 0x6e ? WELD_WIT_KIND_FLAGS : WELD_WIT_KIND_ENUM;
    if (!rd_count(d, r, WELD_MAX_RECORD_FIELDS, b == 0x6e ? "flags" : "enum cases", &n)) return false;
    for (uint32_t i = 0; i < n; i++) {
      const char *name;
      uint32_t noff;
      if (!rd_name(d, r, &name, &noff) || !push_case(d, T, name, wit_ty(WELD_WIT_T_NONE, 0))) return false;
    }
    break;
  case 0x6b: T->dkind = WELD_WIT_KIND_OPTION; if (!rd_valtype(d, r, s, &T->a)) return false; break;
  case 0x6a:
    T->dkind = WELD_WIT_KIND_RESULT;
    if (!rd_optval(d, r, s, &t) || !rd_optval(d, r, s, &u)) return false;
    T->a = t;
    T->b = u;
    break;
  case 0x69:
  case 0x68: {
    T->dkind = b == 0x69 ? WELD_WIT_KIND_OWN : WELD_WIT_KIND_BORROW;
    size_t ioff = base_reader_off(r);
    uint32_t idx, res;
    if (!rd_u32(d, r, &idx) || !type_at(d, s, idx, ioff, &res)) return false;
    T->a = wit_ty_id(res);
    break;
  }
  case 0x66:
  case 0x65:
    T->dkind = b == 0x66 ? WELD_WIT_KIND_STREAM : WELD_WIT_KIND_FUTURE;
    if (!rd_optval(d, r, s, &t)) return false;
    T->a = t;
    break;
  default: return dfail(d, off, "malformed component: unknown type 0x%x", b);
  }
#undef T
  *out = id;
  return true;
}

/* externdesc; `type` bounds create a new type (pushed into the scope's type space). */
static bool rd_externdesc(dec_t *d, base_reader_t *r, scope_t *s, uint8_t *kind, uint32_t *ty) {
  size_t off = base_reader_off(r);
  uint8_t b;
  uint32_t idx;
  if (!rd_u8(d, r, &b)) return false;
  switch (b) {
  case 0x01:
  case 0x04:
  case 0x05: {
    size_t ioff = base_reader_off(r);
    if (!rd_u32(d, r, &idx) || !type_at(d, s, idx, ioff, ty)) return false;
    uint8_t want = b == 0x01 ? CT_FUNC : b == 0x04 ? CT_COMPONENT : CT_INSTANCE;
    if (d->types.data[*ty].kind != want)
      return dfail(d, ioff, "type index %u is not a %s type", idx,
                   b == 0x01 ? "function" : b == 0x04 ? "component" : "instance");
    *kind = b == 0x01 ? EX_FUNC : b == 0x04 ? EX_COMPONENT : EX_INSTANCE;
    if (b == 0x05) return push_idx(d, &s->instances, *ty, off);
    return true;
  }
  case 0x03: {
    uint8_t bound;
    if (!rd_u8(d, r, &bound)) return false;
    uint32_t id;
    if (bound == 0x00) {
      size_t ioff = base_reader_off(r);
      uint32_t ref;
      if (!rd_u32(d, r, &idx) || !type_at(d, s, idx, ioff, &ref)) return false;
      uint8_t rk = d->types.data[ref].kind;
      if (rk != CT_DEF && rk != CT_RESOURCE && rk != CT_EXPORTED)
        return dfail(d, ioff, "type bound refers to a type that is not a value type or resource");
      if ((id = new_ctype(d, CT_EXPORTED, off)) == UINT32_MAX) return false;
      d->types.data[id].a = wit_ty_id(ref);
    } else if (bound == 0x01) {
      if ((id = new_ctype(d, CT_RESOURCE, off)) == UINT32_MAX) return false;
    } else {
      return dfail(d, base_reader_off(r) - 1, "malformed component: invalid type bound 0x%x", bound);
    }
    *kind = EX_TYPE;
    *ty = id;
    return push_idx(d, &s->types, id, off);
  }
  case 0x00: return dfail(d, off, "core module imports/exports are not part of WIT");
  case 0x02: return dfail(d, off, "value imports/exports are not part of WIT");
  default: return dfail(d, off, "malformed component: invalid external kind 0x%x", b);
  }
}

/* importname' / exportname': 0x00 (or the legacy 0x01) and the name, or 0x02, the name
 * and options — only `implements` (0x00 and an interface id: `import label: iface;`). */
static bool rd_extern_name(dec_t *d, base_reader_t *r, const char **name, uint32_t *off, const char **implements) {
  size_t boff = base_reader_off(r);
  uint8_t b;
  *implements = NULL;
  if (!rd_u8(d, r, &b)) return false;
  if (b > 0x02) return dfail(d, boff, "malformed component: invalid leading byte 0x%x of an import/export name", b);
  if (!rd_name(d, r, name, off)) return false;
  if (b != 0x02) return true;
  uint32_t n;
  if (!rd_count(d, r, 16, "name options", &n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t ooff = base_reader_off(r);
    uint8_t opt;
    uint32_t ioff;
    if (!rd_u8(d, r, &opt)) return false;
    if (opt != 0x00) return dfail(d, ooff, "unsupported import/export name option 0x%x", opt);
    if (*implements) return dfail(d, ooff, "`implements` given twice");
    if (!rd_name(d, r, implements, &ioff)) return false;
  }
  return true;
}

static bool add_extern(dec_t *d, scope_t *s, bool import, const char *name, uint32_t noff, uint8_t kind, uint32_t ty,
                       const char *implements) {
  ctype_t *o = &d->types.data[s->owner];
  cext_t e = {name, noff, kind, ty, implements};
  if (implements && kind != EX_INSTANCE) return dfail(d, noff, "`implements` on `%s`, which is not an instance", name);
  uint32_t n = (uint32_t)(import ? o->imports.len : o->exports.len);
  if (wit_map_puts(&d->tmp, import ? &o->import_idx : &o->export_idx, name, n) != WIT_MAP_MISSING)
    return dfail(d, noff, "%s name `%s` conflicts with a previous name", import ? "import" : "export", name);
  if (d->tmp.oom) return doom(d);
  return (import ? AVEC_PUSH(&d->tmp, &o->imports, e) : AVEC_PUSH(&d->tmp, &o->exports, e)) || doom(d);
}

/* alias ::= sort target (inside component and instance types) */
static bool rd_alias(dec_t *d, base_reader_t *r, scope_t *s) {
  size_t off = base_reader_off(r);
  uint8_t sort, tgt;
  if (!rd_u8(d, r, &sort)) return false;
  if (sort == 0x00) return dfail(d, off, "core aliases are not part of WIT");
  if (sort != 0x03 && sort != 0x05 && sort != 0x01 && sort != 0x04)
    return dfail(d, off, "malformed component: unsupported alias sort 0x%x", sort);
  if (!rd_u8(d, r, &tgt)) return false;
  uint32_t ty;
  if (tgt == 0x00) { /* export of an instance */
    uint32_t inst, noff;
    const char *name;
    size_t ioff = base_reader_off(r);
    if (!rd_u32(d, r, &inst) || !rd_name(d, r, &name, &noff)) return false;
    if (inst >= s->instances.len) return dfail(d, ioff, "instance index %u out of bounds", inst);
    const ctype_t *it = &d->types.data[s->instances.data[inst]];
    uint32_t xi = wit_map_gets(&it->export_idx, name);
    const cext_t *e = xi == WIT_MAP_MISSING ? NULL : &it->exports.data[xi];
    if (!e) return dfail(d, noff, "instance %u has no export named `%s`", inst, name);
    uint8_t want = sort == 0x03 ? EX_TYPE : sort == 0x05 ? EX_INSTANCE : sort == 0x01 ? EX_FUNC : EX_COMPONENT;
    if (e->kind != want) return dfail(d, noff, "export `%s` of instance %u is not of the aliased kind", name, inst);
    ty = e->ty;
  } else if (tgt == 0x02) { /* outer */
    uint32_t count, idx;
    size_t coff = base_reader_off(r);
    if (!rd_u32(d, r, &count) || !rd_u32(d, r, &idx)) return false;
    if (sort != 0x03) return dfail(d, off, "only types can be aliased from an enclosing scope here");
    scope_t *o = s;
    for (uint32_t i = 0; i < count && o; i++) o = o->parent;
    if (!o) return dfail(d, coff, "outer alias count %u out of bounds", count);
    if (!type_at(d, o, idx, coff, &ty)) return false;
  } else {
    return dfail(d, off, "malformed component: invalid alias target 0x%x", tgt);
  }
  if (sort == 0x03) return push_idx(d, &s->types, ty, off);
  if (sort == 0x05) return push_idx(d, &s->instances, ty, off);
  return true;
}

/* vec(componentdecl) or vec(instancedecl) of a component/instance type being declared */
static bool rd_decls(dec_t *d, base_reader_t *r, scope_t *s) {
  uint32_t n;
  if (!rd_count(d, r, WELD_MAX_COMPONENT_DECLS, "declarations", &n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = base_reader_off(r);
    uint8_t b;
    if (!rd_u8(d, r, &b)) return false;
    switch (b) {
    case 0x00: return dfail(d, off, "core types are not part of WIT");
    case 0x01: {
      uint32_t id;
      if (!rd_type(d, r, s, &id) || !push_idx(d, &s->types, id, off)) return false;
      break;
    }
    case 0x02:
      if (!rd_alias(d, r, s)) return false;
      break;
    case 0x03:
    case 0x04: {
      if (b == 0x03 && !s->component) return dfail(d, off, "malformed component: imports are not allowed in instance types");
      const char *name, *impl;
      uint32_t noff, ty;
      uint8_t kind;
      if (!rd_extern_name(d, r, &name, &noff, &impl) || !rd_externdesc(d, r, s, &kind, &ty) ||
          !add_extern(d, s, b == 0x03, name, noff, kind, ty, impl))
        return false;
      break;
    }
    default: return dfail(d, off, "malformed component: invalid declaration 0x%x", b);
    }
  }
  return true;
}

static bool rd_type(dec_t *d, base_reader_t *r, scope_t *s, uint32_t *out) {
  size_t off = base_reader_off(r);
  uint8_t b;
  if (!rd_u8(d, r, &b)) return false;
  switch (b) {
  case 0x40:
  case 0x43: return rd_functype(d, r, s, b == 0x43, off, out);
  case 0x41:
  case 0x42: {
    if (d->depth >= WELD_MAX_COMPONENT_NESTING)
      return dfail(d, off, "component types nested too deeply (more than %u)", WELD_MAX_COMPONENT_NESTING);
    uint32_t id = new_ctype(d, b == 0x41 ? CT_COMPONENT : CT_INSTANCE, off);
    if (id == UINT32_MAX) return false;
    scope_t inner;
    memset(&inner, 0, sizeof inner);
    inner.parent = s;
    inner.owner = id;
    inner.component = b == 0x41;
    d->depth++;
    bool ok = rd_decls(d, r, &inner);
    d->depth--;
    *out = id;
    return ok;
  }
  case 0x3f:
  case 0x3e: return dfail(d, off, "resource definitions are not part of a WIT package");
  default: return rd_defval(d, r, s, b, off, out);
  }
}

static bool rd_type_section(dec_t *d, base_reader_t *r, scope_t *top) {
  uint32_t n;
  if (!rd_count(d, r, WELD_MAX_COMPONENT_ITEMS, "types", &n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = base_reader_off(r);
    uint32_t id;
    if (!rd_type(d, r, top, &id) || !push_idx(d, &top->types, id, off)) return false;
  }
  return true;
}

static bool rd_export_section(dec_t *d, base_reader_t *r, scope_t *top) {
  uint32_t n;
  if (!rd_count(d, r, WELD_MAX_COMPONENT_ITEMS, "exports", &n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    const char *name, *impl;
    uint32_t noff, idx, ty;
    uint8_t sort, asc;
    if (!rd_extern_name(d, r, &name, &noff, &impl)) return false;
    size_t soff = base_reader_off(r);
    if (!rd_u8(d, r, &sort)) return false;
    if (sort != 0x03) return dfail(d, soff, "not a WIT package: export `%s` is not a type", name);
    size_t ioff = base_reader_off(r);
    if (!rd_u32(d, r, &idx) || !type_at(d, top, idx, ioff, &ty) || !rd_u8(d, r, &asc)) return false;
    if (asc == 0x01) {
      uint8_t kind;
      uint32_t aty;
      if (!rd_externdesc(d, r, top, &kind, &aty)) return false;
    } else if (asc != 0x00) {
      return dfail(d, base_reader_off(r) - 1, "malformed component: invalid export type ascription flag");
    }
    if (wit_map_puts(&d->tmp, &d->export_idx, name, 0) != WIT_MAP_MISSING)
      return dfail(d, noff, "export name `%s` is used twice", name);
    cext_t e = {name, noff, EX_TYPE, ty, NULL};
    if (!AVEC_PUSH(&d->tmp, &d->exports, e)) return doom(d);
    if (!push_idx(d, &top->types, ty, soff)) return false; /* a type export adds a type */
  }
  return true;
}

static const char *section_name(uint8_t id) {
  static const char *const names[] = {"custom", "core module", "core instance", "core type", "component",
                                      "instance", "alias", "type", "canon", "start", "import", "export", "value"};
  return id < sizeof names / sizeof *names ? names[id] : "unknown";
}

/* The sections of a component (after the preamble). */
static bool rd_component(dec_t *d, const uint8_t *bytes, size_t len) {
  base_reader_t r;
  base_reader_init(&r, bytes + 8, len - 8, 8);
  scope_t top;
  memset(&top, 0, sizeof top);
  top.owner = UINT32_MAX;
  top.component = true;
  while (!base_reader_eof(&r)) {
    size_t off = base_reader_off(&r);
    uint8_t id;
    uint32_t size;
    const uint8_t *payload;
    if (!rd_u8(d, &r, &id) || !rd_u32(d, &r, &size)) return false;
    size_t poff = base_reader_off(&r);
    if (!base_read_bytes(&r, size, &payload)) return dfail(d, poff, "malformed component: section size out of bounds");
    base_reader_t s;
    base_reader_init(&s, payload, size, poff);
    switch (id) {
    case 0: {
      const uint8_t *nm;
      uint32_t nlen;
      if (!base_read_name(&s, &nm, &nlen)) return rfail(d, &s);
      if (nlen == 12 && !memcmp(nm, "package-docs", 12)) {
        if (d->docs) return dfail(d, off, "more than one package-docs section");
        d->docs_off = base_reader_off(&s);
        d->docs = (const char *)s.p;
        d->docs_len = base_reader_left(&s);
      }
      continue; /* other custom sections (producers, wit-component-encoding) carry nothing for WIT */
    }
    case 7:
      if (!rd_type_section(d, &s, &top)) return false;
      break;
    case 11:
      if (!rd_export_section(d, &s, &top)) return false;
      break;
    default:
      return dfail(d, off,
                   "not a WIT package: the component has a %s section (only WIT packages and world encodings, "
                   "made of types and type exports, can be read as WIT)",
                   section_name(id));
    }
    if (!base_reader_eof(&s)) return dfail(d, base_reader_off(&s), "malformed component: unexpected data at the end of the section");
  }
  return true;
}

/* ---- phase 2: unresolved packages ---- */

#define FOREIGN_BIT 0x80000000u /* temporary ids: a foreign placeholder type or interface */
#define PENDING_BIT 0x40000000u /* tmap: a type of a foreign instance, not yet needed */
#define ANON_BIT 0x20000000u    /* tmap: an anonymous type (not the target of a `use`) */
#define TMAP_NONE 0x1fffffffu /* tmap: unmapped (never a type id; UINT32_MAX means an error) */

typedef struct pend {
  const char *iface; /* "ns:pkg/iface@ver" */
  const char *name;
  uint32_t off;
} pend_t;

typedef struct bld {
  dec_t *d;
  wit_arena_t *a;
  wit_upkg_t *u;
  wit_pkg_name_t pkg;
  bool stub;
  uint32_t *tmap; /* ctype -> temporary type id (| bits above) */
  struct { weld_wit_typedef_t *data; size_t len, cap; } ftypes;
  struct { wit_span_t *data; size_t len, cap; } fspans;
  struct { wit_uiface_t *data; size_t len, cap; } fifaces;
  wit_map_t fiface_idx, ftype_idx, fpkg_idx, liface_idx;
  struct { pend_t *data; size_t len, cap; } pend;
  wit_map_t anon;
  const wit_json_t *meta;
  /* local interfaces' types and functions by name (parallel to u->interfaces) */
  struct { wit_map_t *data; size_t len, cap; } itypes, ifuncs;
  wit_map_t wtypes; /* the world being built: its types by name */
  struct { int8_t *data; size_t len, cap; } is_res; /* see is_resource */
  uint32_t depth;
} bld_t;

static bool bfail(bld_t *b, uint32_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bfail(bld_t *b, uint32_t off, const char *fmt, ...) {
  if (b->d->err) return false;
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return dfail(b->d, off, "%s", msg);
}

static bool boom(bld_t *b) { return doom(b->d); }

static wit_span_t span_at(bld_t *b, uint32_t off) {
  wit_span_t s = {b->d->base + off, b->d->base + off};
  return s;
}

static bool check_id(bld_t *b, const char *s, uint32_t off, const char *what) {
  size_t bad;
  const char *msg;
  if (!*s || !wit_validate_id(s, strlen(s), &bad, &msg))
    return bfail(b, off, "invalid %s `%s`: %s", what, s, *s ? msg : "empty name");
  return true;
}

/* "ns:pkg/iface@version" */
static bool parse_iface_id(bld_t *b, const char *s, uint32_t off, wit_pkg_name_t *pn, const char **iface) {
  const char *colon = strchr(s, ':'), *slash = strchr(s, '/');
  if (!colon || !slash || slash < colon) return bfail(b, off, "`%s` is not an interface or world id (ns:pkg/name)", s);
  const char *at = strchr(slash, '@');
  const char *ns = wit_strndup(b->a, s, (size_t)(colon - s));
  const char *pk = wit_strndup(b->a, colon + 1, (size_t)(slash - colon - 1));
  const char *it = wit_strndup(b->a, slash + 1, at ? (size_t)(at - slash - 1) : strlen(slash + 1));
  const char *ver = at ? wit_strdup(b->a, at + 1) : NULL;
  if (!ns || !pk || !it || (at && !ver)) return boom(b);
  if (!check_id(b, ns, off, "package namespace") || !check_id(b, pk, off, "package name") ||
      !check_id(b, it, off, "interface name"))
    return false;
  if (ver) {
    wit_semver_t v;
    const char *why;
    if (!wit_semver_parse(ver, strlen(ver), &v, &why)) return bfail(b, off, "invalid version in `%s`: %s", s, why);
  }
  pn->ns = ns;
  pn->name = pk;
  pn->version = ver;
  *iface = it;
  return true;
}

static bool same_pkg(const wit_pkg_name_t *x, const wit_pkg_name_t *y) { return !wit_pkg_name_cmp(x, y); }

/* ---- metadata (package-docs) ---- */

static const wit_json_t *jget(const wit_json_t *o, const char *k) { return wit_json_get(o, k); }
static const wit_json_t *jget2(const wit_json_t *o, const char *k1, const char *k2) { return jget(jget(o, k1), k2); }

/* A docs string of the metadata (NULL if absent); characters WIT source cannot hold
 * (controls, bidirectional overrides ...) are an error, so the result prints as WIT. */
static const char *jtext(bld_t *b, const wit_json_t *v) {
  if (!v || v->kind != WIT_J_STR) return NULL;
  uint32_t at;
  const char *why;
  size_t n = strlen(v->s);
  if (n > UINT32_MAX - 1 || !wit_lex_check_input(v->s, (uint32_t)n, 0, &at, &why)) {
    bfail(b, (uint32_t)b->d->docs_off, "package-docs: docs that WIT cannot hold: %s", n > UINT32_MAX - 1 ? "too long" : why);
    return NULL;
  }
  const char *c = wit_strdup(b->a, v->s);
  if (!c) boom(b);
  return c;
}

static bool meta_stability(bld_t *b, const wit_json_t *v, weld_wit_stability_t *out) {
  memset(out, 0, sizeof *out);
  if (!v || v->kind != WIT_J_OBJ || v->n != 1) return true; /* absent or "unknown" */
  bool stable = !strcmp(v->keys[0], "stable");
  if (!stable && strcmp(v->keys[0], "unstable")) return true;
  const wit_json_t *o = v->items[0];
  const wit_json_t *main_ = jget(o, stable ? "since" : "feature"), *dep = jget(o, "deprecated");
  if (!main_ || main_->kind != WIT_J_STR || (dep && dep->kind != WIT_J_STR && dep->kind != WIT_J_NULL))
    return bfail(b, (uint32_t)b->d->docs_off, "package-docs: malformed stability");
  const char *vers[2] = {stable ? main_->s : NULL, dep && dep->kind == WIT_J_STR ? dep->s : NULL};
  for (int i = 0; i < 2; i++) {
    wit_semver_t sv;
    const char *why;
    if (vers[i] && !wit_semver_parse(vers[i], strlen(vers[i]), &sv, &why))
      return bfail(b, (uint32_t)b->d->docs_off, "package-docs: invalid version `%s`: %s", vers[i], why);
  }
  if (!stable && !check_id(b, main_->s, (uint32_t)b->d->docs_off, "feature name")) return false;
  out->kind = stable ? WELD_WIT_STABILITY_STABLE : WELD_WIT_STABILITY_UNSTABLE;
  if (stable) out->since = wit_strdup(b->a, main_->s);
  else out->feature = wit_strdup(b->a, main_->s);
  out->deprecated = vers[1] ? wit_strdup(b->a, vers[1]) : NULL;
  return true;
}

/* docs + stability of an item's metadata object (or a version-0 function docs string) */
static bool meta_item(bld_t *b, const wit_json_t *m, const char **docs, weld_wit_stability_t *st) {
  *docs = NULL;
  memset(st, 0, sizeof *st);
  if (!m) return true;
  if (m->kind == WIT_J_STR) {
    *docs = jtext(b, m);
    return !b->d->err;
  }
  *docs = jtext(b, jget(m, "docs"));
  return !b->d->err && meta_stability(b, jget(m, "stability"), st);
}

/* ---- the temporary numbering ---- */

static weld_wit_typedef_t *tdef(bld_t *b, uint32_t id) {
  return id & FOREIGN_BIT ? &b->ftypes.data[id & ~FOREIGN_BIT] : &b->u->types.data[id];
}

static uint32_t alloc_type(bld_t *b, const weld_wit_typedef_t *td, uint32_t off) {
  if (b->u->types.len >= WELD_MAX_WIT_TYPES) {
    bfail(b, off, "too many WIT types (more than %u)", WELD_MAX_WIT_TYPES);
    return UINT32_MAX;
  }
  wit_span_t sp = span_at(b, off), *none = NULL;
  if (!AVEC_PUSH(b->a, &b->u->types, *td) || !AVEC_PUSH(b->a, &b->u->type_spans, sp) ||
      !AVEC_PUSH(b->a, &b->u->case_spans, none)) {
    boom(b);
    return UINT32_MAX;
  }
  return (uint32_t)b->u->types.len - 1;
}

/* The placeholder interface of a foreign package (created on first use). */
static uint32_t foreign_iface(bld_t *b, const char *full, uint32_t off) {
  uint32_t v = wit_map_gets(&b->fiface_idx, full);
  if (v != WIT_MAP_MISSING) return FOREIGN_BIT | v;
  wit_pkg_name_t pn;
  const char *iname;
  if (!parse_iface_id(b, full, off, &pn, &iname)) return UINT32_MAX;
  const char *pfull = wit_pkg_name_str(b->a, &pn);
  if (!pfull) return boom(b), UINT32_MAX;
  uint32_t pi = wit_map_gets(&b->fpkg_idx, pfull);
  if (pi == WIT_MAP_MISSING) {
    wit_foreign_pkg_t fp;
    memset(&fp, 0, sizeof fp);
    fp.name = pn;
    fp.span = span_at(b, off);
    if (!AVEC_PUSH(b->a, &b->u->foreign, fp)) return boom(b), UINT32_MAX;
    pi = (uint32_t)b->u->foreign.len - 1;
    wit_map_puts(b->a, &b->fpkg_idx, pfull, pi);
  }
  wit_uiface_t fi;
  memset(&fi, 0, sizeof fi);
  fi.i.package = WELD_WIT_NONE;
  fi.span = span_at(b, off);
  if (!AVEC_PUSH(b->a, &b->fifaces, fi)) return boom(b), UINT32_MAX;
  v = (uint32_t)b->fifaces.len - 1;
  wit_foreign_item_t it;
  memset(&it, 0, sizeof it);
  it.name = iname;
  it.id = v;
  weld_wit_stability_t none;
  memset(&none, 0, sizeof none);
  if (!AVEC_PUSH(b->a, &it.stabilities, none) || !AVEC_PUSH(b->a, &b->u->foreign.data[pi].items, it))
    return boom(b), UINT32_MAX;
  wit_map_puts(b->a, &b->fiface_idx, full, v);
  return b->a->oom ? (boom(b), UINT32_MAX) : (FOREIGN_BIT | v);
}

/* The placeholder for type `name` of a foreign interface. */
static uint32_t foreign_type(bld_t *b, const char *iface_full, const char *name, uint32_t off) {
  uint32_t fi = foreign_iface(b, iface_full, off);
  if (fi == UINT32_MAX) return UINT32_MAX;
  char *key = wit_sprintf(b->a, "%u/%s", fi & ~FOREIGN_BIT, name);
  if (!key) return boom(b), UINT32_MAX;
  uint32_t v = wit_map_gets(&b->ftype_idx, key);
  if (v != WIT_MAP_MISSING) return FOREIGN_BIT | v;
  weld_wit_typedef_t td;
  memset(&td, 0, sizeof td);
  td.name = name;
  td.kind = WELD_WIT_KIND_UNKNOWN;
  td.owner_kind = WELD_WIT_OWNER_INTERFACE;
  td.owner = fi;
  wit_span_t sp = span_at(b, off);
  if (!AVEC_PUSH(b->a, &b->ftypes, td) || !AVEC_PUSH(b->a, &b->fspans, sp)) return boom(b), UINT32_MAX;
  v = (uint32_t)b->ftypes.len - 1;
  weld_wit_named_t nm = {name, FOREIGN_BIT | v};
  if (!AVEC_PUSH(b->a, &b->fifaces.data[fi & ~FOREIGN_BIT].i.types, nm)) return boom(b), UINT32_MAX;
  wit_map_puts(b->a, &b->ftype_idx, key, v);
  return b->a->oom ? (boom(b), UINT32_MAX) : (FOREIGN_BIT | v);
}

/* tmap entry of ctype `ct` as a type id (pending foreign types are materialized);
 * TMAP_NONE if unmapped (or anonymous and !anon_ok). */
static uint32_t mapped(bld_t *b, uint32_t ct, bool anon_ok) {
  uint32_t v = b->tmap[ct];
  if (v == TMAP_NONE) return TMAP_NONE;
  if (v & FOREIGN_BIT) return v;
  if (v & PENDING_BIT) {
    const pend_t *p = &b->pend.data[v & ~PENDING_BIT];
    v = foreign_type(b, p->iface, p->name, p->off);
    if (v == UINT32_MAX) return UINT32_MAX;
    b->tmap[ct] = v;
    return v;
  }
  if (v & ANON_BIT) return anon_ok ? v & ~ANON_BIT : TMAP_NONE;
  return v;
}

/* wasm-tools' `find_alias`: the WIT type an exported type refers to, following the chain
 * of type exports; TMAP_NONE if it is defined here for the first time. */
static uint32_t find_alias(bld_t *b, uint32_t ct) {
  for (size_t guard = 0; guard <= b->d->types.len; guard++) {
    uint32_t v = mapped(b, ct, false);
    if (v != TMAP_NONE) return v; /* (or UINT32_MAX: an error) */
    const ctype_t *t = &b->d->types.data[ct];
    if (t->kind != CT_EXPORTED) break;
    ct = t->a.id;
  }
  return TMAP_NONE;
}

/* Is type `id` a resource (or an alias of one; a foreign placeholder may be one)?  An
 * alias is allocated after what it refers to, so a cache filled bottom-up answers in
 * constant time however long the alias chains. */
static int is_resource(bld_t *b, uint32_t id) {
  if (id & FOREIGN_BIT) return 1;
  if (!AVEC_RESERVE(&b->d->tmp, &b->is_res, b->u->types.len - b->is_res.len + 1)) return boom(b), -1;
  while (b->is_res.len <= id) {
    size_t i = b->is_res.len;
    const weld_wit_typedef_t *td = &b->u->types.data[i];
    int8_t v = td->kind == WELD_WIT_KIND_RESOURCE;
    if (td->kind == WELD_WIT_KIND_ALIAS && td->a.tag == WELD_WIT_T_ID)
      v = td->a.id & FOREIGN_BIT ? 1 : td->a.id < i ? b->is_res.data[td->a.id] : 0;
    b->is_res.data[b->is_res.len++] = v;
  }
  return b->is_res.data[id];
}

/* ---- types ---- */

static const weld_wit_stability_t *stab_of(void *env, weld_wit_type_t t) {
  if (t.tag != WELD_WIT_T_ID) return NULL;
  const weld_wit_stability_t *s = &tdef(env, t.id)->stability;
  return s->kind != WELD_WIT_STABILITY_UNKNOWN ? s : NULL;
}

static bool intern(bld_t *b, weld_wit_typedef_t *td, uint32_t off, uint32_t *out) {
  size_t cap = 32;
  for (size_t i = 0; i < td->cases.len; i++) cap += 12 + (td->cases.data[i].name ? strlen(td->cases.data[i].name) : 0);
  char *key = wit_alloc(&b->d->tmp, cap);
  if (!key) return boom(b);
  size_t n = 0;
#define PUT(v) \
  do { \
    uint32_t v_ = (v); \
    memcpy(key + n, &v_, 4); \
    n += 4; \
  } while (0)
  PUT(td->kind);
  PUT(td->a.tag);
  PUT(td->a.tag == WELD_WIT_T_ID ? td->a.id : 0);
  PUT(td->b.tag);
  PUT(td->b.tag == WELD_WIT_T_ID ? td->b.id : 0);
  PUT(td->size);
  for (size_t i = 0; i < td->cases.len; i++) {
    const weld_wit_case_t *c = &td->cases.data[i];
    size_t l = c->name ? strlen(c->name) : 0;
    PUT((uint32_t)l);
    if (l) memcpy(key + n, c->name, l);
    n += l;
    PUT(c->type.tag);
    PUT(c->type.tag == WELD_WIT_T_ID ? c->type.id : 0);
  }
#undef PUT
  uint32_t prev = wit_map_get(&b->anon, key, n);
  if (prev != WIT_MAP_MISSING) {
    *out = prev;
    return true;
  }
  uint32_t id = alloc_type(b, td, off);
  if (id == UINT32_MAX) return false;
  wit_map_put(&b->d->tmp, &b->anon, key, n, id);
  *out = id;
  return !b->d->tmp.oom || boom(b);
}

static bool conv_val(bld_t *b, weld_wit_type_t in, const weld_wit_stability_t *ctx, weld_wit_type_t *out);

/* The type a handle refers to (must be a resource). */
static bool conv_handle_target(bld_t *b, uint32_t ct, uint32_t off, uint32_t *out) {
  for (size_t guard = 0; guard <= b->d->types.len; guard++) {
    uint32_t v = mapped(b, ct, false);
    if (v == UINT32_MAX) return false;
    if (v != TMAP_NONE) {
      int r = is_resource(b, v);
      if (r < 0) return false;
      if (!r) return bfail(b, off, "handle to a type that is not a resource");
      if (v & FOREIGN_BIT) {
        wit_req_res_t rr = {v, span_at(b, off)};
        if (!AVEC_PUSH(b->a, &b->u->required_resources, rr)) return boom(b);
      }
      *out = v;
      return true;
    }
    const ctype_t *t = &b->d->types.data[ct];
    if (t->kind != CT_EXPORTED) break;
    ct = t->a.id;
  }
  return bfail(b, off, "handle to a resource that is not declared here");
}

/* A defined type of the binary as a WIT type definition (its parts converted). */
static bool conv_def(bld_t *b, uint32_t ct, const weld_wit_stability_t *ctx, weld_wit_typedef_t *td) {
  const ctype_t *t = &b->d->types.data[ct];
  memset(td, 0, sizeof *td);
  td->kind = t->dkind;
  td->owner = WELD_WIT_NONE;
  if (b->depth >= WELD_MAX_WIT_NESTING)
    return bfail(b, t->off, "type nesting is too deep (more than %u levels)", WELD_MAX_WIT_NESTING);
  b->depth++;
  bool ok = true;
  switch (t->dkind) {
  case WELD_WIT_KIND_ALIAS: td->a = t->a; break;
  case WELD_WIT_KIND_OWN:
  case WELD_WIT_KIND_BORROW: {
    uint32_t r = 0;
    ok = conv_handle_target(b, t->a.id, t->off, &r);
    td->a = wit_ty_id(r);
    break;
  }
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_VARIANT:
  case WELD_WIT_KIND_TUPLE:
  case WELD_WIT_KIND_FLAGS:
  case WELD_WIT_KIND_ENUM: {
    size_t n = t->cases.len;
    if (n == 0 && (t->dkind == WELD_WIT_KIND_VARIANT || t->dkind == WELD_WIT_KIND_ENUM)) {
      ok = bfail(b, t->off, "%s type without cases", t->dkind == WELD_WIT_KIND_VARIANT ? "variant" : "enum");
      break;
    }
    weld_wit_case_t *c = wit_zalloc(b->a, (n + 1) * sizeof *c);
    if (!c) {
      ok = boom(b);
      break;
    }
    wit_map_t seen = {0};
    for (size_t i = 0; i < n && ok; i++) {
      const weld_wit_case_t *src = &b->d->types.data[ct].cases.data[i];
      c[i].name = src->name;
      if (src->name) {
        ok = check_id(b, src->name, t->off, "field or case name");
        if (ok && wit_map_puts(&b->d->tmp, &seen, src->name, 0) != WIT_MAP_MISSING)
          ok = bfail(b, t->off, "name `%s` is used twice in one type", src->name);
      }
      if (ok && src->type.tag != WELD_WIT_T_NONE) ok = conv_val(b, src->type, ctx, &c[i].type);
    }
    td->cases.data = c;
    td->cases.len = td->cases.cap = n;
    break;
  }
  default:
    ok = conv_val(b, t->a, ctx, &td->a) && conv_val(b, t->b, ctx, &td->b);
    td->size = t->size;
    break;
  }
  b->depth--;
  return ok;
}

/* A type in a value position: primitives as they are, resources as references (own),
 * anonymous types interned. */
static bool conv_val(bld_t *b, weld_wit_type_t in, const weld_wit_stability_t *ctx, weld_wit_type_t *out) {
  if (in.tag != WELD_WIT_T_ID) {
    *out = in;
    return true;
  }
  uint32_t ct = in.id;
  for (size_t guard = 0; guard <= b->d->types.len; guard++) {
    uint32_t v = mapped(b, ct, true);
    if (v == UINT32_MAX) return false;
    if (v != TMAP_NONE) {
      *out = wit_ty_id(v);
      return true;
    }
    if (b->d->types.data[ct].kind != CT_EXPORTED) break;
    ct = b->d->types.data[ct].a.id;
  }
  const ctype_t *t = &b->d->types.data[ct];
  if (t->kind != CT_DEF) return bfail(b, t->off, "a value type refers to a %s", t->kind == CT_RESOURCE ? "resource that is not declared in this scope" : "type that is not a value type");
  switch (t->dkind) {
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_VARIANT:
  case WELD_WIT_KIND_ENUM:
  case WELD_WIT_KIND_FLAGS:
    return bfail(b, t->off, "unexpected unnamed %s type",
                 t->dkind == WELD_WIT_KIND_RECORD    ? "record"
                 : t->dkind == WELD_WIT_KIND_VARIANT ? "variant"
                 : t->dkind == WELD_WIT_KIND_ENUM    ? "enum"
                                                     : "flags");
  default: break;
  }
  weld_wit_typedef_t td;
  if (!conv_def(b, ct, ctx, &td)) return false;
  if (td.kind == WELD_WIT_KIND_ALIAS || td.kind == WELD_WIT_KIND_OWN) {
    *out = td.a;
    return true;
  }
  td.stability = wit_inherited_stability(&td, ctx, stab_of, b);
  td.owner_kind = WELD_WIT_OWNER_NONE;
  uint32_t id;
  if (!intern(b, &td, t->off, &id)) return false;
  b->tmap[ct] = id | ANON_BIT;
  *out = wit_ty_id(id);
  return true;
}

/* Docs of record fields, variant/enum cases and flags from the metadata's "items". */
static bool apply_item_docs(bld_t *b, weld_wit_typedef_t *td, const wit_json_t *items) {
  if (!items || items->kind != WIT_J_OBJ) return true;
  for (size_t i = 0; i < td->cases.len; i++) {
    const char *doc = td->cases.data[i].name ? jtext(b, jget(items, td->cases.data[i].name)) : NULL;
    if (doc) td->cases.data[i].docs = doc;
  }
  return !b->d->err && (!b->a->oom || boom(b));
}

/* A named type exported from an interface or imported into a world (wasm-tools'
 * `register_type_export`). */
static uint32_t type_export(bld_t *b, const cext_t *e, uint32_t owner_kind, uint32_t owner, const wit_json_t *meta) {
  if (!check_id(b, e->name, e->off, "type name")) return UINT32_MAX;
  const ctype_t *t = &b->d->types.data[e->ty];
  uint32_t ref = t->kind == CT_EXPORTED ? t->a.id : e->ty;
  weld_wit_typedef_t td;
  const char *docs;
  weld_wit_stability_t st;
  if (!meta_item(b, meta, &docs, &st)) return UINT32_MAX;
  uint32_t prev = find_alias(b, ref);
  if (prev == UINT32_MAX) return UINT32_MAX;
  if (prev != TMAP_NONE) {
    memset(&td, 0, sizeof td);
    td.kind = WELD_WIT_KIND_ALIAS;
    td.a = wit_ty_id(prev);
  } else if (b->d->types.data[ref].kind == CT_DEF) {
    if (!conv_def(b, ref, &st, &td)) return UINT32_MAX;
  } else if (b->d->types.data[ref].kind == CT_RESOURCE) {
    memset(&td, 0, sizeof td);
    td.kind = WELD_WIT_KIND_RESOURCE;
  } else {
    bfail(b, e->off, "type export `%s` is not a value type or a resource", e->name);
    return UINT32_MAX;
  }
  td.name = e->name;
  td.owner_kind = owner_kind;
  td.owner = owner;
  td.docs = docs;
  td.stability = st;
  if (!apply_item_docs(b, &td, jget(meta, "items"))) return UINT32_MAX;
  uint32_t id = alloc_type(b, &td, e->off);
  if (id == UINT32_MAX) return UINT32_MAX;
  b->tmap[e->ty] = id;
  return id;
}

static uint32_t find_named(const wit_map_t *m, const char *name) {
  uint32_t v = wit_map_gets(m, name);
  return v == WIT_MAP_MISSING ? WELD_WIT_NONE : v;
}

/* A function (wasm-tools' `convert_function`); `scope` holds the owner's types. */
static bool conv_func(bld_t *b, const cext_t *e, const wit_map_t *scope, const wit_json_t *meta, weld_wit_func_t *f) {
  const ctype_t *t = &b->d->types.data[e->ty];
  memset(f, 0, sizeof *f);
  f->resource = WELD_WIT_NONE;
  const char *n = e->name, *res = NULL;
  bool async = t->async;
  enum { FREE, CTOR, METHOD, STATIC } kind = FREE;
  static const struct { const char *prefix; int kind; bool async; } prefixes[] = {
      {"[constructor]", CTOR, false}, {"[method]", METHOD, false},      {"[static]", STATIC, false},
      {"[async]", FREE, true},        {"[async method]", METHOD, true}, {"[async static]", STATIC, true},
  };
  const char *rest = n;
  bool legacy = false; /* `[async ...]` names of early component-model async */
  for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++) {
    size_t l = strlen(prefixes[i].prefix);
    if (!strncmp(n, prefixes[i].prefix, l)) {
      kind = prefixes[i].kind;
      legacy = prefixes[i].async;
      async = async || legacy;
      rest = n + l;
      break;
    }
  }
  if (rest == n && n[0] == '[') return bfail(b, e->off, "unsupported function name `%s`", n);
  const char *fname = rest;
  if (kind == METHOD || kind == STATIC) {
    const char *dot = strchr(rest, '.');
    if (!dot) return bfail(b, e->off, "function name `%s` lacks the resource name", n);
    res = wit_strndup(b->a, rest, (size_t)(dot - rest));
    fname = dot + 1;
    if (!res) return boom(b);
  } else if (kind == CTOR) {
    res = rest;
  }
  if (res && !check_id(b, res, e->off, "resource name")) return false;
  if (kind != CTOR && !check_id(b, fname, e->off, "function name")) return false;
  if (kind == CTOR && async) return bfail(b, e->off, "constructors cannot be async");
  if (res) {
    uint32_t r = find_named(scope, res);
    if (r == WELD_WIT_NONE || tdef(b, r)->kind != WELD_WIT_KIND_RESOURCE)
      return bfail(b, e->off, "function `%s` refers to resource `%s`, which is not defined here", n, res);
    f->resource = r;
  }
  /* the WIT name: legacy `[async ...]` prefixes are dropped (the function type says async) */
  if (legacy) {
    f->name = kind == FREE ? fname : wit_sprintf(b->a, "[%s]%s", kind == METHOD ? "method" : "static", rest);
    if (!f->name) return boom(b);
  } else {
    f->name = n;
  }
  switch (kind) {
  case CTOR: f->kind = WELD_WIT_FUNC_CONSTRUCTOR; break;
  case METHOD: f->kind = async ? WELD_WIT_FUNC_ASYNC_METHOD : WELD_WIT_FUNC_METHOD; break;
  case STATIC: f->kind = async ? WELD_WIT_FUNC_ASYNC_STATIC : WELD_WIT_FUNC_STATIC; break;
  default: f->kind = async ? WELD_WIT_FUNC_ASYNC_FREESTANDING : WELD_WIT_FUNC_FREESTANDING; break;
  }
  if (!meta_item(b, meta, &f->docs, &f->stability)) return false;
  weld_wit_stability_t unknown;
  memset(&unknown, 0, sizeof unknown);
  size_t np = t->cases.len;
  weld_wit_param_t *p = wit_zalloc(b->a, (np + 1) * sizeof *p);
  if (!p) return boom(b);
  wit_map_t seen = {0};
  for (size_t i = 0; i < np; i++) {
    const weld_wit_case_t *c = &b->d->types.data[e->ty].cases.data[i];
    if (!check_id(b, c->name, e->off, "parameter name")) return false;
    if (wit_map_puts(&b->d->tmp, &seen, c->name, 0) != WIT_MAP_MISSING)
      return bfail(b, e->off, "parameter `%s` is defined twice", c->name);
    if (b->d->tmp.oom) return boom(b);
    p[i].name = c->name;
    if (!conv_val(b, c->type, &unknown, &p[i].type)) return false;
  }
  f->params.data = p;
  f->params.len = f->params.cap = np;
  weld_wit_type_t res_ty = b->d->types.data[e->ty].result;
  f->result = wit_ty(WELD_WIT_T_NONE, 0);
  if (res_ty.tag != WELD_WIT_T_NONE && !conv_val(b, res_ty, &unknown, &f->result)) return false;
  if ((kind == METHOD) && (np == 0 || strcmp(p[0].name, "self")))
    return bfail(b, e->off, "method `%s` must take `self` first", n);
  return true;
}

/* ---- interfaces ---- */

static uint32_t alloc_iface(bld_t *b, const char *name, uint32_t off, const wit_json_t *meta) {
  wit_uiface_t ui;
  memset(&ui, 0, sizeof ui);
  ui.i.name = name;
  ui.i.package = WELD_WIT_NONE;
  ui.span = span_at(b, off);
  if (!meta_item(b, meta, &ui.i.docs, &ui.i.stability)) return UINT32_MAX;
  wit_map_t none = {0};
  if (!AVEC_PUSH(b->a, &b->u->interfaces, ui) || !AVEC_PUSH(&b->d->tmp, &b->itypes, none) ||
      !AVEC_PUSH(&b->d->tmp, &b->ifuncs, none))
    return boom(b), UINT32_MAX;
  return (uint32_t)b->u->interfaces.len - 1;
}

/* Adds the exports of instance type `inst` to local interface `id` (all of them for a
 * new interface; in a stub, the ones not seen before). */
static bool fill_iface(bld_t *b, uint32_t id, uint32_t inst, const wit_json_t *meta, bool union_) {
  size_t n = b->d->types.data[inst].exports.len;
  for (size_t k = 0; k < n; k++) {
    const cext_t *e = &b->d->types.data[inst].exports.data[k];
    wit_uiface_t *ui = &b->u->interfaces.data[id];
    if (e->kind == EX_TYPE) {
      uint32_t have = find_named(&b->itypes.data[id], e->name);
      if (have != WELD_WIT_NONE && union_) {
        b->tmap[e->ty] = have;
        continue;
      }
      if (have != WELD_WIT_NONE) return bfail(b, e->off, "type `%s` is defined twice", e->name);
      uint32_t t = type_export(b, e, WELD_WIT_OWNER_INTERFACE, id, jget2(meta, "types", e->name));
      if (t == UINT32_MAX) return false;
      weld_wit_named_t nm = {e->name, t};
      wit_map_puts(&b->d->tmp, &b->itypes.data[id], e->name, t);
      if (b->d->tmp.oom || !AVEC_PUSH(b->a, &b->u->interfaces.data[id].i.types, nm)) return boom(b);
    } else if (e->kind == EX_FUNC) {
      bool dup = find_named(&b->ifuncs.data[id], e->name) != WELD_WIT_NONE;
      if (dup && union_) continue;
      if (dup) return bfail(b, e->off, "function `%s` is defined twice", e->name);
      weld_wit_func_t f;
      if (!conv_func(b, e, &b->itypes.data[id], jget2(meta, "funcs", e->name), &f)) return false;
      wit_map_puts(&b->d->tmp, &b->ifuncs.data[id], e->name, 0);
      if (b->d->tmp.oom) return boom(b);
      ui = &b->u->interfaces.data[id];
      wit_span_t sp = span_at(b, e->off);
      if (!AVEC_PUSH(b->a, &ui->i.funcs, f) || !AVEC_PUSH(b->a, &ui->func_spans, sp)) return boom(b);
    } else {
      return bfail(b, e->off, "instance export `%s` is not a type or a function", e->name);
    }
  }
  return true;
}

#define IMPORT_FOREIGN (UINT32_MAX - 1)

/* An instance imported under a qualified name (wasm-tools' `register_import`): an
 * interface of the package being built (bound by name, or defined now if it was not
 * seen before), or one of another package (placeholders, created when needed). */
static uint32_t register_import(bld_t *b, const cext_t *e) {
  wit_pkg_name_t pn;
  const char *iname;
  if (!parse_iface_id(b, e->name, e->off, &pn, &iname)) return UINT32_MAX;
  const ctype_t *inst = &b->d->types.data[e->ty];
  if (!same_pkg(&pn, &b->pkg)) {
    for (size_t k = 0; k < inst->exports.len; k++) {
      const cext_t *x = &inst->exports.data[k];
      if (x->kind == EX_FUNC) continue;
      if (x->kind != EX_TYPE) {
        bfail(b, x->off, "instance export `%s` is not a type or a function", x->name);
        return UINT32_MAX;
      }
      if (b->tmap[x->ty] != TMAP_NONE) continue;
      pend_t p = {e->name, x->name, x->off};
      if (!AVEC_PUSH(&b->d->tmp, &b->pend, p)) return boom(b), UINT32_MAX;
      b->tmap[x->ty] = PENDING_BIT | (uint32_t)(b->pend.len - 1);
    }
    return IMPORT_FOREIGN; /* see foreign_iface */
  }
  uint32_t id = wit_map_gets(&b->liface_idx, e->name);
  if (id != WIT_MAP_MISSING) {
    for (size_t k = 0; k < inst->exports.len; k++) {
      const cext_t *x = &inst->exports.data[k];
      if (x->kind == EX_TYPE) {
        uint32_t t = find_named(&b->itypes.data[id], x->name);
        if (t != WELD_WIT_NONE) b->tmap[x->ty] = t;
        else if (!b->stub) {
          bfail(b, x->off, "type `%s` is not defined in interface `%s`", x->name, e->name);
          return UINT32_MAX;
        }
      } else if (x->kind == EX_FUNC && !b->stub) {
        if (find_named(&b->ifuncs.data[id], x->name) == WELD_WIT_NONE) {
          bfail(b, x->off, "function `%s` is not defined in interface `%s`", x->name, e->name);
          return UINT32_MAX;
        }
      }
    }
    if (b->stub && !fill_iface(b, id, e->ty, NULL, true)) return UINT32_MAX;
    return id;
  }
  id = alloc_iface(b, iname, e->off, jget2(b->meta, "interfaces", iname));
  if (id == UINT32_MAX) return UINT32_MAX;
  wit_map_puts(b->a, &b->liface_idx, e->name, id);
  if (b->a->oom) return boom(b), UINT32_MAX;
  if (!fill_iface(b, id, e->ty, jget2(b->meta, "interfaces", iname), b->stub)) return UINT32_MAX;
  return id;
}

/* The interface a world item or a package export names: its id in this package. */
static uint32_t iface_ref(bld_t *b, const cext_t *e) {
  uint32_t id = register_import(b, e);
  if (id != IMPORT_FOREIGN) return id;
  return foreign_iface(b, e->name, e->off);
}

/* ---- worlds ---- */

static bool world_push(bld_t *b, wit_uworld_t *uw, int dir, const weld_wit_world_item_t *it, uint32_t off) {
  wit_span_t sp = span_at(b, off);
  bool ok = dir ? AVEC_PUSH(b->a, &uw->w.exports, *it) && AVEC_PUSH(b->a, &uw->export_spans, sp)
                : AVEC_PUSH(b->a, &uw->w.imports, *it) && AVEC_PUSH(b->a, &uw->import_spans, sp);
  return ok || boom(b);
}

/* Metadata of a world's kebab-named interface or function: imports in `both`; exports in
 * `exports`, or in `both` when no import has that name (format version 0). */
static const wit_json_t *export_meta(bld_t *b, const wit_json_t *meta, uint32_t ct, int dir, const char *name,
                                     const char *both, const char *exports) {
  if (!dir) return jget2(meta, both, name);
  const wit_json_t *m = jget2(meta, exports, name);
  if (m) return m;
  return wit_map_gets(&b->d->types.data[ct].import_idx, name) == WIT_MAP_MISSING ? jget2(meta, both, name) : NULL;
}

static bool build_world(bld_t *b, const char *name, uint32_t off, uint32_t ct) {
  const wit_json_t *meta = jget2(b->meta, "worlds", name);
  wit_uworld_t uw;
  memset(&uw, 0, sizeof uw);
  uw.w.name = name;
  uw.w.package = WELD_WIT_NONE;
  uw.span = span_at(b, off);
  if (!meta_item(b, meta, &uw.w.docs, &uw.w.stability)) return false;
  if (!AVEC_PUSH(b->a, &b->u->worlds, uw)) return boom(b);
  uint32_t wid = (uint32_t)b->u->worlds.len - 1;
  const ctype_t *w = &b->d->types.data[ct];
  size_t ni = w->imports.len, ne = w->exports.len;
  /* per item: its interface or type, found in the first two passes */
  uint32_t *ids = wit_alloc(&b->d->tmp, (ni + ne + 1) * sizeof *ids);
  if (!ids) return boom(b);
  memset(&b->wtypes, 0, sizeof b->wtypes);
  /* 1: interfaces named by id; 2: types (world types come before inline interfaces
   * and functions, as in the text path) */
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < ni + ne; k++) {
      const cext_t *e = k < ni ? &b->d->types.data[ct].imports.data[k] : &b->d->types.data[ct].exports.data[k - ni];
      if (pass == 0 && e->kind == EX_INSTANCE && e->implements) {
        cext_t named = *e; /* `import label: iface;` names the interface by `implements` */
        named.name = e->implements;
        if ((ids[k] = iface_ref(b, &named)) == UINT32_MAX) return false;
      } else if (pass == 0 && e->kind == EX_INSTANCE && strchr(e->name, '/')) {
        if ((ids[k] = iface_ref(b, e)) == UINT32_MAX) return false;
      } else if (pass == 1 && e->kind == EX_TYPE) {
        if (k >= ni) return bfail(b, e->off, "worlds cannot export types");
        if (find_named(&b->wtypes, e->name) != WELD_WIT_NONE)
          return bfail(b, e->off, "type `%s` is imported twice", e->name);
        ids[k] = type_export(b, e, WELD_WIT_OWNER_WORLD, wid, jget2(meta, "types", e->name));
        if (ids[k] == UINT32_MAX) return false;
        wit_map_puts(&b->d->tmp, &b->wtypes, e->name, ids[k]);
        if (b->d->tmp.oom) return boom(b);
      }
    }
  /* 3: the items, converted in the order the text path meets them in the world's
   * printed form (functions of the world's resources with the resources, then the rest)
   * and listed in the binary's order */
  weld_wit_world_item_t *items = wit_zalloc(&b->d->tmp, (ni + ne + 1) * sizeof *items);
  if (!items) return boom(b);
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < ni + ne; k++) {
      int dir = k >= ni;
      const cext_t *e = dir ? &b->d->types.data[ct].exports.data[k - ni] : &b->d->types.data[ct].imports.data[k];
      bool resource_func = e->kind == EX_FUNC && e->name[0] == '[';
      if (resource_func != (pass == 0)) continue;
      weld_wit_world_item_t *it = &items[k];
      it->key_interface = WELD_WIT_NONE;
      switch (e->kind) {
      case EX_INSTANCE:
        it->kind = WELD_WIT_ITEM_INTERFACE;
        if (e->implements) {
          if (!check_id(b, e->name, e->off, "import/export name")) return false;
          it->name = e->name;
          it->id = ids[k];
          if (!meta_stability(b, jget2(meta, dir ? "interface_export_stability" : "interface_import_stability", e->name),
                              &it->stability))
            return false;
        } else if (strchr(e->name, '/')) {
          it->id = it->key_interface = ids[k];
          if (!meta_stability(b, jget2(meta, dir ? "interface_export_stability" : "interface_import_stability", e->name),
                              &it->stability))
            return false;
        } else {
          if (!check_id(b, e->name, e->off, "import/export name")) return false;
          const wit_json_t *im = export_meta(b, meta, ct, dir, e->name, "interfaces", "interface_exports");
          uint32_t id = alloc_iface(b, NULL, e->off, im);
          if (id == UINT32_MAX || !fill_iface(b, id, e->ty, im, false)) return false;
          it->name = e->name;
          it->id = id;
          it->stability = b->u->interfaces.data[id].i.stability;
        }
        break;
      case EX_TYPE:
        it->kind = WELD_WIT_ITEM_TYPE;
        it->name = e->name;
        it->id = ids[k];
        break;
      case EX_FUNC: {
        const wit_json_t *fm = export_meta(b, meta, ct, dir, e->name, "funcs", "func_exports");
        it->kind = WELD_WIT_ITEM_FUNC;
        if (!conv_func(b, e, &b->wtypes, fm, &it->func)) return false;
        it->name = it->func.name;
        break;
      }
      default: return bfail(b, e->off, "world item `%s` is not an interface, a function or a type", e->name);
      }
    }
  for (size_t k = 0; k < ni + ne; k++) {
    int dir = k >= ni;
    const cext_t *e = dir ? &b->d->types.data[ct].exports.data[k - ni] : &b->d->types.data[ct].imports.data[k];
    if (!world_push(b, &b->u->worlds.data[wid], dir, &items[k], e->off)) return false;
  }
  return true;
}

/* ---- packages ---- */

/* The single export of a top-level component type, checked. */
static const cext_t *item_of(bld_t *b, const cext_t *top) {
  const ctype_t *c = &b->d->types.data[top->ty];
  if (c->kind != CT_COMPONENT) {
    bfail(b, top->off, "not a WIT package: export `%s` is not a component type", top->name);
    return NULL;
  }
  if (c->exports.len != 1) {
    bfail(b, top->off, "not a WIT package: component type `%s` has %zu exports instead of one", top->name,
          c->exports.len);
    return NULL;
  }
  const cext_t *x = &c->exports.data[0];
  if (x->kind != EX_INSTANCE && x->kind != EX_COMPONENT) {
    bfail(b, x->off, "not a WIT package: `%s` is not an interface or a world", x->name);
    return NULL;
  }
  return x;
}

static bool build_main(bld_t *b) {
  for (size_t i = 0; i < b->d->exports.len; i++) {
    const cext_t *top = &b->d->exports.data[i];
    const cext_t *x = item_of(b, top);
    if (!x) return false;
    const ctype_t *c = &b->d->types.data[top->ty];
    wit_pkg_name_t pn;
    const char *iname;
    if (!parse_iface_id(b, x->name, x->off, &pn, &iname)) return false;
    if (!same_pkg(&pn, &b->pkg)) return bfail(b, x->off, "`%s` does not belong to package `%s`", x->name, wit_pkg_name_str(b->a, &b->pkg));
    if (x->kind == EX_COMPONENT) {
      if (c->imports.len) return bfail(b, top->off, "a world's component type has imports");
      for (size_t k = 0; k < b->u->worlds.len; k++)
        if (!strcmp(b->u->worlds.data[k].w.name, iname)) return bfail(b, x->off, "world `%s` is defined twice", iname);
      if (!build_world(b, iname, x->off, x->ty)) return false;
      continue;
    }
    for (size_t k = 0; k < c->imports.len; k++) {
      const cext_t *im = &b->d->types.data[top->ty].imports.data[k];
      if (im->kind != EX_INSTANCE || !strchr(im->name, '/'))
        return bfail(b, im->off, "an interface's component type imports `%s`, which is not an interface", im->name);
      if (register_import(b, im) == UINT32_MAX) return false;
    }
    if (wit_map_gets(&b->liface_idx, x->name) != WIT_MAP_MISSING)
      return bfail(b, x->off, "interface `%s` is defined twice", x->name);
    uint32_t id = alloc_iface(b, iname, x->off, jget2(b->meta, "interfaces", iname));
    if (id == UINT32_MAX) return false;
    wit_map_puts(b->a, &b->liface_idx, x->name, id);
    if (!fill_iface(b, id, x->ty, jget2(b->meta, "interfaces", iname), false)) return false;
  }
  return !b->a->oom || boom(b);
}

/* A stub: every instance of package b->pkg that the binary shows. */
static bool build_stub(bld_t *b) {
  for (size_t i = 0; i < b->d->exports.len; i++) {
    const cext_t *top = &b->d->exports.data[i];
    const cext_t *x = item_of(b, top);
    if (!x) return false;
    const ctype_t *c = &b->d->types.data[x->kind == EX_COMPONENT ? x->ty : top->ty];
    size_t ni = c->imports.len, ne = x->kind == EX_COMPONENT ? c->exports.len : 0;
    for (size_t k = 0; k < ni + ne; k++) {
      const ctype_t *cc = &b->d->types.data[x->kind == EX_COMPONENT ? x->ty : top->ty];
      const cext_t *e = k < ni ? &cc->imports.data[k] : &cc->exports.data[k - ni];
      cext_t named = *e;
      if (e->implements) named.name = e->implements;
      if (e->kind == EX_INSTANCE && strchr(named.name, '/') && register_import(b, &named) == UINT32_MAX) return false;
    }
  }
  return !b->a->oom || boom(b);
}

/* Moves the foreign placeholders in front (the layout of wit_upkg_t) and renumbers. */
static bool finish(bld_t *b) {
  wit_upkg_t *u = b->u;
  uint32_t nft = (uint32_t)b->ftypes.len, nfi = (uint32_t)b->fifaces.len;
#define TY(x) ((x) & FOREIGN_BIT ? (x) & ~FOREIGN_BIT : (x) + nft)
#define IF(x) ((x) & FOREIGN_BIT ? (x) & ~FOREIGN_BIT : (x) + nfi)
#define VT(t) \
  do { \
    if ((t).tag == WELD_WIT_T_ID) (t).id = TY((t).id); \
  } while (0)
  size_t nt = nft + u->types.len, ni = nfi + u->interfaces.len;
  weld_wit_typedef_t *types = wit_alloc(b->a, (nt + 1) * sizeof *types);
  wit_span_t *spans = wit_alloc(b->a, (nt + 1) * sizeof *spans);
  wit_span_t **cspans = wit_zalloc(b->a, (nt + 1) * sizeof *cspans);
  wit_uiface_t *ifaces = wit_alloc(b->a, (ni + 1) * sizeof *ifaces);
  if (!types || !spans || !cspans || !ifaces) return boom(b);
  wit_copy(types, b->ftypes.data, nft * sizeof *types);
  wit_copy(types + nft, u->types.data, u->types.len * sizeof *types);
  wit_copy(spans, b->fspans.data, nft * sizeof *spans);
  wit_copy(spans + nft, u->type_spans.data, u->type_spans.len * sizeof *spans);
  wit_copy(ifaces, b->fifaces.data, nfi * sizeof *ifaces);
  wit_copy(ifaces + nfi, u->interfaces.data, u->interfaces.len * sizeof *ifaces);
  for (size_t i = 0; i < nt; i++) {
    weld_wit_typedef_t *td = &types[i];
    if (td->owner_kind == WELD_WIT_OWNER_INTERFACE) td->owner = IF(td->owner);
    if (i < nft) continue;
    VT(td->a);
    VT(td->b);
    for (size_t k = 0; k < td->cases.len; k++) VT(td->cases.data[k].type);
  }
  for (size_t i = 0; i < ni; i++) {
    weld_wit_interface_t *in = &ifaces[i].i;
    for (size_t k = 0; k < in->types.len; k++) in->types.data[k].id = TY(in->types.data[k].id);
    for (size_t k = 0; k < in->funcs.len; k++) {
      weld_wit_func_t *f = &in->funcs.data[k];
      if (f->resource != WELD_WIT_NONE) f->resource = TY(f->resource);
      for (size_t p = 0; p < f->params.len; p++) VT(f->params.data[p].type);
      VT(f->result);
    }
  }
  for (size_t w = 0; w < u->worlds.len; w++)
    for (int dir = 0; dir < 2; dir++) {
      weld_wit_world_t *wd = &u->worlds.data[w].w;
      size_t n = dir ? wd->exports.len : wd->imports.len;
      for (size_t k = 0; k < n; k++) {
        weld_wit_world_item_t *it = dir ? &wd->exports.data[k] : &wd->imports.data[k];
        if (it->key_interface != WELD_WIT_NONE) it->key_interface = IF(it->key_interface);
        if (it->kind == WELD_WIT_ITEM_INTERFACE) it->id = IF(it->id);
        else if (it->kind == WELD_WIT_ITEM_TYPE) it->id = TY(it->id);
        else {
          weld_wit_func_t *f = &it->func;
          if (f->resource != WELD_WIT_NONE) f->resource = TY(f->resource);
          for (size_t p = 0; p < f->params.len; p++) VT(f->params.data[p].type);
          VT(f->result);
        }
      }
    }
  for (size_t i = 0; i < u->required_resources.len; i++)
    u->required_resources.data[i].id = TY(u->required_resources.data[i].id);
#undef TY
#undef IF
#undef VT
  u->types.data = types;
  u->types.len = u->types.cap = nt;
  u->type_spans.data = spans;
  u->type_spans.len = u->type_spans.cap = nt;
  u->case_spans.data = cspans;
  u->case_spans.len = u->case_spans.cap = nt;
  u->interfaces.data = ifaces;
  u->interfaces.len = u->interfaces.cap = ni;
  u->n_foreign_types = nft;
  u->n_foreign_ifaces = nfi;
  u->n_foreign_worlds = 0;
  return true;
}

static bool build(dec_t *d, wit_upkg_t *u, const wit_pkg_name_t *pn, bool stub, const wit_json_t *meta) {
  bld_t b;
  memset(&b, 0, sizeof b);
  b.d = d;
  b.a = d->a;
  b.u = u;
  b.pkg = *pn;
  b.stub = stub;
  b.meta = meta;
  b.tmap = wit_alloc(&d->tmp, (d->types.len + 1) * sizeof *b.tmap);
  if (!b.tmap) return doom(d);
  for (size_t i = 0; i <= d->types.len; i++) b.tmap[i] = TMAP_NONE;
  memset(u, 0, sizeof *u);
  u->name = *pn;
  u->sm = d->sm;
  u->from_binary = true;
  u->ungated = true;
  u->stub = stub;
  if (!stub) u->docs = jtext(&b, jget(meta, "docs"));
  bool ok = !d->err && (stub ? build_stub(&b) : build_main(&b));
  if (ok && d->exports.len) u->name_span = span_at(&b, d->exports.data[0].off);
  ok = ok && finish(&b);
  if (!ok && !d->err) d->err = base_error("%s: internal error while decoding WIT", d->path);
  return ok;
}

/* Names of the foreign packages of the main package, for their stubs. */
static bool stub_names(dec_t *d, const wit_upkg_t *main_, wit_pkg_name_t **out, size_t *n) {
  *out = wit_alloc(&d->tmp, (main_->foreign.len + 1) * sizeof **out);
  if (!*out) return doom(d);
  for (size_t i = 0; i < main_->foreign.len; i++) (*out)[i] = main_->foreign.data[i].name;
  *n = main_->foreign.len;
  return true;
}

/* A core module's `component-type*` custom section (what `wit-bindgen` and `jco embed`
 * write): its payload, found by a scan of the module's sections. */
static bool find_component_type(const uint8_t *bytes, size_t len, const uint8_t **payload, size_t *plen,
                                size_t *poff, size_t *count) {
  base_reader_t r;
  base_reader_init(&r, bytes + 8, len - 8, 8);
  *count = 0;
  while (!base_reader_eof(&r)) {
    uint8_t id;
    uint32_t size;
    const uint8_t *sec;
    if (!base_read_u8(&r, &id) || !base_read_u32(&r, &size) || !base_read_bytes(&r, size, &sec)) return false;
    if (id != 0) continue;
    base_reader_t s;
    base_reader_init(&s, sec, size, 0);
    const uint8_t *nm;
    uint32_t nlen;
    if (!base_read_name(&s, &nm, &nlen)) return false;
    if (nlen >= 14 && !memcmp(nm, "component-type", 14) && (*count)++ == 0) {
      *payload = s.p;
      *plen = base_reader_left(&s);
      *poff = (size_t)(s.p - bytes);
    }
  }
  return true;
}

weld_error_t *wit_decode_wasm(weld_wit_t *wit, const char *path, const uint8_t *bytes, size_t len, wit_upkg_t **out,
                              size_t *n) {
  static const uint8_t core[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  if (bytes && len >= 8 && !memcmp(bytes, core, 8)) {
    const uint8_t *payload = NULL;
    size_t plen = 0, poff = 0, count = 0;
    if (!find_component_type(bytes, len, &payload, &plen, &poff, &count))
      return base_error("%s: malformed core module", path ? path : "<wasm>");
    if (!count) return base_error("%s: a core module without a `component-type` custom section has no WIT", path ? path : "<wasm>");
    if (count > 1)
      return base_error("%s: the module has %zu `component-type` custom sections; merging them is not supported",
                        path ? path : "<wasm>", count);
    if (plen < 4 || memcmp(payload, core, 4))
      return base_error("%s: the `component-type` custom section is in an old format (version %u), not supported",
                        path ? path : "<wasm>", plen ? payload[0] : 0);
    char *sub = wit_sprintf(&wit->arena, "%s (component-type section at byte %zu)", path ? path : "<wasm>", poff);
    if (!sub) return base_error_oom();
    return wit_decode_wasm(wit, sub, payload, plen, out, n);
  }
  dec_t d;
  memset(&d, 0, sizeof d);
  d.wit = wit;
  d.a = &wit->arena;
  d.path = path ? path : "<wasm>";
  *out = NULL;
  *n = 0;
  if (len > WELD_MAX_COMPONENT_BYTES) return base_error("%s: binary too large", d.path);
  wit_srcmap_t *sm = wit_zalloc(d.a, sizeof *sm);
  if (!sm || !wit_srcmap_add_binary(d.a, sm, d.path, bytes ? bytes : (const uint8_t *)"", len, NULL))
    return base_error_oom();
  d.sm = sm;
  d.base = sm->files.data[0].offset;
  static const uint8_t magic[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  if (len < 8 || memcmp(bytes, magic, 4)) {
    dfail(&d, 0, "not a WebAssembly binary");
  } else if (memcmp(bytes, magic, 8)) {
    dfail(&d, 4, "not a component of a supported version (expected version 0x0d, layer 1)");
  } else {
    rd_component(&d, bytes, len);
  }
  wit_upkg_t *pkgs = NULL;
  size_t npkgs = 0;
  const wit_json_t *meta = NULL;
  if (!d.err && d.docs) {
    const char *why;
    size_t at;
    if (d.docs_len == 0 || (d.docs[0] != 0 && d.docs[0] != 1))
      dfail(&d, d.docs_off, "unsupported package-docs version %d", d.docs_len ? d.docs[0] : -1);
    else if (!(meta = wit_json_parse(&d.tmp, d.docs + 1, d.docs_len - 1, &why, &at)))
      dfail(&d, d.docs_off + 1 + at, "package-docs: %s", why);
  }
  if (!d.err) {
    /* the package name, from the first item (or the metadata of an empty package) */
    bld_t nb;
    memset(&nb, 0, sizeof nb);
    nb.d = &d;
    nb.a = d.a;
    wit_pkg_name_t pn;
    const char *iname;
    bool named = false;
    if (d.exports.len) {
      const cext_t *x = item_of(&nb, &d.exports.data[0]);
      named = x && parse_iface_id(&nb, x->name, x->off, &pn, &iname);
    } else {
      const wit_json_t *pj = wit_json_get(meta, "package");
      const char *at = pj && pj->kind == WIT_J_STR ? strchr(pj->s, '@') : NULL;
      char *id = !pj || pj->kind != WIT_J_STR ? NULL
                 : at                         ? wit_sprintf(d.a, "%.*s/x%s", (int)(at - pj->s), pj->s, at)
                                              : wit_sprintf(d.a, "%s/x", pj->s);
      if (!id) dfail(&d, 8, "not a WIT package: the component exports no types");
      else named = parse_iface_id(&nb, id, (uint32_t)d.docs_off, &pn, &iname);
    }
    if (named) {
      wit_upkg_t main_;
      if (build(&d, &main_, &pn, false, meta)) {
        wit_pkg_name_t *names;
        size_t nn;
        if (stub_names(&d, &main_, &names, &nn)) {
          pkgs = wit_alloc(d.a, (nn + 1) * sizeof *pkgs);
          if (!pkgs) doom(&d);
          else pkgs[npkgs++] = main_;
          for (size_t i = 0; i < nn && !d.err; i++)
            if (build(&d, &pkgs[npkgs], &names[i], true, NULL)) npkgs++;
        }
      }
    }
  }
  wit_arena_free(&d.tmp);
  if (d.err) return d.err;
  if (wit->arena.oom) return base_error_oom();
  *out = pkgs;
  *n = npkgs;
  return NULL;
}
