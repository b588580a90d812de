/* simd.h — semantics of the WebAssembly 2.0 128-bit SIMD instructions (core spec §4.4.3
 * "Vector Instructions", numerics in §4.3 "Numerics"; the SIMD proposal's overview,
 * proposals/simd/SIMD.md, for the per-lane descriptions).
 *
 * One `static inline` function per 0xFD-prefixed line of opcodes.def, named
 * simd_<IDENT> after the first field of its OP(...) line; the interpreter's generated
 * handlers call them.  Shapes (from the sig string and immediate kind):
 *   IMM_NONE "vv:v"  core_v128_t f(core_v128_t a, core_v128_t b)
 *            "v:v"   core_v128_t f(core_v128_t a)
 *            "vvv:v" core_v128_t f(core_v128_t a, core_v128_t b, core_v128_t c)  (bitselect)
 *            "v:i"   int32_t f(core_v128_t a)                                   (tests, bitmask)
 *            "vi:v"  core_v128_t f(core_v128_t a, int32_t count)                (shifts)
 *            "i:v" "I:v" "f:v" "F:v"  core_v128_t f(scalar x)                   (splats)
 *   IMM_LANE      extract: scalar f(core_v128_t a, uint32_t lane)
 *                 replace: core_v128_t f(core_v128_t a, scalar x, uint32_t lane)
 *   IMM_SHUFFLE   core_v128_t f(core_v128_t a, core_v128_t b, const uint8_t lanes[16])
 *   IMM_MEMARG    loads core_v128_t f(const uint8_t *p); store void f(uint8_t *p, core_v128_t v)
 *   IMM_MEMARG_LANE  loads core_v128_t f(const uint8_t *p, core_v128_t v, uint32_t lane)
 *                    stores void f(uint8_t *p, core_v128_t v, uint32_t lane)
 *   IMM_V128      v128.const: the engine copies the 16 bytes (simd_V_V128_CONST does it too).
 * Memory functions read/write exactly the access width at p with memcpy (p may be
 * unaligned); bounds are the caller's business.  Lane indices are validated by the
 * validator; the functions still mask them to the lane count so no input can index out of
 * the vector.
 *
 * Implementation: every instruction has a plain C11 body (loops over the union's lanes),
 * and the hot lane-wise ones also a body on GCC/clang generic vectors, used unless
 * WELD_SIMD_PORTABLE is defined (see "lane-wise families" below); i8x16.swizzle uses pshufb
 * when compiled with SSSE3.  All bodies give identical bits; the unit tests run both.
 * No dependence on the floating-point environment beyond the default round-to-nearest-
 * even, no fast-math, and no float multiply-add, so FP contraction cannot change results.
 *
 * NaNs: every result is bit-exact per the spec, with the spec's freedom for NaNs resolved
 * as follows.  Operations that we compute lane by lane in software (min, max, ceil, floor,
 * trunc, nearest, demote, promote) return the NaN input with its quiet bit set, keeping
 * sign and payload (a canonical input gives a canonical output, any other an arithmetic
 * NaN).  The IEEE operators (add, sub, mul, div, sqrt) use the hardware, which returns a
 * quiet NaN for a NaN operand (the operand's payload on x86 and Arm, the default NaN on
 * others: arithmetic either way, canonical when the inputs were) and the default NaN for
 * an invalid operation (0/0, inf-inf, sqrt(-1)), which is canonical on every IEEE 754-2008
 * target.  abs, neg, pmin, pmax, lane moves and splats copy bits unchanged.
 *
 * Integers: arithmetic that may wrap is done in unsigned types (no signed overflow); right
 * shifts of negative values are arithmetic (gcc and clang document this). */
#ifndef WELD_CORE_SIMD_H
#define WELD_CORE_SIMD_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSSE3__) && !defined(WELD_SIMD_PORTABLE)
#include <tmmintrin.h>
#endif

/* Lane 0 is the lowest address in memory, so the union's layout is the memory layout only
 * on a little-endian host. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "core_v128_t assumes a little-endian host (lane 0 at the lowest address)");
#endif
/* x87 excess precision would make float lanes round twice. */
#if defined(FLT_EVAL_METHOD) && (FLT_EVAL_METHOD == 1 || FLT_EVAL_METHOD == 2)
#error "weld's SIMD semantics need FLT_EVAL_METHOD == 0 (e.g. SSE2 on x86)"
#endif

typedef union core_v128 {
  uint8_t u8[16];
  int8_t i8[16];
  uint16_t u16[8];
  int16_t i16[8];
  uint32_t u32[4];
  int32_t i32[4];
  uint64_t u64[2];
  int64_t i64[2];
  float f32[4];
  double f64[2];
} core_v128_t;

_Static_assert(sizeof(core_v128_t) == 16, "core_v128_t must be 16 bytes");
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE binary32/binary64 expected");

/* ------------------------------------------------------------------ scalar helpers */

