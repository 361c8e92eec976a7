"""Taxonomy coverage: the share of extracted metrics that get an indicator, per corpus, and the
units each indicator's figures come in (one each, or the taxonomy has a defect).

`python -m cnpolicy.quality.coverage FOLDER...` prints the README's coverage table.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cnpolicy.config import Options
from cnpolicy.flows import iter_sources, run_batch
from cnpolicy.indicators import load_taxonomy
from cnpolicy.records import Document

__all__ = [
    "Coverage",
    "documents_of",
    "main",
    "measure",
    "mixed_units",
]


@dataclass
class Coverage:
    """Metrics extracted and metrics given an indicator in one corpus, and the units seen."""

    name: str
    metrics: int = 0
    assigned: int = 0
    units: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.assigned / self.metrics if self.metrics else 0.0

    def add(self, document: Document) -> None:
        """Count a document's metrics; units as comparisons count them (家 as 个)."""
        taxonomy = load_taxonomy()
        for metric in document.metrics:
            self.metrics += 1
            if metric.indicator is not None:
                self.assigned += 1
                unit = taxonomy.unit_of(metric.unit)
                self.units.setdefault(metric.indicator, Counter())[unit] += 1


def documents_of(folder: Path) -> Iterable[Document]:
    """The documents read from a folder (files that cannot be read are left out)."""
    for result in run_batch(iter_sources([folder]), Options()):
        if isinstance(result, Document):
            yield result


def measure(folders: Sequence[Path]) -> list[Coverage]:
    """Coverage of each folder, named by its last two path parts (corpora/reform)."""
    found = []
    for folder in folders:
        coverage = Coverage("/".join(folder.resolve().parts[-2:]))
        for document in documents_of(folder):
            coverage.add(document)
        found.append(coverage)
    return found


def mixed_units(coverages: Iterable[Coverage]) -> dict[str, set[str]]:
    """Indicators whose figures come in more than one unit, over all the corpora."""
    units: dict[str, set[str]] = {}
    for coverage in coverages:
        for indicator, seen in coverage.units.items():
            units.setdefault(indicator, set()).update(seen)
    return {i: u for i, u in units.items() if len(u) > 1}


def main(argv: Sequence[str]) -> int:
    coverages = measure([Path(a) for a in argv])
    print("| corpus | metrics | with an indicator | share |")
    print("| --- | ---: | ---: | ---: |")
    for c in coverages:
        print(f"| `{c.name}` | {c.metrics} | {c.assigned} | {c.share:.0%} |")
    total = sum(c.metrics for c in coverages)
    assigned = sum(c.assigned for c in coverages)
    print(f"| all | {total} | {assigned} | {assigned / total if total else 0:.0%} |")
    for indicator, units in sorted(mixed_units(coverages).items()):
        print(f"mixed units: {indicator}: {', '.join(sorted(units))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
