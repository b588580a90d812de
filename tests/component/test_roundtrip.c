/* test_roundtrip.c — deterministic round trips of component values through generated guests
 * (tests/component/roundtrip_gen.{c,h}: random function types over every value type, a
 * chain of forwarding components with independent string encodings, random values; the
 * host checks what it receives and the test checks what comes back; now and then an
 * invalid argument must be refused with an error and an invalid host result with a trap).
 * The Canonical ABI under test: src/component/{lift,lower,strings,transfer,resources,call,
 * func}.c.
 *
 * Usage: test_roundtrip [-v] [-p] [-b] [FIRST_SEED [COUNT]]
 *   default: seeds 1..400 with value types, then 1..100 with own/borrow handles too, and the
 *   flags limit; with FIRST_SEED: COUNT (default 1) seeds of each mode.
 *   -v lists every seed, -p prints each component's text, -b makes types bigger (more
 *   parameters, deeper nesting).
 * Last line: "N passed, N failed". */
#include "roundtrip_gen.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_pass, g_fail;
static bool g_verbose;

static void run_seeds(weld_engine_t *e, uint64_t first, uint64_t count, const rt_opts_t *o, rt_stats_t *st) {
  for (uint64_t seed = first; seed < first + count; seed++) {
    rt_rand_t r;
    rt_rand_seed(&r, seed * 0x9e3779b97f4a7c15ull + (o->resources ? 7 : 0));
    char *msg = NULL;
    if (rt_run_case(e, &r, o, 4, st, &msg)) {
      g_pass++;
      if (g_verbose) printf("ok seed %llu%s\n", (unsigned long long)seed, o->resources ? " (resources)" : "");
    } else {
      g_fail++;
      printf("FAIL seed %llu%s: %s\n", (unsigned long long)seed, o->resources ? " (resources)" : "",
             msg ? msg : "(no message)");
    }
    free(msg);
  }
}

/* Flags have at most 32 labels (Explainer.md): 33 must be refused with a message, not
 * mishandled. */
static void test_flags_limit(weld_engine_t *e) {
  char text[2048];
  int n = snprintf(text, sizeof text, "(component (type $d (flags");
  for (int i = 0; i < 33; i++) n += snprintf(text + n, sizeof text - (size_t)n, " \"g%d\"", i);
  snprintf(text + n, sizeof text - (size_t)n, ")) (import \"t\" (type (eq $d))))");
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_error_t *err = weld_wat_to_wasm(text, strlen(text), &bin, &len);
  weld_component_t *c = NULL;
  if (!err) err = weld_component_new(e, bin, len, &c);
  if (err && strstr(weld_error_message(err), "flags")) g_pass++;
  else {
    g_fail++;
    printf("FAIL flags with 33 labels: %s\n", err ? weld_error_message(err) : "accepted");
  }
  if (err) weld_error_delete(err);
  weld_component_delete(c);
  if (bin) weld_free_bytes(bin, len);
}

int main(int argc, char **argv) {
  int ai = 1;
  bool dump = false, big = false;
  for (; ai < argc && argv[ai][0] == '-'; ai++) {
    if (!strcmp(argv[ai], "-v")) g_verbose = true;
    else if (!strcmp(argv[ai], "-p")) dump = true;
    else if (!strcmp(argv[ai], "-b")) big = true;
  }
  uint64_t first = 1, count = 400;
  bool custom = ai < argc;
  if (ai < argc) first = strtoull(argv[ai++], NULL, 0);
  if (ai < argc) count = strtoull(argv[ai++], NULL, 0);
  else if (custom) count = 1;
  weld_engine_t *e = weld_engine_new(NULL);
  if (!e) {
    printf("0 passed, 1 failed\n");
    return 1;
  }
  rt_stats_t st;
  memset(&st, 0, sizeof st);
  rt_opts_t values = {20, 4, 80, false, dump, true}, res = {20, 4, 80, true, dump, true};
  if (big) { /* more parameters, deeper and larger types */
    values.max_params = res.max_params = 40;
    values.max_depth = res.max_depth = 7;
    values.max_nodes = res.max_nodes = 300;
  }
  run_seeds(e, first, count, &values, &st);
  run_seeds(e, first, custom ? count : 100, &res, &st);
  if (!custom) test_flags_limit(e);
  weld_engine_delete(e);
  printf("%llu cases, %llu calls (%llu flat), %llu stages, %llu with differing encodings, %llu spilled params, "
         "%llu return areas, %llu with resources; refused %llu invalid arguments and %llu invalid results; "
         "%llu traps for bad realloc pointers\n",
         (unsigned long long)st.cases, (unsigned long long)st.calls, (unsigned long long)st.flat_calls,
         (unsigned long long)st.stages, (unsigned long long)st.encodings_differ, (unsigned long long)st.spilled_params,
         (unsigned long long)st.retptr, (unsigned long long)st.resources, (unsigned long long)st.refused_args,
         (unsigned long long)st.refused_results, (unsigned long long)st.bad_pointers);
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
