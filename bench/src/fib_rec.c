/* fib_rec.c — recursive Fibonacci: measures call/return overhead and a deep, narrow
 * call tree (about fib(n) * 2.6 calls). */
#include "bench.h"

static uint32_t fib(uint32_t k) {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

uint32_t bench_run(uint32_t n) {
  return bench_mix(BENCH_SEED, fib(n));
}
