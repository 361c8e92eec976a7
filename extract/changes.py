"""Joining mentions that belong together: a before/after pair (`从61个减到49个`) into one change,
and a range that writes its unit at both ends (`118项至168项`) into one range.

Works on the mentions found by extract/mentions.py, in text order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from cnpolicy.datafiles import read_data_json
from cnpolicy.extract.numbers import NUMERAL, RANGE_SEPARATORS, NumberFormatError, parse_number

if TYPE_CHECKING:
    from cnpolicy.extract.mentions import Mention, Rules

__all__ = ["merge_changes"]


_BARE_NUMBER = re.compile(rf"({NUMERAL})$")
# The year a value is dated by, between the change verb and the value (由1978年的36.5%降低到
# 1981年的28.5%; 从一九五五年的…斤,增加到了一九五九年的…斤; 降到去年的1.5%; 提高到现在的1721元):
# not part of the verb. Years written out, the relative years of data/dates.json and the present
# (metric_patterns.json present_words), with a part of the year (底, 末, 初), then 的.
_YEAR_PARTS = "底末初"


@dataclass(frozen=True, slots=True)
class Dating:
    """The dating year's pattern, and the most characters it takes at the end of a stretch."""

    pattern: re.Pattern[str]
    max_chars: int


@lru_cache(maxsize=1)
def load_dating() -> Dating:
    relative = list(read_data_json("cnpolicy.extract", "dates.json")["relative_years"])
    present = read_data_json("cnpolicy.extract", "metric_patterns.json")["present_words"]
    words = sorted(relative + present, key=len, reverse=True)
    pattern = re.compile(
        rf"(?:(?:\d{{4}}|[〇零一二三四五六七八九]{{4}})年|{'|'.join(words)})[{_YEAR_PARTS}]?的$"
    )
    # 4 digits and 年 (or the longest word), a part, 的, and the line break `$` may stand before
    longest = max(5, len(words[0]))
    return Dating(pattern, longest + 3)


# A comma may stand before the verb of a change opened by 从/由 (…亿斤,增加到了…亿斤).
_LEAD_COMMA = ","


def merge_changes(text: str, mentions: list[Mention], rules: Rules) -> list[Mention]:
    """Join `从61个减到49个` (before, change verb, after) into one change mention."""
    merged: list[Mention] = []
    for mention in mentions:
        previous = merged[-1] if merged else None
        change = _as_change(text, previous, mention, rules)
        if change is not None and previous is not None and change.start == previous.start:
            merged[-1] = change
        elif change is None and (spanned := _as_range(text, previous, mention)) is not None:
            merged[-1] = spanned
        else:
            merged.append(change or mention)
    return merged


def _as_range(text: str, low: Mention | None, high: Mention) -> Mention | None:
    """`一百一十八项至一百六十八项`: a range that writes its unit at both ends (one metric)."""
    if low is None or low.unit != high.unit or low.before is not None or high.before is not None:
        return None
    if low.value_max is not None or high.value_max is not None or high.value <= low.value:
        return None
    between = text[low.end : high.start].strip()
    if len(between) != 1 or between not in RANGE_SEPARATORS:
        return None
    return replace(low, end=high.end, value_max=high.value, approx=low.approx or high.approx)


def _as_change(text: str, previous: Mention | None, after: Mention, rules: Rules) -> Mention | None:
    if after.kind == "percent" and after.unit != "%":
        return None
    if previous is not None and previous.unit_end <= after.start:
        between = _undated(text, previous.end, after.start)
        opened = rules.change_gap.search(text[max(0, previous.start - 12) : previous.start])
        if opened:
            between = between.removeprefix(_LEAD_COMMA)
        if (
            previous.unit == after.unit
            and previous.before is None
            and previous.value_max is None
            and (
                (opened and rules.change_verbs.fullmatch(between))
                or rules.strict_change.fullmatch(between)
            )
        ):
            return replace(
                after,
                start=previous.start,
                before=previous.value,
                before_start=previous.number_start,
                before_end=previous.end,
                kind="change",
            )
    return _bare_before(text, after, rules)


def _undated(text: str, start: int, end: int) -> str:
    """`text[start:end]` without the year that dates the value after it (load_dating): the year
    can only close the stretch, so only its last `max_chars` characters are searched (the text
    between two figures runs to thousands of characters, which the pattern would try one by one)."""
    dating = load_dating()
    tail = max(start, end - dating.max_chars)
    return text[start:tail] + dating.pattern.sub("", text[tail:end])


def _bare_before(text: str, after: Mention, rules: Rules) -> Mention | None:
    """`从61减到49个`: the first number written without its unit."""
    head = text[max(0, after.start - 20) : after.start]
    verb = rules.bare_before.search(head)
    if verb is None or not rules.change_verbs.fullmatch(verb.group(2)):
        return None
    number_start = after.start - len(head) + verb.start(1)
    if not rules.change_gap.search(text[max(0, number_start - 12) : number_start]):
        return None
    try:
        before = parse_number(verb.group(1))
    except NumberFormatError:
        return None
    return replace(
        after, start=number_start, before=before, before_start=number_start, kind="change"
    )
