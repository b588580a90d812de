/* test_wit_corpus.c — resolves bodies of real-world WIT and checks that printing is
 * faithful: for every loaded package, print -> parse -> print gives the same text (so
 * parse(print(x)) has the same resolved structure as x, package by package).
 *
 *   test_wit_corpus wasi DIR      every package in DIR/wasi-0.2 and DIR/wasi-0.3 (one file
 *                                 per package), resolved with the others as dependencies
 *   test_wit_corpus codegen DIR   every entry of DIR (a .wit file, or X/wit/ with deps/);
 *                                 every world of the main package must resolve
 *   test_wit_corpus ui DIR        the passing cases of the wit-parser UI suite (feature
 *                                 `active` enabled; `.wat` cases and `.wasm`/`.wat`
 *                                 dependencies are read by src/wit/decode.c) */
#include "weld/wit.h"
#include "wit_test_util.h"

static int passed, failed, skipped;
static const char *feature; /* enabled in every resolve when set */

static weld_wit_t *fresh(void) {
  weld_wit_t *w = weld_wit_new();
  if (feature) {
    weld_error_t *e = weld_wit_enable_feature(w, feature);
    if (e) weld_error_delete(e);
  }
  return w;
}

/* print(all) -> parse -> per-package print comparison */
static bool roundtrip(const weld_wit_t *w1, const char *what) {
  char *text = weld_wit_print(w1, WELD_WIT_NONE, WELD_WIT_NONE);
  if (!text) {
    printf("FAIL %s: print failed\n", what);
    return false;
  }
  weld_wit_t *w2 = fresh();
  weld_error_t *e = weld_wit_push_str(w2, "printed.wit", text, strlen(text), NULL);
  bool ok = true;
  if (e) {
    printf("FAIL %s: printed WIT does not parse again: %s\n---\n%s---\n", what, weld_error_message(e), text);
    weld_error_delete(e);
    ok = false;
  } else if (weld_wit_package_count(w1) != weld_wit_package_count(w2)) {
    printf("FAIL %s: %zu packages after the round trip, %zu before\n", what, weld_wit_package_count(w2),
           weld_wit_package_count(w1));
    ok = false;
  } else {
    for (uint32_t i = 0; ok && i < weld_wit_package_count(w1); i++) {
      const weld_wit_package_t *p = weld_wit_package(w1, i);
      uint32_t j = weld_wit_find_package(w2, p->full_name);
      char *a = weld_wit_print(w1, i, WELD_WIT_NONE);
      char *b = j == WELD_WIT_NONE ? NULL : weld_wit_print(w2, j, WELD_WIT_NONE);
      if (!a || !b || strcmp(a, b)) {
        printf("FAIL %s: package %s changes in a print/parse round trip\n--- before\n%s--- after\n%s---\n", what,
               p->full_name, a ? a : "(null)", b ? b : "(missing)");
        ok = false;
      }
      weld_wit_free_string(a);
      weld_wit_free_string(b);
    }
  }
  weld_wit_delete(w2);
  weld_wit_free_string(text);
  return ok;
}

static void check(bool ok) {
  if (ok) passed++;
  else failed++;
}

