/* wat_module.c — module fields of the text format (core spec §6.6 "Modules"): types,
 * imports, functions, tables, memories, globals, exports, start, element and data segments,
 * with every abbreviation of the spec (inline imports and exports on any definition, inline
 * element segments in tables and data in memories, offset and item abbreviations, the
 * `func $f ...` element lists), encoded into the sections of §5.5.
 *
 * Two passes over the fields: the first binds every identifier to its index (so indices
 * may be used before their definition) and reads the explicit type definitions (implicit
 * ones are appended after them, §6.6.3); the second encodes fields in textual order, which
 * is also the order of the entries in each section. */
#include "base/alloc.h"
#include "base/limits.h"
#include "core/opcodes.h"
#include "text/numbers.h"
#include "text/wat_internal.h"
#include <string.h>

typedef struct sections {
  base_buf_t imports, funcs, tables, mems, globals, exports, start, elems, code, datas;
  uint32_t n_imports, n_funcs, n_tables, n_mems, n_globals, n_exports, n_elems, n_code, n_datas;
  bool has_start;
} sections_t;

/* Running indices during the second pass. */
typedef struct cursor {
  uint32_t idx[WS_COUNT];
} cursor_t;

static const text_sx_t *opt_id(const text_sx_t *x, uint32_t *i) {
  if (*i < x->nitems && x->items[*i].kind == SX_ID) return &x->items[(*i)++];
  return NULL;
}

/* Skips the inline `(export "n")*` and an optional `(import "m" "n")` of a definition; sets
 * *import to the import node. */
static weld_error_t *inline_ie(wat_t *w, const text_sx_t *x, uint32_t *i, const text_sx_t **import) {
  *import = NULL;
  while (*i < x->nitems) {
    const text_sx_t *y = &x->items[*i];
    if (wat_is_form(y, "export")) {
      if (*import) return text_error(w->doc, y, "unexpected token: inline export after inline import");
      if (y->nitems != 2 || y->items[1].kind != SX_STRING)
        return text_error(w->doc, y, "unexpected token: expected (export \"name\")");
    } else if (wat_is_form(y, "import")) {
      if (*import) return text_error(w->doc, y, "unexpected token: second inline import");
      if (y->nitems != 3 || y->items[1].kind != SX_STRING || y->items[2].kind != SX_STRING)
        return text_error(w->doc, y, "unexpected token: expected (import \"module\" \"name\")");
      *import = y;
    } else {
      break;
    }
    (*i)++;
  }
  return NULL;
}

static int space_of(const text_sx_t *kw) {
  if (text_sx_is_atom(kw, "func")) return WS_FUNC;
  if (text_sx_is_atom(kw, "table")) return WS_TABLE;
  if (text_sx_is_atom(kw, "memory")) return WS_MEM;
  if (text_sx_is_atom(kw, "global")) return WS_GLOBAL;
  return -1;
}

static weld_error_t *count_item(wat_t *w, int space, const text_sx_t *at) {
  static const uint32_t caps[WS_COUNT] = {WELD_MAX_TYPES, WELD_MAX_FUNCS, WELD_MAX_TABLES, WELD_MAX_MEMORIES * 100,
                                          WELD_MAX_GLOBALS, WELD_MAX_ELEM_SEGMENTS, WELD_MAX_DATA_SEGMENTS};
  if (w->counts[space] >= caps[space]) return text_error(w->doc, at, "too many %s definitions", text_wat_space_name[space]);
  w->counts[space]++;
  return NULL;
}

/* A custom annotation `(@name ...)` (annotations proposal), e.g. `(@producers ...)` as
 * wasm-tools prints them. */
static bool is_annotation(const text_sx_t *x) {
  return x->kind == SX_LIST && x->nitems > 0 && x->items[0].kind == SX_ATOM && x->items[0].len > 1 &&
         x->items[0].text[0] == '@';
}

/* ---- pass 1: bind identifiers ------------------------------------------------------------- */

static weld_error_t *declare_type(wat_t *w, const text_sx_t *x) {
  uint32_t i = 1;
  const text_sx_t *id = opt_id(x, &i);
  if (i < x->nitems && (wat_is_form(&x->items[i], "sub") || wat_is_form(&x->items[i], "struct") ||
                        wat_is_form(&x->items[i], "array") || wat_is_form(&x->items[i], "shared")))
    return text_error(w->doc, &x->items[i], "not supported: GC type definitions");
  if (i >= x->nitems || !wat_is_form(&x->items[i], "func") || i + 1 != x->nitems)
    return text_error(w->doc, i < x->nitems ? &x->items[i] : x, "unexpected token: expected (func ...)");
  const text_sx_t *f = &x->items[i];
  uint32_t j = 1;
  wat_bytes_t params = {0}, results = {0};
  weld_error_t *err = text_wat_parse_params_results(w, f->items, f->nitems, &j, &params, &results, NULL, true);
  if (!err && j < f->nitems) err = text_error(w->doc, &f->items[j], "unexpected token in function type");
  uint32_t idx = 0;
  if (!err) err = text_wat_add_type(w, params.data, (uint32_t)params.len, results.data, (uint32_t)results.len, &idx);
  VEC_FREE(&params);
  VEC_FREE(&results);
  if (!err) err = text_space_bind_id(&w->spaces[WS_TYPE], w->doc, id, idx, "type");
  if (!err) w->counts[WS_TYPE] = (uint32_t)w->types.len;
  return err;
}

