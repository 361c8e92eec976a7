"""Budgets before work: a file over one (size, characters, PDF pages, a DOCX part's inflated size
or ratio) gets its own TooLargeError naming the limit and the option that raises it; the batch
goes on; the API answers 413."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from reportlab.pdfgen.canvas import Canvas

from cnpolicy.cli import main
from cnpolicy.config import IngestOptions
from cnpolicy.errors import TooLargeError
from cnpolicy.ingest import read_raw

TEXT = "湛江市推进机构改革\n市级机构从61个减到49个,编制精简率14.8%。\n"


def a_pdf(pages: int) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(pages):
        for line in range(5):
            words = (
                f"Part {n + 1}.{line}: the county reduced its offices by {n + line + 10} percent."
            )
            canvas.drawString(72, 720 - 40 * line - 7 * n, words)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def a_docx(extra: tuple[str, bytes] | None = None) -> bytes:
    document = docx.Document()
    document.add_paragraph(TEXT)
    out = io.BytesIO()
    document.save(out)
    if extra is None:
        return out.getvalue()
    bombed = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(bombed, "w", zipfile.ZIP_DEFLATED) as to:
        for item in source.infolist():
            to.writestr(item, source.read(item))
        to.writestr(extra[0], extra[1])
    return bombed.getvalue()


def test_text_over_the_character_budget() -> None:
    with pytest.raises(TooLargeError, match="--max-chars") as caught:
        read_raw(TEXT.encode() * 20, source="long.txt", options=IngestOptions(max_chars=100))
    assert caught.value.source == "long.txt"
    assert read_raw(TEXT.encode(), source="short.txt", options=IngestOptions(max_chars=100)).text


def test_pdf_pages_counted_before_they_are_read() -> None:
    with pytest.raises(TooLargeError, match=r"5 pages .* limit of 3 .*--max-pages"):
        read_raw(a_pdf(5), source="many.pdf", options=IngestOptions(max_pages=3))
    assert (
        "Part 3.2" in read_raw(a_pdf(3), source="few.pdf", options=IngestOptions(max_pages=3)).text
    )


def test_pdf_characters_counted_as_pages_stream() -> None:
    with pytest.raises(TooLargeError, match="--max-chars"):
        read_raw(a_pdf(6), source="long.pdf", options=IngestOptions(max_chars=120))


def test_a_docx_part_that_inflates_too_far_is_refused_before_it_is_read() -> None:
    bomb = a_docx(("word/media/zeros.bin", b"\0" * (3 * 1024 * 1024)))
    with pytest.raises(TooLargeError, match=r"zeros\.bin inflates .*--max-inflate-ratio"):
        read_raw(bomb, source="bomb.docx", options=IngestOptions())
    big = a_docx(("word/media/noise.bin", bytes(range(256)) * 8192))  # 2 MB, barely compressible
    with pytest.raises(TooLargeError, match=r"noise\.bin inflates to .*--max-inflated-mb"):
        read_raw(big, source="big.docx", options=IngestOptions(max_inflated_bytes=1024 * 1024))
    assert "编制精简率" in read_raw(a_docx(), source="ok.docx", options=IngestOptions()).text


def test_the_cli_reports_the_budget_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "1-long.txt").write_text(TEXT * 20, encoding="utf-8")
    (tmp_path / "2-short.txt").write_text(TEXT, encoding="utf-8")
    code = main(["extract", str(tmp_path), "--max-chars", "200"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert lines[0]["kind"] == "TooLargeError" and "--max-chars" in lines[0]["error"]
    assert lines[1]["metrics"], "the batch went on"


def test_the_api_answers_413_naming_the_budget(tmp_path: Path) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from cnpolicy.api.app import create_app
    from cnpolicy.api.settings import Settings
    from cnpolicy.config import Options
    from cnpolicy.search.sqlite.store import SqliteStore

    store = SqliteStore(tmp_path / "s.db")
    options = replace(Options(), ingest=IngestOptions(max_chars=200))
    client = TestClient(create_app(store, settings=Settings(options=options)))
    answer = client.post("/documents", files={"files": ("long.txt", (TEXT * 20).encode())})
    assert answer.status_code == 413, answer.text
    assert "--max-chars" in answer.text
    store.close()
