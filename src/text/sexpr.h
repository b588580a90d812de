/* sexpr.h — the token and S-expression layer shared by the WebAssembly text format
 * (core spec §6.3 "Lexical Format"), .wast scripts, and (later) the component text format.
 *
 * A document is a sequence of S-expressions.  Atoms keep their raw source text; strings are
 * decoded (escapes resolved, arbitrary bytes allowed).  Comments (;; line and (; block ;),
 * nested) and whitespace are dropped.  Every node knows its line, column and byte offset so
 * errors can point at it. */
#ifndef WELD_TEXT_SEXPR_H
#define WELD_TEXT_SEXPR_H
#include "base/error.h"
#include "base/vec.h"
#include <stddef.h>
#include <stdint.h>

typedef enum text_sx_kind {
  SX_LIST,    /* ( ... ) */
  SX_ATOM,    /* keyword, number, or other reserved token: raw text */
  SX_ID,      /* $name: raw text including the '$' (also $"quoted" ids, decoded into str) */
  SX_STRING,  /* "...": decoded bytes in str/str_len, raw text in text/len */
} text_sx_kind_t;

typedef struct text_sx {
  text_sx_kind_t kind;
  uint32_t line, col;   /* 1-based */
  uint32_t off;         /* byte offset in the source */
  const char *text;     /* raw token text (for a list: from its '(' ...) */
  uint32_t len;         /* ... to its ')' included, i.e. end_off - off) */
  uint8_t *str;         /* SX_STRING / quoted SX_ID: decoded bytes (not NUL-terminated) */
  uint32_t str_len;
  struct text_sx *items; /* SX_LIST */
  uint32_t nitems;
  uint32_t end_off;     /* SX_LIST: offset just past the closing ')' */
} text_sx_t;

typedef struct text_doc {
  const char *src;      /* the source text (the document keeps its own copy) */
  size_t src_len;
  const char *filename; /* for messages */
  text_sx_t *items;     /* top-level S-expressions */
  uint32_t nitems;
  void *arena;          /* node storage, freed with the document */
} text_doc_t;

/* Tokenise and build the tree.  Errors (unbalanced parentheses, bad string escapes, bad
 * UTF-8, unknown characters, nesting deeper than WELD_MAX_TEXT_NESTING) name file:line:col. */
weld_error_t *text_parse_doc(const char *src, size_t len, const char *filename, text_doc_t **out);
void text_doc_free(text_doc_t *doc);

/* An error at node `at`: "file:line:col: message", then the source line and a caret. */
weld_error_t *text_error(const text_doc_t *doc, const text_sx_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Helpers */
static inline int text_sx_is_atom(const text_sx_t *x, const char *kw) {
  if (x->kind != SX_ATOM) return 0;
  size_t i = 0;
  for (; kw[i]; i++)
    if (i >= x->len || x->text[i] != kw[i]) return 0;
  return i == x->len;
}
/* True if x is a list whose first item is the keyword kw. */
static inline int text_sx_is_form(const text_sx_t *x, const char *kw) {
  return x->kind == SX_LIST && x->nitems > 0 && text_sx_is_atom(&x->items[0], kw);
}

/* Appends the bytes of the strings items[0..n) to out (the `binary "..."*` and
 * `quote "..."*` forms); an item that is not a string is an error at that item. */
weld_error_t *text_sx_concat_strings(const text_doc_t *doc, const text_sx_t *items, uint32_t n, base_buf_t *out);

/* The name of an SX_ID node without the '$' ($abc and $"abc" name the same id). */
void text_sx_id_name(const text_sx_t *id, const char **name, size_t *len);

/* Encode a core module S-expression — `(module $id? field*)`, `(module $id? binary "..."*)`
 * or `(module $id? quote "..."*)` — to the binary format, appended to out.  A quote module's
 * text is parsed as a new document.  *name_out (may be NULL) receives the $id node or NULL.
 * Errors use text_error positions (for quote modules, positions inside the quoted text). */
weld_error_t *text_encode_module(const text_doc_t *doc, const text_sx_t *module, base_buf_t *out,
                                 const text_sx_t **name_out);

/* Encode a component S-expression — `(component $id? field*)` (also the script form
 * `(component definition $id? ...)`), `(component $id? binary "..."*)` or
 * `(component $id? quote "..."*)` (the quoted text is the component's fields) — to the
 * component binary format (component-model Binary.md, version 0x0d), appended to out.
 * *name_out (may be NULL) receives the $id node or NULL.  src/text/cwat*.c.  The legacy
 * spellings `(memory $i "name")`, `(realloc (func ...))` ... are accepted (what wasm-tools
 * accepts with WAST_STRICT_COMPONENT_INDICES=0; test scripts use both). */
weld_error_t *text_encode_component(const text_doc_t *doc, const text_sx_t *component, base_buf_t *out,
                                    const text_sx_t **name_out);

/* text_encode_module or text_encode_component, after the node's keyword. */
weld_error_t *text_encode_wasm(const text_doc_t *doc, const text_sx_t *node, base_buf_t *out,
                               const text_sx_t **name_out);

#endif
