/* wat_api.c — the public text-to-binary entry points (weld/module.h): weld_wat_to_wasm and
 * weld_free_bytes. */
#include "base/alloc.h"
#include "text/wat.h"
#include "weld/module.h"

weld_error_t *weld_wat_to_wasm(const char *text, size_t len, uint8_t **out, size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  base_buf_t b = {0};
  weld_error_t *err = text_wat_to_wasm(text, len, "<input>", 0, &b);
  if (err) {
    base_buf_free(&b);
    return err;
  }
  if (b.oom) {
    base_buf_free(&b);
    return base_error_oom();
  }
  /* hand over the buffer; shrink it so weld_free_bytes can pass the exact size */
  uint8_t *p = base_realloc(b.data, b.cap, b.len ? b.len : 1);
  if (!p) {
    base_buf_free(&b);
    return base_error_oom();
  }
  *out = p;
  *out_len = b.len;
  return NULL;
}

void weld_free_bytes(uint8_t *bytes, size_t len) { base_free(bytes, len ? len : 1); }
