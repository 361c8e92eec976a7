"""The embedded store: one SQLite file (WAL) with an FTS5 index; runs what sqlite.query builds.

Writes are transactional per document (a savepoint each) inside batch transactions: a document
and all its records are there together or not at all, and a crash loses at most the batch that
was not yet committed, never a committed one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cnpolicy.errors import NotFoundError, StoreError
from cnpolicy.records import Document, Region, Sanding
from cnpolicy.search.backend import (
    FACET_SIZE,
    RELEVANCE,
    IndexFailure,
    IndexReport,
    MetricRequest,
    MetricResult,
    MetricRow,
    Prepared,
    SandingRequest,
    SandingResult,
    SandingRow,
    SearchRequest,
    SearchResult,
    Store,
    StoreCounts,
    prepare,
    resolve_region,
)
from cnpolicy.search.query import compile_text
from cnpolicy.search.segment import fts_tokens, strip_separators
from cnpolicy.search.sources import SourceFile, SourceInfo
from cnpolicy.search.sqlite.query import (
    build_filters,
    document_tags,
    match_expression,
    metrics_sql,
    publisher_facet_sql,
    sanding_sql,
)
from cnpolicy.search.sqlite.rank import distinct_tokens
from cnpolicy.search.sqlite.rows import (
    DOCUMENT_COLUMNS,
    METRIC_FIELDS,
    SANDING_CHILD_COLUMNS,
    SANDING_COLUMNS,
    document_row,
    entity_rows,
    facet_key,
    insert_sql,
    metric_rows,
    read_document,
    read_metric,
    read_sanding,
    region_from,
    sanding_child_rows,
    sanding_row,
    section_rows,
)
from cnpolicy.search.sqlite.schema import COUNTED_TABLES, SCHEMA_VERSION, migrate
from cnpolicy.search.sqlite.search import (
    ArrayCache,
    Counts,
    FacetCells,
    facet_counts,
    hits,
    load_facet_cells,
    ranked_page,
    run,
    unranked_page,
)

__all__ = [
    "BATCH_DOCUMENTS",
    "BATCH_SECONDS",
    "BUSY_TIMEOUT_SECONDS",
    "CACHE_KIB",
    "COUNT_TERM_SQL",
    "DOCUMENT_ERRORS",
    "MMAP_BYTES",
    "UNCOUNT_TERM_SQL",
    "SqliteStore",
    "metric_row",
]

# Documents per write transaction: FTS5 flushes its in-memory index once per transaction, so
# larger batches make fewer, larger segments (500 → ~3x faster than 10); a kill loses at most
# this many documents that were not yet reported as indexed.
BATCH_DOCUMENTS = 500
# ... or this many seconds, whichever comes first, so a slow pipeline still commits steadily.
BATCH_SECONDS = 2.0
# How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
# Page cache per connection (KiB, negative in the pragma): the document table and the FTS
# index's hot pages of a 100,000-document store fit (measured with tools/bench_store.py).
CACHE_KIB = 128 * 1024
# Errors that come from one document's values (a type SQLite cannot hold, a number too large):
# that document is skipped and reported; any other error (disk full, locked) stops indexing.
DOCUMENT_ERRORS = (
    sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError, sqlite3.DataError,
    ValueError, TypeError, OverflowError,
)  # fmt: skip
COUNT_TERM_SQL = (
    "INSERT INTO terms (term, docs) VALUES (?, 1) ON CONFLICT (term) DO UPDATE SET docs = docs + 1"
)
UNCOUNT_TERM_SQL = "UPDATE terms SET docs = docs - 1 WHERE term = ?"
# Memory-mapped reads up to this many bytes: avoids a copy per page read on large stores.
MMAP_BYTES = 1 << 30


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
        if connection.execute("PRAGMA page_count").fetchone()[0] == 0:
            # A new file: freed pages go back to the file system on delete (must precede tables).
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
        connection.execute("PRAGMA journal_mode = WAL")
        for pragma in (
            "synchronous = NORMAL",
            "foreign_keys = ON",
            f"cache_size = -{CACHE_KIB}",
            f"mmap_size = {MMAP_BYTES}",
            "temp_store = MEMORY",
        ):
            connection.execute(f"PRAGMA {pragma}")
        return connection
    except sqlite3.DatabaseError as error:
        raise StoreError(
            f"cannot open the store ({error}); expected a cnpolicy SQLite file", source=str(path)
        ) from None
    except OSError as error:
        raise StoreError(
            f"cannot create the store's folder ({error.strerror})", source=str(path)
        ) from None


class SqliteStore(Store):
    """The embedded store in one file; safe to share between threads (one lock)."""

    def __init__(
        self, path: str | Path, *, create: bool = True, batch_documents: int = BATCH_DOCUMENTS
    ):
        self.path = Path(path)
        self.batch_documents = batch_documents
        self._cells: dict[tuple[Any, ...], int] = {}
        self._cell_values: FacetCells | None = None
        if not create and not self.path.is_file():
            raise StoreError("no store here; run `cnpolicy index PATH...` first", source=str(path))
        self._connection = _connect(self.path)
        self._lock = threading.RLock()
        # Reads run on a connection per thread (WAL: readers never wait for each other or for
        # the writer); an in-memory database exists on one connection only, so it is shared.
        self._shared_reads = str(path) == ":memory:"
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._arrays = ArrayCache()
        self._closed = False
        try:
            migrate(self._connection, path=str(self.path))
        except sqlite3.DatabaseError as error:
            self._connection.close()
            raise StoreError(
                f"cannot read the store's schema ({error})", source=str(self.path)
            ) from None
        except BaseException:
            self._connection.close()
            raise

    # --- plumbing ------------------------------------------------------------------------

    def _run_connection(self) -> sqlite3.Connection:
        """This thread's reading connection inside `_reading()`, else the writer's."""
        return getattr(self._local, "active", None) or self._connection

    def _run(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        return run(self._run_connection(), sql, params, source=str(self.path))

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot to read from: this thread's connection in a read transaction."""
        if getattr(self._local, "active", None) is not None:  # already reading: same snapshot
            yield self._local.active
            return
        if self._shared_reads:
            with self._lock:
                self._local.active = self._connection
                try:
                    yield self._connection
                finally:
                    self._local.active = None
            return
        if self._closed:
            raise StoreError("the store is closed", source=str(self.path))
        try:
            connection = self._reader()
            connection.execute("BEGIN")
        except sqlite3.Error as error:
            raise StoreError(f"cannot read the store ({error})", source=str(self.path)) from None
        self._local.active = connection
        try:
            yield connection
        finally:
            self._local.active = None
            connection.execute("COMMIT")

    def _reader(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if connection is None:
            connection = _connect(self.path)
            connection.execute("PRAGMA query_only = ON")
            self._local.reader = connection
            with self._lock:
                self._readers.append(connection)
        return connection

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._connection.close()

    def schema_version(self) -> int:
        return SCHEMA_VERSION

    # --- writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        """Add or replace each document; a document that cannot be written is reported, skipped."""
        indexed = 0
        failures: list[IndexFailure] = []
        connection = self._connection
        with self._lock:
            pending, started = 0, time.monotonic()
            # Reads while writing go through the page cache only: memory-mapped pages would
            # count towards the writer's memory as the file grows.
            connection.execute("PRAGMA mmap_size = 0")
            try:
                for item in documents:
                    prepared = prepare(item)
                    if not connection.in_transaction:
                        connection.execute("BEGIN IMMEDIATE")
                        pending, started = 0, time.monotonic()
                    error = self._write_one(prepared)
                    if error is None:
                        indexed += 1
                    else:
                        failures.append(IndexFailure(prepared.document.source, error))
                    pending += 1
                    if (
                        pending >= self.batch_documents
                        or time.monotonic() - started > BATCH_SECONDS
                    ):
                        connection.execute("COMMIT")
            except sqlite3.Error as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                    self._cells.clear()
                raise StoreError(f"indexing failed: {error}", source=str(self.path)) from None
            finally:
                self._finish_batch()
        return IndexReport(indexed, tuple(failures))

    def _finish_batch(self) -> None:
        """Commit what is open: only whole documents are in it (each was a savepoint)."""
        connection = self._connection
        try:
            if connection.in_transaction:
                connection.execute("COMMIT")
            connection.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        except sqlite3.Error as error:
            raise StoreError(f"cannot commit ({error})", source=str(self.path)) from None

    def _write_one(self, prepared: Prepared) -> str | None:
        """Write one document inside a savepoint; the error message if it could not be."""
        connection = self._connection
        connection.execute("SAVEPOINT document")
        try:
            self._write(prepared)
        except DOCUMENT_ERRORS as error:
            connection.execute("ROLLBACK TO document")
            connection.execute("RELEASE document")
            self._cells.clear()  # a cell added by the rolled-back document is gone
            return f"not indexed: {type(error).__name__}: {error}"
        except BaseException:
            connection.execute("ROLLBACK TO document")
            connection.execute("RELEASE document")
            self._cells.clear()
            raise
        connection.execute("RELEASE document")
        return None

    def _write(self, prepared: Prepared) -> None:
        document = prepared.document
        connection = self._connection
        found = connection.execute("SELECT num FROM documents WHERE id = ?", (document.id,))
        row = found.fetchone()
        if row is not None:
            self._delete_num(row[0])
        columns = (prepared.title, prepared.text.body, prepared.text.subwords,
                   document_tags(document))  # fmt: skip
        cursor = connection.execute(
            insert_sql("documents", ("cell", "tokens", *DOCUMENT_COLUMNS)),
            (self._cell(document), len(fts_tokens(prepared.text.body)), *document_row(document)),
        )
        num = cursor.lastrowid
        assert num is not None
        connection.execute(
            "INSERT INTO documents_fts (rowid, title, body, sub, tags, grams) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (num, *columns, prepared.text.grams),
        )
        connection.execute(
            "INSERT INTO titles_fts (rowid, title, tags) VALUES (?, ?, ?)",
            (num, columns[0], columns[3]),
        )
        connection.executemany(COUNT_TERM_SQL, ((t,) for t in distinct_tokens(*columns)))
        sections = ("doc", "ord", "title", "level", "start", "end", "marker")
        connection.executemany(insert_sql("sections", sections), section_rows(num, document))
        entities = ("doc", "ord", "text", "label", "start", "end", "normalized", "code")
        connection.executemany(insert_sql("entities", entities), entity_rows(num, document))
        connection.executemany(
            insert_sql("metrics", ("doc", *METRIC_FIELDS)), metric_rows(num, document)
        )
        if document.sanding is not None:
            connection.execute(
                insert_sql("sanding", SANDING_COLUMNS), sanding_row(num, document.sanding, document)
            )
            for table, rows in sanding_child_rows(num, document.sanding).items():
                connection.executemany(insert_sql(table, SANDING_CHILD_COLUMNS[table]), rows)
        if prepared.source is not None:
            kept = prepared.source
            connection.execute(
                insert_sql("sources", ("doc", "media_type", "name", "data")),
                (num, kept.media_type, kept.name, kept.data),
            )

    def _cell(self, document: Document) -> int:
        """The facet cell (region name, year, type) of a document, added when new."""
        key = facet_key(document)
        found = self._cells.get(key)
        if found is None:
            row = self._connection.execute(
                "SELECT id FROM facet_cells WHERE region_name IS ? AND year IS ? AND doc_type = ?",
                key,
            ).fetchone()
            if row is None:
                cursor = self._connection.execute(
                    "INSERT INTO facet_cells (region_name, year, doc_type) VALUES (?, ?, ?)", key
                )
                row = (cursor.lastrowid,)
            found = self._cells[key] = int(row[0])
        return found

    def _delete_num(self, num: int) -> None:
        columns = self._connection.execute(
            "SELECT title, body, sub, tags FROM documents_fts WHERE rowid = ?", (num,)
        ).fetchone()
        if columns is not None:
            self._connection.executemany(
                UNCOUNT_TERM_SQL, ((t,) for t in distinct_tokens(*columns))
            )
            self._connection.execute(
                "INSERT INTO titles_fts (titles_fts, rowid, title, tags) "
                "VALUES ('delete', ?, ?, ?)",
                (num, columns[0], columns[3]),
            )
        self._connection.execute("DELETE FROM documents_fts WHERE rowid = ?", (num,))
        self._connection.execute("DELETE FROM documents WHERE num = ?", (num,))

    def delete(self, doc_id: str) -> None:
        with self._lock:
            num = self._num(doc_id)
            self._run("BEGIN IMMEDIATE")
            try:
                self._delete_num(num)
                self._run("COMMIT")
            except BaseException:
                self._run("ROLLBACK")
                raise
            self._release_free_pages()

    def _release_free_pages(self) -> None:
        """Give the pages a delete freed back to the file system: incremental vacuum (a store
        made before it keeps them until `vacuum`), then the write-ahead log truncated."""
        # executescript steps the pragma to its end (execute would free one page per step).
        self._connection.executescript("PRAGMA incremental_vacuum;")
        self._run("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def vacuum(self) -> tuple[int, int]:
        """Rebuild the file without free pages (and switch an older store to incremental
        vacuum); returns its size in bytes before and after."""
        with self._lock:
            before = self._file_bytes()
            self._run("PRAGMA auto_vacuum = INCREMENTAL")
            self._run("VACUUM")
            self._run("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return before, self._file_bytes()

    def _file_bytes(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def optimize(self) -> None:
        """Merge the FTS index into one segment and refresh statistics (after a large load)."""
        with self._lock:
            self._run("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")
            self._run("PRAGMA optimize")

    # --- reading documents ---------------------------------------------------------------

    def _num(self, doc_id: str) -> int:
        row = self._run("SELECT num FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id!r} in the store", field="id")
        return int(row[0])

    def count(self) -> int:
        return self.counts().documents

    def counts(self) -> StoreCounts:
        """The row counts the triggers of schema V2 keep: one small read, whatever the size."""
        with self._reading():
            found = dict(self._run("SELECT name, n FROM counts").fetchall())
        return StoreCounts(**{name: int(found.get(name, 0)) for name in COUNTED_TABLES})

    def source(self, doc_id: str) -> SourceFile | None:
        with self._reading():
            row = self._run(
                "SELECT name, media_type, data FROM sources WHERE doc = ?", (self._num(doc_id),)
            ).fetchone()
        return SourceFile(row[0], row[1], bytes(row[2])) if row else None

    def source_info(self, doc_id: str) -> SourceInfo | None:
        # length() of a BLOB reads its size from the record header, not its pages.
        with self._reading():
            row = self._run(
                "SELECT name, media_type, length(data) FROM sources WHERE doc = ?",
                (self._num(doc_id),),
            ).fetchone()
        return SourceInfo(row[0], row[1], int(row[2])) if row else None

    def get(self, doc_id: str) -> Document:
        with self._reading():
            return self._read(self._num(doc_id))

    def iter_documents(self) -> Iterator[Document]:
        """Every document, in the order they were first indexed (for re-indexing elsewhere)."""
        last = 0
        while True:
            with self._lock:
                row = self._run(
                    "SELECT num FROM documents WHERE num > ? ORDER BY num LIMIT 1", (last,)
                ).fetchone()
                if row is None:
                    return
                last = int(row[0])
                document = self._read(last)
            yield document

    def _read(self, num: int) -> Document:
        columns = ", ".join(f'"{c}"' for c in DOCUMENT_COLUMNS)
        row = self._run(f"SELECT {columns} FROM documents WHERE num = ?", (num,)).fetchone()
        body = self._run("SELECT body FROM documents_fts WHERE rowid = ?", (num,)).fetchone()
        sections = self._children(
            'SELECT title, level, start, "end", marker FROM sections WHERE doc = ? ORDER BY ord',
            num,
        )
        entities = self._children(
            'SELECT text, label, start, "end", normalized, code FROM entities WHERE doc = ? '
            "ORDER BY ord",
            num,
        )
        fields = ", ".join(f'"{c}"' for c in METRIC_FIELDS[1:])
        metrics = self._children(f"SELECT {fields} FROM metrics WHERE doc = ? ORDER BY ord", num)
        return read_document(
            row, strip_separators(body[0]), sections, entities, metrics, self._sanding(num)
        )

    def _children(self, sql: str, num: int) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self._run(sql, (num,)).fetchall()]

    def _sanding(self, num: int) -> Sanding | None:
        columns = ", ".join(f'"{c}"' for c in SANDING_COLUMNS)
        row = self._run(f"SELECT {columns} FROM sanding WHERE doc = ?", (num,)).fetchone()
        if row is None:
            return None
        children = {
            table: [
                tuple(r[2:])
                for r in self._run(f"SELECT * FROM {table} WHERE doc = ? ORDER BY ord", (num,))
            ]
            for table in SANDING_CHILD_COLUMNS
        }
        return read_sanding(tuple(row), children)

    # --- search --------------------------------------------------------------------------

    def fingerprints(self) -> Iterator[tuple[str, str]]:
        """(id, fingerprint) of every document, oldest first: to link new near-duplicates."""
        with self._lock:
            rows = self._run(
                "SELECT id, fingerprint FROM documents WHERE fingerprint IS NOT NULL ORDER BY num"
            ).fetchall()
        for doc_id, fingerprint in rows:
            yield str(doc_id), str(fingerprint)

    def year_range(self) -> tuple[int, int] | None:
        # Two subqueries: each min() or max() alone is one index lookup; together, a full scan.
        row = self._run(
            "SELECT (SELECT min(year) FROM documents), (SELECT max(year) FROM documents)"
        ).fetchone()
        return (int(row[0]), int(row[1])) if row[0] is not None else None

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        query = compile_text(request.text)
        region = resolve_region(request.region) if request.region else None
        with self._reading() as connection:
            needs_years = request.year_from or request.year_to or request.date_from
            years = self.year_range() if needs_years or request.date_to else None
            filters = build_filters(request, region, years)
            expression = match_expression(query, filters)
            if query.must and request.sort == RELEVANCE:
                arrays = self._arrays.get(connection)
                found = ranked_page(connection, arrays, query, filters, expression, request)
            else:
                found = unranked_page(connection, expression, filters, request)
            facets = (
                facet_counts(found.cells, self._facet_cells(found.cells)) if request.facets else {}
            )
            if request.facets:
                sql, params = publisher_facet_sql(expression, filters, FACET_SIZE)
                facets["publisher"] = {str(n): int(c) for n, c in self._run(sql, params)}
            with_snippets = request.snippets and bool(query.must)
            found_hits = hits(connection, found, expression, query, with_snippets=with_snippets)
        return SearchResult(total=found.total, hits=found_hits, facets=facets)

    def bare_match(self, expression: str, limit: int = 10) -> list[tuple[int, float]]:
        """A bare FTS5 MATCH, best first: the benchmark's baseline."""
        sql = "SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?"
        with self._reading():
            return [(int(r), float(s)) for r, s in self._run(sql, (expression, limit)).fetchall()]

    def _facet_cells(self, counts: Counts) -> FacetCells:
        """Region, year and type of each facet cell (cached; re-read when a new one is counted)."""
        cells = self._cell_values
        if cells is None or not cells.covers(counts):
            cells = self._cell_values = load_facet_cells(self._run_connection())
        return cells

    # --- metrics and 三定 ----------------------------------------------------------------

    def metrics(self, request: MetricRequest) -> MetricResult:
        request.validate()
        regions = [resolve_region(r) for r in request.regions]
        with self._reading():
            rows = self._run(*metrics_sql(request, regions, count=False)).fetchall()
            if request.offset == 0 and (request.limit is None or len(rows) < request.limit):
                total = len(rows)  # every match is here: no second pass to count them
            else:
                total = int(self._run(*metrics_sql(request, regions, count=True)).fetchone()[0])
        return MetricResult(total=total, rows=tuple(metric_row(r) for r in rows))

    def sanding(self, request: SandingRequest) -> SandingResult:
        request.validate()
        region = resolve_region(request.region) if request.region else None
        with self._reading():
            total = int(self._run(*sanding_sql(request, region, count=True)).fetchone()[0])
            rows = self._run(*sanding_sql(request, region, count=False)).fetchall()
            found = tuple(self._sanding_row(r) for r in rows)
        return SandingResult(total=total, rows=found)

    def _sanding_row(self, row: Any) -> SandingRow:
        (num, doc_id, source, title, date, department, region, code, nature, rank, duties_count,
         additional, interpreter, effective_date) = row  # fmt: skip

        def pairs(table: str) -> dict[str, int]:
            sql = f"SELECT * FROM {table} WHERE doc = ? ORDER BY ord"
            return {r[2]: int(r[3]) for r in self._run(sql, (num,))}

        bodies = self._run("SELECT name FROM sanding_bodies WHERE doc = ? ORDER BY ord", (num,))
        return SandingRow(
            document_id=doc_id, source=source, title=title, date=date, department=department,
            region=region, region_code=code, nature=nature, rank=rank, duties_count=duties_count,
            internal_bodies=tuple(r[0] for r in bodies), staffing=pairs("sanding_staffing"),
            leadership=pairs("sanding_leadership"), additional_names=tuple(json.loads(additional)),
            interpreter=interpreter, effective_date=effective_date,
        )  # fmt: skip


def metric_row(row: Any) -> MetricRow:
    doc_id, source, title, date, duplicate_of, fingerprint, *fields = row
    metric = read_metric(tuple(fields))
    region = region_from(*fields[-4:])
    return MetricRow(
        document_id=doc_id, source=source, title=title, date=date, metric=metric,
        region=region if isinstance(region, Region) else None, duplicate_of=duplicate_of,
        fingerprint=fingerprint,
    )  # fmt: skip
