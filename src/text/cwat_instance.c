/* cwat_instance.c — instance definitions of the component text format (component-model
 * Explainer.md "Instance definitions", Binary.md `core:instance`, `instance`):
 *
 *   (core instance $id? (instantiate <module> (with "name" (instance <idx>))*))
 *   (core instance $id? (export "name" (<core sort> <idx> "name"?))*)
 *   (instance $id? (export "x")* (instantiate <component> (with "name" <item ref>)*))
 *   (instance $id? (export "x")* (export "name" <item ref>)*)
 *   (instance $id? (export "x")* (import "name") <instance type use>)   (in cwat.c)
 *
 * An argument `(with "name" (instance (export ...)*))` is an inline bundle: it is defined
 * as its own instance before the instantiation (all bundles first, then the references
 * of the instantiation itself are resolved). */
#include "base/limits.h"
#include "text/cwat.h"
#include <string.h>

/* `(instance <idx> "name"?)` (a reference) rather than an inline bundle. */
static bool is_instance_ref(const text_sx_t *x) {
  if (!cw_is_form(x, "instance") || x->nitems < 2) return false;
  const text_sx_t *y = &x->items[1];
  return y->kind == SX_ID || (y->kind == SX_ATOM && y->len && y->text[0] >= '0' && y->text[0] <= '9');
}

static weld_error_t *with_args_check(cw_t *c, const text_sx_t *inst, uint32_t i) {
  if (inst->nitems - i > WELD_MAX_INSTANTIATE_ARGS) return text_error(c->doc, inst, "too many instantiation arguments");
  for (uint32_t k = i; k < inst->nitems; k++) {
    const text_sx_t *w = &inst->items[k];
    if (!cw_is_form(w, "with") || w->nitems != 3 || w->items[1].kind != SX_STRING)
      return text_error(c->doc, w, "unexpected token: expected (with \"name\" <item>)");
  }
  return NULL;
}

/* ---- core instances ----------------------------------------------------------------------- */

/* Core exports items[i..n): `(export "name" (func $f))`; vec(core:inlineexport). */
static weld_error_t *core_exports(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  base_buf_u32leb(out, n - i);
  for (; i < n; i++) {
    const text_sx_t *e = &items[i];
    if (!cw_is_form(e, "export") || e->nitems != 3 || e->items[1].kind != SX_STRING)
      return text_error(c->doc, e, "unexpected token: expected (export \"name\" (<core sort> <index>))");
    const text_sx_t *r = &e->items[2];
    int s = r->kind == SX_LIST && r->nitems ? text_cw_core_sort_kw(&r->items[0]) : -1;
    if (s < 0 || s == CN_CORE_TYPE) return text_error(c->doc, r, "unexpected token: expected (func|table|memory|global|tag <index>)");
    uint32_t idx;
    weld_error_t *err = text_cw_name(c, &e->items[1], out);
    if (!err) err = text_cw_ref(c, (cw_ns_t)s, r, true, &idx);
    if (err) return err;
    base_buf_byte(out, text_cw_core_sort((cw_ns_t)s));
    base_buf_u32leb(out, idx);
  }
  return NULL;
}

static weld_error_t *emit_instance(cw_t *c, bool core, const text_sx_t *id, const text_sx_t *at, base_buf_t *b,
                                   uint32_t *index) {
  weld_error_t *err = b->oom ? base_error_oom() : text_cw_emit(c, core ? CI_CORE_INSTANCE : CI_INSTANCE, b, at);
  if (!err) err = text_cw_bind(c, core ? CN_CORE_INSTANCE : CN_INSTANCE, id, at, index);
  return err;
}

/* A bundle of core exports items[i..n) as a new core instance. */
static weld_error_t *core_bundle(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t i, uint32_t n,
                                 const text_sx_t *id, uint32_t *index) {
  base_buf_t b = {0};
  base_buf_byte(&b, 0x01);
  weld_error_t *err = core_exports(c, items, i, n, &b);
  if (!err) err = emit_instance(c, true, id, at, &b, index);
  base_buf_free(&b);
  return err;
}

weld_error_t *text_cw_core_instance_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 2;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  if (i < x->nitems && cw_is_form(&x->items[i], "instantiate")) {
    const text_sx_t *inst = &x->items[i];
    weld_error_t *err = text_cw_expect_end(c, x, i + 1);
    if (!err && inst->nitems < 2) err = text_error(c->doc, inst, "unexpected end: expected a module index");
    if (!err) err = with_args_check(c, inst, 2);
    if (err) return err;
    VEC(uint32_t) bundles = {0};
    for (uint32_t k = 2; k < inst->nitems && !err; k++) { /* inline bundles first */
      const text_sx_t *a = &inst->items[k].items[2];
      if (cw_is_form(a, "instance") && !is_instance_ref(a)) {
        uint32_t bi;
        if (!(err = core_bundle(c, a, a->items, 1, a->nitems, NULL, &bi)) && !VEC_PUSH(&bundles, bi)) err = base_error_oom();
      }
    }
    base_buf_t b = {0};
    uint32_t m, nb = 0;
    const text_sx_t *mref = &inst->items[1];
    if (!err) {
      if (cw_is_form(mref, "module")) err = text_cw_ref_tail(c, CN_CORE_MODULE, mref, mref->items, 1, mref->nitems, &m);
      else err = text_cw_resolve(c, CN_CORE_MODULE, mref, &m);
    }
    if (!err) {
      base_buf_byte(&b, 0x00);
      base_buf_u32leb(&b, m);
      base_buf_u32leb(&b, inst->nitems - 2);
    }
    for (uint32_t k = 2; k < inst->nitems && !err; k++) {
      const text_sx_t *w = &inst->items[k], *a = &w->items[2];
      uint32_t idx;
      if (!cw_is_form(a, "instance")) err = text_error(c->doc, a, "unexpected token: expected (instance ...)");
      else if (is_instance_ref(a)) err = text_cw_ref(c, CN_CORE_INSTANCE, a, true, &idx);
      else idx = bundles.data[nb++];
      if (!err && !(err = text_cw_name(c, &w->items[1], &b))) {
        base_buf_byte(&b, 0x12);
        base_buf_u32leb(&b, idx);
      }
    }
    if (!err) err = emit_instance(c, true, id, x, &b, NULL);
    base_buf_free(&b);
    VEC_FREE(&bundles);
    return err;
  }
  return core_bundle(c, x, x->items, i, x->nitems, id, NULL);
}