static inline uint32_t core_simd_f32_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline uint64_t core_simd_f64_bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline float core_simd_f32_from(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static inline double core_simd_f64_from(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* NaN input of a unary operation whose result is "nans{z}": set the quiet bit, keep sign
 * and payload (canonical stays canonical, anything else becomes arithmetic). */
static inline float core_simd_f32_quiet(float x) {
  return core_simd_f32_from(core_simd_f32_bits(x) | UINT32_C(0x00400000));
}
static inline double core_simd_f64_quiet(double x) {
  return core_simd_f64_from(core_simd_f64_bits(x) | UINT64_C(0x0008000000000000));
}

/* fmin / fmax (§4.3.3): NaN if either is NaN, -0 < +0. */
static inline float core_simd_f32_min(float a, float b) {
  if (a != a) return core_simd_f32_quiet(a);
  if (b != b) return core_simd_f32_quiet(b);
  if (a == b) return core_simd_f32_from(core_simd_f32_bits(a) | core_simd_f32_bits(b));
  return a < b ? a : b;
}
static inline float core_simd_f32_max(float a, float b) {
  if (a != a) return core_simd_f32_quiet(a);
  if (b != b) return core_simd_f32_quiet(b);
  if (a == b) return core_simd_f32_from(core_simd_f32_bits(a) & core_simd_f32_bits(b));
  return a > b ? a : b;
}
static inline double core_simd_f64_min(double a, double b) {
  if (a != a) return core_simd_f64_quiet(a);
  if (b != b) return core_simd_f64_quiet(b);
  if (a == b) return core_simd_f64_from(core_simd_f64_bits(a) | core_simd_f64_bits(b));
  return a < b ? a : b;
}
static inline double core_simd_f64_max(double a, double b) {
  if (a != a) return core_simd_f64_quiet(a);
  if (b != b) return core_simd_f64_quiet(b);
  if (a == b) return core_simd_f64_from(core_simd_f64_bits(a) & core_simd_f64_bits(b));
  return a > b ? a : b;
}

/* fceil / ffloor / ftrunc: libm is exact for these; NaNs are quieted explicitly so the
 * result does not depend on how the library treats signalling NaNs. */
static inline float core_simd_f32_ceil(float x) { return x != x ? core_simd_f32_quiet(x) : ceilf(x); }
static inline float core_simd_f32_floor(float x) { return x != x ? core_simd_f32_quiet(x) : floorf(x); }
static inline float core_simd_f32_trunc(float x) { return x != x ? core_simd_f32_quiet(x) : truncf(x); }
static inline double core_simd_f64_ceil(double x) { return x != x ? core_simd_f64_quiet(x) : ceil(x); }
static inline double core_simd_f64_floor(double x) { return x != x ? core_simd_f64_quiet(x) : floor(x); }
static inline double core_simd_f64_trunc(double x) { return x != x ? core_simd_f64_quiet(x) : trunc(x); }

/* fnearest: round to nearest, ties to even.  For |x| < 2^23 (2^52), adding and
 * subtracting 2^23 (2^52) rounds to an integer in the default rounding mode; the sign is
 * restored afterwards so -0.4 gives -0.  Larger magnitudes are already integers. */
static inline float core_simd_f32_nearest(float x) {
  if (x != x) return core_simd_f32_quiet(x);
  uint32_t bits = core_simd_f32_bits(x);
  float ax = core_simd_f32_from(bits & UINT32_C(0x7fffffff));
  if (!(ax < 8388608.0f)) return x;
  float r = (ax + 8388608.0f) - 8388608.0f; /* not reassociated without fast-math */
  return core_simd_f32_from(core_simd_f32_bits(r) | (bits & UINT32_C(0x80000000)));
}
static inline double core_simd_f64_nearest(double x) {
  if (x != x) return core_simd_f64_quiet(x);
  uint64_t bits = core_simd_f64_bits(x);
  double ax = core_simd_f64_from(bits & UINT64_C(0x7fffffffffffffff));
  if (!(ax < 4503599627370496.0)) return x;
  double r = (ax + 4503599627370496.0) - 4503599627370496.0;
  return core_simd_f64_from(core_simd_f64_bits(r) | (bits & UINT64_C(0x8000000000000000)));
}

/* fdemote / fpromote: NaNs keep their sign and the top of their payload, quiet bit set. */
static inline float core_simd_demote(double x) {
  if (x != x) {
    uint64_t b = core_simd_f64_bits(x);
    uint32_t r = (uint32_t)(b >> 32) & UINT32_C(0x80000000);
    r |= UINT32_C(0x7fc00000) | ((uint32_t)(b >> 29) & UINT32_C(0x003fffff));
    return core_simd_f32_from(r);
  }
  return (float)x;
}
static inline double core_simd_promote(float x) {
  if (x != x) {
    uint32_t b = core_simd_f32_bits(x);
    uint64_t r = (uint64_t)(b & UINT32_C(0x80000000)) << 32;
    r |= UINT64_C(0x7ff8000000000000) | ((uint64_t)(b & UINT32_C(0x003fffff)) << 29);
    return core_simd_f64_from(r);
  }
  return (double)x;
}

/* trunc_sat (§4.3.2 "trunc_sat"): NaN -> 0, out of range saturates. */
static inline int32_t core_simd_trunc_sat_s32(double x) {
  if (x != x) return 0;
  if (x >= 2147483648.0) return INT32_MAX;
  if (x <= -2147483648.0) return INT32_MIN;
  return (int32_t)x;
}
static inline uint32_t core_simd_trunc_sat_u32(double x) {
  if (!(x >= 1.0)) return 0; /* NaN, negative, and [0, 1) */
  if (x >= 4294967296.0) return UINT32_MAX;
  return (uint32_t)x;
}

static inline int8_t core_simd_sat_s8(int32_t x) {
  return (int8_t)(x < INT8_MIN ? INT8_MIN : x > INT8_MAX ? INT8_MAX : x);
}
static inline uint8_t core_simd_sat_u8(int32_t x) {
  return (uint8_t)(x < 0 ? 0 : x > UINT8_MAX ? UINT8_MAX : x);
}
static inline int16_t core_simd_sat_s16(int32_t x) {
  return (int16_t)(x < INT16_MIN ? INT16_MIN : x > INT16_MAX ? INT16_MAX : x);
}
static inline uint16_t core_simd_sat_u16(int32_t x) {
  return (uint16_t)(x < 0 ? 0 : x > UINT16_MAX ? UINT16_MAX : x);
}

/* ------------------------------------------------------------------ memory (§4.4.7) */

static inline core_v128_t simd_V_V128_LOAD(const uint8_t *p) {
  core_v128_t r;
  memcpy(&r, p, 16);
  return r;
}
static inline void simd_V_V128_STORE(uint8_t *p, core_v128_t v) { memcpy(p, &v, 16); }

static inline core_v128_t simd_V_V128_LOAD8X8_S(const uint8_t *p) {
  core_v128_t r;
  for (int i = 0; i < 8; i++) r.i16[i] = (int8_t)p[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD8X8_U(const uint8_t *p) {
  core_v128_t r;
  for (int i = 0; i < 8; i++) r.u16[i] = p[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD16X4_S(const uint8_t *p) {
  int16_t t[4];
  memcpy(t, p, 8);
  core_v128_t r;
  for (int i = 0; i < 4; i++) r.i32[i] = t[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD16X4_U(const uint8_t *p) {
  uint16_t t[4];
  memcpy(t, p, 8);
  core_v128_t r;
  for (int i = 0; i < 4; i++) r.u32[i] = t[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD32X2_S(const uint8_t *p) {
  int32_t t[2];
  memcpy(t, p, 8);
  core_v128_t r;
  for (int i = 0; i < 2; i++) r.i64[i] = t[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD32X2_U(const uint8_t *p) {
  uint32_t t[2];
  memcpy(t, p, 8);
  core_v128_t r;
  for (int i = 0; i < 2; i++) r.u64[i] = t[i];
  return r;
}
static inline core_v128_t simd_V_V128_LOAD8_SPLAT(const uint8_t *p) {
  core_v128_t r;
  memset(&r, p[0], 16);
  return r;
}
static inline core_v128_t simd_V_V128_LOAD16_SPLAT(const uint8_t *p) {
  uint16_t x;
  memcpy(&x, p, 2);
  core_v128_t r;
  for (int i = 0; i < 8; i++) r.u16[i] = x;
  return r;
}
static inline core_v128_t simd_V_V128_LOAD32_SPLAT(const uint8_t *p) {
  uint32_t x;
  memcpy(&x, p, 4);
  core_v128_t r;
  for (int i = 0; i < 4; i++) r.u32[i] = x;
  return r;
}
static inline core_v128_t simd_V_V128_LOAD64_SPLAT(const uint8_t *p) {
  uint64_t x;
  memcpy(&x, p, 8);
  core_v128_t r;
  r.u64[0] = r.u64[1] = x;
  return r;
}
static inline core_v128_t simd_V_V128_LOAD32_ZERO(const uint8_t *p) {
  core_v128_t r;
  memset(&r, 0, 16);
  memcpy(&r.u32[0], p, 4);
  return r;
}
static inline core_v128_t simd_V_V128_LOAD64_ZERO(const uint8_t *p) {
  core_v128_t r;
  r.u64[1] = 0;
  memcpy(&r.u64[0], p, 8);
  return r;
}

static inline core_v128_t simd_V_V128_LOAD8_LANE(const uint8_t *p, core_v128_t v, uint32_t lane) {
  v.u8[lane & 15] = p[0];
  return v;
}
static inline core_v128_t simd_V_V128_LOAD16_LANE(const uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(&v.u16[lane & 7], p, 2);
  return v;
}
static inline core_v128_t simd_V_V128_LOAD32_LANE(const uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(&v.u32[lane & 3], p, 4);
  return v;
}
static inline core_v128_t simd_V_V128_LOAD64_LANE(const uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(&v.u64[lane & 1], p, 8);
  return v;
}
static inline void simd_V_V128_STORE8_LANE(uint8_t *p, core_v128_t v, uint32_t lane) {
  p[0] = v.u8[lane & 15];
}
static inline void simd_V_V128_STORE16_LANE(uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(p, &v.u16[lane & 7], 2);
}
static inline void simd_V_V128_STORE32_LANE(uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(p, &v.u32[lane & 3], 4);
}
static inline void simd_V_V128_STORE64_LANE(uint8_t *p, core_v128_t v, uint32_t lane) {
  memcpy(p, &v.u64[lane & 1], 8);
}

/* v128.const: the interpreter copies the immediate itself; this is the same thing. */
static inline core_v128_t simd_V_V128_CONST(const uint8_t bytes[16]) {
  core_v128_t r;
  memcpy(&r, bytes, 16);
  return r;
}

/* ------------------------------------------------------------------ lane movement */

static inline core_v128_t simd_V_I8X16_SHUFFLE(core_v128_t a, core_v128_t b, const uint8_t lanes[16]) {
  core_v128_t r;
  for (int i = 0; i < 16; i++) {
    unsigned k = lanes[i] & 31u;
    r.u8[i] = k < 16 ? a.u8[k] : b.u8[k - 16];
  }
  return r;
}
/* swizzle: lane i of the result is a[b[i]], or 0 when b[i] >= 16.  With SSSE3, pshufb
 * gives the same: an index pushed to >= 0x80 by an unsigned saturating add of 0x70 selects
 * zero, the others keep their low four bits. */
static inline core_v128_t simd_V_I8X16_SWIZZLE(core_v128_t a, core_v128_t b) {
  core_v128_t r;
#if defined(__SSSE3__) && !defined(WELD_SIMD_PORTABLE)
  __m128i va = _mm_loadu_si128((const __m128i *)(const void *)&a);
  __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)&b);
  __m128i vr = _mm_shuffle_epi8(va, _mm_adds_epu8(vb, _mm_set1_epi8(0x70)));
  _mm_storeu_si128((__m128i *)(void *)&r, vr);
#else
  for (int i = 0; i < 16; i++) r.u8[i] = b.u8[i] < 16 ? a.u8[b.u8[i]] : 0;
#endif
  return r;
}

static inline core_v128_t simd_V_I8X16_SPLAT(int32_t x) {
  core_v128_t r;
  memset(&r, (uint8_t)x, 16);
  return r;
}
static inline core_v128_t simd_V_I16X8_SPLAT(int32_t x) {
  core_v128_t r;
  for (int i = 0; i < 8; i++) r.u16[i] = (uint16_t)x;
  return r;
}
static inline core_v128_t simd_V_I32X4_SPLAT(int32_t x) {
  core_v128_t r;
  for (int i = 0; i < 4; i++) r.i32[i] = x;
  return r;
}
static inline core_v128_t simd_V_I64X2_SPLAT(int64_t x) {
  core_v128_t r;
  r.i64[0] = r.i64[1] = x;
  return r;
}
static inline core_v128_t simd_V_F32X4_SPLAT(float x) {
  uint32_t u = core_simd_f32_bits(x);
  core_v128_t r;
  for (int i = 0; i < 4; i++) r.u32[i] = u;
  return r;
}
static inline core_v128_t simd_V_F64X2_SPLAT(double x) {
  uint64_t u = core_simd_f64_bits(x);
  core_v128_t r;
  r.u64[0] = r.u64[1] = u;
  return r;
}

static inline int32_t simd_V_I8X16_EXTRACT_LANE_S(core_v128_t a, uint32_t lane) { return a.i8[lane & 15]; }
static inline int32_t simd_V_I8X16_EXTRACT_LANE_U(core_v128_t a, uint32_t lane) { return a.u8[lane & 15]; }
static inline int32_t simd_V_I16X8_EXTRACT_LANE_S(core_v128_t a, uint32_t lane) { return a.i16[lane & 7]; }
static inline int32_t simd_V_I16X8_EXTRACT_LANE_U(core_v128_t a, uint32_t lane) { return a.u16[lane & 7]; }
static inline int32_t simd_V_I32X4_EXTRACT_LANE(core_v128_t a, uint32_t lane) { return a.i32[lane & 3]; }
static inline int64_t simd_V_I64X2_EXTRACT_LANE(core_v128_t a, uint32_t lane) { return a.i64[lane & 1]; }
static inline float simd_V_F32X4_EXTRACT_LANE(core_v128_t a, uint32_t lane) { return a.f32[lane & 3]; }
static inline double simd_V_F64X2_EXTRACT_LANE(core_v128_t a, uint32_t lane) { return a.f64[lane & 1]; }

static inline core_v128_t simd_V_I8X16_REPLACE_LANE(core_v128_t a, int32_t x, uint32_t lane) {
  a.u8[lane & 15] = (uint8_t)x;
  return a;
}
static inline core_v128_t simd_V_I16X8_REPLACE_LANE(core_v128_t a, int32_t x, uint32_t lane) {
  a.u16[lane & 7] = (uint16_t)x;
  return a;
}
static inline core_v128_t simd_V_I32X4_REPLACE_LANE(core_v128_t a, int32_t x, uint32_t lane) {
  a.i32[lane & 3] = x;
  return a;
}
static inline core_v128_t simd_V_I64X2_REPLACE_LANE(core_v128_t a, int64_t x, uint32_t lane) {
  a.i64[lane & 1] = x;
  return a;
}
static inline core_v128_t simd_V_F32X4_REPLACE_LANE(core_v128_t a, float x, uint32_t lane) {
  a.u32[lane & 3] = core_simd_f32_bits(x);
  return a;
}
static inline core_v128_t simd_V_F64X2_REPLACE_LANE(core_v128_t a, double x, uint32_t lane) {
  a.u64[lane & 1] = core_simd_f64_bits(x);
  return a;
}

/* ------------------------------------------------------------------ lane-wise families
 * Each lane-wise instruction is written once with two bodies side by side: a plain C loop
 * over the union's lanes (the reference semantics, always available), and an expression
 * on GCC/clang generic vectors (`__attribute__((vector_size(16)))`), which both compilers
 * turn into a few SIMD instructions on any target (the loops over the union are often
 * compiled lane by lane, clang in particular).  The vector bodies are used when the
 * compiler has generic vectors, unless WELD_SIMD_PORTABLE is defined; the unit tests run
 * both (test_simd and test_simd_portable).  The vector forms only use lane-wise operations
 * whose results are defined bit for bit: unsigned wrapping arithmetic, shifts by less than
 * the lane width, comparisons (all ones / zero lanes), bit operations, IEEE arithmetic.
 *
 * Scalar bodies: CORE_SIMD_BIN(name, N, out, in, expr) sets r.out[i] = expr for i < N,
 * with x = a.in[i] and y = b.in[i]; CORE_SIMD_UN the same with x only.
 * Vector bodies: x and y are a and b viewed as vector type core_simd_<VT>; the result is
 * the expression's bits. */
#define CORE_SIMD_BIN(NAME, N, OUT, IN, EXPR)                                  \
  static inline core_v128_t simd_##NAME(core_v128_t a, core_v128_t b) {        \
    core_v128_t r;                                                             \
    for (int i = 0; i < (N); i++) {                                            \
      __typeof__(a.IN[0]) x = a.IN[i], y = b.IN[i];                            \
      (void)x, (void)y;                                                        \
      r.OUT[i] = (EXPR);                                                       \
    }                                                                          \
    return r;                                                                  \
  }
#define CORE_SIMD_UN(NAME, N, OUT, IN, EXPR)                                   \
  static inline core_v128_t simd_##NAME(core_v128_t a) {                       \
    core_v128_t r;                                                             \
    for (int i = 0; i < (N); i++) {                                            \
      __typeof__(a.IN[0]) x = a.IN[i];                                         \
      (void)x;                                                                 \
      r.OUT[i] = (EXPR);                                                       \
    }                                                                          \
    return r;                                                                  \
  }
/* Comparisons: all ones in a lane when true. */
#define CORE_SIMD_CMP(NAME, N, OUT, IN, OP)                                    \
  CORE_SIMD_BIN(NAME, N, OUT, IN, (__typeof__(r.OUT[0]))(UINT64_C(0) - (uint64_t)(x OP y)))
#define CORE_SIMD_SHIFT(NAME, N, L, BITS, OP)                                  \
  static inline core_v128_t simd_##NAME(core_v128_t a, int32_t count) {        \
    unsigned s = (unsigned)count & ((BITS) - 1u);                              \
    core_v128_t r;                                                             \
    for (int i = 0; i < (N); i++) r.L[i] = (__typeof__(r.L[0]))(a.L[i] OP s);  \
    return r;                                                                  \
  }

#if (defined(__GNUC__) || defined(__clang__)) && !defined(WELD_SIMD_PORTABLE)
#define CORE_SIMD_VEC 1
#else
#define CORE_SIMD_VEC 0
#endif

#if CORE_SIMD_VEC
typedef uint8_t core_simd_u8v __attribute__((vector_size(16)));
typedef int8_t core_simd_i8v __attribute__((vector_size(16)));
typedef uint16_t core_simd_u16v __attribute__((vector_size(16)));
typedef int16_t core_simd_i16v __attribute__((vector_size(16)));
typedef uint32_t core_simd_u32v __attribute__((vector_size(16)));
typedef int32_t core_simd_i32v __attribute__((vector_size(16)));
typedef uint64_t core_simd_u64v __attribute__((vector_size(16)));
typedef int64_t core_simd_i64v __attribute__((vector_size(16)));
typedef float core_simd_f32v __attribute__((vector_size(16)));
typedef double core_simd_f64v __attribute__((vector_size(16)));
/* Half vectors (8 bytes), the sources of the widening operations. */
typedef uint8_t core_simd_u8h __attribute__((vector_size(8)));
typedef int8_t core_simd_i8h __attribute__((vector_size(8)));
typedef uint16_t core_simd_u16h __attribute__((vector_size(8)));
typedef int16_t core_simd_i16h __attribute__((vector_size(8)));
typedef uint32_t core_simd_u32h __attribute__((vector_size(8)));
typedef int32_t core_simd_i32h __attribute__((vector_size(8)));

#define CORE_SIMD_VBIN(NAME, VT, VEXPR)                                        \
  static inline core_v128_t simd_##NAME(core_v128_t a, core_v128_t b) {        \
    core_simd_##VT x, y;                                                       \
    memcpy(&x, &a, 16);                                                        \
    memcpy(&y, &b, 16);                                                        \
    __typeof__(VEXPR) v = (VEXPR);                                             \
    _Static_assert(sizeof v == 16, "vector result must be 16 bytes");          \
    core_v128_t r;                                                             \
    memcpy(&r, &v, 16);                                                        \
    return r;                                                                  \
  }
#define CORE_SIMD_VUN(NAME, VT, VEXPR)                                         \
  static inline core_v128_t simd_##NAME(core_v128_t a) {                       \
    core_simd_##VT x;                                                          \
    memcpy(&x, &a, 16);                                                        \
    __typeof__(VEXPR) v = (VEXPR);                                             \
    _Static_assert(sizeof v == 16, "vector result must be 16 bytes");          \
    core_v128_t r;                                                             \
    memcpy(&r, &v, 16);                                                        \
    return r;                                                                  \
  }
/* Widening of the low (OFF = 0) or high (OFF = 8) half of a (and b). */
#define CORE_SIMD_VWIDEN(NAME, HT, WT, OFF)                                    \
  static inline core_v128_t simd_##NAME(core_v128_t a) {                       \
    core_simd_##HT h;                                                          \
    memcpy(&h, a.u8 + (OFF), 8);                                               \
    core_simd_##WT v = __builtin_convertvector(h, core_simd_##WT);             \
    core_v128_t r;                                                             \
    memcpy(&r, &v, 16);                                                        \
    return r;                                                                  \
  }
#define CORE_SIMD_VWIDEN_MUL(NAME, HT, WT, OFF)                                \
  static inline core_v128_t simd_##NAME(core_v128_t a, core_v128_t b) {        \
    core_simd_##HT ha, hb;                                                     \
    memcpy(&ha, a.u8 + (OFF), 8);                                              \
    memcpy(&hb, b.u8 + (OFF), 8);                                              \
    core_simd_##WT v = __builtin_convertvector(ha, core_simd_##WT) *           \
                       __builtin_convertvector(hb, core_simd_##WT);            \
    core_v128_t r;                                                             \
    memcpy(&r, &v, 16);                                                        \
    return r;                                                                  \
  }
#define CORE_SIMD_VSHIFT(NAME, VT, BITS, OP)                                   \
  static inline core_v128_t simd_##NAME(core_v128_t a, int32_t count) {        \
    unsigned s = (unsigned)count & ((BITS) - 1u);                              \
    core_simd_##VT x;                                                          \
    memcpy(&x, &a, 16);                                                        \
    x = x OP s;                                                                \
    core_v128_t r;                                                             \
    memcpy(&r, &x, 16);                                                        \
    return r;                                                                  \
  }
/* Lane-wise select: m ? x : y for a mask m of all-ones / zero lanes of x's width. */
#define CORE_SIMD_VSEL(M, X, Y) ((((__typeof__(X))(M)) & (X)) | (~((__typeof__(X))(M)) & (Y)))

/* Saturating add/sub on vectors.  Signed: wrap in unsigned, then lanes whose sign went
 * wrong overflowed and get MAX or MIN according to the sign of x. */
#define CORE_SIMD_VSAT_SIGNED(S, U, BITS, MAXV)                                \
  static inline core_simd_##S core_simd_vadd_sat_##S(core_simd_##S x, core_simd_##S y) { \
    core_simd_##S s = (core_simd_##S)((core_simd_##U)x + (core_simd_##U)y);   \
    core_simd_##S ov = (core_simd_##S)(((x ^ s) & (y ^ s)) < 0);               \
    return CORE_SIMD_VSEL(ov, (x >> ((BITS) - 1)) ^ (MAXV), s);                \
  }                                                                            \
  static inline core_simd_##S core_simd_vsub_sat_##S(core_simd_##S x, core_simd_##S y) { \
    core_simd_##S s = (core_simd_##S)((core_simd_##U)x - (core_simd_##U)y);   \
    core_simd_##S ov = (core_simd_##S)(((x ^ y) & (x ^ s)) < 0);               \
    return CORE_SIMD_VSEL(ov, (x >> ((BITS) - 1)) ^ (MAXV), s);                \
  }
CORE_SIMD_VSAT_SIGNED(i8v, u8v, 8, 0x7f)
CORE_SIMD_VSAT_SIGNED(i16v, u16v, 16, 0x7fff)
#undef CORE_SIMD_VSAT_SIGNED

/* fmin/fmax on vectors: the lane-wise form of core_simd_f32_min & co. */
#define CORE_SIMD_VFMINMAX(F, U, QUIET, NAME, CMP, COMBINE)                    \
  static inline core_simd_##U core_simd_v##NAME##_##F(core_simd_##F x, core_simd_##F y) { \
    core_simd_##U xu = (core_simd_##U)x, yu = (core_simd_##U)y;                \
    core_simd_##U xn = (core_simd_##U)(x != x), yn = (core_simd_##U)(y != y);  \
    core_simd_##U nan = CORE_SIMD_VSEL(xn, xu, yu) | (QUIET);                  \
    core_simd_##U num = CORE_SIMD_VSEL(x == y, xu COMBINE yu, CORE_SIMD_VSEL(x CMP y, xu, yu)); \
    return CORE_SIMD_VSEL(xn | yn, nan, num);                                  \
  }
