"""The store's behaviour, the same for every backend: SQLite always, OpenSearch and Elasticsearch
with a server (CNPOLICY_TEST_OPENSEARCH_URL, which scripts/test.sh sets, and ELASTICSEARCH_URL).

Each run on a cluster uses its own index prefix and removes it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cnpolicy.dedup import content_id
from cnpolicy.errors import NotFoundError, QueryError
from cnpolicy.gazetteer import nation_region
from cnpolicy.records import Document, InternalBody, Metric, Region, Sanding
from cnpolicy.search.backend import MetricRequest, SandingRequest, SearchRequest, Store
from cnpolicy.search.compare import compare_places
from cnpolicy.search.sqlite.store import SqliteStore

ZHANJIANG = Region("湛江市", "440800", "广东省", "city")
CHIKAN = Region("赤坎区", "440802", "广东省", "county")
GUANGZHOU = Region("广州市", "440100", "广东省", "city")
CHANGCHUN = Region("长春市", "220100", "吉林省", "city")
JIANGZHOU = Region("江州市", None, None, None)


def metric(
    text: str, quote: str, value: float, unit: str, indicator: str | None, **extra: object
) -> Metric:
    """A metric whose quote is found in the text (offsets from the text itself)."""
    start = text.index(quote)
    sentence_start = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1
    sentence_end = text.index("。", start) + 1
    kind = extra.pop("kind", "percent" if unit == "%" else "count")
    return Metric(
        text=quote, start=start, end=start + len(quote), sentence=text[sentence_start:sentence_end],
        value=value, unit=unit, kind=kind, indicator=indicator, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def document(text: str, *, source: str, **fields: object) -> Document:
    return Document(id=content_id(text), source=source, format="txt", text=text, **fields)  # type: ignore[arg-type]


def sample_documents() -> list[Document]:
    """Seven small documents we wrote for these tests: reports, a notice, 三定 rules, a repost."""
    a_text = (
        "湛江市深化机构改革工作综述\n"
        "去年以来，湛江市坚决落实省委部署，扎实推进市县机构改革。\n"
        "一、精简机构\n"
        "市级党政机构由61个精简为49个，编制精简率14.8%。赤坎区下沉编制120名。\n"
        "二、优化服务\n"
        "组建政务服务数据管理局，实现326项审批事项即来即办。"
    )
    a = document(
        a_text, source="reports/zhanjiang.txt", title="湛江市深化机构改革工作综述",
        date="2019-09-06", publisher="湛江日报", region=ZHANJIANG, doc_type="reform_report",
        metrics=(
            metric(a_text, "党政机构由61个精简为49个", 49, "个", "institutions.party_government",
                   kind="change", before=61, level="市级"),
            metric(a_text, "编制精简率14.8%", 14.8, "%", "staffing.reduction_rate", level="市级"),
            metric(a_text, "下沉编制120名", 120, "名", "staffing.sent_down", region=CHIKAN),
            metric(a_text, "326项审批事项", 326, "项", "approvals.items"),
        ),
    )  # fmt: skip
    b_text = (
        "广州市稳妥推进事业单位改革\n"
        "广州市坚持公益属性，事业单位由300个整合为180个，编制精简率9.5%。\n"
        "同时推进综合执法改革，执法队伍更加精干。"
    )
    b = document(
        b_text, source="reports/guangzhou.txt", title="广州市稳妥推进事业单位改革",
        date="2021-05-10", publisher="广州日报", region=GUANGZHOU, doc_type="reform_report",
        metrics=(
            metric(b_text, "事业单位由300个整合为180个", 180, "个", "public_institutions.merged",
                   kind="change", before=300),
            metric(b_text, "编制精简率9.5%", 9.5, "%", "staffing.reduction_rate"),
        ),
    )  # fmt: skip
    c_text = (
        "长春市人民政府工作报告\n"
        "过去一年，长春市全面完成政府机构改革，编制精简率12%，营商环境持续优化。"
    )
    c = document(
        c_text, source="reports/changchun.txt", title="长春市人民政府工作报告", date="2018-03-14",
        publisher="长春市人民政府", region=CHANGCHUN, doc_type="work_report",
        metrics=(metric(c_text, "编制精简率12%", 12, "%", "staffing.reduction_rate"),),
    )  # fmt: skip
    d_text = (
        "江州市市场监督管理局职能配置、内设机构和人员编制规定\n"
        "第一条 江州市市场监督管理局是市政府工作部门，为正处级。\n"
        "第二条 江州市市场监督管理局设下列内设机构：办公室、政策法规科、登记注册科。\n"
        "第三条 江州市市场监督管理局机关行政编制45名，工勤编制3名。设局长1名，副局长4名。"
    )
    d = document(
        d_text, source="sanding/jiangzhou.txt", title=d_text.split("\n")[0], date="2019-12-01",
        publisher="江州市委编办", region=JIANGZHOU, doc_type="sanding",
        sanding=Sanding(
            department="江州市市场监督管理局", region="江州市", nature="市政府工作部门",
            rank="正处级", internal_bodies=(InternalBody("办公室"), InternalBody("政策法规科"),
                                         InternalBody("登记注册科")),
            staffing={"行政编制": 45, "工勤编制": 3}, leadership={"局长": 1, "副局长": 4},
            duties_count=0,
        ),
    )  # fmt: skip
    e_text = a_text + "\n（责任编辑：王强）"
    e = document(
        e_text, source="reposts/zhanjiang.txt", title=a.title, date="2019-09-07",
        publisher="南方网", region=ZHANJIANG, doc_type="reform_report", duplicate_of=a.id,
    )  # fmt: skip
    f_text = (
        "关于印发湛江市机构编制管理办法的通知\n"
        "各县（市、区）人民政府，市府直属各单位：现将办法印发给你们，请认真贯彻执行。\n"
        "经过近两年努力，全市编制精简率6%。"
    )
    f = document(
        f_text, source="notices/zhanjiang.txt", title="关于印发湛江市机构编制管理办法的通知",
        date="2021-06-01", publisher="湛江市人民政府办公室", region=ZHANJIANG, doc_type="notice",
        metrics=(metric(f_text, "编制精简率6%", 6, "%", "staffing.reduction_rate"),),
    )  # fmt: skip
    g_text = (
        "湛江市生态环境局职能配置、内设机构和人员编制规定\n"
        "第一条 湛江市生态环境局是市政府工作部门，为正处级。\n"
        "第二条 湛江市生态环境局设下列内设机构：办公室、大气环境科。\n"
        "第三条 湛江市生态环境局机关行政编制30名。设局长1名，副局长3名。"
    )
    g = document(
        g_text, source="sanding/zhanjiang-sthjj.txt", title=g_text.split("\n")[0],
        date="2019-03-01", publisher="湛江市委编办", region=ZHANJIANG, doc_type="sanding",
        sanding=Sanding(
            department="湛江市生态环境局", region="湛江市", nature="市政府工作部门",
            rank="正处级", internal_bodies=(InternalBody("办公室"), InternalBody("大气环境科")),
            staffing={"行政编制": 30}, leadership={"局长": 1, "副局长": 3}, duties_count=0,
        ),
    )  # fmt: skip
    return [a, b, c, d, e, f, g]


BACKENDS = [
    "sqlite",
    pytest.param("opensearch", marks=pytest.mark.opensearch),
    pytest.param("elasticsearch", marks=pytest.mark.elasticsearch),
]
# The server each distributed backend is tested against: scripts/test.sh starts an OpenSearch
# node and sets CNPOLICY_TEST_OPENSEARCH_URL (not CNPOLICY_OPENSEARCH_URL, which would send every
# CLI test to the cluster); an Elasticsearch 9 server is the user's own.
SERVER_VARIABLES = {
    "opensearch": "CNPOLICY_TEST_OPENSEARCH_URL",
    "elasticsearch": "ELASTICSEARCH_URL",
}


def open_backend(kind: str, tmp_path: Path) -> Iterator[Store]:
    if kind == "sqlite":
        store = SqliteStore(tmp_path / "store.db")
        yield store
        store.close()
        return
    variable = SERVER_VARIABLES[kind]
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: no {kind} server to test against")
    from cnpolicy.search.es.store import EsStore

    es = EsStore.connect(url, product=kind, prefix=f"cnpolicy-test-{uuid.uuid4().hex[:8]}",  # type: ignore[arg-type]
                         refresh=True, replicas=0)  # fmt: skip
    try:
        yield es
    finally:
        es.drop()
        es.close()


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from open_backend(request.param, tmp_path)


@pytest.fixture
def store(empty_store: Store) -> Store:
    report = empty_store.index(sample_documents())
    assert report.indexed == 7 and not report.failures
    return empty_store


def ids(result: object) -> list[str]:
    return [h.id for h in result.hits]  # type: ignore[attr-defined]


DOCS = {d.source: d for d in sample_documents()}


def doc_id(source: str) -> str:
    return DOCS[source].id


# --- documents -----------------------------------------------------------------------------


def test_documents_read_back_as_written(store: Store) -> None:
    for original in sample_documents():
        assert store.get(original.id) == original
    assert store.count() == 7


def test_reindexing_replaces_a_document_and_its_records(store: Store) -> None:
    original = DOCS["reports/zhanjiang.txt"]
    changed = replace(original, title="新标题", metrics=original.metrics[:1])
    store.index([changed])
    assert store.count() == 7
    assert store.get(original.id).title == "新标题"
    found = store.metrics(MetricRequest(limit=None)).rows
    assert sum(1 for r in found if r.document_id == original.id) == 1


def test_unknown_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="0000000000000000"):
        store.get("0000000000000000")
    with pytest.raises(NotFoundError):
        store.delete("0000000000000000")


def test_delete_removes_the_document_from_every_query(store: Store) -> None:
    target = doc_id("reports/guangzhou.txt")
    store.delete(target)
    assert store.count() == 6
    assert target not in ids(store.search(SearchRequest(text="事业单位")))
    assert all(r.document_id != target for r in store.metrics(MetricRequest(limit=None)).rows)


# --- full-text search ----------------------------------------------------------------------


def test_words_must_all_occur(store: Store) -> None:
    both = set(ids(store.search(SearchRequest(text="事业单位 综合执法"))))
    assert both == {doc_id("reports/guangzhou.txt")}
    assert store.search(SearchRequest(text="事业单位 长春")).total == 0


def test_phrase_needs_the_words_together(store: Store) -> None:
    assert store.search(SearchRequest(text='"编制精简率"')).total == 5
    assert store.search(SearchRequest(text='"精简率编制"')).total == 0


def test_exclusion_and_or(store: Store) -> None:
    excluded = ids(store.search(SearchRequest(text="编制精简率 -湛江", limit=20)))
    assert sorted(excluded) == sorted(
        [doc_id("reports/guangzhou.txt"), doc_id("reports/changchun.txt")]
    )
    either = set(ids(store.search(SearchRequest(text="长春 OR 广州", limit=20))))
    assert either == {doc_id("reports/guangzhou.txt"), doc_id("reports/changchun.txt")}


def test_exclusion_alone_narrows_the_archive(store: Store) -> None:
    found = store.search(SearchRequest(text="-编制", limit=20))
    assert found.total == 7 - 7 + sum("编制" not in d.text for d in sample_documents())
    assert all("编制" not in store.get(i).text for i in ids(found))


def test_a_word_inside_a_longer_token_is_found(store: Store) -> None:
    # 长春 is inside the token 长春市: found through the sub-word column, marked in the text.
    found = store.search(SearchRequest(text="长春"))
    assert ids(found) == [doc_id("reports/changchun.txt")]
    assert "<mark>长春</mark>" in found.hits[0].snippets[0]


def test_title_matches_rank_first(store: Store) -> None:
    found = store.search(SearchRequest(text="机构编制 管理办法"))
    assert ids(found)[0] == doc_id("notices/zhanjiang.txt")
    assert found.hits[0].score > 0


def test_snippets_show_original_text_with_marks(store: Store) -> None:
    hit = store.search(SearchRequest(text="即来即办")).hits[0]
    snippet = hit.snippets[0]
    assert "<mark>" in snippet and "\u200b" not in snippet
    shown = snippet.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert shown in DOCS[hit.source].text.replace("\n", " ")  # lines joined for display


def test_pages_do_not_overlap(store: Store) -> None:
    first = store.search(SearchRequest(text="编制", limit=2))
    second = store.search(SearchRequest(text="编制", limit=2, offset=2))
    everything = store.search(SearchRequest(text="编制", limit=20))
    assert first.total == second.total == everything.total >= 4
    assert not set(ids(first)) & set(ids(second))
    assert ids(first) + ids(second) == ids(everything)[:4]


def test_region_filter_takes_in_cities_of_a_province(store: Store) -> None:
    guangdong = set(ids(store.search(SearchRequest(text="编制", region="广东省", limit=20))))
    assert guangdong == {d.id for d in sample_documents()
                         if d.region and d.region.province == "广东省" and "编制" in d.text}  # fmt: skip
    by_code = set(ids(store.search(SearchRequest(text="编制", region="440800", limit=20))))
    assert by_code == {d.id for d in sample_documents()
                       if d.region == ZHANJIANG and "编制" in d.text}  # fmt: skip
    assert ids(store.search(SearchRequest(text="编制", region="江州市"))) == [
        doc_id("sanding/jiangzhou.txt")
    ]
    assert store.search(SearchRequest(text="编制", region="吉林")).total == 1


def test_the_nation_is_a_place_of_its_own_in_filters_and_facets(store: Store) -> None:
    text = "国务院关于机构改革的报告\n过去一年，国务院部门编制精简率8%，推进简政放权。"
    national = document(
        text, source="national/report.txt", title="国务院关于机构改革的报告", date="2020-03-05",
        publisher="国务院", region=nation_region(), doc_type="work_report",
        metrics=(metric(text, "编制精简率8%", 8, "%", "staffing.reduction_rate",
                        region=nation_region(), scope="全国"),),
    )  # fmt: skip
    assert not store.index([national]).failures
    for given in ("全国", "中华人民共和国", "100000"):
        assert ids(store.search(SearchRequest(text="编制", region=given, limit=20))) == [
            national.id
        ]
        rows = store.metrics(MetricRequest(regions=(given,), limit=None)).rows
        assert [(r.metric.value, r.region.level if r.region else None) for r in rows] == [
            (8, "national")
        ]
    guangdong = set(ids(store.search(SearchRequest(text="编制", region="广东省", limit=20))))
    assert national.id not in guangdong


def test_year_type_and_publisher_filters(store: Store) -> None:
    def found(**filters: object) -> set[str]:
        return set(ids(store.search(SearchRequest(text="编制", limit=20, **filters))))  # type: ignore[arg-type]

    assert found(year_from=2021, year_to=2021) == {
        doc_id("reports/guangzhou.txt"),
        doc_id("notices/zhanjiang.txt"),
    }
    assert found(year_from=2020) == found(year_from=2021, year_to=2021)
    assert found(year_to=2018) == {doc_id("reports/changchun.txt")}
    assert found(doc_type="sanding") == {
        doc_id("sanding/jiangzhou.txt"),
        doc_id("sanding/zhanjiang-sthjj.txt"),
    }
    assert found(publisher="广州日报") == {doc_id("reports/guangzhou.txt")}
    # A part of the name, as written (编办) or in full (机构编制委员会办公室: 市委编办 resolved).
    offices = {doc_id("sanding/jiangzhou.txt"), doc_id("sanding/zhanjiang-sthjj.txt")}
    assert found(publisher="编办") == offices
    assert found(publisher="机构编制委员会") == offices
    assert found(publisher="中共湛江市委机构编制委员会办公室") == {
        doc_id("sanding/zhanjiang-sthjj.txt")
    }
    assert found(date_from="2019-09-07", date_to="2019-12-31") == {
        doc_id("reposts/zhanjiang.txt"),
        doc_id("sanding/jiangzhou.txt"),
    }
    assert found(year_from=1990, year_to=1991) == set()


def test_facets_count_the_matches(store: Store) -> None:
    result = store.search(SearchRequest(text="编制", limit=1))
    whole_page = store.search(SearchRequest(text="编制", limit=50))  # every match on one page
    assert (whole_page.total, whole_page.facets) == (result.total, result.facets)
    assert sum(result.facets["doc_type"].values()) == result.total
    assert result.facets["region"]["湛江市"] == sum(
        1 for d in sample_documents() if d.region == ZHANJIANG and "编制" in d.text
    )
    assert list(result.facets["year"]) == sorted(
        result.facets["year"], key=lambda y: (-result.facets["year"][y], y)
    )
    # Publishers by their full names: 湛江市委编办 is 中共湛江市委机构编制委员会办公室.
    publishers = result.facets["publisher"]
    assert sum(publishers.values()) == result.total
    assert publishers["中共湛江市委机构编制委员会办公室"] == 1
    assert list(publishers) == sorted(publishers, key=lambda p: (-publishers[p], p))


def test_sort_by_date(store: Store) -> None:
    def dates(sort: str) -> list[str | None]:
        found = store.search(SearchRequest(text="编制", sort=sort, limit=20))
        return [h.date for h in found.hits]

    newest, oldest = dates("newest"), dates("oldest")
    dated = [d for d in newest if d]
    assert dated == sorted(dated, reverse=True) and len(set(dated)) > 2
    assert [d for d in oldest if d] == sorted(dated)
    assert sorted(dates("relevance"), key=str) == sorted(newest, key=str)
    with pytest.raises(QueryError, match="sort"):
        store.search(SearchRequest(text="编制", sort="random"))


def test_results_are_the_same_with_or_without_facets(store: Store) -> None:
    for request in (
        SearchRequest(text="编制", limit=3, offset=1),
        SearchRequest(text="", region="广东", limit=2, offset=2),
        SearchRequest(text="编制", date_from="2019-01-01", date_to="2019-12-31"),
    ):
        with_facets = store.search(request)
        without = store.search(replace(request, facets=False))
        assert ids(with_facets) == ids(without) and with_facets.total == without.total > 0
        assert without.facets == {} and with_facets.facets["doc_type"]


def test_duplicates_can_be_collapsed(store: Store) -> None:
    everything = set(ids(store.search(SearchRequest(text="机构改革", limit=20))))
    collapsed = set(
        ids(store.search(SearchRequest(text="机构改革", limit=20, collapse_duplicates=True)))
    )
    assert everything - collapsed == {doc_id("reposts/zhanjiang.txt")}


def test_an_empty_query_lists_newest_first(store: Store) -> None:
    listed = store.search(SearchRequest(text="", region="广东省", limit=20))
    dates = [h.date or "" for h in listed.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5 and all(dates)
    assert all(not h.snippets for h in listed.hits)


def test_bad_requests_are_query_errors(store: Store) -> None:
    for request in (
        SearchRequest(text="编制", limit=0),
        SearchRequest(text="编制", offset=-1),
        SearchRequest(text="编制", year_from=2020, year_to=2019),
        SearchRequest(text="编制", doc_type="memo"),
        SearchRequest(text="编制", date_from="2019-13-01"),
        SearchRequest(text="，。"),
    ):
        with pytest.raises(QueryError):
            store.search(request)


# --- metrics, comparison, 三定 ---------------------------------------------------------------


def test_metrics_by_indicator_region_level_value_and_year(store: Store) -> None:
    rates = store.metrics(MetricRequest(indicators=("staffing.reduction_rate",), limit=None))
    assert sorted(r.metric.value for r in rates.rows) == [6, 9.5, 12, 14.8]
    assert rates.rows[0].date == "2021-06-01"  # newest document first
    guangdong = store.metrics(MetricRequest(regions=("广东省",), limit=None))
    assert {r.region.name for r in guangdong.rows if r.region} == {"湛江市", "赤坎区", "广州市"}
    county = store.metrics(MetricRequest(regions=("赤坎区",)))
    assert [(r.metric.value, r.metric.text) for r in county.rows] == [(120, "下沉编制120名")]
    assert store.metrics(MetricRequest(level="市级")).total == 2
    ranged = store.metrics(MetricRequest(min_value=10, max_value=100, limit=None))
    assert sorted(r.metric.value for r in ranged.rows) == [12, 14.8, 49]
    early = store.metrics(MetricRequest(year_from=2018, year_to=2018))
    assert [r.document_id for r in early.rows] == [doc_id("reports/changchun.txt")]
    row = county.rows[0]
    assert row.title == "湛江市深化机构改革工作综述" and "赤坎区" in row.metric.sentence


def test_metric_pages(store: Store) -> None:
    everything = store.metrics(MetricRequest(limit=None)).rows
    page = store.metrics(MetricRequest(limit=3, offset=2))
    assert page.total == len(everything) == 8
    assert [(r.document_id, r.metric.start) for r in page.rows] == [
        (r.document_id, r.metric.start) for r in everything[2:5]
    ]


def test_compare_gives_one_row_per_place_with_provenance(store: Store) -> None:
    table = compare_places(store, ["staffing.reduction_rate", "institutions.party_government"],
                          regions=["广东省", "长春市"])  # fmt: skip
    places = [r.region.name for r in table.rows]
    assert places == ["长春市", "广州市", "湛江市"]  # by division code
    zhanjiang = table.rows[2]
    rate = zhanjiang.cells["staffing.reduction_rate"]
    assert rate.latest.value == 6 and rate.latest.date == "2021-06-01"
    assert [o.value for o in rate.observations] == [6, 14.8]
    assert rate.latest.document_id == doc_id("notices/zhanjiang.txt")
    assert "编制精简率6%" in rate.latest.quote
    assert zhanjiang.cells["institutions.party_government"].latest.value == 49
    assert "institutions.party_government" not in table.rows[1].cells
    with pytest.raises(QueryError):
        compare_places(store, [])


def test_sanding_by_region_name_kind_and_body(store: Store) -> None:
    everything = store.sanding(SandingRequest())
    assert [r.department for r in everything.rows] == ["湛江市生态环境局", "江州市市场监督管理局"]
    guangdong = store.sanding(SandingRequest(region="广东"))
    assert [r.department for r in guangdong.rows] == ["湛江市生态环境局"]
    assert store.sanding(SandingRequest(region="江州市")).rows[0].staffing == {
        "行政编制": 45,
        "工勤编制": 3,
    }
    named = store.sanding(SandingRequest(name="市场监督"))
    assert [r.leadership for r in named.rows] == [{"局长": 1, "副局长": 4}]
    assert store.sanding(SandingRequest(kind="政府工作部门")).total == 2
    assert store.sanding(SandingRequest(kind="党委工作机关")).total == 0
    bodies = store.sanding(SandingRequest(body="大气"))
    assert [(r.department, r.internal_bodies) for r in bodies.rows] == [
        ("湛江市生态环境局", ("办公室", "大气环境科"))
    ]
    assert store.sanding(SandingRequest(body="办公室", region="湛江市")).total == 1


# --- words inside longer words ---------------------------------------------------------------

# Sentences of our own; each hides a word of 2 to 6 characters inside a longer word that the
# tokenizer keeps whole or cuts elsewhere, and the word alone is absent from that document.
COMPOUNDS = (
    ("机构改革", "印发《江州市机构改革方案》的通知。", "印发方案的通知。"),
    ("编办", "县委编办牵头落实。", "县委办公室牵头落实。"),
    ("构改", "推进机构改革。", "推进构建改善。"),
    ("综合执法", "组建综合执法局。", "组建执法局。"),
    ("执法改革方", "印发行政执法改革方案。", "印发执法方案。"),
    ("行政执法改革", "行政执法改革方案印发。", "执法改革方案印发。"),
)


@pytest.mark.parametrize(("word", "with_it", "without"), COMPOUNDS)
def test_a_word_inside_a_compound_is_found(
    empty_store: Store, word: str, with_it: str, without: str
) -> None:
    found_doc = document(with_it, source="compound/with.txt", title="通知")
    other = document(without, source="compound/without.txt", title="通知")
    empty_store.index([found_doc, other])
    found = empty_store.search(SearchRequest(text=word))
    assert ids(found) == [found_doc.id]
    excluded = empty_store.search(SearchRequest(text=f"通知 -{word}"))
    assert ids(excluded) == [other.id]


def test_whole_words_rank_above_words_inside_compounds(empty_store: Store) -> None:
    inside = document("会议审议了《江州市机构改革方案》。", source="rank/inside.txt", title="会议")
    whole = document("会议审议了江州市的机构改革问题。", source="rank/whole.txt", title="会议")
    empty_store.index([inside, whole])
    found = empty_store.search(SearchRequest(text="机构改革"))
    assert ids(found) == [whole.id, inside.id]
    assert found.hits[0].score > found.hits[1].score > 0
    assert "<mark>机构改革</mark>" in found.hits[1].snippets[0]


def test_document_number_dates_and_address_are_kept_and_filter(empty_store: Store) -> None:
    first = document("关于调整机构的通知。", source="cite/a.txt", title="通知",
                     doc_number="江府办发〔2023〕7号", url="https://jz.example.cn/a.html",
                     dates={"written": "2023-04-10", "effective": "2023-05-01"})  # fmt: skip
    second = document("关于调整编制的通知。", source="cite/b.txt", title="通知",
                      doc_number="江编办发〔2021〕12号", dates={"effective": "2021-01-01"})  # fmt: skip
    empty_store.index([first, second])
    assert empty_store.get(first.id) == first
    found = empty_store.search(SearchRequest(text="通知", doc_number="〔2023〕7号"))
    assert ids(found) == [first.id]
    assert ids(empty_store.search(SearchRequest(doc_number="编办发"))) == [second.id]
    in_2023 = SearchRequest(effective_from="2023-01-01", effective_to="2023-12-31")
    assert ids(empty_store.search(in_2023)) == [first.id]
    later = empty_store.search(SearchRequest(text="通知", effective_from="2021-01-01", limit=5))
    assert sorted(ids(later)) == sorted([first.id, second.id])


def test_a_publisher_filter_spells_out_abbreviations(empty_store: Store) -> None:
    """编办, 市委编办 and 市政府 as typed find the bodies' full names (and the short ones)."""
    office = document("关于调整机构编制的通知。", source="pub/office.txt", title="通知",
                      publisher="中共江州市委机构编制委员会办公室")  # fmt: skip
    county = document("关于调整县级机构编制的通知。", source="pub/county.txt", title="通知",
                      publisher="中共江州县委机构编制委员会办公室")  # fmt: skip
    government = document("关于调整机构的通知。", source="pub/gov.txt", title="通知",
                          publisher="江州市人民政府")  # fmt: skip
    empty_store.index([office, county, government])

    def found(publisher: str) -> set[str]:
        return set(ids(empty_store.search(SearchRequest(text="通知", publisher=publisher))))

    assert found("编办") == {office.id, county.id}
    assert found("市委编办") == {office.id}
    assert found("市政府") == {government.id}
    assert found("中编办") == set()
