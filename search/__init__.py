"""Store and search: SQLite FTS5 by default, Elasticsearch for large archives, one interface.

`backend.Store` is the interface; `sqlite.store.SqliteStore` and `es.store.EsStore` implement it.
"""

__all__: list[str] = []
