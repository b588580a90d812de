/* cwat_types.c — types of the component text format (component-model Explainer.md "Type
 * definitions", Binary.md `type`, `defvaltype`, `functype`, `componenttype`,
 * `instancetype`, `resourcetype`, `core:type`, `core:moduletype`, `externdesc`).
 *
 * Inline types (a `(list u8)` in a parameter, a `(func (param ...))` in an import) are
 * defined as their own type just before the definition that uses them, innermost first:
 * each type is walked twice, once to define its inline children (cw_kids_t collects
 * their indices) and once to encode it, resolving the other references then (so that an
 * automatic outer alias lands after the children, as in wasm-tools).
 *
 * Core module types: a function type written inline in an import or export is defined
 * just before that declarator unless an explicit `(type (func ...))` declarator with the
 * same signature came earlier (the latest such one is used); inline ones are never
 * shared. */
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include "text/cwat.h"
#include "text/numbers.h"
#include "text/wat_internal.h"
#include <string.h>

static const struct {
  const char *kw;
  uint8_t b;
} prims[] = {
    {"bool", 0x7f}, {"s8", 0x7e},  {"u8", 0x7d},      {"s16", 0x7c},     {"u16", 0x7b},  {"s32", 0x7a},
    {"u32", 0x79},  {"s64", 0x78}, {"u64", 0x77},     {"f32", 0x76},     {"f64", 0x75},  {"float32", 0x76},
    {"float64", 0x75}, {"char", 0x74}, {"string", 0x73}, {"error-context", 0x64},
};

bool text_cw_primitive(const text_sx_t *x, uint8_t *b) {
  if (x->kind != SX_ATOM) return false;
  for (size_t k = 0; k < sizeof prims / sizeof prims[0]; k++)
    if (cw_is_kw(x, prims[k].kw)) {
      *b = prims[k].b;
      return true;
    }
  return false;
}

static const char *const defined_kws[] = {"record", "variant", "list", "tuple", "flags", "enum", "option",
                                          "result", "own", "borrow", "stream", "future", "map"};

static bool is_defined_form(const text_sx_t *x) {
  if (x->kind != SX_LIST || x->nitems == 0) return false;
  for (size_t k = 0; k < sizeof defined_kws / sizeof defined_kws[0]; k++)
    if (cw_is_kw(&x->items[0], defined_kws[k])) return true;
  return false;
}

static weld_error_t *enter(cw_t *c, const text_sx_t *at) {
  if (c->depth >= WELD_MAX_CWAT_NESTING) return text_error(c->doc, at, "nesting too deep (limit %u)", WELD_MAX_CWAT_NESTING);
  c->depth++;
  return NULL;
}

static weld_error_t *define_defvaltype(cw_t *c, const text_sx_t *x, const text_sx_t *id, uint32_t *index);

/* ---- value types ----------------------------------------------------------------------------- */

static weld_error_t *valtype_expand(cw_t *c, const text_sx_t *x, cw_kids_t *k) {
  if (x->kind != SX_LIST) return NULL;
  uint32_t idx;
  if (!is_defined_form(x)) return NULL; /* reported by valtype_encode */
  weld_error_t *err = define_defvaltype(c, x, NULL, &idx);
  if (!err && !VEC_PUSH(&k->v, idx)) err = base_error_oom();
  return err;
}

static weld_error_t *valtype_encode(cw_t *c, const text_sx_t *x, cw_kids_t *k, base_buf_t *out) {
  uint8_t b;
  if (text_cw_primitive(x, &b)) {
    base_buf_byte(out, b);
    return NULL;
  }
  uint32_t idx;
  if (x->kind == SX_LIST) {
    if (!is_defined_form(x)) return text_error(c->doc, x, "unexpected token: expected a value type");
    if (k->next >= k->v.len) return text_error(c->doc, x, "internal error: inline type not defined");
    idx = k->v.data[k->next++];
  } else if (x->kind == SX_ID || (x->kind == SX_ATOM && x->len && x->text[0] >= '0' && x->text[0] <= '9')) {
    weld_error_t *err = text_cw_resolve(c, CN_TYPE, x, &idx);
    if (err) return err;
  } else {
    return text_error(c->doc, x, "unexpected token %.*s: expected a value type", CW_TOK(x));
  }
  base_buf_s64leb(out, (int64_t)idx);
  return NULL;
}

weld_error_t *text_cw_valtype(cw_t *c, const text_sx_t *x, base_buf_t *out) {
  cw_kids_t k = {{0}, 0};
  weld_error_t *err = valtype_expand(c, x, &k);
  if (!err) err = valtype_encode(c, x, &k, out);
  VEC_FREE(&k.v);
  return err;
}

/* ---- defined value types ---------------------------------------------------------------------- */

static bool is_error_form(const text_sx_t *x) { return cw_is_form(x, "error"); }

