/* test_canon_res.c — Canonical ABI resources and calls (src/component/resources.c,
 * call.c, transfer.c): handle numbering and reuse order, resource.new/rep/drop, every
 * misuse trap (unknown index, wrong type, double drop, dropping or moving a lent handle,
 * lifting a borrow as an own, borrows outliving their call, reentrance), destructors (same
 * instance, another instance, host callback), host handles (weld_resource_*), and the
 * three call paths: host -> guest (comp_call_export, with spilled parameters, return
 * pointers and post-return), guest -> host (comp_call_host), guest -> guest
 * (comp_call_guest, every pair of string encodings, own/borrow handles).
 * Last line: "N passed, N failed". */
#include "canon_util.h"

static comp_layouts_t L;
static guest_t A, B;

/* rid -> run-time type, for both guests (the test uses one arena for every type) */
static uint32_t g_rid[8];
static weld_resource_type_t *g_rt[8];
static int g_nrt;
static weld_resource_type_t *resolve(void *env, uint32_t rid) {
  (void)env;
  for (int i = 0; i < g_nrt; i++)
    if (g_rid[i] == rid) return g_rt[i];
  return NULL;
}
static comp_typeid_t bind_resource(weld_resource_type_t *rt) {
  comp_typeid_t r = T_resource();
  g_rid[g_nrt] = comp_type(&g_T, r)->u.rid;
  g_rt[g_nrt++] = rt;
  return r;
}

static int g_host_dtor_calls;
static uint32_t g_host_dtor_rep;
static void host_dtor(void *env, uint32_t rep) {
  (void)env;
  g_host_dtor_calls++;
  g_host_dtor_rep = rep;
}

static weld_resource_type_t *rtA, *rtA2, *rtH;
static comp_typeid_t resA, resA2, resH;

static uint32_t new_handle(guest_t *g, weld_resource_type_t *rt, uint32_t rep) {
  uint32_t i = 0;
  EXPECT_OK(comp_resource_new(&g->abi, rt, rep, &i));
  return i;
}

/* ---------------------------------------------------------------- tables */

static void test_numbering(void) {
  /* (regression: the first handle of a fresh table once wrote past an unallocated array) */
  uint32_t a = new_handle(&A, rtA, 100), b = new_handle(&A, rtA, 200), c = new_handle(&A, rtA, 300);
  CHECK(a == 1 && b == 2 && c == 3, "sequential handles: %u %u %u", a, b, c);
  uint32_t rep = 0;
  EXPECT_OK(comp_resource_rep(&A.abi, rtA, b, &rep));
  CHECK(rep == 200, "rep");
  int32_t dtors = gget(A.dtors);
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, b));
  CHECK(gget(A.dtors) == dtors + 1 && gget(A.last) == 200, "guest dtor ran in its own instance");
  b = new_handle(&A, rtA, 400);
  CHECK(b == 2, "freed index reused: %u", b);
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, a));
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, b));
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, c));
  a = new_handle(&A, rtA, 500), b = new_handle(&A, rtA, 600), c = new_handle(&A, rtA, 700);
  CHECK(a == 3 && b == 2 && c == 1, "last freed first: %u %u %u", a, b, c);
  uint32_t d = new_handle(&A, rtA, 800);
  CHECK(d == 4, "then the table grows: %u", d);
  /* misuse */
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, 0), "unknown handle index 0");
  EXPECT_TRAP(comp_resource_rep(&A.abi, rtA, 0, &rep), "unknown handle index 0");
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, 99), "unknown handle index 99");
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, 0xffffffffu), "unknown handle index");
  EXPECT_TRAP(comp_resource_rep(&A.abi, rtA2, a, &rep), "used with the wrong type");
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA2, a), "wrong type, expected guest-defined resource `ra2` but found");
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, a));
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, a), "unknown handle index 3");
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, b));
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, c));
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, d));
  /* may_leave: resource.new/drop trap while values are lowered into the instance, rep does not */
  uint32_t e = new_handle(&A, rtA, 900);
  A.abi.may_leave = false;
  EXPECT_TRAP(comp_resource_new(&A.abi, rtA, 1, &rep), "resource.new");
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, e), "resource.drop");
  EXPECT_OK(comp_resource_rep(&A.abi, rtA, e, &rep));
  A.abi.may_leave = true;
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, e));
  /* the table never hands out an index above Table.MAX_LENGTH (2^28 - 1): simulated by
   * pretending the table is that long (the trap comes before any slot is touched) */
  uint32_t len = A.abi.table.len, cap = A.abi.table.cap;
  size_t nfree = A.abi.table.free.len;
  A.abi.table.free.len = 0;
  A.abi.table.len = A.abi.table.cap = COMP_MAX_HANDLE_INDEX + 1;
  EXPECT_TRAP(comp_resource_new(&A.abi, rtA, 1, &rep), "table is full");
  A.abi.table.len = len, A.abi.table.cap = cap, A.abi.table.free.len = nfree;
}

