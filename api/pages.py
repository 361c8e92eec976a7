"""What the web pages show, built from store results (pure): links, pager, facets, chart rows.

The routes in routes_web.py call these and hand the results to the Jinja templates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from cnpolicy.api.highlight import APPROX_WORDS, Bar, mention_id, readable_amount, scale_bars
from cnpolicy.api.labels import labels
from cnpolicy.api.params import SearchParams
from cnpolicy.indicators import load_taxonomy
from cnpolicy.search.backend import RELEVANCE
from cnpolicy.search.compare import Comparison
from cnpolicy.search.export import mention_link

__all__ = [
    "DROPPABLE_FILTERS",
    "FACET_PARAMS",
    "HOLDINGS_SHOWN",
    "LEVEL_NAMES",
    "MAX_PAGE",
    "PAGER_WINDOW",
    "UNSTATED_SCOPE",
    "Chart",
    "ChartRow",
    "DroppedFilter",
    "Examples",
    "FacetValue",
    "MentionLine",
    "MetricLine",
    "OutlineItem",
    "PageLink",
    "comparison_charts",
    "dropped_filters",
    "export_url",
    "facet_groups",
    "file_size",
    "format_value",
    "indicator_choices",
    "indicator_suggestions",
    "library_examples",
    "library_holdings",
    "mention_url",
    "metric_lines",
    "outline",
    "pager",
    "query_string",
    "sanding_pairs",
    "search_url",
    "search_values",
]

# Page links shown either side of the current page: 1 … 4 5 [6] 7 8 … 40 fits a phone's width.
PAGER_WINDOW = 2
# Deepest page the search page links to (offset = (page - 1) × page size stays bounded).
MAX_PAGE = 500
# The search parameters a facet sets, by facet name.
FACET_PARAMS = {"region": "region", "year": "year", "doc_type": "type", "publisher": "publisher"}


def query_string(values: Mapping[str, Any]) -> str:
    """`a=1&b=x` from the non-empty values (False and None left out), in the given order."""
    pairs = [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in values.items()
             if v not in (None, "", False)]  # fmt: skip
    return urlencode(pairs)


def search_values(params: SearchParams) -> dict[str, Any]:
    """The search page's parameters under their URL names."""
    return {
        "q": params.q,
        "region": params.region,
        "year": params.year,
        "date_from": params.date_from,
        "date_to": params.date_to,
        "type": params.doc_type,
        "publisher": params.publisher,
        "collapse_duplicates": params.collapse,
        # The default order is left out of links, so plain searches keep short addresses.
        "sort": None if params.sort == RELEVANCE else params.sort,
        "doc_number": params.doc_number,
        "effective": params.effective,
    }


def search_url(params: SearchParams, **changes: Any) -> str:
    values = search_values(params)
    values.update(changes)
    query = query_string(values)
    return "/ui/search" + (f"?{query}" if query else "")


@dataclass(frozen=True, slots=True)
class PageLink:
    label: str
    url: str | None  # None: the current page, or a gap (…)
    current: bool = False


def pager(total: int, page: int, per_page: int, url_for_page: Any) -> list[PageLink]:
    """Links to the first, last and nearby pages, with gaps; empty when one page holds all."""
    pages = min(math.ceil(total / per_page), MAX_PAGE) if per_page > 0 else 0
    if pages <= 1:
        return []
    shown = {1, pages, *range(max(1, page - PAGER_WINDOW), min(pages, page + PAGER_WINDOW) + 1)}
    links: list[PageLink] = []
    if page > 1:
        links.append(PageLink("‹ 上一页", url_for_page(page - 1)))
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            links.append(PageLink("…", None))
        links.append(PageLink(str(number), None if number == page else url_for_page(number),
                              current=number == page))  # fmt: skip
        previous = number
    if page < pages:
        links.append(PageLink("下一页 ›", url_for_page(page + 1)))
    return links


@dataclass(frozen=True, slots=True)
class FacetValue:
    value: str
    label: str
    count: int
    url: str
    active: bool


# The filters a page without results offers to drop, by URL name, with their labels.
DROPPABLE_FILTERS = {
    "region": "地区 region", "year": "年份 year", "type": "类型 type",
    "publisher": "发布机构 publisher", "date_from": "起始日期 from", "date_to": "截止日期 to",
    "doc_number": "发文字号 number", "effective": "施行日期 effective",
}  # fmt: skip
# Places and types a page without results names from what the library holds (the most frequent).
HOLDINGS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class DroppedFilter:
    """A link that repeats the search without one of its filters."""

    label: str
    value: str
    url: str


