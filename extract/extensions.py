"""The custom spaCy extensions cnpolicy's components read and write (registered once, idempotent).

Doc-level context in (`doc._.cnpolicy_region`, `doc._.cnpolicy_sections`, `doc._.cnpolicy_title`),
records out on spans (`span._.cnpolicy_metric` in `doc.spans["metrics"]`, `span._.cnpolicy_entity`).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

METRICS_KEY = "metrics"
ENTITIES_KEY = "entities"


def register_extensions() -> None:
    """Register every extension this package uses; safe to call many times."""
    for name, default in (
        ("cnpolicy_region", None),
        ("cnpolicy_sections", ()),
        ("cnpolicy_title", None),
    ):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name in ("cnpolicy_metric", "cnpolicy_entity"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


register_extensions()
