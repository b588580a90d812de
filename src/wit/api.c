/* api.c — the public weld_wit_t object: creation, feature switches, lookups (see
 * weld/wit.h). */
#include "base/alloc.h"
#include "base/error.h"
#include "wit/internal.h"
#include <string.h>

weld_wit_t *weld_wit_new(void) {
  weld_wit_t *w = base_calloc(1, sizeof *w);
  return w;
}

void weld_wit_delete(weld_wit_t *wit) {
  if (!wit) return;
  wit_arena_free(&wit->arena);
  wit_arena_free(&wit->scratch);
  base_free(wit, sizeof *wit);
}

weld_error_t *weld_wit_enable_feature(weld_wit_t *wit, const char *name) {
  if (!wit || !name) return base_error("weld_wit_enable_feature: no feature name");
  char *s = wit_strdup(&wit->arena, name);
  if (!s) return base_error_oom();
  wit_map_puts(&wit->arena, &wit->features, s, 1);
  return wit->arena.oom ? base_error_oom() : NULL;
}

void weld_wit_enable_all_features(weld_wit_t *wit, bool all) {
  if (wit) wit->all_features = all;
}

size_t weld_wit_package_count(const weld_wit_t *wit) { return wit ? wit->packages.len : 0; }
size_t weld_wit_interface_count(const weld_wit_t *wit) { return wit ? wit->interfaces.len : 0; }
size_t weld_wit_world_count(const weld_wit_t *wit) { return wit ? wit->worlds.len : 0; }
size_t weld_wit_type_count(const weld_wit_t *wit) { return wit ? wit->types.len : 0; }

const weld_wit_package_t *weld_wit_package(const weld_wit_t *wit, uint32_t id) {
  return wit && id < wit->packages.len ? &wit->packages.data[id] : NULL;
}
const weld_wit_interface_t *weld_wit_interface(const weld_wit_t *wit, uint32_t id) {
  return wit && id < wit->interfaces.len ? &wit->interfaces.data[id] : NULL;
}
const weld_wit_world_t *weld_wit_world(const weld_wit_t *wit, uint32_t id) {
  return wit && id < wit->worlds.len ? &wit->worlds.data[id] : NULL;
}
const weld_wit_typedef_t *weld_wit_type(const weld_wit_t *wit, uint32_t id) {
  return wit && id < wit->types.len ? &wit->types.data[id] : NULL;
}

/* Finds "ns:name" (any version if exactly one is loaded) or "ns:name@ver". */
uint32_t weld_wit_find_package(const weld_wit_t *wit, const char *name) {
  if (!wit || !name) return WELD_WIT_NONE;
  uint32_t id = wit_map_gets(&wit->package_names, name);
  if (id != WIT_MAP_MISSING) return id;
  if (strchr(name, '@')) return WELD_WIT_NONE;
  uint32_t found = WELD_WIT_NONE;
  size_t n = strlen(name);
  for (size_t i = 0; i < wit->packages.len; i++) {
    const char *f = wit->packages.data[i].full_name;
    if (!strncmp(f, name, n) && f[n] == '@') {
      if (found != WELD_WIT_NONE) return WELD_WIT_NONE; /* ambiguous */
      found = (uint32_t)i;
    }
  }
  return found;
}

static uint32_t find_named(const weld_wit_named_t *v, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i].name, name)) return v[i].id;
  return WELD_WIT_NONE;
}

/* Splits "ns:pkg/item@ver" into package name ("ns:pkg@ver") and item name. */
static bool split_path(const char *s, char *pkg, size_t pcap, char *item, size_t icap) {
  const char *slash = strchr(s, '/');
  if (!slash || !strchr(s, ':')) return false;
  const char *at = strchr(slash, '@');
  size_t plen = (size_t)(slash - s), ilen = at ? (size_t)(at - slash - 1) : strlen(slash + 1);
  size_t vlen = at ? strlen(at) : 0;
  if (plen + vlen + 1 > pcap || ilen + 1 > icap) return false;
  memcpy(pkg, s, plen);
  memcpy(pkg + plen, at ? at : "", vlen);
  pkg[plen + vlen] = 0;
  memcpy(item, slash + 1, ilen);
  item[ilen] = 0;
  return true;
}

uint32_t weld_wit_find_interface(const weld_wit_t *wit, uint32_t pkg, const char *name) {
  if (!wit || !name) return WELD_WIT_NONE;
  char pn[512], in[512];
  if (split_path(name, pn, sizeof pn, in, sizeof in)) {
    pkg = weld_wit_find_package(wit, pn);
    name = in;
  }
  if (pkg >= wit->packages.len) return WELD_WIT_NONE;
  const weld_wit_package_t *p = &wit->packages.data[pkg];
  return find_named(p->interfaces.data, p->interfaces.len, name);
}

uint32_t weld_wit_find_type(const weld_wit_t *wit, uint32_t iface, const char *name) {
  if (!wit || !name || iface >= wit->interfaces.len) return WELD_WIT_NONE;
  const weld_wit_interface_t *i = &wit->interfaces.data[iface];
  return find_named(i->types.data, i->types.len, name);
}

weld_error_t *weld_wit_select_world(const weld_wit_t *wit, uint32_t pkg, const char *name, uint32_t *world) {
  if (!wit) return base_error("no WIT loaded");
  char pn[512], wn[512];
  if (name && split_path(name, pn, sizeof pn, wn, sizeof wn)) {
    pkg = weld_wit_find_package(wit, pn);
    if (pkg == WELD_WIT_NONE) return base_error("no package named `%s`", pn);
    name = wn;
  }
  if (pkg >= wit->packages.len) return base_error("no package to select a world from");
  const weld_wit_package_t *p = &wit->packages.data[pkg];
  if (!name) {
    if (p->worlds.len == 0) return base_error("no worlds found in package `%s`", p->full_name);
    if (p->worlds.len > 1)
      return base_error("multiple worlds found in package `%s`: one must be explicitly chosen", p->full_name);
    *world = p->worlds.data[0].id;
    return NULL;
  }
  uint32_t w = find_named(p->worlds.data, p->worlds.len, name);
  if (w == WELD_WIT_NONE) return base_error("world `%s` not found in package `%s`", name, p->full_name);
  *world = w;
  return NULL;
}

char *weld_wit_interface_id(const weld_wit_t *wit, uint32_t iface) {
  if (!wit || iface >= wit->interfaces.len) return NULL;
  const weld_wit_interface_t *i = &wit->interfaces.data[iface];
  if (!i->name || i->package >= wit->packages.len) return NULL;
  const weld_wit_package_t *p = &wit->packages.data[i->package];
  size_t n = strlen(p->namespace_) + strlen(p->name) + strlen(i->name) + (p->version ? strlen(p->version) : 0) + 8;
  char *s = base_alloc(n);
  if (!s) return NULL;
  strcpy(s, p->namespace_);
  strcat(s, ":");
  strcat(s, p->name);
  strcat(s, "/");
  strcat(s, i->name);
  if (p->version) {
    strcat(s, "@");
    strcat(s, p->version);
  }
  return s;
}

uint32_t weld_wit_type_interface_dep(const weld_wit_t *wit, uint32_t type) {
  if (!wit || type >= wit->types.len) return WELD_WIT_NONE;
  return wit_type_interface_dep(wit, type);
}

void weld_wit_free_string(char *s) { base_free(s, 0); }
