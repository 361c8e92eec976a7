"""Elasticsearch index layout (pure): names, the versioned index templates, and what each doc holds.

Three indices, documents, metrics and sources (separate, not nested), each behind an alias
(`cnpolicy-documents` → `cnpolicy-documents-v1-<stamp>`): a rebuild fills a new index and swaps
the alias in one atomic step. Original files live in the sources index (a `binary` field, never
searched), so searches and document reads never carry their bytes. Text fields hold the same U+200B-joined jieba tokens as SQLite,
split by a `pattern` tokenizer exactly where FTS5's unicode61 splits.
"""

from __future__ import annotations

import base64
from typing import Any

from cnpolicy.abbreviations import issuer_name
from cnpolicy.records import Document, Metric
from cnpolicy.search.backend import (
    Prepared,
    document_year,
    is_duplicate,
    metric_region,
    region_paths,
    sanding_region_code,
)
from cnpolicy.search.segment import ZWSP, strip_separators
from cnpolicy.search.sources import SourceFile, SourceInfo

__all__ = [
    "ANALYZER",
    "DEFAULT_PREFIX",
    "DOCUMENTS",
    "GRAMS_BOOST",
    "GRAMS_FIELD",
    "KEYWORD",
    "KINDS",
    "METRICS",
    "REGION_FIELDS",
    "REPLICAS",
    "SHARDS",
    "SOURCES",
    "STORED_ONLY",
    "TEMPLATE_PRIORITY",
    "TEMPLATE_VERSION",
    "TEXT_FIELDS",
    "TOKEN_SPLIT",
    "alias_name",
    "alias_swap",
    "bulk_actions",
    "document_from_source",
    "document_source",
    "documents_mapping",
    "index_name",
    "index_pattern",
    "index_settings",
    "index_template",
    "metric_id",
    "metric_source",
    "metrics_mapping",
    "source_body",
    "source_from_body",
    "source_info_from_body",
    "sources_mapping",
    "template_name",
    "text_field",
]

DEFAULT_PREFIX = "cnpolicy"
DOCUMENTS, METRICS, SOURCES = "documents", "metrics", "sources"
KINDS = (DOCUMENTS, METRICS, SOURCES)
# Bump when a mapping or analysis setting changes: a new template, new indices, a rebuild.
TEMPLATE_VERSION = 2
# Split on every character that is not a letter, number or private-use character: U+200B between
# jieba tokens, and punctuation and spaces, as SQLite's unicode61 does; so both backends see the
# same tokens and phrases.
TOKEN_SPLIT = r"[^\p{L}\p{N}\p{Co}]+"
ANALYZER = "cnpolicy_tokens"
# Field weights, as the FTS5 bm25() weights in sqlite/schema.RANK_FUNCTION.
TEXT_FIELDS = ("title^4", "body", "sub^0.5")
# The n-gram field (segment.grams: bigrams of the title and body's ideographs, space-joined), for
# words inside longer words; its boost is the SQLite n-gram column's BM25 weight.
GRAMS_FIELD = "grams"
GRAMS_BOOST = 0.25
# One primary shard holds several million policy texts (~10 GB); replicas as the cluster's
# default for a production cluster with two or more nodes.
SHARDS = 1
REPLICAS = 1
TEMPLATE_PRIORITY = 500

KEYWORD: dict[str, Any] = {"type": "keyword"}
STORED_ONLY: dict[str, Any] = {"type": "keyword", "index": False, "doc_values": False}


def alias_name(kind: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}"


def index_name(kind: str, stamp: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}-v{TEMPLATE_VERSION}-{stamp}"


def template_name(kind: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}-v{TEMPLATE_VERSION}"


