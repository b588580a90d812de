/* validate_types.c — validation of type definitions (design/mvp/Explainer.md "Type
 * Definitions": defined value types, function types, resource types, component and
 * instance types with their declarators; core function and module types; Binary.md notes
 * on label uniqueness, non-empty types, at most 32 flags, no `borrow` in results, resource
 * destructors), producing nodes of the type arena (types.h). */
#include "component/validate_internal.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <string.h>

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

weld_error_t *comp_valtype(comp_vctx_t *v, comp_scope_t *s, comp_valref_t r, size_t off, comp_typeid_t *out) {
  if (r.is_prim) {
    if (r.v >= COMP_PRIM_COUNT) return comp_verr(off, "invalid primitive value type");
    *out = r.v;
    return NULL;
  }
  comp_typeid_t t;
  TRY(comp_sp_get(v, s, COMP_SORT_TYPE, r.v, off, &t));
  if (!comp_tkind_is_defined(comp_type_kind(v->T, t))) return comp_verr(off, "type index %u is not a defined type", r.v);
  *out = t;
  return NULL;
}

/* Labels of records, variants, flags, enums and function parameters: kebab-case,
 * non-empty, unique ignoring ASCII case (the folded keys live in one buffer). */
static weld_error_t *check_labels(const comp_label_ref_t *l, uint32_t n, const char *what, const char *prev_what, size_t off) {
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    comp_name_t nm = l[i].name;
    if (nm.len == 0) return comp_verr(off, "%s name cannot be empty", what);
    if (!comp_is_kebab(nm.s, nm.len)) return comp_verr(off, "%s name `%.*s` is not in kebab case", what, (int)nm.len, nm.s);
    total += nm.len;
  }
  char *buf = base_alloc(total ? total : 1);
  if (!buf) return base_error_oom();
  comp_strset_t folded = {0};
  weld_error_t *err = NULL;
  size_t pos = 0;
  for (uint32_t i = 0; i < n && !err; i++) {
    comp_name_t nm = l[i].name;
    char *k = buf + pos;
    for (uint32_t j = 0; j < nm.len; j++) k[j] = (char)(nm.s[j] >= 'A' && nm.s[j] <= 'Z' ? nm.s[j] - 'A' + 'a' : nm.s[j]);
    pos += nm.len;
    uint32_t prev;
    bool is_oom;
    if (!comp_strset_add(&folded, k, nm.len, i, &prev, &is_oom)) {
      if (is_oom) err = base_error_oom();
      else
        err = comp_verr(off, "%s name `%.*s` conflicts with previous %s name `%.*s`", what, (int)nm.len, nm.s, prev_what,
                        (int)l[prev].name.len, l[prev].name.s);
    }
  }
  comp_strset_free(&folded);
  base_free(buf, total ? total : 1);
  return err;
}

static weld_error_t *labeled_types(comp_vctx_t *v, comp_scope_t *s, const comp_typedef_t *t, comp_labeled_t **out) {
  comp_labeled_t *items = comp_arena_array(v->A, t->n ? t->n : 1, sizeof *items);
  if (!items) return base_error_oom();
  for (uint32_t i = 0; i < t->n; i++) {
    items[i].name = t->labels[i].name;
    items[i].type = COMP_NO_TYPE;
    if (t->labels[i].has_type) TRY(comp_valtype(v, s, t->labels[i].type, t->offset, &items[i].type));
  }
  *out = items;
  return NULL;
}

static weld_error_t *resource_of(comp_vctx_t *v, comp_scope_t *s, uint32_t idx, size_t off, comp_typeid_t *out) {
  comp_typeid_t t;
  TRY(comp_sp_get(v, s, COMP_SORT_TYPE, idx, off, &t));
  if (comp_type_kind(v->T, t) != COMP_T_RESOURCE) return comp_verr(off, "type index %u is not a resource type", idx);
  *out = t;
  return NULL;
}

static weld_error_t *type_decls(comp_vctx_t *v, comp_scope_t *s, const comp_typedef_t *t);

