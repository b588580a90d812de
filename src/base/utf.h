/* utf.h — UTF-8 / UTF-16 validation and conversion helpers (Unicode §3.9). */
#ifndef WELD_BASE_UTF_H
#define WELD_BASE_UTF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or values > U+10FFFF). */
bool base_utf8_valid(const uint8_t *s, size_t n);
/* Decodes one scalar value at s (n bytes available); returns its length, 0 if malformed. */
size_t base_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);
/* Encodes cp (must be a scalar value) into out (4 bytes room); returns the length. */
static inline size_t base_utf8_encode(uint32_t cp, uint8_t *out) {
  if (cp < 0x80) {
    out[0] = (uint8_t)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (uint8_t)(0xc0 | cp >> 6);
    out[1] = (uint8_t)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (uint8_t)(0xe0 | cp >> 12);
    out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (uint8_t)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (uint8_t)(0xf0 | cp >> 18);
  out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (uint8_t)(0x80 | (cp & 0x3f));
  return 4;
}

#endif
