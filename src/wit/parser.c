/* parser.c — recursive-descent parser for WIT files (WIT.md: "Package declaration",
 * "Item: toplevel use", "Item: world", "Item: interface", "Item: use", "Item: type",
 * "Types", "Feature gates").  Grammar details (what may follow what, where docs attach)
 * follow the wasm-tools reference parser so that the same inputs are accepted; type and
 * package nesting are capped at WELD_MAX_WIT_NESTING. */
#include "base/error.h"
#include "base/limits.h"
#include "wit/ast.h"
#include "wit/semver.h"
#include <stdio.h>
#include <string.h>

typedef struct parser {
  wit_arena_t *a;
  const wit_srcmap_t *sm;
  wit_lexer_t lx;
  weld_error_t *err;
  unsigned type_depth, pkg_depth;
  /* the last significant token lexed, by start position (peek/eat re-read it often) */
  bool cached;
  uint32_t cache_from, cache_to;
  wit_token_t cache_tok;
} parser_t;

#define TRY(x) \
  do { \
    if (!(x)) return false; \
  } while (0)

static bool oom(parser_t *p) {
  if (!p->err) p->err = base_error_oom();
  return false;
}

static bool fail_at(parser_t *p, wit_span_t span, const char *fmt, const char *a1, const char *a2) {
  if (!p->err) {
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a1 ? a1 : "", a2 ? a2 : "");
    p->err = wit_error_at(p->sm, span, "%s", msg);
  }
  return false;
}

/* Next token that is not whitespace or a comment. */
static bool next(parser_t *p, wit_token_t *t) {
  if (p->cached && p->lx.pos == p->cache_from) {
    *t = p->cache_tok;
    p->lx.pos = p->cache_to;
    return true;
  }
  uint32_t from = p->lx.pos;
  for (;;) {
    uint32_t off;
    const char *msg;
    if (!wit_lex_raw(&p->lx, t, &off, &msg)) return fail_at(p, (wit_span_t){off, off}, "%s", msg, NULL);
    if (t->kind != WT_WHITESPACE && t->kind != WT_COMMENT) {
      p->cached = true;
      p->cache_from = from;
      p->cache_to = p->lx.pos;
      p->cache_tok = *t;
      return true;
    }
  }
}

static bool peek(parser_t *p, wit_token_t *t) {
  wit_lexer_t save = p->lx;
  bool ok = next(p, t);
  p->lx = save;
  return ok;
}

/* Consumes the next token if it is `k`; *got tells whether it was. */
static bool eat(parser_t *p, wit_tok_t k, bool *got) {
  wit_lexer_t save = p->lx;
  wit_token_t t;
  TRY(next(p, &t));
  *got = t.kind == k;
  if (!*got) p->lx = save;
  return true;
}

static bool expected(parser_t *p, const char *what, const wit_token_t *t) {
  return fail_at(p, t->span, "expected %s, found %s", what, wit_tok_describe(t->kind));
}

static bool expect(parser_t *p, wit_tok_t k, wit_span_t *span) {
  wit_token_t t;
  TRY(next(p, &t));
  if (t.kind != k) return expected(p, wit_tok_describe(k), &t);
  if (span) *span = t.span;
  return true;
}

static const char *span_text(parser_t *p, wit_span_t s, size_t *n) {
  *n = s.end - s.start;
  return p->lx.text + (s.start - p->lx.offset);
}

static bool parse_id(parser_t *p, wit_id_t *id) {
  wit_token_t t;
  TRY(next(p, &t));
  if (t.kind != WT_ID && t.kind != WT_EXPLICIT_ID) return expected(p, "an identifier or string", &t);
  size_t n;
  const char *s = span_text(p, t.span, &n);
  if (t.kind == WT_EXPLICIT_ID) s++, n--;
  size_t bad;
  const char *msg;
  if (!wit_validate_id(s, n, &bad, &msg)) return fail_at(p, (wit_span_t){t.span.start, t.span.start}, "%s", msg, NULL);
  id->name = wit_strndup(p->a, s, n);
  id->span = t.span;
  return id->name ? true : oom(p);
}

/* Doc comments: every comment between the previous token and the next one. */
static bool parse_docs(parser_t *p, wit_docs_t *d) {
  memset(d, 0, sizeof *d);
  d->span = WIT_NO_SPAN;
  bool started = false;
  for (;;) {
    wit_lexer_t save = p->lx;
    wit_token_t t;
    uint32_t off;
    const char *msg;
    if (!wit_lex_raw(&p->lx, &t, &off, &msg)) return fail_at(p, (wit_span_t){off, off}, "%s", msg, NULL);
    if (t.kind == WT_WHITESPACE) continue;
    if (t.kind != WT_COMMENT) {
      p->cached = true;
      p->cache_from = save.pos;
      p->cache_to = p->lx.pos;
      p->cache_tok = t;
      p->lx = save;
      return true;
    }
    size_t n;
    const char *s = span_text(p, t.span, &n);
    if (!started) {
      d->span.start = t.span.start;
      started = true;
    }
    size_t trail = 0;
    while (trail < n && (s[n - 1 - trail] == ' ' || s[n - 1 - trail] == '\t' || s[n - 1 - trail] == '\n' ||
                         s[n - 1 - trail] == '\r' || s[n - 1 - trail] == '\f'))
      trail++;
    d->span.end = t.span.end - (uint32_t)trail;
    wit_docs_line_t line = {s, (uint32_t)n};
    if (!AVEC_PUSH(p->a, &d->lines, line)) return oom(p);
  }
}

