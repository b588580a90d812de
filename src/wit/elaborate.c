/* elaborate.c — completing a world (WIT.md "Item: world", "Union of Worlds with
 * `include`"): `include` copies another world's imports and exports (renaming with
 * `with { a as b }`, cloning world-local types so they belong to the including world),
 * then elaboration adds every interface that imported/exported items depend on through
 * `use` and checks that no export depends on something that is both imported and exported.
 * Orders follow wasm-tools (`process_world_includes`, `elaborate_world`) so indexes agree.
 * All graph walks use explicit stacks: no input can exhaust the C stack. */
#include "base/error.h"
#include "base/limits.h"
#include "wit/internal.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* ---- ordered item maps (IndexMap<WorldKey, WorldItem>) ---- */

typedef struct itemmap {
  struct { weld_wit_world_item_t *data; size_t len, cap; } v;
  wit_map_t idx;
} itemmap_t;

static const void *item_key(wit_arena_t *a, const char *name, uint32_t iface, size_t *len) {
  if (name) {
    size_t n = strlen(name);
    char *k = wit_alloc(a, n + 2);
    if (!k) return NULL;
    k[0] = 'N';
    memcpy(k + 1, name, n + 1);
    *len = n + 1;
    return k;
  }
  char *k = wit_alloc(a, 5);
  if (!k) return NULL;
  k[0] = 'I';
  memcpy(k + 1, &iface, 4);
  *len = 5;
  return k;
}

static uint32_t im_find(wit_arena_t *a, const itemmap_t *m, const char *name, uint32_t iface) {
  char buf[256];
  if (!name) {
    buf[0] = 'I';
    memcpy(buf + 1, &iface, 4);
    return wit_map_get(&m->idx, buf, 5);
  }
  size_t n = strlen(name);
  if (n + 1 < sizeof buf) {
    buf[0] = 'N';
    memcpy(buf + 1, name, n);
    return wit_map_get(&m->idx, buf, n + 1);
  }
  size_t len;
  const void *k = item_key(a, name, iface, &len);
  return k ? wit_map_get(&m->idx, k, len) : WIT_MAP_MISSING;
}

/* Insert or replace in place; returns the previous index or WIT_MAP_MISSING. */
static uint32_t im_insert(wit_arena_t *a, itemmap_t *m, const weld_wit_world_item_t *it, bool *ok) {
  size_t len;
  const void *k = item_key(a, it->name, it->key_interface, &len);
  *ok = false;
  if (!k) return WIT_MAP_MISSING;
  uint32_t prev = wit_map_put(a, &m->idx, k, len, (uint32_t)m->v.len);
  if (a->oom) return WIT_MAP_MISSING;
  if (prev != WIT_MAP_MISSING) {
    m->v.data[prev] = *it;
    *ok = true;
    return prev;
  }
  *ok = AVEC_PUSH(a, &m->v, *it);
  return WIT_MAP_MISSING;
}

static bool im_from(wit_arena_t *a, itemmap_t *m, const weld_wit_world_item_t *items, size_t n) {
  memset(m, 0, sizeof *m);
  for (size_t i = 0; i < n; i++) {
    bool ok;
    im_insert(a, m, &items[i], &ok);
    if (!ok) return false;
  }
  return true;
}

/* ---- small queries ---- */

uint32_t wit_type_interface_dep(const weld_wit_t *wit, uint32_t type) {
  const weld_wit_typedef_t *td = &wit->types.data[type];
  if (td->kind != WELD_WIT_KIND_ALIAS || td->a.tag != WELD_WIT_T_ID) return WELD_WIT_NONE;
  const weld_wit_typedef_t *o = &wit->types.data[td->a.id];
  if (o->owner_kind == td->owner_kind && o->owner == td->owner) return WELD_WIT_NONE;
  return o->owner_kind == WELD_WIT_OWNER_INTERFACE ? o->owner : WELD_WIT_NONE;
}

