#!/usr/bin/env bash
# The whole test suite: type-check + build, unit tests, integration tests (real PostgreSQL and the
# Kafka-protocol test broker), end-to-end tests (services as separate processes, headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
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
