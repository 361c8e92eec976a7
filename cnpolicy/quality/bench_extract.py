"""`cnpolicy bench extract`: extraction throughput against bare jieba segmentation, and memory.

Each document is segmented with `jieba.lcut` and run through the full extraction pipeline
(spaCy Doc, entities, metrics) in the same loop, so both see the same text under the same
conditions; the ratio of their speeds is the figure (floor 0.5). Resident memory is sampled
as the documents go by, to show it stays flat. A benchmark, not a test: it reports.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import jieba

from cnpolicy.config import ExtractOptions
from cnpolicy.errors import CnpolicyError, ConfigError
from cnpolicy.extract import extract_document
from cnpolicy.extract.pipeline import get_nlp
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document

__all__ = [
    "DEFAULT_CHARS_PER_DOC",
    "DEFAULT_CORPUS",
    "DEFAULT_DOCUMENTS",
    "MEMORY_SAMPLES",
    "RATIO_FLOOR",
    "SAMPLE_SUFFIXES",
    "ExtractBench",
    "add_arguments",
    "build_documents",
    "current_rss_mb",
    "load_samples",
    "measure",
    "peak_rss_mb",
    "run",
]

# 1,000 documents of 3,000 characters: three million characters, enough for the timing to
# settle (a few seconds per side); `--docs 10000` is the memory run the issue asks for.
DEFAULT_DOCUMENTS = 1000
# 3,000 characters: the median length of the reform reports and notices we collect.
DEFAULT_CHARS_PER_DOC = 3000
DEFAULT_CORPUS = Path("corpora")
# The floor the issue sets: the full pipeline at least half as fast as segmentation alone.
RATIO_FLOOR = 0.5
# Memory samples taken over a run (first, evenly spaced, last).
MEMORY_SAMPLES = 10
# Text formats read from the corpus folder (all are text once ingested).
SAMPLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".pdf", ".docx"})


@dataclass(frozen=True, slots=True)
class ExtractBench:
    documents: int
    characters: int
    jieba_seconds: float
    pipeline_seconds: float
    jieba_chars_per_second: int
    pipeline_chars_per_second: int
    ratio: float
    ratio_floor: float
    metrics: int
    entities: int
    rss_mb: tuple[float, ...]
    rss_growth_mb: float
    peak_rss_mb: float


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCUMENTS, help="documents to run")
    parser.add_argument(
        "--chars-per-doc",
        type=int,
        default=DEFAULT_CHARS_PER_DOC,
        help="characters per document (samples are cycled and cut to this length)",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="samples to cycle")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def load_samples(corpus: Path) -> list[Document]:
    """The corpus's documents, ingested once (those that fail to ingest are skipped)."""
    paths = sorted(
        p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in SAMPLE_SUFFIXES
    )
    samples = []
    for path in paths:
        try:
            samples.append(ingest_bytes(path.read_bytes(), source=str(path)))
        except CnpolicyError:
            continue
    return samples


def build_documents(samples: list[Document], count: int, chars: int) -> list[Document]:
    """`count` documents of `chars` characters, each a run of the samples' texts in turn."""
    joined = "\n".join(s.text for s in samples)
    while len(joined) < chars * 2:
        joined = joined + "\n" + joined
    documents = []
    for index in range(count):
        start = (index * chars) % (len(joined) - chars)
        base = samples[index % len(samples)]
        text = joined[start : start + chars]
        documents.append(replace(base, id=f"bench-{index}", text=text, sections=()))
    return documents


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()
    return pages * resource.getpagesize() / (1024 * 1024)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(documents: list[Document]) -> ExtractBench:
    """Segment and extract each document in turn, timing the two separately."""
    options = ExtractOptions(sanding=False)
    get_nlp(options)
    extract_document(documents[0], options)  # warm-up: lexicons, gazetteer, first-call caches
    jieba.lcut(documents[0].text)
    every = max(1, len(documents) // MEMORY_SAMPLES)
    rss: list[float] = [current_rss_mb()]
    jieba_seconds = pipeline_seconds = 0.0
    characters = metrics = entities = 0
    for index, document in enumerate(documents, start=1):
        start = time.perf_counter()
        jieba.lcut(document.text)
        middle = time.perf_counter()
        done = extract_document(document, options)
        end = time.perf_counter()
        jieba_seconds += middle - start
        pipeline_seconds += end - middle
        characters += len(document.text)
        metrics += len(done.metrics)
        entities += len(done.entities)
        if index % every == 0:
            rss.append(current_rss_mb())
    jieba_speed = characters / jieba_seconds if jieba_seconds else 0.0
    pipeline_speed = characters / pipeline_seconds if pipeline_seconds else 0.0
    return ExtractBench(
        documents=len(documents),
        characters=characters,
        jieba_seconds=round(jieba_seconds, 3),
        pipeline_seconds=round(pipeline_seconds, 3),
        jieba_chars_per_second=round(jieba_speed),
        pipeline_chars_per_second=round(pipeline_speed),
        ratio=round(pipeline_speed / jieba_speed, 3) if jieba_speed else 0.0,
        ratio_floor=RATIO_FLOOR,
        metrics=metrics,
        entities=entities,
        rss_mb=tuple(round(r, 1) for r in rss),
        rss_growth_mb=round(rss[-1] - rss[1 if len(rss) > 2 else 0], 1),
        peak_rss_mb=round(peak_rss_mb(), 1),
    )


def run(args: argparse.Namespace) -> int:
    if args.docs < 1:
        raise ConfigError("expected at least 1 document", field="--docs")
    if args.chars_per_doc < 1:
        raise ConfigError("expected at least 1 character per document", field="--chars-per-doc")
    samples = load_samples(args.corpus)
    if not samples:
        raise ConfigError(f"no sample documents in {args.corpus}", field="--corpus")
    result = measure(build_documents(samples, args.docs, args.chars_per_doc))
    if args.format == "json":
        json.dump(asdict(result), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    verdict = "above" if result.ratio >= RATIO_FLOOR else "BELOW"
    print(
        f"extract benchmark: {result.documents} documents x {args.chars_per_doc} characters "
        f"from {len(samples)} samples in {args.corpus}"
    )
    print(f"jieba.lcut alone   {result.jieba_chars_per_second:>10} chars/s")
    print(f"full pipeline      {result.pipeline_chars_per_second:>10} chars/s")
    print(f"ratio              {result.ratio:>10} ({verdict} the floor of {RATIO_FLOOR})")
    print(f"found              {result.metrics} metrics, {result.entities} entities")
    print(
        f"resident memory MB {' '.join(str(r) for r in result.rss_mb)} "
        f"(growth after warm-up {result.rss_growth_mb}, peak {result.peak_rss_mb})"
    )
    return 0
