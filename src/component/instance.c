/* instance.c — weld_cinstance_*: the exports of an instantiated component
 * (design/mvp/Explainer.md "Import and Export Definitions"), found by name once and then by
 * index: a weld_export_index_t is the path of export positions from the instance's top
 * level down through exported instances (at most 3 levels), each position an index into
 * the export list of the instance type at that level, so a lookup by index is a few array
 * reads. */
#include "component/crt.h"
#include "base/error.h"
#include <string.h>

#define MAX_DEPTH 3

/* The instance value an index points into (its owner) and the position in it. */
static bool resolve(const weld_cinstance_t *inst, const weld_export_index_t *idx, const comp_inst_t **owner,
                    uint32_t *pos) {
  if (!inst || !idx) return false;
  uint32_t depth = idx->path[0];
  if (depth == 0 || depth > MAX_DEPTH) return false;
  const comp_inst_t *ci = inst->frame->exports;
  for (uint32_t k = 1; k <= depth; k++) {
    uint32_t p = idx->path[k];
    if (!ci || p >= ci->n) return false;
    if (k == depth) {
      *owner = ci;
      *pos = p;
      return true;
    }
    if (ci->ext[p].ent.kind != COMP_E_INSTANCE) return false;
    ci = ci->vals[p].inst;
  }
  return false;
}

bool weld_cinstance_export_index(weld_cinstance_t *inst, const weld_export_index_t *parent, const char *name,
                                 weld_export_index_t *out) {
  if (!inst || !name || !out) return false;
  const comp_inst_t *ci = inst->frame->exports;
  weld_export_index_t r;
  memset(&r, 0, sizeof r);
  if (parent) {
    const comp_inst_t *owner;
    uint32_t pos;
    if (!resolve(inst, parent, &owner, &pos) || parent->path[0] >= MAX_DEPTH) return false;
    if (owner->ext[pos].ent.kind != COMP_E_INSTANCE) return false;
    ci = owner->vals[pos].inst;
    r = *parent;
  }
  if (!ci) return false;
  uint32_t k = comp_lookup(ci->ext, ci->sorted, ci->n, name, (uint32_t)strlen(name));
  if (k == UINT32_MAX) return false;
  r.path[0]++;
  r.path[r.path[0]] = k;
  *out = r;
  return true;
}

weld_cfunc_t *weld_cinstance_func(weld_cinstance_t *inst, const weld_export_index_t *idx) {
  const comp_inst_t *owner;
  uint32_t pos;
  if (!resolve(inst, idx, &owner, &pos) || owner->ext[pos].ent.kind != COMP_E_FUNC) return NULL;
  return owner->vals[pos].func;
}

weld_module_t *weld_cinstance_module(weld_cinstance_t *inst, const weld_export_index_t *idx) {
  const comp_inst_t *owner;
  uint32_t pos;
  if (!resolve(inst, idx, &owner, &pos) || owner->ext[pos].ent.kind != COMP_E_MODULE) return NULL;
  return owner->vals[pos].module;
}

weld_resource_type_t *weld_cinstance_resource(weld_cinstance_t *inst, const weld_export_index_t *idx) {
  const comp_inst_t *owner;
  uint32_t pos;
  if (!resolve(inst, idx, &owner, &pos) || owner->ext[pos].ent.kind != COMP_E_TYPE) return NULL;
  return owner->vals[pos].rtype;
}

const weld_ctype_t *weld_cinstance_export_type(weld_cinstance_t *inst, const weld_export_index_t *idx) {
  const comp_inst_t *owner;
  uint32_t pos;
  if (!resolve(inst, idx, &owner, &pos)) return NULL;
  return comp_ctype_view(&inst->component->ctypes, owner->ext[pos].ent.type);
}

weld_cfunc_t *weld_cinstance_func_by_name(weld_cinstance_t *inst, const char *path) {
  if (!inst || !path) return NULL;
  weld_export_index_t idx;
  const weld_export_index_t *parent = NULL;
  char seg[1024];
  const char *p = path;
  for (;;) {
    const char *hash = strchr(p, '#');
    size_t n = hash ? (size_t)(hash - p) : strlen(p);
    if (n >= sizeof seg) return NULL;
    memcpy(seg, p, n);
    seg[n] = 0;
    if (!weld_cinstance_export_index(inst, parent, seg, &idx)) return NULL;
    if (!hash) break;
    parent = &idx;
    p = hash + 1;
  }
  return weld_cinstance_func(inst, &idx);
}

const comp_inst_t *comp_cinstance_at(const weld_cinstance_t *ci, const weld_export_index_t *path, comp_frame_t **frame) {
  const comp_inst_t *cur = ci->frame->exports;
  comp_frame_t *fr = ci->frame;
  uint32_t depth = path ? path->path[0] : 0;
  if (depth > MAX_DEPTH) return NULL;
  for (uint32_t k = 1; k <= depth; k++) {
    uint32_t p = path->path[k];
    if (!cur || p >= cur->n || cur->ext[p].ent.kind != COMP_E_INSTANCE) return NULL;
    cur = cur->vals[p].inst;
    if (cur && cur->frame) fr = cur->frame;
  }
  *frame = fr;
  return cur;
}
