/* strings.c — Canonical ABI strings (design/mvp/CanonicalABI.md "Loading" and "Storing",
 * definitions.py load_string_from_range, store_string_into_range, store_string_copy,
 * store_utf16_to_utf8, store_latin1_to_utf8, store_string_to_utf8, store_utf8_to_utf16,
 * store_string_to_latin1_or_utf16, store_probably_utf16_to_latin1_or_utf16).
 *
 * Three encodings: utf8, utf16 (little-endian) and latin1+utf16 (a length whose bit 31 tags
 * UTF-16, otherwise Latin-1).  Loading validates (a trap for malformed UTF-8, unpaired
 * surrogates, misaligned or out-of-bounds ranges); storing follows definitions.py's sequence
 * of realloc calls exactly (sizes, alignments, the shrinking realloc at the end), because a
 * guest can observe them, and checks every pointer realloc returns.
 *
 * Speed: validation and copying skip ASCII 32 bytes at a time; same-encoding copies are one
 * memcpy. */
#include "component/abi.h"
#include "base/alloc.h"
#include "base/utf.h"
#include <string.h>

/* ---------------------------------------------------------------- validation */

static inline uint64_t rd64(const uint8_t *p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}
static inline uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline void wr16(uint8_t *p, uint32_t u) {
  p[0] = (uint8_t)u;
  p[1] = (uint8_t)(u >> 8);
}

/* Length of the ASCII prefix of s[0..n). */
static inline size_t ascii_prefix(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i + 32 <= n) {
    uint64_t w = rd64(s + i) | rd64(s + i + 8) | rd64(s + i + 16) | rd64(s + i + 24);
    if (w & 0x8080808080808080ull) break;
    i += 32;
  }
  while (i + 8 <= n && !(rd64(s + i) & 0x8080808080808080ull)) i += 8;
  while (i < n && s[i] < 0x80) i++;
  return i;
}

/* Well-formed UTF-8 (Unicode §3.9, Table 3-7): a lead byte C2..F4 followed by continuation
 * bytes 80..BF, except that the second byte is A0..BF after E0 (no overlong), 80..9F after
 * ED (no surrogate), 90..BF after F0 (no overlong) and 80..8F after F4 (nothing above
 * U+10FFFF).  Checked by a shift-based DFA (one table load and one shift per byte, with no
 * branch: several times faster than decoding code points on text with many non-ASCII
 * characters), and ASCII runs are skipped in blocks.  States are bit offsets into a
 * 64-bit row per byte value; the row holds, at each state's offset, the next state.  The
 * error state is 0, and every row has 0 there, so an error sticks. */
enum {
  U8_ERR = 0,
  U8_OK = 6,   /* between characters */
  U8_C1 = 12,  /* one continuation byte (80..BF) to go */
  U8_C2 = 18,  /* two */
  U8_C3 = 24,  /* three */
  U8_E0 = 30,  /* after E0: A0..BF, then one more */
  U8_ED = 36,  /* after ED: 80..9F, then one more */
  U8_F0 = 42,  /* after F0: 90..BF, then two more */
  U8_F4 = 48,  /* after F4: 80..8F, then two more */
};
#define U8_IN(b, lo, hi) ((b) >= (lo) && (b) <= (hi))
#define U8_T(cond, from, to) ((cond) ? (uint64_t)(to) << (from) : 0)
#define U8_ROW(b)                                                                                              \
  (U8_T((b) < 0x80, U8_OK, U8_OK) | U8_T(U8_IN(b, 0xc2, 0xdf), U8_OK, U8_C1) | U8_T((b) == 0xe0, U8_OK, U8_E0) | \
   U8_T(U8_IN(b, 0xe1, 0xec) || U8_IN(b, 0xee, 0xef), U8_OK, U8_C2) | U8_T((b) == 0xed, U8_OK, U8_ED) |          \
   U8_T((b) == 0xf0, U8_OK, U8_F0) | U8_T(U8_IN(b, 0xf1, 0xf3), U8_OK, U8_C3) | U8_T((b) == 0xf4, U8_OK, U8_F4) |  \
   U8_T(U8_IN(b, 0x80, 0xbf), U8_C1, U8_OK) | U8_T(U8_IN(b, 0x80, 0xbf), U8_C2, U8_C1) |                          \
   U8_T(U8_IN(b, 0x80, 0xbf), U8_C3, U8_C2) | U8_T(U8_IN(b, 0xa0, 0xbf), U8_E0, U8_C1) |                          \
   U8_T(U8_IN(b, 0x80, 0x9f), U8_ED, U8_C1) | U8_T(U8_IN(b, 0x90, 0xbf), U8_F0, U8_C2) |                          \
   U8_T(U8_IN(b, 0x80, 0x8f), U8_F4, U8_C2))
