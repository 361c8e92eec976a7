"""Stripping a clause's leading words (the cheap test of the first word first), balancing marks
and telling a bare rate (cheap tests first) give what the former definitions gave."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.extract import subjects
from cnpolicy.extract.metrics import segment
from cnpolicy.extract.subject_context import is_bare_rate, load_phrase_words
from cnpolicy.extract.words import Lexicon, Words, category_of, load_lexicon
from tests.test_extract_scans import corpus_texts

# Words that open clauses in the reports: marks, prepositions, adverbs, dates, numbers,
# comparisons, 平均 before a measure, ordinals opening a list, names with digits, nouns.
OPENERS = [
    ",", "、", "在", "和", "的", "共", "全年", "比上年", "同比", "平均", "办理", "时限", "第一",
    "第三", "产业", "5G", "工厂", "每", "万人", "发明", "2019年", "2020年度", "3", "年", "年中",
    "近", "今年", "吉林省", "我省", "改革", "中", "机构", "编制", "累计", "新增", "中", "高等",
]  # fmt: skip


def former_strip_leading(phrase: subjects._Phrase, lex: Lexicon) -> None:
    """_strip_leading as it was: the exceptions tested before the kind of the first word."""
    while (
        phrase.items
        and phrase.items[0] not in lex.comparison_words
        and not subjects._leads_a_measure(phrase.items, lex)
        and not subjects._opens_ordinal_list(phrase.items)
        and not subjects._names_a_thing(phrase.items)
        and (
            phrase.items[0] in lex.leading_junk
            or phrase.items[0] in lex.adverbs
            or phrase.cats[0] in ("w", "p", "c", "u", "m", "f")
            or subjects._is_date(phrase.items[0])
        )
    ):
        digits = phrase.cats[0] == "m"
        del phrase.items[0], phrase.cats[0]
        if digits and phrase.items and phrase.items[0] in subjects.DATE_WORDS:
            del phrase.items[0], phrase.cats[0]
        elif digits and phrase.items and subjects._glued_to_year(phrase.items[0]):
            phrase.items[0] = phrase.items[0][len(subjects.YEAR) :]
            phrase.cats[0] = category_of(phrase.items[0], lex)
    if subjects._strip_when_and_where(phrase):
        former_strip_leading(phrase, lex)
        return
    if len(phrase.items) > 2 and phrase.items[1] in lex.topic_locatives and phrase.cats[0] in "nv":
        del phrase.items[:2], phrase.cats[:2]
        former_strip_leading(phrase, lex)
    while phrase.items and phrase.cats[-1] == "w":
        del phrase.items[-1], phrase.cats[-1]


def assert_same_strip(items: list[str]) -> None:
    lex = load_lexicon()
    words = Words(items, lex)
    new = subjects._Phrase(list(words.items), list(words.cats))
    old = subjects._Phrase(list(words.items), list(words.cats))
    subjects._strip_leading(new, lex)
    former_strip_leading(old, lex)
    assert (new.items, new.cats) == (old.items, old.cats)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(OPENERS), max_size=10))
def test_strip_leading_matches_the_former_loop(items: list[str]) -> None:
    assert_same_strip(items)


def test_strip_leading_matches_the_former_loop_on_every_clause_of_the_corpus() -> None:
    for text in corpus_texts():
        for clause in re.split(r"[,，。;；:：!?\n]", text):
            if clause.strip():
                assert_same_strip(segment(clause))


RATE_ALPHABET = "精简压减比例率机构市级()“”‘’「」《》编制增长"


def former_balance(text: str) -> str:
    """balance as it was: the marks looked for one by one."""
    if not any(mark in text for mark in subjects.MARKS):
        return text
    return subjects.balance(text)


def former_is_bare_rate(subject: str | None, lex: Lexicon) -> bool:
    """is_bare_rate as it was: every rate head tried in turn."""
    if not subject:
        return False
    heads = load_phrase_words().rate_heads
    return any(
        subject.endswith(head) and subject[: -len(head)] in lex.change_verbs for head in heads
    )


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=RATE_ALPHABET, max_size=16))
def test_balance_and_bare_rate_match_their_former_definitions(text: str) -> None:
    assert subjects.balance(text) == former_balance(text)
    lex = load_lexicon()
    assert is_bare_rate(text, lex) == former_is_bare_rate(text, lex)


def test_balance_and_bare_rate_match_on_every_clause_of_the_corpus() -> None:
    lex = load_lexicon()
    for text in corpus_texts():
        for clause in re.split(r"[,，。;；:：!?\n]", text):
            for tail in (clause, clause[-12:], clause[-4:]):
                assert subjects.balance(tail) == former_balance(tail)
                assert is_bare_rate(tail, lex) == former_is_bare_rate(tail, lex)
