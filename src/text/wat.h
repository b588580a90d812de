/* wat.h — the core text format to binary (core spec §6), for the API and the tools.
 * (text_encode_module, for one `(module ...)` S-expression of a document, is in sexpr.h.) */
#ifndef WELD_TEXT_WAT_H
#define WELD_TEXT_WAT_H
#include "text/sexpr.h"

/* Encoding options.  By default a "name" custom section (appendix §7.4) carries the module's
 * $id and the functions' $ids, for messages such as trap backtraces. */
#define TEXT_WAT_NO_NAMES 1u

/* A whole .wat text: one `(module ...)` or a bare sequence of module fields (§6.6.13
 * abbreviation), or one `(component ...)` (encoded by cwat.c to a component binary).
 * The binary is appended to out.  filename is used in messages. */
weld_error_t *text_wat_to_wasm(const char *src, size_t len, const char *filename, unsigned flags, base_buf_t *out);

/* text_encode_module with options (TEXT_WAT_NO_NAMES). */
weld_error_t *text_encode_module_flags(const text_doc_t *doc, const text_sx_t *module, unsigned flags, base_buf_t *out,
                                       const text_sx_t **name_out);

/* Module fields items[0..n) of doc (no `module` keyword) to a binary module. */
weld_error_t *text_encode_fields(const text_doc_t *doc, const text_sx_t *items, uint32_t n, unsigned flags,
                                 base_buf_t *out);

#endif
