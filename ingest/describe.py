"""Describe a cleaned document: title, date, publisher, doc_type, region, sections, id.

Facts the format stated (an HTML page's <h1> and info line) win; the rest is read from the text:
the info line under the title, the signature (signing body and date) at the end, the places named.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import PurePath
from typing import Any

from cnpolicy.dates import DIGIT_DATE, SIGNATURE_DATE, parse_date
from cnpolicy.dedup import identify
from cnpolicy.gazetteer import (
    NOT_PLACES,
    UNKNOWN_PLACE,
    Division,
    Gazetteer,
    contains,
    load_gazetteer,
    nation_region,
)
from cnpolicy.ingest.info import (
    clean_publisher,
    label_pattern,
    labelled_address,
    lexicon,
    source_field,
)
from cnpolicy.ingest.normalize import DATA_DIR
from cnpolicy.ingest.raw import RawText
from cnpolicy.ingest.sections import find_sections
from cnpolicy.numerals import DIGIT_CLASS, TO_TEN_CLASS
from cnpolicy.outline import marker_of
from cnpolicy.records import Document, Region

__all__ = [
    "BYLINE",
    "BYLINE_LINES",
    "DATED_NOTE",
    "DELIVERY_LINE",
    "DOC_NUMBER_LINE",
    "HEAD_LINES",
    "ISSUER_FILE",
    "ISSUE_LINE",
    "MASTHEAD",
    "MAX_INFO_BLOCK",
    "MAX_INFO_LINE",
    "MAX_ORG_NAME",
    "MAX_TITLE",
    "MAX_TITLE_COMMAS",
    "MIN_TITLE",
    "MIN_TITLE_HANZI",
    "ORG_DATE",
    "ORG_NAME_CHARS",
    "ORG_SUFFIX",
    "RED_HEAD",
    "REGION_WORDS",
    "SELF_WORDS",
    "TAIL_LINES",
    "Head",
    "IssuerWords",
    "RegionWords",
    "classify",
    "clean_title",
    "describe",
    "drop_lines",
    "find_region",
    "is_info_line",
    "is_issuer_line",
    "parse_date",
    "read_head",
    "read_signature",
    "source_stem",
    "stated_dates",
]

# How far into the text the title and info line are looked for: scrapes put a few furniture
# lines, the title and the info line first; 12 lines covers every layout we have seen.
HEAD_LINES = 12
# How many closing lines hold the signature (signing body, date, 抄送 …).
TAIL_LINES = 6
# A title is a line of this many characters (shorter is a label, longer is a paragraph).
MIN_TITLE, MAX_TITLE = 5, 90
# Info lines read as one block at most: 发布时间, 来源, 作者 on lines of their own (scraped pages).
MAX_INFO_BLOCK = 3
# An info line is short: a byline row, not a sentence that mentions 来源 in passing.
MAX_INFO_LINE = 160

ORG_SUFFIX = re.compile(
    r"(办公室|委员会|人民政府|人民代表大会常务委员会|政府|局|厅|委|部|编办|中心|院|领导小组|党组|委员会办公室)$"
)
BYLINE = re.compile(r"(?:^|[。!?])\s*([^。!?\s]{2,20}?)(?:供稿|供图|来稿)$")
DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[(]\d{4}[〕\])]\s*\d+\s*号$")
RED_HEAD = re.compile(r"^[\u4e00-\u9fff]{4,40}文件$")
# A name starting so is a text's reference to its own place or to all places (全省市县, 各市), not
# an unknown place's name.
SELF_WORDS = ("全", "我", "本", "各", "该")
MASTHEAD = re.compile(r"(简报|专报|快报|信息|动态|通讯|参阅|要情|情况反映)$")
ISSUE_LINE = re.compile(r"^(\d{4}年)?第\s*\d+\s*期")
ORG_DATE = re.compile(
    r"^(.{4,40}?(?:办公室|委员会|人民政府|政府|局|厅|委|部|编办))(?:编印|主办|编)?\s+"
    r"(\d{4}年\d{1,2}月\d{1,2}日)$"
)
DATED_NOTE = re.compile(r"^\(\s*\d{4}年\d{1,2}月\d{1,2}日[^()]{0,30}\)$")
# A speech's delivery line: `——2026年1月27日在某省第十四届人民代表大会第四次会议上`, in
# brackets, with Chinese numerals, or followed by the speaker (`某省省长 某某`).
DELIVERY_LINE = re.compile(
    r"^[—\-(]*\s*(?:\d{4}年\d{1,2}月\d{1,2}日|" + DIGIT_CLASS + r"{4}年" + TO_TEN_CLASS + r"{1,3}月"
    r"" + TO_TEN_CLASS + r"{1,3}日)\s*在.{2,60}上\)?(?:\s+\S.{0,30})?$"
)
# Lines shaped like a title that are not one: a salutation (各位代表!), prose with several
# commas, a bare date and time (2026-02-09 09:45:30).
MAX_TITLE_COMMAS = 1
MIN_TITLE_HANZI = 3
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_DATE_WORDS = re.compile(r"[年月日时分秒]")
# Lines under a title that may still belong to it: a subtitle, the issuing body, a date line.
BYLINE_LINES = 3
# An issuing body's name on a line of its own is at most this long (中共XX市委机构编制委员会办公室).
MAX_ORG_NAME = 30
# Words that make a line ending in 局/委员会/办公室 a title or headline, not an issuer line.
ISSUER_FILE = "issuer_lines.json"
# How a text names its own place: congress lines, national titles, 我国/全省/全市 (find_region).
REGION_WORDS = "region_words.json"
# An organisation name is hanzi, brackets for a second name, and quotes around a slogan
# ("放管服"改革协调小组); a colon, comma or full stop makes the line an addressee or prose.
ORG_NAME_CHARS = re.compile(r"[\u4e00-\u9fff()（）“”]+")


@dataclass(frozen=True, slots=True)
class Head:
    """What the first lines say: title (with its subtitle), info line, a dated byline, and the
    issuing body named on a line of its own above the title."""

    title: str | None
    title_index: int | None
    info: str | None
    info_index: int | None
    date: str | None = None
    publisher: str | None = None
    consumed: int = 0  # index of the last line of the title block (title, subtitle, byline)
    issuer: str | None = None
    info_lines: int = 1  # the info line and the info lines right after it (来源 under 发布时间)


@dataclass(frozen=True, slots=True)
class IssuerWords:
    """data/issuer_lines.json compiled: words that make a line a title or a headline."""

    title_or_headline: re.Pattern[str]
    separators: re.Pattern[str]


@lru_cache(maxsize=1)
def _issuer_words() -> IssuerWords:
    data = json.loads((DATA_DIR / ISSUER_FILE).read_text(encoding="utf-8"))
    words = sorted({*data["title_words"], *data["headline_verbs"]}, key=len, reverse=True)
    return IssuerWords(
        title_or_headline=re.compile("|".join(re.escape(w) for w in words)),
        separators=re.compile(data["separators"]),
    )


# --- dates ---------------------------------------------------------------------------------


# --- head and tail -------------------------------------------------------------------------


def is_info_line(line: str) -> bool:
    """A short line that opens with a source or date label (来源:, 发布时间:; a weak label such
    as 时间 with its colon), or holds a label and a date or a source (data/html_info.json)."""
    if len(line) > MAX_INFO_LINE:
        return False
    words = lexicon()
    strong = tuple(label for label in words.date_labels if label not in words.weak_labels)
    weak = tuple(f"{label}:" for label in words.weak_labels)
    if line.startswith(words.publisher_labels + strong + weak):
        return True
    if not label_pattern().search(line):
        return False
    return bool(DIGIT_DATE.search(line)) or any(label in line for label in words.publisher_labels)


def clean_title(line: str) -> str:
    line = re.sub(r"[\s|丨]+$", "", line).strip()
    return re.sub(r"^[\s|丨]+", "", line)


def _looks_like_title(line: str) -> bool:
    line = clean_title(line)
    if not MIN_TITLE <= len(line) <= MAX_TITLE:
        return False
    if DOC_NUMBER_LINE.match(line) or RED_HEAD.match(line) or is_info_line(line):
        return False
    if line.startswith(("——", "—", "--")):
        return False  # a subtitle, joined to the title above it
    if marker_of(line) is not None or line.count(",") > MAX_TITLE_COMMAS:
        return False  # an outline heading (一、…) or a sentence
    if len(_HANZI.findall(_DATE_WORDS.sub("", line))) < MIN_TITLE_HANZI:
        return False  # a date and time, a number
    return not line.endswith(("。", ":", ":", ";", "!")) and not SIGNATURE_DATE.match(line)


def _is_masthead(line: str) -> bool:
    """A bulletin's masthead or issue line (`XX工作简报`, `2019年第5期(总第87期)`)."""
    return bool(MASTHEAD.search(line) or ISSUE_LINE.match(line))


