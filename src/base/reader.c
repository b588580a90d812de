/* reader.c — LEB128 and names (WebAssembly core spec §5.2.2, §5.2.4). */
#include "base/reader.h"
#include "base/limits.h"
#include "base/utf.h"

bool base_read_uleb(base_reader_t *r, unsigned bits, uint64_t *out) {
  uint64_t result = 0;
  *out = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0;; i++) {
    if (r->p >= r->end) return base_reader_fail(r, "unexpected end of LEB128 integer");
    uint8_t b = *r->p++;
    if (i == max_bytes - 1) {
      /* last permitted byte: no continuation, and unused high bits must be zero */
      unsigned used = bits - shift;
      if (b & 0x80) return base_reader_fail(r, "integer representation too long");
      if (used < 7 && (b >> used) != 0) return base_reader_fail(r, "integer too large");
      result |= (uint64_t)b << shift;
      break;
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  *out = result;
  return true;
}

bool base_read_sleb(base_reader_t *r, unsigned bits, int64_t *out) {
  uint64_t result = 0;
  *out = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  uint8_t b;
  for (unsigned i = 0;; i++) {
    if (r->p >= r->end) return base_reader_fail(r, "unexpected end of LEB128 integer");
    b = *r->p++;
    if (i == max_bytes - 1) {
      if (b & 0x80) return base_reader_fail(r, "integer representation too long");
      unsigned used = bits - shift; /* bits of payload left, 1..7 */
      if (used < 7) {
        /* the unused bits (and the sign bit) must all equal the sign */
        int8_t sb = (int8_t)(b << 1) >> 1;            /* sign-extend 7-bit payload */
        int8_t top = (int8_t)(sb >> (used - 1));      /* sign and unused bits */
        if (top != 0 && top != -1) return base_reader_fail(r, "integer too large");
      }
      result |= (uint64_t)(b & 0x7f) << shift;
      shift += 7;
      break;
    }
    result |= (uint64_t)(b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) break;
  }
  if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
  int64_t v = (int64_t)result;
  if (bits == 32) v = (int32_t)(uint32_t)result;
  *out = v;
  return true;
}

bool base_read_name(base_reader_t *r, const uint8_t **s, uint32_t *len) {
  uint32_t n;
  *s = NULL;
  *len = 0;
  if (!base_read_u32(r, &n)) return false;
  if (n > base_reader_left(r)) return base_reader_fail(r, "unexpected end: name length out of bounds");
  if (n > WELD_MAX_NAME_BYTES) return base_reader_fail(r, "name too long");
  if (!base_utf8_valid(r->p, n)) return base_reader_fail(r, "malformed UTF-8 encoding");
  *s = r->p;
  *len = n;
  r->p += n;
  return true;
}
