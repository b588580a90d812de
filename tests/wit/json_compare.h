/* json_compare.h — a small JSON reader and structural comparer for the WIT tests
 * (RFC 8259 syntax; objects compare regardless of key order, arrays in order, numbers by
 * value).  Header-only so each test program can include it; depends only on libc. */
#ifndef WELD_TESTS_JSON_COMPARE_H
#define WELD_TESTS_JSON_COMPARE_H
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

typedef struct jv jv_t;
struct jv {
  int kind;
  bool b;
  double num;
  char *str;   /* JV_STR value */
  size_t n;    /* elements / members */
  jv_t **items;
  char **keys; /* JV_OBJ */
};

typedef struct jparser {
  const char *p, *end;
  const char *err;
  int depth;
} jparser_t;

static inline void jv_free(jv_t *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) {
    jv_free(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

static inline void jskip(jparser_t *jp) {
  while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\n' || *jp->p == '\r' || *jp->p == '\t')) jp->p++;
}

static inline char *jstring(jparser_t *jp) {
  if (jp->p >= jp->end || *jp->p != '"') {
    jp->err = "expected string";
    return NULL;
  }
  jp->p++;
  size_t cap = 16, n = 0;
  char *s = malloc(cap);
  while (s && jp->p < jp->end && *jp->p != '"') {
    char c = *jp->p++;
    unsigned cp = 0;
    if (c == '\\') {
      if (jp->p >= jp->end) break;
      c = *jp->p++;
      switch (c) {
      case 'n': c = '\n'; break;
      case 't': c = '\t'; break;
      case 'r': c = '\r'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'u':
        if (jp->end - jp->p < 4) {
          jp->err = "bad escape";
          free(s);
          return NULL;
        }
        for (int i = 0; i < 4; i++) {
          char h = *jp->p++;
          cp = cp * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
        }
        break;
      default: break; /* \" \\ \/ */
      }
    }
    if (n + 8 >= cap) {
      char *ns = realloc(s, cap *= 2);
      if (!ns) {
        free(s);
        return NULL;
      }
      s = ns;
    }
    if (cp) { /* UTF-8 encode (surrogates kept as-is) */
      if (cp < 0x80) s[n++] = (char)cp;
      else if (cp < 0x800) s[n++] = (char)(0xc0 | cp >> 6), s[n++] = (char)(0x80 | (cp & 63));
      else s[n++] = (char)(0xe0 | cp >> 12), s[n++] = (char)(0x80 | ((cp >> 6) & 63)), s[n++] = (char)(0x80 | (cp & 63));
    } else {
      s[n++] = c;
    }
  }
  if (!s) return NULL;
  if (jp->p >= jp->end) {
    jp->err = "unterminated string";
    free(s);
    return NULL;
  }
  jp->p++;
  s[n] = 0;
  return s;
}

static inline jv_t *jvalue(jparser_t *jp) {
  jskip(jp);
  if (jp->p >= jp->end) {
    jp->err = "unexpected end";
    return NULL;
  }
  if (++jp->depth > 1000) {
    jp->err = "too deep";
    return NULL;
  }
  jv_t *v = calloc(1, sizeof *v);
  if (!v) return NULL;
  char c = *jp->p;
  if (c == '{' || c == '[') {
    bool obj = c == '{';
    v->kind = obj ? JV_OBJ : JV_ARR;
    jp->p++;
    size_t cap = 0;
    jskip(jp);
    if (jp->p < jp->end && *jp->p == (obj ? '}' : ']')) {
      jp->p++;
      jp->depth--;
      return v;
    }
    for (;;) {
      char *key = NULL;
      if (obj) {
        jskip(jp);
        key = jstring(jp);
        jskip(jp);
        if (!key || jp->p >= jp->end || *jp->p != ':') {
          free(key);
          if (!jp->err) jp->err = "expected ':'";
          jv_free(v);
          return NULL;
        }
        jp->p++;
      }
      jv_t *item = jvalue(jp);
      if (!item) {
        free(key);
        jv_free(v);
        return NULL;
      }
      if (v->n == cap) {
        cap = cap ? cap * 2 : 8;
        v->items = realloc(v->items, cap * sizeof *v->items);
        if (obj) v->keys = realloc(v->keys, cap * sizeof *v->keys);
        if (!v->items || (obj && !v->keys)) abort();
      }
      v->items[v->n] = item;
      if (obj) v->keys[v->n] = key;
      v->n++;
      jskip(jp);
      if (jp->p < jp->end && *jp->p == ',') {
        jp->p++;
        continue;
      }
      if (jp->p < jp->end && *jp->p == (obj ? '}' : ']')) {
        jp->p++;
        break;
      }
      jp->err = "expected ',' or end of container";
      jv_free(v);
      return NULL;
    }
  } else if (c == '"') {
    v->kind = JV_STR;
    v->str = jstring(jp);
    if (!v->str) {
      jv_free(v);
      return NULL;
    }
  } else if (!strncmp(jp->p, "null", 4)) {
    v->kind = JV_NULL;
    jp->p += 4;
  } else if (!strncmp(jp->p, "true", 4) || !strncmp(jp->p, "false", 5)) {
    v->kind = JV_BOOL;
    v->b = c == 't';
    jp->p += v->b ? 4 : 5;
  } else {
    char *e;
    v->kind = JV_NUM;
    v->num = strtod(jp->p, &e);
    if (e == jp->p) {
      jp->err = "unexpected character";
      jv_free(v);
      return NULL;
    }
    jp->p = e;
  }
  jp->depth--;
  return v;
}

/* Parses a whole document; NULL (with *err) on malformed input. */
static inline jv_t *json_parse(const char *s, size_t n, const char **err) {
  jparser_t jp = {s, s + n, NULL, 0};
  jv_t *v = jvalue(&jp);
  if (v) {
    jskip(&jp);
    if (jp.p != jp.end) {
      jv_free(v);
      v = NULL;
      jp.err = "trailing characters";
    }
  }
  if (!v && err) *err = jp.err ? jp.err : "out of memory";
  return v;
}

/* Structural equality; on difference writes a path like ".types[3].kind" to `where`. */
static inline bool json_equal(const jv_t *a, const jv_t *b, char *where, size_t cap) {
  if (a->kind != b->kind) {
    snprintf(where, cap, " (different kinds)");
    return false;
  }
  switch (a->kind) {
  case JV_NULL: return true;
  case JV_BOOL: return a->b == b->b;
  case JV_NUM: return a->num == b->num;
  case JV_STR:
    if (strcmp(a->str, b->str)) {
      snprintf(where, cap, ": \"%.60s\" vs \"%.60s\"", a->str, b->str);
      return false;
    }
    return true;
  case JV_ARR:
    if (a->n != b->n) {
      snprintf(where, cap, ": %zu vs %zu elements", a->n, b->n);
      return false;
    }
    for (size_t i = 0; i < a->n; i++) {
      char sub[400];
      sub[0] = 0;
      if (!json_equal(a->items[i], b->items[i], sub, sizeof sub)) {
        snprintf(where, cap, "[%zu]%s", i, sub);
        return false;
      }
    }
    return true;
  default:
    if (a->n != b->n) {
      snprintf(where, cap, ": %zu vs %zu members", a->n, b->n);
      return false;
    }
    for (size_t i = 0; i < a->n; i++) {
      size_t j = 0;
      while (j < b->n && strcmp(a->keys[i], b->keys[j])) j++;
      if (j == b->n) {
        snprintf(where, cap, ": member \"%.60s\" missing", a->keys[i]);
        return false;
      }
      char sub[400];
      sub[0] = 0;
      if (!json_equal(a->items[i], b->items[j], sub, sizeof sub)) {
        snprintf(where, cap, ".%.60s%s", a->keys[i], sub);
        return false;
      }
    }
    return true;
  }
}

#endif
