;; f32/f64 floor of a signalling NaN must give an arithmetic (quiet) NaN; libm passed the
;; signalling NaN through.
(module
  (func (export "floor32") (param f32) (result f32) (f32.floor (local.get 0)))
  (func (export "floor64") (param f64) (result f64) (f64.floor (local.get 0))))
(assert_return (invoke "floor32" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
(assert_return (invoke "floor64" (f64.const nan:0x4000000000000)) (f64.const nan:arithmetic))
