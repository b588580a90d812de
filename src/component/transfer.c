/* transfer.c — component-to-component calls without intermediate host values: the
 * composition of `canon lower` in the caller with `canon lift` in the callee
 * (design/mvp/CanonicalABI.md "canon lift", "canon lower"; definitions.py canon_lower +
 * canon_lift with lift_flat_values/lower_flat_values of each value fused into one walk:
 * lift_flat + lower_flat, load + store, load_string_from_range + store_string_into_range,
 * load_list_from_range + store_list_into_range, lift_own + lower_own,
 * lift_borrow + lower_borrow).
 *
 * Each value's type is walked once, on both sides at the same time (the two function types
 * are equal; they may live in different type arenas).  Scalars are copied with the
 * normalisation lift+lower implies (bool -> 0/1, integers wrapped to their width, flags
 * masked to the declared labels, chars validated, discriminants checked); float bits are
 * copied as they are (lift canonicalizes NaNs and lower may scramble them: any NaN is a
 * valid outcome).  Strings are validated and transcoded straight from the source memory
 * into memory realloc'd in the destination; lists whose elements are plain (integers,
 * floats, records of them without padding) move with a single memcpy.
 *
 * Order of effects: the destination's realloc calls happen in the order definitions.py
 * makes them (a list before its elements, fields and elements in order); validation of a
 * later source value may trap after earlier values were already copied, which is only
 * observable as the same trap. */
#include "component/abi.h"
#include "base/alloc.h"
#include <string.h>

#define TRY(x)             \
  do {                     \
    weld_trap_t *t_ = (x); \
    if (t_) return t_;     \
  } while (0)

static weld_trap_t *oom(void) { return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory in a call"); }

static weld_trap_t *layouts(const comp_abi_cx_t *src, comp_typeid_t sid, const comp_abi_cx_t *dst, comp_typeid_t did,
                            const comp_layout_t **sl, const comp_layout_t **dl) {
  *sl = comp_layout(src->L, sid);
  *dl = comp_layout(dst->L, did);
  if (!*sl || !*dl) return oom();
  if ((*sl)->lkind != (*dl)->lkind || (*sl)->n != (*dl)->n || (*sl)->size != (*dl)->size ||
      (*sl)->kind != (*dl)->kind)
    return comp_abi_trap("caller and callee disagree on a value type");
  return NULL;
}

/* lift_own + lower_own, lift_borrow + lower_borrow */
static weld_trap_t *xfer_handle(const comp_abi_cx_t *src, const comp_layout_t *sl, uint32_t sidx,
                                const comp_abi_cx_t *dst, const comp_layout_t *dl, uint32_t *didx) {
  weld_resource_type_t *srt, *drt;
  TRY(comp_handle_rtype(src, sl, &srt));
  TRY(comp_handle_rtype(dst, dl, &drt));
  if (srt != drt) return comp_abi_trap("caller and callee disagree on a resource type");
  uint32_t rep;
  if (sl->lkind == COMP_LK_OWN) {
    TRY(comp_handle_lift_own(src->inst, srt, sidx, &rep));
    return comp_handle_lower_own(dst->inst, drt, rep, didx);
  }
  TRY(comp_handle_lift_borrow(src->inst, src->call, srt, sidx, &rep));
  return comp_handle_lower_borrow(dst->inst, dst->call, drt, rep, didx);
}

/* load_string_from_range + store_string_into_range */
static weld_trap_t *xfer_string(const comp_abi_cx_t *src, uint32_t sptr, uint32_t slen, const comp_abi_cx_t *dst,
                                uint32_t *dptr, uint32_t *dlen) {
  comp_str_t s;
  TRY(comp_string_load(src, sptr, slen, &s));
  return comp_string_store(dst, &s, dptr, dlen);
}

static weld_trap_t *xfer_mem_at(const comp_abi_cx_t *src, comp_typeid_t sid, uint32_t sptr, const comp_abi_cx_t *dst,
                                comp_typeid_t did, uint32_t dptr);

/* load_list_from_range + store_list_into_range */
static weld_trap_t *xfer_list(const comp_abi_cx_t *src, comp_typeid_t se, uint32_t sptr, uint32_t len,
                              const comp_abi_cx_t *dst, comp_typeid_t de, uint32_t *dptr) {
  const comp_layout_t *sl, *dl;
  TRY(layouts(src, se, dst, de, &sl, &dl));
  if (sptr & (sl->align - 1)) return comp_abi_trap("list pointer 0x%x is not %u-byte aligned", sptr, sl->align);
  uint64_t bytes = (uint64_t)len * sl->size;
  weld_trap_t *trap = NULL;
  if (!comp_abi_mem(src, sptr, bytes, &trap)) return trap;
  if (bytes >= ((uint64_t)1 << 32)) return comp_abi_trap("list of %llu bytes is too long", (unsigned long long)bytes);
  uint32_t p;
  TRY(comp_abi_realloc(dst, 0, 0, dl->align, (uint32_t)bytes, &p));
  if (sl->flags & COMP_LF_PLAIN) {
    if (bytes) memcpy(dst->opts->memory->base + p, src->opts->memory->base + sptr, bytes);
  } else {
    for (uint32_t i = 0; i < len; i++) TRY(xfer_mem_at(src, se, sptr + i * sl->size, dst, de, p + i * dl->size));
  }
  *dptr = p;
  return NULL;
}

static uint32_t rd32(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4);
  return x;
}

