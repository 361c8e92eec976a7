"""Print result sets for people (rich tables) and programs (JSON, CSV) on a text stream."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cnpolicy.search.backend import MetricResult, SandingResult, SearchResult
from cnpolicy.search.compare import Comparison
from cnpolicy.search.export import (
    COMPARE_COLUMNS,
    METRIC_COLUMNS,
    comparison_records,
    metric_records,
    sanding_columns,
    sanding_records,
    spreadsheet_safe,
)
from cnpolicy.search.snippets import plain

__all__ = [
    "TABLE_WIDTH",
    "console",
    "print_comparison",
    "print_metrics",
    "print_sanding",
    "print_search",
    "rich_snippet",
    "write_csv",
    "write_json",
]

# Width of tables when the output is not a terminal (files, pipes): wide enough for a title,
# a snippet and the numbers without folding every row.
TABLE_WIDTH = 160
_MARKED = re.compile(r"<mark>(.*?)</mark>")


def console(out: TextIO) -> Console:
    return Console(file=out, width=None if out.isatty() else TABLE_WIDTH, highlight=False)


def write_json(data: Any, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=1)
    out.write("\n")


def write_csv(records: Sequence[dict[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for record in spreadsheet_safe(records):
        writer.writerow({k: "" if v is None else v for k, v in record.items()})


def rich_snippet(snippet: str) -> str:
    """A <mark>ed snippet as rich markup: matches in bold yellow, everything else escaped."""
    parts, last = [], 0
    for match in _MARKED.finditer(snippet):
        parts.append(escape(plain(snippet[last : match.start()])))
        parts.append(f"[bold yellow]{escape(plain(match.group(1)))}[/bold yellow]")
        last = match.end()
    parts.append(escape(plain(snippet[last:])))
    return "".join(parts)


def _text(value: Any) -> str:
    return "" if value is None else escape(str(value))


def print_search(result: SearchResult, out: TextIO, *, offset: int) -> None:
    table = Table(title=f"{result.total} documents", show_lines=True)
    for column in ("#", "score", "date", "region", "type", "title / snippet"):
        table.add_column(column, overflow="fold")
    for number, hit in enumerate(result.hits, start=offset + 1):
        region = hit.region.name if hit.region else ""
        body = _text(hit.title)
        if hit.snippets:
            body += "\n" + rich_snippet(hit.snippets[0])
        table.add_row(str(number), f"{hit.score:.3g}", _text(hit.date), _text(region),
                      _text(hit.doc_type), body)  # fmt: skip
    screen = console(out)
    screen.print(table)
    for name, values in result.facets.items():
        if values:
            shown = ", ".join(f"{k} {v}" for k, v in list(values.items())[:10])
            screen.print(f"[bold]{name}[/bold]: {escape(shown)}")


def print_metrics(result: MetricResult, out: TextIO, fmt: str) -> None:
    if fmt == "json":
        write_json(result.to_dict(), out)
        return
    records = metric_records(result.rows)
    if fmt == "csv":
        write_csv(records, METRIC_COLUMNS, out)
        return
    table = Table(title=f"{result.total} metrics", show_lines=False)
    for column in ("date", "region", "indicator", "value", "unit", "subject", "quote", "document"):
        table.add_column(column, overflow="fold")
    for r in records:
        table.add_row(_text(r["date"]), _text(r["region"]), _text(r["indicator"]),
                      _text(r["value"]), _text(r["unit"]), _text(r["subject"]), _text(r["quote"]),
                      _text(r["title"]))  # fmt: skip
    console(out).print(table)


def print_comparison(comparison: Comparison, out: TextIO, fmt: str) -> None:
    if fmt == "json":
        write_json(comparison.to_dict(), out)
        return
    if fmt == "csv":
        write_csv(comparison_records(comparison), COMPARE_COLUMNS, out)
        return
    table = Table(title=f"{len(comparison.rows)} places", show_lines=True)
    table.add_column("place", overflow="fold")
    table.add_column("code")
    table.add_column("scope")
    for indicator in comparison.indicators:
        table.add_column(comparison.labels.get(indicator, indicator), overflow="fold")
    for row in comparison.rows:
        cells = []
        for indicator in comparison.indicators:
            cell = row.cells.get(indicator)
            if cell is None:
                cells.append("")
                continue
            latest = cell.latest
            more = f" (+{len(cell.observations) - 1})" if len(cell.observations) > 1 else ""
            cells.append(f"{_text(latest.value)} {_text(latest.unit)}{more}\n"
                         f"{_text(latest.date)} 「{_text(latest.quote)}」")  # fmt: skip
        table.add_row(_text(row.region.name), _text(row.region.code), _text(row.scope), *cells)
    console(out).print(table)


def _pairs(values: dict[str, int]) -> str:
    return "\n".join(f"{k} {v}" for k, v in values.items())


def print_sanding(result: SandingResult, out: TextIO, fmt: str) -> None:
    if fmt == "json":
        write_json(result.to_dict(), out)
        return
    if fmt == "csv":
        write_csv(sanding_records(result.rows), sanding_columns(), out)
        return
    table = Table(title=f"{result.total} departments", show_lines=True)
    for column in ("department", "region", "nature / rank", "staffing", "leading posts",
                   "internal bodies"):  # fmt: skip
        table.add_column(column, overflow="fold")
    for row in result.rows:
        table.add_row(_text(row.department), _text(row.region),
                      f"{_text(row.nature)}\n{_text(row.rank)}", _text(_pairs(row.staffing)),
                      _text(_pairs(row.leadership)), _text("、".join(row.internal_bodies)))  # fmt: skip
    console(out).print(table)
