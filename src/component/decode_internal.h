/* decode_internal.h — interface between the component decoder's files (decode.c: sections
 * and definitions; decode_types.c: type encodings) and the validator entry point. */
#ifndef WELD_COMPONENT_DECODE_INTERNAL_H
#define WELD_COMPONENT_DECODE_INTERNAL_H
#include "base/reader.h"
#include "component/component.h"

typedef struct comp_dctx {
  comp_arena_t *arena;
  const uint8_t *start;      /* the root's copy of the input */
  weld_engine_t *engine;     /* compiles the core modules */
  bool owns_engine;
  const comp_features_t *features;
  uint32_t type_depth;       /* nesting of component/instance/module types being decoded */
  weld_error_t *err;         /* first error */
} comp_dctx_t;

/* All return false after recording the first error in c->err. */
bool comp_dfail(comp_dctx_t *c, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool comp_drfail(comp_dctx_t *c, base_reader_t *r, const char *what);
bool comp_rd_u8(comp_dctx_t *c, base_reader_t *r, uint8_t *out);
bool comp_rd_u32(comp_dctx_t *c, base_reader_t *r, uint32_t *out);
bool comp_rd_name(comp_dctx_t *c, base_reader_t *r, comp_name_t *out);
/* A vector length: at most `limit` and at most the bytes left. */
bool comp_rd_count(comp_dctx_t *c, base_reader_t *r, uint32_t *out, uint32_t limit, const char *what);
void *comp_dalloc(comp_dctx_t *c, size_t count, size_t size, size_t off);
bool comp_rd_core_sort(comp_dctx_t *c, base_reader_t *r, uint8_t *sort);
bool comp_rd_sort(comp_dctx_t *c, base_reader_t *r, uint8_t *sort);
bool comp_rd_extern_name(comp_dctx_t *c, base_reader_t *r, comp_name_t *out);

bool comp_decode_alias(comp_dctx_t *c, base_reader_t *r, comp_alias_t *a);
bool comp_decode_externdesc(comp_dctx_t *c, base_reader_t *r, comp_externdesc_t *d);
bool comp_decode_nested(comp_dctx_t *c, const uint8_t *p, size_t n, size_t off, comp_component_t *parent,
                        comp_component_t **out);

/* decode_types.c */
bool comp_decode_valref(comp_dctx_t *c, base_reader_t *r, comp_valref_t *out);
bool comp_decode_type(comp_dctx_t *c, base_reader_t *r, comp_typedef_t *t);
/* `top`: a core:type of a component or component/instance type (module types allowed). */
bool comp_decode_core_type(comp_dctx_t *c, base_reader_t *r, comp_core_typedef_t *t, bool top);

/* decode.c */
void comp_free_tree(comp_component_t *c);

/* validate.c: type-checks a decoded root component (filling index spaces and types). */
weld_error_t *comp_validate(comp_component_t *root, const comp_features_t *features);

#endif
