/* test_validate_code.c — the two function-body validators must agree: weld_module_validate
 * (decode + src/core/validate_code.c) and weld_module_new (decode + compile.c, which
 * validates while translating) accept the same modules and reject the others with the
 * same message at the same byte offset.
 *
 *   test_validate_code [-v] [SUITE_DIR]      (default ../shared/testsuite/core)
 *
 * Cases:
 *   - every module form of every core spec script (plain, `binary` and `quote` modules;
 *     top level and inside assert_invalid / assert_malformed / assert_unlinkable /
 *     assert_trap / assert_uninstantiable), encoded by weld's text front end; text that the
 *     front end itself rejects has no binary and is not counted;
 *   - every such module also with the multi-memory feature disabled;
 *   - for every valid module, a few dozen copies with one byte of a function body
 *     replaced by an opcode (see mutate_bodies), which reaches the validators' error paths
 *     in the middle of instructions;
 *   - hand-made regression modules below (limits and corners the suite does not reach).
 * A spec module that is expected to be invalid (assert_invalid) must also be rejected.
 *
 * Last line: N passed, N failed. */
#include "base/vec.h"
#include "base/limits.h"
#include "text/sexpr.h"
#include "weld.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed, verbose;
static weld_engine_t *g_engine, *g_engine_nomm;

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)sz + 1);
  size_t got = buf ? fread(buf, 1, (size_t)sz, f) : 0;
  fclose(f);
  if (!buf) return NULL;
  buf[got] = 0;
  *len = got;
  return buf;
}

/* Runs both validators on one binary; returns 1 if they agree, and sets *valid. */
static int agree(weld_engine_t *engine, const uint8_t *bytes, size_t len, const char *what, int *valid) {
  weld_error_t *ev = weld_module_validate(engine, bytes, len);
  weld_module_t *mod = NULL;
  weld_error_t *en = weld_module_new(engine, bytes, len, &mod);
  if (mod) weld_module_delete(mod);
  int ok;
  if (!ev || !en) {
    ok = !ev && !en;
    if (!ok)
      printf("FAIL %s: validate %s, module_new %s\n", what, ev ? weld_error_message(ev) : "accepts",
             en ? weld_error_message(en) : "accepts");
  } else {
    ok = strcmp(weld_error_message(ev), weld_error_message(en)) == 0 &&
         weld_error_offset(ev) == weld_error_offset(en);
    if (!ok)
      printf("FAIL %s: messages differ:\n  validate:   %s\n  module_new: %s\n", what, weld_error_message(ev),
             weld_error_message(en));
  }
  if (valid) *valid = !ev;
  weld_error_delete(ev);
  weld_error_delete(en);
  if (ok) passed++;
  else failed++;
  return ok;
}

/* ---- body truncation: the LEB128 / section walk needed to find the code section ---------- */

static int leb(const uint8_t *p, size_t n, size_t *i, uint32_t *v) {
  uint32_t r = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (*i >= n) return -1;
    uint8_t b = p[(*i)++];
    r |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return 0;
    }
  }
  return -1;
}

/* Mutations of a valid module's function bodies: a byte of some body's instructions
 * replaced by one of a few troublesome opcodes (end, else, unreachable, drop, br, br_table,
 * select, the prefixes, i32.const, block, return).  The body keeps its length, so the bytes
 * after the change become immediates, "operators remaining" or a missing end: the
 * validators' error paths in the middle of instructions.  MUTATIONS per module, at places
 * chosen by a fixed pseudo-random sequence. */
enum { MUTATIONS = 24, MAX_BODIES = 4096 };

