#!/usr/bin/env bash
# Regenerates the plugin's translation template with GNU xgettext (apt-get install -y gettext).
#
#   tests/i18n/make-pot.sh [OUTPUT]
#
# OUTPUT defaults to php-plugin/cartpinger/languages/cartpinger-for-woocommerce.pot. Scans every
# *.php file of php-plugin/cartpinger (sorted, paths relative to the plugin folder) for the
# WordPress i18n functions, keeps the "translators:" comments, adds the plugin header strings
# (Plugin Name, Plugin URI, Description, Author) as WordPress.org does, and writes a UTF-8 header
# with the plugin's name and version. tests/i18n/check-pot.sh checks that the committed file is
# current.
set -Eeuo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
PLUGIN="$REPO_ROOT/php-plugin/cartpinger"
MAIN="$PLUGIN/cartpinger.php"
DOMAIN=cartpinger-for-woocommerce
OUT="${1:-$PLUGIN/languages/$DOMAIN.pot}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac

for tool in xgettext msgcat; do
	command -v "$tool" >/dev/null || { echo "make-pot: $tool not found (apt-get install -y gettext)" >&2; exit 1; }
done

header() { sed -n "s/^[ *]*$1: *//p" "$MAIN" | head -1; }
NAME="$(header 'Plugin Name')"
VERSION="$(header 'Version')"
[[ -n "$NAME" && -n "$VERSION" ]] || { echo "make-pot: no Plugin Name/Version header in $MAIN" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$(dirname "$OUT")"

cd "$PLUGIN"
find . -name '*.php' -not -path './node_modules/*' -not -path './vendor/*' -printf '%P\n' | LC_ALL=C sort >"$TMP/files"

LC_ALL=C.UTF-8 xgettext --language=PHP --from-code=UTF-8 --add-comments=translators: \
	--force-po --no-wrap --package-name="$NAME" --package-version="$VERSION" \
	--msgid-bugs-address="https://wordpress.org/support/plugin/$DOMAIN" \
	--copyright-holder="$NAME" \
	--keyword --keyword=__ --keyword=_e --keyword=esc_html__ --keyword=esc_html_e \
	--keyword=esc_attr__ --keyword=esc_attr_e --keyword=_x:1,2c --keyword=_n:1,2 \
	--keyword=_nx:1,2,4c --keyword=esc_html_x:1,2c --keyword=esc_attr_x:1,2c \
	--keyword=_n_noop:1,2 --keyword=_nx_noop:1,2,3c \
	--files-from="$TMP/files" --output="$TMP/code.pot"

# The plugin header strings (translated by WordPress in the plugin list).
po_string() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
{
	printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
	declare -A seen=()
	for field in 'Plugin Name' 'Plugin URI' 'Description' 'Author'; do
		value="$(header "$field")"
		[[ -n "$value" && -z "${seen[$value]:-}" ]] || continue   # e.g. Author = Plugin Name: once
		seen[$value]=1
		printf '#. %s of the plugin\n#: cartpinger.php\nmsgid "%s"\nmsgstr ""\n\n' "$field" "$(po_string "$value")"
	done
} >"$TMP/header.pot"

msgcat --use-first --no-wrap "$TMP/code.pot" "$TMP/header.pot" -o "$TMP/all.pot"

# Header: title, copyright, UTF-8, text domain.
YEAR="$(date -u +%Y)"
sed -e "1s/.*/# Translation template of $NAME $VERSION./" \
	-e "2s/.*/# Copyright (C) $YEAR $NAME/" \
	-e "3s/.*/# This file is distributed under the same license as the $NAME plugin (GPL-2.0-or-later)./" \
	-e '/^#, fuzzy$/d' \
	-e 's/charset=CHARSET/charset=UTF-8/' \
	-e "s/^\"Content-Transfer-Encoding: 8bit\\\\n\"$/&\\n\"X-Domain: $DOMAIN\\\\n\"/" \
	"$TMP/all.pot" >"$OUT"
grep -q 'charset=UTF-8' "$OUT" || { echo "make-pot: header has no UTF-8 charset" >&2; exit 1; }
echo "make-pot: $(grep -c '^msgid "' "$OUT" | awk '{print $1 - 1}') strings -> ${OUT#"$REPO_ROOT"/}"
