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

# The container lifecycle on one busybox bundle (made here from Debian's busybox-static), /bin/true.
if [ "$(id -u)" -ne 0 ] || [ ! -x /bin/busybox ]; then
  echo "bench: the container cases need root and busybox-static: skipped" >&2
  exit 0
fi
bundle="$work/bundle"
mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp"
cp /bin/busybox "$bundle/rootfs/bin/"
for applet in sh true sleep; do ln -s busybox "$bundle/rootfs/bin/$applet"; done
(cd "$bundle" && runc spec && jq '.process.terminal = false | .process.args = ["true"]' config.json > c && mv c config.json)
H="$hull --root $work/hull-root"
R="runc --root $work/runc-root"
compare "run /bin/true" "$H run -b $bundle hb" "$R run -b $bundle rb"
compare "create+start+delete" \
  "sh -c '$H create -b $bundle hc </dev/null >/dev/null 2>&1 && $H start hc && $H delete -f hc'" \
  "sh -c '$R create -b $bundle rc </dev/null >/dev/null 2>&1 && $R start rc && $R delete -f rc'"
$H create -b "$bundle" hs </dev/null >/dev/null 2>&1
$R create -b "$bundle" rs </dev/null >/dev/null 2>&1
compare "state (created container)" "$H state hs" "$R state rs"
$H delete -f hs
$R delete -f rs
# exec into a running container (its init sleeps meanwhile).
mkdir -p "$work/sleeper"
jq --arg rootfs "$bundle/rootfs" '.process.args = ["sleep", "1000"] | .root.path = $rootfs' "$bundle/config.json" > "$work/sleeper/config.json"
$H run -d -b "$work/sleeper" hx </dev/null >/dev/null 2>&1
$R run -d -b "$work/sleeper" rx </dev/null >/dev/null 2>&1
trap '$H delete -f hx; $R delete -f rx; rm -rf "$work"' EXIT
compare "exec /bin/true" "$H exec hx true" "$R exec rx true"
