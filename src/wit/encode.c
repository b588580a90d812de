/* encode.c — a resolved WIT package, or one world, as a component binary: wasm-tools'
 * wit-component "WIT package encoding" (`encode`, `encode_world`; component-model
 * Binary.md for the bytes).  decode.c reads it back.
 *
 *   package:  one component type per interface — it imports every interface the
 *             interface depends on (transitively, each with all its types) and exports
 *             the interface itself as an instance type under `ns:pkg/iface@ver` — and one
 *             per world (a component type wrapping the world's component type, exported
 *             as `ns:pkg/world@ver`), each exported under its plain name; then the
 *             `package-docs` custom section (metadata.c).
 *   world:    the world's component type alone, wrapped the same way, after a
 *             `wit-component-encoding` custom section (version 4, UTF-8): the payload
 *             of a `component-type` custom section.
 *
 * Types are written as wasm-tools writes them, so the bytes can be compared with its
 * output: a type is defined at its first use, after the types it refers to; a named type
 * is exported (`(export "n" (type (eq i)))`) and later uses refer to the export; a type of
 * another interface is aliased from that interface's instance (an outer alias inside an
 * instance type); resources are `(sub resource)` exports; function types are shared
 * between functions with the same signature; an interface's functions on resources come
 * first, in the order of their resources, then the free functions. */
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include "wit/internal.h"
#include <string.h>

/* A component or instance type being written: its declarators and index spaces. */
typedef struct tscope {
  base_buf_t out;
  uint32_t ndecls, ntypes;
  wit_map_t type_map; /* WIT type id -> type index here */
  wit_map_t func_map; /* function signature -> type index here */
} tscope_t;

typedef struct enc {
  const weld_wit_t *wit;
  wit_arena_t a;
  tscope_t outer, inner;
  bool in_instance;
  uint32_t iface;   /* the interface whose types are being defined, or WELD_WIT_NONE */
  bool import_types; /* world-level types are imported */
  wit_map_t import_map;     /* interface id -> instance index in the outer type */
  wit_map_t outer_type_map; /* WIT type id -> outer type index (aliases of instance exports) */
  uint32_t instances;
  uint32_t depth;
  weld_error_t *err;
} enc_t;

static bool efail(enc_t *e, const char *msg, const char *name) {
  if (!e->err) e->err = base_error("cannot encode WIT: %s%s%s", msg, name ? " " : "", name ? name : "");
  return false;
}

static tscope_t *cur(enc_t *e) { return e->in_instance ? &e->inner : &e->outer; }

static void name_bytes(base_buf_t *b, const char *s) {
  size_t n = strlen(s);
  base_buf_u32leb(b, (uint32_t)n);
  base_buf_bytes(b, s, n);
}

static uint32_t map_get(const wit_map_t *m, uint32_t k) { return wit_map_get(m, &k, 4); }
static bool map_put(enc_t *e, wit_map_t *m, uint32_t k, uint32_t v) {
  uint32_t *key = wit_alloc(&e->a, 4);
  if (!key) return false;
  *key = k;
  wit_map_set(&e->a, m, key, 4, v);
  return !e->a.oom;
}

/* A value type: a primitive code, or a type index. */
typedef struct val {
  bool prim;
  uint32_t v;
} val_t;

static uint8_t prim_code(uint32_t tag) {
  static const uint8_t codes[] = {
      [WELD_WIT_T_BOOL] = 0x7f, [WELD_WIT_T_U8] = 0x7d,  [WELD_WIT_T_U16] = 0x7b,  [WELD_WIT_T_U32] = 0x79,
      [WELD_WIT_T_U64] = 0x77,  [WELD_WIT_T_S8] = 0x7e,  [WELD_WIT_T_S16] = 0x7c,  [WELD_WIT_T_S32] = 0x7a,
      [WELD_WIT_T_S64] = 0x78,  [WELD_WIT_T_F32] = 0x76, [WELD_WIT_T_F64] = 0x75,  [WELD_WIT_T_CHAR] = 0x74,
      [WELD_WIT_T_STRING] = 0x73, [WELD_WIT_T_ERROR_CONTEXT] = 0x64,
  };
  return tag < sizeof codes ? codes[tag] : 0;
}

