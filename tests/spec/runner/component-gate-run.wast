;; expect: 0 passed, 0 failed, 2 skipped
;; RUN: wast --assert default --snapshot tests/snapshots % \
;;        -f=cm-values,-simd
;; A wasm-tools RUN line turning off a feature weld always has: skipped.
(assert_invalid (component (core type (func (param v128)))) "SIMD support is not enabled")
(component)
