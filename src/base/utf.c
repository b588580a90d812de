/* utf.c — UTF-8 validation, decode, encode (Unicode §3.9, Table 3-7). */
#include "base/utf.h"

size_t base_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp) {
  if (n == 0) return 0;
  uint8_t b0 = s[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len;
  uint32_t min, c;
  if (b0 >= 0xc2 && b0 <= 0xdf) len = 2, min = 0x80, c = b0 & 0x1f;
  else if (b0 >= 0xe0 && b0 <= 0xef) len = 3, min = 0x800, c = b0 & 0x0f;
  else if (b0 >= 0xf0 && b0 <= 0xf4) len = 4, min = 0x10000, c = b0 & 0x07;
  else return 0;
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    c = c << 6 | (s[i] & 0x3f);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
  *cp = c;
  return len;
}

bool base_utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    /* fast path over ASCII, 8 bytes at a time */
    while (i + 8 <= n) {
      uint64_t w;
      __builtin_memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t l = base_utf8_decode(s + i, n - i, &cp);
    if (!l) return false;
    i += l;
  }
  return true;
}

