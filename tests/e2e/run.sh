#!/usr/bin/env bash
# Browser tier: the recovery walk in headless Chromium on real demo stores, per WordPress ×
# WooCommerce pair.
#
#   tests/e2e/run.sh [classic|block|both] [scenario…]
#
# Pairs: tests/versions/pairs (CARTPINGER_PAIRS_FILE) or WP_WC_MATRIX="7.0.4:10.0.2,…", copies
# from $CARTPINGER_VERSIONS_DIR (default /work/versions). A pair marked "full" runs every walk
# (recovery on both checkouts, widget, storefront, admin, dashboard); "short" runs the recovery walk on the
# block checkout only. Before WooCommerce 8.9 the Checkout block cannot show the consent
# checkbox (the setup doctor says so): such a pair walks the classic checkout only. WOOCOMMERCE_DIR=/path runs that WooCommerce on the playground WordPress
# 6.5 instead (one ad-hoc full pair). For each pair: tests/stack/up.sh --fast --port auto
# --background (WordPress + WooCommerce + MariaDB + CartPinger + the sandbox, on a free port, so
# stacks of other developers run beside it), the walks, a check that CartPinger wrote nothing to
# debug.log, and the stack stopped. A pair without its copies is SKIPPED loudly; a pair × result
# table is printed at the end. No pair present at all: the tier is SKIPPED with a banner (exit 0).
set -Eeuo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
WHICH="${1:-both}"; shift || true
SCENARIOS=("$@")
case "$WHICH" in classic|block|both) ;; *) echo "usage: run.sh [classic|block|both] [scenario…]" >&2; exit 2 ;; esac
VERSIONS_DIR="${CARTPINGER_VERSIONS_DIR:-/work/versions}"
PAIRS_FILE="${CARTPINGER_PAIRS_FILE:-$REPO_ROOT/tests/versions/pairs}"

# pair = "WP_DIR|WOO_DIR|label|walk"
PAIRS=()
SKIPPED=()
add_pair() { # wp-version wc-version walk
	local wpd="$VERSIONS_DIR/wordpress-$1" wcd="$VERSIONS_DIR/woocommerce-$2" missing=""
	[[ -f "$wpd/wp-load.php" ]] || missing+=" $wpd"
	[[ -f "$wcd/woocommerce.php" ]] || missing+=" $wcd"
	if [[ -n "$missing" ]]; then SKIPPED+=("WP $1 × WC $2 (missing:$missing)"); else PAIRS+=("$wpd|$wcd|WP $1 × WC $2|$3"); fi
}
if [[ "${CARTPINGER_IT_NO_WOO:-}" == 1 ]]; then
	:   # as tests/wp/run.sh: force the skip
elif [[ -n "${WOOCOMMERCE_DIR:-}" && -z "${WP_WC_MATRIX:-}" ]]; then
	[[ -f "$WOOCOMMERCE_DIR/woocommerce.php" ]] || { echo "[e2e] WOOCOMMERCE_DIR=$WOOCOMMERCE_DIR has no woocommerce.php" >&2; exit 1; }
	PAIRS+=("|$WOOCOMMERCE_DIR|WP 6.5 (playground) × $(sed -n 's/^ \* Version: *//p' "$WOOCOMMERCE_DIR/woocommerce.php" | head -1)|full")
