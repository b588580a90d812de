/* wast_cvalues.c — typed component values in .wast scripts: the value syntax of the
 * component-model test scripts (wasm-tools `wast` crate, component/wast.rs WastVal):
 *
 *   (bool.const true|false)  (u8.const n) (s8.const n) ... (u64.const n) (s64.const n)
 *   (f32.const x) (f64.const x)   (char.const "c")   (str.const "text")
 *   (list.const v*)  (tuple.const v*)  (record.const (field "name" v)*)
 *   (variant.const "case" v?)  (enum.const "case")  (flags.const "name"*)
 *   (option.none) (option.some v)  (result.ok v?) (result.err v?)
 *
 * A parsed value is untyped (text_wast_cval_t); names of cases, fields and flags mean
 * something only against a type, so arguments are built (text_wast_cval_build) and results
 * matched (text_wast_cval_match) with the function's parameter and result types
 * (weld/component.h weld_ctype_t), as the Component Model's value types define them
 * (Explainer.md "Fundamental value types").  Expected floats may be nan:canonical /
 * nan:arithmetic; an expected NaN literal matches any NaN (the Canonical ABI canonicalises
 * NaNs, CanonicalABI.md "canonicalize_nan"). */
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include "text/numbers.h"
#include "text/wast_internal.h"
#include <inttypes.h>
#include <string.h>

/* ------------------------------------------------------------------ parsing */

static const struct {
  const char *op;
  weld_ckind_t kind;
} forms[] = {
    {"bool.const", WELD_CK_BOOL},      {"s8.const", WELD_CK_S8},         {"u8.const", WELD_CK_U8},
    {"s16.const", WELD_CK_S16},        {"u16.const", WELD_CK_U16},       {"s32.const", WELD_CK_S32},
    {"u32.const", WELD_CK_U32},        {"s64.const", WELD_CK_S64},       {"u64.const", WELD_CK_U64},
    {"f32.const", WELD_CK_F32},        {"f64.const", WELD_CK_F64},       {"char.const", WELD_CK_CHAR},
    {"str.const", WELD_CK_STRING},     {"list.const", WELD_CK_LIST},     {"record.const", WELD_CK_RECORD},
    {"tuple.const", WELD_CK_TUPLE},    {"variant.const", WELD_CK_VARIANT}, {"enum.const", WELD_CK_ENUM},
    {"option.none", WELD_CK_OPTION},   {"option.some", WELD_CK_OPTION}, {"result.ok", WELD_CK_RESULT},
    {"result.err", WELD_CK_RESULT},    {"flags.const", WELD_CK_FLAGS},
};

static int form_of(const text_sx_t *x) {
  if (x->kind != SX_LIST || x->nitems == 0 || x->items[0].kind != SX_ATOM) return -1;
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
    if (text_sx_is_atom(&x->items[0], forms[i].op)) return (int)i;
  return -1;
}

bool text_wast_is_cval(const text_sx_t *x) { return form_of(x) >= 0; }

static const char *kind_name(weld_ckind_t k) {
  switch (k) {
  case WELD_CK_BOOL: return "bool";
  case WELD_CK_S8: return "s8";
  case WELD_CK_U8: return "u8";
  case WELD_CK_S16: return "s16";
  case WELD_CK_U16: return "u16";
  case WELD_CK_S32: return "s32";
  case WELD_CK_U32: return "u32";
  case WELD_CK_S64: return "s64";
  case WELD_CK_U64: return "u64";
  case WELD_CK_F32: return "f32";
  case WELD_CK_F64: return "f64";
  case WELD_CK_CHAR: return "char";
  case WELD_CK_STRING: return "string";
  case WELD_CK_LIST: return "list";
  case WELD_CK_ARRAY: return "list";
  case WELD_CK_RECORD: return "record";
  case WELD_CK_TUPLE: return "tuple";
  case WELD_CK_VARIANT: return "variant";
  case WELD_CK_ENUM: return "enum";
  case WELD_CK_OPTION: return "option";
  case WELD_CK_RESULT: return "result";
  case WELD_CK_FLAGS: return "flags";
  case WELD_CK_OWN: return "own";
  case WELD_CK_BORROW: return "borrow";
  default: return "a non-value type";
  }
}

