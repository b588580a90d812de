/* names.c — import/export names of components (design/mvp/Explainer.md "Import and Export
 * Definitions"; semantic versions per SemVer 2.0.0).  See names.h. */
#include "component/names.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_kebab_char(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '-'; }

bool comp_is_kebab(const char *s, uint32_t len) {
  bool lower = false, upper = false, first = true, digit = false;
  if (len == 0 || s[len - 1] == '-') return false;
  for (uint32_t i = 0; i < len; i++) {
    char c = s[i];
    if (is_lower(c)) {
      if (upper) return false;
      lower = true;
    } else if (is_upper(c)) {
      if (lower) return false;
      upper = true;
    } else if (is_digit(c)) {
      if (!lower && !upper && first) return false;
      digit = true;
    } else if (c == '-') {
      if (!lower && !upper && !digit) return false;
      lower = upper = digit = false;
      first = false;
    } else {
      return false;
    }
  }
  return true;
}

/* ---------------------------------------------------------------- semver */

static bool is_ident_char(char c) { return is_lower(c) || is_upper(c) || is_digit(c) || c == '-'; }

/* Numeric identifier: digits without a leading zero. */
static const char *semver_number(const char *s, uint32_t len, uint32_t *i, const char *what, char *buf, size_t bufsize) {
  uint32_t start = *i;
  if (*i >= len) {
    snprintf(buf, bufsize, "unexpected end of input while parsing %s version number", what);
    return buf;
  }
  if (!is_digit(s[*i])) {
    snprintf(buf, bufsize, "unexpected character '%c' while parsing %s version number", s[*i], what);
    return buf;
  }
  uint64_t v = 0;
  while (*i < len && is_digit(s[*i])) {
    uint64_t d = (uint64_t)(s[*i] - '0');
    if (v > (UINT64_MAX - d) / 10) {
      snprintf(buf, bufsize, "value of %s version number exceeds u64::MAX", what);
      return buf;
    }
    v = v * 10 + d;
    (*i)++;
  }
  if (*i - start > 1 && s[start] == '0') {
    snprintf(buf, bufsize, "invalid leading zero in %s version number", what);
    return buf;
  }
  return NULL;
}

/* Dot-separated identifiers of a pre-release or build part. */
static const char *semver_idents(const char *s, uint32_t len, uint32_t *i, bool pre, char *buf, size_t bufsize) {
  const char *what = pre ? "pre-release identifier" : "build metadata";
  for (;;) {
    uint32_t start = *i;
    bool numeric = true;
    while (*i < len && is_ident_char(s[*i])) {
      if (!is_digit(s[*i])) numeric = false;
      (*i)++;
    }
    if (*i == start) {
      snprintf(buf, bufsize, "empty identifier segment in %s", what);
      return buf;
    }
    if (pre && numeric && *i - start > 1 && s[start] == '0') {
      snprintf(buf, bufsize, "invalid leading zero in %s", what);
      return buf;
    }
    if (*i < len && s[*i] == '.') {
      (*i)++;
      continue;
    }
    return NULL;
  }
}

const char *comp_semver_error(const char *s, uint32_t len, char *buf, size_t bufsize) {
  uint32_t i = 0;
  const char *e;
  if (len == 0) return "empty string, expected a semver version";
  if ((e = semver_number(s, len, &i, "major", buf, bufsize))) return e;
  if (i >= len || s[i] != '.') {
    if (i >= len) return "unexpected end of input while parsing major version number";
    snprintf(buf, bufsize, "unexpected character '%c' after major version number", s[i]);
    return buf;
  }
  i++;
  if ((e = semver_number(s, len, &i, "minor", buf, bufsize))) return e;
  if (i >= len || s[i] != '.') {
    if (i >= len) return "unexpected end of input while parsing minor version number";
    snprintf(buf, bufsize, "unexpected character '%c' after minor version number", s[i]);
    return buf;
  }
  i++;
  if ((e = semver_number(s, len, &i, "patch", buf, bufsize))) return e;
  if (i < len && s[i] == '-') {
    i++;
    if ((e = semver_idents(s, len, &i, true, buf, bufsize))) return e;
  }
  if (i < len && s[i] == '+') {
    i++;
    if ((e = semver_idents(s, len, &i, false, buf, bufsize))) return e;
  }
  if (i < len) {
    snprintf(buf, bufsize, "unexpected character '%c' after patch version number", s[i]);
    return buf;
  }
  return NULL;
}

