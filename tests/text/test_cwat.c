/* test_cwat.c — unit tests for the component text encoder (src/text/cwat*.c; component-model
 * Explainer.md for the text, Binary.md for the bytes): exact encodings, abbreviations
 * checked as equivalences (an abbreviated text must encode exactly like its expansion, as
 * wasm-tools expands it), errors with their position, the component forms (binary, quote,
 * definition), deep nesting, out-of-memory at every allocation, and the core-text
 * additions made for components (memory64/threads/custom-page-sizes limits, `(ref null
 * func)`, annotations).  Regression cases for bugs found along the way are at the end. */
#include "base/error.h"
#include "base/vec.h"
#include "text/cwat.h"
#include "text/sexpr.h"
#include "text/wat.h"
#include "weld/engine.h"
#include "weld/error.h"
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

static unsigned enc_flags = TEXT_CWAT_NO_NAMES;

/* Encodes the single component of src; NULL on error (printed unless err_out). */
static base_buf_t *enc(const char *src, weld_error_t **err_out) {
  static base_buf_t b;
  base_buf_free(&b);
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(src, strlen(src), "t.wat", &doc);
  if (!e && doc->nitems != 1) e = base_error("test: expected one form");
  if (!e) e = text_encode_component_flags(doc, &doc->items[0], enc_flags, &b, NULL);
  text_doc_free(doc);
  if (e) base_buf_free(&b); /* the caller's buffer keeps its capacity on error */
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

#define PRE "0061736d0d000100"

/* The component's bytes must equal the hex string. */
static void expect_hex(const char *src, const char *want, const char *what) {
  base_buf_t *b = enc(src, NULL);
  char got[8192] = "";
  if (b && b->len * 2 < sizeof got) hex(b->data, b->len, got);
  int ok = b && strcmp(got, want) == 0;
  if (!ok) printf("  got  %s\n  want %s\n", got, want);
  check(ok, what);
}

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

static void expect_error(const char *src, const char *want, const char *what) {
  weld_error_t *e = NULL;
  base_buf_t *b = enc(src, &e);
  int ok = !b && e && strstr(weld_error_message(e), want);
  if (!ok) printf("  %s\n", e ? weld_error_message(e) : "(accepted)");
  weld_error_delete(e);
  check(ok, what);
}

/* ---- exact encodings --------------------------------------------------------------------- */

static void test_encodings(void) {
  expect_hex("(component)", PRE, "empty component");
  expect_hex("(component (type (record (field \"a\" u8))))", PRE "0706017201" "01617d", "record");
  expect_hex("(component (type (variant (case \"a\") (case \"b\" u8))))", PRE "070c017102016100000162017d00",
             "variant");
  expect_hex("(component (type (tuple u8 u16)) (type (flags \"a\" \"b\")) (type (enum \"x\" \"y\")) (type (option u8))"
             " (type (result)) (type (result u8)) (type (result (error u8))) (type (result u8 (error u16))))",
             PRE "0723086f027d7b6e02016101626d02017801796b7d6a00006a017d006a00017d6a017d017b", "defined types");
  expect_hex("(component (type (own 0)) (type (borrow 0)) (type (list u8 4)) (type (stream)) (type (future u8))"
             " (type (map u8 string)) (type error-context) (type float32))",
             PRE "07120869006800677d04660065017d637d73" "6476", "more defined types");
  expect_hex("(component (type (func)) (type (func (result u8))) (type (func async (param \"a\" u8))))",
             PRE "071003400001004000007d430101617d0100", "func types");
  expect_hex("(component (type (resource (rep i32))) (type (resource (rep i32) (dtor 0))))",
             PRE "0708023f7f003f7f0100", "resource types");
  expect_hex("(component (import \"a:b/c@1.0.0\" (func)) (export \"x\" (func 0)))",
             PRE "07050140000100" "0a10" "01000b613a622f6340312e302e300100" "0b0701000178010000",
             "import and export");
  expect_hex("(component (import \"a\" (implements \"a:b/c\") (instance)))",
             PRE "0703014200" "0a0e01020161010005613a622f630500", "implements name option");
  expect_hex("(component (import \"a:b/c@1\" (versionsuffix \".2.3\") (instance)))",
             PRE "0703014200" "0a13010207613a622f6340310101042e322e330500", "versionsuffix name option");
  /* a value type index is an s33: 65 takes two bytes */
  {
    char src[4096] = "(component";
    for (int k = 0; k < 65; k++) strcat(src, " (type u8)");
    strcat(src, " (type (list 65)))");
    base_buf_t *b = enc(src, NULL);
    check(b && b->len > 3 && b->data[b->len - 3] == 0x70 && b->data[b->len - 2] == 0xc1 && b->data[b->len - 1] == 0x00,
          "value type index as s33");
  }
  /* canon */
  expect_hex("(component (core func (canon backpressure.inc)) (core func (canon context.get i32 3))"
             " (core func (canon thread.yield)) (core func (canon task.return (result u8))))",
             PRE "080b0424" "0a7f03" "0c00" "09007d00", "canon built-ins");
  /* instance bundle and instantiate */
  expect_hex("(component (import \"f\" (func $f)) (component $c (import \"x\" (func)))"
             " (instance (instantiate $c (with \"x\" (func $f)))) (instance (export \"y\" (func $f))))",
             PRE "07050140000100" "0a0601000166" "0100" "0417" PRE "07050140000100" "0a0601000178" "0100"
                 "050f02" "0000010178" "0100" "0101000179" "0100",
             "instantiate and bundle");
}

/* ---- abbreviations ---------------------------------------------------------------------------- */

static void test_abbreviations(void) {
  expect_same("(component (import \"a\" (func (param \"x\" (list u8)))))",
              "(component (type (list u8)) (type (func (param \"x\" 0))) (import \"a\" (func (type 1))))",
              "inline types of an import: post-order type definitions");
  expect_same("(component (func (import \"a\") (param \"x\" u8)))",
              "(component (type (func (param \"x\" u8))) (import \"a\" (func (type 0))))", "inline import");
  expect_same("(component (import \"a\" (func $f)) (func (export \"b\") (export \"c\") (alias export 0 \"f\")) (type u8))",
              "(component (import \"a\" (func $f)) (alias export 0 \"f\" (func)) (type u8)"
              " (export \"b\" (func 1)) (export \"c\" (func 1)))",
              "inline exports go to the end");
  expect_same("(component (core module $m) (core instance $i (instantiate $m)) (core func (alias core export $i \"f\")))",
              "(component (core module $m) (core instance $i (instantiate $m)) (alias core export $i \"f\" (core func)))",
              "core func alias");
  expect_same("(component (import \"f\" (func $f)) (core func $g (canon lower (func $f))))",
              "(component (import \"f\" (func $f)) (canon lower (func $f) (core func $g)))", "canon lower forms");
  expect_same("(component (import \"i\" (instance $i (export \"f\" (func)))) (export \"x\" (func $i \"f\")))",
              "(component (import \"i\" (instance $i (export \"f\" (func)))) (alias export $i \"f\" (func $t))"
              " (export \"x\" (func $t)))",
              "export projection");
  expect_same("(component (import \"i\" (instance $i (export \"a\" (instance (export \"f\" (func))))))"
              " (canon lower (func $i \"a\" \"f\") (core func)))",
              "(component (import \"i\" (instance $i (export \"a\" (instance (export \"f\" (func))))))"
              " (alias export $i \"a\" (instance $a)) (alias export $a \"f\" (func $f)) (canon lower (func $f) (core func)))",
              "multi-level projection");
  expect_same("(component $C (type $t (func)) (component (import \"a\" (func (type $t)))))",
              "(component $C (type $t (func)) (component (alias outer 1 0 (type)) (import \"a\" (func (type 0)))))",
              "automatic outer alias");
  expect_same("(component (core module $m (func (export \"f\"))) (core instance $i (instantiate $m))"
              " (core instance (instantiate $m (with \"a\" (instance (export \"g\" (func $i \"f\")))))))",
              "(component (core module $m (func (export \"f\"))) (core instance $i (instantiate $m))"
              " (alias core export $i \"f\" (core func $f)) (core instance $b (export \"g\" (func $f)))"
              " (core instance (instantiate $m (with \"a\" (instance $b)))))",
              "inline core bundle argument");
  expect_same("(component (func $f (import \"f\")) (component $c (import \"x\" (instance (export \"f\" (func)))))"
              " (instance (instantiate $c (with \"x\" (instance (export \"f\" (func $f)))))))",
              "(component (func $f (import \"f\")) (component $c (import \"x\" (instance (export \"f\" (func)))))"
              " (instance $b (export \"f\" (func $f))) (instance (instantiate $c (with \"x\" (instance $b)))))",
              "inline bundle argument");
  expect_same("(component (core module $m (func (export \"f\") (param i32) (result i32) unreachable))"
              " (core instance $i (instantiate $m)) (func (param \"a\" u32) (result u32) (canon lift (core func $i \"f\"))))",
              "(component (core module $m (func (export \"f\") (param i32) (result i32) unreachable))"
              " (core instance $i (instantiate $m)) (type (func (param \"a\" u32) (result u32)))"
              " (alias core export $i \"f\" (core func)) (canon lift (core func 0) (func (type 0))))",
              "func lift: type first, then the core function alias");
  expect_same("(component (core module $m (func (export \"f\") (param i32) (result i32) unreachable))"
              " (core instance $i (instantiate $m)) (canon lift (core func $i \"f\") (func (param \"a\" u32) (result u32))))",
              "(component (core module $m (func (export \"f\") (param i32) (result i32) unreachable))"
              " (core instance $i (instantiate $m)) (type (func (param \"a\" u32) (result u32)))"
              " (alias core export $i \"f\" (core func)) (canon lift (core func 0) (func (type 0))))",
              "canon lift: the trailing type use is resolved first");
  expect_same("(component (core type (module (import \"a\" \"b\" (func (param i32))) (export \"c\" (func (param i32))))))",
              "(component (core type (module (type (func (param i32))) (import \"a\" \"b\" (func (type 0)))"
              " (type (func (param i32))) (export \"c\" (func (type 1))))))",
              "module type: inline function types are not shared");
  expect_same("(component (core type (module (type (func)) (import \"a\" \"b\" (func)))))",
              "(component (core type (module (type (func)) (import \"a\" \"b\" (func (type 0))))))",
              "module type: an explicit equal type is reused");
  expect_same("(component (core type (module (type (func)) (type (func (param i32))) (type (func)) (import \"a\" \"b\" (func)))))",
              "(component (core type (module (type (func)) (type (func (param i32))) (type (func))"
              " (import \"a\" \"b\" (func (type 2))))))",
              "module type: the latest explicit equal type is reused");
  expect_same("(component (type (instance (export \"a\" (func (param \"x\" (list u8)))))))",
              "(component (type (instance (type (list u8)) (type (func (param \"x\" 0))) (export \"a\" (func (type 1))))))",
              "inline types inside an instance type");
  expect_same("(component definition $d (type u8))", "(component $d (type u8))", "component definition");
  expect_same("(component quote \"(type u8)\" \"(type (list 0))\")", "(component (type u8) (type (list 0)))",
              "component quote");
  /* legacy spellings (the default mode) equal the strict ones */
  unsigned saved = enc_flags;
  enc_flags |= TEXT_CWAT_LEGACY_INDICES;
  expect_same("(component (import \"f\" (func $f (param \"x\" string))) (core module $m (memory (export \"mem\") 1)"
              " (func (export \"r\") (param i32 i32 i32 i32) (result i32) unreachable)) (core instance $i (instantiate $m))"
              " (core func (canon lower (func $f) (memory $i \"mem\") (realloc (func $i \"r\")))))",
              "(component (import \"f\" (func $f (param \"x\" string))) (core module $m (memory (export \"mem\") 1)"
              " (func (export \"r\") (param i32 i32 i32 i32) (result i32) unreachable)) (core instance $i (instantiate $m))"
              " (core func (canon lower (func $f) (memory (core memory $i \"mem\")) (realloc (core func $i \"r\")))))",
              "legacy canon option spellings");
  expect_same("(component (core module $m (func (export \"d\") (param i32))) (core instance $i (instantiate $m))"
              " (type (resource (rep i32) (dtor (func $i \"d\")))))",
              "(component (core module $m (func (export \"d\") (param i32))) (core instance $i (instantiate $m))"
              " (type (resource (rep i32) (dtor (core func $i \"d\")))))",
              "legacy dtor spelling");
  enc_flags = saved;
}

/* ---- errors ---------------------------------------------------------------------------------- */

static void test_errors(void) {
  expect_error("(component (export \"\" (func $foo)))", "t.wat:1:29: unknown func $foo", "unknown name, with position");
  expect_error("(component (type $t u8) (type $t u8))", "t.wat:1:31: duplicate type $t", "duplicate id");
  expect_error("(component (type (list $t)) (type $t u8))", "unknown type $t", "no forward references");
  expect_error("(component (import \"x\" (func $x)) (component (export \"x\" (func $x))))",
               "outer item `x` is not a module, type, or component", "outer func");
  expect_error("(component (alias outer 100 $foo (type $foo)))", "outer count of `100` is too large", "outer count");
  expect_error("(component (alias outer $nonexistent $foo (type $foo)))", "outer component `nonexistent` not found",
               "outer id");
  expect_error("(component (type (component (type (export \"\") (func)))))", "inline exports are only allowed",
               "inline export in a type");
  expect_error("(component (type $t string) (type (variant (case $x \"x\" $t) (case $x \"y\" $t))))",
               "duplicate variant case identifier $x", "variant case ids");
  expect_error("(component (import \"f\" (func $f)) (start $f) (start $f))", "multiple start sections", "two starts");
  expect_error("(component (type (func (result \"a\" u8))))", "one unnamed result", "named result");
  expect_error("(component (type (func (result u8) (result u8))))", "at most one result", "two results");
  expect_error("(component (core func (canon thread.yield cancellable)))", "`cancellable` option is no longer",
               "cancellable");
  expect_error("(component (type (variant (case $a \"a\") (case \"b\" u8 (refines $a)))))", "not supported: variant case",
               "refines");
  expect_error("(component (core module (tag)))", "not supported: tags", "core tags");
  expect_error("(component (core type (func (param anyref))))", "not supported: GC", "GC value types");
  expect_error("(component (value $v string \"x\"))", "not supported: value definitions", "value definitions");
  expect_error("(component (bogus))", "t.wat:1:13: unexpected token bogus", "unknown field");
  expect_error("(component (import \"a\" (func) (func)))", "unexpected token", "two descriptions");
  expect_error("(component (export \"a\" (core func 0)))", "only core modules can be exported", "core export");
  expect_error("(component (type (record (field \"\\ff\" u8))))", "malformed UTF-8", "bad UTF-8 label");
  expect_error("(component (component instance $i $d))", "unexpected token", "nested script command");
  expect_error("(component quote \"(type\")", "quoted component", "quote: position inside the quoted text");
  /* strict mode rejects the legacy spellings with a clear message */
  expect_error("(component (core module $m (memory (export \"m\") 1)) (core instance $i (instantiate $m))"
               " (import \"f\" (func $f)) (core func (canon lower (func $f) (memory $i \"m\"))))",
               "an export name must be written inside a nested reference", "strict: legacy memory option");
  /* deep nesting: an error, not a crash */
  {
    size_t depth = 20000;
    char *src = malloc(depth * 7 + 64);
    strcpy(src, "(component (type ");
    size_t n = strlen(src);
    for (size_t k = 0; k < depth; k++) memcpy(src + n + 6 * k, "(list ", 6);
    n += 6 * depth;
    memcpy(src + n, "u8", 2);
    n += 2;
    for (size_t k = 0; k < depth + 2; k++) src[n++] = ')';
    src[n] = 0;
    weld_error_t *e = NULL;
    base_buf_t *b = enc(src, &e);
    check(!b && e, "deeply nested inline types: an error");
    weld_error_delete(e);
    n = 0;
    for (size_t k = 0; k < 2000; k++) memcpy(src + n + 11 * k, "(component ", 11);
    n += 11 * 2000;
    for (size_t k = 0; k < 2000; k++) src[n++] = ')';
    src[n] = 0;
    b = enc(src, &e);
    check(!b && e && strstr(weld_error_message(e), "too deep"), "deeply nested components: an error");
    weld_error_delete(e);
    free(src);
  }
}

/* ---- entry points -------------------------------------------------------------------------------- */

static void test_entry_points(void) {
  const char *src = "(component (core module (func (export \"f\"))))";
  base_buf_t out = {0};
  weld_error_t *e = text_wat_to_wasm(src, strlen(src), "t.wat", TEXT_WAT_NO_NAMES, &out);
  check(!e && out.len > 8 && out.data[4] == 0x0d && out.data[6] == 0x01, "text_wat_to_wasm: a component document");
  weld_error_delete(e);
  base_buf_free(&out);
  text_doc_t *doc = NULL;
  src = "(module) (component $c binary \"\\00asm\\0d\\00\\01\\00\")";
  e = text_parse_doc(src, strlen(src), "t.wat", &doc);
  const text_sx_t *name = NULL;
  if (!e) e = text_encode_wasm(doc, &doc->items[0], &out, NULL);
  check(!e && out.len == 8 && out.data[4] == 1, "text_encode_wasm: module");
  out.len = 0;
  if (!e) e = text_encode_wasm(doc, &doc->items[1], &out, &name);
  check(!e && out.len == 8 && out.data[4] == 0x0d && name && name->len == 2, "text_encode_wasm: component binary");
  weld_error_delete(e);
  base_buf_free(&out);
  text_doc_free(doc);
}

/* ---- core text additions ---------------------------------------------------------------------------- */

static void core_hex(const char *src, const char *want, const char *what) {
  base_buf_t out = {0};
  weld_error_t *e = text_wat_to_wasm(src, strlen(src), "t.wat", TEXT_WAT_NO_NAMES, &out);
  char got[4096] = "";
  if (!e && out.len * 2 < sizeof got) hex(out.data, out.len, got);
  int ok = !e && strcmp(got, want) == 0;
  if (!ok) printf("  got  %s\n  want %s\n  %s\n", got, want, e ? weld_error_message(e) : "");
  weld_error_delete(e);
  base_buf_free(&out);
  check(ok, what);
}

static void test_core_additions(void) {
  core_hex("(module (memory 1 (pagesize 1)))", "0061736d01000000" "050401080100", "custom page size");
  core_hex("(module (memory i64 3 4 shared (pagesize 1)))", "0061736d01000000" "0505010f030400", "memory64 shared");
  core_hex("(module (memory 1 2 shared))", "0061736d01000000" "050401030102", "shared memory");
  core_hex("(module (table i64 1 funcref))", "0061736d01000000" "040401700401", "table64");
  core_hex("(module (table 1 (ref null extern)))", "0061736d01000000" "0404016f0001", "(ref null extern)");
  core_hex("(module (func (param (ref null func))) (@producers (processed-by \"x\" \"1\")))",
           "0061736d01000000" "01050160017000030201000a040102000b", "(ref null func) param, annotation skipped");
}

/* ---- out of memory at every allocation ----------------------------------------------------------- */

static long fail_at, alloc_count, live;

static void *failing_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  if (new_size == 0) {
    if (ptr) live--;
    free(ptr);
    return NULL;
  }
  if (alloc_count++ == fail_at) return NULL;
  void *p = realloc(ptr, new_size);
  if (p && !ptr) live++;
  (void)old_size;
  return p;
}

