#!/usr/bin/env bash
# Lays out the production image's final stage as the Dockerfile does (npm ci --omit=dev, dist/,
# views, templates, public), checks that no development tool is in it, and runs `node dist/server.js`
# until /healthz answers.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
dir=$(mktemp -d)
port=${SMOKE_PORT:-3918}
cleanup() {
  [ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
cp package.json package-lock.json "$dir/"
cp -r dist views templates public "$dir/"
mkdir -p "$dir/scripts" && cp scripts/build.js scripts/start.js "$dir/scripts/"
(cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=true npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
for tool in jest eslint typescript tsx @swc/core; do
  if [ -e "$dir/node_modules/$tool" ]; then echo "smoke: the production dependencies hold $tool"; exit 1; fi
done
echo "smoke: production dependencies hold no jest, eslint, typescript, tsx or swc"
cd "$dir"
NODE_ENV=production PORT=$port DATA_DIR="$dir/data" SESSION_SECRET=$(head -c 48 /dev/urandom | base64) \
  NODE_OPTIONS=--max-old-space-size=192 node dist/server.js >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.25
done
health=$(curl -fsS "http://127.0.0.1:$port/healthz") || { echo "smoke: node dist/server.js did not serve /healthz"; cat "$dir/server.log"; exit 1; }
echo "smoke: node dist/server.js (production dependencies only) answered /healthz with $health"
