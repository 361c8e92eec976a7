"""Word and clause boundaries (extract/mentions.py): word bounds answer as sets of offsets do,
whether the words tile the text or not; a clause starts where the clause-tail pattern says."""

from __future__ import annotations

import itertools
import re

from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.extract.mentions import CLAUSE_WINDOW, Boundaries, _clause_start, load_rules
from cnpolicy.extract.metrics import jieba_boundaries
from tests.test_extract_scans import corpus_texts


def check_against_sets(starts: list[int], ends: list[int]) -> None:
    bounds = Boundaries(starts, ends)
    assert bounds.sorted_starts == sorted(set(starts) | set(ends))
    for offset in range(-1, max([*starts, *ends, 0]) + 2):
        assert bounds.is_start(offset) == (offset in starts)
        assert bounds.is_end(offset) == (offset in ends)


@given(st.lists(st.integers(min_value=1, max_value=5), max_size=30))
def test_tiling_words_answer_as_sets_do(lengths: list[int]) -> None:
    edges = [0, *itertools.accumulate(lengths)]
    check_against_sets(edges[:-1], edges[1:])


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 6)).map(lambda p: (p[0], p[0] + p[1])),
        max_size=20,
    )
)
def test_any_spans_answer_as_sets_do(spans: list[tuple[int, int]]) -> None:
    check_against_sets([s for s, _ in spans], [e for _, e in spans])


@given(st.text(alphabet="中文,;:。!?\n 12", max_size=120), st.data())
def test_clause_start_is_where_the_clause_tail_pattern_starts(
    text: str, data: st.DataObject
) -> None:
    rules = load_rules()
    offset = data.draw(st.integers(0, len(text)))
    low = max(0, offset - CLAUSE_WINDOW)
    clause_tail = re.compile(rf"[^{re.escape(rules.clause_breaks)}]*$")  # the rule as first written
    match = clause_tail.search(text, low, offset)
    assert _clause_start(text, offset, rules) == (match.start() if match else offset)


@given(
    st.lists(st.integers(min_value=1, max_value=5), max_size=30),
    st.integers(-2, 100),
    st.integers(-2, 100),
)
def test_word_texts_are_the_words_cut_out_of_the_text(
    lengths: list[int], start: int, end: int
) -> None:
    edges = [0, *itertools.accumulate(lengths)]
    text = "".join(chr(0x4E00 + i) for i in range(edges[-1]))
    bounds = Boundaries(edges[:-1], edges[1:])
    expected = [text[a:b] for a, b in bounds.words(text, start, end)]
    assert bounds.texts(text, start, end) == expected


def test_word_texts_are_the_words_cut_out_of_every_corpus_text() -> None:
    for text in corpus_texts():
        bounds = jieba_boundaries(text)
        for start in range(0, len(text), 37):
            end = start + 40
            expected = [text[a:b] for a, b in bounds.words(text, start, end)]
            assert bounds.texts(text, start, end) == expected
