/* internal.h — data shared by the WIT front end's stages: unresolved packages (the output
 * of unresolved.c, one per `package` of a file group) and the resolved set (struct
 * weld_wit, filled by resolve.c and elaborate.c).  Both reuse the public structures of
 * weld/wit.h; indexes in an unresolved package are local to it. */
#ifndef WELD_WIT_INTERNAL_H
#define WELD_WIT_INTERNAL_H
#include "weld/wit.h"
#include "wit/arena.h"
#include "wit/ast.h"
#include "wit/semver.h"
#include "wit/source.h"
#include "base/vec.h"

/* A package name; versions compare as semver. */
typedef struct wit_pkg_name {
  const char *ns, *name, *version; /* version NULL if none */
} wit_pkg_name_t;
int wit_pkg_name_cmp(const wit_pkg_name_t *a, const wit_pkg_name_t *b);
/* "ns:name@version" in the arena */
const char *wit_pkg_name_str(wit_arena_t *a, const wit_pkg_name_t *n);

static inline weld_wit_type_t wit_ty(uint32_t tag, uint32_t id) {
  weld_wit_type_t t = {tag, id};
  return t;
}
static inline weld_wit_type_t wit_ty_id(uint32_t id) { return wit_ty(WELD_WIT_T_ID, id); }
static inline bool wit_ty_eq(weld_wit_type_t a, weld_wit_type_t b) {
  return a.tag == b.tag && (a.tag != WELD_WIT_T_ID || a.id == b.id);
}

/* ---- unresolved packages ---- */

typedef struct wit_include {
  weld_wit_stability_t stability;
  uint32_t world;
  struct { wit_ast_include_name_t *data; size_t len, cap; } names;
  wit_span_t span;
} wit_include_t;

typedef struct wit_uworld {
  weld_wit_world_t w;
  struct { wit_include_t *data; size_t len, cap; } includes;
  wit_span_t span;
  struct { wit_span_t *data; size_t len, cap; } import_spans, export_spans;
} wit_uworld_t;

typedef struct wit_uiface {
  weld_wit_interface_t i;
  wit_span_t span;
  struct { wit_span_t *data; size_t len, cap; } func_spans;
} wit_uiface_t;

typedef struct wit_foreign_item {
  const char *name;
  bool is_world;
  uint32_t id; /* interface or world index in the unresolved package */
  struct { weld_wit_stability_t *data; size_t len, cap; } stabilities;
} wit_foreign_item_t;

typedef struct wit_foreign_pkg {
  wit_pkg_name_t name;
  wit_span_t span;
  struct { wit_foreign_item_t *data; size_t len, cap; } items;
} wit_foreign_pkg_t;

typedef struct wit_req_res {
  uint32_t id;
  wit_span_t span;
} wit_req_res_t;

typedef struct wit_upkg {
  wit_pkg_name_t name;
  wit_span_t name_span;
  const char *docs;
  struct { weld_wit_typedef_t *data; size_t len, cap; } types;
  struct { wit_span_t *data; size_t len, cap; } type_spans;
  struct { wit_span_t **data; size_t len, cap; } case_spans; /* per type: record field / variant case names */
  struct { wit_uiface_t *data; size_t len, cap; } interfaces;
  struct { wit_uworld_t *data; size_t len, cap; } worlds;
  struct { wit_foreign_pkg_t *data; size_t len, cap; } foreign;
  size_t n_foreign_types, n_foreign_ifaces, n_foreign_worlds;
  struct { wit_req_res_t *data; size_t len, cap; } required_resources;
  const wit_srcmap_t *sm;
  /* Packages decoded from a binary (decode.c): */
  bool from_binary; /* resolved before the text packages of its group that do not need it */
  bool ungated;     /* @unstable gates were applied when it was encoded: keep every item */
  bool stub;        /* a partial view of a foreign package that a binary refers to; used
                       only when no package of that name is loaded or pushed with it */
} wit_upkg_t;

/* Turns the files of one package (each a declaration list) into an unresolved package.
 * `files` are parsed files sorted by path; nested `package {}` blocks must have been
 * removed (pass them individually). */
weld_error_t *wit_unresolved_build(wit_arena_t *a, const wit_srcmap_t *sm, wit_ast_pkgfile_t *const *files,
                                   size_t nfiles, wit_upkg_t *out);

/* ---- the resolved set ---- */

