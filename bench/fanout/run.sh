#!/usr/bin/env bash
# Room fan-out of ENLETS Messenger measured side by side with a peer server (default ejabberd) through the
# peers' load generator (../shared/bench-peers). Prints the figures and keeps the raw JSON lines.
#
#   bench/fanout/run.sh fixed [rate]      # 1000 clients, 40 rooms x 50, fixed rate (default 200 msg/s), 30 s
#   bench/fanout/run.sh search            # highest rate with p99 < 100 ms and zero loss (ours, then the peer)
#   bench/fanout/run.sh conns             # idle authenticated WebSocket connections: 1k, 5k, 10k
#   PEER=none bench/fanout/run.sh search  # ours only
#   DATABASE=postgres bench/fanout/run.sh search   # on PostgreSQL instead of SQLite
#   PROCESSES=2 PEER=none bench/fanout/run.sh search   # two server processes on PostgreSQL + the Redis bus
#   SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" PEER=none bench/fanout/run.sh fixed 600   # profile
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared/bench-peers}"
PEERS="${PEERS:-/tmp/bench-peers-src}"
WORK="${WORK:-/tmp/enlets-bench}"
PORT="${PORT:-18090}"
PEER="${PEER:-ejabberd}"
CLIENTS="${CLIENTS:-1000}"
MODE="${1:-search}"

if [ ! -d "$PEERS/node_modules" ]; then
  rm -rf "$PEERS" && cp -r "$SHARED" "$PEERS" && chmod -R u+w "$PEERS"
  (cd "$PEERS" && ./run-peers.sh install)
fi
cp "$ROOT/bench/fanout/enlets-adapter.cjs" "$PEERS/loadgen/adapters/enlets.js"
# Only what the server needs (the CLI and its references): edits elsewhere in the tree do not stop the bench.
(cd "$ROOT" && npx tsc -b packages/cli)

rm -rf "$WORK" && mkdir -p "$WORK"
if [ "${DATABASE:-sqlite}" = postgres ]; then
  DB_NAME="enlets_bench_$$"
  psql -h 127.0.0.1 -U postgres -d test -qc "create database $DB_NAME"
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
else
  export DATABASE_URL="sqlite:$WORK/bench.db"
fi
export ENLETS_LOG_LEVEL=warn ENLETS_PORT="$PORT" ENLETS_RATE_LIMIT_PER_MINUTE=1000000 ENLETS_PUBLIC_URL="http://127.0.0.1:$PORT"
USERS=$CLIENTS; [ "$MODE" = conns ] && USERS=10000
(cd "$ROOT" && node --conditions=source --import tsx bench/fanout/prepare.ts "$USERS" "$WORK/tokens.json")

ulimit -n 20000
PROCESSES="${PROCESSES:-1}"
PORTS="$PORT"
if [ "$PROCESSES" -gt 1 ]; then
  export ENLETS_BUS_URL=redis://127.0.0.1:6379 ENLETS_BUS_CHANNEL="enlets-bench-$$"
fi
# shellcheck disable=SC2086 # SERVER_NODE_ARGS is a list of node options
node ${SERVER_NODE_ARGS:-} "$ROOT/packages/cli/dist/main.js" serve > "$WORK/server.log" 2>&1 &
SERVER=$!
OTHERS=()
for i in $(seq 2 "$PROCESSES"); do
  P=$((PORT + 2 * (i - 1)))
  # shellcheck disable=SC2086
  ENLETS_PORT=$P node ${SERVER_NODE_ARGS:-} "$ROOT/packages/cli/dist/main.js" serve > "$WORK/server-$i.log" 2>&1 &
  OTHERS+=($!)
  PORTS="$PORTS,$P"
done
trap 'kill $SERVER "${OTHERS[@]}" 2>/dev/null || true' EXIT
for p in ${PORTS//,/ }; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.2; done
done

LG=(node "$PEERS/loadgen/bench.js")
COMMON=(--system enlets --port "$PORT" --ports "$PORTS" --server-pid "$SERVER" --label "enlets-${DATABASE:-sqlite}-x$PROCESSES" --tokens-file "$WORK/tokens.json" --rooms-file "$WORK/rooms.json")
case "$MODE" in
  fixed)  "${LG[@]}" fanout "${COMMON[@]}" --clients "$CLIENTS" --room-size 50 --rooms-per-client 2 --rate "${2:-200}" --duration 30 ;;
  search) "${LG[@]}" fanout "${COMMON[@]}" --clients "$CLIENTS" --room-size 50 --rooms-per-client 2 --search --rate 200 --factor 2 --refine 3 --duration 20 ;;
  conns)  "${LG[@]}" conns "${COMMON[@]}" --steps 1000,5000,10000 --workers 2 ;;
  *) echo "unknown mode $MODE" >&2; exit 2 ;;
esac
kill $SERVER "${OTHERS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; trap - EXIT

if [ "$PEER" != none ] && [ "$MODE" != conns ]; then
  (cd "$PEERS" && ./run-peers.sh start "$PEER" && ./run-peers.sh "$MODE" "$PEER" ${2:-}; ./run-peers.sh stop "$PEER")
fi
(cd "$PEERS" && ./run-peers.sh summary >/dev/null && cat results/summary.md)
