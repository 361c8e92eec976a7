"""Optional neural NER (`cnpolicy_neural_ner`): a token-classification model merged with the rules.

transformers and torch come with the `[neural]` extra; without them, asking for the component
raises ModelLoadError. The model's entities join doc.spans["entities"] only where no rule-based
entity overlaps them (the rules win), with labels mapped to ours (PER → PERSON, LOC → GPE …).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from cnpolicy.datafiles import read_data_json
from cnpolicy.errors import ModelLoadError
from cnpolicy.extract.extensions import ENTITIES_KEY, register_extensions
from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.records import Entity, Region

__all__ = [
    "BATCH_SIZE",
    "CHUNK_CHARS",
    "CONTINUE",
    "EXTRA",
    "LABELS_FILE",
    "LAST",
    "SENTENCE_END",
    "TAG",
    "NeuralEntityRecognizer",
    "Prediction",
    "chunks",
    "decode",
    "load_label_map",
    "load_model",
    "make_neural_ner",
    "overlaps",
]

EXTRA = "pip install 'cnpolicy[neural]'"
LABELS_FILE = "neural_labels.json"
# Characters per model input. Chinese BERT-style tokenizers give one token per Chinese character
# and models take at most 512 tokens; 250 leaves room for Latin words split into pieces and keeps
# the attention cost (quadratic in length) low on CPU.
CHUNK_CHARS = 250
# Inputs per forward pass: 8 × 250 characters keeps peak memory of a base-size model under ~1 GB.
BATCH_SIZE = 8
# Where a long text is best cut: after a sentence end or a line break.
SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
# Tags: B-PER, I_ORG, E-LOC … (BIO, BIOES, BILOU; M = middle); a bare type is IO tagging.
TAG = re.compile(r"^(?:(?P<prefix>[BIESMLU])[-_])?(?P<type>.+)$")
CONTINUE = "IMEL"
LAST = "ESLU"


@dataclass(frozen=True, slots=True)
class Prediction:
    """An entity the model found: character offsets into the text and the model's own type."""

    start: int
    end: int
    type: str


def load_label_map() -> dict[str, str]:
    data: dict[str, Any] = read_data_json("cnpolicy.extract", LABELS_FILE)
    return {str(k).upper(): str(v) for k, v in data["labels"].items()}


def load_model(name: str, *, allow_download: bool = False) -> tuple[Any, Any]:
    """The (tokenizer, model) at a local path or hub name; nothing is downloaded unless allowed."""
    try:
        import torch  # noqa: F401
        from transformers import AutoModelForTokenClassification, AutoTokenizer
    except ImportError as exc:
        raise ModelLoadError(
            f"the neural NER component needs transformers and torch: {EXTRA} ({exc})",
            field="neural_model",
        ) from exc
    from transformers.utils import logging

    hf_logging: Any = logging  # its functions carry no type hints
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # no loading bars on the CLI's stderr
    try:
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=not allow_download)
        model = AutoModelForTokenClassification.from_pretrained(
            name, local_files_only=not allow_download
        )
    except (OSError, ValueError, KeyError) as exc:
        hint = "" if allow_download else " (only local files are read; allow_download fetches it)"
        raise ModelLoadError(
            f"cannot load a token-classification model from {name!r}{hint}: {exc}", source=name
        ) from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    if not getattr(tokenizer, "is_fast", False):
        raise ModelLoadError(
            "the model's tokenizer has no fast (Rust) version, which character offsets need",
            source=name,
        )
    model.eval()
    return tokenizer, model


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) with pieces of at most `size` characters, cut at sentence ends if possible."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cuts = [m.start() for m in SENTENCE_END.finditer(text, start + 1, end)]
            end = cuts[-1] if cuts else end
        yield start, text[start:end]
        start = end


def decode(tags: Sequence[str], offsets: Sequence[tuple[int, int]]) -> list[Prediction]:
    """Entities from per-token tags (BIO, BIOES or IO) and the tokens' character offsets.

    Special tokens have the offset (0, 0) and are skipped; an I- tag that does not continue an
    entity of its type starts one (models trained on BIO often begin with I-).
    """
    found: list[Prediction] = []
    current: int | None = None  # index in `found` of the entity that may go on
    for tag, (start, end) in zip(tags, offsets, strict=True):
        if end <= start:
            continue
        m = TAG.match(tag)
        if m is None or tag.upper() == "O":
            current = None
            continue
        prefix, kind = (m.group("prefix") or "I").upper(), m.group("type").upper()
        if current is not None and found[current].type == kind and prefix in CONTINUE:
            found[current] = Prediction(found[current].start, end, kind)
        else:
            found.append(Prediction(start, end, kind))
            current = len(found) - 1
        if prefix in LAST:
            current = None
    return found


