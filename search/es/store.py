"""The distributed store: runs what es.mapping and es.query build, on Elasticsearch or OpenSearch.

Bulk indexing in batches, retried with back-off on 429 and 5xx, failed items reported; a rebuild
fills new indices and swaps the aliases atomically. Neither product has multi-document
transactions: a document's metrics (and its original file, in the sources index) are replaced
right after it, in the same bulk request. What differs between the two is in their dialects.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal

from cnpolicy.errors import BackendUnavailableError, NotFoundError
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
from cnpolicy.search.es.dialect import (
    INITIAL_BACKOFF_SECONDS,
    MAX_BACKOFF_SECONDS,
    MAX_RETRIES,
    Dialect,
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

__all__ = ["EsStore", "Product", "connect_dialect"]

Product = Literal["elasticsearch", "opensearch"]
# The status of a record the cluster rejected because its write queue was full: sent again.
OVERLOADED = 429
# Documents per bulk request (each with its ~10 metrics): ~5 MB, Elastic's recommended size.
BULK_DOCUMENTS = 200
# Both products' default index.max_result_window: deeper pages go through a point in time.
MAX_WINDOW = 10_000
# Hits per page when reading every match through a point in time.
SCAN_PAGE = 1000
KEEP_ALIVE = "2m"


def connect_dialect(url: str, product: Product) -> Dialect:
    """A connected dialect for the product, its server's version checked."""
    if product == "opensearch":
        from cnpolicy.search.es.opensearch import OpenSearchDialect

        return OpenSearchDialect.connect(url)
    from cnpolicy.search.es.elastic import ElasticDialect

    return ElasticDialect.connect(url)


def has_ik(api: Dialect) -> bool:
    """Whether every node runs the analysis-ik plugin (then the mapping adds `ik` subfields)."""
    rows = api.plugins()
    nodes = {r.get("name") for r in rows}
    with_ik = {r.get("name") for r in rows if r.get("component") == "analysis-ik"}
    return bool(nodes) and nodes == with_ik


