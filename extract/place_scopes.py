"""Place scopes from a document's structure: the stretch of text each place heading governs.

A round-up has one part per city (`一、某某市` or a line holding only `某某市`, then a subtitle,
then paragraphs), and counties inside a city's part. A heading's place governs the text up to the
next place heading that is not inside it (a county under a city keeps the city's scope open), or
to the end of its outline section when it has one. The metrics component gives each figure the
innermost scope around it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from cnpolicy.gazetteer import Gazetteer, contains
from cnpolicy.records import Region, Section

__all__ = ["PlaceScope", "find_place_scopes"]

# A place heading is short: the name, perhaps an outline marker and a colon or a few words
# (`一、湛江市:`, `湛江市篇`); longer lines are sentences that happen to start with a place.
MAX_PLACE_HEADING = 12
# How far into a heading the place may start (after `一、`, `(三)`, `其中`).
MAX_PLACE_OFFSET = 5
# The end of a heading with no outline section of its own: open until a later heading ends it.
OPEN_END = sys.maxsize
_ONLY_PLACE_LINE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|\(\S{1,3}\)|\d{1,2}[.、])?\s*(\S{2,12}?)[::]?\s*$"
)


@dataclass(frozen=True, slots=True)
class PlaceScope:
    start: int
    end: int
    region: Region


def find_place_scopes(
    text: str, sections: tuple[Section, ...], gazetteer: Gazetteer, within: str | None
) -> list[PlaceScope]:
    """Every place heading's scope, in order of start (so later = innermost at any offset); a
    heading inside an outline section ends with it at the latest."""
    outline = [(sec.start, sec.end) for sec in sections if sec.marker != "standalone"]
    heads_by_start: dict[int, tuple[int, int, Region]] = {}
    for head in _section_heads(sections, gazetteer, within) + _line_heads(text, gazetteer, within):
        start, bound, region = head
        bound = min([bound] + [end for s, end in outline if s < start < end])
        heads_by_start.setdefault(start, (start, bound, region))  # a section's own bound wins
    heads = sorted(heads_by_start.values(), key=lambda head: head[0])
    scopes: list[PlaceScope] = []
    for i, (start, bound, region) in enumerate(heads):
        end = bound
        for later_start, _bound, later in heads[i + 1 :]:
            if later_start >= end:
                break
            if not _inside(region, later):
                end = later_start
                break
        scopes.append(PlaceScope(start, min(end, len(text)), region))
    return scopes


def _inside(outer: Region, inner: Region) -> bool:
    return outer.code is not None and inner.code is not None and contains(outer.code, inner.code)


def _section_heads(
    sections: tuple[Section, ...], gazetteer: Gazetteer, within: str | None
) -> list[tuple[int, int, Region]]:
    """Outline sections headed by a place (一、汕尾市, (二)遂溪县:…): their own span bounds them."""
    found = []
    for section in sections:
        title = section.title.strip()
        if len(title) > MAX_PLACE_HEADING and section.marker != "standalone":
            continue
        places = gazetteer.find(title)
        if places and places[0].start <= MAX_PLACE_OFFSET:
            division = gazetteer.choose(places[0].candidates, within=within)
            end = section.end if section.marker != "standalone" else OPEN_END
            found.append((section.start, end, gazetteer.region(division)))
    return found


def _line_heads(
    text: str, gazetteer: Gazetteer, within: str | None
) -> list[tuple[int, int, Region]]:
    """Lines holding only a place's full name (`湛江市`), whether or not the outline found them."""
    found = []
    offset = 0
    for line in text.split("\n"):
        match = _ONLY_PLACE_LINE.match(line)
        if match:
            name = match.group(1)
            places = gazetteer.find(name)
            if len(places) == 1 and places[0].text == name and not places[0].short:
                division = gazetteer.choose(places[0].candidates, within=within)
                found.append((offset, OPEN_END, gazetteer.region(division)))
        offset += len(line) + 1
    return found
