/* resources.c — Canonical ABI resources (design/mvp/CanonicalABI.md "Table State",
 * "Resource State", "canon resource.new/drop/rep"; definitions.py Table, ResourceHandle,
 * ResourceType, lift_own, lift_borrow, lower_own, lower_borrow, Subtask.add_lender,
 * canon_resource_new, canon_resource_drop, canon_resource_rep), and the public handle
 * functions of weld/component.h (weld_resource_type_*, weld_resource_*).
 *
 * One table per component instance, shared by every resource type (as in the current
 * definitions.py, whose single `inst.table` also holds async objects weld does not have):
 * index 0 is never used, new handles reuse the most recently freed index first, and no
 * index exceeds Table.MAX_LENGTH = 2^28 - 1 (WELD_MAX_HANDLES - 1).  Every misuse traps with
 * a message naming the handle index: unknown index, wrong resource type, dropping or
 * moving a handle that is lent out, lifting a borrow as an own, borrows still held when a
 * call returns (comp_abi_call_finish_lift, in call.c's terms Task.exit). */
#include "component/abi.h"
#include "base/alloc.h"
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- resource types */

static weld_resource_type_t *rtype_new(const char *name) {
  weld_resource_type_t *rt = base_calloc(1, sizeof *rt);
  if (!rt) return NULL;
  if (name) {
    rt->name = base_strdup(name);
    if (!rt->name) {
      base_free(rt, sizeof *rt);
      return NULL;
    }
  }
  atomic_init(&rt->refs, 1);
  return rt;
}

weld_resource_type_t *comp_rtype_new_guest(comp_abi_inst_t *impl, weld_func_t *dtor, const char *name) {
  weld_resource_type_t *rt = rtype_new(name);
  if (!rt) return NULL;
  rt->impl = impl;
  rt->dtor = dtor;
  return rt;
}

void comp_rtype_ref(weld_resource_type_t *rt) { atomic_fetch_add_explicit(&rt->refs, 1, memory_order_relaxed); }

void comp_rtype_unref(weld_resource_type_t *rt) {
  if (!rt) return;
  if (atomic_fetch_sub_explicit(&rt->refs, 1, memory_order_acq_rel) != 1) return;
  if (rt->name) base_free(rt->name, strlen(rt->name) + 1);
  base_free(rt, sizeof *rt);
}

weld_resource_type_t *weld_resource_type_new(const char *debug_name, void (*dtor)(void *env, uint32_t rep),
                                             void *env) {
  weld_resource_type_t *rt = rtype_new(debug_name);
  if (!rt) return NULL;
  rt->host_dtor = dtor;
  rt->env = env;
  return rt;
}

void weld_resource_type_delete(weld_resource_type_t *t) { comp_rtype_unref(t); }

/* "host-defined resource `name`" / "guest-defined resource" for messages */
void comp_rtype_describe(const weld_resource_type_t *rt, char *buf, size_t n) {
  const char *who = rt->impl ? "guest-defined resource" : "host-defined resource";
  if (rt->name && rt->name[0]) snprintf(buf, n, "%s `%s`", who, rt->name);
  else snprintf(buf, n, "%s", who);
}

static weld_trap_t *wrong_type(uint32_t i, const weld_resource_type_t *want, const weld_resource_type_t *have) {
  char a[160], b[160];
  comp_rtype_describe(want, a, sizeof a);
  comp_rtype_describe(have, b, sizeof b);
  return comp_abi_trap("handle index %u used with the wrong type, expected %s but found %s%s", i, a,
                       strcmp(a, b) == 0 ? "a different " : "", b);
}

/* ---------------------------------------------------------------- the table (Table) */

void comp_abi_inst_init(comp_abi_inst_t *inst, weld_store_t *store) {
  memset(inst, 0, sizeof *inst);
  inst->store = store;
  inst->may_leave = true;
}

void comp_abi_inst_free(comp_abi_inst_t *inst) {
  comp_handles_t *t = &inst->table;
  for (uint32_t i = 1; i < t->len; i++)
    if (t->v[i].rt) comp_rtype_unref(t->v[i].rt);
  base_free(t->v, (size_t)t->cap * sizeof *t->v);
  VEC_FREE(&t->free);
  memset(t, 0, sizeof *t);
}

