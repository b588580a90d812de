/* resource_api.c — weld_resource_table_*: a table a host uses to implement its resources
 * (include/weld/component.h "resources"; the role of wasmtime's ResourceTable): 32-bit
 * handles (the reps the host gives to weld_resource_new_own) mapping to host objects, with
 * parent/child links so that a parent cannot be deleted while children refer to it.
 *
 * Handles start at 1 (0 is never a handle, so a zeroed rep is recognisably invalid) and
 * freed handles are reused most recently freed first, like the Canonical ABI's own tables.
 * At most WELD_MAX_HANDLES entries. */
#include "component/crt.h"
#include "base/alloc.h"
#include "base/error.h"
#include "base/limits.h"
#include <string.h>

typedef struct rt_entry {
  void *obj;
  uint32_t parent;    /* 0: none */
  uint32_t nchildren;
  bool live;
} rt_entry_t;

struct weld_resource_table {
  VEC(rt_entry_t) e;  /* e[0] unused */
  VEC(uint32_t) free;
};

weld_resource_table_t *weld_resource_table_new(void) {
  weld_resource_table_t *t = base_calloc(1, sizeof *t);
  if (!t) return NULL;
  rt_entry_t zero;
  memset(&zero, 0, sizeof zero);
  if (!VEC_PUSH(&t->e, zero)) {
    base_free(t, sizeof *t);
    return NULL;
  }
  return t;
}

void weld_resource_table_delete(weld_resource_table_t *t) {
  if (!t) return;
  VEC_FREE(&t->e);
  VEC_FREE(&t->free);
  base_free(t, sizeof *t);
}

static rt_entry_t *live(const weld_resource_table_t *t, uint32_t h) {
  if (!t || h == 0 || h >= t->e.len || !t->e.data[h].live) return NULL;
  return &t->e.data[h];
}

static weld_error_t *add(weld_resource_table_t *t, void *obj, uint32_t parent, uint32_t *handle) {
  uint32_t h;
  if (t->free.len) {
    h = VEC_POP(&t->free);
  } else {
    if (t->e.len >= WELD_MAX_HANDLES) return base_error("resource table is full (%u entries)", WELD_MAX_HANDLES);
    rt_entry_t z;
    memset(&z, 0, sizeof z);
    if (!VEC_PUSH(&t->e, z)) return base_error_oom();
    h = (uint32_t)t->e.len - 1;
  }
  rt_entry_t *e = &t->e.data[h];
  e->obj = obj;
  e->parent = parent;
  e->nchildren = 0;
  e->live = true;
  if (parent) t->e.data[parent].nchildren++;
  *handle = h;
  return NULL;
}

weld_error_t *weld_resource_table_push(weld_resource_table_t *t, void *obj, uint32_t *handle) {
  if (!t || !handle) return base_error("weld_resource_table_push: invalid argument");
  return add(t, obj, 0, handle);
}

weld_error_t *weld_resource_table_push_child(weld_resource_table_t *t, void *obj, uint32_t parent, uint32_t *handle) {
  if (!t || !handle) return base_error("weld_resource_table_push_child: invalid argument");
  if (!live(t, parent)) return base_error("resource table: parent handle %u is not live", parent);
  return add(t, obj, parent, handle);
}

void *weld_resource_table_get(const weld_resource_table_t *t, uint32_t handle) {
  rt_entry_t *e = live(t, handle);
  return e ? e->obj : NULL;
}

weld_error_t *weld_resource_table_delete_entry(weld_resource_table_t *t, uint32_t handle, void **obj) {
  if (obj) *obj = NULL;
  rt_entry_t *e = live(t, handle);
  if (!e) return base_error("resource table: handle %u is not live", handle);
  if (e->nchildren)
    return base_error("resource table: handle %u still has %u child resource(s); delete them first", handle, e->nchildren);
  if (!VEC_RESERVE(&t->free, 1)) return base_error_oom();
  if (e->parent) t->e.data[e->parent].nchildren--;
  if (obj) *obj = e->obj;
  memset(e, 0, sizeof *e);
  t->free.data[t->free.len++] = handle;
  return NULL;
}

size_t weld_resource_table_children(const weld_resource_table_t *t, uint32_t handle, uint32_t *out, size_t cap) {
  const rt_entry_t *p = live(t, handle);
  if (!p || !p->nchildren) return 0;
  size_t n = 0;
  for (uint32_t i = 1; i < t->e.len && n < p->nchildren; i++) {
    const rt_entry_t *e = &t->e.data[i];
    if (e->live && e->parent == handle) {
      if (out && n < cap) out[n] = i;
      n++;
    }
  }
  return n;
}

/* ---------------------------------------------------------------- handles */

void weld_resource_forget(weld_resource_t *r) {
  if (!r || r->in_call) return;
  comp_resource_consume(r);
}
