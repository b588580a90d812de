;; expect: 31 passed, 0 failed
;; Component commands: definitions, instances, registration, assertions.
(component definition $D
  (core module $m
    (global $n (mut i32) (i32.const 0))
    (func (export "next") (result i32)
      (global.set $n (i32.add (global.get $n) (i32.const 1)))
      (global.get $n))
    (func (export "boom") unreachable))
  (core instance $i (instantiate $m))
  (func (export "next") (result u32) (canon lift (core func $i "next")))
  (func (export "boom") (canon lift (core func $i "boom")))
  (core module $empty)
  (export "module" (core module $empty))
)
;; a definition is not an instance
(component instance $A $D)
(component instance $B $D)
(assert_return (invoke $A "next") (u32.const 1))
(assert_return (invoke $A "next") (u32.const 2))
(assert_return (invoke $B "next") (u32.const 1))
(assert_return (invoke "next") (u32.const 2))
(invoke $A "next")
(assert_return (invoke $A "next") (u32.const 4))
;; instance names are registered for later imports
(component (import "A" (instance (export "module" (core module)))))
(assert_unlinkable (component (import "A" (instance (export "nope" (func))))) "not found")
(register "again" $A)
(component (import "again" (instance (export "next" (func (result u32))))))
;; traps: in a call, and then the instance cannot be entered again
(assert_trap (invoke $B "boom") "unreachable")
(assert_trap (invoke $B "next") "cannot enter")
(assert_return (invoke $A "next") (u32.const 5))
;; traps while instantiating
(assert_trap
  (component
    (core module $m (func $s unreachable) (start $s))
    (core instance (instantiate $m)))
  "unreachable")
(assert_uninstantiable
  (component
    (core module $m (func $s unreachable) (start $s))
    (core instance (instantiate $m)))
  "unreachable")
;; rejected forms
(assert_invalid (component (core instance (instantiate 0))) "unknown module")
(assert_invalid (component (import "f" (func $f)) (export "f" (func $f))) "reexport")
(assert_malformed (component quote "(core module") "unbalanced")
(assert_malformed (component binary "\00asm\0d\00\01\00\ff") "section")
(component binary "\00asm" "\0d\00\01\00")
(component quote "(core module)")
(assert_unlinkable (component (import "no-such-thing" (func))) "not found")
;; regression: definitions and instances have separate names, so `$E` below is still the
;; definition the second time (it used to find the instance named $E and fail)
(component definition $E (core module $m))
(component instance $E $E)
(component instance $E $E)
;; a definition does not become the current instance; an unnamed instance form takes the
;; newest definition
(component instance $G $D)
(component definition (core module $m))
(assert_return (invoke "next") (u32.const 1))
(component instance $F)
