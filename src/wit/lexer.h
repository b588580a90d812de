/* lexer.h — WIT tokens (WIT.md "Lexical structure"): whitespace and comments, operators,
 * keywords, identifiers (plain and %-escaped), integers and string literals.  Spans are
 * global source-map offsets (source.h). */
#ifndef WELD_WIT_LEXER_H
#define WELD_WIT_LEXER_H
#include "wit/source.h"

typedef enum wit_tok {
  WT_EOF = 0,
  WT_WHITESPACE,
  WT_COMMENT,
  WT_EQUALS,
  WT_COMMA,
  WT_COLON,
  WT_PERIOD,
  WT_SEMICOLON,
  WT_LPAREN,
  WT_RPAREN,
  WT_LBRACE,
  WT_RBRACE,
  WT_LT,
  WT_GT,
  WT_RARROW,
  WT_STAR,
  WT_AT,
  WT_SLASH,
  WT_PLUS,
  WT_MINUS,
  WT_STRING_LIT,
  /* keywords */
  WT_USE,
  WT_TYPE,
  WT_FUNC,
  WT_U8,
  WT_U16,
  WT_U32,
  WT_U64,
  WT_S8,
  WT_S16,
  WT_S32,
  WT_S64,
  WT_F32,
  WT_F64,
  WT_CHAR,
  WT_RECORD,
  WT_RESOURCE,
  WT_OWN,
  WT_BORROW,
  WT_FLAGS,
  WT_VARIANT,
  WT_ENUM,
  WT_BOOL,
  WT_STRING,
  WT_OPTION,
  WT_RESULT,
  WT_FUTURE,
  WT_STREAM,
  WT_ERROR_CONTEXT,
  WT_LIST,
  WT_MAP,
  WT_UNDERSCORE,
  WT_AS,
  WT_FROM,
  WT_STATIC,
  WT_INTERFACE,
  WT_TUPLE,
  WT_IMPORT,
  WT_EXPORT,
  WT_WORLD,
  WT_PACKAGE,
  WT_CONSTRUCTOR,
  WT_ASYNC,
  WT_INCLUDE,
  WT_WITH,
  /* others */
  WT_ID,
  WT_EXPLICIT_ID,
  WT_INTEGER,
} wit_tok_t;

typedef struct wit_lexer {
  const char *text; /* the file's text */
  uint32_t len;
  uint32_t pos;    /* byte position within text */
  uint32_t offset; /* global offset of text[0] */
} wit_lexer_t;

typedef struct wit_token {
  wit_tok_t kind;
  wit_span_t span;
} wit_token_t;

/* Rejects forbidden code points (controls, bidi overrides, deprecated ones) and invalid
 * UTF-8; on failure *err_off is the global offset and *msg the reason. */
bool wit_lex_check_input(const char *text, uint32_t len, uint32_t offset, uint32_t *err_off, const char **msg);
void wit_lex_init(wit_lexer_t *lx, const char *text, uint32_t len, uint32_t offset);
/* Next token including whitespace/comments.  Returns false on a lexical error with the
 * position in *err_off and a message in *msg. */
bool wit_lex_raw(wit_lexer_t *lx, wit_token_t *t, uint32_t *err_off, const char **msg);
const char *wit_tok_describe(wit_tok_t t);
/* Keyword token for an identifier-like word, or WT_ID. */
wit_tok_t wit_keyword(const char *s, size_t n);
/* Kebab-case identifier rules (WIT.md "Identifiers"); false if invalid, with the offset
 * (relative to s) of the offending part in *bad. */
bool wit_validate_id(const char *s, size_t n, size_t *bad, const char **msg);

#endif
