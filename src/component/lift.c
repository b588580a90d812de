/* lift.c — lifting values out of a component instance into host values
 * (design/mvp/CanonicalABI.md "Loading", "Flat Lifting", "Lifting and Lowering Values";
 * definitions.py load, load_int, convert_int_to_bool, decode_i32_as_float /
 * decode_i64_as_float (canonicalize_nan32/64), convert_i32_to_char, load_string,
 * load_list, load_list_from_range, load_record, load_variant, load_flags,
 * unpack_flags_from_int, lift_own, lift_borrow, lift_flat, lift_flat_unsigned,
 * lift_flat_signed, lift_flat_string, lift_flat_list, lift_flat_record, lift_flat_variant,
 * lift_flat_flags, lift_flat_values, lift_heap_values).
 *
 * Everything read from the guest is untrusted: discriminants, chars, string and list
 * ranges (64-bit arithmetic against the memory size), handles.  A trap leaves the output
 * empty and frees whatever was built, including the weld_resource_t of own handles already
 * taken out of the guest's table.  Recursion follows the type (depth <= WELD_MAX_TYPE_DEPTH).
 *
 * Amplification: one lift builds at most WELD_MAX_CVAL_BYTES (or cx->host_budget) of host values (every list
 * element costs sizeof(weld_cval_t), every string its UTF-8 bytes), because guest data may
 * alias itself (a list whose 2^20 strings all point at the same 1 MiB). */
#include "component/abi.h"
#include "base/alloc.h"
#include <math.h>
#include <string.h>

#define TRY(x)             \
  do {                     \
    weld_trap_t *t_ = (x); \
    if (t_) return t_;     \
  } while (0)

