#!/usr/bin/env bash
# Installs what Kairos needs on a fresh Debian machine, idempotently: npm packages (from the lockfile)
# and, with --test, the Debian packages and services the test suite uses.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm ci` installs exactly the lockfile and never rewrites it, so a fresh clone stays clean. The
  # lockfile carries every platform's optional binaries (@swc/core-*, msgpackr-extract-*); after adding
  # a dependency, refresh it with `npm install --package-lock-only` so other platforms keep working.
  echo "==> installing npm packages (npm ci, from the lockfile)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ]; then
  need=()
  [ -f /usr/include/librdkafka/rdkafka_mock.h ] || need+=(librdkafka-dev)
  command -v gcc >/dev/null || need+=(gcc)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${need[*]}"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "==> starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  fi
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test" >/dev/null
  bash tools/mock-kafka/build.sh
fi