/* version: INT '.' INT '.' INT ('-' ids)? ('+' ids)? */
static bool eat_ids(parser_t *p, wit_tok_t prefix, wit_span_t *span) {
  bool got;
  TRY(eat(p, prefix, &got));
  if (!got) return true;
  for (;;) {
    wit_lexer_t save = p->lx;
    wit_token_t t;
    TRY(next(p, &t));
    if (t.kind == WT_ID || t.kind == WT_INTEGER || t.kind == WT_MINUS) {
      span->end = t.span.end;
      continue;
    }
    if (t.kind == WT_PERIOD) {
      wit_token_t t2;
      TRY(next(p, &t2));
      if (t2.kind == WT_ID || t2.kind == WT_INTEGER || t2.kind == WT_MINUS) {
        span->end = t2.span.end;
        continue;
      }
    }
    p->lx = save;
    return true;
  }
}

static bool parse_version(parser_t *p, const char **out, wit_span_t *vspan) {
  wit_span_t s1, s2;
  TRY(expect(p, WT_INTEGER, &s1));
  TRY(expect(p, WT_PERIOD, NULL));
  TRY(expect(p, WT_INTEGER, NULL));
  TRY(expect(p, WT_PERIOD, NULL));
  TRY(expect(p, WT_INTEGER, &s2));
  wit_span_t span = {s1.start, s2.end};
  TRY(eat_ids(p, WT_MINUS, &span));
  TRY(eat_ids(p, WT_PLUS, &span));
  size_t n;
  const char *s = span_text(p, span, &n);
  wit_semver_t v;
  const char *why = NULL;
  if (!wit_semver_parse(s, n, &v, &why)) return fail_at(p, span, "invalid version: %s", why, NULL);
  *out = wit_strndup(p->a, s, n);
  if (vspan) *vspan = span;
  return *out ? true : oom(p);
}

static bool parse_opt_version(parser_t *p, const char **out, wit_span_t *vspan) {
  bool got;
  *out = NULL;
  TRY(eat(p, WT_AT, &got));
  return got ? parse_version(p, out, vspan) : true;
}

static bool parse_pkgname(parser_t *p, wit_pkgname_t *pn) {
  TRY(parse_id(p, &pn->ns));
  TRY(expect(p, WT_COLON, NULL));
  TRY(parse_id(p, &pn->name));
  wit_span_t vs = WIT_NO_SPAN;
  TRY(parse_opt_version(p, &pn->version, &vs));
  pn->span = (wit_span_t){pn->ns.span.start, pn->version ? vs.end : pn->name.span.end};
  return true;
}

static bool eat_word(parser_t *p, const char *want) {
  wit_id_t id;
  TRY(parse_id(p, &id));
  if (strcmp(id.name, want) != 0) return fail_at(p, id.span, "expected `%s`, found `%s`", want, id.name);
  return true;
}

static bool parse_attrs(parser_t *p, wit_attrs_t *attrs) {
  memset(attrs, 0, sizeof *attrs);
  for (;;) {
    bool got;
    TRY(eat(p, WT_AT, &got));
    if (!got) return true;
    wit_id_t id;
    TRY(parse_id(p, &id));
    wit_attr_t at = {0};
    at.span = id.span;
    if (!strcmp(id.name, "since") || !strcmp(id.name, "deprecated")) {
      at.kind = id.name[0] == 's' ? WIT_ATTR_SINCE : WIT_ATTR_DEPRECATED;
      TRY(expect(p, WT_LPAREN, NULL));
      TRY(eat_word(p, "version"));
      TRY(expect(p, WT_EQUALS, NULL));
      TRY(parse_version(p, &at.version, NULL));
      TRY(expect(p, WT_RPAREN, NULL));
    } else if (!strcmp(id.name, "unstable")) {
      at.kind = WIT_ATTR_UNSTABLE;
      TRY(expect(p, WT_LPAREN, NULL));
      TRY(eat_word(p, "feature"));
      TRY(expect(p, WT_EQUALS, NULL));
      TRY(parse_id(p, &at.feature));
      TRY(expect(p, WT_RPAREN, NULL));
    } else {
      return fail_at(p, id.span, "unknown attribute `%s`", id.name, NULL);
    }
    if (!AVEC_PUSH(p->a, attrs, at)) return oom(p);
  }
}

