"""detect_format: content first (magic bytes, markup), the file name second."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.config import IngestOptions
from cnpolicy.errors import EmptyDocumentError, IngestError, UnsupportedFormatError
from cnpolicy.ingest import READERS, read_raw
from cnpolicy.ingest.sniff import detect_format, sniff
from cnpolicy.ingest.text import read_text
from tests.conftest import CORPORA, SHARED

SAMPLE_SUFFIXES = {".txt": "txt", ".html": "html", ".pdf": "pdf", ".docx": "docx"}


def corpora_samples() -> list[Path]:
    return sorted(p for p in CORPORA.glob("*/*") if p.suffix in SAMPLE_SUFFIXES)


def sample(suffix: str) -> bytes:
    found = [p for p in corpora_samples() if p.suffix == suffix]
    assert found, f"no {suffix} sample in corpora/"
    return found[0].read_bytes()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("path", corpora_samples(), ids=lambda p: p.name)
def test_every_corpora_sample_is_detected_by_its_content(path: Path) -> None:
    data = path.read_bytes()
    assert detect_format(data, source=path.name) == SAMPLE_SUFFIXES[path.suffix]
    assert detect_format(data, source="no-extension") == SAMPLE_SUFFIXES[path.suffix]


@pytest.mark.parametrize(("suffix", "name"), [(".pdf", "report.txt"), (".docx", "report.zip")])
def test_content_wins_over_a_wrong_extension(suffix: str, name: str) -> None:
    assert detect_format(sample(suffix), source=name) == suffix[1:]


def test_html_is_sniffed_by_markup_even_when_named_txt() -> None:
    assert detect_format(sample(".html"), source="page.txt") == "html"
    fragment = "<p>第一段。</p><p>第二段。</p><br/>".encode()
    assert detect_format(fragment, source="fragment.txt") == "html"
    assert detect_format(b"<!DOCTYPE html><title>x</title>", source="x.txt") == "html"


def test_prose_quoting_one_tag_stays_text() -> None:
    text = "网页段落用 <p> 标记,本文讨论网站建设。".encode()
    assert detect_format(text, source="note.txt") == "txt"


def test_plain_text_named_html_is_read_as_html() -> None:
    assert detect_format("只有文字。".encode(), source="page.html") == "html"


def test_zero_bytes_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocumentError, match=r"empty\.txt"):
        detect_format(b"", source="empty.txt")


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n" + os.urandom(200), "scan.txt", "PNG image"),
        (b"\xff\xd8\xff\xe0" + os.urandom(200), "photo.pdf", "JPEG"),
        (os.urandom(4096), "notes.txt", "not text"),
        ("不是PDF的文字。".encode(), "report.pdf", "named .pdf but is not a PDF"),
        ("不是DOCX的文字。".encode(), "report.docx", "named .docx but is not a DOCX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old.doc", "legacy Office"),
        (zip_bytes({"readme.txt": b"hello"}), "archive.docx", "not a DOCX"),
        (zip_bytes({"xl/workbook.xml": b"<x/>"}), "book.xlsx", "Excel"),
        (b'<?xml version="1.0"?><data><row>1</row></data>', "data.txt", "XML"),
    ],
    ids=["png", "jpeg", "random", "fake-pdf", "fake-docx", "ole2", "zip", "xlsx", "xml"],
)
def test_unsupported_data_is_refused_naming_source_and_expectation(
    data: bytes, name: str, expected: str
) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        detect_format(data, source=name)
    message = str(caught.value)
    assert name in message and expected in message


def test_a_truncated_docx_still_goes_to_the_docx_reader() -> None:
    data = sample(".docx")
    assert detect_format(data[: len(data) // 2], source="cut.docx") == "docx"


def test_an_encrypted_office_file_goes_to_the_docx_reader() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le")
    assert detect_format(ole, source="secret.docx") == "docx"


def test_a_pdf_header_after_a_little_junk_is_still_a_pdf() -> None:
    assert detect_format(b"\r\n  " + sample(".pdf"), source="x.bin") == "pdf"


def _read_raw_as_first_written(data: bytes, source: str) -> object:
    """read_raw before the sniffer's decoding was reused: the format's reader on the bytes."""
    try:
        return READERS[detect_format(data, source=source)]()(data, source=source)
    except IngestError as error:
        return type(error), error.message


def _read_raw_now(data: bytes, source: str) -> object:
    try:
        return read_raw(data, source=source, options=IngestOptions())
    except IngestError as error:
        return type(error), error.message


def _text_files() -> list[Path]:
    folders = (CORPORA, SHARED)
    return sorted(p for f in folders if f.is_dir() for p in f.rglob("*") if p.suffix == ".txt")


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: p.name)
def test_read_raw_of_a_text_file_is_what_its_reader_gives(path: Path) -> None:
    data = path.read_bytes()
    assert sniff(data, source=path.name).format == "txt"
    assert _read_raw_now(data, path.name) == _read_raw_as_first_written(data, path.name)
    assert _read_raw_now(data, path.name) == read_text(data, source=path.name)


@given(
    st.one_of(
        st.text(alphabet="机构改革\r\n 。<p>ab\x00\ufeff", max_size=40).map(str.encode),
        st.text(alphabet="机构改革\r\n 。ab", max_size=40).map(lambda t: t.encode("gb18030")),
        st.binary(max_size=40),
    ),
    st.sampled_from(["a.txt", "a.html", "a"]),
)
@settings(max_examples=500, deadline=None)
def test_read_raw_is_what_the_readers_give_on_any_bytes(data: bytes, source: str) -> None:
    assert _read_raw_now(data, source) == _read_raw_as_first_written(data, source)