static void mutate_bodies(weld_engine_t *engine, const uint8_t *bin, size_t len, const char *what) {
  static size_t lo[MAX_BODIES], hi[MAX_BODIES];
  size_t nb = 0, i = 8;
  while (i < len) {
    uint8_t id = bin[i++];
    uint32_t size;
    if (leb(bin, len, &i, &size) || i + size > len) return;
    size_t end = i + size;
    if (id != 10) {
      i = end;
      continue;
    }
    uint32_t n;
    if (leb(bin, len, &i, &n)) return;
    for (uint32_t f = 0; f < n && i < end && nb < MAX_BODIES; f++) {
      uint32_t bsize, ngroups, cnt;
      if (leb(bin, len, &i, &bsize) || i + bsize > end) return;
      size_t body_end = i + bsize, k = i;
      if (leb(bin, len, &k, &ngroups)) return;
      for (uint32_t g = 0; g < ngroups; g++)
        if (leb(bin, len, &k, &cnt) || ++k > body_end) return;
      if (k + 1 < body_end) { /* at least one byte before the final end */
        lo[nb] = k;
        hi[nb] = body_end - 1;
        nb++;
      }
      i = body_end;
    }
    break;
  }
  if (!nb) return;
  static const uint8_t subst[] = {0x0b, 0x05, 0x00, 0x1a, 0x0c, 0x0e, 0x1b, 0xfc, 0xfd, 0x41, 0x02, 0x0f};
  uint8_t *copy = malloc(len);
  if (!copy) return;
  uint32_t seed = (uint32_t)len * 2654435761u;
  for (size_t j = 0; j < len; j++) seed = seed * 31 + bin[j];
  for (int t = 0; t < MUTATIONS; t++) {
    seed = seed * 1103515245u + 12345u;
    size_t b = (seed >> 8) % nb;
    seed = seed * 1103515245u + 12345u;
    size_t at = lo[b] + (seed >> 8) % (hi[b] - lo[b]);
    uint8_t x = subst[(seed >> 4) % sizeof subst];
    memcpy(copy, bin, len);
    copy[at] = x;
    char w[600];
    snprintf(w, sizeof w, "%s (byte 0x%zx := 0x%02x)", what, at, x);
    agree(engine, copy, len, w, NULL);
  }
  free(copy);
}

/* ---- spec scripts ------------------------------------------------------------------------- */

static void check_module(const text_doc_t *doc, const text_sx_t *cmd, const text_sx_t *m, const char *file,
                         int mutate) {
  base_buf_t out = {0};
  weld_error_t *e = text_encode_module(doc, m, &out, NULL);
  if (e || out.oom) { /* the text front end rejects it: there is no binary to compare */
    weld_error_delete(e);
    base_buf_free(&out);
    return;
  }
  char what[512];
  snprintf(what, sizeof what, "%s:%u", file, m->line);
  int valid = 0;
  const uint8_t *bytes = out.data ? out.data : (const uint8_t *)"";
  agree(g_engine, bytes, out.len, what, &valid);
  char what2[600];
  snprintf(what2, sizeof what2, "%s (multi-memory disabled)", what);
  int valid_2_0 = 0; /* multi-memory off: WebAssembly 2.0 exactly */
  agree(g_engine_nomm, bytes, out.len, what2, &valid_2_0);
  if (cmd && text_sx_is_form(cmd, "assert_invalid")) {
    if (valid_2_0) {
      printf("FAIL %s: assert_invalid module accepted\n", what);
      failed++;
    } else {
      passed++;
    }
  }
  if (valid && mutate) mutate_bodies(g_engine, bytes, out.len, what);
  base_buf_free(&out);
}

/* Every (module ...) form below x (not inside another module). */
static void walk(const text_doc_t *doc, const text_sx_t *parent, const text_sx_t *x, const char *file, int mutate) {
  if (x->kind != SX_LIST) return;
  if (text_sx_is_form(x, "module")) {
    check_module(doc, parent, x, file, mutate);
    return;
  }
  for (uint32_t i = 0; i < x->nitems; i++) walk(doc, x, &x->items[i], file, mutate);
}

static void run_script(const char *dir, const char *name, int mutate) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  size_t len;
  char *src = read_file(path, &len);
  if (!src) {
    printf("FAIL %s: cannot read\n", name);
    failed++;
    return;
  }
  text_doc_t *doc = NULL;
  weld_error_t *e = text_parse_doc(src, len, name, &doc);
  free(src);
  if (e) {
    printf("FAIL %s: %s\n", name, weld_error_message(e));
    weld_error_delete(e);
    failed++;
    return;
  }
  int before = passed + failed;
  for (uint32_t k = 0; k < doc->nitems; k++) walk(doc, NULL, &doc->items[k], name, mutate);
  if (verbose) printf("%s: %d checks\n", name, passed + failed - before);
  text_doc_free(doc);
}

/* ---- hand-made regression modules -------------------------------------------------------- */

/* A module of one function type [params] -> [results], one memory, one funcref table, and
 * one function whose body (after locals) is `code`. */
