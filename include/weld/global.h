/* weld/global.h — globals. */
#ifndef WELD_GLOBAL_H
#define WELD_GLOBAL_H
#include "weld/common.h"
#include "weld/val.h"
WELD_EXTERN_C_BEGIN

WELD_API weld_error_t *weld_global_new(weld_store_t *store, weld_val_t init, bool mutable_,
                                       weld_global_t **out);
WELD_API weld_valkind_t weld_global_kind(const weld_global_t *g);
WELD_API bool weld_global_mutable(const weld_global_t *g);
WELD_API weld_val_t weld_global_get(const weld_global_t *g);
/* Error if immutable or of another kind. */
WELD_API weld_error_t *weld_global_set(weld_global_t *g, weld_val_t v);

WELD_EXTERN_C_END
#endif