/* ---- component instances -------------------------------------------------------------------- */

/* Exports items[i..n): `(export "name" <item ref>)`; vec(inlineexport). */
static weld_error_t *exports(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  base_buf_u32leb(out, n - i);
  for (; i < n; i++) {
    const text_sx_t *e = &items[i];
    if (!cw_is_form(e, "export")) return text_error(c->doc, e, "unexpected token: expected (export \"name\" <item>)");
    uint32_t j = 1, idx;
    cw_ns_t ns;
    weld_error_t *err = text_cw_extern_name(c, e, &j, out);
    if (!err && j + 1 != e->nitems) err = text_error(c->doc, cw_at(e, j + 1), "unexpected token: expected one item reference");
    if (!err) err = text_cw_any_ref(c, &e->items[j], &ns, &idx);
    if (err) return err;
    text_cw_sort(ns, out);
    base_buf_u32leb(out, idx);
  }
  return NULL;
}

static weld_error_t *bundle(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t i, uint32_t n,
                            const text_sx_t *id, uint32_t *index) {
  base_buf_t b = {0};
  base_buf_byte(&b, 0x01);
  weld_error_t *err = exports(c, items, i, n, &b);
  if (!err) err = emit_instance(c, false, id, at, &b, index);
  base_buf_free(&b);
  return err;
}

static weld_error_t *tail_exports(cw_t *c, const text_sx_t *x, uint32_t first, uint32_t end, uint32_t idx) {
  for (uint32_t k = first; k < end; k++) {
    cw_tail_export_t t = {&x->items[k], CN_INSTANCE, idx};
    if (!VEC_PUSH(&c->scope->tail, t)) return base_error_oom();
  }
  return NULL;
}

weld_error_t *text_cw_instance_field(cw_t *c, const text_sx_t *x) {
  /* the inline import form is handled by the caller */
  uint32_t i = 1;
  const text_sx_t *id = cw_opt_id(x, &i);
  cw_skip_annotations(x, &i);
  uint32_t first_export = i;
  while (i < x->nitems && text_cw_is_inline_export(&x->items[i])) i++;
  uint32_t end_exports = i, idx;
  weld_error_t *err;
  if (i < x->nitems && cw_is_form(&x->items[i], "instantiate")) {
    const text_sx_t *inst = &x->items[i];
    if ((err = text_cw_expect_end(c, x, i + 1))) return err;
    if (inst->nitems < 2) return text_error(c->doc, inst, "unexpected end: expected a component index");
    if ((err = with_args_check(c, inst, 2))) return err;
    VEC(uint32_t) bundles = {0};
    for (uint32_t k = 2; k < inst->nitems && !err; k++) {
      const text_sx_t *a = &inst->items[k].items[2];
      if (cw_is_form(a, "instance") && !is_instance_ref(a)) {
        uint32_t bi;
        if (!(err = bundle(c, a, a->items, 1, a->nitems, NULL, &bi)) && !VEC_PUSH(&bundles, bi)) err = base_error_oom();
      }
    }
    base_buf_t b = {0};
    uint32_t comp, nb = 0;
    const text_sx_t *cref = &inst->items[1];
    if (!err) {
      if (cw_is_form(cref, "component")) err = text_cw_ref_tail(c, CN_COMPONENT, cref, cref->items, 1, cref->nitems, &comp);
      else err = text_cw_resolve(c, CN_COMPONENT, cref, &comp);
    }
    if (!err) {
      base_buf_byte(&b, 0x00);
      base_buf_u32leb(&b, comp);
      base_buf_u32leb(&b, inst->nitems - 2);
    }
    for (uint32_t k = 2; k < inst->nitems && !err; k++) {
      const text_sx_t *w = &inst->items[k], *a = &w->items[2];
      uint32_t ai;
      cw_ns_t ns = CN_INSTANCE;
      if (cw_is_form(a, "instance") && !is_instance_ref(a)) ai = bundles.data[nb++];
      else err = text_cw_any_ref(c, a, &ns, &ai);
      if (!err && !(err = text_cw_name(c, &w->items[1], &b))) {
        text_cw_sort(ns, &b);
        base_buf_u32leb(&b, ai);
      }
    }
    if (!err) err = emit_instance(c, false, id, x, &b, &idx);
    base_buf_free(&b);
    VEC_FREE(&bundles);
  } else {
    err = bundle(c, x, x->items, i, x->nitems, id, &idx);
  }
  if (!err) err = tail_exports(c, x, first_export, end_exports, idx);
  return err;
}
