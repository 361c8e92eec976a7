"""PDF reading with pdfplumber: lines by position, running headers/footers and page numbers
removed, lines wrapped at the page width joined back into paragraphs.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import statistics
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from cnpolicy.config import IngestOptions
from cnpolicy.errors import (
    CnpolicyError,
    CorruptFileError,
    EncryptedFileError,
    NoTextLayerError,
    TooLargeError,
)
from cnpolicy.ingest.normalize import ends_sentence, join_wrapped, load_patterns, starts_paragraph
from cnpolicy.ingest.raw import RawText

__all__ = [
    "CENTRED_WRAP_EMS",
    "CENTRE_TOLERANCE_EMS",
    "EDGE_LINES",
    "HEADING_GAP_EMS",
    "HEADING_PUNCTUATION",
    "HEADING_SIZE_RATIO",
    "INDENT_EMS",
    "MAX_CID_SHARE",
    "MAX_HEADING_CHARS",
    "MAX_INDENT_EMS",
    "MIN_INDENTED_LINES",
    "MIN_INDENTED_SHARE",
    "MIN_REPEAT_SHARE",
    "PARAGRAPH_GAP_RATIO",
    "POSITION_TOLERANCE",
    "RIGHT_MARGIN_EMS",
    "RIGHT_MARGIN_PERCENTILE",
    "Geometry",
    "Line",
    "continues",
    "is_heading_line",
    "is_page_number",
    "join_paragraphs",
    "measure",
    "page_number_patterns",
    "read_pdf",
    "remove_page_furniture",
]

# Running headers and footers are looked for among this many lines at the top and the bottom
# of each page: a header may have a rule or a second line (document title + chapter).
EDGE_LINES = 2
# A header/footer line repeats on at least this share of the pages (and on two at least):
# alternating odd/even headers each appear on half the pages.
MIN_REPEAT_SHARE = 0.5
# Two edge lines are "the same place" when their tops differ by at most this many points
# (identical templates give identical positions; 6 pt absorbs rounding and font changes).
POSITION_TOLERANCE = 6.0
# A line "reaches the right margin" when it ends within this many character widths of it:
# CJK lines fall short by up to two characters when a closing mark may not start the next
# line or an opening mark may not end this one (避头尾), and digits are narrower than hanzi.
RIGHT_MARGIN_EMS = 2.5
# A line after a finished sentence is a heading (not the paragraph's wrapped tail) when it has
# no punctuation, at most 20 characters, and ends at least 4 characters short of the margin.
HEADING_GAP_EMS = 4.0
MAX_HEADING_CHARS = 20
HEADING_PUNCTUATION = re.compile(r"[,。;:!?、,;:!?]")
# The right margin is this percentile of the line ends of the body text: most prose lines
# are full, while hanging punctuation pushes a few past the margin.
RIGHT_MARGIN_PERCENTILE = 0.9
# A line starting more than this many character widths right of the text's left edge is
# indented: a new paragraph (Chinese indents the first line by two characters).
INDENT_EMS = 0.5
# A document "indents its paragraphs" when at least this many body lines (and this share of
# them) start 0.5-3 characters right of the left edge: then a full line ending in "。" followed
# by a flush-left line is one paragraph running on. 2 lines / 5 %: one paragraph in 20 lines.
MAX_INDENT_EMS = 3.0
MIN_INDENTED_LINES = 2
MIN_INDENTED_SHARE = 0.05
# A centred line (subtitle, date line) wraps when it is within this many characters of the
# full text width: Word centres a wrapped paragraph's first line at (nearly) full width, and
# layouts that keep 2 characters clear on each side are 4 characters short.
CENTRED_WRAP_EMS = 5.0
# ... and it is centred when the space left and right differs by at most this many characters.
CENTRE_TOLERANCE_EMS = 1.5
# A vertical gap larger than this multiple of the usual line pitch separates paragraphs.
PARAGRAPH_GAP_RATIO = 1.4
# Lines whose font is at least this much larger than the body are headings; consecutive
# heading lines of one size are one wrapped heading.
HEADING_SIZE_RATIO = 1.15
# Text where more than this share of the characters are unmapped glyphs ("(cid:123)") has no
# usable text layer: fonts without a ToUnicode map extract as codes.
MAX_CID_SHARE = 0.3

_CID = re.compile(r"\(cid:\d+\)")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Line:
    """One text line of a page with its geometry (points, origin top-left)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int


@cache
def page_number_patterns() -> tuple[re.Pattern[str], ...]:
    """Page-number line shapes from data/page_numbers.txt."""
    return load_patterns("page_numbers.txt")


def read_pdf(data: bytes, *, source: str, limits: IngestOptions | None = None) -> RawText:
    """Read a PDF's text layer as paragraphs (one a line), without headers and page numbers."""
    pages, title = _extract_pages(data, source=source, limits=limits or IngestOptions())
    if not any(pages):
        raise NoTextLayerError(
            f"no text layer (scanned?): {len(pages)} page(s) without extractable text; "
            "expected a PDF with text (OCR it first)",
            source=source,
        )
    _check_cid_garbage(pages, source=source)
    body = remove_page_furniture(pages)
    return RawText(text="\n".join(join_paragraphs(body)), format="pdf", title=title)


