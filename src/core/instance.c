/* instance.c — module instantiation (core spec §4.5.4 "Instantiation", WebAssembly 2.0
 * semantics) and export lookup (weld/instance.h).
 *
 * Steps, in the spec's order:
 *  1. check the imports: count, kind and type (§4.5.2 "Import Subtyping": functions by
 *     canonical type id, tables and memories by limits against their current size,
 *     globals by exact type and mutability);
 *  2. allocate the module's functions, tables, memories (through the store's limits) and
 *     globals (evaluating their constant expressions, §4.4.10 / §3.3.10);
 *  3. evaluate every element segment to a vector of references;
 *  4. run the active element segments (table.init semantics: bounds-checked as a whole, so
 *     a failing segment writes nothing but earlier ones stay written), then the active data
 *     segments (memory.init semantics), dropping active and declarative segments;
 *  5. run the start function.
 * An error in steps 1-3 (bad imports, limits, out of memory) undoes everything: nothing was
 * observable yet.  A trap in steps 4-5 is returned through *trap; the instance is not
 * returned but stays in the store, because its functions may already sit in imported
 * tables and its writes to imported memories and tables remain (spec "linking" tests). */
#include "base/alloc.h"
#include "base/error.h"
#include "base/reader.h"
#include "base/limits.h"
#include "base/vec.h"
#include "core/runtime.h"
#include <stdio.h>
#include <string.h>

#define PAGE ((uint64_t)WELD_WASM_PAGE_SIZE)

static size_t nz(size_t n) { return n ? n : 1; }

/* ---------------------------------------------------------------- freeing */

void core_instance_free(weld_instance_t *inst) {
  if (!inst) return;
  const core_module_t *m = inst->m;
  if (inst->elem_refs) {
    for (uint32_t i = 0; i < m->nelems; i++)
      base_free(inst->elem_refs[i], nz(m->elems[i].count) * sizeof(void *));
    base_free(inst->elem_refs, nz(m->nelems) * sizeof *inst->elem_refs);
  }
  base_free(inst->elem_len, nz(m->nelems) * sizeof *inst->elem_len);
  base_free(inst->data_len, nz(m->ndatas) * sizeof *inst->data_len);
  base_free(inst->funcs, nz(m->nfuncs) * sizeof *inst->funcs);
  base_free(inst->tables, nz(m->ntables) * sizeof *inst->tables);
  base_free(inst->mems, nz(m->nmems) * sizeof *inst->mems);
  base_free(inst->globals, nz(m->nglobals) * sizeof *inst->globals);
  base_free(inst->own_funcs, nz(m->nfuncs - m->nimported_funcs) * sizeof *inst->own_funcs);
  base_free(inst->own_globals, nz(m->nglobals - m->nimported_globals) * sizeof *inst->own_globals);
  core_module_release(inst->module);
  base_free(inst, sizeof *inst);
}

/* ---------------------------------------------------------------- import checking */

static void describe_limits(base_buf_t *b, uint64_t min, bool has_max, uint64_t max) {
  base_buf_printf(b, " %llu", (unsigned long long)min);
  if (has_max) base_buf_printf(b, " %llu", (unsigned long long)max);
}

static void describe_functype(base_buf_t *b, const core_functype_t *t) {
  base_buf_printf(b, "(func");
  if (t->nparams) {
    base_buf_printf(b, " (param");
    for (uint32_t i = 0; i < t->nparams; i++) base_buf_printf(b, " %s", core_valtype_name(t->types[i]));
    base_buf_printf(b, ")");
  }
  if (t->nresults) {
    base_buf_printf(b, " (result");
    for (uint32_t i = 0; i < t->nresults; i++)
      base_buf_printf(b, " %s", core_valtype_name(t->types[t->nparams + i]));
    base_buf_printf(b, ")");
  }
  base_buf_printf(b, ")");
}

static void describe_globaltype(base_buf_t *b, const core_globaltype_t *g) {
  if (g->mut)
    base_buf_printf(b, "(global (mut %s))", core_valtype_name(g->type));
  else
    base_buf_printf(b, "(global %s)", core_valtype_name(g->type));
}

