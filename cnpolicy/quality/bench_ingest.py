"""`cnpolicy bench ingest`: ingest throughput (characters per second) and peak memory.

Builds a corpus of N files by cycling through the samples in corpora/ (every format), then
ingests it with each --jobs setting. A benchmark, not a test: it reports, it does not judge.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from cnpolicy.config import ExtractOptions, Options
from cnpolicy.errors import ConfigError
from cnpolicy.flows import Failure, iter_sources, run_batch

__all__ = [
    "DEFAULT_CORPUS",
    "DEFAULT_DOCUMENTS",
    "IngestRun",
    "add_ingest_arguments",
    "build_corpus",
    "measure",
    "peak_rss_mb",
    "run_ingest",
]

# 2,000 documents: the floor the ingest issue sets for a meaningful throughput figure.
DEFAULT_DOCUMENTS = 2000
DEFAULT_CORPUS = Path("corpora")


@dataclass(frozen=True, slots=True)
class IngestRun:
    jobs: int
    documents: int
    failures: int
    characters: int
    seconds: float
    chars_per_second: float
    docs_per_second: float
    peak_rss_mb: float


def add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCUMENTS, help="documents to ingest")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="samples to cycle")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs settings")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def build_corpus(samples: list[Path], count: int, folder: Path) -> list[Path]:
    """`count` files in `folder`, copies of the samples in turn (names keep their extensions)."""
    paths = []
    for index in range(count):
        sample = samples[index % len(samples)]
        target = folder / f"{index:06d}-{sample.name}"
        shutil.copyfile(sample, target)
        paths.append(target)
    return paths


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished workers, in MB (Linux: KB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def measure(paths: list[Path], jobs: int) -> IngestRun:
    options = Options(
        extract=ExtractOptions(entities=False, metrics=False, sanding=False), jobs=jobs
    )
    characters = failures = 0
    start = time.perf_counter()
    for result in run_batch(paths, options):
        if isinstance(result, Failure):
            failures += 1
        else:
            characters += len(result.text)
    seconds = time.perf_counter() - start
    return IngestRun(
        jobs=jobs,
        documents=len(paths),
        failures=failures,
        characters=characters,
        seconds=round(seconds, 3),
        chars_per_second=round(characters / seconds),
        docs_per_second=round(len(paths) / seconds, 1),
        peak_rss_mb=round(peak_rss_mb(), 1),
    )


def run_ingest(args: argparse.Namespace) -> int:
    samples = iter_sources([args.corpus])
    if not samples:
        raise ConfigError(f"no sample documents in {args.corpus}", field="--corpus")
    if args.docs < 1:
        raise ConfigError("expected at least 1 document", field="--docs")
    runs = []
    with tempfile.TemporaryDirectory(prefix="cnpolicy-bench-") as folder:
        paths = build_corpus(samples, args.docs, Path(folder))
        for jobs in args.jobs:
            runs.append(measure(paths, jobs))
    if args.format == "json":
        json.dump([asdict(r) for r in runs], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    print(
        f"ingest benchmark: {args.docs} documents cycled from {len(samples)} samples in {args.corpus}"
    )
    print(
        f"{'jobs':>4} {'docs':>6} {'failed':>6} {'chars':>11} {'seconds':>8} {'chars/s':>10} "
        f"{'docs/s':>7} {'peak MB':>8}"
    )
    for r in runs:
        print(
            f"{r.jobs:>4} {r.documents:>6} {r.failures:>6} {r.characters:>11} {r.seconds:>8} "
            f"{r.chars_per_second:>10} {r.docs_per_second:>7} {r.peak_rss_mb:>8}"
        )
    return 0