static void test_oom(void) {
  const char *src =
      "(component $C (type $t (func (param \"x\" (list (tuple u8 string)))))"
      " (core module $m (memory (export \"m\") 1) (func (export \"f\") (param i32 i32)))"
      " (core instance $i (instantiate $m)) (import \"i\" (instance $j (export \"g\" (func (type $t)))))"
      " (core func (canon lower (func $j \"g\") (memory (core memory $i \"m\"))))"
      " (component $c (import \"a\" (func (type $t))) (type (instance (export \"b\" (func (result (option u8)))))))"
      " (instance (instantiate $c (with \"a\" (func $j \"g\"))))"
      " (func (export \"e\") (type $t) (canon lift (core func $i \"f\") (memory (core memory $i \"m\"))))"
      " (core type (module (import \"a\" \"b\" (func (param i32))))))";
  int bad = 0;
  base_buf_t *ref = enc(src, NULL);
  size_t ref_len = ref ? ref->len : 0;
  check(ref != NULL, "OOM test input encodes");
  if (ref) base_buf_free(ref); /* enc's static buffer: freed before the counting allocator */
  long only = getenv("CWAT_FAIL_AT") ? atol(getenv("CWAT_FAIL_AT")) : -1;
  for (fail_at = only >= 0 ? only : 0; fail_at < (only >= 0 ? only + 1 : 100000); fail_at++) {
    alloc_count = 0;
    live = 0;
    weld_set_allocator(failing_realloc, NULL);
    weld_error_t *e = NULL;
    base_buf_t *b = enc(src, &e);
    bool ok = b != NULL;
    if (b) base_buf_free(b);
    weld_error_delete(e);
    weld_set_allocator(NULL, NULL);
    if (live != 0) {
      if (!bad) printf("  leak of %ld blocks when allocation %ld fails\n", live, fail_at);
      bad++;
    }
    if (ok) {
      if (alloc_count <= fail_at) break; /* no allocation failed: all points covered */
    }
  }
  (void)ref_len;
  check(bad == 0, "no leak when any allocation fails");
}

