#!/usr/bin/env bash
# Create .venv (once) and install cnpolicy into it, editable, with the given extras.
# Re-installs only when pyproject.toml changed since the last install, so it is idempotent and quick.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
stamp=".venv/.cnpolicy-installed${extras:+-$extras}"
want="$(sha256sum < pyproject.toml | cut -d' ' -f1)"

# Disk a first install needs, in MB, measured on a fresh machine (2026-12-04, df sampled each
# second): with the neural extra (PyPI's CUDA build of torch) .venv ends at 6.1 GB and pip's
# downloads and unpacked wheels in the temporary folder add 2.6 GB at the peak; without it 0.8 GB
# and 0.2 GB. Rounded up by a tenth, so that a machine short of room stops here, saying so, before
# anything is written, rather than in pip's "[Errno 28] No space left on device" halfway through.
neural=0
if [[ ",$extras," == *,neural,* ]]; then neural=1; fi
if [ "$neural" = 1 ]; then venv_mb=6700 tmp_mb=2900; else venv_mb=900 tmp_mb=300; fi

free_mb() { df -Pm "$1" | awk 'NR == 2 { print $4 }'; }

check_room() {  # exit 28, naming each folder with what it needs and has, when the install cannot fit
  [ "${CNPOLICY_SKIP_SPACE_CHECK:-}" = 1 ] && return 0
  local tmp="${TMPDIR:-/tmp}" short="" need have
  if [ "$(stat -c %d .)" = "$(stat -c %d "$tmp")" ]; then
    need=$((venv_mb + tmp_mb)) have="$(free_mb .)"
    [ "$have" -ge "$need" ] || short="$PWD/.venv and $tmp (one disk) need $need MB, $have MB free"
  else
    have="$(free_mb .)"
    [ "$have" -ge "$venv_mb" ] || short="$PWD/.venv needs $venv_mb MB, $have MB free"
    have="$(free_mb "$tmp")"
    [ "$have" -ge "$tmp_mb" ] || short="${short:+$short; }$tmp needs $tmp_mb MB, $have MB free"
  fi
  if [ -n "$short" ]; then
    echo "setup-venv: not enough disk to install cnpolicy${extras:+[$extras]}: $short." \
      "Free some room, or set CNPOLICY_SKIP_SPACE_CHECK=1 to try anyway." >&2
    exit 28
  fi
}

has_torch() { .venv/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('torch') is None)" 2>/dev/null; }

if [ ! -x .venv/bin/python ]; then
  check_room
  "$python" -m venv .venv
elif [ "$neural" = 1 ] && ! has_torch; then
  check_room  # an existing .venv about to take torch for the first time
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import cnpolicy.ingest" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
  echo "$want" > "$stamp"
fi
