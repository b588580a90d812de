/* json.c — the resolved WIT set as JSON, in the shape wasm-tools' wit-parser serializes a
 * `Resolve` (`worlds`, `interfaces`, `types`, `packages`; items refer to each other by
 * index; optional fields such as `docs` and `stability` are omitted when empty). */
#include "base/alloc.h"
#include "base/vec.h"
#include "wit/internal.h"
#include <stdio.h>
#include <string.h>

typedef struct jw {
  base_buf_t b;
  int indent;
  bool first; /* no comma needed before the next member */
} jw_t;

static void nl(jw_t *w) {
  static const char spaces[] = "\n                                                                ";
  int n = 2 * w->indent;
  if (n > 64) n = 64;
  base_buf_bytes(&w->b, spaces, (size_t)n + 1);
}

static void str(jw_t *w, const char *s) {
  base_buf_byte(&w->b, '"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    const unsigned char *q = p;
    while (*q >= 0x20 && *q != '"' && *q != '\\') q++;
    if (q != p) {
      base_buf_bytes(&w->b, p, (size_t)(q - p));
      p = q;
      if (!*p) break;
    }
    switch (*p) {
    case '"': base_buf_bytes(&w->b, "\\\"", 2); break;
    case '\\': base_buf_bytes(&w->b, "\\\\", 2); break;
    case '\n': base_buf_bytes(&w->b, "\\n", 2); break;
    case '\r': base_buf_bytes(&w->b, "\\r", 2); break;
    case '\t': base_buf_bytes(&w->b, "\\t", 2); break;
    default:
      if (*p < 0x20) base_buf_printf(&w->b, "\\u%04x", *p);
      else base_buf_byte(&w->b, *p);
    }
  }
  base_buf_byte(&w->b, '"');
}

static void j_open(jw_t *w, char c) {
  base_buf_byte(&w->b, (uint8_t)c);
  w->indent++;
  w->first = true;
}

static void j_close(jw_t *w, char c, bool empty) {
  w->indent--;
  if (!empty) nl(w);
  base_buf_byte(&w->b, (uint8_t)c);
  w->first = false;
}

/* Starts a member (object key or array element). */
static void member(jw_t *w, const char *key) {
  if (!w->first) base_buf_byte(&w->b, ',');
  w->first = false;
  nl(w);
  if (key) {
    str(w, key);
    base_buf_bytes(&w->b, ": ", 2);
  }
}

static void num(jw_t *w, uint32_t v) {
  char buf[12];
  int i = 12;
  do buf[--i] = (char)('0' + v % 10);
  while ((v /= 10));
  base_buf_bytes(&w->b, buf + i, (size_t)(12 - i));
}
static void null(jw_t *w) { base_buf_bytes(&w->b, "null", 4); }

static void opt_id(jw_t *w, uint32_t v) {
  if (v == WELD_WIT_NONE) null(w);
  else num(w, v);
}

static const char *prim_name(uint32_t tag) {
  static const char *names[] = {"",    "bool", "u8",  "u16", "u32",  "u64",    "s8",           "s16",
                                "s32", "s64",  "f32", "f64", "char", "string", "error-context"};
  return tag < sizeof names / sizeof names[0] ? names[tag] : "?";
}

static void type(jw_t *w, weld_wit_type_t t) {
  if (t.tag == WELD_WIT_T_NONE) null(w);
  else if (t.tag == WELD_WIT_T_ID) num(w, t.id);
  else str(w, prim_name(t.tag));
}

static void docs(jw_t *w, const char *d) {
  if (!d) return;
  member(w, "docs");
  j_open(w, '{');
  member(w, "contents");
  str(w, d);
  j_close(w, '}', false);
}

static void stability(jw_t *w, const weld_wit_stability_t *s) {
  if (s->kind == WELD_WIT_STABILITY_UNKNOWN) return;
  member(w, "stability");
  j_open(w, '{');
  bool stable = s->kind == WELD_WIT_STABILITY_STABLE;
  member(w, stable ? "stable" : "unstable");
  j_open(w, '{');
  member(w, stable ? "since" : "feature");
  str(w, stable ? s->since : s->feature);
  if (s->deprecated) {
    member(w, "deprecated");
    str(w, s->deprecated);
  }
  j_close(w, '}', false);
  j_close(w, '}', false);
}

