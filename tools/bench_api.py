"""Load benchmark of the HTTP API (not a test): mixed search/compare requests against `cnpolicy serve`.

    .venv/bin/python tools/bench_api.py --store /tmp/bench/bench100k.db
    .venv/bin/python tools/bench_api.py --documents 5000          # builds a synthetic store

Starts the real server (`cnpolicy serve`, one uvicorn process) on 127.0.0.1 with a free port,
then sends a fixed number of requests at a fixed concurrency from an asyncio client (httpx), and
reports throughput, latency percentiles per kind, and errors (any non-200 answer; must be 0).
Searches are the store benchmark's mix (tools/bench_store.py: places, departments, topics,
phrases, OR, NOT, filters, later pages), so the two sets of figures compare; comparisons ask
for one indicator over a handful of real cities. Loopback only, bounded in requests and time.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"  # loopback only, by design: this is a benchmark, not a load generator
# Request mix: searches are what people mostly do; comparisons are the heaviest read.
SEARCH_SHARE = 0.7
# Places per comparison: a user compares a handful of cities, not the whole country.
COMPARE_PLACES = (2, 6)
# Requests sent first and not counted (connection set-up, SQLite page cache, jieba loading).
WARMUP_REQUESTS = 100
# Seconds the server may take to answer /health after starting (it loads jieba for queries).
START_TIMEOUT = 60.0
# No single request may take longer than this (seconds); a timeout counts as an error.
REQUEST_TIMEOUT = 60.0
TOOLS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Work:
    """One request: its kind, path and parameters, and the same question put to the store."""

    kind: str
    path: str
    params: dict[str, str]
    direct: Callable[[Any], Any]


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
    """A synthetic store of `documents` extracted records (cnpolicy/quality/synth.py)."""
    from cnpolicy.quality.synth import generate
    from cnpolicy.search.sqlite.store import SqliteStore

    with SqliteStore(path) as store:
        report = store.index(generate(documents, seed=seed))
        if report.failures:
            raise SystemExit(f"could not build the store: {report.failures[0].error}")


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "cnpolicy", "serve", "--store", str(store),
               "--host", HOST, "--port", str(port), "--log-level", "warning",
               "--workers", str(workers)]  # fmt: skip
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


def store_bench() -> Any:
    """tools/bench_store.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_store", TOOLS / "bench_store.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def search_params(request: Any) -> dict[str, str]:
    """A store SearchRequest as /search query parameters."""
    params = {"q": request.text}
    if request.region:
        params["region"] = request.region
    if request.year_from or request.year_to:
        params["year"] = f"{request.year_from or ''}..{request.year_to or ''}"
    if request.doc_type:
        params["type"] = request.doc_type
    if request.offset:
        params["offset"] = str(request.offset)
    return params


def requests(count: int, seed: int) -> list[Work]:
    """`count` requests, the same for the same seed."""
    from cnpolicy.indicators import load_taxonomy
    from cnpolicy.quality.synth import places

    rng = random.Random(f"bench-api:{seed}")
    searches = iter(store_bench().query_mix(count, seed))
    cities = [c.name for c in places().cities]
    indicators = [i.id for i in load_taxonomy().indicators]
    work = []
    for _ in range(count):
        if rng.random() < SEARCH_SHARE:
            kind, request = next(searches)
            params = search_params(request)
            work.append(Work(f"search: {kind}", "/search", params, partial(_search, request)))
        else:
            chosen = rng.sample(cities, rng.randint(*COMPARE_PLACES))
            indicator = rng.choice(indicators)
            params = {"indicator": indicator, "regions": ",".join(chosen)}
            work.append(Work("compare", "/compare", params, partial(_compare, indicator, chosen)))
    return work


def _search(request: Any, store: Any) -> Any:
    return store.search(request)


def _compare(indicator: str, regions: list[str], store: Any) -> Any:
    from cnpolicy.search.compare import compare_places

    return compare_places(store, [indicator], regions=regions)


def run_direct(store_path: Path, work: list[Work]) -> Tally:
    """The same requests answered by the store in this process, one at a time, without HTTP:
    the baseline that shows what the API adds."""
    from cnpolicy.search.sqlite.store import SqliteStore

    tally = Tally()
    with SqliteStore(store_path, create=False) as store:
        for item in work:
            started = time.perf_counter()
            item.direct(store)
            tally.latencies.setdefault(item.kind, []).append(time.perf_counter() - started)
            tally.statuses["direct"] += 1
    return tally


async def run_load(base: str, work: list[Work], concurrency: int, tally: Tally | None) -> float:
    """Send every request with `concurrency` in flight; returns the wall time in seconds."""
    queue: asyncio.Queue[Work] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def worker() -> None:
            while not queue.empty():
                item = queue.get_nowait()
                kind, path, params = item.kind, item.path, item.params
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
        "requests": len(every),
        "concurrency": args.concurrency,
        "workers": args.workers,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(every) / wall, 1),
        "overall": stats(every),
        "by_kind": {kind: stats(values) for kind, values in sorted(tally.latencies.items())},
        "statuses": dict(tally.statuses),
        "errors": len(tally.errors),
        "first_errors": tally.errors[:5],
    }


def direct_summary(tally: Tally) -> dict[str, Any]:
    every = [v for values in tally.latencies.values() for v in values]
    return {
        "requests": len(every),
        "p50_ms": round(statistics.median(every) * 1000, 2),
        "p95_ms": round(percentile(every, 0.95) * 1000, 2),
    }


def print_report(result: dict[str, Any]) -> None:
    print(
        f"store: {result['store_documents']} documents\n"
        f"{result['requests']} requests at concurrency {result['concurrency']}, "
        f"{result['workers']} server process(es), in "
        f"{result['wall_s']} s: {result['throughput_rps']} requests/s, errors {result['errors']}"
    )
    rows = [("all", result["overall"]), *result["by_kind"].items()]
    print(f"{'kind':<32}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind, s in rows:
        print(f"{kind:<32}{s['count']:>7}{s['p50_ms']:>10}{s['p95_ms']:>10}{s['p99_ms']:>10}"
              f"{s['max_ms']:>10}")  # fmt: skip
    if "direct" in result:
        d = result["direct"]
        print(f"the store alone (no HTTP, one at a time), first {d['requests']} requests: "
              f"p50 {d['p50_ms']} ms, p95 {d['p95_ms']} ms")  # fmt: skip
    for line in result["first_errors"]:
        print(f"error: {line}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="an existing SQLite store to serve")
    parser.add_argument("--documents", type=int, default=5000,
                        help="without --store: build a synthetic store this size (default 5000)")  # fmt: skip
    parser.add_argument("--requests", type=int, default=5000, help="requests counted (5000)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight (20)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1)")
    parser.add_argument("--direct", type=int, default=0, metavar="N",
                        help="also time the first N requests on the store without HTTP")  # fmt: skip
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
        server = start_server(store, port, args.workers)
        try:
            health = wait_until_up(base, server)
            work = requests(WARMUP_REQUESTS + args.requests, args.seed)
            asyncio.run(run_load(base, work[:WARMUP_REQUESTS], args.concurrency, None))
            tally = Tally()
            wall = asyncio.run(run_load(base, work[WARMUP_REQUESTS:], args.concurrency, tally))
        finally:
            server.terminate()
            server.wait(timeout=30)
        direct = run_direct(store, work[WARMUP_REQUESTS:][: args.direct]) if args.direct else None
    result = summary(tally, wall, health, args)
    if direct is not None:
        result["direct"] = direct_summary(direct)
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