/* ---------------------------------------------------------------- name parser */

typedef struct parser {
  const char *p;   /* rest of the name */
  uint32_t n;
  size_t off;
  weld_error_t *err;
} parser_t;

static bool perr(parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool perr(parser_t *ps, const char *fmt, ...) {
  if (!ps->err) {
    va_list ap;
    va_start(ap, fmt);
    ps->err = base_error_v(ps->off, fmt, ap);
    va_end(ap);
  }
  return false;
}

static bool eat(parser_t *ps, const char *lit) {
  uint32_t l = (uint32_t)strlen(lit);
  if (ps->n < l || memcmp(ps->p, lit, l) != 0) return false;
  ps->p += l;
  ps->n -= l;
  return true;
}

static bool expect(parser_t *ps, const char *lit) {
  if (eat(ps, lit)) return true;
  return perr(ps, "expected `%s` at `%.*s`", lit, (int)ps->n, ps->p);
}

static bool find(const parser_t *ps, char c, uint32_t *at) {
  const char *q = ps->n ? memchr(ps->p, c, ps->n) : NULL;
  if (!q) return false;
  *at = (uint32_t)(q - ps->p);
  return true;
}

/* Takes up to (not including) c; error if c is absent. */
static bool take_up_to(parser_t *ps, char c, comp_name_t *out) {
  uint32_t at;
  if (!find(ps, c, &at)) return perr(ps, "failed to find `%c` character", c);
  out->s = ps->p;
  out->len = at;
  ps->p += at;
  ps->n -= at;
  return true;
}

/* Takes up to c and consumes c. */
static bool take_until(parser_t *ps, char c, comp_name_t *out) {
  if (!take_up_to(ps, c, out)) return false;
  ps->p++;
  ps->n--;
  return true;
}

static comp_name_t take_rest(parser_t *ps) {
  comp_name_t r = {ps->p, ps->n};
  ps->p += ps->n;
  ps->n = 0;
  return r;
}

static bool kebab(parser_t *ps, comp_name_t s) {
  if (!comp_is_kebab(s.s, s.len)) return perr(ps, "`%.*s` is not in kebab case", (int)s.len, s.s);
  return true;
}

static bool take_kebab(parser_t *ps, comp_name_t *out) {
  uint32_t i = 0;
  while (i < ps->n && is_kebab_char(ps->p[i])) i++;
  out->s = ps->p;
  out->len = i;
  ps->p += i;
  ps->n -= i;
  return kebab(ps, *out);
}

static bool take_lowercase_kebab(parser_t *ps) {
  comp_name_t k = {0};
  if (!take_kebab(ps, &k)) return false;
  for (uint32_t i = 0; i < k.len; i++)
    if (is_upper(k.s[i])) return perr(ps, "character `%c` is not lowercase in package name/namespace", k.s[i]);
  return true;
}

static bool semver(parser_t *ps, comp_name_t v) {
  char buf[160];
  const char *e = comp_semver_error(v.s, v.len, buf, sizeof buf);
  if (e) return perr(ps, "`%.*s` is not a valid semver: %s", (int)v.len, v.s, e);
  return true;
}

/* pkgpath ::= <namespace> ':' <label> ('/' <label>)?  (nested namespaces and
 * projections, the cm-nested-names feature, are not accepted) */
static bool pkg_path(parser_t *ps, bool require_projection) {
  if (!take_lowercase_kebab(ps) || !expect(ps, ":") || !take_lowercase_kebab(ps)) return false;
  if (ps->n && ps->p[0] == '/') {
    comp_name_t iface = {0};
    eat(ps, "/");
    return take_kebab(ps, &iface);
  }
  if (require_projection) return perr(ps, "expected `/` after package name");
  return true;
}

static bool pkg_name(parser_t *ps, bool require_projection) {
  if (!pkg_path(ps, require_projection)) return false;
  if (eat(ps, "@")) {
    comp_name_t v = {0};
    uint32_t at;
    if (find(ps, '>', &at)) {
      v.s = ps->p;
      v.len = at;
      ps->p += at;
      ps->n -= at;
    } else {
      v = take_rest(ps);
    }
    return semver(ps, v);
  }
  return true;
}

static bool semver_range(parser_t *ps, comp_name_t r) {
  if (r.len == 1 && r.s[0] == '*') return true;
  if (r.len >= 2 && r.s[0] == '>' && r.s[1] == '=') {
    comp_name_t rest = {r.s + 2, r.len - 2};
    const char *sp = rest.len ? memchr(rest.s, ' ', rest.len) : NULL;
    if (!sp) return semver(ps, rest);
    comp_name_t lower = {rest.s, (uint32_t)(sp - rest.s)};
    comp_name_t upper = {sp + 1, rest.len - lower.len - 1};
    if (!semver(ps, lower)) return false;
    if (upper.len == 0 || upper.s[0] != '<') return perr(ps, "expected `<` at start of version range upper bounds");
    upper.s++;
    upper.len--;
    return semver(ps, upper);
  }
  if (r.len >= 1 && r.s[0] == '<') {
    comp_name_t rest = {r.s + 1, r.len - 1};
    return semver(ps, rest);
  }
  return perr(ps, "expected `>=` or `<` at start of version range");
}

static bool pkg_name_query(parser_t *ps) {
  if (!pkg_path(ps, false)) return false;
  if (eat(ps, "@")) {
    comp_name_t range = {0};
    if (eat(ps, "*")) return true;
    if (!expect(ps, "{") || !take_up_to(ps, '}', &range) || !expect(ps, "}")) return false;
    return semver_range(ps, range);
  }
  return true;
}

static bool is_base64(comp_name_t s) {
  uint32_t equals = 0;
  if (s.len == 0) return false;
  for (uint32_t i = 0; i < s.len; i++) {
    char c = s.s[i];
    if ((is_digit(c) || is_lower(c) || is_upper(c) || c == '+' || c == '/') && equals == 0) continue;
    if (c == '=' && i > 0 && equals < 2) {
      equals++;
      continue;
    }
    return false;
  }
  return true;
}

static bool parse_hash(parser_t *ps) {
  comp_name_t all = {0};
  bool any = false;
  if (!take_up_to(ps, '>', &all)) return false;
  uint32_t i = 0;
  while (i < all.len) {
    while (i < all.len && (all.s[i] == ' ' || all.s[i] == '\t' || all.s[i] == '\n' || all.s[i] == '\r')) i++;
    if (i >= all.len) break;
    uint32_t start = i;
    while (i < all.len && !(all.s[i] == ' ' || all.s[i] == '\t' || all.s[i] == '\n' || all.s[i] == '\r')) i++;
    comp_name_t h = {all.s + start, i - start};
    any = true;
    uint32_t alg = 0;
    if (h.len >= 6 && (memcmp(h.s, "sha256", 6) == 0 || memcmp(h.s, "sha384", 6) == 0 || memcmp(h.s, "sha512", 6) == 0))
      alg = 6;
    if (!alg) return perr(ps, "unrecognized hash algorithm: `%.*s`", (int)h.len, h.s);
    if (h.len == alg || h.s[alg] != '-') return perr(ps, "expected `-` after hash algorithm: %.*s", (int)h.len, h.s);
    comp_name_t b64 = {h.s + alg + 1, h.len - alg - 1};
    const char *q = b64.len ? memchr(b64.s, '?', b64.len) : NULL;
    if (q) b64.len = (uint32_t)(q - b64.s);
    if (!is_base64(b64)) return perr(ps, "not valid base64: `%.*s`", (int)b64.len, b64.s);
  }
  if (!any) return perr(ps, "integrity hash cannot be empty");
  return true;
}

static bool optional_hash(parser_t *ps) {
  if (!eat(ps, ",")) return true;
  return expect(ps, "integrity=<") && parse_hash(ps) && expect(ps, ">");
}

static bool parse(parser_t *ps, comp_parsed_name_t *out) {
  if (eat(ps, "[constructor]")) {
    out->kind = COMP_NAME_CONSTRUCTOR;
    out->label = take_rest(ps);
    return kebab(ps, out->label);
  }
  bool method = eat(ps, "[method]");
  if (method || eat(ps, "[static]")) {
    out->kind = method ? COMP_NAME_METHOD : COMP_NAME_STATIC;
    out->label.s = ps->p;
    out->label.len = ps->n;
    if (!take_until(ps, '.', &out->resource) || !kebab(ps, out->resource)) return false;
    out->method = take_rest(ps);
    return kebab(ps, out->method);
  }
  if (ps->n >= 6 && memcmp(ps->p, "[async", 6) == 0)
    return perr(ps, COMP_NOT_SUPPORTED "async function names `%.*s` (cm-async)", (int)ps->n, ps->p);
  if (eat(ps, "unlocked-dep=")) {
    out->kind = COMP_NAME_DEPENDENCY;
    return expect(ps, "<") && pkg_name_query(ps) && expect(ps, ">");
  }
  if (eat(ps, "locked-dep=")) {
    out->kind = COMP_NAME_DEPENDENCY;
    return expect(ps, "<") && pkg_name(ps, false) && expect(ps, ">") && optional_hash(ps);
  }
  if (eat(ps, "url=")) {
    comp_name_t url = {0};
    out->kind = COMP_NAME_URL;
    if (!expect(ps, "<") || !take_up_to(ps, '>', &url)) return false;
    if (url.len && memchr(url.s, '<', url.len)) return perr(ps, "url cannot contain `<`");
    return expect(ps, ">") && optional_hash(ps);
  }
  if (eat(ps, "integrity=")) {
    out->kind = COMP_NAME_HASH;
    return expect(ps, "<") && parse_hash(ps) && expect(ps, ">");
  }
  if (ps->n && memchr(ps->p, ':', ps->n)) {
    out->kind = COMP_NAME_INTERFACE;
    return pkg_name(ps, true);
  }
  out->kind = COMP_NAME_LABEL;
  out->label = take_rest(ps);
  return kebab(ps, out->label);
}

weld_error_t *comp_parse_extern_name(comp_name_t name, size_t off, comp_parsed_name_t *out) {
  parser_t ps = {name.s ? name.s : "", name.len, off, NULL};
  memset(out, 0, sizeof *out);
  out->raw = name;
  if (!parse(&ps, out)) return ps.err ? ps.err : base_error_oom();
  if (ps.n) return base_error_at(off, "trailing characters found: `%.*s`", (int)ps.n, ps.p);
  return NULL;
}

/* ---------------------------------------------------------------- uniqueness keys */

bool comp_name_key(comp_arena_t *a, const comp_parsed_name_t *n, comp_name_t *key) {
  char tag;
  comp_name_t src;
  bool fold;
  switch (n->kind) {
  case COMP_NAME_LABEL: tag = 'L'; src = n->label; fold = true; break;
  case COMP_NAME_CONSTRUCTOR: tag = 'C'; src = n->label; fold = true; break;
  case COMP_NAME_METHOD:
  case COMP_NAME_STATIC:
    if (comp_label_eq(n->resource, n->method)) {
      tag = 'L'; /* `[method]l.l` is the same name as `l` */
      src = n->resource;
      fold = true;
    } else {
      tag = 'M';
      src = n->label;
      fold = false;
    }
    break;
  case COMP_NAME_INTERFACE: tag = 'I'; src = n->raw; fold = false; break;
  case COMP_NAME_DEPENDENCY: tag = 'D'; src = n->raw; fold = false; break;
  case COMP_NAME_URL: tag = 'U'; src = n->raw; fold = false; break;
  default: tag = 'H'; src = n->raw; fold = false; break;
  }
  char *k = comp_arena_alloc(a, (size_t)src.len + 1);
  if (!k) return false;
  k[0] = tag;
  for (uint32_t i = 0; i < src.len; i++) {
    char c = src.s[i];
    k[i + 1] = fold && is_upper(c) ? (char)(c - 'A' + 'a') : c;
  }
  key->s = k;
  key->len = src.len + 1;
  return true;
}

/* ---------------------------------------------------------------- resource names */

bool comp_namectx_register(comp_namectx_t *c, comp_typeid_t resource, comp_name_t name) {
  bool oom = false;
  if (!VEC_PUSH(&c->names, name)) return false;
  if (!comp_map_put(&c->res, resource, (uint32_t)c->names.len - 1)) return false;
  comp_strset_add(&c->all, name.s, name.len, 0, NULL, &oom);
  return !oom;
}

void comp_namectx_free(comp_namectx_t *c) {
  comp_map_free(&c->res);
  VEC_FREE(&c->names);
  comp_strset_free(&c->all);
}

static weld_error_t *check_resource_name(const comp_namectx_t *c, comp_typeid_t res, comp_name_t expected, size_t off) {
  uint32_t idx;
  if (!comp_map_get(&c->res, res, &idx))
    return base_error_at(off, "resource used in function does not have a name in this context");
  comp_name_t have = c->names.data[idx];
  if (!comp_name_eq(have, expected))
    return base_error_at(off, "function does not match expected resource name `%.*s`", (int)have.len, have.s);
  return NULL;
}

weld_error_t *comp_check_name_type(const comp_types_t *T, const comp_namectx_t *c, const comp_parsed_name_t *n,
                                   uint8_t ekind, comp_typeid_t type, size_t off) {
  if (n->kind != COMP_NAME_CONSTRUCTOR && n->kind != COMP_NAME_METHOD && n->kind != COMP_NAME_STATIC) return NULL;
  if (ekind != COMP_E_FUNC) return base_error_at(off, "item is not a func");
  const comp_type_t *f = comp_type(T, type);
  if (n->kind == COMP_NAME_CONSTRUCTOR) {
    comp_typeid_t r = f->u.func.result, res = COMP_NO_TYPE;
    if (r == COMP_NO_TYPE) return base_error_at(off, "function should return one value");
    const comp_type_t *rt = comp_type(T, r);
    if (rt->kind == COMP_T_OWN) {
      res = rt->u.resource;
    } else if (rt->kind == COMP_T_RESULT && rt->u.result.ok != COMP_NO_TYPE &&
               comp_type(T, rt->u.result.ok)->kind == COMP_T_OWN) {
      res = comp_type(T, rt->u.result.ok)->u.resource;
    }
    if (res == COMP_NO_TYPE) return base_error_at(off, "function should return `(own $T)` or `(result (own $T))`");
    return check_resource_name(c, res, n->label, off);
  }
  if (n->kind == COMP_NAME_METHOD) {
    if (f->u.func.nparams == 0) return base_error_at(off, "function should have at least one argument");
    comp_name_t self = f->u.func.params[0].name;
    if (self.len != 4 || memcmp(self.s, "self", 4) != 0)
      return base_error_at(off, "function should have a first argument called `self`");
    const comp_type_t *pt = comp_type(T, f->u.func.params[0].type);
    if (pt->kind != COMP_T_BORROW) return base_error_at(off, "function should take a first argument of `(borrow $T)`");
    return check_resource_name(c, pt->u.resource, n->resource, off);
  }
  if (!comp_strset_find(&c->all, n->resource.s, n->resource.len, NULL))
    return base_error_at(off, "static resource name is not known in this context");
  return NULL;
}
