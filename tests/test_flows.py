"""The flow: documents for the index are segmented in the worker that extracted them, into exactly
what segmenting them again in the parent gives; extract, index and uploads share the chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnpolicy.config import ExtractOptions, Options
from cnpolicy.flows import (
    Failure,
    InMemoryFile,
    index_files,
    iter_sources,
    prepare_in_memory,
    run_batch,
    run_batch_with_bytes,
)
from cnpolicy.records import Document
from cnpolicy.search.backend import prepare
from cnpolicy.search.sources import MAX_SOURCE_BYTES, source_file
from cnpolicy.search.sqlite.store import SqliteStore
from tests.conftest import CORPORA


@pytest.mark.parametrize("jobs", [1, 2])
def test_documents_are_segmented_once_where_they_were_extracted(jobs: int) -> None:
    sources = iter_sources([CORPORA / "reform", CORPORA / "sanding"])
    options = Options(extract=ExtractOptions(entities=False), jobs=jobs)
    batch = list(run_batch_with_bytes(sources, options, keep_up_to=MAX_SOURCE_BYTES,
                                      for_index=True))  # fmt: skip
    assert len(batch) == len(sources) > 5
    for path, processed in zip(sources, batch, strict=True):
        document = processed.result
        assert isinstance(document, Document) and processed.prepared is not None
        assert processed.data is None  # the bytes travel once, inside the prepared document
        again = prepare(document, source=source_file(path.read_bytes(), document))
        assert processed.prepared == again


def test_extract_index_and_uploads_give_the_same_documents(tmp_path: Path) -> None:
    sources = iter_sources([CORPORA / "reform"])
    options = Options(extract=ExtractOptions(entities=False))
    extracted = [r for r in run_batch(sources, options) if isinstance(r, Document)]
    uploaded = prepare_in_memory([InMemoryFile(str(p), p.read_bytes()) for p in sources], options)
    assert [p.document for p in uploaded] == extracted
    with SqliteStore(tmp_path / "s.db") as store:
        outcome = index_files(sources, store, options, keep_up_to=0)
        assert outcome.report.indexed == len(sources) and not outcome.failures
        assert [store.get(d.id) for d in extracted] == extracted


def test_index_files_reports_failures_and_goes_on(tmp_path: Path) -> None:
    good = sorted((CORPORA / "reform").glob("*.txt"))[0]
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n not a pdf")
    seen: list[Failure] = []
    with SqliteStore(tmp_path / "s.db") as store:
        outcome = index_files([bad, good], store, Options(), keep_up_to=0, on_failure=seen.append)
        assert outcome.report.indexed == 1 and store.count() == 1
    assert [f.source for f in outcome.failures] == [str(bad)] and seen == list(outcome.failures)
