"""Snippets: original text, escaped, the best window marked; FTS5's when no word occurs literally."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.dedup import content_id
from cnpolicy.records import Document
from cnpolicy.search.backend import SearchRequest
from cnpolicy.search.snippets import from_text, plain, render
from cnpolicy.search.sqlite.store import SqliteStore


def test_render_strips_separators_and_escapes() -> None:
    assert render("机构\u200b<\ue000改革\ue001>\n下") == "机构&lt;<mark>改革</mark>&gt; 下"
    assert plain("a <mark>&lt;b&gt;</mark>") == "a <b>"


def test_the_window_with_most_distinct_words_wins() -> None:
    text = (
        "编制一词出现在开头。" + "无关的内容。" * 20 + "这里同时有编制和精简两个词。" + "结尾" * 20
    )
    snippet = from_text(text, ["编制", "精简"])
    assert snippet is not None
    assert "<mark>编制</mark>和<mark>精简</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


def test_no_literal_occurrence_gives_none() -> None:
    assert from_text("机构、改革", ["机构改革"]) is None
    assert from_text("任何文字", []) is None


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("编制精简改革<>&\n ，")), max_size=120),
    st.sampled_from(["编制", "改革", "<"]),
)
def test_snippets_are_text_from_the_document(text: str, word: str) -> None:
    snippet = from_text(text, [word])
    if word not in text:
        assert snippet is None
        return
    assert snippet is not None and f"<mark>{render(word)}</mark>" in snippet
    assert plain(snippet).strip("…") in text.replace("\n", " ")


def test_a_match_across_punctuation_gets_the_index_snippet(tmp_path: Path) -> None:
    text = "会议指出，要深化机构、改革工作。"
    with SqliteStore(tmp_path / "s.db") as store:
        store.put(Document(id=content_id(text), source="p.txt", format="txt", text=text))
        hit = store.search(SearchRequest(text='"机构改革"')).hits[0]
    assert "<mark>" in hit.snippets[0] and "机构" in plain(hit.snippets[0])
