#!/usr/bin/env bash
# run.sh - the client suite: podman, containerd (ctr) and Docker drive an OCI runtime through the
# scenarios of issue 8, each client with private daemons and directories, all removed at the end.
#
#   tests/Clients/run.sh [--runtime PATH] [--clients LIST] [--scenarios LIST] [--timeout SECONDS]
#                        [--budget SECONDS] [--log-dir DIR] [--verbose] [--no-install]
#
#   --runtime PATH     the runtime under test (default: the repo's out/hull); e.g. /usr/sbin/runc
#   --clients LIST     comma-separated, from podman,containerd,docker (default: all three)
#   --scenarios LIST   comma-separated scenario names (default: all; see SCENARIOS in lib/common.sh)
#   --timeout SECONDS  per scenario (default 60)
#   --budget SECONDS   for the whole run (default 900); scenarios past it FAIL as not run, so a
#                      runtime that hangs cannot hold the suite for hours
#   --log-dir DIR      keep every scenario's log there (default: logs go with the temp dir)
#   --verbose          print the log of each failing scenario to stderr
#   --no-install       do not install missing packages
#
# Prints one line per scenario (PASS/FAIL/SKIP client scenario[: reason]) and closes with
# "N passed, N failed, N skipped". Exits 1 if anything failed, 2 on bad usage. Needs root.
set -uo pipefail
# Images and bundles made here are read by unprivileged users in containers: not by a 027 or 077 umask.
umask 022
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
source "$HERE/lib/common.sh"
source "$HERE/lib/install.sh"
source "$HERE/lib/image.sh"

usage() {
  sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
}

die() {
  echo "run.sh: $*" >&2
  exit 2
}

runtime=$REPO/out/hull
clients=(podman containerd docker)
only_scenarios=""
timeout_s=60
budget_s=900
log_dir=""
verbose=0
install=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime=${2:?--runtime needs a path}; shift ;;
    --clients) IFS=, read -ra clients <<<"${2:?--clients needs a list}"; shift ;;
    --scenarios) only_scenarios=",${2:?--scenarios needs a list},"; shift ;;
    --timeout) timeout_s=${2:?--timeout needs seconds}; shift ;;
    --budget) budget_s=${2:?--budget needs seconds}; shift ;;
    --log-dir) log_dir=${2:?--log-dir needs a directory}; shift ;;
    --verbose) verbose=1 ;;
    --no-install) install=0 ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
for c in "${clients[@]}"; do
  [ -f "$HERE/clients/$c.sh" ] || die "unknown client '$c': use podman, containerd or docker"
