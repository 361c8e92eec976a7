"""Ranking in the embedded store: term statistics kept exact, BM25F order, pages, snapshots."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.dedup import content_id
from cnpolicy.quality.synth import generate
from cnpolicy.records import Document
from cnpolicy.search.backend import SearchRequest
from cnpolicy.search.query import compile_text
from cnpolicy.search.segment import fts_tokens
from cnpolicy.search.sqlite.rank import (
    RERANK_WINDOW,
    TITLE_WEIGHT,
    RankTerm,
    exact_score,
    first_pass,
    idf,
    length_norms,
    parse_rows,
    rank_terms,
    top_positions,
)
from cnpolicy.search.sqlite.schema import MIGRATIONS, column_sizes, migrate
from cnpolicy.search.sqlite.store import SqliteStore


def doc(text: str, title: str, *, date: str = "2020-01-01") -> Document:
    return Document(
        id=content_id(text), source=f"{title}.txt", format="txt", text=text, title=title, date=date
    )


def fts5_tokens(text: str) -> list[str]:
    """What SQLite's own unicode61 tokenizer makes of a text (the reference)."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'unicode61 remove_diacritics 0')"
    )
    connection.execute("CREATE VIRTUAL TABLE v USING fts5vocab (t, instance)")
    connection.execute("INSERT INTO t (x) VALUES (?)", (text,))
    rows = connection.execute("SELECT term FROM v ORDER BY offset").fetchall()
    connection.close()
    return [r[0] for r in rows]


TEXT = st.text(
    alphabet=st.sampled_from(list("改革编制机构AbZ09_ .,，。、\u200b-%·ÉéⅫ①\ue001\t\n")),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_tokens_are_those_of_fts5_unicode61(text: str) -> None:
    assert fts_tokens(text) == fts5_tokens(text)


@pytest.mark.parametrize("sizes", [[0, 1, 2, 3], [127, 128, 300, 16_384], [300_000, 5, 0, 1]])
def test_docsize_records_decode(sizes: list[int]) -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5 (a, b, c, d)")
    columns = [" ".join(["w"] * n) for n in sizes]
    connection.execute("INSERT INTO t (rowid, a, b, c, d) VALUES (1, ?, ?, ?, ?)", columns)
    blob = connection.execute("SELECT sz FROM t_docsize WHERE id = 1").fetchone()[0]
    assert column_sizes(blob) == sizes


def test_idf_falls_as_documents_share_the_word() -> None:
    values = [idf(df, 1000) for df in (0, 1, 10, 500, 1000)]
    assert values == sorted(values, reverse=True)
    assert values[-1] > 0


def test_a_phrase_weighs_the_sum_of_its_words() -> None:
    query = compile_text('"机构 改革" 编制')
    frequencies = {"机构": 10, "改革": 100, "编制": 1000}
    phrase, word = rank_terms(query, frequencies, 1000)
    assert phrase.weight == pytest.approx(idf(10, 1000) + idf(100, 1000))
    assert word.weight == pytest.approx(idf(1000, 1000))
    assert phrase.surfaces == ("机构改革",) and word.surfaces == ("编制",)


def test_first_pass_puts_title_hits_and_short_documents_first() -> None:
    term = RankTerm(2.0, ("改革",))
    norms = length_norms(np.array([100, 100, 50], dtype=np.int32), 100.0)
    scores = first_pass([term], [np.array([False, True, False])], norms)
    assert scores[1] > scores[2] > scores[0]


def test_exact_score_counts_occurrences_and_weights_the_title() -> None:
    term = RankTerm(1.0, ("改革",))
    once, twice = exact_score([term], "", "改革", 1.0), exact_score([term], "", "改革…改革", 1.0)
    titled = exact_score([term], "改革", "改革", 1.0)
    assert 0 < once < twice < titled
    assert exact_score([term], "", "机构", 1.0) == 0
    assert exact_score([term], "改革", "", 1.0) == pytest.approx(
        exact_score([term], "", "改革" * int(TITLE_WEIGHT), 1.0)
    )


def test_top_positions_best_first_later_rows_win_ties() -> None:
    rows = np.array([1, 2, 3, 4, 5], dtype=np.int64)
    scores = np.array([0.5, 2.0, 2.0, 0.1, 1.0])
    assert rows[top_positions(rows, scores, 3)].tolist() == [3, 2, 5]
    assert rows[top_positions(rows, scores, 2)].tolist() == [3, 2]
    assert rows[top_positions(rows, scores, 10)].tolist() == [3, 2, 5, 1, 4]
    assert top_positions(rows, scores, 0).tolist() == []
    assert parse_rows("3,10,200").tolist() == [3, 10, 200] and parse_rows(None).tolist() == []


# --- the store -------------------------------------------------------------------------------


def vocabulary(connection: sqlite3.Connection) -> dict[str, int]:
    """Documents per token of the word columns (the n-gram column is not in `terms`)."""
    connection.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, documents_fts, instance)"
    )
    sql = "SELECT term, count(DISTINCT doc) FROM temp.v WHERE col != 'grams' GROUP BY term"
    return {str(t): int(n) for t, n in connection.execute(sql)}