/* Integer literal of kind k: unsigned kinds take 0..max, signed kinds min..max (a
 * leading '-' or a magnitude below the signed maximum). */
static bool parse_int(const text_sx_t *l, weld_ckind_t k, uint64_t *out) {
  static const struct {
    weld_ckind_t k;
    unsigned bits;
    bool sign;
  } ints[] = {{WELD_CK_S8, 8, true},   {WELD_CK_U8, 8, false},   {WELD_CK_S16, 16, true}, {WELD_CK_U16, 16, false},
              {WELD_CK_S32, 32, true}, {WELD_CK_U32, 32, false}, {WELD_CK_S64, 64, true}, {WELD_CK_U64, 64, false}};
  if (l->kind != SX_ATOM || l->len == 0) return false;
  for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    if (ints[i].k != k) continue;
    unsigned bits = ints[i].bits;
    bool neg = l->text[0] == '-';
    uint64_t v;
    if (neg) {
      if (!ints[i].sign || text_parse_i64(l->text, l->len, &v)) return false;
      int64_t s = (int64_t)v;
      if (s > 0 || (bits < 64 && s < -((int64_t)1 << (bits - 1)))) return false;
      *out = v;
      return true;
    }
    const char *t = l->text;
    size_t n = l->len;
    if (t[0] == '+') t++, n--;
    if (text_parse_u64(t, n, &v)) return false;
    uint64_t max = ints[i].sign ? ((uint64_t)1 << (bits - 1)) - 1 : bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
    if (v > max) return false;
    *out = v;
    return true;
  }
  return false;
}

static weld_error_t *parse_rec(const text_doc_t *doc, const text_sx_t *x, bool pattern, text_wast_cval_t *out,
                               unsigned depth);

/* Parses x->items[from..] as values into out->items. */
static weld_error_t *parse_items(const text_doc_t *doc, const text_sx_t *x, uint32_t from, bool pattern,
                                 text_wast_cval_t *out, unsigned depth) {
  uint32_t n = x->nitems > from ? x->nitems - from : 0;
  if (!n) return NULL;
  out->items = base_calloc(n, sizeof *out->items);
  if (!out->items) return base_error_oom();
  for (uint32_t i = 0; i < n; i++) {
    weld_error_t *e = parse_rec(doc, &x->items[from + i], pattern, &out->items[i], depth + 1);
    out->nitems = i + 1;
    if (e) return e;
  }
  return NULL;
}

