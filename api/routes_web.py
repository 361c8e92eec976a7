"""The web interface: server-rendered pages for search, a document, comparison, upload, API docs.

Pages live under /ui (errors there render the error page); `/` goes to the search page.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cnpolicy.api.deps import get_settings, get_store
from cnpolicy.api.docs_page import operations
from cnpolicy.api.errors import status_for
from cnpolicy.api.highlight import focus_mark, render_segments, safe_snippet, segment_text
from cnpolicy.api.labels import labels
from cnpolicy.api.pages import (
    MAX_PAGE,
    comparison_charts,
    dropped_filters,
    export_url,
    facet_groups,
    indicator_choices,
    indicator_suggestions,
    library_examples,
    library_holdings,
    metric_lines,
    outline,
    pager,
    query_string,
    search_url,
)
from cnpolicy.api.params import (
    Regions,
    SearchParams,
    Year,
    compare_params,
    search_params,
)
from cnpolicy.api.routes_documents import DocId
from cnpolicy.api.settings import Settings
from cnpolicy.errors import QueryError
from cnpolicy.search.backend import SearchRequest, SearchResult, Store
from cnpolicy.search.compare import Comparison, compare_places
from cnpolicy.search.requests import sanding_request

__all__ = [
    "DATE_LABELS",
    "SANDING_PAGE_ROWS",
    "Offset",
    "SearchDep",
    "SettingsDep",
    "StoreDep",
    "compare_page",
    "docs_page",
    "document_page",
    "home",
    "library_overview",
    "render",
    "router",
    "sanding_page",
    "search_page",
    "templates",
    "ui_home",
    "upload_page",
]

router = APIRouter(include_in_schema=False)
# The dates a document states, as a citation names them.
DATE_LABELS = {"written": "成文日期 Written", "published": "发布日期 Published",
               "effective": "施行日期 Effective"}  # fmt: skip

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SearchDep = Annotated[SearchParams, Depends(search_params)]
# A character offset in a document's text (a metric mention's start or end).
Offset = Annotated[int | None, Query(ge=0, le=1_000_000_000)]


def templates(request: Request) -> Jinja2Templates:
    found: Jinja2Templates = request.app.state.templates
    return found


def library_overview(request: Request, store: Store) -> SearchResult:
    """An unfiltered search's total and facets (what the library holds), kept on the app until
    the number of documents changes."""
    count = store.count()
    cached: tuple[int, SearchResult] | None = getattr(request.app.state, "library", None)
    if cached is None or cached[0] != count:
        cached = (count, store.search(SearchRequest(limit=1)))
        request.app.state.library = cached
    return cached[1]


def render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    return templates(request).TemplateResponse(
        request, name, {"labels": labels(), **context}, status_code=status_code
    )


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse("/ui/search", status_code=307)


@router.get("/ui", response_class=RedirectResponse)
def ui_home() -> RedirectResponse:
    return RedirectResponse("/ui/search", status_code=307)


@router.get("/ui/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    params: SearchDep,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    per_page = settings.page_size
    library = library_overview(request, store)
    context: dict[str, Any] = {"page": "search", "params": params, "result": None, "error": None,
                               "examples": library_examples(library.facets)}  # fmt: skip
    try:
        result = store.search(params.request(limit=per_page, offset=(page - 1) * per_page))
    except QueryError as error:
        context["error"] = error
        return render(request, "search.html", context, status_code=status_for(error))
    hits = [(hit, [safe_snippet(s) for s in hit.snippets]) for hit in result.hits]
    context.update(
        result=result,
        hits=hits,
        facets=facet_groups(result.facets, params),
        pages=pager(result.total, page, per_page, lambda n: search_url(params, page=n)),
        first=(page - 1) * per_page + 1,
        last_page_url=search_url(params, page=max(1, math.ceil(result.total / per_page))),
        export_csv=export_url("documents", "csv", _export_values(params)),
        clear_url=search_url(SearchParams(q=params.q)),
    )
    if result.total == 0:
        context.update(dropped=dropped_filters(params), holdings=library_holdings(library.facets),
                       library_total=library.total)  # fmt: skip
    return render(request, "search.html", context)


def _export_values(params: SearchParams) -> dict[str, Any]:
    return {
        "q": params.q, "region": params.region, "year": params.year, "type": params.doc_type,
        "publisher": params.publisher, "date_from": params.date_from, "date_to": params.date_to,
    }  # fmt: skip


@router.get("/ui/documents/{doc_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    doc_id: DocId,
    store: StoreDep,
    start: Offset = None,
    end: Offset = None,
) -> Response:
    """The document; `start` and `end` (a metric mention's offsets) mark and scroll to it."""
    document = store.get(doc_id)
    segments = segment_text(document.text, document.metrics, document.entities)
    focus = focus_mark(segments, start, end)
    records = {
        "metrics": [m.to_dict() for m in document.metrics],
        "entities": [e.to_dict() for e in document.entities],
    }
    context = {
        "page": "document",
        "doc": document,
        "text_html": render_segments(
            segments, document.metrics, document.entities, [s.start for s in document.sections]
        ),
        "outline": outline(document.sections),
        "metric_lines": metric_lines(document.metrics),
        "date_labels": DATE_LABELS,
        "records": records,
        "focus": focus,
        "focus_missing": start is not None and focus is None,
        "sanding": document.sanding,
        "original": store.source_info(doc_id),
    }
    return render(request, "document.html", context)


@router.get("/ui/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    store: StoreDep,
    indicator: Annotated[str | None, Query(max_length=2000)] = None,
    regions: Regions = None,
    year: Year = None,
) -> Response:
    choices = indicator_choices()
    context: dict[str, Any] = {
        "examples": library_examples(library_overview(request, store).facets),
        "page": "compare",
        "choices": choices,
        "suggestions": indicator_suggestions(),
        "names": dict(choices),
        "indicator": indicator or "",
        "regions": regions or "",
        "year": year or "",
        "comparison": None,
        "charts": [],
        "error": None,
    }
    if not (indicator or "").strip():
        return render(request, "compare.html", context)
    try:
        wanted = compare_params(indicator, regions, year)
        comparison: Comparison = compare_places(
            store,
            wanted.indicators,
            regions=wanted.regions,
            year_from=wanted.year_from,
            year_to=wanted.year_to,
        )
    except QueryError as error:
        context["error"] = error
        return render(request, "compare.html", context, status_code=status_for(error))
    values = {"indicator": indicator, "regions": regions, "year": year}
    context.update(
        comparison=comparison,
        charts=comparison_charts(comparison),
        export_csv=export_url("compare", "csv", values),
        export_xlsx=export_url("compare", "xlsx", values),
        api_url="/compare?" + query_string(values),
    )
    return render(request, "compare.html", context)


@router.get("/ui/sanding", response_class=HTMLResponse)
def sanding_page(
    request: Request,
    store: StoreDep,
    region: Annotated[str | None, Query(max_length=200)] = None,
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """三定 records as a table of departments by place, with the effective date."""
    values = {"region": region, "name": name}
    context: dict[str, Any] = {
        "page": "sanding", "region": region or "", "name": name or "", "error": None,
        "export_csv": export_url("sanding", "csv", values),
        "export_xlsx": export_url("sanding", "xlsx", values),
        "api_url": "/sanding?" + query_string(values),
    }  # fmt: skip
    try:
        request_ = sanding_request(region=region, name=name, limit=SANDING_PAGE_ROWS, offset=0)
        context["result"] = store.sanding(request_)
    except QueryError as error:
        context["error"] = error
        return render(request, "sanding.html", context, status_code=status_for(error))
    return render(request, "sanding.html", context)


# Departments listed on the 三定 page: a province's whole set of 三定 fits; more are exported.
SANDING_PAGE_ROWS = 500


@router.get("/ui/upload", response_class=HTMLResponse)
def upload_page(request: Request, settings: SettingsDep) -> Response:
    context = {
        "page": "upload",
        "token_required": settings.token is not None,
        "limit_bytes": settings.max_upload_bytes,
        "limit_mb": round(settings.max_upload_bytes / 1024 / 1024),
    }
    return render(request, "upload.html", context)


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> Response:
    schema = request.app.openapi()
    return render(request, "docs.html", {"page": "docs", "schema": schema,
                                         "operations": operations(schema)})  # fmt: skip
