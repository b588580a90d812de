/* metadata.c — the `package-docs` custom section of a WIT package encoded as a component
 * (wasm-tools' wit-parser `PackageMetadata`, format version 1): the docs and feature gates
 * (`@since`, `@unstable`, `@deprecated`) that a component type has no place for, as one
 * version byte followed by JSON:
 *
 *   { "package": "ns:pkg@1.0.0"  (only for an empty package, see wit_meta_encode)
 *     "docs": "...",
 *     "worlds":     { "<world>": { "docs", "stability", "interfaces": {kebab: iface},
 *                                  "types": {name: type}, "funcs": {name: func},
 *                                  "interface_exports", "func_exports",
 *                                  "interface_import_stability": {key: stability},
 *                                  "interface_export_stability": {key: stability} } },
 *     "interfaces": { "<iface>": { "docs", "stability", "funcs": {...}, "types": {...} } } }
 *
 *   iface = {"docs", "stability", "funcs", "types"}; type = {"docs", "stability",
 *   "items": {case-or-field: docs}}; func = {"docs", "stability"} (version 0: a string);
 *   stability = {"stable": {"since", "deprecated"?}} | {"unstable": {"feature",
 *   "deprecated"?}}.  Empty members are left out.
 *
 * Also a small JSON reader (RFC 8259) for decoding it (decode.c applies the values). */
#include "base/error.h"
#include "base/limits.h"
#include "base/utf.h"
#include "wit/internal.h"
#include <stdio.h>
#include <string.h>

/* ---- reading JSON ---- */

#define JSON_MAX_DEPTH 64u

typedef struct jr {
  wit_arena_t *a;
  const char *p, *start, *end;
  const char *why;
  unsigned depth;
} jr_t;

static void *jfail(jr_t *r, const char *why) {
  if (!r->why) r->why = why;
  return NULL;
}

static void jws(jr_t *r) {
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static int hex4(const char *p) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  return v;
}

/* A string literal (r->p at the opening quote); the decoded text in the arena. */
static char *jstring(jr_t *r) {
  r->p++;
  const char *q = r->p;
  size_t n = 0;
  while (q < r->end && *q != '"') { /* upper bound of the decoded length */
    if (*q == '\\') q++;
    q++;
    n++;
  }
  if (q >= r->end) return jfail(r, "unterminated string");
  char *out = wit_alloc(r->a, n * 4 + 1);
  if (!out) return jfail(r, "out of memory");
  size_t o = 0;
  while (*r->p != '"') {
    unsigned char c = (unsigned char)*r->p++;
    if (c < 0x20) return jfail(r, "control character in string");
    if (c != '\\') {
      out[o++] = (char)c;
      continue;
    }
    c = (unsigned char)*r->p++;
    switch (c) {
    case '"': out[o++] = '"'; break;
    case '\\': out[o++] = '\\'; break;
    case '/': out[o++] = '/'; break;
    case 'b': out[o++] = '\b'; break;
    case 'f': out[o++] = '\f'; break;
    case 'n': out[o++] = '\n'; break;
    case 'r': out[o++] = '\r'; break;
    case 't': out[o++] = '\t'; break;
    case 'u': {
      if (r->end - r->p < 4) return jfail(r, "bad \\u escape");
      int cp = hex4(r->p);
      if (cp < 0) return jfail(r, "bad \\u escape");
      r->p += 4;
      uint32_t v = (uint32_t)cp;
      if (v >= 0xd800 && v < 0xdc00) {
        if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u') return jfail(r, "unpaired surrogate");
        int lo = hex4(r->p + 2);
        if (lo < 0xdc00 || lo >= 0xe000) return jfail(r, "unpaired surrogate");
        r->p += 6;
        v = 0x10000 + ((v - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
      } else if (v >= 0xdc00 && v < 0xe000) {
        return jfail(r, "unpaired surrogate");
      }
      if (v == 0) return jfail(r, "NUL character in string");
      o += base_utf8_encode(v, (uint8_t *)out + o);
      break;
    }
    default: return jfail(r, "bad escape in string");
    }
  }
  r->p++;
  out[o] = 0;
  if (!base_utf8_valid((const uint8_t *)out, o)) return jfail(r, "string is not valid UTF-8");
  return out;
}

static wit_json_t *jvalue(jr_t *r);

static wit_json_t *jnew(jr_t *r, wit_json_kind_t k) {
  wit_json_t *v = wit_zalloc(r->a, sizeof *v);
  if (!v) return jfail(r, "out of memory");
  v->kind = k;
  return v;
}

static bool jword(jr_t *r, const char *w) {
  size_t n = strlen(w);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n)) return false;
  r->p += n;
  return true;
}

