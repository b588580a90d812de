/* decode_sections.c — the contents of the core module sections (core spec §5.5.4-§5.5.15:
 * type, import, function, table, memory, global, export, start, element, code, data, data
 * count), with the module-level validation rules of §3.4 that need only what was decoded
 * before (index ranges, limits, types of segments).
 *
 * Every vector's count is checked against the bytes left in its section (times the
 * smallest encoding of one item) and against src/base/limits.h before allocating. */
#include "core/decode_internal.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <stdlib.h>
#include <string.h>

#define RD(expr) \
  do { \
    if (!(expr)) return core_dec_rfail(d, r); \
  } while (0)

/* Allocates a zeroed array of n items (NULL for n == 0) and records its capacity. */
static bool alloc_array(core_dec_t *d, void **p, size_t *cap, size_t n, size_t elem) {
  *p = NULL;
  *cap = 0;
  if (n == 0) return true;
  *p = base_calloc(n, elem);
  if (!*p) return core_dec_oom(d);
  *cap = n;
  return true;
}

/* Reads a vector count and checks it against `max` and the bytes left (each item takes
 * at least `min_item` bytes). */
static bool read_count(core_dec_t *d, base_reader_t *r, uint32_t *n, size_t min_item, uint64_t max,
                       const char *what) {
  size_t off = base_reader_off(r);
  RD(base_read_u32(r, n));
  if (*n > max) return core_dec_fail(d, off, "too many %s: %u (the limit is %llu)", what, *n, (unsigned long long)max);
  if ((uint64_t)*n * min_item > base_reader_left(r))
    return core_dec_fail(d, off, "length out of bounds: %u %s declared but only %zu bytes left (unexpected end)", *n,
                         what, base_reader_left(r));
  return true;
}

static bool read_valtype(core_dec_t *d, base_reader_t *r, uint8_t *t) {
  size_t off = base_reader_off(r);
  RD(base_read_u8(r, t));
  if (!core_is_valtype(*t)) return core_dec_fail(d, off, "malformed value type 0x%02x", *t);
  return true;
}

static bool read_reftype(core_dec_t *d, base_reader_t *r, uint8_t *t) {
  size_t off = base_reader_off(r);
  RD(base_read_u8(r, t));
  if (!core_is_reftype(*t)) return core_dec_fail(d, off, "malformed reference type 0x%02x", *t);
  return true;
}

/* limits (§5.3.7): flag 0 => min, flag 1 => min max; both u32.  The flags that later
 * proposals define are named, so that a user (and the .wast runners, which report them
 * as skipped) learns which feature the module needs: bit 2 is a 64-bit memory or table
 * (memory64: 0x04, 0x05, and 0x07 for a shared one), 0x03 a shared memory (threads). */
static bool read_limits(core_dec_t *d, base_reader_t *r, core_limits_t *l, bool memory) {
  size_t off = base_reader_off(r);
  uint8_t flag = 0;
  uint32_t v = 0;
  RD(base_read_u8(r, &flag));
  if (flag == 0x04 || flag == 0x05 || (memory && flag == 0x07))
    return core_dec_fail(d, off, "not supported: memory64");
  if (memory && flag == 0x03)
    return core_dec_fail(d, off, "not supported: threads (shared memory)");
  if (flag > 1) return core_dec_fail(d, off, "integer too large: malformed limits flags 0x%02x", flag);
  RD(base_read_u32(r, &v));
  l->min = v;
  l->has_max = flag == 1;
  l->max = 0;
  if (l->has_max) {
    RD(base_read_u32(r, &v));
    l->max = v;
  }
  return true;
}

static bool read_tabletype(core_dec_t *d, base_reader_t *r, core_tabletype_t *t) {
  if (!read_reftype(d, r, &t->elem)) return false;
  size_t off = base_reader_off(r);
  if (!read_limits(d, r, &t->limits, false)) return false;
  return core_dec_limits_valid(d, &t->limits, UINT32_MAX, off, "table");
}

