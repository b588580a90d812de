/* wast_component.c — component-model commands of .wast scripts, as the component test
 * suites use them (wasm-tools `wast` and wasmtime's runner; component-model Explainer.md
 * for what they mean):
 *
 *   (component $id? ...)                   compile and instantiate (or, with
 *   (component $id? binary "..."*)         opts->validate_components, only validate:
 *   (component $id? quote "..."*)          the validation suite's components import what
 *                                          no host provides)
 *   (component definition $id? ...)        compile only
 *   (component instance $id? $def?)        instantiate a definition
 *   (invoke $id? "name" value*)            call an exported function with typed values
 *   (assert_return action value*) (assert_trap action "msg")
 *   (assert_invalid (component ...) "msg") (assert_malformed (component ...) "msg")
 *   (assert_unlinkable (component ...) "msg") (assert_trap (component ...) "msg")
 *   (register "name" $id?)
 *
 * Everything goes through the public embedding API (weld/component.h): one linker per
 * script holds the host imports of testsuite/HOST.md (wast_host.c) and, like wasmtime's
 * runner, every named component instance `$name` under `name` (weld_linker_instance_from),
 * so that later components can import its modules, resources and functions.
 *
 * "not supported: " errors.  A component that weld rejects because it uses a feature weld
 * does not implement is counted as skipped with that feature — unless an assertion expected
 * a rejection for exactly that reason (the expected message says a feature is missing), in
 * which case weld's refusal is the right answer.
 *
 * Feature gating (text_wast_gate).  A script's header says which optional features it runs
 * with: wasm-tools' `;; RUN: wast ... -f a,-b` and wasmtime's `;;! name = true`.  A script
 * that enables a feature weld lacks is skipped as a whole, with the feature — unless the
 * script uses none of that feature's syntax (e.g. resources.wast enables async but has no
 * async construct), in which case it runs and any component that did need the feature
 * still ends up skipped through its "not supported: " error.  A script that turns off a
 * feature weld cannot turn off (simd, reference types) is skipped too. */
#include "base/alloc.h"
#include "base/error.h"
#include "text/wast_internal.h"
#include <stdio.h>
#include <string.h>

typedef text_wast_runner_t runner_t;
typedef text_wast_entry_t entry_t;

struct text_wast_comp {
  weld_linker_t *linker;
  text_wast_host_t *host;
};

/* ------------------------------------------------------------------ feature gating */

enum { F_SUPPORTED, F_VALUES, F_MISSING, F_IGNORED };

/* Syntax that shows a script uses a feature: atoms equal to one of these, or starting with
 * one that ends in '.' or '-' (a family of built-ins). */
static const char *const async_marks[] = {"async", "stream", "future", "task.", "subtask.", "waitable-set.",
                                          "waitable.", "backpressure.", "context.", "thread.", "callback",
                                          "error-context", "error-context.", "yield", NULL};
static const char *const thread_marks[] = {"thread.", "shared", NULL};
static const char *const exn_marks[] = {"tag", "throw", "throw_ref", "try_table", "exnref", NULL};
static const char *const page_marks[] = {"pagesize", NULL};
static const char *const errctx_marks[] = {"error-context", "error-context.", NULL};
static const char *const implements_marks[] = {"implements", NULL};
static const char *const mem64_marks[] = {NULL};  /* a 64-bit memory or table */