const char *wit_world_key_name(weld_wit_t *wit, const weld_wit_world_item_t *it) {
  if (it->name) return it->name;
  const weld_wit_interface_t *i = &wit->interfaces.data[it->key_interface];
  if (!i->name || i->package == WELD_WIT_NONE) return "<unnamed>";
  const weld_wit_package_t *p = &wit->packages.data[i->package];
  return p->version ? wit_sprintf(&wit->arena, "%s:%s/%s@%s", p->namespace_, p->name, i->name, p->version)
                    : wit_sprintf(&wit->arena, "%s:%s/%s", p->namespace_, p->name, i->name);
}

static int sort_key(const weld_wit_t *wit, const weld_wit_world_item_t *it) {
  switch (it->kind) {
  case WELD_WIT_ITEM_INTERFACE: return 0;
  case WELD_WIT_ITEM_TYPE: {
    const weld_wit_typedef_t *td = &wit->types.data[it->id];
    if (td->kind == WELD_WIT_KIND_ALIAS && td->a.tag == WELD_WIT_T_ID) {
      const weld_wit_typedef_t *o = &wit->types.data[td->a.id];
      if (o->owner_kind != td->owner_kind || o->owner != td->owner) return 1;
    }
    return 2;
  }
  default:
    return it->func.kind == WELD_WIT_FUNC_FREESTANDING || it->func.kind == WELD_WIT_FUNC_ASYNC_FREESTANDING ? 3 : 4;
  }
}

/* Stable sort of an item list by sort_key (counting sort over 5 classes). */
static bool sort_items(weld_wit_t *wit, weld_wit_world_item_t *items, size_t n) {
  weld_wit_world_item_t *tmp = wit_alloc(&wit->scratch, (n + 1) * sizeof *tmp);
  if (!tmp) return false;
  size_t o = 0;
  for (int k = 0; k < 5; k++)
    for (size_t i = 0; i < n; i++)
      if (sort_key(wit, &items[i]) == k) tmp[o++] = items[i];
  wit_copy(items, tmp, n * sizeof *items);
  return true;
}

/* ---- cloning world-local items into another world ---- */

typedef struct cloner {
  weld_wit_t *wit;
  uint32_t prev_kind, prev, new_kind, new_;
  uint32_t pkg;
  wit_map_t types; /* old type id -> clone */
} cloner_t;

static bool same_owner(const weld_wit_typedef_t *td, uint32_t kind, uint32_t id) {
  return td->owner_kind == kind && (kind == WELD_WIT_OWNER_NONE || td->owner == id);
}

/* The references of a typedef that the cloner follows (in wasm-tools' order). */
static size_t clone_children(const cloner_t *c, const weld_wit_typedef_t *td, uint32_t *out, size_t cap) {
  size_t n = 0;
#define ADD(t) \
  do { \
    if ((t).tag == WELD_WIT_T_ID && n < cap) out[n++] = (t).id; \
  } while (0)
  switch (td->kind) {
  case WELD_WIT_KIND_ALIAS:
    if (td->a.tag == WELD_WIT_T_ID && same_owner(&c->wit->types.data[td->a.id], c->prev_kind, c->prev)) ADD(td->a);
    break;
  case WELD_WIT_KIND_RESOURCE:
  case WELD_WIT_KIND_FLAGS:
  case WELD_WIT_KIND_ENUM:
  case WELD_WIT_KIND_UNKNOWN: break;
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_TUPLE:
  case WELD_WIT_KIND_VARIANT:
    for (size_t i = 0; i < td->cases.len; i++) ADD(td->cases.data[i].type);
    break;
  default:
    ADD(td->a);
    ADD(td->b);
    break;
  }
#undef ADD
  return n;
}

