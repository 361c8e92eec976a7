"""HTML reading: charset, main text (trafilatura, lxml fallback), title, date and publisher.

Navigation, widgets and footers are left out; info lines give date and publisher, then go.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from cnpolicy.config import IngestOptions
from cnpolicy.dates import parse_date
from cnpolicy.errors import CorruptFileError, EmptyDocumentError
from cnpolicy.ingest.clean import is_furniture_line, strip_fragments, strip_furniture
from cnpolicy.ingest.info import (
    INFO_LINE_MAX_CHARS,
    clean_publisher,
    holds_only_info,
    labelled_address,
    lexicon,
    source_value,
    web_address,
)
from cnpolicy.ingest.raw import RawText
from cnpolicy.ingest.text import decode_text

__all__ = [
    "BREAK",
    "CHARSET_WINDOW",
    "FALLBACK_SKIP_TAGS",
    "FALLBACK_SKIP_WORDS",
    "HEAD_LINES",
    "HEAD_LINE_MAX_CHARS",
    "HTML_BLOCKS",
    "HTML_SKIP",
    "INFO_WINDOW_LINES",
    "NOISY_LOGGERS",
    "TRAFILATURA_BLOCKS",
    "TRAFILATURA_SKIP",
    "declared_charset",
    "fallback_text",
    "find_date",
    "find_info_line",
    "find_publisher",
    "find_title",
    "find_url",
    "main_text",
    "meta_tags",
    "parse_date",
    "read_html",
    "restore_breaks",
    "strip_site_suffix",
    "visible_lines",
]

# <meta charset> must sit in the first 1024 bytes (HTML5 §13.2.3.2); old CMS pages put it
# after long <script> blocks, so we look four times as far.
CHARSET_WINDOW = 4096
# The info line ("来源:… 发布时间:…") follows the title within a few lines: title, subtitle,
# info line, sometimes a summary box. Six lines cover every layout we have seen.
INFO_WINDOW_LINES = 6
# Lines of extracted text above the article heading are banners and menus when each is this
# short and none ends a sentence; we look for the heading among this many leading lines.
HEAD_LINES = 10
HEAD_LINE_MAX_CHARS = 40
# Dates outside these years are misreadings (a phone number, an ID).
NOISY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")

BREAK = "\n"
TRAFILATURA_BLOCKS = frozenset({"p", "head", "list", "item", "quote", "code", "div", "main", "row"})
TRAFILATURA_SKIP = frozenset({"graphic", "comments", "fn", "note"})
HTML_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd"}
    | {"table", "tr", "section", "article", "header", "footer", "nav", "aside", "blockquote"}
    | {"pre", "form", "center", "main", "figure", "figcaption", "address", "hr", "title", "body"}
)
HTML_SKIP = frozenset(
    {"script", "style", "noscript", "template", "iframe", "select", "option", "button", "input"}
    | {"textarea", "svg", "object", "embed", "canvas", "map", "head"}
)
# Extra tags and class/id words left out of the lxml fallback (trafilatura does its own).
FALLBACK_SKIP_TAGS = frozenset({"nav", "header", "footer", "aside", "form"})
FALLBACK_SKIP_WORDS = re.compile(
    r"nav|menu|footer|header|crumb|share|comment|related|search|login|banner|sidebar|copyright"
    r"|toolbar|pager|print|bottom|foot|topbar|links",
    re.IGNORECASE,
)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)""",
    re.IGNORECASE,
)
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?")
_SPACES = re.compile(r"\s+")
_SITE_SEPARATORS = re.compile(r"\s*_+\s*|\s*[|｜]\s*|\s+[-–—]+\s+|(?<!\d)-(?!\d)")


def read_html(data: bytes, *, source: str, limits: IngestOptions | None = None) -> RawText:
    """Read an HTML page: its main text (one paragraph a line), title, date and publisher."""
    text, encoding = decode_text(data, source=source, declared=declared_charset(data))
    markup = _XML_DECLARATION.sub("", text, count=1)
    tree = _parse(markup, source=source)
    meta = meta_tags(tree)
    page_lines = visible_lines(tree)
    title = find_title(tree, meta)
    body = _post_filter(main_text(markup, tree), title)
    return RawText(
        text=body,
        format="html",
        title=title,
        date=find_date(page_lines, title, meta),
        publisher=find_publisher(page_lines, title, meta),
        encoding=encoding,
        info=find_info_line(page_lines, title),
        url=find_url(tree, meta, page_lines),
    )


