#!/usr/bin/env bash
# test.sh - set up, build, and run every test (unit, then integration as root).
# Prints one closing line: "N passed, N failed, N skipped". Exit status non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
build/setup.sh --criu || exit 1
build/build.sh || exit 1

log=$(mktemp /tmp/hull-test.XXXXXX)
trap 'rm -f "$log"' EXIT
status=0
for project in tests/Hull.Tests.Unit tests/Hull.Tests.Integration; do
  echo "test: $project"
  # pipefail (set above) makes the pipeline fail when dotnet test does.
  if ! dotnet test "$project" -nologo 2>&1 | tee -a "$log"; then status=1; fi
done
# dotnet test prints "Failed: a, Passed: b, Skipped: c, Total: d" per test assembly: add them up.
sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/p' "$log" |
  awk '{ f += $1; p += $2; s += $3 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
