/* func.c — component functions (include/weld/component.h "functions"): weld_cfunc_call
 * (host -> guest through the Canonical ABI, abi.h comp_call_export; or a host function
 * re-exported by a component, called directly), the flat fast path for scalar signatures,
 * and the core functions that `canon lower` makes (design/mvp/CanonicalABI.md "canon
 * lower"; definitions.py canon_lower):
 *   - a host callee: a trampoline that lifts the core arguments to weld_cval_t, calls the
 *     host, lowers its results (comp_call_host); for a flat host function the arguments
 *     and results are converted word by word, with no boxed values;
 *   - a lifted function of another (or the same) component instance: a trampoline that
 *     hands the core arguments to the direct transfer path (comp_call_guest), which copies
 *     values between the two instances without building host values.
 *
 * Flat form (weld_chost_flat_fn_t): one 64-bit word per scalar, integers zero- or
 * sign-extended according to their type, bool 0/1, char a scalar value, enum the case
 * index, flags the bit set, floats as bits.  Lifting from the guest follows
 * definitions.py lift_flat (wrap_i32_to_*, bool = nonzero, convert_i32_to_char traps on
 * a non-scalar, enum/variant discriminants trap when out of range, flags ignore undeclared
 * bits, NaNs canonicalized as when lifting to weld_cval_t); lowering from the host checks
 * what the host gives (a bad char or enum index from a host function is a trap, from
 * weld_cfunc_call_flat an error). */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/error.h"
#include <string.h>

struct weld_ccaller {
  weld_store_t *store;
  const weld_ctype_t *type;
};

weld_store_t *weld_ccaller_store(weld_ccaller_t *caller) { return caller ? caller->store : NULL; }
const weld_ctype_t *weld_ccaller_func_type(weld_ccaller_t *caller) { return caller ? caller->type : NULL; }

/* ---------------------------------------------------------------- flat signatures */

static bool flat_scalar(const comp_types_t *T, comp_typeid_t id, uint8_t *kind, uint32_t *n) {
  const comp_type_t *t = comp_type(T, id);
  *n = 0;
  switch (t->kind) {
  case COMP_T_PRIM:
    if (t->u.prim == COMP_PRIM_STRING) return false;
    *kind = (uint8_t)(WELD_CK_BOOL + t->u.prim);
    return true;
  case COMP_T_ENUM:
    *kind = WELD_CK_ENUM;
    *n = t->u.labels.n;
    return true;
  case COMP_T_FLAGS:
    if (t->u.labels.n > 32) return false;
    *kind = WELD_CK_FLAGS;
    *n = t->u.labels.n;
    return true;
  default: return false;
  }
}

void comp_flatsig_of(const comp_types_t *T, comp_typeid_t ft, comp_flatsig_t *out) {
  memset(out, 0, sizeof *out);
  const comp_type_t *f = comp_type(T, ft);
  if (f->kind != COMP_T_FUNC || f->u.func.nparams > COMP_FLAT_MAX) return;
  for (uint32_t i = 0; i < f->u.func.nparams; i++)
    if (!flat_scalar(T, f->u.func.params[i].type, &out->p[i], &out->pn[i])) return;
  out->np = (uint8_t)f->u.func.nparams;
  out->plain = out->plain_lift = true;
  for (uint32_t i = 0; i < out->np; i++) {
    uint8_t k = out->p[i];
    out->pmask[i] = k == WELD_CK_S64 || k == WELD_CK_U64 || k == WELD_CK_F64 ? UINT64_MAX : UINT32_MAX;
    if (k != WELD_CK_U32 && k != WELD_CK_U64 && k != WELD_CK_S64 && k != WELD_CK_F32 && k != WELD_CK_F64)
      out->plain = false;
    if (k != WELD_CK_U32 && k != WELD_CK_U64 && k != WELD_CK_S64) out->plain_lift = false;
  }
  if (f->u.func.result != COMP_NO_TYPE) {
    if (!flat_scalar(T, f->u.func.result, &out->r[0], &out->rn[0])) return;
    out->nr = 1;
    if (out->r[0] == WELD_CK_U32) out->rmask = UINT32_MAX;
    else if (out->r[0] == WELD_CK_U64 || out->r[0] == WELD_CK_S64) out->rmask = UINT64_MAX;
  }
  out->ok = true;
}

