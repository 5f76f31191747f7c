#!/usr/bin/env bash
# What `pie install cartpinger/cartpinger` does when no prebuilt binary matches, without PIE:
# the package source as git archive gives it, then in its build-path (ext/): phpize,
# ./configure --with-php-config=…, make, make install INSTALL_ROOT=… (PIE's own steps, see
# php/pie docs/extension-maintainers.md), and a load check of the installed module.
#
#   tests/release/pie-source-build.sh [php-config] [php]     (default: php-config8.2, php8.2)
#
# CARGO_TARGET_DIR is passed through (the release matrix's warm target dir saves a cold build).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
PHP_CONFIG_BIN=$(command -v "${1:-php-config8.2}")
PHP_BIN=$(command -v "${2:-php8.2}")
PHPIZE=$(dirname "$PHP_CONFIG_BIN")/$(basename "$PHP_CONFIG_BIN" | sed 's/php-config/phpize/')
[ -x "$PHPIZE" ] || PHPIZE=$(command -v phpize)
WORK="$REPO/target/pie-source"
rm -rf "$WORK" && mkdir -p "$WORK/src" "$WORK/root"
# The package as PIE downloads it: the git archive of the commit (committed files only).
git -C "$REPO" archive HEAD | tar -x -C "$WORK/src"
BUILD_PATH=$(php -r 'echo json_decode(file_get_contents($argv[1]))->{"php-ext"}->{"build-path"};' "$WORK/src/composer.json")
cd "$WORK/src/$BUILD_PATH"
echo "== phpize ($PHPIZE)"; "$PHPIZE" > "$WORK/phpize.log"
echo "== ./configure --with-php-config=$PHP_CONFIG_BIN"; ./configure --with-php-config="$PHP_CONFIG_BIN" > "$WORK/configure.log"
grep -E 'cargo|PHP to build against' "$WORK/configure.log"
echo "== make"; nice -n 10 make > "$WORK/make.log" 2>&1 || { tail -30 "$WORK/make.log"; exit 1; }
echo "== make install INSTALL_ROOT=$WORK/root"; make install INSTALL_ROOT="$WORK/root" | tail -2
SO=$(find "$WORK/root" -name cartpinger.so | head -1)
[ -n "$SO" ] || { echo "make install put no cartpinger.so under $WORK/root"; exit 1; }
"$PHP_BIN" -n -d extension="$SO" -r 'echo "loaded: cartpinger ", phpversion("cartpinger"), " (", PHP_VERSION, ")\n"; exit(extension_loaded("cartpinger") ? 0 : 1);'
echo "installed: ${SO#"$WORK/root"}"
