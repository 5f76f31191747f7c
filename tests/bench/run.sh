#!/usr/bin/env bash
# Benchmarks (not tests): print tables and write target/bench/results.json.
# Usage: tests/bench/run.sh [path/to/libcartpinger.so]
set -euo pipefail
cd "$(dirname "$0")/../.."
SO=$(realpath "${1:-target/release/libcartpinger.so}")
mkdir -p target/bench
cargo build -q --release -p cartpinger-sandbox
# -n: no php.ini, no conf.d (host opcache/xdebug settings do not skew the numbers, and the
# extension is loaded exactly once, from the path given). curl is shared on Debian: load it.
php -n -d extension="$SO" tests/bench/extension.php target/bench/results.json
curl_ext=()
php -n -m | grep -qx curl || curl_ext=(-d extension=curl)
php -n "${curl_ext[@]}" -d extension="$SO" tests/bench/sender.php target/bench/results.json \
  "$PWD/target/release/cartpinger-sandbox"
# The extension rows again under every PHP line ./build.sh release tested (one table; skipped
# loudly when there is no release matrix on this machine).
tests/bench/lines.sh target/bench/results.json
# CartPinger at scale in the demo store (1 M recoveries, 10 M messages in MariaDB; storefront and
# track-cart on/off): starts and stops its own tests/stack/up.sh. CARTPINGER_BENCH_SKIP_STORE=1 skips it.
if [ "${CARTPINGER_BENCH_SKIP_STORE:-0}" != 1 ]; then
  tests/bench/recovery.sh target/bench/results.json
fi
# The queue and the webhook path on nginx + php-fpm (webhook_ingest_rps, webhook_apply_ms_1000,
# drain_mps_cap80, drain_mps_cap1000). CARTPINGER_BENCH_SKIP_QUEUE=1 skips it.
if [ "${CARTPINGER_BENCH_SKIP_QUEUE:-0}" != 1 ]; then
  tests/bench/queue.sh target/bench/results.json
fi