/* ---------------------------------------------------------------- lending and borrow scopes */

static void test_lending(void) {
  uint32_t h = new_handle(&A, rtA, 5), rep;
  comp_abi_call_t sub;
  comp_abi_call_init(&sub, &A.abi);
  EXPECT_OK(comp_handle_lift_borrow(&A.abi, &sub, rtA, h, &rep));
  CHECK(rep == 5 && A.abi.table.v[h].num_lends == 1, "lent");
  EXPECT_TRAP(comp_resource_drop(&A.abi, rtA, h), "cannot remove owned resource while borrowed");
  EXPECT_TRAP(comp_handle_lift_own(&A.abi, rtA, h, &rep), "while borrowed");
  comp_abi_call_finish_lower(&sub);
  CHECK(A.abi.table.v[h].num_lends == 0, "lend released when the call ends");
  /* the same handle passed as (borrow, own) in one call (resources.wast "take-own") */
  comp_typeid_t bt = T_handle(false, resA), ot = T_handle(true, resA);
  comp_typeid_t tup = T_tuple(2, (comp_typeid_t[]){bt, ot});
  comp_abi_call_t task;
  comp_abi_call_init(&sub, &A.abi);
  comp_abi_call_init(&task, &B.abi);
  comp_abi_cx_t ca = gcx(&A, &L, &sub), cb = gcx(&B, &L, &task);
  core_slot_t in[2] = {{.u64 = h}, {.u64 = h}}, out[2];
  EXPECT_TRAP(comp_transfer_flat(&ca, tup, in, &cb, tup, out), "while borrowed");
  /* B now holds a borrow handle scoped to `task` */
  CHECK(task.num_borrows == 1, "borrow handed to the callee");
  EXPECT_TRAP(comp_abi_call_finish_lift(&task), "borrow handles still remain");
  comp_abi_call_finish_lower(&sub);
  /* a borrow handle dropped in time */
  comp_abi_call_init(&task, &B.abi);
  uint32_t bi;
  EXPECT_OK(comp_handle_lower_borrow(&B.abi, &task, rtA, 5, &bi));
  EXPECT_TRAP(comp_handle_lift_own(&B.abi, rtA, bi, &rep), "is a borrow");
  EXPECT_OK(comp_resource_drop(&B.abi, rtA, bi));
  CHECK(task.num_borrows == 0, "borrow drop ends the scope's count");
  EXPECT_OK(comp_abi_call_finish_lift(&task));
  /* a borrow of a resource into its defining instance is its rep */
  EXPECT_OK(comp_handle_lower_borrow(&A.abi, NULL, rtA, 1234, &bi));
  CHECK(bi == 1234, "borrow into the implementation passes the rep");
  /* a borrowed borrow handle cannot be dropped while lent */
  comp_abi_call_init(&task, &B.abi);
  EXPECT_OK(comp_handle_lower_borrow(&B.abi, &task, rtA, 6, &bi));
  comp_abi_call_init(&sub, &B.abi);
  EXPECT_OK(comp_handle_lift_borrow(&B.abi, &sub, rtA, bi, &rep));
  EXPECT_TRAP(comp_resource_drop(&B.abi, rtA, bi), "while it is lent");
  comp_abi_call_finish_lower(&sub);
  EXPECT_OK(comp_resource_drop(&B.abi, rtA, bi));
  EXPECT_OK(comp_abi_call_finish_lift(&task));
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, h));
}

