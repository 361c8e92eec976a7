"""What a reader returns: the text of one file before cleaning, with the facts the format gave."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "RawText",
]


@dataclass(frozen=True, slots=True)
class RawText:
    """Text as read from one file: paragraphs separated by "\\n", not yet normalised or cleaned.

    `title`, `date` (ISO) and `publisher` are set where the format itself states them
    (an HTML page's <h1>/<title> and info line, a DOCX's core properties); describe.py
    fills in the rest from the text. `info` is the page's info line ("来源:… 发布时间:…")
    when the reader found one and took it out of the text.
    """

    text: str
    format: str  # "txt", "html", "pdf", "docx"
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    encoding: str | None = None
    info: str | None = None
    url: str | None = None  # the page's own address (<link rel=canonical>, og:url)