/* A core value (slot) lifted to a flat word (definitions.py lift_flat for scalars). */
static inline weld_trap_t *lift_word(uint8_t kind, uint32_t n, core_slot_t s, uint64_t *w) {
  switch (kind) {
  case WELD_CK_BOOL: *w = s.u32 != 0; return NULL;
  case WELD_CK_S8: *w = (uint64_t)(int64_t)(int8_t)s.u32; return NULL;
  case WELD_CK_U8: *w = s.u32 & 0xff; return NULL;
  case WELD_CK_S16: *w = (uint64_t)(int64_t)(int16_t)s.u32; return NULL;
  case WELD_CK_U16: *w = s.u32 & 0xffff; return NULL;
  case WELD_CK_S32: *w = (uint64_t)(int64_t)s.i32; return NULL;
  case WELD_CK_U32: *w = s.u32; return NULL;
  case WELD_CK_S64:
  case WELD_CK_U64: *w = s.u64; return NULL;
  case WELD_CK_F32: {
    uint32_t b = s.u32;
    if ((b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu)) b = 0x7fc00000u; /* canonicalize_nan32 */
    *w = b;
    return NULL;
  }
  case WELD_CK_F64: {
    uint64_t b = s.u64;
    if ((b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0x000fffffffffffffull)) b = 0x7ff8000000000000ull;
    *w = b;
    return NULL;
  }
  case WELD_CK_CHAR:
    if (s.u32 >= 0x110000 || (s.u32 >= 0xD800 && s.u32 <= 0xDFFF))
      return comp_abi_trap("invalid char: 0x%x is not a Unicode scalar value", s.u32);
    *w = s.u32;
    return NULL;
  case WELD_CK_ENUM:
    if (s.u32 >= n) return comp_abi_trap("invalid enum discriminant %u (%u cases)", s.u32, n);
    *w = s.u32;
    return NULL;
  case WELD_CK_FLAGS: *w = n >= 32 ? s.u32 : s.u32 & ((1u << n) - 1); return NULL;
  default: *w = s.u64; return NULL;
  }
}

/* A flat word from the host lowered to a core value; false if the host's value is not a
 * value of the type. */
static inline bool lower_word(uint8_t kind, uint32_t n, uint64_t w, core_slot_t *s) {
  s->u64 = 0;
  int64_t sw = (int64_t)w;
  switch (kind) {
  case WELD_CK_BOOL: s->u32 = (uint32_t)w; return w <= 1;
  case WELD_CK_S8: s->u32 = (uint32_t)w; return sw >= INT8_MIN && sw <= INT8_MAX;
  case WELD_CK_U8: s->u32 = (uint32_t)w; return w <= UINT8_MAX;
  case WELD_CK_S16: s->u32 = (uint32_t)w; return sw >= INT16_MIN && sw <= INT16_MAX;
  case WELD_CK_U16: s->u32 = (uint32_t)w; return w <= UINT16_MAX;
  case WELD_CK_S32: s->u32 = (uint32_t)w; return sw >= INT32_MIN && sw <= INT32_MAX;
  case WELD_CK_S64:
  case WELD_CK_U64:
  case WELD_CK_F64: s->u64 = w; return true;
  case WELD_CK_CHAR:
    s->u32 = (uint32_t)w;
    return w < 0x110000 && !(w >= 0xD800 && w <= 0xDFFF);
  case WELD_CK_ENUM:
    s->u32 = (uint32_t)w;
    return w < n;
  case WELD_CK_FLAGS:
    s->u32 = (uint32_t)w;
    return n >= 32 ? w <= UINT32_MAX : w < (1ull << n);
  default: s->u32 = (uint32_t)w; return w <= UINT32_MAX; /* u32, f32 bits */
  }
}

const char *comp_ckind_name(weld_ckind_t k) {
  static const char *const names[] = {"?", "bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64",
                                      "char", "string", "list", "record", "tuple", "variant", "enum", "option", "result",
                                      "flags", "own", "borrow"};
  return (unsigned)k < sizeof names / sizeof *names ? names[k] : "a non-value kind";
}

