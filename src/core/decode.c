/* decode.c — the core module binary format: preamble, section framing and order, custom
 * sections, and the module's lifetime (core spec §5.5 "Modules": §5.5.2 sections,
 * §5.5.3 custom sections, §5.5.16 modules).  The contents of each section are decoded in
 * decode_sections.c; module-level validation (§3.4) in validate_module.c.
 *
 * One pass over the input: every vector's declared count is checked against the bytes
 * left in its section before anything is allocated, and arrays are allocated once per
 * section (or pooled), never per byte. */
#include "core/decode_internal.h"
#include "base/alloc.h"
#include "base/limits.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { SEC_CUSTOM = 0, SEC_DATACOUNT = 12, SEC_LAST = 12 };

static const char *const g_secname[SEC_LAST + 1] = {
    "custom", "type", "import", "function", "table", "memory", "global",
    "export", "start", "element", "code", "data", "data count"};

bool core_dec_fail(core_dec_t *d, size_t off, const char *fmt, ...) {
  if (!d->err) {
    va_list ap;
    va_start(ap, fmt);
    d->err = base_error_v(off, fmt, ap);
    va_end(ap);
  }
  return false;
}

bool core_dec_rfail(core_dec_t *d, const base_reader_t *r) {
  if (r->err) return core_dec_fail(d, r->err_off, "%s", r->err);
  return core_dec_fail(d, base_reader_off(r), "malformed input");
}

bool core_dec_oom(core_dec_t *d) {
  if (!d->err) d->err = base_error_oom();
  return false;
}

static bool read_custom(core_dec_t *d, base_reader_t *r, size_t sec_off) {
  const uint8_t *name = NULL;
  uint32_t nlen = 0;
  if (!base_read_name(r, &name, &nlen)) return core_dec_rfail(d, r);
  core_module_t *m = d->m;
  if (m->ncustoms == d->priv->customs_cap &&
      !base_vec_grow((void **)&m->customs, &d->priv->customs_cap, sizeof *m->customs, (size_t)m->ncustoms + 1))
    return core_dec_oom(d);
  core_custom_t *c = &m->customs[m->ncustoms++];
  c->name.s = (const char *)name;
  c->name.len = nlen;
  c->data = r->p;
  c->len = (uint32_t)base_reader_left(r);
  c->offset = (uint32_t)sec_off;
  if (!d->name_sec && nlen == 4 && memcmp(name, "name", 4) == 0) {
    d->name_sec = c->data;
    d->name_sec_len = c->len;
    d->name_sec_off = base_reader_off(r);
  }
  r->p = r->end;
  return true;
}

static bool decode_all(core_dec_t *d) {
  core_module_t *m = d->m;
  base_reader_t r;
  base_reader_init(&r, m->bytes, m->len, 0);
  if (m->len < 4) return core_dec_fail(d, m->len, "unexpected end: no magic header");
  if (memcmp(m->bytes, "\0asm", 4) != 0) return core_dec_fail(d, 0, "magic header not detected");
  if (m->len < 8) return core_dec_fail(d, m->len, "unexpected end: no binary version");
  if (memcmp(m->bytes + 4, "\1\0\0\0", 4) != 0) {
    if (m->bytes[6] == 1 && m->bytes[7] == 0)
      return core_dec_fail(d, 4, "unknown binary version (this is a component, not a core module)");
    return core_dec_fail(d, 4, "unknown binary version");
  }
  r.p += 8;
  unsigned last_rank = 0;
  uint8_t last_id = 0;
  while (!base_reader_eof(&r)) {
    size_t id_off = base_reader_off(&r);
    uint8_t id = 0;
    uint32_t size = 0;
    base_read_u8(&r, &id);
    if (id > SEC_LAST) return core_dec_fail(d, id_off, "malformed section id %u", id);
    if (!base_read_u32(&r, &size)) return core_dec_rfail(d, &r);
    size_t content_off = base_reader_off(&r);
    if (size > base_reader_left(&r))
      return core_dec_fail(d, content_off, "length out of bounds: %s section size %u exceeds the %zu bytes left",
                           g_secname[id], size, base_reader_left(&r));
    base_reader_t sr;
    base_reader_init(&sr, r.p, size, content_off);
    r.p += size;
    if (id == SEC_CUSTOM) {
      if (!read_custom(d, &sr, id_off)) return false;
      continue;
    }
    if (core_dec_rank(id) <= last_rank) {
      if (id == last_id) return core_dec_fail(d, id_off, "unexpected content after last section: duplicate %s section", g_secname[id]);
      return core_dec_fail(d, id_off, "unexpected content after last section: %s section must come before the %s section",
                           g_secname[id], g_secname[last_id]);
    }
    last_rank = core_dec_rank(id);
    last_id = id;
    if (!core_dec_build_spaces(d, id)) return false;
    if (!core_dec_section(d, id, &sr)) return false;
    if (!base_reader_eof(&sr))
      return core_dec_fail(d, base_reader_off(&sr), "section size mismatch: %zu unread bytes at the end of the %s section",
                           base_reader_left(&sr), g_secname[id]);
  }
  if (!core_dec_build_spaces(d, 0xff)) return false;
  if (!core_dec_finish(d)) return false;
  core_dec_names(d);
  return true;
}

