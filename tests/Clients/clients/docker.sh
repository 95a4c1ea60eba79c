# docker.sh - Docker (dockerd 20.10 -> containerd -> runc v2 shim) driving the runtime under test,
# registered with --add-runtime hull=<path> and made the default. dockerd and its containerd run
# by hand with every directory and socket private; no bridge, no iptables.

DOCKER_DIR=$WORK/docker
IMG=hulltest/busybox:latest
CLI=$DOCKER_DIR/cli
RUN_OPTS=(--network none)

source "$(dirname "${BASH_SOURCE[0]}")/dockerlike.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/daemons.sh"

client_up() {
  mkdir -p "$DOCKER_DIR/cli-config"
  containerd_start "$DOCKER_DIR/containerd" docker-containerd || return 1
  # dockerd writes its trust key to /etc/docker/key.json unless told otherwise, and this is only
  # settable in the configuration file.
  printf '{"deprecated-key-path": "%s"}\n' "$DOCKER_DIR/key.json" >"$DOCKER_DIR/daemon.json"
  start_daemon dockerd "$DOCKER_DIR/dockerd.log" dockerd --config-file "$DOCKER_DIR/daemon.json" \
    --data-root "$DOCKER_DIR/root" --exec-root "$DOCKER_DIR/exec" --pidfile "$DOCKER_DIR/dockerd.pid" \
    -H "unix://$DOCKER_DIR/docker.sock" --containerd "$DOCKER_DIR/containerd/containerd.sock" \
    --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --bridge=none \
    --userland-proxy=false --storage-driver overlay2 --cgroup-parent "/$CGROUP_ROOT/docker" \
    --add-runtime "hull=$RUNTIME" --default-runtime hull --experimental
  # /usr/local/bin may hold a newer docker CLI; the one from docker.io matches this daemon.
  cat >"$CLI" <<EOF
#!/bin/sh
export DOCKER_HOST=unix://$DOCKER_DIR/docker.sock DOCKER_CONFIG=$DOCKER_DIR/cli-config
exec /usr/bin/docker "\$@"
EOF
  chmod +x "$CLI"
  wait_for_daemon dockerd "$DOCKER_DIR/dockerd.log" cli version || return 1
  cli import "$IMAGE_DIR/rootfs.tar" "$IMG" >/dev/null
}

client_reset() {
  local ids
  ids=$(cli ps -aq)
  # shellcheck disable=SC2086 # one argument per container id
  [ -z "$ids" ] || cli rm -f $ids >/dev/null
}

client_down() {
  client_reset
  stop_daemon dockerd
  stop_daemon docker-containerd
}

# The blobs in dockerd's containerd content store (namespace moby).
content_blobs() {
  ctr --address "$DOCKER_DIR/containerd/containerd.sock" --namespace moby content ls -q | sort
}

# Checkpointing is experimental in Docker 20.10: dockerd runs with --experimental.
scenario_checkpoint_restore() {
  [ -z "$CRIU_PROBLEM" ] || skip "$CRIU_PROBLEM"
  start_detached "$CN" "$IMG" "${COUNTER[@]}"
  wait_until 20 "the counter to reach 10" count_at_least "$CN" 10
  local before blobs_before stale
  before=$(count_of "$CN")
  note "count before the checkpoint: $before"
  blobs_before=$(content_blobs)
  must cli checkpoint create "$CN" cp1
  wait_until 20 "$CN to stop after the checkpoint" is_exited "$CN"
  # Docker bug (moby/moby#42900, any runtime): `checkpoint create` leaves containerd's tar of the
  # checkpoint in the content store until containerd's garbage collector runs, and `start
  # --checkpoint` uploads a byte-identical tar of the same files, which containerd refuses ("commit
  # failed: content sha256:...: already exists") if the collector has not run yet, as under load.
  # Remove those unreferenced blobs as the collector would.
  stale=$(comm -13 <(printf '%s\n' "$blobs_before") <(content_blobs))
  note "checkpoint blobs left in containerd's content store: $(one_line "$stale")"
  # shellcheck disable=SC2086 # one argument per digest
  [ -z "$stale" ] || ctr --address "$DOCKER_DIR/containerd/containerd.sock" --namespace moby content rm $stale >&2
  must cli start --checkpoint cp1 "$CN"
  wait_until 20 "$CN to run after the restore" is_running "$CN"
  note "count after the restore: $(count_of "$CN")"
  count_at_least "$CN" "$before" ||
    fail "count after restore is '$(count_of "$CN")', below $before before the checkpoint: the process restarted instead of resuming"
}
