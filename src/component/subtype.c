/* subtype.c — subtyping of component and core types (design/mvp/Explainer.md "Type
 * checking", design/mvp/Subtyping.md), used to check instantiation arguments against
 * imports, export ascriptions and start arguments.
 *
 * As in the reference implementations, value types are compared for equality (the
 * Explainer's value subtyping is not yet used by toolchains): records, variants, flags and
 * enums must have the same labels (ignoring ASCII case) in the same order, handles the same
 * resource (by identity).  Instances may offer more exports than expected; components are
 * contravariant in their imports and covariant in their exports; core modules likewise
 * (a module may import less and export more).  Core tables and memories follow core wasm
 * import matching (limits).
 *
 * Component types carry abstract resources; comparing them first maps those resources
 * through the import/export paths to the resources offered (comp_open_component), then
 * compares the substituted types. */
#include "component/validate_internal.h"
#include "base/alloc.h"
#include <stdio.h>
#include <string.h>

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

static const char *desc_of(const comp_types_t *T, comp_typeid_t id) {
  const comp_type_t *t = comp_type(T, id);
  if (t->kind == COMP_T_PRIM) return comp_prim_name(t->u.prim);
  return comp_tkind_name(t->kind);
}

static weld_error_t *valtype_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off);

static weld_error_t *labels_equal(const comp_name_t *a, const comp_name_t *b, uint32_t n, const char *what, size_t off) {
  for (uint32_t i = 0; i < n; i++)
    if (!comp_label_eq(a[i], b[i])) return comp_verr(off, "mismatch in %s elements", what);
  return NULL;
}

