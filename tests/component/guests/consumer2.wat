;; consumer2.wat — imports an instance that another component exports (nested.wat's `a`,
;; linked by the host with weld_linker_instance_from_export), including a resource type
;; that the other component defines, and uses it.
(component
  (import "test:link/a@1.0.0" (instance $a
    (export "r" (type $r (sub resource)))
    (export "[constructor]r" (func (param "rep" u32) (result (own $r))))
    (export "[method]r.get" (func (param "self" (borrow $r)) (result u32)))
    (export "bump" (func (result u32)))))
  (alias export $a "r" (type $r))
  (core func $ctor (canon lower (func $a "[constructor]r")))
  (core func $get (canon lower (func $a "[method]r.get")))
  (core func $bump (canon lower (func $a "bump")))
  (core func $drop (canon resource.drop $r))
  (core module $m
    (import "" "ctor" (func $ctor (param i32) (result i32)))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "bump" (func $bump (result i32)))
    (import "" "drop" (func $drop (param i32)))
    ;; make r(rep), read it back through a borrow, drop it; returns get * 100 + bump
    (func (export "run") (param $rep i32) (result i32)
      (local $h i32) (local $v i32)
      (local.set $h (call $ctor (local.get $rep)))
      (local.set $v (call $get (local.get $h)))
      (call $drop (local.get $h))
      (i32.add (i32.mul (local.get $v) (i32.const 100)) (call $bump))))
  (core instance $i (instantiate $m
    (with "" (instance (export "ctor" (func $ctor)) (export "get" (func $get)) (export "bump" (func $bump))
                       (export "drop" (func $drop))))))
  (func (export "run") (param "rep" u32) (result u32) (canon lift (core func $i "run")))
)
