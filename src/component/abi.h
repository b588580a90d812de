/* abi.h — the Canonical ABI (design/mvp/CanonicalABI.md; executable definition
 * design/mvp/canonical-abi/definitions.py), synchronous subset: the interface the
 * component runtime (crt: instantiation, linking, weld_cfunc_call, trampolines) uses for
 * every lift, lower, component-to-component call and resource built-in.
 *
 * Files (every function names its definitions.py counterpart in a comment):
 *   layout.c     despecialize, alignment, elem_size, field offsets, discriminant sizes,
 *                flat counts — computed once per type id (comp_layouts_t)
 *   lower.c      weld_cval_t -> flat core values / linear memory (lower_flat, store, lower_flat_values)
 *   lift.c       flat core values / linear memory -> weld_cval_t (lift_flat, load, lift_flat_values)
 *   strings.c    utf8 / utf16 / latin1+utf16: validate, decode, encode, transcode (load_string_from_range,
 *                store_string_into_range and the store_* transcoders)
 *   resources.c  per-instance handle tables (Table, ResourceHandle), own/borrow, lending and borrow
 *                scopes, resource.new/drop/rep, destructors; the public weld_resource_type_* and
 *                weld_resource_* handle functions of weld/component.h
 *   transfer.c   component -> component calls without weld_cval_t (canon_lower of a canon_lift):
 *                values copied from one instance's memory/flat values straight into the other's
 *   call.c       the three call paths glued together: host -> guest export (canon_lift),
 *                guest -> host import (canon_lower), may_leave / reentrance / post-return
 *   cval.c       the public weld_cval_* builders (string/items/box/flags/drop/clone) of
 *                weld/component.h (weld_cval_check is crt's: it maps weld_ctype_t to a type id and
 *                calls comp_cval_check)
 *
 * Conventions.
 *   - Every function that runs guest-visible semantics returns weld_trap_t * (NULL = success;
 *     WELD_TRAP_COMPONENT with a message saying what broke, or the trap of a guest function
 *     it called: realloc, post-return, destructors).  Host misuse is a weld_error_t * instead
 *     (comp_cval_check).  Nothing here crashes on hostile guest data: every pointer and
 *     length read from a guest is checked in 64-bit arithmetic against the memory size.
 *   - Linear memory is re-read through opts->memory after every call into wasm (a realloc
 *     may grow it).  Little-endian host only (static assertion in layout.c).
 *   - Types are comp_typeid_t of one component's type arena (types.h); the layouts of that
 *     arena (comp_layouts_t) travel in the context.  Aliases (copies of nodes) are fine.
 *   - Floats: lifting to a weld_cval_t canonicalizes NaNs (definitions.py decode_i32_as_float /
 *     canonicalize_nan32/64, still in the current text); lowering passes the host's bits
 *     through (maybe_scramble_nan32/64 allows any NaN in the non-deterministic profile), and
 *     component-to-component transfer copies the bits (= canonicalize then scramble).
 *   - Flags: bits beyond the declared labels are ignored on lift (unpack_flags_from_int) and
 *     never produced on lower.  bool: any nonzero byte/i32 lifts to true.  Integers lifted
 *     from flat i32/i64 are wrapped to their width (lift_flat_unsigned/signed).
 *
 * Threading: a comp_layouts_t may be shared by instances in several stores/threads; all
 * other objects here belong to one store and are used by one thread at a time. */
#ifndef WELD_COMPONENT_ABI_H
#define WELD_COMPONENT_ABI_H
#include "base/vec.h"
#include "component/component.h"
#include "component/types.h"
#include "core/runtime.h"
#include "weld/component.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef COMP_MAX_FLAT_PARAMS
#define COMP_MAX_FLAT_PARAMS 16 /* definitions.py MAX_FLAT_PARAMS */
#endif
#ifndef COMP_MAX_FLAT_RESULTS
#define COMP_MAX_FLAT_RESULTS 1 /* definitions.py MAX_FLAT_RESULTS */
#endif
#define COMP_UTF16_TAG 0x80000000u               /* definitions.py UTF16_TAG */
#define COMP_MAX_STRING_BYTE_LENGTH 0x7fffffffu  /* definitions.py MAX_STRING_BYTE_LENGTH */
#define COMP_MAX_HANDLE_INDEX (WELD_MAX_HANDLES - 1) /* definitions.py Table.MAX_LENGTH */