CORE_SIMD_VFMINMAX(f32v, u32v, UINT32_C(0x00400000), min, <, |)
CORE_SIMD_VFMINMAX(f32v, u32v, UINT32_C(0x00400000), max, >, &)
CORE_SIMD_VFMINMAX(f64v, u64v, UINT64_C(0x0008000000000000), min, <, |)
CORE_SIMD_VFMINMAX(f64v, u64v, UINT64_C(0x0008000000000000), max, >, &)
#undef CORE_SIMD_VFMINMAX

#define CORE_SIMD_BIN2(NAME, VT, VEXPR, N, OUT, IN, EXPR) CORE_SIMD_VBIN(NAME, VT, VEXPR)
#define CORE_SIMD_UN2(NAME, VT, VEXPR, N, OUT, IN, EXPR) CORE_SIMD_VUN(NAME, VT, VEXPR)
#define CORE_SIMD_CMP2(NAME, VT, N, OUT, IN, OP) CORE_SIMD_VBIN(NAME, VT, x OP y)
#define CORE_SIMD_SHIFT2(NAME, VT, N, L, BITS, OP) CORE_SIMD_VSHIFT(NAME, VT, BITS, OP)
#define CORE_SIMD_WIDEN2(NAME, HT, WT, OFF, N, OUT, IN, EXPR) CORE_SIMD_VWIDEN(NAME, HT, WT, OFF)
#define CORE_SIMD_WIDEN_MUL2(NAME, HT, WT, OFF, N, OUT, IN, EXPR) CORE_SIMD_VWIDEN_MUL(NAME, HT, WT, OFF)
#else
#define CORE_SIMD_BIN2(NAME, VT, VEXPR, N, OUT, IN, EXPR) CORE_SIMD_BIN(NAME, N, OUT, IN, EXPR)
#define CORE_SIMD_UN2(NAME, VT, VEXPR, N, OUT, IN, EXPR) CORE_SIMD_UN(NAME, N, OUT, IN, EXPR)
#define CORE_SIMD_CMP2(NAME, VT, N, OUT, IN, OP) CORE_SIMD_CMP(NAME, N, OUT, IN, OP)
#define CORE_SIMD_SHIFT2(NAME, VT, N, L, BITS, OP) CORE_SIMD_SHIFT(NAME, N, L, BITS, OP)
#define CORE_SIMD_WIDEN2(NAME, HT, WT, OFF, N, OUT, IN, EXPR) CORE_SIMD_UN(NAME, N, OUT, IN, EXPR)
#define CORE_SIMD_WIDEN_MUL2(NAME, HT, WT, OFF, N, OUT, IN, EXPR) CORE_SIMD_BIN(NAME, N, OUT, IN, EXPR)
#endif

