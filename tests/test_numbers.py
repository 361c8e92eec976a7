"""Numbers as policy texts write them: Arabic, Chinese, mixed, ranges, 百分之 (extract/numbers.py)."""

from __future__ import annotations

import re

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.errors import ExtractError
from cnpolicy.extract.numbers import (
    NUMERAL,
    NumberFormatError,
    Quantity,
    is_chinese_numeral,
    is_round,
    parse_fraction,
    parse_number,
    parse_percent_words,
    parse_quantity,
    parse_round,
    scale_tail,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("49", 49),
        ("14.8", 14.8),
        ("1,200", 1200),
        ("两千二百七十", 2270),
        ("十四点八", 14.8),
        ("一百零五", 105),
        ("十", 10),
        ("三十", 30),
        ("二〇一九", 2019),
        ("2.3万", 23000),
        ("1.2万", 12000),
        ("3.6亿", 360_000_000),
        ("5128.4亿", 512_840_000_000),
        ("一千二百", 1200),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_integral_values_are_ints() -> None:
    assert isinstance(parse_number("1.2万"), int)
    assert isinstance(parse_number("两千二百七十"), int)
    assert isinstance(parse_number("14.8"), float)


@pytest.mark.parametrize("text", ["", "abc", "三定", "第", "12a", "百", "万"])
def test_parse_number_rejects_non_numerals(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_number(text)


def test_number_errors_are_extract_errors_that_name_the_text() -> None:
    with pytest.raises(ExtractError, match="abc"):
        parse_number("abc")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("2-3", 2, 3),
        ("2至3", 2, 3),
        ("2~3", 2, 3),
        ("两三", 2, 3),
        ("三四", 3, 4),
        ("三五", 3, 5),
        ("三四十", 30, 40),
        ("十五六", 15, 16),
        ("两三百", 200, 300),
    ],
)
def test_parse_quantity_ranges(text: str, low: int, high: int) -> None:
    assert parse_quantity(text) == Quantity(low, high)


@pytest.mark.parametrize(("text", "value"), [("五", 5), ("二十三", 23), ("12", 12)])
def test_parse_quantity_single_values_have_no_high_end(text: str, value: int) -> None:
    assert parse_quantity(text) == Quantity(value, None)


def test_a_falling_range_is_an_error() -> None:
    with pytest.raises(NumberFormatError, match="rise"):
        parse_quantity("5-3")


def test_percent_words() -> None:
    assert parse_percent_words("百分之十五") == 15
    assert parse_percent_words("百分之十八点六") == 18.6
    with pytest.raises(NumberFormatError):
        parse_percent_words("十五")


def test_is_chinese_numeral() -> None:
    assert is_chinese_numeral("三十")
    assert not is_chinese_numeral("30")
    assert not is_chinese_numeral("1.2万")


@given(st.integers(min_value=0, max_value=10**9))
def test_chinese_numerals_round_trip(n: int) -> None:
    assert parse_number(cn2an.an2cn(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_arabic_integers_round_trip(n: int) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(["万", "亿"]))
def test_wan_and_yi_multiply(n: int, big: str) -> None:
    scale = 10_000 if big == "万" else 100_000_000
    assert parse_number(f"{n}{big}") == n * scale


@given(st.integers(min_value=0, max_value=99_999), st.integers(min_value=1, max_value=9))
def test_one_decimal_place_is_exact(whole: int, tenth: int) -> None:
    assert parse_number(f"{whole}.{tenth}") == pytest.approx(whole + tenth / 10)
    assert parse_number(f"{whole}.{tenth}万") == whole * 10_000 + tenth * 1000


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_arabic_ranges_keep_both_ends(low: int, width: int) -> None:
    assert parse_quantity(f"{low}-{low + width}") == Quantity(low, low + width)


# --- the two hands of Chinese numerals ------------------------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("壹佰贰拾", 120), ("叁仟零伍", 3005), ("伍", 5)])
def test_financial_numerals_parse(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["伍二百", "二百伍", "壹十"])
def test_the_hands_do_not_mix_in_one_numeral(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_number(text)


@given(st.integers(min_value=1, max_value=99_999))
def test_an_everyday_numeral_after_a_financial_digit_reads_alone(value: int) -> None:
    """`队伍` ends in 伍 (5): the numeral after it is read on its own."""
    numeral = cn2an.an2cn(value)
    found = re.search(rf"({NUMERAL})支", "队伍" + numeral + "支")
    assert found is not None and parse_number(found.group(1)) == value


# --- round numbers, fractions, 万/亿 after 多 (work reports) -------------------------------------


@pytest.mark.parametrize(
    ("text", "value"), [("千", 1000), ("百亿", 10**10), ("千万", 10**7), ("万亿", 10**12)]
)
def test_parse_round_reads_a_bare_multiplier_as_one_of_it(text: str, value: int) -> None:
    assert parse_round(text) == value
    assert is_round(text)


@pytest.mark.parametrize("text", ["三千", "1000", "千方", ""])
def test_parse_round_rejects_what_is_not_a_bare_multiplier(text: str) -> None:
    assert not is_round(text)
    with pytest.raises(NumberFormatError):
        parse_round(text)


@pytest.mark.parametrize(
    ("den", "part", "value"),
    [
        ("三", "二", 66.67),
        ("三", "一", 33.33),
        ("四", "三", 75),
        ("十", "一", 10),
        ("五", "一", 20),
    ],
)
def test_parse_fraction_gives_a_percentage_to_two_places(den: str, part: str, value: float) -> None:
    assert parse_fraction(den, part) == value


def test_a_fraction_above_the_whole_is_an_error() -> None:
    with pytest.raises(NumberFormatError, match="五/三"):
        parse_fraction("三", "五")


@pytest.mark.parametrize(
    ("numeral", "big", "value"),
    [
        ("八千五百", "万", 85_000_000),
        ("三亿零六百", "万", 306_000_000),  # 三亿 + 六百万, not (三亿零六百) x 万
        ("五亿二千", "万", 520_000_000),
        ("300", "万", 3_000_000),
        ("2.5", "亿", 250_000_000),
    ],
)
def test_scale_tail_scales_only_below_a_larger_multiplier(
    numeral: str, big: str, value: int
) -> None:
    assert scale_tail(numeral, big) == value
