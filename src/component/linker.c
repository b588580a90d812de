/* linker.c — weld_linker_*: what a host offers to the imports of components, and the
 * resolution and type checking of a component's imports against it (instantiate_pre), in
 * the sense of design/mvp/Explainer.md "Import and Export Definitions" and "Type checking"
 * (an import is satisfied by a definition whose type is a subtype of the import's type).
 *
 * A linker instance is a list of named definitions: host functions (dynamic, or flat for
 * scalar signatures), nested instances, host resource types, core modules, and the exports
 * of live component instances (weld_linker_instance_from).  Names are exact, except that an
 * interface name with a version (`ns:pkg/iface@1.2.3`) also matches a definition with a
 * semver-compatible version (same major, or same minor for 0.x), as wasmtime does.
 *
 * instantiate_pre walks the root component's imports once, finds and checks every
 * definition, and builds the run-time values the instances will import (weld_cfunc_t for
 * host functions, comp_inst_t for instances, resource types, modules); instantiation only
 * copies them. */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include <stdio.h>
#include <string.h>

#define TRY(x)                        \
  do {                                \
    weld_error_t *err_ = (x);         \
    if (err_) return err_;            \
  } while (0)

/* ---------------------------------------------------------------- host functions */

void comp_hostfn_ref(comp_hostfn_t *f) { atomic_fetch_add_explicit(&f->refs, 1, memory_order_relaxed); }

void comp_hostfn_unref(comp_hostfn_t *f) {
  if (!f || atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) != 1) return;
  if (f->finalizer) f->finalizer(f->env);
  base_free(f->kinds, (f->nparams + f->nresults ? f->nparams + f->nresults : 1) * sizeof *f->kinds);
  base_free(f->name, 0);
  base_free(f, sizeof *f);
}

/* ---------------------------------------------------------------- linker */

static weld_linker_instance_t *li_new(weld_linker_t *l) {
  weld_linker_instance_t *li = base_calloc(1, sizeof *li);
  if (!li) return NULL;
  li->linker = l;
  if (!VEC_PUSH(&l->all, li)) {
    base_free(li, sizeof *li);
    return NULL;
  }
  return li;
}

weld_linker_t *weld_linker_new(weld_engine_t *engine) {
  if (!engine) return NULL;
  weld_linker_t *l = base_calloc(1, sizeof *l);
  if (!l) return NULL;
  l->engine = engine;
  l->root = li_new(l);
  if (!l->root) {
    base_free(l, sizeof *l);
    return NULL;
  }
  return l;
}

static void def_release(comp_ldef_t *d) {
  switch (d->kind) {
  case COMP_LDEF_FUNC: comp_hostfn_unref(d->u.fn); break;
  case COMP_LDEF_RESOURCE: comp_rtype_unref(d->u.rt); break;
  case COMP_LDEF_MODULE: core_module_release(d->u.module); break;
  default: break; /* instances: owned by the linker's list; live instances: by their store */
  }
  d->kind = 0xff;
}

void weld_linker_delete(weld_linker_t *l) {
  if (!l) return;
  for (size_t i = 0; i < l->all.len; i++) {
    weld_linker_instance_t *li = l->all.data[i];
    for (size_t k = 0; k < li->defs.len; k++) {
      def_release(&li->defs.data[k]);
      base_free(li->defs.data[k].name, li->defs.data[k].len + 1);
    }
    VEC_FREE(&li->defs);
    base_free(li, sizeof *li);
  }
  VEC_FREE(&l->all);
  base_free(l, sizeof *l);
}

void weld_linker_allow_shadowing(weld_linker_t *l, bool allow) {
  if (l) l->shadowing = allow;
}

weld_linker_instance_t *weld_linker_root(weld_linker_t *l) { return l ? l->root : NULL; }

static comp_ldef_t *find_exact(weld_linker_instance_t *li, const char *name, size_t len) {
  for (size_t i = 0; i < li->defs.len; i++)
    if (li->defs.data[i].len == len && memcmp(li->defs.data[i].name, name, len) == 0) return &li->defs.data[i];
  return NULL;
}

/* "1.2.3-pre" -> numbers; false if not a version. */
static bool parse_version(const char *s, size_t n, uint64_t v[3], bool *pre) {
  size_t i = 0;
  for (int k = 0; k < 3; k++) {
    if (i >= n || s[i] < '0' || s[i] > '9') return false;
    uint64_t x = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      x = x * 10 + (uint64_t)(s[i] - '0');
      if (x > UINT32_MAX) return false;
      i++;
    }
    v[k] = x;
    if (k < 2) {
      if (i >= n || s[i] != '.') return false;
      i++;
    }
  }
  *pre = i < n;
  return i == n || s[i] == '-' || s[i] == '+';
}