static weld_error_t *parse_rec(const text_doc_t *doc, const text_sx_t *x, bool pattern, text_wast_cval_t *out,
                               unsigned depth) {
  memset(out, 0, sizeof *out);
  out->at = x;
  if (depth > WELD_MAX_WAST_VALUE_NESTING) return text_error(doc, x, "value nested too deeply");
  int f = form_of(x);
  if (f < 0) {
    if (x->kind == SX_LIST && x->nitems && x->items[0].kind == SX_ATOM)
      return text_error(doc, x, "unknown component value '%.*s'", (int)x->items[0].len, x->items[0].text);
    return text_error(doc, x, "expected a component value such as (u32.const 0)");
  }
  const char *op = forms[f].op;
  weld_ckind_t k = forms[f].kind;
  out->kind = k;
  uint32_t n = x->nitems - 1;
  const text_sx_t *a = n ? &x->items[1] : NULL;
  switch (k) {
  case WELD_CK_BOOL:
    if (n != 1 || (!text_sx_is_atom(a, "true") && !text_sx_is_atom(a, "false")))
      return text_error(doc, x, "bool.const takes true or false");
    out->bits = text_sx_is_atom(a, "true");
    return NULL;
  case WELD_CK_S8: case WELD_CK_U8: case WELD_CK_S16: case WELD_CK_U16:
  case WELD_CK_S32: case WELD_CK_U32: case WELD_CK_S64: case WELD_CK_U64:
    if (n != 1 || !parse_int(a, k, &out->bits)) return text_error(doc, x, "%s takes one %s literal", op, kind_name(k));
    return NULL;
  case WELD_CK_F32:
  case WELD_CK_F64: {
    if (n != 1 || a->kind != SX_ATOM) return text_error(doc, x, "%s takes one literal", op);
    if (text_sx_is_atom(a, "nan:canonical") || text_sx_is_atom(a, "nan:arithmetic")) {
      if (!pattern) return text_error(doc, a, "a NaN pattern is not a value");
      out->nan = text_sx_is_atom(a, "nan:canonical") ? TEXT_WAST_LANE_NAN_CANONICAL : TEXT_WAST_LANE_NAN_ARITHMETIC;
      return NULL;
    }
    uint32_t w = 0;
    int bad = k == WELD_CK_F32 ? text_parse_f32(a->text, a->len, &w) : text_parse_f64(a->text, a->len, &out->bits);
    if (k == WELD_CK_F32) out->bits = w;
    if (bad) return text_error(doc, a, "bad %s literal", op);
    return NULL;
  }
  case WELD_CK_CHAR: {
    uint32_t cp;
    if (n != 1 || a->kind != SX_STRING || a->str_len == 0 || base_utf8_decode(a->str, a->str_len, &cp) != a->str_len)
      return text_error(doc, x, "char.const takes a string of exactly one character");
    out->bits = cp;
    return NULL;
  }
  case WELD_CK_STRING:
    if (n != 1 || a->kind != SX_STRING) return text_error(doc, x, "str.const takes one string");
    if (!base_utf8_valid(a->str, a->str_len)) return text_error(doc, a, "str.const: the string is not valid UTF-8");
    out->str = a->str;
    out->str_len = a->str_len;
    return NULL;
  case WELD_CK_LIST:
  case WELD_CK_TUPLE: return parse_items(doc, x, 1, pattern, out, depth);
  case WELD_CK_RECORD: {
    if (!n) return NULL;
    out->items = base_calloc(n, sizeof *out->items);
    if (!out->items) return base_error_oom();
    for (uint32_t i = 0; i < n; i++) {
      const text_sx_t *fx = &x->items[1 + i];
      if (!text_sx_is_form(fx, "field") || fx->nitems != 3 || fx->items[1].kind != SX_STRING)
        return text_error(doc, fx, "record.const takes fields (field \"name\" value)");
      weld_error_t *e = parse_rec(doc, &fx->items[2], pattern, &out->items[i], depth + 1);
      out->nitems = i + 1;
      if (e) return e;
      out->items[i].label = fx->items[1].str;
      out->items[i].label_len = fx->items[1].str_len;
    }
    return NULL;
  }
  case WELD_CK_VARIANT:
  case WELD_CK_ENUM:
    if (n < 1 || a->kind != SX_STRING || (k == WELD_CK_ENUM ? n != 1 : n > 2))
      return text_error(doc, x, k == WELD_CK_ENUM ? "enum.const takes a case name" : "variant.const takes a case name and an optional payload");
    out->str = a->str;
    out->str_len = a->str_len;
    return k == WELD_CK_VARIANT ? parse_items(doc, x, 2, pattern, out, depth) : NULL;
  case WELD_CK_OPTION:
    if (text_sx_is_atom(&x->items[0], "option.none")) {
      if (n) return text_error(doc, x, "option.none takes nothing");
      return NULL;
    }
    if (n != 1) return text_error(doc, x, "option.some takes one value");
    return parse_items(doc, x, 1, pattern, out, depth);
  case WELD_CK_RESULT:
    out->is_err = text_sx_is_atom(&x->items[0], "result.err");
    if (n > 1) return text_error(doc, x, "%s takes an optional payload", op);
    return parse_items(doc, x, 1, pattern, out, depth);
  case WELD_CK_FLAGS:
    if (!n) return NULL;
    out->items = base_calloc(n, sizeof *out->items);
    if (!out->items) return base_error_oom();
    for (uint32_t i = 0; i < n; i++) {
      const text_sx_t *s = &x->items[1 + i];
      if (s->kind != SX_STRING) return text_error(doc, s, "flags.const takes flag names");
      out->items[i].kind = WELD_CK_STRING;
      out->items[i].at = s;
      out->items[i].str = s->str;
      out->items[i].str_len = s->str_len;
      out->nitems = i + 1;
    }
    return NULL;
  default: break;
  }
  return text_error(doc, x, "unknown component value");
}

