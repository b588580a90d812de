/* component.c — embedding a WebAssembly component with weld (include/weld/component.h).
 *
 *   component [FILE]     (default: tests/component/guests/echo.wasm, run from the project root)
 *
 * The guest (tests/component/guests/echo.c, world `guest` of echo.wit) imports the
 * interface `test:guest/echo` and exports it again, each export forwarding to the import.
 * This host:
 *   1. loads and compiles the component,
 *   2. defines the imported interface in a linker: one dynamic host function serves every
 *      `echo-*` import (it returns its argument), using the import's type to know what it
 *      receives, and a flat (scalar-only, no allocation) host function for `echo-u32`,
 *   3. instantiates the component in a store (through an InstancePre, which resolves and
 *      type-checks the imports once and can instantiate many times),
 *   4. calls exports: a string, a record, an option, flags and a list<u8> with the dynamic API
 *      (weld_cval_t values, checked against the parameter types first), a u32 with the
 *      typed fast path (weld_cfunc_call_flat). */
#include "weld.h"
#include "weld/component.h"
#include <stdio.h>
#include <string.h>

static int fail(const char *what, weld_error_t *err) {
  fprintf(stderr, "%s: %s\n", what, err ? weld_error_message(err) : "failed");
  weld_error_delete(err);
  return 1;
}

/* Every echo-* import: print what arrived and return a copy. */
static weld_trap_t *echo(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                         size_t nresults) {
  (void)env;
  char *type = weld_ctype_to_string(weld_ccaller_func_type(caller));
  printf("  host: called with type %s\n", type ? type : "?");
  weld_string_delete(type);
  if (nargs >= 1 && args[0].kind == WELD_CK_STRING)
    printf("  host: received the string \"%.*s\"\n", (int)args[0].of.str.len, args[0].of.str.ptr);
  if (nresults == 1 && nargs >= 1 && !weld_cval_clone(&results[0], &args[0]))
    return weld_trap_new(WELD_TRAP_HOST, "out of memory");
  return NULL;
}

