/* cwat.c — components of the text format to the component binary format (component-model
 * design/mvp/Explainer.md "Component definitions", "Import and export definitions",
 * "Start definitions"; Binary.md preamble, sections, `import`, `export`, `start`).
 *
 *   (component $id? field*)              a component (`definition` after `component` is
 *                                        the script form and is accepted too)
 *   (component $id? binary "..."*)       bytes verbatim
 *   (component $id? quote "..."*)        the concatenated text, parsed as the fields
 *
 * Fields are encoded in textual order; see cwat.h for how abbreviations expand.  This file
 * holds the section writer, the field loop, nested core modules (the core text encoder of
 * wat*.c) and components, imports, exports, `func`/`core func` forms and `start`. */
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include "text/cwat.h"
#include "text/wat.h"
#include <stdio.h>
#include <string.h>

#define MAX_QUOTE_DEPTH 4

static const uint8_t preamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};

/* ---- scopes and output ---------------------------------------------------------------------- */

weld_error_t *text_cw_push(cw_t *c, cw_scope_kind_t kind, const text_sx_t *id, const text_sx_t *at) {
  if (c->depth >= WELD_MAX_CWAT_NESTING) return text_error(c->doc, at, "nesting too deep (limit %u)", WELD_MAX_CWAT_NESTING);
  cw_scope_t *s = base_calloc(1, sizeof *s);
  if (!s) return base_error_oom();
  s->kind = kind;
  s->id = id;
  s->parent = c->scope;
  c->scope = s;
  c->depth++;
  return NULL;
}

void text_cw_pop(cw_t *c) {
  cw_scope_t *s = c->scope;
  if (!s) return;
  c->scope = s->parent;
  c->depth--;
  for (int k = 0; k < CN_COUNT; k++) text_space_free(&s->names[k]);
  base_buf_free(&s->out);
  base_buf_free(&s->sec);
  VEC_FREE(&s->tail);
  VEC_FREE(&s->sig_bytes);
  VEC_FREE(&s->sig_off);
  VEC_FREE(&s->sig_len);
  VEC_FREE(&s->sig_idx);
  base_free(s->sig_slots, s->sig_cap * sizeof(uint32_t));
  base_free(s, sizeof *s);
}

static void put_section(base_buf_t *out, uint8_t id, const uint8_t *body, size_t len) {
  base_buf_byte(out, id);
  base_buf_u32leb(out, (uint32_t)len);
  base_buf_bytes(out, body, len);
}

static weld_error_t *flush(cw_t *c) {
  cw_scope_t *s = c->scope;
  if (!s->sec_id) return NULL;
  base_buf_t body = {0};
  base_buf_u32leb(&body, s->sec_n);
  base_buf_bytes(&body, s->sec.data, s->sec.len);
  weld_error_t *err = NULL;
  if (body.oom || s->sec.oom) err = base_error_oom();
  else if (body.len > WELD_MAX_COMPONENT_BYTES) err = base_error("component section too large");
  else put_section(&s->out, (uint8_t)s->sec_id, body.data, body.len);
  base_buf_free(&body);
  s->sec.len = 0;
  s->sec_n = 0;
  s->sec_id = 0;
  return err;
}

weld_error_t *text_cw_emit(cw_t *c, cw_item_t item, const base_buf_t *bytes, const text_sx_t *at) {
  cw_scope_t *s = c->scope;
  if (bytes->oom) return base_error_oom();
  if (s->kind != CS_COMPONENT) {
    int tag = -1;
    if (s->kind == CS_MODULE_TYPE) {
      tag = item == CI_IMPORT ? 0x00 : item == CI_CORE_TYPE ? 0x01 : item == CI_ALIAS ? 0x02 : item == CI_EXPORT ? 0x03 : -1;
    } else {
      tag = item == CI_CORE_TYPE ? 0x00 : item == CI_TYPE ? 0x01 : item == CI_ALIAS ? 0x02 : item == CI_EXPORT ? 0x04 : -1;
      if (item == CI_IMPORT && s->kind == CS_COMPONENT_TYPE) tag = 0x03;
    }
    if (tag < 0) return text_error(c->doc, at, "unexpected token: this definition is not allowed in a type");
    if (s->ndecls >= WELD_MAX_COMPONENT_DECLS) return text_error(c->doc, at, "too many declarators in one type");
    base_buf_byte(&s->out, (uint8_t)tag);
    base_buf_bytes(&s->out, bytes->data, bytes->len);
    s->ndecls++;
    if (s->out.len > WELD_MAX_COMPONENT_TYPE_MEM) return text_error(c->doc, at, "type too large");
    return s->out.oom ? base_error_oom() : NULL;
  }
  if (s->ndecls >= WELD_MAX_COMPONENT_ITEMS) return text_error(c->doc, at, "too many definitions in one component");
  s->ndecls++;
  weld_error_t *err = NULL;
  if (item == CI_CORE_MODULE || item == CI_COMPONENT || item == CI_START) {
    if ((err = flush(c))) return err;
    put_section(&s->out, (uint8_t)item, bytes->data, bytes->len);
  } else {
    if (s->sec_id != (int)item && (err = flush(c))) return err;
    s->sec_id = (int)item;
    base_buf_bytes(&s->sec, bytes->data, bytes->len);
    s->sec_n++;
  }
  if (s->out.len + s->sec.len > WELD_MAX_COMPONENT_BYTES) return text_error(c->doc, at, "component too large");
  return s->out.oom || s->sec.oom ? base_error_oom() : NULL;
}

