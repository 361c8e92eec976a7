"""The `cnpolicy` command: one entry point, subcommands; the only place errors become exit codes.

The command table (COMMANDS) names each subcommand and a loader that imports its options and
run function; only the chosen command's module is imported, so `--help` and usage errors are quick.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from cnpolicy import __version__
from cnpolicy.config import (
    MAX_INFLATE_RATIO,
    MAX_INFLATED_BYTES,
    MAX_INPUT_BYTES,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    MAX_WORKER_MB,
    ExtractOptions,
    IngestOptions,
    Options,
)
from cnpolicy.errors import (
    BackendUnavailableError,
    CnpolicyError,
    ConfigError,
    ExtractError,
    GoldFormatError,
    IngestError,
    NotFoundError,
    QueryError,
    StoreError,
)
from cnpolicy.imports import keep_torch_from_thinc

__all__ = [
    "BENCHMARKS",
    "COMMANDS",
    "EXIT_CODES",
    "EXIT_INTERNAL",
    "GC_THRESHOLDS",
    "MB",
    "AddArguments",
    "Command",
    "Run",
    "add_budget_arguments",
    "add_extract_arguments",
    "add_worker_memory_argument",
    "build_parser",
    "exit_code_for",
    "ingest_options_from",
    "main",
    "non_negative_int",
    "options_from",
    "positive_int",
    "print_summary",
    "run_extract",
    "whole_number",
    "with_progress",
]

# Exit codes: 0 success; 1 some inputs could not be processed (the rest were); 2 bad usage,
# option or query; 3 not found; 4 store error; 5 search backend unreachable; 6 extraction
# pipeline or model error; 70 an internal error (a bug: please report it).
EXIT_CODES: tuple[tuple[type[CnpolicyError], int], ...] = (
    (QueryError, 2),
    (ConfigError, 2),
    (GoldFormatError, 2),
    (NotFoundError, 3),
    (BackendUnavailableError, 5),
    (StoreError, 4),
    (ExtractError, 6),
    (IngestError, 1),
)
EXIT_INTERNAL = 70
# The cyclic garbage collector's thresholds in a cnpolicy process. Loading spaCy, thinc, pydantic
# and the lexicons creates several hundred thousand long-lived objects: at Python's default
# first-generation threshold (700) the collector ran 258 times in a one-file run, 0.11 s of its
# 1.0 s of CPU, freeing next to nothing; at 100,000 net allocations it runs once (0.025 s). The
# pipeline makes little cyclic garbage, so peak memory is unchanged (tests/test_memory_budget.py).
GC_THRESHOLDS = (100_000, 50, 50)

AddArguments = Callable[[argparse.ArgumentParser], None]
Run = Callable[[argparse.Namespace], int]


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand: its name, its help line, and how to load its options and its run function
    (imported only when the command is chosen, so `cnpolicy --help` imports no stage)."""

    name: str
    help: str
    load: Callable[[], tuple[AddArguments, Run]]


def _extract_command() -> tuple[AddArguments, Run]:
    return add_extract_arguments, run_extract


def _eval_command() -> tuple[AddArguments, Run]:
    from cnpolicy.quality.evaluate import add_arguments, run

    return add_arguments, run


def _index_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_index_arguments, run_index

    return add_index_arguments, run_index


def _search_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_search_arguments, run_search

    return add_search_arguments, run_search


def _metrics_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_metrics_arguments, run_metrics

    return add_metrics_arguments, run_metrics


def _compare_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_compare_arguments, run_compare

    return add_compare_arguments, run_compare


def _sanding_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_sanding_arguments, run_sanding

    return add_sanding_arguments, run_sanding


def _export_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_export_arguments, run_export

    return add_export_arguments, run_export


def _vacuum_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.store import add_vacuum_arguments, run_vacuum

    return add_vacuum_arguments, run_vacuum


def _serve_command() -> tuple[AddArguments, Run]:
    from cnpolicy.cli.serve import add_serve_arguments, run_serve

    return add_serve_arguments, run_serve


def _ingest_bench() -> tuple[AddArguments, Run]:
    from cnpolicy.quality.bench_ingest import add_ingest_arguments, run_ingest

    return add_ingest_arguments, run_ingest


def _extract_bench() -> tuple[AddArguments, Run]:
    from cnpolicy.quality.bench_extract import add_arguments, run

    return add_arguments, run


def _process_bench() -> tuple[AddArguments, Run]:
    from cnpolicy.quality.bench_process import add_process_arguments, run_process

    return add_process_arguments, run_process


