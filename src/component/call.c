/* call.c — Canonical ABI calls between the host and a component instance
 * (design/mvp/CanonicalABI.md "canon lift", "canon lower"; definitions.py canon_lift,
 * canon_lower, Task.enter / trap_if_on_the_stack, Task.return_, Task.exit,
 * Subtask.deliver_resolve, lift_flat_values, lower_flat_values, call_and_trap_on_throw),
 * synchronous subset, plus the helpers every other canonical ABI file uses: traps, checked
 * memory ranges and checked realloc calls.
 *
 * Reentrance: an instance on the call stack cannot be entered again (trap_if_on_the_stack;
 * with synchronous calls only, the stack's instances are exactly those with on_stack set).
 * After a trap inside an instance it is poisoned: every later entry traps. */
#include "component/abi.h"
#include "base/alloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

weld_trap_t *comp_abi_trap(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return core_trap_new(WELD_TRAP_COMPONENT, NULL, buf);
}

uint8_t *comp_abi_mem(const comp_abi_cx_t *cx, uint64_t ptr, uint64_t len, weld_trap_t **trap) {
  weld_memory_t *m = cx->opts->memory;
  if (!m) {
    *trap = comp_abi_trap("canonical ABI needs linear memory but the `memory` option is absent");
    return NULL;
  }
  if (ptr + len > m->size || ptr + len < ptr) {
    *trap = comp_abi_trap("out of bounds: range 0x%llx..0x%llx (%llu bytes) is outside linear memory of %llu bytes",
                          (unsigned long long)ptr, (unsigned long long)(ptr + len), (unsigned long long)len,
                          (unsigned long long)m->size);
    return NULL;
  }
  return m->base + ptr;
}

weld_trap_t *comp_abi_realloc(const comp_abi_cx_t *cx, uint32_t old_ptr, uint32_t old_size, uint32_t align,
                              uint32_t new_size, uint32_t *out) {
  if (!cx->opts->realloc) return comp_abi_trap("canonical ABI needs `realloc` but the option is absent");
  if (!cx->opts->memory) return comp_abi_trap("canonical ABI needs linear memory but the `memory` option is absent");
  core_slot_t s[4];
  memset(s, 0, sizeof s);
  s[0].u32 = old_ptr;
  s[1].u32 = old_size;
  s[2].u32 = align;
  s[3].u32 = new_size;
  weld_trap_t *trap = core_call(cx->inst->store, cx->opts->realloc, s);
  if (trap) return trap;
  uint32_t p = s[0].u32;
  if (p & (align - 1))
    return comp_abi_trap("realloc returned a misaligned pointer 0x%x (alignment %u required)", p, align);
  uint8_t *m = comp_abi_mem(cx, p, new_size, &trap);
  if (!m) {
    weld_trap_delete(trap);
    return comp_abi_trap("realloc returned pointer 0x%x but %u bytes from there exceed linear memory (%llu bytes)", p,
                         new_size, (unsigned long long)(cx->opts->memory ? cx->opts->memory->size : 0));
  }
  *out = p;
  return NULL;
}

/* Task.enter (sync): trap_if_on_the_stack(inst) */
weld_trap_t *comp_abi_enter(comp_abi_inst_t *inst) {
  if (inst->poisoned) return comp_abi_trap("cannot enter component instance: it trapped earlier");
  if (inst->on_stack) return comp_abi_trap("cannot enter component instance: it is already on the call stack");
  inst->on_stack = true;
  return NULL;
}

void comp_abi_leave(comp_abi_inst_t *inst) { inst->on_stack = false; }

