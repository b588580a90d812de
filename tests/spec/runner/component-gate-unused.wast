;; expect: 2 passed, 0 failed, 1 skipped
;;! component_model_async = true
;;! multi_memory = true
;;! hogs_memory = true
;; A script that enables a feature weld lacks but never uses its syntax runs; a component
;; weld cannot take because it needs a missing feature is skipped with weld's reason.
(component
  (core module $m (func (export "f") (result i32) (i32.const 5)))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f"))))
(assert_return (invoke "f") (u32.const 5))
(component quote "(type (list u8 4))")
