/* validate.c — validation and type checking of components (design/mvp/Explainer.md:
 * "Index Spaces", "Instance Definitions", "Alias Definitions", "Start Definitions",
 * "Import and Export Definitions"; Binary.md notes on validation).
 *
 * Walks the decoded tree in binary order, one scope per component (and, from
 * validate_types.c, per component/instance type), building each index space as the
 * definitions appear, so that every reference — including outer aliases — can only name
 * what precedes it.  Along the way it computes the type of every definition (types.h) and
 * enforces:
 *   - instantiation: arguments match the imports (subtype.c), with the resources the
 *     arguments supply substituted for the component's imported resources and fresh
 *     resources for the ones it defines (subst.c);
 *   - resource bookkeeping: which resources a scope imports (and where, as paths through
 *     the imports), defines (locally or by instantiating) and exports;
 *   - the "named types" rule: every defined type, resource or function type an import or
 *     export refers to must itself have been imported or exported earlier (for imports:
 *     imported) — the rule behind "type-export-restrictions";
 *   - import/export names (names.c), strong uniqueness, resource-function names;
 *   - values (🪙, with comp_features_t.values): each used exactly once. */
#include "component/decode_internal.h"
#include "component/validate_internal.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <stdarg.h>
#include <string.h>

weld_error_t *comp_verr(size_t off, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  weld_error_t *e = base_error_v(off, fmt, ap);
  va_end(ap);
  return e;
}

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

static weld_error_t *oom(void) { return base_error_oom(); }

/* ---------------------------------------------------------------- scopes */

weld_error_t *comp_scope_push(comp_vctx_t *v, uint8_t kind, comp_component_t *comp, comp_scope_t **out) {
  if (v->scopes.len > 2u * WELD_MAX_COMPONENT_NESTING + 2)
    return base_error("components and types nested too deeply");
  comp_scope_t *s = base_calloc(1, sizeof *s);
  if (!s) return oom();
  s->kind = kind;
  s->comp = comp;
  if (!VEC_PUSH(&v->scopes, s)) {
    base_free(s, sizeof *s);
    return oom();
  }
  *out = s;
  return NULL;
}

void comp_scope_pop(comp_vctx_t *v) {
  comp_scope_t *s = VEC_POP(&v->scopes);
  for (int i = 0; i < COMP_SORT_COUNT; i++) VEC_FREE(&s->sp[i]);
  VEC_FREE(&s->value_used);
  VEC_FREE(&s->imports);
  VEC_FREE(&s->exports);
  comp_strset_free(&s->import_keys);
  comp_strset_free(&s->export_keys);
  VEC_FREE(&s->imported_res);
  VEC_FREE(&s->defined_res);
  comp_map_free(&s->defined_map);
  VEC_FREE(&s->explicit_res);
  comp_map_free(&s->explicit_map);
  comp_map_free(&s->imported_types);
  comp_map_free(&s->exported_types);
  comp_namectx_free(&s->import_ctx);
  comp_namectx_free(&s->export_ctx);
  base_free(s, sizeof *s);
}

static const char *sort_noun(uint8_t sort) {
  switch (sort) {
  case COMP_SORT_CORE_FUNC: return "function";
  case COMP_SORT_CORE_TABLE: return "table";
  case COMP_SORT_CORE_MEMORY: return "memory";
  case COMP_SORT_CORE_GLOBAL: return "global";
  case COMP_SORT_CORE_TAG: return "tag";
  case COMP_SORT_CORE_TYPE: return "type";
  case COMP_SORT_CORE_MODULE: return "module";
  case COMP_SORT_CORE_INSTANCE: return "instance";
  case COMP_SORT_FUNC: return "function";
  case COMP_SORT_VALUE: return "value";
  case COMP_SORT_TYPE: return "type";
  case COMP_SORT_COMPONENT: return "component";
  case COMP_SORT_INSTANCE: return "instance";
  }
  return "?";
}

weld_error_t *comp_sp_push(comp_vctx_t *v, comp_scope_t *s, uint8_t sort, uint32_t item, uint32_t sub, comp_typeid_t type,
                           size_t off) {
  (void)v;
  comp_index_vec_t *sp = &s->sp[sort];
  if (sp->len >= WELD_MAX_COMPONENT_INDEX)
    return comp_verr(off, "too many %ss (more than %u in one index space)", comp_sort_name(sort), WELD_MAX_COMPONENT_INDEX);
  comp_index_t e = {item, sub, type};
  if (!VEC_PUSH(sp, e)) return oom();
  if (sort == COMP_SORT_VALUE && !VEC_PUSH(&s->value_used, 0)) return oom();
  return NULL;
}

weld_error_t *comp_sp_get(comp_vctx_t *v, comp_scope_t *s, uint8_t sort, uint32_t idx, size_t off, comp_typeid_t *out) {
  (void)v;
  *out = COMP_NO_TYPE;
  if (idx >= s->sp[sort].len)
    return comp_verr(off, "unknown %s %u: %s index out of bounds", comp_sort_name(sort), idx, sort_noun(sort));
  *out = s->sp[sort].data[idx].type;
  return NULL;
}

weld_error_t *comp_values_enabled(comp_vctx_t *v, size_t off) {
  if (v->features->values) return NULL;
  return comp_verr(off, COMP_NOT_SUPPORTED "component model `value`s (support for component model `value`s is not enabled, cm-values)");
}

weld_error_t *comp_scope_define_resource(comp_scope_t *s, uint32_t rid, bool local) {
  comp_defined_res_t d = {rid, local};
  if (!VEC_PUSH(&s->defined_res, d)) return oom();
  if (!comp_map_put(&s->defined_map, rid, (uint32_t)s->defined_res.len - 1)) return oom();
  return NULL;
}

static weld_error_t *use_value(comp_vctx_t *v, comp_scope_t *s, uint32_t idx, size_t off, comp_typeid_t *type) {
  TRY(comp_values_enabled(v, off));
  TRY(comp_sp_get(v, s, COMP_SORT_VALUE, idx, off, type));
  if (s->value_used.data[idx]) return comp_verr(off, "value %u cannot be used more than once", idx);
  s->value_used.data[idx] = 1;
  return NULL;
}

static uint32_t *path_prepend(comp_vctx_t *v, uint32_t first, const uint32_t *rest, uint32_t n) {
  uint32_t *p = comp_arena_array(v->A, (size_t)n + 1, sizeof *p);
  if (!p) return NULL;
  p[0] = first;
  if (n) memcpy(p + 1, rest, (size_t)n * sizeof *p);
  return p;
}

/* ---------------------------------------------------------------- finishing types */

