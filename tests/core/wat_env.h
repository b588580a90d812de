/* wat_env.h — for interpreter tests: a module given in WebAssembly text, compiled and
 * instantiated in its own engine and store. */
#ifndef WELD_TESTS_WAT_ENV_H
#define WELD_TESTS_WAT_ENV_H
#include "weld.h"
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  weld_engine_t *engine;
  weld_store_t *store;
  weld_module_t *module;
  weld_instance_t *inst;
} env_t;

__attribute__((unused)) static weld_error_t *compile_wat(weld_engine_t *e, const char *wat, weld_module_t **out) {
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_error_t *err = weld_wat_to_wasm(wat, strlen(wat), &bin, &len);
  if (err) return err;
  err = weld_module_new(e, bin, len, out);
  weld_free_bytes(bin, len);
  return err;
}

/* Loads wat into a fresh engine/store (config may be NULL); imports are optional.  Prints
 * what went wrong and returns false on a compile error, an instantiation error or trap. */
__attribute__((unused)) static bool load(env_t *env, const weld_config_t *cfg, const char *wat,
                                         const weld_extern_t *imports, size_t nimports) {
  memset(env, 0, sizeof *env);
  env->engine = weld_engine_new(cfg);
  env->store = weld_store_new(env->engine);
  weld_error_t *err = compile_wat(env->engine, wat, &env->module);
  if (err) {
    fprintf(stderr, "compile: %s\n", weld_error_message(err));
    weld_error_delete(err);
    return false;
  }
  weld_trap_t *trap = NULL;
  err = weld_instance_new(env->store, env->module, imports, nimports, &env->inst, &trap);
  if (err || trap) {
    fprintf(stderr, "instantiate: %s\n", err ? weld_error_message(err) : weld_trap_message(trap));
    if (err) weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    return false;
  }
  return true;
}

__attribute__((unused)) static void unload(env_t *env) {
  if (env->module) weld_module_delete(env->module);
  if (env->store) weld_store_delete(env->store);
  if (env->engine) weld_engine_delete(env->engine);
  memset(env, 0, sizeof *env);
}

#endif
