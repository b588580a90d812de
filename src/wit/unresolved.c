/* unresolved.c — from the AST of one package's files to an unresolved package
 * (WIT.md "WIT Packages and `use`", "Item: interface", "Item: world", "Item: use",
 * "Item: type", "Feature gates").
 *
 * All names inside the package are resolved here: interfaces and worlds are ordered
 * topologically by their `use`/`include` edges, types inside each interface by their
 * references (both orders prefer source order, as the wasm-tools resolver does, so the
 * numbering of the result is the same), anonymous types are interned, and references to
 * other packages become placeholder interfaces/worlds/types that resolve.c binds later. */
#include "base/error.h"
#include "base/limits.h"
#include "wit/internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* AstItem packed in a uint32: bit 31 = world. */
#define AI_WORLD 0x80000000u
#define AI_ID(x) ((x) & ~AI_WORLD)

typedef struct lookup_entry {
  const char *name;
  bool is_func; /* a function name (cannot be used as a type) */
  uint32_t id;
  wit_span_t span;
} lookup_entry_t;

typedef struct lookup {
  struct { lookup_entry_t *data; size_t len, cap; } e;
  wit_map_t map;
} lookup_t;

typedef struct R {
  wit_arena_t *a;
  const wit_srcmap_t *sm;
  weld_error_t *err;
  wit_upkg_t *u;
  wit_ast_pkgfile_t *const *files;
  size_t nfiles, cur;
  wit_map_t anon;
  wit_map_t *file_items; /* per file: name -> packed AstItem */
  wit_map_t package_items;
  struct { lookup_t *data; size_t len, cap; } iface_types;
  struct { bool *data; size_t len, cap; } iface_foreign;
  lookup_t type_lookup;
  wit_map_t foreign_pkgs; /* full name -> index in u->foreign */
  struct { wit_map_t *data; size_t len, cap; } foreign_items;
  wit_map_t world_keys; /* during resolve_world */
} R;

#define TRY(x) \
  do { \
    if (!(x)) return false; \
  } while (0)

static bool oom(R *r) {
  if (!r->err) r->err = base_error_oom();
  return false;
}

