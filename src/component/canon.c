/* canon.c — canonical definitions (design/mvp/Explainer.md "Canonical Definitions",
 * Binary.md notes on `canon`, CanonicalABI.md "Canonical ABI Options"): `canon lift`,
 * `canon lower`, `canon resource.new/drop/rep`.
 *
 * Checks: the option set (string encoding, memory, realloc, post-return; duplicates and
 * conflicts are rejected by the decoder), that `memory` is a non-shared 32-bit memory,
 * `realloc` has type (func (param i32 i32 i32 i32) (result i32)), `post-return` only on
 * lift with parameters = the lifted core function's results and no results, that the
 * options the function's types need are present, and that the core function of a lift has
 * exactly the flattened signature (flatten.c).  resource.new/rep need a resource defined
 * in this component. */
#include "component/validate_internal.h"
#include "base/alloc.h"
#include <stdio.h>
#include <string.h>

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

static void print_types(char *buf, size_t size, const uint8_t *t, uint32_t n) {
  size_t pos = (size_t)snprintf(buf, size, "[");
  for (uint32_t i = 0; i < n && pos < size; i++)
    pos += (size_t)snprintf(buf + pos, size - pos, "%s%s", i ? ", " : "", core_valtype_name(t[i]));
  if (pos < size) snprintf(buf + pos, size - pos, "]");
}

static weld_error_t *check_options(comp_vctx_t *v, comp_scope_t *s, const comp_canon_opts_t *o, bool lift,
                                   const core_functype_t *lifted, const comp_lowering_t *info, size_t off) {
  comp_typeid_t t;
  if (o->has_memory) {
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_MEMORY, o->memory, off, &t));
    const comp_core_limits_t *m = &comp_type(v->T, t)->u.mem;
    if (m->is64) return comp_verr(off, COMP_NOT_SUPPORTED "64-bit memories in canonical options (cm64)");
    if (m->shared) return comp_verr(off, "mismatch in the shared flag for memories");
  }
  if (o->has_realloc) {
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_FUNC, o->realloc, off, &t));
    const core_functype_t *f = &comp_type(v->T, t)->u.core_func;
    static const uint8_t want[5] = {VT_I32, VT_I32, VT_I32, VT_I32, VT_I32};
    if (f->nparams != 4 || f->nresults != 1 || memcmp(f->types, want, 5) != 0)
      return comp_verr(off, "canonical option `realloc` uses a core function with an incorrect signature");
    if (!o->has_memory) return comp_verr(off, "canonical option `realloc` requires `memory` to also be specified");
  }
  if (o->has_post_return) {
    if (!lift) return comp_verr(off, "canonical option `post-return` cannot be specified for lowerings");
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_FUNC, o->post_return, off, &t));
    const core_functype_t *f = &comp_type(v->T, t)->u.core_func;
    if (f->nresults != 0 || f->nparams != lifted->nresults ||
        (f->nparams && memcmp(f->types, core_ft_results(lifted), f->nparams) != 0))
      return comp_verr(off, "canonical option `post-return` uses a core function with an incorrect signature");
  }
  if (info->requires_memory && !o->has_memory) return comp_verr(off, "canonical option `memory` is required");
  if (info->requires_realloc && !o->has_realloc) return comp_verr(off, "canonical option `realloc` is required");
  return NULL;
}

static weld_error_t *local_resource(comp_vctx_t *v, comp_scope_t *s, uint32_t idx, bool need_local, size_t off) {
  comp_typeid_t t;
  TRY(comp_sp_get(v, s, COMP_SORT_TYPE, idx, off, &t));
  if (comp_type_kind(v->T, t) != COMP_T_RESOURCE) return comp_verr(off, "type index %u is not a resource type", idx);
  if (need_local) {
    uint32_t di;
    uint32_t rid = comp_type(v->T, t)->u.rid;
    if (!comp_map_get(&s->defined_map, rid, &di) || !s->defined_res.data[di].local)
      return comp_verr(off, "type index %u is not a local resource", idx);
  }
  return NULL;
}

weld_error_t *comp_canon(comp_vctx_t *v, comp_scope_t *s, const comp_canon_t *c, uint32_t item, size_t off) {
  comp_typeid_t t, ft;
  comp_lowering_t info;
  static const uint8_t i32 = VT_I32;
  switch (c->kind) {
  case COMP_CANON_LIFT: {
    TRY(comp_sp_get(v, s, COMP_SORT_CORE_FUNC, c->func, off, &t));
    TRY(comp_sp_get(v, s, COMP_SORT_TYPE, c->type, off, &ft));
    if (comp_type_kind(v->T, ft) != COMP_T_FUNC) return comp_verr(off, "type index %u is not a function type", c->type);
    comp_lower_functype(v->T, ft, true, &info);
    const core_functype_t core = comp_type(v->T, t)->u.core_func;
    TRY(check_options(v, s, &c->opts, true, &core, &info, off));
    if (core.nparams != info.nparams || (info.nparams && memcmp(core.types, info.params, info.nparams) != 0)) {
      char want[256], have[256];
      print_types(want, sizeof want, info.params, info.nparams);
      print_types(have, sizeof have, core.types, core.nparams);
      return comp_verr(off, "lowered parameter types `%s` do not match parameter types `%s` of core function %u", want, have,
                       c->func);
    }
    if (core.nresults != info.nresults || (info.nresults && memcmp(core_ft_results(&core), info.results, info.nresults) != 0)) {
      char want[64], have[256];
      print_types(want, sizeof want, info.results, info.nresults);
      print_types(have, sizeof have, core_ft_results(&core), core.nresults);
      return comp_verr(off, "lowered result types `%s` do not match result types `%s` of core function %u", want, have, c->func);
    }
    return comp_sp_push(v, s, COMP_SORT_FUNC, item, 0, ft, off);
  }
  case COMP_CANON_LOWER: {
    TRY(comp_sp_get(v, s, COMP_SORT_FUNC, c->func, off, &ft));
    comp_lower_functype(v->T, ft, false, &info);
    TRY(check_options(v, s, &c->opts, false, NULL, &info, off));
    TRY(comp_core_func_type(v, info.params, info.nparams, info.results, info.nresults, off, &t));
    return comp_sp_push(v, s, COMP_SORT_CORE_FUNC, item, 0, t, off);
  }
  case COMP_CANON_RESOURCE_NEW:
  case COMP_CANON_RESOURCE_REP:
    TRY(local_resource(v, s, c->type, true, off));
    TRY(comp_core_func_type(v, &i32, 1, &i32, 1, off, &t));
    return comp_sp_push(v, s, COMP_SORT_CORE_FUNC, item, 0, t, off);
  case COMP_CANON_RESOURCE_DROP:
    TRY(local_resource(v, s, c->type, false, off));
    TRY(comp_core_func_type(v, &i32, 1, NULL, 0, off, &t));
    return comp_sp_push(v, s, COMP_SORT_CORE_FUNC, item, 0, t, off);
  }
  return comp_verr(off, "invalid canonical definition");
}
