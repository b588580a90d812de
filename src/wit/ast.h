/* ast.h — the WIT abstract syntax tree (WIT.md "Item: ..." grammar sections), as produced
 * by parser.c.  Nodes live in the parse arena; identifiers are NUL-terminated copies. */
#ifndef WELD_WIT_AST_H
#define WELD_WIT_AST_H
#include "wit/lexer.h"

typedef struct wit_id {
  const char *name;
  wit_span_t span;
} wit_id_t;

typedef struct wit_docs_line {
  const char *text; /* points into the source (valid while the package is being built) */
  uint32_t len;
} wit_docs_line_t;

typedef struct wit_docs {
  struct { wit_docs_line_t *data; size_t len, cap; } lines; /* raw comment texts */
  wit_span_t span;
} wit_docs_t;

enum { WIT_ATTR_SINCE, WIT_ATTR_UNSTABLE, WIT_ATTR_DEPRECATED };
typedef struct wit_attr {
  int kind;
  wit_span_t span;     /* the attribute's name */
  const char *version; /* SINCE / DEPRECATED */
  wit_id_t feature;    /* UNSTABLE */
} wit_attr_t;
typedef struct { wit_attr_t *data; size_t len, cap; } wit_attrs_t;

typedef struct wit_pkgname {
  wit_docs_t docs;
  wit_span_t span; /* namespace..name (..version for declarations) */
  wit_id_t ns, name;
  const char *version; /* NULL if absent */
} wit_pkgname_t;

/* `name` or `ns:pkg/name@version` */
typedef struct wit_usepath {
  bool is_pkg;
  wit_id_t id; /* the final name */
  wit_pkgname_t pkg;
} wit_usepath_t;

enum {
  WTY_BOOL, WTY_U8, WTY_U16, WTY_U32, WTY_U64, WTY_S8, WTY_S16, WTY_S32, WTY_S64, WTY_F32, WTY_F64,
  WTY_CHAR, WTY_STRING, WTY_ERROR_CONTEXT, WTY_NAME, WTY_LIST, WTY_MAP, WTY_FIXED_LIST, WTY_OWN, WTY_BORROW,
  WTY_RESOURCE, WTY_RECORD, WTY_FLAGS, WTY_VARIANT, WTY_TUPLE, WTY_ENUM, WTY_OPTION, WTY_RESULT, WTY_FUTURE,
  WTY_STREAM
};

typedef struct wit_ast_type wit_ast_type_t;
typedef struct wit_ast_case {
  wit_docs_t docs;
  wit_id_t name;
  wit_ast_type_t *ty; /* NULL: no payload / flags / enum */
} wit_ast_case_t;

typedef struct wit_ast_param {
  wit_id_t name;
  wit_ast_type_t *ty;
} wit_ast_param_t;

typedef struct wit_ast_func {
  wit_span_t span; /* the `func` / `constructor` keyword */
  bool async;
  struct { wit_ast_param_t *data; size_t len, cap; } params;
  wit_ast_type_t *result;
} wit_ast_func_t;

typedef struct wit_ast_named_func {
  wit_docs_t docs;
  wit_attrs_t attrs;
  wit_id_t name;
  wit_ast_func_t func;
} wit_ast_named_func_t;

enum { WIT_RF_METHOD, WIT_RF_STATIC, WIT_RF_CONSTRUCTOR };
typedef struct wit_ast_resfunc {
  int kind;
  wit_ast_named_func_t f;
} wit_ast_resfunc_t;

struct wit_ast_type {
  int kind;
  wit_span_t span;
  wit_id_t name;        /* NAME, OWN, BORROW */
  wit_ast_type_t *a, *b; /* element / key,value / ok,err */
  uint32_t size;        /* FIXED_LIST */
  struct { wit_ast_case_t *data; size_t len, cap; } cases;      /* record/variant/flags/enum/tuple */
  struct { wit_ast_resfunc_t *data; size_t len, cap; } funcs;   /* RESOURCE */
};

typedef struct wit_ast_use_name {
  wit_id_t name;
  wit_id_t as; /* as.name NULL if absent */
} wit_ast_use_name_t;

typedef struct wit_ast_use {
  wit_attrs_t attrs;
  wit_usepath_t from;
  struct { wit_ast_use_name_t *data; size_t len, cap; } names;
} wit_ast_use_t;

typedef struct wit_ast_typedef {
  wit_docs_t docs;
  wit_attrs_t attrs;
  wit_id_t name;
  wit_ast_type_t *ty;
} wit_ast_typedef_t;

