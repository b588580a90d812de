/* decode.c — the component binary format (design/mvp/Binary.md, version 0x0d, layer 1):
 * bytes -> the syntax tree of component.h.  Sections and definitions; the encodings of
 * types are in decode_types.c.  Embedded core modules (section 1) go to the core engine
 * (weld_module_new: decoded, validated and compiled).  After decoding, comp_decode runs the
 * validator (validate.c) on the whole tree.
 *
 * Every count read from the input is checked against WELD_MAX_* caps and against the bytes
 * left (each element takes at least one byte) before anything is allocated, and nesting of
 * components and types is bounded by WELD_MAX_COMPONENT_NESTING, so no input can make the
 * decoder allocate much more than its own size or recurse deeply. */
#include "component/decode_internal.h"
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include "core/runtime.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- errors and reading */

bool comp_dfail(comp_dctx_t *c, size_t off, const char *fmt, ...) {
  if (!c->err) {
    va_list ap;
    va_start(ap, fmt);
    c->err = base_error_v(off, fmt, ap);
    va_end(ap);
  }
  return false;
}

bool comp_drfail(comp_dctx_t *c, base_reader_t *r, const char *what) {
  if (c->err) return false;
  const char *msg = r->err ? r->err : "unexpected end";
  if (what) return comp_dfail(c, r->err ? r->err_off : base_reader_off(r), "malformed %s: %s", what, msg);
  return comp_dfail(c, r->err ? r->err_off : base_reader_off(r), "malformed component: %s", msg);
}

bool comp_rd_u8(comp_dctx_t *c, base_reader_t *r, uint8_t *out) {
  if (!base_read_u8(r, out)) return comp_drfail(c, r, NULL);
  return true;
}

bool comp_rd_u32(comp_dctx_t *c, base_reader_t *r, uint32_t *out) {
  if (!base_read_u32(r, out)) return comp_drfail(c, r, NULL);
  return true;
}

bool comp_rd_name(comp_dctx_t *c, base_reader_t *r, comp_name_t *out) {
  const uint8_t *s = NULL;
  uint32_t len = 0;
  size_t off = base_reader_off(r);
  if (!base_read_name(r, &s, &len)) {
    if (r->err && strstr(r->err, "UTF-8")) return comp_dfail(c, off, "malformed UTF-8 encoding in name");
    return comp_drfail(c, r, "name");
  }
  out->s = (const char *)s;
  out->len = len;
  return true;
}

bool comp_rd_count(comp_dctx_t *c, base_reader_t *r, uint32_t *out, uint32_t limit, const char *what) {
  size_t off = base_reader_off(r);
  if (!comp_rd_u32(c, r, out)) return false;
  if (*out > limit) return comp_dfail(c, off, "too many %s (%u, the limit is %u)", what, *out, limit);
  if (*out > base_reader_left(r))
    return comp_dfail(c, off, "malformed component: %s count %u exceeds the bytes left", what, *out);
  return true;
}

void *comp_dalloc(comp_dctx_t *c, size_t count, size_t size, size_t off) {
  void *p = comp_arena_array(c->arena, count ? count : 1, size);
  if (!p && !c->err) c->err = count && size ? base_error_at(off, "out of memory (component too large)") : base_error_oom();
  return p;
}

/* ---------------------------------------------------------------- sorts */