static weld_error_t *dup_rpaths(comp_vctx_t *v, const comp_rpath_t *in, size_t n, comp_rpath_t **out) {
  *out = comp_arena_dup(v->A, in, n * sizeof *in);
  if (!*out && n) return oom();
  return NULL;
}

/* Defined resources that are reachable through the exports, with their paths. */
static weld_error_t *defined_with_paths(comp_vctx_t *v, comp_scope_t *s, comp_rpath_t **out, uint32_t *n) {
  uint32_t count = 0;
  for (size_t i = 0; i < s->defined_res.len; i++)
    if (comp_map_has(&s->explicit_map, s->defined_res.data[i].rid)) count++;
  comp_rpath_t *d = comp_arena_array(v->A, count ? count : 1, sizeof *d);
  if (!d) return oom();
  uint32_t k = 0;
  for (size_t i = 0; i < s->defined_res.len; i++) {
    uint32_t e;
    if (comp_map_get(&s->explicit_map, s->defined_res.data[i].rid, &e)) d[k++] = s->explicit_res.data[e];
  }
  *out = d;
  *n = k;
  return NULL;
}

weld_error_t *comp_finish_component_type(comp_vctx_t *v, comp_scope_t *s, size_t off, comp_typeid_t *out) {
  comp_component_type_t *ct = comp_arena_alloc(v->A, sizeof *ct);
  if (!ct) return oom();
  ct->nimports = (uint32_t)s->imports.len;
  ct->imports = comp_arena_dup(v->A, s->imports.data, s->imports.len * sizeof *s->imports.data);
  ct->nexports = (uint32_t)s->exports.len;
  ct->exports = comp_arena_dup(v->A, s->exports.data, s->exports.len * sizeof *s->exports.data);
  if ((!ct->imports && ct->nimports) || (!ct->exports && ct->nexports)) return oom();
  ct->isorted = comp_sort_names(v->A, ct->imports, ct->nimports);
  ct->esorted = comp_sort_names(v->A, ct->exports, ct->nexports);
  if (!ct->isorted || !ct->esorted) return oom();
  ct->nimported = (uint32_t)s->imported_res.len;
  TRY(dup_rpaths(v, s->imported_res.data, s->imported_res.len, &ct->imported));
  TRY(defined_with_paths(v, s, &ct->defined, &ct->ndefined));
  ct->nexplicit = (uint32_t)s->explicit_res.len;
  TRY(dup_rpaths(v, s->explicit_res.data, s->explicit_res.len, &ct->explicit_));
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_COMPONENT;
  ty.u.comp = ct;
  return comp_type_add(v->T, &ty, off, out);
}

weld_error_t *comp_finish_instance_type(comp_vctx_t *v, comp_scope_t *s, size_t off, comp_typeid_t *out) {
  comp_instance_type_t *it = comp_arena_alloc(v->A, sizeof *it);
  if (!it) return oom();
  it->nexports = (uint32_t)s->exports.len;
  it->exports = comp_arena_dup(v->A, s->exports.data, s->exports.len * sizeof *s->exports.data);
  if (!it->exports && it->nexports) return oom();
  it->sorted = comp_sort_names(v->A, it->exports, it->nexports);
  if (!it->sorted) return oom();
  TRY(defined_with_paths(v, s, &it->defined, &it->ndefined));
  it->nexplicit = (uint32_t)s->explicit_res.len;
  TRY(dup_rpaths(v, s->explicit_res.data, s->explicit_res.len, &it->explicit_));
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_INSTANCE;
  ty.u.inst = it;
  return comp_type_add(v->T, &ty, off, out);
}

/* A new instance type with the given exports (no defined resources). */
static weld_error_t *new_instance_type(comp_vctx_t *v, comp_extern_t *exports, uint32_t n, const uint32_t *sorted,
                                       comp_rpath_t *explicit_, uint32_t nexplicit, size_t off, comp_typeid_t *out) {
  comp_instance_type_t *it = comp_arena_alloc(v->A, sizeof *it);
  if (!it) return oom();
  it->nexports = n;
  it->exports = exports;
  it->sorted = sorted ? (uint32_t *)sorted : comp_sort_names(v->A, exports, n);
  if (!it->sorted) return oom();
  it->explicit_ = explicit_;
  it->nexplicit = nexplicit;
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_INSTANCE;
  ty.u.inst = it;
  return comp_type_add(v->T, &ty, off, out);
}

/* ---------------------------------------------------------------- resources of instances */

/* An imported instance type's own resources become abstract resources imported by the
 * scope, reachable through the import (fresh for every import of the type). */
static weld_error_t *prepare_instance(comp_vctx_t *v, comp_scope_t *s, comp_typeid_t *id, uint8_t dir, size_t off) {
  const comp_instance_type_t *I = comp_type(v->T, *id)->u.inst;
  if (I->ndefined == 0) return NULL;
  comp_subst_t S;
  memset(&S, 0, sizeof S);
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < I->ndefined && !err; i++) {
    uint32_t fresh = comp_types_fresh_rid(v->T);
    if (!comp_map_put(&S.rids, I->defined[i].rid, fresh)) {
      err = oom();
      break;
    }
    if (dir == DIR_IMPORT) {
      comp_rpath_t p = {fresh, I->defined[i].len + 1, path_prepend(v, (uint32_t)s->imports.len, I->defined[i].path, I->defined[i].len)};
      if (!p.path || !VEC_PUSH(&s->imported_res, p)) err = oom();
    } else {
      err = comp_scope_define_resource(s, fresh, false);
    }
  }
  comp_extern_t *exports = NULL;
  comp_rpath_t *explicit_ = NULL;
  if (!err) {
    exports = comp_arena_array(v->A, I->nexports ? I->nexports : 1, sizeof *exports);
    if (!exports) err = oom();
  }
  for (uint32_t i = 0; !err && i < I->nexports; i++) {
    exports[i].name = I->exports[i].name;
    err = comp_subst_entity(v, &S, &I->exports[i].ent, off, &exports[i].ent);
  }
  if (!err) err = comp_subst_rpaths(v, &S, I->explicit_, I->nexplicit, off, &explicit_);
  if (!err) err = new_instance_type(v, exports, I->nexports, I->sorted, explicit_, I->nexplicit, off, id);
  comp_subst_free(&S);
  return err;
}

/* ---------------------------------------------------------------- named types */

typedef struct named_cx {
  comp_vctx_t *v;
  comp_map_t *set;
  bool over; /* work limit */
} named_cx_t;

static bool nc_charge(named_cx_t *c) {
  if (!comp_types_charge(c->v->T, 1)) c->over = true;
  return !c->over;
}

