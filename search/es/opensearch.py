"""The OpenSearch dialect: `opensearch-py`, OpenSearch's own point in time and template bodies.

OpenSearch speaks the Elasticsearch 7 family's REST API; the differences that matter here are
the client's call style (a `body` per request), the point-in-time endpoints (`_search/point_in_time`
returning `pit_id`), the template's `_meta` key and the version check (`distribution`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import opensearchpy
from opensearchpy import OpenSearch, helpers

from cnpolicy.errors import BackendUnavailableError, QueryError, StoreError
from cnpolicy.search.es.dialect import (
    MAX_RETRIES,
    REQUEST_TIMEOUT,
    RETRY_STATUSES,
    BulkItem,
    Dialect,
    hosts_of,
)

__all__ = ["SERVER_MAJORS", "OpenSearchDialect"]

# Server majors this client (opensearch-py 3) supports and the mapping uses nothing newer than:
# composable templates (1.0+) and point in time (2.4+) are checked where they are used.
SERVER_MAJORS = (2, 3)


class OpenSearchDialect(Dialect):
    """OpenSearch 2.x or 3.x through `opensearch-py`."""

    product = "OpenSearch"

    def __init__(self, client: OpenSearch, url: str = ""):
        self.client = client
        self.url = url

    @classmethod
    def connect(cls, url: str) -> OpenSearchDialect:
        client = OpenSearch(
            hosts_of(url), timeout=REQUEST_TIMEOUT, max_retries=MAX_RETRIES,
            retry_on_status=RETRY_STATUSES, retry_on_timeout=True,
        )  # fmt: skip
        dialect = cls(client, url)
        with dialect.errors():
            version = client.info()["version"]
        number = str(version.get("number", "?"))
        if version.get("distribution") != "opensearch" or int(number.split(".")[0]) not in (
            SERVER_MAJORS
        ):
            client.close()
            product = version.get("distribution") or "Elasticsearch"
            raise StoreError(
                f"server runs {product} {number}, --opensearch needs OpenSearch "
                f"{' or '.join(f'{m}.x' for m in SERVER_MAJORS)} (use --es for Elasticsearch)",
                source=url,
            )
        return dialect

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except opensearchpy.ConnectionError as error:
            raise BackendUnavailableError(
                f"cannot reach OpenSearch ({error})", source=self.url
            ) from None
        except opensearchpy.RequestError as error:
            raise QueryError(f"OpenSearch refused the request ({error})", source=self.url) from None
        except opensearchpy.TransportError as error:
            if error.status_code in RETRY_STATUSES:
                raise BackendUnavailableError(
                    f"OpenSearch is overloaded or down ({error})", source=self.url
                ) from None
            raise StoreError(f"OpenSearch error ({error})", source=self.url) from None

    def plugins(self) -> list[dict[str, Any]]:
        with self.errors():
            return cast(list[dict[str, Any]], self.client.cat.plugins(format="json"))

    def indices_of(self, alias: str) -> list[str]:
        with self.errors():
            if not self.client.indices.exists_alias(name=alias):
                return []
            return sorted(self.client.indices.get_alias(name=alias))

    def put_template(self, template: dict[str, Any]) -> None:
        body = {k: v for k, v in template.items() if k not in ("name", "meta")}
        if "meta" in template:
            body["_meta"] = template["meta"]
        with self.errors():
            self.client.indices.put_index_template(name=template["name"], body=body)

    def create_index(self, index: str, aliases: dict[str, Any] | None = None) -> None:
        with self.errors():
            self.client.indices.create(index=index, body={"aliases": aliases} if aliases else None)

    def refresh(self, indices: list[str]) -> None:
        with self.errors():
            self.client.indices.refresh(index=",".join(indices))

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        with self.errors():
            self.client.indices.update_aliases(body={"actions": actions})

    def bulk(self, actions: list[dict[str, Any]], *, refresh: bool) -> Iterator[BulkItem]:
        # Whole requests answered 502-504 are retried by the transport; rejected records by
        # the store.
        with self.errors():
            yield from helpers.streaming_bulk(
                self.client, actions, chunk_size=max(1, len(actions)), raise_on_error=False,
                raise_on_exception=False, max_retries=0,
                refresh="wait_for" if refresh else "false",
            )  # fmt: skip

    def delete_by_query(self, indices: list[str], query: dict[str, Any]) -> None:
        with self.errors():
            self.client.delete_by_query(index=",".join(indices), body={"query": query},
                                        params={"conflicts": "proceed", "refresh": "true"})  # fmt: skip

    def delete_doc(self, index: str, doc_id: str) -> bool:
        with self.errors():
            try:
                self.client.delete(index=index, id=doc_id, params={"refresh": "true"})
            except opensearchpy.NotFoundError:
                return False
        return True

    def get_doc(
        self, index: str, doc_id: str, excludes: list[str] | None = None
    ) -> dict[str, Any] | None:
        params = {"_source_excludes": ",".join(excludes)} if excludes else None
        with self.errors():
            try:
                found = self.client.get(index=index, id=doc_id, params=params)
            except opensearchpy.NotFoundError:
                return None
        return cast(dict[str, Any], found["_source"])

    def count(self, index: str, query: dict[str, Any] | None = None) -> int:
        with self.errors():
            found = self.client.count(index=index, body={"query": query} if query else None)
        return int(found["count"])

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.errors():
            return cast(dict[str, Any], self.client.search(index=index, body=body))

    def open_pit(self, index: str, keep_alive: str) -> str:
        with self.errors():
            found = self.client.create_pit(index=index, params={"keep_alive": keep_alive})
        return str(found["pit_id"])

    def search_pit(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.errors():
            return cast(dict[str, Any], self.client.search(body=body))

    def close_pit(self, pit: str) -> None:
        with self.errors():
            self.client.delete_pit(body={"pit_id": [pit]})

    def mget(self, index: str, ids: Iterable[str], includes: list[str]) -> list[dict[str, Any]]:
        with self.errors():
            found = self.client.mget(index=index, body={"ids": list(ids)},
                                     params={"_source_includes": ",".join(includes)})  # fmt: skip
        return cast(list[dict[str, Any]], found["docs"])
