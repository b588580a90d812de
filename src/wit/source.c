/* source.c — WIT source map and error rendering (see source.h). */
#include "wit/source.h"
#include "base/error.h"
#include "base/vec.h"
#include <stdarg.h>
#include <stdio.h>

bool wit_srcmap_add(wit_arena_t *a, wit_srcmap_t *sm, const char *path, const char *text, size_t len,
                    wit_source_t **out) {
  if (len >= UINT32_MAX - 1 || (uint64_t)sm->next + len + 1 >= UINT32_MAX - 1) return false;
  wit_source_t s = {wit_strdup(a, path), text, (uint32_t)len, sm->next, false};
  if (!s.path || !s.text || !AVEC_PUSH(a, &sm->files, s)) return false;
  sm->next += (uint32_t)len + 1;
  if (out) *out = &VEC_LAST(&sm->files);
  return true;
}

bool wit_srcmap_add_binary(wit_arena_t *a, wit_srcmap_t *sm, const char *path, const uint8_t *bytes, size_t len,
                           wit_source_t **out) {
  if (!wit_srcmap_add(a, sm, path, (const char *)bytes, len, out)) return false;
  VEC_LAST(&sm->files).binary = true;
  return true;
}

static const wit_source_t *find_source(const wit_srcmap_t *sm, uint32_t off) {
  const wit_source_t *best = NULL;
  size_t lo = 0, hi = sm->files.len;
  while (lo < hi) { /* last file whose offset <= off */
    size_t mid = (lo + hi) / 2;
    if (sm->files.data[mid].offset <= off) {
      best = &sm->files.data[mid];
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return best;
}

typedef struct {
  const wit_source_t *src;
  uint32_t line, col;         /* 0-based */
  const char *ls;             /* start of the line */
  uint32_t llen;              /* length without newline */
} loc_t;

static bool locate(const wit_srcmap_t *sm, uint32_t off, loc_t *l) {
  if (off == UINT32_MAX) return false;
  l->src = find_source(sm, off);
  if (!l->src) return false;
  uint32_t rel = off - l->src->offset;
  if (rel > l->src->len) rel = l->src->len;
  if (l->src->binary) {
    l->line = 0;
    l->col = rel; /* the byte offset */
    l->ls = NULL;
    l->llen = 0;
    return true;
  }
  const char *t = l->src->text;
  uint32_t line = 0, ls = 0;
  for (uint32_t i = 0; i < rel; i++)
    if (t[i] == '\n') {
      line++;
      ls = i + 1;
    }
  uint32_t le = ls;
  while (le < l->src->len && t[le] != '\n') le++;
  uint32_t llen = le - ls;
  if (llen && t[ls + llen - 1] == '\r') llen--;
  l->line = line;
  l->col = rel - ls;
  l->ls = t + ls;
  l->llen = llen;
  return true;
}

void wit_render_location(const wit_srcmap_t *sm, wit_span_t span, char *buf, size_t cap) {
  loc_t l;
  if (!locate(sm, span.start, &l)) {
    snprintf(buf, cap, "<unknown>");
    return;
  }
  if (l.src->binary) snprintf(buf, cap, "%s: byte offset %u (0x%x)", l.src->path, l.col, l.col);
  else snprintf(buf, cap, "%s:%u:%u", l.src->path, l.line + 1, l.col + 1);
}

weld_error_t *wit_error_at(const wit_srcmap_t *sm, wit_span_t span, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  loc_t l;
  if (!sm || !locate(sm, span.start, &l)) return base_error("%s", msg);
  if (l.src->binary) return base_error("%s\n     --> %s: byte offset %u (0x%x)", msg, l.src->path, l.col, l.col);
  base_buf_t b = {0};
  base_buf_printf(&b, "%s\n     --> %s:%u:%u\n      |\n %4u | ", msg, l.src->path, l.line + 1, l.col + 1,
                  l.line + 1);
  base_buf_bytes(&b, l.ls, l.llen);
  base_buf_printf(&b, "\n      | %*s", (int)l.col + 1, "^");
  /* one '-' per further character of the span, on the same line */
  if (span.end != UINT32_MAX && span.end > span.start) {
    uint32_t rel_end = span.end - l.src->offset;
    uint32_t rel_start = span.start - l.src->offset;
    if (rel_end > l.src->len) rel_end = l.src->len;
    uint32_t chars = 0;
    for (uint32_t i = rel_start; i < rel_end; i++)
      if (((unsigned char)l.src->text[i] & 0xc0) != 0x80) chars++;
    for (uint32_t i = 1; i < chars && i < 4096; i++) base_buf_byte(&b, '-');
  }
  char *s = base_buf_take_str(&b);
  if (!s) return base_error_oom();
  weld_error_t *e = base_error("%s", s);
  base_free(s, 0);
  return e;
}
