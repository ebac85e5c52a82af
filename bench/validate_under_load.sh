#!/usr/bin/env bash
# The course's stability and speed bar, measured (not a test):
#   - `asyncshell validate` N times in a row (default 5) for each asyncshell given, while
#     another process keeps one core busy: every run must pass;
#   - the whole course validated on one core (taskset -c 0), with that core shared with
#     nothing of ours: the wall time, against the 3-minute goal.
# Usage: bench/validate_under_load.sh [-n RUNS] ASYNCSHELL [ASYNCSHELL ...]
#   e.g. bench/validate_under_load.sh /tmp/venv/bin/asyncshell /tmp/venv3.12/bin/asyncshell
set -uo pipefail
runs=5
if [[ ${1:-} == -n ]]; then runs=$2; shift 2; fi
(( $# )) || { echo "usage: $0 [-n RUNS] ASYNCSHELL [ASYNCSHELL ...]" >&2; exit 2; }
cd "$(dirname "$0")/.."
home=$(mktemp -d)
trap 'kill $burner 2>/dev/null; rm -rf "$home"' EXIT
failed=0
for shell in "$@"; do
  version=$("$shell" --version)
  python3 -c 'while True: pass' & burner=$!   # one core kept busy
  passed=0
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s.%N)
    if ASYNCSHELL_HOME=$home "$shell" validate >"$home/out" 2>&1; then
      passed=$((passed + 1)); verdict=ok
    else
      failed=1; verdict="FAILED: $(grep -m3 ': exercise\|: predict\|did not load' "$home/out" | tr '\n' ' ')"
    fi
    printf '%s  run %d/%d  %5.1f s  %s\n' "$version" "$i" "$runs" "$(echo "$(date +%s.%N) - $start" | bc)" "$verdict"
  done
  kill $burner; wait $burner 2>/dev/null
  echo "$version: $passed of $runs runs passed with one core busy"
done
if command -v taskset >/dev/null; then
  start=$(date +%s.%N)
  ASYNCSHELL_HOME=$home taskset -c 0 "$1" validate >"$home/out" 2>&1
  status=$?
  lessons=$(grep -c ' ok ' "$home/out")
  printf 'whole course on one core (%s): %d lessons, exit %d, %.1f s (goal: under 180 s)\n' \
    "$("$1" --version)" "$lessons" "$status" "$(echo "$(date +%s.%N) - $start" | bc)"
fi
exit $failed
