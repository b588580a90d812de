/* test_witbin.c — WIT through the binary encoding and back (src/wit/encode.c,
 * src/wit/decode.c, src/wit/metadata.c).
 *
 *   test_witbin wasi SHARED_DIR   every package of SHARED_DIR/wit/wasi-0.2 and wasi-0.3
 *   test_witbin ui UI_DIR         every passing case of the wit-parser UI suite
 *   test_witbin codegen DIR       every entry of wit-bindgen's codegen suite
 *
 * A set is loaded from WIT text; each of its packages, in order, is encoded
 * (weld_wit_encode_package) and pushed into a fresh set from the binary alone
 * (weld_wit_push_wasm); the JSON of the two sets must be equal (objects compared
 * regardless of key order).  Where it is not, the decoded set must equal the printed
 * form of the original instead (each package printed as WIT and parsed again, in order):
 * a binary holds what the WIT text holds, so the two differ from the original alike, in
 * two ways — anonymous types left over from items removed by a disabled feature gate
 * are gone, and anonymous types of functions are numbered in printing order (functions
 * of resources first).  Those cases are counted separately.
 *
 * Every world also goes through weld_wit_encode_world and back into a fresh set of its
 * own (where the package's interfaces it uses are rebuilt from the world) and must print
 * the same as the original world, docs and gates aside (a world encoding has neither).
 * Like the UI runner, the UI cases enable the feature `active`. */
#include "json_compare.h"
#include "weld/wit.h"
#include "wit_test_util.h"

static int passed, failed, via_print;
static bool verbose;
static const char *feature;

static void check(bool ok, const char *what) {
  if (ok) {
    passed++;
    if (verbose) printf("ok   %s\n", what);
  } else {
    failed++;
  }
}

static weld_wit_t *fresh(void) {
  weld_wit_t *w = weld_wit_new();
  if (feature) {
    weld_error_t *e = weld_wit_enable_feature(w, feature);
    if (e) weld_error_delete(e);
  }
  return w;
}

static bool same_json(const weld_wit_t *a, const weld_wit_t *b, const char *what, bool quiet) {
  char *ja = weld_wit_to_json(a), *jb = weld_wit_to_json(b);
  const char *perr = NULL;
  jv_t *va = ja ? json_parse(ja, strlen(ja), &perr) : NULL;
  jv_t *vb = jb ? json_parse(jb, strlen(jb), &perr) : NULL;
  char where[512] = "";
  bool ok = va && vb && json_equal(va, vb, where, sizeof where);
  if (!ok && !quiet) {
    printf("FAIL %s: JSON after the binary round trip differs at %s\n", what, where);
    if (verbose) printf("--- original\n%s\n--- decoded\n%s\n", ja ? ja : "?", jb ? jb : "?");
  }
  jv_free(va);
  jv_free(vb);
  weld_wit_free_string(ja);
  weld_wit_free_string(jb);
  return ok;
}

