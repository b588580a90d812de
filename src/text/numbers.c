/* numbers.c — numeric literals of the WebAssembly text format (core spec §6.3.1 "Integers"
 * and §6.3.2 "Floating-Point", document/core/text/values.rst).
 *
 * Integers: decimal or 0x-hex digits with single '_' between digits, optional sign.
 * Floats: decimal and hex mantissas with optional fraction and exponent, inf, nan and
 * nan:0x<payload>.  Both decimal and hex floats are converted exactly: the literal is read
 * into a big integer and rounded once, to nearest with ties to even (no strtod, so the
 * result does not depend on the C library or the locale).  A literal that rounds to
 * infinity is out of range and rejected, as the spec requires. */
#include "text/numbers.h"
#include <stdbool.h>
#include <string.h>

/* ---- digit sequences ---------------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Length of a digit run "d ('_'? d)*" at s[0..n) in the given base (10 or 16), or 0 if
 * there is none.  Stops before a character that cannot continue it; a trailing or doubled
 * '_' makes the run invalid (returns 0 via *bad). */
static size_t digit_run(const char *s, size_t n, int base, bool *bad) {
  size_t i = 0;
  while (i < n) {
    int v = hexval(s[i]);
    if (v < 0 || v >= base) {
      if (s[i] == '_' && i > 0 && i + 1 < n) {
        int w = hexval(s[i + 1]);
        if (w >= 0 && w < base) {
          i++;
          continue;
        }
      }
      if (s[i] == '_') *bad = true;
      break;
    }
    i++;
  }
  return i;
}

/* Parses an unsigned magnitude: num | 0x hexnum.  Returns -1 if malformed or > max. */
static int parse_mag(const char *s, size_t n, uint64_t max, uint64_t *out) {
  int base = 10;
  if (n >= 2 && s[0] == '0' && s[1] == 'x') {
    base = 16;
    s += 2;
    n -= 2;
  }
  bool bad = false;
  if (n == 0 || digit_run(s, n, base, &bad) != n || bad) return -1;
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '_') continue;
    uint64_t d = (uint64_t)hexval(s[i]);
    if (v > (max - d) / (uint64_t)base) return -1;
    v = v * (uint64_t)base + d;
  }
  *out = v;
  return 0;
}

/* iN: an unsigned literal up to 2^bits-1, or a signed one in [-2^(bits-1), 2^(bits-1)). */
static int parse_int(const char *s, size_t n, unsigned bits, uint64_t *out) {
  uint64_t umax = bits == 64 ? UINT64_MAX : ((uint64_t)1 << bits) - 1;
  uint64_t smax = (uint64_t)1 << (bits - 1); /* magnitude bound for '-' */
  uint64_t v;
  if (n > 0 && (s[0] == '+' || s[0] == '-')) {
    bool neg = s[0] == '-';
    if (parse_mag(s + 1, n - 1, neg ? smax : smax - 1, &v)) return -1;
    if (neg) v = (uint64_t)0 - v;
    *out = v & umax;
    return 0;
  }
  if (parse_mag(s, n, umax, &v)) return -1;
  *out = v;
  return 0;
}

int text_parse_u32(const char *s, size_t n, uint32_t *out) {
  uint64_t v;
  if (parse_mag(s, n, UINT32_MAX, &v)) return -1;
  *out = (uint32_t)v;
  return 0;
}
int text_parse_u64(const char *s, size_t n, uint64_t *out) { return parse_mag(s, n, UINT64_MAX, out); }

int text_parse_i32(const char *s, size_t n, uint32_t *out) {
  uint64_t v;
  if (parse_int(s, n, 32, &v)) return -1;
  *out = (uint32_t)v;
  return 0;
}
int text_parse_i64(const char *s, size_t n, uint64_t *out) { return parse_int(s, n, 64, out); }
int text_parse_i8(const char *s, size_t n, uint8_t *out) {
  uint64_t v;
  if (parse_int(s, n, 8, &v)) return -1;
  *out = (uint8_t)v;
  return 0;
}
int text_parse_i16(const char *s, size_t n, uint16_t *out) {
  uint64_t v;
  if (parse_int(s, n, 16, &v)) return -1;
  *out = (uint16_t)v;
  return 0;
}