static bool read_memtype(core_dec_t *d, base_reader_t *r, core_memtype_t *t) {
  size_t off = base_reader_off(r);
  if (!read_limits(d, r, &t->limits, true)) return false;
  return core_dec_limits_valid(d, &t->limits, WELD_MAX_PAGES32, off, "memory");
}

static bool read_globaltype(core_dec_t *d, base_reader_t *r, core_globaltype_t *t) {
  if (!read_valtype(d, r, &t->type)) return false;
  size_t off = base_reader_off(r);
  uint8_t mut = 0;
  RD(base_read_u8(r, &mut));
  if (mut > 1) return core_dec_fail(d, off, "malformed mutability 0x%02x", mut);
  t->mut = mut == 1;
  return true;
}

static bool read_name(core_dec_t *d, base_reader_t *r, core_name_t *n) {
  const uint8_t *s = NULL;
  RD(base_read_name(r, &s, &n->len));
  n->s = (const char *)s;
  return true;
}

/* ---- index spaces ---------------------------------------------------------------- */

static bool build_funcs(core_dec_t *d, uint32_t ndefined) {
  core_module_t *m = d->m;
  core_module_priv_t *p = d->priv;
  size_t n = (size_t)m->nimported_funcs + ndefined;
  if (!alloc_array(d, (void **)&m->func_types, &p->func_types_cap, n, sizeof *m->func_types)) return false;
  if (!alloc_array(d, (void **)&m->func_declared, &p->func_declared_cap, n, 1)) return false;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == EXT_FUNC) m->func_types[m->imports[i].index] = m->imports[i].desc.func_type;
  m->nfuncs = (uint32_t)n;
  d->have_funcs = true;
  return true;
}

static bool build_tables(core_dec_t *d, uint32_t ndefined) {
  core_module_t *m = d->m;
  size_t n = (size_t)m->nimported_tables + ndefined;
  if (!alloc_array(d, (void **)&m->tables, &d->priv->tables_cap, n, sizeof *m->tables)) return false;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == EXT_TABLE) m->tables[m->imports[i].index] = m->imports[i].desc.table;
  m->ntables = (uint32_t)n;
  d->have_tables = true;
  return true;
}

static bool build_mems(core_dec_t *d, uint32_t ndefined) {
  core_module_t *m = d->m;
  size_t n = (size_t)m->nimported_mems + ndefined;
  if (!alloc_array(d, (void **)&m->mems, &d->priv->mems_cap, n, sizeof *m->mems)) return false;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == EXT_MEMORY) m->mems[m->imports[i].index] = m->imports[i].desc.mem;
  m->nmems = (uint32_t)n;
  d->have_mems = true;
  return true;
}

static bool build_globals(core_dec_t *d, uint32_t ndefined) {
  core_module_t *m = d->m;
  size_t n = (size_t)m->nimported_globals + ndefined;
  if (!alloc_array(d, (void **)&m->globals, &d->priv->globals_cap, n, sizeof *m->globals)) return false;
  for (uint32_t i = 0; i < m->nimports; i++)
    if (m->imports[i].kind == EXT_GLOBAL) m->globals[m->imports[i].index].type = m->imports[i].desc.global;
  m->nglobals = (uint32_t)n;
  d->have_globals = true;
  return true;
}

bool core_dec_build_spaces(core_dec_t *d, uint8_t id) {
  unsigned rank = core_dec_rank(id);
  if (!d->have_funcs && rank > core_dec_rank(3) && !build_funcs(d, 0)) return false;
  if (!d->have_tables && rank > core_dec_rank(4) && !build_tables(d, 0)) return false;
  if (!d->have_mems && rank > core_dec_rank(5) && !build_mems(d, 0)) return false;
  if (!d->have_globals && rank > core_dec_rank(6) && !build_globals(d, 0)) return false;
  return true;
}

/* ---- sections -------------------------------------------------------------------- */