/* ======================================================================= layout.c */

/* Despecialized kinds (definitions.py `despecialize`: tuple -> record, enum/option/result ->
 * variant). */
typedef enum comp_lkind {
  COMP_LK_BOOL = 0, COMP_LK_S8, COMP_LK_U8, COMP_LK_S16, COMP_LK_U16, COMP_LK_S32, COMP_LK_U32,
  COMP_LK_S64, COMP_LK_U64, COMP_LK_F32, COMP_LK_F64, COMP_LK_CHAR, COMP_LK_STRING, /* = comp_prim_t */
  COMP_LK_LIST, COMP_LK_RECORD, COMP_LK_VARIANT, COMP_LK_FLAGS, COMP_LK_OWN, COMP_LK_BORROW,
  COMP_LK_NONE /* not a value type */
} comp_lkind_t;

enum {
  COMP_LF_PLAIN = 1,  /* bytes can be copied verbatim between memories: integers and floats,
                         records of them without padding (lists of these move with memcpy) */
  COMP_LF_PTR = 2,    /* contains a string or list */
  COMP_LF_HANDLE = 4, /* contains own or borrow */
  COMP_LF_BORROW = 8, /* contains borrow */
};

typedef struct comp_layout {
  uint8_t lkind;        /* comp_lkind_t */
  uint8_t kind;         /* comp_tkind_t of the node (tuple/enum/option/result stay visible) */
  uint8_t align;        /* alignment */
  uint8_t disc;         /* VARIANT: discriminant bytes (discriminant_type) 1/2/4; FLAGS: elem_size_flags */
  uint8_t flags;        /* COMP_LF_* */
  uint32_t size;        /* elem_size */
  uint32_t nflat;       /* len(flatten_type(t)), saturating at UINT32_MAX */
  uint32_t payload;     /* VARIANT: payload offset (align_to(disc, max_case_alignment)) */
  uint32_t n;           /* RECORD: fields; VARIANT: cases; FLAGS: labels; LIST/OWN/BORROW: 1 */
  const comp_typeid_t *members; /* RECORD: field types; VARIANT: case types (COMP_NO_TYPE = none;
                                   NULL for an enum: no case has a payload); LIST: [elem] */
  const uint32_t *offsets;      /* RECORD: byte offset of each field */
  uint32_t rid;         /* OWN/BORROW: resource identity of the handle's resource type */
  _Atomic uint8_t ready; /* (layout.c) 1 once the entry is complete */
} comp_layout_t;

/* Layouts of the types of one type arena, computed on first use into blocks that never move,
 * so that lookups take no lock (a directory of blocks, replaced when it grows; computed
 * entries are published with a release store).  Computing new entries takes `lock`. */
typedef struct comp_layout_dir comp_layout_dir_t; /* layout.c */
typedef struct comp_layouts {
  const comp_types_t *T;
  _Atomic(comp_layout_dir_t *) dir;
  comp_layout_dir_t *retired; /* older directories, freed with the cache */
  comp_arena_t arena;         /* members/offsets arrays */
  pthread_mutex_t lock;
} comp_layouts_t;

/* Sets up an empty cache for T (the arena must outlive it); false on OOM. */
bool comp_layouts_init(comp_layouts_t *L, const comp_types_t *T);
void comp_layouts_free(comp_layouts_t *L);
/* The layout of value type id (computed with all its children if needed).  NULL only on out
 * of memory or if id is not a value type. */
const comp_layout_t *comp_layout(comp_layouts_t *L, comp_typeid_t id);
/* Number of flat values of a parameter list / the result, saturating (flatten_types). */
uint32_t comp_flat_count(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n);
/* The layout of tuple(ts) (definitions.py lift_heap_values/lower_heap_values): alignment, size,
 * offsets[i] (caller array of n).  false on OOM. */
bool comp_tuple_layout(comp_layouts_t *L, const comp_typeid_t *ts, uint32_t n, uint32_t *offsets, uint32_t *size,
                       uint32_t *align);
/* The weld_cval_t kind for a value of type id (WELD_CK_*), 0 if not a value type. */
weld_ckind_t comp_cval_kind(comp_layouts_t *L, comp_typeid_t id);
/* The size of one element of an ARRAY value of element kind k (s8..u64, f32, f64), or 0
 * if k is not a number kind. */
