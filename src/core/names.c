/* names.c — the "name" custom section (core spec Appendix 7.4 "Name Section"): the
 * module name (subsection 0) and function names (subsection 1).  Other subsections are
 * skipped.  Custom sections never affect validity, so a malformed name section is
 * ignored as a whole: nothing from it is kept, and no error is reported. */
#include "core/decode_internal.h"
#include "base/alloc.h"

/* Parses the function name map; false if malformed (nothing is kept then). */
static bool read_func_names(core_dec_t *d, base_reader_t *r) {
  core_module_t *m = d->m;
  uint32_t n = 0;
  if (!base_read_u32(r, &n)) return false;
  if ((uint64_t)n * 2 > base_reader_left(r) || n > m->nfuncs) return false;
  if (n == 0) return true;
  core_func_name_t *names = base_calloc(n, sizeof *names);
  if (!names) return false;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *s = NULL;
    if (!base_read_u32(r, &names[i].func) || !base_read_name(r, &s, &names[i].name.len) ||
        names[i].func >= m->nfuncs || (i && names[i].func <= names[i - 1].func)) {
      base_free(names, (size_t)n * sizeof *names);
      return false;
    }
    names[i].name.s = (const char *)s;
  }
  m->func_names = names;
  m->nfunc_names = n;
  d->priv->func_names_cap = n;
  return true;
}

void core_dec_names(core_dec_t *d) {
  if (!d->name_sec) return;
  core_module_t *m = d->m;
  base_reader_t r;
  base_reader_init(&r, d->name_sec, d->name_sec_len, d->name_sec_off);
  core_name_t module_name = {0};
  int last_id = -1;
  bool ok = true;
  while (ok && !base_reader_eof(&r)) {
    uint8_t id = 0;
    uint32_t size = 0;
    if (!base_read_u8(&r, &id) || !base_read_u32(&r, &size) || size > base_reader_left(&r) || (int)id <= last_id) {
      ok = false;
      break;
    }
    last_id = id;
    base_reader_t sub;
    base_reader_init(&sub, r.p, size, base_reader_off(&r));
    r.p += size;
    if (id == 0) {
      const uint8_t *s = NULL;
      ok = base_read_name(&sub, &s, &module_name.len) && base_reader_eof(&sub);
      module_name.s = (const char *)s;
    } else if (id == 1) {
      ok = read_func_names(d, &sub) && base_reader_eof(&sub);
    }
  }
  if (!ok) {
    base_free(m->func_names, d->priv->func_names_cap * sizeof *m->func_names);
    m->func_names = NULL;
    m->nfunc_names = 0;
    d->priv->func_names_cap = 0;
    return;
  }
  m->module_name = module_name;
}
