"""Export result sets to CSV, XLSX, Parquet and JSON, with provenance columns on every row.

Column names are ASCII snake_case (Stata reads the CSV and Parquet files); 三定 staffing kinds and
leading posts get ASCII names from data/export_columns.json, unknown ones an `_other` column.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pandas as pd
from openpyxl.utils import get_column_letter

from cnpolicy.errors import ConfigError, StoreError
from cnpolicy.qualifiers import qualifier_of
from cnpolicy.records import as_number
from cnpolicy.search.backend import Hit, MetricRow, SandingRow
from cnpolicy.search.compare import Comparison
from cnpolicy.search.snippets import plain

__all__ = [
    "COMPARE_COLUMNS",
    "CSV_ENCODING",
    "DOCUMENT_COLUMNS",
    "EXPORT_FORMATS",
    "FORMULA_PREFIXES",
    "HEADERS_ZH",
    "LIST_SEPARATOR",
    "MAX_WIDTH",
    "METRIC_COLUMNS",
    "MIN_WIDTH",
    "NUMBER_COLUMNS",
    "SANDING_COLUMNS",
    "SANDING_TAIL",
    "SHEET_BY",
    "SHEET_NAME_CHARS",
    "SHEET_NAME_FORBIDDEN",
    "as_written",
    "check_format",
    "column_names",
    "comparison_records",
    "document_records",
    "format_sheet",
    "mention_link",
    "metric_records",
    "neutralise_cell",
    "sanding_columns",
    "sanding_records",
    "sheet_name",
    "spreadsheet_safe",
    "to_frame",
    "write_records",
    "write_xlsx",
]

EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "json")
# CSV encoding: UTF-8 with a byte-order mark, which Excel needs to show Chinese and which
# pandas, R and Stata (import delimited, encoding utf-8) read without complaint.
CSV_ENCODING = "utf-8-sig"
# Separator between list items in one cell (internal bodies), the enumeration comma of the texts.
LIST_SEPARATOR = "、"

DOCUMENT_COLUMNS = (
    "document_id", "source", "title", "date", "year", "region", "region_code", "province",
    "doc_type", "publisher", "duplicate_of", "score", "snippet",
)  # fmt: skip
METRIC_COLUMNS = (
    "document_id", "source", "title", "date", "indicator", "value", "value_max", "before",
    "unit", "kind", "approx", "qualifier", "subject", "action", "level", "region", "region_code",
    "province", "quote", "sentence", "start", "end",
)  # fmt: skip
# One row per mention: the place, the indicator, the figure as written, and its provenance.
COMPARE_COLUMNS = (
    "region", "region_code", "province", "region_level", "indicator", "indicator_zh", "chosen",
    "value", "value_max", "unit", "approx", "qualifier", "before", "kind", "subject", "scope",
    "recipient",
    "level", "date", "title", "document_id", "source", "start", "end", "link", "quote",
    "sentence", "reposts", "observations",
)  # fmt: skip
# Columns holding figures: written as the text gave them (6, not 6.0) in CSV, XLSX and JSON.
NUMBER_COLUMNS = frozenset({"value", "value_max", "before"})
# Chinese headers of a comparison's XLSX sheets (CSV and Parquet keep the ASCII names Stata needs).
HEADERS_ZH = {
    "region": "地区", "region_code": "区划代码", "province": "省份", "region_level": "地区层级",
    "indicator": "指标代码", "indicator_zh": "指标", "chosen": "选用", "value": "数值",
    "value_max": "数值上限", "unit": "单位", "approx": "约数", "qualifier": "约数原文",
    "before": "改革前", "kind": "类型",
    "subject": "主体", "scope": "范围", "recipient": "承接方", "level": "层级", "date": "日期",
    "title": "标题", "document_id": "文档编号", "source": "来源文件", "start": "起始位置",
    "end": "结束位置", "link": "链接", "quote": "原文", "sentence": "句子", "reposts": "转载",
    "observations": "提及次数", "action": "动作", "doc_type": "文种", "publisher": "发布机构",
    "year": "年份", "duplicate_of": "转载自", "score": "相关度", "snippet": "摘要",
}  # fmt: skip
# The column whose values get a sheet each in an XLSX file, by export layout.
SHEET_BY: dict[tuple[str, ...], str] = {COMPARE_COLUMNS: "indicator_zh"}
# XLSX column widths in characters: wide enough for a place or a date, capped for sentences.
MIN_WIDTH, MAX_WIDTH = 8, 60
# Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_CHARS = 31
SHEET_NAME_FORBIDDEN = "[]:*?/\\"
SANDING_COLUMNS = (
    "document_id", "source", "title", "date", "department", "region", "region_code", "nature",
    "rank", "duties_count", "internal_bodies_count", "internal_bodies",
)  # fmt: skip
SANDING_TAIL = ("interpreter", "effective_date")
# Leading characters a spreadsheet reads as the start of a formula (OWASP "CSV injection"); a text
# cell starting with one gets a leading apostrophe so Excel, LibreOffice and openpyxl keep it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@lru_cache(maxsize=1)
def column_names() -> dict[str, dict[str, str]]:
    text = resources.files("cnpolicy.search").joinpath("data").joinpath("export_columns.json")
    data = json.loads(text.read_text("utf-8"))
    return {"staffing": data["staffing"], "leadership": data["leadership"]}


def document_records(hits: Iterable[Hit]) -> list[dict[str, Any]]:
    records = []
    for hit in hits:
        region = hit.region
        records.append(
            {
                "document_id": hit.id,
                "source": hit.source,
                "title": hit.title,
                "date": hit.date,
                "year": int(hit.date[:4]) if hit.date and hit.date[:4].isdigit() else None,
                "region": region.name if region else None,
                "region_code": region.code if region else None,
                "province": region.province if region else None,
                "doc_type": hit.doc_type,
                "publisher": hit.publisher,
                "duplicate_of": hit.duplicate_of,
                "score": hit.score,
                "snippet": plain(hit.snippets[0]) if hit.snippets else None,
            }
        )
    return records


def metric_records(rows: Iterable[MetricRow]) -> list[dict[str, Any]]:
    records = []
    for row in rows:
        m, region = row.metric, row.region
        records.append(
            {
                "document_id": row.document_id,
                "source": row.source,
                "title": row.title,
                "date": row.date,
                "indicator": m.indicator,
                "value": m.value,
                "value_max": m.value_max,
                "before": m.before,
                "unit": m.unit,
                "kind": m.kind,
                "approx": m.approx,
                "qualifier": qualifier_of(m.text, m.approx),
                "subject": m.subject,
                "action": m.action,
                "level": m.level,
                "region": region.name if region else None,
                "region_code": region.code if region else None,
                "province": region.province if region else None,
                "quote": m.text,
                "sentence": m.sentence,
                "start": m.start,
                "end": m.end,
            }
        )
    return records


def mention_link(document_id: str, start: int, end: int) -> str:
    """The web interface's address of one mention: the document page with it marked."""
    query = urlencode({"start": start, "end": end})
    return f"/ui/documents/{quote(document_id, safe='')}?{query}#m-{start}"


