/* weld/wit.h — WIT (the component model's interface language): load, resolve, inspect,
 * print.  Implements design/mvp/WIT.md of the WebAssembly component-model repository.
 *
 * A weld_wit_t holds a resolved set of WIT packages as four arenas — packages,
 * interfaces, worlds and types — that refer to one another by index, in the same shape
 * as the JSON form other tools read (see weld_wit_to_json).  Packages are pushed into it
 * (a file, a directory with its deps/ folder, or a string); every push resolves all names,
 * checks the package and elaborates each world's full list of imports and exports.
 *
 * The structures below are read-only views owned by the weld_wit_t: they stay valid
 * until the next push or weld_wit_delete.  Arrays have the shape
 * `struct { T *data; size_t len, cap; }`: read data[0..len), ignore cap.
 *
 * Errors name the file, line and column, show the source line and a caret. */
#ifndef WELD_WIT_H
#define WELD_WIT_H
#include "weld/common.h"
#include "weld/error.h"
WELD_EXTERN_C_BEGIN

typedef struct weld_wit weld_wit_t;

/* "No index" in optional references (owner, package, result ...). */
#define WELD_WIT_NONE UINT32_MAX

/* A value type: a primitive, or a reference (WELD_WIT_T_ID) into the type arena. */
typedef enum weld_wit_tag {
  WELD_WIT_T_NONE = 0, /* absent (no result, payload-less case, `_` in result<_, E>) */
  WELD_WIT_T_BOOL,
  WELD_WIT_T_U8,
  WELD_WIT_T_U16,
  WELD_WIT_T_U32,
  WELD_WIT_T_U64,
  WELD_WIT_T_S8,
  WELD_WIT_T_S16,
  WELD_WIT_T_S32,
  WELD_WIT_T_S64,
  WELD_WIT_T_F32,
  WELD_WIT_T_F64,
  WELD_WIT_T_CHAR,
  WELD_WIT_T_STRING,
  WELD_WIT_T_ERROR_CONTEXT,
  WELD_WIT_T_ID
} weld_wit_tag_t;

typedef struct weld_wit_type {
  uint32_t tag; /* weld_wit_tag_t */
  uint32_t id;  /* type index when tag == WELD_WIT_T_ID */
} weld_wit_type_t;

typedef enum weld_wit_stability_kind {
  WELD_WIT_STABILITY_UNKNOWN = 0, /* no gate */
  WELD_WIT_STABILITY_STABLE,      /* @since(version = ...) */
  WELD_WIT_STABILITY_UNSTABLE     /* @unstable(feature = ...) */
} weld_wit_stability_kind_t;

typedef struct weld_wit_stability {
  uint32_t kind;          /* weld_wit_stability_kind_t */
  const char *since;      /* STABLE: the version */
  const char *feature;    /* UNSTABLE: the feature name */
  const char *deprecated; /* @deprecated(version = ...), or NULL */
} weld_wit_stability_t;

/* One named element of a record (field), variant (case), enum (case) or flags (flag), or
 * one element of a tuple (name NULL). */
typedef struct weld_wit_case {
  const char *name;
  weld_wit_type_t type; /* NONE for flags, enum cases, payload-less variant cases */
  const char *docs;     /* NULL if none */
} weld_wit_case_t;

typedef enum weld_wit_kind {
  WELD_WIT_KIND_ALIAS = 0,  /* `type x = T` or a `use`d name: a */
  WELD_WIT_KIND_RECORD,     /* cases */
  WELD_WIT_KIND_RESOURCE,
  WELD_WIT_KIND_OWN,        /* a.id = the resource (or an alias of it) */
  WELD_WIT_KIND_BORROW,     /* a.id = the resource */
  WELD_WIT_KIND_FLAGS,      /* cases */
  WELD_WIT_KIND_TUPLE,      /* cases (unnamed) */
  WELD_WIT_KIND_VARIANT,    /* cases */
  WELD_WIT_KIND_ENUM,       /* cases */
  WELD_WIT_KIND_OPTION,     /* a */
  WELD_WIT_KIND_RESULT,     /* ok = a, err = b (either may be NONE) */
  WELD_WIT_KIND_LIST,       /* a */
  WELD_WIT_KIND_MAP,        /* key = a, value = b */
  WELD_WIT_KIND_FIXED_LIST, /* a, size */
  WELD_WIT_KIND_FUTURE,     /* a (may be NONE) */
  WELD_WIT_KIND_STREAM,     /* a (may be NONE) */
  WELD_WIT_KIND_UNKNOWN     /* internal: never present in a resolved set */
} weld_wit_kind_t;

typedef enum weld_wit_owner_kind {
  WELD_WIT_OWNER_NONE = 0, /* anonymous types such as list<u8> */
  WELD_WIT_OWNER_INTERFACE,
  WELD_WIT_OWNER_WORLD
} weld_wit_owner_kind_t;

