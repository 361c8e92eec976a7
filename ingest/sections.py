"""The heading hierarchy of a cleaned text: 第X章, 第X条, 一、, （一）, 1．, and standalone headings.

Levels follow the order in which marker kinds first appear (as in a legal outline): a kind seen
for the first time nests under the current heading; a kind seen before closes back to its level.
"""

from __future__ import annotations

import re

from cnpolicy.numerals import TO_TEN_CLASS
from cnpolicy.outline import marker_of
from cnpolicy.records import Section

__all__ = [
    "MAX_STANDALONE",
    "MAX_TITLE",
    "find_sections",
    "inline_headings",
    "is_standalone_heading",
]

# A heading's title is its line up to the first sentence break, at most this many characters:
# long enough for "一、聚焦威海特色,编制首批职责边界清单" and short enough to read in a table of contents.
MAX_TITLE = 40
# A standalone heading ("加强领导 高位推进", a city's name in a round-up) is a short line without
# sentence punctuation between longer paragraphs. 20 characters covers two 8-character phrases
# with a space; body sentences are almost always longer.
MAX_STANDALONE = 20
_SENTENCE_BREAK = re.compile(r"[。;;::!?!?]")
_SENTENCE_PUNCT = re.compile(r"[。,,;;::!?!?、]")


def _title(line: str) -> str:
    head = _SENTENCE_BREAK.split(line, maxsplit=1)[0].strip()
    return head[:MAX_TITLE]


def is_standalone_heading(line: str, previous: str | None, following: str | None) -> bool:
    if not line or len(line) > MAX_STANDALONE or previous is None or following is None:
        return False
    if not re.search(r"[\u4e00-\u9fff]", line):
        return False
    if _SENTENCE_PUNCT.search(line) or re.search(r"\d{4}年|\d+月\d+日", line):
        return False
    return len(following) > len(line) * 2


def find_sections(text: str, *, first_line: int = 0) -> tuple[Section, ...]:
    """Every heading from line `first_line` on (the title and what precedes it are not headings),
    with its level and the span it governs (to the next heading at its level or above)."""
    lines = text.split("\n")
    offsets, position = [], 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    found: list[tuple[int, str, str]] = []  # (start, kind, title)
    for index, line in enumerate(lines):
        if index < first_line:
            continue
        marker = marker_of(line)
        if marker:
            found.append((offsets[index], marker[0], _title(line)))
            continue
        previous = lines[index - 1] if index > 0 else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        if is_standalone_heading(line.strip(), previous, following):
            found.append((offsets[index], "standalone", line.strip()))
    if not any(kind == "cn" for _, kind, _ in found) and first_line < len(offsets):
        found = sorted(found + inline_headings(text, offsets[first_line]))
    return _nest(found, len(text))


_INLINE_CN = re.compile(r"(?:(?<=[。!?;])|(?<=\s))\s*(" + TO_TEN_CLASS + r"{1,2})、")
_CN_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def inline_headings(text: str, start: int) -> list[tuple[int, str, str]]:
    """一、 二、 三、 headings run into one paragraph (scraped pages that lost their line breaks).

    Accepted only as a chain 一、 → 二、 → 三、 in order, so a list such as "一、二、三类" inside a
    sentence is not taken for headings.
    """
    found: list[tuple[int, str, str]] = []
    expected = 0
    for match in _INLINE_CN.finditer(text, start):
        if expected < len(_CN_ORDINALS) and match[1] == _CN_ORDINALS[expected]:
            position = match.start(1)
            found.append((position, "cn", _title(text[position : position + MAX_TITLE * 2])))
            expected += 1
    return found if len(found) >= 2 else []


def _nest(found: list[tuple[int, str, str]], size: int) -> tuple[Section, ...]:
    order: list[str] = []  # marker kinds on the current path, outermost first
    levels: list[int] = []
    for _start, kind, _title_text in found:
        if kind in order:
            del order[order.index(kind) + 1 :]
        else:
            order.append(kind)
        levels.append(len(order))
    sections = []
    for i, (start, kind, title) in enumerate(found):
        end = size
        for j in range(i + 1, len(found)):
            if levels[j] <= levels[i]:
                end = found[j][0]
                break
        sections.append(Section(title=title, level=levels[i], start=start, end=end, marker=kind))
    return tuple(sections)
