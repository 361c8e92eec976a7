"""The embedded store: one SQLite file (WAL) with an FTS5 index; runs what sqlite_query builds.

Writes are transactional per document (a savepoint each) inside batch transactions: a document
and all its records are there together or not at all, and a crash loses at most the batch that
was not yet committed, never a committed one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cnpolicy.errors import NotFoundError, StoreError
from cnpolicy.records import Document, Region, Sanding
from cnpolicy.search import snippets
from cnpolicy.search.backend import (
    FACET_SIZE,
    Hit,
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
    prepare,
    resolve_region,
)
from cnpolicy.search.query import CompiledQuery, compile_text
from cnpolicy.search.segment import strip_separators
from cnpolicy.search.sqlite_query import (
    SNIPPET_SQL,
    Filters,
    build_filters,
    count_sql,
    document_tags,
    match_expression,
    metrics_sql,
    page_and_cells_sql,
    placeholders,
    ranked_sql,
    sanding_sql,
)
from cnpolicy.search.sqlite_rows import (
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
from cnpolicy.search.sqlite_schema import SCHEMA_VERSION, migrate

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
# Memory-mapped reads up to this many bytes: avoids a copy per page read on large stores.
MMAP_BYTES = 1 << 30


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False
        )
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
        self._cell_values: dict[int, tuple[Any, ...]] = {}
        if not create and not self.path.is_file():
            raise StoreError("no store here; run `cnpolicy index PATH...` first", source=str(path))
        self._connection = _connect(self.path)
        self._lock = threading.RLock()
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

    def _run(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._connection.execute(sql, tuple(params))
        except sqlite3.Error as error:
            raise StoreError(f"query failed: {error}", source=str(self.path)) from None

    def close(self) -> None:
        with self._lock:
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
        cursor = connection.execute(
            insert_sql("documents", ("cell", *DOCUMENT_COLUMNS)),
            (self._cell(document), *document_row(document)),
        )
        num = cursor.lastrowid
        assert num is not None
        connection.execute(
            "INSERT INTO documents_fts (rowid, title, body, sub, tags) VALUES (?, ?, ?, ?, ?)",
            (num, prepared.title, prepared.text.body, prepared.text.subwords,
             document_tags(document)),
        )  # fmt: skip
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
        with self._lock:
            return int(self._run("SELECT count(*) FROM documents").fetchone()[0])

    def get(self, doc_id: str) -> Document:
        with self._lock:
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
        with self._lock:
            needs_years = request.year_from or request.year_to or request.date_from
            years = self.year_range() if needs_years or request.date_to else None
            filters = build_filters(request, region, years)
            expression = match_expression(query, filters)
            ranked = bool(query.must)
            with_snippets = request.snippets and ranked
            if request.facets:
                page, cells = self._page_and_cells(expression, filters, ranked, request)
                total, facets = len(cells), self._count_cells(Counter(cells))
                hits, _ = self._hits(page, expression, query, with_snippets=with_snippets)
            else:
                sql, params = ranked_sql(
                    expression, filters, ranked=ranked, limit=request.limit, offset=request.offset
                )
                page = self._run(sql, params).fetchall()
                hits, _ = self._hits(page, expression, query, with_snippets=with_snippets)
                if request.offset == 0 and request.limit is not None and len(page) < request.limit:
                    total = len(page)  # every match is on this page
                else:
                    total = int(self._run(*count_sql(expression, filters)).fetchone()[0])
                facets = {}
        return SearchResult(total=total, hits=hits, facets=facets)

    def bare_match(self, expression: str, limit: int = 10) -> list[tuple[int, float]]:
        """A bare FTS5 MATCH, best first: the benchmark's baseline."""
        sql = "SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?"
        with self._lock:
            return [(int(r), float(s)) for r, s in self._run(sql, (expression, limit)).fetchall()]

    def _page_and_cells(
        self, expression: str, filters: Filters, ranked: bool, request: SearchRequest
    ) -> tuple[list[tuple[int, float]], list[int]]:
        """The page (row number, score), in order, and the facet cell of every match."""
        sql, params = page_and_cells_sql(
            expression, filters, ranked=ranked, limit=request.limit, offset=request.offset
        )
        rows = self._run(sql, params).fetchall()
        joined = rows[-1][4] if rows else None
        page = rows[:-1]
        if ranked:
            page.sort(key=lambda r: r[1])
        else:
            page.sort(key=lambda r: r[3])  # id, then (stable) newest first
            page.sort(key=lambda r: r[2] or "", reverse=True)
            page.sort(key=lambda r: r[2] is None)
        cells = [int(c) for c in joined.split(",")] if joined else []
        return [(int(r[0]), float(r[1])) for r in page], cells

    def _count_cells(self, cells: Counter[int]) -> dict[str, dict[str, int]]:
        """Facet counts from the number of matches in each facet cell."""
        names = self._cell_names(cells)
        counts: dict[str, dict[str, int]] = {"region": {}, "year": {}, "doc_type": {}}
        for cell, n in cells.items():
            for facet, key in zip(("region", "year", "doc_type"), names[cell], strict=True):
                if key is not None:
                    counts[facet][str(key)] = counts[facet].get(str(key), 0) + n
        return {name: top_values(values) for name, values in counts.items()}

    def _cell_names(self, cells: Iterable[int]) -> dict[int, tuple[Any, ...]]:
        """Region, year and type of each facet cell (cached; re-read when one is new)."""
        if any(c not in self._cell_values for c in cells):
            self._cell_values = {
                int(r[0]): tuple(r[1:])
                for r in self._run("SELECT id, region_name, year, doc_type FROM facet_cells")
            }
        return self._cell_values

    def _hits(
        self, page: list[Any], expression: str, query: CompiledQuery, *, with_snippets: bool
    ) -> tuple[tuple[Hit, ...], list[int]]:
        """The page's hits, and the facet cell of each."""
        if not page:
            return (), []
        nums = [int(r[0]) for r in page]
        rows = self._run(
            "SELECT num, id, title, date, doc_type, source, publisher, duplicate_of, region_name, "
            "region_code, province, region_level, cell FROM documents "
            f"WHERE num IN ({placeholders(len(nums))})",
            nums,
        ).fetchall()
        by_num = {int(r[0]): r for r in rows}
        found = self._snippets(nums, expression, query) if with_snippets else {}
        hits = []
        for num, rank in page:
            row = by_num[int(num)]
            snippet = found.get(int(num))
            hits.append(
                Hit(
                    id=row[1],
                    title=row[2],
                    region=region_from(*row[8:12]),
                    date=row[3],
                    doc_type=row[4],
                    score=-float(rank),
                    snippets=(snippet,) if snippet else (),
                    source=row[5],
                    publisher=row[6],
                    duplicate_of=row[7],
                )
            )
        return tuple(hits), [int(by_num[n][12]) for n in nums]

    def _snippets(self, nums: list[int], expression: str, query: CompiledQuery) -> dict[int, str]:
        """A snippet per document: where the words occur in its text, else FTS5's snippet()."""
        bodies = self._run(
            f"SELECT rowid, body FROM documents_fts WHERE rowid IN ({placeholders(len(nums))})",
            nums,
        ).fetchall()
        found: dict[int, str] = {}
        for num, body in bodies:
            snippet = snippets.from_text(strip_separators(body), query.words)
            if snippet is None:
                row = self._run(SNIPPET_SQL, (expression, num)).fetchone()
                snippet = snippets.render(row[0]) if row and row[0] else None
            if snippet:
                found[int(num)] = snippet
        return found

    # --- metrics and 三定 ----------------------------------------------------------------

    def metrics(self, request: MetricRequest) -> MetricResult:
        request.validate()
        regions = [resolve_region(r) for r in request.regions]
        with self._lock:
            total = int(self._run(*metrics_sql(request, regions, count=True)).fetchone()[0])
            rows = self._run(*metrics_sql(request, regions, count=False)).fetchall()
        return MetricResult(total=total, rows=tuple(metric_row(r) for r in rows))

    def sanding(self, request: SandingRequest) -> SandingResult:
        request.validate()
        region = resolve_region(request.region) if request.region else None
        with self._lock:
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


def top_values(counts: dict[str, int]) -> dict[str, int]:
    """The FACET_SIZE most frequent values, most frequent first, ties by value."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return dict(ordered[:FACET_SIZE])


def metric_row(row: Any) -> MetricRow:
    doc_id, source, title, date, *fields = row
    metric = read_metric(tuple(fields))
    region = region_from(*fields[-4:])
    return MetricRow(
        document_id=doc_id, source=source, title=title, date=date, metric=metric,
        region=region if isinstance(region, Region) else None,
    )  # fmt: skip