/* §4.4.3.8 vrelop: integer comparisons, and IEEE float comparisons (false with a NaN
 * operand, except ne). */
CORE_SIMD_CMP2(V_I8X16_EQ, u8v, 16, u8, u8, ==)
CORE_SIMD_CMP2(V_I8X16_NE, u8v, 16, u8, u8, !=)
CORE_SIMD_CMP2(V_I8X16_LT_S, i8v, 16, u8, i8, <)
CORE_SIMD_CMP2(V_I8X16_LT_U, u8v, 16, u8, u8, <)
CORE_SIMD_CMP2(V_I8X16_GT_S, i8v, 16, u8, i8, >)
CORE_SIMD_CMP2(V_I8X16_GT_U, u8v, 16, u8, u8, >)
CORE_SIMD_CMP2(V_I8X16_LE_S, i8v, 16, u8, i8, <=)
CORE_SIMD_CMP2(V_I8X16_LE_U, u8v, 16, u8, u8, <=)
CORE_SIMD_CMP2(V_I8X16_GE_S, i8v, 16, u8, i8, >=)
CORE_SIMD_CMP2(V_I8X16_GE_U, u8v, 16, u8, u8, >=)
CORE_SIMD_CMP2(V_I16X8_EQ, u16v, 8, u16, u16, ==)
CORE_SIMD_CMP2(V_I16X8_NE, u16v, 8, u16, u16, !=)
CORE_SIMD_CMP2(V_I16X8_LT_S, i16v, 8, u16, i16, <)
CORE_SIMD_CMP2(V_I16X8_LT_U, u16v, 8, u16, u16, <)
CORE_SIMD_CMP2(V_I16X8_GT_S, i16v, 8, u16, i16, >)
CORE_SIMD_CMP2(V_I16X8_GT_U, u16v, 8, u16, u16, >)
CORE_SIMD_CMP2(V_I16X8_LE_S, i16v, 8, u16, i16, <=)
CORE_SIMD_CMP2(V_I16X8_LE_U, u16v, 8, u16, u16, <=)
CORE_SIMD_CMP2(V_I16X8_GE_S, i16v, 8, u16, i16, >=)
CORE_SIMD_CMP2(V_I16X8_GE_U, u16v, 8, u16, u16, >=)
CORE_SIMD_CMP2(V_I32X4_EQ, u32v, 4, u32, u32, ==)
CORE_SIMD_CMP2(V_I32X4_NE, u32v, 4, u32, u32, !=)
CORE_SIMD_CMP2(V_I32X4_LT_S, i32v, 4, u32, i32, <)
CORE_SIMD_CMP2(V_I32X4_LT_U, u32v, 4, u32, u32, <)
CORE_SIMD_CMP2(V_I32X4_GT_S, i32v, 4, u32, i32, >)
CORE_SIMD_CMP2(V_I32X4_GT_U, u32v, 4, u32, u32, >)
CORE_SIMD_CMP2(V_I32X4_LE_S, i32v, 4, u32, i32, <=)
CORE_SIMD_CMP2(V_I32X4_LE_U, u32v, 4, u32, u32, <=)
CORE_SIMD_CMP2(V_I32X4_GE_S, i32v, 4, u32, i32, >=)
CORE_SIMD_CMP2(V_I32X4_GE_U, u32v, 4, u32, u32, >=)
CORE_SIMD_CMP2(V_I64X2_EQ, u64v, 2, u64, u64, ==)
CORE_SIMD_CMP2(V_I64X2_NE, u64v, 2, u64, u64, !=)
CORE_SIMD_CMP2(V_I64X2_LT_S, i64v, 2, u64, i64, <)
CORE_SIMD_CMP2(V_I64X2_GT_S, i64v, 2, u64, i64, >)
CORE_SIMD_CMP2(V_I64X2_LE_S, i64v, 2, u64, i64, <=)
CORE_SIMD_CMP2(V_I64X2_GE_S, i64v, 2, u64, i64, >=)
CORE_SIMD_CMP2(V_F32X4_EQ, f32v, 4, u32, f32, ==)
CORE_SIMD_CMP2(V_F32X4_NE, f32v, 4, u32, f32, !=)
CORE_SIMD_CMP2(V_F32X4_LT, f32v, 4, u32, f32, <)
CORE_SIMD_CMP2(V_F32X4_GT, f32v, 4, u32, f32, >)
CORE_SIMD_CMP2(V_F32X4_LE, f32v, 4, u32, f32, <=)
CORE_SIMD_CMP2(V_F32X4_GE, f32v, 4, u32, f32, >=)
CORE_SIMD_CMP2(V_F64X2_EQ, f64v, 2, u64, f64, ==)
CORE_SIMD_CMP2(V_F64X2_NE, f64v, 2, u64, f64, !=)
CORE_SIMD_CMP2(V_F64X2_LT, f64v, 2, u64, f64, <)
CORE_SIMD_CMP2(V_F64X2_GT, f64v, 2, u64, f64, >)
CORE_SIMD_CMP2(V_F64X2_LE, f64v, 2, u64, f64, <=)
CORE_SIMD_CMP2(V_F64X2_GE, f64v, 2, u64, f64, >=)