bool comp_rd_core_sort(comp_dctx_t *c, base_reader_t *r, uint8_t *sort) {
  size_t off = base_reader_off(r);
  uint8_t b = 0;
  if (!comp_rd_u8(c, r, &b)) return false;
  switch (b) {
  case 0x00: *sort = COMP_SORT_CORE_FUNC; return true;
  case 0x01: *sort = COMP_SORT_CORE_TABLE; return true;
  case 0x02: *sort = COMP_SORT_CORE_MEMORY; return true;
  case 0x03: *sort = COMP_SORT_CORE_GLOBAL; return true;
  case 0x04: *sort = COMP_SORT_CORE_TAG; return true;
  case 0x10: *sort = COMP_SORT_CORE_TYPE; return true;
  case 0x11: *sort = COMP_SORT_CORE_MODULE; return true;
  case 0x12: *sort = COMP_SORT_CORE_INSTANCE; return true;
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for core sort", b);
}

bool comp_rd_sort(comp_dctx_t *c, base_reader_t *r, uint8_t *sort) {
  size_t off = base_reader_off(r);
  uint8_t b = 0;
  if (!comp_rd_u8(c, r, &b)) return false;
  switch (b) {
  case 0x00: return comp_rd_core_sort(c, r, sort);
  case 0x01: *sort = COMP_SORT_FUNC; return true;
  case 0x02: *sort = COMP_SORT_VALUE; return true;
  case 0x03: *sort = COMP_SORT_TYPE; return true;
  case 0x04: *sort = COMP_SORT_COMPONENT; return true;
  case 0x05: *sort = COMP_SORT_INSTANCE; return true;
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for sort", b);
}

static bool rd_sortidx(comp_dctx_t *c, base_reader_t *r, comp_sortidx_t *out) {
  return comp_rd_sort(c, r, &out->sort) && comp_rd_u32(c, r, &out->idx);
}

/* `importname'` / `exportname'`: a prefix byte (0x00, or the legacy 0x01) and the name. */
bool comp_rd_extern_name(comp_dctx_t *c, base_reader_t *r, comp_name_t *out) {
  size_t off = base_reader_off(r);
  uint8_t b = 0;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b == 0x02)
    return comp_dfail(c, off, COMP_NOT_SUPPORTED "import/export names with options such as `implements` (cm-implements)");
  if (b > 0x01) return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for import/export name", b);
  return comp_rd_name(c, r, out);
}

const char *comp_sort_name(uint8_t sort) {
  static const char *const names[COMP_SORT_COUNT] = {
      "core func", "core table", "core memory", "core global", "core tag", "core type",
      "core module", "core instance", "func", "value", "type", "component", "instance",
  };
  return sort < COMP_SORT_COUNT ? names[sort] : "?";
}

/* ---------------------------------------------------------------- sections */

typedef VEC(comp_item_t) item_vec_t;

static bool push_item(comp_dctx_t *c, item_vec_t *items, const comp_item_t *it, size_t off) {
  if (items->len >= WELD_MAX_COMPONENT_ITEMS)
    return comp_dfail(c, off, "too many definitions in one component (limit %u)", WELD_MAX_COMPONENT_ITEMS);
  if (!VEC_PUSH(items, *it)) {
    if (!c->err) c->err = base_error_oom();
    return false;
  }
  return true;
}

/* Section 1: one core module.  The core engine decodes, validates and compiles it. */
static bool decode_core_module(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off, comp_item_t *it) {
  it->kind = COMP_ITEM_CORE_MODULE;
  it->offset = (uint32_t)off;
  it->u.core_module.len = (uint32_t)n;
  if (!c->engine) {
    c->engine = weld_engine_new(NULL);
    if (!c->engine) {
      c->err = base_error_oom();
      return false;
    }
    c->owns_engine = true;
  }
  weld_module_t *mod = NULL;
  weld_error_t *err = weld_module_new(c->engine, p, n, &mod);
  if (err) {
    /* Re-base the module-relative offset and keep the core engine's message. */
    size_t eoff = weld_error_offset(err);
    const char *msg = weld_error_message(err);
    const char *cut = strstr(msg, " (at byte 0x");
    int mlen = cut ? (int)(cut - msg) : (int)strlen(msg);
    if (err == base_error_oom()) {
      c->err = err;
      return false;
    }
    c->err = base_error_at(eoff == BASE_NO_OFFSET ? off : off + eoff, "invalid core module: %.*s", mlen, msg);
    weld_error_delete(err);
    return false;
  }
  it->u.core_module.compiled = mod;
  return true;
}

static bool decode_core_instance(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  comp_core_instance_def_t *d = &it->u.core_instance;
  uint8_t b = 0;
  size_t off = base_reader_off(r);
  it->kind = COMP_ITEM_CORE_INSTANCE;
  it->offset = (uint32_t)off;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b == 0x00) {
    d->instantiate = true;
    if (!comp_rd_u32(c, r, &d->module) || !comp_rd_count(c, r, &d->n, WELD_MAX_INSTANTIATE_ARGS, "instantiation arguments"))
      return false;
    d->args = comp_dalloc(c, d->n, sizeof *d->args, off);
    if (!d->args) return false;
    for (uint32_t i = 0; i < d->n; i++) {
      uint8_t kind;
      size_t koff;
      if (!comp_rd_name(c, r, &d->args[i].name)) return false;
      koff = base_reader_off(r);
      if (!comp_rd_u8(c, r, &kind)) return false;
      if (kind != 0x12) return comp_dfail(c, koff, "malformed component: invalid leading byte (0x%x) for core instantiation argument kind", kind);
      if (!comp_rd_u32(c, r, &d->args[i].instance)) return false;
    }
    return true;
  }
  if (b == 0x01) {
    if (!comp_rd_count(c, r, &d->n, WELD_MAX_EXPORTS, "core instance exports")) return false;
    d->exports = comp_dalloc(c, d->n, sizeof *d->exports, off);
    if (!d->exports) return false;
    for (uint32_t i = 0; i < d->n; i++) {
      if (!comp_rd_name(c, r, &d->exports[i].name) || !comp_rd_core_sort(c, r, &d->exports[i].item.sort) ||
          !comp_rd_u32(c, r, &d->exports[i].item.idx))
        return false;
    }
    return true;
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for core instance", b);
}

static bool decode_instance(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  comp_instance_def_t *d = &it->u.instance;
  uint8_t b = 0;
  size_t off = base_reader_off(r);
  it->kind = COMP_ITEM_INSTANCE;
  it->offset = (uint32_t)off;
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b == 0x00) {
    d->instantiate = true;
    if (!comp_rd_u32(c, r, &d->component) || !comp_rd_count(c, r, &d->n, WELD_MAX_INSTANTIATE_ARGS, "instantiation arguments"))
      return false;
    d->args = comp_dalloc(c, d->n, sizeof *d->args, off);
    if (!d->args) return false;
    for (uint32_t i = 0; i < d->n; i++)
      if (!comp_rd_name(c, r, &d->args[i].name) || !rd_sortidx(c, r, &d->args[i].item)) return false;
    return true;
  }
  if (b == 0x01) {
    if (!comp_rd_count(c, r, &d->n, WELD_MAX_EXPORTS, "instance exports")) return false;
    d->exports = comp_dalloc(c, d->n, sizeof *d->exports, off);
    if (!d->exports) return false;
    for (uint32_t i = 0; i < d->n; i++)
      if (!comp_rd_extern_name(c, r, &d->exports[i].name) || !rd_sortidx(c, r, &d->exports[i].item)) return false;
    return true;
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for instance", b);
}

bool comp_decode_alias(comp_dctx_t *c, base_reader_t *r, comp_alias_t *a) {
  uint8_t t = 0;
  size_t off;
  if (!comp_rd_sort(c, r, &a->sort)) return false;
  off = base_reader_off(r);
  if (!comp_rd_u8(c, r, &t)) return false;
  switch (t) {
  case 0x00:
    a->target = COMP_ALIAS_EXPORT;
    return comp_rd_u32(c, r, &a->instance) && comp_rd_name(c, r, &a->name);
  case 0x01:
    a->target = COMP_ALIAS_CORE_EXPORT;
    return comp_rd_u32(c, r, &a->instance) && comp_rd_name(c, r, &a->name);
  case 0x02:
    a->target = COMP_ALIAS_OUTER;
    return comp_rd_u32(c, r, &a->outer_count) && comp_rd_u32(c, r, &a->outer_idx);
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for alias target", t);
}

/* Names of the canon builtins weld does not implement, by opcode (Binary.md `canon`). */
static const char *unsupported_canon(uint8_t op, const char **feature) {
  static const struct { uint8_t op; const char *name; } tab[] = {
      {0x05, "task.cancel"}, {0x06, "subtask.cancel"}, {0x07, "resource.drop async"}, {0x08, "backpressure.set"},
      {0x09, "task.return"}, {0x0a, "context.get"}, {0x0b, "context.set"}, {0x0c, "thread.yield"},
      {0x0d, "subtask.drop"}, {0x0e, "stream.new"}, {0x0f, "stream.read"}, {0x10, "stream.write"},
      {0x11, "stream.cancel-read"}, {0x12, "stream.cancel-write"}, {0x13, "stream.drop-readable"},
      {0x14, "stream.drop-writable"}, {0x15, "future.new"}, {0x16, "future.read"}, {0x17, "future.write"},
      {0x18, "future.cancel-read"}, {0x19, "future.cancel-write"}, {0x1a, "future.drop-readable"},
      {0x1b, "future.drop-writable"}, {0x1c, "error-context.new"}, {0x1d, "error-context.debug-message"},
      {0x1e, "error-context.drop"}, {0x1f, "waitable-set.new"}, {0x20, "waitable-set.wait"},
      {0x21, "waitable-set.poll"}, {0x22, "waitable-set.drop"}, {0x23, "waitable.join"},
      {0x24, "backpressure.inc"}, {0x25, "backpressure.dec"}, {0x26, "thread.index"},
      {0x27, "thread.new-indirect"}, {0x28, "thread.resume-later"}, {0x29, "thread.suspend"},
      {0x2a, "thread.switch-to"}, {0x2b, "thread.yield-to"}, {0x40, "thread.spawn-ref"},
      {0x41, "thread.spawn-indirect"}, {0x42, "thread.available-parallelism"},
  };
  const char *name = NULL;
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (tab[i].op == op) name = tab[i].name;
  if (op >= 0x40 && op <= 0x4f) *feature = "shared-everything threads";
  else if (op >= 0x26 && op <= 0x3f) *feature = "component model threading (cm-threading)";
  else if (op >= 0x1c && op <= 0x1e) *feature = "component model error-context (cm-error-context)";
  else if (op >= 0x05 && op <= 0x25) *feature = "component model async (cm-async)";
  else return NULL;
  return name ? name : "(unknown opcode)";
}

static const char *encoding_name(uint8_t e) {
  return e == COMP_UTF8 ? "utf8" : e == COMP_UTF16 ? "utf16" : "latin1-utf16";
}

static bool decode_canon_opts(comp_dctx_t *c, base_reader_t *r, comp_canon_opts_t *o) {
  uint32_t n;
  bool has_encoding = false;
  if (!comp_rd_count(c, r, &n, 100, "canonical options")) return false;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = base_reader_off(r);
    uint8_t b = 0;
    if (!comp_rd_u8(c, r, &b)) return false;
    switch (b) {
    case 0x00:
    case 0x01:
    case 0x02: {
      uint8_t e = b == 0 ? COMP_UTF8 : b == 1 ? COMP_UTF16 : COMP_LATIN1_UTF16;
      if (has_encoding)
        return comp_dfail(c, off, "canonical encoding option `%s` conflicts with option `%s`", encoding_name(o->string_encoding),
                          encoding_name(e));
      has_encoding = true;
      o->string_encoding = e;
      break;
    }
    case 0x03:
      if (o->has_memory) return comp_dfail(c, off, "canonical option `memory` is specified more than once");
      o->has_memory = true;
      if (!comp_rd_u32(c, r, &o->memory)) return false;
      break;
    case 0x04:
      if (o->has_realloc) return comp_dfail(c, off, "canonical option `realloc` is specified more than once");
      o->has_realloc = true;
      if (!comp_rd_u32(c, r, &o->realloc)) return false;
      break;
    case 0x05:
      if (o->has_post_return) return comp_dfail(c, off, "canonical option `post-return` is specified more than once");
      o->has_post_return = true;
      if (!comp_rd_u32(c, r, &o->post_return)) return false;
      break;
    case 0x06:
      return comp_dfail(c, off, COMP_NOT_SUPPORTED "canonical option `async` (cm-async)");
    case 0x07:
      return comp_dfail(c, off, COMP_NOT_SUPPORTED "canonical option `callback` (cm-async)");
    case 0x08:
    case 0x09:
      return comp_dfail(c, off, COMP_NOT_SUPPORTED "canonical options `core-type`/`gc` (cm-gc)");
    default:
      return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for canonical option", b);
    }
  }
  return true;
}

static bool decode_canon(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  comp_canon_t *d = &it->u.canon;
  size_t off = base_reader_off(r);
  uint8_t op, b;
  it->kind = COMP_ITEM_CANON;
  it->offset = (uint32_t)off;
  if (!comp_rd_u8(c, r, &op)) return false;
  switch (op) {
  case 0x00:
  case 0x01: {
    size_t boff = base_reader_off(r);
    if (!comp_rd_u8(c, r, &b)) return false;
    if (b != 0x00) return comp_dfail(c, boff, "malformed component: invalid leading byte (0x%x) for canonical function sort", b);
    d->kind = op == 0 ? COMP_CANON_LIFT : COMP_CANON_LOWER;
    if (!comp_rd_u32(c, r, &d->func) || !decode_canon_opts(c, r, &d->opts)) return false;
    if (op == 0x00 && !comp_rd_u32(c, r, &d->type)) return false;
    return true;
  }
  case 0x02:
  case 0x03:
  case 0x04:
    d->kind = op == 0x02 ? COMP_CANON_RESOURCE_NEW : op == 0x03 ? COMP_CANON_RESOURCE_DROP : COMP_CANON_RESOURCE_REP;
    return comp_rd_u32(c, r, &d->type);
  }
  const char *feature = NULL;
  const char *name = unsupported_canon(op, &feature);
  if (name) return comp_dfail(c, off, COMP_NOT_SUPPORTED "canonical builtin `%s` (%s)", name, feature);
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for canonical function", op);
}

static bool decode_start(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  comp_start_t *d = &it->u.start;
  size_t off = base_reader_off(r);
  it->kind = COMP_ITEM_START;
  it->offset = (uint32_t)off;
  if (!comp_rd_u32(c, r, &d->func) || !comp_rd_count(c, r, &d->nargs, 1000, "start function arguments")) return false;
  d->args = comp_dalloc(c, d->nargs, sizeof *d->args, off);
  if (!d->args) return false;
  for (uint32_t i = 0; i < d->nargs; i++)
    if (!comp_rd_u32(c, r, &d->args[i])) return false;
  size_t roff = base_reader_off(r);
  if (!comp_rd_u32(c, r, &d->nresults)) return false;
  if (d->nresults > 1000) return comp_dfail(c, roff, "malformed component: start function results size is out of bounds");
  return true;
}

bool comp_decode_externdesc(comp_dctx_t *c, base_reader_t *r, comp_externdesc_t *d) {
  size_t off = base_reader_off(r);
  uint8_t b = 0, b2 = 0;
  if (!comp_rd_u8(c, r, &b)) return false;
  switch (b) {
  case 0x00:
    if (!comp_rd_u8(c, r, &b2)) return false;
    if (b2 != 0x11) return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for core sort in extern descriptor", b2);
    d->kind = COMP_DESC_MODULE;
    return comp_rd_u32(c, r, &d->idx);
  case 0x01:
    d->kind = COMP_DESC_FUNC;
    return comp_rd_u32(c, r, &d->idx);
  case 0x02:
    d->kind = COMP_DESC_VALUE;
    return comp_decode_valref(c, r, &d->value);
  case 0x03: {
    size_t boff = base_reader_off(r);
    d->kind = COMP_DESC_TYPE;
    if (!comp_rd_u8(c, r, &b2)) return false;
    if (b2 == 0x00) return comp_rd_u32(c, r, &d->idx);
    if (b2 == 0x01) {
      d->sub_resource = true;
      return true;
    }
    return comp_dfail(c, boff, "malformed component: invalid leading byte (0x%x) for type bound", b2);
  }
  case 0x04:
    d->kind = COMP_DESC_COMPONENT;
    return comp_rd_u32(c, r, &d->idx);
  case 0x05:
    d->kind = COMP_DESC_INSTANCE;
    return comp_rd_u32(c, r, &d->idx);
  }
  return comp_dfail(c, off, "malformed component: invalid leading byte (0x%x) for extern descriptor", b);
}

static bool decode_export(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  comp_export_t *d = &it->u.export;
  size_t off = base_reader_off(r);
  uint8_t b = 0;
  it->kind = COMP_ITEM_EXPORT;
  it->offset = (uint32_t)off;
  if (!comp_rd_extern_name(c, r, &d->name) || !rd_sortidx(c, r, &d->item)) return false;
  size_t boff = base_reader_off(r);
  if (!comp_rd_u8(c, r, &b)) return false;
  if (b == 0x01) {
    d->has_type = true;
    return comp_decode_externdesc(c, r, &d->desc);
  }
  if (b != 0x00) return comp_dfail(c, boff, "malformed component: invalid leading byte (0x%x) for optional export type", b);
  return true;
}

static bool decode_component_inner(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off, comp_component_t *comp);

/* Vector sections: count, then `count` elements decoded by `one`. */
typedef bool (*one_fn)(comp_dctx_t *, base_reader_t *, comp_item_t *);

static bool vec_section(comp_dctx_t *c, base_reader_t *r, item_vec_t *items, one_fn one, const char *what) {
  uint32_t n;
  if (!comp_rd_count(c, r, &n, WELD_MAX_COMPONENT_ITEMS, what)) return false;
  for (uint32_t i = 0; i < n; i++) {
    comp_item_t it;
    memset(&it, 0, sizeof it);
    size_t off = base_reader_off(r);
    if (!one(c, r, &it) || !push_item(c, items, &it, off)) return false;
  }
  return true;
}

static bool one_core_type(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  it->kind = COMP_ITEM_CORE_TYPE;
  it->offset = (uint32_t)base_reader_off(r);
  return comp_decode_core_type(c, r, &it->u.core_type, true);
}
static bool one_alias(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  it->kind = COMP_ITEM_ALIAS;
  it->offset = (uint32_t)base_reader_off(r);
  return comp_decode_alias(c, r, &it->u.alias);
}
static bool one_type(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  it->kind = COMP_ITEM_TYPE;
  it->offset = (uint32_t)base_reader_off(r);
  return comp_decode_type(c, r, &it->u.type);
}
static bool one_import(comp_dctx_t *c, base_reader_t *r, comp_item_t *it) {
  it->kind = COMP_ITEM_IMPORT;
  it->offset = (uint32_t)base_reader_off(r);
  return comp_rd_extern_name(c, r, &it->u.import.name) && comp_decode_externdesc(c, r, &it->u.import.desc);
}

static const char *section_name(uint8_t id) {
  static const char *const names[] = {"custom", "core module", "core instance", "core type", "component", "instance",
                                      "alias", "type", "canon", "start", "import", "export", "value"};
  return id < sizeof names / sizeof names[0] ? names[id] : "unknown";
}

static void free_items(comp_item_t *items, size_t n);

/* Decodes the sections of a component whose preamble has been checked; p/n cover the
 * whole component (preamble included), `off` is p's offset in the input. */
static bool decode_component_inner(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off, comp_component_t *comp) {
  base_reader_t r;
  item_vec_t items = {0};
  bool ok = true;
  base_reader_init(&r, p + 8, n - 8, off + 8);
  while (ok && !base_reader_eof(&r)) {
    size_t soff = base_reader_off(&r);
    uint8_t id;
    uint32_t size;
    if (!comp_rd_u8(c, &r, &id) || !comp_rd_u32(c, &r, &size)) {
      ok = false;
      break;
    }
    if (size > base_reader_left(&r)) {
      ok = comp_dfail(c, soff, "malformed component: %s section size %u is out of bounds", section_name(id), size);
      break;
    }
    size_t coff = base_reader_off(&r);
    base_reader_t s;
    base_reader_init(&s, r.p, size, coff);
    r.p += size;
    switch (id) {
    case 0: {
      comp_name_t name;
      ok = comp_rd_name(c, &s, &name);
      s.p = s.end; /* contents are not interpreted */
      break;
    }
    case 1: {
      comp_item_t it;
      memset(&it, 0, sizeof it);
      ok = decode_core_module(c, s.p, size, coff, &it) && push_item(c, &items, &it, coff);
      if (!ok && it.u.core_module.compiled) weld_module_delete(it.u.core_module.compiled);
      s.p = s.end;
      break;
    }
    case 2: ok = vec_section(c, &s, &items, decode_core_instance, "core instances"); break;
    case 3: ok = vec_section(c, &s, &items, one_core_type, "core types"); break;
    case 4: {
      comp_item_t it;
      memset(&it, 0, sizeof it);
      it.kind = COMP_ITEM_COMPONENT;
      it.offset = (uint32_t)coff;
      ok = comp_decode_nested(c, s.p, size, coff, comp, &it.u.component) && push_item(c, &items, &it, coff);
      if (!ok && it.u.component) comp_free_tree(it.u.component);
      s.p = s.end;
      break;
    }
    case 5: ok = vec_section(c, &s, &items, decode_instance, "instances"); break;
    case 6: ok = vec_section(c, &s, &items, one_alias, "aliases"); break;
    case 7: ok = vec_section(c, &s, &items, one_type, "types"); break;
    case 8: ok = vec_section(c, &s, &items, decode_canon, "canonical functions"); break;
    case 9: {
      comp_item_t it;
      memset(&it, 0, sizeof it);
      ok = decode_start(c, &s, &it) && push_item(c, &items, &it, coff);
      if (ok && !base_reader_eof(&s))
        ok = comp_dfail(c, base_reader_off(&s), "malformed component: unexpected content in the component start section");
      break;
    }
    case 10: ok = vec_section(c, &s, &items, one_import, "imports"); break;
    case 11: ok = vec_section(c, &s, &items, decode_export, "exports"); break;
    case 12: ok = comp_dfail(c, soff, COMP_NOT_SUPPORTED "value definitions (section 12, cm-values)"); break;
    default: ok = comp_dfail(c, soff, "malformed component: unknown section id 0x%x", id); break;
    }
    if (ok && !base_reader_eof(&s))
      ok = comp_dfail(c, base_reader_off(&s), "malformed component: unexpected data at the end of the %s section",
                      section_name(id));
  }
  comp->nitems = (uint32_t)items.len;
  comp->items = comp_arena_dup(c->arena, items.data, items.len * sizeof *items.data);
  if (!comp->items && items.len) {
    free_items(items.data, items.len);
    comp->nitems = 0;
    VEC_FREE(&items);
    if (!c->err) c->err = base_error_oom();
    return false;
  }
  VEC_FREE(&items);
  return ok;
}

static bool check_preamble(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off) {
  if (n < 8 || memcmp(p, "\0asm", 4) != 0) {
    if (n >= 4 && memcmp(p, "\0asm", 4) == 0) return comp_dfail(c, off + n, "malformed component: unexpected end of preamble");
    return comp_dfail(c, off, "malformed component: magic header not detected (expected \\0asm)");
  }
  uint16_t version = (uint16_t)(p[4] | p[5] << 8), layer = (uint16_t)(p[6] | p[7] << 8);
  if (layer == 0) return comp_dfail(c, off + 4, "not a component: this is a core module (layer 0)");
  if (layer != 1) return comp_dfail(c, off + 6, "malformed component: unknown binary layer 0x%x", layer);
  if (version != 0x0d)
    return comp_dfail(c, off + 4, "unsupported component binary version 0x%x (weld reads version 0x0d)", version);
  return true;
}

bool comp_decode_nested(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off, comp_component_t *parent,
                        comp_component_t **out) {
  *out = NULL;
  uint32_t depth = parent ? parent->depth + 1 : 0;
  if (depth > WELD_MAX_COMPONENT_NESTING)
    return comp_dfail(c, off, "components nested too deeply (more than %u levels)", WELD_MAX_COMPONENT_NESTING);
  if (!check_preamble(c, p, n, off)) return false;
  comp_component_t *comp = comp_arena_alloc(c->arena, sizeof *comp);
  if (!comp) {
    c->err = base_error_oom();
    return false;
  }
  comp->parent = parent;
  comp->depth = depth;
  comp->offset = (uint32_t)off;
  comp->len = (uint32_t)n;
  comp->type = COMP_NO_TYPE;
  *out = comp;
  return decode_component_inner(c, p, n, off, comp);
}

/* ---------------------------------------------------------------- ownership */

static void free_items(comp_item_t *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (items[i].kind == COMP_ITEM_CORE_MODULE) {
      if (items[i].u.core_module.compiled) weld_module_delete(items[i].u.core_module.compiled);
      if (items[i].u.core_module.module) core_module_free(items[i].u.core_module.module);
      items[i].u.core_module.compiled = NULL;
      items[i].u.core_module.module = NULL;
    } else if (items[i].kind == COMP_ITEM_COMPONENT && items[i].u.component) {
      comp_free_tree(items[i].u.component);
    }
  }
}

