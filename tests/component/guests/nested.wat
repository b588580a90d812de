;; nested.wat — nested components: a component defined inside another, instantiated twice
;; with arguments (a function import), an outer alias of a core module, a resource type
;; with a destructor defined by the inner component (fresh for each instance), instances
;; exported to the host, and a host callback into the component (reentrance).
(component $outer
  (import "log" (func $log (param "v" u32)))
  (import "call-back" (func $cb (param "which" u32) (result u32)))

  (core module $counter
    (global $n (mut i32) (i32.const 0))
    (func (export "bump") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (global.get $n)))

  (component $inner
    (import "log" (func $log (param "v" u32)))
    (alias outer $outer $counter (core module $counter))
    (core instance $cnt (instantiate $counter))
    (core func $logc (canon lower (func $log)))
    (core module $dtorm
      (import "" "log" (func $log (param i32)))
      (func (export "dtor") (param i32) (call $log (i32.add (local.get 0) (i32.const 1000)))))
    (core instance $d (instantiate $dtorm (with "" (instance (export "log" (func $logc))))))
    (type $r (resource (rep i32) (dtor (core func $d "dtor"))))
    (core func $new (canon resource.new $r))
    (core func $drop (canon resource.drop $r))
    (core func $rep (canon resource.rep $r))
    (core module $m
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (import "cnt" "bump" (func $bump (result i32)))
      (func (export "ctor") (param i32) (result i32) (call $new (local.get 0)))
      ;; a borrow of a resource this component defines arrives as its rep
      (func (export "get") (param i32) (result i32) (local.get 0))
      ;; an own arrives as a handle of this instance's table
      (func (export "consume") (param i32) (result i32)
        (local $rep i32)
        (local.set $rep (call $rep (local.get 0)))
        (call $drop (local.get 0))
        (local.get $rep))
      (func (export "bump") (result i32) (call $bump)))
    (core instance $i (instantiate $m
      (with "cnt" (instance $cnt))
      (with "" (instance (export "new" (func $new)) (export "drop" (func $drop)) (export "rep" (func $rep))))))
    (export $re "r" (type $r))
    (func (export "[constructor]r") (param "rep" u32) (result (own $re)) (canon lift (core func $i "ctor")))
    (func (export "[method]r.get") (param "self" (borrow $re)) (result u32) (canon lift (core func $i "get")))
    (func (export "[static]r.consume") (param "x" (own $re)) (result u32) (canon lift (core func $i "consume")))
    (func (export "bump") (result u32) (canon lift (core func $i "bump")))
  )

  (instance $a (instantiate $inner (with "log" (func $log))))
  (instance $b (instantiate $inner (with "log" (func $log))))

  (core func $cbc (canon lower (func $cb)))
  (core module $o
    (import "" "cb" (func $cb (param i32) (result i32)))
    (func (export "reenter") (param i32) (result i32) (call $cb (local.get 0)))
    (func (export "seven") (result i32) (i32.const 7)))
  (core instance $oi (instantiate $o (with "" (instance (export "cb" (func $cbc))))))
  (func (export "reenter") (param "which" u32) (result u32) (canon lift (core func $oi "reenter")))
  (func (export "seven") (result u32) (canon lift (core func $oi "seven")))
  (export "a" (instance $a))
  (export "b" (instance $b))
)
