/* lexer.c — the WIT tokenizer (WIT.md "Lexical structure"; behaviour matches the
 * wasm-tools reference lexer: `//` and nested block comments, `\r\n` folded to `\n`, a
 * leading UTF-8 BOM skipped, identifiers lexed greedily and validated afterwards). */
#include "wit/lexer.h"
#include "base/utf.h"
#include <string.h>

/* sorted by word (bytewise) for binary search */
static const struct {
  const char *word;
  uint8_t len;
  wit_tok_t tok;
  const char *desc;
} keywords[] = {
    {"_", 1, WT_UNDERSCORE, "keyword `_`"},
    {"as", 2, WT_AS, "keyword `as`"},
    {"async", 5, WT_ASYNC, "keyword `async`"},
    {"bool", 4, WT_BOOL, "keyword `bool`"},
    {"borrow", 6, WT_BORROW, "keyword `borrow`"},
    {"char", 4, WT_CHAR, "keyword `char`"},
    {"constructor", 11, WT_CONSTRUCTOR, "keyword `constructor`"},
    {"enum", 4, WT_ENUM, "keyword `enum`"},
    {"error-context", 13, WT_ERROR_CONTEXT, "keyword `error-context`"},
    {"export", 6, WT_EXPORT, "keyword `export`"},
    {"f32", 3, WT_F32, "keyword `f32`"},
    {"f64", 3, WT_F64, "keyword `f64`"},
    {"flags", 5, WT_FLAGS, "keyword `flags`"},
    {"from", 4, WT_FROM, "keyword `from`"},
    {"func", 4, WT_FUNC, "keyword `func`"},
    {"future", 6, WT_FUTURE, "keyword `future`"},
    {"import", 6, WT_IMPORT, "keyword `import`"},
    {"include", 7, WT_INCLUDE, "keyword `include`"},
    {"interface", 9, WT_INTERFACE, "keyword `interface`"},
    {"list", 4, WT_LIST, "keyword `list`"},
    {"map", 3, WT_MAP, "keyword `map`"},
    {"option", 6, WT_OPTION, "keyword `option`"},
    {"own", 3, WT_OWN, "keyword `own`"},
    {"package", 7, WT_PACKAGE, "keyword `package`"},
    {"record", 6, WT_RECORD, "keyword `record`"},
    {"resource", 8, WT_RESOURCE, "keyword `resource`"},
    {"result", 6, WT_RESULT, "keyword `result`"},
    {"s16", 3, WT_S16, "keyword `s16`"},
    {"s32", 3, WT_S32, "keyword `s32`"},
    {"s64", 3, WT_S64, "keyword `s64`"},
    {"s8", 2, WT_S8, "keyword `s8`"},
    {"static", 6, WT_STATIC, "keyword `static`"},
    {"stream", 6, WT_STREAM, "keyword `stream`"},
    {"string", 6, WT_STRING, "keyword `string`"},
    {"tuple", 5, WT_TUPLE, "keyword `tuple`"},
    {"type", 4, WT_TYPE, "keyword `type`"},
    {"u16", 3, WT_U16, "keyword `u16`"},
    {"u32", 3, WT_U32, "keyword `u32`"},
    {"u64", 3, WT_U64, "keyword `u64`"},
    {"u8", 2, WT_U8, "keyword `u8`"},
    {"use", 3, WT_USE, "keyword `use`"},
    {"variant", 7, WT_VARIANT, "keyword `variant`"},
    {"with", 4, WT_WITH, "keyword `with`"},
    {"world", 5, WT_WORLD, "keyword `world`"},
};

wit_tok_t wit_keyword(const char *s, size_t n) {
  if (n < 1 || n > 13) return WT_ID;
  size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    size_t kl = keywords[mid].len;
    int c = memcmp(s, keywords[mid].word, n < kl ? n : kl);
    if (!c) c = n < kl ? -1 : n > kl;
    if (!c) return keywords[mid].tok;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return WT_ID;
}

const char *wit_tok_describe(wit_tok_t t) {
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (keywords[i].tok == t) return keywords[i].desc;
  switch (t) {
  case WT_EOF: return "eof";
  case WT_WHITESPACE: return "whitespace";
  case WT_COMMENT: return "a comment";
  case WT_EQUALS: return "'='";
  case WT_COMMA: return "','";
  case WT_COLON: return "':'";
  case WT_PERIOD: return "'.'";
  case WT_SEMICOLON: return "';'";
  case WT_LPAREN: return "'('";
  case WT_RPAREN: return "')'";
  case WT_LBRACE: return "'{'";
  case WT_RBRACE: return "'}'";
  case WT_LT: return "'<'";
  case WT_GT: return "'>'";
  case WT_RARROW: return "`->`";
  case WT_STAR: return "`*`";
  case WT_AT: return "`@`";
  case WT_SLASH: return "`/`";
  case WT_PLUS: return "`+`";
  case WT_MINUS: return "`-`";
  case WT_STRING_LIT: return "a string literal";
  case WT_ID: return "an identifier";
  case WT_EXPLICIT_ID: return "an '%' identifier";
  case WT_INTEGER: return "an integer";
  default: return "a token";
  }
}

