"""Cost in proportion to the input: output bytes grow linearly on hostile shapes (time per
character is a benchmark in the README, not a timed test)."""

from __future__ import annotations

import itertools
import json

import pytest

from cnpolicy.config import Options
from cnpolicy.extract.numbers import NumeralTooLongError, parse_number, parse_quantity
from cnpolicy.flows import process_bytes

SIZES = (10_000, 20_000, 40_000, 80_000)
# Output may grow a little faster than the input at small sizes (fixed overheads shrink);
# twice the input plus 10% is still linear.
MAX_BYTES_RATIO = 2.2
# Units of the shapes of issue 16, each written for this test.
SHAPES = {
    "numbers without 。": "新增岗位123个,投资45.6亿元,增长7.8%,",
    "figures in lines": "项目甲 12个 34.5亿元 67.8% 90人\n",
    "table cells": "编制\t12名\t34个\t5.6%\t",
    "table rows": "处室\t12名\t34个\n",
    "digit run": "1",
    "numeral run": "一",
    "numeral run with unit": "一二三四五六七八九十个",
}


def _text(unit: str, size: int) -> bytes:
    return (unit * (size // len(unit) + 1))[:size].encode()


def _output_bytes(unit: str, size: int) -> int:
    document = process_bytes(_text(unit, size), source="shape.txt", options=Options())
    return len(json.dumps(document.to_dict(), ensure_ascii=False).encode())


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHAPES))
def test_output_grows_linearly(name: str) -> None:
    unit = SHAPES[name]
    sizes = [_output_bytes(unit, size) for size in SIZES]
    for small, big in itertools.pairwise(sizes):
        assert big <= MAX_BYTES_RATIO * small, (name, sizes)


def test_each_metric_keeps_a_bounded_context() -> None:
    unit = SHAPES["numbers without 。"]
    document = process_bytes(_text(unit, 20_000), source="shape.txt", options=Options())
    assert len(document.metrics) > 1000
    for metric in document.metrics:
        assert len(metric.sentence) <= 300
        assert metric.text in metric.sentence


@pytest.mark.parametrize("numeral", ["一" * 5000, "9" * 400, "一二三" * 100 + "-" + "五" * 300])
def test_absurd_numerals_are_refused_by_name(numeral: str) -> None:
    with pytest.raises(NumeralTooLongError, match="characters"):
        parse_quantity(numeral)
    with pytest.raises(NumeralTooLongError):
        parse_number(numeral)
