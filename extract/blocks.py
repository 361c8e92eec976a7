"""Long documents in blocks: the pipeline runs over blocks of whole paragraphs, one at a time,
so memory stays bounded whatever the length; offsets are shifted back to the whole text.

A text up to BLOCK_CHARS is one block, so its results are those of a whole-document run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from cnpolicy.records import Document, Entity, Metric, Section

__all__ = ["BLOCK_CHARS", "MAX_LENGTH", "block_bounds", "run_in_blocks"]

# 1,000,000 characters a block, spaCy's old ceiling: every text under it is one block, so its
# results are exactly a whole-document run's. A block costs ~100 MB above the process (a real
# report repeated to 1 M characters peaked at 990 MB, one page at 892 MB; 3 M at 973 MB in
# blocks). Entities that a document teaches its later parts (an abbreviation defined once,
# 粤港澳大湾区 → 大湾区) are not carried from one block into the next; metrics are.
BLOCK_CHARS = 1_000_000
# spaCy's own ceiling (nlp.max_length), set on purpose: a block ends at or before BLOCK_CHARS.
MAX_LENGTH = BLOCK_CHARS
# Where a block may end, best first: a paragraph end, then a sentence end.
BREAKS = ("\n", "。")

Extracted = tuple[tuple[Entity, ...], tuple[Metric, ...]]


def block_bounds(text: str, size: int | None = None) -> list[tuple[int, int]]:
    """Consecutive (start, end) spans covering the text, each ending at a paragraph (else a
    sentence) end at or before `size` (BLOCK_CHARS) characters, else cut at `size`."""
    size = size or BLOCK_CHARS
    bounds, start = [], 0
    while len(text) - start > size:
        end = _cut(text, start, start + size)
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def _cut(text: str, start: int, limit: int) -> int:
    for mark in BREAKS:
        found = text.rfind(mark, start + 1, limit)
        if found > start:
            return found + 1
    return limit


def run_in_blocks(
    document: Document, run: Callable[[Document], Extracted], size: int | None = None
) -> Extracted:
    """`run` over each block of the document (its sections clipped to the block), offsets back
    in document coordinates."""
    entities: list[Entity] = []
    metrics: list[Metric] = []
    for start, end in block_bounds(document.text, size):
        found_entities, found_metrics = run(_block(document, start, end))
        if start == 0:  # the first block (most documents' only one): offsets already right
            entities.extend(found_entities)
            metrics.extend(found_metrics)
            continue
        entities.extend(
            replace(e, start=e.start + start, end=e.end + start) for e in found_entities
        )
        metrics.extend(replace(m, start=m.start + start, end=m.end + start) for m in found_metrics)
    return tuple(entities), tuple(metrics)


def _block(document: Document, start: int, end: int) -> Document:
    return replace(
        document, text=document.text[start:end], sections=tuple(_sections_in(document, start, end))
    )


def _sections_in(document: Document, start: int, end: int) -> Iterator[Section]:
    """The sections overlapping the block, clipped to it and shifted to its coordinates."""
    for section in document.sections:
        if section.end > start and section.start < end:
            yield replace(
                section, start=max(section.start, start) - start, end=min(section.end, end) - start
            )