static void make_module(base_buf_t *b, const char *params, const char *results, const uint8_t *locals,
                        size_t nlocals, const uint8_t *code, size_t ncode) {
  base_buf_bytes(b, "\0asm\1\0\0\0", 8);
  base_buf_t s = {0};
  /* type */
  size_t np = strlen(params), nr = strlen(results);
  base_buf_byte(&s, 1);
  base_buf_byte(&s, 0x60);
  base_buf_u32leb(&s, (uint32_t)np);
  base_buf_bytes(&s, params, np);
  base_buf_u32leb(&s, (uint32_t)nr);
  base_buf_bytes(&s, results, nr);
  base_buf_byte(b, 1);
  base_buf_u32leb(b, (uint32_t)s.len);
  base_buf_bytes(b, s.data, s.len);
  /* function, table, memory */
  base_buf_bytes(b, "\x03\x02\x01\x00", 4);
  base_buf_bytes(b, "\x04\x04\x01\x70\x00\x01", 6);
  base_buf_bytes(b, "\x05\x03\x01\x00\x01", 5);
  /* code */
  s.len = 0;
  base_buf_u32leb(&s, (uint32_t)(nlocals + ncode));
  base_buf_bytes(&s, locals, nlocals);
  base_buf_bytes(&s, code, ncode);
  base_buf_byte(b, 10);
  base_buf_u32leb(b, (uint32_t)(s.len + 1));
  base_buf_byte(b, 1);
  base_buf_bytes(b, s.data, s.len);
  base_buf_free(&s);
}

typedef struct rcase {
  const char *name;
  const char *params, *results;
  const char *locals; /* bytes; "\x00" = no local groups */
  size_t nlocals;
  const char *code;
  size_t ncode;
  int valid;
} rcase_t;

