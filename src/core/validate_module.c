/* validate_module.c — module-level validation outside function bodies (core spec §3.4
 * "Modules"): constant expressions (§3.3.10 "Constant Expressions", WebAssembly 2.0
 * rules), limits (§3.2.1-3.2.4), and the rules that need the whole module (function/code
 * counts, data count, §5.5.13-5.5.16).  Instruction sequences in function bodies are
 * validated by validate_code.c (weld_module_validate) and by compile.c while it translates
 * (weld_module_new). */
#include "core/decode_internal.h"
#include "core/opcodes.h"
#include "base/limits.h"

#define RD(expr) \
  do { \
    if (!(expr)) return core_dec_rfail(d, r); \
  } while (0)

/* An instruction that may not appear in a constant expression: say whether it exists at
 * all ("illegal opcode", malformed) or just is not constant (invalid). */
static bool not_constant(core_dec_t *d, base_reader_t *r, uint8_t op, size_t off) {
  uint32_t code = op;
  uint8_t prefix = 0;
  if (op == 0xfc || op == 0xfd) {
    prefix = op;
    RD(base_read_u32(r, &code));
  }
  core_op_t o = core_op_from_code(prefix, code);
  if (o == OPC__COUNT) {
    if (prefix) return core_dec_fail(d, off, "illegal opcode 0x%02x %u", prefix, code);
    return core_dec_fail(d, off, "illegal opcode 0x%02x", op);
  }
  return core_dec_fail(d, off, "constant expression required: %s is not a constant instruction", core_opinfo[o].name);
}

bool core_dec_constexpr(core_dec_t *d, base_reader_t *r, uint8_t expect, core_constexpr_t *out) {
  core_module_t *m = d->m;
  const uint8_t *start = r->p;
  size_t start_off = base_reader_off(r);
  uint8_t have = 0; /* type of the value produced so far, 0 = none */
  size_t have_off = start_off;
  for (;;) {
    size_t off = base_reader_off(r);
    uint8_t op = 0, t = 0;
    RD(base_read_u8(r, &op));
    switch (op) {
    case 0x0b: /* end */
      if (!have)
        return core_dec_fail(d, off, "type mismatch: empty constant expression, expected a value of type %s",
                             core_valtype_name(expect));
      if (have != expect)
        return core_dec_fail(d, have_off, "type mismatch: constant expression has type %s, expected %s",
                             core_valtype_name(have), core_valtype_name(expect));
      out->code = start;
      out->len = (uint32_t)(r->p - start);
      out->offset = (uint32_t)start_off;
      return true;
    case 0x41: { /* i32.const */
      int32_t v = 0;
      RD(base_read_s32(r, &v));
      t = VT_I32;
      break;
    }
    case 0x42: { /* i64.const */
      int64_t v = 0;
      RD(base_read_s64(r, &v));
      t = VT_I64;
      break;
    }
    case 0x43: { /* f32.const */
      const uint8_t *b = NULL;
      RD(base_read_bytes(r, 4, &b));
      t = VT_F32;
      break;
    }
    case 0x44: { /* f64.const */
      const uint8_t *b = NULL;
      RD(base_read_bytes(r, 8, &b));
      t = VT_F64;
      break;
    }
    case 0xd0: { /* ref.null t */
      size_t toff = base_reader_off(r);
      RD(base_read_u8(r, &t));
      if (!core_is_reftype(t)) return core_dec_fail(d, toff, "malformed reference type 0x%02x", t);
      break;
    }
    case 0xd2: { /* ref.func x: x joins C.refs (it is outside any function body) */
      size_t ioff = base_reader_off(r);
      uint32_t f = 0;
      RD(base_read_u32(r, &f));
      if (f >= m->nfuncs) return core_dec_fail(d, ioff, "unknown function %u", f);
      m->func_declared[f] = 1;
      t = VT_FUNCREF;
      break;
    }
    case 0x23: { /* global.get x: only imported, immutable globals (2.0) */
      size_t ioff = base_reader_off(r);
      uint32_t g = 0;
      RD(base_read_u32(r, &g));
      if (g >= m->nimported_globals) {
        if (g < m->nglobals)
          return core_dec_fail(d, ioff, "unknown global %u: constant expressions may only read imported globals", g);
        return core_dec_fail(d, ioff, "unknown global %u", g);
      }
      if (m->globals[g].type.mut)
        return core_dec_fail(d, off, "constant expression required: global %u is mutable", g);
      t = m->globals[g].type.type;
      break;
    }
    case 0xfd: { /* v128.const is 0xfd 12 */
      const uint8_t *save = r->p;
      uint32_t code = 0;
      RD(base_read_u32(r, &code));
      if (code != 12) {
        r->p = save;
        return not_constant(d, r, op, off);
      }
      const uint8_t *b = NULL;
      RD(base_read_bytes(r, 16, &b));
      t = VT_V128;
      break;
    }
    default:
      return not_constant(d, r, op, off);
    }
    if (have)
      return core_dec_fail(d, off, "type mismatch: constant expression produces more than one value");
    have = t;
    have_off = off;
  }
}

bool core_dec_limits_valid(core_dec_t *d, const core_limits_t *l, uint64_t bound, size_t off, const char *what) {
  if (l->min > bound || (l->has_max && l->max > bound)) {
    if (bound == WELD_MAX_PAGES32)
      return core_dec_fail(d, off, "memory size must be at most 65536 pages (4GiB)");
    return core_dec_fail(d, off, "%s size must be at most %llu", what, (unsigned long long)bound);
  }
  if (l->has_max && l->min > l->max)
    return core_dec_fail(d, off, "size minimum must not be greater than maximum (%s limits %llu > %llu)", what,
                         (unsigned long long)l->min, (unsigned long long)l->max);
  return true;
}

bool core_dec_finish(core_dec_t *d) {
  core_module_t *m = d->m;
  if (!d->seen_code_section && d->nfunc_decls)
    return core_dec_fail(d, m->len, "function and code section have inconsistent lengths (%u and no code section)",
                         d->nfunc_decls);
  if (m->has_datacount && !d->seen_data_section && m->datacount)
    return core_dec_fail(d, m->len, "data count and data section have inconsistent lengths (%u and no data section)",
                         m->datacount);
  if (!m->has_datacount) {
    /* memory.init and data.drop need the data count section (§5.5.13). */
    for (uint32_t i = 0; i < m->ncodes; i++)
      if (core_body_uses_data_idx(m->codes[i].body, m->codes[i].body_len))
        return core_dec_fail(d, m->codes[i].body_offset,
                             "data count section required: function %u uses memory.init or data.drop",
                             m->nimported_funcs + i);
  }
  return true;
}
