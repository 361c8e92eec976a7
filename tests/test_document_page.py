"""The document page as a researcher cites it: number, dates, address, outline, metrics table."""

from __future__ import annotations

import re
from pathlib import Path

from cnpolicy.api.highlight import readable_amount, render_segments, segment_text
from cnpolicy.api.pages import metric_lines
from cnpolicy.dedup import content_id
from cnpolicy.records import Document, Metric, Section
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_api_support import client_for

TEXT = (
    "江州市财政工作报告\n一、总体情况\n全市一般公共预算支出5128.4亿元，增长约3.2%。\n"
    "二、机构编制\n市级机构由40个精简为32个。\n"
)


def sample() -> Document:
    amount = TEXT.index("5128.4亿元")
    cut = TEXT.index("由40个精简为32个")
    metrics = (
        Metric(text="5128.4亿元", start=amount, end=amount + 8, sentence="", value=512840000000,
               unit="元", kind="amount", subject="一般公共预算支出"),
        Metric(text="由40个精简为32个", start=cut, end=cut + 10, sentence="", value=32, before=40,
               unit="个", kind="change", subject="市级机构", approx="about", scope="市级"),
    )  # fmt: skip
    sections = tuple(
        Section(title, 1, TEXT.index(title), TEXT.index(title) + len(title), "一")
        for title in ("一、总体情况", "二、机构编制")
    )
    return Document(
        id=content_id(TEXT), source="cite/report.txt", format="txt", text=TEXT,
        title="江州市财政工作报告", doc_number="江财发〔2024〕3号",
        dates={"written": "2024-01-08", "effective": "2024-02-01"},
        url="https://jz.example.cn/cz/1.html", sections=sections, metrics=metrics,
    )  # fmt: skip


def test_amounts_read_as_written() -> None:
    assert readable_amount(512840000000, "元") == "5128.4亿元"
    assert readable_amount(120000, "人") == "12万人"
    assert readable_amount(14.8, "%") == "14.8%"
    first, second = metric_lines(sample().metrics)
    assert (first.subject, first.amount, first.change) == ("一般公共预算支出", "5128.4亿元", "")
    assert (second.change, second.qualifier) == ("40个 → 32个", "约 市级")


def test_section_anchors_go_where_the_sections_start() -> None:
    document = sample()
    segments = segment_text(document.text, document.metrics, ())
    html = str(
        render_segments(segments, document.metrics, (), [s.start for s in document.sections])
    )
    plain = re.sub(r"<[^>]+>", "", html)
    assert plain == document.text
    for section in document.sections:
        after = html.split(f'<span class="anchor" id="s-{section.start}"></span>', 1)[1]
        assert re.sub(r"<[^>]+>", "", after).startswith(section.title)


def test_the_page_shows_what_a_citation_needs(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        document = sample()
        store.index([document])
        page = client_for(store).get(f"/ui/documents/{document.id}").text
    assert '<dd id="doc-number">江财发〔2024〕3号</dd>' in page
    assert '<dd id="date-written">2024-01-08</dd>' in page
    assert '<dd id="date-effective">2024-02-01</dd>' in page
    assert 'href="https://jz.example.cn/cz/1.html"' in page
    for section in document.sections:
        assert f'href="#s-{section.start}"' in page and f'id="s-{section.start}"' in page
    assert "5128.4亿元" in page and "512840000000" not in page.split('id="records"')[0]
    assert page.index('class="skip-link" href="#metrics"') < page.index('class="doc-text"')
