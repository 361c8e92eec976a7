"""The outline of a 三定 text: its cover letter and title, its parts (第X条 articles, 一、 headings
or paragraphs) and their list items ((一), 1., (1)), plus the pattern file every field reader uses.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from cnpolicy.dates import SIGNATURE_DATE, parse_date
from cnpolicy.errors import ExtractError
from cnpolicy.numerals import DIGIT_CLASS, OUTLINE_NUMERALS, TO_TEN_CLASS, chinese_value
from cnpolicy.outline import MARKERS

__all__ = [
    "ARTICLE",
    "BARE_HEADING",
    "CN_HEADING",
    "DATE_UNDER_TITLE",
    "INLINE_ITEM",
    "ITEM_MARKERS",
    "MAX_HEADING",
    "MAX_TITLE",
    "MAX_TITLE_HALF",
    "MIN_KEYWORD_HEADINGS",
    "NUMBER",
    "PATTERNS_FILE",
    "QUOTES",
    "Item",
    "Part",
    "Patterns",
    "Rules",
    "body_after_label",
    "clean_name",
    "compile_patterns",
    "find_rules",
    "first_clause",
    "headed",
    "is_keyed_heading",
    "item_marker",
    "opens_part",
    "patterns",
    "read_patterns",
    "sequential",
    "split_items",
    "split_lines",
    "split_parts",
    "title_at",
    "title_department",
    "to_int",
]

PATTERNS_FILE = "sanding_patterns.json"
NUMBER = rf"(?:\d+|[{OUTLINE_NUMERALS}]+)"
# A title line is at most this long: the longest real rules title we know (a 中共…委员会办公室
# with its 职能配置、内设机构和人员编制规定 suffix) is ~45 characters; cover-letter sentences
# that quote the title are longer.
MAX_TITLE = 80
# A line before the title that completes a title split over two lines is at most this long.
MAX_TITLE_HALF = 40
# cn-numbered lines (一、) are the top-level outline only when at least this many of them are
# short headings with a section keyword; otherwise they are list items (主要职责:一、…二、…).
MIN_KEYWORD_HEADINGS = 2
# A section heading is at most this long (人员编制和领导职数 is 9, 机构设置和主要职责 8).
MAX_HEADING = 12

# Markers that open a line, by kind; group 1 is the number.
ARTICLE = MARKERS["article"]
CN_HEADING = MARKERS["cn"]
ITEM_MARKERS: dict[str, re.Pattern[str]] = {
    kind: MARKERS[kind] for kind in ("paren", "arabic", "arabic_paren", "cn")
}
# Items run into one line after 。;: (主要职责是:(一)…;(二)…, …。2.…), and articles or 一、
# headings run together after 。, are split back into lines (only numbers in sequence count).
INLINE_ITEM = re.compile(
    r"(?<=[。;:])\s*(?=\((?:" + TO_TEN_CLASS + r"{1,3}|\d{1,2})\))"
    r"|(?<=[。;])\s*(?=\d{1,2}[.、](?!\d))"
    r"|(?<=。)\s*(?=第" + TO_TEN_CLASS + r"{1,3}条|" + TO_TEN_CLASS + r"{1,2}、)"
)
# The line under a rules title that dates them: (2019年3月18日区委机构编制委员会审定).
DATE_UNDER_TITLE = re.compile(
    r"^\(.{0,20}?(?:\d{4}年\d{1,2}月\d{1,2}日|" + DIGIT_CLASS + r"{4}年).{0,30}\)$"
)
# A heading line on its own (主要职责, 内设机构, 人员编制): short, no sentence punctuation.
BARE_HEADING = re.compile(r"^[^。,;:]{2,12}$")
QUOTES = "\"“”'‘’《》「」"


@dataclass(frozen=True, slots=True)
class Patterns:
    """data/sanding_patterns.json, compiled."""

    title: re.Pattern[str]
    titles: tuple[re.Pattern[str], ...]
    cover_letter: re.Pattern[str]
    nature: re.Pattern[str]
    nature_min_after_de: int
    rank: re.Pattern[str]
    additional_name: re.Pattern[str]
    section_keywords: tuple[str, ...]
    duties_anchor: re.Pattern[str]
    bodies_anchor: re.Pattern[str]
    bodies_count: re.Pattern[str]
    bodies_inline: tuple[re.Pattern[str], ...]
    body_suffix: re.Pattern[str]
    second_name: re.Pattern[str]
    body_duty_verb: re.Pattern[str]
    apart_body: re.Pattern[str]
    function_transformation: tuple[str, ...]
    responsibility_division: tuple[str, ...]
    item_head_max: int
    staffing_kinds: tuple[tuple[re.Pattern[str], str], ...]
    staffing: re.Pattern[str]
    staffing_skip: re.Pattern[str]
    part_opening: re.Pattern[str]
    leadership: re.Pattern[str]
    leadership_cut: re.Pattern[str]
    leadership_strip: re.Pattern[str]
    leadership_suffixes: re.Pattern[str]
    interpreter: tuple[re.Pattern[str], ...]
    effective: re.Pattern[str]
    issue_words: re.Pattern[str]


@lru_cache(maxsize=1)
def patterns() -> Patterns:
    """Load and compile the pattern file once per process."""
    path = resources.files("cnpolicy.extract").joinpath("data").joinpath(PATTERNS_FILE)
    return read_patterns(path.read_text("utf-8"))


def read_patterns(text: str) -> Patterns:
    """The pattern file's text compiled; a malformed file is an ExtractError naming it."""
    try:
        return compile_patterns(json.loads(text))
    except (ValueError, KeyError, TypeError, re.error) as error:
        raise ExtractError(
            f"cannot load the 三定 patterns: {type(error).__name__}: {error}",
            source=f"extract/data/{PATTERNS_FILE}",
        ) from error


