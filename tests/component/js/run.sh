#!/usr/bin/env bash
# run.sh BUILD — the `component-js` suite: builds the componentize-js component (build.sh)
# into BUILD/tests/js/, cached under a hash of its sources and of package-lock.json, and runs
# BUILD/tests/test_js on it.  Without node or the npm packages (`npm install` at the project
# root, as .ci/run does) the suite is reported as skipped, with the reason.
# .ci/run sets WELD_REQUIRE_COMPONENTIZE_JS=1 after `npm install`: there a skip is a failure.
set -uo pipefail
BUILD=${1:-${BUILD:-build}}
root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
here=tests/component/js
skip() {
  echo "component-js skipped: $1"
  if [ "${WELD_REQUIRE_COMPONENTIZE_JS:-0}" = 1 ]; then
    echo "(WELD_REQUIRE_COMPONENTIZE_JS=1: counted as a failure)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "0 passed, 0 failed, 1 skipped"
  exit 0
}
command -v node >/dev/null 2>&1 || skip "node is not installed"
[ -f node_modules/@bytecodealliance/componentize-js/package.json ] ||
  skip "node_modules/@bytecodealliance/componentize-js is missing (run npm install at the project root)"
key=$(cat "$here/calc.js" "$here/calc.wit" "$here/build.mjs" "$here/build.sh" package-lock.json | sha256sum | cut -c1-16)
cache="$BUILD/tests/js"
wasm="$cache/calc-$key.wasm"
mkdir -p "$cache"
if [ ! -f "$wasm" ]; then
  echo "building $wasm with componentize-js (takes a minute)"
  tmp="$wasm.tmp.$$"
  if ! bash "$here/build.sh" "$tmp"; then
    rm -f "$tmp"
    echo "componentize-js failed to build the test component"
    echo "0 passed, 1 failed"
    exit 1
  fi
  rm -f "$cache"/calc-*.wasm # older versions
  mv "$tmp" "$wasm"
fi
exec "$BUILD/tests/test_js" "$wasm"
