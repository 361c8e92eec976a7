"""Records ↔ rows of the embedded store's tables (pure): what each table holds for a document.

Reading a document back gives the record that was written (a property the tests check).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cnpolicy.abbreviations import issuer_name
from cnpolicy.records import (
    Document,
    Duty,
    Entity,
    InternalBody,
    Metric,
    Region,
    Sanding,
    Section,
)
from cnpolicy.search.backend import document_year, metric_region, sanding_region_code
from cnpolicy.search.segment import ZWSP

__all__ = [
    "DOCUMENT_COLUMNS",
    "METRIC_FIELDS",
    "SANDING_CHILD_COLUMNS",
    "SANDING_COLUMNS",
    "Row",
    "document_row",
    "entity_rows",
    "facet_key",
    "insert_sql",
    "metric_rows",
    "read_document",
    "read_metric",
    "read_sanding",
    "region_from",
    "region_values",
    "sanding_child_rows",
    "sanding_row",
    "section_rows",
]

Row = tuple[Any, ...]

DOCUMENT_COLUMNS = (
    "id", "source", "format", "title", "date", "year", "publisher", "region_name", "region_code",
    "province", "region_level", "doc_type", "duplicate_of", "fingerprint", "encoding", "raw_text",
    "publisher_name", "doc_number", "dates", "url",
)  # fmt: skip
METRIC_FIELDS = (
    "ord", "text", "start", "end", "sentence", "value", "value_max", "before", "unit", "kind",
    "approx", "subject", "action", "level", "indicator", "scope", "recipient", "own_region",
    "region_name", "region_code", "province", "region_level",
)  # fmt: skip


def insert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def region_values(region: Region | None) -> Row:
    if region is None:
        return (None, None, None, None)
    return (region.name, region.code, region.province, region.level)


def region_from(
    name: str | None, code: str | None, province: str | None, level: Any
) -> Region | None:
    return (
        Region(name=name, code=code, province=province, level=level) if name is not None else None
    )


def facet_key(document: Document) -> tuple[str | None, int | None, str]:
    """What a document is counted under in facets: region name, year, type."""
    region = document.region
    return (region.name if region else None, document_year(document), document.doc_type)


def document_row(document: Document) -> Row:
    raw = document.text if ZWSP in document.text else None
    return (
        document.id, document.source, document.format, document.title, document.date,
        document_year(document), document.publisher, *region_values(document.region),
        document.doc_type, document.duplicate_of, document.fingerprint, document.encoding, raw,
        issuer_name(document.publisher, document.region), document.doc_number,
        json.dumps(document.dates, ensure_ascii=False) if document.dates else None, document.url,
    )  # fmt: skip


def section_rows(num: int, document: Document) -> list[Row]:
    return [
        (num, i, s.title, s.level, s.start, s.end, s.marker)
        for i, s in enumerate(document.sections)
    ]


def entity_rows(num: int, document: Document) -> list[Row]:
    return [
        (num, i, e.text, e.label, e.start, e.end, e.normalized, e.code)
        for i, e in enumerate(document.entities)
    ]


def metric_rows(num: int, document: Document) -> list[Row]:
    rows = []
    for i, m in enumerate(document.metrics):
        region = metric_region(m, document)
        rows.append(
            (num, i, m.text, m.start, m.end, m.sentence, m.value, m.value_max, m.before, m.unit,
             m.kind, m.approx, m.subject, m.action, m.level, m.indicator, m.scope, m.recipient,
             int(m.region is not None),
             *region_values(region))
        )  # fmt: skip
    return rows


def sanding_row(num: int, sanding: Sanding, document: Document) -> Row:
    return (
        num, sanding.department, sanding.region, sanding_region_code(sanding, document),
        sanding.doc, sanding.nature, sanding.rank, sanding.duties_count,
        int(sanding.has_function_transformation), sanding.function_transformation,
        int(sanding.has_responsibility_division), sanding.responsibility_division,
        sanding.interpreter, sanding.effective_date,
        json.dumps(list(sanding.additional_names), ensure_ascii=False),
        json.dumps(list(sanding.warnings), ensure_ascii=False),
    )  # fmt: skip


SANDING_COLUMNS = (
    "doc", "department", "region", "region_code", "sanding_doc", "nature", "rank", "duties_count",
    "has_function_transformation", "function_transformation", "has_responsibility_division",
    "responsibility_division", "interpreter", "effective_date", "additional_names", "warnings",
)  # fmt: skip


def sanding_child_rows(num: int, sanding: Sanding) -> dict[str, list[Row]]:
    return {
        "sanding_duties": [(num, i, d.number, d.text) for i, d in enumerate(sanding.duties)],
        "sanding_bodies": [
            (num, i, b.name, b.duties) for i, b in enumerate(sanding.internal_bodies)
        ],
        "sanding_staffing": [(num, i, k, v) for i, (k, v) in enumerate(sanding.staffing.items())],
        "sanding_leadership": [
            (num, i, k, v) for i, (k, v) in enumerate(sanding.leadership.items())
        ],
    }


SANDING_CHILD_COLUMNS = {
    "sanding_duties": ("doc", "ord", "number", "text"),
    "sanding_bodies": ("doc", "ord", "name", "duties"),
    "sanding_staffing": ("doc", "ord", "kind", "count"),
    "sanding_leadership": ("doc", "ord", "post", "count"),
}


# --- reading back --------------------------------------------------------------------------


def read_metric(row: Row) -> Metric:
    """A metric from METRIC_FIELDS (without `ord`); its region only when it had its own."""
    (text, start, end, sentence, value, value_max, before, unit, kind, approx, subject, action,
     level, indicator, scope, recipient, own_region, *region) = row  # fmt: skip
    return Metric(
        text=text, start=start, end=end, sentence=sentence, value=value, unit=unit, kind=kind,
        value_max=value_max, before=before, approx=approx, subject=subject, action=action,
        level=level, region=region_from(*region) if own_region else None, indicator=indicator,
        scope=scope, recipient=recipient,
    )  # fmt: skip


def read_sanding(row: Row, children: dict[str, list[Row]]) -> Sanding:
    (_num, department, region, _code, doc, nature, rank, duties_count, has_ft, ft, has_rd, rd,
     interpreter, effective_date, additional_names, warnings) = row  # fmt: skip
    return Sanding(
        department=department,
        region=region,
        doc=doc,
        nature=nature,
        rank=rank,
        additional_names=tuple(json.loads(additional_names)),
        duties=tuple(Duty(number=n, text=t) for n, t in children["sanding_duties"]),
        duties_count=duties_count,
        has_function_transformation=bool(has_ft),
        function_transformation=ft,
        has_responsibility_division=bool(has_rd),
        responsibility_division=rd,
        internal_bodies=tuple(
            InternalBody(name=n, duties=d) for n, d in children["sanding_bodies"]
        ),
        staffing=dict(children["sanding_staffing"]),
        leadership=dict(children["sanding_leadership"]),
        interpreter=interpreter,
        effective_date=effective_date,
        warnings=tuple(json.loads(warnings)),
    )


def read_document(
    row: Row,
    text: str,
    sections: list[Row],
    entities: list[Row],
    metrics: list[Row],
    sanding: Sanding | None,
) -> Document:
    """A document from its DOCUMENT_COLUMNS row, its text, and its child rows (ord dropped)."""
    values = dict(zip(DOCUMENT_COLUMNS, row, strict=True))
    return Document(
        id=values["id"],
        source=values["source"],
        format=values["format"],
        text=values["raw_text"] if values["raw_text"] is not None else text,
        title=values["title"],
        date=values["date"],
        publisher=values["publisher"],
        region=region_from(
            values["region_name"], values["region_code"], values["province"], values["region_level"]
        ),
        doc_type=values["doc_type"],
        sections=tuple(Section(*r) for r in sections),
        duplicate_of=values["duplicate_of"],
        fingerprint=values["fingerprint"],
        encoding=values["encoding"],
        doc_number=values["doc_number"],
        dates=json.loads(values["dates"]) if values["dates"] else {},
        url=values["url"],
        entities=tuple(Entity(*r) for r in entities),
        metrics=tuple(read_metric(r) for r in metrics),
        sanding=sanding,
    )
