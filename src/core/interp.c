/* interp.c — the threaded interpreter (core spec §4.4 "Instructions" execution semantics,
 * §4.4.10 function calls) over the internal code of code.h, plus core_call (entering wasm
 * from the embedder or from instantiation) and the weld_caller_* API of host functions.
 *
 * Dispatch is threaded: every handler ends in `goto *pc->h` (computed goto), so there is
 * no central switch.  Wasm-to-wasm calls do not recurse on the C stack: a call pushes a
 * core_frame_t on the thread's frame stack and continues in the same loop; the callee's
 * frame starts at the caller's first argument slot.  Traps leave the loop through one
 * exit (do_trap); the only non-local exit is the guard-page signal path, which jumps
 * back to enter(), outside this function.  Entering from the host (run_wasm) is kept
 * light: see the comments there.
 *
 * Linear memory 0 is accessed through a base address held in a local variable: with guard
 * pages (the _G handlers) an access is base + addr + offset with no check; the _C and _M
 * handlers check explicitly.  Integer results are also left in the local `acc` and f64
 * results in `dacc`, which the _A operand forms read (code.h "Accumulator forms").
 * Handlers are generated from the operation lists of code.h with macros; the SIMD ones
 * come from interp_simd.inc (src/core/gen/gen_simd.py).  Scalar numerics are in
 * interp_num.inc.  Build with -DWELD_INTERP_PROFILE to count executed handlers and handler
 * pairs (printed at exit), the data the superinstructions were chosen from. */
#include "core/code.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/interp_num.inc"
#include "core/opcodes.h"
#include "core/simd.h"

/* A product that must be rounded on its own before the addition that follows it (wasm
 * has no fused multiply-add; GNU C lets the compiler contract a * b + c otherwise). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NO_CONTRACT(x) ({ double nc_ = (x); __asm__("" : "+x"(nc_)); nc_; })
#elif defined(__aarch64__) && (defined(__GNUC__) || defined(__clang__))
#define NO_CONTRACT(x) ({ double nc_ = (x); __asm__("" : "+w"(nc_)); nc_; })
#else
#define NO_CONTRACT(x) ({ volatile double nc_ = (x); (double)nc_; })
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

struct weld_caller {
  weld_store_t *store;
  weld_instance_t *inst;
};

/* ------------------------------------------------------------------ helpers */
static weld_valkind_t kind_of(uint8_t t) {
  switch (t) {
  case VT_I32: return WELD_I32;
  case VT_I64: return WELD_I64;
  case VT_F32: return WELD_F32;
  case VT_F64: return WELD_F64;
  case VT_V128: return WELD_V128;
  case VT_FUNCREF: return WELD_FUNCREF;
  default: return WELD_EXTERNREF;
  }
}

static uint32_t type_slots(const uint8_t *types, uint32_t n) {
  uint32_t s = 0;
  for (uint32_t i = 0; i < n; i++) s += core_slots_of(types[i]);
  return s;
}

/* Calls host function f with arguments in slots[..]; results go to slots[0..). */
static weld_trap_t *call_host(weld_store_t *store, weld_instance_t *caller_inst, weld_func_t *f,
                              core_slot_t *slots) {
  if (f->raw) { /* slot-level host function (runtime.h weld_func_t.raw) */
    struct weld_caller rc = {store, caller_inst};
    return f->raw(f->env, &rc, slots);
  }
  const core_functype_t *ty = f->type;
  uint32_t np = ty->nparams, nr = ty->nresults;
  weld_val_t abuf[8], rbuf[8];
  weld_val_t *args = abuf, *res = rbuf;
  if (np > 8) args = base_alloc(sizeof(weld_val_t) * np);
  if (nr > 8) res = base_alloc(sizeof(weld_val_t) * nr);
  weld_trap_t *trap = NULL;
  if (!args || !res) {
    trap = core_trap_new(WELD_TRAP_OUT_OF_MEMORY, NULL, "out of memory calling a host function");
    goto out;
  }
  const uint8_t *pt = core_ft_params(ty), *rt = core_ft_results(ty);
  uint32_t off = 0;
  for (uint32_t i = 0; i < np; i++) {
    core_slots_to_val(slots + off, pt[i], &args[i]);
    off += core_slots_of(pt[i]);
  }
  for (uint32_t i = 0; i < nr; i++) {
    memset(&res[i], 0, sizeof res[i]);
    res[i].kind = kind_of(rt[i]);
  }
  struct weld_caller caller = {store, caller_inst};
  trap = f->host(f->env, &caller, args, np, res, nr);
  if (!trap) {
    off = 0;
    for (uint32_t i = 0; i < nr; i++) {
      if (res[i].kind != kind_of(rt[i])) {
        trap = core_trap_new(WELD_TRAP_HOST, NULL, "host function returned a result of the wrong type");
        break;
      }
      core_val_to_slots(&res[i], slots + off);
      off += core_slots_of(rt[i]);
    }
  }
out:
  if (args && args != abuf) base_free(args, sizeof(weld_val_t) * np);
  if (res && res != rbuf) base_free(res, sizeof(weld_val_t) * nr);
  return trap;
}

/* Interrupt / fuel check (function entry and loop back-edges).  Returns a trap code or 0. */
static int poll_slow(weld_store_t *s) {
  if (atomic_load_explicit(&s->interrupt, memory_order_relaxed)) return WELD_TRAP_INTERRUPT;
  if (s->fuel_enabled) {
    if (s->fuel == 0) return WELD_TRAP_OUT_OF_FUEL;
    s->fuel--;
  }
  return 0;
}

/* Bounds check for bulk memory/table operations: [off, off+n) within size. */
static inline bool range_ok(uint64_t off, uint64_t n, uint64_t size) { return off <= size && n <= size - off; }

/* Code compiled for guard pages (the engine's default) cannot run against a memory 0
 * whose guard reservation was refused by the OS (memory.c then falls back to an unguarded
 * memory): such an instance runs the bounds-checked variant of its module's code
 * (core_compiled_checked), chosen at every entry into it (from the host, and calls through
 * imports and tables; direct calls stay within the variant). */
static inline bool needs_checked(const core_compiled_func_t *cf, const weld_instance_t *inst) {
  return cf->guarded && inst->mem0 && !inst->mem0->guarded;
}
#define CHECKED_OOM_MSG "out of memory compiling the bounds-checked variant of the module's code"

static const void *const *g_handlers;
static core_cell_t g_exit_code[1];
/* The instance of the bottom dummy frame: returning to it reads mem0_base (NULL). */
static weld_instance_t g_dummy_inst;

/* The function running in frame fr (for trap messages). */
static const weld_func_t *frame_func(const core_frame_t *fr) {
  if (!fr->cf || !fr->inst || !fr->inst->funcs) return NULL;
  return fr->inst->funcs[fr->cf->func_index];
}

#ifdef WELD_INTERP_PROFILE
/* Development aid (build with -DWELD_INTERP_PROFILE): counts executed handlers and
 * handler pairs, printed at exit; used to choose superinstructions. */
#define PROF_N 2048
static uint64_t g_prof[PROF_N], g_prof_pair[PROF_N][PROF_N];
_Static_assert(XOP__COUNT <= PROF_N, "enlarge PROF_N");
static int g_prof_prev = -1;
static const void *g_prof_keys[4096];
static int g_prof_vals[4096];
static void prof_dump(void);
/* Executions per instruction address (core_code_dump prints them). */
#define PROF_PCS (1u << 20)
static const void *g_prof_pc_key[PROF_PCS];
static uint64_t g_prof_pc_val[PROF_PCS];
static uint64_t *prof_pc_slot(const void *pc, bool add) {
  size_t k = ((uintptr_t)pc >> 3) & (PROF_PCS - 1);
  while (g_prof_pc_key[k] != pc) {
    if (!g_prof_pc_key[k]) {
      if (!add) return NULL;
      g_prof_pc_key[k] = pc;
      break;
    }
    k = (k + 1) & (PROF_PCS - 1);
  }
  return &g_prof_pc_val[k];
}
static void prof_count(const void *pc_) {
  const void *h = *(const void *const *)pc_;
  (*prof_pc_slot(pc_, true))++;
  size_t k = ((uintptr_t)h >> 2) & 4095;
  while (g_prof_keys[k] != h) {
    if (!g_prof_keys[k]) {
      const void *const *t = core_interp_handlers();
      int x = 0;
      while (x < XOP__COUNT && t[x] != h) x++;
      if (x == XOP__COUNT) return; /* exit stub etc. */
      g_prof_keys[k] = h;
      g_prof_vals[k] = x;
      if (g_prof_prev == -1) atexit(prof_dump);
      break;
    }
    k = (k + 1) & 4095;
  }
  int x = g_prof_vals[k];
  g_prof[x]++;
  if (g_prof_prev >= 0) g_prof_pair[g_prof_prev][x]++;
  g_prof_prev = x;
}
#endif

/* ------------------------------------------------------------------ the interpreter */
/* GCC only: its SLP vectorizer pairs the spill slots of two pointers into one 16-byte store
 * that it then repeats in hot handlers (return), and the interpreter has nothing to
 * vectorize; and handlers start at cache-line boundaries (align-labels), which makes the
 * front end's work per dispatch independent of where the linker happens to put each
 * handler (measured: unaligned, the same code ran a tight loop up to 40% slower or faster
 * from one build to the next; aligned, 5% faster on the bench kernels' geometric mean). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-slp-vectorize", "align-labels=64")))
#endif
static weld_trap_t *interp(core_thread_t *t, core_frame_t *fsp, const core_cell_t *pc, core_slot_t *fp,
                           weld_instance_t *inst) {
  static const void *const labels[] = {
#define X_BIN(N) &&L_##N##_SS, &&L_##N##_SI, &&L_##N##_AS, &&L_##N##_SA, &&L_##N##_AI,
      CORE_IBINOPS(X_BIN)
#undef X_BIN
#define X_CMPBR(N) &&L_BR_##N##_SS, &&L_BR_##N##_SI, &&L_BRB_##N##_SS, &&L_BRB_##N##_SI,
      CORE_ICMPS(X_CMPBR)
#undef X_CMPBR
#define X_FBIN(N) &&L_##N##_SS,
      CORE_FBINOPS(X_FBIN)
#undef X_FBIN
#define X_UN(N) &&L_##N,
      CORE_UNOPS(X_UN)
#undef X_UN
#define X_MEM(N) &&L_##N##_G, &&L_##N##_C, &&L_##N##_M,
      CORE_LOADS(X_MEM) CORE_STORES(X_MEM)
#undef X_MEM
#define X_MISC(N, F) &&L_##N,
      CORE_MISC_XOPS(X_MISC)
#undef X_MISC
#define X_MEMA(N) &&L_##N##_AI_G, &&L_##N##_AI_C, &&L_##N##_AS_G, &&L_##N##_AS_C,
      CORE_LOADS(X_MEMA) CORE_STORES(X_MEMA)
#undef X_MEMA
#define X_STK(N) &&L_##N##_K_G, &&L_##N##_K_C, &&L_##N##_K_M,
      CORE_STORES(X_STK)
#undef X_STK
#define X_INCB(N) &&L_INCB_##N##_SS, &&L_INCB_##N##_SI,
      CORE_ICMPS32(X_INCB)
#undef X_INCB
      &&L_MOV_MOV,
#define X_FIMM(N) &&L_##N##_SI, &&L_##N##_IS,
      CORE_FIMMOPS(X_FIMM)
#undef X_FIMM
#define X_LOP(N) &&L_##N##_SL,
      CORE_LOADOPS(X_LOP)
#undef X_LOP
#define X_LDA(N) &&L_##N##_A_G, &&L_##N##_A_C,
      CORE_LOADS(X_LDA)
#undef X_LDA
#define X_STA(N) &&L_##N##_VA_G, &&L_##N##_VA_C,
      CORE_STORES(X_STA)
#undef X_STA
      &&L_STORE64_VD_G, &&L_STORE64_VD_C,
#define X_DACC(N) &&L_##N##_AS, &&L_##N##_SA, &&L_##N##_AI, &&L_##N##_IA, &&L_##N##_AL,
      CORE_DACCOPS(X_DACC)
#undef X_DACC
#define X_SHOP(O, S) &&L_##O##_##S##_SS, &&L_##O##_##S##_AS, &&L_##O##_##S##_SA, &&L_##O##_##S##_AA,
      CORE_SHOPS(X_SHOP)
#undef X_SHOP
      &&L_MOV3, &&L_I32_ADD2,
      &&L_BR_NZ_A, &&L_BR_NZ_A_BACK, &&L_BR_Z_A, &&L_BR_Z_A_BACK,
#define X_FU(N, F) &&L_##N,
      CORE_FUSED_XOPS(X_FU)
#undef X_FU
#define X_INCBS(N) &&L_INCBS_##N##_SS, &&L_INCBS_##N##_SI,
      CORE_ICMPS32(X_INCBS)
#undef X_INCBS
#define X_LDX(N) &&L_##N##_X_G,
      CORE_LOADS(X_LDX)
#undef X_LDX
#define X_BRL(N) &&L_BRL32_##N##_SS, &&L_BRL32_##N##_SI, &&L_BRL8_##N##_SS, &&L_BRL8_##N##_SI,
      CORE_ICMPS32(X_BRL)
#undef X_BRL
#define X_S(N, F) &&L_S_##N,
      CORE_SIMD_XOPS(X_S)
#undef X_S
  };
  _Static_assert(sizeof labels / sizeof labels[0] == XOP__COUNT, "handler table out of step with core_xop_t");
  if (!t) {
    g_exit_code[0].h = labels[XOP_EXIT];
    __atomic_store_n(&g_handlers, labels, __ATOMIC_RELEASE);
    return NULL;
  }

  weld_store_t *const store = t->store;
  core_slot_t *const stack_end = t->stack_end;
  core_frame_t *const frames_end = t->frames_end;
  uint8_t *mbase = inst->mem0_base;
  uint64_t acc = 0;  /* the last integer result (see code.h "Accumulator forms") */
  double dacc = 0;   /* the last f64 result */
  int tcode = 0;
  weld_func_t *callee;
  core_slot_t *nfp, *zq = NULL; /* zq, zn: locals still to zero (ENTER_DISPATCH) */
  uint32_t zn = 0;
  const core_cell_t *ret_pc;

