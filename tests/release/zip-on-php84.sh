#!/usr/bin/env bash
# The plugin zip as a merchant installs it, on PHP 8.4: unzip dist/cartpinger-<version>.zip,
# take the .so that native/ holds for PHP 8.4 NTS x86_64, and run the WordPress tier under the
# trixie root's PHP 8.4 (tests/release/lines.sh) against that plugin folder and that .so:
# activation (a) and a recovery through the sandbox (r0 credentials + webhook setup, r1 the
# recovery flow), in the WooCommerce tier.
#
#   tests/release/zip-on-php84.sh [dist/cartpinger-<version>.zip] [scenario ids, default a,r0,r1]
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
# shellcheck source=tests/release/lines.sh
source tests/release/lines.sh
VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
ZIP=${1:-dist/cartpinger-$VERSION.zip}
ONLY=${2:-a,r0,r1}
[ -f "$ZIP" ] || { echo "zip-on-php84: no $ZIP (./build.sh release makes it)"; exit 1; }
line_env 8.4-nts-x86_64 --make || { echo "zip-on-php84: $LINE_MISSING"; exit 1; }
"$LINE_PHP" -r 'exit(extension_loaded("mysqli") ? 0 : 1);' \
  || { echo "zip-on-php84: the 8.4 root has no mysqli (tests/release/roots.sh trixie-amd64 adds it)"; exit 1; }
DEST="$REPO/target/zip-php84"
rm -rf "$DEST" && mkdir -p "$DEST" && unzip -q "$ZIP" -d "$DEST"
FILE=$("$LINE_PHP" -r '
  define("ABSPATH", "/"); define("CARTPINGER_PLUGIN_FILE", $argv[1] . "/cartpinger.php");
  function get_bloginfo() { return ""; }
  require $argv[1] . "/src/autoload.php";
  echo (new CartPinger\Requirements(["native_dir" => $argv[1] . "/native"]))->native_file();' "$DEST/cartpinger")
SO="$DEST/cartpinger/native/$FILE"
echo "zip-on-php84: PHP $("$LINE_PHP" -r 'echo PHP_VERSION;'), plugin from $ZIP, extension native/$FILE (named by Requirements::native_file())"
[ -f "$SO" ] || { echo "zip-on-php84: the zip has no native/$FILE"; ls "$DEST/cartpinger/native"; exit 1; }
PATH="$(dirname "$LINE_PHP"):$PATH" CARTPINGER_IT_PLUGIN_DIR="$DEST/cartpinger" \
  exec tests/wp/run.sh --so "$SO" --only "$ONLY"
