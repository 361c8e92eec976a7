"""Compare places on indicators (pure): metric rows → one row per place, one cell per indicator.

A cell's headline value is the most recent statement (newest document, first mention in it);
every other statement is kept with its document and quote, so a reader can check the figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cnpolicy.errors import QueryError
from cnpolicy.extract.indicators import resolve_indicators
from cnpolicy.records import Number, Region
from cnpolicy.search.backend import MetricRow, region_dict

# Most indicators in one comparison: a place × indicator table wider than this is unreadable
# on a screen and in a spreadsheet alike.
MAX_INDICATORS = 20


@dataclass(frozen=True, slots=True)
class Observation:
    """One statement of a figure, with its provenance: the document, the quote, and where the
    quote is in the document's text (`start`, `end`), so a link can point at that mention."""

    value: Number
    value_max: Number | None
    unit: str
    kind: str
    before: Number | None
    date: str | None
    document_id: str
    source: str
    title: str | None
    quote: str
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "kind": self.kind,
            "before": self.before,
            "date": self.date,
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "quote": self.quote,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class Cell:
    indicator: str
    observations: tuple[Observation, ...]  # newest first

    @property
    def latest(self) -> Observation:
        return self.observations[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.latest.to_dict(),
            "observations": len(self.observations),
            "values": [o.value for o in self.observations],
        }


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    region: Region
    cells: dict[str, Cell]

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": region_dict(self.region),
            "values": {k: c.to_dict() for k, c in self.cells.items()},
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    indicators: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"indicators": list(self.indicators), "rows": [r.to_dict() for r in self.rows]}

    def long_records(self) -> list[dict[str, Any]]:
        """One flat record per place and indicator (the export layout), with provenance."""
        records = []
        for row in self.rows:
            for indicator in self.indicators:
                cell = row.cells.get(indicator)
                if cell is None:
                    continue
                latest = cell.latest
                records.append(
                    {
                        "region": row.region.name,
                        "region_code": row.region.code,
                        "province": row.region.province,
                        "indicator": indicator,
                        **latest.to_dict(),
                        "observations": len(cell.observations),
                    }
                )
        return records


def check_indicators(indicators: Sequence[str]) -> tuple[str, ...]:
    """Ids for the indicators named (ids, Chinese names or aliases), at most MAX_INDICATORS."""
    cleaned = resolve_indicators(indicators)
    if not cleaned:
        raise QueryError(
            "no indicator given, expected one or more indicator ids or names", field="indicator"
        )
    if len(cleaned) > MAX_INDICATORS:
        raise QueryError(
            f"{len(cleaned)} indicators given, expected at most {MAX_INDICATORS}", field="indicator"
        )
    return cleaned


def _observation(row: MetricRow) -> Observation:
    m = row.metric
    return Observation(
        value=m.value, value_max=m.value_max, unit=m.unit, kind=m.kind, before=m.before,
        date=row.date, document_id=row.document_id, source=row.source, title=row.title,
        quote=m.text, sentence=m.sentence, start=m.start, end=m.end,
    )  # fmt: skip


def _newest_first(row: MetricRow) -> tuple[bool, str, str, int]:
    # Dates are ISO strings; inverting each character code sorts them newest first.
    inverted = "".join(chr(0x10FFFF - ord(c)) for c in row.date) if row.date else ""
    return (row.date is None, inverted, row.document_id, row.metric.start)


def _place_key(region: Region) -> tuple[bool, str, str]:
    return (region.code is None, region.code or "", region.name)


def build_comparison(rows: Iterable[MetricRow], indicators: Sequence[str]) -> Comparison:
    """Group metric rows by place (code, else name) and indicator; places in code order."""
    wanted = check_indicators(indicators)
    groups: dict[tuple[str | None, str], dict[str, list[MetricRow]]] = {}
    places: dict[tuple[str | None, str], Region] = {}
    for row in rows:
        indicator = row.metric.indicator
        if row.region is None or indicator not in wanted:
            continue
        key = (row.region.code, row.region.name if row.region.code is None else "")
        places.setdefault(key, row.region)
        groups.setdefault(key, {}).setdefault(indicator, []).append(row)
    result = []
    for key, by_indicator in groups.items():
        cells = {
            indicator: Cell(
                indicator, tuple(_observation(r) for r in sorted(found, key=_newest_first))
            )
            for indicator in wanted
            if (found := by_indicator.get(indicator))
        }
        result.append(ComparisonRow(places[key], cells))
    result.sort(key=lambda r: _place_key(r.region))
    return Comparison(wanted, tuple(result))
