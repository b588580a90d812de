/* types.c — the component type arena (see types.h): node creation with size/depth/flag
 * computation and limits, resource identities, aliases, name-sorted lookup tables
 * (Component Model Explainer "Type Definitions"). */
#include "component/types.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <stdlib.h>
#include <string.h>

static const char *const g_prim_names[COMP_PRIM_COUNT] = {
    "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string",
};

const char *comp_prim_name(uint32_t p) { return p < COMP_PRIM_COUNT ? g_prim_names[p] : "?"; }

const char *comp_tkind_name(uint8_t k) {
  switch (k) {
  case COMP_T_PRIM: return "primitive";
  case COMP_T_RECORD: return "record";
  case COMP_T_VARIANT: return "variant";
  case COMP_T_LIST: return "list";
  case COMP_T_TUPLE: return "tuple";
  case COMP_T_FLAGS: return "flags";
  case COMP_T_ENUM: return "enum";
  case COMP_T_OPTION: return "option";
  case COMP_T_RESULT: return "result";
  case COMP_T_OWN: return "own";
  case COMP_T_BORROW: return "borrow";
  case COMP_T_FUNC: return "func";
  case COMP_T_RESOURCE: return "resource";
  case COMP_T_INSTANCE: return "instance";
  case COMP_T_COMPONENT: return "component";
  case COMP_T_CORE_FUNC: return "core func";
  case COMP_T_CORE_TABLE: return "core table";
  case COMP_T_CORE_MEMORY: return "core memory";
  case COMP_T_CORE_GLOBAL: return "core global";
  case COMP_T_CORE_TAG: return "core tag";
  case COMP_T_CORE_MODULE: return "core module";
  case COMP_T_CORE_INSTANCE: return "core instance";
  }
  return "?";
}

const char *comp_ekind_name(uint8_t k) {
  switch (k) {
  case COMP_E_MODULE: return "module";
  case COMP_E_FUNC: return "func";
  case COMP_E_VALUE: return "value";
  case COMP_E_TYPE: return "type";
  case COMP_E_COMPONENT: return "component";
  case COMP_E_INSTANCE: return "instance";
  }
  return "?";
}

bool comp_types_init(comp_types_t *t, comp_arena_t *arena) {
  memset(t, 0, sizeof *t);
  t->arena = arena;
  t->cap = 256;
  t->v = base_alloc(t->cap * sizeof *t->v);
  if (!t->v) return false;
  for (uint32_t p = 0; p < COMP_PRIM_COUNT; p++) {
    comp_type_t *ty = &t->v[t->len++];
    memset(ty, 0, sizeof *ty);
    ty->kind = COMP_T_PRIM;
    ty->u.prim = p;
    ty->size = 1;
    ty->flags = p == COMP_PRIM_STRING ? COMP_TF_PTR : 0;
  }
  return true;
}

void comp_types_free(comp_types_t *t) {
  base_free(t->v, (size_t)t->cap * sizeof *t->v);
  t->v = NULL;
  t->len = t->cap = 0;
}

weld_error_t *comp_types_work_error(size_t offset) {
  return base_error_at(offset, "component is too complex to validate (type-checking work limit of %u steps exceeded)",
                       WELD_MAX_TYPECHECK_WORK);
}

/* Accumulates the children of a node. */
typedef struct acc {
  uint64_t size;
  uint32_t depth;
  uint8_t flags;
} acc_t;

static void acc_child(const comp_types_t *t, acc_t *a, comp_typeid_t id, bool value) {
  if (id == COMP_NO_TYPE) return;
  const comp_type_t *c = &t->v[id];
  a->size += c->size;
  if ((uint32_t)c->depth + 1 > a->depth) a->depth = (uint32_t)c->depth + 1;
  if (value) a->flags |= c->flags;
}

static void acc_entity(const comp_types_t *t, acc_t *a, const comp_entity_t *e) {
  acc_child(t, a, e->type, false);
  if (e->kind == COMP_E_TYPE && e->referenced != e->type) acc_child(t, a, e->referenced, false);
}

