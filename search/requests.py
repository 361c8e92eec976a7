"""Requests built once, from values as a user gives them (the CLI's options, the API's query
parameters, a form's boxes), under the same names everywhere: blanks mean no filter."""

from __future__ import annotations

import math

from cnpolicy.errors import QueryError
from cnpolicy.indicators import resolve_indicators
from cnpolicy.search.backend import (
    RELEVANCE,
    MetricRequest,
    SandingRequest,
    SearchRequest,
    parse_date_range,
    parse_years,
)

__all__ = [
    "blank_to_none",
    "metric_request",
    "sanding_request",
    "search_request",
    "split_list",
    "year_range",
]


def blank_to_none(value: str | None) -> str | None:
    """An empty value means "no filter" (HTML forms send `region=` for an empty box)."""
    if value is None:
        return None
    return value.strip() or None


def split_list(value: str | None) -> tuple[str, ...]:
    """`a, b，c、d` → ("a", "b", "c", "d"): commas ASCII, full-width or 、, blanks and repeats
    dropped, order kept."""
    if not value:
        return ()
    parts = value.replace("，", ",").replace("、", ",").split(",")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def year_range(value: str | None) -> tuple[int | None, int | None]:
    """`2019`, `2018..2020`, `2018..`, `..2020` → (first, last); blank → (None, None)."""
    value = blank_to_none(value)
    return parse_years(value) if value else (None, None)


def finite(value: float | None, name: str) -> float | None:
    if value is not None and not math.isfinite(value):
        raise QueryError(f"{value} is not a finite number", field=name)
    return value


def search_request(
    *,
    text: str = "",
    region: str | None = None,
    year: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    doc_type: str | None = None,
    publisher: str | None = None,
    collapse_duplicates: bool = False,
    sort: str = RELEVANCE,
    doc_number: str | None = None,
    effective: str | None = None,
    limit: int | None,
    offset: int,
) -> SearchRequest:
    year_from, year_to = year_range(year)
    effective = blank_to_none(effective)
    effective_from, effective_to = (
        parse_date_range(effective, "effective") if effective else (None, None)
    )
    return SearchRequest(
        text=text.strip(), region=blank_to_none(region), year_from=year_from, year_to=year_to,
        date_from=blank_to_none(date_from), date_to=blank_to_none(date_to),
        doc_type=blank_to_none(doc_type), publisher=blank_to_none(publisher), limit=limit,
        offset=offset, collapse_duplicates=collapse_duplicates, sort=sort,
        doc_number=blank_to_none(doc_number), effective_from=effective_from,
        effective_to=effective_to,
    )  # fmt: skip


def metric_request(
    *,
    indicator: str | None = None,
    region: str | None = None,
    level: str | None = None,
    scope: str | None = None,
    recipient: str | None = None,
    subject: str | None = None,
    min_value: float | None = None,
    max_value: float | None = None,
    year: str | None = None,
    limit: int | None,
    offset: int,
) -> MetricRequest:
    year_from, year_to = year_range(year)
    return MetricRequest(
        indicators=resolve_indicators(split_list(indicator)), regions=split_list(region),
        level=blank_to_none(level), scope=blank_to_none(scope),
        recipient=blank_to_none(recipient), subject=blank_to_none(subject),
        min_value=finite(min_value, "min"), max_value=finite(max_value, "max"),
        year_from=year_from, year_to=year_to, limit=limit, offset=offset,
    )  # fmt: skip


def sanding_request(
    *,
    region: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    body: str | None = None,
    limit: int | None,
    offset: int,
) -> SandingRequest:
    return SandingRequest(
        region=blank_to_none(region), name=blank_to_none(name), kind=blank_to_none(kind),
        body=blank_to_none(body), limit=limit, offset=offset,
    )  # fmt: skip
