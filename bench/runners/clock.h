/* clock.h — the monotonic clock every C runner (native, wasm2c, weld) times with.
 * Include it first: it asks for POSIX before any system header. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <time.h>

static inline double bench_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
#endif