static const struct {
  const char *name;   /* wasm-tools spelling; wasmtime's uses '_' for '-' */
  uint8_t what;
  const char *label;  /* how the skip report names it */
  const char *const *marks; /* NULL: always needed once enabled */
} feature_table[] = {
    {"component-model", F_SUPPORTED, NULL, NULL},
    {"simd", F_SUPPORTED, NULL, NULL},
    {"reference-types", F_SUPPORTED, NULL, NULL},
    {"bulk-memory", F_SUPPORTED, NULL, NULL},
    {"multi-memory", F_SUPPORTED, NULL, NULL},
    {"multi-value", F_SUPPORTED, NULL, NULL},
    {"sign-extension", F_SUPPORTED, NULL, NULL},
    {"saturating-float-to-int", F_SUPPORTED, NULL, NULL},
    {"mutable-global", F_SUPPORTED, NULL, NULL},
    {"hogs-memory", F_IGNORED, NULL, NULL}, /* wasmtime: a property of the test, not a feature */
    {"cm-values", F_VALUES, NULL, NULL},
    {"cm-async", F_MISSING, "component model async", async_marks},
    {"component-model-async", F_MISSING, "component model async", async_marks},
    {"cm-async-stackful", F_MISSING, "component model async (stackful)", async_marks},
    {"component-model-async-stackful", F_MISSING, "component model async (stackful)", async_marks},
    {"cm-more-async-builtins", F_MISSING, "component model async built-ins", async_marks},
    {"component-model-more-async-builtins", F_MISSING, "component model async built-ins", async_marks},
    {"cm-async-builtins", F_MISSING, "component model async built-ins", async_marks},
    {"component-model-async-builtins", F_MISSING, "component model async built-ins", async_marks},
    {"cm-threading", F_MISSING, "component model threading", thread_marks},
    {"component-model-threading", F_MISSING, "component model threading", thread_marks},
    {"shared-everything-threads", F_MISSING, "shared-everything threads", thread_marks},
    {"threads", F_MISSING, "threads", thread_marks},
    {"cm-error-context", F_MISSING, "component model error-context", errctx_marks},
    {"component-model-error-context", F_MISSING, "component model error-context", errctx_marks},
    {"cm-fixed-length-lists", F_MISSING, "component model fixed-length lists", NULL},
    {"component-model-fixed-length-lists", F_MISSING, "component model fixed-length lists", NULL},
    {"cm-map", F_MISSING, "component model maps", NULL},
    {"component-model-map", F_MISSING, "component model maps", NULL},
    {"cm-nested-names", F_MISSING, "component model nested names", NULL},
    {"cm-implements", F_MISSING, "component model `implements`", implements_marks},
    {"component-model-implements", F_MISSING, "component model `implements`", implements_marks},
    {"cm-canon-names", F_MISSING, "component model canon names", NULL},
    {"cm-gc", F_MISSING, "component model gc", NULL},
    {"component-model-gc", F_MISSING, "component model gc", NULL},
    {"gc", F_MISSING, "gc", NULL},
    {"gc-types", F_MISSING, "gc", NULL},
    {"function-references", F_MISSING, "function references", NULL},
    {"cm64", F_MISSING, "component model memory64", NULL},
    {"component-model-memory64", F_MISSING, "component model memory64", NULL},
    {"memory64", F_MISSING, "memory64", mem64_marks},
    {"custom-page-sizes", F_MISSING, "custom page sizes", page_marks},
    {"exceptions", F_MISSING, "exception handling", exn_marks},
    {"tail-call", F_MISSING, "tail calls", NULL},
    {"extended-const", F_MISSING, "extended constant expressions", NULL},
    {"relaxed-simd", F_MISSING, "relaxed simd", NULL},
    {"stack-switching", F_MISSING, "stack switching", NULL},
    {"wide-arithmetic", F_MISSING, "wide arithmetic", NULL},
};

static bool atom_marks(const text_sx_t *x, const char *const *marks) {
  for (size_t k = 0; marks[k]; k++) {
    size_t n = strlen(marks[k]);
    bool family = marks[k][n - 1] == '.';
    if (family ? x->len > n && memcmp(x->text, marks[k], n) == 0 : text_sx_is_atom(x, marks[k])) return true;
  }
  return false;
}

/* A core memory or table whose type has `atom` (i64: 64-bit addresses, `(memory ... i64
 * ...)`, `(table ... i64 ...)`). */
static bool is_memory_with(const text_sx_t *x, const char *atom) {
  if (!text_sx_is_form(x, "memory") && !text_sx_is_form(x, "table")) return false;
  for (uint32_t i = 1; i < x->nitems; i++)
    if (text_sx_is_atom(&x->items[i], atom)) return true;
  return false;
}


/* True if some atom of items[0..n) (recursively) is one of marks, or (marks == mem64_marks)
 * some list is a 64-bit memory or table.  Iterative: documents nest deeply. */
static bool sx_uses(const text_sx_t *items, uint32_t n, const char *const *marks) {
  typedef struct {
    const text_sx_t *items;
    uint32_t n, i;
  } frame_t;
  VEC(frame_t) st = {0};
  frame_t top = {items, n, 0};
  bool found = false;
  for (;;) {
    if (top.i == top.n) {
      if (!st.len) break;
      top = VEC_POP(&st);
      continue;
    }
    const text_sx_t *x = &top.items[top.i++];
    if (marks == mem64_marks ? is_memory_with(x, "i64") : x->kind == SX_ATOM && atom_marks(x, marks)) {
      found = true;
      break;
    }
    if (x->kind == SX_LIST && x->nitems) {
      if (!VEC_PUSH(&st, top)) {
        found = true; /* out of memory: assume the worst */
        break;
      }
      top = (frame_t){x->items, x->nitems, 0};
    }
  }
  VEC_FREE(&st);
  return found;
}

static bool doc_uses(const text_doc_t *doc, const char *const *marks) { return sx_uses(doc->items, doc->nitems, marks); }

/* Applies one feature setting; name is n bytes, in either spelling. */
static void gate_feature(const text_doc_t *doc, text_wast_gate_t *g, const char *name, size_t n, bool on) {
  char norm[64];
  if (n == 0 || g->missing) return;
  if (n >= sizeof norm) n = sizeof norm - 1;
  for (size_t i = 0; i < n; i++) norm[i] = name[i] == '_' ? '-' : name[i];
  norm[n] = 0;
  for (size_t i = 0; i < sizeof feature_table / sizeof feature_table[0]; i++) {
    if (strcmp(feature_table[i].name, norm) != 0) continue;
    switch (feature_table[i].what) {
    case F_IGNORED: return;
    case F_VALUES: g->values = on; return;
    case F_SUPPORTED:
      if (!on) {
        snprintf(g->buf, sizeof g->buf, "turning %s off (weld always has it)", norm);
        g->missing = g->buf;
      }
      return;
    case F_MISSING:
      if (on && (!feature_table[i].marks || doc_uses(doc, feature_table[i].marks))) {
        snprintf(g->buf, sizeof g->buf, "%s", feature_table[i].label);
        g->missing = g->buf;
      }
      return;
    }
  }
  if (on) { /* a feature weld does not know of */
    snprintf(g->buf, sizeof g->buf, "%s", norm);
    g->missing = g->buf;
  }
}

