/* wast.c — runs .wast scripts (WebAssembly/spec interpreter/README.md "Scripts"): the
 * commands module (with $name, binary and quote forms, and the `module definition` /
 * `module instance` forms), register, invoke, get, and the assertions assert_return,
 * assert_trap (action and module forms), assert_exhaustion, assert_invalid,
 * assert_malformed, assert_unlinkable, assert_uninstantiable.
 *
 * Modules run through the public embedding API only (weld.h), in one store per script,
 * with the spectest host module (spectest.c) registered as "spectest".  A case passes when
 * the outcome kind matches (returned the values / trapped / rejected / failed to link);
 * the expected and actual messages are both reported for a human, not compared.
 *
 * A runaway guest cannot hang the runner: a watchdog thread interrupts the store
 * (weld_store_interrupt) when one action or instantiation takes longer than
 * opts->timeout_ms, and opts->fuel optionally bounds every action.  A crash is handled
 * one level up (tools/wast.c runs each script in a child process and restarts it past the
 * crashing command, listed in opts->crashed).
 *
 * Component scripts: `(component ...)` forms, actions on component instances and the
 * script's feature header are handled in wast_component.c (shared state in
 * wast_internal.h); registry entries have a kind (core instance, core module definition,
 * host exports, component instance or definition).  A script whose header asks for a
 * feature weld lacks has every command reported as skipped, with the feature. */
#include "text/wast_internal.h"
#include "base/alloc.h"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef text_wast_entry_t entry_t;
typedef text_wast_binding_t binding_t;
typedef text_wast_bindings_t bindings_t;
typedef text_wast_watchdog_t watchdog_t;
typedef text_wast_runner_t runner_t;

/* ------------------------------------------------------------------ watchdog */