static bool parse_usepath(parser_t *p, wit_usepath_t *u) {
  memset(u, 0, sizeof *u);
  wit_id_t id;
  TRY(parse_id(p, &id));
  bool got;
  TRY(eat(p, WT_COLON, &got));
  if (!got) {
    u->id = id;
    return true;
  }
  u->is_pkg = true;
  u->pkg.ns = id;
  TRY(parse_id(p, &u->pkg.name));
  TRY(expect(p, WT_SLASH, NULL));
  TRY(parse_id(p, &u->id));
  TRY(parse_opt_version(p, &u->pkg.version, NULL));
  u->pkg.span = (wit_span_t){id.span.start, u->pkg.name.span.end};
  return true;
}

static bool parse_type(parser_t *p, wit_ast_type_t **out);

static wit_ast_type_t *new_type(parser_t *p, int kind, wit_span_t span) {
  wit_ast_type_t *t = wit_zalloc(p->a, sizeof *t);
  if (!t) {
    oom(p);
    return NULL;
  }
  t->kind = kind;
  t->span = span;
  return t;
}

/* `<` T `>` */
static bool parse_angle_type(parser_t *p, wit_ast_type_t **out) {
  TRY(expect(p, WT_LT, NULL));
  TRY(parse_type(p, out));
  return expect(p, WT_GT, NULL);
}

/* Items until `end`, separated by commas, trailing comma allowed; each item may carry
 * doc comments. */
typedef bool (*item_fn)(parser_t *p, wit_docs_t *docs, void *ud);
static bool parse_list_trailer(parser_t *p, wit_tok_t end, item_fn f, void *ud) {
  for (;;) {
    wit_docs_t docs;
    TRY(parse_docs(p, &docs));
    bool got;
    TRY(eat(p, end, &got));
    if (got) return true;
    TRY(f(p, &docs, ud));
    TRY(eat(p, WT_COMMA, &got));
    if (!got) return expect(p, end, NULL);
  }
}

static bool tuple_item(parser_t *p, wit_docs_t *docs, void *ud) {
  wit_ast_type_t *t = ud;
  wit_ast_case_t c = {0};
  c.docs = *docs;
  TRY(parse_type(p, &c.ty));
  return AVEC_PUSH(p->a, &t->cases, c) ? true : oom(p);
}

static bool parse_handle(parser_t *p, wit_ast_type_t *t) {
  TRY(expect(p, WT_LT, NULL));
  TRY(parse_id(p, &t->name));
  return expect(p, WT_GT, NULL);
}

static bool parse_type(parser_t *p, wit_ast_type_t **out) {
  wit_token_t t;
  TRY(next(p, &t));
  if (p->type_depth >= WELD_MAX_WIT_NESTING) return fail_at(p, t.span, "type nesting too deep", NULL, NULL);
  p->type_depth++;
  bool ok = true;
  wit_ast_type_t *ty = NULL;
  int prim = -1;
  switch (t.kind) {
  case WT_BOOL: prim = WTY_BOOL; break;
  case WT_U8: prim = WTY_U8; break;
  case WT_U16: prim = WTY_U16; break;
  case WT_U32: prim = WTY_U32; break;
  case WT_U64: prim = WTY_U64; break;
  case WT_S8: prim = WTY_S8; break;
  case WT_S16: prim = WTY_S16; break;
  case WT_S32: prim = WTY_S32; break;
  case WT_S64: prim = WTY_S64; break;
  case WT_F32: prim = WTY_F32; break;
  case WT_F64: prim = WTY_F64; break;
  case WT_CHAR: prim = WTY_CHAR; break;
  case WT_STRING: prim = WTY_STRING; break;
  case WT_ERROR_CONTEXT: prim = WTY_ERROR_CONTEXT; break;
  case WT_TUPLE:
    ok = (ty = new_type(p, WTY_TUPLE, t.span)) && expect(p, WT_LT, NULL) &&
         parse_list_trailer(p, WT_GT, tuple_item, ty);
    break;
  case WT_LIST: {
    ok = (ty = new_type(p, WTY_LIST, t.span)) && expect(p, WT_LT, NULL) && parse_type(p, &ty->a);
    bool comma = false;
    if (ok) ok = eat(p, WT_COMMA, &comma);
    if (ok && comma) {
      wit_token_t n;
      ok = next(p, &n);
      if (ok && n.kind != WT_INTEGER) ok = expected(p, "fixed-length", &n);
      if (ok) {
        size_t len;
        const char *s = span_text(p, n.span, &len);
        uint64_t v = 0;
        for (size_t i = 0; i < len && v <= UINT32_MAX; i++) v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX) ok = fail_at(p, n.span, "number is too big to fit in a u32", NULL, NULL);
        ty->kind = WTY_FIXED_LIST;
        ty->size = (uint32_t)v;
      }
    }
    if (ok) ok = expect(p, WT_GT, NULL);
    break;
  }
  case WT_MAP:
    ok = (ty = new_type(p, WTY_MAP, t.span)) && expect(p, WT_LT, NULL) && parse_type(p, &ty->a) &&
         expect(p, WT_COMMA, NULL) && parse_type(p, &ty->b) && expect(p, WT_GT, NULL);
    break;
  case WT_OPTION:
    ok = (ty = new_type(p, WTY_OPTION, t.span)) && parse_angle_type(p, &ty->a);
    break;
  case WT_RESULT: {
    ok = (ty = new_type(p, WTY_RESULT, t.span)) != NULL;
    bool lt = false, us = false, comma = false;
    if (ok) ok = eat(p, WT_LT, &lt);
    if (ok && lt) {
      ok = eat(p, WT_UNDERSCORE, &us);
      if (ok && us) {
        ok = expect(p, WT_COMMA, NULL) && parse_type(p, &ty->b);
      } else if (ok) {
        ok = parse_type(p, &ty->a) && eat(p, WT_COMMA, &comma);
        if (ok && comma) ok = parse_type(p, &ty->b);
      }
      if (ok) ok = expect(p, WT_GT, NULL);
    }
    break;
  }
  case WT_FUTURE:
  case WT_STREAM: {
    ok = (ty = new_type(p, t.kind == WT_FUTURE ? WTY_FUTURE : WTY_STREAM, t.span)) != NULL;
    bool lt = false;
    if (ok) ok = eat(p, WT_LT, &lt);
    if (ok && lt) ok = parse_type(p, &ty->a) && expect(p, WT_GT, NULL);
    break;
  }
  case WT_OWN:
  case WT_BORROW:
    ok = (ty = new_type(p, t.kind == WT_OWN ? WTY_OWN : WTY_BORROW, t.span)) && parse_handle(p, ty);
    if (ok) ty->span = ty->name.span;
    break;
  case WT_ID:
  case WT_EXPLICIT_ID: {
    p->lx.pos = t.span.start - p->lx.offset; /* re-read as an identifier */
    ok = (ty = new_type(p, WTY_NAME, t.span)) && parse_id(p, &ty->name);
    break;
  }
  default:
    ok = expected(p, "a type", &t);
  }
  if (ok && prim >= 0) ok = (ty = new_type(p, prim, t.span)) != NULL;
  p->type_depth--;
  *out = ty;
  return ok;
}

