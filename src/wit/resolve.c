/* resolve.c — adding unresolved packages to a resolved set (WIT.md "WIT Packages and
 * `use`", "Feature gates"; the numbering follows wasm-tools' `Remap::append`).
 *
 * Packages of a group are sorted so dependencies come first; each is then appended:
 * references to other packages are bound to the interfaces/worlds/types already present,
 * items gated by a disabled feature are dropped, references to resources in value
 * positions become `own<T>` handles, functions returning borrows are rejected, and
 * finally each world's includes are processed and its imports/exports elaborated
 * (elaborate.c). */
#include "base/error.h"
#include "base/limits.h"
#include "wit/internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct remap {
  weld_wit_t *wit;
  wit_upkg_t *u;
  uint32_t pkg;
  uint32_t *types, *ifaces, *worlds; /* unresolved index -> resolved, WELD_WIT_NONE if gated out */
  wit_map_t own_handles;             /* resolved type id -> own<T> handle type */
  struct { int8_t *data; size_t len, cap; } has_borrow;
  struct { int8_t *data; size_t len, cap; } is_res; /* per type: 1 if it is (an alias of) a resource */
  /* name lookups into earlier packages, built on first use */
  wit_map_t lookup_ids;  /* "p"+package id or "i"+interface id -> index into lookups */
  struct { wit_map_t *data; size_t len, cap; } lookups;
  weld_error_t *err;
} remap_t;

#define TRY(x) \
  do { \
    if (!(x)) return false; \
  } while (0)

static bool oom(remap_t *m) {
  if (!m->err) m->err = base_error_oom();
  return false;
}

