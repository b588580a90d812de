/* cwat_canon.c — canonical definitions of the component text format (component-model
 * Explainer.md "Canonical definitions" and "Canonical built-ins", Binary.md `canon`,
 * `canonopt`): `canon lift`, `canon lower`, the resource built-ins, and the async and
 * thread built-ins as far as wasm-tools 1.259 writes them (the encoder accepts them; the
 * decoder decides what weld runs).
 *
 * Forms: `(canon lift (core func ...) opt* (func $id? <typeuse>))`,
 * `(canon <builtin> ... (core func $id?))`, and the inverted forms
 * `(func $id? (export ...)* <typeuse> (canon lift ...))`,
 * `(core func $id? (canon <builtin> ...))`.  For a lift the type use is resolved first,
 * then the core function, then the options (wasm-tools' order of implicit aliases). */
#include "base/limits.h"
#include "text/cwat.h"
#include "text/numbers.h"
#include "text/wat_internal.h"
#include <string.h>

/* ---- options ----------------------------------------------------------------------------- */

/* The function or memory of an option: `idx`, `(core func ...)`, and legacy forms. */
static weld_error_t *opt_ref(cw_t *c, cw_ns_t ns, const text_sx_t *o, uint32_t *idx) {
  if (o->nitems == 2) return text_cw_index_or_core_ref(c, ns, &o->items[1], idx);
  if (o->nitems == 3 && o->items[2].kind == SX_STRING) {
    if (c->flags & TEXT_CWAT_LEGACY_INDICES) return text_cw_ref_tail(c, ns, o, o->items, 1, 3, idx);
    return text_error(c->doc, o, "an export name must be written inside a nested reference: write (%.*s (core %s $i \"name\"))",
                      CW_TOK(&o->items[0]), text_cw_ns_name[ns] + 5);
  }
  return text_error(c->doc, o, "unexpected token: expected (%.*s <index>)", CW_TOK(&o->items[0]));
}

/* Options at items[i..n) appended to out as vec(canonopt). */
static weld_error_t *canon_opts(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n, base_buf_t *out) {
  base_buf_t b = {0};
  uint32_t count = 0;
  weld_error_t *err = NULL;
  for (; i < n && !err; i++, count++) {
    const text_sx_t *o = &items[i];
    uint32_t idx;
    if (cw_is_kw(o, "string-encoding=utf8")) base_buf_byte(&b, 0x00);
    else if (cw_is_kw(o, "string-encoding=utf16")) base_buf_byte(&b, 0x01);
    else if (cw_is_kw(o, "string-encoding=latin1+utf16")) base_buf_byte(&b, 0x02);
    else if (cw_is_kw(o, "async")) base_buf_byte(&b, 0x06);
    else if (cw_is_kw(o, "gc")) base_buf_byte(&b, 0x09);
    else if (cw_is_form(o, "memory")) {
      if (!(err = opt_ref(c, CN_CORE_MEMORY, o, &idx))) {
        base_buf_byte(&b, 0x03);
        base_buf_u32leb(&b, idx);
      }
    } else if (cw_is_form(o, "realloc") || cw_is_form(o, "post-return") || cw_is_form(o, "callback")) {
      if (!(err = opt_ref(c, CN_CORE_FUNC, o, &idx))) {
        base_buf_byte(&b, cw_is_form(o, "realloc") ? 0x04 : cw_is_form(o, "post-return") ? 0x05 : 0x07);
        base_buf_u32leb(&b, idx);
      }
    } else if (cw_is_form(o, "core-type")) {
      if (!(err = opt_ref(c, CN_CORE_TYPE, o, &idx))) {
        base_buf_byte(&b, 0x08);
        base_buf_u32leb(&b, idx);
      }
    } else {
      err = text_error(c->doc, o, "unexpected token %.*s: expected a canonical option", CW_TOK(o));
    }
  }
  if (!err) {
    base_buf_u32leb(out, count);
    base_buf_bytes(out, b.data, b.len);
  }
  base_buf_free(&b);
  return err;
}

/* ---- built-ins ------------------------------------------------------------------------------ */

enum imm {
  I_NONE,
  I_TYPE,        /* type index */
  I_TYPE_OPTS,   /* type index, options */
  I_TYPE_ASYNC,  /* type index, `async`? as a byte */
  I_ASYNC,       /* `async`? as a byte */
  I_OPTS,        /* options */
  I_ZERO,        /* a 0x00 byte (the former `cancellable` flag) */
  I_ZERO_MEM,    /* 0x00 and (memory ...) */
  I_CONTEXT,     /* i32|i64 and a u32 slot */
  I_CORE_TYPE,   /* core type index */
  I_CORE_TYPE_TABLE, /* core type index and (core table ...) */
  I_TASK_RETURN, /* (result T)? options */
};

