/* compile.c — validation of function bodies (core spec §3.3 "Instructions", §3.4.10
 * "Functions", and the algorithm of the spec's appendix "Validation Algorithm") and their
 * translation, in the same single pass, to the interpreter's register-style code
 * (code.h).
 *
 * The validator keeps the spec's operand stack and control stack.  Each operand-stack
 * entry also says where its value is: in its canonical slot (stack position), still in a
 * local (a local.get whose read is deferred), or a constant.  Consumers read locals and
 * constants directly, so `local.get a; local.get b; i32.add; local.set c` becomes one
 * instruction `c = a + b`: the add writes its canonical slot, and local.set retargets
 * that destination when the add was the last instruction emitted.  Deferred local reads
 * are materialised (copied to their slot) when the local is written while a read is still
 * on the stack, and at block boundaries.  Comparisons followed by br_if / if become one
 * compare-and-branch instruction; more superinstructions are in compile_fuse.inc.
 *
 * The interpreter keeps the last integer / f64 result in a register (code.h "Accumulator
 * forms"); the compiler tracks which slot that register mirrors (acc_*) and reads an
 * operand from it when its producer is the instruction just emitted.
 *
 * Code in unreachable regions is validated but not emitted.  SIMD instructions are
 * handled in compile_simd.inc. */
#include "core/code.h"
#include "core/opcodes.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include "base/reader.h"
#include <pthread.h>
#include <stddef.h>
#include <string.h>

enum { K_SLOT, K_LOCAL, K_CONST };
enum { ACC_NONE, ACC_INT, ACC_F64 }; /* which interpreter accumulator the last producer set */
enum { F_FUNC, F_BLOCK, F_LOOP, F_IF, F_ELSE };
#define VT_UNKNOWN 0
#define NO_POS ((size_t)-1)
#define MAX_CODE_BYTES ((size_t)256 << 20) /* per function; far beyond any real one */

typedef struct centry {
  uint8_t type;   /* VT_*, or VT_UNKNOWN in unreachable code */
  uint8_t kind;   /* K_* */
  uint32_t slot;  /* canonical slot */
  uint32_t src;   /* K_LOCAL: the local's slot */
  uint32_t local; /* K_LOCAL: the local's index */
  uint64_t k;     /* K_CONST: bits */
} centry_t;

typedef struct cframe {
  uint8_t kind;
  bool unreachable;
  bool dead; /* entered in unreachable code: nothing inside is emitted */
  uint32_t height;
  uint32_t base_slot;
  const uint8_t *params, *results;
  uint32_t nparams, nresults;
  size_t start;      /* loop: code offset of the loop header */
  size_t patches;    /* head of the forward-branch list (index into c->patches) or NO_POS */
  size_t else_patch; /* if: the branch to the else arm, NO_POS once resolved */
  size_t else_field;
  size_t stub;       /* br_table: this label's move stub, valid while stub_gen matches */
  uint32_t stub_gen;
} cframe_t;

typedef struct cpatch {
  size_t instr, field, next;
} cpatch_t;

/* A branch condition: an i32 slot, or a fused integer comparison. */
typedef struct ccond {
  int cmp;  /* -1: test slot x (negated if neg); -2: test x & k (negated if neg); else index in CORE_ICMPS order */
  bool neg; /* for cmp == -1: branch when x == 0 */
  bool acc; /* for cmp == -1: the value is also in acc (produced just before the branch) */
  bool imm;
  uint32_t x, y;
  uint64_t k;
} ccond_t;

typedef struct comp {
  weld_module_t *mod;
  core_compiled_func_t **out; /* the compiled functions being made (m->ncodes entries) */
  const core_module_t *m;
  const void *const *H;
  bool guarded;
  base_reader_t r;
  size_t op_off;
  weld_error_t *err;
  /* current function */
  const core_functype_t *ft;
  uint32_t nlocals;
  uint8_t *ltype;
  uint32_t *lslot, *lpend;
  size_t lcap;
  uint32_t stack_base;
  /* stacks */
  VEC(centry_t) st;
  VEC(uint32_t) pend; /* indices of entries that may be K_LOCAL (ascending) */
  VEC(cframe_t) cs;
  VEC(cpatch_t) patches;
  uint32_t sp, max_sp;
  /* code */
  uint8_t *code;
  size_t len, cap;
  /* the last emitted instruction, if it produced the value now at `fresh_slot` */
  size_t fresh_end, fresh_pos, fresh_dst;
  uint32_t fresh_slot;
  /* the interpreter's accumulator: valid when acc_end == len (its producer is the last
   * instruction); it then holds the value of slot acc_slot (the producer's destination, also
   * after retargeting to a local).  acc2: the same for the instruction before, restored when
   * the last one is fused away. */
  size_t acc_end, acc2_end;
  uint32_t acc_slot, acc2_slot;
  int acc_kind, acc2_kind;
  ccond_t fresh_cond;
  bool fresh_has_cond;
  /* the last two emitted instructions (for superinstructions) and the last label */
  struct {
    size_t pos, end;
    int xop;
  } hist[2];
  size_t label_at;
  uint32_t br_table_gen;
} comp_t;

static const uint8_t k_vts[] = {VT_I32, VT_I64, VT_F32, VT_F64, VT_V128, VT_FUNCREF, VT_EXTERNREF};
static const uint8_t *vt_ptr(uint8_t t) {
  for (size_t i = 0; i < sizeof k_vts; i++)
    if (k_vts[i] == t) return &k_vts[i];
  return &k_vts[0];
}
static const char *tname(uint8_t t) { return t == VT_UNKNOWN ? "any" : core_valtype_name(t); }
static uint32_t nslots(uint8_t t) { return t == VT_V128 ? 2 : 1; }

/* ------------------------------------------------------------------ errors */
__attribute__((format(printf, 2, 3))) static bool fail(comp_t *c, const char *fmt, ...) {
  if (!c->err) {
    va_list ap;
    va_start(ap, fmt);
    c->err = base_error_v(c->op_off, fmt, ap);
    va_end(ap);
  }
  return false;
}
static bool oom(comp_t *c) {
  if (!c->err) c->err = base_error_oom();
  return false;
}
#define TRY(x)                                                                           \
  do {                                                                                   \
    if (!(x)) return false;                                                              \
  } while (0)

/* ------------------------------------------------------------------ reading */
static bool rd_u8(comp_t *c, uint8_t *v) {
  *v = 0;
  if (!base_read_u8(&c->r, v)) return fail(c, "unexpected end of section or function");
  return true;
}
static bool rd_u32(comp_t *c, uint32_t *v) {
  *v = 0;
  if (!base_read_u32(&c->r, v)) return fail(c, "%s", c->r.err ? c->r.err : "malformed integer");
  return true;
}
/* A reserved byte that multi-memory turns into a memory index: one byte, < 0x80. */
static bool rd_memidx_byte(comp_t *c, uint32_t *idx) {
  uint8_t b;
  TRY(rd_u8(c, &b));
  if (b & 0x80) return fail(c, "zero byte expected");
  *idx = b;
  return true;
}

/* ------------------------------------------------------------------ emission */
static bool live(const comp_t *c) {
  const cframe_t *f = &VEC_LAST(&c->cs);
  return !f->unreachable && !f->dead && !c->err;
}

static void *emit_raw(comp_t *c, core_xop_t op, size_t size, size_t *pos) {
  *pos = NO_POS;
  if (!live(c)) return NULL;
  if (c->len + size > c->cap) {
    size_t ncap = c->cap ? c->cap * 2 : 1024;
    while (ncap < c->len + size) ncap *= 2;
    if (ncap > MAX_CODE_BYTES) {
      fail(c, "function too large to compile");
      return NULL;
    }
    uint8_t *nc = base_realloc(c->code, c->cap, ncap);
    if (!nc) {
      oom(c);
      return NULL;
    }
    c->code = nc;
    c->cap = ncap;
  }
  void *p = c->code + c->len;
  memset(p, 0, size);
  ((core_i0_t *)p)->h = c->H[op];
  *pos = c->len;
  c->len += size;
  if (c->acc_end == *pos && c->label_at != *pos) {
    c->acc2_end = c->acc_end;
    c->acc2_slot = c->acc_slot;
    c->acc2_kind = c->acc_kind;
  } else {
    c->acc2_end = NO_POS;
  }
  c->acc_end = NO_POS;
  c->fresh_end = NO_POS;
  c->hist[1] = c->hist[0];
  c->hist[0].pos = *pos;
  c->hist[0].end = c->len;
  c->hist[0].xop = (int)op;
  return p;
}

/* The last instruction, if control can only reach the current position through it (it
 * ends here and no label was placed here); NULL otherwise. */
static void *last_ins(comp_t *c, int xop) {
  if (!live(c) || c->hist[0].end != c->len || c->hist[0].pos == NO_POS || c->label_at == c->len ||
      c->hist[0].xop != xop)
    return NULL;
  return c->code + c->hist[0].pos;
}
/* Removes the last instruction (it is being fused into the next one). */
static void drop_last(comp_t *c) {
  c->len = c->hist[0].pos;
  c->hist[0] = c->hist[1];
  c->hist[1].pos = c->hist[1].end = NO_POS;
  c->fresh_end = NO_POS;
  /* the accumulator again holds what the instruction before produced */
  c->acc_end = c->acc2_end;
  c->acc_slot = c->acc2_slot;
  c->acc_kind = c->acc2_kind;
  c->acc2_end = NO_POS;
}
static size_t emit_i0(comp_t *c, core_xop_t op) {
  size_t pos;
  emit_raw(c, op, sizeof(core_i0_t), &pos);
  return pos;
}
static size_t emit_i2(comp_t *c, core_xop_t op, uint32_t a, uint32_t b) {
  size_t pos;
  core_i2_t *i = emit_raw(c, op, sizeof *i, &pos);
  if (i) i->a = a, i->b = b;
  return pos;
}
static size_t emit_i4(comp_t *c, core_xop_t op, uint32_t a, uint32_t b, uint32_t cc, uint32_t d) {
  size_t pos;
  core_i4_t *i = emit_raw(c, op, sizeof *i, &pos);
  if (i) i->a = a, i->b = b, i->c = cc, i->d = d;
  return pos;
}
static size_t emit_i2k(comp_t *c, core_xop_t op, uint32_t a, uint32_t b, uint64_t k) {
  size_t pos;
  core_i2k_t *i = emit_raw(c, op, sizeof *i, &pos);
  if (i) i->a = a, i->b = b, i->k = k;
  return pos;
}

