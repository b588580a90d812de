/* validate_code.c — validation of function bodies (core spec §3.3 "Instructions", §3.4.10
 * "Functions"), following the algorithm of the spec's appendix "Validation Algorithm":
 * an operand stack of value types (unknown = VT_ANY in unreachable code) and a control
 * stack of frames with their label types, height and unreachable flag.
 *
 * This is the validator of weld_module_validate; compile.c validates again while it
 * translates (weld_module_new).  The two must agree on every input: same verdict, same
 * message, same byte offset (the offset of the first invalid instruction).  Where the
 * spec leaves the order of checks open, this file follows compile.c (e.g. operands of a
 * call or branch are checked bottom-up, "expected N values but found M" when too few), so
 * a change of wording or order there must be made here too; tests/core/test_validate_code.c
 * compares the two on every module of the spec suite.
 *
 * Speed (the target is decode + validate at well over 100 MB/s): one flat byte array for
 * the operand stack and one array of frames, both reused across the functions of a module;
 * nothing is allocated per instruction.  Two layers:
 *   - run_body, the hot loop: the common instructions (locals, constants, numeric ops with
 *     a fixed signature, loads/stores, blocks without parameters, end, br, br_if, call) in
 *     their fully valid common form, with the reading position and stack height in
 *     locals and dispatch by computed goto on the opcode byte;
 *   - validate_op, the general path: every instruction, every immediate encoding, the
 *     polymorphic stack of unreachable code, every error.  The hot loop hands it any
 *     instruction it is not sure about, from that instruction's first byte, so messages
 *     come from one place.
 * Instruction shapes (immediates, signature, natural alignment, lanes) come from
 * opcodes.def through tables built once. */
#include "core/validate_code.h"
#include "core/opcodes.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include "base/reader.h"
#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#define VT_ANY 0 /* unknown type (unreachable code), as in the spec's algorithm */
enum { F_FUNC, F_BLOCK, F_LOOP, F_IF, F_ELSE };

typedef struct vframe {
  const uint8_t *params, *results;
  uint32_t np, nr;
  uint32_t height; /* operand stack height at entry (below the block's parameters) */
  uint8_t kind;
  bool unreachable;
} vframe_t;

typedef struct vstate {
  const core_module_t *m;
  const uint8_t *p, *end; /* reading position, end of the body */
  const uint8_t *body;
  size_t body_off;        /* byte offset of body in the module */
  const uint8_t *op;      /* start of the current instruction: where errors point */
  weld_error_t *err;
  uint8_t *vals;          /* operand stack: one value type per entry */
  uint32_t vh, vcap;
  vframe_t *cs;           /* control stack */
  uint32_t ch, ccap;
  uint8_t *ltype;         /* type of every local (parameters first) */
  uint32_t nlocals;
  size_t lcap;
  const core_functype_t *ft;
} vstate_t;

/* ------------------------------------------------------------------ instruction tables */

/* What the validator needs of each instruction beyond opcodes.def. */
typedef struct vsig {
  bool fixed;     /* "params:results" signature (not "*") */
  uint8_t np;     /* fixed: number of operands */
  uint8_t p[3];   /* fixed: operand types, bottom first */
  uint8_t r;      /* fixed: result type, VT_ANY for none */
  uint8_t lanes;  /* SIMD lane immediates: number of lanes */
} vsig_t;

static vsig_t g_sig[OPC__COUNT];
static uint16_t g_op1[256];  /* single-byte opcode -> core_op_t (OPC__COUNT: none) */
static uint8_t g_self[256];  /* g_self[t] == t: a pointer to a one-type result list */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void init_hot(void);
static bool run_body(struct vstate *v);

static uint8_t sig_type(char ch) {
  switch (ch) {
  case 'i': return VT_I32;
  case 'I': return VT_I64;
  case 'f': return VT_F32;
  case 'F': return VT_F64;
  case 'v': return VT_V128;
  default: return VT_ANY;
  }
}

/* Lanes of the shape named at the start of an instruction name ("i8x16.add" -> 16). */
static uint8_t name_lanes(const char *name) {
  if (!strncmp(name, "i8x16", 5)) return 16;
  if (!strncmp(name, "i16x8", 5)) return 8;
  if (!strncmp(name, "i32x4", 5) || !strncmp(name, "f32x4", 5)) return 4;
  return 2;
}

static void init_tables(void) {
  for (int i = 0; i < 256; i++) {
    g_op1[i] = (uint16_t)core_op_from_code(0, (uint32_t)i);
    g_self[i] = (uint8_t)i;
  }
  for (int i = 0; i < OPC__COUNT; i++) {
    const core_opinfo_t *o = &core_opinfo[i];
    vsig_t *s = &g_sig[i];
    memset(s, 0, sizeof *s);
    if (o->imm == IMM_LANE) s->lanes = name_lanes(o->name);
    else if (o->imm == IMM_MEMARG_LANE) s->lanes = (uint8_t)(16u >> o->align);
    const char *colon = strchr(o->sig, ':');
    if (!colon) continue;
    size_t np = (size_t)(colon - o->sig);
    if (np > 3 || strlen(colon + 1) > 1) continue; /* not a shape the validator knows: illegal */
    s->fixed = true;
    s->np = (uint8_t)np;
    for (size_t j = 0; j < np; j++) s->p[j] = sig_type(o->sig[j]);
    s->r = sig_type(colon[1]);
  }
  init_hot();
  run_body(NULL); /* fills g_disp */
}

/* ------------------------------------------------------------------ errors and reading */

static const char *tname(uint8_t t) { return t == VT_ANY ? "any" : core_valtype_name(t); }

__attribute__((format(printf, 2, 3))) static bool fail(vstate_t *v, const char *fmt, ...) {
  if (!v->err) {
    va_list ap;
    va_start(ap, fmt);
    v->err = base_error_v(v->body_off + (size_t)(v->op - v->body), fmt, ap);
    va_end(ap);
  }
  return false;
}
static bool oom(vstate_t *v) {
  if (!v->err) v->err = base_error_oom();
  return false;
}
#define TRY(x)                                                                           \
  do {                                                                                   \
    if (!(x)) return false;                                                              \
  } while (0)

