# containerd.sh - containerd 1.6 through ctr, its runc v2 shim driving the runtime under test.
# `ctr run` passes the runtime as the shim's BinaryName option (--runc-binary) with a private state
# root (--runc-root); commands that cannot (ctr container create) reach it through the shims' PATH
# (see containerd_start). The namespace is named after the run's cgroup root, so containerd's
# default cgroup paths (/<namespace>/<id>) stay under it too.

source "$(dirname "${BASH_SOURCE[0]}")/../lib/daemons.sh"

CTR_DIR=$WORK/containerd
IMG=$CTR_IMAGE
CLI=$CTR_DIR/cli
CTR_RUN=("$CLI" run --runc-binary "$RUNTIME" --runc-root "$CTR_DIR/runtime-root" --fifo-dir "$CTR_DIR/fifo")

cli() { "$CLI" "$@"; }

client_up() {
  mkdir -p "$CTR_DIR"/{fifo,logs,specs,runtime-root}
  containerd_start "$CTR_DIR" containerd || return 1
  cat >"$CLI" <<EOF
#!/bin/sh
exec ctr --address $CTR_DIR/containerd.sock --namespace $CGROUP_ROOT "\$@"
EOF
  chmod +x "$CLI"
  cli image import "$IMAGE_DIR/oci.tar" >/dev/null || return 1
  cli image ls -q | grep -qx "$IMG"
}

# Kills and deletes every task and container of the namespace.
client_reset() {
  local id
  for id in $(cli task ls -q); do
    # A paused task cannot die until it is thawed.
    cli task resume "$id" >/dev/null 2>&1
    cli task kill -s KILL "$id" >/dev/null 2>&1
  done
  for id in $(cli container ls -q); do
    cli task delete -f "$id" >/dev/null 2>&1
    cli container delete "$id" >/dev/null 2>&1
  done
}

client_down() {
  client_reset
  stop_daemon containerd
}

task_field() { cli task ls | awk -v id="$1" -v f="$2" '$1 == id { print $f }'; }
status_of() { task_field "$1" 3; }
pid_of() { task_field "$1" 2; }
is_running() { [ "$(status_of "$1")" = RUNNING ]; }
is_stopped() { [ "$(status_of "$1")" = STOPPED ]; }
log_of() { echo "$CTR_DIR/logs/$1.log"; }
logs_contain() { grep -q -- "$2" "$(log_of "$1")"; }

# exit_code_of NAME: deletes NAME's stopped task and prints its exit code (ctr reports a non-zero
# one only as a warning from `task delete`).
exit_code_of() {
  local out
  out=$(cli task delete "$1" 2>&1)
  note "task delete $1: $out"
  case "$out" in
    *"exit code "*) printf '%s\n' "$out" | sed -n 's/.*exit code \([0-9]*\).*/\1/p' | head -n 1 ;;
    *) echo 0 ;;
  esac
}

# exec_in [EXEC FLAGS...] NAME ARGS...: `ctr task exec` with an exec id of its own (unique also
# when called from a command substitution's subshell).
EXEC_COUNT=0
exec_in() {
  EXEC_COUNT=$((EXEC_COUNT + 1))
  cli task exec --fifo-dir "$CTR_DIR/fifo" --exec-id "e$BASHPID-$EXEC_COUNT" "$@"
}

# start_detached NAME [RUN FLAGS...] -- CMD...: `ctr run -d` logging to $(log_of NAME), then waits
# until the task runs and says $READY. With --config in the flags, CMD is empty (it is in the spec).
start_detached() {
  local name=$1 flags=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    flags+=("$1")
    shift
  done
  shift
  local target=("$IMG" "$name")
  case " ${flags[*]} " in *" --config "*) target=("$name") ;; esac
  must "${CTR_RUN[@]}" -d --log-uri "file://$(log_of "$name")" "${flags[@]}" "${target[@]}" "$@"
  wait_until 20 "$name to run" is_running "$name"
  wait_until 20 "$name to print $READY" logs_contain "$name" "$READY"
}

