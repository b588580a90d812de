/* component_api.c — weld_component_*: a decoded, validated component (component.h, with its
 * core modules compiled) ready to be instantiated, plus its static instantiation plan
 * (crt.h comp_plan_t): for every definition, the positions that the Explainer's rules
 * resolve by name ("Alias Definitions": the export of an instance, "Instance Definitions":
 * the core instantiation arguments), computed once from the validated types so that
 * instantiation (instantiate.c) looks nothing up by name for what the component defines. */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/file.h"
#include "base/limits.h"
#include <string.h>

/* ---------------------------------------------------------------- plans */

static void plan_free(comp_plan_t *p) {
  if (!p) return;
  const comp_component_t *c = p->c;
  for (uint32_t i = 0; i < c->nitems; i++) {
    if (p->child && p->child[i]) plan_free(p->child[i]);
    if (p->cargs && p->cargs[i]) base_free(p->cargs[i], 0);
    if (p->lowered && p->lowered[i]) weld_functype_delete(p->lowered[i]);
    if (p->flat && p->flat[i]) base_free(p->flat[i], sizeof *p->flat[i]);
  }
  size_t n = c->nitems ? c->nitems : 1;
  base_free(p->slot, n * sizeof *p->slot);
  base_free(p->pos, n * sizeof *p->pos);
  base_free(p->cargs, n * sizeof *p->cargs);
  base_free(p->child, n * sizeof *p->child);
  base_free(p->lowered, n * sizeof *p->lowered);
  base_free(p->canon_type, n * sizeof *p->canon_type);
  base_free(p->flat, n * sizeof *p->flat);
  base_free(p->export_item, (p->nexports ? p->nexports : 1) * sizeof *p->export_item);
  base_free(p, sizeof *p);
}

static weld_functype_t *functype_of(const core_functype_t *f) {
  weld_valkind_t k[2 * 17 + 2];
  uint32_t n = f->nparams + f->nresults;
  if (n > sizeof k / sizeof k[0]) return NULL;
  for (uint32_t i = 0; i < n; i++) k[i] = core_type_to_valkind(f->types[i]);
  return weld_functype_new(k, f->nparams, k + f->nparams, f->nresults);
}

static const comp_type_t *space_type(const comp_component_t *c, const comp_types_t *T, uint8_t sort, uint32_t idx) {
  if (idx >= c->space[sort].len) return NULL;
  return comp_type(T, c->space[sort].entries[idx].type);
}

static weld_error_t *plan_build(const comp_component_t *c, const comp_types_t *T, comp_plan_t **out);

