/* sexpr.c — the lexer and S-expression tree of the text format (core spec §6.3 "Lexical
 * Format", document/core/text/lexical.rst), shared by .wat, .wast and the component text
 * format.
 *
 * Tokens (§6.3.1): '(' and ')', strings, ids ($name, and $"name" of the 3.0 text format),
 * and every other run of idchars, which is kept raw as an atom (keyword, number or reserved
 * token: the parsers decide).  A run mixing strings and other characters (`$l"a"`,
 * `"a"x`) is one reserved token, which no parser accepts.  Whitespace (§6.3.5): space,
 * tab, LF, CR, `;;` line comments and nested `(; ;)` block comments.  The whole source must
 * be UTF-8 (§6.3.1: source text is Unicode).
 *
 * The tree is built without recursion: children are gathered on a scratch stack and moved
 * into the document's arena when their list closes; depth is capped at
 * WELD_MAX_TEXT_NESTING.  All nodes, decoded strings and the copy of the source live in
 * one arena freed by text_doc_free. */
#include "text/sexpr.h"
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------------------------ */

typedef struct arena_block {
  struct arena_block *next;
  size_t size, used;
  /* data follows, aligned to 16 */
} arena_block_t;

#define ARENA_HDR ((sizeof(arena_block_t) + 15) & ~(size_t)15)
#define ARENA_CHUNK ((size_t)64 * 1024)

typedef struct arena {
  arena_block_t *head;
} arena_t;

static void *arena_alloc(arena_t *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  arena_block_t *b = a->head;
  if (!b || b->size - b->used < n) {
    size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
    size_t total;
    if (!base_add_ok(size, ARENA_HDR, &total)) return NULL;
    arena_block_t *nb = base_alloc(total);
    if (!nb) return NULL;
    nb->size = size;
    nb->used = 0;
    if (size == ARENA_CHUNK || !b) { /* new current block */
      nb->next = b;
      a->head = nb;
    } else { /* a big one-off block: keep the current block current */
      nb->next = b->next;
      b->next = nb;
    }
    b = nb;
  }
  void *p = (char *)b + ARENA_HDR + b->used;
  b->used += n;
  return p;
}

static void arena_free(arena_t *a) {
  arena_block_t *b = a->head;
  while (b) {
    arena_block_t *next = b->next;
    base_free(b, ARENA_HDR + b->size);
    b = next;
  }
  a->head = NULL;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* "file:line:col: message\n<line>\n<caret>", the displayed line clipped around the column. */
static weld_error_t *error_at(const char *filename, const char *src, size_t src_len, size_t off,
                              uint32_t line, uint32_t col, const char *fmt, va_list ap) {
  base_buf_t b = {0};
  base_buf_printf(&b, "%s:%u:%u: ", filename ? filename : "<input>", line, col);
  va_list ap2;
  va_copy(ap2, ap);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap2);
  va_end(ap2);
  if (n >= 0 && (size_t)n < sizeof small) {
    base_buf_bytes(&b, small, (size_t)n);
  } else if (n > 0) {
    char *big = base_alloc((size_t)n + 1);
    if (big) {
      vsnprintf(big, (size_t)n + 1, fmt, ap);
      base_buf_bytes(&b, big, (size_t)n);
      base_free(big, (size_t)n + 1);
    }
  }
  if (src && off <= src_len) {
    size_t ls = off, le = off;
    while (ls > 0 && src[ls - 1] != '\n' && src[ls - 1] != '\r') ls--;
    while (le < src_len && src[le] != '\n' && src[le] != '\r') le++;
    /* clip long lines to a window around the error */
    size_t from = ls, to = le;
    if (off - from > 60) from = off - 60;
    while (from > ls && ((unsigned char)src[from] & 0xc0) == 0x80) from--;
    if (to - off > 60) to = off + 60;
    while (to < le && ((unsigned char)src[to] & 0xc0) == 0x80) to++;
    base_buf_printf(&b, "\n  %s", from > ls ? "..." : "");
    base_buf_bytes(&b, src + from, to - from);
    if (to < le) base_buf_printf(&b, "...");
    base_buf_printf(&b, "\n  %s", from > ls ? "   " : "");
    for (size_t i = from; i < off; i++) {
      unsigned char c = (unsigned char)src[i];
      if ((c & 0xc0) == 0x80) continue;
      base_buf_byte(&b, c == '\t' ? '\t' : ' ');
    }
    base_buf_byte(&b, '^');
  }
  char *msg = base_buf_take_str(&b);
  if (!msg) return base_error_oom();
  weld_error_t *e = base_error("%s", msg);
  base_free(msg, 0);
  return e;
}

