/* code.h — the interpreter's internal code, shared by the one-pass validator/compiler
 * (compile.c) and the threaded interpreter (interp.c).  See DESIGN.md "The interpreter".
 *
 * A compiled function is an array of 8-byte cells.  Each instruction starts with the
 * address of its handler (a computed-goto label of the interpreter, looked up through
 * core_interp_handlers()) followed by resolved operands packed into one of the fixed
 * formats below (the handler knows its format and advances pc by its size).
 *
 * Operands are slot indices relative to the frame pointer fp: a frame is
 *   [ params | declared locals | operand stack ]
 * with one 8-byte slot per value (two for v128).  The operand stack of wasm has a static
 * height at every instruction, so every operand has a fixed slot; the compiler also
 * forwards local reads and constants straight into the consuming instruction, so most
 * local.get / local.set / const instructions disappear.
 *
 * Branch targets are byte offsets relative to the start of the branch instruction.
 * A call makes the callee's frame start at the caller's first argument slot; results are
 * written back to the callee frame's first slots. */
#ifndef WELD_CORE_CODE_H
#define WELD_CORE_CODE_H
#include "core/runtime.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#define CORE_MAY_ALIAS __attribute__((__may_alias__))

/* Instruction formats.  h is the handler address; a..d are 32-bit operands (slots,
 * indices, offsets); k is a 64-bit immediate. */
typedef struct CORE_MAY_ALIAS core_i0 { const void *h; } core_i0_t;
typedef struct CORE_MAY_ALIAS core_i2 { const void *h; uint32_t a, b; } core_i2_t;
typedef struct CORE_MAY_ALIAS core_i4 { const void *h; uint32_t a, b, c, d; } core_i4_t;
typedef struct CORE_MAY_ALIAS core_i2k { const void *h; uint32_t a, b; uint64_t k; } core_i2k_t;
typedef struct CORE_MAY_ALIAS core_i4k { const void *h; uint32_t a, b, c, d; uint64_t k; } core_i4k_t;
typedef struct CORE_MAY_ALIAS core_i2v { const void *h; uint32_t a, b; uint8_t v[16]; } core_i2v_t;
typedef struct CORE_MAY_ALIAS core_i4v { const void *h; uint32_t a, b, c, d; uint8_t v[16]; } core_i4v_t;

typedef union core_cell {
  const void *h;
  uint64_t u64;
} core_cell_t;

/* ------------------------------------------------------------------ operation lists
 * Numeric operations reuse the identifiers of opcodes.def. */

/* Integer binary operations (including comparisons): forms _SS (d = x op y, format i4:
 * a=d b=x c=y) and _SI (d = x op imm, format i2k: a=d b=x k=imm).  The compiler uses _SI
 * for division/remainder only when the immediate cannot trap (not 0, not -1).
 *
 * Accumulator forms.  Every integer-producing handler also leaves its result in a register
 * of the interpreter (acc), and every f64-producing one in dacc.  An operand produced by
 * the instruction just before (no label in between) can then be read from the register
 * instead of its slot, which takes the slot's store-to-load latency off the dependency
 * chain: _AS (d = acc op y, i4 a=d c=y), _SA (d = x op acc, i4 a=d b=x), _AI (d = acc op
 * imm, i2k a=d k=imm).  The result is still written to its slot. */
#define CORE_IBINOPS32(X)                                                                 \
  X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U)    \
  X(I32_AND) X(I32_OR) X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL)        \
  X(I32_ROTR) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U)         \
  X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)
#define CORE_IBINOPS64(X)                                                                 \
  X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U)    \
  X(I64_AND) X(I64_OR) X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL)        \
  X(I64_ROTR) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U)         \
  X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)
#define CORE_IBINOPS(X) CORE_IBINOPS32(X) CORE_IBINOPS64(X)

/* Integer comparisons that fuse with br_if / if: BR_<op>_SS (format i4: a=x b=y c=off)
 * and BR_<op>_SI (format i2k: a=x b=off k=imm); BRB_ variants are backward branches
 * (loop back-edges), which also poll for interrupts and fuel. */