static bool rd_u8(vstate_t *v, uint8_t *b) {
  if (v->p >= v->end) {
    *b = 0;
    return fail(v, "unexpected end of section or function");
  }
  *b = *v->p++;
  return true;
}

/* A reader over the rest of the body, for the multi-byte LEB128 paths. */
static void sub_reader(const vstate_t *v, base_reader_t *r) { base_reader_init(r, v->p, (size_t)(v->end - v->p), 0); }

static __attribute__((noinline)) bool rd_u32_slow(vstate_t *v, uint32_t *out) {
  base_reader_t r;
  sub_reader(v, &r);
  if (!base_read_u32(&r, out)) return fail(v, "%s", r.err ? r.err : "malformed integer");
  v->p = r.p;
  return true;
}
static inline bool rd_u32(vstate_t *v, uint32_t *out) {
  if (v->p < v->end && *v->p < 0x80) {
    *out = *v->p++;
    return true;
  }
  return rd_u32_slow(v, out);
}
/* Skips a signed LEB128 of at most `bits` bits, checked as base_read_sleb does. */
static __attribute__((noinline)) bool skip_sleb_slow(vstate_t *v, unsigned bits, const char *what) {
  base_reader_t r;
  sub_reader(v, &r);
  int64_t x;
  if (!base_read_sleb(&r, bits, &x)) return fail(v, "%s", r.err ? r.err : what);
  v->p = r.p;
  return true;
}
static inline bool skip_sleb(vstate_t *v, unsigned bits, const char *what) {
  if (v->p < v->end && *v->p < 0x80) {
    v->p++;
    return true;
  }
  return skip_sleb_slow(v, bits, what);
}
static bool skip_bytes(vstate_t *v, size_t n) {
  if ((size_t)(v->end - v->p) < n) return fail(v, "unexpected end of section or function");
  v->p += n;
  return true;
}
/* A reserved byte that multi-memory turns into a memory index: one byte, < 0x80. */
static bool rd_memidx_byte(vstate_t *v, uint32_t *idx) {
  uint8_t b;
  *idx = 0;
  TRY(rd_u8(v, &b));
  if (b & 0x80) return fail(v, "zero byte expected");
  *idx = b;
  return true;
}

/* ------------------------------------------------------------------ operand stack */

static __attribute__((noinline)) bool grow_vals(vstate_t *v) {
  if (v->vh >= WELD_MAX_OPERAND_STACK) return fail(v, "operand stack too deep");
  uint32_t ncap = v->vcap ? v->vcap * 2 : 256;
  if (ncap > WELD_MAX_OPERAND_STACK) ncap = WELD_MAX_OPERAND_STACK;
  uint8_t *nv = base_realloc(v->vals, v->vcap, ncap);
  if (!nv) return oom(v);
  v->vals = nv;
  v->vcap = ncap;
  return true;
}
static inline bool push(vstate_t *v, uint8_t t) {
  if (v->vh >= v->vcap && !grow_vals(v)) return false;
  v->vals[v->vh++] = t;
  return true;
}
static inline vframe_t *top_frame(vstate_t *v) { return &v->cs[v->ch - 1]; }

/* pop_val of the spec's algorithm; expect VT_ANY accepts anything.  *out is the popped
 * type (the expected one when the entry was unknown). */
static bool pop(vstate_t *v, uint8_t expect, uint8_t *out) {
  const vframe_t *f = top_frame(v);
  *out = expect;
  if (v->vh == f->height) {
    if (f->unreachable) return true;
    if (expect == VT_ANY) return fail(v, "type mismatch: expected a value but nothing on stack");
    return fail(v, "type mismatch: expected %s but nothing on stack", tname(expect));
  }
  uint8_t t = v->vals[--v->vh];
  if (t == expect) return true;
  if (expect != VT_ANY && t != VT_ANY) return fail(v, "type mismatch: expected %s but found %s", tname(expect), tname(t));
  if (t != VT_ANY) *out = t;
  return true;
}

/* Checks that the top n entries have the given types without consuming them (pop_vals
 * then push_vals): unknown entries take the expected types (unless keep_unknown, as
 * br_table's per-target check), and in unreachable code missing entries appear. */
static bool pop_push_x(vstate_t *v, const uint8_t *types, uint32_t n, bool keep_unknown) {
  const vframe_t *f = top_frame(v);
  uint32_t avail = v->vh - f->height;
  if (avail >= n) {
    uint8_t *s = v->vals + v->vh - n;
    if (n == 0 || memcmp(s, types, n) == 0) return true;
    for (uint32_t j = 0; j < n; j++) {
      if (s[j] == VT_ANY) {
        if (!keep_unknown) s[j] = types[j];
      } else if (s[j] != types[j]) {
        return fail(v, "type mismatch: expected %s but found %s", tname(types[j]), tname(s[j]));
      }
    }
    return true;
  }
  if (!f->unreachable) return fail(v, "type mismatch: expected %u values but found %zu", (unsigned)n, (size_t)avail);
  uint8_t *s = v->vals + f->height;
  for (uint32_t j = 0; j < avail; j++) {
    uint8_t t = types[n - avail + j];
    if (s[j] != VT_ANY && s[j] != t)
      return fail(v, "type mismatch: expected %s but found %s", tname(t), tname(s[j]));
  }
  if (keep_unknown) return true;
  v->vh = f->height;
  for (uint32_t j = 0; j < n; j++) TRY(push(v, types[j]));
  return true;
}
static bool pop_push(vstate_t *v, const uint8_t *types, uint32_t n) { return pop_push_x(v, types, n, false); }

static void set_unreachable(vstate_t *v) {
  vframe_t *f = top_frame(v);
  v->vh = f->height;
  f->unreachable = true;
}

/* ------------------------------------------------------------------ control stack */