/* "a,-b,c" */
static void gate_list(const text_doc_t *doc, text_wast_gate_t *g, const char *s, size_t n) {
  while (n) {
    size_t k = 0;
    while (k < n && s[k] != ',') k++;
    bool on = !(k && s[0] == '-');
    gate_feature(doc, g, s + !on, k - !on, on);
    s += k;
    n -= k;
    if (n) s++, n--;
  }
}

/* The feature arguments of a wasm-tools RUN command line (joined continuation lines). */
static void gate_run_line(const text_doc_t *doc, text_wast_gate_t *g, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    size_t st = i;
    while (i < n && s[i] != ' ' && s[i] != '\t') i++;
    const char *t = s + st;
    size_t tn = i - st;
    if ((tn == 2 && !memcmp(t, "-f", 2)) || (tn == 10 && !memcmp(t, "--features", 10))) {
      while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
      size_t vs = i;
      while (i < n && s[i] != ' ' && s[i] != '\t') i++;
      gate_list(doc, g, s + vs, i - vs);
    } else if (tn > 3 && !memcmp(t, "-f=", 3)) {
      gate_list(doc, g, t + 3, tn - 3);
    } else if (tn > 11 && !memcmp(t, "--features=", 11)) {
      gate_list(doc, g, t + 11, tn - 11);
    }
  }
}

void text_wast_gate(const text_doc_t *doc, text_wast_gate_t *g) {
  memset(g, 0, sizeof *g);
  const char *s = doc->src, *end = doc->src + doc->src_len;
  bool run_seen = false;
  while (s < end && !g->missing) {
    const char *eol = memchr(s, '\n', (size_t)(end - s));
    if (!eol) eol = end;
    size_t n = (size_t)(eol - s);
    if (n >= 3 && !memcmp(s, ";;!", 3)) {
      /* ;;! name = true|false */
      const char *p = s + 3, *q;
      while (p < eol && *p == ' ') p++;
      q = p;
      while (q < eol && *q != ' ' && *q != '=') q++;
      const char *v = memchr(q, '=', (size_t)(eol - q));
      if (v) {
        v++;
        while (v < eol && *v == ' ') v++;
        bool on = (size_t)(eol - v) >= 4 && !memcmp(v, "true", 4);
        gate_feature(doc, g, p, (size_t)(q - p), on);
      }
    } else if (!run_seen && n >= 7 && !memcmp(s, ";; RUN:", 7)) {
      /* the first RUN line (with its `\` continuations); RUN[variant] lines are other
       * configurations of the same script */
      run_seen = true;
      base_buf_t line = {0};
      const char *p = s + 7;
      for (;;) {
        size_t ln = (size_t)(eol - p);
        while (ln && (p[ln - 1] == '\r' || p[ln - 1] == ' ')) ln--;
        bool more = ln && p[ln - 1] == '\\';
        base_buf_bytes(&line, p, more ? ln - 1 : ln);
        base_buf_byte(&line, ' ');
        if (!more || eol >= end) break;
        s = eol + 1;
        eol = memchr(s, '\n', (size_t)(end - s));
        if (!eol) eol = end;
        if ((size_t)(eol - s) < 2 || memcmp(s, ";;", 2)) break;
        p = s + 2;
      }
      if (!line.oom) gate_run_line(doc, g, (const char *)line.data, line.len);
      base_buf_free(&line);
    }
    s = eol < end ? eol + 1 : end;
  }
}

/* ------------------------------------------------------------------ context */

static weld_error_t *context(runner_t *r, text_wast_comp_t **out) {
  if (r->comp) {
    *out = r->comp;
    return NULL;
  }
  text_wast_comp_t *c = base_calloc(1, sizeof *c);
  if (!c) return base_error_oom();
  c->linker = weld_linker_new(r->engine);
  if (!c->linker) {
    base_free(c, sizeof *c);
    return base_error_oom();
  }
  weld_linker_allow_shadowing(c->linker, true); /* `$name` may be defined again later */
  weld_error_t *err = text_wast_host_new(r->engine, c->linker, &c->host);
  if (err) {
    weld_linker_delete(c->linker);
    base_free(c, sizeof *c);
    return err;
  }
  r->comp = c;
  *out = c;
  return NULL;
}

void text_wast_comp_free(runner_t *r) {
  text_wast_comp_t *c = r->comp;
  if (!c) return;
  weld_linker_delete(c->linker);
  text_wast_host_delete(c->host);
  base_free(c, sizeof *c);
  r->comp = NULL;
}

