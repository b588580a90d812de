/* wat.c — core modules of the text format to the binary format (core spec §6.6.13
 * "Modules"): `(module $id? field*)`, the bare field sequence abbreviation, and the script
 * forms `(module $id? binary "..."*)` (bytes verbatim) and `(module $id? quote "..."*)`
 * (the concatenated text parsed as a module; spec interpreter's script syntax).
 * Fields are encoded by wat_module.c. */
#include "base/alloc.h"
#include "core/opcodes.h"
#include "text/wat.h"
#include "text/wat_internal.h"
#include "text/cwat.h"
#include <stdio.h>
#include <string.h>

#define MAX_QUOTE_DEPTH 4

static void wat_free(wat_t *w) {
  for (int k = 0; k < WS_COUNT; k++) text_space_free(&w->spaces[k]);
  text_space_free(&w->ops);
  text_space_free(&w->locals);
  text_wat_types_free(w);
  VEC_FREE(&w->labels);
  VEC_FREE(&w->frames);
  base_buf_free(&w->pending);
  VEC_FREE(&w->func_ids);
}

static weld_error_t *encode_fields(const text_doc_t *doc, const text_sx_t *items, uint32_t n,
                                   const text_sx_t *module_id, unsigned flags, base_buf_t *out) {
  wat_t w;
  memset(&w, 0, sizeof w);
  w.doc = doc;
  w.emit_names = !(flags & TEXT_WAT_NO_NAMES);
  w.module_id = module_id;
  weld_error_t *err = text_wat_ops_init(&w);
  if (!err) err = text_wat_encode_fields(&w, items, 0, n, out);
  wat_free(&w);
  return err;
}

weld_error_t *text_encode_fields(const text_doc_t *doc, const text_sx_t *items, uint32_t n, unsigned flags,
                                 base_buf_t *out) {
  return encode_fields(doc, items, n, NULL, flags, out);
}

static weld_error_t *encode_module(const text_doc_t *doc, const text_sx_t *m, unsigned flags, base_buf_t *out,
                                   const text_sx_t **name_out, int depth);

/* A document that is one module: a single (module ...) or bare fields. */
static weld_error_t *encode_doc(const text_doc_t *doc, unsigned flags, base_buf_t *out, int depth) {
  if (doc->nitems == 1 && text_sx_is_form(&doc->items[0], "module"))
    return encode_module(doc, &doc->items[0], flags, out, NULL, depth);
  for (uint32_t k = 0; k < doc->nitems; k++)
    if (text_sx_is_form(&doc->items[k], "module"))
      return text_error(doc, &doc->items[k], "unexpected token: a module inside a module");
  return encode_fields(doc, doc->items, doc->nitems, NULL, flags, out);
}

static weld_error_t *encode_module(const text_doc_t *doc, const text_sx_t *m, unsigned flags, base_buf_t *out,
                                   const text_sx_t **name_out, int depth) {
  if (name_out) *name_out = NULL;
  if (!text_sx_is_form(m, "module")) return text_error(doc, m, "unexpected token: expected (module ...)");
  uint32_t i = 1;
  const text_sx_t *id = NULL;
  if (i < m->nitems && m->items[i].kind == SX_ID) {
    id = &m->items[i];
    if (name_out) *name_out = id;
    i++;
  }
  bool binary = i < m->nitems && text_sx_is_atom(&m->items[i], "binary");
  bool quote = i < m->nitems && text_sx_is_atom(&m->items[i], "quote");
  if (!binary && !quote) return encode_fields(doc, m->items + i, m->nitems - i, id, flags, out);
  base_buf_t bytes = {0};
  weld_error_t *err = text_sx_concat_strings(doc, m->items + i + 1, m->nitems - i - 1, &bytes);
  if (err) {
    base_buf_free(&bytes);
    return err;
  }
  if (binary) {
    base_buf_bytes(out, bytes.data, bytes.len);
    if (out->oom) err = base_error_oom();
  } else if (depth >= MAX_QUOTE_DEPTH) {
    err = text_error(doc, m, "quoted modules nested too deeply");
  } else {
    char fname[600];
    snprintf(fname, sizeof fname, "%.500s:%u:%u (quoted module)", doc->filename ? doc->filename : "<input>",
             m->line, m->col);
    text_doc_t *inner = NULL;
    err = text_parse_doc((const char *)bytes.data, bytes.len, fname, &inner);
    if (!err) err = encode_doc(inner, flags, out, depth + 1);
    text_doc_free(inner);
  }
  base_buf_free(&bytes);
  return err;
}

weld_error_t *text_encode_module_flags(const text_doc_t *doc, const text_sx_t *module, unsigned flags, base_buf_t *out,
                                       const text_sx_t **name_out) {
  size_t start = out->len;
  weld_error_t *err = encode_module(doc, module, flags, out, name_out, 0);
  if (err) out->len = start < out->len ? start : out->len;
  return err;
}

weld_error_t *text_encode_module(const text_doc_t *doc, const text_sx_t *module, base_buf_t *out,
                                 const text_sx_t **name_out) {
  size_t start = out->len;
  weld_error_t *err = encode_module(doc, module, 0, out, name_out, 0);
  if (err) out->len = start < out->len ? start : out->len;
  return err;
}

weld_error_t *text_wat_to_wasm(const char *src, size_t len, const char *filename, unsigned flags, base_buf_t *out) {
  text_doc_t *doc = NULL;
  weld_error_t *err = text_parse_doc(src, len, filename, &doc);
  if (err) return err;
  size_t start = out->len;
  if (doc->nitems == 1 && text_sx_is_form(&doc->items[0], "component"))
    err = text_encode_component_flags(doc, &doc->items[0],
                                      TEXT_CWAT_LEGACY_INDICES | ((flags & TEXT_WAT_NO_NAMES) ? TEXT_CWAT_NO_NAMES : 0),
                                      out, NULL);
  else
    err = encode_doc(doc, flags, out, 0);
  if (err) out->len = start < out->len ? start : out->len;
  text_doc_free(doc);
  return err;
}