/* ---- names ------------------------------------------------------------------------------------ */

weld_error_t *text_cw_name(cw_t *c, const text_sx_t *x, base_buf_t *out) {
  if (x->kind != SX_STRING) return text_error(c->doc, x, "unexpected token: expected a string");
  if (!base_utf8_valid(x->str, x->str_len)) return text_error(c->doc, x, "malformed UTF-8 encoding in name");
  if (x->str_len > WELD_MAX_NAME_BYTES) return text_error(c->doc, x, "name too long");
  base_buf_u32leb(out, x->str_len);
  base_buf_bytes(out, x->str, x->str_len);
  return NULL;
}

weld_error_t *text_cw_extern_name(cw_t *c, const text_sx_t *x, uint32_t *i, base_buf_t *out) {
  const text_sx_t *n = cw_at(x, *i);
  if (*i >= x->nitems) return text_error(c->doc, x, "unexpected end: expected a name");
  if (cw_is_form(n, "interface")) { /* older spelling of an interface name */
    if (n->nitems != 2) return text_error(c->doc, n, "unexpected token: expected (interface \"name\")");
    n = &n->items[1];
  }
  if (n->kind != SX_STRING) return text_error(c->doc, n, "unexpected token: expected a name string");
  (*i)++;
  /* name options (Binary.md importname' 0x02): implements, versionsuffix, external-id */
  static const char *const opts[] = {"implements", "versionsuffix", "external-id"};
  uint32_t first = *i, nopts = 0;
  for (; *i < x->nitems; (*i)++, nopts++) {
    const text_sx_t *o = &x->items[*i];
    int k = -1;
    for (int j = 0; j < 3; j++)
      if (cw_is_form(o, opts[j])) k = j;
    if (k < 0) break;
    if (o->nitems != 2 || o->items[1].kind != SX_STRING)
      return text_error(c->doc, o, "unexpected token: expected (%s \"...\")", opts[k]);
  }
  base_buf_byte(out, nopts ? 0x02 : 0x00);
  weld_error_t *err = text_cw_name(c, n, out);
  if (nopts) base_buf_u32leb(out, nopts);
  for (uint32_t k = first; k < *i && !err; k++) {
    const text_sx_t *o = &x->items[k];
    base_buf_byte(out, cw_is_form(o, "implements") ? 0x00 : cw_is_form(o, "versionsuffix") ? 0x01 : 0x02);
    err = text_cw_name(c, &o->items[1], out);
  }
  return err;
}

bool text_cw_is_inline_export(const text_sx_t *x) {
  return cw_is_form(x, "export") && x->nitems == 2 && x->items[1].kind == SX_STRING;
}

bool text_cw_is_inline_import(const text_sx_t *x) {
  if (!cw_is_form(x, "import") || x->nitems != 2) return false;
  return x->items[1].kind == SX_STRING || cw_is_form(&x->items[1], "interface");
}

weld_error_t *text_cw_expect_end(cw_t *c, const text_sx_t *x, uint32_t i) {
  if (i < x->nitems) return text_error(c->doc, &x->items[i], "unexpected token %.*s", CW_TOK(&x->items[i]));
  return NULL;
}

/* ---- fields ----------------------------------------------------------------------------------- */

static weld_error_t *add_tail(cw_t *c, const text_sx_t *x, uint32_t first, uint32_t end, cw_ns_t ns, uint32_t idx) {
  for (uint32_t k = first; k < end; k++) {
    cw_tail_export_t t = {&x->items[k], ns, idx};
    if (!VEC_PUSH(&c->scope->tail, t)) return base_error_oom();
  }
  return NULL;
}

