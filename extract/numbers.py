"""Numbers as Chinese policy text writes them: Arabic, Chinese numerals, mixed, ranges, 百分之, 成.

Pure functions on isolated numeral strings (never on whole texts: `三定` is not `3定`) plus the
regex fragments that find those strings; cn2an converts a single Chinese numeral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from cnpolicy.errors import ExtractError
from cnpolicy.numerals import chinese_value
from cnpolicy.records import Number, as_number

__all__ = [
    "ARABIC",
    "ARABIC_BIG",
    "BIG_MULTIPLIERS",
    "CHINESE",
    "CN_DIGITS",
    "CN_MULTIPLIERS",
    "DECIMAL_POINTS",
    "EVERYDAY_DIGITS",
    "EVERYDAY_MULTIPLIERS",
    "FINANCIAL_DIGITS",
    "FINANCIAL_MULTIPLIERS",
    "FRACTION",
    "FRACTION_PLACES",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "MAX_NUMERAL_CHARS",
    "MAX_THOUSANDS_GROUPS",
    "NUMERAL",
    "RANGE",
    "RANGE_SEPARATORS",
    "RANGE_SPACES",
    "ROUND",
    "NumberFormatError",
    "NumeralTooLongError",
    "Quantity",
    "check_length",
    "is_chinese_numeral",
    "is_round",
    "parse_fraction",
    "parse_number",
    "parse_percent_words",
    "parse_quantity",
    "parse_round",
    "scale_tail",
]

# Chinese digits (including the financial forms) and the multipliers that may follow them.
CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
CN_MULTIPLIERS = "十百千万亿拾佰仟"
# A numeral is written in one of two hands, never a mix: the everyday digits, or the financial
# forms of cheques and contracts. Keeping them apart stops a financial digit that ends a word
# (队伍, 伍 = 5) from gluing onto the everyday numeral after it (队伍二百九十一支).
EVERYDAY_DIGITS = "零〇一二两三四五六七八九"
EVERYDAY_MULTIPLIERS = "十百千万亿"
FINANCIAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
FINANCIAL_MULTIPLIERS = "拾佰仟万亿"
# Multipliers that Arabic digits may carry in running text (1.2万, 3.6亿).
BIG_MULTIPLIERS = {"万": 10_000, "亿": 100_000_000}
# Separators between the two ends of a range: 2-3个, 2~3个, 2至3个, 2到3个.
RANGE_SEPARATORS = "-~～—–至到"
# Pairs of adjacent digits that make an approximate range (两三个, 三四十个, 十五六个).
_DIGIT_VALUES = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# 三五 (three to five) is the one common range whose ends are not adjacent digits.
_LOOSE_PAIRS = frozenset({("三", "五")})
_MULTIPLIER_VALUES = {"十": 10, "百": 100, "千": 1000, "万": 10_000}

# The longest numeral read, in characters: the largest figures of the reports (1,234,567.89亿,
# 两千二百七十万三千四百五十六) run to about 15; a longer run of digits is a code or noise.
# Every quantifier below is bounded by these, and an Arabic numeral never starts inside a run
# of digits, so a scan over a long run of digits or numerals costs time linear in its length.
MAX_NUMERAL_CHARS = 24
MAX_INTEGER_DIGITS = 15
MAX_FRACTION_DIGITS = 6
MAX_THOUSANDS_GROUPS = 5
# Decimal points: older reports set a middle dot between digits (增长19·5% is 19.5 %). A dotted
# date naming an event (“5·12”地震, 5·18国际博物馆日) has no unit after it, so it is no mention.
DECIMAL_POINTS = ".·"
_FRACTION = rf"(?:[{DECIMAL_POINTS}]\d{{1,{MAX_FRACTION_DIGITS}}})?"
ARABIC = (
    rf"(?<!\d)(?:\d{{1,3}}(?:,\d{{3}}){{1,{MAX_THOUSANDS_GROUPS}}}{_FRACTION}"
    rf"|\d{{1,{MAX_INTEGER_DIGITS}}}{_FRACTION})(?!\d)"
)
ARABIC_BIG = rf"(?:{ARABIC})(?:[万亿]{{1,2}})?"
# A Chinese numeral must hold a digit or start with 十 (十五, 十个): bare 百/千/万 are words.
CHINESE = (
    rf"(?:(?:[{EVERYDAY_DIGITS}]|十)[{EVERYDAY_DIGITS}{EVERYDAY_MULTIPLIERS}]{{0,{MAX_NUMERAL_CHARS}}}"
    rf"(?:点[{EVERYDAY_DIGITS}]{{1,{MAX_FRACTION_DIGITS}}})?"
    rf"|(?:[{FINANCIAL_DIGITS}]|拾)[{FINANCIAL_DIGITS}{FINANCIAL_MULTIPLIERS}]{{0,{MAX_NUMERAL_CHARS}}}"
    rf"(?:点[{FINANCIAL_DIGITS}]{{1,{MAX_FRACTION_DIGITS}}})?)"
)
NUMERAL = rf"(?:{ARABIC_BIG}|{CHINESE})"
# A round number written as its multiplier alone (千, 百亿, 千万, 万亿): a number only after a
# qualifier or before 多/余 (超千亿元, 千余家, 上千种); alone it is a word (千方百计, 百姓).
ROUND = r"(?:[百千]亿|千万|万亿|[百千万亿])"
# A fraction in words (三分之二, 十分之一): the denominator is a small Chinese numeral.
FRACTION = rf"(?P<den>[{EVERYDAY_DIGITS}十]{{1,3}})分之(?P<part>{CHINESE})"
# Decimal places a fraction keeps as a percentage (三分之二 → 66.67, as ANNOTATION.md writes it).
FRACTION_PLACES = 2
# Spaces allowed around a range separator (2 - 3个).
RANGE_SPACES = 2
RANGE = rf"{NUMERAL}(?:\s{{0,{RANGE_SPACES}}}[{RANGE_SEPARATORS}]\s{{0,{RANGE_SPACES}}}{NUMERAL})?"

_ARABIC_FULL = re.compile(rf"({ARABIC})([万亿]{{0,2}})")
_CHINESE_FULL = re.compile(CHINESE)
_ROUND_FULL = re.compile(ROUND)
_RANGE_SPLIT = re.compile(
    rf"^({NUMERAL})\s{{0,{RANGE_SPACES}}}[{RANGE_SEPARATORS}]\s{{0,{RANGE_SPACES}}}({NUMERAL})$"
)
_APPROX_RANGE = re.compile(
    r"^(?P<tens>十)?(?P<a>[一二两三四五六七八九])(?P<b>[二三四五六七八九])(?P<mult>[十百千万]?)$"
)


class NumberFormatError(ExtractError):
    """A string that is not a number we can read."""


class NumeralTooLongError(NumberFormatError):
    """A numeral longer than MAX_NUMERAL_CHARS: refused before any conversion can overflow."""


def check_length(text: str) -> str:
    """The numeral, stripped; NumeralTooLongError when it is longer than any real figure."""
    raw = text.strip()
    if len(raw) > MAX_NUMERAL_CHARS * 2 + RANGE_SPACES * 2 + 1:
        raise NumeralTooLongError(
            f"a numeral of {len(raw)} characters (at most {MAX_NUMERAL_CHARS} are read)"
        )
    return raw


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed number or range: `value` is the low end, `value_max` the high end of a range."""

    value: Number
    value_max: Number | None = None


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Number:
    """One numeral (Arabic, Chinese or mixed) → its value: `两千二百七十` → 2270, `1.2万` → 12000."""
    raw = check_length(text)
    arabic = _ARABIC_FULL.fullmatch(raw)
    if arabic:
        value = Decimal(arabic.group(1).replace(",", "").replace(DECIMAL_POINTS[1], "."))
        for char in arabic.group(2):
            value *= BIG_MULTIPLIERS[char]
        return as_number(float(value))
    if _CHINESE_FULL.fullmatch(raw):
        return _parse_chinese(raw)
    raise NumberFormatError(f"{text!r} is not a numeral (expected digits or Chinese numerals)")


