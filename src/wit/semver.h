/* semver.h — semantic versions (semver.org 2.0.0) as used by WIT package names and the
 * @since / @deprecated gates (WIT.md "Package names", "Feature gates"). */
#ifndef WELD_WIT_SEMVER_H
#define WELD_WIT_SEMVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wit_semver {
  uint64_t major, minor, patch;
  const char *pre;   /* pre-release part (without '-'), "" if none; points into the text */
  size_t pre_len;
  const char *build; /* build metadata (without '+'), "" if none */
  size_t build_len;
} wit_semver_t;

/* Parses s[0..n) strictly; false with a reason in *why when malformed. */
bool wit_semver_parse(const char *s, size_t n, wit_semver_t *v, const char **why);
/* Total order: precedence rules of semver.org §11, then build metadata bytewise. */
int wit_semver_cmp(const wit_semver_t *a, const wit_semver_t *b);
/* Convenience on NUL-terminated, already validated strings (NULL sorts first). */
int wit_semver_cmp_str(const char *a, const char *b);

#endif
