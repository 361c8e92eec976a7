"""The embedded store: SQLite with FTS5 (schema, rows, search, ranking), one file per archive."""

__all__: list[str] = []
