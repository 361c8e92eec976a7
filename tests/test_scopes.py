"""A figure's scope: skipping the subset search where its mark is missing finds what the full
search found."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.extract.scopes import find_scope, load_scope_rules
from tests.test_extract_scans import corpus_texts

SCOPE_ALPHABET = "全市省县区3两三个乡镇街道开发区()(市、区)级在新增"
LEVELS = (None, "市级", "县级", "乡镇")


def former_find_scope(before: str, level: str | None, recipient: str | None = None) -> str | None:
    """find_scope as it was: both patterns searched in every sentence."""
    rules = load_scope_rules()
    if level and recipient and level in recipient:
        level = None
    found: tuple[int, str] | None = None
    for pattern in (rules.whole, rules.subset):
        for match in pattern.finditer(before):
            if found is None or match.start() > found[0]:
                found = (match.start(), match.group())
    if level:
        at = before.rfind(level)
        if at >= 0 and (found is None or at > found[0]):
            return level
        if found is None:
            return level
    return found[1] if found else None


def test_every_subset_holds_the_mark() -> None:
    rules = load_scope_rules()
    assert rules.subset_mark in rules.subset.pattern
    assert rules.subset.fullmatch("3" + rules.subset_mark + "县")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=SCOPE_ALPHABET, max_size=30), st.sampled_from(LEVELS))
def test_scope_matches_the_full_search(before: str, level: str | None) -> None:
    assert find_scope(before, level) == former_find_scope(before, level)


def test_scope_matches_the_full_search_on_every_sentence_of_the_corpus() -> None:
    for text in corpus_texts():
        for sentence in re.split(r"[。;;!?\n]", text):
            for level in LEVELS:
                assert find_scope(sentence, level) == former_find_scope(sentence, level)