/* ---- rounding ------------------------------------------------------------------------ */

typedef struct fmt {
  int p;        /* significand bits including the implicit one: 24 or 53 */
  int emin;     /* exponent of the smallest normal: -126 or -1022 */
  int emax;     /* largest exponent: 127 or 1023 */
  int bias;
} fmt_t;

static const fmt_t F32 = {24, -126, 127, 127};
static const fmt_t F64 = {53, -1022, 1023, 1023};

/* Rounds m * 2^e (+ a little more if sticky) to the format, to nearest, ties to even.
 * Returns the bit pattern without sign, or -1 if the result is infinite. */
static int round_to(const fmt_t *f, uint64_t m, int64_t e, bool sticky, uint64_t *bits) {
  if (m == 0) {
    *bits = 0;
    return 0;
  }
  while (!(m >> 63)) {
    m <<= 1;
    e--;
  }
  int64_t E = e + 63; /* value in [2^E, 2^(E+1)) */
  int64_t drop = 64 - f->p;
  bool subnormal = E < f->emin;
  if (subnormal) drop += f->emin - E;
  uint64_t kept, rem, half;
  if (drop < 64) {
    kept = m >> drop;
    rem = m & (((uint64_t)1 << drop) - 1);
    half = (uint64_t)1 << (drop - 1);
  } else if (drop == 64) {
    kept = 0;
    rem = m;
    half = (uint64_t)1 << 63;
  } else {
    kept = 0;
    rem = 0;
    half = 1;
    sticky = false; /* below half of the smallest subnormal: rounds to zero */
  }
  if (rem > half || (rem == half && (sticky || (kept & 1)))) kept++;
  uint64_t frac_mask = ((uint64_t)1 << (f->p - 1)) - 1;
  if (subnormal) {
    *bits = kept; /* a carry into 2^(p-1) yields the smallest normal, as wanted */
    return 0;
  }
  if (kept >> f->p) {
    kept >>= 1;
    E++;
  }
  if (E > f->emax) return -1;
  *bits = ((uint64_t)(E + f->bias) << (f->p - 1)) | (kept & frac_mask);
  return 0;
}

/* ---- big integers for exact decimal conversion -------------------------------------- */

#define BIG_LIMBS 240 /* 7680 bits: enough for 10^1300 shifted by 64 bits */

typedef struct big {
  uint32_t d[BIG_LIMBS];
  int n; /* limbs in use, no leading zero limbs */
} big_t;

static void big_trim(big_t *a) {
  while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}
static void big_mul_add(big_t *a, uint32_t mul, uint32_t add) {
  uint64_t carry = add;
  for (int i = 0; i < a->n; i++) {
    uint64_t t = (uint64_t)a->d[i] * mul + carry;
    a->d[i] = (uint32_t)t;
    carry = t >> 32;
  }
  if (carry && a->n < BIG_LIMBS) a->d[a->n++] = (uint32_t)carry;
}
static int big_bitlen(const big_t *a) {
  if (a->n == 0) return 0;
  uint32_t top = a->d[a->n - 1];
  int b = 0;
  while (top) {
    b++;
    top >>= 1;
  }
  return (a->n - 1) * 32 + b;
}
static void big_shl(big_t *a, int s) {
  if (a->n == 0 || s == 0) return;
  int limbs = s / 32, bits = s % 32;
  int n = a->n + limbs + 1;
  if (n > BIG_LIMBS) n = BIG_LIMBS; /* callers keep sizes well below the cap */
  for (int i = n - 1; i >= 0; i--) {
    int src = i - limbs;
    uint32_t hi = src >= 0 && src < a->n ? a->d[src] : 0;
    uint32_t lo = src - 1 >= 0 && src - 1 < a->n ? a->d[src - 1] : 0;
    a->d[i] = bits ? (hi << bits) | (lo >> (32 - bits)) : hi;
  }
  a->n = n;
  big_trim(a);
}
static void big_shr1(big_t *a) {
  for (int i = 0; i < a->n; i++) a->d[i] = (a->d[i] >> 1) | (i + 1 < a->n ? a->d[i + 1] << 31 : 0);
  big_trim(a);
}
static int big_cmp(const big_t *a, const big_t *b) {
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  for (int i = a->n - 1; i >= 0; i--)
    if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
  return 0;
}
static void big_sub(big_t *a, const big_t *b) { /* a -= b, a >= b */
  int64_t borrow = 0;
  for (int i = 0; i < a->n; i++) {
    int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
    borrow = t < 0;
    a->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
  }
  big_trim(a);
}
/* Top 64 bits of a (a != 0) as m * 2^e, with sticky for the bits below. */
static void big_top64(const big_t *a, uint64_t *m, int64_t *e, bool *sticky) {
  int bl = big_bitlen(a);
  uint64_t v = 0;
  bool st = false;
  for (int i = bl - 1, k = 0; i >= 0; i--, k++) {
    int bit = (a->d[i / 32] >> (i % 32)) & 1;
    if (k < 64) v = (v << 1) | (uint64_t)bit;
    else if (bit) st = true;
  }
  *m = v;
  *e = bl > 64 ? bl - 64 : 0;
  *sticky = st;
}