static int version_cmp(const uint64_t a[3], const uint64_t b[3]) {
  for (int k = 0; k < 3; k++)
    if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

/* Semver-compatible lookup of `pkg@ver` (see the file comment); the highest match wins. */
static comp_ldef_t *find_compatible(weld_linker_instance_t *li, const char *name, size_t len) {
  const char *at = memchr(name, '@', len);
  if (!at) return NULL;
  size_t plen = (size_t)(at - name) + 1;
  uint64_t want[3], best[3] = {0, 0, 0};
  bool pre;
  if (!parse_version(at + 1, len - plen, want, &pre) || pre) return NULL;
  comp_ldef_t *found = NULL;
  for (size_t i = 0; i < li->defs.len; i++) {
    comp_ldef_t *d = &li->defs.data[i];
    if (d->kind == 0xff || d->len <= plen || memcmp(d->name, name, plen) != 0) continue;
    uint64_t have[3];
    bool hpre;
    if (!parse_version(d->name + plen, d->len - plen, have, &hpre) || hpre) continue;
    bool ok = want[0] != 0 ? have[0] == want[0] : want[1] != 0 ? (have[0] == 0 && have[1] == want[1]) : false;
    if (!ok) continue;
    if (!found || version_cmp(have, best) > 0) {
      found = d;
      memcpy(best, have, sizeof best);
    }
  }
  return found;
}

static comp_ldef_t *lookup(weld_linker_instance_t *li, const char *name, size_t len) {
  comp_ldef_t *d = find_exact(li, name, len);
  return d ? d : find_compatible(li, name, len);
}

/* A new definition slot for `name` (replacing a previous one when shadowing is allowed). */
static weld_error_t *def_slot(weld_linker_instance_t *li, const char *name, comp_ldef_t **out) {
  if (!li || !name) return base_error("weld_linker: invalid argument");
  size_t len = strlen(name);
  if (len > WELD_MAX_NAME_BYTES) return base_error("name too long");
  comp_ldef_t *d = find_exact(li, name, len);
  if (d) {
    if (!li->linker->shadowing)
      return base_error("`%s` is already defined in this linker instance (use weld_linker_allow_shadowing)", name);
    def_release(d);
    *out = d;
    return NULL;
  }
  char *copy = base_strndup(name, len);
  if (!copy) return base_error_oom();
  comp_ldef_t nd;
  memset(&nd, 0, sizeof nd);
  nd.name = copy;
  nd.len = len;
  nd.kind = 0xff;
  if (!VEC_PUSH(&li->defs, nd)) {
    base_free(copy, len + 1);
    return base_error_oom();
  }
  *out = &VEC_LAST(&li->defs);
  return NULL;
}

weld_error_t *weld_linker_instance(weld_linker_instance_t *parent, const char *name, weld_linker_instance_t **out) {
  if (out) *out = NULL;
  if (!parent || !name || !out) return base_error("weld_linker_instance: invalid argument");
  comp_ldef_t *d = find_exact(parent, name, strlen(name));
  if (d && d->kind == COMP_LDEF_INSTANCE) {
    *out = d->u.inst;
    return NULL;
  }
  weld_linker_instance_t *li = li_new(parent->linker);
  if (!li) return base_error_oom();
  weld_error_t *err = def_slot(parent, name, &d);
  if (err) return err; /* li stays in the linker's list, freed with it */
  d->kind = COMP_LDEF_INSTANCE;
  d->u.inst = li;
  *out = li;
  return NULL;
}

static comp_hostfn_t *hostfn_new(const char *name, void *env, void (*finalizer)(void *)) {
  comp_hostfn_t *h = base_calloc(1, sizeof *h);
  if (!h) return NULL;
  h->name = base_strdup(name);
  if (!h->name) {
    base_free(h, sizeof *h);
    return NULL;
  }
  h->env = env;
  h->finalizer = finalizer;
  atomic_init(&h->refs, 1);
  return h;
}

weld_error_t *weld_linker_func(weld_linker_instance_t *li, const char *name, weld_chost_fn_t fn, void *env,
                               void (*finalizer)(void *)) {
  if (!li || !name || !fn) return base_error("weld_linker_func: invalid argument");
  comp_hostfn_t *h = hostfn_new(name, env, finalizer);
  if (!h) return base_error_oom();
  h->fn = fn;
  comp_ldef_t *d;
  weld_error_t *err = def_slot(li, name, &d);
  if (err) {
    h->finalizer = NULL; /* the caller keeps env when the definition fails */
    comp_hostfn_unref(h);
    return err;
  }
  d->kind = COMP_LDEF_FUNC;
  d->u.fn = h;
  return NULL;
}

static bool flat_kind_ok(weld_ckind_t k) {
  return (k >= WELD_CK_BOOL && k <= WELD_CK_CHAR) || k == WELD_CK_ENUM || k == WELD_CK_FLAGS;
}

weld_error_t *weld_linker_func_flat(weld_linker_instance_t *li, const char *name, const weld_ckind_t *params,
                                    size_t nparams, const weld_ckind_t *results, size_t nresults, weld_chost_flat_fn_t fn,
                                    void *env, void (*finalizer)(void *)) {
  if (!li || !name || !fn || (nparams && !params) || (nresults && !results))
    return base_error("weld_linker_func_flat: invalid argument");
  if (nparams > COMP_FLAT_MAX || nresults > 1)
    return base_error("weld_linker_func_flat: at most %d parameters and 1 result", COMP_FLAT_MAX);
  for (size_t i = 0; i < nparams + nresults; i++) {
    weld_ckind_t k = i < nparams ? params[i] : results[i - nparams];
    if (!flat_kind_ok(k))
      return base_error("weld_linker_func_flat: %s %zu is not a scalar kind", i < nparams ? "parameter" : "result",
                        i < nparams ? i : i - nparams);
  }
  comp_hostfn_t *h = hostfn_new(name, env, NULL);
  size_t n = nparams + nresults;
  if (h) h->kinds = base_alloc((n ? n : 1) * sizeof *h->kinds);
  if (!h || !h->kinds) {
    comp_hostfn_unref(h);
    return base_error_oom();
  }
  for (size_t i = 0; i < n; i++) h->kinds[i] = i < nparams ? params[i] : results[i - nparams];
  h->nparams = (uint32_t)nparams;
  h->nresults = (uint32_t)nresults;
  h->flat = fn;
  comp_ldef_t *d;
  weld_error_t *err = def_slot(li, name, &d);
  if (err) {
    comp_hostfn_unref(h);
    return err;
  }
  h->finalizer = finalizer;
  d->kind = COMP_LDEF_FUNC;
  d->u.fn = h;
  return NULL;
}

weld_error_t *weld_linker_resource(weld_linker_instance_t *li, const char *name, weld_resource_type_t *t) {
  if (!t) return base_error("weld_linker_resource: invalid argument");
  comp_ldef_t *d;
  TRY(def_slot(li, name, &d));
  comp_rtype_ref(t);
  d->kind = COMP_LDEF_RESOURCE;
  d->u.rt = t;
  return NULL;
}

weld_error_t *weld_linker_module(weld_linker_instance_t *li, const char *name, weld_module_t *m) {
  if (!m) return base_error("weld_linker_module: invalid argument");
  if (li && m->engine != li->linker->engine) return base_error("weld_linker_module: module belongs to another engine");
  comp_ldef_t *d;
  TRY(def_slot(li, name, &d));
  atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
  d->kind = COMP_LDEF_MODULE;
  d->u.module = m;
  return NULL;
}

weld_error_t *weld_linker_instance_from(weld_linker_instance_t *li, const char *name, weld_cinstance_t *inst) {
  return weld_linker_instance_from_export(li, name, inst, NULL);
}

weld_error_t *weld_linker_instance_from_export(weld_linker_instance_t *li, const char *name, weld_cinstance_t *inst,
                                               const weld_export_index_t *idx) {
  if (!inst) return base_error("weld_linker_instance_from: invalid argument");
  comp_frame_t *fr;
  if (idx && !comp_cinstance_at(inst, idx, &fr))
    return base_error("weld_linker_instance_from_export: the export index does not name an exported instance");
  comp_ldef_t *d;
  TRY(def_slot(li, name, &d));
  d->kind = COMP_LDEF_CINSTANCE;
  d->u.cinst = inst;
  memset(&d->path, 0, sizeof d->path);
  if (idx) d->path = *idx;
  return NULL;
}

/* ---------------------------------------------------------------- unknown imports */

/* The function of an unknown import: traps naming the import by its full path (env, e.g.
 * "wasi:random/random@0.2.3#get-random-bytes"). */
static weld_trap_t *trap_fn(void *env, weld_ccaller_t *caller, const weld_cval_t *args, size_t nargs,
                            weld_cval_t *results, size_t nresults) {
  (void)caller, (void)args, (void)nargs, (void)results, (void)nresults;
  char msg[600];
  snprintf(msg, sizeof msg, "called an unknown import `%.500s` (defined as a trap)", (const char *)env);
  return weld_trap_new(WELD_TRAP_HOST, msg);
}

static void free_name(void *p) { base_free(p, 0); }

/* "prefix#name" (or "name" at the root). */
static char *join_path(const char *prefix, const char *name, size_t len) {
  size_t plen = prefix ? strlen(prefix) + 1 : 0;
  char *p = base_alloc(plen + len + 1);
  if (!p) return NULL;
  if (prefix) {
    memcpy(p, prefix, plen - 1);
    p[plen - 1] = '#';
  }
  memcpy(p + plen, name, len);
  p[plen + len] = 0;
  return p;
}

/* Defines what li lacks of the externs ext[0..n) (the exports of an imported instance type,
 * or the root's imports); `prefix` is li's path for messages (NULL at the root).  Existing
 * definitions are kept: a function or resource type the host defined is not replaced, and
 * an instance the host defined (by this name or a semver-compatible one, which is what
 * instantiate_pre will use) is completed with what it lacks.  Resource types: an import
 * `(type (sub resource))` gets a fresh host type; an `(eq r)` import (x->ent.type differs
 * from x->ent.referenced) is bound to r and needs no definition. */
static weld_error_t *define_traps(weld_linker_instance_t *li, const comp_types_t *T, const comp_extern_t *ext, uint32_t n,
                                  const char *prefix, unsigned depth) {
  if (depth > WELD_MAX_COMPONENT_NESTING) return base_error("instance types nested too deeply");
  for (uint32_t i = 0; i < n; i++) {
    const comp_extern_t *x = &ext[i];
    char *name = base_strndup(x->name.s, x->name.len);
    if (!name) return base_error_oom();
    comp_ldef_t *d = find_exact(li, name, x->name.len);
    if (!d) d = find_compatible(li, name, x->name.len);
    weld_error_t *err = NULL;
    if (x->ent.kind == COMP_E_FUNC && !d) {
      char *env = join_path(prefix, name, x->name.len);
      if (!env) err = base_error_oom();
      else if ((err = weld_linker_func(li, name, trap_fn, env, free_name))) base_free(env, 0);
    } else if (x->ent.kind == COMP_E_INSTANCE && (!d || d->kind == COMP_LDEF_INSTANCE)) {
      weld_linker_instance_t *sub = d ? d->u.inst : NULL;
      char *path = join_path(prefix, name, x->name.len);
      if (!path) err = base_error_oom();
      else if (!sub) err = weld_linker_instance(li, name, &sub);
      if (!err) {
        const comp_instance_type_t *I = comp_type(T, x->ent.type)->u.inst;
        err = define_traps(sub, T, I->exports, I->nexports, path, depth + 1);
      }
      base_free(path, 0);
    } else if (x->ent.kind == COMP_E_TYPE && !d && x->ent.type == x->ent.referenced &&
               comp_type_kind(T, x->ent.type) == COMP_T_RESOURCE) {
      weld_resource_type_t *rt = weld_resource_type_new(name, NULL, NULL);
      if (!rt) err = base_error_oom();
      else {
        err = weld_linker_resource(li, name, rt);
        comp_rtype_unref(rt);
      }
    }
    base_free(name, 0);
    if (err) return err;
  }
  return NULL;
}

weld_error_t *weld_linker_define_unknown_imports_as_traps(weld_linker_t *l, const weld_component_t *c) {
  if (!l || !c) return base_error("weld_linker_define_unknown_imports_as_traps: invalid argument");
  const comp_component_type_t *C = comp_type(c->root->types, c->root->type)->u.comp;
  return define_traps(l->root, c->root->types, C->imports, C->nimports, NULL, 0);
}

/* ---------------------------------------------------------------- type equality */

static bool labels_eq(comp_name_t a, comp_name_t b) { return comp_label_eq(a, b); }

bool comp_types_equal(const comp_types_t *TA, comp_typeid_t a, comp_rid_fn ra, const void *ea, const comp_types_t *TB,
                      comp_typeid_t b, comp_rid_fn rb, const void *eb, unsigned depth) {
  if (a == COMP_NO_TYPE || b == COMP_NO_TYPE) return a == b;
  if (depth > WELD_MAX_TYPE_DEPTH + 2) return false;
  const comp_type_t *x = comp_type(TA, a), *y = comp_type(TB, b);
  if (x->kind != y->kind) return false;
#define EQ(p, q) comp_types_equal(TA, (p), ra, ea, TB, (q), rb, eb, depth + 1)
  switch (x->kind) {
  case COMP_T_PRIM: return x->u.prim == y->u.prim;
  case COMP_T_LIST:
  case COMP_T_OPTION: return EQ(x->u.elem, y->u.elem);
  case COMP_T_RESULT: return EQ(x->u.result.ok, y->u.result.ok) && EQ(x->u.result.err, y->u.result.err);
  case COMP_T_OWN:
  case COMP_T_BORROW: return EQ(x->u.resource, y->u.resource);
  case COMP_T_RESOURCE: {
    weld_resource_type_t *p = ra(ea, x->u.rid), *q = rb(eb, y->u.rid);
    return p && p == q;
  }
  case COMP_T_RECORD:
  case COMP_T_VARIANT:
    if (x->u.fields.n != y->u.fields.n) return false;
    for (uint32_t i = 0; i < x->u.fields.n; i++)
      if (!labels_eq(x->u.fields.items[i].name, y->u.fields.items[i].name) ||
          !EQ(x->u.fields.items[i].type, y->u.fields.items[i].type))
        return false;
    return true;
  case COMP_T_TUPLE:
    if (x->u.tuple.n != y->u.tuple.n) return false;
    for (uint32_t i = 0; i < x->u.tuple.n; i++)
      if (!EQ(x->u.tuple.types[i], y->u.tuple.types[i])) return false;
    return true;
  case COMP_T_FLAGS:
  case COMP_T_ENUM:
    if (x->u.labels.n != y->u.labels.n) return false;
    for (uint32_t i = 0; i < x->u.labels.n; i++)
      if (!labels_eq(x->u.labels.names[i], y->u.labels.names[i])) return false;
    return true;
  case COMP_T_FUNC:
    if (x->u.func.nparams != y->u.func.nparams) return false;
    for (uint32_t i = 0; i < x->u.func.nparams; i++)
      if (!labels_eq(x->u.func.params[i].name, y->u.func.params[i].name) ||
          !EQ(x->u.func.params[i].type, y->u.func.params[i].type))
        return false;
    return EQ(x->u.func.result, y->u.func.result);
  default: return false;
  }
#undef EQ
}

/* ---------------------------------------------------------------- instantiate_pre */

typedef struct pre_cx {
  weld_instance_pre_t *p;
  const comp_types_t *T;
  comp_map_t rids;               /* rid -> index in p->rts (bound import resources) */
  char path[512];                /* import path for messages */
} pre_cx_t;

static weld_resource_type_t *pre_rid(const void *env, uint32_t rid) {
  const pre_cx_t *cx = env;
  uint32_t k;
  return comp_map_get(&cx->rids, rid, &k) ? cx->p->rts.data[k] : NULL;
}

static weld_resource_type_t *frame_rid(const void *env, uint32_t rid) { return comp_frame_rtype(env, rid); }

static weld_error_t *bind(pre_cx_t *cx, uint32_t rid, weld_resource_type_t *rt) {
  if (comp_map_has(&cx->rids, rid)) return NULL;
  if (!VEC_PUSH(&cx->p->rts, rt)) return base_error_oom();
  comp_rtype_ref(rt);
  if (!comp_map_put(&cx->rids, rid, (uint32_t)cx->p->rts.len - 1)) return base_error_oom();
  return NULL;
}

static weld_error_t *import_error(pre_cx_t *cx, const char *what) {
  return base_error("component imports `%s`, but %s", cx->path, what);
}

static void path_push(pre_cx_t *cx, size_t *mark, comp_name_t name) {
  *mark = strlen(cx->path);
  snprintf(cx->path + *mark, sizeof cx->path - *mark, "%s%.*s", *mark ? "#" : "", (int)name.len, name.s);
}

/* A source of definitions: a linker instance, or the exports of a live component instance. */
typedef struct src {
  weld_linker_instance_t *li;
  const comp_inst_t *ci;
  comp_frame_t *frame; /* ci: the frame whose resource identities its types use */
} src_t;

/* Finds `name` in a source: the definition (linker) or the value, its kind and type
 * (component instance). */
typedef struct found {
  comp_ldef_t *def;
  const comp_rval_t *val;
  const comp_extern_t *ext;
  comp_frame_t *frame;
} found_t;

static bool src_find(const src_t *s, comp_name_t name, found_t *f) {
  memset(f, 0, sizeof *f);
  if (s->li) {
    f->def = lookup(s->li, name.s, name.len);
    return f->def && f->def->kind != 0xff;
  }
  uint32_t k = comp_lookup(s->ci->ext, s->ci->sorted, s->ci->n, name.s, name.len);
  if (k == UINT32_MAX) return false;
  f->val = &s->ci->vals[k];
  f->ext = &s->ci->ext[k];
  f->frame = s->ci->frame ? s->ci->frame : s->frame;
  return true;
}

static weld_error_t *resolve(pre_cx_t *cx, const src_t *s, const comp_extern_t *want, comp_rval_t *out, unsigned depth);

static weld_error_t *resolve_instance(pre_cx_t *cx, const src_t *s, const comp_instance_type_t *I, const comp_extern_t *want,
                                      comp_rval_t *out, unsigned depth) {
  comp_inst_t *ci = comp_arena_alloc(&cx->p->arena, sizeof *ci);
  comp_rval_t *vals = comp_arena_array(&cx->p->arena, I->nexports ? I->nexports : 1, sizeof *vals);
  if (!ci || !vals) return base_error_oom();
  (void)want;
  ci->n = I->nexports;
  ci->ext = I->exports;
  ci->sorted = I->sorted;
  ci->vals = vals;
  ci->T = cx->T;
  for (uint32_t i = 0; i < I->nexports; i++) TRY(resolve(cx, s, &I->exports[i], &vals[i], depth + 1));
  out->inst = ci;
  return NULL;
}

static const char *ldef_kind_name(uint8_t k) {
  switch (k) {
  case COMP_LDEF_FUNC: return "a function";
  case COMP_LDEF_INSTANCE: return "an instance";
  case COMP_LDEF_RESOURCE: return "a resource type";
  case COMP_LDEF_MODULE: return "a core module";
  case COMP_LDEF_CINSTANCE: return "a component instance";
  }
  return "nothing";
}

static weld_error_t *check_module(pre_cx_t *cx, const weld_module_t *m, comp_typeid_t mt);

static weld_error_t *resolve(pre_cx_t *cx, const src_t *s, const comp_extern_t *want, comp_rval_t *out, unsigned depth) {
  if (depth > WELD_MAX_COMPONENT_NESTING) return base_error("instances nested too deeply");
  size_t mark;
  path_push(cx, &mark, want->name);
  const comp_entity_t *e = &want->ent;
  const comp_types_t *T = cx->T;
  found_t f;
  bool have = src_find(s, want->name, &f);
  weld_error_t *err = NULL;
  out->p = NULL;
  switch (e->kind) {
  case COMP_E_FUNC: {
    if (!have) {
      err = import_error(cx, "no function of that name is defined");
      break;
    }
    if (f.def) {
      if (f.def->kind != COMP_LDEF_FUNC) {
        err = import_error(cx, "the linker defines it as something else than a function");
        break;
      }
      comp_hostfn_t *h = f.def->u.fn;
      if (h->flat) {
        comp_flatsig_t sig;
        comp_flatsig_of(T, e->type, &sig);
        bool ok = sig.ok && sig.np == h->nparams && sig.nr == h->nresults;
        for (uint32_t i = 0; ok && i < h->nparams + h->nresults; i++)
          ok = (i < sig.np ? sig.p[i] : sig.r[i - sig.np]) == h->kinds[i];
        if (!ok) {
          char *ts = comp_type_to_string(T, e->type);
          char msg[600];
          snprintf(msg, sizeof msg, "the flat host function defined for it does not have its type `%s`", ts ? ts : "?");
          base_free(ts, 0);
          err = import_error(cx, msg);
          break;
        }
      }
      weld_cfunc_t *cf = comp_cfunc_host(&cx->p->arena, h, cx->p->component, e->type);
      if (!cf) {
        err = base_error_oom();
        break;
      }
      if (!VEC_PUSH(&cx->p->fns, h)) {
        err = base_error_oom();
        break;
      }
      comp_hostfn_ref(h);
      out->func = cf;
      break;
    }
    if (f.ext->ent.kind != COMP_E_FUNC) {
      err = import_error(cx, "the instance exports something else than a function under that name");
      break;
    }
    weld_cfunc_t *cf = f.val->func;
    bool eq = cf->kind == COMP_CFUNC_LIFTED
                  ? comp_types_equal(T, e->type, pre_rid, cx, cf->T, cf->type, frame_rid, cf->frame, 0)
                  : comp_types_equal(T, e->type, pre_rid, cx, s->ci->T, f.ext->ent.type, frame_rid, f.frame, 0);
    if (!eq) {
      char *a = comp_type_to_string(T, e->type), *b = comp_type_to_string(cf->T, cf->type);
      char msg[900];
      snprintf(msg, sizeof msg, "the function given has type `%s` instead of `%s`", b ? b : "?", a ? a : "?");
      base_free(a, 0);
      base_free(b, 0);
      err = import_error(cx, msg);
      break;
    }
    out->func = cf;
    break;
  }
  case COMP_E_INSTANCE: {
    const comp_instance_type_t *I = comp_type(T, e->type)->u.inst;
    src_t sub = {NULL, NULL, NULL};
    weld_linker_instance_t empty;
    memset(&empty, 0, sizeof empty);
    if (have && f.def) {
      if (f.def->kind == COMP_LDEF_INSTANCE) sub.li = f.def->u.inst;
      else if (f.def->kind == COMP_LDEF_CINSTANCE) {
        weld_cinstance_t *ci = f.def->u.cinst;
        if (cx->p->store && cx->p->store != ci->store) {
          err = import_error(cx, "the component instances linked come from different stores");
          break;
        }
        cx->p->store = ci->store;
        sub.ci = comp_cinstance_at(ci, &f.def->path, &sub.frame);
        if (!sub.ci) {
          err = import_error(cx, "the exported instance given for it is not available");
          break;
        }
      } else {
        char msg[120];
        snprintf(msg, sizeof msg, "the linker defines it as %s, not an instance", ldef_kind_name(f.def->kind));
        err = import_error(cx, msg);
        break;
      }
    } else if (have) {
      if (f.ext->ent.kind != COMP_E_INSTANCE) {
        err = import_error(cx, "the instance exports something else than an instance under that name");
        break;
      }
      sub.ci = f.val->inst;
      sub.frame = f.frame;
    } else {
      /* Nothing defined: fine for an instance that needs nothing from the host (only empty
       * instances and value types, recursively). */
      sub.li = &empty;
      err = resolve_instance(cx, &sub, I, want, out, depth);
      if (err) {
        weld_error_delete(err);
        err = import_error(cx, "no instance of that name is defined");
      }
      break;
    }
    err = resolve_instance(cx, &sub, I, want, out, depth);
    break;
  }
  case COMP_E_TYPE: {
    const comp_type_t *t = comp_type(T, e->type);
    if (t->kind != COMP_T_RESOURCE) break; /* value types need nothing at run time */
    weld_resource_type_t *given = NULL;
    if (have && f.def) {
      if (f.def->kind != COMP_LDEF_RESOURCE) {
        err = import_error(cx, "the linker defines it as something else than a resource type");
        break;
      }
      given = f.def->u.rt;
    } else if (have) {
      if (f.ext->ent.kind != COMP_E_TYPE || !f.val->rtype) {
        err = import_error(cx, "the instance exports something else than a resource type under that name");
        break;
      }
      given = f.val->rtype;
    }
    weld_resource_type_t *bound = pre_rid(cx, t->u.rid);
    if (bound) {
      /* (eq r): the same resource type as an earlier import */
      if (given && given != bound) {
        err = import_error(cx, "the resource type defined for it is not the one it must be equal to");
        break;
      }
      out->rtype = bound;
      break;
    }
    if (!given) {
      err = import_error(cx, "no resource type of that name is defined");
      break;
    }
    err = bind(cx, t->u.rid, given);
    out->rtype = given;
    break;
  }
  case COMP_E_MODULE: {
    weld_module_t *m = NULL;
    if (have && f.def && f.def->kind == COMP_LDEF_MODULE) m = f.def->u.module;
    else if (have && !f.def && f.ext->ent.kind == COMP_E_MODULE) m = f.val->module;
    if (!m) {
      err = import_error(cx, "no core module of that name is defined");
      break;
    }
    if (m->engine != cx->p->engine) {
      err = import_error(cx, "the core module defined for it belongs to another engine");
      break;
    }
    err = check_module(cx, m, e->type);
    if (err) break;
    if (!VEC_PUSH(&cx->p->modules, m)) {
      err = base_error_oom();
      break;
    }
    atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
    out->module = m;
    break;
  }
  case COMP_E_COMPONENT:
    err = import_error(cx, COMP_NOT_SUPPORTED "components imported from the host");
    break;
  default:
    err = import_error(cx, COMP_NOT_SUPPORTED "value imports");
    break;
  }
  cx->path[mark] = 0;
  return err;
}

/* ---------------------------------------------------------------- core module types */

static bool limits_ok(uint64_t min, bool has_max, uint64_t max, const comp_core_limits_t *want) {
  if (min < want->min) return false;
  if (want->has_max && (!has_max || max > want->max)) return false;
  return true;
}

/* Does the module's extern (kind, index) match the core type node `want`? */
static bool core_extern_ok(uint8_t kind, const core_module_t *m, uint32_t idx, const comp_types_t *T, comp_typeid_t want) {
  const comp_type_t *w = comp_type(T, want);
  switch (kind) {
  case EXT_FUNC: {
    if (w->kind != COMP_T_CORE_FUNC) return false;
    const core_functype_t *ft = &m->types[m->func_types[idx]];
    const core_functype_t *wt = &w->u.core_func;
    return ft->nparams == wt->nparams && ft->nresults == wt->nresults &&
           memcmp(ft->types, wt->types, (size_t)ft->nparams + ft->nresults) == 0;
  }
  case EXT_TABLE: {
    if (w->kind != COMP_T_CORE_TABLE) return false;
    const core_tabletype_t *tt = &m->tables[idx];
    return tt->elem == w->u.table.elem &&
           limits_ok(tt->limits.min, tt->limits.has_max, tt->limits.max, &w->u.table.limits);
  }
  case EXT_MEMORY: {
    if (w->kind != COMP_T_CORE_MEMORY) return false;
    const core_memtype_t *mt = &m->mems[idx];
    return limits_ok(mt->limits.min, mt->limits.has_max, mt->limits.max, &w->u.mem);
  }
  case EXT_GLOBAL: {
    if (w->kind != COMP_T_CORE_GLOBAL) return false;
    const core_globaltype_t *gt = &m->globals[idx].type;
    return gt->type == w->u.global.type && gt->mut == w->u.global.mut;
  }
  default: return false;
  }
}

static weld_error_t *check_module(pre_cx_t *cx, const weld_module_t *mod, comp_typeid_t mt) {
  const comp_type_t *t = comp_type(cx->T, mt);
  const core_module_t *m = mod->m;
  /* Exports the type promises must exist with a matching type. */
  for (uint32_t i = 0; i < t->u.module.nexports; i++) {
    const comp_core_export_t *x = &t->u.module.exports[i];
    const core_export_t *found = NULL;
    for (uint32_t k = 0; k < m->nexports && !found; k++)
      if (m->exports[k].name.len == x->name.len && memcmp(m->exports[k].name.s, x->name.s, x->name.len) == 0)
        found = &m->exports[k];
    if (!found || !core_extern_ok(found->kind, m, found->index, cx->T, x->type)) {
      char msg[300];
      snprintf(msg, sizeof msg, "the core module given %s export `%.*s` of the expected type",
               found ? "does not have its" : "lacks the", (int)x->name.len, x->name.s);
      return import_error(cx, msg);
    }
  }
  /* The module may only import what the type lets the component supply. */
  for (uint32_t k = 0; k < m->nimports; k++) {
    const core_import_t *ci = &m->imports[k];
    const comp_core_import_t *w = NULL;
    for (uint32_t i = 0; i < t->u.module.nimports && !w; i++) {
      const comp_core_import_t *x = &t->u.module.imports[i];
      if (x->module.len == ci->module.len && x->name.len == ci->name.len &&
          memcmp(x->module.s, ci->module.s, x->module.len) == 0 && memcmp(x->name.s, ci->name.s, x->name.len) == 0)
        w = x;
    }
    bool ok = false;
    if (w) {
      /* the component supplies something of type w: it must fit what the module imports */
      const comp_type_t *wt = comp_type(cx->T, w->type);
      switch (ci->kind) {
      case EXT_FUNC: {
        const core_functype_t *ft = &m->types[ci->desc.func_type];
        ok = wt->kind == COMP_T_CORE_FUNC && ft->nparams == wt->u.core_func.nparams &&
             ft->nresults == wt->u.core_func.nresults &&
             memcmp(ft->types, wt->u.core_func.types, (size_t)ft->nparams + ft->nresults) == 0;
        break;
      }
      case EXT_TABLE: {
        comp_core_limits_t l = {ci->desc.table.limits.min, ci->desc.table.limits.max, ci->desc.table.limits.has_max, false, false};
        ok = wt->kind == COMP_T_CORE_TABLE && wt->u.table.elem == ci->desc.table.elem &&
             limits_ok(wt->u.table.limits.min, wt->u.table.limits.has_max, wt->u.table.limits.max, &l);
        break;
      }
      case EXT_MEMORY: {
        comp_core_limits_t l = {ci->desc.mem.limits.min, ci->desc.mem.limits.max, ci->desc.mem.limits.has_max, false, false};
        ok = wt->kind == COMP_T_CORE_MEMORY && limits_ok(wt->u.mem.min, wt->u.mem.has_max, wt->u.mem.max, &l);
        break;
      }
      case EXT_GLOBAL:
        ok = wt->kind == COMP_T_CORE_GLOBAL && wt->u.global.type == ci->desc.global.type &&
             wt->u.global.mut == ci->desc.global.mut;
        break;
      default: break;
      }
    }
    if (!ok) {
      char msg[400];
      snprintf(msg, sizeof msg, "the core module given imports `%.*s` `%.*s`, which %s", (int)ci->module.len, ci->module.s,
               (int)ci->name.len, ci->name.s, w ? "has a different type in the expected module type" : "the expected module type does not declare");
      return import_error(cx, msg);
    }
  }
  return NULL;
}

/* ---------------------------------------------------------------- pre objects */

void comp_pre_unref(weld_instance_pre_t *p) {
  if (!p || atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) != 1) return;
  for (size_t i = 0; i < p->fns.len; i++) comp_hostfn_unref(p->fns.data[i]);
  for (size_t i = 0; i < p->rts.len; i++) comp_rtype_unref(p->rts.data[i]);
  for (size_t i = 0; i < p->modules.len; i++) core_module_release(p->modules.data[i]);
  VEC_FREE(&p->fns);
  VEC_FREE(&p->rts);
  VEC_FREE(&p->modules);
  comp_arena_free(&p->arena);
  comp_component_unref(p->component);
  base_free(p, sizeof *p);
}

