/* func.c — function instances (core spec §4.2.6 "Function Instances"): host functions
 * (§4.5.3.1 "Allocating host functions"), calls from the embedder (§4.5.5 "Invocation",
 * weld_func_call: argument checking, then core_call), and the conversions between public
 * values and the interpreter's 8-byte slots. */
#include "base/alloc.h"
#include "base/error.h"
#include "core/runtime.h"
#include <string.h>

/* ---------------------------------------------------------------- values <-> slots */

void core_val_to_slots(const weld_val_t *v, core_slot_t *s) {
  switch (v->kind) {
  case WELD_I32: s[0].u64 = (uint32_t)v->of.i32; break;
  case WELD_I64: s[0].u64 = (uint64_t)v->of.i64; break;
  case WELD_F32: s[0].u64 = v->of.f32_bits; break;
  case WELD_F64: s[0].u64 = v->of.f64_bits; break;
  case WELD_V128: memcpy(s, v->of.v128, 16); break; /* low 8 bytes in s[0] (little-endian) */
  case WELD_FUNCREF: s[0].u64 = 0; s[0].ref = v->of.funcref; break;
  case WELD_EXTERNREF: s[0].u64 = 0; s[0].ref = v->of.externref; break;
  }
}

void core_slots_to_val(const core_slot_t *s, uint8_t type, weld_val_t *v) {
  memset(v, 0, sizeof *v);
  v->kind = core_type_to_valkind(type);
  switch (type) {
  case VT_I32: v->of.i32 = s[0].i32; break;
  case VT_I64: v->of.i64 = s[0].i64; break;
  case VT_F32: v->of.f32_bits = s[0].u32; break;
  case VT_F64: v->of.f64_bits = s[0].u64; break;
  case VT_V128: memcpy(v->of.v128, s, 16); break;
  case VT_FUNCREF: v->of.funcref = s[0].ref; break;
  case VT_EXTERNREF: v->of.externref = s[0].ref; break;
  default: break;
  }
}

/* ---------------------------------------------------------------- host functions */

weld_func_t *weld_func_new(weld_store_t *store, const weld_functype_t *type, weld_host_fn_t fn,
                           void *env, void (*finalizer)(void *)) {
  if (!store || !type || !fn) return NULL;
  if (!VEC_RESERVE(&store->funcs, 1)) return NULL;
  size_t np = type->t.nparams, nr = type->t.nresults;
  weld_func_t *f = base_calloc(1, sizeof *f);
  if (!f) return NULL;
  /* Copy the type: the caller keeps ownership of `type`. */
  weld_functype_t *copy = base_alloc(sizeof *copy);
  uint8_t *types = base_alloc(np + nr ? np + nr : 1);
  if (!copy || !types) goto oom;
  if (np + nr) memcpy(types, type->t.types, np + nr);
  copy->t = (core_functype_t){(uint32_t)np, (uint32_t)nr, types};
  f->type_id = core_engine_type_id(store->engine, &copy->t);
  if (f->type_id == UINT32_MAX) goto oom;
  f->kind = CORE_FUNC_HOST;
  f->owned_type = copy;
  f->type = &copy->t;
  f->store = store;
  f->host = fn;
  f->env = env;
  f->finalizer = finalizer;
  store->funcs.data[store->funcs.len++] = f;
  return f;
oom:
  base_free(types, np + nr ? np + nr : 1);
  base_free(copy, sizeof *copy);
  base_free(f, sizeof *f);
  return NULL;
}

void core_host_func_free(weld_func_t *f) {
  if (f->finalizer) f->finalizer(f->env);
  if (f->owned_type) {
    size_t n = (size_t)f->owned_type->t.nparams + f->owned_type->t.nresults;
    base_free(f->owned_type->t.types, n ? n : 1);
    base_free(f->owned_type, sizeof *f->owned_type);
  }
  base_free(f, sizeof *f);
}

const weld_functype_t *weld_func_type(const weld_func_t *f) {
  if (!f) return NULL;
  if (f->kind == CORE_FUNC_HOST) return f->owned_type;
  const core_module_t *m = f->inst->m;
  return core_module_type_view(f->inst->module, m->func_types[f->index]);
}

/* ---------------------------------------------------------------- calls */

/* The binary value type of each public value kind (core_valkind_to_type, inline). */
static const uint8_t k_kind_type[] = {
    [WELD_I32] = VT_I32,   [WELD_I64] = VT_I64,         [WELD_F32] = VT_F32,          [WELD_F64] = VT_F64,
    [WELD_V128] = VT_V128, [WELD_FUNCREF] = VT_FUNCREF, [WELD_EXTERNREF] = VT_EXTERNREF,
};

