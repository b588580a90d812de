/* fuzz_roundtrip.c — libFuzzer target: round trips of component values through a guest
 * (the Canonical ABI of src/component: lift.c, lower.c, strings.c, transfer.c,
 * resources.c, call.c, func.c, with the interpreter running the guests).
 *
 * The input drives tests/component/roundtrip_gen.c: a random function type over every
 * value type (own/borrow of a host resource when the first choice says so; sometimes more
 * parameters and deeper, larger types), a guest made of
 * 1..3 nested forwarding components with independent string encodings (component text,
 * assembled by weld's own parser), and random values.  The host function checks the
 * arguments it receives and returns a random result, which must come back unchanged
 * through weld_cfunc_call (and weld_cfunc_call_flat for flat signatures).  Any mismatch,
 * error or trap prints the case (with the component text) and aborts.
 * Build and run: see tests/fuzz/README.md. */
#include "../component/roundtrip_gen.h"
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static weld_engine_t *engine;
  if (!engine) engine = weld_engine_new(NULL);
  if (!engine) abort();
  rt_rand_t r;
  rt_rand_bytes(&r, data, size);
  rt_opts_t o = {20, 4, 80, false, false, true};
  o.resources = rt_below(&r, 2) == 1;
  if (rt_below(&r, 4) == 0) { /* sometimes bigger: more parameters, deeper and larger types */
    o.max_params = 8 + rt_below(&r, 40);
    o.max_depth = 2 + rt_below(&r, 6);
    o.max_nodes = 10 + rt_below(&r, 300);
  }
  char *msg = NULL;
  if (!rt_run_case(engine, &r, &o, 3, NULL, &msg)) {
    fprintf(stderr, "roundtrip mismatch:\n%s\n", msg ? msg : "(no message)");
    free(msg);
    abort();
  }
  return 0;
}