/* weld_cval_t <-> flat word (host functions called with the other calling convention). */
static uint64_t cval_word(const weld_cval_t *v) {
  switch (v->kind) {
  case WELD_CK_BOOL: return v->of.b;
  case WELD_CK_S8: return (uint64_t)(int64_t)v->of.s8;
  case WELD_CK_U8: return v->of.u8;
  case WELD_CK_S16: return (uint64_t)(int64_t)v->of.s16;
  case WELD_CK_U16: return v->of.u16;
  case WELD_CK_S32: return (uint64_t)(int64_t)v->of.s32;
  case WELD_CK_U32: return v->of.u32;
  case WELD_CK_S64: return (uint64_t)v->of.s64;
  case WELD_CK_U64: return v->of.u64;
  case WELD_CK_F32: {
    uint32_t b;
    memcpy(&b, &v->of.f32, 4);
    return b;
  }
  case WELD_CK_F64: {
    uint64_t b;
    memcpy(&b, &v->of.f64, 8);
    return b;
  }
  case WELD_CK_CHAR: return v->of.ch;
  case WELD_CK_ENUM: return v->of.index;
  case WELD_CK_FLAGS: return v->of.flags.nwords ? v->of.flags.bits[0] : 0;
  default: return 0;
  }
}

static bool word_cval(uint8_t kind, uint32_t n, uint64_t w, weld_cval_t *v) {
  memset(v, 0, sizeof *v);
  v->kind = (weld_ckind_t)kind;
  switch (kind) {
  case WELD_CK_BOOL: v->of.b = w != 0; return true;
  case WELD_CK_S8: v->of.s8 = (int8_t)w; return true;
  case WELD_CK_U8: v->of.u8 = (uint8_t)w; return true;
  case WELD_CK_S16: v->of.s16 = (int16_t)w; return true;
  case WELD_CK_U16: v->of.u16 = (uint16_t)w; return true;
  case WELD_CK_S32: v->of.s32 = (int32_t)w; return true;
  case WELD_CK_U32: v->of.u32 = (uint32_t)w; return true;
  case WELD_CK_S64: v->of.s64 = (int64_t)w; return true;
  case WELD_CK_U64: v->of.u64 = w; return true;
  case WELD_CK_F32: {
    uint32_t b = (uint32_t)w;
    memcpy(&v->of.f32, &b, 4);
    return true;
  }
  case WELD_CK_F64: memcpy(&v->of.f64, &w, 8); return true;
  case WELD_CK_CHAR: v->of.ch = (uint32_t)w; return true;
  case WELD_CK_ENUM: v->of.index = (uint32_t)w; return true;
  case WELD_CK_FLAGS:
    if (!weld_cval_flags(v, n)) return false;
    if (v->of.flags.nwords) v->of.flags.bits[0] = (uint32_t)w;
    return true;
  default: return true;
  }
}

/* ---------------------------------------------------------------- host cfuncs */

weld_cfunc_t *comp_cfunc_host(comp_arena_t *a, comp_hostfn_t *h, const weld_component_t *c, comp_typeid_t ft) {
  weld_cfunc_t *cf = comp_arena_alloc(a, sizeof *cf);
  if (!cf) return NULL;
  cf->kind = COMP_CFUNC_HOST;
  cf->T = c->root->types;
  cf->type = ft;
  cf->view = comp_ctype_view(&c->ctypes, ft);
  cf->L = (comp_layouts_t *)&c->layouts;
  cf->host = h;
  comp_flatsig_of(cf->T, ft, &cf->flat);
  return cf;
}

/* ---------------------------------------------------------------- canon lower trampolines */

typedef struct lowered {
  comp_frame_t *frame;       /* the caller (the instance that lowered the function) */
  comp_typeid_t ft;          /* the function type as the caller sees it */
  comp_abi_opts_t opts;
  weld_cfunc_t *callee;
  comp_flatsig_t sig;
  weld_ccaller_t caller;
  comp_abi_side_t self, other; /* guest callee: the two sides of comp_call_guest */
  uint32_t nparams, nresults;  /* of the core signature */
} lowered_t;

#define NSLOTS 20

/* The trampolines are slot-level core host functions (runtime.h weld_func_t.raw): the
 * interpreter hands them its value slots directly (one slot per core value; component
 * signatures have no v128), so no weld_val_t is built on the way. */

