/* wast.c — `weld wast [options] FILE...`: runs .wast spec test scripts (the runner is
 * src/text/wast.c) and reports per file and per assertion:
 *
 *   path:line: assert_return: expected (i32.const 1), got (i32.const 2)   (each failure)
 *   path: 374 passed, 0 failed                                              (each file)
 *   N passed, N failed[, N skipped]                                         (the last line)
 *
 * With -v every counted command is printed.  Exit status 1 if anything failed.  Component
 * scripts run too (src/text/wast_component.c); with --validate-components their components
 * are only validated (the component validation suite).  Skipped commands (a feature weld
 * lacks) are counted apart and the per-file line names the features.
 *
 * Isolation: by default each script runs in a child process that streams its results
 * through a pipe.  If the child dies (a crash in the engine) or stops making progress, the
 * command it was running counts as one failure and the script is run again from the start,
 * skipping that command (its module counts as not loaded), reporting only what follows it.
 * So a crash-prone module costs one failure, never the rest of the suite.  --no-fork runs
 * everything in this process instead (for debuggers). */
#include "text/wast.h"
#include "tool.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RESTARTS 50
#define MAX_FEATURES 8

typedef struct options {
  bool verbose, fork, validate_components;
  uint32_t timeout_ms;
  uint64_t fuel;
  weld_config_t config;
} options_t;

/* Names of the optional features of weld/engine.h for --disable. */
static const struct {
  const char *name;
  uint32_t bit;
} features[] = {{"multi-memory", WELD_FEATURE_MULTI_MEMORY}};

/* "a,b,c" -> bits; false on an unknown name. */
static bool parse_features(const char *list, uint32_t *bits) {
  while (*list) {
    size_t n = strcspn(list, ",");
    bool found = false;
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
      if (strlen(features[i].name) == n && !strncmp(features[i].name, list, n)) {
        *bits |= features[i].bit;
        found = true;
      }
    if (!found) {
      fprintf(stderr, "weld wast: unknown feature '%.*s'\n", (int)n, list);
      return false;
    }
    list += n;
    if (*list) list++;
  }
  return true;
}

typedef struct file_report {
  const char *path;
  const options_t *opt;
  uint64_t passed, failed, skipped;
  char *features[MAX_FEATURES];
  size_t nfeatures;
} file_report_t;

static void note_feature(file_report_t *f, const char *feature) {
  for (size_t i = 0; i < f->nfeatures; i++)
    if (!strcmp(f->features[i], feature)) return;
  if (f->nfeatures < MAX_FEATURES) {
    char *s = strdup(feature);
    if (s) f->features[f->nfeatures++] = s;
  }
}

static void on_result(void *ud, const text_wast_result_t *r) {
  file_report_t *f = ud;
  switch (r->outcome) {
  case TEXT_WAST_PASS:
    f->passed++;
    if (f->opt->verbose)
      printf("%s:%u: %s: passed (expected %s, got %s)\n", f->path, r->line, r->command, r->expected, r->actual);
    break;
  case TEXT_WAST_FAIL:
    f->failed++;
    printf("%s:%u: %s: expected %s, got %s\n", f->path, r->line, r->command, r->expected, r->actual);
    break;
  case TEXT_WAST_SKIP:
    f->skipped++;
    note_feature(f, r->feature);
    if (f->opt->verbose) printf("%s:%u: %s: skipped (needs %s)\n", f->path, r->line, r->command, r->feature);
    break;
  }
}

static void fail_line(file_report_t *f, uint32_t line, const char *fmt, const char *detail) {
  f->failed++;
  if (line)
    printf("%s:%u: ", f->path, line);
  else
    printf("%s: ", f->path);
  printf(fmt, detail);
  printf("\n");
}

static text_wast_options_t run_options(const options_t *opt) {
  text_wast_options_t o;
  memset(&o, 0, sizeof o);
  o.timeout_ms = opt->timeout_ms;
  o.fuel = opt->fuel;
  o.config = &opt->config;
  o.validate_components = opt->validate_components;
  return o;
}

static void run_in_process(file_report_t *f, weld_engine_t *engine, const uint8_t *src, size_t len) {
  text_wast_options_t o = run_options(f->opt);
  o.engine = engine;
  o.on_result = on_result;
  o.ud = f;
  weld_error_t *e = text_wast_run((const char *)src, len, f->path, &o);
  if (e) {
    fail_line(f, 0, "cannot run the script: %s", weld_error_message(e));
    weld_error_delete(e);
  }
}

/* ------------------------------------------------------------------ child side */

/* Records: tag byte, then for 'B' (begin) index and line; 'R' (result) index, line,
 * outcome and four strings (command, expected, actual, feature) as u32 length + bytes;
 * 'E' (script error) one string; 'D' (done) nothing.  Integers are u32 in host order. */
