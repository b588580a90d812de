/* weld/trap.h — traps: a guest stopped with a run-time failure. */
#ifndef WELD_TRAP_H
#define WELD_TRAP_H
#include "weld/common.h"
WELD_EXTERN_C_BEGIN

typedef enum weld_trap_code {
  WELD_TRAP_UNREACHABLE = 1,      /* "unreachable executed" */
  WELD_TRAP_MEMORY_OUT_OF_BOUNDS, /* "out of bounds memory access" */
  WELD_TRAP_TABLE_OUT_OF_BOUNDS,  /* "out of bounds table access" (also undefined element) */
  WELD_TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element" (call_indirect on null) */
  WELD_TRAP_INDIRECT_CALL_TYPE,   /* "indirect call type mismatch" */
  WELD_TRAP_INTEGER_OVERFLOW,     /* "integer overflow" */
  WELD_TRAP_INTEGER_DIVIDE_BY_ZERO, /* "integer divide by zero" */
  WELD_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
  WELD_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
  WELD_TRAP_OUT_OF_FUEL,          /* "all fuel consumed" */
  WELD_TRAP_INTERRUPT,            /* "interrupted" */
  WELD_TRAP_NULL_REFERENCE,       /* "null reference" */
  WELD_TRAP_HOST,                 /* raised by a host function */
  WELD_TRAP_OUT_OF_MEMORY,        /* host allocation failed while running */
  WELD_TRAP_COMPONENT,            /* component-model rule broken (message says which) */
} weld_trap_code_t;

WELD_API weld_trap_code_t weld_trap_code(const weld_trap_t *trap);
/* e.g. "integer divide by zero in function $div (func 3)" */
WELD_API const char *weld_trap_message(const weld_trap_t *trap);
WELD_API void weld_trap_delete(WELD_OWN weld_trap_t *trap);
/* For host functions: make a trap to return.  The message is copied. */
WELD_API WELD_OWN weld_trap_t *weld_trap_new(weld_trap_code_t code, const char *message);

WELD_EXTERN_C_END
#endif