static const char *kind_name(int k) {
  switch (k) {
  case EXT_FUNC: return "func";
  case EXT_TABLE: return "table";
  case EXT_MEMORY: return "memory";
  default: return "global";
  }
}

/* The import's required type. */
static void describe_import(base_buf_t *b, const weld_module_t *mod, const core_import_t *im) {
  switch (im->kind) {
  case EXT_FUNC: describe_functype(b, &mod->m->types[im->desc.func_type]); break;
  case EXT_TABLE:
    base_buf_printf(b, "(table");
    describe_limits(b, im->desc.table.limits.min, im->desc.table.limits.has_max, im->desc.table.limits.max);
    base_buf_printf(b, " %s)", core_valtype_name(im->desc.table.elem));
    break;
  case EXT_MEMORY:
    base_buf_printf(b, "(memory");
    describe_limits(b, im->desc.mem.limits.min, im->desc.mem.limits.has_max, im->desc.mem.limits.max);
    base_buf_printf(b, ")");
    break;
  default: describe_globaltype(b, &im->desc.global); break;
  }
}

/* The provided extern's current type. */
static void describe_extern(base_buf_t *b, const weld_extern_t *x) {
  switch (x->kind) {
  case WELD_EXTERN_FUNC: describe_functype(b, x->of.func->type); break;
  case WELD_EXTERN_TABLE: {
    const weld_table_t *t = x->of.table;
    base_buf_printf(b, "(table");
    describe_limits(b, t->size, t->type.limits.has_max, t->type.limits.max);
    base_buf_printf(b, " %s)", core_valtype_name(t->elemtype));
    break;
  }
  case WELD_EXTERN_MEMORY: {
    const weld_memory_t *mm = x->of.memory;
    base_buf_printf(b, "(memory");
    describe_limits(b, mm->size / PAGE, mm->type.limits.has_max, mm->type.limits.max);
    base_buf_printf(b, ")");
    break;
  }
  case WELD_EXTERN_GLOBAL: describe_globaltype(b, &x->of.global->type); break;
  default: base_buf_printf(b, "(unknown extern kind %d)", (int)x->kind); break;
  }
}

/* §4.5.2 limits subtyping: actual {min, max?} matches required {min', max'?}. */
static bool limits_match(uint64_t min, bool has_max, uint64_t max, const core_limits_t *req) {
  if (min < req->min) return false;
  if (!req->has_max) return true;
  return has_max && max <= req->max;
}

static weld_error_t *import_error(const weld_module_t *mod, size_t i, const weld_extern_t *x,
                                  const char *why) {
  const core_import_t *im = &mod->m->imports[i];
  base_buf_t b = {0};
  base_buf_printf(&b, "incompatible import type for import %zu \"%.*s\" \"%.*s\" (%s): ", i,
                  (int)im->module.len, im->module.s, (int)im->name.len, im->name.s, kind_name(im->kind));
  if (why) {
    base_buf_printf(&b, "%s", why);
  } else {
    base_buf_printf(&b, "expected ");
    describe_import(&b, mod, im);
    base_buf_printf(&b, ", got ");
    describe_extern(&b, x);
  }
  char *s = base_buf_take_str(&b);
  weld_error_t *err = s ? base_error("%s", s) : base_error_oom();
  base_free(s, 0);
  return err;
}

