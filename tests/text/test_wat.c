/* test_wat.c — unit tests for the core text format encoder (src/text/wat*.c, core spec
 * §6.4-6.6): exact encodings, the abbreviations of the spec checked as equivalences
 * (an abbreviated text must encode exactly like its expansion), errors with their position,
 * quote/binary module forms, the public weld_wat_to_wasm, deep nesting, and out-of-memory at
 * every allocation.  Regression cases for bugs found along the way are at the end. */
#include "base/vec.h"
#include "core/opcodes.h"
#include "text/sexpr.h"
#include "text/wat.h"
#include "weld/engine.h"
#include "weld/error.h"
#include "weld/module.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void check(int ok, const char *what) {
  if (ok) passed++;
  else {
    failed++;
    printf("FAIL %s\n", what);
  }
}

static unsigned enc_flags = TEXT_WAT_NO_NAMES;

/* Encodes src; returns NULL and prints on error. */
static base_buf_t *enc(const char *src, weld_error_t **err_out) {
  static base_buf_t b;
  base_buf_free(&b);
  weld_error_t *e = text_wat_to_wasm(src, strlen(src), "t.wat", enc_flags, &b);
  if (err_out) *err_out = e;
  else if (e) {
    printf("  error: %s\n", weld_error_message(e));
    weld_error_delete(e);
  }
  return e ? NULL : &b;
}

static void hex(const uint8_t *p, size_t n, char *out) {
  for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", p[i]);
  out[2 * n] = 0;
}

/* The module's bytes must equal the hex string. */
static void expect_hex(const char *src, const char *want, const char *what) {
  base_buf_t *b = enc(src, NULL);
  char got[8192] = "";
  if (b && b->len * 2 < sizeof got) hex(b->data, b->len, got);
  int ok = b && strcmp(got, want) == 0;
  if (!ok) printf("  got  %s\n  want %s\n", got, want);
  check(ok, what);
}

/* Two texts must encode to the same binary (an abbreviation and its expansion). */
static void expect_same(const char *a, const char *b, const char *what) {
  base_buf_t *x = enc(a, NULL);
  base_buf_t ca = {0};
  if (x) base_buf_bytes(&ca, x->data, x->len);
  base_buf_t *y = enc(b, NULL);
  int ok = x && y && ca.len == y->len && memcmp(ca.data, y->data, ca.len) == 0;
  if (!ok && x && y) {
    char h1[8192] = "", h2[8192] = "";
    if (ca.len * 2 < sizeof h1) hex(ca.data, ca.len, h1);
    if (y->len * 2 < sizeof h2) hex(y->data, y->len, h2);
    printf("  a: %s\n  b: %s\n", h1, h2);
  }
  base_buf_free(&ca);
  check(ok, what);
}

/* src must be rejected with a message containing want (e.g. "t.wat:1:9: unknown local"). */
static void expect_error(const char *src, const char *want, const char *what) {
  weld_error_t *e = NULL;
  base_buf_t *b = enc(src, &e);
  int ok = !b && e && strstr(weld_error_message(e), want);
  if (!ok) printf("  %s\n", e ? weld_error_message(e) : "(accepted)");
  weld_error_delete(e);
  check(ok, what);
}

