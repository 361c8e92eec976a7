"""The one store interface (SQLite and Elasticsearch implement it) and its request/result records.

Requests are validated here, once, so both backends see the same checked values; regions given by
name are resolved with the gazetteer to a division-code prefix (a province takes in its cities).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date as Date
from functools import lru_cache
from types import TracebackType
from typing import Any, Self

from cnpolicy.errors import QueryError, StoreError
from cnpolicy.gazetteer import Division, code_prefix, load_gazetteer
from cnpolicy.records import DOC_TYPES, Document, Metric, Region, Sanding
from cnpolicy.search.segment import Segmented, segment, segment_title
from cnpolicy.search.sources import SourceFile, SourceInfo

__all__ = [
    "FACET_SIZE",
    "MAX_LIMIT",
    "MAX_YEAR",
    "MIN_YEAR",
    "NEWEST",
    "OLDEST",
    "RELEVANCE",
    "SORTS",
    "Hit",
    "IndexFailure",
    "IndexReport",
    "MetricRequest",
    "MetricResult",
    "MetricRow",
    "Prepared",
    "RegionFilter",
    "SandingRequest",
    "SandingResult",
    "SandingRow",
    "SearchRequest",
    "SearchResult",
    "Store",
    "StoreCounts",
    "check_date",
    "check_page",
    "check_years",
    "document_year",
    "is_duplicate",
    "metric_region",
    "parse_date_range",
    "parse_years",
    "prepare",
    "region_dict",
    "region_paths",
    "resolve_region",
    "sanding_region_code",
    "short_names",
]

# Most hits one request may ask for: more is an export (which streams), not a page.
MAX_LIMIT = 1000
# Values kept per facet, most frequent first: enough for every prefecture of a province
# (Sichuan has 21) and every year of a long archive, small enough to send with every page.
FACET_SIZE = 50
# Years a filter may name: policy texts of the People's Republic, with room for planning texts.
MIN_YEAR, MAX_YEAR = 1949, 2100
# Orders of search results: by relevance (the default with words; without words, newest), by date.
RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
_CODE = re.compile(r"\d{2}(?:\d{2}(?:\d{2})?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# --- filters -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionFilter:
    """A place to filter on: a division-code prefix (44 = Guangdong and all inside it), or a name."""

    given: str
    prefix: str | None = None
    name: str | None = None


def resolve_region(text: str) -> RegionFilter:
    """A region by six-digit code (or a 2/4-digit prefix) or by name (full or short, via gazetteer).

    A name the gazetteer does not know filters on that exact name (江州市 in a sample text).
    """
    given = text.strip()
    if not given:
        raise QueryError("empty region, expected a place name or a division code", field="region")
    if _CODE.fullmatch(given):
        return RegionFilter(given, prefix=code_prefix(given.ljust(6, "0")))
    gazetteer = load_gazetteer()
    region = gazetteer.lookup(given)
    if region is not None and region.code:
        return RegionFilter(given, prefix=code_prefix(region.code))
    # A short name the gazetteer will not match in running text (吉林, 中山: also common words)
    # is still what a user typing it in a filter means; the higher level wins (吉林省).
    namesakes = short_names().get(given)
    if namesakes:
        return RegionFilter(
            given, prefix=code_prefix(gazetteer.choose(namesakes, within=None).code)
        )
    return RegionFilter(given, name=given)


@lru_cache(maxsize=1)
def short_names() -> dict[str, list[Division]]:
    found: dict[str, list[Division]] = {}
    for division in load_gazetteer().divisions:
        found.setdefault(division.short, []).append(division)
    return found


def region_paths(code: str | None) -> tuple[str, ...]:
    """The prefixes a division code answers to: 440803 → 44, 4408, 440803."""
    if not code or not code.isdigit() or len(code) != 6:
        return ()
    paths = [code[:2]]
    if code[2:4] != "00":
        paths.append(code[:4])
    if code[4:] != "00":
        paths.append(code)
    return tuple(paths)


def parse_years(text: str) -> tuple[int | None, int | None]:
    """`2019`, `2018..2020`, `2018..` or `..2020` → (first, last); QueryError otherwise."""
    first, sep, last = text.strip().partition("..")
    if not sep:
        last = first
    try:
        low = int(first) if first.strip() else None
        high = int(last) if last.strip() else None
    except ValueError:
        raise QueryError(
            f"{text!r} is not a year or a range, expected 2019, 2018..2020, 2018.. or ..2020",
            field="year",
        ) from None
    check_years(low, high)
    return low, high


def check_years(low: int | None, high: int | None) -> None:
    for year in (low, high):
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            raise QueryError(f"year {year} is outside {MIN_YEAR}..{MAX_YEAR}", field="year")
    if low is not None and high is not None and low > high:
        raise QueryError(f"year range {low}..{high} is empty (first year after last)", field="year")


def check_date(value: str | None, name: str) -> None:
    if value is None:
        return
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        Date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{value!r} is not a date, expected YYYY-MM-DD", field=name) from None


def parse_date_range(text: str, name: str) -> tuple[str | None, str | None]:
    """`2019`, `2019-03-01`, or a range of either (`2018..2020`, `2019-03-01..`) → ISO bounds."""
    first, sep, last = text.strip().partition("..")
    if not sep:
        last = first
    bounds: list[str | None] = []
    for value, end in ((first.strip(), False), (last.strip(), True)):
        if not value:
            bounds.append(None)
        elif value.isdigit() and len(value) == 4:
            check_years(int(value), None)
            bounds.append(f"{value}-12-31" if end else f"{value}-01-01")
        else:
            check_date(value, name)
            bounds.append(value)
    low, high = bounds
    if low and high and low > high:
        raise QueryError(f"date range {text!r} is empty (first date after last)", field=name)
    return low, high


def check_page(limit: int | None, offset: int) -> None:
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit {limit} is outside 1..{MAX_LIMIT}", field="limit")
    if offset < 0:
        raise QueryError(f"offset {offset} is negative, expected 0 or more", field="offset")


# --- requests ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """Full-text search with filters; empty `text` lists the filtered documents, newest first.

    `limit=None` means every match (for exports).
    """

    text: str = ""
    region: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_type: str | None = None
    publisher: str | None = None
    limit: int | None = 10
    offset: int = 0
    collapse_duplicates: bool = False
    facets: bool = True
    snippets: bool = True
    sort: str = RELEVANCE
    # 发文字号, any part of it (〔2023〕7号); the effective date (施行) within ISO bounds.
    doc_number: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None

    def validate(self) -> None:
        check_page(self.limit, self.offset)
        check_date(self.effective_from, "effective")
        check_date(self.effective_to, "effective")
        if self.sort not in SORTS:
            raise QueryError(
                f"unknown sort {self.sort!r}, expected one of {', '.join(SORTS)}", field="sort"
            )
        check_years(self.year_from, self.year_to)
        check_date(self.date_from, "date_from")
        check_date(self.date_to, "date_to")
        if self.doc_type is not None and self.doc_type not in DOC_TYPES:
            raise QueryError(
                f"unknown document type {self.doc_type!r}, expected one of {', '.join(DOC_TYPES)}",
                field="type",
            )


@dataclass(frozen=True, slots=True)
class MetricRequest:
    """Statistics by indicator, region (with everything inside it), level, value and year.

    Several indicators or regions match any of them; `limit=None` means every match.
    """

    indicators: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    level: str | None = None
    min_value: float | None = None
    max_value: float | None = None
    year_from: int | None = None
    year_to: int | None = None
    limit: int | None = 50
    offset: int = 0
    scope: str | None = None  # exactly as extracted: 市级, 全市 …
    recipient: str | None = None  # exactly as extracted: 乡镇, 开发区 …
    subject: str | None = None  # part of the subject: 综合执法队伍

    def validate(self) -> None:
        check_page(self.limit, self.offset)
        check_years(self.year_from, self.year_to)
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low > high:
            raise QueryError(f"value range {low}..{high} is empty (min above max)", field="min")


@dataclass(frozen=True, slots=True)
class SandingRequest:
    """三定 records: by region (with everything inside it), department name, kind, internal body.

    `name`, `kind` (the department's nature, 市政府工作部门 …) and `body` match as substrings.
    """

    region: str | None = None
    name: str | None = None
    kind: str | None = None
    body: str | None = None
    limit: int | None = 50
    offset: int = 0

    def validate(self) -> None:
        check_page(self.limit, self.offset)


# --- results -------------------------------------------------------------------------------


def region_dict(region: Region | None) -> dict[str, Any] | None:
    return region.to_dict() if region else None


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    title: str | None
    region: Region | None
    date: str | None
    doc_type: str
    score: float
    snippets: tuple[str, ...] = ()
    source: str = ""
    publisher: str | None = None
    duplicate_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "region": region_dict(self.region),
            "date": self.date,
            "doc_type": self.doc_type,
            "score": float(f"{self.score:.6g}"),
            "snippets": list(self.snippets),
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {k: dict(v) for k, v in self.facets.items()},
        }


@dataclass(frozen=True, slots=True)
class MetricRow:
    """A metric with where it comes from: its document, the quote and the sentence."""

    document_id: str
    source: str
    title: str | None
    date: str | None
    metric: Metric
    region: Region | None  # the metric's own region, else its document's
    duplicate_of: str | None = None  # the document's original, when it is a republication
    fingerprint: str | None = None  # the document's simhash, for near-duplicates

    def to_dict(self) -> dict[str, Any]:
        data = self.metric.to_dict()
        data["region"] = region_dict(self.region)
        return {
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "date": self.date,
            **data,
        }


@dataclass(frozen=True, slots=True)
class MetricResult:
    total: int
    rows: tuple[MetricRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True, slots=True)
class SandingRow:
    document_id: str
    source: str
    title: str | None
    date: str | None
    department: str | None
    region: str | None
    region_code: str | None
    nature: str | None
    rank: str | None
    duties_count: int
    internal_bodies: tuple[str, ...]
    staffing: dict[str, int]
    leadership: dict[str, int]
    additional_names: tuple[str, ...] = ()
    interpreter: str | None = None
    effective_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "source": self.source,
            "title": self.title,
            "date": self.date,
            "department": self.department,
            "region": self.region,
            "region_code": self.region_code,
            "nature": self.nature,
            "rank": self.rank,
            "duties_count": self.duties_count,
            "internal_bodies": list(self.internal_bodies),
            "staffing": dict(self.staffing),
            "leadership": dict(self.leadership),
            "additional_names": list(self.additional_names),
            "interpreter": self.interpreter,
            "effective_date": self.effective_date,
        }


@dataclass(frozen=True, slots=True)
class SandingResult:
    total: int
    rows: tuple[SandingRow, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True, slots=True)
class IndexFailure:
    source: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"source": self.source, "error": self.error}


@dataclass(frozen=True, slots=True)
class IndexReport:
    indexed: int
    failures: tuple[IndexFailure, ...] = ()
    # Records a cluster rejected as overloaded (429) and that were sent again, with back-off.
    retried: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"indexed": self.indexed, "failures": [f.to_dict() for f in self.failures],
                "retried": self.retried}  # fmt: skip


# --- documents ready for an index ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document with its segmented columns: the costly, backend-neutral half of indexing.

    Built in worker processes when indexing in parallel; pickles cheaply. `source` is the
    original file to keep with the document (None: keep none; a re-index drops an older one).
    """

    document: Document
    title: str
    text: Segmented
    source: SourceFile | None = None


def prepare(document: Document | Prepared, *, source: SourceFile | None = None) -> Prepared:
    """Segment a document for indexing; `source` (when given) is kept as its original file."""
    if isinstance(document, Prepared):
        return document if source is None else replace(document, source=source)
    return Prepared(
        document=document,
        title=segment_title(document.title),
        text=segment(document.text, title=document.title),
        source=source,
    )


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """What a store holds, read in constant time (for /health): documents, metrics, 三定 records,
    and kept original files."""

    documents: int
    metrics: int
    sanding: int
    sources: int

    def to_dict(self) -> dict[str, int]:
        return {
            "documents": self.documents,
            "metrics": self.metrics,
            "sanding": self.sanding,
            "sources": self.sources,
        }


def metric_region(metric: Metric, document: Document) -> Region | None:
    """The place a figure is about: its own region, else its document's (ANNOTATION.md)."""
    return metric.region or document.region


# --- the interface -------------------------------------------------------------------------


class Store(ABC):
    """Index documents and answer searches, metric, comparison and 三定 queries."""

    @abstractmethod
    def index(self, documents: Iterable[Document | Prepared]) -> IndexReport:
        """Add or replace (by id) each document with all its records, in order."""

    def put(self, document: Document | Prepared) -> None:
        report = self.index([document])
        if report.failures:
            raise StoreError(report.failures[0].error, source=report.failures[0].source)

    @abstractmethod
    def get(self, doc_id: str) -> Document:
        """The document as indexed; NotFoundError for an unknown id."""

    @abstractmethod
    def delete(self, doc_id: str) -> None:
        """Remove a document and its records; NotFoundError for an unknown id."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def counts(self) -> StoreCounts:
        """Documents, metrics, 三定 records and originals held, without scanning them."""

    @abstractmethod
    def source(self, doc_id: str) -> SourceFile | None:
        """The document's original file, None when none was kept; NotFoundError for an unknown id."""

    def source_info(self, doc_id: str) -> SourceInfo | None:
        """Name, media type and size of the original (backends override to skip the bytes)."""
        found = self.source(doc_id)
        return found.info if found else None

    @abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abstractmethod
    def metrics(self, request: MetricRequest) -> MetricResult: ...

    @abstractmethod
    def sanding(self, request: SandingRequest) -> SandingResult: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def document_year(document: Document) -> int | None:
    date = document.date
    return int(date[:4]) if date and date[:4].isdigit() else None


def is_duplicate(document: Document) -> bool:
    return document.duplicate_of is not None and document.duplicate_of != document.id


def sanding_region_code(sanding: Sanding, document: Document) -> str | None:
    """The division code of a 三定 record's region: the document's when the names agree."""
    if sanding.region is None:
        return None
    if document.region is not None and document.region.name == sanding.region:
        return document.region.code
    found = load_gazetteer().lookup(sanding.region)
    return found.code if found else None
