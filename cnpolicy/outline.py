"""Outline markers: how headings and list items are numbered (第一章, 第三条, 一、, (一), 1., (1)),
one table for every stage that reads an outline (ingest's sections, 三定 layouts)."""

from __future__ import annotations

import re

from cnpolicy.numerals import OUTLINE_NUMERALS

__all__ = ["MARKERS", "MAX_CN_MARKER", "marker_of"]

# A 一、 or (一) marker's numeral is at most this long (二十三、; 一百零三 is an article's number).
MAX_CN_MARKER = 4
_CN = f"[{OUTLINE_NUMERALS}]"
# Marker kinds, outermost first, and the pattern of a line that starts with one: group 1 is the
# marker's number. Text is NFKC already: brackets, digits and full stops are ASCII.
MARKERS: dict[str, re.Pattern[str]] = {
    "chapter": re.compile(rf"^第({_CN}+|\d+)[章编]\s*"),
    "article": re.compile(rf"^第({_CN}+|\d+)条\s*"),
    "cn": re.compile(rf"^({_CN}{{1,{MAX_CN_MARKER}}})\s?[、.]\s*"),
    "paren": re.compile(rf"^\(({_CN}{{1,{MAX_CN_MARKER}}})\)\s*"),
    "arabic": re.compile(r"^(\d{1,2})\s?[.、](?!\d)\s*"),
    "arabic_paren": re.compile(r"^\((\d{1,2})\)\s*"),
}


def marker_of(line: str) -> tuple[str, int] | None:
    """The marker kind a line starts with and the marker's length, or None."""
    for kind, pattern in MARKERS.items():
        match = pattern.match(line)
        if match:
            return kind, match.end()
    return None