static weld_error_t *plan_items(comp_plan_t *p, const comp_component_t *c, const comp_types_t *T) {
  for (int k = 0; k < COMP_SORT_COUNT; k++) {
    p->counts[k] = c->space[k].len;
    for (uint32_t j = 0; j < c->space[k].len; j++) {
      const comp_index_t *e = &c->space[k].entries[j];
      if (e->item < c->nitems && e->sub == 0) p->slot[e->item] = j;
    }
  }
  uint32_t nexp = 0;
  for (uint32_t i = 0; i < c->nitems; i++) {
    const comp_item_t *it = &c->items[i];
    p->pos[i] = UINT32_MAX;
    p->canon_type[i] = COMP_NO_TYPE;
    switch (it->kind) {
    case COMP_ITEM_ALIAS: {
      const comp_alias_t *a = &it->u.alias;
      if (a->target == COMP_ALIAS_EXPORT) {
        const comp_type_t *t = space_type(c, T, COMP_SORT_INSTANCE, a->instance);
        if (!t || t->kind != COMP_T_INSTANCE) return base_error_at(it->offset, "alias of an unknown instance");
        p->pos[i] = comp_lookup(t->u.inst->exports, t->u.inst->sorted, t->u.inst->nexports, a->name.s, a->name.len);
      } else if (a->target == COMP_ALIAS_CORE_EXPORT) {
        const comp_type_t *t = space_type(c, T, COMP_SORT_CORE_INSTANCE, a->instance);
        if (!t || t->kind != COMP_T_CORE_INSTANCE) return base_error_at(it->offset, "alias of an unknown core instance");
        p->pos[i] = comp_core_lookup(t->u.core_inst.exports, t->u.core_inst.sorted, t->u.core_inst.nexports, a->name.s,
                                     a->name.len);
      } else {
        break;
      }
      if (p->pos[i] == UINT32_MAX) return base_error_at(it->offset, "alias target `%.*s` not found", (int)a->name.len, a->name.s);
      break;
    }
    case COMP_ITEM_CORE_INSTANCE: {
      const comp_core_instance_def_t *d = &it->u.core_instance;
      if (!d->instantiate) break;
      const comp_type_t *mt = space_type(c, T, COMP_SORT_CORE_MODULE, d->module);
      if (!mt || mt->kind != COMP_T_CORE_MODULE) return base_error_at(it->offset, "unknown module");
      uint32_t n = mt->u.module.nimports;
      comp_core_argpos_t *a = base_calloc(n ? n : 1, sizeof *a);
      if (!a) return base_error_oom();
      p->cargs[i] = a;
      for (uint32_t k = 0; k < n; k++) {
        const comp_core_import_t *imp = &space_type(c, T, COMP_SORT_CORE_MODULE, d->module)->u.module.imports[k];
        uint32_t ai = UINT32_MAX;
        for (uint32_t j = 0; j < d->n; j++)
          if (comp_name_eq(d->args[j].name, imp->module)) ai = j;
        if (ai == UINT32_MAX) return base_error_at(it->offset, "missing instantiation argument");
        const comp_type_t *ci = space_type(c, T, COMP_SORT_CORE_INSTANCE, d->args[ai].instance);
        if (!ci) return base_error_at(it->offset, "unknown core instance");
        a[k].inst = d->args[ai].instance;
        a[k].pos = comp_core_lookup(ci->u.core_inst.exports, ci->u.core_inst.sorted, ci->u.core_inst.nexports,
                                    imp->name.s, imp->name.len);
        if (a[k].pos == UINT32_MAX) return base_error_at(it->offset, "missing instantiation argument");
      }
      break;
    }
    case COMP_ITEM_COMPONENT: {
      weld_error_t *err = plan_build(it->u.component, T, &p->child[i]);
      if (err) return err;
      break;
    }
    case COMP_ITEM_CANON: {
      const comp_canon_t *cn = &it->u.canon;
      if (cn->kind == COMP_CANON_LIFT) {
        const comp_type_t *t = space_type(c, T, COMP_SORT_TYPE, cn->type);
        if (!t || t->kind != COMP_T_FUNC) return base_error_at(it->offset, "lift of an unknown type");
        p->canon_type[i] = c->space[COMP_SORT_TYPE].entries[cn->type].type;
        p->flat[i] = base_alloc(sizeof *p->flat[i]);
        if (!p->flat[i]) return base_error_oom();
        comp_flatsig_of(T, p->canon_type[i], p->flat[i]);
        break;
      }
      if (cn->kind == COMP_CANON_LOWER) {
        if (cn->func >= c->space[COMP_SORT_FUNC].len) return base_error_at(it->offset, "lower of an unknown function");
        p->canon_type[i] = c->space[COMP_SORT_FUNC].entries[cn->func].type;
        p->flat[i] = base_alloc(sizeof *p->flat[i]);
        if (!p->flat[i]) return base_error_oom();
        comp_flatsig_of(T, p->canon_type[i], p->flat[i]);
      }
      const comp_type_t *ct = space_type(c, T, COMP_SORT_CORE_FUNC, p->slot[i]);
      if (!ct || ct->kind != COMP_T_CORE_FUNC) return base_error_at(it->offset, "canonical definition without a core type");
      p->lowered[i] = functype_of(&ct->u.core_func);
      if (!p->lowered[i]) return base_error_oom();
      break;
    }
    case COMP_ITEM_EXPORT: p->pos[i] = nexp++; break;
    default: break;
    }
  }
  p->nexports = nexp;
  p->export_item = base_calloc(nexp ? nexp : 1, sizeof *p->export_item);
  if (!p->export_item) return base_error_oom();
  for (uint32_t i = 0, k = 0; i < c->nitems; i++)
    if (c->items[i].kind == COMP_ITEM_EXPORT) p->export_item[k++] = i;
  return NULL;
}

static weld_error_t *plan_build(const comp_component_t *c, const comp_types_t *T, comp_plan_t **out) {
  *out = NULL;
  comp_plan_t *p = base_calloc(1, sizeof *p);
  if (!p) return base_error_oom();
  p->c = c;
  size_t n = c->nitems ? c->nitems : 1;
  p->slot = base_alloc(n * sizeof *p->slot);
  p->pos = base_alloc(n * sizeof *p->pos);
  p->cargs = base_calloc(n, sizeof *p->cargs);
  p->child = base_calloc(n, sizeof *p->child);
  p->lowered = base_calloc(n, sizeof *p->lowered);
  p->canon_type = base_alloc(n * sizeof *p->canon_type);
  p->flat = base_calloc(n, sizeof *p->flat);
  weld_error_t *err = NULL;
  if (!p->slot || !p->pos || !p->cargs || !p->child || !p->lowered || !p->canon_type || !p->flat) err = base_error_oom();
  if (!err) {
    for (size_t i = 0; i < n; i++) p->slot[i] = UINT32_MAX;
    err = plan_items(p, c, T);
  }
  if (err) {
    plan_free(p);
    return err;
  }
  *out = p;
  return NULL;
}

