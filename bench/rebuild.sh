#!/usr/bin/env bash
# bench/rebuild.sh — regenerates every committed bench/wasm/*.wasm from its source with
# Debian's clang-19 and wasi-libc, so no stale binary survives (.ci/run calls this).
#   bench/wasm/<name>.wasm  for each kernel bench/src/<name>.c listed in bench/programs.txt
#   bench/wasm/big.wasm     from the program bench/gen/gen_big.c writes (decode/validate
#                           throughput only; never run for time)
#   bench/component/*.wasm  the component benchmarks' components, from their text
#                           (bench/component/rebuild.sh: jco parse; needs node + npm install)
# Each core module must import nothing (no WASI): the script fails if one does.
# Output is reproducible: rebuilding unchanged sources gives identical bytes.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
HOSTCC=${CC:-cc}
BIG_FUNCS=200
WASM_FLAGS=(--target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor
            -Wl,--export=bench_run -Wl,--strip-debug)

command -v "$CLANG" >/dev/null || { echo "rebuild.sh: $CLANG not found (apt-get install clang-19 lld-19 wasi-libc)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p wasm

# wasm_build OUT SRC...: compiles to a temporary file, checks it has no imports, then
# moves it into place (so a failed build never leaves a half-written module).
wasm_build() {
  local out=$1; shift
  "$CLANG" "${WASM_FLAGS[@]}" -Wall -Wextra -Werror -Isrc "$@" -o "$tmp/$(basename "$out")"
  if command -v wasm-objdump >/dev/null && wasm-objdump -j Import -x "$tmp/$(basename "$out")" 2>/dev/null | grep -q ' <- '; then
    echo "rebuild.sh: $out imports something; the kernels must import nothing:" >&2
    wasm-objdump -j Import -x "$tmp/$(basename "$out")" >&2
    return 1
  fi
  chmod 644 "$tmp/$(basename "$out")"
  mv "$tmp/$(basename "$out")" "$out"
}

# The big module takes longest: start it first, in the background.
"$HOSTCC" -O2 -std=c11 -o "$tmp/gen_big" gen/gen_big.c
"$tmp/gen_big" "$BIG_FUNCS" > "$tmp/big.c"
wasm_build wasm/big.wasm -Wno-unused-function "$tmp/big.c" & big_pid=$!

status=0
while read -r name _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  wasm_build "wasm/$name.wasm" "src/$name.c" || status=1
done < programs.txt
wait "$big_pid" || status=1
bash component/rebuild.sh || status=1
((status == 0)) && echo "rebuild.sh: bench/wasm rebuilt ($(ls wasm/*.wasm | wc -l) modules)"
exit $status
