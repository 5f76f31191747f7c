#!/usr/bin/env bash
# Release matrix: for each PHP line, build the extension against that PHP, test it UNDER that
# PHP, name it cartpinger-php<ver>-<nts|zts>-<arch>-linux-gnu.so and collect it for the zip.
#
#   tests/release/release.sh [--make] [--only ID[,ID...]] [--require ID[,ID...]]
#
#   --make     bring a line's PHP when it is missing (debootstrap a Debian root, build PHP from
#              source); without it, a missing line is skipped LOUDLY
#   --make-for LIST   the same, for these lines only (the others run where their PHP is present)
#   --only     these lines only (ids: see RELEASE_LINES in tests/release/lines.sh)
#   --require  fail (instead of skip) when one of these lines cannot run
#   --prebuilt ID=SO  test this already built .so for line ID instead of building it (build.sh
#              test passes the 8.2 build it made anyway)
#
# Per line: cargo build --release -p cartpinger with PHP/PHP_CONFIG pointing at the line
# (cross-built with gcc-aarch64-linux-gnu for arm64), a load check (`php -n -d extension=`),
# the glibc floor from `objdump -T`, a deprecation lint of the plugin and the extension under
# that PHP, and the native PHPUnit suite (tests/native/run.sh). A built .so is cached in
# target/release-matrix/so/ under a key of the Rust sources, Cargo.lock and the PHP build, so a
# second run only tests. Results: target/release-matrix/lines.tsv (one row per line) and the
# per-line logs next to it.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
# shellcheck source=tests/release/lines.sh
source tests/release/lines.sh

MAKE="" MAKE_FOR="" ONLY="" REQUIRE=""
declare -A PREBUILT=()
while [ $# -gt 0 ]; do
  case "$1" in
    --make) MAKE=--make; shift ;;
    --make-for) MAKE_FOR=$2; shift 2 ;;
    --prebuilt) PREBUILT[${2%%=*}]=${2#*=}; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --require) REQUIRE=$2; shift 2 ;;
    *) echo "release.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

OUT="$REPO/target/release-matrix"
mkdir -p "$OUT/so" "$OUT/logs"
TSV="$OUT/lines.tsv"
# With --only, the rows of the other lines from an earlier run are kept (the zip is made from
# this file); a full run starts it afresh.
kept=""
if [ -n "$ONLY" ] && [ -f "$TSV" ]; then
  kept=$(awk -F'\t' -v only=",$ONLY," 'NR > 1 && index(only, "," $1 ",") == 0' "$TSV")
fi
printf 'line\tfile\tphp\tglibc_floor\tresult\ttests\torigin\n' > "$TSV"
[ -z "$kept" ] || printf '%s\n' "$kept" >> "$TSV"
export CARGO_TARGET_DIR="$OUT/cargo"

say() { printf '\033[1m[release] %s\033[0m\n' "$*"; }

src_key() {
  { find crates/cartpinger-core crates/cartpinger-http crates/cartpinger-php -type f -not -path '*/target/*' -print0 \
      | sort -z | xargs -0 sha256sum; sha256sum Cargo.toml Cargo.lock; } | sha256sum | cut -c1-16
}

glibc_floor() { # so -> "2.34" (highest GLIBC_x.y symbol version the .so needs)
  objdump -T "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1
}

