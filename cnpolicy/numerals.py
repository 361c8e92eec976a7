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
    "standard_value",
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


# One section below ten thousand, as standard usage writes it: 三千零五十, 一百零八, 二十七. The
# groups say what each position holds; `standard_value` checks the zeros stand where a position
# is skipped (一千零二十, not 一千零五百) and that none is skipped silently (一百五, 一千二 are
# shorthand for 150 and 1200: cn2an reads them).
_SECTION = re.compile(
    r"(?:(?P<thousands>[一二三四五六七八九两])千)?"
    r"(?:(?P<zero_hundreds>零)?(?P<hundreds>[一二三四五六七八九两])百)?"
    r"(?:(?P<zero_tens>零)?(?P<tens>[一二三四五六七八九])?(?P<ten>十))?"
    r"(?:(?P<zero_units>零)?(?P<units>[一二三四五六七八九]))?"
)
# Capital (banker's) numerals, as amounts and old texts write them: 伍拾 is 五十.
_CAPITAL_FORMS = str.maketrans("壹贰叁肆伍陆柒捌玖拾佰仟", "一二三四五六七八九十百千")
# The two units that join sections, with what they multiply by.
_WAN, _YI = ("万", 10_000), ("亿", 100_000_000)
_DECIMAL_DIGITS = re.compile(r"[〇零一二三四五六七八九]+")


def standard_value(text: str) -> float | None:
    """The value of a numeral in standard form — sections of 千百十 joined by 万 and 亿, zeros
    where positions are skipped, decimals after 点 (三亿零五百三十万, 一千零二十七, 三百八十七点四二)
    — read without cn2an; None for anything else (shorthand, mixed digits, malformed), which
    cn2an reads. Equal to cn2an in both modes wherever it answers (tests/test_numerals.py); it
    also reads the older 万万 as 亿 (四万万 → 4亿), which cn2an rejects."""
    if "零拾" in text:
        return None  # cn2an reads 零十 (一千零十 = 1010) but not the capital 零拾
    text = text.translate(_CAPITAL_FORMS)
    if "万万" in text and "亿" not in text:
        text = text.replace("万万", "亿")  # 四万万: the older writing of 四亿
    whole, point, decimals = text.partition("点")
    if point and not _DECIMAL_DIGITS.fullmatch(decimals):
        return None
    value = 0 if whole in ("零", "〇") else _below_units(whole, _YI, first=True)
    if value is None:
        return None
    if not point:
        return float(value)
    return float(f"{value}.{''.join(str(_DIGIT_VALUES[char]) for char in decimals)}")


def _below_units(text: str, unit: tuple[str, int] | None, *, first: bool) -> int | None:
    """A whole number below 10^16 (万亿) read down from `unit` (亿, then 万, then a section)."""
    if unit is None:
        return _section(text, first)
    mark, scale = unit
    lower_unit = _WAN if mark == "亿" else None
    if mark not in text:
        return _below_units(text, lower_unit, first=first)
    high, _, low = text.partition(mark)
    # 两万, 两亿: 两 counts a unit, never stands as a section's digit
    upper = 2 if high == "两" else _below_units(high, lower_unit, first=first)
    if not upper:
        return None
    if not low:
        return upper * scale
    zero = low.startswith("零")
    lower = _below_units(low[1:] if zero else low, lower_unit, first=False)
    if not lower or (not zero and lower < scale // 10):
        return None  # 一万五 (shorthand), 一万五百 (a skipped 千 without its 零)
    return upper * scale + lower


def _section(text: str, first: bool) -> int | None:
    """A section below 10,000 in standard form; `first`: it opens the numeral (so 十 may
    stand for 一十)."""
    parts = _SECTION.fullmatch(text)
    if not text or parts is None:
        return None
    thousands, hundreds = parts["thousands"], parts["hundreds"]
    tens, ten, units = parts["tens"], parts["ten"], parts["units"]
    higher = thousands is not None or hundreds is not None
    if parts["zero_hundreds"]:
        return None  # nothing is skipped before the hundreds: 一千零五百
    if parts["zero_tens"] and not (thousands and not hundreds):
        return None
    if parts["zero_units"] and (ten or not higher):
        return None
    if ten and tens is None and not ((first and not higher) or hundreds or parts["zero_tens"]):
        return (
            None  # a bare 十 (一十) opens a numeral or follows 百 or 零: 十二, 一百十八, 二千零十七
        )
    if ten and thousands and not hundreds and not parts["zero_tens"]:
        return None  # 一千二十: the skipped hundreds need their 零
    if units and not ten and higher and not parts["zero_units"]:
        return None  # 一百五, 一千二: shorthand
    return (
        (_DIGIT_VALUES[thousands] * 1000 if thousands else 0)
        + (_DIGIT_VALUES[hundreds] * 100 if hundreds else 0)
        + ((_DIGIT_VALUES[tens] if tens else 1) * 10 if ten else 0)
        + (_DIGIT_VALUES[units] if units else 0)
    )


def chinese_value(text: str, *, mode: str = "smart") -> float:
    """The value of one Chinese (or mixed) numeral (两千二百七十 → 2270, 1.2万 → 12000);
    ValueError when the text is not one. Simple and standard forms are read here; cn2an (and
    its 0.2 s of loading) reads the rest."""
    simple = simple_value(text)
    if simple is not None:
        return float(simple)
    standard = standard_value(text)
    if standard is not None:
        return standard
    try:
        return float(_converter()(text, mode))
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ValueError(f"{text!r} is not a well-formed Chinese numeral") from error


def small_number(text: str) -> int:
    """A year, month, day or ordinal in digits or Chinese numerals (十二 → 12, 二〇一九 → 2019)."""
    return int(text) if text.isdigit() else int(chinese_value(text, mode="normal"))
