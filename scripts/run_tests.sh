#!/usr/bin/env bash
# README command 2: set up if needed, then run the whole test suite: unit tests
# and every notebook re-executed under strict nbval (see pytest.ini).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest "$@"
