# dockerlike.sh - the scenarios for podman and docker, whose command lines are alike. Sourced by
# podman.sh and docker.sh, which define before sourcing:
#   CLI              an executable wrapper: the client with its private daemon/storage flags (a file,
#                    not a function, so that script(1) can run it on a terminal)
#   RUN_OPTS=(...)   flags every `run`/`create` gets (network, cgroup parent, ulimits)
#   IMG              the busybox image's name in that client
# and afterwards scenario_checkpoint_restore (the clients' commands differ).

cli() { "$CLI" "$@"; }

status_of() { cli inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }
pid_of() { cli inspect -f '{{.State.Pid}}' "$1" 2>/dev/null; }
exit_code_of() { cli inspect -f '{{.State.ExitCode}}' "$1" 2>/dev/null; }
is_running() { [ "$(status_of "$1")" = running ]; }
is_exited() { [ "$(status_of "$1")" = exited ]; }
logs_contain() { cli logs "$1" 2>&1 | grep -q -- "$2"; }

# start_detached NAME [RUN FLAGS...] IMAGE CMD...: `run -d`, then waits until the container runs and
# says $READY.
start_detached() {
  local name=$1
  shift
  must cli run -d --name "$name" "${RUN_OPTS[@]}" "$@"
  wait_until 20 "$name to run" is_running "$name"
  wait_until 20 "$name to print $READY" logs_contain "$name" "$READY"
}

scenario_run_output() {
  capture out cli run --rm "${RUN_OPTS[@]}" "$IMG" echo hello-from-container
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" hello-from-container "output"
}

scenario_exit_code() {
  capture out cli run --rm "${RUN_OPTS[@]}" "$IMG" sh -c 'exit 42'
  expect_eq "$out_rc" 42 "exit code of 'exit 42'"
  capture out cli run --rm "${RUN_OPTS[@]}" "$IMG" false
  expect_eq "$out_rc" 1 "exit code of 'false'"
}

# The runtime's own error text must reach the user (podman reads the runtime's --log file, docker
# the shim's copy of it) and the client must map "not found" to 127.
scenario_error_message() {
  capture out cli run --rm "${RUN_OPTS[@]}" "$IMG" /nonexistent-binary
  expect_eq "$out_rc" 127 "exit code for a missing executable"
  expect_contains "$out" /nonexistent-binary "error message"
}

scenario_create_start() {
  must cli create --name "$CN" "${RUN_OPTS[@]}" "$IMG" sh -c 'echo started-ok; exit 3'
  expect_eq "$(status_of "$CN")" created "status after create"
  capture out cli start -a "$CN"
  expect_contains "$out" started-ok "output of start -a"
  expect_eq "$out_rc" 3 "exit code of start -a"
  expect_eq "$(exit_code_of "$CN")" 3 "recorded exit code"
}

scenario_exec() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  capture out cli exec "$CN" echo exec-ok
  expect_eq "$out" exec-ok "exec output"
  capture out cli exec "$CN" sh -c 'exit 7'
  expect_eq "$out_rc" 7 "exit code of exec 'exit 7'"
  capture out cli exec -e HULL_EXEC=yes -w /tmp "$CN" sh -c 'echo "$HULL_EXEC $(pwd)"'
  expect_eq "$out" "yes /tmp" "exec env and workdir"
  must cli exec -d "$CN" sh -c 'echo detached-exec > /tmp/marker'
  wait_until 10 "the detached exec's file" cli exec "$CN" test -f /tmp/marker
  capture out cli exec "$CN" /nonexistent-binary
  [ "$out_rc" -ne 0 ] || fail "exec of a missing executable exited 0"
  expect_contains "$out" /nonexistent-binary "exec error message"
  is_running "$CN" || fail "container stopped after the execs"
}

scenario_logs() {
  must cli run -d --name "$CN" "${RUN_OPTS[@]}" "$IMG" sh -c 'echo out-$((1+1)); echo err-$((1+2)) >&2; echo out-$((1+3))'
  wait_until 20 "$CN to exit" is_exited "$CN"
  capture out cli logs "$CN"
  expect_contains "$out" out-2 "logs (stdout)"
  expect_contains "$out" err-3 "logs (stderr)"
  expect_contains "$out" out-4 "logs (stdout after stderr)"
}

scenario_top() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  capture out cli top "$CN"
  expect_eq "$out_rc" 0 "exit code of top"
  expect_contains "$out" "sleep 1000" "top"
  capture out cli ps --filter "name=$CN" --format '{{.Names}} {{.Status}}'
  expect_contains "$out" "$CN Up" "ps"
}

scenario_pause_resume() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  local freezer
  freezer=$(cgroup_file "$(pid_of "$CN")" freezer freezer.state)
  must cli pause "$CN"
  expect_eq "$(status_of "$CN")" paused "status after pause"
  expect_eq "$(cat "$freezer")" FROZEN "freezer state after pause"
  must cli unpause "$CN"
  expect_eq "$(status_of "$CN")" running "status after unpause"
  expect_eq "$(cat "$freezer")" THAWED "freezer state after unpause"
  capture out cli exec "$CN" echo alive
  expect_eq "$out" alive "exec after unpause"
}

scenario_stop_rm() {
  start_detached "$CN" "$IMG" sh -c "$(trapping 'echo got-TERM; exit 0' TERM)"
  local started=$SECONDS
  must cli stop -t 20 "$CN"
  [ $((SECONDS - started)) -lt 10 ] || fail "stop took $((SECONDS - started))s: SIGTERM did not reach the container"
  expect_eq "$(status_of "$CN")" exited "status after stop"
  expect_eq "$(exit_code_of "$CN")" 0 "exit code after a graceful stop"
  expect_contains "$(cli logs "$CN" 2>&1)" got-TERM "logs after stop"
  must cli rm "$CN"
  capture out cli ps -a --filter "name=$CN" --format '{{.Names}}'
  expect_eq "$out" "" "containers listed after rm"
}