#define CORE_ICMPS32(X)                                                                   \
  X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S)         \
  X(I32_LE_U) X(I32_GE_S) X(I32_GE_U)
#define CORE_ICMPS64(X)                                                                   \
  X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S)         \
  X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)
#define CORE_ICMPS(X) CORE_ICMPS32(X) CORE_ICMPS64(X)

/* Float binary operations, form _SS only. */
#define CORE_FBINOPS32(X)                                                                 \
  X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX) X(F32_COPYSIGN)       \
  X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE)
#define CORE_FBINOPS64(X)                                                                 \
  X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX) X(F64_COPYSIGN)       \
  X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE)
#define CORE_FBINOPS(X) CORE_FBINOPS32(X) CORE_FBINOPS64(X)

/* Unary numeric operations: d = op(x), format i2 (a=d b=x).  (The reinterpretations are
 * free: the compiler just retypes the operand.) */
#define CORE_UNOPS(X)                                                                    \
  X(I32_EQZ) X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I64_EQZ) X(I64_CLZ) X(I64_CTZ)         \
  X(I64_POPCNT) X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC)               \
  X(F32_NEAREST) X(F32_SQRT) X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC)  \
  X(F64_NEAREST) X(F64_SQRT) X(I32_WRAP_I64) X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U)        \
  X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U) X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U)           \
  X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U)             \
  X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U)     \
  X(F32_DEMOTE_F64) X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S)        \
  X(F64_CONVERT_I64_U) X(F64_PROMOTE_F32) X(I32_EXTEND8_S) X(I32_EXTEND16_S)              \
  X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S) X(I32_TRUNC_SAT_F32_S)             \
  X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) X(I32_TRUNC_SAT_F64_U)                    \
  X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) X(I64_TRUNC_SAT_F64_S)                    \
  X(I64_TRUNC_SAT_F64_U)

/* Memory loads (format i4: a=d b=addr c=offset d=memidx) and stores (a=addr b=value
 * c=offset d=memidx), each in three modes: _G memory 0 with guard pages (no check),
 * _C memory 0 with explicit bounds checks, _M any memory (checked).  f32/f64 accesses
 * use the i32/i64 handlers (slots hold bit patterns). */
#define CORE_LOADS(X)                                                                    \
  X(I32_LOAD) X(I64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U)   \
  X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U) X(I64_LOAD32_S)           \
  X(I64_LOAD32_U)
#define CORE_STORES(X) X(STORE8) X(STORE16) X(STORE32) X(STORE64)

/* Superinstructions (chosen from handler-pair profiles of the bench kernels):
 *  <load>_AI_G/_C    d = load(base + (u32)(x + imm) + offset)   i4k {a=d b=x c=off d=mem k=imm}
 *  <load>_AS_G/_C    d = load(base + (u32)(x + y) + offset)     i4k {a=d b=x c=off d=mem k=y}
 *  <store>_AI_G/_C   store(base + (u32)(x + imm) + offset, v)   i4k {a=x b=v c=off d=mem k=imm}
 *  <store>_AS_G/_C   store(base + (u32)(x + y) + offset, v)     i4k {a=x b=v c=off d=mem k=y}
 *    (an i32.add whose only use is the address; the sum wraps exactly as in wasm)
 *  <store>_K_G/_C/_M store of a constant                        i4k {a=addr c=off d=mem k=value}
 *  INCB_<cmp>_SS/_SI loop back-edge: x = y + imm; branch if x <cmp> z (or imm2)
 *                    i4k {a=x b=y c=z|imm2 d=off k=imm}
 *  MOV_MOV           two moves                                  i4 {a=d1 b=s1 c=d2 d=s2}
 *  <fop>_SI / _IS    float op with a constant right / left operand  i2k {a=d b=x k=bits} */
/*  <op>_SL           d = x op load(base + p + offset), memory 0 with guard pages:
 *                    i4 {a=d b=x c=p d=offset} (a full-width load feeding the operation) */
