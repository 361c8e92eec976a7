"""Extraction: entities, metrics and 三定 records from a cleaned document.

`extract_document` runs the spaCy pipeline over the document (extract/run.py); spaCy is imported
when a document is first extracted, not when the package is, so the CLI starts quickly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cnpolicy.config import ExtractOptions
    from cnpolicy.records import Document

__all__ = ["extract_document"]


def extract_document(document: Document, options: ExtractOptions) -> Document:
    """The document with its entities, metrics and (for a 三定) department record filled in."""
    from cnpolicy.extract.run import extract_document as run  # spaCy loads here, once

    return run(document, options)
