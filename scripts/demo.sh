#!/usr/bin/env bash
# The main job on the bundled samples: ingest and extract corpora/, print a summary table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh
.venv/bin/cnpolicy extract corpora/ --format table "$@"