weld_error_t *comp_type_add(comp_types_t *t, const comp_type_t *ty, size_t offset, comp_typeid_t *out) {
  acc_t a = {1, 0, 0};
  switch (ty->kind) {
  case COMP_T_PRIM:
    a.flags = ty->u.prim == COMP_PRIM_STRING ? COMP_TF_PTR : 0;
    break;
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    for (uint32_t i = 0; i < ty->u.fields.n; i++) acc_child(t, &a, ty->u.fields.items[i].type, true);
    break;
  case COMP_T_LIST:
    acc_child(t, &a, ty->u.elem, true);
    a.flags |= COMP_TF_PTR;
    break;
  case COMP_T_OPTION:
    acc_child(t, &a, ty->u.elem, true);
    break;
  case COMP_T_TUPLE:
    for (uint32_t i = 0; i < ty->u.tuple.n; i++) acc_child(t, &a, ty->u.tuple.types[i], true);
    break;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
    a.size += ty->u.labels.n;
    break;
  case COMP_T_RESULT:
    acc_child(t, &a, ty->u.result.ok, true);
    acc_child(t, &a, ty->u.result.err, true);
    break;
  case COMP_T_OWN:
    acc_child(t, &a, ty->u.resource, false);
    break;
  case COMP_T_BORROW:
    acc_child(t, &a, ty->u.resource, false);
    a.flags |= COMP_TF_BORROW;
    break;
  case COMP_T_FUNC:
    for (uint32_t i = 0; i < ty->u.func.nparams; i++) acc_child(t, &a, ty->u.func.params[i].type, false);
    acc_child(t, &a, ty->u.func.result, false);
    break;
  case COMP_T_RESOURCE:
    break;
  case COMP_T_INSTANCE:
    for (uint32_t i = 0; i < ty->u.inst->nexports; i++) acc_entity(t, &a, &ty->u.inst->exports[i].ent);
    break;
  case COMP_T_COMPONENT:
    for (uint32_t i = 0; i < ty->u.comp->nimports; i++) acc_entity(t, &a, &ty->u.comp->imports[i].ent);
    for (uint32_t i = 0; i < ty->u.comp->nexports; i++) acc_entity(t, &a, &ty->u.comp->exports[i].ent);
    break;
  case COMP_T_CORE_FUNC:
    a.size += (uint64_t)ty->u.core_func.nparams + ty->u.core_func.nresults;
    break;
  case COMP_T_CORE_TABLE:
  case COMP_T_CORE_MEMORY:
  case COMP_T_CORE_GLOBAL:
    break;
  case COMP_T_CORE_TAG:
    acc_child(t, &a, ty->u.tag, false);
    break;
  case COMP_T_CORE_MODULE:
    for (uint32_t i = 0; i < ty->u.module.nimports; i++) acc_child(t, &a, ty->u.module.imports[i].type, false);
    for (uint32_t i = 0; i < ty->u.module.nexports; i++) acc_child(t, &a, ty->u.module.exports[i].type, false);
    break;
  case COMP_T_CORE_INSTANCE:
    for (uint32_t i = 0; i < ty->u.core_inst.nexports; i++) acc_child(t, &a, ty->u.core_inst.exports[i].type, false);
    break;
  }
  if (a.size > WELD_MAX_TYPE_SIZE)
    return base_error_at(offset, "effective type size exceeds the limit of %u", WELD_MAX_TYPE_SIZE);
  if (a.depth > WELD_MAX_TYPE_DEPTH)
    return base_error_at(offset, "type nesting is too deep (more than %u levels)", WELD_MAX_TYPE_DEPTH);
  if (t->len == UINT32_MAX - 1) return base_error_at(offset, "too many types");
  if (t->len == t->cap) {
    uint32_t ncap = t->cap * 2;
    comp_type_t *nv = base_realloc(t->v, (size_t)t->cap * sizeof *nv, (size_t)ncap * sizeof *nv);
    if (!nv) return base_error_oom();
    t->v = nv;
    t->cap = ncap;
  }
  comp_type_t *n = &t->v[t->len];
  *n = *ty;
  n->size = (uint32_t)a.size;
  n->depth = (uint16_t)a.depth;
  n->flags = a.flags;
  *out = t->len++;
  return NULL;
}

