/* fuzz_wat.c — libFuzzer target for the text format (core spec §6, component-model
 * Explainer.md): the lexer and S-expression layer (text_parse_doc), then every top-level
 * form through the module encoder (text_encode_module, with `(module quote ...)`
 * re-entering the parser) or the component encoder (text_encode_component, strict and
 * default modes, with `(component quote ...)` re-entering the parser), and the whole-text
 * path (text_wat_to_wasm, which takes a module or a component).  Any input must give bytes
 * or an error with a message — never a crash, hang or leak.  A successful text encoding
 * must start with the wasm header (version 1 for a module, 0x0d layer 1 for a component).
 * Build and run: see tests/fuzz/README.md (seed corpus: the .wast files of
 * ../shared/testsuite/core and of the component suites). */
#include "base/vec.h"
#include "text/cwat.h"
#include "text/sexpr.h"
#include "text/wat.h"
#include "weld/error.h"
#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int contains(const uint8_t *p, size_t n, const char *word) {
  size_t w = strlen(word);
  for (size_t i = 0; i + w <= n; i++)
    if (!memcmp(p + i, word, w)) return 1;
  return 0;
}

static void check_error(weld_error_t *err) {
  if (!err) return;
  if (!weld_error_message(err)[0]) __builtin_trap();
  weld_error_delete(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  text_doc_t *doc = NULL;
  weld_error_t *err = text_parse_doc((const char *)data, size, "fuzz.wat", &doc);
  if (err) {
    check_error(err);
  } else {
    for (uint32_t k = 0; k < doc->nitems && k < 64; k++) {
      const text_sx_t *x = &doc->items[k];
      if (text_sx_is_form(x, "component")) {
        for (int strict = 0; strict < 2; strict++) {
          base_buf_t out = {0};
          const text_sx_t *name = NULL;
          err = strict ? text_encode_component_flags(doc, x, TEXT_CWAT_NO_NAMES, &out, &name)
                       : text_encode_component(doc, x, &out, &name);
          if (!err && !contains((const uint8_t *)doc->src + x->off, x->end_off - x->off, "binary") &&
              (out.len < 8 || memcmp(out.data, "\0asm\x0d\0\x01\0", 8) != 0))
            __builtin_trap();
          check_error(err);
          base_buf_free(&out);
        }
        continue;
      }
      if (!text_sx_is_form(x, "module")) continue;
      base_buf_t out = {0};
      const text_sx_t *name = NULL;
      err = text_encode_module(doc, x, &out, &name);
      if (!err && out.len < 8) {
        /* only `(module binary ...)` may produce fewer bytes than a header */
        if (!(x->nitems > 1 && (text_sx_is_atom(&x->items[1], "binary") ||
                                (x->nitems > 2 && text_sx_is_atom(&x->items[2], "binary")))))
          __builtin_trap();
      }
      check_error(err);
      base_buf_free(&out);
    }
    text_doc_free(doc);
  }
  base_buf_t out = {0};
  err = text_wat_to_wasm((const char *)data, size, "fuzz.wat", size & 1 ? TEXT_WAT_NO_NAMES : 0, &out);
  if (!err && (out.len < 8 || memcmp(out.data, "\0asm", 4) != 0)) {
    /* a bare (module binary ...) passes its bytes through verbatim */
    if (!contains(data, size, "binary")) __builtin_trap();
  }
  check_error(err);
  base_buf_free(&out);
  return 0;
}
