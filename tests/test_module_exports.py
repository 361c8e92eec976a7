"""Every public module of the package says what it exports: a top-level `__all__` naming only
what the module defines or imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The folders installed as cnpolicy and its stages (pyproject.toml, package-dir).
PACKAGE_FOLDERS = ("cnpolicy", "ingest", "extract", "search", "api")
# Run as a script (`python -m cnpolicy`), never imported.
SCRIPTS = {"__main__.py"}


def list_modules() -> list[Path]:
    return sorted(
        path
        for folder in PACKAGE_FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if path.name not in SCRIPTS
    )


def read_exports(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            assert isinstance(value, ast.List | ast.Tuple), "__all__ is a literal list"
            return [
                element.value
                for element in value.elts
                if isinstance(element, ast.Constant) and isinstance(element.value, str)
            ]
    return None


def list_top_level_names(tree: ast.Module) -> set[str]:
    """Names the module binds, and those its module-level __getattr__ serves lazily."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            if node.name == "__getattr__":
                names.update(
                    constant.value
                    for constant in ast.walk(node)
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str)
                )
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def test_the_package_has_modules() -> None:
    assert len(list_modules()) > 50


@pytest.mark.parametrize("path", list_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_declares_all(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exports = read_exports(tree)
    assert exports is not None, f"{path.relative_to(ROOT)} has no __all__"
    unknown = set(exports) - list_top_level_names(tree)
    assert not unknown, f"{path.relative_to(ROOT)}: __all__ names {sorted(unknown)}"