#define BYTES(s) s, sizeof(s) - 1
static const rcase_t k_cases[] = {
    {"empty body", "", "", BYTES("\x00"), BYTES("\x0b"), 1},
    /* fuzz_validate, 2026-11: the validator's operand stack was still unallocated (NULL)
     * when the first function's end checked its results in unreachable code */
    {"unreachable end before any push", "", "\x6f", BYTES("\x00"), BYTES("\x00\x0b"), 1},
    {"local group of count zero, no other locals", "", "", BYTES("\x01\x00\x7f"), BYTES("\x0b"), 1},
    {"end missing (end consumed as immediate)", "", "", BYTES("\x00"), BYTES("\x41\x0b"), 0},
    {"operators after end", "", "", BYTES("\x00"), BYTES("\x0b\x01\x0b"), 0},
    {"br_table unknown default label", "", "", BYTES("\x00"), BYTES("\x41\x00\x0e\x00\x05\x0b"), 0},
    {"br_table in unreachable code keeps unknowns", "", "\x7f", BYTES("\x00"),
     BYTES("\x02\x7f\x00\x0e\x01\x00\x01\x0b\x0b"), 1},
    {"br_table different arities", "", "", BYTES("\x00"),
     BYTES("\x02\x7f\x41\x00\x41\x00\x0e\x01\x00\x01\x0b\x0b"), 0},
    {"select of v128 and i32 in unreachable code", "", "", BYTES("\x00"),
     BYTES("\x00\xfd\x0c" "0123456789abcdef" "\x41\x00\x41\x00\x1b\x1a\x0b"), 0},
    {"select of unknowns", "", "", BYTES("\x00"), BYTES("\x00\x1b\x1a\x0b"), 1},
    {"select of one reference", "", "", BYTES("\x00"), BYTES("\x00\xd0\x70\x41\x00\x1b\x1a\x0b"), 0},
    {"ref.is_null on i32", "", "", BYTES("\x00"), BYTES("\x41\x00\xd1\x1a\x0b"), 0},
    {"ref.is_null of unknown", "", "", BYTES("\x00"), BYTES("\x00\xd1\x1a\x0b"), 1},
    {"undeclared ref.func", "", "", BYTES("\x00"), BYTES("\xd2\x00\x1a\x0b"), 0},
    {"lane index out of range", "", "", BYTES("\x00"),
     BYTES("\xfd\x0c" "0123456789abcdef" "\xfd\x15\x10\x1a\x0b"), 0},
    {"load lane index out of range", "", "", BYTES("\x00"),
     BYTES("\x41\x00\xfd\x0c" "0123456789abcdef" "\xfd\x57\x03\x00\x02\x1a\x0b"), 0},
    {"shuffle lane 32", "", "", BYTES("\x00"),
     BYTES("\xfd\x0c" "0123456789abcdef" "\xfd\x0c" "0123456789abcdef"
           "\xfd\x0d\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x20\x1a\x0b"),
     0},
    {"memarg alignment too large", "", "", BYTES("\x00"), BYTES("\x41\x00\x28\x03\x00\x1a\x0b"), 0},
    {"memarg flags 32 and up", "", "", BYTES("\x00"), BYTES("\x41\x00\x28\x20\x00\x1a\x0b"), 0},
    {"memarg memory index 1 of 1", "", "", BYTES("\x00"), BYTES("\x41\x00\x28\x42\x01\x00\x1a\x0b"), 0},
    {"memory.size reserved byte 0x80", "", "", BYTES("\x00"), BYTES("\x3f\x80\x00\x1a\x0b"), 0},
    {"memory.init without data count", "", "", BYTES("\x00"),
     BYTES("\x41\x00\x41\x00\x41\x00\xfc\x08\x00\x00\x0b"), 0},
    {"illegal prefixed opcode", "", "", BYTES("\x00"), BYTES("\xfc\x40\x0b"), 0},
    {"illegal simd opcode", "", "", BYTES("\x00"), BYTES("\xfd\x9a\x01\x0b"), 0},
    {"illegal single-byte opcode", "", "", BYTES("\x00"), BYTES("\x06\x0b"), 0},
    {"call with too few arguments", "\x7f\x7f", "", BYTES("\x00"), BYTES("\x41\x00\x10\x00\x0b"), 0},
    {"call in unreachable code with one argument", "\x7f\x7f", "", BYTES("\x00"), BYTES("\x00\x41\x00\x10\x00\x0b"), 1},
    {"call in unreachable code with a wrong argument", "\x7f\x7f", "", BYTES("\x00"),
     BYTES("\x00\x42\x00\x10\x00\x0b"), 0},
    {"else after else", "", "", BYTES("\x00"), BYTES("\x41\x00\x04\x40\x05\x05\x0b\x0b"), 0},
    {"if without else, params differ from results", "", "", BYTES("\x00"),
     BYTES("\x41\x00\x04\x7f\x41\x00\x0b\x1a\x0b"), 0},
    {"values remaining at end in unreachable code", "", "", BYTES("\x00"), BYTES("\x00\x41\x00\x0b"), 0},
    {"block type index out of range", "", "", BYTES("\x00"), BYTES("\x02\x05\x0b\x0b"), 0},
    {"block type negative", "", "", BYTES("\x00"), BYTES("\x02\x60\x0b\x0b"), 0},
    {"block type s33 too long", "", "", BYTES("\x00"), BYTES("\x02\x80\x80\x80\x80\x80\x00\x0b\x0b"), 0},
    {"i32.const too long", "", "", BYTES("\x00"), BYTES("\x41\x80\x80\x80\x80\x80\x00\x1a\x0b"), 0},
    {"i64.const truncated", "", "", BYTES("\x00"), BYTES("\x42\x80\x0b"), 0},
    {"f64.const truncated", "", "", BYTES("\x00"), BYTES("\x44\x00\x00\x0b"), 0},
    {"local index out of range", "\x7f", "", BYTES("\x01\x01\x7e"), BYTES("\x20\x02\x1a\x0b"), 0},
    {"local.tee type", "\x7f", "", BYTES("\x01\x01\x7e"), BYTES("\x42\x00\x22\x00\x1a\x0b"), 0},
    {"global.get unknown", "", "", BYTES("\x00"), BYTES("\x23\x00\x1a\x0b"), 0},
    {"table.grow operands", "", "", BYTES("\x00"), BYTES("\x41\x00\xd0\x70\xfc\x0f\x00\x1a\x0b"), 0},
    {"table.fill ok", "", "", BYTES("\x00"), BYTES("\x41\x00\xd0\x70\x41\x00\xfc\x11\x00\x0b"), 1},
    {"call_indirect unknown table", "", "", BYTES("\x00"), BYTES("\x41\x00\x11\x00\x01\x0b"), 0},
    {"return with wrong type", "", "\x7f", BYTES("\x00"), BYTES("\x42\x00\x0f\x0b"), 0},
    {"br_if to function with values", "", "\x7f", BYTES("\x00"), BYTES("\x41\x01\x41\x00\x0d\x00\x0b"), 1},
};