def compile_patterns(data: dict[str, Any]) -> Patterns:
    """The pattern file's entries compiled (a missing key is a KeyError, a bad regex re.error)."""
    terms = "|".join(map(re.escape, data["nature_terms"]))
    verbs = data["nature_verbs"]
    apart = "|".join(f"(?:{p})" for p in data["apart_bodies"])
    return Patterns(
        title=re.compile("|".join(f"(?:{p})" for p in data["title_suffixes"])),
        titles=tuple(re.compile(p) for p in data["title_suffixes"]),
        cover_letter=re.compile(data["cover_letter"]),
        nature=re.compile(rf"(?:{verbs})([^,。;:是为]{{0,30}}?(?:{terms}))"),
        nature_min_after_de=int(data["nature_min_after_de"]),
        rank=re.compile(data["rank"]),
        additional_name=re.compile(data["additional_name"]),
        section_keywords=tuple(data["section_keywords"]),
        duties_anchor=re.compile(data["duties_anchor"]),
        bodies_anchor=re.compile(data["bodies_anchor"]),
        bodies_count=re.compile(data["bodies_count"]),
        bodies_inline=tuple(re.compile(p) for p in data["bodies_inline"]),
        body_suffix=re.compile(data["body_suffix"]),
        second_name=re.compile(
            rf"\(([^()]{{2,{int(data['second_name_max'])}}}?"
            rf"{data['body_suffix'].removesuffix('$')})\)"
        ),
        body_duty_verb=re.compile(data["body_duty_verb"]),
        apart_body=re.compile(rf"^{data['apart_lead']}({apart})(?=$|[。,;:(负承主])"),
        function_transformation=tuple(data["function_transformation"]),
        responsibility_division=tuple(data["responsibility_division"]),
        item_head_max=int(data["item_head_max"]),
        staffing_kinds=tuple((re.compile(p), kind) for p, kind in data["staffing_kinds"]),
        staffing=re.compile(data["staffing"].replace("NUMBER", NUMBER)),
        staffing_skip=re.compile(data["staffing_skip"]),
        part_opening=re.compile(data["part_opening"]),
        leadership=re.compile(data["leadership"].replace("NUMBER", NUMBER)),
        leadership_cut=re.compile(data["leadership_cut"]),
        leadership_strip=re.compile(data["leadership_strip"]),
        leadership_suffixes=re.compile(data["leadership_suffixes"]),
        interpreter=tuple(re.compile(p, re.MULTILINE) for p in data["interpreter"]),
        effective=re.compile(data["effective"]),
        issue_words=re.compile(data["issue_words"]),
    )


