;; bench.wat — the component of the component-model benchmarks (bench/component_bench.c for
;; weld, bench/component_jco.mjs for jco transpile + node).  A small component: one core
;; module instance with a bump allocator, no start function, one page of memory at
;; instantiation (grown on demand), so it doubles as the "small component" that is
;; instantiated through an InstancePre.
;;
;; Exports (WIT):
;;   id:          func(x: u32) -> u32            returns x (host -> guest call cost)
;;   call-host:   func(n: u32) -> u32            calls the import host-id(i) for i in 0..n and
;;                                               returns the sum (guest -> host call cost,
;;                                               measured from inside the guest)
;;   take-string: func(s: string) -> u32         returns the length in bytes (host -> guest;
;;   take-list:   func(l: list<u8>) -> u32       the lift into the guest validates the UTF-8,
;;                                               copies through realloc); the guest then frees
;;                                               the buffer (resets its bump allocator)
;;   make-string: func(n: u32) -> string         returns n bytes of ASCII text from a buffer
;;   make-list:   func(n: u32) -> list<u8>       filled once (guest -> host, as a result)
;;   send-string: func(n: u32) -> u32            passes those n bytes to host-take-string /
;;   send-list:   func(n: u32) -> u32            host-take-list and returns what the host
;;                                               returned (guest -> host, as an argument)
;; Imports: host-id: func(x: u32) -> u32, host-take-string: func(s: string) -> u32,
;;          host-take-list: func(l: list<u8>) -> u32 (the host returns the length).
;;
;; Memory: 0..16 return area, 16..80 the 64-byte text pattern, 0x10000.. the text buffer
;; (at most 4 MiB, filled by doubling copies of the pattern the first time a call needs
;; it), 0x410000.. the heap of realloc.  bench/rebuild.sh makes bench.wasm (jco parse).
(component
  (import "host-id" (func $host-id (param "x" u32) (result u32)))
  (import "host-take-string" (func $host-take-string (param "s" string) (result u32)))
  (import "host-take-list" (func $host-take-list (param "l" (list u8)) (result u32)))

  ;; memory and allocator first: the lowered imports need the memory
  (core module $libc
    (memory (export "mem") 1)
    (global $top (export "top") (mut i32) (i32.const 0x410000))
    ;; grows memory so that [0, end) is inside it; traps if it cannot
    (func $reserve (param $end i32)
      (local $have i32)
      (local.set $have (i32.shl (memory.size) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $have))
        (then
          (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have))
                                                        (i32.const 0xffff))
                                               (i32.const 16)))
                      (i32.const -1))
            (then unreachable)))))
    (func (export "reserve") (param i32) (call $reserve (local.get 0)))
    ;; realloc(old_ptr, old_size, align, new_size): bump allocation, no reuse (the exports
    ;; that receive memory reset the bump pointer when they are done with it)
    (func (export "realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.le_u (local.get $size) (local.get $old_size))
        (then (return (local.get $old))))
      (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get $align) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $align))))
      (if (i32.lt_u (i32.add (local.get $p) (local.get $size)) (local.get $p))
        (then unreachable))
      (call $reserve (i32.add (local.get $p) (local.get $size)))
      (global.set $top (i32.add (local.get $p) (local.get $size)))
      (if (local.get $old_size)
        (then (memory.copy (local.get $p) (local.get $old) (local.get $old_size))))
      (local.get $p)))
  (core instance $libc (instantiate $libc))

  (core func $host-id (canon lower (func $host-id)))
  (core func $host-take-string (canon lower (func $host-take-string) (memory (core memory $libc "mem"))))
  (core func $host-take-list (canon lower (func $host-take-list) (memory (core memory $libc "mem"))))

  (core module $m
    (import "libc" "mem" (memory 1))
    (import "libc" "top" (global $top (mut i32)))
    (import "libc" "reserve" (func $reserve (param i32)))
    (import "host" "id" (func $host-id (param i32) (result i32)))
    (import "host" "take-string" (func $host-take-string (param i32 i32) (result i32)))
    (import "host" "take-list" (func $host-take-list (param i32 i32) (result i32)))
    (data (i32.const 16) "weld component bench: the quick brown fox jumps over a lazy dog\n")
    (global $filled (mut i32) (i32.const 0)) ;; bytes of the buffer holding text
    ;; makes the first n bytes of the buffer text (n <= 4 MiB, else a trap)
    (func $fill (param $n i32)
      (local $k i32)
      (if (i32.gt_u (local.get $n) (i32.const 0x400000)) (then unreachable))
      (if (i32.le_u (local.get $n) (global.get $filled)) (then (return)))
      (call $reserve (i32.const 0x410000))
      (memory.copy (i32.const 0x10000) (i32.const 16) (i32.const 64))
      (local.set $k (i32.const 64))
      (block $done
        (loop $double
          (br_if $done (i32.ge_u (local.get $k) (local.get $n)))
          (memory.copy (i32.add (i32.const 0x10000) (local.get $k)) (i32.const 0x10000) (local.get $k))
          (local.set $k (i32.shl (local.get $k) (i32.const 1)))
          (br $double)))
      (global.set $filled (local.get $k)))
    (func (export "id") (param i32) (result i32) (local.get 0))
    (func (export "call-host") (param $n i32) (result i32)
      (local $i i32) (local $sum i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $sum (i32.add (local.get $sum) (call $host-id (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (local.get $sum))
    ;; (ptr, len) received: free everything realloc gave out, return the length
    (func (export "take") (param $ptr i32) (param $len i32) (result i32)
      (global.set $top (i32.const 0x410000))
      (local.get $len))
    ;; a (ptr, len) pair in the return area
    (func (export "make") (param $n i32) (result i32)
      (call $fill (local.get $n))
      (i32.store (i32.const 0) (i32.const 0x10000))
      (i32.store (i32.const 4) (local.get $n))
      (i32.const 0))
    (func (export "send-string") (param $n i32) (result i32)
      (call $fill (local.get $n))
      (call $host-take-string (i32.const 0x10000) (local.get $n)))
    (func (export "send-list") (param $n i32) (result i32)
      (call $fill (local.get $n))
      (call $host-take-list (i32.const 0x10000) (local.get $n))))
  (core instance $i (instantiate $m
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "id" (func $host-id))
      (export "take-string" (func $host-take-string))
      (export "take-list" (func $host-take-list))))))

  (func (export "id") (param "x" u32) (result u32) (canon lift (core func $i "id")))
  (func (export "call-host") (param "n" u32) (result u32) (canon lift (core func $i "call-host")))
  (func (export "take-string") (param "s" string) (result u32)
    (canon lift (core func $i "take") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (func (export "take-list") (param "l" (list u8)) (result u32)
    (canon lift (core func $i "take") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (func (export "make-string") (param "n" u32) (result string)
    (canon lift (core func $i "make") (memory (core memory $libc "mem"))))
  (func (export "make-list") (param "n" u32) (result (list u8))
    (canon lift (core func $i "make") (memory (core memory $libc "mem"))))
  (func (export "send-string") (param "n" u32) (result u32) (canon lift (core func $i "send-string")))
  (func (export "send-list") (param "n" u32) (result u32) (canon lift (core func $i "send-list")))
)