#define U8_R4(b) U8_ROW(b), U8_ROW(b + 1), U8_ROW(b + 2), U8_ROW(b + 3)
#define U8_R16(b) U8_R4(b), U8_R4(b + 4), U8_R4(b + 8), U8_R4(b + 12)
#define U8_R64(b) U8_R16(b), U8_R16(b + 16), U8_R16(b + 32), U8_R16(b + 48)
static const uint64_t u8_rows[256] = {U8_R64(0u), U8_R64(64u), U8_R64(128u), U8_R64(192u)};

/* One DFA chain over s[0..n) from state st, ASCII blocks skipped while between characters;
 * the final state (U8_ERR as soon as it is known). */
static inline __attribute__((always_inline)) uint64_t u8_run(const uint8_t *s, size_t n, uint64_t st) {
  size_t i = 0;
  while (i < n) {
    if ((st & 63) == U8_OK && n - i >= 16 && !((rd64(s + i) | rd64(s + i + 8)) & 0x8080808080808080ull)) {
      i += 16;
      i += ascii_prefix(s + i, n - i);
      continue;
    }
    size_t end = n - i >= 16 ? i + 16 : n;
    for (; i < end; i++) st = u8_rows[s[i]] >> (st & 63);
    if ((st & 63) == U8_ERR) return U8_ERR;
  }
  return st;
}

/* Long strings: one DFA step depends on the one before, so a single chain runs at the
 * latency of a shift; U8_CHAINS chains over as many segments, split where a character
 * starts, run in lock-step, 16 bytes at a time (a chain between characters skips an ASCII
 * block).  The string is valid iff every segment is (a segment boundary found this way is
 * a character boundary of any valid string; four continuation bytes in a row never are). */
#define U8_CHAINS 4
static inline __attribute__((always_inline)) bool u8_chains(const uint8_t *s, size_t n) {
  size_t cut[U8_CHAINS + 1];
  cut[0] = 0;
  cut[U8_CHAINS] = n;
  for (int k = 1; k < U8_CHAINS; k++) {
    size_t m = n / U8_CHAINS * (size_t)k, j = 0;
    while (j < 4 && (s[m] & 0xc0) == 0x80) m++, j++;
    if (j == 4) return false;
    cut[k] = m;
  }
  size_t common = n;
  for (int k = 0; k < U8_CHAINS; k++)
    if (cut[k + 1] - cut[k] < common) common = cut[k + 1] - cut[k];
  common &= ~(size_t)15;
  uint64_t st[U8_CHAINS];
  for (int k = 0; k < U8_CHAINS; k++) st[k] = U8_OK;
  for (size_t b = 0; b < common; b += 16) {
    uint64_t err = 0;
    for (int k = 0; k < U8_CHAINS; k++) {
      const uint8_t *p = s + cut[k] + b;
      uint64_t x = st[k];
      if ((x & 63) != U8_OK || ((rd64(p) | rd64(p + 8)) & 0x8080808080808080ull))
        for (int j = 0; j < 16; j++) x = u8_rows[p[j]] >> (x & 63);
      st[k] = x;
      err |= (x & 63) == U8_ERR;
    }
    if (err) return false;
  }
  for (int k = 0; k < U8_CHAINS; k++)
    if ((u8_run(s + cut[k] + common, cut[k + 1] - cut[k] - common, st[k]) & 63) != U8_OK) return false;
  return true;
}

