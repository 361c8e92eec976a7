"""The embedded store's own guarantees: transactions, crash safety, schema versions, round trips."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnpolicy.dedup import content_id
from cnpolicy.errors import SchemaVersionError, StoreError
from cnpolicy.quality.synth import generate
from cnpolicy.records import Document, Entity, Metric, Region, Section
from cnpolicy.search.backend import SearchRequest
from cnpolicy.search.sqlite.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_store_backend import sample_documents


def consistent(path: Path) -> int:
    """Check the file as another process would see it; returns the number of documents."""
    connection = sqlite3.connect(str(path))
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        connection.execute("INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')")
        documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        indexed = connection.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
        orphans = connection.execute(
            "SELECT count(*) FROM metrics WHERE doc NOT IN (SELECT num FROM documents)"
        ).fetchone()[0]
        assert documents == indexed and orphans == 0
        return int(documents)
    finally:
        connection.close()


def visible(path: Path) -> int:
    """Documents another process sees now (read only: the writer may hold the write lock)."""
    connection = sqlite3.connect(str(path))
    try:
        return int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    finally:
        connection.close()


def test_store_is_versioned_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).close()
    connection = sqlite3.connect(str(path))
    assert schema_version(connection) == SCHEMA_VERSION == len(MIGRATIONS)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).close()
    connection = sqlite3.connect(str(path))
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(SchemaVersionError, match="upgrade cnpolicy"):
        SqliteStore(path)


def test_migrations_run_the_missing_steps_once(tmp_path: Path) -> None:
    connection = sqlite3.connect(str(tmp_path / "m.db"), isolation_level=None)
    ran: list[int] = []

    def step(number: int) -> object:
        def run(c: sqlite3.Connection) -> None:
            ran.append(number)
            c.execute(f"CREATE TABLE t{number} (x)")

        return run

    assert migrate(connection, steps=[step(1)]) == 1  # type: ignore[list-item]
    assert migrate(connection, steps=[step(1), step(2)]) == 1  # type: ignore[list-item]
    assert migrate(connection, steps=[step(1), step(2)]) == 0  # type: ignore[list-item]
    assert ran == [1, 2] and schema_version(connection) == 2


def test_a_failed_migration_leaves_the_old_version(tmp_path: Path) -> None:
    connection = sqlite3.connect(str(tmp_path / "m.db"), isolation_level=None)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk on fire")

    with pytest.raises(sqlite3.OperationalError):
        migrate(connection, steps=[broken])
    assert schema_version(connection) == 0
    assert (
        connection.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0]
        == 0
    )


def test_not_a_store(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database, just text " * 200)
    with pytest.raises(StoreError, match=r"junk\.db"):
        SqliteStore(junk)
    with pytest.raises(StoreError, match="cnpolicy index"):
        SqliteStore(tmp_path / "missing.db", create=False)


def failing_after(documents: list[Document], count: int) -> Iterator[Document]:
    yield from documents[:count]
    raise RuntimeError("the pipeline broke")


def test_an_error_mid_batch_keeps_every_finished_document(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    documents = sample_documents()
    with SqliteStore(path) as store, pytest.raises(RuntimeError):
        store.index(failing_after(documents, 4))
    assert consistent(path) == 4
    with SqliteStore(path) as store:
        assert [store.get(d.id) for d in documents[:4]] == documents[:4]


def test_a_document_that_cannot_be_written_is_skipped(tmp_path: Path) -> None:
    documents = sample_documents()
    bad = Document(id="bad", source="bad.txt", format="txt", text="坏文档",
                   metrics=(Metric("x", 0, 1, "x", value=[1], unit="个", kind="count"),))  # type: ignore[arg-type]  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        report = store.index([documents[0], bad, documents[1]])
        assert report.indexed == 2 and [f.source for f in report.failures] == ["bad.txt"]
        assert store.count() == 2
        assert store.search(SearchRequest(text="坏文档")).total == 0


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from cnpolicy.search.sqlite.store import SqliteStore
    from cnpolicy.quality.synth import generate

    def documents():
        for n, document in enumerate(generate(100000, seed=7)):
            print(n, flush=True)
            yield document

    SqliteStore(sys.argv[1], batch_documents=int(sys.argv[2])).index(documents())
    """
)


KILL_BATCH = 10