weld_error_t *text_wast_parse_cval(const text_doc_t *doc, const text_sx_t *x, bool pattern, text_wast_cval_t *out) {
  weld_error_t *e = parse_rec(doc, x, pattern, out, 0);
  if (e) text_wast_cval_free(out);
  return e;
}

void text_wast_cval_free(text_wast_cval_t *v) {
  if (!v) return;
  for (uint32_t i = 0; i < v->nitems; i++) text_wast_cval_free(&v->items[i]);
  if (v->items) base_free(v->items, 0);
  v->items = NULL;
  v->nitems = 0;
}

/* ------------------------------------------------------------------ building arguments */

static bool name_is(const char *name, const uint8_t *s, uint32_t n) {
  return name && strlen(name) == n && memcmp(name, s, n) == 0;
}

/* Index of the member of t named s, or SIZE_MAX. */
static size_t member_index(const weld_ctype_t *t, const uint8_t *s, uint32_t n) {
  size_t count = weld_ctype_count(t);
  for (size_t i = 0; i < count; i++)
    if (name_is(weld_ctype_name(t, i), s, n)) return i;
  return SIZE_MAX;
}

static weld_error_t *build_rec(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *t, weld_cval_t *out,
                               unsigned depth);

static weld_error_t *build_box(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *t,
                               weld_cval_t **slot, unsigned depth) {
  weld_cval_t tmp;
  memset(&tmp, 0, sizeof tmp);
  weld_error_t *e = build_rec(doc, v, t, &tmp, depth + 1);
  if (e) {
    weld_cval_drop(&tmp);
    return e;
  }
  if (!weld_cval_box(slot, &tmp)) {
    weld_cval_drop(&tmp);
    return base_error_oom();
  }
  return NULL;
}

/* A payload of a variant case / option / result: present iff the type has one. */
static weld_error_t *build_payload(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *pt,
                                   weld_cval_t **slot, const char *what, unsigned depth) {
  *slot = NULL;
  if (!pt && v->nitems) return text_error(doc, v->at, "%s has no payload", what);
  if (pt && !v->nitems) return text_error(doc, v->at, "%s needs a payload", what);
  return pt ? build_box(doc, &v->items[0], pt, slot, depth) : NULL;
}