static weld_trap_t *oom(void) { return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory lifting a value"); }

/* One lift: the context and what is left of the host-memory budget. */
typedef struct lst {
  const comp_abi_cx_t *cx;
  uint64_t budget;
} lst_t;

static weld_trap_t *charge(lst_t *s, uint64_t bytes) {
  if (bytes > s->budget)
    return comp_abi_trap("value too large to lift to the host (more than %u bytes of host values)", WELD_MAX_CVAL_BYTES);
  s->budget -= bytes;
  return NULL;
}

/* canonicalize_nan32 / canonicalize_nan64 */
static float canon32(float f) {
  if (isnan(f)) {
    uint32_t b = 0x7fc00000u;
    memcpy(&f, &b, 4);
  }
  return f;
}
static double canon64(double f) {
  if (isnan(f)) {
    uint64_t b = 0x7ff8000000000000ull;
    memcpy(&f, &b, 8);
  }
  return f;
}

/* convert_i32_to_char */
static weld_trap_t *to_char(uint32_t i, uint32_t *out) {
  if (i >= 0x110000) return comp_abi_trap("invalid char: 0x%x is beyond U+10FFFF", i);
  if (i >= 0xd800 && i <= 0xdfff) return comp_abi_trap("invalid char: 0x%x is a surrogate", i);
  *out = i;
  return NULL;
}

static weld_trap_t *bad_case(uint32_t idx, uint32_t n) {
  return comp_abi_trap("invalid variant discriminant %u (the type has %u cases)", idx, n);
}

/* A lifted handle (lift_own / lift_borrow) as a weld_resource_t. */
static weld_trap_t *lift_handle(const comp_abi_cx_t *cx, const comp_layout_t *l, uint32_t index, weld_cval_t *out) {
  weld_resource_type_t *rt;
  TRY(comp_handle_rtype(cx, l, &rt));
  uint32_t rep;
  bool own = l->lkind == COMP_LK_OWN;
  if (own) TRY(comp_handle_lift_own(cx->inst, rt, index, &rep));
  else TRY(comp_handle_lift_borrow(cx->inst, cx->call, rt, index, &rep));
  out->kind = own ? WELD_CK_OWN : WELD_CK_BORROW;
  return comp_resource_to_host(cx->inst->store, cx->call, rt, rep, own, &out->of.resource);
}

/* Builds a variant-like value of case idx from a lifted payload (moved). */
static weld_trap_t *make_variant(const comp_layout_t *l, uint32_t idx, weld_cval_t *payload, weld_cval_t *out) {
  weld_cval_t *box = NULL;
  if (payload && !weld_cval_box(&box, payload)) {
    comp_cval_discard(payload);
    return oom();
  }
  switch (l->kind) {
  case COMP_T_ENUM: out->kind = WELD_CK_ENUM, out->of.index = idx; break;
  case COMP_T_OPTION: out->kind = WELD_CK_OPTION, out->of.option = box; break;
  case COMP_T_RESULT:
    out->kind = WELD_CK_RESULT;
    out->of.result.is_err = idx == 1;
    out->of.result.payload = box;
    break;
  default:
    out->kind = WELD_CK_VARIANT;
    out->of.variant.index = idx;
    out->of.variant.payload = box;
    break;
  }
  return NULL;
}

static weld_trap_t *load_at(lst_t *st, comp_typeid_t id, uint32_t ptr, weld_cval_t *out);

/* load_string_from_range, into a host UTF-8 string */
static weld_trap_t *lift_string(lst_t *st, uint32_t ptr, uint32_t tagged, weld_cval_t *out) {
  comp_str_t s;
  TRY(comp_string_load(st->cx, ptr, tagged, &s));
  TRY(charge(st, (uint64_t)s.units * (s.enc == COMP_STR_UTF8 ? 1 : 3) + 1));
  char *p;
  size_t n;
  TRY(comp_string_to_utf8(&s, &p, &n));
  out->kind = WELD_CK_STRING;
  out->of.str.ptr = p;
  out->of.str.len = n;
  return NULL;
}

/* load_list_from_range.  A list of numbers becomes an ARRAY (weld_cval_t): one copy of
 * the guest's bytes (floats with their NaNs canonicalised); other lists become items. */
static weld_trap_t *lift_list(lst_t *st, comp_typeid_t elem, uint32_t ptr, uint32_t len, weld_cval_t *out) {
  const comp_abi_cx_t *cx = st->cx;
  const comp_layout_t *el = comp_layout(cx->L, elem);
  if (!el) return oom();
  if (ptr & (el->align - 1)) return comp_abi_trap("list pointer 0x%x is not %u-byte aligned", ptr, el->align);
  weld_trap_t *trap = NULL;
  uint64_t bytes = (uint64_t)len * el->size;
  const uint8_t *m = comp_abi_mem(cx, ptr, bytes, &trap);
  if (!m) return trap;
  weld_ckind_t k = comp_cval_kind(cx->L, elem);
  if (comp_number_size(k)) {
    TRY(charge(st, bytes));
    if (!weld_cval_array(out, k, m, len)) return oom();
    if (k == WELD_CK_F32) {
      float *f = out->of.array.ptr;
      for (uint32_t i = 0; i < len; i++) f[i] = canon32(f[i]);
    } else if (k == WELD_CK_F64) {
      double *d = out->of.array.ptr;
      for (uint32_t i = 0; i < len; i++) d[i] = canon64(d[i]);
    }
    return NULL;
  }
  TRY(charge(st, (uint64_t)len * sizeof(weld_cval_t)));
  if (!weld_cval_items(out, WELD_CK_LIST, len)) return oom();
  weld_cval_t *it = out->of.items.ptr;
  for (uint32_t i = 0; i < len; i++) {
    trap = load_at(st, elem, ptr + i * el->size, &it[i]);
    if (trap) {
      comp_cval_discard(out);
      return trap;
    }
  }
  return NULL;
}

static uint32_t rd32(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4);
  return x;
}