static weld_error_t *valtype_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  if (!comp_types_charge(v->T, 1)) return comp_types_work_error(off);
  const comp_type_t *A = comp_type(v->T, a), *B = comp_type(v->T, b);
  if (A->kind != B->kind) {
    if (A->kind == COMP_T_PRIM && B->kind != COMP_T_PRIM)
      return comp_verr(off, "expected %s, found %s", desc_of(v->T, b), desc_of(v->T, a));
    if (B->kind == COMP_T_PRIM) return comp_verr(off, "expected primitive, found %s", desc_of(v->T, a));
    return comp_verr(off, "expected %s, found %s", desc_of(v->T, b), desc_of(v->T, a));
  }
  weld_error_t *err;
  switch (A->kind) {
  case COMP_T_PRIM:
    if (A->u.prim != B->u.prim)
      return comp_verr(off, "expected primitive `%s` found primitive `%s`", comp_prim_name(B->u.prim), comp_prim_name(A->u.prim));
    return NULL;
  case COMP_T_RECORD: {
    uint32_t n = A->u.fields.n;
    if (n != B->u.fields.n) return comp_verr(off, "expected %u fields, found %u", B->u.fields.n, n);
    const comp_labeled_t *fa = A->u.fields.items, *fb = B->u.fields.items;
    for (uint32_t i = 0; i < n; i++) {
      if (!comp_label_eq(fa[i].name, fb[i].name))
        return comp_verr(off, "expected field name `%.*s`, found `%.*s`", (int)fb[i].name.len, fb[i].name.s, (int)fa[i].name.len,
                         fa[i].name.s);
      if ((err = valtype_subtype(v, fa[i].type, fb[i].type, off)))
        return base_error_wrap(err, "type mismatch in record field `%.*s`", (int)fa[i].name.len, fa[i].name.s);
    }
    return NULL;
  }
  case COMP_T_VARIANT: {
    uint32_t n = A->u.fields.n;
    if (n != B->u.fields.n) return comp_verr(off, "expected %u cases, found %u", B->u.fields.n, n);
    const comp_labeled_t *ca = A->u.fields.items, *cb = B->u.fields.items;
    for (uint32_t i = 0; i < n; i++) {
      if (!comp_label_eq(ca[i].name, cb[i].name))
        return comp_verr(off, "expected case named `%.*s`, found `%.*s`", (int)cb[i].name.len, cb[i].name.s, (int)ca[i].name.len,
                         ca[i].name.s);
      if (cb[i].type != COMP_NO_TYPE && ca[i].type == COMP_NO_TYPE)
        return comp_verr(off, "expected case `%.*s` to have a type, found none", (int)cb[i].name.len, cb[i].name.s);
      if (cb[i].type == COMP_NO_TYPE && ca[i].type != COMP_NO_TYPE)
        return comp_verr(off, "expected case `%.*s` to have no type", (int)cb[i].name.len, cb[i].name.s);
      if (ca[i].type != COMP_NO_TYPE && (err = valtype_subtype(v, ca[i].type, cb[i].type, off)))
        return base_error_wrap(err, "type mismatch in variant case `%.*s`", (int)ca[i].name.len, ca[i].name.s);
    }
    return NULL;
  }
  case COMP_T_LIST:
  case COMP_T_OPTION:
    if ((err = valtype_subtype(v, A->u.elem, B->u.elem, off)))
      return base_error_wrap(err, "type mismatch in %s element", A->kind == COMP_T_LIST ? "list" : "option");
    return NULL;
  case COMP_T_TUPLE: {
    uint32_t n = A->u.tuple.n;
    if (n != B->u.tuple.n) return comp_verr(off, "expected %u types, found %u", B->u.tuple.n, n);
    const comp_typeid_t *ta = A->u.tuple.types, *tb = B->u.tuple.types;
    for (uint32_t i = 0; i < n; i++)
      if ((err = valtype_subtype(v, ta[i], tb[i], off))) return base_error_wrap(err, "type mismatch in tuple field %u", i);
    return NULL;
  }
  case COMP_T_FLAGS:
  case COMP_T_ENUM: {
    const char *what = A->kind == COMP_T_FLAGS ? "flags" : "enum";
    if (A->u.labels.n != B->u.labels.n) return comp_verr(off, "mismatch in %s elements", what);
    return labels_equal(A->u.labels.names, B->u.labels.names, A->u.labels.n, what, off);
  }
  case COMP_T_RESULT: {
    comp_typeid_t aok = A->u.result.ok, bok = B->u.result.ok, aer = A->u.result.err, ber = B->u.result.err;
    if (bok == COMP_NO_TYPE && aok != COMP_NO_TYPE) return comp_verr(off, "expected ok type to not be present");
    if (bok != COMP_NO_TYPE && aok == COMP_NO_TYPE) return comp_verr(off, "expected ok type, but found none");
    if (aok != COMP_NO_TYPE && (err = valtype_subtype(v, aok, bok, off))) return base_error_wrap(err, "type mismatch in ok variant");
    if (ber == COMP_NO_TYPE && aer != COMP_NO_TYPE) return comp_verr(off, "expected err type to not be present");
    if (ber != COMP_NO_TYPE && aer == COMP_NO_TYPE) return comp_verr(off, "expected err type, but found none");
    if (aer != COMP_NO_TYPE && (err = valtype_subtype(v, aer, ber, off))) return base_error_wrap(err, "type mismatch in err variant");
    return NULL;
  }
  case COMP_T_OWN:
  case COMP_T_BORROW:
    if (comp_type(v->T, A->u.resource)->u.rid != comp_type(v->T, B->u.resource)->u.rid)
      return comp_verr(off, "resource types are not the same");
    return NULL;
  }
  return comp_verr(off, "expected %s, found %s", desc_of(v->T, b), desc_of(v->T, a));
}

static weld_error_t *func_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  const comp_type_t *A = comp_type(v->T, a), *B = comp_type(v->T, b);
  uint32_t n = A->u.func.nparams;
  if (n != B->u.func.nparams) return comp_verr(off, "expected %u parameters, found %u", B->u.func.nparams, n);
  const comp_labeled_t *pa = A->u.func.params, *pb = B->u.func.params;
  comp_typeid_t ra = A->u.func.result, rb = B->u.func.result;
  for (uint32_t i = 0; i < n; i++) {
    if (!comp_label_eq(pa[i].name, pb[i].name))
      return comp_verr(off, "expected parameter named `%.*s`, found `%.*s`", (int)pb[i].name.len, pb[i].name.s, (int)pa[i].name.len,
                       pa[i].name.s);
    weld_error_t *err = valtype_subtype(v, pa[i].type, pb[i].type, off);
    if (err) return base_error_wrap(err, "type mismatch in function parameter `%.*s`", (int)pa[i].name.len, pa[i].name.s);
  }
  if (rb != COMP_NO_TYPE && ra == COMP_NO_TYPE) return comp_verr(off, "expected a result, found none");
  if (rb == COMP_NO_TYPE && ra != COMP_NO_TYPE) return comp_verr(off, "expected no result, found one");
  if (ra != COMP_NO_TYPE) {
    weld_error_t *err = valtype_subtype(v, ra, rb, off);
    if (err) return base_error_wrap(err, "type mismatch with result type");
  }
  return NULL;
}