def find_url(tree: Any, meta: dict[str, str], lines: list[str]) -> str | None:
    """The page's own address: <link rel=canonical>, an address <meta> (og:url), or an info
    line's 原文链接; only absolute http(s) addresses (a relative one says nothing on its own)."""
    for element in tree.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split():
            found = web_address(element.get("href"))
            if found:
                return found
    for name in lexicon().url_meta:
        found = web_address(meta.get(name))
        if found:
            return found
    short = (line for line in lines if len(line) <= INFO_LINE_MAX_CHARS)
    return next((found for found in map(labelled_address, short) if found), None)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta> (or its XML declaration), if any."""
    match = _META_CHARSET.search(data[:CHARSET_WINDOW])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("ascii").lower()


def _parse(markup: str, *, source: str) -> Any:
    if not markup.strip():
        raise EmptyDocumentError("the page is empty (no markup or text)", source=source)
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as error:
        raise CorruptFileError(
            f"cannot parse the HTML ({error}): expected a web page", source=source
        ) from None


# --- main text --------------------------------------------------------------------------------


def main_text(markup: str, tree: Any) -> str:
    """The article text: trafilatura's extraction, or the lxml fallback when it finds nothing."""
    with _quiet_loggers():
        xml = trafilatura.extract(
            markup,
            output_format="xml",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            deduplicate=False,
        )
    text = _trafilatura_text(xml) if xml else ""
    if not text.strip():
        return fallback_text(tree)
    return restore_breaks(text, visible_lines(tree))


def restore_breaks(text: str, page_lines: list[str]) -> str:
    """Split extracted lines that run several page blocks together (trafilatura's baseline
    extraction of short pages joins them with spaces) back into those blocks."""
    index: dict[str, list[int]] = {}
    compact_lines = [_compact(line) for line in page_lines]
    for number, compact in enumerate(compact_lines):
        if compact:
            index.setdefault(compact[0], []).append(number)
    out: list[str] = []
    for line in text.split("\n"):
        key = _compact(line)
        span = _matching_span(key, compact_lines, index.get(key[:1], []))
        out.extend(page_lines[span[0] : span[1]] if span else [line])
    return "\n".join(out)


def _matching_span(key: str, compact_lines: list[str], starts: list[int]) -> tuple[int, int] | None:
    """(i, j) with compact_lines[i:j] (two or more) joining exactly to key, else None."""
    for start in starts:
        joined, end = "", start
        while end < len(compact_lines) and len(joined) < len(key):
            joined += compact_lines[end]
            end += 1
            if not key.startswith(joined):
                break
        if joined == key and end - start >= 2:
            return start, end
    return None


def _trafilatura_text(xml: str) -> str:
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return ""  # the caller falls back to the lxml extraction
    main = root.find("main")
    if main is None:
        return ""
    tokens = _flatten(
        main, blocks=TRAFILATURA_BLOCKS, table=("table", "row", "cell"), skip_tags=TRAFILATURA_SKIP
    )
    return _join_tokens(list(tokens))


def fallback_text(tree: Any) -> str:
    """Text of the page's block elements, without scripts, menus, headers and footers."""
    body = tree.find("body")
    root = body if body is not None else tree
    tokens = _flatten(root, blocks=HTML_BLOCKS, table=("table", "tr", "td"), skip=_fallback_skip)
    return _join_tokens(list(tokens))


def visible_lines(tree: Any) -> list[str]:
    """Every visible line of the page (menus and footers included), whitespace collapsed."""
    body = tree.find("body")
    root = body if body is not None else tree
    text = _join_tokens(list(_flatten(root, blocks=HTML_BLOCKS, table=("table", "tr", "td"))))
    return [line for line in text.split("\n") if line]