static void run_wasi(const char *root) {
  const char *sets[] = {"wasi-0.2", "wasi-0.3"};
  for (size_t s = 0; s < 2; s++) {
    char dir[4096];
    pathf(dir, sizeof dir, "%s/%s", root, sets[s]);
    size_t n;
    char **names = list_names(dir, &n);
    if (!names || !n) {
      printf("FAIL %s: no WIT files\n", dir);
      failed++;
      continue;
    }
    char **paths = calloc(n, sizeof *paths);
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
      if (!has_suffix(names[i], ".wit")) continue;
      char buf[4096];
      pathf(buf, sizeof buf, "%s/%s", dir, names[i]);
      paths[np++] = strdup(buf);
    }
    int pkgs = 0;
    for (size_t i = 0; i < np; i++) {
      const char **deps = calloc(np, sizeof *deps);
      size_t nd = 0;
      for (size_t k = 0; k < np; k++)
        if (k != i) deps[nd++] = paths[k];
      weld_wit_t *w = fresh();
      uint32_t main_pkg;
      weld_error_t *e = weld_wit_push_path(w, paths[i], deps, nd, &main_pkg);
      char what[4200];
      pathf(what, sizeof what, "%s/%s", sets[s], strrchr(paths[i], '/') + 1);
      if (e) {
        printf("FAIL %s: %s\n", what, weld_error_message(e));
        weld_error_delete(e);
        failed++;
      } else {
        bool ok = roundtrip(w, what);
        check(ok);
        pkgs += ok;
      }
      weld_wit_delete(w);
      free(deps);
    }
    printf("%s: %d of %zu packages resolved and round-tripped\n", sets[s], pkgs, np);
    for (size_t i = 0; i < np; i++) free(paths[i]);
    free(paths);
    free_names(names, n);
  }
}

static void run_codegen(const char *dir) {
  size_t n;
  char **names = list_names(dir, &n);
  if (!names) {
    printf("FAIL cannot read %s\n", dir);
    failed++;
    return;
  }
  int worlds = 0, world_fail = 0;
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (path_is_dir(path)) {
      char sub[4096];
      pathf(sub, sizeof sub, "%s/wit", path);
      if (path_is_dir(sub)) memcpy(path, sub, sizeof path);
    } else if (!has_suffix(names[i], ".wit")) {
      continue;
    }
    weld_wit_t *w = fresh();
    uint32_t pkg;
    weld_error_t *e = weld_wit_push_path(w, path, NULL, 0, &pkg);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      weld_error_delete(e);
      failed++;
      weld_wit_delete(w);
      continue;
    }
    const weld_wit_package_t *p = weld_wit_package(w, pkg);
    bool ok = true;
    for (size_t k = 0; k < p->worlds.len; k++) {
      uint32_t wid;
      e = weld_wit_select_world(w, pkg, p->worlds.data[k].name, &wid);
      if (e) {
        printf("FAIL %s: world %s: %s\n", names[i], p->worlds.data[k].name, weld_error_message(e));
        weld_error_delete(e);
        world_fail++;
        ok = false;
      } else {
        worlds++;
      }
    }
    ok = roundtrip(w, names[i]) && ok;
    check(ok);
    weld_wit_delete(w);
  }
  printf("codegen: %d worlds resolved, %d failed\n", worlds, world_fail);
  free_names(names, n);
}

static void run_ui(const char *dir) {
  size_t n;
  char **names = list_names(dir, &n);
  for (size_t i = 0; names && i < n; i++) {
    if (!has_suffix(names[i], ".wit.json")) continue;
    names[i][strlen(names[i]) - strlen(".wit.json")] = 0;
    char path[4096];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!path_is_dir(path)) {
      pathf(path, sizeof path, "%s/%s.wit", dir, names[i]);
      if (!path_exists(path)) pathf(path, sizeof path, "%s/%s.wat", dir, names[i]);
      if (!path_exists(path)) {
        skipped++;
        continue;
      }
    }
    weld_wit_t *w = fresh();
    weld_error_t *e = weld_wit_push_path(w, path, NULL, 0, NULL);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      failed++;
      weld_error_delete(e);
    } else {
      check(roundtrip(w, names[i]));
    }
    weld_wit_delete(w);
  }
  if (names) free_names(names, n);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: test_wit_corpus (wasi|codegen|ui) DIR\n");
    printf("0 passed, 1 failed\n");
    return 2;
  }
  if (!strcmp(argv[1], "wasi")) {
    run_wasi(argv[2]);
  } else if (!strcmp(argv[1], "codegen")) {
    run_codegen(argv[2]);
  } else if (!strcmp(argv[1], "ui")) {
    feature = "active";
    run_ui(argv[2]);
  } else {
    printf("unknown mode %s\n0 passed, 1 failed\n", argv[1]);
    return 2;
  }
  if (skipped) printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  else printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