/* Table.get */
static weld_trap_t *table_get(comp_abi_inst_t *inst, uint32_t i, comp_handle_t **out) {
  *out = NULL;
  comp_handles_t *t = &inst->table;
  if (i == 0 || i >= t->len || !t->v[i].rt) return comp_abi_trap("unknown handle index %u", i);
  *out = &t->v[i];
  return NULL;
}

/* Table.add (the handle's reference to h->rt is taken here) */
static weld_trap_t *table_add(comp_abi_inst_t *inst, const comp_handle_t *h, uint32_t *out) {
  comp_handles_t *t = &inst->table;
  uint32_t i;
  if (t->free.len) {
    i = VEC_POP(&t->free);
  } else {
    if (t->len == 0) t->len = 1; /* slot 0 is reserved */
    i = t->len;
    if (i > COMP_MAX_HANDLE_INDEX)
      return comp_abi_trap("resource handle table is full (more than %u handles)", COMP_MAX_HANDLE_INDEX);
    if (i >= t->cap) { /* (first use: len was 0, cap 0) */
      uint32_t ncap = t->cap ? t->cap * 2 : 16;
      if (ncap > COMP_MAX_HANDLE_INDEX + 1) ncap = COMP_MAX_HANDLE_INDEX + 1;
      comp_handle_t *nv = base_realloc(t->v, (size_t)t->cap * sizeof *nv, (size_t)ncap * sizeof *nv);
      if (!nv) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory growing a handle table");
      memset(nv + t->cap, 0, (size_t)(ncap - t->cap) * sizeof *nv);
      t->v = nv;
      t->cap = ncap;
    }
    t->len++;
  }
  t->v[i] = *h;
  comp_rtype_ref(h->rt);
  *out = i;
  return NULL;
}

/* Table.remove of a slot already found with table_get (the reference to rt is dropped). */
static weld_trap_t *table_remove(comp_abi_inst_t *inst, uint32_t i) {
  comp_handles_t *t = &inst->table;
  if (!VEC_PUSH(&t->free, i)) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory in a handle table");
  comp_rtype_unref(t->v[i].rt);
  memset(&t->v[i], 0, sizeof t->v[i]);
  return NULL;
}

/* ---------------------------------------------------------------- lifting and lowering handles */

/* lift_own */
weld_trap_t *comp_handle_lift_own(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t i, uint32_t *rep) {
  comp_handle_t *h = NULL;
  weld_trap_t *trap = table_get(inst, i, &h);
  if (trap) return trap;
  if (h->rt != rt) return wrong_type(i, rt, h->rt);
  if (h->num_lends) return comp_abi_trap("cannot remove owned resource while borrowed (handle index %u)", i);
  if (!h->own) return comp_abi_trap("handle index %u is a borrow where an owned handle was expected", i);
  *rep = h->rep;
  return table_remove(inst, i);
}

/* lift_borrow (+ Subtask.add_lender) */
weld_trap_t *comp_handle_lift_borrow(comp_abi_inst_t *inst, comp_abi_call_t *subtask, weld_resource_type_t *rt,
                                     uint32_t i, uint32_t *rep) {
  comp_handle_t *h = NULL;
  weld_trap_t *trap = table_get(inst, i, &h);
  if (trap) return trap;
  if (h->rt != rt) return wrong_type(i, rt, h->rt);
  if (subtask) {
    if (!VEC_PUSH(&subtask->lenders, i))
      return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory lending a handle");
    h->num_lends++;
  }
  *rep = h->rep;
  return NULL;
}

/* lower_own */
weld_trap_t *comp_handle_lower_own(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t rep, uint32_t *index) {
  comp_handle_t h = {rt, rep, true, 0, NULL};
  return table_add(inst, &h, index);
}

/* lower_borrow */
weld_trap_t *comp_handle_lower_borrow(comp_abi_inst_t *inst, comp_abi_call_t *task, weld_resource_type_t *rt,
                                      uint32_t rep, uint32_t *index) {
  if (rt->impl == inst) {
    *index = rep;
    return NULL;
  }
  comp_handle_t h = {rt, rep, false, 0, task};
  weld_trap_t *trap = table_add(inst, &h, index);
  if (trap) return trap;
  if (task) task->num_borrows++;
  return NULL;
}

