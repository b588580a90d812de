/* names.h — symbolic identifiers of the text formats (core spec §6.3.5 "Identifiers" and
 * §6.6.1 "Indices"; the component text format reuses it for its own index spaces).
 *
 * A text_space_t maps the names bound in one index space ($f in the function space, $t in
 * the type space, ...) to their indices.  Keys are borrowed: they point into the text
 * document, which outlives the space.  Binding a name twice in the same space is the
 * "duplicate identifier" error of the spec's well-formedness condition. */
#ifndef WELD_TEXT_NAMES_H
#define WELD_TEXT_NAMES_H
#include "text/sexpr.h"
#include <stddef.h>
#include <stdint.h>

typedef struct text_space_entry {
  const char *name; /* NULL: empty slot */
  size_t len;
  uint32_t index;
} text_space_entry_t;

typedef struct text_space {
  text_space_entry_t *slots;
  size_t cap, used; /* cap is 0 or a power of two */
} text_space_t;

/* 0 bound, 1 the name is already bound (nothing changes), -1 out of memory. */
int text_space_bind(text_space_t *s, const char *name, size_t len, uint32_t index);
/* 0 found (*index set), -1 not bound. */
int text_space_lookup(const text_space_t *s, const char *name, size_t len, uint32_t *index);
void text_space_clear(text_space_t *s); /* forget all names, keep the storage */
void text_space_free(text_space_t *s);

/* Binds the name of the SX_ID node `id` (if id is NULL nothing happens).  Errors name the
 * space ("duplicate func $f"). */
weld_error_t *text_space_bind_id(text_space_t *s, const text_doc_t *doc, const text_sx_t *id,
                                 uint32_t index, const char *space_name);
/* An index: a u32 literal, or an id bound in s.  Errors: "unknown <space> $x" and
 * "malformed <space> index". */
weld_error_t *text_space_resolve(const text_space_t *s, const text_doc_t *doc, const text_sx_t *x,
                                 const char *space_name, uint32_t *index);
/* True if x can start an index (a u32-looking atom or an id). */
int text_is_index(const text_sx_t *x);

#endif
