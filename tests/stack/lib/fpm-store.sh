# Sourced by tests that need the demo store on nginx + a real php-fpm (tests/fault/run.sh,
# tests/bench/queue.sh). Expects ROOT, WORK, ENVF, log(), die() and a cleanup trap that reads
# STARTED; takes the port as $1 (empty: a free one). Serves a snapshot of the plugin, so editing
# php-plugin/ meanwhile cannot break the run. Leaves the stack's env sourced, the ticker
# stopped (the test drives the queue itself) and lib()/wpcli() defined.
fpm_store_up() {
	PORT="${1:-$(php -n -r '$s=stream_socket_server("tcp://127.0.0.1:0",$e,$m); $n=stream_socket_get_name($s,false); echo substr($n, strrpos($n,":")+1);')}"
	SNAP="$WORK/plugin/cartpinger"
	rm -rf "$WORK/plugin" && mkdir -p "$WORK/plugin" && cp -a "$ROOT/php-plugin/cartpinger" "$SNAP"
	log "starting the store on nginx + php-fpm at 127.0.0.1:$PORT"
	STARTED=1
	CARTPINGER_STACK_DIR="$WORK/stack" CARTPINGER_DEMO_PLUGIN_DIR="$SNAP" \
		"$ROOT/tests/stack/up.sh" --background "$ENVF" --port "$PORT" --web fpm >"$WORK/logs/up.log" 2>&1 \
		|| { tail -40 "$WORK/logs/up.log" >&2; die "the store did not start"; }
	# shellcheck disable=SC1090
	source "$ENVF"
	export PHP_INI_SCAN_DIR CP_DEMO_WP_DIR="$WP_DIR" CP_DEMO_HOST="${SITE_URL#http://}"
	local -a pids names
	read -r -a pids <<<"$PIDS"
	read -r -a names <<<"$PID_NAMES"
	local i
	for i in "${!names[@]}"; do [[ "${names[$i]}" == ticker ]] && kill -STOP -- "-${pids[$i]}"; done
	return 0
}
# shellcheck disable=SC2086
lib() { php $PHP_EXT_ARGS "$ROOT/tests/fault/lib.php" "$@"; }
# shellcheck disable=SC2086
wpcli() { php $PHP_EXT_ARGS -d memory_limit=1G "$WP_CLI" --allow-root --path="$WP_DIR" --url="$SITE_URL" "$@"; }