typedef struct weld_wit_typedef {
  const char *name; /* NULL for anonymous types */
  uint32_t kind;    /* weld_wit_kind_t */
  weld_wit_type_t a, b;
  uint32_t size; /* FIXED_LIST length */
  struct { weld_wit_case_t *data; size_t len, cap; } cases;
  uint32_t owner_kind; /* weld_wit_owner_kind_t */
  uint32_t owner;      /* interface or world index */
  const char *docs;
  weld_wit_stability_t stability;
} weld_wit_typedef_t;

typedef enum weld_wit_func_kind {
  WELD_WIT_FUNC_FREESTANDING = 0,
  WELD_WIT_FUNC_ASYNC_FREESTANDING,
  WELD_WIT_FUNC_METHOD,
  WELD_WIT_FUNC_ASYNC_METHOD,
  WELD_WIT_FUNC_STATIC,
  WELD_WIT_FUNC_ASYNC_STATIC,
  WELD_WIT_FUNC_CONSTRUCTOR
} weld_wit_func_kind_t;

typedef struct weld_wit_param {
  const char *name;
  weld_wit_type_t type;
} weld_wit_param_t;

typedef struct weld_wit_func {
  const char *name; /* "f", "[method]r.f", "[static]r.f", "[constructor]r" */
  uint32_t kind;    /* weld_wit_func_kind_t */
  uint32_t resource; /* the resource type for methods, statics, constructors */
  struct { weld_wit_param_t *data; size_t len, cap; } params; /* methods start with `self` */
  weld_wit_type_t result; /* NONE if the function returns nothing */
  const char *docs;
  weld_wit_stability_t stability;
} weld_wit_func_t;

typedef struct weld_wit_named {
  const char *name;
  uint32_t id;
} weld_wit_named_t;

typedef struct weld_wit_interface {
  const char *name; /* NULL for inline interfaces in worlds */
  struct { weld_wit_named_t *data; size_t len, cap; } types;
  struct { weld_wit_func_t *data; size_t len, cap; } funcs;
  const char *docs;
  weld_wit_stability_t stability;
  uint32_t package; /* WELD_WIT_NONE while unresolved */
} weld_wit_interface_t;

typedef enum weld_wit_item_kind {
  WELD_WIT_ITEM_INTERFACE = 0,
  WELD_WIT_ITEM_FUNC,
  WELD_WIT_ITEM_TYPE
} weld_wit_item_kind_t;

/* One import or export of a world.  Its key is a kebab-name (name != NULL) or, for
 * `import ns:pkg/iface;` style items, the interface itself (name == NULL, key_interface). */
typedef struct weld_wit_world_item {
  const char *name;
  uint32_t key_interface;
  uint32_t kind; /* weld_wit_item_kind_t */
  uint32_t id;   /* INTERFACE: interface index; TYPE: type index */
  weld_wit_func_t func;           /* FUNC */
  weld_wit_stability_t stability; /* INTERFACE */
} weld_wit_world_item_t;

typedef struct weld_wit_world {
  const char *name;
  struct { weld_wit_world_item_t *data; size_t len, cap; } imports, exports;
  uint32_t package;
  const char *docs;
  weld_wit_stability_t stability;
} weld_wit_world_t;

typedef struct weld_wit_package {
  const char *namespace_; /* "wasi" */
  const char *name;       /* "cli" */
  const char *version;    /* "0.2.12", or NULL */
  const char *full_name;  /* "wasi:cli@0.2.12" */
  const char *docs;
  struct { weld_wit_named_t *data; size_t len, cap; } interfaces, worlds;
} weld_wit_package_t;

/* ---- creating and loading ---- */

WELD_API WELD_OWN weld_wit_t *weld_wit_new(void);
WELD_API void weld_wit_delete(WELD_OWN weld_wit_t *wit);

/* Items gated by @unstable(feature = name) are only kept when the feature is enabled
 * (before the package is pushed). */
WELD_API weld_error_t *weld_wit_enable_feature(weld_wit_t *wit, const char *name);
WELD_API void weld_wit_enable_all_features(weld_wit_t *wit, bool all);

/* Loads a path: a directory is one package (all its *.wit files) with its dependencies
 * in `deps/` (sub-folders or single files: .wit, or .wasm/.wat WIT packages encoded as
 * WebAssembly, see weld_wit_push_wasm); a file may hold several packages, or be a .wasm
 * or .wat binary package itself.  Optional
 * `deps` are extra dependency paths (files or folders, each one package group) loaded
 * together with it.  *main_pkg receives the main package (may be NULL). */
WELD_API weld_error_t *weld_wit_push_path(weld_wit_t *wit, const char *path, const char *const *deps,
                                          size_t ndeps, uint32_t *main_pkg);
/* Several in-memory files at once, each a package group of its own (a file may hold
 * nested packages); the first is the main one, the others its dependencies.  `paths`
 * are only used in error messages. */
WELD_API weld_error_t *weld_wit_push_strs(weld_wit_t *wit, const char *const *paths, const char *const *srcs,
                                          const size_t *lens, size_t n, uint32_t *main_pkg);
