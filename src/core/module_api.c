/* module_api.c — compiled modules and function types in the public API (weld/module.h,
 * weld/val.h): weld_module_new (decode §5, validate §3, compile), reference counting, and
 * import/export reflection (the external types of core spec §2.5.10/§2.5.11 "Imports",
 * "Exports", as classified by §3.4 "Modules"). */
#include "base/alloc.h"
#include "base/error.h"
#include "base/file.h"
#include "base/limits.h"
#include "core/runtime.h"
#include "core/validate_code.h"
#include <string.h>

/* ---------------------------------------------------------------- function types */

weld_functype_t *weld_functype_new(const weld_valkind_t *params, size_t nparams,
                                   const weld_valkind_t *results, size_t nresults) {
  if (nparams > WELD_MAX_FUNC_PARAMS || nresults > WELD_MAX_FUNC_RESULTS) return NULL;
  if ((nparams && !params) || (nresults && !results)) return NULL;
  weld_functype_t *t = base_alloc(sizeof *t);
  if (!t) return NULL;
  size_t n = nparams + nresults;
  t->t.nparams = (uint32_t)nparams;
  t->t.nresults = (uint32_t)nresults;
  t->t.types = base_alloc(n);
  if (!t->t.types) {
    base_free(t, sizeof *t);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    uint8_t vt = core_valkind_to_type(i < nparams ? params[i] : results[i - nparams]);
    if (!vt) {
      base_free(t->t.types, n);
      base_free(t, sizeof *t);
      return NULL;
    }
    t->t.types[i] = vt;
  }
  return t;
}

void weld_functype_delete(weld_functype_t *t) {
  if (!t) return;
  base_free(t->t.types, (size_t)t->t.nparams + t->t.nresults);
  base_free(t, sizeof *t);
}

size_t weld_functype_param_count(const weld_functype_t *t) { return t ? t->t.nparams : 0; }
size_t weld_functype_result_count(const weld_functype_t *t) { return t ? t->t.nresults : 0; }
weld_valkind_t weld_functype_param(const weld_functype_t *t, size_t i) {
  return t && i < t->t.nparams ? core_type_to_valkind(t->t.types[i]) : WELD_I32;
}
weld_valkind_t weld_functype_result(const weld_functype_t *t, size_t i) {
  return t && i < t->t.nresults ? core_type_to_valkind(t->t.types[t->t.nparams + i]) : WELD_I32;
}

/* ---------------------------------------------------------------- modules */

/* Array allocations are never of size 0 (so the sizes given to base_free match). */
static size_t nz(size_t n) { return n ? n : 1; }

static void module_free(weld_module_t *mod) {
  if (mod->code) {
    uint32_t n = mod->m ? mod->m->ncodes : 0;
    for (uint32_t i = 0; i < n; i++)
      if (mod->code[i]) core_compiled_func_free(mod->code[i]);
    base_free(mod->code, nz(n) * sizeof *mod->code);
  }
  if (mod->api_types) {
    size_t n = nz(mod->m->ntypes);
    base_free(mod->api_types, n * (sizeof(weld_functype_t *) + sizeof(weld_functype_t)));
  }
  if (mod->type_ids) base_free(mod->type_ids, nz(mod->m->ntypes) * sizeof *mod->type_ids);
  if (mod->m) core_module_free(mod->m);
  base_free(mod, sizeof *mod);
}

void core_module_release(weld_module_t *mod) {
  if (!mod) return;
  if (atomic_fetch_sub_explicit(&mod->refs, 1, memory_order_acq_rel) == 1) module_free(mod);
}

const weld_functype_t *core_module_type_view(const weld_module_t *mod, uint32_t typeidx) {
  if (!mod || !mod->api_types || typeidx >= mod->m->ntypes) return NULL;
  return mod->api_types[typeidx];
}

/* Everything after decoding: engine type ids, reflection views, compiled code (compiling
 * is also where function bodies are validated).  Takes ownership of m. */
static weld_error_t *module_build(weld_engine_t *engine, core_module_t *m, weld_module_t **out) {
  weld_module_t *mod = base_calloc(1, sizeof *mod);
  if (!mod) {
    core_module_free(m);
    return base_error_oom();
  }
  mod->engine = engine;
  mod->m = m;
  atomic_init(&mod->refs, 1);
  size_t nt = m->ntypes;
  mod->type_ids = base_calloc(nz(nt), sizeof *mod->type_ids);
  /* One block: nt pointers followed by nt views. */
  mod->api_types = base_calloc(nz(nt), sizeof(weld_functype_t *) + sizeof(weld_functype_t));
  mod->code = base_calloc(nz(m->ncodes), sizeof *mod->code);
  if (!mod->type_ids || !mod->api_types || !mod->code) {
    module_free(mod);
    return base_error_oom();
  }
  weld_functype_t *views = (weld_functype_t *)(mod->api_types + nt);
  for (size_t i = 0; i < nt; i++) {
    mod->type_ids[i] = core_engine_type_id(engine, &m->types[i]);
    if (mod->type_ids[i] == UINT32_MAX) {
      module_free(mod);
      return base_error_oom();
    }
    views[i].t = m->types[i];
    mod->api_types[i] = &views[i];
  }
  weld_error_t *err = core_compile_module(mod);
  if (err) {
    module_free(mod);
    return err;
  }
  *out = mod;
  return NULL;
}

