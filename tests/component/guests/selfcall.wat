;; selfcall.wat — a core start function that calls, through `canon lower`, a function the
;; same component lifted: the instance is being instantiated (on the call stack), so the
;; call traps ("cannot enter component instance") and instantiation fails with that trap.
(component
  (core module $m (func (export "")))
  (core instance $m (instantiate $m))
  (func $lifted (canon lift (core func $m "")))
  (core func $lowered (canon lower (func $lifted)))
  (core module $starter
    (import "" "f" (func $f))
    (func $start (call $f))
    (start $start))
  (core instance (instantiate $starter (with "" (instance (export "f" (func $lowered)))))))