/* §5.5.4 type section: vec(functype), functype = 0x60 vec(valtype) vec(valtype). */
static bool sec_type(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  core_module_priv_t *p = d->priv;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 3, WELD_MAX_TYPES, "types")) return false;
  if (!alloc_array(d, (void **)&m->types, &p->types_cap, n, sizeof *m->types)) return false;
  /* Every valtype is one byte of this section, so the section's size bounds the pool. */
  size_t pool_size = base_reader_left(r);
  if (n && !(p->type_pool = base_alloc(pool_size))) return core_dec_oom(d);
  p->type_pool_size = n ? pool_size : 0;
  size_t used = 0;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = base_reader_off(r);
    uint8_t form = 0;
    RD(base_read_u8(r, &form));
    if (form != 0x60) return core_dec_fail(d, off, "malformed function type: expected 0x60, found 0x%02x", form);
    core_functype_t *ft = &m->types[i];
    ft->types = p->type_pool + used;
    for (int part = 0; part < 2; part++) {
      uint32_t k = 0;
      const uint8_t *b = NULL;
      if (!read_count(d, r, &k, 1, part ? WELD_MAX_FUNC_RESULTS : WELD_MAX_FUNC_PARAMS, part ? "results" : "parameters"))
        return false;
      size_t toff = base_reader_off(r);
      RD(base_read_bytes(r, k, &b));
      for (uint32_t j = 0; j < k; j++)
        if (!core_is_valtype(b[j])) return core_dec_fail(d, toff + j, "malformed value type 0x%02x", b[j]);
      memcpy(p->type_pool + used, b, k);
      used += k;
      if (part) ft->nresults = k;
      else ft->nparams = k;
    }
    m->ntypes = i + 1;
  }
  return true;
}

/* §5.5.5 import section. */
static bool sec_import(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 4, WELD_MAX_IMPORTS, "imports")) return false;
  if (!alloc_array(d, (void **)&m->imports, &d->priv->imports_cap, n, sizeof *m->imports)) return false;
  for (uint32_t i = 0; i < n; i++) {
    core_import_t *im = &m->imports[i];
    if (!read_name(d, r, &im->module) || !read_name(d, r, &im->name)) return false;
    size_t off = base_reader_off(r);
    RD(base_read_u8(r, &im->kind));
    switch (im->kind) {
    case EXT_FUNC: {
      size_t toff = base_reader_off(r);
      RD(base_read_u32(r, &im->desc.func_type));
      if (im->desc.func_type >= m->ntypes) return core_dec_fail(d, toff, "unknown type %u", im->desc.func_type);
      if (m->nimported_funcs >= WELD_MAX_FUNCS) return core_dec_fail(d, off, "too many functions");
      im->index = m->nimported_funcs++;
      break;
    }
    case EXT_TABLE:
      if (!read_tabletype(d, r, &im->desc.table)) return false;
      if (m->nimported_tables >= WELD_MAX_TABLES) return core_dec_fail(d, off, "too many tables");
      im->index = m->nimported_tables++;
      break;
    case EXT_MEMORY:
      if (!read_memtype(d, r, &im->desc.mem)) return false;
      if (m->nimported_mems >= WELD_MAX_MEMORIES) return core_dec_fail(d, off, "too many memories");
      im->index = m->nimported_mems++;
      break;
    case EXT_GLOBAL:
      if (!read_globaltype(d, r, &im->desc.global)) return false;
      if (m->nimported_globals >= WELD_MAX_GLOBALS) return core_dec_fail(d, off, "too many globals");
      im->index = m->nimported_globals++;
      break;
    default:
      return core_dec_fail(d, off, "malformed import kind 0x%02x", im->kind);
    }
    m->nimports = i + 1;
  }
  m->nfuncs = m->nimported_funcs;
  m->ntables = m->nimported_tables;
  m->nmems = m->nimported_mems;
  m->nglobals = m->nimported_globals;
  return true;
}

