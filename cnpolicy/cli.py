"""The `cnpolicy` command: one entry point, subcommands; the only place errors become exit codes.

Subcommands owned by a stage are wired by name: the module gives `add_<name>_arguments(parser)`
and `run_<name>(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from cnpolicy import __version__
from cnpolicy.config import (
    MAX_INFLATE_RATIO,
    MAX_INFLATED_BYTES,
    MAX_INPUT_BYTES,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
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

# Subcommands implemented in stage modules: (name, module, help).
DELEGATED: tuple[tuple[str, str, str], ...] = (
    ("eval", "cnpolicy.extract.evaluate", "score extraction against gold files"),
    ("index", "cnpolicy.search.commands", "ingest, extract and index files into a store"),
    ("search", "cnpolicy.search.commands", "full-text search of the archive"),
    ("metrics", "cnpolicy.search.commands", "query the extracted statistics"),
    ("compare", "cnpolicy.search.commands", "compare places on one or more indicators"),
    ("sanding", "cnpolicy.search.commands", "query 三定 department records"),
    ("export", "cnpolicy.search.commands", "export a result set to CSV, XLSX, Parquet or JSON"),
    ("vacuum", "cnpolicy.search.commands", "give a SQLite store's free space back to the disk"),
    ("serve", "cnpolicy.api.server", "serve the HTTP API and the web interface"),
)
BENCHMARKS: tuple[tuple[str, str, str], ...] = (
    ("ingest", "cnpolicy.ingest.bench", "ingest throughput (characters per second), peak memory"),
    ("extract", "cnpolicy.extract.bench", "extraction throughput against bare jieba segmentation"),
)


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
    from cnpolicy.pipeline import Failure, iter_sources, run_batch

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

    from cnpolicy.pipeline import Failure

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


def _delegate(module_name: str, name: str) -> tuple[Callable[..., None], Callable[..., int]] | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            return None  # that stage is not built yet
        raise
    add = getattr(module, f"add_{name}_arguments", None) or getattr(module, "add_arguments", None)
    run = getattr(module, f"run_{name}", None) or getattr(module, "run", None)
    if add is None or run is None:
        return None
    return add, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnpolicy",
        description="Turn Chinese government policy texts into structured, searchable data.",
    )
    parser.add_argument("--version", action="version", version=f"cnpolicy {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    extract = commands.add_parser(
        "extract", help="read files, print cleaned text, metadata, entities and metrics"
    )
    add_extract_arguments(extract)
    extract.set_defaults(run=run_extract)
    for name, module_name, help_text in DELEGATED:
        found = _delegate(module_name, name)
        if found is None:
            continue
        sub = commands.add_parser(name, help=help_text)
        found[0](sub)
        sub.set_defaults(run=found[1])
    bench = commands.add_parser("bench", help="benchmarks (not tests): throughput and memory")
    benches = bench.add_subparsers(dest="bench", metavar="WHAT", required=True)
    for name, module_name, help_text in BENCHMARKS:
        found = _delegate(module_name, name)
        if found is None:
            continue
        sub = benches.add_parser(name, help=help_text)
        found[0](sub)
        sub.set_defaults(run=found[1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
