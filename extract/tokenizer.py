"""The pipeline's tokenizer: jieba's segmentation straight into a spaCy Doc.

spaCy's own Chinese tokenizer runs jieba and then realigns words and spaces in Python, which
costs a fifth of jieba's time again; jieba's tokens already cover the text exactly (spaces and
line breaks are tokens of their own), so the Doc is built from them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from cnpolicy.extract.offsets import TokenOffsets
from cnpolicy.extract.segmenting import segmenter

__all__ = [
    "MAX_KNOWN_WORDS",
    "JiebaTokenizer",
    "create_jieba_tokenizer",
]

# Words whose string-store ids the tokenizer keeps. A Doc built from ids skips hashing every
# word's text twice (spaCy's Vocab.get), which is three quarters of building it; policy prose
# repeats a vocabulary of tens of thousands of words, and past this many the table starts
# afresh (a few tens of MB at most, so memory stays flat over any number of documents).
MAX_KNOWN_WORDS = 200_000


class JiebaTokenizer:
    """Text → Doc with one token per jieba word; `doc.text == text` always."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._ids: dict[str, int] = {}  # word → its id in vocab.strings (the word is stored)

    def __call__(self, text: str) -> Doc:
        words = segmenter().cut(text)
        ids = self.word_ids(words)  # spaCy's stub types words as strings; Doc takes ids too
        doc = Doc(self.vocab, words=ids, spaces=[False] * len(words))  # type: ignore[arg-type]
        TokenOffsets.of_words(words).keep_on(doc)
        return doc

    def word_ids(self, words: list[str]) -> list[str] | list[int]:
        """The words' ids in the vocabulary's string store (adding the new ones); the words
        themselves inside a memory zone, whose strings are dropped when it ends."""
        in_zone: bool = getattr(self.vocab, "in_memory_zone", False)  # spaCy 3.8+
        if in_zone:
            return words
        ids = self._ids
        if len(ids) > MAX_KNOWN_WORDS:
            ids.clear()
        found: list[int | None] = list(map(ids.get, words))  # a C loop: most words are known
        if None in found:
            add = self.vocab.strings.add
            for index, word_id in enumerate(found):
                if word_id is None:
                    found[index] = ids[words[index]] = ids.get(words[index]) or add(words[index])
        return found  # type: ignore[return-value]  # every None was filled

    # The tokenizer holds no state of its own: the dictionary is loaded by the pipeline.
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> JiebaTokenizer:
        return self

    def to_disk(self, _path: str | Path, **_: Any) -> None:
        return None

    def from_disk(self, _path: str | Path, **_: Any) -> JiebaTokenizer:
        return self


@registry.tokenizers("cnpolicy.jieba_tokenizer.v1")  # type: ignore[untyped-decorator]
def create_jieba_tokenizer() -> Callable[[Language], JiebaTokenizer]:
    def create(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab)

    return create
