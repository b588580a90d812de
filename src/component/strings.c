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

/* Well-formed UTF-8 (Unicode §3.9, Table 3-7), checked inline rather than by decoding each
 * code point (text with many non-ASCII characters validates several times faster): a lead
 * byte C2..F4 followed by continuation bytes 80..BF, except that the second byte is A0..BF
 * after E0 (no overlong), 80..9F after ED (no surrogate), 90..BF after F0 (no overlong)
 * and 80..8F after F4 (nothing above U+10FFFF). */
bool comp_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    i += ascii_prefix(s + i, n - i);
    /* a run of non-ASCII sequences */
    while (i < n && s[i] >= 0x80) {
      uint32_t b0 = s[i];
      if (b0 < 0xe0) {
        if (b0 < 0xc2 || n - i < 2 || (s[i + 1] & 0xc0) != 0x80) return false;
        i += 2;
      } else if (b0 < 0xf0) {
        if (n - i < 3) return false;
        uint32_t b1 = s[i + 1], lo = b0 == 0xe0 ? 0xa0 : 0x80, hi = b0 == 0xed ? 0x9f : 0xbf;
        if (b1 < lo || b1 > hi || (s[i + 2] & 0xc0) != 0x80) return false;
        i += 3;
      } else {
        if (b0 > 0xf4 || n - i < 4) return false;
        uint32_t b1 = s[i + 1], lo = b0 == 0xf0 ? 0x90 : 0x80, hi = b0 == 0xf4 ? 0x8f : 0xbf;
        if (b1 < lo || b1 > hi || (s[i + 2] & 0xc0) != 0x80 || (s[i + 3] & 0xc0) != 0x80) return false;
        i += 4;
      }
    }
  }
  return true;
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
