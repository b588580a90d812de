/* component_resources.c — resources between a host and a component (include/weld/component.h).
 *
 *   component_resources
 *
 * Two resource types cross the boundary:
 *   - `counter`, defined by the HOST: the guest imports the interface
 *     `example:demo/counters` (a constructor and two methods).  The host keeps its counters
 *     in a weld_resource_table_t (the handle a guest sees is backed by a table entry whose
 *     number is the resource's rep); the destructor given to weld_resource_type_new frees
 *     the host object when the last owned handle is dropped, by the guest or by the host.
 *   - `token`, defined by the GUEST: the host calls its constructor and method, recognises
 *     its handles with weld_resource_type / weld_cinstance_resource, and drops one, which
 *     runs the guest's destructor.
 * The guest is given in the component text format and compiled with weld_wat_to_wasm, so
 * the example needs no file. */
#include "weld.h"
#include "weld/component.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char guest[] =
    "(component\n"
    "  (import \"example:demo/counters\" (instance $c\n"
    "    (export \"counter\" (type $ctr (sub resource)))\n"
    "    (export \"[constructor]counter\" (func (param \"start\" u32) (result (own $ctr))))\n"
    "    (export \"[method]counter.increment\" (func (param \"self\" (borrow $ctr)) (param \"by\" u32)))\n"
    "    (export \"[method]counter.value\" (func (param \"self\" (borrow $ctr)) (result u32)))))\n"
    "  (alias export $c \"counter\" (type $ctr))\n"
    "  (core func $new (canon lower (func $c \"[constructor]counter\")))\n"
    "  (core func $inc (canon lower (func $c \"[method]counter.increment\")))\n"
    "  (core func $val (canon lower (func $c \"[method]counter.value\")))\n"
    "  (core func $drop (canon resource.drop $ctr))\n"
    /* the token's destructor lives in its own small module, so that the main module can
     * import resource.new of a type that names it */
    "  (core module $D\n"
    "    (global $dropped (export \"dropped\") (mut i32) (i32.const 0))\n"
    "    (func (export \"dtor\") (param i32)\n"
    "      (global.set $dropped (i32.add (global.get $dropped) (i32.const 1)))))\n"
    "  (core instance $d (instantiate $D))\n"
    "  (type $token (resource (rep i32) (dtor (func $d \"dtor\"))))\n"
    "  (core func $token-new (canon resource.new $token))\n"
      "  (core module $M\n"
    "    (import \"c\" \"new\" (func $new (param i32) (result i32)))\n"
    "    (import \"c\" \"inc\" (func $inc (param i32 i32)))\n"
    "    (import \"c\" \"val\" (func $val (param i32) (result i32)))\n"
    "    (import \"c\" \"drop\" (func $drop (param i32)))\n"
    "    (import \"t\" \"new\" (func $token-new (param i32) (result i32)))\n"
    "    (import \"t\" \"dropped\" (global $dropped (mut i32)))\n"
    /* count-to(n): a fresh counter, incremented n times, read, dropped */
    "    (func (export \"count-to\") (param $n i32) (result i32)\n"
    "      (local $h i32) (local $v i32)\n"
    "      (local.set $h (call $new (i32.const 0)))\n"
    "      (block $done (loop $next\n"
    "        (br_if $done (i32.eqz (local.get $n)))\n"
    "        (call $inc (local.get $h) (i32.const 1))\n"
    "        (local.set $n (i32.sub (local.get $n) (i32.const 1)))\n"
    "        (br $next)))\n"
    "      (local.set $v (call $val (local.get $h)))\n"
    "      (call $drop (local.get $h))\n"
    "      (local.get $v))\n"
    /* peek(c): the value of a counter the caller lends; a borrowed handle must be dropped
     * before the call returns */
    "    (func (export \"peek\") (param $h i32) (result i32) (local $v i32)\n"
    "      (local.set $v (call $val (local.get $h)))\n"
    "      (call $drop (local.get $h))\n"
    "      (local.get $v))\n"
    /* a token's rep is its id; a method of the guest's own resource receives the rep itself */
    "    (func (export \"token-new\") (param $id i32) (result i32) (call $token-new (local.get $id)))\n"
    "    (func (export \"token-id\") (param $rep i32) (result i32) (local.get $rep))\n"
    "    (func (export \"tokens-dropped\") (result i32) (global.get $dropped)))\n"
    "  (core instance $m (instantiate $M\n"
    "    (with \"c\" (instance (export \"new\" (func $new)) (export \"inc\" (func $inc))\n"
    "                        (export \"val\" (func $val)) (export \"drop\" (func $drop))))\n"
    "    (with \"t\" (instance (export \"new\" (func $token-new))\n"
    "                        (export \"dropped\" (global $d \"dropped\"))))))\n"
    "  (func (export \"count-to\") (param \"n\" u32) (result u32) (canon lift (core func $m \"count-to\")))\n"
    "  (func (export \"peek\") (param \"c\" (borrow $ctr)) (result u32) (canon lift (core func $m \"peek\")))\n"
    "  (export $tok \"token\" (type $token))\n"
    "  (func (export \"[constructor]token\") (param \"id\" u32) (result (own $tok))\n"
    "    (canon lift (core func $m \"token-new\")))\n"
    "  (func (export \"[method]token.id\") (param \"self\" (borrow $tok)) (result u32)\n"
    "    (canon lift (core func $m \"token-id\")))\n"
    "  (func (export \"tokens-dropped\") (result u32) (canon lift (core func $m \"tokens-dropped\"))))\n";