#define R(x) fp[x]
#define OPND(F) const F *i = (const F *)(const void *)pc
#ifdef WELD_INTERP_PROFILE
#define PROF() prof_count(pc)
#else
#define PROF() (void)0
#endif
#define NEXT(F)                                                                          \
  do {                                                                                   \
    pc = (const core_cell_t *)(const void *)((const char *)pc + sizeof(F));              \
    PROF();                                                                              \
    goto *pc->h;                                                                         \
  } while (0)
#define JUMP(off)                                                                        \
  do {                                                                                   \
    pc = (const core_cell_t *)(const void *)((const char *)pc + (int32_t)(off));         \
    PROF();                                                                              \
    goto *pc->h;                                                                         \
  } while (0)
/* Interrupt / fuel check at loop back-edges and function entries.  The fast path ends in
 * its own dispatch and the rare one goes to the shared poll_dispatch block, so no hot path
 * falls through into a join point (with aligned labels, see interp(), such a join costs
 * padding executed on every pass). */
#define POLL_FLAGS() (atomic_load_explicit(&store->interrupt, memory_order_relaxed) | store->fuel_enabled)
#define POLL_PENDING() UNLIKELY(POLL_FLAGS())
#define POLL_DISPATCH()                                                                  \
  do {                                                                                   \
    if (POLL_PENDING()) goto poll_dispatch;                                              \
    PROF();                                                                              \
    goto *pc->h;                                                                         \
  } while (0)
#define POLL_JUMP(off)                                                                   \
  do {                                                                                   \
    pc = (const core_cell_t *)(const void *)((const char *)pc + (int32_t)(off));         \
    POLL_DISPATCH();                                                                     \
  } while (0)
/* Entering a function: its declared locals start at zero (§4.4.10): n slots at z, four
 * stored unconditionally (code.h CORE_ZERO_SLOTS); more locals, and a pending interrupt
 * or fuel, take the shared enter_slow block, so the common path dispatches directly. */
#define ENTER_DISPATCH(z, n)                                                             \
  do {                                                                                   \
    core_slot_t *z_ = (z);                                                               \
    uint32_t n_ = (n);                                                                   \
    z_[0].u64 = 0;                                                                       \
    z_[1].u64 = 0;                                                                       \
    z_[2].u64 = 0;                                                                       \
    z_[3].u64 = 0;                                                                       \
    if (UNLIKELY((n_ > CORE_ZERO_SLOTS) | POLL_FLAGS())) {                               \
      zq = z_;                                                                           \
      zn = n_;                                                                           \
      goto enter_slow;                                                                   \
    }                                                                                    \
    PROF();                                                                              \
    goto *pc->h;                                                                         \
  } while (0)
_Static_assert(CORE_ZERO_SLOTS == 4, "ENTER_DISPATCH stores four slots");
/* Return to the caller's frame (the callee's results are in place). */
#define DO_RET()                                                                         \
  do {                                                                                   \
    pc = fsp->pc;                                                                        \
    fp = fsp->fp;                                                                        \
    fsp--;                                                                               \
    inst = fsp->inst;                                                                    \
    t->fsp = fsp;                                                                        \
    mbase = inst->mem0_base;                                                             \
    PROF();                                                                              \
    goto *pc->h;                                                                         \
  } while (0)
#define TRAP(code)                                                                       \
  do {                                                                                   \
    tcode = (code);                                                                      \
    goto do_trap;                                                                        \
  } while (0)

  goto *pc->h;

  /* ---------------------------------------------------------------- integer binops */
#define SEM_I32_ADD(a, b) ((a) + (b))
#define SEM_I32_SUB(a, b) ((a) - (b))
#define SEM_I32_MUL(a, b) ((a) * (b))
#define SEM_I32_DIV_S(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    if (UNLIKELY((a) == 0x80000000u && (b) == 0xffffffffu)) TRAP(WELD_TRAP_INTEGER_OVERFLOW); \
    num_div_s32(a, b);                                                                   \
  })
#define SEM_I32_DIV_U(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    (a) / (b);                                                                           \
  })
#define SEM_I32_REM_S(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    num_rem_s32(a, b);                                                                   \
  })
#define SEM_I32_REM_U(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    (a) % (b);                                                                           \
  })
#define SEM_I32_AND(a, b) ((a) & (b))
#define SEM_I32_OR(a, b) ((a) | (b))
#define SEM_I32_XOR(a, b) ((a) ^ (b))
#define SEM_I32_SHL(a, b) ((a) << ((b) & 31))
#define SEM_I32_SHR_S(a, b) num_shr_s32(a, b)
#define SEM_I32_SHR_U(a, b) ((a) >> ((b) & 31))
#define SEM_I32_ROTL(a, b) num_rotl32(a, b)
#define SEM_I32_ROTR(a, b) num_rotr32(a, b)
#define SEM_I32_EQ(a, b) ((a) == (b))
#define SEM_I32_NE(a, b) ((a) != (b))
#define SEM_I32_LT_S(a, b) ((int32_t)(a) < (int32_t)(b))
#define SEM_I32_LT_U(a, b) ((a) < (b))
#define SEM_I32_GT_S(a, b) ((int32_t)(a) > (int32_t)(b))
#define SEM_I32_GT_U(a, b) ((a) > (b))
#define SEM_I32_LE_S(a, b) ((int32_t)(a) <= (int32_t)(b))
#define SEM_I32_LE_U(a, b) ((a) <= (b))
#define SEM_I32_GE_S(a, b) ((int32_t)(a) >= (int32_t)(b))
#define SEM_I32_GE_U(a, b) ((a) >= (b))
#define SEM_I64_ADD(a, b) ((a) + (b))
#define SEM_I64_SUB(a, b) ((a) - (b))
#define SEM_I64_MUL(a, b) ((a) * (b))
#define SEM_I64_DIV_S(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    if (UNLIKELY((a) == 0x8000000000000000ull && (b) == ~(uint64_t)0)) TRAP(WELD_TRAP_INTEGER_OVERFLOW); \
    num_div_s64(a, b);                                                                   \
  })
#define SEM_I64_DIV_U(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    (a) / (b);                                                                           \
  })
#define SEM_I64_REM_S(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    num_rem_s64(a, b);                                                                   \
  })
#define SEM_I64_REM_U(a, b)                                                              \
  ({                                                                                     \
    if (UNLIKELY((b) == 0)) TRAP(WELD_TRAP_INTEGER_DIVIDE_BY_ZERO);                      \
    (a) % (b);                                                                           \
  })
#define SEM_I64_AND(a, b) ((a) & (b))
#define SEM_I64_OR(a, b) ((a) | (b))
#define SEM_I64_XOR(a, b) ((a) ^ (b))
#define SEM_I64_SHL(a, b) ((a) << ((b) & 63))
#define SEM_I64_SHR_S(a, b) num_shr_s64(a, b)
#define SEM_I64_SHR_U(a, b) ((a) >> ((b) & 63))
#define SEM_I64_ROTL(a, b) num_rotl64(a, b)
#define SEM_I64_ROTR(a, b) num_rotr64(a, b)
#define SEM_I64_EQ(a, b) ((a) == (b))
#define SEM_I64_NE(a, b) ((a) != (b))
#define SEM_I64_LT_S(a, b) ((int64_t)(a) < (int64_t)(b))
#define SEM_I64_LT_U(a, b) ((a) < (b))
#define SEM_I64_GT_S(a, b) ((int64_t)(a) > (int64_t)(b))
#define SEM_I64_GT_U(a, b) ((a) > (b))
#define SEM_I64_LE_S(a, b) ((int64_t)(a) <= (int64_t)(b))
#define SEM_I64_LE_U(a, b) ((a) <= (b))
#define SEM_I64_GE_S(a, b) ((int64_t)(a) >= (int64_t)(b))
#define SEM_I64_GE_U(a, b) ((a) >= (b))

#define H_BINF(N, T, F, FMT, XE, YE)                                                     \
  {                                                                                      \
    OPND(FMT);                                                                           \
    T a = (XE), b = (YE);                                                                \
    T r_ = (T)SEM_##N(a, b);                                                             \
    R(i->a).u64 = r_;                                                                    \
    acc = r_;                                                                            \
    NEXT(FMT);                                                                           \
  }
#define H_BIN(N, T, F)                                                                   \
  L_##N##_SS : H_BINF(N, T, F, core_i4_t, R(i->b).F, R(i->c).F)                          \
  L_##N##_SI : H_BINF(N, T, F, core_i2k_t, R(i->b).F, (T)i->k)                           \
  L_##N##_AS : H_BINF(N, T, F, core_i4_t, (T)acc, R(i->c).F)                             \
  L_##N##_SA : H_BINF(N, T, F, core_i4_t, R(i->b).F, (T)acc)                             \
  L_##N##_AI : H_BINF(N, T, F, core_i2k_t, (T)acc, (T)i->k)
#define H_BIN32(N) H_BIN(N, uint32_t, u32)
#define H_BIN64(N) H_BIN(N, uint64_t, u64)
  CORE_IBINOPS32(H_BIN32)
  CORE_IBINOPS64(H_BIN64)

  /* ---------------------------------------------------------------- compare + branch */