static bool push_frame(vstate_t *v, uint8_t kind, const uint8_t *params, uint32_t np, const uint8_t *results,
                       uint32_t nr) {
  if (v->ch >= v->ccap) {
    if (v->ch >= WELD_MAX_BLOCK_DEPTH) return fail(v, "blocks nested too deeply");
    uint32_t ncap = v->ccap ? v->ccap * 2 : 64;
    if (ncap > WELD_MAX_BLOCK_DEPTH) ncap = WELD_MAX_BLOCK_DEPTH;
    vframe_t *nc = base_realloc(v->cs, (size_t)v->ccap * sizeof *nc, (size_t)ncap * sizeof *nc);
    if (!nc) return oom(v);
    v->cs = nc;
    v->ccap = ncap;
  }
  vframe_t *f = &v->cs[v->ch++];
  f->kind = kind;
  f->unreachable = false;
  f->params = params;
  f->np = np;
  f->results = results;
  f->nr = nr;
  f->height = v->vh - np;
  return true;
}
static const uint8_t *label_types(const vframe_t *f, uint32_t *n) {
  if (f->kind == F_LOOP) {
    *n = f->np;
    return f->params;
  }
  *n = f->nr;
  return f->results;
}
static bool get_label(vstate_t *v, uint32_t depth, const vframe_t **out) {
  *out = NULL;
  if (depth >= v->ch) return fail(v, "unknown label %u", (unsigned)depth);
  *out = &v->cs[v->ch - 1 - depth];
  return true;
}

static bool read_blocktype(vstate_t *v, const uint8_t **params, uint32_t *np, const uint8_t **results,
                           uint32_t *nr) {
  *np = *nr = 0;
  *params = *results = NULL;
  if (v->p >= v->end) return fail(v, "unexpected end of section or function");
  uint8_t b = *v->p;
  if (b == 0x40) {
    v->p++;
    return true;
  }
  if (core_is_valtype(b)) {
    v->p++;
    *results = &g_self[b];
    *nr = 1;
    return true;
  }
  base_reader_t r;
  sub_reader(v, &r);
  int64_t idx;
  if (!base_read_sleb(&r, 33, &idx)) return fail(v, "%s", r.err ? r.err : "malformed block type");
  v->p = r.p;
  if (idx < 0) return fail(v, "malformed block type");
  if ((uint64_t)idx >= v->m->ntypes) return fail(v, "unknown type %lld", (long long)idx);
  const core_functype_t *t = &v->m->types[idx];
  *params = core_ft_params(t);
  *np = t->nparams;
  *results = core_ft_results(t);
  *nr = t->nresults;
  return true;
}

/* ------------------------------------------------------------------ instructions */

/* An instruction with a fixed signature: pop the operands (top first), push the result. */
static bool do_fixed(vstate_t *v, const vsig_t *s) {
  uint32_t np = s->np;
  if (v->vh - top_frame(v)->height >= np) { /* the common case: operands present and exact */
    const uint8_t *top = v->vals + v->vh - np;
    bool same = true;
    for (uint32_t j = 0; j < np; j++) same &= top[j] == s->p[j];
    if (same) {
      v->vh -= np;
      return s->r == VT_ANY || push(v, s->r);
    }
  }
  uint8_t t;
  for (uint32_t j = np; j-- > 0;) TRY(pop(v, s->p[j], &t));
  return s->r == VT_ANY || push(v, s->r);
}

static bool read_memarg(vstate_t *v, core_op_t op, uint32_t *mem) {
  uint32_t align, offset;
  *mem = 0;
  TRY(rd_u32(v, &align));
  if (align & 0x40) {
    align &= ~0x40u;
    TRY(rd_u32(v, mem));
  }
  TRY(rd_u32(v, &offset));
  if (align >= 32) return fail(v, "malformed memop flags");
  if (*mem >= v->m->nmems) return fail(v, "unknown memory %u", (unsigned)*mem);
  if (align > core_opinfo[op].align) return fail(v, "alignment must not be larger than natural");
  return true;
}

static bool check_table(vstate_t *v, uint32_t t) {
  if (t >= v->m->ntables) return fail(v, "unknown table %u", (unsigned)t);
  return true;
}
static bool check_data(vstate_t *v, uint32_t d) {
  if (!v->m->has_datacount) return fail(v, "data count section required");
  if (d >= v->m->datacount) return fail(v, "unknown data segment %u", (unsigned)d);
  return true;
}
static bool check_elem(vstate_t *v, uint32_t e) {
  if (e >= v->m->nelems) return fail(v, "unknown elem segment %u", (unsigned)e);
  return true;
}
static bool check_mem(vstate_t *v, uint32_t mem) {
  if (mem >= v->m->nmems) return fail(v, "unknown memory %u", (unsigned)mem);
  return true;
}

/* Pops operands of the given types, last first (the bulk instructions). */
static bool pop_n(vstate_t *v, const uint8_t *types, uint32_t n) {
  uint8_t t;
  for (uint32_t j = n; j-- > 0;) TRY(pop(v, types[j], &t));
  return true;
}
static const uint8_t k_i32x3[3] = {VT_I32, VT_I32, VT_I32};

static bool do_call(vstate_t *v, const core_functype_t *ft) {
  TRY(pop_push(v, core_ft_params(ft), ft->nparams));
  v->vh -= ft->nparams;
  const uint8_t *res = core_ft_results(ft);
  for (uint32_t j = 0; j < ft->nresults; j++) TRY(push(v, res[j]));
  return true;
}

/* end and else: the frame's results must be exactly what is on the stack. */
static bool check_frame_end(vstate_t *v, const vframe_t *f) {
  if (v->vh - f->height > f->nr) return fail(v, "type mismatch: values remaining on stack at end of block");
  return pop_push(v, f->results, f->nr);
}

static bool do_end(vstate_t *v, bool *done) {
  vframe_t *f = top_frame(v);
  TRY(check_frame_end(v, f));
  if (f->kind == F_IF && (f->np != f->nr || (f->np && memcmp(f->params, f->results, f->np) != 0)))
    return fail(v, "type mismatch: if without else must have matching parameter and result types");
  v->ch--;
  if (f->kind == F_FUNC) {
    *done = true;
    return true;
  }
  v->vh = f->height;
  for (uint32_t j = 0; j < f->nr; j++) TRY(push(v, f->results[j]));
  return true;
}

