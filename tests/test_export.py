"""Exports: every format reads back with the same rows, ASCII column names, provenance columns."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from cnpolicy.errors import ConfigError
from cnpolicy.search.backend import MetricRequest, SandingRequest, SearchRequest
from cnpolicy.search.compare import compare_places
from cnpolicy.search.export import (
    COMPARE_COLUMNS,
    DOCUMENT_COLUMNS,
    EXPORT_FORMATS,
    METRIC_COLUMNS,
    comparison_records,
    document_records,
    metric_records,
    sanding_columns,
    sanding_records,
    write_records,
)
from cnpolicy.search.sqlite.store import SqliteStore
from tests.test_store_backend import sample_documents

STATA_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
PROVENANCE = {"document_id", "source", "title", "date"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    store = SqliteStore(tmp_path_factory.mktemp("export") / "s.db")
    store.index(sample_documents())
    return store


def read(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "csv":
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"region_code": str})
    if fmt == "xlsx":
        return pd.read_excel(path, dtype={"region_code": str})
    if fmt == "parquet":
        return pd.read_parquet(path)
    return pd.DataFrame(json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_metrics_round_trip_in_every_format(store: SqliteStore, tmp_path: Path, fmt: str) -> None:
    records = metric_records(store.metrics(MetricRequest(limit=None)).rows)
    path = tmp_path / f"metrics.{fmt}"
    assert write_records(records, METRIC_COLUMNS, path, fmt) == len(records) == 8
    frame = read(path, fmt)
    assert list(frame.columns) == list(METRIC_COLUMNS)
    assert sorted(frame["value"].astype(float)) == sorted(float(r["value"]) for r in records)
    assert set(frame["quote"]) == {r["quote"] for r in records}
    assert frame["region_code"].dropna().str.fullmatch(r"\d{6}").all()  # codes stay text


def test_every_column_name_is_stata_safe() -> None:
    for columns in (DOCUMENT_COLUMNS, METRIC_COLUMNS, COMPARE_COLUMNS, sanding_columns()):
        assert all(STATA_NAME.fullmatch(c) for c in columns), columns
        assert len(set(columns)) == len(columns)
    for columns in (DOCUMENT_COLUMNS, METRIC_COLUMNS, COMPARE_COLUMNS, sanding_columns()):
        assert set(columns) >= PROVENANCE
    assert {"quote", "sentence"} <= set(METRIC_COLUMNS) and {"quote", "sentence"} <= set(
        COMPARE_COLUMNS
    )


def test_documents_export_has_plain_snippets(store: SqliteStore, tmp_path: Path) -> None:
    records = document_records(store.search(SearchRequest(text="即来即办", limit=None)).hits)
    write_records(records, DOCUMENT_COLUMNS, tmp_path / "d.csv", "csv")
    frame = read(tmp_path / "d.csv", "csv")
    assert len(frame) == 2 and frame["year"].tolist() == [2019, 2019]
    assert all("即来即办" in s and "<mark>" not in s for s in frame["snippet"])


def test_compare_export_is_one_row_per_mention(store: SqliteStore, tmp_path: Path) -> None:
    comparison = compare_places(store, ["staffing.reduction_rate"], regions=["广东省"])
    write_records(
        comparison_records(comparison), COMPARE_COLUMNS, tmp_path / "c.parquet", "parquet"
    )
    frame = read(tmp_path / "c.parquet", "parquet")
    assert frame[["region", "value", "chosen", "observations"]].values.tolist() == [
        ["广州市", 9.5, True, 1],
        ["湛江市", 6.0, True, 2],
        ["湛江市", 14.8, False, 2],
    ]
    assert frame["quote"].tolist() == ["编制精简率9.5%", "编制精简率6%", "编制精简率14.8%"]
    assert all(link.startswith("/ui/documents/") for link in frame["link"])


def test_sanding_export_puts_kinds_and_posts_in_ascii_columns(
    store: SqliteStore, tmp_path: Path
) -> None:
    records = sanding_records(store.sanding(SandingRequest(limit=None)).rows)
    write_records(records, sanding_columns(), tmp_path / "s.xlsx", "xlsx")
    frame = read(tmp_path / "s.xlsx", "xlsx").set_index("department")
    jiangzhou = frame.loc["江州市市场监督管理局"]
    assert jiangzhou["staffing_administrative"] == 45 and jiangzhou["staffing_service"] == 3
    assert jiangzhou["staffing_total"] == 48
    assert (
        jiangzhou["leadership_bureau_head"] == 1 and jiangzhou["leadership_deputy_bureau_head"] == 4
    )
    assert jiangzhou["internal_bodies"] == "办公室、政策法规科、登记注册科"
    assert jiangzhou["internal_bodies_count"] == 3


def test_unknown_kinds_go_to_the_other_column() -> None:
    from cnpolicy.search.backend import SandingRow

    row = SandingRow("d", "s", None, None, "局", "市", None, None, None, 0, (), {"特殊编制": 2, "行政编制": 5},
                     {"首席专家": 1})  # fmt: skip
    record = sanding_records([row])[0]
    assert record["staffing_other"] == "特殊编制=2" and record["staffing_administrative"] == 5
    assert record["leadership_other"] == "首席专家=1" and record["staffing_total"] == 7


def test_empty_results_still_have_the_columns(tmp_path: Path) -> None:
    write_records([], METRIC_COLUMNS, tmp_path / "e.csv", "csv")
    assert list(read(tmp_path / "e.csv", "csv").columns) == list(METRIC_COLUMNS)


def test_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="dta"):
        write_records([], METRIC_COLUMNS, tmp_path / "x.dta", "dta")


HOSTILE_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def hostile_records() -> list[dict[str, object]]:
    """One metric row per formula prefix, the prefix leading title, sentence, subject and file name."""
    return [
        {
            "document_id": index, "source": f"{p}cmd|' /C calc'!A0.txt", "title": f"{p}HYPERLINK(\"x\")",
            "date": "2024-01-01", "value": -3.5, "subject": f"{p}1+1", "sentence": f"{p}SUM(A1:A9)",
            "quote": "编制精简率14.8%",
        }
        for index, p in enumerate(HOSTILE_PREFIXES)
    ]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_that_look_like_formulas_are_neutralised(tmp_path: Path, fmt: str) -> None:
    import openpyxl

    records = hostile_records()
    path = tmp_path / f"hostile.{fmt}"
    write_records(records, METRIC_COLUMNS, path, fmt)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        header = [c.value for c in sheet[1]]
        rows = [
            dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
        ]
        assert len(rows) == len(records)
        for row, record in zip(rows, records, strict=True):
            for column in ("source", "title", "subject", "sentence"):
                assert row[column].data_type == "s"  # never "f" (formula)
                assert row[column].value == "'" + str(record[column])
            assert row["value"].value == -3.5  # numbers stay numbers
            assert row["quote"].value == record["quote"]
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        read_back = list(csv.DictReader(handle))
    for column in ("source", "title", "subject", "sentence"):
        assert [r[column] for r in read_back] == ["'" + str(r[column]) for r in records]
    assert [float(r["value"]) for r in read_back] == [-3.5] * len(records)


def test_csv_printed_by_the_cli_is_neutralised() -> None:
    from cnpolicy.cli.render import write_csv

    out = io.StringIO()
    write_csv(hostile_records(), METRIC_COLUMNS, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["title"][0] for r in rows] == ["'"] * len(HOSTILE_PREFIXES)
    assert [r["sentence"][1] for r in rows] == list(HOSTILE_PREFIXES)
