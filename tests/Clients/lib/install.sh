# install.sh - install what the client suite needs, from Debian's packages. Idempotent: nothing
# happens when everything is there.

CLIENT_PACKAGES=(podman conmon containerd docker.io busybox-static jq bsdutils tar)

ensure_packages() {
  local p missing=()
  for p in "${CLIENT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "clients: installing ${missing[*]}" >&2
  # The packages' maintainer scripts would start dockerd and containerd as services; this suite
  # starts its own. policy-rc.d answering 101 ("action forbidden") is Debian's way to say no.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    made_policy=1
  fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; } || rc=$?
  [ "$made_policy" = 0 ] || rm -f "$policy"
  [ "$rc" = 0 ] || echo "clients: could not install ${missing[*]} (apt-get exited $rc)" >&2
  return "$rc"
}
