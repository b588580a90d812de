/* wasm2c_main.c — the wasm2c runner: one bench .wasm translated to C by wabt's wasm2c
 * (as bench_mod.c / bench_mod.h, module name "bench"), compiled with the system C
 * compiler together with wabt's wasm-rt runtime, and timed over one bench_run(n).
 * Usage: <program> n    prints "<checksum> <seconds>".
 *
 * The names wasm2c gives the instance type and the exports changed between wabt
 * releases, so bench/run.sh reads them out of the generated header into
 * bench_mod_names.h (W2C_INSTANCE_T, W2C_INSTANTIATE, W2C_FREE, W2C_RUN, and optionally
 * W2C_INIT_MODULE and W2C_INITIALIZE).  The kernels import nothing, so instantiation
 * takes no import arguments. */
#include "clock.h"
#include <stdio.h>
#include <stdlib.h>
#include "bench_mod.h"
#include "bench_mod_names.h"
#include "wasm-rt-impl.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s n\n", argv[0]);
    return 2;
  }
  u32 n = (u32)strtoul(argv[1], NULL, 10);
  wasm_rt_init();
#ifdef W2C_INIT_MODULE
  W2C_INIT_MODULE();
#endif
  static W2C_INSTANCE_T inst;
  W2C_INSTANTIATE(&inst);
  wasm_rt_trap_t trap = wasm_rt_impl_try();
  if (trap != WASM_RT_TRAP_NONE) {
    fprintf(stderr, "trap %d\n", (int)trap);
    return 1;
  }
#ifdef W2C_INITIALIZE
  W2C_INITIALIZE(&inst);
#endif
  double t0 = bench_now();
  u32 sum = W2C_RUN(&inst, n);
  double t1 = bench_now();
  printf("%u %.6f\n", sum, t1 - t0);
  W2C_FREE(&inst);
  wasm_rt_free();
  return 0;
}
