/* print.c — canonical WIT text for a resolved set (WIT.md syntax).
 *
 * Layout: a package is `package ns:name@ver;` then its interfaces and worlds; an
 * interface lists its `use`s (consecutive names from one interface share a statement),
 * then its type definitions (resources with their functions inline), then its free
 * functions; a world lists its imports then exports, interfaces first.  Items keep the
 * order of the resolved set, so printing and re-parsing gives the same structure, and
 * printing that again gives the same text.  Identifiers that are keywords get `%`. */
#include "base/alloc.h"
#include "base/vec.h"
#include "wit/internal.h"
#include <stdlib.h>
#include <string.h>

typedef struct pr {
  const weld_wit_t *wit;
  base_buf_t b;
  int indent;
  uint32_t pkg; /* package whose interfaces may be named without qualification */
  bool sep;     /* the next item of the current block starts after a blank line */
} pr_t;

/* Items of an interface or world are separated by blank lines. */
static void item_gap(pr_t *p) {
  if (p->sep) base_buf_byte(&p->b, '\n');
  p->sep = true;
}

static void put(pr_t *p, const char *s) { base_buf_bytes(&p->b, s, strlen(s)); }
static void line_start(pr_t *p) {
  for (int i = 0; i < p->indent; i++) base_buf_bytes(&p->b, "  ", 2);
}

static void ident(pr_t *p, const char *s) {
  if (wit_keyword(s, strlen(s)) != WT_ID) base_buf_byte(&p->b, '%');
  put(p, s);
}

static void docs(pr_t *p, const char *d) {
  if (!d) return;
  const char *s = d;
  for (;;) {
    const char *e = strchr(s, '\n');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    line_start(p);
    put(p, "///");
    if (n) {
      base_buf_byte(&p->b, ' ');
      base_buf_bytes(&p->b, s, n);
    }
    base_buf_byte(&p->b, '\n');
    if (!e) break;
    s = e + 1;
  }
}

static void stability(pr_t *p, const weld_wit_stability_t *st) {
  if (st->kind == WELD_WIT_STABILITY_UNKNOWN) return;
  line_start(p);
  if (st->kind == WELD_WIT_STABILITY_STABLE) base_buf_printf(&p->b, "@since(version = %s)\n", st->since);
  else base_buf_printf(&p->b, "@unstable(feature = %s)\n", st->feature);
  if (st->deprecated) {
    line_start(p);
    base_buf_printf(&p->b, "@deprecated(version = %s)\n", st->deprecated);
  }
}

static void type_ref(pr_t *p, weld_wit_type_t t);

static const char *prim(uint32_t tag) {
  static const char *names[] = {"",    "bool", "u8",  "u16", "u32",  "u64",    "s8",           "s16",
                                "s32", "s64",  "f32", "f64", "char", "string", "error-context"};
  return tag < sizeof names / sizeof names[0] ? names[tag] : "?";
}

/* The body of an anonymous type (or of a named one after `type x = `). */
static void type_body(pr_t *p, const weld_wit_typedef_t *td) {
  switch (td->kind) {
  case WELD_WIT_KIND_ALIAS: type_ref(p, td->a); break;
  case WELD_WIT_KIND_OWN:
    if (td->name) {
      put(p, "own<");
      type_ref(p, td->a);
      put(p, ">");
    } else {
      type_ref(p, td->a);
    }
    break;
  case WELD_WIT_KIND_BORROW:
    put(p, "borrow<");
    type_ref(p, td->a);
    put(p, ">");
    break;
  case WELD_WIT_KIND_LIST:
  case WELD_WIT_KIND_OPTION:
    put(p, td->kind == WELD_WIT_KIND_LIST ? "list<" : "option<");
    type_ref(p, td->a);
    put(p, ">");
    break;
  case WELD_WIT_KIND_FIXED_LIST:
    put(p, "list<");
    type_ref(p, td->a);
    base_buf_printf(&p->b, ", %u>", td->size);
    break;
  case WELD_WIT_KIND_MAP:
    put(p, "map<");
    type_ref(p, td->a);
    put(p, ", ");
    type_ref(p, td->b);
    put(p, ">");
    break;
  case WELD_WIT_KIND_RESULT:
    put(p, "result");
    if (td->a.tag || td->b.tag) {
      put(p, "<");
      if (td->a.tag) type_ref(p, td->a);
      else put(p, "_");
      if (td->b.tag) {
        put(p, ", ");
        type_ref(p, td->b);
      }
      put(p, ">");
    }
    break;
  case WELD_WIT_KIND_TUPLE:
    put(p, "tuple<");
    for (size_t i = 0; i < td->cases.len; i++) {
      if (i) put(p, ", ");
      type_ref(p, td->cases.data[i].type);
    }
    put(p, ">");
    break;
  case WELD_WIT_KIND_FUTURE:
  case WELD_WIT_KIND_STREAM:
    put(p, td->kind == WELD_WIT_KIND_FUTURE ? "future" : "stream");
    if (td->a.tag) {
      put(p, "<");
      type_ref(p, td->a);
      put(p, ">");
    }
    break;
  default: put(p, "/* unprintable type */ u8"); break;
  }
}

