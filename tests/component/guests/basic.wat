(component
  (import "host-f" (func $hf (param "x" u32) (result u32)))
  (core module $m
    (import "" "hf" (func $hf (param i32) (result i32)))
    (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
    (func (export "callhost") (param i32) (result i32) local.get 0 call $hf))
  (core func $hfl (canon lower (func $hf)))
  (core instance $hi (export "hf" (func $hfl)))
  (core instance $i (instantiate $m (with "" (instance $hi))))
  (func (export "add") (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func (export "callhost") (param "a" u32) (result u32) (canon lift (core func $i "callhost")))
  (core module $plain (func (export "nine") (result i32) (i32.const 9)))
  (export "plain" (core module $plain))
)