static weld_error_t *defvaltype_expand(cw_t *c, const text_sx_t *x, cw_kids_t *k) {
  const text_sx_t *kw = &x->items[0];
  weld_error_t *err = NULL;
  if (cw_is_kw(kw, "record")) {
    for (uint32_t i = 1; i < x->nitems && !err; i++) {
      const text_sx_t *f = &x->items[i];
      if (cw_is_form(f, "field") && f->nitems == 3) err = valtype_expand(c, &f->items[2], k);
    }
  } else if (cw_is_kw(kw, "variant")) {
    for (uint32_t i = 1; i < x->nitems && !err; i++) {
      const text_sx_t *f = &x->items[i];
      if (!cw_is_form(f, "case")) continue;
      uint32_t j = 1;
      cw_opt_id(f, &j);
      j++; /* name */
      if (j < f->nitems && !cw_is_form(&f->items[j], "refines")) err = valtype_expand(c, &f->items[j], k);
    }
  } else if (cw_is_kw(kw, "list") || cw_is_kw(kw, "option") || cw_is_kw(kw, "stream") || cw_is_kw(kw, "future")) {
    if (x->nitems >= 2) err = valtype_expand(c, &x->items[1], k);
  } else if (cw_is_kw(kw, "tuple") || cw_is_kw(kw, "map")) {
    for (uint32_t i = 1; i < x->nitems && !err; i++) err = valtype_expand(c, &x->items[i], k);
  } else if (cw_is_kw(kw, "result")) {
    for (uint32_t i = 1; i < x->nitems && !err; i++) {
      const text_sx_t *y = &x->items[i];
      if (is_error_form(y)) {
        if (y->nitems == 2) err = valtype_expand(c, &y->items[1], k);
      } else {
        err = valtype_expand(c, y, k);
      }
    }
  }
  return err;
}

static weld_error_t *label(cw_t *c, const text_sx_t *x, base_buf_t *out) {
  if (x->kind != SX_STRING) return text_error(c->doc, x, "unexpected token: expected a string");
  return text_cw_name(c, x, out);
}

static weld_error_t *count_ok(cw_t *c, const text_sx_t *x, uint32_t n) {
  if (n > WELD_MAX_RECORD_FIELDS) return text_error(c->doc, x, "too many fields, cases or labels (limit %u)", WELD_MAX_RECORD_FIELDS);
  return NULL;
}

static weld_error_t *defvaltype_encode(cw_t *c, const text_sx_t *x, cw_kids_t *k, base_buf_t *out) {
  const text_sx_t *kw = &x->items[0];
  weld_error_t *err = NULL;
  uint32_t n = x->nitems - 1;
  if (cw_is_kw(kw, "record")) {
    if ((err = count_ok(c, x, n))) return err;
    base_buf_byte(out, 0x72);
    base_buf_u32leb(out, n);
    for (uint32_t i = 1; i < x->nitems && !err; i++) {
      const text_sx_t *f = &x->items[i];
      if (!cw_is_form(f, "field") || f->nitems != 3) return text_error(c->doc, f, "unexpected token: expected (field \"name\" <valtype>)");
      if (!(err = label(c, &f->items[1], out))) err = valtype_encode(c, &f->items[2], k, out);
    }
    return err;
  }
  if (cw_is_kw(kw, "variant")) {
    if ((err = count_ok(c, x, n))) return err;
    text_space_t case_ids = {0};
    base_buf_byte(out, 0x71);
    base_buf_u32leb(out, n);
    for (uint32_t i = 1; i < x->nitems && !err; i++) {
      const text_sx_t *f = &x->items[i];
      if (!cw_is_form(f, "case")) {
        err = text_error(c->doc, f, "unexpected token: expected (case \"name\" <valtype>?)");
        break;
      }
      uint32_t j = 1;
      const text_sx_t *id = cw_opt_id(f, &j);
      if (id && (err = text_space_bind_id(&case_ids, c->doc, id, i - 1, "variant case identifier"))) break;
      if (j >= f->nitems) {
        err = text_error(c->doc, f, "unexpected end: expected the case name");
        break;
      }
      if ((err = label(c, &f->items[j++], out))) break;
      if (j < f->nitems && !cw_is_form(&f->items[j], "refines")) {
        base_buf_byte(out, 0x01);
        if ((err = valtype_encode(c, &f->items[j++], k, out))) break;
      } else {
        base_buf_byte(out, 0x00);
      }
      if (j < f->nitems && cw_is_form(&f->items[j], "refines")) {
        err = text_error(c->doc, &f->items[j], "not supported: variant case refinements (removed from the component model)");
        break;
      }
      if (j < f->nitems) {
        err = text_error(c->doc, &f->items[j], "unexpected token %.*s", CW_TOK(&f->items[j]));
        break;
      }
      base_buf_byte(out, 0x00);
    }
    text_space_free(&case_ids);
    return err;
  }
  if (cw_is_kw(kw, "list")) {
    if (x->nitems != 2 && x->nitems != 3) return text_error(c->doc, x, "unexpected token: expected (list <valtype> <length>?)");
    uint32_t len = 0;
    if (x->nitems == 3 && (x->items[2].kind != SX_ATOM || text_parse_u32(x->items[2].text, x->items[2].len, &len))) {
      const text_sx_t *l = &x->items[2];
      if (l->kind == SX_ATOM && l->len && l->text[0] >= '0' && l->text[0] <= '9')
        return text_error(c->doc, l, "list length out of range: %.*s", CW_TOK(l));
      return text_error(c->doc, l, "unexpected token: expected a list length");
    }
    base_buf_byte(out, x->nitems == 3 ? 0x67 : 0x70);
    if ((err = valtype_encode(c, &x->items[1], k, out))) return err;
    if (x->nitems == 3) base_buf_u32leb(out, len);
    return NULL;
  }
  if (cw_is_kw(kw, "tuple")) {
    if ((err = count_ok(c, x, n))) return err;
    base_buf_byte(out, 0x6f);
    base_buf_u32leb(out, n);
    for (uint32_t i = 1; i < x->nitems && !err; i++) err = valtype_encode(c, &x->items[i], k, out);
    return err;
  }
  if (cw_is_kw(kw, "flags") || cw_is_kw(kw, "enum")) {
    if ((err = count_ok(c, x, n))) return err;
    base_buf_byte(out, cw_is_kw(kw, "flags") ? 0x6e : 0x6d);
    base_buf_u32leb(out, n);
    for (uint32_t i = 1; i < x->nitems && !err; i++) err = label(c, &x->items[i], out);
    return err;
  }
  if (cw_is_kw(kw, "option")) {
    if (x->nitems != 2) return text_error(c->doc, x, "unexpected token: expected (option <valtype>)");
    base_buf_byte(out, 0x6b);
    return valtype_encode(c, &x->items[1], k, out);
  }
  if (cw_is_kw(kw, "result")) {
    uint32_t i = 1;
    base_buf_byte(out, 0x6a);
    if (i < x->nitems && !is_error_form(&x->items[i])) {
      base_buf_byte(out, 0x01);
      if ((err = valtype_encode(c, &x->items[i++], k, out))) return err;
    } else {
      base_buf_byte(out, 0x00);
    }
    if (i < x->nitems && is_error_form(&x->items[i])) {
      const text_sx_t *e = &x->items[i++];
      if (e->nitems != 2) return text_error(c->doc, e, "unexpected token: expected (error <valtype>)");
      base_buf_byte(out, 0x01);
      if ((err = valtype_encode(c, &e->items[1], k, out))) return err;
    } else {
      base_buf_byte(out, 0x00);
    }
    return text_cw_expect_end(c, x, i);
  }
  if (cw_is_kw(kw, "own") || cw_is_kw(kw, "borrow")) {
    if (x->nitems != 2) return text_error(c->doc, x, "unexpected token: expected (%.*s <type index>)", CW_TOK(kw));
    uint32_t idx;
    if ((err = text_cw_resolve(c, CN_TYPE, &x->items[1], &idx))) return err;
    base_buf_byte(out, cw_is_kw(kw, "own") ? 0x69 : 0x68);
    base_buf_u32leb(out, idx);
    return NULL;
  }
  if (cw_is_kw(kw, "stream") || cw_is_kw(kw, "future")) {
    if (x->nitems > 2) return text_error(c->doc, &x->items[2], "unexpected token %.*s", CW_TOK(&x->items[2]));
    base_buf_byte(out, cw_is_kw(kw, "stream") ? 0x66 : 0x65);
    if (x->nitems == 1) {
      base_buf_byte(out, 0x00);
      return NULL;
    }
    base_buf_byte(out, 0x01);
    return valtype_encode(c, &x->items[1], k, out);
  }
  if (cw_is_kw(kw, "map")) {
    if (x->nitems != 3) return text_error(c->doc, x, "unexpected token: expected (map <key type> <value type>)");
    base_buf_byte(out, 0x63);
    if ((err = valtype_encode(c, &x->items[1], k, out))) return err;
    return valtype_encode(c, &x->items[2], k, out);
  }
  return text_error(c->doc, x, "unexpected token: expected a value type");
}

