;; expect: 2 passed, 0 failed, 5 skipped
;; Component forms are skipped, naming the feature; core commands around them still run.
(component $C)
(assert_return (invoke $C "f"))
(assert_invalid (component (core module (func (result i32)))) "type mismatch")
(module (func (export "f")))
(assert_return (invoke "f"))
(component)
(assert_return (invoke "f"))
