"""The jieba tokenizer: Docs built from string-store ids equal Docs built from words."""

from __future__ import annotations

import jieba
import pytest

from cnpolicy.config import ExtractOptions
from cnpolicy.extract.pipeline import USER_DICT, get_nlp
from cnpolicy.extract.tokenizer import MAX_KNOWN_WORDS, JiebaTokenizer
from cnpolicy.segmenter import read_word_list


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