/* load + store: both ranges aligned and inside their memories */
static weld_trap_t *xfer_mem_at(const comp_abi_cx_t *src, comp_typeid_t sid, uint32_t sptr, const comp_abi_cx_t *dst,
                                comp_typeid_t did, uint32_t dptr) {
  const comp_layout_t *sl, *dl;
  TRY(layouts(src, sid, dst, did, &sl, &dl));
  const uint8_t *s = src->opts->memory->base + sptr;
  if (sl->flags & COMP_LF_PLAIN) {
    memcpy(dst->opts->memory->base + dptr, s, sl->size);
    return NULL;
  }
  switch (sl->lkind) {
  case COMP_LK_BOOL: dst->opts->memory->base[dptr] = s[0] != 0; return NULL;
  case COMP_LK_CHAR: {
    uint32_t c = rd32(s);
    if (c >= 0x110000 || (c >= 0xd800 && c <= 0xdfff)) return comp_abi_trap("invalid char 0x%x", c);
    memcpy(dst->opts->memory->base + dptr, &c, 4);
    return NULL;
  }
  case COMP_LK_STRING: {
    uint32_t p, n;
    TRY(xfer_string(src, rd32(s), rd32(s + 4), dst, &p, &n));
    memcpy(dst->opts->memory->base + dptr, &p, 4);
    memcpy(dst->opts->memory->base + dptr + 4, &n, 4);
    return NULL;
  }
  case COMP_LK_LIST: {
    uint32_t p, n = rd32(s + 4);
    TRY(xfer_list(src, sl->members[0], rd32(s), n, dst, dl->members[0], &p));
    memcpy(dst->opts->memory->base + dptr, &p, 4);
    memcpy(dst->opts->memory->base + dptr + 4, &n, 4);
    return NULL;
  }
  case COMP_LK_RECORD:
    for (uint32_t i = 0; i < sl->n; i++)
      TRY(xfer_mem_at(src, sl->members[i], sptr + sl->offsets[i], dst, dl->members[i], dptr + dl->offsets[i]));
    return NULL;
  case COMP_LK_VARIANT: {
    uint32_t idx = 0;
    memcpy(&idx, s, sl->disc);
    if (idx >= sl->n) return comp_abi_trap("invalid variant discriminant %u (the type has %u cases)", idx, sl->n);
    memcpy(dst->opts->memory->base + dptr, &idx, dl->disc);
    comp_typeid_t sc = sl->members ? sl->members[idx] : COMP_NO_TYPE;
    comp_typeid_t dc = dl->members ? dl->members[idx] : COMP_NO_TYPE;
    if ((sc == COMP_NO_TYPE) != (dc == COMP_NO_TYPE)) return comp_abi_trap("caller and callee disagree on a value type");
    if (sc != COMP_NO_TYPE) TRY(xfer_mem_at(src, sc, sptr + sl->payload, dst, dc, dptr + dl->payload));
    return NULL;
  }
  case COMP_LK_FLAGS: {
    uint32_t b = 0;
    memcpy(&b, s, sl->disc);
    if (sl->n < 32) b &= (1u << sl->n) - 1;
    memcpy(dst->opts->memory->base + dptr, &b, dl->disc);
    return NULL;
  }
  case COMP_LK_OWN:
  case COMP_LK_BORROW: {
    uint32_t i;
    TRY(xfer_handle(src, sl, rd32(s), dst, dl, &i));
    memcpy(dst->opts->memory->base + dptr, &i, 4);
    return NULL;
  }
  default: return comp_abi_trap("not a value type");
  }
}