weld_error_t *comp_type_fresh_resource(comp_types_t *t, size_t offset, comp_typeid_t *out) {
  comp_type_t ty;
  memset(&ty, 0, sizeof ty);
  ty.kind = COMP_T_RESOURCE;
  ty.u.rid = comp_types_fresh_rid(t);
  return comp_type_add(t, &ty, offset, out);
}

weld_error_t *comp_type_alias(comp_types_t *t, comp_typeid_t id, size_t offset, comp_typeid_t *out) {
  comp_type_t ty = t->v[id];
  return comp_type_add(t, &ty, offset, out);
}

uint32_t comp_entity_size(const comp_types_t *t, const comp_entity_t *e) {
  if (e->type == COMP_NO_TYPE) return 1;
  return t->v[e->type].size;
}

bool comp_label_eq(comp_name_t a, comp_name_t b) {
  if (a.len != b.len) return false;
  for (uint32_t i = 0; i < a.len; i++) {
    unsigned char x = (unsigned char)a.s[i], y = (unsigned char)b.s[i];
    if (x >= 'A' && x <= 'Z') x = (unsigned char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (unsigned char)(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/* ---------------------------------------------------------------- sorted name index */

static int name_cmp(const char *a, uint32_t al, const char *b, uint32_t bl) {
  uint32_t n = al < bl ? al : bl;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c;
  return al < bl ? -1 : al > bl ? 1 : 0;
}

typedef struct sort_ent {
  const char *s;
  uint32_t len, idx;
} sort_ent_t;

static int sort_ent_cmp(const void *pa, const void *pb) {
  const sort_ent_t *a = pa, *b = pb;
  int c = name_cmp(a->s, a->len, b->s, b->len);
  if (c) return c;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static uint32_t *sort_names(comp_arena_t *ar, const void *items, size_t stride, size_t name_off, uint32_t n) {
  uint32_t *out = comp_arena_array(ar, n ? n : 1, sizeof *out);
  if (!out) return NULL;
  if (n == 0) return out;
  sort_ent_t *tmp = base_alloc((size_t)n * sizeof *tmp);
  if (!tmp) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    const comp_name_t *nm = (const comp_name_t *)((const char *)items + i * stride + name_off);
    tmp[i].s = nm->s;
    tmp[i].len = nm->len;
    tmp[i].idx = i;
  }
  qsort(tmp, n, sizeof *tmp, sort_ent_cmp);
  for (uint32_t i = 0; i < n; i++) out[i] = tmp[i].idx;
  base_free(tmp, (size_t)n * sizeof *tmp);
  return out;
}

uint32_t *comp_sort_names(comp_arena_t *a, const comp_extern_t *items, uint32_t n) {
  return sort_names(a, items, sizeof *items, offsetof(comp_extern_t, name), n);
}
uint32_t *comp_core_sort_names(comp_arena_t *a, const comp_core_export_t *items, uint32_t n) {
  return sort_names(a, items, sizeof *items, offsetof(comp_core_export_t, name), n);
}

static uint32_t lookup(const void *items, size_t stride, size_t name_off, const uint32_t *sorted, uint32_t n,
                       const char *s, uint32_t len) {
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    const comp_name_t *nm = (const comp_name_t *)((const char *)items + sorted[mid] * stride + name_off);
    int c = name_cmp(nm->s, nm->len, s, len);
    if (c == 0) return sorted[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return UINT32_MAX;
}

uint32_t comp_lookup(const comp_extern_t *items, const uint32_t *sorted, uint32_t n, const char *s, uint32_t len) {
  return lookup(items, sizeof *items, offsetof(comp_extern_t, name), sorted, n, s, len);
}
uint32_t comp_core_lookup(const comp_core_export_t *items, const uint32_t *sorted, uint32_t n, const char *s,
                          uint32_t len) {
  return lookup(items, sizeof *items, offsetof(comp_core_export_t, name), sorted, n, s, len);
}
