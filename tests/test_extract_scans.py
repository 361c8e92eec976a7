"""Faster text scans (dates, places, mentions, towns, years, document numbers) find what plain scans find."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.abbreviations import is_cjk
from cnpolicy.extract.changes import _undated, load_dating
from cnpolicy.extract.dates import ISO_DATE, finditer_at
from cnpolicy.extract.entities import DOC_NUMBER, DOC_NUMBER_STARTS, load_entity_rules
from cnpolicy.extract.mentions import DIGIT, load_rules
from cnpolicy.gazetteer import PlaceMention, load_gazetteer
from cnpolicy.records import Entity
from tests.conftest import CORPORA, SHARED

DATE_ALPHABET = (
    "0123456789〇零一二三四五六七八九十年月日号底初末上半下旬份今去明前本来后度.-/个第 ，。"
)
PLACE_TEXTS = [
    "广东省",
    "湛江市",
    "湛江",
    "襄樊市",
    "鄂州市",
    "北京",
    "市委",
    "江州市",
    "中山",
    "区",
    "，",
    "设立",
]


def every_position(text: str) -> list[PlaceMention]:
    """The gazetteer scan as it was: every position tried in turn."""
    gazetteer = load_gazetteer()
    found: list[PlaceMention] = []
    index = 0
    while index < len(text) - 1:
        names = gazetteer._by_prefix.get(text[index : index + 2]) or []
        name = next((n for n in names if text.startswith(n, index)), None)
        if name is None:
            index += 1
            continue
        short = name not in gazetteer.by_name
        candidates = tuple((gazetteer.by_short if short else gazetteer.by_name)[name])
        found.append(PlaceMention(index, index + len(name), name, candidates, short))
        index += len(name)
    return found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=DATE_ALPHABET, max_size=40))
def test_date_scans_match_a_scan_of_every_position(text: str) -> None:
    dates = load_entity_rules().dates
    for pattern, starts in (
        (ISO_DATE, dates.iso_starts),
        (dates.date_re, dates.date_starts),
        (dates.month_day_re, dates.month_starts),
    ):
        expected = [
            (m.span(), m.groupdict() if m.re.groupindex else m.groups())
            for m in pattern.finditer(text)
        ]
        found = [
            (m.span(), m.groupdict() if m.re.groupindex else m.groups())
            for m in finditer_at(pattern, starts, text)
        ]
        assert found == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PLACE_TEXTS), max_size=12))
def test_gazetteer_scan_matches_a_scan_of_every_position(parts: list[str]) -> None:
    text = "".join(parts)
    assert load_gazetteer().find(text) == every_position(text)


IMPLICIT_ALPHABET = "0123456789,.·单位事项机构部门编制人员 、个"


def corpus_texts() -> list[str]:
    """Every text file of the bundled corpora and of the shared development corpus."""
    roots = [CORPORA, *([SHARED] if SHARED.is_dir() else [])]
    return [
        p.read_text(encoding="utf-8", errors="replace")
        for root in roots
        for p in sorted(root.rglob("*.txt"))
    ]


def implicit_matches(
    text: str, *, at_digits: bool
) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    pattern = load_rules().implicit
    found = finditer_at(pattern, DIGIT, text) if at_digits else pattern.finditer(text)
    return [(m.span(), m.groupdict()) for m in found]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=IMPLICIT_ALPHABET, max_size=40))
def test_implicit_scan_at_digits_matches_a_scan_of_every_position(text: str) -> None:
    assert implicit_matches(text, at_digits=True) == implicit_matches(text, at_digits=False)


def test_implicit_scan_at_digits_matches_on_every_corpus_text() -> None:
    for text in corpus_texts():
        assert implicit_matches(text, at_digits=True) == implicit_matches(text, at_digits=False)


TOWN_ALPHABET = "石城镇乡街道人民政府党委工处办事长纪大西湖市县,。 "


def towns_word_by_word(text: str) -> list[Entity]:
    """The township scan before government words as it was: one scan of the text per word."""
    rules = load_entity_rules()
    found: dict[int, Entity] = {}
    for word in rules.town_government:
        for m in re.finditer(rf"(?:街道|镇|乡)(?={re.escape(word)})", text):
            start = m.start() - 2
            if start > 0 and is_cjk(text[start - 1]) and not is_cjk(text[start - 2 : start - 1]):
                start -= 1
            name = text[max(start, 0) : m.end()]
            if start >= 0 and all(map(is_cjk, name)) and rules._is_town(name):
                found.setdefault(start, Entity(name, "GPE", start, m.end(), name, None))
    return sorted(found.values(), key=lambda e: e.start)


def towns_in_one_scan(text: str) -> list[Entity]:
    return sorted(load_entity_rules()._towns(text, []), key=lambda e: e.start)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TOWN_ALPHABET, max_size=40))
def test_town_scan_matches_a_scan_per_word(text: str) -> None:
    assert towns_in_one_scan(text) == towns_word_by_word(text)


def test_town_scan_matches_a_scan_per_word_on_every_corpus_text() -> None:
    for text in corpus_texts():
        assert towns_in_one_scan(text) == towns_word_by_word(text)


DATED_ALPHABET = "0123456789〇一九五年底末初的\n,增加到了个去上现在目前"


def undated_by_whole_stretch(text: str, start: int, end: int) -> str:
    """The dated-year removal as it was: the pattern over the whole stretch between two figures."""
    return load_dating().pattern.sub("", text[start:end])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=DATED_ALPHABET, max_size=30), st.integers(0, 30), st.integers(0, 30))
def test_undated_matches_a_search_of_the_whole_stretch(text: str, start: int, end: int) -> None:
    assert _undated(text, start, end) == undated_by_whole_stretch(text, start, end)


def test_undated_matches_a_search_of_the_whole_stretch_on_every_corpus_text() -> None:
    for text in corpus_texts():
        for year in re.finditer("年", text):
            end = min(len(text), year.end() + 3)
            for start in (0, max(0, end - 20)):
                assert _undated(text, start, end) == undated_by_whole_stretch(text, start, end)


DOC_NUMBER_ALPHABET = "国发〔〕[]［］【】()（）2016 55号第\n\t19200"


def doc_number_matches(text: str, *, at_starts: bool) -> list[tuple[tuple[int, int], str]]:
    found = (
        finditer_at(DOC_NUMBER, DOC_NUMBER_STARTS, text) if at_starts else DOC_NUMBER.finditer(text)
    )
    return [(m.span(), m.group()) for m in found]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=DOC_NUMBER_ALPHABET, max_size=30))
def test_document_number_scan_matches_a_scan_of_every_position(text: str) -> None:
    assert doc_number_matches(text, at_starts=True) == doc_number_matches(text, at_starts=False)


def test_document_number_scan_matches_on_every_corpus_text() -> None:
    for text in corpus_texts():
        assert doc_number_matches(text, at_starts=True) == doc_number_matches(text, at_starts=False)