static const struct builtin {
  const char *kw;
  uint8_t op;
  uint8_t imm;
} builtins[] = {
    {"resource.new", 0x02, I_TYPE},
    {"resource.drop", 0x03, I_TYPE},
    {"resource.rep", 0x04, I_TYPE},
    {"task.cancel", 0x05, I_NONE},
    {"subtask.cancel", 0x06, I_ASYNC},
    {"task.return", 0x09, I_TASK_RETURN},
    {"context.get", 0x0a, I_CONTEXT},
    {"context.set", 0x0b, I_CONTEXT},
    {"thread.yield", 0x0c, I_ZERO},
    {"subtask.drop", 0x0d, I_NONE},
    {"stream.new", 0x0e, I_TYPE},
    {"stream.read", 0x0f, I_TYPE_OPTS},
    {"stream.write", 0x10, I_TYPE_OPTS},
    {"stream.cancel-read", 0x11, I_TYPE_ASYNC},
    {"stream.cancel-write", 0x12, I_TYPE_ASYNC},
    {"stream.drop-readable", 0x13, I_TYPE},
    {"stream.drop-writable", 0x14, I_TYPE},
    {"future.new", 0x15, I_TYPE},
    {"future.read", 0x16, I_TYPE_OPTS},
    {"future.write", 0x17, I_TYPE_OPTS},
    {"future.cancel-read", 0x18, I_TYPE_ASYNC},
    {"future.cancel-write", 0x19, I_TYPE_ASYNC},
    {"future.drop-readable", 0x1a, I_TYPE},
    {"future.drop-writable", 0x1b, I_TYPE},
    {"error-context.new", 0x1c, I_OPTS},
    {"error-context.debug-message", 0x1d, I_OPTS},
    {"error-context.drop", 0x1e, I_NONE},
    {"waitable-set.new", 0x1f, I_NONE},
    {"waitable-set.wait", 0x20, I_ZERO_MEM},
    {"waitable-set.poll", 0x21, I_ZERO_MEM},
    {"waitable-set.drop", 0x22, I_NONE},
    {"waitable.join", 0x23, I_NONE},
    {"backpressure.inc", 0x24, I_NONE},
    {"backpressure.dec", 0x25, I_NONE},
    {"thread.index", 0x26, I_NONE},
    {"thread.new-indirect", 0x27, I_CORE_TYPE_TABLE},
    {"thread.resume-later", 0x28, I_NONE},
    {"thread.suspend", 0x29, I_ZERO},
    {"thread.suspend-then-resume", 0x2a, I_ZERO},
    {"thread.yield-then-resume", 0x2b, I_ZERO},
    {"thread.suspend-then-promote", 0x2c, I_ZERO},
    {"thread.yield-then-promote", 0x2d, I_ZERO},
    {"thread.spawn-ref", 0x40, I_CORE_TYPE},
    {"thread.spawn-indirect", 0x41, I_CORE_TYPE_TABLE},
    {"thread.available_parallelism", 0x42, I_NONE},
};

/* An immediate index of a built-in: `idx`, or `(type idx "name"*)`, `(core type idx)`,
 * `(core table idx "name"?)` (legacy: `(table ...)`). */
static weld_error_t *imm_index(cw_t *c, cw_ns_t ns, const text_sx_t *x, uint32_t *idx) {
  if (x->kind != SX_LIST) return text_cw_resolve(c, ns, x, idx);
  if (ns == CN_CORE_TABLE && cw_is_form(x, "table")) {
    if (c->flags & TEXT_CWAT_LEGACY_INDICES) return text_cw_ref_tail(c, ns, x, x->items, 1, x->nitems, idx);
    return text_error(c->doc, x, "the `core` keyword is required in this reference: write (core table ...)");
  }
  return text_cw_ref(c, ns, x, false, idx);
}

static bool take_async(const text_sx_t *items, uint32_t *i, uint32_t n) {
  if (*i < n && cw_is_kw(&items[*i], "async")) {
    (*i)++;
    return true;
  }
  return false;
}

static weld_error_t *no_cancellable(cw_t *c, const text_sx_t *items, uint32_t i, uint32_t n) {
  if (i < n && cw_is_kw(&items[i], "cancellable"))
    return text_error(c->doc, &items[i], "the `cancellable` option is no longer supported (component-model#716)");
  return NULL;
}

/* `(canon lower ...)` or a built-in: items[1..n) of the canon node (without the trailing
 * `(core func $id?)` of the field form), encoded into out. */
