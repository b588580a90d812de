/* weld/val.h — core WebAssembly value types and values. */
#ifndef WELD_VAL_H
#define WELD_VAL_H
#include "weld/common.h"
WELD_EXTERN_C_BEGIN

typedef enum weld_valkind {
  WELD_I32 = 0,
  WELD_I64,
  WELD_F32,
  WELD_F64,
  WELD_V128,
  WELD_FUNCREF,
  WELD_EXTERNREF,
} weld_valkind_t;

/* A value.  Floats are carried as bit patterns in f32_bits/f64_bits as well, so NaN
 * payloads survive (read the union member that matches the kind). A null funcref is
 * NULL; a null externref is NULL (any other pointer is an opaque host reference). */
typedef struct weld_val {
  weld_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    uint8_t v128[16]; /* little-endian lane order, as in linear memory */
    weld_func_t *funcref;
    void *externref;
  } of;
} weld_val_t;

static inline weld_val_t weld_val_i32(int32_t v) { weld_val_t x; x.kind = WELD_I32; x.of.i64 = 0; x.of.i32 = v; return x; }
static inline weld_val_t weld_val_i64(int64_t v) { weld_val_t x; x.kind = WELD_I64; x.of.i64 = v; return x; }
static inline weld_val_t weld_val_f32(float v) { weld_val_t x; x.kind = WELD_F32; x.of.i64 = 0; x.of.f32 = v; return x; }
static inline weld_val_t weld_val_f64(double v) { weld_val_t x; x.kind = WELD_F64; x.of.f64 = v; return x; }

WELD_API const char *weld_valkind_name(weld_valkind_t k); /* "i32", "funcref", ... */

/* Function types. */
WELD_API WELD_OWN weld_functype_t *weld_functype_new(const weld_valkind_t *params, size_t nparams,
                                                      const weld_valkind_t *results, size_t nresults);
WELD_API void weld_functype_delete(WELD_OWN weld_functype_t *t);
WELD_API size_t weld_functype_param_count(const weld_functype_t *t);
WELD_API size_t weld_functype_result_count(const weld_functype_t *t);
WELD_API weld_valkind_t weld_functype_param(const weld_functype_t *t, size_t i);
WELD_API weld_valkind_t weld_functype_result(const weld_functype_t *t, size_t i);

typedef struct weld_limits {
  uint64_t min;
  uint64_t max; /* valid only if has_max */
  bool has_max;
} weld_limits_t;

WELD_EXTERN_C_END
#endif
