/* test.h — what every test program shares: pass/fail counters, CHECK, and the last line
 * of output that tests/run.sh reads ("N passed, N failed").
 *
 *   CHECK(cond)                  counts; on failure prints FILE:LINE and the condition
 *   CHECK(cond, fmt, ...)        the same with a printf-style message instead
 *   return test_summary();       prints the counts; exit status 1 if anything failed */
#ifndef WELD_TESTS_TEST_H
#define WELD_TESTS_TEST_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int g_pass, g_fail;

__attribute__((format(printf, 5, 6), unused)) static bool test_record(bool ok, const char *file, int line,
                                                                     const char *cond, const char *fmt, ...) {
  if (ok) {
    g_pass++;
    return true;
  }
  g_fail++;
  printf("FAIL %s:%d: ", file, line);
  if (fmt[1]) { /* fmt is "\1" followed by the caller's format, if any */
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt + 1, ap);
    va_end(ap);
  } else {
    printf("%s", cond);
  }
  printf("\n");
  fflush(stdout);
  return false;
}

#define CHECK(cond, ...) test_record((cond) ? true : false, __FILE__, __LINE__, #cond, "\1" __VA_ARGS__)

__attribute__((unused)) static int test_summary(void) {
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}

#endif
