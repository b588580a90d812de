/* limits.h — every sanity cap weld applies to untrusted input, in one place.
 *
 * Decoders, validators and parsers check these before allocating or recursing.
 * They are deliberately generous (far above what real toolchains emit) but small
 * enough that a hostile input cannot make weld allocate gigabytes or blow the C stack.
 * The numbers for module-level counts follow the limits other engines document
 * (e.g. the JS-API limits in the WebAssembly spec's js-api appendix). */
#ifndef WELD_BASE_LIMITS_H
#define WELD_BASE_LIMITS_H

/* Core module structure */
#define WELD_MAX_MODULE_BYTES        (1u << 30)   /* 1 GiB input */
#define WELD_MAX_TYPES               1000000u
#define WELD_MAX_FUNCS               1000000u
#define WELD_MAX_IMPORTS             100000u
#define WELD_MAX_EXPORTS             100000u
#define WELD_MAX_GLOBALS             1000000u
#define WELD_MAX_DATA_SEGMENTS       100000u
#define WELD_MAX_ELEM_SEGMENTS       10000000u
#define WELD_MAX_TABLES              100000u
#define WELD_MAX_MEMORIES            100u
#define WELD_MAX_FUNC_PARAMS         1000u
#define WELD_MAX_FUNC_RESULTS        1000u
#define WELD_MAX_LOCALS              50000u       /* per function, params included */
#define WELD_MAX_FUNC_BODY_BYTES     (7654321u)
#define WELD_MAX_NAME_BYTES          100000u      /* import/export/custom-section names */
#define WELD_MAX_BLOCK_DEPTH         10000u       /* nested block/loop/if in one function */
#define WELD_MAX_BR_TABLE_TARGETS    100000u
#define WELD_MAX_OPERAND_STACK       100000u      /* validator's value stack per function */

/* Runtime */
#define WELD_MAX_TABLE_ELEMS         10000000u
#define WELD_DEFAULT_VALUE_STACK_SLOTS (1u << 20) /* 8 MiB of 8-byte slots per thread */
#define WELD_DEFAULT_CALL_DEPTH      100000u      /* wasm frames before "call stack exhausted" */
#define WELD_MAX_HOST_REENTRY        200u         /* nested host->wasm->host re-entries */
#define WELD_WASM_PAGE_SIZE          65536u
#define WELD_MAX_PAGES32             65536u

/* Text format */
#define WELD_MAX_TEXT_NESTING        10000u       /* parenthesis depth in .wat/.wast */
#define WELD_MAX_WAST_VALUE_NESTING  1000u        /* nesting of one typed component value in a .wast script */
#define WELD_MAX_TEXT_BYTES          (1u << 30)
#define WELD_MAX_TEXT_NODES          (16u << 20)  /* tokens per document (64 bytes each) */

/* Component model and WIT */
#define WELD_MAX_COMPONENT_NESTING   100u
#define WELD_MAX_TYPE_DEPTH          100u
#define WELD_MAX_WIT_NESTING         100u       /* nested types (list<list<..>>) and nested packages */
#define WELD_MAX_WIT_TYPES           (1u << 20) /* types in one resolved WIT set (includes copy types) */
#define WELD_MAX_WIT_WORLD_ITEMS     100000u    /* imports + exports of one world after elaboration */
#define WELD_MAX_WIT_ITEMS           (1u << 20) /* imports + exports of all worlds of one resolved set */
#define WELD_MAX_LIST_BYTES          (1u << 31)
#define WELD_MAX_HANDLES             (1u << 28)
#define WELD_MAX_CVAL_BYTES          (1u << 30) /* host memory (weld_cval_t elements + string bytes) one lift may build */
/* Component binary format and validation (src/component) */
#define WELD_MAX_COMPONENT_BYTES     (1u << 30)   /* 1 GiB input */
#define WELD_MAX_COMPONENT_ITEMS     1000000u     /* definitions (all sections) of one component */
#define WELD_MAX_COMPONENT_INDEX     1000000u     /* entries in any one index space */
#define WELD_MAX_COMPONENT_DECLS     100000u      /* declarators in one component/instance/module type */
#define WELD_MAX_TYPE_SIZE           1000000u     /* "effective" (fully expanded) size of one type */
#define WELD_MAX_RECORD_FIELDS       10000u       /* fields/cases/labels/params of one defined type */
#define WELD_MAX_FLAGS               32u          /* labels of one flags type (Explainer: at most 32) */
#define WELD_MAX_INSTANTIATE_ARGS    100000u
#define WELD_MAX_INSTANTIATION_INSTANCES 10000u   /* component + core instances one instantiation creates */
#define WELD_MAX_INSTANTIATION_WORK  50000000u    /* definitions + exports + resource bindings of one instantiation */
#define WELD_MAX_TYPECHECK_WORK      50000000u    /* type nodes visited while validating one component */
#define WELD_MAX_COMPONENT_TYPE_MEM  (512u << 20) /* bytes of type/AST storage for one component */
/* Component text format (src/text/cwat*.c) */
#define WELD_MAX_CWAT_NESTING        500u         /* nested components, types and inline types */

/* Guard-page reservations of freed linear memories an engine keeps for reuse, so that
 * instantiating does not map, protect and unmap 8 GiB of address space each time. */
#define WELD_MEMORY_POOL 128
/* A pooled memory up to this size is zeroed with memset (its pages stay resident, ready
 * for the next instance); a larger one is given back to the system with madvise. */
#define WELD_MEMORY_POOL_MEMSET (64u * 1024u) /* so at most 8 MiB stay resident */

#endif
