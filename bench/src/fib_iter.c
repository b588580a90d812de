/* fib_iter.c — iterative Fibonacci modulo 2^64 in a tight loop: measures the cost of
 * plain local-variable arithmetic and loop back-edges.  n rounds of 1000 steps, each
 * round starting from a different seed so nothing can be hoisted out. */
#include "bench.h"

uint32_t bench_run(uint32_t n) {
  uint64_t acc = 0;
  for (uint32_t r = 0; r < n; r++) {
    uint64_t a = r, b = 1;
    for (uint32_t i = 0; i < 1000; i++) {
      uint64_t t = a + b;
      a = b;
      b = t ^ (t >> 7); /* keeps the sequence from having a closed form */
    }
    acc += b;
  }
  return bench_mix(bench_mix(BENCH_SEED, (uint32_t)acc), (uint32_t)(acc >> 32));
}
