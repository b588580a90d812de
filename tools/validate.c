/* validate.c — `weld validate FILE...`: decode and validate core WebAssembly binaries
 * (core spec §5 binary format, §3 validation) through the public API
 * (weld_module_validate) and report "FILE: ok" or "FILE: error: <message>" for each; the
 * exit status is 1 if any file failed, 2 on usage errors. */
#include "tool.h"
#include "weld.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
  fprintf(out, "usage: weld validate FILE...\n"
               "  Decode and validate each WebAssembly binary ('-' reads stdin).\n"
               "  Prints 'FILE: ok' or 'FILE: error: MESSAGE'; exits 1 if any file is invalid.\n");
}

int cmd_validate(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    }
  }
  weld_engine_t *engine = weld_engine_new(NULL);
  if (!engine) {
    fprintf(stderr, "weld: cannot create an engine\n");
    return 1;
  }
  int failed = 0;
  for (int i = 1; i < argc; i++) {
    size_t len;
    uint8_t *bytes = tool_read_file(argv[i], &len);
    if (!bytes) {
      printf("%s: error: cannot read file\n", argv[i]);
      failed = 1;
      continue;
    }
    weld_error_t *err = weld_module_validate(engine, bytes, len);
    free(bytes);
    if (err) {
      printf("%s: error: %s\n", argv[i], weld_error_message(err));
      weld_error_delete(err);
      failed = 1;
    } else {
      printf("%s: ok\n", argv[i]);
    }
  }
  weld_engine_delete(engine);
  return failed;
}