static void put_val(base_buf_t *b, val_t v) {
  if (v.prim) base_buf_byte(b, (uint8_t)v.v);
  else base_buf_s64leb(b, (int64_t)v.v); /* s33 */
}

/* Starts a type definition declarator in the current scope; returns its index. */
static uint32_t def_begin(enc_t *e) {
  tscope_t *s = cur(e);
  base_buf_byte(&s->out, 0x01);
  s->ndecls++;
  return s->ntypes++;
}

/* `(export "name" (type (eq idx)))`, or an import of it for world-level types; returns
 * the new type index. */
static uint32_t export_type(enc_t *e, uint32_t idx, const char *name) {
  tscope_t *s = cur(e);
  base_buf_byte(&s->out, !e->in_instance && e->import_types ? 0x03 : 0x04);
  base_buf_byte(&s->out, 0x00);
  name_bytes(&s->out, name);
  base_buf_byte(&s->out, 0x03);
  base_buf_byte(&s->out, 0x00);
  base_buf_u32leb(&s->out, idx);
  s->ndecls++;
  return s->ntypes++;
}

static uint32_t export_resource(enc_t *e, const char *name) {
  tscope_t *s = cur(e);
  base_buf_byte(&s->out, !e->in_instance && e->import_types ? 0x03 : 0x04);
  base_buf_byte(&s->out, 0x00);
  name_bytes(&s->out, name);
  base_buf_byte(&s->out, 0x03);
  base_buf_byte(&s->out, 0x01);
  s->ndecls++;
  return s->ntypes++;
}

/* Type `id` of interface `owner`, aliased from that interface's instance. */
static bool import_type(enc_t *e, uint32_t owner, uint32_t id, uint32_t *out) {
  const weld_wit_typedef_t *td = &e->wit->types.data[id];
  uint32_t inst = map_get(&e->import_map, owner);
  if (inst == WIT_MAP_MISSING) return efail(e, "a type refers to an interface that is not imported:", td->name);
  uint32_t oi = map_get(&e->outer_type_map, id);
  if (oi == WIT_MAP_MISSING) {
    tscope_t *o = &e->outer;
    base_buf_byte(&o->out, 0x02);
    base_buf_byte(&o->out, 0x03); /* sort: type */
    base_buf_byte(&o->out, 0x00); /* export of an instance */
    base_buf_u32leb(&o->out, inst);
    name_bytes(&o->out, td->name);
    o->ndecls++;
    oi = o->ntypes++;
    if (!map_put(e, &e->outer_type_map, id, oi)) return efail(e, "out of memory", NULL);
  }
  if (!e->in_instance) {
    *out = oi;
    return true;
  }
  tscope_t *s = &e->inner;
  base_buf_byte(&s->out, 0x02);
  base_buf_byte(&s->out, 0x03);
  base_buf_byte(&s->out, 0x02); /* outer */
  base_buf_u32leb(&s->out, 1);
  base_buf_u32leb(&s->out, oi);
  s->ndecls++;
  *out = s->ntypes++;
  return true;
}

static bool enc_val(enc_t *e, weld_wit_type_t t, val_t *out);

static bool enc_opt(enc_t *e, weld_wit_type_t t, val_t *out, bool *present) {
  *present = t.tag != WELD_WIT_T_NONE;
  return !*present || enc_val(e, t, out);
}

static void put_opt(base_buf_t *b, bool present, val_t v) {
  base_buf_byte(b, present ? 0x01 : 0x00);
  if (present) put_val(b, v);
}

