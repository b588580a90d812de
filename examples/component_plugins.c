/* component_plugins.c — components that import each other, linked at run time by the host
 * (include/weld/component.h).
 *
 *   component_plugins
 *
 * Two guests, given in the component text format (compiled with weld_wat_to_wasm):
 *   - the plugin exports the interface `example:demo/greeter` (greet: func(name: string) ->
 *     string) and a core module `utils`;
 *   - the app imports `example:demo/greeter`, the core module `utils` and an interface
 *     `example:demo/log` that this host does not provide, and exports `run` and `shout`.
 * The host
 *   1. prints what the app imports (reflection with weld_ctype_*),
 *   2. first defines a placeholder greeter of its own, then instantiates the plugin and, with
 *      shadowing allowed, replaces the placeholder by the plugin's exported interface
 *      (weld_linker_instance_from_export): calls from the app into the plugin then go
 *      directly from one component's memory to the other's,
 *   3. passes the plugin's exported core module on to the app (weld_cinstance_module,
 *      weld_linker_module),
 *   4. defines the missing `example:demo/log` as trapping functions, instantiates the app
 *      and calls it: `run` works; `shout` calls the log and traps with the import's name. */
#include "weld.h"
#include "weld/component.h"
#include <stdio.h>
#include <string.h>

/* The plugin: greet(name) = "Hello, " + name, built in a bump-allocated buffer. */
static const char plugin[] =
    "(component\n"
    "  (core module $U (func (export \"twice\") (param i32) (result i32)\n"
    "    (i32.shl (local.get 0) (i32.const 1))))\n"
    "  (core module $M\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $top (mut i32) (i32.const 1024))\n"
    "    (data (i32.const 16) \"Hello, \")\n"
    "    (func $alloc (export \"realloc\") (param i32 i32 i32 i32) (result i32)\n"
    "      (local $p i32)\n"
    "      (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get 2) (i32.const 1)))\n"
    "                             (i32.sub (i32.const 0) (local.get 2))))\n"
    "      (global.set $top (i32.add (local.get $p) (local.get 3)))\n"
    "      (if (i32.gt_u (global.get $top) (i32.mul (memory.size) (i32.const 65536)))\n"
    "        (then (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))))\n"
    "      (local.get $p))\n"
    "    (func (export \"greet\") (param $name i32) (param $len i32) (result i32)\n"
    "      (local $out i32) (local $ret i32)\n"
    "      (local.set $out (call $alloc (i32.const 0) (i32.const 0) (i32.const 1)\n"
    "                                   (i32.add (local.get $len) (i32.const 7))))\n"
    "      (memory.copy (local.get $out) (i32.const 16) (i32.const 7))\n"
    "      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $name) (local.get $len))\n"
    "      (local.set $ret (call $alloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))\n"
    "      (i32.store (local.get $ret) (local.get $out))\n"
    "      (i32.store offset=4 (local.get $ret) (i32.add (local.get $len) (i32.const 7)))\n"
    "      (local.get $ret)))\n"
    "  (core instance $m (instantiate $M))\n"
    "  (func $greet (param \"name\" string) (result string)\n"
    "    (canon lift (core func $m \"greet\") (memory $m \"mem\") (realloc (func $m \"realloc\"))))\n"
    "  (instance $greeter (export \"greet\" (func $greet)))\n"
    "  (export \"example:demo/greeter\" (instance $greeter))\n"
    "  (export \"utils\" (core module $U)))\n";

