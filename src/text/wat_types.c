/* wat_types.c — types of the text format (core spec §6.4 "Types": value, reference, function
 * and limit types) and type uses (§6.6.3 "Type Uses"), including the abbreviation that
 * inserts an implicit type definition at the end of the module when inline parameters and
 * results match no existing type ("the smallest existing type index whose definition is
 * that function type"; abbreviations expand in the order they appear). */
#include "base/alloc.h"
#include "base/limits.h"
#include "base/utf.h"
#include "text/numbers.h"
#include "text/wat_internal.h"
#include <string.h>

const char *const text_wat_space_name[WS_COUNT] = {"type", "func", "table", "memory", "global", "elem", "data"};

/* `(ref null func)` / `(ref null extern)`: the nullable abstract reference types that
 * are funcref and externref (function-references proposal spelling, as wasm-tools
 * prints them). */
static int ref_null(const text_sx_t *x, uint8_t *out) {
  if (!wat_is_form(x, "ref") || x->nitems != 3 || !wat_is_kw(&x->items[1], "null")) return -1;
  return text_wat_heaptype(&x->items[2], out);
}

int text_wat_valtype(const text_sx_t *x, uint8_t *out) {
  static const struct { const char *kw; uint8_t b; } vt[] = {
      {"i32", WAT_I32}, {"i64", WAT_I64}, {"f32", WAT_F32}, {"f64", WAT_F64},
      {"v128", WAT_V128}, {"funcref", WAT_FUNCREF}, {"externref", WAT_EXTERNREF},
  };
  if (x->kind == SX_LIST) return ref_null(x, out);
  if (x->kind != SX_ATOM) return -1;
  for (size_t k = 0; k < sizeof vt / sizeof vt[0]; k++)
    if (text_sx_is_atom(x, vt[k].kw)) {
      *out = vt[k].b;
      return 0;
    }
  return -1;
}

int text_wat_reftype(const text_sx_t *x, uint8_t *out) {
  if (x->kind == SX_LIST) return ref_null(x, out);
  if (text_sx_is_atom(x, "funcref")) *out = WAT_FUNCREF;
  else if (text_sx_is_atom(x, "externref")) *out = WAT_EXTERNREF;
  else return -1;
  return 0;
}

int text_wat_heaptype(const text_sx_t *x, uint8_t *out) {
  if (text_sx_is_atom(x, "func")) *out = WAT_FUNCREF;
  else if (text_sx_is_atom(x, "extern")) *out = WAT_EXTERNREF;
  else return -1;
  return 0;
}

/* ---- the type table and its signature index ------------------------------------------ */