static bool u8_chains_plain(const uint8_t *s, size_t n) { return u8_chains(s, n); }
#if defined(__x86_64__) && !defined(__BMI2__) && (defined(__GNUC__) || defined(__clang__))
/* x86 without BMI2 shifts by a register in 3 micro-ops; with BMI2 (Haswell and later, the
 * CPU is asked at run time) in one, which makes the chains about 1.5x faster. */
__attribute__((target("bmi2"))) static bool u8_chains_bmi2(const uint8_t *s, size_t n) { return u8_chains(s, n); }
#define U8_CHAINS_FAST(s, n) (__builtin_cpu_supports("bmi2") ? u8_chains_bmi2(s, n) : u8_chains_plain(s, n))
#else
#define U8_CHAINS_FAST(s, n) u8_chains_plain(s, n)
#endif

bool comp_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = ascii_prefix(s, n);
  if (n - i >= 4096) return U8_CHAINS_FAST(s + i, n - i);
  return (u8_run(s + i, n - i, U8_OK) & 63) == U8_OK;
}

/* Number of UTF-16 code units (from 0) that are below 0x80 / whose high byte is 0. */
static size_t utf16_prefix_below(const uint8_t *s, size_t units, uint32_t limit) {
  size_t i = 0;
  if (limit == 0x80) {
    while (i + 4 <= units && !(rd64(s + 2 * i) & 0xff80ff80ff80ff80ull)) i += 4;
  } else {
    while (i + 4 <= units && !(rd64(s + 2 * i) & 0xff00ff00ff00ff00ull)) i += 4;
  }
  while (i < units && rd16(s + 2 * i) < limit) i++;
  return i;
}

bool comp_utf16_valid(const uint8_t *s, size_t units) {
  size_t i = 0;
  while (i < units) {
    /* skip 4 units at a time while none is a surrogate (0xD800..0xDFFF) */
    while (i + 4 <= units) {
      uint64_t w = rd64(s + 2 * i);
      uint64_t hi = w & 0xf800f800f800f800ull;
      /* a unit is a surrogate iff (u & 0xF800) == 0xD800 */
      uint64_t x = hi ^ 0xd800d800d800d800ull; /* zero lanes are surrogates */
      if (((x - 0x0001000100010001ull) & ~x & 0x8000800080008000ull) != 0) break;
      i += 4;
    }
    if (i >= units) break;
    uint32_t u = rd16(s + 2 * i);
    if (u < 0xd800 || u > 0xdfff) {
      i++;
      continue;
    }
    if (u >= 0xdc00 || i + 1 >= units) return false;
    uint32_t v = rd16(s + 2 * i + 2);
    if (v < 0xdc00 || v > 0xdfff) return false;
    i += 2;
  }
  return true;
}

/* ---------------------------------------------------------------- load */

/* load_string_from_range */
weld_trap_t *comp_string_load(const comp_abi_cx_t *cx, uint32_t ptr, uint32_t tagged, comp_str_t *out) {
  uint32_t align;
  uint64_t bytes;
  uint8_t enc;
  switch (cx->opts->string_encoding) {
  case COMP_UTF8:
    align = 1, bytes = tagged, enc = COMP_STR_UTF8;
    out->units = tagged;
    break;
  case COMP_UTF16:
    align = 2, bytes = 2 * (uint64_t)tagged, enc = COMP_STR_UTF16;
    out->units = tagged;
    break;
  default:
    align = 2;
    if (tagged & COMP_UTF16_TAG) {
      out->units = tagged ^ COMP_UTF16_TAG;
      bytes = 2 * (uint64_t)out->units, enc = COMP_STR_UTF16;
    } else {
      out->units = tagged;
      bytes = tagged, enc = COMP_STR_LATIN1;
    }
    break;
  }
  if (ptr & (align - 1)) return comp_abi_trap("string pointer 0x%x is not %u-byte aligned", ptr, align);
  weld_trap_t *trap = NULL;
  const uint8_t *p = comp_abi_mem(cx, ptr, bytes, &trap);
  if (!p) return trap;
  if (enc == COMP_STR_UTF8 && !comp_utf8_valid(p, bytes))
    return comp_abi_trap("invalid UTF-8 in string at 0x%x (%llu bytes)", ptr, (unsigned long long)bytes);
  if (enc == COMP_STR_UTF16 && !comp_utf16_valid(p, out->units))
    return comp_abi_trap("invalid UTF-16 (unpaired surrogate) in string at 0x%x (%u code units)", ptr, out->units);
  out->bytes = p;
  out->enc = enc;
  out->option = cx->opts->string_encoding;
  return NULL;
}