elif [[ -n "${WP_WC_MATRIX:-}" ]]; then
	for pair in ${WP_WC_MATRIX//,/ }; do add_pair "${pair%%:*}" "${pair#*:}" full; done
else
	while read -r wpv wcv walk _rest; do
		[[ -z "$wpv" || "$wpv" == \#* ]] && continue
		add_pair "$wpv" "$wcv" "${walk:-short}"
	done <"$PAIRS_FILE"
fi

banner_skips() {
	[[ ${#SKIPPED[@]} -eq 0 ]] && return 0
	echo "**************************************************************************************"
	for sk in "${SKIPPED[@]}"; do echo "*** Browser tier SKIPPED pair: $sk"; done
	echo "*** (tests/versions/bring.sh materialises the copies)"
	echo "**************************************************************************************"
}
if [[ ${#PAIRS[@]} -eq 0 ]]; then
	echo "**************************************************************************************"
	echo "*** Browser tier SKIPPED: no WordPress × WooCommerce pair present ($VERSIONS_DIR)  ***"
	echo "**************************************************************************************"
	banner_skips
	exit 0
fi
if ! command -v chromium >/dev/null; then
	echo "[e2e] installing Debian's chromium (apt-get install -y chromium)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || { echo "[e2e] chromium missing and could not be installed" >&2; exit 1; }
fi
[[ -d "$REPO_ROOT/tests/node_modules/playwright-core" ]] || (cd "$REPO_ROOT/tests" && npm ci --no-audit --no-fund)

mkdir -p "$REPO_ROOT/target/e2e"
rm -f "$REPO_ROOT"/target/e2e/*.png
ENVF="$REPO_ROOT/target/e2e/stack.env"
TABLE=()
rc=0

run_one() { # wp-dir woo-dir label walk checkout
	local wpd="$1" wcd="$2" label="$3" walk="$4" co="$5" t0=$SECONDS r=0
	local tag; tag="$(echo "$label" | tr -c 'A-Za-z0-9.\n' '-' | tr -s '-')"
	echo "[e2e] === $label, $co checkout ($walk walk) ==="
	if ! CARTPINGER_STACK_DIR="$REPO_ROOT/target/e2e/stack" CARTPINGER_STACK_WP="$wpd" WOOCOMMERCE_DIR="$wcd" \
		"$REPO_ROOT/tests/stack/up.sh" --fast --port auto --checkout "$co" --background "$ENVF" >"$REPO_ROOT/target/e2e/stack-$tag-$co.log" 2>&1; then
		cat "$REPO_ROOT/target/e2e/stack-$tag-$co.log" >&2
		TABLE+=("$(printf '%-34s %-8s FAIL  stack did not start' "$label" "$co")")
		return 1
	fi
	local scen=("${SCENARIOS[@]}")
	[[ ${#scen[@]} -eq 0 && "$walk" == short ]] && scen=(recover)
	node "$REPO_ROOT/tests/e2e/recovery.mjs" "$ENVF" "$co" "${scen[@]}" || r=$?
	if [[ "$co" == "$EXTRAS_ON" && "$walk" == full && ${#SCENARIOS[@]} -eq 0 ]]; then
		node "$REPO_ROOT/tests/e2e/widget.mjs" "$ENVF" || r=1    # the chat widget on the storefront
		CARTPINGER_E2E_CHECKOUTS="$(IFS=,; echo "${cos[*]}")" node "$REPO_ROOT/tests/e2e/storefront.mjs" "$ENVF" || r=1 # consent under the phone, chat button vs Place Order (both checkouts, 390 px)
		node "$REPO_ROOT/tests/e2e/admin.mjs" "$ENVF" || r=1     # setup wizard, doctor, settings tabs
		node "$REPO_ROOT/tests/e2e/dashboard.mjs" "$ENVF" || r=1 # charts, export download, templates page
	fi
	local log; log="$(sed -n "s/^DEBUG_LOG='\(.*\)'$/\1/p; s/^DEBUG_LOG=\([^']*\)$/\1/p" "$ENVF" | head -1)"
	if [[ -n "$log" && -f "$log" ]] && grep -i "cartpinger" "$log" >/dev/null; then
		echo "[e2e] FAIL: CartPinger wrote to debug.log:" >&2
		grep -i "cartpinger" "$log" | head -20 >&2
		r=1
	fi
	"$REPO_ROOT/tests/stack/down.sh" "$ENVF" >/dev/null 2>&1 || true
	TABLE+=("$(printf '%-34s %-8s %-5s %s walk, %s s' "$label" "$co" "$([[ $r -eq 0 ]] && echo PASS || echo FAIL)" "$walk" $((SECONDS - t0)))")
	return $r
}

for pair in "${PAIRS[@]}"; do
	IFS='|' read -r wpd wcd label walk <<<"$pair"
	cos=()
	# The Checkout block shows the consent checkbox from WooCommerce 8.9 (additional checkout
	# fields; the setup doctor says so on older versions): a short walk there uses the classic one.
	wcv="$(sed -n 's/^ \* Version: *//p' "$wcd/woocommerce.php" | head -1 | tr -d '\r')"
	short_co=block
	[[ "$(printf '%s\n8.9\n' "$wcv" | sort -V | head -1)" != 8.9 ]] && short_co=classic
	case "$WHICH" in
		both)
			if [[ "$walk" != full ]]; then cos=("$short_co")
			elif [[ "$short_co" == classic ]]; then cos=(classic)
			else cos=(classic block); fi ;;
		*) cos=("$WHICH") ;;
	esac
	EXTRAS_ON="${cos[${#cos[@]}-1]}"   # widget, storefront, admin and dashboard walks: on the last stack of the pair
	for co in "${cos[@]}"; do run_one "$wpd" "$wcd" "$label" "$walk" "$co" || rc=1; done
done
banner_skips
for sk in "${SKIPPED[@]}"; do TABLE+=("$(printf '%-34s %-8s SKIP  copy missing' "${sk%% (*}" '-')"); done
echo
printf '[e2e] %-34s %-8s %s\n' "pair" "checkout" "result"
for row in "${TABLE[@]}"; do echo "[e2e] $row"; done
echo "[e2e] screenshots: $(ls "$REPO_ROOT"/target/e2e/*.png 2>/dev/null | wc -l) in target/e2e/"
exit $rc