/* The app: run() = greet("plugin"); shout() logs first (the log is missing: a trap). */
static const char app[] =
    "(component\n"
    "  (import \"example:demo/greeter\" (instance $g\n"
    "    (export \"greet\" (func (param \"name\" string) (result string)))))\n"
    "  (import \"example:demo/log\" (instance $log\n"
    "    (export \"log\" (func (param \"msg\" string)))))\n"
    "  (import \"utils\" (core module $U (export \"twice\" (func (param i32) (result i32)))))\n"
    "  (core module $Mem\n"
    "    (memory (export \"mem\") 1)\n"
    "    (global $top (mut i32) (i32.const 1024))\n"
    "    (func (export \"realloc\") (param i32 i32 i32 i32) (result i32)\n"
    "      (local $p i32)\n"
    "      (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get 2) (i32.const 1)))\n"
    "                             (i32.sub (i32.const 0) (local.get 2))))\n"
    "      (global.set $top (i32.add (local.get $p) (local.get 3)))\n"
    "      (if (i32.gt_u (global.get $top) (i32.mul (memory.size) (i32.const 65536)))\n"
    "        (then (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))))\n"
    "      (local.get $p)))\n"
    "  (core instance $mem (instantiate $Mem))\n"
    "  (core instance $u (instantiate $U))\n"
    "  (core func $greet (canon lower (func $g \"greet\") (memory $mem \"mem\") (realloc (func $mem \"realloc\"))))\n"
    "  (core func $log (canon lower (func $log \"log\") (memory $mem \"mem\")))\n"
    "  (core module $M\n"
    "    (import \"mem\" \"mem\" (memory 1))\n"
    "    (import \"g\" \"greet\" (func $greet (param i32 i32 i32)))\n"
    "    (import \"log\" \"log\" (func $log (param i32 i32)))\n"
    "    (import \"u\" \"twice\" (func $twice (param i32) (result i32)))\n"
    "    (data (i32.const 16) \"plugin\")\n"
    /* greet's result (ptr, len) lands in the return area at 64; run returns it as its own */
    "    (func (export \"run\") (result i32)\n"
    "      (call $greet (i32.const 16) (call $twice (i32.const 3)) (i32.const 64))\n"
    "      (i32.const 64))\n"
    "    (func (export \"shout\")\n"
    "      (call $log (i32.const 16) (i32.const 6))))\n"
    "  (core instance $m (instantiate $M\n"
    "    (with \"mem\" (instance $mem))\n"
    "    (with \"g\" (instance (export \"greet\" (func $greet))))\n"
    "    (with \"log\" (instance (export \"log\" (func $log))))\n"
    "    (with \"u\" (instance $u))))\n"
    "  (func (export \"run\") (result string) (canon lift (core func $m \"run\") (memory $mem \"mem\")))\n"
    "  (func (export \"shout\") (canon lift (core func $m \"shout\"))))\n";

static int failed(const char *what, weld_error_t *err, weld_trap_t *trap) {
  fprintf(stderr, "%s: %s\n", what, err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "failed");
  weld_error_delete(err);
  weld_trap_delete(trap);
  return 1;
}

static weld_error_t *compile(weld_engine_t *engine, const char *text, weld_component_t **out) {
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_error_t *err = weld_wat_to_wasm(text, strlen(text), &bin, &len);
  if (!err) err = weld_component_new(engine, bin, len, out);
  weld_free_bytes(bin, len);
  return err;
}

/* Prints a component type's imports and exports, and the exports of instance types, one
 * per line with its WIT-like type. */
static void print_type(const weld_ctype_t *t, int depth) {
  for (size_t i = 0; i < weld_ctype_import_count(t); i++) {
    const weld_ctype_t *it = weld_ctype_import(t, i);
    char *s = weld_ctype_to_string(it);
    printf("%*simport %s: %s\n", depth * 2, "", weld_ctype_import_name(t, i), s ? s : "?");
    weld_string_delete(s);
    if (weld_ctype_kind(it) == WELD_CTYPE_INSTANCE) print_type(it, depth + 1);
  }
  for (size_t i = 0; i < weld_ctype_count(t); i++) {
    const weld_ctype_t *et = weld_ctype_member(t, i);
    char *s = weld_ctype_to_string(et);
    printf("%*sexport %s: %s\n", depth * 2, "", weld_ctype_name(t, i), s ? s : "?");
    weld_string_delete(s);
    if (weld_ctype_kind(et) == WELD_CTYPE_FUNC) {
      for (size_t p = 0; p < weld_ctype_count(et); p++) {
        char *ps = weld_ctype_to_string(weld_ctype_member(et, p));
        printf("%*s  param %s: %s\n", depth * 2, "", weld_ctype_name(et, p), ps ? ps : "?");
        weld_string_delete(ps);
      }
    }
  }
}

