#!/usr/bin/env bash
# Install sbx into .venv and run the whole test suite: lint, types, migrations, then the tests
# on SQLite and on PostgreSQL. PostgreSQL is taken from SBX_TEST_POSTGRES_URL (a server URL;
# a throw-away database is created on it), default postgresql://postgres@127.0.0.1:5432/postgres.
# Without a reachable server the PostgreSQL run is skipped, except in CI (CI=true), where it
# is required.
source "$(dirname "$0")/_venv.sh"
# The console's browser tests drive Debian's chromium (Playwright's own download is not used).
if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium (apt-get)"
  if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
PG_URL="${SBX_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

echo "== ruff"; ruff check src tests; ruff format --check src tests
echo "== mypy"; mypy
echo "== alembic check (migrations match the models)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
SBX_DATA_DIR="$tmp" sbx migrate >/dev/null
SBX_DATA_DIR="$tmp" alembic check

echo "== tests on SQLite"
SBX_TEST_DATABASE_URL= pytest -q -p no:cacheprovider "$@"

if python -c "import psycopg,sys; psycopg.connect(sys.argv[1].replace('postgresql+psycopg','postgresql'), connect_timeout=3).close()" "$PG_URL" 2>/dev/null; then
  echo "== tests on PostgreSQL ($PG_URL; the console's browser tests ran on SQLite)"
  SBX_TEST_DATABASE_URL="$PG_URL" pytest -q -p no:cacheprovider -m "not browser" "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $PG_URL; CI requires it" >&2
  exit 1
else
  echo "== PostgreSQL not reachable at $PG_URL: skipped (set SBX_TEST_POSTGRES_URL to run it)"
fi