def is_issuer_line(line: str) -> bool:
    """A line that only names one or more bodies (`XX改革工作领导小组办公室`,
    `中共XX县委 XX县人民政府`): each name ends in an organisation suffix, and the line holds
    no word a title or a headline is made of (关于, 通报, 报告 …; 成立, 召开, 组建 …)."""
    words = _issuer_words()
    parts = [p for p in words.separators.split(line.strip()) if p]
    if not parts:
        return False
    for part in parts:
        if len(part) > MAX_ORG_NAME or not ORG_NAME_CHARS.fullmatch(part):
            return False
        if not ORG_SUFFIX.search(part):
            return False
    return not words.title_or_headline.search(line)


def _dated_byline(line: str) -> tuple[str | None, str | None] | None:
    """(body, date) from `中共XX市委编办 2019年5月20日`, `(2020年12月4日)`, `——2021年1月20日在…`
    or `(2019年3月18日区委机构编制委员会审定)`."""
    if SIGNATURE_DATE.match(line):
        return None, parse_date(line)
    match = ORG_DATE.match(line)
    if match:
        return match[1], parse_date(match[2])
    if DELIVERY_LINE.match(line) or DATED_NOTE.match(line):
        return None, parse_date(line)
    return None


def _title_index(head: list[str], info_index: int | None) -> int | None:
    """The title line: the nearest title-like line above the info line, else the first one;
    an issuer line is passed over when a real title follows it."""
    if info_index is not None:
        above = [i for i in range(info_index - 1, -1, -1) if _is_title_candidate(head[i])]
        if above:  # a body named between title and info line is a byline: look just above it
            return _prefer_non_issuer(head, above, reach=BYLINE_LINES)
    candidates = [
        i
        for i, line in enumerate(head)
        if _is_title_candidate(line) and _dated_byline(line) is None
    ]
    return _prefer_non_issuer(head, candidates, reach=HEAD_LINES) if candidates else None


