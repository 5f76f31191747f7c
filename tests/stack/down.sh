#!/usr/bin/env bash
# Stops a demo stack started by tests/stack/up.sh.
#
#   tests/stack/down.sh [ENVFILE]     (default target/stack/env)
#
# Sends SIGTERM to the up.sh that owns the stack (UP_PID), which stops its services in reverse
# order and exits; then makes sure every process group it had started (PIDS) is gone.
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
ENVFILE="${1:-$REPO_ROOT/target/stack/env}"
[[ -f "$ENVFILE" ]] || { echo "down.sh: no env file $ENVFILE (is a stack running?)" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENVFILE"

alive() { [[ -r "/proc/$1/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
wait_gone() { # seconds pid...
	local n=$(( $1 * 10 )); shift
	local p
	for _ in $(seq 1 "$n"); do
		local any=0
		for p in "$@"; do alive "$p" && any=1; done
		[[ $any == 0 ]] && return 0
		sleep 0.1
	done
	return 1
}

if [[ -n "${UP_PID:-}" ]] && alive "$UP_PID" && grep -q 'up.sh' "/proc/$UP_PID/cmdline" 2>/dev/null; then
	kill -TERM "$UP_PID"
	wait_gone 40 "$UP_PID" || echo "down.sh: up.sh (pid $UP_PID) still running after 40 s" >&2
fi
# Belt and braces: any service group still alive (e.g. up.sh was killed with SIGKILL).
left=()
for p in ${PIDS:-}; do alive "$p" && left+=("$p"); done
if (( ${#left[@]} > 0 )); then
	echo "down.sh: stopping leftover services: ${left[*]}"
	for p in "${left[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done
	if ! wait_gone 10 "${left[@]}"; then
		for p in "${left[@]}"; do alive "$p" && { kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null; }; done
	fi
fi
sed -i "s/^READY='1'/READY='0'/" "$ENVFILE" 2>/dev/null || true
echo "down.sh: demo stack stopped (logs kept in ${STACK_DIR:-target/stack})"