done
# scenarios_of CLIENT: its scenario names (the client file only needs its variables defined).
scenarios_of() {
  WORK=/nonexistent RUNTIME=/nonexistent CGROUP_ROOT=none bash "$HERE/lib/call.sh" "$1" list_scenarios
}
if [ -n "$only_scenarios" ]; then
  known=$(for c in "${clients[@]}"; do scenarios_of "$c"; done)
  for s in ${only_scenarios//,/ }; do
    grep -qx "$s" <<<"$known" || die "unknown scenario '$s': the scenarios are $(sort -u <<<"$known" | tr '\n' ' ')"
  done
fi
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a number of seconds, not '$timeout_s'"
[[ "$budget_s" =~ ^[1-9][0-9]*$ ]] || die "--budget must be a number of seconds, not '$budget_s'"
[ "$(id -u)" = 0 ] || die "the clients' daemons need root: run as root"
RUNTIME=$(readlink -f "$runtime")
[ -f "$RUNTIME" ] && [ -x "$RUNTIME" ] ||
  die "runtime '$runtime' is not an executable file: build hull (build/build.sh) or pass --runtime PATH"
if [ "$install" = 1 ]; then
  ensure_packages || die "missing packages could not be installed"
fi

WORK=$(mktemp -d /tmp/hull-clients.XXXXXX)
CGROUP_ROOT=hullclients-${WORK##*.}
IMAGE_DIR=$WORK/image
REASON_FILE=$WORK/reason
CRIU_PROBLEM=$(criu_problem)
export WORK RUNTIME CGROUP_ROOT IMAGE_DIR REASON_FILE CRIU_PROBLEM HERE
source "$HERE/lib/cleanup.sh"
# Cleanup runs however the run ends; what it cannot remove makes the run fail.
on_exit() {
  local rc=$?
  # Cleanup does every step it can: an unset variable or a failing pipe must not end it early.
  set +u +o pipefail
  # timeout(1) passes the signal on to the scenario's whole process group.
  if [ -n "${CHILD:-}" ]; then
    kill -TERM "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null
  fi
  cleanup_all
  [ -z "${CLEANUP_FAILED:-}" ] || rc=1
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
note_global_paths
logs=${log_dir:-$WORK/logs}
mkdir -p "$logs" "$WORK/up" || die "cannot create the log directory '$logs'"
logs=$(cd "$logs" && pwd)
[ -z "$log_dir" ] || KEEP_CLEANUP_LOG=$logs/cleanup.log
# Clients may drop files in their working directory (conmon writes `oom` there when a container
# is OOM-killed): keep them in the temp dir.
cd "$WORK" || die "cannot enter $WORK"
echo "clients: runtime $RUNTIME, work dir $WORK" >&2
build_image "$IMAGE_DIR" || die "could not build the busybox image"

passed=0 failed=0 skipped=0

# report STATUS CLIENT SCENARIO [REASON]
report() {
  local line="$1 $2 $3"
  [ -z "${4:-}" ] || line="$line: $4"
  echo "$line"
  case "$1" in
    PASS) passed=$((passed + 1)) ;;
    FAIL) failed=$((failed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
  esac
}

# call CLIENT FUNCTION SECONDS LOG: lib/call.sh under timeout, appending to LOG; returns its exit code.
# It runs in the background and is waited for, so that a signal to run.sh is handled at once
# (on_exit stops it) instead of after the scenario.
CHILD=""
call() {
  timeout -k 10 "$3" bash "$HERE/lib/call.sh" "$1" "$2" >>"$4" 2>&1 </dev/null &
  CHILD=$!
  wait "$CHILD"
  local rc=$?
  CHILD=""
  return "$rc"
}

last_line() {
  grep -v '^\s*$' "$1" 2>/dev/null | tail -n 1 | cut -c1-300
}

budget_spent() {
  [ $((SECONDS - started)) -ge "$budget_s" ]
}

run_scenario() {
  local client=$1 scenario=$2 log=$logs/$1-$2.log rc reason
  if budget_spent; then
    report FAIL "$client" "$scenario" "not run: the run's ${budget_s}s budget is spent"
    return
  fi
  rm -f "$REASON_FILE" "$log"
  call "$client" "scenario_$scenario" "$timeout_s" "$log"
  rc=$?
  reason=$(cat "$REASON_FILE" 2>/dev/null)
  case "$rc" in
    0) report PASS "$client" "$scenario" ;;
    "$SKIP_CODE") report SKIP "$client" "$scenario" "$reason" ;;
    124 | 137) report FAIL "$client" "$scenario" "timed out after ${timeout_s}s${reason:+ ($reason)}" ;;
    *) report FAIL "$client" "$scenario" "${reason:-exited $rc: $(last_line "$log")}" ;;
  esac
  if [ "$rc" != 0 ] && [ "$rc" != "$SKIP_CODE" ] && [ "$verbose" = 1 ]; then
    sed "s/^/    | /" "$log" >&2
  fi
  echo "== removing the containers (client_reset)" >>"$log"
  call "$client" client_reset 60 "$log" ||
    echo "clients: $client: removing the containers of $scenario failed (see its log)" >&2
}

run_client() {
  local client=$1 scenarios scenario
  scenarios=$(scenarios_of "$client")
  if [ -n "$only_scenarios" ]; then
    scenarios=$(for scenario in $scenarios; do
      [[ "$only_scenarios" == *",$scenario,"* ]] && echo "$scenario"
    done)
  fi
  [ -n "$scenarios" ] || return 0
  if budget_spent; then
    for scenario in $scenarios; do
      run_scenario "$client" "$scenario"
    done
    return 0
  fi
  echo "clients: $client: starting" >&2
  touch "$WORK/up/$client"
  rm -f "$logs/$client-setup.log" "$logs/$client-teardown.log"
  if ! call "$client" client_up 300 "$logs/$client-setup.log"; then
    local why
    why="$client setup failed: $(last_line "$logs/$client-setup.log")"
    for scenario in $scenarios; do
      report FAIL "$client" "$scenario" "$why"
    done
  else
    for scenario in $scenarios; do
      run_scenario "$client" "$scenario"
    done
  fi
  call "$client" client_down 120 "$logs/$client-teardown.log" ||
    echo "clients: $client: teardown failed (see $logs/$client-teardown.log); the exit trap cleans up" >&2
  rm -f "$WORK/up/$client"
}

started=$SECONDS
for client in "${clients[@]}"; do
  run_client "$client"
done
echo "clients: done in $((SECONDS - started))s" >&2
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
