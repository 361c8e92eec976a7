#!/usr/bin/env bash
# The whole test suite: install with the test extras, then ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test,neural
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python tools/typecheck.py
.venv/bin/python -m pytest -n 2 "$@"