def _parse_chinese(text: str) -> Number:
    try:
        value = chinese_value(text)
    except ValueError as error:
        raise NumberFormatError(f"{text!r} is not a well-formed Chinese numeral") from error
    return as_number(value)


@lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity:
    """A numeral or a range: `2-3` → (2, 3), `两三` → (2, 3), `三四十` → (30, 40), `五` → (5, None)."""
    raw = check_length(text)
    approx = _APPROX_RANGE.fullmatch(raw)
    if approx and _is_digit_pair(approx.group("a"), approx.group("b")):
        return _approximate_range(approx)
    split = _RANGE_SPLIT.fullmatch(raw)
    if split:
        low, high = parse_number(split.group(1)), parse_number(split.group(2))
        if high <= low:
            raise NumberFormatError(f"{text!r}: a range must rise ({low} to {high})")
        return Quantity(low, high)
    return Quantity(parse_number(raw))


def _is_digit_pair(first: str, second: str) -> bool:
    a, b = _DIGIT_VALUES[first], _DIGIT_VALUES[second]
    return b == a + 1 or (first, second) in _LOOSE_PAIRS


def _approximate_range(match: re.Match[str]) -> Quantity:
    low, high = _DIGIT_VALUES[match.group("a")], _DIGIT_VALUES[match.group("b")]
    scale = _MULTIPLIER_VALUES.get(match.group("mult"), 1)
    base = 10 if match.group("tens") else 0
    return Quantity(as_number(base + low * scale), as_number(base + high * scale))


