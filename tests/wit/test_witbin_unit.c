/* test_witbin_unit.c — unit tests of the WIT binary encoding (src/wit/encode.c, decode.c,
 * metadata.c): bytes compared with wasm-tools' output, malformed binaries (each must be
 * an error with a byte offset, never a crash), every truncation and many corruptions of a
 * valid binary, partial packages for unloaded dependencies, feature gates, the core-module
 * `component-type` section, and allocation failure at every point.
 *
 *   test_witbin_unit [SHARED_DIR]    (SHARED_DIR defaults to ../shared, for WASI) */
#include "text/sexpr.h"
#include "weld/engine.h"
#include "weld/wit.h"
#include "wit_test_util.h"
#include <time.h>

#include "../test.h"

static size_t unhex(const char *h, uint8_t *out) {
  size_t n = 0;
  for (; h[0] && h[1]; h += 2) {
    unsigned v;
    sscanf(h, "%2x", &v);
    out[n++] = (uint8_t)v;
  }
  return n;
}

/* signed LEB128 of a type index (a value type's `s33`) */
static size_t s33(uint8_t *out, uint32_t v) {
  size_t n = 0;
  for (;;) {
    uint8_t x = v & 0x7f;
    v >>= 7;
    if (v == 0 && !(x & 0x40)) {
      out[n++] = x;
      return n;
    }
    out[n++] = (uint8_t)(x | 0x80);
  }
}

/* unsigned LEB128 */
static size_t leb(uint8_t *out, uint32_t v) {
  size_t n = 0;
  do {
    uint8_t x = v & 0x7f;
    v >>= 7;
    out[n++] = v ? (uint8_t)(x | 0x80) : x;
  } while (v);
  return n;
}

static weld_wit_t *load_str(const char *src) {
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_push_str(w, "t.wit", src, strlen(src), NULL);
  if (e) {
    printf("  (load failed: %s)\n", weld_error_message(e));
    weld_error_delete(e);
    weld_wit_delete(w);
    return NULL;
  }
  return w;
}

/* Decodes bytes into a fresh set; returns the error message (static copy) or NULL. */
static const char *try_decode(const uint8_t *b, size_t n, weld_wit_t **keep) {
  static char msg[2048];
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_push_wasm(w, "t.wasm", b, n, NULL);
  const char *r = NULL;
  if (e) {
    snprintf(msg, sizeof msg, "%s", weld_error_message(e));
    r = msg;
    weld_error_delete(e);
  }
  if (keep && !e) *keep = w;
  else weld_wit_delete(w);
  return r;
}

/* ---- bytes as wasm-tools writes them ---- */

static const char *const w_wit =
    "package foo:bar@1.0.0;\n"
    "interface types {\n"
    "  record point { x: u32, y: u32 }\n"
    "  resource thing { constructor(a: u32); get: func() -> point; }\n"
    "  type pts = list<point>;\n"
    "}\n"
    "interface api {\n"
    "  use types.{point, thing};\n"
    "  f: func(p: point, t: borrow<thing>) -> result<list<point>, string>;\n"
    "}\n"
    "world w { import api; export run: func(x: option<u8>) -> string; }\n";

/* `jco embed --wit w.wit -n w` (jco 1.35, wit-component 0.259), the component-type
 * section's payload without its `producers` section */
static const char *const w_jco =
    "0061736d0d0001000019167769742d636f6d706f6e656e742d656e636f64696e67040007a20201410201410901420b01"
    "7202017879017979040005706f696e740300000400057468696e67030101700104000370747303000301690201400101"
    "617900050400125b636f6e7374727563746f725d7468696e6701060168020140010473656c660700010400115b6d6574"
    "686f645d7468696e672e6765740108030013666f6f3a6261722f747970657340312e302e3005000203000005706f696e"
    "7402030000057468696e670142090203020101040005706f696e7403000002030201020400057468696e670300020168"
    "03017001016a010501730140020170010174040006040001660107030011666f6f3a6261722f61706940312e302e3005"
    "03016b7d014001017804007304000372756e010504000f666f6f3a6261722f7740312e302e3004000b07010001770300"
    "00";

static const char *const fx_wit =
    "package a:b;\n"
    "world w {\n"
    "  import f: func(a: list<u32, 4>, b: stream<u8>, c: future, d: future<string>, e: stream,\n"
    "                 g: error-context) -> map<string, u32>;\n"
    "  import h: async func();\n"
    "}\n";
