"""The custom spaCy extensions cnpolicy's components read and write (registered once, idempotent).

Context in (`doc._.cnpolicy_region`, `_sections`, `_title`, `_date`, `_text`); records out on
spans (`span._.cnpolicy_metric` in `doc.spans["metrics"]`, `span._.cnpolicy_entity`) and in full
in `doc._.cnpolicy_metrics` / `doc._.cnpolicy_entities`.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

__all__ = [
    "ENTITIES_KEY",
    "METRICS_KEY",
    "register_extensions",
]

METRICS_KEY = "metrics"
ENTITIES_KEY = "entities"


def register_extensions() -> None:
    """Register every extension this package uses; safe to call many times."""
    for name, default in (
        ("cnpolicy_region", None),
        ("cnpolicy_sections", ()),
        ("cnpolicy_title", None),
        ("cnpolicy_date", None),
        # The document text, so components need not rebuild `doc.text` from tokens.
        ("cnpolicy_text", None),
        # Records set by the components, in full (a span's `_` is keyed by its offsets, so two
        # records on the same token span would share one slot; these lists lose nothing).
        ("cnpolicy_entities", None),
        ("cnpolicy_metrics", None),
    ):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name in ("cnpolicy_metric", "cnpolicy_entity"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


register_extensions()
