# Sourced by the other scripts: create .venv with Python 3.11 and install the locked dependencies.
# Re-installs only when pyproject.toml or requirements.lock changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)'; then
  echo "sbx needs Python 3.11 or newer (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp="$(cat pyproject.toml requirements.lock | "$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat .venv/.sbx-installed 2>/dev/null || true)" != "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
  # aepp, the Python client that tests/test_clients.py drives, pinned in the lock; without its
  # own dependencies (pandas, matplotlib, pygraphviz...): the calls tested need only requests.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -c requirements.lock aepp
  echo "$stamp" > .venv/.sbx-installed
fi
export PATH="$ROOT/.venv/bin:$PATH"