/* func(params) (-> T)? — `async` handled by the caller or here */
static bool param_item(parser_t *p, wit_docs_t *docs, void *ud) {
  (void)docs;
  wit_ast_func_t *f = ud;
  wit_ast_param_t prm;
  TRY(parse_id(p, &prm.name));
  TRY(expect(p, WT_COLON, NULL));
  TRY(parse_type(p, &prm.ty));
  return AVEC_PUSH(p->a, &f->params, prm) ? true : oom(p);
}

static bool parse_func(parser_t *p, wit_ast_func_t *f) {
  memset(f, 0, sizeof *f);
  TRY(eat(p, WT_ASYNC, &f->async));
  TRY(expect(p, WT_FUNC, &f->span));
  TRY(expect(p, WT_LPAREN, NULL));
  TRY(parse_list_trailer(p, WT_RPAREN, param_item, f));
  bool arrow;
  TRY(eat(p, WT_RARROW, &arrow));
  if (arrow) TRY(parse_type(p, &f->result));
  return true;
}

static bool parse_named_func(parser_t *p, wit_docs_t *docs, wit_attrs_t *attrs, wit_ast_named_func_t *nf) {
  nf->docs = *docs;
  nf->attrs = *attrs;
  TRY(parse_id(p, &nf->name));
  TRY(expect(p, WT_COLON, NULL));
  TRY(parse_func(p, &nf->func));
  return expect(p, WT_SEMICOLON, NULL);
}

static bool parse_resource_func(parser_t *p, wit_docs_t *docs, wit_attrs_t *attrs, wit_ast_resfunc_t *rf) {
  wit_token_t t;
  TRY(peek(p, &t));
  memset(rf, 0, sizeof *rf);
  rf->f.docs = *docs;
  rf->f.attrs = *attrs;
  if (t.kind == WT_CONSTRUCTOR) {
    TRY(next(p, &t));
    rf->kind = WIT_RF_CONSTRUCTOR;
    rf->f.name.name = "constructor";
    rf->f.name.span = t.span;
    rf->f.func.span = t.span;
    TRY(expect(p, WT_LPAREN, NULL));
    TRY(parse_list_trailer(p, WT_RPAREN, param_item, &rf->f.func));
    bool arrow;
    TRY(eat(p, WT_RARROW, &arrow));
    if (arrow) TRY(parse_type(p, &rf->f.func.result));
    return expect(p, WT_SEMICOLON, NULL);
  }
  if (t.kind != WT_ID && t.kind != WT_EXPLICIT_ID) return expected(p, "`constructor` or identifier", &t);
  TRY(parse_id(p, &rf->f.name));
  TRY(expect(p, WT_COLON, NULL));
  bool st;
  TRY(eat(p, WT_STATIC, &st));
  rf->kind = st ? WIT_RF_STATIC : WIT_RF_METHOD;
  TRY(parse_func(p, &rf->f.func));
  return expect(p, WT_SEMICOLON, NULL);
}

