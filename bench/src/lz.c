/* lz.c — an LZ77-style compressor and decompressor, round trip over 1 MiB of generated
 * text n times: hashing, match search with byte compares, and overlapping copies.
 *
 * Format: a sequence of tokens, each starting with a control byte c.
 *   c < 0x80:  literal run of c + 1 bytes, which follow.
 *   c >= 0x80: match of (c & 0x7f) + MIN_MATCH bytes, copied from `offset` bytes back,
 *              offset in the next two bytes (little endian, 1..65535). */
#include <stdlib.h>
#include "bench.h"

#define INPUT_SIZE (1u << 20)
#define MIN_MATCH 4
#define MAX_MATCH (0x7f + MIN_MATCH)
#define MAX_OFFSET 0xffffu
#define HASH_BITS 14

static uint32_t hash4(const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  return (v * 2654435761u) >> (32 - HASH_BITS);
}

static size_t flush_literals(const uint8_t *lit, size_t len, uint8_t *out) {
  size_t o = 0;
  while (len > 0) {
    size_t run = len > 128 ? 128 : len;
    out[o++] = (uint8_t)(run - 1);
    memcpy(out + o, lit, run);
    o += run;
    lit += run;
    len -= run;
  }
  return o;
}

/* Returns the compressed size; out must hold in_len + in_len / 128 + 16 bytes. */
static size_t compress(const uint8_t *in, size_t in_len, uint8_t *out, uint32_t *table) {
  for (size_t i = 0; i < (1u << HASH_BITS); i++) table[i] = UINT32_MAX;
  size_t o = 0, lit_start = 0, i = 0;
  while (i + MIN_MATCH <= in_len) {
    uint32_t h = hash4(in + i), cand = table[h];
    table[h] = (uint32_t)i;
    if (cand != UINT32_MAX && i - cand <= MAX_OFFSET && memcmp(in + cand, in + i, MIN_MATCH) == 0) {
      size_t len = MIN_MATCH;
      while (len < MAX_MATCH && i + len < in_len && in[cand + len] == in[i + len]) len++;
      o += flush_literals(in + lit_start, i - lit_start, out + o);
      size_t off = i - cand;
      out[o++] = (uint8_t)(0x80 | (len - MIN_MATCH));
      out[o++] = (uint8_t)off;
      out[o++] = (uint8_t)(off >> 8);
      for (size_t k = 1; k < len && i + k + MIN_MATCH <= in_len; k += 2)
        table[hash4(in + i + k)] = (uint32_t)(i + k); /* remember some positions inside */
      i += len;
      lit_start = i;
    } else {
      i++;
    }
  }
  o += flush_literals(in + lit_start, in_len - lit_start, out + o);
  return o;
}

/* Returns the decompressed size, or SIZE_MAX if the input is corrupt or too large. */
static size_t decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t cap) {
  size_t i = 0, o = 0;
  while (i < in_len) {
    uint8_t c = in[i++];
    if (c < 0x80) {
      size_t run = (size_t)c + 1;
      if (run > in_len - i || run > cap - o) return SIZE_MAX;
      memcpy(out + o, in + i, run);
      i += run;
      o += run;
    } else {
      if (in_len - i < 2) return SIZE_MAX;
      size_t len = (size_t)(c & 0x7f) + MIN_MATCH, off = in[i] | (size_t)in[i + 1] << 8;
      i += 2;
      if (off == 0 || off > o || len > cap - o) return SIZE_MAX;
      for (size_t k = 0; k < len; k++, o++) out[o] = out[o - off]; /* may overlap */
    }
  }
  return o;
}

/* Pseudo-English: words from a small vocabulary, with punctuation and some numbers. */
static void make_text(uint8_t *buf, size_t len, uint32_t seed) {
  static const char *const words[] = {
      "the", "of", "and", "a", "to", "in", "is", "you", "that", "it", "he", "was", "for",
      "on", "are", "as", "with", "his", "they", "at", "be", "this", "have", "from", "or",
      "one", "had", "by", "word", "but", "not", "what", "all", "were", "we", "when", "your",
      "can", "said", "there", "use", "an", "each", "which", "she", "do", "how", "their",
      "module", "function", "memory", "table", "global", "instance", "compile", "validate",
  };
  const size_t nwords = sizeof words / sizeof words[0];
  size_t o = 0;
  while (o < len) {
    uint32_t r = bench_rand(&seed);
    char tmp[16];
    const char *w = words[r % nwords];
    size_t wl = strlen(w);
    if ((r >> 8) % 17 == 0) { /* a number */
      uint32_t v = (r >> 12) % 100000;
      wl = 0;
      do tmp[wl++] = (char)('0' + v % 10); while ((v /= 10) != 0);
      w = tmp;
    }
    for (size_t k = 0; k < wl && o < len; k++) buf[o++] = (uint8_t)w[k];
    if (o < len) buf[o++] = (r >> 20) % 11 == 0 ? '.' : (r >> 20) % 7 == 0 ? '\n' : ' ';
  }
}

uint32_t bench_run(uint32_t n) {
  size_t cap = INPUT_SIZE + INPUT_SIZE / 128 + 16;
  uint8_t *in = malloc(INPUT_SIZE), *packed = malloc(cap), *back = malloc(INPUT_SIZE);
  uint32_t *table = malloc(sizeof(uint32_t) << HASH_BITS);
  uint32_t h = BENCH_SEED;
  if (!in || !packed || !back || !table) goto out;
  make_text(in, INPUT_SIZE, 0x1234567);
  for (uint32_t round = 0; round < n; round++) {
    in[(round * 7919u) % INPUT_SIZE] = (uint8_t)('a' + round % 26);
    size_t plen = compress(in, INPUT_SIZE, packed, table);
    size_t blen = decompress(packed, plen, back, INPUT_SIZE);
    if (blen != INPUT_SIZE || memcmp(in, back, INPUT_SIZE) != 0) {
      h = 0; /* round trip failed */
      goto out;
    }
    h = bench_mix(h, (uint32_t)plen);
    h = bench_mix(h, packed[plen / 2]);
  }
out:
  free(in);
  free(packed);
  free(back);
  free(table);
  return h;
}