#define CORE_LOADOPS(X)                                                                  \
  X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND) X(I32_OR) X(I32_XOR) X(I64_ADD) X(I64_SUB)   \
  X(I64_MUL) X(I64_AND) X(I64_OR) X(I64_XOR) X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV)   \
  X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV)
/*  <load>_A_G/_C     d = load(base + acc + offset)              i4 {a=d c=off d=mem}
 *  <store>_VA_G/_C   store(base + x + offset, acc)              i4 {a=x c=off d=mem}
 *  STORE64_VD_G/_C   store(base + x + offset, dacc)             i4 {a=x c=off d=mem}
 *  <f64op>_AS/_SA/_AI/_IA/_AL  f64 operations reading dacc (as the integer forms; _IA is
 *                    imm op dacc, _AL is dacc op load(base + p + offset), i4 {a=d c=p d=off}) */
#define CORE_DACCOPS(X) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV)
/*  <op>_<sh>_SS/_AS/_SA/_AA   d = y op sh(x, imm) for op in XOR ADD OR and sh in SHL SHR_U
 *                    ROTL (a shift by a constant used only by the op); x and y come from
 *                    slots or acc (first letter x, second y): i4k {a=d b=x c=y k=imm}
 *  MOV3              three moves                          i4k {a=d1 b=s1 c=d2 d=s2 k=d3|s3<<32}
 *  I32_ADD2          two i32 add-immediates in sequence   i4k {a=d1 b=x1 c=d2 d=x2 k=k1|k2<<32} */
#define CORE_SHOPS32(X)                                                                  \
  X(I32_XOR, I32_SHL) X(I32_XOR, I32_SHR_U) X(I32_XOR, I32_ROTL) X(I32_ADD, I32_SHL)        \
  X(I32_ADD, I32_SHR_U) X(I32_ADD, I32_ROTL) X(I32_OR, I32_SHL) X(I32_OR, I32_SHR_U)        \
  X(I32_OR, I32_ROTL)
#define CORE_SHOPS64(X)                                                                  \
  X(I64_XOR, I64_SHL) X(I64_XOR, I64_SHR_U) X(I64_XOR, I64_ROTL) X(I64_ADD, I64_SHL)        \
  X(I64_ADD, I64_SHR_U) X(I64_ADD, I64_ROTL) X(I64_OR, I64_SHL) X(I64_OR, I64_SHR_U)        \
  X(I64_OR, I64_ROTL)
#define CORE_SHOPS(X) CORE_SHOPS32(X) CORE_SHOPS64(X)
#define CORE_FIMMOPS(X) X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV)

