#!/usr/bin/env bash
# rebuild.sh — regenerates the committed test components in this folder from their sources:
#   *.wat  component text  -> *.wasm   (jco parse = wasm-tools parse)
#   *.c    C guests        -> *.wasm   (clang-19 for wasm32 without libc, then jco embed with
#                                       the WIT world of the same name and jco new); echo.c is
#                                       built three times: echo.wasm (UTF-8), echo16.wasm (UTF-16)
#                                       and echo-latin1.wasm (latin1+utf16); res.c (resources)
#                                       gives res.wasm
# Needs clang-19 and the project's pinned jco (tools/js/jco).  Run from anywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jco="$here/../../../tools/js/jco"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
for w in *.wat; do
  "$jco" parse "$w" -o "${w%.wat}.wasm"
done
cflags=(--target=wasm32 -O2 -nostdlib -mbulk-memory -Wl,--no-entry -Wall -Wextra -Werror)
build_c() { # source world output [string-encoding]
  clang-19 "${cflags[@]}" -o "$tmp/core.wasm" "$1"
  "$jco" embed --wit "${1%.c}.wit" -n "$2" ${4:+--string-encoding "$4"} "$tmp/core.wasm" -o "$tmp/emb.wasm"
  "$jco" new "$tmp/emb.wasm" -o "$3"
}
build_c echo.c guest echo.wasm
build_c echo.c guest echo16.wasm utf16
build_c echo.c guest echo-latin1.wasm compact-utf16
build_c res.c res res.wasm
echo "rebuilt test components in $here"
