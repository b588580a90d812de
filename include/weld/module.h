/* weld/module.h — compiled core WebAssembly modules (decoded, validated, translated to the
 * interpreter's code).  A module belongs to an engine and can be instantiated in any store
 * of that engine, any number of times. */
#ifndef WELD_MODULE_H
#define WELD_MODULE_H
#include "weld/common.h"
#include "weld/val.h"
WELD_EXTERN_C_BEGIN

typedef enum weld_externkind {
  WELD_EXTERN_FUNC = 0,
  WELD_EXTERN_TABLE,
  WELD_EXTERN_MEMORY,
  WELD_EXTERN_GLOBAL,
} weld_externkind_t;

/* The type of an import or export. Borrowed pointers stay valid while the module lives. */
typedef struct weld_externtype {
  weld_externkind_t kind;
  const weld_functype_t *func;                          /* WELD_EXTERN_FUNC */
  struct { weld_valkind_t elem; weld_limits_t limits; } table;
  struct { weld_limits_t limits; } memory;              /* in 64 KiB pages */
  struct { weld_valkind_t type; bool mutable_; } global;
} weld_externtype_t;

typedef struct weld_import_desc {
  const char *module; size_t module_len; /* UTF-8, not NUL-terminated */
  const char *name; size_t name_len;
  weld_externtype_t type;
} weld_import_desc_t;

typedef struct weld_export_desc {
  const char *name; size_t name_len;
  weld_externtype_t type;
} weld_export_desc_t;

/* Decode, validate and compile a binary module. */
WELD_API weld_error_t *weld_module_new(weld_engine_t *engine, const uint8_t *bytes, size_t len,
                                       WELD_OWN weld_module_t **out);
WELD_API weld_error_t *weld_module_from_file(weld_engine_t *engine, const char *path,
                                             WELD_OWN weld_module_t **out);
/* Decode and validate only. */
WELD_API weld_error_t *weld_module_validate(weld_engine_t *engine, const uint8_t *bytes, size_t len);
WELD_API void weld_module_delete(WELD_OWN weld_module_t *module);

WELD_API size_t weld_module_import_count(const weld_module_t *m);
WELD_API void weld_module_import(const weld_module_t *m, size_t i, weld_import_desc_t *out);
WELD_API size_t weld_module_export_count(const weld_module_t *m);
WELD_API void weld_module_export(const weld_module_t *m, size_t i, weld_export_desc_t *out);

/* Text format: translate WebAssembly text (one module, or one component `(component ...)`)
 * to the binary format.
 * On success *out is allocated with the weld allocator; free it with weld_free_bytes. */
WELD_API weld_error_t *weld_wat_to_wasm(const char *text, size_t len, WELD_OWN uint8_t **out, size_t *out_len);
WELD_API void weld_free_bytes(WELD_OWN uint8_t *bytes, size_t len);

WELD_EXTERN_C_END
#endif