/* Encodes the structure of type `id` (its parts first); *out is the value type. */
static bool enc_def(enc_t *e, uint32_t id, val_t *out) {
  const weld_wit_typedef_t *td = &e->wit->types.data[id];
  size_t n = td->cases.len;
  val_t a = {true, 0}, b = {true, 0};
  bool pa = false, pb = false;
  val_t *vs = NULL;
  bool *present = NULL;
  if (td->kind == WELD_WIT_KIND_RECORD || td->kind == WELD_WIT_KIND_TUPLE || td->kind == WELD_WIT_KIND_VARIANT) {
    vs = wit_zalloc(&e->a, (n + 1) * sizeof *vs);
    present = wit_zalloc(&e->a, n + 1);
    if (!vs || !present) return efail(e, "out of memory", NULL);
    for (size_t i = 0; i < n; i++)
      if (!enc_opt(e, td->cases.data[i].type, &vs[i], &present[i])) return false;
  }
  switch (td->kind) {
  case WELD_WIT_KIND_ALIAS: return enc_val(e, td->a, out);
  case WELD_WIT_KIND_OWN:
  case WELD_WIT_KIND_BORROW:
  case WELD_WIT_KIND_LIST:
  case WELD_WIT_KIND_FIXED_LIST:
  case WELD_WIT_KIND_OPTION:
    if (!enc_val(e, td->a, &a)) return false;
    if ((td->kind == WELD_WIT_KIND_OWN || td->kind == WELD_WIT_KIND_BORROW) && a.prim)
      return efail(e, "a handle to a type that is not a resource", td->name);
    break;
  case WELD_WIT_KIND_RESULT:
  case WELD_WIT_KIND_MAP:
    if (!enc_opt(e, td->a, &a, &pa) || !enc_opt(e, td->b, &b, &pb)) return false;
    break;
  case WELD_WIT_KIND_FUTURE:
  case WELD_WIT_KIND_STREAM:
    if (!enc_opt(e, td->a, &a, &pa)) return false;
    break;
  default: break;
  }
  uint32_t idx = def_begin(e);
  base_buf_t *o = &cur(e)->out;
  switch (td->kind) {
  case WELD_WIT_KIND_RECORD:
  case WELD_WIT_KIND_VARIANT:
    base_buf_byte(o, td->kind == WELD_WIT_KIND_RECORD ? 0x72 : 0x71);
    base_buf_u32leb(o, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
      name_bytes(o, td->cases.data[i].name);
      if (td->kind == WELD_WIT_KIND_RECORD) {
        put_val(o, vs[i]);
      } else {
        put_opt(o, present[i], vs[i]);
        base_buf_byte(o, 0x00); /* no `refines` */
      }
    }
    break;
  case WELD_WIT_KIND_TUPLE:
    base_buf_byte(o, 0x6f);
    base_buf_u32leb(o, (uint32_t)n);
    for (size_t i = 0; i < n; i++) put_val(o, vs[i]);
    break;
  case WELD_WIT_KIND_FLAGS:
  case WELD_WIT_KIND_ENUM:
    base_buf_byte(o, td->kind == WELD_WIT_KIND_FLAGS ? 0x6e : 0x6d);
    base_buf_u32leb(o, (uint32_t)n);
    for (size_t i = 0; i < n; i++) name_bytes(o, td->cases.data[i].name);
    break;
  case WELD_WIT_KIND_OWN: base_buf_byte(o, 0x69); base_buf_u32leb(o, a.v); break;
  case WELD_WIT_KIND_BORROW: base_buf_byte(o, 0x68); base_buf_u32leb(o, a.v); break;
  case WELD_WIT_KIND_LIST: base_buf_byte(o, 0x70); put_val(o, a); break;
  case WELD_WIT_KIND_FIXED_LIST:
    base_buf_byte(o, 0x67);
    put_val(o, a);
    base_buf_u32leb(o, td->size);
    break;
  case WELD_WIT_KIND_OPTION: base_buf_byte(o, 0x6b); put_val(o, a); break;
  case WELD_WIT_KIND_RESULT:
    base_buf_byte(o, 0x6a);
    put_opt(o, pa, a);
    put_opt(o, pb, b);
    break;
  case WELD_WIT_KIND_MAP:
    if (!pa || !pb) return efail(e, "a map without key or value type", td->name);
    base_buf_byte(o, 0x63);
    put_val(o, a);
    put_val(o, b);
    break;
  case WELD_WIT_KIND_FUTURE:
  case WELD_WIT_KIND_STREAM:
    base_buf_byte(o, td->kind == WELD_WIT_KIND_FUTURE ? 0x65 : 0x66);
    put_opt(o, pa, a);
    break;
  default: return efail(e, "unexpected type", td->name);
  }
  out->prim = false;
  out->v = idx;
  return true;
}