static weld_error_t *declare_fields(wat_t *w, const text_sx_t *items, uint32_t i0, uint32_t n) {
  weld_error_t *err = NULL;
  const char *first_def = NULL; /* kind of the first definition: imports must precede it */
  bool has_start = false;
  for (uint32_t k = i0; k < n && !err; k++) {
    const text_sx_t *x = &items[k];
    if (x->kind != SX_LIST || x->nitems == 0 || x->items[0].kind != SX_ATOM)
      return text_error(w->doc, x, "unexpected token: expected a module field");
    const text_sx_t *kw = &x->items[0];
    int space = space_of(kw);
    if (is_annotation(x)) {
      /* custom annotations such as (@producers ...): no effect on the encoding */
    } else if (wat_is_kw(kw, "type")) {
      err = declare_type(w, x);
    } else if (wat_is_kw(kw, "import")) {
      if (first_def) return text_error(w->doc, x, "import after %s", first_def);
      if (x->nitems != 4 || x->items[1].kind != SX_STRING || x->items[2].kind != SX_STRING)
        return text_error(w->doc, x, "unexpected token: expected (import \"module\" \"name\" (kind ...))");
      const text_sx_t *d = &x->items[3];
      int s = d->kind == SX_LIST && d->nitems ? space_of(&d->items[0]) : -1;
      if (s < 0) return text_error(w->doc, d, "unexpected token: expected an import description");
      uint32_t j = 1;
      const text_sx_t *id = opt_id(d, &j);
      if (!(err = text_space_bind_id(&w->spaces[s], w->doc, id, w->counts[s], text_wat_space_name[s])))
        err = count_item(w, s, x);
      if (!err && s == WS_FUNC && !VEC_PUSH(&w->func_ids, id)) err = base_error_oom();
    } else if (space >= 0) {
      uint32_t j = 1;
      const text_sx_t *id = opt_id(x, &j), *import;
      if ((err = inline_ie(w, x, &j, &import))) return err;
      if (import && first_def) return text_error(w->doc, import, "import after %s", first_def);
      if (!import && !first_def) first_def = space == WS_FUNC ? "function" : text_wat_space_name[space];
      if ((err = text_space_bind_id(&w->spaces[space], w->doc, id, w->counts[space], text_wat_space_name[space]))) return err;
      if ((err = count_item(w, space, x))) return err;
      if (space == WS_FUNC && !VEC_PUSH(&w->func_ids, id)) return base_error_oom();
      /* inline element / data segments take the next segment index */
      if (!import && space == WS_TABLE && j + 1 < x->nitems && wat_is_form(&x->items[j + 1], "elem"))
        err = count_item(w, WS_ELEM, x);
      if (!import && space == WS_MEM && j < x->nitems && wat_is_form(&x->items[j], "data"))
        err = count_item(w, WS_DATA, x);
    } else if (wat_is_kw(kw, "export")) {
      /* nothing to bind */
    } else if (wat_is_kw(kw, "start")) {
      if (has_start) return text_error(w->doc, x, "multiple start sections");
      has_start = true;
    } else if (wat_is_kw(kw, "elem") || wat_is_kw(kw, "data")) {
      int s = wat_is_kw(kw, "elem") ? WS_ELEM : WS_DATA;
      uint32_t j = 1;
      const text_sx_t *id = opt_id(x, &j);
      if (!(err = text_space_bind_id(&w->spaces[s], w->doc, id, w->counts[s], text_wat_space_name[s])))
        err = count_item(w, s, x);
    } else {
      if (wat_is_kw(kw, "tag")) return text_error(w->doc, kw, "not supported: tags (exception handling)");
      if (wat_is_kw(kw, "rec")) return text_error(w->doc, kw, "not supported: recursion groups (GC)");
      return text_error(w->doc, kw, "unknown module field %.*s", WAT_TOK(kw));
    }
  }
  return err;
}

/* ---- pass 2: encode ----------------------------------------------------------------------- */