/* ------------------------------------------------------------------ the host's counters */

typedef struct counter {
  uint32_t value;
} counter_t;

typedef struct host {
  weld_resource_table_t *table; /* rep -> counter_t * */
  weld_resource_type_t *counter_type;
  unsigned freed;
} host_t;

/* Runs when the last owned handle of a counter is dropped.  A counter has one child entry,
 * a label (to show parent/child links: the parent cannot go before its children). */
static void counter_dtor(void *env, uint32_t rep) {
  host_t *h = env;
  uint32_t kids[4];
  size_t n = weld_resource_table_children(h->table, rep, kids, 4);
  for (size_t i = 0; i < n && i < 4; i++) {
    void *label = NULL;
    weld_error_delete(weld_resource_table_delete_entry(h->table, kids[i], &label));
    free(label);
  }
  void *obj = NULL;
  weld_error_t *err = weld_resource_table_delete_entry(h->table, rep, &obj);
  if (err) {
    fprintf(stderr, "counter_dtor: %s\n", weld_error_message(err));
    weld_error_delete(err);
    return;
  }
  printf("  host: counter %u freed (value %u)\n", rep, ((counter_t *)obj)->value);
  free(obj);
  h->freed++;
}

/* A new counter in the table; its handle is the rep.  NULL, or what went wrong. */
static const char *counter_make(host_t *h, uint32_t start, uint32_t *rep) {
  counter_t *c = malloc(sizeof *c);
  char *label = malloc(16);
  uint32_t child;
  weld_error_t *err = NULL;
  if (!c || !label || (err = weld_resource_table_push(h->table, c, rep)) != NULL) {
    free(c), free(label);
    weld_error_delete(err);
    return "cannot make a counter";
  }
  c->value = start;
  snprintf(label, 16, "counter-%u", *rep);
  if ((err = weld_resource_table_push_child(h->table, label, *rep, &child)) != NULL) {
    free(label);
    weld_error_delete(err);
  }
  return NULL;
}

/* The counter a borrowed handle argument stands for, or NULL. */
static counter_t *counter_of(host_t *h, const weld_cval_t *arg) {
  uint32_t rep;
  weld_error_t *err = weld_resource_rep(arg->of.resource, &rep);
  if (err) {
    weld_error_delete(err);
    return NULL;
  }
  return weld_resource_table_get(h->table, rep);
}

/* [constructor]counter(start: u32) -> own<counter> */
static weld_trap_t *counter_new(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                weld_cval_t *results, size_t nresults) {
  host_t *h = env;
  (void)nargs, (void)nresults;
  uint32_t rep = 0;
  const char *why = counter_make(h, args[0].of.u32, &rep);
  if (why) return weld_trap_new(WELD_TRAP_HOST, why);
  results[0].of.resource = weld_resource_new_own(weld_ccaller_store(caller), h->counter_type, rep);
  if (!results[0].of.resource) return weld_trap_new(WELD_TRAP_OUT_OF_MEMORY, "out of memory");
  printf("  host: counter %u created at %u\n", rep, args[0].of.u32);
  return NULL;
}

/* [method]counter.increment(self: borrow<counter>, by: u32) */
static weld_trap_t *counter_increment(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                      weld_cval_t *results, size_t nresults) {
  (void)caller, (void)nargs, (void)results, (void)nresults;
  counter_t *c = counter_of(env, &args[0]);
  if (!c) return weld_trap_new(WELD_TRAP_HOST, "increment: not a live counter");
  c->value += args[1].of.u32;
  return NULL;
}

/* [method]counter.value(self: borrow<counter>) -> u32 */
static weld_trap_t *counter_value(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                                  weld_cval_t *results, size_t nresults) {
  (void)caller, (void)nargs, (void)nresults;
  counter_t *c = counter_of(env, &args[0]);
  if (!c) return weld_trap_new(WELD_TRAP_HOST, "value: not a live counter");
  results[0].of.u32 = c->value;
  return NULL;
}

/* ------------------------------------------------------------------ calling the guest */

static int failed(const char *what, weld_error_t *err, weld_trap_t *trap) {
  fprintf(stderr, "%s: %s\n", what, err ? weld_error_message(err) : trap ? weld_trap_message(trap) : "failed");
  weld_error_delete(err);
  weld_trap_delete(trap);
  return 1;
}

