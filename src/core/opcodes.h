/* opcodes.h — the instruction table (opcodes.def) as data: an enum with one value per
 * instruction, and lookups by binary opcode and by text name. */
#ifndef WELD_CORE_OPCODES_H
#define WELD_CORE_OPCODES_H
#include <stdint.h>
#include <stddef.h>

typedef enum core_imm {
  IMM_NONE, IMM_BLOCK, IMM_LABEL, IMM_BR_TABLE, IMM_FUNC, IMM_CALL_INDIRECT, IMM_LOCAL,
  IMM_GLOBAL, IMM_TABLE, IMM_MEMARG, IMM_I32, IMM_I64, IMM_F32, IMM_F64, IMM_V128,
  IMM_LANE, IMM_MEMARG_LANE, IMM_SHUFFLE, IMM_SELECT_T, IMM_HEAPTYPE, IMM_MEMORY,
  IMM_MEMORY_COPY, IMM_MEMORY_INIT, IMM_DATA, IMM_ELEM, IMM_TABLE_INIT, IMM_TABLE_COPY,
} core_imm_t;

typedef enum core_op {
#define OP(id, name, prefix, code, imm, sig, align) OPC_##id,
#include "core/opcodes.def"
#undef OP
  OPC__COUNT
} core_op_t;

typedef struct core_opinfo {
  const char *name;
  uint8_t prefix;  /* 0, 0xfc, 0xfd */
  uint32_t code;
  core_imm_t imm;
  const char *sig; /* see opcodes.def */
  uint8_t align;   /* log2 natural alignment for memory ops */
} core_opinfo_t;

extern const core_opinfo_t core_opinfo[OPC__COUNT];

/* By binary encoding; returns OPC__COUNT if unknown. */
core_op_t core_op_from_code(uint8_t prefix, uint32_t code);
/* By text name (e.g. "i32.add"); for "select" returns OPC_SELECT. OPC__COUNT if unknown. */
core_op_t core_op_from_name(const char *name, size_t len);

#endif
