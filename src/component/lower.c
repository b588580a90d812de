/* lower.c — lowering host values into a component instance (design/mvp/CanonicalABI.md
 * "Storing", "Flat Lowering", "Lifting and Lowering Values"; definitions.py store,
 * store_int, encode_float_as_i32/i64, char_to_i32, store_list, store_list_into_range,
 * store_record, store_variant, store_flags, pack_flags_into_int, lower_own, lower_borrow,
 * lower_flat, lower_flat_signed, lower_flat_record, lower_flat_variant, lower_flat_flags,
 * lower_flat_values, lower_heap_values), and the type check of host values that comes
 * before it (what definitions.py takes for granted of its Python values).
 *
 * Values are weld_cval_t (weld/component.h).  A value is checked first (comp_cval_check:
 * host misuse is an error, not a trap); lowering then assumes a well-typed value and only
 * traps for what the guest does (realloc results, handle table limits).
 *
 * Lowering an `own` moves the host's handle into the guest's handle table and marks the
 * weld_resource_t `moved` (the call that consumes the value frees it).  Strings are UTF-8 on the host side and are transcoded into the guest's encoding by
 * strings.c. */
#include "component/abi.h"
#include "base/alloc.h"
#include "base/error.h"
#include <stdlib.h>
#include <string.h>

