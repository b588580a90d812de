/* test_lexer.c — unit tests for the text format's lexer and S-expression layer
 * (text/sexpr.c, core spec §6.3): tokens and their kinds, string escapes, nested block
 * comments, reserved tokens, positions, error messages with file:line:col and a caret,
 * the nesting cap, and that every core .wast script of the shared testsuite tokenizes. */
#include "text/sexpr.h"
#include "base/limits.h"
#include "weld/error.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) passed++;
  else {
    failed++;
    printf("FAIL %s\n", what);
  }
}

static text_doc_t *parse_ok(const char *src, const char *what) {
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(src, strlen(src), "t.wat", &doc);
  if (e) {
    printf("  unexpected error: %s\n", weld_error_message(e));
    weld_error_delete(e);
  }
  check(doc != NULL, what);
  return doc;
}

/* Expects an error whose message contains `want` (e.g. "t.wat:2:5:"). */
static void parse_bad(const char *src, size_t len, const char *want, const char *what) {
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(src, len, "t.wat", &doc);
  int ok = e && !doc && strstr(weld_error_message(e), want);
  if (!ok) printf("  %s\n", e ? weld_error_message(e) : "(no error)");
  check(ok, what);
  weld_error_delete(e);
  text_doc_free(doc);
}

static int str_is(const text_sx_t *x, const char *bytes, size_t n) {
  return x->str_len == n && memcmp(x->str, bytes, n) == 0;
}

static void test_tokens(void) {
  text_doc_t *d = parse_ok("(module $m (func $f (param i32) (i32.const -0x1_0)))  ;; c\n(x)", "basic doc");
  if (!d) return;
  check(d->nitems == 2, "two top-level items");
  const text_sx_t *m = &d->items[0];
  check(m->kind == SX_LIST && m->nitems == 3 && text_sx_is_form(m, "module"), "module list");
  check(m->items[1].kind == SX_ID && m->items[1].len == 2, "module id");
  const text_sx_t *f = &m->items[2];
  check(f->kind == SX_LIST && f->nitems == 4, "func list");
  const text_sx_t *c = &f->items[3].items[1];
  check(c->kind == SX_ATOM && c->len == 6 && memcmp(c->text, "-0x1_0", 6) == 0, "number atom raw");
  check(c->line == 1 && c->col == 44 && c->off == 43, "position of atom");
  check(d->items[1].line == 2 && d->items[1].col == 1, "second line position");
  check(m->end_off == 52 && d->src[m->end_off - 1] == ')', "end_off");
  const char *nm;
  size_t nl;
  text_sx_id_name(&f->items[1], &nm, &nl);
  check(nl == 1 && nm[0] == 'f', "id name");
  text_doc_free(d);

  d = parse_ok("\"a\\t\\n\\r\\\"\\'\\\\\\41\\u{1F600}\\u{4_1}\\00\\ff\" \"\" $\"x y\" $l\"a\" \"a\"x 0\"a\" a,b {}", "escapes");
  if (!d) return;
  check(d->nitems == 8, "token count");
  check(d->items[0].kind == SX_STRING && str_is(&d->items[0], "a\t\n\r\"'\\A\xf0\x9f\x98\x80" "A\0\xff", 15), "escape decoding");
  check(d->items[1].kind == SX_STRING && d->items[1].str_len == 0, "empty string");
  check(d->items[2].kind == SX_ID && str_is(&d->items[2], "x y", 3), "quoted id");
  text_sx_id_name(&d->items[2], &nm, &nl);
  check(nl == 3 && memcmp(nm, "x y", 3) == 0, "quoted id name");
  check(d->items[3].kind == SX_ATOM && d->items[3].len == 5, "id+string is reserved");
  check(d->items[4].kind == SX_ATOM, "string+x is reserved");
  check(d->items[5].kind == SX_ATOM, "0+string is reserved");
  check(d->items[6].kind == SX_ATOM && d->items[6].len == 3, "comma is reserved");
  check(d->items[7].kind == SX_ATOM, "braces are reserved");
  text_doc_free(d);

  d = parse_ok("(;a(;b;)c;)x(;;)y;;z\n(;\n;;;)w$a$b", "comments");
  if (!d) return;
  check(d->nitems == 3 && text_sx_is_atom(&d->items[0], "x") && text_sx_is_atom(&d->items[1], "y") &&
            text_sx_is_atom(&d->items[2], "w$a$b"),
        "comment skipping");
  check(d->items[2].line == 3 && d->items[2].col == 5, "line after block comment");
  text_doc_free(d);

  d = parse_ok("", "empty doc");
  if (d) check(d->nitems == 0, "empty doc has no items");
  text_doc_free(d);
  d = parse_ok("(func(nop)nop)(;\xc3\xa9;);;\xe2\x82\xac\n", "utf-8 in comment");
  text_doc_free(d);
}

/* Regression: a line comment ends at CR as well as LF (comments.wast "newline recognition");
 * lines are counted for LF, CR and CR LF. */