static bool type_named(named_cx_t *c, comp_typeid_t id);

static bool named_in_defined(named_cx_t *c, comp_typeid_t id) {
  if (!nc_charge(c)) return false;
  const comp_type_t *t = comp_type(c->v->T, id);
  switch (t->kind) {
  case COMP_T_PRIM:
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
    return true;
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    for (uint32_t i = 0; i < t->u.fields.n; i++) {
      comp_typeid_t f = comp_type(c->v->T, id)->u.fields.items[i].type;
      if (f != COMP_NO_TYPE && !type_named(c, f)) return false;
    }
    return true;
  case COMP_T_TUPLE:
    for (uint32_t i = 0; i < t->u.tuple.n; i++)
      if (!type_named(c, comp_type(c->v->T, id)->u.tuple.types[i])) return false;
    return true;
  case COMP_T_LIST:
  case COMP_T_OPTION:
    return type_named(c, t->u.elem);
  case COMP_T_RESULT: {
    comp_typeid_t ok = t->u.result.ok, er = t->u.result.err;
    return (ok == COMP_NO_TYPE || type_named(c, ok)) && (er == COMP_NO_TYPE || type_named(c, er));
  }
  case COMP_T_OWN:
  case COMP_T_BORROW:
    return comp_map_has(c->set, t->u.resource);
  }
  return true;
}

/* A reference to a type from inside another type. */
static bool type_named(named_cx_t *c, comp_typeid_t id) {
  if (!nc_charge(c)) return false;
  const comp_type_t *t = comp_type(c->v->T, id);
  switch (t->kind) {
  case COMP_T_PRIM:
    return true;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    return comp_map_has(c->set, id);
  case COMP_T_OWN:
  case COMP_T_BORROW:
    return comp_map_has(c->set, t->u.resource);
  default:
    return named_in_defined(c, id);
  }
}

static bool named_in_func(named_cx_t *c, comp_typeid_t id) {
  const comp_type_t *t = comp_type(c->v->T, id);
  uint32_t n = t->u.func.nparams;
  for (uint32_t i = 0; i < n; i++)
    if (!type_named(c, comp_type(c->v->T, id)->u.func.params[i].type)) return false;
  comp_typeid_t r = comp_type(c->v->T, id)->u.func.result;
  return r == COMP_NO_TYPE || type_named(c, r);
}

static bool named_any(named_cx_t *c, comp_typeid_t id);

static bool named_in_instance(named_cx_t *c, comp_typeid_t id) {
  const comp_instance_type_t *I = comp_type(c->v->T, id)->u.inst;
  for (uint32_t i = 0; i < I->nexports; i++) {
    const comp_entity_t *e = &I->exports[i].ent;
    bool ok = true;
    switch (e->kind) {
    case COMP_E_FUNC: ok = named_in_func(c, e->type); break;
    case COMP_E_TYPE: ok = named_any(c, e->type); break;
    case COMP_E_VALUE: ok = named_in_defined(c, e->type); break;
    case COMP_E_INSTANCE: ok = named_in_instance(c, e->type); break;
    default: break;
    }
    if (!ok) return false;
  }
  return true;
}

/* The type an import/export of a type refers to: its contents must be named. */
static bool named_any(named_cx_t *c, comp_typeid_t id) {
  uint8_t k = comp_type_kind(c->v->T, id);
  if (comp_tkind_is_defined(k)) return named_in_defined(c, id);
  if (k == COMP_T_FUNC) return named_in_func(c, id);
  if (k == COMP_T_INSTANCE) return named_in_instance(c, id);
  return true;
}

static weld_error_t *name_type(comp_scope_t *s, uint8_t dir, comp_typeid_t id) {
  if (!comp_map_put(&s->exported_types, id, 1)) return oom();
  if (dir == DIR_IMPORT && !comp_map_put(&s->imported_types, id, 1)) return oom();
  return NULL;
}

/* Every type an instance exports (transitively) becomes named. */
static weld_error_t *name_instance_types(comp_vctx_t *v, comp_scope_t *s, uint8_t dir, comp_typeid_t id, size_t off) {
  const comp_instance_type_t *I = comp_type(v->T, id)->u.inst;
  if (!comp_types_charge(v->T, I->nexports + 1)) return comp_types_work_error(off);
  for (uint32_t i = 0; i < I->nexports; i++) {
    const comp_entity_t *e = &I->exports[i].ent;
    if (e->kind == COMP_E_TYPE) TRY(name_type(s, dir, e->type));
    else if (e->kind == COMP_E_INSTANCE) TRY(name_instance_types(v, s, dir, e->type, off));
  }
  return NULL;
}

static const char *dir_name(uint8_t dir) { return dir == DIR_IMPORT ? "import" : "export"; }

static weld_error_t *check_named(comp_vctx_t *v, comp_scope_t *s, uint8_t dir, comp_name_t name, const comp_entity_t *e,
                                 size_t off) {
  if (e->kind == COMP_E_TYPE && comp_type_kind(v->T, e->type) == COMP_T_RESOURCE) {
    comp_namectx_t *cx = dir == DIR_IMPORT ? &s->import_ctx : &s->export_ctx;
    if (!comp_namectx_register(cx, e->type, name)) return oom();
  }
  if (s->kind == SCOPE_INSTANCE_TYPE) return NULL;
  named_cx_t c = {v, dir == DIR_IMPORT ? &s->imported_types : &s->exported_types, false};
  bool ok = true;
  switch (e->kind) {
  case COMP_E_TYPE:
    ok = named_any(&c, e->referenced);
    if (ok) TRY(name_type(s, dir, e->type));
    break;
  case COMP_E_INSTANCE:
    TRY(name_instance_types(v, s, dir, e->type, off));
    ok = named_in_instance(&c, e->type);
    break;
  case COMP_E_FUNC:
    ok = named_in_func(&c, e->type);
    break;
  case COMP_E_VALUE:
    ok = type_named(&c, e->type);
    break;
  default:
    break;
  }
  if (c.over) return comp_types_work_error(off);
  if (!ok) return comp_verr(off, "%s not valid to be used as %s", comp_ekind_name(e->kind), dir_name(dir));
  return NULL;
}

/* ---------------------------------------------------------------- imports and exports */