static bool fail(remap_t *m, wit_span_t span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(remap_t *m, wit_span_t span, const char *fmt, ...) {
  if (m->err) return false;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  m->err = wit_error_at(m->u->sm, span, "%s", msg);
  return false;
}

int wit_include_stability(weld_wit_t *wit, const weld_wit_stability_t *s, uint32_t pkg, const wit_srcmap_t *sm,
                          wit_span_t span, weld_error_t **err) {
  switch (s->kind) {
  case WELD_WIT_STABILITY_STABLE: {
    const weld_wit_package_t *p = &wit->packages.data[pkg];
    if (!p->version) {
      *err = wit_error_at(sm, span,
                          "package [%s] contains a feature gate with a version specifier, so it must have a version",
                          p->full_name);
      return -1;
    }
    if (wit_semver_cmp_str(s->since, p->version) > 0) {
      *err = wit_error_at(sm, span,
                          "feature gate cannot reference unreleased version %s of package [%s] (current version %s)",
                          s->since, p->full_name, p->version);
      return -1;
    }
    return 1;
  }
  case WELD_WIT_STABILITY_UNSTABLE:
    return wit->all_features || wit_map_gets(&wit->features, s->feature) != WIT_MAP_MISSING;
  default:
    return 1;
  }
}

/* 1 = keep, 0 = gated out, -1 = error */
static int include_stability(remap_t *m, const weld_wit_stability_t *s, wit_span_t span) {
  if (m->u->ungated && s->kind == WELD_WIT_STABILITY_UNSTABLE) return 1;
  weld_error_t *e = NULL;
  int r = wit_include_stability(m->wit, s, m->pkg, m->u->sm, span, &e);
  if (r < 0 && !m->err) m->err = e;
  else if (e) weld_error_delete(e);
  return r;
}

static const char *excluded_msg(const char *what) {
  switch (what[0]) {
  case 't': return "found a reference to a type which is excluded due to its feature not being activated";
  case 'w': return "found a reference to a world which is excluded due to its feature not being activated";
  default: return "found a reference to a interface which is excluded due to its feature not being activated";
  }
}

static bool map_type(remap_t *m, uint32_t id, wit_span_t span, uint32_t *out) {
  if (id >= m->u->types.len) return fail(m, span, "internal error: type index out of range");
  if (m->types[id] == WELD_WIT_NONE) return fail(m, span, "%s", excluded_msg("type"));
  *out = m->types[id];
  return true;
}

static bool map_iface(remap_t *m, uint32_t id, wit_span_t span, uint32_t *out) {
  if (id >= m->u->interfaces.len) return fail(m, span, "internal error: interface index out of range");
  if (m->ifaces[id] == WELD_WIT_NONE) return fail(m, span, "%s", excluded_msg("interface"));
  *out = m->ifaces[id];
  return true;
}

static uint32_t push_type(remap_t *m, const weld_wit_typedef_t *td) {
  if (m->wit->types.len >= WELD_MAX_WIT_TYPES) {
    if (!m->err) m->err = base_error("too many WIT types (more than %u)", WELD_MAX_WIT_TYPES);
    return WELD_WIT_NONE;
  }
  if (!AVEC_PUSH(&m->wit->arena, &m->wit->types, *td)) {
    oom(m);
    return WELD_WIT_NONE;
  }
  return (uint32_t)m->wit->types.len - 1;
}

/* Does type `id` (resolved) contain a borrow handle?  Types only refer to lower indexes,
 * so the cache is filled bottom-up without recursion. */
static bool has_borrow(remap_t *m, weld_wit_type_t t) {
  if (t.tag != WELD_WIT_T_ID) return false;
  weld_wit_t *wit = m->wit;
  if (!AVEC_RESERVE(&wit->arena, &m->has_borrow, wit->types.len - m->has_borrow.len + 1)) return oom(m), false;
  while (m->has_borrow.len <= t.id) {
    size_t i = m->has_borrow.len;
    const weld_wit_typedef_t *td = &wit->types.data[i];
    int8_t *hb = m->has_borrow.data;
#define HB(ty) ((ty).tag == WELD_WIT_T_ID && (ty).id < i && hb[(ty).id])
    int8_t v = 0;
    switch (td->kind) {
    case WELD_WIT_KIND_BORROW: v = 1; break;
    case WELD_WIT_KIND_OWN:
    case WELD_WIT_KIND_RESOURCE:
    case WELD_WIT_KIND_FLAGS:
    case WELD_WIT_KIND_ENUM: v = 0; break;
    case WELD_WIT_KIND_RECORD:
    case WELD_WIT_KIND_TUPLE:
    case WELD_WIT_KIND_VARIANT:
      for (size_t k = 0; k < td->cases.len && !v; k++) v = HB(td->cases.data[k].type);
      break;
    default: v = HB(td->a) || HB(td->b); break;
    }
#undef HB
    m->has_borrow.data[m->has_borrow.len++] = v;
  }
  return m->has_borrow.data[t.id];
}

static bool update_type_id(remap_t *m, uint32_t *id, wit_span_t span) { return map_type(m, *id, span, id); }

/* Is resolved type `id` a resource, or an alias of one?  Aliases refer to lower indexes,
 * so a cache filled bottom-up answers in constant time (long `type a = b` chains used
 * many times would otherwise cost their length at every use). */
static int is_resource(remap_t *m, uint32_t id) {
  weld_wit_t *wit = m->wit;
  if (!AVEC_RESERVE(&wit->arena, &m->is_res, wit->types.len - m->is_res.len + 1)) return oom(m), -1;
  while (m->is_res.len <= id) {
    size_t i = m->is_res.len;
    const weld_wit_typedef_t *td = &wit->types.data[i];
    int8_t v = td->kind == WELD_WIT_KIND_RESOURCE;
    if (td->kind == WELD_WIT_KIND_ALIAS && td->a.tag == WELD_WIT_T_ID && td->a.id < i) v = m->is_res.data[td->a.id];
    m->is_res.data[m->is_res.len++] = v;
  }
  return m->is_res.data[id];
}

/* A reference in value position: map it, and turn references to resources into own<T>. */
static bool update_ty(remap_t *m, weld_wit_type_t *t, wit_span_t span) {
  if (t->tag != WELD_WIT_T_ID) return true;
  TRY(update_type_id(m, &t->id, span));
  weld_wit_t *wit = m->wit;
  int res = is_resource(m, t->id);
  if (res < 0) return false;
  if (!res) return true;
  uint32_t h = wit_map_get(&m->own_handles, &t->id, 4);
  if (h == WIT_MAP_MISSING) {
    weld_wit_typedef_t own;
    memset(&own, 0, sizeof own);
    own.kind = WELD_WIT_KIND_OWN;
    own.a = wit_ty_id(t->id);
    own.owner = WELD_WIT_NONE;
    h = push_type(m, &own);
    if (h == WELD_WIT_NONE) return false;
    uint32_t *key = wit_alloc(&wit->arena, 4);
    if (!key) return oom(m);
    *key = t->id;
    wit_map_put(&wit->arena, &m->own_handles, key, 4, h);
  }
  t->id = h;
  return true;
}

static bool update_typedef(remap_t *m, weld_wit_typedef_t *td, wit_span_t span, const wit_span_t *case_spans) {
  switch (td->kind) {
  case WELD_WIT_KIND_OWN:
  case WELD_WIT_KIND_BORROW: return update_type_id(m, &td->a.id, span);
  case WELD_WIT_KIND_ALIAS: return td->a.tag == WELD_WIT_T_ID ? update_type_id(m, &td->a.id, span) : true;
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_TUPLE:
  case WELD_WIT_KIND_VARIANT: {
    /* cases are shared with the unresolved package: copy before rewriting */
    weld_wit_case_t *c = wit_alloc(&m->wit->arena, (td->cases.len + 1) * sizeof *c);
    if (!c) return oom(m);
    wit_copy(c, td->cases.data, td->cases.len * sizeof *c);
    td->cases.data = c;
    td->cases.cap = td->cases.len;
    for (size_t i = 0; i < td->cases.len; i++) TRY(update_ty(m, &c[i].type, case_spans ? case_spans[i] : span));
    return true;
  }
  case WELD_WIT_KIND_RESOURCE:
  case WELD_WIT_KIND_FLAGS:
  case WELD_WIT_KIND_ENUM: return true;
  default:
    TRY(update_ty(m, &td->a, span));
    return update_ty(m, &td->b, span);
  }
}

static bool update_function(remap_t *m, weld_wit_func_t *f, wit_span_t span) {
  if (f->kind != WELD_WIT_FUNC_FREESTANDING && f->kind != WELD_WIT_FUNC_ASYNC_FREESTANDING)
    TRY(update_type_id(m, &f->resource, span));
  weld_wit_param_t *p = wit_alloc(&m->wit->arena, (f->params.len + 1) * sizeof *p);
  if (!p) return oom(m);
  wit_copy(p, f->params.data, f->params.len * sizeof *p);
  f->params.data = p;
  f->params.cap = f->params.len;
  for (size_t i = 0; i < f->params.len; i++) TRY(update_ty(m, &p[i].type, span));
  TRY(update_ty(m, &f->result, span));
  if (has_borrow(m, f->result))
    return fail(m, span, "function `%s` returns a type which contains a `borrow<T>` which is not supported", f->name);
  return !m->err;
}

static bool package_not_found(remap_t *m, const wit_pkg_name_t *pn, wit_span_t span) {
  weld_wit_t *wit = m->wit;
  char known[600] = "";
  size_t used = 0;
  for (size_t i = 0; i < wit->packages.len && used + 1 < sizeof known; i++) {
    int n = snprintf(known + used, sizeof known - used, "\n    %s", wit->packages.data[i].full_name);
    if (n > 0) used += (size_t)n;
  }
  const char *name = wit_pkg_name_str(&wit->arena, pn);
  if (!wit->packages.len || (wit->packages.len == 1 && m->pkg == 0))
    return fail(m, span, "package '%s' not found. no known packages.", name ? name : "?");
  return fail(m, span, "package '%s' not found. known packages:%s", name ? name : "?", known);
}

/* Finds `name` in a named list (a package's interfaces/worlds, an interface's types),
 * through a hash map built the first time that list is searched. */
static uint32_t find_named(remap_t *m, char kind, uint32_t owner, const weld_wit_named_t *v, size_t n,
                           const char *name) {
  if (n < 16) {
    for (size_t i = 0; i < n; i++)
      if (!strcmp(v[i].name, name)) return v[i].id;
    return WELD_WIT_NONE;
  }
  wit_arena_t *a = &m->wit->arena;
  char key[5];
  key[0] = kind;
  memcpy(key + 1, &owner, 4);
  uint32_t li = wit_map_get(&m->lookup_ids, key, 5);
  if (li == WIT_MAP_MISSING) {
    wit_map_t mp = {0};
    for (size_t i = 0; i < n; i++) wit_map_put(a, &mp, v[i].name, strlen(v[i].name), v[i].id);
    char *k = wit_alloc(a, 5);
    if (!k || !AVEC_PUSH(a, &m->lookups, mp)) return WELD_WIT_NONE;
    memcpy(k, key, 5);
    li = (uint32_t)m->lookups.len - 1;
    wit_map_put(a, &m->lookup_ids, k, 5, li);
  }
  uint32_t id = wit_map_gets(&m->lookups.data[li], name);
  return id == WIT_MAP_MISSING ? WELD_WIT_NONE : id;
}

static bool process_foreign(remap_t *m) {
  weld_wit_t *wit = m->wit;
  wit_upkg_t *u = m->u;
  /* which foreign package/item each placeholder interface/world stands for */
  struct who { uint32_t pkg, item; };
  struct who *wi = wit_zalloc(&wit->arena, (u->n_foreign_ifaces + u->n_foreign_worlds + 1) * sizeof *wi);
  uint32_t *pids = wit_alloc(&wit->arena, (u->foreign.len + 1) * sizeof(uint32_t));
  if (!wi || !pids) return oom(m);
  for (size_t i = 0; i < u->foreign.len; i++) {
    wit_foreign_pkg_t *fp = &u->foreign.data[i];
    const char *full = wit_pkg_name_str(&wit->arena, &fp->name);
    if (!full) return oom(m);
    pids[i] = wit_map_gets(&wit->package_names, full);
    for (size_t j = 0; j < fp->items.len; j++) {
      wit_foreign_item_t *it = &fp->items.data[j];
      size_t slot = it->is_world ? u->n_foreign_ifaces + it->id : it->id;
      wi[slot] = (struct who){(uint32_t)i, (uint32_t)j};
    }
  }
  for (size_t s = 0; s < u->n_foreign_ifaces + u->n_foreign_worlds; s++) {
    wit_foreign_pkg_t *fp = &u->foreign.data[wi[s].pkg];
    wit_foreign_item_t *it = &fp->items.data[wi[s].item];
    uint32_t pid = pids[wi[s].pkg];
    wit_span_t ispan = it->is_world ? u->worlds.data[it->id].span : u->interfaces.data[it->id].span;
    if (pid == WIT_MAP_MISSING || pid >= m->pkg) return package_not_found(m, &fp->name, fp->span);
    bool enabled = false;
    for (size_t k = 0; k < it->stabilities.len && !enabled; k++) {
      int r = include_stability(m, &it->stabilities.data[k], ispan);
      if (r < 0) return false;
      enabled = r > 0;
    }
    if (!enabled) {
      (it->is_world ? m->worlds : m->ifaces)[it->id] = WELD_WIT_NONE;
      continue;
    }
    const weld_wit_package_t *p = &wit->packages.data[pid];
    if (it->is_world) {
      uint32_t w = find_named(m, 'w', pid, p->worlds.data, p->worlds.len, it->name);
      if (w == WELD_WIT_NONE) return fail(m, ispan, "world '%s' not found in package '%s'", it->name, p->full_name);
      m->worlds[it->id] = w;
    } else {
      uint32_t f = find_named(m, 'p', pid, p->interfaces.data, p->interfaces.len, it->name);
      if (f == WELD_WIT_NONE)
        return fail(m, ispan, "interface '%s' not found in package '%s'", it->name, p->full_name);
      m->ifaces[it->id] = f;
    }
  }
  for (size_t i = 0; i < u->n_foreign_types; i++) {
    const weld_wit_typedef_t *td = &u->types.data[i];
    wit_span_t span = u->type_spans.data[i];
    int r = include_stability(m, &td->stability, span);
    if (r < 0) return false;
    if (!r) {
      m->types[i] = WELD_WIT_NONE;
      continue;
    }
    uint32_t iface;
    if (m->ifaces[td->owner] == WELD_WIT_NONE) return fail(m, span, "%s", excluded_msg("interface"));
    iface = m->ifaces[td->owner];
    const weld_wit_interface_t *fi = &wit->interfaces.data[iface];
    uint32_t t = find_named(m, 'i', iface, fi->types.data, fi->types.len, td->name);
    if (t == WELD_WIT_NONE) return fail(m, span, "type `%s` not defined in interface", td->name);
    m->types[i] = t;
  }
  for (size_t i = 0; i < u->required_resources.len; i++) {
    uint32_t id = u->required_resources.data[i].id;
    if (id >= u->types.len || m->types[id] == WELD_WIT_NONE) continue;
    uint32_t cur = m->types[id];
    for (size_t guard = 0; guard <= wit->types.len; guard++) {
      const weld_wit_typedef_t *td = &wit->types.data[cur];
      if (td->kind == WELD_WIT_KIND_ALIAS && td->a.tag == WELD_WIT_T_ID) {
        cur = td->a.id;
        continue;
      }
      if (td->kind != WELD_WIT_KIND_RESOURCE)
        return fail(m, u->required_resources.data[i].span, "type used in a handle must be a resource");
      break;
    }
  }
  return true;
}

static bool update_world(remap_t *m, wit_uworld_t *uw, weld_wit_world_t *w) {
  memset(&w->imports, 0, sizeof w->imports);
  memset(&w->exports, 0, sizeof w->exports);
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? uw->w.exports.len : uw->w.imports.len;
    for (size_t i = 0; i < n; i++) {
      weld_wit_world_item_t it = dir ? uw->w.exports.data[i] : uw->w.imports.data[i];
      wit_span_t span = dir ? uw->export_spans.data[i] : uw->import_spans.data[i];
      if (it.kind == WELD_WIT_ITEM_TYPE) TRY(map_type(m, it.id, span, &it.id));
      const weld_wit_stability_t *st = it.kind == WELD_WIT_ITEM_INTERFACE ? &it.stability
                                       : it.kind == WELD_WIT_ITEM_FUNC    ? &it.func.stability
                                                                          : &m->wit->types.data[it.id].stability;
      int r = include_stability(m, st, span);
      if (r < 0) return false;
      if (!r) continue;
      if (!it.name) TRY(map_iface(m, it.key_interface, span, &it.key_interface));
      if (it.kind == WELD_WIT_ITEM_INTERFACE) TRY(map_iface(m, it.id, span, &it.id));
      else if (it.kind == WELD_WIT_ITEM_FUNC) TRY(update_function(m, &it.func, span));
      bool ok = dir ? AVEC_PUSH(&m->wit->arena, &w->exports, it) : AVEC_PUSH(&m->wit->arena, &w->imports, it);
      if (!ok) return oom(m);
    }
  }
  return true;
}

