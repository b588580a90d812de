/* wat_instr.c — instructions of the text format (core spec §6.5 "Instructions"): plain
 * instructions with their immediates, structured block/loop/if with labels and the
 * `end $l` / `else $l` checks, and folded instructions (§6.5.5), to the binary encoding of
 * §5.4.
 *
 * Folded instructions nest as deeply as the S-expressions do, so they are walked with an
 * explicit stack of frames instead of C recursion.  A folded plain instruction
 * `(op imm* folded*)` writes its operands first; its own bytes are encoded when it is
 * reached (so implicit types from type uses are inserted in textual order) and parked on a
 * byte stack (`pending`) until the operands are done.  `(if bt cond* (then ...) (else ...))`
 * parks `if bt` the same way behind its conditions. */
#include "base/alloc.h"
#include "base/limits.h"
#include "core/opcodes.h"
#include "text/numbers.h"
#include "text/wat_internal.h"
#include <string.h>

enum { FR_BODY, FR_FOLD_OP, FR_FOLD_BLOCK, FR_IF_COND, FR_IF_THEN, FR_IF_ELSE };

weld_error_t *text_wat_ops_init(wat_t *w) {
  for (int k = 0; k < OPC__COUNT; k++) {
    const char *name = core_opinfo[k].name;
    if (text_space_bind(&w->ops, name, strlen(name), (uint32_t)k) < 0) return base_error_oom();
  }
  return NULL;
}

void text_wat_func_reset(wat_t *w) {
  text_space_clear(&w->locals);
  w->nlocals = 0;
  w->labels.len = 0;
  w->frames.len = 0;
  w->pending.len = 0;
}

static void emit_op(base_buf_t *out, core_op_t op) {
  const core_opinfo_t *o = &core_opinfo[op];
  if (o->prefix) {
    base_buf_byte(out, o->prefix);
    base_buf_u32leb(out, o->code);
  } else {
    base_buf_byte(out, (uint8_t)o->code);
  }
}

static weld_error_t *lookup_op(wat_t *w, const text_sx_t *x, core_op_t *op) {
  uint32_t k;
  if (x->kind == SX_ATOM && text_space_lookup(&w->ops, x->text, x->len, &k) == 0) {
    *op = (core_op_t)k;
    return NULL;
  }
  if (x->kind == SX_LIST) return text_error(w->doc, x, "unexpected token: expected an instruction");
  return text_error(w->doc, x, "unknown operator %.*s", WAT_TOK(x));
}

static bool is_num_atom(const text_sx_t *x) {
  return x->kind == SX_ATOM && x->len > 0 &&
         ((x->text[0] >= '0' && x->text[0] <= '9') || x->text[0] == '+' || x->text[0] == '-' ||
          (x->len >= 3 && (!memcmp(x->text, "inf", 3) || !memcmp(x->text, "nan", 3))));
}

/* ---- index immediates -------------------------------------------------------------------- */

static weld_error_t *need(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t i, uint32_t n,
                          const char *what) {
  if (i < n) return NULL;
  (void)items;
  return text_error(w->doc, at, "unexpected end: expected %s", what);
}

static weld_error_t *index_imm(wat_t *w, int space, const text_sx_t *at, const text_sx_t *items,
                               uint32_t *i, uint32_t n, uint32_t *out) {
  weld_error_t *err = need(w, at, items, *i, n, "an index");
  if (err) return err;
  if (!text_is_index(&items[*i]))
    return text_error(w->doc, &items[*i], "unexpected token: expected a %s index", text_wat_space_name[space]);
  err = text_space_resolve(&w->spaces[space], w->doc, &items[*i], text_wat_space_name[space], out);
  if (!err) (*i)++;
  return err;
}

static weld_error_t *opt_index(wat_t *w, int space, const text_sx_t *items, uint32_t *i, uint32_t n,
                               uint32_t *out) {
  *out = 0;
  if (*i < n && text_is_index(&items[*i])) return index_imm(w, space, NULL, items, i, n, out);
  return NULL;
}