#define H_CMPBR(N, T, F)                                                                 \
  L_BR_##N##_SS : {                                                                      \
    OPND(core_i4_t);                                                                     \
    T a = R(i->a).F, b = R(i->b).F;                                                      \
    if (SEM_##N(a, b)) JUMP(i->c);                                                       \
    NEXT(core_i4_t);                                                                     \
  }                                                                                      \
  L_BR_##N##_SI : {                                                                      \
    OPND(core_i2k_t);                                                                    \
    T a = R(i->a).F, b = (T)i->k;                                                        \
    if (SEM_##N(a, b)) JUMP(i->b);                                                       \
    NEXT(core_i2k_t);                                                                    \
  }                                                                                      \
  L_BRB_##N##_SS : {                                                                     \
    OPND(core_i4_t);                                                                     \
    T a = R(i->a).F, b = R(i->b).F;                                                      \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->c);                                                                   \
    }                                                                                    \
    NEXT(core_i4_t);                                                                     \
  }                                                                                      \
  L_BRB_##N##_SI : {                                                                     \
    OPND(core_i2k_t);                                                                    \
    T a = R(i->a).F, b = (T)i->k;                                                        \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->b);                                                                   \
    }                                                                                    \
    NEXT(core_i2k_t);                                                                    \
  }
#define H_CMPBR32(N) H_CMPBR(N, uint32_t, u32)
#define H_CMPBR64(N) H_CMPBR(N, uint64_t, u64)
  CORE_ICMPS32(H_CMPBR32)
  CORE_ICMPS64(H_CMPBR64)

  /* ---------------------------------------------------------------- float binops */
#define H_FARITH(N, T, F, expr)                                                          \
  L_##N##_SS : {                                                                         \
    OPND(core_i4_t);                                                                     \
    T a = R(i->b).F, b = R(i->c).F;                                                      \
    T r = (expr);                                                                        \
    core_slot_t s;                                                                       \
    s.u64 = 0;                                                                           \
    s.F = r;                                                                             \
    R(i->a) = s;                                                                         \
    SET_DACC(r);                                                                         \
    NEXT(core_i4_t);                                                                     \
  }
/* f64 results also go to dacc; f32 results do not (no f32 accumulator forms). */
#define SET_DACC(r) (sizeof(r) == 8 ? (void)(dacc = (double)(r)) : (void)0)
#define H_FBITS(N, T, F, expr)                                                           \
  L_##N##_SS : {                                                                         \
    OPND(core_i4_t);                                                                     \
    T a = R(i->b).F, b = R(i->c).F;                                                      \
    acc = (expr);                                                                        \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i4_t);                                                                     \
  }
  H_FARITH(F32_ADD, float, f32, a + b)
  H_FARITH(F32_SUB, float, f32, a - b)
  H_FARITH(F32_MUL, float, f32, a * b)
  H_FARITH(F32_DIV, float, f32, a / b)
  H_FARITH(F32_MIN, float, f32, num_f32_min(a, b))
  H_FARITH(F32_MAX, float, f32, num_f32_max(a, b))
  H_FBITS(F32_COPYSIGN, uint32_t, u32, num_f32_copysign(a, b))
  H_FBITS(F32_EQ, float, f32, (uint64_t)(a == b))
  H_FBITS(F32_NE, float, f32, (uint64_t)(a != b))
  H_FBITS(F32_LT, float, f32, (uint64_t)(a < b))
  H_FBITS(F32_GT, float, f32, (uint64_t)(a > b))
  H_FBITS(F32_LE, float, f32, (uint64_t)(a <= b))
  H_FBITS(F32_GE, float, f32, (uint64_t)(a >= b))
  H_FARITH(F64_ADD, double, f64, a + b)
  H_FARITH(F64_SUB, double, f64, a - b)
  H_FARITH(F64_MUL, double, f64, a * b)
  H_FARITH(F64_DIV, double, f64, a / b)
  H_FARITH(F64_MIN, double, f64, num_f64_min(a, b))
  H_FARITH(F64_MAX, double, f64, num_f64_max(a, b))
  H_FBITS(F64_COPYSIGN, uint64_t, u64, num_f64_copysign(a, b))
  H_FBITS(F64_EQ, double, f64, (uint64_t)(a == b))
  H_FBITS(F64_NE, double, f64, (uint64_t)(a != b))
  H_FBITS(F64_LT, double, f64, (uint64_t)(a < b))
  H_FBITS(F64_GT, double, f64, (uint64_t)(a > b))
  H_FBITS(F64_LE, double, f64, (uint64_t)(a <= b))
  H_FBITS(F64_GE, double, f64, (uint64_t)(a >= b))

  /* ---------------------------------------------------------------- unary ops
   * U(N, in-field, in-type, out-expression producing the slot's u64 bits) */
#define H_UN(N, T, F, expr)                                                              \
  L_##N : {                                                                              \
    OPND(core_i2_t);                                                                     \
    T x = R(i->b).F;                                                                     \
    acc = (expr);                                                                        \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i2_t);                                                                     \
  }
#define H_UNF32(N, T, F, expr)                                                           \
  L_##N : {                                                                              \
    OPND(core_i2_t);                                                                     \
    T x = R(i->b).F;                                                                     \
    R(i->a).u64 = num_f32_bits(expr);                                                    \
    NEXT(core_i2_t);                                                                     \
  }
#define H_UNF64(N, T, F, expr)                                                           \
  L_##N : {                                                                              \
    OPND(core_i2_t);                                                                     \
    T x = R(i->b).F;                                                                     \
    dacc = (expr);                                                                       \
    R(i->a).u64 = num_f64_bits(dacc);                                                    \
    NEXT(core_i2_t);                                                                     \
  }
#define H_TRUNC(N, T, F, IT, fn)                                                         \
  L_##N : {                                                                              \
    OPND(core_i2_t);                                                                     \
    T x = R(i->b).F;                                                                     \
    IT r;                                                                                \
    if (UNLIKELY((tcode = fn(x, &r)) != 0)) goto do_trap;                                \
    acc = sizeof(IT) == 4 ? (uint64_t)(uint32_t)r : (uint64_t)r;                         \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i2_t);                                                                     \
  }
  H_UN(I32_EQZ, uint32_t, u32, x == 0)
  H_UN(I32_CLZ, uint32_t, u32, num_clz32(x))
  H_UN(I32_CTZ, uint32_t, u32, num_ctz32(x))
  H_UN(I32_POPCNT, uint32_t, u32, num_popcnt32(x))
  H_UN(I64_EQZ, uint64_t, u64, x == 0)
  H_UN(I64_CLZ, uint64_t, u64, num_clz64(x))
  H_UN(I64_CTZ, uint64_t, u64, num_ctz64(x))
  H_UN(I64_POPCNT, uint64_t, u64, num_popcnt64(x))
  H_UN(F32_ABS, uint32_t, u32, num_f32_abs(x))
  H_UN(F32_NEG, uint32_t, u32, num_f32_neg(x))
  H_UNF32(F32_CEIL, float, f32, num_f32_ceil(x))
  H_UNF32(F32_FLOOR, float, f32, num_f32_floor(x))
  H_UNF32(F32_TRUNC, float, f32, num_f32_trunc(x))
  H_UNF32(F32_NEAREST, float, f32, num_f32_nearest(x))
  H_UNF32(F32_SQRT, float, f32, sqrtf(x))
  H_UN(F64_ABS, uint64_t, u64, num_f64_abs(x))
  H_UN(F64_NEG, uint64_t, u64, num_f64_neg(x))
  H_UNF64(F64_CEIL, double, f64, num_f64_ceil(x))
  H_UNF64(F64_FLOOR, double, f64, num_f64_floor(x))
  H_UNF64(F64_TRUNC, double, f64, num_f64_trunc(x))
  H_UNF64(F64_NEAREST, double, f64, num_f64_nearest(x))
  H_UNF64(F64_SQRT, double, f64, sqrt(x))
  H_UN(I32_WRAP_I64, uint64_t, u64, (uint32_t)x)
  H_TRUNC(I32_TRUNC_F32_S, float, f32, int32_t, num_i32_trunc_f32_s)
  H_TRUNC(I32_TRUNC_F32_U, float, f32, uint32_t, num_i32_trunc_f32_u)
  H_TRUNC(I32_TRUNC_F64_S, double, f64, int32_t, num_i32_trunc_f64_s)
  H_TRUNC(I32_TRUNC_F64_U, double, f64, uint32_t, num_i32_trunc_f64_u)
  H_UN(I64_EXTEND_I32_S, int32_t, i32, (uint64_t)(int64_t)x)
  H_UN(I64_EXTEND_I32_U, uint32_t, u32, (uint64_t)x)
  H_TRUNC(I64_TRUNC_F32_S, float, f32, int64_t, num_i64_trunc_f32_s)
  H_TRUNC(I64_TRUNC_F32_U, float, f32, uint64_t, num_i64_trunc_f32_u)
  H_TRUNC(I64_TRUNC_F64_S, double, f64, int64_t, num_i64_trunc_f64_s)
  H_TRUNC(I64_TRUNC_F64_U, double, f64, uint64_t, num_i64_trunc_f64_u)
  H_UNF32(F32_CONVERT_I32_S, int32_t, i32, (float)x)
  H_UNF32(F32_CONVERT_I32_U, uint32_t, u32, (float)x)
  H_UNF32(F32_CONVERT_I64_S, int64_t, i64, (float)x)
  H_UNF32(F32_CONVERT_I64_U, uint64_t, u64, (float)x)
  H_UNF32(F32_DEMOTE_F64, double, f64, (float)x)
  H_UNF64(F64_CONVERT_I32_S, int32_t, i32, (double)x)
  H_UNF64(F64_CONVERT_I32_U, uint32_t, u32, (double)x)
  H_UNF64(F64_CONVERT_I64_S, int64_t, i64, (double)x)
  H_UNF64(F64_CONVERT_I64_U, uint64_t, u64, (double)x)
  H_UNF64(F64_PROMOTE_F32, float, f32, (double)x)
  H_UN(I32_EXTEND8_S, uint32_t, u32, (uint32_t)(int32_t)(int8_t)(uint8_t)x)
  H_UN(I32_EXTEND16_S, uint32_t, u32, (uint32_t)(int32_t)(int16_t)(uint16_t)x)
  H_UN(I64_EXTEND8_S, uint64_t, u64, (uint64_t)(int64_t)(int8_t)(uint8_t)x)
  H_UN(I64_EXTEND16_S, uint64_t, u64, (uint64_t)(int64_t)(int16_t)(uint16_t)x)
  H_UN(I64_EXTEND32_S, uint64_t, u64, (uint64_t)(int64_t)(int32_t)(uint32_t)x)
  H_UN(I32_TRUNC_SAT_F32_S, float, f32, (uint32_t)num_i32_trunc_sat_f32_s(x))
  H_UN(I32_TRUNC_SAT_F32_U, float, f32, num_i32_trunc_sat_f32_u(x))
  H_UN(I32_TRUNC_SAT_F64_S, double, f64, (uint32_t)num_i32_trunc_sat_f64_s(x))
  H_UN(I32_TRUNC_SAT_F64_U, double, f64, num_i32_trunc_sat_f64_u(x))
  H_UN(I64_TRUNC_SAT_F32_S, float, f32, (uint64_t)num_i64_trunc_sat_f32_s(x))
  H_UN(I64_TRUNC_SAT_F32_U, float, f32, num_i64_trunc_sat_f32_u(x))
  H_UN(I64_TRUNC_SAT_F64_S, double, f64, (uint64_t)num_i64_trunc_sat_f64_s(x))
  H_UN(I64_TRUNC_SAT_F64_U, double, f64, num_i64_trunc_sat_f64_u(x))

  /* ---------------------------------------------------------------- memory access
   * Effective address = zero-extended i32 address + u32 offset (fits in 33 bits). */