static void type_ref(pr_t *p, weld_wit_type_t t) {
  if (t.tag != WELD_WIT_T_ID) {
    put(p, prim(t.tag));
    return;
  }
  if (t.id >= p->wit->types.len) {
    put(p, "u8");
    return;
  }
  const weld_wit_typedef_t *td = &p->wit->types.data[t.id];
  if (td->name) ident(p, td->name);
  else type_body(p, td);
}

/* "name" for interfaces of the current package, "ns:pkg/name@ver" otherwise. */
static void iface_path(pr_t *p, uint32_t id) {
  const weld_wit_interface_t *i = &p->wit->interfaces.data[id];
  if (i->package == p->pkg || i->package == WELD_WIT_NONE) {
    ident(p, i->name ? i->name : "unnamed");
    return;
  }
  const weld_wit_package_t *pk = &p->wit->packages.data[i->package];
  ident(p, pk->namespace_);
  put(p, ":");
  ident(p, pk->name);
  put(p, "/");
  ident(p, i->name ? i->name : "unnamed");
  if (pk->version) {
    put(p, "@");
    put(p, pk->version);
  }
}

static void params(pr_t *p, const weld_wit_func_t *f, size_t skip) {
  put(p, "(");
  for (size_t i = skip; i < f->params.len; i++) {
    if (i > skip) put(p, ", ");
    ident(p, f->params.data[i].name);
    put(p, ": ");
    type_ref(p, f->params.data[i].type);
  }
  put(p, ")");
}

/* `name: async? func(..) -> T;` for free functions */
static void func_sig(pr_t *p, const weld_wit_func_t *f, const char *name, bool is_static) {
  ident(p, name);
  put(p, ": ");
  if (is_static) put(p, "static ");
  if (f->kind == WELD_WIT_FUNC_ASYNC_FREESTANDING || f->kind == WELD_WIT_FUNC_ASYNC_METHOD ||
      f->kind == WELD_WIT_FUNC_ASYNC_STATIC)
    put(p, "async ");
  put(p, "func");
  bool method = f->kind == WELD_WIT_FUNC_METHOD || f->kind == WELD_WIT_FUNC_ASYNC_METHOD;
  params(p, f, method ? 1 : 0);
  if (f->result.tag) {
    put(p, " -> ");
    type_ref(p, f->result);
  }
  put(p, ";\n");
}

/* Resource functions sorted by (resource, position), so each resource finds its own
 * functions by binary search. */
typedef struct rfunc {
  uint32_t res;
  uint32_t idx;
} rfunc_t;

static int cmp_rfunc(const void *x, const void *y) {
  const rfunc_t *a = x, *b = y;
  if (a->res != b->res) return a->res < b->res ? -1 : 1;
  return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Functions of a resource, inside its block. */
static void resource_funcs(pr_t *p, uint32_t res, const weld_wit_func_t *const *funcs, const rfunc_t *rf, size_t nr) {
  const weld_wit_typedef_t *rt = &p->wit->types.data[res];
  size_t lo = 0, hi = nr;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rf[mid].res < res) lo = mid + 1;
    else hi = mid;
  }
  size_t count = 0;
  while (lo + count < nr && rf[lo + count].res == res) count++;
  line_start(p);
  put(p, "resource ");
  ident(p, rt->name);
  if (!count) {
    put(p, ";\n");
    return;
  }
  put(p, " {\n");
  p->indent++;
  for (size_t k = lo; k < lo + count; k++) {
    const weld_wit_func_t *f = funcs[rf[k].idx];
    docs(p, f->docs);
    stability(p, &f->stability);
    line_start(p);
    if (f->kind == WELD_WIT_FUNC_CONSTRUCTOR) {
      put(p, "constructor");
      params(p, f, 0);
      const weld_wit_typedef_t *rtd = f->result.tag == WELD_WIT_T_ID ? &p->wit->types.data[f->result.id] : NULL;
      if (rtd && rtd->kind == WELD_WIT_KIND_RESULT) {
        put(p, " -> ");
        type_ref(p, f->result);
      }
      put(p, ";\n");
      continue;
    }
    const char *dot = strchr(f->name, '.');
    func_sig(p, f, dot ? dot + 1 : f->name, f->kind == WELD_WIT_FUNC_STATIC || f->kind == WELD_WIT_FUNC_ASYNC_STATIC);
  }
  p->indent--;
  line_start(p);
  put(p, "}\n");
}

