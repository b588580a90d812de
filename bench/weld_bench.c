/* weld_bench.c — the weld runner of the benchmark suite.  An ordinary embedder: it uses
 * only the public API (include/weld.h).
 *
 *   weld_bench run FILE.wasm N        load, instantiate, call _initialize if exported,
 *                                     then time one call of bench_run(N);
 *                                     prints "<checksum> <seconds>"
 *   weld_bench validate FILE.wasm [S] decode+validate FILE repeatedly for about S seconds
 *                                     (default 1), then the same for decode+validate+
 *                                     compile (weld_module_new); prints
 *                                     "<validate MB/s> <compile MB/s> <bytes>"
 *
 * The kernels import nothing; should a toolchain change make libc import functions,
 * each imported function is stubbed by one that returns zeros (the node runner does the
 * same).  Other kinds of import are an error. */
#include "runners/clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weld.h>

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return NULL;
  }
  uint8_t *data = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 65536;
      uint8_t *d = realloc(data, cap);
      if (!d) {
        fprintf(stderr, "%s: out of memory\n", path);
        free(data);
        fclose(f);
        return NULL;
      }
      data = d;
    }
    size_t got = fread(data + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: read error\n", path);
    free(data);
    return NULL;
  }
  *len = n;
  return data;
}

/* Reports err (if any) with its context and deletes it; returns true if there was one. */
static bool failed(weld_error_t *err, const char *what, const char *path) {
  if (!err) return false;
  fprintf(stderr, "%s: %s: %s\n", path, what, weld_error_message(err)); /* says where */
  weld_error_delete(err);
  return true;
}

static bool trapped(weld_trap_t *trap, const char *what, const char *path) {
  if (!trap) return false;
  fprintf(stderr, "%s: %s trapped: %s\n", path, what, weld_trap_message(trap));
  weld_trap_delete(trap);
  return true;
}

static weld_trap_t *stub_import(void *env, weld_caller_t *caller, const weld_val_t *args,
                                size_t nargs, weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs;
  for (size_t i = 0; i < nresults; i++) {
    weld_valkind_t kind = results[i].kind;
    memset(&results[i], 0, sizeof results[i]);
    results[i].kind = kind;
  }
  return NULL;
}

static int cmd_run(const char *path, uint32_t n) {
  size_t len = 0;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) return 1;
  int rc = 1;
  weld_engine_t *engine = weld_engine_new(NULL);
  weld_store_t *store = engine ? weld_store_new(engine) : NULL;
  weld_module_t *module = NULL;
  weld_extern_t *imports = NULL;
  if (!store) {
    fprintf(stderr, "cannot create an engine and a store\n");
    goto out;
  }
  if (failed(weld_module_new(engine, bytes, len, &module), "load", path)) goto out;

  size_t nimports = weld_module_import_count(module);
  imports = calloc(nimports ? nimports : 1, sizeof *imports);
  if (!imports) goto out;
  for (size_t i = 0; i < nimports; i++) {
    weld_import_desc_t d;
    weld_module_import(module, i, &d);
    if (d.type.kind != WELD_EXTERN_FUNC) {
      fprintf(stderr, "%s: cannot stub non-function import %.*s.%.*s\n", path,
              (int)d.module_len, d.module, (int)d.name_len, d.name);
      goto out;
    }
    fprintf(stderr, "stubbing import %.*s.%.*s\n", (int)d.module_len, d.module, (int)d.name_len, d.name);
    imports[i].kind = WELD_EXTERN_FUNC;
    imports[i].of.func = weld_func_new(store, d.type.func, stub_import, NULL, NULL);
    if (!imports[i].of.func) goto out;
  }

  weld_instance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  if (failed(weld_instance_new(store, module, imports, nimports, &inst, &trap), "instantiate", path) ||
      trapped(trap, "start function", path))
    goto out;

  weld_extern_t init, run;
  if (weld_instance_export(inst, "_initialize", 11, &init) && init.kind == WELD_EXTERN_FUNC) {
    if (failed(weld_func_call(store, init.of.func, NULL, 0, NULL, 0, &trap), "_initialize", path) ||
        trapped(trap, "_initialize", path))
      goto out;
  }
  if (!weld_instance_export(inst, "bench_run", 9, &run) || run.kind != WELD_EXTERN_FUNC) {
    fprintf(stderr, "%s: no exported function bench_run\n", path);
    goto out;
  }
  weld_val_t arg = weld_val_i32((int32_t)n), result = weld_val_i32(0);
  double t0 = bench_now();
  weld_error_t *err = weld_func_call(store, run.of.func, &arg, 1, &result, 1, &trap);
  double t1 = bench_now();
  if (failed(err, "bench_run", path) || trapped(trap, "bench_run", path)) goto out;
  printf("%u %.6f\n", (uint32_t)result.of.i32, t1 - t0);
  rc = 0;
out:
  free(imports);
  if (module) weld_module_delete(module);
  if (store) weld_store_delete(store);
  if (engine) weld_engine_delete(engine);
  free(bytes);
  return rc;
}

/* Repeats one of the two loaders for about `seconds`; returns MB/s, or -1 on error. */
static double throughput(weld_engine_t *engine, const uint8_t *bytes, size_t len, bool compile,
                         double seconds, const char *path) {
  double start = bench_now(), now = start;
  uint64_t iterations = 0;
  do {
    weld_error_t *err;
    if (compile) {
      weld_module_t *m = NULL;
      err = weld_module_new(engine, bytes, len, &m);
      if (m) weld_module_delete(m);
    } else {
      err = weld_module_validate(engine, bytes, len);
    }
    if (failed(err, compile ? "compile" : "validate", path)) return -1;
    iterations++;
    now = bench_now();
  } while (now - start < seconds || iterations < 3);
  return (double)len * (double)iterations / (now - start) / 1e6;
}

static int cmd_validate(const char *path, double seconds) {
  size_t len = 0;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) return 1;
  int rc = 1;
  weld_engine_t *engine = weld_engine_new(NULL);
  if (!engine) {
    fprintf(stderr, "cannot create an engine\n");
    goto out;
  }
  double v = throughput(engine, bytes, len, false, seconds, path);
  double c = v < 0 ? -1 : throughput(engine, bytes, len, true, seconds, path);
  if (v >= 0 && c >= 0) {
    printf("%.1f %.1f %zu\n", v, c, len);
    rc = 0;
  }
  weld_engine_delete(engine);
out:
  free(bytes);
  return rc;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "run") == 0)
    return cmd_run(argv[2], (uint32_t)strtoul(argv[3], NULL, 10));
  if ((argc == 3 || argc == 4) && strcmp(argv[1], "validate") == 0) {
    double s = argc == 4 ? strtod(argv[3], NULL) : 1.0;
    return cmd_validate(argv[2], s > 0 && s < 600 ? s : 1.0);
  }
  fprintf(stderr, "usage: %s run FILE.wasm N\n       %s validate FILE.wasm [SECONDS]\n", argv[0], argv[0]);
  return 2;
}
