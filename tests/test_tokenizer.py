"""The jieba tokenizer: Docs built from string-store ids equal Docs built from words."""

from __future__ import annotations

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.config import ExtractOptions
from cnpolicy.extract.offsets import TokenOffsets
from cnpolicy.extract.pipeline import USER_DICT, get_nlp
from cnpolicy.extract.tokenizer import MAX_KNOWN_WORDS, JiebaTokenizer
from cnpolicy.segmenter import read_word_list
from tests.conftest import CORPORA


@pytest.fixture(scope="module", autouse=True)
def user_dictionary() -> None:
    """The reference jieba with the same user words as the pipeline's segmenter."""
    jieba.setLogLevel(60)
    for word, freq in read_word_list("cnpolicy.extract", USER_DICT):
        jieba.add_word(word, freq=freq)


def test_docs_from_ids_equal_docs_from_words_and_memory_zones_keep_working() -> None:
    nlp = get_nlp(ExtractOptions(sanding=False))
    text = "改革后,市级设党政机构49个,精简内设机构20个。NOUN ZZZ新词"
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert [t.text for t in doc] == [w for w in jieba.lcut(text, HMM=False) if w]
    with nlp.memory_zone():
        inside = nlp.make_doc(text + "另一个从未见过的词QQQ")
        assert inside.text == text + "另一个从未见过的词QQQ"
    assert nlp.make_doc("QQQ" + text).text == "QQQ" + text


def test_the_table_of_known_words_starts_afresh_when_full() -> None:
    nlp = get_nlp(ExtractOptions(sanding=False))
    tokenizer = JiebaTokenizer(nlp.vocab)
    for i in range(3):
        tokenizer._ids.update({f"w{n}-{i}": 0 for n in range(MAX_KNOWN_WORDS // 2)})
        doc = tokenizer("机构改革")
        assert doc.text == "机构改革"
    assert len(tokenizer._ids) <= MAX_KNOWN_WORDS + 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="改革后市级设党政机构精简 \n\t,。、%0123456789ABCxyz", max_size=80))
def test_the_offsets_the_tokenizer_leaves_are_the_docs_own(text: str) -> None:
    nlp = get_nlp(ExtractOptions(sanding=False))
    doc = nlp.make_doc(text)
    left = TokenOffsets.of(doc)
    doc.user_data.clear()
    read = TokenOffsets.of(doc)  # from the Doc's token attributes
    assert (left.starts, left.ends) == (read.starts, read.ends)
    assert (read.starts, read.ends) == ([t.idx for t in doc], [t.idx + len(t) for t in doc])


def test_the_offsets_of_every_corpus_text_are_the_docs_own() -> None:
    nlp = get_nlp(ExtractOptions(sanding=False))
    for path in sorted(CORPORA.rglob("*.txt")):
        doc = nlp.make_doc(path.read_text(encoding="utf-8", errors="replace"))
        left = TokenOffsets.of(doc)
        doc.user_data.clear()
        read = TokenOffsets.of(doc)
        assert (left.starts, left.ends) == (read.starts, read.ends), path.name