/* wasm-tools' `encode_valtype` */
static bool enc_val(enc_t *e, weld_wit_type_t t, val_t *out) {
  if (t.tag != WELD_WIT_T_ID) {
    uint8_t c = prim_code(t.tag);
    if (!c) return efail(e, "a missing type", NULL);
    out->prim = true;
    out->v = c;
    return true;
  }
  uint32_t id = t.id;
  if (id >= e->wit->types.len) return efail(e, "a type index out of range", NULL);
  tscope_t *s = cur(e);
  uint32_t have = map_get(&s->type_map, id);
  if (have != WIT_MAP_MISSING) {
    out->prim = false;
    out->v = have;
    return true;
  }
  const weld_wit_typedef_t *td = &e->wit->types.data[id];
  if (td->owner_kind == WELD_WIT_OWNER_INTERFACE && td->owner != e->iface) {
    uint32_t idx;
    if (!import_type(e, td->owner, id, &idx) || !map_put(e, &cur(e)->type_map, id, idx))
      return e->err ? false : efail(e, "out of memory", NULL);
    out->prim = false;
    out->v = idx;
    return true;
  }
  if (++e->depth > WELD_MAX_WIT_NESTING * 4) return efail(e, "types nested too deeply", td->name);
  val_t v;
  if (td->kind == WELD_WIT_KIND_RESOURCE) {
    if (!td->name) return efail(e, "an anonymous resource", NULL);
    v.prim = false;
    v.v = export_resource(e, td->name);
  } else {
    if (!enc_def(e, id, &v)) return false;
    if (td->name) {
      if (v.prim) {
        uint32_t idx = def_begin(e);
        base_buf_byte(&cur(e)->out, (uint8_t)v.v);
        v.prim = false;
        v.v = idx;
      }
      v.v = export_type(e, v.v, td->name);
    }
  }
  e->depth--;
  if (!v.prim && !map_put(e, &cur(e)->type_map, id, v.v)) return efail(e, "out of memory", NULL);
  *out = v;
  return true;
}

/* A function type (shared by functions with the same signature); its index. */
static bool enc_func(enc_t *e, const weld_wit_func_t *f, uint32_t *out) {
  bool async = f->kind == WELD_WIT_FUNC_ASYNC_FREESTANDING || f->kind == WELD_WIT_FUNC_ASYNC_METHOD ||
               f->kind == WELD_WIT_FUNC_ASYNC_STATIC;
  base_buf_t key = {0};
  base_buf_byte(&key, async);
  for (size_t i = 0; i < f->params.len; i++) {
    name_bytes(&key, f->params.data[i].name);
    base_buf_u32leb(&key, f->params.data[i].type.tag);
    base_buf_u32leb(&key, f->params.data[i].type.tag == WELD_WIT_T_ID ? f->params.data[i].type.id : 0);
  }
  base_buf_byte(&key, 0xff);
  base_buf_u32leb(&key, f->result.tag);
  base_buf_u32leb(&key, f->result.tag == WELD_WIT_T_ID ? f->result.id : 0);
  if (key.oom) return efail(e, "out of memory", NULL);
  uint32_t have = wit_map_get(&cur(e)->func_map, key.data, key.len);
  if (have != WIT_MAP_MISSING) {
    base_buf_free(&key);
    *out = have;
    return true;
  }
  val_t *ps = wit_alloc(&e->a, (f->params.len + 1) * sizeof *ps);
  val_t r = {true, 0};
  bool ok = ps != NULL;
  for (size_t i = 0; ok && i < f->params.len; i++) ok = enc_val(e, f->params.data[i].type, &ps[i]);
  if (ok && f->result.tag != WELD_WIT_T_NONE) ok = enc_val(e, f->result, &r);
  if (!ok) {
    base_buf_free(&key);
    return e->err ? false : efail(e, "out of memory", NULL);
  }
  uint32_t idx = def_begin(e);
  base_buf_t *o = &cur(e)->out;
  base_buf_byte(o, async ? 0x43 : 0x40);
  base_buf_u32leb(o, (uint32_t)f->params.len);
  for (size_t i = 0; i < f->params.len; i++) {
    name_bytes(o, f->params.data[i].name);
    put_val(o, ps[i]);
  }
  if (f->result.tag != WELD_WIT_T_NONE) {
    base_buf_byte(o, 0x00);
    put_val(o, r);
  } else {
    base_buf_byte(o, 0x01);
    base_buf_byte(o, 0x00);
  }
  char *k = wit_alloc(&e->a, key.len + 1);
  if (k) {
    memcpy(k, key.data, key.len);
    wit_map_put(&e->a, &cur(e)->func_map, k, key.len, idx);
  }
  base_buf_free(&key);
  if (!k || e->a.oom) return efail(e, "out of memory", NULL);
  *out = idx;
  return true;
}