static void cases_block(pr_t *p, const char *kw, const weld_wit_typedef_t *td) {
  line_start(p);
  put(p, kw);
  put(p, " ");
  ident(p, td->name);
  if (!td->cases.len) {
    put(p, " {}\n");
    return;
  }
  put(p, " {\n");
  p->indent++;
  for (size_t i = 0; i < td->cases.len; i++) {
    const weld_wit_case_t *c = &td->cases.data[i];
    docs(p, c->docs);
    line_start(p);
    ident(p, c->name);
    if (td->kind == WELD_WIT_KIND_RECORD) {
      put(p, ": ");
      type_ref(p, c->type);
    } else if (td->kind == WELD_WIT_KIND_VARIANT && c->type.tag) {
      put(p, "(");
      type_ref(p, c->type);
      put(p, ")");
    }
    put(p, ",\n");
  }
  p->indent--;
  line_start(p);
  put(p, "}\n");
}

/* Is `id` a `use` of another owner's type? (then its source) */
static uint32_t use_source(const weld_wit_t *wit, uint32_t id) {
  const weld_wit_typedef_t *td = &wit->types.data[id];
  if (td->kind != WELD_WIT_KIND_ALIAS || td->a.tag != WELD_WIT_T_ID) return WELD_WIT_NONE;
  const weld_wit_typedef_t *o = &wit->types.data[td->a.id];
  if (o->owner_kind == td->owner_kind && o->owner == td->owner) return WELD_WIT_NONE;
  return td->a.id;
}

/* Prints the types (and resource functions) of an interface or world, uses first. */
static void types_block(pr_t *p, const uint32_t *ids, size_t n, const weld_wit_func_t *const *funcs, size_t nf) {
  rfunc_t *rf = base_alloc((nf + 1) * sizeof *rf);
  size_t nr = 0;
  if (!rf) {
    p->b.oom = true;
    return;
  }
  for (size_t i = 0; i < nf; i++)
    if (funcs[i]->kind >= WELD_WIT_FUNC_METHOD) rf[nr++] = (rfunc_t){funcs[i]->resource, (uint32_t)i};
  if (nr > 1) qsort(rf, nr, sizeof *rf, cmp_rfunc);
  /* uses: runs of consecutive names from the same interface with the same gate */
  bool uses = false;
  for (size_t i = 0; i < n;) {
    uint32_t src = use_source(p->wit, ids[i]);
    if (src == WELD_WIT_NONE) {
      i++;
      continue;
    }
    const weld_wit_typedef_t *td = &p->wit->types.data[ids[i]];
    const weld_wit_typedef_t *sd = &p->wit->types.data[src];
    if (sd->owner_kind != WELD_WIT_OWNER_INTERFACE) { /* cannot happen; skip */
      i++;
      continue;
    }
    if (!uses) item_gap(p);
    uses = true;
    stability(p, &td->stability);
    line_start(p);
    put(p, "use ");
    iface_path(p, sd->owner);
    put(p, ".{");
    size_t j = i;
    for (; j < n; j++) {
      uint32_t s2 = use_source(p->wit, ids[j]);
      if (s2 == WELD_WIT_NONE) continue;
      const weld_wit_typedef_t *t2 = &p->wit->types.data[ids[j]];
      const weld_wit_typedef_t *o2 = &p->wit->types.data[s2];
      if (o2->owner_kind != WELD_WIT_OWNER_INTERFACE || o2->owner != sd->owner ||
          !wit_stability_eq(&t2->stability, &td->stability))
        break;
      if (j > i) put(p, ", ");
      ident(p, o2->name);
      if (strcmp(o2->name, t2->name)) {
        put(p, " as ");
        ident(p, t2->name);
      }
    }
    put(p, "};\n");
    i = j;
  }
  for (size_t i = 0; i < n; i++) {
    if (use_source(p->wit, ids[i]) != WELD_WIT_NONE) continue;
    const weld_wit_typedef_t *td = &p->wit->types.data[ids[i]];
    item_gap(p);
    docs(p, td->docs);
    stability(p, &td->stability);
    switch (td->kind) {
    case WELD_WIT_KIND_RESOURCE: resource_funcs(p, ids[i], funcs, rf, nr); break;
    case WELD_WIT_KIND_RECORD: cases_block(p, "record", td); break;
    case WELD_WIT_KIND_VARIANT: cases_block(p, "variant", td); break;
    case WELD_WIT_KIND_ENUM: cases_block(p, "enum", td); break;
    case WELD_WIT_KIND_FLAGS: cases_block(p, "flags", td); break;
    default:
      line_start(p);
      put(p, "type ");
      ident(p, td->name);
      put(p, " = ");
      type_body(p, td);
      put(p, ";\n");
      break;
    }
  }
  base_free(rf, 0);
}

