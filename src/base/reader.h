/* reader.h — bounded reading of binary input: bytes, LEB128 (WebAssembly core spec
 * §5.2.2 "Integers"), IEEE floats, names.  Every read checks the remaining length;
 * failures set r->err (a static message) and r->err_off and make later reads fail too,
 * so a decoder can read a whole construct and check once. */
#ifndef WELD_BASE_READER_H
#define WELD_BASE_READER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct base_reader {
  const uint8_t *p, *end;
  const uint8_t *start; /* for offsets */
  size_t base_off;      /* offset of start within the whole input */
  const char *err;      /* first error, NULL if none */
  size_t err_off;
} base_reader_t;

static inline void base_reader_init(base_reader_t *r, const uint8_t *p, size_t n, size_t base_off) {
  r->p = r->start = p;
  r->end = p + n;
  r->base_off = base_off;
  r->err = NULL;
  r->err_off = 0;
}
static inline size_t base_reader_off(const base_reader_t *r) { return r->base_off + (size_t)(r->p - r->start); }
static inline size_t base_reader_left(const base_reader_t *r) { return (size_t)(r->end - r->p); }
static inline bool base_reader_eof(const base_reader_t *r) { return r->p >= r->end; }
static inline bool base_reader_fail(base_reader_t *r, const char *msg) {
  if (!r->err) {
    r->err = msg;
    r->err_off = base_reader_off(r);
  }
  r->p = r->end;
  return false;
}

/* Every reader stores a value even when it fails (0 / NULL), so callers never see an
 * uninitialised output. */
static inline bool base_read_u8(base_reader_t *r, uint8_t *out) {
  *out = 0;
  if (r->p >= r->end) return base_reader_fail(r, "unexpected end");
  *out = *r->p++;
  return true;
}
static inline bool base_read_bytes(base_reader_t *r, size_t n, const uint8_t **out) {
  *out = NULL;
  if (base_reader_left(r) < n) return base_reader_fail(r, "unexpected end");
  *out = r->p;
  r->p += n;
  return true;
}

/* Unsigned LEB128 of at most `bits` bits (32 or 64): rejects over-long encodings and
 * unused bits that are set ("integer representation too long" / "integer too large"). */
bool base_read_uleb(base_reader_t *r, unsigned bits, uint64_t *out);
bool base_read_sleb(base_reader_t *r, unsigned bits, int64_t *out);

static inline bool base_read_u32(base_reader_t *r, uint32_t *out) {
  uint64_t v;
  *out = 0;
  if (!base_read_uleb(r, 32, &v)) return false;
  *out = (uint32_t)v;
  return true;
}
static inline bool base_read_s32(base_reader_t *r, int32_t *out) {
  int64_t v;
  *out = 0;
  if (!base_read_sleb(r, 32, &v)) return false;
  *out = (int32_t)v;
  return true;
}
static inline bool base_read_s64(base_reader_t *r, int64_t *out) { return base_read_sleb(r, 64, out); }
static inline bool base_read_fixed32(base_reader_t *r, uint32_t *out) {
  const uint8_t *b = NULL;
  if (!base_read_bytes(r, 4, &b)) return false;
  *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return true;
}
static inline bool base_read_fixed64(base_reader_t *r, uint64_t *out) {
  uint32_t lo, hi;
  if (!base_read_fixed32(r, &lo) || !base_read_fixed32(r, &hi)) return false;
  *out = (uint64_t)hi << 32 | lo;
  return true;
}
/* A length-prefixed UTF-8 name (spec §5.2.4); validates UTF-8. Not NUL-terminated. */
bool base_read_name(base_reader_t *r, const uint8_t **s, uint32_t *len);

#endif
