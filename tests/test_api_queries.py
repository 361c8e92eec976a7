"""The read endpoints on a temporary store: search, metrics, compare, 三定, export, health, schema.

Results are checked against the store's own answers (the CLI prints the same `to_dict()`), and
against the sample records the store was filled with.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cnpolicy.api.settings import Settings
from cnpolicy.search.backend import MetricRequest, SandingRequest, SearchRequest
from cnpolicy.search.export import COMPARE_COLUMNS, DOCUMENT_COLUMNS, METRIC_COLUMNS
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_api_support import (
    INSTITUTIONS,
    REPORTS,
    SENT_DOWN,
    ApiClient,
    client_for,
    filled_store,
    sample_documents,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    return filled_store(tmp_path_factory.mktemp("queries") / "store.db")


@pytest.fixture(scope="module")
def client(store: SqliteStore) -> ApiClient:
    return client_for(store)


def error_field(client: ApiClient, url: str, params: dict[str, str], status: int) -> object:
    response = client.get(url, params=params)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["status"] == status and error["message"]
    return error["field"]


# --- search --------------------------------------------------------------------------------


def test_search_answers_what_the_store_answers(client: ApiClient, store: SqliteStore) -> None:
    body = client.get("/search", params={"q": "机构改革", "limit": 3}).json()
    assert body == store.search(SearchRequest(text="机构改革", limit=3)).to_dict()
    assert body["total"] == len(REPORTS)
    assert len(body["hits"]) == 3
    assert all("<mark>" in hit["snippets"][0] for hit in body["hits"])
    assert sum(body["facets"]["doc_type"].values()) == body["total"]


def test_search_filters_and_pages(client: ApiClient) -> None:
    hubei = client.get("/search", params={"q": "机构改革", "region": "湖北"}).json()
    expected = {r.city for r in REPORTS if r.city in ("咸宁市", "襄阳市")}
    assert {hit["region"]["name"] for hit in hubei["hits"]} == expected
    by_year = client.get("/search", params={"q": "机构改革", "year": "2020..2021"}).json()
    assert by_year["total"] == sum(1 for r in REPORTS if 2020 <= r.year <= 2021)
    typed = client.get("/search", params={"q": "机构改革", "type": "work_report"}).json()
    assert [h["doc_type"] for h in typed["hits"]] == ["work_report"]
    first = client.get("/search", params={"q": "机构改革", "limit": 2}).json()
    second = client.get("/search", params={"q": "机构改革", "limit": 2, "offset": 2}).json()
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    collapsed = client.get("/search", params={"q": "机构改革", "collapse_duplicates": "true"})
    assert collapsed.json()["total"] == len(REPORTS)  # the samples hold no republications
    nothing = client.get("/search", params={"q": "不存在的词语组合xyz"}).json()
    assert nothing["total"] == 0 and nothing["hits"] == []


@pytest.mark.parametrize("query", ["，。", "词" * 600])
def test_malformed_queries_are_400(client: ApiClient, query: str) -> None:
    assert error_field(client, "/search", {"q": query}, 400) == "query"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"year": "twenty"}, "year"),
        ({"year": "2021..2019"}, "year"),
        ({"year": "1800"}, "year"),
        ({"type": "poem"}, "type"),
        ({"date_from": "2020-13-45"}, "date_from"),
    ],
)
def test_invalid_search_parameters_are_422_naming_them(
    client: ApiClient, params: dict[str, str], field: str
) -> None:
    assert error_field(client, "/search", params, 422) == field


# --- metrics, compare, 三定 ------------------------------------------------------------------


def test_metrics_by_indicator_and_value(client: ApiClient, store: SqliteStore) -> None:
    body = client.get("/metrics", params={"indicator": SENT_DOWN, "min": "400"}).json()
    request = MetricRequest(indicators=(SENT_DOWN,), min_value=400)
    assert body == store.metrics(request).to_dict()
    assert sorted(r["value"] for r in body["rows"]) == sorted(
        r.sent_down for r in REPORTS if r.sent_down >= 400
    )
    assert all(row["text"] in row["sentence"] for row in body["rows"])
    both = client.get("/metrics", params={"indicator": f"{SENT_DOWN}，{INSTITUTIONS}"}).json()
    assert both["total"] == 2 * len(REPORTS)


def test_metrics_parameter_errors(client: ApiClient) -> None:
    assert error_field(client, "/metrics", {"min": "5", "max": "1"}, 422) == "min"
    assert error_field(client, "/metrics", {"min": "nan"}, 422) == "min"
    assert error_field(client, "/metrics", {"limit": "100000"}, 422) == "limit"


def test_compare_gives_one_row_per_place_with_its_quote(client: ApiClient) -> None:
    places = "湛江市,威海市"
    body = client.get("/compare", params={"indicator": SENT_DOWN, "regions": places}).json()
    assert body["indicators"] == [SENT_DOWN]
    got = {row["region"]["name"]: row["values"][SENT_DOWN] for row in body["rows"]}
    expected = {r.city: r.sent_down for r in REPORTS if r.city in places.split(",")}
    assert {k: v["value"] for k, v in got.items()} == expected
    for cell in got.values():
        assert cell["quote"] == f"{cell['value']}名"
        assert cell["quote"] in cell["sentence"]
    every = client.get("/compare", params={"indicator": f"{SENT_DOWN},{INSTITUTIONS}"}).json()
    assert len(every["rows"]) == len(REPORTS)
    assert all(set(row["values"]) == {SENT_DOWN, INSTITUTIONS} for row in every["rows"])


def test_compare_needs_an_indicator(client: ApiClient) -> None:
    assert error_field(client, "/compare", {"indicator": " , "}, 422) == "indicator"
    assert error_field(client, "/compare", {}, 422) == "indicator"


def test_sanding_records(client: ApiClient, store: SqliteStore) -> None:
    body = client.get("/sanding", params={"region": "广东", "body": "法规"}).json()
    assert body == store.sanding(SandingRequest(region="广东", body="法规")).to_dict()
    assert body["total"] == 1
    record = sample_documents()[-1].sanding
    assert record is not None
    row = body["rows"][0]
    assert row["department"] == record.department
    assert row["staffing"] == record.staffing
    assert row["leadership"] == record.leadership
    none = client.get("/sanding", params={"region": "山东"}).json()
    assert none == {"total": 0, "rows": []}


# --- export --------------------------------------------------------------------------------


def test_export_metrics_in_every_format(client: ApiClient) -> None:
    params = {"what": "metrics", "indicator": SENT_DOWN}
    csv = client.get("/export", params={**params, "format": "csv"})
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    frame = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")
    assert tuple(frame.columns) == METRIC_COLUMNS
    assert sorted(frame["value"]) == sorted(r.sent_down for r in REPORTS)
    parquet = client.get("/export", params={**params, "format": "parquet"})
    table = pd.read_parquet(io.BytesIO(parquet.content))
    assert tuple(table.columns) == METRIC_COLUMNS
    assert sorted(table["value"]) == sorted(frame["value"])
    assert set(table["quote"]) == set(frame["quote"])
    xlsx = client.get("/export", params={**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == METRIC_COLUMNS and len(rows) == len(REPORTS) + 1
    data = json.loads(client.get("/export", params={**params, "format": "json"}).content)
    assert {row["quote"] for row in data} == {f"{r.sent_down}名" for r in REPORTS}


def test_export_documents_compare_and_sanding(client: ApiClient) -> None:
    documents = client.get("/export", params={"what": "documents", "q": "机构改革"})
    frame = pd.read_csv(io.BytesIO(documents.content), encoding="utf-8-sig")
    assert tuple(frame.columns) == DOCUMENT_COLUMNS and len(frame) == len(REPORTS)
    compare = client.get("/export", params={"what": "compare", "indicator": INSTITUTIONS})
    frame = pd.read_csv(io.BytesIO(compare.content), encoding="utf-8-sig")
    assert tuple(frame.columns) == COMPARE_COLUMNS
    assert sorted(frame["value"]) == sorted(r.institutions for r in REPORTS)
    sanding = client.get("/export", params={"what": "sanding", "format": "json"})
    assert [row["department"] for row in json.loads(sanding.content)] == ["湛江市市场监督管理局"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"what": "tables"}, "what"),
        ({"what": "metrics", "format": "docx"}, "format"),
        ({"format": "csv"}, "what"),
        ({"what": "compare"}, "indicator"),
        ({"what": "sanding", "indicator": SENT_DOWN}, "indicator"),
        ({"what": "documents", "q": "改革", "level": "city"}, "level"),
    ],
)
def test_export_parameter_errors(client: ApiClient, params: dict[str, str], field: str) -> None:
    assert error_field(client, "/export", params, 422) == field


# --- health, schema, CORS, unknown routes ---------------------------------------------------


def test_health_reports_the_counts(client: ApiClient, store: SqliteStore) -> None:
    body = client.get("/health").json()
    documents = sample_documents()
    assert body["status"] == "ok"
    assert body["documents"] == store.count() == len(documents)
    assert body["metrics"] == sum(len(d.metrics) for d in documents)
    assert body["sanding"] == sum(d.sanding is not None for d in documents)
    assert body["sources"] == 0  # indexed as records: no original files


def test_health_is_503_when_the_store_is_gone(tmp_path: Path) -> None:
    store = filled_store(tmp_path / "s.db")
    client = client_for(store)
    store.close()
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_openapi_schema_lists_every_endpoint(client: ApiClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/documents", "post"), ("/documents/{doc_id}", "get"), ("/documents/{doc_id}", "delete"),
        ("/documents/{doc_id}/text", "get"), ("/documents/{doc_id}/source", "get"),
        ("/search", "get"), ("/metrics", "get"),
        ("/compare", "get"), ("/sanding", "get"), ("/export", "get"), ("/health", "get"),
    ]:  # fmt: skip
        assert method in paths[path], (path, method)
    content = paths["/documents"]["post"]["requestBody"]["content"]
    assert set(content) == {"multipart/form-data", "application/json"}
    assert not any(p.startswith("/ui") for p in paths)


def test_docs_page_renders_offline(client: ApiClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/openapi.json" in page.text and "/documents/{doc_id}" in page.text
    assert "cdn" not in page.text.lower() and "https://" not in page.text


def test_no_cors_unless_configured(tmp_path: Path, client: ApiClient) -> None:
    origin = {"Origin": "https://example.org"}
    assert "access-control-allow-origin" not in client.get("/health", headers=origin).headers
    allowed = client_for(
        filled_store(tmp_path / "s.db"), Settings(cors_origins=("https://example.org",))
    )
    response = allowed.get("/health", headers=origin)
    assert response.headers["access-control-allow-origin"] == "https://example.org"
    other = allowed.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_unknown_routes_and_methods_are_json_errors(client: ApiClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
    wrong = client.put("/search")
    assert wrong.status_code == 405 and wrong.json()["error"]["status"] == 405


def test_search_sorts_by_date_and_filters_publishers_by_part_of_a_name(
    client: ApiClient, store: SqliteStore
) -> None:
    for sort in ("newest", "oldest"):
        body = client.get("/search", params={"q": "机构改革", "sort": sort, "limit": 50}).json()
        assert body == store.search(SearchRequest(text="机构改革", sort=sort, limit=50)).to_dict()
        dates = [h["date"] for h in body["hits"] if h["date"]]
        assert dates == sorted(dates, reverse=sort == "newest") and len(set(dates)) > 1
    assert error_field(client, "/search", {"q": "改革", "sort": "random"}, 422) == "sort"
    facets = client.get("/search", params={"q": ""}).json()["facets"]["publisher"]
    name = next(iter(facets))
    part = name[len(name) // 2 :]
    found = client.get("/search", params={"publisher": part, "limit": 50}).json()
    assert found["total"] >= facets[name]
    assert found == store.search(SearchRequest(publisher=part, limit=50)).to_dict()


@pytest.mark.parametrize("q", ["-", '"', "OR", "- OR"])
def test_operator_only_query_is_400_with_a_message(client: ApiClient, q: str) -> None:
    response = client.get("/search", params={"q": q})
    assert response.status_code == 400
    assert "operators" in response.text


def test_metrics_filter_by_scope_recipient_and_subject_as_the_cli_does(
    client: ApiClient,
) -> None:
    """The same filter names in the API as on the command line (one request builder)."""
    rows = client.get("/metrics", params={"limit": 500}).json()["rows"]
    tested = 0
    for name in ("scope", "recipient", "subject"):
        values = sorted({r[name] for r in rows if r.get(name)})
        if not values:  # the sample store has subjects only; the names are checked below
            assert client.get("/metrics", params={name: "乡镇"}).status_code == 200
            continue
        tested += 1
        value = values[0]
        wanted = value if name != "subject" else value[:2]
        found = client.get("/metrics", params={name: wanted, "limit": 500}).json()["rows"]
        assert found and all(wanted in (r[name] or "") for r in found)
        expected = [r for r in rows if wanted in (r.get(name) or "")] if name == "subject" else [
            r for r in rows if r.get(name) == value]  # fmt: skip
        assert len(found) == len(expected)
    assert tested >= 1
