;; A br_table whose entries need value moves got one move stub per ENTRY, so a large table
;; aimed at a few labels carrying values blew up the compiled code.  One stub per label.
(module
  (func (export "bt") (param i32) (result i32)
    (block $o (result i32)
      (block $i (result i32)
        (local.get 0)
        (br_table $o $o $i $o $o $o $o $o (local.get 0)))
      (i32.add (i32.const 100)))))
(assert_return (invoke "bt" (i32.const 0)) (i32.const 0))
(assert_return (invoke "bt" (i32.const 2)) (i32.const 102))
(assert_return (invoke "bt" (i32.const 6)) (i32.const 6))
(assert_return (invoke "bt" (i32.const 99)) (i32.const 99))
