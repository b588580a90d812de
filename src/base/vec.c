/* vec.c — growable arrays and byte buffers (see vec.h). */
#include "base/vec.h"
#include <stdarg.h>
#include <stdio.h>

bool base_vec_grow(void **data, size_t *cap, size_t elem, size_t need) {
  size_t ncap = *cap ? *cap : 8;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return false;
    ncap *= 2;
  }
  size_t bytes;
  if (!base_mul_ok(ncap, elem, &bytes)) return false;
  void *p = base_realloc(*data, *cap * elem, bytes);
  if (!p) return false;
  *data = p;
  *cap = ncap;
  return true;
}

static bool buf_reserve(base_buf_t *b, size_t n) {
  if (b->oom) return false;
  if (b->len + n < b->len) return b->oom = true, false;
  if (b->len + n <= b->cap) return true;
  if (!base_vec_grow((void **)&b->data, &b->cap, 1, b->len + n)) return b->oom = true, false;
  return true;
}

void base_buf_bytes(base_buf_t *b, const void *p, size_t n) {
  if (!n || !buf_reserve(b, n)) return;
  memcpy(b->data + b->len, p, n);
  b->len += n;
}
void base_buf_byte(base_buf_t *b, uint8_t x) {
  if (!buf_reserve(b, 1)) return;
  b->data[b->len++] = x;
}
void base_buf_u64leb(base_buf_t *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v) byte |= 0x80;
    base_buf_byte(b, byte);
  } while (v);
}
void base_buf_u32leb(base_buf_t *b, uint32_t v) { base_buf_u64leb(b, v); }
void base_buf_s64leb(base_buf_t *b, int64_t v) {
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7; /* arithmetic shift on all supported compilers */
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    base_buf_byte(b, byte);
    if (done) break;
  }
}
void base_buf_s32leb(base_buf_t *b, int32_t v) { base_buf_s64leb(b, v); }
void base_buf_printf(base_buf_t *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) {
    base_buf_bytes(b, tmp, (size_t)n);
    return;
  }
  if (!buf_reserve(b, (size_t)n + 1)) return;
  va_start(ap, fmt);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}
void base_buf_free(base_buf_t *b) {
  base_free(b->data, b->cap);
  b->data = NULL;
  b->len = b->cap = 0;
  b->oom = false;
}
char *base_buf_take_str(base_buf_t *b) {
  base_buf_byte(b, 0);
  if (b->oom) {
    base_buf_free(b);
    return NULL;
  }
  char *s = (char *)b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return s;
}