weld_error_t *wit_resolve_append(weld_wit_t *wit, wit_upkg_t *u, uint32_t *pkg_out) {
  wit_arena_t *a = &wit->arena;
  remap_t m;
  memset(&m, 0, sizeof m);
  m.wit = wit;
  m.u = u;
  weld_wit_package_t pkg;
  memset(&pkg, 0, sizeof pkg);
  pkg.namespace_ = wit_strdup(a, u->name.ns);
  pkg.name = wit_strdup(a, u->name.name);
  pkg.version = wit_strdup(a, u->name.version);
  pkg.full_name = wit_pkg_name_str(a, &u->name);
  pkg.docs = u->docs;
  if (!pkg.full_name || !AVEC_PUSH(a, &wit->packages, pkg)) return base_error_oom();
  m.pkg = (uint32_t)wit->packages.len - 1;
  if (wit_map_puts(a, &wit->package_names, pkg.full_name, m.pkg) != WIT_MAP_MISSING) {
    wit->packages.len--;
    return wit_error_at(u->sm, u->name_span, "package `%s` is already loaded", pkg.full_name);
  }
  m.types = wit_alloc(a, (u->types.len + 1) * sizeof(uint32_t));
  m.ifaces = wit_alloc(a, (u->interfaces.len + 1) * sizeof(uint32_t));
  m.worlds = wit_alloc(a, (u->worlds.len + 1) * sizeof(uint32_t));
  if (!m.types || !m.ifaces || !m.worlds) return base_error_oom();
#define FAIL() return m.err ? m.err : base_error_oom()
  if (!process_foreign(&m)) FAIL();

  /* types */
  for (size_t i = u->n_foreign_types; i < u->types.len; i++) {
    weld_wit_typedef_t td = u->types.data[i];
    wit_span_t span = u->type_spans.data[i];
    int r = include_stability(&m, &td.stability, span);
    if (r < 0) FAIL();
    if (!r) {
      m.types[i] = WELD_WIT_NONE;
      continue;
    }
    if (!update_typedef(&m, &td, span, u->case_spans.data[i])) FAIL();
    uint32_t id = push_type(&m, &td);
    if (id == WELD_WIT_NONE) FAIL();
    if (!td.name && td.owner_kind == WELD_WIT_OWNER_NONE && td.kind == WELD_WIT_KIND_OWN) {
      uint32_t *key = wit_alloc(a, 4);
      if (!key) return base_error_oom();
      *key = td.a.id;
      uint32_t prev = wit_map_put(a, &m.own_handles, key, 4, id);
      if (prev != WIT_MAP_MISSING) id = prev;
    }
    m.types[i] = id;
  }

  /* interfaces */
  for (size_t i = u->n_foreign_ifaces; i < u->interfaces.len; i++) {
    wit_uiface_t *ui = &u->interfaces.data[i];
    int r = include_stability(&m, &ui->i.stability, ui->span);
    if (r < 0) FAIL();
    if (!r) {
      m.ifaces[i] = WELD_WIT_NONE;
      continue;
    }
    weld_wit_interface_t iface = ui->i;
    iface.package = m.pkg;
    memset(&iface.types, 0, sizeof iface.types);
    for (size_t k = 0; k < ui->i.types.len; k++) {
      weld_wit_named_t nm = ui->i.types.data[k];
      if (m.types[nm.id] == WELD_WIT_NONE) continue;
      nm.id = m.types[nm.id];
      if (!AVEC_PUSH(a, &iface.types, nm)) return base_error_oom();
    }
    memset(&iface.funcs, 0, sizeof iface.funcs);
    for (size_t k = 0; k < ui->i.funcs.len; k++) {
      weld_wit_func_t f = ui->i.funcs.data[k];
      r = include_stability(&m, &f.stability, ui->func_spans.data[k]);
      if (r < 0) FAIL();
      if (!r) continue;
      if (!update_function(&m, &f, ui->func_spans.data[k])) FAIL();
      if (!AVEC_PUSH(a, &iface.funcs, f)) return base_error_oom();
    }
    if (!AVEC_PUSH(a, &wit->interfaces, iface)) return base_error_oom();
    m.ifaces[i] = (uint32_t)wit->interfaces.len - 1;
  }
  for (size_t i = u->n_foreign_types; i < u->types.len; i++) {
    if (m.types[i] == WELD_WIT_NONE) continue;
    weld_wit_typedef_t *td = &wit->types.data[m.types[i]];
    if (td->owner_kind == WELD_WIT_OWNER_INTERFACE && u->types.data[i].owner_kind == WELD_WIT_OWNER_INTERFACE &&
        td->owner == u->types.data[i].owner) {
      uint32_t o = u->types.data[i].owner;
      if (m.ifaces[o] == WELD_WIT_NONE) {
        fail(&m, u->type_spans.data[i], "%s; this type is not gated by a feature but its interface is",
             excluded_msg("interface"));
        FAIL();
      }
      td->owner = m.ifaces[o];
    }
  }

  /* worlds */
  for (size_t i = u->n_foreign_worlds; i < u->worlds.len; i++) {
    wit_uworld_t *uw = &u->worlds.data[i];
    int r = include_stability(&m, &uw->w.stability, uw->span);
    if (r < 0) FAIL();
    if (!r) {
      m.worlds[i] = WELD_WIT_NONE;
      continue;
    }
    weld_wit_world_t w = uw->w;
    if (!update_world(&m, uw, &w)) FAIL();
    w.package = WELD_WIT_NONE;
    if (!AVEC_PUSH(a, &wit->worlds, w)) return base_error_oom();
    m.worlds[i] = (uint32_t)wit->worlds.len - 1;
  }
  for (size_t i = u->n_foreign_types; i < u->types.len; i++) {
    if (m.types[i] == WELD_WIT_NONE) continue;
    weld_wit_typedef_t *td = &wit->types.data[m.types[i]];
    if (td->owner_kind == WELD_WIT_OWNER_WORLD && u->types.data[i].owner_kind == WELD_WIT_OWNER_WORLD &&
        td->owner == u->types.data[i].owner) {
      uint32_t o = u->types.data[i].owner;
      if (m.worlds[o] == WELD_WIT_NONE) {
        fail(&m, u->type_spans.data[i], "%s; this type is not gated by a feature but its world is",
             excluded_msg("world"));
        FAIL();
      }
      td->owner = m.worlds[o];
    }
  }

  /* includes and elaboration */
  for (size_t i = u->n_foreign_worlds; i < u->worlds.len; i++) {
    if (m.worlds[i] == WELD_WIT_NONE) continue;
    weld_error_t *e = wit_world_finish(wit, m.worlds[i], m.pkg, &u->worlds.data[i], m.worlds, u->sm);
    if (e) return e;
  }

  /* parent links */
  weld_wit_package_t *p = &wit->packages.data[m.pkg];
  for (size_t i = u->n_foreign_ifaces; i < u->interfaces.len; i++) {
    if (m.ifaces[i] == WELD_WIT_NONE) continue;
    weld_wit_interface_t *iface = &wit->interfaces.data[m.ifaces[i]];
    iface->package = m.pkg;
    if (iface->name) {
      weld_wit_named_t nm = {iface->name, m.ifaces[i]};
      if (!AVEC_PUSH(a, &p->interfaces, nm)) return base_error_oom();
    }
  }
  for (size_t i = u->n_foreign_worlds; i < u->worlds.len; i++) {
    if (m.worlds[i] == WELD_WIT_NONE) continue;
    weld_wit_world_t *w = &wit->worlds.data[m.worlds[i]];
    w->package = m.pkg;
    weld_wit_named_t nm = {w->name, m.worlds[i]};
    if (!AVEC_PUSH(a, &p->worlds, nm)) return base_error_oom();
  }
#undef FAIL
  if (a->oom) return base_error_oom();
  if (pkg_out) *pkg_out = m.pkg;
  return NULL;
}

