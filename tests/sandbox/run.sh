#!/usr/bin/env bash
# The Cloud API sandbox (crates/cartpinger-sandbox; docs/engine.md).
#
#   tests/sandbox/run.sh test            # cargo test -p cartpinger-sandbox (starts the binary on port 0)
#   tests/sandbox/run.sh serve [ARGS…]   # release build, then serve on $LISTEN (default 127.0.0.1:8787)
#   tests/sandbox/run.sh bench [CONNS] [SECS]
#                                        # throughput: --latency-ms 200, no cap, CONNS keep-alive
#                                        # connections (default 250) for SECS (default 10)
#
# Environment for `serve`: LISTEN, DB (default target/sandbox/sandbox.sqlite), TOKEN
# (default sandbox-token), APP_SECRET (default sandbox-secret), CALLBACK (optional webhook URL).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmd="${1:-test}"
shift || true
case "$cmd" in
  test)
    exec cargo test -p cartpinger-sandbox "$@"
    ;;
  serve)
    cargo build --release -p cartpinger-sandbox
    mkdir -p target/sandbox
    extra=()
    if [[ -n "${CALLBACK:-}" ]]; then extra+=(--callback "$CALLBACK"); fi
    exec target/release/cartpinger-sandbox --listen "${LISTEN:-127.0.0.1:8787}" \
      --db "${DB:-target/sandbox/sandbox.sqlite}" --token "${TOKEN:-sandbox-token}" \
      --app-secret "${APP_SECRET:-sandbox-secret}" "${extra[@]}" "$@"
    ;;
  bench)
    cargo build --release -p cartpinger-sandbox --bins --example loadgen
    dir="$(mktemp -d)"
    target/release/cartpinger-sandbox --listen 127.0.0.1:0 --db "$dir/bench.sqlite" \
      --token bench --app-secret bench --latency-ms 200 --mps-cap 0 >"$dir/out" &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
    for _ in $(seq 1 100); do grep -q listening "$dir/out" && break; sleep 0.05; done
    base="$(sed -n 's/^cartpinger-sandbox listening on //p' "$dir/out")"
    target/release/examples/loadgen "$base" bench "${1:-250}" "${2:-10}"
    ;;
  *)
    echo "usage: $0 test|serve|bench" >&2
    exit 2
    ;;
esac