static weld_error_t *local_imm(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                               uint32_t n, uint32_t *out) {
  weld_error_t *err = need(w, at, items, *i, n, "a local index");
  if (err) return err;
  const text_sx_t *x = &items[*i];
  if (!text_is_index(x)) return text_error(w->doc, x, "unexpected token: expected a local index");
  if ((err = text_space_resolve(&w->locals, w->doc, x, "local", out))) return err;
  (*i)++;
  return NULL;
}

static weld_error_t *label_imm(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                               uint32_t n, uint32_t *out) {
  weld_error_t *err = need(w, at, items, *i, n, "a label");
  if (err) return err;
  const text_sx_t *x = &items[*i];
  if (x->kind == SX_ID) {
    const char *name, *ln;
    size_t len, ll;
    text_sx_id_name(x, &name, &len);
    for (size_t k = w->labels.len; k-- > 0;) {
      const text_sx_t *id = w->labels.data[k].id;
      if (!id) continue;
      text_sx_id_name(id, &ln, &ll);
      if (ll == len && memcmp(ln, name, len) == 0) {
        *out = (uint32_t)(w->labels.len - 1 - k);
        (*i)++;
        return NULL;
      }
    }
    return text_error(w->doc, x, "unknown label %.*s", WAT_TOK(x));
  }
  if (x->kind == SX_ATOM && text_parse_u32(x->text, x->len, out) == 0) {
    (*i)++;
    return NULL;
  }
  return text_error(w->doc, x, "unexpected token: expected a label");
}

/* ---- literals ------------------------------------------------------------------------------ */

static weld_error_t *lit_error(wat_t *w, const text_sx_t *x, const char *type) {
  if (is_num_atom(x)) return text_error(w->doc, x, "%s constant out of range: %.*s", type, WAT_TOK(x));
  return text_error(w->doc, x, "unexpected token: expected a %s literal", type);
}

static void put_le(base_buf_t *out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; k++) base_buf_byte(out, (uint8_t)(v >> (8 * k)));
}

/* One lane of v128.const (shape 0..5 = i8x16 i16x8 i32x4 i64x2 f32x4 f64x2). */
static weld_error_t *lane_lit(wat_t *w, int shape, const text_sx_t *x, base_buf_t *out) {
  static const char *const names[] = {"i8", "i16", "i32", "i64", "f32", "f64"};
  int r = -1;
  if (x->kind == SX_ATOM) switch (shape) {
    case 0: { uint8_t v; if (!(r = text_parse_i8(x->text, x->len, &v))) put_le(out, v, 1); break; }
    case 1: { uint16_t v; if (!(r = text_parse_i16(x->text, x->len, &v))) put_le(out, v, 2); break; }
    case 2: { uint32_t v; if (!(r = text_parse_i32(x->text, x->len, &v))) put_le(out, v, 4); break; }
    case 3: { uint64_t v; if (!(r = text_parse_i64(x->text, x->len, &v))) put_le(out, v, 8); break; }
    case 4: { uint32_t v; if (!(r = text_parse_f32(x->text, x->len, &v))) put_le(out, v, 4); break; }
    default: { uint64_t v; if (!(r = text_parse_f64(x->text, x->len, &v))) put_le(out, v, 8); break; }
    }
  return r ? lit_error(w, x, names[shape]) : NULL;
}

