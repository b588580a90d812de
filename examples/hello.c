/* hello.c — embedding weld in a C program, start to finish:
 *   1. compile a module from WebAssembly text (weld_wat_to_wasm, then weld_module_new);
 *   2. give it a host function ("host" "print") that reads a string out of the guest's
 *      memory through the caller;
 *   3. instantiate it, call its exports, and handle errors and traps.
 * Build and run: `make example` (or build/examples/hello after `make`). */
#include <weld.h>
#include <stdio.h>
#include <string.h>

static const char wat[] =
    "(module\n"
    "  (import \"host\" \"print\" (func $print (param i32 i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 16) \"Hello from WebAssembly!\")\n"
    "  (func (export \"greet\")\n"
    "    (call $print (i32.const 16) (i32.const 23)))\n"
    "  (func $fib (export \"fib\") (param $n i32) (result i32)\n"
    "    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))\n"
    "      (then (local.get $n))\n"
    "      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))\n"
    "                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))\n"
    "  (func (export \"divide\") (param i32 i32) (result i32)\n"
    "    (i32.div_s (local.get 0) (local.get 1))))\n";

/* host.print(ptr, len): prints len bytes of the caller's memory at ptr. */
static weld_trap_t *host_print(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                               weld_val_t *results, size_t nresults) {
  (void)env, (void)nargs, (void)results, (void)nresults;
  weld_extern_t mem;
  if (!weld_caller_export(caller, "memory", &mem) || mem.kind != WELD_EXTERN_MEMORY)
    return weld_trap_new(WELD_TRAP_HOST, "print: the caller exports no memory");
  uint32_t ptr = (uint32_t)args[0].of.i32, len = (uint32_t)args[1].of.i32;
  if ((uint64_t)ptr + len > weld_memory_size(mem.of.memory))
    return weld_trap_new(WELD_TRAP_HOST, "print: string out of bounds");
  printf("guest says: %.*s\n", (int)len, (const char *)weld_memory_data(mem.of.memory) + ptr);
  return NULL;
}

static int fail(const char *what, weld_error_t *err) {
  fprintf(stderr, "hello: %s: %s\n", what, weld_error_message(err));
  weld_error_delete(err);
  return 1;
}

int main(void) {
  int rc = 1;
  uint8_t *wasm = NULL;
  size_t wasm_len = 0;
  weld_error_t *err = weld_wat_to_wasm(wat, strlen(wat), &wasm, &wasm_len);
  if (err) return fail("parsing the text", err);

  weld_engine_t *engine = weld_engine_new(NULL);
  weld_module_t *module = NULL;
  err = weld_module_new(engine, wasm, wasm_len, &module);
  weld_free_bytes(wasm, wasm_len);
  if (err) {
    fail("compiling", err);
    weld_engine_delete(engine);
    return 1;
  }
  printf("compiled a module with %zu import(s) and %zu export(s)\n", weld_module_import_count(module),
         weld_module_export_count(module));

  weld_store_t *store = weld_store_new(engine);
  weld_valkind_t params[2] = {WELD_I32, WELD_I32};
  weld_functype_t *print_type = weld_functype_new(params, 2, NULL, 0);
  weld_func_t *print = weld_func_new(store, print_type, host_print, NULL, NULL);
  weld_functype_delete(print_type);

  weld_extern_t imports[1] = {{.kind = WELD_EXTERN_FUNC, .of.func = print}};
  weld_instance_t *instance = NULL;
  weld_trap_t *trap = NULL;
  err = weld_instance_new(store, module, imports, 1, &instance, &trap);
  if (err || trap) {
    if (err) fail("instantiating", err);
    if (trap) fprintf(stderr, "hello: start trapped: %s\n", weld_trap_message(trap));
    weld_trap_delete(trap);
    goto done;
  }

  weld_extern_t greet, fib, divide;
  if (!weld_instance_export(instance, "greet", 5, &greet) || !weld_instance_export(instance, "fib", 3, &fib) ||
      !weld_instance_export(instance, "divide", 6, &divide)) {
    fprintf(stderr, "hello: missing export\n");
    goto done;
  }

  /* greet(): calls back into the host. */
  if ((err = weld_func_call(store, greet.of.func, NULL, 0, NULL, 0, &trap))) {
    fail("calling greet", err);
    goto done;
  }
  if (trap) {
    fprintf(stderr, "hello: greet trapped: %s\n", weld_trap_message(trap));
    weld_trap_delete(trap);
    goto done;
  }

  /* fib(20) = 6765 */
  weld_val_t arg = weld_val_i32(20), result;
  if ((err = weld_func_call(store, fib.of.func, &arg, 1, &result, 1, &trap))) {
    fail("calling fib", err);
    goto done;
  }
  if (trap) {
    fprintf(stderr, "hello: fib trapped: %s\n", weld_trap_message(trap));
    weld_trap_delete(trap);
    goto done;
  }
  printf("fib(20) = %d\n", result.of.i32);
  if (result.of.i32 != 6765) {
    fprintf(stderr, "hello: wrong answer\n");
    goto done;
  }

  /* divide(1, 0) traps: the guest failed, the host carries on. */
  weld_val_t args[2] = {weld_val_i32(1), weld_val_i32(0)};
  if ((err = weld_func_call(store, divide.of.func, args, 2, &result, 1, &trap))) {
    fail("calling divide", err);
    goto done;
  }
  if (!trap) {
    fprintf(stderr, "hello: divide(1, 0) did not trap\n");
    goto done;
  }
  printf("divide(1, 0) trapped, as it should: %s\n", weld_trap_message(trap));
  weld_trap_delete(trap);
  rc = 0;

done:
  weld_store_delete(store);
  weld_module_delete(module);
  weld_engine_delete(engine);
  return rc;
}