static weld_error_t *check_import(weld_store_t *store, const weld_module_t *mod, size_t i,
                                  const weld_extern_t *x) {
  const core_import_t *im = &mod->m->imports[i];
  bool ok = false;
  if ((int)x->kind != (int)im->kind) {
    char why[96];
    snprintf(why, sizeof why, "expected a %s, got a %s", kind_name(im->kind),
             (unsigned)x->kind <= WELD_EXTERN_GLOBAL ? kind_name((int)x->kind) : "bad extern kind");
    return import_error(mod, i, x, why);
  }
  switch (im->kind) {
  case EXT_FUNC: {
    const weld_func_t *f = x->of.func;
    if (!f) return import_error(mod, i, x, "NULL function");
    if (f->store != store) return import_error(mod, i, x, "function belongs to another store");
    ok = f->type_id == mod->type_ids[im->desc.func_type];
    break;
  }
  case EXT_TABLE: {
    const weld_table_t *t = x->of.table;
    if (!t) return import_error(mod, i, x, "NULL table");
    if (t->store != store) return import_error(mod, i, x, "table belongs to another store");
    ok = t->elemtype == im->desc.table.elem &&
         limits_match(t->size, t->type.limits.has_max, t->type.limits.max, &im->desc.table.limits);
    break;
  }
  case EXT_MEMORY: {
    const weld_memory_t *mm = x->of.memory;
    if (!mm) return import_error(mod, i, x, "NULL memory");
    if (mm->store != store) return import_error(mod, i, x, "memory belongs to another store");
    ok = limits_match(mm->size / PAGE, mm->type.limits.has_max, mm->type.limits.max, &im->desc.mem.limits);
    break;
  }
  default: {
    const weld_global_t *g = x->of.global;
    if (!g) return import_error(mod, i, x, "NULL global");
    if (g->store != store) return import_error(mod, i, x, "global belongs to another store");
    ok = g->type.type == im->desc.global.type && g->type.mut == im->desc.global.mut;
    break;
  }
  }
  return ok ? NULL : import_error(mod, i, x, NULL);
}

/* ---------------------------------------------------------------- constant expressions */

#define CONST_STACK 16

/* Evaluates a validated constant expression (§3.3.10: t.const, ref.null, ref.func,
 * global.get; the extended-constant i32/i64 add, sub, mul are accepted too) to one value
 * (two slots for v128).  Globals and functions referenced must already exist in inst. */
static weld_error_t *eval_const(const weld_instance_t *inst, const core_constexpr_t *ce, core_slot_t out[2]) {
  core_slot_t st[CONST_STACK][2];
  unsigned sp = 0;
  base_reader_t r;
  base_reader_init(&r, ce->code, ce->len, ce->offset);
  for (;;) {
    uint8_t op = 0;
    size_t at = base_reader_off(&r);
    if (!base_read_u8(&r, &op)) break;
    if (op == 0x0b) {
      if (sp != 1) return base_error_at(at, "constant expression must produce one value");
      out[0] = st[0][0];
      out[1] = st[0][1];
      return NULL;
    }
    bool binop = (op >= 0x6a && op <= 0x6c) || (op >= 0x7c && op <= 0x7e);
    if (binop) {
      if (sp < 2) return base_error_at(at, "type mismatch in constant expression");
      core_slot_t *a = st[sp - 2], *b = st[sp - 1];
      sp--;
      switch (op) {
      case 0x6a: a[0].u64 = (uint32_t)(a[0].u32 + b[0].u32); break;
      case 0x6b: a[0].u64 = (uint32_t)(a[0].u32 - b[0].u32); break;
      case 0x6c: a[0].u64 = (uint32_t)(a[0].u32 * b[0].u32); break;
      case 0x7c: a[0].u64 = a[0].u64 + b[0].u64; break;
      case 0x7d: a[0].u64 = a[0].u64 - b[0].u64; break;
      default: a[0].u64 = a[0].u64 * b[0].u64; break;
      }
      continue;
    }
    if (sp == CONST_STACK) return base_error_at(at, "constant expression too deep");
    core_slot_t *v = st[sp++];
    v[0].u64 = v[1].u64 = 0;
    switch (op) {
    case 0x41: { int32_t x = 0; base_read_s32(&r, &x); v[0].u64 = (uint32_t)x; break; }
    case 0x42: { int64_t x = 0; base_read_s64(&r, &x); v[0].i64 = x; break; }
    case 0x43: { uint32_t x = 0; base_read_fixed32(&r, &x); v[0].u64 = x; break; }
    case 0x44: { uint64_t x = 0; base_read_fixed64(&r, &x); v[0].u64 = x; break; }
    case 0xd0: { uint8_t t = 0; (void)t; base_read_u8(&r, &t); v[0].ref = NULL; break; }
    case 0xd2: {
      uint32_t x = 0;
      base_read_u32(&r, &x);
      if (!r.err && x >= inst->m->nfuncs) return base_error_at(at, "unknown function %u", x);
      if (!r.err) v[0].ref = inst->funcs[x];
      break;
    }
    case 0x23: {
      uint32_t x = 0;
      base_read_u32(&r, &x);
      if (!r.err && (x >= inst->m->nglobals || !inst->globals[x]))
        return base_error_at(at, "unknown global %u", x);
      if (!r.err) {
        v[0] = inst->globals[x]->val[0];
        v[1] = inst->globals[x]->val[1];
      }
      break;
    }
    case 0xfd: {
      uint32_t sub = 0;
      const uint8_t *bytes = NULL;
      base_read_u32(&r, &sub);
      if (!r.err && sub != 12) return base_error_at(at, "constant expression required");
      if (base_read_bytes(&r, 16, &bytes)) memcpy(v, bytes, 16);
      break;
    }
    default: return base_error_at(at, "constant expression required");
    }
    if (r.err) break;
  }
  return base_error_at(r.err_off, "malformed constant expression: %s", r.err ? r.err : "missing end");
}