static void test_encodings(void) {
  expect_hex("(module)", "0061736d01000000", "empty module");
  expect_hex("", "0061736d01000000", "empty text is an empty module");
  expect_hex("(module (func (param i32) (result i32) (i32.add (local.get 0) (i32.const -1))))",
             "0061736d0100000001060160017f017f030201000a090107002000417f6a0b", "add function");
  /* multi-memory memargs, lane memargs, memory.init forms, datacount, f32x4 constant (bytes checked against wabt) */
  expect_hex("(module (memory 1) (memory $m 1) (data $d \"x\")"
             " (func (param i32 v128) (result v128)"
             "  (drop (i32.load offset=4 align=2 (i32.const 0)))"
             "  (drop (i32.load $m offset=1 (i32.const 0)))"
             "  (drop (v128.load8_lane 1 (local.get 0) (local.get 1)))"
             "  (drop (v128.load8_lane $m 2 (local.get 0) (local.get 1)))"
             "  (drop (v128.load8_lane 1 3 (local.get 0) (local.get 1)))"
             "  (drop (v128.load16_lane offset=3 align=1 5 (local.get 0) (local.get 1)))"
             "  (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))"
             "  (memory.init $m $d (i32.const 0) (i32.const 0) (i32.const 0))"
             "  (v128.const f32x4 1 -0 nan inf)))",
             "0061736d0100000001070160027f7b017b03020100050502000100010c01010a61015f0041002801041a4100284201011a2000"
             "2001fd540000011a20002001fd54400100021a20002001fd54400100031a20002001fd550003051a410041004100fc080000"
             "410041004100fc080001fd0c0000803f000000800000c07f0000807f0b0b0401010178",
             "memargs, lanes, memory.init, datacount");
  expect_hex("(module (func (param i32) (block $a (block (br_table $a 0 1 (local.get 0))))))",
             "0061736d0100000001050160017f00030201000a11010f000240024020000e020100010b0b0b", "br_table");
  expect_hex("(module (table 1 funcref) (type $t (func (param i32))) (func (call_indirect 0 (type $t) (i32.const 1) (i32.const 2))))",
             "0061736d0100000001080260017f00600000030201010404017000010a0b010900410141021100000b", "call_indirect with table and type");
  expect_hex("(module (func (result i32) (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3))))",
             "0061736d010000000105016000017f030201000a0d010b004101410241031c017f0b", "typed select");
  expect_hex("(module (func (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31 (v128.const i64x2 -1 0x10) (v128.const i16x8 1 2 3 4 5 6 7 -32768))))",
             "0061736d010000000105016000017b030201000a3a013800fd0cffffffffffffffff1000000000000000fd0c01000200030004000500060007000080fd0d000102030405060708090a0b0c0d0e1f0b", "shuffle and v128 constants");
  expect_hex("(module (func (drop (ref.null extern)) (drop (ref.func 0))))",
             "0061736d01000000010401600000030201000a0a010800d06f1ad2001a0b", "ref.null / ref.func");
  /* an empty else is left out: `if ... else end` and `if ... end` are the same instruction */
  expect_same("(module (func (if (i32.const 1) (then (nop)) (else))))", "(module (func i32.const 1 if nop end))",
              "empty folded else dropped");
  expect_same("(module (func i32.const 1 if nop else end))", "(module (func i32.const 1 if nop end))",
              "empty plain else dropped");
  /* element segment forms follow wabt's choices (indices when every item is a ref.func) */
  expect_hex("(module (table 1 funcref) (table 1 externref) (func $f)"
             " (elem (i32.const 0) func $f) (elem (i32.const 0) funcref (ref.null func))"
             " (elem (table 1) (i32.const 0) externref (ref.null extern)) (elem (table 1) (i32.const 0) func $f)"
             " (elem func $f) (elem funcref (ref.null func)) (elem declare func $f) (elem externref))",
             "0061736d01000000010401600000030201000407027000016f00010932080041000b01000441000b01d0700b060141000b6f01d06f0b020141000b00010001000100057001d0700b03000100056f000a040102000b",
             "element segment encodings");
}

