#!/usr/bin/env bash
# build.sh OUT.wasm — makes the componentize-js test component from calc.js + calc.wit
# (componentize-js and jco pinned in the project's package.json; `npm install` first).
# The output (about 12 MB: StarlingMonkey + the JS) is not committed: run.sh builds it on
# demand into the build directory.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 OUT.wasm" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
exec node "$here/build.mjs" "$1"
