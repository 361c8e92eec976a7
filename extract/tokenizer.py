"""The pipeline's tokenizer: jieba's segmentation straight into a spaCy Doc.

spaCy's own Chinese tokenizer runs jieba and then realigns words and spaces in Python, which
costs a fifth of jieba's time again; jieba's tokens already cover the text exactly (spaces and
line breaks are tokens of their own), so the Doc is built from them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jieba
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

# jieba's HMM guesses words jieba's dictionary lacks (mostly names). The components match on
# the text and use tokens only to anchor spans, so the HMM adds a third to the time and nothing
# to the results (measured on the reform reports: same metrics and entities either way).
USE_HMM = False


class JiebaTokenizer:
    """Text → Doc with one token per jieba word; `doc.text == text` always."""

    def __init__(self, vocab: Vocab, *, hmm: bool = USE_HMM) -> None:
        self.vocab = vocab
        self.hmm = hmm

    def __call__(self, text: str) -> Doc:
        words = [word for word in jieba.lcut(text, HMM=self.hmm) if word]
        return Doc(self.vocab, words=words, spaces=[False] * len(words))

    # The tokenizer holds no state of its own: jieba's dictionary is loaded by the pipeline.
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> JiebaTokenizer:
        return self

    def to_disk(self, _path: str | Path, **_: Any) -> None:
        return None

    def from_disk(self, _path: str | Path, **_: Any) -> JiebaTokenizer:
        return self


@registry.tokenizers("cnpolicy.jieba_tokenizer.v1")  # type: ignore[untyped-decorator]
def create_jieba_tokenizer(hmm: bool = USE_HMM) -> Callable[[Language], JiebaTokenizer]:
    def create(nlp: Language) -> JiebaTokenizer:
        return JiebaTokenizer(nlp.vocab, hmm=hmm)

    return create