/* Releases what a component tree owns outside the arena (compiled core modules). */
void comp_free_tree(comp_component_t *c) {
  if (!c || !c->items) return;
  free_items(c->items, c->nitems);
}

core_module_t *comp_core_module(const comp_core_module_def_t *d) { return d->compiled ? d->compiled->m : d->module; }

void comp_component_free(comp_component_t *c) {
  if (!c) return;
  comp_free_tree(c);
  weld_engine_t *own = c->owns_engine ? c->engine : NULL;
  comp_arena_t *arena = c->arena;
  comp_types_t *types = c->types;
  uint8_t *bytes = c->bytes;
  size_t nbytes = c->nbytes ? c->nbytes : 1;
  if (types) {
    comp_types_free(types);
    base_free(types, sizeof *types);
  }
  if (arena) {
    comp_arena_free(arena); /* c itself lives in the arena */
    base_free(arena, sizeof *arena);
  }
  base_free(bytes, nbytes);
  if (own) weld_engine_delete(own);
}

bool comp_is_component(const uint8_t *bytes, size_t len) {
  return bytes && len >= 8 && memcmp(bytes, "\0asm", 4) == 0 && bytes[6] == 1 && bytes[7] == 0;
}

weld_error_t *comp_decode(weld_engine_t *engine, const uint8_t *bytes, size_t len, const comp_features_t *features,
                          comp_component_t **out) {
  static const comp_features_t no_features;
  if (out) *out = NULL;
  if (!out || (!bytes && len)) return base_error("comp_decode: invalid argument");
  if (len > WELD_MAX_COMPONENT_BYTES) return base_error("component too large (%zu bytes, the limit is %u)", len, WELD_MAX_COMPONENT_BYTES);
  comp_arena_t *arena = base_calloc(1, sizeof *arena);
  uint8_t *copy = base_alloc(len ? len : 1);
  if (!arena || !copy) {
    base_free(arena, sizeof *arena);
    base_free(copy, len ? len : 1);
    return base_error_oom();
  }
  if (len) memcpy(copy, bytes, len);
  comp_dctx_t c;
  memset(&c, 0, sizeof c);
  c.arena = arena;
  c.start = copy;
  c.engine = engine;
  c.features = features ? features : &no_features;
  comp_component_t *root = NULL;
  bool ok = comp_decode_nested(&c, copy, len, 0, NULL, &root);
  if (!root) {
    /* Nothing was allocated beyond the arena. */
    if (c.owns_engine) weld_engine_delete(c.engine);
    comp_arena_free(arena);
    base_free(arena, sizeof *arena);
    base_free(copy, len ? len : 1);
    return c.err ? c.err : base_error_oom();
  }
  root->bytes = copy;
  root->nbytes = len;
  root->arena = arena;
  root->engine = c.engine;
  root->owns_engine = c.owns_engine;
  if (ok) {
    root->types = base_calloc(1, sizeof *root->types);
    if (!root->types || !comp_types_init(root->types, arena)) {
      if (root->types) comp_types_free(root->types);
      base_free(root->types, sizeof *root->types);
      root->types = NULL;
      c.err = base_error_oom();
      ok = false;
    }
  }
  if (ok) {
    c.err = comp_validate(root, c.features);
    ok = c.err == NULL;
  }
  if (!ok) {
    comp_component_free(root);
    return c.err ? c.err : base_error_oom();
  }
  *out = root;
  return NULL;
}