static weld_trap_t *host_cb(void *env, const weld_cval_t *args, size_t nargs, weld_cval_t *results, size_t nresults) {
  lowered_t *lw = env;
  comp_hostfn_t *h = lw->callee->host;
  return h->fn(h->env, &lw->caller, args, nargs, results, nresults);
}

static weld_trap_t *raw_host(void *env, weld_caller_t *caller, core_slot_t *slots) {
  (void)caller;
  lowered_t *lw = env;
  core_slot_t buf[NSLOTS];
  memcpy(buf, slots, lw->nparams * sizeof *buf);
  weld_trap_t *trap =
      comp_call_host(&lw->frame->component->layouts, lw->ft, &lw->frame->abi, &lw->opts, buf, host_cb, lw);
  if (!trap) memcpy(slots, buf, lw->nresults * sizeof *buf);
  return trap;
}

/* canon_lower of a flat host function: lift_flat of each scalar, the call, lower_flat of
 * the result, without boxing. */
static weld_trap_t *raw_host_flat(void *env, weld_caller_t *caller, core_slot_t *slots) {
  (void)caller;
  lowered_t *lw = env;
  const comp_flatsig_t *sig = &lw->sig;
  if (__builtin_expect(!lw->frame->abi.may_leave, 0))
    return comp_abi_trap("cannot leave component instance: a host call made while lowering values");
  uint64_t w[COMP_FLAT_MAX], r[1] = {0};
  if (sig->plain_lift) {
    for (uint32_t i = 0; i < sig->np; i++) w[i] = slots[i].u64 & sig->pmask[i];
  } else {
    for (uint32_t i = 0; i < sig->np; i++) {
      weld_trap_t *t = lift_word(sig->p[i], sig->pn[i], slots[i], &w[i]);
      if (t) return t;
    }
  }
  comp_hostfn_t *h = lw->callee->host;
  weld_trap_t *trap = h->flat(h->env, &lw->caller, w, r);
  if (trap) return trap;
  if (sig->nr && !lower_word(sig->r[0], sig->rn[0], r[0], &slots[0]))
    return comp_abi_trap("host function returned an invalid %s (0x%llx)", comp_ckind_name(sig->r[0]), (unsigned long long)r[0]);
  return NULL;
}

/* The common case of raw_host_flat: parameters u32/u64/s64 (a slot becomes a word by
 * masking), the result (if any) u32/u64/s64 too (a word becomes a slot by masking), so
 * nothing can fail but the host function itself. */
static weld_trap_t *raw_host_flat_plain(void *env, weld_caller_t *caller, core_slot_t *slots) {
  (void)caller;
  lowered_t *lw = env;
  if (__builtin_expect(!lw->frame->abi.may_leave, 0))
    return comp_abi_trap("cannot leave component instance: a host call made while lowering values");
  const comp_flatsig_t *sig = &lw->sig;
  uint64_t w[COMP_FLAT_MAX], r[1] = {0};
  uint32_t np = sig->np;
  for (uint32_t i = 0; i < np; i++) w[i] = slots[i].u64 & sig->pmask[i];
  comp_hostfn_t *h = lw->callee->host;
  weld_trap_t *trap = h->flat(h->env, &lw->caller, w, r);
  if (__builtin_expect(trap != NULL, 0)) return trap;
  if (sig->nr) {
    if (__builtin_expect(r[0] > sig->rmask, 0))
      return comp_abi_trap("host function returned an invalid %s (0x%llx)", comp_ckind_name(sig->r[0]),
                           (unsigned long long)r[0]);
    slots[0].u64 = r[0];
  }
  return NULL;
}

static weld_trap_t *raw_guest(void *env, weld_caller_t *caller, core_slot_t *slots) {
  (void)caller;
  lowered_t *lw = env;
  core_slot_t buf[NSLOTS];
  memset(buf, 0, sizeof buf);
  memcpy(buf, slots, lw->nparams * sizeof *buf);
  weld_trap_t *trap = comp_call_guest(&lw->self, &lw->other, lw->callee->core, buf);
  if (!trap) memcpy(slots, buf, lw->nresults * sizeof *buf);
  return trap;
}

static weld_trap_t *not_called(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs, weld_val_t *results,
                               size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return comp_abi_trap("internal error: a component trampoline was called without its slot interface");
}