/* §5.5.6 function section: vec(typeidx). */
static bool sec_function(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 1, WELD_MAX_FUNCS - m->nimported_funcs, "functions")) return false;
  if (!build_funcs(d, n)) return false;
  d->seen_func_section = true;
  d->nfunc_decls = n;
  for (uint32_t i = 0; i < n; i++) {
    size_t off = base_reader_off(r);
    uint32_t t = 0;
    RD(base_read_u32(r, &t));
    if (t >= m->ntypes) return core_dec_fail(d, off, "unknown type %u", t);
    m->func_types[m->nimported_funcs + i] = t;
  }
  return true;
}

/* §5.5.7 table section: vec(tabletype). */
static bool sec_table(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 3, WELD_MAX_TABLES - m->nimported_tables, "tables")) return false;
  if (!build_tables(d, n)) return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_tabletype(d, r, &m->tables[m->nimported_tables + i])) return false;
  return true;
}

/* §5.5.8 memory section: vec(memtype).  Multi-memory: any number up to the cap. */
static bool sec_memory(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 2, WELD_MAX_MEMORIES - m->nimported_mems, "memories")) return false;
  if (!build_mems(d, n)) return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_memtype(d, r, &m->mems[m->nimported_mems + i])) return false;
  return true;
}

/* §5.5.9 global section: vec(globaltype expr). */
static bool sec_global(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 3, WELD_MAX_GLOBALS - m->nimported_globals, "globals")) return false;
  if (!build_globals(d, n)) return false;
  for (uint32_t i = 0; i < n; i++) {
    core_global_t *g = &m->globals[m->nimported_globals + i];
    if (!read_globaltype(d, r, &g->type)) return false;
    if (!core_dec_constexpr(d, r, g->type.type, &g->init)) return false;
  }
  return true;
}

static int cmp_export_names(const void *a, const void *b) {
  const core_export_t *x = *(const core_export_t *const *)a, *y = *(const core_export_t *const *)b;
  uint32_t n = x->name.len < y->name.len ? x->name.len : y->name.len;
  int c = n ? memcmp(x->name.s, y->name.s, n) : 0;
  if (c) return c;
  if (x->name.len != y->name.len) return x->name.len < y->name.len ? -1 : 1;
  return x < y ? -1 : x > y; /* equal names: keep input order, to report the later one */
}

/* Export names must be unique (§3.4.10): sort pointers to the exports by name. */
static bool check_export_names(core_dec_t *d) {
  core_module_t *m = d->m;
  if (m->nexports < 2) return true;
  size_t bytes = (size_t)m->nexports * sizeof(core_export_t *);
  const core_export_t **sorted = base_alloc(bytes);
  if (!sorted) return core_dec_oom(d);
  for (uint32_t i = 0; i < m->nexports; i++) sorted[i] = &m->exports[i];
  qsort(sorted, m->nexports, sizeof *sorted, cmp_export_names);
  bool ok = true;
  for (uint32_t i = 1; i < m->nexports && ok; i++) {
    const core_export_t *a = sorted[i - 1], *b = sorted[i];
    if (a->name.len == b->name.len && (a->name.len == 0 || memcmp(a->name.s, b->name.s, a->name.len) == 0)) {
      ok = core_dec_fail(d, (size_t)((const uint8_t *)b->name.s - m->bytes), "duplicate export name \"%.*s\"",
                         (int)(b->name.len > 200 ? 200 : b->name.len), b->name.s);
    }
  }
  base_free(sorted, bytes);
  return ok;
}