/* ------------------------------------------------------------------ bitwise (§4.4.3.1-4) */

CORE_SIMD_UN2(V_V128_NOT, u64v, ~x, 2, u64, u64, ~x)
CORE_SIMD_BIN2(V_V128_AND, u64v, x & y, 2, u64, u64, x & y)
CORE_SIMD_BIN2(V_V128_ANDNOT, u64v, x & ~y, 2, u64, u64, x & ~y)
CORE_SIMD_BIN2(V_V128_OR, u64v, x | y, 2, u64, u64, x | y)
CORE_SIMD_BIN2(V_V128_XOR, u64v, x ^ y, 2, u64, u64, x ^ y)
/* bitselect: bits of a where c is 1, bits of b where c is 0. */
static inline core_v128_t simd_V_V128_BITSELECT(core_v128_t a, core_v128_t b, core_v128_t c) {
  core_v128_t r;
  for (int i = 0; i < 2; i++) r.u64[i] = (a.u64[i] & c.u64[i]) | (b.u64[i] & ~c.u64[i]);
  return r;
}
static inline int32_t simd_V_V128_ANY_TRUE(core_v128_t a) { return (a.u64[0] | a.u64[1]) != 0; }

/* ------------------------------------------------------------------ tests and bitmasks */

/* all_true: every lane nonzero.  The 8- and 16-bit forms test each 64-bit half for a
 * zero lane with the exact "has a zero lane" bit trick: (v - 0x..0101) & ~v & 0x..8080 is
 * nonzero iff some lane of v is zero. */
static inline int32_t simd_V_I8X16_ALL_TRUE(core_v128_t a) {
  const uint64_t lo = UINT64_C(0x0101010101010101), hi = UINT64_C(0x8080808080808080);
  uint64_t z = ((a.u64[0] - lo) & ~a.u64[0] & hi) | ((a.u64[1] - lo) & ~a.u64[1] & hi);
  return z == 0;
}
static inline int32_t simd_V_I16X8_ALL_TRUE(core_v128_t a) {
  const uint64_t lo = UINT64_C(0x0001000100010001), hi = UINT64_C(0x8000800080008000);
  uint64_t z = ((a.u64[0] - lo) & ~a.u64[0] & hi) | ((a.u64[1] - lo) & ~a.u64[1] & hi);
  return z == 0;
}
static inline int32_t simd_V_I32X4_ALL_TRUE(core_v128_t a) {
  return (a.u32[0] != 0) & (a.u32[1] != 0) & (a.u32[2] != 0) & (a.u32[3] != 0);
}
static inline int32_t simd_V_I64X2_ALL_TRUE(core_v128_t a) { return (a.u64[0] != 0) & (a.u64[1] != 0); }

/* bitmask: bit i of the result is the top bit of lane i.  For 8- and 16-bit lanes the top
 * bits of each 64-bit half are isolated at the bottom of their lanes and gathered by one
 * multiplication (the partial products land on distinct bits, so nothing carries). */
static inline uint32_t core_simd_bitmask8x8(uint64_t h) {
  return (uint32_t)((((h >> 7) & UINT64_C(0x0101010101010101)) * UINT64_C(0x0102040810204080)) >> 56);
}
static inline uint32_t core_simd_bitmask16x4(uint64_t h) {
  return (uint32_t)((((h >> 15) & UINT64_C(0x0001000100010001)) * UINT64_C(0x0000200040008001)) >> 45) & 0xfu;
}
static inline int32_t simd_V_I8X16_BITMASK(core_v128_t a) {
  return (int32_t)(core_simd_bitmask8x8(a.u64[0]) | core_simd_bitmask8x8(a.u64[1]) << 8);
}
static inline int32_t simd_V_I16X8_BITMASK(core_v128_t a) {
  return (int32_t)(core_simd_bitmask16x4(a.u64[0]) | core_simd_bitmask16x4(a.u64[1]) << 4);
}
static inline int32_t simd_V_I32X4_BITMASK(core_v128_t a) {
  return (int32_t)((a.u32[0] >> 31) | (a.u32[1] >> 31) << 1 | (a.u32[2] >> 31) << 2 | (a.u32[3] >> 31) << 3);
}
static inline int32_t simd_V_I64X2_BITMASK(core_v128_t a) {
  return (int32_t)((a.u64[0] >> 63) | (a.u64[1] >> 63) << 1);
}

/* ------------------------------------------------------------------ shifts: count mod width */

CORE_SIMD_SHIFT2(V_I8X16_SHL, u8v, 16, u8, 8, <<)
CORE_SIMD_SHIFT2(V_I8X16_SHR_S, i8v, 16, i8, 8, >>)
CORE_SIMD_SHIFT2(V_I8X16_SHR_U, u8v, 16, u8, 8, >>)
CORE_SIMD_SHIFT2(V_I16X8_SHL, u16v, 8, u16, 16, <<)
CORE_SIMD_SHIFT2(V_I16X8_SHR_S, i16v, 8, i16, 16, >>)
CORE_SIMD_SHIFT2(V_I16X8_SHR_U, u16v, 8, u16, 16, >>)
CORE_SIMD_SHIFT2(V_I32X4_SHL, u32v, 4, u32, 32, <<)
CORE_SIMD_SHIFT2(V_I32X4_SHR_S, i32v, 4, i32, 32, >>)
CORE_SIMD_SHIFT2(V_I32X4_SHR_U, u32v, 4, u32, 32, >>)
CORE_SIMD_SHIFT2(V_I64X2_SHL, u64v, 2, u64, 64, <<)
CORE_SIMD_SHIFT2(V_I64X2_SHR_S, i64v, 2, i64, 64, >>)
CORE_SIMD_SHIFT2(V_I64X2_SHR_U, u64v, 2, u64, 64, >>)

/* ------------------------------------------------------------------ integer arithmetic
 * Wrapping operations work on the unsigned lanes; u16 products go through uint32_t so the
 * promotion to int cannot overflow. */

CORE_SIMD_BIN2(V_I8X16_ADD, u8v, x + y, 16, u8, u8, (uint8_t)(x + y))
CORE_SIMD_BIN2(V_I8X16_SUB, u8v, x - y, 16, u8, u8, (uint8_t)(x - y))
CORE_SIMD_BIN2(V_I16X8_ADD, u16v, x + y, 8, u16, u16, (uint16_t)(x + y))
CORE_SIMD_BIN2(V_I16X8_SUB, u16v, x - y, 8, u16, u16, (uint16_t)(x - y))
CORE_SIMD_BIN2(V_I16X8_MUL, u16v, x * y, 8, u16, u16, (uint16_t)((uint32_t)x * y))
CORE_SIMD_BIN2(V_I32X4_ADD, u32v, x + y, 4, u32, u32, x + y)
CORE_SIMD_BIN2(V_I32X4_SUB, u32v, x - y, 4, u32, u32, x - y)
CORE_SIMD_BIN2(V_I32X4_MUL, u32v, x * y, 4, u32, u32, (uint32_t)((uint64_t)x * y))
CORE_SIMD_BIN2(V_I64X2_ADD, u64v, x + y, 2, u64, u64, x + y)
CORE_SIMD_BIN2(V_I64X2_SUB, u64v, x - y, 2, u64, u64, x - y)
CORE_SIMD_BIN2(V_I64X2_MUL, u64v, x * y, 2, u64, u64, x * y)

CORE_SIMD_UN2(V_I8X16_NEG, u8v, 0 - x, 16, u8, u8, (uint8_t)(0u - x))
CORE_SIMD_UN2(V_I16X8_NEG, u16v, 0 - x, 8, u16, u16, (uint16_t)(0u - x))
CORE_SIMD_UN2(V_I32X4_NEG, u32v, 0 - x, 4, u32, u32, 0u - x)
CORE_SIMD_UN2(V_I64X2_NEG, u64v, 0 - x, 2, u64, u64, UINT64_C(0) - x)
/* abs of the most negative value is itself (wraps).  Vector form: (x ^ m) - m with m the
 * sign spread over the lane. */
CORE_SIMD_UN2(V_I8X16_ABS, i8v, ((core_simd_u8v)x ^ (core_simd_u8v)(x >> 7)) - (core_simd_u8v)(x >> 7),
              16, u8, i8, (uint8_t)(x < 0 ? 0u - (uint8_t)x : (uint8_t)x))
CORE_SIMD_UN2(V_I16X8_ABS, i16v, ((core_simd_u16v)x ^ (core_simd_u16v)(x >> 15)) - (core_simd_u16v)(x >> 15),
              8, u16, i16, (uint16_t)(x < 0 ? 0u - (uint16_t)x : (uint16_t)x))
CORE_SIMD_UN2(V_I32X4_ABS, i32v, ((core_simd_u32v)x ^ (core_simd_u32v)(x >> 31)) - (core_simd_u32v)(x >> 31),
              4, u32, i32, x < 0 ? 0u - (uint32_t)x : (uint32_t)x)
CORE_SIMD_UN2(V_I64X2_ABS, i64v, ((core_simd_u64v)x ^ (core_simd_u64v)(x >> 63)) - (core_simd_u64v)(x >> 63),
              2, u64, i64, x < 0 ? UINT64_C(0) - (uint64_t)x : (uint64_t)x)