weld_error_t *text_error(const text_doc_t *doc, const text_sx_t *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  weld_error_t *e;
  if (at && doc)
    e = error_at(doc->filename, doc->src, doc->src_len, at->off, at->line, at->col, fmt, ap);
  else if (doc) {
    /* no node: point at the end of the document */
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    e = base_error("%s: %s", doc->filename ? doc->filename : "<input>", tmp);
  } else {
    e = base_error_v(BASE_NO_OFFSET, fmt, ap);
  }
  va_end(ap);
  return e;
}

/* ---- lexer state -------------------------------------------------------------------------- */

typedef struct frame {
  uint32_t start; /* index in scratch where the list's children begin */
  text_sx_t node;
} frame_t;

typedef struct lexer {
  text_doc_t *doc;
  arena_t *arena;
  const char *s;
  size_t n, pos;
  /* incremental line/column: position pos_off is at line/col */
  size_t lc_off;
  uint32_t lc_line, lc_col;
  VEC(text_sx_t) scratch;
  VEC(frame_t) frames;
  size_t nnodes; /* tokens and lists so far, capped by WELD_MAX_TEXT_NODES */
} lexer_t;

static void lc_advance(lexer_t *L, size_t off) {
  for (size_t i = L->lc_off; i < off; i++) {
    unsigned char c = (unsigned char)L->s[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= L->n || L->s[i + 1] != '\n'))) {
      L->lc_line++;
      L->lc_col = 1;
    } else if (c == '\r') {
      /* CR of a CR LF pair: the LF counts the line */
    } else if ((c & 0xc0) != 0x80) {
      L->lc_col++;
    }
  }
  L->lc_off = off;
}

static weld_error_t *lex_error(lexer_t *L, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static weld_error_t *lex_error(lexer_t *L, size_t off, const char *fmt, ...) {
  uint32_t line, col;
  if (off >= L->lc_off) {
    lc_advance(L, off);
    line = L->lc_line;
    col = L->lc_col;
  } else { /* recompute from the start (errors only) */
    line = 1;
    col = 1;
    for (size_t i = 0; i < off; i++) {
      unsigned char c = (unsigned char)L->s[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= L->n || L->s[i + 1] != '\n'))) line++, col = 1;
      else if (c != '\r' && (c & 0xc0) != 0x80) col++;
    }
  }
  va_list ap;
  va_start(ap, fmt);
  weld_error_t *e = error_at(L->doc->filename, L->s, L->n, off, line, col, fmt, ap);
  va_end(ap);
  return e;
}