/* §5.5.10 export section: vec(name exportdesc). */
static bool sec_export(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 3, WELD_MAX_EXPORTS, "exports")) return false;
  if (!alloc_array(d, (void **)&m->exports, &d->priv->exports_cap, n, sizeof *m->exports)) return false;
  for (uint32_t i = 0; i < n; i++) {
    core_export_t *e = &m->exports[i];
    if (!read_name(d, r, &e->name)) return false;
    size_t off = base_reader_off(r);
    RD(base_read_u8(r, &e->kind));
    size_t ioff = base_reader_off(r);
    RD(base_read_u32(r, &e->index));
    switch (e->kind) {
    case EXT_FUNC:
      if (e->index >= m->nfuncs) return core_dec_fail(d, ioff, "unknown function %u", e->index);
      m->func_declared[e->index] = 1;
      break;
    case EXT_TABLE:
      if (e->index >= m->ntables) return core_dec_fail(d, ioff, "unknown table %u", e->index);
      break;
    case EXT_MEMORY:
      if (e->index >= m->nmems) return core_dec_fail(d, ioff, "unknown memory %u", e->index);
      break;
    case EXT_GLOBAL:
      if (e->index >= m->nglobals) return core_dec_fail(d, ioff, "unknown global %u", e->index);
      break;
    default:
      return core_dec_fail(d, off, "malformed export kind 0x%02x", e->kind);
    }
    m->nexports = i + 1;
  }
  return check_export_names(d);
}

/* §5.5.11 start section: funcidx of a function of type [] -> []. */
static bool sec_start(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  size_t off = base_reader_off(r);
  RD(base_read_u32(r, &m->start));
  if (m->start >= m->nfuncs) return core_dec_fail(d, off, "unknown function %u", m->start);
  const core_functype_t *ft = &m->types[m->func_types[m->start]];
  if (ft->nparams || ft->nresults)
    return core_dec_fail(d, off, "start function: function %u must have type [] -> [], not [%u params] -> [%u results]",
                         m->start, ft->nparams, ft->nresults);
  m->has_start = true;
  return true;
}

/* §5.5.12 element section: the eight encodings selected by the flags 0-7.
 *   bit 0: passive or declarative (else active)
 *   bit 1: active: explicit table index; otherwise: declarative (else passive)
 *   bit 2: element expressions (else function indices)
 * Flags 1-3 and 5-7 carry an elemkind (0x00 = funcref) / reftype byte. */
static bool read_elem(core_dec_t *d, base_reader_t *r, core_elem_t *e) {
  core_module_t *m = d->m;
  size_t off = base_reader_off(r);
  uint32_t flags = 0;
  RD(base_read_u32(r, &flags));
  if (flags > 7) return core_dec_fail(d, off, "malformed elements segment kind %u", flags);
  bool exprs = flags & 4;
  e->mode = !(flags & 1) ? SEG_ACTIVE : (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
  e->elemtype = VT_FUNCREF;
  e->table = 0;
  size_t toff = base_reader_off(r);
  if (e->mode == SEG_ACTIVE) {
    if (flags & 2) RD(base_read_u32(r, &e->table));
    if (!core_dec_constexpr(d, r, VT_I32, &e->offset)) return false;
  }
  if (flags & 3) {
    if (exprs) {
      if (!read_reftype(d, r, &e->elemtype)) return false;
    } else {
      size_t koff = base_reader_off(r);
      uint8_t kind = 0;
      RD(base_read_u8(r, &kind));
      if (kind != 0) return core_dec_fail(d, koff, "malformed element kind 0x%02x (only 0x00 = funcref)", kind);
    }
  }
  if (e->mode == SEG_ACTIVE) {
    if (e->table >= m->ntables) return core_dec_fail(d, toff, "unknown table %u", e->table);
    if (m->tables[e->table].elem != e->elemtype)
      return core_dec_fail(d, toff, "type mismatch: element segment of %s for a table of %s",
                           core_valtype_name(e->elemtype), core_valtype_name(m->tables[e->table].elem));
  }
  uint32_t n = 0;
  if (!read_count(d, r, &n, exprs ? 3 : 1, UINT32_MAX, "elements")) return false;
  if (n == 0) return true;
  if (exprs) {
    if (!(e->exprs = base_calloc(n, sizeof *e->exprs))) return core_dec_oom(d);
    e->count = n;
    for (uint32_t i = 0; i < n; i++)
      if (!core_dec_constexpr(d, r, e->elemtype, &e->exprs[i])) return false;
  } else {
    if (!(e->funcs = base_calloc(n, sizeof *e->funcs))) return core_dec_oom(d);
    e->count = n;
    for (uint32_t i = 0; i < n; i++) {
      size_t foff = base_reader_off(r);
      uint32_t f = 0;
      RD(base_read_u32(r, &f));
      if (f >= m->nfuncs) return core_dec_fail(d, foff, "unknown function %u", f);
      m->func_declared[f] = 1;
      e->funcs[i] = f;
    }
  }
  return true;
}

static bool sec_element(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!read_count(d, r, &n, 3, WELD_MAX_ELEM_SEGMENTS, "element segments")) return false;
  if (!alloc_array(d, (void **)&m->elems, &d->priv->elems_cap, n, sizeof *m->elems)) return false;
  for (uint32_t i = 0; i < n; i++) {
    m->nelems = i + 1; /* so that a partly read segment is freed */
    if (!read_elem(d, r, &m->elems[i])) return false;
  }
  return true;
}