def _extract_pages(
    data: bytes, *, source: str, limits: IngestOptions
) -> tuple[list[list[Line]], str | None]:
    """Every page's lines, top to bottom, and the metadata title (None: unset or junk).

    The page count is checked before any page is read, and the characters as pages stream;
    each page's layout cache is released once its lines are read, so memory holds lines only.
    """
    try:
        with _quiet_pdfminer(), pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.max_pages:
                raise TooLargeError(
                    f"{len(pdf.pages):,} pages is over the limit of {limits.max_pages:,} "
                    "(raise it with --max-pages)",
                    source=source,
                )
            pages, chars = [], 0
            for number, page in enumerate(pdf.pages):
                pages.append(_page_lines(page, number))
                page.close()
                chars += sum(len(line.text) for line in pages[-1])
                if chars > limits.max_chars:
                    raise TooLargeError(
                        f"more than {limits.max_chars:,} characters of text by page "
                        f"{number + 1} (raise the limit with --max-chars)",
                        source=source,
                    )
            title = _metadata_title(pdf.metadata)
    except CnpolicyError:
        raise
    except Exception as error:  # pdfminer raises many unrelated types on damaged files
        raise _classify(error, source=source) from None
    if not pages:
        raise CorruptFileError("a PDF with no pages: expected at least one page", source=source)
    return pages, title


def _classify(error: BaseException, *, source: str) -> CnpolicyError:
    """Map a pdfminer/pdfplumber exception (possibly wrapped) to our error tree."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
        if current is None and chain[-1].args and isinstance(chain[-1].args[0], BaseException):
            current = chain[-1].args[0]
    if any(isinstance(e, (PDFPasswordIncorrect, PDFEncryptionError)) for e in chain):
        return EncryptedFileError(
            "the PDF is password-protected: expected an unencrypted PDF", source=source
        )
    detail = f"{type(chain[-1]).__name__}: {chain[-1]}".strip()[:200]
    return CorruptFileError(
        f"the PDF is truncated or damaged ({detail}); expected a readable PDF", source=source
    )


def _metadata_title(metadata: dict[str, Any]) -> str | None:
    """The Title entry unless it is a producer's default ("Microsoft Word - x.docx", a path)."""
    title = metadata.get("Title")
    if isinstance(title, bytes):
        title = title.decode("utf-8", errors="replace")
    if not isinstance(title, str):
        return None
    title = _SPACES.sub(" ", title).strip()
    junk = re.search(r"Microsoft|\.docx?$|\.wps$|\.pdf$|^untitled|[\\/]|^无标题", title, re.I)
    return None if not title or junk else title


def _page_lines(page: Any, number: int) -> list[Line]:
    lines = []
    for raw in page.extract_text_lines(strip=True, return_chars=True):
        text = _SPACES.sub(" ", raw["text"]).strip()
        if not text:
            continue
        sizes = [c.get("size", 0.0) for c in raw["chars"] if not c["text"].isspace()]
        size = statistics.median(sizes) if sizes else raw["bottom"] - raw["top"]
        lines.append(
            Line(text, raw["x0"], raw["x1"], raw["top"], raw["bottom"], float(size), number)
        )
    return sorted(lines, key=lambda line: (round(line.top), line.x0))


def _check_cid_garbage(pages: list[list[Line]], *, source: str) -> None:
    text = "".join(line.text for page in pages for line in page)
    garbage = sum(len(m.group()) for m in _CID.finditer(text))
    if text and garbage > MAX_CID_SHARE * len(text):
        raise NoTextLayerError(
            "no usable text layer: the fonts have no Unicode mapping ((cid:N) codes); "
            "expected a PDF whose text can be copied (OCR it first)",
            source=source,
        )


# --- page furniture ---------------------------------------------------------------------------


def remove_page_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop running headers/footers (edge lines repeating across pages at the same height,
    numbers allowed to differ) and page-number lines at the page edges."""
    repeated = _repeated_edge_lines(pages)
    kept: list[list[Line]] = []
    for page in pages:
        edges = set(_edge_indices(page))
        kept.append(
            [
                line
                for index, line in enumerate(page)
                if not (index in edges and (line in repeated or is_page_number(line.text)))
            ]
        )
    return kept


def is_page_number(text: str) -> bool:
    """True for a page-number line: 第 3 页 共 6 页, - 3 -, — 3 —, 3/6, a lone 3."""
    compact = _SPACES.sub(" ", text).strip()
    return any(p.fullmatch(compact) for p in page_number_patterns())


def _edge_indices(page: list[Line]) -> Iterator[int]:
    count = len(page)
    yield from range(min(EDGE_LINES, count))
    yield from range(max(0, count - EDGE_LINES), count)


def _edge_key(line: Line) -> str:
    return _DIGITS.sub("#", _SPACES.sub("", line.text))


def _repeated_edge_lines(pages: list[list[Line]]) -> set[Line]:
    if len(pages) < 2:
        return set()
    needed = max(2, MIN_REPEAT_SHARE * len(pages))
    by_key: dict[str, list[Line]] = {}
    for page in pages:
        for index in set(_edge_indices(page)):
            by_key.setdefault(_edge_key(page[index]), []).append(page[index])
    repeated: set[Line] = set()
    for lines in by_key.values():
        if len({line.page for line in lines}) < needed:
            continue
        for line in lines:
            near = {o.page for o in lines if abs(o.top - line.top) <= POSITION_TOLERANCE}
            if len(near) >= needed:
                repeated.add(line)
    return repeated


# --- paragraphs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Geometry:
    """The body text's frame: left edge, right margin, body font size, usual line pitch."""

    left: float
    right: float
    size: float
    pitch: float
    indented: bool  # paragraphs open with a first-line indent