static bool case_item(parser_t *p, wit_docs_t *docs, void *ud) {
  wit_ast_type_t *t = ud;
  wit_ast_case_t c = {0};
  c.docs = *docs;
  TRY(parse_id(p, &c.name));
  if (t->kind == WTY_RECORD) {
    TRY(expect(p, WT_COLON, NULL));
    TRY(parse_type(p, &c.ty));
  } else if (t->kind == WTY_VARIANT) {
    bool lp;
    TRY(eat(p, WT_LPAREN, &lp));
    if (lp) {
      TRY(parse_type(p, &c.ty));
      TRY(expect(p, WT_RPAREN, NULL));
    }
  }
  return AVEC_PUSH(p->a, &t->cases, c) ? true : oom(p);
}

/* `type x = T;`, `record x {..}`, `flags`, `variant`, `enum`, `resource` */
static bool parse_typedef(parser_t *p, wit_docs_t *docs, wit_attrs_t *attrs, wit_ast_typedef_t *td) {
  memset(td, 0, sizeof *td);
  td->docs = *docs;
  td->attrs = *attrs;
  wit_token_t t;
  TRY(next(p, &t));
  if (t.kind == WT_TYPE) {
    TRY(parse_id(p, &td->name));
    TRY(expect(p, WT_EQUALS, NULL));
    TRY(parse_type(p, &td->ty));
    return expect(p, WT_SEMICOLON, NULL);
  }
  TRY(parse_id(p, &td->name));
  int kind = t.kind == WT_RECORD ? WTY_RECORD
             : t.kind == WT_FLAGS ? WTY_FLAGS
             : t.kind == WT_VARIANT ? WTY_VARIANT
             : t.kind == WT_ENUM ? WTY_ENUM
                                 : WTY_RESOURCE;
  wit_ast_type_t *ty = new_type(p, kind, td->name.span);
  if (!ty) return false;
  td->ty = ty;
  if (kind == WTY_RESOURCE) {
    bool lb;
    TRY(eat(p, WT_LBRACE, &lb));
    if (!lb) return expect(p, WT_SEMICOLON, NULL);
    for (;;) {
      bool rb;
      TRY(eat(p, WT_RBRACE, &rb));
      if (rb) return true;
      wit_docs_t fd;
      wit_attrs_t fa;
      TRY(parse_docs(p, &fd));
      TRY(parse_attrs(p, &fa));
      wit_ast_resfunc_t rf;
      TRY(parse_resource_func(p, &fd, &fa, &rf));
      if (!AVEC_PUSH(p->a, &ty->funcs, rf)) return oom(p);
    }
  }
  TRY(expect(p, WT_LBRACE, NULL));
  return parse_list_trailer(p, WT_RBRACE, case_item, ty);
}

static bool use_name_item(parser_t *p, wit_ast_use_t *u) {
  wit_ast_use_name_t n = {0};
  TRY(parse_id(p, &n.name));
  bool as;
  TRY(eat(p, WT_AS, &as));
  if (as) TRY(parse_id(p, &n.as));
  return AVEC_PUSH(p->a, &u->names, n) ? true : oom(p);
}

/* use path.{a, b as c}; */
static bool parse_use(parser_t *p, wit_attrs_t *attrs, wit_ast_use_t *u) {
  memset(u, 0, sizeof *u);
  u->attrs = *attrs;
  TRY(expect(p, WT_USE, NULL));
  TRY(parse_usepath(p, &u->from));
  TRY(expect(p, WT_PERIOD, NULL));
  TRY(expect(p, WT_LBRACE, NULL));
  for (;;) {
    bool got;
    TRY(eat(p, WT_RBRACE, &got));
    if (got) break;
    TRY(use_name_item(p, u));
    TRY(eat(p, WT_COMMA, &got));
    if (!got) {
      TRY(expect(p, WT_RBRACE, NULL));
      break;
    }
  }
  return expect(p, WT_SEMICOLON, NULL);
}

static bool is_typedef_start(wit_tok_t k) {
  return k == WT_TYPE || k == WT_FLAGS || k == WT_ENUM || k == WT_VARIANT || k == WT_RESOURCE || k == WT_RECORD;
}

static bool parse_iface_items(parser_t *p, wit_ast_iitems_t *items) {
  TRY(expect(p, WT_LBRACE, NULL));
  for (;;) {
    wit_docs_t docs;
    TRY(parse_docs(p, &docs));
    bool rb;
    TRY(eat(p, WT_RBRACE, &rb));
    if (rb) return true;
    wit_attrs_t attrs;
    TRY(parse_attrs(p, &attrs));
    wit_token_t t;
    TRY(peek(p, &t));
    wit_ast_iitem_t it;
    memset(&it, 0, sizeof it);
    if (is_typedef_start(t.kind)) {
      it.kind = WIT_II_TYPEDEF;
      TRY(parse_typedef(p, &docs, &attrs, &it.td));
    } else if (t.kind == WT_ID || t.kind == WT_EXPLICIT_ID) {
      it.kind = WIT_II_FUNC;
      TRY(parse_named_func(p, &docs, &attrs, &it.func));
    } else if (t.kind == WT_USE) {
      it.kind = WIT_II_USE;
      TRY(parse_use(p, &attrs, &it.use));
    } else {
      return expected(p, "`type`, `resource` or `func`", &t);
    }
    if (!AVEC_PUSH(p->a, items, it)) return oom(p);
  }
}

