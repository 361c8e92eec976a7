"""Markup for the pages, built from records (pure): inline highlights, snippets, chart bars.

Everything that reaches a page from a document is escaped here; only our own tags are added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from cnpolicy.records import Entity, Metric

__all__ = [
    "APPROX_WORDS",
    "CLOSE_MARK",
    "OPEN_MARK",
    "SCALES",
    "SIGNIFICANT_DIGITS",
    "Bar",
    "Segment",
    "choose_spans",
    "describe_entity",
    "describe_metric",
    "focus_mark",
    "highlight_document",
    "mention_id",
    "readable_amount",
    "render_segments",
    "safe_snippet",
    "scale_bars",
    "section_id",
    "segment_text",
]

# The only tag the store puts in snippets; everything else in a snippet is escaped text.
OPEN_MARK, CLOSE_MARK = "<mark>", "</mark>"
_MARK_TAG = re.compile(r"(</?mark>)")


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the text: plain (kind None), or the span of metric/entity number `index`."""

    text: str
    start: int
    kind: str | None = None
    index: int | None = None


def _valid(start: int, end: int, length: int) -> bool:
    return 0 <= start < end <= length


def choose_spans(
    length: int, metrics: Sequence[Metric], entities: Sequence[Entity]
) -> list[tuple[int, int, str, int]]:
    """Non-overlapping (start, end, kind, index) spans: metrics first, entities in the gaps.

    Among overlapping spans of one kind the earlier (then longer) one wins; spans outside the
    text are ignored rather than trusted.
    """
    taken: list[tuple[int, int, str, int]] = []
    for kind, records in (("metric", metrics), ("entity", entities)):
        order = sorted(range(len(records)), key=lambda i: (records[i].start, -records[i].end))
        for i in order:
            start, end = records[i].start, records[i].end
            if not _valid(start, end, length):
                continue
            if any(start < t_end and t_start < end for t_start, t_end, _, _ in taken):
                continue
            taken.append((start, end, kind, i))
    return sorted(taken)


def segment_text(text: str, metrics: Sequence[Metric], entities: Sequence[Entity]) -> list[Segment]:
    """The text cut into plain and highlighted segments; joined, they give the text back."""
    segments: list[Segment] = []
    cursor = 0
    for start, end, kind, index in choose_spans(len(text), metrics, entities):
        if start > cursor:
            segments.append(Segment(text[cursor:start], cursor))
        segments.append(Segment(text[start:end], start, kind, index))
        cursor = end
    if cursor < len(text):
        segments.append(Segment(text[cursor:], cursor))
    return segments


# Chinese scale words for amounts, largest first: 512840000000 元 reads as 5128.4亿元, as the
# text wrote it. Digits kept: the figures policy texts state (5128.4亿) have at most 4-6.
SCALES = ((1e8, "亿"), (1e4, "万"))
SIGNIFICANT_DIGITS = 6
# The qualifier words for Metric.approx, as the texts write them.
APPROX_WORDS = {"more_than": "超过", "nearly": "近", "about": "约", "at_most": "不超过"}


def readable_amount(value: float | None, unit: str) -> str:
    """A value the way a Chinese text writes it: 5128.4亿元, 12万人, 14.8%."""
    if value is None:
        return ""
    for size, word in SCALES:
        if abs(value) >= size and unit not in ("%", "‰"):
            return f"{value / size:.{SIGNIFICANT_DIGITS}g}{word}{unit}"
    return f"{value:.{SIGNIFICANT_DIGITS}g}{unit}"


def describe_metric(metric: Metric) -> str:
    """A one-line summary for a tooltip: value (range) as written, kind, indicator, place."""
    value = readable_amount(metric.value, metric.unit)
    if metric.value_max is not None:
        value += f"–{readable_amount(metric.value_max, metric.unit)}"
    parts = [value, metric.kind]
    if metric.indicator:
        parts.append(metric.indicator)
    if metric.region:
        parts.append(metric.region.name)
    return " · ".join(parts)


def describe_entity(entity: Entity) -> str:
    extra = entity.normalized if entity.normalized and entity.normalized != entity.text else ""
    return " · ".join(p for p in (entity.label, extra, entity.code or "") if p)


