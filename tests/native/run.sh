#!/usr/bin/env bash
# Runs the PHPUnit suite of the cartpinger extension against a BUILT .so.
#
#   tests/native/run.sh target/release/libcartpinger.so [phpunit args...]
#
# PHP runs with -n (no php.ini, no conf.d), so a cartpinger.ini installed on this machine can
# never load a second (stale) copy of the extension. PHPUnit's own requirements that Debian
# ships as shared extensions (dom, mbstring, tokenizer, xml, xmlwriter) are loaded explicitly,
# then the extension under test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 <path-to-libcartpinger.so> [phpunit args...]" >&2; exit 2; }
SO=$(realpath "$1"); shift
[ -f "$SO" ] || { echo "run.sh: no such file: $SO" >&2; exit 2; }
PHP=$(command -v "${PHP:-php}") || { echo "run.sh: php not found" >&2; exit 2; }
PHPUNIT=${PHPUNIT:-/usr/bin/phpunit}
[ -f "$PHPUNIT" ] || PHPUNIT=$(command -v phpunit) || { echo "run.sh: phpunit not found (apt-get install phpunit)" >&2; exit 2; }

builtin=$("$PHP" -n -m)
# CARTPINGER_PHPUNIT_NO_DEPRECATIONS=1 (tests/release/release.sh, PHP >= 8.4 only): Debian 12's
# PHPUnit 9.6.7 raises E_DEPRECATED in its own code there; that line's deprecation lint covers ours.
level=-1
[ "${CARTPINGER_PHPUNIT_NO_DEPRECATIONS:-0}" = 1 ] && level=$((32767 & ~8192))
# include_path: Debian's phpunit loads PHPUnit/Autoload.php from /usr/share/php, which a PHP
# built from source does not have on its include_path.
args=(-n -d error_reporting=$level -d display_errors=1 -d memory_limit=512M -d zend.assertions=1
      -d include_path=.:/usr/share/php)
for ext in dom mbstring tokenizer xml xmlwriter; do
  if ! grep -qix "$ext" <<<"$builtin"; then
    args+=(-d "extension=$ext")
  fi
done
args+=(-d "extension=$SO")

# The tests spawn child PHP processes (php -m, php --re, fatal-path scripts) with the same flags.
export CARTPINGER_SO="$SO"
export CARTPINGER_PHP="$PHP"
cd "$ROOT"
exec "$PHP" "${args[@]}" "$PHPUNIT" -c "$ROOT/tests/native/phpunit.xml" "$@"