static void scope_reset(tscope_t *s) {
  base_buf_free(&s->out);
  memset(s, 0, sizeof *s);
}

/* Closes the instance type being written and defines it in the outer type. */
static uint32_t pop_instance(enc_t *e) {
  tscope_t *in = &e->inner, *o = &e->outer;
  e->in_instance = false;
  base_buf_byte(&o->out, 0x01);
  base_buf_byte(&o->out, 0x42);
  base_buf_u32leb(&o->out, in->ndecls);
  base_buf_bytes(&o->out, in->out.data, in->out.len);
  if (in->out.oom) o->out.oom = true;
  o->ndecls++;
  uint32_t r = o->ntypes++;
  scope_reset(in);
  return r;
}

static void push_instance(enc_t *e) {
  scope_reset(&e->inner);
  e->in_instance = true;
}

/* wasm-tools' `encode_instance`: the interface with its functions; returns the outer
 * type index of the instance type (and records the instance). */
static bool enc_instance(enc_t *e, uint32_t iface, uint32_t *out) {
  const weld_wit_interface_t *in = &e->wit->interfaces.data[iface];
  e->iface = iface;
  push_instance(e);
  for (size_t i = 0; i < in->types.len; i++) {
    val_t v;
    if (!enc_val(e, wit_ty_id(in->types.data[i].id), &v)) return false;
  }
  /* functions on resources first, by resource position, then free functions (stable) */
  size_t n = in->funcs.len;
  uint32_t *keys = wit_alloc(&e->a, (n + 1) * sizeof *keys);
  size_t *order = wit_alloc(&e->a, (n + 1) * sizeof *order), *count = wit_zalloc(&e->a, (in->types.len + 2) * sizeof *count);
  wit_map_t pos = {0}; /* type id -> position among the interface's types */
  if (!keys || !order || !count) return efail(e, "out of memory", NULL);
  for (size_t i = 0; i < in->types.len; i++)
    if (wit_map_get(&pos, &in->types.data[i].id, 4) == WIT_MAP_MISSING && !map_put(e, &pos, in->types.data[i].id, (uint32_t)i))
      return efail(e, "out of memory", NULL);
  for (size_t i = 0; i < n; i++) {
    const weld_wit_func_t *f = &in->funcs.data[i];
    bool free_ = f->kind == WELD_WIT_FUNC_FREESTANDING || f->kind == WELD_WIT_FUNC_ASYNC_FREESTANDING;
    uint32_t p = free_ ? WIT_MAP_MISSING : map_get(&pos, f->resource);
    keys[i] = p == WIT_MAP_MISSING ? (uint32_t)in->types.len : p;
    count[keys[i] + 1]++;
  }
  for (size_t k = 1; k <= in->types.len + 1; k++) count[k] += count[k - 1]; /* a stable counting sort */
  for (size_t i = 0; i < n; i++) order[count[keys[i]]++] = i;
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k];
    uint32_t ft;
    if (!enc_func(e, &in->funcs.data[i], &ft)) return false;
    base_buf_t *o = &e->inner.out;
    base_buf_byte(o, 0x04);
    base_buf_byte(o, 0x00);
    name_bytes(o, in->funcs.data[i].name);
    base_buf_byte(o, 0x01);
    base_buf_u32leb(o, ft);
    e->inner.ndecls++;
  }
  *out = pop_instance(e);
  if (!map_put(e, &e->import_map, iface, e->instances++)) return efail(e, "out of memory", NULL);
  return true;
}