static bool parse_extern(parser_t *p, wit_ast_extern_t *e) {
  memset(e, 0, sizeof *e);
  wit_lexer_t save = p->lx;
  wit_id_t id;
  /* `id :` starts a function, an inline interface or a labelled path; otherwise a path */
  wit_token_t t;
  TRY(peek(p, &t));
  if (t.kind == WT_ID || t.kind == WT_EXPLICIT_ID) {
    TRY(parse_id(p, &id));
    bool colon;
    TRY(eat(p, WT_COLON, &colon));
    if (colon) {
      wit_token_t t2;
      TRY(peek(p, &t2));
      if (t2.kind == WT_FUNC || t2.kind == WT_ASYNC) {
        e->kind = WIT_EK_FUNC;
        e->id = id;
        TRY(parse_func(p, &e->func));
        return expect(p, WT_SEMICOLON, NULL);
      }
      if (t2.kind == WT_INTERFACE) {
        TRY(next(p, &t2));
        e->kind = WIT_EK_INTERFACE;
        e->id = id;
        return parse_iface_items(p, &e->items);
      }
      /* `label: path` where the path is not `ns:pkg/...` (that one re-parses below) */
      wit_lexer_t save2 = p->lx;
      wit_id_t tmp;
      if (t2.kind == WT_ID || t2.kind == WT_EXPLICIT_ID) {
        TRY(parse_id(p, &tmp));
        wit_token_t t3;
        TRY(peek(p, &t3));
        p->lx = save2;
        if (t3.kind != WT_SLASH) {
          e->kind = WIT_EK_LABELED;
          e->id = id;
          TRY(parse_usepath(p, &e->path));
          return expect(p, WT_SEMICOLON, NULL);
        }
      }
    }
  }
  p->lx = save;
  e->kind = WIT_EK_PATH;
  TRY(parse_usepath(p, &e->path));
  return expect(p, WT_SEMICOLON, NULL);
}

static bool include_name_item(parser_t *p, wit_docs_t *docs, void *ud) {
  (void)docs;
  wit_ast_witem_t *w = ud;
  wit_ast_include_name_t n;
  TRY(parse_id(p, &n.name));
  TRY(expect(p, WT_AS, NULL));
  TRY(parse_id(p, &n.as));
  return AVEC_PUSH(p->a, &w->inc_names, n) ? true : oom(p);
}

static bool parse_world_item(parser_t *p, wit_docs_t *docs, wit_attrs_t *attrs, wit_ast_witem_t *w) {
  memset(w, 0, sizeof *w);
  w->docs = *docs;
  w->attrs = *attrs;
  wit_token_t t;
  TRY(peek(p, &t));
  switch (t.kind) {
  case WT_IMPORT:
  case WT_EXPORT:
    TRY(next(p, &t));
    w->kind = t.kind == WT_IMPORT ? WIT_WI_IMPORT : WIT_WI_EXPORT;
    return parse_extern(p, &w->ext);
  case WT_USE:
    w->kind = WIT_WI_USE;
    return parse_use(p, attrs, &w->use);
  case WT_INCLUDE: {
    TRY(next(p, &t));
    w->kind = WIT_WI_INCLUDE;
    TRY(parse_usepath(p, &w->inc));
    bool with;
    TRY(eat(p, WT_WITH, &with));
    if (!with) return expect(p, WT_SEMICOLON, NULL);
    TRY(expect(p, WT_LBRACE, NULL));
    return parse_list_trailer(p, WT_RBRACE, include_name_item, w);
  }
  default:
    if (is_typedef_start(t.kind)) {
      w->kind = WIT_WI_TYPE;
      return parse_typedef(p, docs, attrs, &w->td);
    }
    return expected(p, "`import`, `export`, `include`, `use`, or type definition", &t);
  }
}

static bool parse_world(parser_t *p, wit_docs_t *docs, wit_attrs_t *attrs, wit_ast_world_t *w) {
  memset(w, 0, sizeof *w);
  w->docs = *docs;
  w->attrs = *attrs;
  TRY(expect(p, WT_WORLD, NULL));
  TRY(parse_id(p, &w->name));
  TRY(expect(p, WT_LBRACE, NULL));
  for (;;) {
    wit_docs_t d;
    TRY(parse_docs(p, &d));
    bool rb;
    TRY(eat(p, WT_RBRACE, &rb));
    if (rb) return true;
    wit_attrs_t at;
    TRY(parse_attrs(p, &at));
    wit_ast_witem_t it;
    TRY(parse_world_item(p, &d, &at, &it));
    if (!AVEC_PUSH(p->a, &w->items, it)) return oom(p);
  }
}