/* §5.5.15 data count section. */
static bool sec_datacount(core_dec_t *d, base_reader_t *r) {
  size_t off = base_reader_off(r);
  RD(base_read_u32(r, &d->m->datacount));
  if (d->m->datacount > WELD_MAX_DATA_SEGMENTS)
    return core_dec_fail(d, off, "too many data segments: %u (the limit is %u)", d->m->datacount, WELD_MAX_DATA_SEGMENTS);
  d->m->has_datacount = true;
  return true;
}

/* §5.5.13 code section: vec(code), code = size:u32 func, func = vec(locals) expr.
 * Local declarations are decoded; the instructions stay as bytes for compile.c. */
static bool read_code(core_dec_t *d, base_reader_t *r, uint32_t fidx, core_code_t *c, size_t *pool_len) {
  core_module_t *m = d->m;
  core_module_priv_t *p = d->priv;
  size_t off = base_reader_off(r);
  uint32_t size = 0;
  RD(base_read_u32(r, &size));
  if (size > base_reader_left(r))
    return core_dec_fail(d, off, "length out of bounds: function body size %u exceeds the %zu bytes left", size,
                         base_reader_left(r));
  if (size > WELD_MAX_FUNC_BODY_BYTES)
    return core_dec_fail(d, off, "function body too large: %u bytes (the limit is %u)", size, WELD_MAX_FUNC_BODY_BYTES);
  base_reader_t br;
  base_reader_init(&br, r->p, size, base_reader_off(r));
  r->p += size;
  r = &br;
  uint32_t ngroups = 0;
  if (!read_count(d, r, &ngroups, 2, UINT32_MAX, "local declarations")) return false;
  if (*pool_len + ngroups > p->group_pool_cap &&
      !base_vec_grow((void **)&p->group_pool, &p->group_pool_cap, sizeof *p->group_pool, *pool_len + ngroups))
    return core_dec_oom(d);
  const core_functype_t *ft = &m->types[m->func_types[fidx]];
  uint64_t total = ft->nparams;
  for (uint32_t i = 0; i < ngroups; i++) {
    size_t goff = base_reader_off(r);
    core_localgroup_t *g = &p->group_pool[*pool_len + i];
    RD(base_read_u32(r, &g->count));
    total += g->count;
    if (total > WELD_MAX_LOCALS)
      return core_dec_fail(d, goff, "too many locals: more than %u in function %u", WELD_MAX_LOCALS, fidx);
    if (!read_valtype(d, r, &g->type)) return false;
  }
  *pool_len += ngroups;
  c->ngroups = ngroups;
  c->nlocals = (uint32_t)(total - ft->nparams);
  c->body = r->p;
  c->body_len = (uint32_t)base_reader_left(r);
  c->body_offset = (uint32_t)base_reader_off(r);
  if (c->body_len == 0 || c->body[c->body_len - 1] != 0x0b)
    return core_dec_fail(d, c->body_offset + (c->body_len ? c->body_len - 1 : 0),
                         "END opcode expected: the body of function %u does not end with 0x0b", fidx);
  return true;
}