weld_error_t *comp_check_type_ref(comp_vctx_t *v, comp_scope_t *s, const comp_externdesc_t *d, uint8_t dir, size_t off,
                                  comp_entity_t *out) {
  comp_typeid_t t;
  out->referenced = COMP_NO_TYPE;
  switch (d->kind) {
  case COMP_DESC_MODULE:
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_TYPE, d->idx, off, &t));
    if (comp_type_kind(v->T, t) != COMP_T_CORE_MODULE) return comp_verr(off, "core type index %u is not a module type", d->idx);
    out->kind = COMP_E_MODULE;
    out->type = t;
    return NULL;
  case COMP_DESC_FUNC:
    TRY(comp_sp_get(v, s, COMP_SORT_TYPE, d->idx, off, &t));
    if (comp_type_kind(v->T, t) != COMP_T_FUNC) return comp_verr(off, "type index %u is not a function type", d->idx);
    out->kind = COMP_E_FUNC;
    out->type = t;
    return NULL;
  case COMP_DESC_VALUE:
    TRY(comp_values_enabled(v, off));
    out->kind = COMP_E_VALUE;
    return comp_valtype(v, s, d->value, off, &out->type);
  case COMP_DESC_TYPE:
    out->kind = COMP_E_TYPE;
    if (d->sub_resource) {
      TRY(comp_type_fresh_resource(v->T, off, &t));
      out->type = out->referenced = t;
      uint32_t rid = comp_type(v->T, t)->u.rid;
      if (dir == DIR_IMPORT) {
        comp_rpath_t p = {rid, 1, path_prepend(v, (uint32_t)s->imports.len, NULL, 0)};
        if (!p.path || !VEC_PUSH(&s->imported_res, p)) return oom();
      } else if (dir == DIR_EXPORT) {
        TRY(comp_scope_define_resource(s, rid, false));
      }
      return NULL;
    }
    TRY(comp_sp_get(v, s, COMP_SORT_TYPE, d->idx, off, &t));
    out->referenced = t;
    return comp_type_alias(v->T, t, off, &out->type);
  case COMP_DESC_COMPONENT:
    TRY(comp_sp_get(v, s, COMP_SORT_TYPE, d->idx, off, &t));
    if (comp_type_kind(v->T, t) != COMP_T_COMPONENT) return comp_verr(off, "type index %u is not a component type", d->idx);
    out->kind = COMP_E_COMPONENT;
    out->type = t;
    return NULL;
  case COMP_DESC_INSTANCE:
    TRY(comp_sp_get(v, s, COMP_SORT_TYPE, d->idx, off, &t));
    if (comp_type_kind(v->T, t) != COMP_T_INSTANCE) return comp_verr(off, "type index %u is not an instance type", d->idx);
    out->kind = COMP_E_INSTANCE;
    out->type = t;
    return NULL;
  }
  return comp_verr(off, "invalid extern descriptor");
}

/* Records where the resources of an export can be found (first path wins). */
static weld_error_t *register_explicit(comp_vctx_t *v, comp_scope_t *s, const comp_entity_t *e, uint32_t k) {
  if (e->kind == COMP_E_TYPE && comp_type_kind(v->T, e->type) == COMP_T_RESOURCE) {
    uint32_t rid = comp_type(v->T, e->type)->u.rid;
    if (!comp_map_has(&s->explicit_map, rid)) {
      comp_rpath_t p = {rid, 1, path_prepend(v, k, NULL, 0)};
      if (!p.path || !VEC_PUSH(&s->explicit_res, p) || !comp_map_put(&s->explicit_map, rid, (uint32_t)s->explicit_res.len - 1))
        return oom();
    }
  } else if (e->kind == COMP_E_INSTANCE) {
    const comp_instance_type_t *I = comp_type(v->T, e->type)->u.inst;
    for (uint32_t i = 0; i < I->nexplicit; i++) {
      uint32_t rid = I->explicit_[i].rid;
      if (comp_map_has(&s->explicit_map, rid)) continue;
      comp_rpath_t p = {rid, I->explicit_[i].len + 1, path_prepend(v, k, I->explicit_[i].path, I->explicit_[i].len)};
      if (!p.path || !VEC_PUSH(&s->explicit_res, p) || !comp_map_put(&s->explicit_map, rid, (uint32_t)s->explicit_res.len - 1))
        return oom();
    }
  }
  return NULL;
}

/* Name grammar, export-name restrictions, resource-function rules and strong uniqueness. */
static weld_error_t *check_extern_name(comp_vctx_t *v, comp_namectx_t *cx, comp_strset_t *keys, const comp_extern_t *prev_items,
                                       uint8_t dir, comp_name_t name, const comp_entity_t *e, uint32_t index, size_t off) {
  comp_parsed_name_t pn;
  weld_error_t *err = comp_parse_extern_name(name, off, &pn);
  if (err) {
    if (strncmp(weld_error_message(err), COMP_NOT_SUPPORTED, strlen(COMP_NOT_SUPPORTED)) == 0) return err;
    return base_error_wrap(err, "%s name `%.*s` is not a valid extern name", dir_name(dir), (int)name.len, name.s);
  }
  if (dir == DIR_EXPORT && (pn.kind == COMP_NAME_DEPENDENCY || pn.kind == COMP_NAME_URL || pn.kind == COMP_NAME_HASH))
    return comp_verr(off, "name `%.*s` is not a valid export name", (int)name.len, name.s);
  err = comp_check_name_type(v->T, cx, &pn, e->kind, e->type, off);
  if (err) return base_error_wrap(err, "%s name `%.*s` is not valid", dir_name(dir), (int)name.len, name.s);
  comp_name_t key;
  if (!comp_name_key(v->A, &pn, &key)) return oom();
  uint32_t prev;
  bool is_oom;
  if (!comp_strset_add(keys, key.s, key.len, index, &prev, &is_oom)) {
    if (is_oom) return oom();
    comp_name_t pv = prev_items[prev].name;
    return comp_verr(off, "%s name `%.*s` conflicts with previous name `%.*s`", dir_name(dir), (int)name.len, name.s,
                     (int)pv.len, pv.s);
  }
  return NULL;
}

/* Resources defined in this scope (locally or by instantiating) cannot appear in its
 * imports, and may appear in an export only once they have been exported themselves. */
static bool rid_defined_here(void *cx, uint32_t rid) { return comp_map_has(&((comp_scope_t *)cx)->defined_map, rid); }
static bool rid_defined_unexported(void *cx, uint32_t rid) {
  comp_scope_t *s = cx;
  return comp_map_has(&s->defined_map, rid) && !comp_map_has(&s->explicit_map, rid);
}

static weld_error_t *check_local_resources(comp_vctx_t *v, comp_scope_t *s, uint8_t dir, const comp_entity_t *e, size_t off) {
  if (s->defined_res.len == 0) return NULL;
  weld_error_t *err = NULL;
  bool hit = comp_entity_refers_to(v, e, dir == DIR_IMPORT ? rid_defined_here : rid_defined_unexported, s, off, &err);
  if (err) return err;
  if (hit)
    return comp_verr(off, dir == DIR_IMPORT ? "local resource type found in imports"
                                            : "local resource type found in export but not exported itself");
  return NULL;
}