def measure(pages: list[list[Line]]) -> Geometry:
    """Estimate the text frame from all body lines."""
    lines = [line for page in pages for line in page]
    size = statistics.median(line.size for line in lines)
    body = [line for line in lines if abs(line.size - size) <= 0.5] or lines
    left = min(line.x0 for line in body)
    ends = sorted(line.x1 for line in body)
    right = ends[min(len(ends) - 1, int(RIGHT_MARGIN_PERCENTILE * len(ends)))]
    pitches = [
        b.top - a.top
        for page in pages
        for a, b in itertools.pairwise(page)
        if b.top > a.top and abs(a.size - size) <= 0.5
    ]
    pitch = statistics.median(pitches) if pitches else size * 1.5
    indents = sum(1 for line in body if INDENT_EMS * size < line.x0 - left <= MAX_INDENT_EMS * size)
    indented = indents >= max(MIN_INDENTED_LINES, MIN_INDENTED_SHARE * len(body))
    return Geometry(left=left, right=right, size=size, pitch=pitch, indented=indented)


def join_paragraphs(pages: list[list[Line]]) -> list[str]:
    """Join wrapped lines into paragraphs, across page breaks too."""
    lines = [line for page in pages for line in page]
    if not lines:
        return []
    frame = measure(pages)
    paragraphs: list[str] = [lines[0].text]
    for previous, line in itertools.pairwise(lines):
        if continues(previous, line, frame):
            paragraphs[-1] = join_wrapped(paragraphs[-1], line.text)
        else:
            paragraphs.append(line.text)
    return paragraphs


def is_heading_line(line: Line, frame: Geometry) -> bool:
    """A short line with no punctuation that stops well short of the right margin."""
    em = max(frame.size, 1.0)
    text = line.text.strip()
    short = line.x1 < frame.right - HEADING_GAP_EMS * em and len(text) <= MAX_HEADING_CHARS
    return short and not HEADING_PUNCTUATION.search(text)


def continues(previous: Line, line: Line, frame: Geometry) -> bool:
    """Whether `line` carries on the paragraph `previous` ends (see the module constants)."""
    if starts_paragraph(line.text):
        return False
    if _is_wrapped_heading(previous, line, frame):
        return not ends_sentence(previous.text)
    gap = line.top - previous.top
    if previous.page == line.page and gap > PARAGRAPH_GAP_RATIO * max(frame.pitch, 1.0):
        return False
    if abs(line.size - previous.size) > 0.5:
        return False
    em = max(frame.size, 1.0)
    reaches_right = previous.x1 >= frame.right - RIGHT_MARGIN_EMS * em
    if reaches_right and line.x0 <= frame.left + INDENT_EMS * em:
        if ends_sentence(previous.text) and is_heading_line(line, frame):
            return False  # "…综述如下。" then a standalone heading such as a city's name
        return frame.indented or not ends_sentence(previous.text)
    wide = previous.x1 - previous.x0 >= frame.right - frame.left - CENTRED_WRAP_EMS * em
    centred_wrap = wide and _is_centred(previous, frame) and _is_centred(line, frame)
    return centred_wrap and not ends_sentence(previous.text)


def _is_centred(line: Line, frame: Geometry) -> bool:
    """Equal space left and right of the line (within CENTRE_TOLERANCE_EMS), and not flush."""
    before, after = line.x0 - frame.left, frame.right - line.x1
    em = max(frame.size, 1.0)
    return before > INDENT_EMS * em and abs(before - after) <= CENTRE_TOLERANCE_EMS * em


def _is_wrapped_heading(previous: Line, line: Line, frame: Geometry) -> bool:
    """Two consecutive lines of the same large font: one heading wrapped over two lines."""
    large = previous.size >= HEADING_SIZE_RATIO * frame.size
    close = line.top - previous.top <= PARAGRAPH_GAP_RATIO * previous.size * 1.5
    return large and abs(line.size - previous.size) <= 0.5 and previous.page == line.page and close


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """Silence pdfminer's logging and warnings (it reports every odd object it skips)."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