static bool do_br_table(vstate_t *v) {
  uint32_t n, d = 0;
  TRY(rd_u32(v, &n));
  if (n > WELD_MAX_BR_TABLE_TARGETS) return fail(v, "br_table has too many targets");
  const uint8_t *targets = v->p;
  for (uint32_t j = 0; j <= n; j++) TRY(rd_u32(v, &d)); /* d ends as the default target */
  const uint8_t *after = v->p;
  uint8_t t;
  TRY(pop(v, VT_I32, &t));
  const vframe_t *L;
  uint32_t arity = 0;
  TRY(get_label(v, d, &L));
  label_types(L, &arity);
  v->p = targets;
  for (uint32_t j = 0; j <= n; j++) {
    uint32_t nj = 0;
    TRY(rd_u32(v, &d));
    TRY(get_label(v, d, &L));
    const uint8_t *lt = label_types(L, &nj);
    if (nj != arity) return fail(v, "type mismatch: br_table targets have different arities");
    TRY(pop_push_x(v, lt, nj, true));
  }
  v->p = after;
  set_unreachable(v);
  return true;
}

/* SIMD instructions (0xFD prefix): shapes from opcodes.def, as compile_simd.inc. */
static bool simd_op(vstate_t *v, core_op_t op) {
  const core_opinfo_t *info = &core_opinfo[op];
  const vsig_t *s = &g_sig[op];
  uint8_t t, lane;
  switch (info->imm) {
  case IMM_V128:
    TRY(skip_bytes(v, 16));
    return push(v, VT_V128);
  case IMM_SHUFFLE: {
    if ((size_t)(v->end - v->p) < 16) return fail(v, "unexpected end of section or function");
    for (int j = 0; j < 16; j++)
      if (v->p[j] >= 32) return fail(v, "invalid lane index %u", (unsigned)v->p[j]);
    v->p += 16;
    return do_fixed(v, s);
  }
  case IMM_LANE:
    TRY(rd_u8(v, &lane));
    if (lane >= s->lanes) return fail(v, "invalid lane index %u", (unsigned)lane);
    return do_fixed(v, s);
  case IMM_MEMARG:
  case IMM_MEMARG_LANE: {
    uint32_t mem;
    TRY(read_memarg(v, op, &mem));
    if (info->imm == IMM_MEMARG_LANE) {
      TRY(rd_u8(v, &lane));
      if (lane >= s->lanes) return fail(v, "invalid lane index %u", (unsigned)lane);
    }
    if (s->r == VT_V128) { /* loads: [lane:] v128, then the address */
      if (info->imm == IMM_MEMARG_LANE) TRY(pop(v, VT_V128, &t));
      TRY(pop(v, VT_I32, &t));
      return push(v, VT_V128);
    }
    TRY(pop(v, VT_V128, &t));
    return pop(v, VT_I32, &t);
  }
  case IMM_NONE:
    if (!s->fixed || s->r == VT_ANY) return fail(v, "illegal opcode %s", info->name);
    return do_fixed(v, s);
  default:
    return fail(v, "illegal opcode %s", info->name);
  }
}