weld_error_t *comp_add_extern(comp_vctx_t *v, comp_scope_t *s, uint8_t dir, comp_name_t name, comp_entity_t ent,
                              uint32_t item, size_t off) {
  /* Index space (and the resources an instance type brings along). */
  switch (ent.kind) {
  case COMP_E_MODULE: TRY(comp_sp_push(v, s, COMP_SORT_CORE_MODULE, item, 0, ent.type, off)); break;
  case COMP_E_COMPONENT: TRY(comp_sp_push(v, s, COMP_SORT_COMPONENT, item, 0, ent.type, off)); break;
  case COMP_E_INSTANCE:
    TRY(prepare_instance(v, s, &ent.type, dir, off));
    TRY(comp_sp_push(v, s, COMP_SORT_INSTANCE, item, 0, ent.type, off));
    break;
  case COMP_E_FUNC: TRY(comp_sp_push(v, s, COMP_SORT_FUNC, item, 0, ent.type, off)); break;
  case COMP_E_VALUE:
    TRY(comp_values_enabled(v, off));
    TRY(comp_sp_push(v, s, COMP_SORT_VALUE, item, 0, ent.type, off));
    s->value_used.data[s->value_used.len - 1] = dir == DIR_EXPORT;
    break;
  case COMP_E_TYPE: TRY(comp_sp_push(v, s, COMP_SORT_TYPE, item, 0, ent.type, off)); break;
  }
  TRY(check_named(v, s, dir, name, &ent, off));
  bool imp = dir == DIR_IMPORT;
  uint32_t k = (uint32_t)(imp ? s->imports.len : s->exports.len);
  if (k >= (imp ? WELD_MAX_IMPORTS : WELD_MAX_EXPORTS)) return comp_verr(off, "too many %ss", dir_name(dir));
  TRY(check_extern_name(v, imp ? &s->import_ctx : &s->export_ctx, imp ? &s->import_keys : &s->export_keys,
                        imp ? s->imports.data : s->exports.data, dir, name, &ent, k, off));
  comp_extern_t x = {name, ent};
  if (!(imp ? VEC_PUSH(&s->imports, x) : VEC_PUSH(&s->exports, x))) return oom();
  if (!imp) TRY(register_explicit(v, s, &ent, k));
  TRY(check_local_resources(v, s, dir, &ent, off));
  s->type_size += comp_entity_size(v->T, &ent);
  if (s->type_size > WELD_MAX_TYPE_SIZE)
    return comp_verr(off, "effective type size exceeds the limit of %u", WELD_MAX_TYPE_SIZE);
  return NULL;
}

/* `sortidx` of a definition -> the entity it is (for exports and instantiation
 * arguments).  Exported types get a fresh id when `alias_types`. */
static weld_error_t *sortidx_entity(comp_vctx_t *v, comp_scope_t *s, comp_sortidx_t si, bool alias_types, size_t off,
                                    comp_entity_t *e) {
  e->referenced = COMP_NO_TYPE;
  switch (si.sort) {
  case COMP_SORT_CORE_MODULE: e->kind = COMP_E_MODULE; return comp_sp_get(v, s, si.sort, si.idx, off, &e->type);
  case COMP_SORT_FUNC: e->kind = COMP_E_FUNC; return comp_sp_get(v, s, si.sort, si.idx, off, &e->type);
  case COMP_SORT_COMPONENT: e->kind = COMP_E_COMPONENT; return comp_sp_get(v, s, si.sort, si.idx, off, &e->type);
  case COMP_SORT_INSTANCE: e->kind = COMP_E_INSTANCE; return comp_sp_get(v, s, si.sort, si.idx, off, &e->type);
  case COMP_SORT_VALUE: e->kind = COMP_E_VALUE; return use_value(v, s, si.idx, off, &e->type);
  case COMP_SORT_TYPE:
    e->kind = COMP_E_TYPE;
    TRY(comp_sp_get(v, s, si.sort, si.idx, off, &e->referenced));
    if (!alias_types) {
      e->type = e->referenced;
      return NULL;
    }
    return comp_type_alias(v->T, e->referenced, off, &e->type);
  }
  return comp_verr(off, "a %s cannot be exported or passed to a component (only core modules among core sorts)",
                   comp_sort_name(si.sort));
}

static weld_error_t *export_item(comp_vctx_t *v, comp_scope_t *s, const comp_export_t *x, uint32_t item, size_t off) {
  comp_entity_t e;
  TRY(sortidx_entity(v, s, x->item, true, off, &e));
  if (x->has_type) {
    comp_entity_t expected;
    TRY(comp_check_type_ref(v, s, &x->desc, DIR_EXPORT, off, &expected));
    weld_error_t *err = comp_entity_subtype(v, &e, &expected, off);
    if (err) return base_error_wrap(err, "ascribed type of export is not compatible with item's type");
    e = expected;
  }
  return comp_add_extern(v, s, DIR_EXPORT, x->name, e, item, off);
}

/* ---------------------------------------------------------------- aliases */

static uint8_t sort_of_entity(uint8_t ekind) {
  switch (ekind) {
  case COMP_E_MODULE: return COMP_SORT_CORE_MODULE;
  case COMP_E_FUNC: return COMP_SORT_FUNC;
  case COMP_E_VALUE: return COMP_SORT_VALUE;
  case COMP_E_TYPE: return COMP_SORT_TYPE;
  case COMP_E_COMPONENT: return COMP_SORT_COMPONENT;
  default: return COMP_SORT_INSTANCE;
  }
}

static uint8_t core_sort_of(uint8_t tkind) {
  switch (tkind) {
  case COMP_T_CORE_FUNC: return COMP_SORT_CORE_FUNC;
  case COMP_T_CORE_TABLE: return COMP_SORT_CORE_TABLE;
  case COMP_T_CORE_MEMORY: return COMP_SORT_CORE_MEMORY;
  case COMP_T_CORE_GLOBAL: return COMP_SORT_CORE_GLOBAL;
  default: return COMP_SORT_CORE_TAG;
  }
}

static const char *core_sort_word(uint8_t sort) {
  switch (sort) {
  case COMP_SORT_CORE_FUNC: return "func";
  case COMP_SORT_CORE_TABLE: return "table";
  case COMP_SORT_CORE_MEMORY: return "memory";
  case COMP_SORT_CORE_GLOBAL: return "global";
  case COMP_SORT_CORE_TAG: return "tag";
  default: return comp_sort_name(sort);
  }
}

