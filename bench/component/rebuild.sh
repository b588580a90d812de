#!/usr/bin/env bash
# bench/component/rebuild.sh — regenerates the committed benchmark components from their
# text: bench/component/*.wat -> *.wasm with the project's pinned jco (`jco parse`, i.e.
# wasm-tools parse).  bench/rebuild.sh (and so .ci/run) calls it.  Reproducible: unchanged
# text gives identical bytes.  Needs node and `npm install` in the project root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jco="$here/../../tools/js/jco"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
for w in *.wat; do
  # to a temporary file first, so a failure never leaves a half-written component
  "$jco" parse "$w" -o "$tmp/${w%.wat}.wasm"
  chmod 644 "$tmp/${w%.wat}.wasm"
  mv "$tmp/${w%.wat}.wasm" "${w%.wat}.wasm"
done
echo "rebuild.sh: bench/component rebuilt ($(ls *.wasm | wc -l) components)"