def _fallback_skip(element: Any) -> bool:
    if element.tag in FALLBACK_SKIP_TAGS:
        return True
    marks = f"{element.get('class', '')} {element.get('id', '')}"
    return bool(FALLBACK_SKIP_WORDS.search(marks))


def _flatten(
    element: Any,
    *,
    blocks: frozenset[str],
    table: tuple[str, str, str],
    skip_tags: frozenset[str] = HTML_SKIP,
    skip: Any = None,
) -> Iterator[str]:
    """Text and BREAK tokens of an element: blocks and <br>/<lb> break lines, table rows
    become one line with cells joined by a tab (or one block per cell holding paragraphs)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or tag in skip_tags or (skip is not None and skip(element)):
        return
    if tag in ("br", "lb"):
        yield BREAK
        return
    if tag == table[1]:
        yield from _row_tokens(element, blocks=blocks, table=table, skip_tags=skip_tags, skip=skip)
        return
    block = tag in blocks or tag in table
    if block:
        yield BREAK
    if element.text:
        yield element.text
    for child in element:
        yield from _flatten(child, blocks=blocks, table=table, skip_tags=skip_tags, skip=skip)
        if child.tail:
            yield child.tail
    if block:
        yield BREAK


def _row_tokens(
    row: Any,
    *,
    blocks: frozenset[str],
    table: tuple[str, str, str],
    skip_tags: frozenset[str],
    skip: Any,
) -> Iterator[str]:
    cell_tags = {table[2], "th"}
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in cell_tags]
    texts = [
        _join_tokens(list(_flatten(c, blocks=blocks, table=table, skip_tags=skip_tags, skip=skip)))
        for c in cells
    ]
    filled = [t for t in texts if t]
    if len(filled) <= 1 or any("\n" in t for t in filled):
        for text in filled:
            yield BREAK
            yield text
            yield BREAK
        return
    yield BREAK
    yield "\t".join(t.replace("\t", " ") for t in texts)
    yield BREAK


def _join_tokens(tokens: Sequence[str]) -> str:
    """Join tokens into lines: whitespace collapsed inside a line (tabs kept), no empty lines."""
    lines = "".join(tokens).split("\n")
    tidy = (
        "\t".join(_SPACES.sub(" ", cell).strip() for cell in line.split("\t")) for line in lines
    )
    return "\n".join(line for line in tidy if line.strip())


def _post_filter(text: str, title: str | None) -> str:
    """Drop what trafilatura leaves: banners above the heading, widget and footer lines, and
    info lines wherever they stand (read_html has taken date and publisher from the page)."""
    lines = [strip_fragments(line) for line in text.split("\n")]
    lines = [
        line for line in lines if line and not is_furniture_line(line) and not holds_only_info(line)
    ]
    lines = _drop_above_heading(lines, title)
    return strip_furniture("\n".join(lines))


def _drop_above_heading(lines: list[str], title: str | None) -> list[str]:
    """When the heading is among the first lines and only short non-sentences precede it."""
    if not title:
        return lines
    key = _compact(title)
    for index, line in enumerate(lines[:HEAD_LINES]):
        if _compact(line) == key or (len(key) >= 4 and key in _compact(line)):
            above = lines[:index]
            if all(len(a) <= HEAD_LINE_MAX_CHARS and not a.endswith("。") for a in above):
                return lines[index:]
            return lines
    return lines


# --- title, date, publisher ------------------------------------------------------------------


def meta_tags(tree: Any) -> dict[str, str]:
    """<meta name|property|http-equiv=… content=…> as a dict (first occurrence wins)."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("name") or element.get("property") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip(), _SPACES.sub(" ", content).strip())
    return found


def find_title(tree: Any, meta: dict[str, str]) -> str | None:
    """The article title: a CMS <meta> title, else the heading matching <title>, else either."""
    for name in lexicon().title_meta:
        if meta.get(name):
            return strip_site_suffix(meta[name])
    page_title = strip_site_suffix(_element_text(tree.find(".//title")))
    headings = _heading_candidates(tree)
    if page_title:
        key = _compact(page_title)
        for heading in headings:
            candidate = _compact(heading)
            if candidate == key or (len(key) >= 4 and (key in candidate or candidate in key)):
                return heading if len(candidate) >= len(key) else page_title
        return page_title
    return next((h for h in headings if not _looks_like_site_name(h)), None)