/* The placeholder greeter the plugin replaces. */
static weld_trap_t *placeholder(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  return weld_trap_new(WELD_TRAP_HOST, "no greeter plugin loaded");
}

int main(void) {
  weld_engine_t *engine = weld_engine_new(NULL);
  weld_component_t *pc = NULL, *ac = NULL;
  weld_error_t *err = compile(engine, plugin, &pc);
  if (!err) err = compile(engine, app, &ac);
  if (err) return failed("compile", err, NULL);

  printf("the app:\n");
  print_type(weld_component_type(ac), 1);

  weld_linker_t *linker = weld_linker_new(engine);
  weld_linker_instance_t *root = weld_linker_root(linker), *li = NULL;
  err = weld_linker_instance(root, "example:demo/greeter", &li);
  if (!err) err = weld_linker_func(li, "greet", placeholder, NULL, NULL);
  if (err) return failed("define", err, NULL);

  /* The plugin needs nothing from the host. */
  weld_store_t *store = weld_store_new(engine);
  weld_cinstance_t *pi = NULL, *ai = NULL;
  weld_trap_t *trap = NULL;
  err = weld_linker_instantiate(linker, store, pc, &pi, &trap);
  if (err || trap) return failed("instantiate plugin", err, trap);

  /* Replace the placeholder by the plugin's interface; hand its core module on. */
  weld_export_index_t greeter, utils;
  if (!weld_cinstance_export_index(pi, NULL, "example:demo/greeter", &greeter) ||
      !weld_cinstance_export_index(pi, NULL, "utils", &utils))
    return failed("plugin exports", NULL, NULL);
  err = weld_linker_instance_from_export(root, "example:demo/greeter", pi, &greeter);
  printf("without shadowing: %s\n", err ? weld_error_message(err) : "defined?");
  weld_error_delete(err);
  weld_linker_allow_shadowing(linker, true);
  err = weld_linker_instance_from_export(root, "example:demo/greeter", pi, &greeter);
  if (!err) err = weld_linker_module(root, "utils", weld_cinstance_module(pi, &utils));
  if (!err) err = weld_linker_define_unknown_imports_as_traps(linker, ac);
  if (!err) err = weld_linker_instantiate(linker, store, ac, &ai, &trap);
  if (err || trap) return failed("instantiate app", err, trap);

  int bad = 0;
  weld_cval_t res;
  err = weld_cfunc_call(store, weld_cinstance_func_by_name(ai, "run"), NULL, 0, &res, 1, &trap);
  if (err || trap) return failed("run", err, trap);
  printf("run() = \"%.*s\"\n", (int)res.of.str.len, res.of.str.ptr);
  bad |= res.of.str.len != 13 || memcmp(res.of.str.ptr, "Hello, plugin", 13) != 0;
  weld_cval_drop(&res);

  err = weld_cfunc_call(store, weld_cinstance_func_by_name(ai, "shout"), NULL, 0, NULL, 0, &trap);
  if (err) return failed("shout", err, NULL);
  printf("shout() trapped: %s\n", trap ? weld_trap_message(trap) : "(no trap?)");
  bad |= trap == NULL;
  weld_trap_delete(trap);

  weld_store_delete(store);
  weld_linker_delete(linker);
  weld_component_delete(pc);
  weld_component_delete(ac);
  weld_engine_delete(engine);
  printf(bad ? "FAILED\n" : "ok\n");
  return bad;
}