#define EA_G(addr, off) (mbase + (uint64_t)(addr) + (off))
#define EA_CHECKED(m, addr, off, n)                                                      \
  ({                                                                                     \
    uint64_t ea_ = (uint64_t)(addr) + (off);                                             \
    if (UNLIKELY(ea_ + (n) > (m)->size)) TRAP(WELD_TRAP_MEMORY_OUT_OF_BOUNDS);           \
    (m)->base + ea_;                                                                     \
  })
#define H_LOAD_ONE(N, MODE, T, conv, ptr)                                                \
  L_##N##_##MODE : {                                                                     \
    OPND(core_i4_t);                                                                     \
    const uint8_t *p_ = (ptr);                                                           \
    T v_;                                                                                \
    memcpy(&v_, p_, sizeof v_);                                                          \
    acc = conv(v_);                                                                      \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i4_t);                                                                     \
  }
#define H_LOAD(N, T, conv)                                                               \
  H_LOAD_ONE(N, A_G, T, conv, EA_G((uint32_t)acc, i->c))                                 \
  H_LOAD_ONE(N, A_C, T, conv, EA_CHECKED(inst->mem0, (uint32_t)acc, i->c, sizeof(T)))    \
  H_LOAD_ONE(N, G, T, conv, EA_G(R(i->b).u32, i->c))                                     \
  H_LOAD_ONE(N, C, T, conv, EA_CHECKED(inst->mem0, R(i->b).u32, i->c, sizeof(T)))        \
  H_LOAD_ONE(N, M, T, conv, EA_CHECKED(inst->mems[i->d], R(i->b).u32, i->c, sizeof(T)))
#define CV_U32(v) ((uint64_t)(uint32_t)(v))
#define CV_U64(v) ((uint64_t)(v))
#define CV_S8_32(v) ((uint64_t)(uint32_t)(int32_t)(v))
#define CV_S_64(v) ((uint64_t)(int64_t)(v))
  H_LOAD(I32_LOAD, uint32_t, CV_U32)
  H_LOAD(I64_LOAD, uint64_t, CV_U64)
  H_LOAD(I32_LOAD8_S, int8_t, CV_S8_32)
  H_LOAD(I32_LOAD8_U, uint8_t, CV_U64)
  H_LOAD(I32_LOAD16_S, int16_t, CV_S8_32)
  H_LOAD(I32_LOAD16_U, uint16_t, CV_U64)
  H_LOAD(I64_LOAD8_S, int8_t, CV_S_64)
  H_LOAD(I64_LOAD8_U, uint8_t, CV_U64)
  H_LOAD(I64_LOAD16_S, int16_t, CV_S_64)
  H_LOAD(I64_LOAD16_U, uint16_t, CV_U64)
  H_LOAD(I64_LOAD32_S, int32_t, CV_S_64)
  H_LOAD(I64_LOAD32_U, uint32_t, CV_U64)

#define H_STORE_ONE(N, MODE, T, ptr)                                                     \
  L_##N##_##MODE : {                                                                     \
    OPND(core_i4_t);                                                                     \
    T v_ = (T)R(i->b).u64;                                                               \
    uint8_t *p_ = (ptr);                                                                 \
    memcpy(p_, &v_, sizeof v_);                                                          \
    NEXT(core_i4_t);                                                                     \
  }
#define H_STOREV_ONE(N, MODE, T, val, ptr)                                               \
  L_##N##_##MODE : {                                                                     \
    OPND(core_i4_t);                                                                     \
    T v_ = (T)(val);                                                                     \
    uint8_t *p_ = (ptr);                                                                 \
    memcpy(p_, &v_, sizeof v_);                                                          \
    NEXT(core_i4_t);                                                                     \
  }
#define H_STORE(N, T)                                                                    \
  H_STOREV_ONE(N, VA_G, T, acc, EA_G(R(i->a).u32, i->c))                                 \
  H_STOREV_ONE(N, VA_C, T, acc, EA_CHECKED(inst->mem0, R(i->a).u32, i->c, sizeof(T)))    \
  H_STORE_ONE(N, G, T, EA_G(R(i->a).u32, i->c))                                          \
  H_STORE_ONE(N, C, T, EA_CHECKED(inst->mem0, R(i->a).u32, i->c, sizeof(T)))             \
  H_STORE_ONE(N, M, T, EA_CHECKED(inst->mems[i->d], R(i->a).u32, i->c, sizeof(T)))
  H_STORE(STORE8, uint8_t)
  H_STORE(STORE16, uint16_t)
  H_STORE(STORE32, uint32_t)
  H_STORE(STORE64, uint64_t)
  H_STOREV_ONE(STORE64, VD_G, uint64_t, num_f64_bits(dacc), EA_G(R(i->a).u32, i->c))
  H_STOREV_ONE(STORE64, VD_C, uint64_t, num_f64_bits(dacc), EA_CHECKED(inst->mem0, R(i->a).u32, i->c, 8))

  /* ---------------------------------------------------------------- control */
L_UNREACHABLE:
  TRAP(WELD_TRAP_UNREACHABLE);
L_EXIT:
  return NULL;
L_BR : {
  OPND(core_i2_t);
  JUMP(i->a);
}
L_BR_BACK : {
  OPND(core_i2_t);
  POLL_JUMP(i->a);
}
L_BR_NZ : {
  OPND(core_i2_t);
  if (R(i->a).u32) JUMP(i->b);
  NEXT(core_i2_t);
}
L_BR_NZ_BACK : {
  OPND(core_i2_t);
  if (R(i->a).u32) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2_t);
}
L_BR_Z : {
  OPND(core_i2_t);
  if (!R(i->a).u32) JUMP(i->b);
  NEXT(core_i2_t);
}
L_BR_Z_BACK : {
  OPND(core_i2_t);
  if (!R(i->a).u32) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2_t);
}
L_BR_TABLE : {
  OPND(core_i2_t);
  uint32_t k = R(i->a).u32;
  if (k > i->b) k = i->b;
  const int32_t *offs = (const int32_t *)(const void *)(i + 1);
  int32_t off = offs[k];
  if (off < 0) POLL_JUMP(off);
  JUMP(off);
}
L_RET_1 : {
  OPND(core_i2_t);
  acc = R(i->a).u64;
  fp[0].u64 = acc;
  DO_RET();
}
L_RET_K : {
  OPND(core_i2k_t);
  acc = i->k;
  fp[0].u64 = acc;
  DO_RET();
}
L_RET_2 : {
  OPND(core_i2_t);
  core_slot_t lo = R(i->a), hi = R(i->a + 1);
  fp[0] = lo;
  fp[1] = hi;
  DO_RET();
}
L_RET:
  DO_RET();

L_CALL_ADDI : {
  OPND(core_i4k_t);
  R(i->b).u64 = (uint32_t)(R(i->c).u32 + i->d);
  const core_compiled_func_t *cf = (const core_compiled_func_t *)(uintptr_t)i->k;
  nfp = fp + i->a;
  core_frame_t *nf = fsp + 1;
  if (UNLIKELY((nfp + cf->frame_slots > stack_end) | (nf >= frames_end))) TRAP(WELD_TRAP_STACK_EXHAUSTED);
  nf->pc = (const core_cell_t *)(const void *)(i + 1);
  nf->fp = fp;
  nf->inst = inst;
  nf->cf = cf;
  fsp = nf;
  t->fsp = nf;
  fp = nfp;
  pc = cf->code;
  ENTER_DISPATCH(nfp + cf->param_slots, cf->local_slots);
}
L_CALL : {
  OPND(core_i4k_t);
  const core_compiled_func_t *cf = (const core_compiled_func_t *)(uintptr_t)i->k;
  nfp = fp + i->a;
  core_frame_t *nf = fsp + 1;
  /* one branch for both limits (value stack and frame depth) */
  if (UNLIKELY((nfp + cf->frame_slots > stack_end) | (nf >= frames_end))) TRAP(WELD_TRAP_STACK_EXHAUSTED);
  nf->pc = (const core_cell_t *)(const void *)(i + 1);
  nf->fp = fp;
  nf->inst = inst;
  nf->cf = cf;
  fsp = nf;
  t->fsp = nf;
  fp = nfp;
  pc = cf->code;
  ENTER_DISPATCH(nfp + i->b, i->c);
}
L_CALL_IMPORT : {
  OPND(core_i2_t);
  callee = inst->funcs[i->b];
  nfp = fp + i->a;
  ret_pc = (const core_cell_t *)(const void *)(i + 1);
  goto call_any;
}
L_CALL_INDIRECT : {
  OPND(core_i4_t);
  weld_table_t *tab = inst->tables[i->c];
  uint32_t k = R(i->d).u32;
  if (UNLIKELY(k >= tab->size)) TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  callee = (weld_func_t *)tab->elems[k];
  if (UNLIKELY(!callee)) TRAP(WELD_TRAP_UNINITIALIZED_ELEMENT);
  if (UNLIKELY(callee->type_id != i->b)) TRAP(WELD_TRAP_INDIRECT_CALL_TYPE);
  nfp = fp + i->a;
  ret_pc = (const core_cell_t *)(const void *)(i + 1);
  goto call_any;
}
call_any:
  if (callee->kind == CORE_FUNC_HOST) {
    uint32_t ps = type_slots(core_ft_params(callee->type), callee->type->nparams);
    uint32_t rs = type_slots(core_ft_results(callee->type), callee->type->nresults);
    core_slot_t *top = nfp + (ps > rs ? ps : rs);
    if (UNLIKELY(top > stack_end)) TRAP(WELD_TRAP_STACK_EXHAUSTED);
    t->fsp = fsp;
    core_slot_t *saved_top = t->top;
    t->top = top;
    t->in_wasm = 0;
    weld_trap_t *ht = call_host(store, inst, callee, nfp);
    t->in_wasm = 1;
    t->top = saved_top;
    if (ht) return ht;
    pc = ret_pc;
    PROF();
    goto *pc->h;
  } else {
    const core_compiled_func_t *cf = callee->code;
    if (UNLIKELY(needs_checked(cf, callee->inst))) {
      cf = core_compiled_checked(cf);
      if (!cf) {
        t->fsp = fsp;
        return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, callee, CHECKED_OOM_MSG);
      }
    }
    if (UNLIKELY(nfp + cf->frame_slots > stack_end || fsp + 1 >= frames_end)) TRAP(WELD_TRAP_STACK_EXHAUSTED);
    fsp++;
    fsp->pc = ret_pc;
    fsp->fp = fp;
    fsp->inst = callee->inst;
    fsp->cf = cf;
    t->fsp = fsp;
    fp = nfp;
    pc = cf->code;
    inst = callee->inst;
    mbase = inst->mem0_base;
    ENTER_DISPATCH(nfp + cf->param_slots, cf->local_slots);
  }

  /* ---------------------------------------------------------------- moves, variables */