/* ---- function types -------------------------------------------------------------------------- */

static uint32_t func_async_at(const text_sx_t *items, uint32_t i, uint32_t n) {
  return i < n && cw_is_kw(&items[i], "async") ? i + 1 : i;
}

static weld_error_t *functype_expand(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n, cw_kids_t *k) {
  weld_error_t *err = NULL;
  for (i = func_async_at(items, i, n); i < n && !err; i++) {
    const text_sx_t *p = &items[i];
    if (cw_is_form(p, "param") && p->nitems == 3) err = valtype_expand(c, &p->items[2], k);
    else if (cw_is_form(p, "result") && p->nitems == 2) err = valtype_expand(c, &p->items[1], k);
    else break;
  }
  return err;
}

/* Encodes items[*i..): stops at the first item that is not a param or result. */
static weld_error_t *functype_encode(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t *i, uint32_t n,
                                     cw_kids_t *k, base_buf_t *out) {
  weld_error_t *err = NULL;
  bool async = *i < n && cw_is_kw(&items[*i], "async");
  if (async) (*i)++;
  uint32_t np = 0;
  while (*i + np < n && cw_is_form(&items[*i + np], "param")) np++;
  if (np > WELD_MAX_RECORD_FIELDS) return text_error(c->doc, at, "too many parameters");
  base_buf_byte(out, async ? 0x43 : 0x40);
  base_buf_u32leb(out, np);
  for (uint32_t k2 = 0; k2 < np && !err; k2++, (*i)++) {
    const text_sx_t *p = &items[*i];
    if (p->nitems != 3 || p->items[1].kind != SX_STRING)
      return text_error(c->doc, p, "unexpected token: expected (param \"name\" <valtype>)");
    if (!(err = label(c, &p->items[1], out))) err = valtype_encode(c, &p->items[2], k, out);
  }
  if (err) return err;
  if (*i < n && cw_is_form(&items[*i], "result")) {
    const text_sx_t *r = &items[*i];
    if (r->nitems != 2) return text_error(c->doc, r, "unexpected token: expected (result <valtype>) (one unnamed result)");
    base_buf_byte(out, 0x00);
    if ((err = valtype_encode(c, &r->items[1], k, out))) return err;
    (*i)++;
    if (*i < n && cw_is_form(&items[*i], "result"))
      return text_error(c->doc, &items[*i], "unexpected token: a function has at most one result");
  } else {
    base_buf_byte(out, 0x01);
    base_buf_byte(out, 0x00);
  }
  if (*i < n && cw_is_form(&items[*i], "param")) return text_error(c->doc, &items[*i], "unexpected token: param after result");
  return NULL;
}

/* ---- type definitions ------------------------------------------------------------------------- */

static weld_error_t *decls(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n);

