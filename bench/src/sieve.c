/* sieve.c — sieve of Eratosthenes over 8 million numbers, n times: byte stores with
 * strided access and a counting pass. */
#include <stdlib.h>
#include "bench.h"

#define LIMIT (8u * 1000u * 1000u)

uint32_t bench_run(uint32_t n) {
  uint8_t *composite = malloc(LIMIT + 1);
  if (!composite) return 0;
  uint32_t h = BENCH_SEED;
  for (uint32_t round = 0; round < n; round++) {
    memset(composite, 0, LIMIT + 1);
    for (uint32_t i = 2; (uint64_t)i * i <= LIMIT; i++)
      if (!composite[i])
        for (uint32_t j = i * i; j <= LIMIT; j += i) composite[j] = 1;
    uint32_t count = 0, last = 0;
    for (uint32_t i = 2; i <= LIMIT; i++)
      if (!composite[i]) { count++; last = i; }
    h = bench_mix(bench_mix(h, count), last);
  }
  free(composite);
  return h;
}