def _is_title_candidate(line: str) -> bool:
    return _looks_like_title(line) and not _is_masthead(line) and _dated_byline(line) is None


def _prefer_non_issuer(head: list[str], candidates: list[int], *, reach: int) -> int:
    """The first candidate that is not an issuer line and lies within `reach` lines of the
    first candidate, else the first candidate."""
    first = candidates[0]
    return next(
        (i for i in candidates if abs(i - first) <= reach and not is_issuer_line(head[i])), first
    )


def read_head(lines: list[str]) -> Head:
    """Title (joined with a `——` subtitle), info line, and the dated byline around the title."""
    head = lines[:HEAD_LINES]
    info_index = next((i for i, line in enumerate(head) if is_info_line(line)), None)
    info, info_lines = _info_block(head, info_index)
    index = _title_index(head, info_index)
    if index is None:
        return Head(None, None, info, info_index, info_lines=info_lines)
    title = clean_title(head[index])
    date = publisher = issuer = None
    for line in head[:index]:  # a bulletin names its issuer and date above the title
        byline = _dated_byline(line)
        if byline and not _is_masthead(line):
            publisher, date = byline
        elif issuer is None and is_issuer_line(line):
            issuer = line.strip()
    consumed = index
    for offset in range(1, BYLINE_LINES + 1):
        if index + offset >= len(head) or index + offset == info_index:
            break
        line = head[index + offset].strip()
        byline = _dated_byline(line)
        if byline:
            date = byline[1] or date
            publisher = byline[0] or publisher
        elif line.startswith(("——", "—", "--")) and len(line) <= MAX_TITLE:
            title = f"{title}——{line.lstrip('—-')}"
        elif ORG_SUFFIX.search(line) and len(line) <= MAX_ORG_NAME:
            publisher = line
        else:
            break
        consumed = index + offset
    return Head(title, index, info, info_index, date, publisher, consumed, issuer, info_lines)