static const char *ck_name(weld_ckind_t k) {
  static const char *const names[] = {"?",      "bool",   "s8",   "u8",    "s16",     "u16",  "s32",
                                      "u32",    "s64",    "u64",  "f32",   "f64",     "char", "string",
                                      "list",   "record", "tuple", "variant", "enum",  "option",
                                      "result", "flags",  "own",  "borrow", "array"};
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* ---------------------------------------------------------------- type check */

static weld_error_t *check(comp_layouts_t *L, comp_typeid_t id, const weld_cval_t *v, comp_abi_inst_t *inst);

static weld_error_t *check_payload(comp_layouts_t *L, comp_typeid_t ct, const weld_cval_t *p, comp_abi_inst_t *inst,
                                   const char *what) {
  if (ct == COMP_NO_TYPE) {
    if (p) return base_error("%s has no payload but one was given", what);
    return NULL;
  }
  if (!p) return base_error("%s needs a payload but none was given", what);
  weld_error_t *e = check(L, ct, p, inst);
  return e ? base_error_wrap(e, "%s", what) : NULL;
}

static weld_error_t *check_resource(comp_layouts_t *L, const comp_layout_t *l, const weld_cval_t *v,
                                    comp_abi_inst_t *inst) {
  (void)L;
  const weld_resource_t *r = v->of.resource;
  if (!r) return base_error("NULL resource handle");
  if (l->lkind == COMP_LK_OWN && !r->own) return base_error("a borrowed handle was given where an own is expected");
  if (inst && inst->resource_type) {
    weld_resource_type_t *rt = inst->resource_type(inst->resource_env, l->rid);
    if (rt && rt != r->rt) { /* (the same wording as resources.c's traps) */
      char want[160], have[160];
      comp_rtype_describe(rt, want, sizeof want);
      comp_rtype_describe(r->rt, have, sizeof have);
      return base_error("resource handle of the wrong type, expected %s but found %s%s", want,
                        strcmp(want, have) == 0 ? "a different " : "", have);
    }
  }
  return NULL;
}

static weld_error_t *check(comp_layouts_t *L, comp_typeid_t id, const weld_cval_t *v, comp_abi_inst_t *inst) {
  const comp_layout_t *l = comp_layout(L, id);
  if (!l) return base_error("out of memory computing a type layout");
  weld_ckind_t want = comp_cval_kind(L, id);
  if (v->kind == WELD_CK_ARRAY && want == WELD_CK_LIST) { /* the packed form of a list of numbers */
    weld_ckind_t ek = comp_cval_kind(L, l->members[0]);
    if (!comp_number_size(ek)) return base_error("expected list<%s>, found an array of numbers", ck_name(ek));
    if (v->of.array.elem != ek)
      return base_error("expected list<%s>, found an array of %s", ck_name(ek), ck_name(v->of.array.elem));
    if (v->of.array.len && !v->of.array.ptr) return base_error("array with NULL data");
    if ((uint64_t)v->of.array.len * comp_number_size(ek) > WELD_MAX_LIST_BYTES)
      return base_error("list of %zu elements (%llu bytes) exceeds the limit of %u bytes", v->of.array.len,
                        (unsigned long long)v->of.array.len * comp_number_size(ek), WELD_MAX_LIST_BYTES);
    return NULL;
  }
  if (v->kind != want) return base_error("expected %s, found %s", ck_name(want), ck_name(v->kind));
  switch (l->lkind) {
  case COMP_LK_CHAR:
    if (v->of.ch > 0x10ffff || (v->of.ch >= 0xd800 && v->of.ch <= 0xdfff))
      return base_error("char 0x%x is not a Unicode scalar value", v->of.ch);
    return NULL;
  case COMP_LK_STRING:
    if (v->of.str.len && !v->of.str.ptr) return base_error("string with NULL data");
    if (v->of.str.len > COMP_MAX_STRING_BYTE_LENGTH)
      return base_error("string of %zu bytes is longer than 2^31 - 1 bytes", v->of.str.len);
    if (!comp_utf8_valid((const uint8_t *)v->of.str.ptr, v->of.str.len)) return base_error("string is not valid UTF-8");
    return NULL;
  case COMP_LK_LIST: {
    const comp_layout_t *el = comp_layout(L, l->members[0]);
    if (!el) return base_error("out of memory computing a type layout");
    if (v->of.items.len && !v->of.items.ptr) return base_error("list with NULL items");
    if ((uint64_t)v->of.items.len * el->size > WELD_MAX_LIST_BYTES)
      return base_error("list of %zu elements (%llu bytes) exceeds the limit of %u bytes", v->of.items.len,
                        (unsigned long long)v->of.items.len * el->size, WELD_MAX_LIST_BYTES);
    size_t i = 0;
    if (el->lkind <= COMP_LK_F64) { /* integers, floats, bool: only the kind to check, without a call */
      weld_ckind_t ek = comp_cval_kind(L, l->members[0]);
      while (i < v->of.items.len && v->of.items.ptr[i].kind == ek) i++;
    }
    for (; i < v->of.items.len; i++) {
      weld_error_t *e = check(L, l->members[0], &v->of.items.ptr[i], inst);
      if (e) return base_error_wrap(e, "list element %zu", i);
    }
    return NULL;
  }
  case COMP_LK_RECORD: {
    if (v->of.items.len != l->n)
      return base_error("%s of %u fields given %zu", ck_name(want), l->n, v->of.items.len);
    if (l->n && !v->of.items.ptr) return base_error("%s with NULL items", ck_name(want));
    for (uint32_t i = 0; i < l->n; i++) {
      weld_error_t *e = check(L, l->members[i], &v->of.items.ptr[i], inst);
      if (e) {
        if (l->kind == COMP_T_RECORD) {
          const comp_name_t *nm = &comp_type(L->T, id)->u.fields.items[i].name;
          return base_error_wrap(e, "field `%.*s`", (int)nm->len, nm->s);
        }
        return base_error_wrap(e, "tuple element %u", i);
      }
    }
    return NULL;
  }
  case COMP_LK_VARIANT:
    switch (l->kind) {
    case COMP_T_ENUM:
      if (v->of.index >= l->n) return base_error("enum index %u out of range (%u cases)", v->of.index, l->n);
      return NULL;
    case COMP_T_OPTION: return check_payload(L, v->of.option ? l->members[1] : COMP_NO_TYPE, v->of.option, inst, "option");
    case COMP_T_RESULT:
      return check_payload(L, l->members[v->of.result.is_err ? 1 : 0], v->of.result.payload, inst,
                           v->of.result.is_err ? "result error" : "result ok");
    default:
      if (v->of.variant.index >= l->n)
        return base_error("variant case %u out of range (%u cases)", v->of.variant.index, l->n);
      return check_payload(L, l->members[v->of.variant.index], v->of.variant.payload, inst, "variant case");
    }
  case COMP_LK_FLAGS: {
    size_t nw = v->of.flags.nwords;
    if (nw && !v->of.flags.bits) return base_error("flags with NULL bits");
    for (size_t w = 0; w < nw; w++) {
      uint32_t b = v->of.flags.bits[w];
      uint32_t allowed = w * 32 >= l->n ? 0 : l->n - w * 32 >= 32 ? UINT32_MAX : (1u << (l->n - w * 32)) - 1;
      if (b & ~allowed) return base_error("flag bit set beyond the %u declared flags", l->n);
    }
    return NULL;
  }
  case COMP_LK_OWN:
  case COMP_LK_BORROW: return check_resource(L, l, v, inst);
  default: return NULL;
  }
}

weld_error_t *comp_cval_check(comp_layouts_t *L, comp_typeid_t id, const weld_cval_t *v, comp_abi_inst_t *inst) {
  if (!v) return base_error("NULL value");
  return check(L, id, v, inst);
}

typedef VEC(const weld_resource_t *) rvec_t;

static bool collect_owns(const weld_cval_t *v, rvec_t *out) {
  if (!v) return true;
  switch (v->kind) {
  case WELD_CK_OWN: return VEC_PUSH(out, v->of.resource);
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) {
      weld_ckind_t k = v->of.items.ptr[i].kind; /* scalars and strings hold no handle: no call */
      if (k >= WELD_CK_LIST && k != WELD_CK_ENUM && k != WELD_CK_FLAGS && k != WELD_CK_BORROW &&
          !collect_owns(&v->of.items.ptr[i], out))
        return false;
    }
    return true;
  case WELD_CK_VARIANT: return collect_owns(v->of.variant.payload, out);
  case WELD_CK_OPTION: return collect_owns(v->of.option, out);
  case WELD_CK_RESULT: return collect_owns(v->of.result.payload, out);
  default: return true;
  }
}