def index_pattern(kind: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-{kind}-v{TEMPLATE_VERSION}-*"


def index_settings(*, shards: int = SHARDS, replicas: int = REPLICAS) -> dict[str, Any]:
    return {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "analysis": {
            "tokenizer": {"cnpolicy_split": {"type": "pattern", "pattern": TOKEN_SPLIT}},
            "analyzer": {
                ANALYZER: {"type": "custom", "tokenizer": "cnpolicy_split", "filter": ["lowercase"]}
            },
        },
    }


def text_field(*, ik: bool) -> dict[str, Any]:
    """Pre-segmented text, with a `cjk` bigram subfield, and an `ik` one when the plugin is there."""
    fields: dict[str, Any] = {"cjk": {"type": "text", "analyzer": "cjk"}}
    if ik:
        fields["ik"] = {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"}
    return {"type": "text", "analyzer": ANALYZER, "fields": fields}


REGION_FIELDS: dict[str, Any] = {
    "region_name": KEYWORD,
    "region_code": KEYWORD,
    "region_path": KEYWORD,
    "province": KEYWORD,
    "region_level": KEYWORD,
}


def documents_mapping(*, ik: bool) -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "id": KEYWORD,
            "source": KEYWORD,
            "format": KEYWORD,
            "title": text_field(ik=ik),
            "body": text_field(ik=ik),
            "sub": {"type": "text", "analyzer": ANALYZER},
            GRAMS_FIELD: {"type": "text", "analyzer": ANALYZER},
            "date": {"type": "date", "format": "strict_date"},
            "year": {"type": "integer"},
            "publisher": KEYWORD,
            "publisher_name": KEYWORD,
            "doc_number": KEYWORD,
            "effective_date": {"type": "date", "format": "strict_date"},
            **REGION_FIELDS,
            "doc_type": KEYWORD,
            "duplicate_of": KEYWORD,
            "is_duplicate": {"type": "boolean"},
            "has_sanding": {"type": "boolean"},
            "sanding": {
                "properties": {
                    "department": KEYWORD,
                    "additional_names": KEYWORD,
                    "region": KEYWORD,
                    "region_code": KEYWORD,
                    "region_path": KEYWORD,
                    "nature": KEYWORD,
                    "rank": KEYWORD,
                    "internal_bodies": KEYWORD,
                }
            },
            "record": {"type": "object", "enabled": False},
        },
    }


def metrics_mapping() -> dict[str, Any]:
    number = {"type": "double"}
    return {
        "dynamic": "strict",
        "properties": {
            "doc_id": KEYWORD,
            "ord": {"type": "integer"},
            "source": STORED_ONLY,
            "title": STORED_ONLY,
            "date": {"type": "date", "format": "strict_date"},
            "year": {"type": "integer"},
            "doc_type": KEYWORD,
            "indicator": KEYWORD,
            "value": number,
            "value_max": number,
            "before": number,
            "unit": KEYWORD,
            "kind": KEYWORD,
            "approx": KEYWORD,
            "subject": KEYWORD,
            "action": KEYWORD,
            "level": KEYWORD,
            "scope": KEYWORD,
            "recipient": KEYWORD,
            "duplicate_of": KEYWORD,
            "fingerprint": KEYWORD,
            "own_region": {"type": "boolean"},
            **REGION_FIELDS,
            "text": STORED_ONLY,
            "sentence": {"type": "text", "index": False},
            "start": {"type": "integer"},
            "end": {"type": "integer"},
        },
    }


def sources_mapping() -> dict[str, Any]:
    """Original files: the bytes (base64 in `_source`, not indexed) and what to serve them as."""
    return {
        "dynamic": "strict",
        "properties": {
            "doc_id": KEYWORD,
            "name": STORED_ONLY,
            "media_type": STORED_ONLY,
            "size": {"type": "long", "index": False},
            "data": {"type": "binary"},
        },
    }


def index_template(
    kind: str, *, ik: bool, prefix: str = DEFAULT_PREFIX, replicas: int = REPLICAS
) -> dict[str, Any]:
    """Arguments of `indices.put_index_template` for one kind of index."""
    if kind == DOCUMENTS:
        mapping = documents_mapping(ik=ik)
    else:
        mapping = metrics_mapping() if kind == METRICS else sources_mapping()
    return {
        "name": template_name(kind, prefix),
        "index_patterns": [index_pattern(kind, prefix)],
        "priority": TEMPLATE_PRIORITY,
        "version": TEMPLATE_VERSION,
        "template": {"settings": index_settings(replicas=replicas), "mappings": mapping},
        "meta": {"owner": "cnpolicy", "ik": ik},
    }


def alias_swap(alias: str, new_index: str, old_indices: list[str]) -> list[dict[str, Any]]:
    """`indices.update_aliases` actions: point the alias at the new index only, atomically."""
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old_indices]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    return actions


# --- what each document holds --------------------------------------------------------------


