"""rjieba against the reference jieba: the same tokens for every corpus file, with our dictionaries."""

from __future__ import annotations

import multiprocessing
import unicodedata
from functools import cache
from pathlib import Path

import jieba
import jieba.posseg
import pytest

from cnpolicy.extract.pipeline import USER_DICT as EXTRACT_DICT
from cnpolicy.extract.pipeline import segmenter
from cnpolicy.search import segment as search_segment
from cnpolicy.segmenter import (
    TAGS_CACHE_VERSION,
    Segmenter,
    WordTags,
    cache_folder,
    dictionary_tags,
    jieba_dictionary,
    read_word_list,
    read_word_tags,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"


def corpus_files() -> list[Path]:
    files = sorted((ROOT / "corpora").rglob("*.txt"))
    if SHARED.is_dir():
        files += sorted(SHARED.rglob("*.txt"))
    return files


@cache
def reference_extract() -> jieba.Tokenizer:
    """jieba as the pipeline used it before rjieba: main dictionary plus extract's user words."""
    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    tk.initialize()
    for word, freq in read_word_list("cnpolicy.extract", EXTRACT_DICT):
        tk.add_word(word, freq=freq)
    return tk


@cache
def reference_search() -> jieba.Tokenizer:
    """jieba as the search index used it: places it lacks, then search's user words."""
    tk = jieba.Tokenizer()
    tk.initialize()
    for word in search_segment._place_words():
        if not tk.FREQ.get(word):
            tk.add_word(word)
    for word, freq in read_word_list("cnpolicy.search", search_segment.USER_DICT):
        tk.add_word(word, freq=freq)
    return tk


def read_text(path: Path) -> str:
    return unicodedata.normalize("NFKC", path.read_text("utf-8", errors="replace"))


def test_the_corpus_files_are_found() -> None:
    ours = sorted((ROOT / "corpora").rglob("*.txt"))
    assert ours and set(ours) <= set(corpus_files())
    if SHARED.is_dir():
        assert len(corpus_files()) > len(ours) + 70  # the 77 real reports and the rest


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_rjieba_cuts_every_corpus_file_as_jieba_does(path: Path) -> None:
    text = read_text(path)
    assert segmenter().cut(text) == [w for w in reference_extract().lcut(text, HMM=False) if w]
    assert search_segment.tokens(text) == [w for w in reference_search().lcut(text, HMM=False) if w]


def test_offsets_cover_the_text_and_match_the_tokens() -> None:
    text = "2025年全省生产总值增长5.2%,突破1.5万亿元。abc 12.5%"
    tokens = segmenter().cut(text)
    spans = segmenter().spans(text)
    assert "".join(tokens) == text
    assert [text[s:e] for s, e in spans] == tokens


def test_dictionary_lookups_agree_with_jieba() -> None:
    text = read_text(corpus_files()[0])[:5000]
    reference = reference_search().FREQ
    words = {text[i : i + n] for n in (2, 3, 4) for i in range(len(text) - n)}
    assert {w for w in words if search_segment.tokenizer().is_word(w)} == {
        w for w in words if reference.get(w)
    }


def test_added_words_are_cut_whole_and_new_only_words_keep_known_frequencies() -> None:
    seg = Segmenter([("编制核定数", None)], new_only=["长春市"])
    assert "编制核定数" in seg.cut("本单位编制核定数为12名")
    assert seg.is_word("长春市") and not seg.is_word("长春市编制核定数")


def test_dictionary_tags_are_the_table_jieba_posseg_builds() -> None:
    table = jieba.posseg.dt.word_tag_tab
    tags = dictionary_tags()
    assert read_word_tags(jieba_dictionary()) == table
    assert all(tags.get(word) == tag for word, tag in table.items())
    for word in ("机构编制改革试点", "狗狗狗", "", "x y"):
        assert word not in table
        assert tags.get(word) is None and tags.get(word, "") == "" and word not in tags


def test_word_tags_build_their_cache_once_and_read_it_back(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    first = WordTags(jieba_dictionary(), folder)
    assert first.get("中国") == "ns" and "改革" in first
    (built,) = folder.iterdir()
    assert built.name.startswith(f"jieba-tags-v{TAGS_CACHE_VERSION}-") and built.suffix == ".db"
    stamp = built.stat().st_mtime_ns
    second = WordTags(jieba_dictionary(), folder)
    assert second.get("中国") == "ns" and second.get("狗狗狗") is None
    assert [p.name for p in folder.iterdir()] == [built.name]  # read, not rebuilt
    assert built.stat().st_mtime_ns == stamp


def test_word_tags_without_a_usable_cache_read_the_whole_dictionary(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    tags = WordTags(jieba_dictionary(), blocked)
    assert tags.get("中国") == "ns" and "改革" in tags and "狗狗狗" not in tags


def test_a_forked_worker_opens_its_own_connection(tmp_path: Path) -> None:
    tags = WordTags(jieba_dictionary(), tmp_path)
    assert tags.get("中国") == "ns"  # the parent's connection is open
    _INHERITED.append(tags)
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            child = pool.apply(_inherited_tag, ("改革",))
    finally:
        _INHERITED.clear()
    assert child == jieba.posseg.dt.word_tag_tab["改革"]


# The table a forked child inherits (a sqlite3 connection cannot be pickled to it).
_INHERITED: list[WordTags] = []


def _inherited_tag(word: str) -> str | None:
    tags = _INHERITED[0]
    return tags.get(word)


def test_word_tags_without_a_home_read_the_whole_dictionary() -> None:
    tags = WordTags(jieba_dictionary(), None)
    assert tags.get("中国") == "ns" and "狗狗狗" not in tags


def test_the_cache_folder_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNPOLICY_CACHE_DIR", "/somewhere/cnp")
    assert cache_folder() == Path("/somewhere/cnp")
    monkeypatch.delenv("CNPOLICY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert cache_folder() == Path("/xdg/cnpolicy")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", "/home/someone")
    assert cache_folder() == Path("/home/someone/.cache/cnpolicy")


def test_a_damaged_cache_file_falls_back_to_the_whole_dictionary(tmp_path: Path) -> None:
    WordTags(jieba_dictionary(), tmp_path).get("中国")  # builds the cache file
    (built,) = tmp_path.iterdir()
    built.write_bytes(b"not a database at all")
    tags = WordTags(jieba_dictionary(), tmp_path)
    assert tags.get("中国") == "ns" and "改革" in tags and "狗狗狗" not in tags
