"""The web interface in a real browser: Chromium (Debian's) driven by Playwright, against uvicorn.

Skipped, with the reason, when Playwright or /usr/bin/chromium is missing (scripts/test.sh
installs chromium when it can). A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cnpolicy.api.app import create_app
from cnpolicy.api.settings import Settings
from tests.conftest import REPO
from tests.test_api_support import (
    REPORTS,
    SENT_DOWN,
    filled_store,
    repeated_quote_document,
    running_server,
    sample_documents,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route, ViewportSize

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = REPO / "test-artifacts"
# Milliseconds a page element may take to appear: uploads run the extraction pipeline, whose
# first use in a process loads jieba's dictionary (a few seconds on a slow machine).
UPLOAD_TIMEOUT_MS = 60_000
PHONE: ViewportSize = {"width": 390, "height": 800}
UPLOAD_TEXT = (
    "柳州市深化机构改革工作综述\n"
    "2020年以来，柳州市按照自治区党委部署推进机构改革，全市精简机构9个，下划编制260名充实基层。\n"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = filled_store(tmp_path_factory.mktemp("browser") / "store.db")
    with running_server(create_app(store, settings=Settings(page_size=2))) as url:
        yield url
    store.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page that refuses every request off the test server, screenshotted on failure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened: Page = context.new_page()
    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if route.request.url.startswith("http://127.0.0.1:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    opened.route("**/*", only_loopback)
    failed_before = request.session.testsfailed
    yield opened
    if request.session.testsfailed > failed_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        opened.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert outside == [], f"the page asked for outside resources: {outside}"


def no_horizontal_scroll(page: Page) -> bool:
    width: bool = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    return width


def test_search_filter_and_page(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/ui/search")
    page.fill("input[name=q]", "机构改革")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector(".hit")
    assert f"共 {len(REPORTS)} 篇" in page.inner_text("#result-count")
    assert page.locator(".hit").count() == 2  # page size 2
    assert page.locator(".snippet mark").first.inner_text() == "机构改革"
    page.click(".pager a:text('2')")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".hit").count() == 2
    hubei = [r.city for r in REPORTS if r.city in ("咸宁市", "襄阳市")]
    page.click(f"[data-facet-value='{hubei[0]}']")
    page.wait_for_url(re.compile(r"region="))
    titles = page.locator(".hit h3").all_inner_texts()
    assert titles == [f"{hubei[0]}扎实推进机构改革工作纪实"]
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "WenQuanYi Micro Hei" in body_font


def test_document_page_highlights_metrics_and_shows_records(page: Page, base_url: str) -> None:
    document = sample_documents()[0]
    page.goto(f"{base_url}/ui/search?q={document.title}")
    page.click(f"a[href='/ui/documents/{document.id}']")
    # The record card is made by document.js: once it exists, the page's handlers are ready.
    page.wait_for_selector("#record-card", state="attached")
    assert page.inner_text("#doc-title") == document.title
    marks = page.locator(".doc-text mark.metric")
    assert marks.all_inner_texts() == [m.text for m in document.metrics]
    card = page.locator("#record-card")
    assert card.is_hidden()
    marks.first.hover()
    card.wait_for(state="visible")
    assert str(document.metrics[0].value) in card.inner_text()
    assert (document.metrics[0].indicator or "") in card.inner_text()
    page.locator(".doc-text mark.entity").first.click()
    assert "ORG" in card.inner_text() or "GPE" in card.inner_text()
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")
    rows = page.locator("#metrics tbody tr")
    assert rows.count() == len(document.metrics)


def test_compare_bars_link_to_their_quotes(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/ui/compare")
    page.fill("#indicator", SENT_DOWN)
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector(".bars .bar")
    bars = page.locator(".bars .bar")
    assert bars.count() == len(REPORTS)
    widths = {}
    for i in range(bars.count()):
        label = page.locator(".bar-row").nth(i).locator(".bar-label").inner_text()
        box = bars.nth(i).bounding_box()
        assert box is not None, label
        widths[label] = box["width"]
    by_city = {r.city: r.sent_down for r in REPORTS}
    largest = max(by_city, key=lambda c: by_city[c])
    smallest = min(by_city, key=lambda c: by_city[c])
    ratio = widths[smallest] / widths[largest]
    assert ratio == pytest.approx(by_city[smallest] / by_city[largest], abs=0.02)
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename.endswith(".csv")
    row = page.locator(".bar-row").filter(has_text=largest)
    row.locator(".bar").click()
    page.wait_for_selector(".doc-text mark.linked")
    assert page.locator(".doc-text mark.linked").inner_text() == f"{by_city[largest]}名"


def in_view(page: Page, selector: str) -> bool:
    inside: bool = page.eval_on_selector(
        selector,
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
    )
    return inside


def test_a_bar_lands_on_its_own_mention_not_an_equal_quote(page: Page, tmp_path: Path) -> None:
    """The document repeats the bar's quote earlier: the link's offsets pick the right one."""
    document = repeated_quote_document()
    wanted = next(m for m in document.metrics if m.indicator == SENT_DOWN)
    earlier = next(m for m in document.metrics if m.indicator != SENT_DOWN)
    assert earlier.text == wanted.text and earlier.start < wanted.start
    store = filled_store(tmp_path / "bars.db")
    store.put(document)
    with running_server(create_app(store)) as url:
        page.goto(f"{url}/ui/compare?indicator={SENT_DOWN}&regions=柳州市")
        page.locator(".bars .bar").click()
        page.wait_for_url(re.compile(rf"\?start={wanted.start}&end={wanted.end}#m-{wanted.start}$"))
        page.wait_for_selector(".doc-text mark.linked")
        linked = page.locator(".doc-text mark.linked")
        assert linked.count() == 1
        assert linked.get_attribute("data-start") == str(wanted.start)
        assert linked.get_attribute("data-end") == str(wanted.end)
        assert linked.inner_text() == wanted.text
        assert page.evaluate("window.scrollY") > 0 and in_view(page, ".doc-text mark.linked")
        card = page.locator("#record-card")
        card.wait_for(state="visible")
        assert SENT_DOWN in card.inner_text()
        assert "linked" not in (page.get_attribute(f"#m-{earlier.start}", "class") or "")
        # The table's quote link lands on the same mention.
        page.go_back()
        page.click("#compare-table a.quote")
        page.wait_for_url(re.compile(rf"#m-{wanted.start}$"))
        page.wait_for_selector(".doc-text mark.linked")
        assert page.get_attribute(".doc-text mark.linked", "data-start") == str(wanted.start)
        # The page's own metrics table moves the mark to the mention it names.
        page.click(f"#metrics a[href='#m-{earlier.start}']")
        page.wait_for_function(
            f"document.querySelector('.doc-text mark.linked').dataset.start === '{earlier.start}'"
        )
        assert in_view(page, ".doc-text mark.linked")
        assert page.locator(".doc-text mark.linked").count() == 1
    store.close()


def test_the_document_page_links_its_original_file(page: Page, tmp_path: Path) -> None:
    store = filled_store(tmp_path / "originals.db")
    # A long name without spaces: the page must still fit a phone's width.
    good = tmp_path / f"liuzhou-{'x' * 90}.txt"
    good.write_text(UPLOAD_TEXT, encoding="gb18030")
    with running_server(create_app(store)) as url:
        page.goto(f"{url}/ui/upload")
        page.set_input_files("#files", [str(good)])
        page.click("#upload-button")
        page.wait_for_selector(".upload-item.ok a", timeout=UPLOAD_TIMEOUT_MS)
        page.click(".upload-item.ok a")
        page.wait_for_selector("#source-link[data-source=original]")
        href = page.get_attribute("#source-link", "href")
        assert href is not None
        response = page.request.get(url + href)
        assert response.body() == good.read_bytes()
        assert response.headers["content-type"] == "text/plain; charset=gb18030"
        assert good.name in page.inner_text("dl.doc-meta")
        page.set_viewport_size(PHONE)
        assert no_horizontal_scroll(page)
    store.close()


def test_upload_shows_progress_and_per_file_results(page: Page, tmp_path: Path) -> None:
    store = filled_store(tmp_path / "upload.db")
    before = store.count()
    good = tmp_path / "liuzhou.txt"
    good.write_text(UPLOAD_TEXT, encoding="gb18030")
    bad = tmp_path / "picture.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    with running_server(create_app(store)) as url:
        page.goto(f"{url}/ui/upload")
        # Submitting with no file says so, and sends nothing.
        page.click("#upload-button")
        assert "请先选择文件" in page.inner_text("#upload-note")
        assert page.locator(".upload-item").count() == 0
        page.set_input_files("#files", [str(good), str(bad)])
        page.click("#upload-button")
        page.wait_for_selector(".upload-item.ok a", timeout=UPLOAD_TIMEOUT_MS)
        page.wait_for_selector(".upload-item.failed", timeout=UPLOAD_TIMEOUT_MS)
        items = page.locator(".upload-item")
        assert items.count() == 2
        assert "picture.txt" in page.inner_text(".upload-item.failed")
        failed = page.inner_text(".upload-item.failed .status")
        assert "(415)" in failed
        assert "不支持的文件格式" in failed and "picture.txt" not in failed.split("(415)")[1]
        assert "expected" in failed or "format" in failed  # the English message too
        assert page.locator(".upload-item.ok progress").get_attribute("value") == "100"
        assert store.count() == before + 1
        # The same file again: reported as already in the library, nothing written twice.
        page.set_input_files("#files", [str(good)])
        page.click("#upload-button")
        page.wait_for_selector(".upload-already_indexed", timeout=UPLOAD_TIMEOUT_MS)
        assert "已在库中" in page.inner_text(".upload-already_indexed")
        assert store.count() == before + 1
        page.click(".upload-item.ok a")
        page.wait_for_selector(".doc-text")
        assert "柳州市" in page.inner_text(".doc-text")
    store.close()


@pytest.mark.parametrize(
    "path",
    ["/ui/search?q=机构改革", "/ui/compare?indicator=" + SENT_DOWN, "/ui/upload", "/docs"],
)
def test_pages_fit_a_phone_screen(page: Page, base_url: str, path: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(base_url + path)
    assert no_horizontal_scroll(page)
    assert page.locator(".site-nav").is_visible()


def test_document_page_fits_a_phone_screen(page: Page, base_url: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{base_url}/ui/documents/{sample_documents()[-1].id}")
    assert no_horizontal_scroll(page)
    assert page.locator("#sanding").is_visible()


def test_a_chinese_indicator_name_compares_with_notes_and_mentions(
    page: Page, base_url: str
) -> None:
    """A researcher types the Chinese name (suggested as they type); the chart's numbers are the
    table's, and each bar opens onto every mention behind it."""
    from cnpolicy.indicators import load_taxonomy

    known = load_taxonomy().get(SENT_DOWN)
    assert known is not None
    page.goto(f"{base_url}/ui/compare")
    suggested = page.locator(f"#indicator-list option[value='{known.label_zh}']")
    assert suggested.count() == 1
    page.fill("#indicator", known.label_zh)
    page.click("#compare-form button[type=submit]")
    page.wait_for_selector(".bars .bar")
    assert page.locator(".chart").count() == 1
    assert known.unit in page.locator(".chart-caption").inner_text()
    charted = {
        row.locator(".bar-label").inner_text(): row.locator(".bar-value").inner_text()
        for row in page.locator(".bar-row").all()
    }
    tabled = {
        row.locator("td").nth(0).inner_text(): row.locator("td.num").first.inner_text()
        for row in page.locator("#compare-table tbody tr").all()
    }
    assert charted == tabled
    assert set(charted) == {r.city for r in REPORTS}
    first = page.locator(".bar-row").first
    first.locator("details.mentions summary").click()
    mention = first.locator("details.mentions li.mention.chosen a")
    assert mention.is_visible()
    assert mention.inner_text().endswith(known.unit)


