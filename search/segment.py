"""Chinese segmentation for the search index: jieba's precise tokens joined by U+200B, sub-words.

Index and queries go through the same tokenizer (jieba's dictionary with our words, via rjieba), so a
word is found however jieba cuts it; stripping U+200B from an indexed column gives the text back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.segmenter import Segmenter, read_word_list

__all__ = [
    "GRAM_SIZE",
    "MAX_MERGED",
    "MIN_PLACE_WORD",
    "SUBWORD_LENGTHS",
    "USER_DICT",
    "ZWSP",
    "Segmented",
    "bigrams",
    "fts_tokens",
    "gram_phrase",
    "grams",
    "is_indexable",
    "is_token_char",
    "join_tokens",
    "merged_words",
    "segment",
    "segment_title",
    "strip_separators",
    "subwords",
    "tokenizer",
    "tokens",
    "unicode61_token_char",
]

ZWSP = "\u200b"
# jieba's hidden-Markov new-word guessing is off (cnpolicy.segmenter): it merges unknown characters
# differently in different contexts (市编办 → 市/编办 in one sentence, 市编/办 in another), so a
# query cut alone would miss the same word cut in a document.
# Sub-word lengths: the dictionary words of 2-4 characters inside a longer token (长春 in
# 长春市, 政法大学 in 中国政法大学). jieba.cut_for_search stops at 3; with 4, words such as
# 政法大学 and 专题研讨 are found inside longer tokens (measured on the development set:
# 10% of the dictionary words occurring in a text were not found as queries with 2-3 only).
SUBWORD_LENGTHS = (2, 3, 4)
# Longest dictionary word made of two adjacent tokens that is indexed as well, for the places
# where a document's context cut a word the query keeps whole (综合 + 执法 → 综合执法).
MAX_MERGED = 4
# Gazetteer names shorter than this are not added as words (single characters are always tokens).
MIN_PLACE_WORD = 2
USER_DICT = "userdict.txt"
# Characters of the n-gram column: runs of CJK ideographs (the unified blocks and the
# compatibility ideographs). Latin words and numbers are whole tokens already; Chinese words
# inside longer words (机构改革 in 机构改革方案) are found through their character bigrams.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2,}")
# Bigrams: any string of two or more ideographs is a phrase of its overlapping bigrams, as
# Lucene's CJK analyzer and Elasticsearch's `cjk` do; longer grams would miss 2-character words.
GRAM_SIZE = 2


@dataclass(frozen=True, slots=True)
class Segmented:
    """A text ready for the index: `body` (tokens joined by U+200B), `subwords` and `grams`
    (character bigrams of every run of ideographs; both space-joined)."""

    body: str
    subwords: str
    grams: str = ""


def is_token_char(char: str) -> bool:
    """Whether FTS5's unicode61 tokenizer keeps the character in a token (L*, N*, Co).

    str.isalnum() is the letters and numbers (in C, 20x faster than a category lookup); the
    private-use range is added for the rest of unicode61's token classes.
    """
    return char.isalnum() or "\ue000" <= char <= "\uf8ff" or _supplementary_private(char)


def _supplementary_private(char: str) -> bool:
    return "\U000f0000" <= char <= "\U000ffffd" or "\U00100000" <= char <= "\U0010fffd"


# The same characters as is_token_char, as runs: letters and numbers (str.isalnum() is what
# `\w` matches, less `_`) and the private-use ranges.
_FTS_TOKEN = re.compile(r"(?:[^\W_]|[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd])+")


def fts_tokens(text: str) -> list[str]:
    """The tokens FTS5's unicode61 tokenizer makes of an indexed column, case-folded."""
    return _FTS_TOKEN.findall(text.lower())


def unicode61_token_char(char: str) -> bool:
    """The categories unicode61 documents, for tests to check is_token_char against."""
    category = unicodedata.category(char)
    return category[0] in "LN" or category == "Co"


def is_indexable(token: str) -> bool:
    """Whether a token holds anything the index keeps (not only punctuation or space)."""
    return any(is_token_char(c) for c in token)


def _place_words() -> list[str]:
    """Full and short names of every division, sorted so the dictionary is built the same way."""
    gazetteer = load_gazetteer()
    names = {d.name for d in gazetteer.divisions} | {d.short for d in gazetteer.divisions}
    return sorted(n for n in names if len(n) >= MIN_PLACE_WORD)


@lru_cache(maxsize=1)
def tokenizer() -> Segmenter:
    """The search tokenizer, built once per process: jieba's dictionary, places, our words."""
    return Segmenter(read_word_list("cnpolicy.search", USER_DICT), new_only=_place_words())


def tokens(text: str) -> list[str]:
    """jieba's precise tokens; their concatenation is the text."""
    return tokenizer().cut(text)


def join_tokens(parts: Iterable[str]) -> str:
    """Tokens joined with U+200B, except next to whitespace (already a separator everywhere).

    The separator goes in even beside punctuation: which characters FTS5 counts as separators
    depends on its Unicode tables, so relying on punctuation to split could merge two tokens.
    """
    out: list[str] = []
    previous = ""
    for token in parts:
        if not token:
            continue
        if previous and not previous[-1].isspace() and not token[0].isspace():
            out.append(ZWSP)
        out.append(token)
        previous = token
    return "".join(out)


def subwords(parts: Iterable[str]) -> list[str]:
    """The dictionary words of 2 and 3 characters inside longer tokens (jieba's search mode)."""
    is_word = tokenizer().is_word
    found: list[str] = []
    for token in parts:
        for size in SUBWORD_LENGTHS:
            if len(token) <= size:
                continue
            found.extend(
                token[i : i + size]
                for i in range(len(token) - size + 1)
                if is_word(token[i : i + size])
            )
    return found


def merged_words(parts: list[str]) -> list[str]:
    """Dictionary words that two adjacent tokens make together (综合 + 执法 → 综合执法)."""
    is_word = tokenizer().is_word
    return [a + b for a, b in pairwise(parts) if len(a) + len(b) <= MAX_MERGED and is_word(a + b)]


def bigrams(run: str) -> list[str]:
    return [run[i : i + GRAM_SIZE] for i in range(len(run) - GRAM_SIZE + 1)]


def grams(text: str) -> str:
    """The n-gram column of a text: the bigrams of each run of ideographs, space-joined."""
    return " ".join(g for run in _CJK_RUN.findall(strip_separators(text)) for g in bigrams(run))


def gram_phrase(text: str) -> tuple[str, ...]:
    """The bigram phrase that finds a word anywhere, even inside a longer word; () when the
    word is not a run of two or more ideographs (those are found as tokens only)."""
    text = strip_separators(text)
    return tuple(bigrams(text)) if _CJK_RUN.fullmatch(text) else ()


def strip_separators(text: str) -> str:
    """The original text of an indexed column (or of a snippet taken from it)."""
    return text.replace(ZWSP, "")


def segment(text: str, *, title: str | None = None) -> Segmented:
    """Segment a document body; `title`'s sub-words join the body's in the sub-word column."""
    if ZWSP in text:
        # U+200B in the source carries nothing a reader sees; the store keeps the raw text aside.
        text = text.replace(ZWSP, "")
    parts = tokens(text)
    extra = subwords(parts) + merged_words(parts)
    if title:
        title_parts = tokens(title)
        extra = subwords(title_parts) + merged_words(title_parts) + extra
    gram_text = grams(title) + " " + grams(text) if title else grams(text)
    return Segmented(body=join_tokens(parts), subwords=" ".join(extra), grams=gram_text.strip())


def segment_title(title: str | None) -> str:
    return join_tokens(tokens(strip_separators(title))) if title else ""