weld_error_t *comp_define_type(comp_vctx_t *v, comp_scope_t *s, const comp_typedef_t *t, comp_typeid_t *out) {
  size_t off = t->offset;
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  switch (t->kind) {
  case COMP_DEF_PRIM:
    ty.kind = COMP_T_PRIM;
    ty.u.prim = t->prim;
    break;
  case COMP_DEF_RECORD:
    if (t->n == 0) return comp_verr(off, "record type must have at least one field");
    TRY(check_labels(t->labels, t->n, "record field", "field", off));
    ty.kind = COMP_T_RECORD;
    ty.u.fields.n = t->n;
    TRY(labeled_types(v, s, t, &ty.u.fields.items));
    break;
  case COMP_DEF_VARIANT:
    if (t->n == 0) return comp_verr(off, "variant type must have at least one case");
    TRY(check_labels(t->labels, t->n, "variant case", "case", off));
    ty.kind = COMP_T_VARIANT;
    ty.u.fields.n = t->n;
    TRY(labeled_types(v, s, t, &ty.u.fields.items));
    break;
  case COMP_DEF_LIST:
  case COMP_DEF_OPTION:
    ty.kind = t->kind == COMP_DEF_LIST ? COMP_T_LIST : COMP_T_OPTION;
    TRY(comp_valtype(v, s, t->elem, off, &ty.u.elem));
    break;
  case COMP_DEF_TUPLE:
    if (t->n == 0) return comp_verr(off, "tuple type must have at least one type");
    ty.kind = COMP_T_TUPLE;
    ty.u.tuple.n = t->n;
    ty.u.tuple.types = comp_arena_array(v->A, t->n, sizeof *ty.u.tuple.types);
    if (!ty.u.tuple.types) return base_error_oom();
    for (uint32_t i = 0; i < t->n; i++) TRY(comp_valtype(v, s, t->types[i], off, &ty.u.tuple.types[i]));
    break;
  case COMP_DEF_FLAGS:
  case COMP_DEF_ENUM: {
    bool flags = t->kind == COMP_DEF_FLAGS;
    if (t->n == 0) return comp_verr(off, flags ? "flags must have at least one entry" : "enum type must have at least one variant");
    if (flags && t->n > WELD_MAX_FLAGS) return comp_verr(off, "cannot have more than %u flags", WELD_MAX_FLAGS);
    TRY(check_labels(t->labels, t->n, flags ? "flag" : "enum tag", flags ? "flag" : "tag", off));
    ty.kind = flags ? COMP_T_FLAGS : COMP_T_ENUM;
    ty.u.labels.n = t->n;
    ty.u.labels.names = comp_arena_array(v->A, t->n, sizeof *ty.u.labels.names);
    if (!ty.u.labels.names) return base_error_oom();
    for (uint32_t i = 0; i < t->n; i++) ty.u.labels.names[i] = t->labels[i].name;
    break;
  }
  case COMP_DEF_RESULT:
    ty.kind = COMP_T_RESULT;
    ty.u.result.ok = ty.u.result.err = COMP_NO_TYPE;
    if (t->has_ok) TRY(comp_valtype(v, s, t->ok, off, &ty.u.result.ok));
    if (t->has_err) TRY(comp_valtype(v, s, t->err, off, &ty.u.result.err));
    break;
  case COMP_DEF_OWN:
  case COMP_DEF_BORROW:
    ty.kind = t->kind == COMP_DEF_OWN ? COMP_T_OWN : COMP_T_BORROW;
    TRY(resource_of(v, s, t->elem.v, off, &ty.u.resource));
    break;
  case COMP_DEF_FUNC: {
    comp_label_ref_t *l = t->labels;
    for (uint32_t i = 0; i < t->n; i++)
      if (l[i].name.len == 0) return comp_verr(off, "function parameter name cannot be empty");
    TRY(check_labels(l, t->n, "function parameter", "parameter", off));
    ty.kind = COMP_T_FUNC;
    ty.u.func.nparams = t->n;
    TRY(labeled_types(v, s, t, &ty.u.func.params));
    ty.u.func.result = COMP_NO_TYPE;
    if (t->has_result) {
      TRY(comp_valtype(v, s, t->result, off, &ty.u.func.result));
      if (comp_type(v->T, ty.u.func.result)->flags & COMP_TF_BORROW)
        return comp_verr(off, "function result cannot contain a `borrow` type");
    }
    break;
  }
  case COMP_DEF_RESOURCE: {
    if (s->kind != SCOPE_COMPONENT) return comp_verr(off, "resources can only be defined within a concrete component");
    if (t->has_dtor) {
      comp_typeid_t ft;
      TRY(comp_sp_get(v, s, COMP_SORT_CORE_FUNC, t->dtor, off, &ft));
      const core_functype_t *f = &comp_type(v->T, ft)->u.core_func;
      if (f->nparams != 1 || f->nresults != 0 || f->types[0] != VT_I32)
        return comp_verr(off, "wrong signature for a destructor (expected (func (param i32)))");
    }
    TRY(comp_type_fresh_resource(v->T, off, out));
    return comp_scope_define_resource(s, comp_type(v->T, *out)->u.rid, true);
  }
  case COMP_DEF_COMPONENT:
  case COMP_DEF_INSTANCE: {
    comp_scope_t *inner;
    bool component = t->kind == COMP_DEF_COMPONENT;
    TRY(comp_scope_push(v, component ? SCOPE_COMPONENT_TYPE : SCOPE_INSTANCE_TYPE, NULL, &inner));
    weld_error_t *err = type_decls(v, inner, t);
    if (!err)
      err = component ? comp_finish_component_type(v, inner, off, out) : comp_finish_instance_type(v, inner, off, out);
    comp_scope_pop(v);
    return err;
  }
  default:
    return comp_verr(off, "invalid type definition");
  }
  return comp_type_add(v->T, &ty, off, out);
}

