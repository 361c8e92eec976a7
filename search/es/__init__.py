"""The distributed store: Elasticsearch 9 and OpenSearch 2, one store over the same builders.

`mapping` and `query` build every request body; `store` runs them through a dialect (`elastic`, `opensearch`).
"""

__all__: list[str] = []
