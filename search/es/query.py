"""Elasticsearch request bodies (pure): search, metrics and 三定 queries, as the SQLite store's.

Words are matched as phrases of the same jieba tokens the index holds (joined by U+200B and split
by the index analyzer); filters are keyword terms and ranges; sorting and facet order mirror
the SQL. Every builder returns the whole request body, so tests compare it exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cnpolicy.abbreviations import issuer_query_forms
from cnpolicy.search.backend import (
    FACET_SIZE,
    OLDEST,
    RELEVANCE,
    MetricRequest,
    RegionFilter,
    SandingRequest,
    SearchRequest,
)
from cnpolicy.search.es.mapping import GRAMS_BOOST, GRAMS_FIELD, TEXT_FIELDS
from cnpolicy.search.query import CompiledQuery, Variants
from cnpolicy.search.segment import ZWSP, gram_phrase
from cnpolicy.search.snippets import MARK_CLOSE, MARK_OPEN

__all__ = [
    "FRAGMENT_CHARS",
    "HIT_FIELDS",
    "SANDING_FIELDS",
    "Query",
    "any_of",
    "bool_query",
    "clause_query",
    "contains",
    "escape_wildcard",
    "facet_aggregations",
    "gram_query",
    "metrics_body",
    "phrase",
    "range_query",
    "region_query",
    "sanding_body",
    "search_body",
    "search_filters",
    "sort_order",
    "term_query",
]

# Characters per highlighted fragment: 24 tokens with their separators, as the SQLite snippet.
FRAGMENT_CHARS = 64
# Fields a search hit needs (the body and the full record stay on the server).
HIT_FIELDS = (
    "id", "title", "date", "doc_type", "source", "publisher", "duplicate_of", "region_name",
    "region_code", "province", "region_level",
)  # fmt: skip
SANDING_FIELDS = ("id", "title", "date", "source", "sanding", "record.sanding")
Query = dict[str, Any]


def phrase(tokens: Sequence[str]) -> Query:
    return {
        "multi_match": {"query": ZWSP.join(tokens), "type": "phrase", "fields": list(TEXT_FIELDS)}
    }


def any_of(queries: list[Query]) -> Query:
    return (
        queries[0]
        if len(queries) == 1
        else {"bool": {"should": queries, "minimum_should_match": 1}}
    )


def gram_query(grams: Sequence[str]) -> Query:
    """A word anywhere, even inside a longer word: its bigrams as a phrase in the n-gram field."""
    return {"match_phrase": {GRAMS_FIELD: {"query": " ".join(grams), "boost": GRAMS_BOOST}}}


def term_query(variants: Variants) -> Query:
    """Any of a term's token sequences as a phrase; for a word of ideographs, its bigrams too."""
    grams = dict.fromkeys(g for g in (gram_phrase("".join(v)) for v in variants) if g)
    return any_of([phrase(v) for v in variants] + [gram_query(g) for g in grams])


def clause_query(clause: tuple[Variants, ...]) -> Query:
    return any_of([term_query(v) for v in clause])


def region_query(region: RegionFilter, *, path: str, name: str) -> Query:
    if region.prefix:
        return {"term": {path: region.prefix}}
    return {"term": {name: region.name}}


def range_query(field: str, low: Any, high: Any) -> Query | None:
    bounds = {k: v for k, v in (("gte", low), ("lte", high)) if v is not None}
    return {"range": {field: bounds}} if bounds else None


def bool_query(
    must: list[Query] | None = None,
    filters: list[Query] | None = None,
    must_not: list[Query] | None = None,
) -> Query:
    parts = {k: v for k, v in (("must", must), ("filter", filters), ("must_not", must_not)) if v}
    return {"bool": parts} if parts else {"match_all": {}}


def search_filters(request: SearchRequest, region: RegionFilter | None) -> list[Query]:
    filters: list[Query] = []
    if region is not None:
        filters.append(region_query(region, path="region_path", name="region_name"))
    for found in (
        range_query("year", request.year_from, request.year_to),
        range_query("date", request.date_from, request.date_to),
    ):
        if found is not None:
            filters.append(found)
    if request.doc_type:
        filters.append({"term": {"doc_type": request.doc_type}})
    number = request.doc_number.strip() if request.doc_number else ""
    if number:
        filters.append(contains("doc_number", number))
    effective = range_query("effective_date", request.effective_from, request.effective_to)
    if effective is not None:
        filters.append(effective)
    forms = issuer_query_forms(request.publisher) if request.publisher else ()
    if forms:
        filters.append(
            any_of(
                [contains(name, form) for form in forms for name in ("publisher", "publisher_name")]
            )
        )
    return filters


