#!/usr/bin/env bash
# Install sbx into .venv and start it on the embedded SQLite default with the demo data.
# Prints a ready token and a curl example. Extra arguments go to `sbx serve` (--host, --port).
source "$(dirname "$0")/_venv.sh"
export SBX_DATA_DIR="${SBX_DATA_DIR:-$ROOT/data}"
exec sbx serve --demo "$@"
