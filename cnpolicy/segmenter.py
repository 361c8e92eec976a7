"""Word segmentation for every stage: jieba's dictionary and algorithm, run by rjieba (jieba-rs).

rjieba cuts the same text into the same tokens as `jieba.lcut(text, HMM=False)` with the same
words added (tests/test_segmenter.py checks every corpus file), about 15-20 times faster.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

import rjieba

__all__ = ["Segmenter", "dictionary_tags", "read_word_list"]

# jieba's hidden-Markov new-word guessing is off everywhere: it merges unknown characters
# differently in different contexts, and the components match on the text, not on guessed words.
USE_HMM = False

WordEntry = tuple[str, int | None]


def read_word_list(package: str, name: str) -> list[WordEntry]:
    """A jieba user dictionary (`word [freq] [tag]` per line, `#` comments) from package data."""
    text = resources.files(package).joinpath("data").joinpath(name).read_text("utf-8")
    entries: list[WordEntry] = []
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        entries.append((parts[0], freq))
    return entries


class Segmenter:
    """jieba's main dictionary plus the given words; `cut(text)` concatenates back to `text`."""

    def __init__(self, words: Iterable[WordEntry] = (), *, new_only: Iterable[str] = ()) -> None:
        """`words` are added as jieba's `add_word` would (no frequency: jieba's suggestion);
        `new_only` words are added only when the dictionary lacks them."""
        self._jieba = rjieba.Jieba()
        for word in new_only:
            if not self._jieba.has_word(word):
                self._jieba.add_word(word, None, None)
        for word, freq in words:
            self._jieba.add_word(word, freq, None)

    def cut(self, text: str) -> list[str]:
        """jieba's precise-mode tokens (no empty ones)."""
        return [word for word in self._jieba.cut(text, USE_HMM) if word]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of the tokens."""
        return [
            (start, end) for _word, start, end in self._jieba.tokenize(text, "default", USE_HMM)
        ]

    def is_word(self, text: str) -> bool:
        """Whether the dictionary holds `text` as a word (with a frequency above zero)."""
        return bool(self._jieba.has_word(text))


@cache
def dictionary_tags() -> dict[str, str]:
    """jieba's main dictionary: word → part-of-speech tag (the table `jieba.posseg` builds; a
    lookup, no tagging pass). Read from jieba's `dict.txt` without importing jieba (its import
    alone took 0.15 s of a one-file run); every line is `word freq tag`, so the words and tags
    are every third field of the split text."""
    spec = find_spec("jieba")
    folders = spec.submodule_search_locations if spec else None
    if not folders:
        raise ModuleNotFoundError("jieba's dictionary (dict.txt) was not found", name="jieba")
    fields = (Path(folders[0]) / "dict.txt").read_text("utf-8").split()
    if len(fields) % 3:
        raise ValueError("jieba's dict.txt has a line that is not `word freq tag`")
    return dict(zip(fields[0::3], fields[2::3], strict=True))
