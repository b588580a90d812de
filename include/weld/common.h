/* weld/common.h — conventions shared by every public header.
 *
 * Ownership is written in the signatures:
 *   WELD_OWN on a result: the caller owns it and must delete it.
 *   WELD_OWN on a parameter: the callee takes ownership.
 *   Anything else is borrowed.
 * Fallible functions return a weld_error_t * (NULL on success, see weld/error.h).
 * Runtime objects (functions, memories, tables, globals, instances) belong to the
 * weld_store_t that created them and live until the store is deleted. */
#ifndef WELD_COMMON_H
#define WELD_COMMON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define WELD_EXTERN_C_BEGIN extern "C" {
#define WELD_EXTERN_C_END }
#else
#define WELD_EXTERN_C_BEGIN
#define WELD_EXTERN_C_END
#endif

#define WELD_OWN
#define WELD_API __attribute__((visibility("default")))

typedef struct weld_engine weld_engine_t;
typedef struct weld_store weld_store_t;
typedef struct weld_module weld_module_t;
typedef struct weld_instance weld_instance_t;
typedef struct weld_func weld_func_t;
typedef struct weld_memory weld_memory_t;
typedef struct weld_table weld_table_t;
typedef struct weld_global weld_global_t;
typedef struct weld_trap weld_trap_t;
typedef struct weld_error weld_error_t;
typedef struct weld_functype weld_functype_t;
typedef struct weld_caller weld_caller_t;

#endif