/* Everything else: X(name, format). */
#define CORE_MISC_XOPS(X)                                                                \
  X(UNREACHABLE, core_i0_t)   /* trap */                                                  \
  X(EXIT, core_i0_t)          /* leave the interpreter (return address of entry frame) */\
  X(BR, core_i2_t)            /* a=off */                                                 \
  X(BR_BACK, core_i2_t)                                                                   \
  X(BR_NZ, core_i2_t)         /* a=cond b=off */                                          \
  X(BR_NZ_BACK, core_i2_t)                                                                \
  X(BR_Z, core_i2_t)                                                                      \
  X(BR_Z_BACK, core_i2_t)                                                                 \
  X(BR_TABLE, core_i2_t)      /* a=index b=n, then n+1 int32 offsets */                   \
  X(RET, core_i0_t)                                                                       \
  X(RET_1, core_i2_t)         /* a=src: fp[0] = fp[a] (also into acc); return */         \
  X(RET_2, core_i2_t)         /* two slots (v128) */                                      \
  X(CALL, core_i4k_t)         /* a=first arg slot b=callee's param slots c=its local    \
                                 slots d=function index k=core_compiled_func_t* */        \
  X(CALL_IMPORT, core_i2_t)   /* a=first arg slot b=function index */                     \
  X(CALL_INDIRECT, core_i4_t) /* a=first arg slot b=engine type id c=table d=index slot */\
  X(MOV, core_i2_t)           /* a=d b=s */                                               \
  X(MOV2, core_i2_t)                                                                      \
  X(CONST, core_i2k_t)        /* a=d k=bits */                                            \
  X(CONST128, core_i2v_t)     /* a=d v=bytes */                                           \
  X(SELECT, core_i4_t)        /* a=d b=x c=y d=cond */                                    \
  X(SELECT2, core_i4_t)                                                                   \
  X(GLOBAL_GET, core_i2_t)    /* a=d b=global */                                          \
  X(GLOBAL_GET2, core_i2_t)                                                               \
  X(GLOBAL_SET, core_i2_t)    /* a=s b=global */                                          \
  X(GLOBAL_SET2, core_i2_t)                                                               \
  X(REF_IS_NULL, core_i2_t)   /* a=d b=s */                                               \
  X(REF_FUNC, core_i2_t)      /* a=d b=function index */                                  \
  X(TABLE_GET, core_i4_t)     /* a=d b=index c=table */                                   \
  X(TABLE_SET, core_i4_t)     /* a=index b=value c=table */                               \
  X(TABLE_SIZE, core_i2_t)    /* a=d b=table */                                           \
  X(TABLE_GROW, core_i4_t)    /* a=base(init, n; result at base) b=table */               \
  X(TABLE_FILL, core_i2_t)    /* a=base(i, val, n) b=table */                             \
  X(TABLE_COPY, core_i4_t)    /* a=base(d, s, n) b=dst table c=src table */               \
  X(TABLE_INIT, core_i4_t)    /* a=base(d, s, n) b=elem c=table */                        \
  X(ELEM_DROP, core_i2_t)     /* a=elem */                                                \
  X(MEMORY_SIZE, core_i2_t)   /* a=d b=memory */                                          \
  X(MEMORY_GROW, core_i2_t)   /* a=d=delta b=memory */                                    \
  X(MEMORY_FILL, core_i2_t)   /* a=base(d, val, n) b=memory */                            \
  X(MEMORY_COPY, core_i4_t)   /* a=base(d, s, n) b=dst memory c=src memory */             \
  X(MEMORY_INIT, core_i4_t)   /* a=base(d, s, n) b=data c=memory */                       \
  X(DATA_DROP, core_i2_t)     /* a=data */

/* Superinstructions, second set (from the same profiles): X(name, format).
 *  F64_ADD_AL_ST     mem[p + off] = dacc = dacc + mem[p + off]          i4 {c=p d=off}
 *                    (f64 load, add, store back to the same address: `*p += v`)
 *  F64_MLA_ST        mem[p + off] = dacc = x * mem[(u32)(q + kq) + off2] + mem[p + off], each
 *                    operation rounded                       i4k {a=p b=x c=q d=off k=off2|kq<<32}
 *  F64_MUL_SLAI      d = dacc = x * mem[(u32)(q + kq) + off]          i4k {a=d b=x c=q d=off k=kq}
 *  F64_MUL_AL_ADD    d = dacc = dacc * mem[p + off] + y               i4 {a=d b=y c=p d=off}
 *  F64_DIV_I_CVU     d = dacc = imm / (f64)(u32)x                     i2k {a=d b=x k=bits}
 *  I32_XROT2         d = rotl(x, k0) ^ rotl(x, k1)                    i2k {a=d b=x k=k0|k1<<8|k2<<16}
 *  I32_XROT3         d = rotl(x, k0) ^ rotl(x, k1) ^ rotl(x, k2)
 *  I32_XROT2SHR      d = rotl(x, k0) ^ rotl(x, k1) ^ (x >> k2)    (the SHA-2 sigma functions)
 *  I32_ADD3_SA       d = z + (y + acc)                                i4 {a=d b=y c=z}
 *  I32_ADD4_SA       d = w + (z + (y + acc))                          i4 {a=d b=y c=z d=w}
 *  I32_ADD3I         d = x + y + imm                                  i4k {a=d b=x c=y k=imm}
 *  BR_AND_Z/_NZ[_BACK]  branch if (x & imm) == 0 / != 0            i2k {a=x b=off k=imm}
 *  I32_ANDN          d = ~x & y                                       i4 {a=d b=x c=y}
 *  CALL_ADDI         x = y + imm (i32, an argument), then CALL      i4k {a=arg slot b=x c=y
 *                    d=imm k=core_compiled_func_t*} (the callee's slots come from k)
 *  RET_K             fp[0] = acc = imm; return                        i2k {k=imm}
 *                    (RET_1 and RET_K leave a single result in acc too, so the instruction
 *                    after a direct call can read an integer result from there)
 *  <load>_X_G        d = load(base + (u32)(y + (x << sh)) + off), memory 0 with guard pages
 *                    i4k {a=d b=x c=y d=off k=sh} (an array element: an i32.add of a shifted
 *                    index used only as the address)
 *  BRL32_/BRL8_<cmp>_SS/_SI  forward branch if load(base + p + off) <cmp> y (or imm), the
 *                    load an i32.load / i32.load8_u of memory 0 with guard pages feeding only
 *                    the comparison                       i4k {a=p b=y c=branch off d=off k=imm}
 *  I32_LOAD_ADDI, I32_LOAD8_U_ADDI   d = load(base + p + off) + imm    i4k {a=d b=p c=off k=imm}
 *  INCBS_<cmp>_SS/_SI  loop back-edge: x = y + z; branch if x <cmp> w (or imm2)
 *                    i4k {a=x b=y c=w|imm2 d=off k=z} (INCB with the increment in a slot)
 * (The integer ones leave their result in acc, the f64 ones in dacc.) */