static void test_abbreviations(void) {
  expect_same("(module (func (import \"m\" \"f\") (param i32)))", "(module (import \"m\" \"f\" (func (param i32))))",
              "inline function import");
  expect_same("(module (func $f (export \"a\") (export \"b\")))",
              "(module (export \"a\" (func $f)) (export \"b\" (func $f)) (func $f))", "inline exports");
  expect_same("(module (table $t (export \"t\") (import \"m\" \"t\") 1 funcref))",
              "(module (import \"m\" \"t\" (table $t 1 funcref)) (export \"t\" (table $t)))", "inline table import+export");
  expect_same("(module (global (import \"m\" \"g\") (mut i32)))", "(module (import \"m\" \"g\" (global (mut i32))))",
              "inline global import");
  expect_same("(module (memory (import \"m\" \"mem\") 1 2))", "(module (import \"m\" \"mem\" (memory 1 2)))",
              "inline memory import");
  expect_same("(module (table funcref (elem $f $g)) (func $f) (func $g))",
              "(module (table 2 2 funcref) (elem (table 0) (i32.const 0) func $f $g) (func $f) (func $g))",
              "inline element segment");
  expect_same("(module (table funcref (elem (ref.func $f))) (func $f))",
              "(module (table 1 1 funcref) (elem (i32.const 0) $f) (func $f))", "inline element expressions");
  expect_same("(module (memory (data \"ab\" \"c\")))", "(module (memory 1 1) (data (memory 0) (i32.const 0) \"abc\"))",
              "inline data segment");
  expect_same("(module (memory (data)))", "(module (memory 0 0) (data (i32.const 0)))", "empty inline data");
  expect_same("(module (func (param i32)) (type (func)))",
              "(module (type (func)) (type (func (param i32))) (func (type 1)))", "implicit type appended at the end");
  expect_same("(module (type $t (func (param i32))) (func (param $x i32)))",
              "(module (type $t (func (param i32))) (func (type $t)))", "inline type use reuses a type");
  expect_same("(module (type $t (func (param i32) (result i64))) (func (type $t) (param $x i32) (result i64) (i64.extend_i32_u (local.get $x))))",
              "(module (type $t (func (param i32) (result i64))) (func (type 0) local.get 0 i64.extend_i32_u))",
              "type use with matching inline declaration");
  expect_same("(module (type $t (func (param i32 i32))) (func (type $t) (local $x i32) (drop (local.get $x))))",
              "(module (type $t (func (param i32 i32))) (func (type 0) (local i32) local.get 2 drop))",
              "locals are numbered after the referenced type's parameters");
  expect_same("(module (func (result i32) (i32.add (i32.const 1) (i32.mul (i32.const 2) (i32.const 3)))))",
              "(module (func (result i32) i32.const 1 i32.const 2 i32.const 3 i32.mul i32.add))", "folded = plain");
  expect_same("(module (func (param i32) (result i32) (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))))",
              "(module (func (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else i32.const 2 end))",
              "folded if");
  expect_same("(module (func (if (i32.const 1) (i32.eqz) (then))))", "(module (func i32.const 1 i32.eqz if end))",
              "folded if with several condition instructions");
  expect_same("(module (func (block $a (block $b (br $a) (br $b) (br 0)))))",
              "(module (func block block br 1 br 0 br 0 end end))", "named labels");
  expect_same("(module (func (block $l (block $l (br $l)))))", "(module (func block block br 0 end end))",
              "label shadowing");
  expect_same("(module (func block $a loop $b br $a br $b end $b end $a))",
              "(module (func block loop br 1 br 0 end end))", "end labels");
  expect_same("(module (func (param $p i32) (local $x i64) (local f32 f32) (local.set $x (i64.extend_i32_s (local.get $p)))))",
              "(module (func (param i32) (local i64 f32 f32) local.get 0 i64.extend_i32_s local.set 1))", "named locals");
  expect_same("(module (table 1 funcref) (func $f) (elem (i32.const 0) $f))",
              "(module (table 1 funcref) (func $f) (elem (table 0) (offset (i32.const 0)) func $f))", "elem abbreviations");
  expect_same("(module (func $f) (elem funcref (item ref.func $f) (item (ref.func $f))))", "(module (func $f) (elem func $f $f))",
              "elem items");
  expect_same("(module (memory 1) (data (offset (i32.const 1)) \"a\"))", "(module (memory 1) (data (i32.const 1) \"a\"))",
              "data offset abbreviation");
  expect_same("(func) (memory 1) (export \"m\" (memory 0))", "(module (func) (memory 1) (export \"m\" (memory 0)))",
              "bare fields are a module");
  expect_same("(module $m (func))", "(module (func))", "module name");
  expect_same("(module quote \"(func\" \" (nop))\")", "(module (func (nop)))", "quote module");
  expect_same("(module quote \"(module $q (func (nop)))\")", "(module (func (nop)))", "quote of a whole module");
  expect_same("(module binary \"\\00asm\" \"\\01\\00\\00\\00\")", "(module)", "binary module");
  expect_same("(module (func $\"a b\" (call $\"a b\")) (func (call $\"a b\")))",
              "(module (func $a (call $a)) (func (call 0)))", "quoted identifiers");
  expect_same("(module (func (call $f)) (func $f))", "(module (func (call 1)) (func))", "forward reference");
  expect_same("(module (func (block (result i32) (i32.const 1)) (drop)))", "(module (func block (result i32) i32.const 1 end drop))",
              "block result");
  expect_same("(module (func (block (param i32) (drop)) ) (func (param i32)))",
              "(module (type (func)) (type (func (param i32))) (func (type 0) block (type 1) drop end) (func (type 1)))",
              "block with params uses an implicit type");
  expect_same("(module (memory 1) (func (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))))",
              "(module (memory 1) (func i32.const 0 i32.const 0 i32.const 0 memory.copy 0 0))", "memory.copy defaults");
  expect_same("(module (table 1 funcref) (elem $e func) (func (table.init $e (i32.const 0) (i32.const 0) (i32.const 0))))",
              "(module (table 1 funcref) (elem $e func) (func i32.const 0 i32.const 0 i32.const 0 table.init 0 0))",
              "table.init with the table omitted");
}

