#!/usr/bin/env bash
# bench.sh - start-up and lifecycle timings of out/hull side by side with Debian's runc.
# A benchmark, not a test: it prints medians and the hull/runc ratio per case.
#   build/bench.sh [--runs N]        (needs hyperfine and runc; run build/build.sh first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=30
[ "${1:-}" = "--runs" ] && runs="$2"
hull="$PWD/out/hull"
for tool in hyperfine runc jq; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$hull" ] || { echo "bench: $hull is missing: run build/build.sh first" >&2; exit 1; }

work=$(mktemp -d /tmp/hull-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/hull-root" "$work/runc-root"

printf '%-28s %12s %12s %8s\n' case "hull (ms)" "runc (ms)" ratio
# compare NAME HULL_CMD RUNC_CMD [PREPARE_HULL PREPARE_RUNC]: median wall time of each, and hull/runc.
compare() {
  local name=$1 hcmd=$2 rcmd=$3 hprep=${4:-} rprep=${5:-}
  hyperfine -N --runs "$runs" --warmup 3 --style none ${hprep:+--prepare "$hprep"} \
    --export-json "$work/h.json" "$hcmd" >/dev/null 2>&1
  hyperfine -N --runs "$runs" --warmup 3 --style none ${rprep:+--prepare "$rprep"} \
    --export-json "$work/r.json" "$rcmd" >/dev/null 2>&1
  local h r
  h=$(jq '.results[0].median * 1000' "$work/h.json")
  r=$(jq '.results[0].median * 1000' "$work/r.json")
  printf '%-28s %12.1f %12.1f %7.2fx\n' "$name" "$h" "$r" "$(awk -v h="$h" -v r="$r" 'BEGIN { print h / r }')"
}

compare "list (empty root)" "$hull --root $work/hull-root list" "runc --root $work/runc-root list"