/* ---------------------------------------------------------------- destructors and host handles */

static void test_dtors(void) {
  /* an own handle moved from A to B; B's drop runs A's destructor, entering A */
  uint32_t h = new_handle(&A, rtA, 42);
  comp_typeid_t ot = T_handle(true, resA);
  comp_abi_cx_t ca = gcx(&A, &L, NULL), cb = gcx(&B, &L, NULL);
  core_slot_t in = {.u64 = h}, out;
  EXPECT_OK(comp_transfer_flat(&ca, ot, &in, &cb, ot, &out));
  uint32_t rep;
  EXPECT_TRAP(comp_resource_rep(&A.abi, rtA, h, &rep), "unknown handle");
  EXPECT_OK(comp_resource_rep(&B.abi, rtA, out.u32, &rep));
  CHECK(rep == 42, "moved handle keeps its rep");
  A.abi.on_stack = true;
  EXPECT_TRAP(comp_resource_drop(&B.abi, rtA, out.u32), "already on the call stack");
  A.abi.on_stack = false;
  uint32_t h2 = new_handle(&B, rtA, 43);
  int32_t dtors = gget(A.dtors);
  EXPECT_OK(comp_resource_drop(&B.abi, rtA, h2));
  CHECK(gget(A.dtors) == dtors + 1 && gget(A.last) == 43 && !A.abi.on_stack, "cross-instance dtor");
  /* no destructor: dropping still checks that the implementation is not on the stack */
  uint32_t h3;
  EXPECT_OK(comp_handle_lower_own(&B.abi, rtA2, 9, &h3));
  A.abi.on_stack = true;
  EXPECT_TRAP(comp_resource_drop(&B.abi, rtA2, h3), "on the stack");
  A.abi.on_stack = false;
  /* host-defined: the host callback */
  uint32_t hh;
  EXPECT_OK(comp_handle_lower_own(&A.abi, rtH, 77, &hh));
  g_host_dtor_calls = 0;
  EXPECT_OK(comp_resource_drop(&A.abi, rtH, hh));
  CHECK(g_host_dtor_calls == 1 && g_host_dtor_rep == 77, "host dtor");

  /* weld_resource_t: host own lowered (moved) into A, lifted back, dropped by the host */
  comp_typeid_t oh = T_handle(true, resH);
  weld_resource_t *r = weld_resource_new_own(g_store, rtH, 55);
  CHECK(weld_resource_is_own(r) && weld_resource_host_type(r) == rtH, "host handle");
  weld_cval_t v;
  memset(&v, 0, sizeof v);
  v.kind = WELD_CK_OWN;
  v.of.resource = r;
  EXPECT_OK(comp_lower_flat(&ca, oh, &v, &out)); /* r is marked moved, still readable */
  CHECK(r->moved && r->rep == 55, "lowered own marked moved");
  core_slot_t again;
  EXPECT_TRAP(comp_lower_flat(&ca, oh, &v, &again), "already moved"); /* regression: no double move */
  comp_cval_free_owns(&v); /* what comp_call_export does with its arguments */
  weld_cval_t back;
  EXPECT_OK(comp_lift_flat(&ca, oh, &out, &back));
  CHECK(back.kind == WELD_CK_OWN && back.of.resource->rep == 55 && back.of.resource->own, "own lifted to the host");
  uint32_t rr = 0;
  weld_error_t *e = weld_resource_rep(back.of.resource, &rr);
  CHECK(!e && rr == 55, "weld_resource_rep");
  g_host_dtor_calls = 0;
  weld_trap_t *t = NULL;
  e = weld_resource_drop(g_store, back.of.resource, &t);
  CHECK(!e && !t && g_host_dtor_calls == 1, "weld_resource_drop runs the host dtor");
  /* a guest resource in the host's hands: rep is an error, drop runs the guest dtor */
  h = new_handle(&A, rtA, 61);
  in.u64 = h;
  comp_typeid_t oa = T_handle(true, resA);
  EXPECT_OK(comp_lift_flat(&ca, oa, &in, &back));
  e = weld_resource_rep(back.of.resource, &rr);
  CHECK(e != NULL, "weld_resource_rep of a guest resource is an error");
  weld_error_delete(e);
  CHECK(weld_resource_host_type(back.of.resource) == NULL, "guest resource has no host type");
  dtors = gget(A.dtors);
  e = weld_resource_drop(g_store, back.of.resource, &t);
  CHECK(!e && !t && gget(A.dtors) == dtors + 1 && gget(A.last) == 61, "host drop of a guest resource");
  /* a borrow lifted to the host lives as long as the call */
  h = new_handle(&A, rtA, 62);
  in.u64 = h;
  comp_abi_call_t sub;
  comp_abi_call_init(&sub, &A.abi);
  ca.call = &sub;
  comp_typeid_t ba = T_handle(false, resA);
  EXPECT_OK(comp_lift_flat(&ca, ba, &in, &back));
  CHECK(back.kind == WELD_CK_BORROW && back.of.resource->in_call && !back.of.resource->own, "borrow for the call");
  CHECK(weld_resource_drop(g_store, back.of.resource, &t) == NULL, "dropping a call's borrow is harmless");
  comp_abi_call_finish_lower(&sub);
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, h));
  /* a host borrow lowered into a guest call */
  weld_resource_t *hb = weld_resource_new_borrow(g_store, rtH, 8);
  comp_abi_call_t task;
  comp_abi_call_init(&task, &A.abi);
  ca.call = &task;
  memset(&v, 0, sizeof v);
  v.kind = WELD_CK_BORROW;
  v.of.resource = hb;
  comp_typeid_t bh = T_handle(false, resH);
  EXPECT_OK(comp_lower_flat(&ca, bh, &v, &out));
  EXPECT_OK(comp_resource_rep(&A.abi, rtH, out.u32, &rep));
  CHECK(rep == 8 && task.num_borrows == 1, "host borrow in the guest table");
  EXPECT_OK(comp_resource_drop(&A.abi, rtH, out.u32));
  EXPECT_OK(comp_abi_call_finish_lift(&task));
  weld_resource_drop(g_store, hb, NULL);
}

