/* semver.c — semantic version parsing and ordering (semver.org 2.0.0 §2, §9–§11). */
#include "wit/semver.h"
#include <string.h>

static bool parse_num(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  if (s >= end || *s < '0' || *s > '9') return false;
  if (*s == '0' && s + 1 < end && s[1] >= '0' && s[1] <= '9') return false; /* leading zero */
  uint64_t v = 0;
  while (s < end && *s >= '0' && *s <= '9') {
    if (v > (UINT64_MAX - 9) / 10) return false;
    v = v * 10 + (uint64_t)(*s - '0');
    s++;
  }
  *out = v;
  *p = s;
  return true;
}

static bool ident_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* Dot-separated identifiers; numeric ones must not have leading zeros when `pre`. */
static bool parse_idents(const char *s, size_t n, bool pre) {
  if (n == 0) return false;
  size_t i = 0;
  while (i <= n) {
    size_t j = i;
    bool numeric = true;
    while (j < n && s[j] != '.') {
      if (!ident_char(s[j])) return false;
      if (s[j] < '0' || s[j] > '9') numeric = false;
      j++;
    }
    if (j == i) return false;
    if (pre && numeric && s[i] == '0' && j - i > 1) return false;
    i = j + 1;
  }
  return true;
}

bool wit_semver_parse(const char *s, size_t n, wit_semver_t *v, const char **why) {
  const char *p = s, *end = s + n;
  const char *w = "invalid version";
  if (!parse_num(&p, end, &v->major) || p >= end || *p++ != '.' || !parse_num(&p, end, &v->minor) ||
      p >= end || *p++ != '.' || !parse_num(&p, end, &v->patch)) {
    if (why) *why = "unexpected character or leading zero in version number";
    return false;
  }
  v->pre = v->build = "";
  v->pre_len = v->build_len = 0;
  if (p < end && *p == '-') {
    const char *q = ++p;
    while (p < end && *p != '+') p++;
    if (!parse_idents(q, (size_t)(p - q), true)) {
      if (why) *why = "invalid pre-release identifier";
      return false;
    }
    v->pre = q;
    v->pre_len = (size_t)(p - q);
  }
  if (p < end && *p == '+') {
    const char *q = ++p;
    p = end;
    if (!parse_idents(q, (size_t)(p - q), false)) {
      if (why) *why = "invalid build metadata";
      return false;
    }
    v->build = q;
    v->build_len = (size_t)(p - q);
  }
  if (p != end) {
    if (why) *why = w;
    return false;
  }
  return true;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int c = memcmp(a, b, n);
  if (c) return c < 0 ? -1 : 1;
  return cmp_u64(an, bn);
}

/* Compares dot-separated identifier lists (numeric ones numerically and before alphanumeric). */
static int cmp_idents(const char *a, size_t an, const char *b, size_t bn, bool pre) {
  size_t i = 0, j = 0;
  for (;;) {
    if (i >= an && j >= bn) return 0;
    if (i >= an) return -1;
    if (j >= bn) return 1;
    size_t ie = i, je = j;
    bool anum = true, bnum = true;
    while (ie < an && a[ie] != '.') anum &= a[ie] >= '0' && a[ie] <= '9', ie++;
    while (je < bn && b[je] != '.') bnum &= b[je] >= '0' && b[je] <= '9', je++;
    int c;
    if (anum && bnum) {
      /* no leading zeros in pre-release; for build metadata compare by value then text */
      size_t al = ie - i, bl = je - j;
      const char *ap = a + i, *bp = b + j;
      while (al > 1 && *ap == '0') ap++, al--;
      while (bl > 1 && *bp == '0') bp++, bl--;
      c = al != bl ? (al < bl ? -1 : 1) : cmp_bytes(ap, al, bp, bl);
      if (!c && !pre) c = cmp_bytes(a + i, ie - i, b + j, je - j);
    } else if (anum) {
      c = -1;
    } else if (bnum) {
      c = 1;
    } else {
      c = cmp_bytes(a + i, ie - i, b + j, je - j);
    }
    if (c) return c;
    i = ie + 1;
    j = je + 1;
    if (ie >= an) i = an;
    if (je >= bn) j = bn;
    if (ie >= an && je >= bn) return 0;
    if (ie >= an) return -1;
    if (je >= bn) return 1;
  }
}

int wit_semver_cmp(const wit_semver_t *a, const wit_semver_t *b) {
  int c = cmp_u64(a->major, b->major);
  if (!c) c = cmp_u64(a->minor, b->minor);
  if (!c) c = cmp_u64(a->patch, b->patch);
  if (c) return c;
  /* a version without pre-release has higher precedence than one with */
  if (!a->pre_len != !b->pre_len) return a->pre_len ? -1 : 1;
  c = cmp_idents(a->pre, a->pre_len, b->pre, b->pre_len, true);
  if (c) return c;
  if (!a->build_len != !b->build_len) return a->build_len ? 1 : -1;
  return cmp_idents(a->build, a->build_len, b->build, b->build_len, false);
}

int wit_semver_cmp_str(const char *a, const char *b) {
  if (!a || !b) return (a != NULL) - (b != NULL);
  wit_semver_t va, vb;
  bool oa = wit_semver_parse(a, strlen(a), &va, NULL), ob = wit_semver_parse(b, strlen(b), &vb, NULL);
  if (!oa || !ob) return strcmp(a, b);
  return wit_semver_cmp(&va, &vb);
}