# make_spec NAME JQ_FILTER ARGS...: an OCI spec (ctr's default, for `ctr run --config`) on a copy
# of the image's rootfs, running ARGS, changed by JQ_FILTER; prints its path.
make_spec() {
  local name=$1 filter=$2
  shift 2
  local rootfs=$CTR_DIR/specs/$name-rootfs spec=$CTR_DIR/specs/$name.json
  cp -a "$IMAGE_DIR/rootfs" "$rootfs"
  cli oci spec | jq --arg root "$rootfs" --arg cg "/$CGROUP_ROOT/$name" --args \
    ".root = {path: \$root, readonly: false} | .linux.cgroupsPath = \$cg
     | .process.args = \$ARGS.positional
     | .process.env = [\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"] | $filter" -- "$@" >"$spec" ||
    fail "could not write the spec for $name"
  echo "$spec"
}

scenario_run_output() {
  capture out "${CTR_RUN[@]}" --rm "$IMG" "$CN" echo hello-from-container
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" hello-from-container "output"
}

scenario_exit_code() {
  capture out "${CTR_RUN[@]}" --rm "$IMG" "$CN" sh -c 'exit 42'
  expect_eq "$out_rc" 42 "exit code of 'exit 42'"
  capture out "${CTR_RUN[@]}" --rm "$IMG" "$CN" false
  expect_eq "$out_rc" 1 "exit code of 'false'"
}

# The shim reads the runtime's --log (JSON) for the error text it returns to ctr.
scenario_error_message() {
  capture out "${CTR_RUN[@]}" --rm "$IMG" "$CN" /nonexistent-binary
  [ "$out_rc" -ne 0 ] || fail "running a missing executable exited 0"
  expect_contains "$out" /nonexistent-binary "error message"
  cli container ls -q | grep -qx "$CN" && fail "container left behind after the failed run"
  return 0
}

scenario_create_start() {
  must cli container create "$IMG" "$CN" -- sh -c 'echo started-ok; exit 3'
  cli container ls -q | grep -qx "$CN" || fail "container not listed after create"
  capture out cli task start --fifo-dir "$CTR_DIR/fifo" "$CN"
  expect_contains "$out" started-ok "output of task start"
  expect_eq "$out_rc" 3 "exit code of task start"
}

scenario_exec() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  capture out exec_in "$CN" echo exec-ok
  expect_eq "$out" exec-ok "exec output"
  capture out exec_in "$CN" sh -c 'exit 7'
  expect_eq "$out_rc" 7 "exit code of exec 'exit 7'"
  # uid:gid, not a bare uid: for a bare one ctr looks the group up by mounting the running
  # container's snapshot a second time, which breaks overlayfs copy-up in the container.
  capture out exec_in --cwd /tmp --user 1000:1000 "$CN" sh -c 'echo "$(id -u):$(id -g) $(pwd)"'
  expect_eq "$out" "1000:1000 /tmp" "exec user and workdir"
  must exec_in -d "$CN" sh -c 'echo detached-exec > /tmp/marker'
  wait_until 10 "the detached exec's file" exec_in "$CN" test -f /tmp/marker
  capture out exec_in "$CN" /nonexistent-binary
  [ "$out_rc" -ne 0 ] || fail "exec of a missing executable exited 0"
  expect_contains "$out" /nonexistent-binary "exec error message"
  is_running "$CN" || fail "task stopped after the execs"
}

# ctr has no `logs`: the shim writes the task's output to the --log-uri file.
scenario_logs() {
  must "${CTR_RUN[@]}" -d --log-uri "file://$(log_of "$CN")" "$IMG" "$CN" \
    sh -c 'echo out-$((1+1)); echo err-$((1+2)) >&2; echo out-$((1+3))'
  wait_until 20 "$CN to exit" is_stopped "$CN"
  # The shim copies stdout and stderr to the file separately: one may land after the task is
  # reported stopped (seen once under load, err-3 missing with out-4 there).
  wait_until 10 "$CN's stdout in the log" logs_contain "$CN" out-4
  wait_until 10 "$CN's stderr in the log" logs_contain "$CN" err-3
  local out
  out=$(cat "$(log_of "$CN")")
  expect_contains "$out" out-2 "log (stdout)"
  expect_contains "$out" err-3 "log (stderr)"
  expect_contains "$out" out-4 "log (stdout after stderr)"
}

# `ctr task ps` asks the shim, which asks the runtime (`ps --format json`).
scenario_top() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  local pid
  pid=$(pid_of "$CN")
  capture out cli task ps "$CN"
  expect_eq "$out_rc" 0 "exit code of task ps"
  printf '%s\n' "$out" | awk '{ print $1 }' | grep -qx "$pid" || fail "task ps does not list the init pid $pid: $(one_line "$out")"
}

