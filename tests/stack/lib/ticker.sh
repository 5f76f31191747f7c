#!/usr/bin/env bash
# The demo store's scheduler loop (started by tests/stack/up.sh in its own process group):
#   ticker.sh INTERVAL_SECONDS PHP_ARGS...
# Runs `php PHP_ARGS tests/stack/tick.php` every INTERVAL seconds (CP_DEMO_WP_DIR, CP_DEMO_HOST set).
set -u
interval="$1"; shift
tick="$(cd "$(dirname "$0")/.." && pwd -P)/tick.php"
trap 'exit 0' TERM INT
while :; do
	php "$@" "$tick" || echo "$(date +%H:%M:%S) tick exited with status $?"
	sleep "$interval" &
	wait $! || true
done