static inline size_t comp_number_size(weld_ckind_t k) {
  switch (k) {
  case WELD_CK_S8: case WELD_CK_U8: return 1;
  case WELD_CK_S16: case WELD_CK_U16: return 2;
  case WELD_CK_S32: case WELD_CK_U32: case WELD_CK_F32: return 4;
  case WELD_CK_S64: case WELD_CK_U64: case WELD_CK_F64: return 8;
  default: return 0;
  }
}
static inline uint32_t comp_align_to(uint32_t x, uint32_t a) { return (x + a - 1) & ~(a - 1); } /* align_to */

/* ======================================================================= runtime state */

/* definitions.py CanonicalOptions (sync subset).  memory/realloc NULL when absent. */
typedef struct comp_abi_opts {
  weld_memory_t *memory;
  weld_func_t *realloc;
  weld_func_t *post_return;
  uint8_t string_encoding; /* comp_string_encoding_t: COMP_UTF8, COMP_UTF16, COMP_LATIN1_UTF16 */
} comp_abi_opts_t;

typedef struct comp_abi_inst comp_abi_inst_t;
typedef struct comp_abi_call comp_abi_call_t;

/* A resource type at run time (definitions.py ResourceType): defined by the host
 * (weld_resource_type_new: host dtor) or by a component instance (`impl`, with an optional
 * guest destructor core function).  Reference-counted: handles in tables and weld_resource_t
 * objects hold references. */
struct weld_resource_type {
  char *name;                              /* for messages ("host-defined resource" if none) */
  comp_abi_inst_t *impl;                   /* defining instance; NULL for a host type */
  weld_func_t *dtor;                       /* guest destructor (func (param i32)), may be NULL */
  void (*host_dtor)(void *env, uint32_t rep);
  void *env;
  _Atomic uint32_t refs;
};
/* A guest-defined resource type for instance impl (one per `(type (resource ...))` definition
 * per instance).  dtor may be NULL.  Returns a new reference (NULL on OOM). */
weld_resource_type_t *comp_rtype_new_guest(comp_abi_inst_t *impl, weld_func_t *dtor, const char *name);
void comp_rtype_ref(weld_resource_type_t *rt);
void comp_rtype_unref(weld_resource_type_t *rt); /* = weld_resource_type_delete */
/* "host-defined resource `name`" / "guest-defined resource", for messages */
void comp_rtype_describe(const weld_resource_type_t *rt, char *buf, size_t n);

/* One handle table slot (definitions.py ResourceHandle).  rt == NULL: free slot. */
typedef struct comp_handle {
  weld_resource_type_t *rt;
  uint32_t rep;
  bool own;
  uint32_t num_lends;
  comp_abi_call_t *borrow_scope; /* borrow: the call (Task) it was lent to */
} comp_handle_t;

/* definitions.py Table: index 0 reserved, free indices reused last-freed first. */
typedef struct comp_handles {
  comp_handle_t *v;   /* v[0] unused */
  uint32_t len, cap;  /* len = len(array) including slot 0 */
  VEC(uint32_t) free;
} comp_handles_t;

/* The Canonical ABI state of one component instance (definitions.py ComponentInstance).
 * crt embeds one per component instance (nested ones included), comp_abi_inst_init it, and
 * sets resource_type so that lift/lower can map the resource identities (rid) of the
 * instance's types to run-time types. */
struct comp_abi_inst {
  weld_store_t *store;
  comp_handles_t table;
  bool may_leave;  /* false while lowering into this instance (its realloc may not call out) */
  bool on_stack;   /* a call into this instance is active (Task.trap_if_on_the_stack) */
  bool poisoned;   /* a trap happened while this instance was on the stack: no more entries */
  /* rid (of this instance's type arena) -> run-time type (borrowed; NULL if unknown). */
  weld_resource_type_t *(*resource_type)(void *env, uint32_t rid);
  void *resource_env;
  const char *name; /* for messages (may be NULL) */
};
void comp_abi_inst_init(comp_abi_inst_t *inst, weld_store_t *store);
/* Frees the table (handles still in it are dropped without running destructors). */
void comp_abi_inst_free(comp_abi_inst_t *inst);

/* One call: the borrow scope of definitions.py Task (export side: num_borrows handed to the
 * callee) and Subtask (import side: lenders whose num_lends this call raised), plus the
 * weld_resource_t borrows lifted to the host during the call (released when it ends). */