static uint64_t sig_hash(const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr) {
  uint64_t h = 0xcbf29ce484222325ull ^ ((uint64_t)np << 32 | nr);
  for (uint32_t k = 0; k < np; k++) h = (h ^ p[k]) * 0x100000001b3ull;
  h = (h ^ 0xff) * 0x100000001b3ull;
  for (uint32_t k = 0; k < nr; k++) h = (h ^ r[k]) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

static bool sig_eq(const wat_functype_t *t, const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr) {
  return t->np == np && t->nr == nr && (np == 0 || memcmp(t->vt, p, np) == 0) &&
         (nr == 0 || memcmp(t->vt + np, r, nr) == 0);
}

/* Index of the first type with this signature, or UINT32_MAX. */
static uint32_t sig_find(wat_t *w, const uint8_t *p, uint32_t np, const uint8_t *r, uint32_t nr) {
  if (!w->sig_cap) return UINT32_MAX;
  size_t j = sig_hash(p, np, r, nr) & (w->sig_cap - 1);
  while (w->sig_slots[j]) {
    uint32_t idx = w->sig_slots[j] - 1;
    if (sig_eq(&w->types.data[idx], p, np, r, nr)) return idx;
    j = (j + 1) & (w->sig_cap - 1);
  }
  return UINT32_MAX;
}

static int sig_insert(wat_t *w, uint32_t idx) {
  if ((w->sig_used + 1) * 2 > w->sig_cap) {
    size_t ncap = w->sig_cap ? w->sig_cap * 2 : 64;
    uint32_t *ns = base_calloc(ncap, sizeof(uint32_t));
    if (!ns) return -1;
    for (size_t k = 0; k < w->sig_cap; k++) {
      uint32_t v = w->sig_slots[k];
      if (!v) continue;
      const wat_functype_t *t = &w->types.data[v - 1];
      size_t j = sig_hash(t->vt, t->np, t->vt + t->np, t->nr) & (ncap - 1);
      while (ns[j]) j = (j + 1) & (ncap - 1);
      ns[j] = v;
    }
    base_free(w->sig_slots, w->sig_cap * sizeof(uint32_t));
    w->sig_slots = ns;
    w->sig_cap = ncap;
  }
  const wat_functype_t *t = &w->types.data[idx];
  size_t j = sig_hash(t->vt, t->np, t->vt + t->np, t->nr) & (w->sig_cap - 1);
  while (w->sig_slots[j]) {
    if (sig_eq(&w->types.data[w->sig_slots[j] - 1], t->vt, t->np, t->vt + t->np, t->nr)) return 0; /* keep the first */
    j = (j + 1) & (w->sig_cap - 1);
  }
  w->sig_slots[j] = idx + 1;
  w->sig_used++;
  return 0;
}

weld_error_t *text_wat_add_type(wat_t *w, const uint8_t *params, uint32_t np, const uint8_t *results,
                           uint32_t nr, uint32_t *index) {
  if (w->types.len >= WELD_MAX_TYPES) return base_error("too many types (limit %u)", WELD_MAX_TYPES);
  wat_functype_t t = {np, nr, base_alloc((size_t)np + nr)};
  if (!t.vt) return base_error_oom();
  if (np) memcpy(t.vt, params, np);
  if (nr) memcpy(t.vt + np, results, nr);
  if (!VEC_PUSH(&w->types, t)) {
    base_free(t.vt, (size_t)np + nr);
    return base_error_oom();
  }
  *index = (uint32_t)(w->types.len - 1);
  if (sig_insert(w, *index)) return base_error_oom();
  return NULL;
}

void text_wat_types_free(wat_t *w) {
  for (size_t k = 0; k < w->types.len; k++) base_free(w->types.data[k].vt, (size_t)w->types.data[k].np + w->types.data[k].nr);
  VEC_FREE(&w->types);
  base_free(w->sig_slots, w->sig_cap * sizeof(uint32_t));
  w->sig_slots = NULL;
  w->sig_cap = w->sig_used = 0;
}

/* ---- params, results, type uses ------------------------------------------------------- */

weld_error_t *text_wat_parse_params_results(wat_t *w, const text_sx_t *items, uint32_t n, uint32_t *i,
                                       wat_bytes_t *params, wat_bytes_t *results,
                                       wat_param_ids_t *ids, bool allow_ids) {
  const text_doc_t *doc = w->doc;
  bool seen_result = false;
  while (*i < n) {
    const text_sx_t *x = &items[*i];
    bool is_param = wat_is_form(x, "param"), is_result = wat_is_form(x, "result");
    if (!is_param && !is_result) break;
    if (is_param && seen_result) return text_error(doc, x, "unexpected token: param after result");
    if (is_result) seen_result = true;
    uint32_t k = 1;
    const text_sx_t *id = NULL;
    if (k < x->nitems && x->items[k].kind == SX_ID) {
      if (is_result) return text_error(doc, &x->items[k], "unexpected token: results cannot be named");
      if (!allow_ids) return text_error(doc, &x->items[k], "unexpected token: parameter names are not allowed here");
      id = &x->items[k++];
      if (x->nitems != 3) return text_error(doc, x, "unexpected token: a named parameter has exactly one type");
    }
    for (; k < x->nitems; k++) {
      uint8_t t;
      if (text_wat_valtype(&x->items[k], &t)) return text_wat_type_error(w, &x->items[k], "a value type");
      if (is_param) {
        if (params->len >= WELD_MAX_FUNC_PARAMS * 64) return text_error(doc, x, "too many parameters");
        if (!VEC_PUSH(params, t)) return base_error_oom();
        if (ids && !VEC_PUSH(&ids->ids, id)) return base_error_oom();
      } else {
        if (results->len >= WELD_MAX_FUNC_RESULTS * 64) return text_error(doc, x, "too many results");
        if (!VEC_PUSH(results, t)) return base_error_oom();
      }
    }
    (*i)++;
  }
  return NULL;
}

weld_error_t *text_wat_typeuse(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                          uint32_t *i, uint32_t *typeidx, uint32_t *np, wat_param_ids_t *ids,
                          bool allow_ids) {
  const text_doc_t *doc = w->doc;
  weld_error_t *err = NULL;
  bool has_type = false;
  uint32_t idx = 0;
  const text_sx_t *type_node = NULL;
  if (*i < n && wat_is_form(&items[*i], "type")) {
    type_node = &items[*i];
    if (type_node->nitems != 2) return text_error(doc, type_node, "unexpected token: expected (type <index>)");
    if ((err = text_space_resolve(&w->spaces[WS_TYPE], doc, &type_node->items[1], "type", &idx))) return err;
    has_type = true;
    (*i)++;
  }
  wat_bytes_t params = {0};
  wat_bytes_t results = {0};
  uint32_t first = *i;
  if ((err = text_wat_parse_params_results(w, items, n, i, &params, &results, ids, allow_ids))) goto out;
  bool inline_given = *i > first;
  if (has_type) {
    if (idx < w->types.len) {
      const wat_functype_t *t = &w->types.data[idx];
      if (inline_given && !sig_eq(t, params.data, (uint32_t)params.len, results.data, (uint32_t)results.len)) {
        err = text_error(doc, type_node, "inline function type does not match the referenced type");
        goto out;
      }
      *np = t->np;
      if (ids && !inline_given) /* parameters of the referenced type, unnamed */
        for (uint32_t k = 0; k < t->np; k++)
          if (!VEC_PUSH(&ids->ids, NULL)) {
            err = base_error_oom();
            goto out;
          }
    } else {
      if (inline_given) {
        err = text_error(doc, type_node, "unknown type %u", idx);
        goto out;
      }
      *np = 0; /* out of range: left to the validator */
    }
    *typeidx = idx;
  } else {
    uint32_t found = sig_find(w, params.data, (uint32_t)params.len, results.data, (uint32_t)results.len);
    if (found == UINT32_MAX &&
        (err = text_wat_add_type(w, params.data, (uint32_t)params.len, results.data, (uint32_t)results.len, &found)))
      goto out;
    *typeidx = found;
    *np = (uint32_t)params.len;
  }
  (void)at;
out:
  VEC_FREE(&params);
  VEC_FREE(&results);
  return err;
}

weld_error_t *text_wat_blocktype(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                            uint32_t *i, base_buf_t *out) {
  /* `(result t)?` alone is a value-type block type; anything else is a type use.  A `(type x)`
   * whose type is [] -> [t?] is written the short way too (equivalent; as wabt does). */
  uint32_t j = *i;
  bool has_type = j < n && wat_is_form(&items[j], "type");
  uint32_t nparams = 0, nresults = 0;
  for (uint32_t k = has_type ? j + 1 : j; k < n; k++) {
    const text_sx_t *x = &items[k];
    if (wat_is_form(x, "param")) nparams += x->nitems - 1;
    else if (wat_is_form(x, "result")) nresults += x->nitems - 1;
    else break;
  }
  if (!has_type && nparams == 0 && nresults <= 1) {
    wat_bytes_t params = {0};
    wat_bytes_t results = {0};
    weld_error_t *err = text_wat_parse_params_results(w, items, n, i, &params, &results, NULL, false);
    uint8_t t = results.len ? results.data[0] : 0x40;
    VEC_FREE(&params);
    VEC_FREE(&results);
    if (err) return err;
    base_buf_byte(out, t);
    return NULL;
  }
  uint32_t idx, np;
  weld_error_t *err = text_wat_typeuse(w, at, items, n, i, &idx, &np, NULL, false);
  if (err) return err;
  if (idx < w->types.len && w->types.data[idx].np == 0 && w->types.data[idx].nr <= 1) {
    const wat_functype_t *t = &w->types.data[idx];
    base_buf_byte(out, t->nr ? t->vt[0] : 0x40);
    return NULL;
  }
  base_buf_s64leb(out, (int64_t)idx);
  return NULL;
}

weld_error_t *text_wat_limits(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n,
                         uint32_t *i, base_buf_t *out) {
  uint32_t min, max;
  if (*i >= n || items[*i].kind != SX_ATOM || text_parse_u32(items[*i].text, items[*i].len, &min)) {
    const text_sx_t *x = *i < n ? &items[*i] : at;
    if (*i < n && items[*i].kind == SX_ATOM && items[*i].len && items[*i].text[0] >= '0' && items[*i].text[0] <= '9')
      return text_error(w->doc, x, "limit out of range: %.*s", WAT_TOK(x));
    return text_error(w->doc, x, "unexpected token: expected a limit");
  }
  (*i)++;
  if (*i < n && items[*i].kind == SX_ATOM && items[*i].len && items[*i].text[0] >= '0' && items[*i].text[0] <= '9') {
    if (text_parse_u32(items[*i].text, items[*i].len, &max))
      return text_error(w->doc, &items[*i], "limit out of range: %.*s", WAT_TOK(&items[*i]));
    (*i)++;
    base_buf_byte(out, 1);
    base_buf_u32leb(out, min);
    base_buf_u32leb(out, max);
  } else {
    base_buf_byte(out, 0);
    base_buf_u32leb(out, min);
  }
  return NULL;
}

weld_error_t *text_wat_type_error(wat_t *w, const text_sx_t *x, const char *expected) {
  static const char *const gc_kw[] = {"anyref", "eqref", "i31ref", "structref", "arrayref", "nullref",
                                      "nullfuncref", "nullexternref", "exnref", "nullexnref"};
  for (size_t k = 0; k < sizeof gc_kw / sizeof gc_kw[0]; k++)
    if (wat_is_kw(x, gc_kw[k])) return text_error(w->doc, x, "not supported: GC and exception reference types (%s)", gc_kw[k]);
  if (wat_is_form(x, "ref")) return text_error(w->doc, x, "not supported: typed references other than (ref null func|extern)");
  return text_error(w->doc, x, "unexpected token %.*s: expected %s", WAT_TOK(x), expected);
}

/* Memory and table64 limits: `min max?` as u64 (memory64) */
static weld_error_t *limits64(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t *i,
                              bool is64, uint64_t *min, uint64_t *max, bool *has_max) {
  const text_sx_t *x = *i < n ? &items[*i] : at;
  bool num = *i < n && items[*i].kind == SX_ATOM && items[*i].len && items[*i].text[0] >= '0' && items[*i].text[0] <= '9';
  uint32_t v32;
  if (!num) return text_error(w->doc, x, "unexpected token: expected a limit");
  if (is64 ? text_parse_u64(x->text, x->len, min) : text_parse_u32(x->text, x->len, &v32))
    return text_error(w->doc, x, "limit out of range: %.*s", WAT_TOK(x));
  if (!is64) *min = v32;
  (*i)++;
  *has_max = *i < n && items[*i].kind == SX_ATOM && items[*i].len && items[*i].text[0] >= '0' && items[*i].text[0] <= '9';
  if (*has_max) {
    x = &items[*i];
    if (is64 ? text_parse_u64(x->text, x->len, max) : text_parse_u32(x->text, x->len, &v32))
      return text_error(w->doc, x, "limit out of range: %.*s", WAT_TOK(x));
    if (!is64) *max = v32;
    (*i)++;
  }
  return NULL;
}

static bool addr_type(const text_sx_t *items, uint32_t n, uint32_t *i) {
  if (*i < n && wat_is_kw(&items[*i], "i64")) {
    (*i)++;
    return true;
  }
  if (*i < n && wat_is_kw(&items[*i], "i32")) (*i)++;
  return false;
}

weld_error_t *text_wat_memtype(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t *i,
                               base_buf_t *out) {
  bool is64 = addr_type(items, n, i), has_max, shared = false;
  uint64_t min, max = 0;
  uint32_t log2 = 16;
  bool custom = false;
  weld_error_t *err = limits64(w, at, items, n, i, is64, &min, &max, &has_max);
  if (err) return err;
  if (*i < n && wat_is_kw(&items[*i], "shared")) {
    shared = true;
    (*i)++;
  }
  if (*i < n && wat_is_form(&items[*i], "pagesize")) {
    const text_sx_t *p = &items[(*i)++];
    uint32_t size;
    if (p->nitems != 2 || p->items[1].kind != SX_ATOM || text_parse_u32(p->items[1].text, p->items[1].len, &size))
      return text_error(w->doc, p, "unexpected token: expected (pagesize <u32>)");
    if (size == 0 || (size & (size - 1))) return text_error(w->doc, p, "invalid custom page size: not a power of two");
    for (log2 = 0; (1u << log2) != size; log2++) {
    }
    custom = true;
  }
  base_buf_byte(out, (uint8_t)((has_max ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0) | (custom ? 8 : 0)));
  base_buf_u64leb(out, min);
  if (has_max) base_buf_u64leb(out, max);
  if (custom) base_buf_u32leb(out, log2);
  return NULL;
}

weld_error_t *text_wat_tablelimits(wat_t *w, const text_sx_t *at, const text_sx_t *items, uint32_t n, uint32_t *i,
                                   base_buf_t *out) {
  bool is64 = addr_type(items, n, i), has_max;
  uint64_t min, max = 0;
  if (*i < n && wat_is_kw(&items[*i], "shared")) return text_error(w->doc, &items[*i], "not supported: shared tables (shared-everything threads)");
  weld_error_t *err = limits64(w, at, items, n, i, is64, &min, &max, &has_max);
  if (err) return err;
  base_buf_byte(out, (uint8_t)((has_max ? 1 : 0) | (is64 ? 4 : 0)));
  base_buf_u64leb(out, min);
  if (has_max) base_buf_u64leb(out, max);
  return NULL;
}

weld_error_t *text_wat_name(wat_t *w, const text_sx_t *x, base_buf_t *out) {
  if (x->kind != SX_STRING) return text_error(w->doc, x, "unexpected token: expected a string");
  if (!base_utf8_valid(x->str, x->str_len)) return text_error(w->doc, x, "malformed UTF-8 encoding in name");
  base_buf_u32leb(out, x->str_len);
  base_buf_bytes(out, x->str, x->str_len);
  return NULL;
}
