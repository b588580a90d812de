/* subst.c — type substitution and free resources (design/mvp/Explainer.md "instantiate":
 * "after each individual type-import is supplied via with, the actual type supplied is
 * immediately substituted for all uses of the import"; resource types are generative, so
 * an instance gets fresh resources for those its component defines).
 *
 * comp_subst_type rebuilds a type with resources (by rid) and types (by id) replaced,
 * sharing every subtree that does not change (so unchanged types keep their ids, which
 * matters for the "named types" rule), and memoizing per application so that a DAG is
 * rebuilt as a DAG: the same old node always maps to the same new node. */
#include "component/validate_internal.h"
#include "base/alloc.h"
#include <string.h>

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

void comp_subst_free(comp_subst_t *s) {
  comp_map_free(&s->rids);
  comp_map_free(&s->types);
  comp_map_free(&s->memo);
}

static uint32_t map_rid(const comp_subst_t *s, uint32_t rid) {
  uint32_t r;
  return comp_map_get(&s->rids, rid, &r) ? r : rid;
}

weld_error_t *comp_subst_rpaths(comp_vctx_t *v, comp_subst_t *s, const comp_rpath_t *in, uint32_t n, size_t off,
                                comp_rpath_t **out) {
  (void)off;
  comp_rpath_t *r = comp_arena_array(v->A, n ? n : 1, sizeof *r);
  if (!r) return base_error_oom();
  for (uint32_t i = 0; i < n; i++) {
    r[i] = in[i];
    r[i].rid = map_rid(s, in[i].rid);
  }
  *out = r;
  return NULL;
}

weld_error_t *comp_subst_entity(comp_vctx_t *v, comp_subst_t *s, const comp_entity_t *in, size_t off, comp_entity_t *out) {
  *out = *in;
  TRY(comp_subst_type(v, s, in->type, off, &out->type));
  if (in->kind == COMP_E_TYPE && in->referenced != COMP_NO_TYPE) {
    if (in->referenced == in->type) out->referenced = out->type;
    else TRY(comp_subst_type(v, s, in->referenced, off, &out->referenced));
  }
  return NULL;
}

static weld_error_t *subst_externs(comp_vctx_t *v, comp_subst_t *s, const comp_extern_t *in, uint32_t n, size_t off,
                                   comp_extern_t **out, bool *changed) {
  comp_extern_t *r = NULL;
  for (uint32_t i = 0; i < n; i++) {
    comp_entity_t e;
    TRY(comp_subst_entity(v, s, &in[i].ent, off, &e));
    if (!r && (e.type != in[i].ent.type || e.referenced != in[i].ent.referenced)) {
      r = comp_arena_array(v->A, n, sizeof *r);
      if (!r) return base_error_oom();
      memcpy(r, in, (size_t)i * sizeof *r);
    }
    if (r) {
      r[i].name = in[i].name;
      r[i].ent = e;
    }
  }
  if (r) *changed = true;
  *out = r ? r : (comp_extern_t *)in;
  return NULL;
}

static weld_error_t *subst_rpaths_if(comp_vctx_t *v, comp_subst_t *s, comp_rpath_t *in, uint32_t n, comp_rpath_t **out,
                                     bool *changed) {
  *out = in;
  for (uint32_t i = 0; i < n; i++) {
    if (map_rid(s, in[i].rid) != in[i].rid) {
      *changed = true;
      return comp_subst_rpaths(v, s, in, n, 0, out);
    }
  }
  return NULL;
}