/* Skips inline exports from *i; returns the index of the first one. */
static uint32_t skip_exports(const text_sx_t *x, uint32_t *i) {
  uint32_t first = *i;
  while (*i < x->nitems && text_cw_is_inline_export(&x->items[*i])) (*i)++;
  return first;
}

/* An import of the item described by items[i..n) of x (a sort form such as
 * `(func $f (import "n") ...)`), named by the inline import node imp. */
static weld_error_t *inline_import(cw_t *c, const text_sx_t *x, cw_ns_t ns, const text_sx_t *id, const text_sx_t *imp,
                                   uint32_t i, uint32_t *index) {
  uint32_t ty = 0;
  weld_error_t *err;
  if (ns == CN_CORE_MODULE) err = text_cw_core_module_typeuse(c, x, x->items, &i, x->nitems, &ty);
  else err = text_cw_typeuse(c, ns, x, x->items, &i, x->nitems, &ty);
  if (!err) err = text_cw_expect_end(c, x, i);
  if (err) return err;
  base_buf_t b = {0};
  uint32_t j = 1;
  err = text_cw_extern_name(c, imp, &j, &b);
  if (!err) err = text_cw_expect_end(c, imp, j);
  if (!err) {
    if (ns == CN_CORE_MODULE) {
      base_buf_byte(&b, 0x00);
      base_buf_byte(&b, 0x11);
    } else {
      base_buf_byte(&b, ns == CN_FUNC ? 0x01 : ns == CN_COMPONENT ? 0x04 : 0x05);
    }
    base_buf_u32leb(&b, ty);
    err = text_cw_emit(c, CI_IMPORT, &b, x);
  }
  base_buf_free(&b);
  if (!err) err = text_cw_bind(c, ns, id, x, index);
  return err;
}

static weld_error_t *import_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1;
  base_buf_t b = {0};
  weld_error_t *err = text_cw_extern_name(c, x, &i, &b);
  cw_ns_t ns = CN_FUNC;
  const text_sx_t *id = NULL;
  if (!err && i + 1 != x->nitems) err = text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected one item description");
  if (!err) err = text_cw_externdesc(c, &x->items[i], &b, &ns, &id);
  if (!err) err = text_cw_emit(c, CI_IMPORT, &b, x);
  if (!err) err = text_cw_bind(c, ns, id, x, NULL);
  base_buf_free(&b);
  return err;
}

/* (export $id? "name" (implements ...)? <item ref> <externdesc>?) */
static weld_error_t *export_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  base_buf_t b = {0};
  weld_error_t *err = text_cw_extern_name(c, x, &i, &b);
  if (!err && (i >= x->nitems || i + 2 < x->nitems))
    err = text_error(c->doc, cw_at(x, i + 2), "unexpected token: expected (export \"name\" <item> <type>?)");
  base_buf_t asc = {0};
  cw_ns_t ns = CN_FUNC, ans;
  const text_sx_t *aid;
  uint32_t idx;
  if (!err && i + 1 < x->nitems) err = text_cw_externdesc(c, &x->items[i + 1], &asc, &ans, &aid);
  if (!err) err = text_cw_any_ref(c, &x->items[i], &ns, &idx);
  if (!err && ns <= CN_CORE_INSTANCE && ns != CN_CORE_MODULE)
    err = text_error(c->doc, &x->items[i], "unexpected token: only core modules can be exported from a component");
  if (!err) {
    text_cw_sort(ns, &b);
    base_buf_u32leb(&b, idx);
    if (asc.len) {
      base_buf_byte(&b, 0x01);
      base_buf_bytes(&b, asc.data, asc.len);
    } else {
      base_buf_byte(&b, 0x00);
    }
    err = text_cw_emit(c, CI_EXPORT, &b, x);
  }
  if (!err) err = text_cw_bind(c, ns, id, x, NULL);
  base_buf_free(&b);
  base_buf_free(&asc);
  return err;
}

static weld_error_t *tail_export(cw_t *c, const cw_tail_export_t *t) {
  base_buf_t b = {0};
  uint32_t j = 1;
  weld_error_t *err = text_cw_extern_name(c, t->name, &j, &b);
  if (!err) {
    text_cw_sort(t->ns, &b);
    base_buf_u32leb(&b, t->index);
    base_buf_byte(&b, 0x00);
    err = text_cw_emit(c, CI_EXPORT, &b, t->name);
  }
  if (!err) err = text_cw_bind(c, t->ns, NULL, t->name, NULL);
  base_buf_free(&b);
  return err;
}