# kill_with SIGNAL EXIT_CODE: a container that traps SIGNAL and exits with EXIT_CODE.
kill_with() {
  start_detached "$CN" "$IMG" sh -c "$(trapping "echo got-$1; exit $2" "$1")"
  must cli kill -s "$1" "$CN"
  wait_until 20 "$CN to exit after SIG$1" is_exited "$CN"
  expect_eq "$(exit_code_of "$CN")" "$2" "exit code after SIG$1"
  expect_contains "$(cli logs "$CN" 2>&1)" "got-$1" "logs after SIG$1"
}

scenario_kill_term() {
  kill_with TERM 5
}

scenario_kill_kill() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  must cli kill -s KILL "$CN"
  wait_until 20 "$CN to exit after SIGKILL" is_exited "$CN"
  expect_eq "$(exit_code_of "$CN")" 137 "exit code after SIGKILL"
}

# USR1 is trapped and the container keeps running.
scenario_kill_usr1() {
  start_detached "$CN" "$IMG" sh -c "$(trapping 'echo got-USR1' USR1)"
  must cli kill -s USR1 "$CN"
  wait_until 10 "the USR1 trap's output" logs_contain "$CN" got-USR1
  is_running "$CN" || fail "container stopped after SIGUSR1"
}

scenario_restart() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  local before
  before=$(pid_of "$CN")
  must cli restart -t 1 "$CN"
  wait_until 20 "$CN to run again" is_running "$CN"
  local after
  after=$(pid_of "$CN")
  [ "$after" != "$before" ] && [ "$after" != 0 ] || fail "pid after restart is $after (before: $before)"
  capture out cli exec "$CN" echo alive
  expect_eq "$out" alive "exec after restart"
}

scenario_stdin() {
  local out out_rc
  out=$(printf 'piped-line-1\npiped-line-2\n' | cli run -i --rm "${RUN_OPTS[@]}" "$IMG" sh -c 'cat; echo cat-done' 2>&1)
  out_rc=$?
  note "stdin run -> exit $out_rc: $out"
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" "$(printf 'piped-line-1\npiped-line-2\ncat-done')" "output"
}

# An interactive shell on a terminal: what is typed runs, and the shell's exit code comes back.
scenario_tty() {
  local out rc
  out=$(pty_run 'echo typed-$((6*7)) $(tty)\nexit 3\n' "$CLI" run -it --rm "${RUN_OPTS[@]}" "$IMG" sh)
  rc=$?
  note "terminal showed: $out"
  expect_contains "$out" "typed-42 /dev/pts/" "terminal output"
  expect_eq "$rc" 3 "exit code"
}

scenario_exec_tty() {
  start_detached "$CN" "$IMG" "${LONG_RUNNING[@]}"
  local out rc
  out=$(pty_run 'echo exec-typed-$((6*7)) $(tty)\nexit 4\n' "$CLI" exec -it "$CN" sh)
  rc=$?
  note "terminal showed: $out"
  expect_contains "$out" "exec-typed-42 /dev/pts/" "terminal output"
  expect_eq "$rc" 4 "exit code"
}

scenario_user_env() {
  capture out cli run --rm "${RUN_OPTS[@]}" -u 1000:1000 -e HULL_VAR=from-env -w /tmp -h hull-host "$IMG" \
    sh -c 'echo "$(id -u):$(id -g) $HULL_VAR $(pwd) $(hostname)"'
  expect_eq "$out_rc" 0 "exit code"
  expect_eq "$out" "1000:1000 from-env /tmp hull-host" "uid:gid env cwd hostname"
}

scenario_readonly_tmpfs() {
  capture out cli run --rm "${RUN_OPTS[@]}" --read-only --tmpfs /scratch "$IMG" sh -c \
    'touch /rootfile 2>/dev/null && echo root-writable; touch /scratch/f && echo tmpfs-writable; grep " /scratch " /proc/mounts'
  expect_not_contains "$out" root-writable "read-only rootfs"
  expect_contains "$out" tmpfs-writable "tmpfs"
  expect_contains "$out" "tmpfs /scratch tmpfs" "mount table"
}

scenario_limits() {
  start_detached "$CN" --memory 64m --memory-swap 64m --pids-limit 20 "$IMG" "${LONG_RUNNING[@]}"
  local pid
  pid=$(pid_of "$CN")
  expect_eq "$(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)")" 67108864 "memory.limit_in_bytes"
  expect_eq "$(cat "$(cgroup_file "$pid" pids pids.max)")" 20 "pids.max"
  # Thirty background sleeps cannot all start under a limit of twenty tasks. They hold no stdio,
  # so the exec returns at once rather than after them.
  capture out cli exec "$CN" sh -c 'for i in $(seq 30); do sleep 30 </dev/null >/dev/null 2>&1 & done 2>&1'
  expect_contains "$out" "can't fork" "forking past the pids limit"
  # A 96 MiB buffer cannot fit in 48 MiB (no swap allowed): the OOM killer ends dd.
  capture out cli run --rm "${RUN_OPTS[@]}" --memory 48m --memory-swap 48m "$IMG" \
    dd if=/dev/zero of=/dev/null bs=96M count=1
  expect_eq "$out_rc" 137 "exit code of dd past the memory limit"
}

# The counter's value (a restore that restarted the process instead would show a smaller one).
count_of() { cli exec "$1" cat /tmp/count 2>/dev/null; }
count_at_least() { local c; c=$(count_of "$1") && [ "${c:-0}" -ge "$2" ]; }
