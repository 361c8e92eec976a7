"""Query parsing and segmentation: the search box syntax, and index/query tokens that agree."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.errors import QueryError
from cnpolicy.search.query import (
    MAX_QUERY_CHARS,
    Clause,
    ParsedQuery,
    Term,
    compile_text,
    parse_query,
    term_variants,
)
from cnpolicy.search.segment import (
    ZWSP,
    is_token_char,
    merged_words,
    segment,
    strip_separators,
    subwords,
    tokens,
    unicode61_token_char,
)


def test_words_phrases_exclusions_and_or() -> None:
    parsed = parse_query('机构改革 "编制 精简" -湛江 长春 OR 广州 -“大科室”')
    assert parsed == ParsedQuery(
        clauses=(
            Clause((Term("机构改革"),)),
            Clause((Term("编制 精简", phrase=True),)),
            Clause((Term("长春"), Term("广州"))),
        ),
        excluded=(Term("湛江"), Term("大科室", phrase=True)),
    )


def test_full_width_input_is_normalised() -> None:
    assert parse_query("机构　改革") == parse_query("机构 改革")  # ideographic space
    assert parse_query("「事业单位」") == parse_query('"事业单位"')
    assert parse_query("－湛江") == parse_query("-湛江")  # full-width minus


def test_dangling_or_and_lone_minus_are_ignored() -> None:
    assert parse_query("OR 编制 OR") == parse_query("编制")
    assert parse_query("- 编制") == parse_query("编制")
    assert parse_query("").is_empty


def test_unterminated_quote_runs_to_the_end() -> None:
    assert parse_query('改革 "编制 精简') == ParsedQuery(
        (Clause((Term("改革"),)), Clause((Term("编制 精简", phrase=True),)))
    )


@pytest.mark.parametrize("text", ["-", '"', '""', "OR", "- OR -", '-"" OR'])
def test_operators_alone_are_a_query_error_not_every_document(text: str) -> None:
    with pytest.raises(QueryError, match="operators"):
        parse_query(text)


def test_an_empty_box_still_lists_the_archive() -> None:
    assert parse_query("  ") == ParsedQuery((), ())


def test_limits_are_query_errors() -> None:
    with pytest.raises(QueryError, match=str(MAX_QUERY_CHARS)):
        parse_query("改" * (MAX_QUERY_CHARS + 1))
    with pytest.raises(QueryError, match="too many terms"):
        parse_query(" ".join(["编制"] * 40))
    with pytest.raises(QueryError, match="no searchable word"):
        compile_text("，。！")


def test_a_word_jieba_splits_becomes_a_phrase() -> None:
    assert term_variants(Term("长春市人民政府")) == (("长春市", "人民政府"),)
    assert term_variants(Term("编制")) == (("编制",),)
    assert term_variants(Term("14.8%")) == (("14", "8"),)
    assert term_variants(Term("，。")) == ()


def test_exclusions_alone_compile() -> None:
    compiled = compile_text("-湛江")
    assert compiled.must == () and compiled.exclude == ((("湛江",),),)
    assert compiled.has_text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_parsing_never_fails_unexpectedly(text: str) -> None:
    try:
        compiled = compile_text(text)
    except QueryError:
        return
    for clause in compiled.must:
        for variants in clause:
            assert variants and all(all(t.strip() for t in v) for v in variants)


# --- segmentation --------------------------------------------------------------------------

cjk_text = st.text(
    alphabet=st.sampled_from(
        list("机构改革编制精简湛江市长春区县局科，。、“”（） \n0123456789.%ab")
    ),
    max_size=200,
)


@settings(max_examples=200, deadline=None)
@given(cjk_text)
def test_segmenting_keeps_the_text(text: str) -> None:
    segmented = segment(text)
    assert strip_separators(segmented.body) == text
    assert "".join(tokens(text)) == text
    for piece in segmented.body.split(ZWSP):
        assert piece == "" or piece in text


def test_subwords_are_the_dictionary_words_inside_tokens() -> None:
    assert subwords(["长春市", "中华人民共和国"]) == [
        "长春", "中华", "华人", "人民", "共和", "共和国", "中华人民",
    ]  # fmt: skip
    assert subwords(["编制", "局"]) == []


def test_adjacent_tokens_that_make_a_word_are_indexed_together() -> None:
    assert merged_words(["综合", "执法", "队伍"]) == ["综合执法"]
    assert merged_words(["市", "编办"]) == []


def test_token_characters_match_what_fts5_keeps() -> None:
    """Our view of token characters agrees with SQLite's unicode61 on the text we index."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 0')"
    )
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance')")
    sample = [chr(c) for c in (*range(0x20, 0x250), *range(0x3000, 0x3040), *range(0x4E00, 0x4F00),
                               *range(0xFF01, 0xFF60), 0x200B, 0x00A0, 0x2014, 0x2026)]  # fmt: skip
    for rowid, char in enumerate(sample):
        connection.execute("INSERT INTO t (rowid, x) VALUES (?, ?)", (rowid, f"a{char}b"))
    counts = dict(connection.execute("SELECT doc, count(*) FROM v GROUP BY doc").fetchall())
    for rowid, char in enumerate(sample):
        kept_whole = counts.get(rowid) == 1
        assert kept_whole == is_token_char(char) == unicode61_token_char(char), hex(ord(char))
    assert not is_token_char(ZWSP)