static int is_idchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
  case '.': case '/': case ':': case '<': case '=': case '>': case '?': case '@': case '\\':
  case '^': case '_': case '`': case '|': case '~':
    return 1;
  default:
    return 0;
  }
}
/* Characters the 3.0 grammar reserves: they may only appear inside reserved tokens. */
static int is_reserved_char(unsigned char c) {
  return c == ',' || c == ';' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Skips whitespace and comments. */
static weld_error_t *skip_space(lexer_t *L) {
  const char *s = L->s;
  while (L->pos < L->n) {
    char c = s[L->pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      L->pos++;
    } else if (c == ';' && L->pos + 1 < L->n && s[L->pos + 1] == ';') {
      /* a line comment ends at any newline: LF, CR or CR LF (§6.3.5) */
      while (L->pos < L->n && s[L->pos] != '\n' && s[L->pos] != '\r') L->pos++;
    } else if (c == '(' && L->pos + 1 < L->n && s[L->pos + 1] == ';') {
      size_t start = L->pos;
      uint32_t depth = 0;
      while (1) {
        if (L->pos + 1 >= L->n) return lex_error(L, start, "unterminated block comment");
        if (s[L->pos] == '(' && s[L->pos + 1] == ';') {
          depth++;
          L->pos += 2;
        } else if (s[L->pos] == ';' && s[L->pos + 1] == ')') {
          L->pos += 2;
          if (--depth == 0) break;
        } else {
          L->pos++;
        }
      }
    } else {
      break;
    }
  }
  return NULL;
}

/* Scans a string starting at the opening quote; decodes into out (may be NULL to only
 * check).  Sets *end past the closing quote. */
static weld_error_t *scan_string(lexer_t *L, size_t start, size_t *end, uint8_t *out, uint32_t *out_len) {
  const char *s = L->s;
  size_t i = start + 1;
  uint32_t k = 0;
  while (1) {
    if (i >= L->n || s[i] == '\n' || s[i] == '\r') return lex_error(L, start, "unterminated string");
    unsigned char c = (unsigned char)s[i];
    if (c == '"') break;
    if (c < 0x20 || c == 0x7f) return lex_error(L, i, "control character in string (use an escape)");
    if (c != '\\') {
      if (out) out[k] = c;
      k++;
      i++;
      continue;
    }
    if (i + 1 >= L->n) return lex_error(L, start, "unterminated string");
    char e = s[i + 1];
    uint8_t v;
    switch (e) {
    case 't': v = '\t'; break;
    case 'n': v = '\n'; break;
    case 'r': v = '\r'; break;
    case '"': v = '"'; break;
    case '\'': v = '\''; break;
    case '\\': v = '\\'; break;
    case 'u': {
      size_t j = i + 2;
      if (j >= L->n || s[j] != '{') return lex_error(L, i, "malformed \\u escape: expected '{'");
      j++;
      uint32_t cp = 0;
      size_t nd = 0;
      int prev_us = 1; /* '_' only between digits */
      while (j < L->n && s[j] != '}') {
        char h = s[j];
        int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10
              : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
        if (h == '_' && !prev_us) {
          prev_us = 1;
          j++;
          continue;
        }
        if (d < 0) return lex_error(L, j, "malformed \\u escape");
        prev_us = 0;
        if (cp <= 0x10ffff) cp = cp * 16 + (uint32_t)d;
        nd++;
        j++;
      }
      if (j >= L->n || nd == 0 || prev_us) return lex_error(L, i, "malformed \\u escape");
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
        return lex_error(L, i, "\\u escape is not a Unicode scalar value");
      uint8_t tmp[4];
      size_t len = base_utf8_encode(cp, tmp);
      if (out) memcpy(out + k, tmp, len);
      k += (uint32_t)len;
      i = j + 1;
      continue;
    }
    default: {
      int h1 = -1, h2 = -1;
      char a = e, b2 = i + 2 < L->n ? s[i + 2] : 0;
      h1 = (a >= '0' && a <= '9') ? a - '0' : (a >= 'a' && a <= 'f') ? a - 'a' + 10
         : (a >= 'A' && a <= 'F') ? a - 'A' + 10 : -1;
      h2 = (b2 >= '0' && b2 <= '9') ? b2 - '0' : (b2 >= 'a' && b2 <= 'f') ? b2 - 'a' + 10
         : (b2 >= 'A' && b2 <= 'F') ? b2 - 'A' + 10 : -1;
      if (h1 < 0 || h2 < 0) return lex_error(L, i, "unknown escape sequence");
      if (out) out[k] = (uint8_t)(h1 * 16 + h2);
      k++;
      i += 3;
      continue;
    }
    }
    if (out) out[k] = v;
    k++;
    i += 2;
  }
  *end = i + 1;
  if (out_len) *out_len = k;
  return NULL;
}

/* Scans one token (not a parenthesis) at L->pos into *node. */
static weld_error_t *scan_token(lexer_t *L, text_sx_t *node) {
  const char *s = L->s;
  size_t start = L->pos, i = start;
  int nstrings = 0, nother = 0;
  size_t first_string = 0;
  while (i < L->n) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')') break;
    if (c == ';' && i + 1 < L->n && s[i + 1] == ';') break;
    if (c == '"') {
      size_t end;
      weld_error_t *err = scan_string(L, i, &end, NULL, NULL);
      if (err) return err;
      if (nstrings++ == 0) first_string = i;
      i = end;
      continue;
    }
    if (!is_idchar(c) && !is_reserved_char(c)) {
      if (c >= 0x80) return lex_error(L, i, "unexpected character (non-ASCII outside a string)");
      return lex_error(L, i, "unexpected character 0x%02x", c);
    }
    nother++;
    i++;
  }
  lc_advance(L, start);
  memset(node, 0, sizeof *node);
  node->line = L->lc_line;
  node->col = L->lc_col;
  node->off = (uint32_t)start;
  node->text = s + start;
  node->len = (uint32_t)(i - start);
  L->pos = i;
  if (nstrings == 1 && nother == 0) {
    node->kind = SX_STRING;
  } else if (nstrings == 1 && nother == 1 && s[start] == '$' && first_string == start + 1) {
    node->kind = SX_ID; /* $"quoted" */
  } else if (nstrings == 0 && s[start] == '$' && i - start >= 2) {
    int ok = 1;
    for (size_t j = start + 1; j < i; j++)
      if (!is_idchar((unsigned char)s[j])) ok = 0;
    node->kind = ok ? SX_ID : SX_ATOM;
    return NULL;
  } else {
    node->kind = SX_ATOM;
    return NULL;
  }
  /* decode the string part */
  size_t q = node->kind == SX_STRING ? start : start + 1;
  size_t raw = i - q;
  uint8_t *buf = arena_alloc(L->arena, raw);
  if (!buf) return base_error_oom();
  size_t end;
  weld_error_t *err = scan_string(L, q, &end, buf, &node->str_len);
  if (err) return err;
  node->str = buf;
  if (node->kind == SX_ID) {
    if (node->str_len == 0) return lex_error(L, start, "empty identifier");
    if (!base_utf8_valid(buf, node->str_len)) return lex_error(L, start, "identifier is not valid UTF-8");
  }
  return NULL;
}

