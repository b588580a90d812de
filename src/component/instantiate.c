/* instantiate.c — instantiation of a component (design/mvp/Explainer.md "Instance
 * Definitions", "Alias Definitions", "Canonical Definitions", "Import and Export
 * Definitions"; the run-time counterpart of validate.c).
 *
 * comp_instantiate walks a component's items in binary order and builds, for each sort,
 * the run-time values of its index space (crt.h comp_frame_t) in the same order as the
 * validator built the static one: core modules (compiled with the component), core
 * instances (weld_instance_new with the arguments found through the plan), nested
 * components (closures over the enclosing frame, for outer aliases), component instances
 * (a nested frame, instantiated recursively with its arguments matched to its imports by
 * name), aliases, resource type definitions (a fresh run-time type per instance), canon
 * lift (a weld_cfunc_t), canon lower (a core function whose trampoline is in func.c),
 * resource.new/drop/rep (core functions calling resources.c), imports (the values given)
 * and exports.
 *
 * Resource identities are bound as described in crt.h. */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include <string.h>

/* ---------------------------------------------------------------- store state */

static void store_state_free(void *p) {
  comp_store_t *s = p;
  for (size_t i = 0; i < s->instances.len; i++) {
    weld_cinstance_t *ci = s->instances.data[i];
    comp_pre_unref(ci->pre);
    comp_component_unref(ci->component);
    base_free(ci, sizeof *ci);
  }
  /* Frames hold references to resource types whose handles live in other frames' tables:
   * free the tables of all frames first, then the frames. */
  for (size_t i = 0; i < s->frames.len; i++) comp_abi_inst_free(&s->frames.data[i]->abi);
  for (size_t i = 0; i < s->frames.len; i++) comp_frame_free(s->frames.data[i]);
  VEC_FREE(&s->instances);
  VEC_FREE(&s->frames);
  base_free(s, sizeof *s);
}

comp_store_t *comp_store_get(weld_store_t *store) {
  if (store->cm_state) return store->cm_state;
  comp_store_t *s = base_calloc(1, sizeof *s);
  if (!s) return NULL;
  store->cm_state = s;
  store->cm_state_free = store_state_free;
  return s;
}

/* ---------------------------------------------------------------- frames */

static weld_resource_type_t *frame_rtype_cb(void *env, uint32_t rid) { return comp_frame_rtype(env, rid); }

weld_resource_type_t *comp_frame_rtype(const comp_frame_t *f, uint32_t rid) {
  uint32_t k;
  if (!f || !comp_map_get(&f->rids, rid, &k)) return NULL;
  return f->rtypes.data[k];
}

bool comp_frame_bind(comp_frame_t *f, uint32_t rid, weld_resource_type_t *rt) {
  if (!rt || comp_map_has(&f->rids, rid)) return true;
  if (!VEC_PUSH(&f->rtypes, rt)) return false;
  comp_rtype_ref(rt);
  if (!comp_map_put(&f->rids, rid, (uint32_t)f->rtypes.len - 1)) return false;
  return true;
}

void comp_frame_free(comp_frame_t *f) {
  for (size_t i = 0; i < f->rtypes.len; i++) comp_rtype_unref(f->rtypes.data[i]);
  for (size_t i = 0; i < f->owned.len; i++) comp_rtype_unref(f->owned.data[i]);
  VEC_FREE(&f->rtypes);
  VEC_FREE(&f->owned);
  comp_map_free(&f->rids);
  comp_fmem_free(&f->mem);
  base_free(f, sizeof *f);
}

/* ---------------------------------------------------------------- frame memory */

struct comp_fchunk {
  comp_fchunk_t *next;
  size_t size;
  _Alignas(8) unsigned char data[];
};

void *comp_fmem_alloc(comp_fmem_t *m, size_t n) {
  size_t need = (n + 7) & ~(size_t)7;
  if (need < n) return NULL;
  if (!m->head || m->size - m->used < need) {
    size_t size = m->size ? m->size * 2 : 1024;
    if (size > 65536) size = 65536;
    if (size < need) size = need;
    comp_fchunk_t *c = base_alloc(sizeof *c + size);
    if (!c) return NULL;
    c->next = m->head;
    c->size = size;
    m->head = c;
    m->size = size;
    m->used = 0;
  }
  void *p = m->head->data + m->used;
  m->used += need;
  memset(p, 0, need);
  return p;
}

