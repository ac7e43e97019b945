#!/usr/bin/env bash
# Start the whole scale-out layout locally, for a smoke test (docs/deployment.md):
#   PostgreSQL from this machine (a database is created on it if missing), moto as S3,
#   2 API processes (`sbx serve --workers 2`) and 2 workers (`sbx worker`), demo data.
# Prints the URL and a token; runs until Ctrl-C, then stops every process it started.
#
#   bash scripts/run-cluster.sh [--postgres URL] [--database NAME] [--port P] [--workers M]
#
# --postgres: a server URL (default $SBX_TEST_POSTGRES_URL or
# postgresql://postgres@127.0.0.1:5432/postgres); --database: the database used on it
# (default sbx_cluster); --port: the API's port (default 8080); --workers: worker processes
# (default 2, each running 2 jobs at a time). State (secret key, logs) goes to ./data-cluster.
source "$(dirname "$0")/_venv.sh"
PG_SERVER="${SBX_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
DB_NAME=sbx_cluster
PORT=8080
WORKERS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) PG_SERVER="$2"; shift 2 ;;
    --database) DB_NAME="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

DATA="$ROOT/data-cluster"
mkdir -p "$DATA/logs"
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "stopping ${#PIDS[@]} processes"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$PROMETHEUS_MULTIPROC_DIR"
}
trap cleanup INT TERM EXIT

# PostgreSQL: the server must answer; the database is created when missing.
python - "$PG_SERVER" "$DB_NAME" <<'EOF'
import sys, psycopg
server, name = sys.argv[1], sys.argv[2]
with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
        conn.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
EOF
export SBX_DATABASE_URL="${PG_SERVER%/*}/$DB_NAME"
export SBX_JOB_BACKEND=procrastinate
export SBX_DATA_DIR="$DATA"

# S3: a moto server on a free port, and a bucket.
S3_PORT="$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
moto_server -H 127.0.0.1 -p "$S3_PORT" >"$DATA/logs/moto.log" 2>&1 &
PIDS+=($!)
export SBX_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" SBX_S3_REGION=us-east-1
export SBX_BLOB_URL="s3://sbx-cluster/snapshots"
python - <<'EOF'
import os, time, boto3, botocore.exceptions
s3 = boto3.client("s3", endpoint_url=os.environ["SBX_S3_ENDPOINT_URL"])
for _ in range(100):
    try:
        s3.create_bucket(Bucket="sbx-cluster")
        break
    except botocore.exceptions.EndpointConnectionError:
        time.sleep(0.1)
else:
    raise SystemExit("moto did not start")
EOF

# One server key for every process (webhook secrets, console cookies).
if [ ! -s "$DATA/secret.key" ]; then
  python -c 'import secrets; print(secrets.token_hex(32))' >"$DATA/secret.key"
fi
export SBX_SECRET_KEY="$(cat "$DATA/secret.key")"
# /metrics of any API process reports every process of this host.
export PROMETHEUS_MULTIPROC_DIR="$(mktemp -d /tmp/sbx-cluster-metrics-XXXXXX)"

sbx migrate
for i in $(seq 1 "$WORKERS"); do
  sbx worker --concurrency 2 >"$DATA/logs/worker$i.log" 2>&1 &
  PIDS+=($!)
done
# 2 API processes behind one port; --demo seeds the demo orgs and prints a token.
sbx serve --workers 2 --port "$PORT" --demo 2>"$DATA/logs/api.log" &
PIDS+=($!)

for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "the API did not start: $DATA/logs/api.log" >&2; exit 1; }
cat <<EOF

sbx cluster is up: http://127.0.0.1:$PORT  (2 API processes, $WORKERS workers, PostgreSQL
database $DB_NAME, snapshots in moto S3 at $SBX_S3_ENDPOINT_URL). The token and credentials
are printed above; a new token from a credential:
  curl -s -X POST http://127.0.0.1:$PORT/ims/token/v3 -d grant_type=client_credentials \\
    -d client_id=\$API_KEY -d client_secret=\$SECRET
Logs: $DATA/logs/. Ctrl-C stops everything.
EOF
wait
