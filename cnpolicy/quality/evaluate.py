"""`cnpolicy eval GOLD_DIR [DOCS_DIR]`: score the metric extractor against gold files (ANNOTATION.md).

`read_gold` parses the JSONL gold, `score` pairs one document's predictions with its gold and
counts, `evaluate` runs the full pipeline over the documents, `run` prints the report.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from cnpolicy.config import Options
from cnpolicy.errors import GoldFormatError
from cnpolicy.flows import DOCUMENT_SUFFIXES, process_path
from cnpolicy.records import Metric, Number

__all__ = [
    "APPROX",
    "COUNT_FIELDS",
    "GOLD_FIELDS",
    "KINDS",
    "OPTIONAL_FIELDS",
    "QUOTE_MARKS",
    "RATE_FIELDS",
    "DocumentResult",
    "GoldMetric",
    "QuoteLocator",
    "Report",
    "Scores",
    "T",
    "add_arguments",
    "detail_lines",
    "evaluate",
    "find_document",
    "gold_files",
    "parse_gold_line",
    "print_plain",
    "print_rich",
    "read_gold",
    "run",
    "score",
    "subject_lines",
    "summary_lines",
]

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
    indicator: str | None = None
    has_indicator: bool = False  # the line states an indicator (possibly null)
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
        indicator=data.get("indicator"),
        has_indicator="indicator" in data,
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
    indicator: int = 0
    indicators: int = 0
    missed: list[GoldMetric] = field(default_factory=list)
    spurious: list[Metric] = field(default_factory=list)
    pairs: list[tuple[GoldMetric, Metric]] = field(default_factory=list)

    def __add__(self, other: Scores) -> Scores:
        total = Scores(
            missed=[*self.missed, *other.missed],
            spurious=[*self.spurious, *other.spurious],
            pairs=[*self.pairs, *other.pairs],
        )
        for name in COUNT_FIELDS:
            setattr(total, name, getattr(self, name) + getattr(other, name))
        return total

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
        total = {"before": self.changes, "indicator": self.indicators}.get(name, self.tp)
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
            "indicators": self.indicators,
        }


COUNT_FIELDS = (
    "tp", "fp", "fn", "subject", "subject_lenient", "kind", "approx", "region", "before",
    "changes", "indicator", "indicators",
)  # fmt: skip
# Quotation marks are typography, not words: annotators write a subject with or without them.
QUOTE_MARKS = str.maketrans("", "", "“”‘’\"'「」『』")
RATE_FIELDS = ("subject", "subject_lenient", "kind", "approx", "region", "before", "indicator")


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
    locator = QuoteLocator(text) if text is not None else None
    used: set[int] = set()
    taken_spans: set[tuple[int, int]] = set()
    scores = Scores()
    for item in gold:
        candidates = [
            i for i, m in enumerate(predicted) if i not in used and _same_quantity(item, m)
        ]
        best = _best_overlap(item, [(i, predicted[i]) for i in candidates], locator, taken_spans)
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
    locator: QuoteLocator | None,
    taken: set[tuple[int, int]],
) -> tuple[int, tuple[int, int]] | None:
    best: tuple[int, int, tuple[int, int]] | None = None
    for index, metric in candidates:
        for span in _quote_spans(gold.quote, metric, locator):
            if span in taken:
                continue
            overlap = min(span[1], metric.end) - max(span[0], metric.start)
            if overlap > 0 and (best is None or overlap > best[0]):
                best = (overlap, index, span)
    return (best[1], best[2]) if best else None


def _quote_spans(quote: str, metric: Metric, locator: QuoteLocator | None) -> list[tuple[int, int]]:
    """Where the quote stands, in document offsets (else within the prediction's sentence)."""
    if locator is not None:
        return locator.find_all(quote)
    sentence_at = metric.start - metric.sentence.find(metric.text) if metric.text else 0
    spans = QuoteLocator(metric.sentence).find_all(quote)
    return [(sentence_at + s, sentence_at + e) for s, e in spans]


class QuoteLocator:
    """Finds quotes in a text with its line breaks removed (as ANNOTATION.md writes quotes)."""

    def __init__(self, text: str):
        self.offsets = [i for i, char in enumerate(text) if char not in "\r\n"]
        self.flat = "".join(text[i] for i in self.offsets)

    def find_all(self, quote: str) -> list[tuple[int, int]]:
        """Every occurrence of the quote, as (start, end) offsets in the original text."""
        spans: list[tuple[int, int]] = []
        at = self.flat.find(quote) if quote else -1
        while at >= 0:
            spans.append((self.offsets[at], self.offsets[at + len(quote) - 1] + 1))
            at = self.flat.find(quote, at + 1)
        return spans


def _count_pair(scores: Scores, gold: GoldMetric, metric: Metric) -> None:
    scores.tp += 1
    scores.pairs.append((gold, metric))
    expected, predicted = _plain(gold.subject), _plain(metric.subject)
    exact = expected == predicted  # both absent agree: nothing in the text names the thing
    scores.subject += exact
    scores.subject_lenient += exact or (
        bool(expected and predicted) and (expected in predicted or predicted in expected)
    )
    scores.kind += gold.kind == metric.kind
    scores.approx += gold.approx == metric.approx
    region = metric.region.name if metric.region else None
    scores.region += gold.region == region
    if gold.kind == "change" or gold.before is not None:
        scores.changes += 1
        scores.before += _equal(gold.before, metric.before)
    if gold.has_indicator:
        scores.indicators += 1
        scores.indicator += gold.indicator == metric.indicator


def _plain(subject: str | None) -> str:
    """A subject without quotation marks: `“两院”院士` and `两院院士` name the same thing."""
    return (subject or "").translate(QUOTE_MARKS)


# --- running the pipeline over the documents --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentResult:
    doc: str
    source: str
    scores: Scores


@dataclass(frozen=True, slots=True)
class Report:
    documents: tuple[DocumentResult, ...]

    @property
    def overall(self) -> Scores:
        total = Scores()
        for result in self.documents:
            total = total + result.scores
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": [
                {
                    "doc": r.doc,
                    "source": r.source,
                    **r.scores.summary(),
                    "missed": [_gold_dict(g) for g in r.scores.missed],
                    "spurious": [m.to_dict() for m in r.scores.spurious],
                }
                for r in self.documents
            ],
            "overall": self.overall.summary(),
            "subject_match": "exact string match (subject_lenient: one contains the other)",
        }