static weld_error_t *export_entry(wat_t *w, sections_t *s, const text_sx_t *name, uint8_t kind, uint32_t idx) {
  weld_error_t *err = text_wat_name(w, name, &s->exports);
  if (err) return err;
  if (s->n_exports >= WELD_MAX_EXPORTS) return text_error(w->doc, name, "too many exports");
  base_buf_byte(&s->exports, kind);
  base_buf_u32leb(&s->exports, idx);
  s->n_exports++;
  return NULL;
}

static weld_error_t *inline_exports(wat_t *w, sections_t *s, const text_sx_t *x, uint8_t kind, uint32_t idx) {
  for (uint32_t j = 1; j < x->nitems; j++)
    if (wat_is_form(&x->items[j], "export")) {
      weld_error_t *err = export_entry(w, s, &x->items[j].items[1], kind, idx);
      if (err) return err;
    }
  return NULL;
}

static weld_error_t *globaltype(wat_t *w, const text_sx_t *x, uint32_t *i, base_buf_t *out) {
  if (*i >= x->nitems) return text_error(w->doc, x, "unexpected end: expected a global type");
  const text_sx_t *t = &x->items[*i];
  uint8_t vt;
  if (wat_is_form(t, "mut")) {
    if (t->nitems != 2) return text_error(w->doc, t, "unexpected token: expected (mut <valtype>)");
    if (text_wat_valtype(&t->items[1], &vt)) return text_wat_type_error(w, &t->items[1], "a value type");
    base_buf_byte(out, vt);
    base_buf_byte(out, 1);
  } else {
    if (text_wat_valtype(t, &vt)) return text_wat_type_error(w, t, "a global type");
    base_buf_byte(out, vt);
    base_buf_byte(out, 0);
  }
  (*i)++;
  return NULL;
}

static weld_error_t *tabletype(wat_t *w, const text_sx_t *x, uint32_t *i, base_buf_t *out) {
  base_buf_t lim = {0};
  weld_error_t *err = text_wat_tablelimits(w, x, x->items, x->nitems, i, &lim);
  uint8_t rt;
  if (!err && *i >= x->nitems) err = text_error(w->doc, x, "unexpected end: expected a reference type");
  else if (!err && text_wat_reftype(&x->items[*i], &rt)) err = text_wat_type_error(w, &x->items[*i], "a reference type");
  if (!err) {
    (*i)++;
    base_buf_byte(out, rt);
    base_buf_bytes(out, lim.data, lim.len);
  }
  base_buf_free(&lim);
  return err;
}

static weld_error_t *end_of(wat_t *w, const text_sx_t *x, uint32_t i) {
  if (i < x->nitems) return text_error(w->doc, &x->items[i], "unexpected token %.*s", WAT_TOK(&x->items[i]));
  return NULL;
}

/* An import description (func/table/memory/global) after the names, items from *i. */
static weld_error_t *import_desc(wat_t *w, sections_t *s, int space, const text_sx_t *x, uint32_t i,
                                 const text_sx_t *mod, const text_sx_t *name) {
  weld_error_t *err;
  if ((err = text_wat_name(w, mod, &s->imports)) || (err = text_wat_name(w, name, &s->imports))) return err;
  switch (space) {
  case WS_FUNC: {
    uint32_t typeidx, np;
    wat_param_ids_t ids = {{0}};
    err = text_wat_typeuse(w, x, x->items, x->nitems, &i, &typeidx, &np, &ids, true);
    VEC_FREE(&ids.ids);
    if (err) return err;
    base_buf_byte(&s->imports, 0);
    base_buf_u32leb(&s->imports, typeidx);
    break;
  }
  case WS_TABLE:
    base_buf_byte(&s->imports, 1);
    if ((err = tabletype(w, x, &i, &s->imports))) return err;
    break;
  case WS_MEM:
    base_buf_byte(&s->imports, 2);
    if ((err = text_wat_memtype(w, x, x->items, x->nitems, &i, &s->imports))) return err;
    break;
  default:
    base_buf_byte(&s->imports, 3);
    if ((err = globaltype(w, x, &i, &s->imports))) return err;
    break;
  }
  if ((err = end_of(w, x, i))) return err;
  s->n_imports++;
  return NULL;
}