static weld_error_t *v128_imm(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                              uint32_t n, base_buf_t *out) {
  static const struct { const char *name; int lanes; } shapes[] = {
      {"i8x16", 16}, {"i16x8", 8}, {"i32x4", 4}, {"i64x2", 2}, {"f32x4", 4}, {"f64x2", 2}};
  weld_error_t *err = need(w, at, items, *i, n, "a vector shape");
  if (err) return err;
  int shape = -1;
  for (int k = 0; k < 6; k++)
    if (text_sx_is_atom(&items[*i], shapes[k].name)) shape = k;
  if (shape < 0) return text_error(w->doc, &items[*i], "unexpected token: expected a vector shape (i8x16, ..., f64x2)");
  const text_sx_t *shape_node = &items[(*i)++];
  int k = 0;
  for (; k < shapes[shape].lanes; k++) {
    if (*i >= n || items[*i].kind != SX_ATOM)
      return text_error(w->doc, *i < n ? &items[*i] : shape_node, "wrong number of lane literals for %s", shapes[shape].name);
    if ((err = lane_lit(w, shape, &items[*i], out))) return err;
    (*i)++;
  }
  if (*i < n && is_num_atom(&items[*i]))
    return text_error(w->doc, &items[*i], "wrong number of lane literals for %s", shapes[shape].name);
  return NULL;
}

static weld_error_t *lane_idx(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t *i,
                              uint32_t n, base_buf_t *out) {
  weld_error_t *err = need(w, at, items, *i, n, "a lane index");
  if (err) return err;
  uint32_t v;
  const text_sx_t *x = &items[*i];
  if (x->kind != SX_ATOM || text_parse_u32(x->text, x->len, &v) || v > 255) {
    if (is_num_atom(x)) return text_error(w->doc, x, "malformed lane index: %.*s", WAT_TOK(x));
    return text_error(w->doc, x, "unexpected token: expected a lane index");
  }
  base_buf_byte(out, (uint8_t)v);
  (*i)++;
  return NULL;
}

/* memarg (§6.5.6): memidx? offset=o? align=a? */
static weld_error_t *memarg(wat_t *w, core_op_t op, const text_sx_t *items, uint32_t *i, uint32_t n,
                            bool lane_follows, base_buf_t *out) {
  uint32_t mem = 0;
  weld_error_t *err;
  if (*i < n && text_is_index(&items[*i])) {
    /* with a lane operand, a lone number is the lane, not a memory index */
    bool is_mem = items[*i].kind == SX_ID;
    if (!is_mem && lane_follows && *i + 1 < n) {
      const text_sx_t *nx = &items[*i + 1];
      is_mem = (nx->kind == SX_ATOM && nx->len > 0 && nx->text[0] >= '0' && nx->text[0] <= '9') ||
               (nx->kind == SX_ATOM && nx->len > 7 && !memcmp(nx->text, "offset=", 7)) ||
               (nx->kind == SX_ATOM && nx->len > 6 && !memcmp(nx->text, "align=", 6));
    }
    if (!lane_follows || is_mem)
      if ((err = index_imm(w, WS_MEM, NULL, items, i, n, &mem))) return err;
  }
  uint64_t offset = 0;
  uint32_t align_log2 = core_opinfo[op].align;
  if (*i < n && items[*i].kind == SX_ATOM && items[*i].len >= 7 && !memcmp(items[*i].text, "offset=", 7)) {
    const text_sx_t *x = &items[*i];
    if (text_parse_u64(x->text + 7, x->len - 7, &offset) || offset > UINT32_MAX)
      return text_error(w->doc, x, "malformed offset: %.*s", WAT_TOK(x));
    (*i)++;
  }
  if (*i < n && items[*i].kind == SX_ATOM && items[*i].len >= 6 && !memcmp(items[*i].text, "align=", 6)) {
    const text_sx_t *x = &items[*i];
    uint32_t a;
    if (text_parse_u32(x->text + 6, x->len - 6, &a)) return text_error(w->doc, x, "malformed alignment: %.*s", WAT_TOK(x));
    if (a == 0 || (a & (a - 1))) return text_error(w->doc, x, "alignment must be a power of two: %.*s", WAT_TOK(x));
    align_log2 = 0;
    while ((1u << align_log2) != a) align_log2++;
    (*i)++;
  }
  if (mem != 0) {
    base_buf_u32leb(out, align_log2 | 0x40);
    base_buf_u32leb(out, mem);
  } else {
    base_buf_u32leb(out, align_log2);
  }
  base_buf_u64leb(out, offset);
  return NULL;
}

