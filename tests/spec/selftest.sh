#!/usr/bin/env bash
# tests/spec/selftest.sh — tests of the .wast runner itself (src/text/wast.c, tools/wast.c).
# Each tests/spec/runner/*.wast starts with
#   ;; expect: N passed, N failed[, N skipped]     the file's report line must say this
#   ;; args: ...                                   (optional) extra arguments for weld wast
#   ;; env: NAME=VALUE                             (optional) environment for the run
# Last line: N passed, N failed.
set -u
BUILD=${BUILD:-build}
cd "$(dirname "$0")/../.."
pass=0; fail=0
for f in tests/spec/runner/*.wast; do
  expect=$(sed -n 's/^;; expect: //p' "$f" | head -n 1)
  args=$(sed -n 's/^;; args: //p' "$f" | head -n 1)
  envs=$(sed -n 's/^;; env: //p' "$f" | head -n 1)
  # shellcheck disable=SC2086
  out=$(env $envs "$BUILD/weld" wast $args "$f" 2>&1)
  got=$(printf '%s\n' "$out" | sed -n "s|^$f: ||p" | tail -n 1)
  got=${got% (needs*}
  if [[ -n "$expect" && "$got" == "$expect" ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $f: expected '$expect', got '$got'"
    printf '%s\n' "$out" | sed 's/^/    /'
  fi
done
echo "$pass passed, $fail failed"