class EsStore(Store):
    """The store on an Elasticsearch or OpenSearch cluster (one alias per kind of index)."""

    def __init__(
        self,
        api: Dialect,
        *,
        prefix: str = DEFAULT_PREFIX,
        ik: bool | None = None,
        refresh: bool = False,
        replicas: int = REPLICAS,
    ):
        self.api = api
        self.url = api.url
        self.prefix = prefix
        self.refresh = refresh
        self.replicas = replicas
        self.ik = has_ik(api) if ik is None else ik
        self._ready = False

    @classmethod
    def connect(cls, url: str, *, product: Product = "elasticsearch", **options: Any) -> EsStore:
        return cls(connect_dialect(url, product), **options)

    def close(self) -> None:
        self.api.close()

    # --- indices -------------------------------------------------------------------------

    def alias(self, kind: str) -> str:
        return alias_name(kind, self.prefix)

    def ensure(self) -> None:
        """Put the index templates and, on a new cluster, the first indices behind the aliases."""
        if self._ready:
            return
        stamp = _stamp()
        for kind in KINDS:
            template = index_template(kind, ik=self.ik, prefix=self.prefix, replicas=self.replicas)
            self.api.put_template(template)
            alias = self.alias(kind)
            if not self.api.indices_of(alias):
                self.api.create_index(
                    index_name(kind, stamp, self.prefix), aliases={alias: {"is_write_index": True}}
                )
        self._ready = True

    def drop(self) -> None:
        """Delete this prefix's indices and templates (tests and `--rebuild` clean-up)."""
        for kind in KINDS:
            for index in self.api.indices_of(self.alias(kind)):
                self.api.delete_index(index)
            self.api.delete_template(index_template(kind, ik=self.ik, prefix=self.prefix)["name"])
        self._ready = False

    # --- writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        """Index (replacing by id); one refresh at the end makes the batch searchable at once."""
        self.ensure()
        aliases = {kind: self.alias(kind) for kind in KINDS}
        report = self._load(documents, aliases, replace=True)
        self.api.refresh(list(aliases.values()))
        return report

    def rebuild(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        """Index everything into new indices, then point the aliases at them in one step."""
        self.ensure()
        stamp = _stamp()
        new = {kind: index_name(kind, stamp, self.prefix) for kind in KINDS}
        for index in new.values():
            self.api.create_index(index)
        report = self._load(documents, new, replace=False)
        self.api.refresh(list(new.values()))
        actions: list[dict[str, Any]] = []
        old: list[str] = []
        for kind, index in new.items():
            current = self.api.indices_of(self.alias(kind))
            old.extend(current)
            actions.extend(alias_swap(self.alias(kind), index, current))
        self.api.update_aliases(actions)
        for index in old:
            self.api.delete_index(index)
        return report

    def _load(
        self, documents: Iterable[Document | Prepared], indices: dict[str, str], *, replace: bool
    ) -> IndexReport:
        """Bulk-load into `indices` (kind → index or alias); `replace` drops old records first."""
        indexed, failures, retried = 0, [], 0
        items = iter(documents)
        while batch := [prepare(d) for d in islice(items, BULK_DOCUMENTS)]:
            try:
                if replace:
                    self._drop_records([p.document.id for p in batch])
                failed, rejected = self._bulk(batch, indices)
            except BackendUnavailableError as error:
                raise interrupted(error, indexed, batch) from None
            for prepared in batch:
                error_text = failed.get(prepared.document.id)
                if error_text is None:
                    indexed += 1
                else:
                    failures.append(IndexFailure(prepared.document.source, error_text))
            retried += rejected
        return IndexReport(indexed, tuple(failures), retried)

    def _bulk(self, batch: list[Prepared], indices: dict[str, str]) -> tuple[dict[str, str], int]:
        """Send one batch: the error of each document that (or one of whose records) failed, and
        how many records were rejected as overloaded (429) and sent again, with back-off.

        The clients split the actions into requests of at most 100 MB (max_chunk_bytes), so
        kept originals (up to sources.MAX_SOURCE_BYTES each) never make one too large.
        """
        pending: list[tuple[dict[str, Any], str]] = [
            (action, prepared.document.id)
            for prepared in batch
            for action in bulk_actions(
                prepared, indices[DOCUMENTS], indices[METRICS], indices[SOURCES]
            )
        ]
        failed: dict[str, str] = {}
        retried = 0
        for attempt in range(MAX_RETRIES + 1):
            rejected: list[tuple[dict[str, Any], str]] = []
            answers = self.api.bulk([action for action, _ in pending], refresh=self.refresh)
            for (action, doc_id), (ok, item) in zip(pending, answers, strict=True):
                result = next(iter(item.values()))
                if ok:
                    continue
                if result.get("status") == OVERLOADED and attempt < MAX_RETRIES:
                    rejected.append((action, doc_id))
                else:
                    failed.setdefault(doc_id, f"not indexed: {bulk_error(result)}")
            if not rejected:
                break
            retried += len(rejected)
            time.sleep(min(MAX_BACKOFF_SECONDS, INITIAL_BACKOFF_SECONDS * 2**attempt))
            pending = rejected
        self._roll_back(list(failed), indices)
        return failed, retried

    def _roll_back(self, doc_ids: list[str], indices: dict[str, str]) -> None:
        """Remove what was written of documents one of whose records failed: none stays partial."""
        if not doc_ids:
            return
        for doc_id in doc_ids:
            self.api.delete_doc(indices[DOCUMENTS], doc_id)
        self.api.delete_by_query(
            [indices[METRICS], indices[SOURCES]], {"terms": {"doc_id": doc_ids}}
        )

    def _drop_records(self, doc_ids: list[str]) -> None:
        """Delete the metrics and original files of these documents."""
        self.api.delete_by_query(
            [self.alias(METRICS), self.alias(SOURCES)], {"terms": {"doc_id": doc_ids}}
        )

    def delete(self, doc_id: str) -> None:
        self.ensure()
        if not self.api.delete_doc(self.alias(DOCUMENTS), doc_id):
            raise NotFoundError(f"no document with id {doc_id!r} in the store", field="id")
        self._drop_records([doc_id])

    # --- reading -------------------------------------------------------------------------

    def get(self, doc_id: str) -> Document:
        self.ensure()
        found = self.api.get_doc(self.alias(DOCUMENTS), doc_id)
        if found is None:
            raise NotFoundError(f"no document with id {doc_id!r} in the store", field="id")
        return document_from_source(found)

    def count(self) -> int:
        self.ensure()
        return self.api.count(self.alias(DOCUMENTS))

    def counts(self) -> StoreCounts:
        """Four count requests: each answered from the index's term statistics, not a scan."""
        self.ensure()
        return StoreCounts(
            documents=self.api.count(self.alias(DOCUMENTS)),
            metrics=self.api.count(self.alias(METRICS)),
            sanding=self.api.count(self.alias(DOCUMENTS), {"term": {"has_sanding": True}}),
            sources=self.api.count(self.alias(SOURCES)),
        )

    def _source_body(self, doc_id: str, excludes: list[str] | None) -> dict[str, Any] | None:
        """The sources index's entry of a document; NotFoundError when the document is unknown."""
        self.ensure()
        found = self.api.get_doc(self.alias(SOURCES), doc_id, excludes)
        if found is None and not self.api.exists(self.alias(DOCUMENTS), doc_id):
            raise NotFoundError(f"no document with id {doc_id!r} in the store", field="id")
        return found

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
        if size is not None and offset + size <= MAX_WINDOW:
            found = self.api.search(self.alias(kind), body)
            return _total(found), found["hits"]["hits"], found.get("aggregations", {})
        return self._scan(kind, body, offset, size)

    def _scan(
        self, kind: str, body: dict[str, Any], offset: int, size: int | None
    ) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
        pit = self.api.open_pit(self.alias(kind), KEEP_ALIVE)
        page = {k: v for k, v in body.items() if k not in ("from", "size")}
        hits: list[dict[str, Any]] = []
        total, aggregations, after = 0, {}, None
        try:
            while True:
                request = {**page, "size": SCAN_PAGE, "pit": {"id": pit, "keep_alive": KEEP_ALIVE}}
                if after is not None:
                    request["search_after"] = after
                    request.pop("aggs", None)
                found = self.api.search_pit(request)
                if after is None:
                    total, aggregations = _total(found), found.get("aggregations", {})
                batch = found["hits"]["hits"]
                hits.extend(batch)
                wanted = None if size is None else offset + size
                if not batch or (wanted is not None and len(hits) >= wanted):
                    break
                pit, after = found.get("pit_id", pit), batch[-1]["sort"]
        finally:
            self.api.close_pit(pit)
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
        docs = self.api.mget(self.alias(DOCUMENTS), ids, ["body"])
        return {d["_id"]: strip_separators(d["_source"]["body"]) for d in docs if d.get("found")}

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


def bulk_error(result: dict[str, Any]) -> str:
    """A bulk item's error as a line: its type and reason (a mapping conflict names the field)."""
    error = result.get("error")
    if isinstance(error, dict):
        reason = error.get("reason", "")
        cause = error.get("caused_by", {}).get("reason")
        return f"{error.get('type', 'error')}: {reason}" + (f" ({cause})" if cause else "")
    return str(error or result)


def interrupted(
    error: BackendUnavailableError, written: int, batch: list[Prepared]
) -> BackendUnavailableError:
    """The cluster went away mid-batch: say what was written and how to finish."""
    return BackendUnavailableError(
        f"{error.message}; {written} document(s) were written before it, the batch from "
        f"{batch[0].document.source} on was not (each document is replaced by its id: run the "
        "same command again to complete the batch)",
        source=error.source,
    )


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
