#!/usr/bin/env bash
# Boots the app as `npm start` does, on a new embedded database, and signs in: the README's first command.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
port=${SMOKE_PORT:-3917}
log="$dir/server.log"
if curl -fsS "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then echo "smoke: port $port is already in use"; exit 1; fi
# Its own process group, so that stopping it stops npm, tsx and the server alike.
DATA_DIR="$dir/data" PORT=$port setsid npm start >"$log" 2>&1 &
pid=$!
cleanup() {
  kill -TERM -- "-$pid" 2>/dev/null || true
  # Wait for every process of the group (npm may exit before the server has finished stopping).
  for _ in $(seq 1 80); do pgrep -g "$pid" >/dev/null 2>&1 || break; sleep 0.25; done
  rm -rf "$dir" || true
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
health=$(curl -fsS "http://127.0.0.1:$port/healthz") || { echo "smoke: the app did not start"; cat "$log"; exit 1; }
echo "smoke: /healthz answered $health"
jar="$dir/cookies"
token=$(curl -fsS -c "$jar" -b "$jar" "http://127.0.0.1:$port/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -n1)
status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "_csrf=$token" --data-urlencode "email=admin@example.org" --data-urlencode "password=demo-password" "http://127.0.0.1:$port/login")
[ "$status" = "303" ] || { echo "smoke: sign-in answered $status"; cat "$log"; exit 1; }
agencies=$(curl -fsS -b "$jar" "http://127.0.0.1:$port/admin/agencies")
grep -q 'Priya Shah' <<<"$agencies" || { echo "smoke: /admin/agencies does not list LPFT's single point of contact"; exit 1; }
echo "smoke: embedded mode booted, migrated, seeded, and admin@example.org signed in"
