"""Read endpoints over the store: search, metrics, compare, 三定, export (a file), health.

Parameters and JSON results are the CLI's (`cnpolicy search … --format json` and so on).
"""

from __future__ import annotations

import os
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask

from cnpolicy import __version__
from cnpolicy.api.deps import get_settings, get_store
from cnpolicy.api.params import (
    Body,
    Collapse,
    DateFrom,
    DateTo,
    DocType,
    Indicators,
    Kind,
    Level,
    Limit,
    MaxValue,
    MinValue,
    Name,
    Offset,
    Publisher,
    Q,
    Recipient,
    Region,
    Regions,
    Scope,
    SearchParams,
    Subject,
    Year,
    compare_params,
    search_params,
)
from cnpolicy.api.settings import Settings
from cnpolicy.errors import CnpolicyError, QueryError, StoreError
from cnpolicy.search import export
from cnpolicy.search.backend import MetricRequest, SandingRequest, Store
from cnpolicy.search.compare import compare_places
from cnpolicy.search.requests import metric_request, sanding_request

__all__ = [
    "ERRORS",
    "EXPORT_FILTERS",
    "MEDIA_TYPES",
    "ExportFormat",
    "ExportKind",
    "SearchDep",
    "SettingsDep",
    "StoreDep",
    "check_export_filters",
    "compare",
    "export_file",
    "export_records",
    "health",
    "metrics",
    "router",
    "sanding",
    "search",
    "write_export",
]

router = APIRouter(tags=["queries"])

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SearchDep = Annotated[SearchParams, Depends(search_params)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed query"},
    422: {"description": "Invalid parameters"},
}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}


class ExportKind(StrEnum):
    documents = "documents"
    metrics = "metrics"
    compare = "compare"
    sanding = "sanding"


# Filters each export understands (the parameters of /search, /metrics, /compare, /sanding).
EXPORT_FILTERS: dict[ExportKind, frozenset[str]] = {
    ExportKind.documents: frozenset(
        {"q", "region", "year", "date_from", "date_to", "type", "publisher", "collapse_duplicates"}
    ),
    ExportKind.metrics: frozenset(
        {"indicator", "region", "level", "scope", "recipient", "subject", "min", "max", "year"}
    ),
    ExportKind.compare: frozenset({"indicator", "regions", "year"}),
    ExportKind.sanding: frozenset({"region", "name", "kind", "body"}),
}


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    json = "json"


@router.get("/search", summary="Full-text search with filters and facets", responses=ERRORS)
def search(
    store: StoreDep, params: SearchDep, limit: Limit = 10, offset: Offset = 0
) -> JSONResponse:
    return JSONResponse(store.search(params.request(limit=limit, offset=offset)).to_dict())