/* (start $f (value $v)* (result (value $id?))*) */
static weld_error_t *start_field(cw_t *c, const text_sx_t *x) {
  if (c->scope->has_start) return text_error(c->doc, x, "multiple start sections found");
  c->scope->has_start = true;
  if (x->nitems < 2) return text_error(c->doc, x, "unexpected end: expected a function index");
  uint32_t f, v;
  weld_error_t *err = text_cw_resolve(c, CN_FUNC, &x->items[1], &f);
  if (err) return err;
  uint32_t i = 2, nargs = 0;
  base_buf_t args = {0};
  for (; i < x->nitems && !cw_is_form(&x->items[i], "result") && !err; i++, nargs++)
    if (!(err = text_cw_ref(c, CN_VALUE, &x->items[i], false, &v))) base_buf_u32leb(&args, v);
  uint32_t first_result = i;
  for (; i < x->nitems && !err; i++) {
    const text_sx_t *r = &x->items[i];
    if (!cw_is_form(r, "result") || r->nitems != 2 || !cw_is_form(&r->items[1], "value"))
      err = text_error(c->doc, r, "unexpected token: expected (result (value $id?))");
  }
  base_buf_t b = {0};
  if (!err) {
    base_buf_u32leb(&b, f);
    base_buf_u32leb(&b, nargs);
    base_buf_bytes(&b, args.data, args.len);
    base_buf_u32leb(&b, x->nitems - first_result);
    err = text_cw_emit(c, CI_START, &b, x);
  }
  for (i = first_result; i < x->nitems && !err; i++) {
    const text_sx_t *val = &x->items[i].items[1];
    uint32_t j = 1;
    const text_sx_t *id = cw_opt_id(val, &j);
    if (!(err = text_cw_expect_end(c, val, j))) err = text_cw_bind(c, CN_VALUE, id, val, NULL);
  }
  base_buf_free(&args);
  base_buf_free(&b);
  return err;
}

/* (func $id? (export "x")* ( (import "n") <typeuse> | (alias export $i "n") | <typeuse> (canon lift ...) )) */
static weld_error_t *func_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1, idx;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first = skip_exports(x, &i), end = i;
  weld_error_t *err;
  if (i < x->nitems && text_cw_is_inline_import(&x->items[i])) {
    err = inline_import(c, x, CN_FUNC, id, &x->items[i], i + 1, &idx);
  } else if (i < x->nitems && cw_is_form(&x->items[i], "alias")) {
    if ((err = text_cw_expect_end(c, x, i + 1))) return err;
    err = text_cw_inline_alias(c, CN_FUNC, id, &x->items[i]);
    idx = c->scope->count[CN_FUNC] - 1;
  } else {
    err = text_cw_func_lift(c, x, i, id, &idx);
  }
  if (!err) err = add_tail(c, x, first, end, CN_FUNC, idx);
  return err;
}

/* (core func $id? (canon ...) | (alias core export $i "n")) */
static weld_error_t *core_func_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 2;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  if (i + 1 != x->nitems) return text_error(c->doc, cw_at(x, i + 1), "unexpected token: expected (canon ...) or (alias ...)");
  const text_sx_t *d = &x->items[i];
  if (cw_is_form(d, "canon")) return text_cw_core_func_canon(c, d, id);
  if (cw_is_form(d, "alias")) return text_cw_inline_alias(c, CN_CORE_FUNC, id, d);
  return text_error(c->doc, d, "unexpected token: expected (canon ...) or (alias core export ...)");
}

static weld_error_t *encode_component(cw_t *c, const text_sx_t *x, uint32_t i, const text_sx_t *id, base_buf_t *out);

