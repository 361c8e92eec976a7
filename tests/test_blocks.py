"""Long documents run in blocks of whole paragraphs: offsets stay document-wide, the figures are
those of a whole-document run, and spaCy's length ceiling is never reached."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from cnpolicy.config import Options
from cnpolicy.extract import extract_document
from cnpolicy.extract.blocks import BLOCK_CHARS, block_bounds, run_in_blocks
from cnpolicy.extract.pipeline import get_nlp
from cnpolicy.extract.run import extract_block
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document
from tests.conftest import CORPORA

OPTIONS = Options()


def long_document() -> Document:
    """The bundled reform reports' texts one after another, as one document: real paragraphs,
    places and figures."""
    files = sorted(p for p in CORPORA.rglob("*") if p.suffix in (".txt", ".html"))
    documents = [ingest_bytes(p.read_bytes(), source=str(p)) for p in files]
    assert documents, "corpora/reform holds reports"
    text = "\n".join(d.text for d in documents)
    return replace(documents[0], text=text, sections=())


def test_blocks_cover_the_text_and_end_at_paragraphs() -> None:
    text = long_document().text
    bounds = block_bounds(text, 1000)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(end - start <= 1000 for start, end in bounds)
    assert all(text[end - 1] in "\n。" for _, end in bounds[:-1])
    assert block_bounds(text, len(text)) == [(0, len(text))]


def test_a_blocked_run_finds_the_figures_of_a_whole_run() -> None:
    document = long_document()
    whole = extract_document(document, OPTIONS.extract)
    entities, metrics = run_in_blocks(document, lambda b: extract_block(b, OPTIONS.extract), 1500)
    assert len(block_bounds(document.text, 1500)) > 5
    assert metrics == whole.metrics
    assert set(entities) <= set(whole.entities)  # abbreviations taught earlier are not carried
    assert len(entities) >= 0.98 * len(whole.entities)
    for m in metrics:
        assert document.text[m.start : m.end] == m.text


def test_a_text_over_a_block_is_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    import cnpolicy.extract.blocks as blocks

    monkeypatch.setattr(blocks, "BLOCK_CHARS", 4000)
    document = extract_document(long_document(), OPTIONS.extract)
    assert document.metrics
    assert all(document.text[m.start : m.end] == m.text for m in document.metrics)
    assert all(document.text[e.start : e.end] == e.text for e in document.entities)


def test_spacy_s_ceiling_is_set_on_purpose_above_every_block() -> None:
    assert get_nlp(OPTIONS.extract).max_length >= BLOCK_CHARS


def test_the_pipeline_never_sees_more_than_a_block(tmp_path: Path) -> None:
    """A text longer than spaCy's default ceiling (1,000,000 characters) is extracted, not an
    error: each block stays under the ceiling."""
    text = long_document().text
    repeated = "\n".join([text] * (1_100_000 // len(text) + 1))
    bounds = block_bounds(repeated)
    assert len(repeated) > 1_000_000 and len(bounds) == 2
    assert max(end - start for start, end in bounds) <= get_nlp(OPTIONS.extract).max_length