def _gold_dict(gold: GoldMetric) -> dict[str, Any]:
    return {"quote": gold.quote, "value": gold.value, "unit": gold.unit, "line": gold.line}


def gold_files(gold_dir: Path) -> list[Path]:
    """The *.jsonl files of the gold folder (a single file may be named instead)."""
    if gold_dir.is_file():
        return [gold_dir]
    if not gold_dir.is_dir():
        raise GoldFormatError(
            "no such folder (expected a folder of *.jsonl gold files)", source=str(gold_dir)
        )
    files = sorted(gold_dir.glob("*.jsonl"))
    if not files:
        raise GoldFormatError("holds no *.jsonl gold files", source=str(gold_dir))
    return files


def find_document(stem: str, docs_dir: Path, *, exclude: Path) -> Path:
    """The document named `stem` (any extension) under docs_dir, gold files left aside."""
    found = sorted(
        p
        for p in docs_dir.rglob(f"{stem}.*")
        if p.is_file()
        and p.suffix.lower() in DOCUMENT_SUFFIXES
        and exclude not in p.parents
        and not any(part.startswith(".") for part in p.relative_to(docs_dir).parts)
    )
    if not found:
        raise GoldFormatError(
            f"no document named {stem}.* (txt, html, pdf, docx) under {docs_dir}",
            source=f"{stem}.jsonl",
        )
    return found[0]


def evaluate(
    gold_dir: Path, docs_dir: Path | None = None, options: Options | None = None
) -> Report:
    """Run the full pipeline on each gold file's document and score it."""
    options = options or Options()
    gold_root = gold_dir if gold_dir.is_dir() else gold_dir.parent
    search = docs_dir or gold_root.parent
    results = []
    for path in gold_files(gold_dir):
        gold = read_gold(path)
        mismatched = [g for g in gold if g.doc != path.stem]
        if mismatched:
            raise GoldFormatError(
                f"line says doc {mismatched[0].doc!r}, expected the file's stem {path.stem!r}",
                source=f"{path}:{mismatched[0].line}",
            )
        source = find_document(path.stem, search, exclude=gold_root)
        document = process_path(source, options)
        scores = score(gold, document.metrics, text=document.text)
        results.append(DocumentResult(path.stem, str(source), scores))
    return Report(tuple(results))