def is_chinese_numeral(text: str) -> bool:
    """Whether the numeral is written in Chinese characters (no Arabic digit in it)."""
    return not any(char.isdigit() for char in text)


def parse_percent_words(text: str) -> Number:
    """`百分之十五` → 15 (the percentage, not the fraction)."""
    if not text.startswith("百分之"):
        raise NumberFormatError(f"{text!r} does not start with 百分之")
    return parse_number(text[len("百分之") :])


def is_round(text: str) -> bool:
    """Whether the numeral is a bare multiplier (千, 百亿): a number only with a qualifier."""
    return _ROUND_FULL.fullmatch(text.strip()) is not None


def parse_round(text: str) -> Number:
    """`千亿` → 100000000000, `千` → 1000: a bare multiplier, read as one of it (only where a
    qualifier makes it a number: 超千亿元, 千余家)."""
    if not is_round(text):
        raise NumberFormatError(f"{text!r} is not a round number (千, 百亿, 千万 …)")
    return _parse_chinese("一" + text.strip())


def parse_fraction(denominator: str, part: str) -> Number:
    """`三分之二` (denominator 三, part 二) → 66.67: the fraction as a percentage."""
    whole, share = parse_number(denominator), parse_number(part)
    if not whole or share > whole:
        raise NumberFormatError(f"{part}/{denominator} is not a fraction of a whole")
    return as_number(round(float(share) / float(whole) * 100, FRACTION_PLACES))


def scale_tail(numeral: str, big: str) -> Number:
    """`四亿零七百` + 多 + `万` → 407000000: the 万/亿 written after 多/余 scales only the part of
    the numeral below its own larger multiplier (四亿 + 七百万), or the whole (八千五百 → 8500万)."""
    scale = BIG_MULTIPLIERS[big[0]] * (BIG_MULTIPLIERS[big[1]] if len(big) > 1 else 1)
    higher = max(
        (numeral.rfind(char) for char, value in BIG_MULTIPLIERS.items() if value > scale),
        default=-1,
    )
    if higher < 0:
        return as_number(float(Decimal(str(parse_number(numeral))) * scale))
    head, tail = numeral[: higher + 1], numeral[higher + 1 :].lstrip("零〇")
    tail_value = Decimal(str(parse_number(tail))) * scale if tail else Decimal(0)
    return as_number(float(Decimal(str(parse_number(head))) + tail_value))