# --- numbers and names ---------------------------------------------------------------------


def to_int(text: str) -> int | None:
    """An integer written in digits or Chinese numerals (58, 二十八, 两), else None."""
    if text.isdigit():
        return int(text)
    try:
        value = chinese_value(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


def clean_name(text: str) -> str:
    """A name without quotes, spaces and a trailing 的."""
    text = re.sub(r"\s+", "", text.strip(QUOTES + " "))
    return text.strip(QUOTES).removesuffix("的")


# --- layout --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """A list item: its number, and its text after the marker (continuation lines after \\n)."""

    number: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class Part:
    """A top-level section of the rules (an article, a 一、 heading or a paragraph): its lines,
    the first without its marker."""

    lines: tuple[str, ...]

    @property
    def head(self) -> str:
        return self.lines[0] if self.lines else ""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_lines(text: str) -> list[str]:
    lines: list[str] = []
    for raw in text.split("\n"):
        lines.extend(s.strip() for s in INLINE_ITEM.split(raw.strip()) if s.strip())
    return lines


def sequential(lines: list[str], pattern: re.Pattern[str]) -> list[int]:
    """Indexes of lines opening with the pattern's markers numbered 1, 2, 3 … in order."""
    found, expected = [], 1
    for index, line in enumerate(lines):
        match = pattern.match(line)
        if match and to_int(match.group(1)) == expected:
            found.append(index)
            expected += 1
    return found


def split_parts(lines: list[str]) -> tuple[list[Part], str | None]:
    """The rules' top-level sections and the marker kind they use: "article" (第X条), "cn" (一、),
    or None when there is no such outline and parts open at the paragraphs that start one."""
    if not lines:
        return [], None
    starts = sequential(lines, ARTICLE)
    kind: str | None = "article" if len(starts) >= 2 else None
    pattern = ARTICLE
    if kind is None:
        cn_starts = sequential(lines, CN_HEADING)
        keyed = sum(is_keyed_heading(lines[i]) for i in cn_starts)
        if len(cn_starts) >= 2 and keyed >= MIN_KEYWORD_HEADINGS:
            kind, starts, pattern = "cn", cn_starts, CN_HEADING
    if kind is None:
        starts = [i for i, line in enumerate(lines) if not item_marker(line) and opens_part(line)]
        # A bare heading (内设机构) and the sentence that opens its list are one part.
        starts = [i for i in starts if i - 1 not in starts or not BARE_HEADING.match(lines[i - 1])]
        pattern = re.compile("^")
    if not starts or starts[0] != 0:
        starts = [0, *starts]
    parts = []
    for begin, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        first = pattern.sub("", lines[begin], count=1).strip()
        parts.append(Part(tuple(s for s in (first, *lines[begin + 1 : end]) if s)))
    return [p for p in parts if p.lines], kind


def is_keyed_heading(line: str) -> bool:
    """A short 一、 heading that names a section (一、机构设置, 四、人员编制), not a list item."""
    head = re.split(r"[。,;:]", CN_HEADING.sub("", line, count=1), maxsplit=1)[0]
    return len(head) <= MAX_HEADING and any(k in head for k in patterns().section_keywords)


def opens_part(line: str) -> bool:
    """Whether a paragraph opens a new part of rules that have no 第X条/一、 outline: it starts the
    duties, the bodies, the staffing, a 职能转变/职责分工 part, or the closing clauses."""
    pats = patterns()
    return bool(
        pats.duties_anchor.search(line)
        or pats.bodies_anchor.search(line)
        or pats.staffing.search(line)
        or "职数" in line
        or pats.part_opening.search(line)
        or headed(
            line, pats.function_transformation + pats.responsibility_division, pats.item_head_max
        )
    )


def item_marker(line: str) -> tuple[str, int] | None:
    for kind, pattern in ITEM_MARKERS.items():
        match = pattern.match(line)
        if match:
            number = to_int(match.group(1))
            if number is not None:
                return kind, number
    return None


def split_items(lines: tuple[str, ...], *, top: str | None) -> tuple[list[str], list[Item]]:
    """The lines before the list, and the list's items: the kind of the first marker numbered 1
    (one of a kind other than the outline's), then that kind numbered on in order."""
    kinds = [k for k in ITEM_MARKERS if k != "cn" or top != "cn"]
    kind = next(
        (m[0] for line in lines if (m := item_marker(line)) and m[0] in kinds and m[1] == 1), None
    )
    if kind is None:
        return list(lines), []
    pattern = ITEM_MARKERS[kind]
    lead: list[str] = []
    items: list[tuple[int, list[str]]] = []
    for line in lines:
        match = pattern.match(line)
        if match and to_int(match.group(1)) == len(items) + 1:
            items.append((len(items) + 1, [line[match.end() :].strip()]))
        elif items:
            items[-1][1].append(line)
        else:
            lead.append(line)
    return lead, [Item(n, tuple(s for s in body if s)) for n, body in items]


def first_clause(text: str) -> str:
    return re.split(r"[。::;\n]", text, maxsplit=1)[0]


def headed(text: str, keywords: tuple[str, ...], limit: int) -> bool:
    """Whether a text is headed by one of the keywords (in its first clause, a short one)."""
    head = first_clause(text)
    return len(head) <= limit and any(k in head for k in keywords)


def body_after_label(text: str, keywords: tuple[str, ...]) -> str:
    """The text of a 职能转变/职责分工 part without its label (职能转变。…, 有关职责分工:…)."""
    head = first_clause(text)
    longest = len("有关") + max(map(len, keywords))
    if any(head.endswith(k) for k in keywords) and len(head) <= longest:
        rest = re.sub(r"^[。::;\s]+", "", text[len(head) :]).strip()
        return rest or text
    return text


# --- the rules and their cover letter ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rules:
    """Where the rules start in the text, the department named by their title, the issue date."""

    start: int
    department: str | None
    issued: str | None


def find_rules(lines: list[str]) -> Rules:
    """The rules' title (after any cover letter), the department it names, and the issue date:
    the cover letter's, else the dated line under the title, else any date line."""
    start, department, quoted = 0, None, None
    for suffix in patterns().titles:
        for index in range(len(lines)):
            found = title_at(lines, index, suffix)
            if found is None:
                continue
            name, end, is_quote = found
            if is_quote:
                quoted = quoted or name
                continue
            start, department = end, name
            break
        if start:
            break
    issued = next(
        (parse_date(s) for s in reversed(lines[: max(start - 1, 0)]) if SIGNATURE_DATE.match(s)),
        None,
    )
    if issued is None and start < len(lines) and DATE_UNDER_TITLE.match(lines[start]):
        issued = parse_date(lines[start])
    if issued is None:
        issued = next((parse_date(s) for s in lines if SIGNATURE_DATE.match(s)), None)
    return Rules(start, department or quoted, issued)


def title_at(
    lines: list[str], index: int, suffix: re.Pattern[str]
) -> tuple[str | None, int, bool] | None:
    """The department named by a title at this line, the index after the title, and whether it is
    only quoted (关于印发《…》的通知); a title may be split over two short lines."""
    line = lines[index]
    match = suffix.search(line)
    end = index + 1
    if match is None and index + 1 < len(lines):
        following = lines[index + 1]
        if len(line) <= MAX_TITLE_HALF and len(following) <= MAX_TITLE_HALF:
            line, end = line + following, index + 2
            match = suffix.search(line)
            if match and not match.start() < len(lines[index]) < match.end():
                match = None  # the suffix must run across the break
    if match is None or len(line) > MAX_TITLE:
        return None
    if patterns().cover_letter.search(line) or "《" in line:
        inner = re.search(r"《([^》]+)》", line)
        return (title_department(inner.group(1)) if inner else None), end, True
    department = clean_name(line[: match.start()])
    if not department and index > 0 and len(lines[index - 1]) <= MAX_TITLE_HALF:
        department = clean_name(lines[index - 1])
    return department or None, end, False


def title_department(title: str) -> str | None:
    match = patterns().title.search(title)
    return clean_name(title[: match.start()]) or None if match else None