weld_func_t *comp_lower_func(comp_frame_t *f, weld_cfunc_t *callee, comp_typeid_t ft, const weld_functype_t *core_type,
                             const comp_flatsig_t *sig, const comp_abi_opts_t *opts) {
  if (core_type->t.nparams > NSLOTS || core_type->t.nresults > NSLOTS) return NULL;
  lowered_t *lw = comp_fmem_alloc(&f->mem, sizeof *lw);
  if (!lw) return NULL;
  lw->frame = f;
  lw->ft = ft;
  lw->opts = *opts;
  lw->callee = callee;
  lw->caller.store = f->store;
  lw->caller.type = comp_ctype_view(&f->component->ctypes, ft);
  lw->nparams = core_type->t.nparams;
  lw->nresults = core_type->t.nresults;
  lw->sig = *sig;
  weld_trap_t *(*raw)(void *, weld_caller_t *, core_slot_t *);
  if (callee->kind == COMP_CFUNC_HOST) {
    if (!callee->host->flat || !lw->sig.ok) raw = raw_host;
    else if (lw->sig.plain_lift && (lw->sig.nr == 0 || lw->sig.rmask)) raw = raw_host_flat_plain;
    else raw = raw_host_flat;
  } else {
    lw->self.L = &f->component->layouts;
    lw->self.ft = ft;
    lw->self.inst = &f->abi;
    lw->self.opts = &lw->opts;
    lw->other.L = callee->L;
    lw->other.ft = callee->type;
    lw->other.inst = &callee->frame->abi;
    lw->other.opts = &callee->opts;
    raw = raw_guest;
  }
  weld_func_t *cf = weld_func_new(f->store, core_type, not_called, lw, NULL);
  if (cf) cf->raw = raw;
  return cf;
}

/* ---------------------------------------------------------------- weld_cfunc_* */

const weld_ctype_t *weld_cfunc_type(const weld_cfunc_t *f) { return f ? f->view : NULL; }

bool weld_cfunc_is_flat(const weld_cfunc_t *f) { return f && f->flat.ok; }

static weld_error_t *store_check(weld_store_t *store, const weld_cfunc_t *f, const char *what) {
  if (!store || !f) return base_error("%s: invalid argument", what);
  if (f->kind == COMP_CFUNC_LIFTED && f->frame->store != store)
    return base_error("%s: the function belongs to another store", what);
  return NULL;
}

/* A host function called by the host through a component's export. */
static weld_error_t *call_host_direct(weld_store_t *store, weld_cfunc_t *f, const weld_cval_t *args, size_t nargs,
                                      weld_cval_t *results, size_t nresults, weld_trap_t **trap) {
  const comp_type_t *t = comp_type(f->T, f->type);
  uint32_t nr = t->u.func.result != COMP_NO_TYPE;
  if (nargs != t->u.func.nparams || nresults != nr)
    return base_error("function expects %u argument(s) and %u result(s), called with %zu and %zu", t->u.func.nparams, nr,
                      nargs, nresults);
  for (uint32_t i = 0; i < t->u.func.nparams; i++) {
    weld_error_t *e = comp_cval_check(f->L, t->u.func.params[i].type, &args[i], NULL);
    if (e) return base_error_wrap(e, "argument %u", i);
  }
  weld_ccaller_t caller = {store, f->view};
  comp_hostfn_t *h = f->host;
  if (nr) {
    memset(results, 0, sizeof *results);
    results[0].kind = comp_cval_kind(f->L, t->u.func.result);
  }
  if (h->fn) {
    *trap = h->fn(h->env, &caller, args, nargs, results, nresults);
    return NULL;
  }
  uint64_t w[COMP_FLAT_MAX], r[1] = {0};
  for (uint32_t i = 0; i < f->flat.np; i++) w[i] = cval_word(&args[i]);
  *trap = h->flat(h->env, &caller, w, r);
  if (!*trap && nr && !word_cval(f->flat.r[0], f->flat.rn[0], r[0], &results[0]))
    *trap = core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  return NULL;
}

/* A dynamic call of a lifted function with a scalar-only signature: the values are
 * checked (kinds, then what weld_cfunc_call_flat checks) and converted word by word, which
 * is what canon_lift does for such types, without the general lift/lower machinery. */