static bool parse_decls(parser_t *p, wit_tok_t end, wit_ast_decls_t *d);

static bool parse_item(parser_t *p, wit_docs_t *docs, wit_ast_item_t *it) {
  memset(it, 0, sizeof *it);
  wit_attrs_t attrs;
  TRY(parse_attrs(p, &attrs));
  wit_token_t t;
  TRY(peek(p, &t));
  switch (t.kind) {
  case WT_INTERFACE: {
    it->kind = WIT_AI_INTERFACE;
    it->iface = wit_zalloc(p->a, sizeof *it->iface);
    if (!it->iface) return oom(p);
    it->iface->docs = *docs;
    it->iface->attrs = attrs;
    TRY(next(p, &t));
    TRY(parse_id(p, &it->iface->name));
    return parse_iface_items(p, &it->iface->items);
  }
  case WT_WORLD:
    it->kind = WIT_AI_WORLD;
    it->world = wit_zalloc(p->a, sizeof *it->world);
    if (!it->world) return oom(p);
    return parse_world(p, docs, &attrs, it->world);
  case WT_USE: {
    it->kind = WIT_AI_USE;
    wit_ast_tluse_t *u = it->use = wit_zalloc(p->a, sizeof *u);
    if (!u) return oom(p);
    u->attrs = attrs;
    TRY(expect(p, WT_USE, &u->span));
    TRY(parse_usepath(p, &u->item));
    bool as;
    TRY(eat(p, WT_AS, &as));
    if (as) TRY(parse_id(p, &u->as));
    return expect(p, WT_SEMICOLON, NULL);
  }
  case WT_PACKAGE: {
    it->kind = WIT_AI_PACKAGE;
    wit_ast_pkgfile_t *pf = it->pkg = wit_zalloc(p->a, sizeof *pf);
    if (!pf) return oom(p);
    TRY(next(p, &t));
    pf->pkg_kw = t.span;
    if (p->pkg_depth >= WELD_MAX_WIT_NESTING) return fail_at(p, t.span, "package nesting too deep", NULL, NULL);
    if (attrs.len) return fail_at(p, t.span, "cannot place attributes on nested packages", NULL, NULL);
    pf->has_pkg = true;
    TRY(parse_pkgname(p, &pf->pkg));
    pf->pkg.docs = *docs;
    TRY(expect(p, WT_LBRACE, NULL));
    p->pkg_depth++;
    bool ok = parse_decls(p, WT_RBRACE, &pf->decls);
    p->pkg_depth--;
    return ok;
  }
  default:
    return expected(p, "`world`, `interface` or `use`", &t);
  }
}

static bool parse_decls(parser_t *p, wit_tok_t end, wit_ast_decls_t *d) {
  memset(d, 0, sizeof *d);
  wit_docs_t docs;
  TRY(parse_docs(p, &docs));
  for (;;) {
    if (end != WT_EOF) {
      bool got;
      TRY(eat(p, end, &got));
      if (got) return true;
    } else {
      wit_token_t t;
      TRY(peek(p, &t));
      if (t.kind == WT_EOF) return true;
    }
    wit_ast_item_t it;
    TRY(parse_item(p, &docs, &it));
    if (!AVEC_PUSH(p->a, &d->items, it)) return oom(p);
    TRY(parse_docs(p, &docs));
  }
}

weld_error_t *wit_parse_file(wit_arena_t *a, const wit_srcmap_t *sm, const wit_source_t *src,
                             wit_ast_pkgfile_t *out) {
  parser_t p = {0};
  p.a = a;
  p.sm = sm;
  memset(out, 0, sizeof *out);
  uint32_t off;
  const char *msg;
  if (!wit_lex_check_input(src->text, src->len, src->offset, &off, &msg))
    return wit_error_at(sm, (wit_span_t){off, off}, "%s", msg);
  wit_lex_init(&p.lx, src->text, src->len, src->offset);
  /* `package ns:name;` header (but not `package ns:name { ... }`, a nested package) */
  wit_lexer_t save = p.lx;
  wit_docs_t docs;
  bool ok = parse_docs(&p, &docs);
  bool kw = false;
  if (ok) ok = eat(&p, WT_PACKAGE, &kw);
  if (ok && kw) {
    wit_pkgname_t pn = {0};
    ok = parse_pkgname(&p, &pn);
    bool semi = false;
    if (ok) ok = eat(&p, WT_SEMICOLON, &semi);
    if (ok && semi) {
      out->has_pkg = true;
      out->pkg = pn;
      out->pkg.docs = docs;
    } else if (ok) {
      p.lx = save;
    }
  } else if (ok) {
    p.lx = save;
  }
  if (p.err) {
    /* a malformed header: report it as such */
  } else {
    ok = parse_decls(&p, WT_EOF, &out->decls);
  }
  if (!ok || p.err || a->oom) return p.err ? p.err : base_error_oom();
  return NULL;
}