static bool clone_type(cloner_t *c, uint32_t *tid) {
  weld_wit_t *wit = c->wit;
  wit_arena_t *a = &wit->arena, *s = &wit->scratch;
  uint32_t got = wit_map_get(&c->types, tid, 4);
  if (got != WIT_MAP_MISSING) {
    *tid = got;
    return true;
  }
  /* iterative post-order walk: children are cloned (and allocated) before parents */
  struct { uint32_t *data; size_t len, cap; } stack = {0};
  if (!AVEC_PUSH(s, &stack, *tid)) return false;
  while (stack.len) {
    uint32_t t = stack.data[stack.len - 1];
    if (wit_map_get(&c->types, &t, 4) != WIT_MAP_MISSING) {
      stack.len--;
      continue;
    }
    const weld_wit_typedef_t *td = &wit->types.data[t];
    size_t nch = td->cases.len + 2;
    uint32_t *ch = wit_alloc(s, nch * sizeof(uint32_t));
    if (!ch) return false;
    nch = clone_children(c, td, ch, nch);
    bool pushed = false;
    for (size_t i = 0; i < nch; i++) {
      if (wit_map_get(&c->types, &ch[i], 4) != WIT_MAP_MISSING) continue;
      if (stack.len > wit->types.len + 1) return false; /* cannot happen: references point backwards */
      if (!AVEC_PUSH(s, &stack, ch[i])) return false;
      pushed = true;
      break;
    }
    if (pushed) continue;
    weld_wit_typedef_t nt = *td;
    if (nt.owner_kind != WELD_WIT_OWNER_NONE && same_owner(&nt, c->prev_kind, c->prev)) {
      nt.owner_kind = c->new_kind;
      nt.owner = c->new_;
    }
#define MAP(tt) \
  do { \
    if ((tt).tag == WELD_WIT_T_ID) { \
      uint32_t m_ = wit_map_get(&c->types, &(tt).id, 4); \
      if (m_ != WIT_MAP_MISSING) (tt).id = m_; \
    } \
  } while (0)
    if (nt.kind == WELD_WIT_KIND_RECORD || nt.kind == WELD_WIT_KIND_TUPLE || nt.kind == WELD_WIT_KIND_VARIANT) {
      weld_wit_case_t *cs = wit_alloc(a, (nt.cases.len + 1) * sizeof *cs);
      if (!cs) return false;
      wit_copy(cs, nt.cases.data, nt.cases.len * sizeof *cs);
      for (size_t i = 0; i < nt.cases.len; i++) MAP(cs[i].type);
      nt.cases.data = cs;
      nt.cases.cap = nt.cases.len;
    } else if (nt.kind != WELD_WIT_KIND_ALIAS || (nt.a.tag == WELD_WIT_T_ID &&
                                                  same_owner(&wit->types.data[nt.a.id], c->prev_kind, c->prev))) {
      MAP(nt.a);
      MAP(nt.b);
    }
#undef MAP
    if (wit->types.len >= WELD_MAX_WIT_TYPES || !AVEC_PUSH(a, &wit->types, nt)) return false;
    uint32_t nid = (uint32_t)wit->types.len - 1;
    uint32_t *key = wit_alloc(s, 4);
    if (!key) return false;
    *key = t;
    wit_map_put(s, &c->types, key, 4, nid);
    stack.len--;
  }
  *tid = wit_map_get(&c->types, tid, 4);
  return !a->oom && !s->oom;
}

static bool clone_ty(cloner_t *c, weld_wit_type_t *t) { return t->tag != WELD_WIT_T_ID || clone_type(c, &t->id); }

static bool clone_func(cloner_t *c, weld_wit_func_t *f) {
  if (f->kind != WELD_WIT_FUNC_FREESTANDING && f->kind != WELD_WIT_FUNC_ASYNC_FREESTANDING &&
      !clone_type(c, &f->resource))
    return false;
  weld_wit_param_t *p = wit_alloc(&c->wit->arena, (f->params.len + 1) * sizeof *p);
  if (!p) return false;
  wit_copy(p, f->params.data, f->params.len * sizeof *p);
  f->params.data = p;
  f->params.cap = f->params.len;
  for (size_t i = 0; i < f->params.len; i++)
    if (!clone_ty(c, &p[i].type)) return false;
  return clone_ty(c, &f->result);
}

