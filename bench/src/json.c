/* json.c — a JSON parser: generates a ~1 MiB document once, then n times tokenises it,
 * builds a tree (nodes in one array, linked first-child / next-sibling) and walks the
 * tree to compute a checksum: byte-at-a-time scanning, branching on characters,
 * recursion and pointer chasing. */
#include <stdlib.h>
#include "bench.h"

#define DOC_TARGET (1u << 20)
#define MAX_DEPTH 64

/* ---- a growable output buffer for the generator ---- */
typedef struct {
  char *data;
  size_t len, cap;
} text_t;

static void put(text_t *t, const char *s, size_t len) {
  if (t->len + len > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 4096;
    while (cap < t->len + len) cap *= 2;
    char *d = realloc(t->data, cap);
    if (!d) abort();
    t->data = d;
    t->cap = cap;
  }
  memcpy(t->data + t->len, s, len);
  t->len += len;
}

static void put_str(text_t *t, const char *s) { put(t, s, strlen(s)); }

static void put_uint(text_t *t, uint32_t v) {
  char tmp[12];
  int k = 12;
  do tmp[--k] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put(t, tmp + k, (size_t)(12 - k));
}

static void gen_string(text_t *t, uint32_t *s) {
  static const char *const parts[] = {"id", "name", "value", "x", "items", "weld", "type",
                                      "size", "\\n", "\\\"", "\\u00e9", "data", "ok"};
  put(t, "\"", 1);
  uint32_t k = 1 + bench_rand(s) % 3;
  for (uint32_t i = 0; i < k; i++) put_str(t, parts[bench_rand(s) % 13]);
  put(t, "\"", 1);
}

static void gen_value(text_t *t, uint32_t *s, int depth) {
  uint32_t r = bench_rand(s);
  uint32_t kind = depth < 5 ? r % 8 : 2 + r % 6;
  if (kind == 0) { /* object */
    uint32_t count = (r >> 8) % 7;
    put(t, "{", 1);
    for (uint32_t i = 0; i < count; i++) {
      if (i) put(t, ",", 1);
      gen_string(t, s);
      put(t, ":", 1);
      gen_value(t, s, depth + 1);
    }
    put(t, "}", 1);
  } else if (kind == 1) { /* array */
    uint32_t count = (r >> 8) % 9;
    put(t, "[", 1);
    for (uint32_t i = 0; i < count; i++) {
      if (i) put(t, ", ", 2);
      gen_value(t, s, depth + 1);
    }
    put(t, "]", 1);
  } else if (kind <= 3) {
    gen_string(t, s);
  } else if (kind <= 5) { /* number: integer or decimal, maybe negative */
    if ((r >> 8) & 1) put(t, "-", 1);
    put_uint(t, (r >> 9) % 1000000);
    if ((r >> 29) & 1) {
      put(t, ".", 1);
      put_uint(t, bench_rand(s) % 1000);
    }
  } else {
    put_str(t, kind == 6 ? "true" : (r >> 8) & 1 ? "false" : "null");
  }
}

/* ---- the parser ---- */
enum { J_NULL, J_TRUE, J_FALSE, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct {
  uint8_t kind;
  uint32_t child, next; /* node indices, 0 = none (node 0 is never a child) */
  uint32_t key_hash;    /* for object members: hash of the key */
  uint32_t str_hash;    /* J_STR: hash of the decoded string */
  int64_t num;          /* J_NUM: value * 1000, fraction digits beyond 3 dropped */
} node_t;

typedef struct {
  const char *p, *end;
  node_t *nodes;
  uint32_t count, cap;
  int failed;
} parser_t;

static void skip_ws(parser_t *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\t' || *ps->p == '\r'))
    ps->p++;
}

static uint32_t new_node(parser_t *ps, uint8_t kind) {
  if (ps->count == ps->cap) {
    uint32_t cap = ps->cap * 2;
    node_t *n = realloc(ps->nodes, cap * sizeof *n);
    if (!n) {
      ps->failed = 1;
      return 0;
    }
    ps->nodes = n;
    ps->cap = cap;
  }
  node_t *n = &ps->nodes[ps->count];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  return ps->count++;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses a string literal at ps->p; returns the hash of its decoded code points. */
static uint32_t parse_string(parser_t *ps) {
  uint32_t h = BENCH_SEED;
  if (ps->p >= ps->end || *ps->p != '"') goto fail;
  ps->p++;
  while (ps->p < ps->end && *ps->p != '"') {
    uint32_t cp = (uint8_t)*ps->p++;
    if (cp == '\\') {
      if (ps->p >= ps->end) goto fail;
      char e = *ps->p++;
      switch (e) {
        case 'n': cp = '\n'; break;
        case 't': cp = '\t'; break;
        case 'r': cp = '\r'; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case '"': case '\\': case '/': cp = (uint8_t)e; break;
        case 'u':
          if (ps->end - ps->p < 4) goto fail;
          cp = 0;
          for (int i = 0; i < 4; i++) {
            int v = hexval(*ps->p++);
            if (v < 0) goto fail;
            cp = cp << 4 | (uint32_t)v;
          }
          break;
        default: goto fail;
      }
    }
    h = (h ^ cp) * 16777619u;
  }
  if (ps->p >= ps->end) goto fail;
  ps->p++;
  return h;
fail:
  ps->failed = 1;
  return 0;
}

static uint32_t parse_value(parser_t *ps, int depth);

/* Parses the members or elements of an object/array whose opening bracket was eaten. */
static void parse_children(parser_t *ps, uint32_t parent, char close, int depth) {
  uint32_t last = 0;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return;
  }
  for (;;) {
    uint32_t key = 0;
    skip_ws(ps);
    if (close == '}') {
      key = parse_string(ps);
      skip_ws(ps);
      if (ps->failed || ps->p >= ps->end || *ps->p != ':') goto fail;
      ps->p++;
    }
    uint32_t child = parse_value(ps, depth + 1);
    if (ps->failed) return;
    ps->nodes[child].key_hash = key;
    if (last) ps->nodes[last].next = child;
    else ps->nodes[parent].child = child;
    last = child;
    skip_ws(ps);
    if (ps->p >= ps->end) goto fail;
    char c = *ps->p++;
    if (c == close) return;
    if (c != ',') goto fail;
  }
fail:
  ps->failed = 1;
}

static int64_t parse_number(parser_t *ps) {
  int neg = 0;
  int64_t v = 0;
  if (*ps->p == '-') {
    neg = 1;
    ps->p++;
  }
  if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') goto fail;
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9' && v < INT64_MAX / 10000)
    v = v * 10 + (*ps->p++ - '0');
  v *= 1000;
  if (ps->p < ps->end && *ps->p == '.') {
    ps->p++;
    int64_t scale = 100;
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') goto fail;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
      v += (*ps->p++ - '0') * scale;
      scale /= 10;
    }
  }
  return neg ? -v : v;
fail:
  ps->failed = 1;
  return 0;
}