/* Locals (§6.6.5): `(local $x t)` or `(local t*)`, encoded as runs of equal types. */
static weld_error_t *func_body(wat_t *w, sections_t *s, const text_sx_t *x, uint32_t i, wat_param_ids_t *ids) {
  weld_error_t *err = NULL;
  text_wat_func_reset(w);
  for (size_t k = 0; k < ids->ids.len; k++) {
    if ((err = text_space_bind_id(&w->locals, w->doc, ids->ids.data[k], w->nlocals, "local"))) return err;
    w->nlocals++;
  }
  wat_bytes_t types = {0};
  for (; i < x->nitems && wat_is_form(&x->items[i], "local"); i++) {
    const text_sx_t *l = &x->items[i];
    uint32_t j = 1;
    const text_sx_t *id = opt_id(l, &j);
    if (id && l->nitems != 3) {
      err = text_error(w->doc, l, "unexpected token: a named local has exactly one type");
      goto out;
    }
    for (; j < l->nitems; j++) {
      uint8_t t;
      if (text_wat_valtype(&l->items[j], &t)) {
        err = text_wat_type_error(w, &l->items[j], "a value type");
        goto out;
      }
      if (w->nlocals >= WELD_MAX_LOCALS * 20) {
        err = text_error(w->doc, l, "too many locals");
        goto out;
      }
      if ((err = text_space_bind_id(&w->locals, w->doc, id, w->nlocals, "local"))) goto out;
      w->nlocals++;
      if (!VEC_PUSH(&types, t)) {
        err = base_error_oom();
        goto out;
      }
    }
  }
  base_buf_t body = {0};
  uint32_t runs = 0;
  for (size_t k = 0; k < types.len; k++)
    if (k == 0 || types.data[k] != types.data[k - 1]) runs++;
  base_buf_u32leb(&body, runs);
  for (size_t k = 0; k < types.len;) {
    size_t e = k;
    while (e < types.len && types.data[e] == types.data[k]) e++;
    base_buf_u32leb(&body, (uint32_t)(e - k));
    base_buf_byte(&body, types.data[k]);
    k = e;
  }
  err = text_wat_encode_expr(w, x->items, i, x->nitems, &body);
  if (!err && body.oom) err = base_error_oom();
  if (!err) {
    base_buf_u32leb(&s->code, (uint32_t)body.len);
    base_buf_bytes(&s->code, body.data, body.len);
    s->n_code++;
  }
  base_buf_free(&body);
out:
  VEC_FREE(&types);
  return err;
}

static weld_error_t *encode_func(wat_t *w, sections_t *s, const text_sx_t *x, cursor_t *c) {
  uint32_t i = 1;
  const text_sx_t *import;
  opt_id(x, &i);
  weld_error_t *err = inline_ie(w, x, &i, &import);
  if (err) return err;
  uint32_t idx = c->idx[WS_FUNC]++;
  if ((err = inline_exports(w, s, x, 0, idx))) return err;
  if (import) return import_desc(w, s, WS_FUNC, x, i, &import->items[1], &import->items[2]);
  uint32_t typeidx, np;
  wat_param_ids_t ids = {{0}};
  err = text_wat_typeuse(w, x, x->items, x->nitems, &i, &typeidx, &np, &ids, true);
  if (!err) {
    base_buf_u32leb(&s->funcs, typeidx);
    s->n_funcs++;
    err = func_body(w, s, x, i, &ids);
  }
  VEC_FREE(&ids.ids);
  return err;
}

/* An offset: `(offset instr*)` or one folded instruction. */
static weld_error_t *offset_expr(wat_t *w, const text_sx_t *o, base_buf_t *out) {
  text_wat_func_reset(w);
  if (wat_is_form(o, "offset")) return text_wat_encode_expr(w, o->items, 1, o->nitems, out);
  return text_wat_encode_expr(w, o, 0, 1, out);
}

/* Element items: either function indices (kind `func`) or expressions. */
typedef struct elem_items {
  uint32_t count;
  base_buf_t idx;   /* u32 function indices, if every item is one ref.func */
  base_buf_t exprs; /* every item as an expression */
  bool all_funcs;
} elem_items_t;

/* Is e (an expression with its end) exactly `ref.func x end`?  Appends x's LEB to idx. */
static bool single_ref_func(const uint8_t *e, size_t len, base_buf_t *idx) {
  if (len < 3 || e[0] != 0xd2 || e[len - 1] != 0x0b) return false;
  size_t k = 1;
  while (k < len - 1 && (e[k] & 0x80)) k++;
  if (k + 2 != len) return false;
  base_buf_bytes(idx, e + 1, len - 2);
  return true;
}