static void test_errors(void) {
  expect_error("(module (func (local.get $x)))", "t.wat:1:26: unknown local $x", "unknown local");
  expect_error("(module (func $f) (func $f))", "t.wat:1:25: duplicate func $f", "duplicate func");
  expect_error("(module (func (param $a i32) (local $a i32)))", "duplicate local $a", "duplicate local");
  expect_error("(module (type $t (func)) (type $t (func)))", "duplicate type $t", "duplicate type");
  expect_error("(module (func block $a end $b))", "t.wat:1:28: mismatching label $b", "mismatching end label");
  expect_error("(module (func block end $b))", "mismatching label", "end label on unnamed block");
  expect_error("(module (func i32.const 0 if $a else $b end))", "mismatching label", "mismatching else label");
  expect_error("(module (func end))", "end without block", "stray end");
  expect_error("(module (func else))", "else without if", "stray else");
  expect_error("(module (func block nop))", "t.wat:1:15: missing end", "missing end");
  expect_error("(module (func (block block)))", "missing end", "unclosed plain block inside folded block");
  expect_error("(module (func (i32.const 0x100000000)))", "i32 constant out of range", "i32 out of range");
  expect_error("(module (func (f32.const 1e39)))", "f32 constant out of range", "f32 overflow");
  expect_error("(module (func (i32.const)))", "unexpected end", "missing literal");
  expect_error("(module (func (i32.load align=3 (i32.const 0))))", "alignment must be a power of two", "bad alignment");
  expect_error("(module (type $t (func (param i32))) (func (type $t) (param i64)))", "does not match", "type use mismatch");
  expect_error("(module (func) (import \"a\" \"b\" (func)))", "import after function", "import after function");
  expect_error("(module (memory 0) (func (import \"a\" \"b\")))", "import after memory", "inline import after memory");
  expect_error("(module (func) (start 0) (start 0))", "multiple start sections", "two starts");
  expect_error("(module (func (v128.const i32x4 1 2 3)))", "wrong number of lane literals", "lane count");
  expect_error("(module (func (v128.const i32x4 1 2 3 4 5)))", "wrong number of lane literals", "too many lanes");
  expect_error("(module (func (i8x16.shuffle 0 1 2)))", "invalid lane length", "shuffle lanes");
  expect_error("(module (func (i8x16.extract_lane_s 256 (v128.const i64x2 0 0))))", "malformed lane index", "lane 256");
  expect_error("(module (foo))", "unknown module field foo", "unknown field");
  expect_error("(module (func (br $nope)))", "unknown label $nope", "unknown label");
  expect_error("(module (func (call $g)))", "unknown func $g", "unknown func");
  expect_error("(module (export \"a\" (func $nope)))", "unknown func $nope", "unknown export target");
  expect_error("(module (func (block (param $x i32))))", "not allowed", "named block parameter");
  expect_error("(module (func (i32.add 1 2)))", "unexpected token", "atom operand of a folded instruction");
  expect_error("(module (func (nop) (i32.foo)))", "t.wat:1:22: unknown operator i32.foo", "unknown operator");
  expect_error("(module (export \"\\ff\" (func 0)))", "malformed UTF-8", "export name not UTF-8");
  expect_error("(module (memory 0x1_0000_0000))", "limit out of range", "memory limit");
  expect_error("(module (func (result i32) (param i32)))", "param after result", "param after result");
  expect_error("(module (func (local i32) (param i32)))", "unknown operator param", "param after local");
  expect_error("(module quote \"(func (nop)\" \" (i32.bad))\")", "(quoted module):1:14: unknown operator i32.bad",
               "error position inside a quoted module");
  expect_error("(module binary 0)", "expected a string", "binary needs strings");
  expect_error("(module (func)) (module)", "a module inside a module", "two modules in one text");
  expect_error("(module (func (if (i32.const 1) (else))))", "expected (then", "if without then");
  expect_error("(module (func (if (i32.const 1) (then) (else) (nop))))", "after (else", "junk after else");
  expect_error("(module (func (select (param i32))))", "unknown operator param", "select with params");
  expect_error("(module (table 1 funcref) (func (table.copy 0)))", "two indices or none", "table.copy with one index");
  check(enc("(module (global i32))", NULL) != NULL, "a global with an empty initializer is well-formed text");
  expect_error("(module (func (param $x i32 i64)))", "exactly one type", "named param with two types");
  expect_error("(module (elem (table 0) func))", "expected an offset", "elem table use without offset");
}

