"""Format detection: which reader a file's bytes need (txt, html, pdf, docx), content first.

Magic bytes and markup decide; the file name only breaks ties and sharpens error messages.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from cnpolicy.errors import DecodeError, EmptyDocumentError, UnsupportedFormatError
from cnpolicy.ingest.normalize import DATA_DIR
from cnpolicy.ingest.text import decode_text

__all__ = [
    "DOCX_MAIN_PART",
    "ENCRYPTED_PACKAGE",
    "EXTENSIONS",
    "MARKUP_WINDOW",
    "MIN_MARKUP_TAGS",
    "OLE2_HEADER",
    "PDF_HEADER_WINDOW",
    "ZIP_HEADERS",
    "Sniffed",
    "detect_format",
    "sniff",
]

# PDF readers accept the %PDF- header anywhere in the first 1024 bytes (PDF 1.7, annex H.3),
# and files with a few bytes of junk before it exist in the wild.
PDF_HEADER_WINDOW = 1024
_PDF_HEADER = re.compile(rb"%PDF-\d")
ZIP_HEADERS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted DOCX/XLSX is an OLE2 container with this stream (MS-OFFCRYPTO), in UTF-16LE.
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
DOCX_MAIN_PART = "word/document.xml"
# Markup is looked for in this many leading characters: doctype, <html>, <head> and the first
# paragraphs of any real page fall well inside 64 K (the <head> of portal pages runs to ~30 K).
MARKUP_WINDOW = 64 * 1024
# Without a document-level tag, this many HTML tags make a fragment HTML: one "<p>" quoted in
# prose is not markup, while a saved fragment ("<p>…</p><p>…</p>") has at least 3-4.
MIN_MARKUP_TAGS = 3
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".htm": "html",
    ".html": "html",
    ".shtml": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}

_DOCUMENT_TAG = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:p|div|br|table|tr|td|th|span|a|h[1-6]|ul|ol|li|font|center|strong|b|i|em|img|meta"
    r"|title|script|style|link|section|article)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Sniffed:
    """A file's format, and for text the (text, encoding) `decode_text` gave while looking."""

    format: str
    decoded: tuple[str, str] | None = None


def detect_format(data: bytes, *, source: str) -> str:
    """Return "txt", "html", "pdf" or "docx" for these bytes, or raise an IngestError.

    EmptyDocumentError for 0 bytes; UnsupportedFormatError for binary data of another kind,
    a ZIP that is not a DOCX, a legacy .doc, or a name (.pdf/.docx) the bytes contradict.
    """
    return sniff(data, source=source).format


def sniff(data: bytes, *, source: str) -> Sniffed:
    """`detect_format`, with the decoded text of a text file (its reader need not decode it
    again)."""
    if not data:
        raise EmptyDocumentError("the file is empty (0 bytes)", source=source)
    suffix = PurePath(source).suffix.lower()
    if _PDF_HEADER.search(data[:PDF_HEADER_WINDOW]):
        return Sniffed("pdf")
    if data.startswith(ZIP_HEADERS):
        return Sniffed(_zip_format(data, source=source))
    if data.startswith(OLE2_HEADER):
        return Sniffed(_ole2_format(data, source=source))
    _reject_known_binary(data, source=source, suffix=suffix)
    if suffix == ".pdf":
        raise UnsupportedFormatError(
            "named .pdf but is not a PDF (no %PDF- header in the first 1024 bytes)", source=source
        )
    if suffix == ".docx":
        raise UnsupportedFormatError(
            "named .docx but is not a DOCX (not a ZIP package holding word/document.xml)",
            source=source,
        )
    return _text_format(data, source=source, suffix=suffix)


def _zip_format(data: bytes, *, source: str) -> str:
    """ "docx" for a Word package (a truncated one too: the reader reports it corrupt)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        if DOCX_MAIN_PART.encode() in data or b"word/" in data:
            return "docx"
        raise UnsupportedFormatError(
            "a damaged ZIP archive, not a DOCX: expected txt, HTML, PDF or DOCX", source=source
        ) from None
    if DOCX_MAIN_PART in names:
        return "docx"
    raise UnsupportedFormatError(
        f"{_describe_zip(names)}, not a DOCX (no {DOCX_MAIN_PART}): "
        "expected txt, HTML, PDF or DOCX",
        source=source,
    )


def _describe_zip(names: set[str]) -> str:
    if any(n.startswith("xl/") for n in names):
        return "an Excel workbook (.xlsx)"
    if any(n.startswith("ppt/") for n in names):
        return "a PowerPoint deck (.pptx)"
    if "mimetype" in names:
        return "an OpenDocument/EPUB file"
    return "a ZIP archive"


def _ole2_format(data: bytes, *, source: str) -> str:
    """An encrypted Office file goes to the DOCX reader (which says so); a .doc is refused."""
    if ENCRYPTED_PACKAGE in data:
        return "docx"
    raise UnsupportedFormatError(
        "a legacy Office file (.doc/.xls/.ppt, OLE2 format): save it as DOCX or PDF first",
        source=source,
    )


def _reject_known_binary(data: bytes, *, source: str, suffix: str) -> None:
    for magic, what in _magic_table().items():
        if data.startswith(magic):
            named = f"named {suffix} but is " if suffix else "is "
            raise UnsupportedFormatError(
                f"{named}{what}: expected txt, HTML, PDF or DOCX", source=source
            )


@cache
def _magic_table() -> dict[bytes, str]:
    raw = json.loads((DATA_DIR / "magic.json").read_text(encoding="utf-8"))
    return {bytes.fromhex(key): value for key, value in raw.items() if not key.startswith("_")}


def _text_format(data: bytes, *, source: str, suffix: str) -> Sniffed:
    """ "html" when the decoded text carries markup (or is named .html), else "txt"."""
    try:
        decoded = decode_text(data, source=source)
    except (UnsupportedFormatError, DecodeError) as error:
        named = f"named {suffix} but " if suffix else ""
        raise UnsupportedFormatError(
            f"{named}not text, HTML, PDF or DOCX ({error.message})", source=source
        ) from None
    head = decoded[0][:MARKUP_WINDOW]
    if _DOCUMENT_TAG.search(head) or len(_HTML_TAG.findall(head)) >= MIN_MARKUP_TAGS:
        return Sniffed("html", decoded)
    if head.lstrip().startswith("<?xml"):
        raise UnsupportedFormatError(
            "an XML document without HTML markup: expected txt, HTML, PDF or DOCX", source=source
        )
    return Sniffed("html" if EXTENSIONS.get(suffix) == "html" else "txt", decoded)