/* One instruction (v->op .. ); *done when the function's own end was read. */
static __attribute__((noinline)) bool validate_op(vstate_t *v, bool *done) {
  const core_module_t *m = v->m;
  v->op = v->p;
  uint8_t b = *v->p++; /* the caller checked that a byte is left */
  core_op_t op;
  if (b == 0xfc || b == 0xfd) {
    uint32_t sub;
    TRY(rd_u32(v, &sub));
    op = core_op_from_code(b, sub);
    if (op == OPC__COUNT) return fail(v, "illegal opcode 0x%02x %u", b, (unsigned)sub);
    if (b == 0xfd) return simd_op(v, op);
  } else {
    op = (core_op_t)g_op1[b];
    if (op == OPC__COUNT) return fail(v, "illegal opcode 0x%02x", b);
  }
  uint8_t t, t2, t3;
  uint32_t x, y;
  const vframe_t *L;

  switch (op) {
  case OPC_LOCAL_GET:
    TRY(rd_u32(v, &x));
    if (x >= v->nlocals) return fail(v, "unknown local %u", (unsigned)x);
    return push(v, v->ltype[x]);
  case OPC_LOCAL_SET:
  case OPC_LOCAL_TEE:
    TRY(rd_u32(v, &x));
    if (x >= v->nlocals) return fail(v, "unknown local %u", (unsigned)x);
    TRY(pop(v, v->ltype[x], &t));
    return op == OPC_LOCAL_SET || push(v, v->ltype[x]);
  case OPC_I32_CONST:
    TRY(skip_sleb(v, 32, "malformed i32"));
    return push(v, VT_I32);
  case OPC_I64_CONST:
    TRY(skip_sleb(v, 64, "malformed i64"));
    return push(v, VT_I64);
  case OPC_F32_CONST:
    TRY(skip_bytes(v, 4));
    return push(v, VT_F32);
  case OPC_F64_CONST:
    TRY(skip_bytes(v, 8));
    return push(v, VT_F64);
  case OPC_UNREACHABLE:
    set_unreachable(v);
    return true;
  case OPC_NOP:
    return true;
  case OPC_BLOCK:
  case OPC_LOOP: {
    const uint8_t *pt, *rt;
    uint32_t np, nr;
    TRY(read_blocktype(v, &pt, &np, &rt, &nr));
    TRY(pop_push(v, pt, np));
    return push_frame(v, op == OPC_BLOCK ? F_BLOCK : F_LOOP, pt, np, rt, nr);
  }
  case OPC_IF: {
    const uint8_t *pt, *rt;
    uint32_t np, nr;
    TRY(read_blocktype(v, &pt, &np, &rt, &nr));
    TRY(pop(v, VT_I32, &t));
    TRY(pop_push(v, pt, np));
    return push_frame(v, F_IF, pt, np, rt, nr);
  }
  case OPC_ELSE: {
    vframe_t *f = top_frame(v);
    if (f->kind != F_IF) return fail(v, "else without matching if");
    TRY(check_frame_end(v, f));
    v->vh = f->height;
    f->kind = F_ELSE;
    f->unreachable = false;
    for (uint32_t j = 0; j < f->np; j++) TRY(push(v, f->params[j]));
    return true;
  }
  case OPC_END:
    return do_end(v, done);
  case OPC_BR: {
    uint32_t n;
    TRY(rd_u32(v, &x));
    TRY(get_label(v, x, &L));
    const uint8_t *lt = label_types(L, &n);
    TRY(pop_push(v, lt, n));
    set_unreachable(v);
    return true;
  }
  case OPC_BR_IF: {
    uint32_t n;
    TRY(rd_u32(v, &x));
    TRY(get_label(v, x, &L));
    TRY(pop(v, VT_I32, &t));
    const uint8_t *lt = label_types(L, &n);
    return pop_push(v, lt, n);
  }
  case OPC_BR_TABLE:
    return do_br_table(v);
  case OPC_RETURN:
    TRY(pop_push(v, core_ft_results(v->ft), v->ft->nresults));
    set_unreachable(v);
    return true;
  case OPC_CALL:
    TRY(rd_u32(v, &x));
    if (x >= m->nfuncs) return fail(v, "unknown function %u", (unsigned)x);
    return do_call(v, &m->types[m->func_types[x]]);
  case OPC_CALL_INDIRECT:
    TRY(rd_u32(v, &x));
    TRY(rd_u32(v, &y));
    if (x >= m->ntypes) return fail(v, "unknown type %u", (unsigned)x);
    TRY(check_table(v, y));
    if (m->tables[y].elem != VT_FUNCREF) return fail(v, "type mismatch: call_indirect on a table of externref");
    TRY(pop(v, VT_I32, &t));
    return do_call(v, &m->types[x]);
  case OPC_DROP:
    return pop(v, VT_ANY, &t);
  case OPC_SELECT:
  case OPC_SELECT_T: {
    uint8_t st = VT_ANY;
    if (op == OPC_SELECT_T) {
      TRY(rd_u32(v, &x));
      if (x != 1) return fail(v, "invalid result arity");
      TRY(rd_u8(v, &st));
      if (!core_is_valtype(st)) return fail(v, "malformed value type 0x%02x", st);
    }
    TRY(pop(v, VT_I32, &t3));
    TRY(pop(v, st, &t2));
    TRY(pop(v, st, &t));
    if (op == OPC_SELECT) {
      if (core_is_reftype(t) || core_is_reftype(t2))
        return fail(v, "type mismatch: select without type on reference types");
      if (t != t2 && t != VT_ANY && t2 != VT_ANY)
        return fail(v, "type mismatch: select operands %s and %s", tname(t), tname(t2));
      st = t == VT_ANY ? t2 : t;
    }
    return push(v, st);
  }
  case OPC_GLOBAL_GET:
    TRY(rd_u32(v, &x));
    if (x >= m->nglobals) return fail(v, "unknown global %u", (unsigned)x);
    return push(v, m->globals[x].type.type);
  case OPC_GLOBAL_SET:
    TRY(rd_u32(v, &x));
    if (x >= m->nglobals) return fail(v, "unknown global %u", (unsigned)x);
    if (!m->globals[x].type.mut) return fail(v, "global is immutable");
    return pop(v, m->globals[x].type.type, &t);
  case OPC_TABLE_GET:
    TRY(rd_u32(v, &x));
    TRY(check_table(v, x));
    TRY(pop(v, VT_I32, &t));
    return push(v, m->tables[x].elem);
  case OPC_TABLE_SET:
    TRY(rd_u32(v, &x));
    TRY(check_table(v, x));
    TRY(pop(v, m->tables[x].elem, &t));
    return pop(v, VT_I32, &t);
  case OPC_I32_LOAD: case OPC_I64_LOAD: case OPC_F32_LOAD: case OPC_F64_LOAD:
  case OPC_I32_LOAD8_S: case OPC_I32_LOAD8_U: case OPC_I32_LOAD16_S: case OPC_I32_LOAD16_U:
  case OPC_I64_LOAD8_S: case OPC_I64_LOAD8_U: case OPC_I64_LOAD16_S: case OPC_I64_LOAD16_U:
  case OPC_I64_LOAD32_S: case OPC_I64_LOAD32_U:
  case OPC_I32_STORE: case OPC_I64_STORE: case OPC_F32_STORE: case OPC_F64_STORE:
  case OPC_I32_STORE8: case OPC_I32_STORE16: case OPC_I64_STORE8: case OPC_I64_STORE16:
  case OPC_I64_STORE32:
    TRY(read_memarg(v, op, &x));
    return do_fixed(v, &g_sig[op]);
  case OPC_MEMORY_SIZE:
  case OPC_MEMORY_GROW:
    TRY(rd_memidx_byte(v, &x));
    TRY(check_mem(v, x));
    return do_fixed(v, &g_sig[op]);
  case OPC_REF_NULL:
    TRY(rd_u8(v, &t));
    if (!core_is_reftype(t)) return fail(v, "malformed reference type 0x%02x", t);
    return push(v, t);
  case OPC_REF_IS_NULL:
    TRY(pop(v, VT_ANY, &t));
    if (t != VT_ANY && !core_is_reftype(t))
      return fail(v, "type mismatch: expected a reference but found %s", tname(t));
    return push(v, VT_I32);
  case OPC_REF_FUNC:
    TRY(rd_u32(v, &x));
    if (x >= m->nfuncs) return fail(v, "unknown function %u", (unsigned)x);
    if (!m->func_declared || !m->func_declared[x]) return fail(v, "undeclared function reference");
    return push(v, VT_FUNCREF);
  case OPC_MEMORY_INIT:
    TRY(rd_u32(v, &x));
    TRY(rd_memidx_byte(v, &y));
    TRY(check_mem(v, y));
    TRY(check_data(v, x));
    return pop_n(v, k_i32x3, 3);
  case OPC_DATA_DROP:
    TRY(rd_u32(v, &x));
    return check_data(v, x);
  case OPC_MEMORY_COPY:
    TRY(rd_memidx_byte(v, &x));
    TRY(rd_memidx_byte(v, &y));
    TRY(check_mem(v, x));
    TRY(check_mem(v, y));
    return pop_n(v, k_i32x3, 3);
  case OPC_MEMORY_FILL:
    TRY(rd_memidx_byte(v, &x));
    TRY(check_mem(v, x));
    return pop_n(v, k_i32x3, 3);
  case OPC_TABLE_INIT:
    TRY(rd_u32(v, &x));
    TRY(rd_u32(v, &y));
    TRY(check_table(v, y));
    TRY(check_elem(v, x));
    if (m->elems[x].elemtype != m->tables[y].elem)
      return fail(v, "type mismatch: element segment and table types differ");
    return pop_n(v, k_i32x3, 3);
  case OPC_ELEM_DROP:
    TRY(rd_u32(v, &x));
    return check_elem(v, x);
  case OPC_TABLE_COPY:
    TRY(rd_u32(v, &x));
    TRY(rd_u32(v, &y));
    TRY(check_table(v, x));
    TRY(check_table(v, y));
    if (m->tables[x].elem != m->tables[y].elem) return fail(v, "type mismatch: table types differ");
    return pop_n(v, k_i32x3, 3);
  case OPC_TABLE_GROW: {
    TRY(rd_u32(v, &x));
    TRY(check_table(v, x));
    uint8_t t2s[2] = {m->tables[x].elem, VT_I32};
    TRY(pop_n(v, t2s, 2));
    return push(v, VT_I32);
  }
  case OPC_TABLE_SIZE:
    TRY(rd_u32(v, &x));
    TRY(check_table(v, x));
    return push(v, VT_I32);
  case OPC_TABLE_FILL: {
    TRY(rd_u32(v, &x));
    TRY(check_table(v, x));
    uint8_t t3s[3] = {VT_I32, m->tables[x].elem, VT_I32};
    return pop_n(v, t3s, 3);
  }
  default:
    break;
  }
  /* numeric instructions: a fixed signature and no immediate */
  const vsig_t *s = &g_sig[op];
  if (!s->fixed || core_opinfo[op].imm != IMM_NONE) return fail(v, "illegal opcode %s", core_opinfo[op].name);
  return do_fixed(v, s);
}

