"""Build the spaCy pipeline: blank Chinese, jieba-segmented (rjieba) with our user dictionary, our components.

The pipeline is built once per process (`get_nlp`) and reused; building it loads the dictionary.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from cnpolicy.config import ExtractOptions

# Importing the component modules registers their factories (and our tokenizer) with spaCy.
from cnpolicy.extract import entities, metrics, tokenizer  # noqa: F401
from cnpolicy.extract.blocks import MAX_LENGTH
from cnpolicy.extract.extensions import register_extensions
from cnpolicy.extract.segmenting import USER_DICT, segmenter

__all__ = [
    "TOKENIZER",
    "USER_DICT",
    "build_nlp",
    "get_nlp",
    "segmenter",
]

TOKENIZER = "cnpolicy.jieba_tokenizer.v1"


def build_nlp(options: ExtractOptions) -> Language:
    """A fresh pipeline with the components the options ask for."""
    register_extensions()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    nlp.max_length = MAX_LENGTH  # documents run in blocks (extract/blocks.py), never past this
    # No lexical attributes (like_num, shape, norm…): no component reads them, and computing
    # them for each new word was a third of building the Docs of a batch of new reports.
    nlp.vocab.lex_attr_getters = {}  # type: ignore[attr-defined]
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
