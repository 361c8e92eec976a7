"""Original files and constant-time counts in the stores: schema V2 (and migrating a V1 store),
written with their documents or not at all, the index pipeline that hands the bytes over, and
`cnpolicy index` keeping them (or not, with --no-sources).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnpolicy.cli import main
from cnpolicy.config import ExtractOptions, Options
from cnpolicy.flows import Failure, run_batch_with_bytes
from cnpolicy.records import Document, Section
from cnpolicy.search.backend import SearchRequest, Store, StoreCounts, prepare
from cnpolicy.search.sources import (
    MAX_SOURCE_BYTES,
    SourceFile,
    charset_name,
    file_name,
    media_type_of,
    source_file,
)
from cnpolicy.search.sqlite.schema import MIGRATIONS, SCHEMA_VERSION, migrate, schema_version
from cnpolicy.search.sqlite.store import SqliteStore
from tests.conftest import CORPORA
from tests.test_store_backend import BACKENDS, open_backend, sample_documents

# The tables of schema V1, in an order their foreign keys allow copying them.
V1_TABLES = (
    "meta", "facet_cells", "documents", "sections", "entities", "metrics", "sanding",
    "sanding_duties", "sanding_bodies", "sanding_staffing", "sanding_leadership",
)  # fmt: skip
COUNTED = ("documents", "metrics", "sanding", "sources")
# Options for indexing real files quickly: reading and describing only (no extraction).
LIGHT = Options(extract=ExtractOptions(entities=False, metrics=False, sanding=False))


def table_counts(path: Path) -> StoreCounts:
    """The counted tables' rows, counted the slow way by another connection."""
    connection = sqlite3.connect(str(path))
    try:
        found = {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in COUNTED
        }
    finally:
        connection.close()
    return StoreCounts(**found)


def original(document: Document, data: bytes | None = None) -> SourceFile:
    body = data if data is not None else b"\x00\xffPDF-ish " + document.id.encode()
    return SourceFile(file_name(document.source), "application/pdf", body)


def broken(document: Document) -> Document:
    """A document the store refuses (a section without a title breaks NOT NULL)."""
    bad = Section(title=None, level=1, start=0, end=1, marker="cn")  # type: ignore[arg-type]
    return replace(document, id=f"broken-{document.id}", sections=(bad,))


# --- schema V2 and migrating a V1 store ----------------------------------------------------


def make_v1_copy(current: Path, target: Path) -> None:
    """A store at schema V1 holding what `current` holds: V1's tables copied row for row."""
    connection = sqlite3.connect(str(target), isolation_level=None)
    try:
        assert migrate(connection, steps=MIGRATIONS[:1]) == 1
        connection.execute("ATTACH DATABASE ? AS current", (str(current),))
        connection.execute("BEGIN")
        for table in V1_TABLES:
            # V1's columns only: later steps may add columns to its tables.
            names = [r[1] for r in connection.execute(f"PRAGMA main.table_info({table})")]
            columns = ", ".join(f'"{n}"' for n in names)
            connection.execute(
                f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM current.{table}"
            )
        connection.execute(
            "INSERT INTO main.documents_fts (rowid, title, body, sub, tags) "
            "SELECT rowid, title, body, sub, tags FROM current.documents_fts"
        )
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE current")
        assert schema_version(connection) == 1
    finally:
        connection.close()


def test_a_v1_store_migrates_to_originals_and_counts(tmp_path: Path) -> None:
    documents = sample_documents()
    with SqliteStore(tmp_path / "current.db") as current:
        current.index(documents)
        expected_search = current.search(SearchRequest(text="机构改革")).to_dict()
    old = tmp_path / "v1.db"
    make_v1_copy(tmp_path / "current.db", old)
    with SqliteStore(old) as store:
        connection = sqlite3.connect(str(old))
        assert schema_version(connection) == SCHEMA_VERSION >= 2
        connection.close()
        assert (
            store.counts()
            == table_counts(old)
            == StoreCounts(
                documents=len(documents),
                metrics=sum(len(d.metrics) for d in documents),
                sanding=sum(d.sanding is not None for d in documents),
                sources=0,
            )
        )
        for document in documents:
            assert store.get(document.id) == document
            assert store.source(document.id) is None
        assert store.search(SearchRequest(text="机构改革")).to_dict() == expected_search
        first = documents[0]
        store.put(prepare(first, source=original(first)))
        assert store.source(first.id) == original(first)
        store.delete(documents[1].id)
        assert store.counts() == table_counts(old)


