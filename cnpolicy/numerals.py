"""Chinese numerals, the one rule every stage reads them by: their characters (for patterns) and
their values (cn2an converts one numeral; callers bound the length first)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

__all__ = [
    "DIGITS",
    "DIGIT_CLASS",
    "OUTLINE_NUMERALS",
    "TO_TEN",
    "TO_TEN_CLASS",
    "chinese_value",
    "simple_value",
    "small_number",
]

# Digits as years and codes write them, one character a digit (二〇二一, 二零二一).
DIGITS = "〇零一二三四五六七八九"
# Numerals up to ten, as outline headings, articles and dates write them (十二、, 第三条, 三月八日).
TO_TEN = "一二三四五六七八九十"
# Numerals as outlines and articles count (十二、, 第一百零三条, (两)).
OUTLINE_NUMERALS = "零〇一二两三四五六七八九十百"
# The two as regular-expression character classes.
DIGIT_CLASS = f"[{DIGITS}]"
TO_TEN_CLASS = f"[{TO_TEN}]"


@cache
def _converter() -> Callable[[str, str], float]:
    """cn2an's converter, imported on first use: the package builds three converters and
    their tables on import (0.15-0.19 s), which a run that meets no Chinese numeral skips."""
    import cn2an

    convert: Callable[[str, str], float] = cn2an.cn2an
    return convert


# The value of each digit character (两 counts as 2, as in 两千, 两个).
_DIGIT_VALUES = {
    **{char: value for value, char in enumerate("〇一二三四五六七八九")},
    "零": 0,
    "两": 2,
}
# Numerals below a hundred written with 十: 十, 十二, 二十, 二十五.
_TENS = re.compile(r"([一二三四五六七八九两]?)十([一二三四五六七八九]?)")


def simple_value(text: str) -> int | None:
    """The value of the numerals most texts hold, read here without cn2an: digit strings
    (二〇二五 → 2025, 三 → 3) and numbers below a hundred with 十; None for anything else.
    Equal to cn2an in both modes on every such string (tests/test_numerals.py)."""
    if text and all(char in _DIGIT_VALUES for char in text):
        return int("".join(str(_DIGIT_VALUES[char]) for char in text))
    tens = _TENS.fullmatch(text)
    if tens is None:
        return None
    first, second = tens.groups()
    return (_DIGIT_VALUES[first] if first else 1) * 10 + (_DIGIT_VALUES[second] if second else 0)


def chinese_value(text: str, *, mode: str = "smart") -> float:
    """The value of one Chinese (or mixed) numeral (两千二百七十 → 2270, 1.2万 → 12000);
    ValueError when the text is not one."""
    simple = simple_value(text)
    if simple is not None:
        return float(simple)
    try:
        return float(_converter()(text, mode))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"{text!r} is not a well-formed Chinese numeral") from error


def small_number(text: str) -> int:
    """A year, month, day or ordinal in digits or Chinese numerals (十二 → 12, 二〇一九 → 2019)."""
    return int(text) if text.isdigit() else int(chinese_value(text, mode="normal"))