void *comp_fmem_array(comp_fmem_t *m, size_t count, size_t size) {
  size_t n;
  if (!base_mul_ok(count, size, &n)) return NULL;
  return comp_fmem_alloc(m, n);
}

void comp_fmem_free(comp_fmem_t *m) {
  for (comp_fchunk_t *c = m->head, *next; c; c = next) {
    next = c->next;
    base_free(c, sizeof *c + c->size);
  }
  memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- helpers */

typedef struct icx {
  comp_frame_t *f;
  const comp_plan_t *plan;
  const comp_component_t *c;
  const comp_types_t *T;
  weld_store_t *store;
  weld_trap_t **trap;
  comp_budget_t *budget;
} icx_t;

static weld_error_t *too_complex(void) {
  return base_error("instantiation is too complex (more than %u steps)", WELD_MAX_INSTANTIATION_WORK);
}

/* Charges n steps; false once over the budget. */
static bool charge(icx_t *x, uint64_t n) {
  x->budget->work += n;
  return x->budget->work <= WELD_MAX_INSTANTIATION_WORK;
}

static weld_error_t *oom(void) { return base_error_oom(); }

static comp_typeid_t space_type(const icx_t *x, uint8_t sort, uint32_t idx) {
  return x->c->space[sort].entries[idx].type;
}

/* Binds every resource reachable through instance value `ci` of static type `type`. */
static weld_error_t *bind_instance(icx_t *x, comp_typeid_t type, const comp_inst_t *ci) {
  const comp_type_t *t = comp_type(x->T, type);
  if (t->kind != COMP_T_INSTANCE || !ci) return NULL;
  const comp_instance_type_t *I = t->u.inst;
  if (!charge(x, I->nexplicit)) return too_complex();
  for (uint32_t i = 0; i < I->nexplicit; i++) {
    const comp_rpath_t *p = &I->explicit_[i];
    const comp_inst_t *cur = ci;
    weld_resource_type_t *rt = NULL;
    for (uint32_t k = 0; k < p->len && cur; k++) {
      if (p->path[k] >= cur->n) {
        cur = NULL;
        break;
      }
      const comp_rval_t *v = &cur->vals[p->path[k]];
      if (k + 1 == p->len) rt = v->rtype;
      else cur = v->inst;
    }
    if (rt && !comp_frame_bind(x->f, p->rid, rt)) return oom();
  }
  return NULL;
}

/* Binds the rid of a TYPE entry whose static type is a resource. */
static weld_error_t *bind_type(icx_t *x, comp_typeid_t type, weld_resource_type_t *rt) {
  const comp_type_t *t = comp_type(x->T, type);
  if (t->kind == COMP_T_RESOURCE && rt && !comp_frame_bind(x->f, t->u.rid, rt)) return oom();
  return NULL;
}

/* Pushes value v as entry `slot` of `sort` (with the bindings its type implies). */
static weld_error_t *put(icx_t *x, uint8_t sort, uint32_t slot, comp_rval_t v, size_t off) {
  if (slot == UINT32_MAX || slot >= x->plan->counts[sort]) return base_error_at(off, "internal error: no index for definition");
  x->f->sp[sort][slot] = v;
  if (sort == COMP_SORT_INSTANCE) return bind_instance(x, space_type(x, sort, slot), v.inst);
  if (sort == COMP_SORT_TYPE) return bind_type(x, space_type(x, sort, slot), v.rtype);
  return NULL;
}

static weld_extern_t extern_of(uint8_t sort, comp_rval_t v) {
  weld_extern_t e;
  memset(&e, 0, sizeof e);
  switch (sort) {
  case COMP_SORT_CORE_FUNC: e.kind = WELD_EXTERN_FUNC; e.of.func = v.core_func; break;
  case COMP_SORT_CORE_TABLE: e.kind = WELD_EXTERN_TABLE; e.of.table = v.table; break;
  case COMP_SORT_CORE_MEMORY: e.kind = WELD_EXTERN_MEMORY; e.of.memory = v.memory; break;
  default: e.kind = WELD_EXTERN_GLOBAL; e.of.global = v.global; break;
  }
  return e;
}

static comp_rval_t rval_of(const weld_extern_t *e) {
  comp_rval_t v;
  switch (e->kind) {
  case WELD_EXTERN_FUNC: v.core_func = e->of.func; break;
  case WELD_EXTERN_TABLE: v.table = e->of.table; break;
  case WELD_EXTERN_MEMORY: v.memory = e->of.memory; break;
  default: v.global = e->of.global; break;
  }
  return v;
}

/* ---------------------------------------------------------------- core instances */

/* The exports of core instance `inst` of module `m`, in the order of static type `type`. */
static weld_error_t *core_exports(icx_t *x, weld_instance_t *inst, const weld_module_t *m, comp_typeid_t type,
                                  comp_core_inst_t *out, size_t off) {
  const comp_type_t *t = comp_type(x->T, type);
  uint32_t n = t->u.core_inst.nexports;
  if (!charge(x, n)) return too_complex();
  out->n = n;
  out->inst = inst;
  out->ex = comp_fmem_array(&x->f->mem, n ? n : 1, sizeof *out->ex);
  if (!out->ex) return oom();
  for (uint32_t k = 0; k < n; k++) {
    const comp_core_export_t *want = &t->u.core_inst.exports[k];
    /* A module defined in this component exports exactly its type's list, in order (the
     * names are the same pointers); an imported one is searched by name. */
    if (k < m->m->nexports && m->m->exports[k].name.s == want->name.s) {
      const char *nm;
      size_t nl;
      weld_instance_export_nth(inst, k, &nm, &nl, &out->ex[k]);
    } else if (!weld_instance_export(inst, want->name.s, want->name.len, &out->ex[k])) {
      return base_error_at(off, "core module has no export `%.*s`", (int)want->name.len, want->name.s);
    }
  }
  return NULL;
}

static weld_error_t *core_instantiate(icx_t *x, uint32_t item, const comp_core_instance_def_t *d, size_t off,
                                      comp_core_inst_t *ci) {
  weld_module_t *m = x->f->sp[COMP_SORT_CORE_MODULE][d->module].module;
  if (!m) return base_error_at(off, "core module %u is not available", d->module);
  const core_module_t *cm = m->m;
  const comp_type_t *mt = comp_type(x->T, space_type(x, COMP_SORT_CORE_MODULE, d->module));
  weld_extern_t local[16];
  weld_extern_t *imports = cm->nimports <= 16 ? local : base_calloc(cm->nimports, sizeof *imports);
  if (!imports) return oom();
  weld_error_t *err = NULL;
  const comp_core_argpos_t *plan = x->plan->cargs[item];
  for (uint32_t i = 0; i < cm->nimports && !err; i++) {
    const core_import_t *ci_imp = &cm->imports[i];
    uint32_t inst_idx = UINT32_MAX, pos = UINT32_MAX;
    if (plan && i < mt->u.module.nimports && mt->u.module.imports[i].name.s == ci_imp->name.s &&
        mt->u.module.imports[i].module.s == ci_imp->module.s) {
      inst_idx = plan[i].inst;
      pos = plan[i].pos;
    } else {
      /* an imported module: find the argument and its export by name */
      for (uint32_t j = 0; j < d->n; j++)
        if (d->args[j].name.len == ci_imp->module.len && memcmp(d->args[j].name.s, ci_imp->module.s, ci_imp->module.len) == 0)
          inst_idx = d->args[j].instance;
      if (inst_idx != UINT32_MAX) {
        const comp_type_t *it = comp_type(x->T, space_type(x, COMP_SORT_CORE_INSTANCE, inst_idx));
        pos = comp_core_lookup(it->u.core_inst.exports, it->u.core_inst.sorted, it->u.core_inst.nexports, ci_imp->name.s,
                               ci_imp->name.len);
      }
    }
    const comp_core_inst_t *src = inst_idx == UINT32_MAX ? NULL : x->f->sp[COMP_SORT_CORE_INSTANCE][inst_idx].core_inst;
    if (!src || pos >= src->n) {
      err = base_error_at(off, "core instantiation: no argument for import `%.*s` `%.*s`", (int)ci_imp->module.len,
                          ci_imp->module.s, (int)ci_imp->name.len, ci_imp->name.s);
      break;
    }
    imports[i] = src->ex[pos];
  }
  weld_instance_t *inst = NULL;
  if (!err && ++x->budget->instances > WELD_MAX_INSTANTIATION_INSTANCES)
    err = base_error_at(off, "instantiation creates too many instances (more than %u)", WELD_MAX_INSTANTIATION_INSTANCES);
  if (!err) err = weld_instance_new(x->store, m, imports, cm->nimports, &inst, x->trap);
  if (imports != local) base_free(imports, cm->nimports * sizeof *imports);
  if (err) return base_error_wrap(err, "instantiating a core module (at byte 0x%zx)", off);
  if (*x->trap) return NULL;
  return core_exports(x, inst, m, space_type(x, COMP_SORT_CORE_INSTANCE, x->plan->slot[item]), ci, off);
}

/* ---------------------------------------------------------------- component instances */

/* A view of instance value `v` with the exports of instance type `want` (in its order),
 * for a nested component's import: the value given may export more, in another order. */
static weld_error_t *project(icx_t *x, const comp_inst_t *v, comp_typeid_t want, unsigned depth, comp_inst_t **out) {
  if (depth > WELD_MAX_COMPONENT_NESTING) return base_error("instances nested too deeply");
  const comp_instance_type_t *I = comp_type(x->T, want)->u.inst;
  if (!charge(x, I->nexports + 1)) return too_complex();
  comp_inst_t *ci = comp_fmem_alloc(&x->f->mem, sizeof *ci);
  comp_rval_t *vals = comp_fmem_array(&x->f->mem, I->nexports ? I->nexports : 1, sizeof *vals);
  if (!ci || !vals) return oom();
  ci->n = I->nexports;
  ci->ext = I->exports;
  ci->sorted = I->sorted;
  ci->vals = vals;
  ci->T = x->T;
  ci->frame = NULL;
  for (uint32_t i = 0; i < I->nexports; i++) {
    const comp_extern_t *e = &I->exports[i];
    uint32_t k = comp_lookup(v->ext, v->sorted, v->n, e->name.s, e->name.len);
    if (k == UINT32_MAX) {
      if (e->ent.kind == COMP_E_TYPE) continue; /* value types need no run-time value */
      return base_error("instance argument lacks export `%.*s`", (int)e->name.len, e->name.s);
    }
    vals[i] = v->vals[k];
    if (e->ent.kind == COMP_E_INSTANCE && vals[i].inst) {
      comp_inst_t *sub;
      weld_error_t *err = project(x, vals[i].inst, e->ent.type, depth + 1, &sub);
      if (err) return err;
      vals[i].inst = sub;
    }
  }
  *out = ci;
  return NULL;
}

static weld_error_t *instantiate_child(icx_t *x, const comp_instance_def_t *d, size_t off, comp_inst_t **out) {
  comp_closure_t *cl = x->f->sp[COMP_SORT_COMPONENT][d->component].comp;
  if (!cl) return base_error_at(off, "component %u is not available", d->component);
  const comp_component_t *cc = cl->plan->c;
  const comp_component_type_t *C = comp_type(x->T, cc->type)->u.comp;
  comp_rval_t *args = comp_fmem_array(&x->f->mem, C->nimports ? C->nimports : 1, sizeof *args);
  if (!args) return oom();
  for (uint32_t i = 0; i < C->nimports; i++) {
    const comp_extern_t *imp = &C->imports[i];
    const comp_inline_export_t *a = NULL;
    for (uint32_t j = 0; j < d->n && !a; j++)
      if (comp_name_eq(d->args[j].name, imp->name)) a = &d->args[j];
    if (!a) {
      if (imp->ent.kind == COMP_E_INSTANCE) { /* an instance that needs nothing */
        comp_inst_t empty;
        memset(&empty, 0, sizeof empty);
        weld_error_t *err = project(x, &empty, imp->ent.type, 0, &args[i].inst);
        if (err) return base_error_wrap(err, "instantiation argument `%.*s` (at byte 0x%zx)", (int)imp->name.len, imp->name.s, off);
        continue;
      }
      if (imp->ent.kind == COMP_E_TYPE && comp_type_kind(x->T, imp->ent.type) != COMP_T_RESOURCE) continue;
      return base_error_at(off, "missing instantiation argument `%.*s`", (int)imp->name.len, imp->name.s);
    }
    if (a->item.idx >= x->plan->counts[a->item.sort]) return base_error_at(off, "instantiation argument out of range");
    args[i] = x->f->sp[a->item.sort][a->item.idx];
    if (imp->ent.kind == COMP_E_INSTANCE && args[i].inst) {
      weld_error_t *err = project(x, args[i].inst, imp->ent.type, 0, &args[i].inst);
      if (err) return base_error_wrap(err, "instantiation argument `%.*s` (at byte 0x%zx)", (int)imp->name.len, imp->name.s, off);
    }
  }
  comp_frame_t *child;
  weld_error_t *err = comp_instantiate(x->store, x->f->component, cl->plan, cl->env, args, x->budget, &child, x->trap);
  if (err || *x->trap) return err;
  *out = child->exports;
  return NULL;
}

/* An instance made of definitions of this component (`instance` of inline exports). */
static weld_error_t *bag(icx_t *x, uint32_t slot, const comp_instance_def_t *d, comp_inst_t **out) {
  const comp_instance_type_t *I = comp_type(x->T, space_type(x, COMP_SORT_INSTANCE, slot))->u.inst;
  if (!charge(x, d->n + 1)) return too_complex();
  comp_inst_t *ci = comp_fmem_alloc(&x->f->mem, sizeof *ci);
  comp_rval_t *vals = comp_fmem_array(&x->f->mem, d->n ? d->n : 1, sizeof *vals);
  if (!ci || !vals) return oom();
  ci->n = d->n;
  ci->ext = I->exports;
  ci->sorted = I->sorted;
  ci->vals = vals;
  ci->T = x->T;
  ci->frame = x->f;
  for (uint32_t i = 0; i < d->n; i++) {
    comp_sortidx_t si = d->exports[i].item;
    if (si.idx >= x->plan->counts[si.sort]) return base_error("instance export out of range");
    vals[i] = x->f->sp[si.sort][si.idx];
  }
  *out = ci;
  return NULL;
}

/* ---------------------------------------------------------------- resource built-ins */

typedef struct rbuiltin {
  comp_frame_t *f;
  weld_resource_type_t *rt;
  uint8_t kind; /* COMP_CANON_RESOURCE_* */
} rbuiltin_t;

/* canon resource.new / resource.rep / resource.drop as slot-level core host functions
 * (runtime.h weld_func_t.raw): the argument and the result are slots[0]. */
static weld_trap_t *resource_builtin(void *env, weld_caller_t *caller, core_slot_t *slots) {
  (void)caller;
  rbuiltin_t *b = env;
  uint32_t v = slots[0].u32, out = 0;
  weld_trap_t *trap;
  switch (b->kind) {
  case COMP_CANON_RESOURCE_NEW:
    trap = comp_resource_new(&b->f->abi, b->rt, v, &out);
    if (!trap) slots[0].u64 = out;
    return trap;
  case COMP_CANON_RESOURCE_REP:
    trap = comp_resource_rep(&b->f->abi, b->rt, v, &out);
    if (!trap) slots[0].u64 = out;
    return trap;
  default: return comp_resource_drop(&b->f->abi, b->rt, v);
  }
}

static weld_trap_t *builtin_not_called(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                                       weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return comp_abi_trap("internal error: a resource built-in was called without its slot interface");
}

/* ---------------------------------------------------------------- items */

static weld_error_t *canon(icx_t *x, uint32_t i, const comp_canon_t *cn, size_t off) {
  comp_frame_t *f = x->f;
  uint32_t slot = x->plan->slot[i];
  comp_rval_t v;
  v.p = NULL;
  if (cn->kind == COMP_CANON_LIFT || cn->kind == COMP_CANON_LOWER) {
    comp_abi_opts_t o;
    memset(&o, 0, sizeof o);
    o.string_encoding = cn->opts.string_encoding;
    if (cn->opts.has_memory) o.memory = f->sp[COMP_SORT_CORE_MEMORY][cn->opts.memory].memory;
    if (cn->opts.has_realloc) o.realloc = f->sp[COMP_SORT_CORE_FUNC][cn->opts.realloc].core_func;
    if (cn->opts.has_post_return) o.post_return = f->sp[COMP_SORT_CORE_FUNC][cn->opts.post_return].core_func;
    comp_typeid_t ft = x->plan->canon_type[i];
    if (cn->kind == COMP_CANON_LIFT) {
      weld_cfunc_t *cf = comp_fmem_alloc(&f->mem, sizeof *cf);
      if (!cf) return oom();
      cf->kind = COMP_CFUNC_LIFTED;
      cf->T = x->T;
      cf->type = ft;
      cf->view = comp_ctype_view(&f->component->ctypes, ft);
      cf->L = &f->component->layouts;
      cf->frame = f;
      cf->core = f->sp[COMP_SORT_CORE_FUNC][cn->func].core_func;
      cf->opts = o;
      cf->flat = *x->plan->flat[i];
      cf->fast = cf->flat.ok && cf->flat.plain && (cf->flat.nr == 0 || cf->flat.rmask) && !o.post_return;
      v.func = cf;
      return put(x, COMP_SORT_FUNC, slot, v, off);
    }
    weld_cfunc_t *callee = f->sp[COMP_SORT_FUNC][cn->func].func;
    if (!callee) return base_error_at(off, "function %u is not available", cn->func);
    v.core_func = comp_lower_func(f, callee, ft, x->plan->lowered[i], x->plan->flat[i], &o);
    if (!v.core_func) return oom();
    return put(x, COMP_SORT_CORE_FUNC, slot, v, off);
  }
  rbuiltin_t *b = comp_fmem_alloc(&f->mem, sizeof *b);
  if (!b) return oom();
  b->f = f;
  b->kind = cn->kind;
  b->rt = f->sp[COMP_SORT_TYPE][cn->type].rtype;
  if (!b->rt) return base_error_at(off, "resource type %u is not available", cn->type);
  v.core_func = weld_func_new(x->store, x->plan->lowered[i], builtin_not_called, b, NULL);
  if (!v.core_func) return oom();
  v.core_func->raw = resource_builtin;
  return put(x, COMP_SORT_CORE_FUNC, slot, v, off);
}

static weld_error_t *alias(icx_t *x, uint32_t i, const comp_alias_t *a, size_t off) {
  comp_frame_t *f = x->f;
  comp_rval_t v;
  uint32_t pos = x->plan->pos[i];
  if (a->target == COMP_ALIAS_EXPORT) {
    const comp_inst_t *ci = f->sp[COMP_SORT_INSTANCE][a->instance].inst;
    if (!ci || pos >= ci->n) return base_error_at(off, "alias of a missing export `%.*s`", (int)a->name.len, a->name.s);
    v = ci->vals[pos];
  } else if (a->target == COMP_ALIAS_CORE_EXPORT) {
    const comp_core_inst_t *ci = f->sp[COMP_SORT_CORE_INSTANCE][a->instance].core_inst;
    if (!ci || pos >= ci->n) return base_error_at(off, "alias of a missing core export `%.*s`", (int)a->name.len, a->name.s);
    v = rval_of(&ci->ex[pos]);
  } else {
    const comp_frame_t *g = f;
    for (uint32_t k = 0; k < a->outer_count && g; k++) g = g->env;
    if (!g) return base_error_at(off, "outer alias beyond the outermost component");
    if (a->sort == COMP_SORT_CORE_TYPE) return NULL; /* no run-time value */
    const comp_space_t *sp = &g->plan->c->space[a->sort];
    if (a->outer_idx >= sp->len) return base_error_at(off, "outer alias out of range");
    v = g->sp[a->sort][a->outer_idx];
  }
  if (a->sort == COMP_SORT_CORE_TYPE) return NULL;
  return put(x, a->sort, x->plan->slot[i], v, off);
}

static weld_error_t *items(icx_t *x, const comp_rval_t *imports) {
  comp_frame_t *f = x->f;
  const comp_component_t *c = x->c;
  uint32_t nimport = 0;
  for (uint32_t i = 0; i < c->nitems; i++) {
    const comp_item_t *it = &c->items[i];
    size_t off = it->offset;
    uint32_t slot = x->plan->slot[i];
    comp_rval_t v;
    v.p = NULL;
    weld_error_t *err = NULL;
    switch (it->kind) {
    case COMP_ITEM_CORE_MODULE:
      v.module = it->u.core_module.compiled;
      if (!v.module) return base_error_at(off, "core module was not compiled");
      err = put(x, COMP_SORT_CORE_MODULE, slot, v, off);
      break;
    case COMP_ITEM_CORE_INSTANCE: {
      comp_core_inst_t *ci = comp_fmem_alloc(&f->mem, sizeof *ci);
      if (!ci) return oom();
      const comp_core_instance_def_t *d = &it->u.core_instance;
      if (d->instantiate) {
        err = core_instantiate(x, i, d, off, ci);
        if (err || *x->trap) return err;
      } else {
        ci->n = d->n;
        ci->ex = comp_fmem_array(&f->mem, d->n ? d->n : 1, sizeof *ci->ex);
        if (!ci->ex) return oom();
        for (uint32_t k = 0; k < d->n; k++) {
          comp_sortidx_t si = d->exports[k].item;
          if (si.sort > COMP_SORT_CORE_GLOBAL || si.idx >= x->plan->counts[si.sort])
            return base_error_at(off, COMP_NOT_SUPPORTED "core instance exports of this kind");
          ci->ex[k] = extern_of(si.sort, f->sp[si.sort][si.idx]);
        }
      }
      v.core_inst = ci;
      err = put(x, COMP_SORT_CORE_INSTANCE, slot, v, off);
      break;
    }
    case COMP_ITEM_CORE_TYPE: break;
    case COMP_ITEM_COMPONENT: {
      comp_closure_t *cl = comp_fmem_alloc(&f->mem, sizeof *cl);
      if (!cl) return oom();
      cl->plan = x->plan->child[i];
      cl->env = f;
      v.comp = cl;
      err = put(x, COMP_SORT_COMPONENT, slot, v, off);
      break;
    }
    case COMP_ITEM_INSTANCE: {
      const comp_instance_def_t *d = &it->u.instance;
      err = d->instantiate ? instantiate_child(x, d, off, &v.inst) : bag(x, slot, d, &v.inst);
      if (err || *x->trap) return err;
      err = put(x, COMP_SORT_INSTANCE, slot, v, off);
      break;
    }
    case COMP_ITEM_ALIAS: err = alias(x, i, &it->u.alias, off); break;
    case COMP_ITEM_TYPE:
      if (it->u.type.kind == COMP_DEF_RESOURCE) {
        weld_func_t *dtor = it->u.type.has_dtor ? f->sp[COMP_SORT_CORE_FUNC][it->u.type.dtor].core_func : NULL;
        v.rtype = comp_rtype_new_guest(&f->abi, dtor, NULL);
        if (!v.rtype || !VEC_PUSH(&f->owned, v.rtype)) {
          comp_rtype_unref(v.rtype);
          return oom();
        }
      }
      err = put(x, COMP_SORT_TYPE, slot, v, off);
      break;
    case COMP_ITEM_CANON: err = canon(x, i, &it->u.canon, off); break;
    case COMP_ITEM_START: return base_error_at(off, COMP_NOT_SUPPORTED "component start functions (values)");
    case COMP_ITEM_IMPORT: {
      const comp_externdesc_t *dsc = &it->u.import.desc;
      uint8_t sort = dsc->kind == COMP_DESC_MODULE      ? COMP_SORT_CORE_MODULE
                     : dsc->kind == COMP_DESC_FUNC      ? COMP_SORT_FUNC
                     : dsc->kind == COMP_DESC_VALUE     ? COMP_SORT_VALUE
                     : dsc->kind == COMP_DESC_TYPE      ? COMP_SORT_TYPE
                     : dsc->kind == COMP_DESC_COMPONENT ? COMP_SORT_COMPONENT
                                                        : COMP_SORT_INSTANCE;
      if (sort == COMP_SORT_VALUE) return base_error_at(off, COMP_NOT_SUPPORTED "value imports");
      v = imports[nimport++];
      err = put(x, sort, slot, v, off);
      break;
    }
    case COMP_ITEM_EXPORT: {
      comp_sortidx_t si = it->u.export.item;
      if (si.sort == COMP_SORT_VALUE) return base_error_at(off, COMP_NOT_SUPPORTED "value exports");
      if (si.idx >= x->plan->counts[si.sort]) return base_error_at(off, "export out of range");
      v = f->sp[si.sort][si.idx];
      err = put(x, si.sort, slot, v, off);
      if (!err) f->exports->vals[x->plan->pos[i]] = v;
      break;
    }
    default: return base_error_at(off, "unknown definition");
    }
    if (err) return err;
  }
  return NULL;
}

weld_error_t *comp_instantiate(weld_store_t *store, weld_component_t *component, const comp_plan_t *plan,
                               comp_frame_t *env, const comp_rval_t *imports, comp_budget_t *budget, comp_frame_t **out,
                               weld_trap_t **trap) {
  *out = NULL;
  budget->work += plan->c->nitems + plan->nexports;
  if (budget->work > WELD_MAX_INSTANTIATION_WORK) return too_complex();
  if (++budget->instances > WELD_MAX_INSTANTIATION_INSTANCES)
    return base_error("instantiation creates too many instances (more than %u)", WELD_MAX_INSTANTIATION_INSTANCES);
  comp_store_t *ss = comp_store_get(store);
  if (!ss || !VEC_RESERVE(&ss->frames, 1)) return oom();
  uint32_t depth = 0;
  for (comp_frame_t *g = env; g; g = g->env) depth++;
  if (depth > WELD_MAX_COMPONENT_NESTING) return base_error("components instantiated too deeply");
  comp_frame_t *f = base_calloc(1, sizeof *f);
  if (!f) return oom();
  ss->frames.data[ss->frames.len++] = f; /* freed with the store, even if this fails */
  comp_abi_inst_init(&f->abi, store);
  f->abi.resource_type = frame_rtype_cb;
  f->abi.resource_env = f;
  f->store = store;
  f->component = component;
  f->plan = plan;
  f->env = env;
  for (int k = 0; k < COMP_SORT_COUNT; k++) {
    f->sp[k] = comp_fmem_array(&f->mem, plan->counts[k] ? plan->counts[k] : 1, sizeof *f->sp[k]);
    if (!f->sp[k]) return oom();
  }
  const comp_types_t *T = component->root->types;
  const comp_component_type_t *C = comp_type(T, plan->c->type)->u.comp;
  comp_inst_t *ex = comp_fmem_alloc(&f->mem, sizeof *ex);
  if (!ex) return oom();
  ex->n = C->nexports;
  ex->ext = C->exports;
  ex->sorted = C->esorted;
  ex->T = T;
  ex->frame = f;
  ex->vals = comp_fmem_array(&f->mem, C->nexports ? C->nexports : 1, sizeof *ex->vals);
  if (!ex->vals) return oom();
  f->exports = ex;
  icx_t x = {f, plan, plan->c, T, store, trap, budget};
  /* While its definitions run (core start functions), the instance is on the call stack:
   * calling its own lifted functions then traps ("cannot enter component instance"). */
  f->abi.on_stack = true;
  weld_error_t *err = items(&x, imports);
  f->abi.on_stack = false;
  if (err || *trap) return err;
  *out = f;
  return NULL;
}

/* ---------------------------------------------------------------- instance_pre */

weld_error_t *weld_instance_pre_instantiate(weld_instance_pre_t *p, weld_store_t *store, weld_cinstance_t **out,
                                            weld_trap_t **trap) {
  if (out) *out = NULL;
  if (trap) *trap = NULL;
  if (!p || !store || !out || !trap) return base_error("weld_instance_pre_instantiate: invalid argument");
  if (store->engine != p->engine) return base_error("weld_instance_pre_instantiate: the store belongs to another engine");
  if (p->store && p->store != store)
    return base_error("weld_instance_pre_instantiate: the linked component instances live in another store");
  comp_store_t *ss = comp_store_get(store);
  if (!ss || !VEC_RESERVE(&ss->instances, 1)) return oom();
  weld_cinstance_t *ci = base_calloc(1, sizeof *ci);
  if (!ci) return oom();
  comp_frame_t *f;
  comp_budget_t budget = {0, 0};
  weld_error_t *err = comp_instantiate(store, p->component, p->component->plan, NULL, p->imports, &budget, &f, trap);
  if (err || *trap) {
    base_free(ci, sizeof *ci);
    return err;
  }
  ci->store = store;
  ci->component = p->component;
  comp_component_ref(p->component);
  ci->frame = f;
  ci->pre = p;
  atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
  ss->instances.data[ss->instances.len++] = ci;
  *out = ci;
  return NULL;
}
