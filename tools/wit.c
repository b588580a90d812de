/* wit.c — `weld wit`: load a WIT package (file or directory with deps/, or a WIT package
 * encoded as WebAssembly), resolve it and print it as canonical WIT, as JSON, or in the
 * binary encoding (weld/wit.h). */
#include "tool.h"
#include "weld/wit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
  fprintf(out,
          "usage: weld wit PATH [--world NAME] [--json | --wasm [-o FILE]] [--features a,b | --all-features]\n"
          "                [--dep PATH]...\n"
          "\n"
          "Loads the WIT package at PATH (a .wit file, a directory of .wit files with its\n"
          "dependencies in PATH/deps/, or a WIT package encoded as WebAssembly: a .wasm or\n"
          ".wat component, or a core module with a component-type section), resolves it and\n"
          "prints it.  deps/ may hold .wasm and .wat packages too.\n"
          "\n"
          "  --world NAME     print only this world (NAME or ns:pkg/NAME@version)\n"
          "  --json           print the resolved packages as JSON (wasm-tools' layout)\n"
          "  --wasm           print the package as a WIT package binary (with --world: the world\n"
          "                   as a component-type section payload, what `jco embed` writes)\n"
          "  -o FILE          write the output to FILE instead of stdout\n"
          "  --features a,b   enable @unstable(feature = ...) gates\n"
          "  --all-features   enable every feature gate\n"
          "  --dep PATH       an extra dependency package (file or directory); repeatable\n"
          "  --all            print every loaded package (dependencies as nested blocks)\n"
          "  --check          only resolve; print nothing on success\n");
}

int cmd_wit(int argc, char **argv) {
  const char *path = NULL, *world_name = NULL, *output = NULL;
  bool json = false, all = false, check = false, every = false, wasm = false;
  const char **deps = calloc((size_t)argc + 1, sizeof *deps);
  size_t ndeps = 0;
  weld_wit_t *wit = weld_wit_new();
  int rc = 1;
  if (!deps || !wit) {
    fprintf(stderr, "weld wit: out of memory\n");
    goto out;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      rc = 0;
      goto out;
    } else if (!strcmp(a, "--json")) {
      json = true;
    } else if (!strcmp(a, "--wasm")) {
      wasm = true;
    } else if (!strcmp(a, "-o") && i + 1 < argc) {
      output = argv[++i];
    } else if (!strcmp(a, "--all-features")) {
      all = true;
    } else if (!strcmp(a, "--all")) {
      every = true;
    } else if (!strcmp(a, "--check")) {
      check = true;
    } else if ((!strcmp(a, "--world") || !strcmp(a, "--features") || !strcmp(a, "--dep")) && i + 1 < argc) {
      const char *v = argv[++i];
      if (a[2] == 'w') {
        world_name = v;
      } else if (a[2] == 'd') {
        deps[ndeps++] = v;
      } else {
        char *copy = strdup(v);
        if (!copy) goto out;
        for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
          while (*tok == ' ') tok++;
          if (!*tok) continue;
          weld_error_t *e = weld_wit_enable_feature(wit, tok);
          if (e) {
            fprintf(stderr, "weld wit: %s\n", weld_error_message(e));
            weld_error_delete(e);
            free(copy);
            goto out;
          }
        }
        free(copy);
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "weld wit: unknown or incomplete option '%s'\n\n", a);
      usage(stderr);
      rc = 2;
      goto out;
    } else if (!path) {
      path = a;
    } else {
      fprintf(stderr, "weld wit: more than one PATH given ('%s'); use --dep for dependencies\n", a);
      rc = 2;
      goto out;
    }
  }
  if (!path) {
    usage(stderr);
    rc = 2;
    goto out;
  }
  weld_wit_enable_all_features(wit, all);
  uint32_t pkg = WELD_WIT_NONE, world = WELD_WIT_NONE;
  weld_error_t *e = weld_wit_push_path(wit, path, deps, ndeps, &pkg);
  if (!e && world_name) e = weld_wit_select_world(wit, pkg, world_name, &world);
  if (e) {
    fprintf(stderr, "error: %s\n", weld_error_message(e));
    weld_error_delete(e);
    goto out;
  }
  if (check) {
    rc = 0;
    goto out;
  }
  if (json && wasm) {
    fprintf(stderr, "weld wit: --json and --wasm cannot be combined\n");
    rc = 2;
    goto out;
  }
  if (wasm) {
    uint8_t *bytes = NULL;
    size_t len = 0;
    e = world != WELD_WIT_NONE ? weld_wit_encode_world(wit, world, &bytes, &len)
                               : weld_wit_encode_package(wit, pkg, &bytes, &len);
    if (e) {
      fprintf(stderr, "error: %s\n", weld_error_message(e));
      weld_error_delete(e);
      goto out;
    }
    rc = tool_write_file(output ? output : "-", bytes, len);
    weld_wit_free_bytes(bytes);
    goto out;
  }
  char *s = json ? weld_wit_to_json(wit) : weld_wit_print(wit, every ? WELD_WIT_NONE : pkg, world);
  if (!s) {
    fprintf(stderr, "weld wit: out of memory\n");
    goto out;
  }
  if (output) {
    rc = tool_write_file(output, (const uint8_t *)s, strlen(s));
  } else {
    fputs(s, stdout);
    rc = fflush(stdout) != 0;
  }
  weld_wit_free_string(s);
out:
  weld_wit_delete(wit);
  free(deps);
  return rc;
}
