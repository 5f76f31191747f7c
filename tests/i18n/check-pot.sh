#!/usr/bin/env bash
# Fails when the committed translation template is out of date.
#
#   tests/i18n/check-pot.sh
#
# Regenerates the template into a temporary file with tests/i18n/make-pot.sh and compares it with
# php-plugin/cartpinger/languages/cartpinger-for-woocommerce.pot: the header (minus its
# POT-Creation-Date) and every msgctxt/msgid/msgid_plural must match. Source references and
# comments are ignored, so moving code around does not fail the check; adding, changing or
# removing a translatable string (or bumping the version) does. Fix: tests/i18n/make-pot.sh
set -Eeuo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
POT="$REPO_ROOT/php-plugin/cartpinger/languages/cartpinger-for-woocommerce.pot"
[[ -f "$POT" ]] || { echo "check-pot: FAIL: ${POT#"$REPO_ROOT"/} is missing; run tests/i18n/make-pot.sh" >&2; exit 1; }
command -v msgcat >/dev/null || { echo "check-pot: msgcat not found (apt-get install -y gettext)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$REPO_ROOT/tests/i18n/make-pot.sh" "$TMP/fresh.pot" >/dev/null

normalize() { # pot file -> sorted strings without locations, comments or creation date
	LC_ALL=C.UTF-8 msgcat --no-location --no-wrap --sort-output "$1" | grep -v '^#' | grep -v '^"POT-Creation-Date: '
}
normalize "$POT" >"$TMP/committed.txt"
normalize "$TMP/fresh.pot" >"$TMP/fresh.txt"
if ! diff -u --label committed "$TMP/committed.txt" --label "regenerated from the code" "$TMP/fresh.txt" >"$TMP/diff"; then
	echo "check-pot: FAIL: ${POT#"$REPO_ROOT"/} is out of date; run tests/i18n/make-pot.sh and commit it:" >&2
	head -60 "$TMP/diff" >&2
	exit 1
fi
echo "check-pot: ok ($(grep -c '^msgid ' "$TMP/fresh.txt") entries incl. header)"
