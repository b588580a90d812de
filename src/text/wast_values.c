/* wast_values.c — constants and expected results of .wast scripts (WebAssembly/spec
 * interpreter/README.md "Scripts": const, result, `nan:canonical` / `nan:arithmetic`,
 * v128 lanes with per-lane NaN patterns, references), matching them against results and
 * printing values in script syntax.  NaN classes follow core spec §4.3.3
 * "Floating-Point": a canonical NaN has only the top payload bit set; an arithmetic NaN
 * has it set, any other payload bits being free; the sign is free in both.
 *
 * `(ref.extern N)` is the host reference (void *)(uintptr_t)(N + 1), both in arguments
 * and in expected results, so that it is never NULL. */
#include "text/wast.h"
#include "text/numbers.h"
#include <inttypes.h>
#include <string.h>

static const struct {
  const char *name;
  uint8_t lanes, bytes;
} shapes[] = {
    [TEXT_WAST_I8X16] = {"i8x16", 16, 1}, [TEXT_WAST_I16X8] = {"i16x8", 8, 2},
    [TEXT_WAST_I32X4] = {"i32x4", 4, 4},  [TEXT_WAST_I64X2] = {"i64x2", 2, 8},
    [TEXT_WAST_F32X4] = {"f32x4", 4, 4},  [TEXT_WAST_F64X2] = {"f64x2", 2, 8},
};