static weld_error_t *elem_list(wat_t *w, const text_sx_t *x, uint32_t i, uint32_t n, bool funcs, elem_items_t *it) {
  weld_error_t *err;
  it->all_funcs = true;
  for (; i < n; i++, it->count++) {
    const text_sx_t *y = &x->items[i];
    if (funcs) {
      uint32_t f;
      if (!text_is_index(y)) return text_error(w->doc, y, "unexpected token: expected a function index");
      if ((err = text_space_resolve(&w->spaces[WS_FUNC], w->doc, y, "func", &f))) return err;
      base_buf_u32leb(&it->idx, f);
      base_buf_byte(&it->exprs, 0xd2);
      base_buf_u32leb(&it->exprs, f);
      base_buf_byte(&it->exprs, 0x0b);
      continue;
    }
    if (y->kind != SX_LIST) return text_error(w->doc, y, "unexpected token: expected an element expression");
    size_t start = it->exprs.len;
    text_wat_func_reset(w);
    if (wat_is_form(y, "item")) err = text_wat_encode_expr(w, y->items, 1, y->nitems, &it->exprs);
    else err = text_wat_encode_expr(w, y, 0, 1, &it->exprs);
    if (err) return err;
    if (it->all_funcs && !single_ref_func(it->exprs.data + start, it->exprs.len - start, &it->idx)) it->all_funcs = false;
  }
  return NULL;
}

/* Writes an element segment the way wabt does: function indices when the type is funcref
 * and every item is a plain ref.func, expressions otherwise; the table index is explicit
 * when it is not 0 or the type is not funcref. */
static void write_elem(sections_t *s, int mode /*0 active 1 passive 2 declare*/, uint32_t table,
                       const uint8_t *offset, size_t offset_len, uint8_t reftype, elem_items_t *it) {
  bool idx_form = reftype == WAT_FUNCREF && it->all_funcs;
  base_buf_t *o = &s->elems;
  if (mode == 0) {
    bool explicit = table != 0 || reftype != WAT_FUNCREF;
    base_buf_byte(o, (uint8_t)((idx_form ? 0 : 4) | (explicit ? 2 : 0)));
    if (explicit) base_buf_u32leb(o, table);
    base_buf_bytes(o, offset, offset_len);
    if (explicit) base_buf_byte(o, idx_form ? 0x00 : reftype);
  } else {
    base_buf_byte(o, (uint8_t)((idx_form ? 0 : 4) | (mode == 1 ? 1 : 3)));
    base_buf_byte(o, idx_form ? 0x00 : reftype);
  }
  base_buf_u32leb(o, it->count);
  if (idx_form) base_buf_bytes(o, it->idx.data, it->idx.len);
  else base_buf_bytes(o, it->exprs.data, it->exprs.len);
  s->n_elems++;
}

static weld_error_t *encode_elem(wat_t *w, sections_t *s, const text_sx_t *x) {
  uint32_t i = 1, table = 0;
  opt_id(x, &i);
  int mode = 1;
  bool has_table = false;
  weld_error_t *err = NULL;
  base_buf_t offset = {0};
  elem_items_t it = {0};
  if (i < x->nitems && wat_is_kw(&x->items[i], "declare")) {
    mode = 2;
    i++;
  } else {
    if (i < x->nitems && wat_is_form(&x->items[i], "table")) {
      const text_sx_t *t = &x->items[i];
      if (t->nitems != 2) return text_error(w->doc, t, "unexpected token: expected (table <index>)");
      if ((err = text_space_resolve(&w->spaces[WS_TABLE], w->doc, &t->items[1], "table", &table))) return err;
      has_table = true;
      i++;
    }
    if (i < x->nitems && x->items[i].kind == SX_LIST) {
      mode = 0;
      if ((err = offset_expr(w, &x->items[i], &offset))) goto out;
      i++;
    } else if (has_table) {
      err = text_error(w->doc, i < x->nitems ? &x->items[i] : x, "unexpected token: expected an offset");
      goto out;
    }
  }
  uint8_t reftype = WAT_FUNCREF;
  bool funcs;
  if (i < x->nitems && wat_is_kw(&x->items[i], "func")) {
    funcs = true;
    i++;
  } else if (i < x->nitems && !text_wat_reftype(&x->items[i], &reftype)) {
    funcs = false;
    i++;
  } else if (mode == 0 && (i >= x->nitems || text_is_index(&x->items[i]))) {
    funcs = true; /* (elem offset funcidx*) */
  } else {
    err = text_error(w->doc, i < x->nitems ? &x->items[i] : x, "unexpected token: expected func or a reference type");
    goto out;
  }
  if ((err = elem_list(w, x, i, x->nitems, funcs, &it))) goto out;
  write_elem(s, mode, table, offset.data, offset.len, reftype, &it);
out:
  base_buf_free(&offset);
  base_buf_free(&it.idx);
  base_buf_free(&it.exprs);
  return err;
}