# The command table: every subcommand, in the order `cnpolicy --help` lists them.
COMMANDS: tuple[Command, ...] = (
    Command("extract", "read files, print cleaned text, metadata, entities and metrics",
            _extract_command),
    Command("eval", "score extraction against gold files", _eval_command),
    Command("index", "ingest, extract and index files into a store", _index_command),
    Command("search", "full-text search of the archive", _search_command),
    Command("metrics", "query the extracted statistics", _metrics_command),
    Command("compare", "compare places on one or more indicators", _compare_command),
    Command("sanding", "query 三定 department records", _sanding_command),
    Command("export", "export a result set to CSV, XLSX, Parquet or JSON", _export_command),
    Command("vacuum", "give a SQLite store's free space back to the disk", _vacuum_command),
    Command("serve", "serve the HTTP API and the web interface", _serve_command),
)  # fmt: skip
BENCHMARKS: tuple[Command, ...] = (
    Command("ingest", "ingest throughput (characters per second), peak memory", _ingest_bench),
    Command("extract", "extraction throughput against bare jieba segmentation", _extract_bench),
    Command("process", "whole extract processes against bare segmenting processes",
            _process_bench),
)  # fmt: skip


def exit_code_for(error: CnpolicyError) -> int:
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return 1


# --- extract -------------------------------------------------------------------------------


def add_extract_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    parser.add_argument(
        "--format",
        choices=("jsonl", "json", "table"),
        default="jsonl",
        help="jsonl: one JSON object per document, in input order (default); json: one array; "
        "table: a summary table",
    )
    parser.add_argument("--jobs", type=positive_int, default=1, help="worker processes")
    add_worker_memory_argument(parser)
    parser.add_argument("--no-entities", action="store_true", help="skip entity extraction")
    parser.add_argument("--no-metrics", action="store_true", help="skip metric extraction")
    parser.add_argument(
        "--neural-model",
        metavar="PATH_OR_NAME",
        help="add the neural NER component with this token-classification model (extra [neural])",
    )
    parser.add_argument(
        "--max-mb", type=positive_int, default=MAX_INPUT_BYTES // MB, metavar="MB",
        help=f"size of one file (default {MAX_INPUT_BYTES // MB})",
    )  # fmt: skip
    add_budget_arguments(parser)


MB = 1024 * 1024


def add_budget_arguments(parser: argparse.ArgumentParser) -> None:
    """The budgets every file is checked against before the work (shared by extract, index and
    serve); a file over one gets its own clear error naming the option, and the batch goes on."""
    group = parser.add_argument_group("budgets per file")
    group.add_argument(
        "--max-chars", type=positive_int, default=MAX_TEXT_CHARS, metavar="N",
        help=f"characters of text (default {MAX_TEXT_CHARS:,})",
    )  # fmt: skip
    group.add_argument(
        "--max-pages", type=positive_int, default=MAX_PDF_PAGES, metavar="N",
        help=f"PDF pages (default {MAX_PDF_PAGES:,})",
    )  # fmt: skip
    group.add_argument(
        "--max-inflated-mb", type=positive_int, default=MAX_INFLATED_BYTES // MB, metavar="MB",
        help=f"inflated size of one DOCX part (default {MAX_INFLATED_BYTES // MB})",
    )  # fmt: skip
    group.add_argument(
        "--max-inflate-ratio", type=positive_int, default=MAX_INFLATE_RATIO, metavar="N",
        help=f"inflated / compressed size of one DOCX part (default {MAX_INFLATE_RATIO})",
    )  # fmt: skip


def add_worker_memory_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-worker-mb", type=positive_int, default=MAX_WORKER_MB, metavar="MB",
        help="replace a worker process whose memory passes this after a file "
        f"(default {MAX_WORKER_MB}; with --jobs 2 or more)",
    )  # fmt: skip


def ingest_options_from(args: argparse.Namespace) -> IngestOptions:
    defaults = IngestOptions()
    max_mb = getattr(args, "max_mb", None)
    inflated_mb = getattr(args, "max_inflated_mb", None)
    return IngestOptions(
        max_bytes=max_mb * MB if max_mb else defaults.max_bytes,
        max_chars=getattr(args, "max_chars", None) or defaults.max_chars,
        max_pages=getattr(args, "max_pages", None) or defaults.max_pages,
        max_inflated_bytes=inflated_mb * MB if inflated_mb else defaults.max_inflated_bytes,
        max_inflate_ratio=getattr(args, "max_inflate_ratio", None) or defaults.max_inflate_ratio,
    )


