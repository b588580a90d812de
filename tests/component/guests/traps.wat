;; traps.wat — imports for weld_linker_define_unknown_imports_as_traps (test_crt.c
;; test_unknown_traps): a versioned interface the host defines only in part, under another
;; semver-compatible version (the traps must complete the host's instance, not shadow it),
;; and a function in a nested instance (its trap must name the whole path).
;; Found with the componentize-js component of tests/component/js (wasi:* @0.2.12 imports).
(component
  (import "wasi:clocks/clock@0.2.12" (instance $clock
    (export "now" (func (result u64)))
    (export "other" (func (result u32)))))
  (import "test:pkg/outer" (instance $outer
    (export "inner" (instance (export "deep" (func (result u32)))))))
  (alias export $outer "inner" (instance $inner))
  (core func $now (canon lower (func $clock "now")))
  (core func $other (canon lower (func $clock "other")))
  (core func $deep (canon lower (func $inner "deep")))
  (core module $m
    (import "h" "now" (func $now (result i64)))
    (import "h" "other" (func $other (result i32)))
    (import "h" "deep" (func $deep (result i32)))
    (func (export "now") (result i64) (call $now))
    (func (export "other") (result i32) (call $other))
    (func (export "deep") (result i32) (call $deep)))
  (core instance $h (export "now" (func $now)) (export "other" (func $other)) (export "deep" (func $deep)))
  (core instance $i (instantiate $m (with "h" (instance $h))))
  (func (export "now") (result u64) (canon lift (core func $i "now")))
  (func (export "other") (result u32) (canon lift (core func $i "other")))
  (func (export "deep") (result u32) (canon lift (core func $i "deep")))
)
