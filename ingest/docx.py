"""DOCX reading with python-docx: paragraphs and tables in document order, title from core
properties. A table row becomes one line, its cells joined by a tab.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from functools import cache
from typing import Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from cnpolicy.config import IngestOptions
from cnpolicy.errors import (
    CorruptFileError,
    EncryptedFileError,
    TooLargeError,
    UnsupportedFormatError,
)
from cnpolicy.ingest.normalize import read_data_lines
from cnpolicy.ingest.raw import RawText

__all__ = [
    "CELL_PARAGRAPH_SEPARATOR",
    "CELL_SEPARATOR",
    "ENCRYPTED_PACKAGE",
    "MIN_RATIO_CHECK_BYTES",
    "OLE2_HEADER",
    "W_NS",
    "check_inflated_size",
    "core_title",
    "default_titles",
    "read_docx",
    "table_lines",
]

# Cells of a table row are joined by a TAB: normalize() keeps tabs (a run of spaces holding a
# tab becomes one tab) while NFKC would turn an ideographic space "　" into an ordinary space,
# indistinguishable from a space inside a cell. Paragraphs inside one cell are joined by a space.
CELL_SEPARATOR = "\t"
CELL_PARAGRAPH_SEPARATOR = " "
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _SDT = f"{{{W_NS}}}p", f"{{{W_NS}}}tbl", f"{{{W_NS}}}sdt"
_SDT_CONTENT = f"{{{W_NS}}}sdtContent"


@cache
def default_titles() -> frozenset[str]:
    """Core-property titles that templates and tools leave behind (data/docx_default_titles.txt)."""
    return frozenset(line.strip().casefold() for line in read_data_lines("docx_default_titles.txt"))


def read_docx(data: bytes, *, source: str, limits: IngestOptions | None = None) -> RawText:
    """Read a DOCX: body paragraphs and table rows in order (one a line), title if set."""
    if data.startswith(OLE2_HEADER):
        if ENCRYPTED_PACKAGE in data:
            raise EncryptedFileError(
                "the DOCX is password-protected: expected an unencrypted document", source=source
            )
        raise UnsupportedFormatError(
            "a legacy Word .doc (OLE2), not a DOCX: save it as DOCX first", source=source
        )
    check_inflated_size(data, source=source, limits=limits or IngestOptions())
    document = _open(data, source=source)
    try:
        lines = list(_body_lines(document.element.body))
    except (etree.LxmlError, ValueError, KeyError) as error:
        raise CorruptFileError(
            f"damaged document body ({error}): expected a DOCX", source=source
        ) from None
    return RawText(text="\n".join(lines), format="docx", title=core_title(document))


def check_inflated_size(data: bytes, *, source: str, limits: IngestOptions) -> None:
    """Every part's inflated size and ratio, read from the zip directory before any is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError):
        return  # not a zip: _open names the damage
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.max_inflated_bytes:
            raise TooLargeError(
                f"part {part.filename} inflates to {part.file_size:,} bytes, over the limit of "
                f"{limits.max_inflated_bytes:,} (raise it with --max-inflated-mb)",
                source=source,
            )
        if part.file_size > MIN_RATIO_CHECK_BYTES and ratio > limits.max_inflate_ratio:
            raise TooLargeError(
                f"part {part.filename} inflates {ratio:,.0f}× (a zip bomb?), over the limit of "
                f"{limits.max_inflate_ratio}× (raise it with --max-inflate-ratio)",
                source=source,
            )


# Parts smaller than this are not checked for their ratio: a tiny XML of repeated tags
# compresses far more than 100× and is harmless.
MIN_RATIO_CHECK_BYTES = 1024 * 1024


def _open(data: bytes, *, source: str) -> Any:
    try:
        return docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, EOFError, zlib.error) as error:
        raise CorruptFileError(
            f"not a readable DOCX package ({type(error).__name__}: {error}); "
            "expected an intact Word document",
            source=source,
        ) from None
    except etree.LxmlError as error:
        raise CorruptFileError(
            f"damaged XML inside the DOCX ({error}): expected an intact Word document",
            source=source,
        ) from None
    except ValueError as error:
        raise UnsupportedFormatError(
            f"not a Word document ({error}): expected a DOCX", source=source
        ) from None


def core_title(document: Any) -> str | None:
    """The core-properties title, unless empty or a template/tool default."""
    title = (document.core_properties.title or "").strip()
    if not title or title.casefold() in default_titles():
        return None
    return " ".join(title.split())


def _body_lines(body: Any) -> Iterator[str]:
    """Lines of the body's block items in order; content controls (w:sdt) are looked into."""
    for element in _blocks(body):
        if element.tag == _P:
            text = Paragraph(element, body).text
            yield from (line.strip() for line in text.split("\n") if line.strip())
        else:
            yield from table_lines(Table(element, body))


def _blocks(parent: Any) -> Iterator[Any]:
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content)


def table_lines(table: Any) -> Iterator[str]:
    """One line per row: cell texts joined by a tab; merged cells once; empty rows skipped.

    A cell holding a nested table contributes that table's rows as lines of their own.
    """
    for row in table.rows:
        cells: list[str] = []
        seen: set[Any] = set()
        nested: list[str] = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(_cell_text(cell))
            for inner in cell.tables:
                nested.extend(table_lines(inner))
        if any(cells):
            yield CELL_SEPARATOR.join(cells)
        yield from nested


def _cell_text(cell: Any) -> str:
    parts = (" ".join(p.text.split()) for p in cell.paragraphs)
    return CELL_PARAGRAPH_SEPARATOR.join(part for part in parts if part)