/* ---------------------------------------------------------------- transcoding kernels */

/* The kernels below read strings that were validated (comp_string_load, comp_cval_check),
 * so decoding needs no checks. */

/* 4 bytes -> 4 little-endian UTF-16 units (8 bytes), and back */
static inline uint64_t widen4(uint32_t x) {
  uint64_t v = x;
  v = (v | v << 16) & 0x0000ffff0000ffffull;
  v = (v | v << 8) & 0x00ff00ff00ff00ffull;
  return v;
}
static inline uint32_t narrow4(uint64_t v) {
  v &= 0x00ff00ff00ff00ffull;
  v = (v | v >> 8) & 0x0000ffff0000ffffull;
  v = (v | v >> 16) & 0x00000000ffffffffull;
  return (uint32_t)v;
}

/* bytes -> UTF-16 code units (all < 0x100) */
static void widen(const uint8_t *src, size_t n, uint8_t *out) {
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    uint64_t w = rd64(src + j), a = widen4((uint32_t)w), b = widen4((uint32_t)(w >> 32));
    memcpy(out + 2 * j, &a, 8);
    memcpy(out + 2 * j + 8, &b, 8);
  }
  for (; j < n; j++) wr16(out + 2 * j, src[j]);
}
/* UTF-16 code units (all < 0x100) -> bytes */
static void narrow(const uint8_t *src, size_t n, uint8_t *out) {
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    uint32_t a = narrow4(rd64(src + 2 * j)), b = narrow4(rd64(src + 2 * j + 8));
    memcpy(out + j, &a, 4);
    memcpy(out + j + 4, &b, 4);
  }
  for (; j < n; j++) out[j] = src[2 * j];
}

/* One code point of valid UTF-8 at b[*i]. */
static inline uint32_t dec8(const uint8_t *b, size_t *i) {
  uint32_t c = b[*i];
  if (c < 0x80) {
    *i += 1;
    return c;
  }
  if (c < 0xe0) {
    c = (c & 0x1f) << 6 | (b[*i + 1] & 0x3f);
    *i += 2;
    return c;
  }
  if (c < 0xf0) {
    c = (c & 0x0f) << 12 | (uint32_t)(b[*i + 1] & 0x3f) << 6 | (b[*i + 2] & 0x3f);
    *i += 3;
    return c;
  }
  c = (c & 0x07) << 18 | (uint32_t)(b[*i + 1] & 0x3f) << 12 | (uint32_t)(b[*i + 2] & 0x3f) << 6 | (b[*i + 3] & 0x3f);
  *i += 4;
  return c;
}

/* Decodes the code point at unit/byte position *i of a valid string and advances *i. */
static inline uint32_t next_cp(const comp_str_t *s, size_t *i) {
  const uint8_t *b = s->bytes;
  switch (s->enc) {
  case COMP_STR_UTF8: return dec8(b, i);
  case COMP_STR_UTF16: {
    uint32_t u = rd16(b + 2 * *i);
    (*i)++;
    if (u >= 0xd800 && u <= 0xdbff && *i < s->units) {
      uint32_t v = rd16(b + 2 * *i);
      (*i)++;
      return 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
    }
    return u;
  }
  default:
    return b[(*i)++];
  }
}

/* UTF-8 length of a valid string from unit position `from`. */
static uint64_t utf8_length(const comp_str_t *s, size_t from) {
  if (s->enc == COMP_STR_UTF8) return s->units - from;
  uint64_t n = 0;
  if (s->enc == COMP_STR_LATIN1) {
    for (size_t i = from; i < s->units; i++) n += 1 + (s->bytes[i] >> 7);
    return n;
  }
  for (size_t i = from; i < s->units;) {
    uint32_t u = rd16(s->bytes + 2 * i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s->units) n += 4, i += 2;
    else n += u < 0x80 ? 1 : u < 0x800 ? 2 : 3, i++;
  }
  return n;
}