static bool ts_reached(const struct timespec *now, const struct timespec *t) {
  return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

static void *wd_main(void *p) {
  watchdog_t *w = p;
  pthread_mutex_lock(&w->mu);
  while (!w->quit) {
    if (!w->armed) {
      pthread_cond_wait(&w->cv, &w->mu);
      continue;
    }
    int rc = pthread_cond_timedwait(&w->cv, &w->mu, &w->deadline);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((rc == ETIMEDOUT || rc == 0) && w->armed && ts_reached(&now, &w->deadline)) {
      weld_store_interrupt(w->store);
      w->fired = true;
      w->armed = false;
    }
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

static void wd_start(watchdog_t *w, weld_store_t *store) {
  memset(w, 0, sizeof *w);
  w->store = store;
  pthread_condattr_t ca;
  if (pthread_condattr_init(&ca)) return;
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  int bad = pthread_cond_init(&w->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (bad) return;
  if (pthread_mutex_init(&w->mu, NULL)) {
    pthread_cond_destroy(&w->cv);
    return;
  }
  if (pthread_create(&w->thread, NULL, wd_main, w)) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    return;
  }
  w->started = true;
}

static void wd_stop(watchdog_t *w) {
  if (!w->started) return;
  pthread_mutex_lock(&w->mu);
  w->quit = true;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->thread, NULL);
  pthread_mutex_destroy(&w->mu);
  pthread_cond_destroy(&w->cv);
  w->started = false;
}

static void wd_arm(watchdog_t *w, uint32_t ms) {
  if (!w->started) return;
  pthread_mutex_lock(&w->mu);
  clock_gettime(CLOCK_MONOTONIC, &w->deadline);
  w->deadline.tv_sec += ms / 1000;
  w->deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (w->deadline.tv_nsec >= 1000000000L) {
    w->deadline.tv_sec++;
    w->deadline.tv_nsec -= 1000000000L;
  }
  w->armed = true;
  w->fired = false;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* Returns true if the watchdog interrupted the store since wd_arm. */
static bool wd_disarm(watchdog_t *w) {
  if (!w->started) return false;
  pthread_mutex_lock(&w->mu);
  bool fired = w->fired;
  w->armed = false;
  w->fired = false;
  pthread_mutex_unlock(&w->mu);
  if (fired) weld_store_clear_interrupt(w->store);
  return fired;
}

/* ------------------------------------------------------------------ the runner */


void text_wast_report(runner_t *r, text_wast_outcome_t outcome, const char *feature) {
  if (r->index >= r->o->first_reported && r->o->on_result) {
    base_buf_byte(&r->exp, 0);
    base_buf_byte(&r->act, 0);
    text_wast_result_t res = {
        .index = r->index,
        .line = r->line,
        .command = r->command,
        .outcome = outcome,
        .expected = r->exp.oom ? "" : (const char *)r->exp.data,
        .actual = r->act.oom ? "(out of memory)" : (const char *)r->act.data,
        .feature = feature ? feature : "",
    };
    r->o->on_result(r->o->ud, &res);
  }
  base_buf_free(&r->exp);
  base_buf_free(&r->act);
}

/* Appends a message in quotes, first line only (text errors carry the source line and a
 * caret on further lines). */
void text_wast_put_msg(base_buf_t *b, const char *msg) {
  size_t n = strcspn(msg, "\n");
  base_buf_printf(b, "\"%.*s\"", (int)n, msg);
}

/* Appends a name in single quotes, escaping bytes that are not printable ASCII as \hh. */
void text_wast_put_name(base_buf_t *b, const void *name, size_t len) {
  const uint8_t *p = name;
  base_buf_byte(b, '\'');
  for (size_t i = 0; i < len; i++) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' && p[i] != '"' && p[i] != '\\')
      base_buf_byte(b, p[i]);
    else
      base_buf_printf(b, "\\%02x", p[i]);
  }
  base_buf_byte(b, '\'');
}

/* The source text of a node, for printing expectations as written. */
void text_wast_put_source(base_buf_t *b, const text_doc_t *doc, const text_sx_t *x) {
  size_t end = x->kind == SX_LIST ? x->end_off : x->off + x->len;
  if (end > doc->src_len || end < x->off) end = x->off;
  base_buf_bytes(b, doc->src + x->off, end - x->off);
}

entry_t *text_wast_new_entry(runner_t *r, text_wast_entry_kind_t kind) {
  entry_t *e = base_calloc(1, sizeof *e);
  if (!e) return NULL;
  if (!VEC_PUSH(&r->entries, e)) {
    base_free(e, sizeof *e);
    return NULL;
  }
  e->kind = kind;
  return e;
}

/* An entry standing for a module that did not load (kind ENT_FAILED or ENT_SKIPPED). */
entry_t *text_wast_placeholder(runner_t *r, text_wast_entry_kind_t kind, const char *reason) {
  entry_t *e = text_wast_new_entry(r, kind);
  if (e) e->reason = base_strdup(reason);
  return e;
}

static bool bind(bindings_t *v, const uint8_t *name, size_t len, entry_t *e) {
  binding_t bd = {base_alloc(len ? len : 1), len, e};
  if (!bd.name) return false;
  memcpy(bd.name, name, len);
  if (!VEC_PUSH(v, bd)) {
    base_free(bd.name, len ? len : 1);
    return false;
  }
  return true;
}

static entry_t *lookup(bindings_t *v, const uint8_t *name, size_t len) {
  for (size_t i = v->len; i-- > 0;)
    if (v->data[i].len == len && memcmp(v->data[i].name, name, len) == 0) return v->data[i].e;
  return NULL;
}

/* The bytes naming an $id node ($abc and $"abc" are the same name). */
static void id_bytes(const text_sx_t *id, const uint8_t **p, size_t *n) {
  const char *name;
  text_sx_id_name(id, &name, n);
  *p = (const uint8_t *)name;
}

void text_wast_bind_id(runner_t *r, const text_sx_t *id, entry_t *e) {
  if (!id || !e) return;
  const uint8_t *p;
  size_t n;
  id_bytes(id, &p, &n);
  bind(&r->ids, p, n, e);
}

entry_t *text_wast_lookup_id(runner_t *r, const text_sx_t *id) {
  const uint8_t *p;
  size_t n;
  id_bytes(id, &p, &n);
  return lookup(&r->ids, p, n);
}

entry_t *text_wast_lookup_def(runner_t *r, const text_sx_t *id) {
  const uint8_t *p;
  size_t n;
  id_bytes(id, &p, &n);
  bindings_t *v = &r->ids;
  for (size_t i = v->len; i-- > 0;) {
    entry_t *e = v->data[i].e;
    if (v->data[i].len == n && memcmp(v->data[i].name, p, n) == 0 &&
        (e->kind == ENT_COMP_DEFINITION || e->kind == ENT_COMP_VALIDATED || e->kind == ENT_CORE_MODULE))
      return e;
  }
  return lookup(v, p, n);
}

bool text_wast_not_supported(const char *msg, char *buf, size_t cap) {
  static const char tag[] = "not supported: ";
  size_t line = strcspn(msg, "\n");
  const char *at = strstr(msg, tag);
  if (!at || (size_t)(at - msg) >= line || cap == 0) return false;
  const char *what = at + sizeof tag - 1;
  size_t n = line - (size_t)(what - msg);
  /* drop a trailing " (at offset ...)" */
  const char *off = strstr(what, " (at ");
  if (off && (size_t)(off - what) < n) n = (size_t)(off - what);
  if (n >= cap) n = cap - 1;
  memcpy(buf, what, n);
  buf[n] = 0;
  return true;
}

static bool entry_export(entry_t *e, const uint8_t *name, size_t len, weld_extern_t *out) {
  if (e->kind == ENT_CORE_INSTANCE) return weld_instance_export(e->inst, (const char *)name, len, out);
  if (e->kind == ENT_HOST)
    for (size_t i = 0; i < e->nhost; i++)
      if (strlen(e->host[i].name) == len && memcmp(e->host[i].name, name, len) == 0) {
        *out = e->host[i].ext;
        return true;
      }
  return false;
}

/* ------------------------------------------------------------------ modules */

static bool is_component(const text_sx_t *x) { return text_sx_is_form(x, "component"); }

/* The $id of a module form, after an optional `definition` keyword; NULL if none. */
static const text_sx_t *module_id(const text_sx_t *m) {
  uint32_t i = 1;
  if (m->nitems > i && text_sx_is_atom(&m->items[i], "definition")) i++;
  return m->nitems > i && m->items[i].kind == SX_ID ? &m->items[i] : NULL;
}

/* Text (or binary/quote form) to a compiled module.  Any error means "rejected". */
static weld_error_t *compile(runner_t *r, const text_sx_t *m, weld_module_t **out) {
  *out = NULL;
  text_sx_t tmp;
  const text_sx_t *form = m;
  text_sx_t *items = NULL;
  if (m->nitems > 1 && text_sx_is_atom(&m->items[1], "definition")) {
    /* (module definition ...) -> (module ...) */
    items = base_calloc(m->nitems - 1, sizeof *items);
    if (!items) return base_error_oom();
    items[0] = m->items[0];
    memcpy(items + 1, m->items + 2, (m->nitems - 2) * sizeof *items);
    tmp = *m;
    tmp.items = items;
    tmp.nitems = m->nitems - 1;
    form = &tmp;
  }
  base_buf_t bin = {0};
  weld_error_t *e = text_encode_module(r->doc, form, &bin, NULL);
  if (items) base_free(items, (m->nitems - 1) * sizeof *items);
  if (!e && bin.oom) e = base_error_oom();
  if (!e) e = weld_module_new(r->engine, bin.data ? bin.data : (const uint8_t *)"", bin.len, out);
  base_buf_free(&bin);
  return e;
}

typedef enum inst_outcome { INST_OK, INST_ERROR, INST_TRAP, INST_SKIP } inst_outcome_t;

void text_wast_arm(runner_t *r) {
  if (r->o->fuel) weld_store_set_fuel(r->store, r->o->fuel);
  if (r->o->timeout_ms) wd_arm(&r->wd, r->o->timeout_ms);
}

bool text_wast_disarm(runner_t *r) { return wd_disarm(&r->wd); }

/* Describes a trap in why; the watchdog's interrupt and the runner's fuel budget are
 * called out since they mean "did not finish", not a trap of the guest. */
void text_wast_describe_trap(runner_t *r, weld_trap_t *t, bool fired, base_buf_t *why) {
  weld_trap_code_t code = weld_trap_code(t);
  if (fired && code == WELD_TRAP_INTERRUPT)
    base_buf_printf(why, "timed out after %u ms (interrupted)", r->o->timeout_ms);
  else if (r->o->fuel && code == WELD_TRAP_OUT_OF_FUEL)
    base_buf_printf(why, "ran out of fuel (budget %llu)", (unsigned long long)r->o->fuel);
  else {
    base_buf_printf(why, "trap ");
    text_wast_put_msg(why, weld_trap_message(t));
  }
}

/* True if the trap came from the runner's own budget rather than from the guest. */
bool text_wast_budget_trap(runner_t *r, weld_trap_t *t, bool fired) {
  weld_trap_code_t code = weld_trap_code(t);
  return (fired && code == WELD_TRAP_INTERRUPT) || (r->o->fuel && code == WELD_TRAP_OUT_OF_FUEL);
}

/* Resolves the imports of m from the registry and instantiates it.  On anything but
 * INST_OK, why says what happened.  *budget is set if a trap was the runner's timeout. */
static inst_outcome_t instantiate(runner_t *r, weld_module_t *m, weld_instance_t **out,
                                  base_buf_t *why, bool *budget, const char **feature) {
  *out = NULL;
  *budget = false;
  size_t n = weld_module_import_count(m);
  weld_extern_t *imports = n ? base_calloc(n, sizeof *imports) : NULL;
  if (n && !imports) {
    base_buf_printf(why, "error \"out of memory\"");
    return INST_ERROR;
  }
  inst_outcome_t res = INST_OK;
  for (size_t i = 0; i < n && res == INST_OK; i++) {
    weld_import_desc_t d;
    weld_module_import(m, i, &d);
    entry_t *e = lookup(&r->regs, (const uint8_t *)d.module, d.module_len);
    if (e && e->kind == ENT_SKIPPED) {
      *feature = e->reason;
      res = INST_SKIP;
    } else if (!e || !entry_export(e, (const uint8_t *)d.name, d.name_len, &imports[i])) {
      base_buf_printf(why, "error \"unknown import ");
      text_wast_put_name(why, d.module, d.module_len);
      base_buf_byte(why, ' ');
      text_wast_put_name(why, d.name, d.name_len);
      base_buf_printf(why, "%s%s\"", e && e->reason ? ": " : "", e && e->reason ? e->reason : "");
      res = INST_ERROR;
    }
  }
  if (res == INST_OK) {
    weld_trap_t *trap = NULL;
    text_wast_arm(r);
    weld_error_t *e = weld_instance_new(r->store, m, imports, n, out, &trap);
    bool fired = text_wast_disarm(r);
    if (e) {
      base_buf_printf(why, "error ");
      text_wast_put_msg(why, weld_error_message(e));
      weld_error_delete(e);
      res = INST_ERROR;
    } else if (trap) {
      *budget = text_wast_budget_trap(r, trap, fired);
      text_wast_describe_trap(r, trap, fired, why);
      weld_trap_delete(trap);
      res = INST_TRAP;
      *out = NULL;
    } else if (!*out) {
      base_buf_printf(why, "error \"no instance returned\"");
      res = INST_ERROR;
    }
  }
  if (imports) base_free(imports, n * sizeof *imports);
  return res;
}

/* (module ...), (module definition ...), (module instance $I? $M?), (component ...) */
static void cmd_module(runner_t *r, const text_sx_t *x) {
  if (is_component(x)) {
    text_wast_comp_module(r, x);
    return;
  }
  bool instance_form = x->nitems > 1 && text_sx_is_atom(&x->items[1], "instance");
  bool definition = x->nitems > 1 && text_sx_is_atom(&x->items[1], "definition");
  base_buf_printf(&r->exp, "module loads");
  weld_module_t *m = NULL;
  const text_sx_t *id = NULL;
  entry_t *def = NULL;
  if (instance_form) {
    uint32_t i = 2;
    if (x->nitems > i && x->items[i].kind == SX_ID) id = &x->items[i++];
    if (x->nitems > i && x->items[i].kind == SX_ID) {
      const uint8_t *p;
      size_t n;
      id_bytes(&x->items[i], &p, &n);
      def = lookup(&r->ids, p, n);
    } else {
      def = r->current;
    }
    if (def && def->kind == ENT_SKIPPED) {
      entry_t *e = text_wast_placeholder(r, ENT_SKIPPED, def->reason);
      text_wast_bind_id(r, id, e);
      r->current = e;
      text_wast_report(r, TEXT_WAST_SKIP, def->reason);
      return;
    }
    if (!def || def->kind != ENT_CORE_MODULE) {
      base_buf_printf(&r->act, "error \"no module definition to instantiate\"");
      goto failed;
    }
    m = def->module;
  } else {
    id = module_id(x);
    weld_error_t *e = compile(r, x, &m);
    if (e) {
      base_buf_printf(&r->act, "rejected ");
      text_wast_put_msg(&r->act, weld_error_message(e));
      weld_error_delete(e);
      goto failed;
    }
    if (definition) {
      entry_t *en = text_wast_new_entry(r, ENT_CORE_MODULE);
      if (!en) {
        weld_module_delete(m);
        base_buf_printf(&r->act, "error \"out of memory\"");
        goto failed;
      }
      en->module = m;
      text_wast_bind_id(r, id, en);
      r->current = en;
      base_buf_printf(&r->act, "module compiled");
      text_wast_report(r, TEXT_WAST_PASS, NULL);
      return;
    }
  }
  {
    weld_instance_t *inst;
    bool budget;
    const char *feature = NULL;
    inst_outcome_t res = instantiate(r, m, &inst, &r->act, &budget, &feature);
    if (res == INST_SKIP) {
      if (!instance_form) weld_module_delete(m);
      entry_t *e = text_wast_placeholder(r, ENT_SKIPPED, feature);
      text_wast_bind_id(r, id, e);
      r->current = e;
      text_wast_report(r, TEXT_WAST_SKIP, feature);
      return;
    }
    entry_t *en = res == INST_OK ? text_wast_new_entry(r, ENT_CORE_INSTANCE) : NULL;
    if (res == INST_OK && !en) base_buf_printf(&r->act, "error \"out of memory\"");
    if (!en) {
      if (!instance_form) weld_module_delete(m);
      goto failed;
    }
    en->inst = inst;
    en->module = instance_form ? NULL : m;
    text_wast_bind_id(r, id, en);
    r->current = en;
    base_buf_printf(&r->act, "module loaded");
    text_wast_report(r, TEXT_WAST_PASS, NULL);
    return;
  }
failed: {
  char reason[64];
  snprintf(reason, sizeof reason, "the module at line %u did not load", r->line);
  entry_t *e = text_wast_placeholder(r, ENT_FAILED, reason);
  text_wast_bind_id(r, id, e);
  r->current = e;
  text_wast_report(r, TEXT_WAST_FAIL, NULL);
}
}

/* ------------------------------------------------------------------ actions */

typedef enum act_outcome { ACT_RETURNED, ACT_TRAPPED, ACT_ERROR, ACT_SKIPPED } act_outcome_t;

typedef struct act_result {
  act_outcome_t outcome;
  weld_val_t *vals; /* ACT_RETURNED */
  size_t nvals;
  bool budget;      /* ACT_TRAPPED: the runner's timeout or fuel, not a guest trap */
  weld_trap_code_t code;
  const char *feature; /* ACT_SKIPPED */
} act_result_t;

static bool is_action(const text_sx_t *x) {
  return text_sx_is_form(x, "invoke") || text_sx_is_form(x, "get");
}

/* The entry an action runs on, or NULL (the action itself reports why). */
static entry_t *action_target(runner_t *r, const text_sx_t *a) {
  if (a->nitems > 1 && a->items[1].kind == SX_ID) return text_wast_lookup_id(r, &a->items[1]);
  return r->current;
}

/* Component instances have their own actions (wast_component.c). */
static bool component_action(runner_t *r, const text_sx_t *x, const text_sx_t *a, int what) {
  entry_t *e = action_target(r, a);
  if (!e && a->nitems > 1 && a->items[1].kind == SX_ID) { /* before reading any value */
    if (what == TEXT_WAST_DO_ACTION) base_buf_printf(&r->exp, "success");
    for (uint32_t k = 2; what == TEXT_WAST_DO_RETURN && k < x->nitems; k++) {
      if (k > 2) base_buf_byte(&r->exp, ' ');
      text_wast_put_source(&r->exp, r->doc, &x->items[k]);
    }
    if (what == TEXT_WAST_DO_RETURN && x->nitems <= 2) base_buf_printf(&r->exp, "no values");
    base_buf_printf(&r->act, "error \"unknown module %.*s\"", (int)a->items[1].len, a->items[1].text);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return true;
  }
  /* (an entry that did not load is reported there too, before any value is read) */
  if (!e || !(text_wast_entry_is_component(e) || e->kind == ENT_FAILED || e->kind == ENT_SKIPPED)) return false;
  text_wast_comp_action(r, x, a, e, what);
  return true;
}

/* (invoke $id? "name" const*) or (get $id? "name").  Describes a trap or an error in
 * r->act; values are left in res->vals for the caller to compare and print. */
static void run_action(runner_t *r, const text_sx_t *a, act_result_t *res) {
  memset(res, 0, sizeof *res);
  res->outcome = ACT_ERROR;
  bool invoke = text_sx_is_form(a, "invoke");
  uint32_t i = 1;
  entry_t *e = r->current;
  if (a->nitems > i && a->items[i].kind == SX_ID) {
    const uint8_t *p;
    size_t n;
    id_bytes(&a->items[i], &p, &n);
    e = lookup(&r->ids, p, n);
    if (!e) {
      base_buf_printf(&r->act, "error \"unknown module %.*s\"", (int)a->items[i].len, a->items[i].text);
      return;
    }
    i++;
  }
  if (a->nitems <= i || a->items[i].kind != SX_STRING) {
    base_buf_printf(&r->act, "error \"%s needs an export name\"", invoke ? "invoke" : "get");
    return;
  }
  const text_sx_t *name = &a->items[i++];
  if (!e) {
    base_buf_printf(&r->act, "error \"no module to run\"");
    return;
  }
  if (e->kind == ENT_SKIPPED) {
    res->outcome = ACT_SKIPPED;
    res->feature = e->reason;
    return;
  }
  if (e->kind == ENT_FAILED) {
    base_buf_printf(&r->act, "not run: %s", e->reason);
    return;
  }
  if (e->kind == ENT_CORE_MODULE) {
    base_buf_printf(&r->act, "error \"module definition is not instantiated\"");
    return;
  }
  weld_extern_t ext;
  if (!entry_export(e, name->str, name->str_len, &ext)) {
    base_buf_printf(&r->act, "error \"unknown export ");
    text_wast_put_name(&r->act, name->str, name->str_len);
    base_buf_byte(&r->act, '"');
    return;
  }
  if (!invoke) {
    if (ext.kind != WELD_EXTERN_GLOBAL || a->nitems != i) {
      base_buf_printf(&r->act, "error \"get needs a global export and nothing else\"");
      return;
    }
    res->vals = base_calloc(1, sizeof *res->vals);
    if (!res->vals) {
      base_buf_printf(&r->act, "error \"out of memory\"");
      return;
    }
    res->vals[0] = weld_global_get(ext.of.global);
    res->nvals = 1;
    res->outcome = ACT_RETURNED;
    return;
  }
  if (ext.kind != WELD_EXTERN_FUNC) {
    base_buf_printf(&r->act, "error \"export is not a function\"");
    return;
  }
  size_t nargs = a->nitems - i;
  size_t nres = weld_functype_result_count(weld_func_type(ext.of.func));
  weld_val_t *args = base_calloc(nargs ? nargs : 1, sizeof *args);
  res->vals = base_calloc(nres ? nres : 1, sizeof *res->vals);
  if (!args || !res->vals) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    base_free(args, 0);
    return;
  }
  for (size_t k = 0; k < nargs; k++) {
    text_wast_val_t v;
    weld_error_t *err = text_wast_parse_val(r->doc, &a->items[i + k], false, &v);
    if (err) {
      base_buf_printf(&r->act, "error ");
      text_wast_put_msg(&r->act, weld_error_message(err));
      weld_error_delete(err);
      base_free(args, 0);
      return;
    }
    args[k] = v.core;
    text_wast_val_free(&v);
  }
  weld_trap_t *trap = NULL;
  text_wast_arm(r);
  weld_error_t *err = weld_func_call(r->store, ext.of.func, args, nargs, res->vals, nres, &trap);
  bool fired = text_wast_disarm(r);
  base_free(args, 0);
  if (err) {
    base_buf_printf(&r->act, "error ");
    text_wast_put_msg(&r->act, weld_error_message(err));
    weld_error_delete(err);
    if (trap) weld_trap_delete(trap);
    return;
  }
  if (trap) {
    res->outcome = ACT_TRAPPED;
    res->code = weld_trap_code(trap);
    res->budget = text_wast_budget_trap(r, trap, fired);
    text_wast_describe_trap(r, trap, fired, &r->act);
    weld_trap_delete(trap);
    return;
  }
  res->nvals = nres;
  res->outcome = ACT_RETURNED;
}

static void act_free(act_result_t *res) {
  base_free(res->vals, 0);
  res->vals = NULL;
}

static void put_values(runner_t *r, base_buf_t *b, const weld_val_t *v, size_t n,
                       const text_wast_val_t *hints, size_t nhints) {
  if (n == 0) base_buf_printf(b, "no values");
  for (size_t k = 0; k < n; k++) {
    if (k) base_buf_byte(b, ' ');
    text_wast_print_val(b, &v[k], k < nhints ? &hints[k] : NULL);
  }
  (void)r;
}

/* ------------------------------------------------------------------ commands */

/* (invoke ...) / (get ...) at top level: must not trap. */
static void cmd_action(runner_t *r, const text_sx_t *x) {
  if (component_action(r, x, x, TEXT_WAST_DO_ACTION)) return;
  act_result_t res;
  base_buf_printf(&r->exp, "success");
  run_action(r, x, &res);
  if (res.outcome == ACT_SKIPPED) {
    text_wast_report(r, TEXT_WAST_SKIP, res.feature);
  } else if (res.outcome == ACT_RETURNED) {
    put_values(r, &r->act, res.vals, res.nvals, NULL, 0);
    text_wast_report(r, TEXT_WAST_PASS, NULL);
  } else {
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
  }
  act_free(&res);
}

/* (assert_return action expected*) */
static void cmd_assert_return(runner_t *r, const text_sx_t *x) {
  if (x->nitems < 2 || !is_action(&x->items[1])) {
    base_buf_printf(&r->exp, "an action");
    base_buf_printf(&r->act, "error \"assert_return needs an action\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  if (component_action(r, x, &x->items[1], TEXT_WAST_DO_RETURN)) return;
  size_t nexp = x->nitems - 2;
  text_wast_val_t *exp = base_calloc(nexp ? nexp : 1, sizeof *exp);
  if (!exp) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  if (nexp == 0) base_buf_printf(&r->exp, "no values");
  for (size_t k = 0; k < nexp; k++) {
    if (k) base_buf_byte(&r->exp, ' ');
    text_wast_put_source(&r->exp, r->doc, &x->items[2 + k]);
  }
  size_t parsed = 0;
  weld_error_t *err = NULL;
  for (; parsed < nexp && !err; parsed++)
    if ((err = text_wast_parse_val(r->doc, &x->items[2 + parsed], true, &exp[parsed]))) break;
  if (err) {
    base_buf_printf(&r->act, "error ");
    text_wast_put_msg(&r->act, weld_error_message(err));
    weld_error_delete(err);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
  } else {
    act_result_t res;
    run_action(r, &x->items[1], &res);
    if (res.outcome == ACT_SKIPPED) {
      text_wast_report(r, TEXT_WAST_SKIP, res.feature);
    } else if (res.outcome != ACT_RETURNED) {
      text_wast_report(r, TEXT_WAST_FAIL, NULL);
    } else {
      bool ok = res.nvals == nexp;
      for (size_t k = 0; ok && k < nexp; k++) ok = text_wast_val_match(&exp[k], &res.vals[k]);
      put_values(r, &r->act, res.vals, res.nvals, exp, nexp);
      text_wast_report(r, ok ? TEXT_WAST_PASS : TEXT_WAST_FAIL, NULL);
    }
    act_free(&res);
  }
  for (size_t k = 0; k < parsed; k++) text_wast_val_free(&exp[k]);
  base_free(exp, 0);
}

static const text_sx_t *message_of(const text_sx_t *x, uint32_t i) {
  return x->nitems > i && x->items[i].kind == SX_STRING ? &x->items[i] : NULL;
}

static void put_expected(runner_t *r, const char *what, const text_sx_t *msg) {
  base_buf_printf(&r->exp, "%s", what);
  if (msg) base_buf_printf(&r->exp, " \"%.*s\"", (int)msg->str_len, (const char *)msg->str);
}

/* (assert_trap action msg), (assert_exhaustion action msg) */
static void cmd_assert_trap_action(runner_t *r, const text_sx_t *x) {
  put_expected(r, "trap", message_of(x, 2));
  if (component_action(r, x, &x->items[1], TEXT_WAST_DO_TRAP)) return;
  act_result_t res;
  run_action(r, &x->items[1], &res);
  if (res.outcome == ACT_SKIPPED) {
    text_wast_report(r, TEXT_WAST_SKIP, res.feature);
  } else if (res.outcome == ACT_RETURNED) {
    put_values(r, &r->act, res.vals, res.nvals, NULL, 0);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
  } else {
    text_wast_report(r, res.outcome == ACT_TRAPPED && !res.budget ? TEXT_WAST_PASS : TEXT_WAST_FAIL, NULL);
  }
  act_free(&res);
}

/* The module form of an assertion, or NULL. */
static const text_sx_t *assertion_module(const text_sx_t *x) {
  if (x->nitems < 2 || x->items[1].kind != SX_LIST) return NULL;
  const text_sx_t *m = &x->items[1];
  if (text_sx_is_form(m, "module") || is_component(m)) return m;
  return NULL;
}

/* (assert_invalid module msg), (assert_malformed module msg): rejected at any stage. */
static void cmd_assert_rejected(runner_t *r, const text_sx_t *x) {
  put_expected(r, "rejected", message_of(x, 2));
  const text_sx_t *m = assertion_module(x);
  if (!m) {
    base_buf_printf(&r->act, "error \"expected a module\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  if (is_component(m)) {
    text_wast_comp_assert_rejected(r, x, m);
    return;
  }
  weld_module_t *mod;
  weld_error_t *e = compile(r, m, &mod);
  if (e) {
    base_buf_printf(&r->act, "rejected ");
    text_wast_put_msg(&r->act, weld_error_message(e));
    weld_error_delete(e);
    text_wast_report(r, TEXT_WAST_PASS, NULL);
    return;
  }
  weld_module_delete(mod);
  base_buf_printf(&r->act, "module accepted");
  text_wast_report(r, TEXT_WAST_FAIL, NULL);
}

/* (assert_unlinkable module msg): must compile, then fail to instantiate with an error;
 * (assert_uninstantiable module msg) and (assert_trap module msg): must compile, then
 * trap while instantiating.  Either way the module is not bound. */
static void cmd_assert_instantiate(runner_t *r, const text_sx_t *x, bool want_trap) {
  put_expected(r, want_trap ? "trap" : "unlinkable", message_of(x, 2));
  const text_sx_t *m = assertion_module(x);
  if (!m) {
    base_buf_printf(&r->act, "error \"expected a module\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  if (is_component(m)) {
    text_wast_comp_assert_instantiate(r, x, m, want_trap);
    return;
  }
  weld_module_t *mod;
  weld_error_t *e = compile(r, m, &mod);
  if (e) {
    base_buf_printf(&r->act, "rejected ");
    text_wast_put_msg(&r->act, weld_error_message(e));
    weld_error_delete(e);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  weld_instance_t *inst;
  bool budget;
  const char *feature = NULL;
  inst_outcome_t res = instantiate(r, mod, &inst, &r->act, &budget, &feature);
  weld_module_delete(mod);
  if (res == INST_SKIP) {
    text_wast_report(r, TEXT_WAST_SKIP, feature);
    return;
  }
  if (res == INST_OK) base_buf_printf(&r->act, "module instantiated");
  bool ok = want_trap ? res == INST_TRAP && !budget : res == INST_ERROR;
  text_wast_report(r, ok ? TEXT_WAST_PASS : TEXT_WAST_FAIL, NULL);
}

/* (register "name" $id?) — reported only when it fails. */
static void cmd_register(runner_t *r, const text_sx_t *x) {
  entry_t *e = r->current;
  const text_sx_t *name = message_of(x, 1);
  if (x->nitems > 2 && x->items[2].kind == SX_ID) {
    const uint8_t *p;
    size_t n;
    id_bytes(&x->items[2], &p, &n);
    e = lookup(&r->ids, p, n);
  }
  base_buf_printf(&r->exp, "registered");
  if (!name || !e) {
    base_buf_printf(&r->act, "error \"%s\"", name ? "no such module" : "register needs a name");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  if (text_wast_entry_is_component(e)) {
    if (!text_wast_comp_register(r, e, name->str, name->str_len)) text_wast_report(r, TEXT_WAST_FAIL, NULL);
    base_buf_free(&r->exp);
    base_buf_free(&r->act);
    return;
  }
  if (!bind(&r->regs, name->str, name->str_len, e)) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  base_buf_free(&r->exp);
}

/* Commands of other proposals: reported as skipped, with the feature they need. */
static const char *unsupported_feature(const text_sx_t *x) {
  static const struct {
    const char *cmd, *feature;
  } table[] = {
      {"thread", "threads"},
      {"wait", "threads"},
      {"assert_malformed_custom", "custom annotations"},
      {"assert_invalid_custom", "custom annotations"},
      {"assert_suspension", "stack switching"},
      {"assert_exception", "exception handling"},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (text_sx_is_form(x, table[i].cmd)) return table[i].feature;
  return NULL;
}

static bool was_crashed(const runner_t *r, uint32_t index) {
  for (size_t i = 0; i < r->o->ncrashed; i++)
    if (r->o->crashed[i] == index) return true;
  return false;
}

static void run_command(runner_t *r, const text_sx_t *x) {
  const text_sx_t *head = x->kind == SX_LIST && x->nitems > 0 ? &x->items[0] : NULL;
  if (!head || head->kind != SX_ATOM) {
    r->command = "script";
    base_buf_printf(&r->exp, "a command");
    base_buf_printf(&r->act, "error \"not a command\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  char *cmd = r->cmdname;
  size_t n = head->len < sizeof r->cmdname - 1 ? head->len : sizeof r->cmdname - 1;
  memcpy(cmd, head->text, n);
  cmd[n] = 0;
  r->command = cmd;

  if (was_crashed(r, r->index)) {
    /* The process died on this command before; do not run it again.  A module that
     * crashed counts as not loaded for the commands that use it. */
    if (text_sx_is_form(x, "module") || is_component(x)) {
      entry_t *e = text_wast_placeholder(r, ENT_FAILED, "the module crashed the runner");
      text_wast_bind_id(r, module_id(x), e);
      r->current = e;
    }
    return;
  }

  if (text_sx_is_form(x, "module") || is_component(x)) {
    cmd_module(r, x);
    return;
  }
  const char *feature = unsupported_feature(x);
  if (feature) {
    base_buf_printf(&r->exp, "%s", cmd);
    text_wast_report(r, TEXT_WAST_SKIP, feature);
    return;
  }
  if (is_action(x)) cmd_action(r, x);
  else if (text_sx_is_form(x, "register")) cmd_register(r, x);
  else if (text_sx_is_form(x, "assert_return")) cmd_assert_return(r, x);
  else if ((text_sx_is_form(x, "assert_trap") || text_sx_is_form(x, "assert_exhaustion")) && x->nitems > 1 &&
           is_action(&x->items[1]))
    cmd_assert_trap_action(r, x);
  else if (text_sx_is_form(x, "assert_trap") || text_sx_is_form(x, "assert_uninstantiable"))
    cmd_assert_instantiate(r, x, true);
  else if (text_sx_is_form(x, "assert_unlinkable")) cmd_assert_instantiate(r, x, false);
  else if (text_sx_is_form(x, "assert_invalid") || text_sx_is_form(x, "assert_malformed"))
    cmd_assert_rejected(r, x);
  else {
    base_buf_printf(&r->exp, "a known command");
    base_buf_printf(&r->act, "error \"unknown command %s\"", cmd);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
  }
}

/* A script may also be just the fields of one module (core spec §6.4.10: a module may be
 * written as its fields alone; the reference interpreter accepts such files). */
static bool is_module_field(const text_sx_t *x) {
  static const char *const fields[] = {"type", "import", "func", "table", "memory", "global",
                                       "export", "start", "elem", "data"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (text_sx_is_form(x, fields[i])) return true;
  return false;
}

static void run_inline_module(runner_t *r) {
  const text_doc_t *doc = r->doc;
  r->index = 0;
  r->line = doc->items[0].line;
  r->command = "module";
  if (r->o->on_begin) r->o->on_begin(r->o->ud, 0, r->line);
  if (was_crashed(r, 0)) return;
  text_sx_t *items = base_calloc((size_t)doc->nitems + 1, sizeof *items);
  if (!items) {
    base_buf_printf(&r->exp, "module loads");
    base_buf_printf(&r->act, "error \"out of memory\"");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  const text_sx_t *first = &doc->items[0], *last = &doc->items[doc->nitems - 1];
  items[0] = *first;
  items[0].kind = SX_ATOM;
  items[0].text = "module";
  items[0].len = 6;
  items[0].items = NULL;
  items[0].nitems = 0;
  memcpy(items + 1, doc->items, doc->nitems * sizeof *items);
  text_sx_t m = *first;
  m.items = items;
  m.nitems = doc->nitems + 1;
  m.end_off = last->kind == SX_LIST ? last->end_off : last->off + last->len;
  cmd_module(r, &m);
  base_free(items, ((size_t)doc->nitems + 1) * sizeof *items);
}

static void runner_free(runner_t *r) {
  wd_stop(&r->wd);
  for (size_t i = 0; i < r->entries.len; i++) {
    entry_t *e = r->entries.data[i];
    if (e->module) weld_module_delete(e->module);
    if (e->comp) weld_component_delete(e->comp);
    if (e->bytes) base_free(e->bytes, e->nbytes ? e->nbytes : 1);
    if (e->regname) base_free(e->regname, strlen(e->regname) + 1);
    if (e->reason) base_free(e->reason, strlen(e->reason) + 1);
    base_free(e, sizeof *e);
  }
  VEC_FREE(&r->entries);
  for (size_t i = 0; i < r->ids.len; i++) base_free(r->ids.data[i].name, r->ids.data[i].len ? r->ids.data[i].len : 1);
  for (size_t i = 0; i < r->regs.len; i++)
    base_free(r->regs.data[i].name, r->regs.data[i].len ? r->regs.data[i].len : 1);
  VEC_FREE(&r->ids);
  VEC_FREE(&r->regs);
  if (r->store) weld_store_delete(r->store);
  text_wast_comp_free(r); /* after the store: its host's destructors may run until then */
  if (r->own_engine && r->engine) weld_engine_delete(r->engine);
  base_buf_free(&r->exp);
  base_buf_free(&r->act);
}

weld_error_t *text_wast_run(const char *src, size_t len, const char *filename,
                            const text_wast_options_t *opts) {
  text_doc_t *doc;
  weld_error_t *err = text_parse_doc(src, len, filename, &doc);
  if (err) return err;
  runner_t r;
  memset(&r, 0, sizeof r);
  r.doc = doc;
  r.o = opts;
  r.engine = opts->engine;
  if (!r.engine) {
    r.engine = weld_engine_new(opts->config);
    r.own_engine = true;
  }
  if (r.engine) r.store = weld_store_new(r.engine);
  entry_t *spectest = r.store ? text_wast_new_entry(&r, ENT_HOST) : NULL;
  if (!spectest) {
    err = base_error_oom();
  } else {
    err = text_spectest_new(r.store, spectest->host);
    spectest->nhost = TEXT_SPECTEST_EXPORTS;
    if (!err && !bind(&r.regs, (const uint8_t *)"spectest", 8, spectest)) err = base_error_oom();
  }
  if (err) {
    runner_free(&r);
    text_doc_free(doc);
    return base_error_wrap(err, "%s: cannot set up the script's store", filename);
  }
  if (opts->timeout_ms) wd_start(&r.wd, r.store);
  text_wast_gate(doc, &r.gate);
  if (r.gate.missing) {
    /* The script needs a feature weld does not have: every command is skipped. */
    for (uint32_t i = 0; i < doc->nitems; i++) {
      r.index = i;
      r.line = doc->items[i].line;
      const text_sx_t *head = doc->items[i].kind == SX_LIST && doc->items[i].nitems ? &doc->items[i].items[0] : NULL;
      size_t n = head && head->kind == SX_ATOM ? head->len : 0;
      if (n > sizeof r.cmdname - 1) n = sizeof r.cmdname - 1;
      if (n) memcpy(r.cmdname, head->text, n);
      r.cmdname[n] = 0;
      r.command = n ? r.cmdname : "script";
      if (opts->on_begin) opts->on_begin(opts->ud, i, r.line);
      base_buf_printf(&r.exp, "%s", r.command);
      text_wast_report(&r, TEXT_WAST_SKIP, r.gate.missing);
    }
  } else if (doc->nitems && is_module_field(&doc->items[0])) {
    run_inline_module(&r);
  } else {
    for (uint32_t i = 0; i < doc->nitems; i++) {
      r.index = i;
      r.line = doc->items[i].line;
      if (opts->on_begin) opts->on_begin(opts->ud, i, r.line);
      run_command(&r, &doc->items[i]);
    }
  }
  runner_free(&r);
  text_doc_free(doc);
  return NULL;
}
