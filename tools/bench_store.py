"""Benchmark the embedded store (not a test): indexing rate, size, memory, query latency.

    .venv/bin/python tools/bench_store.py --documents 100000 --jobs 2 --store /tmp/bench.db

Indexes synthetic documents given as extracted records (cnpolicy/quality/synth.py; segmentation included,
in --jobs worker processes), then times a mixed set of searches with filters, facets and snippets
next to a bare FTS5 MATCH of the same words, on the same database in the same run. With
--end-to-end N it also indexes N synthetic files through the whole pipeline (read, ingest,
extract, index) and reports that rate. With --opensearch URL it indexes the same documents into
SQLite and into that OpenSearch node in one run (each store's own write time measured apart from
the shared segmentation) and times the same queries on both, with the memory each used.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnpolicy.quality.synth import document_at, places, write_corpus
from cnpolicy.search.backend import Prepared, SearchRequest, Store, prepare
from cnpolicy.search.query import compile_text
from cnpolicy.search.sqlite.query import bare_expression
from cnpolicy.search.sqlite.store import SqliteStore

# Documents per worker task: large enough that pickling overhead is small, small enough that
# the in-flight window (below) holds little memory.
CHUNK = 50
# Tasks in flight per worker: keeps workers busy while bounding memory whatever the corpus size.
WINDOW_PER_JOB = 4
# Progress and memory samples this often (documents).
SAMPLE_EVERY = 10_000
# Searches per query in the timed pass; the fastest run is not taken, the median of each is.
REPEATS = 3


def _make(job: tuple[int, int, int]) -> list[Prepared]:
    start, count, seed = job
    return [prepare(document_at(i, seed=seed)) for i in range(start, start + count)]


def rss_mib() -> float:
    """This process's resident memory now (MiB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


@dataclass
class Progress:
    count: int = 0
    chars: int = 0
    samples: list[tuple[int, float, float]] | None = None