static weld_error_t *encode_table(wat_t *w, sections_t *s, const text_sx_t *x, cursor_t *c) {
  uint32_t i = 1;
  const text_sx_t *import;
  opt_id(x, &i);
  weld_error_t *err = inline_ie(w, x, &i, &import);
  if (err) return err;
  uint32_t idx = c->idx[WS_TABLE]++;
  if ((err = inline_exports(w, s, x, 1, idx))) return err;
  if (import) return import_desc(w, s, WS_TABLE, x, i, &import->items[1], &import->items[2]);
  uint8_t rt;
  if (i < x->nitems && !text_wat_reftype(&x->items[i], &rt)) {
    /* (table reftype (elem ...)) */
    if (i + 2 != x->nitems || !wat_is_form(&x->items[i + 1], "elem"))
      return text_error(w->doc, i + 1 < x->nitems ? &x->items[i + 1] : x, "unexpected token: expected (elem ...)");
    const text_sx_t *e = &x->items[i + 1];
    bool funcs = e->nitems < 2 || e->items[1].kind != SX_LIST;
    elem_items_t it = {0};
    if (!(err = elem_list(w, e, 1, e->nitems, funcs, &it))) {
      base_buf_byte(&s->tables, rt);
      base_buf_byte(&s->tables, 1);
      base_buf_u32leb(&s->tables, it.count);
      base_buf_u32leb(&s->tables, it.count);
      s->n_tables++;
      static const uint8_t zero[] = {0x41, 0x00, 0x0b};
      write_elem(s, 0, idx, zero, sizeof zero, rt, &it);
      c->idx[WS_ELEM]++;
    }
    base_buf_free(&it.idx);
    base_buf_free(&it.exprs);
    return err;
  }
  if ((err = tabletype(w, x, &i, &s->tables))) return err;
  s->n_tables++;
  return end_of(w, x, i);
}

static void write_data(sections_t *s, bool active, uint32_t mem, const uint8_t *offset, size_t offset_len,
                       const base_buf_t *bytes) {
  base_buf_t *o = &s->datas;
  if (!active) {
    base_buf_byte(o, 1);
  } else if (mem == 0) {
    base_buf_byte(o, 0);
    base_buf_bytes(o, offset, offset_len);
  } else {
    base_buf_byte(o, 2);
    base_buf_u32leb(o, mem);
    base_buf_bytes(o, offset, offset_len);
  }
  base_buf_u32leb(o, (uint32_t)bytes->len);
  base_buf_bytes(o, bytes->data, bytes->len);
  s->n_datas++;
}

static weld_error_t *data_strings(wat_t *w, const text_sx_t *x, uint32_t i, base_buf_t *bytes) {
  for (; i < x->nitems; i++) {
    const text_sx_t *y = &x->items[i];
    if (y->kind != SX_STRING) return text_error(w->doc, y, "unexpected token: expected a string");
    if (bytes->len + y->str_len > UINT32_MAX) return text_error(w->doc, y, "data segment too large");
    base_buf_bytes(bytes, y->str, y->str_len);
  }
  return bytes->oom ? base_error_oom() : NULL;
}

static weld_error_t *encode_memory(wat_t *w, sections_t *s, const text_sx_t *x, cursor_t *c) {
  uint32_t i = 1;
  const text_sx_t *import;
  opt_id(x, &i);
  weld_error_t *err = inline_ie(w, x, &i, &import);
  if (err) return err;
  uint32_t idx = c->idx[WS_MEM]++;
  if ((err = inline_exports(w, s, x, 2, idx))) return err;
  if (import) return import_desc(w, s, WS_MEM, x, i, &import->items[1], &import->items[2]);
  if (i < x->nitems && wat_is_form(&x->items[i], "data")) {
    if (i + 1 != x->nitems) return text_error(w->doc, &x->items[i + 1], "unexpected token after (data ...)");
    base_buf_t bytes = {0};
    if (!(err = data_strings(w, &x->items[i], 1, &bytes))) {
      uint64_t pages = ((uint64_t)bytes.len + WELD_WASM_PAGE_SIZE - 1) / WELD_WASM_PAGE_SIZE;
      base_buf_byte(&s->mems, 1);
      base_buf_u32leb(&s->mems, (uint32_t)pages);
      base_buf_u32leb(&s->mems, (uint32_t)pages);
      s->n_mems++;
      static const uint8_t zero[] = {0x41, 0x00, 0x0b};
      write_data(s, true, idx, zero, sizeof zero, &bytes);
      c->idx[WS_DATA]++;
    }
    base_buf_free(&bytes);
    return err;
  }
  if ((err = text_wat_memtype(w, x, x->items, x->nitems, &i, &s->mems))) return err;
  s->n_mems++;
  return end_of(w, x, i);
}