CORE_SIMD_BIN2(V_I8X16_ADD_SAT_S, i8v, core_simd_vadd_sat_i8v(x, y), 16, i8, i8, core_simd_sat_s8((int32_t)x + y))
CORE_SIMD_BIN2(V_I8X16_ADD_SAT_U, u8v, (x + y) | (core_simd_u8v)((core_simd_u8v)(x + y) < x),
               16, u8, u8, core_simd_sat_u8((int32_t)x + y))
CORE_SIMD_BIN2(V_I8X16_SUB_SAT_S, i8v, core_simd_vsub_sat_i8v(x, y), 16, i8, i8, core_simd_sat_s8((int32_t)x - y))
CORE_SIMD_BIN2(V_I8X16_SUB_SAT_U, u8v, (x - y) & (core_simd_u8v)(x >= y),
               16, u8, u8, core_simd_sat_u8((int32_t)x - y))
CORE_SIMD_BIN2(V_I16X8_ADD_SAT_S, i16v, core_simd_vadd_sat_i16v(x, y), 8, i16, i16, core_simd_sat_s16((int32_t)x + y))
CORE_SIMD_BIN2(V_I16X8_ADD_SAT_U, u16v, (x + y) | (core_simd_u16v)((core_simd_u16v)(x + y) < x),
               8, u16, u16, core_simd_sat_u16((int32_t)x + y))
CORE_SIMD_BIN2(V_I16X8_SUB_SAT_S, i16v, core_simd_vsub_sat_i16v(x, y), 8, i16, i16, core_simd_sat_s16((int32_t)x - y))
CORE_SIMD_BIN2(V_I16X8_SUB_SAT_U, u16v, (x - y) & (core_simd_u16v)(x >= y),
               8, u16, u16, core_simd_sat_u16((int32_t)x - y))

CORE_SIMD_BIN2(V_I8X16_MIN_S, i8v, CORE_SIMD_VSEL(x < y, x, y), 16, i8, i8, x < y ? x : y)
CORE_SIMD_BIN2(V_I8X16_MIN_U, u8v, CORE_SIMD_VSEL(x < y, x, y), 16, u8, u8, x < y ? x : y)
CORE_SIMD_BIN2(V_I8X16_MAX_S, i8v, CORE_SIMD_VSEL(x > y, x, y), 16, i8, i8, x > y ? x : y)
CORE_SIMD_BIN2(V_I8X16_MAX_U, u8v, CORE_SIMD_VSEL(x > y, x, y), 16, u8, u8, x > y ? x : y)
CORE_SIMD_BIN2(V_I16X8_MIN_S, i16v, CORE_SIMD_VSEL(x < y, x, y), 8, i16, i16, x < y ? x : y)
CORE_SIMD_BIN2(V_I16X8_MIN_U, u16v, CORE_SIMD_VSEL(x < y, x, y), 8, u16, u16, x < y ? x : y)
CORE_SIMD_BIN2(V_I16X8_MAX_S, i16v, CORE_SIMD_VSEL(x > y, x, y), 8, i16, i16, x > y ? x : y)
CORE_SIMD_BIN2(V_I16X8_MAX_U, u16v, CORE_SIMD_VSEL(x > y, x, y), 8, u16, u16, x > y ? x : y)
CORE_SIMD_BIN2(V_I32X4_MIN_S, i32v, CORE_SIMD_VSEL(x < y, x, y), 4, i32, i32, x < y ? x : y)
CORE_SIMD_BIN2(V_I32X4_MIN_U, u32v, CORE_SIMD_VSEL(x < y, x, y), 4, u32, u32, x < y ? x : y)
CORE_SIMD_BIN2(V_I32X4_MAX_S, i32v, CORE_SIMD_VSEL(x > y, x, y), 4, i32, i32, x > y ? x : y)
CORE_SIMD_BIN2(V_I32X4_MAX_U, u32v, CORE_SIMD_VSEL(x > y, x, y), 4, u32, u32, x > y ? x : y)

/* avgr_u: (x + y + 1) / 2 without intermediate overflow; (x | y) - ((x ^ y) >> 1) is the
 * same quantity in the lane width. */
CORE_SIMD_BIN2(V_I8X16_AVGR_U, u8v, (x | y) - ((x ^ y) >> 1), 16, u8, u8, (uint8_t)(((uint32_t)x + y + 1u) >> 1))
CORE_SIMD_BIN2(V_I16X8_AVGR_U, u16v, (x | y) - ((x ^ y) >> 1), 8, u16, u16, (uint16_t)(((uint32_t)x + y + 1u) >> 1))

/* popcnt per byte (the classic bit-slice sum). */
static inline uint8_t core_simd_popcnt8(uint8_t v) {
  unsigned x = v - ((v >> 1) & 0x55u);
  x = (x & 0x33u) + ((x >> 2) & 0x33u);
  return (uint8_t)((x + (x >> 4)) & 0x0fu);
}
#if CORE_SIMD_VEC
static inline core_simd_u8v core_simd_vpopcnt(core_simd_u8v v) {
  v = v - ((v >> 1) & 0x55);
  v = (v & 0x33) + ((v >> 2) & 0x33);
  return (v + (v >> 4)) & 0x0f;
}
#endif
CORE_SIMD_UN2(V_I8X16_POPCNT, u8v, core_simd_vpopcnt(x), 16, u8, u8, core_simd_popcnt8(x))

/* narrow: lanes of a then lanes of b, saturated from the signed wider lane. */
#if CORE_SIMD_VEC
/* Clamp the wide lanes, then truncate them into a half vector each. */
#define CORE_SIMD_VNARROW(NAME, WT, HT, LO, HI)                                \
  static inline core_v128_t simd_##NAME(core_v128_t a, core_v128_t b) {        \
    core_simd_##WT x[2];                                                       \
    memcpy(&x[0], &a, 16);                                                     \
    memcpy(&x[1], &b, 16);                                                     \
    core_v128_t r;                                                             \
    for (int k = 0; k < 2; k++) {                                              \
      core_simd_##WT lt = x[k] < (LO), gt = x[k] > (HI);                       \
      core_simd_##WT v = (x[k] & ~(lt | gt)) | (lt & (LO)) | (gt & (HI));      \
      core_simd_##HT h = __builtin_convertvector(v, core_simd_##HT);           \
      memcpy(r.u8 + 8 * k, &h, 8);                                             \
    }                                                                          \
    return r;                                                                  \
  }
CORE_SIMD_VNARROW(V_I8X16_NARROW_I16X8_S, i16v, i8h, -128, 127)
CORE_SIMD_VNARROW(V_I8X16_NARROW_I16X8_U, i16v, u8h, 0, 255)
CORE_SIMD_VNARROW(V_I16X8_NARROW_I32X4_S, i32v, i16h, -32768, 32767)
CORE_SIMD_VNARROW(V_I16X8_NARROW_I32X4_U, i32v, u16h, 0, 65535)
#undef CORE_SIMD_VNARROW
#else
static inline core_v128_t simd_V_I8X16_NARROW_I16X8_S(core_v128_t a, core_v128_t b) {
  core_v128_t r;
  for (int i = 0; i < 8; i++) {
    r.i8[i] = core_simd_sat_s8(a.i16[i]);
    r.i8[i + 8] = core_simd_sat_s8(b.i16[i]);
  }
  return r;
}
static inline core_v128_t simd_V_I8X16_NARROW_I16X8_U(core_v128_t a, core_v128_t b) {
  core_v128_t r;
  for (int i = 0; i < 8; i++) {
    r.u8[i] = core_simd_sat_u8(a.i16[i]);
    r.u8[i + 8] = core_simd_sat_u8(b.i16[i]);
  }
  return r;
}
static inline core_v128_t simd_V_I16X8_NARROW_I32X4_S(core_v128_t a, core_v128_t b) {
  core_v128_t r;
  for (int i = 0; i < 4; i++) {
    r.i16[i] = core_simd_sat_s16(a.i32[i]);
    r.i16[i + 4] = core_simd_sat_s16(b.i32[i]);
  }
  return r;
}
static inline core_v128_t simd_V_I16X8_NARROW_I32X4_U(core_v128_t a, core_v128_t b) {
  core_v128_t r;
  for (int i = 0; i < 4; i++) {
    r.u16[i] = core_simd_sat_u16(a.i32[i]);
    r.u16[i + 4] = core_simd_sat_u16(b.i32[i]);
  }
  return r;
}
#endif

/* q15mulr_sat_s: (x * y + 2^14) >> 15, saturated (only -32768 * -32768 overflows, to
 * 32768).  Vector form: the even and odd i16 lanes sign-extended in place within i32
 * lanes, where the products are exact, then put back together. */
#if CORE_SIMD_VEC
static inline core_simd_i32v core_simd_vq15(core_simd_i32v x, core_simd_i32v y) {
  core_simd_i32v p = ((x * y) + 0x4000) >> 15;
  core_simd_i32v gt = p > 0x7fff;
  return (p & ~gt) | (gt & 0x7fff);
}
static inline core_v128_t simd_V_I16X8_Q15MULR_SAT_S(core_v128_t a, core_v128_t b) {
  core_simd_i32v x, y;
  memcpy(&x, &a, 16);
  memcpy(&y, &b, 16);
  core_simd_i32v xe = (core_simd_i32v)((core_simd_u32v)x << 16) >> 16, ye = (core_simd_i32v)((core_simd_u32v)y << 16) >> 16;
  core_simd_u32v lo = (core_simd_u32v)core_simd_vq15(xe, ye) & 0xffffu;
  core_simd_u32v hi = (core_simd_u32v)core_simd_vq15(x >> 16, y >> 16) << 16;
  core_simd_u32v v = lo | hi;
  core_v128_t r;
  memcpy(&r, &v, 16);
  return r;
}
#else
CORE_SIMD_BIN(V_I16X8_Q15MULR_SAT_S, 8, i16, i16, core_simd_sat_s16(((int32_t)x * y + 0x4000) >> 15))
#endif