/* load: ptr is aligned and [ptr, ptr + elem_size) inside memory */
static weld_trap_t *load_at(lst_t *st, comp_typeid_t id, uint32_t ptr, weld_cval_t *out) {
  const comp_abi_cx_t *cx = st->cx;
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return oom();
  const uint8_t *m = cx->opts->memory->base + ptr;
  memset(out, 0, sizeof *out);
  out->kind = comp_cval_kind(cx->L, id);
  switch (l->lkind) {
  case COMP_LK_BOOL: out->of.b = m[0] != 0; return NULL;
  case COMP_LK_S8: case COMP_LK_U8: out->of.u8 = m[0]; return NULL;
  case COMP_LK_S16: case COMP_LK_U16: memcpy(&out->of.u16, m, 2); return NULL;
  case COMP_LK_S32: case COMP_LK_U32: memcpy(&out->of.u32, m, 4); return NULL;
  case COMP_LK_S64: case COMP_LK_U64: memcpy(&out->of.u64, m, 8); return NULL;
  case COMP_LK_F32: memcpy(&out->of.f32, m, 4), out->of.f32 = canon32(out->of.f32); return NULL;
  case COMP_LK_F64: memcpy(&out->of.f64, m, 8), out->of.f64 = canon64(out->of.f64); return NULL;
  case COMP_LK_CHAR: return to_char(rd32(m), &out->of.ch);
  case COMP_LK_STRING: return lift_string(st, rd32(m), rd32(m + 4), out);
  case COMP_LK_LIST: return lift_list(st, l->members[0], rd32(m), rd32(m + 4), out);
  case COMP_LK_RECORD: {
    if (!weld_cval_items(out, out->kind, l->n)) return oom();
    for (uint32_t i = 0; i < l->n; i++) {
      weld_trap_t *trap = load_at(st, l->members[i], ptr + l->offsets[i], &out->of.items.ptr[i]);
      if (trap) {
        comp_cval_discard(out);
        return trap;
      }
    }
    return NULL;
  }
  case COMP_LK_VARIANT: {
    uint32_t idx = 0;
    memcpy(&idx, m, l->disc);
    if (idx >= l->n) return bad_case(idx, l->n);
    comp_typeid_t ct = l->members ? l->members[idx] : COMP_NO_TYPE;
    if (ct == COMP_NO_TYPE) return make_variant(l, idx, NULL, out);
    weld_cval_t p;
    TRY(load_at(st, ct, ptr + l->payload, &p));
    return make_variant(l, idx, &p, out);
  }
  case COMP_LK_FLAGS: {
    uint32_t b = 0;
    memcpy(&b, m, l->disc);
    if (!weld_cval_flags(out, l->n)) return oom();
    if (l->n) out->of.flags.bits[0] = l->n >= 32 ? b : b & ((1u << l->n) - 1);
    return NULL;
  }
  case COMP_LK_OWN:
  case COMP_LK_BORROW: return lift_handle(cx, l, rd32(m), out);
  default: return comp_abi_trap("not a value type");
  }
}

weld_trap_t *comp_load(const comp_abi_cx_t *cx, comp_typeid_t id, uint32_t ptr, weld_cval_t *out) {
  memset(out, 0, sizeof *out);
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return oom();
  if (ptr & (l->align - 1)) return comp_abi_trap("pointer 0x%x is not %u-byte aligned", ptr, l->align);
  weld_trap_t *trap = NULL;
  if (!comp_abi_mem(cx, ptr, l->size, &trap)) return trap;
  lst_t st = {cx, cx->host_budget ? cx->host_budget : WELD_MAX_CVAL_BYTES};
  trap = load_at(&st, id, ptr, out);
  if (trap) memset(out, 0, sizeof *out);
  return trap;
}

/* lift_flat.  Slots hold each core type at offset 0 (little-endian), so a variant payload
 * read with its own type from a joined slot is lift_flat_variant's CoerceValueIter. */
