#!/usr/bin/env bash
# demo.sh - on a fresh machine: install what is needed, build Hull, make a busybox bundle in
# out/bundle and run a real container from it with out/hull.
set -euo pipefail
cd "$(dirname "$0")/.."
build/setup.sh
build/build.sh
bundle=out/bundle
if [ ! -f "$bundle/config.json" ]; then
  mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/tmp"
  cp /bin/busybox "$bundle/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
  done
  out/hull spec --bundle "$bundle"
  # Not a terminal: the demo's output goes to this shell's stdout.
  # spec names the host "runc", as runc's does: the demo names it itself.
  jq '.process.terminal = false | .hostname = "hull-demo"
      | .process.args = ["sh", "-c", "echo hello from $(hostname), pid $$, uid $(id -u); uname -sr"]' \
    "$bundle/config.json" > "$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
fi
id="hull-demo-$$"
echo "demo: out/hull run --bundle $bundle $id"
out/hull run --bundle "$bundle" "$id"