static weld_error_t *call_flat_dynamic(weld_store_t *store, weld_cfunc_t *f, const weld_cval_t *args, size_t nargs,
                                       weld_cval_t *results, size_t nresults, weld_trap_t **trap) {
  const comp_flatsig_t *sig = &f->flat;
  if (nargs != sig->np || nresults != sig->nr)
    return base_error("function expects %u argument(s) and %u result(s), called with %zu and %zu", sig->np, sig->nr, nargs,
                      nresults);
  uint64_t w[COMP_FLAT_MAX], r[1] = {0};
  for (uint32_t i = 0; i < sig->np; i++) {
    const weld_cval_t *a = &args[i];
    if (__builtin_expect(a->kind != sig->p[i], 0)) {
      const comp_name_t *nm = &comp_type(f->T, f->type)->u.func.params[i].name;
      return base_error("argument %u (`%.*s`): type mismatch: expected %s, found %s", i, (int)nm->len, nm->s,
                        comp_ckind_name(sig->p[i]), comp_ckind_name(a->kind));
    }
    if (a->kind == WELD_CK_FLAGS)
      for (size_t k = 1; k < a->of.flags.nwords; k++)
        if (a->of.flags.bits && a->of.flags.bits[k]) return base_error("argument %u: flags set a bit beyond the declared flags", i);
    w[i] = cval_word(a);
  }
  weld_error_t *err = weld_cfunc_call_flat(store, f, w, r, trap);
  if (err || *trap || !sig->nr) return err;
  if (!word_cval(sig->r[0], sig->rn[0], r[0], &results[0])) {
    *trap = core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
    memset(&results[0], 0, sizeof results[0]);
  }
  return NULL;
}

weld_error_t *weld_cfunc_call(weld_store_t *store, weld_cfunc_t *f, const weld_cval_t *args, size_t nargs,
                              weld_cval_t *results, size_t nresults, weld_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!trap || (nargs && !args) || (nresults && !results)) return base_error("weld_cfunc_call: invalid argument");
  weld_error_t *err = store_check(store, f, "weld_cfunc_call");
  if (err) return err;
  if (f->kind == COMP_CFUNC_HOST) return call_host_direct(store, f, args, nargs, results, nresults, trap);
  if (f->flat.ok) return call_flat_dynamic(store, f, args, nargs, results, nresults, trap);
  *trap = comp_call_export(f->L, f->type, &f->frame->abi, &f->opts, f->core, args, nargs, results, nresults, &err);
  return err;
}

/* weld_cfunc_call_flat of a host function re-exported by a component. */
__attribute__((noinline)) static weld_error_t *call_flat_host(weld_store_t *store, weld_cfunc_t *f, const uint64_t *args,
                                                              uint64_t *results, weld_trap_t **trap) {
  const comp_flatsig_t *sig = &f->flat;
  comp_hostfn_t *h = f->host;
  weld_ccaller_t caller = {store, f->view};
  if (h->flat) {
    uint64_t r[1] = {0};
    *trap = h->flat(h->env, &caller, args, r);
    if (!*trap && sig->nr) {
      core_slot_t s;
      if (!lower_word(sig->r[0], sig->rn[0], r[0], &s))
        *trap = comp_abi_trap("host function returned an invalid %s", comp_ckind_name(sig->r[0]));
      else results[0] = r[0];
    }
    return NULL;
  }
  weld_cval_t a[COMP_FLAT_MAX], r;
  for (uint32_t i = 0; i < sig->np; i++)
    if (!word_cval(sig->p[i], sig->pn[i], args[i], &a[i])) {
      for (uint32_t k = 0; k < i; k++) weld_cval_drop(&a[k]);
      return base_error_oom();
    }
  weld_error_t *err = call_host_direct(store, f, a, sig->np, &r, sig->nr, trap);
  for (uint32_t k = 0; k < sig->np; k++) weld_cval_drop(&a[k]);
  if (!err && !*trap && sig->nr) {
    results[0] = cval_word(&r);
    weld_cval_drop(&r);
  }
  return err;
}

__attribute__((noinline)) static weld_error_t *flat_arg_error(const comp_flatsig_t *sig, const uint64_t *args) {
  for (uint32_t i = 0; i < sig->np; i++) {
    core_slot_t s;
    if (!lower_word(sig->p[i], sig->pn[i], args[i], &s))
      return base_error("argument %u is not a valid %s (0x%llx)", i, comp_ckind_name(sig->p[i]),
                        (unsigned long long)args[i]);
  }
  return base_error("weld_cfunc_call_flat: invalid argument");
}

