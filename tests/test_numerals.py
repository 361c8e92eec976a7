"""The numeral rule (cnpolicy/numerals.py): its fast reading of simple numerals is cn2an's."""

from __future__ import annotations

import itertools
import random

import cn2an
import pytest

from cnpolicy.numerals import chinese_value, simple_value, small_number, standard_value

ALPHABET = "〇零一二三四五六七八九两十百千万点"
# Standard-form numerals: random strings over the whole alphabet (with 亿) checked against cn2an,
# and cn2an's own writing of random whole numbers and decimals, which must all be read here.
STANDARD_ALPHABET = ALPHABET + "亿壹贰伍陆拾佰仟"
STANDARD_SAMPLES = 60_000
WRITTEN_SAMPLES = 4_000
MODES = ("normal", "smart")
# Random longer strings checked on top of every string of up to three characters.
LONGER_SAMPLES = 3000


def cn2an_value(text: str, mode: str) -> float | None:
    try:
        return float(cn2an.cn2an(text, mode))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def strings() -> list[str]:
    short = ["".join(t) for n in (1, 2, 3) for t in itertools.product(ALPHABET, repeat=n)]
    rng = random.Random(12)
    longer = ["".join(rng.choices(ALPHABET, k=rng.randint(4, 6))) for _ in range(LONGER_SAMPLES)]
    return short + longer


@pytest.mark.parametrize("mode", MODES)
def test_simple_values_are_cn2ans_values(mode: str) -> None:
    read = 0
    for text in strings():
        simple = simple_value(text)
        if simple is not None:
            read += 1
            assert float(simple) == cn2an_value(text, mode), text
        assert (
            chinese_value(text, mode=mode) if cn2an_value(text, mode) is not None else None
        ) == (cn2an_value(text, mode)), text
    assert read > 500


def test_simple_numerals_are_read_without_cn2an() -> None:
    assert simple_value("二〇二五") == 2025
    assert simple_value("十二") == 12
    assert simple_value("两") == 2
    assert simple_value("三百") is None
    assert simple_value("") is None
    assert small_number("十二") == 12 and small_number("2019") == 2019


def test_other_numerals_still_go_through_cn2an() -> None:
    assert chinese_value("两千二百七十") == 2270
    assert chinese_value("1.2万") == 12000
    with pytest.raises(ValueError, match="not a well-formed"):
        chinese_value("百")


@pytest.mark.parametrize("mode", MODES)
def test_standard_values_are_cn2ans_values(mode: str) -> None:
    rng = random.Random(7)
    read = 0
    for _ in range(STANDARD_SAMPLES):
        text = "".join(rng.choices(STANDARD_ALPHABET, k=rng.randint(1, 9)))
        if "万万" in text:
            continue  # the older 亿, which cn2an does not read (below)
        value = standard_value(text)
        if value is not None:
            read += 1
            assert value == cn2an_value(text, mode), text
    assert read > 3000


def test_every_standard_numeral_cn2an_writes_is_read_without_it() -> None:
    rng = random.Random(8)
    for _ in range(WRITTEN_SAMPLES):
        number = rng.choice([rng.randint(0, 10**4), rng.randint(0, 10**8), rng.randint(0, 10**15)])
        assert standard_value(cn2an.an2cn(number)) == float(number), number
        decimal = str(round(rng.uniform(0, 10**4), rng.randint(1, 4)))
        written = cn2an.an2cn(decimal)
        assert standard_value(written) == cn2an_value(written, "smart") == float(decimal), decimal


def test_shorthand_and_malformed_numerals_are_left_to_cn2an() -> None:
    for text in ("一百五", "一万五", "一千二十", "一千十", "一千零五百", "两十", "一点", "1.2万"):
        assert standard_value(text) is None, text
    assert chinese_value("一百五") == 150 and chinese_value("一千零二十七") == 1027
    assert standard_value("三亿零五百三十万") == 305_300_000
    assert standard_value("两亿零七百万") == 207_000_000
    assert standard_value("三百八十七点四二") == 387.42


def test_common_variants_are_read_as_cn2an_reads_them() -> None:
    assert standard_value("一百十八") == 118 == cn2an_value("一百十八", "smart")
    assert standard_value("二千零十七万") == 20_170_000 == cn2an_value("二千零十七万", "smart")
    assert standard_value("十亿零七千万") == 1_070_000_000 == cn2an_value("十亿零七千万", "smart")
    assert standard_value("伍拾") == 50 == cn2an_value("伍拾", "smart")


def test_wan_wan_is_the_older_yi() -> None:
    assert cn2an_value("四万万", "smart") is None  # cn2an does not read it
    assert standard_value("四万万") == chinese_value("四万万") == 400_000_000
    assert standard_value("五万万零三") == 500_000_003
