#!/usr/bin/env bash
# tests/spec/component-report.sh COMMAND... — runs a `weld wast` command of the component
# suites (component-validation.sh, component-exec.sh) and prints its output, then the
# scripts that were skipped as a whole (every command skipped) with the feature they need,
# then the total as "N passed, N failed, N skipped" (always three counts).
set -u
out=$("$@" 2>&1)
last=$(printf '%s\n' "$out" | tail -n 1)
printf '%s\n' "$out" | sed '$d'
skipped=$(printf '%s\n' "$out" | grep -E '^[^ ]+: 0 passed, 0 failed, [0-9]+ skipped' |
          sed -E 's/^([^ ]+): 0 passed, 0 failed, [0-9]+ skipped \(needs (.*)\)$/  \1: \2/')
if [[ -n "$skipped" ]]; then
  echo "scripts skipped as a whole (needs):"
  printf '%s\n' "$skipped"
fi
if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
  echo "${BASH_REMATCH[1]} passed, ${BASH_REMATCH[2]} failed, ${BASH_REMATCH[4]:-0} skipped"
else
  printf '%s\n' "$last"
  echo "0 passed, 1 failed, 0 skipped"
fi