/* Members of an array or object (r->p just after the opening bracket). */
static wit_json_t *jcompound(jr_t *r, bool obj) {
  wit_json_t *v = jnew(r, obj ? WIT_J_OBJ : WIT_J_ARR);
  if (!v) return NULL;
  if (++r->depth > JSON_MAX_DEPTH) return jfail(r, "nested too deeply");
  struct { wit_json_t **data; size_t len, cap; } items = {0};
  struct { const char **data; size_t len, cap; } keys = {0};
  char close = obj ? '}' : ']';
  jws(r);
  if (r->p < r->end && *r->p == close) {
    r->p++;
    r->depth--;
    return v;
  }
  for (;;) {
    jws(r);
    if (obj) {
      if (r->p >= r->end || *r->p != '"') return jfail(r, "expected a string key");
      const char *k = jstring(r);
      if (!k) return NULL;
      jws(r);
      if (r->p >= r->end || *r->p != ':') return jfail(r, "expected ':'");
      r->p++;
      if (!AVEC_PUSH(r->a, &keys, k)) return jfail(r, "out of memory");
    }
    wit_json_t *item = jvalue(r);
    if (!item) return NULL;
    if (!AVEC_PUSH(r->a, &items, item)) return jfail(r, "out of memory");
    jws(r);
    if (r->p < r->end && *r->p == ',') {
      r->p++;
      continue;
    }
    if (r->p < r->end && *r->p == close) {
      r->p++;
      break;
    }
    return jfail(r, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  v->n = items.len;
  v->items = items.data;
  v->keys = keys.data;
  r->depth--;
  return v;
}

static wit_json_t *jvalue(jr_t *r) {
  jws(r);
  if (r->p >= r->end) return jfail(r, "unexpected end of JSON");
  char c = *r->p;
  if (c == '{' || c == '[') {
    r->p++;
    return jcompound(r, c == '{');
  }
  if (c == '"') {
    wit_json_t *v = jnew(r, WIT_J_STR);
    if (v && !(v->s = jstring(r))) return NULL;
    return v;
  }
  if (jword(r, "null")) return jnew(r, WIT_J_NULL);
  if (jword(r, "true") || jword(r, "false")) {
    wit_json_t *v = jnew(r, WIT_J_BOOL);
    if (v) v->b = r->p[-1] == 'e' && r->p[-2] == 'u';
    return v;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const char *s = r->p;
    while (r->p < r->end && (strchr("+-.eE", *r->p) || (*r->p >= '0' && *r->p <= '9'))) r->p++;
    wit_json_t *v = jnew(r, WIT_J_NUM);
    if (v && !(v->s = wit_strndup(r->a, s, (size_t)(r->p - s)))) return jfail(r, "out of memory");
    return v;
  }
  return jfail(r, "unexpected character");
}

wit_json_t *wit_json_parse(wit_arena_t *a, const char *text, size_t len, const char **why, size_t *at) {
  jr_t r = {a, text, text, text + len, NULL, 0};
  wit_json_t *v = jvalue(&r);
  if (v) {
    jws(&r);
    if (r.p != r.end) v = jfail(&r, "trailing characters after JSON");
  }
  if (!v) {
    *why = r.why ? r.why : "malformed JSON";
    *at = (size_t)(r.p - r.start);
  }
  return v;
}

const wit_json_t *wit_json_get(const wit_json_t *obj, const char *key) {
  if (!obj || obj->kind != WIT_J_OBJ) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (!strcmp(obj->keys[i], key)) return obj->items[i];
  return NULL;
}

/* ---- writing the section ---- */

typedef struct mw {
  const weld_wit_t *wit;
  base_buf_t *b;
  bool first;
} mw_t;

static void jstr(base_buf_t *b, const char *s) {
  base_buf_byte(b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    switch (*p) {
    case '"': base_buf_bytes(b, "\\\"", 2); break;
    case '\\': base_buf_bytes(b, "\\\\", 2); break;
    case '\n': base_buf_bytes(b, "\\n", 2); break;
    case '\r': base_buf_bytes(b, "\\r", 2); break;
    case '\t': base_buf_bytes(b, "\\t", 2); break;
    default:
      if (*p < 0x20) base_buf_printf(b, "\\u%04x", *p);
      else base_buf_byte(b, *p);
    }
  }
  base_buf_byte(b, '"');
}

/* Opens member `key` of the current object (a comma unless it is the first). */
static void key(mw_t *w, const char *k) {
  if (!w->first) base_buf_byte(w->b, ',');
  w->first = false;
  jstr(w->b, k);
  base_buf_byte(w->b, ':');
}

static void open_obj(mw_t *w) {
  base_buf_byte(w->b, '{');
  w->first = true;
}

static void close_obj(mw_t *w) {
  base_buf_byte(w->b, '}');
  w->first = false;
}

static bool stab_known(const weld_wit_stability_t *s) { return s->kind != WELD_WIT_STABILITY_UNKNOWN; }

static void stability_value(mw_t *w, const weld_wit_stability_t *s) {
  bool stable = s->kind == WELD_WIT_STABILITY_STABLE;
  open_obj(w);
  key(w, stable ? "stable" : "unstable");
  open_obj(w);
  key(w, stable ? "since" : "feature");
  jstr(w->b, stable ? s->since : s->feature);
  if (s->deprecated) {
    key(w, "deprecated");
    jstr(w->b, s->deprecated);
  }
  close_obj(w);
  close_obj(w);
}

static void docs_stab(mw_t *w, const char *docs, const weld_wit_stability_t *s) {
  if (docs) {
    key(w, "docs");
    jstr(w->b, docs);
  }
  if (s && stab_known(s)) {
    key(w, "stability");
    stability_value(w, s);
  }
}

static bool func_empty(const weld_wit_func_t *f) { return !f->docs && !stab_known(&f->stability); }

static void func_meta(mw_t *w, const weld_wit_func_t *f) {
  open_obj(w);
  docs_stab(w, f->docs, &f->stability);
  close_obj(w);
}

static bool type_has_items(const weld_wit_typedef_t *td) {
  switch (td->kind) {
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_FLAGS:
  case WELD_WIT_KIND_VARIANT:
  case WELD_WIT_KIND_ENUM:
    for (size_t i = 0; i < td->cases.len; i++)
      if (td->cases.data[i].docs) return true;
    return false;
  default: return false;
  }
}

static bool type_empty(const weld_wit_typedef_t *td) {
  return !td->docs && !stab_known(&td->stability) && !type_has_items(td);
}

static void type_meta(mw_t *w, const weld_wit_typedef_t *td) {
  open_obj(w);
  docs_stab(w, td->docs, &td->stability);
  if (type_has_items(td)) {
    key(w, "items");
    open_obj(w);
    for (size_t i = 0; i < td->cases.len; i++)
      if (td->cases.data[i].docs) {
        key(w, td->cases.data[i].name);
        jstr(w->b, td->cases.data[i].docs);
      }
    close_obj(w);
  }
  close_obj(w);
}

static bool iface_empty(const weld_wit_t *wit, const weld_wit_interface_t *in) {
  if (in->docs || stab_known(&in->stability)) return false;
  for (size_t i = 0; i < in->funcs.len; i++)
    if (!func_empty(&in->funcs.data[i])) return false;
  for (size_t i = 0; i < in->types.len; i++)
    if (!type_empty(&wit->types.data[in->types.data[i].id])) return false;
  return true;
}

static void iface_meta(mw_t *w, const weld_wit_interface_t *in) {
  const weld_wit_t *wit = w->wit;
  open_obj(w);
  docs_stab(w, in->docs, &in->stability);
  bool any = false;
  for (size_t i = 0; i < in->funcs.len && !any; i++) any = !func_empty(&in->funcs.data[i]);
  if (any) {
    key(w, "funcs");
    open_obj(w);
    for (size_t i = 0; i < in->funcs.len; i++) {
      if (func_empty(&in->funcs.data[i])) continue;
      key(w, in->funcs.data[i].name);
      func_meta(w, &in->funcs.data[i]);
    }
    close_obj(w);
  }
  any = false;
  for (size_t i = 0; i < in->types.len && !any; i++) any = !type_empty(&wit->types.data[in->types.data[i].id]);
  if (any) {
    key(w, "types");
    open_obj(w);
    for (size_t i = 0; i < in->types.len; i++) {
      const weld_wit_typedef_t *td = &wit->types.data[in->types.data[i].id];
      if (type_empty(td)) continue;
      key(w, in->types.data[i].name);
      type_meta(w, td);
    }
    close_obj(w);
  }
  close_obj(w);
}

/* The members of a world's metadata, in the order wasm-tools writes them. */
enum { WM_IFACES, WM_TYPES, WM_FUNCS, WM_IFACE_EXPORTS, WM_FUNC_EXPORTS, WM_IMPORT_STAB, WM_EXPORT_STAB, WM_COUNT };
static const char *const wm_names[WM_COUNT] = {
    "interfaces", "types", "funcs", "interface_exports", "func_exports", "interface_import_stability",
    "interface_export_stability",
};

/* Which member of the world metadata an item goes to (-1: none). */
static int world_item_class(const weld_wit_t *wit, const weld_wit_world_item_t *it, int dir) {
  switch (it->kind) {
  case WELD_WIT_ITEM_INTERFACE:
    if (!it->name || wit->interfaces.data[it->id].name)
      return stab_known(&it->stability) ? (dir ? WM_EXPORT_STAB : WM_IMPORT_STAB) : -1;
    return iface_empty(wit, &wit->interfaces.data[it->id]) ? -1 : dir ? WM_IFACE_EXPORTS : WM_IFACES;
  case WELD_WIT_ITEM_TYPE: return type_empty(&wit->types.data[it->id]) ? -1 : WM_TYPES;
  default: return func_empty(&it->func) ? -1 : dir ? WM_FUNC_EXPORTS : WM_FUNCS;
  }
}

static void world_meta(mw_t *w, const weld_wit_world_t *wd) {
  const weld_wit_t *wit = w->wit;
  open_obj(w);
  docs_stab(w, wd->docs, &wd->stability);
  for (int cls = 0; cls < WM_COUNT; cls++) {
    bool opened = false;
    for (int dir = 0; dir < 2; dir++) {
      size_t n = dir ? wd->exports.len : wd->imports.len;
      for (size_t i = 0; i < n; i++) {
        const weld_wit_world_item_t *it = dir ? &wd->exports.data[i] : &wd->imports.data[i];
        if (world_item_class(wit, it, dir) != cls) continue;
        if (!opened) {
          key(w, wm_names[cls]);
          open_obj(w);
          opened = true;
        }
        if (cls == WM_IMPORT_STAB || cls == WM_EXPORT_STAB) {
          char *name = it->name ? NULL : weld_wit_interface_id(wit, it->key_interface);
          key(w, it->name ? it->name : name ? name : "?");
          weld_wit_free_string(name);
          stability_value(w, &it->stability);
        } else if (it->kind == WELD_WIT_ITEM_INTERFACE) {
          key(w, it->name);
          iface_meta(w, &wit->interfaces.data[it->id]);
        } else if (it->kind == WELD_WIT_ITEM_TYPE) {
          key(w, it->name);
          type_meta(w, &wit->types.data[it->id]);
        } else {
          key(w, it->name);
          func_meta(w, &it->func);
        }
      }
    }
    if (opened) close_obj(w);
  }
  close_obj(w);
}

static bool world_empty(const weld_wit_t *wit, const weld_wit_world_t *wd) {
  if (wd->docs || stab_known(&wd->stability)) return false;
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? wd->exports.len : wd->imports.len;
    for (size_t i = 0; i < n; i++)
      if (world_item_class(wit, dir ? &wd->exports.data[i] : &wd->imports.data[i], dir) >= 0) return false;
  }
  return true;
}

bool wit_meta_encode(const weld_wit_t *wit, uint32_t pkg, base_buf_t *out) {
  const weld_wit_package_t *p = &wit->packages.data[pkg];
  mw_t w = {wit, out, true};
  base_buf_byte(out, 1); /* format version */
  open_obj(&w);
  if (!p->interfaces.len && !p->worlds.len) {
    /* An empty package has no component type to carry its name: newer wasm-tools name
     * the package here (decode.c reads it); older ones, which reject the field, cannot
     * decode an empty package anyway. */
    key(&w, "package");
    jstr(out, p->full_name);
  }
  if (p->docs) {
    key(&w, "docs");
    jstr(out, p->docs);
  }
  bool any = false;
  for (size_t i = 0; i < p->worlds.len && !any; i++) any = !world_empty(wit, &wit->worlds.data[p->worlds.data[i].id]);
  if (any) {
    key(&w, "worlds");
    open_obj(&w);
    for (size_t i = 0; i < p->worlds.len; i++) {
      const weld_wit_world_t *wd = &wit->worlds.data[p->worlds.data[i].id];
      if (world_empty(wit, wd)) continue;
      key(&w, p->worlds.data[i].name);
      world_meta(&w, wd);
    }
    close_obj(&w);
  }
  any = false;
  for (size_t i = 0; i < p->interfaces.len && !any; i++)
    any = !iface_empty(wit, &wit->interfaces.data[p->interfaces.data[i].id]);
  if (any) {
    key(&w, "interfaces");
    open_obj(&w);
    for (size_t i = 0; i < p->interfaces.len; i++) {
      const weld_wit_interface_t *in = &wit->interfaces.data[p->interfaces.data[i].id];
      if (iface_empty(wit, in)) continue;
      key(&w, p->interfaces.data[i].name);
      iface_meta(&w, in);
    }
    close_obj(&w);
  }
  close_obj(&w);
  return !out->oom;
}
