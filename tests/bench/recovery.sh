#!/usr/bin/env bash
# Benchmark: CartPinger at scale in a real store (part of ./build.sh bench, via tests/bench/run.sh).
#
#   tests/bench/recovery.sh [RESULTS_JSON]        (default target/bench/results.json)
#
# Starts the demo store (tests/stack/up.sh --background: WordPress + WooCommerce + MariaDB +
# CartPinger + the Cloud API sandbox, on loopback), pauses its ticker, loads 1 M recovery records
# and 10 M message rows (tests/bench/recovery-fill.sql), then measures, in this one run:
#   due_select_ms_1m          the reads of one scheduler tick, baseline: the same calls on empty tables
#   dashboard_30d_ms_1m       the dashboard's 30-day data, warm; baseline: the same on empty tables
#   dashboard_30d_first_ms_1m the same, first call of a fresh process
#   run_peak_mb_1m            peak memory of one Cron::run_once(), baseline: a bare WP + WooCommerce boot
#   storefront_hook_ms        time in CartPinger's code on /shop/ (in-process), baseline: the page off
#   storefront_overhead_ms    /shop/ median with CartPinger on minus off, baseline: the page with it off
#   track_cart_ms             capturing phone + consent, baseline: GET /wc/store/v1/cart, same session
# prints a table and replaces these rows in RESULTS_JSON (other rows are kept).
# Stops the stack again (tests/stack/down.sh) whatever happens. Takes about 4-5 minutes.
# Environment: CPBENCH_PORT (shop port, default a free one), CPBENCH_ROUNDS (select rounds, 9),
# CPBENCH_PAGE_N (page requests per variant, 30), CPBENCH_KEEP=1 (leave the stack running).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT="$(realpath -m "${1:-target/bench/results.json}")"
WORK="$ROOT/target/bench/recovery"
ENVF="$WORK/stack.env"
mkdir -p "$WORK"
rm -f "$WORK"/*.json "$WORK"/*.sql "$WORK"/schema.*

log() { printf '[bench] %s\n' "$*"; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }
T0=$(date +%s)
since() { echo "$(( $(date +%s) - T0 )) s"; }

STARTED=0
TICK=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[[ -n "$TICK" ]] && kill -CONT -- "-$TICK" 2>/dev/null || true
	if [[ "$STARTED" == 1 ]]; then
		if [[ "${CPBENCH_KEEP:-0}" == 1 ]]; then
			log "CPBENCH_KEEP=1: the stack keeps running (stop: tests/stack/down.sh $ENVF)"
		else
			[[ -f "$ENVF" ]] && { tests/stack/down.sh "$ENVF" >"$WORK/down.log" 2>&1 || cat "$WORK/down.log" >&2; }
			# ~7 GB of MariaDB data: not kept (the logs are, in target/bench/recovery/stack/logs).
			local p alive=0
			for p in ${PIDS:-}; do kill -0 "$p" 2>/dev/null && alive=1; done
			[[ "$alive" == 1 ]] || rm -rf "$WORK/stack/mysql"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="${CPBENCH_PORT:-$(php -n -r '$s=stream_socket_server("tcp://127.0.0.1:0",$e,$m); $n=stream_socket_get_name($s,false); echo substr($n, strrpos($n,":")+1);')}"
# Its own state folder (target/bench/recovery/stack), so a demo store of ./build.sh serve
# (target/stack) can keep running beside it.
# The store serves a snapshot of the plugin taken now (CARTPINGER_DEMO_PLUGIN_DIR), so edits to
# php-plugin/ during the few minutes of the bench do not change what is measured half-way.
SNAP="$WORK/plugin/cartpinger"
rm -rf "$WORK/plugin"
mkdir -p "$WORK/plugin"
cp -a php-plugin/cartpinger "$SNAP"
bad=$(find "$SNAP" -name '*.php' -print0 | xargs -0 -n1 php -n -l 2>&1 | grep -v '^No syntax errors' || true)
[[ -z "$bad" ]] || die "php-plugin/cartpinger does not parse right now: $bad"
log "starting the demo store on 127.0.0.1:$PORT (tests/stack/up.sh --background)"
STARTED=1
CARTPINGER_STACK_DIR="$WORK/stack" CARTPINGER_DEMO_PLUGIN_DIR="$SNAP" tests/stack/up.sh --background "$ENVF" --port "$PORT" >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; die "the demo store did not start"; }
# shellcheck disable=SC1090
source "$ENVF"
[[ "${DB_MODE:-}" == mariadb && -S "${DB_SOCK:-}" ]] || die "the stack has no MariaDB socket (DB_MODE=${DB_MODE:-?})"
export PHP_INI_SCAN_DIR CPBENCH_WP_DIR="$WP_DIR" CPBENCH_HOST="${SITE_URL#http://}"
read -r -a _pids <<<"$PIDS"
read -r -a _names <<<"$PID_NAMES"
for i in "${!_names[@]}"; do [[ "${_names[$i]}" == ticker ]] && TICK="${_pids[$i]}"; done
[[ -n "$TICK" ]] || die "no ticker in the stack's PIDS"
# The ticker runs the scheduler every few seconds: pause it (between two ticks) for the whole bench,
# so it neither changes the data nor competes for the CPU. cleanup() resumes it before down.sh.
for _ in $(seq 1 600); do pgrep -g "$TICK" -x php >/dev/null || break; sleep 0.1; done
kill -STOP -- "-$TICK"
cp tests/bench/mu-bench.php "$WP_DIR/wp-content/mu-plugins/cpbench.php"
log "up in $(since): $SITE_URL, ticker (pid $TICK) paused"

# ---- data -------------------------------------------------------------------------------------
SQL=(mariadb --no-defaults --socket="$DB_SOCK" -uroot wordpress)
# A bigger buffer pool and redo log for the load (the stack starts MariaDB with 128 M / 32 M).
"${SQL[@]}" -e "SET GLOBAL innodb_buffer_pool_size = 4294967296; SET GLOBAL innodb_log_file_size = 1073741824;" \
	|| log "could not resize the buffer pool / redo log: the load will be slower"
TABLES=("${TABLE_PREFIX}cartpinger_recoveries" "${TABLE_PREFIX}cartpinger_messages_log")
show() { "${SQL[@]}" -N -e "SHOW CREATE TABLE $1"; }
schema() { local tb; for tb in "${TABLES[@]}"; do show "$tb" | php -n tests/bench/recovery-indexes.php normal; done; }
schema >"$WORK/schema.before"
# Secondary indexes off during the load, then rebuilt (sorted index builds are much faster than
# 10 M random inserts into 8 indexes); their definitions are read from the tables the plugin made.
for tb in "${TABLES[@]}"; do
	show "$tb" | php -n tests/bench/recovery-indexes.php drop >"$WORK/drop-$tb.sql"
	show "$tb" | php -n tests/bench/recovery-indexes.php add >"$WORK/add-$tb.sql"
done
NOW="$(date -u '+%Y-%m-%d %H:%M:%S')"
# CPBENCH_RECOVERIES (default 1000000, messages 10x) shrinks the fill while developing; the rows
# keep their names (_1m) and the README's numbers are for the default only.
NREC="${CPBENCH_RECOVERIES:-1000000}"
NMSG=$(( NREC * 10 ))
part() { # name -> SQL of that part, prefix, time and size substituted
	awk -v want="$1" '/^-- @@ /{on = ($3 == want); next} on' tests/bench/recovery-fill.sql \
		| sed -e "s/__P__/$TABLE_PREFIX/g" -e "s/__NOW__/$NOW/g" -e "s/1000000/$NREC/g"
}
log "loading $NREC recoveries and $NMSG messages (MariaDB SEQUENCE engine)"
tl=$(date +%s)
{ part prepare; cat "$WORK/drop-${TABLES[0]}.sql" "$WORK/drop-${TABLES[1]}.sql"; } | "${SQL[@]}"
part messages | sed -e 's/__FROM__/1/' -e 's/__TO__/1000/' | "${SQL[@]}"
pids=()
{ part recoveries; cat "$WORK/add-${TABLES[0]}.sql"; } | "${SQL[@]}" & pids+=($!)
part messages | sed -e 's/__FROM__/1001/' -e "s/__TO__/$(( NMSG / 2 ))/" | "${SQL[@]}" & pids+=($!)
part messages | sed -e "s/__FROM__/$(( NMSG / 2 + 1 ))/" -e "s/__TO__/$NMSG/" | "${SQL[@]}" & pids+=($!)
for p in "${pids[@]}"; do wait "$p" || die "loading the data failed"; done
log "  rows in $(( $(date +%s) - tl )) s; building the messages indexes"
{ cat "$WORK/add-${TABLES[1]}.sql"; part indexes; } | "${SQL[@]}" >/dev/null
schema >"$WORK/schema.after"
diff -u "$WORK/schema.before" "$WORK/schema.after" >&2 || die "the tables' definitions changed during the load"
log "  loaded in $(( $(date +%s) - tl )) s ($(since) so far)"
FILL_S=$(( $(date +%s) - tl ))

WPPHP=(php $PHP_EXT_ARGS)
# ---- what the update to schema 5 does on a store with these rows -------------------------------
# The rows were loaded with SQL, past the plugin's write paths: build the dashboard's counters and
# the per-phone facts from them, as the migration (or `wp cartpinger stats rebuild`) does.
log "Backfill::build(): per-phone facts and dashboard counters from the loaded rows"
"${WPPHP[@]}" tests/bench/recovery.php backfill "$WORK/backfill.json"
log "  built in $(php -n -r 'echo round(json_decode(file_get_contents($argv[1]), true)["seconds"], 1);' "$WORK/backfill.json") s ($(since) so far)"

# ---- memory baseline: bare WordPress + WooCommerce boot -----------------------------------------
log "boot memory: WordPress + WooCommerce, CartPinger off (x3) and on"
for i in 1 2 3; do CPBENCH_PLUGIN_OFF=1 "${WPPHP[@]}" tests/bench/recovery.php boot "$WORK/boot-bare-$i.json"; done
"${WPPHP[@]}" tests/bench/recovery.php boot "$WORK/boot-plugin.json"

# ---- one tick's selects -------------------------------------------------------------------------
log "tick selects on 1 M / 10 M rows vs empty tables"
"${WPPHP[@]}" tests/bench/recovery.php select "$WORK/select.json"

# ---- storefront ---------------------------------------------------------------------------------
log "storefront: /shop/ on/off, track-cart vs Store API cart"
php tests/bench/storefront.php "$SITE_URL" "$WORK/storefront.json"

# ---- one full run -------------------------------------------------------------------------------
log "one Cron::run_once() (scheduler tick + queue run to the sandbox)"
CPBENCH_NO_QUIET=1 "${WPPHP[@]}" tests/bench/recovery.php run "$WORK/run.json"
if [[ -s "$DEBUG_LOG" ]] && grep -qi 'fatal\|cartpinger' "$DEBUG_LOG"; then
	log "debug.log during the bench (first lines):"
	grep -i 'fatal\|cartpinger' "$DEBUG_LOG" | head -10 | sed 's/^/    | /'
fi

php -n tests/bench/recovery-report.php "$WORK" "$OUT" "$FILL_S"
log "done in $(since)"