/* The bytes of a component or instance type whose declarators are items[i..n). */
static weld_error_t *scoped_type(cw_t *c, cw_scope_kind_t kind, const text_sx_t *scope_id, const text_sx_t *at,
                                 const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  weld_error_t *err = text_cw_push(c, kind, scope_id, at);
  if (err) return err;
  err = decls(c, items, i, n);
  if (!err) {
    cw_scope_t *s = c->scope;
    base_buf_byte(out, kind == CS_COMPONENT_TYPE ? 0x41 : 0x42);
    base_buf_u32leb(out, s->ndecls);
    base_buf_bytes(out, s->out.data, s->out.len);
    if (s->out.oom) err = base_error_oom();
  }
  text_cw_pop(c);
  return err;
}

static weld_error_t *emit_type(cw_t *c, const text_sx_t *id, const text_sx_t *at, base_buf_t *b, uint32_t *index) {
  weld_error_t *err = b->oom ? base_error_oom() : text_cw_emit(c, CI_TYPE, b, at);
  if (!err) err = text_cw_bind(c, CN_TYPE, id, at, index);
  return err;
}

static weld_error_t *define_defvaltype(cw_t *c, const text_sx_t *x, const text_sx_t *id, uint32_t *index) {
  weld_error_t *err = enter(c, x);
  if (err) return err;
  cw_kids_t k = {{0}, 0};
  base_buf_t b = {0};
  err = defvaltype_expand(c, x, &k);
  if (!err) err = defvaltype_encode(c, x, &k, &b);
  if (!err) err = emit_type(c, id, x, &b, index);
  base_buf_free(&b);
  VEC_FREE(&k.v);
  c->depth--;
  return err;
}

/* A func type from items[*i..n) (params and results); *i advances past them. */
static weld_error_t *define_functype(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t *i, uint32_t n,
                                     const text_sx_t *id, uint32_t *index) {
  weld_error_t *err = enter(c, at);
  if (err) return err;
  cw_kids_t k = {{0}, 0};
  base_buf_t b = {0};
  err = functype_expand(c, items, *i, n, &k);
  if (!err) err = functype_encode(c, at, items, i, n, &k, &b);
  if (!err) err = emit_type(c, id, at, &b, index);
  base_buf_free(&b);
  VEC_FREE(&k.v);
  c->depth--;
  return err;
}

static weld_error_t *define_scoped(cw_t *c, cw_scope_kind_t kind, const text_sx_t *at, const text_sx_t *items,
                                   uint32_t i, uint32_t n, const text_sx_t *id, uint32_t *index) {
  base_buf_t b = {0};
  weld_error_t *err = scoped_type(c, kind, id, at, items, i, n, &b);
  if (!err) err = emit_type(c, id, at, &b, index);
  base_buf_free(&b);
  return err;
}

/* (resource (rep i32) (dtor <func>)?) */
static weld_error_t *define_resource(cw_t *c, const text_sx_t *x, const text_sx_t *id, uint32_t *index) {
  if (x->nitems < 2 || !cw_is_form(&x->items[1], "rep") || x->items[1].nitems != 2)
    return text_error(c->doc, cw_at(x, 1), "unexpected token: expected (rep i32)");
  uint8_t rep;
  if (text_wat_valtype(&x->items[1].items[1], &rep))
    return text_error(c->doc, &x->items[1].items[1], "unexpected token: expected a core value type");
  base_buf_t b = {0};
  base_buf_byte(&b, 0x3f);
  base_buf_byte(&b, rep);
  weld_error_t *err = NULL;
  uint32_t i = 2;
  if (i < x->nitems && cw_is_form(&x->items[i], "dtor")) {
    const text_sx_t *d = &x->items[i++];
    uint32_t f;
    if (d->nitems != 2) err = text_error(c->doc, d, "unexpected token: expected (dtor <core func>)");
    else if (!(err = text_cw_index_or_core_ref(c, CN_CORE_FUNC, &d->items[1], &f))) {
      base_buf_byte(&b, 0x01);
      base_buf_u32leb(&b, f);
    }
  } else {
    base_buf_byte(&b, 0x00);
  }
  if (!err) err = text_cw_expect_end(c, x, i);
  if (!err) err = emit_type(c, id, x, &b, index);
  base_buf_free(&b);
  return err;
}

/* A type definition node (the item after `type $id? (export ...)*`). */
static weld_error_t *define_typedef(cw_t *c, const text_sx_t *d, const text_sx_t *id, uint32_t *index) {
  uint8_t b;
  if (text_cw_primitive(d, &b)) {
    base_buf_t buf = {0};
    base_buf_byte(&buf, b);
    weld_error_t *err = emit_type(c, id, d, &buf, index);
    base_buf_free(&buf);
    return err;
  }
  if (d->kind != SX_LIST || d->nitems == 0)
    return text_error(c->doc, d, "unexpected token %.*s: expected a type definition", CW_TOK(d));
  const text_sx_t *kw = &d->items[0];
  if (cw_is_kw(kw, "func")) {
    uint32_t i = 1;
    weld_error_t *err = define_functype(c, d, d->items, &i, d->nitems, id, index);
    if (!err && i < d->nitems) err = text_error(c->doc, &d->items[i], "unexpected token %.*s", CW_TOK(&d->items[i]));
    return err;
  }
  if (cw_is_kw(kw, "component") || cw_is_kw(kw, "instance")) {
    weld_error_t *err = enter(c, d);
    if (err) return err;
    err = define_scoped(c, cw_is_kw(kw, "component") ? CS_COMPONENT_TYPE : CS_INSTANCE_TYPE, d, d->items, 1, d->nitems,
                        id, index);
    c->depth--;
    return err;
  }
  if (cw_is_kw(kw, "resource")) return define_resource(c, d, id, index);
  if (is_defined_form(d)) return define_defvaltype(c, d, id, index);
  return text_error(c->doc, kw, "unexpected token %.*s: expected a type definition", CW_TOK(kw));
}