static weld_error_t *instance_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  const comp_instance_type_t *A = comp_type(v->T, a)->u.inst, *B = comp_type(v->T, b)->u.inst;
  if (!comp_types_charge(v->T, B->nexports + 1)) return comp_types_work_error(off);
  for (uint32_t i = 0; i < B->nexports; i++) {
    comp_name_t n = B->exports[i].name;
    uint32_t j = comp_lookup(A->exports, A->sorted, A->nexports, n.s, n.len);
    if (j == UINT32_MAX) return comp_verr(off, "missing expected export `%.*s`", (int)n.len, n.s);
    weld_error_t *err = comp_entity_subtype(v, &A->exports[j].ent, &B->exports[i].ent, off);
    if (err) return base_error_wrap(err, "type mismatch in instance export `%.*s`", (int)n.len, n.s);
  }
  return NULL;
}

static weld_error_t *component_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  const comp_component_type_t *A = comp_type(v->T, a)->u.comp, *B = comp_type(v->T, b)->u.comp;
  /* Imports are contravariant: what b's importer provides must satisfy a's imports. */
  comp_args_t bimports = {B->imports, B->isorted, B->nimports};
  comp_subst_t m1;
  memset(&m1, 0, sizeof m1);
  weld_error_t *err = comp_open_component(v, &bimports, a, DIR_IMPORT, off, &m1);
  comp_extern_t *aex = NULL;
  if (!err) {
    comp_map_clear(&m1.memo);
    aex = comp_arena_array(v->A, A->nexports ? A->nexports : 1, sizeof *aex);
    if (!aex) err = base_error_oom();
  }
  for (uint32_t i = 0; !err && i < A->nexports; i++) {
    aex[i].name = A->exports[i].name;
    err = comp_subst_entity(v, &m1, &A->exports[i].ent, off, &aex[i].ent);
  }
  comp_subst_free(&m1);
  if (err) return err;
  /* Exports are covariant. */
  comp_args_t aexports = {aex, A->esorted, A->nexports};
  comp_subst_t m2;
  memset(&m2, 0, sizeof m2);
  err = comp_open_component(v, &aexports, b, DIR_EXPORT, off, &m2);
  comp_subst_free(&m2);
  return err;
}

/* ---------------------------------------------------------------- core types */

static void print_core_func(char *buf, size_t size, const core_functype_t *f) {
  size_t n = (size_t)snprintf(buf, size, "(func");
  if (f->nparams && n < size) {
    n += (size_t)snprintf(buf + n, size - n, " (param");
    for (uint32_t i = 0; i < f->nparams && n < size; i++) n += (size_t)snprintf(buf + n, size - n, " %s", core_valtype_name(f->types[i]));
    if (n < size) n += (size_t)snprintf(buf + n, size - n, ")");
  }
  if (f->nresults && n < size) {
    n += (size_t)snprintf(buf + n, size - n, " (result");
    for (uint32_t i = 0; i < f->nresults && n < size; i++)
      n += (size_t)snprintf(buf + n, size - n, " %s", core_valtype_name(f->types[f->nparams + i]));
    if (n < size) n += (size_t)snprintf(buf + n, size - n, ")");
  }
  if (n < size) snprintf(buf + n, size - n, ")");
}

static bool limits_match(const comp_core_limits_t *a, const comp_core_limits_t *b) {
  if (a->min < b->min) return false;
  if (b->has_max && (!a->has_max || a->max > b->max)) return false;
  return true;
}

static const char *core_kind_word(uint8_t k) {
  switch (k) {
  case COMP_T_CORE_FUNC: return "func";
  case COMP_T_CORE_TABLE: return "table";
  case COMP_T_CORE_MEMORY: return "memory";
  case COMP_T_CORE_GLOBAL: return "global";
  case COMP_T_CORE_TAG: return "tag";
  }
  return comp_tkind_name(k);
}

