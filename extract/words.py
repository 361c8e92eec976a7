"""Word classes for subject finding: jieba's words and tags, corrected by data/subject_words.json.

jieba tags policy words inconsistently (编制 as a verb, 清理 as an adjective, 县 as a particle),
so the words the subject rules hinge on are listed in the data file and win over the tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cnpolicy.datafiles import read_data_json
from cnpolicy.segmenter import dictionary_tags

__all__ = [
    "CELL_BREAK",
    "CLOSING_QUOTES",
    "FUNCTION_CHARS",
    "MAX_BRACKETED_WORDS",
    "MAX_CACHED_WORDS",
    "MAX_QUOTED_WORDS",
    "OPENING_QUOTES",
    "TAG_CATEGORIES",
    "Category",
    "Lexicon",
    "Word",
    "Words",
    "category_of",
    "join",
    "load_lexicon",
]

Word = str
# n noun, v verb, a modifier, d adverb, p preposition, c conjunction, u particle, f locative,
# r pronoun, m numeral, q quoted or bracketed name, w punctuation
Category = str

# jieba tag → our category; anything unlisted (and unknown words) counts as a noun.
TAG_CATEGORIES: dict[str, Category] = {
    "v": "v", "vd": "d", "vi": "v", "vg": "v", "vn": "n", "a": "a", "ad": "d", "an": "n",
    "i": "a", "d": "d", "p": "p", "c": "c", "u": "u", "uj": "u", "ul": "u", "uz": "u", "ug": "u",
    "uv": "u", "ud": "u", "f": "f", "r": "r", "m": "m", "q": "m", "mq": "m", "y": "u", "e": "u",
    "o": "u", "zg": "u",
}  # fmt: skip
OPENING_QUOTES = frozenset("“‘「『")
CLOSING_QUOTES = frozenset("”’」』")
# Characters that stand alone as grammar (particles, pronouns, numerals, measure words):
# never joined with a neighbouring single character.
FUNCTION_CHARS = frozenset(
    "的了着过和与及或在对把将从由为等共各均已再并即比较每个项名家次期条人件处所支批类种"
    "是有也都还又就才被让给向于以及其该此这那之所而且但则一二三四五六七八九十百千万亿两"
)
# Tabs separate the cells of a table row flattened into text (事项\t精简至186项\t动态调整).
CELL_BREAK = "\t"
# A quoted stretch of at most this many words is a name (“证照分离”), joined into one word.
MAX_QUOTED_WORDS = 8
# A bracketed stretch of at most this many words right after a noun belongs to it
# (县(市、区), 乡镇(街道), 开发区(园区)); longer brackets are asides.
MAX_BRACKETED_WORDS = 6


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word lists of data/subject_words.json (each key documented there)."""

    nouns: frozenset[str]
    verbs: frozenset[str]
    adverbs: frozenset[str]
    prepositions: frozenset[str]
    conjunctions: frozenset[str]
    stop_after: frozenset[str]
    predicate_openers: frozenset[str]
    milestones: frozenset[str]
    trailing_predicates: frozenset[str]
    forecast_words: frozenset[str]
    trailing_links: frozenset[str]
    leading_junk: frozenset[str]
    split_prefixes: str
    generic_heads: frozenset[str]
    closing_heads: tuple[str, ...]
    head_nouns: tuple[str, ...]
    completion_verbs: frozenset[str]
    after_leading: frozenset[str]
    admin_units: frozenset[str]
    event_units: frozenset[str]
    event_verbs: frozenset[str]
    change_verbs: frozenset[str]
    modifier_verbs: frozenset[str]
    destination_verbs: frozenset[str]
    measure_nouns: tuple[str, ...]
    rate_verbs: frozenset[str]
    comparison_words: frozenset[str]
    suffixes: frozenset[str]
    modal_words: frozenset[str]
    level_words: tuple[str, ...]
    level_bounds: frozenset[str]
    category_label: re.Pattern[str]
    scope_levels: tuple[str, ...]
    topic_locatives: frozenset[str]
    layer_suffix: str
    count_suffixes: frozenset[str]


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The word classes of data/subject_words.json."""
    data = read_data_json("cnpolicy.extract", "subject_words.json")

    def words(key: str) -> frozenset[str]:
        return frozenset(data[key])

    return Lexicon(
        nouns=words("nouns"),
        verbs=words("verbs"),
        adverbs=words("adverbs"),
        prepositions=words("prepositions"),
        conjunctions=words("conjunctions"),
        stop_after=words("stop_after"),
        predicate_openers=words("predicate_openers"),
        milestones=words("milestones"),
        trailing_predicates=words("trailing_predicates"),
        forecast_words=words("forecast_words"),
        trailing_links=words("trailing_links"),
        leading_junk=words("leading_junk"),
        split_prefixes=data["split_prefixes"],
        generic_heads=words("generic_heads"),
        closing_heads=tuple(data["closing_heads"]),
        head_nouns=tuple(data["head_nouns"]),
        completion_verbs=words("completion_verbs"),
        after_leading=words("after_leading"),
        admin_units=words("admin_units"),
        event_units=words("event_units"),
        event_verbs=words("event_verbs"),
        change_verbs=words("change_verbs"),
        modifier_verbs=words("modifier_verbs"),
        destination_verbs=words("destination_verbs"),
        measure_nouns=tuple(data["measure_nouns"]),
        rate_verbs=words("rate_verbs"),
        comparison_words=words("comparison_words"),
        suffixes=words("suffixes"),
        modal_words=words("modal_words"),
        level_words=tuple(sorted(data["level_words"], key=len, reverse=True)),
        level_bounds=words("level_bounds"),
        category_label=re.compile(data["category_label"]),
        scope_levels=tuple(data["scope_levels"]),
        topic_locatives=words("topic_locatives"),
        layer_suffix=data["layer_suffix"],
        count_suffixes=words("count_suffixes"),
    )


class Words:
    """Categorised words of a stretch of text, with the lexicon's corrections to jieba's tags."""

    def __init__(self, words: list[Word], lexicon: Lexicon):
        self.lex = lexicon
        items = self._split(words)
        raw = "".join(items)
        if not OPENING_QUOTES.isdisjoint(raw):
            items = self._join_quotes(items)
        if "(" in raw:
            items = self._join_brackets(items)
        self.items = items
        known = _CATEGORY_CACHE.get  # category_of, without a call per word already seen
        self.cats = [known(w) or category_of(w, lexicon) for w in items]

    def _split(self, words: list[Word]) -> list[Word]:
        """Split unknown words that start with an adverb (共设 → 共 设); join suffixes (办结 率)."""
        out: list[Word] = []
        table = dictionary_tags()
        lex = self.lex
        free = self._free_char()
        for word in words:
            if not word.strip():
                if CELL_BREAK in word:
                    out.append(CELL_BREAK)  # a table's cells: a phrase never runs across one
                continue
            if word in lex.suffixes and out and out[-1][-1].isalnum():
                out[-1] += word
            elif (
                len(word) > 1
                and word[0] in lex.split_prefixes
                and word not in table
                and word not in lex.verbs
                and word not in lex.nouns
            ):
                out.extend((word[0], word[1:]))
            elif len(word) == 1 and out and len(out[-1]) == 1 and free(word) and free(out[-1]):
                # Two single characters the dictionary does not know as words (出 清) make one
                # word: the segmenter runs without its HMM, which would have joined them.
                out[-1] += word
            else:
                out.append(word)
        return out

    def _free_char(self) -> Callable[[Word], bool]:
        """The test of a free character for this lexicon (memoised for the bundled one)."""
        if self.lex is load_lexicon():
            return _is_free_char
        lex = self.lex
        return lambda char: _free_in(char, lex)

    @staticmethod
    def _join_quotes(words: list[Word]) -> list[Word]:
        """A short quoted stretch (“网上办”, “证照分离”) is one name-like word."""
        out: list[Word] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word in OPENING_QUOTES:
                end = min(len(words), index + MAX_QUOTED_WORDS)
                closing = next(
                    (j for j in range(index + 1, end) if words[j] in CLOSING_QUOTES), None
                )
                if closing is not None:
                    out.append("".join(words[index : closing + 1]))
                    index = closing + 1
                    continue
            out.append(word)
            index += 1
        return out

    def _join_brackets(self, words: list[Word]) -> list[Word]:
        """`县 (市、区)` → 县(市、区): a short bracket after a word is part of it."""
        out: list[Word] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word == "(" and out and self.category(out[-1]) not in ("w", "m"):
                end = min(len(words), index + MAX_BRACKETED_WORDS + 2)
                closing = next((j for j in range(index + 1, end) if words[j] == ")"), None)
                inside = "".join(words[index + 1 : closing]) if closing else ""
                if closing is not None and inside and not any(c.isdigit() for c in inside):
                    out[-1] += "".join(words[index : closing + 1])
                    index = closing + 1
                    continue
            out.append(word)
            index += 1
        return out

    def category(self, word: Word) -> Category:
        return category_of(word, self.lex)


@lru_cache(maxsize=8192)
def _is_free_char(char: Word) -> bool:
    """`_free_in` for the bundled lexicon, memoised per character."""
    return _free_in(char, load_lexicon())


def _free_in(char: Word, lex: Lexicon) -> bool:
    """A CJK character that is no word class of the lexicon and no bit of grammar."""
    return (
        "\u4e00" <= char <= "\u9fff"
        and char not in FUNCTION_CHARS
        and char not in lex.split_prefixes
        and all(
            char not in words
            for words in (
                lex.nouns,
                lex.verbs,
                lex.adverbs,
                lex.prepositions,
                lex.conjunctions,
                lex.suffixes,
                lex.admin_units,
            )
        )
    )


_CATEGORY_CACHE: dict[str, Category] = {}
# Words whose category is remembered; past this the cache is cleared (memory stays flat).
MAX_CACHED_WORDS = 200_000


def category_of(word: Word, lex: Lexicon) -> Category:
    """The word's category: the lexicon's lists first, then jieba's tag (memoised)."""
    found = _CATEGORY_CACHE.get(word)
    if found is None:
        found = _categorise(word, lex)
        if len(_CATEGORY_CACHE) > MAX_CACHED_WORDS:
            _CATEGORY_CACHE.clear()
        _CATEGORY_CACHE[word] = found
    return found


def _categorise(word: Word, lex: Lexicon) -> Category:
    for words, category in (
        (lex.nouns, "n"),
        (lex.modifier_verbs, "a"),
        (lex.verbs, "v"),
        (lex.adverbs, "d"),
        (lex.prepositions, "p"),
        (lex.conjunctions, "c"),
    ):
        if word in words:
            return category
    if word == "的":
        return "u"
    first = word[0]
    if first.isdigit():
        return "m"
    if first in OPENING_QUOTES and len(word) > 1:
        return "q"
    if not first.isalnum():
        return "w"
    tag = dictionary_tags().get(word)
    return TAG_CATEGORIES.get(tag, "n") if tag else "n"


def join(words: list[Word]) -> str:
    return "".join(words).replace(" ", "")
