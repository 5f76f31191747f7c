#!/usr/bin/env bash
# Fault suite (issue 17): exactly once under crashes and webhook trouble, and a shop that stays up.
#
#   tests/fault/run.sh            (part of ./build.sh test)
#
# Starts the demo store on nginx + a real php-fpm (tests/stack/up.sh --web fpm --background),
# with the Cloud API sandbox answering after 200 ms, capped like Meta (CPFAULT_CAP, 80 msg/s) and
# sending its status webhooks late (1-3 s). Queues CPFAULT_MESSAGES (1,000) messages, 30 % order
# updates, then drains them with the product's own runners at once:
#   - runner A: `wp cartpinger queue run` (real WP-CLI), SIGKILLed while its requests are in flight;
#   - runner B: `wp cartpinger queue run`, started again and again until the queue is empty;
#   - WP-Cron over HTTP: GET /wp-cron.php through nginx + php-fpm every 2 s (Action Scheduler);
#   - the sandbox's webhooks, dropped altogether for 4 s (callback off) and late the rest of the time;
#   - a shopper: GET / every 0.25 s during the whole drain.
# Then lets 20 minutes pass for the unknown outcomes (a time jump on in_flight_at, no sleeping)
# and asserts:
#   1. 0 duplicates: no message id reached the sandbox twice;
#   2. 0 rows without a final state and a reason (sent/delivered/read carry a wamid; failed,
#      expired and unconfirmed carry error_code);
#   3. the shop answered every page during the drain (HTTP 200; the 60 s limit is a hang
#      detector, not a speed goal: page times are reported, and benchmarked in bench).
# Prints the counts. Nothing here depends on the machine being idle: every wait polls a state
# with a generous deadline, and the kill waits until requests are actually in flight.
# Environment: CPFAULT_MESSAGES, CPFAULT_CAP, CPFAULT_PORT, CPFAULT_KEEP=1 (leave the stack up),
# WP_CLI (default /work/versions/wp-cli/wp; the suite skips LOUDLY without it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
WORK="$ROOT/target/fault"
ENVF="$WORK/stack.env"
N="${CPFAULT_MESSAGES:-1000}"
CAP="${CPFAULT_CAP:-80}"
WP_CLI="${WP_CLI:-${CARTPINGER_VERSIONS_DIR:-/work/versions}/wp-cli/wp}"
log() { printf '[fault] %s\n' "$*"; }
die() { printf '[fault] FAIL: %s\n' "$*" >&2; exit 1; }
if [[ ! -f "$WP_CLI" ]]; then
	printf '\n[fault] ********************************************************************\n'
	printf '[fault] SKIPPED: no WP-CLI at %s (tests/versions/bring.sh provides it)\n' "$WP_CLI"
	printf '[fault] ********************************************************************\n\n'
	exit 0
fi
mkdir -p "$WORK"
rm -rf "$WORK/logs" && mkdir -p "$WORK/logs"
T0=$(date +%s)

STARTED=0
BG=()
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${BG[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
	if [[ "$STARTED" == 1 && "${CPFAULT_KEEP:-0}" != 1 ]]; then
		tests/stack/down.sh "$ENVF" >"$WORK/logs/down.log" 2>&1 || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=tests/stack/lib/fpm-store.sh
source "$ROOT/tests/stack/lib/fpm-store.sh"
fpm_store_up "${CPFAULT_PORT:-}"
DB_NAME_=$(sed -n "s/.*define( 'DB_NAME', '\([^']*\)'.*/\1/p" "$WP_DIR/wp-config.php")
DB_USER_=$(sed -n "s/.*define( 'DB_USER', '\([^']*\)'.*/\1/p" "$WP_DIR/wp-config.php")
DB_PASS_=$(sed -n "s/.*define( 'DB_PASSWORD', '\([^']*\)'.*/\1/p" "$WP_DIR/wp-config.php")
sql() { mariadb --socket="$DB_SOCK" -u "$DB_USER_" -p"$DB_PASS_" -N -B "$DB_NAME_" -e "$1"; }
MSG="${TABLE_PREFIX}cartpinger_messages_log"
sandbox() { curl -s --max-time 30 -H 'Content-Type: application/json' "$SANDBOX_URL/_sandbox/$1" "${@:2}"; }
stored() { # accepted sends per biz_opaque_callback_data, from the sandbox's own store
	sqlite3 -readonly "$WORK/stack/sandbox/sandbox.sqlite" \
		"SELECT biz_opaque, COUNT(*) FROM messages WHERE kind = 'template' GROUP BY biz_opaque"
}
command -v sqlite3 >/dev/null || { apt-get install -y -qq sqlite3 >/dev/null 2>&1 || true; }
command -v sqlite3 >/dev/null || die "sqlite3 is needed to read the sandbox's store (apt-get install sqlite3)"

lib clear
lib cap "$CAP"
sandbox config -d "{\"latency_ms\":200,\"mps_cap\":$CAP,\"status_delays_ms\":[1000,1000,1000]}" >/dev/null
lib fill "$N" 0.3 >/dev/null
log "queued $N messages (30 % order updates); cap $CAP msg/s, sandbox at 200 ms"

# A signed status webhook is answered by the early path, before WooCommerce loads.
BODY='{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.FAULT-PROBE","status":"delivered","timestamp":"1750000000","recipient_id":"34630000000"}]}}]}]}'
SIG="sha256=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SANDBOX_APP_SECRET" -r | cut -d' ' -f1)"
PROBE=$(curl -s -D - -o /dev/null --max-time 60 -H 'Content-Type: application/json' -H "X-Hub-Signature-256: $SIG" --data-binary "$BODY" "$SITE_URL/wp-json/cartpinger/v1/webhook" | tr -d '\r')
grep -q '^HTTP/1.1 200' <<<"$PROBE" || die "the signed probe webhook was not answered 200: $PROBE"
grep -qi '^X-CartPinger-Webhook: early; woocommerce=not-loaded' <<<"$PROBE" || die "the webhook was not answered by the early path before WooCommerce: $PROBE"
BAD=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -H 'Content-Type: application/json' -H "X-Hub-Signature-256: sha256=00" --data-binary "$BODY" "$SITE_URL/wp-json/cartpinger/v1/webhook")
[[ "$BAD" == 401 ]] || die "a wrongly signed webhook got $BAD, not 401"
log "webhook probe: signed → 200 from the early path (WooCommerce not loaded), wrong signature → 401"

