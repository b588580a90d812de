/* spectral.c — spectral norm of the infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2 + i + 1),
 * truncated to n x n, by 10 rounds of the power method on A^T A: f64 division and
 * multiply-add in doubly nested loops. */
#include <math.h>
#include <stdlib.h>
#include "bench.h"

static double a_elem(uint32_t i, uint32_t j) {
  return 1.0 / ((double)((i + j) * (i + j + 1) / 2 + i + 1));
}

static void mul_a(const double *v, double *out, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    double s = 0;
    for (uint32_t j = 0; j < n; j++) s += a_elem(i, j) * v[j];
    out[i] = s;
  }
}

static void mul_at(const double *v, double *out, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    double s = 0;
    for (uint32_t j = 0; j < n; j++) s += a_elem(j, i) * v[j];
    out[i] = s;
  }
}

static void mul_ata(const double *v, double *out, double *tmp, uint32_t n) {
  mul_a(v, tmp, n);
  mul_at(tmp, out, n);
}

uint32_t bench_run(uint32_t n) {
  double *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v), *t = malloc(n * sizeof *t);
  uint32_t h = BENCH_SEED;
  if (!u || !v || !t) goto out;
  for (uint32_t i = 0; i < n; i++) u[i] = 1;
  for (int round = 0; round < 10; round++) {
    mul_ata(u, v, t, n);
    mul_ata(v, u, t, n);
  }
  double vbv = 0, vv = 0;
  for (uint32_t i = 0; i < n; i++) {
    vbv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  h = bench_mix_f64(h, sqrt(vbv / vv));
out:
  free(u);
  free(v);
  free(t);
  return h;
}
