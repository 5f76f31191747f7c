#!/usr/bin/env bash
# Materialise the WordPress × WooCommerce pairs of tests/versions/pairs (and real WP-CLI, WPCS)
# from git mirrors brought onto a developer's machine (the session's `fetch` tool puts them under
# /work/.mirror). Nothing here is committed: copies land in $CARTPINGER_VERSIONS_DIR
# (default /work/versions), where the test tiers look for them. CI cannot fetch; it runs what the
# machine holds and says loudly what it skipped.
#   tests/versions/bring.sh [MIRROR_ROOT]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mirrors="${1:-/work/.mirror}"
out="${CARTPINGER_VERSIONS_DIR:-/work/versions}"
mkdir -p "$out"
say() { printf '[versions] %s\n' "$*"; }

archive() { # mirror tag dest
	local repo="$mirrors/$1/repo" tag="$2" dest="$3"
	[[ -e "$dest/.complete" ]] && { say "have $dest"; return 0; }
	[[ -d "$repo" ]] || { say "SKIP $dest: no mirror $repo"; return 0; }
	rm -rf "$dest.tmp"; mkdir -p "$dest.tmp"
	if ! git -C "$repo" archive "$tag" | tar -x -C "$dest.tmp"; then
		say "SKIP $dest: git archive $tag failed"; rm -rf "$dest.tmp"; return 0
	fi
	rm -rf "$dest"; mv "$dest.tmp" "$dest"
	touch "$dest/.complete"; say "made $dest"
}

# WooCommerce 9.4–10.0 in the WP-a2z mirror stores some files with the wrong letter case (made on a
# case-insensitive file system): rename each file to the spelling of the autoload classmap.
fix_case() {
	local wc="$1" map="$1/vendor/composer/autoload_classmap.php"
	[[ -f "$map" ]] || return 0
	php -r '
		$base = $argv[1]; $vendorDir = $base . "/vendor"; $baseDir = $base;
		$map = require $argv[2];
		foreach ($map as $file) {
			if (file_exists($file)) continue;
			$dir = dirname($file);
			if (!is_dir($dir)) continue;
			foreach (scandir($dir) as $f) {
				if (strcasecmp($f, basename($file)) === 0) { rename("$dir/$f", $file); echo "[versions] renamed $dir/$f\n"; }
			}
		}' "$wc" "$map"
}

while read -r wp wc _rest; do
	[[ -z "$wp" || "$wp" == \#* ]] && continue
	archive johnpbloch+wordpress-core "$wp" "$out/wordpress-$wp"
	rm -f "$out/wordpress-$wp/composer.json"
	archive WP-a2z+woocommerce "$wc" "$out/woocommerce-$wc"
	[[ -d "$out/woocommerce-$wc" ]] && fix_case "$out/woocommerce-$wc"
done < "$here/pairs"

# Real WP-CLI (the phar inside the Debian package of wp-cli/builds).
if [[ ! -f "$out/wp-cli/wp" && -d "$mirrors/wp-cli+builds/repo" ]]; then
	tmp=$(mktemp -d); mkdir -p "$out/wp-cli"
	git -C "$mirrors/wp-cli+builds/repo" show HEAD:deb/php-wpcli_2.10.0_all.deb > "$tmp/wpcli.deb" 2>/dev/null \
		|| git -C "$mirrors/wp-cli+builds/repo" show "HEAD:$(git -C "$mirrors/wp-cli+builds/repo" ls-tree --name-only HEAD deb/ | grep -v latest | sort -V | tail -1)" > "$tmp/wpcli.deb"
	(cd "$tmp" && ar x wpcli.deb && tar -xf data.tar.* ./usr/bin/wp) && cp "$tmp/usr/bin/wp" "$out/wp-cli/wp" && chmod +x "$out/wp-cli/wp"
	rm -rf "$tmp"; say "made $out/wp-cli/wp"
fi

# WordPress Coding Standards 3.1.0 and its dependencies (sources, no composer needed).
archive PHPCSStandards+PHP_CodeSniffer 3.13.4 "$out/wpcs/PHP_CodeSniffer"
archive PHPCSStandards+PHPCSUtils 1.0.12 "$out/wpcs/PHPCSUtils" 2>/dev/null || true
[[ -d "$out/wpcs/PHPCSUtils" ]] || archive PHPCSStandards+PHPCSUtils "$(git -C "$mirrors/PHPCSStandards+PHPCSUtils/repo" tag | grep '^1\.0\.' | sort -V | tail -1)" "$out/wpcs/PHPCSUtils"
archive PHPCSStandards+PHPCSExtra "$(git -C "$mirrors/PHPCSStandards+PHPCSExtra/repo" tag 2>/dev/null | grep '^1\.2\.' | sort -V | tail -1)" "$out/wpcs/PHPCSExtra"
archive WordPress+WordPress-Coding-Standards 3.1.0 "$out/wpcs/WordPress-Coding-Standards"
say "done: $(ls "$out" | tr '\n' ' ')"
