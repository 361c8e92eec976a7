"""Response headers for files the API hands out: a safe Content-Disposition, and what may render.

File names come from the store as labels (a last path component); they reach a header only
percent-encoded (RFC 5987 `filename*`) beside an ASCII fallback with nothing but safe characters.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from cnpolicy.search.sources import SourceFile, file_name

__all__ = [
    "ATTR_CHARS",
    "INLINE_TYPES",
    "ORIGINAL",
    "TEXT",
    "ascii_fallback",
    "base_type",
    "content_disposition",
    "source_headers",
    "text_headers",
]

# Media types a browser may show in place: PDF (its own viewer) and plain text. Anything else,
# HTML above all, is sent as an attachment: an uploaded page rendered on our origin could run
# its scripts with the reader's access to the API.
INLINE_TYPES = frozenset({"application/pdf", "text/plain"})
# RFC 5987 attr-char beyond letters and digits: what `filename*` may carry unencoded.
ATTR_CHARS = "!#$&+-.^_`|~"
# Characters kept in the ASCII fallback `filename="…"`; everything else becomes "_".
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# How the source endpoint says what it sent: the original file, or the text in its place.
ORIGINAL, TEXT = "original", "text"


def base_type(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def ascii_fallback(name: str) -> str:
    """`报告2020.pdf` → `2020.pdf`, `报告.pdf` → `download.pdf`: ASCII letters, digits, dot,
    dash and underscore only, the suffix kept."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not suffix.isascii() or not suffix.isalnum():
        stem, suffix = name, ""
    cleaned = _UNSAFE_ASCII.sub("_", stem).strip("._-") or "download"
    return f"{cleaned}.{suffix}" if suffix else cleaned


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline|attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded name>`."""
    safe = file_name(name)
    kind = "inline" if inline else "attachment"
    encoded = quote(safe, safe=ATTR_CHARS)
    return f"{kind}; filename=\"{ascii_fallback(safe)}\"; filename*=UTF-8''{encoded}"


def source_headers(source: SourceFile) -> dict[str, str]:
    """Headers for an original file: its disposition, no type sniffing, no scripts run."""
    kind = base_type(source.media_type)
    headers = {
        "Content-Disposition": content_disposition(source.name, inline=kind in INLINE_TYPES),
        "X-Content-Type-Options": "nosniff",
        "X-Cnpolicy-Source": ORIGINAL,
    }
    if kind != "application/pdf":  # Chromium's PDF viewer does not run in a sandboxed page
        headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return headers


def text_headers(name: str) -> dict[str, str]:
    """Headers for a document's text served in place of an original that was not kept."""
    stem = file_name(name).rsplit(".", 1)[0] or "document"
    return {
        "Content-Disposition": content_disposition(f"{stem}.txt", inline=True),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "X-Cnpolicy-Source": TEXT,
    }
