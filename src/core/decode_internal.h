/* decode_internal.h — state shared by the pieces of the core binary decoder
 * (decode.c: framing and section order, decode_sections.c: section contents,
 * validate_module.c: constant expressions and module-level checks, names.c: the "name"
 * custom section, decode_scan.c: the instruction walk behind the data-count rule).
 * Core spec §5 "Binary Format" and §3.4 "Modules" (validation). Private to src/core. */
#ifndef WELD_CORE_DECODE_INTERNAL_H
#define WELD_CORE_DECODE_INTERNAL_H
#include "base/error.h"
#include "base/reader.h"
#include "core/module.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The module as allocated by core_decode: the public structure first, then the pools
 * whose pieces the public arrays point into (so a whole module is a handful of
 * allocations, not one per function), and the size of every allocation for
 * base_free. */
typedef struct core_module_priv {
  core_module_t pub;
  size_t types_cap;            /* ntypes */
  uint8_t *type_pool;          /* every functype's valtypes */
  size_t type_pool_size;
  size_t imports_cap, func_types_cap, tables_cap, mems_cap, globals_cap, exports_cap;
  size_t elems_cap, datas_cap, codes_cap, func_declared_cap, func_names_cap;
  core_localgroup_t *group_pool; /* every function's local groups */
  size_t group_pool_cap;
  size_t customs_cap;
} core_module_priv_t;

/* Decoder state for one core_decode call. */
typedef struct core_dec {
  core_module_priv_t *priv;
  core_module_t *m;
  weld_error_t *err;           /* first error */
  /* Which index spaces have been built (imports + the kind's own section). */
  bool have_funcs, have_tables, have_mems, have_globals;
  bool seen_func_section, seen_code_section, seen_data_section;
  uint32_t nfunc_decls;        /* count in the function section */
  /* First "name" custom section, parsed after all sections are known. */
  const uint8_t *name_sec;
  uint32_t name_sec_len;
  size_t name_sec_off;
} core_dec_t;

/* Position of section `id` (1..12) in the required order (§5.5.16): the data count
 * section comes between element and code. */
static inline unsigned core_dec_rank(uint8_t id) {
  static const uint8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return id < 13 ? rank[id] : 100;
}

/* Records an error (the first one wins) and returns false. */
bool core_dec_fail(core_dec_t *d, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Turns the reader's sticky error into the decoder's error; returns false. */
bool core_dec_rfail(core_dec_t *d, const base_reader_t *r);
/* Out of memory; returns false. */
bool core_dec_oom(core_dec_t *d);

/* decode_sections.c: one function per non-custom section id (1..12); each reads the
 * whole section payload from r and returns false with d->err set on failure. */
bool core_dec_section(core_dec_t *d, uint8_t id, base_reader_t *r);
/* Builds every index space whose section comes before section `id` (in the required
 * order) and was not present; called before each section and at the end. */
bool core_dec_build_spaces(core_dec_t *d, uint8_t id);

/* validate_module.c */
/* Reads and validates a constant expression whose value must have type `expect`
 * (§3.3.10, 2.0 rules: one constant instruction, then end; global.get only of imported
 * immutable globals).  ref.func marks the function declared. */
bool core_dec_constexpr(core_dec_t *d, base_reader_t *r, uint8_t expect, core_constexpr_t *out);
bool core_dec_limits_valid(core_dec_t *d, const core_limits_t *l, uint64_t bound, size_t off,
                           const char *what);
/* Module-level checks that need the whole module: unique export names, counts that must
 * agree across sections, the data-count rule. */
bool core_dec_finish(core_dec_t *d);

/* names.c: parses d->name_sec into module_name / func_names; malformed => ignored. */
void core_dec_names(core_dec_t *d);

/* decode_scan.c: true if the instruction bytes use memory.init or data.drop (the
 * instructions that require a data count section, §5.5.13).  Walks the instructions with
 * their immediates so that immediate bytes are never mistaken for opcodes; stops quietly
 * at anything malformed (the function validator reports that). */
bool core_body_uses_data_idx(const uint8_t *body, size_t len);

#endif
