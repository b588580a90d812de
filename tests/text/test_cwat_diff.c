/* test_cwat_diff.c — differential test of the component text encoder (src/text/cwat*.c)
 * against wasm-tools (the `wast` crate inside the pinned jco, via tests/text/cwat_jco.mjs),
 * plus the malformed-text cases of the component test suites.
 *
 *   test_cwat_diff [-v] [TESTSUITE_DIR]     (default ../shared/testsuite)
 *
 * Scripts: component-validation/component-model/ (all .wast, recursively) and
 * component-exec/component-model/ (top level).  Every component form of a script is
 * collected: top-level `(component ...)` and `(component definition ...)`, and the
 * component of assert_invalid / assert_unlinkable / assert_trap / assert_uninstantiable /
 * assert_return / assert_malformed.  `(component binary ...)` is verbatim and skipped.
 *
 *   - A text or quote component is encoded by weld (text_encode_component) and by
 *     wasm-tools (a quote form is given to it as `(component <quoted text>)`; the script
 *     keyword `definition` is blanked out).  Outcomes must agree: both accept with the same
 *     bytes once custom sections are dropped at every level (core modules and nested
 *     components included: name and producers sections are debug information), or both
 *     reject.  weld rejecting with "not supported: ..." where wasm-tools accepts is a skip.
 *     weld is run in strict mode (as wasm-tools is by default); a form rejected only for
 *     a legacy index spelling (`(memory $i "name")` ...) must then be accepted by the
 *     default, lenient mode (text_encode_component).
 *   - An assert_malformed quote component must be rejected by weld.
 *
 * Nested core modules are encoded by weld's core text encoder, which makes wabt's choices
 * where the binary format allows several (tests/text/test_wat_diff.c); wasm-tools differs
 * in a few of them (an element segment naming `(table 0)` explicitly keeps the table
 * index), which does not occur in these suites.
 *
 * The reference encodings are generated at test time (one node process for all forms,
 * written to $BUILD/tests/cwat_jco.{in,out}.json, or a temporary directory that is
 * removed afterwards when BUILD is not set).  Without node
 * or node_modules (npm ci) the comparison is skipped (counted as 1 skipped).
 *
 * Last line: N passed, N failed, N skipped. */
#include "base/utf.h"
#include "base/vec.h"
#include "text/cwat.h"
#include "text/sexpr.h"
#include "weld/error.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int verbose;

/* A malloc'd NUL-terminated copy of a buffer's bytes; the buffer is freed. */
static char *take_cstr(base_buf_t *b) {
  char *s = malloc(b->len + 1);
  if (s) {
    if (b->len) memcpy(s, b->data, b->len);
    s[b->len] = 0;
  }
  base_buf_free(b);
  return s;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)sz + 1);
  size_t got = buf ? fread(buf, 1, (size_t)sz, f) : 0;
  fclose(f);
  if (!buf) return NULL;
  buf[got] = 0;
  *len = got;
  return buf;
}

/* ---- forms ------------------------------------------------------------------------------------ */

enum { F_VALID, F_INVALID, F_MALFORMED };

typedef struct form {
  char *file;       /* script path relative to the suite dir */
  unsigned line;
  int kind;         /* F_* : where the form appears */
  int quote;
  char *ref_text;   /* text for wasm-tools, NULL if it cannot be given one */
  /* weld's result */
  int weld_ok;
  base_buf_t weld;
  char *weld_msg;
  int legacy;       /* rejected for a legacy spelling only; legacy_msg: lenient mode's error */
  char *legacy_msg;
} form_t;

static VEC(form_t) forms;