/* ---------------------------------------------------------------- instantiation */

typedef struct marks {
  size_t mems, tables, instances;
  uint64_t memory_used;
} marks_t;

/* Undo an instantiation that failed before any of its effects were observable. */
static void rollback(weld_store_t *s, const marks_t *mk) {
  while (s->mems.len > mk->mems) core_memory_free(s->mems.data[--s->mems.len]);
  while (s->tables.len > mk->tables) core_table_free(s->tables.data[--s->tables.len]);
  while (s->instances.len > mk->instances) core_instance_free(s->instances.data[--s->instances.len]);
  s->memory_used = mk->memory_used;
}

/* Step 2 and 3: everything that can fail with an error rather than a trap. */
static weld_error_t *allocate(weld_store_t *store, weld_instance_t *inst, const weld_extern_t *imports) {
  const weld_module_t *mod = inst->module;
  const core_module_t *m = inst->m;
  weld_error_t *err;
  /* Imports fill the front of each index space, in import order. */
  for (uint32_t i = 0; i < m->nimports; i++) {
    const core_import_t *im = &m->imports[i];
    switch (im->kind) {
    case EXT_FUNC: inst->funcs[im->index] = imports[i].of.func; break;
    case EXT_TABLE: inst->tables[im->index] = imports[i].of.table; break;
    case EXT_MEMORY: inst->mems[im->index] = imports[i].of.memory; break;
    default: inst->globals[im->index] = imports[i].of.global; break;
    }
  }
  for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
    weld_func_t *f = &inst->own_funcs[i - m->nimported_funcs];
    uint32_t ti = m->func_types[i];
    f->kind = CORE_FUNC_WASM;
    f->type_id = mod->type_ids[ti];
    f->type = &m->types[ti];
    f->store = store;
    f->inst = inst;
    f->code = mod->code[i - m->nimported_funcs];
    f->index = i;
    inst->funcs[i] = f;
  }
  for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
    err = core_table_new(store, &m->tables[i], NULL, &inst->tables[i]);
    if (err) return base_error_wrap(err, "table %u", i);
  }
  for (uint32_t i = m->nimported_mems; i < m->nmems; i++) {
    err = core_memory_new(store, &m->mems[i], &inst->mems[i]);
    if (err) return base_error_wrap(err, "memory %u", i);
  }
  for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
    weld_global_t *g = &inst->own_globals[i - m->nimported_globals];
    g->type = m->globals[i].type;
    g->store = store;
    err = eval_const(inst, &m->globals[i].init, g->val);
    if (err) return err;
    inst->globals[i] = g;
  }
  for (uint32_t i = 0; i < m->nelems; i++) {
    const core_elem_t *e = &m->elems[i];
    if (e->count) {
      inst->elem_refs[i] = base_calloc(e->count, sizeof(void *));
      if (!inst->elem_refs[i]) return base_error_oom();
    }
    for (uint32_t j = 0; j < e->count; j++) {
      if (e->funcs) {
        if (e->funcs[j] >= m->nfuncs) return base_error("unknown function %u", e->funcs[j]);
        inst->elem_refs[i][j] = inst->funcs[e->funcs[j]];
      } else {
        core_slot_t v[2];
        err = eval_const(inst, &e->exprs[j], v);
        if (err) return err;
        inst->elem_refs[i][j] = v[0].ref;
      }
    }
    inst->elem_len[i] = e->count;
  }
  for (uint32_t i = 0; i < m->ndatas; i++) inst->data_len[i] = m->datas[i].len;
  if (m->nmems) {
    inst->mem0 = inst->mems[0];
    inst->mem0_base = inst->mems[0]->base;
  }
  return NULL;
}

