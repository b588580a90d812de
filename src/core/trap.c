/* trap.c — traps (weld/trap.h; core spec §4.4.1 "Traps"): a code, and a message that names
 * the function that trapped when it is known: "msg in function $name (func N)", with the
 * name from the module's "name" custom section (§7.4.1), or "msg in func N" without one. */
#include "base/alloc.h"
#include "core/runtime.h"
#include <stdio.h>
#include <string.h>

/* Returned when a trap cannot be allocated; weld_trap_delete ignores it. */
static struct weld_trap g_oom_trap = {WELD_TRAP_OUT_OF_MEMORY, (char *)"out of memory"};

const char *core_trap_default_message(weld_trap_code_t code) {
  switch (code) {
  case WELD_TRAP_UNREACHABLE: return "unreachable executed";
  case WELD_TRAP_MEMORY_OUT_OF_BOUNDS: return "out of bounds memory access";
  case WELD_TRAP_TABLE_OUT_OF_BOUNDS: return "out of bounds table access";
  case WELD_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
  case WELD_TRAP_INDIRECT_CALL_TYPE: return "indirect call type mismatch";
  case WELD_TRAP_INTEGER_OVERFLOW: return "integer overflow";
  case WELD_TRAP_INTEGER_DIVIDE_BY_ZERO: return "integer divide by zero";
  case WELD_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
  case WELD_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
  case WELD_TRAP_OUT_OF_FUEL: return "all fuel consumed";
  case WELD_TRAP_INTERRUPT: return "interrupted";
  case WELD_TRAP_NULL_REFERENCE: return "null reference";
  case WELD_TRAP_HOST: return "host trap";
  case WELD_TRAP_OUT_OF_MEMORY: return "out of memory";
  case WELD_TRAP_COMPONENT: return "component model trap";
  }
  return "trap";
}

static weld_trap_t *trap_alloc(weld_trap_code_t code, char *msg) {
  if (!msg) return &g_oom_trap;
  weld_trap_t *t = base_alloc(sizeof *t);
  if (!t) {
    base_free(msg, 0);
    return &g_oom_trap;
  }
  t->code = code;
  t->message = msg;
  return t;
}

weld_trap_t *core_trap_new(weld_trap_code_t code, const weld_func_t *func, const char *msg) {
  if (!msg) msg = core_trap_default_message(code);
  if (!func || func->kind != CORE_FUNC_WASM || !func->inst || !func->inst->m)
    return trap_alloc(code, base_strdup(msg));
  const core_name_t *name = core_func_name(func->inst->m, func->index);
  size_t mlen = strlen(msg), nlen = name ? name->len : 0;
  size_t cap = mlen + nlen + 64;
  char *s = base_alloc(cap);
  if (!s) return &g_oom_trap;
  if (name)
    snprintf(s, cap, "%s in function $%.*s (func %u)", msg, (int)nlen, name->s, func->index);
  else
    snprintf(s, cap, "%s in func %u", msg, func->index);
  return trap_alloc(code, s);
}

weld_trap_t *weld_trap_new(weld_trap_code_t code, const char *message) {
  return trap_alloc(code, base_strdup(message ? message : core_trap_default_message(code)));
}

weld_trap_code_t weld_trap_code(const weld_trap_t *trap) { return trap ? trap->code : WELD_TRAP_HOST; }
const char *weld_trap_message(const weld_trap_t *trap) { return trap ? trap->message : ""; }

void weld_trap_delete(weld_trap_t *trap) {
  if (!trap || trap == &g_oom_trap) return;
  base_free(trap->message, 0);
  base_free(trap, sizeof *trap);
}