/* The general case of weld_cfunc_call_flat (checks, host functions, validated kinds,
 * results that need lifting, post-return). */
__attribute__((noinline)) static weld_error_t *call_flat_general(weld_store_t *store, weld_cfunc_t *f, const uint64_t *args,
                                                                 uint64_t *results, weld_trap_t **trap) {
  if (__builtin_expect(!trap || !store || !f, 0)) return base_error("weld_cfunc_call_flat: invalid argument");
  *trap = NULL;
  const comp_flatsig_t *sig = &f->flat;
  if (__builtin_expect(!sig->ok, 0))
    return base_error("weld_cfunc_call_flat: the function's signature is not flat (see weld_cfunc_is_flat)");
  if (__builtin_expect((sig->np && !args) || (sig->nr && !results), 0)) return base_error("weld_cfunc_call_flat: invalid argument");
  if (f->kind == COMP_CFUNC_HOST) return call_flat_host(store, f, args, results, trap);
  if (__builtin_expect(f->frame->store != store, 0))
    return base_error("weld_cfunc_call_flat: the function belongs to another store");
  core_slot_t slots[COMP_FLAT_MAX + 1];
  if (sig->plain) {
    for (uint32_t i = 0; i < sig->np; i++) {
      if (__builtin_expect(args[i] > sig->pmask[i], 0)) return flat_arg_error(sig, args);
      slots[i].u64 = args[i];
    }
  } else {
    for (uint32_t i = 0; i < sig->np; i++)
      if (!lower_word(sig->p[i], sig->pn[i], args[i], &slots[i])) return flat_arg_error(sig, args);
  }
  /* canon_lift with scalar-only types: nothing is lowered into or lifted from memory, no
   * handles move, so the Canonical ABI reduces to the reentrance rule, the call, the
   * result's lift and post-return. */
  comp_abi_inst_t *inst = &f->frame->abi;
  weld_trap_t *t = comp_abi_enter(inst);
  if (t) {
    *trap = t;
    return NULL;
  }
  t = core_call(store, f->core, slots);
  if (!t && sig->nr) {
    core_slot_t saved = slots[0];
    if (sig->rmask) results[0] = slots[0].u64 & sig->rmask;
    else t = lift_word(sig->r[0], sig->rn[0], slots[0], &results[0]);
    if (!t && f->opts.post_return) {
      slots[0] = saved;
      t = core_call(store, f->opts.post_return, slots);
    }
  } else if (!t && f->opts.post_return) {
    t = core_call(store, f->opts.post_return, slots);
  }
  if (__builtin_expect(t != NULL, 0)) inst->poisoned = true;
  comp_abi_leave(inst);
  *trap = t;
  return NULL;
}

/* The fast path: a lifted function whose parameters are integers or floats, whose result
 * (if any) is u32/u64/s64, without post-return, called in its store.  Everything else
 * takes call_flat_general. */
weld_error_t *weld_cfunc_call_flat(weld_store_t *store, weld_cfunc_t *f, const uint64_t *args, uint64_t *results,
                                   weld_trap_t **trap) {
  if (__builtin_expect(!trap || !f || !f->fast || f->frame->store != store || (!args && f->flat.np) ||
                           (!results && f->flat.nr),
                       0))
    return call_flat_general(store, f, args, results, trap);
  const comp_flatsig_t *sig = &f->flat;
  core_slot_t slots[COMP_FLAT_MAX + 1];
  for (uint32_t i = 0; i < sig->np; i++) {
    if (__builtin_expect(args[i] > sig->pmask[i], 0)) return flat_arg_error(sig, args);
    slots[i].u64 = args[i];
  }
  comp_abi_inst_t *inst = &f->frame->abi;
  if (__builtin_expect(inst->on_stack || inst->poisoned, 0)) { /* Task.enter traps */
    *trap = comp_abi_enter(inst);
    return NULL;
  }
  inst->on_stack = true;
  weld_trap_t *t = core_call(store, f->core, slots);
  inst->on_stack = false;
  if (__builtin_expect(t != NULL, 0)) inst->poisoned = true;
  else if (sig->nr) results[0] = slots[0].u64 & sig->rmask;
  *trap = t;
  return NULL;
}
