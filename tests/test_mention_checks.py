"""The mention exclusions, tried in their cost order and with their cheap tests first, exclude
what the former order and definitions excluded."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.extract import mentions
from cnpolicy.extract.metrics import jieba_boundaries
from cnpolicy.extract.numbers import is_chinese_numeral
from tests.test_extract_scans import corpus_texts

MENTION_ALPHABET = "0123456789一二三十百万个名位期项条种人元%第届次这每年以上的有“”《》、,。排名提升立法处公益类电话A"


def former_states_no_figure(
    text: str, m: mentions.Mention, rules: mentions.Rules, bounds: mentions.Boundaries
) -> bool:
    """_states_no_figure as it was: the clause before the figure cut for every mention."""
    lex = rules.not_metrics
    if lex is None:
        return False
    unit_start = m.unit_end - len(m.unit)
    if m.unit and text.startswith(lex.unit_words, unit_start):
        return True
    if mentions._bounds_a_class(text, m, lex) or mentions._is_word_not_figure(text, m, lex):
        return True
    clause = text[mentions._clause_start(text, m.start, rules) : m.number_start]
    if m.unit in lex.rank_units and (
        any(word in clause for word in lex.rank_words) or clause.endswith(lex.rank_leads)
    ):
        return True
    if is_chinese_numeral(m.numeral) and mentions._named_by_chinese_count(text, m, lex):
        return True
    return m.kind == "amount" and mentions._size_class(text, m, lex)


def former_code_or_phone(
    text: str, m: mentions.Mention, rules: mentions.Rules, bounds: mentions.Boundaries
) -> bool:
    """_code_or_phone as it was: the longest run of digits counted for every mention."""
    window = max(0, m.number_start - mentions.PHONE_WINDOW)
    if rules.phone_before.search(text, window, m.number_start):
        return True
    previous = text[m.number_start - 1 : m.number_start] if m.number_start else ""
    digits = max((len(run) for run in re.findall(r"\d+", m.numeral)), default=0)
    return (previous.isascii() and previous.isalnum()) or digits >= mentions.CODE_DIGITS


def former_name_after(
    text: str, m: mentions.Mention, rules: mentions.Rules, bounds: mentions.Boundaries
) -> bool:
    return is_chinese_numeral(m.numeral) and text.startswith(rules.name_words_after, m.unit_end)


# The former order of the checks and their former loop (any() of them, in this order).
FORMER_ORDER = (
    mentions._glued_into_word,
    mentions._ordinal,
    mentions._inside_title,
    mentions._short_quote,
    mentions._slogan_joined,
    former_code_or_phone,
    mentions._frequency,
    mentions._determiner,
    former_name_after,
    mentions._slogan_count,
    mentions._office_name,
    mentions._category_label,
    mentions._arabic_only,
    former_states_no_figure,
)


def former_is_excluded(text: str, m: mentions.Mention, bounds: mentions.Boundaries) -> bool:
    rules = mentions.load_rules()
    return any(check(text, m, rules, bounds) for check in FORMER_ORDER)


def assert_same_exclusions(text: str) -> None:
    rules = mentions.load_rules()
    bounds = jieba_boundaries(text)
    for match in rules.mention.finditer(text):
        m = mentions._from_match(text, match, rules)
        if m is not None:
            expected = former_is_excluded(text, m, bounds)
            assert mentions.is_excluded(text, m, rules, bounds) == expected, (text, m)
            for new, old in (
                (mentions._states_no_figure, former_states_no_figure),
                (mentions._name_after, former_name_after),
                (mentions._code_or_phone, former_code_or_phone),
            ):
                assert new(text, m, rules, bounds) == old(text, m, rules, bounds), (text, m)


def test_the_same_checks_are_tried() -> None:
    names = sorted(c.__name__.removeprefix("former") for c in FORMER_ORDER)
    assert sorted(c.__name__ for c in mentions.EXCLUSIONS) == names


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MENTION_ALPHABET, max_size=40))
def test_exclusions_match_the_former_order(text: str) -> None:
    assert_same_exclusions(text)


def test_exclusions_match_the_former_order_on_every_corpus_text() -> None:
    for text in corpus_texts():
        assert_same_exclusions(text)
