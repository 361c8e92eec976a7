"""The numeral rule (cnpolicy/numerals.py): its fast reading of simple numerals is cn2an's."""

from __future__ import annotations

import itertools
import random

import cn2an
import pytest

from cnpolicy.numerals import chinese_value, simple_value, small_number

ALPHABET = "〇零一二三四五六七八九两十百千万点"
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