static void collect(const char *rel, const text_doc_t *doc, const text_sx_t *x, const text_sx_t *comp, int kind) {
  uint32_t i = 1;
  bool definition = false;
  if (i < comp->nitems && text_sx_is_atom(&comp->items[i], "definition")) definition = true, i++;
  if (i < comp->nitems && text_sx_is_atom(&comp->items[i], "instance")) return; /* script command */
  if (i < comp->nitems && comp->items[i].kind == SX_ID) i++;
  if (i < comp->nitems && text_sx_is_atom(&comp->items[i], "binary")) return;
  bool quote = i < comp->nitems && text_sx_is_atom(&comp->items[i], "quote");
  form_t f;
  memset(&f, 0, sizeof f);
  f.file = strdup(rel);
  f.line = comp->line;
  f.kind = kind;
  f.quote = quote;
  (void)x;
  base_buf_t ref = {0};
  if (quote) {
    base_buf_bytes(&ref, "(component ", 11);
    for (uint32_t k = i + 1; k < comp->nitems; k++)
      if (comp->items[k].kind == SX_STRING) base_buf_bytes(&ref, comp->items[k].str, comp->items[k].str_len);
    base_buf_bytes(&ref, ")", 1);
  } else {
    base_buf_bytes(&ref, doc->src + comp->off, comp->end_off - comp->off);
    if (definition) { /* blank out the script keyword */
      size_t at = comp->items[1].off - comp->off;
      memset(ref.data + at, ' ', comp->items[1].len);
    }
  }
  if (base_utf8_valid(ref.data, ref.len)) f.ref_text = take_cstr(&ref);
  base_buf_free(&ref);
  /* weld */
  weld_error_t *e = text_encode_component_flags(doc, comp, 0, &f.weld, NULL); /* strict, as wasm-tools */
  if (e) {
    f.weld_msg = strdup(weld_error_message(e));
    weld_error_delete(e);
    /* legacy index spellings: the default (lenient) mode must accept them */
    if (strstr(f.weld_msg, "nested reference") || strstr(f.weld_msg, "keyword is required")) {
      base_buf_t lenient = {0};
      e = text_encode_component(doc, comp, &lenient, NULL);
      if (e) {
        f.legacy_msg = strdup(weld_error_message(e));
        weld_error_delete(e);
      }
      f.legacy = 1;
      base_buf_free(&lenient);
    }
  } else {
    f.weld_ok = 1;
  }
  VEC_PUSH(&forms, f);
}

static int is_assert(const text_sx_t *x, int *kind) {
  static const char *const invalid[] = {"assert_invalid", "assert_unlinkable", "assert_trap", "assert_uninstantiable",
                                        "assert_return", "assert_exhaustion"};
  if (x->kind != SX_LIST || x->nitems < 2) return 0;
  if (text_sx_is_form(x, "assert_malformed")) {
    *kind = F_MALFORMED;
    return 1;
  }
  for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++)
    if (text_sx_is_form(x, invalid[k])) {
      *kind = k == 0 ? F_INVALID : F_VALID;
      return 1;
    }
  return 0;
}

static int scripts, script_errors;

static void run_script(const char *root, const char *rel) {
  char path[8192];
  snprintf(path, sizeof path, "%s/%s", root, rel);
  size_t len;
  char *src = read_file(path, &len);
  if (!src) return;
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(src, len, rel, &doc);
  free(src);
  scripts++;
  if (e) {
    printf("FAIL %s: %s\n", rel, weld_error_message(e));
    weld_error_delete(e);
    script_errors++;
    return;
  }
  for (uint32_t k = 0; k < doc->nitems; k++) {
    const text_sx_t *x = &doc->items[k];
    int kind;
    if (text_sx_is_form(x, "component")) collect(rel, doc, x, x, F_VALID);
    else if (is_assert(x, &kind) && text_sx_is_form(&x->items[1], "component")) collect(rel, doc, x, &x->items[1], kind);
  }
  text_doc_free(doc);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk(const char *root, const char *rel, int recurse) {
  char path[4096];
  snprintf(path, sizeof path, "%.2000s/%.2000s", root, rel);
  DIR *d = opendir(path);
  if (!d) return;
  VEC(char *) names = {0};
  struct dirent *de;
  while ((de = readdir(d)))
    if (de->d_name[0] != '.') VEC_PUSH(&names, strdup(de->d_name));
  closedir(d);
  qsort(names.data, names.len, sizeof(char *), cmp_str);
  for (size_t k = 0; k < names.len; k++) {
    char sub[2048];
    snprintf(sub, sizeof sub, "%.1000s/%.1000s", rel, names.data[k]);
    char full[4096];
    snprintf(full, sizeof full, "%s/%s", root, sub);
    struct stat st;
    size_t l = strlen(names.data[k]);
    if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
      if (recurse) walk(root, sub, recurse);
    } else if (l > 5 && !strcmp(names.data[k] + l - 5, ".wast")) {
      run_script(root, sub);
    }
    free(names.data[k]);
  }
  VEC_FREE(&names);
}

/* ---- binary normalisation ---------------------------------------------------------------------- */

static int read_leb(const uint8_t *p, size_t n, size_t *i, uint32_t *v) {
  uint32_t r = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*i >= n) return -1;
    uint8_t b = p[(*i)++];
    r |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return 0;
    }
  }
  return -1;
}

/* Copies a module or component without custom sections, recursing into nested modules
 * (component section 1) and components (section 4); section sizes are rewritten. */
