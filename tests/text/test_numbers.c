/* test_numbers.c — unit tests for the text format's numeric literals (text/numbers.c,
 * core spec §6.3.1-§6.3.2): integer bounds and signs, '_' placement, exact rounding of
 * decimal and hex floats (ties to even, subnormals, overflow), inf and NaN payloads.
 * A randomized part compares decimal and hex conversions with the C library's strtod and
 * strtof, which are correctly rounded in glibc (test-only; the library uses neither). */
#include "text/numbers.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what, const char *lit) {
  if (ok) passed++;
  else {
    failed++;
    printf("FAIL %s: %s\n", what, lit);
  }
}

static void i32_ok(const char *s, uint32_t want) {
  uint32_t v = 0;
  int r = text_parse_i32(s, strlen(s), &v);
  check(r == 0 && v == want, "i32", s);
}
static void i32_bad(const char *s) {
  uint32_t v;
  check(text_parse_i32(s, strlen(s), &v) != 0, "i32 reject", s);
}
static void i64_ok(const char *s, uint64_t want) {
  uint64_t v = 0;
  int r = text_parse_i64(s, strlen(s), &v);
  check(r == 0 && v == want, "i64", s);
}
static void i64_bad(const char *s) {
  uint64_t v;
  check(text_parse_i64(s, strlen(s), &v) != 0, "i64 reject", s);
}
static void f32_ok(const char *s, uint32_t want) {
  uint32_t v = 0;
  int r = text_parse_f32(s, strlen(s), &v);
  if (r != 0 || v != want) printf("  got r=%d 0x%08x want 0x%08x\n", r, v, want);
  check(r == 0 && v == want, "f32", s);
}
static void f32_bad(const char *s) {
  uint32_t v;
  check(text_parse_f32(s, strlen(s), &v) != 0, "f32 reject", s);
}
static void f64_ok(const char *s, uint64_t want) {
  uint64_t v = 0;
  int r = text_parse_f64(s, strlen(s), &v);
  if (r != 0 || v != want) printf("  got r=%d 0x%016" PRIx64 " want 0x%016" PRIx64 "\n", r, v, want);
  check(r == 0 && v == want, "f64", s);
}
static void f64_bad(const char *s) {
  uint64_t v;
  check(text_parse_f64(s, strlen(s), &v) != 0, "f64 reject", s);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int rfailed;
static void rcheck(int ok, const char *what, const char *lit) {
  if (!ok && rfailed++ < 10) printf("FAIL %s: %s\n", what, lit);
}

static void random_compare(void) {
  char buf[128];
  for (int iter = 0; iter < 20000; iter++) {
    /* decimal: random digits, random exponent */
    int nd = 1 + (int)(rnd() % 40), k = 0;
    for (int i = 0; i < nd; i++) {
      buf[k++] = (char)('0' + rnd() % 10);
      if (i == 0 && nd > 1 && rnd() % 2) buf[k++] = '.';
    }
    int ex = (int)(rnd() % 700) - 350;
    k += snprintf(buf + k, sizeof buf - (size_t)k, "e%d", ex);
    double d = strtod(buf, NULL);
    uint64_t want;
    memcpy(&want, &d, 8);
    uint64_t got;
    int r = text_parse_f64(buf, strlen(buf), &got);
    if (isinf(d)) rcheck(r != 0, "f64 random overflow", buf);
    else rcheck(r == 0 && got == want, "f64 random", buf);
    float f = strtof(buf, NULL);
    uint32_t wantf, gotf;
    memcpy(&wantf, &f, 4);
    r = text_parse_f32(buf, strlen(buf), &gotf);
    if (isinf(f)) rcheck(r != 0, "f32 random overflow", buf);
    else rcheck(r == 0 && gotf == wantf, "f32 random", buf);
    /* hex: random mantissa, random binary exponent */
    k = snprintf(buf, sizeof buf, "0x%" PRIx64 ".%" PRIx64 "p%d", rnd() >> (rnd() % 64), rnd(),
                 (int)(rnd() % 2300) - 1200);
    d = strtod(buf, NULL);
    memcpy(&want, &d, 8);
    r = text_parse_f64(buf, strlen(buf), &got);
    if (isinf(d)) rcheck(r != 0, "f64 hex random overflow", buf);
    else rcheck(r == 0 && got == want, "f64 hex random", buf);
    f = strtof(buf, NULL);
    memcpy(&wantf, &f, 4);
    r = text_parse_f32(buf, strlen(buf), &gotf);
    if (isinf(f)) rcheck(r != 0, "f32 hex random overflow", buf);
    else rcheck(r == 0 && gotf == wantf, "f32 hex random", buf);
  }
}

int main(void) {
  /* integers */
  i32_ok("0", 0);
  i32_ok("4294967295", 0xffffffff);
  i32_ok("0xffffffff", 0xffffffff);
  i32_ok("-2147483648", 0x80000000);
  i32_ok("-0x80000000", 0x80000000);
  i32_ok("+2147483647", 0x7fffffff);
  i32_ok("-1", 0xffffffff);
  i32_ok("-0", 0);
  i32_ok("1_000_000", 1000000);
  i32_ok("0xdead_BEEF", 0xdeadbeef);
  i32_bad("4294967296");
  i32_bad("0x100000000");
  i32_bad("-2147483649");
  i32_bad("+2147483648");
  i32_bad("");
  i32_bad("+");
  i32_bad("0x");
  i32_bad("_1");
  i32_bad("1_");
  i32_bad("1__0");
  i32_bad("0_x1");
  i32_bad("0x_1");
  i32_bad("+_1");
  i32_bad("1a");
  i32_bad("0X1");
  i32_bad("1.0");
  i64_ok("18446744073709551615", UINT64_MAX);
  i64_ok("-9223372036854775808", 0x8000000000000000ull);
  i64_ok("0x7fff_ffff_ffff_ffff", 0x7fffffffffffffffull);
  i64_bad("18446744073709551616");
  i64_bad("-9223372036854775809");
  i64_bad("0x1_0000_0000_0000_0000");
  {
    uint32_t u;
    check(text_parse_u32("-1", 2, &u) != 0, "u32 reject", "-1");
    check(text_parse_u32("+1", 2, &u) != 0, "u32 reject", "+1");
    check(text_parse_u32("0x10", 4, &u) == 0 && u == 16, "u32", "0x10");
    uint8_t b;
    check(text_parse_i8("-128", 4, &b) == 0 && b == 0x80, "i8", "-128");
    check(text_parse_i8("255", 3, &b) == 0 && b == 0xff, "i8", "255");
    check(text_parse_i8("256", 3, &b) != 0, "i8 reject", "256");
    check(text_parse_i8("-129", 4, &b) != 0, "i8 reject", "-129");
    uint16_t h;
    check(text_parse_i16("65535", 5, &h) == 0 && h == 0xffff, "i16", "65535");
    check(text_parse_i16("-32768", 6, &h) == 0 && h == 0x8000, "i16", "-32768");
    check(text_parse_i16("65536", 5, &h) != 0, "i16 reject", "65536");
  }

  /* f32 */
  f32_ok("0", 0);
  f32_ok("-0", 0x80000000);
  f32_ok("1", 0x3f800000);
  f32_ok("1.", 0x3f800000);
  f32_ok("1.e0", 0x3f800000);
  f32_ok("0.1", 0x3dcccccd);
  f32_ok("1_0.0_0e0_1", 0x42c80000); /* 100 */
  f32_ok("0x1p-149", 1);
  f32_ok("0x1p-150", 0);             /* tie -> even (0) */
  f32_ok("0x1.000002p-150", 1);      /* just above the tie */
  f32_ok("0x1.8p-149", 2);           /* 1.5 ulp: tie -> even (2) */
  f32_ok("0x1.fffffep127", 0x7f7fffff);
  f32_ok("0x1.fffffefffp127", 0x7f7fffff);
  f32_bad("0x1.ffffffp127");         /* tie rounds to 2^128: overflow */
  f32_bad("0x1p128");
  f32_ok("3.4028234e38", 0x7f7fffff);
  f32_ok("3.40282356779733661637539395458142568447e38", 0x7f7fffff);
  f32_bad("3.40282356779733661637539395458142568448e38");
  f32_bad("1e39");
  f32_ok("1e-50", 0);
  f32_ok("1.401298464324817e-45", 1);
  f32_ok("0x1.00000100000000000000001p0", 0x3f800001); /* sticky beyond 64 bits */
  f32_ok("0x1.000001p0", 0x3f800000);                   /* exact tie -> even */
  f32_ok("0x1.000003p0", 0x3f800002);                   /* tie -> even (up) */
  f32_bad("0x.8p1"); /* the mantissa needs a digit before the point */
  f32_ok("inf", 0x7f800000);
  f32_ok("-inf", 0xff800000);
  f32_ok("+inf", 0x7f800000);
  f32_ok("nan", 0x7fc00000);
  f32_ok("-nan", 0xffc00000);
  f32_ok("nan:0x1", 0x7f800001);
  f32_ok("-nan:0x7fffff", 0xffffffff);
  f32_ok("nan:0x20_0000", 0x7fa00000);
  f32_bad("nan:0x0");
  f32_bad("nan:0x800000");
  f32_bad("nan:1");
  f32_bad("nan:0x");
  f32_bad("infinity");
  f32_bad("NaN");
  f32_bad("1e");
  f32_bad("1e+");
  f32_bad(".5");
  f32_bad("1.0_");
  f32_bad("1._0");
  f32_bad("1e_1");
  f32_bad("0x1p");
  f32_bad("0x1e+1"); /* hex exponent is p */
  f32_ok("0x1e", 0x41f00000); /* 30 */
  /* many digits */
  f32_ok("0.000000000000000000000000000000000000000000001401298464324817070923729583289916131280261941876515771757068283889791082685860601486638188362121582031250000000000000000001",
         1);
  f32_ok("7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625e-46", 0); /* exact tie */
  f32_ok("7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015626e-46", 1);
  f32_ok("7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001e-46", 1); /* sticky digit after 800 */
  f32_ok("7.00649232162408535461864791644958065640130970938257885878534141944895541342930300743319094181060791015625000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000e-46", 0);
  /* f64 */
  f64_ok("0x1p-1074", 1);
  f64_ok("0x1p-1075", 0);
  f64_ok("0x1.0000000000001p-1075", 1);
  f64_ok("0x1.fffffffffffffp1023", 0x7fefffffffffffffull);
  f64_bad("0x1.fffffffffffff8p1023");
  f64_ok("0x1.fffffffffffff7ffffffffffp1023", 0x7fefffffffffffffull);
  f64_ok("1.7976931348623157e308", 0x7fefffffffffffffull);
  f64_bad("1.7976931348623159e308");
  f64_bad("1e309");
  f64_ok("2.4703282292062327e-324", 0);
  f64_ok("2.4703282292062328e-324", 1);
  f64_ok("4.9406564584124654e-324", 1);
  f64_ok("2.2250738585072014e-308", 0x0010000000000000ull);
  f64_ok("0.1", 0x3fb999999999999aull);
  f64_ok("1e23", 0x44b52d02c7e14af6ull);
  f64_ok("9007199254740993", 0x4340000000000000ull); /* 2^53+1: tie -> even */
  f64_ok("9007199254740993.0000000000000000000000000000000000000001", 0x4340000000000001ull);
  f64_ok("1e-400", 0);
  f64_ok("0e999999999999", 0);
  f64_ok("-0.0", 0x8000000000000000ull);
  f64_ok("nan", 0x7ff8000000000000ull);
  f64_ok("nan:0xfffffffffffff", 0x7fffffffffffffffull);
  f64_bad("nan:0x10000000000000");
  f64_ok("0x0.0000000000001p-1022", 1);
  f64_bad("1e999999999999999999999");
  f64_ok("1e-999999999999999999999", 0);

  random_compare();
  check(rfailed == 0, "20000 random decimal and hex literals agree with strtod/strtof", "");
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