weld_error_t *text_cw_type_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first_export = i;
  while (i < x->nitems && text_cw_is_inline_export(&x->items[i])) i++;
  if (i > first_export && c->scope->kind != CS_COMPONENT)
    return text_error(c->doc, &x->items[first_export], "unexpected token: inline exports are only allowed in a component");
  if (i + 1 != x->nitems) return text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected one type definition");
  uint32_t idx;
  weld_error_t *err = define_typedef(c, &x->items[i], id, &idx);
  for (uint32_t k = first_export; k < i && !err; k++) {
    cw_tail_export_t t = {&x->items[k], CN_TYPE, idx};
    if (!VEC_PUSH(&c->scope->tail, t)) err = base_error_oom();
  }
  return err;
}

/* ---- type uses ---------------------------------------------------------------------------------- */

/* `(type idx "name"*)` as a reference (not a type definition declarator). */
static bool is_type_ref(const text_sx_t *x) {
  if (!cw_is_form(x, "type") || x->nitems < 2) return false;
  const text_sx_t *y = &x->items[1];
  if (!(y->kind == SX_ID || (y->kind == SX_ATOM && y->len && y->text[0] >= '0' && y->text[0] <= '9'))) return false;
  return x->nitems == 2 || x->items[2].kind == SX_STRING;
}

weld_error_t *text_cw_typeuse(cw_t *c, cw_ns_t what, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                              uint32_t n, uint32_t *index) {
  if (*i < n && is_type_ref(&items[*i])) {
    const text_sx_t *t = &items[(*i)++];
    return text_cw_ref_tail(c, CN_TYPE, t, t->items, 1, t->nitems, index);
  }
  if (what == CN_FUNC) return define_functype(c, at, items, i, n, NULL, index);
  weld_error_t *err = enter(c, at);
  if (err) return err;
  err = define_scoped(c, what == CN_COMPONENT ? CS_COMPONENT_TYPE : CS_INSTANCE_TYPE, at, items, *i, n, NULL, index);
  c->depth--;
  *i = n;
  return err;
}

/* ---- core types ----------------------------------------------------------------------------------- */

/* `(param $id? t*)* (result t*)*` of a core function type to 0x60 vec vec. */
static weld_error_t *core_functype(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  base_buf_t p = {0}, r = {0};
  uint32_t np = 0, nr = 0;
  weld_error_t *err = NULL;
  for (; i < n && !err; i++) {
    const text_sx_t *x = &items[i];
    bool is_param = cw_is_form(x, "param"), is_result = cw_is_form(x, "result");
    if (!is_param && !is_result) {
      err = text_error(c->doc, x, "unexpected token %.*s in a core function type", CW_TOK(x));
      break;
    }
    if (is_param && nr) {
      err = text_error(c->doc, x, "unexpected token: param after result");
      break;
    }
    uint32_t k = 1;
    const text_sx_t *id = cw_opt_id(x, &k);
    if (id && (is_result || x->nitems != 3)) {
      err = text_error(c->doc, id, "unexpected token: only a parameter with one type can be named");
      break;
    }
    for (; k < x->nitems; k++) {
      uint8_t t;
      if (text_wat_valtype(&x->items[k], &t)) {
        wat_t w;
        memset(&w, 0, sizeof w);
        w.doc = c->doc;
        err = text_wat_type_error(&w, &x->items[k], "a core value type");
        break;
      }
      if (np + nr >= WELD_MAX_FUNC_PARAMS * 64) {
        err = text_error(c->doc, x, "too many parameters or results");
        break;
      }
      base_buf_byte(is_param ? &p : &r, t);
      if (is_param) np++;
      else nr++;
    }
  }
  if (!err) {
    base_buf_byte(out, 0x60);
    base_buf_u32leb(out, np);
    base_buf_bytes(out, p.data, p.len);
    base_buf_u32leb(out, nr);
    base_buf_bytes(out, r.data, r.len);
    if (p.oom || r.oom) err = base_error_oom();
  }
  base_buf_free(&p);
  base_buf_free(&r);
  return err;
}

/* A core type definition node (func or, in a component scope, module). */
static weld_error_t *core_typedef(cw_t *c, const text_sx_t *d, const text_sx_t *id, base_buf_t *out, bool *is_func);

static weld_error_t *emit_core_type(cw_t *c, const text_sx_t *id, const text_sx_t *at, const base_buf_t *b,
                                    uint32_t *index) {
  weld_error_t *err = b->oom ? base_error_oom() : text_cw_emit(c, CI_CORE_TYPE, b, at);
  if (!err) err = text_cw_bind(c, CN_CORE_TYPE, id, at, index);
  return err;
}

/* Module-type signature table: the latest explicit func type with these bytes (a hash
 * over the encoded signatures; entries refer to them by offset). */
