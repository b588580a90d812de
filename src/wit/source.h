/* source.h — the WIT source map: every file of a package group gets a range of global byte
 * offsets so one 32-bit span names a file and a position; errors are rendered as
 *
 *   message
 *        --> file:line:col
 *         |
 *      12 | the source line
 *         |     ^----
 *
 * (line and column 1-based, the column counted in bytes); for a binary file the location
 * is `--> file: byte offset N (0xN)` without a source line. */
#ifndef WELD_WIT_SOURCE_H
#define WELD_WIT_SOURCE_H
#include "weld/error.h"
#include "wit/arena.h"

typedef struct wit_span {
  uint32_t start, end;
} wit_span_t;
#define WIT_NO_SPAN ((wit_span_t){UINT32_MAX, UINT32_MAX})

typedef struct wit_source {
  const char *path;
  const char *text; /* len bytes (borrowed) */
  uint32_t len;
  uint32_t offset; /* global offset of text[0]; the file occupies len + 1 offsets */
  bool binary;     /* a binary file: locations are byte offsets, no source line is shown */
} wit_source_t;

typedef struct wit_srcmap {
  struct { wit_source_t *data; size_t len, cap; } files;
  uint32_t next; /* next free global offset */
} wit_srcmap_t;

/* Adds a file; the text is not copied and must stay valid (and unchanged) while the
 * source map is used.  False on OOM or if the total exceeds 4 GiB. */
bool wit_srcmap_add(wit_arena_t *a, wit_srcmap_t *sm, const char *path, const char *text, size_t len,
                    wit_source_t **out);
/* Adds a binary file (WIT encoded as WebAssembly): spans are byte offsets in it. */
bool wit_srcmap_add_binary(wit_arena_t *a, wit_srcmap_t *sm, const char *path, const uint8_t *bytes, size_t len,
                           wit_source_t **out);
/* "message" + location block for span (or just the message when span is unknown). */
weld_error_t *wit_error_at(const wit_srcmap_t *sm, wit_span_t span, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "file:line:col" for a span (written into buf). */
void wit_render_location(const wit_srcmap_t *sm, wit_span_t span, char *buf, size_t cap);

#endif
