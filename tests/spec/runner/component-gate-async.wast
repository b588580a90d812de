;; expect: 0 passed, 0 failed, 3 skipped
;;! component_model_async = true
;; A script that enables a feature weld lacks, and uses it: every command is skipped.
(component
  (core module $m (func (export "f") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "f") async (result u32) (canon lift (core func $i "f"))))
(assert_return (invoke "f") (u32.const 0))
(this is not even a command)