static weld_trap_t *lift_flat(lst_t *st, comp_typeid_t id, const core_slot_t *in, weld_cval_t *out) {
  const comp_abi_cx_t *cx = st->cx;
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return oom();
  memset(out, 0, sizeof *out);
  out->kind = comp_cval_kind(cx->L, id);
  switch (l->lkind) {
  case COMP_LK_BOOL: out->of.b = in->u32 != 0; return NULL;
  case COMP_LK_S8: out->of.s8 = (int8_t)in->u32; return NULL;
  case COMP_LK_U8: out->of.u8 = (uint8_t)in->u32; return NULL;
  case COMP_LK_S16: out->of.s16 = (int16_t)in->u32; return NULL;
  case COMP_LK_U16: out->of.u16 = (uint16_t)in->u32; return NULL;
  case COMP_LK_S32: case COMP_LK_U32: out->of.u32 = in->u32; return NULL;
  case COMP_LK_S64: case COMP_LK_U64: out->of.u64 = in->u64; return NULL;
  case COMP_LK_F32: out->of.f32 = canon32(in->f32); return NULL;
  case COMP_LK_F64: out->of.f64 = canon64(in->f64); return NULL;
  case COMP_LK_CHAR: return to_char(in->u32, &out->of.ch);
  case COMP_LK_STRING: return lift_string(st, in[0].u32, in[1].u32, out);
  case COMP_LK_LIST: return lift_list(st, l->members[0], in[0].u32, in[1].u32, out);
  case COMP_LK_RECORD: {
    if (!weld_cval_items(out, out->kind, l->n)) return oom();
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n; i++) {
      weld_trap_t *trap = lift_flat(st, l->members[i], in + k, &out->of.items.ptr[i]);
      if (trap) {
        comp_cval_discard(out);
        return trap;
      }
      k += comp_layout(cx->L, l->members[i])->nflat;
    }
    return NULL;
  }
  case COMP_LK_VARIANT: {
    uint32_t idx = in[0].u32;
    if (idx >= l->n) return bad_case(idx, l->n);
    comp_typeid_t ct = l->members ? l->members[idx] : COMP_NO_TYPE;
    if (ct == COMP_NO_TYPE) return make_variant(l, idx, NULL, out);
    weld_cval_t p;
    TRY(lift_flat(st, ct, in + 1, &p));
    return make_variant(l, idx, &p, out);
  }
  case COMP_LK_FLAGS:
    if (!weld_cval_flags(out, l->n)) return oom();
    if (l->n) out->of.flags.bits[0] = l->n >= 32 ? in->u32 : in->u32 & ((1u << l->n) - 1);
    return NULL;
  case COMP_LK_OWN:
  case COMP_LK_BORROW: return lift_handle(cx, l, in->u32, out);
  default: return comp_abi_trap("not a value type");
  }
}

weld_trap_t *comp_lift_flat(const comp_abi_cx_t *cx, comp_typeid_t id, const core_slot_t *in, weld_cval_t *out) {
  lst_t st = {cx, cx->host_budget ? cx->host_budget : WELD_MAX_CVAL_BYTES};
  weld_trap_t *trap = lift_flat(&st, id, in, out);
  if (trap) memset(out, 0, sizeof *out);
  return trap;
}

/* lift_flat_values / lift_heap_values */
weld_trap_t *comp_lift_values(const comp_abi_cx_t *cx, uint32_t max_flat, const comp_typeid_t *ts, uint32_t n,
                              const core_slot_t *in, uint32_t nin, weld_cval_t *out) {
  for (uint32_t i = 0; i < n; i++) memset(&out[i], 0, sizeof out[i]);
  uint32_t nflat = comp_flat_count(cx->L, ts, n);
  weld_trap_t *trap = NULL;
  uint32_t done = 0;
  lst_t st = {cx, cx->host_budget ? cx->host_budget : WELD_MAX_CVAL_BYTES};
  if (nflat > max_flat) {
    if (nin < 1) return comp_abi_trap("missing pointer to the values in memory");
    uint32_t ptr = in[0].u32, stack_offs[16], size, align;
    uint32_t *offs = n <= 16 ? stack_offs : base_alloc((size_t)n * sizeof *offs);
    if (!offs || !comp_tuple_layout(cx->L, ts, n, offs, &size, &align)) trap = oom();
    else if (ptr & (align - 1)) trap = comp_abi_trap("pointer 0x%x to the values is not %u-byte aligned", ptr, align);
    else (void)comp_abi_mem(cx, ptr, size, &trap); /* sets trap when out of bounds */
    for (; done < n && !trap; done++) trap = load_at(&st, ts[done], ptr + offs[done], &out[done]);
    if (offs && offs != stack_offs) base_free(offs, (size_t)n * sizeof *offs);
  } else {
    if (nin < nflat) return comp_abi_trap("expected %u flat values, given %u", nflat, nin);
    uint32_t k = 0;
    for (; done < n && !trap; done++) {
      trap = lift_flat(&st, ts[done], in + k, &out[done]);
      k += comp_layout(cx->L, ts[done])->nflat;
    }
  }
  if (trap)
    for (uint32_t i = 0; i < n; i++) {
      if (i + 1 < done) comp_cval_discard(&out[i]);
      memset(&out[i], 0, sizeof out[i]);
    }
  return trap;
}