/* lift_flat + lower_flat */
static weld_trap_t *xfer_flat(const comp_abi_cx_t *src, comp_typeid_t sid, const core_slot_t *in,
                              const comp_abi_cx_t *dst, comp_typeid_t did, core_slot_t *out) {
  const comp_layout_t *sl, *dl;
  TRY(layouts(src, sid, dst, did, &sl, &dl));
  switch (sl->lkind) {
  case COMP_LK_BOOL: out->u64 = in->u32 != 0; return NULL;
  case COMP_LK_S8: out->u64 = (uint32_t)(int32_t)(int8_t)in->u32; return NULL;
  case COMP_LK_U8: out->u64 = (uint8_t)in->u32; return NULL;
  case COMP_LK_S16: out->u64 = (uint32_t)(int32_t)(int16_t)in->u32; return NULL;
  case COMP_LK_U16: out->u64 = (uint16_t)in->u32; return NULL;
  case COMP_LK_S32: case COMP_LK_U32: out->u64 = in->u32; return NULL;
  case COMP_LK_S64: case COMP_LK_U64: case COMP_LK_F64: out->u64 = in->u64; return NULL;
  case COMP_LK_F32: out->u64 = in->u32; return NULL;
  case COMP_LK_CHAR:
    if (in->u32 >= 0x110000 || (in->u32 >= 0xd800 && in->u32 <= 0xdfff))
      return comp_abi_trap("invalid char 0x%x", in->u32);
    out->u64 = in->u32;
    return NULL;
  case COMP_LK_STRING: {
    uint32_t p, n;
    TRY(xfer_string(src, in[0].u32, in[1].u32, dst, &p, &n));
    out[0].u64 = p;
    out[1].u64 = n;
    return NULL;
  }
  case COMP_LK_LIST: {
    uint32_t p, n = in[1].u32;
    TRY(xfer_list(src, sl->members[0], in[0].u32, n, dst, dl->members[0], &p));
    out[0].u64 = p;
    out[1].u64 = n;
    return NULL;
  }
  case COMP_LK_RECORD: {
    uint32_t k = 0;
    for (uint32_t i = 0; i < sl->n; i++) {
      TRY(xfer_flat(src, sl->members[i], in + k, dst, dl->members[i], out + k));
      k += comp_layout(src->L, sl->members[i])->nflat;
    }
    return NULL;
  }
  case COMP_LK_VARIANT: {
    uint32_t idx = in[0].u32;
    if (idx >= sl->n) return comp_abi_trap("invalid variant discriminant %u (the type has %u cases)", idx, sl->n);
    memset(out, 0, (size_t)dl->nflat * sizeof *out);
    out[0].u64 = idx;
    comp_typeid_t sc = sl->members ? sl->members[idx] : COMP_NO_TYPE;
    comp_typeid_t dc = dl->members ? dl->members[idx] : COMP_NO_TYPE;
    if ((sc == COMP_NO_TYPE) != (dc == COMP_NO_TYPE)) return comp_abi_trap("caller and callee disagree on a value type");
    if (sc != COMP_NO_TYPE) TRY(xfer_flat(src, sc, in + 1, dst, dc, out + 1));
    return NULL;
  }
  case COMP_LK_FLAGS:
    if (sl->nflat) out->u64 = sl->n >= 32 ? in->u32 : in->u32 & ((1u << sl->n) - 1);
    return NULL;
  case COMP_LK_OWN:
  case COMP_LK_BORROW: {
    uint32_t i;
    TRY(xfer_handle(src, sl, in->u32, dst, dl, &i));
    out->u64 = i;
    return NULL;
  }
  default: return comp_abi_trap("not a value type");
  }
}