struct comp_abi_call {
  comp_abi_inst_t *inst;
  uint32_t num_borrows;
  VEC(uint32_t) lenders;                /* indices in inst->table */
  VEC(weld_resource_t *) host_borrows;
};
void comp_abi_call_init(comp_abi_call_t *c, comp_abi_inst_t *inst);
/* Subtask.deliver_resolve (lenders' num_lends -= 1) and release of host borrows; frees c. */
void comp_abi_call_finish_lower(comp_abi_call_t *c);
/* Task.return_/exit: trap if borrows handed to this call were not dropped; frees c. */
weld_trap_t *comp_abi_call_finish_lift(comp_abi_call_t *c);

/* A handle as the host sees it (weld/component.h weld_resource_t): a run-time resource type,
 * a rep and own/borrow.  Lifetime: created by weld_resource_new_*, or by lifting an own/borrow
 * to the host; freed by weld_resource_drop, or (a borrow lifted to a host function) when that
 * host call returns, or by the call that consumes it: lowering an own only marks it `moved`
 * (the value that holds it stays readable), and comp_call_export / comp_call_host free every
 * own handle of the arguments / host results when they return (moved or, after a trap, not).
 * Using it afterwards is a use-after-free, as with any C handle. */
struct weld_resource {
  weld_resource_type_t *rt; /* counted reference */
  uint32_t rep;
  bool own;
  bool in_call;             /* a borrow lifted to a host function: freed with the call */
  bool moved;               /* an own already lowered into a guest (lowering it again traps) */
  weld_store_t *store;
};

/* definitions.py LiftLowerContext. */
typedef struct comp_abi_cx {
  comp_layouts_t *L;          /* layouts of the arena the types come from */
  const comp_abi_opts_t *opts;
  comp_abi_inst_t *inst;
  comp_abi_call_t *call;      /* borrow scope (Task when lowering params into a callee,
                                 Subtask when lifting a caller's params) */
  uint64_t host_budget;       /* most bytes of host values (weld_cval_t elements + string
                                 bytes) one lift may build; 0 = WELD_MAX_CVAL_BYTES */
} comp_abi_cx_t;

/* A WELD_TRAP_COMPONENT trap with a formatted message. */
weld_trap_t *comp_abi_trap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ======================================================================= memory helpers */

/* realloc(old_ptr, old_size, align, new_size) through opts->realloc, checking the result
 * against alignment and the memory size (trap otherwise). */
weld_trap_t *comp_abi_realloc(const comp_abi_cx_t *cx, uint32_t old_ptr, uint32_t old_size, uint32_t align,
                              uint32_t new_size, uint32_t *out);
/* NULL (and a trap in *trap) unless [ptr, ptr+len) lies inside opts->memory. */
uint8_t *comp_abi_mem(const comp_abi_cx_t *cx, uint64_t ptr, uint64_t len, weld_trap_t **trap);

/* ======================================================================= strings.c */

/* A string in guest memory (definitions.py String = (src, encoding, tagged_code_units)). */
typedef struct comp_str {
  const uint8_t *bytes; /* into guest memory or a host buffer */
  uint32_t units;       /* code units (untagged) */
  uint8_t enc;          /* COMP_STR_UTF8, COMP_STR_UTF16 (LE), COMP_STR_LATIN1 */
  uint8_t option;       /* the source's string-encoding option (comp_string_encoding_t): a
                           latin1+utf16 source tagged UTF-16 takes the "probably" path */
} comp_str_t;
enum { COMP_STR_UTF8 = 0, COMP_STR_UTF16, COMP_STR_LATIN1 };

/* load_string_from_range: checks alignment, bounds (64-bit) and the encoding; on success
 * *out points into memory (valid until the next call into wasm). */
weld_trap_t *comp_string_load(const comp_abi_cx_t *cx, uint32_t ptr, uint32_t tagged_units, comp_str_t *out);
/* store_string_into_range: allocates with the context's realloc and transcodes s into the
 * context's encoding; s must be valid (comp_string_load output or checked UTF-8). */
weld_trap_t *comp_string_store(const comp_abi_cx_t *cx, const comp_str_t *s, uint32_t *ptr, uint32_t *tagged_units);
/* Decodes a valid s to newly allocated UTF-8 (base_alloc; *len bytes, NUL-terminated);
 * trap only on OOM. */
