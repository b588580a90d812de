/* ctype_api.c — reflection over component types (include/weld/component.h "types"):
 * the public weld_ctype_t is a view of one node of a component's type arena (types.h;
 * design/mvp/Explainer.md "Type Definitions").
 *
 * Views are made once per type node when the component is created (comp_ctypes_init), so
 * every getter returns a borrowed pointer that lives as long as the component and never
 * allocates, except the NUL-terminated copies of member names, which are made on first
 * use and published with an atomic compare-and-swap (a component may be shared between
 * threads). */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/vec.h"
#include <stdio.h>
#include <string.h>

weld_error_t *comp_ctypes_init(comp_ctypes_t *u, const comp_types_t *T) {
  u->T = T;
  u->n = T->len;
  u->v = base_calloc(u->n ? u->n : 1, sizeof *u->v);
  if (!u->v) return base_error_oom();
  for (uint32_t i = 0; i < u->n; i++) {
    u->v[i].u = u;
    u->v[i].id = i;
  }
  return NULL;
}

static void free_names(char **names, uint32_t n) {
  if (!names) return;
  for (uint32_t i = 0; i < n; i++) base_free(names[i], 0);
  base_free(names, (size_t)n * sizeof *names);
}

void comp_ctypes_free(comp_ctypes_t *u) {
  if (!u->v) return;
  for (uint32_t i = 0; i < u->n; i++) {
    free_names(u->v[i].names, u->v[i].nnames);
    free_names(u->v[i].inames, u->v[i].ninames);
  }
  base_free(u->v, (size_t)(u->n ? u->n : 1) * sizeof *u->v);
  u->v = NULL;
}

const weld_ctype_t *comp_ctype_view(const comp_ctypes_t *u, comp_typeid_t id) {
  if (!u || id == COMP_NO_TYPE || id >= u->n) return NULL;
  return &u->v[id];
}

static const comp_type_t *node(const weld_ctype_t *t) { return comp_type(t->u->T, t->id); }

weld_ckind_t weld_ctype_kind(const weld_ctype_t *t) {
  if (!t) return 0;
  const comp_type_t *n = node(t);
  switch (n->kind) {
  case COMP_T_PRIM: return (weld_ckind_t)(WELD_CK_BOOL + n->u.prim);
  case COMP_T_RECORD: return WELD_CK_RECORD;
  case COMP_T_VARIANT: return WELD_CK_VARIANT;
  case COMP_T_LIST: return WELD_CK_LIST;
  case COMP_T_TUPLE: return WELD_CK_TUPLE;
  case COMP_T_FLAGS: return WELD_CK_FLAGS;
  case COMP_T_ENUM: return WELD_CK_ENUM;
  case COMP_T_OPTION: return WELD_CK_OPTION;
  case COMP_T_RESULT: return WELD_CK_RESULT;
  case COMP_T_OWN: return WELD_CK_OWN;
  case COMP_T_BORROW: return WELD_CK_BORROW;
  case COMP_T_FUNC: return WELD_CTYPE_FUNC;
  case COMP_T_RESOURCE: return WELD_CTYPE_RESOURCE;
  case COMP_T_INSTANCE: return WELD_CTYPE_INSTANCE;
  case COMP_T_COMPONENT: return WELD_CTYPE_COMPONENT;
  case COMP_T_CORE_MODULE: return WELD_CTYPE_MODULE;
  default: return 0;
  }
}

size_t weld_ctype_count(const weld_ctype_t *t) {
  if (!t) return 0;
  const comp_type_t *n = node(t);
  switch (n->kind) {
  case COMP_T_LIST:
  case COMP_T_OPTION:
  case COMP_T_OWN:
  case COMP_T_BORROW: return 1;
  case COMP_T_RESULT: return 2;
  case COMP_T_RECORD:
  case COMP_T_VARIANT: return n->u.fields.n;
  case COMP_T_TUPLE: return n->u.tuple.n;
  case COMP_T_FLAGS:
  case COMP_T_ENUM: return n->u.labels.n;
  case COMP_T_FUNC: return n->u.func.nparams;
  case COMP_T_INSTANCE: return n->u.inst->nexports;
  case COMP_T_COMPONENT: return n->u.comp->nexports;
  default: return 0;
  }
}