/* ------------------------------------------------------------------ the hot loop */

/* The common instructions, checked with the stack pointer and reading position in locals
 * (validate_op keeps them in vstate_t, where every byte stored to the operand stack
 * forces them to be reloaded).  Only the fully valid common case is handled here:
 * anything else (other instructions, long immediates, unknown types, a missing operand,
 * a full stack, any error) rewinds to the instruction's first byte and goes through
 * validate_op, which gives the verdict and the message. */
enum {
  H_SLOW, H_NOP, H_FIX1, H_FIX2, H_LOAD, H_STORE, H_LGET, H_LSET, H_LTEE, H_GGET, H_GSET, H_I32C, H_I64C,
  H_F32C, H_F64C, H_DROP, H_BLOCK, H_LOOP, H_IF, H_END, H_BR, H_BR_IF, H_CALL, H_COUNT
};
typedef struct hot {
  uint8_t kind, p0, p1, r, align;
} hot_t;
static hot_t g_hot[256];

static void init_hot(void) {
  for (int b = 0; b < 256; b++) {
    core_op_t op = (core_op_t)g_op1[b];
    hot_t *h = &g_hot[b];
    memset(h, 0, sizeof *h);
    if (op == OPC__COUNT || b == 0xfc || b == 0xfd) continue;
    const vsig_t *s = &g_sig[op];
    const core_opinfo_t *o = &core_opinfo[op];
    h->p0 = s->p[0];
    h->p1 = s->p[1];
    h->r = s->r;
    h->align = o->align;
    switch (op) {
    case OPC_NOP: h->kind = H_NOP; break;
    case OPC_LOCAL_GET: h->kind = H_LGET; break;
    case OPC_LOCAL_SET: h->kind = H_LSET; break;
    case OPC_LOCAL_TEE: h->kind = H_LTEE; break;
    case OPC_GLOBAL_GET: h->kind = H_GGET; break;
    case OPC_GLOBAL_SET: h->kind = H_GSET; break;
    case OPC_I32_CONST: h->kind = H_I32C; break;
    case OPC_I64_CONST: h->kind = H_I64C; break;
    case OPC_F32_CONST: h->kind = H_F32C; break;
    case OPC_F64_CONST: h->kind = H_F64C; break;
    case OPC_DROP: h->kind = H_DROP; break;
    case OPC_BLOCK: h->kind = H_BLOCK; break;
    case OPC_LOOP: h->kind = H_LOOP; break;
    case OPC_IF: h->kind = H_IF; break;
    case OPC_END: h->kind = H_END; break;
    case OPC_BR: h->kind = H_BR; break;
    case OPC_BR_IF: h->kind = H_BR_IF; break;
    case OPC_CALL: h->kind = H_CALL; break;
    default:
      if (!s->fixed) break;
      if (o->imm == IMM_MEMARG) h->kind = s->np == 1 ? H_LOAD : H_STORE;
      else if (o->imm == IMM_NONE && s->np == 1 && s->r != VT_ANY) h->kind = H_FIX1;
      else if (o->imm == IMM_NONE && s->np == 2 && s->r != VT_ANY) h->kind = H_FIX2;
      break;
    }
  }
}

/* A u32 LEB128 of at most 4 bytes (always well-formed); NULL when longer or cut off. */
static inline const uint8_t *fast_u32(const uint8_t *p, const uint8_t *end, uint32_t *out) {
  if (p < end && *p < 0x80) {
    *out = *p;
    return p + 1;
  }
  uint32_t x = 0;
  for (unsigned i = 0; i < 4 && p + i < end; i++) {
    x |= (uint32_t)(p[i] & 0x7f) << (7 * i);
    if (!(p[i] & 0x80)) {
      *out = x;
      return p + i + 1;
    }
  }
  return NULL;
}
/* Skips a signed LEB128 of at most `n` bytes whose last permitted byte, if reached, must
 * have the bits of `mask` all equal (the sign and the unused bits: what base_read_sleb
 * checks); NULL when malformed or cut off (the general path then says why). */
