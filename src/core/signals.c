/* signals.c — the guard-page trap path (core spec §4.4.7 "Memory Instructions": an
 * access outside the memory traps).
 *
 * Linear memories reserved with guard regions (weld_memory_t.guarded) are accessed by the
 * interpreter without bounds checks; an access beyond the current size lands in PROT_NONE
 * pages and raises SIGSEGV (or SIGBUS).  The handler below checks that this OS thread is
 * executing wasm (not a host function) and that the faulting address lies inside a guarded
 * memory of the running store; then it jumps (code.h CORE_LONGJMP) to the interpreter
 * entry (enter() in interp.c), which turns it into WELD_TRAP_MEMORY_OUT_OF_BOUNDS.  Any
 * other fault goes to the handler that was installed before ours (or the default action).
 *
 * The handler runs on an alternate signal stack (one per OS thread that runs wasm) and
 * with SA_NODEFER, so that the jump out of it, which does not restore the signal mask
 * (the entry's jump buffer is the compiler's light setjmp, see code.h), leaves SIGSEGV
 * unblocked.  Everything per OS thread (the handler, the alternate stack, the C stack
 * limit) is set up once, by core_signals_init_thread; an entry then only swaps
 * core_tls.thread.
 *
 * It also guards the C stack: wasm-to-wasm calls do not use it, but every host -> wasm
 * re-entry nests one interpreter activation (a few hundred bytes optimised, tens of KiB in
 * a sanitizer build), so core_stack_ok() refuses an entry that would come too close to
 * the end of the thread's stack. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_getattr_np */
#endif
#include "core/code.h"
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_altstack_key;
static struct sigaction g_prev_segv, g_prev_bus;
CORE_TLS_ATTR __thread core_tls_t core_tls;

#define ALTSTACK_SIZE ((size_t)64 << 10)

static void on_fault(int sig, siginfo_t *si, void *ctx) {
  core_thread_t *t = core_tls.thread;
  if (t && t->in_wasm && t->jmp && core_addr_in_guarded_memory(t->store, si->si_addr)) CORE_LONGJMP(*t->jmp);
  struct sigaction *prev = sig == SIGBUS ? &g_prev_bus : &g_prev_segv;
  if (prev->sa_flags & SA_SIGINFO) {
    if (prev->sa_sigaction) {
      prev->sa_sigaction(sig, si, ctx);
      return;
    }
  } else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
    prev->sa_handler(sig);
    return;
  }
  /* Default action: restore it and return; the faulting instruction runs again and the
   * process gets the usual fatal signal. */
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
}

static void free_altstack(void *p) {
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  munmap(p, ALTSTACK_SIZE);
}

static void install(void) {
  pthread_key_create(&g_altstack_key, free_altstack);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &g_prev_segv);
  sigaction(SIGBUS, &sa, &g_prev_bus);
}

static void ensure_altstack(void) {
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_sp) return; /* already has one */
  void *p = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return; /* the handler then runs on the normal stack */
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_sp = p;
  ss.ss_size = ALTSTACK_SIZE;
  if (sigaltstack(&ss, NULL) != 0) {
    munmap(p, ALTSTACK_SIZE);
    return;
  }
  pthread_setspecific(g_altstack_key, p); /* unmapped when the thread exits */
}

/* The lowest C stack address an interpreter entry may start from: a margin of an eighth of
 * the thread's stack (at least 256 KiB, at most half) above its end.  0 when unknown. */
static uintptr_t stack_limit(void) {
  uintptr_t limit = 0;
#if defined(__GLIBC__)
  pthread_attr_t a;
  if (pthread_getattr_np(pthread_self(), &a) == 0) {
    void *lo;
    size_t size;
    if (pthread_attr_getstack(&a, &lo, &size) == 0 && size > 0) {
      size_t margin = size / 8;
      if (margin < ((size_t)256 << 10)) margin = (size_t)256 << 10;
      if (margin > size / 2) margin = size / 2;
      limit = (uintptr_t)lo + margin;
    }
    pthread_attr_destroy(&a);
  }
#endif
  return limit;
}

void core_signals_init_thread(void) {
  if (core_tls.ready) return;
  pthread_once(&g_once, install);
  ensure_altstack();
  core_tls.stack_limit = stack_limit();
  core_tls.ready = true;
}