/* Calls export `name` with one argument and one result; 0 on success. */
static int call1(weld_store_t *store, weld_cinstance_t *inst, const char *name, const weld_cval_t *arg,
                 weld_cval_t *result) {
  weld_cfunc_t *f = weld_cinstance_func_by_name(inst, name);
  if (!f) return failed(name, NULL, NULL);
  weld_trap_t *trap = NULL;
  weld_error_t *err = weld_cfunc_call(store, f, arg, arg ? 1 : 0, result, 1, &trap);
  return err || trap ? failed(name, err, trap) : 0;
}

int main(void) {
  weld_engine_t *engine = weld_engine_new(NULL);
  host_t h = {.table = weld_resource_table_new()};
  h.counter_type = weld_resource_type_new("counter", counter_dtor, &h);
  uint8_t *bin = NULL;
  size_t len = 0;
  weld_component_t *component = NULL;
  weld_error_t *err = weld_wat_to_wasm(guest, sizeof guest - 1, &bin, &len);
  if (!err) err = weld_component_new(engine, bin, len, &component);
  weld_free_bytes(bin, len);
  if (err) return failed("compile", err, NULL);

  /* The host side of example:demo/counters. */
  weld_linker_t *linker = weld_linker_new(engine);
  weld_linker_instance_t *li = NULL;
  err = weld_linker_instance(weld_linker_root(linker), "example:demo/counters", &li);
  if (!err) err = weld_linker_resource(li, "counter", h.counter_type);
  if (!err) err = weld_linker_func(li, "[constructor]counter", counter_new, &h, NULL);
  if (!err) err = weld_linker_func(li, "[method]counter.increment", counter_increment, &h, NULL);
  if (!err) err = weld_linker_func(li, "[method]counter.value", counter_value, &h, NULL);
  if (err) return failed("define", err, NULL);

  weld_store_t *store = weld_store_new(engine);
  weld_cinstance_t *inst = NULL;
  weld_trap_t *trap = NULL;
  err = weld_linker_instantiate(linker, store, component, &inst, &trap);
  if (err || trap) return failed("instantiate", err, trap);

  int bad = 0; /* any failure below ends the program through failed() or sets bad */
  weld_cval_t arg = {.kind = WELD_CK_U32, .of.u32 = 5}, res;

  /* 1. The guest creates, uses and drops a host counter. */
  printf("count-to(5):\n");
  if (call1(store, inst, "count-to", &arg, &res)) return 1;
  printf("  guest: count-to(5) = %u\n", res.of.u32);
  bad |= res.of.u32 != 5 || h.freed != 1;

  /* 2. The host lends one of its own counters to the guest. */
  printf("peek:\n");
  uint32_t rep = 0;
  if (counter_make(&h, 41, &rep)) return failed("counter", NULL, NULL);
  weld_resource_t *mine = weld_resource_new_own(store, h.counter_type, rep);
  arg = (weld_cval_t){.kind = WELD_CK_BORROW, .of.resource = mine}; /* a borrow may carry an own handle */
  if (call1(store, inst, "peek", &arg, &res)) return 1;
  printf("  guest: peek(counter %u) = %u\n", rep, res.of.u32);
  bad |= res.of.u32 != 41;
  err = weld_resource_drop(store, mine, &trap); /* the host's own handle: runs counter_dtor */
  if (err || trap) return failed("drop", err, trap);
  bad |= h.freed != 2;

  /* 3. A resource defined by the guest. */
  printf("token:\n");
  weld_export_index_t token_idx;
  weld_resource_type_t *token_type =
      weld_cinstance_export_index(inst, NULL, "token", &token_idx) ? weld_cinstance_resource(inst, &token_idx) : NULL;
  arg = (weld_cval_t){.kind = WELD_CK_U32, .of.u32 = 42};
  weld_cval_t token;
  if (call1(store, inst, "[constructor]token", &arg, &token)) return 1;
  bool is_token = token.kind == WELD_CK_OWN && weld_resource_type(token.of.resource) == token_type;
  printf("  host: got an own<token>: %s\n", is_token ? "yes" : "no");
  arg = (weld_cval_t){.kind = WELD_CK_BORROW, .of.resource = token.of.resource};
  if (call1(store, inst, "[method]token.id", &arg, &res)) return 1;
  printf("  guest: token.id() = %u\n", res.of.u32);
  bad |= !is_token || res.of.u32 != 42;
  err = weld_resource_drop(store, token.of.resource, &trap); /* runs the guest's destructor */
  if (err || trap) return failed("drop token", err, trap);
  if (call1(store, inst, "tokens-dropped", NULL, &res)) return 1;
  printf("  guest: tokens dropped: %u\n", res.of.u32);
  bad |= res.of.u32 != 1;

  weld_store_delete(store);
  weld_linker_delete(linker);
  weld_component_delete(component);
  weld_resource_type_delete(h.counter_type);
  weld_resource_table_delete(h.table);
  weld_engine_delete(engine);
  printf(bad ? "FAILED\n" : "ok\n");
  return bad;
}
