"""Query parameters of the read endpoints, the same as the CLI's options, → the store's requests.

One definition per parameter (name, type, bounds, description), shared by the JSON endpoints,
/export and the web pages, so they accept exactly the same things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Query

from cnpolicy.errors import QueryError
from cnpolicy.search.backend import (
    MAX_LIMIT,
    RELEVANCE,
    SORTS,
    SearchRequest,
)
from cnpolicy.search.compare import MAX_INDICATORS
from cnpolicy.search.requests import search_request, split_list, year_range

__all__ = [
    "DATE_PATTERN",
    "MAX_LIST_CHARS",
    "MAX_NAME_CHARS",
    "MAX_QUERY_CHARS",
    "YEAR_PATTERN",
    "Body",
    "Collapse",
    "CompareParams",
    "DateFrom",
    "DateTo",
    "DocNumber",
    "DocType",
    "Effective",
    "Indicators",
    "Kind",
    "Level",
    "Limit",
    "MaxValue",
    "MinValue",
    "Name",
    "Offset",
    "Publisher",
    "Q",
    "Recipient",
    "Region",
    "Regions",
    "Scope",
    "SearchParams",
    "Sort",
    "Subject",
    "Year",
    "compare_params",
    "search_params",
]

# Longest value accepted for a name-like filter (region, publisher, department …): the longest
# official names (autonomous prefectures, 三定 department names) run to ~40 characters.
MAX_NAME_CHARS = 100
# Longest comma-separated list of places or indicators: MAX_INDICATORS ids, or every
# prefecture of a province, fits well inside.
MAX_LIST_CHARS = 2000
# Longest search box text accepted at the HTTP edge; the query parser applies its own, stricter
# limit (search/query.py) with a clearer message, so this only stops absurd requests early.
MAX_QUERY_CHARS = 2000
# A year filter: "2019", "2018..2020", "2018..", "..2020".
YEAR_PATTERN = r"^\s*\d{0,4}\s*(\.\.\s*\d{0,4}\s*)?$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

Q = Annotated[
    str,
    Query(
        max_length=MAX_QUERY_CHARS,
        description='Search words (all must occur), "exact phrase", -exclude, OR between terms.',
    ),
]
Region = Annotated[
    str | None,
    Query(
        max_length=MAX_NAME_CHARS,
        description="A place name (full or short) or a division code; a province takes in its "
        "cities and counties.",
    ),
]
Regions = Annotated[
    str | None,
    Query(max_length=MAX_LIST_CHARS, description="Places, comma-separated (names or codes)."),
]
Year = Annotated[
    str | None,
    Query(
        max_length=16,
        pattern=YEAR_PATTERN,
        description="A year or a range: 2019, 2018..2020, 2018.., ..2020.",
    ),
]
DateFrom = Annotated[
    str | None, Query(pattern=DATE_PATTERN, description="Earliest date, YYYY-MM-DD.")
]
DateTo = Annotated[str | None, Query(pattern=DATE_PATTERN, description="Latest date, YYYY-MM-DD.")]
DocType = Annotated[
    str | None,
    Query(
        alias="type",
        max_length=32,
        description="Document type: reform_report, work_report, sanding, notice, news, other.",
    ),
]
Publisher = Annotated[
    str | None,
    Query(
        max_length=MAX_NAME_CHARS,
        description="Publishing body: any part of its name as written or in full (编办).",
    ),
]
Sort = Annotated[
    str,
    Query(
        pattern="^(" + "|".join(SORTS) + ")$",
        description="Order of results: relevance (best first), newest or oldest.",
    ),
]
DocNumber = Annotated[
    str | None,
    Query(max_length=MAX_NAME_CHARS, description="发文字号, any part of it (〔2023〕7号)."),
]
Effective = Annotated[
    str | None,
    Query(
        max_length=32,
        description="Effective (施行) date: 2019, 2019-03-01, or a range (2018..2020).",
    ),
]
Collapse = Annotated[bool, Query(description="Show one document of each group of near-duplicates.")]
Indicators = Annotated[
    str | None,
    Query(
        max_length=MAX_LIST_CHARS,
        description=f"Indicator ids, comma-separated (at most {MAX_INDICATORS}).",
    ),
]
Level = Annotated[
    str | None,
    Query(max_length=32, description="Administrative level of the metric (province, city …)."),
]
Scope = Annotated[
    str | None,
    Query(max_length=32, description="What the figure covers, as extracted: 市级, 全市, 乡镇 …"),
]
Recipient = Annotated[
    str | None,
    Query(max_length=32, description="Who receives a transfer, as extracted: 乡镇, 开发区 …"),
]
Subject = Annotated[
    str | None,
    Query(max_length=MAX_NAME_CHARS, description="Part of the figure's subject: 综合执法队伍."),
]
MinValue = Annotated[float | None, Query(alias="min", description="Smallest value.")]
MaxValue = Annotated[float | None, Query(alias="max", description="Largest value.")]
Name = Annotated[
    str | None, Query(max_length=MAX_NAME_CHARS, description="Department name (substring).")
]
Kind = Annotated[
    str | None,
    Query(max_length=MAX_NAME_CHARS, description="Department kind/nature (substring)."),
]
Body = Annotated[
    str | None,
    Query(max_length=MAX_NAME_CHARS, description="Internal body name (substring)."),
]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Results to skip.")]


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Results per page (1..{MAX_LIMIT}).")]


@dataclass(frozen=True, slots=True)
class SearchParams:
    """The /search parameters as given (the web page keeps them to build its links)."""

    q: str = ""
    region: str | None = None
    year: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_type: str | None = None
    publisher: str | None = None
    collapse: bool = False
    sort: str = RELEVANCE
    doc_number: str | None = None
    effective: str | None = None

    def request(self, *, limit: int | None, offset: int) -> SearchRequest:
        return search_request(
            text=self.q, region=self.region, year=self.year, date_from=self.date_from,
            date_to=self.date_to, doc_type=self.doc_type, publisher=self.publisher,
            collapse_duplicates=self.collapse, sort=self.sort, doc_number=self.doc_number,
            effective=self.effective, limit=limit, offset=offset,
        )  # fmt: skip


def search_params(
    q: Q = "",
    region: Region = None,
    year: Year = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    doc_type: DocType = None,
    publisher: Publisher = None,
    collapse_duplicates: Collapse = False,
    sort: Sort = RELEVANCE,
    doc_number: DocNumber = None,
    effective: Effective = None,
) -> SearchParams:
    return SearchParams(
        q, region, year, date_from, date_to, doc_type, publisher, collapse_duplicates, sort,
        doc_number, effective,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CompareParams:
    indicators: tuple[str, ...]
    regions: tuple[str, ...]
    year_from: int | None
    year_to: int | None


def compare_params(indicator: str | None, regions: str | None, year: str | None) -> CompareParams:
    wanted = split_list(indicator)
    if not wanted:
        raise QueryError("expected one or more indicator ids (indicator=a,b)", field="indicator")
    year_from, year_to = year_range(year)
    return CompareParams(wanted, split_list(regions), year_from, year_to)