/* ---- package groups ---- */

typedef struct frame {
  size_t pkg, dep;
} frame_t;

/* Sorts package indexes by name (merge sort: qsort has no context argument, and a
 * global would not be thread-safe). */
static void sort_by_name(const wit_upkg_t *pkgs, size_t *v, size_t *tmp, size_t n) {
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        tmp[k++] = wit_pkg_name_cmp(&pkgs[v[j]].name, &pkgs[v[i]].name) < 0 ? v[j++] : v[i++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, n * sizeof *v);
  }
}

/* Drops the stubs (partial packages decoded from binaries) that are not needed: their
 * package is loaded already, pushed with them, or stubbed by an earlier binary. */
static weld_error_t *drop_stubs(weld_wit_t *wit, wit_upkg_t **pkgs, size_t *n, size_t *main_index) {
  wit_arena_t *a = &wit->arena;
  wit_map_t names = {0};
  for (size_t i = 0; i < *n; i++) {
    if ((*pkgs)[i].stub) continue;
    const char *f = wit_pkg_name_str(a, &(*pkgs)[i].name);
    if (!f) return base_error_oom();
    wit_map_puts(a, &names, f, (uint32_t)i);
  }
  wit_upkg_t *kept = wit_alloc(a, (*n + 1) * sizeof *kept);
  if (!kept || a->oom) return base_error_oom();
  size_t k = 0, new_main = 0;
  for (size_t i = 0; i < *n; i++) {
    wit_upkg_t *p = &(*pkgs)[i];
    if (p->stub) {
      const char *f = wit_pkg_name_str(a, &p->name);
      if (!f) return base_error_oom();
      if (wit_map_gets(&wit->package_names, f) != WIT_MAP_MISSING) continue;
      if (wit_map_puts(a, &names, f, (uint32_t)i) != WIT_MAP_MISSING) continue;
      if (a->oom) return base_error_oom();
    }
    if (i == *main_index) new_main = k;
    kept[k++] = *p;
  }
  *pkgs = kept;
  *n = k;
  *main_index = new_main;
  return NULL;
}

