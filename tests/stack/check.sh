#!/usr/bin/env bash
# Headless smoke check of a running demo stack (curl only):
#
#   tests/stack/check.sh [ENVFILE]     (default target/stack/env)
#
# Shop, cart, /checkout/ and /classic-checkout/ (with one product in the cart: WooCommerce
# sends an empty cart from the checkout back to /cart/), the wp-admin login (logs in as admin),
# the webhook verify handshake, the sandbox inbox; then debug.log must have no CartPinger lines.
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
ENVFILE="${1:-$REPO_ROOT/target/stack/env}"
[[ -f "$ENVFILE" ]] || { echo "check.sh: no env file $ENVFILE" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENVFILE"
JAR="$(mktemp)"; ADM="$(mktemp)"
trap 'rm -f "$JAR" "$ADM"' EXIT
FAIL=0
expect() { # code label url [curl args...]
	local want="$1" label="$2" url="$3"; shift 3
	local got; got="$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 "$@" "$url")"
	if [[ "$got" == "$want" ]]; then printf 'ok    %s %-28s %s\n' "$got" "$label" "$url"
	else printf 'FAIL  %s %-28s %s (wanted %s)\n' "$got" "$label" "$url" "$want"; FAIL=1; fi
}
PRODUCT="$(curl -s "$SITE_URL/wp-json/wc/store/v1/products?per_page=1&type=simple" | php -r '$j=json_decode(stream_get_contents(STDIN),true); echo $j[0]["id"] ?? "";')"
expect 200 "home" "$SITE_URL/"
expect 200 "shop" "$SITE_URL/shop/"
expect 200 "cart" "$SITE_URL/cart/"
expect 200 "add to cart (product $PRODUCT)" "$SITE_URL/shop/?add-to-cart=$PRODUCT" -c "$JAR" -b "$JAR"
expect 200 "block checkout (cart)" "$SITE_URL/checkout/" -c "$JAR" -b "$JAR"
expect 200 "classic checkout (cart)" "$SITE_URL/classic-checkout/" -c "$JAR" -b "$JAR"
expect 200 "wp-admin login page" "$SITE_URL/wp-login.php" -c "$ADM" -b "$ADM"
expect 302 "log in as admin" "$SITE_URL/wp-login.php" -c "$ADM" -b "$ADM" --data-urlencode "log=$ADMIN_USER" \
	--data-urlencode "pwd=$ADMIN_PASS" --data "testcookie=1" --data-urlencode "redirect_to=$SITE_URL/wp-admin/"
expect 200 "wp-admin dashboard" "$SITE_URL/wp-admin/" -c "$ADM" -b "$ADM"
expect 200 "CartPinger admin page" "$SITE_URL/wp-admin/admin.php?page=cartpinger" -c "$ADM" -b "$ADM"
expect 200 "webhook verify handshake" "$SITE_URL/wp-json/cartpinger/v1/webhook?hub.mode=subscribe&hub.verify_token=$VERIFY_TOKEN&hub.challenge=42"
expect 200 "sandbox inbox" "$SANDBOX_URL/inbox"
if [[ -s "$DEBUG_LOG" ]] && grep -qi cartpinger "$DEBUG_LOG"; then
	echo "FAIL  debug.log has CartPinger lines:"; grep -i cartpinger "$DEBUG_LOG" | head -20 | sed 's/^/    | /'; FAIL=1
else
	echo "ok    debug.log: no CartPinger lines ($(wc -l <"$DEBUG_LOG" 2>/dev/null || echo 0) lines in all)"
fi
[[ $FAIL == 0 ]] && echo "check.sh: all good" || echo "check.sh: FAILED"
exit $FAIL
