"""Options, built once at the edge (CLI, API) and passed down frozen.

Every tunable is a named constant here or in the module that owns it, with how it was chosen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# 50 MB: the largest real policy PDFs we have seen (scanned-and-OCRed yearbooks) are ~30 MB;
# anything larger is almost always an archive or a mistake, and reading it costs seconds.
MAX_INPUT_BYTES = 50 * 1024 * 1024
# The embedded store's default location, relative to the working directory.
DEFAULT_STORE = Path("data") / "cnpolicy.db"


@dataclass(frozen=True, slots=True)
class IngestOptions:
    max_bytes: int = MAX_INPUT_BYTES


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


def default_store() -> Path:
    """The store path from CNPOLICY_STORE, else ./data/cnpolicy.db."""
    return Path(os.environ.get("CNPOLICY_STORE", str(DEFAULT_STORE)))
