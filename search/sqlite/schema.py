"""The embedded store's schema: tables, the FTS5 index, and the migrations that build them.

The version is `PRAGMA user_version` = the number of migration steps applied. Opening a store runs
the missing steps in one transaction; a store written by a newer version is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from cnpolicy.abbreviations import issuer_name
from cnpolicy.errors import SchemaVersionError
from cnpolicy.search.segment import grams
from cnpolicy.search.sqlite.rows import region_from

__all__ = [
    "BODY_COLUMN",
    "COUNTED_TABLES",
    "FTS_TOKENIZE",
    "MIGRATIONS",
    "RANK_FUNCTION",
    "RANK_FUNCTION_GRAMS",
    "SCHEMA_VERSION",
    "V1",
    "V2_STATEMENTS",
    "V3_STATEMENTS",
    "V4_STATEMENTS",
    "V5_STATEMENTS",
    "V6_STATEMENTS",
    "Migration",
    "column_sizes",
    "migrate",
    "schema_version",
]

# FTS5 with unicode61: U+200B between jieba tokens is a separator (category Cf), CJK characters
# are token characters; diacritics are kept as written so both backends tokenize alike.
FTS_TOKENIZE = "unicode61 remove_diacritics 0"
# BM25 weights of the FTS columns (title, body, sub, tags): a word in the title says more than
# one in the body; sub-words (长春 inside 长春市) count half, so the whole word ranks first;
# filter tags never count.
RANK_FUNCTION = "bm25(4.0, 1.0, 0.5, 0.0)"

V1 = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE facet_cells (
    id INTEGER PRIMARY KEY,
    region_name TEXT,
    year INTEGER,
    doc_type TEXT NOT NULL
);
CREATE TABLE documents (
    num INTEGER PRIMARY KEY,
    cell INTEGER NOT NULL REFERENCES facet_cells (id),
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    title TEXT,
    date TEXT,
    year INTEGER,
    publisher TEXT,
    region_name TEXT,
    region_code TEXT,
    province TEXT,
    region_level TEXT,
    doc_type TEXT NOT NULL,
    duplicate_of TEXT,
    fingerprint TEXT,
    encoding TEXT,
    raw_text TEXT
);
CREATE INDEX documents_date ON documents (date);
CREATE INDEX documents_year ON documents (year);
CREATE INDEX documents_region ON documents (region_code);
CREATE VIRTUAL TABLE documents_fts USING fts5 (
    title, body, sub, tags, tokenize = '{FTS_TOKENIZE}'
);
INSERT INTO documents_fts (documents_fts, rank) VALUES ('rank', '{RANK_FUNCTION}');
CREATE TABLE sections (
    doc INTEGER NOT NULL REFERENCES documents (num) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    title TEXT NOT NULL,
    level INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    marker TEXT NOT NULL,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE TABLE entities (
    doc INTEGER NOT NULL REFERENCES documents (num) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    normalized TEXT,
    code TEXT,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE INDEX entities_label ON entities (label, normalized);
CREATE TABLE metrics (
    num INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL REFERENCES documents (num) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    sentence TEXT NOT NULL,
    value,
    value_max,
    before,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    approx TEXT,
    subject TEXT,
    action TEXT,
    level TEXT,
    indicator TEXT,
    own_region INTEGER NOT NULL,
    region_name TEXT,
    region_code TEXT,
    province TEXT,
    region_level TEXT
);
CREATE INDEX metrics_doc ON metrics (doc);
CREATE INDEX metrics_indicator ON metrics (indicator, region_code);
CREATE INDEX metrics_region ON metrics (region_code);
CREATE TABLE sanding (
    doc INTEGER PRIMARY KEY REFERENCES documents (num) ON DELETE CASCADE,
    department TEXT,
    region TEXT,
    region_code TEXT,
    sanding_doc TEXT,
    nature TEXT,
    rank TEXT,
    duties_count INTEGER NOT NULL,
    has_function_transformation INTEGER NOT NULL,
    function_transformation TEXT,
    has_responsibility_division INTEGER NOT NULL,
    responsibility_division TEXT,
    interpreter TEXT,
    effective_date TEXT,
    additional_names TEXT NOT NULL,
    warnings TEXT NOT NULL
);
CREATE INDEX sanding_region ON sanding (region_code);
CREATE TABLE sanding_duties (
    doc INTEGER NOT NULL REFERENCES sanding (doc) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE TABLE sanding_bodies (
    doc INTEGER NOT NULL REFERENCES sanding (doc) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    name TEXT NOT NULL,
    duties TEXT,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE INDEX sanding_bodies_name ON sanding_bodies (name);
CREATE TABLE sanding_staffing (
    doc INTEGER NOT NULL REFERENCES sanding (doc) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
CREATE TABLE sanding_leadership (
    doc INTEGER NOT NULL REFERENCES sanding (doc) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    post TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (doc, ord)
) WITHOUT ROWID;
"""