static void strip(const uint8_t *p, size_t n, base_buf_t *out, int depth) {
  if (n < 8 || depth > 200) {
    base_buf_bytes(out, p, n);
    return;
  }
  bool component = p[6] == 1;
  base_buf_bytes(out, p, 8);
  size_t i = 8;
  while (i < n) {
    size_t start = i;
    uint8_t id = p[i++];
    uint32_t size;
    if (read_leb(p, n, &i, &size) || i + size > n) {
      base_buf_bytes(out, p + start, n - start);
      return;
    }
    if (id == 0) {
      i += size;
      continue;
    }
    if (component && (id == 1 || id == 4)) {
      base_buf_t inner = {0};
      strip(p + i, size, &inner, depth + 1);
      base_buf_byte(out, id);
      base_buf_u32leb(out, (uint32_t)inner.len);
      base_buf_bytes(out, inner.data, inner.len);
      base_buf_free(&inner);
    } else {
      base_buf_bytes(out, p + start, i + size - start);
    }
    i += size;
  }
}

/* ---- JSON in and out --------------------------------------------------------------------------- */

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

typedef struct ref {
  int ok;
  base_buf_t bytes;
  char *msg;
} ref_t;

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* [{"b":"hex"}|{"e":"msg"}, ...] */
static int parse_refs(const char *s, ref_t *refs, size_t n) {
  size_t k = 0;
  const char *p = s;
  while (k < n && (p = strstr(p, "{\""))) {
    char kind = p[2];
    p += 6; /* {"b":" */
    ref_t *r = &refs[k++];
    base_buf_t msg = {0};
    while (*p && *p != '"') {
      if (kind == 'b') {
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0) return -1;
        base_buf_byte(&r->bytes, (uint8_t)(hi << 4 | lo));
        p += 2;
      } else {
        if (*p == '\\' && p[1]) p++;
        base_buf_byte(&msg, (uint8_t)*p++);
      }
    }
    r->ok = kind == 'b';
    if (!r->ok) r->msg = take_cstr(&msg);
    base_buf_free(&msg);
  }
  return k == n ? 0 : -1;
}

/* ---- main ------------------------------------------------------------------------------------------ */

static void first_line(const char *msg, char *out, size_t cap) {
  size_t k = 0;
  while (msg && msg[k] && msg[k] != '\n' && k + 1 < cap) {
    out[k] = msg[k];
    k++;
  }
  out[k] = 0;
}