# The shopper: one page every 0.25 s from now on.
( while true; do curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 60 "$SITE_URL/" || echo "000 60"; sleep 0.25; done ) >"$WORK/logs/pages.txt" 2>&1 &
BG+=($!)
sleep 3
IDLE_PAGES=$(wc -l <"$WORK/logs/pages.txt")

# WP-Cron over HTTP through php-fpm.
( while true; do curl -s -o /dev/null --max-time 60 "$SITE_URL/wp-cron.php?doing_wp_cron=$(date +%s.%N)" || true; sleep 2; done ) >/dev/null 2>&1 &
BG+=($!)

DRAIN0=$(date +%s.%N)
setsid bash -c "$(declare -f wpcli); PHP_EXT_ARGS='$PHP_EXT_ARGS' WP_CLI='$WP_CLI' WP_DIR='$WP_DIR' SITE_URL='$SITE_URL' wpcli cartpinger queue run --budget=120000 --format=json" >"$WORK/logs/runner-a.log" 2>&1 &
A=$!
# Wait until A is sending (requests in flight) and a third is done, then SIGKILL it.
for _ in $(seq 1 3000); do
	read -r inflight sent < <(sql "SELECT SUM(status = 'sending'), SUM(status IN ('sent','delivered','read')) FROM $MSG")
	[[ "${inflight:-0}" != NULL && "${inflight:-0}" -gt 0 && "${sent:-0}" -ge $((N / 3)) ]] && break
	kill -0 "$A" 2>/dev/null || die "runner A ended before it could be killed: $(tail -5 "$WORK/logs/runner-a.log")"
	sleep 0.02
done
# Drop every status webhook for 4 s around the kill (longer than the sandbox's whole
# sent → delivered → read sequence), then late ones again.
sandbox config -d '{"callback":null}' >/dev/null
kill -KILL -- "-$A" 2>/dev/null || kill -KILL "$A"
read -r KILLED_INFLIGHT KILLED_CLAIMED < <(sql "SELECT SUM(status = 'sending'), SUM(status = 'claimed') FROM $MSG")
log "runner A SIGKILLed with $KILLED_INFLIGHT rows in flight (sending) and $KILLED_CLAIMED claimed but never attempted"
sleep 4
sandbox config -d "{\"callback\":\"$SITE_URL/wp-json/cartpinger/v1/webhook\"}" >/dev/null

# Runner B until the queue is empty.
B_RUNS=0
for _ in $(seq 1 200); do
	open=$(sql "SELECT COUNT(*) FROM $MSG WHERE status IN ('pending','claimed','sending')")
	[[ "$open" == 0 ]] && break
	wpcli cartpinger queue run --budget=30000 --format=json >>"$WORK/logs/runner-b.log" 2>&1 || true
	B_RUNS=$((B_RUNS + 1))
done
DRAIN1=$(date +%s.%N)
[[ "$open" == 0 ]] || die "the queue did not drain: $(lib counts)"
DRAIN_PAGES=$(wc -l <"$WORK/logs/pages.txt")
log "drained in $(php -r "printf('%.1f', $DRAIN1 - $DRAIN0);") s ($B_RUNS runs of runner B); webhooks settling"