scenario_pause_resume() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  local freezer
  freezer=$(cgroup_file "$(pid_of "$CN")" freezer freezer.state)
  must cli task pause "$CN"
  expect_eq "$(status_of "$CN")" PAUSED "status after pause"
  expect_eq "$(cat "$freezer")" FROZEN "freezer state after pause"
  must cli task resume "$CN"
  expect_eq "$(status_of "$CN")" RUNNING "status after resume"
  expect_eq "$(cat "$freezer")" THAWED "freezer state after resume"
  capture out exec_in "$CN" echo alive
  expect_eq "$out" alive "exec after resume"
}

# ctr has no `stop`: kill (SIGTERM by default), then delete the task and the container.
scenario_stop_rm() {
  start_detached "$CN" -- sh -c "$(trapping 'echo got-TERM; exit 0' TERM)"
  must cli task kill "$CN"
  wait_until 10 "$CN to exit after SIGTERM" is_stopped "$CN"
  expect_eq "$(exit_code_of "$CN")" 0 "exit code after a graceful stop"
  logs_contain "$CN" got-TERM || fail "the TERM trap did not run"
  must cli container delete "$CN"
  cli container ls -q | grep -qx "$CN" && fail "container listed after delete"
  [ -z "$(ls -A "$CTR_DIR/runtime-root/$CGROUP_ROOT" 2>/dev/null)" ] ||
    fail "runtime state left behind: $(ls "$CTR_DIR/runtime-root/$CGROUP_ROOT")"
}

# kill_with SIGNAL EXIT_CODE: a task that traps SIGNAL and exits with EXIT_CODE.
kill_with() {
  start_detached "$CN" -- sh -c "$(trapping "echo got-$1; exit $2" "$1")"
  must cli task kill -s "SIG$1" "$CN"
  wait_until 20 "$CN to exit after SIG$1" is_stopped "$CN"
  expect_eq "$(exit_code_of "$CN")" "$2" "exit code after SIG$1"
  logs_contain "$CN" "got-$1" || fail "the $1 trap did not run"
}

scenario_kill_term() {
  kill_with TERM 5
}

scenario_kill_kill() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  must cli task kill -s SIGKILL "$CN"
  wait_until 20 "$CN to exit after SIGKILL" is_stopped "$CN"
  expect_eq "$(exit_code_of "$CN")" 137 "exit code after SIGKILL"
}

scenario_kill_usr1() {
  start_detached "$CN" -- sh -c "$(trapping 'echo got-USR1' USR1)"
  must cli task kill -s SIGUSR1 "$CN"
  wait_until 10 "the USR1 trap's output" logs_contain "$CN" got-USR1
  is_running "$CN" || fail "task stopped after SIGUSR1"
}

# ctr has no `restart`: a new task of the same container (kill, delete the task, start it again).
scenario_restart() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  local before after
  before=$(pid_of "$CN")
  must cli task kill -s SIGKILL "$CN"
  wait_until 20 "$CN to exit" is_stopped "$CN"
  must cli task delete "$CN"
  must cli task start -d --fifo-dir "$CTR_DIR/fifo" --log-uri "file://$(log_of "$CN")" "$CN"
  wait_until 20 "$CN to run again" is_running "$CN"
  after=$(pid_of "$CN")
  [ "$after" != "$before" ] || fail "pid after restart is $after (before: $before)"
  capture out exec_in "$CN" echo alive
  expect_eq "$out" alive "exec after restart"
}

# ctr never passes end-of-file on stdin to the task (containerd issue 2659), so the task reads
# what it needs and exits instead of reading to the end like `cat`.
scenario_stdin() {
  local out out_rc
  out=$(printf 'piped-line-1\npiped-line-2\n' |
    "${CTR_RUN[@]}" --rm "$IMG" "$CN" sh -c 'read a; read b; echo "got:$a,$b"' 2>&1)
  out_rc=$?
  note "stdin run -> exit $out_rc: $out"
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" "got:piped-line-1,piped-line-2" "output"
}

scenario_tty() {
  local out rc
  out=$(pty_run 'echo typed-$((6*7)) $(tty)\nexit 3\n' "${CTR_RUN[@]}" -t --rm "$IMG" "$CN" sh)
  rc=$?
  note "terminal showed: $out"
  expect_contains "$out" "typed-42 /dev/pts/" "terminal output"
  expect_eq "$rc" 3 "exit code"
}