/* echo-u32 as a flat host function: words in, words out. */
static weld_trap_t *echo_u32(void *env, weld_ccaller_t *caller, const uint64_t *args, uint64_t *results) {
  (void)env, (void)caller;
  results[0] = args[0];
  return NULL;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "tests/component/guests/echo.wasm";
  weld_engine_t *engine = weld_engine_new(NULL);
  weld_component_t *component = NULL;
  weld_error_t *err = weld_component_from_file(engine, path, &component);
  if (err) return fail("load", err);

  /* What does it import? */
  const weld_ctype_t *ct = weld_component_type(component);
  for (size_t i = 0; i < weld_ctype_import_count(ct); i++) printf("imports %s\n", weld_ctype_import_name(ct, i));

  weld_linker_t *linker = weld_linker_new(engine);
  weld_linker_instance_t *iface;
  err = weld_linker_instance(weld_linker_root(linker), "test:guest/echo", &iface);
  if (err) return fail("linker", err);
  static const char *const names[] = {
      "echo-bool", "echo-s8", "echo-u8", "echo-s16", "echo-u16", "echo-s32", "echo-s64", "echo-u64", "echo-f32",
      "echo-f64", "echo-char", "echo-string", "echo-list-u8", "echo-list-string", "echo-point", "echo-mixed",
      "echo-tuple", "echo-shape", "echo-color", "echo-perms", "echo-option", "echo-result", "echo-result-empty",
      "echo-many", "echo-nested", "echo-none",
  };
  for (size_t i = 0; i < sizeof names / sizeof *names && !err; i++) err = weld_linker_func(iface, names[i], echo, NULL, NULL);
  weld_ckind_t u32 = WELD_CK_U32;
  if (!err) err = weld_linker_func_flat(iface, "echo-u32", &u32, 1, &u32, 1, echo_u32, NULL, NULL);
  if (err) return fail("define", err);

  weld_instance_pre_t *pre = NULL;
  err = weld_linker_instantiate_pre(linker, component, &pre);
  if (err) return fail("instantiate_pre", err);
  weld_store_t *store = weld_store_new(engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  err = weld_instance_pre_instantiate(pre, store, &inst, &trap);
  if (err) return fail("instantiate", err);
  if (trap) {
    fprintf(stderr, "instantiation trapped: %s\n", weld_trap_message(trap));
    return 1;
  }

  /* A string. */
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-string");
  weld_cval_t arg, res;
  weld_cval_string(&arg, "hello, component", 16);
  err = weld_cfunc_call(store, f, &arg, 1, &res, 1, &trap);
  if (err) return fail("call", err);
  if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
  printf("echo-string returned \"%.*s\"\n", (int)res.of.str.len, res.of.str.ptr);
  weld_cval_drop(&arg);
  weld_cval_drop(&res);

  /* A record: point { x: s32, y: s32 }. */
  f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-point");
  weld_cval_items(&arg, WELD_CK_RECORD, 2);
  arg.of.items.ptr[0].kind = WELD_CK_S32;
  arg.of.items.ptr[0].of.s32 = -3;
  arg.of.items.ptr[1].kind = WELD_CK_S32;
  arg.of.items.ptr[1].of.s32 = 4;
  err = weld_cfunc_call(store, f, &arg, 1, &res, 1, &trap);
  if (err) return fail("call", err);
  if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
  printf("echo-point returned { x: %d, y: %d }\n", res.of.items.ptr[0].of.s32, res.of.items.ptr[1].of.s32);
  weld_cval_drop(&arg);
  weld_cval_drop(&res);

  /* option<u32>: some(7), built in a box; the argument is checked against the function's
   * parameter type before the call (weld_cfunc_call checks too, this shows how). */
  f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-option");
  const weld_ctype_t *ft = weld_cfunc_type(f);
  weld_cval_t seven = {.kind = WELD_CK_U32, .of.u32 = 7};
  arg = (weld_cval_t){.kind = WELD_CK_OPTION};
  if (!weld_cval_box(&arg.of.option, &seven)) return fail("box", NULL);
  err = weld_cval_check(&arg, weld_ctype_member(ft, 0));
  if (err) return fail("check", err);
  err = weld_cfunc_call(store, f, &arg, weld_ctype_count(ft), &res, weld_ctype_result_count(ft), &trap);
  if (err) return fail("call", err);
  if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
  if (res.of.option) printf("echo-option returned some(%u)\n", res.of.option->of.u32);
  weld_cval_drop(&arg);
  weld_cval_drop(&res);

  /* flags perms { read, write, exec }: read | exec. */
  f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-perms");
  ft = weld_cfunc_type(f);
  const weld_ctype_t *perms = weld_ctype_member(ft, 0);
  arg = (weld_cval_t){.kind = WELD_CK_FLAGS};
  if (!weld_cval_flags(&arg, weld_ctype_count(perms))) return fail("flags", NULL);
  arg.of.flags.bits[0] = 1u << 0 | 1u << 2;
  err = weld_cfunc_call(store, f, &arg, 1, &res, 1, &trap);
  if (err) return fail("call", err);
  if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
  printf("echo-perms returned");
  for (size_t i = 0; i < weld_ctype_count(perms); i++)
    if (res.of.flags.bits[i / 32] >> (i % 32) & 1) printf(" %s", weld_ctype_name(perms, i));
  printf("\n");
  weld_cval_drop(&arg);
  weld_cval_drop(&res);

  /* list<u8>: lists of numbers travel packed (WELD_CK_ARRAY): a byte buffer each way. */
  f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-list-u8");
  static const uint8_t bytes[] = {0xde, 0xad, 0xbe, 0xef};
  if (!weld_cval_array(&arg, WELD_CK_U8, bytes, sizeof bytes)) return fail("array", NULL);
  err = weld_cfunc_call(store, f, &arg, 1, &res, 1, &trap);
  if (err) return fail("call", err);
  if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
  printf("echo-list-u8 returned");
  for (size_t i = 0; i < res.of.array.len; i++) printf(" %02x", ((const uint8_t *)res.of.array.ptr)[i]);
  printf("\n");
  weld_cval_drop(&arg);
  weld_cval_drop(&res);

  /* The typed fast path for a scalar signature. */
  f = weld_cinstance_func_by_name(inst, "test:guest/echo#echo-u32");
  uint64_t in = 123456, out = 0;
  if (weld_cfunc_is_flat(f)) {
    err = weld_cfunc_call_flat(store, f, &in, &out, &trap);
    if (err) return fail("call", err);
    if (trap) return fprintf(stderr, "trap: %s\n", weld_trap_message(trap)), 1;
    printf("echo-u32 returned %llu\n", (unsigned long long)out);
  }

  weld_store_delete(store);
  weld_instance_pre_delete(pre);
  weld_linker_delete(linker);
  weld_component_delete(component);
  weld_engine_delete(engine);
  return out == in ? 0 : 1;
}
