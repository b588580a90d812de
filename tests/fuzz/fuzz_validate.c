/* fuzz_validate.c — libFuzzer target: the two function-body validators must agree.
 * weld_module_validate (decode + src/core/validate_code.c) and weld_module_new (decode +
 * compile.c) must both accept or both reject every input, with the same message and byte
 * offset; anything else aborts.
 *
 * The first input byte picks the mode:
 *   even: the rest is a whole module binary;
 *   odd:  the rest is one function body (locals and instructions, without its size)
 *         placed in a fixed module with everything instructions can refer to: several
 *         function types (multi-value, v128, references), two memories, a funcref and an
 *         externref table, mutable and immutable globals, passive and declarative element
 *         segments, a data count and two passive data segments.  Bits 1-3 of the first
 *         byte choose the function's type.  This reaches instruction validation directly,
 *         which random module bytes rarely do.
 * Both modes run with every feature enabled and with multi-memory disabled.
 * Build and run: tests/fuzz/README.md. */
#include "base/vec.h"
#include "weld.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(weld_engine_t *engine, const uint8_t *bytes, size_t len) {
  weld_error_t *ev = weld_module_validate(engine, bytes, len);
  weld_module_t *mod = NULL;
  weld_error_t *en = weld_module_new(engine, bytes, len, &mod);
  if (mod) weld_module_delete(mod);
  if (!ev != !en) __builtin_trap();
  if (ev) {
    if (strcmp(weld_error_message(ev), weld_error_message(en)) != 0) __builtin_trap();
    if (weld_error_offset(ev) != weld_error_offset(en)) __builtin_trap();
  }
  weld_error_delete(ev);
  weld_error_delete(en);
}

static void section(base_buf_t *out, uint8_t id, const char *bytes, size_t n) {
  base_buf_byte(out, id);
  base_buf_u32leb(out, (uint32_t)n);
  base_buf_bytes(out, bytes, n);
}
#define SEC(out, id, s) section(out, id, s, sizeof(s) - 1)

/* The fixed module around a fuzzed body: function 0 has type `type` and the fuzzed body;
 * functions 1 and 2 (types 0 and 1) are trivial. */
static void wrap_body(base_buf_t *out, unsigned type, const uint8_t *body, size_t n) {
  base_buf_bytes(out, "\0asm\1\0\0\0", 8);
  /* types: 0 [] -> [], 1 [i32 i32] -> [i32], 2 [i64 f32] -> [f64 v128],
   * 3 [funcref externref] -> [externref], 4 [v128] -> [i32 i64 f32 f64],
   * 5 [i32] -> [i32 i32], 6 [f64] -> [], 7 [] -> [i32] */
  SEC(out, 1,
      "\x08"
      "\x60\x00\x00"
      "\x60\x02\x7f\x7f\x01\x7f"
      "\x60\x02\x7e\x7d\x02\x7c\x7b"
      "\x60\x02\x70\x6f\x01\x6f"
      "\x60\x01\x7b\x04\x7f\x7e\x7d\x7c"
      "\x60\x01\x7f\x02\x7f\x7f"
      "\x60\x01\x7c\x00"
      "\x60\x00\x01\x7f");
  char funcs[] = "\x03\x00\x00\x01";
  funcs[1] = (char)(type & 7);
  section(out, 3, funcs, 4);
  SEC(out, 4, "\x02\x70\x00\x02\x6f\x01\x00\x03");       /* funcref [2], externref [0, 3] */
  SEC(out, 5, "\x02\x00\x01\x01\x00\x02");               /* two memories */
  SEC(out, 6,                                            /* globals */
      "\x04"
      "\x7f\x01\x41\x00\x0b"                              /* mut i32 */
      "\x7c\x00\x44\x00\x00\x00\x00\x00\x00\x00\x00\x0b"  /* f64 */
      "\x70\x01\xd2\x01\x0b"                              /* mut funcref = ref.func 1 */
      "\x7b\x00\xfd\x0c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0b");
  SEC(out, 7, "\x01\x01\x66\x00\x02");                   /* export "f" = func 2 */
  SEC(out, 9,                                            /* elems */
      "\x03"
      "\x01\x00\x01\x00"                                  /* passive funcref: 0 */
      "\x03\x00\x01\x01"                                  /* declarative: 1 */
      "\x05\x6f\x01\xd0\x6f\x0b");                        /* passive externref: null */
  SEC(out, 12, "\x02");
  /* code */
  base_buf_t code = {0};
  base_buf_u32leb(&code, 3);
  base_buf_u32leb(&code, (uint32_t)n);
  base_buf_bytes(&code, body, n);
  base_buf_bytes(&code, "\x02\x00\x0b", 3);
  base_buf_bytes(&code, "\x04\x00\x41\x00\x0b", 5);
  section(out, 10, (const char *)code.data, code.len);
  base_buf_free(&code);
  SEC(out, 11, "\x02\x01\x01\x61\x01\x00");              /* two passive data segments */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static weld_engine_t *engine, *engine_nomm;
  if (!engine) {
    weld_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    engine = weld_engine_new(NULL);
    cfg.disabled_features = WELD_FEATURE_MULTI_MEMORY;
    engine_nomm = weld_engine_new(&cfg);
  }
  if (size == 0) return 0;
  if (!(data[0] & 1)) {
    check(engine, data + 1, size - 1);
    check(engine_nomm, data + 1, size - 1);
    return 0;
  }
  base_buf_t mod = {0};
  wrap_body(&mod, data[0] >> 1, data + 1, size - 1);
  if (!mod.oom) {
    check(engine, mod.data, mod.len);
    check(engine_nomm, mod.data, mod.len);
  }
  base_buf_free(&mod);
  return 0;
}