bool wit_lex_check_input(const char *text, uint32_t len, uint32_t offset, uint32_t *err_off, const char **msg) {
  const uint8_t *s = (const uint8_t *)text;
  uint32_t i = 0;
  while (i < len) {
    uint32_t cp;
    size_t n;
    /* eight printable ASCII bytes at a time */
    while (len - i >= 8) {
      uint64_t v;
      memcpy(&v, s + i, 8);
      const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
      uint64_t low = (v - 0x20 * ones) & ~v;    /* byte < 0x20 (or >= 0x80) */
      uint64_t del = ((v ^ 0x7f * ones) - ones) & ~(v ^ 0x7f * ones); /* byte == 0x7f */
      if ((v | low | del) & highs) break;
      i += 8;
    }
    if (i >= len) break;
    if (s[i] >= 0x20 && s[i] < 0x7f) {
      i++;
      continue;
    }
    if (s[i] < 0x80) {
      cp = s[i];
      n = 1;
    } else {
      n = base_utf8_decode(s + i, len - i, &cp);
      if (!n) {
        *err_off = offset + i;
        *msg = "input is not valid utf-8";
        return false;
      }
    }
    const char *bad = NULL;
    if (cp == '\n' || cp == '\r' || cp == '\t') {
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
      bad = "control code point";
    } else if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
      bad = "input contains a bidirectional override code point";
    } else if (cp == 0x149 || cp == 0x673 || cp == 0xf77 || cp == 0xf79 || cp == 0x17a3 || cp == 0x17a4 ||
               cp == 0x17b4 || cp == 0x17b5) {
      bad = "code point is deprecated or discouraged by Unicode";
    }
    if (bad) {
      *err_off = offset + i;
      *msg = bad;
      return false;
    }
    i += (uint32_t)n;
  }
  return true;
}

void wit_lex_init(wit_lexer_t *lx, const char *text, uint32_t len, uint32_t offset) {
  lx->text = text;
  lx->len = len;
  lx->pos = 0;
  lx->offset = offset;
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) lx->pos = 3; /* BOM */
}

/* The next character with "\r\n" folded; returns its length in bytes (0 at end). */
static inline uint32_t peekc(const wit_lexer_t *lx, uint32_t pos, uint32_t *cp) {
  if (pos >= lx->len) return 0;
  unsigned char c = (unsigned char)lx->text[pos];
  if (c >= 0x20 && c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c == '\r' && pos + 1 < lx->len && lx->text[pos + 1] == '\n') {
    *cp = '\n';
    return 2;
  }
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n = base_utf8_decode((const uint8_t *)lx->text + pos, lx->len - pos, cp);
  if (!n) {
    *cp = 0xfffd;
    return 1;
  }
  return (uint32_t)n;
}

static bool eatc(wit_lexer_t *lx, uint32_t want) {
  uint32_t cp, n = peekc(lx, lx->pos, &cp);
  if (n && cp == want) {
    lx->pos += n;
    return true;
  }
  return false;
}

/* Identifier-ish characters: ASCII letters, digits, '_', '-' and (so that the validator
 * can report them) any non-ASCII character. */
static bool keylike_start(uint32_t c) { return (c | 32) - 'a' < 26 || c == '_' || c == '-' || c >= 0x80; }
static bool keylike_continue(uint32_t c) { return keylike_start(c) || (c - '0' < 10); }