L_MOV : {
  OPND(core_i2_t);
  R(i->a) = R(i->b);
  NEXT(core_i2_t);
}
L_MOV2 : {
  OPND(core_i2_t);
  core_slot_t lo = R(i->b), hi = R(i->b + 1);
  R(i->a) = lo;
  R(i->a + 1) = hi;
  NEXT(core_i2_t);
}
L_CONST : {
  OPND(core_i2k_t);
  R(i->a).u64 = i->k;
  NEXT(core_i2k_t);
}
L_CONST128 : {
  OPND(core_i2v_t);
  memcpy(&R(i->a), i->v, 16);
  NEXT(core_i2v_t);
}
L_SELECT : {
  OPND(core_i4_t);
  R(i->a) = R(i->d).u32 ? R(i->b) : R(i->c);
  NEXT(core_i4_t);
}
L_SELECT2 : {
  OPND(core_i4_t);
  uint32_t s = R(i->d).u32 ? i->b : i->c;
  core_slot_t lo = R(s), hi = R(s + 1);
  R(i->a) = lo;
  R(i->a + 1) = hi;
  NEXT(core_i4_t);
}
L_GLOBAL_GET : {
  OPND(core_i2_t);
  R(i->a) = inst->globals[i->b]->val[0];
  NEXT(core_i2_t);
}
L_GLOBAL_GET2 : {
  OPND(core_i2_t);
  weld_global_t *g = inst->globals[i->b];
  R(i->a) = g->val[0];
  R(i->a + 1) = g->val[1];
  NEXT(core_i2_t);
}
L_GLOBAL_SET : {
  OPND(core_i2_t);
  inst->globals[i->b]->val[0] = R(i->a);
  NEXT(core_i2_t);
}
L_GLOBAL_SET2 : {
  OPND(core_i2_t);
  weld_global_t *g = inst->globals[i->b];
  g->val[0] = R(i->a);
  g->val[1] = R(i->a + 1);
  NEXT(core_i2_t);
}
L_REF_IS_NULL : {
  OPND(core_i2_t);
  R(i->a).u64 = R(i->b).ref == NULL;
  NEXT(core_i2_t);
}
L_REF_FUNC : {
  OPND(core_i2_t);
  R(i->a).ref = inst->funcs[i->b];
  NEXT(core_i2_t);
}

  /* ---------------------------------------------------------------- tables */
L_TABLE_GET : {
  OPND(core_i4_t);
  weld_table_t *tab = inst->tables[i->c];
  uint32_t k = R(i->b).u32;
  if (UNLIKELY(k >= tab->size)) TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  R(i->a).ref = tab->elems[k];
  NEXT(core_i4_t);
}
L_TABLE_SET : {
  OPND(core_i4_t);
  weld_table_t *tab = inst->tables[i->c];
  uint32_t k = R(i->a).u32;
  if (UNLIKELY(k >= tab->size)) TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  tab->elems[k] = R(i->b).ref;
  NEXT(core_i4_t);
}
L_TABLE_SIZE : {
  OPND(core_i2_t);
  R(i->a).u64 = inst->tables[i->b]->size;
  NEXT(core_i2_t);
}
L_TABLE_GROW : {
  OPND(core_i4_t);
  weld_table_t *tab = inst->tables[i->b];
  void *init = R(i->a).ref;
  uint32_t n = R(i->a + 1).u32;
  int64_t old = core_table_grow(tab, n, init);
  R(i->a).u64 = (uint32_t)(int32_t)old;
  NEXT(core_i4_t);
}
L_TABLE_FILL : {
  OPND(core_i2_t);
  weld_table_t *tab = inst->tables[i->b];
  uint32_t d = R(i->a).u32, n = R(i->a + 2).u32;
  void *v = R(i->a + 1).ref;
  if (UNLIKELY(!range_ok(d, n, tab->size))) TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  for (uint32_t k = 0; k < n; k++) tab->elems[d + k] = v;
  NEXT(core_i2_t);
}
L_TABLE_COPY : {
  OPND(core_i4_t);
  weld_table_t *dt = inst->tables[i->b], *st = inst->tables[i->c];
  uint32_t d = R(i->a).u32, s = R(i->a + 1).u32, n = R(i->a + 2).u32;
  if (UNLIKELY(!range_ok(d, n, dt->size) || !range_ok(s, n, st->size))) TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  if (n) memmove(dt->elems + d, st->elems + s, (size_t)n * sizeof(void *));
  NEXT(core_i4_t);
}
L_TABLE_INIT : {
  OPND(core_i4_t);
  weld_table_t *tab = inst->tables[i->c];
  uint32_t d = R(i->a).u32, s = R(i->a + 1).u32, n = R(i->a + 2).u32;
  if (UNLIKELY(!range_ok(d, n, tab->size) || !range_ok(s, n, inst->elem_len[i->b])))
    TRAP(WELD_TRAP_TABLE_OUT_OF_BOUNDS);
  if (n) memcpy(tab->elems + d, inst->elem_refs[i->b] + s, (size_t)n * sizeof(void *));
  NEXT(core_i4_t);
}
L_ELEM_DROP : {
  OPND(core_i2_t);
  inst->elem_len[i->a] = 0;
  NEXT(core_i2_t);
}

  /* ---------------------------------------------------------------- bulk memory */
L_MEMORY_SIZE : {
  OPND(core_i2_t);
  R(i->a).u64 = (uint32_t)(inst->mems[i->b]->size / WELD_WASM_PAGE_SIZE);
  NEXT(core_i2_t);
}
L_MEMORY_GROW : {
  OPND(core_i2_t);
  weld_memory_t *m = inst->mems[i->b];
  int64_t old = core_memory_grow(m, R(i->a).u32);
  R(i->a).u64 = (uint32_t)(int32_t)old;
  mbase = inst->mem0_base;
  NEXT(core_i2_t);
}
L_MEMORY_FILL : {
  OPND(core_i2_t);
  weld_memory_t *m = inst->mems[i->b];
  uint32_t d = R(i->a).u32, n = R(i->a + 2).u32;
  uint8_t v = (uint8_t)R(i->a + 1).u32;
  if (UNLIKELY(!range_ok(d, n, m->size))) TRAP(WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
  if (n) memset(m->base + d, v, n);
  NEXT(core_i2_t);
}
L_MEMORY_COPY : {
  OPND(core_i4_t);
  weld_memory_t *dm = inst->mems[i->b], *sm = inst->mems[i->c];
  uint32_t d = R(i->a).u32, s = R(i->a + 1).u32, n = R(i->a + 2).u32;
  if (UNLIKELY(!range_ok(d, n, dm->size) || !range_ok(s, n, sm->size))) TRAP(WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
  if (n) memmove(dm->base + d, sm->base + s, n);
  NEXT(core_i4_t);
}
L_MEMORY_INIT : {
  OPND(core_i4_t);
  weld_memory_t *m = inst->mems[i->c];
  uint32_t d = R(i->a).u32, s = R(i->a + 1).u32, n = R(i->a + 2).u32;
  if (UNLIKELY(!range_ok(d, n, m->size) || !range_ok(s, n, inst->data_len[i->b])))
    TRAP(WELD_TRAP_MEMORY_OUT_OF_BOUNDS);
  if (n) memcpy(m->base + d, inst->m->datas[i->b].bytes + s, n);
  NEXT(core_i4_t);
}
L_DATA_DROP : {
  OPND(core_i2_t);
  inst->data_len[i->a] = 0;
  NEXT(core_i2_t);
}

  /* ---------------------------------------------------------------- superinstructions */
#define H_LOADA(N, T, conv)                                                              \
  H_LOADA_ONE(N, AI_G, T, conv, EA_G(R(i->b).u32 + (uint32_t)i->k, i->c))                \
  H_LOADA_ONE(N, AI_C, T, conv, EA_CHECKED(inst->mem0, R(i->b).u32 + (uint32_t)i->k, i->c, sizeof(T))) \
  H_LOADA_ONE(N, AS_G, T, conv, EA_G(R(i->b).u32 + R((uint32_t)i->k).u32, i->c))        \
  H_LOADA_ONE(N, AS_C, T, conv,                                                          \
              EA_CHECKED(inst->mem0, R(i->b).u32 + R((uint32_t)i->k).u32, i->c, sizeof(T)))
#define H_LOADA_ONE(N, MODE, T, conv, ptr)                                               \
  L_##N##_##MODE : {                                                                     \
    OPND(core_i4k_t);                                                                    \
    const uint8_t *p_ = (ptr);                                                           \
    T v_;                                                                                \
    memcpy(&v_, p_, sizeof v_);                                                          \
    acc = conv(v_);                                                                      \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i4k_t);                                                                    \
  }
  H_LOADA(I32_LOAD, uint32_t, CV_U32)
  H_LOADA(I64_LOAD, uint64_t, CV_U64)
  H_LOADA(I32_LOAD8_S, int8_t, CV_S8_32)
  H_LOADA(I32_LOAD8_U, uint8_t, CV_U64)
  H_LOADA(I32_LOAD16_S, int16_t, CV_S8_32)
  H_LOADA(I32_LOAD16_U, uint16_t, CV_U64)
  H_LOADA(I64_LOAD8_S, int8_t, CV_S_64)
  H_LOADA(I64_LOAD8_U, uint8_t, CV_U64)
  H_LOADA(I64_LOAD16_S, int16_t, CV_S_64)
  H_LOADA(I64_LOAD16_U, uint16_t, CV_U64)
  H_LOADA(I64_LOAD32_S, int32_t, CV_S_64)
  H_LOADA(I64_LOAD32_U, uint32_t, CV_U64)
#define H_STOREX_ONE(N, MODE, T, val, ptr)                                               \
  L_##N##_##MODE : {                                                                     \
    OPND(core_i4k_t);                                                                    \
    T v_ = (T)(val);                                                                     \
    uint8_t *p_ = (ptr);                                                                 \
    memcpy(p_, &v_, sizeof v_);                                                          \
    NEXT(core_i4k_t);                                                                    \
  }
#define H_STOREX(N, T)                                                                   \
  H_STOREX_ONE(N, AI_G, T, R(i->b).u64, EA_G(R(i->a).u32 + (uint32_t)i->k, i->c))        \
  H_STOREX_ONE(N, AI_C, T, R(i->b).u64,                                                  \
               EA_CHECKED(inst->mem0, R(i->a).u32 + (uint32_t)i->k, i->c, sizeof(T)))   \
  H_STOREX_ONE(N, AS_G, T, R(i->b).u64, EA_G(R(i->a).u32 + R((uint32_t)i->k).u32, i->c)) \
  H_STOREX_ONE(N, AS_C, T, R(i->b).u64,                                                  \
               EA_CHECKED(inst->mem0, R(i->a).u32 + R((uint32_t)i->k).u32, i->c, sizeof(T))) \
  H_STOREX_ONE(N, K_G, T, i->k, EA_G(R(i->a).u32, i->c))                                 \
  H_STOREX_ONE(N, K_C, T, i->k, EA_CHECKED(inst->mem0, R(i->a).u32, i->c, sizeof(T)))    \
  H_STOREX_ONE(N, K_M, T, i->k, EA_CHECKED(inst->mems[i->d], R(i->a).u32, i->c, sizeof(T)))
  H_STOREX(STORE8, uint8_t)
  H_STOREX(STORE16, uint16_t)
  H_STOREX(STORE32, uint32_t)
  H_STOREX(STORE64, uint64_t)

#define H_INCB(N)                                                                        \
  L_INCB_##N##_SS : {                                                                    \
    OPND(core_i4k_t);                                                                    \
    uint32_t a = R(i->b).u32 + (uint32_t)i->k;                                           \
    R(i->a).u64 = a;                                                                     \
    uint32_t b = R(i->c).u32;                                                            \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->d);                                                                   \
    }                                                                                    \
    NEXT(core_i4k_t);                                                                    \
  }                                                                                      \
  L_INCB_##N##_SI : {                                                                    \
    OPND(core_i4k_t);                                                                    \
    uint32_t a = R(i->b).u32 + (uint32_t)i->k;                                           \
    R(i->a).u64 = a;                                                                     \
    uint32_t b = i->c;                                                                   \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->d);                                                                   \
    }                                                                                    \
    NEXT(core_i4k_t);                                                                    \
  }
  CORE_ICMPS32(H_INCB)

L_MOV_MOV : {
  OPND(core_i4_t);
  R(i->a) = R(i->b);
  R(i->c) = R(i->d);
  NEXT(core_i4_t);
}