/* An import or export of the outer component type; `implements` names the interface of a
 * labeled instance (`import label: iface;`). */
static void outer_extern(enc_t *e, bool import, const char *name, uint8_t kind, uint32_t idx, const char *implements) {
  base_buf_t *o = &e->outer.out;
  base_buf_byte(o, import ? 0x03 : 0x04);
  base_buf_byte(o, implements ? 0x02 : 0x00);
  name_bytes(o, name);
  if (implements) {
    base_buf_u32leb(o, 1);
    base_buf_byte(o, 0x00);
    name_bytes(o, implements);
  }
  base_buf_byte(o, kind);
  base_buf_u32leb(o, idx);
  e->outer.ndecls++;
}

static bool enc_init(enc_t *e, const weld_wit_t *wit) {
  memset(e, 0, sizeof *e);
  e->wit = wit;
  e->iface = WELD_WIT_NONE;
  return true;
}

static void enc_free(enc_t *e) {
  scope_reset(&e->outer);
  scope_reset(&e->inner);
  wit_arena_free(&e->a);
}

/* The world's component type (wasm-tools' `encode_world`) into e->outer. */
static bool enc_world(enc_t *e, uint32_t world) {
  const weld_wit_world_t *w = &e->wit->worlds.data[world];
  for (int dir = 0; dir < 2; dir++) {
    size_t n = dir ? w->exports.len : w->imports.len;
    for (size_t i = 0; i < n; i++) {
      const weld_wit_world_item_t *it = dir ? &w->exports.data[i] : &w->imports.data[i];
      char *idname = NULL;
      const char *name = it->name;
      if (!name) {
        idname = weld_wit_interface_id(e->wit, it->key_interface);
        if (!idname) return efail(e, "an interface without an id in world", w->name);
        name = idname;
      }
      bool ok = true;
      uint32_t idx;
      switch (it->kind) {
      case WELD_WIT_ITEM_INTERFACE: {
        /* a labeled import of a named interface says which interface it implements */
        char *impl = it->name && e->wit->interfaces.data[it->id].name ? weld_wit_interface_id(e->wit, it->id) : NULL;
        ok = enc_instance(e, it->id, &idx);
        if (ok) outer_extern(e, !dir, name, 0x05, idx, impl);
        weld_wit_free_string(impl);
        break;
      }
      case WELD_WIT_ITEM_FUNC:
        e->iface = WELD_WIT_NONE;
        ok = enc_func(e, &it->func, &idx);
        if (ok) outer_extern(e, !dir, name, 0x01, idx, NULL);
        break;
      default: {
        if (dir) {
          ok = efail(e, "worlds cannot export types:", name);
          break;
        }
        e->iface = WELD_WIT_NONE;
        e->import_types = true;
        val_t v;
        ok = enc_val(e, wit_ty_id(it->id), &v);
        e->import_types = false;
        break;
      }
      }
      weld_wit_free_string(idname);
      if (!ok) return false;
    }
  }
  return true;
}

/* Interfaces that `iface` depends on through `use`, transitively, then itself
 * (wasm-tools' `add_live_interfaces`: a depth-first walk, dependencies in the order of the
 * interface's types), with an explicit stack. */