/* Every package of w1 through encode -> push_wasm into a fresh set. */
static bool package_roundtrip(const weld_wit_t *w1, const char *what) {
  weld_wit_t *w2 = fresh();
  bool ok = true;
  for (uint32_t i = 0; ok && i < weld_wit_package_count(w1); i++) {
    uint8_t *bytes = NULL;
    size_t len = 0;
    const weld_wit_package_t *p = weld_wit_package(w1, i);
    weld_error_t *e = weld_wit_encode_package(w1, i, &bytes, &len);
    if (!e) e = weld_wit_push_wasm(w2, p->full_name, bytes, len, NULL);
    if (e) {
      printf("FAIL %s: package %s: %s\n", what, p->full_name, weld_error_message(e));
      weld_error_delete(e);
      ok = false;
    }
    weld_wit_free_bytes(bytes);
  }
  if (ok && !same_json(w1, w2, what, true)) {
    /* the printed form: every package printed and parsed again, in the same order */
    weld_wit_t *w3 = fresh();
    for (uint32_t i = 0; ok && i < weld_wit_package_count(w1); i++) {
      char *text = weld_wit_print(w1, i, WELD_WIT_NONE);
      weld_error_t *e = text ? weld_wit_push_str(w3, "printed.wit", text, strlen(text), NULL) : NULL;
      if (e || !text) {
        printf("FAIL %s: the printed package does not parse: %s\n", what, e ? weld_error_message(e) : "no text");
        weld_error_delete(e);
        ok = false;
      }
      weld_wit_free_string(text);
    }
    ok = ok && same_json(w3, w2, what, false);
    if (ok) {
      via_print++;
      if (verbose) printf("note %s: equal to the printed form, not to the original\n", what);
    }
    weld_wit_delete(w3);
  }
  weld_wit_delete(w2);
  return ok;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The printed text without doc comments and gates (lines starting with `///` or `@`),
 * its top-level blocks (text up to a `}` in column 0) sorted: a world encoding does not
 * keep the order of the package's interfaces. */
static char *normalize(const char *s) {
  size_t len = strlen(s), nb = 0;
  char *buf = malloc(2 * len + 2), *o = buf; /* a NUL after each block */
  char **blocks = calloc(len + 1, sizeof *blocks);
  char *out = malloc(len + 1);
  if (!buf || !blocks || !out) {
    free(buf);
    free(blocks);
    free(out);
    return NULL;
  }
  char *start = buf;
  while (*s) {
    const char *eol = strchr(s, '\n');
    size_t n = eol ? (size_t)(eol - s + 1) : strlen(s);
    const char *t = s;
    while (*t == ' ') t++;
    if (strncmp(t, "///", 3) && *t != '@' && *t != '\n') {
      memcpy(o, s, n);
      o += n;
      if (s[0] == '}' || (s[0] != ' ' && !memchr(s, '{', n))) { /* end of a block, or a one-line item */
        *o++ = 0;
        blocks[nb++] = start;
        start = o;
      }
    }
    s += n;
  }
  *o = 0;
  if (*start) blocks[nb++] = start;
  qsort(blocks, nb, sizeof *blocks, cmp_str);
  char *w = out;
  for (size_t i = 0; i < nb; i++) {
    size_t n = strlen(blocks[i]);
    memcpy(w, blocks[i], n);
    w += n;
  }
  *w = 0;
  free(buf);
  free(blocks);
  return out;
}

/* One world through encode_world -> push_wasm, printed like the original (normalized). */
static bool world_roundtrip(const weld_wit_t *w1, uint32_t world, const char *what) {
  const weld_wit_world_t *wd = weld_wit_world(w1, world);
  uint8_t *bytes = NULL;
  size_t len = 0;
  weld_wit_t *w2 = fresh();
  uint32_t pkg2 = WELD_WIT_NONE, world2 = WELD_WIT_NONE;
  weld_error_t *e = weld_wit_encode_world(w1, world, &bytes, &len);
  if (!e) e = weld_wit_push_wasm(w2, wd->name, bytes, len, &pkg2);
  if (!e) e = weld_wit_select_world(w2, pkg2, wd->name, &world2);
  bool ok = !e;
  if (e) {
    printf("FAIL %s: world %s: %s\n", what, wd->name, weld_error_message(e));
    weld_error_delete(e);
  } else {
    char *pa = weld_wit_print(w1, wd->package, world), *pb = weld_wit_print(w2, pkg2, world2);
    char *a = pa ? normalize(pa) : NULL, *b = pb ? normalize(pb) : NULL;
    weld_wit_free_string(pa);
    weld_wit_free_string(pb);
    ok = a && b && !strcmp(a, b);
    if (!ok)
      printf("FAIL %s: world %s prints differently after encode_world/decode\n--- before\n%s--- after\n%s---\n", what,
             wd->name, a ? a : "?", b ? b : "?");
    free(a);
    free(b);
  }
  weld_wit_free_bytes(bytes);
  weld_wit_delete(w2);
  return ok;
}

static void roundtrips(const weld_wit_t *w, const char *what) {
  check(package_roundtrip(w, what), what);
  for (uint32_t i = 0; i < weld_wit_world_count(w); i++) {
    char name[4300];
    pathf(name, sizeof name, "%s world %s", what, weld_wit_world(w, i)->name);
    check(world_roundtrip(w, i, name), name);
  }
}

static void run_wasi(const char *root) {
  const char *sets[] = {"wasi-0.2", "wasi-0.3"};
  for (size_t s = 0; s < 2; s++) {
    char dir[4096];
    pathf(dir, sizeof dir, "%s/wit/%s", root, sets[s]);
    size_t n;
    char **names = list_names(dir, &n);
    if (!names || !n) {
      printf("FAIL %s: no WIT files\n", dir);
      failed++;
      continue;
    }
    /* all packages of the set at once: every package then meets its dependencies */
    const char **paths = calloc(n, sizeof *paths);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
      if (!has_suffix(names[i], ".wit")) continue;
      char buf[4096];
      pathf(buf, sizeof buf, "%s/%s", dir, names[i]);
      paths[np++] = strdup(buf);
    }
    weld_wit_t *w = fresh();
    weld_error_t *e = np ? weld_wit_push_path(w, paths[0], paths + 1, np - 1, NULL) : NULL;
    if (e) {
      printf("FAIL %s: %s\n", sets[s], weld_error_message(e));
      weld_error_delete(e);
      failed++;
    } else {
      int before = failed;
      roundtrips(w, sets[s]);
      printf("%s: %zu packages, %zu worlds: %s\n", sets[s], weld_wit_package_count(w), weld_wit_world_count(w),
             failed == before ? "all round-trip" : "FAILURES");
    }
    weld_wit_delete(w);
    for (size_t i = 0; i < np; i++) free((char *)paths[i]);
    free(paths);
    free_names(names, n);
  }
}