/* The names of a node's members (`imports`: the imports of a component type). */
static bool member_names(const comp_type_t *n, bool imports, const comp_name_t **plain, const comp_labeled_t **lab,
                         const comp_extern_t **ext, uint32_t *count) {
  *plain = NULL;
  *lab = NULL;
  *ext = NULL;
  *count = 0;
  if (imports) {
    if (n->kind != COMP_T_COMPONENT) return false;
    *ext = n->u.comp->imports;
    *count = n->u.comp->nimports;
    return true;
  }
  switch (n->kind) {
  case COMP_T_RECORD:
  case COMP_T_VARIANT: *lab = n->u.fields.items; *count = n->u.fields.n; return true;
  case COMP_T_FUNC: *lab = n->u.func.params; *count = n->u.func.nparams; return true;
  case COMP_T_FLAGS:
  case COMP_T_ENUM: *plain = n->u.labels.names; *count = n->u.labels.n; return true;
  case COMP_T_INSTANCE: *ext = n->u.inst->exports; *count = n->u.inst->nexports; return true;
  case COMP_T_COMPONENT: *ext = n->u.comp->exports; *count = n->u.comp->nexports; return true;
  default: return false;
  }
}

/* NUL-terminated copies of the member names, made on first use. */
static const char *name_at(const weld_ctype_t *t, size_t i, bool imports) {
  const comp_name_t *plain;
  const comp_labeled_t *lab;
  const comp_extern_t *ext;
  uint32_t count;
  if (!member_names(node(t), imports, &plain, &lab, &ext, &count) || i >= count) return NULL;
  weld_ctype_t *mt = (weld_ctype_t *)t; /* the lazily filled cache is not part of the value */
  char ***slot = imports ? &mt->inames : &mt->names;
  char **names = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
  if (!names) {
    names = base_calloc(count ? count : 1, sizeof *names);
    if (!names) return NULL;
    for (uint32_t k = 0; k < count; k++) {
      comp_name_t nm = plain ? plain[k] : lab ? lab[k].name : ext[k].name;
      names[k] = base_strndup(nm.s ? nm.s : "", nm.len);
      if (!names[k]) {
        free_names(names, count);
        return NULL;
      }
    }
    if (imports) mt->ninames = count;
    else mt->nnames = count;
    char **expected = NULL;
    if (!__atomic_compare_exchange_n(slot, &expected, names, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      free_names(names, count);
      names = expected;
    }
  }
  return names[i];
}

const char *weld_ctype_name(const weld_ctype_t *t, size_t i) { return t ? name_at(t, i, false) : NULL; }

/* The type an import/export entity denotes (for a type import/export: the created type). */
static comp_typeid_t entity_type(const comp_entity_t *e) { return e->type; }

const weld_ctype_t *weld_ctype_member(const weld_ctype_t *t, size_t i) {
  if (!t) return NULL;
  const comp_type_t *n = node(t);
  comp_typeid_t id = COMP_NO_TYPE;
  switch (n->kind) {
  case COMP_T_LIST:
  case COMP_T_OPTION:
    if (i == 0) id = n->u.elem;
    break;
  case COMP_T_OWN:
  case COMP_T_BORROW:
    if (i == 0) id = n->u.resource;
    break;
  case COMP_T_RESULT:
    if (i == 0) id = n->u.result.ok;
    else if (i == 1) id = n->u.result.err;
    break;
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    if (i < n->u.fields.n) id = n->u.fields.items[i].type;
    break;
  case COMP_T_TUPLE:
    if (i < n->u.tuple.n) id = n->u.tuple.types[i];
    break;
  case COMP_T_FUNC:
    if (i < n->u.func.nparams) id = n->u.func.params[i].type;
    break;
  case COMP_T_INSTANCE:
    if (i < n->u.inst->nexports) id = entity_type(&n->u.inst->exports[i].ent);
    break;
  case COMP_T_COMPONENT:
    if (i < n->u.comp->nexports) id = entity_type(&n->u.comp->exports[i].ent);
    break;
  default: break;
  }
  return comp_ctype_view(t->u, id);
}

size_t weld_ctype_result_count(const weld_ctype_t *t) {
  if (!t || node(t)->kind != COMP_T_FUNC) return 0;
  return node(t)->u.func.result != COMP_NO_TYPE;
}

const weld_ctype_t *weld_ctype_result(const weld_ctype_t *t, size_t i) {
  if (!t || node(t)->kind != COMP_T_FUNC || i != 0) return NULL;
  return comp_ctype_view(t->u, node(t)->u.func.result);
}

size_t weld_ctype_import_count(const weld_ctype_t *t) {
  if (!t || node(t)->kind != COMP_T_COMPONENT) return 0;
  return node(t)->u.comp->nimports;
}

const char *weld_ctype_import_name(const weld_ctype_t *t, size_t i) { return t ? name_at(t, i, true) : NULL; }

const weld_ctype_t *weld_ctype_import(const weld_ctype_t *t, size_t i) {
  if (!t || node(t)->kind != COMP_T_COMPONENT || i >= node(t)->u.comp->nimports) return NULL;
  return comp_ctype_view(t->u, entity_type(&node(t)->u.comp->imports[i].ent));
}

const weld_ctype_t *weld_ctype_export(const weld_ctype_t *t, const char *name) {
  if (!t || !name) return NULL;
  const comp_type_t *n = node(t);
  uint32_t len = (uint32_t)strlen(name), k;
  if (n->kind == COMP_T_INSTANCE) {
    const comp_instance_type_t *I = n->u.inst;
    k = comp_lookup(I->exports, I->sorted, I->nexports, name, len);
    return k == UINT32_MAX ? NULL : comp_ctype_view(t->u, entity_type(&I->exports[k].ent));
  }
  if (n->kind == COMP_T_COMPONENT) {
    const comp_component_type_t *C = n->u.comp;
    k = comp_lookup(C->exports, C->esorted, C->nexports, name, len);
    return k == UINT32_MAX ? NULL : comp_ctype_view(t->u, entity_type(&C->exports[k].ent));
  }
  return NULL;
}

/* ---------------------------------------------------------------- rendering */

#define MAX_RENDER_DEPTH 64

static void render(base_buf_t *b, const comp_types_t *T, comp_typeid_t id, unsigned depth);

static void render_name(base_buf_t *b, comp_name_t n) { base_buf_bytes(b, n.s, n.len); }

static void render_entity(base_buf_t *b, const comp_types_t *T, const comp_entity_t *e, unsigned depth) {
  if (e->kind == COMP_E_TYPE) {
    base_buf_printf(b, "type ");
    if (e->referenced != COMP_NO_TYPE && e->referenced != e->type && comp_type_kind(T, e->referenced) != COMP_T_RESOURCE) {
      base_buf_printf(b, "= ");
      render(b, T, e->referenced, depth + 1);
    } else {
      render(b, T, e->type, depth + 1);
    }
    return;
  }
  render(b, T, e->type, depth + 1);
}

static void render_externs(base_buf_t *b, const comp_types_t *T, const char *what, const comp_extern_t *x, uint32_t n,
                           unsigned depth) {
  for (uint32_t i = 0; i < n; i++) {
    base_buf_printf(b, "%s %s", i ? "," : "", what);
    render_name(b, x[i].name);
    base_buf_printf(b, ": ");
    render_entity(b, T, &x[i].ent, depth);
  }
}

static void render(base_buf_t *b, const comp_types_t *T, comp_typeid_t id, unsigned depth) {
  if (id == COMP_NO_TYPE) {
    base_buf_printf(b, "_");
    return;
  }
  if (depth > MAX_RENDER_DEPTH || b->len > (1u << 20)) {
    base_buf_printf(b, "...");
    return;
  }
  const comp_type_t *t = comp_type(T, id);
  switch (t->kind) {
  case COMP_T_PRIM: base_buf_printf(b, "%s", comp_prim_name(t->u.prim)); return;
  case COMP_T_LIST:
  case COMP_T_OPTION:
    base_buf_printf(b, "%s<", t->kind == COMP_T_LIST ? "list" : "option");
    render(b, T, t->u.elem, depth + 1);
    base_buf_printf(b, ">");
    return;
  case COMP_T_OWN:
  case COMP_T_BORROW:
    base_buf_printf(b, "%s<", t->kind == COMP_T_OWN ? "own" : "borrow");
    render(b, T, t->u.resource, depth + 1);
    base_buf_printf(b, ">");
    return;
  case COMP_T_RESOURCE: base_buf_printf(b, "resource#%u", t->u.rid); return;
  case COMP_T_RESULT:
    if (t->u.result.ok == COMP_NO_TYPE && t->u.result.err == COMP_NO_TYPE) {
      base_buf_printf(b, "result");
      return;
    }
    base_buf_printf(b, "result<");
    render(b, T, t->u.result.ok, depth + 1);
    if (t->u.result.err != COMP_NO_TYPE) {
      base_buf_printf(b, ", ");
      render(b, T, t->u.result.err, depth + 1);
    }
    base_buf_printf(b, ">");
    return;
  case COMP_T_TUPLE:
    base_buf_printf(b, "tuple<");
    for (uint32_t i = 0; i < t->u.tuple.n; i++) {
      if (i) base_buf_printf(b, ", ");
      render(b, T, comp_type(T, id)->u.tuple.types[i], depth + 1);
    }
    base_buf_printf(b, ">");
    return;
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    base_buf_printf(b, "%s { ", t->kind == COMP_T_RECORD ? "record" : "variant");
    for (uint32_t i = 0; i < t->u.fields.n; i++) {
      const comp_labeled_t *f = &comp_type(T, id)->u.fields.items[i];
      if (i) base_buf_printf(b, ", ");
      render_name(b, f->name);
      if (f->type != COMP_NO_TYPE) {
        base_buf_printf(b, t->kind == COMP_T_RECORD ? ": " : "(");
        render(b, T, f->type, depth + 1);
        if (t->kind == COMP_T_VARIANT) base_buf_printf(b, ")");
      }
    }
    base_buf_printf(b, " }");
    return;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
    base_buf_printf(b, "%s { ", t->kind == COMP_T_FLAGS ? "flags" : "enum");
    for (uint32_t i = 0; i < t->u.labels.n; i++) {
      if (i) base_buf_printf(b, ", ");
      render_name(b, t->u.labels.names[i]);
    }
    base_buf_printf(b, " }");
    return;
  case COMP_T_FUNC:
    base_buf_printf(b, "func(");
    for (uint32_t i = 0; i < t->u.func.nparams; i++) {
      const comp_labeled_t *p = &comp_type(T, id)->u.func.params[i];
      if (i) base_buf_printf(b, ", ");
      render_name(b, p->name);
      base_buf_printf(b, ": ");
      render(b, T, p->type, depth + 1);
    }
    base_buf_printf(b, ")");
    if (comp_type(T, id)->u.func.result != COMP_NO_TYPE) {
      base_buf_printf(b, " -> ");
      render(b, T, comp_type(T, id)->u.func.result, depth + 1);
    }
    return;
  case COMP_T_INSTANCE:
    base_buf_printf(b, "instance {");
    render_externs(b, T, "export ", t->u.inst->exports, t->u.inst->nexports, depth);
    base_buf_printf(b, " }");
    return;
  case COMP_T_COMPONENT:
    base_buf_printf(b, "component {");
    render_externs(b, T, "import ", t->u.comp->imports, t->u.comp->nimports, depth);
    if (t->u.comp->nimports && t->u.comp->nexports) base_buf_printf(b, ",");
    render_externs(b, T, "export ", t->u.comp->exports, t->u.comp->nexports, depth);
    base_buf_printf(b, " }");
    return;
  default: base_buf_printf(b, "%s", comp_tkind_name(t->kind)); return;
  }
}

char *comp_type_to_string(const comp_types_t *T, comp_typeid_t id) {
  base_buf_t b = {0};
  render(&b, T, id, 0);
  return base_buf_take_str(&b);
}

char *weld_ctype_to_string(const weld_ctype_t *t) {
  if (!t) return NULL;
  return comp_type_to_string(t->u->T, t->id);
}

void weld_string_delete(char *s) { base_free(s, 0); }

/* ---------------------------------------------------------------- values */

weld_error_t *weld_cval_check(const weld_cval_t *v, const weld_ctype_t *t) {
  if (!v || !t) return base_error("weld_cval_check: invalid argument");
  if (!comp_tkind_is_defined(node(t)->kind)) return base_error("weld_cval_check: not a value type");
  return comp_cval_check(t->u->L, t->id, v, NULL);
}