def document_source(prepared: Prepared) -> dict[str, Any]:
    """A document as indexed: filter fields, segmented text, and the full record (not indexed)."""
    document = prepared.document
    region = document.region
    record = document.to_dict()
    del record["text"]
    if ZWSP in document.text:
        record["raw_text"] = document.text
    source: dict[str, Any] = {
        "id": document.id,
        "source": document.source,
        "format": document.format,
        "title": prepared.title,
        "body": prepared.text.body,
        "sub": prepared.text.subwords,
        GRAMS_FIELD: prepared.text.grams,
        "date": document.date,
        "year": document_year(document),
        "publisher": document.publisher,
        "publisher_name": issuer_name(document.publisher, region),
        "doc_number": document.doc_number,
        "effective_date": document.dates.get("effective"),
        "region_name": region.name if region else None,
        "region_code": region.code if region else None,
        "region_path": list(region_paths(region.code if region else None)),
        "province": region.province if region else None,
        "region_level": region.level if region else None,
        "doc_type": document.doc_type,
        "duplicate_of": document.duplicate_of,
        "is_duplicate": is_duplicate(document),
        "has_sanding": document.sanding is not None,
        "record": record,
    }
    sanding = document.sanding
    if sanding is not None:
        code = sanding_region_code(sanding, document)
        source["sanding"] = {
            "department": sanding.department,
            "additional_names": list(sanding.additional_names),
            "region": sanding.region,
            "region_code": code,
            "region_path": list(region_paths(code)),
            "nature": sanding.nature,
            "rank": sanding.rank,
            "internal_bodies": [b.name for b in sanding.internal_bodies],
        }
    return source


def metric_source(document: Document, ord_: int, metric: Metric) -> dict[str, Any]:
    region = metric_region(metric, document)
    return {
        "doc_id": document.id,
        "ord": ord_,
        "source": document.source,
        "title": document.title,
        "date": document.date,
        "year": document_year(document),
        "doc_type": document.doc_type,
        "indicator": metric.indicator,
        "value": metric.value,
        "value_max": metric.value_max,
        "before": metric.before,
        "unit": metric.unit,
        "kind": metric.kind,
        "approx": metric.approx,
        "subject": metric.subject,
        "action": metric.action,
        "level": metric.level,
        "scope": metric.scope,
        "recipient": metric.recipient,
        "duplicate_of": document.duplicate_of,
        "fingerprint": document.fingerprint,
        "own_region": metric.region is not None,
        "region_name": region.name if region else None,
        "region_code": region.code if region else None,
        "region_path": list(region_paths(region.code if region else None)),
        "province": region.province if region else None,
        "region_level": region.level if region else None,
        "text": metric.text,
        "sentence": metric.sentence,
        "start": metric.start,
        "end": metric.end,
    }


def metric_id(doc_id: str, ord_: int) -> str:
    return f"{doc_id}-{ord_}"


def source_body(doc_id: str, source: SourceFile) -> dict[str, Any]:
    """An original file as the sources index holds it (id: the document's id)."""
    return {
        "doc_id": doc_id,
        "name": source.name,
        "media_type": source.media_type,
        "size": len(source.data),
        "data": base64.b64encode(source.data).decode("ascii"),
    }


def source_from_body(body: dict[str, Any]) -> SourceFile:
    return SourceFile(body["name"], body["media_type"], base64.b64decode(body["data"]))


def source_info_from_body(body: dict[str, Any]) -> SourceInfo:
    return SourceInfo(body["name"], body["media_type"], int(body["size"]))


def bulk_actions(
    prepared: Prepared, documents_index: str, metrics_index: str, sources_index: str | None = None
) -> list[dict[str, Any]]:
    """Bulk `index` actions for a document, each of its metrics (ids: doc id, doc id-ord), and
    its original file when it has one and a sources index is given (id: doc id)."""
    document = prepared.document
    actions: list[dict[str, Any]] = [
        {"_op_type": "index", "_index": documents_index, "_id": document.id,
         "_source": document_source(prepared)}
    ]  # fmt: skip
    actions.extend(
        {"_op_type": "index", "_index": metrics_index, "_id": metric_id(document.id, i),
         "_source": metric_source(document, i, m)}
        for i, m in enumerate(document.metrics)
    )  # fmt: skip
    if prepared.source is not None and sources_index is not None:
        actions.append({"_op_type": "index", "_index": sources_index, "_id": document.id,
                        "_source": source_body(document.id, prepared.source)})  # fmt: skip
    return actions


def document_from_source(source: dict[str, Any]) -> Document:
    record = dict(source["record"])
    raw = record.pop("raw_text", None)
    record["text"] = raw if raw is not None else strip_separators(source["body"])
    return Document.from_dict(record)
