#!/usr/bin/env bash
# The whole test suite: install with the test extras, then ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test,neural
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python tools/typecheck.py
# The browser tests drive Debian's Chromium: install it, quietly, when it is missing and apt-get
# is there; when it cannot be installed they skip and say why.
install_chromium() {
  local as_root=""
  if [ "$(id -u)" -ne 0 ]; then as_root="sudo -n"; fi
  $as_root apt-get update -qq &&
    $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
}
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  install_chromium >/dev/null 2>&1 ||
    echo "scripts/test.sh: could not install chromium; the browser tests will skip" >&2
fi
.venv/bin/python -m pytest -n 2 "$@"