static void func(jw_t *w, const weld_wit_func_t *f) {
  j_open(w, '{');
  member(w, "name");
  str(w, f->name);
  member(w, "kind");
  static const char *kinds[] = {"freestanding", "async-freestanding", "method", "async-method",
                                "static",       "async-static",       "constructor"};
  if (f->kind <= WELD_WIT_FUNC_ASYNC_FREESTANDING) {
    str(w, kinds[f->kind]);
  } else {
    j_open(w, '{');
    member(w, kinds[f->kind < 7 ? f->kind : 0]);
    num(w, f->resource);
    j_close(w, '}', false);
  }
  member(w, "params");
  j_open(w, '[');
  for (size_t i = 0; i < f->params.len; i++) {
    member(w, NULL);
    j_open(w, '{');
    member(w, "name");
    str(w, f->params.data[i].name);
    member(w, "type");
    type(w, f->params.data[i].type);
    j_close(w, '}', false);
  }
  j_close(w, ']', f->params.len == 0);
  if (f->result.tag != WELD_WIT_T_NONE) {
    member(w, "result");
    type(w, f->result);
  }
  docs(w, f->docs);
  stability(w, &f->stability);
  j_close(w, '}', false);
}

static void world_items(jw_t *w, const weld_wit_t *wit, const weld_wit_world_item_t *items, size_t n) {
  j_open(w, '{');
  char key[32];
  for (size_t i = 0; i < n; i++) {
    const weld_wit_world_item_t *it = &items[i];
    const char *k = it->name;
    if (!k) {
      snprintf(key, sizeof key, "interface-%u", it->key_interface);
      k = key;
    }
    member(w, k);
    j_open(w, '{');
    switch (it->kind) {
    case WELD_WIT_ITEM_INTERFACE:
      member(w, "interface");
      j_open(w, '{');
      member(w, "id");
      num(w, it->id);
      stability(w, &it->stability);
      j_close(w, '}', false);
      break;
    case WELD_WIT_ITEM_FUNC:
      member(w, "function");
      func(w, &it->func);
      break;
    default:
      member(w, "type");
      num(w, it->id);
      break;
    }
    j_close(w, '}', false);
  }
  (void)wit;
  j_close(w, '}', n == 0);
}

static void named_map(jw_t *w, const weld_wit_named_t *v, size_t n) {
  j_open(w, '{');
  for (size_t i = 0; i < n; i++) {
    member(w, v[i].name);
    num(w, v[i].id);
  }
  j_close(w, '}', n == 0);
}

static void cases(jw_t *w, const char *kind, const char *field, const weld_wit_typedef_t *td, bool with_type) {
  j_open(w, '{');
  member(w, kind);
  j_open(w, '{');
  member(w, field);
  j_open(w, '[');
  for (size_t i = 0; i < td->cases.len; i++) {
    const weld_wit_case_t *c = &td->cases.data[i];
    member(w, NULL);
    j_open(w, '{');
    member(w, "name");
    str(w, c->name);
    if (with_type) {
      member(w, "type");
      type(w, c->type);
    }
    docs(w, c->docs);
    j_close(w, '}', false);
  }
  j_close(w, ']', td->cases.len == 0);
  j_close(w, '}', false);
  j_close(w, '}', false);
}

static void kind1(jw_t *w, const char *k, weld_wit_type_t t) {
  j_open(w, '{');
  member(w, k);
  type(w, t);
  j_close(w, '}', false);
}

static void typedef_kind(jw_t *w, const weld_wit_typedef_t *td) {
  switch (td->kind) {
  case WELD_WIT_KIND_ALIAS: kind1(w, "type", td->a); break;
  case WELD_WIT_KIND_RESOURCE: str(w, "resource"); break;
  case WELD_WIT_KIND_OWN:
  case WELD_WIT_KIND_BORROW:
    j_open(w, '{');
    member(w, "handle");
    kind1(w, td->kind == WELD_WIT_KIND_OWN ? "own" : "borrow", td->a);
    j_close(w, '}', false);
    break;
  case WELD_WIT_KIND_RECORD: cases(w, "record", "fields", td, true); break;
  case WELD_WIT_KIND_VARIANT: cases(w, "variant", "cases", td, true); break;
  case WELD_WIT_KIND_FLAGS: cases(w, "flags", "flags", td, false); break;
  case WELD_WIT_KIND_ENUM: cases(w, "enum", "cases", td, false); break;
  case WELD_WIT_KIND_TUPLE:
    j_open(w, '{');
    member(w, "tuple");
    j_open(w, '{');
    member(w, "types");
    j_open(w, '[');
    for (size_t i = 0; i < td->cases.len; i++) {
      member(w, NULL);
      type(w, td->cases.data[i].type);
    }
    j_close(w, ']', td->cases.len == 0);
    j_close(w, '}', false);
    j_close(w, '}', false);
    break;
  case WELD_WIT_KIND_OPTION: kind1(w, "option", td->a); break;
  case WELD_WIT_KIND_LIST: kind1(w, "list", td->a); break;
  case WELD_WIT_KIND_FUTURE: kind1(w, "future", td->a); break;
  case WELD_WIT_KIND_STREAM: kind1(w, "stream", td->a); break;
  case WELD_WIT_KIND_RESULT:
    j_open(w, '{');
    member(w, "result");
    j_open(w, '{');
    member(w, "ok");
    type(w, td->a);
    member(w, "err");
    type(w, td->b);
    j_close(w, '}', false);
    j_close(w, '}', false);
    break;
  case WELD_WIT_KIND_MAP:
  case WELD_WIT_KIND_FIXED_LIST:
    j_open(w, '{');
    member(w, td->kind == WELD_WIT_KIND_MAP ? "map" : "fixed-length-list");
    j_open(w, '[');
    member(w, NULL);
    type(w, td->a);
    member(w, NULL);
    if (td->kind == WELD_WIT_KIND_MAP) type(w, td->b);
    else num(w, td->size);
    j_close(w, ']', false);
    j_close(w, '}', false);
    break;
  default: str(w, "unknown"); break;
  }
}

