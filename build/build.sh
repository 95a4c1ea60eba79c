#!/usr/bin/env bash
# build.sh - build everything into out/:
#   out/hull                       NativeAOT, first-party plugins compiled in (the shipped runtime)
#   out/hull-host/hull             framework-dependent plugin host (McMaster.NETCore.Plugins)
#   out/hull-host/plugins/<Name>/  the first-party plugins, loaded by the plugin host at run time
set -euo pipefail
cd "$(dirname "$0")/.."
source build/sdk-tmp.sh
out="${HULL_OUT:-out}"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
props=(-c Release -p:SourceRevisionId="$commit" -nologo -v quiet)

echo "build: native hull ($commit)"
dotnet publish src/Host/Native -r linux-x64 -o "$out" "${props[@]}"
# hull-init: the containers' init (NativeAOT + the C namespace bootstrap), found next to hull.
echo "build: hull-init"
dotnet publish plugins/Linux/Init -r linux-x64 -o "$out" "${props[@]}"
# The plugin host and plugins share one restore; the plugins never carry Abstractions themselves.
echo "build: plugin host"
dotnet publish src/Host/PluginHost -o "$out/hull-host" "${props[@]}"
for p in Linux Unsupported Criu; do
  dotnet publish "plugins/$p" -o "$out/hull-host/plugins/$p" "${props[@]}"
done
# The plugin host's Linux plugin finds hull-init next to itself.
cp "$out/hull-init" "$out/hull-host/plugins/Linux/"
rm -f "$out"/*.pdb "$out"/*.dbg "$out"/*.xml
echo "build: done -> $out/hull, $out/hull-host/hull"
