#!/usr/bin/env bash
# bench/run.sh BUILD — `make bench`: runs every kernel of bench/programs.txt on four
# engines in one session on this machine, checks that they all return the same checksum,
# and prints one table (best-of-N seconds and the ratios weld/native, weld/V8,
# weld/wasm2c with their geometric means), then weld's decode+validate throughput.
#
#   weld    build/bench/weld_bench (bench/weld_bench.c on libweld's public API)
#   native  the kernel's C source compiled by $CC -O2 (build/bench/native/)
#   node    bench/wasm/*.wasm on node's V8 (bench/runners/node_runner.mjs)
#   wasm2c  bench/wasm/*.wasm translated to C by wabt's wasm2c, compiled by $CC -O2
#           with wabt's wasm-rt runtime (build/bench/wasm2c/)
# An engine whose tools are missing is left out with a note; the others still run.
#
# Environment: BENCH_RUNS (rounds, default 3; the best time of each is kept; rounds
# are interleaved: every round runs every kernel on every engine), BENCH_QUICK=1 (small
# inputs, a smoke test), BENCH_ONLY="fib_rec sort" (a subset), BENCH_TIMEOUT (seconds
# per run, default 300), CC (default cc), BENCH_NODE_FLAGS (default --no-liftoff).
# Exit status: 1 if a run failed or the checksums disagree, else 0.  Missing the
# performance targets is reported, not an error.
set -uo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
[[ "$BUILD" = /* ]] || BUILD=$PWD/$BUILD
OUT=$BUILD/bench
RUNS=${BENCH_RUNS:-3}
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-}
TIMEOUT=${BENCH_TIMEOUT:-300}
CC=${CC:-cc}
# V8 starts every function in its baseline compiler (Liftoff) and only re-compiles a
# function with TurboFan on a later call, so a kernel that spends its whole time in one
# call would be measured on baseline code.  --no-liftoff compiles everything with
# TurboFan up front (not timed): the column is V8's optimised code.
NODE_FLAGS=${BENCH_NODE_FLAGS---no-liftoff}
ENGINES=(weld native node wasm2c)
mkdir -p "$OUT/native" "$OUT/wasm2c"
# Binaries built by another compiler than this run's are thrown away.
if [[ "$(cat "$OUT/cc" 2>/dev/null)" != "$CC" ]]; then
  rm -rf "$OUT/native" "$OUT/wasm2c"
  mkdir -p "$OUT/native" "$OUT/wasm2c"
  echo "$CC" > "$OUT/cc"
fi

say() { echo "bench: $*"; }
# stale TARGET DEP...: true if TARGET is missing or older than any DEP.
stale() {
  local t=$1 d; shift
  [[ -e "$t" ]] || return 0
  for d in "$@"; do [[ "$d" -nt "$t" ]] && return 0; done
  return 1
}

# ---- the kernels ----
names=(); declare -A N
while read -r name n quick _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -n "$ONLY" && " $ONLY " != *" $name "* ]]; then continue; fi
  names+=("$name")
  if [[ "$QUICK" = 1 ]]; then N[$name]=$quick; else N[$name]=$n; fi
done < bench/programs.txt
((${#names[@]})) || { say "no kernel selected (BENCH_ONLY=$ONLY)"; exit 1; }
for p in "${names[@]}"; do
  [[ -f bench/wasm/$p.wasm ]] || { say "bench/wasm/$p.wasm is missing: run bench/rebuild.sh"; exit 1; }
  if stale bench/wasm/$p.wasm bench/src/$p.c bench/src/bench.h && command -v clang-19 >/dev/null; then
    say "note: bench/wasm/$p.wasm is older than its source; bench/rebuild.sh regenerates it"
  fi
done

# ---- build the runners; an engine that cannot be built is left out with a note ----
declare -A ON WHY
for e in "${ENGINES[@]}"; do ON[$e]=1; done

if cmake --build "$BUILD" --target weld_bench -j2 >"$OUT/weld_bench.log" 2>&1 && [[ -x "$OUT/weld_bench" ]]; then
  WELD=$OUT/weld_bench
else
  ON[weld]=0; WHY[weld]="bench/weld_bench.c did not build against libweld (see $OUT/weld_bench.log)"
fi

if command -v "$CC" >/dev/null; then
  for p in "${names[@]}"; do
    exe=$OUT/native/$p
    if stale "$exe" bench/src/$p.c bench/src/bench.h bench/runners/native_main.c bench/runners/clock.h; then
      "$CC" -O2 -std=c11 -Ibench/src bench/src/$p.c bench/runners/native_main.c -lm -o "$exe" ||
        { ON[native]=0; WHY[native]="$CC failed on bench/src/$p.c"; break; }
    fi
  done
else
  ON[native]=0; WHY[native]="no C compiler ($CC)"
fi

if command -v node >/dev/null; then NODE=$(command -v node); else ON[node]=0; WHY[node]="node not found"; fi

# wasm2c: wabt's translator plus the wasm-rt runtime sources its package ships.
rtdir=
for d in /usr/share/wabt/wasm2c /usr/src/wasm2c \
         $(dpkg -L wabt 2>/dev/null | grep '/wasm-rt-impl\.c$' | xargs -r -n1 dirname); do
  [[ -f $d/wasm-rt-impl.c ]] && { rtdir=$d; break; }
done
rtinc=
for d in "$rtdir" /usr/include /usr/local/include; do [[ -n "$d" && -f $d/wasm-rt.h ]] && { rtinc=$d; break; }; done
if ! command -v wasm2c >/dev/null; then
  ON[wasm2c]=0; WHY[wasm2c]="wasm2c not found (apt-get install wabt)"
elif [[ -z "$rtdir" || -z "$rtinc" ]]; then
  ON[wasm2c]=0; WHY[wasm2c]="the wasm-rt runtime sources (wasm-rt-impl.c, wasm-rt.h) are not installed"
fi

# Reads the names wasm2c chose for the instance type and the exports out of its header.
w2c_names() {
  awk '
    function fname(line) { if (match(line, /[A-Za-z0-9_]+\(/)) return substr(line, RSTART, RLENGTH - 1); return "" }
    /^typedef struct [A-Za-z0-9_]+ \{/ && !inst { inst = $3 }
    /instantiate\(/ && !instf { instf = fname($0) }
    /init_module\(/ { initm = fname($0) }
    /_free\(/ && !freef { freef = fname($0) }
    want != "" { if (want == "run") run = fname($0); else init = fname($0); want = "" }
    /\/\* export: .bench_run. \*\// { want = "run" }
    /\/\* export: ._initialize. \*\// { want = "init" }
    END {
      print "#define W2C_INSTANCE_T struct " inst
      print "#define W2C_INSTANTIATE " instf
      print "#define W2C_FREE " freef
      print "#define W2C_RUN " run
      if (initm != "") print "#define W2C_INIT_MODULE " initm
      if (init != "") print "#define W2C_INITIALIZE " init
      if (inst == "" || instf == "" || freef == "" || run == "") exit 1
    }' "$1"
}

if ((ON[wasm2c])); then
  rtobj=()
  for c in "$rtdir"/wasm-rt-*.c; do
    base=$(basename "$c")
    # skip runtime files that wasm-rt-impl.c already #includes
    [[ "$base" != wasm-rt-impl.c ]] && grep -q "#include \"$base\"" "$rtdir/wasm-rt-impl.c" && continue
    o=$OUT/wasm2c/${base%.c}.o
    if stale "$o" "$c"; then "$CC" -O2 -w -I"$rtinc" -I"$rtdir" -c "$c" -o "$o" || { ON[wasm2c]=0; WHY[wasm2c]="$CC failed on $c"; break; }; fi
    rtobj+=("$o")
  done
fi
if ((ON[wasm2c])); then
  for p in "${names[@]}"; do
    d=$OUT/wasm2c/$p; mkdir -p "$d"
    if stale "$d/run" bench/wasm/$p.wasm bench/runners/wasm2c_main.c bench/runners/clock.h; then
      if ! { wasm2c -n bench bench/wasm/$p.wasm -o "$d/bench_mod.c" &&
             w2c_names "$d/bench_mod.h" > "$d/bench_mod_names.h" &&
             "$CC" -O2 -w -I"$d" -I"$rtinc" -I"$rtdir" -Ibench/runners "$d/bench_mod.c" \
               bench/runners/wasm2c_main.c "${rtobj[@]}" -lm -o "$d/run"; }; then
        ON[wasm2c]=0; WHY[wasm2c]="translating or compiling bench/wasm/$p.wasm failed"; rm -f "$d/run"; break
      fi
    fi
  done
fi

for e in "${ENGINES[@]}"; do ((ON[$e])) || say "$e: left out: ${WHY[$e]}"; done

# ---- run: every round runs every kernel on every engine (interleaved), best time kept ----
declare -A T S ERR
bad=0
run_one() { # engine program -> "checksum seconds" on stdout, or non-zero
  local e=$1 p=$2 n=${N[$2]}
  case $e in
    weld)   timeout -k 5 "$TIMEOUT" "$WELD" run bench/wasm/$p.wasm "$n" ;;
    native) timeout -k 5 "$TIMEOUT" "$OUT/native/$p" "$n" ;;
    node)   timeout -k 5 "$TIMEOUT" "$NODE" $NODE_FLAGS bench/runners/node_runner.mjs bench/wasm/$p.wasm "$n" ;;
    wasm2c) timeout -k 5 "$TIMEOUT" "$OUT/wasm2c/$p/run" "$n" ;;
  esac
}
say "${#names[@]} kernels x ${RUNS} rounds$([[ "$QUICK" = 1 ]] && echo ' (quick inputs)')"
for ((r = 1; r <= RUNS; r++)); do
  for p in "${names[@]}"; do
    line="round $r/$RUNS $(printf '%-9s' "$p")"
    for e in "${ENGINES[@]}"; do
      ((ON[$e])) || continue
      [[ -n "${ERR[$e,$p]:-}" ]] && continue # failed once: do not retry
      if res=$(run_one "$e" "$p" 2>"$OUT/last.err") &&
         [[ "$res" =~ ^([0-9]+)\ ([0-9.]+)$ ]]; then
        sum=${BASH_REMATCH[1]} t=${BASH_REMATCH[2]}
        if [[ -n "${S[$e,$p]:-}" && "${S[$e,$p]}" != "$sum" ]]; then
          ERR[$e,$p]="checksum changed between rounds (${S[$e,$p]} then $sum)"
        fi
        S[$e,$p]=$sum
        if [[ -z "${T[$e,$p]:-}" ]] || awk -v a="$t" -v b="${T[$e,$p]}" 'BEGIN { exit !(a < b) }'; then T[$e,$p]=$t; fi
        line+=" $e $t"
      else
        ERR[$e,$p]="$(head -c 300 "$OUT/last.err" | tr '\n' ' ')$([[ -z "$res" ]] || echo " (output: $res)")"
        [[ -z "${ERR[$e,$p]// /}" ]] && ERR[$e,$p]="exited without a result (crash or timeout after ${TIMEOUT}s)"
        line+=" $e FAILED"
      fi
    done
    echo "$line" >&2
  done
  # the engine order rotates every round so no engine always runs right after another
  ENGINES=("${ENGINES[@]:1}" "${ENGINES[0]}")
done
ENGINES=(weld native node wasm2c)

# ---- results: results.tsv, then the table ----
tsv=$OUT/results.tsv
{
  printf 'program\tn\tweld\tnative\tnode\twasm2c\tchecksum\tstatus\n'
  for p in "${names[@]}"; do
    ref= status=ok failed=
    for e in "${ENGINES[@]}"; do
      ((ON[$e])) || continue
      [[ -n "${ERR[$e,$p]:-}" ]] && { failed+="${failed:+,}$e"; continue; }
      [[ -z "$ref" ]] && ref=${S[$e,$p]}
      [[ "${S[$e,$p]}" != "$ref" ]] && status="MISMATCH"
    done
    if [[ -n "$failed" ]]; then
      if [[ "$status" == ok ]]; then status="failed:$failed"; else status+=" failed:$failed"; fi
    fi
    printf '%s\t%s' "$p" "${N[$p]}"
    for e in "${ENGINES[@]}"; do
      if ((ON[$e])) && [[ -z "${ERR[$e,$p]:-}" ]]; then printf '\t%s' "${T[$e,$p]}"; else printf '\t-'; fi
    done
    printf '\t%s\t%s\n' "${ref:--}" "$status"
  done
} > "$tsv"

echo
echo "best of $RUNS, seconds (lower is better); ratios > 1 mean weld is slower"
awk -F'\t' '
  function r(a, b) { return (a == "-" || b == "-" || b <= 0) ? "-" : a / b }
  function fmt(x) { return x == "-" ? "-" : sprintf("%.2fx", x) }
  function acc(k, x) { if (x != "-" && x > 0) { lg[k] += log(x); cnt[k]++ } }
  function gm(k) { return cnt[k] ? sprintf("%.2fx", exp(lg[k] / cnt[k])) : "-" }
  NR == 1 { printf "%-9s %8s %9s %9s %9s %9s | %11s %8s %11s | %s\n", "program", "n", "weld", "native", "node(V8)", "wasm2c", "weld/native", "weld/V8", "weld/wasm2c", "checksum"; next }
  {
    a = r($3, $4); b = r($3, $5); c = r($3, $6)
    acc("wn", a); acc("wv", b); acc("ww", c); acc("vn", r($5, $4)); acc("cn", r($6, $4))
    printf "%-9s %8s %9s %9s %9s %9s | %11s %8s %11s | %s %s\n", $1, $2, $3, $4, $5, $6, fmt(a), fmt(b), fmt(c), $8, $7
  }
  END {
    printf "%-9s %8s %9s %9s %9s %9s | %11s %8s %11s |\n", "geomean", "", "", "", "", "", gm("wn"), gm("wv"), gm("ww")
    printf "for reference: V8/native %s, wasm2c/native %s (geometric means)\n", gm("vn"), gm("cn")
  }' "$tsv"

for e in "${ENGINES[@]}"; do
  for p in "${names[@]}"; do
    [[ -n "${ERR[$e,$p]:-}" ]] && { say "$e $p: ${ERR[$e,$p]}"; bad=1; }
  done
done
grep -q MISMATCH "$tsv" && { say "checksums DISAGREE (see the table)"; bad=1; }

# ---- decode + validate throughput on the largest module ----
echo
big=bench/wasm/big.wasm
vline="decode+validate $big ($(wc -c < $big) bytes):"
wv=-
if ((ON[weld])); then
  if res=$(timeout -k 5 "$TIMEOUT" "$WELD" validate "$big" 1 2>"$OUT/last.err"); then
    read -r wv wc _ <<<"$res"
    vline+=" weld $wv MB/s (decode+validate+compile: $wc MB/s)"
  else
    msg=$(head -c 300 "$OUT/last.err" | tr '\n' ' ')
    vline+=" weld FAILED: ${msg:-exited without a result (crash or timeout after ${TIMEOUT}s)}"; bad=1
  fi
else
  vline+=" weld left out"
fi
if ((ON[node])); then
  res=$("$NODE" bench/runners/node_runner.mjs --validate "$big" 1 2>/dev/null) && vline+="; V8 WebAssembly.validate $res MB/s"
fi
echo "$vline"

# ---- the targets ----
echo
gm=$(awk -F'\t' 'NR > 1 && $3 != "-" && $4 != "-" && $4 > 0 { s += log($3 / $4); k++ } END { if (k) printf "%.2f", exp(s / k) }' "$tsv")
if [[ -n "$gm" ]]; then
  echo "target: weld within 5x of native (geomean): ${gm}x $(awk -v g="$gm" 'BEGIN { print (g <= 5 ? "MET" : "NOT MET") }')"
else
  echo "target: weld within 5x of native (geomean): no weld figures"
fi
if [[ "$wv" != - ]]; then
  echo "target: decode+validate >= 100 MB/s: $wv MB/s $(awk -v v="$wv" 'BEGIN { print (v >= 100 ? "MET" : "NOT MET") }')"
else
  echo "target: decode+validate >= 100 MB/s: no weld figure"
fi
# ---- WIT front end: parse + resolve all of WASI 0.2 (bench/wit_bench.c) ----
# A separate step, owned by the WIT work: wit_bench is compiled here against libweld.a
# (no CMake target), and jco (pinned in package.json; or BENCH_JCO=DIR after
# `npm install --prefix DIR @bytecodealliance/jco`) is timed on the same packages.
WIT_DIR=${WELD_SHARED:-../shared}/wit/wasi-0.2
echo
if [[ -d "$WIT_DIR" && -f "$BUILD/libweld.a" ]]; then
  if stale "$OUT/wit_bench" bench/wit_bench.c "$BUILD/libweld.a"; then
    $CC -O2 -Iinclude bench/wit_bench.c "$BUILD/libweld.a" -lm -lpthread -o "$OUT/wit_bench" \
      || { say "wit_bench: build failed"; bad=1; }
  fi
  if [[ -x "$OUT/wit_bench" ]]; then
    "$OUT/wit_bench" "$WIT_DIR" "$([[ "$QUICK" = 1 ]] && echo 20 || echo 500)" || bad=1
  fi
  JCO_DIR=${BENCH_JCO:-}
  [[ -z "$JCO_DIR" && -d node_modules/@bytecodealliance/jco ]] && JCO_DIR=$PWD
  if [[ -n "$JCO_DIR" ]] && command -v node >/dev/null; then
    BENCH_JCO=$JCO_DIR node bench/wit_jco.mjs "$WIT_DIR" "$([[ "$QUICK" = 1 ]] && echo 5 || echo 50)" \
      || say "wit: jco comparison failed"
  fi
else
  say "wit: left out ($WIT_DIR or $BUILD/libweld.a missing)"
fi

# ---- component model: bench/component_bench.c vs jco transpile + node ----
# The same component (bench/component/bench.wasm) on weld's component API and under the
# pinned jco's `transpile` in node; one table with the ratio and the targets.  A weld
# failure (a wrong result, a crash) makes the run fail; a missing jco leaves its column
# out; a missed target is reported, not an error.
echo
CWASM=bench/component/bench.wasm
CFLAGS_Q=(); [[ "$QUICK" = 1 ]] && CFLAGS_Q=(--quick)
declare -A CW CJ
if [[ ! -f $CWASM ]]; then
  say "component: $CWASM is missing: run bench/component/rebuild.sh"; bad=1
else
  stale $CWASM bench/component/bench.wat && say "note: $CWASM is older than bench.wat; bench/component/rebuild.sh regenerates it"
  if cmake --build "$BUILD" --target component_bench -j2 >"$OUT/component_bench.log" 2>&1 && [[ -x "$OUT/component_bench" ]]; then
    if "$OUT/component_bench" $CWASM "${CFLAGS_Q[@]}" >"$OUT/component_weld.txt" 2>"$OUT/last.err"; then
      while read -r k v _; do CW[$k]=$v; done <"$OUT/component_weld.txt"
    else
      say "component: weld FAILED: $(head -c 300 "$OUT/last.err" | tr '\n' ' ')"; bad=1
    fi
  else
    say "component: bench/component_bench.c did not build against libweld (see $OUT/component_bench.log)"; bad=1
  fi
  if [[ -d node_modules/@bytecodealliance/jco ]] && command -v node >/dev/null; then
    JD=$OUT/component-jco
    if stale "$JD/bench.js" $CWASM node_modules/@bytecodealliance/jco/package.json; then
      rm -rf "$JD"
      tools/js/jco transpile $CWASM -o "$JD" --name bench --instantiation sync -q >"$OUT/component_jco.log" 2>&1 ||
        say "component: jco transpile failed (see $OUT/component_jco.log)"
    fi
    if [[ -f "$JD/bench.js" ]]; then
      if node bench/component_jco.mjs "$JD" "${CFLAGS_Q[@]}" >"$OUT/component_jco.txt" 2>"$OUT/last.err"; then
        while read -r k v _; do CJ[$k]=$v; done <"$OUT/component_jco.txt"
      else
        say "component: jco+node failed: $(head -c 300 "$OUT/last.err" | tr '\n' ' ')"
      fi
    fi
  else
    say "component: jco+node left out (run npm install in the project root)"
  fi
  jcov=$(node -p "require('./node_modules/@bytecodealliance/jco/package.json').version" 2>/dev/null || echo '?')
  echo "component model ($CWASM; jco $jcov transpile --instantiation sync, node $(node --version 2>/dev/null || echo -))"
  echo "best of $([[ "$QUICK" = 1 ]] && echo 3 || echo 20) batches; ratio = weld's time / jco's time (< 1: weld is faster); load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
  {
    printf 'key\tmeasurement\tunit\tweld\tjco\ttarget\n'
    # key, label, unit, target (<=N for times, >=N for throughputs, - for none)
    while IFS='|' read -r key label unit target; do
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$unit" "${CW[$key]:--}" "${CJ[$key]:--}" "$target"
    done <<'ROWS'
typed_ns|host->guest call id(u32)->u32, typed (call_flat)|ns|<=30
dynamic_ns|host->guest call id(u32)->u32, dynamic (cval)|ns|<=100
guest_host_ns|guest->host call of host-id(u32)->u32|ns|<=20
string_h2g_gbs|1 MiB string host->guest (argument)|GB/s|>=2
string_h2g_mixed_gbs|  the same, non-ASCII text (14 of 44 chars)|GB/s|>=2
string_g2h_gbs|1 MiB string guest->host (result)|GB/s|>=2
string_g2h_arg_gbs|1 MiB string guest->host (import argument)|GB/s|>=2
list_h2g_gbs|1 MiB list<u8> host->guest (argument)|GB/s|-
list_g2h_gbs|1 MiB list<u8> guest->host (result)|GB/s|-
list_g2h_arg_gbs|1 MiB list<u8> guest->host (import argument)|GB/s|-
instantiate_us|instantiate via InstancePre (+ drop)|us|<=10
ROWS
  } >"$OUT/component.tsv"
  awk -F'\t' '
    NR == 1 { printf "%-48s %10s %12s %9s %8s  %s\n", "measurement", "weld", "jco+node", "weld/jco", "target", ""; next }
    {
      w = $4; j = $5; ratio = "-"; status = ""
      if (w != "-" && j != "-" && w > 0 && j > 0) {
        r = $3 == "GB/s" ? j / w : w / j
        ratio = sprintf(r >= 10 ? "%.0fx" : r >= 0.1 ? "%.2fx" : "%.2gx", r)
      }
      if ($6 != "-") {
        lim = substr($6, 3) + 0
        if (w == "-") status = "no weld figure"
        else if (substr($6, 1, 2) == "<=") status = (w <= lim ? "MET" : "NOT MET")
        else status = (w >= lim ? "MET" : "NOT MET")
      }
      printf "%-48s %10s %12s %9s %8s  %s\n", $2, (w == "-" ? "-" : w " " $3), (j == "-" ? "-" : j " " $3), ratio, $6, status
    }' "$OUT/component.tsv"
fi

say "results in $tsv"
exit $bad