static weld_error_t *build_rec(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *t, weld_cval_t *out,
                               unsigned depth) {
  weld_ckind_t tk = weld_ctype_kind(t);
  memset(out, 0, sizeof *out);
  out->kind = tk;
  if (v->kind != tk) {
    char *ts = weld_ctype_to_string(t);
    weld_error_t *e = text_error(doc, v->at, "a %s value where the function takes %s", kind_name(v->kind), ts ? ts : kind_name(tk));
    weld_string_delete(ts);
    return e;
  }
  switch (tk) {
  case WELD_CK_BOOL: out->of.b = v->bits != 0; return NULL;
  case WELD_CK_S8: out->of.s8 = (int8_t)v->bits; return NULL;
  case WELD_CK_U8: out->of.u8 = (uint8_t)v->bits; return NULL;
  case WELD_CK_S16: out->of.s16 = (int16_t)v->bits; return NULL;
  case WELD_CK_U16: out->of.u16 = (uint16_t)v->bits; return NULL;
  case WELD_CK_S32: out->of.s32 = (int32_t)v->bits; return NULL;
  case WELD_CK_U32: out->of.u32 = (uint32_t)v->bits; return NULL;
  case WELD_CK_S64: out->of.s64 = (int64_t)v->bits; return NULL;
  case WELD_CK_U64: out->of.u64 = v->bits; return NULL;
  case WELD_CK_F32: {
    uint32_t w = (uint32_t)v->bits;
    memcpy(&out->of.f32, &w, 4);
    return NULL;
  }
  case WELD_CK_F64: memcpy(&out->of.f64, &v->bits, 8); return NULL;
  case WELD_CK_CHAR: out->of.ch = (uint32_t)v->bits; return NULL;
  case WELD_CK_STRING:
    if (!weld_cval_string(out, (const char *)v->str, v->str_len)) return base_error_oom();
    return NULL;
  case WELD_CK_LIST: {
    const weld_ctype_t *et = weld_ctype_member(t, 0);
    if (!weld_cval_items(out, WELD_CK_LIST, v->nitems)) return base_error_oom();
    for (uint32_t i = 0; i < v->nitems; i++) {
      weld_error_t *e = build_rec(doc, &v->items[i], et, &out->of.items.ptr[i], depth + 1);
      if (e) return e;
    }
    return NULL;
  }
  case WELD_CK_TUPLE: {
    size_t n = weld_ctype_count(t);
    if (v->nitems != n) return text_error(doc, v->at, "the tuple has %zu elements, not %u", n, v->nitems);
    if (!weld_cval_items(out, WELD_CK_TUPLE, n)) return base_error_oom();
    for (size_t i = 0; i < n; i++) {
      weld_error_t *e = build_rec(doc, &v->items[i], weld_ctype_member(t, i), &out->of.items.ptr[i], depth + 1);
      if (e) return e;
    }
    return NULL;
  }
  case WELD_CK_RECORD: {
    size_t n = weld_ctype_count(t);
    if (v->nitems != n) return text_error(doc, v->at, "the record has %zu fields, not %u", n, v->nitems);
    if (!weld_cval_items(out, WELD_CK_RECORD, n)) return base_error_oom();
    for (uint32_t i = 0; i < v->nitems; i++) {
      size_t k = member_index(t, v->items[i].label, v->items[i].label_len);
      if (k == SIZE_MAX || out->of.items.ptr[k].kind != 0)
        return text_error(doc, v->items[i].at, "field '%.*s' is not a field of the record, or given twice",
                          (int)v->items[i].label_len, (const char *)v->items[i].label);
      weld_error_t *e = build_rec(doc, &v->items[i], weld_ctype_member(t, k), &out->of.items.ptr[k], depth + 1);
      if (e) return e;
    }
    return NULL;
  }
  case WELD_CK_VARIANT: {
    size_t k = member_index(t, v->str, v->str_len);
    if (k == SIZE_MAX) return text_error(doc, v->at, "'%.*s' is not a case of the variant", (int)v->str_len, (const char *)v->str);
    out->of.variant.index = (uint32_t)k;
    return build_payload(doc, v, weld_ctype_member(t, k), &out->of.variant.payload, "the case", depth);
  }
  case WELD_CK_ENUM: {
    size_t k = member_index(t, v->str, v->str_len);
    if (k == SIZE_MAX) return text_error(doc, v->at, "'%.*s' is not a case of the enum", (int)v->str_len, (const char *)v->str);
    out->of.index = (uint32_t)k;
    return NULL;
  }
  case WELD_CK_OPTION:
    out->of.option = NULL;
    return v->nitems ? build_box(doc, &v->items[0], weld_ctype_member(t, 0), &out->of.option, depth) : NULL;
  case WELD_CK_RESULT:
    out->of.result.is_err = v->is_err;
    return build_payload(doc, v, weld_ctype_member(t, v->is_err ? 1 : 0), &out->of.result.payload,
                         v->is_err ? "result.err" : "result.ok", depth);
  case WELD_CK_FLAGS: {
    size_t n = weld_ctype_count(t);
    if (!weld_cval_flags(out, n)) return base_error_oom();
    for (uint32_t i = 0; i < v->nitems; i++) {
      size_t k = member_index(t, v->items[i].str, v->items[i].str_len);
      if (k == SIZE_MAX)
        return text_error(doc, v->items[i].at, "'%.*s' is not a flag of the type", (int)v->items[i].str_len,
                          (const char *)v->items[i].str);
      out->of.flags.bits[k / 32] |= 1u << (k % 32);
    }
    return NULL;
  }
  default: break;
  }
  return text_error(doc, v->at, "a script cannot write a value of type %s", kind_name(tk));
}

weld_error_t *text_wast_cval_build(const text_doc_t *doc, const text_wast_cval_t *v, const weld_ctype_t *t,
                                   weld_cval_t *out) {
  weld_error_t *e = build_rec(doc, v, t, out, 0);
  if (e) weld_cval_drop(out);
  return e;
}

/* ------------------------------------------------------------------ matching results */

