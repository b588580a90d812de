;; expect: 1 passed, 0 failed
;; A script that is only the fields of one module.
(func (export "f") (result i32) (i32.const 1))
(memory 1)
