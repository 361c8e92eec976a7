"""ingest/info.py: which lines hold only info fields, and publisher values without counters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.ingest.info import (
    clean_publisher,
    holds_only_credits,
    holds_only_info,
    lexicon,
    source_value,
)


@pytest.mark.parametrize(
    "line",
    [
        "来源：江城县委编办 发布时间：2021-11-08 09:30 浏览次数： 【字体：大 中 小】",
        "发布时间：2019-03-22 17:05 来源：中共江城县委办公室 阅读量：867 【大 中 小】",
        "2022-11-15 08:12 来源:江城日报 记者 张三 通讯员 李四",
        "(编辑:李四 审核:王五)",
        "【责任编辑:王五】",
        "发布时间:2020-01-02 阅读: 评论:0",
        "时间:2018-03-14 来源:江城市委编办",
        "作者:张三",
    ],
)
def test_lines_made_of_info_fields_are_info_lines(line: str) -> None:
    assert holds_only_info(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "时间:2021年3月5日上午9时",  # a meeting notice's own line: 时间 alone is a weak label
        "日期:2021-03-05",
        "经费来源:财政预算安排",  # prose before the label
        "一、资金来源:市级财政",
        "来源:据统计,全市共精简编制120名。各单位要抓好落实。",  # a sentence in the field
        "全市共精简编制120名,划转职责85项。",
        "来源:" + "江城" * 40,  # a field too long to be a name
        "江城市深化机构改革取得阶段性成效",
    ],
)
def test_body_lines_are_not_info_lines(line: str) -> None:
    assert not holds_only_info(line)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("中共江城县委办公室 阅读量:867", "中共江城县委办公室"),
        ("中共江城县委办公室阅读量867", "中共江城县委办公室"),
        ("江城市委编办 浏览次数:", "江城市委编办"),
        ("江城市委编办 点击:12", "江城市委编办"),
        ("江城市委编办 访问量 1,286", "江城市委编办"),
        ("来源:江城日报 记者 张三", "江城日报"),
        ("江城日报 责任编辑:王五 2019-09-06", "江城日报"),
        ("全民阅读促进会", "全民阅读促进会"),  # 阅读 not before a colon or digit: a name
        ("中共江城县委办公室 江城县人民政府办公室", "中共江城县委办公室 江城县人民政府办公室"),
        ("江城日报记者站", "江城日报记者站"),  # a byline word only ends a value after a space
        ("阅读量:867", None),
        ("https://www.example.gov.cn", None),
        ("", None),
        (None, None),
    ],
)
def test_publishers_never_keep_counters_or_what_follows(
    value: str | None, expected: str | None
) -> None:
    assert clean_publisher(value) == expected


NAME_CHARS = "江城河山县市区委办公室人民政府日报社中心局编"
SEPARATORS = ("", " ", "\u3000", "  ")


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=NAME_CHARS, min_size=2, max_size=30),
    st.sampled_from(SEPARATORS),
    st.sampled_from(lexicon().counter_words),
    st.text(max_size=20),
)
def test_a_counter_and_anything_after_it_are_cut_from_a_publisher(
    name: str, separator: str, counter: str, rest: str
) -> None:
    assert clean_publisher(f"{name}{separator}{counter}{rest}") == name


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_cleaning_a_publisher_is_idempotent_and_never_leaves_a_counter(value: str) -> None:
    cleaned = clean_publisher(value)
    if cleaned is not None:
        assert clean_publisher(cleaned) == cleaned
        assert not any(word in cleaned for word in lexicon().counter_words)
        assert cleaned == cleaned.strip() and len(cleaned) <= 40


def test_source_value_stops_at_the_next_label_and_at_a_date() -> None:
    assert source_value("江城市委编办 发布时间:2021-11-08") == "江城市委编办"
    assert source_value("江城市委编办 2021-11-08 09:30") == "江城市委编办"
    assert source_value("2021-11-08") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("(编辑:李四 审核:王五)", True),
        ("作者:张三 浏览次数:12", True),
        ("来源:江城日报 编辑:李四", False),  # names the source
        ("编辑:李四 2021-03-02", False),  # carries a date
        ("发布时间:2021-03-02", False),
        ("编辑部的同志们做了大量工作。", False),
    ],
)
def test_credit_lines_name_neither_source_nor_date(line: str, expected: bool) -> None:
    assert holds_only_credits(line) is expected