weld_error_t *comp_core_extern_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  if (!comp_types_charge(v->T, 1)) return comp_types_work_error(off);
  const comp_type_t *A = comp_type(v->T, a), *B = comp_type(v->T, b);
  if (A->kind != B->kind) return comp_verr(off, "expected %s, found %s", core_kind_word(B->kind), core_kind_word(A->kind));
  switch (A->kind) {
  case COMP_T_CORE_FUNC:
    if (!core_functype_eq(&A->u.core_func, &B->u.core_func)) {
      char ea[256], eb[256];
      print_core_func(ea, sizeof ea, &A->u.core_func);
      print_core_func(eb, sizeof eb, &B->u.core_func);
      return comp_verr(off, "type mismatch: expected: %s, found: %s", eb, ea);
    }
    return NULL;
  case COMP_T_CORE_TAG:
    if (!core_functype_eq(&comp_type(v->T, A->u.tag)->u.core_func, &comp_type(v->T, B->u.tag)->u.core_func))
      return comp_verr(off, "tag type mismatch");
    return NULL;
  case COMP_T_CORE_TABLE:
    if (A->u.table.elem != B->u.table.elem)
      return comp_verr(off, "expected table element type %s, found %s", core_valtype_name(B->u.table.elem),
                       core_valtype_name(A->u.table.elem));
    if (A->u.table.limits.is64 != B->u.table.limits.is64) return comp_verr(off, "mismatch in index type used for tables");
    if (!limits_match(&A->u.table.limits, &B->u.table.limits)) return comp_verr(off, "mismatch in table limits");
    return NULL;
  case COMP_T_CORE_MEMORY:
    if (A->u.mem.shared != B->u.mem.shared) return comp_verr(off, "mismatch in the shared flag for memories");
    if (A->u.mem.is64 != B->u.mem.is64) return comp_verr(off, "mismatch in index type used for memories");
    if (!limits_match(&A->u.mem, &B->u.mem)) return comp_verr(off, "mismatch in memory limits");
    return NULL;
  case COMP_T_CORE_GLOBAL:
    if (A->u.global.type != B->u.global.type || A->u.global.mut != B->u.global.mut)
      return comp_verr(off, "expected global type %s%s, found %s%s", B->u.global.mut ? "mut " : "", core_valtype_name(B->u.global.type),
                       A->u.global.mut ? "mut " : "", core_valtype_name(A->u.global.type));
    return NULL;
  }
  return comp_verr(off, "expected %s, found %s", core_kind_word(B->kind), core_kind_word(A->kind));
}

/* Core module subtyping: a may import less (each of its imports must be offered by b's
 * importers) and must export at least what b exports. */
static weld_error_t *module_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  const comp_type_t *A = comp_type(v->T, a), *B = comp_type(v->T, b);
  uint32_t nia = A->u.module.nimports, nib = B->u.module.nimports;
  const comp_core_import_t *ia = A->u.module.imports, *ib = B->u.module.imports;
  if (!comp_types_charge(v->T, (uint64_t)nia + B->u.module.nexports + 1)) return comp_types_work_error(off);
  /* b's imports by (module, name) */
  comp_strset_t keys = {0};
  weld_error_t *err = NULL;
  char *buf = NULL;
  size_t total = 0, pos = 0;
  for (uint32_t i = 0; i < nib; i++) total += 4 + (size_t)ib[i].module.len + ib[i].name.len;
  buf = base_alloc(total ? total : 1);
  if (!buf) return base_error_oom();
  for (uint32_t i = 0; i < nib && !err; i++) {
    char *k = buf + pos;
    memcpy(k, &ib[i].module.len, 4);
    if (ib[i].module.len) memcpy(k + 4, ib[i].module.s, ib[i].module.len);
    if (ib[i].name.len) memcpy(k + 4 + ib[i].module.len, ib[i].name.s, ib[i].name.len);
    uint32_t klen = 4 + ib[i].module.len + ib[i].name.len;
    pos += klen;
    bool is_oom;
    comp_strset_add(&keys, k, klen, i, NULL, &is_oom);
    if (is_oom) err = base_error_oom();
  }
  char *tmp = NULL;
  size_t tmpsize = 0;
  for (uint32_t i = 0; i < nia && !err; i++) {
    size_t klen = 4 + (size_t)ia[i].module.len + ia[i].name.len;
    if (klen > tmpsize) {
      base_free(tmp, tmpsize);
      tmp = base_alloc(klen);
      tmpsize = tmp ? klen : 0;
      if (!tmp) {
        err = base_error_oom();
        break;
      }
    }
    memcpy(tmp, &ia[i].module.len, 4);
    if (ia[i].module.len) memcpy(tmp + 4, ia[i].module.s, ia[i].module.len);
    if (ia[i].name.len) memcpy(tmp + 4 + ia[i].module.len, ia[i].name.s, ia[i].name.len);
    uint32_t j;
    if (!comp_strset_find(&keys, tmp, (uint32_t)klen, &j)) {
      err = comp_verr(off, "missing expected import `%.*s::%.*s`", (int)ia[i].module.len, ia[i].module.s, (int)ia[i].name.len,
                      ia[i].name.s);
      break;
    }
    err = comp_core_extern_subtype(v, ib[j].type, ia[i].type, off);
    if (err)
      err = base_error_wrap(err, "type mismatch in import `%.*s::%.*s`", (int)ia[i].module.len, ia[i].module.s, (int)ia[i].name.len,
                            ia[i].name.s);
  }
  base_free(tmp, tmpsize);
  base_free(buf, total ? total : 1);
  comp_strset_free(&keys);
  if (err) return err;
  A = comp_type(v->T, a);
  B = comp_type(v->T, b);
  for (uint32_t i = 0; i < B->u.module.nexports; i++) {
    comp_name_t n = B->u.module.exports[i].name;
    uint32_t j = comp_core_lookup(A->u.module.exports, A->u.module.esorted, A->u.module.nexports, n.s, n.len);
    if (j == UINT32_MAX) return comp_verr(off, "missing expected export `%.*s`", (int)n.len, n.s);
    err = comp_core_extern_subtype(v, A->u.module.exports[j].type, B->u.module.exports[i].type, off);
    if (err) return base_error_wrap(err, "type mismatch in export `%.*s`", (int)n.len, n.s);
  }
  return NULL;
}

