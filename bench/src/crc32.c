/* crc32.c — CRC-32 (the IEEE 802.3 / zlib polynomial, reflected) with a 256-entry table,
 * over a 1 MiB buffer n times: byte loads, table lookups, shifts and xors. */
#include <stdlib.h>
#include "bench.h"

#define BUF_SIZE (1u << 20)

static uint32_t table[256];

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t len) {
  crc = ~crc;
  for (size_t i = 0; i < len; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t bench_run(uint32_t n) {
  uint8_t *buf = malloc(BUF_SIZE);
  if (!buf) return 0;
  make_table();
  uint32_t s = 99;
  for (size_t i = 0; i < BUF_SIZE; i++) buf[i] = (uint8_t)bench_rand(&s);
  uint32_t h = crc32(0, (const uint8_t *)"123456789", 9); /* the check value: 0xcbf43926 */
  for (uint32_t round = 0; round < n; round++) {
    uint32_t c = crc32(0, buf, BUF_SIZE);
    buf[round % BUF_SIZE] ^= (uint8_t)c; /* each round hashes different data */
    h = bench_mix(h, c);
  }
  free(buf);
  return h;
}
