#!/usr/bin/env bash
# test.sh - set up, build, and run every test: unit, integration (as root), then the real-client
# suite (podman, containerd, Docker driving out/hull; tests/Clients/run.sh installs its packages).
# Prints one closing line: "N passed, N failed, N skipped". Exit status non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
# Bundles and images the tests make are read by unprivileged users in containers: not by a 027 or 077 umask.
umask 022
build/setup.sh --criu || exit 1
build/build.sh || exit 1

source build/sdk-tmp.sh
log=$(mktemp /tmp/hull-test.XXXXXX)
clients_log=$(mktemp /tmp/hull-test-clients.XXXXXX)
trap 'rm -rf "$log" "$clients_log" "$HULL_SDK_TMP"' EXIT
status=0
for project in tests/Hull.Tests.Unit tests/Hull.Tests.Integration; do
  echo "test: $project"
  # pipefail (set above) makes the pipeline fail when dotnet test does.
  # The tests themselves keep the machine's /tmp (tests as an unprivileged user reach their bundles there).
  # Given as a run setting, not with -e: the CLI applies -e to itself too, and its empty dirs landed in /tmp.
  if ! dotnet test "$project" -nologo -- RunConfiguration.EnvironmentVariables.TMPDIR=/tmp 2>&1 | tee -a "$log"; then status=1; fi
done
echo "test: tests/Clients (real clients against out/hull)"
# --verbose: a failing scenario's log (every client command and its output) goes into the CI log.
TMPDIR=/tmp tests/Clients/run.sh --runtime out/hull --verbose 2>&1 | tee "$clients_log"
clients_rc=${PIPESTATUS[0]}
[ "$clients_rc" = 0 ] || status=1
# The suite closes with "N passed, N failed, N skipped". When it fails without a failed scenario
# (it could not set up, or its cleanup left something behind) that counts as one failure.
clients_counts=$(sed -nE 's/^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\2 \1 \3/p' "$clients_log" | tail -n 1)
read -r clients_failed clients_passed clients_skipped <<<"${clients_counts:-0 0 0}"
[ "$clients_rc" = 0 ] || [ "$clients_failed" -gt 0 ] || clients_failed=1
{
  # dotnet test prints "Failed: a, Passed: b, Skipped: c, Total: d" per test assembly.
  sed -nE 's/.*Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\1 \2 \3/p' "$log"
  echo "$clients_failed $clients_passed $clients_skipped"
} | awk '{ f += $1; p += $2; s += $3 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
