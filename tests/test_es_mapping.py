"""Elasticsearch layout builders (pure): whole settings, mappings, templates and documents."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.search.backend import prepare
from cnpolicy.search.es.mapping import (
    KINDS,
    alias_name,
    alias_swap,
    bulk_actions,
    document_from_source,
    document_source,
    documents_mapping,
    index_name,
    index_settings,
    index_template,
    metric_source,
    metrics_mapping,
    source_body,
    source_from_body,
    source_info_from_body,
    sources_mapping,
    text_field,
)
from cnpolicy.search.segment import ZWSP
from cnpolicy.search.sources import SourceFile
from tests.test_store_backend import sample_documents

KW = {"type": "keyword"}
STORED = {"type": "keyword", "index": False, "doc_values": False}
REGION = {
    "region_name": KW,
    "region_code": KW,
    "region_path": KW,
    "province": KW,
    "region_level": KW,
}


def test_names() -> None:
    assert alias_name("documents") == "cnpolicy-documents"
    assert index_name("metrics", "20240101000000", "test") == "test-metrics-v2-20240101000000"


def test_settings_split_where_unicode61_splits() -> None:
    assert index_settings(replicas=0) == {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "analysis": {
            "tokenizer": {"cnpolicy_split": {"type": "pattern", "pattern": r"[^\p{L}\p{N}\p{Co}]+"}},
            "analyzer": {
                "cnpolicy_tokens": {
                    "type": "custom", "tokenizer": "cnpolicy_split", "filter": ["lowercase"]
                }
            },
        },
    }  # fmt: skip


def test_text_field_with_and_without_ik() -> None:
    assert text_field(ik=False) == {
        "type": "text",
        "analyzer": "cnpolicy_tokens",
        "fields": {"cjk": {"type": "text", "analyzer": "cjk"}},
    }
    assert text_field(ik=True) == {
        "type": "text",
        "analyzer": "cnpolicy_tokens",
        "fields": {
            "cjk": {"type": "text", "analyzer": "cjk"},
            "ik": {"type": "text", "analyzer": "ik_max_word", "search_analyzer": "ik_smart"},
        },
    }


def test_documents_mapping() -> None:
    assert documents_mapping(ik=False) == {
        "dynamic": "strict",
        "properties": {
            "id": KW, "source": KW, "format": KW,
            "title": text_field(ik=False), "body": text_field(ik=False),
            "sub": {"type": "text", "analyzer": "cnpolicy_tokens"},
            "grams": {"type": "text", "analyzer": "cnpolicy_tokens"},
            "date": {"type": "date", "format": "strict_date"}, "year": {"type": "integer"},
            "publisher": KW, "publisher_name": KW, "doc_number": KW,
            "effective_date": {"type": "date", "format": "strict_date"}, **REGION, "doc_type": KW, "duplicate_of": KW,
            "is_duplicate": {"type": "boolean"}, "has_sanding": {"type": "boolean"},
            "sanding": {"properties": {
                "department": KW, "additional_names": KW, "region": KW, "region_code": KW,
                "region_path": KW, "nature": KW, "rank": KW, "internal_bodies": KW,
            }},
            "record": {"type": "object", "enabled": False},
        },
    }  # fmt: skip


def test_metrics_mapping() -> None:
    double = {"type": "double"}
    integer = {"type": "integer"}
    assert metrics_mapping() == {
        "dynamic": "strict",
        "properties": {
            "doc_id": KW, "ord": integer, "source": STORED, "title": STORED,
            "date": {"type": "date", "format": "strict_date"}, "year": integer, "doc_type": KW,
            "indicator": KW, "value": double, "value_max": double, "before": double, "unit": KW,
            "kind": KW, "approx": KW, "subject": KW, "action": KW, "level": KW, "scope": KW,
            "recipient": KW, "duplicate_of": KW, "fingerprint": KW,
            "own_region": {"type": "boolean"}, **REGION, "text": STORED,
            "sentence": {"type": "text", "index": False}, "start": integer, "end": integer,
        },
    }  # fmt: skip


def test_index_template() -> None:
    assert index_template("metrics", ik=True, prefix="p", replicas=2) == {
        "name": "p-metrics-v2",
        "index_patterns": ["p-metrics-v2-*"],
        "priority": 500,
        "version": 2,
        "template": {"settings": index_settings(replicas=2), "mappings": metrics_mapping()},
        "meta": {"owner": "cnpolicy", "ik": True},
    }


def test_alias_swap_is_one_atomic_request() -> None:
    assert alias_swap("a", "a-v1-2", ["a-v1-1"]) == [
        {"remove": {"index": "a-v1-1", "alias": "a"}},
        {"add": {"index": "a-v1-2", "alias": "a", "is_write_index": True}},
    ]


def test_document_source_and_back() -> None:
    document = sample_documents()[0]
    prepared = prepare(document)
    source = document_source(prepared)
    record = document.to_dict()
    del record["text"]
    assert source == {
        "id": document.id, "source": "reports/zhanjiang.txt", "format": "txt",
        "title": prepared.title, "body": prepared.text.body, "sub": prepared.text.subwords,
        "grams": prepared.text.grams,
        "date": "2019-09-06", "year": 2019, "publisher": "湛江日报", "publisher_name": "湛江日报",
        "doc_number": None, "effective_date": None,
        "region_name": "湛江市",
        "region_code": "440800", "region_path": ["44", "4408"], "province": "广东省",
        "region_level": "city", "doc_type": "reform_report", "duplicate_of": None,
        "is_duplicate": False, "has_sanding": False, "record": record,
    }  # fmt: skip
    assert ZWSP in source["body"]
    assert document_from_source(source) == document


def test_sanding_fields_are_indexed() -> None:
    document = sample_documents()[6]
    source = document_source(prepare(document))
    assert source["sanding"] == {
        "department": "湛江市生态环境局", "additional_names": [], "region": "湛江市",
        "region_code": "440800", "region_path": ["44", "4408"], "nature": "市政府工作部门",
        "rank": "正处级", "internal_bodies": ["办公室", "大气环境科"],
    }  # fmt: skip


def test_metric_source_takes_the_document_region_when_it_has_none() -> None:
    document = sample_documents()[0]
    own = metric_source(document, 2, document.metrics[2])
    assert (own["region_name"], own["region_path"], own["own_region"]) == (
        "赤坎区",
        ["44", "4408", "440802"],
        True,
    )
    inherited = metric_source(document, 3, document.metrics[3])
    assert inherited == {
        "doc_id": document.id, "ord": 3, "source": "reports/zhanjiang.txt",
        "title": "湛江市深化机构改革工作综述", "date": "2019-09-06", "year": 2019,
        "doc_type": "reform_report", "indicator": "approvals.items", "value": 326,
        "value_max": None, "before": None, "unit": "项", "kind": "count", "approx": None,
        "subject": None, "action": None, "level": None, "scope": None, "recipient": None,
        "duplicate_of": None, "fingerprint": None, "own_region": False,
        "region_name": "湛江市", "region_code": "440800", "region_path": ["44", "4408"],
        "province": "广东省", "region_level": "city", "text": "326项审批事项",
        "sentence": document.metrics[3].sentence, "start": document.metrics[3].start,
        "end": document.metrics[3].end,
    }  # fmt: skip


def test_bulk_actions_index_the_document_then_each_metric() -> None:
    document = sample_documents()[1]
    actions = bulk_actions(prepare(document), "d", "m")
    assert [(a["_op_type"], a["_index"], a["_id"]) for a in actions] == [
        ("index", "d", document.id), ("index", "m", f"{document.id}-0"), ("index", "m", f"{document.id}-1"),
    ]  # fmt: skip


# --- original files ------------------------------------------------------------------------


def test_sources_mapping_keeps_the_bytes_out_of_every_search() -> None:
    assert KINDS == ("documents", "metrics", "sources")
    assert sources_mapping() == {
        "dynamic": "strict",
        "properties": {
            "doc_id": KW, "name": STORED, "media_type": STORED,
            "size": {"type": "long", "index": False}, "data": {"type": "binary"},
        },
    }  # fmt: skip
    assert index_template("sources", ik=False, prefix="p", replicas=0) == {
        "name": "p-sources-v2",
        "index_patterns": ["p-sources-v2-*"],
        "priority": 500,
        "version": 2,
        "template": {"settings": index_settings(replicas=0), "mappings": sources_mapping()},
        "meta": {"owner": "cnpolicy", "ik": False},
    }
    # The documents index, which every search reads, holds no bytes.
    assert "data" not in documents_mapping(ik=False)["properties"]


def test_bulk_actions_add_the_original_after_the_metrics() -> None:
    document = sample_documents()[1]
    kept = SourceFile("guangzhou.pdf", "application/pdf", b"%PDF-1.7\x00\xff")
    actions = bulk_actions(prepare(document, source=kept), "d", "m", "s")
    assert [(a["_op_type"], a["_index"], a["_id"]) for a in actions] == [
        ("index", "d", document.id), ("index", "m", f"{document.id}-0"),
        ("index", "m", f"{document.id}-1"), ("index", "s", document.id),
    ]  # fmt: skip
    assert actions[-1]["_source"] == {
        "doc_id": document.id, "name": "guangzhou.pdf", "media_type": "application/pdf",
        "size": len(kept.data), "data": base64.b64encode(kept.data).decode("ascii"),
    }  # fmt: skip
    # Without an original, or without a sources index, nothing more is sent.
    assert len(bulk_actions(prepare(document), "d", "m", "s")) == 3
    assert len(bulk_actions(prepare(document, source=kept), "d", "m")) == 3


@given(st.binary(max_size=300), st.text(min_size=1, max_size=20))
def test_source_bodies_round_trip(data: bytes, name: str) -> None:
    kept = SourceFile(name, "text/plain; charset=gb18030", data)
    body = source_body("doc", kept)
    assert source_from_body(body) == kept
    body.pop("data")
    assert source_info_from_body(body) == kept.info
