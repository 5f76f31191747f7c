#!/usr/bin/env bash
# Browser tier: the recovery walk in headless Chromium on a real demo store.
#
#   tests/e2e/run.sh [classic|block|both] [scenario…]
#
# Starts tests/stack/up.sh --fast --background (WordPress + WooCommerce + MariaDB + CartPinger +
# the sandbox), runs tests/e2e/recovery.mjs for each checkout, stops the stack, and fails on any
# debug.log line from CartPinger. Needs WooCommerce (WOOCOMMERCE_DIR, or /work/woocommerce):
# without it the tier is SKIPPED with a loud banner (exit 0).
set -Eeuo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
WHICH="${1:-both}"; shift || true
SCENARIOS=("$@")

WOO="${WOOCOMMERCE_DIR:-}"
[[ -z "$WOO" && -f /work/woocommerce/woocommerce.php ]] && WOO=/work/woocommerce
[[ "${CARTPINGER_IT_NO_WOO:-}" == 1 ]] && WOO=""   # as tests/wp/run.sh: force the skip
if [[ -z "$WOO" ]]; then
	echo "**************************************************************************************"
	echo "*** Browser tier SKIPPED: set WOOCOMMERCE_DIR=/path/to/woocommerce (9.4.3) to run it ***"
	echo "**************************************************************************************"
	exit 0
fi
export WOOCOMMERCE_DIR="$WOO"
if ! command -v chromium >/dev/null; then
	echo "[e2e] installing Debian's chromium (apt-get install -y chromium)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || { echo "[e2e] chromium missing and could not be installed" >&2; exit 1; }
fi
[[ -d "$REPO_ROOT/tests/node_modules/playwright-core" ]] || (cd "$REPO_ROOT/tests" && npm ci --no-audit --no-fund)

ENVF="$REPO_ROOT/target/e2e/stack.env"
mkdir -p "$REPO_ROOT/target/e2e"
rm -f "$REPO_ROOT"/target/e2e/*.png
rc=0
run_one() { # checkout
	local co="$1"
	echo "[e2e] === $co checkout ==="
	CARTPINGER_STACK_DIR="$REPO_ROOT/target/e2e/stack" "$REPO_ROOT/tests/stack/up.sh" --fast --port 8091 --checkout "$co" --background "$ENVF" >"$REPO_ROOT/target/e2e/stack-$co.log" 2>&1 \
		|| { cat "$REPO_ROOT/target/e2e/stack-$co.log" >&2; return 1; }
	# shellcheck disable=SC1090
	local r=0
	node "$REPO_ROOT/tests/e2e/recovery.mjs" "$ENVF" "$co" "${SCENARIOS[@]}" || r=$?
	if [[ "$co" == block && ${#SCENARIOS[@]} -eq 0 ]]; then
		node "$REPO_ROOT/tests/e2e/widget.mjs" "$ENVF" || r=1   # the chat widget on the storefront
		node "$REPO_ROOT/tests/e2e/storefront.mjs" "$ENVF" || r=1 # consent under the phone, chat button vs Place Order (both checkouts, 390 px)
		node "$REPO_ROOT/tests/e2e/admin.mjs" "$ENVF" || r=1    # setup wizard, doctor, settings tabs
		node "$REPO_ROOT/tests/e2e/dashboard.mjs" "$ENVF" || r=1 # charts, export download, templates page
	fi
	local log; log="$(sed -n "s/^DEBUG_LOG='\(.*\)'$/\1/p; s/^DEBUG_LOG=\([^']*\)$/\1/p" "$ENVF" | head -1)"
	if [[ -n "$log" && -f "$log" ]] && grep -i "cartpinger" "$log" >/dev/null; then
		echo "[e2e] FAIL: CartPinger wrote to debug.log:" >&2
		grep -i "cartpinger" "$log" | head -20 >&2
		r=1
	fi
	"$REPO_ROOT/tests/stack/down.sh" "$ENVF" >/dev/null 2>&1 || true
	return $r
}
case "$WHICH" in
	classic|block) run_one "$WHICH" || rc=1 ;;
	both) run_one classic || rc=1; run_one block || rc=1 ;;
	*) echo "usage: run.sh [classic|block|both] [scenario…]" >&2; exit 2 ;;
esac
echo "[e2e] screenshots: $(ls "$REPO_ROOT"/target/e2e/*.png 2>/dev/null | wc -l) in target/e2e/"
exit $rc