/* ---------------------------------------------------------------- entities */

weld_error_t *comp_type_subtype(comp_vctx_t *v, comp_typeid_t a, comp_typeid_t b, size_t off) {
  if (a == b) return NULL;
  uint8_t ka = comp_type_kind(v->T, a), kb = comp_type_kind(v->T, b);
  if (ka == COMP_T_RESOURCE || kb == COMP_T_RESOURCE) {
    if (ka != kb)
      return comp_verr(off, ka == COMP_T_RESOURCE ? "expected %s, found resource" : "expected resource, found %s",
                       ka == COMP_T_RESOURCE ? (comp_tkind_is_defined(kb) ? "defined type" : comp_tkind_name(kb))
                                             : (comp_tkind_is_defined(ka) ? "defined type" : comp_tkind_name(ka)));
    if (comp_type(v->T, a)->u.rid != comp_type(v->T, b)->u.rid) return comp_verr(off, "resource types are not the same");
    return NULL;
  }
  if (comp_tkind_is_defined(ka) && comp_tkind_is_defined(kb)) return valtype_subtype(v, a, b, off);
  if (ka != kb) return comp_verr(off, "expected %s type, found %s type", comp_tkind_name(kb), comp_tkind_name(ka));
  switch (ka) {
  case COMP_T_FUNC: return func_subtype(v, a, b, off);
  case COMP_T_INSTANCE: return instance_subtype(v, a, b, off);
  case COMP_T_COMPONENT: return component_subtype(v, a, b, off);
  case COMP_T_CORE_MODULE: return module_subtype(v, a, b, off);
  default: return comp_core_extern_subtype(v, a, b, off);
  }
}

weld_error_t *comp_entity_subtype(comp_vctx_t *v, const comp_entity_t *a, const comp_entity_t *b, size_t off) {
  if (a->kind != b->kind) return comp_verr(off, "expected %s, found %s", comp_ekind_name(b->kind), comp_ekind_name(a->kind));
  if (!comp_types_charge(v->T, 1)) return comp_types_work_error(off);
  switch (a->kind) {
  case COMP_E_MODULE: return module_subtype(v, a->type, b->type, off);
  case COMP_E_FUNC: return func_subtype(v, a->type, b->type, off);
  case COMP_E_VALUE: return valtype_subtype(v, a->type, b->type, off);
  case COMP_E_TYPE: return comp_type_subtype(v, a->referenced, b->referenced, off);
  case COMP_E_INSTANCE: return instance_subtype(v, a->type, b->type, off);
  case COMP_E_COMPONENT: return component_subtype(v, a->type, b->type, off);
  }
  return NULL;
}

/* ---------------------------------------------------------------- instantiation matching */

static const comp_extern_t *args_find(const comp_args_t *args, comp_name_t n) {
  uint32_t i = comp_lookup(args->items, args->sorted, args->n, n.s, n.len);
  return i == UINT32_MAX ? NULL : &args->items[i];
}

/* Type imports/exports satisfied by an argument: the argument's type replaces the
 * declared one wherever the component type refers to it. */
