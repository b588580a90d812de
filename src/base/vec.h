/* vec.h — growable arrays and byte buffers.
 *
 *   VEC(int) v = {0};
 *   if (!VEC_PUSH(&v, 42)) -> out of memory
 *   VEC_FREE(&v);
 *
 * Growth goes through base_realloc; a failed push leaves the vector unchanged. */
#ifndef WELD_BASE_VEC_H
#define WELD_BASE_VEC_H
#include "base/alloc.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VEC(T) struct { T *data; size_t len, cap; }

bool base_vec_grow(void **data, size_t *cap, size_t elem, size_t need);

#define VEC_RESERVE(v, n) \
  ((v)->len + (n) <= (v)->cap || base_vec_grow((void **)&(v)->data, &(v)->cap, sizeof(*(v)->data), (v)->len + (n)))
#define VEC_PUSH(v, x) (VEC_RESERVE(v, 1) ? ((v)->data[(v)->len++] = (x), true) : false)
#define VEC_POP(v) ((v)->data[--(v)->len])
#define VEC_LAST(v) ((v)->data[(v)->len - 1])
#define VEC_FREE(v) (base_free((v)->data, (v)->cap * sizeof(*(v)->data)), (v)->data = NULL, (v)->len = (v)->cap = 0)

/* A byte buffer for encoders and message building. */
typedef struct base_buf {
  uint8_t *data;
  size_t len, cap;
  bool oom; /* set once an append failed; later appends are no-ops */
} base_buf_t;

void base_buf_bytes(base_buf_t *b, const void *p, size_t n);
void base_buf_byte(base_buf_t *b, uint8_t x);
void base_buf_u32leb(base_buf_t *b, uint32_t v);
void base_buf_u64leb(base_buf_t *b, uint64_t v);
void base_buf_s32leb(base_buf_t *b, int32_t v);
void base_buf_s64leb(base_buf_t *b, int64_t v);
void base_buf_printf(base_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void base_buf_free(base_buf_t *b);
/* Takes the contents as a NUL-terminated string (the buffer is left empty). NULL on OOM. */
char *base_buf_take_str(base_buf_t *b);

#endif
