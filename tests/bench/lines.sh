#!/usr/bin/env bash
# The extension rows (call cost, vault) under every PHP line that ./build.sh release built and
# tested (target/release-matrix/lines.tsv): tests/bench/extension.php run by each line's own PHP
# with that line's .so, then one table. Rows are added to the results file as
# "<name>@php<line>" (e.g. ext_call_ns@php8.4-nts-x86_64); baselines are measured by the same
# PHP in the same run. The arm64 line runs under qemu-user emulation: compare its ratios, not
# its absolute times.
#
#   tests/bench/lines.sh [target/bench/results.json]
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/release/lines.sh
source tests/release/lines.sh
TSV=target/release-matrix/lines.tsv
OUT=${1:-target/bench/results.json}
if [ ! -f "$TSV" ]; then
  printf '\n*** per-PHP extension rows SKIPPED: no %s (run ./build.sh release first) ***\n\n' "$TSV"
  exit 0
fi
rm -rf target/bench/lines && mkdir -p target/bench/lines
while IFS=$'\t' read -r line file _php _floor result _rest; do
  [ "$line" = line ] && continue
  [ "$result" = pass ] || continue
  if ! line_env "$line"; then
    printf '*** %s SKIPPED: %s ***\n' "$line" "$LINE_MISSING"; continue
  fi
  echo "bench: $line"
  "$LINE_PHP" -n -d extension="$PWD/target/release-matrix/$file" tests/bench/extension.php \
    "target/bench/lines/$line.json" > "target/bench/lines/$line.txt"
done < "$TSV"
php -n tests/bench/lines-table.php target/bench/lines "$OUT"