Migration = Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Migration:
    def run(connection: sqlite3.Connection) -> None:
        for statement in sql.split(";\n"):
            if statement.strip():
                connection.execute(statement)

    return run


# V2: original files beside their documents (one row each, gone with the document), and the
# number of rows of each counted table kept by triggers in the writing transaction itself, so
# /health reads them in constant time (count(*) over 1.7 M metric rows takes over a second).
COUNTED_TABLES = ("documents", "metrics", "sanding", "sources")
V2_STATEMENTS = (
    """CREATE TABLE sources (
    doc INTEGER PRIMARY KEY REFERENCES documents (num) ON DELETE CASCADE,
    media_type TEXT NOT NULL,
    name TEXT NOT NULL,
    data BLOB NOT NULL
)""",
    "CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
    *(
        statement
        for table in COUNTED_TABLES
        for statement in (
            f"INSERT INTO counts (name, n) VALUES ('{table}', (SELECT count(*) FROM {table}))",
            f"CREATE TRIGGER {table}_counted_in AFTER INSERT ON {table} BEGIN "
            f"UPDATE counts SET n = n + 1 WHERE name = '{table}'; END",
            f"CREATE TRIGGER {table}_counted_out AFTER DELETE ON {table} BEGIN "
            f"UPDATE counts SET n = n - 1 WHERE name = '{table}'; END",
        )
    ),
)


def _statements(statements: Sequence[str]) -> Migration:
    def run(connection: sqlite3.Connection) -> None:
        for statement in statements:
            connection.execute(statement)

    return run


# V3: term statistics for ranking without FTS5's bm25() (search/sqlite/rank.py): the number of
# documents holding each index token, an index of titles, every document's body length in
# tokens, and a generation number that changes with every document written or deleted
# (readers' caches key on it).
V3_STATEMENTS = (
    "CREATE TABLE terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    # Titles and filter tags again, in an index of their own (contentless: row numbers only):
    # whether a title holds a word is read from title doclists, not from whole-document ones
    # (10 ms → under 1 ms for a common phrase at 100,000 documents).
    f"CREATE VIRTUAL TABLE titles_fts USING fts5 (title, tags, content = '', "
    f"tokenize = '{FTS_TOKENIZE}')",
    "INSERT INTO titles_fts (rowid, title, tags) SELECT rowid, title, tags FROM documents_fts",
    "ALTER TABLE documents ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0",
    "INSERT INTO counts (name, n) VALUES ('generation', 0)",
    "CREATE TRIGGER documents_generation_in AFTER INSERT ON documents BEGIN "
    "UPDATE counts SET n = n + 1 WHERE name = 'generation'; END",
    "CREATE TRIGGER documents_generation_out AFTER DELETE ON documents BEGIN "
    "UPDATE counts SET n = n + 1 WHERE name = 'generation'; END",
)


def _add_term_statistics(connection: sqlite3.Connection) -> None:
    """V3, and fill it from what the store holds: FTS5's own vocabulary and column sizes."""
    _statements(V3_STATEMENTS)(connection)
    # Per instance, so that only the word columns count (a store that already has V5's n-gram
    # column keeps its bigrams out of the statistics).
    connection.execute(
        "CREATE VIRTUAL TABLE temp.terms_vocabulary USING fts5vocab(main, documents_fts, instance)"
    )
    connection.execute(
        "INSERT INTO terms (term, docs) SELECT term, count(DISTINCT doc) "
        "FROM temp.terms_vocabulary WHERE col != 'grams' GROUP BY term"
    )
    connection.execute("DROP TABLE temp.terms_vocabulary")
    sizes = connection.execute("SELECT id, sz FROM documents_fts_docsize").fetchall()
    connection.executemany(
        "UPDATE documents SET tokens = ? WHERE num = ?",
        ((column_sizes(size)[BODY_COLUMN], num) for num, size in sizes),
    )


# The body's place among the FTS columns (title, body, sub, tags).
BODY_COLUMN = 1


