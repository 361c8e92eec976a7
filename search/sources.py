"""Original files kept beside their documents: the record, its media type, and the size cap.

The bytes travel from the pipeline's edge to a store inside `backend.Prepared`, never inside a
`Document` (the JSONL contract stays text and records only).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import PurePath, PureWindowsPath

from cnpolicy.records import Document

__all__ = [
    "CHARSET_NAMES",
    "FALLBACK_NAME",
    "MAX_NAME_CHARS",
    "MAX_SOURCE_BYTES",
    "MEDIA_TYPES",
    "SourceFile",
    "SourceInfo",
    "charset_name",
    "file_name",
    "media_type_of",
    "source_file",
]

# Originals larger than this are not kept (the document is still indexed, its text served in
# their place). Policy texts with a text layer are well under 5 MB (our largest sample PDF is
# ~0.1 MB, a 200-page yearbook chapter ~4 MB); files above 20 MB are scans or archives that
# would grow the store several-fold for little use, and on Elasticsearch a kept file travels
# base64-encoded (x 4/3) in a bulk request that must stay under the server's default
# http.max_content_length of 100 MB.
MAX_SOURCE_BYTES = 20 * 1024 * 1024
# Media type of each format the readers accept (ingest/sniff.py decides the format from bytes).
MEDIA_TYPES = {
    "txt": "text/plain",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Python codec names whose IANA charset name differs (what a Content-Type header must carry).
CHARSET_NAMES = {"utf-8-sig": "utf-8", "cp1252": "windows-1252", "cp936": "gbk"}
# Longest file name kept with an original: the API's upload label limit (api/uploads.py).
MAX_NAME_CHARS = 120
FALLBACK_NAME = "source"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a store knows of a kept original without reading its bytes."""

    name: str
    media_type: str
    size: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A document's original file: its bytes, media type (with charset for text) and file name.

    `name` is a file name only (the last component of the source label), never a path.
    """

    name: str
    media_type: str
    data: bytes

    @property
    def info(self) -> SourceInfo:
        return SourceInfo(self.name, self.media_type, len(self.data))


def file_name(label: str) -> str:
    """The last component of a source label (POSIX or Windows path, URL), without control chars."""
    name = PureWindowsPath(PurePath(label).name).name
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[-MAX_NAME_CHARS:] or FALLBACK_NAME


def charset_name(encoding: str | None) -> str | None:
    """The IANA name of a Python codec (`gb18030`, `utf-16-le` → `utf-16le`), None if unknown."""
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    name = CHARSET_NAMES.get(name, name)
    return name.replace("utf-16-", "utf-16").replace("utf-32-", "utf-32")


def media_type_of(document: Document) -> str:
    """The media type of the file a document was read from; text formats name their charset."""
    base = MEDIA_TYPES.get(document.format, "application/octet-stream")
    charset = charset_name(document.encoding) if base.startswith("text/") else None
    return f"{base}; charset={charset}" if charset else base


def source_file(
    data: bytes, document: Document, *, limit: int = MAX_SOURCE_BYTES
) -> SourceFile | None:
    """The original to keep with a document, or None when it is empty or over `limit` bytes."""
    if not data or len(data) > limit:
        return None
    return SourceFile(file_name(document.source), media_type_of(document), data)
