"""DATE entities: dates as policy texts write them (2019年3月25日, 去年底, 3月份, 2021-07-01),
normalised to ISO at the precision written. Vocabulary: data/dates.json.
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Iterator, Sequence
from typing import Any

from cnpolicy.gazetteer import char_class
from cnpolicy.numerals import small_number
from cnpolicy.records import Entity

__all__ = [
    "CN_DAY",
    "ISO_DATE",
    "MONTH_STARTS",
    "YEAR_STARTS",
    "DateRules",
    "finditer_at",
    "iso",
    "parse_iso",
    "starts_of",
]

ISO_DATE = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})[-/.](1[0-2]|0?[1-9])[-/.](3[01]|[12]\d|0?[1-9])(?![\d.])"
)
CN_DAY = r"三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
# The characters a year can start with: 19xx/20xx, or four Chinese digits (二〇一九).
YEAR_STARTS = "12〇零一二三四五六七八九"
# The characters a month written in digits can start with (3月, 03月, 12月).
MONTH_STARTS = "0123456789"


def parse_iso(value: str | None) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of an ISO date such as the document's date, or None."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", (value or "").strip())
    if m is None:
        return None
    month, day = (int(g) if g else None for g in m.groups()[1:])
    return int(m.group(1)), month, day


def iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """2019-03-25, 2019-03 or 2019; None when the parts are not a real date (2月30日)."""
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and month is not None:
        try:
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            return None
    return f"{year:04d}-{month:02d}" if month is not None else f"{year:04d}"


def starts_of(chars: str) -> re.Pattern[str]:
    """A pattern finding each position holding one of the characters."""
    return re.compile(char_class(chars))


def finditer_at(
    pattern: re.Pattern[str], starts: re.Pattern[str], text: str
) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` for a pattern that never matches empty, trying it only where
    `starts` finds a character a match can begin with. A pattern that opens with a lookbehind
    or an optional run (`\\s*`) keeps the regex engine from skipping ahead to such characters
    itself, so it tries every position; policy prose holds one in twenty."""
    end = 0
    for candidate in starts.finditer(text):
        at = candidate.start()
        if at < end:
            continue
        m = pattern.match(text, at)
        if m is not None:
            end = m.end()
            yield m


class DateRules:
    """The date patterns of data/dates.json, compiled once."""

    def __init__(self, data: dict[str, Any]):
        self.relative_years: dict[str, int] = dict(data["relative_years"])
        relative = "|".join(sorted(self.relative_years, key=len, reverse=True))
        year_parts = "|".join(sorted(data["year_parts"], key=len, reverse=True))
        month_parts = "|".join(sorted(data["month_parts"], key=len, reverse=True))
        blocked = re.escape(data["part_blocked_next"])
        month = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
        day = rf"3[01]|[12]\d|0?[1-9]|{CN_DAY}"
        self.date_re = re.compile(
            rf"(?<![\d〇零一二三四五六七八九十百千万])"
            rf"(?:(?P<year>(?:19|20)\d{{2}}|[〇零一二三四五六七八九]{{4}})年|(?P<rel>{relative}))"
            rf"(?:(?P<month>{month})月(?:(?P<day>{day})[日号]|(?:{month_parts})(?![{blocked}]))?"
            rf"|(?:{year_parts})(?![{blocked}]))?"
        )
        self.date_starts = starts_of(YEAR_STARTS + "".join(w[0] for w in self.relative_years))
        self.month_day_re = re.compile(
            rf"(?<![\d个第.])(?P<month>1[0-2]|0?[1-9])月(?:(?P<day>3[01]|[12]\d|0?[1-9])[日号]"
            rf"|(?:{month_parts})(?![{blocked}]))?"
        )
        self.month_starts = starts_of(MONTH_STARTS)
        self.iso_starts = starts_of(YEAR_STARTS[:2])

    def find(self, text: str, base: tuple[int, int | None, int | None] | None) -> list[Entity]:
        """Dates, normalised to ISO at the precision written (2019-03-25, 2021-07, 2019).

        去年/今年 … count from `base`, the document's date (doc._.cnpolicy_date when the pipeline
        sets it); without one their normalized is None. A date without a year (3月25日) takes the
        year of the last dated mention before it, else the document's, else stays None.
        """
        found: list[Entity] = []
        for m in finditer_at(ISO_DATE, self.iso_starts, text):
            normalized = iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            found.append(Entity(m.group(), "DATE", m.start(), m.end(), normalized))
        for m in finditer_at(self.date_re, self.date_starts, text):
            if m.group("year"):
                year: int | None = small_number(m.group("year"))
            else:
                year = base[0] + self.relative_years[m.group("rel")] if base else None
            found.append(self._date(m, year))
        taken = sorted((e.start, e.end, e.normalized) for e in found)
        starts = [start for start, _, _ in taken]
        for m in finditer_at(self.month_day_re, self.month_starts, text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and taken[i][1] > m.start():
                continue  # the month of a date with its year
            found.append(self._date(m, self._year_before(taken[: i + 1], base)))
        return found

    @staticmethod
    def _year_before(
        dates: Sequence[tuple[int, int, str | None]],
        base: tuple[int, int | None, int | None] | None,
    ) -> int | None:
        """The year a date written without one falls in: that of the last dated mention before it
        (2018年5月……10月 is 2018-10), else the document's year, else unknown (None)."""
        for _, _, normalized in reversed(dates):
            if normalized and normalized[:4].isdigit():
                return int(normalized[:4])
        return base[0] if base else None

    def _date(self, m: re.Match[str], year: int | None) -> Entity:
        month = small_number(m.group("month")) if m.group("month") else None
        day = small_number(m.group("day")) if m.group("day") else None
        normalized = iso(year, month, day) if year is not None else None
        return Entity(m.group(), "DATE", m.start(), m.end(), normalized)