def facet_aggregations() -> dict[str, Any]:
    order = [{"_count": "desc"}, {"_key": "asc"}]
    return {
        name: {"terms": {"field": field, "size": FACET_SIZE, "order": order}}
        for name, field in (
            ("region", "region_name"),
            ("year", "year"),
            ("doc_type", "doc_type"),
            ("publisher", "publisher_name"),
        )
    }


def search_body(
    request: SearchRequest, query: CompiledQuery, region: RegionFilter | None
) -> dict[str, Any]:
    """The request body of one page of a search (from/size; see scan for every match)."""
    ranked = bool(query.must)
    must_not = [term_query(v) for v in query.exclude]
    if request.collapse_duplicates:
        must_not.append({"term": {"is_duplicate": True}})
    body: dict[str, Any] = {
        "query": bool_query(
            [clause_query(c) for c in query.must], search_filters(request, region), must_not
        ),
        "sort": sort_order(ranked=ranked, sort=request.sort),
        "_source": list(HIT_FIELDS),
        "track_total_hits": True,
        "from": request.offset,
    }
    if request.limit is not None:
        body["size"] = request.limit
    if request.facets:
        body["aggs"] = facet_aggregations()
    if request.snippets and ranked:
        body["highlight"] = {
            "pre_tags": [MARK_OPEN],
            "post_tags": [MARK_CLOSE],
            "fields": {
                "body": {
                    "type": "unified",
                    "fragment_size": FRAGMENT_CHARS,
                    "number_of_fragments": 1,
                    "no_match_size": FRAGMENT_CHARS,
                }
            },
        }
    return body


def sort_order(*, ranked: bool, sort: str = RELEVANCE) -> list[Any]:
    """Best first when there are words to rank and no date order is asked; else by date."""
    if ranked and sort == RELEVANCE:
        return [{"_score": "desc"}, {"id": "asc"}]
    order = "asc" if sort == OLDEST else "desc"
    return [{"date": {"order": order, "missing": "_last"}}, {"id": "asc"}]


def metrics_body(request: MetricRequest, regions: Sequence[RegionFilter]) -> dict[str, Any]:
    filters: list[Query] = []
    if request.indicators:
        filters.append({"terms": {"indicator": list(request.indicators)}})
    if regions:
        filters.append(
            any_of([region_query(r, path="region_path", name="region_name") for r in regions])
        )
    for name in ("level", "scope", "recipient"):
        if getattr(request, name) is not None:
            filters.append({"term": {name: getattr(request, name)}})
    if request.subject:
        filters.append(contains("subject", request.subject))
    for found in (
        range_query("value", request.min_value, request.max_value),
        range_query("year", request.year_from, request.year_to),
    ):
        if found is not None:
            filters.append(found)
    body: dict[str, Any] = {
        "query": bool_query(filters=filters),
        "sort": [
            {"date": {"order": "desc", "missing": "_last"}},
            {"doc_id": "asc"},
            {"ord": "asc"},
        ],
        "track_total_hits": True,
        "from": request.offset,
    }
    if request.limit is not None:
        body["size"] = request.limit
    return body


def escape_wildcard(text: str) -> str:
    return "".join("\\" + c if c in "\\*?" else c for c in text)


def contains(field: str, text: str) -> Query:
    return {"wildcard": {field: {"value": f"*{escape_wildcard(text)}*"}}}


def sanding_body(request: SandingRequest, region: RegionFilter | None) -> dict[str, Any]:
    filters: list[Query] = [{"term": {"has_sanding": True}}]
    if region is not None:
        filters.append(region_query(region, path="sanding.region_path", name="sanding.region"))
    if request.name:
        filters.append(
            any_of(
                [
                    contains("sanding.department", request.name),
                    contains("sanding.additional_names", request.name),
                ]
            )
        )
    if request.kind:
        filters.append(contains("sanding.nature", request.kind))
    if request.body:
        filters.append(contains("sanding.internal_bodies", request.body))
    body: dict[str, Any] = {
        "query": bool_query(filters=filters),
        "sort": [
            {"sanding.region_code": {"order": "asc", "missing": "_last"}},
            {"sanding.region": {"order": "asc", "missing": "_first"}},
            {"sanding.department": {"order": "asc", "missing": "_first"}},
            {"id": "asc"},
        ],
        "_source": list(SANDING_FIELDS),
        "track_total_hits": True,
        "from": request.offset,
    }
    if request.limit is not None:
        body["size"] = request.limit
    return body