static size_t emit_i4k(comp_t *c, core_xop_t op, uint32_t a, uint32_t b, uint32_t cc, uint32_t d, uint64_t k) {
  size_t pos;
  core_i4k_t *i = emit_raw(c, op, sizeof *i, &pos);
  if (i) i->a = a, i->b = b, i->c = cc, i->d = d, i->k = k;
  return pos;
}

/* Marks the instruction at pos as the producer of `slot` (destination field at dst). */
static void set_fresh_acc(comp_t *c, size_t pos, size_t dst_field_off, uint32_t slot, int acc) {
  if (pos == NO_POS) return;
  c->fresh_end = c->len;
  c->fresh_pos = pos;
  c->fresh_dst = pos + dst_field_off;
  c->fresh_slot = slot;
  c->fresh_has_cond = false;
  if (acc != ACC_NONE) {
    c->acc_end = c->len;
    c->acc_slot = slot;
    c->acc_kind = acc;
  }
}
static void set_fresh(comp_t *c, size_t pos, size_t dst_field_off, uint32_t slot) {
  set_fresh_acc(c, pos, dst_field_off, slot, ACC_NONE);
}
static bool is_fresh(const comp_t *c, const centry_t *e) {
  return c->fresh_end == c->len && c->fresh_end != NO_POS && e->kind == K_SLOT && e->slot == c->fresh_slot &&
         live(c);
}
/* A branch target was placed at the current position. */
static size_t place_label(comp_t *c) {
  c->fresh_end = NO_POS;
  c->label_at = c->len;
  return c->len;
}
static void patch_at(comp_t *c, size_t instr, size_t field, size_t target) {
  int32_t off = (int32_t)((int64_t)target - (int64_t)instr);
  memcpy(c->code + field, &off, 4);
}
static bool add_patch(comp_t *c, cframe_t *f, size_t instr, size_t field) {
  if (instr == NO_POS) return true;
  cpatch_t p = {instr, field, f->patches};
  if (!VEC_PUSH(&c->patches, p)) return oom(c);
  f->patches = c->patches.len - 1;
  return true;
}
static void resolve_patches(comp_t *c, cframe_t *f, size_t target) {
  for (size_t i = f->patches; i != NO_POS; i = c->patches.data[i].next)
    patch_at(c, c->patches.data[i].instr, c->patches.data[i].field, target);
  f->patches = NO_POS;
}

static void emit_move(comp_t *c, uint8_t type, uint32_t dst, uint32_t src) {
  if (dst == src) return;
  core_i4_t *prev2 = type == VT_V128 ? NULL : last_ins(c, XOP_MOV_MOV);
  if (prev2) {
    /* MOV_MOV + MOV -> MOV3 */
    uint32_t d1 = prev2->a, s1 = prev2->b, d2 = prev2->c, s2 = prev2->d;
    drop_last(c);
    size_t pos = emit_i4k(c, XOP_MOV3, d1, s1, d2, s2, (uint64_t)dst | (uint64_t)src << 32);
    set_fresh(c, pos, offsetof(core_i4k_t, k), dst);
    return;
  }
  core_i2_t *prev = type == VT_V128 ? NULL : last_ins(c, XOP_MOV);
  if (prev) {
    /* two moves in a row become one MOV_MOV (same order: first, then second) */
    uint32_t d1 = prev->a, s1 = prev->b;
    drop_last(c);
    size_t pos = emit_i4(c, XOP_MOV_MOV, d1, s1, dst, src);
    set_fresh(c, pos, offsetof(core_i4_t, c), dst);
    return;
  }
  size_t pos = emit_i2(c, type == VT_V128 ? XOP_MOV2 : XOP_MOV, dst, src);
  set_fresh(c, pos, offsetof(core_i2_t, a), dst);
}
static void emit_const(comp_t *c, uint32_t dst, uint64_t k) {
  size_t pos = emit_i2k(c, XOP_CONST, dst, 0, k);
  set_fresh(c, pos, offsetof(core_i2k_t, a), dst);
}

/* ------------------------------------------------------------------ operand stack */
static uint32_t src_of(const centry_t *e) { return e->kind == K_LOCAL ? e->src : e->slot; }

/* The value of e is in the accumulator of that kind (its producer is the last instruction). */
static bool is_acc(const comp_t *c, const centry_t *e, int acc) {
  return acc != ACC_NONE && live(c) && c->acc_end == c->len && c->acc_end != NO_POS && c->acc_kind == acc &&
         c->label_at != c->len && e->kind != K_CONST && src_of(e) == c->acc_slot;
}


static bool push(comp_t *c, uint8_t type, uint8_t kind, centry_t **out) {
  if (c->st.len >= WELD_MAX_OPERAND_STACK) return fail(c, "operand stack too deep");
  if (!VEC_RESERVE(&c->st, 1)) return oom(c);
  centry_t *e = &c->st.data[c->st.len++];
  memset(e, 0, sizeof *e);
  e->type = type;
  e->kind = kind;
  e->slot = c->sp;
  c->sp += nslots(type);
  if (c->sp > c->max_sp) c->max_sp = c->sp;
  if (out) *out = e;
  return true;
}
static bool push_slot(comp_t *c, uint8_t type) { return push(c, type, K_SLOT, NULL); }
static bool push_const(comp_t *c, uint8_t type, uint64_t k) {
  centry_t *e = NULL;
  TRY(push(c, type, K_CONST, &e));
  e->k = k;
  return true;
}
static bool push_local(comp_t *c, uint8_t type, uint32_t local) {
  centry_t *e = NULL;
  TRY(push(c, type, K_LOCAL, &e));
  e->local = local;
  e->src = c->lslot[local];
  c->lpend[local]++;
  if (!VEC_PUSH(&c->pend, (uint32_t)(c->st.len - 1))) return oom(c);
  return true;
}

/* Removes the top entry (bookkeeping only). */
static centry_t take_top(comp_t *c) {
  centry_t e = c->st.data[--c->st.len];
  c->sp = e.slot;
  if (e.kind == K_LOCAL) c->lpend[e.local]--;
  while (c->pend.len && VEC_LAST(&c->pend) >= c->st.len) c->pend.len--;
  return e;
}

/* pop_val of the spec's algorithm; expect VT_UNKNOWN accepts anything. */
static bool pop(comp_t *c, uint8_t expect, centry_t *out) {
  cframe_t *f = &VEC_LAST(&c->cs);
  if (c->st.len == f->height) {
    if (f->unreachable) {
      memset(out, 0, sizeof *out);
      out->type = expect;
      out->kind = K_SLOT;
      out->slot = c->sp;
      return true;
    }
    if (expect == VT_UNKNOWN) return fail(c, "type mismatch: expected a value but nothing on stack");
    return fail(c, "type mismatch: expected %s but nothing on stack", tname(expect));
  }
  centry_t e = take_top(c);
  if (expect != VT_UNKNOWN && e.type != VT_UNKNOWN && e.type != expect)
    return fail(c, "type mismatch: expected %s but found %s", tname(expect), tname(e.type));
  if (e.type == VT_UNKNOWN) e.type = expect;
  *out = e;
  return true;
}

/* Materialises an entry into its canonical slot.  on_stack: the entry is still on the
 * operand stack (its deferred-read count is dropped here; popped entries were already
 * accounted for by take_top). */
static void mat(comp_t *c, centry_t *e, bool on_stack) {
  if (e->kind == K_LOCAL) {
    emit_move(c, e->type, e->slot, e->src);
    if (on_stack) c->lpend[e->local]--;
  } else if (e->kind == K_CONST) {
    emit_const(c, e->slot, e->k);
  }
  e->kind = K_SLOT;
}
/* Operands can be read from a local directly; only constants need a slot. */
static void mat_const(comp_t *c, centry_t *e) {
  if (e->kind == K_CONST) mat(c, e, false);
}
static void mat_pending(comp_t *c) {
  for (size_t i = 0; i < c->pend.len; i++) {
    uint32_t j = c->pend.data[i];
    if (j < c->st.len && c->st.data[j].kind == K_LOCAL) mat(c, &c->st.data[j], true);
  }
  c->pend.len = 0;
}
static void mat_top(comp_t *c, uint32_t n) {
  for (uint32_t j = 0; j < n; j++) mat(c, &c->st.data[c->st.len - n + j], true);
}

/* Validates the top n entries against types without consuming them (pop_vals followed by
 * push_vals of the spec: unknown entries take the expected types, and in unreachable code
 * missing entries appear). */
static bool pop_push_x(comp_t *c, const uint8_t *types, uint32_t n, bool keep_unknown) {
  cframe_t *f = &VEC_LAST(&c->cs);
  size_t avail = c->st.len - f->height;
  if (avail >= n) {
    for (uint32_t j = 0; j < n; j++) {
      centry_t *e = &c->st.data[c->st.len - n + j];
      if (e->type == VT_UNKNOWN) {
        if (!keep_unknown) e->type = types[j];
      }
      else if (e->type != types[j])
        return fail(c, "type mismatch: expected %s but found %s", tname(types[j]), tname(e->type));
    }
    return true;
  }
  if (!f->unreachable)
    return fail(c, "type mismatch: expected %u values but found %zu", (unsigned)n, avail);
  /* Unreachable and too few entries: check what is there, then rebuild the n entries. */
  for (size_t j = 0; j < avail; j++) {
    centry_t *e = &c->st.data[c->st.len - avail + j];
    uint8_t t = types[n - avail + j];
    if (e->type != VT_UNKNOWN && e->type != t)
      return fail(c, "type mismatch: expected %s but found %s", tname(t), tname(e->type));
  }
  if (keep_unknown) return true; /* missing entries stay unknown (below the frame height) */
  while (c->st.len > f->height) take_top(c);
  for (uint32_t j = 0; j < n; j++) TRY(push_slot(c, types[j]));
  return true;
}
/* br_if, block parameters: the entries take the label's types. */
static bool pop_push(comp_t *c, const uint8_t *types, uint32_t n) { return pop_push_x(c, types, n, false); }

static void set_unreachable(comp_t *c) {
  cframe_t *f = &VEC_LAST(&c->cs);
  while (c->st.len > f->height) take_top(c);
  f->unreachable = true;
}