scenario_exec_tty() {
  start_detached "$CN" -- "${LONG_RUNNING[@]}"
  local out rc
  out=$(pty_run 'echo exec-typed-$((6*7)) $(tty)\nexit 4\n' "$CLI" task exec --fifo-dir "$CTR_DIR/fifo" -t --exec-id tty1 "$CN" sh)
  rc=$?
  note "terminal showed: $out"
  expect_contains "$out" "exec-typed-42 /dev/pts/" "terminal output"
  expect_eq "$rc" 4 "exit code"
}

# ctr run has no --user or --hostname: a whole spec instead (ctr run --config).
scenario_user_env() {
  local spec
  spec=$(make_spec "$CN" '.process.user = {uid: 1000, gid: 1000} | .process.env += ["HULL_VAR=from-env"]
    | .process.cwd = "/tmp" | .hostname = "hull-host"' \
    sh -c 'echo "$(id -u):$(id -g) $HULL_VAR $(pwd) $(hostname)"')
  capture out "${CTR_RUN[@]}" --rm --config "$spec" "$CN"
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" "1000:1000 from-env /tmp hull-host" "uid:gid env cwd hostname"
}

scenario_readonly_tmpfs() {
  capture out "${CTR_RUN[@]}" --rm --read-only \
    --mount type=tmpfs,src=tmpfs,dst=/scratch,options=rw:nosuid:nodev "$IMG" "$CN" sh -c \
    'touch /rootfile 2>/dev/null && echo root-writable; touch /scratch/f && echo tmpfs-writable; grep " /scratch " /proc/mounts'
  expect_not_contains "$out" root-writable "read-only rootfs"
  expect_contains "$out" tmpfs-writable "tmpfs"
  expect_contains "$out" "tmpfs /scratch tmpfs" "mount table"
}

# ctr run has --memory-limit but no pids limit: both through a spec.
scenario_limits() {
  local spec pid
  spec=$(make_spec "$CN" '.linux.resources.memory = {limit: 67108864, swap: 67108864}
    | .linux.resources.pids = {limit: 20}' "${LONG_RUNNING[@]}")
  start_detached "$CN" --config "$spec" --
  pid=$(pid_of "$CN")
  expect_eq "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" 67108864 "memory.limit_in_bytes"
  expect_eq "$(cat "$(cgroup_file "$pid" pids pids.max)")" 20 "pids.max"
  capture out exec_in "$CN" sh -c 'for i in $(seq 30); do sleep 30 </dev/null >/dev/null 2>&1 & done 2>&1'
  expect_contains "$out" "can't fork" "forking past the pids limit"
  spec=$(make_spec "$CN-oom" '.linux.resources.memory = {limit: 50331648, swap: 50331648}' \
    dd if=/dev/zero of=/dev/null bs=96M count=1)
  capture out "${CTR_RUN[@]}" --rm --config "$spec" "$CN-oom"
  expect_eq "$out_rc" 137 "exit code of dd past the memory limit"
}

# `ctr container checkpoint --task` checkpoints the running task (leaving it running) into an
# image; `ctr container restore --live` recreates the container and its task from it.
scenario_checkpoint_restore() {
  [ -z "$CRIU_PROBLEM" ] || skip "$CRIU_PROBLEM"
  start_detached "$CN" -- "${COUNTER[@]}"
  local before=0
  wait_until 20 "the counter to reach 10" count_at_least 10
  before=$(exec_in "$CN" cat /tmp/count)
  note "count before the checkpoint: $before"
  must cli container checkpoint --task --rw "$CN" "hulltest/$CN-checkpoint:1"
  is_running "$CN" || fail "the task did not keep running after the checkpoint"
  must cli task kill -s SIGKILL "$CN"
  wait_until 20 "$CN to exit" is_stopped "$CN"
  must cli task delete "$CN"
  must cli container delete "$CN"
  must cli container restore --live --rw "$CN" "hulltest/$CN-checkpoint:1"
  wait_until 20 "$CN to run after the restore" is_running "$CN"
  note "count after the restore: $(exec_in "$CN" cat /tmp/count)"
  count_at_least "$before" ||
    fail "count after restore is '$(exec_in "$CN" cat /tmp/count)', below $before before the checkpoint: the process restarted instead of resuming"
}

count_at_least() {
  local c
  c=$(exec_in "$CN" cat /tmp/count 2>/dev/null) && [ "${c:-0}" -ge "$1" ]
}