weld_trap_t *comp_handle_rtype(const comp_abi_cx_t *cx, const comp_layout_t *l, weld_resource_type_t **out) {
  weld_resource_type_t *rt = NULL;
  if (cx->inst->resource_type) rt = cx->inst->resource_type(cx->inst->resource_env, l->rid);
  if (!rt) return comp_abi_trap("resource type (rid %u) has no run-time definition in this instance", l->rid);
  *out = rt;
  return NULL;
}

/* ---------------------------------------------------------------- calls (borrow scopes) */

void comp_abi_call_init(comp_abi_call_t *c, comp_abi_inst_t *inst) {
  memset(c, 0, sizeof *c);
  c->inst = inst;
}

static void release_host_borrows(comp_abi_call_t *c) {
  for (size_t i = 0; i < c->host_borrows.len; i++) {
    weld_resource_t *r = c->host_borrows.data[i];
    comp_rtype_unref(r->rt);
    base_free(r, sizeof *r);
  }
  VEC_FREE(&c->host_borrows);
}

/* Subtask.deliver_resolve */
void comp_abi_call_finish_lower(comp_abi_call_t *c) {
  comp_handles_t *t = &c->inst->table;
  for (size_t i = 0; i < c->lenders.len; i++) {
    uint32_t k = c->lenders.data[i];
    if (k < t->len && t->v[k].rt && t->v[k].num_lends) t->v[k].num_lends--;
  }
  VEC_FREE(&c->lenders);
  release_host_borrows(c);
}

/* Task.return_ / Task.exit: trap_if(self.num_borrows > 0) */
weld_trap_t *comp_abi_call_finish_lift(comp_abi_call_t *c) {
  weld_trap_t *trap = NULL;
  if (c->num_borrows)
    trap = comp_abi_trap("borrow handles still remain at the end of the call (%u not dropped)", c->num_borrows);
  VEC_FREE(&c->lenders);
  release_host_borrows(c);
  return trap;
}

/* ---------------------------------------------------------------- destructors */

/* The guest destructor called from outside its instance: canon_lower of canon_lift(rt.dtor),
 * entering rt->impl like any export call. */
static weld_trap_t *call_guest_dtor(weld_store_t *store, weld_resource_type_t *rt, uint32_t rep, bool enter) {
  if (enter) {
    weld_trap_t *trap = comp_abi_enter(rt->impl);
    if (trap) return trap;
  }
  core_slot_t slots[2];
  memset(slots, 0, sizeof slots);
  slots[0].u32 = rep;
  weld_trap_t *trap = core_call(store, rt->dtor, slots);
  if (enter) {
    if (trap) rt->impl->poisoned = true;
    comp_abi_leave(rt->impl);
  }
  return trap;
}

weld_trap_t *comp_resource_run_dtor(weld_store_t *store, weld_resource_type_t *rt, uint32_t rep) {
  if (!rt->impl) {
    if (rt->host_dtor) rt->host_dtor(rt->env, rep);
    return NULL;
  }
  if (rt->dtor) return call_guest_dtor(store, rt, rep, true);
  if (rt->impl->on_stack) return comp_abi_trap("cannot drop a resource while its defining instance is on the stack");
  return NULL;
}

/* ---------------------------------------------------------------- built-ins */

/* canon_resource_new */
weld_trap_t *comp_resource_new(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t rep, uint32_t *out) {
  if (!inst->may_leave) return comp_abi_trap("cannot call resource.new while lowering values into this instance");
  return comp_handle_lower_own(inst, rt, rep, out);
}

