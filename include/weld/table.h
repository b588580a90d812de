/* weld/table.h — tables of references. */
#ifndef WELD_TABLE_H
#define WELD_TABLE_H
#include "weld/common.h"
#include "weld/val.h"
WELD_EXTERN_C_BEGIN

/* init is the value of every element (its kind must be elem). */
WELD_API weld_error_t *weld_table_new(weld_store_t *store, weld_valkind_t elem, weld_limits_t limits,
                                      weld_val_t init, weld_table_t **out);
WELD_API weld_valkind_t weld_table_elem_kind(const weld_table_t *t);
WELD_API weld_limits_t weld_table_type(const weld_table_t *t);
WELD_API uint32_t weld_table_size(const weld_table_t *t);
WELD_API bool weld_table_get(const weld_table_t *t, uint32_t i, weld_val_t *out);
WELD_API bool weld_table_set(weld_table_t *t, uint32_t i, weld_val_t v);
/* Returns the old size, or -1. */
WELD_API int64_t weld_table_grow(weld_table_t *t, uint32_t delta, weld_val_t init);

WELD_EXTERN_C_END
#endif
