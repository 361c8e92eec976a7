"""Search recall on the real development set: every place named and every quoted figure is found.

Index and query are segmented separately (a word alone may be cut differently from the same word
in a sentence); these tests check on real reports that this never loses a match.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document
from cnpolicy.search.backend import SearchRequest
from cnpolicy.search.segment import tokens
from cnpolicy.search.sqlite.store import SqliteStore


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[SqliteStore, dict[str, Document]]]:
    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    if not corpus.is_dir():
        pytest.skip(f"shared development corpus not present at {corpus}")
    documents = {
        path.stem: ingest_bytes(path.read_bytes(), source=str(path))
        for path in sorted((corpus / "reform").glob("*.txt"))
        + sorted((corpus / "sanding").glob("*.txt"))
    }
    store = SqliteStore(tmp_path_factory.mktemp("corpus") / "s.db")
    store.index(documents.values())
    yield store, documents
    store.close()


def gold_quotes() -> list[tuple[str, str]]:
    gold = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "gold"
    found = []
    for path in sorted(gold.glob("*.jsonl")) if gold.is_dir() else []:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                found.append((record["doc"], record["quote"]))
    return found


def test_every_quoted_figure_is_found_as_a_phrase(
    indexed: tuple[SqliteStore, dict[str, Document]],
) -> None:
    store, documents = indexed
    quotes = gold_quotes()
    assert len(quotes) > 30
    missed = []
    for stem, quote in quotes:
        result = store.search(SearchRequest(text=f'"{quote}"', limit=20))
        if documents[stem].id not in [h.id for h in result.hits]:
            missed.append(quote)
    assert missed == []


def test_every_place_named_is_found(indexed: tuple[SqliteStore, dict[str, Document]]) -> None:
    store, documents = indexed
    gazetteer = load_gazetteer()
    checked = 0
    for document in documents.values():
        for name in {m.text for m in gazetteer.find(document.text)}:
            result = store.search(SearchRequest(text=name, limit=20))
            assert document.id in [h.id for h in result.hits], name
            hit = next(h for h in result.hits if h.id == document.id)
            assert f"<mark>{name}" in hit.snippets[0] or name in hit.snippets[0], name
            checked += 1
    assert checked >= 5


def test_words_cut_differently_in_context_are_found(
    indexed: tuple[SqliteStore, dict[str, Document]],
) -> None:
    """A word, or two words run together, as they stand in the text, typed alone as a query."""
    store, documents = indexed
    for stem, document in documents.items():
        parts = tokens(document.text)
        queries = set()
        for i in range(0, len(parts) - 1, 7):
            for word in (parts[i], parts[i] + parts[i + 1]):
                if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
                    queries.add(word)
        assert len(queries) > 50
        for word in sorted(queries):
            hits = store.search(SearchRequest(text=word, limit=50, facets=False))
            assert document.id in [h.id for h in hits.hits], (stem, word, tokens(word))
