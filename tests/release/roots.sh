#!/usr/bin/env bash
# Debian roots that hold a PHP this machine's Debian 12 does not ship, made with debootstrap
# from the Debian registry and cached under target/roots/ (a second run reuses them).
#
#   tests/release/roots.sh trixie-amd64     Debian 13: PHP 8.4 (php8.4-cli, -xml, -mbstring, headers)
#   tests/release/roots.sh trixie-arm64     the same for arm64 (debootstrap --foreign, second stage
#                                           under qemu-user-static via binfmt_misc)
#   tests/release/roots.sh sid-amd64        Debian sid + experimental: PHP 8.5 and 8.6 (as packaged
#                                           by Debian in experimental)
#
# Prints the root's path on the last line. A root is complete only when its stamp file exists;
# an interrupted one (NAME.tmp) is started again. PHP is run from a root without chroot:
# tests/release/lines.sh starts its loader with the root's libraries (x86_64) or
# qemu-aarch64-static -L ROOT (arm64), so the host's paths (the repo, PHPUnit) stay visible.
set -euo pipefail
ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
ROOTS=${CARTPINGER_ROOTS:-$ROOT_DIR/target/roots}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=${1:?usage: roots.sh trixie-amd64|trixie-arm64|sid-amd64}

extra=()
case "$name" in
  # The 8.4 root also runs WordPress + WooCommerce (tests/wp/run.sh with PATH at its wrapper).
  trixie-amd64) suite=trixie arch=amd64 phps=(8.4) extra=(php8.4-mysql php8.4-curl php8.4-intl php8.4-zip) ;;
  trixie-arm64) suite=trixie arch=arm64 phps=(8.4) ;;
  sid-amd64)    suite=sid    arch=amd64 phps=(8.5 8.6) ;;
  *) echo "roots.sh: unknown root $name" >&2; exit 2 ;;
esac
dest="$ROOTS/$name"
stamp="$dest/.cartpinger-root"
want="$suite $arch php ${phps[*]}"

ensure_extra() { # packages a finished root gains later (no rebuild of the root)
  local missing=() p
  for p in "${extra[@]}"; do
    chroot "$dest" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "roots.sh: adding ${missing[*]} to $dest" >&2
  chroot "$dest" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { chroot "$dest" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin apt-get update -qq >&2 \
         && chroot "$dest" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
              apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  ensure_extra
  echo "roots.sh: cached $dest ($want)" >&2
  echo "$dest"; exit 0
fi

need=(debootstrap)
[ "$arch" = arm64 ] && need+=(qemu-user-static binfmt-support)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$ROOTS"
tmp="$dest.tmp"
# A base system that debootstrap finished ($tmp/.cartpinger-base) is kept across an interrupted run.
[ -f "$tmp/.cartpinger-base" ] || rm -rf "$tmp"
pkgs=()
if [ "$suite" = trixie ]; then
  for v in "${phps[@]}"; do pkgs+=("php$v-cli" "php$v-xml" "php$v-mbstring"); done
fi
include=(ca-certificates "${pkgs[@]}")
inc=$(IFS=,; echo "${include[*]}")

chroot_run() { chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

if [ -f "$tmp/.cartpinger-base" ]; then
  echo "roots.sh: resuming $tmp" >&2
elif [ "$arch" = amd64 ]; then
  nice -n 15 debootstrap --variant=minbase --include="$inc" "$suite" "$tmp" "$MIRROR" >&2
else
  # Running arm64 binaries needs binfmt_misc (qemu-user-static registers qemu-aarch64 there).
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || { echo "roots.sh: qemu-aarch64 is not registered in binfmt_misc" >&2; exit 1; }
  nice -n 15 debootstrap --variant=minbase --foreign --arch=arm64 --include="$inc" "$suite" "$tmp" "$MIRROR" >&2
  nice -n 15 chroot "$tmp" /debootstrap/debootstrap --second-stage >&2
fi
touch "$tmp/.cartpinger-base"
# The registry may serve a dated snapshot of sid whose Release file is past its Valid-Until.
echo 'Acquire::Check-Valid-Until "false";' > "$tmp/etc/apt/apt.conf.d/99cartpinger-snapshot"

if [ "$suite" = sid ]; then
  # PHP 8.5 and 8.6 are in experimental (Debian packages only the newest PHP in sid).
  echo "deb $MIRROR experimental main" > "$tmp/etc/apt/sources.list.d/experimental.list"
  chroot_run apt-get update -qq >&2
  # experimental's php-common (for 8.6) Breaks php8.5-common: the newest line is installed with
  # apt, the older ones are unpacked next to it (the CLI needs no maintainer scripts; their
  # libraries are the same ones the newest line pulled in).
  newest=${phps[${#phps[@]}-1]}
  nice -n 15 chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends -t experimental "php$newest-cli" "php$newest-xml" "php$newest-mbstring" >&2
  for v in "${phps[@]}"; do
    [ "$v" = "$newest" ] && continue
    chroot_run sh -c "cd /tmp && apt-get download -t experimental php$v-cli php$v-common php$v-xml php$v-mbstring" >&2
  done
fi

# Headers and php-config (phpX-dev) only, without the toolchain they depend on (nothing is
# compiled inside the root: the host's cargo builds against these headers).
dev=(libpcre2-dev)
for v in "${phps[@]}"; do dev+=("php$v-dev"); done
chroot_run sh -c "cd /tmp && apt-get download ${dev[*]}" >&2 || chroot_run sh -c "cd /tmp && apt-get download -t experimental ${dev[*]}" >&2
for deb in "$tmp"/tmp/*.deb; do dpkg-deb -x "$deb" "$tmp"; done
rm -f "$tmp"/tmp/*.deb "$tmp"/var/cache/apt/archives/*.deb
for v in "${phps[@]}"; do
  [ -x "$tmp/usr/bin/php$v" ] && [ -f "$tmp/usr/bin/php-config$v" ] || { echo "roots.sh: php$v or php-config$v missing in $tmp" >&2; exit 1; }
done
echo "$want" > "$tmp/.cartpinger-root"
rm -rf "$dest" && mv "$tmp" "$dest"
ensure_extra
echo "roots.sh: made $dest ($want)" >&2
echo "$dest"
