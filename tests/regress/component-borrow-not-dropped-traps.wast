;; A guest that receives a borrow of a resource it did not define must drop the borrow
;; handle before its export returns (CanonicalABI.md: a task may not exit with borrows
;; left); one that keeps it traps.
(component
  (type $r (resource (rep i32)))
  (component $Inner
    (import "r" (type $r (sub resource)))
    (core module $K
      (import "" "drop" (func $drop (param i32)))
      (func (export "keep") (param i32))
      (func (export "drop-it") (param i32) (call $drop (local.get 0))))
    (core func $drop (canon resource.drop $r))
    (core instance $k (instantiate $K (with "" (instance (export "drop" (func $drop))))))
    (func (export "keep") (param "x" (borrow $r)) (canon lift (core func $k "keep")))
    (func (export "drop-it") (param "x" (borrow $r)) (canon lift (core func $k "drop-it"))))
  (instance $inner (instantiate $Inner (with "r" (type $r))))
  (core func $new (canon resource.new $r))
  (core func $keep (canon lower (func $inner "keep")))
  (core func $drop-it (canon lower (func $inner "drop-it")))
  (core module $M
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "keep" (func $keep (param i32)))
    (import "" "drop-it" (func $drop-it (param i32)))
    (func (export "good") (call $drop-it (call $new (i32.const 7))))
    (func (export "bad") (call $keep (call $new (i32.const 7)))))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new)) (export "keep" (func $keep)) (export "drop-it" (func $drop-it))))))
  (func (export "good") (canon lift (core func $m "good")))
  (func (export "bad") (canon lift (core func $m "bad"))))
(assert_return (invoke "good"))
(assert_trap (invoke "bad") "borrow")
