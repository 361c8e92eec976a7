"""The Elasticsearch 9 dialect: the official client, its version check and point in time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from cnpolicy.errors import BackendUnavailableError, QueryError, StoreError
from cnpolicy.search.es.dialect import (
    MAX_RETRIES,
    REQUEST_TIMEOUT,
    RETRY_STATUSES,
    BulkItem,
    Dialect,
    hosts_of,
)

__all__ = ["CLIENT_MAJOR", "ElasticDialect"]

# The client's major version; the server must have the same (the client speaks its REST API).
CLIENT_MAJOR = 9


class ElasticDialect(Dialect):
    """Elasticsearch 9 through `elasticsearch-py` 9 (which checks the server is Elasticsearch)."""

    product = "Elasticsearch"

    def __init__(self, client: Elasticsearch, url: str = ""):
        self.client = client
        self.url = url

    @classmethod
    def connect(cls, url: str) -> ElasticDialect:
        client = Elasticsearch(
            hosts_of(url), request_timeout=REQUEST_TIMEOUT, max_retries=MAX_RETRIES,
            retry_on_status=RETRY_STATUSES, retry_on_timeout=True,
        )  # fmt: skip
        dialect = cls(client, url)
        with dialect.errors():
            version = str(client.info()["version"]["number"])
        if int(version.split(".")[0]) != CLIENT_MAJOR:
            client.close()
            raise StoreError(
                f"server runs Elasticsearch {version}, this client needs {CLIENT_MAJOR}.x",
                source=url,
            )
        return dialect

    @contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except elasticsearch.ConnectionError as error:
            raise BackendUnavailableError(
                f"cannot reach Elasticsearch ({error})", source=self.url
            ) from None
        except elasticsearch.BadRequestError as error:
            raise QueryError(
                f"Elasticsearch refused the request ({error})", source=self.url
            ) from None
        except elasticsearch.ApiError as error:
            if error.meta.status in RETRY_STATUSES:
                raise BackendUnavailableError(
                    f"Elasticsearch is overloaded or down ({error})", source=self.url
                ) from None
            raise StoreError(f"Elasticsearch error ({error})", source=self.url) from None
        except elasticsearch.TransportError as error:
            raise BackendUnavailableError(
                f"Elasticsearch transport error ({error})", source=self.url
            ) from None

    def plugins(self) -> list[dict[str, Any]]:
        with self.errors():
            return cast(list[dict[str, Any]], self.client.cat.plugins(format="json").body)

    def indices_of(self, alias: str) -> list[str]:
        with self.errors():
            if not self.client.indices.exists_alias(name=alias):
                return []
            return sorted(self.client.indices.get_alias(name=alias).body)

    def put_template(self, template: dict[str, Any]) -> None:
        with self.errors():
            self.client.indices.put_index_template(**template)

    def create_index(self, index: str, aliases: dict[str, Any] | None = None) -> None:
        with self.errors():
            self.client.indices.create(index=index, aliases=aliases)

    def refresh(self, indices: list[str]) -> None:
        with self.errors():
            self.client.indices.refresh(index=indices)

    def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        with self.errors():
            self.client.indices.update_aliases(actions=actions)

    def bulk(self, actions: list[dict[str, Any]], *, refresh: bool) -> Iterator[BulkItem]:
        with self.errors():
            yield from helpers.streaming_bulk(
                self.client, actions, chunk_size=max(1, len(actions)), raise_on_error=False,
                raise_on_exception=False, max_retries=0, refresh="wait_for" if refresh else False,
            )  # fmt: skip

    def delete_by_query(self, indices: list[str], query: dict[str, Any]) -> None:
        with self.errors():
            self.client.delete_by_query(index=indices, query=query, conflicts="proceed",
                                        refresh=True)  # fmt: skip

    def delete_doc(self, index: str, doc_id: str) -> bool:
        with self.errors():
            try:
                self.client.delete(index=index, id=doc_id, refresh=True)
            except elasticsearch.NotFoundError:
                return False
        return True

    def get_doc(
        self, index: str, doc_id: str, excludes: list[str] | None = None
    ) -> dict[str, Any] | None:
        with self.errors():
            try:
                found = self.client.get(index=index, id=doc_id, source_excludes=excludes)
            except elasticsearch.NotFoundError:
                return None
        return cast(dict[str, Any], found["_source"])

    def count(self, index: str, query: dict[str, Any] | None = None) -> int:
        with self.errors():
            return int(self.client.count(index=index, query=query)["count"])

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.errors():
            return cast(dict[str, Any], self.client.search(index=index, body=body).body)

    def open_pit(self, index: str, keep_alive: str) -> str:
        with self.errors():
            return str(self.client.open_point_in_time(index=index, keep_alive=keep_alive)["id"])

    def search_pit(self, body: dict[str, Any]) -> dict[str, Any]:
        with self.errors():
            return cast(dict[str, Any], self.client.search(body=body).body)

    def close_pit(self, pit: str) -> None:
        with self.errors():
            self.client.close_point_in_time(id=pit)

    def mget(self, index: str, ids: Iterable[str], includes: list[str]) -> list[dict[str, Any]]:
        with self.errors():
            found = self.client.mget(index=index, ids=list(ids), source_includes=includes)
        return cast(list[dict[str, Any]], found["docs"])