weld_trap_t *comp_string_to_utf8(const comp_str_t *s, char **out, size_t *len);
/* Validation with a fast ASCII path (true if well-formed). */
bool comp_utf8_valid(const uint8_t *s, size_t n);
bool comp_utf16_valid(const uint8_t *s, size_t units); /* little-endian, no unpaired surrogates */

/* ======================================================================= lower.c / lift.c */

/* Type check of a host value (host misuse -> error naming the path, e.g. "field `x`: expected u32,
 * found string").  Resources: own/borrow kind, live handle, type identity. */
weld_error_t *comp_cval_check(comp_layouts_t *L, comp_typeid_t id, const weld_cval_t *v,
                              comp_abi_inst_t *inst);

/* Host misuse across several values: the same own weld_resource_t passed twice (it can be
 * moved into a guest only once), or passed as an own and as a borrow. */
weld_error_t *comp_cval_check_moves(const weld_cval_t *vs, size_t n);

/* lower_flat: writes layout->nflat slots at out (zeroing each slot first). */
weld_trap_t *comp_lower_flat(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, core_slot_t *out);
/* store: v at ptr (aligned, inside memory: checked, trap otherwise). */
weld_trap_t *comp_store(const comp_abi_cx_t *cx, comp_typeid_t id, const weld_cval_t *v, uint32_t ptr);
/* lower_flat_values: vs of types ts into out (at most max_flat slots; beyond that the tuple is
 * stored in memory: at out_param's pointer if given (results of canon lower), else at a
 * realloc'd pointer passed as the single slot).  Sets inst->may_leave = false meanwhile.
 * *nout = slots written. */
weld_trap_t *comp_lower_values(const comp_abi_cx_t *cx, uint32_t max_flat, const comp_typeid_t *ts, uint32_t n,
                               const weld_cval_t *vs, core_slot_t *out, uint32_t *nout, const uint32_t *out_param);

/* lift_flat: reads layout->nflat slots.  On a trap *out is left empty (kind 0). */
weld_trap_t *comp_lift_flat(const comp_abi_cx_t *cx, comp_typeid_t id, const core_slot_t *in, weld_cval_t *out);
/* load */
weld_trap_t *comp_load(const comp_abi_cx_t *cx, comp_typeid_t id, uint32_t ptr, weld_cval_t *out);
/* lift_flat_values: n values of types ts from nin slots (a single pointer slot when the flat
 * count exceeds max_flat).  On a trap every out[i] is left empty. */
weld_trap_t *comp_lift_values(const comp_abi_cx_t *cx, uint32_t max_flat, const comp_typeid_t *ts, uint32_t n,
                              const core_slot_t *in, uint32_t nin, weld_cval_t *out);

/* cval.c: weld_cval_drop that also frees the weld_resource_t of own handles inside (values
 * lifted from a guest and discarded, or values whose owns were lowered into a guest). */
void comp_cval_discard(weld_cval_t *v);
/* Frees the weld_resource_t of every own handle inside v (not v itself). */
void comp_cval_free_owns(const weld_cval_t *v);

/* ======================================================================= resources.c */

/* canon resource.new / resource.drop / resource.rep (definitions.py canon_resource_*).  rt is
 * the run-time type the built-in was defined with. */
weld_trap_t *comp_resource_new(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t rep, uint32_t *out);
weld_trap_t *comp_resource_drop(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t index);
weld_trap_t *comp_resource_rep(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t index, uint32_t *out);

/* Handle-level operations used by lift/lower/transfer (definitions.py lift_own, lift_borrow,
 * lower_own, lower_borrow).  rt: the run-time type the value's type names. */
weld_trap_t *comp_handle_lift_own(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t index, uint32_t *rep);
weld_trap_t *comp_handle_lift_borrow(comp_abi_inst_t *inst, comp_abi_call_t *subtask, weld_resource_type_t *rt,
                                     uint32_t index, uint32_t *rep);
weld_trap_t *comp_handle_lower_own(comp_abi_inst_t *inst, weld_resource_type_t *rt, uint32_t rep, uint32_t *index);
weld_trap_t *comp_handle_lower_borrow(comp_abi_inst_t *inst, comp_abi_call_t *task, weld_resource_type_t *rt,
                                      uint32_t rep, uint32_t *index);
