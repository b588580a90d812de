/* test_simd_portable.c — runs test_simd.c against the plain C bodies of src/core/simd.h
 * (WELD_SIMD_PORTABLE: no generic vectors, no SSE paths), so both implementations of
 * every instruction are checked against the same cases. */
#define WELD_SIMD_PORTABLE 1
#include "test_simd.c"