static bool sec_code(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  size_t off = base_reader_off(r);
  uint32_t n = 0;
  RD(base_read_u32(r, &n));
  if (n != d->nfunc_decls)
    return core_dec_fail(d, off, "function and code section have inconsistent lengths (%u and %u)", d->nfunc_decls, n);
  if ((uint64_t)n * 2 > base_reader_left(r))
    return core_dec_fail(d, off, "length out of bounds: %u function bodies declared but only %zu bytes left", n,
                         base_reader_left(r));
  d->seen_code_section = true;
  if (!alloc_array(d, (void **)&m->codes, &d->priv->codes_cap, n, sizeof *m->codes)) return false;
  size_t pool_len = 0;
  bool ok = true;
  for (uint32_t i = 0; i < n && ok; i++) ok = read_code(d, r, m->nimported_funcs + i, &m->codes[i], &pool_len);
  /* The pool has stopped growing: point each function at its groups. */
  size_t at = 0;
  for (uint32_t i = 0; i < n; i++) {
    m->codes[i].groups = m->codes[i].ngroups ? d->priv->group_pool + at : NULL;
    at += m->codes[i].ngroups;
  }
  m->ncodes = n;
  return ok;
}

/* §5.5.14 data section: flags 0 (active, memory 0), 1 (passive), 2 (active, memidx). */
static bool sec_data(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  size_t off = base_reader_off(r);
  uint32_t n = 0;
  if (!read_count(d, r, &n, 2, WELD_MAX_DATA_SEGMENTS, "data segments")) return false;
  if (m->has_datacount && n != m->datacount)
    return core_dec_fail(d, off, "data count and data section have inconsistent lengths (%u and %u)", m->datacount, n);
  d->seen_data_section = true;
  if (!alloc_array(d, (void **)&m->datas, &d->priv->datas_cap, n, sizeof *m->datas)) return false;
  for (uint32_t i = 0; i < n; i++) {
    core_data_t *s = &m->datas[i];
    size_t foff = base_reader_off(r);
    uint32_t flags = 0;
    RD(base_read_u32(r, &flags));
    if (flags > 2) return core_dec_fail(d, foff, "malformed data segment kind %u", flags);
    s->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    s->memory = 0;
    if (s->mode == SEG_ACTIVE) {
      size_t moff = base_reader_off(r);
      if (flags == 2) RD(base_read_u32(r, &s->memory));
      if (s->memory >= m->nmems) return core_dec_fail(d, moff, "unknown memory %u", s->memory);
      if (!core_dec_constexpr(d, r, VT_I32, &s->offset)) return false;
    }
    size_t loff = base_reader_off(r);
    RD(base_read_u32(r, &s->len));
    if (s->len > base_reader_left(r))
      return core_dec_fail(d, loff, "unexpected end: data segment length %u exceeds the %zu bytes left", s->len,
                           base_reader_left(r));
    RD(base_read_bytes(r, s->len, &s->bytes));
    m->ndatas = i + 1;
  }
  return true;
}

bool core_dec_section(core_dec_t *d, uint8_t id, base_reader_t *r) {
  switch (id) {
  case 1: return sec_type(d, r);
  case 2: return sec_import(d, r);
  case 3: return sec_function(d, r);
  case 4: return sec_table(d, r);
  case 5: return sec_memory(d, r);
  case 6: return sec_global(d, r);
  case 7: return sec_export(d, r);
  case 8: return sec_start(d, r);
  case 9: return sec_element(d, r);
  case 10: return sec_code(d, r);
  case 11: return sec_data(d, r);
  case 12: return sec_datacount(d, r);
  default: return core_dec_fail(d, base_reader_off(r), "malformed section id %u", id);
  }
}