bool wit_lex_raw(wit_lexer_t *lx, wit_token_t *t, uint32_t *err_off, const char **msg) {
  uint32_t start = lx->pos, ch;
  uint32_t n = peekc(lx, lx->pos, &ch);
  if (!n) {
    t->kind = WT_EOF;
    t->span = (wit_span_t){lx->offset + lx->len, lx->offset + lx->len};
    return true;
  }
  lx->pos += n;
  wit_tok_t k;
  switch (ch) {
  case '\n':
  case '\t':
  case ' ':
    for (;;) {
      char b = lx->pos < lx->len ? lx->text[lx->pos] : 0;
      if (b == ' ' || b == '\t' || b == '\n') lx->pos++;
      else if (b == '\r' && lx->pos + 1 < lx->len && lx->text[lx->pos + 1] == '\n') lx->pos += 2;
      else break;
    }
    k = WT_WHITESPACE;
    break;
  case '/':
    if (eatc(lx, '/')) {
      const char *nl = memchr(lx->text + lx->pos, '\n', lx->len - lx->pos);
      lx->pos = nl ? (uint32_t)(nl - lx->text) + 1 : lx->len;
      k = WT_COMMENT;
    } else if (eatc(lx, '*')) {
      uint32_t depth = 1;
      while (depth > 0) {
        uint32_t c;
        n = peekc(lx, lx->pos, &c);
        if (!n) {
          *err_off = lx->offset + start;
          *msg = "unterminated block comment";
          return false;
        }
        lx->pos += n;
        if (c == '/' && eatc(lx, '*')) depth++;
        else if (c == '*' && eatc(lx, '/')) depth--;
      }
      k = WT_COMMENT;
    } else {
      k = WT_SLASH;
    }
    break;
  case '=': k = WT_EQUALS; break;
  case ',': k = WT_COMMA; break;
  case ':': k = WT_COLON; break;
  case '.': k = WT_PERIOD; break;
  case ';': k = WT_SEMICOLON; break;
  case '(': k = WT_LPAREN; break;
  case ')': k = WT_RPAREN; break;
  case '{': k = WT_LBRACE; break;
  case '}': k = WT_RBRACE; break;
  case '<': k = WT_LT; break;
  case '>': k = WT_GT; break;
  case '*': k = WT_STAR; break;
  case '@': k = WT_AT; break;
  case '+': k = WT_PLUS; break;
  case '-':
    k = eatc(lx, '>') ? WT_RARROW : WT_MINUS;
    break;
  case '%': {
    uint32_t c;
    n = peekc(lx, lx->pos, &c);
    if (n && keylike_start(c)) {
      lx->pos += n;
      while ((n = peekc(lx, lx->pos, &c)) && keylike_continue(c)) lx->pos += n;
    }
    k = WT_EXPLICIT_ID;
    break;
  }
  case '"': {
    /* string literals only appear in future syntax; lex them so errors point well */
    for (;;) {
      uint32_t c;
      n = peekc(lx, lx->pos, &c);
      if (!n) {
        *err_off = lx->offset + start;
        *msg = "unterminated string literal";
        return false;
      }
      lx->pos += n;
      if (c == '"') break;
      if (c == '\\') {
        n = peekc(lx, lx->pos, &c);
        if (n) lx->pos += n;
      } else if (c < 0x20 || c == 0x7f) {
        *err_off = lx->offset + lx->pos - n;
        *msg = "invalid string character";
        return false;
      }
    }
    k = WT_STRING_LIT;
    break;
  }
  default:
    if (ch - '0' < 10) {
      uint32_t c;
      while ((n = peekc(lx, lx->pos, &c)) && c - '0' < 10) lx->pos += n;
      k = WT_INTEGER;
      break;
    }
    if (!keylike_start(ch)) {
      *err_off = lx->offset + start;
      *msg = "unexpected character";
      return false;
    }
    {
      uint32_t c;
      for (;;) {
        unsigned char b = lx->pos < lx->len ? (unsigned char)lx->text[lx->pos] : 0;
        if (((unsigned)(b | 32) - 'a') < 26 || (unsigned)(b - '0') < 10 || b == '-' || b == '_') {
          lx->pos++;
          continue;
        }
        if (b < 0x80 || !(n = peekc(lx, lx->pos, &c)) || !keylike_continue(c)) break;
        lx->pos += n;
      }
      k = wit_keyword(lx->text + start, lx->pos - start);
    }
    break;
  }
  t->kind = k;
  t->span = (wit_span_t){lx->offset + start, lx->offset + lx->pos};
  return true;
}

bool wit_validate_id(const char *s, size_t n, size_t *bad, const char **msg) {
  if (n == 0) {
    *bad = 0;
    *msg = "identifiers must have characters between '-'s";
    return false;
  }
  size_t i = 0;
  for (int part = 0; i <= n; part++) {
    size_t j = i;
    while (j < n && s[j] != '-') j++;
    if (j == i) {
      *bad = i;
      *msg = "identifiers must have characters between '-'s";
      return false;
    }
    char first = s[i];
    bool alpha = ((unsigned)(first | 32) - 'a') < 26;
    if (part == 0 && !alpha) {
      *bad = i;
      *msg = "invalid character in identifier";
      return false;
    }
    int upper = -1;
    for (size_t k = i; k < j; k++) {
      unsigned char c = (unsigned char)s[k];
      if (c >= '0' && c <= '9') continue;
      int u;
      if (c >= 'A' && c <= 'Z') u = 1;
      else if (c >= 'a' && c <= 'z') u = 0;
      else {
        *bad = k;
        *msg = "invalid character in identifier";
        return false;
      }
      if (upper == -1) upper = u;
      else if (upper != u) {
        *bad = k;
        *msg = "identifier parts must be all lowercase or all uppercase";
        return false;
      }
    }
    i = j + 1;
  }
  return true;
}
