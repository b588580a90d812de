#!/usr/bin/env bash
# bench/check.sh BUILD — the benchmark kernels as a correctness test (suite "bench-kernels"
# in tests/suites.txt): runs every kernel of bench/programs.txt with its small quick-n on
# weld (build/bench/weld_bench) and natively, and passes a kernel when weld returns the
# native checksum.  These are real clang -O2 programs with wasi-libc's malloc, memcpy
# and memset, so they exercise code shapes the spec tests do not.
# Last line: "N passed, N failed".
set -uo pipefail
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/.."
[[ "$BUILD" = /* ]] || BUILD=$PWD/$BUILD
OUT=$BUILD/bench
CC=${CC:-cc}
mkdir -p "$OUT/check-native"

names=()
while read -r name _ quick _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  names+=("$name:$quick")
done < bench/programs.txt

if ! cmake --build "$BUILD" --target weld_bench -j2 >"$OUT/weld_bench.log" 2>&1; then
  tail -n 20 "$OUT/weld_bench.log"
  echo "bench/weld_bench.c did not build against libweld"
  echo "0 passed, ${#names[@]} failed"
  exit 1
fi

pass=0 fail=0
for entry in "${names[@]}"; do
  p=${entry%%:*} n=${entry#*:}
  exe=$OUT/check-native/$p
  if [[ ! -x "$exe" || bench/src/$p.c -nt "$exe" || bench/src/bench.h -nt "$exe" ]]; then
    "$CC" -O2 -std=c11 -Ibench/src bench/src/$p.c bench/runners/native_main.c -lm -o "$exe" || {
      echo "$p: FAILED: $CC could not build the native reference"; fail=$((fail + 1)); continue; }
  fi
  want=$("$exe" "$n" | cut -d' ' -f1)
  got=$(timeout -k 5 300 "$OUT/weld_bench" run bench/wasm/$p.wasm "$n" 2>"$OUT/check.err" | cut -d' ' -f1)
  if [[ -n "$want" && "$got" == "$want" ]]; then
    echo "$p: ok ($got)"
    pass=$((pass + 1))
  else
    echo "$p: FAILED: weld returned '${got}', native '${want}' $(head -c 300 "$OUT/check.err" | tr '\n' ' ')"
    fail=$((fail + 1))
  fi
done
echo "$pass passed, $fail failed"
((fail == 0))