static bool clone_interface(cloner_t *c, uint32_t *id) {
  weld_wit_t *wit = c->wit;
  weld_wit_interface_t ni = wit->interfaces.data[*id];
  cloner_t sub;
  memset(&sub, 0, sizeof sub);
  sub.wit = wit;
  sub.prev_kind = WELD_WIT_OWNER_INTERFACE;
  sub.prev = *id;
  sub.new_kind = WELD_WIT_OWNER_INTERFACE;
  sub.new_ = (uint32_t)wit->interfaces.len;
  weld_wit_named_t *ts = wit_alloc(&wit->arena, (ni.types.len + 1) * sizeof *ts);
  weld_wit_func_t *fs = wit_alloc(&wit->arena, (ni.funcs.len + 1) * sizeof *fs);
  if (!ts || !fs) return false;
  wit_copy(ts, ni.types.data, ni.types.len * sizeof *ts);
  wit_copy(fs, ni.funcs.data, ni.funcs.len * sizeof *fs);
  ni.types.data = ts;
  ni.types.cap = ni.types.len;
  ni.funcs.data = fs;
  ni.funcs.cap = ni.funcs.len;
  for (size_t i = 0; i < ni.types.len; i++)
    if (!clone_type(&sub, &ts[i].id)) return false;
  for (size_t i = 0; i < ni.funcs.len; i++)
    if (!clone_func(&sub, &fs[i])) return false;
  ni.package = c->pkg;
  if (!AVEC_PUSH(&wit->arena, &wit->interfaces, ni)) return false;
  *id = (uint32_t)wit->interfaces.len - 1;
  return true;
}

static bool clone_world_item(cloner_t *c, weld_wit_world_item_t *it) {
  if (!it->name) return true; /* keyed by interface: shared, not copied */
  switch (it->kind) {
  case WELD_WIT_ITEM_TYPE: return clone_type(c, &it->id);
  case WELD_WIT_ITEM_FUNC: return clone_func(c, &it->func);
  default: return clone_interface(c, &it->id);
  }
}

/* ---- include ---- */

/* New name of `orig` under `with { name as as_ }`, or NULL. */
static const char *rename_item(wit_arena_t *a, const char *orig, const wit_ast_include_name_t *n) {
  if (!strcmp(orig, n->name.name)) return n->as.name;
  const char *rb = strchr(orig, ']');
  if (!rb) return NULL;
  size_t klen = (size_t)(rb - orig);
  const char *rest = rb + 1;
  const char *dot = strchr(rest, '.');
  if (dot && (size_t)(dot - rest) == strlen(n->name.name) && !memcmp(rest, n->name.name, (size_t)(dot - rest)))
    return wit_sprintf(a, "%.*s]%s.%s", (int)klen, orig, n->as.name, dot + 1);
  if (!strcmp(rest, n->name.name)) return wit_sprintf(a, "%.*s]%s", (int)klen, orig, n->as.name);
  return NULL;
}

static bool update_stability(weld_wit_stability_t *into, const weld_wit_stability_t *from) {
  if (wit_stability_eq(from, into) || wit_stability_is_unknown(from)) return true;
  if (wit_stability_is_unknown(into)) {
    *into = *from;
    return true;
  }
  return false;
}

