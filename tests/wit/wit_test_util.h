/* wit_test_util.h — helpers shared by the WIT test programs: reading files, listing
 * directories, pulling "line:col" out of error messages. */
#ifndef WELD_TESTS_WIT_UTIL_H
#define WELD_TESTS_WIT_UTIL_H
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* snprintf into a path buffer (truncation is reported as an empty path). */
static inline void pathf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void pathf(char *buf, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= cap) buf[0] = 0;
}

static inline char *read_text(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    size_t r = fread(buf + n, 1, cap - n - 1, f);
    n += r;
    if (r == 0) break;
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  fclose(f);
  if (!buf) return NULL;
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

static inline bool path_is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline bool path_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

static inline int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted entry names of a directory; caller frees each and the array. */
static inline char **list_names(const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  *n = 0;
  if (!d) return NULL;
  size_t cap = 64;
  char **v = malloc(cap * sizeof *v);
  struct dirent *e;
  while (v && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (*n == cap) {
      char **nv = realloc(v, (cap *= 2) * sizeof *v);
      if (!nv) break;
      v = nv;
    }
    v[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  if (v && *n) qsort(v, *n, sizeof *v, cmp_names);
  return v;
}

static inline void free_names(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static inline bool has_suffix(const char *s, const char *suf) {
  size_t a = strlen(s), b = strlen(suf);
  return a >= b && !strcmp(s + a - b, suf);
}

/* Finds "--> path:LINE:COL" (or a leading "path:LINE:COL: ") in an error message. */
static inline bool error_location(const char *msg, unsigned *line, unsigned *col) {
  const char *p = strstr(msg, "--> ");
  if (p) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    /* the last two ":N" groups of that line */
    const char *c2 = NULL, *c1 = NULL;
    for (size_t i = 0; i < len; i++)
      if (p[i] == ':') c1 = c2, c2 = p + i;
    if (c1 && sscanf(c1, ":%u:%u", line, col) == 2) return true;
    return false;
  }
  /* "file:1:65543: message" on the first line */
  const char *eol = strchr(msg, '\n');
  size_t len = eol ? (size_t)(eol - msg) : strlen(msg);
  for (size_t i = 0; i + 1 < len; i++) {
    if (msg[i] == ':' && msg[i + 1] >= '0' && msg[i + 1] <= '9') {
      char tail;
      if (sscanf(msg + i, ":%u:%u%c", line, col, &tail) == 3 && tail == ':') return true;
    }
  }
  return false;
}

#endif
