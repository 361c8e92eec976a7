"""The embedded store's schema: tables, the FTS5 index, and the migrations that build them.

The version is `PRAGMA user_version` = the number of migration steps applied. Opening a store runs
the missing steps in one transaction; a store written by a newer version is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from cnpolicy.errors import SchemaVersionError

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


# One step per schema version, in order; never edit a released step, append a new one.
MIGRATIONS: tuple[Migration, ...] = (_script(V1),)
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
