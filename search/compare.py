"""Compare places on indicators (pure): metric rows → one row per place and scope, one cell per
indicator, and the groups of rows that share indicator, unit, scope and region level.

A cell's headline is chosen by CHOICE_RULE; every other mention of the indicator for the place is
kept with its document and quote, reposts folded onto their original, so a reader can check it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnpolicy.dedup import NEAR_DUPLICATE_BITS, distance
from cnpolicy.errors import QueryError
from cnpolicy.indicators import load_taxonomy, resolve_indicators
from cnpolicy.qualifiers import qualifier_of
from cnpolicy.records import Number, Region
from cnpolicy.search.backend import MetricRequest, MetricRow, Store, region_dict

__all__ = [
    "CHOICE_RULE",
    "MAX_INDICATORS",
    "Cell",
    "Comparison",
    "ComparisonRow",
    "Group",
    "Observation",
    "build_comparison",
    "check_indicators",
    "collapse_reposts",
    "compare_places",
    "originals",
    "subject_key",
    "unit_of",
]

# Most indicators in one comparison: a place × indicator table wider than this is unreadable
# on a screen and in a spreadsheet alike.
MAX_INDICATORS = 20


# How a cell's figure is chosen among its place's mentions (shown with every cell).
CHOICE_RULE = (
    "latest original statement of the same scope: newest document that is not a repost, "
    "within it a before→after change first, then the first mention"
)


@dataclass(frozen=True, slots=True)
class Observation:
    """One statement of a figure, with its provenance: the document, the quote, and where the
    quote is in the document's text (`start`, `end`), so a link can point at that mention.
    `reposts` are the republications (duplicate_of or a near-duplicate fingerprint) that state
    it again; they are collapsed onto this statement and never counted twice."""

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
    approx: str | None = None
    subject: str | None = None
    scope: str | None = None
    recipient: str | None = None
    level: str | None = None
    reposts: tuple[str, ...] = ()

    @property
    def qualifier(self) -> str | None:
        """The qualifier as written (余, 以上, 以内, 近), from the quote."""
        return qualifier_of(self.quote, self.approx)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "kind": self.kind,
            "approx": self.approx,
            "qualifier": self.qualifier,
            "before": self.before,
            "subject": self.subject,
            "scope": self.scope,
            "recipient": self.recipient,
            "level": self.level,
            "date": self.date,
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "quote": self.quote,
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "reposts": list(self.reposts),
        }


@dataclass(frozen=True, slots=True)
class Cell:
    """A place's figure for one indicator and scope: the chosen statement first, then every
    other mention of that indicator for the place (same scope first, then other scopes)."""

    indicator: str
    observations: tuple[Observation, ...]
    rule: str = CHOICE_RULE

    @property
    def latest(self) -> Observation:
        return self.observations[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.latest.to_dict(),
            "chosen_by": self.rule,
            "observations": len(self.observations),
            "values": [o.value for o in self.observations],
            "mentions": [o.to_dict() for o in self.observations],
        }


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """A place at one scope (市级 and 全市 figures of a place are two rows)."""

    region: Region
    cells: dict[str, Cell]
    scope: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "region": region_dict(self.region),
            "scope": self.scope,
            "values": {k: c.to_dict() for k, c in self.cells.items()},
        }


@dataclass(frozen=True, slots=True)
class Group:
    """Rows comparable on one scale: one indicator, unit, scope and region level."""

    indicator: str
    unit: str
    scope: str | None
    level: str | None
    rows: tuple[int, ...]  # indexes into Comparison.rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "unit": self.unit,
            "scope": self.scope,
            "level": self.level,
            "rows": list(self.rows),
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    indicators: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> tuple[Group, ...]:
        """The comparable sets: per indicator, rows of the same unit, scope and region level."""
        found: dict[tuple[str, str, str | None, str | None], list[int]] = {}
        for indicator in self.indicators:
            for n, row in enumerate(self.rows):
                cell = row.cells.get(indicator)
                if cell is not None:
                    key = (indicator, unit_of(cell.latest.unit), row.scope, row.region.level)
                    found.setdefault(key, []).append(n)
        return tuple(Group(*key, rows=tuple(rows)) for key, rows in found.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicators": list(self.indicators),
            "labels": {i: self.labels.get(i, i) for i in self.indicators},
            "groups": [g.to_dict() for g in self.groups],
            "rows": [r.to_dict() for r in self.rows],
        }

    def long_records(self) -> list[dict[str, Any]]:
        """One flat record per mention (the export layout): place, indicator, the figure as
        written and its provenance; `chosen` marks each cell's headline mention."""
        records = []
        for row in self.rows:
            for indicator in self.indicators:
                cell = row.cells.get(indicator)
                if cell is None:
                    continue
                for n, mention in enumerate(cell.observations):
                    if n and mention.scope != row.scope:
                        continue  # listed under the row of its own scope
                    records.append(
                        {
                            "region": row.region.name,
                            "region_code": row.region.code,
                            "province": row.region.province,
                            "region_level": row.region.level,
                            "indicator": indicator,
                            "indicator_zh": self.labels.get(indicator, indicator),
                            **mention.to_dict(),
                            "chosen": n == 0,
                            "observations": len(cell.observations),
                        }
                    )
        return records


