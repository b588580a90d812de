;; expect: 4 passed, 3 failed
;; env: WELD_WAST_TEST_FAULT=crash:8
;; The runner process crashes on the module at line 8: that module fails once, the
;; assertions that use it fail, everything else still runs and is counted once.
(module (func (export "f") (result i32) (i32.const 1)))
(assert_return (invoke "f") (i32.const 1))
(module $A (func (export "f") (result i32) (i32.const 2)))
(module $B (func (export "f") (result i32) (i32.const 3)))
(assert_return (invoke "f") (i32.const 3))
(assert_return (invoke $B "f") (i32.const 3))
(assert_return (invoke $A "f") (i32.const 2))
