#!/usr/bin/env bash
# The README's start path as a new user takes it: `npm start` with no environment but a port and a
# fresh data dir, the generated admin password from the log, login, a protected route, logout.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$(mktemp -d)"
LOG="$DATA/start.log"
PORT="${SMOKE_PORT:-3987}"
env -u DATABASE_URL -u CAREGATE_ADMIN_PASSWORD PORT="$PORT" CAREGATE_DATA_DIR="$DATA" npm start >"$LOG" 2>&1 &
APP_PID=$!
killtree() { local p; for p in $(pgrep -P "$1" 2>/dev/null); do killtree "$p"; done; kill -TERM "$1" 2>/dev/null || true; }
trap 'killtree $APP_PID; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$PORT/health/ready" | grep -q '"database":"up"'
PW="$(grep -o 'generated password: [^"]*' "$LOG" | head -1 | cut -d' ' -f3)"
[ -n "$PW" ] || { echo "no generated password in the log"; cat "$LOG"; exit 1; }
LOGIN="$(curl -fs -X POST "http://127.0.0.1:$PORT/rest/v2/auth/login" -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}")"
TOKEN="$(node -pe 'JSON.parse(process.argv[1]).token' "$LOGIN")"
curl -fs "http://127.0.0.1:$PORT/rest/v2/user/current" -H "Authorization: Bearer $TOKEN" | grep -q '"login":"admin"'
curl -fs "http://127.0.0.1:$PORT/api" | grep -q 'swagger'
curl -fs -X POST "http://127.0.0.1:$PORT/rest/v2/auth/logout" -H "Authorization: Bearer $TOKEN" >/dev/null
CODE="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/rest/v2/user/current" -H "Authorization: Bearer $TOKEN")"
[ "$CODE" = 401 ] || { echo "expected 401 after logout, got $CODE"; exit 1; }
# Graceful shutdown on SIGTERM.
killtree $APP_PID
wait $APP_PID 2>/dev/null || true
for _ in $(seq 1 50); do grep -q 'Caregate stopped' "$LOG" && break; sleep 0.2; done
grep -q 'Caregate stopped' "$LOG" || { echo "no graceful shutdown line in the log"; tail -5 "$LOG"; exit 1; }
echo "smoke: install+start, login, protected route, logout -> 401: ok"
