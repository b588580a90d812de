/* test_wit_ui.c — conformance runner for the wit-parser UI suite
 * (testsuite/wit-parser/ui, from wasm-tools crates/wit-parser/tests/ui).
 *
 *   test_wit_ui [UI_DIR]
 *
 * Passing cases (`X.wit` or folder `X/`, expected `X.wit.json`) must resolve, and
 * weld_wit_to_json must equal the expected JSON (objects compared regardless of key
 * order).  `parse-fail/` cases must be rejected, and where the `.wit.result` names a
 * location the error must name the same line and column.  Like the suite's own runner,
 * the feature `active` is enabled.  Inputs may be WIT packages encoded as WebAssembly
 * (`X.wat` cases, `.wasm`/`.wat` files in `deps/`), read by src/wit/decode.c. */
#include "json_compare.h"
#include "weld/wit.h"
#include "wit_test_util.h"

static int passed, failed, skipped;
static bool verbose;

static weld_error_t *load(const char *path, weld_wit_t **out) {
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_enable_feature(w, "active");
  if (!e) e = weld_wit_push_path(w, path, NULL, 0, NULL);
  *out = w;
  return e;
}

static void run_pass(const char *dir, const char *name) {
  char input[4096], expect[4096];
  pathf(expect, sizeof expect, "%s/%s.wit.json", dir, name);
  pathf(input, sizeof input, "%s/%s", dir, name);
  if (!path_is_dir(input)) {
    pathf(input, sizeof input, "%s/%s.wit", dir, name);
    if (!path_exists(input)) pathf(input, sizeof input, "%s/%s.wat", dir, name);
    if (!path_exists(input)) {
      printf("FAIL %s: no input found\n", name);
      failed++;
      return;
    }
  }
  weld_wit_t *w;
  weld_error_t *e = load(input, &w);
  if (e) {
    printf("FAIL %s: %s\n", name, weld_error_message(e));
    failed++;
    weld_error_delete(e);
    weld_wit_delete(w);
    return;
  }
  char *got = weld_wit_to_json(w);
  size_t elen;
  char *exp = read_text(expect, &elen);
  const char *perr = NULL;
  jv_t *a = got ? json_parse(got, strlen(got), &perr) : NULL;
  jv_t *b = exp ? json_parse(exp, elen, &perr) : NULL;
  char where[512] = "";
  if (!a || !b) {
    printf("FAIL %s: unreadable JSON (%s)\n", name, perr ? perr : "?");
    failed++;
  } else if (!json_equal(a, b, where, sizeof where)) {
    printf("FAIL %s: JSON differs at %s\n", name, where);
    failed++;
  } else {
    if (verbose) printf("ok   %s\n", name);
    passed++;
  }
  jv_free(a);
  jv_free(b);
  free(exp);
  weld_wit_free_string(got);
  weld_wit_delete(w);
}

static void run_fail(const char *dir, const char *name) {
  char input[4096], result[4096];
  pathf(result, sizeof result, "%s/%s.wit.result", dir, name);
  pathf(input, sizeof input, "%s/%s", dir, name);
  if (!path_is_dir(input)) {
    pathf(input, sizeof input, "%s/%s.wit", dir, name);
    if (!path_exists(input)) return; /* stale expectation without an input */
  }
  char *exp = read_text(result, NULL);
  weld_wit_t *w;
  weld_error_t *e = load(input, &w);
  if (!e) {
    printf("FAIL parse-fail/%s: accepted, expected: %s\n", name, exp ? strtok(exp, "\n") : "?");
    failed++;
  } else {
    const char *msg = weld_error_message(e);
    unsigned el, ec, gl, gc;
    if (exp && error_location(exp, &el, &ec)) {
      if (!error_location(msg, &gl, &gc) || gl != el || gc != ec) {
        printf("FAIL parse-fail/%s: expected error at %u:%u, weld says:\n  %s\n  expected: %s\n", name, el, ec, msg,
               strtok(exp, "\n"));
        failed++;
      } else {
        if (verbose) printf("ok   parse-fail/%s\n", name);
        passed++;
      }
    } else {
      if (verbose) printf("ok   parse-fail/%s (no location expected)\n", name);
      passed++;
    }
    weld_error_delete(e);
  }
  free(exp);
  weld_wit_delete(w);
}

int main(int argc, char **argv) {
  const char *dir = "../shared/testsuite/wit-parser/ui";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) verbose = true;
    else dir = argv[i];
  }
  size_t n;
  char **names = list_names(dir, &n);
  if (!names) {
    printf("cannot read %s\n0 passed, 1 failed\n", dir);
    return 1;
  }
  int p0 = 0, f0 = 0;
  for (size_t i = 0; i < n; i++) {
    if (!has_suffix(names[i], ".wit.json")) continue;
    names[i][strlen(names[i]) - strlen(".wit.json")] = 0;
    run_pass(dir, names[i]);
  }
  printf("passing cases: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
  p0 = passed, f0 = failed;
  free_names(names, n);
  char pf[4096];
  pathf(pf, sizeof pf, "%s/parse-fail", dir);
  names = list_names(pf, &n);
  for (size_t i = 0; names && i < n; i++) {
    if (!has_suffix(names[i], ".wit.result")) continue;
    names[i][strlen(names[i]) - strlen(".wit.result")] = 0;
    run_fail(pf, names[i]);
  }
  if (names) free_names(names, n);
  printf("parse-fail cases: %d passed, %d failed\n", passed - p0, failed - f0);
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed != 0;
}
