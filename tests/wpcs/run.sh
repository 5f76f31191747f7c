#!/usr/bin/env bash
# WordPress Coding Standards gate: php-plugin/wpcs.xml.dist (WordPress-Extra + WordPress.Security,
# WordPress.DB, WordPress.WP.I18n) with WPCS 3.1.0, PHP_CodeSniffer >= 3.9, PHPCSUtils 1.0.x and
# PHPCSExtra 1.2.x run from their sources (tests/versions/bring.sh materialises them; nothing is
# committed). Errors fail; warnings are printed. Annotations (phpcs:ignore <Sniff> -- why) count.
#
#   tests/wpcs/run.sh [--report full|summary|source]
#
# CARTPINGER_WPCS_DIR   folder holding PHP_CodeSniffer/, PHPCSUtils/, PHPCSExtra/,
#                       WordPress-Coding-Standards/ (default $CARTPINGER_VERSIONS_DIR/wpcs, i.e.
#                       /work/versions/wpcs). Missing: the gate is SKIPPED, loudly.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
W="${CARTPINGER_WPCS_DIR:-${CARTPINGER_VERSIONS_DIR:-/work/versions}/wpcs}"
REPORT=summary
[[ "${1:-}" == --report ]] && REPORT="${2:?--report needs a value}"
[[ "${1:-}" == --report=* ]] && REPORT="${1#--report=}"

skip() {
	printf '\n\033[1;33m%s\033[0m\n' "################################################################################"
	printf '\033[1;33m##  WPCS GATE SKIPPED: %s\033[0m\n' "$*"
	printf '\033[1;33m##  Materialise it with tests/versions/bring.sh (or set CARTPINGER_WPCS_DIR).\033[0m\n'
	printf '\033[1;33m%s\033[0m\n\n' "################################################################################"
	exit 0
}
for d in PHP_CodeSniffer PHPCSUtils PHPCSExtra WordPress-Coding-Standards; do
	[[ -d "$W/$d" ]] || skip "no $W/$d"
done

# The versions the issue asks for (a wrong copy is a failure, not a skip).
phpcs_v=$(sed -n "s/.*const VERSION = '\([0-9.]*\)'.*/\1/p" "$W/PHP_CodeSniffer/src/Config.php" | head -1)
wpcs_v=$(sed -n 's/^## \[\([0-9.]*\)\].*/\1/p' "$W/WordPress-Coding-Standards/CHANGELOG.md" | head -1)
utils_v=$(sed -n 's/^## \[\([0-9.]*\)\].*/\1/p' "$W/PHPCSUtils/CHANGELOG.md" | head -1)
extra_v=$(sed -n 's/^## \[\([0-9.]*\)\].*/\1/p' "$W/PHPCSExtra/CHANGELOG.md" | head -1)
echo "WPCS $wpcs_v, PHP_CodeSniffer $phpcs_v, PHPCSUtils $utils_v, PHPCSExtra $extra_v ($W)"
ok=1
[[ "$wpcs_v" == 3.1.0 ]] || { echo "WordPress-Coding-Standards must be 3.1.0, found $wpcs_v" >&2; ok=0; }
printf '%s\n3.9.0\n' "$phpcs_v" | sort -V -C -r || { echo "PHP_CodeSniffer must be >= 3.9, found $phpcs_v" >&2; ok=0; }
[[ "$phpcs_v" == 3.* ]] || { echo "PHP_CodeSniffer must be 3.x for WPCS 3.1.0, found $phpcs_v" >&2; ok=0; }
[[ "$utils_v" == 1.0.* ]] || { echo "PHPCSUtils must be 1.0.x, found $utils_v" >&2; ok=0; }
[[ "$extra_v" == 1.2.* ]] || { echo "PHPCSExtra must be 1.2.x, found $extra_v" >&2; ok=0; }
[[ $ok == 1 ]] || exit 1

cd "$ROOT/php-plugin"
exec php "$W/PHP_CodeSniffer/bin/phpcs" \
	--runtime-set installed_paths "$W/WordPress-Coding-Standards,$W/PHPCSUtils,$W/PHPCSExtra" \
	--runtime-set ignore_warnings_on_exit 1 \
	--standard=wpcs.xml.dist --report-width=120 --report="$REPORT" -q