/* Parameter types of a function type, into buf (or an allocated array when more). */
static comp_typeid_t *param_types(comp_layouts_t *L, comp_typeid_t ft, comp_typeid_t *buf, uint32_t cap,
                                  uint32_t *n) {
  const comp_type_t *f = comp_type(L->T, ft);
  *n = f->u.func.nparams;
  comp_typeid_t *ts = *n <= cap ? buf : base_alloc((size_t)*n * sizeof *ts);
  if (!ts) return NULL;
  for (uint32_t i = 0; i < *n; i++) ts[i] = f->u.func.params[i].type;
  return ts;
}
static void free_types(comp_typeid_t *ts, comp_typeid_t *buf, uint32_t n) {
  if (ts != buf) base_free(ts, (size_t)n * sizeof *ts);
}

/* Whether values of these types may contain own/borrow handles (COMP_LF_HANDLE); when not,
 * the walks looking for handles (a pass over every element of a list) are skipped.  true
 * when unknown (a layout could not be computed). */
static bool may_hold_handles(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    const comp_layout_t *l = comp_layout(L, ts[i]);
    if (!l || (l->flags & COMP_LF_HANDLE)) return true;
  }
  return false;
}

#define NBUF 16

/* ---------------------------------------------------------------- host -> guest */

/* canon_lift, called by the host */
weld_trap_t *comp_call_export(comp_layouts_t *L, comp_typeid_t ft, comp_abi_inst_t *inst, const comp_abi_opts_t *opts,
                              weld_func_t *callee, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                              size_t nresults, weld_error_t **err) {
  *err = NULL;
  const comp_type_t *f = comp_type(L->T, ft);
  comp_typeid_t rt = f->u.func.result;
  uint32_t nr = rt == COMP_NO_TYPE ? 0 : 1;
  if (nargs != f->u.func.nparams || nresults != nr) {
    *err = base_error("function expects %u argument(s) and %u result(s), called with %zu and %zu",
                      f->u.func.nparams, nr, nargs, nresults);
    return NULL;
  }
  comp_typeid_t buf[NBUF];
  uint32_t np;
  comp_typeid_t *ts = param_types(L, ft, buf, NBUF, &np);
  if (!ts) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  /* Host misuse is an error, found before anything runs. */
  for (uint32_t i = 0; i < np; i++) {
    weld_error_t *e = comp_cval_check(L, ts[i], &args[i], inst);
    if (e) {
      const comp_name_t *nm = &comp_type(L->T, ft)->u.func.params[i].name;
      *err = base_error_wrap(e, "argument %u (`%.*s`)", i, (int)nm->len, nm->s);
      free_types(ts, buf, np);
      return NULL;
    }
  }
  bool handles = may_hold_handles(L, ts, np);
  weld_error_t *e = handles ? comp_cval_check_moves(args, nargs) : NULL;
  if (e) {
    *err = e;
    free_types(ts, buf, np);
    return NULL;
  }
  for (size_t i = 0; i < nresults; i++) memset(&results[i], 0, sizeof results[i]);

  weld_trap_t *trap = comp_abi_enter(inst);
  if (trap) {
    free_types(ts, buf, np);
    for (size_t i = 0; handles && i < nargs; i++) comp_cval_free_owns(&args[i]); /* consumed, as after any trap */
    return trap;
  }
  comp_abi_call_t task;
  comp_abi_call_init(&task, inst);
  comp_abi_cx_t cx = {L, opts, inst, &task, 0};
  core_slot_t slots[COMP_MAX_FLAT_PARAMS + 1], saved[COMP_MAX_FLAT_RESULTS];
  memset(slots, 0, sizeof slots);
  uint32_t nflat = 0;
  trap = comp_lower_values(&cx, COMP_MAX_FLAT_PARAMS, ts, np, args, slots, &nflat, NULL);
  free_types(ts, buf, np);
  if (!trap) trap = core_call(inst->store, callee, slots);
  if (!trap) {
    memcpy(saved, slots, sizeof saved);
    uint32_t nres = nr ? comp_flat_count(L, &rt, 1) : 0;
    if (nres > COMP_MAX_FLAT_RESULTS) nres = 1;
    trap = comp_lift_values(&cx, COMP_MAX_FLAT_RESULTS, &rt, nr, slots, nres, results);
    /* Task.return_: borrows handed to the callee must be gone before the results count */
    weld_trap_t *t2 = comp_abi_call_finish_lift(&task);
    if (!trap) trap = t2;
    else if (t2) weld_trap_delete(t2);
    if (!trap && opts->post_return) trap = core_call(inst->store, opts->post_return, saved);
    if (trap)
      for (uint32_t i = 0; i < nr; i++) comp_cval_discard(&results[i]);
  } else {
    weld_trap_t *t2 = comp_abi_call_finish_lift(&task);
    if (t2) weld_trap_delete(t2);
  }
  if (trap) inst->poisoned = true;
  comp_abi_leave(inst);
  /* the arguments' own handles are consumed (moved into the guest, or abandoned by a trap) */
  for (size_t i = 0; handles && i < nargs; i++) comp_cval_free_owns(&args[i]);
  return trap;
}