weld_trap_t *comp_transfer_flat(const comp_abi_cx_t *src, comp_typeid_t sid, const core_slot_t *in,
                                const comp_abi_cx_t *dst, comp_typeid_t did, core_slot_t *out) {
  return xfer_flat(src, sid, in, dst, did, out);
}

weld_trap_t *comp_transfer_mem(const comp_abi_cx_t *src, comp_typeid_t sid, uint32_t sptr, const comp_abi_cx_t *dst,
                               comp_typeid_t did, uint32_t dptr) {
  const comp_layout_t *sl, *dl;
  TRY(layouts(src, sid, dst, did, &sl, &dl));
  if (sptr & (sl->align - 1)) return comp_abi_trap("pointer 0x%x is not %u-byte aligned", sptr, sl->align);
  if (dptr & (dl->align - 1)) return comp_abi_trap("pointer 0x%x is not %u-byte aligned", dptr, dl->align);
  weld_trap_t *trap = NULL;
  if (!comp_abi_mem(src, sptr, sl->size, &trap)) return trap;
  if (!comp_abi_mem(dst, dptr, dl->size, &trap)) return trap;
  return xfer_mem_at(src, sid, sptr, dst, did, dptr);
}

/* ---------------------------------------------------------------- the call */

/* Transfers the values of types sts/dts (n each) from src to dst.  Flat when their flat
 * count fits max_flat (in -> out), else through memory: the source tuple at in[0]
 * (lift_heap_values) and the destination tuple at *out_param (lower_heap_values with an
 * out-param) or realloc'd (out[0] = its pointer).  *nout = slots written. */
static weld_trap_t *xfer_values(const comp_abi_cx_t *src, const comp_typeid_t *sts, const comp_abi_cx_t *dst,
                                const comp_typeid_t *dts, uint32_t n, uint32_t max_flat, const core_slot_t *in,
                                core_slot_t *out, uint32_t *nout, const uint32_t *out_param) {
  uint32_t nflat = comp_flat_count(src->L, sts, n);
  *nout = 0;
  if (nflat <= max_flat) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
      TRY(xfer_flat(src, sts[i], in + k, dst, dts[i], out + k));
      k += comp_layout(src->L, sts[i])->nflat;
    }
    *nout = k;
    return NULL;
  }
  uint32_t stack[2][16];
  uint32_t *so = n <= 16 ? stack[0] : base_alloc((size_t)n * sizeof *so);
  uint32_t *doff = n <= 16 ? stack[1] : base_alloc((size_t)n * sizeof *doff);
  uint32_t ssize, salign, dsize, dalign, sptr = in[0].u32, dptr = 0;
  weld_trap_t *trap = NULL;
  if (!so || !doff || !comp_tuple_layout(src->L, sts, n, so, &ssize, &salign) ||
      !comp_tuple_layout(dst->L, dts, n, doff, &dsize, &dalign))
    trap = oom();
  else if (sptr & (salign - 1))
    trap = comp_abi_trap("pointer 0x%x to the values is not %u-byte aligned", sptr, salign);
  else if (!comp_abi_mem(src, sptr, ssize, &trap)) {
    /* trap set */
  } else if (out_param) {
    dptr = *out_param;
    if (dptr & (dalign - 1)) trap = comp_abi_trap("result pointer 0x%x is not %u-byte aligned", dptr, dalign);
    else (void)comp_abi_mem(dst, dptr, dsize, &trap);
  } else {
    trap = comp_abi_realloc(dst, 0, 0, dalign, dsize, &dptr);
    if (!trap) {
      out[0].u64 = dptr;
      *nout = 1;
    }
  }
  for (uint32_t i = 0; i < n && !trap; i++) trap = xfer_mem_at(src, sts[i], sptr + so[i], dst, dts[i], dptr + doff[i]);
  if (so && so != stack[0]) base_free(so, (size_t)n * sizeof *so);
  if (doff && doff != stack[1]) base_free(doff, (size_t)n * sizeof *doff);
  return trap;
}

