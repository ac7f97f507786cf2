#!/usr/bin/env bash
# Standalone mode: installs npm packages if needed, builds, and runs all four services in one process
# with the in-process bus and embedded PostgreSQL (PGlite) under ./data. API on http://localhost:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
echo "==> building"
npm run --silent build
echo "==> starting Kairos on http://localhost:${PORT:-3000} (dashboard /, API /api, OpenAPI /docs, health /health)"
echo "    the API needs a key: the first start prints an admin key once (or set KAIROS_ADMIN_KEY; README, API keys)"
exec node --require ./scripts/dist-register.js dist/apps/standalone/src/main.js
