#!/usr/bin/env bash
# tests/spec/component-validation.sh — the component validation suite: `weld wast
# --validate-components` over every script of ../shared/testsuite/component-validation
# (or $WELD_TESTSUITE/component-validation): component-model/**/*.wast (79 scripts, many
# gated by the features of their `;; RUN:` line) and missing-features/component-model/
# (what must be rejected when a feature is off).  Components are only validated, as
# wasm-tools does; one is instantiated only when an action needs it.
# Extra arguments go to `weld wast` (e.g. -v).
# Output: each failure, one line per script (with what its skipped commands need), the list
# of scripts skipped as a whole with their feature, then N passed, N failed, N skipped.
set -u
BUILD=${BUILD:-build}
TS=${WELD_TESTSUITE:-../shared/testsuite}
shopt -s nullglob globstar
files=("$TS"/component-validation/component-model/**/*.wast)
if ((${#files[@]} != 79)); then
  echo "expected the 79 component validation scripts in $TS/component-validation/component-model, found ${#files[@]}"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
files+=("$TS"/component-validation/missing-features/component-model/*.wast)
exec bash "$(dirname "$0")/component-report.sh" "$BUILD/weld" wast --validate-components "$@" "${files[@]}"