static weld_error_t *resolve_include(weld_wit_t *wit, uint32_t id, uint32_t pkg, const wit_include_t *inc,
                                     const uint32_t *world_map, const wit_srcmap_t *sm, itemmap_t *dst) {
  wit_arena_t *a = &wit->arena;
  uint32_t from = world_map[inc->world];
  if (from == WELD_WIT_NONE)
    return wit_error_at(sm, inc->span,
                        "found a reference to a world which is excluded due to its feature not being activated");
  weld_wit_world_t src = wit->worlds.data[from];
  bool external = src.package != WELD_WIT_NONE && src.package != pkg;
  /* `with` names, by name -> first position (a name matches an item named exactly so,
   * or `[kind]name` / `[kind]name.method`) */
  wit_arena_t *sa = &wit->scratch;
  wit_map_t with = {0}, keys = {0};
  for (size_t k = 0; k < inc->names.len; k++) wit_map_puts(sa, &with, inc->names.data[k].name.name, (uint32_t)k);
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? src.exports.len : src.imports.len;
    const weld_wit_world_item_t *items = dir ? src.exports.data : src.imports.data;
    for (size_t i = 0; i < n; i++) {
      const char *nm = items[i].name;
      if (!nm) continue;
      wit_map_puts(sa, &keys, nm, 1);
      const char *rb = strchr(nm, ']');
      if (!rb) continue;
      const char *dot = strchr(rb + 1, '.');
      wit_map_put(sa, &keys, rb + 1, dot ? (size_t)(dot - rb - 1) : strlen(rb + 1), 1);
    }
  }
  if (sa->oom) return base_error_oom();
  for (size_t k = 0; k < inc->names.len; k++)
    if (wit_map_gets(&keys, inc->names.data[k].name.name) == WIT_MAP_MISSING)
      return wit_error_at(sm, inc->span, "no import or export kebab-name `%s`. Note that an ID does not support renaming",
                          inc->names.data[k].name.name);
  cloner_t c;
  memset(&c, 0, sizeof c);
  c.wit = wit;
  c.prev_kind = WELD_WIT_OWNER_WORLD;
  c.prev = from;
  c.new_kind = WELD_WIT_OWNER_WORLD;
  c.new_ = id;
  c.pkg = pkg;
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? src.exports.len : src.imports.len;
    const weld_wit_world_item_t *items = dir ? src.exports.data : src.imports.data;
    const char *what = dir ? "export" : "import";
    for (size_t i = 0; i < n; i++) {
      weld_wit_world_item_t it = items[i];
      itemmap_t *m = &dst[dir];
      if (it.name) {
        const char *nn = it.name;
        if (inc->names.len) {
          /* the first `with` entry that applies (exact name, or the resource part of a
           * `[kind]resource.func` / `[kind]resource` name) */
          uint32_t best = wit_map_gets(&with, it.name);
          const char *rb = strchr(it.name, ']');
          if (rb) {
            const char *dot = strchr(rb + 1, '.');
            uint32_t k2 = wit_map_get(&with, rb + 1, dot ? (size_t)(dot - rb - 1) : strlen(rb + 1));
            if (k2 < best) best = k2;
          }
          if (best != WIT_MAP_MISSING) {
            nn = rename_item(a, it.name, &inc->names.data[best]);
            if (!nn) return base_error_oom();
          }
        }
        if (!clone_world_item(&c, &it))
          return wit->types.len >= WELD_MAX_WIT_TYPES
                     ? wit_error_at(sm, inc->span, "too many WIT types (more than %u)", WELD_MAX_WIT_TYPES)
                     : base_error_oom();
        if (m->v.len >= WELD_MAX_WIT_WORLD_ITEMS || wit->world_items + m->v.len >= WELD_MAX_WIT_ITEMS)
          return wit_error_at(sm, inc->span, "too many imports or exports (limits: %u per world, %u in all)",
                              WELD_MAX_WIT_WORLD_ITEMS, WELD_MAX_WIT_ITEMS);
        it.name = nn;
        if (it.kind == WELD_WIT_ITEM_FUNC) it.func.name = nn;
        else if (it.kind == WELD_WIT_ITEM_TYPE) wit->types.data[it.id].name = nn;
        if (im_find(&wit->scratch, m, nn, 0) != WIT_MAP_MISSING)
          return wit_error_at(sm, inc->span, "%s of `%s` shadows previously %sed items", what, nn, what);
        bool ok;
        im_insert(&wit->scratch, m, &it, &ok);
        if (!ok) return base_error_oom();
      } else {
        uint32_t prev = im_find(&wit->scratch, m, NULL, it.key_interface);
        if (prev == WIT_MAP_MISSING) {
          bool ok;
          im_insert(&wit->scratch, m, &it, &ok);
          if (!ok) return base_error_oom();
          prev = (uint32_t)m->v.len - 1;
        }
        weld_wit_stability_t *into = &m->v.data[prev].stability;
        if (external && it.stability.kind == WELD_WIT_STABILITY_STABLE) {
          memset(into, 0, sizeof *into);
        } else if (!update_stability(into, &it.stability)) {
          return wit_error_at(sm, inc->span, "mismatch in stability of included interface `%s`",
                              wit_world_key_name(wit, &it));
        }
      }
    }
  }
  return a->oom ? base_error_oom() : NULL;
}

/* Where a world item came from: its own import/export, else the world's name. */
static wit_span_t item_span(const wit_uworld_t *u, int dir, const char *name) {
  size_t n = dir ? u->w.exports.len : u->w.imports.len;
  const weld_wit_world_item_t *items = dir ? u->w.exports.data : u->w.imports.data;
  const wit_span_t *spans = dir ? u->export_spans.data : u->import_spans.data;
  for (size_t i = 0; i < n; i++)
    if (items[i].name && !strcmp(items[i].name, name)) return spans[i];
  return u->span;
}