static int child_fd = -1;
static uint8_t *child_buf;
static size_t child_len, child_cap;

/* Records are collected and written once per command (at its 'B'), so that the parent
 * always knows which command is running without one system call per field. */
static void child_flush(void) {
  const uint8_t *b = child_buf;
  size_t n = child_len;
  while (n) {
    ssize_t w = write(child_fd, b, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(3);
    b += w;
    n -= (size_t)w;
  }
  child_len = 0;
}

static void child_write(const void *p, size_t n) {
  if (child_cap - child_len < n) {
    size_t cap = child_cap ? child_cap : 4096;
    while (cap - child_len < n) cap *= 2;
    uint8_t *nb = realloc(child_buf, cap);
    if (!nb) _exit(4);
    child_buf = nb;
    child_cap = cap;
  }
  memcpy(child_buf + child_len, p, n);
  child_len += n;
}
static void put_u32(uint32_t v) { child_write(&v, 4); }
static void put_str(const char *s) {
  size_t n = strlen(s);
  put_u32((uint32_t)n);
  child_write(s, n);
}

/* Test hook for tests/spec/selftest.sh: WELD_WAST_TEST_FAULT=crash:LINE or hang:LINE makes
 * the child process crash or hang on the command at LINE (unless it is already known to
 * have crashed), to exercise the recovery below. */
static struct {
  char kind;
  uint32_t line;
  const uint32_t *crashed;
  size_t ncrashed;
} test_fault;

static void child_begin(void *ud, uint32_t index, uint32_t line) {
  (void)ud;
  child_write("B", 1);
  put_u32(index);
  put_u32(line);
  child_flush();
  if (test_fault.kind && line == test_fault.line) {
    for (size_t i = 0; i < test_fault.ncrashed; i++)
      if (test_fault.crashed[i] == index) return;
    if (test_fault.kind == 'c') {
      signal(SIGSEGV, SIG_DFL); /* the engine's fault handler would pass it on anyway */
      raise(SIGSEGV);
    }
    for (;;) pause();
  }
}

static void child_result(void *ud, const text_wast_result_t *r) {
  (void)ud;
  child_write("R", 1);
  put_u32(r->index);
  put_u32(r->line);
  put_u32((uint32_t)r->outcome);
  put_str(r->command);
  put_str(r->expected);
  put_str(r->actual);
  put_str(r->feature);
}

static void run_child(const options_t *opt, const char *path, const uint8_t *src, size_t len,
                      uint32_t first, const uint32_t *crashed, size_t ncrashed) {
  text_wast_options_t o = run_options(opt);
  o.first_reported = first;
  o.crashed = crashed;
  o.ncrashed = ncrashed;
  o.on_begin = child_begin;
  test_fault.crashed = crashed;
  test_fault.ncrashed = ncrashed;
  o.on_result = child_result;
  weld_error_t *e = text_wast_run((const char *)src, len, path, &o);
  if (e) {
    child_write("E", 1);
    put_str(weld_error_message(e));
    weld_error_delete(e);
  } else {
    child_write("D", 1);
  }
  child_flush();
}

/* ------------------------------------------------------------------ parent side */

typedef struct inbuf {
  uint8_t *data;
  size_t len, cap, pos;
} inbuf_t;

static bool in_u32(inbuf_t *b, uint32_t *v) {
  if (b->len - b->pos < 4) return false;
  memcpy(v, b->data + b->pos, 4);
  b->pos += 4;
  return true;
}
static bool in_str(inbuf_t *b, char **s) {
  uint32_t n;
  if (!in_u32(b, &n) || b->len - b->pos < n) return false;
  *s = (char *)b->data + b->pos; /* made NUL-terminated by the caller's copy */
  b->pos += n;
  return true;
}

typedef struct child_state {
  int64_t in_flight;      /* index of the command being run, -1 if none */
  uint32_t in_flight_line;
  bool done;
} child_state_t;

/* Parses complete records from b; returns false on a malformed record. */
static bool parse_records(inbuf_t *b, file_report_t *f, child_state_t *cs) {
  for (;;) {
    size_t start = b->pos;
    if (b->pos >= b->len) break;
    uint8_t tag = b->data[b->pos++];
    bool ok = true;
    if (tag == 'B') {
      uint32_t index, line;
      if (!in_u32(b, &index) || !in_u32(b, &line)) ok = false;
      else {
        cs->in_flight = index;
        cs->in_flight_line = line;
      }
    } else if (tag == 'R') {
      uint32_t index, line, outcome;
      char *s[4];
      uint32_t n[4];
      ok = in_u32(b, &index) && in_u32(b, &line) && in_u32(b, &outcome);
      for (int k = 0; ok && k < 4; k++) {
        size_t at = b->pos;
        ok = in_str(b, &s[k]);
        if (ok) n[k] = (uint32_t)(b->pos - at - 4);
      }
      if (ok) {
        char *copy[4];
        for (int k = 0; k < 4; k++) {
          copy[k] = malloc(n[k] + 1);
          if (copy[k]) {
            memcpy(copy[k], s[k], n[k]);
            copy[k][n[k]] = 0;
          }
        }
        if (copy[0] && copy[1] && copy[2] && copy[3] && outcome <= TEXT_WAST_SKIP) {
          text_wast_result_t r = {index, line, copy[0], (text_wast_outcome_t)outcome, copy[1], copy[2], copy[3]};
          on_result(f, &r);
        }
        for (int k = 0; k < 4; k++) free(copy[k]);
      }
    } else if (tag == 'E') {
      char *s;
      size_t at = b->pos;
      ok = in_str(b, &s);
      if (ok) {
        uint32_t n = (uint32_t)(b->pos - at - 4);
        printf("%s: cannot run the script: %.*s\n", f->path, (int)n, s);
        f->failed++;
        cs->done = true;
      }
    } else if (tag == 'D') {
      cs->done = true;
    } else {
      return false;
    }
    if (!ok) { /* incomplete: wait for more bytes */
      b->pos = start;
      break;
    }
  }
  if (b->pos == b->len) b->pos = b->len = 0;
  return true;
}

static bool in_reserve(inbuf_t *b, size_t n) {
  if (b->cap - b->len >= n) return true;
  if (b->pos) {
    memmove(b->data, b->data + b->pos, b->len - b->pos);
    b->len -= b->pos;
    b->pos = 0;
    if (b->cap - b->len >= n) return true;
  }
  size_t cap = b->cap ? b->cap * 2 : 1 << 16;
  while (cap - b->len < n) cap *= 2;
  uint8_t *d = realloc(b->data, cap);
  if (!d) return false;
  b->data = d;
  b->cap = cap;
  return true;
}

static void run_forked(file_report_t *f, const uint8_t *src, size_t len) {
  const options_t *opt = f->opt;
  uint32_t *crashed = NULL;
  size_t ncrashed = 0;
  uint32_t first = 0;
  /* The watchdog stops guest code after timeout_ms; a child silent for much longer is stuck
   * somewhere the watchdog cannot reach (compiler, decoder, host). */
  int hard_ms = opt->timeout_ms ? (int)(opt->timeout_ms * 3 + 2000) : -1;
  for (int restarts = 0;; restarts++) {
    int fds[2];
    if (pipe(fds)) {
      fail_line(f, 0, "cannot create a pipe: %s", strerror(errno));
      break;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      fail_line(f, 0, "cannot fork: %s", strerror(errno));
      break;
    }
    if (pid == 0) {
      close(fds[0]);
      child_fd = fds[1];
      run_child(opt, f->path, src, len, first, crashed, ncrashed);
      _exit(0);
    }
    close(fds[1]);
    inbuf_t in = {0};
    child_state_t cs = {-1, 0, false};
    bool hung = false, garbled = false;
    for (;;) {
      struct pollfd p = {fds[0], POLLIN, 0};
      int pr = poll(&p, 1, hard_ms);
      if (pr < 0 && errno == EINTR) continue;
      if (pr == 0) {
        hung = true;
        kill(pid, SIGKILL);
        break;
      }
      if (!in_reserve(&in, 1 << 16)) break;
      ssize_t n = read(fds[0], in.data + in.len, in.cap - in.len);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      in.len += (size_t)n;
      if (!parse_records(&in, f, &cs)) {
        garbled = true;
        kill(pid, SIGKILL);
        break;
      }
    }
    close(fds[0]);
    free(in.data);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (cs.done && !hung && !garbled) break;

    char why[160];
    if (hung)
      snprintf(why, sizeof why, "no progress for %d s, killed", hard_ms / 1000);
    else if (garbled)
      snprintf(why, sizeof why, "garbled report from the runner process");
    else if (WIFSIGNALED(status))
      snprintf(why, sizeof why, "crashed (signal %d: %s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
      snprintf(why, sizeof why, "runner process exited with status %d", WEXITSTATUS(status));
    if (cs.in_flight < 0) {
      fail_line(f, 0, "%s outside of any command; the rest of the script was not run", why);
      break;
    }
    f->failed++;
    printf("%s:%u: command crashed the runner: %s\n", f->path, cs.in_flight_line, why);
    if (restarts >= MAX_RESTARTS) {
      fail_line(f, 0, "%s", "too many crashes; the rest of the script was not run");
      break;
    }
    uint32_t *nc = realloc(crashed, (ncrashed + 1) * sizeof *nc);
    if (!nc) break;
    crashed = nc;
    crashed[ncrashed++] = (uint32_t)cs.in_flight;
    if ((uint32_t)cs.in_flight + 1 > first) first = (uint32_t)cs.in_flight + 1;
  }
  free(crashed);
}

/* ------------------------------------------------------------------ command */

static int usage(void) {
  fprintf(stderr,
          "usage: weld wast [-v] [--timeout SECONDS] [--fuel N] [--disable FEATURES] [--validate-components]\n"
          "                 [--no-fork] FILE...\n"
          "  runs WebAssembly spec test scripts (.wast)\n"
          "  -v             print every assertion, not only failures\n"
          "  --timeout S    interrupt an action or instantiation after S seconds (default 10, 0 = never);\n"
          "                 a script process silent for 3*S+2 seconds is killed\n"
          "  --fuel N       also bound every action by N units of fuel (default: off)\n"
          "  --disable F,.. reject modules using these optional features (multi-memory)\n"
          "  --validate-components  only validate (component ...) forms, as wasm-tools does; a component\n"
          "                 is instantiated when an action needs it (the component validation suite)\n"
          "  --no-fork      run in this process (no crash isolation; for debuggers)\n");
  return 2;
}

int cmd_wast(int argc, char **argv) {
  options_t opt;
  memset(&opt, 0, sizeof opt);
  opt.fork = true;
  opt.timeout_ms = 10000;
  int nfiles = 0;
  char **files = calloc((size_t)argc, sizeof *files);
  if (!files) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) opt.verbose = true;
    else if (!strcmp(a, "--no-fork")) opt.fork = false;
    else if (!strcmp(a, "--validate-components")) opt.validate_components = true;
    else if (!strcmp(a, "--disable") && i + 1 < argc) {
      if (!parse_features(argv[++i], &opt.config.disabled_features)) {
        free(files);
        return usage();
      }
    }
    else if ((!strcmp(a, "--timeout") || !strcmp(a, "--fuel")) && i + 1 < argc) {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(argv[++i], &end, 10);
      if (errno || *end || end == argv[i] || (a[2] == 't' && v > 4000000)) {
        free(files);
        return usage();
      }
      if (a[2] == 't') opt.timeout_ms = (uint32_t)v * 1000;
      else opt.fuel = v;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      free(files);
      usage();
      return 0;
    } else if (a[0] == '-' && a[1]) {
      free(files);
      return usage();
    } else {
      files[nfiles++] = argv[i];
    }
  }
  if (!nfiles) {
    free(files);
    return usage();
  }
  const char *fault = getenv("WELD_WAST_TEST_FAULT");
  if (fault && (!strncmp(fault, "crash:", 6) || !strncmp(fault, "hang:", 5))) {
    test_fault.kind = fault[0];
    test_fault.line = (uint32_t)strtoul(strchr(fault, ':') + 1, NULL, 10);
  }
  weld_engine_t *engine = opt.fork ? NULL : weld_engine_new(&opt.config);
  uint64_t passed = 0, failed = 0, skipped = 0;
  for (int i = 0; i < nfiles; i++) {
    file_report_t f;
    memset(&f, 0, sizeof f);
    f.path = files[i];
    f.opt = &opt;
    size_t len;
    uint8_t *src = tool_read_file(files[i], &len);
    if (!src) {
      fail_line(&f, 0, "%s", "cannot read the file");
    } else {
      if (opt.fork) run_forked(&f, src, len);
      else run_in_process(&f, engine, src, len);
      free(src);
    }
    printf("%s: %llu passed, %llu failed", f.path, (unsigned long long)f.passed, (unsigned long long)f.failed);
    if (f.skipped) {
      printf(", %llu skipped (needs", (unsigned long long)f.skipped);
      for (size_t k = 0; k < f.nfeatures; k++) printf("%s %s", k ? "," : "", f.features[k]);
      printf(")");
    }
    printf("\n");
    fflush(stdout);
    for (size_t k = 0; k < f.nfeatures; k++) free(f.features[k]);
    passed += f.passed;
    failed += f.failed;
    skipped += f.skipped;
  }
  if (engine) weld_engine_delete(engine);
  free(files);
  if (skipped)
    printf("%llu passed, %llu failed, %llu skipped\n", (unsigned long long)passed, (unsigned long long)failed,
           (unsigned long long)skipped);
  else
    printf("%llu passed, %llu failed\n", (unsigned long long)passed, (unsigned long long)failed);
  return failed ? 1 : 0;
}