weld_error_t *weld_module_new(weld_engine_t *engine, const uint8_t *bytes, size_t len,
                              weld_module_t **out) {
  if (out) *out = NULL;
  if (!engine || !out || (!bytes && len)) return base_error("weld_module_new: invalid argument");
  if (len > WELD_MAX_MODULE_BYTES) return base_error("module too large (%zu bytes)", len);
  core_module_t *m = NULL;
  weld_error_t *err = core_decode(bytes ? bytes : (const uint8_t *)"", len, &m);
  if (err) return err;
  if ((engine->config.disabled_features & WELD_FEATURE_MULTI_MEMORY) && m->nmems > 1) {
    core_module_free(m);
    return base_error("multiple memories (the multi-memory feature is disabled)");
  }
  return module_build(engine, m, out);
}

/* Decode + the dedicated body validator (validate_code.c), no compilation: it accepts
 * exactly what weld_module_new accepts, with the same messages (the argument and feature
 * checks below are weld_module_new's). */
weld_error_t *weld_module_validate(weld_engine_t *engine, const uint8_t *bytes, size_t len) {
  if (!engine || (!bytes && len)) return base_error("weld_module_new: invalid argument");
  if (len > WELD_MAX_MODULE_BYTES) return base_error("module too large (%zu bytes)", len);
  core_module_t *m = NULL;
  weld_error_t *err = core_decode(bytes ? bytes : (const uint8_t *)"", len, &m);
  if (err) return err;
  if ((engine->config.disabled_features & WELD_FEATURE_MULTI_MEMORY) && m->nmems > 1)
    err = base_error("multiple memories (the multi-memory feature is disabled)");
  else
    err = core_validate_code(m);
  core_module_free(m);
  return err;
}

weld_error_t *weld_module_from_file(weld_engine_t *engine, const char *path, weld_module_t **out) {
  if (out) *out = NULL;
  if (!engine || !path || !out) return base_error("weld_module_from_file: invalid argument");
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0;
  weld_error_t *err = base_read_file(path, WELD_MAX_MODULE_BYTES, "module", &buf, &len, &cap);
  if (err) return err;
  err = weld_module_new(engine, buf, len, out);
  if (err) err = base_error_wrap(err, "%s", path);
  base_free(buf, cap);
  return err;
}

void weld_module_delete(weld_module_t *module) { core_module_release(module); }

/* ---------------------------------------------------------------- reflection */

static weld_limits_t limits_of(const core_limits_t *l) {
  weld_limits_t r = {l->min, l->has_max ? l->max : 0, l->has_max};
  return r;
}

static void externtype_of(const weld_module_t *mod, uint8_t kind, uint32_t index, weld_externtype_t *t) {
  const core_module_t *m = mod->m;
  memset(t, 0, sizeof *t);
  switch (kind) {
  case EXT_FUNC:
    t->kind = WELD_EXTERN_FUNC;
    if (index < m->nfuncs) t->func = core_module_type_view(mod, m->func_types[index]);
    break;
  case EXT_TABLE:
    t->kind = WELD_EXTERN_TABLE;
    if (index < m->ntables) {
      t->table.elem = core_type_to_valkind(m->tables[index].elem);
      t->table.limits = limits_of(&m->tables[index].limits);
    }
    break;
  case EXT_MEMORY:
    t->kind = WELD_EXTERN_MEMORY;
    if (index < m->nmems) t->memory.limits = limits_of(&m->mems[index].limits);
    break;
  default:
    t->kind = WELD_EXTERN_GLOBAL;
    if (index < m->nglobals) {
      t->global.type = core_type_to_valkind(m->globals[index].type.type);
      t->global.mutable_ = m->globals[index].type.mut;
    }
    break;
  }
}

size_t weld_module_import_count(const weld_module_t *m) { return m ? m->m->nimports : 0; }
size_t weld_module_export_count(const weld_module_t *m) { return m ? m->m->nexports : 0; }

void weld_module_import(const weld_module_t *mod, size_t i, weld_import_desc_t *out) {
  memset(out, 0, sizeof *out);
  if (!mod || i >= mod->m->nimports) return;
  const core_import_t *im = &mod->m->imports[i];
  out->module = im->module.s;
  out->module_len = im->module.len;
  out->name = im->name.s;
  out->name_len = im->name.len;
  externtype_of(mod, im->kind, im->index, &out->type);
  /* Take the type from the import's own descriptor (same as the index space entry). */
  if (im->kind == EXT_FUNC) out->type.func = core_module_type_view(mod, im->desc.func_type);
}

void weld_module_export(const weld_module_t *mod, size_t i, weld_export_desc_t *out) {
  memset(out, 0, sizeof *out);
  if (!mod || i >= mod->m->nexports) return;
  const core_export_t *ex = &mod->m->exports[i];
  out->name = ex->name.s;
  out->name_len = ex->name.len;
  externtype_of(mod, ex->kind, ex->index, &out->type);
}
