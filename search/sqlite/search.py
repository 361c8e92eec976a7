"""Run a full-text search on the embedded store: matches from FTS5, facets and ranking in memory.

One read transaction (a consistent snapshot) per search: every match's row number comes from one
FTS5 MATCH, facet cells and body lengths from arrays cached per store generation, scores from
sqlite.rank, and the page's hits and snippets from the rows of the page only.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cnpolicy.errors import StoreError
from cnpolicy.search import snippets
from cnpolicy.search.backend import FACET_SIZE, OLDEST, Hit, SearchRequest
from cnpolicy.search.query import CompiledQuery, Variants
from cnpolicy.search.segment import strip_separators
from cnpolicy.search.sqlite.query import (
    SNIPPET_SQL,
    TITLE_HITS_SQL,
    Filters,
    candidates_sql,
    listing_sql,
    placeholders,
    title_expression,
    words_expression,
)
from cnpolicy.search.sqlite.rank import (
    RERANK_WINDOW,
    Rows,
    Scores,
    first_pass,
    length_norms,
    parse_rows,
    query_tokens,
    rank_terms,
    rescored,
    top_positions,
    variant_tokens,
)
from cnpolicy.search.sqlite.rows import region_from

__all__ = [
    "FACETS",
    "FTS5_RANK_BUDGET",
    "HIT_SQL",
    "IN_CHUNK",
    "NO_COUNTS",
    "RANK_SQL",
    "ArrayCache",
    "Clause",
    "Counts",
    "DocumentArrays",
    "FacetCells",
    "Page",
    "count_cells",
    "facet_counts",
    "first_scores",
    "fts5_scores",
    "hit",
    "hits",
    "load_arrays",
    "load_facet_cells",
    "match_rows",
    "ranked_page",
    "rows_in",
    "run",
    "snippets_for",
    "split_clauses",
    "store_generation",
    "term_frequencies",
    "texts",
    "title_hits",
    "unranked_page",
]

# Most postings (documents per query word, summed) for which FTS5's own bm25() ranks the
# matches: it reads each word's whole posting list for its statistics and then costs about 2
# microseconds a row, so 2,000 postings keep it under about 5 ms (measured at 100,000 documents).
FTS5_RANK_BUDGET = 2_000
RANK_SQL = "SELECT rowid, rank FROM documents_fts WHERE documents_fts MATCH ?"

Clause = tuple[Variants, ...]
Counts = npt.NDArray[np.int64]
NO_COUNTS: Counts = np.zeros(0, dtype=np.int64)


def run(
    connection: sqlite3.Connection,
    sql: str,
    params: Iterable[Any] = (),
    *,
    source: str | None = None,
) -> sqlite3.Cursor:
    """Execute SQL; an SQLite error becomes a StoreError (naming the store file when given)."""
    try:
        return connection.execute(sql, tuple(params))
    except sqlite3.Error as error:
        raise StoreError(f"query failed: {error}", source=source) from None


# --- per-document arrays -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentArrays:
    """Facet cell and body length of every document, indexed by row number (-1/0 where none)."""

    generation: int
    cells: npt.NDArray[np.int64]
    lengths: npt.NDArray[np.int32]
    documents: int
    average_length: float


def store_generation(connection: sqlite3.Connection) -> int:
    row = run(connection, "SELECT n FROM counts WHERE name = 'generation'").fetchone()
    return int(row[0]) if row else 0


def load_arrays(connection: sqlite3.Connection, generation: int) -> DocumentArrays:
    """Three group_concat strings parsed by numpy: 5x faster than a row per document."""
    row = run(
        connection,
        "SELECT group_concat(num), group_concat(cell), group_concat(tokens) FROM documents",
    ).fetchone()
    nums, cells, lengths = (parse_rows(column) for column in row)
    size = int(nums.max()) + 1 if len(nums) else 1
    cell_of = np.full(size, -1, dtype=np.int64)
    cell_of[nums] = cells
    length_of = np.zeros(size, dtype=np.int32)
    length_of[nums] = lengths
    average = float(lengths.mean()) if len(lengths) else 1.0
    return DocumentArrays(generation, cell_of, length_of, len(nums), average)


class ArrayCache:
    """The arrays of the store's current generation, shared by every reading thread."""

    def __init__(self) -> None:
        self._arrays: DocumentArrays | None = None
        self._lock = threading.Lock()

    def get(self, connection: sqlite3.Connection) -> DocumentArrays:
        generation = store_generation(connection)
        arrays = self._arrays
        if arrays is not None and arrays.generation == generation:
            return arrays
        with self._lock:
            arrays = self._arrays
            if arrays is None or arrays.generation != generation:
                arrays = self._arrays = load_arrays(connection, generation)
            return arrays


