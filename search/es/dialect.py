"""What a distributed store asks of its cluster: one method per request, errors already translated.

`EsStore` speaks only to this interface; `elastic.ElasticDialect` (Elasticsearch 9, its official
client) and `opensearch.OpenSearchDialect` (OpenSearch 1-3, `opensearch-py`) implement it. The
request bodies are the same for both (built in `mapping` and `query`); the dialects differ in
client calls, point in time, template arguments, version and product checks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

__all__ = [
    "INITIAL_BACKOFF_SECONDS",
    "MAX_BACKOFF_SECONDS",
    "MAX_RETRIES",
    "REQUEST_TIMEOUT",
    "RETRY_STATUSES",
    "BulkItem",
    "Dialect",
    "hosts_of",
]  # fmt: skip

# Seconds one request may take: a bulk of 200 documents takes ~1-3 s on a busy node.
REQUEST_TIMEOUT = 60
# Statuses retried with exponential back-off (overloaded, bad gateway, unavailable, timeout).
RETRY_STATUSES = (429, 502, 503, 504)
# Retries per request or bulk chunk; with back-off from 2 s doubling to 60 s, ~2.5 min in all.
MAX_RETRIES = 5
INITIAL_BACKOFF_SECONDS = 2
MAX_BACKOFF_SECONDS = 60

# One answer of a bulk request: (ok, {"index"|"delete": {"_id": ..., "status": ..., ...}}).
BulkItem = tuple[bool, dict[str, Any]]


def hosts_of(url: str) -> list[str]:
    """The nodes a URL option names: one URL, or several separated by commas (tried in turn)."""
    return [part.strip() for part in url.split(",") if part.strip()]


class Dialect(ABC):
    """A connected client of one product; every method raises only cnpolicy errors."""

    product: str  # "Elasticsearch" or "OpenSearch", in messages
    url: str

    @abstractmethod
    def errors(self) -> AbstractContextManager[None]:
        """Turn the client's exceptions into cnpolicy errors naming the server."""

    # The official clients of both products share these calls (and their keyword names).
    client: Any

    def close(self) -> None:
        self.client.close()

    @abstractmethod
    def plugins(self) -> list[dict[str, Any]]:
        """`_cat/plugins` rows: name (node) and component."""

    @abstractmethod
    def indices_of(self, alias: str) -> list[str]:
        """The indices behind an alias, sorted; [] when there is no such alias."""

    @abstractmethod
    def put_template(self, template: dict[str, Any]) -> None:
        """Put a composable index template (`mapping.index_template`)."""

    def delete_template(self, name: str) -> None:
        """Delete an index template if it exists."""
        with self.errors():
            if self.client.indices.exists_index_template(name=name):
                self.client.indices.delete_index_template(name=name)

    @abstractmethod
    def create_index(self, index: str, aliases: dict[str, Any] | None = None) -> None: ...

    def delete_index(self, index: str) -> None:
        with self.errors():
            self.client.indices.delete(index=index)

    @abstractmethod
    def refresh(self, indices: list[str]) -> None: ...

    @abstractmethod
    def update_aliases(self, actions: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def bulk(self, actions: list[dict[str, Any]], *, refresh: bool) -> Iterator[BulkItem]:
        """Send the actions; one answer per action, in order, failures too (the store resends
        records rejected with 429, so it can report them)."""

    @abstractmethod
    def delete_by_query(self, indices: list[str], query: dict[str, Any]) -> None: ...

    @abstractmethod
    def delete_doc(self, index: str, doc_id: str) -> bool:
        """Delete one document (refreshed); False when there was none."""

    @abstractmethod
    def get_doc(
        self, index: str, doc_id: str, excludes: list[str] | None = None
    ) -> dict[str, Any] | None:
        """A document's _source, or None when there is none."""

    def exists(self, index: str, doc_id: str) -> bool:
        with self.errors():
            return bool(self.client.exists(index=index, id=doc_id))

    @abstractmethod
    def count(self, index: str, query: dict[str, Any] | None = None) -> int: ...

    @abstractmethod
    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def open_pit(self, index: str, keep_alive: str) -> str:
        """Open a point in time over an index or alias; its id."""

    @abstractmethod
    def search_pit(self, body: dict[str, Any]) -> dict[str, Any]:
        """A search whose body names a point in time (`pit`) and no index."""

    @abstractmethod
    def close_pit(self, pit: str) -> None: ...

    @abstractmethod
    def mget(self, index: str, ids: Iterable[str], includes: list[str]) -> list[dict[str, Any]]:
        """The `docs` of a multi-get: each with _id, found and _source."""
