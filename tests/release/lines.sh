#!/usr/bin/env bash
# The PHP lines CartPinger ships a prebuilt extension for, and how to reach each one's PHP.
# Sourced by tests/release/release.sh (and build.sh test); defines:
#
#   RELEASE_LINES            every line id, in build order
#   line_env ID [--make]     sets LINE_PHP, LINE_PHP_CONFIG (paths: ext-php-rs wants paths),
#                            LINE_TARGET (cargo target triple), LINE_ARCH, LINE_ORIGIN (where this
#                            PHP comes from, for the notes); returns 1 and sets LINE_MISSING when
#                            the line's PHP is not on this machine. --make brings it: debootstrap
#                            a root (tests/release/roots.sh) or build PHP from source
#                            (tests/release/php-from-source.sh).
#
# Line ids are <php>-<nts|zts>-<arch>, the middle of the shipped file name
# cartpinger-php<php>-<nts|zts>-<arch>-linux-gnu.so.
#
# PHP inside a root runs without chroot: x86_64 through the root's own dynamic loader and
# libraries, arm64 through qemu-aarch64-static -L ROOT. Both get small wrapper scripts under
# target/lines/ID/ (php, php-config) so that cargo, PHPUnit and child processes all see one
# executable path. php-config's paths are rewritten to point into the root.

RELEASE_LINES=(8.2-nts-x86_64 8.3-nts-x86_64 8.3-zts-x86_64 8.4-nts-x86_64 8.5-nts-x86_64 8.6-nts-x86_64 8.4-nts-aarch64)
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LINES_DIR="$REPO/target/lines"
# PHP 8.3 source (a php-src tree; see tests/release/README.md for where it came from here).
PHP83_SRC=${CARTPINGER_PHP83_SRC:-$REPO/target/php-src/php-8.3.0}