#define CORE_FUSED_XOPS(X)                                                               \
  X(F64_ADD_AL_ST, core_i4_t)                                                            \
  X(F64_MLA_ST, core_i4k_t)                                                              \
  X(F64_MUL_SLAI, core_i4k_t)                                                            \
  X(F64_MUL_AL_ADD, core_i4_t)                                                           \
  X(F64_DIV_I_CVU, core_i2k_t)                                                           \
  X(I32_XROT2, core_i2k_t)                                                               \
  X(I32_XROT3, core_i2k_t)                                                               \
  X(I32_XROT2SHR, core_i2k_t)                                                            \
  X(I32_ADD3_SA, core_i4_t)                                                              \
  X(I32_ADD4_SA, core_i4_t)                                                              \
  X(I32_ADD3I, core_i4k_t)                                                               \
  X(BR_AND_Z, core_i2k_t)                                                                \
  X(BR_AND_NZ, core_i2k_t)                                                               \
  X(BR_AND_Z_BACK, core_i2k_t)                                                           \
  X(BR_AND_NZ_BACK, core_i2k_t)                                                          \
  X(I32_ANDN, core_i4_t)                                                                 \
  X(RET_K, core_i2k_t)                                                                   \
  X(CALL_ADDI, core_i4k_t)                                                               \
  X(I32_LOAD_ADDI, core_i4k_t)                                                           \
  X(I32_LOAD8_U_ADDI, core_i4k_t)

#include "core/interp_simd_list.inc"