#define H_FIMM(N, T, F, OPR)                                                             \
  L_##N##_SI : {                                                                         \
    OPND(core_i2k_t);                                                                    \
    T a = R(i->b).F, b;                                                                  \
    uint64_t k_ = i->k;                                                                  \
    memcpy(&b, &k_, sizeof b);                                                           \
    T r = a OPR b;                                                                       \
    core_slot_t s;                                                                       \
    s.u64 = 0;                                                                           \
    s.F = r;                                                                             \
    R(i->a) = s;                                                                         \
    SET_DACC(r);                                                                         \
    NEXT(core_i2k_t);                                                                    \
  }                                                                                      \
  L_##N##_IS : {                                                                         \
    OPND(core_i2k_t);                                                                    \
    T b = R(i->b).F, a;                                                                  \
    uint64_t k_ = i->k;                                                                  \
    memcpy(&a, &k_, sizeof a);                                                           \
    T r = a OPR b;                                                                       \
    core_slot_t s;                                                                       \
    s.u64 = 0;                                                                           \
    s.F = r;                                                                             \
    R(i->a) = s;                                                                         \
    SET_DACC(r);                                                                         \
    NEXT(core_i2k_t);                                                                    \
  }
  H_FIMM(F32_ADD, float, f32, +)
  H_FIMM(F32_SUB, float, f32, -)
  H_FIMM(F32_MUL, float, f32, *)
  H_FIMM(F32_DIV, float, f32, /)
  H_FIMM(F64_ADD, double, f64, +)
  H_FIMM(F64_SUB, double, f64, -)
  H_FIMM(F64_MUL, double, f64, *)
  H_FIMM(F64_DIV, double, f64, /)

#define H_LOPI(N, T, F)                                                                  \
  L_##N##_SL : {                                                                         \
    OPND(core_i4_t);                                                                     \
    T a = R(i->b).F, b;                                                                  \
    memcpy(&b, EA_G(R(i->c).u32, i->d), sizeof b);                                       \
    acc = (T)SEM_##N(a, b);                                                              \
    R(i->a).u64 = acc;                                                                   \
    NEXT(core_i4_t);                                                                     \
  }
#define H_LOPF(N, T, F, OPR)                                                             \
  L_##N##_SL : {                                                                         \
    OPND(core_i4_t);                                                                     \
    T a = R(i->b).F, b;                                                                  \
    memcpy(&b, EA_G(R(i->c).u32, i->d), sizeof b);                                       \
    T r = a OPR b;                                                                       \
    core_slot_t s;                                                                       \
    s.u64 = 0;                                                                           \
    s.F = r;                                                                             \
    R(i->a) = s;                                                                         \
    SET_DACC(r);                                                                         \
    NEXT(core_i4_t);                                                                     \
  }
  H_LOPI(I32_ADD, uint32_t, u32)
  H_LOPI(I32_SUB, uint32_t, u32)
  H_LOPI(I32_MUL, uint32_t, u32)
  H_LOPI(I32_AND, uint32_t, u32)
  H_LOPI(I32_OR, uint32_t, u32)
  H_LOPI(I32_XOR, uint32_t, u32)
  H_LOPI(I64_ADD, uint64_t, u64)
  H_LOPI(I64_SUB, uint64_t, u64)
  H_LOPI(I64_MUL, uint64_t, u64)
  H_LOPI(I64_AND, uint64_t, u64)
  H_LOPI(I64_OR, uint64_t, u64)
  H_LOPI(I64_XOR, uint64_t, u64)
  H_LOPF(F32_ADD, float, f32, +)
  H_LOPF(F32_SUB, float, f32, -)
  H_LOPF(F32_MUL, float, f32, *)
  H_LOPF(F32_DIV, float, f32, /)
  H_LOPF(F64_ADD, double, f64, +)
  H_LOPF(F64_SUB, double, f64, -)
  H_LOPF(F64_MUL, double, f64, *)
  H_LOPF(F64_DIV, double, f64, /)

#define H_DACC_ONE(N, FMT, OPR, XE, YE)                                                  \
  {                                                                                      \
    OPND(FMT);                                                                           \
    double a = (XE), b = (YE);                                                           \
    dacc = a OPR b;                                                                      \
    R(i->a).u64 = num_f64_bits(dacc);                                                    \
    NEXT(FMT);                                                                           \
  }
#define H_DACC(N, OPR)                                                                   \
  L_##N##_AS : H_DACC_ONE(N, core_i4_t, OPR, dacc, R(i->c).f64)                          \
  L_##N##_SA : H_DACC_ONE(N, core_i4_t, OPR, R(i->b).f64, dacc)                          \
  L_##N##_AI : H_DACC_ONE(N, core_i2k_t, OPR, dacc, num_bits_f64(i->k))                  \
  L_##N##_IA : H_DACC_ONE(N, core_i2k_t, OPR, num_bits_f64(i->k), dacc)                  \
  L_##N##_AL : H_DACC_ONE(N, core_i4_t, OPR, dacc, ({                                    \
                            double l_;                                                   \
                            memcpy(&l_, EA_G(R(i->c).u32, i->d), 8);                     \
                            l_;                                                          \
                          }))
  H_DACC(F64_ADD, +)
  H_DACC(F64_SUB, -)
  H_DACC(F64_MUL, *)
  H_DACC(F64_DIV, /)

#define H_SHOP_ONE(O, S, T, XE, YE)                                                      \
  {                                                                                      \
    OPND(core_i4k_t);                                                                    \
    T x_ = (XE), y_ = (YE);                                                              \
    T s_ = (T)SEM_##S(x_, (T)i->k);                                                      \
    T r_ = (T)SEM_##O(y_, s_);                                                           \
    R(i->a).u64 = r_;                                                                    \
    acc = r_;                                                                            \
    NEXT(core_i4k_t);                                                                    \
  }
#define H_SHOP(O, S, T, F)                                                               \
  L_##O##_##S##_SS : H_SHOP_ONE(O, S, T, R(i->b).F, R(i->c).F)                           \
  L_##O##_##S##_AS : H_SHOP_ONE(O, S, T, (T)acc, R(i->c).F)                              \
  L_##O##_##S##_SA : H_SHOP_ONE(O, S, T, R(i->b).F, (T)acc)                              \
  L_##O##_##S##_AA : H_SHOP_ONE(O, S, T, (T)acc, (T)acc)
#define H_SHOP32(O, S) H_SHOP(O, S, uint32_t, u32)
#define H_SHOP64(O, S) H_SHOP(O, S, uint64_t, u64)
  CORE_SHOPS32(H_SHOP32)
  CORE_SHOPS64(H_SHOP64)

L_BR_NZ_A : {
  OPND(core_i2_t);
  if ((uint32_t)acc) JUMP(i->b);
  NEXT(core_i2_t);
}
L_BR_NZ_A_BACK : {
  OPND(core_i2_t);
  if ((uint32_t)acc) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2_t);
}
L_BR_Z_A : {
  OPND(core_i2_t);
  if (!(uint32_t)acc) JUMP(i->b);
  NEXT(core_i2_t);
}
L_BR_Z_A_BACK : {
  OPND(core_i2_t);
  if (!(uint32_t)acc) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2_t);
}
L_MOV3 : {
  OPND(core_i4k_t);
  R(i->a) = R(i->b);
  R(i->c) = R(i->d);
  R((uint32_t)i->k) = R((uint32_t)(i->k >> 32));
  NEXT(core_i4k_t);
}
L_I32_ADD2 : {
  OPND(core_i4k_t);
  R(i->a).u64 = (uint32_t)(R(i->b).u32 + (uint32_t)i->k);
  uint32_t r_ = R(i->d).u32 + (uint32_t)(i->k >> 32);
  R(i->c).u64 = r_;
  acc = r_;
  NEXT(core_i4k_t);
}

  /* ---------------------------------------------------------------- superinstructions (2) */
L_F64_ADD_AL_ST : {
  OPND(core_i4_t);
  uint8_t *p_ = EA_G(R(i->c).u32, i->d);
  double m_;
  memcpy(&m_, p_, 8);
  dacc = dacc + m_;
  memcpy(p_, &dacc, 8);
  NEXT(core_i4_t);
}
L_F64_MLA_ST : {
  OPND(core_i4k_t);
  double q_, m_;
  memcpy(&q_, EA_G(R(i->c).u32 + (uint32_t)(i->k >> 32), (uint32_t)i->k), 8);
  uint8_t *p_ = EA_G(R(i->a).u32, i->d);
  memcpy(&m_, p_, 8);
  dacc = NO_CONTRACT(R(i->b).f64 * q_) + m_;
  memcpy(p_, &dacc, 8);
  NEXT(core_i4k_t);
}
L_F64_MUL_SLAI : {
  OPND(core_i4k_t);
  double q_;
  memcpy(&q_, EA_G(R(i->c).u32 + (uint32_t)i->k, i->d), 8);
  dacc = R(i->b).f64 * q_;
  R(i->a).u64 = num_f64_bits(dacc);
  NEXT(core_i4k_t);
}
L_F64_MUL_AL_ADD : {
  OPND(core_i4_t);
  double m_;
  memcpy(&m_, EA_G(R(i->c).u32, i->d), 8);
  dacc = NO_CONTRACT(dacc * m_) + R(i->b).f64;
  R(i->a).u64 = num_f64_bits(dacc);
  NEXT(core_i4_t);
}
L_F64_DIV_I_CVU : {
  OPND(core_i2k_t);
  dacc = num_bits_f64(i->k) / (double)R(i->b).u32;
  R(i->a).u64 = num_f64_bits(dacc);
  NEXT(core_i2k_t);
}
#define H_XROT(N, expr)                                                                  \
  L_##N : {                                                                              \
    OPND(core_i2k_t);                                                                    \
    uint32_t x = R(i->b).u32, k = (uint32_t)i->k;                                        \
    uint32_t r_ = (expr);                                                                \
    R(i->a).u64 = r_;                                                                    \
    acc = r_;                                                                            \
    NEXT(core_i2k_t);                                                                    \
  }
  H_XROT(I32_XROT2, num_rotl32(x, k & 31) ^ num_rotl32(x, (k >> 8) & 31))
  H_XROT(I32_XROT3, num_rotl32(x, k & 31) ^ num_rotl32(x, (k >> 8) & 31) ^ num_rotl32(x, (k >> 16) & 31))
  H_XROT(I32_XROT2SHR, num_rotl32(x, k & 31) ^ num_rotl32(x, (k >> 8) & 31) ^ (x >> ((k >> 16) & 31)))
L_I32_ADD3_SA : {
  OPND(core_i4_t);
  uint32_t r_ = R(i->c).u32 + (R(i->b).u32 + (uint32_t)acc);
  R(i->a).u64 = r_;
  acc = r_;
  NEXT(core_i4_t);
}
L_I32_ADD4_SA : {
  OPND(core_i4_t);
  uint32_t r_ = R(i->d).u32 + (R(i->c).u32 + (R(i->b).u32 + (uint32_t)acc));
  R(i->a).u64 = r_;
  acc = r_;
  NEXT(core_i4_t);
}
L_I32_ADD3I : {
  OPND(core_i4k_t);
  uint32_t r_ = R(i->b).u32 + R(i->c).u32 + (uint32_t)i->k;
  R(i->a).u64 = r_;
  acc = r_;
  NEXT(core_i4k_t);
}
L_BR_AND_Z : {
  OPND(core_i2k_t);
  if (!(R(i->a).u32 & (uint32_t)i->k)) JUMP(i->b);
  NEXT(core_i2k_t);
}
L_BR_AND_NZ : {
  OPND(core_i2k_t);
  if (R(i->a).u32 & (uint32_t)i->k) JUMP(i->b);
  NEXT(core_i2k_t);
}
L_BR_AND_Z_BACK : {
  OPND(core_i2k_t);
  if (!(R(i->a).u32 & (uint32_t)i->k)) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2k_t);
}
L_BR_AND_NZ_BACK : {
  OPND(core_i2k_t);
  if (R(i->a).u32 & (uint32_t)i->k) {
    POLL_JUMP(i->b);
  }
  NEXT(core_i2k_t);
}