_root_wrappers() { # id root phpver arch
  local id=$1 root=$2 v=$3 arch=$4 dir="$LINES_DIR/$1"
  local api; api=$("$root/usr/bin/php-config$v" --phpapi)
  mkdir -p "$dir"
  # Without -n, PHP reads the root's php.ini and (unless PHP_INI_SCAN_DIR says otherwise) the
  # root's conf.d, as it would inside the root: tests/wp/run.sh runs WordPress this way.
  local ini="-c $root/etc/php/$v/cli/php.ini" f t
  [ -f "$root/etc/php/$v/cli/php.ini" ] || ini=""
  # Debian's conf.d entries are absolute symlinks into /etc/php/X.Y/mods-available: resolve them
  # inside the root into a conf.d of our own.
  rm -rf "$dir/conf.d" && mkdir -p "$dir/conf.d"
  for f in "$root/etc/php/$v/cli/conf.d"/*.ini; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    t=$(readlink "$f" || true)
    case "$t" in /*) t="$root$t" ;; "") t=$f ;; *) t="$(dirname "$f")/$t" ;; esac
    [ -f "$t" ] && cp "$t" "$dir/conf.d/$(basename "$f")"
  done
  if [ "$arch" = x86_64 ]; then
    cat > "$dir/php" <<EOF
#!/bin/sh
# PHP $v from $root, run through the root's own loader and libraries (no chroot).
[ -n "\${PHP_INI_SCAN_DIR+set}" ] || export PHP_INI_SCAN_DIR="$dir/conf.d"
exec "$root/lib64/ld-linux-x86-64.so.2" --library-path "$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu" "$root/usr/bin/php$v" $ini -d extension_dir="$root/usr/lib/php/$api" "\$@"
EOF
  else
    cat > "$dir/php" <<EOF
#!/bin/sh
# PHP $v (arm64) from $root, emulated by qemu-user-static with the root as its file system prefix.
[ -n "\${PHP_INI_SCAN_DIR+set}" ] || export PHP_INI_SCAN_DIR="$dir/conf.d"
exec qemu-aarch64-static -L "$root" "$root/usr/bin/php$v" $ini -d extension_dir="$root/usr/lib/php/$api" "\$@"
EOF
  fi
  cat > "$dir/php-config" <<EOF
#!/bin/sh
# php-config$v of $root, with its paths pointing into the root.
"$root/usr/bin/php-config$v" "\$@" | sed -e "s#-I/usr/#-I$root/usr/#g" -e "s#^/usr/#$root/usr/#"
EOF
  chmod +x "$dir/php" "$dir/php-config"
  LINE_PHP="$dir/php"; LINE_PHP_CONFIG="$dir/php-config"
}

line_env() { # id [--make]
  local id=$1 make=${2:-} root prefix
  LINE_MISSING=""; LINE_PHP=""; LINE_PHP_CONFIG=""
  LINE_ARCH=${id##*-}
  LINE_TARGET=""
  [ "$LINE_ARCH" = aarch64 ] && LINE_TARGET=aarch64-unknown-linux-gnu
  case "$id" in
    8.2-nts-x86_64)
      LINE_ORIGIN="Debian 12 (bookworm) php8.2-cli/php8.2-dev"
      LINE_PHP=$(command -v php8.2 || true); LINE_PHP_CONFIG=$(command -v php-config8.2 || true)
      [ -n "$LINE_PHP" ] && [ -n "$LINE_PHP_CONFIG" ] || { LINE_MISSING="apt-get install php8.2-cli php8.2-dev"; return 1; }
      ;;
    8.3-nts-x86_64|8.3-zts-x86_64)
      local ts=${id#8.3-}; ts=${ts%%-*}
      prefix="$REPO/target/php/8.3-$ts"
      LINE_ORIGIN="PHP 8.3 built from source ($(sed -n 's/^#define PHP_VERSION "\(.*\)"/\1/p' "$PHP83_SRC/main/php_version.h" 2>/dev/null || echo '?'), $ts, minimal configure) into target/php/8.3-$ts"
      if [ ! -x "$prefix/bin/php-config" ] && [ "$make" = --make ] && [ -f "$PHP83_SRC/main/php_version.h" ]; then
        # The ZTS line is a smaller build tested with the smoke suite (tests/native/smoke.php).
        "$REPO/tests/release/php-from-source.sh" "$PHP83_SRC" "$prefix" "$ts" "$([ "$ts" = zts ] && echo smoke || echo full)" >&2 || true
      fi
      [ -x "$prefix/bin/php-config" ] || { LINE_MISSING="no PHP 8.3 $ts build in $prefix (needs a php-src 8.3 tree in CARTPINGER_PHP83_SRC, then tests/release/php-from-source.sh)"; return 1; }
      LINE_PHP="$prefix/bin/php"; LINE_PHP_CONFIG="$prefix/bin/php-config"
      ;;
    8.4-nts-x86_64|8.5-nts-x86_64|8.6-nts-x86_64|8.4-nts-aarch64)
      local v=${id%%-*} rname
      case "$id" in
        8.4-nts-x86_64) rname=trixie-amd64; LINE_ORIGIN="Debian 13 (trixie) php8.4 in a debootstrap root (target/roots/trixie-amd64)" ;;
        8.4-nts-aarch64) rname=trixie-arm64; LINE_ORIGIN="Debian 13 (trixie) arm64 php8.4 in a debootstrap root under qemu-user-static (target/roots/trixie-arm64)" ;;
        *) rname=sid-amd64; LINE_ORIGIN="Debian experimental php$v in a sid debootstrap root (target/roots/sid-amd64)" ;;
      esac
      root="$REPO/target/roots/$rname"
      if [ ! -f "$root/.cartpinger-root" ] && [ "$make" = --make ]; then
        "$REPO/tests/release/roots.sh" "$rname" >/dev/null || true
      fi
      [ -f "$root/.cartpinger-root" ] && [ -x "$root/usr/bin/php$v" ] \
        || { LINE_MISSING="no $rname root with php$v (tests/release/roots.sh $rname makes it: needs root, debootstrap, Debian's registry)"; return 1; }
      if [ "$LINE_ARCH" = aarch64 ]; then
        command -v qemu-aarch64-static >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null \
          || { LINE_MISSING="apt-get install qemu-user-static gcc-aarch64-linux-gnu"; return 1; }
      fi
      _root_wrappers "$id" "$root" "$v" "$LINE_ARCH"
      ;;
    *) LINE_MISSING="unknown line $id"; return 1 ;;
  esac
  return 0
}
