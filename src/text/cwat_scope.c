/* cwat_scope.c — index spaces and aliases of the component text format (component-model
 * Explainer.md "Index spaces", "Alias definitions" and its abbreviations; Binary.md
 * `sort`, `alias`, `core:alias`).
 *
 * Names are resolved when they are used, in textual order.  A name that the current scope
 * does not bind but an enclosing component or type does becomes an `alias outer` to it
 * (a new one at each use, as wasm-tools writes them); only modules, types and components
 * can be aliased that way.  Core module types see only their own
 * types.  An item reference with export names, `(func $i "a" "b")`, becomes a chain of
 * `alias export` definitions (instances, then the final sort). */
#include "base/limits.h"
#include "text/cwat.h"
#include "text/numbers.h"
#include <string.h>

const char *const text_cw_ns_name[CN_COUNT] = {
    "core func", "core table", "core memory", "core global", "core tag", "core type", "core module",
    "core instance", "func", "value", "type", "component", "instance",
};

uint8_t text_cw_core_sort(cw_ns_t ns) {
  static const uint8_t b[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12};
  return ns <= CN_CORE_INSTANCE ? b[ns] : 0;
}

void text_cw_sort(cw_ns_t ns, base_buf_t *out) {
  if (ns <= CN_CORE_INSTANCE) {
    base_buf_byte(out, 0x00);
    base_buf_byte(out, text_cw_core_sort(ns));
    return;
  }
  static const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05}; /* func value type component instance */
  base_buf_byte(out, b[ns - CN_FUNC]);
}

int text_cw_core_sort_kw(const text_sx_t *x) {
  static const char *const kw[] = {"func", "table", "memory", "global", "tag", "type", "module", "instance"};
  for (int k = 0; k < 8; k++)
    if (cw_is_kw(x, kw[k])) return k;
  return -1;
}

int text_cw_sort_kw(const text_sx_t *items, uint32_t n, uint32_t *i, bool allow_core) {
  if (*i >= n) return -1;
  const text_sx_t *x = &items[*i];
  if (cw_is_kw(x, "core")) {
    if (!allow_core || *i + 1 >= n) return -1;
    int s = text_cw_core_sort_kw(&items[*i + 1]);
    if (s < 0) return -1;
    *i += 2;
    return s;
  }
  static const char *const kw[] = {"func", "value", "type", "component", "instance"};
  for (int k = 0; k < 5; k++)
    if (cw_is_kw(x, kw[k])) {
      (*i)++;
      return CN_FUNC + k;
    }
  return -1;
}

static uint32_t ns_cap(cw_ns_t ns) {
  (void)ns;
  return WELD_MAX_COMPONENT_INDEX;
}

weld_error_t *text_cw_bind(cw_t *c, cw_ns_t ns, const text_sx_t *id, const text_sx_t *at, uint32_t *index) {
  cw_scope_t *s = c->scope;
  if (s->count[ns] >= ns_cap(ns)) return text_error(c->doc, at, "too many %s definitions", text_cw_ns_name[ns]);
  uint32_t idx = s->count[ns];
  weld_error_t *err = text_space_bind_id(&s->names[ns], c->doc, id, idx, text_cw_ns_name[ns]);
  if (err) return err;
  s->count[ns]++;
  if (index) *index = idx;
  return NULL;
}

static bool outer_aliasable(cw_ns_t ns) {
  return ns == CN_CORE_MODULE || ns == CN_CORE_TYPE || ns == CN_TYPE || ns == CN_COMPONENT;
}

/* alias bytes: sort target (component scopes) or core:sort 0x01 ct idx (module types) */
static weld_error_t *emit_outer(cw_t *c, cw_ns_t ns, uint32_t depth, uint32_t idx, const text_sx_t *id,
                                const text_sx_t *at, uint32_t *index) {
  base_buf_t b = {0};
  if (c->scope->kind == CS_MODULE_TYPE) {
    base_buf_byte(&b, text_cw_core_sort(ns));
    base_buf_byte(&b, 0x01);
  } else {
    text_cw_sort(ns, &b);
    base_buf_byte(&b, 0x02);
  }
  base_buf_u32leb(&b, depth);
  base_buf_u32leb(&b, idx);
  weld_error_t *err = text_cw_emit(c, CI_ALIAS, &b, at);
  base_buf_free(&b);
  if (!err) err = text_cw_bind(c, ns, id, at, index);
  return err;
}

