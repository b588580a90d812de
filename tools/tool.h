/* tool.h — shared declarations for the weld command-line tool. */
#ifndef WELD_TOOL_H
#define WELD_TOOL_H
#include <stddef.h>
#include <stdint.h>

#define CMD(name, fn, help) int fn(int argc, char **argv);
#include "commands.def"
#undef CMD

/* Reads a whole file (or stdin for "-"); NULL with a message printed on failure. */
uint8_t *tool_read_file(const char *path, size_t *len);
int tool_write_file(const char *path, const uint8_t *data, size_t len);

#endif