static weld_error_t *canon_core(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t n, base_buf_t *out) {
  if (n < 2) return text_error(c->doc, at, "unexpected end: expected lift, lower or a built-in");
  const text_sx_t *kw = &items[1];
  uint32_t i = 2, idx;
  weld_error_t *err;
  if (cw_is_kw(kw, "lower")) {
    if (i >= n) return text_error(c->doc, at, "unexpected end: expected (func ...)");
    if ((err = text_cw_ref(c, CN_FUNC, &items[i], false, &idx))) return err;
    base_buf_byte(out, 0x01);
    base_buf_byte(out, 0x00);
    base_buf_u32leb(out, idx);
    return canon_opts(c, items, i + 1, n, out);
  }
  if (cw_is_kw(kw, "lift")) return text_error(c->doc, kw, "unexpected token: canon lift defines a component function, not a core function");
  const struct builtin *b = NULL;
  for (size_t k = 0; k < sizeof builtins / sizeof builtins[0]; k++)
    if (cw_is_kw(kw, builtins[k].kw)) b = &builtins[k];
  if (!b) {
    if (cw_is_kw(kw, "backpressure.set") || cw_is_kw(kw, "yield") || cw_is_kw(kw, "thread.switch-to") ||
        cw_is_kw(kw, "thread.yield-to") || cw_is_kw(kw, "task.wait") || cw_is_kw(kw, "task.poll") ||
        cw_is_kw(kw, "task.yield"))
      return text_error(c->doc, kw, "not supported: canon %.*s (not in the current component model)", CW_TOK(kw));
    return text_error(c->doc, kw, "unexpected token %.*s: expected lift, lower or a canonical built-in", CW_TOK(kw));
  }
  base_buf_byte(out, b->op);
  switch (b->imm) {
  case I_NONE:
    break;
  case I_TYPE:
  case I_TYPE_OPTS:
  case I_TYPE_ASYNC:
    if (i >= n) return text_error(c->doc, at, "unexpected end: expected a type index");
    if ((err = imm_index(c, CN_TYPE, &items[i++], &idx))) return err;
    base_buf_u32leb(out, idx);
    if (b->imm == I_TYPE_OPTS) return canon_opts(c, items, i, n, out);
    if (b->imm == I_TYPE_ASYNC) base_buf_byte(out, take_async(items, &i, n) ? 1 : 0);
    break;
  case I_ASYNC:
    base_buf_byte(out, take_async(items, &i, n) ? 1 : 0);
    break;
  case I_OPTS:
    return canon_opts(c, items, i, n, out);
  case I_ZERO:
    if ((err = no_cancellable(c, items, i, n))) return err;
    base_buf_byte(out, 0x00);
    break;
  case I_ZERO_MEM: {
    if ((err = no_cancellable(c, items, i, n))) return err;
    if (take_async(items, &i, n)) return text_error(c->doc, &items[i - 1], "unexpected token async");
    if (i >= n || !cw_is_form(&items[i], "memory")) return text_error(c->doc, cw_at(at, i), "unexpected token: expected (memory ...)");
    if ((err = opt_ref(c, CN_CORE_MEMORY, &items[i++], &idx))) return err;
    base_buf_byte(out, 0x00);
    base_buf_u32leb(out, idx);
    break;
  }
  case I_CONTEXT: {
    uint8_t t; /* i32 (or i64 with memory64); others are left to the validator */
    if (i >= n || text_wat_valtype(&items[i], &t)) return text_error(c->doc, cw_at(at, i), "unexpected token: expected i32");
    i++;
    if (i >= n || items[i].kind != SX_ATOM || text_parse_u32(items[i].text, items[i].len, &idx))
      return text_error(c->doc, cw_at(at, i), "unexpected token: expected a context slot number");
    i++;
    base_buf_byte(out, t);
    base_buf_u32leb(out, idx);
    break;
  }
  case I_CORE_TYPE:
  case I_CORE_TYPE_TABLE:
    if (i >= n) return text_error(c->doc, at, "unexpected end: expected a core type index");
    if ((err = imm_index(c, CN_CORE_TYPE, &items[i++], &idx))) return err;
    base_buf_u32leb(out, idx);
    if (b->imm == I_CORE_TYPE_TABLE) {
      if (i >= n) return text_error(c->doc, at, "unexpected end: expected (core table ...)");
      if ((err = imm_index(c, CN_CORE_TABLE, &items[i++], &idx))) return err;
      base_buf_u32leb(out, idx);
    }
    break;
  case I_TASK_RETURN:
    if (i < n && cw_is_form(&items[i], "result")) {
      const text_sx_t *r = &items[i++];
      if (r->nitems != 2) return text_error(c->doc, r, "unexpected token: expected (result <valtype>)");
      base_buf_byte(out, 0x00);
      if ((err = text_cw_valtype(c, &r->items[1], out))) return err;
    } else {
      base_buf_byte(out, 0x01);
      base_buf_byte(out, 0x00);
    }
    return canon_opts(c, items, i, n, out);
  }
  if (i < n) return text_error(c->doc, &items[i], "unexpected token %.*s", CW_TOK(&items[i]));
  return NULL;
}