/* Every instruction of opcodes.def parses (by its text name, with immediates of its kind) and
 * is encoded with its opcode. */
static void test_all_opcodes(void) {
  int bad = 0, total = 0;
  for (int k = 0; k < OPC__COUNT; k++) {
    const core_opinfo_t *o = &core_opinfo[k];
    if (k == OPC_SELECT_T || k == OPC_ELSE || k == OPC_END) continue;
    const char *imm = "";
    switch (o->imm) {
    case IMM_BLOCK: imm = "(result i32) end"; break;
    case IMM_LABEL: imm = "0"; break;
    case IMM_BR_TABLE: imm = "0 0"; break;
    case IMM_FUNC: imm = "$f"; break;
    case IMM_CALL_INDIRECT: imm = "(type 0)"; break;
    case IMM_LOCAL: imm = "0"; break;
    case IMM_GLOBAL: imm = "$g"; break;
    case IMM_TABLE: imm = "$t"; break;
    case IMM_MEMARG: imm = "offset=1"; break;
    case IMM_I32: case IMM_I64: case IMM_F32: case IMM_F64: imm = "1"; break;
    case IMM_V128: imm = "i32x4 1 2 3 4"; break;
    case IMM_LANE: imm = "1"; break;
    case IMM_MEMARG_LANE: imm = "offset=1 1"; break;
    case IMM_SHUFFLE: imm = "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15"; break;
    case IMM_HEAPTYPE: imm = "func"; break;
    case IMM_MEMORY: imm = "0"; break;
    case IMM_MEMORY_COPY: imm = "0 0"; break;
    case IMM_MEMORY_INIT: imm = "$d"; break;
    case IMM_DATA: imm = "$d"; break;
    case IMM_ELEM: imm = "$e"; break;
    case IMM_TABLE_INIT: imm = "$t $e"; break;
    case IMM_TABLE_COPY: imm = "$t $t"; break;
    default: break;
    }
    char src[512];
    snprintf(src, sizeof src,
             "(module (type (func)) (memory 1) (table $t 1 funcref) (global $g (mut i32) (i32.const 0))"
             " (elem $e func) (data $d \"\") (func $f (local i32) %s %s))", o->name, imm);
    base_buf_t *b = enc(src, NULL);
    /* the opcode bytes must appear in the module */
    uint8_t op[6];
    size_t n = 0;
    if (o->prefix) {
      op[n++] = o->prefix;
      uint32_t c = o->code;
      do {
        op[n] = (uint8_t)(c & 0x7f);
        c >>= 7;
        if (c) op[n] |= 0x80;
        n++;
      } while (c);
    } else {
      op[n++] = (uint8_t)o->code;
    }
    int found = 0;
    for (size_t i = 0; b && i + n <= b->len; i++)
      if (!memcmp(b->data + i, op, n)) found = 1;
    total++;
    if (!found) {
      bad++;
      printf("  instruction %s did not encode\n", o->name);
    }
  }
  check(bad == 0 && total > 400, "every instruction of opcodes.def encodes");
}

/* The "name" custom section: module name and function names from $ids. */
static void test_names(void) {
  enc_flags = 0;
  expect_hex("(module $m (import \"a\" \"b\" (func $imp)) (func) (func $\"f g\"))",
             "0061736d0100000001040160000002070101610162000003030200000a070202000b02000b"
             "0016046e616d650002016d010b020003696d700203662067",
             "name section");
  expect_hex("(module (func))", "0061736d01000000010401600000030201000a040102000b", "no names, no name section");
  enc_flags = TEXT_WAT_NO_NAMES;
}

static void test_api(void) {
  uint8_t *bytes = NULL;
  size_t len = 0;
  const char *src = "(module (func (export \"f\") (result i32) (i32.const 42)))";
  weld_error_t *e = weld_wat_to_wasm(src, strlen(src), &bytes, &len);
  check(!e && bytes && len > 8 && memcmp(bytes, "\0asm", 4) == 0, "weld_wat_to_wasm");
  weld_free_bytes(bytes, len);
  weld_error_delete(e);
  bytes = NULL;
  e = weld_wat_to_wasm("(module (func (i32.nope)))", 26, &bytes, &len);
  check(e && !bytes && strstr(weld_error_message(e), "<input>:1:16: unknown operator"), "weld_wat_to_wasm error");
  weld_error_delete(e);
}