char *weld_wit_to_json(const weld_wit_t *wit) {
  if (!wit) return NULL;
  jw_t w;
  memset(&w, 0, sizeof w);
  j_open(&w, '{');

  member(&w, "worlds");
  j_open(&w, '[');
  for (size_t i = 0; i < wit->worlds.len; i++) {
    const weld_wit_world_t *wd = &wit->worlds.data[i];
    member(&w, NULL);
    j_open(&w, '{');
    member(&w, "name");
    str(&w, wd->name);
    member(&w, "imports");
    world_items(&w, wit, wd->imports.data, wd->imports.len);
    member(&w, "exports");
    world_items(&w, wit, wd->exports.data, wd->exports.len);
    member(&w, "package");
    opt_id(&w, wd->package);
    docs(&w, wd->docs);
    stability(&w, &wd->stability);
    j_close(&w, '}', false);
  }
  j_close(&w, ']', wit->worlds.len == 0);

  member(&w, "interfaces");
  j_open(&w, '[');
  for (size_t i = 0; i < wit->interfaces.len; i++) {
    const weld_wit_interface_t *in = &wit->interfaces.data[i];
    member(&w, NULL);
    j_open(&w, '{');
    member(&w, "name");
    if (in->name) str(&w, in->name);
    else null(&w);
    member(&w, "types");
    named_map(&w, in->types.data, in->types.len);
    member(&w, "functions");
    j_open(&w, '{');
    for (size_t k = 0; k < in->funcs.len; k++) {
      member(&w, in->funcs.data[k].name);
      func(&w, &in->funcs.data[k]);
    }
    j_close(&w, '}', in->funcs.len == 0);
    docs(&w, in->docs);
    stability(&w, &in->stability);
    member(&w, "package");
    opt_id(&w, in->package);
    j_close(&w, '}', false);
  }
  j_close(&w, ']', wit->interfaces.len == 0);

  member(&w, "types");
  j_open(&w, '[');
  for (size_t i = 0; i < wit->types.len; i++) {
    const weld_wit_typedef_t *td = &wit->types.data[i];
    member(&w, NULL);
    j_open(&w, '{');
    member(&w, "name");
    if (td->name) str(&w, td->name);
    else null(&w);
    member(&w, "kind");
    typedef_kind(&w, td);
    member(&w, "owner");
    if (td->owner_kind == WELD_WIT_OWNER_NONE) {
      null(&w);
    } else {
      j_open(&w, '{');
      member(&w, td->owner_kind == WELD_WIT_OWNER_WORLD ? "world" : "interface");
      num(&w, td->owner);
      j_close(&w, '}', false);
    }
    docs(&w, td->docs);
    stability(&w, &td->stability);
    j_close(&w, '}', false);
  }
  j_close(&w, ']', wit->types.len == 0);

  member(&w, "packages");
  j_open(&w, '[');
  for (size_t i = 0; i < wit->packages.len; i++) {
    const weld_wit_package_t *p = &wit->packages.data[i];
    member(&w, NULL);
    j_open(&w, '{');
    member(&w, "name");
    str(&w, p->full_name);
    docs(&w, p->docs);
    member(&w, "interfaces");
    named_map(&w, p->interfaces.data, p->interfaces.len);
    member(&w, "worlds");
    named_map(&w, p->worlds.data, p->worlds.len);
    j_close(&w, '}', false);
  }
  j_close(&w, ']', wit->packages.len == 0);
  j_close(&w, '}', false);
  base_buf_byte(&w.b, '\n');
  return base_buf_take_str(&w.b);
}