/* Up to `max` index atoms (for the instructions with optional leading indices). */
static uint32_t count_indices(const text_sx_t *items, uint32_t i, uint32_t n, uint32_t max) {
  uint32_t k = 0;
  while (i + k < n && k < max && text_is_index(&items[i + k])) k++;
  return k;
}

/* The immediates of a plain (non-block) instruction at items[*i..n), with the opcode. */
static weld_error_t *plain_instr(wat_t *w, core_op_t op, const text_sx_t *at, const text_sx_t *items,
                                 uint32_t *i, uint32_t n, base_buf_t *out) {
  weld_error_t *err = NULL;
  uint32_t a, b;
  const core_opinfo_t *o = &core_opinfo[op];
  if (op == OPC_SELECT) {
    if (*i < n && wat_is_form(&items[*i], "result")) {
      wat_bytes_t params = {0}, results = {0};
      err = text_wat_parse_params_results(w, items, n, i, &params, &results, NULL, false);
      if (!err && params.len) err = text_error(w->doc, at, "unexpected token: select takes no parameters");
      if (!err) {
        emit_op(out, OPC_SELECT_T);
        base_buf_u32leb(out, (uint32_t)results.len);
        base_buf_bytes(out, results.data, results.len);
      }
      VEC_FREE(&params);
      VEC_FREE(&results);
      return err;
    }
    emit_op(out, OPC_SELECT);
    return NULL;
  }
  switch (o->imm) {
  case IMM_NONE:
    emit_op(out, op);
    return NULL;
  case IMM_LABEL:
    if ((err = label_imm(w, at, items, i, n, &a))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, a);
    return NULL;
  case IMM_BR_TABLE: {
    VEC(uint32_t) labels = {0};
    while (*i < n && text_is_index(&items[*i])) {
      if ((err = label_imm(w, at, items, i, n, &a))) break;
      if (!VEC_PUSH(&labels, a)) {
        err = base_error_oom();
        break;
      }
    }
    if (!err && labels.len == 0) err = text_error(w->doc, *i < n ? &items[*i] : at, "unexpected token: br_table needs a label");
    if (!err) {
      emit_op(out, op);
      base_buf_u32leb(out, (uint32_t)labels.len - 1);
      for (size_t k = 0; k < labels.len; k++) base_buf_u32leb(out, labels.data[k]);
    }
    VEC_FREE(&labels);
    return err;
  }
  case IMM_FUNC:
  case IMM_GLOBAL:
  case IMM_DATA:
  case IMM_ELEM: {
    int space = o->imm == IMM_FUNC ? WS_FUNC : o->imm == IMM_GLOBAL ? WS_GLOBAL : o->imm == IMM_DATA ? WS_DATA : WS_ELEM;
    if ((err = index_imm(w, space, at, items, i, n, &a))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, a);
    if (o->imm == IMM_DATA) w->uses_data_count = true;
    return NULL;
  }
  case IMM_LOCAL:
    if ((err = local_imm(w, at, items, i, n, &a))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, a);
    return NULL;
  case IMM_CALL_INDIRECT: {
    uint32_t table = 0, typeidx, np;
    if ((err = opt_index(w, WS_TABLE, items, i, n, &table))) return err;
    if ((err = text_wat_typeuse(w, at, items, n, i, &typeidx, &np, NULL, false))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, typeidx);
    base_buf_u32leb(out, table);
    return NULL;
  }
  case IMM_TABLE:
  case IMM_MEMORY:
    if ((err = opt_index(w, o->imm == IMM_TABLE ? WS_TABLE : WS_MEM, items, i, n, &a))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, a);
    return NULL;
  case IMM_MEMORY_COPY:
  case IMM_TABLE_COPY: {
    int space = o->imm == IMM_TABLE_COPY ? WS_TABLE : WS_MEM;
    a = b = 0;
    uint32_t k = count_indices(items, *i, n, 2);
    if (k == 1) return text_error(w->doc, &items[*i], "unexpected token: %s takes two indices or none", o->name);
    if (k == 2 && ((err = index_imm(w, space, at, items, i, n, &a)) || (err = index_imm(w, space, at, items, i, n, &b))))
      return err;
    emit_op(out, op);
    base_buf_u32leb(out, a);
    base_buf_u32leb(out, b);
    return NULL;
  }
  case IMM_MEMORY_INIT:
  case IMM_TABLE_INIT: {
    int space = o->imm == IMM_TABLE_INIT ? WS_TABLE : WS_MEM;
    int seg = o->imm == IMM_TABLE_INIT ? WS_ELEM : WS_DATA;
    a = 0;
    uint32_t k = count_indices(items, *i, n, 2);
    if (k == 2 && (err = index_imm(w, space, at, items, i, n, &a))) return err;
    if ((err = index_imm(w, seg, at, items, i, n, &b))) return err;
    emit_op(out, op);
    base_buf_u32leb(out, b);
    base_buf_u32leb(out, a);
    if (seg == WS_DATA) w->uses_data_count = true;
    return NULL;
  }
  case IMM_MEMARG:
  case IMM_MEMARG_LANE: {
    base_buf_t tmp = {0};
    err = memarg(w, op, items, i, n, o->imm == IMM_MEMARG_LANE, &tmp);
    if (!err && o->imm == IMM_MEMARG_LANE) err = lane_idx(w, at, items, i, n, &tmp);
    if (!err && tmp.oom) err = base_error_oom();
    if (!err) {
      emit_op(out, op);
      base_buf_bytes(out, tmp.data, tmp.len);
    }
    base_buf_free(&tmp);
    return err;
  }
  case IMM_I32: {
    uint32_t v;
    if ((err = need(w, at, items, *i, n, "an i32 literal"))) return err;
    if (items[*i].kind != SX_ATOM || text_parse_i32(items[*i].text, items[*i].len, &v)) return lit_error(w, &items[*i], "i32");
    (*i)++;
    emit_op(out, op);
    base_buf_s32leb(out, (int32_t)v);
    return NULL;
  }
  case IMM_I64: {
    uint64_t v;
    if ((err = need(w, at, items, *i, n, "an i64 literal"))) return err;
    if (items[*i].kind != SX_ATOM || text_parse_i64(items[*i].text, items[*i].len, &v)) return lit_error(w, &items[*i], "i64");
    (*i)++;
    emit_op(out, op);
    base_buf_s64leb(out, (int64_t)v);
    return NULL;
  }
  case IMM_F32: {
    uint32_t v;
    if ((err = need(w, at, items, *i, n, "an f32 literal"))) return err;
    if (items[*i].kind != SX_ATOM || text_parse_f32(items[*i].text, items[*i].len, &v)) return lit_error(w, &items[*i], "f32");
    (*i)++;
    emit_op(out, op);
    put_le(out, v, 4);
    return NULL;
  }
  case IMM_F64: {
    uint64_t v;
    if ((err = need(w, at, items, *i, n, "an f64 literal"))) return err;
    if (items[*i].kind != SX_ATOM || text_parse_f64(items[*i].text, items[*i].len, &v)) return lit_error(w, &items[*i], "f64");
    (*i)++;
    emit_op(out, op);
    put_le(out, v, 8);
    return NULL;
  }
  case IMM_V128:
    emit_op(out, op);
    return v128_imm(w, at, items, i, n, out);
  case IMM_LANE:
    emit_op(out, op);
    return lane_idx(w, at, items, i, n, out);
  case IMM_SHUFFLE: {
    emit_op(out, op);
    for (int k = 0; k < 16; k++) {
      if (*i >= n || !is_num_atom(&items[*i]))
        return text_error(w->doc, *i < n ? &items[*i] : at, "invalid lane length: i8x16.shuffle needs 16 lane indices");
      if ((err = lane_idx(w, at, items, i, n, out))) return err;
    }
    if (*i < n && is_num_atom(&items[*i]))
      return text_error(w->doc, &items[*i], "invalid lane length: i8x16.shuffle needs 16 lane indices");
    return NULL;
  }
  case IMM_HEAPTYPE: {
    uint8_t t;
    if ((err = need(w, at, items, *i, n, "a heap type"))) return err;
    if (text_wat_heaptype(&items[*i], &t)) return text_error(w->doc, &items[*i], "unexpected token: expected func or extern");
    (*i)++;
    emit_op(out, op);
    base_buf_byte(out, t);
    return NULL;
  }
  case IMM_BLOCK:
  case IMM_SELECT_T:
    break;
  }
  return text_error(w->doc, at, "unexpected token %s", o->name);
}