int main(int argc, char **argv) {
  const char *root = "../shared/testsuite";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) verbose = 1;
    else root = argv[i];
  }
  walk(root, "component-validation/component-model", 1);
  walk(root, "component-exec/component-model", 0);
  int passed = 0, failed = script_errors, skipped = 0;
  int compared = 0, identical = 0, both_reject = 0, malformed_ok = 0, mismatches = 0, not_supported = 0, legacy = 0;
  if (!forms.len) {
    printf("no component forms found under %s\n0 passed, 1 failed\n", root);
    return 1;
  }

  /* reference encodings */
  char dir[1024], in[1200], outp[1200], cmd[4096];
  const char *build = getenv("BUILD");
  bool tmp = !(build && *build);
  if (!tmp) snprintf(dir, sizeof dir, "%s/tests", build);
  else if (!mkdtemp(strcpy(dir, "/tmp/weld-cwat-XXXXXX"))) strcpy(dir, "/tmp");
  snprintf(in, sizeof in, "%s/cwat_jco.in.json", dir);
  snprintf(outp, sizeof outp, "%s/cwat_jco.out.json", dir);
  FILE *f = fopen(in, "wb");
  ref_t *refs = calloc(forms.len, sizeof(ref_t));
  int have_refs = 0;
  size_t nref = 0;
  if (f && refs) {
    fputc('[', f);
    for (size_t k = 0; k < forms.len; k++)
      if (forms.data[k].ref_text) {
        if (nref++) fputc(',', f);
        json_string(f, forms.data[k].ref_text);
      }
    fputc(']', f);
    fclose(f);
    remove(outp);
    snprintf(cmd, sizeof cmd, "node tests/text/cwat_jco.mjs '%s' '%s'", in, outp);
    int rc = system(cmd);
    size_t len;
    char *js = rc == 0 ? read_file(outp, &len) : NULL;
    if (js && parse_refs(js, refs, nref) == 0) have_refs = 1;
    else printf("note: no reference encodings (node or node_modules/@bytecodealliance/jco missing? run npm ci)\n");
    free(js);
  }

  if (tmp && strcmp(dir, "/tmp")) {
    remove(in);
    remove(outp);
    rmdir(dir);
  }

  size_t r = 0;
  for (size_t k = 0; k < forms.len; k++) {
    form_t *fm = &forms.data[k];
    ref_t *ref = fm->ref_text && have_refs ? &refs[r++] : NULL;
    char wmsg[400], rmsg[400];
    first_line(fm->weld_msg, wmsg, sizeof wmsg);
    first_line(ref && !ref->ok ? ref->msg : NULL, rmsg, sizeof rmsg);
    if (fm->kind == F_MALFORMED) {
      if (!fm->quote) continue; /* a text form there is the script parser's business */
      if (!fm->weld_ok) {
        passed++, malformed_ok++;
        if (verbose) printf("ok   %s:%u: malformed, rejected: %s\n", fm->file, fm->line, wmsg);
      } else {
        failed++;
        printf("FAIL %s:%u: malformed component accepted\n", fm->file, fm->line);
      }
      continue;
    }
    if (!ref) {
      skipped++;
      if (verbose) printf("SKIP %s:%u: no reference encoding\n", fm->file, fm->line);
      continue;
    }
    compared++;
    if (fm->legacy) {
      char lmsg[400];
      first_line(fm->legacy_msg, lmsg, sizeof lmsg);
      if (!fm->legacy_msg) {
        passed++, legacy++;
        if (verbose) printf("ok   %s:%u: legacy spelling: rejected (strict) and accepted (default)\n", fm->file, fm->line);
      } else if (!strncmp(lmsg, "not supported", 13) || strstr(lmsg, ": not supported: ")) {
        skipped++, not_supported++;
        if (verbose) printf("SKIP %s:%u: %s\n", fm->file, fm->line, lmsg);
      } else {
        failed++, mismatches++;
        printf("FAIL %s:%u: legacy spelling rejected in the default mode: %s\n", fm->file, fm->line, lmsg);
      }
      continue;
    }
    if (!fm->weld_ok && !ref->ok) {
      passed++, both_reject++;
      if (verbose) printf("ok   %s:%u: both reject: weld: %s | wasm-tools: %s\n", fm->file, fm->line, wmsg, rmsg);
      continue;
    }
    if (!fm->weld_ok) {
      if (!strncmp(wmsg, "not supported", 13) || strstr(wmsg, ": not supported: ")) {
        skipped++, not_supported++;
        if (verbose) printf("SKIP %s:%u: %s\n", fm->file, fm->line, wmsg);
      } else {
        failed++, mismatches++;
        printf("FAIL %s:%u: weld rejects what wasm-tools accepts: %s\n", fm->file, fm->line, wmsg);
      }
      continue;
    }
    if (!ref->ok) {
      failed++, mismatches++;
      printf("FAIL %s:%u: weld accepts what wasm-tools rejects (%s)\n", fm->file, fm->line, rmsg);
      continue;
    }
    base_buf_t a = {0}, b = {0};
    strip(fm->weld.data, fm->weld.len, &a, 0);
    strip(ref->bytes.data, ref->bytes.len, &b, 0);
    if (a.len == b.len && !memcmp(a.data, b.data, a.len)) {
      passed++, identical++;
    } else {
      size_t at = 0;
      while (at < a.len && at < b.len && a.data[at] == b.data[at]) at++;
      failed++, mismatches++;
      printf("FAIL %s:%u: binary differs from wasm-tools at byte 0x%zx (weld %zu bytes, wasm-tools %zu)\n", fm->file,
             fm->line, at, a.len, b.len);
    }
    base_buf_free(&a);
    base_buf_free(&b);
  }
  if (!have_refs) skipped++;
  printf("%d scripts, %zu component forms: %d compared (%d byte-identical, %d rejected by both, %d legacy spellings "
         "accepted by default only), %d malformed rejected, %d mismatches, %d not supported\n",
         scripts, forms.len, compared, identical, both_reject, legacy, malformed_ok, mismatches, not_supported);
  for (size_t k = 0; k < forms.len; k++) {
    free(forms.data[k].file);
    free(forms.data[k].ref_text);
    free(forms.data[k].weld_msg);
    free(forms.data[k].legacy_msg);
    base_buf_free(&forms.data[k].weld);
  }
  for (size_t k = 0; k < nref; k++) {
    base_buf_free(&refs[k].bytes);
    free(refs[k].msg);
  }
  free(refs);
  VEC_FREE(&forms);
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed != 0;
}
