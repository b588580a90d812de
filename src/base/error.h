/* error.h — building weld_error_t values (public side in weld/error.h).
 *
 * Messages say what is wrong, then where: base_error_at appends " (at byte 0x..)" style
 * offsets through weld_error_offset; text and WIT errors put "file:line:col" and the
 * source line with a caret in the message itself. */
#ifndef WELD_BASE_ERROR_H
#define WELD_BASE_ERROR_H
#include "weld/error.h"
#include <stdarg.h>
#include <stddef.h>

#define BASE_NO_OFFSET ((size_t)-1)

struct weld_error {
  char *message;
  size_t offset;
};

/* A new error; if allocation fails, a shared static "out of memory" error is returned
 * (weld_error_delete ignores it), so callers never get NULL. */
weld_error_t *base_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
weld_error_t *base_error_at(size_t offset, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
weld_error_t *base_error_v(size_t offset, const char *fmt, va_list ap);
weld_error_t *base_error_oom(void);
/* Prefix an existing error's message: "context: message". Returns err. */
weld_error_t *base_error_wrap(weld_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
