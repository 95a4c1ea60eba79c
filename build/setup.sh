#!/usr/bin/env bash
# setup.sh - install what building and testing Hull needs on a fresh Debian 12 machine (as root).
# The .NET SDK is expected on the machine. Idempotent.
#   build/setup.sh           packages for building, the demo and the tests
#   build/setup.sh --criu    also build CRIU >= 4.2 (the checkpoint/restore tests need it)
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(gcc make busybox-static runc crun jq hyperfine bats uidmap iproute2 procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--criu" ]; then
  criu_script=../shared/tools/install-criu.sh
  if [ -f "$criu_script" ]; then
    echo "setup: building CRIU (this takes a few minutes the first time)"
    bash "$criu_script" || echo "setup: CRIU could not be installed: checkpoint/restore tests will skip" >&2
  else
    echo "setup: $criu_script not found: checkpoint/restore tests will skip" >&2
  fi
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is not on PATH" >&2; exit 1; }