/* ------------------------------------------------------------------ control frames */
static bool push_frame(comp_t *c, uint8_t kind, const uint8_t *params, uint32_t np, const uint8_t *results,
                       uint32_t nr) {
  if (c->cs.len >= WELD_MAX_BLOCK_DEPTH) return fail(c, "blocks nested too deeply");
  bool dead = c->cs.len ? !live(c) : false;
  if (!VEC_RESERVE(&c->cs, 1)) return oom(c);
  cframe_t *f = &c->cs.data[c->cs.len++];
  memset(f, 0, sizeof *f);
  f->kind = kind;
  f->dead = dead;
  f->params = params;
  f->nparams = np;
  f->results = results;
  f->nresults = nr;
  f->height = (uint32_t)(c->st.len - np);
  f->base_slot = np ? c->st.data[f->height].slot : c->sp;
  f->patches = NO_POS;
  f->else_patch = NO_POS;
  f->start = NO_POS;
  return true;
}
static const uint8_t *label_types(const cframe_t *f, uint32_t *n) {
  if (f->kind == F_LOOP) {
    *n = f->nparams;
    return f->params;
  }
  *n = f->nresults;
  return f->results;
}
static bool get_label(comp_t *c, uint32_t depth, cframe_t **out) {
  if (depth >= c->cs.len) return fail(c, "unknown label %u", (unsigned)depth);
  *out = &c->cs.data[c->cs.len - 1 - depth];
  return true;
}

static bool read_blocktype(comp_t *c, const uint8_t **params, uint32_t *np, const uint8_t **results,
                           uint32_t *nr) {
  if (base_reader_eof(&c->r)) return fail(c, "unexpected end of section or function");
  uint8_t b = *c->r.p;
  *np = *nr = 0;
  *params = *results = NULL;
  if (b == 0x40) {
    c->r.p++;
    return true;
  }
  if (core_is_valtype(b)) {
    c->r.p++;
    *results = vt_ptr(b);
    *nr = 1;
    return true;
  }
  int64_t idx;
  if (!base_read_sleb(&c->r, 33, &idx)) return fail(c, "%s", c->r.err ? c->r.err : "malformed block type");
  if (idx < 0) return fail(c, "malformed block type");
  if ((uint64_t)idx >= c->m->ntypes) return fail(c, "unknown type %lld", (long long)idx);
  const core_functype_t *t = &c->m->types[idx];
  *params = core_ft_params(t);
  *np = t->nparams;
  *results = core_ft_results(t);
  *nr = t->nresults;
  return true;
}