static void interface_body(pr_t *p, const weld_wit_interface_t *in) {
  put(p, "{\n");
  p->indent++;
  bool outer_sep = p->sep;
  p->sep = false;
  uint32_t *ids = base_alloc((in->types.len + 1) * sizeof *ids);
  const weld_wit_func_t **funcs = base_alloc((in->funcs.len + 1) * sizeof *funcs);
  if (!ids || !funcs) {
    p->b.oom = true;
  } else {
    for (size_t i = 0; i < in->types.len; i++) ids[i] = in->types.data[i].id;
    for (size_t i = 0; i < in->funcs.len; i++) funcs[i] = &in->funcs.data[i];
    types_block(p, ids, in->types.len, funcs, in->funcs.len);
    for (size_t i = 0; i < in->funcs.len; i++) {
      const weld_wit_func_t *f = &in->funcs.data[i];
      if (f->kind >= WELD_WIT_FUNC_METHOD) continue;
      item_gap(p);
      docs(p, f->docs);
      stability(p, &f->stability);
      line_start(p);
      func_sig(p, f, f->name, false);
    }
  }
  base_free(ids, 0);
  base_free(funcs, 0);
  p->indent--;
  p->sep = outer_sep;
  line_start(p);
  put(p, "}\n");
}

static void world(pr_t *p, const weld_wit_world_t *w) {
  docs(p, w->docs);
  stability(p, &w->stability);
  line_start(p);
  put(p, "world ");
  ident(p, w->name);
  put(p, " {\n");
  p->indent++;
  p->sep = false;
  /* world-local types first (uses, typedefs, resources with their functions) */
  size_t nt = 0, nf = 0;
  uint32_t *ids = base_alloc((w->imports.len + 1) * sizeof *ids);
  const weld_wit_func_t **funcs = base_alloc((w->imports.len + 1) * sizeof *funcs);
  if (!ids || !funcs) {
    p->b.oom = true;
    goto out;
  }
  for (size_t i = 0; i < w->imports.len; i++) {
    const weld_wit_world_item_t *it = &w->imports.data[i];
    if (it->kind == WELD_WIT_ITEM_TYPE) ids[nt++] = it->id;
    else if (it->kind == WELD_WIT_ITEM_FUNC) funcs[nf++] = &it->func;
  }
  /* imports: interfaces, then world-local types (and resources), then functions;
   * exports in order */
  for (int pass = 0; pass < 3; pass++) {
    int dir = pass == 2;
    const weld_wit_world_item_t *items = dir ? w->exports.data : w->imports.data;
    size_t n = dir ? w->exports.len : w->imports.len;
    const char *kw = dir ? "export " : "import ";
    if (pass == 1 && nt) types_block(p, ids, nt, funcs, nf);
    bool gap = true; /* one blank line before each group of imports/exports */
    for (size_t i = 0; i < n; i++) {
      const weld_wit_world_item_t *it = &items[i];
      if (!dir && (pass == 0) != (it->kind == WELD_WIT_ITEM_INTERFACE)) continue;
      if (it->kind == WELD_WIT_ITEM_TYPE) continue;
      if (it->kind == WELD_WIT_ITEM_FUNC && it->func.kind >= WELD_WIT_FUNC_METHOD) continue;
      if (gap) item_gap(p);
      gap = false;
      if (it->kind == WELD_WIT_ITEM_INTERFACE) {
        const weld_wit_interface_t *in = &p->wit->interfaces.data[it->id];
        if (it->name && !in->name) docs(p, in->docs);
        stability(p, &it->stability);
        line_start(p);
        put(p, kw);
        if (!it->name) {
          iface_path(p, it->id);
          put(p, ";\n");
        } else if (in->name) {
          ident(p, it->name);
          put(p, ": ");
          iface_path(p, it->id);
          put(p, ";\n");
        } else {
          ident(p, it->name);
          put(p, ": interface ");
          interface_body(p, in);
        }
      } else if (it->kind == WELD_WIT_ITEM_FUNC && it->func.kind < WELD_WIT_FUNC_METHOD) {
        docs(p, it->func.docs);
        stability(p, &it->func.stability);
        line_start(p);
        put(p, kw);
        func_sig(p, &it->func, it->name, false);
      }
    }
  }
out:
  base_free(ids, 0);
  base_free(funcs, 0);
  p->indent--;
  line_start(p);
  put(p, "}\n");
}

