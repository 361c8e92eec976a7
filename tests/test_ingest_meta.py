"""Documents come out with the titles, dates, regions and types their answer files give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnpolicy.ingest import ingest_bytes
from tests.conftest import CORPORA, SHARED

SHARED_META = SHARED / "meta.json"
CORPORA_META = CORPORA / "meta.json"


def shared_cases() -> list[tuple[str, dict[str, str]]]:
    if not SHARED_META.is_file():
        return []
    meta = json.loads(SHARED_META.read_text("utf-8"))
    return sorted(meta.items())


def locate(stem: str) -> Path | None:
    for folder in ("reform", "sanding"):
        path = SHARED / folder / f"{stem}.txt"
        if path.is_file():
            return path
    return None


@pytest.mark.parametrize(("stem", "expected"), shared_cases() or [("absent", {})])
def test_shared_documents_match_meta(stem: str, expected: dict[str, str]) -> None:
    if not SHARED_META.is_file():
        pytest.skip(f"shared development corpus not present at {SHARED}")
    path = locate(stem)
    assert path is not None, f"{stem} listed in meta.json but not found"
    document = ingest_bytes(path.read_bytes(), source=str(path))
    assert document.title == expected["title"]
    assert document.date == expected.get("date")
    assert document.doc_type == expected["doc_type"]
    assert document.region is not None and document.region.name == expected["region"]
    assert document.region.code == expected.get("region_code")
    if "publisher" in expected:
        assert document.publisher == expected["publisher"]


HELDOUT = CORPORA / "heldout"


def corpora_cases() -> list[tuple[str, dict[str, str]]]:
    """Samples listed in corpora/meta.json and in the held-out set's own meta.json."""
    cases = []
    for folder in (CORPORA, HELDOUT):
        meta = folder / "meta.json"
        if meta.is_file():
            prefix = folder.relative_to(CORPORA).as_posix()
            for name, expected in json.loads(meta.read_text("utf-8")).items():
                key = f"{prefix}/{name}" if prefix != "." else name
                cases.append((key, expected))
    return sorted(cases)


@pytest.mark.parametrize(("name", "expected"), corpora_cases())
def test_corpora_samples_match_meta(name: str, expected: dict[str, str]) -> None:
    path = CORPORA / name
    document = ingest_bytes(path.read_bytes(), source=str(path))
    assert document.title == expected["title"]
    assert document.date == expected.get("date")
    assert document.doc_type == expected["doc_type"]
    assert document.region is not None and document.region.name == expected["region"]
    assert document.region.code == expected.get("region_code")
    if expected.get("publisher"):
        assert document.publisher == expected["publisher"]