/* ---------------------------------------------------------------- host -> guest */

static void test_export_calls(void) {
  comp_typeid_t u32s[17];
  weld_cval_t args[17], res[1];
  for (int i = 0; i < 17; i++) u32s[i] = COMP_PRIM_U32, args[i] = V_u32((uint32_t)i);
  comp_typeid_t f17 = T_func(17, u32s, COMP_PRIM_U32);
  weld_error_t *err = NULL;
  guest_reset(&A);
  EXPECT_OK(comp_call_export(&L, f17, &A.abi, &A.opts, A.sum17, args, 17, res, 1, &err));
  CHECK(!err && res[0].kind == WELD_CK_U32 && res[0].of.u32 == 136, "17 spilled params: %u", res[0].of.u32);
  CHECK(!A.abi.on_stack && A.abi.may_leave, "instance left");
  /* string -> string: the result comes back through a return pointer, then post-return */
  comp_typeid_t fs = T_func(1, (comp_typeid_t[]){COMP_PRIM_STRING}, COMP_PRIM_STRING);
  comp_abi_opts_t o = A.opts;
  o.post_return = A.post_return;
  for (int e = 0; e < 3; e++) {
    o.string_encoding = (uint8_t[]){COMP_UTF8, COMP_UTF16, COMP_LATIN1_UTF16}[e];
    weld_cval_t s = V_str("h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93");
    int32_t post = gget(A.post);
    EXPECT_OK(comp_call_export(&L, fs, &A.abi, &o, A.echo_str, &s, 1, res, 1, &err));
    CHECK(!err && cval_eq(&s, &res[0]) && gget(A.post) == post + 1, "echo through encoding %d, post-return ran", e);
    weld_cval_drop(&res[0]);
    weld_cval_drop(&s);
  }
  /* host misuse: errors, nothing runs */
  int32_t calls = gget(A.calls);
  EXPECT_OK(comp_call_export(&L, fs, &A.abi, &o, A.echo_str, args, 1, res, 1, &err));
  CHECK(err && strstr(weld_error_message(err), "expected string") && gget(A.calls) == calls, "argument type error: %s",
        err ? weld_error_message(err) : "none");
  weld_error_delete(err);
  EXPECT_OK(comp_call_export(&L, fs, &A.abi, &o, A.echo_str, args, 2, res, 1, &err));
  CHECK(err != NULL, "argument count error");
  weld_error_delete(err);
  /* an own handle passed in is moved into the guest's table */
  comp_typeid_t fo = T_func(2, (comp_typeid_t[]){T_handle(true, resH), COMP_PRIM_U32}, COMP_PRIM_U32);
  weld_cval_t oa[2];
  memset(oa, 0, sizeof oa);
  oa[0].kind = WELD_CK_OWN;
  oa[0].of.resource = weld_resource_new_own(g_store, rtH, 4242);
  oa[1] = V_u32(1000);
  EXPECT_OK(comp_call_export(&L, fo, &A.abi, &A.opts, A.add2, oa, 2, res, 1, &err));
  uint32_t rep = 0;
  CHECK(!err && res[0].of.u32 > 1000, "own param");
  EXPECT_OK(comp_resource_rep(&A.abi, rtH, res[0].of.u32 - 1000, &rep));
  CHECK(rep == 4242, "own param landed in the guest table");
  EXPECT_OK(comp_resource_drop(&A.abi, rtH, res[0].of.u32 - 1000));
  /* a trap after the own was moved: the argument is still consumed (no leak, no dtor) */
  oa[0].of.resource = weld_resource_new_own(g_store, rtH, 4343);
  g_host_dtor_calls = 0;
  EXPECT_TRAP(comp_call_export(&L, fo, &A.abi, &A.opts, A.trap, oa, 2, res, 1, &err), "unreachable");
  CHECK(g_host_dtor_calls == 0 && A.abi.poisoned, "trapped call consumed its own argument");
  A.abi.poisoned = false;
  /* a borrow the callee keeps past the call traps (Task.return_) */
  comp_typeid_t fb = T_func(1, (comp_typeid_t[]){T_handle(false, resH)}, COMP_NO_TYPE);
  weld_resource_t *hb = weld_resource_new_borrow(g_store, rtH, 9);
  weld_cval_t ba;
  memset(&ba, 0, sizeof ba);
  ba.kind = WELD_CK_BORROW;
  ba.of.resource = hb;
  EXPECT_TRAP(comp_call_export(&L, fb, &A.abi, &A.opts, A.dtor, &ba, 1, NULL, 0, &err), "borrow handles still remain");
  CHECK(A.abi.poisoned, "a trap poisons the instance");
  EXPECT_TRAP(comp_call_export(&L, f17, &A.abi, &A.opts, A.sum17, args, 17, res, 1, &err), "trapped earlier");
  A.abi.poisoned = false;
  /* ... but a borrow of the callee's own resource is just its rep */
  comp_typeid_t fba = T_func(1, (comp_typeid_t[]){T_handle(false, resA)}, COMP_NO_TYPE);
  weld_resource_t *ab = weld_resource_new_borrow(g_store, rtA, 11);
  ba.of.resource = ab;
  int32_t dtors = gget(A.dtors);
  EXPECT_OK(comp_call_export(&L, fba, &A.abi, &A.opts, A.dtor, &ba, 1, NULL, 0, &err));
  CHECK(gget(A.last) == 11 && gget(A.dtors) == dtors + 1, "borrow of own resource passes the rep");
  weld_resource_drop(g_store, ab, NULL);
  weld_resource_drop(g_store, hb, NULL);
  /* traps and reentrance */
  comp_typeid_t f0 = T_func(0, NULL, COMP_NO_TYPE);
  EXPECT_TRAP(comp_call_export(&L, f0, &A.abi, &A.opts, A.trap, NULL, 0, NULL, 0, &err), "unreachable");
  A.abi.poisoned = false;
  A.abi.on_stack = true;
  EXPECT_TRAP(comp_call_export(&L, f0, &A.abi, &A.opts, A.trap, NULL, 0, NULL, 0, &err), "already on the call stack");
  A.abi.on_stack = false;
  /* a result that is a bad string traps after the call */
  comp_typeid_t fr = T_func(0, NULL, COMP_PRIM_STRING);
  memcpy(gmem(&A) + 16, &(uint32_t[]){0xfffffff0u, 100}, 8);
  EXPECT_TRAP(comp_call_export(&L, fr, &A.abi, &A.opts, A.ret_ptr, NULL, 0, res, 1, &err), "out of bounds");
  CHECK(res[0].kind == 0, "no result after a trap");
  A.abi.poisoned = false;
}

