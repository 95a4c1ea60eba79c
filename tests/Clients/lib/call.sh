#!/usr/bin/env bash
# call.sh CLIENT FUNCTION - runs one function of a client file (a scenario_*, or client_up,
# client_reset, client_down, list_scenarios) in a fresh bash process, so that the harness can bound
# it with timeout(1) (which signals this whole process group) and a scenario's `exit` cannot take
# the harness down. run.sh exports the environment: WORK, RUNTIME, IMAGE_DIR, CGROUP_ROOT,
# CRIU_PROBLEM and REASON_FILE.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
source "$here/clients/$1.sh"
# Every container a scenario makes is named after it (hc-<scenario>), so a failure is easy to trace.
SCENARIO=${2#scenario_}
CN="hc-${SCENARIO//_/-}"
"$2"