static uint64_t sig_hash(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (size_t k = 0; k < n; k++) h = (h ^ p[k]) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

static bool sig_eq(const cw_scope_t *s, uint32_t e, const base_buf_t *b) {
  return s->sig_len.data[e] == b->len && memcmp(s->sig_bytes.data + s->sig_off.data[e], b->data, b->len) == 0;
}

/* The slot of b's signature: its entry, or the empty slot where it goes. */
static size_t sig_slot(const cw_scope_t *s, const base_buf_t *b) {
  size_t j = sig_hash(b->data, b->len) & (s->sig_cap - 1);
  while (s->sig_slots[j] && !sig_eq(s, s->sig_slots[j] - 1, b)) j = (j + 1) & (s->sig_cap - 1);
  return j;
}

static int sig_grow(cw_scope_t *s) {
  size_t ncap = s->sig_cap ? s->sig_cap * 2 : 64;
  uint32_t *ns = base_calloc(ncap, sizeof(uint32_t));
  if (!ns) return -1;
  for (size_t k = 0; k < s->sig_cap; k++) {
    uint32_t v = s->sig_slots[k];
    if (!v) continue;
    size_t j = sig_hash(s->sig_bytes.data + s->sig_off.data[v - 1], s->sig_len.data[v - 1]) & (ncap - 1);
    while (ns[j]) j = (j + 1) & (ncap - 1);
    ns[j] = v;
  }
  base_free(s->sig_slots, s->sig_cap * sizeof(uint32_t));
  s->sig_slots = ns;
  s->sig_cap = ncap;
  return 0;
}

static weld_error_t *sig_record(cw_t *c, const base_buf_t *b, uint32_t idx) {
  cw_scope_t *s = c->scope;
  if ((s->sig_off.len + 1) * 2 > s->sig_cap && sig_grow(s)) return base_error_oom();
  size_t j = sig_slot(s, b);
  if (s->sig_slots[j]) {
    s->sig_idx.data[s->sig_slots[j] - 1] = idx; /* the latest explicit type wins */
    return NULL;
  }
  if (s->sig_bytes.len + b->len > WELD_MAX_COMPONENT_TYPE_MEM) return text_error(c->doc, NULL, "module type too large");
  uint32_t off = (uint32_t)s->sig_bytes.len;
  if (!VEC_RESERVE(&s->sig_bytes, b->len)) return base_error_oom();
  memcpy(s->sig_bytes.data + s->sig_bytes.len, b->data, b->len);
  s->sig_bytes.len += b->len;
  if (!VEC_PUSH(&s->sig_off, off) || !VEC_PUSH(&s->sig_len, (uint32_t)b->len) || !VEC_PUSH(&s->sig_idx, idx))
    return base_error_oom();
  s->sig_slots[j] = (uint32_t)s->sig_off.len;
  return NULL;
}

static bool sig_lookup(cw_scope_t *s, const base_buf_t *b, uint32_t *idx) {
  if (!s->sig_cap) return false;
  size_t j = sig_slot(s, b);
  if (!s->sig_slots[j]) return false;
  *idx = s->sig_idx.data[s->sig_slots[j] - 1];
  return true;
}

/* A core type use in a module type: `(type $t)` (inline params then ignored) or inline
 * params/results; writes the type index. */
static weld_error_t *module_func_typeuse(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t i, uint32_t n,
                                         base_buf_t *out) {
  uint32_t idx;
  weld_error_t *err;
  if (i < n && cw_is_form(&items[i], "type")) {
    const text_sx_t *t = &items[i];
    if (t->nitems != 2) return text_error(c->doc, t, "unexpected token: expected (type <index>)");
    if ((err = text_cw_resolve(c, CN_CORE_TYPE, &t->items[1], &idx))) return err;
    base_buf_t ignore = {0};
    err = core_functype(c, items, i + 1, n, &ignore); /* checked, not used */
    base_buf_free(&ignore);
    if (err) return err;
  } else {
    base_buf_t b = {0};
    err = core_functype(c, items, i, n, &b);
    if (!err && !sig_lookup(c->scope, &b, &idx)) err = emit_core_type(c, NULL, at, &b, &idx);
    base_buf_free(&b);
    if (err) return err;
  }
  base_buf_u32leb(out, idx);
  return NULL;
}

/* A core import description (func, table, memory, global, tag) in a module type. */
static weld_error_t *core_importdesc(cw_t *c, const text_sx_t *d, base_buf_t *out) {
  if (d->kind != SX_LIST || d->nitems == 0) return text_error(c->doc, d, "unexpected token: expected an import description");
  const text_sx_t *kw = &d->items[0];
  uint32_t i = 1;
  cw_opt_id(d, &i);
  cw_skip_annotations(d, &i);
  weld_error_t *err = NULL;
  wat_t w;
  memset(&w, 0, sizeof w);
  w.doc = c->doc;
  if (cw_is_kw(kw, "func")) {
    base_buf_byte(out, 0x00);
    return module_func_typeuse(c, d, d->items, i, d->nitems, out);
  }
  if (cw_is_kw(kw, "tag")) {
    base_buf_byte(out, 0x04);
    base_buf_byte(out, 0x00);
    return module_func_typeuse(c, d, d->items, i, d->nitems, out);
  }
  if (cw_is_kw(kw, "memory")) {
    base_buf_byte(out, 0x02);
    err = text_wat_memtype(&w, d, d->items, d->nitems, &i, out);
  } else if (cw_is_kw(kw, "table")) {
    base_buf_t lim = {0};
    uint8_t rt;
    err = text_wat_tablelimits(&w, d, d->items, d->nitems, &i, &lim);
    if (!err && i >= d->nitems) err = text_error(c->doc, d, "unexpected end: expected a reference type");
    else if (!err && text_wat_reftype(&d->items[i], &rt)) err = text_wat_type_error(&w, &d->items[i], "a reference type");
    if (!err) {
      i++;
      base_buf_byte(out, 0x01);
      base_buf_byte(out, rt);
      base_buf_bytes(out, lim.data, lim.len);
    }
    base_buf_free(&lim);
  } else if (cw_is_kw(kw, "global")) {
    uint8_t t;
    const text_sx_t *g = cw_at(d, i);
    bool mut = cw_is_form(g, "mut");
    if (i >= d->nitems || (mut && g->nitems != 2)) return text_error(c->doc, g, "unexpected token: expected a global type");
    if (text_wat_valtype(mut ? &g->items[1] : g, &t)) return text_wat_type_error(&w, mut ? &g->items[1] : g, "a global type");
    i++;
    base_buf_byte(out, 0x03);
    base_buf_byte(out, t);
    base_buf_byte(out, mut ? 1 : 0);
  } else {
    return text_error(c->doc, kw, "unexpected token %.*s: expected func, table, memory, global or tag", CW_TOK(kw));
  }
  if (!err) err = text_cw_expect_end(c, d, i);
  return err;
}

/* One declarator of a core module type. */
static weld_error_t *module_decl(cw_t *c, const text_sx_t *x) {
  if (x->kind != SX_LIST || x->nitems == 0) return text_error(c->doc, x, "unexpected token: expected a module type declarator");
  const text_sx_t *kw = &x->items[0];
  weld_error_t *err = NULL;
  if (cw_is_kw(kw, "type")) {
    uint32_t i = 1;
    const text_sx_t *id = cw_opt_id(x, &i);
    cw_skip_annotations(x, &i);
    if (i + 1 != x->nitems) return text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected one type definition");
    base_buf_t b = {0};
    bool is_func = false;
    uint32_t idx;
    err = core_typedef(c, &x->items[i], id, &b, &is_func);
    if (!err) err = emit_core_type(c, id, x, &b, &idx);
    if (!err && is_func) err = sig_record(c, &b, idx);
    base_buf_free(&b);
    return err;
  }
  if (cw_is_kw(kw, "alias")) return text_cw_alias_field(c, x);
  if (cw_is_kw(kw, "import") || cw_is_kw(kw, "export")) {
    bool imp = cw_is_kw(kw, "import");
    uint32_t nn = imp ? 2 : 1;
    if (x->nitems != nn + 2) return text_error(c->doc, x, "unexpected token: expected (%s%s <description>)", imp ? "import \"module\" \"name\"" : "export \"name\"", "");
    base_buf_t b = {0};
    for (uint32_t k = 1; k <= nn && !err; k++) err = label(c, &x->items[k], &b);
    if (!err) err = core_importdesc(c, &x->items[nn + 1], &b);
    if (!err) err = b.oom ? base_error_oom() : text_cw_emit(c, imp ? CI_IMPORT : CI_EXPORT, &b, x);
    base_buf_free(&b);
    return err;
  }
  if (cw_is_kw(kw, "rec")) return text_error(c->doc, kw, "not supported: recursion groups (GC proposal)");
  return text_error(c->doc, kw, "unexpected token %.*s: expected type, alias, import or export", CW_TOK(kw));
}

static weld_error_t *core_typedef(cw_t *c, const text_sx_t *d, const text_sx_t *id, base_buf_t *out, bool *is_func) {
  if (d->kind != SX_LIST || d->nitems == 0) return text_error(c->doc, d, "unexpected token: expected a core type definition");
  const text_sx_t *kw = &d->items[0];
  if (cw_is_kw(kw, "func")) {
    *is_func = true;
    return core_functype(c, d->items, 1, d->nitems, out);
  }
  if (cw_is_kw(kw, "module")) {
    if (c->scope->kind == CS_MODULE_TYPE) return text_error(c->doc, kw, "unexpected token: a module type inside a module type");
    weld_error_t *err = enter(c, d);
    if (err) return err;
    if (!(err = text_cw_push(c, CS_MODULE_TYPE, id, d))) {
      for (uint32_t i = 1; i < d->nitems && !err; i++) err = module_decl(c, &d->items[i]);
      if (!err) {
        base_buf_byte(out, 0x50);
        base_buf_u32leb(out, c->scope->ndecls);
        base_buf_bytes(out, c->scope->out.data, c->scope->out.len);
        if (c->scope->out.oom) err = base_error_oom();
      }
      text_cw_pop(c);
    }
    c->depth--;
    return err;
  }
  if (cw_is_kw(kw, "struct") || cw_is_kw(kw, "array") || cw_is_kw(kw, "sub") || cw_is_kw(kw, "shared"))
    return text_error(c->doc, kw, "not supported: GC core types");
  return text_error(c->doc, kw, "unexpected token %.*s: expected (func ...) or (module ...)", CW_TOK(kw));
}

weld_error_t *text_cw_core_type_field(cw_t *c, const text_sx_t *x) {
  /* (core type $id? def) */
  uint32_t i = 2;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  if (i + 1 != x->nitems) return text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected one core type definition");
  base_buf_t b = {0};
  bool is_func = false;
  weld_error_t *err = core_typedef(c, &x->items[i], id, &b, &is_func);
  if (!err) err = emit_core_type(c, id, x, &b, NULL);
  base_buf_free(&b);
  return err;
}

weld_error_t *text_cw_core_module_typeuse(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                                          uint32_t n, uint32_t *index) {
  if (*i < n && is_type_ref(&items[*i])) {
    const text_sx_t *t = &items[(*i)++];
    if (t->nitems != 2) return text_error(c->doc, t, "unexpected token: expected (type <core type index>)");
    return text_cw_resolve(c, CN_CORE_TYPE, &t->items[1], index);
  }
  weld_error_t *err = enter(c, at);
  if (err) return err;
  if (!(err = text_cw_push(c, CS_MODULE_TYPE, NULL, at))) {
    base_buf_t b = {0};
    for (; *i < n && !err; (*i)++) err = module_decl(c, &items[*i]);
    if (!err) {
      base_buf_byte(&b, 0x50);
      base_buf_u32leb(&b, c->scope->ndecls);
      base_buf_bytes(&b, c->scope->out.data, c->scope->out.len);
      if (c->scope->out.oom) err = base_error_oom();
    }
    text_cw_pop(c);
    if (!err) err = emit_core_type(c, NULL, at, &b, index);
    base_buf_free(&b);
  }
  c->depth--;
  return err;
}

/* ---- component and instance type declarators ------------------------------------------------------ */

static weld_error_t *decl(cw_t *c, const text_sx_t *x) {
  if (x->kind != SX_LIST || x->nitems == 0) return text_error(c->doc, x, "unexpected token: expected a type declarator");
  const text_sx_t *kw = &x->items[0];
  if (cw_is_kw(kw, "core")) {
    if (x->nitems >= 2 && cw_is_kw(&x->items[1], "type")) return text_cw_core_type_field(c, x);
    return text_error(c->doc, x, "unexpected token: expected (core type ...)");
  }
  if (cw_is_kw(kw, "type")) return text_cw_type_field(c, x);
  if (cw_is_kw(kw, "alias")) return text_cw_alias_field(c, x);
  bool imp = cw_is_kw(kw, "import");
  if (imp && c->scope->kind == CS_INSTANCE_TYPE) return text_error(c->doc, kw, "unexpected token: an instance type has no imports");
  if (imp || cw_is_kw(kw, "export")) {
    uint32_t i = 1;
    base_buf_t b = {0};
    weld_error_t *err = text_cw_extern_name(c, x, &i, &b);
    cw_ns_t ns = CN_FUNC;
    const text_sx_t *id = NULL;
    if (!err && i + 1 != x->nitems) err = text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected one item description");
    if (!err) err = text_cw_externdesc(c, &x->items[i], &b, &ns, &id);
    if (!err) err = b.oom ? base_error_oom() : text_cw_emit(c, imp ? CI_IMPORT : CI_EXPORT, &b, x);
    if (!err) err = text_cw_bind(c, ns, id, x, NULL);
    base_buf_free(&b);
    return err;
  }
  return text_error(c->doc, kw, "unexpected token %.*s: expected a type declarator", CW_TOK(kw));
}

static weld_error_t *decls(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n) {
  weld_error_t *err = NULL;
  for (; i < n && !err; i++) err = decl(c, &items[i]);
  return err;
}

/* ---- extern descriptions --------------------------------------------------------------------------- */

weld_error_t *text_cw_externdesc(cw_t *c, const text_sx_t *x, base_buf_t *out, cw_ns_t *ns, const text_sx_t **id) {
  if (x->kind != SX_LIST || x->nitems == 0) return text_error(c->doc, x, "unexpected token: expected an item description");
  uint32_t i = 0;
  int s = text_cw_sort_kw(x->items, x->nitems, &i, true);
  if (s < 0 || (s <= CN_CORE_INSTANCE && s != CN_CORE_MODULE))
    return text_error(c->doc, x, "unexpected token: expected func, component, instance, value, type or core module");
  *ns = (cw_ns_t)s;
  *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t idx = 0;
  weld_error_t *err = NULL;
  switch (s) {
  case CN_CORE_MODULE:
    if (!(err = text_cw_core_module_typeuse(c, x, x->items, &i, x->nitems, &idx))) {
      base_buf_byte(out, 0x00);
      base_buf_byte(out, 0x11);
      base_buf_u32leb(out, idx);
    }
    break;
  case CN_FUNC:
  case CN_COMPONENT:
  case CN_INSTANCE:
    if (!(err = text_cw_typeuse(c, (cw_ns_t)s, x, x->items, &i, x->nitems, &idx))) {
      base_buf_byte(out, s == CN_FUNC ? 0x01 : s == CN_COMPONENT ? 0x04 : 0x05);
      base_buf_u32leb(out, idx);
    }
    break;
  case CN_VALUE: { /* 0x02 valtype (as wasm-tools writes it; the `eq` bound is not used) */
    if (i >= x->nitems) return text_error(c->doc, x, "unexpected end: expected a value type");
    const text_sx_t *t = &x->items[i++];
    base_buf_byte(out, 0x02);
    if (is_type_ref(t)) {
      if (!(err = text_cw_ref_tail(c, CN_TYPE, t, t->items, 1, t->nitems, &idx))) base_buf_s64leb(out, (int64_t)idx);
    } else if (t->kind == SX_ID || (t->kind == SX_ATOM && !text_cw_primitive(t, (uint8_t[1]){0}))) {
      return text_error(c->doc, t, "unexpected token: expected a value type (write (type $t) for a type index)");
    } else {
      err = text_cw_valtype(c, t, out);
    }
    break;
  }
  case CN_TYPE: {
    if (i >= x->nitems) return text_error(c->doc, x, "unexpected end: expected (eq <type>) or (sub resource)");
    const text_sx_t *t = &x->items[i++];
    base_buf_byte(out, 0x03);
    if (cw_is_form(t, "eq") && t->nitems == 2) {
      if (!(err = text_cw_resolve(c, CN_TYPE, &t->items[1], &idx))) {
        base_buf_byte(out, 0x00);
        base_buf_u32leb(out, idx);
      }
    } else if (cw_is_form(t, "sub") && t->nitems == 2 && cw_is_kw(&t->items[1], "resource")) {
      base_buf_byte(out, 0x01);
    } else {
      return text_error(c->doc, t, "unexpected token: expected (eq <type>) or (sub resource)");
    }
    break;
  }
  default:
    return text_error(c->doc, x, "unexpected token: expected an item description");
  }
  if (!err) err = text_cw_expect_end(c, x, i);
  return err;
}