/* Deep nesting: folded instructions are walked without C recursion. */
static void test_deep(void) {
  enum { DEPTH = 9000 };
  base_buf_t s = {0};
  base_buf_printf(&s, "(module (func (result i32) ");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, "(i32.eqz ");
  base_buf_printf(&s, "(i32.const 0)");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, ")");
  base_buf_printf(&s, "))");
  base_buf_byte(&s, 0); /* base_buf is not NUL-terminated */
  base_buf_t *b = enc((const char *)s.data, NULL);
  check(b && b->len > DEPTH, "9000 nested folded instructions");
  base_buf_free(&s);
  base_buf_printf(&s, "(module (func ");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, "(block ");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, ")");
  base_buf_printf(&s, "))");
  base_buf_byte(&s, 0);
  b = enc((const char *)s.data, NULL);
  check(b && b->len > 2 * DEPTH, "9000 nested folded blocks");
  base_buf_free(&s);
  base_buf_printf(&s, "(module (func ");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, "block ");
  for (int i = 0; i < DEPTH; i++) base_buf_printf(&s, "end ");
  base_buf_printf(&s, "))");
  base_buf_byte(&s, 0);
  b = enc((const char *)s.data, NULL);
  check(b && b->len > 2 * DEPTH, "9000 nested plain blocks");
  base_buf_free(&s);
}

/* ---- out of memory at every allocation -------------------------------------------------------- */

static long fail_at, alloc_count, live;

static void *failing_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    if (ptr) live--;
    free(ptr);
    return NULL;
  }
  if (alloc_count++ == fail_at) return NULL;
  void *p = realloc(ptr, new_size);
  if (p && !ptr) live++;
  return p;
}

static void test_oom(void) {
  const char *src =
      "(module (type $t (func (param i32) (result i32))) (import \"m\" \"f\" (func $imp (param i64)))"
      " (memory (export \"mem\") 1) (table $tab 2 funcref) (global $g (mut i32) (i32.const 7))"
      " (func $f (export \"f\") (type $t) (local $x i64) (block $b (br_if $b (local.get 0)))"
      "   (if (result i32) (local.get 0) (then (i32.const 1)) (else (call_indirect (type $t) (i32.const 0) (i32.const 0)))))"
      " (elem (i32.const 0) $f $f) (data (i32.const 0) \"hello\") (start $s) (func $s))";
  int ok_runs = 0, bad = 0;
  for (fail_at = 0; fail_at < 100000; fail_at++) {
    alloc_count = 0;
    live = 0;
    weld_set_allocator(failing_realloc, NULL);
    uint8_t *bytes = NULL;
    size_t len = 0;
    weld_error_t *e = weld_wat_to_wasm(src, strlen(src), &bytes, &len);
    int done = !e;
    weld_free_bytes(bytes, len);
    weld_error_delete(e);
    weld_set_allocator(NULL, NULL);
    if (live != 0) bad++;
    if (done) {
      ok_runs++;
      if (alloc_count <= fail_at) break; /* no allocation failed: all points covered */
    }
  }
  check(bad == 0, "no leak when any allocation fails");
  check(ok_runs >= 1, "OOM sweep finished");
}

/* ---- regressions ------------------------------------------------------------------------------ */

static void test_regressions(void) {
  /* a line comment ended by a lone CR must not swallow the next line (comments.wast:83) */
  expect_same("(module (func (result i32) (i32.const 1) ;; comment\r (return (i32.const 2))\n))",
              "(module (func (result i32) i32.const 1 i32.const 2 return))", "CR ends a line comment");
  /* the wabt-compatible empty-else rule must not drop a non-empty else branch */
  expect_hex("(module (func (if (i32.const 1) (then) (else (nop)))))",
             "0061736d01000000010401600000030201000a0b0109004101044005010b0b", "non-empty else kept");
  /* an `(else)` with an id-less plain if nested in the then-branch */
  expect_same("(module (func (if (i32.const 0) (then i32.const 1 if end))))",
              "(module (func i32.const 0 if i32.const 1 if end end))", "plain if inside folded then");
}

int main(void) {
  test_encodings();
  test_abbreviations();
  test_errors();
  test_all_opcodes();
  test_names();
  test_api();
  test_deep();
  test_oom();
  test_regressions();
  enc("", NULL); /* frees the static buffer */
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