/* ---------------------------------------------------------------- guest -> host */

static int g_host_calls;
static weld_trap_t *host_upper(void *env, const weld_cval_t *args, size_t nargs, weld_cval_t *results, size_t nres) {
  (void)env;
  g_host_calls++;
  if (nargs != 2 || nres != 1 || args[0].kind != WELD_CK_STRING || args[1].kind != WELD_CK_BORROW ||
      !args[1].of.resource->in_call || args[1].of.resource->rep != 31 || results[0].kind != WELD_CK_STRING)
    return weld_trap_new(WELD_TRAP_HOST, "host_upper: unexpected arguments");
  char buf[64];
  size_t n = args[0].of.str.len < 63 ? args[0].of.str.len : 63;
  for (size_t i = 0; i < n; i++) {
    char c = args[0].of.str.ptr[i];
    buf[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
  }
  weld_cval_string(&results[0], buf, n);
  return NULL;
}
static weld_trap_t *host_bad(void *env, const weld_cval_t *args, size_t nargs, weld_cval_t *results, size_t nres) {
  (void)env, (void)args, (void)nargs, (void)nres;
  results[0] = V_u32(1);
  return NULL;
}

static void test_host_calls(void) {
  guest_reset(&A);
  comp_typeid_t ft = T_func(2, (comp_typeid_t[]){COMP_PRIM_STRING, T_handle(false, resA)}, COMP_PRIM_STRING);
  memcpy(gmem(&A) + 300, "abc", 3);
  uint32_t h = new_handle(&A, rtA, 31);
  core_slot_t slots[4] = {{.u64 = 300}, {.u64 = 3}, {.u64 = h}, {.u64 = 64}};
  g_host_calls = 0;
  EXPECT_OK(comp_call_host(&L, ft, &A.abi, &A.opts, slots, host_upper, NULL));
  uint32_t p, n;
  memcpy(&p, gmem(&A) + 64, 4);
  memcpy(&n, gmem(&A) + 68, 4);
  CHECK(g_host_calls == 1 && n == 3 && memcmp(gmem(&A) + p, "ABC", 3) == 0, "host result through the out-param");
  CHECK(A.abi.table.v[h].num_lends == 0, "lend released after the host call");
  EXPECT_TRAP(comp_call_host(&L, ft, &A.abi, &A.opts, slots, host_bad, NULL), "wrong type");
  A.abi.may_leave = false;
  EXPECT_TRAP(comp_call_host(&L, ft, &A.abi, &A.opts, slots, host_upper, NULL), "cannot leave");
  A.abi.may_leave = true;
  slots[0].u64 = 0xffffff00u;
  g_host_calls = 0;
  EXPECT_TRAP(comp_call_host(&L, ft, &A.abi, &A.opts, slots, host_upper, NULL), "out of bounds");
  CHECK(g_host_calls == 0, "host not called after a lifting trap");
  slots[0].u64 = 300;
  slots[2].u64 = 77;
  EXPECT_TRAP(comp_call_host(&L, ft, &A.abi, &A.opts, slots, host_upper, NULL), "unknown handle index 77");
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, h));
}