# --- the command ------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gold_dir", type=Path, metavar="GOLD_DIR", help="folder of *.jsonl gold")
    parser.add_argument(
        "docs_dir",
        type=Path,
        nargs="?",
        metavar="DOCS_DIR",
        help="where the documents are, found by file stem (default: GOLD_DIR's parent folder)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a report (tables on a terminal), last 4 lines the overall summary; json",
    )
    parser.add_argument(
        "--no-details", action="store_true", help="do not list missed and spurious mentions"
    )
    parser.add_argument(
        "--subjects",
        action="store_true",
        help="also list matched mentions whose subject differs from the gold (gold | predicted)",
    )


def run(args: argparse.Namespace) -> int:
    report = evaluate(args.gold_dir, args.docs_dir)
    out = sys.stdout
    if args.format == "json":
        json.dump(report.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif out.isatty():
        print_rich(report, details=not args.no_details, subjects=args.subjects)
    else:
        print_plain(report, out, details=not args.no_details, subjects=args.subjects)
    return 0


def summary_lines(scores: Scores, documents: int) -> list[str]:
    """The overall summary: exactly four lines (a hook prints `tail -n 4`)."""
    s = scores
    indicator = (
        f"  indicator {s.rate('indicator'):.4f} (on {s.indicators} gold lines that state one)"
        if s.indicators
        else ""
    )
    return [
        f"overall: {documents} documents, {s.tp + s.fn} gold, {s.tp + s.fp} predicted, "
        f"{s.tp} matched",
        f"precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}",
        f"subject {s.rate('subject'):.4f} (exact string match; lenient "
        f"{s.rate('subject_lenient'):.4f})  kind {s.rate('kind'):.4f}  "
        f"approx {s.rate('approx'):.4f}",
        f"region {s.rate('region'):.4f}  before {s.rate('before'):.4f} "
        f"(on {s.changes} changes){indicator}",
    ]


def print_plain(
    report: Report, out: TextIO, *, details: bool = True, subjects: bool = False
) -> None:
    for result in report.documents:
        s = result.scores
        out.write(
            f"{result.doc}: P {s.precision:.4f}  R {s.recall:.4f}  F1 {s.f1:.4f}  "
            f"subject {s.rate('subject'):.4f}  region {s.rate('region'):.4f}  "
            f"({s.tp} matched, {s.fn} missed, {s.fp} spurious)\n"
        )
        if details:
            for line in detail_lines(s):
                out.write(f"  {line}\n")
        if subjects:
            for line in subject_lines(s):
                out.write(f"  {line}\n")
    for line in summary_lines(report.overall, len(report.documents)):
        out.write(line + "\n")


def detail_lines(scores: Scores) -> list[str]:
    lines = [f"missed   {g.quote}  ({g.value} {g.unit}, line {g.line})" for g in scores.missed]
    lines += [f"spurious {m.text}  ({m.value} {m.unit}, at {m.start})" for m in scores.spurious]
    return lines


def subject_lines(scores: Scores) -> list[str]:
    """One line per matched pair whose subject is not the gold's: quote, gold | predicted."""
    return [
        f"subject  {g.quote}  gold {g.subject or '-'} | predicted {m.subject or '-'}"
        for g, m in scores.pairs
        if g.subject != m.subject
    ]


def print_rich(report: Report, *, details: bool = True, subjects: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="metric extraction against gold")
    for column in (
        "document",
        "P",
        "R",
        "F1",
        "subject",
        "region",
        "matched",
        "missed",
        "spurious",
    ):
        table.add_column(column, justify="left" if column == "document" else "right")
    for result in report.documents:
        s = result.scores
        table.add_row(
            result.doc, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
            f"{s.rate('subject'):.3f}", f"{s.rate('region'):.3f}", str(s.tp), str(s.fn), str(s.fp),
        )  # fmt: skip
    console.print(table)
    if details:
        for result in report.documents:
            for line in detail_lines(result.scores):
                console.print(f"[dim]{result.doc}[/dim] {line}", highlight=False)
    if subjects:
        for result in report.documents:
            for line in subject_lines(result.scores):
                console.print(f"[dim]{result.doc}[/dim] {line}", highlight=False)
    for line in summary_lines(report.overall, len(report.documents)):
        console.print(line, highlight=False)
