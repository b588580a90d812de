/* weld/error.h — errors: what went wrong when a request could not be carried out
 * (malformed or invalid input, misuse of the API, out of memory).  A guest failing at run
 * time is a trap instead (weld/trap.h). */
#ifndef WELD_ERROR_H
#define WELD_ERROR_H
#include "weld/common.h"
WELD_EXTERN_C_BEGIN

/* The message, e.g. "type mismatch: expected i32, found i64 (at byte 0x2f)". */
WELD_API const char *weld_error_message(const weld_error_t *err);
/* Byte offset in the binary input the error refers to, or SIZE_MAX if none. */
WELD_API size_t weld_error_offset(const weld_error_t *err);
WELD_API void weld_error_delete(WELD_OWN weld_error_t *err);

WELD_EXTERN_C_END
#endif
