/* test_witbin_diff.c — differential test of the WIT binary encoding against wasm-tools
 * (wit-component 0.259 inside the pinned jco 1.35, via tests/wit/witbin_jco.mjs).
 *
 *   test_witbin_diff [-v] [SHARED_DIR]     (default ../shared)
 *
 * For every world of the WASI 0.2 and 0.3 packages (SHARED_DIR/wit), of the passing cases
 * of the wit-parser UI suite (SHARED_DIR/testsuite/wit-parser/ui, feature `active`) and of
 * the main packages of wit-bindgen's codegen suite (SHARED_DIR/testsuite/wit-codegen):
 *
 *   1. weld's world encoding (weld_wit_encode_world) must be byte for byte what
 *      wasm-tools writes into the `component-type` section for the same WIT (`jco embed`),
 *      its `producers` section aside;
 *   2. wasm-tools reading weld's *package* binary (weld_wit_encode_package; for WASI and
 *      the single-package UI cases) must embed the very same world: it decodes the
 *      interfaces, worlds and foreign packages weld wrote to the same thing.
 *
 * jco cannot decode a package binary directly (its `wit` command only takes components),
 * and a world encoding carries no docs or gates, so the `package-docs` section is checked
 * by test_witbin (weld's own round trip) and by wasm-tools accepting it in (2) (its reader
 * rejects unknown fields).
 *
 * Inputs for wasm-tools are written to a temporary directory (WASI packages are single
 * files that depend on each other: each gets a folder with the others in deps/).  Without
 * node or node_modules (npm ci) the comparison is skipped (counted as 1 skipped).  Set
 * WITBIN_KEEP=1 to keep the temporary directory (jobs.json, out.json and the inputs).
 * Last line: N passed, N failed[, N skipped]. */
#include "json_compare.h"
#include "wit/lexer.h"
#include "weld/wit.h"
#include "wit_test_util.h"
#include <unistd.h>

static bool verbose;

typedef struct job {
  char *what;    /* for messages */
  char *wit;     /* path given to wasm-tools */
  char *world;   /* world name for wasm-tools */
  bool active;   /* enable feature `active` */
  uint8_t *mine; /* weld's world encoding (NULL for a package-binary job) */
  size_t mine_len;
  int text_job;  /* package-binary jobs: the index of the text job to agree with */
} job_t;

static job_t *jobs;
static size_t njobs, capjobs;

static job_t *add_job(const char *what, const char *wit, const char *world, bool active) {
  if (njobs == capjobs) {
    capjobs = capjobs ? capjobs * 2 : 64;
    jobs = realloc(jobs, capjobs * sizeof *jobs);
  }
  job_t *j = &jobs[njobs++];
  memset(j, 0, sizeof *j);
  j->what = strdup(what);
  j->wit = strdup(wit);
  j->world = strdup(world);
  j->active = active;
  j->text_job = -1;
  return j;
}