static weld_error_t *check_utf8(lexer_t *L) {
  const uint8_t *s = (const uint8_t *)L->s;
  if (base_utf8_valid(s, L->n)) return NULL;
  size_t i = 0;
  while (i < L->n) {
    uint32_t cp;
    size_t k = base_utf8_decode(s + i, L->n - i, &cp);
    if (k == 0) return lex_error(L, i, "malformed UTF-8 encoding");
    i += k;
  }
  return NULL;
}

static weld_error_t *lex(lexer_t *L) {
  weld_error_t *err = check_utf8(L);
  if (err) return err;
  while (1) {
    if ((err = skip_space(L))) return err;
    if (L->pos >= L->n) break;
    char c = L->s[L->pos];
    if (c == '(') {
      if (L->frames.len >= WELD_MAX_TEXT_NESTING)
        return lex_error(L, L->pos, "nesting too deep (more than %u levels)", WELD_MAX_TEXT_NESTING);
      frame_t f;
      memset(&f, 0, sizeof f);
      lc_advance(L, L->pos);
      f.start = (uint32_t)L->scratch.len;
      f.node.kind = SX_LIST;
      f.node.line = L->lc_line;
      f.node.col = L->lc_col;
      f.node.off = (uint32_t)L->pos;
      f.node.text = L->s + L->pos;
      if (!VEC_PUSH(&L->frames, f)) return base_error_oom();
      L->pos++;
    } else if (c == ')') {
      if (L->frames.len == 0) return lex_error(L, L->pos, "unexpected ')'");
      frame_t f = VEC_POP(&L->frames);
      size_t cnt = L->scratch.len - f.start;
      f.node.nitems = (uint32_t)cnt;
      if (cnt) {
        size_t bytes;
        if (!base_mul_ok(cnt, sizeof(text_sx_t), &bytes)) return base_error_oom();
        f.node.items = arena_alloc(L->arena, bytes);
        if (!f.node.items) return base_error_oom();
        memcpy(f.node.items, L->scratch.data + f.start, bytes);
      }
      L->scratch.len = f.start;
      L->pos++;
      f.node.end_off = (uint32_t)L->pos;
      f.node.len = f.node.end_off - f.node.off;
      if (!VEC_PUSH(&L->scratch, f.node)) return base_error_oom();
    } else {
      text_sx_t node;
      if ((err = scan_token(L, &node))) return err;
      if (++L->nnodes > WELD_MAX_TEXT_NODES)
        return lex_error(L, node.off, "too many tokens (limit %u)", WELD_MAX_TEXT_NODES);
      if (!VEC_PUSH(&L->scratch, node)) return base_error_oom();
    }
  }
  if (L->frames.len) {
    frame_t *f = &L->frames.data[L->frames.len - 1];
    return lex_error(L, f->node.off, "unclosed '(' (missing ')')");
  }
  return NULL;
}

