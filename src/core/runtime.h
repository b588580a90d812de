/* runtime.h — run-time objects of core WebAssembly (core spec §4.2 "Runtime Structure")
 * and the interface between the runtime (store.c, instance.c, memory.c, table.c, global.c,
 * func.c, trap.c, module_api.c) and the execution engine (compile.c, interp.c).
 *
 * Ownership: a store owns every runtime object created in it (vectors below) and frees them
 * in weld_store_delete.  A weld_module_t owns its decoded module and compiled code and is
 * reference-counted by the instances made from it. */
#ifndef WELD_CORE_RUNTIME_H
#define WELD_CORE_RUNTIME_H
#include "base/limits.h"
#include "core/module.h"
#include "weld.h"
#include <pthread.h>
#include <stdatomic.h>

/* A value slot of the interpreter's value stack: 8 bytes; a v128 occupies two consecutive
 * slots (low 8 bytes first).  References are pointers: a funcref is a core_func_t * (NULL
 * for null), an externref is the embedder's void * (NULL for null). */
typedef union core_slot {
  int32_t i32;
  uint32_t u32;
  int64_t i64;
  uint64_t u64;
  float f32;
  double f64;
  void *ref;
} core_slot_t;

/* Number of slots a value of type t occupies. */
static inline uint32_t core_slots_of(uint8_t t) { return t == VT_V128 ? 2 : 1; }

typedef struct core_compiled_func core_compiled_func_t; /* defined by compile.c */
typedef struct core_thread core_thread_t;               /* defined by interp.c */

/* ---------------------------------------------------------------- engine */
struct weld_engine {
  weld_config_t config;
  /* Canonical function types: equal types get equal ids, so call_indirect compares ids. */
  pthread_mutex_t types_lock;
  core_functype_t *canon_types; /* canon_types[id] */
  uint32_t ncanon, canon_cap;
  uint32_t *type_buckets;       /* open-addressing hash of canon ids (UINT32_MAX = empty) */
  uint32_t nbuckets;            /* power of two, > 2 * ncanon */
  /* Guard-page reservations of freed memories, kept for reuse (memory.c): zeroed, with
   * [0, rw) readable and writable, the rest inaccessible. */
  pthread_mutex_t pool_lock;
  struct core_pooled_mem { uint8_t *base; size_t rw; } pool[WELD_MEMORY_POOL];
  uint32_t npool;
};
/* Unmaps the pooled reservations (weld_engine_delete). */
void core_memory_pool_drain(weld_engine_t *e);
/* Returns the engine-wide id of type t (interning a copy). UINT32_MAX on OOM. */
uint32_t core_engine_type_id(weld_engine_t *e, const core_functype_t *t);
/* Effective configuration values (defaults applied). */
size_t core_engine_stack_slots(const weld_engine_t *e);
uint32_t core_engine_call_depth(const weld_engine_t *e);

/* ---------------------------------------------------------------- module */
struct weld_module {
  weld_engine_t *engine;
  core_module_t *m;               /* decoded */
  uint32_t *type_ids;             /* engine type id of each of m->types */
  /* Compiled body of each defined function (m->ncodes entries).  weld_module_new allocates
   * the array zeroed before calling core_compile_module, which fills the entries;
   * core_module_release calls core_compiled_func_free on every non-NULL entry. */
  core_compiled_func_t **code;
  /* Public views of m->types (api_types[i]->t shares m->types[i]'s arrays), for reflection
   * and weld_func_type.  Built once in weld_module_new (one allocation) rather than lazily,
   * so the getters never allocate and a module can be shared between threads. */
  weld_functype_t **api_types;
  atomic_uint refs;               /* 1 for the embedder's handle + 1 per instance */
};
void core_module_release(weld_module_t *mod); /* drop one reference */
/* Public view of type index `typeidx` of the module (borrowed, lives with the module). */
const weld_functype_t *core_module_type_view(const weld_module_t *mod, uint32_t typeidx);

/* ---------------------------------------------------------------- functions */
enum { CORE_FUNC_WASM = 0, CORE_FUNC_HOST = 1 };

struct weld_functype { /* public face of core_functype_t */
  core_functype_t t;
};

struct weld_func {
  uint8_t kind;                  /* CORE_FUNC_* */
  uint32_t type_id;              /* engine-wide canonical id */
  const core_functype_t *type;
  weld_store_t *store;
  /* wasm */
  weld_instance_t *inst;         /* defining instance */
  const core_compiled_func_t *code;
  uint32_t index;                /* function index in its module (for trap messages) */
  /* host */
  weld_host_fn_t host;
  /* A slot-level host function (component trampolines, src/component/func.c): when set it
   * is called instead of `host`, with the arguments in slots[0..) (one slot per value) and
   * the results written to slots[0..); slots has room for max(params, results). */
  weld_trap_t *(*raw)(void *env, weld_caller_t *caller, core_slot_t *slots);
  void *env;
  void (*finalizer)(void *);
  weld_functype_t *owned_type;   /* host: the type copy this function owns */
};
void core_host_func_free(weld_func_t *f); /* runs the finalizer; by weld_store_delete */

/* ---------------------------------------------------------------- memories */
struct weld_memory {
  uint8_t *base;        /* never moves: the whole maximum is reserved up front when guarded */
  uint64_t size;        /* current size in bytes */
  uint64_t max_pages;   /* from the type, capped by the store's limit */
  core_memtype_t type;
  size_t reserved;      /* bytes of address space mapped (including guard region) */
  bool guarded;         /* true: any access to [base, base + 8 GiB) beyond size faults */
  weld_store_t *store;
};
/* memory.grow semantics: returns old size in pages or -1 (type maximum, 65536 pages,
 * reservation, or the store's memory limit exceeded).  New pages are zero. */