weld_error_t *text_cw_resolve(cw_t *c, cw_ns_t ns, const text_sx_t *x, uint32_t *index) {
  if (x->kind == SX_ATOM) {
    if (text_parse_u32(x->text, x->len, index) == 0) return NULL;
    if (x->len && x->text[0] >= '0' && x->text[0] <= '9')
      return text_error(c->doc, x, "%s index out of range or malformed: %.*s", text_cw_ns_name[ns], CW_TOK(x));
    return text_error(c->doc, x, "unexpected token %.*s: expected a %s index", CW_TOK(x), text_cw_ns_name[ns]);
  }
  if (x->kind != SX_ID) return text_error(c->doc, x, "unexpected token: expected a %s index", text_cw_ns_name[ns]);
  const char *name;
  size_t len;
  text_sx_id_name(x, &name, &len);
  cw_scope_t *s = c->scope;
  if (text_space_lookup(&s->names[ns], name, len, index) == 0) return NULL;
  if (s->kind != CS_MODULE_TYPE) {
    uint32_t depth = 1;
    for (cw_scope_t *p = s->parent; p; p = p->parent, depth++) {
      uint32_t found;
      if (text_space_lookup(&p->names[ns], name, len, &found) != 0) continue;
      if (!outer_aliasable(ns))
        return text_error(c->doc, x, "outer item `%.*s` is not a module, type, or component", (int)(len > 200 ? 200 : len),
                          name);
      return emit_outer(c, ns, depth, found, NULL, x, index); /* a fresh alias per use */
    }
  }
  return text_error(c->doc, x, "unknown %s %.*s", text_cw_ns_name[ns], CW_TOK(x));
}

weld_error_t *text_cw_alias_export(cw_t *c, cw_ns_t ns, uint32_t inst, const text_sx_t *name, const text_sx_t *id,
                                   const text_sx_t *at, uint32_t *index) {
  if (c->scope->kind == CS_MODULE_TYPE) return text_error(c->doc, at, "unexpected token: only outer type aliases are allowed in a module type");
  base_buf_t b = {0};
  bool core = ns <= CN_CORE_TAG;
  text_cw_sort(ns, &b);
  base_buf_byte(&b, core ? 0x01 : 0x00);
  base_buf_u32leb(&b, inst);
  weld_error_t *err = text_cw_name(c, name, &b);
  if (!err) err = text_cw_emit(c, CI_ALIAS, &b, at);
  base_buf_free(&b);
  if (!err) err = text_cw_bind(c, ns, id, at, index);
  return err;
}

weld_error_t *text_cw_ref_tail(cw_t *c, cw_ns_t ns, const text_sx_t *at, const text_sx_t *items, uint32_t i,
                               uint32_t n, uint32_t *index) {
  if (i >= n) return text_error(c->doc, at, "unexpected end: expected a %s index", text_cw_ns_name[ns]);
  const text_sx_t *x = &items[i];
  if (i + 1 == n) return text_cw_resolve(c, ns, x, index);
  bool core = ns <= CN_CORE_TAG; /* core modules are exported by component instances */
  if (core && i + 2 != n) return text_error(c->doc, &items[i + 2], "unexpected token: a core reference has at most one export name");
  for (uint32_t k = i + 1; k < n; k++)
    if (items[k].kind != SX_STRING) return text_error(c->doc, &items[k], "unexpected token: expected an export name");
  uint32_t inst;
  weld_error_t *err = text_cw_resolve(c, core ? CN_CORE_INSTANCE : CN_INSTANCE, x, &inst);
  for (uint32_t k = i + 1; k < n && !err; k++)
    err = text_cw_alias_export(c, k + 1 == n ? ns : CN_INSTANCE, inst, &items[k], NULL, &items[k], &inst);
  if (!err) *index = inst;
  return err;
}

weld_error_t *text_cw_any_ref(cw_t *c, const text_sx_t *x, cw_ns_t *ns, uint32_t *index) {
  uint32_t i = 0;
  int s = x->kind == SX_LIST ? text_cw_sort_kw(x->items, x->nitems, &i, true) : -1;
  if (s < 0) return text_error(c->doc, x, "unexpected token: expected an item reference such as (func $f)");
  *ns = (cw_ns_t)s;
  return text_cw_ref_tail(c, *ns, x, x->items, i, x->nitems, index);
}