bool text_wast_entry_is_component(const entry_t *e) {
  return e->kind == ENT_COMP_INSTANCE || e->kind == ENT_COMP_DEFINITION || e->kind == ENT_COMP_VALIDATED;
}

/* ------------------------------------------------------------------ loading */

typedef enum load_outcome { LOAD_OK, LOAD_REJECTED, LOAD_SKIP } load_outcome_t;

typedef struct loaded {
  base_buf_t bin;
  weld_component_t *comp; /* when compiled */
  char feature[128];      /* LOAD_SKIP */
} loaded_t;

static void loaded_free(loaded_t *l) {
  base_buf_free(&l->bin);
  if (l->comp) weld_component_delete(l->comp);
  l->comp = NULL;
}

/* Describes a rejection of component c in why ("rejected \"msg\""); LOAD_SKIP if it is "not
 * supported".  wasm-tools scripts use 64-bit and shared memories freely (memory64 and
 * threads are on by default there); weld's core decoder names those ("not supported:
 * memory64", "not supported: threads (shared memory)"), so they are skipped like any other
 * missing feature. */
static load_outcome_t rejected(const text_sx_t *c, weld_error_t *e, base_buf_t *why, loaded_t *l) {
  (void)c;
  const char *msg = weld_error_message(e);
  bool ns = text_wast_not_supported(msg, l->feature, sizeof l->feature);
  base_buf_printf(why, "rejected ");
  text_wast_put_msg(why, msg);
  weld_error_delete(e);
  return ns ? LOAD_SKIP : LOAD_REJECTED;
}

/* Text (or binary/quote form) to bytes, then validated (validate: only that) or compiled. */
static load_outcome_t load(runner_t *r, const text_sx_t *c, bool compile, loaded_t *l, base_buf_t *why) {
  memset(l, 0, sizeof *l);
  weld_error_t *e = text_encode_component(r->doc, c, &l->bin, NULL);
  if (!e && l->bin.oom) e = base_error_oom();
  if (e) return rejected(c, e, why, l);
  const uint8_t *bytes = l->bin.data ? l->bin.data : (const uint8_t *)"";
  if (compile)
    e = weld_component_new(r->engine, bytes, l->bin.len, &l->comp);
  else
    e = weld_component_validate(r->engine, bytes, l->bin.len, r->gate.values ? WELD_CFEATURE_VALUES : 0);
  return e ? rejected(c, e, why, l) : LOAD_OK;
}

/* The $id of a component form (after `definition`), or NULL. */
static const text_sx_t *comp_id(const text_sx_t *x) {
  uint32_t i = 1;
  if (x->nitems > i && text_sx_is_atom(&x->items[i], "definition")) i++;
  return x->nitems > i && x->items[i].kind == SX_ID ? &x->items[i] : NULL;
}

/* "name" of $name as a C string (NULL on allocation failure). */
static char *id_string(const text_sx_t *id) {
  const char *p;
  size_t n;
  text_sx_id_name(id, &p, &n);
  return base_strndup(p, n);
}

typedef enum inst_outcome { INST_OK, INST_ERROR, INST_TRAP, INST_SKIP } inst_outcome_t;

/* Links and instantiates c; on anything but INST_OK why says what happened. */
static inst_outcome_t instantiate(runner_t *r, weld_component_t *c, weld_cinstance_t **out, base_buf_t *why,
                                  bool *budget, char *feature, size_t cap) {
  *out = NULL;
  *budget = false;
  text_wast_comp_t *cx = NULL;
  weld_error_t *e = context(r, &cx);
  weld_instance_pre_t *pre = NULL;
  if (!e) e = weld_linker_instantiate_pre(cx->linker, c, &pre);
  if (e) {
    const char *msg = weld_error_message(e);
    bool ns = text_wast_not_supported(msg, feature, cap);
    base_buf_printf(why, "error ");
    text_wast_put_msg(why, msg);
    weld_error_delete(e);
    return ns ? INST_SKIP : INST_ERROR;
  }
  weld_trap_t *trap = NULL;
  text_wast_arm(r);
  e = weld_instance_pre_instantiate(pre, r->store, out, &trap);
  bool fired = text_wast_disarm(r);
  weld_instance_pre_delete(pre);
  if (e) {
    base_buf_printf(why, "error ");
    text_wast_put_msg(why, weld_error_message(e));
    weld_error_delete(e);
    if (trap) weld_trap_delete(trap);
    *out = NULL;
    return INST_ERROR;
  }
  if (trap) {
    *budget = text_wast_budget_trap(r, trap, fired);
    text_wast_describe_trap(r, trap, fired, why);
    weld_trap_delete(trap);
    *out = NULL;
    return INST_TRAP;
  }
  if (!*out) {
    base_buf_printf(why, "error \"no instance returned\"");
    return INST_ERROR;
  }
  return INST_OK;
}

/* Makes a component instance importable as `name` by later components. */
static weld_error_t *register_instance(runner_t *r, const char *name, weld_cinstance_t *inst) {
  text_wast_comp_t *cx = NULL;
  weld_error_t *e = context(r, &cx);
  if (!e) e = weld_linker_instance_from(weld_linker_root(cx->linker), name, inst);
  return e;
}