/* ------------------------------------------------------------------ branches */
static const int8_t k_cmp_neg[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
static const int8_t k_cmp_mirror[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};
static int neg_cmp(int i) { return (i / 10) * 10 + k_cmp_neg[i % 10]; }
static int mirror_cmp(int i) { return (i / 10) * 10 + k_cmp_mirror[i % 10]; }

/* Emits "branch if cond (or !cond when when_true is false)"; returns the instruction
 * position and sets *field to its offset field. */
static size_t try_brl(comp_t *c, const ccond_t *cd, int idx, size_t *field); /* compile_fuse.inc */
static size_t emit_cond_br(comp_t *c, const ccond_t *cd, bool when_true, bool back, size_t *field) {
  size_t pos;
  if (cd->cmp == -2) {
    bool nz = when_true != cd->neg;
    core_xop_t op = nz ? (back ? XOP_BR_AND_NZ_BACK : XOP_BR_AND_NZ) : (back ? XOP_BR_AND_Z_BACK : XOP_BR_AND_Z);
    pos = emit_i2k(c, op, cd->x, 0, cd->k);
    *field = pos + offsetof(core_i2k_t, b);
    return pos;
  }
  if (cd->cmp < 0) {
    bool nz = when_true != cd->neg;
    core_xop_t op = nz ? (back ? XOP_BR_NZ_BACK : XOP_BR_NZ) : (back ? XOP_BR_Z_BACK : XOP_BR_Z);
    /* acc is still the condition only if nothing was emitted since its producer */
    if (cd->acc && c->acc_end == c->len && c->acc_slot == cd->x && c->label_at != c->len && live(c))
      op = nz ? (back ? XOP_BR_NZ_A_BACK : XOP_BR_NZ_A) : (back ? XOP_BR_Z_A_BACK : XOP_BR_Z_A);
    pos = emit_i2(c, op, cd->x, 0);
    *field = pos + offsetof(core_i2_t, b);
    return pos;
  }
  int idx = when_true ? cd->cmp : neg_cmp(cd->cmp);
  if (!back && idx < 10 && (pos = try_brl(c, cd, idx, field)) != NO_POS) return pos;
  core_xop_t op = (core_xop_t)(XOP_BR_I32_EQ_SS + 4 * idx + (cd->imm ? 1 : 0) + (back ? 2 : 0));
  if (cd->imm) {
    pos = emit_i2k(c, op, cd->x, 0, cd->k);
    *field = pos + offsetof(core_i2k_t, b);
  } else {
    pos = emit_i4(c, op, cd->x, cd->y, 0, 0);
    *field = pos + offsetof(core_i4_t, c);
  }
  return pos;
}

/* Turns a popped i32 condition into a ccond, fusing with the comparison that produced it
 * (which is then removed from the code). */
static bool and_cond(comp_t *c, ccond_t *cd, uint32_t slot, bool neg); /* compile_fuse.inc */
static void take_cond(comp_t *c, centry_t *e, ccond_t *cd) {
  if (is_fresh(c, e) && c->fresh_has_cond && c->hist[0].pos == c->fresh_pos) {
    *cd = c->fresh_cond;
    drop_last(c);
    if (cd->cmp == -1 && cd->neg) and_cond(c, cd, cd->x, true); /* i32.eqz of an i32.and */
    return;
  }
  memset(cd, 0, sizeof *cd);
  if (is_fresh(c, e) && and_cond(c, cd, e->slot, false)) return;
  cd->cmp = -1;
  cd->acc = is_acc(c, e, ACC_INT);
  mat_const(c, e);
  cd->x = src_of(e);
}

/* Moves the top n entries to the slots starting at base (a branch's label values).
 * Sources are never below their destinations except for locals, which live below every
 * stack slot, so ascending order is safe. */
static bool needs_moves(comp_t *c, uint32_t base, uint32_t n) {
  uint32_t dst = base;
  for (uint32_t j = 0; j < n; j++) {
    const centry_t *e = &c->st.data[c->st.len - n + j];
    if (e->kind != K_SLOT || e->slot != dst) return true;
    dst += nslots(e->type);
  }
  return false;
}
static void emit_moves(comp_t *c, uint32_t base, uint32_t n) {
  uint32_t dst = base;
  for (uint32_t j = 0; j < n; j++) {
    const centry_t *e = &c->st.data[c->st.len - n + j];
    if (e->kind == K_CONST) emit_const(c, dst, e->k);
    else emit_move(c, e->type, dst, src_of(e));
    dst += nslots(e->type);
  }
}

/* Before a return that copies several results to slots 0.., results still deferred in
 * locals that those copies could overwrite are materialised. */
static void prep_return(comp_t *c) {
  uint32_t n = c->ft->nresults;
  if (n < 2 || !live(c)) return;
  uint32_t rs = 0;
  for (uint32_t j = 0; j < n; j++) rs += nslots(core_ft_results(c->ft)[j]);
  for (uint32_t j = 0; j < n; j++) {
    centry_t *e = &c->st.data[c->st.len - n + j];
    if (e->kind == K_LOCAL && e->src < rs) mat(c, e, true);
  }
}
/* Returns with the top entries as results (call prep_return first). */
static void emit_return(comp_t *c) {
  uint32_t n = c->ft->nresults;
  if (!live(c)) return;
  if (n == 1) {
    const centry_t *e = &VEC_LAST(&c->st);
    if (e->kind == K_CONST) {
      emit_i2k(c, XOP_RET_K, 0, 0, e->k);
    } else {
      emit_i2(c, e->type == VT_V128 ? XOP_RET_2 : XOP_RET_1, src_of(e), 0);
    }
    return;
  }
  emit_moves(c, 0, n);
  emit_i0(c, XOP_RET);
}

/* Unconditional branch to label `depth` with its values on top of the stack. */
static bool emit_branch(comp_t *c, uint32_t depth) {
  cframe_t *L = &c->cs.data[c->cs.len - 1 - depth];
  if (L->kind == F_FUNC) {
    emit_return(c);
    return true;
  }
  uint32_t n;
  label_types(L, &n);
  emit_moves(c, L->base_slot, n);
  if (L->kind == F_LOOP) {
    size_t pos = emit_i2(c, XOP_BR_BACK, 0, 0);
    if (pos != NO_POS) patch_at(c, pos, pos + offsetof(core_i2_t, a), L->start);
    return true;
  }
  size_t pos = emit_i2(c, XOP_BR, 0, 0);
  return add_patch(c, L, pos, pos + offsetof(core_i2_t, a));
}

/* ------------------------------------------------------------------ numeric ops */
static uint16_t g_bin_xop[OPC__COUNT]; /* XOP_<op>_SS + 1, 0 if none */
static uint16_t g_fbin_xop[OPC__COUNT];
static uint16_t g_un_xop[OPC__COUNT];
static uint16_t g_fimm_xop[OPC__COUNT]; /* XOP_<op>_SI + 1 */
static uint16_t g_lop_xop[OPC__COUNT];  /* XOP_<op>_SL + 1 */
static int g_tables_ready;

static void init_tables(void) {
#define X_BIN(N) g_bin_xop[OPC_##N] = XOP_##N##_SS + 1;
  CORE_IBINOPS(X_BIN)
#undef X_BIN
#define X_FBIN(N) g_fbin_xop[OPC_##N] = XOP_##N##_SS + 1;
  CORE_FBINOPS(X_FBIN)
#undef X_FBIN
#define X_UN(N) g_un_xop[OPC_##N] = XOP_##N + 1;
  CORE_UNOPS(X_UN)
#undef X_UN
#define X_FIMM(N) g_fimm_xop[OPC_##N] = XOP_##N##_SI + 1;
  CORE_FIMMOPS(X_FIMM)
#undef X_FIMM
#define X_LOP(N) g_lop_xop[OPC_##N] = XOP_##N##_SL + 1;
  CORE_LOADOPS(X_LOP)
#undef X_LOP
  __atomic_store_n(&g_tables_ready, 1, __ATOMIC_RELEASE);
}

static int cmp_index(core_op_t op) {
  if (op >= OPC_I32_EQ && op <= OPC_I32_GE_U) return (int)(op - OPC_I32_EQ);
  if (op >= OPC_I64_EQ && op <= OPC_I64_GE_U) return 10 + (int)(op - OPC_I64_EQ);
  return -1;
}
static core_op_t cmp_op(int idx) { return idx < 10 ? (core_op_t)(OPC_I32_EQ + idx) : (core_op_t)(OPC_I64_EQ + idx - 10); }
static bool commutative(core_op_t op) {
  switch (op) {
  case OPC_I32_ADD: case OPC_I32_MUL: case OPC_I32_AND: case OPC_I32_OR: case OPC_I32_XOR:
  case OPC_I64_ADD: case OPC_I64_MUL: case OPC_I64_AND: case OPC_I64_OR: case OPC_I64_XOR:
    return true;
  default:
    return false;
  }
}
/* Whether op with immediate right operand k can use the unchecked _SI form. */
static bool imm_ok(core_op_t op, uint64_t k, bool is64) {
  uint64_t m1 = is64 ? ~(uint64_t)0 : 0xffffffffu;
  switch (op) {
  case OPC_I32_DIV_U: case OPC_I32_REM_U: case OPC_I64_DIV_U: case OPC_I64_REM_U:
    return k != 0;
  case OPC_I32_DIV_S: case OPC_I32_REM_S: case OPC_I64_DIV_S: case OPC_I64_REM_S:
    return k != 0 && k != m1;
  default:
    return true;
  }
}

#include "core/compile_fuse.inc"

static bool do_ibinop(comp_t *c, core_op_t op, uint8_t t) {
  centry_t b, a;
  TRY(pop(c, t, &b));
  TRY(pop(c, t, &a));
  uint32_t dst = c->sp;
  int ci = cmp_index(op);
  if (b.kind != K_CONST && try_load_op(c, op, t, &a, &b, dst)) return push_slot(c, t);
  if (live(c)) {
    bool is64 = t == VT_I64;
    core_op_t o = op;
    centry_t *x = &a, *y = &b;
    bool use_imm = false;
    if (b.kind == K_CONST && imm_ok(op, b.k, is64)) use_imm = true;
    else if (a.kind == K_CONST && (commutative(op) || ci >= 0)) {
      use_imm = true;
      x = &b;
      y = &a;
      if (ci >= 0) o = cmp_op(mirror_cmp(ci));
    }
    if (use_imm && x == &a && (o == OPC_I32_SUB || o == OPC_I64_SUB)) {
      /* x - k == x + (-k) in two's complement: one form for increments and decrements */
      o = o == OPC_I32_SUB ? OPC_I32_ADD : OPC_I64_ADD;
      b.k = (uint64_t)0 - b.k;
    }
    core_xop_t xs = (core_xop_t)(g_bin_xop[o] - 1);
    size_t pos;
    ccond_t cd;
    memset(&cd, 0, sizeof cd);
    cd.cmp = cmp_index(o);
    /* an operand just produced is read from acc (constants materialised meanwhile are
     * written by CONST, which leaves acc alone) */
    bool xa = is_acc(c, x, ACC_INT), ya = !use_imm && !xa && is_acc(c, y, ACC_INT);
    if (!use_imm && try_shift_op(c, o, &a, &b, dst)) return push_slot(c, t);
    core_i2k_t *add1 = (use_imm && !xa && o == OPC_I32_ADD && x->kind != K_CONST) ? last_ins(c, XOP_I32_ADD_SS + 1) : NULL;
    if (add1) {
      /* two add-immediates in a row: one I32_ADD2 (run in order) */
      uint32_t d1 = add1->a, x1 = add1->b;
      uint64_t k1 = (uint32_t)add1->k;
      drop_last(c);
      pos = emit_i4k(c, XOP_I32_ADD2, d1, x1, dst, src_of(x), k1 | (uint64_t)(uint32_t)y->k << 32);
      set_fresh_acc(c, pos, offsetof(core_i4k_t, c), dst, ACC_INT);
      return push_slot(c, t);
    }
    if (use_imm && xa && o == OPC_I32_ADD && try_add3i(c, x, y->k, dst)) return push_slot(c, t);
    if (use_imm && xa && o == OPC_I32_ADD && try_load_addi(c, x, y->k, dst)) return push_slot(c, t);
    if (!use_imm && (xa || ya) && o == OPC_I32_ADD && try_add_chain(c, xa ? x : y, src_of(xa ? y : x), dst))
      return push_slot(c, t);
    if (!use_imm && (xa || ya) && o == OPC_I32_AND && try_andn(c, xa ? x : y, src_of(xa ? y : x), dst))
      return push_slot(c, t);
    if (use_imm) {
      mat_const(c, x);
      uint64_t k = is64 ? y->k : (uint32_t)y->k;
      pos = emit_i2k(c, (core_xop_t)(xs + (xa ? 4 : 1)), dst, src_of(x), k);
      set_fresh_acc(c, pos, offsetof(core_i2k_t, a), dst, ACC_INT);
      cd.imm = true;
      cd.x = src_of(x);
      cd.k = k;
    } else {
      mat_const(c, x);
      mat_const(c, y);
      pos = emit_i4(c, (core_xop_t)(xs + (xa ? 2 : ya ? 3 : 0)), dst, src_of(x), src_of(y), 0);
      set_fresh_acc(c, pos, offsetof(core_i4_t, a), dst, ACC_INT);
      cd.x = src_of(x);
      cd.y = src_of(y);
    }
    if (cd.cmp >= 0 && pos != NO_POS) {
      c->fresh_cond = cd;
      c->fresh_has_cond = true;
    }
  }
  return push_slot(c, ci >= 0 ? VT_I32 : t);
}

static int daccop_index(core_op_t op) {
  switch (op) {
  case OPC_F64_ADD: return 0;
  case OPC_F64_SUB: return 1;
  case OPC_F64_MUL: return 2;
  case OPC_F64_DIV: return 3;
  default: return -1;
  }
}

static bool do_fbinop(comp_t *c, core_op_t op, uint8_t t, uint8_t rt) {
  centry_t b, a;
  TRY(pop(c, t, &b));
  TRY(pop(c, t, &a));
  uint32_t dst = c->sp;
  if (b.kind != K_CONST && try_load_op(c, op, t, &a, &b, dst)) return push_slot(c, rt);
  int fi = g_fimm_xop[op];
  if (live(c) && op == OPC_F64_DIV && a.kind == K_CONST && b.kind != K_CONST && try_div_cvu(c, &b, a.k, dst))
    return push_slot(c, rt);
  if (live(c) && fi && (a.kind == K_CONST || b.kind == K_CONST)) {
    /* a constant operand: the _SI (constant right) or _IS (constant left) form */
    core_xop_t x = (core_xop_t)(fi - 1);
    centry_t *v = &a;
    uint64_t k;
    if (b.kind == K_CONST) {
      k = b.k;
    } else {
      k = a.k;
      v = &b;
      if (op != OPC_F32_ADD && op != OPC_F64_ADD && op != OPC_F32_MUL && op != OPC_F64_MUL) x = (core_xop_t)(x + 1);
    }
    int di = daccop_index(op);
    if (di >= 0 && is_acc(c, v, ACC_F64)) /* _SI -> _AI, _IS -> _IA */
      x = (core_xop_t)(XOP_F64_ADD_AS + 5 * di + 2 + (x == (core_xop_t)(fi - 1) ? 0 : 1));
    mat_const(c, v);
    size_t pos = emit_i2k(c, x, dst, src_of(v), k);
    set_fresh_acc(c, pos, offsetof(core_i2k_t, a), dst, rt == VT_F64 ? ACC_F64 : ACC_NONE);
    return push_slot(c, rt);
  }
  if (live(c)) {
    core_xop_t x = (core_xop_t)(g_fbin_xop[op] - 1);
    int di = daccop_index(op);
    if (op == OPC_F64_ADD && ((is_acc(c, &a, ACC_F64) && try_mul_al_add(c, &a, &b, dst)) ||
                              (is_acc(c, &b, ACC_F64) && try_mul_al_add(c, &b, &a, dst))))
      return push_slot(c, rt);
    if (di >= 0 && is_acc(c, &a, ACC_F64)) x = (core_xop_t)(XOP_F64_ADD_AS + 5 * di);
    else if (di >= 0 && is_acc(c, &b, ACC_F64)) x = (core_xop_t)(XOP_F64_ADD_AS + 5 * di + 1);
    mat_const(c, &a);
    mat_const(c, &b);
    size_t pos = emit_i4(c, x, dst, src_of(&a), src_of(&b), 0);
    int acc = rt == VT_F64 && op != OPC_F64_COPYSIGN ? ACC_F64 : rt == VT_I32 ? ACC_INT : ACC_NONE;
    set_fresh_acc(c, pos, offsetof(core_i4_t, a), dst, acc);
  }
  return push_slot(c, rt);
}

static bool do_unop(comp_t *c, core_op_t op, uint8_t t, uint8_t rt) {
  centry_t a;
  TRY(pop(c, t, &a));
  uint32_t dst = c->sp;
  if (live(c)) {
    mat_const(c, &a);
    size_t pos = emit_i2(c, (core_xop_t)(g_un_xop[op] - 1), dst, src_of(&a));
    int acc = (rt == VT_I32 || rt == VT_I64) ? ACC_INT
              : (rt == VT_F64 && op != OPC_F64_ABS && op != OPC_F64_NEG) ? ACC_F64
                                                                          : ACC_NONE;
    set_fresh_acc(c, pos, offsetof(core_i2_t, a), dst, acc);
    if (op == OPC_I32_EQZ && pos != NO_POS) {
      memset(&c->fresh_cond, 0, sizeof c->fresh_cond);
      c->fresh_cond.cmp = -1;
      c->fresh_cond.neg = true;
      c->fresh_cond.x = src_of(&a);
      c->fresh_has_cond = true;
    }
  }
  return push_slot(c, rt);
}

static uint8_t sig_type(char ch) {
  switch (ch) {
  case 'i': return VT_I32;
  case 'I': return VT_I64;
  case 'f': return VT_F32;
  case 'F': return VT_F64;
  case 'v': return VT_V128;
  default: return VT_UNKNOWN;
  }
}

/* ------------------------------------------------------------------ memory ops */
static bool read_memarg(comp_t *c, core_op_t op, uint32_t *mem, uint32_t *offset) {
  uint32_t align;
  TRY(rd_u32(c, &align));
  *mem = 0;
  if (align & 0x40) {
    align &= ~0x40u;
    TRY(rd_u32(c, mem));
  }
  TRY(rd_u32(c, offset));
  if (align >= 32) return fail(c, "malformed memop flags");
  if (*mem >= c->m->nmems) return fail(c, "unknown memory %u", (unsigned)*mem);
  if (align > core_opinfo[op].align) return fail(c, "alignment must not be larger than natural");
  return true;
}
static int mem_mode(const comp_t *c, uint32_t mem) { return mem ? 2 : (c->guarded ? 0 : 1); }

static core_xop_t load_xop(core_op_t op) {
  switch (op) {
  case OPC_I32_LOAD: case OPC_F32_LOAD: return XOP_I32_LOAD_G;
  case OPC_I64_LOAD: case OPC_F64_LOAD: return XOP_I64_LOAD_G;
  case OPC_I32_LOAD8_S: return XOP_I32_LOAD8_S_G;
  case OPC_I32_LOAD8_U: return XOP_I32_LOAD8_U_G;
  case OPC_I32_LOAD16_S: return XOP_I32_LOAD16_S_G;
  case OPC_I32_LOAD16_U: return XOP_I32_LOAD16_U_G;
  case OPC_I64_LOAD8_S: return XOP_I64_LOAD8_S_G;
  case OPC_I64_LOAD8_U: return XOP_I64_LOAD8_U_G;
  case OPC_I64_LOAD16_S: return XOP_I64_LOAD16_S_G;
  case OPC_I64_LOAD16_U: return XOP_I64_LOAD16_U_G;
  case OPC_I64_LOAD32_S: return XOP_I64_LOAD32_S_G;
  default: return XOP_I64_LOAD32_U_G;
  }
}
static core_xop_t store_xop(core_op_t op) {
  switch (op) {
  case OPC_I32_STORE8: case OPC_I64_STORE8: return XOP_STORE8_G;
  case OPC_I32_STORE16: case OPC_I64_STORE16: return XOP_STORE16_G;
  case OPC_I32_STORE: case OPC_F32_STORE: case OPC_I64_STORE32: return XOP_STORE32_G;
  default: return XOP_STORE64_G;
  }
}

static bool do_load(comp_t *c, core_op_t op) {
  uint32_t mem, offset;
  TRY(read_memarg(c, op, &mem, &offset));
  const char *sig = core_opinfo[op].sig;
  centry_t a;
  TRY(pop(c, VT_I32, &a));
  uint32_t dst = c->sp;
  int mode = mem_mode(c, mem);
  uint32_t x;
  uint64_t k;
  int v;
  uint8_t rt = sig_type(sig[2]);
  int acc = (rt == VT_I32 || rt == VT_I64) ? ACC_INT : ACC_NONE;
  int li = (load_xop(op) - XOP_I32_LOAD_G) / 3;
  if (live(c) && mode == 0 && take_addr_index(c, &a, &x, &k, &v)) {
    size_t pos = emit_i4k(c, (core_xop_t)(XOP_I32_LOAD_X_G + li), dst, x, (uint32_t)v, offset, k);
    set_fresh_acc(c, pos, offsetof(core_i4k_t, a), dst, acc);
    return push_slot(c, rt);
  }
  if (live(c) && mode < 2 && (v = take_addr_add(c, &a, &x, &k)) >= 0) {
    core_xop_t fx = (core_xop_t)(XOP_I32_LOAD_AI_G + 4 * li + v + mode);
    size_t pos = emit_i4k(c, fx, dst, x, offset, mem, k);
    set_fresh_acc(c, pos, offsetof(core_i4k_t, a), dst, acc);
    return push_slot(c, rt);
  }
  if (live(c)) {
    core_xop_t lx = (core_xop_t)(load_xop(op) + mode);
    if (mode < 2 && is_acc(c, &a, ACC_INT)) lx = (core_xop_t)(XOP_I32_LOAD_A_G + 2 * li + mode);
    mat_const(c, &a);
    size_t pos = emit_i4(c, lx, dst, src_of(&a), offset, mem);
    set_fresh_acc(c, pos, offsetof(core_i4_t, a), dst, acc);
  }
  return push_slot(c, sig_type(sig[2]));
}
static bool do_store(comp_t *c, core_op_t op) {
  uint32_t mem, offset;
  TRY(read_memarg(c, op, &mem, &offset));
  const char *sig = core_opinfo[op].sig;
  centry_t v, a;
  TRY(pop(c, sig_type(sig[1]), &v));
  TRY(pop(c, VT_I32, &a));
  int mode = mem_mode(c, mem);
  core_xop_t sx = store_xop(op);
  if (try_f64_rmw(c, sx, mode, &a, &v, offset)) return true;
  if (live(c) && v.kind == K_CONST) {
    mat_const(c, &a);
    emit_i4k(c, (core_xop_t)(XOP_STORE8_K_G + 3 * ((sx - XOP_STORE8_G) / 3) + mode), src_of(&a), 0, offset, mem,
             v.k);
    return true;
  }
  uint32_t x;
  uint64_t k;
  int var;
  if (live(c) && mode < 2 && (var = take_addr_add(c, &a, &x, &k)) >= 0) {
    core_xop_t fx = (core_xop_t)(XOP_I32_LOAD_AI_G + 4 * ((sx - XOP_I32_LOAD_G) / 3) + var + mode);
    emit_i4k(c, fx, x, src_of(&v), offset, mem, k);
    return true;
  }
  if (live(c)) {
    core_xop_t x = (core_xop_t)(sx + mode);
    if (mode < 2 && is_acc(c, &v, ACC_INT)) x = (core_xop_t)(XOP_STORE8_VA_G + 2 * ((sx - XOP_STORE8_G) / 3) + mode);
    else if (mode < 2 && sx == XOP_STORE64_G && is_acc(c, &v, ACC_F64)) x = (core_xop_t)(XOP_STORE64_VD_G + mode);
    mat_const(c, &a);
    mat_const(c, &v);
    emit_i4(c, x, src_of(&a), src_of(&v), offset, mem);
  }
  return true;
}

/* Pops n i32/ref operands of a bulk instruction and returns the slot of the first; they
 * end up in consecutive canonical slots. */
static bool pop_bulk(comp_t *c, const uint8_t *types, uint32_t n, uint32_t *base) {
  centry_t e[3];
  for (uint32_t j = n; j-- > 0;) TRY(pop(c, types[j], &e[j]));
  for (uint32_t j = 0; j < n; j++) mat(c, &e[j], false);
  *base = c->sp;
  return true;
}

/* ------------------------------------------------------------------ the main loop */
#include "core/compile_simd.inc"

static bool check_table(comp_t *c, uint32_t t) {
  if (t >= c->m->ntables) return fail(c, "unknown table %u", (unsigned)t);
  return true;
}
static bool check_data(comp_t *c, uint32_t d) {
  if (!c->m->has_datacount) return fail(c, "data count section required");
  if (d >= c->m->datacount) return fail(c, "unknown data segment %u", (unsigned)d);
  return true;
}
static bool check_elem(comp_t *c, uint32_t e) {
  if (e >= c->m->nelems) return fail(c, "unknown elem segment %u", (unsigned)e);
  return true;
}
static bool check_mem(comp_t *c, uint32_t mem) {
  if (mem >= c->m->nmems) return fail(c, "unknown memory %u", (unsigned)mem);
  return true;
}

static uint32_t engine_type_id(comp_t *c, uint32_t typeidx) {
  if (c->mod->type_ids) return c->mod->type_ids[typeidx];
  return core_engine_type_id(c->mod->engine, &c->m->types[typeidx]);
}

static bool do_call(comp_t *c, uint32_t fidx, const core_functype_t *ft, bool indirect, uint32_t table,
                    uint32_t typeidx) {
  centry_t idx;
  memset(&idx, 0, sizeof idx);
  if (indirect) {
    TRY(pop(c, VT_I32, &idx));
    mat_const(c, &idx);
  }
  TRY(pop_push(c, core_ft_params(ft), ft->nparams));
  if (live(c)) mat_top(c, ft->nparams);
  uint32_t argslot = ft->nparams ? c->st.data[c->st.len - ft->nparams].slot : c->sp;
  for (uint32_t j = 0; j < ft->nparams; j++) take_top(c);
  if (indirect) {
    uint32_t id = engine_type_id(c, typeidx);
    if (id == UINT32_MAX) return oom(c);
    emit_i4(c, XOP_CALL_INDIRECT, argslot, id, table, src_of(&idx));
  } else if (fidx < c->m->nimported_funcs) {
    emit_i2(c, XOP_CALL_IMPORT, argslot, fidx);
  } else {
    /* the callee's parameter and local slots, from its declarations (it may not be compiled
     * yet; a malformed declaration fails the module before any code runs) */
    const core_code_t *cc = &c->m->codes[fidx - c->m->nimported_funcs];
    uint64_t ps = 0, ls = 0;
    for (uint32_t j = 0; j < ft->nparams; j++) ps += nslots(core_ft_params(ft)[j]);
    for (uint32_t g = 0; g < cc->ngroups; g++) ls += (uint64_t)cc->groups[g].count * nslots(cc->groups[g].type);
    if (ls > UINT32_MAX) ls = UINT32_MAX;
    uint64_t callee = (uint64_t)(uintptr_t)c->out[fidx - c->m->nimported_funcs];
    /* an argument computed by an i32 add-immediate just before (f(n - 1)): CALL_ADDI */
    core_i2k_t *ad = ft->nparams ? last_ins(c, XOP_I32_ADD_SI) : NULL;
    if (!ad && ft->nparams) ad = last_ins(c, XOP_I32_ADD_AI);
    if (ad && ad->a >= argslot && ad->a < argslot + ps && ad->a >= c->stack_base) {
      uint32_t x = ad->a, y = ad->b, k = (uint32_t)ad->k;
      drop_last(c);
      emit_i4k(c, XOP_CALL_ADDI, argslot, x, y, k, callee);
    } else {
      emit_i4k(c, XOP_CALL, argslot, (uint32_t)ps, (uint32_t)ls, fidx, callee);
    }
  }
  c->sp = argslot;
  for (uint32_t j = 0; j < ft->nresults; j++) TRY(push_slot(c, core_ft_results(ft)[j]));
  /* a direct call of a wasm function returns one integer result in acc as well (RET_1,
   * RET_K): the next instruction may read it from there */
  if (!indirect && fidx >= c->m->nimported_funcs && ft->nresults == 1 && live(c) &&
      (core_ft_results(ft)[0] == VT_I32 || core_ft_results(ft)[0] == VT_I64) && c->hist[0].end == c->len) {
    c->acc_end = c->len;
    c->acc_slot = argslot;
    c->acc_kind = ACC_INT;
  }
  return true;
}

static bool do_end(comp_t *c, bool *done) {
  cframe_t *f = &VEC_LAST(&c->cs);
  /* pop_vals(results) and the height check */
  size_t avail = c->st.len - f->height;
  if (avail > f->nresults) return fail(c, "type mismatch: values remaining on stack at end of block");
  TRY(pop_push(c, f->results, f->nresults));
  if (f->kind == F_IF &&
      (f->nparams != f->nresults || (f->nparams && memcmp(f->params, f->results, f->nparams) != 0)))
    return fail(c, "type mismatch: if without else must have matching parameter and result types");
  if (f->kind == F_FUNC) {
    if (live(c)) {
      prep_return(c);
      emit_return(c);
    }
    c->cs.len--;
    *done = true;
    return true;
  }
  if (live(c)) mat_top(c, f->nresults);
  size_t here = place_label(c);
  resolve_patches(c, f, here);
  if (f->else_patch != NO_POS) patch_at(c, f->else_patch, f->else_field, here);
  uint32_t height = f->height, nr = f->nresults;
  const uint8_t *res = f->results;
  while (c->st.len > height) take_top(c);
  c->cs.len--;
  for (uint32_t j = 0; j < nr; j++) TRY(push_slot(c, res[j]));
  return true;
}

static bool compile_op(comp_t *c, bool *done) {
  const core_module_t *m = c->m;
  c->op_off = base_reader_off(&c->r);
  uint8_t b;
  TRY(rd_u8(c, &b));
  core_op_t op;
  if (b == 0xfc || b == 0xfd) {
    uint32_t sub;
    TRY(rd_u32(c, &sub));
    op = core_op_from_code(b, sub);
    if (op == OPC__COUNT) return fail(c, "illegal opcode 0x%02x %u", b, (unsigned)sub);
  } else {
    op = core_op_from_code(0, b);
    if (op == OPC__COUNT) return fail(c, "illegal opcode 0x%02x", b);
  }
  const core_opinfo_t *info = &core_opinfo[op];
  centry_t e, e2, e3;

  if (info->prefix == 0xfd) return compile_simd(c, op);

  switch (op) {
  case OPC_UNREACHABLE:
    emit_i0(c, XOP_UNREACHABLE);
    set_unreachable(c);
    return true;
  case OPC_NOP:
    return true;
  case OPC_BLOCK:
  case OPC_LOOP: {
    const uint8_t *pt, *rt;
    uint32_t np, nr;
    TRY(read_blocktype(c, &pt, &np, &rt, &nr));
    TRY(pop_push(c, pt, np));
    if (live(c)) {
      mat_pending(c);
      mat_top(c, np);
    }
    TRY(push_frame(c, op == OPC_BLOCK ? F_BLOCK : F_LOOP, pt, np, rt, nr));
    if (op == OPC_LOOP) VEC_LAST(&c->cs).start = place_label(c);
    return true;
  }
  case OPC_IF: {
    const uint8_t *pt, *rt;
    uint32_t np, nr;
    TRY(read_blocktype(c, &pt, &np, &rt, &nr));
    TRY(pop(c, VT_I32, &e));
    TRY(pop_push(c, pt, np));
    size_t pos = NO_POS, field = 0;
    if (live(c)) {
      ccond_t cd;
      take_cond(c, &e, &cd);
      mat_pending(c);
      mat_top(c, np);
      pos = emit_cond_br(c, &cd, false, false, &field);
    }
    TRY(push_frame(c, F_IF, pt, np, rt, nr));
    VEC_LAST(&c->cs).else_patch = pos;
    VEC_LAST(&c->cs).else_field = field;
    return true;
  }
  case OPC_ELSE: {
    cframe_t *f = &VEC_LAST(&c->cs);
    if (f->kind != F_IF) return fail(c, "else without matching if");
    size_t avail = c->st.len - f->height;
    if (avail > f->nresults) return fail(c, "type mismatch: values remaining on stack at end of block");
    TRY(pop_push(c, f->results, f->nresults));
    if (live(c)) {
      mat_top(c, f->nresults);
      size_t pos = emit_i2(c, XOP_BR, 0, 0);
      TRY(add_patch(c, f, pos, pos + offsetof(core_i2_t, a)));
    }
    size_t here = place_label(c);
    if (f->else_patch != NO_POS) patch_at(c, f->else_patch, f->else_field, here);
    f->else_patch = NO_POS;
    while (c->st.len > f->height) take_top(c);
    f->kind = F_ELSE;
    f->unreachable = false;
    for (uint32_t j = 0; j < f->nparams; j++) TRY(push_slot(c, f->params[j]));
    return true;
  }
  case OPC_END:
    return do_end(c, done);
  case OPC_BR: {
    uint32_t depth, n;
    cframe_t *L = NULL;
    TRY(rd_u32(c, &depth));
    TRY(get_label(c, depth, &L));
    const uint8_t *lt = label_types(L, &n);
    TRY(pop_push(c, lt, n));
    if (live(c)) {
      if (L->kind == F_FUNC) prep_return(c);
      TRY(emit_branch(c, depth));
    }
    set_unreachable(c);
    return true;
  }
  case OPC_BR_IF: {
    uint32_t depth, n;
    cframe_t *L = NULL;
    TRY(rd_u32(c, &depth));
    TRY(get_label(c, depth, &L));
    TRY(pop(c, VT_I32, &e));
    const uint8_t *lt = label_types(L, &n);
    TRY(pop_push(c, lt, n));
    if (!live(c)) return true;
    ccond_t cd;
    take_cond(c, &e, &cd);
    size_t field;
    if (L->kind == F_FUNC) {
      prep_return(c);
      size_t pos = emit_cond_br(c, &cd, false, false, &field);
      emit_return(c);
      if (pos != NO_POS) patch_at(c, pos, field, place_label(c));
    } else if (needs_moves(c, L->base_slot, n)) {
      size_t pos = emit_cond_br(c, &cd, false, false, &field);
      TRY(emit_branch(c, depth));
      if (pos != NO_POS) patch_at(c, pos, field, place_label(c));
    } else if (L->kind == F_LOOP) {
      if (!try_incb(c, &cd, L->start)) {
        size_t pos = emit_cond_br(c, &cd, true, true, &field);
        if (pos != NO_POS) patch_at(c, pos, field, L->start);
      }
    } else {
      size_t pos = emit_cond_br(c, &cd, true, false, &field);
      TRY(add_patch(c, L, pos, field));
    }
    return true;
  }
  case OPC_BR_TABLE: {
    uint32_t n;
    TRY(rd_u32(c, &n));
    if (n > WELD_MAX_BR_TABLE_TARGETS) return fail(c, "br_table has too many targets");
    uint32_t *tg = base_alloc(((size_t)n + 1) * sizeof(uint32_t));
    if (!tg) return oom(c);
    bool ok = true;
    for (uint32_t j = 0; j <= n && ok; j++) ok = rd_u32(c, &tg[j]);
    if (ok) ok = pop(c, VT_I32, &e);
    cframe_t *L = NULL;
    uint32_t arity = 0;
    if (ok) ok = get_label(c, tg[n], &L);
    if (ok) label_types(L, &arity);
    for (uint32_t j = 0; j <= n && ok; j++) {
      cframe_t *Lj = NULL;
      uint32_t nj = 0;
      ok = get_label(c, tg[j], &Lj);
      if (!ok) break;
      const uint8_t *ltj = label_types(Lj, &nj);
      if (nj != arity) ok = fail(c, "type mismatch: br_table targets have different arities");
      else ok = pop_push_x(c, ltj, nj, true); /* push_vals(pop_vals(..)) keeps unknowns */
    }
    if (ok && live(c)) {
      /* the index, then the table of offsets; targets that need value moves (or are the
       * function's return) go through stubs emitted after the table */
      bool any_ret = false;
      for (uint32_t j = 0; j <= n; j++) any_ret |= c->cs.data[c->cs.len - 1 - tg[j]].kind == F_FUNC;
      if (any_ret) prep_return(c);
      mat_const(c, &e);
      size_t tsize = sizeof(core_i2_t) + (((size_t)n + 1) * 4 + 7) / 8 * 8;
      size_t pos;
      core_i2_t *ins = emit_raw(c, XOP_BR_TABLE, tsize, &pos);
      if (ins) {
        ins->a = src_of(&e);
        ins->b = n;
        uint32_t gen = ++c->br_table_gen;
        for (uint32_t j = 0; j <= n && ok; j++) {
          cframe_t *Lj = &c->cs.data[c->cs.len - 1 - tg[j]];
          size_t field = pos + sizeof(core_i2_t) + (size_t)j * 4;
          if (Lj->kind == F_FUNC || needs_moves(c, Lj->base_slot, arity)) {
            /* one stub (moves + branch) per distinct label */
            if (Lj->stub_gen == gen) {
              patch_at(c, pos, field, Lj->stub);
              continue;
            }
            Lj->stub_gen = gen;
            Lj->stub = place_label(c);
            patch_at(c, pos, field, Lj->stub);
            ok = emit_branch(c, tg[j]);
          } else if (Lj->kind == F_LOOP) {
            patch_at(c, pos, field, Lj->start);
          } else {
            ok = add_patch(c, Lj, pos, field);
          }
        }
      }
    }
    base_free(tg, ((size_t)n + 1) * sizeof(uint32_t));
    TRY(ok);
    set_unreachable(c);
    return true;
  }
  case OPC_RETURN: {
    TRY(pop_push(c, core_ft_results(c->ft), c->ft->nresults));
    if (live(c)) {
      prep_return(c);
      emit_return(c);
    }
    set_unreachable(c);
    return true;
  }
  case OPC_CALL: {
    uint32_t f;
    TRY(rd_u32(c, &f));
    if (f >= m->nfuncs) return fail(c, "unknown function %u", (unsigned)f);
    return do_call(c, f, &m->types[m->func_types[f]], false, 0, 0);
  }
  case OPC_CALL_INDIRECT: {
    uint32_t ti, tab;
    TRY(rd_u32(c, &ti));
    TRY(rd_u32(c, &tab));
    if (ti >= m->ntypes) return fail(c, "unknown type %u", (unsigned)ti);
    TRY(check_table(c, tab));
    if (m->tables[tab].elem != VT_FUNCREF) return fail(c, "type mismatch: call_indirect on a table of externref");
    return do_call(c, 0, &m->types[ti], true, tab, ti);
  }
  case OPC_DROP:
    return pop(c, VT_UNKNOWN, &e);
  case OPC_SELECT:
  case OPC_SELECT_T: {
    uint8_t t = VT_UNKNOWN;
    if (op == OPC_SELECT_T) {
      uint32_t n;
      TRY(rd_u32(c, &n));
      if (n != 1) return fail(c, "invalid result arity");
      TRY(rd_u8(c, &t));
      if (!core_is_valtype(t)) return fail(c, "malformed value type 0x%02x", t);
    }
    TRY(pop(c, VT_I32, &e3));
    TRY(pop(c, t, &e2));
    TRY(pop(c, t, &e));
    if (op == OPC_SELECT) {
      uint8_t t1 = e.type, t2 = e2.type;
      if (core_is_reftype(t1) || core_is_reftype(t2))
        return fail(c, "type mismatch: select without type on reference types");
      if (t1 != t2 && t1 != VT_UNKNOWN && t2 != VT_UNKNOWN)
        return fail(c, "type mismatch: select operands %s and %s", tname(t1), tname(t2));
      t = t1 == VT_UNKNOWN ? t2 : t1;
    }
    uint32_t dst = c->sp;
    if (live(c)) {
      mat_const(c, &e);
      mat_const(c, &e2);
      mat_const(c, &e3);
      size_t pos = emit_i4(c, t == VT_V128 ? XOP_SELECT2 : XOP_SELECT, dst, src_of(&e), src_of(&e2), src_of(&e3));
      set_fresh(c, pos, offsetof(core_i4_t, a), dst);
    }
    return push_slot(c, t);
  }
  case OPC_LOCAL_GET: {
    uint32_t x;
    TRY(rd_u32(c, &x));
    if (x >= c->nlocals) return fail(c, "unknown local %u", (unsigned)x);
    return push_local(c, c->ltype[x], x);
  }
  case OPC_LOCAL_SET:
  case OPC_LOCAL_TEE: {
    uint32_t x;
    TRY(rd_u32(c, &x));
    if (x >= c->nlocals) return fail(c, "unknown local %u", (unsigned)x);
    uint8_t t = c->ltype[x];
    TRY(pop(c, t, &e));
    uint32_t ls = c->lslot[x];
    bool retarget = false;
    if (live(c)) {
      bool fresh = is_fresh(c, &e);
      if (c->lpend[x] > 0) {
        mat_pending(c);
        fresh = false;
      }
      if (fresh) {
        memcpy(c->code + c->fresh_dst, &ls, 4);
        if (c->acc_end == c->len && c->acc_slot == c->fresh_slot) c->acc_slot = ls;
        c->fresh_slot = ls;
        c->fresh_end = NO_POS;
        retarget = true;
      } else if (e.kind == K_CONST) {
        emit_const(c, ls, e.k);
      } else {
        emit_move(c, t, ls, src_of(&e));
      }
    }
    if (op == OPC_LOCAL_TEE) {
      if (e.kind == K_CONST) return push_const(c, t, e.k);
      if (e.kind == K_SLOT && !retarget) {
        TRY(push_slot(c, t));
        return true;
      }
      return push_local(c, t, x);
    }
    return true;
  }
  case OPC_GLOBAL_GET: {
    uint32_t g;
    TRY(rd_u32(c, &g));
    if (g >= m->nglobals) return fail(c, "unknown global %u", (unsigned)g);
    uint8_t t = m->globals[g].type.type;
    uint32_t dst = c->sp;
    size_t pos = emit_i2(c, t == VT_V128 ? XOP_GLOBAL_GET2 : XOP_GLOBAL_GET, dst, g);
    set_fresh(c, pos, offsetof(core_i2_t, a), dst);
    return push_slot(c, t);
  }
  case OPC_GLOBAL_SET: {
    uint32_t g;
    TRY(rd_u32(c, &g));
    if (g >= m->nglobals) return fail(c, "unknown global %u", (unsigned)g);
    if (!m->globals[g].type.mut) return fail(c, "global is immutable");
    uint8_t t = m->globals[g].type.type;
    TRY(pop(c, t, &e));
    mat_const(c, &e);
    emit_i2(c, t == VT_V128 ? XOP_GLOBAL_SET2 : XOP_GLOBAL_SET, src_of(&e), g);
    return true;
  }
  case OPC_TABLE_GET: {
    uint32_t tab;
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    TRY(pop(c, VT_I32, &e));
    mat_const(c, &e);
    uint32_t dst = c->sp;
    size_t pos = emit_i4(c, XOP_TABLE_GET, dst, src_of(&e), tab, 0);
    set_fresh(c, pos, offsetof(core_i4_t, a), dst);
    return push_slot(c, m->tables[tab].elem);
  }
  case OPC_TABLE_SET: {
    uint32_t tab;
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    TRY(pop(c, m->tables[tab].elem, &e2));
    TRY(pop(c, VT_I32, &e));
    mat_const(c, &e);
    mat_const(c, &e2);
    emit_i4(c, XOP_TABLE_SET, src_of(&e), src_of(&e2), tab, 0);
    return true;
  }
  case OPC_I32_LOAD: case OPC_I64_LOAD: case OPC_F32_LOAD: case OPC_F64_LOAD:
  case OPC_I32_LOAD8_S: case OPC_I32_LOAD8_U: case OPC_I32_LOAD16_S: case OPC_I32_LOAD16_U:
  case OPC_I64_LOAD8_S: case OPC_I64_LOAD8_U: case OPC_I64_LOAD16_S: case OPC_I64_LOAD16_U:
  case OPC_I64_LOAD32_S: case OPC_I64_LOAD32_U:
    return do_load(c, op);
  case OPC_I32_STORE: case OPC_I64_STORE: case OPC_F32_STORE: case OPC_F64_STORE:
  case OPC_I32_STORE8: case OPC_I32_STORE16: case OPC_I64_STORE8: case OPC_I64_STORE16:
  case OPC_I64_STORE32:
    return do_store(c, op);
  case OPC_MEMORY_SIZE: {
    uint32_t mem = 0;
    TRY(rd_memidx_byte(c, &mem));
    TRY(check_mem(c, mem));
    uint32_t dst = c->sp;
    size_t pos = emit_i2(c, XOP_MEMORY_SIZE, dst, mem);
    set_fresh(c, pos, offsetof(core_i2_t, a), dst);
    return push_slot(c, VT_I32);
  }
  case OPC_MEMORY_GROW: {
    uint32_t mem = 0;
    TRY(rd_memidx_byte(c, &mem));
    TRY(check_mem(c, mem));
    TRY(pop(c, VT_I32, &e));
    mat(c, &e, false);
    emit_i2(c, XOP_MEMORY_GROW, e.slot, mem);
    return push_slot(c, VT_I32);
  }
  case OPC_I32_CONST: {
    int32_t v;
    if (!base_read_s32(&c->r, &v)) return fail(c, "%s", c->r.err ? c->r.err : "malformed i32");
    return push_const(c, VT_I32, (uint32_t)v);
  }
  case OPC_I64_CONST: {
    int64_t v;
    if (!base_read_s64(&c->r, &v)) return fail(c, "%s", c->r.err ? c->r.err : "malformed i64");
    return push_const(c, VT_I64, (uint64_t)v);
  }
  case OPC_F32_CONST: {
    uint32_t v;
    if (!base_read_fixed32(&c->r, &v)) return fail(c, "unexpected end of section or function");
    return push_const(c, VT_F32, v);
  }
  case OPC_F64_CONST: {
    uint64_t v;
    if (!base_read_fixed64(&c->r, &v)) return fail(c, "unexpected end of section or function");
    return push_const(c, VT_F64, v);
  }
  case OPC_I32_REINTERPRET_F32:
  case OPC_I64_REINTERPRET_F64:
  case OPC_F32_REINTERPRET_I32:
  case OPC_F64_REINTERPRET_I64: {
    /* the slot already holds the bits: just retype the entry */
    TRY(pop(c, sig_type(info->sig[0]), &e));
    uint8_t rt = sig_type(info->sig[2]);
    bool fresh = is_fresh(c, &e);
    size_t fe = c->fresh_end;
    if (e.kind == K_LOCAL) TRY(push_local(c, rt, e.local));
    else if (e.kind == K_CONST) TRY(push_const(c, rt, e.k));
    else TRY(push_slot(c, rt));
    if (fresh) c->fresh_end = fe;
    c->fresh_has_cond = false;
    return true;
  }
  case OPC_REF_NULL: {
    uint8_t t;
    TRY(rd_u8(c, &t));
    if (!core_is_reftype(t)) return fail(c, "malformed reference type 0x%02x", t);
    return push_const(c, t, 0);
  }
  case OPC_REF_IS_NULL: {
    TRY(pop(c, VT_UNKNOWN, &e));
    if (e.type != VT_UNKNOWN && !core_is_reftype(e.type))
      return fail(c, "type mismatch: expected a reference but found %s", tname(e.type));
    uint32_t dst = c->sp;
    if (live(c)) {
      mat_const(c, &e);
      size_t pos = emit_i2(c, XOP_REF_IS_NULL, dst, src_of(&e));
      set_fresh(c, pos, offsetof(core_i2_t, a), dst);
    }
    return push_slot(c, VT_I32);
  }
  case OPC_REF_FUNC: {
    uint32_t f;
    TRY(rd_u32(c, &f));
    if (f >= m->nfuncs) return fail(c, "unknown function %u", (unsigned)f);
    if (!m->func_declared || !m->func_declared[f]) return fail(c, "undeclared function reference");
    uint32_t dst = c->sp;
    size_t pos = emit_i2(c, XOP_REF_FUNC, dst, f);
    set_fresh(c, pos, offsetof(core_i2_t, a), dst);
    return push_slot(c, VT_FUNCREF);
  }
  case OPC_MEMORY_INIT: {
    uint32_t d = 0, mem = 0, base;
    TRY(rd_u32(c, &d));
    TRY(rd_memidx_byte(c, &mem));
    TRY(check_mem(c, mem));
    TRY(check_data(c, d));
    static const uint8_t t3[3] = {VT_I32, VT_I32, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i4(c, XOP_MEMORY_INIT, base, d, mem, 0);
    return true;
  }
  case OPC_DATA_DROP: {
    uint32_t d;
    TRY(rd_u32(c, &d));
    TRY(check_data(c, d));
    emit_i2(c, XOP_DATA_DROP, d, 0);
    return true;
  }
  case OPC_MEMORY_COPY: {
    uint32_t dm = 0, sm = 0, base;
    TRY(rd_memidx_byte(c, &dm));
    TRY(rd_memidx_byte(c, &sm));
    TRY(check_mem(c, dm));
    TRY(check_mem(c, sm));
    static const uint8_t t3[3] = {VT_I32, VT_I32, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i4(c, XOP_MEMORY_COPY, base, dm, sm, 0);
    return true;
  }
  case OPC_MEMORY_FILL: {
    uint32_t mem = 0, base;
    TRY(rd_memidx_byte(c, &mem));
    TRY(check_mem(c, mem));
    static const uint8_t t3[3] = {VT_I32, VT_I32, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i2(c, XOP_MEMORY_FILL, base, mem);
    return true;
  }
  case OPC_TABLE_INIT: {
    uint32_t el, tab, base;
    TRY(rd_u32(c, &el));
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    TRY(check_elem(c, el));
    if (m->elems[el].elemtype != m->tables[tab].elem)
      return fail(c, "type mismatch: element segment and table types differ");
    static const uint8_t t3[3] = {VT_I32, VT_I32, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i4(c, XOP_TABLE_INIT, base, el, tab, 0);
    return true;
  }
  case OPC_ELEM_DROP: {
    uint32_t el;
    TRY(rd_u32(c, &el));
    TRY(check_elem(c, el));
    emit_i2(c, XOP_ELEM_DROP, el, 0);
    return true;
  }
  case OPC_TABLE_COPY: {
    uint32_t dt, st, base;
    TRY(rd_u32(c, &dt));
    TRY(rd_u32(c, &st));
    TRY(check_table(c, dt));
    TRY(check_table(c, st));
    if (m->tables[dt].elem != m->tables[st].elem) return fail(c, "type mismatch: table types differ");
    static const uint8_t t3[3] = {VT_I32, VT_I32, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i4(c, XOP_TABLE_COPY, base, dt, st, 0);
    return true;
  }
  case OPC_TABLE_GROW: {
    uint32_t tab, base;
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    uint8_t t2[2] = {m->tables[tab].elem, VT_I32};
    TRY(pop_bulk(c, t2, 2, &base));
    emit_i4(c, XOP_TABLE_GROW, base, tab, 0, 0);
    return push_slot(c, VT_I32);
  }
  case OPC_TABLE_SIZE: {
    uint32_t tab;
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    uint32_t dst = c->sp;
    size_t pos = emit_i2(c, XOP_TABLE_SIZE, dst, tab);
    set_fresh(c, pos, offsetof(core_i2_t, a), dst);
    return push_slot(c, VT_I32);
  }
  case OPC_TABLE_FILL: {
    uint32_t tab, base;
    TRY(rd_u32(c, &tab));
    TRY(check_table(c, tab));
    uint8_t t3[3] = {VT_I32, m->tables[tab].elem, VT_I32};
    TRY(pop_bulk(c, t3, 3, &base));
    emit_i2(c, XOP_TABLE_FILL, base, tab);
    return true;
  }
  default:
    break;
  }

  /* numeric instructions with a fixed signature */
  const char *sig = info->sig;
  if (g_bin_xop[op]) return do_ibinop(c, op, sig_type(sig[0]));
  if (g_fbin_xop[op]) return do_fbinop(c, op, sig_type(sig[0]), sig_type(sig[3]));
  if (g_un_xop[op]) return do_unop(c, op, sig_type(sig[0]), sig_type(sig[2]));
  return fail(c, "illegal opcode %s", info->name);
}

/* ------------------------------------------------------------------ per function */
static bool ensure_locals(comp_t *c, size_t n) {
  if (n <= c->lcap) return true;
  size_t nc = n < 64 ? 64 : n;
  uint8_t *t = base_realloc(c->ltype, c->lcap, nc);
  if (!t) return oom(c);
  c->ltype = t;
  uint32_t *s = base_realloc(c->lslot, c->lcap * 4, nc * 4);
  if (!s) return oom(c);
  c->lslot = s;
  uint32_t *p = base_realloc(c->lpend, c->lcap * 4, nc * 4);
  if (!p) return oom(c);
  c->lpend = p;
  c->lcap = nc;
  return true;
}

static bool compile_func(comp_t *c, uint32_t ci) {
  const core_module_t *m = c->m;
  const core_code_t *code = &m->codes[ci];
  uint32_t fidx = m->nimported_funcs + ci;
  const core_functype_t *ft = &m->types[m->func_types[fidx]];
  c->ft = ft;
  c->op_off = code->body_offset;
  uint64_t total = (uint64_t)ft->nparams + code->nlocals;
  if (total > WELD_MAX_LOCALS) return fail(c, "too many locals");
  TRY(ensure_locals(c, (size_t)total));
  c->nlocals = (uint32_t)total;
  uint32_t slot = 0, li = 0;
  for (uint32_t j = 0; j < ft->nparams; j++, li++) {
    c->ltype[li] = core_ft_params(ft)[j];
    c->lslot[li] = slot;
    slot += nslots(c->ltype[li]);
  }
  uint32_t param_slots = slot;
  for (uint32_t g = 0; g < code->ngroups; g++) {
    uint8_t t = code->groups[g].type;
    if (!core_is_valtype(t)) return fail(c, "malformed value type 0x%02x", t);
    for (uint32_t k = 0; k < code->groups[g].count; k++, li++) {
      if (li >= total) return fail(c, "too many locals");
      c->ltype[li] = t;
      c->lslot[li] = slot;
      slot += nslots(t);
    }
  }
  if (li != total) return fail(c, "malformed local declarations");
  if (total) memset(c->lpend, 0, total * sizeof(uint32_t));
  c->stack_base = slot;
  c->sp = c->max_sp = slot;
  c->st.len = c->pend.len = c->cs.len = c->patches.len = 0;
  c->len = 0;
  c->fresh_end = c->acc_end = c->acc2_end = NO_POS;
  c->label_at = NO_POS;
  c->hist[0].pos = c->hist[0].end = c->hist[1].pos = c->hist[1].end = NO_POS;
  base_reader_init(&c->r, code->body, code->body_len, code->body_offset);

  TRY(push_frame(c, F_FUNC, NULL, 0, core_ft_results(ft), ft->nresults));
  bool done = false;
  while (!done) {
    if (base_reader_eof(&c->r)) {
      c->op_off = base_reader_off(&c->r);
      return fail(c, "unexpected end of section or function: END opcode expected");
    }
    if (!compile_op(c, &done)) {
      if (!c->err) fail(c, "invalid function body");
      return false;
    }
    if (c->err) return false;
  }
  if (!base_reader_eof(&c->r)) {
    c->op_off = base_reader_off(&c->r);
    return fail(c, "operators remaining after end of function");
  }

  core_compiled_func_t *cf = c->out[ci];
  cf->code = base_alloc(c->len ? c->len : 8);
  if (!cf->code) return oom(c);
  memcpy(cf->code, c->code, c->len);
  cf->ncells = c->len / 8;
  cf->type = ft;
  cf->func_index = fidx;
  cf->param_slots = param_slots;
  cf->local_slots = slot - param_slots;
  uint32_t rs = 0;
  for (uint32_t j = 0; j < ft->nresults; j++) rs += nslots(core_ft_results(ft)[j]);
  cf->result_slots = rs;
  cf->frame_slots = c->max_sp > rs ? c->max_sp : rs;
  if (cf->frame_slots < param_slots + CORE_ZERO_SLOTS) cf->frame_slots = param_slots + CORE_ZERO_SLOTS;
  cf->guarded = c->guarded;
  cf->mod = c->mod;
  return true;
}

void core_compiled_func_free(core_compiled_func_t *f) {
  if (!f) return;
  core_compiled_func_free(f->checked);
  base_free(f->code, f->ncells * 8);
  base_free(f, sizeof *f);
}

/* Compiles every function body of mod into out[0..ncodes) (entries allocated here when
 * NULL); guarded: memory 0 is accessed through guard pages. */
static weld_error_t *compile_all(weld_module_t *mod, core_compiled_func_t **out, bool guarded) {
  const core_module_t *m = mod->m;
  if (!__atomic_load_n(&g_tables_ready, __ATOMIC_ACQUIRE)) init_tables();
  comp_t *c = base_calloc(1, sizeof *c);
  if (!c) return base_error_oom();
  c->mod = mod;
  c->out = out;
  c->m = m;
  c->H = core_interp_handlers();
  c->guarded = guarded;
  weld_error_t *err = NULL;
  for (uint32_t i = 0; i < m->ncodes && !err; i++) {
    if (!out[i]) out[i] = base_calloc(1, sizeof(core_compiled_func_t));
    if (!out[i]) err = base_error_oom();
  }
  for (uint32_t i = 0; i < m->ncodes && !err; i++) {
    if (!compile_func(c, i)) {
      err = c->err ? c->err : base_error_oom();
      c->err = NULL;
    }
  }
  if (err) {
    for (uint32_t i = 0; i < m->ncodes; i++) {
      core_compiled_func_free(out[i]);
      out[i] = NULL;
    }
  }
  VEC_FREE(&c->st);
  VEC_FREE(&c->pend);
  VEC_FREE(&c->cs);
  VEC_FREE(&c->patches);
  base_free(c->code, c->cap);
  base_free(c->ltype, c->lcap);
  base_free(c->lslot, c->lcap * 4);
  base_free(c->lpend, c->lcap * 4);
  base_free(c, sizeof *c);
  return err;
}

weld_error_t *core_compile_module(weld_module_t *mod) {
  const core_module_t *m = mod->m;
  /* weld_module_new normally allocates the (zeroed) array; allocate it when it did not. */
  bool own_array = false;
  if (!mod->code && m->ncodes) {
    mod->code = base_calloc(m->ncodes, sizeof *mod->code);
    if (!mod->code) return base_error_oom();
    own_array = true;
  }
  weld_error_t *err = compile_all(mod, mod->code, !mod->engine->config.bounds_checks);
  if (err && own_array) {
    base_free(mod->code, m->ncodes * sizeof *mod->code);
    mod->code = NULL;
  }
  return err;
}

/* The bounds-checked variant: code compiled for guard pages cannot run against a memory 0
 * without a guard region (the engine's bounds_checks setting is per engine, but a memory
 * falls back to explicit checks when the OS refuses its address-space reservation, see
 * memory.c), so such an instance runs this variant instead (interp.c picks it at every
 * entry into the instance).  Made once per module, on first need, under a lock. */
static pthread_mutex_t g_checked_lock = PTHREAD_MUTEX_INITIALIZER;

const core_compiled_func_t *core_compiled_checked(const core_compiled_func_t *cf) {
  const core_compiled_func_t *v = __atomic_load_n(&cf->checked, __ATOMIC_ACQUIRE);
  if (v || !cf->guarded) return v ? v : cf;
  weld_module_t *mod = cf->mod;
  const core_module_t *m = mod->m;
  pthread_mutex_lock(&g_checked_lock);
  if (!__atomic_load_n(&cf->checked, __ATOMIC_ACQUIRE)) {
    core_compiled_func_t **out = base_calloc(m->ncodes ? m->ncodes : 1, sizeof *out);
    weld_error_t *err = out ? compile_all(mod, out, false) : base_error_oom();
    if (err) {
      weld_error_delete(err);
    } else {
      for (uint32_t i = 0; i < m->ncodes; i++) __atomic_store_n(&mod->code[i]->checked, out[i], __ATOMIC_RELEASE);
    }
    if (out) base_free(out, (m->ncodes ? m->ncodes : 1) * sizeof *out);
  }
  pthread_mutex_unlock(&g_checked_lock);
  return __atomic_load_n(&cf->checked, __ATOMIC_ACQUIRE);
}