def section_id(start: int) -> str:
    """The element id of the anchor at a section's start (the outline links to it)."""
    return f"s-{start}"


def _anchor(start: int) -> str:
    return f'<span class="anchor" id="{section_id(start)}"></span>'


def render_segments(
    segments: Sequence[Segment],
    metrics: Sequence[Metric],
    entities: Sequence[Entity],
    anchors: Sequence[int] = (),
) -> Markup:
    """HTML for the text: plain runs escaped, highlighted runs as <mark> with the record's number.

    A metric's mark has the id `m-<start>` and its offsets (`data-start`, `data-end`), so a
    comparison bar can link to that very mention. `anchors` are offsets (section starts) that
    get an empty element with the id `s-<start>`; one inside a mark goes just before it.
    """
    parts: list[str] = []
    pending = sorted(set(anchors), reverse=True)
    for seg in segments:
        end_at = seg.start + len(seg.text)
        if seg.kind is None or seg.index is None:
            cut = seg.start
            while pending and pending[-1] < end_at:
                wanted = pending.pop()
                at = max(wanted, cut)
                parts.append(str(escape(seg.text[cut - seg.start : at - seg.start])))
                parts.append(_anchor(wanted))
                cut = at
            parts.append(str(escape(seg.text[cut - seg.start :])))
            continue
        while pending and pending[-1] < end_at:
            parts.append(_anchor(pending.pop()))
        body = escape(seg.text)
        if seg.kind == "metric":
            title = describe_metric(metrics[seg.index])
            end = seg.start + len(seg.text)
            anchor = f' id="{mention_id(seg.start)}" data-start="{seg.start}" data-end="{end}"'
        else:
            title = describe_entity(entities[seg.index])
            anchor = ""
        parts.append(
            f'<mark class="{seg.kind}"{anchor} data-kind="{seg.kind}" data-i="{seg.index}" '
            f'tabindex="0" title="{escape(title)}">{body}</mark>'
        )
    return Markup("".join(parts))


def highlight_document(text: str, metrics: Sequence[Metric], entities: Sequence[Entity]) -> Markup:
    return render_segments(segment_text(text, metrics, entities), metrics, entities)


def mention_id(start: int) -> str:
    """The element id of the metric mark starting at `start` (one mark per start: no overlaps)."""
    return f"m-{start}"


def focus_mark(segments: Sequence[Segment], start: int | None, end: int | None) -> str | None:
    """The id of the metric mark a link's offsets point at: the mark spanning exactly
    [start, end), else the metric mark over `start` (a mention hidden by an overlapping one);
    None when no metric is there (the link is stale, or the offsets are not a mention's)."""
    if start is None:
        return None
    marks = [s for s in segments if s.kind == "metric"]
    for seg in marks:
        if seg.start == start and (end is None or seg.start + len(seg.text) == end):
            return mention_id(seg.start)
    for seg in marks:
        if seg.start <= start < seg.start + len(seg.text):
            return mention_id(seg.start)
    return None


def safe_snippet(snippet: str) -> Markup:
    """A store snippet as HTML: kept as the store escaped it, with its <mark> tags balanced.

    The store's snippets are HTML-escaped text with <mark> tags (search/snippets.py); any other
    `<` or `>` (a snippet from somewhere that broke that promise) is escaped here.
    """
    parts: list[str] = []
    inside = False
    for part in _MARK_TAG.split(snippet):
        if part == OPEN_MARK and not inside:
            inside = True
        elif part == CLOSE_MARK and inside:
            inside = False
        else:
            part = part.replace("<", "&lt;").replace(">", "&gt;")
        parts.append(part)
    if inside:
        parts.append(CLOSE_MARK)
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a comparison chart: its label, value, width in percent of the widest."""

    label: str
    value: float
    width: float
    negative: bool


def scale_bars(items: Sequence[tuple[str, float]]) -> list[Bar]:
    """Bars scaled to the largest magnitude (100%); a zero-only or empty chart has no width."""
    largest = max((abs(v) for _, v in items), default=0.0)
    bars = []
    for label, value in items:
        width = round(abs(value) / largest * 100, 2) if largest else 0.0
        bars.append(Bar(label=label, value=value, width=width, negative=value < 0))
    return bars
