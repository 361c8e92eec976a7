"""Ingestion: any policy file in (txt, HTML, PDF, DOCX as bytes), one clean, described Document out.

`ingest_bytes` sniffs the format, runs its reader, normalises and cleans the text, then describes it.
"""

from __future__ import annotations

from collections.abc import Callable

from cnpolicy.config import IngestOptions
from cnpolicy.errors import EmptyDocumentError, FileTooLargeError, TooLargeError
from cnpolicy.ingest.clean import strip_furniture
from cnpolicy.ingest.describe import describe
from cnpolicy.ingest.normalize import normalize
from cnpolicy.ingest.raw import RawText
from cnpolicy.ingest.sniff import sniff
from cnpolicy.ingest.text import raw_text
from cnpolicy.records import Document

__all__ = ["READERS", "clean_text", "ingest_bytes", "read_raw"]

Reader = Callable[..., RawText]


# Each reader is imported when its format is first read: a folder of text files never loads
# pdfplumber, python-docx or trafilatura (together a quarter of a one-file run's start-up).
def _text_reader() -> Reader:
    from cnpolicy.ingest.text import read_text

    return read_text


def _html_reader() -> Reader:
    from cnpolicy.ingest.html import read_html

    return read_html


def _pdf_reader() -> Reader:
    from cnpolicy.ingest.pdf import read_pdf

    return read_pdf


def _docx_reader() -> Reader:
    from cnpolicy.ingest.docx import read_docx

    return read_docx


# The reader table: format (as `sniff` names it) → the loader of its reader.
READERS: dict[str, Callable[[], Reader]] = {
    "txt": _text_reader,
    "html": _html_reader,
    "pdf": _pdf_reader,
    "docx": _docx_reader,
}


def read_raw(data: bytes, *, source: str, options: IngestOptions) -> RawText:
    """Sniff the format and run its reader (size limit checked first)."""
    if len(data) > options.max_bytes:
        raise FileTooLargeError(
            f"{len(data):,} bytes is over the limit of {options.max_bytes:,} bytes "
            "(raise it with --max-mb)",
            source=source,
        )
    sniffed = sniff(data, source=source)
    if sniffed.format == "txt" and sniffed.decoded is not None:
        raw = raw_text(*sniffed.decoded)  # what read_text gives, without decoding again
    else:
        raw = READERS[sniffed.format]()(data, source=source, limits=options)
    if len(raw.text) > options.max_chars:
        raise TooLargeError(
            f"{len(raw.text):,} characters of text is over the limit of {options.max_chars:,} "
            "(raise it with --max-chars)",
            source=source,
        )
    return raw


def clean_text(text: str) -> str:
    """Normalise, then strip site furniture, then normalise again (stripping can join lines;
    when it removed nothing the text is already normalised: normalize is idempotent)."""
    normalized = normalize(text)
    stripped = strip_furniture(normalized)
    return normalized if stripped == normalized else normalize(stripped)


def ingest_bytes(data: bytes, *, source: str, options: IngestOptions | None = None) -> Document:
    """One file's bytes → a cleaned, described Document (no entities or metrics yet)."""
    raw = read_raw(data, source=source, options=options or IngestOptions())
    text = clean_text(raw.text)
    if not text.strip():
        raise EmptyDocumentError("no text left once the page furniture was removed", source=source)
    document = describe(raw, text, source=source)
    if not document.text.strip():
        raise EmptyDocumentError(
            "no body text: only a title or an info line (来源, 发布日期 …) was found", source=source
        )
    return document