def unit_of(unit: str) -> str:
    """The unit a figure is compared in (家 counts as 个), from the taxonomy."""
    return load_taxonomy().unit_of(unit)


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


def _observation(row: MetricRow, reposts: tuple[str, ...] = ()) -> Observation:
    m = row.metric
    return Observation(
        value=m.value, value_max=m.value_max, unit=m.unit, kind=m.kind, before=m.before,
        date=row.date, document_id=row.document_id, source=row.source, title=row.title,
        quote=m.text, sentence=m.sentence, start=m.start, end=m.end, approx=m.approx,
        subject=m.subject, scope=m.scope, recipient=m.recipient, level=m.level, reposts=reposts,
    )  # fmt: skip


def _date_key(date: str | None) -> tuple[bool, str]:
    # Dates are ISO strings; inverting each character code sorts them newest first.
    return (date is None, "".join(chr(0x10FFFF - ord(c)) for c in date) if date else "")


def _choice_order(row: MetricRow) -> tuple[bool, str, str, bool, int]:
    """CHOICE_RULE as a sort key: newest first; in a document a change first, then text order."""
    return (*_date_key(row.date), row.document_id, row.metric.before is None, row.metric.start)


def _place_key(region: Region) -> tuple[bool, str, str]:
    return (region.code is None, region.code or "", region.name)


def originals(rows: Sequence[MetricRow]) -> dict[str, str]:
    """Each document's original: its duplicate_of when that is among the rows, else the oldest
    document whose fingerprint is within NEAR_DUPLICATE_BITS of its own, else itself."""
    documents: dict[str, MetricRow] = {}
    for row in rows:
        documents.setdefault(row.document_id, row)
    ordered = sorted(
        documents.values(), key=lambda r: (r.date is None, r.date or "", r.document_id)
    )
    found: dict[str, str] = {}
    seen: list[MetricRow] = []
    for row in ordered:
        original = row.document_id
        if row.duplicate_of and row.duplicate_of in documents:
            original = row.duplicate_of
        elif row.fingerprint:
            for earlier in seen:
                if earlier.fingerprint and distance(earlier.fingerprint, row.fingerprint) <= (
                    NEAR_DUPLICATE_BITS
                ):
                    original = found[earlier.document_id]
                    break
        found[row.document_id] = original
        seen.append(row)
    return found


def collapse_reposts(rows: Sequence[MetricRow]) -> list[tuple[MetricRow, tuple[str, ...]]]:
    """The statements of the rows with reposts folded onto their original: each kept row with
    the ids of the republications that state it again (same quote, value and unit, the same
    n-th time in the document)."""
    original_of = originals(rows)
    kept: dict[tuple[str, str, Number, str, int], tuple[MetricRow, list[str]]] = {}
    occurrences: dict[tuple[str, str, Number, str], int] = {}
    by_original = sorted(rows, key=lambda r: (original_of[r.document_id] != r.document_id,
                                              r.document_id, r.metric.start))  # fmt: skip
    for row in by_original:
        m = row.metric
        base = (row.document_id, m.text, m.value, m.unit)
        nth = occurrences.get(base, 0)
        occurrences[base] = nth + 1
        key = (original_of[row.document_id], m.text, m.value, m.unit, nth)
        if key in kept:
            kept[key][1].append(row.document_id)
        else:
            kept[key] = (row, [])
    return [(row, tuple(reposts)) for row, reposts in kept.values()]


