#!/usr/bin/env bash
# CartPinger's one entry point.
#
#   ./build.sh           install what is missing, build the release extension, install it for the
#                        local PHP (conf.d), and make dist/cartpinger-<version>.zip
#   ./build.sh test      every test and lint gate (what CI runs)
#   ./build.sh bench     every benchmark: prints tables, writes target/bench/results.json
#   ./build.sh sandbox   the local Cloud API sandbox on 127.0.0.1:8787 (LISTEN, TOKEN, APP_SECRET,
#                        CALLBACK, DB override; extra arguments go to cartpinger-sandbox)
#   ./build.sh serve     the local demo store (tests/stack/up.sh: [--fast] [--db mariadb|sqlite|DSN]
#                        [--port N] [--checkout block|classic] [--background ENVFILE])
#
# Environment: PHP / PHP_CONFIG (paths) pick another PHP build; WOOCOMMERCE_DIR enables the
# WooCommerce test tier; CARTPINGER_NO_INSTALL=1 skips installing the .so into the local PHP.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

log() { printf '\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

# --- prerequisites ------------------------------------------------------------------------
BUILD_PKGS=(php8.2-cli php8.2-dev libclang-dev zip unzip)
TEST_PKGS=(php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-intl php8.2-zip
           mariadb-server mariadb-client php-codesniffer phpunit gettext)

apt_ensure() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get: install them by hand"
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null || die "cargo not found: install Rust (https://rustup.rs) and re-run"
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt >/dev/null 2>&1 || true
}

php_env() {
  PHP=$(command -v "${PHP:-php}") || die "php not found (apt-get install php8.2-cli)"
  PHP_CONFIG=$(command -v "${PHP_CONFIG:-php-config}") || die "php-config not found (apt-get install php8.2-dev)"
  export PHP PHP_CONFIG   # ext-php-rs wants absolute paths
  PHPVER=$("$PHP" -r 'echo PHP_MAJOR_VERSION.".".PHP_MINOR_VERSION;')
  TS=$("$PHP" -r 'echo PHP_ZTS ? "zts" : "nts";')
  ARCH=$(uname -m)
  VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
  SO="$ROOT/target/release/libcartpinger.so"
  ABI_NAME="cartpinger-php$PHPVER-$TS-$ARCH-linux-gnu.so"
}

# --- build ----------------------------------------------------------------------------------
build_extension() {
  log "cargo build --release -p cartpinger (PHP $PHPVER, API $("$PHP_CONFIG" --phpapi), $TS, $ARCH)"
  # Only the extension package: never unify test features (embed) into the shipped .so.
  cargo build --release --locked -p cartpinger
  [ -f "$SO" ] || die "no $SO after build"
  if readelf -d "$SO" | grep -q 'NEEDED.*libphp'; then die "embed feature leaked into $SO"; fi
  "$PHP" -n -d extension="$SO" -r 'exit(extension_loaded("cartpinger") ? 0 : 1);' \
    || die "$SO does not load into $PHP"
}