build_line() { # id -> sets BUILT_SO
  local id=$1 key php_id so target_args=() target_dir
  if [ -n "${PREBUILT[$id]:-}" ]; then
    BUILT_SO=$(realpath "${PREBUILT[$id]}"); say "$id: testing the given build $BUILT_SO"; return 0
  fi
  php_id=$("$LINE_PHP" -n -r 'echo PHP_VERSION, "/", PHP_ZTS ? "zts" : "nts", "/", PHP_DEBUG, "/", php_uname("m");')
  key=$(printf '%s %s %s' "$(src_key)" "$php_id" "$("$LINE_PHP_CONFIG" --phpapi)" | sha256sum | cut -c1-16)
  so="$OUT/so/cartpinger-php$id-linux-gnu.$key.so"
  if [ -f "$so" ]; then
    say "$id: cached build ($so)"
  else
    say "$id: cargo build --release -p cartpinger against $php_id"
    target_dir="$CARGO_TARGET_DIR/release"
    if [ -n "$LINE_TARGET" ]; then
      # A target dir of its own: a cross build would otherwise hold the host lines' cargo lock.
      local CARGO_TARGET_DIR="$OUT/cargo-$LINE_TARGET"; export CARGO_TARGET_DIR
      target_args=(--target "$LINE_TARGET")
      target_dir="$CARGO_TARGET_DIR/$LINE_TARGET/release"
      export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
      export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
    fi
    # (Called in an `if`: set -e is off here, so every step checks its own status.)
    PHP="$LINE_PHP" PHP_CONFIG="$LINE_PHP_CONFIG" nice -n 10 cargo build -q --release --locked -p cartpinger "${target_args[@]}" || return 1
    if readelf -d "$target_dir/libcartpinger.so" | grep -q 'NEEDED.*libphp'; then echo "embed feature leaked into the .so"; return 1; fi
    # Older builds of this line (other sources) are replaced.
    rm -f "$OUT/so/cartpinger-php$id-linux-gnu."*.so
    cp "$target_dir/libcartpinger.so" "$so.tmp" && mv "$so.tmp" "$so" || return 1
  fi
  BUILT_SO=$so
}

# Deprecations and warnings this PHP raises while compiling our PHP code or loading the
# extension (PHPUnit 9 from Debian 12 cannot show them on PHP >= 8.4: see run_suite).
deprecation_lint() {
  local out f
  out=$("$LINE_PHP" -n -d error_reporting=-1 -d display_errors=1 -d display_startup_errors=1 -d extension="$1" \
        -r 'if (!extension_loaded("cartpinger")) { echo "not loaded\n"; exit(1); } foreach ((new ReflectionExtension("cartpinger"))->getClasses() as $c) { $c->getMethods(); }' 2>&1) \
    || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "loading the extension printed: $out"; return 1; }
  while IFS= read -r -d '' f; do
    out=$("$LINE_PHP" -n -d error_reporting=-1 -d display_errors=1 -l "$f" 2>&1) || { echo "$out"; return 1; }
    if grep -qiE 'deprecated|warning' <<<"$out"; then echo "$out"; return 1; fi
  done < <(find php-plugin/cartpinger tests/native -name '*.php' -print0)
  return 0
}

# PHPUnit 9 needs dom, mbstring, tokenizer, xml and xmlwriter, built in or as shared modules.
can_phpunit() {
  local builtin extdir e
  builtin=$("$LINE_PHP" -n -m); extdir=$("$LINE_PHP" -n -r 'echo ini_get("extension_dir");')
  for e in dom mbstring tokenizer xml xmlwriter; do
    grep -qix "$e" <<<"$builtin" || [ -f "$extdir/$e.so" ] || return 1
  done
}

run_suite() { # id so -> sets SUITE_SUMMARY
  local id=$1 so=$2 log="$OUT/logs/$1.phpunit.log" major_minor extra=()
  if ! can_phpunit; then
    # A minimal PHP (the ZTS line): the smoke suite instead of PHPUnit.
    log="$OUT/logs/$id.smoke.log"
    if "$LINE_PHP" -n -d extension="$so" tests/native/smoke.php > "$log" 2>&1; then
      SUITE_SUMMARY="smoke suite (no PHPUnit: PHP without dom/mbstring/xml): $(tail -1 "$log")"; return 0
    fi
    SUITE_SUMMARY="smoke suite: $(tail -1 "$log")"; cat "$log"; return 1
  fi
  major_minor=$("$LINE_PHP" -n -r 'echo PHP_VERSION_ID;')
  # Debian 12's PHPUnit 9.6.7 raises E_DEPRECATED in its own code on PHP >= 8.4 ("implicitly
  # nullable"), which the suite's strict config would turn into failures; on those lines the
  # suite runs without E_DEPRECATED, and deprecation_lint covers our code instead.
  if [ "$major_minor" -ge 80400 ]; then extra=(CARTPINGER_PHPUNIT_NO_DEPRECATIONS=1); fi
  sandbox_ready
  if env "${extra[@]}" PHP="$LINE_PHP" tests/native/run.sh "$so" > "$log" 2>&1; then
    SUITE_SUMMARY=$(grep -E '^(OK|Tests:)' "$log" | tail -1)
    return 0
  fi
  SUITE_SUMMARY=$(grep -E '^(OK|Tests:|FAILURES|ERRORS)' "$log" | tail -1)
  tail -40 "$log"
  return 1
}