weld_error_t *comp_alias(comp_vctx_t *v, comp_scope_t *s, const comp_alias_t *a, uint32_t item, size_t off) {
  comp_typeid_t t;
  if (a->target == COMP_ALIAS_EXPORT) {
    if (comp_sort_is_core(a->sort) && a->sort != COMP_SORT_CORE_MODULE)
      return comp_verr(off, "export aliases of core %ss are not allowed (use a core export alias)", core_sort_word(a->sort));
    TRY(comp_sp_get(v, s, COMP_SORT_INSTANCE, a->instance, off, &t));
    const comp_instance_type_t *I = comp_type(v->T, t)->u.inst;
    uint32_t i = comp_lookup(I->exports, I->sorted, I->nexports, a->name.s, a->name.len);
    if (i == UINT32_MAX)
      return comp_verr(off, "instance %u has no export named `%.*s`", a->instance, (int)a->name.len, a->name.s);
    const comp_entity_t *e = &I->exports[i].ent;
    if (sort_of_entity(e->kind) != a->sort)
      return comp_verr(off, "export `%.*s` for instance %u is not a %s", (int)a->name.len, a->name.s, a->instance,
                       a->sort == COMP_SORT_CORE_MODULE ? "module" : comp_sort_name(a->sort));
    if (a->sort == COMP_SORT_VALUE) TRY(comp_values_enabled(v, off));
    return comp_sp_push(v, s, a->sort, item, 0, e->type, off);
  }
  if (a->target == COMP_ALIAS_CORE_EXPORT) {
    if (!comp_sort_is_core(a->sort) || a->sort == COMP_SORT_CORE_TYPE || a->sort == COMP_SORT_CORE_MODULE ||
        a->sort == COMP_SORT_CORE_INSTANCE)
      return comp_verr(off, "core export aliases may only refer to core funcs, tables, memories, globals and tags");
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_INSTANCE, a->instance, off, &t));
    const comp_type_t *ci = comp_type(v->T, t);
    uint32_t i = comp_core_lookup(ci->u.core_inst.exports, ci->u.core_inst.sorted, ci->u.core_inst.nexports, a->name.s, a->name.len);
    if (i == UINT32_MAX)
      return comp_verr(off, "core instance %u has no export named `%.*s`", a->instance, (int)a->name.len, a->name.s);
    comp_typeid_t et = ci->u.core_inst.exports[i].type;
    if (core_sort_of(comp_type_kind(v->T, et)) != a->sort)
      return comp_verr(off, "export `%.*s` for core instance %u is not a %s", (int)a->name.len, a->name.s, a->instance,
                       core_sort_word(a->sort));
    return comp_sp_push(v, s, a->sort, item, 0, et, off);
  }
  /* outer */
  if (a->sort != COMP_SORT_CORE_MODULE && a->sort != COMP_SORT_CORE_TYPE && a->sort != COMP_SORT_TYPE &&
      a->sort != COMP_SORT_COMPONENT)
    return comp_verr(off, "outer aliases may only refer to core modules, core types, types and components (not %s)",
                     comp_sort_name(a->sort));
  uint32_t depth = (uint32_t)v->scopes.len;
  if (a->outer_count >= depth) return comp_verr(off, "invalid outer alias count of %u", a->outer_count);
  comp_scope_t *target = v->scopes.data[depth - 1 - a->outer_count];
  TRY(comp_sp_get(v, target, a->sort, a->outer_idx, off, &t));
  if (a->sort == COMP_SORT_TYPE && a->outer_count > 0 && v->scopes.data[depth - a->outer_count]->kind == SCOPE_COMPONENT) {
    /* Crossing a component boundary: components stay self-contained with respect to
     * resources (resources are generative). */
    weld_error_t *err = NULL;
    bool free_res = comp_has_free_resources(v, t, off, &err);
    if (err) return err;
    if (free_res)
      return comp_verr(off, "cannot alias outer type which transitively refers to resources not defined in the current component");
  }
  return comp_sp_push(v, s, a->sort, item, 0, t, off);
}

/* ---------------------------------------------------------------- core instances */

static weld_error_t *core_instance(comp_vctx_t *v, comp_scope_t *s, const comp_core_instance_def_t *d, size_t off,
                                   comp_typeid_t *out) {
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_CORE_INSTANCE;
  if (d->instantiate) {
    comp_typeid_t mt;
    if (d->module >= s->sp[COMP_SORT_CORE_MODULE].len)
      return comp_verr(off, "unknown module %u: module index out of bounds", d->module);
    mt = s->sp[COMP_SORT_CORE_MODULE].data[d->module].type;
    comp_strset_t names = {0};
    weld_error_t *err = NULL;
    for (uint32_t i = 0; i < d->n && !err; i++) {
      comp_typeid_t it;
      uint32_t prev;
      bool is_oom;
      err = comp_sp_get(v, s, COMP_SORT_CORE_INSTANCE, d->args[i].instance, off, &it);
      if (!err && !comp_strset_add(&names, d->args[i].name.s, d->args[i].name.len, i, &prev, &is_oom))
        err = is_oom ? oom()
                     : comp_verr(off, "duplicate module instantiation argument named `%.*s`", (int)d->args[i].name.len,
                                 d->args[i].name.s);
    }
    const comp_type_t *m = comp_type(v->T, mt);
    for (uint32_t i = 0; i < m->u.module.nimports && !err; i++) {
      const comp_core_import_t *imp = &m->u.module.imports[i];
      uint32_t ai;
      if (!comp_strset_find(&names, imp->module.s, imp->module.len, &ai)) {
        err = comp_verr(off, "missing module instantiation argument named `%.*s`", (int)imp->module.len, imp->module.s);
        break;
      }
      comp_typeid_t it = s->sp[COMP_SORT_CORE_INSTANCE].data[d->args[ai].instance].type;
      const comp_type_t *ci = comp_type(v->T, it);
      uint32_t ei = comp_core_lookup(ci->u.core_inst.exports, ci->u.core_inst.sorted, ci->u.core_inst.nexports, imp->name.s,
                                     imp->name.len);
      if (ei == UINT32_MAX) {
        err = comp_verr(off, "module instantiation argument `%.*s` does not export an item named `%.*s`", (int)imp->module.len,
                        imp->module.s, (int)imp->name.len, imp->name.s);
        break;
      }
      err = comp_core_extern_subtype(v, ci->u.core_inst.exports[ei].type, imp->type, off);
      if (err)
        err = base_error_wrap(err, "type mismatch for export `%.*s` of module instantiation argument `%.*s`", (int)imp->name.len,
                              imp->name.s, (int)imp->module.len, imp->module.s);
      m = comp_type(v->T, mt);
    }
    comp_strset_free(&names);
    if (err) return err;
    m = comp_type(v->T, mt);
    ty.u.core_inst.nexports = m->u.module.nexports;
    ty.u.core_inst.exports = m->u.module.exports;
    ty.u.core_inst.sorted = m->u.module.esorted;
    return comp_type_add(v->T, &ty, off, out);
  }
  comp_core_export_t *ex = comp_arena_array(v->A, d->n ? d->n : 1, sizeof *ex);
  if (!ex) return oom();
  comp_strset_t names = {0};
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < d->n && !err; i++) {
    uint8_t sort = d->exports[i].item.sort;
    if (sort == COMP_SORT_CORE_TYPE || sort == COMP_SORT_CORE_MODULE || sort == COMP_SORT_CORE_INSTANCE || !comp_sort_is_core(sort)) {
      err = comp_verr(off, "core instance exports may only be funcs, tables, memories, globals and tags");
      break;
    }
    err = comp_sp_get(v, s, sort, d->exports[i].item.idx, off, &ex[i].type);
    ex[i].name = d->exports[i].name;
    uint32_t prev;
    bool is_oom;
    if (!err && !comp_strset_add(&names, ex[i].name.s, ex[i].name.len, i, &prev, &is_oom))
      err = is_oom ? oom() : comp_verr(off, "export name `%.*s` already defined", (int)ex[i].name.len, ex[i].name.s);
  }
  comp_strset_free(&names);
  if (err) return err;
  ty.u.core_inst.nexports = d->n;
  ty.u.core_inst.exports = ex;
  ty.u.core_inst.sorted = comp_core_sort_names(v->A, ex, d->n);
  if (!ty.u.core_inst.sorted) return oom();
  return comp_type_add(v->T, &ty, off, out);
}