static int ptr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t) * (const void *const *)a, y = (uintptr_t) * (const void *const *)b;
  return x < y ? -1 : x > y;
}

/* The borrows in v (only looked for when the values also hold owns). */
static bool collect_borrows(const weld_cval_t *v, rvec_t *out) {
  if (!v) return true;
  switch (v->kind) {
  case WELD_CK_BORROW: return VEC_PUSH(out, v->of.resource);
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++)
      if (!collect_borrows(&v->of.items.ptr[i], out)) return false;
    return true;
  case WELD_CK_VARIANT: return collect_borrows(v->of.variant.payload, out);
  case WELD_CK_OPTION: return collect_borrows(v->of.option, out);
  case WELD_CK_RESULT: return collect_borrows(v->of.result.payload, out);
  default: return true;
  }
}

weld_error_t *comp_cval_check_moves(const weld_cval_t *vs, size_t n) {
  rvec_t owns = {0};
  for (size_t i = 0; i < n; i++)
    if (!collect_owns(&vs[i], &owns)) {
      VEC_FREE(&owns);
      return base_error_oom();
    }
  weld_error_t *e = NULL;
  if (owns.len > 1) {
    qsort(owns.data, owns.len, sizeof owns.data[0], ptr_cmp);
    for (size_t i = 1; i < owns.len && !e; i++)
      if (owns.data[i] == owns.data[i - 1]) e = base_error("the same own resource handle is passed twice");
  }
  /* An own moved into the callee cannot be lent to it in the same call as well: the callee
   * could drop the own (running the destructor) and then use the borrow (between two
   * components this is lift_own's "cannot remove owned resource while borrowed" trap). */
  if (!e && owns.len) {
    rvec_t borrows = {0};
    for (size_t i = 0; i < n && !e; i++)
      if (!collect_borrows(&vs[i], &borrows)) e = base_error_oom();
    for (size_t i = 0; i < borrows.len && !e; i++)
      if (bsearch(&borrows.data[i], owns.data, owns.len, sizeof owns.data[0], ptr_cmp))
        e = base_error("the same resource handle is passed as an own and as a borrow");
    VEC_FREE(&borrows);
  }
  VEC_FREE(&owns);
  return e;
}

/* ---------------------------------------------------------------- helpers */

#define TRY(x)             \
  do {                     \
    weld_trap_t *t_ = (x); \
    if (t_) return t_;     \
  } while (0)

static inline uint8_t *mem_at(const comp_abi_cx_t *cx, uint32_t ptr) { return cx->opts->memory->base + ptr; }