def assert_statistics_exact(path: Path) -> None:
    """The terms table and body lengths agree with what FTS5 itself holds."""
    connection = sqlite3.connect(str(path))
    kept = {t: n for t, n in connection.execute("SELECT term, docs FROM terms") if n > 0}
    assert kept == vocabulary(connection)
    titled = connection.execute(
        "SELECT count(*) FROM titles_fts WHERE titles_fts MATCH 'tags : all'"
    ).fetchone()[0]
    assert titled == connection.execute("SELECT count(*) FROM documents").fetchone()[0]
    for num, tokens in connection.execute("SELECT num, tokens FROM documents"):
        size = connection.execute("SELECT sz FROM documents_fts_docsize WHERE id = ?", (num,))
        assert column_sizes(size.fetchone()[0])[1] == tokens
    connection.close()


def test_term_statistics_stay_exact_through_replace_and_delete(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    documents = list(generate(40, seed=3))
    with SqliteStore(path) as store:
        store.index(documents)
        assert_statistics_exact(path)
        store.index(documents[:10])  # the same ids again: replaced
        store.delete(documents[20].id)
        store.delete(documents[21].id)
        assert_statistics_exact(path)


def test_an_older_store_gains_term_statistics(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(str(path), isolation_level=None)
    migrate(connection, steps=MIGRATIONS[:2])
    connection.close()
    with SqliteStore(path) as store:
        store.index(generate(15, seed=5))
    # Take the store back to its V2 shape, then let the migration rebuild the statistics.
    connection = sqlite3.connect(str(path), isolation_level=None)
    connection.execute("DROP TABLE terms")
    connection.execute("DROP TABLE titles_fts")
    for trigger in ("documents_generation_in", "documents_generation_out"):
        connection.execute(f"DROP TRIGGER {trigger}")
    connection.execute("DELETE FROM counts WHERE name = 'generation'")
    connection.execute("ALTER TABLE documents DROP COLUMN tokens")
    for column in ("scope", "recipient"):  # V4's, added again on the way up
        connection.execute(f"ALTER TABLE metrics DROP COLUMN {column}")
    connection.execute("DROP INDEX documents_publisher_name")  # and V6's
    for column in ("publisher_name", "doc_number", "dates", "url"):
        connection.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    connection.execute("PRAGMA user_version = 2")
    connection.close()
    SqliteStore(path).close()
    assert_statistics_exact(path)


def test_title_and_frequency_decide_the_order(tmp_path: Path) -> None:
    filler = "本年度各项工作有序推进，" * 20
    body_once = doc(filler + "推进综合执法改革。", "年度工作总结")
    body_often = doc(filler + "综合执法改革。" * 4, "工作情况通报")
    in_title = doc(filler + "综合执法改革。", "综合执法改革情况")
    with SqliteStore(tmp_path / "s.db") as store:
        store.index([body_once, body_often, in_title])
        found = store.search(SearchRequest(text="综合执法"))
    assert [h.id for h in found.hits] == [in_title.id, body_often.id, body_once.id]
    scores = [h.score for h in found.hits]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


def test_pages_beyond_the_rescored_window_continue_without_gaps(tmp_path: Path) -> None:
    count = RERANK_WINDOW + 25
    documents = [
        doc(f"第{i}号通知：推进机构改革。" + "改革" * (i % 7), f"通知{i}") for i in range(count)
    ]
    with SqliteStore(tmp_path / "s.db") as store:
        store.index(documents)
        seen: list[str] = []
        scores: list[float] = []
        for offset in range(0, count, 20):
            page = store.search(SearchRequest(text="改革", limit=20, offset=offset))
            assert page.total == count
            seen.extend(h.id for h in page.hits)
            scores.extend(h.score for h in page.hits)
        everything = store.search(SearchRequest(text="改革", limit=None))
    assert len(seen) == len(set(seen)) == count
    assert seen == [h.id for h in everything.hits]
    assert scores == sorted(scores, reverse=True)


def test_readers_in_threads_see_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    documents = list(generate(120, seed=9))
    errors: list[BaseException] = []
    totals: list[int] = []
    with SqliteStore(path, batch_documents=30) as store:
        store.index(documents[:30])
        done = threading.Event()

        def read() -> None:
            try:
                while not done.is_set():
                    found = store.search(SearchRequest(text="机构", limit=5))
                    facet_total = sum(found.facets["doc_type"].values())
                    assert facet_total == found.total
                    totals.append(found.total)
            except BaseException as error:  # reported below, in the test's thread
                errors.append(error)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        store.index(documents[30:])
        done.set()
        for reader in readers:
            reader.join()
        final = store.search(SearchRequest(text="机构", limit=5)).total
    assert not errors
    assert totals and max(totals) <= final


def test_words_with_letters_match_in_any_case() -> None:
    term = RankTerm(1.0, ("gdp",))
    assert (
        exact_score([term], "", "全市GDP增长", 1.0)
        == exact_score([term], "", "全市gdp增长", 1.0)
        > 0
    )


def test_every_match_at_once_beyond_sqlite_variable_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cnpolicy.search.sqlite.search as sqlite_search

    monkeypatch.setattr(sqlite_search, "IN_CHUNK", 7)  # many chunks from a small store
    documents = [doc(f"第{i}份报告：深化机构改革。", f"报告{i}") for i in range(30)]
    with SqliteStore(tmp_path / "s.db") as store:
        store.index(documents)
        found = store.search(SearchRequest(text="机构改革", limit=None))
    assert found.total == 30 and len({h.id for h in found.hits}) == 30
    assert all(h.snippets and "<mark>" in h.snippets[0] for h in found.hits)


def test_rare_words_are_ranked_by_their_frequency_before_the_window(tmp_path: Path) -> None:
    # 80 documents name the place once; a longer one names it four times. Titles and lengths
    # alone would leave the longer one out of the rescored window; FTS5's bm25() of the rare
    # word brings it in, and the exact score puts it first.
    often = doc(
        "鸡西市召开会议，鸡西市部署年度工作，鸡西市要求各单位抓好落实，鸡西市各部门积极响应。",
        "工作简报",
    )
    once = [
        doc(f"第{i}期：鸡西市召开会议，部署年度工作，要求各单位抓好落实。", f"简报{i}")
        for i in range(RERANK_WINDOW + 30)
    ]
    elsewhere = [doc(f"第{i}期：鹤岗市召开会议。", f"通讯{i}") for i in range(300)]
    with SqliteStore(tmp_path / "s.db") as store:
        store.index([often, *once, *elsewhere])
        found = store.search(SearchRequest(text="鸡西"))
    assert found.total == len(once) + 1
    assert found.hits[0].id == often.id


def test_clauses_split_by_their_postings() -> None:
    from cnpolicy.search.sqlite.search import FTS5_RANK_BUDGET, split_clauses

    query = compile_text("鸡西 机构改革 下放 OR 下沉")
    frequencies = {"鸡西": 50, "机构": 90_000, "改革": 95_000, "下放": 10, "下沉": 30}
    rare, common = split_clauses(query, frequencies)
    assert rare == (query.must[2], query.must[0]) and common == (query.must[1],)
    everything = {t: FTS5_RANK_BUDGET for t in frequencies}
    assert split_clauses(query, everything) == ((query.must[0],), query.must[1:])


def test_searches_follow_writes_made_after_them(tmp_path: Path) -> None:
    first = [doc(f"第{i}份：推进机构改革。", f"报告{i}", date="2019-05-01") for i in range(60)]
    later = doc("新一年继续推进机构改革。", "新报告", date="2023-05-01")
    with SqliteStore(tmp_path / "s.db") as store:
        store.index(first)
        before = store.search(SearchRequest(text="机构改革"))
        assert before.total == 60 and before.facets["year"] == {"2019": 60}
        store.index([later])
        after = store.search(SearchRequest(text="机构改革", limit=100))
        assert after.total == 61 and after.facets["year"] == {"2019": 60, "2023": 1}
        assert later.id in {h.id for h in after.hits}
        store.delete(first[0].id)
        gone = store.search(SearchRequest(text="机构改革", limit=100))
        assert gone.total == 60 and first[0].id not in {h.id for h in gone.hits}
        assert gone.facets["year"] == {"2019": 59, "2023": 1}


def test_an_older_store_gains_the_ngram_column(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    connection = sqlite3.connect(str(path), isolation_level=None)
    migrate(connection, steps=MIGRATIONS[:3])
    text = "会议审议了《江州市机构改革方案》。"
    connection.execute(
        "INSERT INTO documents_fts (rowid, title, body, sub, tags) VALUES (1, '', ?, '', 'all')",
        (text,),
    )
    connection.close()
    connection = sqlite3.connect(str(path), isolation_level=None)
    assert migrate(connection) == len(MIGRATIONS) - 3
    found = connection.execute(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'grams : \"机构 构改 改革\"'"
    ).fetchall()
    connection.close()
    assert found == [(1,)]
