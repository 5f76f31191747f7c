#!/usr/bin/env bash
# Benchmark: the queue and the webhook path in a real store (part of ./build.sh bench).
#
#   tests/bench/queue.sh [RESULTS_JSON]        (default target/bench/results.json)
#
# The demo store on nginx + php-fpm (8 workers; tests/stack/up.sh --web fpm), the sandbox at
# 200 ms. Rows (each with its same-run baseline):
#   webhook_ingest_rps     signed status webhooks/s the shop accepts (32 in flight, CPBQ_SECONDS),
#                          baseline: the same shop's / page per second, same load
#   webhook_apply_ms_1000  applying 1,000 stored statuses (Processor::apply_inbox), baseline:
#                          1,000 single-row primary-key UPDATEs on the same table
#   drain_mps_cap80        messages/s of `wp cartpinger queue run` over CPBQ_MESSAGES (10,000)
#   drain_mps_cap1000      queued messages, cap 80 and 1,000; baseline: the cap
#   drain_10k_s_cap80 / drain_10k_s_cap1000   seconds to drain them, baseline: N / cap
# Environment: CPBQ_MESSAGES, CPBQ_SECONDS (10), CPBQ_PORT, CPBQ_KEEP=1, WP_CLI.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT="$(realpath -m "${1:-target/bench/results.json}")"
WORK="$ROOT/target/bench/queue"
ENVF="$WORK/stack.env"
N="${CPBQ_MESSAGES:-10000}"
SECS="${CPBQ_SECONDS:-10}"
WP_CLI="${WP_CLI:-${CARTPINGER_VERSIONS_DIR:-/work/versions}/wp-cli/wp}"
log() { printf '[bench-queue] %s\n' "$*"; }
die() { printf '[bench-queue] ERROR: %s\n' "$*" >&2; exit 1; }
[[ -f "$WP_CLI" ]] || { log "SKIPPED LOUDLY: no WP-CLI at $WP_CLI (tests/versions/bring.sh)"; exit 0; }
mkdir -p "$WORK" && rm -rf "$WORK/logs" && mkdir -p "$WORK/logs"
STARTED=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	[[ "$STARTED" == 1 && "${CPBQ_KEEP:-0}" != 1 ]] && { tests/stack/down.sh "$ENVF" >"$WORK/logs/down.log" 2>&1 || true; }
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# shellcheck source=tests/stack/lib/fpm-store.sh
source "$ROOT/tests/stack/lib/fpm-store.sh"
fpm_store_up "${CPBQ_PORT:-}"
sandbox() { curl -s --max-time 30 -H 'Content-Type: application/json' "$SANDBOX_URL/_sandbox/$1" "${@:2}"; }
curl_ext=()
php -n -m | grep -qx curl || curl_ext=(-d extension=curl)
load() { php -n "${curl_ext[@]}" "$ROOT/tests/bench/http-load.php" "$@"; }

ROWS="$WORK/rows.jsonl"
: >"$ROWS"
row() { # name value unit baseline what
	printf '{"name":"%s","value":%s,"unit":"%s","baseline":%s,"what":"%s"}\n' "$1" "$2" "$3" "$4" "$5" >>"$ROWS"
}

# --- webhook ingest -----------------------------------------------------------------------
sandbox config -d '{"callback":null}' >/dev/null
load "$SITE_URL/" 3 8 get >/dev/null   # warm up
read -r PAGE_RPS _ PAGE_BAD < <(load "$SITE_URL/" "$SECS" 32 get)
read -r HOOK_RPS HOOK_OK HOOK_BAD < <(load "$SITE_URL/wp-json/cartpinger/v1/webhook" "$SECS" 32 webhook "$SANDBOX_APP_SECRET")
log "webhooks: $HOOK_RPS/s ($HOOK_OK ok, $HOOK_BAD failed); / page: $PAGE_RPS/s ($PAGE_BAD failed)"
STORED=$(lib counts | php -r 'echo json_decode(stream_get_contents(STDIN),true)["_inbox"];')
[[ "$STORED" -ge "$HOOK_OK" ]] || die "only $STORED of $HOOK_OK accepted webhooks were stored"
row webhook_ingest_rps "$HOOK_RPS" "req/s" "$PAGE_RPS" "signed status webhooks accepted per second (32 in flight, nginx + 8 php-fpm); baseline: the shop's / page per second"
lib clear