/* ---------------------------------------------------------------- restrictions */

/* Like wasmtime (whose execution tests expect these as validation errors), weld does not
 * accept at the root of a component: component imports (a host cannot supply a
 * component), component exports, and exporting a function that is one of the root's
 * imports, directly or through exported instances built from definitions
 * (re-exports of imports are not implemented by wasmtime; a component that needs one
 * can lift a lowered function instead).  The analysis follows exports and aliases
 * statically, up to a bounded depth. */

#define RESTRICT_DEPTH 200

static const comp_item_t *entry_item(const comp_component_t *c, uint8_t sort, uint32_t idx) {
  if (idx >= c->space[sort].len) return NULL;
  uint32_t it = c->space[sort].entries[idx].item;
  return it < c->nitems ? &c->items[it] : NULL;
}

static bool instance_is_import(const comp_component_t *c, uint32_t idx, unsigned depth) {
  const comp_item_t *it = entry_item(c, COMP_SORT_INSTANCE, idx);
  if (!it || depth > RESTRICT_DEPTH) return false;
  if (it->kind == COMP_ITEM_IMPORT) return true;
  if (it->kind == COMP_ITEM_EXPORT) return instance_is_import(c, it->u.export.item.idx, depth + 1);
  if (it->kind == COMP_ITEM_ALIAS && it->u.alias.target == COMP_ALIAS_EXPORT)
    return instance_is_import(c, it->u.alias.instance, depth + 1);
  return false;
}

static bool func_is_import(const comp_component_t *c, uint32_t idx, unsigned depth) {
  const comp_item_t *it = entry_item(c, COMP_SORT_FUNC, idx);
  if (!it || depth > RESTRICT_DEPTH) return false;
  if (it->kind == COMP_ITEM_IMPORT) return true;
  if (it->kind == COMP_ITEM_EXPORT) return func_is_import(c, it->u.export.item.idx, depth + 1);
  if (it->kind != COMP_ITEM_ALIAS || it->u.alias.target != COMP_ALIAS_EXPORT) return false;
  const comp_alias_t *a = &it->u.alias;
  if (instance_is_import(c, a->instance, depth + 1)) return true;
  const comp_item_t *ii = entry_item(c, COMP_SORT_INSTANCE, a->instance);
  if (!ii || ii->kind != COMP_ITEM_INSTANCE || ii->u.instance.instantiate) return false;
  for (uint32_t k = 0; k < ii->u.instance.n; k++) {
    const comp_inline_export_t *x = &ii->u.instance.exports[k];
    if (comp_name_eq(x->name, a->name) && x->item.sort == COMP_SORT_FUNC) return func_is_import(c, x->item.idx, depth + 1);
  }
  return false;
}

static bool type_has_funcs(const comp_types_t *T, comp_typeid_t id, unsigned depth) {
  const comp_type_t *t = comp_type(T, id);
  if (t->kind != COMP_T_INSTANCE || depth > RESTRICT_DEPTH) return false;
  for (uint32_t i = 0; i < t->u.inst->nexports; i++) {
    const comp_entity_t *e = &t->u.inst->exports[i].ent;
    if (e->kind == COMP_E_FUNC || (e->kind == COMP_E_INSTANCE && type_has_funcs(T, e->type, depth + 1))) return true;
  }
  return false;
}

/* An exported instance that is (or contains) an imported function. */
static bool instance_reexports(const comp_component_t *c, const comp_types_t *T, uint32_t idx, unsigned depth) {
  if (depth > RESTRICT_DEPTH || idx >= c->space[COMP_SORT_INSTANCE].len) return false;
  if (instance_is_import(c, idx, depth)) return type_has_funcs(T, c->space[COMP_SORT_INSTANCE].entries[idx].type, 0);
  const comp_item_t *it = entry_item(c, COMP_SORT_INSTANCE, idx);
  if (it && it->kind == COMP_ITEM_EXPORT) return instance_reexports(c, T, it->u.export.item.idx, depth + 1);
  if (!it || it->kind != COMP_ITEM_INSTANCE || it->u.instance.instantiate) return false;
  for (uint32_t k = 0; k < it->u.instance.n; k++) {
    comp_sortidx_t si = it->u.instance.exports[k].item;
    if (si.sort == COMP_SORT_FUNC && func_is_import(c, si.idx, depth + 1)) return true;
    if (si.sort == COMP_SORT_INSTANCE && instance_reexports(c, T, si.idx, depth + 1)) return true;
  }
  return false;
}

