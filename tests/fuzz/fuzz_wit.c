/* fuzz_wit.c — libFuzzer target for the WIT front end (lexer, parser, resolver,
 * elaboration, printer, JSON).
 *
 * The input is WIT text.  If it resolves, the JSON and WIT forms are produced and the
 * printed WIT must parse and resolve again (a printer/parser disagreement aborts).  The
 * first byte's low bit chooses whether all feature gates are enabled.
 *
 *   CC=clang-19 cmake -S . -B build-fuzz -DWELD_FUZZ=ON && cmake --build build-fuzz --target fuzz_wit
 *   ./build-fuzz/fuzz/fuzz_wit -max_len=8192 corpus-wit/ ../shared/testsuite/wit-parser/ui/
 *
 * (Seed with the suite's .wit files: libFuzzer reads every file of the given folders.) */
#include "weld/wit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  weld_wit_t *w = weld_wit_new();
  if (!w) return 0;
  weld_wit_enable_all_features(w, size && (data[0] & 1));
  uint32_t pkg;
  weld_error_t *e = weld_wit_push_str(w, "fuzz.wit", (const char *)data, size, &pkg);
  if (e) {
    (void)weld_error_message(e);
    weld_error_delete(e);
    weld_wit_delete(w);
    return 0;
  }
  char *json = weld_wit_to_json(w);
  weld_wit_free_string(json);
  char *text = weld_wit_print(w, WELD_WIT_NONE, WELD_WIT_NONE);
  if (text) {
    weld_wit_t *w2 = weld_wit_new();
    weld_wit_enable_all_features(w2, size && (data[0] & 1));
    e = weld_wit_push_str(w2, "printed.wit", text, strlen(text), NULL);
    if (e) {
      fprintf(stderr, "printed WIT does not parse again: %s\n--- printed:\n%s\n", weld_error_message(e), text);
      abort();
    }
    weld_wit_delete(w2);
    weld_wit_free_string(text);
  }
  weld_wit_delete(w);
  return 0;
}