/* ---- float literal syntax -------------------------------------------------------------- */

#define MAX_SIG_DIGITS 800 /* beyond ~770 digits only "nonzero or not" matters for binary64 */

/* Parses the signed decimal exponent "sign num" with saturation. */
static int parse_exp(const char *s, size_t n, int64_t *out) {
  bool neg = false;
  if (n > 0 && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s++;
    n--;
  }
  bool bad = false;
  if (n == 0 || digit_run(s, n, 10, &bad) != n || bad) return -1;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '_') continue;
    if (v < 100000000) v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return 0;
}

/* Splits "mant[.frac][(e|p)exp]" into its pieces and checks the digit runs. */
typedef struct fparts {
  const char *ip, *fp; /* integer and fraction digits (with '_') */
  size_t il, fl;
  int64_t exp;
} fparts_t;

static int split_float(const char *s, size_t n, int base, fparts_t *p) {
  bool bad = false;
  size_t i = digit_run(s, n, base, &bad);
  if (i == 0 || bad) return -1;
  p->ip = s;
  p->il = i;
  p->fp = s + i;
  p->fl = 0;
  p->exp = 0;
  if (i < n && s[i] == '.') {
    i++;
    size_t f = digit_run(s + i, n - i, base, &bad);
    if (bad) return -1;
    p->fp = s + i;
    p->fl = f;
    i += f;
  }
  if (i < n) {
    char c = s[i];
    bool is_exp = base == 10 ? (c == 'e' || c == 'E') : (c == 'p' || c == 'P');
    if (!is_exp) return -1;
    if (parse_exp(s + i + 1, n - i - 1, &p->exp)) return -1;
  }
  return 0;
}

static int hex_float(const fmt_t *f, const char *s, size_t n, uint64_t *bits) {
  fparts_t p;
  if (split_float(s, n, 16, &p)) return -1;
  uint64_t m = 0;
  int64_t e = 0;
  bool sticky = false;
  for (int pass = 0; pass < 2; pass++) {
    const char *d = pass ? p.fp : p.ip;
    size_t dl = pass ? p.fl : p.il;
    for (size_t i = 0; i < dl; i++) {
      if (d[i] == '_') continue;
      int v = hexval(d[i]);
      if (m >> 60) { /* no room: the digit only adds to the sticky bit */
        if (v) sticky = true;
        if (!pass) e += 4;
      } else {
        m = (m << 4) | (uint64_t)v;
        if (pass) e -= 4;
      }
    }
  }
  if (m == 0) {
    *bits = 0;
    return 0;
  }
  e += p.exp;
  if (e > 100000) return -1;
  if (e < -100000) e = -100000;
  return round_to(f, m, e, sticky, bits);
}