/* (core module $id? (export "x")* ( (import "n") <typeuse> | field* )) */
static weld_error_t *core_module_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 2, idx;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first = skip_exports(x, &i), end = i;
  weld_error_t *err;
  if (i < x->nitems && text_cw_is_inline_import(&x->items[i])) {
    err = inline_import(c, x, CN_CORE_MODULE, id, &x->items[i], i + 1, &idx);
  } else {
    /* a `(module $id? rest...)` node over the same items for the core encoder */
    uint32_t n = 1 + (id ? 1 : 0) + (x->nitems - i);
    text_sx_t *items = base_alloc((size_t)n * sizeof(text_sx_t));
    if (!items) return base_error_oom();
    uint32_t k = 0;
    items[k++] = x->items[1];
    if (id) items[k++] = *id;
    memcpy(items + k, x->items + i, (size_t)(x->nitems - i) * sizeof(text_sx_t));
    text_sx_t m = *x;
    m.items = items;
    m.nitems = n;
    base_buf_t b = {0};
    err = text_encode_module_flags(c->doc, &m, (c->flags & TEXT_CWAT_NO_NAMES) ? TEXT_WAT_NO_NAMES : 0, &b, NULL);
    base_free(items, (size_t)n * sizeof(text_sx_t));
    if (!err) err = text_cw_emit(c, CI_CORE_MODULE, &b, x);
    if (!err) err = text_cw_bind(c, CN_CORE_MODULE, id, x, &idx);
    base_buf_free(&b);
  }
  if (!err) err = add_tail(c, x, first, end, CN_CORE_MODULE, idx);
  return err;
}

/* (component $id? (export "x")* ( (import "n") <typeuse> | field* )) */
static weld_error_t *component_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1, idx;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first = skip_exports(x, &i), end = i;
  weld_error_t *err;
  if (i < x->nitems && text_cw_is_inline_import(&x->items[i])) {
    err = inline_import(c, x, CN_COMPONENT, id, &x->items[i], i + 1, &idx);
  } else {
    base_buf_t b = {0};
    err = encode_component(c, x, i, id, &b);
    if (!err) err = text_cw_emit(c, CI_COMPONENT, &b, x);
    if (!err) err = text_cw_bind(c, CN_COMPONENT, id, x, &idx);
    base_buf_free(&b);
  }
  if (!err) err = add_tail(c, x, first, end, CN_COMPONENT, idx);
  return err;
}

static weld_error_t *instance_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1, idx;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first = skip_exports(x, &i), end = i;
  if (i < x->nitems && text_cw_is_inline_import(&x->items[i])) {
    weld_error_t *err = inline_import(c, x, CN_INSTANCE, id, &x->items[i], i + 1, &idx);
    if (!err) err = add_tail(c, x, first, end, CN_INSTANCE, idx);
    return err;
  }
  return text_cw_instance_field(c, x);
}

static weld_error_t *field(cw_t *c, const text_sx_t *x) {
  if (x->kind != SX_LIST || x->nitems == 0 || x->items[0].kind != SX_ATOM)
    return text_error(c->doc, x, "unexpected token: expected a component field");
  const text_sx_t *kw = &x->items[0];
  if (cw_is_kw(kw, "core")) {
    const text_sx_t *k2 = cw_at(x, 1);
    if (x->nitems < 2) return text_error(c->doc, x, "unexpected end: expected module, instance, type or func after core");
    if (cw_is_kw(k2, "module")) return core_module_field(c, x);
    if (cw_is_kw(k2, "instance")) return text_cw_core_instance_field(c, x);
    if (cw_is_kw(k2, "type")) return text_cw_core_type_field(c, x);
    if (cw_is_kw(k2, "func")) return core_func_field(c, x);
    if (cw_is_kw(k2, "rec")) return text_error(c->doc, k2, "not supported: core recursion groups (GC proposal)");
    return text_error(c->doc, k2, "unexpected token %.*s: expected module, instance, type or func", CW_TOK(k2));
  }
  if (cw_is_kw(kw, "component")) return component_field(c, x);
  if (cw_is_kw(kw, "instance")) return instance_field(c, x);
  if (cw_is_kw(kw, "alias")) return text_cw_alias_field(c, x);
  if (cw_is_kw(kw, "type")) return text_cw_type_field(c, x);
  if (cw_is_kw(kw, "canon")) return text_cw_canon_field(c, x);
  if (cw_is_kw(kw, "func")) return func_field(c, x);
  if (cw_is_kw(kw, "import")) return import_field(c, x);
  if (cw_is_kw(kw, "export")) return export_field(c, x);
  if (cw_is_kw(kw, "start")) return start_field(c, x);
  if (kw->len > 1 && kw->text[0] == '@') return NULL; /* custom annotations: (@producers ...) etc. */
  if (cw_is_kw(kw, "value")) return text_error(c->doc, kw, "not supported: value definitions");
  return text_error(c->doc, kw, "unexpected token %.*s: expected a component field", CW_TOK(kw));
}