static bool is_nan(uint64_t bits, unsigned width) {
  unsigned mant = width == 32 ? 23 : 52;
  uint64_t exp_mask = (width == 32 ? 0xffull : 0x7ffull) << mant, mant_mask = ((uint64_t)1 << mant) - 1;
  return (bits & exp_mask) == exp_mask && (bits & mant_mask) != 0;
}

static bool float_match(const text_wast_cval_t *p, uint64_t bits, unsigned width) {
  unsigned mant = width == 32 ? 23 : 52;
  uint64_t quiet = (uint64_t)1 << (mant - 1), mant_mask = ((uint64_t)1 << mant) - 1;
  if (p->nan == TEXT_WAST_LANE_NAN_CANONICAL) return is_nan(bits, width) && (bits & mant_mask) == quiet;
  if (p->nan == TEXT_WAST_LANE_NAN_ARITHMETIC) return is_nan(bits, width) && (bits & quiet);
  if (is_nan(p->bits, width)) return is_nan(bits, width);
  return p->bits == bits;
}

static bool payload_match(const text_wast_cval_t *p, const weld_cval_t *got, const weld_ctype_t *pt, unsigned depth);

static bool match_rec(const text_wast_cval_t *p, const weld_cval_t *g, const weld_ctype_t *t, unsigned depth) {
  if (g && g->kind == WELD_CK_ARRAY && p->kind == WELD_CK_LIST && weld_ctype_kind(t) == WELD_CK_LIST) {
    /* a list of numbers, packed */
    if (weld_cval_len(g) != p->nitems) return false;
    for (uint32_t i = 0; i < p->nitems; i++) {
      weld_cval_t e;
      if (!weld_cval_element(g, i, &e) || !match_rec(&p->items[i], &e, weld_ctype_member(t, 0), depth + 1)) return false;
    }
    return true;
  }
  if (!g || depth > WELD_MAX_WAST_VALUE_NESTING || g->kind != p->kind || weld_ctype_kind(t) != g->kind) return false;
  switch (g->kind) {
  case WELD_CK_BOOL: return g->of.b == (p->bits != 0);
  case WELD_CK_S8: return (uint8_t)g->of.s8 == (uint8_t)p->bits;
  case WELD_CK_U8: return g->of.u8 == (uint8_t)p->bits;
  case WELD_CK_S16: return (uint16_t)g->of.s16 == (uint16_t)p->bits;
  case WELD_CK_U16: return g->of.u16 == (uint16_t)p->bits;
  case WELD_CK_S32: return (uint32_t)g->of.s32 == (uint32_t)p->bits;
  case WELD_CK_U32: return g->of.u32 == (uint32_t)p->bits;
  case WELD_CK_S64: return (uint64_t)g->of.s64 == p->bits;
  case WELD_CK_U64: return g->of.u64 == p->bits;
  case WELD_CK_F32: {
    uint32_t w;
    memcpy(&w, &g->of.f32, 4);
    return float_match(p, w, 32);
  }
  case WELD_CK_F64: {
    uint64_t w;
    memcpy(&w, &g->of.f64, 8);
    return float_match(p, w, 64);
  }
  case WELD_CK_CHAR: return g->of.ch == p->bits;
  case WELD_CK_STRING: return g->of.str.len == p->str_len && (!p->str_len || memcmp(g->of.str.ptr, p->str, p->str_len) == 0);
  case WELD_CK_LIST:
  case WELD_CK_TUPLE:
    if (g->of.items.len != p->nitems) return false;
    for (uint32_t i = 0; i < p->nitems; i++)
      if (!match_rec(&p->items[i], &g->of.items.ptr[i], weld_ctype_member(t, g->kind == WELD_CK_LIST ? 0 : i), depth + 1))
        return false;
    return true;
  case WELD_CK_RECORD:
    /* fields in the type's order, with the type's names (as wasmtime's runner compares) */
    if (g->of.items.len != p->nitems) return false;
    for (uint32_t i = 0; i < p->nitems; i++)
      if (!name_is(weld_ctype_name(t, i), p->items[i].label, p->items[i].label_len) ||
          !match_rec(&p->items[i], &g->of.items.ptr[i], weld_ctype_member(t, i), depth + 1))
        return false;
    return true;
  case WELD_CK_VARIANT:
    if (!name_is(weld_ctype_name(t, g->of.variant.index), p->str, p->str_len)) return false;
    return payload_match(p, g->of.variant.payload, weld_ctype_member(t, g->of.variant.index), depth);
  case WELD_CK_ENUM: return name_is(weld_ctype_name(t, g->of.index), p->str, p->str_len);
  case WELD_CK_OPTION:
    if (!g->of.option || !p->nitems) return !g->of.option && !p->nitems;
    return match_rec(&p->items[0], g->of.option, weld_ctype_member(t, 0), depth + 1);
  case WELD_CK_RESULT:
    if (g->of.result.is_err != p->is_err) return false;
    return payload_match(p, g->of.result.payload, weld_ctype_member(t, p->is_err ? 1 : 0), depth);
  case WELD_CK_FLAGS: {
    size_t n = weld_ctype_count(t);
    uint32_t want[64] = {0};
    if (n > 64 * 32) return false;
    for (uint32_t i = 0; i < p->nitems; i++) {
      size_t k = member_index(t, p->items[i].str, p->items[i].str_len);
      if (k == SIZE_MAX) return false;
      want[k / 32] |= 1u << (k % 32);
    }
    for (size_t w = 0; w < (n + 31) / 32; w++)
      if ((w < g->of.flags.nwords ? g->of.flags.bits[w] : 0) != want[w]) return false;
    return true;
  }
  default: return false;
  }
}