static void package_items(pr_t *p, uint32_t pkg, uint32_t only_world) {
  const weld_wit_package_t *pk = &p->wit->packages.data[pkg];
  bool first = true;
  for (size_t i = 0; i < pk->interfaces.len; i++) {
    const weld_wit_interface_t *in = &p->wit->interfaces.data[pk->interfaces.data[i].id];
    if (only_world != WELD_WIT_NONE) {
      /* only the interfaces the world mentions */
      const weld_wit_world_t *w = &p->wit->worlds.data[only_world];
      bool used = false;
      for (int dir = 0; dir < 2 && !used; dir++)
        for (size_t k = 0; k < (dir ? w->exports.len : w->imports.len) && !used; k++) {
          const weld_wit_world_item_t *it = dir ? &w->exports.data[k] : &w->imports.data[k];
          used = it->kind == WELD_WIT_ITEM_INTERFACE && it->id == pk->interfaces.data[i].id;
        }
      if (!used) continue;
    }
    if (!first) base_buf_byte(&p->b, '\n');
    first = false;
    docs(p, in->docs);
    stability(p, &in->stability);
    line_start(p);
    put(p, "interface ");
    ident(p, in->name);
    put(p, " ");
    interface_body(p, in);
  }
  for (size_t i = 0; i < pk->worlds.len; i++) {
    if (only_world != WELD_WIT_NONE && pk->worlds.data[i].id != only_world) continue;
    if (!first) base_buf_byte(&p->b, '\n');
    first = false;
    world(p, &p->wit->worlds.data[pk->worlds.data[i].id]);
  }
}

static void package_header(pr_t *p, uint32_t pkg, bool nested) {
  const weld_wit_package_t *pk = &p->wit->packages.data[pkg];
  docs(p, pk->docs);
  line_start(p);
  put(p, "package ");
  ident(p, pk->namespace_);
  put(p, ":");
  ident(p, pk->name);
  if (pk->version) {
    put(p, "@");
    put(p, pk->version);
  }
  put(p, nested ? " {\n" : ";\n\n");
}

char *weld_wit_print(const weld_wit_t *wit, uint32_t pkg, uint32_t world_id) {
  if (!wit) return NULL;
  pr_t p;
  memset(&p, 0, sizeof p);
  p.wit = wit;
  if (world_id != WELD_WIT_NONE && world_id < wit->worlds.len) {
    pkg = wit->worlds.data[world_id].package;
    if (pkg < wit->packages.len) {
      p.pkg = pkg;
      package_header(&p, pkg, false);
      package_items(&p, pkg, world_id);
    }
  } else if (pkg != WELD_WIT_NONE && pkg < wit->packages.len) {
    p.pkg = pkg;
    package_header(&p, pkg, false);
    package_items(&p, pkg, WELD_WIT_NONE);
  } else if (wit->packages.len) {
    /* the last package on top, the others as nested blocks */
    uint32_t top = (uint32_t)wit->packages.len - 1;
    p.pkg = top;
    package_header(&p, top, false);
    package_items(&p, top, WELD_WIT_NONE);
    for (uint32_t i = 0; i < top; i++) {
      base_buf_byte(&p.b, '\n');
      p.pkg = i;
      package_header(&p, i, true);
      p.indent++;
      package_items(&p, i, WELD_WIT_NONE);
      p.indent--;
      put(&p, "}\n");
    }
  }
  return base_buf_take_str(&p.b);
}