static void run_ui(const char *dir) {
  size_t n;
  char **names = list_names(dir, &n);
  int cases = 0;
  for (size_t i = 0; names && i < n; i++) {
    if (!has_suffix(names[i], ".wit.json")) continue;
    names[i][strlen(names[i]) - strlen(".wit.json")] = 0;
    char path[4096];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!path_is_dir(path)) {
      pathf(path, sizeof path, "%s/%s.wit", dir, names[i]);
      if (!path_exists(path)) pathf(path, sizeof path, "%s/%s.wat", dir, names[i]);
    }
    weld_wit_t *w = fresh();
    weld_error_t *e = weld_wit_push_path(w, path, NULL, 0, NULL);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      weld_error_delete(e);
      failed++;
    } else {
      roundtrips(w, names[i]);
      cases++;
    }
    weld_wit_delete(w);
  }
  printf("ui: %d cases\n", cases);
  if (names) free_names(names, n);
}

/* wit-bindgen's codegen worlds: each entry a .wit file or a folder with wit/ (and deps/). */
static void run_codegen(const char *dir) {
  size_t n;
  char **names = list_names(dir, &n);
  int cases = 0;
  for (size_t i = 0; names && i < n; i++) {
    char path[4096];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (path_is_dir(path)) {
      char sub[4200];
      pathf(sub, sizeof sub, "%s/wit", path);
      if (path_is_dir(sub)) pathf(path, sizeof path, "%s", sub);
    } else if (!has_suffix(names[i], ".wit")) {
      continue;
    }
    weld_wit_t *w = fresh();
    weld_error_t *e = weld_wit_push_path(w, path, NULL, 0, NULL);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      weld_error_delete(e);
      failed++;
    } else {
      roundtrips(w, names[i]);
      cases++;
    }
    weld_wit_delete(w);
  }
  printf("codegen: %d cases\n", cases);
  if (names) free_names(names, n);
}

int main(int argc, char **argv) {
  const char *mode = NULL, *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) verbose = true;
    else if (!mode) mode = argv[i];
    else dir = argv[i];
  }
  if (!mode || !dir) {
    fprintf(stderr, "usage: test_witbin (wasi SHARED_DIR | ui UI_DIR | codegen DIR) [-v]\n");
    printf("0 passed, 1 failed\n");
    return 2;
  }
  if (!strcmp(mode, "wasi")) {
    run_wasi(dir);
  } else if (!strcmp(mode, "ui")) {
    feature = "active";
    run_ui(dir);
  } else if (!strcmp(mode, "codegen")) {
    run_codegen(dir);
  } else {
    printf("unknown mode %s\n0 passed, 1 failed\n", mode);
    return 2;
  }
  printf("package round trips equal to the printed form rather than the original: %d\n", via_print);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
