#!/usr/bin/env bash
# Standalone mode: installs npm packages if needed, builds, and runs all four services in one process
# with the in-process bus and embedded PostgreSQL (PGlite) under ./data. API on http://localhost:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
before="$(git status --porcelain 2>/dev/null || true)"
bash scripts/ensure-deps.sh
echo "==> building"
npm run --silent build
# Installing and building must not touch tracked files (a rewritten lockfile was #20's first finding).
after="$(git status --porcelain 2>/dev/null || true)"
if [ "$after" != "$before" ]; then
  echo "warning: installing/building changed what git sees (please report it):" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
fi
echo "==> starting Kairos on http://localhost:${PORT:-3000} (dashboard /, API /api, OpenAPI /docs, health /health)"
echo "    the API needs a key: the first start prints an admin key once (or set KAIROS_ADMIN_KEY; README, API keys)"
exec node --require ./scripts/dist-register.js dist/apps/standalone/src/main.js