def dropped_filters(params: SearchParams) -> list[DroppedFilter]:
    """For a search with no result: each active filter, with the search without it."""
    current = search_values(params)
    return [DroppedFilter(label, str(current[name]), search_url(params, **{name: None}))
            for name, label in DROPPABLE_FILTERS.items() if current.get(name)]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Examples:
    """Placeholders taken from what the library holds, so every example finds something."""

    region: str = "广东 / 440800"
    regions: str = "湛江市,咸宁市"
    year: str = "2018..2020"
    publisher: str = "编办 / 人民政府"


def library_examples(facets: Mapping[str, Mapping[str, int]]) -> Examples:
    """The most frequent places, the span of years and the most frequent issuer, as examples;
    the defaults where the library has none."""
    defaults = Examples()
    places = list(facets.get("region") or {})
    years = sorted(int(y) for y in (facets.get("year") or {}) if y.isdigit())
    publishers = list(facets.get("publisher") or {})
    return Examples(
        region=places[0] if places else defaults.region,
        regions=",".join(places[:2]) if len(places) > 1 else defaults.regions,
        year=f"{years[0]}..{years[-1]}" if len(years) > 1 else defaults.year,
        publisher=publishers[0] if publishers else defaults.publisher,
    )


def library_holdings(facets: Mapping[str, Mapping[str, int]]) -> list[tuple[str, str]]:
    """What the library holds, from an unfiltered search's facets: places, years, types."""
    names = labels()
    held: list[tuple[str, str]] = []
    places = list(facets.get("region") or {})[:HOLDINGS_SHOWN]
    if places:
        held.append((names["facets"]["region"], "、".join(places)))
    years = sorted(int(y) for y in (facets.get("year") or {}) if y.isdigit())
    if years:
        span = f"{years[0]}–{years[-1]}" if years[0] != years[-1] else str(years[0])
        held.append((names["facets"]["year"], span))
    types = [names["doc_types"].get(t, t) for t in (facets.get("doc_type") or {})]
    if types:
        held.append((names["facets"]["doc_type"], "、".join(types[:HOLDINGS_SHOWN])))
    return held


def facet_groups(
    facets: Mapping[str, Mapping[str, int]], params: SearchParams
) -> list[tuple[str, list[FacetValue]]]:
    """Each facet's values with counts and a link that sets (or, when active, clears) it."""
    names = labels()
    current = search_values(params)
    groups = []
    for facet, param in FACET_PARAMS.items():
        values = facets.get(facet) or {}
        items = []
        ordered = sorted(values.items(), key=lambda kv: kv[0], reverse=True) if facet == "year" \
            else list(values.items())  # fmt: skip
        for value, count in ordered:
            active = str(current.get(param) or "") == value
            url = search_url(params, **{param: None if active else value})
            label = names["doc_types"].get(value, value) if facet == "doc_type" else value
            items.append(FacetValue(value, label, count, url, active))
        if items:
            groups.append((names["facets"].get(facet, facet), items))
    return groups