# --- one search ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """What a search found: every match's facet cell count, the page (row, score), texts read."""

    total: int
    cells: Counts
    page: list[tuple[int, float]]
    bodies: dict[int, str]


def match_rows(connection: sqlite3.Connection, expression: str, filters: Filters) -> Rows:
    return parse_rows(run(connection, *candidates_sql(expression, filters)).fetchone()[0])


def count_cells(rows: Rows, arrays: DocumentArrays) -> Counts:
    """How many of the rows fall in each facet cell (indexed by cell id)."""
    cells = arrays.cells[rows]
    return np.bincount(cells[cells >= 0]).astype(np.int64)


def term_frequencies(connection: sqlite3.Connection, query: CompiledQuery) -> dict[str, int]:
    tokens = sorted(query_tokens(query))
    if not tokens:
        return {}
    sql = f"SELECT term, docs FROM terms WHERE term IN ({placeholders(len(tokens))})"
    return {str(t): int(n) for t, n in run(connection, sql, tokens)}


def title_hits(
    connection: sqlite3.Connection, query: CompiledQuery, filters: Filters, rows: Rows
) -> list[npt.NDArray[np.bool_]]:
    """For each ranked term, which of the rows have it in the title."""
    hits = []
    for clause in query.must:
        for variants in clause:
            expression = title_expression(variants, filters)
            titled = parse_rows(run(connection, TITLE_HITS_SQL, (expression,)).fetchone()[0])
            hits.append(np.isin(rows, titled, assume_unique=True))
    return hits


# Row numbers bound in one `IN (...)` list: well under SQLite's limit on variables (32,766),
# so a page of every match (an export) is read in pieces.
IN_CHUNK = 500


def rows_in(connection: sqlite3.Connection, template: str, nums: list[int]) -> list[Any]:
    """The rows `template` (an SQL with one `{}` for the placeholders) gives for the numbers."""
    found: list[Any] = []
    for start in range(0, len(nums), IN_CHUNK):
        chunk = nums[start : start + IN_CHUNK]
        found.extend(run(connection, template.format(placeholders(len(chunk))), chunk))
    return found


def first_scores(
    connection: sqlite3.Connection,
    query: CompiledQuery,
    filters: Filters,
    frequencies: dict[str, int],
    arrays: DocumentArrays,
    rows: Rows,
    norms: Scores,
) -> Scores:
    """The first pass: FTS5's bm25() for the clauses of rare words (it knows their term
    frequencies and is cheap for them), titles and lengths for the clauses of common ones."""
    rare, common = split_clauses(query, frequencies)
    scores = np.zeros(len(rows), dtype=np.float64)
    if rare:
        scores += fts5_scores(connection, CompiledQuery(rare, (), ()), rows)
    if common:
        partial = CompiledQuery(common, (), ())
        terms = rank_terms(partial, frequencies, arrays.documents)
        scores += first_pass(terms, title_hits(connection, partial, filters, rows), norms)
    return scores


def split_clauses(
    query: CompiledQuery, frequencies: dict[str, int]
) -> tuple[tuple[Clause, ...], tuple[Clause, ...]]:
    """The clauses FTS5 can rank within FTS5_RANK_BUDGET postings (rarest first), and the rest."""
    postings = [
        sum(frequencies.get(t, 0) for variants in clause for t in variant_tokens(variants))
        for clause in query.must
    ]
    rare: list[Clause] = []
    common: list[Clause] = []
    spent = 0
    for index in sorted(range(len(postings)), key=postings.__getitem__):
        if spent + postings[index] <= FTS5_RANK_BUDGET:
            rare.append(query.must[index])
            spent += postings[index]
        else:
            common.append(query.must[index])
    return tuple(rare), tuple(common)


