"""scripts/setup-venv.sh checks for disk room before writing anything, on real small filesystems.

Each case mounts tmpfs filesystems of a set size in a private mount namespace (`unshare`), copies the
script and pyproject.toml onto one, and runs it there; without unshare or tmpfs the tests skip.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NO_ROOM = 28  # the script's exit code when the install cannot fit (ENOSPC's number)

# Run as root of a private user and mount namespace: mount the project and temporary tmpfs
# filesystems at their sizes, copy the script in, run it with the given extras.
SCRIPT = r"""
set -u
mount -t tmpfs -o size="$PROJECT_SIZE" tmpfs "$PROJECT"
[ -n "${TMP_SIZE:-}" ] && mount -t tmpfs -o size="$TMP_SIZE" tmpfs "$TMP"
mkdir -p "$PROJECT/scripts"
cp "$SOURCE/scripts/setup-venv.sh" "$PROJECT/scripts/"
cp "$SOURCE/pyproject.toml" "$PROJECT/"
TMPDIR="$TMP" bash "$PROJECT/scripts/setup-venv.sh" "$EXTRAS"
code=$?
[ -e "$PROJECT/.venv" ] && echo "VENV WRITTEN" >&2
exit $code
"""


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs $d"
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", probe],
        capture_output=True,
    )
    return done.returncode == 0


pytestmark = pytest.mark.skipif(
    not _namespaces_work(),
    reason="no unshare with user and mount namespaces to mount a small tmpfs",
)


def run_setup(
    tmp_path: Path,
    extras: str,
    project_size: str,
    tmp_size: str = "",
    python: str = "python3",
    skip_check: bool = False,
) -> subprocess.CompletedProcess[str]:
    project, tmp = tmp_path / "project", tmp_path / "tmp"
    project.mkdir()
    tmp.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "PROJECT": str(project),
        "PROJECT_SIZE": project_size,
        "TMP": str(tmp) if tmp_size else str(project),
        "TMP_SIZE": tmp_size,
        "SOURCE": str(ROOT),
        "EXTRAS": extras,
        "PYTHON": python,
    }
    if skip_check:
        env["CNPOLICY_SKIP_SPACE_CHECK"] = "1"
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "bash", "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(("extras", "need"), [("test,neural", 9600), ("test", 1200), ("", 1200)])
def test_a_small_disk_stops_the_install_before_anything_is_written(
    tmp_path: Path, extras: str, need: int
) -> None:
    done = run_setup(tmp_path, extras, project_size="200m")
    assert done.returncode == NO_ROOM, done.stderr
    assert "setup-venv: not enough disk" in done.stderr
    assert f"need {need} MB" in done.stderr
    assert "MB free" in done.stderr and "/.venv" in done.stderr
    assert "VENV WRITTEN" not in done.stderr


def test_a_small_temporary_folder_on_its_own_disk_is_named(tmp_path: Path) -> None:
    done = run_setup(tmp_path, "test,neural", project_size="20g", tmp_size="100m")
    assert done.returncode == NO_ROOM, done.stderr
    assert f"{tmp_path / 'tmp'} needs 2900 MB" in done.stderr
    assert ".venv needs" not in done.stderr  # the project's disk has room
    assert "VENV WRITTEN" not in done.stderr


def test_enough_room_goes_on_to_create_the_environment(tmp_path: Path) -> None:
    # tmpfs sizes are limits, not allocations; `false` as the interpreter stops the run right after
    # the check, where the environment would be created.
    done = run_setup(tmp_path, "test,neural", project_size="20g", python="false")
    assert done.returncode not in (0, NO_ROOM), done.stderr
    assert "not enough disk" not in done.stderr


def test_the_check_can_be_skipped(tmp_path: Path) -> None:
    done = run_setup(tmp_path, "test", project_size="50m", python="false", skip_check=True)
    assert done.returncode not in (0, NO_ROOM), done.stderr
    assert "not enough disk" not in done.stderr
