/* file.c — base_read_file (see file.h). */
#include "base/file.h"
#include "base/alloc.h"
#include "base/error.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

weld_error_t *base_read_file(const char *path, size_t max, const char *what, uint8_t **out, size_t *out_len,
                             size_t *out_cap) {
  *out = NULL;
  *out_len = *out_cap = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return base_error("%s: %s", path, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = base_alloc(cap);
  weld_error_t *err = buf ? NULL : base_error_oom();
  while (!err) {
    if (len == cap) {
      if (cap > max) {
        err = base_error("%s: %s too large (more than %zu bytes)", path, what, max);
        break;
      }
      uint8_t *nb = base_realloc(buf, cap, cap * 2);
      if (!nb) {
        err = base_error_oom();
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    len += n;
    if (n == 0) {
      if (ferror(f)) err = base_error("%s: read error", path);
      break;
    }
  }
  fclose(f);
  if (err) {
    base_free(buf, cap);
    return err;
  }
  *out = buf;
  *out_len = len;
  *out_cap = cap;
  return NULL;
}
