# cleanup.sh - leave the machine as the run found it, also after a failure or an interrupt (run.sh
# calls cleanup_all from its EXIT trap). Everything this run made is under $WORK, under the cgroup
# $CGROUP_ROOT of each hierarchy, or in the few global paths the clients insist on (listed in
# GLOBAL_PATHS; removed only if they did not exist before the run, and only when empty).

GLOBAL_PATHS=(
  /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd
  /run/docker/plugins /run/docker /etc/docker/key.json /etc/docker
  /var/lib/containers/cache/blob-info-cache-v1.boltdb /var/lib/containers/cache /var/lib/containers
  /run/containers/networks /run/containers
)

# note_global_paths: remembers which of GLOBAL_PATHS exist before the clients run.
note_global_paths() {
  local p
  for p in "${GLOBAL_PATHS[@]}"; do
    [ ! -e "$p" ] || echo "$p"
  done >"$WORK/preexisting"
}

cleanup_all() {
  [ -z "${CLEANING:-}" ] || return 0
  CLEANING=1
  local c
  # 1. The clients' own way: remove containers, stop daemons.
  for c in "$WORK"/up/*; do
    [ -e "$c" ] || continue
    timeout -k 5 60 bash "$HERE/lib/call.sh" "${c##*/}" client_down >>"$WORK/cleanup.log" 2>&1
  done
  # 2. Whatever is left, by PID: the containers (processes in our cgroups) first, so that the
  # daemons need not wait for them, then the daemons, then every process started with our private
  # paths (shims, conmon). A killed shim leaves its socket in /run/containerd/s.
  source "$HERE/lib/daemons.sh"
  kill_leftovers cgroup_members
  for c in "$WORK"/pids/*; do
    [ -e "$c" ] && stop_daemon "${c##*/}"
  done
  shim_sockets >"$WORK/shim-sockets"
  kill_leftovers pids_of_run
  xargs -r rm -f <"$WORK/shim-sockets"
  # 3. Containers the runtime still has state for.
  delete_runtime_state
  # 4. Mounts (overlay rootfs, shm, netns bind mounts) under our private dirs.
  unmount_under "$WORK"
  # 5. Cgroups, the global paths the clients made, and the temp dir.
  remove_cgroups
  remove_global_paths
  report_leftovers
  [ -z "${KEEP_CLEANUP_LOG:-}" ] || cp "$WORK/cleanup.log" "$KEEP_CLEANUP_LOG" 2>/dev/null
  rm -rf --one-file-system "$WORK"
}

# report_leftovers: says on stderr what could not be removed (the run then exits non-zero).
report_leftovers() {
  local left=()
  [ -z "$(pids_of_run)" ] || left+=("processes $(pids_of_run | sort -un | tr '\n' ' ')")
  ! findmnt -rn -o TARGET | grep -qF "$WORK/" || left+=("mounts under $WORK")
  ! ls -d /sys/fs/cgroup/*/"$CGROUP_ROOT" >/dev/null 2>&1 || left+=("cgroups /sys/fs/cgroup/*/$CGROUP_ROOT")
  [ ${#left[@]} -gt 0 ] || return 0
  cp "$WORK/cleanup.log" "$WORK-cleanup.log" 2>/dev/null
  echo "clients: cleanup left behind: ${left[*]} (see $WORK-cleanup.log)" >&2
  CLEANUP_FAILED=1
}

# cgroup_members: the processes in our cgroups.
cgroup_members() {
  find /sys/fs/cgroup/*/"$CGROUP_ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null
}

# pids_of_run: processes whose command line names our temp dir, and processes in our cgroups.
pids_of_run() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    if [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ]; then continue; fi
    { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF "$WORK" && echo "$pid"
  done
  cgroup_members
}

# shim_sockets: the socket paths of our running shims. containerd 1.6 puts them in
# /run/containerd/s/<sha256 of "ADDRESS/NAMESPACE/ID">, whatever its state directory.
shim_sockets() {
  local f args ns id address
  for f in /proc/[0-9]*/cmdline; do
    { mapfile -d '' args <"$f"; } 2>/dev/null || continue
    [ ${#args[@]} -gt 0 ] && [ "${args[0]##*/}" = containerd-shim-runc-v2 ] || continue
    set -- "${args[@]:1}"
    ns="" id="" address=""
    while [ $# -ge 2 ]; do
      case "$1" in
        -namespace) ns=$2 ;;
        -id) id=$2 ;;
        -address) address=$2 ;;
      esac
      shift
    done
    case "$address" in "$WORK"/*) ;; *) continue ;; esac
    printf '/run/containerd/s/%s\n' "$(printf '%s' "$address/$ns/$id" | sha256sum | cut -d' ' -f1)"
  done
}

# kill_leftovers LISTER: SIGKILL to what LISTER prints, until it prints nothing.
kill_leftovers() {
  local pids
  for _ in 1 2 3 4 5; do
    # A frozen process does not die until thawed.
    find "/sys/fs/cgroup/freezer/$CGROUP_ROOT" -name freezer.state 2>/dev/null |
      while read -r f; do echo THAWED >"$f" 2>/dev/null; done
    pids=$("$1" | sort -un)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086 # a list of PIDs
    echo "cleanup: killing leftover processes:" $pids >>"$WORK/cleanup.log"
    # shellcheck disable=SC2086 # a list of PIDs
    kill -KILL $pids 2>/dev/null
    sleep 0.5
  done
}

# The runtime roots of this run: podman's and ctr's are private; `ctr container create` and
# restore use the shim's default under /run/containerd/runc/<namespace>.
delete_runtime_state() {
  local state dir
  find "$WORK" "/run/containerd/runc/$CGROUP_ROOT" -xdev -maxdepth 6 -name state.json 2>/dev/null |
    while read -r state; do
      dir=$(dirname "$state")
      "$RUNTIME" --root "$(dirname "$dir")" delete --force "$(basename "$dir")" >>"$WORK/cleanup.log" 2>&1
    done
}

# unmount_under DIR: every mount point at or below DIR, deepest first.
unmount_under() {
  local target left
  for _ in 1 2 3; do
    left=$(findmnt -rn -o TARGET | awk -v d="$1" 'index($0, d "/") == 1' | sort -r)
    [ -n "$left" ] || return 0
    for target in $left; do
      umount "$target" 2>/dev/null || umount -l "$target" 2>>"$WORK/cleanup.log"
    done
  done
}

remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$CGROUP_ROOT"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>>"$WORK/cleanup.log"
  done
}

remove_global_paths() {
  local p
  # Named after this run: ours whatever is in it.
  rm -rf "/run/containerd/runc/$CGROUP_ROOT"
  for p in "${GLOBAL_PATHS[@]}"; do
    grep -qxF "$p" "$WORK/preexisting" 2>/dev/null && continue
    if [ -d "$p" ]; then
      rmdir "$p" 2>/dev/null
    elif [ -e "$p" ]; then
      rm -f "$p"
    fi
  done
}
