# daemons.sh - start and stop the clients' daemons by PID; the private containerd both ctr and
# dockerd use.

# start_daemon NAME LOG CMD...: starts CMD in the background, its PID in $WORK/pids/NAME (the
# cleanup trap stops whatever is listed there).
start_daemon() {
  local name=$1 log=$2
  shift 2
  mkdir -p "$WORK/pids"
  "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$WORK/pids/$name"
}

# stop_daemon NAME: SIGTERM, up to 20 s to exit, then SIGKILL.
stop_daemon() {
  local file=$WORK/pids/$1 pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -TERM "$pid" 2>/dev/null; then
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

# daemon_alive NAME
daemon_alive() {
  [ -f "$WORK/pids/$1" ] && kill -0 "$(cat "$WORK/pids/$1")" 2>/dev/null
}

# wait_for_daemon NAME LOG CMD...: polls CMD for up to 20 s while the daemon lives; on failure
# prints the end of its log and returns 1.
wait_for_daemon() {
  local name=$1 log=$2 i
  shift 2
  for ((i = 0; i < 100; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    daemon_alive "$name" || break
    sleep 0.2
  done
  echo "$name did not come up; its log ends with:" >&2
  tail -n 5 "$log" >&2
  return 1
}

# containerd_start DIR NAME: a containerd whose root, state, sockets and plugin dirs are all under
# DIR. The CRI plugin is off (no CNI, no streaming server). Shims inherit a PATH whose `runc` is the
# runtime under test, so a container created without a BinaryName option (`ctr container create`
# has no flag for one) still gets the runtime under test and never the machine's runc. Its TMPDIR
# is private too: containerd 1.6 unpacks a checkpoint to restore into a temp dir it never removes.
containerd_start() {
  local dir=$1 name=$2
  mkdir -p "$dir/bin" "$dir/tmp"
  ln -sf "$RUNTIME" "$dir/bin/runc"
  cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
EOF
  PATH="$dir/bin:$PATH" TMPDIR="$dir/tmp" start_daemon "$name" "$dir/containerd.log" containerd --config "$dir/config.toml"
  wait_for_daemon "$name" "$dir/containerd.log" ctr --address "$dir/containerd.sock" version
}