/* A lift: the core function ref and options in items[2..n); the type index is given. */
static weld_error_t *lift_body(cw_t *c, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t type,
                               base_buf_t *out) {
  if (n < 3) return text_error(c->doc, at, "unexpected end: expected (core func ...)");
  uint32_t f;
  weld_error_t *err = text_cw_ref(c, CN_CORE_FUNC, &items[2], false, &f);
  if (err) return err;
  base_buf_byte(out, 0x00);
  base_buf_byte(out, 0x00);
  base_buf_u32leb(out, f);
  if ((err = canon_opts(c, items, 3, n, out))) return err;
  base_buf_u32leb(out, type);
  return NULL;
}

static weld_error_t *emit_canon(cw_t *c, cw_ns_t ns, const text_sx_t *id, const text_sx_t *at, base_buf_t *b,
                                uint32_t *index) {
  weld_error_t *err = b->oom ? base_error_oom() : text_cw_emit(c, CI_CANON, b, at);
  if (!err) err = text_cw_bind(c, ns, id, at, index);
  return err;
}

weld_error_t *text_cw_canon_field(cw_t *c, const text_sx_t *x) {
  if (x->nitems < 3) return text_error(c->doc, x, "unexpected end: expected (canon ... (func|core func $id?))");
  const text_sx_t *last = &x->items[x->nitems - 1];
  base_buf_t b = {0};
  weld_error_t *err;
  if (cw_is_kw(&x->items[1], "lift")) {
    if (!cw_is_form(last, "func")) return text_error(c->doc, last, "unexpected token: expected (func $id? <type use>) at the end of canon lift");
    uint32_t i = 1, type;
    const text_sx_t *id = cw_opt_id(last, &i);
    cw_skip_annotations(last, &i);
    if ((err = text_cw_typeuse(c, CN_FUNC, last, last->items, &i, last->nitems, &type))) return err;
    if ((err = text_cw_expect_end(c, last, i))) return err;
    if (!(err = lift_body(c, x, x->items, x->nitems - 1, type, &b))) err = emit_canon(c, CN_FUNC, id, x, &b, NULL);
  } else {
    const text_sx_t *sort;
    if (!cw_is_form2(last, "core", &sort, "func")) return text_error(c->doc, last, "unexpected token: expected (core func $id?) at the end");
    uint32_t i = 2;
    const text_sx_t *id = cw_opt_id(last, &i);
    cw_skip_annotations(last, &i);
    if ((err = text_cw_expect_end(c, last, i))) return err;
    if (!(err = canon_core(c, x, x->items, x->nitems - 1, &b))) err = emit_canon(c, CN_CORE_FUNC, id, x, &b, NULL);
  }
  base_buf_free(&b);
  return err;
}

weld_error_t *text_cw_func_lift(cw_t *c, const text_sx_t *x, uint32_t i, const text_sx_t *id, uint32_t *index) {
  uint32_t type;
  weld_error_t *err = text_cw_typeuse(c, CN_FUNC, x, x->items, &i, x->nitems, &type);
  if (err) return err;
  if (i >= x->nitems || !cw_is_form(&x->items[i], "canon") || x->items[i].nitems < 2 || !cw_is_kw(&x->items[i].items[1], "lift"))
    return text_error(c->doc, cw_at(x, i), "unexpected token: expected (canon lift ...), (import ...) or (alias ...)");
  if ((err = text_cw_expect_end(c, x, i + 1))) return err;
  const text_sx_t *cn = &x->items[i];
  base_buf_t b = {0};
  if (!(err = lift_body(c, cn, cn->items, cn->nitems, type, &b))) err = emit_canon(c, CN_FUNC, id, x, &b, index);
  base_buf_free(&b);
  return err;
}

weld_error_t *text_cw_core_func_canon(cw_t *c, const text_sx_t *canon, const text_sx_t *id) {
  base_buf_t b = {0};
  weld_error_t *err = canon_core(c, canon, canon->items, canon->nitems, &b);
  if (!err) err = emit_canon(c, CN_CORE_FUNC, id, canon, &b, NULL);
  base_buf_free(&b);
  return err;
}