static int match_word(parser_t *ps, const char *w, size_t len) {
  if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, w, len) != 0) return 0;
  ps->p += len;
  return 1;
}

static uint32_t parse_value(parser_t *ps, int depth) {
  skip_ws(ps);
  if (ps->p >= ps->end || depth > MAX_DEPTH) goto fail;
  char c = *ps->p;
  uint32_t id;
  if (c == '{' || c == '[') {
    id = new_node(ps, c == '{' ? J_OBJ : J_ARR);
    if (ps->failed) return 0;
    ps->p++;
    parse_children(ps, id, c == '{' ? '}' : ']', depth);
  } else if (c == '"') {
    id = new_node(ps, J_STR);
    if (ps->failed) return 0;
    uint32_t h = parse_string(ps);
    ps->nodes[id].str_hash = h;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    id = new_node(ps, J_NUM);
    if (ps->failed) return 0;
    int64_t v = parse_number(ps);
    ps->nodes[id].num = v;
  } else if (match_word(ps, "true", 4)) {
    id = new_node(ps, J_TRUE);
  } else if (match_word(ps, "false", 5)) {
    id = new_node(ps, J_FALSE);
  } else if (match_word(ps, "null", 4)) {
    id = new_node(ps, J_NULL);
  } else {
    goto fail;
  }
  return id;
fail:
  ps->failed = 1;
  return 0;
}

/* Walks the tree: counts kinds, sums numbers, folds string and key hashes. */
static uint32_t walk(const node_t *nodes, uint32_t id, int64_t *sum, uint32_t h) {
  const node_t *n = &nodes[id];
  h = bench_mix(h, n->kind);
  if (n->key_hash) h = bench_mix(h, n->key_hash);
  switch (n->kind) {
    case J_NUM: *sum += n->num; break;
    case J_STR: h = bench_mix(h, n->str_hash); break;
    case J_ARR:
    case J_OBJ:
      for (uint32_t c = n->child; c; c = nodes[c].next) h = walk(nodes, c, sum, h);
      break;
    default: break;
  }
  return h;
}

uint32_t bench_run(uint32_t n) {
  text_t doc = {0};
  uint32_t s = 0xbeef;
  put(&doc, "[", 1);
  for (int first = 1; doc.len < DOC_TARGET; first = 0) {
    if (!first) put(&doc, ",\n", 2);
    gen_value(&doc, &s, 0);
  }
  put(&doc, "]", 1);

  uint32_t h = BENCH_SEED;
  parser_t ps = {0};
  ps.cap = 1024;
  ps.nodes = malloc(ps.cap * sizeof *ps.nodes);
  if (!ps.nodes) goto out;
  for (uint32_t round = 0; round < n; round++) {
    ps.p = doc.data;
    ps.end = doc.data + doc.len;
    ps.count = 1; /* node 0 is reserved as "none" */
    ps.failed = 0;
    uint32_t root = parse_value(&ps, 0);
    skip_ws(&ps);
    if (ps.failed || ps.p != ps.end) {
      h = 0; /* the generated document failed to parse */
      goto out;
    }
    int64_t sum = 0;
    h = walk(ps.nodes, root, &sum, h);
    h = bench_mix(bench_mix(h, ps.count), (uint32_t)sum);
  }
out:
  free(ps.nodes);
  free(doc.data);
  return h;
}
