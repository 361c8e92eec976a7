"""Every real report in ../shared/corpus/real goes through extraction with no failure, and lands
in the place and type its meta.json gives (a mechanical gate: no annotation involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnpolicy.config import ExtractOptions
from cnpolicy.extract import extract_document
from cnpolicy.gazetteer import NATION_CODE
from cnpolicy.ingest import ingest_bytes
from tests.conftest import SHARED

REAL = SHARED / "real"


def real_documents() -> list[tuple[Path, dict[str, object]]]:
    found: list[tuple[Path, dict[str, object]]] = []
    if not REAL.is_dir():
        return found
    for meta_path in sorted(REAL.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        found.extend(
            (meta_path.parent / f"{stem}.txt", facts) for stem, facts in sorted(meta.items())
        )
    return found


DOCUMENTS = real_documents()


@pytest.mark.slow
@pytest.mark.skipif(not DOCUMENTS, reason=f"real reports not present at {REAL}")
@pytest.mark.parametrize(("path", "facts"), DOCUMENTS, ids=[p.stem for p, _ in DOCUMENTS])
def test_a_real_report_is_processed_and_placed_and_typed_as_its_meta_says(
    path: Path, facts: dict[str, object]
) -> None:
    document = extract_document(
        ingest_bytes(path.read_bytes(), source=str(path)), ExtractOptions(sanding=False)
    )
    assert document.region is not None
    assert document.region.name == facts["region"]
    assert document.region.code == (facts["region_code"] or NATION_CODE)
    assert document.doc_type == facts["doc_type"]
    assert document.metrics, "a work report states figures"
    for metric in document.metrics:
        assert document.text[metric.start : metric.end] == metric.text


def test_the_real_set_is_whole_when_present() -> None:
    if not REAL.is_dir():
        pytest.skip(f"real reports not present at {REAL}")
    assert len(DOCUMENTS) == 77