@pytest.mark.parametrize(
    "path",
    [
        "/ui/search?q=机构改革", "/ui/compare?indicator=" + SENT_DOWN, "/ui/upload", "/docs", "/",
        "/ui/sanding?region=广东省",
    ],
)  # fmt: skip
def test_pages_run_under_the_content_security_policy(page: Page, base_url: str, path: str) -> None:
    """The pages' scripts and styles all pass the CSP: Chromium reports no violation."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    answer = page.goto(f"{base_url}{path}")
    assert answer is not None and "script-src 'self'" in answer.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    assert not violations, violations


# Every page a researcher meets, with content (a search with hits, a document with figures and a
# 三定 record, a comparison, the 三定 table), empty (no hits), and an error page.
AXE_PAGES = (
    "/", "/ui/search?q=机构改革", "/ui/search?q=不存在的词语组合", "/ui/compare",
    "/ui/compare?indicator=" + SENT_DOWN, "/ui/upload", "/ui/sanding", "/docs",
    "/ui/documents/" + sample_documents()[0].id, "/ui/documents/" + sample_documents()[-1].id,
    "/ui/documents/0000000000000000",
)  # fmt: skip
# axe-core's impacts that fail the check; moderate and minor findings are reported, not failed.
AXE_FAILING_IMPACTS = frozenset({"serious", "critical"})


@pytest.mark.parametrize("path", AXE_PAGES)
def test_pages_pass_the_axe_accessibility_check(page: Page, base_url: str, path: str) -> None:
    """axe-core (bundled with axe-playwright-python, nothing fetched) on every page: no serious or
    critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    page.goto(f"{base_url}{path}")
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    failing = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in AXE_FAILING_IMPACTS
    ]
    assert not failing, failing