static comp_typeid_t *params_of(comp_layouts_t *L, comp_typeid_t ft, uint32_t *n) {
  const comp_type_t *f = comp_type(L->T, ft);
  *n = f->u.func.nparams;
  comp_typeid_t *ts = base_alloc((size_t)(*n ? *n : 1) * sizeof *ts);
  if (ts)
    for (uint32_t i = 0; i < *n; i++) ts[i] = comp_type(L->T, ft)->u.func.params[i].type;
  return ts;
}

/* canon_lower (caller side) of canon_lift (callee side), synchronous */
weld_trap_t *comp_call_guest(const comp_abi_side_t *caller, const comp_abi_side_t *callee, weld_func_t *callee_func,
                             core_slot_t *slots) {
  if (!caller->inst->may_leave)
    return comp_abi_trap("cannot leave component instance: a call made while lowering values");
  uint32_t np, dnp;
  comp_typeid_t *sts = params_of(caller->L, caller->ft, &np);
  comp_typeid_t *dts = params_of(callee->L, callee->ft, &dnp);
  comp_typeid_t srt = comp_type(caller->L->T, caller->ft)->u.func.result;
  comp_typeid_t drt = comp_type(callee->L->T, callee->ft)->u.func.result;
  weld_trap_t *trap = NULL;
  if (!sts || !dts) trap = oom();
  else if (np != dnp || (srt == COMP_NO_TYPE) != (drt == COMP_NO_TYPE))
    trap = comp_abi_trap("caller and callee disagree on the function type");
  bool entered = false;
  if (!trap) {
    trap = comp_abi_enter(callee->inst);
    entered = trap == NULL;
  }
  comp_abi_call_t subtask, task;
  comp_abi_call_init(&subtask, caller->inst);
  comp_abi_call_init(&task, callee->inst);
  comp_abi_cx_t ccx = {caller->L, caller->opts, caller->inst, &subtask, 0};
  comp_abi_cx_t ecx = {callee->L, callee->opts, callee->inst, &task, 0};
  core_slot_t cs[COMP_MAX_FLAT_PARAMS + 1], saved[COMP_MAX_FLAT_RESULTS];
  memset(cs, 0, sizeof cs);
  uint32_t nflat = 0, ncs = 0;
  if (!trap) {
    nflat = comp_flat_count(caller->L, sts, np);
    callee->inst->may_leave = false;
    trap = xfer_values(&ccx, sts, &ecx, dts, np, COMP_MAX_FLAT_PARAMS, slots, cs, &ncs, NULL);
    callee->inst->may_leave = true;
  }
  if (!trap) trap = core_call(callee->inst->store, callee_func, cs);
  if (!trap) {
    memcpy(saved, cs, sizeof saved);
    if (srt != COMP_NO_TYPE) {
      uint32_t rflat = comp_flat_count(callee->L, &drt, 1);
      uint32_t outp = rflat > COMP_MAX_FLAT_RESULTS ? slots[nflat > COMP_MAX_FLAT_PARAMS ? 1 : nflat].u32 : 0;
      uint32_t nout;
      caller->inst->may_leave = false;
      trap = xfer_values(&ecx, &drt, &ccx, &srt, 1, COMP_MAX_FLAT_RESULTS, cs, slots, &nout,
                         rflat > COMP_MAX_FLAT_RESULTS ? &outp : NULL);
      caller->inst->may_leave = true;
    }
  }
  /* Task.return_: no borrow may outlive the call; then post-return; Task.exit */
  weld_trap_t *t2 = comp_abi_call_finish_lift(&task);
  if (!trap) trap = t2;
  else if (t2) weld_trap_delete(t2);
  if (!trap && entered && callee->opts->post_return) trap = core_call(callee->inst->store, callee->opts->post_return, saved);
  if (entered) {
    if (trap) callee->inst->poisoned = true;
    comp_abi_leave(callee->inst);
  }
  comp_abi_call_finish_lower(&subtask);
  if (sts) base_free(sts, (size_t)(np ? np : 1) * sizeof *sts);
  if (dts) base_free(dts, (size_t)(dnp ? dnp : 1) * sizeof *dts);
  return trap;
}
