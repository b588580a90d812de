/* parse.c — `weld parse IN.wat [-o OUT.wasm]`: WebAssembly text format to binary
 * (core spec §6; src/text/wat.c), for a core module or a component (component-model
 * Explainer.md; src/text/cwat*.c).  Without -o the binary goes to IN with .wasm replacing
 * .wat (or IN.wasm); "-o -" writes to stdout.  --no-names leaves out the name section. */
#include "tool.h"
#include "base/vec.h"
#include "text/wat.h"
#include "weld/error.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f) {
  fprintf(f, "usage: weld parse IN.wat [-o OUT.wasm] [--no-names]\n"
             "  Translate a WebAssembly text module, or a component `(component ...)`, to the\n"
             "  binary format.\n"
             "  IN may be '-' for stdin; OUT may be '-' for stdout.\n"
             "  --no-names  leave out the \"name\" custom sections (module and function $ids)\n");
}

int cmd_parse(int argc, char **argv) {
  const char *in = NULL, *outp = NULL;
  unsigned flags = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--no-names")) {
      flags |= TEXT_WAT_NO_NAMES;
    } else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
      outp = argv[++i];
    } else if (!in && (argv[i][0] != '-' || !strcmp(argv[i], "-"))) {
      in = argv[i];
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (!in) {
    usage(stderr);
    return 2;
  }
  size_t len;
  uint8_t *src = tool_read_file(in, &len);
  if (!src) return 1;
  base_buf_t out = {0};
  weld_error_t *err = text_wat_to_wasm((const char *)src, len, !strcmp(in, "-") ? "<stdin>" : in, flags, &out);
  free(src);
  if (err) {
    fprintf(stderr, "%s\n", weld_error_message(err));
    weld_error_delete(err);
    base_buf_free(&out);
    return 1;
  }
  char *def = NULL;
  if (!outp) {
    size_t n = strlen(in);
    def = malloc(n + 6);
    if (!def) {
      base_buf_free(&out);
      return 1;
    }
    memcpy(def, in, n + 1);
    if (n > 4 && !strcmp(def + n - 4, ".wat")) strcpy(def + n - 4, ".wasm");
    else strcat(def, ".wasm");
    outp = !strcmp(in, "-") ? "-" : def;
  }
  int rc = tool_write_file(outp, out.data, out.len);
  free(def);
  base_buf_free(&out);
  return rc;
}
