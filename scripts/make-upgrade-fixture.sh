#!/usr/bin/env bash
# Regenerates the upgrade-test fixture of a released version (default v0.8.0):
#   apps/standalone/test/fixtures/<tag>/postgres.sql
# 1. checks the tag out into a temporary git worktree (node_modules symlinked from this checkout);
# 2. starts that release in standalone mode against a fresh PostgreSQL database (DATABASE_URL), so its
#    own migrations create the schema;
# 3. drives it through its public API (scripts/upgrade-fixture-workload.mjs): tasks that succeed, fail
#    after a retry, time out, are cancelled, an HTTP task, 60 no-op tasks, a queue policy, a workflow,
#    two repairs, and a duration model trained and deployed;
# 4. stops it and dumps the database with pg_dump --inserts (plain INSERTs, which PGlite can execute as
#    well as PostgreSQL), without owners or privileges, and without psql's \restrict lines;
# 5. removes the worktree and the database.
# Needs: git, node, PostgreSQL on 127.0.0.1:5432 (trust, user postgres), createdb/dropdb/pg_dump.
set -euo pipefail
TAG=${1:-v0.8.0}
ROOT=$(git rev-parse --show-toplevel)
OUT="$ROOT/apps/standalone/test/fixtures/$TAG"
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
export PGHOST PGUSER
PORT=${FIXTURE_PORT:-3917}
DB="kairos_fixture_${TAG//[^a-zA-Z0-9]/_}_$$"
WT=$(mktemp -d "/tmp/kairos-$TAG.XXXXXX")
SERVER_PID=

cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  git -C "$ROOT" worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
  dropdb --if-exists "$DB" 2>/dev/null || true
}
trap cleanup EXIT

echo "==> $TAG into $WT"
rmdir "$WT"
git -C "$ROOT" worktree add --detach "$WT" "$TAG" >/dev/null
ln -s "$(readlink -f "$ROOT/node_modules")" "$WT/node_modules"
createdb "$DB"

echo "==> starting $TAG (standalone, PostgreSQL database $DB) on port $PORT"
(
  cd "$WT"
  exec env -i PATH="$PATH" HOME="$HOME" DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$DB" DATA_DIR="$WT/data" PORT="$PORT" \
    EXECUTOR_NODES=fixture-n1:4000:8192 LOG_LEVEL=warn \
    node --require ./scripts/swc-register.js apps/standalone/src/main.ts
) > "$WT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$WT/server.log"; echo "$TAG did not start" >&2; exit 1; fi
  sleep 1
done
curl -sf "http://127.0.0.1:$PORT/health" > /dev/null || { cat "$WT/server.log"; echo "$TAG did not answer /health" >&2; exit 1; }

node "$ROOT/scripts/upgrade-fixture-workload.mjs" "http://127.0.0.1:$PORT"

kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=

mkdir -p "$OUT"
pg_dump --inserts --no-owner --no-privileges --no-comments "$DB" | sed -E '/^\\(un)?restrict /d' > "$OUT/postgres.sql"
echo "==> wrote $OUT/postgres.sql ($(wc -c < "$OUT/postgres.sql") bytes)"
psql -XAtq "$DB" -c "SELECT 'tasks ' || count(*) FROM tasks UNION ALL SELECT 'attempts ' || count(*) FROM attempts UNION ALL SELECT 'workflow_runs ' || count(*) FROM workflow_runs UNION ALL SELECT 'repairs ' || count(*) FROM repair_actions UNION ALL SELECT 'migrations ' || count(*) FROM kairos_migrations"