enum { WIT_II_TYPEDEF, WIT_II_FUNC, WIT_II_USE };
typedef struct wit_ast_iitem {
  int kind;
  union {
    wit_ast_typedef_t td;
    wit_ast_named_func_t func;
    wit_ast_use_t use;
  };
} wit_ast_iitem_t;
typedef struct { wit_ast_iitem_t *data; size_t len, cap; } wit_ast_iitems_t;

typedef struct wit_ast_iface {
  wit_docs_t docs;
  wit_attrs_t attrs;
  wit_id_t name;
  wit_ast_iitems_t items;
} wit_ast_iface_t;

/* import/export forms: `x: interface {..}`, `path`, `x: func(..)`, `x: path` (labelled) */
enum { WIT_EK_INTERFACE, WIT_EK_PATH, WIT_EK_FUNC, WIT_EK_LABELED };
typedef struct wit_ast_extern {
  int kind;
  wit_id_t id; /* INTERFACE, FUNC, LABELED */
  wit_ast_iitems_t items;
  wit_usepath_t path;
  wit_ast_func_t func;
} wit_ast_extern_t;

typedef struct wit_ast_include_name {
  wit_id_t name, as;
} wit_ast_include_name_t;

enum { WIT_WI_IMPORT, WIT_WI_EXPORT, WIT_WI_USE, WIT_WI_TYPE, WIT_WI_INCLUDE };
typedef struct wit_ast_witem {
  int kind;
  wit_docs_t docs;
  wit_attrs_t attrs;
  union {
    wit_ast_extern_t ext; /* IMPORT / EXPORT */
    wit_ast_use_t use;    /* USE */
    wit_ast_typedef_t td; /* TYPE */
    struct {
      wit_usepath_t inc; /* INCLUDE */
      struct { wit_ast_include_name_t *data; size_t len, cap; } inc_names;
    };
  };
} wit_ast_witem_t;

typedef struct wit_ast_world {
  wit_docs_t docs;
  wit_attrs_t attrs;
  wit_id_t name;
  struct { wit_ast_witem_t *data; size_t len, cap; } items;
} wit_ast_world_t;

typedef struct wit_ast_tluse {
  wit_span_t span;
  wit_attrs_t attrs;
  wit_usepath_t item;
  wit_id_t as; /* as.name NULL if absent */
} wit_ast_tluse_t;

typedef struct wit_ast_pkgfile wit_ast_pkgfile_t;
enum { WIT_AI_INTERFACE, WIT_AI_WORLD, WIT_AI_USE, WIT_AI_PACKAGE };
typedef struct wit_ast_item {
  int kind;
  wit_ast_iface_t *iface;
  wit_ast_world_t *world;
  wit_ast_tluse_t *use;
  wit_ast_pkgfile_t *pkg;
} wit_ast_item_t;

typedef struct wit_ast_decls {
  struct { wit_ast_item_t *data; size_t len, cap; } items;
} wit_ast_decls_t;

struct wit_ast_pkgfile {
  bool has_pkg;
  wit_span_t pkg_kw; /* the `package` keyword of a nested package */
  wit_pkgname_t pkg;
  wit_ast_decls_t decls;
};

/* Parses one file (tokens from `src`) into *out.  Errors carry file:line:col. */
weld_error_t *wit_parse_file(wit_arena_t *a, const wit_srcmap_t *sm, const wit_source_t *src,
                             wit_ast_pkgfile_t *out);
/* Turns raw doc comments into the documentation text (NULL if none). */
const char *wit_docs_text(wit_arena_t *a, const wit_docs_t *d);

/* Calls f for every path of a declaration list in the reference order: for worlds,
 * `use` and `include` items first, then imports, then exports; then interfaces' `use`s;
 * then top-level `use`.  `iface` is the enclosing interface name for interface `use`s and
 * the enclosing world name for `include`s, NULL otherwise; `names` is non-NULL for `use`
 * statements with a name list; `world` tells whether the path must name a world. */
typedef enum { WIT_PATH_INTERFACE, WIT_PATH_WORLD, WIT_PATH_UNKNOWN } wit_path_kind_t;
typedef bool (*wit_path_fn)(void *ud, const wit_id_t *iface, const wit_attrs_t *attrs, const wit_usepath_t *path,
                            const wit_ast_use_t *names, wit_path_kind_t kind);
bool wit_for_each_path(const wit_ast_decls_t *d, wit_path_fn f, void *ud);

#endif