static bool live_ifaces(enc_t *e, uint32_t iface, uint32_t **list, size_t *n) {
  typedef struct frame {
    uint32_t iface;
    size_t next; /* next type to look at */
  } frame_t;
  struct { frame_t *data; size_t len, cap; } stack = {0};
  struct { uint32_t *data; size_t len, cap; } out = {0};
  wit_map_t seen = {0}; /* 1: on the stack or done */
  frame_t f0 = {iface, 0};
  if (!AVEC_PUSH(&e->a, &stack, f0) || !map_put(e, &seen, iface, 1)) return efail(e, "out of memory", NULL);
  while (stack.len) {
    frame_t *f = &stack.data[stack.len - 1];
    const weld_wit_interface_t *in = &e->wit->interfaces.data[f->iface];
    if (f->next < in->types.len) {
      uint32_t dep = wit_type_interface_dep(e->wit, in->types.data[f->next++].id);
      if (dep == WELD_WIT_NONE || map_get(&seen, dep) != WIT_MAP_MISSING) continue;
      frame_t nf = {dep, 0};
      if (!AVEC_PUSH(&e->a, &stack, nf) || !map_put(e, &seen, dep, 1)) return efail(e, "out of memory", NULL);
      continue;
    }
    if (!AVEC_PUSH(&e->a, &out, f->iface)) return efail(e, "out of memory", NULL);
    stack.len--;
  }
  *list = out.data;
  *n = out.len;
  return true;
}

/* wasm-tools' `encode_interface`, into e->outer. */
static bool enc_interface(enc_t *e, uint32_t iface) {
  uint32_t *list = NULL;
  size_t n = 0;
  if (!live_ifaces(e, iface, &list, &n)) return false;
  for (size_t k = 0; k < n; k++) {
    uint32_t id = list[k];
    char *name = weld_wit_interface_id(e->wit, id);
    if (!name) return efail(e, "an interface without an id", NULL);
    uint32_t idx;
    bool ok = true;
    if (id == iface) {
      ok = enc_instance(e, id, &idx);
      if (ok) outer_extern(e, false, name, 0x05, idx, NULL);
    } else {
      const weld_wit_interface_t *in = &e->wit->interfaces.data[id];
      e->iface = id;
      push_instance(e);
      for (size_t i = 0; ok && i < in->types.len; i++) {
        val_t v;
        ok = enc_val(e, wit_ty_id(in->types.data[i].id), &v);
      }
      if (ok) {
        idx = pop_instance(e);
        ok = map_put(e, &e->import_map, id, e->instances++) || efail(e, "out of memory", NULL);
        outer_extern(e, true, name, 0x05, idx, NULL);
      }
    }
    weld_wit_free_string(name);
    if (!ok) return false;
  }
  e->iface = WELD_WIT_NONE;
  return true;
}

/* ---- the component ---- */

static void section(base_buf_t *out, uint8_t id, const base_buf_t *payload) {
  base_buf_byte(out, id);
  base_buf_u32leb(out, (uint32_t)payload->len);
  base_buf_bytes(out, payload->data, payload->len);
  if (payload->oom) out->oom = true;
}

static void custom_section(base_buf_t *out, const char *name, const uint8_t *data, size_t len) {
  base_buf_t p = {0};
  name_bytes(&p, name);
  base_buf_bytes(&p, data, len);
  section(out, 0, &p);
  base_buf_free(&p);
}

/* A type section holding `(component <decls of e->outer>)`, optionally wrapped as a world
 * (`(component (type (component ...)) (export "id" (component 0)))`), then an export
 * section exporting it as `name`; *ntypes counts the component's type index space. */
static void item_sections(enc_t *e, base_buf_t *out, const char *name, const char *world_id, uint32_t *ntypes) {
  base_buf_t t = {0};
  base_buf_u32leb(&t, 1);
  base_buf_byte(&t, 0x41);
  if (world_id) {
    base_buf_u32leb(&t, 2);
    base_buf_byte(&t, 0x01);
    base_buf_byte(&t, 0x41);
  }
  base_buf_u32leb(&t, e->outer.ndecls);
  base_buf_bytes(&t, e->outer.out.data, e->outer.out.len);
  if (e->outer.out.oom) t.oom = true;
  if (world_id) {
    base_buf_byte(&t, 0x04);
    base_buf_byte(&t, 0x00);
    name_bytes(&t, world_id);
    base_buf_byte(&t, 0x04);
    base_buf_u32leb(&t, 0);
  }
  section(out, 7, &t);
  base_buf_free(&t);
  uint32_t idx = (*ntypes)++;
  base_buf_t x = {0};
  base_buf_u32leb(&x, 1);
  base_buf_byte(&x, 0x00);
  name_bytes(&x, name);
  base_buf_byte(&x, 0x03);
  base_buf_u32leb(&x, idx);
  base_buf_byte(&x, 0x00);
  section(out, 11, &x);
  base_buf_free(&x);
  (*ntypes)++; /* the export is a new type */
}

