/* native_main.c — the native runner: linked with one kernel from bench/src compiled by
 * the system C compiler, it times one call of bench_run(n).
 * Usage: <program> n    prints "<checksum> <seconds>". */
#include "clock.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

uint32_t bench_run(uint32_t n);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s n\n", argv[0]);
    return 2;
  }
  uint32_t n = (uint32_t)strtoul(argv[1], NULL, 10);
  double t0 = bench_now();
  uint32_t sum = bench_run(n);
  double t1 = bench_now();
  printf("%u %.6f\n", sum, t1 - t0);
  return 0;
}