static int dec_float(const fmt_t *f, const char *s, size_t n, uint64_t *bits) {
  fparts_t p;
  if (split_float(s, n, 10, &p)) return -1;
  /* Collect significant digits: value = D * 10^e10. */
  big_t D;
  D.n = 0;
  int ndig = 0;
  bool sticky_digit = false;
  int64_t e10 = p.exp;
  for (int pass = 0; pass < 2; pass++) {
    const char *d = pass ? p.fp : p.ip;
    size_t dl = pass ? p.fl : p.il;
    for (size_t i = 0; i < dl; i++) {
      if (d[i] == '_') continue;
      int v = d[i] - '0';
      if (ndig == 0 && v == 0) {
        if (pass) e10--;
        continue;
      }
      if (ndig < MAX_SIG_DIGITS) {
        big_mul_add(&D, 10, (uint32_t)v); /* on an empty D this pushes v */
        ndig++;
        if (pass) e10--;
      } else {
        if (v) sticky_digit = true;
        if (!pass) e10++;
      }
    }
  }
  if (ndig == 0) {
    *bits = 0;
    return 0;
  }
  if (sticky_digit) { /* one more nonzero digit stands for everything that was cut off */
    big_mul_add(&D, 10, 1);
    ndig++;
    e10--;
  }
  /* Magnitude is in [10^(ndig+e10-1), 10^(ndig+e10)). */
  if (ndig + e10 > 310) return -1;
  if (ndig + e10 < -400) {
    *bits = 0;
    return 0;
  }
  uint64_t m;
  int64_t e;
  bool sticky;
  if (e10 >= 0) {
    for (int64_t i = 0; i < e10; i++) big_mul_add(&D, 10, 0);
    big_top64(&D, &m, &e, &sticky);
    return round_to(f, m, e, sticky, bits);
  }
  /* D / 10^-e10: scale so the quotient has 63 or 64 bits, then long division. */
  big_t Q;
  Q.n = 1;
  Q.d[0] = 1;
  for (int64_t i = 0; i < -e10; i++) big_mul_add(&Q, 10, 0);
  int s_ = big_bitlen(&Q) - big_bitlen(&D) + 63;
  if (s_ >= 0) big_shl(&D, s_);
  else big_shl(&Q, -s_);
  big_shl(&Q, 63);
  uint64_t q = 0;
  for (int i = 0; i < 64; i++) {
    q <<= 1;
    if (big_cmp(&D, &Q) >= 0) {
      big_sub(&D, &Q);
      q |= 1;
    }
    big_shr1(&Q);
  }
  return round_to(f, q, -(int64_t)s_, D.n != 0, bits);
}

static int parse_float(const fmt_t *f, const char *s, size_t n, uint64_t *out) {
  uint64_t sign = 0;
  unsigned total = (unsigned)f->p + (unsigned)(f->bias == 127 ? 8 : 11); /* 32 or 64 */
  if (n > 0 && (s[0] == '+' || s[0] == '-')) {
    if (s[0] == '-') sign = (uint64_t)1 << (total - 1);
    s++;
    n--;
  }
  uint64_t exp_all = ((uint64_t)(2 * f->bias + 1)) << (f->p - 1);
  uint64_t frac_mask = ((uint64_t)1 << (f->p - 1)) - 1;
  uint64_t bits;
  if (n == 3 && memcmp(s, "inf", 3) == 0) {
    bits = exp_all;
  } else if (n == 3 && memcmp(s, "nan", 3) == 0) {
    bits = exp_all | ((uint64_t)1 << (f->p - 2));
  } else if (n > 4 && memcmp(s, "nan:", 4) == 0) {
    uint64_t payload;
    if (n < 7 || s[4] != '0' || s[5] != 'x') return -1;
    if (parse_mag(s + 4, n - 4, frac_mask, &payload) || payload == 0) return -1;
    bits = exp_all | payload;
  } else if (n >= 2 && s[0] == '0' && s[1] == 'x') {
    if (hex_float(f, s + 2, n - 2, &bits)) return -1;
  } else {
    if (dec_float(f, s, n, &bits)) return -1;
  }
  *out = sign | bits;
  return 0;
}

int text_parse_f32(const char *s, size_t n, uint32_t *bits) {
  uint64_t b;
  if (parse_float(&F32, s, n, &b)) return -1;
  *bits = (uint32_t)b;
  return 0;
}

int text_parse_f64(const char *s, size_t n, uint64_t *bits) { return parse_float(&F64, s, n, bits); }
