;; expect: 3 passed, 0 failed, 3 skipped
;; Commands of proposals weld does not run are skipped, naming the feature; the commands
;; around them still run.
(module (func (export "f")))
(thread $T (module $M (func (export "g"))))
(wait $T)
(assert_return (invoke "f"))
(assert_exception (invoke "f"))
(assert_return (invoke "f"))