/* ---------------------------------------------------------------- guest -> guest */

static weld_trap_t *callee_drop_borrow(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                                       weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)results, (void)nresults;
  return comp_resource_drop(&B.abi, rtA, (uint32_t)args[0].of.i32);
}
static weld_trap_t *callee_make_own(void *env, weld_caller_t *caller, const weld_val_t *args, size_t nargs,
                                    weld_val_t *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  uint32_t i = 0;
  weld_trap_t *t = comp_resource_new(&B.abi, rtA, 88, &i);
  results[0] = weld_val_i32((int32_t)i);
  return t;
}

static void test_guest_calls(void) {
  comp_typeid_t fs = T_func(1, (comp_typeid_t[]){COMP_PRIM_STRING}, COMP_PRIM_STRING);
  comp_abi_opts_t ob = B.opts;
  ob.post_return = B.post_return;
  comp_abi_side_t sa = {&L, fs, &A.abi, &A.opts}, sb = {&L, fs, &B.abi, &ob};
  static const char *const strs[] = {"", "plain ascii", "caf\xc3\xa9 \xc3\xbf", "\xe6\x97\xa5\xe6\x9c\xac",
                                     "\xf0\x9f\x98\x80\xf0\x9f\x98\x81 x"};
  const uint8_t encs[3] = {COMP_UTF8, COMP_UTF16, COMP_LATIN1_UTF16};
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++)
      for (int i = 0; i < 5; i++) {
        guest_reset(&A);
        guest_reset(&B);
        A.opts.string_encoding = encs[a];
        ob.string_encoding = encs[b];
        comp_abi_cx_t ca = gcx(&A, &L, NULL);
        weld_cval_t s = V_str(strs[i]), r;
        core_slot_t slots[17];
        memset(slots, 0, sizeof slots);
        EXPECT_OK(comp_lower_flat(&ca, COMP_PRIM_STRING, &s, slots));
        slots[2].u64 = 64; /* caller's return area */
        int32_t post = gget(B.post);
        EXPECT_OK(comp_call_guest(&sa, &sb, B.echo_str, slots));
        core_slot_t rp = {.u64 = 64};
        comp_typeid_t st = COMP_PRIM_STRING;
        EXPECT_OK(comp_lift_values(&ca, COMP_MAX_FLAT_RESULTS, &st, 1, &rp, 1, &r));
        CHECK(cval_eq(&s, &r) && gget(B.post) == post + 1 && !B.abi.on_stack, "guest call %d/%d string %d", a, b, i);
        weld_cval_drop(&r);
        weld_cval_drop(&s);
      }
  A.opts.string_encoding = COMP_UTF8;
  /* 17 parameters: the caller's tuple in memory -> a realloc'd tuple in the callee */
  comp_typeid_t u32s[17];
  for (int i = 0; i < 17; i++) u32s[i] = COMP_PRIM_U32;
  comp_typeid_t f17 = T_func(17, u32s, COMP_PRIM_U32);
  comp_abi_side_t a17 = {&L, f17, &A.abi, &A.opts}, b17 = {&L, f17, &B.abi, &B.opts};
  for (uint32_t i = 0; i < 17; i++) memcpy(gmem(&A) + 512 + 4 * i, &(uint32_t){i + 1}, 4);
  core_slot_t slots[17] = {{.u64 = 512}};
  EXPECT_OK(comp_call_guest(&a17, &b17, B.sum17, slots));
  CHECK(slots[0].u32 == 153, "guest call with 17 params: %u", slots[0].u32);
  slots[0].u64 = 514;
  EXPECT_TRAP(comp_call_guest(&a17, &b17, B.sum17, slots), "aligned");
  B.abi.poisoned = false;
  /* own handle moved A -> B */
  comp_typeid_t fo = T_func(2, (comp_typeid_t[]){T_handle(true, resA), COMP_PRIM_U32}, COMP_PRIM_U32);
  comp_abi_side_t ao = {&L, fo, &A.abi, &A.opts}, bo = {&L, fo, &B.abi, &B.opts};
  uint32_t h = new_handle(&A, rtA, 71), rep;
  core_slot_t s2[17] = {{.u64 = h}, {.u64 = 1000}};
  EXPECT_OK(comp_call_guest(&ao, &bo, B.add2, s2));
  EXPECT_TRAP(comp_resource_rep(&A.abi, rtA, h, &rep), "unknown handle");
  EXPECT_OK(comp_resource_rep(&B.abi, rtA, s2[0].u32 - 1000, &rep));
  CHECK(rep == 71, "own moved to the callee");
  EXPECT_OK(comp_resource_drop(&B.abi, rtA, s2[0].u32 - 1000));
  /* borrow lent A -> B: the callee must drop it */
  weld_valkind_t i32 = WELD_I32;
  weld_functype_t *ft1 = weld_functype_new(&i32, 1, NULL, 0), *ft0 = weld_functype_new(NULL, 0, &i32, 1);
  weld_func_t *drop_borrow = weld_func_new(g_store, ft1, callee_drop_borrow, NULL, NULL);
  weld_func_t *make_own = weld_func_new(g_store, ft0, callee_make_own, NULL, NULL);
  comp_typeid_t fb = T_func(1, (comp_typeid_t[]){T_handle(false, resA)}, COMP_NO_TYPE);
  comp_abi_side_t ab = {&L, fb, &A.abi, &A.opts}, bb = {&L, fb, &B.abi, &B.opts};
  h = new_handle(&A, rtA, 72);
  core_slot_t s3[17] = {{.u64 = h}};
  EXPECT_OK(comp_call_guest(&ab, &bb, drop_borrow, s3));
  CHECK(A.abi.table.v[h].num_lends == 0, "lend over when the call returns");
  s3[0].u64 = h;
  EXPECT_TRAP(comp_call_guest(&ab, &bb, B.dtor, s3), "borrow handles still remain");
  CHECK(B.abi.poisoned && A.abi.table.v[h].num_lends == 0, "callee poisoned, caller's lend released");
  B.abi.poisoned = false;
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, h));
  /* own result B -> A */
  comp_typeid_t fr = T_func(0, NULL, T_handle(true, resA));
  comp_abi_side_t ar = {&L, fr, &A.abi, &A.opts}, br = {&L, fr, &B.abi, &B.opts};
  core_slot_t s4[17];
  memset(s4, 0, sizeof s4);
  EXPECT_OK(comp_call_guest(&ar, &br, make_own, s4));
  EXPECT_OK(comp_resource_rep(&A.abi, rtA, s4[0].u32, &rep));
  CHECK(rep == 88, "own result moved to the caller");
  EXPECT_OK(comp_resource_drop(&A.abi, rtA, s4[0].u32));
  /* reentrance and may_leave */
  B.abi.on_stack = true;
  EXPECT_TRAP(comp_call_guest(&ar, &br, make_own, s4), "already on the call stack");
  B.abi.on_stack = false;
  A.abi.may_leave = false;
  EXPECT_TRAP(comp_call_guest(&ar, &br, make_own, s4), "cannot leave");
  A.abi.may_leave = true;
  weld_functype_delete(ft1);
  weld_functype_delete(ft0);
}

int main(void) {
  fixture_init();
  types_init();
  comp_layouts_init(&L, &g_T);
  guest_init(&A, COMP_UTF8);
  guest_init(&B, COMP_UTF8);
  A.abi.resource_type = B.abi.resource_type = resolve;
  rtA = comp_rtype_new_guest(&A.abi, A.dtor, "ra");
  rtA2 = comp_rtype_new_guest(&A.abi, NULL, "ra2");
  rtH = weld_resource_type_new("host-thing", host_dtor, NULL);
  resA = bind_resource(rtA);
  resA2 = bind_resource(rtA2);
  resH = bind_resource(rtH);
  (void)resA2;
  test_numbering();
  test_lending();
  test_dtors();
  test_export_calls();
  test_host_calls();
  test_guest_calls();
  guest_free(&A);
  guest_free(&B);
  comp_rtype_unref(rtA);
  comp_rtype_unref(rtA2);
  weld_resource_type_delete(rtH);
  comp_layouts_free(&L);
  types_free();
  fixture_free();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail ? 1 : 0;
}