/* ---------------------------------------------------------------- instances */

static weld_error_t *instantiate(comp_vctx_t *v, comp_scope_t *s, const comp_instance_def_t *d, size_t off, comp_typeid_t *out) {
  comp_typeid_t ct;
  if (d->component >= s->sp[COMP_SORT_COMPONENT].len)
    return comp_verr(off, "unknown component %u: component index out of bounds", d->component);
  ct = s->sp[COMP_SORT_COMPONENT].data[d->component].type;
  comp_extern_t *args = comp_arena_array(v->A, d->n ? d->n : 1, sizeof *args);
  if (!args) return oom();
  comp_strset_t names = {0};
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < d->n && !err; i++) {
    uint32_t prev;
    bool is_oom;
    args[i].name = d->args[i].name;
    err = sortidx_entity(v, s, d->args[i].item, false, off, &args[i].ent);
    if (!err && !comp_strset_add(&names, args[i].name.s, args[i].name.len, i, &prev, &is_oom))
      err = is_oom ? oom()
                   : comp_verr(off, "instantiation argument `%.*s` conflicts with previous argument `%.*s`", (int)args[i].name.len,
                               args[i].name.s, (int)args[prev].name.len, args[prev].name.s);
  }
  comp_strset_free(&names);
  if (err) return err;
  comp_args_t A = {args, comp_sort_names(v->A, args, d->n), d->n};
  if (!A.sorted) return oom();
  comp_subst_t S;
  memset(&S, 0, sizeof S);
  err = comp_open_component(v, &A, ct, DIR_IMPORT, off, &S);
  const comp_component_type_t *C = comp_type(v->T, ct)->u.comp;
  /* The component's own resources are fresh in every instance; they belong to this scope
   * now (the instance was created here). */
  for (uint32_t i = 0; !err && i < C->ndefined; i++) {
    uint32_t fresh = comp_types_fresh_rid(v->T);
    if (!comp_map_put(&S.rids, C->defined[i].rid, fresh)) err = oom();
    else err = comp_scope_define_resource(s, fresh, false);
  }
  comp_map_clear(&S.memo);
  comp_extern_t *exports = NULL;
  comp_rpath_t *explicit_ = NULL;
  if (!err) {
    exports = comp_arena_array(v->A, C->nexports ? C->nexports : 1, sizeof *exports);
    if (!exports) err = oom();
  }
  for (uint32_t i = 0; !err && i < C->nexports; i++) {
    exports[i].name = C->exports[i].name;
    err = comp_subst_entity(v, &S, &C->exports[i].ent, off, &exports[i].ent);
    C = comp_type(v->T, ct)->u.comp;
  }
  if (!err) err = comp_subst_rpaths(v, &S, C->explicit_, C->nexplicit, off, &explicit_);
  if (!err) err = new_instance_type(v, exports, C->nexports, C->esorted, explicit_, C->nexplicit, off, out);
  comp_subst_free(&S);
  return err;
}

/* An instance made of other definitions (a "bag of exports"). */
static weld_error_t *instance_of_exports(comp_vctx_t *v, comp_scope_t *s, const comp_instance_def_t *d, size_t off,
                                         comp_typeid_t *out) {
  comp_extern_t *exports = comp_arena_array(v->A, d->n ? d->n : 1, sizeof *exports);
  if (!exports) return oom();
  comp_namectx_t cx;
  comp_strset_t keys = {0};
  VEC(comp_rpath_t) expl = {0};
  comp_map_t expl_map = {0};
  memset(&cx, 0, sizeof cx);
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < d->n && !err; i++) {
    comp_entity_t e;
    exports[i].name = d->exports[i].name;
    err = sortidx_entity(v, s, d->exports[i].item, true, off, &e);
    if (err) break;
    exports[i].ent = e;
    err = check_extern_name(v, &cx, &keys, exports, DIR_EXPORT, d->exports[i].name, &e, i, off);
    if (err) break;
    if (e.kind == COMP_E_TYPE && comp_type_kind(v->T, e.type) == COMP_T_RESOURCE) {
      if (!comp_namectx_register(&cx, e.type, d->exports[i].name)) err = oom();
      uint32_t rid = comp_type(v->T, e.type)->u.rid;
      if (!err && !comp_map_has(&expl_map, rid)) {
        comp_rpath_t p = {rid, 1, path_prepend(v, i, NULL, 0)};
        if (!p.path || !VEC_PUSH(&expl, p) || !comp_map_put(&expl_map, rid, (uint32_t)expl.len - 1)) err = oom();
      }
    } else if (e.kind == COMP_E_INSTANCE) {
      const comp_instance_type_t *I = comp_type(v->T, e.type)->u.inst;
      for (uint32_t j = 0; j < I->nexplicit && !err; j++) {
        uint32_t rid = I->explicit_[j].rid;
        if (comp_map_has(&expl_map, rid)) continue;
        comp_rpath_t p = {rid, I->explicit_[j].len + 1, path_prepend(v, i, I->explicit_[j].path, I->explicit_[j].len)};
        if (!p.path || !VEC_PUSH(&expl, p) || !comp_map_put(&expl_map, rid, (uint32_t)expl.len - 1)) err = oom();
      }
    }
  }
  comp_rpath_t *ex_res = NULL;
  if (!err) err = dup_rpaths(v, expl.data, expl.len, &ex_res);
  if (!err) err = new_instance_type(v, exports, d->n, NULL, ex_res, (uint32_t)expl.len, off, out);
  comp_namectx_free(&cx);
  comp_strset_free(&keys);
  VEC_FREE(&expl);
  comp_map_free(&expl_map);
  return err;
}

