/* main.c — the `weld` command: dispatch to one subcommand per file (commands.def). */
#include "tool.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *help;
} commands[] = {
#define CMD(name, fn, help) {#name, fn, help},
#include "commands.def"
#undef CMD
};

static void usage(FILE *out) {
  fprintf(out, "usage: weld <command> [args...]\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\nRun 'weld <command> --help' for a command's options.\n");
}

int cmd_version(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("weld 0.1.0\n");
  return 0;
}

uint8_t *tool_read_file(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "weld: cannot open %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n, f);
    n += r;
    if (n < cap) break;
    uint8_t *nb = realloc(buf, cap * 2);
    if (!nb) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = nb;
    cap *= 2;
  }
  int err = ferror(f);
  if (f != stdin) fclose(f);
  if (!buf || err) {
    fprintf(stderr, "weld: cannot read %s\n", path);
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

int tool_write_file(const char *path, const uint8_t *data, size_t len) {
  FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
  if (!f) {
    fprintf(stderr, "weld: cannot open %s for writing: %s\n", path, strerror(errno));
    return 1;
  }
  size_t w = fwrite(data, 1, len, f);
  int bad = w != len || (f != stdout ? fclose(f) : fflush(f)) != 0;
  if (bad) fprintf(stderr, "weld: cannot write %s\n", path);
  return bad;
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) return cmd_version(0, NULL);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "weld: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