# Late webhooks land (the sandbox sends them 1-3 s after each answer); the runner applies them.
for _ in $(seq 1 20); do
	sleep 1
	lib settle >/dev/null
	read -r unknown inbox < <(sql "SELECT (SELECT COUNT(*) FROM $MSG WHERE status = 'unknown'), (SELECT COUNT(*) FROM ${TABLE_PREFIX}cartpinger_webhook_inbox)")
	[[ "$unknown" == 0 && "$inbox" == 0 ]] && break
done
UNKNOWN_BEFORE=$(sql "SELECT COUNT(*) FROM $MSG WHERE status = 'unknown'")
# Then 20 minutes pass for what is still unknown (a time jump, no sleeping).
lib backdate 1200
lib settle >/dev/null
for p in "${BG[@]}"; do kill "$p" 2>/dev/null || true; done
BG=()

# ---- assertions --------------------------------------------------------------------------
FAILS=0
stored >"$WORK/logs/stored.txt"
DUPS=$(awk -F'|' '$2 > 1' "$WORK/logs/stored.txt" | wc -l)
AT_SANDBOX=$(awk -F'|' '{s += $2} END {print s + 0}' "$WORK/logs/stored.txt")
lib report >"$WORK/logs/report.json"
read -r NOT_FINAL NO_REASON STATES < <(php -r '
	$rows = json_decode(file_get_contents($argv[1]), true);
	$final = ["sent","delivered","read","failed","expired","cancelled","unconfirmed"];
	$nf = 0; $nr = 0; $by = [];
	foreach ($rows as $r) {
		$by[$r["status"]] = ($by[$r["status"]] ?? 0) + 1;
		if (!in_array($r["status"], $final, true)) { $nf++; continue; }
		$ok = in_array($r["status"], ["sent","delivered","read"], true) ? (int)$r["has_wamid"] === 1 : "" !== (string)$r["error_code"];
		if (!$ok) { $nr++; }
	}
	ksort($by);
	echo $nf, " ", $nr, " ", json_encode($by), "\n";' "$WORK/logs/report.json")
PAGES_BAD=$(awk '$1 != 200' "$WORK/logs/pages.txt" | wc -l)
PAGES_N=$(wc -l <"$WORK/logs/pages.txt")
read -r IDLE_MED DRAIN_MED < <(php -r '
	$l = file($argv[1], FILE_IGNORE_NEW_LINES); $i = (int)$argv[2]; $d = (int)$argv[3];
	$t = array_map(fn($x) => (float)explode(" ", $x)[1], $l);
	$med = function ($a) { sort($a); return $a ? $a[intdiv(count($a), 2)] * 1000 : 0; };
	printf("%.0f %.0f\n", $med(array_slice($t, 0, $i)), $med(array_slice($t, $i, $d - $i)));' "$WORK/logs/pages.txt" "$IDLE_PAGES" "$DRAIN_PAGES")

printf '\n| fault suite (%s messages, cap %s, sandbox 200 ms) | value |\n|---|---|\n' "$N" "$CAP"
printf '| rows of runner A when SIGKILLed: in flight (sending) / claimed, never attempted | %s / %s |\n' "$KILLED_INFLIGHT" "$KILLED_CLAIMED"
printf '| messages accepted by the sandbox | %s |\n' "$AT_SANDBOX"
printf '| duplicates at the sandbox | %s |\n' "$DUPS"
printf '| unknown after the drain (before 20 min) | %s |\n' "$UNKNOWN_BEFORE"
printf '| final states | %s |\n' "$STATES"
printf '| rows without a final state / without a reason | %s / %s |\n' "$NOT_FINAL" "$NO_REASON"
printf '| pages during the run: total, not answered 200 (60 s limit) | %s, %s |\n' "$PAGES_N" "$PAGES_BAD"
printf '| page median idle / during the drain | %s ms / %s ms |\n' "$IDLE_MED" "$DRAIN_MED"
printf '| suite time | %s s |\n\n' "$(( $(date +%s) - T0 ))"
[[ "$DUPS" == 0 ]] || { log "FAIL: $DUPS messages reached the sandbox more than once"; FAILS=1; }
[[ "$NOT_FINAL" == 0 && "$NO_REASON" == 0 ]] || { log "FAIL: rows without a final state ($NOT_FINAL) or reason ($NO_REASON)"; FAILS=1; }
[[ "$PAGES_BAD" == 0 ]] || { log "FAIL: $PAGES_BAD storefront pages were not answered (HTTP 200 within 60 s)"; FAILS=1; }
[[ "$AT_SANDBOX" -ge $((N * 9 / 10)) ]] || { log "FAIL: only $AT_SANDBOX of $N messages reached the sandbox"; FAILS=1; }
if grep -qi cartpinger "$DEBUG_LOG" 2>/dev/null; then log "FAIL: CartPinger lines in debug.log:"; grep -i cartpinger "$DEBUG_LOG" | head -5; FAILS=1; fi
[[ "$FAILS" == 0 ]] || exit 1
log "PASS"
