#!/usr/bin/env bash
# Benchmarks (not tests): prints tables and writes target/bench/results.json.
# Usage: tests/bench/run.sh [path/to/libcartpinger.so]
set -euo pipefail
cd "$(dirname "$0")/../.."
SO=$(realpath "${1:-target/release/libcartpinger.so}")
mkdir -p target/bench
# -n: no php.ini, no conf.d (so opcache/xdebug settings of the host do not skew the numbers and
# the extension is loaded exactly once, from the path given).
php -n -d extension="$SO" tests/bench/extension.php target/bench/results.json