/* Frees a weld_resource_t (no destructor: the resource lives on in a guest or is abandoned). */
void comp_resource_consume(weld_resource_t *r);
/* A weld_resource_t for a handle lifted to the host; a borrow (own == false) is owned by
 * `call` and released by comp_abi_call_finish_lower. */
weld_trap_t *comp_resource_to_host(weld_store_t *store, comp_abi_call_t *call, weld_resource_type_t *rt,
                                   uint32_t rep, bool own, weld_resource_t **out);
/* The run-time type of handle type id (own/borrow) as seen by inst; trap if unknown. */
weld_trap_t *comp_handle_rtype(const comp_abi_cx_t *cx, const comp_layout_t *l, weld_resource_type_t **out);
/* Runs rt's destructor for rep (host callback, or the guest dtor entering rt->impl). */
weld_trap_t *comp_resource_run_dtor(weld_store_t *store, weld_resource_type_t *rt, uint32_t rep);

/* ======================================================================= call.c */

/* Entering an instance for a call (Task.enter, sync): trap if poisoned or already on the
 * stack; comp_abi_leave clears on_stack.  The call paths set inst->poisoned after a trap in
 * the callee. */
weld_trap_t *comp_abi_enter(comp_abi_inst_t *inst);
void comp_abi_leave(comp_abi_inst_t *inst);

/* Host -> guest (weld_cfunc_call of a `canon lift`ed function; definitions.py canon_lift).
 * ft: the COMP_T_FUNC type in L's arena.  args are checked with comp_cval_check first (error
 * returned in *err, nothing run, nothing consumed).  On success results[0..nresults) are
 * filled (owned by the caller), then post-return runs.  Once the call started (success or
 * trap), the weld_resource_t of every own handle in args is consumed (freed): moved into the
 * guest, or abandoned by the trap. */
weld_trap_t *comp_call_export(comp_layouts_t *L, comp_typeid_t ft, comp_abi_inst_t *inst, const comp_abi_opts_t *opts,
                              weld_func_t *callee, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                              size_t nresults, weld_error_t **err);

/* Guest -> host (a `canon lower`ed host function, called from the core trampoline;
 * definitions.py canon_lower).  slots holds the core arguments (the lowered signature, then
 * the return-area pointer when the result does not fit one flat value) and receives the core
 * results.  fn gets the lifted arguments (the values are freed after it returns, except the
 * weld_resource_t of own handles, which now belong to the host; borrows end with the call)
 * and fills results (kinds preset; own handles in them are consumed); a result of the wrong
 * type becomes a trap. */
typedef weld_trap_t *(*comp_host_call_fn_t)(void *env, const weld_cval_t *args, size_t nargs, weld_cval_t *results,
                                            size_t nresults);
weld_trap_t *comp_call_host(comp_layouts_t *L, comp_typeid_t ft, comp_abi_inst_t *inst, const comp_abi_opts_t *opts,
                            core_slot_t *slots, comp_host_call_fn_t fn, void *env);

/* ======================================================================= transfer.c */

/* One side of a component -> component call. */
typedef struct comp_abi_side {
  comp_layouts_t *L;
  comp_typeid_t ft;           /* COMP_T_FUNC in L's arena (both sides' types are equal) */
  comp_abi_inst_t *inst;
  const comp_abi_opts_t *opts;
} comp_abi_side_t;

/* Guest -> guest: the caller's `canon lower` of the callee's `canon lift` (canon_lower +
 * canon_lift): slots holds the caller's core arguments (lowered signature) and receives its
 * core results; parameters and results are copied directly between the two memories and
 * handle tables, then the callee's post-return runs.  slots must have room for
 * max(caller params, callee params, 17) slots. */
weld_trap_t *comp_call_guest(const comp_abi_side_t *caller, const comp_abi_side_t *callee, weld_func_t *callee_func,
                             core_slot_t *slots);

/* Single-value transfers (used by comp_call_guest; exposed for tests): src and dst contexts
 * with the same type in their arenas. */
weld_trap_t *comp_transfer_flat(const comp_abi_cx_t *src, comp_typeid_t sid, const core_slot_t *in,
                                const comp_abi_cx_t *dst, comp_typeid_t did, core_slot_t *out);
weld_trap_t *comp_transfer_mem(const comp_abi_cx_t *src, comp_typeid_t sid, uint32_t sptr, const comp_abi_cx_t *dst,
                               comp_typeid_t did, uint32_t dptr);

#endif