/* ---- labels and blocks -------------------------------------------------------------------- */

static weld_error_t *push_label(wat_t *w, const text_sx_t *id, const text_sx_t *node, bool plain, bool is_if) {
  if (w->labels.len >= WELD_MAX_BLOCK_DEPTH) return text_error(w->doc, node, "blocks nested too deeply (more than %u)", WELD_MAX_BLOCK_DEPTH);
  wat_label_t l = {id, node, plain, is_if, 0, 0};
  if (!VEC_PUSH(&w->labels, l)) return base_error_oom();
  return NULL;
}

/* label? blocktype, writing opcode and block type. */
static weld_error_t *block_header(wat_t *w, core_op_t op, const text_sx_t *at, const text_sx_t *items,
                                  uint32_t *i, uint32_t n, base_buf_t *out, const text_sx_t **label) {
  *label = NULL;
  if (*i < n && items[*i].kind == SX_ID) *label = &items[(*i)++];
  emit_op(out, op);
  return text_wat_blocktype(w, at, items, n, i, out);
}

static bool same_id(const text_sx_t *a, const text_sx_t *b) {
  const char *x, *y;
  size_t lx, ly;
  text_sx_id_name(a, &x, &lx);
  text_sx_id_name(b, &y, &ly);
  return lx == ly && memcmp(x, y, lx) == 0;
}