static weld_error_t *check_restrictions(const comp_component_t *root) {
  const comp_types_t *T = root->types;
  const comp_component_type_t *C = comp_type(T, root->type)->u.comp;
  for (uint32_t i = 0; i < C->nimports; i++)
    if (C->imports[i].ent.kind == COMP_E_COMPONENT)
      return base_error("root-level component imports are not supported (import `%.*s`)", (int)C->imports[i].name.len,
                        C->imports[i].name.s);
  for (uint32_t i = 0; i < root->nitems; i++) {
    const comp_item_t *it = &root->items[i];
    if (it->kind != COMP_ITEM_EXPORT) continue;
    const comp_export_t *x = &it->u.export;
    if (x->item.sort == COMP_SORT_COMPONENT)
      return base_error_at(it->offset, "exporting a component from the root component is not supported (export `%.*s`)",
                           (int)x->name.len, x->name.s);
    if ((x->item.sort == COMP_SORT_FUNC && func_is_import(root, x->item.idx, 0)) ||
        (x->item.sort == COMP_SORT_INSTANCE && instance_reexports(root, T, x->item.idx, 0)))
      return base_error_at(it->offset, "component export `%.*s` is a reexport of an imported function which is not implemented",
                           (int)x->name.len, x->name.s);
  }
  return NULL;
}

/* ---------------------------------------------------------------- components */

static bool is_core_module(const uint8_t *b, size_t n) {
  return n >= 8 && b[0] == 0 && b[1] == 'a' && b[2] == 's' && b[3] == 'm' && b[6] == 0 && b[7] == 0;
}

weld_error_t *weld_component_new(weld_engine_t *engine, const uint8_t *bytes, size_t len, weld_component_t **out) {
  if (out) *out = NULL;
  if (!engine || !out || (!bytes && len)) return base_error("weld_component_new: invalid argument");
  if (is_core_module(bytes, len))
    return base_error_at(0, "this is a core WebAssembly module, not a component (load it with weld_module_new)");
  comp_component_t *root = NULL;
  weld_error_t *err = comp_decode(engine, bytes ? bytes : (const uint8_t *)"", len, NULL, &root);
  if (err) return err;
  err = check_restrictions(root);
  if (err) {
    comp_component_free(root);
    return err;
  }
  weld_component_t *c = base_calloc(1, sizeof *c);
  if (!c) {
    comp_component_free(root);
    return base_error_oom();
  }
  c->engine = engine;
  c->root = root;
  atomic_init(&c->refs, 1);
  err = comp_ctypes_init(&c->ctypes, root->types);
  if (!err) {
    if (comp_layouts_init(&c->layouts, root->types)) {
      c->has_layouts = true;
      c->ctypes.L = &c->layouts;
    }
    else err = base_error_oom();
  }
  if (!err) err = plan_build(root, root->types, &c->plan);
  if (err) {
    weld_component_delete(c);
    return err;
  }
  *out = c;
  return NULL;
}

weld_error_t *weld_component_from_file(weld_engine_t *engine, const char *path, weld_component_t **out) {
  if (out) *out = NULL;
  if (!engine || !path || !out) return base_error("weld_component_from_file: invalid argument");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  weld_error_t *err = base_read_file(path, WELD_MAX_COMPONENT_BYTES, "component", &buf, &len, &cap);
  if (err) return err;
  if (!err) err = weld_component_new(engine, buf, len, out);
  if (err) err = base_error_wrap(err, "%s", path);
  base_free(buf, cap);
  return err;
}

void comp_component_ref(weld_component_t *c) { atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed); }

void comp_component_unref(weld_component_t *c) {
  if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1) return;
  plan_free(c->plan);
  if (c->has_layouts) comp_layouts_free(&c->layouts);
  comp_ctypes_free(&c->ctypes);
  comp_component_free(c->root);
  base_free(c, sizeof *c);
}

void weld_component_delete(weld_component_t *c) { comp_component_unref(c); }

const weld_ctype_t *weld_component_type(const weld_component_t *c) {
  if (!c) return NULL;
  return comp_ctype_view(&c->ctypes, c->root->type);
}
