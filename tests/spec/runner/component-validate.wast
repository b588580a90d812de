;; expect: 6 passed, 2 failed
;; args: --validate-components
;; Validation only: components are valid whatever they import; one is instantiated when
;; an action needs it.
(component (import "a" (func)) (import "c" (component)))
(assert_invalid (component (import "a" (func)) (import "a" (func))) "conflicts")
(component $ok
  (core module $m (func (export "f") (result i32) (i32.const 7)))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))
(assert_return (invoke "f") (u32.const 7))
(assert_return (invoke $ok "f") (u32.const 7))
(component $needs (import "not-provided" (func)))
(assert_return (invoke "f"))
(assert_return (invoke "f"))
