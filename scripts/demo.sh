#!/usr/bin/env bash
# The main job on the bundled samples: ingest, extract and index corpora/ into the embedded store
# (data/cnpolicy.db), then serve the web interface and API at http://127.0.0.1:8000 (Ctrl+C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
store="${CNPOLICY_STORE:-data/cnpolicy.db}"
.venv/bin/cnpolicy index corpora/ --store "$store" --jobs 2
exec .venv/bin/cnpolicy serve --store "$store" "$@"