weld_error_t *core_decode(const uint8_t *bytes, size_t len, core_module_t **out) {
  *out = NULL;
  if (len > WELD_MAX_MODULE_BYTES)
    return base_error("module too large: %zu bytes (the limit is %u)", len, WELD_MAX_MODULE_BYTES);
  core_module_priv_t *priv = base_calloc(1, sizeof *priv);
  if (!priv) return base_error_oom();
  core_module_t *m = &priv->pub;
  m->bytes = base_alloc(len);
  if (!m->bytes) {
    base_free(priv, sizeof *priv);
    return base_error_oom();
  }
  if (len) memcpy(m->bytes, bytes, len);
  m->len = len;
  core_dec_t d;
  memset(&d, 0, sizeof d);
  d.priv = priv;
  d.m = m;
  if (!decode_all(&d)) {
    core_module_free(m);
    return d.err ? d.err : base_error("malformed module");
  }
  *out = m;
  return NULL;
}

void core_module_free(core_module_t *m) {
  if (!m) return;
  core_module_priv_t *p = (core_module_priv_t *)m;
  for (uint32_t i = 0; i < m->nelems; i++) {
    core_elem_t *e = &m->elems[i];
    base_free(e->funcs, e->funcs ? (size_t)e->count * sizeof *e->funcs : 0);
    base_free(e->exprs, e->exprs ? (size_t)e->count * sizeof *e->exprs : 0);
  }
  base_free(m->bytes, m->len ? m->len : 1);
  base_free(m->types, p->types_cap * sizeof *m->types);
  base_free(p->type_pool, p->type_pool_size);
  base_free(m->imports, p->imports_cap * sizeof *m->imports);
  base_free(m->func_types, p->func_types_cap * sizeof *m->func_types);
  base_free(m->tables, p->tables_cap * sizeof *m->tables);
  base_free(m->mems, p->mems_cap * sizeof *m->mems);
  base_free(m->globals, p->globals_cap * sizeof *m->globals);
  base_free(m->exports, p->exports_cap * sizeof *m->exports);
  base_free(m->elems, p->elems_cap * sizeof *m->elems);
  base_free(m->datas, p->datas_cap * sizeof *m->datas);
  base_free(m->codes, p->codes_cap * sizeof *m->codes);
  base_free(p->group_pool, p->group_pool_cap * sizeof *p->group_pool);
  base_free(m->func_declared, p->func_declared_cap);
  base_free(m->func_names, p->func_names_cap * sizeof *m->func_names);
  base_free(m->customs, p->customs_cap * sizeof *m->customs);
  base_free(p, sizeof *p);
}

const core_name_t *core_func_name(const core_module_t *m, uint32_t idx) {
  uint32_t lo = 0, hi = m->nfunc_names;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    uint32_t f = m->func_names[mid].func;
    if (f == idx) return &m->func_names[mid].name;
    if (f < idx) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

bool core_functype_eq(const core_functype_t *a, const core_functype_t *b) {
  if (a == b) return true;
  if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
  size_t n = (size_t)a->nparams + a->nresults;
  return n == 0 || memcmp(a->types, b->types, n) == 0;
}

const char *core_valtype_name(uint8_t t) {
  switch (t) {
  case VT_I32: return "i32";
  case VT_I64: return "i64";
  case VT_F32: return "f32";
  case VT_F64: return "f64";
  case VT_V128: return "v128";
  case VT_FUNCREF: return "funcref";
  case VT_EXTERNREF: return "externref";
  default: return "<invalid type>";
  }
}