/* Parses WIT source text; `path` is only used in error messages. */
WELD_API weld_error_t *weld_wit_push_str(weld_wit_t *wit, const char *path, const char *src, size_t len,
                                         uint32_t *main_pkg);

/* Decodes a WIT package encoded as WebAssembly and adds it: a component in wasm-tools'
 * "WIT package encoding" (what `wasm-tools component wit --wasm` and
 * weld_wit_encode_package write), a component encoding one world (the payload of a
 * `component-type` custom section, weld_wit_encode_world), or a core module carrying such
 * a `component-type` custom section.  References to other packages are resolved against
 * the packages already loaded, like `use` in WIT text; a package that is not loaded is
 * added as far as the binary describes it.  Items are kept whatever their @unstable
 * gate (gates were applied when the binary was made).  `path` is only used in error
 * messages, which give byte offsets. */
WELD_API weld_error_t *weld_wit_push_wasm(weld_wit_t *wit, const char *path, const uint8_t *bytes, size_t len,
                                          uint32_t *main_pkg);

/* ---- inspecting ---- */

WELD_API size_t weld_wit_package_count(const weld_wit_t *wit);
WELD_API size_t weld_wit_interface_count(const weld_wit_t *wit);
WELD_API size_t weld_wit_world_count(const weld_wit_t *wit);
WELD_API size_t weld_wit_type_count(const weld_wit_t *wit);
WELD_API const weld_wit_package_t *weld_wit_package(const weld_wit_t *wit, uint32_t id);
WELD_API const weld_wit_interface_t *weld_wit_interface(const weld_wit_t *wit, uint32_t id);
WELD_API const weld_wit_world_t *weld_wit_world(const weld_wit_t *wit, uint32_t id);
WELD_API const weld_wit_typedef_t *weld_wit_type(const weld_wit_t *wit, uint32_t id);

/* Finds a package by "ns:name" or "ns:name@version"; WELD_WIT_NONE if absent. */
WELD_API uint32_t weld_wit_find_package(const weld_wit_t *wit, const char *name);
/* Finds "iface" within pkg, or a fully qualified "ns:pkg/iface@ver". */
WELD_API uint32_t weld_wit_find_interface(const weld_wit_t *wit, uint32_t pkg, const char *name);
/* Finds a named type inside an interface. */
WELD_API uint32_t weld_wit_find_type(const weld_wit_t *wit, uint32_t iface, const char *name);
/* Selects a world: `name` may be NULL (the package's only world), a plain name within
 * `pkg`, or a fully qualified "ns:pkg/world@ver". */
WELD_API weld_error_t *weld_wit_select_world(const weld_wit_t *wit, uint32_t pkg, const char *name,
                                             uint32_t *world);

/* "ns:pkg/iface@ver" for named interfaces (NULL for inline ones); caller frees with
 * weld_wit_free_string. */
WELD_API WELD_OWN char *weld_wit_interface_id(const weld_wit_t *wit, uint32_t iface);
/* The interface an item refers to through a `use` (type alias into another interface),
 * or WELD_WIT_NONE. */
WELD_API uint32_t weld_wit_type_interface_dep(const weld_wit_t *wit, uint32_t type);

/* ---- output ---- */

/* WIT text: with world == WELD_WIT_NONE the package `pkg` (pkg == WELD_WIT_NONE: every
 * package, dependencies as nested `package ... { }` blocks, the last one on top),
 * otherwise just that world and what it needs.  NULL on out-of-memory. */
WELD_API WELD_OWN char *weld_wit_print(const weld_wit_t *wit, uint32_t pkg, uint32_t world);
/* The resolved set as JSON, in the form wasm-tools uses (`worlds`, `interfaces`, `types`,
 * `packages`, referring to each other by index). */
WELD_API WELD_OWN char *weld_wit_to_json(const weld_wit_t *wit);
WELD_API void weld_wit_free_string(WELD_OWN char *s);

/* ---- binary encoding (wasm-tools' wit-component format) ---- */

/* Package `pkg` as a WIT package binary: a component exporting one component type per
 * interface and world, plus a `package-docs` custom section with docs and gates. */
WELD_API weld_error_t *weld_wit_encode_package(const weld_wit_t *wit, uint32_t pkg, WELD_OWN uint8_t **out,
                                               size_t *out_len);
/* One world as a component type, wrapped the way a `component-type` custom section holds
 * it (a component with a `wit-component-encoding` section, version 4, UTF-8, and one
 * type export); `jco embed` / `wit-bindgen` write the same bytes. */
WELD_API weld_error_t *weld_wit_encode_world(const weld_wit_t *wit, uint32_t world, WELD_OWN uint8_t **out,
                                             size_t *out_len);
/* Frees bytes returned by the two functions above. */
WELD_API void weld_wit_free_bytes(WELD_OWN uint8_t *bytes);

WELD_EXTERN_C_END
#endif