static weld_error_t *encode_data(wat_t *w, sections_t *s, const text_sx_t *x) {
  uint32_t i = 1, mem = 0;
  opt_id(x, &i);
  weld_error_t *err = NULL;
  bool active = false;
  base_buf_t offset = {0}, bytes = {0};
  if (i < x->nitems && wat_is_form(&x->items[i], "memory")) {
    const text_sx_t *m = &x->items[i];
    if (m->nitems != 2) return text_error(w->doc, m, "unexpected token: expected (memory <index>)");
    if ((err = text_space_resolve(&w->spaces[WS_MEM], w->doc, &m->items[1], "memory", &mem))) return err;
    i++;
    if (i >= x->nitems || x->items[i].kind != SX_LIST)
      return text_error(w->doc, i < x->nitems ? &x->items[i] : x, "unexpected token: expected an offset");
  }
  if (i < x->nitems && x->items[i].kind == SX_LIST) {
    active = true;
    if ((err = offset_expr(w, &x->items[i], &offset))) goto out;
    i++;
  }
  if ((err = data_strings(w, x, i, &bytes))) goto out;
  write_data(s, active, mem, offset.data, offset.len, &bytes);
out:
  base_buf_free(&offset);
  base_buf_free(&bytes);
  return err;
}

static weld_error_t *encode_global(wat_t *w, sections_t *s, const text_sx_t *x, cursor_t *c) {
  uint32_t i = 1;
  const text_sx_t *import;
  opt_id(x, &i);
  weld_error_t *err = inline_ie(w, x, &i, &import);
  if (err) return err;
  uint32_t idx = c->idx[WS_GLOBAL]++;
  if ((err = inline_exports(w, s, x, 3, idx))) return err;
  if (import) return import_desc(w, s, WS_GLOBAL, x, i, &import->items[1], &import->items[2]);
  if ((err = globaltype(w, x, &i, &s->globals))) return err;
  text_wat_func_reset(w);
  if ((err = text_wat_encode_expr(w, x->items, i, x->nitems, &s->globals))) return err;
  s->n_globals++;
  return NULL;
}

static weld_error_t *encode_export(wat_t *w, sections_t *s, const text_sx_t *x) {
  if (x->nitems != 3 || x->items[1].kind != SX_STRING || x->items[2].kind != SX_LIST || x->items[2].nitems != 2)
    return text_error(w->doc, x, "unexpected token: expected (export \"name\" (kind index))");
  const text_sx_t *d = &x->items[2];
  int space = space_of(&d->items[0]);
  if (space < 0) return text_error(w->doc, &d->items[0], "unexpected token: expected func, table, memory or global");
  uint32_t idx;
  weld_error_t *err = text_space_resolve(&w->spaces[space], w->doc, &d->items[1], text_wat_space_name[space], &idx);
  if (err) return err;
  static const uint8_t kinds[WS_COUNT] = {0, 0, 1, 2, 3, 0, 0};
  return export_entry(w, s, &x->items[1], kinds[space], idx);
}

static void put_section(base_buf_t *out, uint8_t id, uint32_t count, const base_buf_t *body, bool with_count) {
  base_buf_t tmp = {0};
  if (with_count) base_buf_u32leb(&tmp, count);
  base_buf_byte(out, id);
  base_buf_u32leb(out, (uint32_t)(tmp.len + body->len));
  base_buf_bytes(out, tmp.data, tmp.len);
  base_buf_bytes(out, body->data, body->len);
  base_buf_free(&tmp);
}

static void put_id_name(base_buf_t *b, const text_sx_t *id) {
  const char *name;
  size_t len;
  text_sx_id_name(id, &name, &len);
  base_buf_u32leb(b, (uint32_t)len);
  base_buf_bytes(b, name, len);
}

/* The "name" custom section: module name (subsection 0), function names (subsection 1). */
static void name_section(wat_t *w, base_buf_t *out) {
  uint32_t nf = 0;
  for (size_t k = 0; k < w->func_ids.len; k++)
    if (w->func_ids.data[k]) nf++;
  if (!w->module_id && !nf) return;
  base_buf_t body = {0}, sub = {0};
  base_buf_u32leb(&body, 4);
  base_buf_bytes(&body, "name", 4);
  if (w->module_id) {
    put_id_name(&sub, w->module_id);
    base_buf_byte(&body, 0);
    base_buf_u32leb(&body, (uint32_t)sub.len);
    base_buf_bytes(&body, sub.data, sub.len);
    sub.len = 0;
  }
  if (nf) {
    base_buf_u32leb(&sub, nf);
    for (size_t k = 0; k < w->func_ids.len; k++)
      if (w->func_ids.data[k]) {
        base_buf_u32leb(&sub, (uint32_t)k);
        put_id_name(&sub, w->func_ids.data[k]);
      }
    base_buf_byte(&body, 1);
    base_buf_u32leb(&body, (uint32_t)sub.len);
    base_buf_bytes(&body, sub.data, sub.len);
  }
  base_buf_byte(out, 0);
  base_buf_u32leb(out, (uint32_t)body.len);
  base_buf_bytes(out, body.data, body.len);
  if (body.oom || sub.oom) out->oom = true;
  base_buf_free(&body);
  base_buf_free(&sub);
}

