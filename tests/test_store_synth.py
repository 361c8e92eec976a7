"""The synthetic corpus generator, its script, and the store benchmark at a tiny size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cnpolicy.ingest import ingest_bytes
from cnpolicy.quality.synth import document_at, file_text, generate, write_corpus
from cnpolicy.records import Document

REPO = Path(__file__).resolve().parent.parent


def test_documents_are_reproducible_and_varied() -> None:
    first = list(generate(30, seed=4))
    assert first == list(generate(30, seed=4))
    assert document_at(17, seed=4) == first[17]
    assert len({d.id for d in first}) == 30
    assert len({d.region.code for d in first if d.region}) > 20
    assert len({d.date[:4] for d in first if d.date}) > 4
    assert list(generate(5, seed=5)) != list(generate(5, seed=4))


def test_records_point_into_their_text() -> None:
    kinds = set()
    for document in generate(80, seed=9):
        kinds.add(document.doc_type)
        assert document.region is not None and document.region.code
        for metric in document.metrics:
            assert document.text[metric.start : metric.end] == metric.text
            assert metric.text in metric.sentence and metric.sentence in document.text
        for section in document.sections:
            assert document.text[section.start :].startswith(section.title)
        if document.sanding:
            assert document.sanding.department and document.sanding.department in document.text
            assert all(b.name in document.text for b in document.sanding.internal_bodies)
        if document.duplicate_of:
            assert document.duplicate_of != document.id
    assert kinds == {"reform_report", "sanding"}


def test_generation_streams() -> None:
    stream = generate(10**9, seed=1)  # a billion: only what is taken is made
    assert isinstance(next(stream), Document)


def test_files_read_back_through_ingest(tmp_path: Path) -> None:
    for path in write_corpus(tmp_path, 5, seed=2):
        original = document_at(int(path.stem), seed=2)
        read = ingest_bytes(path.read_bytes(), source=str(path))
        assert read.title == original.title
        assert read.date == original.date
        assert read.text.strip() == original.text.strip()
        assert file_text(original).startswith(original.title or "")


def test_generate_script(tmp_path: Path) -> None:
    out = tmp_path / "records.jsonl"
    done = subprocess.run(
        [sys.executable, str(REPO / "corpora" / "generate.py"), "--count", "3", "--format", "jsonl",
         "--output", str(out)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [Document.from_dict(json.loads(line)) for line in out.read_text("utf-8").splitlines()]
    assert records == list(generate(3))


def test_benchmark_runs_at_a_tiny_size(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "bench_store.py"), "--documents", "60", "--jobs", "1",
         "--queries", "20", "--store", str(tmp_path / "b.db")],
        capture_output=True, text=True, check=False, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["indexing"]["documents"] == 60 == figures["store_documents"]
    assert figures["search"]["queries"] == 20
    assert figures["search"]["ours_p50_ms"] > 0 and figures["search"]["bare_p50_ms"] > 0
