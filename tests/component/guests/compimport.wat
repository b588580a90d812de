;; compimport.wat — a root-level component import: rejected when compiled (as in wasmtime).
(component
  (import "c" (component)))
