"""`cnpolicy eval GOLD_DIR [DOCS_DIR]`: score the metric extractor against gold files (ANNOTATION.md).

`read_gold` parses the JSONL gold, `score` pairs one document's predictions with its gold and
counts, `evaluate` runs the full pipeline over the documents, `run` prints the report.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cnpolicy.errors import GoldFormatError
from cnpolicy.records import Metric, Number

GOLD_FIELDS = ("doc", "quote", "value", "unit", "kind")
OPTIONAL_FIELDS = ("value_max", "before", "approx", "subject", "region")
KINDS = frozenset({"count", "percent", "change", "amount"})
APPROX = frozenset({"more_than", "nearly", "about", "at_most"})
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GoldMetric:
    """One line of a gold file."""

    doc: str
    quote: str
    value: Number
    unit: str
    kind: str
    value_max: Number | None = None
    before: Number | None = None
    approx: str | None = None
    subject: str | None = None
    region: str | None = None
    source: str = ""
    line: int = 0


# --- reading gold ---------------------------------------------------------------------------------


def read_gold(path: Path) -> list[GoldMetric]:
    """The metrics of one gold file; a malformed line is a GoldFormatError naming file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise GoldFormatError(f"cannot be read ({error})", source=str(path)) from None
    return [
        parse_gold_line(raw, source=str(path), line=number)
        for number, raw in enumerate(lines, start=1)
        if raw.strip()
    ]


def parse_gold_line(raw: str, *, source: str, line: int) -> GoldMetric:
    where = f"{source}:{line}"
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise GoldFormatError(f"not valid JSON ({error.args[0]})", source=where) from None
    if not isinstance(data, dict):
        raise GoldFormatError("expected a JSON object per line", source=where)
    missing = [name for name in GOLD_FIELDS if name not in data]
    if missing:
        raise GoldFormatError(f"missing required field(s) {', '.join(missing)}", source=where)
    _check_types(data, where)
    return GoldMetric(
        doc=data["doc"],
        quote=unicodedata.normalize("NFKC", data["quote"]),
        value=data["value"],
        unit=unicodedata.normalize("NFKC", data["unit"]),
        kind=data["kind"],
        value_max=data.get("value_max"),
        before=data.get("before"),
        approx=data.get("approx"),
        subject=data.get("subject"),
        region=data.get("region"),
        source=source,
        line=line,
    )


def _check_types(data: dict[str, Any], where: str) -> None:
    for name in ("doc", "quote", "unit", "kind"):
        if not isinstance(data[name], str) or not data[name]:
            raise GoldFormatError(f"field {name!r} must be a non-empty string", source=where)
    for name in ("value", "value_max", "before"):
        value = data.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise GoldFormatError(f"field {name!r} must be a number, got {value!r}", source=where)
    if data["kind"] not in KINDS:
        raise GoldFormatError(
            f"field 'kind' is {data['kind']!r}, expected one of {sorted(KINDS)}", source=where
        )
    if data.get("approx") is not None and data["approx"] not in APPROX:
        raise GoldFormatError(
            f"field 'approx' is {data['approx']!r}, expected one of {sorted(APPROX)}", source=where
        )