/* The handler enumeration. */
typedef enum core_xop {
#define X_BIN(N) XOP_##N##_SS, XOP_##N##_SI, XOP_##N##_AS, XOP_##N##_SA, XOP_##N##_AI,
  CORE_IBINOPS(X_BIN)
#undef X_BIN
#define X_CMPBR(N) XOP_BR_##N##_SS, XOP_BR_##N##_SI, XOP_BRB_##N##_SS, XOP_BRB_##N##_SI,
  CORE_ICMPS(X_CMPBR)
#undef X_CMPBR
#define X_FBIN(N) XOP_##N##_SS,
  CORE_FBINOPS(X_FBIN)
#undef X_FBIN
#define X_UN(N) XOP_##N,
  CORE_UNOPS(X_UN)
#undef X_UN
#define X_MEM(N) XOP_##N##_G, XOP_##N##_C, XOP_##N##_M,
  CORE_LOADS(X_MEM) CORE_STORES(X_MEM)
#undef X_MEM
#define X_MISC(N, F) XOP_##N,
  CORE_MISC_XOPS(X_MISC)
#undef X_MISC
#define X_MEMA(N) XOP_##N##_AI_G, XOP_##N##_AI_C, XOP_##N##_AS_G, XOP_##N##_AS_C,
  CORE_LOADS(X_MEMA) CORE_STORES(X_MEMA)
#undef X_MEMA
#define X_STK(N) XOP_##N##_K_G, XOP_##N##_K_C, XOP_##N##_K_M,
  CORE_STORES(X_STK)
#undef X_STK
#define X_INCB(N) XOP_INCB_##N##_SS, XOP_INCB_##N##_SI,
  CORE_ICMPS32(X_INCB)
#undef X_INCB
  XOP_MOV_MOV,
#define X_FIMM(N) XOP_##N##_SI, XOP_##N##_IS,
  CORE_FIMMOPS(X_FIMM)
#undef X_FIMM
#define X_LOP(N) XOP_##N##_SL,
  CORE_LOADOPS(X_LOP)
#undef X_LOP
#define X_LDA(N) XOP_##N##_A_G, XOP_##N##_A_C,
  CORE_LOADS(X_LDA)
#undef X_LDA
#define X_STA(N) XOP_##N##_VA_G, XOP_##N##_VA_C,
  CORE_STORES(X_STA)
#undef X_STA
  XOP_STORE64_VD_G, XOP_STORE64_VD_C,
#define X_DACC(N) XOP_##N##_AS, XOP_##N##_SA, XOP_##N##_AI, XOP_##N##_IA, XOP_##N##_AL,
  CORE_DACCOPS(X_DACC)
#undef X_DACC
#define X_SHOP(O, S) XOP_##O##_##S##_SS, XOP_##O##_##S##_AS, XOP_##O##_##S##_SA, XOP_##O##_##S##_AA,
  CORE_SHOPS(X_SHOP)
#undef X_SHOP
  XOP_MOV3, XOP_I32_ADD2,
  XOP_BR_NZ_A, XOP_BR_NZ_A_BACK, XOP_BR_Z_A, XOP_BR_Z_A_BACK, /* i2 {b=off}: test acc */
#define X_FU(N, F) XOP_##N,
  CORE_FUSED_XOPS(X_FU)
#undef X_FU
#define X_INCBS(N) XOP_INCBS_##N##_SS, XOP_INCBS_##N##_SI,
  CORE_ICMPS32(X_INCBS)
#undef X_INCBS
#define X_LDX(N) XOP_##N##_X_G,
  CORE_LOADS(X_LDX)
#undef X_LDX
#define X_BRL(N) XOP_BRL32_##N##_SS, XOP_BRL32_##N##_SI, XOP_BRL8_##N##_SS, XOP_BRL8_##N##_SI,
  CORE_ICMPS32(X_BRL)
#undef X_BRL
#define X_S(N, F) XOP_S_##N,
  CORE_SIMD_XOPS(X_S) /* generated by src/core/gen/gen_simd.py */
#undef X_S
  XOP__COUNT
} core_xop_t;

/* ------------------------------------------------------------------ compiled functions */
struct core_compiled_func {
  core_cell_t *code;          /* instructions (owned) */
  size_t ncells;
  const core_functype_t *type;
  uint32_t func_index;        /* index in the module's function index space */
  uint32_t param_slots;       /* slots of the parameters */
  uint32_t local_slots;       /* slots of the declared locals (zeroed on entry) */
  uint32_t result_slots;
  uint32_t frame_slots;       /* params + locals + maximum operand stack, and at least
                                 params + CORE_ZERO_SLOTS (see below) */
  bool guarded;               /* memory 0 accessed without checks: needs a guarded memory */
  weld_module_t *mod;         /* the module whose code this is */
  /* Guarded code only: the same function compiled with explicit bounds checks, for
   * instances whose memory 0 has no guard region (core_compiled_checked). */
  core_compiled_func_t *checked;
};
/* cf's variant with explicit bounds checks.  The first call compiles the whole module
 * that way (all functions at once, so direct calls stay inside the variant); NULL when
 * that fails (out of memory).  Thread-safe. */
const core_compiled_func_t *core_compiled_checked(const core_compiled_func_t *cf);

