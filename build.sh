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
#   ./build.sh release   the extension for every PHP line (tests/release/lines.sh), each built and
#                        tested under its own PHP, all in dist/cartpinger-<version>.zip's native/,
#                        plus PIE assets in dist/pie/ (tests/release/README.md)
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
           mariadb-server mariadb-client php-codesniffer phpunit gettext php8.2-fpm nginx-light sqlite3
           debootstrap binutils file)

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
  step "PHP lines: 8.2 + 8.4 (trixie root), others where present" \
    tests/release/release.sh --make-for 8.4-nts-x86_64 --require 8.2-nts-x86_64,8.4-nts-x86_64 --prebuilt "8.2-nts-x86_64=$SO"
  step "stubs are current"                 tests/native/check-stubs.sh
  step "php -l"                            php_lint
  step "phpcs"                             phpcs -q --standard=php-plugin/phpcs.xml.dist php-plugin
  step "WPCS 3.1.0 (Extra, Security, DB, I18n)" tests/wpcs/run.sh
  step "translation template is current"   tests/i18n/check-pot.sh
  step "front-end scripts (parse, size)"  js_gate
  step "WordPress + MariaDB integration"   tests/wp/run.sh --so "$SO"
  step "fault suite (php-fpm, SIGKILL, webhooks)" tests/fault/run.sh
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
    mariadb-server mariadb-client php8.2-fpm nginx-light
  ensure_rust
  php_env
  build_extension
  tests/bench/run.sh "$SO"
}

# --- release --------------------------------------------------------------------------------
# Every PHP line (tests/release/lines.sh): missing PHPs are brought (Debian roots by debootstrap,
# PHP 8.3 from source when its tree is there), each .so is built and tested under its own PHP
# (tests/release/release.sh), then the zip carries all that passed. CARTPINGER_RELEASE_REQUIRE
# lists the lines whose absence fails the release (default: the two any Debian machine can get).
RELEASE_PKGS=(debootstrap qemu-user-static binfmt-support gcc-aarch64-linux-gnu libc6-dev-arm64-cross
              phpunit php8.2-xml php8.2-mbstring php-json-schema php8.2-zip binutils file)

cmd_release() {
  local t0=$SECONDS
  apt_ensure "${BUILD_PKGS[@]}" "${RELEASE_PKGS[@]}"
  ensure_rust
  rustup target list --installed 2>/dev/null | grep -q aarch64-unknown-linux-gnu \
    || rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 \
    || log "rustup target add aarch64-unknown-linux-gnu failed: the arm64 line will be skipped"
  php_env
  tests/release/release.sh --make --require "${CARTPINGER_RELEASE_REQUIRE:-8.2-nts-x86_64,8.4-nts-x86_64}" "$@"
  make_release_dist
  printf '\nCartPinger %s release in %s s: %s\n' "$VERSION" $((SECONDS - t0)) "$DIST_ZIP"
  sed 's/^/  native\//' target/release-matrix/shipped.txt
  echo "PIE assets: dist/pie/ ($(find dist/pie -name '*.zip' | wc -l) files)"
}

make_release_dist() {
  local stage="$ROOT/target/dist-stage" zip="$ROOT/dist/cartpinger-$VERSION.zip" f line file php floor result tests origin
  rm -rf "$stage" "$ROOT/dist/pie" && mkdir -p "$stage" "$ROOT/dist/pie"
  cp -aL php-plugin/cartpinger "$stage/cartpinger"
  rm -rf "$stage/cartpinger/stubs"
  mkdir -p "$stage/cartpinger/native"
  {
    echo "CartPinger $VERSION: prebuilt PHP extensions"
    echo
    echo "Pick the file for the PHP that serves your site (WordPress > CartPinger names it in its"
    echo "notice while the extension is missing). Each file was built for, and tested under, the PHP"
    echo "named here: loaded, then the extension's PHPUnit suite run under that PHP."
    echo
    printf '%-44s %-14s %-11s %s\n' file PHP "glibc >=" "tested"
    while IFS=$'\t' read -r line file php floor result tests origin; do
      [ "$line" = line ] && continue
      [ "$result" = pass ] || continue
      cp "target/release-matrix/$file" "$stage/cartpinger/native/$file"
      printf '%-44s %-14s %-11s %s\n' "$file" "$php" "$floor" "$tests ($origin)"
    done < target/release-matrix/lines.tsv
    echo
    echo "Covered: PHP $(awk -F'\t' 'NR > 1 && $5 == "pass" { print $3 }' target/release-matrix/lines.tsv | grep -o '^[0-9]*\.[0-9]*' | sort -uV | paste -sd, - | sed 's/,/, /g') on Linux with glibc;"
    echo "no musl (Alpine) build. Install steps: readme.txt, \"Installing the PHP extension\"."
    echo "No file for your PHP? Build one from source: ./build.sh in the CartPinger source (Rust)."
  } > "$stage/cartpinger/native/README.txt"
  (cd "$stage/cartpinger/native" && sha256sum ./*.so > SHA256SUMS)
  rm -f "$zip"
  (cd "$stage" && zip -qr -X "$zip" cartpinger)
  DIST_ZIP=$zip
  # PIE (pre-packaged-binary): php_{ext}-{version}_php{X.Y}-{arch}-linux-glibc[-zts].zip with cartpinger.so.
  for f in "$stage"/cartpinger/native/cartpinger-php*.so; do
    local base ver ts arch
    base=$(basename "$f" .so); base=${base#cartpinger-php}     # 8.4-nts-x86_64-linux-gnu
    ver=${base%%-*}; ts=$(cut -d- -f2 <<<"$base"); arch=$(cut -d- -f3 <<<"$base")
    [ "$arch" = aarch64 ] && arch=arm64
    local asset="$ROOT/dist/pie/php_cartpinger-${VERSION}_php$ver-$arch-linux-glibc$([ "$ts" = zts ] && echo -zts).zip"
    rm -rf "$stage/pie" && mkdir -p "$stage/pie" && cp "$f" "$stage/pie/cartpinger.so"
    (cd "$stage/pie" && zip -q -X "$asset" cartpinger.so)
  done
  local schema="${PIE_DIR:-/work/.mirror/php+pie/repo}"
  if git -C "$schema" show HEAD:resources/composer-json-php-ext-schema.json > "$ROOT/target/pie-schema.json" 2>/dev/null \
     || cp "$schema/resources/composer-json-php-ext-schema.json" "$ROOT/target/pie-schema.json" 2>/dev/null; then
    log "PIE metadata and assets against PIE's schema ($schema)"
    php -n -d extension=zip tests/release/pie-validate.php composer.json "$ROOT/target/pie-schema.json" "$ROOT"/dist/pie/*.zip
  else
    printf '\n\033[1;33m*** PIE validation SKIPPED: no php/pie checkout at %s (set PIE_DIR) ***\033[0m\n\n' "$schema"
  fi
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
  release) shift; cmd_release "$@" ;;
  -h|--help|help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown verb '$1' (build | test | bench | sandbox | serve | release)" ;;
esac