/* canon_resource_drop */
weld_trap_t *comp_resource_drop(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t i) {
  if (!inst->may_leave) return comp_abi_trap("cannot call resource.drop while lowering values into this instance");
  comp_handle_t *h = NULL;
  weld_trap_t *trap = table_get(inst, i, &h);
  if (trap) return trap;
  if (h->rt != rt) return wrong_type(i, rt, h->rt);
  if (h->num_lends)
    return comp_abi_trap(h->own ? "cannot remove owned resource while borrowed (handle index %u)"
                                : "cannot drop borrow handle index %u while it is lent to a call",
                         i);
  comp_handle_t copy = *h;
  comp_rtype_ref(rt); /* keep rt alive across the removal and the destructor */
  trap = table_remove(inst, i);
  if (!trap) {
    if (copy.own) {
      if (inst == rt->impl) {
        if (rt->dtor) trap = call_guest_dtor(inst->store, rt, copy.rep, false);
      } else {
        trap = comp_resource_run_dtor(inst->store, rt, copy.rep);
      }
    } else if (copy.borrow_scope && copy.borrow_scope->num_borrows) {
      copy.borrow_scope->num_borrows--;
    }
  }
  comp_rtype_unref(rt);
  return trap;
}

/* canon_resource_rep */
weld_trap_t *comp_resource_rep(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t i, uint32_t *out) {
  comp_handle_t *h = NULL;
  weld_trap_t *trap = table_get(inst, i, &h);
  if (trap) return trap;
  if (h->rt != rt) return wrong_type(i, rt, h->rt);
  *out = h->rep;
  return NULL;
}

/* ---------------------------------------------------------------- host handles (weld/component.h) */

static weld_resource_t *handle_new(weld_store_t *store, weld_resource_type_t *t, uint32_t rep, bool own) {
  if (!t) return NULL;
  weld_resource_t *r = base_calloc(1, sizeof *r);
  if (!r) return NULL;
  comp_rtype_ref(t);
  r->rt = t;
  r->rep = rep;
  r->own = own;
  r->store = store;
  return r;
}

weld_resource_t *weld_resource_new_own(weld_store_t *store, weld_resource_type_t *t, uint32_t rep) {
  return handle_new(store, t, rep, true);
}

weld_resource_t *weld_resource_new_borrow(weld_store_t *store, weld_resource_type_t *t, uint32_t rep) {
  return handle_new(store, t, rep, false);
}

bool weld_resource_is_own(const weld_resource_t *r) { return r && r->own; }

weld_resource_type_t *weld_resource_host_type(const weld_resource_t *r) {
  return r && !r->rt->impl ? r->rt : NULL;
}

weld_resource_type_t *weld_resource_type(const weld_resource_t *r) { return r ? r->rt : NULL; }

weld_error_t *weld_resource_rep(const weld_resource_t *r, uint32_t *rep) {
  if (!r) return base_error("weld_resource_rep: NULL resource");
  if (r->rt->impl) return base_error("weld_resource_rep: the resource is defined by a guest component");
  *rep = r->rep;
  return NULL;
}

weld_error_t *weld_resource_drop(weld_store_t *store, weld_resource_t *r, weld_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!r) return base_error("weld_resource_drop: NULL resource");
  if (r->in_call) return NULL; /* a borrow lent to a host function: released when the call returns */
  weld_trap_t *t = NULL;
  if (r->own && !r->moved) t = comp_resource_run_dtor(store ? store : r->store, r->rt, r->rep);
  comp_rtype_unref(r->rt);
  base_free(r, sizeof *r);
  if (t) {
    if (trap) *trap = t;
    else weld_trap_delete(t);
  }
  return NULL;
}

/* Frees a weld_resource_t without running a destructor. */
void comp_resource_consume(weld_resource_t *r) {
  comp_rtype_unref(r->rt);
  base_free(r, sizeof *r);
}

/* Lifting an own/borrow to the host makes a weld_resource_t (lift.c); a borrow is owned by
 * the call (released by comp_abi_call_finish_lower). */
weld_trap_t *comp_resource_to_host(weld_store_t *store, comp_abi_call_t *call, weld_resource_type_t *rt,
                                   uint32_t rep, bool own, weld_resource_t **out) {
  weld_resource_t *r = handle_new(store, rt, rep, own);
  if (!r) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory lifting a resource handle");
  if (!own) {
    r->in_call = true;
    if (!call || !VEC_PUSH(&call->host_borrows, r)) {
      comp_resource_consume(r);
      return call ? core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory lifting a resource handle")
                  : comp_abi_trap("a borrow handle cannot be lifted outside a call");
    }
  }
  *out = r;
  return NULL;
}