void weld_instance_pre_delete(weld_instance_pre_t *p) { comp_pre_unref(p); }

weld_error_t *weld_linker_instantiate_pre(weld_linker_t *l, weld_component_t *c, weld_instance_pre_t **out) {
  if (out) *out = NULL;
  if (!l || !c || !out) return base_error("weld_linker_instantiate_pre: invalid argument");
  if (c->engine != l->engine) return base_error("weld_linker_instantiate_pre: the component belongs to another engine");
  weld_instance_pre_t *p = base_calloc(1, sizeof *p);
  if (!p) return base_error_oom();
  atomic_init(&p->refs, 1);
  comp_component_ref(c);
  p->component = c;
  p->engine = l->engine;
  const comp_types_t *T = c->root->types;
  const comp_component_type_t *C = comp_type(T, c->root->type)->u.comp;
  pre_cx_t cx;
  memset(&cx, 0, sizeof cx);
  cx.p = p;
  cx.T = T;
  weld_error_t *err = NULL;
  p->imports = comp_arena_array(&p->arena, C->nimports ? C->nimports : 1, sizeof *p->imports);
  if (!p->imports) err = base_error_oom();
  src_t root = {l->root, NULL, NULL};
  for (uint32_t i = 0; !err && i < C->nimports; i++) err = resolve(&cx, &root, &C->imports[i], &p->imports[i], 0);
  comp_map_free(&cx.rids);
  if (err) {
    comp_pre_unref(p);
    return err;
  }
  *out = p;
  return NULL;
}

weld_error_t *weld_linker_instantiate(weld_linker_t *l, weld_store_t *store, weld_component_t *c, weld_cinstance_t **out,
                                      weld_trap_t **trap) {
  if (out) *out = NULL;
  if (trap) *trap = NULL;
  weld_instance_pre_t *p;
  weld_error_t *err = weld_linker_instantiate_pre(l, c, &p);
  if (err) return err;
  err = weld_instance_pre_instantiate(p, store, out, trap);
  comp_pre_unref(p);
  return err;
}
