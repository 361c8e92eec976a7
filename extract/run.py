"""Running extraction: the spaCy pipeline (extract/pipeline.py) over a document, block by block,
with the document's context, and the records its components left on the Doc.
"""

from __future__ import annotations

from spacy.tokens import Doc

from cnpolicy.config import ExtractOptions
from cnpolicy.extract.blocks import Extracted, run_in_blocks
from cnpolicy.extract.citation import with_citation
from cnpolicy.extract.extensions import ENTITIES_KEY, METRICS_KEY
from cnpolicy.extract.pipeline import get_nlp
from cnpolicy.extract.sanding import parse_sanding
from cnpolicy.records import Document, Entity, Metric

__all__ = ["annotate", "collect_entities", "collect_metrics", "extract_block", "extract_document"]


def annotate(document: Document, options: ExtractOptions) -> Doc:
    """Run the pipeline over the document's text, with its region, sections and title as context."""
    nlp = get_nlp(options)
    doc = nlp.make_doc(document.text)
    doc._.cnpolicy_region = document.region
    doc._.cnpolicy_sections = document.sections
    doc._.cnpolicy_title = document.title
    doc._.cnpolicy_date = document.date
    doc._.cnpolicy_text = document.text
    for _name, component in nlp.pipeline:
        doc = component(doc)
    return doc


def collect_entities(doc: Doc) -> tuple[Entity, ...]:
    records: list[Entity] = doc._.cnpolicy_entities or []
    if not records:
        spans = doc.spans.get(ENTITIES_KEY, ())
        records = [s._.cnpolicy_entity for s in spans if s._.cnpolicy_entity is not None]
    return tuple(sorted(records, key=lambda e: (e.start, e.end)))


def collect_metrics(doc: Doc) -> tuple[Metric, ...]:
    records: list[Metric] = doc._.cnpolicy_metrics or []
    if not records:
        spans = doc.spans.get(METRICS_KEY, ())
        records = [s._.cnpolicy_metric for s in spans if s._.cnpolicy_metric is not None]
    return tuple(sorted(records, key=lambda m: (m.start, m.end)))


def extract_block(document: Document, options: ExtractOptions) -> Extracted:
    """Entities and metrics of one block (a document no longer than a block)."""
    doc = annotate(document, options)
    return collect_entities(doc), collect_metrics(doc)


def extract_document(document: Document, options: ExtractOptions) -> Document:
    """The document with its entities, metrics and (for a 三定) department record filled in."""
    entities: tuple[Entity, ...] = ()
    metrics: tuple[Metric, ...] = ()
    if options.entities or options.metrics or options.neural_model:
        entities, metrics = run_in_blocks(document, lambda block: extract_block(block, options))
    sanding = None
    if options.sanding and document.doc_type == "sanding":
        sanding = parse_sanding(document)
    extracted = document.with_extraction(entities=entities, metrics=metrics, sanding=sanding)
    return with_citation(extracted)