def test_a_researcher_finds_narrows_sorts_and_cites_without_the_docs(
    page: Page, tmp_path: Path
) -> None:
    """Issue 14's path, by the page's own controls only: every document mentioning 机构改革
    (compounds included), one issuer by a partial name, newest first, a province's 三定 table,
    and a document cited by its number and dates."""
    from cnpolicy.search.sqlite.store import SqliteStore
    from tests.test_store_backend import document

    notice = document(
        "关于印发《江州市机构改革方案》的通知\n各区县：现将方案印发给你们，请认真贯彻执行。",
        source="notices/jiangzhou-plan.txt", title="关于印发《江州市机构改革方案》的通知",
        date="2022-03-01", publisher="中共江州市委机构编制委员会办公室", doc_type="notice",
        doc_number="江编办发〔2022〕3号", dates={"written": "2022-02-20", "effective": "2022-03-01"},
    )  # fmt: skip
    store = SqliteStore(tmp_path / "path.db")
    store.index([*sample_documents(), notice])
    with running_server(create_app(store)) as url:
        page.goto(f"{url}/ui/search")
        page.fill("input[name=q]", "机构改革")
        page.click("#search-form button[type=submit]")
        titles = page.locator("article.hit h3 a").all_inner_texts()
        assert "关于印发《江州市机构改革方案》的通知" in titles  # found inside the compound
        everything = int(page.inner_text("#result-count strong"))
        # One issuer by a partial, abbreviated name (its documents carry the full name).
        page.fill("input[name=publisher]", "江州市委编办")
        page.click("#search-form button[type=submit]")
        narrowed = int(page.inner_text("#result-count strong"))
        assert narrowed == 1 < everything
        assert page.locator("article.hit h3 a").all_inner_texts() == [notice.title]
        page.fill("input[name=publisher]", "编办")  # every establishment office
        page.click("#search-form button[type=submit]")
        page.select_option("#sort", "newest")
        page.click("#search-form button[type=submit]")
        dates = [d for d in page.locator("article.hit .meta").all_inner_texts()]
        years = [int(m) for d in dates for m in re.findall(r"(\d{4})-\d\d-\d\d", d)[:1]]
        assert years == sorted(years, reverse=True) and years
        page.click("article.hit h3 a >> text=江州市机构改革方案")
        assert page.inner_text("#doc-number") == "江编办发〔2022〕3号"
        assert page.inner_text("#date-effective") == "2022-03-01"
        assert page.inner_text("#date-written") == "2022-02-20"
        page.click("nav >> text=三定")
        page.fill("#region", "广东省")
        page.click("#sanding-form button[type=submit]")
        rows = page.locator("#sanding-table tbody tr")
        assert rows.count() >= 1
        assert "湛江" in page.inner_text("#sanding-table")
    store.close()
