"""Query parsing (pure): the search box's syntax → a query tree → token sequences for any backend.

Syntax: words (all must occur), "exact phrase" (also “…” and 「…」), -exclude (a word or a
phrase), and OR between two terms (`改革 OR 调整`). Each term is segmented as the index is, so a
word jieba splits becomes a phrase of its tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from cnpolicy.errors import QueryError
from cnpolicy.search.segment import is_indexable, tokens

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "OPEN_QUOTES",
    "OR_WORDS",
    "Clause",
    "CompiledQuery",
    "ParsedQuery",
    "Term",
    "Variants",
    "compile_query",
    "compile_text",
    "normalize_query",
    "parse_query",
    "term_variants",
]

# Longest query accepted (characters): a pasted paragraph is not a search, and segmenting and
# matching hundreds of terms would make one request slow for everybody sharing the store.
MAX_QUERY_CHARS = 500
# Most terms in one query, for the same reason.
MAX_TERMS = 32
OPEN_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
# OR between terms: as search engines write it, and in lower case, which users type as often
# (a search for the English word "or" in Chinese policy texts is not a real need).
OR_WORDS = frozenset({"OR", "or", "|"})
_TOKEN = re.compile(r"\s*(-?)(?:([\"“「『])(.*?)(?:[\"”」』]|$)|(\S+))")


@dataclass(frozen=True, slots=True)
class Term:
    """One word or quoted phrase as the user wrote it."""

    text: str
    phrase: bool = False


@dataclass(frozen=True, slots=True)
class Clause:
    """Terms joined by OR: a document must match at least one."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What must match (every clause) and what must not (any excluded term)."""

    clauses: tuple[Clause, ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded

    def words(self) -> tuple[str, ...]:
        """The literal words and phrases to look for, for highlighting outside the index."""
        return tuple(t.text for c in self.clauses for t in c.terms)


# A term as the backends see it: alternative token sequences, each to be matched as a phrase.
Variants = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """The parsed query segmented: every clause is a list of terms, every term its variants."""

    must: tuple[tuple[Variants, ...], ...]
    exclude: tuple[Variants, ...]
    words: tuple[str, ...]

    @property
    def has_text(self) -> bool:
        return bool(self.must or self.exclude)


def normalize_query(text: str) -> str:
    """NFKC (full-width letters, digits and spaces become plain ones), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_query(text: str) -> ParsedQuery:
    """Parse the search box text; raises QueryError for a query that cannot mean anything."""
    text = normalize_query(text)
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query is {len(text)} characters long, expected at most {MAX_QUERY_CHARS}",
            field="query",
        )
    items: list[tuple[bool, Term] | str] = []
    for match in _TOKEN.finditer(text):
        negative, _quote, phrase, word = match.groups()
        if word is not None and not negative and word in OR_WORDS:
            items.append("OR")
        elif phrase is not None:
            if phrase.strip():
                items.append((bool(negative), Term(phrase.strip(), phrase=True)))
        elif word is not None and word != "-":
            items.append((bool(negative), Term(word)))
    if text and not any(isinstance(item, tuple) for item in items):
        # `-`, `""`, `OR` alone: operators with nothing to apply to; an empty box lists all.
        raise QueryError(
            f"no word in {text!r}: operators (-, quotes, OR) need a word to apply to",
            field="query",
        )
    return _group(items)


def _group(items: list[tuple[bool, Term] | str]) -> ParsedQuery:
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for item in items:
        if item == "OR":
            pending_or = bool(clauses)
            continue
        assert not isinstance(item, str)
        negative, term = item
        if negative:
            excluded.append(term)
            pending_or = False
        elif pending_or:
            clauses[-1].append(term)
            pending_or = False
        else:
            clauses.append([term])
    if len(excluded) + sum(len(c) for c in clauses) > MAX_TERMS:
        raise QueryError(f"too many terms, expected at most {MAX_TERMS}", field="query")
    return ParsedQuery(tuple(Clause(tuple(c)) for c in clauses), tuple(excluded))


def term_variants(term: Term) -> Variants:
    """The token sequences that match a term: jieba's cut of it, as the index was cut.

    One sequence: a finer alternative cut (机构改革 also as 机构 + 改革) found 5 more of 4,102
    dictionary words in the development texts but doubled the cost of such queries (FTS5's
    bm25 counts every phrase over the whole index); the index's merged words cover that case.
    """
    precise = tuple(t for t in tokens(term.text) if is_indexable(t))
    return (precise,) if precise else ()


def compile_query(parsed: ParsedQuery) -> CompiledQuery:
    """Segment every term; a clause left with no indexable term is dropped (e.g. `，`)."""
    must: list[tuple[Variants, ...]] = []
    for clause in parsed.clauses:
        terms = tuple(v for v in (term_variants(t) for t in clause.terms) if v)
        if terms:
            must.append(terms)
    exclude = tuple(v for v in (term_variants(t) for t in parsed.excluded) if v)
    if parsed.clauses and not must:
        raise QueryError(
            f"no searchable word in {' '.join(parsed.words())!r} (only punctuation or symbols)",
            field="query",
        )
    # Exclusions alone are allowed: they narrow the filtered set (or the whole archive).
    return CompiledQuery(tuple(must), exclude, parsed.words())


def compile_text(text: str) -> CompiledQuery:
    return compile_query(parse_query(text))