def _cell(
    indicator: str, scope: str | None, found: list[tuple[MetricRow, tuple[str, ...]]]
) -> Cell:
    """The chosen statement of this scope first, then the rest of the scope, then the others."""
    ordered = sorted(found, key=lambda f: (f[0].metric.scope != scope, *_choice_order(f[0])))
    return Cell(indicator, tuple(_observation(row, reposts) for row, reposts in ordered))


def build_comparison(
    rows: Iterable[MetricRow],
    indicators: Sequence[str],
    *,
    key: Callable[[MetricRow], str | None] | None = None,
    labels: dict[str, str] | None = None,
) -> Comparison:
    """Group metric rows by place (code, else name), scope and indicator (or `key`, e.g. a
    subject and unit); places in code order, a place's scopes unstated first."""
    wanted = check_indicators(indicators) if key is None else tuple(indicators)
    key_of = key or (lambda row: row.metric.indicator)
    groups: dict[tuple[str | None, str], dict[str, list[MetricRow]]] = {}
    places: dict[tuple[str | None, str], Region] = {}
    for row in rows:
        indicator = key_of(row)
        if row.region is None or indicator is None or indicator not in wanted:
            continue
        place = (row.region.code, row.region.name if row.region.code is None else "")
        places.setdefault(place, row.region)
        groups.setdefault(place, {}).setdefault(indicator, []).append(row)
    result = []
    for place, by_indicator in groups.items():
        statements = {i: collapse_reposts(found) for i, found in by_indicator.items()}
        scopes = sorted({r.metric.scope for f in statements.values() for r, _ in f},
                        key=lambda s: (s is not None, s or ""))  # fmt: skip
        for scope in scopes:
            cells = {
                indicator: _cell(indicator, scope, found)
                for indicator in wanted
                if (found := statements.get(indicator))
                and any(r.metric.scope == scope for r, _ in found)
            }
            result.append(ComparisonRow(places[place], cells, scope))
    result.sort(key=lambda r: (_place_key(r.region), r.scope is not None, r.scope or ""))
    taxonomy = load_taxonomy()
    names = {i: known.label_zh for i in wanted if (known := taxonomy.get(i))}
    return Comparison(wanted, tuple(result), {**names, **(labels or {})})


def subject_key(subject: str) -> Callable[[MetricRow], str | None]:
    """Group metrics whose subject contains `subject` by their unit: `综合执法队伍 (支)`."""

    def key(row: MetricRow) -> str | None:
        m = row.metric
        if not m.subject or subject not in m.subject:
            return None
        return f"{subject} ({unit_of(m.unit)})"

    return key


def compare_places(
    store: Store,
    indicators: Sequence[str],
    *,
    regions: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
    subject: str | None = None,
) -> Comparison:
    """One row per place (and scope) with its value of each indicator in the store, and where each
    value comes from; with `subject` and no indicator, metrics whose subject contains it, by unit."""
    if subject and not any(i.strip() for i in indicators):
        request = MetricRequest(subject=subject.strip(), regions=tuple(regions),
                                year_from=year_from, year_to=year_to, limit=None)  # fmt: skip
        rows = store.metrics(request).rows
        key = subject_key(subject.strip())
        keys = tuple(dict.fromkeys(k for r in rows if (k := key(r)) is not None))
        return build_comparison(rows, keys, key=key)
    wanted = check_indicators(indicators)
    request = MetricRequest(
        indicators=wanted, regions=tuple(regions), year_from=year_from, year_to=year_to,
        limit=None,
    )  # fmt: skip
    return build_comparison(store.metrics(request).rows, wanted)
