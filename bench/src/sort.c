/* sort.c — sorts n pseudo-random 32-bit integers twice, with an in-place quicksort and a
 * top-down merge sort, then checks both agree: data-dependent branches, recursion and
 * sequential memory traffic. */
#include <stdlib.h>
#include "bench.h"

static void insertion_sort(uint32_t *a, size_t len) {
  for (size_t i = 1; i < len; i++) {
    uint32_t v = a[i];
    size_t j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

static void swap(uint32_t *a, uint32_t *b) {
  uint32_t t = *a;
  *a = *b;
  *b = t;
}

/* Hoare partition around the median of the first, middle and last elements; recurses
 * into the smaller half so the depth stays logarithmic. */
static void quicksort(uint32_t *a, size_t len) {
  while (len > 16) {
    size_t mid = len / 2, last = len - 1;
    if (a[mid] < a[0]) swap(&a[mid], &a[0]);
    if (a[last] < a[0]) swap(&a[last], &a[0]);
    if (a[last] < a[mid]) swap(&a[last], &a[mid]);
    uint32_t pivot = a[mid];
    size_t i = 0, j = last;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      swap(&a[i], &a[j]);
      i++;
      j--;
    }
    size_t left = j + 1;
    if (left < len - left) {
      quicksort(a, left);
      a += left;
      len -= left;
    } else {
      quicksort(a + left, len - left);
      len = left;
    }
  }
  insertion_sort(a, len);
}

static void merge_sort(uint32_t *a, uint32_t *tmp, size_t len) {
  if (len <= 16) {
    insertion_sort(a, len);
    return;
  }
  size_t half = len / 2;
  merge_sort(a, tmp, half);
  merge_sort(a + half, tmp, len - half);
  size_t i = 0, j = half, k = 0;
  while (i < half && j < len) tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
  while (i < half) tmp[k++] = a[i++];
  while (j < len) tmp[k++] = a[j++];
  memcpy(a, tmp, len * sizeof *a);
}

uint32_t bench_run(uint32_t n) {
  uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *tmp = malloc(n * sizeof *tmp);
  uint32_t h = BENCH_SEED;
  if (!a || !b || !tmp) goto out;
  uint32_t s = 42;
  for (uint32_t i = 0; i < n; i++) a[i] = b[i] = bench_rand(&s) % (n * 4u + 1);
  quicksort(a, n);
  merge_sort(b, tmp, n);
  for (uint32_t i = 0; i < n; i++) {
    if (a[i] != b[i] || (i && a[i - 1] > a[i])) {
      h = 0; /* the two sorts disagree or the result is unsorted */
      goto out;
    }
    if ((i & 1023) == 0) h = bench_mix(h, a[i]);
  }
  h = bench_mix(h, a[n - 1]);
out:
  free(a);
  free(b);
  free(tmp);
  return h;
}
