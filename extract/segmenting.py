"""The extraction stage's segmenter: jieba's dictionary (through rjieba) with the domain words of
extract/data/userdict.txt, built once per process; the tokenizer and the metric rules share it.
"""

from __future__ import annotations

from functools import lru_cache

from cnpolicy.segmenter import Segmenter, read_word_list

__all__ = ["USER_DICT", "segmenter"]

USER_DICT = "userdict.txt"


@lru_cache(maxsize=1)
def segmenter() -> Segmenter:
    """jieba's dictionary with the domain words (编制, 三定, 内设机构 …) of extract/data/userdict.txt,
    built once per process."""
    return Segmenter(read_word_list("cnpolicy.extract", USER_DICT))