/* ---- regressions --------------------------------------------------------------------------------- */

static void test_regressions(void) {
  /* `(core module $i "m")` projects through a *component* instance (core modules are
   * exported by component instances), not a core instance. */
  expect_same("(component (import \"i\" (instance $i (export \"m\" (core module)))) (core instance (instantiate (module $i \"m\"))))",
              "(component (import \"i\" (instance $i (export \"m\" (core module)))) (alias export $i \"m\" (core module $m))"
              " (core instance (instantiate $m)))",
              "regress: core module projection through a component instance");
  /* wasm-tools writes a fresh outer alias at each use of an outer name */
  expect_same("(component $C (type $G (func)) (type (component (import \"a\" (func (type $G))) (export \"b\" (func (type $G))))))",
              "(component $C (type $G (func)) (type (component (alias outer 1 0 (type)) (import \"a\" (func (type 0)))"
              " (alias outer 1 0 (type)) (export \"b\" (func (type 1))))))",
              "regress: one outer alias per use");
  /* a value import is 0x02 + valtype (no bound byte) */
  expect_hex("(component (import \"a\" (value string)))", PRE "0a0601000161" "0273", "regress: value extern description");
  /* context.get takes any core value type (the validator restricts it) */
  expect_hex("(component (core func (canon context.get f32 0)))", PRE "080401" "0a7d00", "regress: context.get f32");
  /* built-in immediates may be written as references */
  expect_same("(component (type $T (future u32)) (core func (canon future.new (type $T))))",
              "(component (type $T (future u32)) (core func (canon future.new $T)))", "regress: (type $T) immediate");
  /* inline instance exports of an instance definition */
  expect_same("(component (instance $a (export \"x\")))", "(component (instance $a) (export \"x\" (instance $a)))",
              "regress: inline export of an instance bundle");
}

int main(void) {
  test_encodings();
  test_abbreviations();
  test_errors();
  test_entry_points();
  test_core_additions();
  test_regressions();
  test_oom();
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