def strip_site_suffix(title: str | None) -> str | None:
    """Drop the site name: "标题_机构编制网", "标题 - XX市人民政府", "XX网|标题" → "标题"."""
    if not title:
        return None
    parts = [p.strip() for p in _SITE_SEPARATORS.split(title) if p and p.strip()]
    if not parts:
        return None
    content = [p for p in parts if not _looks_like_site_name(p)] or parts
    best = max(content, key=len) if len(parts) > 1 else parts[0]
    return best or None


def _looks_like_site_name(text: str) -> bool:
    return any(text.endswith(word) for word in lexicon().site_words) and len(text) <= 20


def _heading_candidates(tree: Any) -> list[str]:
    path = (
        "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title')"
        " or contains(@class,'tit') or contains(@class,'biaoti') or contains(@class,'headline')]"
    )
    texts = (_element_text(e) for e in tree.xpath(path))
    return [t for t in texts if t]


def _element_text(element: Any) -> str:
    if element is None:
        return ""
    return _SPACES.sub(" ", element.text_content()).strip()


def find_date(lines: list[str], title: str | None, meta: dict[str, str]) -> str | None:
    """ISO date from the info line under the title, a labelled date anywhere, or <meta>."""
    window = _info_window(lines, title)
    labels = lexicon().date_labels
    for candidates in (window, [line for line in lines if len(line) <= INFO_LINE_MAX_CHARS]):
        for label in labels:
            found = _labelled_date(candidates, label)
            if found:
                return found
        if candidates is window:
            found = next((d for d in map(parse_date, window) if d), None)
            if found:
                return found
    return next((d for d in (parse_date(meta.get(n, "")) for n in lexicon().date_meta) if d), None)


def find_publisher(lines: list[str], title: str | None, meta: dict[str, str]) -> str | None:
    """The 来源/发布机构 of the info line under the title, of any short line, or of <meta>."""
    window = _info_window(lines, title)
    short = [line for line in lines if len(line) <= INFO_LINE_MAX_CHARS]
    for candidates in (window, short):
        for label in lexicon().publisher_labels:
            found = _labelled_value(candidates, label)
            if found:
                return found
    for name in lexicon().publisher_meta:
        value = clean_publisher(meta.get(name))
        if value:
            return value
    return None


def find_info_line(lines: list[str], title: str | None) -> str | None:
    """The page's info line: one holding only info fields, under the title or else anywhere."""
    window = _info_window(lines, title)
    short = [line for line in lines if len(line) <= INFO_LINE_MAX_CHARS]
    return next((line for line in (*window, *short) if holds_only_info(line)), None)


def _info_window(lines: list[str], title: str | None) -> list[str]:
    if not title:
        return []
    key = _compact(title)
    for index, line in enumerate(lines):
        compact = _compact(line)
        if compact == key or (len(key) >= 4 and key in compact and len(line) <= 2 * len(title)):
            window = lines[index + 1 : index + 1 + INFO_WINDOW_LINES]
            return [w for w in window if len(w) <= INFO_LINE_MAX_CHARS]
    return []


def _labelled_date(lines: list[str], label: str) -> str | None:
    pattern = re.compile(rf"{re.escape(label)}\s*[:：]\s*")
    for line in lines:
        for match in pattern.finditer(line):
            found = _DATE.match(line, match.end())
            if found:
                return parse_date(found.group())
    return None


def _labelled_value(lines: list[str], label: str) -> str | None:
    pattern = re.compile(rf"(?<![\w]){re.escape(label)}\s*[:：]\s*(.*)")
    for line in lines:
        match = pattern.search(line)
        value = source_value(match.group(1)) if match else None
        if value:
            return value
    return None


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


@contextmanager
def _quiet_loggers() -> Iterator[None]:
    """Silence the extraction libraries' logging (they warn about every odd page)."""
    loggers = [logging.getLogger(name) for name in NOISY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