L_I32_ANDN : {
  OPND(core_i4_t);
  uint32_t r_ = ~R(i->b).u32 & R(i->c).u32;
  R(i->a).u64 = r_;
  acc = r_;
  NEXT(core_i4_t);
}
#define H_INCBS(N)                                                                       \
  L_INCBS_##N##_SS : {                                                                   \
    OPND(core_i4k_t);                                                                    \
    uint32_t a = R(i->b).u32 + R((uint32_t)i->k).u32;                                    \
    R(i->a).u64 = a;                                                                     \
    uint32_t b = R(i->c).u32;                                                            \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->d);                                                                   \
    }                                                                                    \
    NEXT(core_i4k_t);                                                                    \
  }                                                                                      \
  L_INCBS_##N##_SI : {                                                                   \
    OPND(core_i4k_t);                                                                    \
    uint32_t a = R(i->b).u32 + R((uint32_t)i->k).u32;                                    \
    R(i->a).u64 = a;                                                                     \
    uint32_t b = i->c;                                                                   \
    if (SEM_##N(a, b)) {                                                                 \
      POLL_JUMP(i->d);                                                                   \
    }                                                                                    \
    NEXT(core_i4k_t);                                                                    \
  }
  CORE_ICMPS32(H_INCBS)
#define H_LDX(N, T, conv)                                                                \
  H_LOADA_ONE(N, X_G, T, conv, EA_G(R(i->c).u32 + (R(i->b).u32 << (i->k & 31)), i->d))
  H_LDX(I32_LOAD, uint32_t, CV_U32)
  H_LDX(I64_LOAD, uint64_t, CV_U64)
  H_LDX(I32_LOAD8_S, int8_t, CV_S8_32)
  H_LDX(I32_LOAD8_U, uint8_t, CV_U64)
  H_LDX(I32_LOAD16_S, int16_t, CV_S8_32)
  H_LDX(I32_LOAD16_U, uint16_t, CV_U64)
  H_LDX(I64_LOAD8_S, int8_t, CV_S_64)
  H_LDX(I64_LOAD8_U, uint8_t, CV_U64)
  H_LDX(I64_LOAD16_S, int16_t, CV_S_64)
  H_LDX(I64_LOAD16_U, uint16_t, CV_U64)
  H_LDX(I64_LOAD32_S, int32_t, CV_S_64)
  H_LDX(I64_LOAD32_U, uint32_t, CV_U64)
#define H_BRL_ONE(N, W, T, FORM, YE)                                                     \
  L_BRL##W##_##N##_##FORM : {                                                            \
    OPND(core_i4k_t);                                                                    \
    T v_;                                                                                \
    memcpy(&v_, EA_G(R(i->a).u32, i->d), sizeof v_);                                     \
    uint32_t a = v_, b = (YE);                                                           \
    if (SEM_##N(a, b)) JUMP(i->c);                                                       \
    NEXT(core_i4k_t);                                                                    \
  }
#define H_BRL(N)                                                                         \
  H_BRL_ONE(N, 32, uint32_t, SS, R(i->b).u32)                                            \
  H_BRL_ONE(N, 32, uint32_t, SI, (uint32_t)i->k)                                         \
  H_BRL_ONE(N, 8, uint8_t, SS, R(i->b).u32)                                              \
  H_BRL_ONE(N, 8, uint8_t, SI, (uint32_t)i->k)
  CORE_ICMPS32(H_BRL)
L_I32_LOAD_ADDI : {
  OPND(core_i4k_t);
  uint32_t v_;
  memcpy(&v_, EA_G(R(i->b).u32, i->c), 4);
  acc = (uint32_t)(v_ + (uint32_t)i->k);
  R(i->a).u64 = acc;
  NEXT(core_i4k_t);
}
L_I32_LOAD8_U_ADDI : {
  OPND(core_i4k_t);
  uint8_t v_;
  memcpy(&v_, EA_G(R(i->b).u32, i->c), 1);
  acc = (uint32_t)(v_ + (uint32_t)i->k);
  R(i->a).u64 = acc;
  NEXT(core_i4k_t);
}

  /* ---------------------------------------------------------------- SIMD */
#define LDV(s)                                                                           \
  ({                                                                                     \
    core_v128_t v__;                                                                     \
    memcpy(&v__, &R(s), 16);                                                             \
    v__;                                                                                 \
  })
#define STV(s, v)                                                                        \
  do {                                                                                   \
    core_v128_t w__ = (v);                                                               \
    memcpy(&R(s), &w__, 16);                                                             \
  } while (0)
#include "core/interp_simd.inc"
#undef LDV
#undef STV

  /* ---------------------------------------------------------------- rare paths */
enter_slow:
  for (uint32_t k_ = CORE_ZERO_SLOTS; k_ < zn; k_++) {
    zq[k_].u64 = 0;
    __asm__("" ::: "memory"); /* keep it a loop, not a memset call */
  }
  /* fall through */
poll_dispatch:
  if (POLL_FLAGS() && (tcode = poll_slow(store)) != 0) goto do_trap;
  PROF();
  goto *pc->h;

do_trap:
  t->fsp = fsp;
  return core_trap_new((weld_trap_code_t)tcode, frame_func(fsp), core_trap_default_message((weld_trap_code_t)tcode));

#undef R
#undef OPND
#undef NEXT
#undef JUMP
#undef POLL
#undef TRAP
}

static pthread_once_t g_handlers_once = PTHREAD_ONCE_INIT;
static void init_handlers(void) { interp(NULL, NULL, NULL, NULL, NULL); }

