/* roundtrip_gen.h — random round trips of component values through a guest (Component
 * Model Explainer.md "Canonical ABI" + CanonicalABI.md flattening, layout, lifting and
 * lowering): a generator of function types, of guest components that forward an export to
 * an import of that type, and of values; and a runner that checks the values survive.
 *
 * Used by tests/component/test_roundtrip.c (seeded PRNG, `make check`) and by
 * tests/fuzz/fuzz_roundtrip.c (libFuzzer bytes).
 *
 * The guest (component text, assembled by weld's own component text parser) is a chain of
 * 1..RT_MAX_STAGES nested "stage" components: stage 1 imports `f` from the host, each later
 * stage imports the previous stage's export, and the outer component exports the last
 * stage's `f`.  Every stage is one core module with a memory, a bump-allocating
 * `cabi_realloc` (aligned; grows memory as needed), a post-return that frees everything,
 * and an adapter that forwards its lifted export to its lowered import (allocating the
 * return area when the result does not fit the one flat result).  Each stage has its own
 * string encoding, so calls between stages transcode (utf8 / utf16 / latin1+utf16).
 *
 * Values are compared deeply; floats compare NaN == NaN (lifting/lowering may canonicalise
 * NaN payloads) and otherwise bit for bit.
 *
 * With rt_opts_t.invalid, some calls pass an invalid argument (must be an error, nothing
 * runs) or have the host return an invalid result (must trap), some cases have a stage
 * that keeps the borrows it is given (calls passing borrows must trap) or whose realloc
 * returns bad pointers (calls may trap, never return wrong values). */
#ifndef WELD_TESTS_ROUNDTRIP_GEN_H
#define WELD_TESTS_ROUNDTRIP_GEN_H
#include "weld.h"
#include "weld/component.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- choices */

/* A source of choices: the bytes of a fuzzer input (then, once they run out, a PRNG
 * seeded from them) or a seeded PRNG. */
typedef struct rt_rand {
  const uint8_t *data;
  size_t len, pos;
  uint64_t state;
} rt_rand_t;

void rt_rand_seed(rt_rand_t *r, uint64_t seed);
void rt_rand_bytes(rt_rand_t *r, const uint8_t *data, size_t len);
uint32_t rt_below(rt_rand_t *r, uint32_t n); /* in [0, n); 0 when n == 0 */
uint64_t rt_u64(rt_rand_t *r);

/* ---------------------------------------------------------------- types */

enum { RT_ENC_UTF8, RT_ENC_UTF16, RT_ENC_LATIN1_UTF16 };
#define RT_MAX_STAGES 3

typedef struct rt_type rt_type_t;
struct rt_type {
  weld_ckind_t kind;
  uint32_t n;     /* RECORD/TUPLE/VARIANT members, ENUM/FLAGS labels */
  rt_type_t **m;  /* members; VARIANT: NULL = no payload; LIST/OPTION: m[0]; RESULT: m[0] ok, m[1] err (NULL = none) */
  int named;      /* RECORD/VARIANT/ENUM/FLAGS: the index N of its type import "tN"; -1 otherwise */
};

typedef struct rt_opts {
  uint32_t max_params;  /* parameters: 0..max_params (default 20) */
  uint32_t max_depth;   /* nesting of types (default 4) */
  uint32_t max_nodes;   /* type nodes per function type (default 80) */
  bool resources;       /* also own<r>/borrow<r> of a host resource type `r` */
  bool dump;            /* rt_run_case prints each component's text to stdout */
  bool invalid;         /* rt_run_case: now and then an invalid argument (must be an error) or
                           host result (must trap) */
} rt_opts_t;

/* One generated test case: a function type and a guest component forwarding it. */
typedef struct rt_case {
  rt_type_t **params;
  uint32_t nparams;
  rt_type_t *result; /* NULL: no result */
  uint32_t nnamed;   /* type imports t0..t(nnamed-1) */
  rt_type_t **named;
  uint32_t nstages;
  int enc[RT_MAX_STAGES];
  uint32_t leaky_stage; /* 1-based; this stage does not drop its borrows (0: none) */
  uint32_t bad_realloc_stage; /* 1-based; this stage's realloc returns bad pointers (0: none) */
  bool uses_resources;
  char *text; /* component text (NUL-terminated) */
  size_t text_len;
  /* internal */
  rt_type_t **nodes;
  size_t nnodes, cap;
  uint32_t budget;
  bool oom;
} rt_case_t;

/* Generates a function type and its guest; false on allocation failure. */
bool rt_case_gen(rt_case_t *c, rt_rand_t *r, const rt_opts_t *o);
void rt_case_free(rt_case_t *c);
/* WIT-like rendering of a type, for messages (malloc'ed). */
char *rt_type_str(const rt_type_t *t);

/* ---------------------------------------------------------------- values */

/* A random value of t.  Resources are represented by their rep: a U32 value in the place
 * of an own/borrow (rt_materialize makes handles of them).  false on allocation failure
 * (*v is then a valid value to drop). */
bool rt_value_gen(weld_cval_t *v, const rt_type_t *t, rt_rand_t *r);
/* A copy of the rep-form value v with real handles of host type rt (own or borrow as the
 * type says) made in store. */
bool rt_materialize(weld_cval_t *out, const weld_cval_t *v, const rt_type_t *t, weld_store_t *store,
                    weld_resource_type_t *rt);
/* Releases the borrow handles of a materialized value (the own handles were moved into
 * the callee) and drops it. */
void rt_release(weld_cval_t *v, const rt_type_t *t);
/* Releases every handle in a received value (own handles become the receiver's) and drops it. */
void rt_forget_all(weld_cval_t *v);

/* Deep equality of an expected (rep-form) value and a received value of type t; NaN
 * equals NaN.  On mismatch, false and a description in why. */
bool rt_equal(const rt_type_t *t, const weld_cval_t *expected, const weld_cval_t *got, char *why, size_t whylen);

/* Flat words (weld_cfunc_call_flat / weld_linker_func_flat) for scalar types. */
bool rt_type_is_scalar(const rt_type_t *t);
uint64_t rt_to_word(const rt_type_t *t, const weld_cval_t *v);
void rt_from_word(const rt_type_t *t, uint64_t w, weld_cval_t *out);

/* ---------------------------------------------------------------- runner */

/* Generates one case from r, compiles and instantiates it with a host `f` that checks its
 * arguments and returns random results, and makes `ncalls` calls through the dynamic path
 * (and, for flat signatures, the flat path).  Returns true if everything came back
 * unchanged; otherwise false with a message (malloc'ed, with the component text) in *msg. */
typedef struct rt_stats {
  uint64_t cases, calls, flat_calls, stages, encodings_differ, spilled_params, retptr, resources;
  uint64_t refused_args, refused_results; /* invalid values refused as they must be */
  uint64_t bad_pointers;                  /* traps after a realloc returned a bad pointer */
} rt_stats_t;
bool rt_run_case(weld_engine_t *engine, rt_rand_t *r, const rt_opts_t *o, uint32_t ncalls, rt_stats_t *stats,
                 char **msg);

#endif
