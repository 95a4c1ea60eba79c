# podman.sh - podman (through conmon) driving the runtime under test. Podman has no daemon: every
# command goes through the wrapper $CLI, which points podman at private configuration, storage,
# state and runtime root, so nothing of the machine's podman setup is used or changed.
#
# Podman passes `--log-format json --log FILE` only to a runtime whose file name is `runc`, and
# reads that file for the runtime's error text. So podman reaches the runtime under test through a
# wrapper named runc; the runtime_own_name scenario calls it through a wrapper named hull instead,
# the other path through podman.
#
# The wrappers, not podman's --runtime-flag, give the runtime its private --root: podman 4.3 does
# not pass --runtime-flag on to conmon's exit command (`podman container cleanup`), whose
# `delete --force` then went to the runtime's default root and removed nothing there; podman took
# the container as deleted, and `restart`'s create failed with "container ... already exists"
# (with runc as with hull, whenever the cleanup won the race against restart's own delete).

PODMAN_DIR=$WORK/podman
IMG=localhost/hulltest/busybox:latest
CLI=$PODMAN_DIR/cli
# No CAP_SYS_RESOURCE here: podman's default rlimits (nofile 1048576) would be refused.
RUN_OPTS=(--network none --cgroup-parent "/$CGROUP_ROOT/podman"
  --ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

source "$(dirname "${BASH_SOURCE[0]}")/dockerlike.sh"

SCENARIOS+=(runtime_own_name)

client_up() {
  mkdir -p "$PODMAN_DIR"/{bin,bin-own,tmp,networks,volumes,runtime-root}
  local wrapper
  for wrapper in "$PODMAN_DIR/bin/runc" "$PODMAN_DIR/bin-own/hull"; do
    # exec -a: the runtime sees the wrapper's name as its own, as through a symlink.
    printf '#!/bin/bash\nexec -a "$0" %q --root %q "$@"\n' "$RUNTIME" "$PODMAN_DIR/runtime-root" >"$wrapper"
    chmod +x "$wrapper"
  done
  cat >"$PODMAN_DIR/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$PODMAN_DIR/events.log"
tmp_dir = "$PODMAN_DIR/tmp"
volume_path = "$PODMAN_DIR/volumes"
[network]
network_config_dir = "$PODMAN_DIR/networks"
EOF
  cat >"$PODMAN_DIR/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$PODMAN_DIR/root"
runroot = "$PODMAN_DIR/run"
EOF
  : >"$PODMAN_DIR/registries.conf"
  cat >"$CLI" <<EOF
#!/bin/sh
export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
export CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf
exec podman --root $PODMAN_DIR/root --runroot $PODMAN_DIR/run --tmpdir $PODMAN_DIR/tmp \\
  --cgroup-manager cgroupfs --events-backend file --network-config-dir $PODMAN_DIR/networks \\
  --volumepath $PODMAN_DIR/volumes --runtime "\${PODMAN_RUNTIME:-$PODMAN_DIR/bin/runc}" "\$@"
EOF
  chmod +x "$CLI"
  cli import "$IMAGE_DIR/rootfs.tar" "$IMG" >/dev/null
}

# Removes every container; conmon exits with its container. Podman stops a container with the
# runtime that created it, so the containers of runtime_own_name need that runtime path.
client_reset() {
  cli rm -a -f -t 0 >/dev/null
  PODMAN_RUNTIME=$PODMAN_DIR/bin-own/hull cli rm -a -f -t 0 >/dev/null
}

# Podman has no daemon to stop.
client_down() {
  client_reset
}

scenario_checkpoint_restore() {
  [ -z "$CRIU_PROBLEM" ] || skip "$CRIU_PROBLEM"
  start_detached "$CN" "$IMG" "${COUNTER[@]}"
  wait_until 20 "the counter to reach 10" count_at_least "$CN" 10
  local before
  before=$(count_of "$CN")
  note "count before the checkpoint: $before"
  must cli container checkpoint "$CN"
  expect_eq "$(status_of "$CN")" exited "status after checkpoint"
  must cli container restore "$CN"
  expect_eq "$(status_of "$CN")" running "status after restore"
  note "count after the restore: $(count_of "$CN")"
  count_at_least "$CN" "$before" ||
    fail "count after restore is '$(count_of "$CN")', below $before before the checkpoint: the process restarted instead of resuming"
}

# A runtime not named runc gets no --log from podman: its errors come back on its stderr instead.
scenario_runtime_own_name() {
  # The wrapper hands podman $PODMAN_RUNTIME when set, else the symlink named runc.
  export PODMAN_RUNTIME=$PODMAN_DIR/bin-own/hull
  scenario_run_output
  scenario_error_message
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  capture out cli exec "$CN" echo exec-ok
  expect_eq "$out" exec-ok "exec output"
  must cli rm -f -t 1 "$CN"
}