struct weld_wit {
  wit_arena_t arena;
  wit_arena_t scratch; /* temporaries of one world's elaboration */
  struct { weld_wit_package_t *data; size_t len, cap; } packages;
  struct { weld_wit_interface_t *data; size_t len, cap; } interfaces;
  struct { weld_wit_world_t *data; size_t len, cap; } worlds;
  struct { weld_wit_typedef_t *data; size_t len, cap; } types;
  wit_map_t package_names; /* full name -> package */
  wit_map_t features;
  bool all_features;
  size_t world_items; /* imports + exports over all worlds (capped) */
};

/* Resolves unresolved packages (already sorted so dependencies come first) into wit. */
weld_error_t *wit_resolve_append(weld_wit_t *wit, wit_upkg_t *u, uint32_t *pkg_out);
/* Sorts a group of unresolved packages topologically and appends them. */
weld_error_t *wit_resolve_group(weld_wit_t *wit, wit_upkg_t *pkgs, size_t n, size_t main_index, uint32_t *main_pkg);

/* World elaboration (elaborate.c). */
/* Processes `include`s of world `id` (included worlds must be complete) and elaborates
 * its imports/exports; `u` is the unresolved world (for includes and spans). */
weld_error_t *wit_world_finish(weld_wit_t *wit, uint32_t id, uint32_t pkg, const wit_uworld_t *u,
                               const uint32_t *world_map, const wit_srcmap_t *sm);
/* Elaborates a world's imports and exports (transitive interface dependencies). */
weld_error_t *wit_elaborate_world(weld_wit_t *wit, uint32_t id, const wit_srcmap_t *sm, wit_span_t span);

/* Whether an item with this gate is kept in package `pkg`: 1 yes, 0 gated out,
 * -1 error (*err set). */
int wit_include_stability(weld_wit_t *wit, const weld_wit_stability_t *s, uint32_t pkg, const wit_srcmap_t *sm,
                          wit_span_t span, weld_error_t **err);

/* Stability helpers */
bool wit_stability_is_unknown(const weld_wit_stability_t *s);
/* The gate an anonymous type inherits: `st` if known, else the first gate among the types it
 * is made of (gate_of(env, t) gives the gate of a named type t, or NULL). */
weld_wit_stability_t wit_inherited_stability(const weld_wit_typedef_t *td, const weld_wit_stability_t *st,
                                             const weld_wit_stability_t *(*gate_of)(void *env, weld_wit_type_t t),
                                             void *env);
bool wit_stability_eq(const weld_wit_stability_t *a, const weld_wit_stability_t *b);

/* Interface a `use`d type alias points into (WELD_WIT_NONE if not an alias across owners). */
uint32_t wit_type_interface_dep(const weld_wit_t *wit, uint32_t type);
/* "ns:pkg/iface@ver" or the kebab name of a world key (arena string). */
const char *wit_world_key_name(weld_wit_t *wit, const weld_wit_world_item_t *it);

/* ---- WIT packages encoded as WebAssembly (decode.c, encode.c, metadata.c) ---- */

/* Decodes a component binary holding a WIT package (wasm-tools' "WIT package encoding")
 * or one world (the payload of a `component-type` custom section) into unresolved
 * packages: out[0] is the package itself, the others are stubs for the foreign packages
 * it refers to (see wit_upkg_t.stub).  Errors name `path` and a byte offset. */
weld_error_t *wit_decode_wasm(weld_wit_t *wit, const char *path, const uint8_t *bytes, size_t len, wit_upkg_t **out,
                              size_t *n);

/* A small JSON tree (RFC 8259) for the `package-docs` custom section (metadata.c). */
typedef enum wit_json_kind { WIT_J_NULL, WIT_J_BOOL, WIT_J_NUM, WIT_J_STR, WIT_J_ARR, WIT_J_OBJ } wit_json_kind_t;
typedef struct wit_json {
  wit_json_kind_t kind;
  const char *s; /* STR: decoded text (NUL-terminated; an escaped NUL is refused); NUM: raw text */
  bool b;
  size_t n;      /* ARR/OBJ: members */
  const char **keys;
  struct wit_json **items;
} wit_json_t;
/* Parses text[0..len); on failure returns NULL with a reason and a byte offset. */
wit_json_t *wit_json_parse(wit_arena_t *a, const char *text, size_t len, const char **why, size_t *at);
/* Member `key` of an object (NULL if absent or not an object). */
const wit_json_t *wit_json_get(const wit_json_t *obj, const char *key);

/* The `package-docs` custom section of package `pkg` (version byte 1, then JSON): docs
 * and feature gates, which the component type itself cannot carry. */
bool wit_meta_encode(const weld_wit_t *wit, uint32_t pkg, base_buf_t *out);

#endif