def test_a_killed_writer_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path), str(KILL_BATCH)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    for line in writer.stdout:
        if int(line) >= 3 * KILL_BATCH + KILL_BATCH // 2:  # in the middle of the fourth batch
            break
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    count = consistent(path)
    assert count >= 3 * KILL_BATCH  # three batches were committed before the kill
    expected = list(generate(count, seed=7))
    with SqliteStore(path) as store:
        assert store.count() == count
        for document in expected[:: max(1, count // 20)]:
            assert store.get(document.id) == document


def test_readers_see_only_committed_batches(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    documents = list(generate(12, seed=3))
    seen: list[int] = []
    with SqliteStore(path) as store:

        def watched() -> Iterator[Document]:
            for document in documents:
                seen.append(visible(path))
                yield document

        store.index(watched())
    assert seen == [0] * len(documents)  # one batch: nothing visible until it commits
    assert consistent(path) == 12


# --- round trips ---------------------------------------------------------------------------

chinese = st.text(
    alphabet=st.sampled_from("改革编制机构湛江市县区局科，。、 \n0123456789%"),
    min_size=1,
    max_size=60,
)
regions = st.one_of(
    st.none(),
    st.builds(Region, name=st.sampled_from(["湛江市", "江州市", "赤坎区"]),
              code=st.sampled_from([None, "440800", "440802"]),
              province=st.sampled_from([None, "广东省"]),
              level=st.sampled_from([None, "city", "county"])),
)  # fmt: skip
numbers = st.one_of(st.integers(0, 10**9), st.floats(0, 1e6, allow_nan=False))


@st.composite
def documents(draw: st.DrawFn) -> Document:
    text = draw(chinese)
    n = len(text)
    metrics = draw(st.lists(st.builds(
        Metric, text=chinese, start=st.integers(0, n), end=st.integers(0, n), sentence=chinese,
        value=numbers, unit=st.sampled_from(["个", "%", "名"]),
        kind=st.sampled_from(["count", "percent", "change", "amount"]),
        value_max=st.one_of(st.none(), numbers), before=st.one_of(st.none(), numbers),
        region=regions, level=st.sampled_from([None, "市级"]),
        indicator=st.sampled_from([None, "staffing.reduction_rate"]),
    ), max_size=3))  # fmt: skip
    entities = draw(st.lists(st.builds(
        Entity, text=chinese, label=st.sampled_from(["ORG", "GPE"]), start=st.integers(0, n),
        end=st.integers(0, n), normalized=st.one_of(st.none(), chinese),
        code=st.sampled_from([None, "440800"]),
    ), max_size=3))  # fmt: skip
    sections = draw(st.lists(st.builds(
        Section, title=chinese, level=st.integers(1, 3), start=st.integers(0, n),
        end=st.integers(0, n), marker=st.sampled_from(["cn", "paren"]),
    ), max_size=2))  # fmt: skip
    return Document(
        id=content_id(text) + draw(st.sampled_from(["", "x"])), source="s.txt", format="txt",
        text=text, title=draw(st.one_of(st.none(), chinese)),
        date=draw(st.sampled_from([None, "2019-01-02", "2023-12-31"])),
        publisher=draw(st.one_of(st.none(), chinese)), region=draw(regions),
        doc_type=draw(st.sampled_from(["reform_report", "notice", "other"])),
        duplicate_of=draw(st.sampled_from([None, "0123456789abcdef"])), metrics=tuple(metrics),
        entities=tuple(entities), sections=tuple(sections),
    )  # fmt: skip


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore(tmp_path_factory.mktemp("roundtrip") / "s.db")
    yield store
    store.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=documents())
def test_any_document_reads_back_as_written(shared_store: SqliteStore, document: Document) -> None:
    shared_store.put(document)
    assert shared_store.get(document.id) == document


def test_text_with_zero_width_spaces_reads_back_exactly(tmp_path: Path) -> None:
    text = "机构\u200b改革，编制\u200b精简"
    document = Document(id=content_id(text), source="z.txt", format="txt", text=text)
    with SqliteStore(tmp_path / "s.db") as store:
        store.put(document)
        assert store.get(document.id).text == text
        assert store.search(SearchRequest(text="机构改革")).total == 1


def test_optimize_keeps_results(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        store.index(generate(40, seed=5))
        before = store.search(SearchRequest(text="编制", limit=20))
        started = time.perf_counter()
        store.optimize()
        assert time.perf_counter() - started < 30
        after = store.search(SearchRequest(text="编制", limit=20))
        assert before.total == after.total > 0
        assert [h.id for h in before.hits] == [h.id for h in after.hits]