/* Deep nesting and a deep operand stack: the caps of limits.h, hit at the same place. */
static void check_limits(void) {
  base_buf_t code = {0}, b = {0};
  /* WELD_MAX_BLOCK_DEPTH + 1 nested blocks */
  for (uint32_t i = 0; i < WELD_MAX_BLOCK_DEPTH + 1; i++) base_buf_bytes(&code, "\x02\x40", 2);
  for (uint32_t i = 0; i < WELD_MAX_BLOCK_DEPTH + 2; i++) base_buf_byte(&code, 0x0b);
  make_module(&b, "", "", (const uint8_t *)"\x00", 1, code.data, code.len);
  int valid = 1;
  agree(g_engine, b.data, b.len, "blocks nested too deeply", &valid);
  if (valid) printf("FAIL deep nesting accepted\n"), failed++;
  /* WELD_MAX_OPERAND_STACK + 1 constants */
  code.len = b.len = 0;
  for (uint32_t i = 0; i < WELD_MAX_OPERAND_STACK + 1; i++) base_buf_bytes(&code, "\x41\x00", 2);
  base_buf_byte(&code, 0x0b);
  make_module(&b, "", "", (const uint8_t *)"\x00", 1, code.data, code.len);
  agree(g_engine, b.data, b.len, "operand stack too deep", &valid);
  if (valid) printf("FAIL deep operand stack accepted\n"), failed++;
  /* exactly WELD_MAX_OPERAND_STACK values, then dropped: valid */
  code.len = b.len = 0;
  for (uint32_t i = 0; i < WELD_MAX_OPERAND_STACK; i++) base_buf_bytes(&code, "\x41\x00", 2);
  for (uint32_t i = 0; i < WELD_MAX_OPERAND_STACK; i++) base_buf_byte(&code, 0x1a);
  base_buf_byte(&code, 0x0b);
  make_module(&b, "", "", (const uint8_t *)"\x00", 1, code.data, code.len);
  agree(g_engine, b.data, b.len, "operand stack at the cap", &valid);
  if (!valid) printf("FAIL operand stack at the cap rejected\n"), failed++;
  base_buf_free(&code);
  base_buf_free(&b);
}

static void check_cases(void) {
  for (size_t i = 0; i < sizeof k_cases / sizeof k_cases[0]; i++) {
    const rcase_t *c = &k_cases[i];
    base_buf_t b = {0};
    make_module(&b, c->params, c->results, (const uint8_t *)c->locals, c->nlocals, (const uint8_t *)c->code,
                c->ncode);
    int valid = 0;
    agree(g_engine, b.data, b.len, c->name, &valid);
    if (valid != c->valid) {
      printf("FAIL %s: expected %s\n", c->name, c->valid ? "valid" : "invalid");
      failed++;
    } else {
      passed++;
    }
    if (verbose && !valid) {
      weld_error_t *e = weld_module_validate(g_engine, b.data, b.len);
      printf("  %s: %s\n", c->name, weld_error_message(e));
      weld_error_delete(e);
    }
    base_buf_free(&b);
  }
  check_limits();
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
  const char *dir = "../shared/testsuite/core";
  int mutate = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-v")) verbose = 1;
    else if (!strcmp(argv[i], "--no-mutate")) mutate = 0;
    else dir = argv[i];
  }
  g_engine = weld_engine_new(NULL);
  weld_config_t cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.disabled_features = WELD_FEATURE_MULTI_MEMORY;
  g_engine_nomm = weld_engine_new(&cfg);
  if (!g_engine || !g_engine_nomm) {
    printf("cannot create engines\n0 passed, 1 failed\n");
    return 1;
  }
  check_cases();
  DIR *dp = opendir(dir);
  if (!dp) {
    printf("cannot open %s\n%d passed, %d failed\n", dir, passed, failed + 1);
    return 1;
  }
  VEC(char *) names = {0};
  struct dirent *de;
  while ((de = readdir(dp))) {
    size_t l = strlen(de->d_name);
    if (l > 5 && !strcmp(de->d_name + l - 5, ".wast")) VEC_PUSH(&names, strdup(de->d_name));
  }
  closedir(dp);
  qsort(names.data, names.len, sizeof(char *), cmp_str);
  for (size_t k = 0; k < names.len; k++) {
    run_script(dir, names.data[k], mutate);
    free(names.data[k]);
  }
  VEC_FREE(&names);
  weld_engine_delete(g_engine);
  weld_engine_delete(g_engine_nomm);
  printf("%d passed, %d failed\n", passed, failed);
  return failed != 0;
}