/* The optional `$l` after `end` or `else` must repeat the block's label. */
static weld_error_t *check_end_label(wat_t *w, const text_sx_t *items, uint32_t *i, uint32_t n,
                                     const wat_label_t *l) {
  if (*i < n && items[*i].kind == SX_ID) {
    const text_sx_t *x = &items[*i];
    if (!l->id || !same_id(l->id, x)) return text_error(w->doc, x, "mismatching label %.*s", WAT_TOK(x));
    (*i)++;
  }
  return NULL;
}

/* ---- the frame machine -------------------------------------------------------------------- */

static weld_error_t *push_frame(wat_t *w, uint8_t kind, const text_sx_t *node, const text_sx_t *items,
                                uint32_t i, uint32_t n) {
  if (w->frames.len >= WELD_MAX_TEXT_NESTING + 8) return text_error(w->doc, node, "instructions nested too deeply");
  wat_frame_t f;
  memset(&f, 0, sizeof f);
  f.kind = kind;
  f.node = node;
  f.items = items;
  f.i = i;
  f.n = n;
  f.label_depth = w->labels.len;
  f.pending_start = w->pending.len;
  if (!VEC_PUSH(&w->frames, f)) return base_error_oom();
  return NULL;
}

/* A plain instruction at items[*i] in an instruction sequence. */
static weld_error_t *plain_in_seq(wat_t *w, wat_frame_t *f, base_buf_t *out) {
  const text_sx_t *items = f->items;
  const text_sx_t *x = &items[f->i];
  uint32_t n = f->n;
  core_op_t op = OPC__COUNT;
  weld_error_t *err = lookup_op(w, x, &op);
  if (err) return err;
  f->i++;
  switch (op) {
  case OPC_BLOCK:
  case OPC_LOOP:
  case OPC_IF: {
    const text_sx_t *label;
    if ((err = block_header(w, op, x, items, &f->i, n, out, &label))) return err;
    return push_label(w, label, x, true, op == OPC_IF);
  }
  case OPC_ELSE: {
    wat_label_t *l = w->labels.len > f->label_depth ? &w->labels.data[w->labels.len - 1] : NULL;
    if (!l || !l->plain || !l->is_if || l->has_else) return text_error(w->doc, x, "unexpected token: else without if");
    if ((err = check_end_label(w, items, &f->i, n, l))) return err;
    l->has_else = 1;
    emit_op(out, OPC_ELSE);
    l->else_end = out->len;
    return NULL;
  }
  case OPC_END: {
    wat_label_t *l = w->labels.len > f->label_depth ? &w->labels.data[w->labels.len - 1] : NULL;
    if (!l || !l->plain) return text_error(w->doc, x, "unexpected token: end without block");
    if ((err = check_end_label(w, items, &f->i, n, l))) return err;
    if (l->has_else && l->else_end == out->len) out->len--; /* empty else: `if ... end` means the same */
    w->labels.len--;
    emit_op(out, OPC_END);
    return NULL;
  }
  default:
    return plain_instr(w, op, x, items, &f->i, n, out);
  }
}