static weld_error_t *check_case_insensitive(weld_wit_t *wit, uint32_t id, const wit_uworld_t *u, const wit_srcmap_t *sm) {
  const weld_wit_world_t *w = &wit->worlds.data[id];
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? w->exports.len : w->imports.len;
    const weld_wit_world_item_t *items = dir ? w->exports.data : w->imports.data;
    wit_map_t seen = {0};
    for (size_t i = 0; i < n; i++) {
      if (!items[i].name) continue;
      char *low = wit_strdup(&wit->scratch, items[i].name);
      if (!low) return base_error_oom();
      for (char *p = low; *p; p++) *p = (char)tolower((unsigned char)*p);
      uint32_t prev = wit_map_puts(&wit->scratch, &seen, low, (uint32_t)i);
      if (prev != WIT_MAP_MISSING && strcmp(items[prev].name, items[i].name) != 0) {
        const char *what = dir ? "export" : "import";
        return wit_error_at(sm, item_span(u, dir, items[i].name),
                            "%s `%s` in world `%s` conflicts with %s `%s` (kebab-case identifiers are case-insensitive)",
                            what, items[i].name, w->name, what, items[prev].name);
      }
    }
  }
  return NULL;
}

static weld_error_t *world_finish(weld_wit_t *wit, uint32_t id, uint32_t pkg, const wit_uworld_t *u,
                                  const uint32_t *world_map, const wit_srcmap_t *sm) {
  wit_arena_t *a = &wit->scratch;
  if (u->includes.len) {
    itemmap_t dst[2];
    weld_wit_world_t *w = &wit->worlds.data[id];
    if (!im_from(a, &dst[0], w->imports.data, w->imports.len) || !im_from(a, &dst[1], w->exports.data, w->exports.len))
      return base_error_oom();
    for (size_t i = 0; i < u->includes.len; i++) {
      const wit_include_t *inc = &u->includes.data[i];
      weld_error_t *e = NULL;
      int r = wit_include_stability(wit, &inc->stability, pkg, sm, inc->span, &e);
      if (r < 0) return e;
      if (!r) continue;
      e = resolve_include(wit, id, pkg, inc, world_map, sm, dst);
      if (e) return e;
    }
    w = &wit->worlds.data[id];
    w->imports.data = dst[0].v.data;
    w->imports.len = dst[0].v.len;
    w->imports.cap = dst[0].v.cap;
    w->exports.data = dst[1].v.data;
    w->exports.len = dst[1].v.len;
    w->exports.cap = dst[1].v.cap;
  }
  weld_error_t *e = check_case_insensitive(wit, id, u, sm);
  if (e) return e;
  return wit_elaborate_world(wit, id, sm, u->span);
}

weld_error_t *wit_world_finish(weld_wit_t *wit, uint32_t id, uint32_t pkg, const wit_uworld_t *u,
                               const uint32_t *world_map, const wit_srcmap_t *sm) {
  weld_error_t *e = world_finish(wit, id, pkg, u, world_map, sm);
  if (!e && wit->scratch.oom) e = base_error_oom();
  wit_arena_free(&wit->scratch);
  return e;
}

/* ---- elaboration ---- */

typedef struct eframe {
  const char *name; /* key: kebab name, or NULL for the interface itself */
  uint32_t id;
  size_t next; /* next type index of the interface to look at */
  bool add_export, failed;
} eframe_t;

