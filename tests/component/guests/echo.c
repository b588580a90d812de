/* echo.c — a C test guest for the component runtime (built by rebuild.sh with clang for
 * wasm32, no libc, then made a component of world `guest` in echo.wit).
 *
 * It imports the interface test:guest/echo and exports it again: every exported function
 * forwards its core arguments unchanged to the matching import and returns what the import
 * returned.  A host call of an export therefore lowers the host's value into this guest's
 * memory, the guest's call of the import lifts it back to the host, the host's result is
 * lowered into the guest, and the export's result is lifted to the host: every value type
 * crosses the boundary in both directions.  The canonical ABI is written by hand here
 * (flat signatures, return areas, cabi_realloc, a post-return). */
#include <stddef.h>
#include <stdint.h>

#define IMPORT(n) __attribute__((import_module("test:guest/echo"), import_name(n)))
#define EXPORT(n) __attribute__((export_name("test:guest/echo#" n)))

/* ---------------------------------------------------------------- allocation */

extern unsigned char __heap_base;
static uintptr_t heap_top;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (!heap_top) heap_top = (uintptr_t)&__heap_base;
  uintptr_t p = (heap_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = p + new_size;
  size_t have = __builtin_wasm_memory_size(0) * 65536;
  if (end > have) {
    size_t pages = (end - have + 65535) / 65536;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
  }
  heap_top = end;
  if (old && old_size) __builtin_memcpy((void *)p, old, old_size < new_size ? old_size : new_size);
  return (void *)p;
}

static uint64_t retarea[16];
#define RET ((int32_t)(uintptr_t)retarea)

/* ---------------------------------------------------------------- scalars */

IMPORT("echo-bool") int32_t imp_bool(int32_t);
EXPORT("echo-bool") int32_t exp_bool(int32_t v) { return imp_bool(v); }
IMPORT("echo-s8") int32_t imp_s8(int32_t);
EXPORT("echo-s8") int32_t exp_s8(int32_t v) { return imp_s8(v); }
IMPORT("echo-u8") int32_t imp_u8(int32_t);
EXPORT("echo-u8") int32_t exp_u8(int32_t v) { return imp_u8(v); }
IMPORT("echo-s16") int32_t imp_s16(int32_t);
EXPORT("echo-s16") int32_t exp_s16(int32_t v) { return imp_s16(v); }
IMPORT("echo-u16") int32_t imp_u16(int32_t);
EXPORT("echo-u16") int32_t exp_u16(int32_t v) { return imp_u16(v); }
IMPORT("echo-s32") int32_t imp_s32(int32_t);
EXPORT("echo-s32") int32_t exp_s32(int32_t v) { return imp_s32(v); }
IMPORT("echo-u32") int32_t imp_u32(int32_t);
EXPORT("echo-u32") int32_t exp_u32(int32_t v) { return imp_u32(v); }
IMPORT("echo-s64") int64_t imp_s64(int64_t);
EXPORT("echo-s64") int64_t exp_s64(int64_t v) { return imp_s64(v); }
IMPORT("echo-u64") int64_t imp_u64(int64_t);
EXPORT("echo-u64") int64_t exp_u64(int64_t v) { return imp_u64(v); }
IMPORT("echo-f32") float imp_f32(float);
EXPORT("echo-f32") float exp_f32(float v) { return imp_f32(v); }
IMPORT("echo-f64") double imp_f64(double);
EXPORT("echo-f64") double exp_f64(double v) { return imp_f64(v); }
IMPORT("echo-char") int32_t imp_char(int32_t);
EXPORT("echo-char") int32_t exp_char(int32_t v) { return imp_char(v); }
IMPORT("echo-color") int32_t imp_color(int32_t);
EXPORT("echo-color") int32_t exp_color(int32_t v) { return imp_color(v); }
IMPORT("echo-perms") int32_t imp_perms(int32_t);
EXPORT("echo-perms") int32_t exp_perms(int32_t v) { return imp_perms(v); }
IMPORT("echo-result-empty") int32_t imp_result_empty(int32_t);
EXPORT("echo-result-empty") int32_t exp_result_empty(int32_t v) { return imp_result_empty(v); }
IMPORT("echo-none") void imp_none(void);
EXPORT("echo-none") void exp_none(void) { imp_none(); }

/* ---------------------------------------------------------------- through a return area */

#define PAIR(name, id)                                                      \
  IMPORT("echo-" name) void imp_##id(int32_t, int32_t, int32_t);            \
  EXPORT("echo-" name) int32_t exp_##id(int32_t a, int32_t b) {             \
    imp_##id(a, b, RET);                                                    \
    return RET;                                                             \
  }
PAIR("string", string)
PAIR("list-u8", list_u8)
PAIR("list-string", list_string)
PAIR("point", point)
PAIR("option", option)
PAIR("nested", nested)

#define TRIPLE(name, id)                                                    \
  IMPORT("echo-" name) void imp_##id(int32_t, int32_t, int32_t, int32_t);   \
  EXPORT("echo-" name) int32_t exp_##id(int32_t a, int32_t b, int32_t c) {  \
    imp_##id(a, b, c, RET);                                                 \
    return RET;                                                             \
  }
TRIPLE("shape", shape)
TRIPLE("result", result)

IMPORT("echo-mixed") void imp_mixed(int32_t, int64_t, int32_t, int32_t, int32_t, int32_t, int32_t, float, int32_t);
EXPORT("echo-mixed") int32_t exp_mixed(int32_t a, int64_t b, int32_t c0, int32_t c1, int32_t d0, int32_t d1, int32_t e0, float e1) {
  imp_mixed(a, b, c0, c1, d0, d1, e0, e1, RET);
  return RET;
}

IMPORT("echo-tuple") void imp_tuple(int32_t, int32_t, int32_t, double, int32_t);
EXPORT("echo-tuple") int32_t exp_tuple(int32_t a, int32_t b0, int32_t b1, double c) {
  imp_tuple(a, b0, b1, c, RET);
  return RET;
}

/* 16 u32 and a string: 18 flat values, so both sides pass a pointer to the arguments */
IMPORT("echo-many") int32_t imp_many(int32_t);
EXPORT("echo-many") int32_t exp_many(int32_t args) { return imp_many(args); }

/* ---------------------------------------------------------------- post-return */

static uint32_t post_returns;
__attribute__((export_name("cabi_post_test:guest/echo#echo-string"))) void post_string(int32_t ret) {
  (void)ret;
  post_returns++;
}
__attribute__((export_name("post-return-count"))) int32_t post_return_count(void) { return (int32_t)post_returns; }