static weld_error_t *type_decls(comp_vctx_t *v, comp_scope_t *s, const comp_typedef_t *t) {
  for (uint32_t i = 0; i < t->n; i++) {
    const comp_decl_t *d = &t->decls[i];
    size_t off = d->offset;
    comp_typeid_t id;
    switch (d->kind) {
    case COMP_DECL_CORE_TYPE:
      TRY(comp_define_core_type(v, s, &d->core_type, &id));
      TRY(comp_sp_push(v, s, COMP_SORT_CORE_TYPE, i, 0, id, off));
      break;
    case COMP_DECL_TYPE:
      TRY(comp_define_type(v, s, &d->type, &id));
      TRY(comp_sp_push(v, s, COMP_SORT_TYPE, i, 0, id, off));
      break;
    case COMP_DECL_ALIAS: {
      const comp_alias_t *a = &d->alias;
      if (a->target == COMP_ALIAS_EXPORT && a->sort != COMP_SORT_TYPE && a->sort != COMP_SORT_INSTANCE)
        return comp_verr(off, "aliases in a component or instance type may only refer to types or instances");
      if (a->target == COMP_ALIAS_CORE_EXPORT)
        return comp_verr(off, "core export aliases are not allowed in a component or instance type");
      if (a->target == COMP_ALIAS_OUTER && a->sort != COMP_SORT_TYPE && a->sort != COMP_SORT_CORE_TYPE)
        return comp_verr(off, "outer aliases in a component or instance type may only refer to types and core types");
      TRY(comp_alias(v, s, a, i, off));
      break;
    }
    case COMP_DECL_IMPORT:
    case COMP_DECL_EXPORT: {
      uint8_t dir = d->kind == COMP_DECL_IMPORT ? DIR_IMPORT : DIR_EXPORT;
      comp_entity_t e;
      TRY(comp_check_type_ref(v, s, &d->desc, dir, off, &e));
      TRY(comp_add_extern(v, s, dir, d->name, e, i, off));
      break;
    }
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- core types */

weld_error_t *comp_core_func_type(comp_vctx_t *v, const uint8_t *params, uint32_t np, const uint8_t *results, uint32_t nr,
                                  size_t off, comp_typeid_t *out) {
  uint8_t *types = comp_arena_alloc(v->A, (size_t)np + nr);
  if (!types) return base_error_oom();
  if (np) memcpy(types, params, np);
  if (nr) memcpy(types + np, results, nr);
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_CORE_FUNC;
  ty.u.core_func.nparams = np;
  ty.u.core_func.nresults = nr;
  ty.u.core_func.types = types;
  return comp_type_add(v->T, &ty, off, out);
}

static weld_error_t *limits_node(comp_vctx_t *v, uint8_t kind, const comp_core_importdesc_t *d, size_t off, comp_typeid_t *out) {
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  comp_core_limits_t l = {d->min, d->has_max ? d->max : 0, d->has_max, d->shared, d->is64};
  if (d->has_max && d->min > d->max) return comp_verr(off, "size minimum must not be greater than maximum");
  if (kind == EXT_MEMORY) {
    uint64_t cap = d->is64 ? (1ull << 48) : 65536;
    if (d->min > cap || (d->has_max && d->max > cap))
      return comp_verr(off, d->is64 ? "memory size must be at most 2**48 pages" : "memory size must be at most 65536 pages (4GiB)");
    if (d->shared && !d->has_max) return comp_verr(off, "shared memory must have maximum size");
    ty.kind = COMP_T_CORE_MEMORY;
    ty.u.mem = l;
  } else {
    if (d->shared) return comp_verr(off, "tables cannot be shared");
    ty.kind = COMP_T_CORE_TABLE;
    ty.u.table.elem = d->elem;
    ty.u.table.limits = l;
  }
  return comp_type_add(v->T, &ty, off, out);
}

/* Core import/export descriptor of a module type -> a core extern type node.  `types`
 * is the module type's own type index space. */
static weld_error_t *importdesc_node(comp_vctx_t *v, const comp_core_importdesc_t *d, const comp_typeid_t *types, uint32_t ntypes,
                                     size_t off, comp_typeid_t *out) {
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  switch (d->kind) {
  case EXT_FUNC:
  case 4:
    if (d->idx >= ntypes) return comp_verr(off, "unknown type %u: type index out of bounds", d->idx);
    if (d->kind == EXT_FUNC) {
      *out = types[d->idx];
      return NULL;
    }
    if (comp_type(v->T, types[d->idx])->u.core_func.nresults != 0)
      return comp_verr(off, "invalid exception type: non-empty tag result type");
    ty.kind = COMP_T_CORE_TAG;
    ty.u.tag = types[d->idx];
    return comp_type_add(v->T, &ty, off, out);
  case EXT_TABLE:
  case EXT_MEMORY:
    return limits_node(v, d->kind, d, off, out);
  case EXT_GLOBAL:
    ty.kind = COMP_T_CORE_GLOBAL;
    ty.u.global.type = d->valtype;
    ty.u.global.mut = d->mut;
    return comp_type_add(v->T, &ty, off, out);
  }
  return comp_verr(off, "invalid core import descriptor");
}

/* Builds a module type node (imports indexed by module/name via a sorted index). */
typedef struct imp_key {
  comp_name_t m, n;
  uint32_t idx;
} imp_key_t;

static weld_error_t *module_node(comp_vctx_t *v, comp_core_import_t *imports, uint32_t ni, comp_core_export_t *exports,
                                 uint32_t ne, size_t off, comp_typeid_t *out) {
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_CORE_MODULE;
  ty.u.module.nimports = ni;
  ty.u.module.imports = imports;
  ty.u.module.nexports = ne;
  ty.u.module.exports = exports;
  ty.u.module.esorted = comp_core_sort_names(v->A, exports, ne);
  if (!ty.u.module.esorted) return base_error_oom();
  return comp_type_add(v->T, &ty, off, out);
}

/* Key of an import for duplicate detection: u32 length of module, module, name. */
static bool import_key(comp_arena_t *a, comp_name_t m, comp_name_t n, comp_name_t *key) {
  char *k = comp_arena_alloc(a, (size_t)4 + m.len + n.len);
  if (!k) return false;
  memcpy(k, &m.len, 4);
  if (m.len) memcpy(k + 4, m.s, m.len);
  if (n.len) memcpy(k + 4 + m.len, n.s, n.len);
  key->s = k;
  key->len = 4 + m.len + n.len;
  return true;
}

static weld_error_t *module_type_decls(comp_vctx_t *v, comp_scope_t *s, const comp_core_typedef_t *t, comp_typeid_t *out) {
  VEC(comp_typeid_t) types = {0};
  comp_core_import_t *imports = comp_arena_array(v->A, t->ndecls ? t->ndecls : 1, sizeof *imports);
  comp_core_export_t *exports = comp_arena_array(v->A, t->ndecls ? t->ndecls : 1, sizeof *exports);
  if (!imports || !exports) return base_error_oom();
  uint32_t ni = 0, ne = 0;
  comp_strset_t ikeys = {0}, ekeys = {0};
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < t->ndecls && !err; i++) {
    const comp_core_decl_t *d = &t->decls[i];
    size_t off = d->offset;
    comp_typeid_t id;
    uint32_t prev;
    bool is_oom;
    switch (d->kind) {
    case COMP_CDECL_TYPE:
      err = comp_core_func_type(v, d->func.types, d->func.nparams, d->func.types + d->func.nparams, d->func.nresults, off, &id);
      if (!err && !VEC_PUSH(&types, id)) err = base_error_oom();
      break;
    case COMP_CDECL_ALIAS:
      if (d->outer_count == 0) {
        if (d->outer_idx >= types.len) err = comp_verr(off, "unknown type %u: type index out of bounds", d->outer_idx);
        else id = types.data[d->outer_idx];
      } else if (d->outer_count <= v->scopes.len) {
        /* count 1 is the scope enclosing the module type (s), and so on outward */
        comp_scope_t *target = v->scopes.data[v->scopes.len - d->outer_count];
        (void)s;
        err = comp_sp_get(v, target, COMP_SORT_CORE_TYPE, d->outer_idx, off, &id);
        if (!err && comp_type_kind(v->T, id) != COMP_T_CORE_FUNC)
          err = comp_verr(off, "core type index %u is a module type and cannot be aliased into a module type", d->outer_idx);
      } else {
        err = comp_verr(off, "invalid outer alias count of %u", d->outer_count);
      }
      if (!err && !VEC_PUSH(&types, id)) err = base_error_oom();
      break;
    case COMP_CDECL_IMPORT: {
      comp_name_t key;
      err = importdesc_node(v, &d->desc, types.data, (uint32_t)types.len, off, &id);
      if (err) break;
      if (!import_key(v->A, d->module, d->name, &key)) {
        err = base_error_oom();
        break;
      }
      if (!comp_strset_add(&ikeys, key.s, key.len, ni, &prev, &is_oom)) {
        err = is_oom ? base_error_oom()
                     : comp_verr(off, "duplicate import name `%.*s:%.*s` already defined", (int)d->module.len, d->module.s,
                                 (int)d->name.len, d->name.s);
        break;
      }
      imports[ni].module = d->module;
      imports[ni].name = d->name;
      imports[ni].type = id;
      ni++;
      break;
    }
    case COMP_CDECL_EXPORT:
      err = importdesc_node(v, &d->desc, types.data, (uint32_t)types.len, off, &id);
      if (err) break;
      if (!comp_strset_add(&ekeys, d->name.s, d->name.len, ne, &prev, &is_oom)) {
        err = is_oom ? base_error_oom() : comp_verr(off, "export name `%.*s` already defined", (int)d->name.len, d->name.s);
        break;
      }
      exports[ne].name = d->name;
      exports[ne].type = id;
      ne++;
      break;
    }
  }
  VEC_FREE(&types);
  comp_strset_free(&ikeys);
  comp_strset_free(&ekeys);
  if (err) return err;
  return module_node(v, imports, ni, exports, ne, t->offset, out);
}

weld_error_t *comp_define_core_type(comp_vctx_t *v, comp_scope_t *s, const comp_core_typedef_t *t, comp_typeid_t *out) {
  if (!t->is_module)
    return comp_core_func_type(v, t->func.types, t->func.nparams, t->func.types + t->func.nparams, t->func.nresults, t->offset,
                               out);
  return module_type_decls(v, s, t, out);
}

/* The type of a decoded core module: its imports and exports (core spec §3.4.10). */
weld_error_t *comp_module_type_of(comp_vctx_t *v, const core_module_t *m, size_t off, comp_typeid_t *out) {
  comp_typeid_t *fts = base_alloc((m->ntypes ? m->ntypes : 1) * sizeof *fts);
  if (!fts) return base_error_oom();
  for (uint32_t i = 0; i < m->ntypes; i++) fts[i] = COMP_NO_TYPE;
  comp_core_import_t *imports = comp_arena_array(v->A, m->nimports ? m->nimports : 1, sizeof *imports);
  comp_core_export_t *exports = comp_arena_array(v->A, m->nexports ? m->nexports : 1, sizeof *exports);
  weld_error_t *err = imports && exports ? NULL : base_error_oom();
  /* One node per used function type, created on first use. */
#define FUNC_NODE(ti, dst)                                                                                       \
  do {                                                                                                           \
    if (fts[ti] == COMP_NO_TYPE) {                                                                               \
      const core_functype_t *f_ = &m->types[ti];                                                                 \
      comp_type_t ty_;                                                                                           \
      memset(&ty_, 0, sizeof ty_);                                                                               \
      ty_.kind = COMP_T_CORE_FUNC;                                                                               \
      ty_.u.core_func = *f_;                                                                                     \
      err = comp_type_add(v->T, &ty_, off, &fts[ti]);                                                            \
    }                                                                                                            \
    dst = fts[ti];                                                                                               \
  } while (0)
  /* Inside a component, a module's imports must be unique by (module, name), since
   * instantiation supplies them by name. */
  comp_strset_t keys = {0};
  for (uint32_t i = 0; i < m->nimports && !err; i++) {
    const core_import_t *ci = &m->imports[i];
    comp_name_t mn = {ci->module.s, ci->module.len}, nn = {ci->name.s, ci->name.len}, key;
    bool is_oom;
    if (!import_key(v->A, mn, nn, &key)) err = base_error_oom();
    else if (!comp_strset_add(&keys, key.s, key.len, i, NULL, &is_oom))
      err = is_oom ? base_error_oom()
                   : comp_verr(off, "duplicate import name `%.*s:%.*s` already defined", (int)mn.len, mn.s, (int)nn.len, nn.s);
  }
  comp_strset_free(&keys);
  for (uint32_t i = 0; i < m->nimports && !err; i++) {
    const core_import_t *ci = &m->imports[i];
    comp_core_importdesc_t d;
    memset(&d, 0, sizeof d);
    imports[i].module.s = ci->module.s;
    imports[i].module.len = ci->module.len;
    imports[i].name.s = ci->name.s;
    imports[i].name.len = ci->name.len;
    switch (ci->kind) {
    case EXT_FUNC: FUNC_NODE(ci->desc.func_type, imports[i].type); break;
    case EXT_TABLE:
      d.kind = EXT_TABLE;
      d.elem = ci->desc.table.elem;
      d.min = ci->desc.table.limits.min;
      d.max = ci->desc.table.limits.max;
      d.has_max = ci->desc.table.limits.has_max;
      err = limits_node(v, EXT_TABLE, &d, off, &imports[i].type);
      break;
    case EXT_MEMORY:
      d.kind = EXT_MEMORY;
      d.min = ci->desc.mem.limits.min;
      d.max = ci->desc.mem.limits.max;
      d.has_max = ci->desc.mem.limits.has_max;
      err = limits_node(v, EXT_MEMORY, &d, off, &imports[i].type);
      break;
    default:
      d.kind = EXT_GLOBAL;
      d.valtype = ci->desc.global.type;
      d.mut = ci->desc.global.mut;
      err = importdesc_node(v, &d, NULL, 0, off, &imports[i].type);
      break;
    }
  }
  for (uint32_t i = 0; i < m->nexports && !err; i++) {
    const core_export_t *ce = &m->exports[i];
    comp_core_importdesc_t d;
    memset(&d, 0, sizeof d);
    exports[i].name.s = ce->name.s;
    exports[i].name.len = ce->name.len;
    switch (ce->kind) {
    case EXT_FUNC: FUNC_NODE(m->func_types[ce->index], exports[i].type); break;
    case EXT_TABLE:
      d.elem = m->tables[ce->index].elem;
      d.min = m->tables[ce->index].limits.min;
      d.max = m->tables[ce->index].limits.max;
      d.has_max = m->tables[ce->index].limits.has_max;
      err = limits_node(v, EXT_TABLE, &d, off, &exports[i].type);
      break;
    case EXT_MEMORY:
      d.min = m->mems[ce->index].limits.min;
      d.max = m->mems[ce->index].limits.max;
      d.has_max = m->mems[ce->index].limits.has_max;
      err = limits_node(v, EXT_MEMORY, &d, off, &exports[i].type);
      break;
    default:
      d.kind = EXT_GLOBAL;
      d.valtype = m->globals[ce->index].type.type;
      d.mut = m->globals[ce->index].type.mut;
      err = importdesc_node(v, &d, NULL, 0, off, &exports[i].type);
      break;
    }
  }
#undef FUNC_NODE
  base_free(fts, (m->ntypes ? m->ntypes : 1) * sizeof *fts);
  if (err) return err;
  return module_node(v, imports, m->nimports, exports, m->nexports, off, out);
}
