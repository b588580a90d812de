/* file.h — reading a whole file into a weld allocation (for the *_from_file APIs). */
#ifndef WELD_BASE_FILE_H
#define WELD_BASE_FILE_H
#include "weld/error.h"
#include <stddef.h>
#include <stdint.h>

/* Reads all of `path` into *out (base_alloc'd; free with base_free(*out, *out_cap)).  A file
 * larger than `max` bytes is an error "PATH: WHAT too large (more than MAX bytes)"; other
 * errors name the path and the system's reason. */
weld_error_t *base_read_file(const char *path, size_t max, const char *what, uint8_t **out, size_t *out_len,
                             size_t *out_cap);

#endif