static bool payload_match(const text_wast_cval_t *p, const weld_cval_t *got, const weld_ctype_t *pt, unsigned depth) {
  if (!p->nitems || !got || !pt) return !p->nitems && !got;
  return match_rec(&p->items[0], got, pt, depth + 1);
}

bool text_wast_cval_match(const text_wast_cval_t *pat, const weld_cval_t *got, const weld_ctype_t *t) {
  return match_rec(pat, got, t, 0);
}

/* ------------------------------------------------------------------ printing */

static void put_str(base_buf_t *b, const uint8_t *s, size_t n) {
  base_buf_byte(b, '"');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\') base_buf_printf(b, "\\%c", s[i]);
    else if (s[i] >= 0x20 && s[i] != 0x7f) base_buf_byte(b, s[i]);
    else base_buf_printf(b, "\\%02x", s[i]);
  }
  base_buf_byte(b, '"');
}

/* Long values are cut short: messages are one line for a human. */
#define PRINT_MAX_ITEMS 16
#define PRINT_MAX_STRING 200

static void print_rec(base_buf_t *b, const weld_cval_t *v, const weld_ctype_t *t, unsigned depth) {
  if (depth > 32) {
    base_buf_printf(b, "...");
    return;
  }
  const char *nm;
  switch (v->kind) {
  case WELD_CK_BOOL: base_buf_printf(b, "(bool.const %s)", v->of.b ? "true" : "false"); return;
  case WELD_CK_S8: base_buf_printf(b, "(s8.const %d)", v->of.s8); return;
  case WELD_CK_U8: base_buf_printf(b, "(u8.const %u)", v->of.u8); return;
  case WELD_CK_S16: base_buf_printf(b, "(s16.const %d)", v->of.s16); return;
  case WELD_CK_U16: base_buf_printf(b, "(u16.const %u)", v->of.u16); return;
  case WELD_CK_S32: base_buf_printf(b, "(s32.const %" PRId32 ")", v->of.s32); return;
  case WELD_CK_U32: base_buf_printf(b, "(u32.const %" PRIu32 ")", v->of.u32); return;
  case WELD_CK_S64: base_buf_printf(b, "(s64.const %" PRId64 ")", v->of.s64); return;
  case WELD_CK_U64: base_buf_printf(b, "(u64.const %" PRIu64 ")", v->of.u64); return;
  case WELD_CK_F32: {
    uint32_t w;
    memcpy(&w, &v->of.f32, 4);
    base_buf_printf(b, "(f32.const ");
    text_wast_print_float(b, w, 32);
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_F64: {
    uint64_t w;
    memcpy(&w, &v->of.f64, 8);
    base_buf_printf(b, "(f64.const ");
    text_wast_print_float(b, w, 64);
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_CHAR: {
    uint8_t u[4];
    base_buf_printf(b, "(char.const ");
    if (v->of.ch < 0xd800 || (v->of.ch > 0xdfff && v->of.ch <= 0x10ffff)) put_str(b, u, base_utf8_encode(v->of.ch, u));
    else base_buf_printf(b, "U+%04" PRIX32, v->of.ch);
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_STRING: {
    size_t n = v->of.str.len;
    base_buf_printf(b, "(str.const ");
    put_str(b, (const uint8_t *)v->of.str.ptr, n > PRINT_MAX_STRING ? PRINT_MAX_STRING : n);
    if (n > PRINT_MAX_STRING) base_buf_printf(b, "...(%zu bytes)", n);
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_LIST:
  case WELD_CK_ARRAY:
  case WELD_CK_TUPLE:
  case WELD_CK_RECORD: {
    bool list = v->kind == WELD_CK_LIST || v->kind == WELD_CK_ARRAY;
    base_buf_printf(b, "(%s.const", list ? "list" : v->kind == WELD_CK_TUPLE ? "tuple" : "record");
    size_t n = weld_cval_len(v);
    for (size_t i = 0; i < n && i < PRINT_MAX_ITEMS; i++) {
      base_buf_byte(b, ' ');
      const weld_ctype_t *et = weld_ctype_member(t, list ? 0 : i);
      if (v->kind == WELD_CK_RECORD) {
        nm = weld_ctype_name(t, i);
        base_buf_printf(b, "(field \"%s\" ", nm ? nm : "?");
      }
      weld_cval_t e;
      weld_cval_element(v, i, &e);
      print_rec(b, &e, et, depth + 1);
      if (v->kind == WELD_CK_RECORD) base_buf_byte(b, ')');
    }
    if (n > PRINT_MAX_ITEMS) base_buf_printf(b, " ...(%zu items)", n);
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_VARIANT:
    nm = weld_ctype_name(t, v->of.variant.index);
    base_buf_printf(b, "(variant.const \"%s\"", nm ? nm : "?");
    if (v->of.variant.payload) {
      base_buf_byte(b, ' ');
      print_rec(b, v->of.variant.payload, weld_ctype_member(t, v->of.variant.index), depth + 1);
    }
    base_buf_byte(b, ')');
    return;
  case WELD_CK_ENUM:
    nm = weld_ctype_name(t, v->of.index);
    base_buf_printf(b, "(enum.const \"%s\")", nm ? nm : "?");
    return;
  case WELD_CK_OPTION:
    if (!v->of.option) {
      base_buf_printf(b, "(option.none)");
      return;
    }
    base_buf_printf(b, "(option.some ");
    print_rec(b, v->of.option, weld_ctype_member(t, 0), depth + 1);
    base_buf_byte(b, ')');
    return;
  case WELD_CK_RESULT:
    base_buf_printf(b, "(result.%s", v->of.result.is_err ? "err" : "ok");
    if (v->of.result.payload) {
      base_buf_byte(b, ' ');
      print_rec(b, v->of.result.payload, weld_ctype_member(t, v->of.result.is_err ? 1 : 0), depth + 1);
    }
    base_buf_byte(b, ')');
    return;
  case WELD_CK_FLAGS: {
    base_buf_printf(b, "(flags.const");
    size_t n = weld_ctype_count(t);
    for (size_t i = 0; i < n && i / 32 < v->of.flags.nwords; i++)
      if (v->of.flags.bits[i / 32] >> (i % 32) & 1) {
        nm = weld_ctype_name(t, i);
        base_buf_printf(b, " \"%s\"", nm ? nm : "?");
      }
    base_buf_byte(b, ')');
    return;
  }
  case WELD_CK_OWN:
  case WELD_CK_BORROW: base_buf_printf(b, "(%s handle)", kind_name(v->kind)); return;
  default: base_buf_printf(b, "(value of kind %d)", (int)v->kind); return;
  }
}

void text_wast_print_cval(base_buf_t *b, const weld_cval_t *v, const weld_ctype_t *t) { print_rec(b, v, t, 0); }