static weld_error_t *subst_node(comp_vctx_t *v, comp_subst_t *s, comp_typeid_t id, size_t off, comp_typeid_t *out) {
  comp_type_t ty = *comp_type(v->T, id); /* copy: the arena may grow below */
  bool changed = false;
  comp_typeid_t c;
  switch (ty.kind) {
  case COMP_T_PRIM:
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
  case COMP_T_CORE_FUNC:
  case COMP_T_CORE_TABLE:
  case COMP_T_CORE_MEMORY:
  case COMP_T_CORE_GLOBAL:
  case COMP_T_CORE_TAG:
  case COMP_T_CORE_MODULE:
  case COMP_T_CORE_INSTANCE:
    *out = id;
    return NULL;
  case COMP_T_RESOURCE: {
    uint32_t r = map_rid(s, ty.u.rid);
    if (r == ty.u.rid) {
      *out = id;
      return NULL;
    }
    ty.u.rid = r;
    return comp_type_add(v->T, &ty, off, out);
  }
  case COMP_T_RECORD:
  case COMP_T_VARIANT: {
    comp_labeled_t *items = ty.u.fields.items;
    for (uint32_t i = 0; i < ty.u.fields.n; i++) {
      if (items[i].type == COMP_NO_TYPE) continue;
      TRY(comp_subst_type(v, s, items[i].type, off, &c));
      if (c != items[i].type) {
        if (!changed) {
          comp_labeled_t *n = comp_arena_dup(v->A, items, (size_t)ty.u.fields.n * sizeof *items);
          if (!n) return base_error_oom();
          items = n;
          changed = true;
        }
        items[i].type = c;
      }
    }
    ty.u.fields.items = items;
    break;
  }
  case COMP_T_LIST:
  case COMP_T_OPTION:
    TRY(comp_subst_type(v, s, ty.u.elem, off, &c));
    changed = c != ty.u.elem;
    ty.u.elem = c;
    break;
  case COMP_T_TUPLE: {
    comp_typeid_t *types = ty.u.tuple.types;
    for (uint32_t i = 0; i < ty.u.tuple.n; i++) {
      TRY(comp_subst_type(v, s, types[i], off, &c));
      if (c != types[i]) {
        if (!changed) {
          comp_typeid_t *n = comp_arena_dup(v->A, types, (size_t)ty.u.tuple.n * sizeof *types);
          if (!n) return base_error_oom();
          types = n;
          changed = true;
        }
        types[i] = c;
      }
    }
    ty.u.tuple.types = types;
    break;
  }
  case COMP_T_RESULT:
    if (ty.u.result.ok != COMP_NO_TYPE) {
      TRY(comp_subst_type(v, s, ty.u.result.ok, off, &c));
      changed |= c != ty.u.result.ok;
      ty.u.result.ok = c;
    }
    if (ty.u.result.err != COMP_NO_TYPE) {
      TRY(comp_subst_type(v, s, ty.u.result.err, off, &c));
      changed |= c != ty.u.result.err;
      ty.u.result.err = c;
    }
    break;
  case COMP_T_OWN:
  case COMP_T_BORROW:
    TRY(comp_subst_type(v, s, ty.u.resource, off, &c));
    changed = c != ty.u.resource;
    ty.u.resource = c;
    break;
  case COMP_T_FUNC: {
    comp_labeled_t *params = ty.u.func.params;
    for (uint32_t i = 0; i < ty.u.func.nparams; i++) {
      TRY(comp_subst_type(v, s, params[i].type, off, &c));
      if (c != params[i].type) {
        if (!changed) {
          comp_labeled_t *n = comp_arena_dup(v->A, params, (size_t)ty.u.func.nparams * sizeof *params);
          if (!n) return base_error_oom();
          params = n;
          changed = true;
        }
        params[i].type = c;
      }
    }
    ty.u.func.params = params;
    if (ty.u.func.result != COMP_NO_TYPE) {
      TRY(comp_subst_type(v, s, ty.u.func.result, off, &c));
      changed |= c != ty.u.func.result;
      ty.u.func.result = c;
    }
    break;
  }
  case COMP_T_INSTANCE: {
    const comp_instance_type_t *I = ty.u.inst;
    comp_instance_type_t n = *I;
    TRY(subst_externs(v, s, I->exports, I->nexports, off, &n.exports, &changed));
    TRY(subst_rpaths_if(v, s, I->defined, I->ndefined, &n.defined, &changed));
    TRY(subst_rpaths_if(v, s, I->explicit_, I->nexplicit, &n.explicit_, &changed));
    if (changed) {
      comp_instance_type_t *p = comp_arena_dup(v->A, &n, sizeof n);
      if (!p) return base_error_oom();
      ty.u.inst = p;
    }
    break;
  }
  case COMP_T_COMPONENT: {
    const comp_component_type_t *C = ty.u.comp;
    comp_component_type_t n = *C;
    TRY(subst_externs(v, s, C->imports, C->nimports, off, &n.imports, &changed));
    TRY(subst_externs(v, s, C->exports, C->nexports, off, &n.exports, &changed));
    TRY(subst_rpaths_if(v, s, C->imported, C->nimported, &n.imported, &changed));
    TRY(subst_rpaths_if(v, s, C->defined, C->ndefined, &n.defined, &changed));
    TRY(subst_rpaths_if(v, s, C->explicit_, C->nexplicit, &n.explicit_, &changed));
    if (changed) {
      comp_component_type_t *p = comp_arena_dup(v->A, &n, sizeof n);
      if (!p) return base_error_oom();
      ty.u.comp = p;
    }
    break;
  }
  }
  if (!changed) {
    *out = id;
    return NULL;
  }
  return comp_type_add(v->T, &ty, off, out);
}

weld_error_t *comp_subst_type(comp_vctx_t *v, comp_subst_t *s, comp_typeid_t id, size_t off, comp_typeid_t *out) {
  uint32_t r;
  if (id == COMP_NO_TYPE || (s->rids.len == 0 && s->types.len == 0)) {
    *out = id;
    return NULL;
  }
  if (comp_map_get(&s->types, id, &r) || comp_map_get(&s->memo, id, &r)) {
    *out = r;
    return NULL;
  }
  if (!comp_types_charge(v->T, 1)) return comp_types_work_error(off);
  TRY(subst_node(v, s, id, off, out));
  if (!comp_map_put(&s->memo, id, *out)) return base_error_oom();
  return NULL;
}