/* The embedder's call path, general form: checks, then values -> slots, core_call, slots
 * -> values (the slots the arguments do not fill are written by the callee before they are
 * read, so nothing is cleared). */
static __attribute__((noinline)) weld_error_t *call_general(weld_store_t *store, weld_func_t *f,
                                                            const weld_val_t *args, size_t nargs,
                                                            weld_val_t *results, size_t nresults,
                                                            weld_trap_t **trap) {
  if (f->store != store) return base_error("weld_func_call: function belongs to another store");
  const core_functype_t *t = f->type;
  if (nargs != t->nparams)
    return base_error("wrong number of arguments: expected %u, got %zu", t->nparams, nargs);
  if (nresults != t->nresults)
    return base_error("wrong number of results: expected %u, got %zu", t->nresults, nresults);
  const uint8_t *pt = core_ft_params(t), *rt = core_ft_results(t);
  for (size_t i = 0; i < nargs; i++) {
    weld_valkind_t k = args[i].kind;
    if ((unsigned)k >= sizeof k_kind_type || k_kind_type[k] != pt[i])
      return base_error("type mismatch in argument %zu: expected %s, got %s", i,
                        core_valtype_name(pt[i]), weld_valkind_name(args[i].kind));
    if (k == WELD_FUNCREF && args[i].of.funcref && args[i].of.funcref->store != store)
      return base_error("argument %zu: funcref from another store", i);
  }
  size_t in_slots = 0, out_slots = 0;
  for (size_t i = 0; i < nargs; i++) in_slots += core_slots_of(pt[i]);
  for (size_t i = 0; i < nresults; i++) out_slots += core_slots_of(rt[i]);
  size_t nslots = in_slots > out_slots ? in_slots : out_slots;
  core_slot_t local[32];
  core_slot_t *slots = local;
  if (nslots > 32) {
    slots = base_calloc(nslots, sizeof *slots);
    if (!slots) return base_error_oom();
  }
  for (size_t i = 0, k = 0; i < nargs; i++) {
    core_val_to_slots(&args[i], &slots[k]);
    k += core_slots_of(pt[i]);
  }
  weld_trap_t *tr = core_call(store, f, slots);
  if (tr) {
    *trap = tr;
  } else {
    for (size_t i = 0, k = 0; i < nresults; i++) {
      core_slots_to_val(&slots[k], rt[i], &results[i]);
      k += core_slots_of(rt[i]);
    }
  }
  if (slots != local) base_free(slots, nslots * sizeof *slots);
  return NULL;
}

/* The fast path of every host -> wasm call: up to 8 parameters and 8 results, all numbers
 * (i32 i64 f32 f64: one slot each).  The numeric value types are 0x7f 0x7e 0x7d 0x7c and
 * their kinds WELD_I32..WELD_F64 are 0..3, so kind = 0x7f - type; the 32-bit ones are the
 * odd types.  Anything else (or anything wrong) takes call_general, which reports errors. */
weld_error_t *weld_func_call(weld_store_t *store, weld_func_t *f, const weld_val_t *args,
                             size_t nargs, weld_val_t *results, size_t nresults, weld_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!store || !f || !trap || (nargs && !args) || (nresults && !results))
    return base_error("weld_func_call: invalid argument");
  const core_functype_t *t = f->type;
  const uint8_t *pt = core_ft_params(t);
  if (f->store != store || nargs != t->nparams || nresults != t->nresults || nargs > 8 || nresults > 8)
    return call_general(store, f, args, nargs, results, nresults, trap);
  core_slot_t slots[8];
  for (size_t i = 0; i < nargs; i++) {
    unsigned k = (unsigned)args[i].kind;
    if (k > WELD_F64 || pt[i] != VT_I32 - k) return call_general(store, f, args, nargs, results, nresults, trap);
    slots[i].u64 = (pt[i] & 1) ? (uint64_t)args[i].of.f32_bits : args[i].of.f64_bits;
  }
  const uint8_t *rt = pt + nargs;
  for (size_t i = 0; i < nresults; i++)
    if (rt[i] < VT_F64 || rt[i] > VT_I32) return call_general(store, f, args, nargs, results, nresults, trap);
  weld_trap_t *tr = core_call(store, f, slots);
  if (tr) {
    *trap = tr;
    return NULL;
  }
  for (size_t i = 0; i < nresults; i++) {
    results[i].kind = (weld_valkind_t)(VT_I32 - rt[i]);
    results[i].of.f64_bits = (rt[i] & 1) ? (uint64_t)slots[i].u32 : slots[i].u64;
  }
  return NULL;
}