/* Binds a new component instance entry ($id, current, and the linker name). */
static void bind_instance(runner_t *r, const text_sx_t *id, const char *regname, entry_t *en) {
  text_wast_bind_id(r, id, en);
  r->current = en;
  if (!regname) return;
  weld_error_t *e = register_instance(r, regname, en->cinst);
  if (e) { /* reported with the command; the instance itself is fine */
    base_buf_printf(&r->act, " (cannot register as '%s': ", regname);
    text_wast_put_msg(&r->act, weld_error_message(e));
    base_buf_byte(&r->act, ')');
    weld_error_delete(e);
  }
}

static void fail_entry(runner_t *r, const text_sx_t *id) {
  char reason[64];
  snprintf(reason, sizeof reason, "the component at line %u did not load", r->line);
  entry_t *e = text_wast_placeholder(r, ENT_FAILED, reason);
  text_wast_bind_id(r, id, e);
  r->current = e;
  text_wast_report(r, TEXT_WAST_FAIL, NULL);
}

static void skip_entry(runner_t *r, const text_sx_t *id, const char *feature) {
  entry_t *e = text_wast_placeholder(r, ENT_SKIPPED, feature);
  text_wast_bind_id(r, id, e);
  r->current = e;
  text_wast_report(r, TEXT_WAST_SKIP, feature);
}

/* Instantiates c as the command's component; reports. */
static void instantiate_command(runner_t *r, weld_component_t *c, weld_component_t *owned, const text_sx_t *id) {
  weld_cinstance_t *inst;
  bool budget;
  char feature[128];
  inst_outcome_t res = instantiate(r, c, &inst, &r->act, &budget, feature, sizeof feature);
  if (res == INST_SKIP) {
    if (owned) weld_component_delete(owned);
    skip_entry(r, id, feature);
    return;
  }
  entry_t *en = res == INST_OK ? text_wast_new_entry(r, ENT_COMP_INSTANCE) : NULL;
  if (res == INST_OK && !en) base_buf_printf(&r->act, "error \"out of memory\"");
  if (!en) {
    if (owned) weld_component_delete(owned);
    fail_entry(r, id);
    return;
  }
  en->comp = owned;
  en->cinst = inst;
  base_buf_printf(&r->act, "component instantiated");
  char *name = id ? id_string(id) : NULL;
  bind_instance(r, id, name, en);
  if (name) base_free(name, strlen(name) + 1);
  text_wast_report(r, TEXT_WAST_PASS, NULL);
}

/* (component instance $I? $D?) */
static void cmd_instance(runner_t *r, const text_sx_t *x) {
  uint32_t i = 2;
  const text_sx_t *id = NULL;
  entry_t *def = NULL;
  for (size_t k = r->entries.len; k-- > 0 && !def;) /* default: the newest definition */
    if (r->entries.data[k]->kind == ENT_COMP_DEFINITION || r->entries.data[k]->definition) def = r->entries.data[k];
  if (x->nitems > i && x->items[i].kind == SX_ID) id = &x->items[i++];
  if (x->nitems > i && x->items[i].kind == SX_ID) def = text_wast_lookup_def(r, &x->items[i++]);
  if (x->nitems != i) {
    base_buf_printf(&r->act, "error \"component instance takes an instance name and a definition name\"");
    fail_entry(r, id);
    return;
  }
  if (def && def->kind == ENT_SKIPPED) {
    skip_entry(r, id, def->reason);
    return;
  }
  if (def && def->kind == ENT_COMP_DEFINITION) {
    instantiate_command(r, def->comp, NULL, id);
    return;
  }
  if (def && def->kind == ENT_COMP_VALIDATED && def->bytes) {
    /* validation mode: another lazily instantiated copy */
    entry_t *en = text_wast_new_entry(r, ENT_COMP_VALIDATED);
    if (en) en->bytes = base_alloc(def->nbytes ? def->nbytes : 1);
    if (!en || !en->bytes) {
      base_buf_printf(&r->act, "error \"out of memory\"");
      fail_entry(r, id);
      return;
    }
    memcpy(en->bytes, def->bytes, def->nbytes);
    en->nbytes = def->nbytes;
    en->regname = id ? id_string(id) : NULL;
    text_wast_bind_id(r, id, en);
    r->current = en;
    base_buf_printf(&r->act, "component valid");
    text_wast_report(r, TEXT_WAST_PASS, NULL);
    return;
  }
  base_buf_printf(&r->act, "error \"%s\"", def && def->kind == ENT_FAILED ? def->reason : "no component definition to instantiate");
  fail_entry(r, id);
}