/* Adds interface `id` (under key name/id) and, first, everything it uses. */
static bool elaborate_import(weld_wit_t *wit, itemmap_t *imports, const char *name, uint32_t id,
                             const weld_wit_stability_t *st) {
  wit_arena_t *a = &wit->scratch;
  if (im_find(a, imports, name, id) != WIT_MAP_MISSING) return true;
  struct { eframe_t *data; size_t len, cap; } stack = {0};
  eframe_t root = {name, id, 0, false, false};
  if (!AVEC_PUSH(a, &stack, root)) return false;
  while (stack.len) {
    eframe_t *f = &stack.data[stack.len - 1];
    const weld_wit_interface_t *i = &wit->interfaces.data[f->id];
    bool pushed = false;
    while (f->next < i->types.len) {
      uint32_t dep = wit_type_interface_dep(wit, i->types.data[f->next++].id);
      if (dep == WELD_WIT_NONE || im_find(a, imports, NULL, dep) != WIT_MAP_MISSING) continue;
      if (stack.len > wit->interfaces.len + 1) return false;
      eframe_t fr = {NULL, dep, 0, false, false};
      if (!AVEC_PUSH(a, &stack, fr)) return false;
      pushed = true;
      break;
    }
    if (pushed) continue;
    weld_wit_world_item_t it;
    memset(&it, 0, sizeof it);
    it.name = f->name;
    it.key_interface = f->name ? WELD_WIT_NONE : f->id;
    it.kind = WELD_WIT_ITEM_INTERFACE;
    it.id = f->id;
    it.stability = *st;
    if (im_find(a, imports, it.name, it.key_interface) == WIT_MAP_MISSING) {
      bool ok;
      im_insert(a, imports, &it, &ok);
      if (!ok) return false;
    }
    stack.len--;
  }
  return !a->oom;
}

/* wasm-tools' add_world_export, with an explicit stack.  Returns 1 ok, 0 conflict,
 * -1 out of memory. */
static int add_export(weld_wit_t *wit, itemmap_t *imports, itemmap_t *exports, const wit_map_t *export_ifaces,
                      wit_map_t *required, const char *name, uint32_t id, const weld_wit_stability_t *st) {
  wit_arena_t *a = &wit->scratch;
  struct { eframe_t *data; size_t len, cap; } stack = {0};
  eframe_t root = {name, id, 0, true, false};
  if (!AVEC_PUSH(a, &stack, root)) return -1;
  int ret = 1;
  bool have_ret = false, start = true;
  while (stack.len) {
    eframe_t *f = &stack.data[stack.len - 1];
    if (have_ret) {
      have_ret = false;
      if (!ret) f->failed = true;
    }
    if (start) {
      start = false;
      if (im_find(a, exports, f->name, f->id) != WIT_MAP_MISSING) {
        ret = f->add_export ? 1 : 0;
        stack.len--;
        have_ret = true;
        continue;
      }
      if (!f->add_export && wit_map_get(required, &f->id, 4) != WIT_MAP_MISSING) {
        ret = 1;
        stack.len--;
        have_ret = true;
        continue;
      }
    }
    if (f->failed) {
      ret = 0;
      stack.len--;
      have_ret = true;
      continue;
    }
    const weld_wit_interface_t *i = &wit->interfaces.data[f->id];
    bool pushed = false;
    while (f->next < i->types.len) {
      uint32_t dep = wit_type_interface_dep(wit, i->types.data[f->next++].id);
      if (dep == WELD_WIT_NONE) continue;
      if (stack.len > 4 * (wit->interfaces.len + 1)) return -1;
      eframe_t fr = {NULL, dep, 0, f->add_export && wit_map_get(export_ifaces, &dep, 4) != WIT_MAP_MISSING, false};
      if (!AVEC_PUSH(a, &stack, fr)) return -1;
      pushed = true;
      start = true;
      break;
    }
    if (pushed) continue;
    weld_wit_world_item_t it;
    memset(&it, 0, sizeof it);
    it.name = f->name;
    it.key_interface = f->name ? WELD_WIT_NONE : f->id;
    it.kind = WELD_WIT_ITEM_INTERFACE;
    it.id = f->id;
    it.stability = *st;
    bool ok;
    if (f->add_export) {
      if (wit_map_get(required, &f->id, 4) != WIT_MAP_MISSING) {
        ret = 0;
      } else {
        im_insert(a, exports, &it, &ok);
        if (!ok) return -1;
        ret = 1;
      }
    } else {
      uint32_t *key = wit_alloc(a, 4);
      if (!key) return -1;
      *key = f->id;
      wit_map_put(a, required, key, 4, 1);
      im_insert(a, imports, &it, &ok);
      if (!ok) return -1;
      ret = 1;
    }
    stack.len--;
    have_ret = true;
  }
  return ret;
}

