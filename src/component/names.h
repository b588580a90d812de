/* names.h — import and export names of components (design/mvp/Explainer.md "Import and
 * Export Definitions"): the grammar of `importname`/`exportname` (plain kebab-case labels,
 * `[constructor]`/`[method]`/`[static]` names, interface names `ns:pkg/iface@semver`,
 * `locked-dep=`, `unlocked-dep=`, `url=`, `integrity=`), the kebab-case rule for labels,
 * the "strongly-unique" rule between names, and the rules tying `[constructor]r`,
 * `[method]r.m`, `[static]r.m` functions to the resource named `r` in the same context. */
#ifndef WELD_COMPONENT_NAMES_H
#define WELD_COMPONENT_NAMES_H
#include "base/error.h"
#include "base/vec.h"
#include "component/types.h"
#include "component/util.h"
#include <stdbool.h>
#include <stdint.h>

typedef enum comp_name_kind {
  COMP_NAME_LABEL = 0,
  COMP_NAME_CONSTRUCTOR,
  COMP_NAME_METHOD,
  COMP_NAME_STATIC,
  COMP_NAME_INTERFACE,
  COMP_NAME_DEPENDENCY,
  COMP_NAME_URL,
  COMP_NAME_HASH,
} comp_name_kind_t;

typedef struct comp_parsed_name {
  uint8_t kind;          /* comp_name_kind_t */
  comp_name_t raw;       /* the whole name */
  comp_name_t label;     /* LABEL: all; CONSTRUCTOR: the resource; METHOD/STATIC: "r.m" */
  comp_name_t resource;  /* METHOD/STATIC: r */
  comp_name_t method;    /* METHOD/STATIC: m */
} comp_parsed_name_t;

/* Kebab-case label (Explainer `label`): fragments separated by single '-', each all
 * lowercase or all uppercase letters and digits, starting with a letter (fragments after
 * the first may start with a digit). */
bool comp_is_kebab(const char *s, uint32_t len);

/* Parses an import/export name.  On error returns a message (e.g. "`Foo` is not in kebab
 * case") at `off`. */
weld_error_t *comp_parse_extern_name(comp_name_t name, size_t off, comp_parsed_name_t *out);

/* Validates a semantic version (SemVer 2.0.0); NULL if valid, else a static reason. */
const char *comp_semver_error(const char *s, uint32_t len, char *buf, size_t bufsize);

/* The key under which a name must be unique among a component's imports (or exports):
 * labels compare without ASCII case, `[method]l.l`/`[static]l.l` equal the label `l`,
 * `[method]` and `[static]` names share one space.  Allocated in the arena; false on OOM. */
bool comp_name_key(comp_arena_t *a, const comp_parsed_name_t *n, comp_name_t *key);

/* Resource names known in one context (the imports, or the exports, of one component or
 * type): a resource type node is "named r" when imported/exported under the name r. */
typedef struct comp_namectx {
  comp_map_t res;            /* RESOURCE type id -> index into names */
  VEC(comp_name_t) names;
  comp_strset_t all;         /* every registered name (exact) */
} comp_namectx_t;
bool comp_namectx_register(comp_namectx_t *c, comp_typeid_t resource, comp_name_t name);
void comp_namectx_free(comp_namectx_t *c);

/* Checks that an item named `n` of entity kind/type is consistent with its name: a
 * `[constructor]r` function returns (own r) or (result (own r)), a `[method]r.m` function
 * takes (param "self" (borrow r)) first, `[static]r.m` names a known resource r. */
weld_error_t *comp_check_name_type(const comp_types_t *T, const comp_namectx_t *c, const comp_parsed_name_t *n,
                                   uint8_t ekind, comp_typeid_t type, size_t off);

#endif