def _info_block(head: list[str], start: int | None) -> tuple[str | None, int]:
    """The info line at `start` with the info lines right after it, read as one (a page that
    puts 发布时间 and 来源 on lines of their own), and how many lines that is."""
    if start is None:
        return None, 1
    end = start + 1
    while end < len(head) and end - start < MAX_INFO_BLOCK and is_info_line(head[end]):
        end += 1
    return " ".join(head[start:end]), end - start


def read_signature(lines: list[str]) -> tuple[str | None, str | None]:
    """(signing body, date) from the closing lines: `中共XX市委编办` over `2021年3月8日`."""
    tail = [line.strip() for line in lines[-TAIL_LINES:] if line.strip()]
    for i in range(len(tail) - 1, -1, -1):
        if SIGNATURE_DATE.match(tail[i]):
            date = parse_date(tail[i])
            body = tail[i - 1] if i > 0 and ORG_SUFFIX.search(tail[i - 1]) else None
            if body and len(body) > 40:
                body = None
            return body, date
    for line in reversed(tail):
        match = BYLINE.search(line)
        if match:
            return match[1], None
    return None, None


# --- doc type ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _doc_type_rules() -> tuple[int, list[dict[str, Any]]]:
    text = (
        resources.files("cnpolicy.ingest")
        .joinpath("data")
        .joinpath("doc_types.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    return int(data["head"]), list(data["rules"])


def classify(title: str | None, text: str, *, has_info_line: bool) -> str:
    """The first rule of data/doc_types.json whose conditions all hold, else "other"."""
    head_size, rules = _doc_type_rules()
    head = text[:head_size]
    for rule in rules:
        if "title" in rule and not (title and any(re.search(p, title) for p in rule["title"])):
            continue
        if "all" in rule and not all(re.search(p, head, re.MULTILINE) for p in rule["all"]):
            continue
        if "info_line" in rule and bool(rule["info_line"]) != has_info_line:
            continue
        return str(rule["type"])
    return "other"


# --- region --------------------------------------------------------------------------------


def _most_specific(gazetteer: Gazetteer, text: str) -> Region | None:
    """The most specific known place in a short text, preferring places inside earlier ones."""
    mentions = gazetteer.find(text)
    if not mentions:
        return None
    chosen = gazetteer.choose(mentions[0].candidates, within=None)
    for mention in mentions[1:]:
        inner = [d for d in mention.candidates if contains(chosen.code, d.code)]
        if inner and inner[0].code != chosen.code:
            chosen = gazetteer.choose(inner, within=chosen.code)
    return gazetteer.region(chosen)


def _unknown_place(title: str) -> Region | None:
    """A division named at the start of a title that the gazetteer does not know (江州市)."""
    stripped = re.sub(r"^(关于印发|关于)?[《<]?(中共)?", "", title)
    match = UNKNOWN_PLACE.match(stripped)
    if match and match.group()[:-1] not in NOT_PLACES and not match.group().startswith(SELF_WORDS):
        return Region(name=match.group(), code=None)
    return None


@dataclass(frozen=True)
class RegionWords:
    """data/region_words.json compiled: how a text names its own place."""

    head: int
    congress: re.Pattern[str]
    nation_title: re.Pattern[str]
    min_self: int
    self_words: dict[str, re.Pattern[str]]


@lru_cache(maxsize=1)
def _region_words() -> RegionWords:
    data = json.loads((DATA_DIR / REGION_WORDS).read_text("utf-8"))
    return RegionWords(
        head=int(data["head"]),
        congress=re.compile(data["congress"]),
        nation_title=re.compile("|".join(data["nation_title"])),
        min_self=int(data["min_self"]),
        self_words={level: re.compile("|".join(words)) for level, words in data["self"].items()},
    )


def _congress_region(gazetteer: Gazetteer, text: str) -> Region | None:
    """The place of the congress a work report was delivered at (its delivery line)."""
    words = _region_words()
    match = words.congress.search(text[: words.head])
    if match is None:
        return None
    if match["nation"] is not None:
        return nation_region()
    found = gazetteer.find(match["place"])
    if not found:
        return None
    return gazetteer.region(gazetteer.choose(found[-1].candidates, within=None))


def _self_level(text: str) -> str | None:
    """The level of place the text calls its own (我国/全国人民, 全省/我省, 全市/我市 …): the
    level with most such words, when it has at least `min_self` of them."""
    words = _region_words()
    counts = {level: len(p.findall(text)) for level, p in words.self_words.items()}
    level = max(counts, key=lambda k: counts[k])
    return level if counts[level] >= words.min_self else None


def _most_mentioned(gazetteer: Gazetteer, text: str, level: str | None) -> Region | None:
    """The most mentioned place (at `level` when given, counting the places inside each)."""
    counts: dict[str, int] = {}
    for mention in gazetteer.find(text):
        division: Division | None = gazetteer.choose(mention.candidates, within=None)
        if level is not None and division is not None:
            division = gazetteer.ancestor(division, level)
        if division is not None:
            counts[division.code] = counts.get(division.code, 0) + 1
    if not counts:
        return None
    best = max(counts, key=lambda code: (counts[code], len(code.rstrip("0"))))
    return gazetteer.region(gazetteer.by_code[best])


def find_region(title: str | None, text: str, publisher: str | None) -> Region | None:
    """The place the document is about: named in the title (the nation for 国务院…), else the
    congress it was delivered at, else the publisher's, else the place the text calls its own
    (我国 → the nation; 全省 → the most mentioned province), else the most mentioned place."""
    gazetteer = load_gazetteer()
    words = _region_words()
    if title:
        found = _most_specific(gazetteer, title)
        if found:
            return found
        if words.nation_title.search(title):
            return nation_region()
        unknown = _unknown_place(title)
        if unknown:
            return unknown
    congress = _congress_region(gazetteer, text)
    if congress:
        return congress
    if publisher:
        found = _most_specific(gazetteer, publisher)
        if found:
            return found
    level = _self_level(text)
    if level == "national":
        return nation_region()
    return _most_mentioned(gazetteer, text, level) or _most_mentioned(gazetteer, text, None)


# --- the document --------------------------------------------------------------------------


def _tidy(value: str | None) -> str | None:
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    return value or None


def drop_lines(text: str, indexes: set[int]) -> str:
    return "\n".join(line for i, line in enumerate(text.split("\n")) if i not in indexes)


def describe(raw: RawText, text: str, *, source: str) -> Document:
    """A Document from a reader's output and its cleaned text."""
    if raw.format == "html" and raw.title:
        page_title = _tidy(raw.title) or ""
        if page_title and page_title not in text[: len(page_title) * 3 + 200]:
            text = f"{page_title}\n{text}"
    lines = text.split("\n")
    head = read_head(lines)
    signer, signed = read_signature(lines)
    raw_title = _tidy(raw.title)
    # An HTML page's <h1>/<title> is reliable; a PDF's or DOCX's stored title is often a
    # template's or a draft's ("政府工作报告(送审稿)"), so the text's own title wins there.
    if raw.format == "html":
        title = raw_title or head.title
    else:
        title = head.title or raw_title
    info = head.info or _tidy(raw.info)
    date = raw.date or (parse_date(info) if info else None) or head.date or signed
    publisher = clean_publisher(_tidy(raw.publisher))
    if publisher is None and info:
        field = source_field(info)
        publisher = clean_publisher(field) if field else None
    publisher = (
        publisher or clean_publisher(head.publisher) or clean_publisher(signer) or head.issuer
    )
    first_line = 0
    if head.title_index is not None:
        first_line = head.consumed + 1
    if head.info_index is not None:
        info_lines = range(head.info_index, head.info_index + head.info_lines)
        text = drop_lines(text, set(info_lines))
        first_line -= sum(line < first_line for line in info_lines)
    doc_type = classify(title, text, has_info_line=info is not None or raw.date is not None)
    region = find_region(title, text, publisher)
    doc_id, body_fingerprint = identify(text)
    return Document(
        id=doc_id,
        source=source,
        format=raw.format,
        text=text,
        title=title,
        date=date,
        publisher=publisher,
        region=region,
        doc_type=doc_type,
        sections=find_sections(text, first_line=first_line),
        fingerprint=body_fingerprint,
        encoding=raw.encoding,
        dates=stated_dates(
            written=signed, published=raw.date or (parse_date(info) if info else None)
        ),
        url=raw.url or labelled_address(info),
    )


def stated_dates(**found: str | None) -> dict[str, str]:
    """The dates a document states, by kind: written (the signature's 成文 date) and published
    (the page's or info line's 发布 date); the effective date is read by extraction (施行)."""
    return {kind: value for kind, value in found.items() if value}


def source_stem(source: str) -> str:
    return PurePath(source).stem