def test_v1_is_unchanged_and_v2_adds_sources_and_counts() -> None:
    assert len(MIGRATIONS) == SCHEMA_VERSION >= 2
    connection = sqlite3.connect(":memory:", isolation_level=None)
    migrate(connection, steps=MIGRATIONS[:1])
    v1_tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    assert "sources" not in v1_tables and "counts" not in v1_tables
    migrate(connection, steps=MIGRATIONS[:2])
    assert dict(connection.execute("SELECT name, n FROM counts").fetchall()) == dict.fromkeys(
        COUNTED, 0
    )
    columns = [r[1:4] for r in connection.execute("PRAGMA table_info(sources)")]
    assert columns == [
        ("doc", "INTEGER", 0), ("media_type", "TEXT", 1), ("name", "TEXT", 1),
        ("data", "BLOB", 1),
    ]  # fmt: skip
    keys = connection.execute("PRAGMA foreign_key_list(sources)").fetchall()
    assert [(k[2], k[3], k[4], k[6]) for k in keys] == [("documents", "doc", "num", "CASCADE")]


# --- originals in the SQLite store ---------------------------------------------------------


def test_an_original_is_kept_replaced_and_removed_with_its_document(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    document = sample_documents()[0]
    with SqliteStore(path) as store:
        first = original(document, bytes(range(256)) * 100)
        store.put(prepare(document, source=first))
        assert store.source(document.id) == first
        info = store.source_info(document.id)
        assert info == first.info and info.size == 25_600
        second = original(document, b"second version")
        store.put(prepare(document, source=second))
        assert store.source(document.id) == second
        store.put(document)  # re-indexed without an original: the old one goes with it
        assert store.source(document.id) is None and store.source_info(document.id) is None
        store.put(prepare(document, source=second))
        store.delete(document.id)
        assert table_counts(path).sources == 0
        with pytest.raises(Exception, match=document.id):
            store.source(document.id)


def test_a_document_whose_original_cannot_be_written_is_not_written_at_all(
    tmp_path: Path,
) -> None:
    path = tmp_path / "s.db"
    good, bad = sample_documents()[:2]
    unwritable = SourceFile("x.pdf", None, b"x")  # type: ignore[arg-type]
    with SqliteStore(path) as store:
        report = store.index(
            [prepare(bad, source=unwritable), prepare(good, source=original(good))]
        )
        assert report.indexed == 1 and [f.source for f in report.failures] == [bad.source]
        assert (
            store.counts()
            == table_counts(path)
            == StoreCounts(documents=1, metrics=len(good.metrics), sanding=0, sources=1)
        )
        with pytest.raises(Exception, match=bad.id):
            store.get(bad.id)


@st.composite
def operations(draw: st.DrawFn) -> list[tuple[str, int, int, bool]]:
    """(put | delete | broken, which sample document, metrics kept, with an original)."""
    count = len(sample_documents())
    step = st.tuples(
        st.sampled_from(["put", "put", "delete", "broken"]),
        st.integers(0, count - 1),
        st.integers(0, 5),
        st.booleans(),
    )
    return draw(st.lists(step, min_size=1, max_size=8))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations())
def test_counts_stay_exact_through_writes_replacements_and_deletes(
    steps: list[tuple[str, int, int, bool]],
) -> None:
    documents = sample_documents()
    model: dict[str, tuple[int, bool, bool]] = {}  # id → (metrics, 三定, original)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.db"
        with SqliteStore(path) as store:
            for action, which, keep, with_source in steps:
                document = documents[which]
                if action == "put":
                    variant = replace(document, metrics=document.metrics[:keep])
                    source = original(document) if with_source else None
                    store.put(prepare(variant, source=source))
                    model[document.id] = (len(variant.metrics), document.sanding is not None,
                                          with_source)  # fmt: skip
                elif action == "delete" and document.id in model:
                    store.delete(document.id)
                    del model[document.id]
                elif action == "broken":
                    assert store.index([broken(document)]).failures
                expected = StoreCounts(
                    documents=len(model),
                    metrics=sum(m for m, _, _ in model.values()),
                    sanding=sum(s for _, s, _ in model.values()),
                    sources=sum(o for _, _, o in model.values()),
                )
                assert store.counts() == expected == table_counts(path)
                assert store.count() == len(model)


# --- every backend -------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from open_backend(request.param, tmp_path)


def test_every_backend_keeps_originals_and_counts(backend: Store) -> None:
    documents = sample_documents()
    with_source = {d.id: original(d) for d in documents[:3]}
    report = backend.index([prepare(d, source=with_source.get(d.id)) for d in documents])
    assert report.indexed == len(documents)
    assert backend.counts() == StoreCounts(
        documents=len(documents), metrics=sum(len(d.metrics) for d in documents),
        sanding=sum(d.sanding is not None for d in documents), sources=len(with_source),
    )  # fmt: skip
    for document in documents:
        assert backend.source(document.id) == with_source.get(document.id)
        kept = with_source.get(document.id)
        assert backend.source_info(document.id) == (kept.info if kept else None)
    first = documents[0]
    backend.index([first])  # replaced without an original
    assert backend.source(first.id) is None
    backend.delete(documents[1].id)
    assert backend.counts().sources == len(with_source) - 2
    assert backend.counts().documents == len(documents) - 1
    with pytest.raises(Exception, match="0000000000000000"):
        backend.source("0000000000000000")