/* extend_low / extend_high: widen the low or high half of the lanes. */
CORE_SIMD_WIDEN2(V_I16X8_EXTEND_LOW_I8X16_S, i8h, i16v, 0, 8, i16, i8, a.i8[i])
CORE_SIMD_WIDEN2(V_I16X8_EXTEND_HIGH_I8X16_S, i8h, i16v, 8, 8, i16, i8, a.i8[i + 8])
CORE_SIMD_WIDEN2(V_I16X8_EXTEND_LOW_I8X16_U, u8h, u16v, 0, 8, u16, u8, a.u8[i])
CORE_SIMD_WIDEN2(V_I16X8_EXTEND_HIGH_I8X16_U, u8h, u16v, 8, 8, u16, u8, a.u8[i + 8])
CORE_SIMD_WIDEN2(V_I32X4_EXTEND_LOW_I16X8_S, i16h, i32v, 0, 4, i32, i16, a.i16[i])
CORE_SIMD_WIDEN2(V_I32X4_EXTEND_HIGH_I16X8_S, i16h, i32v, 8, 4, i32, i16, a.i16[i + 4])
CORE_SIMD_WIDEN2(V_I32X4_EXTEND_LOW_I16X8_U, u16h, u32v, 0, 4, u32, u16, a.u16[i])
CORE_SIMD_WIDEN2(V_I32X4_EXTEND_HIGH_I16X8_U, u16h, u32v, 8, 4, u32, u16, a.u16[i + 4])
CORE_SIMD_WIDEN2(V_I64X2_EXTEND_LOW_I32X4_S, i32h, i64v, 0, 2, i64, i32, a.i32[i])
CORE_SIMD_WIDEN2(V_I64X2_EXTEND_HIGH_I32X4_S, i32h, i64v, 8, 2, i64, i32, a.i32[i + 2])
CORE_SIMD_WIDEN2(V_I64X2_EXTEND_LOW_I32X4_U, u32h, u64v, 0, 2, u64, u32, a.u32[i])
CORE_SIMD_WIDEN2(V_I64X2_EXTEND_HIGH_I32X4_U, u32h, u64v, 8, 2, u64, u32, a.u32[i + 2])

/* extadd_pairwise: sum of adjacent lanes, widened (cannot overflow).  Vector form: view
 * the input as lanes of the wider type; the even lane is the low half of each, the odd
 * lane the high half. */
CORE_SIMD_UN2(V_I16X8_EXTADD_PAIRWISE_I8X16_S, i16v, (((core_simd_i16v)((core_simd_u16v)x << 8)) >> 8) + (x >> 8),
              8, i16, i8, (int16_t)(a.i8[2 * i] + a.i8[2 * i + 1]))
CORE_SIMD_UN2(V_I16X8_EXTADD_PAIRWISE_I8X16_U, u16v, (x & 0xff) + (x >> 8),
              8, u16, u8, (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1]))
CORE_SIMD_UN2(V_I32X4_EXTADD_PAIRWISE_I16X8_S, i32v, (((core_simd_i32v)((core_simd_u32v)x << 16)) >> 16) + (x >> 16),
              4, i32, i16, (int32_t)a.i16[2 * i] + a.i16[2 * i + 1])
CORE_SIMD_UN2(V_I32X4_EXTADD_PAIRWISE_I16X8_U, u32v, (x & 0xffff) + (x >> 16),
              4, u32, u16, (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1])

/* extmul: widen the low or high halves, then multiply (exact in the wide lane). */
CORE_SIMD_WIDEN_MUL2(V_I16X8_EXTMUL_LOW_I8X16_S, i8h, i16v, 0, 8, i16, i8, (int16_t)(a.i8[i] * b.i8[i]))
CORE_SIMD_WIDEN_MUL2(V_I16X8_EXTMUL_HIGH_I8X16_S, i8h, i16v, 8, 8, i16, i8, (int16_t)(a.i8[i + 8] * b.i8[i + 8]))
CORE_SIMD_WIDEN_MUL2(V_I16X8_EXTMUL_LOW_I8X16_U, u8h, u16v, 0, 8, u16, u8, (uint16_t)(a.u8[i] * b.u8[i]))
CORE_SIMD_WIDEN_MUL2(V_I16X8_EXTMUL_HIGH_I8X16_U, u8h, u16v, 8, 8, u16, u8, (uint16_t)(a.u8[i + 8] * b.u8[i + 8]))
CORE_SIMD_WIDEN_MUL2(V_I32X4_EXTMUL_LOW_I16X8_S, i16h, i32v, 0, 4, i32, i16, (int32_t)a.i16[i] * b.i16[i])
CORE_SIMD_WIDEN_MUL2(V_I32X4_EXTMUL_HIGH_I16X8_S, i16h, i32v, 8, 4, i32, i16, (int32_t)a.i16[i + 4] * b.i16[i + 4])
CORE_SIMD_WIDEN_MUL2(V_I32X4_EXTMUL_LOW_I16X8_U, u16h, u32v, 0, 4, u32, u16, (uint32_t)a.u16[i] * b.u16[i])
CORE_SIMD_WIDEN_MUL2(V_I32X4_EXTMUL_HIGH_I16X8_U, u16h, u32v, 8, 4, u32, u16, (uint32_t)a.u16[i + 4] * b.u16[i + 4])
CORE_SIMD_WIDEN_MUL2(V_I64X2_EXTMUL_LOW_I32X4_S, i32h, i64v, 0, 2, i64, i32, (int64_t)a.i32[i] * b.i32[i])
CORE_SIMD_WIDEN_MUL2(V_I64X2_EXTMUL_HIGH_I32X4_S, i32h, i64v, 8, 2, i64, i32, (int64_t)a.i32[i + 2] * b.i32[i + 2])
CORE_SIMD_WIDEN_MUL2(V_I64X2_EXTMUL_LOW_I32X4_U, u32h, u64v, 0, 2, u64, u32, (uint64_t)a.u32[i] * b.u32[i])
CORE_SIMD_WIDEN_MUL2(V_I64X2_EXTMUL_HIGH_I32X4_U, u32h, u64v, 8, 2, u64, u32, (uint64_t)a.u32[i + 2] * b.u32[i + 2])

/* dot: pairwise products summed; the sum of two (-32768)^2 wraps to INT32_MIN.  Vector
 * form: even and odd i16 lanes sign-extended in place within i32 lanes. */
CORE_SIMD_BIN2(V_I32X4_DOT_I16X8_S, i32v,
               (core_simd_u32v)((((core_simd_i32v)((core_simd_u32v)x << 16)) >> 16) *
                                (((core_simd_i32v)((core_simd_u32v)y << 16)) >> 16)) +
                   (core_simd_u32v)((x >> 16) * (y >> 16)),
               4, u32, i16,
               (uint32_t)((int32_t)a.i16[2 * i] * b.i16[2 * i]) +
                   (uint32_t)((int32_t)a.i16[2 * i + 1] * b.i16[2 * i + 1]))

/* ------------------------------------------------------------------ float arithmetic
 * The operators are IEEE 754 with round-to-nearest-even.  A NaN operand propagates quieted
 * (arithmetic, canonical when it was canonical); an invalid operation gives the default
 * NaN, which is canonical. */

CORE_SIMD_UN2(V_F32X4_ABS, u32v, x & 0x7fffffffu, 4, u32, u32, x & UINT32_C(0x7fffffff))
CORE_SIMD_UN2(V_F32X4_NEG, u32v, x ^ 0x80000000u, 4, u32, u32, x ^ UINT32_C(0x80000000))
CORE_SIMD_UN2(V_F64X2_ABS, u64v, x & UINT64_C(0x7fffffffffffffff), 2, u64, u64, x & UINT64_C(0x7fffffffffffffff))
CORE_SIMD_UN2(V_F64X2_NEG, u64v, x ^ UINT64_C(0x8000000000000000), 2, u64, u64, x ^ UINT64_C(0x8000000000000000))
CORE_SIMD_UN(V_F32X4_SQRT, 4, f32, f32, sqrtf(x))
CORE_SIMD_UN(V_F64X2_SQRT, 2, f64, f64, sqrt(x))
CORE_SIMD_BIN2(V_F32X4_ADD, f32v, x + y, 4, f32, f32, x + y)
CORE_SIMD_BIN2(V_F32X4_SUB, f32v, x - y, 4, f32, f32, x - y)
CORE_SIMD_BIN2(V_F32X4_MUL, f32v, x * y, 4, f32, f32, x * y)
CORE_SIMD_BIN2(V_F32X4_DIV, f32v, x / y, 4, f32, f32, x / y)
CORE_SIMD_BIN2(V_F64X2_ADD, f64v, x + y, 2, f64, f64, x + y)
CORE_SIMD_BIN2(V_F64X2_SUB, f64v, x - y, 2, f64, f64, x - y)
CORE_SIMD_BIN2(V_F64X2_MUL, f64v, x * y, 2, f64, f64, x * y)
CORE_SIMD_BIN2(V_F64X2_DIV, f64v, x / y, 2, f64, f64, x / y)
CORE_SIMD_BIN2(V_F32X4_MIN, f32v, core_simd_vmin_f32v(x, y), 4, f32, f32, core_simd_f32_min(x, y))
CORE_SIMD_BIN2(V_F32X4_MAX, f32v, core_simd_vmax_f32v(x, y), 4, f32, f32, core_simd_f32_max(x, y))
CORE_SIMD_BIN2(V_F64X2_MIN, f64v, core_simd_vmin_f64v(x, y), 2, f64, f64, core_simd_f64_min(x, y))
CORE_SIMD_BIN2(V_F64X2_MAX, f64v, core_simd_vmax_f64v(x, y), 2, f64, f64, core_simd_f64_max(x, y))
/* pmin/pmax (§4.3.3 "fpmin"): y < x ? y : x and x < y ? y : x, bits copied as they are
 * (selecting on the raw bits keeps signalling NaN payloads untouched). */