static void test_newlines(void) {
  text_doc_t *d = parse_ok("a ;; c\rb ;; c\r\nc\rd\r\ne", "CR ends a line comment");
  if (!d) return;
  check(d->nitems == 5, "tokens after CR-terminated comments");
  if (d->nitems == 5) {
    check(d->items[1].line == 2 && d->items[1].col == 1, "CR counts a line");
    check(d->items[2].line == 3 && d->items[3].line == 4 && d->items[4].line == 5, "CR LF counts one line");
  }
  text_doc_free(d);
  parse_bad("(a\r  \"x\\q\")", 12, "t.wat:2:5: unknown escape", "error position after a CR");
}

static void test_errors(void) {
  parse_bad("(a\n  \"abc", 9, "t.wat:2:3: unterminated string", "unterminated string");
  parse_bad("\"a\\x\"", 5, "t.wat:1:3: unknown escape", "bad escape");
  parse_bad("\"\\u{d800}\"", 10, "not a Unicode scalar", "surrogate escape");
  parse_bad("\"\\u{110000}\"", 12, "not a Unicode scalar", "too big escape");
  parse_bad("\"\\u{}\"", 6, "malformed \\u", "empty \\u");
  parse_bad("\"\\u{_1}\"", 8, "malformed \\u", "leading _ in \\u");
  parse_bad("\"\\u41\"", 6, "expected '{'", "\\u without brace");
  parse_bad("\"a\tb\"", 5, "control character", "tab in string");
  parse_bad("(a))", 4, "t.wat:1:4: unexpected ')'", "extra paren");
  parse_bad("(a\n(b)", 6, "t.wat:1:1: unclosed", "unclosed paren");
  parse_bad("x (; (; ;)", 10, "t.wat:1:3: unterminated block comment", "unterminated comment");
  parse_bad("(a \xff)", 5, "t.wat:1:4: malformed UTF-8", "bad utf-8");
  parse_bad("(a \xc3\xa9)", 6, "non-ASCII", "non-ASCII outside string");
  parse_bad("(a \x01)", 5, "unexpected character", "control char");
  parse_bad("$\"\"", 3, "empty identifier", "empty quoted id");
  parse_bad("$\"\\ff\"", 6, "not valid UTF-8", "quoted id not UTF-8");
  parse_bad("(a\0b)", 5, "unexpected character 0x00", "NUL byte");
  /* the caret line */
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc("(module\n\t(func \"\\q\"))", 21, "f.wat", &doc);
  check(e && strcmp(weld_error_message(e), "f.wat:2:9: unknown escape sequence\n  \t(func \"\\q\"))\n  \t       ^") == 0,
        "caret line");
  if (e && failed) printf("%s\n", weld_error_message(e));
  weld_error_delete(e);
  /* text_error on a node */
  doc = parse_ok("(a\n  (b c))", "doc for text_error");
  if (doc) {
    e = text_error(doc, &doc->items[0].items[1].items[1], "bad %s", "thing");
    check(strcmp(weld_error_message(e), "t.wat:2:6: bad thing\n    (b c))\n       ^") == 0, "text_error format");
    weld_error_delete(e);
    text_doc_free(doc);
  }
}

static void test_nesting(void) {
  size_t n = WELD_MAX_TEXT_NESTING;
  char *s = malloc(2 * n + 2);
  for (size_t i = 0; i < n; i++) s[i] = '(', s[n + i] = ')';
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(s, 2 * n, "deep", &doc);
  check(!e && doc, "nesting at the cap is fine");
  weld_error_delete(e);
  text_doc_free(doc);
  memmove(s + 1, s, 2 * n);
  s[0] = '(';
  s[2 * n + 1] = ')';
  doc = NULL;
  e = text_parse_doc(s, 2 * n + 2, "deep", &doc);
  check(e && !doc && strstr(weld_error_message(e), "nesting too deep"), "nesting over the cap is an error");
  weld_error_delete(e);
  free(s);
}

static void test_suite(const char *dir) {
  DIR *dp = opendir(dir);
  if (!dp) {
    printf("note: %s not found, skipping the testsuite scan\n", dir);
    return;
  }
  struct dirent *de;
  int files = 0, bad = 0;
  while ((de = readdir(dp))) {
    size_t l = strlen(de->d_name);
    if (l < 5 || strcmp(de->d_name + l - 5, ".wast")) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    FILE *f = fopen(path, "rb");
    if (!f) continue;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)sz + 1);
    size_t got = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    text_doc_t *doc = NULL;
    weld_error_t *e = text_parse_doc(buf, got, path, &doc);
    if (e) {
      printf("FAIL tokenizing %s\n", weld_error_message(e));
      bad++;
    }
    weld_error_delete(e);
    text_doc_free(doc);
    free(buf);
    files++;
  }
  closedir(dp);
  check(files > 0 && bad == 0, "all core .wast scripts tokenize");
}

int main(int argc, char **argv) {
  test_tokens();
  test_errors();
  test_newlines();
  test_nesting();
  test_suite(argc > 1 ? argv[1] : "../shared/testsuite/core");
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
