#!/usr/bin/env bash
# The whole test suite: install with the test extras, then ruff, mypy and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh test,neural
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python tools/typecheck.py
# The import contract (pyproject.toml, import-linter) on a built copy of the package: the stages'
# folders are mapped into `cnpolicy` only when installed, so the graph is read from a real install.
layers="$(mktemp -d)"
.venv/bin/python -m pip install --quiet --no-deps --target "$layers" . >/dev/null
rm -rf build
(cd "$layers" && PYTHONPATH="$layers" "$OLDPWD/.venv/bin/lint-imports" "$OLDPWD/pyproject.toml")
rm -rf "$layers"
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
# The OpenSearch backend tests run against a real node started here from Maven Central's jars
# (scripts/search-cluster.sh); without Java and Maven they skip and say why.
if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
  CNPOLICY_CLUSTER_DIR="$(mktemp -d)"
  export CNPOLICY_CLUSTER_DIR
  trap 'bash scripts/search-cluster.sh stop >/dev/null 2>&1 || true' EXIT
  CNPOLICY_TEST_OPENSEARCH_URL="$(bash scripts/search-cluster.sh start 1)"
  export CNPOLICY_TEST_OPENSEARCH_URL
else
  echo "scripts/test.sh: no java or mvn; the OpenSearch tests will skip" >&2
fi
# --dist loadgroup: the tests of one xdist_group (the three-node fault tests) share one worker.
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