/* case index and payload of a variant-like value (definitions.py match_case) */
static void variant_case(const comp_layout_t *l, const weld_cval_t *v, uint32_t *idx, const weld_cval_t **payload) {
  switch (l->kind) {
  case COMP_T_ENUM: *idx = v->of.index, *payload = NULL; return;
  case COMP_T_OPTION: *idx = v->of.option ? 1 : 0, *payload = v->of.option; return;
  case COMP_T_RESULT: *idx = v->of.result.is_err ? 1 : 0, *payload = v->of.result.payload; return;
  default: *idx = v->of.variant.index, *payload = v->of.variant.payload; return;
  }
}

static uint32_t pack_flags(const comp_layout_t *l, const weld_cval_t *v) {
  uint32_t b = v->of.flags.nwords ? v->of.flags.bits[0] : 0;
  return l->n >= 32 ? b : b & ((1u << l->n) - 1);
}

static weld_trap_t *handle_index(const comp_abi_cx_t *cx, const comp_layout_t *l, const weld_cval_t *v,
                                 uint32_t *out) {
  weld_resource_t *r = v->of.resource;
  if (l->lkind == COMP_LK_OWN) {
    if (r->moved) return comp_abi_trap("own handle (rep %u) was already moved into a guest", r->rep);
    TRY(comp_handle_lower_own(cx->inst, r->rt, r->rep, out));
    r->moved = true; /* freed by whoever consumes the value (comp_call_export, comp_call_host) */
    return NULL;
  }
  return comp_handle_lower_borrow(cx->inst, cx->call, r->rt, r->rep, out);
}

static weld_trap_t *store_string_value(const comp_abi_cx_t *cx, const weld_cval_t *v, uint32_t *ptr, uint32_t *len) {
  comp_str_t s = {(const uint8_t *)v->of.str.ptr, (uint32_t)v->of.str.len, COMP_STR_UTF8, COMP_UTF8};
  return comp_string_store(cx, &s, ptr, len);
}

static weld_trap_t *store_at(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, uint32_t ptr);

/* store_list_into_range */
static weld_trap_t *store_list_value(const comp_abi_cx_t *cx, comp_typeid_t elem, const weld_cval_t *v,
                                     uint32_t *ptr, uint32_t *len) {
  const comp_layout_t *el = comp_layout(cx->L, elem);
  if (!el) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  bool packed = v->kind == WELD_CK_ARRAY; /* numbers in their memory layout already (checked) */
  uint64_t bytes = (uint64_t)(packed ? v->of.array.len : v->of.items.len) * el->size;
  if (bytes >= ((uint64_t)1 << 32)) return comp_abi_trap("list of %llu bytes is too long", (unsigned long long)bytes);
  uint32_t p;
  TRY(comp_abi_realloc(cx, 0, 0, el->align, (uint32_t)bytes, &p));
  if (packed) {
    if (bytes) memcpy(mem_at(cx, p), v->of.array.ptr, (size_t)bytes);
    *ptr = p;
    *len = (uint32_t)v->of.array.len;
    return NULL;
  }
  const weld_cval_t *it = v->of.items.ptr;
  size_t n = v->of.items.len;
  /* primitive elements without a call per element */
  uint8_t *m = mem_at(cx, p);
  switch (el->lkind) {
  case COMP_LK_BOOL: for (size_t i = 0; i < n; i++) m[i] = it[i].of.b ? 1 : 0; break;
  case COMP_LK_S8: case COMP_LK_U8: for (size_t i = 0; i < n; i++) m[i] = it[i].of.u8; break;
  case COMP_LK_S16: case COMP_LK_U16: for (size_t i = 0; i < n; i++) memcpy(m + 2 * i, &it[i].of.u16, 2); break;
  case COMP_LK_S32: case COMP_LK_U32: case COMP_LK_CHAR:
    for (size_t i = 0; i < n; i++) memcpy(m + 4 * i, &it[i].of.u32, 4);
    break;
  case COMP_LK_F32: for (size_t i = 0; i < n; i++) memcpy(m + 4 * i, &it[i].of.f32, 4); break;
  case COMP_LK_S64: case COMP_LK_U64: for (size_t i = 0; i < n; i++) memcpy(m + 8 * i, &it[i].of.u64, 8); break;
  case COMP_LK_F64: for (size_t i = 0; i < n; i++) memcpy(m + 8 * i, &it[i].of.f64, 8); break;
  default:
    for (size_t i = 0; i < n; i++) TRY(store_at(cx, elem, &it[i], p + (uint32_t)(i * el->size)));
    break;
  }
  *ptr = p;
  *len = (uint32_t)n;
  return NULL;
}