static const char *const fx_jco =
    "0061736d0d0001000019167769742d636f6d706f6e656e742d656e636f64696e670400074e01410201410a0167790401"
    "66017d016500016501730166000163737901400601610001620101630201640301650401676400050300016601060143"
    "000100030001680107040005613a622f7704000b0701000177030000";

static void check_world_bytes(const char *src, const char *hex, const char *what) {
  weld_wit_t *w = load_str(src);
  CHECK(w, "%s loads", what);
  if (!w) return;
  uint32_t world;
  uint8_t *b = NULL, want[4096];
  size_t n = 0, wn = unhex(hex, want);
  weld_error_t *e = weld_wit_select_world(w, 0, "w", &world);
  if (!e) e = weld_wit_encode_world(w, world, &b, &n);
  CHECK(!e && n == wn && !memcmp(b, want, n), "%s: world encoding equals wasm-tools' (%zu vs %zu bytes)%s%s", what, n,
        wn, e ? ": " : "", e ? weld_error_message(e) : "");
  weld_error_delete(e);
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

static void test_golden(void) {
  check_world_bytes(w_wit, w_jco, "resources, use, records");
  check_world_bytes(fx_wit, fx_jco, "async, future, stream, map, fixed-length list, error-context");

  /* the package encoding of an empty interface: kinds-of-deps/deps/e.wasm (which uses the
   * legacy 0x01 name prefix) with the 0x00 prefix, plus an empty package-docs section */
  weld_wit_t *w = load_str("package e:e;\ninterface e {}\n");
  uint8_t *b = NULL, want[256];
  size_t n = 0, wn = unhex("0061736d0d00010007100141020142000400" "05653a652f6505000b070100016503000000"
                           "100c7061636b6167652d646f6373017b7d",
                           want);
  weld_error_t *e = w ? weld_wit_encode_package(w, 0, &b, &n) : NULL;
  CHECK(w && !e && n == wn && !memcmp(b, want, n), "package encoding of `interface e {}`");
  weld_error_delete(e);
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

/* ---- malformed input ---- */

typedef struct bad {
  const char *src, *expect, *what; /* src: hex bytes, or component text if it starts with '(' */
} bad_t;

/* Component text (src/text) to bytes; n = 0 on failure. */
static size_t wat(const char *text, uint8_t *out, size_t cap) {
  text_doc_t *doc = NULL;
  base_buf_t b = {0};
  weld_error_t *e = text_parse_doc(text, strlen(text), "case.wat", &doc);
  if (!e) e = text_encode_wasm(doc, &doc->items[0], &b, NULL);
  size_t n = 0;
  if (e) {
    printf("  (bad test input: %s)\n", weld_error_message(e));
    weld_error_delete(e);
  } else if (b.len <= cap) {
    memcpy(out, b.data, b.len);
    n = b.len;
  }
  base_buf_free(&b);
  text_doc_free(doc);
  return n;
}

#define IFACE(body) "(component (type (component (type (instance " body ")) (export \"a:b/i\" (instance (type 0))))) (export \"i\" (type 0)))"

static void test_malformed(void) {
  static const bad_t cases[] = {
      {"", "not a WebAssembly binary", "empty input"},
      {"0061736d", "not a WebAssembly binary", "truncated preamble"},
      {"0061736d0e000100", "supported version", "unknown component version"},
      {"0061736d01000000", "no WIT", "core module without component-type section"},
      {"0061736d0d000100", "exports no types", "no exports"},
      {"0061736d0d0001000105", "section size out of bounds", "section larger than the input"},
      {"0061736d0d00010001020000", "core module section", "a component with code"},
      {"0061736d0d0001000703010000", "unknown type 0x0", "bad type opcode"},
      {"0061736d0d00010007060141ffffff0f", "too many declarations", "huge declaration count"},
      {"0061736d0d00010007030170050b0701000161030000", "type index 5 out of bounds", "type index out of bounds"},
      {"0061736d0d0001000b0701000161030000", "type index 0 out of bounds", "export of a missing type"},
      {"(component (type (record (field \"x\" u32))) (export \"a\" (type 0)))", "not a component type",
       "top-level record"},
      {"(component (type (component (export \"i\" (instance)))) (export \"i\" (type 0)))",
       "not an interface or world id", "interface without a package name"},
      {"(component (type (component (export \"a:b/x\" (instance)) (export \"a:b/y\" (instance)))) (export \"i\" (type 0)))",
       "2 exports instead of one", "two items in one component type"},
      {IFACE("(type u8) (export \"Bad\" (type (eq 0)))"), "invalid type name", "a type name that is not kebab-case"},
      {IFACE("(type (record (field \"x\" u32))) (type (func (param \"a\" 0))) (export \"f\" (func (type 1)))"),
       "unexpected unnamed record", "anonymous record"},
      {IFACE("(type u32) (export \"k\" (type (eq 0))) (type (own 1)) (export \"o\" (type (eq 2)))"),
       "not a resource", "own of a non-resource"},
      {IFACE("(type (func)) (export \"[method]r.m\" (func (type 0)))"), "not defined here",
       "a method of an unknown resource"},
      {IFACE("(export \"r\" (type (sub resource))) (type (func)) (export \"[method]r.m\" (func (type 1)))"),
       "must take `self` first", "a method without self"},
      {IFACE("(type (record (field \"a\" u8) (field \"a\" u8))) (export \"r\" (type (eq 0)))"), "used twice",
       "a record with a field twice"},
      {IFACE("(type (variant)) (export \"v\" (type (eq 0)))"), "without cases", "a variant without cases"},
      {IFACE("(type (func (param \"p\" u8) (param \"p\" u8))) (export \"f\" (func (type 0)))"), "defined twice",
       "a parameter twice"},
      {"(component (type (component (type (component (import \"x:y/z\" (func)))) (export \"a:b/w\" (component (type 0))))) "
       "(export \"w\" (type 0)))",
       "invalid function name", "a world importing a function named by an id"},
      {"(component (type (component (type (instance)) (export \"a:b/i@1.0\" (instance (type 0))))) (export \"i\" (type 0)))",
       "invalid version", "a bad version"},
      {"(component (type (component (type (instance)) (export \"a:b/i\" (instance (type 0))))) (export \"i\" (type 0))"
       "(type (component (type (instance)) (export \"c:d/j\" (instance (type 0))))) (export \"j\" (type 2)))",
       "does not belong to package", "two packages in one binary"},
      {"(component (type (component (type (instance)) (export \"a:b/i\" (instance (type 0))))) (export \"i\" (type 0))"
       "(export \"j\" (type 0)))",
       "defined twice", "an interface twice"},
      {"(component (type (component (type (instance)) (export \"a:b/j\" (instance (type 0))))) (export \"j\" (type 0))"
       "(type (component (type (instance (type (func)) (export \"f\" (func (type 0))))) "
       "(import \"a:b/j\" (instance (type 0))) (type (instance)) (export \"a:b/i\" (instance (type 1))))) "
       "(export \"i\" (type 2)))",
       "not defined in interface", "an interface importing a function its package does not define"},
      /* a package-docs section that is not JSON, or of an unknown version */
      {"0061736d0d00010007100141020142000400" "05653a652f6505000b070100016503000000"
       "100c7061636b6167652d646f6373017b7a",
       "package-docs", "malformed package-docs"},
      {"0061736d0d00010007100141020142000400" "05653a652f6505000b070100016503000000"
       "100c7061636b6167652d646f6373057b7d",
       "unsupported package-docs version", "package-docs version"},
      {"0061736d0d0001000710014102014200040005653a652f6505000b070100016503000000490c7061636b6167652d646f"
       "6373017b22696e7465726661636573223a7b2265223a7b2273746162696c697479223a7b22737461626c65223a7b2273"
       "696e6365223a2278227d7d7d7d7d",
       "invalid version", "package-docs with a bad version"},
      /* regression: docs with a control character made printed WIT that does not parse */
      {"0061736d0d0001000710014102014200040005653a652f6505000b070100016503000000210c7061636b6167652d646f6373017b22646f6373223a22615c753030303762227d",
       "docs that WIT cannot hold", "package-docs with a control character"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    uint8_t b[2048];
    size_t n = cases[i].src[0] == '(' ? wat(cases[i].src, b, sizeof b) : unhex(cases[i].src, b);
    if (cases[i].src[0] == '(' && !n) {
      CHECK(false, "%s: test input does not encode", cases[i].what);
      continue;
    }
    const char *msg = try_decode(b, n, NULL);
    CHECK(msg && strstr(msg, cases[i].expect), "%s: expected an error with `%s`, got: %s", cases[i].what,
          cases[i].expect, msg ? msg : "(accepted)");
    if (msg && n >= 8 && strncmp(cases[i].expect, "not a WebAssembly", 17) && strncmp(cases[i].expect, "no WIT", 6))
      CHECK(strstr(msg, "byte offset"), "%s: the error names a byte offset: %s", cases[i].what, msg);
  }

  /* component types nested deeper than the limit */
  {
    enum { DEPTH = 120 };
    uint8_t b[1024];
    size_t n = unhex("0061736d0d000100", b);
    b[n++] = 0x07;
    size_t lenpos = n;
    n += 2; /* a two-byte LEB length */
    b[n++] = 0x01; /* one type */
    for (int k = 0; k < DEPTH; k++) {
      b[n++] = 0x41; /* (component (type <next>)) */
      b[n++] = 0x01;
      b[n++] = 0x01;
    }
    b[n++] = 0x41;
    b[n++] = 0x00;
    size_t sec = n - lenpos - 2;
    b[lenpos] = (uint8_t)(0x80 | (sec & 0x7f));
    b[lenpos + 1] = (uint8_t)(sec >> 7);
    const char *msg = try_decode(b, n, NULL);
    CHECK(msg && strstr(msg, "nested too deeply"), "deeply nested component types: %s", msg ? msg : "(accepted)");
  }

  /* a chain of 300 anonymous lists: nesting limit, no stack overflow */
  {
    static uint8_t inst[4096], b[8192];
    size_t k = 0, n;
    inst[k++] = 0x42;
    k += leb(inst + k, 301); /* 300 lists and an export */
    for (uint32_t i = 0; i < 300; i++) {
      inst[k++] = 0x01;
      inst[k++] = 0x70;
      if (i == 0) inst[k++] = 0x79;
      else k += s33(inst + k, i - 1);
    }
    k += unhex("040001740300", inst + k);
    k += leb(inst + k, 299);
    n = unhex("0061736d0d000100", b);
    uint8_t wrap[4200];
    size_t wk = unhex("4102" "01", wrap);
    memcpy(wrap + wk, inst, k);
    wk += k;
    wk += unhex("040005613a622f690500", wrap + wk);
    b[n++] = 0x07;
    n += leb(b + n, (uint32_t)wk + 1);
    b[n++] = 0x01;
    memcpy(b + n, wrap, wk);
    n += wk;
    n += unhex("0b0701000169030000", b + n);
    const char *msg = try_decode(b, n, NULL);
    CHECK(msg && strstr(msg, "nesting is too deep"), "300 nested anonymous lists: %s", msg ? msg : "(accepted)");
  }
}

/* Every truncation and many one-byte corruptions of a real binary: errors, no crash. */
static void test_mutations(void) {
  weld_wit_t *w = load_str(w_wit);
  if (!w) {
    CHECK(false, "sample loads");
    return;
  }
  uint8_t *b = NULL;
  size_t n = 0;
  weld_error_t *e = weld_wit_encode_package(w, 0, &b, &n);
  CHECK(!e, "sample encodes");
  weld_error_delete(e);
  int accepted = 0, mutated = 0;
  /* section boundaries: a binary cut there is a valid (shorter) one */
  bool *boundary = calloc(n + 1, 1);
  for (size_t k = 8; b && boundary && k < n;) {
    size_t size = 0, sh = 0, p = k + 1;
    while (p < n && (b[p] & 0x80)) size |= (size_t)(b[p++] & 0x7f) << sh, sh += 7;
    size |= (size_t)b[p++] << sh;
    k = p + size;
    if (k <= n) boundary[k] = true;
  }
  bool trunc_ok = boundary != NULL;
  for (size_t k = 0; b && boundary && k < n; k++) {
    const char *msg = try_decode(b, k, NULL);
    if (!msg && !boundary[k]) {
      printf("  truncation at %zu accepted\n", k);
      trunc_ok = false;
    }
  }
  free(boundary);
  CHECK(b && trunc_ok, "all %zu truncations inside a section are rejected", n);
  static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x05, 0x3f, 0x40, 0x41, 0x42, 0x63, 0x68, 0x69, 0x70, 0x7f, 0x80, 0xff};
  uint8_t *c = malloc(n ? n : 1);
  for (size_t k = 8; b && c && k < n; k++)
    for (size_t v = 0; v < sizeof vals; v++) {
      if (b[k] == vals[v]) continue;
      memcpy(c, b, n);
      c[k] = vals[v];
      weld_wit_t *out = NULL;
      const char *msg = try_decode(c, n, &out);
      mutated++;
      if (!msg) {
        accepted++;
        char *j = weld_wit_to_json(out), *p = weld_wit_print(out, WELD_WIT_NONE, WELD_WIT_NONE);
        weld_wit_free_string(j);
        weld_wit_free_string(p);
        weld_wit_delete(out);
      }
    }
  CHECK(mutated > 0, "%d corrupted binaries decoded without a crash (%d of them accepted)", mutated, accepted);
  free(c);
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

/* ---- packages and worlds ---- */

static void test_core_module(void) {
  /* a core module with the world in its component-type section, as `jco embed` writes */
  uint8_t payload[1024], mod[1200];
  size_t pn = unhex(w_jco, payload), n = unhex("0061736d01000000", mod);
  mod[n++] = 0x00;
  size_t size = 1 + 14 + pn;
  mod[n++] = (uint8_t)(0x80 | (size & 0x7f));
  mod[n++] = (uint8_t)(size >> 7);
  mod[n++] = 14;
  memcpy(mod + n, "component-type", 14);
  n += 14;
  memcpy(mod + n, payload, pn);
  n += pn;
  weld_wit_t *w = NULL;
  const char *msg = try_decode(mod, n, &w);
  CHECK(!msg, "a core module's component-type section decodes: %s", msg ? msg : "");
  if (!w) return;
  uint32_t pkg = weld_wit_find_package(w, "foo:bar@1.0.0"), world;
  weld_error_t *e = weld_wit_select_world(w, pkg, "w", &world);
  CHECK(!e, "the embedded world is there");
  weld_error_delete(e);
  /* regression: a world that imports an interface of its own package which the binary
   * defines only inside the world (the decoder once took such an import for an error) */
  CHECK(weld_wit_find_interface(w, pkg, "api") != WELD_WIT_NONE && weld_wit_find_interface(w, pkg, "types") != WELD_WIT_NONE,
        "the world's interfaces are rebuilt from its imports");
  char *p = weld_wit_print(w, pkg, WELD_WIT_NONE);
  CHECK(p && strstr(p, "use types.{point, thing};") && strstr(p, "export run: func(x: option<u8>) -> string;"),
        "printed:\n%s", p ? p : "?");
  weld_wit_free_string(p);
  weld_wit_delete(w);
}

static void test_gates_and_docs(void) {
  const char *src = "/// the package\n"
                    "package g:h@1.2.0;\n"
                    "/// an interface\n"
                    "@since(version = 1.0.0)\n"
                    "interface i {\n"
                    "  /// a record\n"
                    "  @unstable(feature = fancy)\n"
                    "  record r {\n"
                    "    /// field a\n"
                    "    a: list<u8>,\n"
                    "  }\n"
                    "  @since(version = 1.1.0)\n"
                    "  @deprecated(version = 1.2.0)\n"
                    "  f: func();\n"
                    "}\n"
                    "world w {\n"
                    "  @unstable(feature = fancy)\n"
                    "  import i;\n"
                    "  /// exported\n"
                    "  export x: interface { /// g\n g: func(); }\n"
                    "}\n"
                    /* regression (fuzz_witbin): an export took the docs and gate of the import of
                     * the same name */
                    "world same-names {\n"
                    "  /// imported\n"
                    "  @since(version = 1.0.0)\n"
                    "  import y: interface { f: func(); }\n"
                    "  export y: interface { f: func(); }\n"
                    "  @since(version = 1.1.0)\n"
                    "  import z: func();\n"
                    "  export z: func();\n"
                    "}\n";
  weld_wit_t *w = weld_wit_new();
  weld_error_t *e = weld_wit_enable_feature(w, "fancy");
  if (!e) e = weld_wit_push_str(w, "g.wit", src, strlen(src), NULL);
  CHECK(!e, "gated sample loads: %s", e ? weld_error_message(e) : "");
  weld_error_delete(e);
  uint8_t *b = NULL;
  size_t n = 0;
  e = weld_wit_encode_package(w, 0, &b, &n);
  CHECK(!e, "gated sample encodes");
  weld_error_delete(e);
  /* decoded into a set where `fancy` is NOT enabled: gated items stay (the binary was made
   * with them), and print as they were written */
  weld_wit_t *w2 = NULL;
  const char *msg = b ? try_decode(b, n, &w2) : "no bytes";
  CHECK(!msg, "decodes: %s", msg ? msg : "");
  if (w2) {
    char *a = weld_wit_print(w, 0, WELD_WIT_NONE), *c = weld_wit_print(w2, 0, WELD_WIT_NONE);
    CHECK(a && c && !strcmp(a, c), "docs and gates survive the binary\n--- before\n%s--- after\n%s", a, c);
    weld_wit_free_string(a);
    weld_wit_free_string(c);
    weld_wit_delete(w2);
  }
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

/* regression: `import label: iface;` was read back as an inline interface; it is written
 * with the `implements` name option, and read back as the named interface */
static void test_labeled_import(void) {
  const char *src = "package foo:foo;\n"
                    "interface store { resource bucket { get: func(key: string) -> option<list<u8>>; } }\n"
                    "world w { import primary: store; import secondary: store; import store; }\n";
  weld_wit_t *w = load_str(src);
  if (!w) {
    CHECK(false, "labeled sample loads");
    return;
  }
  uint32_t world;
  uint8_t *b = NULL;
  size_t n = 0;
  weld_error_t *e = weld_wit_select_world(w, 0, "w", &world);
  if (!e) e = weld_wit_encode_world(w, world, &b, &n);
  CHECK(!e, "encodes");
  weld_error_delete(e);
  static const uint8_t opt[] = {0x03, 0x02, 0x07, 'p', 'r', 'i', 'm', 'a', 'r', 'y', 0x01, 0x00, 0x0d};
  bool found = false;
  for (size_t i = 0; b && i + sizeof opt <= n && !found; i++) found = !memcmp(b + i, opt, sizeof opt);
  CHECK(found, "`primary` is imported with `(implements \"foo:foo/store\")`");
  weld_wit_t *w2 = NULL;
  const char *msg = b ? try_decode(b, n, &w2) : "no bytes";
  CHECK(!msg, "decodes: %s", msg ? msg : "");
  if (w2) {
    char *p = weld_wit_print(w2, 0, WELD_WIT_NONE);
    CHECK(p && strstr(p, "import primary: store;") && strstr(p, "import secondary: store;") &&
              weld_wit_interface_count(w2) == 1,
          "read back as the named interface:\n%s", p ? p : "?");
    weld_wit_free_string(p);
    weld_wit_delete(w2);
  }
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

/* early component-model async named functions `[async]f`: read as async functions */
static void test_legacy_async(void) {
  uint8_t b[512];
  size_t n = wat("(component (type (component (type (component (type (func)) (import \"[async]f\" (func (type 0))))) "
                 "(export \"a:b/w\" (component (type 0))))) (export \"w\" (type 0)))",
                 b, sizeof b);
  weld_wit_t *w = NULL;
  const char *msg = n ? try_decode(b, n, &w) : "does not encode";
  CHECK(!msg, "`[async]f` decodes: %s", msg ? msg : "");
  if (w) {
    char *p = weld_wit_print(w, 0, WELD_WIT_NONE);
    CHECK(p && strstr(p, "import f: async func();"), "printed:\n%s", p ? p : "?");
    weld_wit_free_string(p);
    weld_wit_delete(w);
  }
}

static void test_api(void) {
  /* a failed push leaves the set as it was */
  weld_wit_t *w = load_str("package keep:me;\ninterface k { type t = u8; }\n");
  if (w) {
    size_t np = weld_wit_package_count(w), nt = weld_wit_type_count(w);
    uint8_t b[64];
    size_t n = unhex("0061736d0d0001000708014102014200", b);
    weld_error_t *e = weld_wit_push_wasm(w, "x.wasm", b, n, NULL);
    CHECK(e && weld_wit_package_count(w) == np && weld_wit_type_count(w) == nt, "rollback after a failed binary push");
    weld_error_delete(e);
    /* the same package twice */
    uint8_t *enc = NULL;
    size_t en = 0;
    e = weld_wit_encode_package(w, 0, &enc, &en);
    if (!e) e = weld_wit_push_wasm(w, "again.wasm", enc, en, NULL);
    CHECK(e && strstr(weld_error_message(e), "already loaded"), "a package cannot be pushed twice: %s",
          e ? weld_error_message(e) : "(accepted)");
    weld_error_delete(e);
    weld_wit_free_bytes(enc);
    e = weld_wit_encode_package(w, 99, &enc, &en);
    CHECK(e != NULL, "encoding a missing package is an error");
    weld_error_delete(e);
    e = weld_wit_encode_world(w, 99, &enc, &en);
    CHECK(e != NULL, "encoding a missing world is an error");
    weld_error_delete(e);
    weld_wit_delete(w);
  }
  weld_error_t *e = weld_wit_push_wasm(NULL, "x", NULL, 0, NULL);
  CHECK(e != NULL, "no set is an error");
  weld_error_delete(e);
  weld_wit_free_bytes(NULL);
}

/* WASI packages decoded alone: the packages they refer to come from the binary. */
static void test_stubs(const char *shared) {
  char dir[4096];
  pathf(dir, sizeof dir, "%s/wit/wasi-0.2", shared);
  const char *files[] = {"cli.wit", "io.wit", "clocks.wit", "filesystem.wit", "random.wit", "sockets.wit"};
  char paths[6][4200];
  const char *deps[5];
  for (int i = 0; i < 6; i++) pathf(paths[i], sizeof paths[i], "%s/%s", dir, files[i]);
  for (int i = 0; i < 5; i++) deps[i] = paths[i + 1];
  weld_wit_t *w = weld_wit_new();
  uint32_t cli;
  weld_error_t *e = weld_wit_push_path(w, paths[0], deps, 5, &cli);
  CHECK(!e, "WASI 0.2 loads: %s", e ? weld_error_message(e) : "");
  weld_error_delete(e);
  if (e) {
    weld_wit_delete(w);
    return;
  }
  uint8_t *b = NULL;
  size_t n = 0;
  e = weld_wit_encode_package(w, cli, &b, &n);
  CHECK(!e, "wasi:cli encodes");
  weld_error_delete(e);
  weld_wit_t *alone = weld_wit_new();
  uint32_t pkg = WELD_WIT_NONE;
  e = weld_wit_push_wasm(alone, "cli.wasm", b, n, &pkg);
  CHECK(!e, "wasi:cli decodes without its dependencies: %s", e ? weld_error_message(e) : "");
  weld_error_delete(e);
  if (!e) {
    uint32_t io = weld_wit_find_package(alone, "wasi:io@0.2.12");
    uint32_t streams = weld_wit_find_interface(alone, io, "streams");
    CHECK(io != WELD_WIT_NONE && streams != WELD_WIT_NONE &&
              weld_wit_find_type(alone, streams, "output-stream") != WELD_WIT_NONE,
          "wasi:io is rebuilt from what the binary says about it");
    CHECK(weld_wit_package_count(alone) == weld_wit_package_count(w) - 1 + 0 ||
              weld_wit_package_count(alone) >= 5,
          "the partial dependencies are packages of their own (%zu)", weld_wit_package_count(alone));
    char *p = weld_wit_print(alone, WELD_WIT_NONE, WELD_WIT_NONE);
    weld_wit_t *again = weld_wit_new();
    e = p ? weld_wit_push_str(again, "p.wit", p, strlen(p), NULL) : NULL;
    CHECK(p && !e, "the partial set prints as WIT that resolves again: %s", e ? weld_error_message(e) : "");
    weld_error_delete(e);
    weld_wit_delete(again);
    weld_wit_free_string(p);
    /* its world decodes too */
    uint32_t world;
    e = weld_wit_select_world(alone, pkg, "command", &world);
    CHECK(!e, "wasi:cli/command is there");
    weld_error_delete(e);
  }
  /* pushed next to the real dependencies it binds to them: no extra packages */
  weld_wit_t *full = weld_wit_new();
  e = weld_wit_push_path(full, paths[1], deps + 1, 4, NULL);
  size_t before = weld_wit_package_count(full);
  if (!e) e = weld_wit_push_wasm(full, "cli.wasm", b, n, NULL);
  CHECK(!e && weld_wit_package_count(full) == before + 1, "with its dependencies loaded, only wasi:cli is added");
  weld_error_delete(e);
  /* a dependency that lacks a type the binary uses is an error naming it */
  weld_wit_t *thin = weld_wit_new();
  const char *fake = "package wasi:io@0.2.12;\ninterface streams {}\ninterface error {}\ninterface poll {}\n";
  e = weld_wit_push_str(thin, "fake.wit", fake, strlen(fake), NULL);
  if (!e) e = weld_wit_push_wasm(thin, "cli.wasm", b, n, NULL);
  CHECK(e && strstr(weld_error_message(e), "not defined"), "a missing type is reported: %s",
        e ? weld_error_message(e) : "(accepted)");
  weld_error_delete(e);
  weld_wit_delete(thin);
  weld_wit_delete(full);
  weld_wit_delete(alone);
  weld_wit_free_bytes(b);
  weld_wit_delete(w);
}

/* regression: long `type a = b` chains used many times, and many resource functions, cost
 * chain length x uses (resolve.c, decode.c) and types x functions (encode.c); now linear.
 * (No time limit is checked: the quadratic versions took tens of seconds here.) */
static void test_scaling(void) {
  enum { N = 30000 };
  size_t cap = (size_t)N * 96 + 256;
  char *s = malloc(cap), *p = s;
  p += sprintf(p, "package a:b;\ninterface i {\n  resource r {\n");
  for (int k = 0; k < N; k++) p += sprintf(p, "    m%d: func();\n", k);
  p += sprintf(p, "  }\n  type t0 = r;\n");
  for (int k = 1; k < N; k++) p += sprintf(p, "  type t%d = t%d;\n", k, k - 1);
  for (int k = 0; k < N; k++) p += sprintf(p, "  g%d: func(x: t%d);\n", k, N - 1);
  sprintf(p, "}\n");
  clock_t t0 = clock();
  weld_wit_t *w = load_str(s);
  uint8_t *b = NULL;
  size_t n = 0;
  weld_error_t *e = w ? weld_wit_encode_package(w, 0, &b, &n) : NULL;
  weld_wit_t *w2 = NULL;
  const char *msg = w && !e ? try_decode(b, n, &w2) : "not encoded";
  CHECK(w && !e && !msg, "%d aliases in a chain used %d times, %d methods: %s", N, N, N, msg ? msg : "");
  printf("  (scaling case: %.1f s of CPU)\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
  weld_error_delete(e);
  weld_wit_free_bytes(b);
  weld_wit_delete(w2);
  weld_wit_delete(w);
  free(s);
}

/* ---- allocation failure ---- */

static long alloc_budget = -1;
static void *failing_realloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  if (alloc_budget == 0) return NULL;
  if (alloc_budget > 0) alloc_budget--;
  return realloc(ptr, new_size);
}

static void test_oom(void) {
  const char *src = "/// p\npackage a:b@1.0.0;\n"
                    "interface i { resource r { constructor(); m: func() -> list<r>; } record p { r: r } }\n"
                    "interface j { use i.{r, p}; f: func(x: borrow<r>) -> p; }\n"
                    "world w0 { import j; import k: interface { use i.{r}; g: func() -> r; } export h: func(); }\n";
  weld_wit_t *w = load_str(src);
  uint8_t *bin = NULL;
  size_t bn = 0;
  weld_error_t *e = w ? weld_wit_encode_package(w, 0, &bin, &bn) : NULL;
  weld_error_delete(e);
  if (!bin) {
    CHECK(false, "oom sample encodes");
    weld_wit_delete(w);
    return;
  }
  weld_set_allocator(failing_realloc, NULL);
  bool ok = true;
  int n, done = 0;
  for (n = 0; n < 100000 && done < 2; n++) {
    alloc_budget = n;
    /* encode */
    uint8_t *b = NULL;
    size_t len = 0;
    uint32_t world = 0;
    e = weld_wit_encode_package(w, 0, &b, &len);
    if (!e) e = weld_wit_encode_world(w, world, &b, &len); /* (leaks nothing: b is replaced below) */
    if (e && !strstr(weld_error_message(e), "out of memory")) {
      if (ok) printf("  encode: allocation %d failed and the error was: %s\n", n, weld_error_message(e));
      ok = false;
    }
    weld_error_delete(e);
    weld_wit_free_bytes(b);
    /* decode */
    alloc_budget = n;
    weld_wit_t *d = weld_wit_new();
    if (!d) continue;
    e = weld_wit_push_wasm(d, "oom.wasm", bin, bn, NULL);
    if (!e) {
      if (alloc_budget > 0) done++;
    } else if (!strstr(weld_error_message(e), "out of memory")) {
      if (ok) printf("  decode: allocation %d failed and the error was: %s\n", n, weld_error_message(e));
      ok = false;
    }
    weld_error_delete(e);
    weld_wit_delete(d);
  }
  alloc_budget = -1;
  weld_set_allocator(NULL, NULL);
  CHECK(ok, "out-of-memory is reported as such at every allocation (%d tried)", n);
  weld_wit_free_bytes(bin);
  weld_wit_delete(w);
}

int main(int argc, char **argv) {
  const char *shared = argc > 1 ? argv[1] : "../shared";
  test_golden();
  test_malformed();
  test_mutations();
  test_core_module();
  test_gates_and_docs();
  test_labeled_import();
  test_legacy_async();
  test_api();
  test_stubs(shared);
  test_scaling();
  test_oom();
  printf("%d passed, %d failed\n", g_pass, g_fail);
  return g_fail != 0;
}