install_extension() {
  if [ "${CARTPINGER_NO_INSTALL:-0}" = 1 ]; then
    log "CARTPINGER_NO_INSTALL=1: not installing into the local PHP"; return 0
  fi
  local extdir moddir
  extdir=$("$PHP_CONFIG" --extension-dir)
  $SUDO install -m 0644 "$SO" "$extdir/cartpinger.so"
  moddir="/etc/php/$PHPVER/mods-available"
  if [ -d "$moddir" ] && command -v phpenmod >/dev/null; then
    printf '; CartPinger native extension (built by build.sh)\n; priority=30\nextension=cartpinger.so\n' \
      | $SUDO tee "$moddir/cartpinger.ini" >/dev/null
    $SUDO phpenmod -v "$PHPVER" -s cli cartpinger
    local sapis="cli"
    if [ -d "/etc/php/$PHPVER/fpm" ]; then
      $SUDO phpenmod -v "$PHPVER" -s fpm cartpinger
      sapis="cli, fpm"
    fi
    INSTALLED_INI="$moddir/cartpinger.ini (enabled for: $sapis)"
  else
    local scandir
    scandir=$("$PHP" -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')
    [ -n "$scandir" ] || die "PHP has no conf.d scan dir; add extension=$extdir/cartpinger.so to php.ini"
    printf 'extension=cartpinger.so\n' | $SUDO tee "$scandir/30-cartpinger.ini" >/dev/null
    INSTALLED_INI="$scandir/30-cartpinger.ini"
  fi
  "$PHP" -m | grep -x cartpinger >/dev/null || die "installed, but 'php -m' does not list cartpinger"
  INSTALLED_SO="$extdir/cartpinger.so"
}

make_dist() {
  local stage="$ROOT/target/dist-stage" zip="$ROOT/dist/cartpinger-$VERSION.zip"
  rm -rf "$stage" && mkdir -p "$stage" "$ROOT/dist"
  # The plugin folder as WordPress installs it; generated stubs are for IDEs, not for sites.
  cp -aL php-plugin/cartpinger "$stage/cartpinger"   # -L: assets/ is a link to the top-level assets/
  rm -rf "$stage/cartpinger/stubs"
  mkdir -p "$stage/cartpinger/native"
  cp "$SO" "$stage/cartpinger/native/$ABI_NAME"
  cp "$SO" "$ROOT/dist/$ABI_NAME"
  rm -f "$zip"
  (cd "$stage" && zip -qr -X "$zip" cartpinger)
  DIST_ZIP=$zip
}

cmd_build() {
  local t0=$SECONDS
  apt_ensure "${BUILD_PKGS[@]}"
  ensure_rust
  php_env
  build_extension
  install_extension
  make_dist
  cat <<EOF

CartPinger $VERSION built in $((SECONDS - t0)) s.
  extension   $SO  ($(du -h "$SO" | cut -f1), for PHP $PHPVER $TS $ARCH, glibc >= 2.34)
  installed   ${INSTALLED_SO:-not installed}
  enabled by  ${INSTALLED_INI:-n/a}
  plugin zip  $DIST_ZIP  (plugin folder + native/$ABI_NAME)
  check       php -m | grep cartpinger; php --ri cartpinger

To enable the extension on another server with the same PHP ($PHPVER $TS $ARCH, Debian/Ubuntu):
  install -m 0644 cartpinger/native/$ABI_NAME "\$(php-config --extension-dir)/cartpinger.so"
  printf 'extension=cartpinger.so\n' > /etc/php/$PHPVER/mods-available/cartpinger.ini
  phpenmod -v $PHPVER -s fpm cartpinger && phpenmod -v $PHPVER -s cli cartpinger
  service php$PHPVER-fpm reload     # then upload the zip in Plugins > Add New and activate it
Other systems: add extension=/absolute/path/cartpinger.so to the php.ini of every SAPI (FPM, CLI).
EOF
}

# --- test -----------------------------------------------------------------------------------
STEPS=()
step() { # name, command...
  local name=$1; shift
  local t0=$SECONDS
  log "$name"
  if "$@"; then STEPS+=("PASS  $(printf '%4ss' $((SECONDS - t0)))  $name")
  else STEPS+=("FAIL  $(printf '%4ss' $((SECONDS - t0)))  $name"); FAILED=1; fi
}

php_lint() {
  local bad=0 f
  while IFS= read -r -d '' f; do
    "$PHP" -l "$f" >/dev/null || { "$PHP" -l "$f"; bad=1; }
  done < <(find php-plugin tests -name '*.php' -not -path '*/node_modules/*' -print0)
  return $bad
}

# Front-end gate: every shipped script parses, and the checkout tracker stays within its budget
# (≤ 3 KB gzipped, issue 4).
js_gate() {
  local f size
  for f in assets/js/*.js; do node --check "$f" || return 1; done
  size=$(gzip -9 -c assets/js/track.js | wc -c)
  echo "assets/js/track.js: $size bytes gzipped (budget 3072)"
  [ "$size" -le 3072 ]
}

cmd_test() {
  local t0=$SECONDS
  FAILED=0
  apt_ensure "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"
  ensure_rust
  php_env
  step "cargo fmt --check"                 cargo fmt --all -- --check
  step "cargo clippy -D warnings"          cargo clippy --locked --workspace --all-targets -- -D warnings
  step "cargo test"                        cargo test --locked --workspace
  step "build + install the extension"     cmd_build_quiet
  step "native PHP tests (built .so)"      tests/native/run.sh "$SO"
  step "stubs are current"                 tests/native/check-stubs.sh
  step "php -l"                            php_lint
  step "phpcs"                             phpcs -q --standard=php-plugin/phpcs.xml.dist php-plugin
  step "translation template is current"   tests/i18n/check-pot.sh
  step "front-end scripts (parse, size)"  js_gate
  step "WordPress + MariaDB integration"   tests/wp/run.sh --so "$SO"
  step "browser tier (Chromium, WooCommerce)" tests/e2e/run.sh both
  printf '\n%s\n' "${STEPS[@]}"
  printf 'total %ss\n' $((SECONDS - t0))
  [ "$FAILED" = 0 ] || { echo "build.sh test: FAILED"; exit 1; }
  echo "build.sh test: all gates passed"
}

cmd_build_quiet() { build_extension && install_extension && make_dist; }

cmd_bench() {
  # The store part (tests/bench/recovery.sh) runs the demo stack: same packages as serve.
  apt_ensure "${BUILD_PKGS[@]}" php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-intl php8.2-zip curl \
    mariadb-server mariadb-client
  ensure_rust
  php_env
  build_extension
  tests/bench/run.sh "$SO"
}

# --- serve ----------------------------------------------------------------------------------
# The local demo store (tests/stack/up.sh): builds the release extension and the sandbox when
# needed (cargo is incremental), installs what the stack needs, then hands over to up.sh.
cmd_serve() {
  local pkgs=("${BUILD_PKGS[@]}" php8.2-mysql php8.2-xml php8.2-mbstring php8.2-curl php8.2-intl php8.2-zip curl)
  case " $* " in
    *" --db sqlite "*|*" --db=sqlite "*) pkgs+=(php8.2-sqlite3) ;;
    *" --db mysql://"*|*" --db=mysql://"*) ;;
    *) pkgs+=(mariadb-server mariadb-client) ;;
  esac
  apt_ensure "${pkgs[@]}"
  ensure_rust
  php_env
  build_extension
  log "cargo build --release -p cartpinger-sandbox"
  cargo build --release --locked -p cartpinger-sandbox
  exec tests/stack/up.sh "$@"
}

case "${1:-build}" in
  build|"") cmd_build ;;
  test) cmd_test ;;
  bench) cmd_bench ;;
  sandbox) shift; ensure_rust; exec tests/sandbox/run.sh serve "$@" ;;
  serve) shift; cmd_serve "$@" ;;
  -h|--help|help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown verb '$1' (build | test | bench | sandbox | serve)" ;;
esac