static weld_error_t *register_renamings(comp_vctx_t *v, const comp_entity_t *actual, const comp_entity_t *expected,
                                        comp_subst_t *map, size_t off) {
  if (expected->kind == COMP_E_TYPE && actual->kind == COMP_E_TYPE) {
    if (!comp_map_has(&map->types, expected->type) && !comp_map_put(&map->types, expected->type, actual->type))
      return base_error_oom();
    return NULL;
  }
  if (expected->kind == COMP_E_INSTANCE && actual->kind == COMP_E_INSTANCE) {
    const comp_instance_type_t *E = comp_type(v->T, expected->type)->u.inst, *A = comp_type(v->T, actual->type)->u.inst;
    if (!comp_types_charge(v->T, E->nexports + 1)) return comp_types_work_error(off);
    for (uint32_t i = 0; i < E->nexports; i++) {
      comp_name_t n = E->exports[i].name;
      uint32_t j = comp_lookup(A->exports, A->sorted, A->nexports, n.s, n.len);
      if (j != UINT32_MAX) TRY(register_renamings(v, &A->exports[j].ent, &E->exports[i].ent, map, off));
    }
  }
  return NULL;
}

weld_error_t *comp_open_component(comp_vctx_t *v, const comp_args_t *args, comp_typeid_t ctype, uint8_t dir, size_t off,
                                  comp_subst_t *map) {
  const comp_component_type_t *C = comp_type(v->T, ctype)->u.comp;
  const comp_extern_t *ents = dir == DIR_IMPORT ? C->imports : C->exports;
  uint32_t nents = dir == DIR_IMPORT ? C->nimports : C->nexports;
  const comp_rpath_t *res = dir == DIR_IMPORT ? C->imported : C->defined;
  uint32_t nres = dir == DIR_IMPORT ? C->nimported : C->ndefined;
  const char *what = dir == DIR_IMPORT ? "import" : "export";

  /* Which resource of the arguments each of the type's resources is: follow the path by
   * index in the type and by name in the arguments.  Mismatches are left to the checks. */
  for (uint32_t r = 0; r < nres; r++) {
    const comp_rpath_t *p = &res[r];
    if (p->len == 0 || p->path[0] >= nents) continue;
    const comp_entity_t *ty = &ents[p->path[0]].ent;
    const comp_extern_t *arg = args_find(args, ents[p->path[0]].name);
    const comp_entity_t *ae = arg ? &arg->ent : NULL;
    for (uint32_t k = 1; ae && k < p->len; k++) {
      if (ty->kind != COMP_E_INSTANCE || ae->kind != COMP_E_INSTANCE) {
        ae = NULL;
        break;
      }
      const comp_instance_type_t *TI = comp_type(v->T, ty->type)->u.inst;
      if (p->path[k] >= TI->nexports) {
        ae = NULL;
        break;
      }
      comp_name_t n = TI->exports[p->path[k]].name;
      ty = &TI->exports[p->path[k]].ent;
      const comp_instance_type_t *AI = comp_type(v->T, ae->type)->u.inst;
      uint32_t j = comp_lookup(AI->exports, AI->sorted, AI->nexports, n.s, n.len);
      ae = j == UINT32_MAX ? NULL : &AI->exports[j].ent;
    }
    if (ae && ae->kind == COMP_E_TYPE && comp_type_kind(v->T, ae->type) == COMP_T_RESOURCE) {
      if (!comp_map_put(&map->rids, p->rid, comp_type(v->T, ae->type)->u.rid)) return base_error_oom();
    }
  }

  /* Every name of the type must be offered, with a subtype. */
  comp_subst_t check;
  memset(&check, 0, sizeof check);
  check.rids = map->rids; /* shared, read-only below */
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < nents && !err; i++) {
    comp_name_t n = ents[i].name;
    const comp_extern_t *arg = args_find(args, n);
    if (!arg) {
      err = comp_verr(off, "missing %s named `%.*s`", what, (int)n.len, n.s);
      break;
    }
    comp_entity_t expected;
    comp_map_clear(&check.memo);
    err = comp_subst_entity(v, &check, &ents[i].ent, off, &expected);
    if (!err) err = comp_entity_subtype(v, &arg->ent, &expected, off);
    if (err) {
      err = base_error_wrap(err, "type mismatch for %s `%.*s`", what, (int)n.len, n.s);
      break;
    }
    err = register_renamings(v, &arg->ent, &ents[i].ent, map, off);
  }
  comp_map_free(&check.memo);
  return err;
}