def column_sizes(blob: bytes) -> list[int]:
    """The token count of each column in an FTS5 docsize record (SQLite varints)."""
    sizes: list[int] = []
    value, index = 0, 0
    for byte in blob:
        index += 1
        if index == 9:
            sizes.append((value << 8) | byte)
            value, index = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            sizes.append((value << 7) | byte)
            value, index = 0, 0
    return sizes


# V4: a metric's scope (市级, 全市, N个县 …) and the recipient of a transfer (乡镇, 开发区 …),
# so comparisons keep figures of different coverage apart; existing rows read as not stated.
V4_STATEMENTS = (
    "ALTER TABLE metrics ADD COLUMN scope TEXT",
    "ALTER TABLE metrics ADD COLUMN recipient TEXT",
)

# V5: a fifth FTS column, `grams`: the character bigrams of every run of ideographs in the title
# and body (segment.grams), so a word is found inside longer words (机构改革 in 机构改革方案).
# FTS5 cannot add a column, so the table is rebuilt. Its BM25 weight is below the sub-words':
# a whole word ranks first, then a dictionary sub-word, then any string inside a word.
RANK_FUNCTION_GRAMS = "bm25(4.0, 1.0, 0.5, 0.0, 0.25)"
V5_STATEMENTS = (
    f"CREATE VIRTUAL TABLE documents_fts_v5 USING fts5 (title, body, sub, tags, grams, "
    f"tokenize = '{FTS_TOKENIZE}')",
    "INSERT INTO documents_fts_v5 (rowid, title, body, sub, tags, grams) "
    "SELECT rowid, title, body, sub, tags, cnpolicy_grams(title, body) FROM documents_fts",
    "DROP TABLE documents_fts",
    "ALTER TABLE documents_fts_v5 RENAME TO documents_fts",
    f"INSERT INTO documents_fts (documents_fts, rank) VALUES ('rank', '{RANK_FUNCTION_GRAMS}')",
)


def _add_grams(connection: sqlite3.Connection) -> None:
    """V5, with the n-grams of what the store holds computed in Python (segment.grams)."""

    def title_body_grams(title: str | None, body: str | None) -> str:
        return f"{grams(title or '')} {grams(body or '')}".strip()

    connection.create_function("cnpolicy_grams", 2, title_body_grams, deterministic=True)
    _statements(V5_STATEMENTS)(connection)


# V6: what researchers cite and filter on, beside each document: the publisher's full name
# (extract.abbreviations.issuer_name: 市委编办 → 中共…市委机构编制委员会办公室) for the publisher
# filter (a contains match) and facet, the document number (发文字号), the dates it states
# (JSON: written/published/effective) and its original address.
V6_STATEMENTS = (
    "ALTER TABLE documents ADD COLUMN publisher_name TEXT",
    "ALTER TABLE documents ADD COLUMN doc_number TEXT",
    "ALTER TABLE documents ADD COLUMN dates TEXT",
    "ALTER TABLE documents ADD COLUMN url TEXT",
    "CREATE INDEX documents_publisher_name ON documents (publisher_name)",
)


def _add_citation_fields(connection: sqlite3.Connection) -> None:
    """V6, with the publisher names of the documents already held."""
    _statements(V6_STATEMENTS)(connection)
    rows = connection.execute(
        "SELECT num, publisher, region_name, region_code, province, region_level FROM documents "
        "WHERE publisher IS NOT NULL"
    ).fetchall()
    connection.executemany(
        "UPDATE documents SET publisher_name = ? WHERE num = ?",
        ((issuer_name(row[1], region_from(*row[2:])), row[0]) for row in rows),
    )


# One step per schema version, in order; never edit a released step, append a new one.
MIGRATIONS: tuple[Migration, ...] = (
    _script(V1),
    _statements(V2_STATEMENTS),
    _add_term_statistics,
    _statements(V4_STATEMENTS),
    _add_grams,
    _add_citation_fields,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    connection: sqlite3.Connection, *, steps: Sequence[Migration] = MIGRATIONS, path: str = ""
) -> int:
    """Bring the schema up to len(steps); returns the number of steps run.

    The connection must be in autocommit mode; all steps run in one transaction.
    """
    current = schema_version(connection)
    if current > len(steps):
        raise SchemaVersionError(
            f"store has schema version {current}, this cnpolicy knows up to {len(steps)}: "
            "upgrade cnpolicy to read it",
            source=path or None,
        )
    if current == len(steps):
        return 0
    connection.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        current = schema_version(connection)
        for step in steps[current:]:
            step(connection)
        connection.execute(f"PRAGMA user_version = {len(steps)}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(steps) - current