def fts5_scores(connection: sqlite3.Connection, query: CompiledQuery, rows: Rows) -> Scores:
    """FTS5's bm25() of each row for the query's words (higher is better; 0 where not found)."""
    found = run(connection, RANK_SQL, (words_expression(query),)).fetchall()
    if not found:
        return np.zeros(len(rows), dtype=np.float64)
    scored = np.array([r[0] for r in found], dtype=np.int64)
    ranks = np.array([-float(r[1]) for r in found], dtype=np.float64)
    order = np.argsort(scored)
    scored, ranks = scored[order], ranks[order]
    at = np.clip(np.searchsorted(scored, rows), 0, len(scored) - 1)
    return np.where(scored[at] == rows, ranks[at], 0.0)


def texts(connection: sqlite3.Connection, nums: Iterable[int]) -> dict[int, tuple[str, str]]:
    sql = "SELECT rowid, title, body FROM documents_fts WHERE rowid IN ({})"
    return {
        int(r): (t or "", b or "") for r, t, b in rows_in(connection, sql, [int(n) for n in nums])
    }


def ranked_page(
    connection: sqlite3.Connection,
    arrays: DocumentArrays,
    query: CompiledQuery,
    filters: Filters,
    expression: str,
    request: SearchRequest,
) -> Page:
    """Every match; the first pass over all, exact scores for the best RERANK_WINDOW; the page."""
    rows = match_rows(connection, expression, filters)
    rows = rows[rows < len(arrays.lengths)]  # written after the arrays' snapshot: none in one
    cells = count_cells(rows, arrays) if request.facets else NO_COUNTS
    end = len(rows) if request.limit is None else min(len(rows), request.offset + request.limit)
    if end <= request.offset:
        return Page(len(rows), cells, [], {})
    frequencies = term_frequencies(connection, query)
    terms = rank_terms(query, frequencies, arrays.documents)
    norms = length_norms(arrays.lengths[rows], arrays.average_length)
    if len(rows) > RERANK_WINDOW:
        first = first_scores(connection, query, filters, frequencies, arrays, rows, norms)
        ordered = top_positions(rows, first, max(end, RERANK_WINDOW))
    else:
        first, ordered = np.zeros(len(rows)), np.arange(len(rows))
    window = ordered[:RERANK_WINDOW]
    read = texts(connection, rows[window].tolist())
    best = rescored(
        ((int(rows[p]), *read.get(int(rows[p]), ("", "")), float(norms[p])) for p in window), terms
    )
    floor = min((score for _, score in best), default=0.0)
    rest = ordered[RERANK_WINDOW:]
    # After the rescored window, the first pass's order; no later score above an earlier one.
    page = best + list(
        zip(rows[rest].tolist(), np.minimum(first[rest], floor).tolist(), strict=True)
    )
    chosen = page[request.offset : end]
    bodies = {num: read[num][1] for num, _ in chosen if num in read}
    return Page(len(rows), cells, chosen, bodies)


def unranked_page(
    connection: sqlite3.Connection, expression: str, filters: Filters, request: SearchRequest
) -> Page:
    """Matches by date (filters alone, or a sort by date): newest first unless the request asks
    for the oldest, every match's facet cell in the same pass."""
    oldest = request.sort == OLDEST
    sql, params = listing_sql(
        expression, filters, limit=request.limit, offset=request.offset, oldest=oldest
    )
    rows = run(connection, sql, params).fetchall()
    joined = rows[-1][4] if rows else None
    page = rows[:-1]
    page.sort(key=lambda r: r[3])  # id, then (stable) by date
    page.sort(key=lambda r: r[2] or "", reverse=not oldest)
    page.sort(key=lambda r: r[2] is None)
    matched = parse_rows(joined)
    cells = np.bincount(matched).astype(np.int64) if len(matched) else NO_COUNTS
    return Page(len(matched), cells, [(int(r[0]), 0.0) for r in page], {})


