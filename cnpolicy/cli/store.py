"""The store's subcommands: index, search, metrics, compare, sanding, export.

The command table in cnpolicy/cli/__init__.py wires each by name (`add_<name>_arguments`, `run_<name>`); failures are raised as
cnpolicy errors, which the CLI turns into messages and exit codes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnpolicy.cli import (
    MB,
    add_budget_arguments,
    add_worker_memory_argument,
    non_negative_int,
    options_from,
    positive_int,
    render,
    with_progress,
)
from cnpolicy.config import MAX_INPUT_BYTES, default_opensearch, default_store
from cnpolicy.errors import ConfigError, QueryError
from cnpolicy.records import DOC_TYPES
from cnpolicy.search import requests
from cnpolicy.search.backend import (
    RELEVANCE,
    SORTS,
    MetricRequest,
    SandingRequest,
    SearchRequest,
    Store,
)
from cnpolicy.search.compare import compare_places
from cnpolicy.search.es.mapping import DEFAULT_PREFIX
from cnpolicy.search.export import (
    COMPARE_COLUMNS,
    DOCUMENT_COLUMNS,
    EXPORT_FORMATS,
    METRIC_COLUMNS,
    comparison_records,
    document_records,
    metric_records,
    sanding_columns,
    sanding_records,
    write_records,
)
from cnpolicy.search.sources import MAX_SOURCE_BYTES

if TYPE_CHECKING:
    from cnpolicy.search.es.store import Product

__all__ = [
    "EXPORT_FILTERS",
    "EXPORT_KINDS",
    "add_compare_arguments",
    "add_export_arguments",
    "add_filter_arguments",
    "add_index_arguments",
    "add_metrics_arguments",
    "add_sanding_arguments",
    "add_search_arguments",
    "add_store_arguments",
    "add_vacuum_arguments",
    "check_export_filters",
    "cluster_of",
    "export_records",
    "format_argument",
    "metric_request",
    "open_store",
    "page_arguments",
    "run_compare",
    "run_export",
    "run_index",
    "run_metrics",
    "run_sanding",
    "run_search",
    "run_vacuum",
    "sanding_request",
    "search_request",
]

EXPORT_KINDS = ("documents", "metrics", "compare", "sanding")
# Filters each export kind understands; any other filter given is an error, not silently ignored.
EXPORT_FILTERS: dict[str, frozenset[str]] = {
    "documents": frozenset({"query", "region", "year", "type", "publisher", "collapse_duplicates"}),
    "metrics": frozenset({"indicator", "region", "level", "min", "max", "year"}),
    "compare": frozenset({"indicator", "regions", "year"}),
    "sanding": frozenset({"region", "name", "kind", "body"}),
}


# --- shared options ------------------------------------------------------------------------


def add_store_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--store", type=Path, metavar="DB",
        help=f"SQLite store file (default: $CNPOLICY_STORE or {default_store()})",
    )  # fmt: skip
    where.add_argument("--es", metavar="URL", help="use the Elasticsearch 9 cluster at URL instead")
    where.add_argument(
        "--opensearch", metavar="URL",
        help="use the OpenSearch cluster at URL instead (default: $CNPOLICY_OPENSEARCH_URL if set)",
    )  # fmt: skip
    parser.add_argument(
        "--es-prefix", default=DEFAULT_PREFIX, metavar="NAME",
        help=f"name prefix of the cluster's aliases and indices (default {DEFAULT_PREFIX})",
    )  # fmt: skip


def cluster_of(args: argparse.Namespace) -> tuple[Product, str] | None:
    """The cluster the options (or $CNPOLICY_OPENSEARCH_URL) name, or None for the SQLite file."""
    if getattr(args, "es", None):
        return "elasticsearch", str(args.es)
    if getattr(args, "opensearch", None):
        return "opensearch", str(args.opensearch)
    if getattr(args, "store", None) is None and (url := default_opensearch()):
        return "opensearch", url
    return None


def open_store(args: argparse.Namespace, *, create: bool = False) -> Store:
    """The store the options name; a missing SQLite file is an error unless indexing."""
    cluster = cluster_of(args)
    if cluster is not None:
        from cnpolicy.search.es.store import EsStore

        product, url = cluster
        return EsStore.connect(url, product=product, prefix=args.es_prefix)
    from cnpolicy.search.sqlite.store import SqliteStore

    return SqliteStore(args.store or default_store(), create=create)


def add_vacuum_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, metavar="DB",
        help=f"SQLite store file (default: $CNPOLICY_STORE or {default_store()})",
    )  # fmt: skip


def run_vacuum(args: argparse.Namespace) -> int:
    from cnpolicy.search.sqlite.store import SqliteStore

    store = SqliteStore(args.store or default_store(), create=False)
    try:
        before, after = store.vacuum()
    finally:
        store.close()
    print(f"{store.path}: {before:,} → {after:,} bytes ({before - after:,} reclaimed)")
    return 0


def page_arguments(parser: argparse.ArgumentParser, limit: int) -> None:
    parser.add_argument("--limit", type=positive_int, default=limit, help=f"rows (default {limit})")
    parser.add_argument("--offset", type=non_negative_int, default=0, help="rows to skip")


def format_argument(parser: argparse.ArgumentParser, choices: tuple[str, ...]) -> None:
    parser.add_argument("--format", choices=choices, default=choices[0], help="output format")


# --- index ---------------------------------------------------------------------------------


def add_index_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    add_store_arguments(parser)
    parser.add_argument("--jobs", type=positive_int, default=1, help="worker processes")
    add_worker_memory_argument(parser)
    parser.add_argument("--no-entities", action="store_true", help="skip entity extraction")
    parser.add_argument("--no-metrics", action="store_true", help="skip metric extraction")
    parser.add_argument(
        "--rebuild", action="store_true",
        help="Elasticsearch: index into new indices, then swap the aliases (no downtime)",
    )  # fmt: skip
    parser.add_argument(
        "--optimize", action="store_true",
        help="SQLite: merge the full-text index afterwards (faster queries after a large load)",
    )  # fmt: skip
    parser.add_argument(
        "--no-sources", action="store_true",
        help="do not keep the original files in the store (by default each file of up to "
        f"{MAX_SOURCE_BYTES // (1024 * 1024)} MB is kept and served as the document's source)",
    )  # fmt: skip
    parser.add_argument(
        "--max-mb", type=positive_int, default=MAX_INPUT_BYTES // MB, metavar="MB",
        help=f"size of one file (default {MAX_INPUT_BYTES // MB})",
    )  # fmt: skip
    add_budget_arguments(parser)


def run_index(args: argparse.Namespace) -> int:
    from cnpolicy.dedup import DuplicateIndex
    from cnpolicy.flows import Failure, index_files, iter_sources
    from cnpolicy.search.sqlite.store import SqliteStore

    if args.rebuild and cluster_of(args) is None:
        raise ConfigError(
            "--rebuild applies to a cluster (--es URL or --opensearch URL)", field="rebuild"
        )
    sources = iter_sources(args.paths)
    if not sources:
        raise ConfigError("no documents found (looked for .txt, .html, .pdf, .docx)", field="PATH")

    def skipped(failure: Failure) -> None:
        print(f"cnpolicy: skipped {failure.error}", file=sys.stderr)

    with open_store(args, create=True) as store:
        seen = DuplicateIndex()
        if isinstance(store, SqliteStore):
            for doc_id, fingerprint in store.fingerprints():
                seen.first_of(doc_id, fingerprint)
        outcome = index_files(
            sources, store, options_from(args), seen=seen, rebuild=args.rebuild,
            keep_up_to=0 if args.no_sources else MAX_SOURCE_BYTES,
            progress=lambda batch: with_progress(batch, len(sources), "indexing"),
            on_failure=skipped,
        )  # fmt: skip
        report, failures = outcome.report, outcome.failures
        if args.optimize and isinstance(store, SqliteStore):
            store.optimize()
        where = getattr(store, "url", None) or str(getattr(store, "path", ""))
    for failure in report.failures:
        print(f"cnpolicy: not indexed {failure.source}: {failure.error}", file=sys.stderr)
    if report.retried:
        print(f"cnpolicy: the cluster was overloaded: {report.retried} record(s) were rejected "
              "(429) and sent again", file=sys.stderr)  # fmt: skip
    failed = len(failures) + len(report.failures)
    print(f"indexed {report.indexed} of {len(sources)} documents into {where}"
          + (f"; {failed} failed" if failed else ""), file=sys.stderr)  # fmt: skip
    return 1 if failed else 0


# --- search --------------------------------------------------------------------------------


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--region", help="place name or division code (a province includes its cities)"
    )
    parser.add_argument("--year", help="a year or a range: 2019, 2018..2020, 2018.., ..2020")
    parser.add_argument("--type", choices=DOC_TYPES, help="document type")
    parser.add_argument(
        "--publisher", help="publishing body: any part of its name, as written or in full (编办)"
    )
    parser.add_argument("--doc-number", help="发文字号, any part of it: 〔2023〕7号")
    parser.add_argument(
        "--effective", help="effective (施行) date: 2019, 2019-03-01, or a range A..B"
    )
    parser.add_argument("--collapse-duplicates", action="store_true",
                        help="hide republications of a document (duplicate_of set)")  # fmt: skip


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query", metavar="QUERY",
        help='words (all must occur), "exact phrase", -exclude, a OR b; "" lists documents',
    )  # fmt: skip
    add_filter_arguments(parser)
    parser.add_argument("--sort", choices=SORTS, default=RELEVANCE,
                        help="order: relevance (best first; newest without words), newest, oldest")  # fmt: skip
    page_arguments(parser, 10)
    format_argument(parser, ("table", "json"))
    add_store_arguments(parser)


def search_request(args: argparse.Namespace, *, limit: int | None, offset: int) -> SearchRequest:
    return requests.search_request(
        text=getattr(args, "query", None) or "", region=args.region, year=args.year,
        doc_type=args.type, publisher=args.publisher,
        collapse_duplicates=args.collapse_duplicates, sort=getattr(args, "sort", RELEVANCE),
        doc_number=getattr(args, "doc_number", None), effective=getattr(args, "effective", None),
        limit=limit, offset=offset,
    )  # fmt: skip


def run_search(args: argparse.Namespace) -> int:
    request = search_request(args, limit=args.limit, offset=args.offset)
    with open_store(args) as store:
        result = store.search(request)
    if args.format == "json":
        render.write_json(result.to_dict(), sys.stdout)
    else:
        render.print_search(result, sys.stdout, offset=args.offset)
    return 0


# --- metrics and compare -------------------------------------------------------------------


def add_metrics_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--indicator", help="indicator id or Chinese name (several: A,B), e.g. 下放事权"
    )
    parser.add_argument(
        "--region", help="place name or code (several: A,B); includes what is inside"
    )
    parser.add_argument("--level", help="the figure's administrative level, as extracted")
    parser.add_argument("--scope", help="what the figure covers, as extracted: 市级, 全市 …")
    parser.add_argument("--recipient", help="who receives a transfer, as extracted: 乡镇 …")
    parser.add_argument("--subject", help="part of the figure's subject: 综合执法队伍")
    parser.add_argument("--min", type=float, help="smallest value")
    parser.add_argument("--max", type=float, help="largest value")
    parser.add_argument("--year", help="year of the document: 2019 or 2018..2020")
    page_arguments(parser, 50)
    format_argument(parser, ("table", "json", "csv"))
    add_store_arguments(parser)


def metric_request(args: argparse.Namespace, *, limit: int | None, offset: int) -> MetricRequest:
    return requests.metric_request(
        indicator=args.indicator, region=args.region, level=args.level,
        scope=getattr(args, "scope", None), recipient=getattr(args, "recipient", None),
        subject=getattr(args, "subject", None), min_value=args.min, max_value=args.max,
        year=args.year, limit=limit, offset=offset,
    )  # fmt: skip


def run_metrics(args: argparse.Namespace) -> int:
    request = metric_request(args, limit=args.limit, offset=args.offset)
    with open_store(args) as store:
        result = store.metrics(request)
    render.print_metrics(result, sys.stdout, args.format)
    return 0


def add_compare_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--indicator", default="",
        help="indicator ids or Chinese names: A or A,B (e.g. 党政机构, 下放事权)",
    )  # fmt: skip
    parser.add_argument(
        "--subject", help="compare metrics whose subject contains this (when no indicator fits)"
    )
    parser.add_argument("--regions", help="places to compare: A,B (default: every place)")
    parser.add_argument("--year", help="year of the documents: 2019 or 2018..2020")
    format_argument(parser, ("table", "json", "csv"))
    add_store_arguments(parser)


def run_compare(args: argparse.Namespace) -> int:
    first, last = requests.year_range(args.year)
    with open_store(args) as store:
        comparison = compare_places(store, requests.split_list(args.indicator), regions=requests.split_list(args.regions),
                                   year_from=first, year_to=last, subject=args.subject)  # fmt: skip
    render.print_comparison(comparison, sys.stdout, args.format)
    return 0


# --- 三定 ------------------------------------------------------------------------------------


def add_sanding_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", help="place name or code (includes what is inside)")
    parser.add_argument("--name", help="part of the department's name")
    parser.add_argument("--kind", help="part of its nature: 政府工作部门, 部门管理机构 …")
    parser.add_argument("--body", help="part of an internal body's name: 办公室, 法规科 …")
    page_arguments(parser, 50)
    format_argument(parser, ("table", "json", "csv"))
    add_store_arguments(parser)


def sanding_request(args: argparse.Namespace, *, limit: int | None, offset: int) -> SandingRequest:
    return requests.sanding_request(region=args.region, name=args.name, kind=args.kind,
                                    body=args.body, limit=limit, offset=offset)  # fmt: skip


def run_sanding(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        result = store.sanding(sanding_request(args, limit=args.limit, offset=args.offset))
    render.print_sanding(result, sys.stdout, args.format)
    return 0


# --- export --------------------------------------------------------------------------------


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=EXPORT_KINDS, help="what to export")
    parser.add_argument("--format", choices=EXPORT_FORMATS, required=True, help="file format")
    parser.add_argument("--output", type=Path, required=True, metavar="FILE", help="file to write")
    parser.add_argument("--query", help="documents: full-text query (default: every document)")
    add_filter_arguments(parser)
    parser.set_defaults(type=None)
    parser.add_argument("--indicator", help="metrics, compare: indicator id(s)")
    parser.add_argument("--regions", help="compare: places A,B")
    parser.add_argument("--level", help="metrics: the figure's level")
    parser.add_argument("--min", type=float, help="metrics: smallest value")
    parser.add_argument("--max", type=float, help="metrics: largest value")
    parser.add_argument("--name", help="sanding: part of the department's name")
    parser.add_argument("--kind", dest="sanding_kind", help="sanding: part of its nature")
    parser.add_argument("--body", help="sanding: part of an internal body's name")
    add_store_arguments(parser)


def check_export_filters(args: argparse.Namespace) -> None:
    given = {
        name for name in ("query", "region", "year", "type", "publisher", "indicator", "regions",
                          "level", "min", "max", "name", "body")
        if getattr(args, name, None) not in (None, "")
    }  # fmt: skip
    if args.sanding_kind:
        given.add("kind")
    if args.collapse_duplicates:
        given.add("collapse_duplicates")
    wrong = sorted(given - EXPORT_FILTERS[args.kind])
    if wrong:
        options = ", ".join("--" + w.replace("_", "-") for w in wrong)
        raise QueryError(f"{options} do not apply to an export of {args.kind}", field="export")


def export_records(
    args: argparse.Namespace, store: Store
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    if args.kind == "documents":
        result = store.search(search_request(args, limit=None, offset=0))
        return document_records(result.hits), DOCUMENT_COLUMNS
    if args.kind == "metrics":
        rows = store.metrics(metric_request(args, limit=None, offset=0)).rows
        return metric_records(rows), METRIC_COLUMNS
    if args.kind == "compare":
        if not args.indicator:
            raise QueryError("an export of compare needs --indicator", field="indicator")
        first, last = requests.year_range(args.year)
        comparison = compare_places(store, requests.split_list(args.indicator), regions=requests.split_list(args.regions),
                                   year_from=first, year_to=last, subject=args.subject)  # fmt: skip
        return comparison_records(comparison), COMPARE_COLUMNS
    request = SandingRequest(region=args.region, name=args.name, kind=args.sanding_kind,
                             body=args.body, limit=None)  # fmt: skip
    return sanding_records(store.sanding(request).rows), sanding_columns()


def run_export(args: argparse.Namespace) -> int:
    check_export_filters(args)
    with open_store(args) as store:
        records, columns = export_records(args, store)
    written = write_records(records, columns, args.output, args.format)
    print(f"wrote {written} rows to {args.output}", file=sys.stderr)
    return 0
