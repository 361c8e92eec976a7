"""Elasticsearch request bodies (pure): whole search, metric and 三定 queries."""

from __future__ import annotations

from cnpolicy.search.backend import MetricRequest, RegionFilter, SandingRequest, SearchRequest
from cnpolicy.search.es.query import (
    escape_wildcard,
    facet_aggregations,
    metrics_body,
    sanding_body,
    search_body,
)
from cnpolicy.search.query import compile_text

FIELDS = ["title^4", "body", "sub^0.5"]
Z = "\u200b"


def phrase(query: str) -> dict[str, object]:
    return {"multi_match": {"query": query, "type": "phrase", "fields": FIELDS}}


def grams(query: str) -> dict[str, object]:
    return {"match_phrase": {"grams": {"query": query, "boost": 0.25}}}


def term(query: str, bigrams: str) -> dict[str, object]:
    """A word of ideographs: its tokens as a phrase, or its bigrams in the n-gram field."""
    return {"bool": {"should": [phrase(query), grams(bigrams)], "minimum_should_match": 1}}


def test_only_words_of_ideographs_have_an_ngram_alternative() -> None:
    body = search_body(
        SearchRequest(text="机构改革 2019年 省"), compile_text("机构改革 2019年 省"), None
    )
    assert body["query"]["bool"]["must"] == [
        term(f"机构{Z}改革", "机构 构改 改革"),
        phrase(f"2019{Z}年"),
        phrase("省"),
    ]


def test_search_body_with_every_part() -> None:
    request = SearchRequest(
        text="长春市人民政府 机构 OR 编制 -湛江", region="广东省", year_from=2018, year_to=2020,
        date_to="2020-06-30", doc_type="notice", publisher="湛江日报", limit=10, offset=20,
        collapse_duplicates=True,
    )  # fmt: skip
    body = search_body(request, compile_text(request.text), RegionFilter("广东省", prefix="44"))
    assert body == {
        "query": {
            "bool": {
                "must": [
                    term(f"长春市{Z}人民政府", "长春 春市 市人 人民 民政 政府"),
                    {"bool": {"should": [term("机构", "机构"), term("编制", "编制")],
                              "minimum_should_match": 1}},
                ],
                "filter": [
                    {"term": {"region_path": "44"}},
                    {"range": {"year": {"gte": 2018, "lte": 2020}}},
                    {"range": {"date": {"lte": "2020-06-30"}}},
                    {"term": {"doc_type": "notice"}},
                    {"bool": {"should": [{"wildcard": {"publisher": {"value": "*湛江日报*"}}},
                                         {"wildcard": {"publisher_name": {"value": "*湛江日报*"}}}],
                              "minimum_should_match": 1}},
                ],
                "must_not": [term("湛江", "湛江"), {"term": {"is_duplicate": True}}],
            }
        },
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "_source": ["id", "title", "date", "doc_type", "source", "publisher", "duplicate_of",
                    "region_name", "region_code", "province", "region_level"],
        "track_total_hits": True,
        "from": 20,
        "size": 10,
        "aggs": facet_aggregations(),
        "highlight": {
            "pre_tags": ["\ue000"],
            "post_tags": ["\ue001"],
            "fields": {"body": {"type": "unified", "fragment_size": 64, "number_of_fragments": 1,
                                "no_match_size": 64}},
        },
    }  # fmt: skip


def test_listing_without_words_sorts_newest_first() -> None:
    body = search_body(
        SearchRequest(limit=None, facets=False),
        compile_text(""),
        RegionFilter("江州市", name="江州市"),
    )
    assert body == {
        "query": {"bool": {"filter": [{"term": {"region_name": "江州市"}}]}},
        "sort": [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}],
        "_source": ["id", "title", "date", "doc_type", "source", "publisher", "duplicate_of",
                    "region_name", "region_code", "province", "region_level"],
        "track_total_hits": True,
        "from": 0,
    }  # fmt: skip
    everything = search_body(SearchRequest(facets=False, snippets=False), compile_text(""), None)
    assert everything["query"] == {"match_all": {}}