static bool write_bytes(const char *path, const void *b, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(b, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

static bool copy_file(const char *from, const char *to) {
  size_t n;
  char *t = read_text(from, &n);
  bool ok = t && write_bytes(to, t, n);
  free(t);
  return ok;
}

/* An identifier as wasm-tools' world specifier wants it (`%` before keywords). */
static const char *esc(const char *id, char *buf, size_t cap) {
  snprintf(buf, cap, "%s%s", wit_keyword(id, strlen(id)) != WT_ID ? "%" : "", id);
  return buf;
}

/* "ns:pkg/world@ver" */
static char *world_id(const weld_wit_t *w, uint32_t world) {
  const weld_wit_world_t *wd = weld_wit_world(w, world);
  const weld_wit_package_t *p = weld_wit_package(w, wd->package);
  char buf[1024], a[256], b[256], c[256];
  snprintf(buf, sizeof buf, "%s:%s/%s%s%s", esc(p->namespace_, a, sizeof a), esc(p->name, b, sizeof b),
           esc(wd->name, c, sizeof c), p->version ? "@" : "", p->version ? p->version : "");
  return strdup(buf);
}

/* Text jobs for every world of package `pkg` (or of all packages when pkg is NONE), and
 * package-binary jobs reading `pkg_bin` when given. */
static void world_jobs(const weld_wit_t *w, uint32_t pkg, const char *what, const char *wit, const char *pkg_bin,
                       bool active) {
  for (uint32_t i = 0; i < weld_wit_world_count(w); i++) {
    const weld_wit_world_t *wd = weld_wit_world(w, i);
    if (pkg != WELD_WIT_NONE && wd->package != pkg) continue;
    char *id = world_id(w, i), name[4300];
    pathf(name, sizeof name, "%s %s", what, id);
    job_t *j = add_job(name, wit, id, active);
    weld_error_t *e = weld_wit_encode_world(w, i, &j->mine, &j->mine_len);
    if (e) {
      printf("FAIL %s: weld cannot encode the world: %s\n", name, weld_error_message(e));
      weld_error_delete(e);
    }
    if (pkg_bin) {
      int t = (int)njobs - 1;
      pathf(name, sizeof name, "%s %s (from weld's package binary)", what, id);
      add_job(name, pkg_bin, id, active)->text_job = t;
    }
    free(id);
  }
}

static void wasi_jobs(const char *shared, const char *tmp) {
  const char *sets[] = {"wasi-0.2", "wasi-0.3"};
  for (size_t s = 0; s < 2; s++) {
    char dir[4096];
    pathf(dir, sizeof dir, "%s/wit/%s", shared, sets[s]);
    size_t n;
    char **names = list_names(dir, &n);
    for (size_t i = 0; names && i < n; i++) {
      if (!has_suffix(names[i], ".wit")) continue;
      /* tmp/<set>-<pkg>/main.wit with the other files in deps/ */
      char pdir[4600], deps[4700], path[4800], base[256];
      snprintf(base, sizeof base, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
      pathf(pdir, sizeof pdir, "%s/%s-%s", tmp, sets[s], base);
      pathf(deps, sizeof deps, "%s/deps", pdir);
      mkdir(pdir, 0700);
      mkdir(deps, 0700);
      const char **depv = calloc(n, sizeof *depv);
      char **owned = calloc(n, sizeof *owned);
      size_t nd = 0;
      for (size_t k = 0; k < n; k++) {
        char from[4400], to[4900];
        pathf(from, sizeof from, "%s/%s", dir, names[k]);
        if (k == i) pathf(to, sizeof to, "%s/main.wit", pdir);
        else pathf(to, sizeof to, "%s/%s", deps, names[k]);
        if (has_suffix(names[k], ".wit")) copy_file(from, to);
        if (k != i && has_suffix(names[k], ".wit")) depv[nd++] = owned[k] = strdup(from);
      }
      pathf(path, sizeof path, "%s/%s", dir, names[i]);
      weld_wit_t *w = weld_wit_new();
      uint32_t pkg;
      weld_error_t *e = weld_wit_push_path(w, path, depv, nd, &pkg);
      if (e) {
        printf("FAIL %s/%s: %s\n", sets[s], names[i], weld_error_message(e));
        weld_error_delete(e);
      } else {
        uint8_t *b = NULL;
        size_t len = 0;
        char bin[4800], what[600];
        pathf(bin, sizeof bin, "%s.wasm", pdir);
        e = weld_wit_encode_package(w, pkg, &b, &len);
        bool have_bin = !e && write_bytes(bin, b, len);
        weld_error_delete(e);
        weld_wit_free_bytes(b);
        snprintf(what, sizeof what, "%s/%s", sets[s], names[i]);
        world_jobs(w, pkg, what, pdir, have_bin ? bin : NULL, false);
      }
      weld_wit_delete(w);
      for (size_t k = 0; k < n; k++) free(owned[k]);
      free(owned);
      free(depv);
    }
    if (names) free_names(names, n);
  }
}

static void ui_jobs(const char *shared, const char *tmp) {
  char dir[4096];
  pathf(dir, sizeof dir, "%s/testsuite/wit-parser/ui", shared);
  size_t n;
  char **names = list_names(dir, &n);
  for (size_t i = 0; names && i < n; i++) {
    if (!has_suffix(names[i], ".wit.json")) continue;
    names[i][strlen(names[i]) - strlen(".wit.json")] = 0;
    char path[4400];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (!path_is_dir(path)) {
      pathf(path, sizeof path, "%s/%s.wit", dir, names[i]);
      if (!path_exists(path)) continue; /* a .wat case: wasm-tools reads it, but it has no world */
    }
    /* wasm-tools (in jco) reads its inputs from a copy: it fails on the read-only suite */
    char copy[4800], cmd[16384];
    pathf(copy, sizeof copy, "%s/ui-%s%s", tmp, names[i], path_is_dir(path) ? "" : ".wit");
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && chmod -R u+w '%s'", path, copy, copy);
    if (system(cmd) != 0) {
      printf("FAIL %s: cannot copy the case\n", names[i]);
      continue;
    }
    weld_wit_t *w = weld_wit_new();
    weld_error_t *e = weld_wit_enable_feature(w, "active");
    uint32_t pkg;
    if (!e) e = weld_wit_push_path(w, path, NULL, 0, &pkg);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      weld_error_delete(e);
    } else {
      char bin[4800];
      bool have_bin = false;
      if (weld_wit_package_count(w) == 1) {
        uint8_t *b = NULL;
        size_t len = 0;
        pathf(bin, sizeof bin, "%s/ui-%s.wasm", tmp, names[i]);
        e = weld_wit_encode_package(w, 0, &b, &len);
        have_bin = !e && write_bytes(bin, b, len);
        weld_error_delete(e);
        weld_wit_free_bytes(b);
      }
      world_jobs(w, WELD_WIT_NONE, names[i], copy, have_bin ? bin : NULL, true);
    }
    weld_wit_delete(w);
  }
  if (names) free_names(names, n);
}

/* wit-bindgen's codegen worlds (a .wit file, or X/wit with deps/), from a copy */
static void codegen_jobs(const char *shared, const char *tmp) {
  char dir[4096];
  pathf(dir, sizeof dir, "%s/testsuite/wit-codegen/codegen", shared);
  size_t n;
  char **names = list_names(dir, &n);
  for (size_t i = 0; names && i < n; i++) {
    char path[4400];
    pathf(path, sizeof path, "%s/%s", dir, names[i]);
    if (path_is_dir(path)) {
      char sub[4500];
      pathf(sub, sizeof sub, "%s/wit", path);
      if (!path_is_dir(sub)) continue;
      pathf(path, sizeof path, "%s", sub);
    } else if (!has_suffix(names[i], ".wit")) {
      continue;
    }
    char copy[4800], cmd[16384];
    pathf(copy, sizeof copy, "%s/codegen-%s", tmp, names[i]);
    snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && chmod -R u+w '%s'", path, copy, copy);
    if (system(cmd) != 0) {
      printf("FAIL %s: cannot copy the case\n", names[i]);
      continue;
    }
    weld_wit_t *w = weld_wit_new();
    uint32_t pkg;
    weld_error_t *e = weld_wit_push_path(w, path, NULL, 0, &pkg);
    if (e) {
      printf("FAIL %s: %s\n", names[i], weld_error_message(e));
      weld_error_delete(e);
    } else {
      char what[600];
      snprintf(what, sizeof what, "codegen/%s", names[i]);
      world_jobs(w, pkg, what, copy, NULL, false);
    }
    weld_wit_delete(w);
  }
  if (names) free_names(names, n);
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fputc('\\', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

static size_t hex_bytes(const char *h, uint8_t **out) {
  size_t n = strlen(h) / 2;
  *out = malloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    sscanf(h + 2 * i, "%2x", &v);
    (*out)[i] = (uint8_t)v;
  }
  return n;
}

static bool rd_leb(const uint8_t *b, size_t n, size_t *p, size_t *v) {
  *v = 0;
  for (unsigned sh = 0; *p < n && sh < 35; sh += 7) {
    uint8_t x = b[(*p)++];
    *v |= (size_t)(x & 0x7f) << sh;
    if (!(x & 0x80)) return true;
  }
  return false;
}

/* The component-type section of a core module, without its component's `producers`
 * section (in a fresh buffer, *len bytes); NULL if absent. */
static uint8_t *component_type(const uint8_t *m, size_t n, size_t *len) {
  for (size_t p = 8; p < n;) {
    uint8_t id = m[p++];
    size_t size, q, nl;
    if (!rd_leb(m, n, &p, &size) || size > n - p) return NULL;
    q = p;
    p += size;
    if (id != 0 || !rd_leb(m, n, &q, &nl) || nl > p - q) continue;
    if (nl < 14 || memcmp(m + q, "component-type", 14)) continue;
    const uint8_t *c = m + q + nl;
    size_t cn = p - q - nl;
    uint8_t *out = malloc(cn + 1);
    size_t o = 8;
    if (cn < 8) return NULL;
    memcpy(out, c, 8);
    for (size_t r = 8; r < cn;) {
      size_t start = r, ssize, s2, snl;
      uint8_t sid = c[r++];
      if (!rd_leb(c, cn, &r, &ssize) || ssize > cn - r) break;
      s2 = r;
      r += ssize;
      if (sid == 0 && rd_leb(c, cn, &s2, &snl) && snl == 9 && !memcmp(c + s2, "producers", 9)) continue;
      memcpy(out + o, c + start, r - start);
      o += r - start;
    }
    *len = o;
    return out;
  }
  return NULL;
}

int main(int argc, char **argv) {
  const char *shared = "../shared";
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) verbose = true;
    else shared = argv[i];
  }
  char tmp[64];
  strcpy(tmp, "/tmp/weld-witbin-XXXXXX");
  if (!mkdtemp(tmp)) {
    printf("cannot make a temporary directory\n0 passed, 1 failed\n");
    return 1;
  }
  wasi_jobs(shared, tmp);
  ui_jobs(shared, tmp);
  codegen_jobs(shared, tmp);

  char in[128], out[128], cmd[1024];
  snprintf(in, sizeof in, "%s/jobs.json", tmp);
  snprintf(out, sizeof out, "%s/out.json", tmp);
  FILE *f = fopen(in, "wb");
  if (f) {
    fputc('[', f);
    for (size_t i = 0; i < njobs; i++) {
      fprintf(f, "%s{\"wit\":", i ? "," : "");
      json_str(f, jobs[i].wit);
      fprintf(f, ",\"world\":");
      json_str(f, jobs[i].world);
      fprintf(f, ",\"features\":[%s]}", jobs[i].active ? "\"active\"" : "");
    }
    fputc(']', f);
    fclose(f);
  }
  /* (wasm-tools' panic messages for inputs it cannot read go to node.err) */
  snprintf(cmd, sizeof cmd, "node --import ./tools/js/preload.mjs tests/wit/witbin_jco.mjs '%s' '%s' 2>'%s/node.err'", in,
           out, tmp);
  int rc = f ? system(cmd) : -1;
  size_t len = 0;
  char *js = rc == 0 ? read_text(out, &len) : NULL;
  const char *perr = NULL;
  jv_t *refs = js ? json_parse(js, len, &perr) : NULL;
  int passed = 0, failed = 0, skipped = 0, same_bytes = 0, same_from_bin = 0;
  bool no_refs = !refs || refs->kind != JV_ARR || refs->n != njobs;
  if (no_refs) {
    printf("note: no reference encodings (node or node_modules/@bytecodealliance/jco missing? run npm ci)\n");
    skipped = 1;
  } else {
    uint8_t **payload = calloc(njobs, sizeof *payload);
    size_t *plen = calloc(njobs, sizeof *plen);
    for (size_t i = 0; i < njobs; i++) {
      job_t *j = &jobs[i];
      const jv_t *r = refs->items[i];
      const jv_t *b = NULL, *e = NULL;
      for (size_t k = 0; k < r->n; k++) {
        if (!strcmp(r->keys[k], "b")) b = r->items[k];
        if (!strcmp(r->keys[k], "e")) e = r->items[k];
      }
      if (!b) {
        const char *m = e && e->kind == JV_STR ? e->str : "?";
        if (j->text_job < 0 || strstr(m, "must have at least one")) {
          /* no reference: wasm-tools cannot read this WIT (kinds-of-deps has a .wat
           * dependency, which the jco build does not parse), or its validator refuses
           * what its own encoder writes for empty records and flags */
          skipped++;
          printf("SKIP %s: wasm-tools: %s\n", j->what, m);
        } else {
          failed++;
          printf("FAIL %s: wasm-tools: %s\n", j->what, m);
        }
        continue;
      }
      uint8_t *mod;
      size_t mn = hex_bytes(b->str, &mod);
      payload[i] = component_type(mod, mn, &plen[i]);
      free(mod);
      if (!payload[i]) {
        failed++;
        printf("FAIL %s: no component-type section in wasm-tools' output\n", j->what);
        continue;
      }
      if (j->text_job < 0) {
        bool ok = j->mine && j->mine_len == plen[i] && !memcmp(j->mine, payload[i], plen[i]);
        if (ok) passed++, same_bytes++;
        else {
          failed++;
          size_t d = 0;
          while (j->mine && d < j->mine_len && d < plen[i] && j->mine[d] == payload[i][d]) d++;
          printf("FAIL %s: world encoding differs from wasm-tools' (%zu vs %zu bytes, first difference at %zu)\n", j->what,
                 j->mine_len, plen[i], d);
        }
      } else {
        size_t t = (size_t)j->text_job;
        bool ok = payload[t] && plen[t] == plen[i] && !memcmp(payload[t], payload[i], plen[i]);
        if (ok) passed++, same_from_bin++;
        else if (!payload[t]) skipped++;
        else {
          failed++;
          printf("FAIL %s: wasm-tools reads weld's package binary to a different world\n", j->what);
        }
      }
      if (verbose) printf("ok   %s\n", j->what);
    }
    for (size_t i = 0; i < njobs; i++) free(payload[i]);
    free(payload);
    free(plen);
    printf("worlds encoded as wasm-tools does: %d; worlds wasm-tools reads the same from weld's package binaries: %d\n",
           same_bytes, same_from_bin);
  }
  jv_free(refs);
  free(js);
  for (size_t i = 0; i < njobs; i++) {
    free(jobs[i].what);
    free(jobs[i].wit);
    free(jobs[i].world);
    weld_wit_free_bytes(jobs[i].mine);
  }
  free(jobs);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
  if (getenv("WITBIN_KEEP")) printf("note: inputs kept in %s\n", tmp);
  else if (system(cmd) != 0) printf("note: could not remove %s\n", tmp);
  (void)no_refs;
  if (skipped) printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  else printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