weld_error_t *text_cw_component_fields(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n) {
  weld_error_t *err = NULL;
  for (; i < n && !err; i++) err = field(c, &items[i]);
  return err;
}

/* The fields items[i..) of x as a component (preamble and sections) appended to out. */
static weld_error_t *encode_fields(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t i, uint32_t n,
                                   const text_sx_t *id, base_buf_t *out) {
  weld_error_t *err = text_cw_push(c, CS_COMPONENT, id, at);
  if (err) return err;
  err = text_cw_component_fields(c, items, i, n);
  for (size_t k = 0; !err && k < c->scope->tail.len; k++) {
    cw_tail_export_t t = c->scope->tail.data[k];
    err = tail_export(c, &t);
  }
  if (!err) err = flush(c);
  if (!err) {
    base_buf_bytes(out, preamble, sizeof preamble);
    base_buf_bytes(out, c->scope->out.data, c->scope->out.len);
    if (out->oom) err = base_error_oom();
  }
  text_cw_pop(c);
  return err;
}

static weld_error_t *encode_component(cw_t *c, const text_sx_t *x, uint32_t i, const text_sx_t *id, base_buf_t *out) {
  return encode_fields(c, x, x->items, i, x->nitems, id, out);
}

/* ---- component forms ------------------------------------------------------------------------ */

static weld_error_t *encode_top(const text_doc_t *doc, const text_sx_t *x, unsigned flags, uint32_t quote_depth,
                                base_buf_t *out, const text_sx_t **name_out) {
  if (name_out) *name_out = NULL;
  if (!text_sx_is_form(x, "component")) return text_error(doc, x, "unexpected token: expected (component ...)");
  uint32_t i = 1;
  if (i < x->nitems && text_sx_is_atom(&x->items[i], "definition")) i++;
  else if (i < x->nitems && text_sx_is_atom(&x->items[i], "instance"))
    return text_error(doc, &x->items[i], "unexpected token: (component instance ...) is a script command, not a component");
  const text_sx_t *id = cw_opt_id(x, &i);
  if (name_out) *name_out = id;
  cw_skip_annotations(x, &i);
  bool binary = i < x->nitems && text_sx_is_atom(&x->items[i], "binary");
  bool quote = i < x->nitems && text_sx_is_atom(&x->items[i], "quote");
  cw_t c;
  memset(&c, 0, sizeof c);
  c.doc = doc;
  c.flags = flags;
  c.quote_depth = quote_depth;
  if (!binary && !quote) return encode_fields(&c, x, x->items, i, x->nitems, id, out);
  base_buf_t bytes = {0};
  weld_error_t *err = text_sx_concat_strings(doc, x->items + i + 1, x->nitems - i - 1, &bytes);
  if (err) {
    base_buf_free(&bytes);
    return err;
  }
  if (binary) {
    base_buf_bytes(out, bytes.data, bytes.len);
    if (out->oom) err = base_error_oom();
  } else if (quote_depth >= MAX_QUOTE_DEPTH) {
    err = text_error(doc, x, "quoted components nested too deeply");
  } else {
    char fname[600];
    snprintf(fname, sizeof fname, "%.500s:%u:%u (quoted component)", doc->filename ? doc->filename : "<input>", x->line,
             x->col);
    text_doc_t *inner = NULL;
    err = text_parse_doc((const char *)bytes.data, bytes.len, fname, &inner);
    if (!err) {
      c.doc = inner;
      err = encode_fields(&c, NULL, inner->items, 0, inner->nitems, id, out);
    }
    text_doc_free(inner);
  }
  base_buf_free(&bytes);
  return err;
}

weld_error_t *text_encode_component_flags(const text_doc_t *doc, const text_sx_t *component, unsigned flags,
                                          base_buf_t *out, const text_sx_t **name_out) {
  size_t start = out->len;
  weld_error_t *err = encode_top(doc, component, flags, 0, out, name_out);
  if (err) out->len = start < out->len ? start : out->len;
  return err;
}

weld_error_t *text_encode_component(const text_doc_t *doc, const text_sx_t *component, base_buf_t *out,
                                    const text_sx_t **name_out) {
  return text_encode_component_flags(doc, component, TEXT_CWAT_LEGACY_INDICES, out, name_out);
}

weld_error_t *text_encode_wasm(const text_doc_t *doc, const text_sx_t *node, base_buf_t *out,
                               const text_sx_t **name_out) {
  if (text_sx_is_form(node, "component")) return text_encode_component(doc, node, out, name_out);
  return text_encode_module(doc, node, out, name_out);
}