/* ---------------------------------------------------------------- guest -> host */

/* canon_lower of a host function */
weld_trap_t *comp_call_host(comp_layouts_t *L, comp_typeid_t ft, comp_abi_inst_t *inst, const comp_abi_opts_t *opts,
                            core_slot_t *slots, comp_host_call_fn_t fn, void *env) {
  if (!inst->may_leave) return comp_abi_trap("cannot leave component instance: a host call made while lowering values");
  const comp_type_t *f = comp_type(L->T, ft);
  comp_typeid_t rt = f->u.func.result;
  uint32_t nr = rt == COMP_NO_TYPE ? 0 : 1;
  comp_typeid_t buf[NBUF];
  uint32_t np;
  comp_typeid_t *ts = param_types(L, ft, buf, NBUF, &np);
  if (!ts) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  weld_cval_t *args = base_calloc(np ? np : 1, sizeof *args);
  if (!args) {
    free_types(ts, buf, np);
    return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory");
  }
  comp_abi_call_t subtask;
  comp_abi_call_init(&subtask, inst);
  comp_abi_cx_t cx = {L, opts, inst, &subtask, 0};
  uint32_t nflat = comp_flat_count(L, ts, np), nin = nflat > COMP_MAX_FLAT_PARAMS ? 1 : nflat;
  weld_cval_t result;
  memset(&result, 0, sizeof result);
  weld_trap_t *trap = comp_lift_values(&cx, COMP_MAX_FLAT_PARAMS, ts, np, slots, nin, args);
  bool lifted = trap == NULL;
  if (!trap) {
    if (nr) result.kind = comp_cval_kind(L, rt);
    trap = fn(env, args, np, &result, nr);
    if (!trap && nr) {
      weld_error_t *e = comp_cval_check(L, rt, &result, inst);
      if (!e && may_hold_handles(L, &rt, 1)) e = comp_cval_check_moves(&result, 1);
      if (e) {
        trap = comp_abi_trap("host function returned a value of the wrong type: %s", weld_error_message(e));
        weld_error_delete(e);
      }
    }
    if (!trap && nr) {
      uint32_t nres = comp_flat_count(L, &rt, 1);
      uint32_t outp = nres > COMP_MAX_FLAT_RESULTS ? slots[nin].u32 : 0;
      uint32_t nout = 0;
      trap = comp_lower_values(&cx, COMP_MAX_FLAT_RESULTS, &rt, 1, &result, slots, &nout,
                               nres > COMP_MAX_FLAT_RESULTS ? &outp : NULL);
    }
  }
  /* The host now owns the own handles among the arguments (weld_resource_drop); after a
   * failed lift nobody does. */
  for (uint32_t i = 0; i < np; i++) {
    if (lifted) weld_cval_drop(&args[i]);
    else comp_cval_discard(&args[i]);
  }
  base_free(args, (size_t)(np ? np : 1) * sizeof *args);
  free_types(ts, buf, np);
  /* own handles in the result were moved into the guest (or abandoned by a trap) */
  if (nr) comp_cval_discard(&result);
  comp_abi_call_finish_lower(&subtask);
  return trap;
}