weld_error_t *wit_elaborate_world(weld_wit_t *wit, uint32_t id, const wit_srcmap_t *sm, wit_span_t span) {
  wit_arena_t *a = &wit->scratch;
  weld_wit_world_t w = wit->worlds.data[id];
  weld_wit_world_item_t *sorted = wit_alloc(a, (w.imports.len + 1) * sizeof *sorted);
  if (!sorted) return base_error_oom();
  wit_copy(sorted, w.imports.data, w.imports.len * sizeof *sorted);
  if (!sort_items(wit, sorted, w.imports.len)) return base_error_oom();
  itemmap_t imports, exports;
  memset(&imports, 0, sizeof imports);
  memset(&exports, 0, sizeof exports);
  for (size_t i = 0; i < w.imports.len; i++) {
    const weld_wit_world_item_t *it = &sorted[i];
    bool ok = true;
    if (it->kind == WELD_WIT_ITEM_INTERFACE) {
      ok = elaborate_import(wit, &imports, it->name, it->name ? it->id : it->key_interface, &it->stability);
    } else {
      if (it->kind == WELD_WIT_ITEM_TYPE) {
        uint32_t dep = wit_type_interface_dep(wit, it->id);
        if (dep != WELD_WIT_NONE) ok = elaborate_import(wit, &imports, NULL, dep, &wit->types.data[it->id].stability);
      }
      if (ok) im_insert(a, &imports, it, &ok);
    }
    if (!ok) return base_error_oom();
  }
  /* exports: functions go straight in, interfaces through add_export */
  wit_map_t export_ifaces = {0};
  struct { const weld_wit_world_item_t **data; size_t len, cap; } eifs = {0};
  for (size_t i = 0; i < w.exports.len; i++) {
    const weld_wit_world_item_t *it = &w.exports.data[i];
    if (it->kind == WELD_WIT_ITEM_INTERFACE) {
      if (wit_map_put(a, &export_ifaces, &it->id, 4, (uint32_t)eifs.len) == WIT_MAP_MISSING &&
          !AVEC_PUSH(a, &eifs, it))
        return base_error_oom();
    } else {
      bool ok;
      im_insert(a, &exports, it, &ok);
      if (!ok) return base_error_oom();
    }
  }
  wit_map_t required = {0};
  for (size_t i = 0; i < eifs.len; i++) {
    const weld_wit_world_item_t *it = eifs.data[i];
    int r = add_export(wit, &imports, &exports, &export_ifaces, &required, it->name, it->id, &it->stability);
    if (r < 0) return base_error_oom();
    if (!r)
      return wit_error_at(sm, span, "interface `%s` transitively depends on an interface in incompatible ways",
                          wit_world_key_name(wit, it));
  }
  if (!sort_items(wit, imports.v.data, imports.v.len)) return base_error_oom();
  if (imports.v.len + exports.v.len > WELD_MAX_WIT_WORLD_ITEMS)
    return wit_error_at(sm, span, "too many imports and exports in one world (more than %u)", WELD_MAX_WIT_WORLD_ITEMS);
  wit->world_items += imports.v.len + exports.v.len;
  if (wit->world_items > WELD_MAX_WIT_ITEMS)
    return wit_error_at(sm, span, "too many imports and exports in all worlds (more than %u)", WELD_MAX_WIT_ITEMS);
  /* the final lists move to the long-lived arena */
  weld_wit_world_item_t *im = wit_alloc(&wit->arena, (imports.v.len + 1) * sizeof *im);
  weld_wit_world_item_t *ex = wit_alloc(&wit->arena, (exports.v.len + 1) * sizeof *ex);
  if (!im || !ex || a->oom) return base_error_oom();
  wit_copy(im, imports.v.data, imports.v.len * sizeof *im);
  wit_copy(ex, exports.v.data, exports.v.len * sizeof *ex);
  weld_wit_world_t *wp = &wit->worlds.data[id];
  wp->imports.data = im;
  wp->imports.len = wp->imports.cap = imports.v.len;
  wp->exports.data = ex;
  wp->exports.len = wp->exports.cap = exports.v.len;
  return NULL;
}