void text_wast_comp_module(runner_t *r, const text_sx_t *x) {
  base_buf_printf(&r->exp, "component loads");
  if (x->nitems > 1 && text_sx_is_atom(&x->items[1], "instance")) {
    cmd_instance(r, x);
    return;
  }
  bool definition = x->nitems > 1 && text_sx_is_atom(&x->items[1], "definition");
  const text_sx_t *id = comp_id(x);
  bool validate = r->o->validate_components;
  loaded_t l;
  load_outcome_t lo = load(r, x, !validate, &l, &r->act);
  if (lo == LOAD_SKIP) {
    loaded_free(&l);
    skip_entry(r, id, l.feature);
    return;
  }
  if (lo == LOAD_REJECTED) {
    loaded_free(&l);
    fail_entry(r, id);
    return;
  }
  if (validate) {
    /* kept as bytes; instantiated when an action needs it */
    entry_t *en = text_wast_new_entry(r, ENT_COMP_VALIDATED);
    if (en) {
      en->nbytes = l.bin.len;
      en->bytes = base_alloc(l.bin.len ? l.bin.len : 1);
      if (en->bytes && l.bin.len) memcpy(en->bytes, l.bin.data, l.bin.len);
      en->regname = id && !definition ? id_string(id) : NULL;
      en->definition = definition;
    }
    loaded_free(&l);
    if (!en || !en->bytes) {
      base_buf_printf(&r->act, "error \"out of memory\"");
      fail_entry(r, id);
      return;
    }
    text_wast_bind_id(r, id, en);
    if (!definition) r->current = en;
    base_buf_printf(&r->act, "component valid");
    text_wast_report(r, TEXT_WAST_PASS, NULL);
    return;
  }
  weld_component_t *c = l.comp;
  l.comp = NULL;
  loaded_free(&l);
  if (definition) {
    entry_t *en = text_wast_new_entry(r, ENT_COMP_DEFINITION);
    if (!en) {
      weld_component_delete(c);
      base_buf_printf(&r->act, "error \"out of memory\"");
      fail_entry(r, id);
      return;
    }
    en->comp = c;
    text_wast_bind_id(r, id, en); /* (a definition does not become the current instance) */
    base_buf_printf(&r->act, "component compiled");
    text_wast_report(r, TEXT_WAST_PASS, NULL);
    return;
  }
  instantiate_command(r, c, c, id);
}

/* ------------------------------------------------------------------ assertions */

static const text_sx_t *message_of(const text_sx_t *x, uint32_t i) {
  return x->nitems > i && x->items[i].kind == SX_STRING ? &x->items[i] : NULL;
}

static bool contains(const text_sx_t *s, const char *w) {
  size_t n = strlen(w);
  for (size_t i = 0; s && i + n <= s->str_len; i++)
    if (memcmp(s->str + i, w, n) == 0) return true;
  return false;
}

/* The expected message says the input is rejected because a feature is off. */
static bool expects_missing_feature(const text_sx_t *msg) {
  return contains(msg, "feature") || contains(msg, "not enabled") || contains(msg, "proposal");
}

void text_wast_comp_assert_rejected(runner_t *r, const text_sx_t *x, const text_sx_t *c) {
  loaded_t l;
  load_outcome_t lo = load(r, c, !r->o->validate_components, &l, &r->act);
  loaded_free(&l);
  if (lo == LOAD_OK) {
    base_buf_printf(&r->act, "component accepted");
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
  } else if (lo == LOAD_SKIP && !expects_missing_feature(message_of(x, 2))) {
    text_wast_report(r, TEXT_WAST_SKIP, l.feature);
  } else {
    text_wast_report(r, TEXT_WAST_PASS, NULL);
  }
}

void text_wast_comp_assert_instantiate(runner_t *r, const text_sx_t *x, const text_sx_t *c, bool want_trap) {
  (void)x;
  loaded_t l;
  load_outcome_t lo = load(r, c, true, &l, &r->act);
  if (lo != LOAD_OK) {
    loaded_free(&l);
    text_wast_report(r, lo == LOAD_SKIP ? TEXT_WAST_SKIP : TEXT_WAST_FAIL, lo == LOAD_SKIP ? l.feature : NULL);
    return;
  }
  weld_cinstance_t *inst;
  bool budget;
  char feature[128];
  inst_outcome_t res = instantiate(r, l.comp, &inst, &r->act, &budget, feature, sizeof feature);
  loaded_free(&l);
  if (res == INST_SKIP) {
    text_wast_report(r, TEXT_WAST_SKIP, feature);
    return;
  }
  if (res == INST_OK) base_buf_printf(&r->act, "component instantiated");
  bool ok = want_trap ? res == INST_TRAP && !budget : res == INST_ERROR;
  text_wast_report(r, ok ? TEXT_WAST_PASS : TEXT_WAST_FAIL, NULL);
}

bool text_wast_comp_register(runner_t *r, entry_t *e, const uint8_t *name, size_t len) {
  char *s = base_strndup((const char *)name, len);
  if (!s) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    return false;
  }
  bool ok = true;
  if (e->kind == ENT_COMP_INSTANCE) {
    weld_error_t *err = register_instance(r, s, e->cinst);
    if (err) {
      base_buf_printf(&r->act, "error ");
      text_wast_put_msg(&r->act, weld_error_message(err));
      weld_error_delete(err);
      ok = false;
    }
  } else if (e->kind == ENT_COMP_VALIDATED) {
    if (e->regname) base_free(e->regname, strlen(e->regname) + 1);
    e->regname = s;
    s = NULL;
  } else {
    base_buf_printf(&r->act, "error \"a component definition cannot be registered\"");
    ok = false;
  }
  if (s) base_free(s, len + 1);
  return ok;
}

