"""Fuzzing the readers: mutated TXT, HTML, PDF and DOCX bytes through `ingest` for a bounded
number of examples; the only outcomes are a document or one of our named errors (never an
internal error such as a KeyError from a parser)."""

from __future__ import annotations

import io
import os

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from cnpolicy.errors import CnpolicyError
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document

# Examples per format (CNPOLICY_FUZZ_EXAMPLES for a longer run; CI's run is derandomized, so
# it is the same run every time and a red one is reproducible): enough to reach the parsers' damaged-input paths (truncation inside a
# zip directory, broken xref tables, stray markup) in a few seconds per format on 2 cores.
EXAMPLES = int(os.environ.get("CNPOLICY_FUZZ_EXAMPLES", "150"))
TEXT = "湛江市推进机构改革\n来源:湛江日报 2019-09-06\n市级机构从61个减到49个,编制精简率14.8%。\n"


def seed_txt() -> bytes:
    return TEXT.encode("gbk")


def seed_html() -> bytes:
    body = "".join(f"<p>{line}</p>" for line in TEXT.splitlines())
    page = f"<html><head><meta charset='utf-8'><title>机构改革</title></head><body>{body}</body></html>"
    return page.encode()


def seed_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    for line, words in enumerate(("Institutional reform", "61 offices became 49", "14.8 percent")):
        canvas.drawString(72, 720 - 20 * line, words)
    canvas.save()
    return out.getvalue()


def seed_docx() -> bytes:
    document = docx.Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SEEDS = {"txt": seed_txt(), "html": seed_html(), "pdf": seed_pdf(), "docx": seed_docx()}


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with a few bytes flipped, a slice cut out or junk inserted, or truncated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(("flip", "cut", "insert", "truncate")))
        if action == "flip" and data:
            data[where] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[where : where + draw(st.integers(1, 64))]
        elif action == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[where:]
    return bytes(data)


def only_named_outcomes(data: bytes, fmt: str) -> None:
    try:
        document = ingest_bytes(data, source=f"fuzz.{fmt}")
    except CnpolicyError as error:
        assert error.source == f"fuzz.{fmt}" and error.message
    else:
        assert isinstance(document, Document) and document.text.strip()


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CNPOLICY_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(mutated(SEEDS["txt"]))
def test_mutated_text(data: bytes) -> None:
    only_named_outcomes(data, "txt")


@FUZZ
@given(mutated(SEEDS["html"]))
def test_mutated_html(data: bytes) -> None:
    only_named_outcomes(data, "html")


@FUZZ
@given(mutated(SEEDS["pdf"]))
def test_mutated_pdf(data: bytes) -> None:
    only_named_outcomes(data, "pdf")


@FUZZ
@given(mutated(SEEDS["docx"]))
def test_mutated_docx(data: bytes) -> None:
    only_named_outcomes(data, "docx")


def test_the_seeds_are_documents() -> None:
    for fmt, data in SEEDS.items():
        assert ingest_bytes(data, source=f"seed.{fmt}").text.strip(), fmt