static const uint8_t preamble[8] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};

static weld_error_t *hand_over(base_buf_t *b, uint8_t **out, size_t *out_len) {
  if (b->oom) {
    base_buf_free(b);
    return base_error_oom();
  }
  *out = b->data;
  *out_len = b->len;
  return NULL;
}

static char *world_id(const weld_wit_t *wit, const weld_wit_world_t *w) {
  if (w->package >= wit->packages.len) return NULL;
  const weld_wit_package_t *p = &wit->packages.data[w->package];
  base_buf_t b = {0};
  base_buf_printf(&b, "%s:%s/%s", p->namespace_, p->name, w->name);
  if (p->version) base_buf_printf(&b, "@%s", p->version);
  return base_buf_take_str(&b);
}

weld_error_t *weld_wit_encode_package(const weld_wit_t *wit, uint32_t pkg, uint8_t **out, size_t *out_len) {
  if (!wit || !out || !out_len) return base_error("weld_wit_encode_package: missing argument");
  *out = NULL;
  *out_len = 0;
  if (pkg >= wit->packages.len) return base_error("weld_wit_encode_package: no package %u", pkg);
  const weld_wit_package_t *p = &wit->packages.data[pkg];
  base_buf_t b = {0};
  base_buf_bytes(&b, preamble, sizeof preamble);
  uint32_t ntypes = 0;
  enc_t e;
  weld_error_t *err = NULL;
  for (size_t i = 0; i < p->interfaces.len && !err; i++) {
    enc_init(&e, wit);
    if (enc_interface(&e, p->interfaces.data[i].id)) item_sections(&e, &b, p->interfaces.data[i].name, NULL, &ntypes);
    err = e.err;
    enc_free(&e);
  }
  for (size_t i = 0; i < p->worlds.len && !err; i++) {
    const weld_wit_world_t *w = &wit->worlds.data[p->worlds.data[i].id];
    char *id = world_id(wit, w);
    enc_init(&e, wit);
    if (!id) efail(&e, "out of memory", NULL);
    else if (enc_world(&e, p->worlds.data[i].id)) item_sections(&e, &b, p->worlds.data[i].name, id, &ntypes);
    err = e.err;
    enc_free(&e);
    base_free(id, 0);
  }
  if (!err) {
    base_buf_t m = {0};
    if (wit_meta_encode(wit, pkg, &m)) custom_section(&b, "package-docs", m.data, m.len);
    else b.oom = true;
    base_buf_free(&m);
  }
  if (err) {
    base_buf_free(&b);
    return err;
  }
  return hand_over(&b, out, out_len);
}

weld_error_t *weld_wit_encode_world(const weld_wit_t *wit, uint32_t world, uint8_t **out, size_t *out_len) {
  if (!wit || !out || !out_len) return base_error("weld_wit_encode_world: missing argument");
  *out = NULL;
  *out_len = 0;
  if (world >= wit->worlds.len) return base_error("weld_wit_encode_world: no world %u", world);
  const weld_wit_world_t *w = &wit->worlds.data[world];
  char *id = world_id(wit, w);
  if (!id) return base_error_oom();
  base_buf_t b = {0};
  base_buf_bytes(&b, preamble, sizeof preamble);
  static const uint8_t version[2] = {0x04, 0x00}; /* encoding version 4, UTF-8 */
  custom_section(&b, "wit-component-encoding", version, sizeof version);
  enc_t e;
  enc_init(&e, wit);
  uint32_t ntypes = 0;
  if (enc_world(&e, world)) item_sections(&e, &b, w->name, id, &ntypes);
  weld_error_t *err = e.err;
  enc_free(&e);
  base_free(id, 0);
  if (err) {
    base_buf_free(&b);
    return err;
  }
  return hand_over(&b, out, out_len);
}

void weld_wit_free_bytes(uint8_t *bytes) { base_free(bytes, 0); }