/* ---------------------------------------------------------------- free resources */

typedef struct bound {
  VEC(uint32_t) rids;
  bool (*pred)(void *cx, uint32_t rid); /* which free resources count (NULL: all) */
  void *cx;
} bound_t;

static bool is_bound(const bound_t *b, uint32_t rid) {
  for (size_t i = b->rids.len; i-- > 0;)
    if (b->rids.data[i] == rid) return true;
  return false;
}

static int free_res(comp_vctx_t *v, bound_t *b, comp_typeid_t id);

static int free_entity(comp_vctx_t *v, bound_t *b, const comp_entity_t *e) {
  int r = free_res(v, b, e->type);
  if (r) return r;
  if (e->kind == COMP_E_TYPE && e->referenced != e->type) return free_res(v, b, e->referenced);
  return 0;
}

static int bind(bound_t *b, const comp_rpath_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (!VEC_PUSH(&b->rids, p[i].rid)) return -2;
  return 0;
}

/* 1: a free resource matching the predicate found, 0: none, -1: work limit, -2: OOM */
static int free_res(comp_vctx_t *v, bound_t *b, comp_typeid_t id) {
  if (id == COMP_NO_TYPE) return 0;
  if (!comp_types_charge(v->T, 1)) return -1;
  const comp_type_t *t = comp_type(v->T, id);
  int r = 0;
  switch (t->kind) {
  case COMP_T_RESOURCE:
    return !is_bound(b, t->u.rid) && (!b->pred || b->pred(b->cx, t->u.rid));
  case COMP_T_OWN:
  case COMP_T_BORROW:
    return free_res(v, b, t->u.resource);
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    for (uint32_t i = 0; !r && i < t->u.fields.n; i++) r = free_res(v, b, comp_type(v->T, id)->u.fields.items[i].type);
    return r;
  case COMP_T_LIST:
  case COMP_T_OPTION:
    return free_res(v, b, t->u.elem);
  case COMP_T_TUPLE:
    for (uint32_t i = 0; !r && i < t->u.tuple.n; i++) r = free_res(v, b, comp_type(v->T, id)->u.tuple.types[i]);
    return r;
  case COMP_T_RESULT: {
    comp_typeid_t err = t->u.result.err;
    r = free_res(v, b, t->u.result.ok);
    return r ? r : free_res(v, b, err);
  }
  case COMP_T_FUNC: {
    comp_typeid_t res = t->u.func.result;
    for (uint32_t i = 0; !r && i < t->u.func.nparams; i++) r = free_res(v, b, comp_type(v->T, id)->u.func.params[i].type);
    return r ? r : free_res(v, b, res);
  }
  case COMP_T_INSTANCE: {
    const comp_instance_type_t *I = t->u.inst;
    size_t mark = b->rids.len;
    if ((r = bind(b, I->defined, I->ndefined))) return r;
    for (uint32_t i = 0; !r && i < I->nexports; i++) r = free_entity(v, b, &I->exports[i].ent);
    b->rids.len = mark;
    return r;
  }
  case COMP_T_COMPONENT: {
    const comp_component_type_t *C = t->u.comp;
    size_t mark = b->rids.len;
    if ((r = bind(b, C->imported, C->nimported)) || (r = bind(b, C->defined, C->ndefined))) return r;
    for (uint32_t i = 0; !r && i < C->nimports; i++) r = free_entity(v, b, &C->imports[i].ent);
    for (uint32_t i = 0; !r && i < C->nexports; i++) r = free_entity(v, b, &C->exports[i].ent);
    b->rids.len = mark;
    return r;
  }
  default:
    return 0;
  }
}

static bool finish_free(int r, size_t off, weld_error_t **err) {
  if (r == -1) *err = comp_types_work_error(off);
  else if (r == -2) *err = base_error_oom();
  return r == 1;
}

bool comp_has_free_resources(comp_vctx_t *v, comp_typeid_t id, size_t off, weld_error_t **err) {
  bound_t b = {{0}, NULL, NULL};
  int r = free_res(v, &b, id);
  VEC_FREE(&b.rids);
  return finish_free(r, off, err);
}

bool comp_entity_refers_to(comp_vctx_t *v, const comp_entity_t *e, bool (*pred)(void *cx, uint32_t rid), void *cx, size_t off,
                           weld_error_t **err) {
  bound_t b = {{0}, pred, cx};
  int r = free_entity(v, &b, e);
  VEC_FREE(&b.rids);
  return finish_free(r, off, err);
}
