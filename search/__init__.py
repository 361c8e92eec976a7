"""Store and search: SQLite FTS5 by default, Elasticsearch for large archives, one interface.

`backend.Store` is the interface; `sqlite_store.SqliteStore` and `es_store.EsStore` implement it.
"""