static bool fail(R *r, wit_span_t span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(R *r, wit_span_t span, const char *fmt, ...) {
  if (r->err) return false;
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  r->err = wit_error_at(r->sm, span, "%s", msg);
  return false;
}

/* ---- small helpers ---- */

int wit_pkg_name_cmp(const wit_pkg_name_t *a, const wit_pkg_name_t *b) {
  int c = strcmp(a->ns, b->ns);
  if (!c) c = strcmp(a->name, b->name);
  if (!c) c = wit_semver_cmp_str(a->version, b->version);
  return c;
}

const char *wit_pkg_name_str(wit_arena_t *a, const wit_pkg_name_t *n) {
  return n->version ? wit_sprintf(a, "%s:%s@%s", n->ns, n->name, n->version) : wit_sprintf(a, "%s:%s", n->ns, n->name);
}

static wit_pkg_name_t ast_pkg_name(const wit_pkgname_t *p) {
  wit_pkg_name_t n = {p->ns.name, p->name.name, p->version};
  return n;
}

bool wit_stability_is_unknown(const weld_wit_stability_t *s) { return s->kind == WELD_WIT_STABILITY_UNKNOWN; }

static bool streq(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }
bool wit_stability_eq(const weld_wit_stability_t *a, const weld_wit_stability_t *b) {
  return a->kind == b->kind && streq(a->since, b->since) && streq(a->feature, b->feature) &&
         streq(a->deprecated, b->deprecated);
}

static bool lookup_put(R *r, lookup_t *l, const wit_id_t *id, bool is_func, uint32_t tid) {
  lookup_entry_t e = {id->name, is_func, tid, id->span};
  uint32_t prev = wit_map_puts(r->a, &l->map, id->name, (uint32_t)l->e.len);
  if (r->a->oom) return oom(r);
  if (prev != WIT_MAP_MISSING) return fail(r, id->span, "name `%s` is defined more than once", id->name);
  return AVEC_PUSH(r->a, &l->e, e) ? true : oom(r);
}

static const lookup_entry_t *lookup_get(const lookup_t *l, const char *name) {
  uint32_t i = wit_map_gets(&l->map, name);
  return i == WIT_MAP_MISSING ? NULL : &l->e.data[i];
}

static bool stability(R *r, const wit_attrs_t *attrs, weld_wit_stability_t *s) {
  memset(s, 0, sizeof *s);
  const wit_attr_t *at = attrs->data;
  size_t n = attrs->len;
  if (n == 0) return true;
  if (n == 1) {
    if (at[0].kind == WIT_ATTR_SINCE) {
      s->kind = WELD_WIT_STABILITY_STABLE;
      s->since = at[0].version;
      return true;
    }
    if (at[0].kind == WIT_ATTR_UNSTABLE) {
      s->kind = WELD_WIT_STABILITY_UNSTABLE;
      s->feature = at[0].feature.name;
      return true;
    }
    return fail(r, at[0].span, "must pair @deprecated with either @since or @unstable");
  }
  if (n == 2) {
    const wit_attr_t *x = &at[0], *d = &at[1];
    if (x->kind == WIT_ATTR_DEPRECATED) x = &at[1], d = &at[0];
    if (d->kind == WIT_ATTR_DEPRECATED && x->kind != WIT_ATTR_DEPRECATED) {
      s->kind = x->kind == WIT_ATTR_SINCE ? WELD_WIT_STABILITY_STABLE : WELD_WIT_STABILITY_UNSTABLE;
      s->since = x->kind == WIT_ATTR_SINCE ? x->version : NULL;
      s->feature = x->kind == WIT_ATTR_UNSTABLE ? x->feature.name : NULL;
      s->deprecated = d->version;
      return true;
    }
  }
  return fail(r, at[1].span, "unsupported combination of attributes");
}

static uint32_t alloc_type(R *r, const weld_wit_typedef_t *td, wit_span_t span) {
  wit_span_t *none = NULL;
  if (!AVEC_PUSH(r->a, &r->u->types, *td) || !AVEC_PUSH(r->a, &r->u->type_spans, span) ||
      !AVEC_PUSH(r->a, &r->u->case_spans, none)) {
    oom(r);
    return UINT32_MAX;
  }
  return (uint32_t)r->u->types.len - 1;
}

static uint32_t alloc_interface(R *r, wit_span_t span, const char *name) {
  wit_uiface_t i;
  memset(&i, 0, sizeof i);
  i.i.name = name;
  i.i.package = WELD_WIT_NONE;
  i.span = span;
  lookup_t empty;
  memset(&empty, 0, sizeof empty);
  bool f = false;
  if (!AVEC_PUSH(r->a, &r->u->interfaces, i) || !AVEC_PUSH(r->a, &r->iface_types, empty) ||
      !AVEC_PUSH(r->a, &r->iface_foreign, f)) {
    oom(r);
    return UINT32_MAX;
  }
  return (uint32_t)r->u->interfaces.len - 1;
}

static uint32_t alloc_world(R *r, wit_span_t span, const char *name) {
  wit_uworld_t w;
  memset(&w, 0, sizeof w);
  w.w.name = name ? name : "";
  w.w.package = WELD_WIT_NONE;
  w.span = span;
  if (!AVEC_PUSH(r->a, &r->u->worlds, w)) {
    oom(r);
    return UINT32_MAX;
  }
  return (uint32_t)r->u->worlds.len - 1;
}

/* ---- foreign dependencies ---- */

static bool foreign_dep_cb(void *ud, const wit_id_t *iface, const wit_attrs_t *attrs, const wit_usepath_t *path,
                           const wit_ast_use_t *names, wit_path_kind_t kind) {
  (void)iface;
  (void)names;
  R *r = ud;
  if (!path->is_pkg) return true;
  weld_wit_stability_t st;
  TRY(stability(r, attrs, &st));
  wit_pkg_name_t pn = ast_pkg_name(&path->pkg);
  const char *full = wit_pkg_name_str(r->a, &pn);
  if (!full) return oom(r);
  uint32_t pi = wit_map_gets(&r->foreign_pkgs, full);
  if (pi == WIT_MAP_MISSING) {
    wit_foreign_pkg_t fp;
    memset(&fp, 0, sizeof fp);
    fp.name = pn;
    fp.span = path->pkg.span;
    wit_map_t m = {0};
    if (!AVEC_PUSH(r->a, &r->u->foreign, fp) || !AVEC_PUSH(r->a, &r->foreign_items, m)) return oom(r);
    pi = (uint32_t)r->u->foreign.len - 1;
    wit_map_puts(r->a, &r->foreign_pkgs, full, pi);
  }
  wit_foreign_pkg_t *fp = &r->u->foreign.data[pi];
  uint32_t ii = wit_map_gets(&r->foreign_items.data[pi], path->id.name);
  if (ii == WIT_MAP_MISSING) {
    wit_foreign_item_t it;
    memset(&it, 0, sizeof it);
    it.name = path->id.name;
    it.is_world = kind == WIT_PATH_WORLD;
    it.id = it.is_world ? alloc_world(r, path->id.span, NULL) : alloc_interface(r, path->id.span, NULL);
    if (it.id == UINT32_MAX) return false;
    if (!it.is_world) r->iface_foreign.data[it.id] = true;
    if (!AVEC_PUSH(r->a, &fp->items, it)) return oom(r);
    ii = (uint32_t)fp->items.len - 1;
    wit_map_puts(r->a, &r->foreign_items.data[pi], path->id.name, ii);
  }
  wit_foreign_item_t *it = &fp->items.data[ii];
  if (!AVEC_PUSH(r->a, &it->stabilities, st)) return oom(r);
  return !r->a->oom || oom(r);
}

/* ---- toposort (smallest source index first among ready nodes) ---- */

typedef struct edge {
  const char *name;
  wit_span_t span;
} edge_t;
typedef struct node {
  const char *name;
  struct { edge_t *data; size_t len, cap; } deps;
} node_t;
typedef struct { node_t *data; size_t len, cap; } nodes_t;

static bool toposort(R *r, const char *kind, nodes_t *nodes, uint32_t **order_out) {
  size_t n = nodes->len;
  wit_map_t idx = {0};
  for (size_t i = 0; i < n; i++) wit_map_puts(r->a, &idx, nodes->data[i].name, (uint32_t)i);
  uint32_t *remaining = wit_zalloc(r->a, (n + 1) * sizeof(uint32_t));
  struct rev { uint32_t *data; size_t len, cap; } *rev = wit_zalloc(r->a, (n + 1) * sizeof *rev);
  uint32_t *order = wit_alloc(r->a, (n + 1) * sizeof(uint32_t));
  uint32_t *heap = wit_alloc(r->a, (n + 1) * sizeof(uint32_t));
  if (!remaining || !rev || !order || !heap || r->a->oom) return oom(r);
  for (size_t i = 0; i < n; i++) {
    node_t *nd = &nodes->data[i];
    remaining[i] = (uint32_t)nd->deps.len;
    for (size_t j = 0; j < nd->deps.len; j++) {
      uint32_t t = wit_map_gets(&idx, nd->deps.data[j].name);
      if (t == WIT_MAP_MISSING)
        return fail(r, nd->deps.data[j].span, "%s `%s` does not exist", kind, nd->deps.data[j].name);
      if (!AVEC_PUSH(r->a, &rev[t], (uint32_t)i)) return oom(r);
    }
  }
  /* binary min-heap of node indexes */
  size_t hn = 0, on = 0;
#define HPUSH(v) \
  do { \
    size_t k_ = hn++; \
    heap[k_] = (v); \
    while (k_ && heap[(k_ - 1) / 2] > heap[k_]) { \
      uint32_t t_ = heap[k_]; \
      heap[k_] = heap[(k_ - 1) / 2]; \
      heap[(k_ - 1) / 2] = t_; \
      k_ = (k_ - 1) / 2; \
    } \
  } while (0)
  for (size_t i = 0; i < n; i++)
    if (!remaining[i]) HPUSH((uint32_t)i);
  while (hn) {
    uint32_t top = heap[0];
    heap[0] = heap[--hn];
    for (size_t k = 0;;) {
      size_t l = 2 * k + 1, m = k;
      if (l < hn && heap[l] < heap[m]) m = l;
      if (l + 1 < hn && heap[l + 1] < heap[m]) m = l + 1;
      if (m == k) break;
      uint32_t t = heap[k];
      heap[k] = heap[m];
      heap[m] = t;
      k = m;
    }
    order[on++] = top;
    for (size_t j = 0; j < rev[top].len; j++) {
      uint32_t d = rev[top].data[j];
      if (--remaining[d] == 0) HPUSH(d);
    }
  }
#undef HPUSH
  if (on == n) {
    *order_out = order;
    return true;
  }
  for (size_t i = 0; i < n; i++) {
    if (!remaining[i]) continue;
    node_t *nd = &nodes->data[i];
    for (size_t j = 0; j < nd->deps.len; j++) {
      uint32_t t = wit_map_gets(&idx, nd->deps.data[j].name);
      if (remaining[t]) return fail(r, nd->deps.data[j].span, "%s `%s` depends on itself", kind, nd->deps.data[j].name);
    }
  }
  return fail(r, WIT_NO_SPAN, "internal error: cycle not found");
}

/* IndexMap-like insertion: returns the node for `name`, creating it at the end. */
static node_t *node_get(R *r, nodes_t *nodes, wit_map_t *idx, const char *name, bool *existed) {
  uint32_t i = wit_map_gets(idx, name);
  if (existed) *existed = i != WIT_MAP_MISSING;
  if (i != WIT_MAP_MISSING) return &nodes->data[i];
  node_t nd;
  memset(&nd, 0, sizeof nd);
  nd.name = name;
  if (!AVEC_PUSH(r->a, nodes, nd)) {
    oom(r);
    return NULL;
  }
  wit_map_puts(r->a, idx, name, (uint32_t)nodes->len - 1);
  return &nodes->data[nodes->len - 1];
}

/* ---- package-level items ---- */

typedef struct pa_ctx {
  R *r;
  wit_map_t *ns;     /* file namespace: name -> (kind: 0 foreign, 1 local) | span index */
  struct { wit_id_t *data; size_t len, cap; } local_ids;
  wit_map_t ns_kind; /* name -> index into local_ids, or UINT32_MAX-1 for foreign */
  nodes_t *order;
  wit_map_t *order_idx;
} pa_ctx_t;

#define NS_FOREIGN (UINT32_MAX - 1)

static bool order_dep_cb(void *ud, const wit_id_t *iface, const wit_attrs_t *attrs, const wit_usepath_t *path,
                         const wit_ast_use_t *names, wit_path_kind_t kind) {
  (void)attrs;
  (void)names;
  (void)kind;
  pa_ctx_t *c = ud;
  R *r = c->r;
  if (!iface || path->is_pkg) return true;
  const wit_id_t *used = &path->id;
  uint32_t k = wit_map_gets(&c->ns_kind, used->name);
  edge_t e;
  if (k == NS_FOREIGN) return true;
  if (k != WIT_MAP_MISSING) {
    e.name = c->local_ids.data[k].name;
    e.span = c->local_ids.data[k].span;
  } else if (wit_map_gets(&r->package_items, used->name) != WIT_MAP_MISSING) {
    e.name = used->name;
    e.span = used->span;
  } else {
    return fail(r, used->span, "interface or world `%s` does not exist", used->name);
  }
  node_t *nd = node_get(r, c->order, c->order_idx, iface->name, NULL);
  if (!nd) return false;
  return AVEC_PUSH(r->a, &nd->deps, e) ? true : oom(r);
}

static bool populate_ast_items(R *r, uint32_t **iface_order, size_t *n_iface, uint32_t **world_order,
                               size_t *n_world) {
  wit_map_t pkg_items = {0}; /* name -> 1 (duplicate detection) */
  nodes_t order = {0};
  wit_map_t order_idx = {0};
  struct { const wit_ast_item_t **data; size_t len, cap; } byname = {0}; /* parallel to order */
  for (size_t f = 0; f < r->nfiles; f++) {
    const wit_ast_decls_t *d = &r->files[f]->decls;
    for (size_t i = 0; i < d->items.len; i++) {
      const wit_ast_item_t *it = &d->items.data[i];
      const wit_id_t *name;
      if (it->kind == WIT_AI_INTERFACE) name = &it->iface->name;
      else if (it->kind == WIT_AI_WORLD) name = &it->world->name;
      else continue;
      if (wit_map_puts(r->a, &pkg_items, name->name, 1) != WIT_MAP_MISSING)
        return fail(r, name->span, "duplicate item named `%s`", name->name);
      if (!node_get(r, &order, &order_idx, name->name, NULL) || !AVEC_PUSH(r->a, &byname, it)) return oom(r);
    }
  }
  /* package_items for lookups during dependency collection */
  for (size_t i = 0; i < order.len; i++) wit_map_puts(r->a, &r->package_items, order.data[i].name, 0);
  for (size_t f = 0; f < r->nfiles; f++) {
    const wit_ast_decls_t *d = &r->files[f]->decls;
    pa_ctx_t c;
    memset(&c, 0, sizeof c);
    c.r = r;
    c.order = &order;
    c.order_idx = &order_idx;
    for (size_t i = 0; i < d->items.len; i++) {
      const wit_ast_item_t *it = &d->items.data[i];
      const wit_id_t *name;
      uint32_t val;
      if (it->kind == WIT_AI_USE) {
        name = it->use->as.name ? &it->use->as : &it->use->item.id;
        if (it->use->item.is_pkg) {
          val = NS_FOREIGN;
        } else {
          if (!AVEC_PUSH(r->a, &c.local_ids, it->use->item.id)) return oom(r);
          val = (uint32_t)c.local_ids.len - 1;
        }
      } else {
        name = it->kind == WIT_AI_INTERFACE ? &it->iface->name : &it->world->name;
        if (!AVEC_PUSH(r->a, &c.local_ids, *name)) return oom(r);
        val = (uint32_t)c.local_ids.len - 1;
      }
      if (wit_map_puts(r->a, &c.ns_kind, name->name, val) != WIT_MAP_MISSING)
        return fail(r, name->span, "duplicate name `%s` in this file", name->name);
    }
    TRY(wit_for_each_path(d, order_dep_cb, &c));
  }
  if (r->a->oom) return oom(r);
  uint32_t *ord = NULL;
  TRY(toposort(r, "interface or world", &order, &ord));

  /* Allocate interfaces and worlds in that order. */
  wit_map_t ids = {0};
  *iface_order = wit_alloc(r->a, (order.len + 1) * sizeof(uint32_t));
  *world_order = wit_alloc(r->a, (order.len + 1) * sizeof(uint32_t));
  if (!*iface_order || !*world_order) return oom(r);
  *n_iface = *n_world = 0;
  for (size_t k = 0; k < order.len; k++) {
    const wit_ast_item_t *it = byname.data[ord[k]];
    uint32_t packed;
    if (it->kind == WIT_AI_INTERFACE) {
      uint32_t id = alloc_interface(r, it->iface->name.span, it->iface->name.name);
      if (id == UINT32_MAX) return false;
      (*iface_order)[(*n_iface)++] = id;
      packed = id;
    } else {
      uint32_t id = alloc_world(r, it->world->name.span, it->world->name.name);
      if (id == UINT32_MAX) return false;
      (*world_order)[(*n_world)++] = id;
      packed = id | AI_WORLD;
    }
    wit_map_puts(r->a, &ids, order.data[ord[k]].name, packed);
  }
  memset(&r->package_items, 0, sizeof r->package_items);
  for (size_t f = 0; f < r->nfiles; f++) {
    const wit_ast_decls_t *d = &r->files[f]->decls;
    wit_map_t *fi = &r->file_items[f];
    for (size_t i = 0; i < d->items.len; i++) {
      const wit_ast_item_t *it = &d->items.data[i];
      const char *name;
      uint32_t item;
      if (it->kind == WIT_AI_USE) {
        const wit_ast_tluse_t *u = it->use;
        if (u->attrs.len) return fail(r, u->span, "attributes not allowed on top-level use");
        name = u->as.name ? u->as.name : u->item.id.name;
        if (!u->item.is_pkg) {
          item = wit_map_gets(&ids, u->item.id.name);
          if (item == WIT_MAP_MISSING)
            return fail(r, u->item.id.span, "interface or world `%s` does not exist", u->item.id.name);
        } else {
          wit_pkg_name_t pn = ast_pkg_name(&u->item.pkg);
          const char *full = wit_pkg_name_str(r->a, &pn);
          if (!full) return oom(r);
          uint32_t pi = wit_map_gets(&r->foreign_pkgs, full);
          uint32_t ii = wit_map_gets(&r->foreign_items.data[pi], u->item.id.name);
          wit_foreign_item_t *fit = &r->u->foreign.data[pi].items.data[ii];
          item = fit->id | (fit->is_world ? AI_WORLD : 0);
        }
      } else {
        name = it->kind == WIT_AI_INTERFACE ? it->iface->name.name : it->world->name.name;
        item = wit_map_gets(&ids, name);
      }
      wit_map_puts(r->a, fi, name, item);
      if (it->kind != WIT_AI_USE) wit_map_puts(r->a, &r->package_items, name, item);
    }
  }
  return !r->a->oom || oom(r);
}

/* Resolves a use path to (item, name, span). */
static bool resolve_path(R *r, const wit_usepath_t *path, uint32_t *item) {
  if (!path->is_pkg) {
    uint32_t v = wit_map_gets(&r->file_items[r->cur], path->id.name);
    if (v == WIT_MAP_MISSING) v = wit_map_gets(&r->package_items, path->id.name);
    if (v == WIT_MAP_MISSING)
      return fail(r, path->id.span, "interface or world `%s` does not exist", path->id.name);
    *item = v;
    return true;
  }
  wit_pkg_name_t pn = ast_pkg_name(&path->pkg);
  const char *full = wit_pkg_name_str(r->a, &pn);
  if (!full) return oom(r);
  uint32_t pi = wit_map_gets(&r->foreign_pkgs, full);
  uint32_t ii = pi == WIT_MAP_MISSING ? WIT_MAP_MISSING : wit_map_gets(&r->foreign_items.data[pi], path->id.name);
  if (ii == WIT_MAP_MISSING) return fail(r, path->id.span, "internal error: unregistered foreign path");
  wit_foreign_item_t *fit = &r->u->foreign.data[pi].items.data[ii];
  *item = fit->id | (fit->is_world ? AI_WORLD : 0);
  return true;
}

static bool extract_iface(R *r, uint32_t item, const wit_id_t *name, uint32_t *id) {
  if (item & AI_WORLD) return fail(r, name->span, "name `%s` is defined as a world, not an interface", name->name);
  *id = item;
  return true;
}

static bool extract_world(R *r, uint32_t item, const wit_id_t *name, uint32_t *id) {
  if (!(item & AI_WORLD)) return fail(r, name->span, "name `%s` is defined as an interface, not a world", name->name);
  *id = AI_ID(item);
  return true;
}

static bool foreign_types_cb(void *ud, const wit_id_t *iface, const wit_attrs_t *attrs, const wit_usepath_t *path,
                             const wit_ast_use_t *names, wit_path_kind_t kind) {
  (void)iface;
  (void)kind;
  R *r = ud;
  if (!names) return true;
  weld_wit_stability_t st;
  TRY(stability(r, attrs, &st));
  uint32_t item = 0, id = 0;
  TRY(resolve_path(r, path, &item));
  TRY(extract_iface(r, item, &path->id, &id));
  if (!r->iface_foreign.data[id]) return true;
  lookup_t *l = &r->iface_types.data[id];
  for (size_t i = 0; i < names->names.len; i++) {
    const wit_id_t *n = &names->names.data[i].name;
    if (lookup_get(l, n->name)) continue;
    weld_wit_typedef_t td;
    memset(&td, 0, sizeof td);
    td.name = n->name;
    td.kind = WELD_WIT_KIND_UNKNOWN;
    td.owner_kind = WELD_WIT_OWNER_INTERFACE;
    td.owner = id;
    td.stability = st;
    uint32_t tid = alloc_type(r, &td, n->span);
    if (tid == UINT32_MAX) return false;
    r->u->n_foreign_types++;
    TRY(lookup_put(r, l, n, false, tid));
    weld_wit_named_t nm = {n->name, tid};
    if (!AVEC_PUSH(r->a, &r->u->interfaces.data[id].i.types, nm)) return oom(r);
  }
  return true;
}

/* ---- types ---- */

static bool resolve_type(R *r, const wit_ast_type_t *t, const weld_wit_stability_t *st, weld_wit_type_t *out);

static bool resolve_type_name(R *r, const wit_id_t *name, uint32_t *id) {
  const lookup_entry_t *e = lookup_get(&r->type_lookup, name->name);
  if (!e) return fail(r, name->span, "name `%s` does not exist", name->name);
  if (e->is_func) return fail(r, name->span, "cannot use function `%s` as a type", name->name);
  *id = e->id;
  return true;
}

static bool validate_resource(R *r, const wit_id_t *name, uint32_t *out) {
  uint32_t id = 0;
  TRY(resolve_type_name(r, name, &id));
  uint32_t cur = id;
  for (size_t guard = 0; guard <= r->u->types.len; guard++) {
    const weld_wit_typedef_t *td = &r->u->types.data[cur];
    if (td->kind == WELD_WIT_KIND_RESOURCE) break;
    if (td->kind == WELD_WIT_KIND_ALIAS && td->a.tag == WELD_WIT_T_ID) {
      cur = td->a.id;
      continue;
    }
    if (td->kind == WELD_WIT_KIND_UNKNOWN) {
      wit_req_res_t rq = {cur, name->span};
      if (!AVEC_PUSH(r->a, &r->u->required_resources, rq)) return oom(r);
      break;
    }
    return fail(r, name->span, "type `%s` used in a handle must be a resource", name->name);
  }
  *out = id;
  return true;
}

static bool push_case(R *r, weld_wit_typedef_t *td, const char *name, weld_wit_type_t ty, const char *docs) {
  weld_wit_case_t c = {name, ty, docs};
  return AVEC_PUSH(r->a, &td->cases, c) ? true : oom(r);
}

static bool resolve_opt(R *r, const wit_ast_type_t *t, const weld_wit_stability_t *st, weld_wit_type_t *out) {
  if (!t) {
    *out = wit_ty(WELD_WIT_T_NONE, 0);
    return true;
  }
  return resolve_type(r, t, st, out);
}

static bool resolve_type_def(R *r, const wit_ast_type_t *t, const weld_wit_stability_t *st, weld_wit_typedef_t *td) {
  memset(td, 0, sizeof *td);
  td->kind = WELD_WIT_KIND_ALIAS;
  static const uint8_t prim[] = {
      [WTY_BOOL] = WELD_WIT_T_BOOL, [WTY_U8] = WELD_WIT_T_U8,         [WTY_U16] = WELD_WIT_T_U16,
      [WTY_U32] = WELD_WIT_T_U32,   [WTY_U64] = WELD_WIT_T_U64,       [WTY_S8] = WELD_WIT_T_S8,
      [WTY_S16] = WELD_WIT_T_S16,   [WTY_S32] = WELD_WIT_T_S32,       [WTY_S64] = WELD_WIT_T_S64,
      [WTY_F32] = WELD_WIT_T_F32,   [WTY_F64] = WELD_WIT_T_F64,       [WTY_CHAR] = WELD_WIT_T_CHAR,
      [WTY_STRING] = WELD_WIT_T_STRING, [WTY_ERROR_CONTEXT] = WELD_WIT_T_ERROR_CONTEXT,
  };
  switch (t->kind) {
  case WTY_NAME: {
    uint32_t id = 0;
    TRY(resolve_type_name(r, &t->name, &id));
    td->a = wit_ty_id(id);
    return true;
  }
  case WTY_LIST:
    td->kind = WELD_WIT_KIND_LIST;
    return resolve_type(r, t->a, st, &td->a);
  case WTY_MAP: {
    td->kind = WELD_WIT_KIND_MAP;
    TRY(resolve_type(r, t->a, st, &td->a));
    TRY(resolve_type(r, t->b, st, &td->b));
    uint32_t k = td->a.tag;
    if (k == WELD_WIT_T_ID || k == WELD_WIT_T_F32 || k == WELD_WIT_T_F64 || k == WELD_WIT_T_ERROR_CONTEXT)
      return fail(r, t->span,
                  "invalid map key type: map keys must be bool, u8, u16, u32, u64, s8, s16, s32, s64, char, or "
                  "string");
    return true;
  }
  case WTY_FIXED_LIST:
    td->kind = WELD_WIT_KIND_FIXED_LIST;
    td->size = t->size;
    return resolve_type(r, t->a, st, &td->a);
  case WTY_OWN:
  case WTY_BORROW: {
    uint32_t id = 0;
    TRY(validate_resource(r, &t->name, &id));
    td->kind = t->kind == WTY_OWN ? WELD_WIT_KIND_OWN : WELD_WIT_KIND_BORROW;
    td->a = wit_ty_id(id);
    return true;
  }
  case WTY_RESOURCE: {
    wit_map_t names = {0};
    int ctors = 0;
    for (size_t i = 0; i < t->funcs.len; i++) {
      const wit_ast_resfunc_t *f = &t->funcs.data[i];
      if (f->kind == WIT_RF_CONSTRUCTOR) {
        if (++ctors > 1) return fail(r, f->f.name.span, "duplicate constructors");
      } else if (wit_map_puts(r->a, &names, f->f.name.name, 0) != WIT_MAP_MISSING) {
        return fail(r, f->f.name.span, "duplicate function name `%s`", f->f.name.name);
      }
    }
    td->kind = WELD_WIT_KIND_RESOURCE;
    return !r->a->oom || oom(r);
  }
  case WTY_RECORD:
  case WTY_VARIANT:
  case WTY_FLAGS:
  case WTY_ENUM:
  case WTY_TUPLE: {
    td->kind = t->kind == WTY_RECORD    ? WELD_WIT_KIND_RECORD
               : t->kind == WTY_VARIANT ? WELD_WIT_KIND_VARIANT
               : t->kind == WTY_FLAGS   ? WELD_WIT_KIND_FLAGS
               : t->kind == WTY_ENUM    ? WELD_WIT_KIND_ENUM
                                        : WELD_WIT_KIND_TUPLE;
    if (t->kind == WTY_VARIANT && !t->cases.len) return fail(r, t->span, "empty variant");
    if (t->kind == WTY_ENUM && !t->cases.len) return fail(r, t->span, "empty enum");
    for (size_t i = 0; i < t->cases.len; i++) {
      const wit_ast_case_t *c = &t->cases.data[i];
      const char *docs = t->kind == WTY_TUPLE ? NULL : wit_docs_text(r->a, &c->docs);
      weld_wit_type_t ty = wit_ty(WELD_WIT_T_NONE, 0);
      if (c->ty) TRY(resolve_type(r, c->ty, st, &ty));
      TRY(push_case(r, td, t->kind == WTY_TUPLE ? NULL : c->name.name, ty, docs));
    }
    return true;
  }
  case WTY_OPTION:
    td->kind = WELD_WIT_KIND_OPTION;
    return resolve_type(r, t->a, st, &td->a);
  case WTY_RESULT:
    td->kind = WELD_WIT_KIND_RESULT;
    TRY(resolve_opt(r, t->a, st, &td->a));
    return resolve_opt(r, t->b, st, &td->b);
  case WTY_FUTURE:
  case WTY_STREAM:
    td->kind = t->kind == WTY_FUTURE ? WELD_WIT_KIND_FUTURE : WELD_WIT_KIND_STREAM;
    return resolve_opt(r, t->a, st, &td->a);
  default:
    if (t->kind >= 0 && (size_t)t->kind < sizeof prim && prim[t->kind]) {
      td->a = wit_ty(prim[t->kind], 0);
      return true;
    }
    return fail(r, t->span, "internal error: unexpected type");
  }
}

static const weld_wit_stability_t *find_in_type(void *env, weld_wit_type_t t) {
  R *r = env;
  if (t.tag != WELD_WIT_T_ID) return NULL;
  const weld_wit_stability_t *s = &r->u->types.data[t.id].stability;
  return s->kind != WELD_WIT_STABILITY_UNKNOWN ? s : NULL;
}

weld_wit_stability_t wit_inherited_stability(const weld_wit_typedef_t *td, const weld_wit_stability_t *st,
                                             const weld_wit_stability_t *(*gate_of)(void *env, weld_wit_type_t t),
                                             void *env) {
  if (st->kind != WELD_WIT_STABILITY_UNKNOWN) return *st;
  const weld_wit_stability_t *f = NULL;
  switch (td->kind) {
  case WELD_WIT_KIND_ALIAS:
  case WELD_WIT_KIND_OWN:
  case WELD_WIT_KIND_BORROW:
  case WELD_WIT_KIND_LIST:
  case WELD_WIT_KIND_FIXED_LIST:
  case WELD_WIT_KIND_OPTION:
  case WELD_WIT_KIND_FUTURE:
  case WELD_WIT_KIND_STREAM: f = gate_of(env, td->a); break;
  case WELD_WIT_KIND_MAP:
  case WELD_WIT_KIND_RESULT:
    f = gate_of(env, td->a);
    if (!f) f = gate_of(env, td->b);
    break;
  case WELD_WIT_KIND_TUPLE:
    for (size_t i = 0; i < td->cases.len && !f; i++) f = gate_of(env, td->cases.data[i].type);
    break;
  default: break;
  }
  if (f) return *f;
  weld_wit_stability_t none;
  memset(&none, 0, sizeof none);
  return none;
}

/* Interning key of an anonymous type. */
static void key_u32(char *buf, size_t *n, uint32_t v) {
  memcpy(buf + *n, &v, 4);
  *n += 4;
}
static void key_type(char *buf, size_t *n, weld_wit_type_t t) {
  key_u32(buf, n, t.tag);
  key_u32(buf, n, t.tag == WELD_WIT_T_ID ? t.id : 0);
}

static bool anon_type(R *r, weld_wit_typedef_t *td, wit_span_t span, weld_wit_type_t *out) {
  if (td->kind == WELD_WIT_KIND_ALIAS || td->kind == WELD_WIT_KIND_OWN) {
    *out = td->a;
    return true;
  }
  size_t cap = 32;
  for (size_t i = 0; i < td->cases.len; i++) cap += 12 + (td->cases.data[i].name ? strlen(td->cases.data[i].name) : 0);
  char *key = wit_alloc(r->a, cap);
  if (!key) return oom(r);
  size_t n = 0;
  key_u32(key, &n, td->kind);
  key_type(key, &n, td->a);
  key_type(key, &n, td->b);
  key_u32(key, &n, td->size);
  for (size_t i = 0; i < td->cases.len; i++) {
    const weld_wit_case_t *c = &td->cases.data[i];
    size_t l = c->name ? strlen(c->name) : 0;
    key_u32(key, &n, (uint32_t)l);
    memcpy(key + n, c->name ? c->name : "", l);
    n += l;
    key_type(key, &n, c->type);
  }
  uint32_t prev = wit_map_get(&r->anon, key, n);
  if (prev != WIT_MAP_MISSING) {
    *out = wit_ty_id(prev);
    return true;
  }
  uint32_t id = alloc_type(r, td, span);
  if (id == UINT32_MAX) return false;
  wit_map_put(r->a, &r->anon, key, n, id);
  *out = wit_ty_id(id);
  return !r->a->oom || oom(r);
}

static bool resolve_type(R *r, const wit_ast_type_t *t, const weld_wit_stability_t *st, weld_wit_type_t *out) {
  weld_wit_typedef_t td;
  TRY(resolve_type_def(r, t, st, &td));
  td.stability = wit_inherited_stability(&td, st, find_in_type, r);
  td.owner_kind = WELD_WIT_OWNER_NONE;
  td.owner = WELD_WIT_NONE;
  return anon_type(r, &td, t->span, out);
}

static bool collect_deps(R *r, const wit_ast_type_t *t, node_t *nd) {
  if (!t) return true;
  switch (t->kind) {
  case WTY_NAME:
  case WTY_OWN:
  case WTY_BORROW: {
    edge_t e = {t->name.name, t->name.span};
    return AVEC_PUSH(r->a, &nd->deps, e) ? true : oom(r);
  }
  case WTY_RECORD:
  case WTY_TUPLE:
  case WTY_VARIANT:
    for (size_t i = 0; i < t->cases.len; i++) TRY(collect_deps(r, t->cases.data[i].ty, nd));
    return true;
  default:
    TRY(collect_deps(r, t->a, nd));
    return collect_deps(r, t->b, nd);
  }
}

typedef struct titem {
  const wit_ast_use_t *use;
  const wit_ast_typedef_t *td;
} titem_t;
typedef struct { titem_t *data; size_t len, cap; } titems_t;

static bool resolve_use(R *r, uint32_t owner_kind, uint32_t owner, const wit_ast_use_t *u) {
  uint32_t item = 0, from = 0;
  TRY(resolve_path(r, &u->from, &item));
  TRY(extract_iface(r, item, &u->from.id, &from));
  weld_wit_stability_t st;
  TRY(stability(r, &u->attrs, &st));
  for (size_t i = 0; i < u->names.len; i++) {
    const wit_ast_use_name_t *n = &u->names.data[i];
    const lookup_entry_t *e = lookup_get(&r->iface_types.data[from], n->name.name);
    if (!e) return fail(r, n->name.span, "name `%s` does not exist", n->name.name);
    if (e->is_func) return fail(r, n->name.span, "cannot import function `%s`", n->name.name);
    const wit_id_t *local = n->as.name ? &n->as : &n->name;
    weld_wit_typedef_t td;
    memset(&td, 0, sizeof td);
    td.kind = WELD_WIT_KIND_ALIAS;
    td.a = wit_ty_id(e->id);
    td.name = local->name;
    td.owner_kind = owner_kind;
    td.owner = owner;
    td.stability = st;
    uint32_t id = alloc_type(r, &td, n->name.span);
    if (id == UINT32_MAX) return false;
    TRY(lookup_put(r, &r->type_lookup, local, false, id));
  }
  return true;
}

static bool resolve_types(R *r, uint32_t owner_kind, uint32_t owner, const titems_t *items) {
  for (size_t i = 0; i < items->len; i++)
    if (items->data[i].use) TRY(resolve_use(r, owner_kind, owner, items->data[i].use));
  nodes_t deps = {0};
  wit_map_t idx = {0};
  struct { const wit_ast_typedef_t **data; size_t len, cap; } defs = {0}; /* parallel to deps */
  for (size_t i = 0; i < items->len; i++) {
    const titem_t *it = &items->data[i];
    if (it->td) {
      bool existed;
      node_t *nd = node_get(r, &deps, &idx, it->td->name.name, &existed);
      if (!nd) return false;
      if (existed) return fail(r, it->td->name.span, "name `%s` is defined more than once", it->td->name.name);
      if (!AVEC_PUSH(r->a, &defs, it->td)) return oom(r);
      TRY(collect_deps(r, it->td->ty, nd));
    } else {
      for (size_t j = 0; j < it->use->names.len; j++) {
        const wit_ast_use_name_t *n = &it->use->names.data[j];
        const char *name = n->as.name ? n->as.name : n->name.name;
        bool existed;
        node_t *nd = node_get(r, &deps, &idx, name, &existed);
        if (!nd) return false;
        nd->deps.len = 0;
        if (existed) defs.data[wit_map_gets(&idx, name)] = NULL;
        else if (!AVEC_PUSH(r->a, &defs, (const wit_ast_typedef_t *)NULL)) return oom(r);
      }
    }
  }
  uint32_t *order = NULL;
  TRY(toposort(r, "type", &deps, &order));
  for (size_t k = 0; k < deps.len; k++) {
    const wit_ast_typedef_t *d = defs.data[order[k]];
    if (!d) continue;
    weld_wit_typedef_t td;
    weld_wit_stability_t st;
    TRY(stability(r, &d->attrs, &st));
    const char *docs = wit_docs_text(r->a, &d->docs);
    TRY(resolve_type_def(r, d->ty, &st, &td));
    td.docs = docs;
    td.stability = st;
    td.name = d->name.name;
    td.owner_kind = owner_kind;
    td.owner = owner;
    uint32_t id = alloc_type(r, &td, d->name.span);
    if (id == UINT32_MAX) return false;
    if (d->ty->kind == WTY_RECORD || d->ty->kind == WTY_VARIANT) {
      wit_span_t *cs = wit_alloc(r->a, (d->ty->cases.len + 1) * sizeof *cs);
      if (!cs) return oom(r);
      for (size_t i = 0; i < d->ty->cases.len; i++) cs[i] = d->ty->cases.data[i].name.span;
      r->u->case_spans.data[id] = cs;
    }
    TRY(lookup_put(r, &r->type_lookup, &d->name, false, id));
  }
  return true;
}

/* ---- functions ---- */

static bool resolve_function(R *r, const wit_docs_t *docs, const wit_attrs_t *attrs, const char *name,
                             const wit_ast_func_t *f, uint32_t kind, uint32_t resource, weld_wit_func_t *out) {
  memset(out, 0, sizeof *out);
  out->name = name;
  out->kind = kind;
  out->resource = resource;
  out->docs = wit_docs_text(r->a, docs);
  TRY(stability(r, attrs, &out->stability));
  wit_map_t seen = {0};
  weld_wit_stability_t unknown;
  memset(&unknown, 0, sizeof unknown);
  if (kind == WELD_WIT_FUNC_METHOD || kind == WELD_WIT_FUNC_ASYNC_METHOD) {
    weld_wit_typedef_t td;
    memset(&td, 0, sizeof td);
    td.kind = WELD_WIT_KIND_BORROW;
    td.a = wit_ty_id(resource);
    td.owner = WELD_WIT_NONE;
    td.stability = wit_inherited_stability(&td, &unknown, find_in_type, r);
    weld_wit_param_t p = {"self", {0, 0}};
    TRY(anon_type(r, &td, f->span, &p.type));
    wit_map_puts(r->a, &seen, "self", 0);
    if (!AVEC_PUSH(r->a, &out->params, p)) return oom(r);
  }
  for (size_t i = 0; i < f->params.len; i++) {
    const wit_ast_param_t *ap = &f->params.data[i];
    weld_wit_param_t p = {ap->name.name, {0, 0}};
    TRY(resolve_type(r, ap->ty, &unknown, &p.type));
    if (wit_map_puts(r->a, &seen, ap->name.name, 0) != WIT_MAP_MISSING)
      return fail(r, ap->name.span, "param `%s` is defined more than once", ap->name.name);
    if (!AVEC_PUSH(r->a, &out->params, p)) return oom(r);
  }
  out->result = wit_ty(WELD_WIT_T_NONE, 0);
  if (kind == WELD_WIT_FUNC_CONSTRUCTOR) {
    if (!f->result) {
      out->result = wit_ty_id(resource);
      return true;
    }
    TRY(resolve_type(r, f->result, &unknown, &out->result));
    const weld_wit_typedef_t *rt =
        out->result.tag == WELD_WIT_T_ID ? &r->u->types.data[out->result.id] : NULL;
    if (!rt || rt->kind != WELD_WIT_KIND_RESULT)
      return fail(r, f->result->span, "if a constructor return type is declared it must be a `result`");
    if (!(rt->a.tag == WELD_WIT_T_ID && rt->a.id == resource))
      return fail(r, f->result->a ? f->result->a->span : f->result->span,
                  "the `ok` type must be the resource being constructed");
    return true;
  }
  if (f->result) TRY(resolve_type(r, f->result, &unknown, &out->result));
  return true;
}

static bool resolve_resource_func(R *r, const wit_ast_resfunc_t *rf, const wit_id_t *res, weld_wit_func_t *out) {
  const lookup_entry_t *e = lookup_get(&r->type_lookup, res->name);
  if (!e || e->is_func) return fail(r, res->span, "internal error: resource lookup failed");
  const char *name;
  uint32_t kind;
  bool async = rf->f.func.async;
  if (rf->kind == WIT_RF_METHOD) {
    name = wit_sprintf(r->a, "[method]%s.%s", res->name, rf->f.name.name);
    kind = async ? WELD_WIT_FUNC_ASYNC_METHOD : WELD_WIT_FUNC_METHOD;
  } else if (rf->kind == WIT_RF_STATIC) {
    name = wit_sprintf(r->a, "[static]%s.%s", res->name, rf->f.name.name);
    kind = async ? WELD_WIT_FUNC_ASYNC_STATIC : WELD_WIT_FUNC_STATIC;
  } else {
    name = wit_sprintf(r->a, "[constructor]%s", res->name);
    kind = WELD_WIT_FUNC_CONSTRUCTOR;
  }
  if (!name) return oom(r);
  return resolve_function(r, &rf->f.docs, &rf->f.attrs, name, &rf->f.func, kind, e->id, out);
}

/* ---- interfaces ---- */

static bool resolve_interface(R *r, uint32_t id, const wit_ast_iitems_t *items, const wit_docs_t *docs,
                              const wit_attrs_t *attrs) {
  {
    weld_wit_interface_t *i = &r->u->interfaces.data[id].i;
    i->docs = wit_docs_text(r->a, docs);
    TRY(stability(r, attrs, &i->stability));
  }
  titems_t ti = {0};
  for (size_t k = 0; k < items->len; k++) {
    const wit_ast_iitem_t *it = &items->data[k];
    titem_t t = {NULL, NULL};
    if (it->kind == WIT_II_USE) t.use = &it->use;
    else if (it->kind == WIT_II_TYPEDEF) t.td = &it->td;
    else continue;
    if (!AVEC_PUSH(r->a, &ti, t)) return oom(r);
  }
  TRY(resolve_types(r, WELD_WIT_OWNER_INTERFACE, id, &ti));
  for (size_t k = 0; k < r->type_lookup.e.len; k++) {
    weld_wit_named_t nm = {r->type_lookup.e.data[k].name, r->type_lookup.e.data[k].id};
    if (!AVEC_PUSH(r->a, &r->u->interfaces.data[id].i.types, nm)) return oom(r);
  }
  for (size_t k = 0; k < items->len; k++) {
    const wit_ast_iitem_t *it = &items->data[k];
    if (it->kind == WIT_II_FUNC) {
      TRY(lookup_put(r, &r->type_lookup, &it->func.name, true, 0));
      weld_wit_func_t f;
      uint32_t kind = it->func.func.async ? WELD_WIT_FUNC_ASYNC_FREESTANDING : WELD_WIT_FUNC_FREESTANDING;
      TRY(resolve_function(r, &it->func.docs, &it->func.attrs, it->func.name.name, &it->func.func, kind,
                           WELD_WIT_NONE, &f));
      wit_uiface_t *ui = &r->u->interfaces.data[id];
      if (!AVEC_PUSH(r->a, &ui->i.funcs, f) || !AVEC_PUSH(r->a, &ui->func_spans, it->func.name.span)) return oom(r);
    } else if (it->kind == WIT_II_TYPEDEF && it->td.ty->kind == WTY_RESOURCE) {
      for (size_t j = 0; j < it->td.ty->funcs.len; j++) {
        weld_wit_func_t f;
        TRY(resolve_resource_func(r, &it->td.ty->funcs.data[j], &it->td.name, &f));
        wit_uiface_t *ui = &r->u->interfaces.data[id];
        if (!AVEC_PUSH(r->a, &ui->i.funcs, f) ||
            !AVEC_PUSH(r->a, &ui->func_spans, it->td.ty->funcs.data[j].f.name.span))
          return oom(r);
      }
    }
  }
  r->iface_types.data[id] = r->type_lookup;
  memset(&r->type_lookup, 0, sizeof r->type_lookup);
  return true;
}

/* ---- worlds ---- */

static const void *world_key(R *r, const char *name, uint32_t iface, size_t *len) {
  if (name) {
    char *k = wit_sprintf(r->a, "N%s", name);
    *len = k ? strlen(k) : 0;
    return k;
  }
  char *k = wit_alloc(r->a, 5);
  if (!k) return NULL;
  k[0] = 'I';
  memcpy(k + 1, &iface, 4);
  *len = 5;
  return k;
}

static const char *item_kind_name(uint32_t k) {
  return k == WELD_WIT_ITEM_INTERFACE ? "interface" : k == WELD_WIT_ITEM_FUNC ? "func" : "type";
}

/* Inserts into imports (0) or exports (1); fails on a key collision. */
static bool world_insert(R *r, wit_uworld_t *w, int dir, const weld_wit_world_item_t *item, wit_span_t span,
                         wit_map_t *keys) {
  size_t klen;
  const void *key = world_key(r, item->name, item->key_interface, &klen);
  if (!key) return oom(r);
  uint32_t prev = wit_map_put(r->a, &keys[dir], key, klen, (uint32_t)(dir ? w->w.exports.len : w->w.imports.len));
  if (r->a->oom) return oom(r);
  if (prev != WIT_MAP_MISSING) {
    const weld_wit_world_item_t *p = dir ? &w->w.exports.data[prev] : &w->w.imports.data[prev];
    return fail(r, span, "%s `%s` conflicts with prior %s of same name", dir ? "export" : "import",
                item->name ? item->name : "?", item_kind_name(p->kind));
  }
  bool ok = dir ? AVEC_PUSH(r->a, &w->w.exports, *item) && AVEC_PUSH(r->a, &w->export_spans, span)
                : AVEC_PUSH(r->a, &w->w.imports, *item) && AVEC_PUSH(r->a, &w->import_spans, span);
  return ok ? true : oom(r);
}

static bool resolve_world(R *r, uint32_t wid, const wit_ast_world_t *w) {
  {
    wit_uworld_t *uw = &r->u->worlds.data[wid];
    uw->w.docs = wit_docs_text(r->a, &w->docs);
    TRY(stability(r, &w->attrs, &uw->w.stability));
  }
  titems_t ti = {0};
  for (size_t k = 0; k < w->items.len; k++) {
    const wit_ast_witem_t *it = &w->items.data[k];
    titem_t t = {NULL, NULL};
    if (it->kind == WIT_WI_USE) t.use = &it->use;
    else if (it->kind == WIT_WI_TYPE) t.td = &it->td;
    else continue;
    if (!AVEC_PUSH(r->a, &ti, t)) return oom(r);
  }
  TRY(resolve_types(r, WELD_WIT_OWNER_WORLD, wid, &ti));
  for (size_t k = 0; k < w->items.len; k++) {
    const wit_ast_witem_t *it = &w->items.data[k];
    if (it->kind != WIT_WI_INCLUDE) continue;
    wit_include_t inc;
    memset(&inc, 0, sizeof inc);
    TRY(stability(r, &it->attrs, &inc.stability));
    uint32_t item = 0;
    TRY(resolve_path(r, &it->inc, &item));
    TRY(extract_world(r, item, &it->inc.id, &inc.world));
    inc.names.data = it->inc_names.data;
    inc.names.len = inc.names.cap = it->inc_names.len;
    inc.span = it->inc.id.span;
    if (!AVEC_PUSH(r->a, &r->u->worlds.data[wid].includes, inc)) return oom(r);
  }
  wit_map_t keys[2];
  memset(keys, 0, sizeof keys);
  for (size_t k = 0; k < r->type_lookup.e.len; k++) {
    const lookup_entry_t *e = &r->type_lookup.e.data[k];
    weld_wit_world_item_t item;
    memset(&item, 0, sizeof item);
    item.name = e->name;
    item.key_interface = WELD_WIT_NONE;
    item.kind = WELD_WIT_ITEM_TYPE;
    item.id = e->id;
    TRY(world_insert(r, &r->u->worlds.data[wid], 0, &item, e->span, keys));
  }
  wit_map_t ifaces[2];
  memset(ifaces, 0, sizeof ifaces);
  for (size_t k = 0; k < w->items.len; k++) {
    const wit_ast_witem_t *it = &w->items.data[k];
    if (it->kind == WIT_WI_TYPE && it->td.ty->kind == WTY_RESOURCE) {
      for (size_t j = 0; j < it->td.ty->funcs.len; j++) {
        weld_wit_world_item_t item;
        memset(&item, 0, sizeof item);
        item.kind = WELD_WIT_ITEM_FUNC;
        item.key_interface = WELD_WIT_NONE;
        TRY(resolve_resource_func(r, &it->td.ty->funcs.data[j], &it->td.name, &item.func));
        item.name = item.func.name;
        TRY(world_insert(r, &r->u->worlds.data[wid], 0, &item, it->td.ty->funcs.data[j].f.name.span, keys));
      }
      continue;
    }
    if (it->kind != WIT_WI_IMPORT && it->kind != WIT_WI_EXPORT) continue;
    int dir = it->kind == WIT_WI_EXPORT;
    const wit_ast_extern_t *e = &it->ext;
    weld_wit_world_item_t item;
    memset(&item, 0, sizeof item);
    item.key_interface = WELD_WIT_NONE;
    wit_span_t span;
    switch (e->kind) {
    case WIT_EK_INTERFACE: {
      lookup_t saved = r->type_lookup;
      memset(&r->type_lookup, 0, sizeof r->type_lookup);
      uint32_t id = alloc_interface(r, e->id.span, NULL);
      if (id == UINT32_MAX) return false;
      TRY(resolve_interface(r, id, &e->items, &it->docs, &it->attrs));
      r->type_lookup = saved;
      item.kind = WELD_WIT_ITEM_INTERFACE;
      item.id = id;
      item.stability = r->u->interfaces.data[id].i.stability;
      item.name = e->id.name;
      span = e->id.span;
      break;
    }
    case WIT_EK_PATH:
    case WIT_EK_LABELED: {
      TRY(stability(r, &it->attrs, &item.stability));
      uint32_t v = 0, id = 0;
      TRY(resolve_path(r, &e->path, &v));
      TRY(extract_iface(r, v, &e->path.id, &id));
      item.kind = WELD_WIT_ITEM_INTERFACE;
      item.id = id;
      if (e->kind == WIT_EK_PATH) {
        item.key_interface = id;
        span = e->path.id.span;
      } else {
        item.name = e->id.name;
        span = e->id.span;
      }
      break;
    }
    default: {
      item.kind = WELD_WIT_ITEM_FUNC;
      uint32_t kind = e->func.async ? WELD_WIT_FUNC_ASYNC_FREESTANDING : WELD_WIT_FUNC_FREESTANDING;
      TRY(resolve_function(r, &it->docs, &it->attrs, e->id.name, &e->func, kind, WELD_WIT_NONE, &item.func));
      item.name = item.func.name;
      span = e->id.span;
      break;
    }
    }
    if (item.kind == WELD_WIT_ITEM_INTERFACE && e->kind != WIT_EK_LABELED) {
      if (wit_map_put(r->a, &ifaces[dir], &item.id, 4, 0) != WIT_MAP_MISSING)
        return fail(r, span, "interface cannot be %s more than once", dir ? "exported" : "imported");
    }
    TRY(world_insert(r, &r->u->worlds.data[wid], dir, &item, span, keys));
  }
  memset(&r->type_lookup, 0, sizeof r->type_lookup);
  return true;
}

/* ---- entry ---- */

weld_error_t *wit_unresolved_build(wit_arena_t *a, const wit_srcmap_t *sm, wit_ast_pkgfile_t *const *files,
                                   size_t nfiles, wit_upkg_t *out) {
  R r;
  memset(&r, 0, sizeof r);
  memset(out, 0, sizeof *out);
  r.a = a;
  r.sm = sm;
  r.u = out;
  r.files = files;
  r.nfiles = nfiles;
  out->sm = sm;
  bool have_name = false;
  for (size_t f = 0; f < nfiles; f++) {
    const wit_ast_pkgfile_t *pf = files[f];
    if (pf->has_pkg) {
      wit_pkg_name_t n = ast_pkg_name(&pf->pkg);
      if (have_name && wit_pkg_name_cmp(&n, &out->name) != 0) {
        const char *cur = wit_pkg_name_str(a, &n), *prev = wit_pkg_name_str(a, &out->name);
        return wit_error_at(sm, pf->pkg.span, "package identifier `%s` does not match previous package name of `%s`",
                            cur ? cur : "?", prev ? prev : "?");
      }
      have_name = true;
      out->name = n;
      out->name_span = pf->pkg.span;
      const char *docs = wit_docs_text(a, &pf->pkg.docs);
      if (docs) {
        if (out->docs) return wit_error_at(sm, pf->pkg.docs.span, "found doc comments on multiple 'package' items");
        out->docs = docs;
      }
    }
    for (size_t i = 0; i < pf->decls.items.len; i++)
      if (pf->decls.items.data[i].kind == WIT_AI_PACKAGE)
        return wit_error_at(sm, pf->decls.items.data[i].pkg->pkg.span, "nested packages must be placed at the top-level");
  }
  if (!have_name) {
    /* point at the first file of the package (there is no better place) */
    wit_span_t at = sm && sm->files.len ? (wit_span_t){sm->files.data[0].offset, sm->files.data[0].offset} : WIT_NO_SPAN;
    if (nfiles && files[0]->decls.items.len) {
      const wit_ast_item_t *it = &files[0]->decls.items.data[0];
      if (it->kind == WIT_AI_INTERFACE) at = it->iface->name.span;
      else if (it->kind == WIT_AI_WORLD) at = it->world->name.span;
      else if (it->kind == WIT_AI_USE) at = it->use->span;
    }
    return wit_error_at(sm, at, "no `package` header was found in any WIT file for this package");
  }
  r.file_items = wit_zalloc(a, (nfiles + 1) * sizeof(wit_map_t));
  if (!r.file_items) return base_error_oom();
  /* foreign dependencies first: their interfaces/worlds take the lowest indexes */
  for (size_t f = 0; f < nfiles && !r.err; f++) wit_for_each_path(&files[f]->decls, foreign_dep_cb, &r);
  if (r.err) return r.err;
  out->n_foreign_ifaces = out->interfaces.len;
  out->n_foreign_worlds = out->worlds.len;
  uint32_t *iface_order = NULL, *world_order = NULL;
  size_t ni = 0, nw = 0;
  if (!populate_ast_items(&r, &iface_order, &ni, &world_order, &nw)) return r.err ? r.err : base_error_oom();
  for (size_t f = 0; f < nfiles && !r.err; f++) {
    r.cur = f;
    wit_for_each_path(&files[f]->decls, foreign_types_cb, &r);
  }
  if (r.err) return r.err;
  /* map ids back to their AST nodes */
  const wit_ast_iface_t **iface_ast = wit_zalloc(a, (out->interfaces.len + 1) * sizeof *iface_ast);
  const wit_ast_world_t **world_ast = wit_zalloc(a, (out->worlds.len + 1) * sizeof *world_ast);
  size_t *iface_file = wit_zalloc(a, (out->interfaces.len + 1) * sizeof(size_t));
  size_t *world_file = wit_zalloc(a, (out->worlds.len + 1) * sizeof(size_t));
  if (!iface_ast || !world_ast || !iface_file || !world_file) return base_error_oom();
  for (size_t f = 0; f < nfiles; f++) {
    const wit_ast_decls_t *d = &files[f]->decls;
    for (size_t i = 0; i < d->items.len; i++) {
      const wit_ast_item_t *it = &d->items.data[i];
      if (it->kind == WIT_AI_INTERFACE) {
        uint32_t v = wit_map_gets(&r.file_items[f], it->iface->name.name);
        iface_ast[AI_ID(v)] = it->iface;
        iface_file[AI_ID(v)] = f;
      } else if (it->kind == WIT_AI_WORLD) {
        uint32_t v = wit_map_gets(&r.file_items[f], it->world->name.name);
        world_ast[AI_ID(v)] = it->world;
        world_file[AI_ID(v)] = f;
      }
    }
  }
  for (size_t k = 0; k < ni; k++) {
    uint32_t id = iface_order[k];
    r.cur = iface_file[id];
    const wit_ast_iface_t *ia = iface_ast[id];
    if (!resolve_interface(&r, id, &ia->items, &ia->docs, &ia->attrs)) return r.err ? r.err : base_error_oom();
  }
  for (size_t k = 0; k < nw; k++) {
    uint32_t id = world_order[k];
    r.cur = world_file[id];
    if (!resolve_world(&r, id, world_ast[id])) return r.err ? r.err : base_error_oom();
  }
  if (a->oom) return base_error_oom();
  return NULL;
}
