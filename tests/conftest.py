"""Shared test fixtures: where the repo's samples and the shared development corpus are."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnpolicy.records import Document

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO / "corpora"
SHARED = REPO.parent / "shared" / "corpus"


@pytest.fixture
def shared_corpus() -> Path:
    """The real-world development set (../shared/corpus), or skip when this checkout lacks it."""
    if not SHARED.is_dir():
        pytest.skip(f"shared development corpus not present at {SHARED}")
    return SHARED


@pytest.fixture
def corpora() -> Path:
    return CORPORA


# Folders of documents bundled with the project (corpora/realgold holds gold files only).
BUNDLED_FOLDERS = tuple(
    p for p in sorted(CORPORA.iterdir()) if p.is_dir() and p.name not in {"gold", "realgold"}
)


@pytest.fixture(scope="session")
def bundled_documents() -> dict[str, list[Document]]:
    """Every bundled corpus (corpora/*) and the shared reform set, extracted once, by folder."""
    from cnpolicy.quality.coverage import documents_of

    folders = [*BUNDLED_FOLDERS, *([SHARED / "reform"] if SHARED.is_dir() else [])]
    return {"/".join(f.parts[-2:]): list(documents_of(f)) for f in folders}