static inline const uint8_t *fast_sleb(const uint8_t *p, const uint8_t *end, unsigned n, uint8_t mask) {
  if ((size_t)(end - p) < n) return NULL;
  for (unsigned i = 0; i < n - 1; i++)
    if (!(p[i] & 0x80)) return p + i + 1;
  uint8_t b = p[n - 1];
  if ((b & 0x80) || ((b & mask) != 0 && (b & mask) != mask)) return NULL;
  return p + n;
}

/* The n types at a equal those at b (n is small: block results, call parameters). */
static inline bool same_types(const uint8_t *a, const uint8_t *b, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (a[i] != b[i]) return false;
  return true;
}

/* Dispatch: computed goto through g_disp (one label per opcode byte), filled once by
 * run_body(NULL) from the labels of the kinds above. */
static const void *g_disp[256];

static bool run_body(vstate_t *v) {
  static const void *const k_kind[H_COUNT] = {
      [H_SLOW] = &&slow,    [H_NOP] = &&l_nop,     [H_FIX1] = &&l_fix1,   [H_FIX2] = &&l_fix2,
      [H_LOAD] = &&l_load,  [H_STORE] = &&l_store, [H_LGET] = &&l_lget,   [H_LSET] = &&l_lset,
      [H_LTEE] = &&l_ltee,  [H_GGET] = &&l_gget,   [H_GSET] = &&l_gset,   [H_I32C] = &&l_i32c,
      [H_I64C] = &&l_i64c,  [H_F32C] = &&l_f32c,   [H_F64C] = &&l_f64c,   [H_DROP] = &&l_drop,
      [H_BLOCK] = &&l_block, [H_LOOP] = &&l_block, [H_IF] = &&l_block,    [H_END] = &&l_end,
      [H_BR] = &&l_br,      [H_BR_IF] = &&l_br,    [H_CALL] = &&l_call,
  };
  if (!v) {
    for (int b = 0; b < 256; b++) g_disp[b] = k_kind[g_hot[b].kind];
    return true;
  }
  const core_module_t *m = v->m;
  const uint8_t *p = v->p, *ip = p, *q;
  const uint8_t *const end = v->end;
  const uint8_t *lt = v->ltype;
  const uint32_t nlocals = v->nlocals;
  uint8_t *vals;
  uint32_t vh, vcap, ch, ccap, height, x;
  vframe_t *cs;
  const hot_t *h;
  bool done = false;
#define RELOAD()                                                                         \
  (p = v->p, vals = v->vals, vh = v->vh, vcap = v->vcap, cs = v->cs, ch = v->ch, ccap = v->ccap, \
   height = cs[ch - 1].height)
#define NEXT()                                                                           \
  do {                                                                                   \
    if (p >= end) goto at_end;                                                           \
    ip = p;                                                                              \
    goto *g_disp[*p++];                                                                  \
  } while (0)
  RELOAD();
  NEXT();

l_nop:
  NEXT();
l_fix1:
  h = &g_hot[*ip];
  if (vh > height && vals[vh - 1] == h->p0) {
    vals[vh - 1] = h->r;
    NEXT();
  }
  goto slow;
l_fix2:
  h = &g_hot[*ip];
  if (vh - height >= 2 && vals[vh - 1] == h->p1 && vals[vh - 2] == h->p0) {
    vals[--vh - 1] = h->r;
    NEXT();
  }
  goto slow;
l_load: /* memarg: one-byte align (no memory index), offset */
  h = &g_hot[*ip];
  if (p < end && *p <= h->align && m->nmems && (q = fast_u32(p + 1, end, &x)) && vh > height &&
      vals[vh - 1] == VT_I32) {
    vals[vh - 1] = h->r;
    p = q;
    NEXT();
  }
  goto slow;
l_store:
  h = &g_hot[*ip];
  if (p < end && *p <= h->align && m->nmems && (q = fast_u32(p + 1, end, &x)) && vh - height >= 2 &&
      vals[vh - 1] == h->p1 && vals[vh - 2] == VT_I32) {
    vh -= 2;
    p = q;
    NEXT();
  }
  goto slow;
l_lget:
  if ((q = fast_u32(p, end, &x)) && x < nlocals && vh < vcap) {
    vals[vh++] = lt[x];
    p = q;
    NEXT();
  }
  goto slow;
l_lset:
  if ((q = fast_u32(p, end, &x)) && x < nlocals && vh > height && vals[vh - 1] == lt[x]) {
    vh--;
    p = q;
    NEXT();
  }
  goto slow;
l_ltee:
  if ((q = fast_u32(p, end, &x)) && x < nlocals && vh > height && vals[vh - 1] == lt[x]) {
    p = q;
    NEXT();
  }
  goto slow;
l_gget:
  if ((q = fast_u32(p, end, &x)) && x < m->nglobals && vh < vcap) {
    vals[vh++] = m->globals[x].type.type;
    p = q;
    NEXT();
  }
  goto slow;
l_gset:
  if ((q = fast_u32(p, end, &x)) && x < m->nglobals && m->globals[x].type.mut && vh > height &&
      vals[vh - 1] == m->globals[x].type.type) {
    vh--;
    p = q;
    NEXT();
  }
  goto slow;
l_i32c:
  if ((q = fast_sleb(p, end, 5, 0x78)) && vh < vcap) {
    vals[vh++] = VT_I32;
    p = q;
    NEXT();
  }
  goto slow;
l_i64c:
  if ((q = fast_sleb(p, end, 10, 0x7f)) && vh < vcap) {
    vals[vh++] = VT_I64;
    p = q;
    NEXT();
  }
  goto slow;
l_f32c:
  if (end - p >= 4 && vh < vcap) {
    vals[vh++] = VT_F32;
    p += 4;
    NEXT();
  }
  goto slow;
l_f64c:
  if (end - p >= 8 && vh < vcap) {
    vals[vh++] = VT_F64;
    p += 8;
    NEXT();
  }
  goto slow;
l_drop:
  if (vh > height) {
    vh--;
    NEXT();
  }
  goto slow;
l_block: { /* block, loop, if with block type [] -> [] or [] -> [t]: no parameters */
  if (p >= end || ch >= ccap) goto slow;
  uint8_t bt = *p;
  if (bt != 0x40 && !core_is_valtype(bt)) goto slow;
  uint8_t kind = *ip == 0x02 ? F_BLOCK : *ip == 0x03 ? F_LOOP : F_IF;
  if (kind == F_IF) {
    if (vh <= height || vals[vh - 1] != VT_I32) goto slow;
    vh--;
  }
  vframe_t *f = &cs[ch++];
  f->kind = kind;
  f->unreachable = false;
  f->params = NULL;
  f->np = 0;
  f->results = bt == 0x40 ? NULL : &g_self[bt];
  f->nr = bt != 0x40;
  f->height = height = vh;
  p++;
  NEXT();
}
l_end: { /* the end of an inner block whose results are exactly on the stack */
  const vframe_t *f = &cs[ch - 1];
  if (f->kind == F_FUNC || vh - height != f->nr || !same_types(vals + height, f->results, f->nr)) goto slow;
  if (f->kind == F_IF && (f->np != f->nr || !same_types(f->params, f->results, f->np))) goto slow;
  ch--;
  height = cs[ch - 1].height;
  NEXT();
}
l_br: { /* br, br_if with the label's values exactly on top */
  if (!(q = fast_u32(p, end, &x)) || x >= ch) goto slow;
  uint32_t n;
  const uint8_t *lab = label_types(&cs[ch - 1 - x], &n);
  bool cond = *ip == 0x0d;
  if (cond && (vh <= height || vals[vh - 1] != VT_I32)) goto slow;
  uint32_t top = vh - cond;
  if (top - height < n || !same_types(vals + top - n, lab, n)) goto slow;
  p = q;
  if (cond) {
    vh--;
  } else {
    vh = height;
    cs[ch - 1].unreachable = true;
  }
  NEXT();
}
l_call: {
  if (!(q = fast_u32(p, end, &x)) || x >= m->nfuncs) goto slow;
  const core_functype_t *ft = &m->types[m->func_types[x]];
  uint32_t np = ft->nparams, nr = ft->nresults;
  if (vh - height < np || !same_types(vals + vh - np, ft->types, np) || vh - np + nr > vcap) goto slow;
  vh -= np;
  if (nr == 1) vals[vh++] = core_ft_results(ft)[0];
  else if (nr) {
    memcpy(vals + vh, core_ft_results(ft), nr);
    vh += nr;
  }
  p = q;
  NEXT();
}

slow: /* everything else, and every doubt: the general path from the instruction's start */
  v->p = ip;
  v->vh = vh;
  v->ch = ch;
  if (!validate_op(v, &done)) {
    if (!v->err) fail(v, "invalid function body");
    return false;
  }
  if (done) return true;
  RELOAD();
  NEXT();

at_end:
  v->p = v->op = p;
  v->vh = vh;
  v->ch = ch;
  return fail(v, "unexpected end of section or function: END opcode expected");
#undef RELOAD
#undef NEXT
}