def comparison_records(comparison: Comparison) -> list[dict[str, Any]]:
    """One record per mention of every cell (the chosen one marked), with a link to it."""
    records = []
    for r in comparison.long_records():
        record = {c: r.get(c) for c in COMPARE_COLUMNS}
        record["link"] = mention_link(r["document_id"], r["start"], r["end"])
        record["reposts"] = LIST_SEPARATOR.join(r["reposts"]) or None
        records.append(record)
    return records


def _counts(prefix: str, values: dict[str, int], names: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {f"{prefix}_{name}": None for name in names.values()}
    other = []
    for key, count in values.items():
        if key in names:
            out[f"{prefix}_{names[key]}"] = count
        else:
            other.append(f"{key}={count}")
    out[f"{prefix}_other"] = "; ".join(other) or None
    out[f"{prefix}_total"] = sum(values.values())
    return out


def sanding_records(rows: Iterable[SandingRow]) -> list[dict[str, Any]]:
    names = column_names()
    records = []
    for row in rows:
        record: dict[str, Any] = {
            "document_id": row.document_id, "source": row.source, "title": row.title,
            "date": row.date, "department": row.department, "region": row.region,
            "region_code": row.region_code, "nature": row.nature, "rank": row.rank,
            "duties_count": row.duties_count, "internal_bodies_count": len(row.internal_bodies),
            "internal_bodies": LIST_SEPARATOR.join(row.internal_bodies),
        }  # fmt: skip
        record.update(_counts("staffing", row.staffing, names["staffing"]))
        record.update(_counts("leadership", row.leadership, names["leadership"]))
        record.update({"interpreter": row.interpreter, "effective_date": row.effective_date})
        records.append(record)
    return records


def sanding_columns() -> tuple[str, ...]:
    names = column_names()
    middle: list[str] = []
    for prefix in ("staffing", "leadership"):
        middle.extend(f"{prefix}_{n}" for n in names[prefix].values())
        middle.extend((f"{prefix}_other", f"{prefix}_total"))
    return (*SANDING_COLUMNS, *middle, *SANDING_TAIL)


def to_frame(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A frame with exactly these columns, in this order, even when there are no records."""
    return pd.DataFrame.from_records(list(records), columns=list(columns))


def neutralise_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made inert with a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_safe(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with every text cell neutralised (numbers stay numbers)."""
    return [{k: neutralise_cell(v) for k, v in r.items()} for r in records]


def check_format(fmt: str) -> str:
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(
            f"unknown export format {fmt!r}, expected one of {', '.join(EXPORT_FORMATS)}",
            field="format",
        )
    return fmt


def as_written(frame: pd.DataFrame) -> pd.DataFrame:
    """Figures as the text gave them: integral values as integers (6, not 6.0)."""
    out = frame.copy()
    for column in NUMBER_COLUMNS & set(out.columns):
        out[column] = pd.Series(
            [None if pd.isna(v) else as_number(v) for v in out[column]], dtype=object
        )
    return out


def sheet_name(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, unique in the workbook."""
    base = "".join("_" if c in SHEET_NAME_FORBIDDEN else c for c in text)[:SHEET_NAME_CHARS]
    name, n = base or "sheet", 1
    while name in taken:
        n += 1
        name = f"{base[: SHEET_NAME_CHARS - len(str(n)) - 1]}~{n}"
    taken.add(name)
    return name


def format_sheet(sheet: Any, frame: pd.DataFrame) -> None:
    """Frozen header row, a filter on every column, and widths from the longest cells."""
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for n, column in enumerate(frame.columns, start=1):
        cells = [str(column), *(str(v) for v in frame[column].head(200) if v is not None)]
        width = min(MAX_WIDTH, max(MIN_WIDTH, *(len(c) * 2 for c in cells)))
        sheet.column_dimensions[get_column_letter(n)].width = width


def write_xlsx(frame: pd.DataFrame, path: Path, *, sheet_by: str | None = None) -> None:
    """An XLSX workbook with a frozen, filtered header row: one sheet, or one per value of
    `sheet_by` with Chinese headers (a comparison, read by people; other layouts keep the ASCII
    names scripts read)."""
    parts = (
        [(str(k), part) for k, part in frame.groupby(sheet_by, sort=False)]
        if sheet_by and len(frame)
        else [("data", frame)]
    )
    taken: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, part in parts:
            shown = part.rename(columns=lambda c: HEADERS_ZH.get(c, c)) if sheet_by else part
            title = sheet_name(name, taken)
            shown.to_excel(writer, sheet_name=title, index=False)
            format_sheet(writer.sheets[title], shown)


def write_records(
    records: Sequence[dict[str, Any]],
    columns: Sequence[str],
    path: Path,
    fmt: str,
    *,
    sheet_by: str | None = None,
) -> int:
    """Write the records in the format; returns the number of rows written. An XLSX file has a
    sheet per value of `sheet_by` when given (a comparison: one per indicator)."""
    check_format(fmt)
    sheet_by = sheet_by or SHEET_BY.get(tuple(columns))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json":
            rows = [{c: r.get(c) for c in columns} for r in records]
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", "utf-8")
            return len(rows)
        spreadsheet = fmt in ("csv", "xlsx")
        frame = to_frame(spreadsheet_safe(records) if spreadsheet else records, columns)
        if fmt == "csv":
            # CRLF rows (RFC 4180) so a carriage return inside a cell is quoted, not a row break.
            as_written(frame).to_csv(
                path, index=False, encoding=CSV_ENCODING, lineterminator="\r\n"
            )
        elif fmt == "xlsx":
            write_xlsx(as_written(frame), path, sheet_by=sheet_by)
        else:
            frame.to_parquet(path, index=False, engine="pyarrow")
        return len(frame)
    except OSError as error:
        raise StoreError(f"cannot write the export ({error.strerror})", source=str(path)) from None
