#!/usr/bin/env bash
# tests/run.sh BUILD — runs every test suite and prints one total line:
#   N passed, N failed[, N skipped]
# Each suite is a command whose last output line has that same form; suites are listed in
# tests/suites.txt as "name<TAB>command" (the command runs from the project root with
# $BUILD set).
set -u
BUILD=${1:-build}
export BUILD
cd "$(dirname "$0")/.."
tp=0; tf=0; ts=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
while IFS=$'\t' read -r name cmd; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  echo "== $name"
  bash -c "$cmd" 2>&1 | tee "$tmp"
  out=$(tail -n 1 "$tmp")
  if [[ "$out" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
    tp=$((tp + BASH_REMATCH[1])); tf=$((tf + BASH_REMATCH[2])); ts=$((ts + ${BASH_REMATCH[4]:-0}))
  else
    echo "suite $name did not report a summary line (counted as 1 failure)"
    tf=$((tf + 1))
  fi
done < tests/suites.txt
if ((ts > 0)); then echo "$tp passed, $tf failed, $ts skipped"; else echo "$tp passed, $tf failed"; fi
((tf == 0))
