"""The web pages as HTML (through the ASGI app), and the pure helpers behind them.

Browser behaviour (hover, upload progress, layout) is in test_web_browser.py.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.api.auth import token_matches
from cnpolicy.api.docs_page import operations
from cnpolicy.api.errors import status_for
from cnpolicy.api.highlight import (
    choose_spans,
    focus_mark,
    highlight_document,
    safe_snippet,
    scale_bars,
    segment_text,
)
from cnpolicy.api.pages import file_size, mention_url, pager, query_string
from cnpolicy.api.settings import Settings, settings_from_env
from cnpolicy.api.uploads import safe_name
from cnpolicy.errors import ConfigError, NotFoundError, QueryError, UnsupportedFormatError
from cnpolicy.records import Entity, Metric
from cnpolicy.search.requests import split_list
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_api_support import (
    REPORTS,
    SENT_DOWN,
    ApiClient,
    client_for,
    filled_store,
    repeated_quote_document,
    report_document,
    sample_documents,
)

MARK = re.compile(r'<mark class="(metric|entity)"[^>]*data-i="(\d+)"[^>]*>(.*?)</mark>', re.S)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    return filled_store(tmp_path_factory.mktemp("pages") / "store.db")


@pytest.fixture(scope="module")
def client(store: SqliteStore) -> ApiClient:
    return client_for(store)


# --- pages -------------------------------------------------------------------------------


def test_root_goes_to_the_search_page(client: ApiClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/ui/search"


def test_search_page_shows_hits_snippets_and_facets(client: ApiClient) -> None:
    page = client.get("/ui/search", params={"q": "机构改革"})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    text = page.text
    assert '<html lang="zh-CN">' in text
    for report in REPORTS:
        assert f"{report.city}扎实推进机构改革工作纪实" in text
        assert f'data-facet-value="{report.city}"' in text
    assert "<mark>机构改革</mark>" in text
    assert "https://" not in text  # no CDN, nothing loaded from elsewhere


def test_search_page_paginates(tmp_path: Path) -> None:
    client = client_for(filled_store(tmp_path / "s.db"), Settings(page_size=2))
    first = client.get("/ui/search", params={"q": "机构改革"}).text
    assert first.count('class="hit"') == 2
    assert "page=2" in first and "page=3" in first
    last = client.get("/ui/search", params={"q": "机构改革", "page": 3}).text
    assert last.count('class="hit"') == len(REPORTS) - 4


def test_search_page_shows_a_bad_query_inline(client: ApiClient) -> None:
    page = client.get("/ui/search", params={"q": "，"})
    assert page.status_code == 400
    assert 'id="search-error"' in page.text and "search-form" in page.text


def test_document_page_highlights_every_metric(client: ApiClient) -> None:
    document = sample_documents()[0]
    page = client.get(f"/ui/documents/{document.id}")
    assert page.status_code == 200
    marks = MARK.findall(page.text)
    metrics = [(int(i), body) for kind, i, body in marks if kind == "metric"]
    assert [document.metrics[i].text for i, _ in metrics] == [m.text for m in document.metrics]
    assert all(html.unescape(body) == document.metrics[i].text for i, body in metrics)
    for metric in document.metrics:
        assert f'id="m-{metric.start}" data-start="{metric.start}" data-end="{metric.end}"' in (
            page.text
        )
    assert 'id="records"' in page.text and "/documents/" + document.id + "/source" in page.text


def test_document_page_shows_the_sanding_record(client: ApiClient) -> None:
    document = sample_documents()[-1]
    assert document.sanding is not None
    page = client.get(f"/ui/documents/{document.id}").text
    assert 'id="sanding"' in page
    for body in document.sanding.internal_bodies:
        assert body.name in page
    report_page = client.get(f"/ui/documents/{sample_documents()[0].id}").text
    assert 'id="sanding"' not in report_page


def test_document_page_of_an_unknown_id_is_an_html_404(client: ApiClient) -> None:
    page = client.get("/ui/documents/ffffffffffffffff")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "ffffffffffffffff" in page.text


def test_document_text_is_escaped(tmp_path: Path) -> None:
    store = filled_store(tmp_path / "s.db")
    base = report_document(REPORTS[0])
    text = base.text + "\n<script>alert(1)</script>"
    store.put(replace(base, id="xss-test", text=text, title="<b>标题</b>"))
    page = client_for(store).get("/ui/documents/xss-test").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>标题</b>" not in page


def test_compare_page_draws_a_bar_per_place_linked_to_its_quote(client: ApiClient) -> None:
    page = client.get("/ui/compare", params={"indicator": SENT_DOWN})
    assert page.status_code == 200
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)" style="width: ([\d.]+)%"', page.text)
    assert len(bars) == len(REPORTS)
    widths = sorted(float(w) for _, w in bars)
    assert widths[-1] == 100.0
    largest = max(r.sent_down for r in REPORTS)
    assert widths[0] == pytest.approx(min(r.sent_down for r in REPORTS) / largest * 100, abs=0.01)
    # Each bar points at its figure's mention by offsets: /ui/documents/ID?start=S&end=E#m-S.
    expected = {
        mention_url(d.id, m.start, m.end)
        for d in sample_documents()
        for m in d.metrics
        if m.indicator == SENT_DOWN
    }
    assert {html.unescape(url) for url, _ in bars} == expected
    quotes = re.findall(r'<a class="quote" href="([^"]+)"', page.text)
    assert {html.unescape(url) for url in quotes} == expected
    assert "quote=" not in page.text
    assert "format=csv" in page.text and "format=xlsx" in page.text


def test_compare_links_the_mention_not_the_first_equal_quote(tmp_path: Path) -> None:
    document = repeated_quote_document()
    store = filled_store(tmp_path / "s.db")
    store.put(document)
    client = client_for(store)
    wanted = next(m for m in document.metrics if m.indicator == SENT_DOWN)
    earlier = next(m for m in document.metrics if m.indicator != SENT_DOWN)
    assert earlier.text == wanted.text and earlier.start < wanted.start
    page = client.get("/ui/compare", params={"indicator": SENT_DOWN, "regions": "柳州市"}).text
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)"', page)
    assert [html.unescape(url) for url in bars] == [
        f"/ui/documents/{document.id}?start={wanted.start}&end={wanted.end}#m-{wanted.start}"
    ]
    linked = client.get(html.unescape(bars[0]).split("#")[0]).text
    assert f'data-focus="m-{wanted.start}"' in linked
    assert f'data-focus="m-{earlier.start}"' not in linked


def test_compare_page_without_an_indicator_shows_the_form(client: ApiClient) -> None:
    page = client.get("/ui/compare")
    assert page.status_code == 200
    assert 'id="compare-form"' in page.text and SENT_DOWN in page.text  # in the menu
    assert 'class="bars"' not in page.text


def test_offsets_in_the_link_focus_that_mention(client: ApiClient) -> None:
    document = sample_documents()[0]
    url = f"/ui/documents/{document.id}"
    for metric in document.metrics:
        page = client.get(url, params={"start": metric.start, "end": metric.end}).text
        assert f'data-focus="m-{metric.start}"' in page
        assert 'id="focus-missing"' not in page
    plain = client.get(url).text
    assert "data-focus=" not in plain and 'id="focus-missing"' not in plain


def test_stale_offsets_say_so_instead_of_marking_something_else(client: ApiClient) -> None:
    document = sample_documents()[0]
    outside = max(m.end for m in document.metrics) + 1  # the last line: no metric there
    page = client.get(f"/ui/documents/{document.id}", params={"start": outside, "end": outside + 3})
    assert page.status_code == 200
    assert "data-focus=" not in page.text and 'id="focus-missing"' in page.text
    bad = client.get(f"/ui/documents/{document.id}", params={"start": -1})
    assert bad.status_code == 422


def test_upload_page_asks_for_the_token_only_when_needed(tmp_path: Path, client: ApiClient) -> None:
    assert 'id="token"' not in client.get("/ui/upload").text
    guarded = client_for(filled_store(tmp_path / "s.db"), Settings(token="t"))
    assert 'id="token"' in guarded.get("/ui/upload").text


def test_static_files_are_served(client: ApiClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "WenQuanYi Micro Hei" in css.text
    assert client.get("/static/upload.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


# --- highlight ---------------------------------------------------------------------------


def _metric(text: str, start: int, end: int) -> Metric:
    return Metric(text=text[start:end], start=start, end=end, sentence=text, value=1, unit="个",
                  kind="count")  # fmt: skip


def _entity(text: str, start: int, end: int) -> Entity:
    return Entity(text=text[start:end], label="ORG", start=start, end=end)


spans = st.tuples(st.integers(-3, 40), st.integers(-3, 40))


@given(st.text(max_size=40), st.lists(spans, max_size=6), st.lists(spans, max_size=6))
def test_segments_give_the_text_back_and_never_overlap(
    text: str, metric_spans: list[tuple[int, int]], entity_spans: list[tuple[int, int]]
) -> None:
    metrics = [_metric(text, a, b) for a, b in metric_spans]
    entities = [_entity(text, a, b) for a, b in entity_spans]
    segments = segment_text(text, metrics, entities)
    assert "".join(s.text for s in segments) == text
    chosen = choose_spans(len(text), metrics, entities)
    for (_, end, _, _), (start, _, _, _) in itertools.pairwise(chosen):
        assert end <= start
    marked = highlight_document(text, metrics, entities)
    assert html.unescape(re.sub(r"<[^>]+>", "", str(marked))) == text


def test_metrics_win_over_overlapping_entities() -> None:
    text = "湛江市精简机构12个"
    metric = _metric(text, 7, 10)
    entity = _entity(text, 0, 9)
    kinds = [s.kind for s in segment_text(text, [metric], [entity])]
    assert kinds == [None, "metric"]


@given(st.text(max_size=60))
def test_snippets_keep_only_mark_tags(raw: str) -> None:
    out = str(safe_snippet(raw))
    tags = re.findall(r"<[^>]*>", out)
    assert set(tags) <= {"<mark>", "</mark>"}
    assert out.count("<mark>") == out.count("</mark>")


def test_snippet_marks_survive_and_markup_does_not() -> None:
    assert str(safe_snippet("a <mark>b</mark> &lt;c&gt;")) == "a <mark>b</mark> &lt;c&gt;"
    assert "<script>" not in str(safe_snippet("<script>x</script><mark>y</mark>"))


def test_bars_scale_to_the_largest_magnitude() -> None:
    bars = scale_bars([("a", 50.0), ("b", -100.0), ("c", 0.0)])
    assert [b.width for b in bars] == [50.0, 100.0, 0.0]
    assert [b.negative for b in bars] == [False, True, False]
    assert [b.width for b in scale_bars([("z", 0.0)])] == [0.0]
    assert scale_bars([]) == []


# --- pages helpers -------------------------------------------------------------------------


def test_pager_links_first_last_and_nearby_pages() -> None:
    links = pager(total=200, page=6, per_page=10, url_for_page=lambda n: f"/p{n}")
    labels = [link.label for link in links]
    assert labels[0].startswith("‹") and labels[-1].endswith("›")
    assert [x for x in labels if x.isdigit()] == ["1", "4", "5", "6", "7", "8", "20"]
    assert [link.label for link in links if link.current] == ["6"]
    assert pager(total=5, page=1, per_page=10, url_for_page=str) == []


def test_query_string_drops_empty_values() -> None:
    assert query_string({"q": "改革", "region": None, "x": "", "c": False, "d": True}) == (
        "q=%E6%94%B9%E9%9D%A9&d=true"
    )


def test_focus_mark_takes_the_exact_mention_else_the_one_over_the_start() -> None:
    text = "全市精简机构12个，下划编制300名。"
    first = _metric(text, text.index("12个"), text.index("12个") + 3)
    inner = _metric(text, first.start + 1, first.end)  # hidden: overlaps the first
    second = _metric(text, text.index("300名"), text.index("300名") + 4)
    segments = segment_text(text, [first, inner, second], [])
    assert focus_mark(segments, second.start, second.end) == f"m-{second.start}"
    assert focus_mark(segments, first.start, first.end) == f"m-{first.start}"
    assert focus_mark(segments, inner.start, inner.end) == f"m-{first.start}"
    assert focus_mark(segments, 0, 2) is None
    assert focus_mark(segments, None, None) is None


def test_mention_urls_and_file_sizes() -> None:
    assert mention_url("ab/c", 12, 16) == "/ui/documents/ab%2Fc?start=12&end=16#m-12"
    assert [file_size(n) for n in (0, 1023, 1536, 3 * 1024 * 1024)] == [
        "0 B", "1023 B", "1.5 KB", "3.0 MB",
    ]  # fmt: skip


@given(st.text(max_size=80))
def test_split_list_never_returns_blanks_or_commas(text: str) -> None:
    parts = split_list(text)
    assert all(p and p == p.strip() and "," not in p and "，" not in p for p in parts)
    assert len(parts) == len(set(parts))


# --- uploads, auth, settings, errors ------------------------------------------------------


@given(st.text(max_size=300))
def test_safe_names_are_labels_not_paths(raw: str) -> None:
    name = safe_name(raw)
    assert name and "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert not any(ord(c) < 32 or ord(c) == 127 for c in name)
    assert len(name) <= 120


def test_safe_name_keeps_the_suffix_of_a_long_name() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\temp\\报告.pdf") == "报告.pdf"
    assert safe_name("甲" * 300 + ".docx").endswith(".docx")
    assert safe_name("") == "upload"


def test_token_comparison() -> None:
    assert token_matches("abc", "Bearer abc")
    assert token_matches("abc", "bearer  abc ")
    assert not token_matches("abc", "Bearer abd")
    assert not token_matches("abc", "Basic abc")
    assert not token_matches("abc", None)
    assert not token_matches("abc", "Bearer")


def test_settings_from_env_and_validation() -> None:
    assert settings_from_env({"CNPOLICY_API_TOKEN": "x"}).token == "x"
    assert settings_from_env({"CNPOLICY_API_TOKEN": ""}).token is None
    assert settings_from_env({}).token is None
    with pytest.raises(ConfigError):
        Settings(max_upload_bytes=0)
    with pytest.raises(ConfigError):
        Settings(cors_origins=("example.org",))
    with pytest.raises(ConfigError):
        Settings(token="  ")


def test_status_codes_for_our_errors() -> None:
    assert status_for(NotFoundError("x", field="id")) == 404
    assert status_for(QueryError("x", field="query")) == 400
    assert status_for(QueryError("x", field="limit")) == 422
    assert status_for(UnsupportedFormatError("x", source="a.png")) == 415


def test_docs_operations_flatten_the_schema(client: ApiClient) -> None:
    found = operations(client.get("/openapi.json").json())
    search = next(op for op in found if op["path"] == "/search")
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "region", "year", "type", "limit", "offset"} <= names
    assert {op["method"] for op in found if op["path"] == "/documents/{doc_id}"} == {
        "get",
        "delete",
    }


def test_the_sanding_page_lists_departments_by_place(client: ApiClient) -> None:
    page = client.get("/ui/sanding", params={"region": "广东省"})
    assert page.status_code == 200
    table = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    assert len(rows) == 1  # the one 三定 of the sample library
    cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
             for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[0], flags=re.S)]  # fmt: skip
    assert cells == [
        "湛江市",
        "湛江市市场监督管理局",
        "市政府工作部门",
        "2",
        "40",
        "4",
        "2019-03-01",
    ]
    assert '<a href="/ui/sanding" aria-current="page">' in page.text
    empty = client.get("/ui/sanding", params={"region": "北京市"})
    assert 'id="no-sanding"' in empty.text and "try without them" in empty.text


def test_error_pages_say_what_went_wrong_in_chinese_and_english(client: ApiClient) -> None:
    """A 422 on a page is a readable Chinese sentence with the English message, not a regex."""
    document = sample_documents()[0]
    bad = client.get(f"/ui/documents/{document.id}", params={"start": -1})
    assert bad.status_code == 422
    assert "参数有误" in bad.text and 'lang="en"' in bad.text
    assert "^" not in bad.text.split("<main", 1)[-1].split("</main>")[0]  # no raw pattern shown
    missing = client.get("/ui/documents/0000000000000000")
    assert missing.status_code == 404 and "找不到这篇文档" in missing.text


def test_a_search_without_results_says_what_the_library_holds(client: ApiClient) -> None:
    page = client.get("/ui/search", params={"q": "机构改革", "region": "吉林", "type": "notice"})
    assert page.status_code == 200 and 'id="no-results"' in page.text
    drops = re.findall(r'<p id="drop-filters">(.*?)</p>', page.text, re.S)[0]
    links = re.findall(r'href="([^"]+)"', drops)
    assert len(links) == 2  # one per active filter: region, type
    assert all("q=" in link for link in links)  # the words stay
    held = re.findall(r'<div id="library-holdings">(.*?)</div>', page.text, re.S)[0]
    years = sorted(int(d[:4]) for d in (doc.date for doc in sample_documents()) if d)
    assert f"{years[0]}–{years[-1]}" in held
    assert all(doc.region is None or doc.region.name in held for doc in sample_documents())
    # Dropping both, one after the other, finds documents again.
    without_region = client.get(html.unescape(links[0])).text
    last = re.findall(r'<p id="drop-filters">.*?href="([^"]+)"', without_region, re.S)[0]
    assert 'id="no-results"' not in client.get(html.unescape(last)).text


def test_lowercase_or_is_or(client: ApiClient) -> None:
    upper = client.get("/search", params={"q": "精简 OR 下沉"}).json()
    lower = client.get("/search", params={"q": "精简 or 下沉"}).json()
    assert lower["total"] == upper["total"] > 0


def test_placeholders_are_examples_the_library_holds(client: ApiClient) -> None:
    page = client.get("/ui/search").text
    region = re.findall(r'name="region" value="" size="10" placeholder="([^"]+)"', page)[0]
    year = re.findall(r'name="year" value="" size="9" placeholder="([^"]+)"', page)[0]
    assert client.get("/search", params={"region": region}).json()["total"] > 0
    assert client.get("/search", params={"year": year}).json()["total"] > 0
    publisher = re.findall(r'name="publisher" value="" size="12" placeholder="([^"]+)"', page)[0]
    assert client.get("/search", params={"publisher": publisher}).json()["total"] > 0
