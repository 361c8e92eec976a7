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

import pandas as pd

from cnpolicy.errors import ConfigError, StoreError
from cnpolicy.search.backend import Hit, MetricRow, SandingRow
from cnpolicy.search.compare import Comparison
from cnpolicy.search.snippets import plain

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
    "unit", "kind", "approx", "subject", "action", "level", "region", "region_code", "province",
    "quote", "sentence", "start", "end",
)  # fmt: skip
COMPARE_COLUMNS = (
    "region", "region_code", "province", "indicator", "value", "value_max", "unit", "kind",
    "before", "date", "document_id", "source", "title", "quote", "sentence", "observations",
)  # fmt: skip
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


def comparison_records(comparison: Comparison) -> list[dict[str, Any]]:
    return [{c: r.get(c) for c in COMPARE_COLUMNS} for r in comparison.long_records()]


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


def write_records(
    records: Sequence[dict[str, Any]], columns: Sequence[str], path: Path, fmt: str
) -> int:
    """Write the records in the format; returns the number of rows written."""
    check_format(fmt)
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
            frame.to_csv(path, index=False, encoding=CSV_ENCODING, lineterminator="\r\n")
        elif fmt == "xlsx":
            frame.to_excel(path, index=False, engine="openpyxl")
        else:
            frame.to_parquet(path, index=False, engine="pyarrow")
        return len(frame)
    except OSError as error:
        raise StoreError(f"cannot write the export ({error.strerror})", source=str(path)) from None
