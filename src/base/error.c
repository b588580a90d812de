/* error.c — weld_error_t (see weld/error.h and base/error.h). */
#include "base/error.h"
#include "base/alloc.h"
#include <stdio.h>
#include <string.h>

static struct weld_error g_oom = {(char *)"out of memory", BASE_NO_OFFSET};

weld_error_t *base_error_oom(void) { return &g_oom; }

weld_error_t *base_error_v(size_t offset, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) n = 0;
  char off[48] = "";
  if (offset != BASE_NO_OFFSET) snprintf(off, sizeof off, " (at byte 0x%zx)", offset);
  size_t total = (size_t)n + strlen(off) + 1;
  weld_error_t *e = base_alloc(sizeof *e);
  char *msg = base_alloc(total);
  if (!e || !msg) {
    base_free(e, sizeof *e);
    base_free(msg, total);
    return &g_oom;
  }
  vsnprintf(msg, (size_t)n + 1, fmt, ap);
  strcpy(msg + n, off);
  e->message = msg;
  e->offset = offset;
  return e;
}

weld_error_t *base_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  weld_error_t *e = base_error_v(BASE_NO_OFFSET, fmt, ap);
  va_end(ap);
  return e;
}

weld_error_t *base_error_at(size_t offset, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  weld_error_t *e = base_error_v(offset, fmt, ap);
  va_end(ap);
  return e;
}

weld_error_t *base_error_wrap(weld_error_t *err, const char *fmt, ...) {
  if (!err || err == &g_oom) return err;
  char prefix[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  size_t a = strlen(prefix), b = strlen(err->message);
  char *msg = base_alloc(a + 2 + b + 1);
  if (!msg) return err;
  memcpy(msg, prefix, a);
  memcpy(msg + a, ": ", 2);
  memcpy(msg + a + 2, err->message, b + 1);
  base_free(err->message, 0);
  err->message = msg;
  return err;
}

const char *weld_error_message(const weld_error_t *err) { return err ? err->message : ""; }
size_t weld_error_offset(const weld_error_t *err) { return err ? err->offset : BASE_NO_OFFSET; }
void weld_error_delete(weld_error_t *err) {
  if (!err || err == &g_oom) return;
  base_free(err->message, 0);
  base_free(err, sizeof *err);
}
