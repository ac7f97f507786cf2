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
echo "==> unit tests"
npx jest --selectProjects unit --ci
echo "==> integration tests"
npx jest --selectProjects int --ci --runInBand
echo "==> end-to-end tests"
npx jest --selectProjects e2e --ci --runInBand
echo "==> the checkout is as the suite found it (git status)"
after="$(git status --porcelain 2>/dev/null || true)"
if [ "$after" != "$before" ]; then
  echo "the test suite changed what git sees; write outputs under an ignored path (tmp/, data/, dist/) instead:" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  exit 1
fi
