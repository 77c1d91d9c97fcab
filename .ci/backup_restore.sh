#!/usr/bin/env bash
# Prove a backup restores: load the demo into the PostgreSQL database given, back it up
# with pg_dump -Fc, restore it into a new database with pg_restore, and check that the
# row counts, the report summary and the search's answers are the same in both, and that
# the restored database keeps the search index current. The commands are those of
# docs/operations.md. CI runs it after the PostgreSQL tests (.ci/run).
#
#   bash .ci/backup_restore.sh postgres://postgres@127.0.0.1:5432/hotline_ci
set -euo pipefail
cd "$(dirname "$0")/.."

SOURCE_URL="${1:?usage: $0 postgres://user@host:port/database}"
RESTORED_DB="${SOURCE_URL##*/}_restored"
RESTORED_URL="${SOURCE_URL%/*}/$RESTORED_DB"
ADMIN_URL="${SOURCE_URL%/*}/postgres"
WORK="$(mktemp -d)"
cleanup() {
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $RESTORED_DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "demo data into the source database"
# DEBUG on: the demo refuses to create its accounts anywhere else.
env -u DEBUG DATABASE_URL="$SOURCE_URL" uv run --frozen python manage.py demo --no-server --verbosity 0 >/dev/null

echo "fingerprint of the source"
DATABASE_URL="$SOURCE_URL" uv run --frozen python .ci/fingerprint.py >"$WORK/source.json"

echo "backup (pg_dump -Fc)"
pg_dump --format=custom --file="$WORK/hotline.dump" "$SOURCE_URL"

echo "restore into $RESTORED_DB (pg_restore)"
psql -q "$ADMIN_URL" -c "CREATE DATABASE $RESTORED_DB"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$RESTORED_URL" "$WORK/hotline.dump"

echo "fingerprint of the restored copy"
DATABASE_URL="$RESTORED_URL" uv run --frozen python .ci/fingerprint.py >"$WORK/restored.json"

if ! diff -u "$WORK/source.json" "$WORK/restored.json"; then
  echo "FAIL: the restored database differs from the original" >&2
  exit 1
fi
python3 - "$WORK/source.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
counts, summary = f["counts"], f["summary"]["breakdowns"]
print(f"same in both: {len(counts)} tables ({sum(counts.values())} rows, "
      f"{counts['calls.Call']} calls), {sum(rows for rows, _c, _k in summary.values())} "
      f"report summary rows, {len(f['searches'])} searches")
PY

echo "the restored copy stays current"
DATABASE_URL="$RESTORED_URL" uv run --frozen python .ci/fingerprint.py --check-live
echo "backup and restore: OK"
