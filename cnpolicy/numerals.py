"""Chinese numerals, the one rule every stage reads them by: their characters (for patterns) and
their values (cn2an converts one numeral; callers bound the length first)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

__all__ = [
    "DIGITS",
    "DIGIT_CLASS",
    "TO_TEN",
    "TO_TEN_CLASS",
    "chinese_value",
    "small_number",
]

# Digits as years and codes write them, one character a digit (二〇二一, 二零二一).
DIGITS = "〇零一二三四五六七八九"
# Numerals up to ten, as outline headings, articles and dates write them (十二、, 第三条, 三月八日).
TO_TEN = "一二三四五六七八九十"
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


def chinese_value(text: str, *, mode: str = "smart") -> float:
    """The value of one Chinese (or mixed) numeral (两千二百七十 → 2270, 1.2万 → 12000);
    ValueError when the text is not one."""
    try:
        return float(_converter()(text, mode))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"{text!r} is not a well-formed Chinese numeral") from error


def small_number(text: str) -> int:
    """A year, month, day or ordinal in digits or Chinese numerals (十二 → 12, 二〇一九 → 2019)."""
    return int(text) if text.isdigit() else int(chinese_value(text, mode="normal"))
