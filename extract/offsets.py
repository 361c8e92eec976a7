"""Token offsets of a Doc: character spans to token ranges by bisection, as `doc.char_span`
aligns them, without building a Span for every try (the components align thousands per text).
"""

from __future__ import annotations

import bisect
import itertools

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

__all__ = [
    "TokenOffsets",
]


# Where a Doc keeps its offsets in its user data.
_USER_DATA_KEY = "cnpolicy_token_offsets"


class TokenOffsets:
    """The Doc's token character offsets, to turn character spans into token ranges by bisection
    (what `doc.char_span` does, without building a Span per try)."""

    def __init__(self, starts: list[int], ends: list[int]):
        self.starts = starts
        self.ends = ends

    @classmethod
    def of_words(cls, words: list[str]) -> TokenOffsets:
        """The offsets of words that tile a text in order (a Doc built from them without spaces
        has these): each word ends where the next begins."""
        ends = list(itertools.accumulate(map(len, words)))
        return cls([0, *ends[:-1]] if ends else [], ends)

    def keep_on(self, doc: Doc) -> None:
        """Leave these as the Doc's offsets (its tokenizer knows them before any component)."""
        doc.user_data[_USER_DATA_KEY] = self

    @classmethod
    def of(cls, doc: Doc) -> TokenOffsets:
        """The Doc's offsets, read once and kept in its user data: the entity and the metric
        components both need them, and no component retokenizes."""
        known = doc.user_data.get(_USER_DATA_KEY)
        if isinstance(known, TokenOffsets):
            return known
        if len(doc) == 0:
            offsets = cls([], [])
        else:
            array = doc.to_array([IDX, LENGTH])
            offsets = cls(array[:, 0].tolist(), (array[:, 0] + array[:, 1]).tolist())
        doc.user_data[_USER_DATA_KEY] = offsets
        return offsets

    def expand(self, start: int, end: int) -> tuple[int, int] | None:
        """The tokens covering [start, end) (spaCy's alignment_mode="expand")."""
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_left(self.ends, end) + 1
        if first < 0 or last > len(self.ends) or first >= last or start >= end:
            return None
        return first, last

    def contract(self, start: int, end: int) -> tuple[int, int] | None:
        """The tokens inside [start, end) (alignment_mode="contract")."""
        first = bisect.bisect_left(self.starts, start)
        last = bisect.bisect_right(self.ends, end)
        return (first, last) if first < last else None

    def options(self, start: int, end: int) -> list[tuple[int, int]]:
        """Token ranges for a character span, best first: covering it, inside it, then one end
        of each."""
        wide = self.expand(start, end)
        if wide is None:
            return []
        narrow = self.contract(start, end)
        if narrow is None:
            return [wide]
        mixed = [(wide[0], narrow[1]), (narrow[0], wide[1])]
        return [wide, narrow, *((a, b) for a, b in mixed if a < b)]