/* ---------------------------------------------------------------- start */

static weld_error_t *start(comp_vctx_t *v, comp_scope_t *s, const comp_start_t *d, uint32_t item, size_t off) {
  comp_typeid_t ft;
  TRY(comp_values_enabled(v, off));
  if (s->has_start) return comp_verr(off, "component cannot have more than one start function");
  s->has_start = true;
  TRY(comp_sp_get(v, s, COMP_SORT_FUNC, d->func, off, &ft));
  uint32_t np = comp_type(v->T, ft)->u.func.nparams;
  if (np != d->nargs)
    return comp_verr(off, "component start function requires %u arguments but was given %u", np, d->nargs);
  for (uint32_t i = 0; i < d->nargs; i++) {
    comp_typeid_t vt;
    TRY(use_value(v, s, d->args[i], off, &vt));
    weld_error_t *err = comp_type_subtype(v, vt, comp_type(v->T, ft)->u.func.params[i].type, off);
    if (err) return base_error_wrap(err, "type mismatch for component start function argument %u", i);
  }
  comp_typeid_t r = comp_type(v->T, ft)->u.func.result;
  uint32_t nr = r != COMP_NO_TYPE;
  if (d->nresults != nr)
    return comp_verr(off, "component start function has a result count of %u but the function type has a result count of %u",
                     d->nresults, nr);
  if (nr) TRY(comp_sp_push(v, s, COMP_SORT_VALUE, item, 0, r, off));
  return NULL;
}

/* ---------------------------------------------------------------- components */

static weld_error_t *validate_component(comp_vctx_t *v, comp_component_t *c);

static weld_error_t *validate_items(comp_vctx_t *v, comp_scope_t *s, comp_component_t *c) {
  for (uint32_t i = 0; i < c->nitems; i++) {
    comp_item_t *it = &c->items[i];
    size_t off = it->offset;
    comp_typeid_t t;
    switch (it->kind) {
    case COMP_ITEM_CORE_MODULE:
      TRY(comp_module_type_of(v, comp_core_module(&it->u.core_module), off, &t));
      TRY(comp_sp_push(v, s, COMP_SORT_CORE_MODULE, i, 0, t, off));
      break;
    case COMP_ITEM_CORE_INSTANCE:
      TRY(core_instance(v, s, &it->u.core_instance, off, &t));
      TRY(comp_sp_push(v, s, COMP_SORT_CORE_INSTANCE, i, 0, t, off));
      break;
    case COMP_ITEM_CORE_TYPE:
      TRY(comp_define_core_type(v, s, &it->u.core_type, &t));
      TRY(comp_sp_push(v, s, COMP_SORT_CORE_TYPE, i, 0, t, off));
      break;
    case COMP_ITEM_COMPONENT:
      TRY(validate_component(v, it->u.component));
      TRY(comp_sp_push(v, s, COMP_SORT_COMPONENT, i, 0, it->u.component->type, off));
      break;
    case COMP_ITEM_INSTANCE:
      if (it->u.instance.instantiate) TRY(instantiate(v, s, &it->u.instance, off, &t));
      else TRY(instance_of_exports(v, s, &it->u.instance, off, &t));
      TRY(comp_sp_push(v, s, COMP_SORT_INSTANCE, i, 0, t, off));
      break;
    case COMP_ITEM_ALIAS:
      TRY(comp_alias(v, s, &it->u.alias, i, off));
      break;
    case COMP_ITEM_TYPE:
      TRY(comp_define_type(v, s, &it->u.type, &t));
      TRY(comp_sp_push(v, s, COMP_SORT_TYPE, i, 0, t, off));
      break;
    case COMP_ITEM_CANON:
      TRY(comp_canon(v, s, &it->u.canon, i, off));
      break;
    case COMP_ITEM_START:
      TRY(start(v, s, &it->u.start, i, off));
      break;
    case COMP_ITEM_IMPORT: {
      comp_entity_t e;
      TRY(comp_check_type_ref(v, s, &it->u.import.desc, DIR_IMPORT, off, &e));
      TRY(comp_add_extern(v, s, DIR_IMPORT, it->u.import.name, e, i, off));
      break;
    }
    case COMP_ITEM_EXPORT:
      TRY(export_item(v, s, &it->u.export, i, off));
      break;
    }
  }
  for (size_t i = 0; i < s->value_used.len; i++)
    if (!s->value_used.data[i])
      return comp_verr(c->offset, "value index %zu was not used as part of an instantiation, start function, or export", i);
  return NULL;
}

static weld_error_t *validate_component(comp_vctx_t *v, comp_component_t *c) {
  comp_scope_t *s;
  TRY(comp_scope_push(v, SCOPE_COMPONENT, c, &s));
  weld_error_t *err = validate_items(v, s, c);
  if (!err) err = comp_finish_component_type(v, s, c->offset, &c->type);
  for (int k = 0; !err && k < COMP_SORT_COUNT; k++) {
    c->space[k].len = (uint32_t)s->sp[k].len;
    c->space[k].entries = comp_arena_dup(v->A, s->sp[k].data, s->sp[k].len * sizeof *s->sp[k].data);
    if (!c->space[k].entries && s->sp[k].len) err = oom();
  }
  comp_scope_pop(v);
  return err;
}

weld_error_t *comp_validate(comp_component_t *root, const comp_features_t *features) {
  comp_vctx_t v;
  memset(&v, 0, sizeof v);
  v.root = root;
  v.T = root->types;
  v.A = root->arena;
  v.features = features;
  weld_error_t *err = validate_component(&v, root);
  while (v.scopes.len) comp_scope_pop(&v);
  VEC_FREE(&v.scopes);
  return err;
}