/* Starts a folded instruction: emits what comes first and pushes a frame for the rest. */
static weld_error_t *begin_folded(wat_t *w, const text_sx_t *x, base_buf_t *out) {
  if (x->nitems == 0) return text_error(w->doc, x, "unexpected token: empty instruction");
  core_op_t op = OPC__COUNT;
  weld_error_t *err = lookup_op(w, &x->items[0], &op);
  if (err) return err;
  uint32_t i = 1, n = x->nitems;
  const text_sx_t *label;
  switch (op) {
  case OPC_BLOCK:
  case OPC_LOOP:
    if ((err = block_header(w, op, x, x->items, &i, n, out, &label))) return err;
    if ((err = push_label(w, label, x, false, false))) return err;
    return push_frame(w, FR_FOLD_BLOCK, x, x->items, i, n);
  case OPC_IF: {
    size_t start = w->pending.len;
    if ((err = block_header(w, op, x, x->items, &i, n, &w->pending, &label))) return err;
    uint32_t k = i;
    while (k < n && !wat_is_form(&x->items[k], "then") && !wat_is_form(&x->items[k], "else")) k++;
    if (k >= n || !wat_is_form(&x->items[k], "then"))
      return text_error(w->doc, k < n ? &x->items[k] : x, "unexpected token: expected (then ...)");
    const text_sx_t *then_node = &x->items[k], *else_node = NULL;
    if (k + 1 < n) {
      if (!wat_is_form(&x->items[k + 1], "else")) return text_error(w->doc, &x->items[k + 1], "unexpected token: expected (else ...) or ')'");
      else_node = &x->items[k + 1];
      if (k + 2 < n) return text_error(w->doc, &x->items[k + 2], "unexpected token after (else ...)");
    }
    if ((err = push_frame(w, FR_IF_COND, x, x->items, i, k))) return err;
    wat_frame_t *f = &w->frames.data[w->frames.len - 1];
    f->pending_start = start;
    f->then_node = then_node;
    f->else_node = else_node;
    f->label = label;
    return NULL;
  }
  case OPC_ELSE:
  case OPC_END:
    return text_error(w->doc, &x->items[0], "unexpected token %.*s", WAT_TOK(&x->items[0]));
  default: {
    size_t start = w->pending.len;
    if ((err = plain_instr(w, op, x, x->items, &i, n, &w->pending))) return err;
    if (i == n) { /* no operands: emit at once */
      base_buf_bytes(out, w->pending.data + start, w->pending.len - start);
      w->pending.len = start;
      return NULL;
    }
    if ((err = push_frame(w, FR_FOLD_OP, x, x->items, i, n))) return err;
    w->frames.data[w->frames.len - 1].pending_start = start;
    return NULL;
  }
  }
}

