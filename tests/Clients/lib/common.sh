# common.sh - helpers shared by the harness (run.sh) and by every scenario (scenario.sh).
# A scenario is a shell function run in its own bash process (under `timeout`). It ends with:
#   fail "why"   -> the scenario FAILs with that reason
#   skip "why"   -> the scenario is SKIPped with that reason (only for what the machine lacks)
#   returning    -> PASS
# The reason goes to $REASON_FILE, which the harness reads back.

SKIP_CODE=77

fail() {
  printf '%s\n' "$*" >"$REASON_FILE"
  exit 1
}

skip() {
  printf '%s\n' "$*" >"$REASON_FILE"
  exit "$SKIP_CODE"
}

# note MSG...: a line for the scenario's log (kept with --log-dir, shown with --verbose on failure).
note() {
  printf '== %s\n' "$*" >&2
}

# one_line TEXT: TEXT squeezed to one short line, for reasons quoting a client's output.
one_line() {
  printf '%s' "$*" | tr '\n\r\t' '   ' | sed -e 's/  */ /g' -e 's/^ //' | cut -c1-300
}

# expect_eq GOT WANT WHAT
expect_eq() {
  [ "$1" = "$2" ] || fail "$3: got '$(one_line "$1")', want '$2'"
}

# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() {
  case "$1" in
    *"$2"*) ;;
    *) fail "$3: '$2' not in '$(one_line "$1")'" ;;
  esac
}

# expect_not_contains HAYSTACK NEEDLE WHAT
expect_not_contains() {
  case "$1" in
    *"$2"*) fail "$3: '$2' unexpectedly in '$(one_line "$1")'" ;;
  esac
}

# capture VAR CMD...: runs CMD, stores its stdout+stderr in VAR and its exit code in VAR_rc; logs both.
capture() {
  local __var=$1
  shift
  local __out __rc
  __out=$("$@" 2>&1)
  __rc=$?
  printf -v "$__var" '%s' "$__out"
  printf -v "${__var}_rc" '%s' "$__rc"
  note "$* -> exit $__rc"
  [ -z "$__out" ] || printf '%s\n' "$__out" | sed 's/^/   | /' >&2
}

# must CMD...: runs CMD (output logged); fails the scenario if it exits non-zero. Prints nothing.
must() {
  local out out_rc
  capture out "$@"
  [ "$out_rc" -eq 0 ] || fail "'$(command_name "$@")' exited $out_rc: $(one_line "$out")"
}

# command_name CMD...: CMD's program and subcommands, e.g. "cli container checkpoint" (the full
# command line is in the log).
command_name() {
  local name=${1##*/} arg
  shift
  for arg in "$@"; do
    case "$arg" in -*) break ;; esac
    name="$name $arg"
    case "$arg" in task | container | image | checkpoint) ;; *) break ;; esac
  done
  printf '%s' "$name"
}

# wait_until SECONDS WHAT CMD...: polls CMD (quietly) every 0.2 s until it succeeds; fails after SECONDS.
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}

# pty_run INPUT CMD...: runs CMD on a new pseudo-terminal (script(1): there is no tty here), typing
# INPUT into it; prints what the terminal showed and returns CMD's exit code. The feeder keeps the
# terminal's input open until CMD ends, so the client never sees an early end of file.
pty_run() {
  local input=$1
  shift
  local fifo rc feeder
  fifo=$(mktemp -u "$WORK/pty.XXXXXX")
  mkfifo "$fifo"
  (printf '%b' "$input"; exec sleep 600) >"$fifo" &
  feeder=$!
  script -qec "$(printf '%q ' "$@")" /dev/null <"$fifo"
  rc=$?
  kill "$feeder" 2>/dev/null
  wait "$feeder" 2>/dev/null
  rm -f "$fifo"
  return $rc
}

# cgroup_file PID CONTROLLER FILE: the host path of FILE in PID's cgroup of the v1 CONTROLLER.
cgroup_file() {
  local path
  path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
  [ -n "$path" ] || fail "process $1 is in no $2 cgroup"
  printf '/sys/fs/cgroup/%s%s/%s\n' "$2" "$path" "$3"
}

# criu_problem: empty when CRIU can checkpoint here, else why not (checked once by run.sh).
criu_problem() {
  if ! command -v criu >/dev/null; then
    echo "criu is not on PATH (build/setup.sh --criu or /work/shared/tools/install-criu.sh builds CRIU 4.2)"
  elif ! criu check >/dev/null 2>&1; then
    echo "'criu check' fails ($(command -v criu), $(criu --version 2>/dev/null | head -n 1); this kernel needs CRIU >= 4.2, see build/setup.sh --criu): $(one_line "$(criu check 2>&1 | tail -n 2)")"
  fi
}

# The name ctr gives the image imported from the OCI archive (its index's annotation).
CTR_IMAGE=docker.io/hulltest/busybox:latest

# Containers say "ready-42" once set up; the marker is computed so that an error message quoting
# the command line cannot pass for it.
READY=ready-42
LONG_RUNNING=(sh -c 'echo ready-$((6*7)); exec sleep 1000')
# Counts into /tmp/count, ten times a second (the checkpoint scenarios check it resumes); renamed
# into place so that a reader never sees the file empty.
COUNTER=(sh -c 'i=0; echo ready-$((6*7)); while :; do i=$((i+1)); echo $i > /tmp/c; mv /tmp/c /tmp/count; sleep 0.1; done')

# trapping ACTION SIGNAL: a shell script for `sh -c` that runs ACTION on SIGNAL and idles.
trapping() {
  printf "trap '%s' %s; echo ready-\$((6*7)); while :; do sleep 0.1; done" "$1" "$2"
}

# What every client must do (issue 8), in the order they run. A client file may append its own.
SCENARIOS=(run_output exit_code error_message create_start exec logs top pause_resume stop_rm
  kill_term kill_kill kill_usr1 restart stdin tty exec_tty user_env readonly_tmpfs limits
  checkpoint_restore)

list_scenarios() {
  printf '%s\n' "${SCENARIOS[@]}"
}
