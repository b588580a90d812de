#!/usr/bin/env bash
# tests/spec/run.sh — the core conformance suite: `weld wast` over every script of the
# WebAssembly 2.0 core test suite (../shared/testsuite/core, or $WELD_TESTSUITE/core).
# Extra arguments go to `weld wast` (e.g. -v).  Last line: N passed, N failed[, N skipped].
set -u
BUILD=${BUILD:-build}
TS=${WELD_TESTSUITE:-../shared/testsuite}
shopt -s nullglob
files=("$TS"/core/*.wast)
if ((${#files[@]} != 148)); then
  echo "expected the 148 core scripts in $TS/core, found ${#files[@]}"
  echo "0 passed, 1 failed"
  exit 1
fi
# The suite is WebAssembly 2.0, which has one memory per module.
exec "$BUILD/weld" wast --disable multi-memory "$@" "${files[@]}"