# --- hits ----------------------------------------------------------------------------------


FACETS = ("region", "year", "doc_type")


@dataclass(frozen=True, slots=True)
class FacetCells:
    """Each facet cell's region, year and type, as positions in each facet's list of values."""

    values: dict[str, list[str]]
    positions: dict[str, npt.NDArray[np.int64]]
    size: int

    def covers(self, counts: Counts) -> bool:
        return len(counts) <= self.size or not counts[self.size :].any()


def load_facet_cells(connection: sqlite3.Connection) -> FacetCells:
    rows = run(connection, "SELECT id, region_name, year, doc_type FROM facet_cells").fetchall()
    size = max((int(r[0]) for r in rows), default=-1) + 1
    values: dict[str, list[str]] = {}
    positions: dict[str, npt.NDArray[np.int64]] = {}
    for column, facet in enumerate(FACETS, start=1):
        names = sorted({str(r[column]) for r in rows if r[column] is not None})
        place = {name: i for i, name in enumerate(names)}
        position = np.full(size, -1, dtype=np.int64)
        for row in rows:
            if row[column] is not None:
                position[int(row[0])] = place[str(row[column])]
        values[facet], positions[facet] = names, position
    return FacetCells(values, positions, size)


def facet_counts(counts: Counts, cells: FacetCells) -> dict[str, dict[str, int]]:
    """Facet counts (region, year, type) from the number of matches in each facet cell."""
    counts = counts[: cells.size]
    result: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        position = cells.positions[facet][: len(counts)]
        known = position >= 0
        totals = np.bincount(
            position[known], weights=counts[known], minlength=len(cells.values[facet])
        )
        # The FACET_SIZE largest, ties by value: values are sorted, so by position.
        shown = np.lexsort((np.arange(len(totals)), -totals))[:FACET_SIZE]
        names = cells.values[facet]
        result[facet] = {names[i]: int(totals[i]) for i in shown.tolist() if totals[i] > 0}
    return result


HIT_SQL = (
    "SELECT num, id, title, date, doc_type, source, publisher, duplicate_of, region_name, "
    "region_code, province, region_level FROM documents WHERE num IN ({})"
)


def hits(
    connection: sqlite3.Connection,
    found: Page,
    expression: str,
    query: CompiledQuery,
    *,
    with_snippets: bool,
) -> tuple[Hit, ...]:
    """The page's hits, in order, with a snippet each when asked."""
    nums = [num for num, _ in found.page]
    if not nums:
        return ()
    rows = rows_in(connection, HIT_SQL, nums)
    by_num = {int(r[0]): r for r in rows}
    found_snippets = (
        snippets_for(connection, nums, found.bodies, expression, query) if with_snippets else {}
    )
    result = []
    for num, score in found.page:
        row = by_num[num]
        snippet = found_snippets.get(num)
        result.append(hit(row, score, snippet))
    return tuple(result)


def hit(row: Any, score: float, snippet: str | None) -> Hit:
    return Hit(
        id=row[1], title=row[2], region=region_from(*row[8:12]), date=row[3], doc_type=row[4],
        score=score, snippets=(snippet,) if snippet else (), source=row[5], publisher=row[6],
        duplicate_of=row[7],
    )  # fmt: skip


def snippets_for(
    connection: sqlite3.Connection,
    nums: list[int],
    bodies: dict[int, str],
    expression: str,
    query: CompiledQuery,
) -> dict[int, str]:
    """A snippet per document: where the words occur in its text, else FTS5's snippet()."""
    missing = [n for n in nums if n not in bodies]
    if missing:
        bodies = {**bodies, **{n: body for n, (_, body) in texts(connection, missing).items()}}
    found: dict[int, str] = {}
    for num in nums:
        snippet = snippets.from_text(strip_separators(bodies.get(num, "")), query.words)
        if snippet is None:
            row = run(connection, SNIPPET_SQL, (expression, num)).fetchone()
            snippet = snippets.render(row[0]) if row and row[0] else None
        if snippet:
            found[num] = snippet
    return found