def test_facets_are_ordered_like_sqlite() -> None:
    order = [{"_count": "desc"}, {"_key": "asc"}]
    assert facet_aggregations() == {
        "region": {"terms": {"field": "region_name", "size": 50, "order": order}},
        "year": {"terms": {"field": "year", "size": 50, "order": order}},
        "doc_type": {"terms": {"field": "doc_type", "size": 50, "order": order}},
        "publisher": {"terms": {"field": "publisher_name", "size": 50, "order": order}},
    }


def test_metrics_body() -> None:
    request = MetricRequest(indicators=("staffing.reduction_rate",), level="市级", min_value=5,
                            max_value=20, year_from=2019, limit=50, offset=50)  # fmt: skip
    regions = [RegionFilter("广东", prefix="44"), RegionFilter("江州市", name="江州市")]
    assert metrics_body(request, regions) == {
        "query": {"bool": {"filter": [
            {"terms": {"indicator": ["staffing.reduction_rate"]}},
            {"bool": {"should": [{"term": {"region_path": "44"}}, {"term": {"region_name": "江州市"}}],
                      "minimum_should_match": 1}},
            {"term": {"level": "市级"}},
            {"range": {"value": {"gte": 5, "lte": 20}}},
            {"range": {"year": {"gte": 2019}}},
        ]}},
        "sort": [{"date": {"order": "desc", "missing": "_last"}}, {"doc_id": "asc"}, {"ord": "asc"}],
        "track_total_hits": True,
        "from": 50,
        "size": 50,
    }  # fmt: skip
    assert metrics_body(MetricRequest(limit=None), [])["query"] == {"match_all": {}}


def test_sanding_body() -> None:
    request = SandingRequest(name="市场*", kind="政府工作部门", body="办公室", limit=20)
    assert sanding_body(request, RegionFilter("湛江", prefix="4408")) == {
        "query": {"bool": {"filter": [
            {"term": {"has_sanding": True}},
            {"term": {"sanding.region_path": "4408"}},
            {"bool": {"should": [
                {"wildcard": {"sanding.department": {"value": "*市场\\**"}}},
                {"wildcard": {"sanding.additional_names": {"value": "*市场\\**"}}},
            ], "minimum_should_match": 1}},
            {"wildcard": {"sanding.nature": {"value": "*政府工作部门*"}}},
            {"wildcard": {"sanding.internal_bodies": {"value": "*办公室*"}}},
        ]}},
        "sort": [
            {"sanding.region_code": {"order": "asc", "missing": "_last"}},
            {"sanding.region": {"order": "asc", "missing": "_first"}},
            {"sanding.department": {"order": "asc", "missing": "_first"}},
            {"id": "asc"},
        ],
        "_source": ["id", "title", "date", "source", "sanding", "record.sanding"],
        "track_total_hits": True,
        "from": 0,
        "size": 20,
    }  # fmt: skip


def test_wildcard_escaping() -> None:
    assert escape_wildcard("a*b?c\\d") == "a\\*b\\?c\\\\d"


def test_sorts_by_date_on_request() -> None:
    query = compile_text("机构")
    newest = search_body(SearchRequest(text="机构", sort="newest"), query, None)["sort"]
    oldest = search_body(SearchRequest(text="机构", sort="oldest"), query, None)["sort"]
    assert newest == [{"date": {"order": "desc", "missing": "_last"}}, {"id": "asc"}]
    assert oldest == [{"date": {"order": "asc", "missing": "_last"}}, {"id": "asc"}]
    assert search_body(SearchRequest(text="机构"), query, None)["sort"][0] == {"_score": "desc"}


def test_publisher_facet_by_full_name() -> None:
    assert facet_aggregations()["publisher"]["terms"]["field"] == "publisher_name"