/* Valid UTF-16 b[0..n units) -> UTF-8; returns bytes written. */
static size_t utf16_to_utf8(const uint8_t *b, size_t n, uint8_t *out) {
  size_t o = 0, i = 0;
  while (i < n) {
    size_t k = utf16_prefix_below(b + 2 * i, n - i, 0x80);
    narrow(b + 2 * i, k, out + o);
    o += k, i += k;
    while (i < n) {
      uint32_t u = rd16(b + 2 * i);
      if (u < 0x80) break;
      if (u < 0x800) {
        out[o] = (uint8_t)(0xc0 | u >> 6);
        out[o + 1] = (uint8_t)(0x80 | (u & 0x3f));
        o += 2, i++;
      } else if (u - 0xd800u < 0x400u && i + 1 < n) {
        uint32_t cp = 0x10000 + ((u - 0xd800) << 10) + (rd16(b + 2 * i + 2) - 0xdc00);
        o += base_utf8_encode(cp, out + o);
        i += 2;
      } else {
        out[o] = (uint8_t)(0xe0 | u >> 12);
        out[o + 1] = (uint8_t)(0x80 | (u >> 6 & 0x3f));
        out[o + 2] = (uint8_t)(0x80 | (u & 0x3f));
        o += 3, i++;
      }
    }
  }
  return o;
}

/* Encodes a valid string from unit position `from` as UTF-8 into out; returns bytes written. */
static size_t encode_utf8(const comp_str_t *s, size_t from, uint8_t *out) {
  if (s->enc == COMP_STR_UTF8) {
    memcpy(out, s->bytes + from, s->units - from);
    return s->units - from;
  }
  if (s->enc == COMP_STR_UTF16) return utf16_to_utf8(s->bytes + 2 * from, s->units - from, out);
  size_t o = 0;
  for (size_t i = from; i < s->units;) {
    size_t k;
    if (s->enc == COMP_STR_UTF16) {
      k = utf16_prefix_below(s->bytes + 2 * i, s->units - i, 0x80);
      narrow(s->bytes + 2 * i, k, out + o);
    } else {
      k = ascii_prefix(s->bytes + i, s->units - i);
      memcpy(out + o, s->bytes + i, k);
    }
    o += k, i += k;
    /* a run of non-ASCII code points */
    while (i < s->units) {
      size_t at = i;
      uint32_t cp = next_cp(s, &i);
      if (cp < 0x80) {
        i = at;
        break;
      }
      o += base_utf8_encode(cp, out + o);
    }
  }
  return o;
}

/* Encodes a valid string from unit position `from` as UTF-16LE; returns code units. */
static size_t encode_utf16(const comp_str_t *s, size_t from, uint8_t *out) {
  if (s->enc == COMP_STR_UTF16) {
    memcpy(out, s->bytes + 2 * from, 2 * (s->units - from));
    return s->units - from;
  }
  if (s->enc == COMP_STR_LATIN1) {
    widen(s->bytes + from, s->units - from, out);
    return s->units - from;
  }
  size_t o = 0;
  for (size_t i = from; i < s->units;) {
    size_t k = ascii_prefix(s->bytes + i, s->units - i);
    widen(s->bytes + i, k, out + 2 * o);
    o += k, i += k;
    while (i < s->units && s->bytes[i] >= 0x80) {
      uint32_t cp = dec8(s->bytes, &i);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        wr16(out + 2 * o++, 0xd800 + (cp >> 10));
        wr16(out + 2 * o++, 0xdc00 + (cp & 0x3ff));
      } else {
        wr16(out + 2 * o++, cp);
      }
    }
  }
  return o;
}

/* ---------------------------------------------------------------- store */

static weld_trap_t *dst_mem(const comp_abi_cx_t *cx, uint32_t ptr, uint64_t len, uint8_t **out) {
  weld_trap_t *trap = NULL;
  *out = comp_abi_mem(cx, ptr, len, &trap);
  return trap;
}

#define TRY(x)                  \
  do {                          \
    weld_trap_t *t_ = (x);      \
    if (t_) return t_;          \
  } while (0)

static weld_trap_t *too_long(uint64_t n) {
  return comp_abi_trap("string of %llu bytes exceeds the maximum string length (2^31 - 1 bytes)",
                       (unsigned long long)n);
}

