/* matmul.c — dense n x n matrix multiply in double precision (i-k-j loop order): memory
 * loads/stores of f64 and floating-point multiply-add chains. */
#include <stdlib.h>
#include "bench.h"

uint32_t bench_run(uint32_t n) {
  size_t cells = (size_t)n * n;
  double *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b);
  double *c = calloc(cells, sizeof *c);
  uint32_t h = BENCH_SEED;
  if (!a || !b || !c) goto out;
  uint32_t s = 12345;
  for (size_t i = 0; i < cells; i++) {
    a[i] = (double)(bench_rand(&s) % 2001) / 1000.0 - 1.0;
    b[i] = (double)(bench_rand(&s) % 2001) / 1000.0 - 1.0;
  }
  for (uint32_t i = 0; i < n; i++)
    for (uint32_t k = 0; k < n; k++) {
      double aik = a[(size_t)i * n + k];
      const double *brow = b + (size_t)k * n;
      double *crow = c + (size_t)i * n;
      for (uint32_t j = 0; j < n; j++) crow[j] += aik * brow[j];
    }
  double trace = 0;
  for (uint32_t i = 0; i < n; i++) trace += c[(size_t)i * n + i];
  h = bench_mix_f64(h, trace);
  for (size_t i = 0; i < cells; i += 97) h = bench_mix_f64(h, c[i]);
out:
  free(a);
  free(b);
  free(c);
  return h;
}