/* ---------------------------------------------------------------- store */

static void put32(const comp_abi_cx_t *cx, uint32_t ptr, uint32_t x) { memcpy(mem_at(cx, ptr), &x, 4); }

/* store: ptr is aligned and [ptr, ptr + elem_size) inside memory (checked by the caller). */
static weld_trap_t *store_at(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, uint32_t ptr) {
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  switch (l->lkind) {
  case COMP_LK_BOOL: *mem_at(cx, ptr) = v->of.b ? 1 : 0; return NULL;
  case COMP_LK_S8: case COMP_LK_U8: *mem_at(cx, ptr) = v->of.u8; return NULL;
  case COMP_LK_S16: case COMP_LK_U16: memcpy(mem_at(cx, ptr), &v->of.u16, 2); return NULL;
  case COMP_LK_S32: case COMP_LK_U32: case COMP_LK_CHAR: memcpy(mem_at(cx, ptr), &v->of.u32, 4); return NULL;
  case COMP_LK_F32: memcpy(mem_at(cx, ptr), &v->of.f32, 4); return NULL;
  case COMP_LK_S64: case COMP_LK_U64: memcpy(mem_at(cx, ptr), &v->of.u64, 8); return NULL;
  case COMP_LK_F64: memcpy(mem_at(cx, ptr), &v->of.f64, 8); return NULL;
  case COMP_LK_STRING: {
    uint32_t p, n;
    TRY(store_string_value(cx, v, &p, &n));
    put32(cx, ptr, p);
    put32(cx, ptr + 4, n);
    return NULL;
  }
  case COMP_LK_LIST: {
    uint32_t p, n;
    TRY(store_list_value(cx, l->members[0], v, &p, &n));
    put32(cx, ptr, p);
    put32(cx, ptr + 4, n);
    return NULL;
  }
  case COMP_LK_RECORD:
    for (uint32_t i = 0; i < l->n; i++) TRY(store_at(cx, l->members[i], &v->of.items.ptr[i], ptr + l->offsets[i]));
    return NULL;
  case COMP_LK_VARIANT: {
    uint32_t idx;
    const weld_cval_t *payload;
    variant_case(l, v, &idx, &payload);
    memcpy(mem_at(cx, ptr), &idx, l->disc);
    comp_typeid_t ct = l->members ? l->members[idx] : COMP_NO_TYPE;
    if (ct != COMP_NO_TYPE) TRY(store_at(cx, ct, payload, ptr + l->payload));
    return NULL;
  }
  case COMP_LK_FLAGS: {
    uint32_t b = pack_flags(l, v);
    memcpy(mem_at(cx, ptr), &b, l->disc);
    return NULL;
  }
  case COMP_LK_OWN:
  case COMP_LK_BORROW: {
    uint32_t i;
    TRY(handle_index(cx, l, v, &i));
    put32(cx, ptr, i);
    return NULL;
  }
  default: return comp_abi_trap("not a value type");
  }
}

weld_trap_t *comp_store(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, uint32_t ptr) {
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  if (ptr & (l->align - 1)) return comp_abi_trap("pointer 0x%x is not %u-byte aligned", ptr, l->align);
  weld_trap_t *trap = NULL;
  if (!comp_abi_mem(cx, ptr, l->size, &trap)) return trap;
  return store_at(cx, id, v, ptr);
}

/* ---------------------------------------------------------------- flat */