/* store_string_copy */
static weld_trap_t *store_copy(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t unit_size, uint32_t align,
                               uint32_t *ptr, uint32_t *units) {
  uint64_t len = (uint64_t)unit_size * s->units;
  if (len > COMP_MAX_STRING_BYTE_LENGTH) return too_long(len);
  uint8_t *d;
  TRY(comp_abi_realloc(cx, 0, 0, align, (uint32_t)len, ptr));
  TRY(dst_mem(cx, *ptr, len, &d));
  if (unit_size == 2 && s->enc == COMP_STR_LATIN1) {
    widen(s->bytes, s->units, d);
  } else {
    memcpy(d, s->bytes, len);
  }
  *units = s->units;
  return NULL;
}

/* store_string_to_utf8 (with store_utf16_to_utf8 / store_latin1_to_utf8's worst case) */
static weld_trap_t *store_to_utf8(const comp_abi_cx_t *cx, const comp_str_t *s, uint64_t worst, uint32_t *ptr,
                                  uint32_t *units) {
  uint32_t n = s->units;
  if (n > COMP_MAX_STRING_BYTE_LENGTH) return too_long(n);
  uint8_t *d;
  TRY(comp_abi_realloc(cx, 0, 0, 1, n, ptr));
  TRY(dst_mem(cx, *ptr, n, &d));
  size_t i = s->enc == COMP_STR_UTF16 ? utf16_prefix_below(s->bytes, n, 0x80) : ascii_prefix(s->bytes, n);
  if (s->enc == COMP_STR_UTF16) narrow(s->bytes, i, d);
  else memcpy(d, s->bytes, i);
  if (i == n) {
    *units = n;
    return NULL;
  }
  if (worst > COMP_MAX_STRING_BYTE_LENGTH) return too_long(worst);
  TRY(comp_abi_realloc(cx, *ptr, n, 1, (uint32_t)worst, ptr));
  TRY(dst_mem(cx, *ptr, worst, &d));
  size_t len = i + encode_utf8(s, i, d + i);
  if (worst > len) {
    TRY(comp_abi_realloc(cx, *ptr, (uint32_t)worst, 1, (uint32_t)len, ptr));
    TRY(dst_mem(cx, *ptr, len, &d));
  }
  *units = (uint32_t)len;
  return NULL;
}

/* store_utf8_to_utf16 */
static weld_trap_t *store_utf8_to_utf16(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t *ptr,
                                        uint32_t *units) {
  uint64_t worst = 2 * (uint64_t)s->units;
  if (worst > COMP_MAX_STRING_BYTE_LENGTH) return too_long(worst);
  uint8_t *d;
  TRY(comp_abi_realloc(cx, 0, 0, 2, (uint32_t)worst, ptr));
  TRY(dst_mem(cx, *ptr, worst, &d));
  size_t len = 2 * encode_utf16(s, 0, d);
  if (len < worst) {
    TRY(comp_abi_realloc(cx, *ptr, (uint32_t)worst, 2, (uint32_t)len, ptr));
    TRY(dst_mem(cx, *ptr, len, &d));
  }
  *units = (uint32_t)(len / 2);
  return NULL;
}