static weld_error_t *check_balanced(wat_t *w, const wat_frame_t *f) {
  if (w->labels.len > f->label_depth) {
    const wat_label_t *l = &w->labels.data[w->labels.len - 1];
    return text_error(w->doc, l->node, "missing end for this block");
  }
  return NULL;
}

static weld_error_t *end_frame(wat_t *w, base_buf_t *out) {
  wat_frame_t *f = &w->frames.data[w->frames.len - 1];
  weld_error_t *err;
  switch (f->kind) {
  case FR_BODY:
    if ((err = check_balanced(w, f))) return err;
    w->frames.len--;
    return NULL;
  case FR_FOLD_OP:
    base_buf_bytes(out, w->pending.data + f->pending_start, w->pending.len - f->pending_start);
    w->pending.len = f->pending_start;
    w->frames.len--;
    return NULL;
  case FR_FOLD_BLOCK:
    if ((err = check_balanced(w, f))) return err;
    emit_op(out, OPC_END);
    w->labels.len--;
    w->frames.len--;
    return NULL;
  case FR_IF_COND: {
    base_buf_bytes(out, w->pending.data + f->pending_start, w->pending.len - f->pending_start);
    w->pending.len = f->pending_start;
    if ((err = push_label(w, f->label, f->node, false, true))) return err;
    f = &w->frames.data[w->frames.len - 1];
    f->kind = FR_IF_THEN;
    f->items = f->then_node->items;
    f->i = 1;
    f->n = f->then_node->nitems;
    f->label_depth = w->labels.len;
    return NULL;
  }
  case FR_IF_THEN:
    if ((err = check_balanced(w, f))) return err;
    if (f->else_node && f->else_node->nitems > 1) { /* an empty (else) is left out, as an empty else branch */
      emit_op(out, OPC_ELSE);
      f->kind = FR_IF_ELSE;
      f->items = f->else_node->items;
      f->i = 1;
      f->n = f->else_node->nitems;
      return NULL;
    }
    emit_op(out, OPC_END);
    w->labels.len--;
    w->frames.len--;
    return NULL;
  default: /* FR_IF_ELSE */
    if ((err = check_balanced(w, f))) return err;
    emit_op(out, OPC_END);
    w->labels.len--;
    w->frames.len--;
    return NULL;
  }
}

weld_error_t *text_wat_encode_instrs(wat_t *w, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  size_t base = w->frames.len;
  weld_error_t *err = push_frame(w, FR_BODY, NULL, items, i, n);
  while (!err && w->frames.len > base) {
    wat_frame_t *f = &w->frames.data[w->frames.len - 1];
    if (f->i >= f->n) {
      err = end_frame(w, out);
      continue;
    }
    const text_sx_t *x = &f->items[f->i];
    if (x->kind == SX_LIST) {
      f->i++;
      err = begin_folded(w, x, out);
    } else if (f->kind == FR_FOLD_OP || f->kind == FR_IF_COND) {
      if (x->kind == SX_ATOM && x->len && !is_num_atom(x) && x->text[0] != '$')
        err = text_error(w->doc, x, "unexpected token %.*s: operands of a folded instruction must be folded", WAT_TOK(x));
      else
        err = text_error(w->doc, x, "unexpected token %.*s", WAT_TOK(x));
    } else if (x->kind != SX_ATOM) {
      err = text_error(w->doc, x, "unexpected token %.*s: expected an instruction", WAT_TOK(x));
    } else {
      err = plain_in_seq(w, f, out);
    }
  }
  if (!err && out->oom) err = base_error_oom();
  if (!err && w->pending.oom) err = base_error_oom();
  if (err) w->frames.len = base;
  return err;
}

weld_error_t *text_wat_encode_expr(wat_t *w, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  weld_error_t *err = text_wat_encode_instrs(w, items, i, n, out);
  if (!err) emit_op(out, OPC_END);
  return err;
}
