"""Rank the embedded store's matches (pure): BM25F from term statistics the store keeps.

FTS5's bm25() counts every query phrase over the whole index before it scores a row (7 ms for a
word in every document at 100,000 documents, 30 ms for a phrase), whatever the filters leave.
Here document frequencies come from the `terms` table kept at indexing time, a first pass scores
every match from what is in memory (title hits, length), and the best RERANK_WINDOW are scored
exactly from their text (term frequencies in title and body), as search engines rescore a window.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cnpolicy.search.query import CompiledQuery, Variants
from cnpolicy.search.segment import ZWSP, fts_tokens, strip_separators

__all__ = [
    "INSIDE_WORD_WEIGHT",
    "K1",
    "RERANK_WINDOW",
    "TITLE_WEIGHT",
    "B",
    "RankTerm",
    "Rows",
    "Scores",
    "distinct_tokens",
    "exact_score",
    "first_pass",
    "idf",
    "length_norms",
    "parse_rows",
    "query_tokens",
    "rank_terms",
    "rescored",
    "saturate",
    "top_positions",
    "variant_tokens",
    "whole_pattern",
]

# BM25 saturation and length normalisation: the values Lucene and Elasticsearch use by default,
# so the two backends rank alike.
K1 = 1.2
B = 0.75
# A word in the title counts as this many in the body (BM25F field weight): the weight the
# store gave the title column when FTS5's bm25() ranked (search/sqlite/schema.py RANK_FUNCTION).
TITLE_WEIGHT = 4.0
# Matches scored exactly from their text after the first pass: the first pages (the benchmark's
# and the web page's 10 per page, three pages deep) plus room for the first pass's misorder.
# Reading a document's text costs about 40 microseconds, so 50 cost 2 ms.
RERANK_WINDOW = 50
# An occurrence inside a longer word (机构改革 in 机构改革方案, found through the n-gram column)
# counts as this many whole-word occurrences: the weight the sub-word column has against the
# body in FTS5's bm25() (sqlite/schema.RANK_FUNCTION), so a document that has the word as a word
# ranks above one that has it only inside compounds as often.
INSIDE_WORD_WEIGHT = 0.5


Scores = npt.NDArray[np.float64]
Rows = npt.NDArray[np.int64]


def distinct_tokens(*columns: str) -> set[str]:
    """Every token of a document's indexed columns once: what its document frequency counts."""
    found: set[str] = set()
    for column in columns:
        found.update(fts_tokens(column))
    return found


def idf(documents_with: int, documents: int) -> float:
    """BM25's inverse document frequency (Lucene's form, never negative)."""
    return math.log(1.0 + (documents - documents_with + 0.5) / (documents_with + 0.5))


@dataclass(frozen=True, slots=True)
class RankTerm:
    """One query term as ranking sees it: its weight and the strings that count as an occurrence."""

    weight: float
    surfaces: tuple[str, ...]
    # The term as whole index tokens (U+200B-joined, not inside a longer token); None: every
    # occurrence counts as a whole word.
    whole: re.Pattern[str] | None = None


def whole_pattern(variants: Variants) -> re.Pattern[str]:
    """Occurrences of a term's token sequences in an indexed column with token boundaries at
    both ends (a letter or digit right before or after means it is inside a longer token)."""
    forms = sorted({ZWSP.join(v).lower() for v in variants}, key=len, reverse=True)
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, forms)) + r")(?![^\W_])")


def query_tokens(query: CompiledQuery) -> set[str]:
    """The index tokens of every term that ranks (not the excluded ones)."""
    return {t for clause in query.must for variants in clause for t in variant_tokens(variants)}


def variant_tokens(variants: Variants) -> list[str]:
    return [t for variant in variants for token in variant for t in fts_tokens(token)]


def rank_terms(
    query: CompiledQuery, frequencies: Mapping[str, int], documents: int
) -> tuple[RankTerm, ...]:
    """Each term of each clause with its weight: a phrase weighs the sum of its words' IDF (as in
    Lucene), a term with alternative cuts the heaviest of them."""
    terms: list[RankTerm] = []
    for clause in query.must:
        for variants in clause:
            weights = [
                sum(idf(frequencies.get(t, 0), documents) for tok in v for t in fts_tokens(tok))
                for v in variants
            ]
            surfaces = tuple(dict.fromkeys("".join(v).lower() for v in variants))
            terms.append(RankTerm(max(weights, default=0.0), surfaces, whole_pattern(variants)))
    return tuple(terms)


def saturate(frequency: Scores | float, length_norm: Scores | float) -> Scores | float:
    """BM25's term-frequency saturation for a (field-weighted) frequency."""
    return frequency * (K1 + 1.0) / (frequency + K1 * length_norm)


def length_norms(lengths: npt.NDArray[np.int32], average: float) -> Scores:
    return 1.0 - B + B * lengths.astype(np.float64) / max(average, 1.0)


def first_pass(
    terms: Sequence[RankTerm], title_hits: Sequence[npt.NDArray[np.bool_]], norms: Scores
) -> Scores:
    """Scores of every match from memory: each term once in the body, TITLE_WEIGHT more when the
    title has it; exact frequencies wait for the rescoring window."""
    scores = np.zeros(len(norms), dtype=np.float64)
    for term, in_title in zip(terms, title_hits, strict=True):
        frequency = 1.0 + TITLE_WEIGHT * in_title.astype(np.float64)
        scores += term.weight * saturate(frequency, norms)
    return scores


def exact_score(terms: Sequence[RankTerm], title: str, body: str, norm: float) -> float:
    """BM25F of one document from its text: occurrences in the title weigh TITLE_WEIGHT each."""
    indexed = (title, body)
    title, body = strip_separators(title), strip_separators(body)
    if any(s != s.lower() or s != s.upper() for term in terms for s in term.surfaces):
        # Only words with letters need folding (and Chinese text is most of what is folded).
        title, body = title.lower(), body.lower()
        indexed = (indexed[0].lower(), indexed[1].lower())
    score = 0.0
    for term in terms:
        frequency = float(sum(TITLE_WEIGHT * title.count(s) + body.count(s) for s in term.surfaces))
        if frequency and term.whole is not None:
            whole = TITLE_WEIGHT * len(term.whole.findall(indexed[0])) + len(
                term.whole.findall(indexed[1])
            )
            frequency = whole + INSIDE_WORD_WEIGHT * max(frequency - whole, 0.0)
        if frequency:
            score += term.weight * float(saturate(frequency, norm))
    return score


def top_positions(rows: Rows, scores: Scores, count: int) -> Rows:
    """Positions of the `count` best rows, best first (ties: the later-indexed row first)."""
    if count <= 0 or len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    if count < len(rows):
        # Every row tied with the last one chosen comes along, so that the order (and so each
        # page) is the same whatever `count` a request asks for.
        threshold = -np.partition(-scores, count - 1)[count - 1]
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(len(rows))
    order = np.lexsort((-rows[chosen], -scores[chosen]))
    return chosen[order][:count]


def rescored(
    window: Iterable[tuple[int, str, str, float]], terms: Sequence[RankTerm]
) -> list[tuple[int, float]]:
    """(row, exact score) of the window's documents, best first (ties: later-indexed first)."""
    scored = [(row, exact_score(terms, title, body, norm)) for row, title, body, norm in window]
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored


def parse_rows(joined: str | None) -> Rows:
    """Row numbers from SQLite's group_concat (comma-separated) as an array."""
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")