static void put_le(uint8_t *p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint64_t get_le(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

static int nan_pattern(const text_sx_t *x) {
  if (text_sx_is_atom(x, "nan:canonical")) return TEXT_WAST_LANE_NAN_CANONICAL;
  if (text_sx_is_atom(x, "nan:arithmetic")) return TEXT_WAST_LANE_NAN_ARITHMETIC;
  return TEXT_WAST_LANE_EXACT;
}

static weld_error_t *parse_v128(const text_doc_t *doc, const text_sx_t *x, bool pattern,
                                text_wast_val_t *out) {
  if (x->nitems < 2 || x->items[1].kind != SX_ATOM)
    return text_error(doc, x, "v128.const needs a lane shape");
  int shape = -1;
  for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
    if (text_sx_is_atom(&x->items[1], shapes[s].name)) shape = s;
  if (shape < 0) return text_error(doc, &x->items[1], "unknown v128 lane shape");
  unsigned lanes = shapes[shape].lanes, bytes = shapes[shape].bytes;
  if (x->nitems != 2 + lanes)
    return text_error(doc, x, "%s needs %u lanes, found %u", shapes[shape].name, lanes, x->nitems - 2);
  out->kind = TEXT_WAST_V_V128;
  out->core.kind = WELD_V128;
  memset(out->core.of.v128, 0, 16);
  out->shape = (uint8_t)shape;
  memset(out->lane, 0, sizeof out->lane);
  for (unsigned i = 0; i < lanes; i++) {
    const text_sx_t *l = &x->items[2 + i];
    if (l->kind != SX_ATOM) return text_error(doc, l, "expected a lane value");
    uint64_t v = 0;
    int bad = 0;
    int nan = nan_pattern(l);
    if (nan && (shape == TEXT_WAST_F32X4 || shape == TEXT_WAST_F64X2)) {
      if (!pattern) return text_error(doc, l, "a NaN pattern is not a value");
      out->lane[i] = (uint8_t)nan;
      continue;
    }
    switch (shape) {
    case TEXT_WAST_I8X16: {
      uint8_t b;
      bad = text_parse_i8(l->text, l->len, &b);
      v = b;
      break;
    }
    case TEXT_WAST_I16X8: {
      uint16_t h;
      bad = text_parse_i16(l->text, l->len, &h);
      v = h;
      break;
    }
    case TEXT_WAST_I32X4: {
      uint32_t w;
      bad = text_parse_i32(l->text, l->len, &w);
      v = w;
      break;
    }
    case TEXT_WAST_I64X2: bad = text_parse_i64(l->text, l->len, &v); break;
    case TEXT_WAST_F32X4: {
      uint32_t w;
      bad = text_parse_f32(l->text, l->len, &w);
      v = w;
      break;
    }
    default: bad = text_parse_f64(l->text, l->len, &v); break;
    }
    if (bad) return text_error(doc, l, "bad %s lane", shapes[shape].name);
    put_le(out->core.of.v128 + i * bytes, v, bytes);
  }
  return NULL;
}

static weld_error_t *parse_ref_null(const text_doc_t *doc, const text_sx_t *x, bool pattern,
                                    text_wast_val_t *out) {
  out->kind = TEXT_WAST_V_CORE;
  if (x->nitems == 1) {
    if (!pattern) return text_error(doc, x, "ref.null needs a heap type");
    out->kind = TEXT_WAST_V_REF_NULL_ANY;
    return NULL;
  }
  const text_sx_t *t = &x->items[1];
  if (x->nitems != 2) return text_error(doc, x, "ref.null takes one heap type");
  if (text_sx_is_atom(t, "func") || text_sx_is_atom(t, "nofunc")) {
    out->core.kind = WELD_FUNCREF;
    out->core.of.funcref = NULL;
  } else if (text_sx_is_atom(t, "extern") || text_sx_is_atom(t, "noextern")) {
    out->core.kind = WELD_EXTERNREF;
    out->core.of.externref = NULL;
  } else {
    return text_error(doc, t, "unsupported heap type in ref.null");
  }
  return NULL;
}

weld_error_t *text_wast_parse_val(const text_doc_t *doc, const text_sx_t *x, bool pattern,
                                  text_wast_val_t *out) {
  memset(out, 0, sizeof *out);
  if (x->kind != SX_LIST || x->nitems == 0 || x->items[0].kind != SX_ATOM)
    return text_error(doc, x, "expected a constant such as (i32.const 0)");
  const text_sx_t *op = &x->items[0];
  if (text_sx_is_atom(op, "v128.const")) return parse_v128(doc, x, pattern, out);
  if (text_sx_is_atom(op, "ref.null")) return parse_ref_null(doc, x, pattern, out);
  if (text_sx_is_atom(op, "ref.extern") || text_sx_is_atom(op, "ref.host")) {
    if (x->nitems == 1 && pattern) {
      out->kind = TEXT_WAST_V_REF_EXTERN_ANY;
      return NULL;
    }
    uint64_t n;
    if (x->nitems != 2 || x->items[1].kind != SX_ATOM ||
        text_parse_u64(x->items[1].text, x->items[1].len, &n) || n >= UINTPTR_MAX)
      return text_error(doc, x, "ref.extern takes one unsigned number");
    out->kind = TEXT_WAST_V_CORE;
    out->core.kind = WELD_EXTERNREF;
    out->core.of.externref = (void *)(uintptr_t)(n + 1);
    return NULL;
  }
  if (text_sx_is_atom(op, "ref.func")) {
    if (!pattern) return text_error(doc, x, "ref.func is not allowed as an argument");
    out->kind = TEXT_WAST_V_REF_FUNC;
    return NULL;
  }
  if (text_sx_is_atom(op, "either")) {
    if (!pattern) return text_error(doc, x, "either is not allowed as an argument");
    if (x->nitems < 2) return text_error(doc, x, "either needs alternatives");
    out->kind = TEXT_WAST_V_EITHER;
    out->alts = base_calloc(x->nitems - 1, sizeof *out->alts);
    if (!out->alts) return base_error_oom();
    for (uint32_t i = 1; i < x->nitems; i++) {
      weld_error_t *e = text_wast_parse_val(doc, &x->items[i], pattern, &out->alts[out->nalts]);
      if (e) {
        text_wast_val_free(out);
        return e;
      }
      out->nalts++;
    }
    return NULL;
  }
  static const struct {
    const char *op;
    weld_valkind_t kind;
  } scalars[] = {{"i32.const", WELD_I32}, {"i64.const", WELD_I64}, {"f32.const", WELD_F32}, {"f64.const", WELD_F64}};
  for (size_t k = 0; k < sizeof scalars / sizeof scalars[0]; k++) {
    if (!text_sx_is_atom(op, scalars[k].op)) continue;
    if (x->nitems != 2 || x->items[1].kind != SX_ATOM)
      return text_error(doc, x, "%s takes one literal", scalars[k].op);
    const text_sx_t *l = &x->items[1];
    out->kind = TEXT_WAST_V_CORE;
    out->core.kind = scalars[k].kind;
    out->core.of.i64 = 0;
    int nan = nan_pattern(l), bad = 0;
    if (nan && (scalars[k].kind == WELD_F32 || scalars[k].kind == WELD_F64)) {
      if (!pattern) return text_error(doc, l, "a NaN pattern is not a value");
      out->kind = nan == TEXT_WAST_LANE_NAN_CANONICAL ? TEXT_WAST_V_NAN_CANONICAL : TEXT_WAST_V_NAN_ARITHMETIC;
      return NULL;
    }
    switch (scalars[k].kind) {
    case WELD_I32: {
      uint32_t w;
      bad = text_parse_i32(l->text, l->len, &w);
      out->core.of.i32 = (int32_t)w;
      break;
    }
    case WELD_I64: {
      uint64_t w;
      bad = text_parse_i64(l->text, l->len, &w);
      out->core.of.i64 = (int64_t)w;
      break;
    }
    case WELD_F32: bad = text_parse_f32(l->text, l->len, &out->core.of.f32_bits); break;
    default: bad = text_parse_f64(l->text, l->len, &out->core.of.f64_bits); break;
    }
    if (bad) return text_error(doc, l, "bad %s literal", scalars[k].op);
    return NULL;
  }
  return text_error(doc, op, "unknown constant '%.*s'", (int)op->len, op->text);
}

void text_wast_val_free(text_wast_val_t *v) {
  for (uint32_t i = 0; i < v->nalts; i++) text_wast_val_free(&v->alts[i]);
  if (v->alts) base_free(v->alts, 0);
  v->alts = NULL;
  v->nalts = 0;
}

/* ------------------------------------------------------------------ matching */

static bool nan_matches(uint64_t bits, unsigned width, int pattern) {
  unsigned mant = width == 32 ? 23 : 52;
  uint64_t exp_mask = (width == 32 ? 0xffull : 0x7ffull) << mant;
  uint64_t mant_mask = ((uint64_t)1 << mant) - 1, quiet = (uint64_t)1 << (mant - 1);
  if ((bits & exp_mask) != exp_mask) return false;
  uint64_t m = bits & mant_mask;
  if (pattern == TEXT_WAST_LANE_NAN_CANONICAL) return m == quiet;
  return (m & quiet) != 0;
}

static bool core_equal(const weld_val_t *a, const weld_val_t *b) {
  if (a->kind != b->kind) return false;
  switch (a->kind) {
  case WELD_I32: return a->of.i32 == b->of.i32;
  case WELD_I64: return a->of.i64 == b->of.i64;
  case WELD_F32: return a->of.f32_bits == b->of.f32_bits;
  case WELD_F64: return a->of.f64_bits == b->of.f64_bits;
  case WELD_V128: return memcmp(a->of.v128, b->of.v128, 16) == 0;
  case WELD_FUNCREF: return a->of.funcref == b->of.funcref;
  case WELD_EXTERNREF: return a->of.externref == b->of.externref;
  }
  return false;
}

bool text_wast_val_match(const text_wast_val_t *pat, const weld_val_t *v) {
  switch (pat->kind) {
  case TEXT_WAST_V_CORE: return core_equal(&pat->core, v);
  case TEXT_WAST_V_NAN_CANONICAL:
  case TEXT_WAST_V_NAN_ARITHMETIC: {
    int p = pat->kind == TEXT_WAST_V_NAN_CANONICAL ? TEXT_WAST_LANE_NAN_CANONICAL : TEXT_WAST_LANE_NAN_ARITHMETIC;
    if (v->kind != pat->core.kind) return false;
    if (v->kind == WELD_F32) return nan_matches(v->of.f32_bits, 32, p);
    if (v->kind == WELD_F64) return nan_matches(v->of.f64_bits, 64, p);
    return false;
  }
  case TEXT_WAST_V_V128: {
    if (v->kind != WELD_V128) return false;
    unsigned lanes = shapes[pat->shape].lanes, bytes = shapes[pat->shape].bytes;
    for (unsigned i = 0; i < lanes; i++) {
      const uint8_t *a = v->of.v128 + i * bytes, *b = pat->core.of.v128 + i * bytes;
      if (pat->lane[i] == TEXT_WAST_LANE_EXACT) {
        if (memcmp(a, b, bytes) != 0) return false;
      } else if (!nan_matches(get_le(a, bytes), bytes * 8, pat->lane[i])) {
        return false;
      }
    }
    return true;
  }
  case TEXT_WAST_V_REF_FUNC: return v->kind == WELD_FUNCREF && v->of.funcref != NULL;
  case TEXT_WAST_V_REF_EXTERN_ANY: return v->kind == WELD_EXTERNREF && v->of.externref != NULL;
  case TEXT_WAST_V_REF_NULL_ANY:
    return (v->kind == WELD_FUNCREF && !v->of.funcref) || (v->kind == WELD_EXTERNREF && !v->of.externref);
  case TEXT_WAST_V_EITHER:
    for (uint32_t i = 0; i < pat->nalts; i++)
      if (text_wast_val_match(&pat->alts[i], v)) return true;
    return false;
  }
  return false;
}

/* ------------------------------------------------------------------ printing */

void text_wast_print_float(base_buf_t *b, uint64_t bits, unsigned width) {
  unsigned mant = width == 32 ? 23 : 52;
  uint64_t sign = bits >> (width - 1) & 1;
  uint64_t exp_mask = (width == 32 ? 0xffull : 0x7ffull) << mant, mant_mask = ((uint64_t)1 << mant) - 1;
  if ((bits & exp_mask) == exp_mask) {
    if (bits & mant_mask)
      base_buf_printf(b, "%snan:0x%" PRIx64, sign ? "-" : "", bits & mant_mask);
    else
      base_buf_printf(b, "%sinf", sign ? "-" : "");
    return;
  }
  if (width == 32) {
    uint32_t w = (uint32_t)bits;
    float f;
    memcpy(&f, &w, 4);
    base_buf_printf(b, "%.9g", (double)f);
  } else {
    double d;
    memcpy(&d, &bits, 8);
    base_buf_printf(b, "%.17g", d);
  }
}

void text_wast_print_val(base_buf_t *b, const weld_val_t *v, const text_wast_val_t *hint) {
  switch (v->kind) {
  case WELD_I32: base_buf_printf(b, "(i32.const %" PRId32 ")", v->of.i32); return;
  case WELD_I64: base_buf_printf(b, "(i64.const %" PRId64 ")", v->of.i64); return;
  case WELD_F32:
    base_buf_printf(b, "(f32.const ");
    text_wast_print_float(b, v->of.f32_bits, 32);
    base_buf_printf(b, ")");
    return;
  case WELD_F64:
    base_buf_printf(b, "(f64.const ");
    text_wast_print_float(b, v->of.f64_bits, 64);
    base_buf_printf(b, ")");
    return;
  case WELD_V128: {
    if (hint && hint->kind == TEXT_WAST_V_EITHER && hint->nalts) hint = &hint->alts[0];
    int shape = hint && hint->kind == TEXT_WAST_V_V128 ? hint->shape : TEXT_WAST_I32X4;
    unsigned lanes = shapes[shape].lanes, bytes = shapes[shape].bytes;
    base_buf_printf(b, "(v128.const %s", shapes[shape].name);
    for (unsigned i = 0; i < lanes; i++) {
      uint64_t x = get_le(v->of.v128 + i * bytes, bytes);
      base_buf_printf(b, " ");
      if (shape == TEXT_WAST_F32X4 || shape == TEXT_WAST_F64X2)
        text_wast_print_float(b, x, bytes * 8);
      else if (shape == TEXT_WAST_I64X2)
        base_buf_printf(b, "%" PRId64, (int64_t)x);
      else
        base_buf_printf(b, "0x%0*" PRIx64, (int)bytes * 2, x);
    }
    base_buf_printf(b, ")");
    return;
  }
  case WELD_FUNCREF:
    if (v->of.funcref)
      base_buf_printf(b, "(ref.func)");
    else
      base_buf_printf(b, "(ref.null func)");
    return;
  case WELD_EXTERNREF:
    if (v->of.externref)
      base_buf_printf(b, "(ref.extern %" PRIuPTR ")", (uintptr_t)v->of.externref - 1);
    else
      base_buf_printf(b, "(ref.null extern)");
    return;
  }
  base_buf_printf(b, "(unknown value kind %d)", (int)v->kind);
}
