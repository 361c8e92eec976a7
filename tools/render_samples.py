"""Render the sample sources in tools/sample_sources/<dir>/ into corpora/<dir>/ (PDF, DOCX, encoded
text); a dev script run by hand, never by the tests. The naming convention and the line markup are
described in tools/sample_sources/README.md. Output is byte-for-byte deterministic (idempotent).
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from cnpolicy.errors import CnpolicyError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "tools" / "sample_sources"
CORPORA = ROOT / "corpora"

PageStyle = Literal["of_total", "dash", "emdash", "slash", "none"]
PAGE_STYLES: tuple[str, ...] = ("of_total", "dash", "emdash", "slash", "none")
BlockKind = Literal["title", "heading", "centre", "right", "flush", "body", "table", "space"]

# --- PDF geometry ----------------------------------------------------------------------------
# GB/T 9704 (the national layout standard for official documents) sets a 156 × 225 mm type area
# with 37 mm top, 28 mm left margins and 22 lines of 28 characters in 16 pt; we keep its margins
# and use 15 pt body text so a line holds ~29 characters, as in printed reports.
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM  # A4
MARGIN_LEFT, MARGIN_RIGHT = 28 * MM, 26 * MM
MARGIN_TOP, MARGIN_BOTTOM = 37 * MM, 35 * MM
BODY_SIZE = 15.0
LINE_GAP = 1.9  # line height as a multiple of the font size (≈ 28.5 pt, 22 lines a page)
TITLE_SIZE = 21.0  # 二号 (22 pt) is the standard title size; one point less fits long titles
HEADING_SIZES = {1: 16.5, 2: 15.5, 3: 15.0}
FURNITURE_SIZE = 10.5  # 五号, the usual size of running headers and page numbers
HEADER_OFFSET = 16 * MM  # running header baseline, measured down from the top edge
FOOTER_OFFSET = 18 * MM  # page number baseline, measured up from the bottom edge
CELL_PADDING = 4.0
# Characters a line may not start with (they hang at the end of the previous line instead) and
# characters a line may not end with (they move to the next line): the usual 避头尾 rules.
NO_LINE_START = frozenset("，。、；：？！）》」』”’…%％·")
NO_LINE_END = frozenset("（《「『“‘")
# The embedded TrueType font (Debian fonts-wqy-microhei); without it we fall back to Adobe's
# STSong-Light CID font, which viewers supply themselves (not embedded, but extracts the same).
TTF_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
EMBEDDED_FONT, CID_FONT = "WenQuanYiMicroHei", "STSong-Light"
# Fixed timestamps keep rendered files identical from run to run.
FIXED_ZIP_TIME = (2021, 1, 1, 0, 0, 0)
FIXED_CREATED = datetime(2021, 1, 1, 0, 0, 0)

DIRECTIVE = re.compile(r"^#!\s*([a-z_]+)\s*:\s*(.*?)\s*$")
TABLE_RULE = re.compile(r"^\|[\s:|-]+\|$")


class SampleSourceError(CnpolicyError):
    """A sample source that does not follow tools/sample_sources/README.md."""


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level unit of a source: its kind, text, level (headings) or rows (tables)."""

    kind: BlockKind
    text: str = ""
    level: int = 0
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A source file split into its leading `#! key: value` directives and its body lines."""

    directives: dict[str, str]
    lines: tuple[str, ...]


@dataclass(slots=True)
class _Line:
    """A laid-out line of a PDF page."""

    text: str
    x: float
    y: float
    size: float


@dataclass(slots=True)
class _Page:
    lines: list[_Line] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)


# --- sources ---------------------------------------------------------------------------------


def parse_source(text: str) -> Source:
    """Split leading `#! key: value` lines off a source; the rest is the body, line by line."""
    lines = text.lstrip("\ufeff").splitlines()
    directives: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = DIRECTIVE.match(lines[index])
        if not match:
            break
        directives[match.group(1)] = match.group(2)
        index += 1
    return Source(directives=directives, lines=tuple(lines[index:]))


def parse_blocks(paragraphs: Sequence[str]) -> list[Block]:
    """Turn marked-up lines (see README) into blocks; consecutive `| … |` lines form one table."""
    blocks: list[Block] = []
    rows: list[tuple[str, ...]] = []
    for raw in paragraphs:
        line = raw.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            if not TABLE_RULE.match(line):
                rows.append(tuple(cell.strip() for cell in line[1:-1].split("|")))
            continue
        if rows:
            blocks.append(Block(kind="table", rows=tuple(rows)))
            rows = []
        blocks.append(classify_line(line))
    if rows:
        blocks.append(Block(kind="table", rows=tuple(rows)))
    return blocks


def classify_line(line: str) -> Block:
    """One non-table source line as a block, by its leading marker."""
    if not line.strip():
        return Block(kind="space")
    heading = re.match(r"^(#{1,4}) (.+)$", line)
    if heading:
        level = len(heading.group(1))
        if level == 1:
            return Block(kind="title", text=heading.group(2).strip())
        return Block(kind="heading", text=heading.group(2).strip(), level=level - 1)
    for marker, kind in (("^ ", "centre"), ("> ", "right"), ("= ", "flush")):
        if line.startswith(marker):
            return Block(kind=kind, text=line[len(marker) :].strip())  # type: ignore[arg-type]
    if line.startswith("\\"):
        line = line[1:]
    return Block(kind="body", text=line.strip())


def block_texts(blocks: Iterable[Block]) -> list[str]:
    """The visible text of the blocks, one string per paragraph or table cell, in reading order."""
    texts: list[str] = []
    for block in blocks:
        if block.kind == "table":
            texts.extend(cell for row in block.rows for cell in row)
        elif block.kind != "space":
            texts.append(block.text)
    return texts


# --- PDF -------------------------------------------------------------------------------------


def register_font() -> str:
    """Register the Chinese font for reportlab and return its name (embedded TTF when present)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    for name in (EMBEDDED_FONT, CID_FONT):
        if name in registered:
            return name
    for candidate in TTF_CANDIDATES:
        if candidate.is_file():
            pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(candidate), subfontIndex=0))
            return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def wrap_text(text: str, width: float, first_width: float, font: str, size: float) -> list[str]:
    """Break text into lines no wider than `width` (the first `first_width`), anywhere between
    characters as CJK typesetting does (so a number may split across a line end), honouring
    the 避头尾 rules."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current, used, limit = "", 0.0, first_width
    for char in text:
        char_width = stringWidth(char, font, size)
        if current and used + char_width > limit and char not in NO_LINE_START:
            carry = ""
            while len(current) > 1 and current[-1] in NO_LINE_END:
                carry, current = current[-1] + carry, current[:-1]
            lines.append(current)
            current, limit = carry, width
            used = stringWidth(carry, font, size)
        current += char
        used += char_width
    if current:
        lines.append(current)
    return lines


def page_label(style: str, number: int, total: int) -> str | None:
    """The footer text of page `number` of `total` in one of PAGE_STYLES."""
    labels = {
        "of_total": f"第 {number} 页 共 {total} 页",
        "dash": f"- {number} -",
        "emdash": f"— {number} —",
        "slash": f"{number}/{total}",
    }
    if style not in PAGE_STYLES:
        raise SampleSourceError(f"page style {style!r} is not one of {', '.join(PAGE_STYLES)}")
    return labels.get(style)


class _Layout:
    """Places blocks on pages top to bottom; a page ends when the next line would not fit."""

    def __init__(self, font: str) -> None:
        self.font = font
        self.width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
        self.pages: list[_Page] = [_Page()]
        self.y = PAGE_HEIGHT - MARGIN_TOP

    def measure(self, text: str, size: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, self.font, size))

    def advance(self, height: float) -> None:
        if self.y - height < MARGIN_BOTTOM:
            self.pages.append(_Page())
            self.y = PAGE_HEIGHT - MARGIN_TOP
        self.y -= height

    def place(self, text: str, size: float, align: str, indent: float = 0.0) -> None:
        self.advance(size * LINE_GAP)
        text_width = self.measure(text, size)
        if align == "centre":
            x = MARGIN_LEFT + (self.width - text_width) / 2
        elif align == "right":
            x = MARGIN_LEFT + self.width - text_width - 2 * size
        else:
            x = MARGIN_LEFT + indent
        self.pages[-1].lines.append(_Line(text=text, x=x, y=self.y, size=size))

    def paragraph(self, block: Block) -> None:
        if block.kind == "space":
            self.advance(BODY_SIZE * 0.6)
            return
        size = {"title": TITLE_SIZE, "heading": HEADING_SIZES.get(block.level, BODY_SIZE)}.get(
            block.kind, BODY_SIZE
        )
        align = {"title": "centre", "centre": "centre", "right": "right"}.get(block.kind, "left")
        indent = 2 * size if block.kind in ("body", "heading") else 0.0
        first = self.width - indent if align == "left" else self.width - 4 * size
        for number, line in enumerate(wrap_text(block.text, self.width, first, self.font, size)):
            self.place(line, size, align, indent if number == 0 else 0.0)
        if block.kind == "title":
            self.advance(BODY_SIZE * 0.8)

    def table(self, block: Block) -> None:
        columns = max(len(row) for row in block.rows)
        cell_width = self.width / columns
        height = BODY_SIZE * LINE_GAP
        size = BODY_SIZE * 0.8
        for row in block.rows:
            for cell in row:
                if self.measure(cell, size) > cell_width - 2 * CELL_PADDING:
                    raise SampleSourceError(
                        f"table cell {cell!r} is too wide for {columns} columns"
                    )
            self.advance(height)
            page = self.pages[-1]
            top, bottom = self.y + height - size * 0.6, self.y - size * 0.6
            page.rules.append((MARGIN_LEFT, top, MARGIN_LEFT + self.width, top))
            page.rules.append((MARGIN_LEFT, bottom, MARGIN_LEFT + self.width, bottom))
            for index in range(columns + 1):
                x = MARGIN_LEFT + index * cell_width
                page.rules.append((x, top, x, bottom))
            for index, cell in enumerate(row):
                x = MARGIN_LEFT + index * cell_width + CELL_PADDING
                page.lines.append(_Line(text=cell, x=x, y=self.y, size=size))


def layout_pdf(blocks: Sequence[Block], font: str) -> list[_Page]:
    """Lay the blocks out on A4 pages (body only; the furniture is added when drawing)."""
    layout = _Layout(font)
    for block in blocks:
        if block.kind == "table":
            layout.table(block)
        else:
            layout.paragraph(block)
    return layout.pages


def draw_furniture(canvas: Any, font: str, header: str | None, label: str | None) -> None:
    """The running header (with a rule under it) and the page number of the current page."""
    page_number = canvas.getPageNumber()
    canvas.setFont(font, FURNITURE_SIZE)
    if header:
        y = PAGE_HEIGHT - HEADER_OFFSET
        canvas.drawCentredString(PAGE_WIDTH / 2, y, header)
        canvas.line(MARGIN_LEFT, y - 5, PAGE_WIDTH - MARGIN_RIGHT, y - 5)
    if label:
        if label.startswith("—"):  # official style: outer edge, right on odd pages, left on even
            if page_number % 2:
                canvas.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, FOOTER_OFFSET, label)
            else:
                canvas.drawString(MARGIN_LEFT, FOOTER_OFFSET, label)
        else:
            canvas.drawCentredString(PAGE_WIDTH / 2, FOOTER_OFFSET, label)


def write_pdf(
    paragraphs: Sequence[str],
    path: Path,
    *,
    header: str | None,
    page_style: str,
    title: str | None = None,
    author: str | None = None,
) -> bytes:
    """Render marked-up paragraphs as an A4 PDF with a text layer, a running header and page
    numbers; returns the bytes (also written to `path` when they changed)."""
    from reportlab.pdfgen.canvas import Canvas

    font = register_font()
    pages = layout_pdf(parse_blocks(paragraphs), font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    canvas.setTitle(title or "")
    canvas.setAuthor(author or "")
    canvas.setCreator("Microsoft® Word 2016")
    for number, page in enumerate(pages, start=1):
        draw_furniture(canvas, font, header, page_label(page_style, number, len(pages)))
        canvas.setLineWidth(0.6)
        for x1, y1, x2, y2 in page.rules:
            canvas.line(x1, y1, x2, y2)
        for line in page.lines:
            canvas.setFont(font, line.size)
            canvas.drawString(line.x, line.y, line.text)
        canvas.showPage()
    canvas.save()
    return write_if_changed(path, buffer.getvalue())


# --- DOCX ------------------------------------------------------------------------------------


def set_east_asian_font(style: Any, name: str) -> None:
    """Give a Word style an East Asian font, as Chinese templates do (宋体/黑体/仿宋)."""
    from docx.oxml.ns import qn

    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def write_docx(
    paragraphs: Sequence[str],
    path: Path,
    *,
    title: str,
    author: str | None = None,
    created: datetime = FIXED_CREATED,
) -> bytes:
    """Render marked-up paragraphs as a DOCX: Title/Heading styles, indented body paragraphs,
    `| a | b |` tables; core properties title/author set. Returns the (deterministic) bytes."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    set_east_asian_font(document.styles["Normal"], "仿宋_GB2312")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        set_east_asian_font(document.styles[name], "黑体")
    for block in parse_blocks(paragraphs):
        if block.kind == "space":
            continue
        if block.kind == "table":
            add_docx_table(document, block.rows)
        elif block.kind == "title":
            document.add_heading(block.text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        else:
            paragraph = document.add_paragraph(block.text)
            if block.kind == "body":
                paragraph.paragraph_format.first_line_indent = Pt(2 * 16)
            elif block.kind == "centre":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.kind == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    properties = document.core_properties
    properties.title, properties.author = title, author or ""
    properties.created = properties.modified = created
    properties.last_modified_by, properties.revision = author or "", 1
    buffer = io.BytesIO()
    document.save(buffer)
    return write_if_changed(path, fix_zip_times(buffer.getvalue()))


def add_docx_table(document: Any, rows: Sequence[Sequence[str]]) -> None:
    """A grid table; the first row is the header row, in bold."""
    columns = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    for row_index, row in enumerate(rows):
        for column, text in enumerate(row):
            cell = table.cell(row_index, column)
            cell.text = text
            if row_index == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def fix_zip_times(data: bytes) -> bytes:
    """Rewrite a zip (a DOCX) with fixed member times: identical content, identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return buffer.getvalue()


# --- encoded text ----------------------------------------------------------------------------

TEXT_ENCODINGS = {"gbk": "gbk", "utf16": "utf-16", "bom": "utf-8-sig"}


def write_text(text: str, path: Path, *, encoding: str, newline: str = "\n") -> bytes:
    """Write text in an encoding ('gbk', 'utf-16' with BOM, 'utf-8-sig' …) with the given line
    ending; a character the encoding cannot hold is an error, never a silent '?'."""
    body = text.replace("\r\n", "\n").replace("\n", newline)
    try:
        data = body.encode(encoding)
    except UnicodeEncodeError as error:
        bad = body[error.start : error.end]
        raise SampleSourceError(
            f"{bad!r} cannot be encoded as {encoding}", source=str(path)
        ) from error
    return write_if_changed(path, data)


def write_if_changed(path: Path, data: bytes) -> bytes:
    """Write bytes unless the file already holds exactly them (keeps mtimes and git quiet)."""
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return data


# --- driving ---------------------------------------------------------------------------------


def target_for(source: Path, out_dir: Path) -> Path | None:
    """The corpora file a source renders to, by the README's convention (None: not a source)."""
    parts = source.name.split(".")
    if len(parts) < 3 or parts[-1] not in ("txt", "html"):
        return None
    stem, kind = ".".join(parts[:-2]), parts[-2]
    if kind in ("pdf", "docx"):
        return out_dir / f"{stem}.{kind}"
    if kind in TEXT_ENCODINGS:
        return out_dir / f"{stem}.{parts[-1]}"
    return None


def render_file(source: Path, out_dir: Path) -> Path:
    """Render one source into out_dir and return the written path."""
    target = target_for(source, out_dir)
    if target is None:
        raise SampleSourceError(
            "name does not follow NAME.(pdf|docx|gbk|utf16|bom).txt", source=str(source)
        )
    parsed = parse_source(source.read_text(encoding="utf-8"))
    options = parsed.directives
    kind = source.name.split(".")[-2]
    if kind == "pdf":
        write_pdf(
            parsed.lines,
            target,
            header=options.get("header"),
            page_style=options.get("page", "of_total"),
            title=options.get("pdf_title"),
            author=options.get("author"),
        )
        check_pdf(target, parsed.lines, options.get("header"), options.get("page", "of_total"))
    elif kind == "docx":
        if "title" not in options:
            raise SampleSourceError(
                "a DOCX source needs a '#! title: …' directive", source=str(source)
            )
        created = (
            datetime.fromisoformat(options["created"]) if "created" in options else FIXED_CREATED
        )
        write_docx(
            parsed.lines,
            target,
            title=options["title"],
            author=options.get("author"),
            created=created,
        )
    else:
        newline = "\r\n" if options.get("newline") == "crlf" else "\n"
        text = "\n".join(parsed.lines) + "\n"
        write_text(text, target, encoding=TEXT_ENCODINGS[kind], newline=newline)
    return target


def pdf_body_lines(path: Path, header: str | None, page_style: str) -> list[list[str]]:
    """The text lines of each page as pdfplumber extracts them, running header and page
    number left out."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        pages = [(page.extract_text() or "").splitlines() for page in pdf.pages]
    total = len(pages)
    bodies: list[list[str]] = []
    for number, lines in enumerate(pages, start=1):
        if header and lines and lines[0].strip() == header:
            lines = lines[1:]
        label = page_label(page_style, number, total)
        if label and lines and lines[-1].strip() == label:
            lines = lines[:-1]
        bodies.append(lines)
    return bodies


def check_pdf(path: Path, paragraphs: Sequence[str], header: str | None, page_style: str) -> None:
    """Extract the PDF again and check every paragraph's text comes back once the body lines are
    joined; print the page count and the numbers split across a line end."""
    pages = pdf_body_lines(path, header, page_style)
    if len(pages) < 2:
        print(f"warning: {path.name} has only {len(pages)} page", file=sys.stderr)
    joined = "".join(re.sub(r"\s", "", line) for page in pages for line in page)
    for text in block_texts(parse_blocks(paragraphs)):
        if re.sub(r"\s", "", text) not in joined:
            raise SampleSourceError(f"text not extracted back: {text[:40]!r}", source=str(path))
    lines = [line for page in pages for line in page]
    splits = [
        f"{a[-4:]}|{b[:4]}"
        for a, b in itertools.pairwise(lines)
        if a and b and a[-1].isdigit() and b[0].isdigit()
    ]
    print(f"{path.relative_to(ROOT)}: {len(pages)} pages; numbers split at line ends: {splits}")


def sources_in(root: Path, names: Sequence[str]) -> list[Path]:
    """Every source file under root (or only those whose directory or file name is listed)."""
    found = sorted(p for p in root.rglob("*") if p.is_file() and target_for(p, p.parent))
    if not names:
        return found
    wanted = set(names)
    return [
        p for p in found if wanted & {p.parent.name, p.name, (target_for(p, p.parent) or p).stem}
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("only", nargs="*", help="directories (reform, sanding …) or file names")
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--out", type=Path, default=CORPORA)
    args = parser.parse_args(argv)
    try:
        for source in sources_in(args.sources, args.only):
            out_dir = args.out / source.parent.relative_to(args.sources)
            target = render_file(source, out_dir)
            print(f"{source.relative_to(args.sources)} -> {target}")
    except CnpolicyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