weld_error_t *text_cw_ref(cw_t *c, cw_ns_t ns, const text_sx_t *x, bool core_ctx, uint32_t *index) {
  uint32_t i = 0;
  int s = -1;
  if (x->kind == SX_LIST && x->nitems > 0) {
    if (core_ctx) {
      s = text_cw_core_sort_kw(&x->items[0]);
      i = 1;
    } else {
      s = text_cw_sort_kw(x->items, x->nitems, &i, true);
    }
  }
  if (s != (int)ns) {
    if (ns <= CN_CORE_INSTANCE && !core_ctx)
      return text_error(c->doc, x, "unexpected token: expected (core %s ...)", text_cw_ns_name[ns] + 5);
    return text_error(c->doc, x, "unexpected token: expected (%s ...)", text_cw_ns_name[ns] + (core_ctx ? 5 : 0));
  }
  return text_cw_ref_tail(c, ns, x, x->items, i, x->nitems, index);
}

weld_error_t *text_cw_index_or_core_ref(cw_t *c, cw_ns_t ns, const text_sx_t *x, uint32_t *index) {
  if (x->kind != SX_LIST) return text_cw_resolve(c, ns, x, index);
  uint32_t i = 0;
  int s = text_cw_sort_kw(x->items, x->nitems, &i, true);
  if (s != (int)ns || !cw_is_kw(&x->items[0], "core")) {
    /* legacy `(func ...)` without `core` */
    if ((c->flags & TEXT_CWAT_LEGACY_INDICES) && x->nitems > 0 && text_cw_core_sort_kw(&x->items[0]) == (int)ns)
      return text_cw_ref_tail(c, ns, x, x->items, 1, x->nitems, index);
    if (x->nitems > 0 && text_cw_core_sort_kw(&x->items[0]) == (int)ns)
      return text_error(c->doc, x, "the `core` keyword is required in this reference: write (core %s ...)",
                        text_cw_ns_name[ns] + 5);
    return text_error(c->doc, x, "unexpected token: expected (core %s ...)", text_cw_ns_name[ns] + 5);
  }
  return text_cw_ref_tail(c, ns, x, x->items, i, x->nitems, index);
}

/* ---- alias definitions -------------------------------------------------------------------- */

/* The target sort form `(sort $id?)` of an alias: space and id. */
static weld_error_t *alias_sort(cw_t *c, const text_sx_t *f, bool core_target, cw_ns_t *ns, const text_sx_t **id) {
  if (f->kind != SX_LIST) return text_error(c->doc, f, "unexpected token: expected (<sort> $id?)");
  uint32_t i = 0;
  int s = text_cw_sort_kw(f->items, f->nitems, &i, true);
  if (s < 0) return text_error(c->doc, f, "unexpected token: expected a sort (func, type, core func, ...)");
  if (core_target && (s > CN_CORE_TAG || !cw_is_kw(&f->items[0], "core")))
    return text_error(c->doc, f, "unexpected token: expected a core sort (core func, core table, core memory, core global, core tag)");
  *ns = (cw_ns_t)s;
  *id = cw_opt_id(f, &i);
  cw_skip_annotations(f, &i);
  return text_cw_expect_end(c, f, i);
}

