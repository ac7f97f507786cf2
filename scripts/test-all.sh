#!/usr/bin/env bash
# The whole test suite: type-check + build, unit tests, integration tests (real PostgreSQL and the
# Kafka-protocol test broker), end-to-end tests (services as separate processes, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
# What git reports before the suite; the suite must leave it as it was (outputs go to ignored paths).
before="$(git status --porcelain 2>/dev/null || true)"
bash scripts/ensure-deps.sh --test
export NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules"
echo "==> type-check and build"
npm run --silent build
echo "==> lint (module boundaries, no any)"
npm run --silent lint
# --forceExit: once every test has finished, jest exits even if a test left a handle open (a child's pipe,
# a socket). A stray handle once kept jest waiting past CI's limit after all tests had passed; the specs
# still clean up after themselves, this only stops one slip from hanging the whole run.
echo "==> unit tests"
npx jest --selectProjects unit --ci --forceExit
echo "==> integration tests"
npx jest --selectProjects int --ci --runInBand --forceExit
echo "==> end-to-end tests"
npx jest --selectProjects e2e --ci --runInBand --forceExit
echo "==> fault suite (short: kill -9 of each service type, a broker down, PostgreSQL restarted, under load)"
npx jest --selectProjects faults --ci --runInBand --forceExit
echo "==> npm start (the README's first command) serves and leaves the checkout as it was"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
start_log="$(mktemp)"
# setsid: npm start leads its own process group (npm → sh → node), so the whole of it can be stopped.
PORT="$port" KAIROS_ADMIN_KEY=kairos_00000000000000aa_testtesttesttesttesttesttesttesttesttesttes setsid npm start >"$start_log" 2>&1 &
start_pid=$!
healthy=0
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then healthy=1; break; fi
  kill -0 "$start_pid" 2>/dev/null || break
  sleep 0.5
done
kill -TERM -- "-$start_pid" 2>/dev/null || true
for _ in $(seq 1 40); do kill -0 -- "-$start_pid" 2>/dev/null || break; sleep 0.25; done
kill -KILL -- "-$start_pid" 2>/dev/null || true
wait "$start_pid" 2>/dev/null || true
if [ "$healthy" != 1 ]; then
  echo "npm start did not answer /health on port $port:" >&2
  tail -50 "$start_log" >&2
  exit 1
fi
rm -f "$start_log"
echo "==> the checkout is as the suite found it (git status)"
after="$(git status --porcelain 2>/dev/null || true)"
if [ "$after" != "$before" ]; then
  echo "the test suite or npm start changed what git sees; write outputs under an ignored path (tmp/, data/, dist/) instead:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