weld_error_t *text_parse_doc(const char *src, size_t len, const char *filename, text_doc_t **out) {
  *out = NULL;
  if (len > WELD_MAX_TEXT_BYTES) return base_error("%s: text input too large (%zu bytes)", filename ? filename : "<input>", len);
  arena_t arena = {0};
  text_doc_t *doc = arena_alloc(&arena, sizeof *doc);
  char *copy = arena_alloc(&arena, len + 1);
  const char *fname = filename ? filename : "<input>";
  size_t flen = strlen(fname);
  char *fcopy = arena_alloc(&arena, flen + 1);
  if (!doc || !copy || !fcopy) {
    arena_free(&arena);
    return base_error_oom();
  }
  memset(doc, 0, sizeof *doc);
  if (len) memcpy(copy, src, len);
  copy[len] = 0;
  memcpy(fcopy, fname, flen + 1);
  doc->src = copy;
  doc->src_len = len;
  doc->filename = fcopy;

  lexer_t L;
  memset(&L, 0, sizeof L);
  L.doc = doc;
  L.arena = &arena;
  L.s = copy;
  L.n = len;
  L.lc_line = 1;
  L.lc_col = 1;
  weld_error_t *err = lex(&L);
  if (!err && L.scratch.len) {
    size_t bytes = L.scratch.len * sizeof(text_sx_t);
    doc->items = arena_alloc(&arena, bytes);
    if (!doc->items) err = base_error_oom();
    else memcpy(doc->items, L.scratch.data, bytes);
    doc->nitems = (uint32_t)L.scratch.len;
  }
  VEC_FREE(&L.scratch);
  VEC_FREE(&L.frames);
  if (err) {
    arena_free(&arena);
    return err;
  }
  arena_t *keep = arena_alloc(&arena, sizeof *keep);
  if (!keep) {
    arena_free(&arena);
    return base_error_oom();
  }
  *keep = arena; /* the arena's own header lives in the arena: free from a copy */
  doc->arena = keep;
  *out = doc;
  return NULL;
}

void text_doc_free(text_doc_t *doc) {
  if (!doc) return;
  arena_t a = *(arena_t *)doc->arena;
  arena_free(&a);
}

void text_sx_id_name(const text_sx_t *id, const char **name, size_t *len) {
  if (id->str) {
    *name = (const char *)id->str;
    *len = id->str_len;
  } else {
    *name = id->text + 1;
    *len = id->len - 1;
  }
}

weld_error_t *text_sx_concat_strings(const text_doc_t *doc, const text_sx_t *items, uint32_t n, base_buf_t *out) {
  for (uint32_t k = 0; k < n; k++) {
    if (items[k].kind != SX_STRING) return text_error(doc, &items[k], "unexpected token: expected a string");
    base_buf_bytes(out, items[k].str, items[k].str_len);
  }
  return out->oom ? base_error_oom() : NULL;
}
