/* decode_scan.c — finds memory.init / data.drop in a function body, for the rule that
 * these instructions require the data count section (core spec §5.5.13 "Code Section",
 * §5.5.16: "the data count section is required if any data index occurs in the code").
 *
 * The walk skips every instruction's immediates (§5.4, as listed in opcodes.def) so that
 * immediate bytes are never read as opcodes.  It is not a validator: it is exact for
 * well-formed bodies, and on anything malformed it stops and answers "no" (compile.c
 * rejects such bodies).  It runs only for modules without a data count section; bodies
 * without a byte pair that could start memory.init / data.drop are skipped with memchr,
 * and the rest is a tight pointer loop over a 256-entry table, since decoding is part of
 * the throughput target. */
#include "core/decode_internal.h"
#include "core/opcodes.h"
#include <string.h>

/* What follows a single-byte opcode, reduced to what the skip needs. */
enum {
  SK_BAD,    /* unknown opcode: stop */
  SK_NONE,
  SK_LEB,    /* one LEB128 (index, s32/s64/s33 constant) */
  SK_LEB2,   /* two LEB128s */
  SK_MEMARG, /* align (bit 6: memidx follows), offset */
  SK_BR_TABLE,
  SK_F32,
  SK_F64,
  SK_SELECT_T,
  SK_BYTE,   /* ref.null heaptype */
  SK_FC,     /* 0xFC prefix */
  SK_FD,     /* 0xFD prefix */
};

static uint8_t g_skip[256];
static int g_skip_init;

static uint8_t skip_kind(core_imm_t imm) {
  switch (imm) {
  case IMM_NONE: return SK_NONE;
  case IMM_BLOCK: case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL: case IMM_TABLE:
  case IMM_MEMORY: case IMM_DATA: case IMM_ELEM: case IMM_I32: case IMM_I64:
    return SK_LEB;
  case IMM_CALL_INDIRECT: case IMM_MEMORY_COPY: case IMM_MEMORY_INIT: case IMM_TABLE_INIT:
  case IMM_TABLE_COPY:
    return SK_LEB2;
  case IMM_MEMARG: return SK_MEMARG;
  case IMM_BR_TABLE: return SK_BR_TABLE;
  case IMM_F32: return SK_F32;
  case IMM_F64: return SK_F64;
  case IMM_SELECT_T: return SK_SELECT_T;
  case IMM_HEAPTYPE: return SK_BYTE;
  default: return SK_BAD; /* the SIMD kinds only follow 0xFD */
  }
}

static void init_skip(void) {
  for (int i = 0; i < 256; i++) {
    core_op_t o = core_op_from_code(0, (uint32_t)i);
    g_skip[i] = o == OPC__COUNT ? SK_BAD : skip_kind(core_opinfo[o].imm);
  }
  g_skip[0xfc] = SK_FC;
  g_skip[0xfd] = SK_FD;
  __atomic_store_n(&g_skip_init, 1, __ATOMIC_RELEASE);
}

/* Skips one LEB128 (at most 10 bytes); NULL if it runs off the end or is too long. */
static inline const uint8_t *skip_leb(const uint8_t *p, const uint8_t *end) {
  for (int i = 0; i < 10 && p < end; i++)
    if (!(*p++ & 0x80)) return p;
  return NULL;
}

/* Reads a LEB128 u32 (prefixed opcodes, counts); NULL if malformed. */
static const uint8_t *read_leb(const uint8_t *p, const uint8_t *end, uint32_t *out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 35 && p < end; shift += 7) {
    uint8_t b = *p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (v > UINT32_MAX) return NULL;
      *out = (uint32_t)v;
      return p;
    }
  }
  return NULL;
}

static const uint8_t *skip_memarg(const uint8_t *p, const uint8_t *end) {
  if (p >= end) return NULL;
  bool memidx = *p & 0x40; /* bit 6 of the alignment: multi-memory index follows */
  if (!(p = skip_leb(p, end))) return NULL;
  if (memidx && !(p = skip_leb(p, end))) return NULL;
  return skip_leb(p, end);
}

/* Skips the immediates of a 0xFD (SIMD) instruction with sub-opcode `code`. */
static const uint8_t *skip_simd(const uint8_t *p, const uint8_t *end, uint32_t code) {
  core_op_t o = core_op_from_code(0xfd, code);
  if (o == OPC__COUNT) return NULL;
  switch (core_opinfo[o].imm) {
  case IMM_NONE: return p;
  case IMM_MEMARG: return skip_memarg(p, end);
  case IMM_MEMARG_LANE: return (p = skip_memarg(p, end)) && p < end ? p + 1 : NULL;
  case IMM_V128: case IMM_SHUFFLE: return end - p >= 16 ? p + 16 : NULL;
  case IMM_LANE: return p < end ? p + 1 : NULL;
  default: return NULL;
  }
}

/* Necessary condition: some 0xFC byte followed by a byte whose low 7 bits are 8 or 9
 * (the sub-opcode's LEB128 may be over-long, e.g. FC 88 00).  Real code almost never has
 * such a pair inside immediates, so the walk below rarely runs. */
static bool maybe_data_idx(const uint8_t *p, const uint8_t *end) {
  while ((p = memchr(p, 0xfc, (size_t)(end - p))) && end - p > 1) {
    uint8_t b = p[1] & 0x7f;
    if (b == 8 || b == 9) return true;
    p++;
  }
  return false;
}

bool core_body_uses_data_idx(const uint8_t *body, size_t len) {
  if (!maybe_data_idx(body, body + len)) return false;
  if (!__atomic_load_n(&g_skip_init, __ATOMIC_ACQUIRE)) init_skip(); /* idempotent */
  const uint8_t *p = body, *end = body + len;
  while (p && p < end) {
    uint8_t op = *p++;
    uint32_t code, n;
    switch (g_skip[op]) {
    case SK_BAD: return false;
    case SK_NONE: break;
    case SK_LEB: p = skip_leb(p, end); break;
    case SK_LEB2: p = (p = skip_leb(p, end)) ? skip_leb(p, end) : NULL; break;
    case SK_MEMARG: p = skip_memarg(p, end); break;
    case SK_BR_TABLE:
      if (!(p = read_leb(p, end, &n)) || n > (size_t)(end - p)) return false;
      for (uint64_t i = 0; p && i <= n; i++) p = skip_leb(p, end); /* n targets + default */
      break;
    case SK_F32: p = end - p >= 4 ? p + 4 : NULL; break;
    case SK_F64: p = end - p >= 8 ? p + 8 : NULL; break;
    case SK_SELECT_T:
      if (!(p = read_leb(p, end, &n)) || n > (size_t)(end - p)) return false;
      p += n;
      break;
    case SK_BYTE: p = p < end ? p + 1 : NULL; break;
    case SK_FC:
      if (!(p = read_leb(p, end, &code))) return false;
      if (code == 8 || code == 9) return true; /* memory.init, data.drop */
      {
        core_op_t o = core_op_from_code(0xfc, code);
        if (o == OPC__COUNT) return false;
        uint8_t k = skip_kind(core_opinfo[o].imm);
        if (k == SK_LEB) p = skip_leb(p, end);
        else if (k == SK_LEB2) p = (p = skip_leb(p, end)) ? skip_leb(p, end) : NULL;
        else if (k != SK_NONE) return false;
      }
      break;
    case SK_FD:
      if (!(p = read_leb(p, end, &code))) return false;
      p = skip_simd(p, end, code);
      break;
    }
  }
  return false;
}