/* lower_flat */
weld_trap_t *comp_lower_flat(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, core_slot_t *out) {
  const comp_layout_t *l = comp_layout(cx->L, id);
  if (!l) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  switch (l->lkind) {
  case COMP_LK_BOOL: out->u64 = v->of.b ? 1 : 0; return NULL;
  case COMP_LK_S8: out->u64 = 0, out->i32 = v->of.s8; return NULL;
  case COMP_LK_U8: out->u64 = v->of.u8; return NULL;
  case COMP_LK_S16: out->u64 = 0, out->i32 = v->of.s16; return NULL;
  case COMP_LK_U16: out->u64 = v->of.u16; return NULL;
  case COMP_LK_S32: out->u64 = 0, out->i32 = v->of.s32; return NULL;
  case COMP_LK_U32: case COMP_LK_CHAR: out->u64 = v->of.u32; return NULL;
  case COMP_LK_S64: case COMP_LK_U64: out->u64 = v->of.u64; return NULL;
  case COMP_LK_F32: out->u64 = 0, out->f32 = v->of.f32; return NULL;
  case COMP_LK_F64: out->f64 = v->of.f64; return NULL;
  case COMP_LK_STRING: {
    uint32_t p, n;
    TRY(store_string_value(cx, v, &p, &n));
    out[0].u64 = p;
    out[1].u64 = n;
    return NULL;
  }
  case COMP_LK_LIST: {
    uint32_t p, n;
    TRY(store_list_value(cx, l->members[0], v, &p, &n));
    out[0].u64 = p;
    out[1].u64 = n;
    return NULL;
  }
  case COMP_LK_RECORD: {
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n; i++) {
      TRY(comp_lower_flat(cx, l->members[i], &v->of.items.ptr[i], out + k));
      k += comp_layout(cx->L, l->members[i])->nflat;
    }
    return NULL;
  }
  case COMP_LK_VARIANT: {
    /* lower_flat_variant: the payload's own core types, zero-extended into the joined slots */
    uint32_t idx;
    const weld_cval_t *payload;
    variant_case(l, v, &idx, &payload);
    memset(out, 0, (size_t)l->nflat * sizeof *out);
    out[0].u64 = idx;
    comp_typeid_t ct = l->members ? l->members[idx] : COMP_NO_TYPE;
    if (ct != COMP_NO_TYPE) TRY(comp_lower_flat(cx, ct, payload, out + 1));
    return NULL;
  }
  case COMP_LK_FLAGS:
    if (l->nflat) out->u64 = pack_flags(l, v);
    return NULL;
  case COMP_LK_OWN:
  case COMP_LK_BORROW: {
    uint32_t i;
    TRY(handle_index(cx, l, v, &i));
    out->u64 = i;
    return NULL;
  }
  default: return comp_abi_trap("not a value type");
  }
}

/* lower_flat_values / lower_heap_values */
weld_trap_t *comp_lower_values(const comp_abi_cx_t *cx, uint32_t max_flat, const comp_typeid_t *ts, uint32_t n,
                               const weld_cval_t *vs, core_slot_t *out, uint32_t *nout, const uint32_t *out_param) {
  cx->inst->may_leave = false;
  weld_trap_t *trap = NULL;
  uint32_t nflat = comp_flat_count(cx->L, ts, n);
  *nout = 0;
  if (nflat > max_flat) {
    uint32_t stack_offs[16];
    uint32_t *offs = n <= 16 ? stack_offs : base_alloc((size_t)n * sizeof *offs);
    uint32_t size, align, ptr = 0;
    if (!offs || !comp_tuple_layout(cx->L, ts, n, offs, &size, &align)) {
      trap = core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
    } else if (out_param) {
      ptr = *out_param;
      if (ptr & (align - 1)) trap = comp_abi_trap("result pointer 0x%x is not %u-byte aligned", ptr, align);
      else (void)comp_abi_mem(cx, ptr, size, &trap); /* sets trap when out of bounds */
    } else {
      trap = comp_abi_realloc(cx, 0, 0, align, size, &ptr);
      if (!trap) {
        out[0].u64 = ptr;
        *nout = 1;
      }
    }
    for (uint32_t i = 0; i < n && !trap; i++) trap = store_at(cx, ts[i], &vs[i], ptr + offs[i]);
    if (offs && offs != stack_offs) base_free(offs, (size_t)n * sizeof *offs);
  } else {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && !trap; i++) {
      trap = comp_lower_flat(cx, ts[i], &vs[i], out + k);
      k += comp_layout(cx->L, ts[i])->nflat;
    }
    if (!trap) *nout = k;
  }
  cx->inst->may_leave = true;
  return trap;
}
