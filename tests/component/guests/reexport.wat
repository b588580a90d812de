;; reexport.wat — re-exports an imported function: rejected when compiled (as in wasmtime).
(component
  (import "f" (func $f))
  (export "f" (func $f)))