def prepared_stream(total: int, seed: int, jobs: int, progress: Progress) -> Iterator[Prepared]:
    """Prepared documents in order, made by `jobs` processes with a bounded window."""
    started = time.perf_counter()
    progress.samples = []
    jobs_list = [(s, min(CHUNK, total - s), seed) for s in range(0, total, CHUNK)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque[Future[list[Prepared]]] = deque()
        tasks = iter(jobs_list)
        for task in tasks:
            pending.append(pool.submit(_make, task))
            if len(pending) >= jobs * WINDOW_PER_JOB:
                break
        while pending:
            batch = pending.popleft().result()
            task_next = next(tasks, None)
            if task_next is not None:
                pending.append(pool.submit(_make, task_next))
            for item in batch:
                progress.count += 1
                progress.chars += len(item.document.text)
                if progress.count % SAMPLE_EVERY == 0:
                    elapsed = time.perf_counter() - started
                    progress.samples.append((progress.count, elapsed, rss_mib()))
                    print(f"  {progress.count} documents, {elapsed:.0f} s, "
                          f"{progress.count / elapsed:.0f}/s, RSS {rss_mib():.0f} MiB",
                          file=sys.stderr)  # fmt: skip
                yield item


def index_corpus(store: SqliteStore, total: int, seed: int, jobs: int) -> dict[str, Any]:
    progress = Progress()
    started = time.perf_counter()
    report = store.index(prepared_stream(total, seed, jobs, progress))
    elapsed = time.perf_counter() - started
    indexing_peak = peak_mib(resource.RUSAGE_SELF)
    optimize_started = time.perf_counter()
    store.optimize()
    optimize_seconds = time.perf_counter() - optimize_started
    return {
        "documents": report.indexed,
        "failures": len(report.failures),
        "seconds": round(elapsed, 1),
        "documents_per_second": round(report.indexed / elapsed, 1),
        "characters_per_second": round(progress.chars / elapsed),
        "average_characters": round(progress.chars / max(1, progress.count)),
        "optimize_seconds": round(optimize_seconds, 1),
        "writer_peak_rss_mib": round(indexing_peak),
        "worker_peak_rss_mib": round(peak_mib(resource.RUSAGE_CHILDREN)),
        "rss_samples_mib": [round(s[2]) for s in progress.samples or []],
    }


# --- queries -------------------------------------------------------------------------------

WORDS = ("机构改革", "编制 精简", "事业单位 整合", "行政审批", "综合执法", "职责边界清单",
         "乡镇 下放", "领导职数", "政务服务", "议事协调机构")  # fmt: skip
PHRASES = ('"行政职能回归"', '"综合执法队伍"', '"大科室制改革"', '"审批事项即来即办"',
           '"编制精简率"', '"下沉编制"')  # fmt: skip
DEPARTMENTS = ("市场监督管理局", "应急管理局", "政务服务数据管理局", "生态环境局", "退役军人事务局",
               "医疗保障局", "司法局", "信访局")  # fmt: skip
OR_QUERIES = (
    "下放 OR 下沉 编制",
    "撤销 OR 合并 事业单位",
    "网上办 OR 即来即办",
    "内设机构 OR 科室 精简",
)
EXCLUSIONS = ("审批 -网上办", "改革 -事业单位", "编制 -下沉", "执法 -队伍")
SANDING_QUERIES = ("内设机构 办公室", "行政编制", "职能配置", "领导职数 副局长")


# What each tenth of the mix is (query_mix cycles through these in order).
KINDS = (
    "place", "place, year", "department, province", "topic, province, years", "topic, years",
    "phrase", "OR, city", "NOT, province", "三定 words, type", "place and topic",
)  # fmt: skip


def query_mix(count: int, seed: int) -> list[tuple[str, SearchRequest]]:
    """A fixed mix of searches users run: places, departments, topics, phrases, OR, NOT,
    with region, year and type filters and later pages; each with its kind (KINDS)."""
    rng = random.Random(f"bench-queries:{seed}")
    cities = places().cities
    provinces = sorted({c.province for c in cities})
    requests = []
    for i in range(count):
        kind = i % 10
        city = rng.choice(cities)
        region = None
        year_from = year_to = None
        doc_type = None
        if kind == 0:
            text = rng.choice((city.short, city.name))
        elif kind == 1:
            text = rng.choice((city.short, city.name))
            year_from = year_to = rng.randint(2015, 2024)
        elif kind == 2:
            text = rng.choice(DEPARTMENTS)
            region = rng.choice(provinces)
        elif kind in (3, 4):
            text = rng.choice(WORDS)
            region = rng.choice(provinces) if kind == 3 else None
            year_from = rng.randint(2015, 2022)
            year_to = year_from + rng.randint(0, 2)
        elif kind == 5:
            text = rng.choice(PHRASES)
        elif kind == 6:
            text = rng.choice(OR_QUERIES)
            region = city.name
        elif kind == 7:
            text = rng.choice(EXCLUSIONS)
            region = rng.choice(provinces)
        elif kind == 8:
            text = rng.choice(SANDING_QUERIES)
            doc_type = "sanding"
        else:
            text = f"{city.short} {rng.choice(WORDS)}"
        offset = rng.choice((0, 0, 0, 10, 20))
        request = SearchRequest(text=text, region=region, year_from=year_from, year_to=year_to,
                                doc_type=doc_type, offset=offset)  # fmt: skip
        requests.append((KINDS[kind], request))
    return requests


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(ours: list[float], bare: list[float]) -> dict[str, float]:
    return {
        "ours_p50_ms": round(percentile(ours, 0.5), 2),
        "ours_p95_ms": round(percentile(ours, 0.95), 2),
        "bare_p50_ms": round(percentile(bare, 0.5), 2),
        "bare_p95_ms": round(percentile(bare, 0.95), 2),
    }


def time_queries(store: SqliteStore, mix: list[tuple[str, SearchRequest]]) -> dict[str, Any]:
    """Median of REPEATS runs per query, ours and bare, interleaved; after one warm-up pass.

    Ours: SearchRequest → SearchResult (parse, segment, filters, ranking, total, facets,
    snippets, records). Bare: the same words' FTS5 expression, no filters, top 10 by rank.
    """
    requests = [r for _, r in mix]
    bare = [bare_expression(compile_text(r.text)) for r in requests]
    for request, expression in zip(requests, bare, strict=True):
        store.search(request)
        store.bare_match(expression)
    ours_ms, bare_ms, hits = [], [], []
    for request, expression in zip(requests, bare, strict=True):
        runs_ours, runs_bare = [], []
        for _ in range(REPEATS):
            started = time.perf_counter()
            store.bare_match(expression, limit=10 + request.offset)
            runs_bare.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            result = store.search(request)
            runs_ours.append((time.perf_counter() - started) * 1000)
        ours_ms.append(statistics.median(runs_ours))
        bare_ms.append(statistics.median(runs_bare))
        hits.append(result.total)
    ratios = [o / b for o, b in zip(ours_ms, bare_ms, strict=True) if b > 0]
    kinds: dict[str, Any] = {}
    for kind in KINDS:
        chosen = [i for i, (k, _) in enumerate(mix) if k == kind]
        if chosen:
            kinds[kind] = {
                **summary([ours_ms[i] for i in chosen], [bare_ms[i] for i in chosen]),
                "matches_p50": int(percentile([float(hits[i]) for i in chosen], 0.5)),
            }
    return {
        "queries": len(requests),
        **summary(ours_ms, bare_ms),
        "ours_max_ms": round(max(ours_ms), 2),
        "ratio_of_p50": round(percentile(ours_ms, 0.5) / percentile(bare_ms, 0.5), 2),
        "ratio_of_p95": round(percentile(ours_ms, 0.95) / percentile(bare_ms, 0.95), 2),
        "ratio_of_totals": round(sum(ours_ms) / sum(bare_ms), 2),
        "per_query_ratio_p50": round(percentile(ratios, 0.5), 2),
        "matches_p50": int(percentile([float(h) for h in hits], 0.5)),
        "matches_max": max(hits),
        "by_kind": kinds,
        "slowest": sorted(
            ({"query": r.text, "region": r.region, "ms": round(o, 1), "bare_ms": round(b, 1),
              "matches": h} for r, o, b, h in zip(requests, ours_ms, bare_ms, hits, strict=True)),
            key=lambda row: -float(row["ms"]),  # type: ignore[arg-type]
        )[:5],
    }  # fmt: skip


def end_to_end(count: int, jobs: int, seed: int) -> dict[str, Any]:
    """Files → read, ingest, extract → index, through the real pipeline (a smaller sample)."""
    from cnpolicy.config import Options
    from cnpolicy.flows import Failure, iter_sources, run_batch

    with tempfile.TemporaryDirectory() as folder:
        paths = list(write_corpus(Path(folder) / "files", count, seed=seed + 1))
        store = SqliteStore(Path(folder) / "e2e.db")
        failures = 0
        started = time.perf_counter()

        def documents() -> Iterator[Any]:
            nonlocal failures
            for result in run_batch(iter_sources(paths), Options(jobs=jobs)):
                if isinstance(result, Failure):
                    failures += 1
                else:
                    yield result

        report = store.index(documents())
        elapsed = time.perf_counter() - started
        store.close()
    return {"documents": report.indexed, "failures": failures, "seconds": round(elapsed, 1),
            "documents_per_second": round(report.indexed / elapsed, 1)}  # fmt: skip


# Documents handed to each store per call when both are indexed side by side: large enough that
# a commit (SQLite) or a refresh (OpenSearch) per call costs little, small enough to hold.
SIDE_BY_SIDE_BATCH = 1000


def node_memory(url: str) -> dict[str, float]:
    """The local OpenSearch node's peak resident memory (from /proc) and its heap now (MiB)."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/_nodes/_local/stats/jvm,process", timeout=30) as answer:
        node = next(iter(json.load(answer)["nodes"].values()))
    pid = None
    with urllib.request.urlopen(f"{url}/_nodes/_local/process", timeout=30) as answer:
        pid = next(iter(json.load(answer)["nodes"].values()))["process"]["id"]
    peak = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
    heap = node["jvm"]["mem"]
    return {"node_peak_rss_mib": round(peak), "heap_used_mib": round(heap["heap_used_in_bytes"] / 2**20),
            "heap_max_mib": round(heap["heap_max_in_bytes"] / 2**20)}  # fmt: skip


def index_side_by_side(
    stores: dict[str, Store], total: int, seed: int, jobs: int
) -> dict[str, Any]:
    """The same prepared documents into every store; each store's own write time apart."""
    from itertools import islice

    progress = Progress()
    spent = dict.fromkeys(stores, 0.0)
    indexed = dict.fromkeys(stores, 0)
    stream = prepared_stream(total, seed, jobs, progress)
    started = time.perf_counter()
    while batch := list(islice(stream, SIDE_BY_SIDE_BATCH)):
        for name, store in stores.items():
            began = time.perf_counter()
            indexed[name] += store.index(batch).indexed
            spent[name] += time.perf_counter() - began
    wall = time.perf_counter() - started
    return {"wall_seconds": round(wall, 1), "segmentation_workers": jobs,
            **{name: {"documents": indexed[name], "write_seconds": round(spent[name], 1),
                      "documents_per_second": round(indexed[name] / spent[name], 1)}
               for name in stores}}  # fmt: skip


def time_side_by_side(
    stores: dict[str, Store], mix: list[tuple[str, SearchRequest]]
) -> dict[str, Any]:
    """Median of REPEATS runs per query on each store (after a warm-up pass), and whether the
    stores agree: the same total, and the same top hits for selective queries (≤ 10 matches)."""
    requests = [r for _, r in mix]
    for store in stores.values():
        for request in requests:
            store.search(request)
    latency: dict[str, list[float]] = {name: [] for name in stores}
    results: dict[str, list[Any]] = {name: [] for name in stores}
    for request in requests:
        for name, store in stores.items():
            runs = []
            for _ in range(REPEATS):
                began = time.perf_counter()
                result = store.search(request)
                runs.append((time.perf_counter() - began) * 1000)
            latency[name].append(statistics.median(runs))
            results[name].append(result)
    first, *others = stores
    same_total = same_top = selective = 0
    for i in range(len(requests)):
        a = results[first][i]
        rest = [results[o][i] for o in others]
        same_total += all(r.total == a.total for r in rest)
        if a.total <= 10:
            selective += 1
            same_top += all({h.id for h in r.hits} == {h.id for h in a.hits} for r in rest)
    return {
        "queries": len(requests),
        **{name: {"p50_ms": round(percentile(ms, 0.5), 2), "p95_ms": round(percentile(ms, 0.95), 2)}
           for name, ms in latency.items()},
        "same_total": same_total,
        "selective_queries": selective,
        "selective_same_hits": same_top,
    }  # fmt: skip


def side_by_side(args: argparse.Namespace) -> dict[str, Any]:
    from cnpolicy.search.es.store import EsStore

    for suffix in ("", "-wal", "-shm"):
        Path(str(args.store) + suffix).unlink(missing_ok=True)
    prefix = f"cnpolicy-bench-{os.getpid()}"
    stores: dict[str, Store] = {
        "sqlite": SqliteStore(args.store),
        "opensearch": EsStore.connect(
            args.opensearch, product="opensearch", prefix=prefix, replicas=0
        ),
    }
    figures: dict[str, Any] = {"documents": args.documents}
    print(f"indexing {args.documents} documents into SQLite and OpenSearch", file=sys.stderr)
    figures["indexing"] = index_side_by_side(stores, args.documents, args.seed, args.jobs)
    figures["indexing"]["sqlite"]["writer_peak_rss_mib"] = round(peak_mib(resource.RUSAGE_SELF))
    figures["indexing"]["opensearch"].update(node_memory(args.opensearch))
    figures["sqlite_store_mib"] = round(sum(Path(str(args.store) + s).stat().st_size
                                            for s in ("", "-wal") if Path(str(args.store) + s).exists()) / 2**20)  # fmt: skip
    print(f"timing {args.queries} queries on both", file=sys.stderr)
    figures["search"] = time_side_by_side(stores, query_mix(args.queries, args.seed))
    figures["search"]["opensearch"].update(node_memory(args.opensearch))
    cluster = stores["opensearch"]
    assert isinstance(cluster, EsStore)
    if not args.keep:
        cluster.drop()
    for store in stores.values():
        store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", type=Path, default=Path(tempfile.gettempdir()) / "bench.db")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--end-to-end", type=int, default=0, metavar="N",
                        help="also run N synthetic files through the whole pipeline")  # fmt: skip
    parser.add_argument("--reuse", action="store_true", help="query an existing store only")
    parser.add_argument("--json", type=Path, help="write the figures here as well")
    parser.add_argument("--opensearch", metavar="URL",
                        help="index and query the same corpus on this OpenSearch node too")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the OpenSearch indices")
    args = parser.parse_args(argv)
    if args.opensearch:
        text = json.dumps(side_by_side(args), ensure_ascii=False, indent=1)
        print(text)
        if args.json:
            args.json.write_text(text + "\n", "utf-8")
        return 0
    figures: dict[str, Any] = {"documents": args.documents, "jobs": args.jobs}
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.store) + suffix).unlink(missing_ok=True)
    store = SqliteStore(args.store)
    if not args.reuse:
        print(f"indexing {args.documents} documents with {args.jobs} workers", file=sys.stderr)
        figures["indexing"] = index_corpus(store, args.documents, args.seed, args.jobs)
    size = sum(Path(str(args.store) + s).stat().st_size
               for s in ("", "-wal") if Path(str(args.store) + s).exists())  # fmt: skip
    figures["store_mib"] = round(size / 2**20)
    figures["store_documents"] = store.count()
    print(f"timing {args.queries} queries", file=sys.stderr)
    # The machine's load while timing: other processes' work inflates every latency alike.
    load_before = os.getloadavg()[0]
    figures["search"] = time_queries(store, query_mix(args.queries, args.seed))
    figures["search"]["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    store.close()
    if args.end_to_end:
        print(f"end to end: {args.end_to_end} files", file=sys.stderr)
        figures["end_to_end"] = end_to_end(args.end_to_end, args.jobs, args.seed)
    text = json.dumps(figures, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