/* A call zeroes the callee's declared locals (§4.4.10) by storing CORE_ZERO_SLOTS zero
 * slots after its parameters unconditionally (what lies beyond the locals is free operand
 * stack), plus a loop only for functions with more locals; every frame is at least that
 * large. */
#define CORE_ZERO_SLOTS 4u

/* Handler addresses, indexed by core_xop_t. */
const void *const *core_interp_handlers(void);
/* Debug listing of a compiled function (tests and `weld` diagnostics). */
void core_code_dump(const core_compiled_func_t *cf, FILE *out);
/* The handler of SIMD instruction `op` (a core_op_t of opcodes.def with prefix 0xFD) in
 * memory mode m (0=G, 1=C, 2=M; ignored for non-memory instructions), or -1 if none. */
int core_simd_xop(int op, int mode);

/* ------------------------------------------------------------------ execution state
 * Shared by interp.c and signals.c. */
typedef struct core_frame {
  const core_cell_t *pc;        /* where the caller continues */
  core_slot_t *fp;              /* the caller's frame */
  weld_instance_t *inst;        /* this frame's instance (the caller's is one record below) */
  const core_compiled_func_t *cf; /* this frame's function (trap messages) */
} core_frame_t;

/* The jump buffer of an interpreter entry, which the guard-page fault handler jumps back
 * to.  GCC and clang's __builtin_setjmp saves just the frame and stack pointers and the
 * resume address (the compiler reloads everything else after the jump), which keeps a
 * host -> wasm entry cheap; the handler runs with SA_NODEFER, so no signal mask needs
 * restoring.  Sanitizer builds use sigsetjmp(env, 0)/siglongjmp, which ASan intercepts to
 * unpoison the abandoned stack. */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__aarch64__)) && \
    !defined(WELD_SANITIZE) && !defined(__SANITIZE_ADDRESS__)
typedef void *core_jmp_buf[5];
#define CORE_SETJMP(b) __builtin_setjmp(b)
#define CORE_LONGJMP(b) __builtin_longjmp(b, 1)
#else
typedef sigjmp_buf core_jmp_buf;
#define CORE_SETJMP(b) sigsetjmp(b, 0)
#define CORE_LONGJMP(b) siglongjmp(b, 1)
#endif

struct core_thread {
  weld_store_t *store;
  core_slot_t *stack, *stack_end;
  core_slot_t *top;             /* first free slot for a nested entry (host -> wasm) */
  core_frame_t *frames, *frames_end;
  core_frame_t *fsp;            /* innermost frame; updated at every call and return */
  size_t stack_slots, nframes;
  uint32_t depth;               /* nested core_call entries */
  core_jmp_buf *jmp;            /* innermost interpreter entry (guard-page trap path) */
  volatile sig_atomic_t in_wasm; /* executing wasm code (not a host function) */
};

/* signals.c: per-OS-thread state of the guard-page trap path, set up once per thread by
 * core_signals_init_thread (installs the process-wide SIGSEGV/SIGBUS handler once, this
 * thread's alternate signal stack, and the C stack limit).  An interpreter entry then only
 * swaps `thread` (the state the fault handler looks at) and compares its stack pointer
 * with stack_limit, inline. */
typedef struct core_tls {
  core_thread_t *thread;  /* the interpreter state running on this OS thread, or NULL */
  uintptr_t stack_limit;  /* an entry needs its C stack above this address (0 = unknown) */
  bool ready;             /* core_signals_init_thread has run on this thread */
} core_tls_t;
#if defined(__GNUC__) || defined(__clang__)
#define CORE_TLS_ATTR __attribute__((tls_model("initial-exec")))
#else
#define CORE_TLS_ATTR
#endif
extern CORE_TLS_ATTR __thread core_tls_t core_tls;
void core_signals_init_thread(void);
/* False when this OS thread's C stack is too close to its end for another interpreter
 * entry (host -> wasm re-entry); true when the bounds are unknown.  Needs
 * core_signals_init_thread first. */
static inline bool core_stack_ok(void) {
  uintptr_t lim = core_tls.stack_limit;
  return !lim || (uintptr_t)__builtin_frame_address(0) > lim;
}

#endif
