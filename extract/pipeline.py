"""Build the spaCy pipeline: blank Chinese, jieba-segmented, our user dictionary, our components.

The pipeline is built once per process (`get_nlp`) and reused; building it loads jieba's dictionary.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import jieba
import spacy
from spacy.language import Language

from cnpolicy.config import ExtractOptions
from cnpolicy.extract.extensions import register_extensions

USER_DICT = "userdict.txt"
TOKENIZER = "cnpolicy.jieba_tokenizer.v1"


def load_user_dictionary() -> None:
    """Add the domain words (编制, 三定, 内设机构 …) in extract/data/userdict.txt to jieba."""
    text = (
        resources.files("cnpolicy.extract").joinpath("data").joinpath(USER_DICT).read_text("utf-8")
    )
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        jieba.add_word(parts[0], freq=freq)


@lru_cache(maxsize=1)
def initialise_jieba() -> None:
    jieba.setLogLevel(60)  # jieba prints its cache-loading chatter on stderr at INFO
    jieba.initialize()
    load_user_dictionary()


def build_nlp(options: ExtractOptions) -> Language:
    """A fresh pipeline with the components the options ask for."""
    initialise_jieba()
    register_extensions()
    # Importing the component modules registers their factories (and our tokenizer) with spaCy.
    from cnpolicy.extract import entities, metrics, tokenizer  # noqa: F401

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    if options.entities:
        nlp.add_pipe("cnpolicy_entities")
    if options.neural_model:
        from cnpolicy.extract import neural  # noqa: F401  (registers cnpolicy_neural_ner)

        nlp.add_pipe("cnpolicy_neural_ner", config={"model": options.neural_model})
    if options.metrics:
        nlp.add_pipe("cnpolicy_metrics")
    return nlp


@lru_cache(maxsize=4)
def get_nlp(options: ExtractOptions) -> Language:
    """The pipeline for these options, built once per process."""
    return build_nlp(options)
