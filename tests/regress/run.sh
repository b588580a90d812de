#!/usr/bin/env bash
# tests/regress/run.sh BUILD — every bug found gets a script here, named after what broke
# (DESIGN.md "Tests"): `weld wast` runs them all (core modules and components; a crash of
# one script is reported as a failure of that script, not of the run).
# Last line: N passed, N failed.
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")"
shopt -s nullglob
files=(*.wast)
[[ "$BUILD" = /* ]] || BUILD=../../$BUILD
exec "$BUILD/weld" wast "${files[@]}"