/* ---- docs ---- */

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

const char *wit_docs_text(wit_arena_t *a, const wit_docs_t *d) {
  if (!d->lines.len) return NULL;
  size_t n = d->lines.len;
  const char **body = wit_alloc(a, n * sizeof *body);
  size_t *blen = wit_alloc(a, n * sizeof *blen);
  if (!body || !blen) return NULL;
  size_t min_ws = SIZE_MAX;
  for (size_t i = 0; i < n; i++) {
    const char *s = d->lines.data[i].text;
    size_t len = d->lines.data[i].len;
    if (len >= 3 && memcmp(s, "/**", 3) == 0) {
      s += 3, len -= 3;
      if (len >= 2 && memcmp(s + len - 2, "*/", 2) == 0) len -= 2;
    } else {
      while (len && *s == '/') s++, len--;
    }
    while (len && is_ws(s[len - 1])) len--;
    body[i] = s;
    blen[i] = len;
    if (len) {
      size_t ws = 0;
      while (ws < len && is_ws(s[ws])) ws++;
      if (ws < min_ws) min_ws = ws;
    }
  }
  if (min_ws == SIZE_MAX) min_ws = 0;
  /* strip min_ws leading spaces (only when they really are spaces) and join lines */
  size_t cap = 1;
  for (size_t i = 0; i < n; i++) cap += blen[i] + 2;
  char *out = wit_alloc(a, cap);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = body[i];
    size_t len = blen[i];
    if (min_ws && len >= min_ws) {
      size_t k = 0;
      while (k < min_ws && s[k] == ' ') k++;
      if (k == min_ws) s += min_ws, len -= min_ws;
    }
    if (!len) {
      out[o++] = '\n';
      continue;
    }
    /* Rust's str::lines: split on \n, drop a trailing \r from each line */
    size_t st = 0;
    while (st < len) {
      size_t e = st;
      while (e < len && s[e] != '\n') e++;
      size_t le = e;
      if (le > st && s[le - 1] == '\r') le--;
      memcpy(out + o, s + st, le - st);
      o += le - st;
      out[o++] = '\n';
      st = e + 1;
    }
  }
  while (o && out[o - 1] == '\n') o--;
  out[o] = 0;
  return out;
}

/* ---- path walking ---- */

static bool walk_iitems(const wit_ast_iitems_t *items, const wit_id_t *iface, wit_path_fn f, void *ud) {
  for (size_t i = 0; i < items->len; i++) {
    const wit_ast_iitem_t *it = &items->data[i];
    if (it->kind == WIT_II_USE && !f(ud, iface, &it->use.attrs, &it->use.from, &it->use, WIT_PATH_INTERFACE))
      return false;
  }
  return true;
}

static bool walk_extern(const wit_ast_witem_t *w, wit_path_fn f, void *ud) {
  const wit_ast_extern_t *e = &w->ext;
  switch (e->kind) {
  case WIT_EK_INTERFACE: return walk_iitems(&e->items, NULL, f, ud);
  case WIT_EK_PATH:
  case WIT_EK_LABELED: return f(ud, NULL, &w->attrs, &e->path, NULL, WIT_PATH_INTERFACE);
  default: return true;
  }
}

bool wit_for_each_path(const wit_ast_decls_t *d, wit_path_fn f, void *ud) {
  for (size_t i = 0; i < d->items.len; i++) {
    const wit_ast_item_t *it = &d->items.data[i];
    switch (it->kind) {
    case WIT_AI_WORLD: {
      const wit_ast_world_t *w = it->world;
      for (size_t j = 0; j < w->items.len; j++) {
        const wit_ast_witem_t *wi = &w->items.data[j];
        if (wi->kind == WIT_WI_USE) {
          if (!f(ud, NULL, &wi->use.attrs, &wi->use.from, &wi->use, WIT_PATH_INTERFACE)) return false;
        } else if (wi->kind == WIT_WI_INCLUDE) {
          if (!f(ud, &w->name, &wi->attrs, &wi->inc, NULL, WIT_PATH_WORLD)) return false;
        }
      }
      for (size_t j = 0; j < w->items.len; j++)
        if (w->items.data[j].kind == WIT_WI_IMPORT && !walk_extern(&w->items.data[j], f, ud)) return false;
      for (size_t j = 0; j < w->items.len; j++)
        if (w->items.data[j].kind == WIT_WI_EXPORT && !walk_extern(&w->items.data[j], f, ud)) return false;
      break;
    }
    case WIT_AI_INTERFACE:
      if (!walk_iitems(&it->iface->items, &it->iface->name, f, ud)) return false;
      break;
    case WIT_AI_USE:
      if (!f(ud, NULL, &it->use->attrs, &it->use->item, NULL, WIT_PATH_UNKNOWN)) return false;
      break;
    case WIT_AI_PACKAGE:
      if (!wit_for_each_path(&it->pkg->decls, f, ud)) return false;
      break;
    }
  }
  return true;
}
