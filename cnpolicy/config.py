"""Options, built once at the edge (CLI, API) and passed down frozen.

Every tunable is a named constant here or in the module that owns it, with how it was chosen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DEFAULT_STORE",
    "MAX_INFLATED_BYTES",
    "MAX_INFLATE_RATIO",
    "MAX_INPUT_BYTES",
    "MAX_PDF_PAGES",
    "MAX_TEXT_CHARS",
    "MAX_WORKER_MB",
    "OPENSEARCH_URL_VARIABLE",
    "UPLOAD_SECONDS",
    "UPLOAD_WORKERS",
    "ExtractOptions",
    "IngestOptions",
    "Options",
    "default_opensearch",
    "default_store",
]

# 50 MB: the largest real policy PDFs we have seen (scanned-and-OCRed yearbooks) are ~30 MB;
# anything larger is almost always an archive or a mistake, and reading it costs seconds.
MAX_INPUT_BYTES = 50 * 1024 * 1024
# The embedded store's default location, relative to the working directory.
DEFAULT_STORE = Path("data") / "cnpolicy.db"


# 20 M characters: the longest real policy texts we know (a five-year plan with its annexes,
# a year's compiled notices) run to 2–3 M; a yearbook to ~10 M. Extraction runs in blocks
# (extract/blocks.py), so memory does not grow with this; time does, linearly.
MAX_TEXT_CHARS = 20_000_000
# 2,000 PDF pages: a compiled year of notices is ~1,000; text is extracted a page at a time.
MAX_PDF_PAGES = 2000
# A DOCX part (document.xml …) inflates to at most 200 MB: the XML of a 1,000-page report is
# ~30 MB; more is a zip bomb or a file of embedded media we do not read.
MAX_INFLATED_BYTES = 200 * 1024 * 1024
# …and at most 100× its compressed size: Word's XML compresses 5–20×, zip bombs 1,000× and more.
MAX_INFLATE_RATIO = 100
# Resident memory (MiB) past which a batch's worker process is replaced by a fresh one: a worker
# holds ~0.9 GB once the pipeline is loaded and ~1.2 GB after a 10 M-character text (README's
# memory table), so 2 GB lets every file the budgets admit through while memory a long batch
# leaves behind (allocator fragmentation, caches) can never grow past it. `--max-worker-mb`.
MAX_WORKER_MB = 2048
# Seconds one upload request may spend being processed on the server (all its files): the largest
# text the budgets admit (MAX_TEXT_CHARS) takes ~175 s here (114,000 characters/s measured on the
# provincial work reports, machine shared), so any admitted file gets through on a loaded machine,
# and no request holds a worker longer. `cnpolicy serve --upload-seconds` changes it.
UPLOAD_SECONDS = 300.0
# Processes that handle uploads beside the server's event loop: two, so one slow document holds
# one of them while other uploads go through the other; each holds the pipeline (~300 MB).
UPLOAD_WORKERS = 2


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """The budgets a file is checked against before (and while) it is read."""

    max_bytes: int = MAX_INPUT_BYTES
    max_chars: int = MAX_TEXT_CHARS
    max_pages: int = MAX_PDF_PAGES
    max_inflated_bytes: int = MAX_INFLATED_BYTES
    max_inflate_ratio: int = MAX_INFLATE_RATIO


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    entities: bool = True
    metrics: bool = True
    sanding: bool = True
    # Path or hub name of a token-classification model for the optional neural NER component.
    neural_model: str | None = None


@dataclass(frozen=True, slots=True)
class Options:
    ingest: IngestOptions = field(default_factory=IngestOptions)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    jobs: int = 1
    # A worker process whose resident memory passes this (MiB) after a file is replaced.
    max_worker_mb: int = MAX_WORKER_MB


def default_store() -> Path:
    """The store path from CNPOLICY_STORE, else ./data/cnpolicy.db."""
    return Path(os.environ.get("CNPOLICY_STORE", str(DEFAULT_STORE)))


# An OpenSearch cluster to use instead of the SQLite file when no store option is given.
OPENSEARCH_URL_VARIABLE = "CNPOLICY_OPENSEARCH_URL"


def default_opensearch() -> str | None:
    """The OpenSearch URL from CNPOLICY_OPENSEARCH_URL, if set."""
    return os.environ.get(OPENSEARCH_URL_VARIABLE) or None