# --- what is kept, and as what -------------------------------------------------------------


def test_source_files_name_their_type_and_keep_only_the_file_name() -> None:
    text = sample_documents()[0]
    kept = source_file(b"abc", replace(text, encoding="gb18030", source="a/b/报告.txt"))
    assert kept == SourceFile("报告.txt", "text/plain; charset=gb18030", b"abc")
    pdf = replace(text, format="pdf", encoding=None, source="C:\\docs\\x.pdf")
    assert source_file(b"%PDF", pdf) == SourceFile("x.pdf", "application/pdf", b"%PDF")
    assert source_file(b"", pdf) is None
    assert source_file(b"1234", pdf, limit=3) is None
    assert source_file(b"123", pdf, limit=3) is not None
    html = replace(text, format="html", encoding="utf-8-sig")
    assert media_type_of(html) == "text/html; charset=utf-8"
    assert media_type_of(replace(text, format="docx", encoding="utf-8")).startswith(
        "application/vnd.openxmlformats"
    )


def test_charset_names_are_what_http_expects() -> None:
    assert charset_name("gb18030") == "gb18030"
    assert charset_name("utf-16-le") == "utf-16le"
    assert charset_name("cp1252") == "windows-1252"
    assert charset_name("no-such-codec") is None
    assert charset_name(None) is None


@given(st.text(max_size=120))
def test_file_names_are_never_paths(label: str) -> None:
    name = file_name(label)
    assert name and "/" not in name and "\\" not in name
    assert all(c.isprintable() for c in name) and len(name) <= 120


def test_the_size_cap_is_below_the_upload_limit() -> None:
    from cnpolicy.config import MAX_INPUT_BYTES

    assert 0 < MAX_SOURCE_BYTES < MAX_INPUT_BYTES


# --- the pipeline's edge and the index command ---------------------------------------------


def sample_files(folder: Path) -> list[Path]:
    """A txt, an HTML and a PDF sample from corpora/, and a file no reader accepts."""
    folder.mkdir()
    picked = []
    for suffix in ("txt", "html", "pdf"):
        found = sorted(p for p in CORPORA.rglob(f"*.{suffix}") if "gold" not in p.parts)
        if not found:
            pytest.skip(f"no .{suffix} sample in corpora/")
        picked.append(Path(shutil.copy(found[0], folder / f"sample.{suffix}")))
    junk = folder / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n not really")
    return [*picked, junk]


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_batch_hands_back_each_file_s_bytes(tmp_path: Path, jobs: int) -> None:
    files = sample_files(tmp_path / "files")
    options = replace(LIGHT, jobs=jobs)
    results = list(run_batch_with_bytes(files, options, keep_up_to=MAX_SOURCE_BYTES))
    assert [p.data for p in results[:-1]] == [f.read_bytes() for f in files[:-1]]
    assert isinstance(results[-1].result, Failure) and results[-1].data is None
    smallest = min(f.stat().st_size for f in files[:-1])
    capped = list(run_batch_with_bytes(files, options, keep_up_to=smallest))
    assert [p.data is not None for p in capped] == [
        f.stat().st_size <= smallest for f in files[:-1]
    ] + [False]
    assert [type(p.result) for p in capped] == [type(p.result) for p in results]


def test_cnpolicy_index_keeps_originals_unless_told_not_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sample_files(tmp_path / "files")[:-1]
    kept, skipped = tmp_path / "kept.db", tmp_path / "none.db"
    light = ["--no-entities", "--no-metrics"]
    assert main(["index", *map(str, files), "--store", str(kept), *light]) == 0
    assert main(["index", *map(str, files), "--store", str(skipped), *light, "--no-sources"]) == 0
    capsys.readouterr()
    with SqliteStore(kept) as store, SqliteStore(skipped) as bare:
        assert store.counts().sources == len(files) and bare.counts().sources == 0
        for hit in store.search(SearchRequest(limit=10)).hits:
            source = store.source(hit.id)
            assert source is not None and source.name == Path(hit.source).name
            assert source.data == Path(hit.source).read_bytes()
            assert bare.source(hit.id) is None


def test_the_record_carries_no_bytes() -> None:
    """Originals travel beside a document (Prepared), never in its JSONL record."""
    document = sample_documents()[0]
    prepared = prepare(document, source=original(document))
    assert prepared.document is document
    assert prepared.document.to_dict() == document.to_dict()
    assert prepare(prepared).source == original(document)  # kept when prepared again