weld_error_t *wit_resolve_group(weld_wit_t *wit, wit_upkg_t *pkgs, size_t n, size_t main_index, uint32_t *main_pkg) {
  wit_arena_t *a = &wit->arena;
  weld_error_t *de = drop_stubs(wit, &pkgs, &n, &main_index);
  if (de) return de;
  /* sort by name (names are unique, so any sort gives the same order) */
  size_t *sorted = wit_alloc(a, (n + 1) * sizeof(size_t));
  const char **full = wit_alloc(a, (n + 1) * sizeof(char *));
  if (!sorted || !full) return base_error_oom();
  wit_map_t by_name = {0};
  for (size_t i = 0; i < n; i++) {
    full[i] = wit_pkg_name_str(a, &pkgs[i].name);
    if (!full[i]) return base_error_oom();
    uint32_t prev = wit_map_puts(a, &by_name, full[i], (uint32_t)i);
    if (prev != WIT_MAP_MISSING) {
      char l1[512], l2[512];
      wit_render_location(pkgs[i].sm, pkgs[i].name_span, l1, sizeof l1);
      wit_render_location(pkgs[prev].sm, pkgs[prev].name_span, l2, sizeof l2);
      return base_error("package %s is defined in two different locations:\n  * %s\n  * %s", full[i], l1, l2);
    }
  }
  /* roots: packages decoded from binaries first, in load order (wasm-tools pushes them
   * as it meets them), then the others by name */
  size_t nb = 0;
  for (size_t i = 0; i < n; i++)
    if (pkgs[i].from_binary && !pkgs[i].stub) sorted[nb++] = i;
  size_t nr = nb;
  for (size_t i = 0; i < n; i++)
    if (!(pkgs[i].from_binary && !pkgs[i].stub)) sorted[nr++] = i;
  size_t *tmp = wit_alloc(a, (n + 1) * sizeof *tmp);
  if (!tmp) return base_error_oom();
  sort_by_name(pkgs, sorted + nb, tmp, n - nb);
  /* depth-first topological order over foreign deps, in name order */
  uint8_t *done = wit_zalloc(a, n + 1), *visiting = wit_zalloc(a, n + 1);
  size_t *order = wit_alloc(a, (n + 1) * sizeof(size_t));
  frame_t *stack = wit_alloc(a, (n + 1) * sizeof(frame_t));
  if (!done || !visiting || !order || !stack) return base_error_oom();
  size_t on = 0;
  for (size_t s = 0; s < n; s++) {
    size_t root = sorted[s];
    if (done[root]) continue;
    size_t sp = 0;
    stack[sp++] = (frame_t){root, 0};
    while (sp) {
      frame_t *f = &stack[sp - 1];
      wit_upkg_t *p = &pkgs[f->pkg];
      if (f->dep < p->foreign.len) {
        wit_foreign_pkg_t *fp = &p->foreign.data[f->dep];
        const char *dn = wit_pkg_name_str(a, &fp->name);
        if (!dn) return base_error_oom();
        uint32_t d = wit_map_gets(&by_name, dn);
        if (d != WIT_MAP_MISSING && visiting[d])
          return wit_error_at(p->sm, fp->span, "package `%s` creates a dependency cycle", dn);
        if (d != WIT_MAP_MISSING && !done[d]) {
          if (sp > n) return wit_error_at(p->sm, fp->span, "package `%s` creates a dependency cycle", dn);
          visiting[d] = 1;
          stack[sp++] = (frame_t){d, 0};
          continue;
        }
        f->dep++;
        continue;
      }
      done[f->pkg] = 1;
      order[on++] = f->pkg;
      sp--;
      if (sp) {
        visiting[f->pkg] = 0;
        stack[sp - 1].dep++;
      }
    }
  }
  for (size_t k = 0; k < on; k++) {
    uint32_t id;
    weld_error_t *e = wit_resolve_append(wit, &pkgs[order[k]], &id);
    if (e) return e;
    if (order[k] == main_index && main_pkg) *main_pkg = id;
  }
  return NULL;
}