@router.get("/metrics", summary="Extracted statistics, with their quotes", responses=ERRORS)
def metrics(
    store: StoreDep,
    indicator: Indicators = None,
    region: Regions = None,
    level: Level = None,
    scope: Scope = None,
    recipient: Recipient = None,
    subject: Subject = None,
    min_value: MinValue = None,
    max_value: MaxValue = None,
    year: Year = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    request = metric_request(
        indicator=indicator, region=region, level=level, scope=scope, recipient=recipient,
        subject=subject, min_value=min_value, max_value=max_value, year=year, limit=limit,
        offset=offset,
    )  # fmt: skip
    return JSONResponse(store.metrics(request).to_dict())


@router.get("/compare", summary="Places side by side on one or more indicators", responses=ERRORS)
def compare(
    store: StoreDep,
    indicator: Annotated[
        str, Query(max_length=2000, description="Indicator ids, comma-separated.")
    ],
    regions: Regions = None,
    year: Year = None,
) -> JSONResponse:
    wanted = compare_params(indicator, regions, year)
    comparison = compare_places(
        store,
        wanted.indicators,
        regions=wanted.regions,
        year_from=wanted.year_from,
        year_to=wanted.year_to,
    )
    return JSONResponse(comparison.to_dict())


@router.get("/sanding", summary="三定 department records", responses=ERRORS)
def sanding(
    store: StoreDep,
    region: Region = None,
    name: Name = None,
    kind: Kind = None,
    body: Body = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    request = sanding_request(region=region, name=name, kind=kind, body=body, limit=limit,
                              offset=offset)  # fmt: skip
    return JSONResponse(store.sanding(request).to_dict())


@router.get(
    "/export",
    summary="Download a result set as CSV, XLSX, Parquet or JSON",
    description="`what` picks the result set; the other parameters are those of /search "
    "(documents), /metrics, /compare or /sanding. Columns are ASCII snake_case with provenance "
    "(document id, source, title, date, quote).",
    response_class=FileResponse,
    responses={**ERRORS, 200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
async def export_file(
    store: StoreDep,
    what: ExportKind,
    format: ExportFormat = ExportFormat.csv,
    q: Q = "",
    region: Region = None,
    regions: Regions = None,
    year: Year = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    doc_type: DocType = None,
    publisher: Publisher = None,
    collapse_duplicates: Collapse = False,
    indicator: Indicators = None,
    level: Level = None,
    scope: Scope = None,
    recipient: Recipient = None,
    subject: Subject = None,
    min_value: MinValue = None,
    max_value: MaxValue = None,
    name: Name = None,
    kind: Kind = None,
    body: Body = None,
) -> FileResponse:
    given = {
        "q": q, "region": region, "regions": regions, "year": year, "date_from": date_from,
        "date_to": date_to, "type": doc_type, "publisher": publisher,
        "collapse_duplicates": collapse_duplicates,
        "indicator": indicator, "level": level, "scope": scope, "recipient": recipient,
        "subject": subject, "min": min_value, "max": max_value,
        "name": name, "kind": kind, "body": body,
    }  # fmt: skip
    check_export_filters(what, given)
    if what is ExportKind.documents:
        params = SearchParams(
            q, region, year, date_from, date_to, doc_type, publisher, collapse_duplicates
        )
        selection: Any = params.request(limit=None, offset=0)
    elif what is ExportKind.metrics:
        selection = metric_request(
            indicator=indicator, region=region, level=level, scope=scope, recipient=recipient,
            subject=subject, min_value=min_value, max_value=max_value, year=year, limit=None,
            offset=0,
        )  # fmt: skip
    elif what is ExportKind.compare:
        selection = compare_params(indicator, regions, year)
    else:
        selection = sanding_request(region=region, name=name, kind=kind, body=body, limit=None,
                                    offset=0)  # fmt: skip
    path = await run_in_threadpool(write_export, store, what, selection, format.value)
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[format.value],
        filename=f"cnpolicy-{what.value}.{format.value}",
        background=BackgroundTask(os.unlink, path),
    )


def check_export_filters(what: ExportKind, given: dict[str, Any]) -> None:
    """A filter that does not apply to this result set is an error, as in `cnpolicy export`."""
    wrong = sorted(k for k, v in given.items() if v not in (None, "", False) and
                   k not in EXPORT_FILTERS[what])  # fmt: skip
    if wrong:
        raise QueryError(
            f"{', '.join(wrong)} do not apply to an export of {what.value}; "
            f"expected some of {', '.join(sorted(EXPORT_FILTERS[what]))}",
            field=wrong[0],
        )


def export_records(
    store: Store, what: ExportKind, selection: Any
) -> tuple[list[Any], tuple[str, ...]]:
    """The rows and columns of one result set, as `cnpolicy export` writes them."""
    if what is ExportKind.documents:
        return export.document_records(store.search(selection).hits), export.DOCUMENT_COLUMNS
    if what is ExportKind.metrics:
        assert isinstance(selection, MetricRequest)
        return export.metric_records(store.metrics(selection).rows), export.METRIC_COLUMNS
    if what is ExportKind.compare:
        comparison = compare_places(
            store,
            selection.indicators,
            regions=selection.regions,
            year_from=selection.year_from,
            year_to=selection.year_to,
        )
        return export.comparison_records(comparison), export.COMPARE_COLUMNS
    assert isinstance(selection, SandingRequest)
    return export.sanding_records(store.sanding(selection).rows), export.sanding_columns()


def write_export(store: Store, what: ExportKind, selection: Any, fmt: str) -> str:
    """Write the result set to a temporary file (our own name) and return its path."""
    records, columns = export_records(store, what, selection)
    handle, name = tempfile.mkstemp(prefix="cnpolicy-export-", suffix=f".{fmt}")
    os.close(handle)
    try:
        export.write_records(records, columns, Path(name), fmt)
    except BaseException:
        os.unlink(name)
        raise
    return name


@router.get(
    "/health",
    summary="Whether the store is reachable, and what it holds",
    description="`documents`, `metrics`, `sanding` (三定 records) and `sources` (original files "
    "kept) are the store's counts, kept up to date by every write (no table is counted), so "
    "polling this is cheap on any size of store. 503 when the store cannot be read.",
)
def health(store: StoreDep, settings: SettingsDep) -> JSONResponse:
    body: dict[str, Any] = {"version": __version__, "store": settings.store_label}
    try:
        body.update(store.counts().to_dict())
    except CnpolicyError as error:
        kind = "unavailable" if isinstance(error, StoreError) else "degraded"
        return JSONResponse({**body, "status": kind, "error": str(error)}, status_code=503)
    return JSONResponse({"status": "ok", **body})
