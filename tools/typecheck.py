"""Run mypy over the installed layout: cnpolicy/ with ingest/, extract/, search/, api/ inside.

The code folders install as cnpolicy.<name> through setuptools package-dir, which mypy cannot
follow, so this builds a tree of symlinks with that layout under .venv/typecheck and checks it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = ("ingest", "extract", "search", "api")


def build_tree() -> Path:
    tree = ROOT / ".venv" / "typecheck"
    shutil.rmtree(tree, ignore_errors=True)
    package = tree / "cnpolicy"
    package.mkdir(parents=True)
    for entry in (ROOT / "cnpolicy").iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name in SUBPACKAGES:
        (package / name).symlink_to(ROOT / name)
    return tree


def main() -> int:
    tree = build_tree()
    targets = [str(tree / "cnpolicy"), str(ROOT / "tests"), str(ROOT / "tools")]
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    return subprocess.call([*command, *targets], cwd=tree)


if __name__ == "__main__":
    sys.exit(main())
