/* validate_code.h — the function-body validator (core spec §3.3 "Instructions", §3.4.10
 * "Functions", and the spec's appendix "Validation Algorithm"), separate from the
 * one-pass validator+compiler in compile.c.  weld_module_validate uses it so that
 * checking a module does not pay for code generation.
 *
 * It accepts exactly what compile.c accepts and reports the same message at the same
 * byte offset for the first invalid instruction (tests/core/test_validate_code.c and the
 * fuzz target tests/fuzz/fuzz_validate.c hold the two to that).  Private to src/core. */
#ifndef WELD_CORE_VALIDATE_CODE_H
#define WELD_CORE_VALIDATE_CODE_H
#include "core/module.h"

/* Validates every function body of a decoded module (core_decode has already checked
 * everything outside the bodies).  NULL if all are valid; otherwise the error of the first
 * invalid body, with the byte offset of the offending instruction. */
weld_error_t *core_validate_code(const core_module_t *m);

#endif
