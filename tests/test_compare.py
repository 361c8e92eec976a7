"""Comparisons on the bundled corpora: no group mixes units, scopes or levels, every cell lists
every mention of its place and indicator, reposts are never counted twice, and Chinese names
work in the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnpolicy.cli import main
from cnpolicy.indicators import load_taxonomy
from cnpolicy.records import Document
from cnpolicy.search.backend import MetricRequest
from cnpolicy.search.compare import MAX_INDICATORS, Comparison, compare_places, unit_of
from cnpolicy.search.sqlite.store import SqliteStore


@pytest.fixture(scope="module")
def corpus_store(
    bundled_documents: dict[str, list[Document]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqliteStore]:
    from cnpolicy.dedup import DuplicateIndex
    from cnpolicy.flows import link_duplicate

    seen = DuplicateIndex()
    store = SqliteStore(tmp_path_factory.mktemp("compare") / "corpus.db")
    documents = [d for found in bundled_documents.values() for d in found]
    linked = [link_duplicate(d, seen) for d in documents]
    store.index([d for d in linked if isinstance(d, Document)])
    yield store
    store.close()


def every_comparison(store: SqliteStore) -> list[Comparison]:
    ids = [i.id for i in load_taxonomy().indicators]
    return [
        compare_places(store, ids[n : n + MAX_INDICATORS])
        for n in range(0, len(ids), MAX_INDICATORS)
    ]


def test_no_group_mixes_units_scopes_or_levels(corpus_store: SqliteStore) -> None:
    groups = 0
    for comparison in every_comparison(corpus_store):
        for group in comparison.groups:
            groups += 1
            rows = [comparison.rows[n] for n in group.rows]
            cells = [row.cells[group.indicator] for row in rows]
            assert {unit_of(c.latest.unit) for c in cells} == {group.unit}
            assert {c.latest.scope for c in cells} == {group.scope}
            assert {row.region.level for row in rows} == {group.level}
            expected = load_taxonomy().get(group.indicator)
            assert expected is not None and group.unit == expected.unit
    assert groups > 20


def test_every_cell_lists_every_mention_once(corpus_store: SqliteStore) -> None:
    cells = 0
    for comparison in every_comparison(corpus_store):
        for indicator in comparison.indicators:
            rows = corpus_store.metrics(MetricRequest(indicators=(indicator,), limit=None)).rows
            for row in comparison.rows:
                cell = row.cells.get(indicator)
                if cell is None:
                    continue
                cells += 1
                stated = {
                    (r.document_id, r.metric.start)
                    for r in rows
                    if r.region is not None
                    and (r.region.code, r.region.name) == (row.region.code, row.region.name)
                }
                listed = [(o.document_id, o.start) for o in cell.observations]
                assert len(listed) == len(set(listed))  # nothing counted twice
                repost_ids = {d for o in cell.observations for d in o.reposts}
                assert not repost_ids & {d for d, _ in listed}
                covered = set(listed) | {
                    (r.document_id, r.metric.start) for r in rows if r.document_id in repost_ids
                }
                assert stated <= covered
                assert cell.latest.scope == row.scope
    assert cells > 30


def test_a_repost_is_folded_onto_its_original(corpus_store: SqliteStore) -> None:
    comparison = compare_places(corpus_store, ["enforcement.teams"], regions=["宜宾市"])
    cells = [
        r.cells["enforcement.teams"] for r in comparison.rows if "enforcement.teams" in r.cells
    ]
    observations = [o for cell in cells for o in cell.observations]
    assert observations and all("repost" not in o.source for o in observations)
    assert any(o.reposts for o in observations)


def test_cells_carry_qualifier_before_and_subject(corpus_store: SqliteStore) -> None:
    data = compare_places(corpus_store, ["下放事权"]).to_dict()
    mentions = [
        m for row in data["rows"] for cell in row["values"].values() for m in cell["mentions"]
    ]
    assert {"document_id", "quote", "start", "end", "value", "unit", "approx", "before",
            "subject", "scope", "date"} <= set(mentions[0])  # fmt: skip
    assert any(m["approx"] == "more_than" and "余" in m["quote"] for m in mentions)
    assert set(data["labels"]) == set(data["indicators"])


def test_compare_by_chinese_name_and_by_subject_in_the_cli(
    corpus_store: SqliteStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(corpus_store.path)
    assert main(["compare", "--indicator", "下放事权", "--format", "json", "--store", store]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "powers.devolved_to_townships" in data["indicators"]
    assert data["rows"] and all("mentions" in c for r in data["rows"] for c in r["values"].values())
    assert main(["compare", "--subject", "综合执法队伍", "--format", "json", "--store", store]) == 0
    by_subject = json.loads(capsys.readouterr().out)
    assert by_subject["indicators"] and all("综合执法队伍" in k for k in by_subject["indicators"])
    for row in by_subject["rows"]:
        for key, cell in row["values"].items():
            assert all("综合执法队伍" in m["subject"] for m in cell["mentions"])
            assert key.endswith(f"({unit_of(cell['unit'])})")
    assert main(["compare", "--indicator", "不存在的指标", "--store", store]) == 2


def test_exports_list_every_mention_with_chinese_sheets(
    corpus_store: SqliteStore, tmp_path: Path
) -> None:
    import csv

    from openpyxl import load_workbook

    from cnpolicy.search.export import COMPARE_COLUMNS, comparison_records, write_records

    comparison = compare_places(corpus_store, ["下放事权", "编制精简率"])
    records = comparison_records(comparison)
    mentions = sum(
        len([o for n, o in enumerate(c.observations) if n == 0 or o.scope == row.scope])
        for row in comparison.rows
        for c in row.cells.values()
    )
    assert len(records) == mentions > len(comparison.rows)
    write_records(records, COMPARE_COLUMNS, tmp_path / "c.csv", "csv")
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert set(COMPARE_COLUMNS) == set(rows[0])
    assert not [r["value"] for r in rows if r["value"].endswith(".0")]
    assert any(r["approx"] == "more_than" for r in rows)
    write_records(records, COMPARE_COLUMNS, tmp_path / "c.xlsx", "xlsx")
    book = load_workbook(tmp_path / "c.xlsx")
    labels = {comparison.labels[i] for i in comparison.indicators} & {
        r["indicator_zh"] for r in records
    }
    assert set(book.sheetnames) == labels and len(labels) > 1
    for sheet in book.worksheets:
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["地区", "区划代码"] and "数值" in header and "链接" in header
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert sheet.column_dimensions["A"].width >= 8
        values = [row[header.index("数值")] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert all(not isinstance(v, float) or not v.is_integer() for v in values)


def test_each_chart_is_one_group_on_its_own_scale(corpus_store: SqliteStore) -> None:
    """The compare page draws a chart per group: a province's total and its cities, or 市级 and
    全市 figures, never share a bar scale, and every chart's widest bar is its own largest."""
    from cnpolicy.api.pages import comparison_charts

    charts = 0
    for comparison in every_comparison(corpus_store):
        drawn = comparison_charts(comparison)
        assert len(drawn) == len(comparison.groups)
        for chart, group in zip(drawn, comparison.groups, strict=True):
            charts += 1
            assert (chart.indicator, chart.unit, chart.scope, chart.level) == (
                group.indicator, group.unit, group.scope, group.level
            )  # fmt: skip
            widths = [row.bar.width for row in chart.rows]
            assert max(widths) == 100 or not any(row.bar.value for row in chart.rows)
            for row, n in zip(chart.rows, group.rows, strict=True):
                cell = comparison.rows[n].cells[group.indicator]
                assert len(row.mentions) == len(cell.observations)
                assert row.mentions[0].chosen and not any(m.chosen for m in row.mentions[1:])
    assert charts > 20


@pytest.mark.parametrize(
    ("quote", "approx", "written"),
    [
        ("两百余项", "more_than", "余"),
        ("30%以上", "more_than", "以上"),
        ("44个以内", "at_most", "以内"),
        ("近三百亿元", "nearly", "近"),
        ("1000人及以上", "more_than", "及以上"),
        ("12个", None, None),
    ],
)
def test_a_qualifier_is_shown_as_written(
    quote: str, approx: str | None, written: str | None
) -> None:
    from cnpolicy.qualifiers import qualifier_of

    assert qualifier_of(quote, approx) == written


def test_cells_and_exports_carry_the_qualifier_as_written(corpus_store: SqliteStore) -> None:
    qualified = [
        mention
        for comparison in every_comparison(corpus_store)
        for record in [comparison.to_dict()]
        for row in record["rows"]
        for cell in row["values"].values()
        for mention in cell["mentions"]
        if mention["approx"]
    ]
    assert qualified, "the corpora state qualified figures"
    for mention in qualified:
        assert mention["qualifier"] is None or mention["qualifier"] in mention["quote"]
    assert any(mention["qualifier"] for mention in qualified)
