/* canon_bench.c — Canonical ABI transfer throughput: a 1 MiB string and a 1 MiB list<u8>
 * moved from one guest instance's memory into another's (src/component/transfer.c, the
 * component -> component path: validation, realloc in the destination, copy), plus the
 * transcoding paths utf8 -> utf16 and utf16 -> utf8, and host lowering/lifting of a
 * 1 MiB string.  Prints GB/s per case (best of several rounds).
 *
 *   cmake --build build --target canon_bench && build/bench/canon_bench [MiB]
 *
 * Internal API (src/), like the unit tests it shares its guest fixture with
 * (tests/component/canon_util.h). */
#include "canon_util.h"
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static comp_layouts_t L;
static guest_t A, B;

/* Writes n bytes of ASCII text into A at a fresh pointer. */
static uint32_t fill_ascii(uint32_t n) {
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  uint32_t p = 0;
  weld_trap_t *t = comp_abi_realloc(&ca, 0, 0, 2, n, &p);
  if (t) {
    printf("realloc: %s\n", weld_trap_message(t));
    exit(1);
  }
  for (uint32_t i = 0; i < n; i++) gmem(&A)[p + i] = (uint8_t)("the quick brown fox jumps over the lazy dog "[i % 44]);
  return p;
}

typedef weld_trap_t *(*step_fn)(void *arg);

static void run(const char *name, uint64_t bytes, int rounds, int iters, step_fn fn, void *arg) {
  double best = 1e30;
  for (int r = 0; r < rounds; r++) {
    double t0 = now();
    for (int i = 0; i < iters; i++) {
      weld_trap_t *t = fn(arg);
      if (t) {
        printf("%s: trap: %s\n", name, weld_trap_message(t));
        exit(1);
      }
    }
    double dt = (now() - t0) / iters;
    if (dt < best) best = dt;
  }
  printf("%-40s %8.2f GB/s  (%.1f us per call)\n", name, (double)bytes / best / 1e9, best * 1e6);
}

typedef struct xfer_case {
  comp_typeid_t t;
  core_slot_t in[2];
  uint8_t src_enc, dst_enc;
} xfer_case_t;

static weld_trap_t *step_transfer(void *arg) {
  xfer_case_t *c = arg;
  guest_reset(&B);
  A.opts.string_encoding = c->src_enc;
  B.opts.string_encoding = c->dst_enc;
  comp_abi_cx_t ca = gcx(&A, &L, NULL), cb = gcx(&B, &L, NULL);
  core_slot_t out[2];
  return comp_transfer_flat(&ca, c->t, c->in, &cb, c->t, out);
}

static weld_cval_t g_host_str;
static weld_trap_t *step_host_lower(void *arg) {
  (void)arg;
  guest_reset(&B);
  B.opts.string_encoding = COMP_UTF8;
  comp_abi_cx_t cb = gcx(&B, &L, NULL);
  core_slot_t out[2];
  return comp_lower_flat(&cb, COMP_PRIM_STRING, &g_host_str, out);
}
static weld_trap_t *step_host_lift(void *arg) {
  xfer_case_t *c = arg;
  A.opts.string_encoding = COMP_UTF8;
  comp_abi_cx_t ca = gcx(&A, &L, NULL);
  weld_cval_t v;
  weld_trap_t *t = comp_lift_flat(&ca, COMP_PRIM_STRING, c->in, &v);
  if (!t) weld_cval_drop(&v);
  return t;
}

int main(int argc, char **argv) {
  uint32_t mib = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
  if (mib < 1 || mib > 512) mib = 1;
  uint32_t n = mib << 20;
  fixture_init();
  types_init();
  comp_layouts_init(&L, &g_T);
  guest_init(&A, COMP_UTF8);
  guest_init(&B, COMP_UTF8);
  int iters = (int)(256 / mib) + 1;

  uint32_t p = fill_ascii(n);
  xfer_case_t c = {COMP_PRIM_STRING, {{.u64 = p}, {.u64 = n}}, COMP_UTF8, COMP_UTF8};
  char name[96];
  snprintf(name, sizeof name, "string utf8 -> utf8 (%u MiB)", mib);
  run(name, n, 5, iters, step_transfer, &c);

  comp_typeid_t lu8 = T_list(COMP_PRIM_U8);
  xfer_case_t cl = {lu8, {{.u64 = p}, {.u64 = n}}, COMP_UTF8, COMP_UTF8};
  snprintf(name, sizeof name, "list<u8> (%u MiB)", mib);
  run(name, n, 5, iters, step_transfer, &cl);

  comp_typeid_t lu32 = T_list(COMP_PRIM_U32);
  xfer_case_t cw = {lu32, {{.u64 = p}, {.u64 = n / 4}}, COMP_UTF8, COMP_UTF8};
  snprintf(name, sizeof name, "list<u32> (%u MiB)", mib);
  run(name, n, 5, iters, step_transfer, &cw);

  xfer_case_t c16 = {COMP_PRIM_STRING, {{.u64 = p}, {.u64 = n}}, COMP_UTF8, COMP_UTF16};
  snprintf(name, sizeof name, "string utf8 -> utf16 (%u MiB source)", mib);
  run(name, n, 3, iters / 2 + 1, step_transfer, &c16);

  xfer_case_t cb16 = {COMP_PRIM_STRING, {{.u64 = p}, {.u64 = n / 2}}, COMP_UTF16, COMP_UTF8};
  snprintf(name, sizeof name, "string utf16 -> utf8 (%u MiB source)", mib);
  /* the ASCII text read as UTF-16 is CJK-like: exercises the general path */
  run(name, n, 3, iters / 2 + 1, step_transfer, &cb16);

  xfer_case_t cl1 = {COMP_PRIM_STRING, {{.u64 = p}, {.u64 = n}}, COMP_UTF8, COMP_LATIN1_UTF16};
  snprintf(name, sizeof name, "string utf8 -> latin1+utf16 (%u MiB)", mib);
  run(name, n, 3, iters / 2 + 1, step_transfer, &cl1);

  char *buf = malloc(n);
  memcpy(buf, gmem(&A) + p, n);
  weld_cval_string(&g_host_str, buf, n);
  free(buf);
  snprintf(name, sizeof name, "host string -> guest (%u MiB)", mib);
  run(name, n, 5, iters, step_host_lower, NULL);
  snprintf(name, sizeof name, "guest string -> host (%u MiB)", mib);
  run(name, n, 5, iters, step_host_lift, &c);
  weld_cval_drop(&g_host_str);

  guest_free(&A);
  guest_free(&B);
  comp_layouts_free(&L);
  types_free();
  fixture_free();
  (void)g_pass, (void)g_fail;
  return 0;
}