const void *const *core_interp_handlers(void) {
  pthread_once(&g_handlers_once, init_handlers);
  return __atomic_load_n(&g_handlers, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------ code listing */
static const struct {
  const char *name;
  unsigned size;
  char fmt; /* 0 2 4 k (i2k) K (i4k) v (i2v) V (i4v) */
} g_xinfo[] = {
#define X_BIN(N) {#N "_SS", sizeof(core_i4_t), '4'}, {#N "_SI", sizeof(core_i2k_t), 'k'}, \
                 {#N "_AS", sizeof(core_i4_t), '4'}, {#N "_SA", sizeof(core_i4_t), '4'},  \
                 {#N "_AI", sizeof(core_i2k_t), 'k'},
    CORE_IBINOPS(X_BIN)
#undef X_BIN
#define X_CMPBR(N) {"BR_" #N "_SS", sizeof(core_i4_t), '4'}, {"BR_" #N "_SI", sizeof(core_i2k_t), 'k'}, \
                   {"BRB_" #N "_SS", sizeof(core_i4_t), '4'}, {"BRB_" #N "_SI", sizeof(core_i2k_t), 'k'},
    CORE_ICMPS(X_CMPBR)
#undef X_CMPBR
#define X_FBIN(N) {#N "_SS", sizeof(core_i4_t), '4'},
    CORE_FBINOPS(X_FBIN)
#undef X_FBIN
#define X_UN(N) {#N, sizeof(core_i2_t), '2'},
    CORE_UNOPS(X_UN)
#undef X_UN
#define X_MEM(N) {#N "_G", sizeof(core_i4_t), '4'}, {#N "_C", sizeof(core_i4_t), '4'}, {#N "_M", sizeof(core_i4_t), '4'},
    CORE_LOADS(X_MEM) CORE_STORES(X_MEM)
#undef X_MEM
#define X_MISC(N, F) {#N, sizeof(F), #F[7] == '_' ? #F[6] : (#F[7] == 'k' ? (#F[6] == '2' ? 'k' : 'K') : (#F[6] == '2' ? 'v' : 'V'))},
    CORE_MISC_XOPS(X_MISC)
#undef X_MISC
#define X_MEMA(N) {#N "_AI_G", sizeof(core_i4k_t), 'K'}, {#N "_AI_C", sizeof(core_i4k_t), 'K'}, \
                  {#N "_AS_G", sizeof(core_i4k_t), 'K'}, {#N "_AS_C", sizeof(core_i4k_t), 'K'},
    CORE_LOADS(X_MEMA) CORE_STORES(X_MEMA)
#undef X_MEMA
#define X_STK(N) {#N "_K_G", sizeof(core_i4k_t), 'K'}, {#N "_K_C", sizeof(core_i4k_t), 'K'}, {#N "_K_M", sizeof(core_i4k_t), 'K'},
    CORE_STORES(X_STK)
#undef X_STK
#define X_INCB(N) {"INCB_" #N "_SS", sizeof(core_i4k_t), 'K'}, {"INCB_" #N "_SI", sizeof(core_i4k_t), 'K'},
    CORE_ICMPS32(X_INCB)
#undef X_INCB
    {"MOV_MOV", sizeof(core_i4_t), '4'},
#define X_FIMM(N) {#N "_SI", sizeof(core_i2k_t), 'k'}, {#N "_IS", sizeof(core_i2k_t), 'k'},
    CORE_FIMMOPS(X_FIMM)
#undef X_FIMM
#define X_LOP(N) {#N "_SL", sizeof(core_i4_t), '4'},
    CORE_LOADOPS(X_LOP)
#undef X_LOP
#define X_LDA(N) {#N "_A_G", sizeof(core_i4_t), '4'}, {#N "_A_C", sizeof(core_i4_t), '4'},
    CORE_LOADS(X_LDA)
#undef X_LDA
#define X_STA(N) {#N "_VA_G", sizeof(core_i4_t), '4'}, {#N "_VA_C", sizeof(core_i4_t), '4'},
    CORE_STORES(X_STA)
#undef X_STA
    {"STORE64_VD_G", sizeof(core_i4_t), '4'}, {"STORE64_VD_C", sizeof(core_i4_t), '4'},
#define X_DACC(N) {#N "_AS", sizeof(core_i4_t), '4'}, {#N "_SA", sizeof(core_i4_t), '4'}, \
                  {#N "_AI", sizeof(core_i2k_t), 'k'}, {#N "_IA", sizeof(core_i2k_t), 'k'}, \
                  {#N "_AL", sizeof(core_i4_t), '4'},
    CORE_DACCOPS(X_DACC)
#undef X_DACC
#define X_SHOP(O, S) {#O "_" #S "_SS", sizeof(core_i4k_t), 'K'}, {#O "_" #S "_AS", sizeof(core_i4k_t), 'K'}, \
                     {#O "_" #S "_SA", sizeof(core_i4k_t), 'K'}, {#O "_" #S "_AA", sizeof(core_i4k_t), 'K'},
    CORE_SHOPS(X_SHOP)
#undef X_SHOP
    {"MOV3", sizeof(core_i4k_t), 'K'}, {"I32_ADD2", sizeof(core_i4k_t), 'K'},
    {"BR_NZ_A", sizeof(core_i2_t), '2'}, {"BR_NZ_A_BACK", sizeof(core_i2_t), '2'},
    {"BR_Z_A", sizeof(core_i2_t), '2'}, {"BR_Z_A_BACK", sizeof(core_i2_t), '2'},
#define X_FU(N, F) {#N, sizeof(F), #F[7] == '_' ? #F[6] : (#F[7] == 'k' ? (#F[6] == '2' ? 'k' : 'K') : (#F[6] == '2' ? 'v' : 'V'))},
    CORE_FUSED_XOPS(X_FU)
#undef X_FU
#define X_INCBS(N) {"INCBS_" #N "_SS", sizeof(core_i4k_t), 'K'}, {"INCBS_" #N "_SI", sizeof(core_i4k_t), 'K'},
    CORE_ICMPS32(X_INCBS)
#undef X_INCBS
#define X_LDX(N) {#N "_X_G", sizeof(core_i4k_t), 'K'},
    CORE_LOADS(X_LDX)
#undef X_LDX
#define X_BRL(N) {"BRL32_" #N "_SS", sizeof(core_i4k_t), 'K'}, {"BRL32_" #N "_SI", sizeof(core_i4k_t), 'K'}, \
                 {"BRL8_" #N "_SS", sizeof(core_i4k_t), 'K'}, {"BRL8_" #N "_SI", sizeof(core_i4k_t), 'K'},
    CORE_ICMPS32(X_BRL)
#undef X_BRL
#define X_S(N, F) {#N, sizeof(F), #F[7] == '_' ? #F[6] : (#F[7] == 'k' ? (#F[6] == '2' ? 'k' : 'K') : (#F[6] == '2' ? 'v' : 'V'))},
    CORE_SIMD_XOPS(X_S)
#undef X_S
};

void core_code_dump(const core_compiled_func_t *cf, FILE *out) {
  const void *const *h = core_interp_handlers();
  size_t n = sizeof g_xinfo / sizeof g_xinfo[0];
  const uint8_t *p = (const uint8_t *)cf->code, *end = p + cf->ncells * 8;
  fprintf(out, "func %u: params %u locals %u frame %u slots\n", (unsigned)cf->func_index,
          (unsigned)cf->param_slots, (unsigned)cf->local_slots, (unsigned)cf->frame_slots);
  while (p < end) {
    const core_i4k_t *i = (const void *)p;
    size_t x = 0;
    while (x < n && h[x] != i->h) x++;
    if (x == n) {
      fprintf(out, "  %5zu  ?\n", (size_t)(p - (const uint8_t *)cf->code));
      return;
    }
#ifdef WELD_INTERP_PROFILE
    uint64_t *cnt = prof_pc_slot(p, false);
    fprintf(out, "%12llu", cnt ? (unsigned long long)*cnt : 0ull);
#endif
    fprintf(out, "  %5zu  %-22s", (size_t)(p - (const uint8_t *)cf->code), g_xinfo[x].name);
    unsigned sz = g_xinfo[x].size;
    switch (g_xinfo[x].fmt) {
    case '2': case 'v': fprintf(out, " a=%u b=%u", (unsigned)i->a, (unsigned)i->b); break;
    case 'k': fprintf(out, " a=%u b=%u k=%lld", (unsigned)i->a, (unsigned)i->b,
                      (long long)((const core_i2k_t *)(const void *)p)->k); break;
    case '4': case 'V': fprintf(out, " a=%u b=%u c=%u d=%u", (unsigned)i->a, (unsigned)i->b, (unsigned)i->c, (unsigned)i->d); break;
    case 'K': fprintf(out, " a=%u b=%u c=%u d=%u k=%lld", (unsigned)i->a, (unsigned)i->b, (unsigned)i->c, (unsigned)i->d,
                      (long long)i->k); break;
    default: break;
    }
    fprintf(out, "\n");
    if (x == XOP_BR_TABLE) sz += (unsigned)((((size_t)i->b + 1) * 4 + 7) / 8 * 8);
    p += sz;
  }
}

static const struct {
  int16_t first; /* handler + 1, 0 if none */
  int8_t mem;
} g_simd_map[OPC__COUNT] = {
#define X_M(N, FIRST, MEM) [OPC_##N] = {XOP_S_##FIRST + 1, MEM},
    CORE_SIMD_MAP(X_M)
#undef X_M
};

#ifdef WELD_INTERP_PROFILE
static void prof_dump(void) {
  uint64_t total = 0;
  for (int i = 0; i < XOP__COUNT; i++) total += g_prof[i];
  fprintf(stderr, "== handler profile: %llu dispatches\n", (unsigned long long)total);
  for (int n = 0; n < 40; n++) {
    int best = -1;
    for (int i = 0; i < XOP__COUNT; i++)
      if (g_prof[i] && (best < 0 || g_prof[i] > g_prof[best])) best = i;
    if (best < 0) break;
    fprintf(stderr, "%6.2f%%  %s\n", 100.0 * (double)g_prof[best] / (double)total, g_xinfo[best].name);
    g_prof[best] = 0;
  }
  fprintf(stderr, "== pairs\n");
  for (int n = 0; n < 40; n++) {
    int bi = -1, bj = -1;
    for (int i = 0; i < XOP__COUNT; i++)
      for (int j = 0; j < XOP__COUNT; j++)
        if (g_prof_pair[i][j] && (bi < 0 || g_prof_pair[i][j] > g_prof_pair[bi][bj])) bi = i, bj = j;
    if (bi < 0) break;
    fprintf(stderr, "%6.2f%%  %s -> %s\n", 100.0 * (double)g_prof_pair[bi][bj] / (double)total, g_xinfo[bi].name,
            g_xinfo[bj].name);
    g_prof_pair[bi][bj] = 0;
  }
}
#endif

int core_simd_xop(int op, int mode) {
  if (op < 0 || op >= OPC__COUNT || !g_simd_map[op].first) return -1;
  return g_simd_map[op].first - 1 + (g_simd_map[op].mem ? mode : 0);
}

/* ------------------------------------------------------------------ threads and entry */
static core_thread_t *thread_new(weld_store_t *store) {
  core_thread_t *t = base_calloc(1, sizeof *t);
  if (!t) return NULL;
  size_t slots = core_engine_stack_slots(store->engine);
  size_t depth = core_engine_call_depth(store->engine);
  /* +2 frames: the dummy bottom record and headroom for the entry frame. */
  t->nframes = depth + 2;
  t->stack_slots = slots;
  t->stack = base_alloc(slots * sizeof(core_slot_t));
  t->frames = base_alloc(t->nframes * sizeof(core_frame_t));
  if (!t->stack || !t->frames) {
    core_thread_free(t);
    return NULL;
  }
  t->store = store;
  t->stack_end = t->stack + slots;
  t->top = t->stack;
  t->frames_end = t->frames + t->nframes;
  t->fsp = t->frames; /* frames[0] is a dummy bottom record */
  memset(t->frames, 0, sizeof(core_frame_t));
  t->frames[0].inst = &g_dummy_inst;
  return t;
}

void core_thread_free(core_thread_t *t) {
  if (!t) return;
  base_free(t->stack, t->stack_slots * sizeof(core_slot_t));
  base_free(t->frames, t->nframes * sizeof(core_frame_t));
  base_free(t, sizeof *t);
}

/* Slow paths of an entry, out of line. */
static __attribute__((noinline, cold)) weld_trap_t *entry_trap(weld_func_t *f, int code) {
  return core_trap_new((weld_trap_code_t)code, f, core_trap_default_message((weld_trap_code_t)code));
}
static __attribute__((noinline, cold)) weld_trap_t *first_call(weld_store_t *store, weld_func_t *f, core_slot_t *slots);

/* The interpreter activation, with the fault handler's jump buffer.  Separate from
 * run_wasm so that only this small function is compiled around the setjmp (after which the
 * compiler keeps nothing in registers). */
static __attribute__((noinline)) weld_trap_t *enter(core_thread_t *t, core_frame_t *fr, const core_cell_t *pc,
                                                    core_slot_t *base, weld_instance_t *inst) {
  core_jmp_buf jb;
  t->jmp = &jb;
  if (CORE_SETJMP(jb) == 0) {
    t->in_wasm = 1;
    return interp(t, fr, pc, base, inst);
  }
  /* A guarded memory access faulted (signals.c); t->fsp names the running function. */
  return core_trap_new(WELD_TRAP_MEMORY_OUT_OF_BOUNDS, frame_func(t->fsp),
                       core_trap_default_message(WELD_TRAP_MEMORY_OUT_OF_BOUNDS));
}

/* Host -> wasm: runs wasm function f with its arguments in slots[..] on thread state t
 * (one interpreter activation per entry; nested entries come from host functions).  This
 * is the embedder's call path, so it is kept lean: the per-OS-thread signal state is set
 * up once (signals.c), the fault handler's jump buffer is the compiler's light setjmp
 * (code.h CORE_SETJMP), and fuel and interrupts are one test in the common case.  Entering
 * wasm charges one unit of fuel like any other function entry (weld/store.h). */
static weld_trap_t *run_wasm(core_thread_t *t, weld_func_t *f, core_slot_t *slots) {
  const core_compiled_func_t *cf = f->code;
  weld_instance_t *const inst = f->inst;
  weld_store_t *const store = t->store;
  core_frame_t *const saved_fsp = t->fsp;
  core_slot_t *const base = t->top;
  if (UNLIKELY(!core_tls.ready)) core_signals_init_thread();
  if (UNLIKELY(needs_checked(cf, inst))) {
    cf = core_compiled_checked(cf);
    if (!cf) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, f, CHECKED_OOM_MSG);
  }
  if (UNLIKELY((t->depth >= WELD_MAX_HOST_REENTRY) | (base + cf->frame_slots > t->stack_end) |
               (saved_fsp + 2 >= t->frames_end) | !core_stack_ok()))
    return entry_trap(f, WELD_TRAP_STACK_EXHAUSTED);
  if (UNLIKELY(atomic_load_explicit(&store->interrupt, memory_order_relaxed) | store->fuel_enabled)) {
    int code = poll_slow(store);
    if (code) return entry_trap(f, code);
  }
  uint32_t np = cf->param_slots;
  if (np) { /* (the usual one or two parameters without a loop) */
    base[0] = slots[0];
    for (uint32_t k = 1; k < np; k++) base[k] = slots[k];
  }
  core_slot_t *z = base + np;
  z[0].u64 = z[1].u64 = z[2].u64 = z[3].u64 = 0; /* (code.h CORE_ZERO_SLOTS) */
  for (uint32_t k = CORE_ZERO_SLOTS, n = cf->local_slots; k < n; k++) z[k].u64 = 0;
  core_frame_t *fr = saved_fsp + 1;
  fr->pc = g_exit_code;
  fr->fp = base;
  fr->inst = inst;
  fr->cf = cf;
  t->fsp = fr;
  core_jmp_buf *const saved_jmp = t->jmp;
  const sig_atomic_t saved_in = t->in_wasm;
  core_thread_t *const prev = core_tls.thread;
  t->depth++;
  core_tls.thread = t;
  weld_trap_t *trap = enter(t, fr, cf->code, base, inst);
  core_tls.thread = prev;
  t->in_wasm = saved_in;
  t->depth--;
  t->jmp = saved_jmp;
  t->fsp = saved_fsp;
  uint32_t nr = cf->result_slots;
  if (LIKELY(!trap) && nr) {
    slots[0] = base[0];
    for (uint32_t k = 1; k < nr; k++) slots[k] = base[k];
  }
  return trap;
}

static weld_trap_t *first_call(weld_store_t *store, weld_func_t *f, core_slot_t *slots) {
  core_interp_handlers(); /* (a compiled module already made them) */
  core_thread_t *t = store->thread = thread_new(store);
  if (!t) return core_trap_new(WELD_TRAP_OUT_OF_MEMORY, f, "out of memory allocating the call stack");
  return run_wasm(t, f, slots);
}

weld_trap_t *core_call(weld_store_t *store, weld_func_t *f, core_slot_t *slots) {
  if (UNLIKELY(f->kind == CORE_FUNC_HOST)) return call_host(store, NULL, f, slots);
  core_thread_t *t = store->thread;
  if (UNLIKELY(!t)) return first_call(store, f, slots);
  return run_wasm(t, f, slots);
}

/* ------------------------------------------------------------------ weld_caller_* */
weld_instance_t *weld_caller_instance(weld_caller_t *caller) { return caller ? caller->inst : NULL; }
weld_store_t *weld_caller_store(weld_caller_t *caller) { return caller ? caller->store : NULL; }
bool weld_caller_export(weld_caller_t *caller, const char *name, weld_extern_t *out) {
  if (!caller || !caller->inst || !name) return false;
  return weld_instance_export(caller->inst, name, strlen(name), out);
}
