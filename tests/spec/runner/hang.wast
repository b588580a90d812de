;; expect: 2 passed, 1 failed
;; args: --timeout 1
;; env: WELD_WAST_TEST_FAULT=hang:7
;; The runner process stops making progress at line 7: it is killed after 3*1+2 seconds,
;; that command fails, and the script goes on after it.
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(assert_return (invoke "f") (i32.const 1))
