#!/usr/bin/env bash
# tests/spec/component-exec.sh — the component execution suite: `weld wast` over the
# scripts of ../shared/testsuite/component-exec (or $WELD_TESTSUITE/component-exec):
# component-model/*.wast (33 scripts: instantiate, invoke with typed values, assert_return,
# assert_trap, assert_unlinkable, with the host imports of testsuite/HOST.md), plus
# component-model/async/, component-model/gc/ and component-model-threading/, which need
# features weld does not have (component model async, gc, threads) and are reported as
# skipped by feature.  Core multi-memory stays enabled (the scripts use it).
# Extra arguments go to `weld wast` (e.g. -v).
# Output: each failure, one line per script (with what its skipped commands need), the list
# of scripts skipped as a whole with their feature, then N passed, N failed, N skipped.
set -u
BUILD=${BUILD:-build}
TS=${WELD_TESTSUITE:-../shared/testsuite}
shopt -s nullglob
files=("$TS"/component-exec/component-model/*.wast)
if ((${#files[@]} != 33)); then
  echo "expected the 33 component execution scripts in $TS/component-exec/component-model, found ${#files[@]}"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
files+=("$TS"/component-exec/component-model/async/*.wast "$TS"/component-exec/component-model/gc/*.wast
        "$TS"/component-exec/component-model-threading/*.wast)
exec bash "$(dirname "$0")/component-report.sh" "$BUILD/weld" wast "$@" "${files[@]}"