CORE_SIMD_BIN2(V_F32X4_PMIN, f32v, CORE_SIMD_VSEL(y < x, (core_simd_u32v)y, (core_simd_u32v)x),
               4, u32, u32, core_simd_f32_from(y) < core_simd_f32_from(x) ? y : x)
CORE_SIMD_BIN2(V_F32X4_PMAX, f32v, CORE_SIMD_VSEL(x < y, (core_simd_u32v)y, (core_simd_u32v)x),
               4, u32, u32, core_simd_f32_from(x) < core_simd_f32_from(y) ? y : x)
CORE_SIMD_BIN2(V_F64X2_PMIN, f64v, CORE_SIMD_VSEL(y < x, (core_simd_u64v)y, (core_simd_u64v)x),
               2, u64, u64, core_simd_f64_from(y) < core_simd_f64_from(x) ? y : x)
CORE_SIMD_BIN2(V_F64X2_PMAX, f64v, CORE_SIMD_VSEL(x < y, (core_simd_u64v)y, (core_simd_u64v)x),
               2, u64, u64, core_simd_f64_from(x) < core_simd_f64_from(y) ? y : x)

/* fceil / ffloor / ftrunc / fnearest.  Vector form, without libm: for |x| < 2^23 (2^52)
 * r = (|x| + 2^23) - 2^23 is |x| rounded to nearest-even; trunc takes one off when that
 * rounded up; the sign is put back with a bit or (so -0.4 gives -0); ceil and floor then
 * step one towards x's side when trunc moved away from it (never producing a zero of the
 * wrong sign: ceil only steps up from trunc(x) >= 0, floor only down from trunc(x) <= 0).
 * Larger magnitudes and infinities are integers already and kept; NaNs are quieted. */
#if CORE_SIMD_VEC
enum { CORE_SIMD_RN, CORE_SIMD_RZ, CORE_SIMD_RP, CORE_SIMD_RM };
#define CORE_SIMD_VROUND(F, U, BIG, ONE, SIGN, QUIET)                          \
  static inline core_simd_##U core_simd_vround_##F(core_simd_##F x, int mode) { \
    core_simd_##U xu = (core_simd_##U)x, sign = xu & (SIGN);                   \
    core_simd_##F ax = (core_simd_##F)(xu & ~(SIGN));                          \
    core_simd_##U small = (core_simd_##U)(ax < (BIG));                         \
    core_simd_##F r = (ax + (BIG)) - (BIG);                                    \
    if (mode != CORE_SIMD_RN) r -= (core_simd_##F)((core_simd_##U)(r > ax) & (ONE)); \
    r = (core_simd_##F)((core_simd_##U)r | sign);                              \
    /* a select, not r + 0: -0 + 0 would be +0 */                              \
    if (mode == CORE_SIMD_RP) r = (core_simd_##F)CORE_SIMD_VSEL(r < x, (core_simd_##U)(r + 1), (core_simd_##U)r); \
    if (mode == CORE_SIMD_RM) r = (core_simd_##F)CORE_SIMD_VSEL(r > x, (core_simd_##U)(r - 1), (core_simd_##U)r); \
    core_simd_##U keep = xu | ((core_simd_##U)(x != x) & (QUIET));             \
    return CORE_SIMD_VSEL(small, (core_simd_##U)r, keep);                      \
  }
CORE_SIMD_VROUND(f32v, u32v, 8388608.0f, UINT32_C(0x3f800000), UINT32_C(0x80000000), UINT32_C(0x00400000))
CORE_SIMD_VROUND(f64v, u64v, 4503599627370496.0, UINT64_C(0x3ff0000000000000), UINT64_C(0x8000000000000000),
                 UINT64_C(0x0008000000000000))
#undef CORE_SIMD_VROUND
#endif
CORE_SIMD_UN2(V_F32X4_CEIL, f32v, core_simd_vround_f32v(x, CORE_SIMD_RP), 4, f32, f32, core_simd_f32_ceil(x))
CORE_SIMD_UN2(V_F32X4_FLOOR, f32v, core_simd_vround_f32v(x, CORE_SIMD_RM), 4, f32, f32, core_simd_f32_floor(x))
CORE_SIMD_UN2(V_F32X4_TRUNC, f32v, core_simd_vround_f32v(x, CORE_SIMD_RZ), 4, f32, f32, core_simd_f32_trunc(x))
CORE_SIMD_UN2(V_F32X4_NEAREST, f32v, core_simd_vround_f32v(x, CORE_SIMD_RN), 4, f32, f32, core_simd_f32_nearest(x))
CORE_SIMD_UN2(V_F64X2_CEIL, f64v, core_simd_vround_f64v(x, CORE_SIMD_RP), 2, f64, f64, core_simd_f64_ceil(x))
CORE_SIMD_UN2(V_F64X2_FLOOR, f64v, core_simd_vround_f64v(x, CORE_SIMD_RM), 2, f64, f64, core_simd_f64_floor(x))
CORE_SIMD_UN2(V_F64X2_TRUNC, f64v, core_simd_vround_f64v(x, CORE_SIMD_RZ), 2, f64, f64, core_simd_f64_trunc(x))
CORE_SIMD_UN2(V_F64X2_NEAREST, f64v, core_simd_vround_f64v(x, CORE_SIMD_RN), 2, f64, f64, core_simd_f64_nearest(x))

/* ------------------------------------------------------------------ conversions */

static inline core_v128_t simd_V_F32X4_DEMOTE_F64X2_ZERO(core_v128_t a) {
  core_v128_t r;
  r.f32[0] = core_simd_demote(a.f64[0]);
  r.f32[1] = core_simd_demote(a.f64[1]);
  r.u32[2] = r.u32[3] = 0;
  return r;
}
static inline core_v128_t simd_V_F64X2_PROMOTE_LOW_F32X4(core_v128_t a) {
  core_v128_t r;
  r.f64[0] = core_simd_promote(a.f32[0]);
  r.f64[1] = core_simd_promote(a.f32[1]);
  return r;
}
CORE_SIMD_UN(V_I32X4_TRUNC_SAT_F32X4_S, 4, i32, f32, core_simd_trunc_sat_s32(x))
CORE_SIMD_UN(V_I32X4_TRUNC_SAT_F32X4_U, 4, u32, f32, core_simd_trunc_sat_u32(x))
static inline core_v128_t simd_V_I32X4_TRUNC_SAT_F64X2_S_ZERO(core_v128_t a) {
  core_v128_t r;
  r.i32[0] = core_simd_trunc_sat_s32(a.f64[0]);
  r.i32[1] = core_simd_trunc_sat_s32(a.f64[1]);
  r.u32[2] = r.u32[3] = 0;
  return r;
}
static inline core_v128_t simd_V_I32X4_TRUNC_SAT_F64X2_U_ZERO(core_v128_t a) {
  core_v128_t r;
  r.u32[0] = core_simd_trunc_sat_u32(a.f64[0]);
  r.u32[1] = core_simd_trunc_sat_u32(a.f64[1]);
  r.u32[2] = r.u32[3] = 0;
  return r;
}
/* int -> float conversions round to nearest-even (one rounding; u32 -> f32 is exact in
 * the compilers' 64-bit intermediate). */
CORE_SIMD_UN2(V_F32X4_CONVERT_I32X4_S, i32v, __builtin_convertvector(x, core_simd_f32v), 4, f32, i32, (float)x)
CORE_SIMD_UN(V_F32X4_CONVERT_I32X4_U, 4, f32, u32, (float)x)
CORE_SIMD_UN(V_F64X2_CONVERT_LOW_I32X4_S, 2, f64, i32, (double)x)
CORE_SIMD_UN(V_F64X2_CONVERT_LOW_I32X4_U, 2, f64, u32, (double)x)

#undef CORE_SIMD_BIN
#undef CORE_SIMD_UN
#undef CORE_SIMD_CMP
#undef CORE_SIMD_SHIFT
#undef CORE_SIMD_ALL_TRUE
#undef CORE_SIMD_BITMASK
#undef CORE_SIMD_BIN2
#undef CORE_SIMD_UN2
#undef CORE_SIMD_CMP2
#undef CORE_SIMD_SHIFT2
#undef CORE_SIMD_WIDEN2
#undef CORE_SIMD_WIDEN_MUL2
#undef CORE_SIMD_VBIN
#undef CORE_SIMD_VUN
#undef CORE_SIMD_VWIDEN
#undef CORE_SIMD_VWIDEN_MUL
#undef CORE_SIMD_VSHIFT

#endif /* WELD_CORE_SIMD_H */