/* ------------------------------------------------------------------ actions */

/* Validation mode: the component is instantiated the first time an action needs it; the
 * entry becomes an instance, a failed or a skipped entry. */
static bool ensure_instance(runner_t *r, entry_t *e) {
  if (e->kind == ENT_COMP_INSTANCE) return true;
  if (e->kind == ENT_COMP_DEFINITION || e->definition) {
    base_buf_printf(&r->act, "error \"component definition is not instantiated\"");
    return false;
  }
  weld_component_t *c = NULL;
  weld_error_t *err = weld_component_new(r->engine, e->bytes, e->nbytes, &c);
  char feature[128];
  base_buf_t why = {0};
  inst_outcome_t res = INST_ERROR;
  weld_cinstance_t *inst = NULL;
  if (err) {
    bool ns = text_wast_not_supported(weld_error_message(err), feature, sizeof feature);
    base_buf_printf(&why, "rejected ");
    text_wast_put_msg(&why, weld_error_message(err));
    weld_error_delete(err);
    res = ns ? INST_SKIP : INST_ERROR;
  } else {
    bool budget;
    res = instantiate(r, c, &inst, &why, &budget, feature, sizeof feature);
  }
  base_free(e->bytes, e->nbytes ? e->nbytes : 1);
  e->bytes = NULL;
  e->nbytes = 0;
  if (res == INST_OK) {
    e->kind = ENT_COMP_INSTANCE;
    e->comp = c;
    e->cinst = inst;
    if (e->regname) {
      weld_error_t *re = register_instance(r, e->regname, inst);
      if (re) weld_error_delete(re);
    }
    base_buf_free(&why);
    return true;
  }
  if (c) weld_component_delete(c);
  base_buf_byte(&why, 0);
  char reason[300];
  snprintf(reason, sizeof reason, "the component could not be instantiated: %s", why.oom ? "out of memory" : (const char *)why.data);
  base_buf_free(&why);
  e->kind = res == INST_SKIP ? ENT_SKIPPED : ENT_FAILED;
  e->reason = base_strdup(res == INST_SKIP ? feature : reason);
  if (res != INST_SKIP) base_buf_printf(&r->act, "%s", reason);
  return false;
}

/* Gives up the resource handles in a result value without running destructors. */
static void forget_handles(weld_cval_t *v, unsigned depth) {
  if (!v || depth > 200) return;
  switch (v->kind) {
  case WELD_CK_OWN:
  case WELD_CK_BORROW:
    if (v->of.resource) weld_resource_forget(v->of.resource);
    v->of.resource = NULL;
    break;
  case WELD_CK_LIST:
  case WELD_CK_RECORD:
  case WELD_CK_TUPLE:
    for (size_t i = 0; i < v->of.items.len; i++) forget_handles(&v->of.items.ptr[i], depth + 1);
    break;
  case WELD_CK_VARIANT: forget_handles(v->of.variant.payload, depth + 1); break;
  case WELD_CK_OPTION: forget_handles(v->of.option, depth + 1); break;
  case WELD_CK_RESULT: forget_handles(v->of.result.payload, depth + 1); break;
  default: break;
  }
}

static void put_values(base_buf_t *b, const weld_cval_t *v, size_t n, const weld_ctype_t *ft) {
  if (n == 0) base_buf_printf(b, "no values");
  for (size_t k = 0; k < n; k++) {
    if (k) base_buf_byte(b, ' ');
    text_wast_print_cval(b, &v[k], weld_ctype_result(ft, k));
  }
}

static void put_error(runner_t *r, weld_error_t *e) {
  base_buf_printf(&r->act, "error ");
  text_wast_put_msg(&r->act, weld_error_message(e));
  weld_error_delete(e);
}