want_line() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
required() { [[ ",$REQUIRE," == *",$1,"* ]]; }

# The sandbox binary the suite's sender tests talk to (host-native, also from arm64 PHP), built
# while the first extension builds; the first suite run waits for it.
nice -n 10 cargo build -q --release --locked -p cartpinger-sandbox --target-dir "$REPO/target" &
SANDBOX_BUILD=$!
sandbox_ready() {
  [ -z "$SANDBOX_BUILD" ] && return 0
  if [ "${CARTPINGER_RELEASE_WAIT_SANDBOX:-1}" = 0 ] && kill -0 "$SANDBOX_BUILD" 2>/dev/null; then
    # Not built yet and told not to wait: SenderTest skips loudly, nothing builds it meanwhile.
    export CARTPINGER_SANDBOX_BUILD=0; return 0
  fi
  wait "$SANDBOX_BUILD" || echo "release.sh: building cartpinger-sandbox failed: SenderTest will be skipped"
  SANDBOX_BUILD=""; unset CARTPINGER_SANDBOX_BUILD
}

FAILED=0
SHIPPED=()
for id in "${RELEASE_LINES[@]}"; do
  want_line "$id" || continue
  make=$MAKE
  [[ ",$MAKE_FOR," == *",$id,"* ]] && make=--make
  if ! line_env "$id" $make; then
    printf '\n\033[1;33m*** %s SKIPPED: %s ***\033[0m\n\n' "$id" "$LINE_MISSING"
    printf '%s\t-\t-\t-\tskipped\t%s\t-\n' "$id" "$LINE_MISSING" >> "$TSV"
    required "$id" && FAILED=1
    continue
  fi
  name="cartpinger-php$id-linux-gnu.so"
  php_version=$("$LINE_PHP" -n -r 'echo PHP_VERSION;')
  say "$id: PHP $php_version ($LINE_ORIGIN)"
  result=fail floor=- summary=-
  if build_line "$id" > "$OUT/logs/$id.build.log" 2>&1 || { cat "$OUT/logs/$id.build.log"; false; }; then
    cat "$OUT/logs/$id.build.log"
    floor=$(glibc_floor "$BUILT_SO")
    say "$id: $name needs glibc >= $floor ($(file -b "$BUILT_SO" | cut -d, -f1-2))"
    if ! "$LINE_PHP" -n -d extension="$BUILT_SO" -r 'exit(extension_loaded("cartpinger") ? 0 : 1);'; then
      summary="does not load"
    elif ! deprecation_lint "$BUILT_SO"; then
      summary="deprecation lint failed"
    elif run_suite "$id" "$BUILT_SO"; then
      result=pass; summary=$SUITE_SUMMARY
    else
      summary=${SUITE_SUMMARY:-phpunit failed}
    fi
  else
    summary="build failed"
  fi
  say "$id: $result — $summary"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$name" "$php_version" "$floor" "$result" "$summary" "$LINE_ORIGIN" >> "$TSV"
  if [ "$result" = pass ]; then
    cp "$BUILT_SO" "$OUT/$name"
    SHIPPED+=("$name")
  else
    FAILED=1
  fi
done

printf '\n'; column -t -s $'\t' "$TSV" | cut -c1-220
awk -F'\t' 'NR > 1 && $5 == "pass" { print $2 }' "$TSV" > "$OUT/shipped.txt"
[ "$FAILED" = 0 ] || { echo "release.sh: a required line failed or was skipped"; exit 1; }