int64_t core_memory_grow(weld_memory_t *mem, uint64_t delta_pages);
/* A new memory of type mt in store (counted against the store's memory limit). */
weld_error_t *core_memory_new(weld_store_t *store, const core_memtype_t *mt, weld_memory_t **out);
void core_memory_free(weld_memory_t *mem);
/* For the SIGSEGV/SIGBUS handler: true if addr lies inside the reservation of a guarded
 * memory of `store` (async-signal-safe: reads store->mems only, allocates nothing; the
 * store must be the one executing on this thread, so its vectors are not changing). */
bool core_addr_in_guarded_memory(const weld_store_t *store, const void *addr);
/* Size of the guard reservation: 4 GiB index + 4 GiB offset + 64 KiB (an i32 address plus
 * a u32 memarg offset plus access width always lands inside it). */
#define CORE_GUARD_RESERVE (((size_t)8 << 30) + (size_t)65536 * 2)

/* ---------------------------------------------------------------- tables */
struct weld_table {
  void **elems;         /* funcref: weld_func_t *, externref: void *; NULL is null */
  uint32_t size;
  uint32_t max;         /* from the type (or UINT32_MAX), capped by the store's limit */
  uint8_t elemtype;     /* VT_FUNCREF / VT_EXTERNREF */
  core_tabletype_t type;
  weld_store_t *store;
};
int64_t core_table_grow(weld_table_t *t, uint32_t delta, void *init); /* old size or -1 */
/* A new table of type tt in store, every element init (limits checked against the store). */
weld_error_t *core_table_new(weld_store_t *store, const core_tabletype_t *tt, void *init,
                             weld_table_t **out);
void core_table_free(weld_table_t *t);

/* ---------------------------------------------------------------- globals */
struct weld_global {
  core_slot_t val[2];   /* two slots so a v128 fits */
  core_globaltype_t type;
  weld_store_t *store;
};

/* ---------------------------------------------------------------- instances */
struct weld_instance {
  weld_store_t *store;
  weld_module_t *module;
  const core_module_t *m;
  weld_func_t **funcs;      /* whole function index space */
  weld_table_t **tables;
  weld_memory_t **mems;
  weld_global_t **globals;
  /* Element segments as evaluated reference vectors (dropped => len 0), and data segments
   * (dropped => len 0), for table.init / memory.init / elem.drop / data.drop. */
  void ***elem_refs;
  uint32_t *elem_len;
  uint32_t *data_len;       /* current length of each data segment (0 once dropped) */
  /* Hot copies for the interpreter: memory 0's base (stable) and a pointer to its size. */
  uint8_t *mem0_base;
  weld_memory_t *mem0;
  /* Storage owned by the instance: its defined functions and globals (funcs[] and
   * globals[] point into these blocks for the non-imported entries). */
  weld_func_t *own_funcs;
  weld_global_t *own_globals;
};
void core_instance_free(weld_instance_t *inst); /* by weld_store_delete */

/* ---------------------------------------------------------------- store */
struct weld_store {
  weld_engine_t *engine;
  VEC(weld_func_t *) funcs;
  VEC(weld_memory_t *) mems;
  VEC(weld_table_t *) tables;
  VEC(weld_global_t *) globals;
  VEC(weld_instance_t *) instances;
  /* Execution limits, read by the interpreter. */
  atomic_int interrupt;       /* nonzero: stop with WELD_TRAP_INTERRUPT at the next check */
  bool fuel_enabled;
  uint64_t fuel;
  uint64_t memory_limit;      /* 0 = none */
  uint64_t memory_used;
  uint64_t table_limit;       /* 0 = none */
  core_thread_t *thread;      /* execution state (value stack, frames), created on demand */
  /* Component-model state (src/component/instance.c: component instances, frames), made on
   * first use; weld_store_delete calls cm_state_free(cm_state) before freeing core objects. */
  void *cm_state;
  void (*cm_state_free)(void *state);
};

/* ---------------------------------------------------------------- traps */
struct weld_trap {
  weld_trap_code_t code;
  char *message;
};
/* "msg" or "msg in function $name (func N)" when func is known. Never NULL (static OOM trap). */
weld_trap_t *core_trap_new(weld_trap_code_t code, const weld_func_t *func, const char *msg);
const char *core_trap_default_message(weld_trap_code_t code);

/* ---------------------------------------------------------------- execution engine */
/* compile.c: validate every function body of mod->m and translate it to interpreter code.
 * On success fills mod->code. */
weld_error_t *core_compile_module(weld_module_t *mod);
void core_compiled_func_free(core_compiled_func_t *f);

/* interp.c: call f (wasm or host) with args in slots[0..) (the parameters' slots in order);
 * on success the results are in slots[0..).  slots must have room for
 * max(param slots, result slots).  Returns NULL or a trap. */
weld_trap_t *core_call(weld_store_t *store, weld_func_t *f, core_slot_t *slots);
void core_thread_free(core_thread_t *t);

/* Conversions between public values and slots (func.c). */
void core_val_to_slots(const weld_val_t *v, core_slot_t *s);
void core_slots_to_val(const core_slot_t *s, uint8_t type, weld_val_t *v);
/* Public value kinds <-> binary value types (val.c).  core_valkind_to_type returns 0 for
 * an unknown kind; core_type_to_valkind expects a valid value type (WELD_I32 otherwise). */
uint8_t core_valkind_to_type(weld_valkind_t k);
weld_valkind_t core_type_to_valkind(uint8_t t);

#endif
