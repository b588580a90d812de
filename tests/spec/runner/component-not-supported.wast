;; expect: 2 passed, 0 failed, 4 skipped
;; Components weld rejects as "not supported: ..." are skipped with the reason, except
;; where the assertion expects exactly that (a feature is missing).
(assert_invalid
  (component (core func (canon backpressure.inc)))
  "`backpressure.inc` requires the component model async feature")
(assert_invalid
  (component (core func (canon backpressure.inc)) (core func (canon backpressure.inc)))
  "some other reason")
(component (type (stream u8)))
(assert_return (invoke "f"))
;; a 64-bit memory (on by default in wasm-tools) is missing memory64, not malformed
(component (core module (memory i64 1)))
(component)