# --- drains -------------------------------------------------------------------------------
for CAP in 80 1000; do
	lib clear
	lib cap "$CAP"
	sandbox config -d "{\"latency_ms\":200,\"mps_cap\":$CAP,\"callback\":null}" >/dev/null
	lib fill "$N" 1.0 >/dev/null
	t0=$(date +%s.%N)
	runs=0
	while true; do
		wpcli cartpinger queue run --format=json >>"$WORK/logs/drain-$CAP.log" 2>&1 || true
		runs=$((runs + 1))
		open=$(lib counts | php -r 'echo json_decode(stream_get_contents(STDIN),true)["_open"];')
		[[ "$open" == 0 || "$runs" -ge 60 ]] && break
	done
	t1=$(date +%s.%N)
	c=$(lib counts)
	sent=$(php -r '$c=json_decode($argv[1],true); echo (int)($c["sent"]??0);' "$c")
	secs=$(php -r "printf('%.1f', $t1 - $t0);")
	mps=$(php -r "printf('%.1f', $sent / ($t1 - $t0));")
	log "cap $CAP: $sent of $N sent in $secs s over $runs runs = $mps msg/s ($c)"
	row "drain_mps_cap$CAP" "$mps" "msg/s" "$CAP" "messages per second from wp cartpinger queue run over $N queued, sandbox at 200 ms; baseline: the cap"
	row "drain_10k_s_cap$CAP" "$secs" "s" "$(php -r "printf('%.1f', $N / $CAP);")" "time to drain $N messages; baseline: N / cap"
done

# --- webhook apply ------------------------------------------------------------------------
lib inbox 1000 >/dev/null
read -r APPLY_MS APPLY_EVENTS < <(lib apply)
BASE_MS=$(php $PHP_EXT_ARGS -r '
	$_SERVER["HTTP_HOST"] = getenv("CP_DEMO_HOST"); require getenv("CP_DEMO_WP_DIR") . "/wp-load.php";
	global $wpdb; $t = CartPinger\Storage\Schema::messages_log_table();
	$ids = $wpdb->get_col("SELECT id FROM $t ORDER BY id LIMIT 1000");
	$t0 = hrtime(true);
	foreach ($ids as $id) { $wpdb->query($wpdb->prepare("UPDATE %i SET updated_at = %s WHERE id = %d", $t, gmdate("Y-m-d H:i:s"), $id)); }
	printf("%.1f", (hrtime(true) - $t0) / 1e6);')
log "apply 1000 statuses: $APPLY_MS ms ($APPLY_EVENTS events); 1000 plain UPDATEs: $BASE_MS ms"
row webhook_apply_ms_1000 "$APPLY_MS" "ms" "$BASE_MS" "applying 1,000 stored status webhooks (parse, match, monotonic update); baseline: 1,000 primary-key UPDATEs"

php -r '
	$out = $argv[1]; $rows = array_map(fn($l) => json_decode($l, true), file($argv[2], FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES));
	$json = is_file($out) ? (json_decode(file_get_contents($out), true) ?: []) : [];
	$mine = array_column($rows, "name");
	$json = array_values(array_filter($json, fn($r) => !in_array($r["name"] ?? "", $mine, true)));
	printf("| %-22s | %10s | %10s | %7s | %-5s | %s\n", "name", "value", "baseline", "ratio", "unit", "what");
	foreach ($rows as $r) {
		$r["ratio"] = $r["baseline"] > 0 ? round($r["value"] / $r["baseline"], 3) : null;
		printf("| %-22s | %10s | %10s | %7s | %-5s | %s\n", $r["name"], $r["value"], $r["baseline"], $r["ratio"], $r["unit"], $r["what"]);
		unset($r["what"]);
		$json[] = $r;
	}
	file_put_contents($out, json_encode($json, JSON_PRETTY_PRINT) . "\n");' "$OUT" "$ROWS"