def options_from(args: argparse.Namespace) -> Options:
    """Build the frozen options once, at the edge."""
    return Options(
        ingest=ingest_options_from(args),
        extract=ExtractOptions(
            entities=not getattr(args, "no_entities", False),
            metrics=not getattr(args, "no_metrics", False),
            neural_model=getattr(args, "neural_model", None),
        ),
        jobs=getattr(args, "jobs", 1),
        max_worker_mb=getattr(args, "max_worker_mb", None) or MAX_WORKER_MB,
    )


def with_progress(items: Iterator[Any], total: int, label: str) -> Iterator[Any]:
    """Show a progress bar on stderr when it is a terminal; pass items through unchanged."""
    if not sys.stderr.isatty() or total < 2:
        yield from items
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.advance(task)


def run_extract(args: argparse.Namespace) -> int:
    from cnpolicy.flows import Failure, iter_sources, run_batch

    options = options_from(args)
    sources = iter_sources(args.paths)
    if not sources:
        raise ConfigError("no documents found (looked for .txt, .html, .pdf, .docx)", field="PATH")
    results = with_progress(run_batch(sources, options), len(sources), "extracting")
    failures = 0
    out = sys.stdout
    if args.format == "table":
        rows = []
        for result in results:
            failures += isinstance(result, Failure)
            rows.append(result)
        print_summary(rows, out)
    elif args.format == "json":
        items = []
        for result in results:
            failures += isinstance(result, Failure)
            items.append(result.to_dict())
        json.dump(items, out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        for result in results:
            failures += isinstance(result, Failure)
            out.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            out.flush()
    if failures:
        print(f"{failures} of {len(sources)} files could not be read", file=sys.stderr)
    return 1 if failures else 0


def print_summary(results: Sequence[Any], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    from cnpolicy.flows import Failure

    table = Table(title=f"{len(results)} documents", show_lines=False)
    for column in ("file", "format", "type", "title", "date", "region", "metrics", "entities"):
        table.add_column(column, overflow="fold")
    for result in results:
        name = Path(result.source).name
        if isinstance(result, Failure):
            table.add_row(name, "-", "[red]error[/red]", result.error, "", "", "", "")
            continue
        region = result.region
        place = f"{region.name} {region.code or ''}".strip() if region else ""
        kind = result.doc_type + (" (dup)" if result.duplicate_of else "")
        table.add_row(
            name,
            result.format,
            kind,
            (result.title or "")[:40],
            result.date or "",
            place,
            str(len(result.metrics)),
            str(len(result.entities)),
        )
    Console(file=out, width=160).print(table)


# --- parser --------------------------------------------------------------------------------


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def non_negative_int(text: str) -> int:
    value = whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the command `argv` chooses gets its options (and imports its module).
    With no argv, every command gets them (for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="cnpolicy",
        description="Turn Chinese government policy texts into structured, searchable data.",
    )
    parser.add_argument("--version", action="version", version=f"cnpolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen(argv, [c.name for c in COMMANDS])
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help)
        if command.name == "bench":
            continue
        if argv is None or chosen == command.name:
            _attach(sub, command)
    bench = commands.add_parser("bench", help="benchmarks (not tests): throughput and memory")
    benches = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    rest = list(argv or [])[1:] if chosen == "bench" else []
    which = _chosen(rest, [c.name for c in BENCHMARKS])
    for command in BENCHMARKS:
        sub = benches.add_parser(command.name, help=command.help)
        if argv is None or (chosen == "bench" and which == command.name):
            _attach(sub, command)
    return parser


def _chosen(argv: Sequence[str] | None, names: Sequence[str]) -> str | None:
    """The command named first among the arguments (None: none yet, e.g. `--help`)."""
    for arg in argv or ():
        if not arg.startswith("-"):
            return arg if arg in names or arg == "bench" else None
    return None


def _attach(parser: argparse.ArgumentParser, command: Command) -> None:
    add_arguments, run = command.load()
    add_arguments(parser)
    parser.set_defaults(run=run)


def main(argv: Sequence[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    keep_torch_from_thinc()  # with the neural extra installed, spaCy's import would load torch
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    try:
        return int(args.run(args))
    except CnpolicyError as error:
        print(f"cnpolicy: error: {error}", file=sys.stderr)
        return exit_code_for(error)
    except KeyboardInterrupt:
        print("cnpolicy: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:
        print(
            f"cnpolicy: internal error: {type(error).__name__}: {error} (please report this)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