/* Offsets of active segments: an i32 constant expression, taken as unsigned. */
static weld_trap_t *segment_offset(const weld_instance_t *inst, const core_constexpr_t *ce, uint32_t *out) {
  core_slot_t v[2];
  weld_error_t *err = eval_const(inst, ce, v);
  if (err) { /* cannot happen after validation and allocate(); report, do not crash */
    weld_trap_t *t = core_trap_new(WELD_TRAP_HOST, NULL, weld_error_message(err));
    weld_error_delete(err);
    return t;
  }
  *out = v[0].u32;
  return NULL;
}

/* Step 4 and 5: may trap. */
static weld_trap_t *initialise(weld_store_t *store, weld_instance_t *inst) {
  const core_module_t *m = inst->m;
  weld_trap_t *trap;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const core_elem_t *e = &m->elems[i];
    if (e->mode == SEG_PASSIVE) continue;
    if (e->mode == SEG_ACTIVE) {
      uint32_t off = 0;
      if ((trap = segment_offset(inst, &e->offset, &off))) return trap;
      weld_table_t *t = inst->tables[e->table];
      if ((uint64_t)off + e->count > t->size)
        return core_trap_new(WELD_TRAP_TABLE_OUT_OF_BOUNDS, NULL, NULL);
      if (e->count) memcpy(t->elems + off, inst->elem_refs[i], (size_t)e->count * sizeof(void *));
    }
    inst->elem_len[i] = 0; /* elem.drop */
  }
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const core_data_t *d = &m->datas[i];
    if (d->mode != SEG_ACTIVE) continue;
    uint32_t off = 0;
    if ((trap = segment_offset(inst, &d->offset, &off))) return trap;
    weld_memory_t *mem = inst->mems[d->memory];
    if ((uint64_t)off + d->len > mem->size)
      return core_trap_new(WELD_TRAP_MEMORY_OUT_OF_BOUNDS, NULL, NULL);
    if (d->len) memcpy(mem->base + off, d->bytes, d->len);
    inst->data_len[i] = 0; /* data.drop */
  }
  if (m->has_start) {
    core_slot_t slots[2] = {{0}};
    if ((trap = core_call(store, inst->funcs[m->start], slots))) return trap;
  }
  return NULL;
}

