/* fuzz_witbin.c — libFuzzer target for WIT packages encoded as WebAssembly
 * (src/wit/decode.c, encode.c, metadata.c).
 *
 * The input is a binary given to weld_wit_push_wasm (a component, or a core module with a
 * component-type section).  When it decodes, the set is printed and serialized, and every
 * package is encoded again and pushed, in order, into a fresh set: that must succeed and
 * print the same WIT (a decoder/encoder disagreement aborts).
 *
 *   CC=clang-19 cmake -S . -B build-fuzz -DWELD_FUZZ=ON && cmake --build build-fuzz --target fuzz_witbin
 *   ./build-fuzz/fuzz/fuzz_witbin -max_len=65536 corpus-witbin seed-witbin
 *
 * Seeds: WIT package binaries, e.g. every WASI 0.2 package encoded with `weld wit FILE
 * --wasm -o seed-witbin/NAME.wasm --dep OTHER...` (tests/fuzz/README.md has the loop). */
#include "weld/wit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  weld_wit_t *w = weld_wit_new();
  if (!w) return 0;
  weld_error_t *e = weld_wit_push_wasm(w, "fuzz.wasm", data, size, NULL);
  if (e) {
    if (!weld_error_message(e)[0]) abort(); /* every error has a message */
    weld_error_delete(e);
    weld_wit_delete(w);
    return 0;
  }
  char *json = weld_wit_to_json(w);
  weld_wit_free_string(json);
  char *text = weld_wit_print(w, WELD_WIT_NONE, WELD_WIT_NONE);
  weld_wit_t *w2 = weld_wit_new();
  for (uint32_t i = 0; w2 && i < weld_wit_package_count(w); i++) {
    uint8_t *bytes = NULL;
    size_t len = 0;
    e = weld_wit_encode_package(w, i, &bytes, &len);
    if (!e) e = weld_wit_push_wasm(w2, "again.wasm", bytes, len, NULL);
    if (e) {
      fprintf(stderr, "package %u does not encode and decode again: %s\n--- decoded:\n%s\n", i, weld_error_message(e),
              text ? text : "?");
      abort();
    }
    weld_wit_free_bytes(bytes);
  }
  char *text2 = w2 ? weld_wit_print(w2, WELD_WIT_NONE, WELD_WIT_NONE) : NULL;
  if (text && text2 && strcmp(text, text2)) {
    fprintf(stderr, "the encoded set prints differently\n--- decoded:\n%s\n--- again:\n%s\n", text, text2);
    abort();
  }
  weld_wit_free_string(text);
  weld_wit_free_string(text2);
  weld_wit_delete(w2);
  weld_wit_delete(w);
  return 0;
}