/* store_string_to_latin1_or_utf16 (source utf8 or utf16) */
static weld_trap_t *store_to_latin1_or_utf16(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t *ptr,
                                             uint32_t *tagged) {
  uint32_t n = s->units;
  if (n > COMP_MAX_STRING_BYTE_LENGTH) return too_long(n);
  uint8_t *d;
  TRY(comp_abi_realloc(cx, 0, 0, 2, n, ptr));
  TRY(dst_mem(cx, *ptr, n, &d));
  size_t nbytes = 0, i = 0;
  while (i < n) {
    if (s->enc == COMP_STR_UTF8) {
      size_t k = ascii_prefix(s->bytes + i, n - i);
      memcpy(d + nbytes, s->bytes + i, k);
      nbytes += k, i += k;
      if (i >= n) break;
    }
    size_t at = i;
    uint32_t cp = next_cp(s, &i);
    if (cp < 0x100) {
      d[nbytes++] = (uint8_t)cp;
      continue;
    }
    uint64_t worst = 2 * (uint64_t)n;
    if (worst > COMP_MAX_STRING_BYTE_LENGTH) return too_long(worst);
    TRY(comp_abi_realloc(cx, *ptr, n, 2, (uint32_t)worst, ptr));
    TRY(dst_mem(cx, *ptr, worst, &d));
    for (size_t j = nbytes; j-- > 0;) {
      d[2 * j] = d[j];
      d[2 * j + 1] = 0;
    }
    size_t total = nbytes + encode_utf16(s, at, d + 2 * nbytes);
    uint64_t len = 2 * (uint64_t)total;
    if (worst > len) {
      TRY(comp_abi_realloc(cx, *ptr, (uint32_t)worst, 2, (uint32_t)len, ptr));
      TRY(dst_mem(cx, *ptr, len, &d));
    }
    *tagged = (uint32_t)total | COMP_UTF16_TAG;
    return NULL;
  }
  if (nbytes < n) {
    TRY(comp_abi_realloc(cx, *ptr, n, 2, (uint32_t)nbytes, ptr));
    TRY(dst_mem(cx, *ptr, nbytes, &d));
  }
  *tagged = (uint32_t)nbytes;
  return NULL;
}

/* store_probably_utf16_to_latin1_or_utf16 */
static weld_trap_t *store_probably_utf16(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t *ptr,
                                         uint32_t *tagged) {
  uint64_t len = 2 * (uint64_t)s->units;
  if (len > COMP_MAX_STRING_BYTE_LENGTH) return too_long(len);
  uint8_t *d;
  TRY(comp_abi_realloc(cx, 0, 0, 2, (uint32_t)len, ptr));
  TRY(dst_mem(cx, *ptr, len, &d));
  memcpy(d, s->bytes, len);
  if (utf16_prefix_below(d, s->units, 0x100) < s->units) {
    *tagged = s->units | COMP_UTF16_TAG;
    return NULL;
  }
  for (uint32_t i = 0; i < s->units; i++) d[i] = d[2 * i]; /* in place: narrow() would overlap */
  TRY(comp_abi_realloc(cx, *ptr, (uint32_t)len, 1, s->units, ptr));
  TRY(dst_mem(cx, *ptr, s->units, &d));
  *tagged = s->units;
  return NULL;
}

/* store_string_into_range */
weld_trap_t *comp_string_store(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t *ptr, uint32_t *tagged) {
  switch (cx->opts->string_encoding) {
  case COMP_UTF8:
    switch (s->enc) {
    case COMP_STR_UTF8: return store_copy(cx, s, 1, 1, ptr, tagged);
    case COMP_STR_UTF16: return store_to_utf8(cx, s, 3 * (uint64_t)s->units, ptr, tagged);
    default: return store_to_utf8(cx, s, 2 * (uint64_t)s->units, ptr, tagged);
    }
  case COMP_UTF16:
    if (s->enc == COMP_STR_UTF8) return store_utf8_to_utf16(cx, s, ptr, tagged);
    return store_copy(cx, s, 2, 2, ptr, tagged);
  default:
    /* The source's encoding option decides between the general and the "probably" path: a
     * latin1+utf16 source tagged utf16 may still fit Latin-1. */
    switch (s->enc) {
    case COMP_STR_LATIN1: return store_copy(cx, s, 1, 2, ptr, tagged);
    case COMP_STR_UTF16:
      if (s->option == COMP_LATIN1_UTF16) return store_probably_utf16(cx, s, ptr, tagged);
      return store_to_latin1_or_utf16(cx, s, ptr, tagged);
    default: return store_to_latin1_or_utf16(cx, s, ptr, tagged);
    }
  }
}

/* ---------------------------------------------------------------- host strings */

weld_trap_t *comp_string_to_utf8(const comp_str_t *s, char **out, size_t *len) {
  uint64_t n = utf8_length(s, 0);
  char *buf = base_alloc((size_t)n + 1);
  if (!buf) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory lifting a string");
  size_t w = encode_utf8(s, 0, (uint8_t *)buf);
  buf[w] = 0;
  *out = buf;
  *len = w;
  return NULL;
}
