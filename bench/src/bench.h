/* bench.h — what every benchmark kernel shares.
 *
 * Each kernel in this folder is one small, self-contained C program that exports
 *   uint32_t bench_run(uint32_t n)
 * and returns a checksum of everything it computed.  It prints nothing and imports
 * nothing, so the same source runs natively, as wasm on weld and on node, and through
 * wasm2c, and the four results can be compared.  n scales the work (bench/programs.txt
 * holds the value each kernel is run with).
 *
 * Floating-point results enter the checksum as exact bit patterns: the kernels only use
 * + - * / and sqrt, which IEEE 754 defines exactly, so every correct engine must agree. */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>
#include <string.h>

uint32_t bench_run(uint32_t n);

/* xorshift32: a tiny deterministic pseudo-random generator (state must be non-zero). */
static inline uint32_t bench_rand(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* Fold a 32-bit value into a running checksum (FNV-1a style on the whole word). */
static inline uint32_t bench_mix(uint32_t h, uint32_t v) {
  h ^= v;
  h *= 16777619u;
  return h ^ (h >> 15);
}

static inline uint32_t bench_mix_f64(uint32_t h, double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return bench_mix(bench_mix(h, (uint32_t)bits), (uint32_t)(bits >> 32));
}

#define BENCH_SEED 2166136261u

#endif
