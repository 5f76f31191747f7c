#!/usr/bin/env bash
# Builds a minimal PHP CLI from a PHP source tree, for building and testing the extension
# against a PHP line no registry serves (8.3, ZTS builds).
#
#   tests/release/php-from-source.sh SRC_DIR PREFIX [nts|zts] [full|smoke]
#
# SRC_DIR is an unpacked php-src tree (a release tarball or a git export: buildconf runs when
# there is no configure script). The build is cached: when PREFIX/bin/php-config exists and
# PREFIX/.cartpinger-build matches this script's flags, nothing is rebuilt.
# full: what the native suite and PHPUnit need (dom, xml, xmlwriter, tokenizer, mbstring,
# openssl, ctype). smoke: nothing beyond --disable-all (about 40 % less to compile), for a line
# tested with tests/native/smoke.php instead of PHPUnit. The compile runs under
# `nice -n 15 make -j2` (shared machines).
set -euo pipefail
SRC=$(realpath "$1"); PREFIX=$2; TS=${3:-nts}; FLAVOUR=${4:-full}
FLAGS=(--disable-all --enable-cli --disable-cgi --disable-phpdbg --without-pear)
[ "$FLAVOUR" = full ] && FLAGS+=(--with-libxml --enable-dom --enable-xml --enable-xmlwriter --enable-tokenizer
       --enable-mbstring --with-openssl --enable-ctype)
[ "$TS" = zts ] && FLAGS+=(--enable-zts)
STAMP="$(sed -n 's/^#define PHP_VERSION "\(.*\)"/\1/p' "$SRC/main/php_version.h") ${FLAGS[*]}"
if [ -x "$PREFIX/bin/php-config" ] && [ "$(cat "$PREFIX/.cartpinger-build" 2>/dev/null)" = "$STAMP" ]; then
  echo "php-from-source: cached $PREFIX ($STAMP)"; exit 0
fi
missing=()
for p in autoconf bison re2c pkg-config libxml2-dev libonig-dev libssl-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
BUILD="$PREFIX.build"
rm -rf "$BUILD" && cp -a "$SRC" "$BUILD"
cd "$BUILD"
[ -x configure ] || ./buildconf --force
nice -n 15 ./configure --prefix="$PREFIX" "${FLAGS[@]}" > configure.log 2>&1 || { tail -30 configure.log; exit 1; }
nice -n 15 make -j2 > make.log 2>&1 || { tail -40 make.log; exit 1; }
rm -rf "$PREFIX"
make install-cli install-headers install-build install-programs > install.log 2>&1 || { tail -20 install.log; exit 1; }
echo "$STAMP" > "$PREFIX/.cartpinger-build"
cd / && rm -rf "$BUILD"
"$PREFIX/bin/php" -v