weld_error_t *weld_instance_new(weld_store_t *store, weld_module_t *mod, const weld_extern_t *imports,
                                size_t nimports, weld_instance_t **out, weld_trap_t **trap) {
  if (out) *out = NULL;
  if (trap) *trap = NULL;
  if (!store || !mod || !out || !trap || (nimports && !imports))
    return base_error("weld_instance_new: invalid argument");
  if (mod->engine != store->engine) return base_error("module and store belong to different engines");
  const core_module_t *m = mod->m;
  if (nimports != m->nimports)
    return base_error("wrong number of imports: the module needs %u, %zu given", m->nimports, nimports);
  for (size_t i = 0; i < nimports; i++) {
    weld_error_t *err = check_import(store, mod, i, &imports[i]);
    if (err) return err;
  }

  marks_t mk = {store->mems.len, store->tables.len, store->instances.len, store->memory_used};
  if (!VEC_RESERVE(&store->instances, 1)) return base_error_oom();
  weld_instance_t *inst = base_calloc(1, sizeof *inst);
  if (!inst) return base_error_oom();
  inst->store = store;
  inst->module = mod;
  inst->m = m;
  atomic_fetch_add_explicit(&mod->refs, 1, memory_order_relaxed);
  store->instances.data[store->instances.len++] = inst; /* owned by the store from here */
  inst->funcs = base_calloc(nz(m->nfuncs), sizeof *inst->funcs);
  inst->tables = base_calloc(nz(m->ntables), sizeof *inst->tables);
  inst->mems = base_calloc(nz(m->nmems), sizeof *inst->mems);
  inst->globals = base_calloc(nz(m->nglobals), sizeof *inst->globals);
  inst->own_funcs = base_calloc(nz(m->nfuncs - m->nimported_funcs), sizeof *inst->own_funcs);
  inst->own_globals = base_calloc(nz(m->nglobals - m->nimported_globals), sizeof *inst->own_globals);
  inst->elem_refs = base_calloc(nz(m->nelems), sizeof *inst->elem_refs);
  inst->elem_len = base_calloc(nz(m->nelems), sizeof *inst->elem_len);
  inst->data_len = base_calloc(nz(m->ndatas), sizeof *inst->data_len);
  weld_error_t *err = NULL;
  if (!inst->funcs || !inst->tables || !inst->mems || !inst->globals || !inst->own_funcs ||
      !inst->own_globals || !inst->elem_refs || !inst->elem_len || !inst->data_len)
    err = base_error_oom();
  if (!err) err = allocate(store, inst, imports);
  if (err) {
    rollback(store, &mk);
    return err;
  }
  *trap = initialise(store, inst);
  if (*trap) return NULL; /* the instance stays in the store (see the top of this file) */
  *out = inst;
  return NULL;
}

/* ---------------------------------------------------------------- exports */

static void extern_of(weld_instance_t *inst, const core_export_t *ex, weld_extern_t *out) {
  memset(out, 0, sizeof *out);
  switch (ex->kind) {
  case EXT_FUNC: out->kind = WELD_EXTERN_FUNC; out->of.func = inst->funcs[ex->index]; break;
  case EXT_TABLE: out->kind = WELD_EXTERN_TABLE; out->of.table = inst->tables[ex->index]; break;
  case EXT_MEMORY: out->kind = WELD_EXTERN_MEMORY; out->of.memory = inst->mems[ex->index]; break;
  default: out->kind = WELD_EXTERN_GLOBAL; out->of.global = inst->globals[ex->index]; break;
  }
}

bool weld_instance_export(weld_instance_t *inst, const char *name, size_t name_len, weld_extern_t *out) {
  if (!inst || (!name && name_len)) return false;
  const core_module_t *m = inst->m;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const core_export_t *ex = &m->exports[i];
    if (ex->name.len == name_len && (name_len == 0 || memcmp(ex->name.s, name, name_len) == 0)) {
      if (out) extern_of(inst, ex, out);
      return true;
    }
  }
  return false;
}

size_t weld_instance_export_count(const weld_instance_t *inst) { return inst ? inst->m->nexports : 0; }

void weld_instance_export_nth(weld_instance_t *inst, size_t i, const char **name, size_t *name_len,
                              weld_extern_t *out) {
  if (!inst || i >= inst->m->nexports) {
    if (name) *name = NULL;
    if (name_len) *name_len = 0;
    if (out) memset(out, 0, sizeof *out);
    return;
  }
  const core_export_t *ex = &inst->m->exports[i];
  if (name) *name = ex->name.s;
  if (name_len) *name_len = ex->name.len;
  if (out) extern_of(inst, ex, out);
}

weld_module_t *weld_instance_module(const weld_instance_t *inst) { return inst ? inst->module : NULL; }