void text_wast_comp_action(runner_t *r, const text_sx_t *x, const text_sx_t *a, entry_t *e, int what) {
  /* expectations */
  size_t nexp = what == TEXT_WAST_DO_RETURN ? x->nitems - 2 : 0;
  if (what == TEXT_WAST_DO_ACTION) base_buf_printf(&r->exp, "success");
  if (what == TEXT_WAST_DO_RETURN) {
    if (nexp == 0) base_buf_printf(&r->exp, "no values");
    for (size_t k = 0; k < nexp; k++) {
      if (k) base_buf_byte(&r->exp, ' ');
      text_wast_put_source(&r->exp, r->doc, &x->items[2 + k]);
    }
  }
  if (e->kind == ENT_SKIPPED) {
    text_wast_report(r, TEXT_WAST_SKIP, e->reason);
    return;
  }
  if (e->kind == ENT_FAILED) {
    base_buf_printf(&r->act, "not run: %s", e->reason);
    text_wast_report(r, TEXT_WAST_FAIL, NULL);
    return;
  }
  text_wast_cval_t *exp = base_calloc(nexp ? nexp : 1, sizeof *exp);
  weld_cval_t *args = NULL, *res = NULL;
  size_t nargs = 0, nbuilt = 0, nres = 0, nres_alloc = 0;
  char *fname = NULL;
  size_t nparsed = 0;
  text_wast_outcome_t outcome = TEXT_WAST_FAIL;
  const char *feature = NULL;
  if (!exp) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    goto done;
  }
  for (; nparsed < nexp; nparsed++) {
    weld_error_t *err = text_wast_parse_cval(r->doc, &x->items[2 + nparsed], true, &exp[nparsed]);
    if (err) {
      put_error(r, err);
      goto done;
    }
  }
  bool invoke = text_sx_is_form(a, "invoke");
  uint32_t i = 1;
  if (a->nitems > i && a->items[i].kind == SX_ID) i++;
  if (a->nitems <= i || a->items[i].kind != SX_STRING) {
    base_buf_printf(&r->act, "error \"%s needs an export name\"", invoke ? "invoke" : "get");
    goto done;
  }
  const text_sx_t *name = &a->items[i++];
  if (!invoke) {
    base_buf_printf(&r->act, "error \"get: components export no globals\"");
    goto done;
  }
  if (!ensure_instance(r, e)) {
    if (e->kind == ENT_SKIPPED) {
      outcome = TEXT_WAST_SKIP;
      feature = e->reason;
    }
    goto done;
  }
  fname = base_strndup((const char *)name->str, name->str_len);
  if (!fname) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    goto done;
  }
  weld_cfunc_t *f = strlen(fname) == name->str_len ? weld_cinstance_func_by_name(e->cinst, fname) : NULL;
  if (!f) {
    base_buf_printf(&r->act, "error \"no exported function ");
    text_wast_put_name(&r->act, name->str, name->str_len);
    base_buf_byte(&r->act, '"');
    goto done;
  }
  const weld_ctype_t *ft = weld_cfunc_type(f);
  size_t nparams = weld_ctype_count(ft);
  nargs = a->nitems - i;
  if (nargs != nparams) {
    base_buf_printf(&r->act, "error \"the function takes %zu arguments, %zu given\"", nparams, nargs);
    goto done;
  }
  nres = weld_ctype_result_count(ft);
  args = base_calloc(nargs ? nargs : 1, sizeof *args);
  nres_alloc = nres ? nres : 1;
  res = base_calloc(nres_alloc, sizeof *res);
  if (!args || !res) {
    base_buf_printf(&r->act, "error \"out of memory\"");
    goto done;
  }
  for (; nbuilt < nargs; nbuilt++) {
    text_wast_cval_t v;
    weld_error_t *err = text_wast_parse_cval(r->doc, &a->items[i + nbuilt], false, &v);
    if (!err) err = text_wast_cval_build(r->doc, &v, weld_ctype_member(ft, nbuilt), &args[nbuilt]);
    text_wast_cval_free(&v);
    if (err) {
      put_error(r, err);
      goto done;
    }
  }
  weld_trap_t *trap = NULL;
  text_wast_arm(r);
  weld_error_t *err = weld_cfunc_call(r->store, f, args, nargs, res, nres, &trap);
  bool fired = text_wast_disarm(r);
  if (err) {
    put_error(r, err);
    if (trap) weld_trap_delete(trap);
    nres = 0;
    goto done;
  }
  if (trap) {
    bool budget = text_wast_budget_trap(r, trap, fired);
    text_wast_describe_trap(r, trap, fired, &r->act);
    weld_trap_delete(trap);
    nres = 0;
    outcome = what == TEXT_WAST_DO_TRAP && !budget ? TEXT_WAST_PASS : TEXT_WAST_FAIL;
    goto done;
  }
  put_values(&r->act, res, nres, ft);
  if (what == TEXT_WAST_DO_ACTION) outcome = TEXT_WAST_PASS;
  if (what == TEXT_WAST_DO_RETURN) {
    bool ok = nres == nexp;
    for (size_t k = 0; ok && k < nexp; k++) ok = text_wast_cval_match(&exp[k], &res[k], weld_ctype_result(ft, k));
    outcome = ok ? TEXT_WAST_PASS : TEXT_WAST_FAIL;
  }
done:
  text_wast_report(r, outcome, feature);
  for (size_t k = 0; k < nparsed; k++) text_wast_cval_free(&exp[k]);
  if (exp) base_free(exp, (nexp ? nexp : 1) * sizeof *exp);
  for (size_t k = 0; args && k < nbuilt; k++) weld_cval_drop(&args[k]);
  if (args) base_free(args, (nargs ? nargs : 1) * sizeof *args);
  for (size_t k = 0; res && k < nres; k++) {
    forget_handles(&res[k], 0);
    weld_cval_drop(&res[k]);
  }
  if (res) base_free(res, nres_alloc * sizeof *res);
  if (fname) base_free(fname, strlen(fname) + 1);
}