def file_size(size: int) -> str:
    """`532 B`, `14.2 KB`, `3.1 MB`: a size for people (1 KB = 1024 bytes)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def mention_url(document_id: str, start: int, end: int) -> str:
    """The document page with one metric mention marked: by its character offsets, so the
    link lands on that mention even when the same words occur elsewhere in the text."""
    return mention_link(document_id, start, end)


@dataclass(frozen=True, slots=True)
class MentionLine:
    """One mention behind a bar: the figure as written, where it was said, and the link."""

    shown: str
    unit: str
    qualifier: str
    scope: str
    quote: str
    url: str
    title: str | None
    date: str | None
    chosen: bool
    reposts: int


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One place in a comparison chart: the bar, its figure, the note under it (qualifier as
    written, scope, subject) and every mention of the indicator for that place."""

    bar: Bar
    place: str
    code: str | None
    shown: str
    unit: str
    url: str
    quote: str
    title: str | None
    date: str | None
    note: str = ""
    mentions: tuple[MentionLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Chart:
    """Bars on one scale: one indicator, unit, scope and region level (a comparison group)."""

    indicator: str
    name: str
    unit: str
    scope: str | None
    level: str | None
    rows: tuple[ChartRow, ...]

    @property
    def caption(self) -> str:
        """`单位:名 · 范围:全市 · 地区层级:市级`: what every bar of the chart shares."""
        return " · ".join(
            (
                f"单位 unit: {self.unit}",
                f"范围 scope: {self.scope or UNSTATED_SCOPE}",
                f"地区层级 level: {LEVEL_NAMES.get(self.level or '', self.level or '—')}",
            )
        )


# How a region level and an unstated scope read on the compare page.
LEVEL_NAMES = {"national": "全国", "province": "省级", "city": "市级", "county": "县级"}
UNSTATED_SCOPE = "未注明"


def format_value(value: float, value_max: float | None) -> str:
    def one(v: float) -> str:
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")

    return one(value) if value_max is None else f"{one(value)}–{one(value_max)}"


def comparison_charts(comparison: Comparison) -> list[Chart]:
    """One chart per comparison group, each scaled to its own largest value: a province's total
    and its cities, or 市级 and 全市 figures, never share a scale."""
    charts = []
    for group in comparison.groups:
        cells = [
            (row.region, row.cells[group.indicator])
            for row in (comparison.rows[n] for n in group.rows)
        ]
        bars = scale_bars([(region.name, float(cell.latest.value)) for region, cell in cells])
        rows = tuple(
            _chart_row(region, cell.observations, bar)
            for (region, cell), bar in zip(cells, bars, strict=True)
        )
        name = comparison.labels.get(group.indicator, group.indicator)
        charts.append(Chart(group.indicator, name, group.unit, group.scope, group.level, rows))
    return charts


def _chart_row(region: Any, observations: Sequence[Any], bar: Bar) -> ChartRow:
    latest = observations[0]
    note = " · ".join(
        part
        for part in (
            f"约数 {latest.qualifier}" if latest.qualifier else "",
            f"范围 {latest.scope}" if latest.scope else "",
            f"承接 {latest.recipient}" if latest.recipient else "",
            f"主体 {latest.subject}" if latest.subject else "",
            f"改革前 {format_value(latest.before, None)}" if latest.before is not None else "",
        )
        if part
    )
    return ChartRow(
        bar=bar,
        place=region.name,
        code=region.code,
        shown=format_value(latest.value, latest.value_max),
        unit=latest.unit,
        url=mention_url(latest.document_id, latest.start, latest.end),
        quote=latest.quote,
        title=latest.title,
        date=latest.date,
        note=note,
        mentions=tuple(_mention_line(o, n == 0) for n, o in enumerate(observations)),
    )


def _mention_line(observation: Any, chosen: bool) -> MentionLine:
    return MentionLine(
        shown=format_value(observation.value, observation.value_max),
        unit=observation.unit,
        qualifier=observation.qualifier or "",
        scope=observation.scope or "",
        quote=observation.quote,
        url=mention_url(observation.document_id, observation.start, observation.end),
        title=observation.title,
        date=observation.date,
        chosen=chosen,
        reposts=len(observation.reposts),
    )


def indicator_suggestions() -> list[tuple[str, str]]:
    """(Chinese name, id) of every indicator, for the compare form's suggestions as you type."""
    return [(i.label_zh, i.id) for i in load_taxonomy().indicators]


def indicator_choices() -> list[tuple[str, str]]:
    """(id, label) of every indicator the extractor assigns, for the compare page's menu."""
    return [(i.id, f"{i.label_zh} · {i.label_en}") for i in load_taxonomy().indicators]


def export_url(kind: str, fmt: str, values: Mapping[str, Any]) -> str:
    return "/export?" + query_string({"what": kind, **values, "format": fmt})


def sanding_pairs(counts: Mapping[str, int]) -> Sequence[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: -kv[1])


# --- a document's outline and metrics table ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricLine:
    """One row of a document's metrics table, as a reader reads it."""

    subject: str
    quote: str
    amount: str
    change: str
    qualifier: str
    anchor: str
    indicator: str


def metric_lines(metrics: Sequence[Any]) -> list[MetricLine]:
    """Subject, the quote, the amount as written, before → after, and the qualifier."""
    lines = []
    for m in metrics:
        amount = readable_amount(m.value, m.unit)
        if m.value_max is not None:
            amount += f"–{readable_amount(m.value_max, m.unit)}"
        change = (
            f"{readable_amount(m.before, m.unit)} → {readable_amount(m.value, m.unit)}"
            if m.before is not None
            else ""
        )
        qualifier = " ".join(
            word for word in (APPROX_WORDS.get(m.approx or "", ""), m.scope or "") if word
        )
        lines.append(
            MetricLine(
                m.subject or "—",
                m.text,
                amount,
                change,
                qualifier,
                mention_id(m.start),
                m.indicator or "",
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class OutlineItem:
    title: str
    level: int
    anchor: str


def outline(sections: Sequence[Any]) -> list[OutlineItem]:
    """The document's headings, each linking to its place in the text."""
    return [OutlineItem(s.title, s.level, f"s-{s.start}") for s in sections]
