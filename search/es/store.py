"""The Elasticsearch store: runs what es.mapping and es.query build, with the official client.

Bulk indexing in batches, retried with back-off on 429 and 5xx, failed items reported; a rebuild
fills new indices and swaps the aliases atomically. Elasticsearch has no multi-document
transactions: a document's metrics (and its original file, in the sources index) are replaced
right after it, in the same bulk request.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import Any, cast

import elasticsearch
from elasticsearch import Elasticsearch, helpers

from cnpolicy.errors import BackendUnavailableError, NotFoundError, QueryError, StoreError
from cnpolicy.records import Document, Metric, Region
from cnpolicy.search import snippets
from cnpolicy.search.backend import (
    Hit,
    IndexFailure,
    IndexReport,
    MetricRequest,
    MetricResult,
    MetricRow,
    Prepared,
    SandingRequest,
    SandingResult,
    SandingRow,
    SearchRequest,
    SearchResult,
    Store,
    StoreCounts,
    prepare,
    resolve_region,
)
from cnpolicy.search.es.mapping import (
    DEFAULT_PREFIX,
    DOCUMENTS,
    KINDS,
    METRICS,
    REPLICAS,
    SOURCES,
    alias_name,
    alias_swap,
    bulk_actions,
    document_from_source,
    index_name,
    index_template,
    source_from_body,
    source_info_from_body,
)
from cnpolicy.search.es.query import metrics_body, sanding_body, search_body
from cnpolicy.search.query import compile_text
from cnpolicy.search.segment import strip_separators
from cnpolicy.search.snippets import MARK_OPEN
from cnpolicy.search.sources import SourceFile, SourceInfo

# The client's major version; the server must have the same (the client speaks its REST API).
CLIENT_MAJOR = 9
# Seconds one request may take: a bulk of BULK_DOCUMENTS documents takes ~1-3 s on a busy node.
REQUEST_TIMEOUT = 60
# Statuses retried with exponential back-off (overloaded, bad gateway, unavailable, timeout).
RETRY_STATUSES = (429, 502, 503, 504)
# Retries per request or bulk chunk; with back-off from 2 s doubling to 60 s, ~2.5 min in all.
MAX_RETRIES = 5
INITIAL_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 60.0
# Documents per bulk request (each with its ~10 metrics): ~5 MB, Elastic's recommended size.
BULK_DOCUMENTS = 200
# Elasticsearch's default index.max_result_window: deeper pages go through a point in time.
MAX_WINDOW = 10_000
# Hits per page when reading every match through a point in time.
SCAN_PAGE = 1000
KEEP_ALIVE = "2m"


@contextmanager
def translate_errors(url: str) -> Iterator[None]:
    """Client exceptions → cnpolicy errors naming the server."""
    try:
        yield
    except elasticsearch.ConnectionError as error:
        raise BackendUnavailableError(f"cannot reach Elasticsearch ({error})", source=url) from None
    except elasticsearch.BadRequestError as error:
        raise QueryError(f"Elasticsearch refused the query ({error})", source=url) from None
    except elasticsearch.ApiError as error:
        if error.meta.status in RETRY_STATUSES:
            raise BackendUnavailableError(
                f"Elasticsearch is overloaded or down ({error})", source=url
            ) from None
        raise StoreError(f"Elasticsearch error ({error})", source=url) from None
    except elasticsearch.TransportError as error:
        raise BackendUnavailableError(
            f"Elasticsearch transport error ({error})", source=url
        ) from None


def has_ik(client: Elasticsearch) -> bool:
    """Whether every node runs the analysis-ik plugin (then the mapping adds `ik` subfields)."""
    rows = cast(list[dict[str, Any]], client.cat.plugins(format="json").body)
    nodes = {r.get("name") for r in rows}
    with_ik = {r.get("name") for r in rows if r.get("component") == "analysis-ik"}
    return bool(nodes) and nodes == with_ik


class EsStore(Store):
    """The store on an Elasticsearch cluster (one alias per kind of index)."""

    def __init__(
        self,
        client: Elasticsearch,
        *,
        url: str = "",
        prefix: str = DEFAULT_PREFIX,
        ik: bool | None = None,
        refresh: bool = False,
        replicas: int = REPLICAS,
    ):
        self.client = client
        self.url = url
        self.prefix = prefix
        self.refresh = refresh
        self.replicas = replicas
        with translate_errors(url):
            self.ik = has_ik(client) if ik is None else ik
        self._ready = False

    @classmethod
    def connect(cls, url: str, **options: Any) -> EsStore:
        client = Elasticsearch(
            url,
            request_timeout=REQUEST_TIMEOUT,
            max_retries=MAX_RETRIES,
            retry_on_status=RETRY_STATUSES,
            retry_on_timeout=True,
        )
        with translate_errors(url):
            version = str(client.info()["version"]["number"])
        if int(version.split(".")[0]) != CLIENT_MAJOR:
            client.close()
            raise StoreError(
                f"server runs Elasticsearch {version}, this client needs {CLIENT_MAJOR}.x",
                source=url,
            )
        return cls(client, url=url, **options)

    def close(self) -> None:
        self.client.close()

    # --- indices -------------------------------------------------------------------------

    def alias(self, kind: str) -> str:
        return alias_name(kind, self.prefix)

    def _indices_of(self, alias: str) -> list[str]:
        if not self.client.indices.exists_alias(name=alias):
            return []
        return sorted(self.client.indices.get_alias(name=alias).body)

    def ensure(self) -> None:
        """Put the index templates and, on a new cluster, the first indices behind the aliases."""
        if self._ready:
            return
        with translate_errors(self.url):
            stamp = _stamp()
            for kind in KINDS:
                template = index_template(kind, ik=self.ik, prefix=self.prefix,
                                          replicas=self.replicas)  # fmt: skip
                self.client.indices.put_index_template(**template)
                alias = self.alias(kind)
                if not self._indices_of(alias):
                    self.client.indices.create(
                        index=index_name(kind, stamp, self.prefix),
                        aliases={alias: {"is_write_index": True}},
                    )
        self._ready = True

    def drop(self) -> None:
        """Delete this prefix's indices and templates (tests and `--rebuild` clean-up)."""
        with translate_errors(self.url):
            for kind in KINDS:
                for index in self._indices_of(self.alias(kind)):
                    self.client.indices.delete(index=index)
                name = index_template(kind, ik=self.ik, prefix=self.prefix)["name"]
                if self.client.indices.exists_index_template(name=name):
                    self.client.indices.delete_index_template(name=name)
        self._ready = False

    # --- writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        self.ensure()
        return self._load(documents, {kind: self.alias(kind) for kind in KINDS}, replace=True)

    def rebuild(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        """Index everything into new indices, then point the aliases at them in one step."""
        self.ensure()
        stamp = _stamp()
        new = {kind: index_name(kind, stamp, self.prefix) for kind in KINDS}
        with translate_errors(self.url):
            for index in new.values():
                self.client.indices.create(index=index)
            report = self._load(documents, new, replace=False)
            self.client.indices.refresh(index=list(new.values()))
            actions: list[dict[str, Any]] = []
            old: list[str] = []
            for kind, index in new.items():
                current = self._indices_of(self.alias(kind))
                old.extend(current)
                actions.extend(alias_swap(self.alias(kind), index, current))
            self.client.indices.update_aliases(actions=actions)
            for index in old:
                self.client.indices.delete(index=index)
        return report

    def _load(
        self, documents: Iterable[Document | Prepared], indices: dict[str, str], *, replace: bool
    ) -> IndexReport:
        """Bulk-load into `indices` (kind → index or alias); `replace` drops old records first."""
        indexed, failures = 0, []
        items = iter(documents)
        while batch := [prepare(d) for d in islice(items, BULK_DOCUMENTS)]:
            with translate_errors(self.url):
                if replace:
                    self._drop_records([p.document.id for p in batch])
                failed = self._bulk(batch, indices)
            for prepared in batch:
                error = failed.get(prepared.document.id)
                if error is None:
                    indexed += 1
                else:
                    failures.append(IndexFailure(prepared.document.source, error))
        return IndexReport(indexed, tuple(failures))

    def _bulk(self, batch: list[Prepared], indices: dict[str, str]) -> dict[str, str]:
        """Send one batch; the error of each document that (or one of whose records) failed.

        The client splits the actions into requests of at most 100 MB (its max_chunk_bytes),
        so kept originals (up to sources.MAX_SOURCE_BYTES each) never make one too large.
        """
        actions: list[dict[str, Any]] = []
        owner: dict[str, str] = {}  # action id → its document's id
        for prepared in batch:
            for action in bulk_actions(
                prepared, indices[DOCUMENTS], indices[METRICS], indices[SOURCES]
            ):
                actions.append(action)
                owner[action["_id"]] = prepared.document.id
        failed: dict[str, str] = {}
        for ok, item in helpers.streaming_bulk(
            self.client, actions, chunk_size=len(actions), raise_on_error=False,
            raise_on_exception=False, max_retries=MAX_RETRIES,
            initial_backoff=INITIAL_BACKOFF_SECONDS, max_backoff=MAX_BACKOFF_SECONDS,
            retry_on_status=RETRY_STATUSES, refresh="wait_for" if self.refresh else False,
        ):  # fmt: skip
            if ok:
                continue
            result = next(iter(item.values()))
            doc_id = owner.get(str(result.get("_id")), str(result.get("_id")))
            failed.setdefault(doc_id, f"not indexed: {result.get('error', result)}")
        return failed

    def _drop_records(self, doc_ids: list[str]) -> None:
        """Delete the metrics and original files of these documents."""
        self.client.delete_by_query(
            index=[self.alias(METRICS), self.alias(SOURCES)], query={"terms": {"doc_id": doc_ids}},
            conflicts="proceed", refresh=True,
        )  # fmt: skip

    def delete(self, doc_id: str) -> None:
        self.ensure()
        with translate_errors(self.url):
            try:
                self.client.delete(index=self.alias(DOCUMENTS), id=doc_id, refresh=True)
            except elasticsearch.NotFoundError:
                raise NotFoundError(
                    f"no document with id {doc_id!r} in the store", field="id"
                ) from None
            self._drop_records([doc_id])

    # --- reading -------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document:
        self.ensure()
        with translate_errors(self.url):
            try:
                found = self.client.get(index=self.alias(DOCUMENTS), id=doc_id)
            except elasticsearch.NotFoundError:
                raise NotFoundError(
                    f"no document with id {doc_id!r} in the store", field="id"
                ) from None
        return document_from_source(found["_source"])

    def count(self) -> int:
        self.ensure()
        with translate_errors(self.url):
            return int(self.client.count(index=self.alias(DOCUMENTS))["count"])

    def counts(self) -> StoreCounts:
        """Four count requests: each answered from the index's term statistics, not a scan."""
        self.ensure()

        def count(kind: str, query: dict[str, Any] | None = None) -> int:
            return int(self.client.count(index=self.alias(kind), query=query)["count"])

        with translate_errors(self.url):
            return StoreCounts(
                documents=count(DOCUMENTS),
                metrics=count(METRICS),
                sanding=count(DOCUMENTS, {"term": {"has_sanding": True}}),
                sources=count(SOURCES),
            )

    def _source_body(self, doc_id: str, excludes: list[str] | None) -> dict[str, Any] | None:
        """The sources index's entry of a document; NotFoundError when the document is unknown."""
        self.ensure()
        with translate_errors(self.url):
            try:
                found = self.client.get(
                    index=self.alias(SOURCES), id=doc_id, source_excludes=excludes
                )
            except elasticsearch.NotFoundError:
                if not self.client.exists(index=self.alias(DOCUMENTS), id=doc_id):
                    raise NotFoundError(
                        f"no document with id {doc_id!r} in the store", field="id"
                    ) from None
                return None
        return cast(dict[str, Any], found["_source"])

    def source(self, doc_id: str) -> SourceFile | None:
        body = self._source_body(doc_id, None)
        return source_from_body(body) if body else None

    def source_info(self, doc_id: str) -> SourceInfo | None:
        body = self._source_body(doc_id, ["data"])
        return source_info_from_body(body) if body else None

    def _search(
        self, kind: str, body: dict[str, Any]
    ) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        """Total, hits and aggregations; pages beyond the result window go through a PIT."""
        self.ensure()
        size = body.get("size")
        offset = int(body.get("from", 0))
        with translate_errors(self.url):
            if size is not None and offset + size <= MAX_WINDOW:
                found = self.client.search(index=self.alias(kind), body=body).body
                return _total(found), found["hits"]["hits"], found.get("aggregations", {})
            return self._scan(kind, body, offset, size)

    def _scan(
        self, kind: str, body: dict[str, Any], offset: int, size: int | None
    ) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        pit = self.client.open_point_in_time(index=self.alias(kind), keep_alive=KEEP_ALIVE)["id"]
        page = {k: v for k, v in body.items() if k not in ("from", "size")}
        hits: list[dict[str, Any]] = []
        total, aggregations, after = 0, {}, None
        try:
            while True:
                request = {**page, "size": SCAN_PAGE, "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
                if after is not None:
                    request["search_after"] = after
                    request.pop("aggs", None)
                found = self.client.search(body=request).body
                if after is None:
                    total, aggregations = _total(found), found.get("aggregations", {})
                batch = found["hits"]["hits"]
                hits.extend(batch)
                wanted = None if size is None else offset + size
                if not batch or (wanted is not None and len(hits) >= wanted):
                    break
                pit, after = found.get("pit_id", pit), batch[-1]["sort"]
        finally:
            self.client.close_point_in_time(id=pit)
        end = None if size is None else offset + size
        return total, hits[offset:end], aggregations

    def search(self, request: SearchRequest) -> SearchResult:
        request.validate()
        query = compile_text(request.text)
        region = resolve_region(request.region) if request.region else None
        total, hits, aggregations = self._search(DOCUMENTS, search_body(request, query, region))
        ranked = bool(query.must)
        raw = {h["_id"]: (h.get("highlight", {}).get("body") or [None])[0] for h in hits}
        texts = (
            self._bodies([i for i, r in raw.items() if r is None or MARK_OPEN not in r])
            if request.snippets and ranked
            else {}
        )
        result = []
        for h in hits:
            s = h["_source"]
            found = (
                snippets.best(raw[h["_id"]], texts.get(h["_id"]), query.words)
                if request.snippets and ranked
                else None
            )
            result.append(
                Hit(
                    id=s["id"],
                    title=strip_separators(s["title"]) if s.get("title") else None,
                    region=_region(s),
                    date=s.get("date"),
                    doc_type=s["doc_type"],
                    score=float(h.get("_score") or 0.0) if ranked else 0.0,
                    snippets=(found,) if found else (),
                    source=s["source"],
                    publisher=s.get("publisher"),
                    duplicate_of=s.get("duplicate_of"),
                )
            )
        facets = {
            name: {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}
            for name, agg in aggregations.items()
        }
        return SearchResult(total=total, hits=tuple(result), facets=facets)

    def _bodies(self, ids: list[str]) -> dict[str, str]:
        if not ids:
            return {}
        with translate_errors(self.url):
            found = self.client.mget(index=self.alias(DOCUMENTS), ids=ids, source_includes=["body"])
        return {
            d["_id"]: strip_separators(d["_source"]["body"])
            for d in found["docs"]
            if d.get("found")
        }

    def metrics(self, request: MetricRequest) -> MetricResult:
        request.validate()
        regions = [resolve_region(r) for r in request.regions]
        total, hits, _ = self._search(METRICS, metrics_body(request, regions))
        return MetricResult(total=total, rows=tuple(metric_row(h["_source"]) for h in hits))

    def sanding(self, request: SandingRequest) -> SandingResult:
        request.validate()
        region = resolve_region(request.region) if request.region else None
        total, hits, _ = self._search(DOCUMENTS, sanding_body(request, region))
        return SandingResult(total=total, rows=tuple(sanding_row(h["_source"]) for h in hits))


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + f"{time.time_ns() % 1_000_000:06d}"


def _total(found: dict[str, Any]) -> int:
    return int(found["hits"]["total"]["value"])


def _region(source: dict[str, Any], prefix: str = "region_") -> Region | None:
    name = source.get(f"{prefix}name")
    if name is None:
        return None
    return Region(name=name, code=source.get(f"{prefix}code"), province=source.get("province"),
                  level=source.get(f"{prefix}level"))  # fmt: skip


def metric_row(s: dict[str, Any]) -> MetricRow:
    region = _region(s)
    metric = Metric(
        text=s["text"], start=s["start"], end=s["end"], sentence=s["sentence"], value=s["value"],
        unit=s["unit"], kind=s["kind"], value_max=s.get("value_max"), before=s.get("before"),
        approx=s.get("approx"), subject=s.get("subject"), action=s.get("action"),
        level=s.get("level"), region=region if s.get("own_region") else None,
        indicator=s.get("indicator"), scope=s.get("scope"), recipient=s.get("recipient"),
    )  # fmt: skip
    return MetricRow(document_id=s["doc_id"], source=s["source"], title=s.get("title"),
                     date=s.get("date"), metric=metric, region=region,
                     duplicate_of=s.get("duplicate_of"), fingerprint=s.get("fingerprint"))  # fmt: skip


def sanding_row(s: dict[str, Any]) -> SandingRow:
    record = s["record"]["sanding"]
    indexed = s.get("sanding", {})
    return SandingRow(
        document_id=s["id"], source=s["source"], title=strip_separators(s["title"]) if s.get("title") else None,
        date=s.get("date"), department=record.get("department"), region=record.get("region"),
        region_code=indexed.get("region_code"), nature=record.get("nature"),
        rank=record.get("rank"), duties_count=int(record.get("duties_count") or 0),
        internal_bodies=tuple(record.get("internal_bodies") or ()),
        staffing=dict(record.get("staffing") or {}), leadership=dict(record.get("leadership") or {}),
        additional_names=tuple(record.get("additional_names") or ()),
        interpreter=record.get("interpreter"), effective_date=record.get("effective_date"),
    )  # fmt: skip
