"""Load benchmark of the HTTP API (not a test): mixed search/compare requests against `cnpolicy serve`.

    .venv/bin/python tools/bench_api.py --store /tmp/bench/bench100k.db
    .venv/bin/python tools/bench_api.py --documents 5000          # builds a synthetic store

Starts the real server (`cnpolicy serve`, one uvicorn process) on 127.0.0.1 with a free port,
then sends a fixed number of requests at a fixed concurrency from an asyncio client (httpx), and
reports throughput, latency percentiles per kind, and errors (any non-200 answer; must be 0).
Query words, places and years are drawn from the store itself, so the mix fits any corpus.
Loopback only, bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"  # loopback only, by design: this is a benchmark, not a load generator
# Request mix: searches are what people mostly do; comparisons are the heaviest read.
SEARCH_SHARE = 0.7
# Of searches, this share adds a region or year filter (the search page's common use).
FILTERED_SHARE = 0.5
# Places per comparison: a user compares a handful of cities, not the whole country.
COMPARE_PLACES = (2, 6)
# Requests sent first and not counted (connection set-up, SQLite page cache, jieba loading).
WARMUP_REQUESTS = 100
# Seconds the server may take to answer /health after starting (it loads jieba for queries).
START_TIMEOUT = 60.0
# No single request may take longer than this (seconds); a timeout counts as an error.
REQUEST_TIMEOUT = 60.0
# Documents whose titles give the query vocabulary, and the vocabulary size kept.
VOCABULARY_DOCUMENTS = 500
VOCABULARY_SIZE = 300
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


@dataclass
class Plan:
    """What to ask for: words, places and years found in the store, and indicator ids."""

    words: list[str]
    places: list[str]
    years: list[str]
    indicators: list[str]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def build_store(path: Path, documents: int, seed: int) -> None:
    """A synthetic store of `documents` extracted records (search/synth.py)."""
    from cnpolicy.search.sqlite_store import SqliteStore
    from cnpolicy.search.synth import generate

    with SqliteStore(path) as store:
        report = store.index(generate(documents, seed=seed))
        if report.failures:
            raise SystemExit(f"could not build the store: {report.failures[0].error}")


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cnpolicy", "serve", "--store", str(store),
               "--host", HOST, "--port", str(port), "--log-level", "warning"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "CNPOLICY_API_TOKEN"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            response = httpx.get(f"{base}/health", timeout=2)
            if response.status_code == 200:
                health: dict[str, Any] = response.json()
                return health
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /health within {START_TIMEOUT:.0f} s")


def make_plan(base: str) -> Plan:
    """Words from the titles of stored documents, places and years from the facets."""
    from cnpolicy.extract.indicators import load_taxonomy
    from cnpolicy.search.segment import tokens

    listing = httpx.get(
        f"{base}/search", params={"limit": VOCABULARY_DOCUMENTS}, timeout=REQUEST_TIMEOUT
    ).json()
    counts: Counter[str] = Counter()
    for hit in listing["hits"]:
        counts.update(t for t in tokens(hit["title"] or "") if _CJK_WORD.match(t))
    words = [w for w, _ in counts.most_common(VOCABULARY_SIZE)]
    facets = listing["facets"]
    places = list(facets.get("region", {}))
    years = list(facets.get("year", {}))
    indicators = [i.id for i in load_taxonomy().indicators]
    if not words or not places:
        raise SystemExit("the store holds no documents to query")
    return Plan(words, places, years, indicators)


def requests(plan: Plan, count: int, seed: int) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(kind, path, params) of `count` requests, the same for the same seed."""
    rng = random.Random(seed)
    for _ in range(count):
        if rng.random() < SEARCH_SHARE:
            params = {"q": " ".join(rng.sample(plan.words, rng.randint(1, 2)))}
            kind = "search"
            if rng.random() < FILTERED_SHARE:
                if plan.years and rng.random() < 0.5:
                    params["year"] = rng.choice(plan.years)
                else:
                    params["region"] = rng.choice(plan.places)
                kind = "search+filter"
            yield kind, "/search", params
        else:
            chosen = rng.sample(plan.places, min(len(plan.places), rng.randint(*COMPARE_PLACES)))
            params = {"indicator": rng.choice(plan.indicators), "regions": ",".join(chosen)}
            yield "compare", "/compare", params


async def run_load(
    base: str, work: list[tuple[str, str, dict[str, str]]], concurrency: int, tally: Tally | None
) -> float:
    """Send every request with `concurrency` in flight; returns the wall time in seconds."""
    queue: asyncio.Queue[tuple[str, str, dict[str, str]]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def worker() -> None:
            while not queue.empty():
                kind, path, params = queue.get_nowait()
                started = time.perf_counter()
                try:
                    response = await client.get(path, params=params)
                    status = str(response.status_code)
                except httpx.HTTPError as error:
                    status = type(error).__name__
                elapsed = time.perf_counter() - started
                if tally is not None:
                    tally.latencies.setdefault(kind, []).append(elapsed)
                    tally.statuses[status] += 1
                    if status != "200":
                        tally.errors.append(f"{status} {path} {params}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(
    tally: Tally, wall: float, health: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    every = [v for values in tally.latencies.values() for v in values]

    def stats(values: list[float]) -> dict[str, float]:
        return {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 2),
            "p95_ms": round(percentile(values, 0.95) * 1000, 2),
            "p99_ms": round(percentile(values, 0.99) * 1000, 2),
            "max_ms": round(max(values) * 1000, 2),
        }

    return {
        "store_documents": health.get("documents"),
        "store_metrics": health.get("metrics"),
        "requests": len(every),
        "concurrency": args.concurrency,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(every) / wall, 1),
        "overall": stats(every),
        "by_kind": {kind: stats(values) for kind, values in sorted(tally.latencies.items())},
        "statuses": dict(tally.statuses),
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"store: {result['store_documents']} documents, {result['store_metrics']} metrics\n"
        f"{result['requests']} requests at concurrency {result['concurrency']} in "
        f"{result['wall_s']} s: {result['throughput_rps']} requests/s, errors {result['errors']}"
    )
    rows = [("all", result["overall"]), *result["by_kind"].items()]
    print(f"{'kind':<15}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind, s in rows:
        print(f"{kind:<15}{s['count']:>7}{s['p50_ms']:>10}{s['p95_ms']:>10}{s['p99_ms']:>10}"
              f"{s['max_ms']:>10}")  # fmt: skip
    for line in result["first_errors"]:
        print(f"error: {line}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an existing SQLite store to serve")
    parser.add_argument("--documents", type=int, default=5000,
                        help="without --store: build a synthetic store this size (default 5000)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=5000, help="requests counted (5000)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight (20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the request mix")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.documents < 1:
        parser.error("--requests, --concurrency and --documents must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cnpolicy-bench-api-") as scratch:
        store = args.store
        if store is None:
            store = Path(scratch) / "store.db"
            started = time.perf_counter()
            build_store(store, args.documents, args.seed)
            print(f"built a synthetic store of {args.documents} documents in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
        elif not store.is_file():
            raise SystemExit(f"{store}: no such store")
        port = free_port()
        base = f"http://{HOST}:{port}"
        server = start_server(store, port)
        try:
            health = wait_until_up(base, server)
            plan = make_plan(base)
            work = list(requests(plan, WARMUP_REQUESTS + args.requests, args.seed))
            asyncio.run(run_load(base, work[:WARMUP_REQUESTS], args.concurrency, None))
            tally = Tally()
            wall = asyncio.run(run_load(base, work[WARMUP_REQUESTS:], args.concurrency, tally))
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = summary(tally, wall, health, args)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
