/* load.c — reading WIT packages from files, directories and strings (WIT.md "Package
 * format"; the directory layout follows wasm-tools: a directory is one package made of
 * all its `*.wit` files, with dependencies in `deps/` as sub-directories or single files,
 * visited in name order; a file may hold several `package ... { }` blocks).
 *
 * Each file group is parsed into unresolved packages (nested packages are resolved on
 * their own), then all groups are sorted by dependency and appended.  A failed push
 * leaves the weld_wit_t as it was. */
#include "base/error.h"
#include "base/limits.h"
#include "text/sexpr.h"
#include "wit/internal.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct srcfile {
  char *path;
  char *text;
  size_t len;
} srcfile_t;

typedef struct loader {
  weld_wit_t *wit;
  struct { wit_upkg_t *data; size_t len, cap; } pkgs;
} loader_t;

static weld_error_t *read_file(wit_arena_t *a, const char *path, srcfile_t *out) {
  FILE *f = fopen(path, "rb");
  if (!f) return base_error("failed to read file %s: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = wit_alloc(a, cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    n += r;
    if (r == 0) break;
    if (n + 1 >= cap) {
      if (cap >= WELD_MAX_TEXT_BYTES) {
        fclose(f);
        return base_error("file %s is too large", path);
      }
      char *nb = wit_alloc(a, cap * 2);
      if (nb) memcpy(nb, buf, n);
      buf = nb;
      cap *= 2;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (!buf) return base_error_oom();
  if (err) return base_error("failed to read file %s", path);
  buf[n] = 0;
  out->path = wit_strdup(a, path);
  out->text = buf;
  out->len = n;
  return out->path ? NULL : base_error_oom();
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Sorted names in a directory (excluding . and ..). */
static weld_error_t *list_dir(wit_arena_t *a, const char *path, char ***names, size_t *n) {
  DIR *d = opendir(path);
  if (!d) return base_error("failed to read directory %s: %s", path, strerror(errno));
  struct { char **data; size_t len, cap; } v = {0};
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    char *s = wit_strdup(a, e->d_name);
    if (!s || !AVEC_PUSH(a, &v, s)) {
      closedir(d);
      return base_error_oom();
    }
  }
  closedir(d);
  if (v.len) qsort(v.data, v.len, sizeof *v.data, cmp_str);
  *names = v.data;
  *n = v.len;
  return NULL;
}

static bool ends_with(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* Parses the files of one group: nested packages become packages of their own, the rest
 * forms the group's main package.  Returns the index of the main package in l->pkgs. */
static weld_error_t *parse_group(loader_t *l, srcfile_t *files, size_t nfiles, size_t *main_index) {
  wit_arena_t *a = &l->wit->arena;
  wit_srcmap_t *sm = wit_zalloc(a, sizeof *sm);
  wit_ast_pkgfile_t **parsed = wit_zalloc(a, (nfiles + 1) * sizeof *parsed);
  if (!sm || !parsed) return base_error_oom();
  /* files are visited in path order */
  for (size_t i = 1; i < nfiles; i++)
    for (size_t j = i; j > 0 && strcmp(files[j - 1].path, files[j].path) > 0; j--) {
      srcfile_t t = files[j];
      files[j] = files[j - 1];
      files[j - 1] = t;
    }
  for (size_t i = 0; i < nfiles; i++) {
    wit_source_t *src;
    if (!wit_srcmap_add(a, sm, files[i].path, files[i].text, files[i].len, &src))
      return a->oom ? base_error_oom() : base_error("WIT sources too large");
  }
  for (size_t i = 0; i < nfiles; i++) {
    wit_ast_pkgfile_t *pf = wit_zalloc(a, sizeof *pf);
    if (!pf) return base_error_oom();
    weld_error_t *e = wit_parse_file(a, sm, &sm->files.data[i], pf);
    if (e) return e;
    /* nested packages are resolved on their own, in order of appearance */
    size_t keep = 0;
    for (size_t k = 0; k < pf->decls.items.len; k++) {
      wit_ast_item_t *it = &pf->decls.items.data[k];
      if (it->kind != WIT_AI_PACKAGE) {
        pf->decls.items.data[keep++] = *it;
        continue;
      }
      wit_upkg_t u;
      wit_ast_pkgfile_t *one = it->pkg;
      e = wit_unresolved_build(a, sm, &one, 1, &u);
      if (e) return e;
      if (!AVEC_PUSH(a, &l->pkgs, u)) return base_error_oom();
    }
    pf->decls.items.len = keep;
    parsed[i] = pf;
  }
  wit_upkg_t u;
  weld_error_t *e = wit_unresolved_build(a, sm, parsed, nfiles, &u);
  if (e) return e;
  if (!AVEC_PUSH(a, &l->pkgs, u)) return base_error_oom();
  if (main_index) *main_index = l->pkgs.len - 1;
  return NULL;
}

/* A WIT package encoded as WebAssembly (decode.c): the package and the stubs of the
 * packages it refers to join the group. */
static weld_error_t *load_wasm(loader_t *l, const char *path, const uint8_t *bytes, size_t len, size_t *main_index) {
  wit_upkg_t *pkgs;
  size_t n;
  weld_error_t *e = wit_decode_wasm(l->wit, path, bytes, len, &pkgs, &n);
  if (e) return e;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 && main_index) *main_index = l->pkgs.len;
    if (!AVEC_PUSH(&l->wit->arena, &l->pkgs, pkgs[i])) return base_error_oom();
  }
  return NULL;
}

/* The component text format to a binary (src/text). */
static weld_error_t *wat_to_binary(const char *path, const char *text, size_t len, base_buf_t *out) {
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(text, len, path, &doc);
  if (e) return e;
  if (doc->nitems != 1 || (!text_sx_is_form(&doc->items[0], "component") && !text_sx_is_form(&doc->items[0], "module")))
    e = base_error("%s: expected one `(component ...)` (a WIT package in the component text format)", path);
  else e = text_encode_wasm(doc, &doc->items[0], out, NULL);
  text_doc_free(doc);
  if (!e && out->oom) e = base_error_oom();
  return e;
}

static weld_error_t *load_file(loader_t *l, const char *path, size_t *main_index) {
  srcfile_t f;
  weld_error_t *e = read_file(&l->wit->arena, path, &f);
  if (e) return e;
  if (f.len >= 4 && !memcmp(f.text, "\0asm", 4)) return load_wasm(l, path, (const uint8_t *)f.text, f.len, main_index);
  if (ends_with(path, ".wasm")) return base_error("%s: not a WebAssembly binary", path);
  if (ends_with(path, ".wat")) {
    base_buf_t b = {0};
    e = wat_to_binary(path, f.text, f.len, &b);
    if (!e) {
      uint8_t *copy = wit_alloc(&l->wit->arena, b.len + 1);
      if (!copy) e = base_error_oom();
      else {
        wit_copy(copy, b.data, b.len);
        e = load_wasm(l, path, copy, b.len, main_index);
      }
    }
    base_buf_free(&b);
    return e;
  }
  return parse_group(l, &f, 1, main_index);
}

static weld_error_t *load_dir(loader_t *l, const char *path, size_t *main_index) {
  wit_arena_t *a = &l->wit->arena;
  char **names;
  size_t n;
  weld_error_t *e = list_dir(a, path, &names, &n);
  if (e) return e;
  struct { srcfile_t *data; size_t len, cap; } files = {0};
  for (size_t i = 0; i < n; i++) {
    if (!ends_with(names[i], ".wit")) continue;
    char *full = wit_sprintf(a, "%s/%s", path, names[i]);
    if (!full) return base_error_oom();
    if (is_dir(full)) continue;
    srcfile_t f;
    e = read_file(a, full, &f);
    if (e) return e;
    if (!AVEC_PUSH(a, &files, f)) return base_error_oom();
  }
  e = parse_group(l, files.data, files.len, main_index);
  return e ? base_error_wrap(e, "failed to parse package: %s", path) : NULL;
}

static weld_error_t *load_deps_dir(loader_t *l, const char *path) {
  wit_arena_t *a = &l->wit->arena;
  if (!is_dir(path)) return NULL;
  char **names;
  size_t n;
  weld_error_t *e = list_dir(a, path, &names, &n);
  if (e) return e;
  for (size_t i = 0; i < n; i++) {
    char *full = wit_sprintf(a, "%s/%s", path, names[i]);
    if (!full) return base_error_oom();
    if (is_dir(full)) {
      e = load_dir(l, full, NULL);
    } else if (ends_with(names[i], ".wit") || ends_with(names[i], ".wat") || ends_with(names[i], ".wasm")) {
      e = load_file(l, full, NULL);
    } else {
      continue; /* other files (READMEs, .DS_Store) are ignored */
    }
    if (e) return e;
  }
  return NULL;
}

/* Everything pushed since `mark` is dropped again. */
typedef struct mark {
  size_t packages, interfaces, worlds, types;
} mark_t;

static mark_t take_mark(const weld_wit_t *wit) {
  mark_t m = {wit->packages.len, wit->interfaces.len, wit->worlds.len, wit->types.len};
  return m;
}

static void rollback(weld_wit_t *wit, mark_t m) {
  wit->packages.len = m.packages;
  wit->interfaces.len = m.interfaces;
  wit->worlds.len = m.worlds;
  wit->types.len = m.types;
  wit->world_items = 0;
  for (size_t i = 0; i < wit->worlds.len; i++) wit->world_items += wit->worlds.data[i].imports.len + wit->worlds.data[i].exports.len;
  memset(&wit->package_names, 0, sizeof wit->package_names);
  for (size_t i = 0; i < wit->packages.len; i++)
    wit_map_puts(&wit->arena, &wit->package_names, wit->packages.data[i].full_name, (uint32_t)i);
  wit->arena.oom = false;
}

static weld_error_t *finish(loader_t *l, size_t main_index, uint32_t *main_pkg, mark_t m, weld_error_t *e) {
  if (!e) e = wit_resolve_group(l->wit, l->pkgs.data, l->pkgs.len, main_index, main_pkg);
  if (e) rollback(l->wit, m);
  return e;
}

weld_error_t *weld_wit_push_path(weld_wit_t *wit, const char *path, const char *const *deps, size_t ndeps,
                                 uint32_t *main_pkg) {
  if (!wit || !path) return base_error("weld_wit_push_path: no path");
  loader_t l;
  memset(&l, 0, sizeof l);
  l.wit = wit;
  mark_t m = take_mark(wit);
  size_t main_index = 0;
  weld_error_t *e;
  if (is_dir(path)) {
    e = load_dir(&l, path, &main_index);
    if (!e) {
      char *d = wit_sprintf(&wit->arena, "%s/deps", path);
      e = d ? load_deps_dir(&l, d) : base_error_oom();
    }
    if (e) e = base_error_wrap(e, "failed to resolve directory while parsing WIT for path [%s]", path);
  } else {
    e = load_file(&l, path, &main_index);
  }
  for (size_t i = 0; !e && i < ndeps; i++) e = is_dir(deps[i]) ? load_dir(&l, deps[i], NULL) : load_file(&l, deps[i], NULL);
  return finish(&l, main_index, main_pkg, m, e);
}

weld_error_t *weld_wit_push_strs(weld_wit_t *wit, const char *const *paths, const char *const *srcs,
                                 const size_t *lens, size_t n, uint32_t *main_pkg) {
  if (!wit || !srcs || !lens || !n) return base_error("weld_wit_push_strs: no sources");
  loader_t l;
  memset(&l, 0, sizeof l);
  l.wit = wit;
  mark_t m = take_mark(wit);
  size_t main_index = 0;
  weld_error_t *e = NULL;
  for (size_t i = 0; i < n && !e; i++) {
    if (!srcs[i] || lens[i] > WELD_MAX_TEXT_BYTES) {
      e = base_error("WIT source %zu missing or too large", i);
      break;
    }
    const char *path = paths && paths[i] ? paths[i] : "<string>";
    srcfile_t f = {wit_strdup(&wit->arena, path), (char *)srcs[i], lens[i]};
    e = f.path ? parse_group(&l, &f, 1, i == 0 ? &main_index : NULL) : base_error_oom();
  }
  return finish(&l, main_index, main_pkg, m, e);
}

weld_error_t *weld_wit_push_wasm(weld_wit_t *wit, const char *path, const uint8_t *bytes, size_t len,
                                 uint32_t *main_pkg) {
  if (!wit || (!bytes && len)) return base_error("weld_wit_push_wasm: no bytes");
  loader_t l;
  memset(&l, 0, sizeof l);
  l.wit = wit;
  mark_t m = take_mark(wit);
  size_t main_index = 0;
  /* the decoded package points into the bytes (names are copied, the binary is not kept
   * after the push, but errors of the resolution still show offsets): keep a copy */
  uint8_t *copy = wit_alloc(&wit->arena, len + 1);
  weld_error_t *e = NULL;
  if (!copy) e = base_error_oom();
  else {
    wit_copy(copy, bytes, len);
    e = load_wasm(&l, path ? path : "<wasm>", copy, len, &main_index);
  }
  return finish(&l, main_index, main_pkg, m, e);
}

weld_error_t *weld_wit_push_str(weld_wit_t *wit, const char *path, const char *src, size_t len, uint32_t *main_pkg) {
  if (!wit || !src) return base_error("weld_wit_push_str: no source");
  return weld_wit_push_strs(wit, &path, &src, &len, 1, main_pkg);
}
