"""What a document is cited by: its own 发文字号 (on a line of its own in the head) and the date
it takes effect (自…起施行), read with the rules entities.py and sanding.py already hold."""

from __future__ import annotations

import re
from dataclasses import replace

from cnpolicy.extract.entities import DOC_NUMBER
from cnpolicy.extract.sanding import find_effective
from cnpolicy.records import Document

__all__ = [
    "HEAD_LINES",
    "MAX_ISSUER_CHARS",
    "own_number",
    "with_citation",
]

# Lines at the top where a document's own number stands (the red header: issuer, number,
# 签发人, title); a number further down is one the text cites.
HEAD_LINES = 12
# The longest issuer code before the year (粤机编办发 is 5 characters; extract/data/documents.json
# allows 10 in running text, where a verb must be cut off; a line of its own holds just the code).
MAX_ISSUER_CHARS = 10
_ISSUER = re.compile(rf"[\u4e00-\u9fff]{{1,{MAX_ISSUER_CHARS}}}")
# What may follow the number on its line: the signer (签发人：张三), nothing else.
_AFTER_NUMBER = re.compile(r"\s*(?:签发人.*)?")


def own_number(text: str) -> str | None:
    """The document's own number, normalised as the DOC entities are (国发〔2016〕55号)."""
    for line in text.split("\n", HEAD_LINES)[:HEAD_LINES]:
        match = DOC_NUMBER.search(line)
        if match is None:
            continue
        issuer = line[: match.start()].strip()
        if _ISSUER.fullmatch(issuer) and _AFTER_NUMBER.fullmatch(line[match.end() :]):
            return f"{issuer}〔{match.group('year')}〕{int(match.group('number'))}号"
    return None


def with_citation(document: Document) -> Document:
    """The document with its number and its effective date added to the dates ingest found
    (a 三定's effective date is its record's)."""
    dates = dict(document.dates)
    effective = document.sanding.effective_date if document.sanding else None
    if effective is None:
        effective, _problem = find_effective(document.text, dates.get("written") or document.date)
    if effective:
        dates["effective"] = effective
    number = document.doc_number or own_number(document.text)
    if number == document.doc_number and dates == document.dates:
        return document
    return replace(document, doc_number=number, dates=dates)