static void sections_free(sections_t *s) {
  base_buf_t *bufs[] = {&s->imports, &s->funcs, &s->tables, &s->mems, &s->globals,
                        &s->exports, &s->start, &s->elems, &s->code, &s->datas};
  for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) base_buf_free(bufs[k]);
}

weld_error_t *text_wat_encode_fields(wat_t *w, const text_sx_t *items, uint32_t i0, uint32_t n, base_buf_t *out) {
  weld_error_t *err = declare_fields(w, items, i0, n);
  if (err) return err;
  sections_t s;
  memset(&s, 0, sizeof s);
  cursor_t c;
  memset(&c, 0, sizeof c);
  for (uint32_t k = i0; k < n && !err; k++) {
    const text_sx_t *x = &items[k];
    const text_sx_t *kw = &x->items[0];
    if (wat_is_kw(kw, "type") || is_annotation(x)) continue;
    if (wat_is_kw(kw, "import")) {
      const text_sx_t *d = &x->items[3];
      int space = space_of(&d->items[0]);
      uint32_t j = 1;
      opt_id(d, &j);
      c.idx[space]++;
      err = import_desc(w, &s, space, d, j, &x->items[1], &x->items[2]);
    } else if (wat_is_kw(kw, "func")) {
      err = encode_func(w, &s, x, &c);
    } else if (wat_is_kw(kw, "table")) {
      err = encode_table(w, &s, x, &c);
    } else if (wat_is_kw(kw, "memory")) {
      err = encode_memory(w, &s, x, &c);
    } else if (wat_is_kw(kw, "global")) {
      err = encode_global(w, &s, x, &c);
    } else if (wat_is_kw(kw, "export")) {
      err = encode_export(w, &s, x);
    } else if (wat_is_kw(kw, "start")) {
      uint32_t f;
      if (x->nitems != 2) err = text_error(w->doc, x, "unexpected token: expected (start <func>)");
      else if (!(err = text_space_resolve(&w->spaces[WS_FUNC], w->doc, &x->items[1], "func", &f))) {
        base_buf_u32leb(&s.start, f);
        s.has_start = true;
      }
    } else if (wat_is_kw(kw, "elem")) {
      c.idx[WS_ELEM]++;
      err = encode_elem(w, &s, x);
    } else if (wat_is_kw(kw, "data")) {
      c.idx[WS_DATA]++;
      err = encode_data(w, &s, x);
    }
  }
  if (!err) {
    static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    base_buf_bytes(out, header, sizeof header);
    if (w->types.len) {
      base_buf_t t = {0};
      for (size_t k = 0; k < w->types.len; k++) {
        const wat_functype_t *ft = &w->types.data[k];
        base_buf_byte(&t, 0x60);
        base_buf_u32leb(&t, ft->np);
        base_buf_bytes(&t, ft->vt, ft->np);
        base_buf_u32leb(&t, ft->nr);
        base_buf_bytes(&t, ft->vt + ft->np, ft->nr);
      }
      put_section(out, 1, (uint32_t)w->types.len, &t, true);
      base_buf_free(&t);
    }
    if (s.n_imports) put_section(out, 2, s.n_imports, &s.imports, true);
    if (s.n_funcs) put_section(out, 3, s.n_funcs, &s.funcs, true);
    if (s.n_tables) put_section(out, 4, s.n_tables, &s.tables, true);
    if (s.n_mems) put_section(out, 5, s.n_mems, &s.mems, true);
    if (s.n_globals) put_section(out, 6, s.n_globals, &s.globals, true);
    if (s.n_exports) put_section(out, 7, s.n_exports, &s.exports, true);
    if (s.has_start) put_section(out, 8, 0, &s.start, false);
    if (s.n_elems) put_section(out, 9, s.n_elems, &s.elems, true);
    if (w->uses_data_count && s.n_datas) {
      base_buf_t dc = {0};
      base_buf_u32leb(&dc, s.n_datas);
      put_section(out, 12, 0, &dc, false);
      base_buf_free(&dc);
    }
    if (s.n_code) put_section(out, 10, s.n_code, &s.code, true);
    if (s.n_datas) put_section(out, 11, s.n_datas, &s.datas, true);
    if (w->emit_names) name_section(w, out);
    base_buf_t *bufs[] = {&s.imports, &s.funcs, &s.tables, &s.mems, &s.globals, &s.exports, &s.start, &s.elems, &s.code, &s.datas};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
      if (bufs[k]->oom) err = base_error_oom();
    if (out->oom) err = base_error_oom();
  }
  sections_free(&s);
  return err;
}