weld_error_t *text_cw_alias_field(cw_t *c, const text_sx_t *x) {
  uint32_t i = 1;
  weld_error_t *err;
  const text_sx_t *pre_id = cw_opt_id(x, &i); /* `(alias $id export ...)` is not allowed */
  if (pre_id) return text_error(c->doc, pre_id, "unexpected token: the alias id goes in its sort, e.g. (func $f)");
  if (i < x->nitems && cw_is_kw(&x->items[i], "outer")) {
    if (i + 4 != x->nitems) return text_error(c->doc, x, "unexpected token: expected (alias outer <component> <index> (<sort> $id?))");
    const text_sx_t *ct = &x->items[i + 1], *ix = &x->items[i + 2];
    cw_ns_t ns;
    const text_sx_t *id;
    if ((err = alias_sort(c, &x->items[i + 3], false, &ns, &id))) return err;
    if (!outer_aliasable(ns) || (c->scope->kind == CS_MODULE_TYPE && ns != CN_CORE_TYPE && ns != CN_TYPE))
      return text_error(c->doc, &x->items[i + 3], "unexpected token: outer aliases are for modules, types and components");
    if (c->scope->kind == CS_MODULE_TYPE) {
      if (ns == CN_CORE_TYPE && cw_is_kw(&x->items[i + 3].items[0], "core"))
        return text_error(c->doc, &x->items[i + 3], "unexpected token: expected (type $id?)");
      ns = CN_CORE_TYPE;
    }
    uint32_t depth, idx;
    bool numeric_only = ct->kind == SX_ATOM && ix->kind == SX_ATOM;
    if (ct->kind == SX_ID) {
      const char *name, *sname;
      size_t len, slen;
      text_sx_id_name(ct, &name, &len);
      depth = 0;
      cw_scope_t *s = c->scope;
      for (; s; s = s->parent, depth++) {
        if (!s->id) continue;
        text_sx_id_name(s->id, &sname, &slen);
        if (slen == len && memcmp(sname, name, len) == 0) break;
      }
      if (!s) return text_error(c->doc, ct, "outer component `%.*s` not found", (int)(len > 200 ? 200 : len), name);
    } else if (ct->kind != SX_ATOM || text_parse_u32(ct->text, ct->len, &depth)) {
      return text_error(c->doc, ct, "unexpected token: expected an outer count or component id");
    }
    if (numeric_only) {
      if (text_parse_u32(ix->text, ix->len, &idx)) return text_error(c->doc, ix, "malformed index %.*s", CW_TOK(ix));
    } else {
      cw_scope_t *s = c->scope;
      for (uint32_t k = 0; k < depth && s; k++) s = s->parent;
      if (!s) return text_error(c->doc, ct, "outer count of `%u` is too large", depth);
      if (ix->kind == SX_ID) {
        const char *name;
        size_t len;
        text_sx_id_name(ix, &name, &len);
        if (text_space_lookup(&s->names[ns], name, len, &idx))
          return text_error(c->doc, ix, "unknown %s %.*s", text_cw_ns_name[ns], CW_TOK(ix));
      } else if (ix->kind != SX_ATOM || text_parse_u32(ix->text, ix->len, &idx)) {
        return text_error(c->doc, ix, "unexpected token: expected an index");
      }
    }
    return emit_outer(c, ns, depth, idx, id, x, NULL);
  }
  bool core = false;
  if (i < x->nitems && cw_is_kw(&x->items[i], "core")) {
    core = true;
    i++;
  }
  if (i >= x->nitems || !cw_is_kw(&x->items[i], "export"))
    return text_error(c->doc, cw_at(x, i), "unexpected token: expected export, core export or outer");
  if (c->scope->kind == CS_MODULE_TYPE) return text_error(c->doc, x, "unexpected token: only outer type aliases are allowed in a module type");
  if (i + 4 != x->nitems || x->items[i + 2].kind != SX_STRING)
    return text_error(c->doc, x, "unexpected token: expected (alias %sexport <instance> \"name\" (<sort> $id?))", core ? "core " : "");
  cw_ns_t ns;
  const text_sx_t *id;
  if ((err = alias_sort(c, &x->items[i + 3], core, &ns, &id))) return err;
  if (!core && ns <= CN_CORE_INSTANCE && ns != CN_CORE_MODULE)
    return text_error(c->doc, &x->items[i + 3], "unexpected token: use `alias core export` for core items");
  uint32_t inst;
  if ((err = text_cw_resolve(c, core ? CN_CORE_INSTANCE : CN_INSTANCE, &x->items[i + 1], &inst))) return err;
  return text_cw_alias_export(c, ns, inst, &x->items[i + 2], id, x, NULL);
}

weld_error_t *text_cw_inline_alias(cw_t *c, cw_ns_t ns, const text_sx_t *id, const text_sx_t *a) {
  /* (alias export $i "name") or, for core items, (alias core export $i "name") */
  uint32_t i = 1;
  bool core = ns <= CN_CORE_INSTANCE;
  if (core) {
    if (i >= a->nitems || !cw_is_kw(&a->items[i], "core"))
      return text_error(c->doc, a, "unexpected token: expected (alias core export <instance> \"name\")");
    i++;
  }
  if (i + 3 != a->nitems || !cw_is_kw(&a->items[i], "export") || a->items[i + 2].kind != SX_STRING)
    return text_error(c->doc, a, "unexpected token: expected (alias %sexport <instance> \"name\")", core ? "core " : "");
  uint32_t inst;
  weld_error_t *err = text_cw_resolve(c, core ? CN_CORE_INSTANCE : CN_INSTANCE, &a->items[i + 1], &inst);
  if (err) return err;
  return text_cw_alias_export(c, ns, inst, &a->items[i + 2], id, a, NULL);
}
