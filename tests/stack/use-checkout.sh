#!/usr/bin/env bash
# Chooses which page is WooCommerce's checkout in the running demo store
# (option woocommerce_checkout_page_id):
#
#   tests/stack/use-checkout.sh block|classic [ENVFILE]     (default target/stack/env)
#
#   block    /checkout/          the Checkout block (WooCommerce 9.4.3's default page)
#   classic  /classic-checkout/  the [woocommerce_checkout] shortcode
#
# Both pages always exist; only the one chosen here is where the cart's "Proceed to checkout"
# leads and where WooCommerce's checkout logic (is_checkout(), order-received) applies.
# At startup: tests/stack/up.sh --checkout classic (or CARTPINGER_DEMO_CHECKOUT=classic).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
which="${1:-}"
[[ "$which" == block || "$which" == classic ]] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
ENVFILE="${2:-$REPO_ROOT/target/stack/env}"
[[ -f "$ENVFILE" ]] || { echo "use-checkout.sh: no env file $ENVFILE (is the demo stack running?)" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENVFILE"
export PHP_INI_SCAN_DIR CP_DEMO_WP_DIR="$WP_DIR" CP_DEMO_HOST="${SITE_URL#http://}"
# shellcheck disable=SC2086
php $PHP_EXT_ARGS "$REPO_ROOT/tests/stack/lib/setup.php" use-checkout "$which"