# --- scoring --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Scores:
    """Counts for one document or a whole set; rates are derived, so Scores add up."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    subject: int = 0
    subject_lenient: int = 0
    kind: int = 0
    approx: int = 0
    region: int = 0
    before: int = 0
    changes: int = 0
    missed: list[GoldMetric] = field(default_factory=list)
    spurious: list[Metric] = field(default_factory=list)
    pairs: list[tuple[GoldMetric, Metric]] = field(default_factory=list)

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            *(getattr(self, n) + getattr(other, n) for n in COUNT_FIELDS),
            missed=[*self.missed, *other.missed],
            spurious=[*self.spurious, *other.spurious],
            pairs=[*self.pairs, *other.pairs],
        )

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def rate(self, name: str) -> float:
        """Accuracy of a field on matched pairs (`before` on gold changes only)."""
        total = self.changes if name == "before" else self.tp
        return getattr(self, name) / total if total else 1.0

    def summary(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            **{name: round(self.rate(name), 4) for name in RATE_FIELDS},
            "changes": self.changes,
        }


COUNT_FIELDS = (
    "tp", "fp", "fn", "subject", "subject_lenient", "kind", "approx", "region", "before", "changes"
)
RATE_FIELDS = ("subject", "subject_lenient", "kind", "approx", "region", "before")


def score(
    gold: Sequence[GoldMetric], predicted: Sequence[Metric], *, text: str | None = None
) -> Scores:
    """Pair one document's predictions with its gold and count (rules in ANNOTATION.md).

    A pair needs equal value (and value_max), the same unit and overlapping quotes: the gold
    quote is located in `text` (the occurrence overlapping a candidate prediction when it occurs
    several times); without `text`, in the prediction's sentence. Exact-duplicate gold lines
    and predictions with the same span count once.
    """
    gold = _unique(gold, key=lambda g: (g.quote, g.value, g.unit))
    predicted = _unique(predicted, key=lambda m: (m.start, m.end, m.value, m.unit))
    used: set[int] = set()
    taken_spans: set[tuple[int, int]] = set()
    scores = Scores()
    for item in gold:
        candidates = [
            i for i, m in enumerate(predicted) if i not in used and _same_quantity(item, m)
        ]
        best = _best_overlap(item, [(i, predicted[i]) for i in candidates], text, taken_spans)
        if best is None:
            scores.missed.append(item)
            scores.fn += 1
            continue
        index, span = best
        used.add(index)
        taken_spans.add(span)
        _count_pair(scores, item, predicted[index])
    scores.spurious = [m for i, m in enumerate(predicted) if i not in used]
    scores.fp = len(scores.spurious)
    return scores


def _unique(items: Iterable[T], *, key: Any) -> list[T]:
    seen: set[Any] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


def _same_quantity(gold: GoldMetric, metric: Metric) -> bool:
    return (
        _equal(gold.value, metric.value)
        and _equal(gold.value_max, metric.value_max)
        and gold.unit == unicodedata.normalize("NFKC", metric.unit)
    )


def _equal(a: Number | None, b: Number | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def _best_overlap(
    gold: GoldMetric,
    candidates: list[tuple[int, Metric]],
    text: str | None,
    taken: set[tuple[int, int]],
) -> tuple[int, tuple[int, int]] | None:
    best: tuple[int, int, tuple[int, int]] | None = None
    for index, metric in candidates:
        for span in _quote_spans(gold.quote, metric, text):
            if span in taken:
                continue
            overlap = min(span[1], metric.end) - max(span[0], metric.start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, index, span)
    return (best[1], best[2]) if best else None


def _quote_spans(quote: str, metric: Metric, text: str | None) -> list[tuple[int, int]]:
    """Where the quote stands, in document offsets (line breaks in the text are skipped)."""
    if text is not None:
        return find_all(text, quote)
    sentence_at = metric.start - metric.sentence.find(metric.text) if metric.text else 0
    return [(sentence_at + s, sentence_at + e) for s, e in find_all(metric.sentence, quote)]


def find_all(text: str, quote: str) -> list[tuple[int, int]]:
    """Every occurrence of the quote, allowing line breaks (and spaces around them) inside it."""
    flat_chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        if char not in "\r\n":
            flat_chars.append(char)
            offsets.append(index)
    flat = "".join(flat_chars)
    spans: list[tuple[int, int]] = []
    at = flat.find(quote)
    while at >= 0 and quote:
        spans.append((offsets[at], offsets[at + len(quote) - 1] + 1))
        at = flat.find(quote, at + 1)
    return spans


def _count_pair(scores: Scores, gold: GoldMetric, metric: Metric) -> None:
    scores.tp += 1
    scores.pairs.append((gold, metric))
    predicted_subject = metric.subject or ""
    scores.subject += gold.subject == metric.subject
    scores.subject_lenient += bool(gold.subject and predicted_subject) and (
        gold.subject in predicted_subject or predicted_subject in (gold.subject or "")
    )
    scores.kind += gold.kind == metric.kind
    scores.approx += gold.approx == metric.approx
    region = metric.region.name if metric.region else None
    scores.region += gold.region == region
    if gold.kind == "change" or gold.before is not None:
        scores.changes += 1
        scores.before += _equal(gold.before, metric.before)
