"""Word segmentation for every stage: jieba's dictionary and algorithm, run by rjieba (jieba-rs).

rjieba cuts the same text into the same tokens as `jieba.lcut(text, HMM=False)` with the same
words added (tests/test_segmenter.py checks every corpus file), about 15-20 times faster.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from functools import cache
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import overload

import rjieba

__all__ = [
    "CACHE_DIR_ENV",
    "TAGS_CACHE_VERSION",
    "Segmenter",
    "WordTags",
    "cache_folder",
    "dictionary_tags",
    "jieba_dictionary",
    "read_word_list",
    "read_word_tags",
]

# Bump when the cache file's layout changes: an old file is then simply not found.
TAGS_CACHE_VERSION = 1
CACHE_DIR_ENV = "CNPOLICY_CACHE_DIR"
_CREATE_TAGS = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE tags (word TEXT PRIMARY KEY, tag TEXT NOT NULL) WITHOUT ROWID;
"""
_INSERT_TAG = "INSERT INTO tags (word, tag) VALUES (?, ?)"
_SELECT_TAG = "SELECT tag FROM tags WHERE word = ?"

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


# The instance rjieba's package builds on import (its module-level `rjieba.cut` …): parsing the
# main dictionary takes 0.12 s, a tenth of a one-file run, so the first Segmenter of a process
# takes this one over instead of building a second. cnpolicy never calls rjieba's module-level
# functions; a program that imports cnpolicy and calls them sees that segmenter's words too.
_UNCLAIMED: list[rjieba.Jieba] = [rjieba._DEFAULT_JIEBA]


def _main_dictionary() -> rjieba.Jieba:
    """A jieba-rs segmenter holding jieba's main dictionary and nothing else."""
    return _UNCLAIMED.pop() if _UNCLAIMED else rjieba.Jieba()


class Segmenter:
    """jieba's main dictionary plus the given words; `cut(text)` concatenates back to `text`."""

    def __init__(self, words: Iterable[WordEntry] = (), *, new_only: Iterable[str] = ()) -> None:
        """`words` are added as jieba's `add_word` would (no frequency: jieba's suggestion);
        `new_only` words are added only when the dictionary lacks them."""
        self._jieba = _main_dictionary()
        for word in new_only:
            if not self._jieba.has_word(word):
                self._jieba.add_word(word, None, None)
        for word, freq in words:
            self._jieba.add_word(word, freq, None)

    def cut(self, text: str) -> list[str]:
        """jieba's precise-mode tokens (no empty ones)."""
        words: list[str] = self._jieba.cut(text, USE_HMM)
        return [word for word in words if word] if "" in words else words

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) character offsets of the tokens."""
        return [
            (start, end) for _word, start, end in self._jieba.tokenize(text, "default", USE_HMM)
        ]

    def is_word(self, text: str) -> bool:
        """Whether the dictionary holds `text` as a word (with a frequency above zero)."""
        return bool(self._jieba.has_word(text))


@cache
def dictionary_tags() -> WordTags:
    """jieba's main dictionary: word → part-of-speech tag (the table `jieba.posseg` builds; a
    lookup, no tagging pass), read without importing jieba (its import alone took 0.15 s of a
    one-file run)."""
    return WordTags(jieba_dictionary(), cache_folder())


def jieba_dictionary() -> Path:
    """jieba's `dict.txt`: every line `word freq tag`."""
    spec = find_spec("jieba")
    folders = spec.submodule_search_locations if spec else None
    if not folders:
        raise ModuleNotFoundError("jieba's dictionary (dict.txt) was not found", name="jieba")
    return Path(folders[0]) / "dict.txt"


def cache_folder() -> Path | None:
    """Where cnpolicy keeps what it derives from installed data: $CNPOLICY_CACHE_DIR, else
    $XDG_CACHE_HOME/cnpolicy, else ~/.cache/cnpolicy; None when there is no home to put it in."""
    if chosen := os.environ.get(CACHE_DIR_ENV):
        return Path(chosen)
    if base := os.environ.get("XDG_CACHE_HOME"):
        return Path(base) / "cnpolicy"
    try:
        return Path.home() / ".cache" / "cnpolicy"
    except RuntimeError:  # no $HOME and no password entry (some containers)
        return None


def read_word_tags(dictionary: Path) -> dict[str, str]:
    """The whole table from `dict.txt`: the words and tags are every third field of the split
    text (a word listed twice keeps its last tag, as in jieba)."""
    fields = dictionary.read_text("utf-8").split()
    if len(fields) % 3:
        raise ValueError(f"{dictionary} has a line that is not `word freq tag`")
    return dict(zip(fields[0::3], fields[2::3], strict=True))


class WordTags:
    """word → tag lookups (`get`, `in`) in jieba's dictionary, answered from an indexed copy of
    the table in the cache folder, built once per dictionary file: reading all 349,046 lines
    took 0.16-0.25 s of every run, and a run meets a few thousand distinct words (6,132 in two
    million characters of reports). Without a usable cache the whole table is read as before."""

    def __init__(self, dictionary: Path, folder: Path | None) -> None:
        self._dictionary = dictionary
        self._folder = folder
        self._seen: dict[str, str | None] = {}
        self._table: dict[str, str] | None = None
        self._connection: tuple[int, sqlite3.Connection] | None = None

    @overload
    def get(self, word: str) -> str | None: ...
    @overload
    def get(self, word: str, default: str) -> str: ...
    def get(self, word: str, default: str | None = None) -> str | None:
        seen = self._seen
        if word in seen:
            tag = seen[word]
        else:
            tag = seen[word] = self._look_up(word)
        return default if tag is None else tag

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def _look_up(self, word: str) -> str | None:
        if self._table is None:
            try:
                row = self._connect().execute(_SELECT_TAG, (word,)).fetchone()
                return None if row is None else str(row[0])
            except (OSError, sqlite3.Error):
                self._table = read_word_tags(self._dictionary)
        return self._table.get(word)

    def _connect(self) -> sqlite3.Connection:
        """This process's read-only connection (a forked worker opens its own)."""
        if self._connection is None or self._connection[0] != os.getpid():
            path = self._built_cache()
            connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
            self._connection = (os.getpid(), connection)
        return self._connection[1]

    def _built_cache(self) -> Path:
        """The cache file for this dictionary (named by its size and modification time), built
        under a temporary name and renamed into place, so a reader never sees half of one."""
        if self._folder is None:
            raise OSError("no cache folder")
        stat = self._dictionary.stat()
        path = (
            self._folder / f"jieba-tags-v{TAGS_CACHE_VERSION}-{stat.st_size}-{stat.st_mtime_ns}.db"
        )
        if path.exists():
            return path
        self._folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        try:
            with closing(sqlite3.connect(partial)) as connection:
                connection.executescript(_CREATE_TAGS)
                rows = read_word_tags(self._dictionary).items()
                with connection:
                    connection.executemany(_INSERT_TAG, rows)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        return path