/* ------------------------------------------------------------------ per function */

static bool ensure_locals(vstate_t *v, size_t n) {
  if (n <= v->lcap && v->ltype) return true; /* never NULL, as the operand stack */
  size_t nc = n < 64 ? 64 : n;
  uint8_t *t = base_realloc(v->ltype, v->lcap, nc);
  if (!t) return oom(v);
  v->ltype = t;
  v->lcap = nc;
  return true;
}

static bool validate_func(vstate_t *v, uint32_t ci) {
  const core_module_t *m = v->m;
  const core_code_t *code = &m->codes[ci];
  const core_functype_t *ft = &m->types[m->func_types[m->nimported_funcs + ci]];
  v->ft = ft;
  v->body = v->op = v->p = code->body;
  v->end = code->body + code->body_len;
  v->body_off = code->body_offset;
  /* locals (the decoder has checked these; kept so that the two validators agree on any
   * module built by other means) */
  uint64_t total = (uint64_t)ft->nparams + code->nlocals;
  if (total > WELD_MAX_LOCALS) return fail(v, "too many locals");
  TRY(ensure_locals(v, (size_t)total));
  if (ft->nparams) memcpy(v->ltype, core_ft_params(ft), ft->nparams);
  uint64_t li = ft->nparams;
  for (uint32_t g = 0; g < code->ngroups; g++) {
    uint8_t t = code->groups[g].type;
    if (!core_is_valtype(t)) return fail(v, "malformed value type 0x%02x", t);
    uint32_t cnt = code->groups[g].count;
    if (cnt > total - li) return fail(v, "too many locals");
    memset(v->ltype + li, t, cnt);
    li += cnt;
  }
  if (li != total) return fail(v, "malformed local declarations");
  v->nlocals = (uint32_t)total;
  v->vh = v->ch = 0;

  TRY(push_frame(v, F_FUNC, NULL, 0, core_ft_results(ft), ft->nresults));
  TRY(run_body(v));
  if (v->p < v->end) {
    v->op = v->p;
    return fail(v, "operators remaining after end of function");
  }
  return true;
}

weld_error_t *core_validate_code(const core_module_t *m) {
  pthread_once(&g_once, init_tables);
  vstate_t v;
  memset(&v, 0, sizeof v);
  v.m = m;
  /* the operand stack is never NULL (pointer arithmetic on it is then always defined) */
  if (m->ncodes && !grow_vals(&v)) return v.err;
  for (uint32_t i = 0; i < m->ncodes; i++)
    if (!validate_func(&v, i)) break;
  base_free(v.vals, v.vcap);
  base_free(v.cs, (size_t)v.ccap * sizeof *v.cs);
  base_free(v.ltype, v.lcap);
  return v.err;
}