class NeuralEntityRecognizer:
    """spaCy component: a transformers token-classification model's entities, under the rules'."""

    def __init__(
        self,
        nlp: Language,
        name: str = "cnpolicy_neural_ner",
        *,
        model: str,
        allow_download: bool = False,
        spans_key: str = ENTITIES_KEY,
        batch_size: int = BATCH_SIZE,
    ):
        register_extensions()
        self.name = name
        self.spans_key = spans_key
        self.batch_size = batch_size
        self.label_map = load_label_map()
        self.tokenizer, self.model = load_model(model, allow_download=allow_download)
        # Never more characters per input than the model takes tokens (less [CLS] and [SEP]), so
        # that truncation cannot drop text unseen.
        longest = int(getattr(self.tokenizer, "model_max_length", 0) or 0)
        self.chunk_chars = min(CHUNK_CHARS, longest - 2) if 2 < longest < 100_000 else CHUNK_CHARS
        self.id2label: dict[int, str] = {
            int(k): str(v) for k, v in self.model.config.id2label.items()
        }

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        entities = self.to_entities(text, doc._.cnpolicy_region, self.predict(text))
        self.set_annotations(doc, entities)
        return doc

    def predict(self, text: str) -> list[Prediction]:
        """The model's entities over the whole text, chunk by chunk."""
        import torch

        pieces = list(chunks(text, self.chunk_chars))
        found: list[Prediction] = []
        for first in range(0, len(pieces), self.batch_size):
            batch = pieces[first : first + self.batch_size]
            encoded = self.tokenizer(
                [piece for _, piece in batch],
                return_offsets_mapping=True,
                truncation=True,
                padding=True,
                return_tensors="pt",
            )
            offsets = encoded.pop("offset_mapping").tolist()
            with torch.no_grad():
                logits = self.model(**encoded).logits
            for row, (offset, _) in enumerate(batch):
                tags = [self.id2label.get(i, "O") for i in logits[row].argmax(-1).tolist()]
                spans = [(int(s), int(e)) for s, e in offsets[row]]
                found += [
                    Prediction(p.start + offset, p.end + offset, p.type)
                    for p in decode(tags, spans)
                ]
        return found

    def to_entities(
        self, text: str, region: Region | None, predictions: Sequence[Prediction]
    ) -> list[Entity]:
        """Our records for the predictions of a type we know (GPE gets its code in context)."""
        within = region.code if region is not None else None
        gazetteer = load_gazetteer()
        entities = []
        for p in predictions:
            label = self.label_map.get(p.type)
            name = text[p.start : p.end]
            if label is None or not any(c.isalnum() for c in name):
                continue  # a type we do not use, or only punctuation
            code = normalized = None
            if label == "GPE":
                place = gazetteer.lookup(name, within=within)
                code, normalized = (place.code, place.name) if place else (None, None)
            entities.append(Entity(name, label, p.start, p.end, normalized, code))
        return entities

    def set_annotations(self, doc: Doc, entities: Sequence[Entity]) -> None:
        """Add the entities that overlap no entity already found; the rules' entities win."""
        group = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        taken = sorted((s.start_char, s.end_char) for s in group)
        used = {(s.start_char, s.end_char) for s in group}
        added: list[Span] = []
        for entity in entities:
            if overlaps(taken, entity.start, entity.end):
                continue
            span = doc.char_span(
                entity.start, entity.end, label=entity.label, alignment_mode="expand"
            )
            if span is None or (span.start_char, span.end_char) in used:
                continue
            used.add((span.start_char, span.end_char))
            span._.cnpolicy_entity = entity
            added.append(span)
        doc.spans[self.spans_key] = group + added
        doc.ents = filter_spans([*doc.ents, *added])


def overlaps(taken: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the (start, end) ranges, sorted by start."""
    for s, e in taken:
        if s >= end:
            return False
        if e > start:
            return True
    return False


@Language.factory(
    "cnpolicy_neural_ner",
    default_config={
        "model": None,
        "allow_download": False,
        "spans_key": ENTITIES_KEY,
        "batch_size": BATCH_SIZE,
    },
)
def make_neural_ner(
    nlp: Language,
    name: str,
    model: str | None,
    allow_download: bool,
    spans_key: str,
    batch_size: int,
) -> NeuralEntityRecognizer:
    """Factory of `cnpolicy_neural_ner`; config `model` is a local path or a hub name."""
    if not model:
        raise ModelLoadError(
            "no model given: set config 'model' to a path or hub name", field="model"
        )
    return NeuralEntityRecognizer(
        nlp,
        name,
        model=model,
        allow_download=allow_download,
        spans_key=spans_key,
        batch_size=batch_size,
    )
