/* opcodes.c — lookup tables over opcodes.def. */
#include "core/opcodes.h"
#include <string.h>

const core_opinfo_t core_opinfo[OPC__COUNT] = {
#define OP(id, name, prefix, code, imm, sig, align) {name, prefix, code, imm, sig, align},
#include "core/opcodes.def"
#undef OP
};

static uint16_t g_single[256], g_fc[32], g_fd[256];
static int g_init;

static void init_tables(void) {
  for (int i = 0; i < 256; i++) g_single[i] = g_fd[i] = OPC__COUNT;
  for (int i = 0; i < 32; i++) g_fc[i] = OPC__COUNT;
  for (int i = 0; i < OPC__COUNT; i++) {
    const core_opinfo_t *o = &core_opinfo[i];
    if (o->prefix == 0) {
      if (g_single[o->code] == OPC__COUNT) g_single[o->code] = (uint16_t)i;
    } else if (o->prefix == 0xfc) g_fc[o->code] = (uint16_t)i;
    else g_fd[o->code] = (uint16_t)i;
  }
  __atomic_store_n(&g_init, 1, __ATOMIC_RELEASE);
}

core_op_t core_op_from_code(uint8_t prefix, uint32_t code) {
  if (!__atomic_load_n(&g_init, __ATOMIC_ACQUIRE)) init_tables(); /* idempotent, benign race */
  if (prefix == 0) return code < 256 ? (core_op_t)g_single[code] : OPC__COUNT;
  if (prefix == 0xfc) return code < 32 ? (core_op_t)g_fc[code] : OPC__COUNT;
  if (prefix == 0xfd) return code < 256 ? (core_op_t)g_fd[code] : OPC__COUNT;
  return OPC__COUNT;
}

core_op_t core_op_from_name(const char *name, size_t len) {
  /* linear scan is fine for the text parser's rate; a hash can come later if profiles say so */
  for (int i = 0; i < OPC__COUNT; i++) {
    const char *n = core_opinfo[i].name;
    if (strlen(n) == len && memcmp(n, name, len) == 0) return (core_op_t)i;
  }
  return OPC__COUNT;
}
