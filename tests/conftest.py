"""Shared test fixtures: where the repo's samples and the shared development corpus are."""

from __future__ import annotations

from pathlib import Path

import pytest

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
