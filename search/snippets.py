"""Snippets as users see them: original text (U+200B removed), HTML-escaped, matches in <mark>.

Backends mark matches with private-use characters; `render` turns them into tags after escaping.
When the index matched only a sub-word (长春 inside the token 长春市) the backend's snippet has no
mark, and `fallback` finds the query's words in the text itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from cnpolicy.search.segment import strip_separators
from cnpolicy.search.sqlite_query import ELLIPSIS, MARK_CLOSE, MARK_OPEN

OPEN_TAG, CLOSE_TAG = "<mark>", "</mark>"
# Characters of context either side of a match in a fallback snippet: about the span of the
# index's snippets (24 tokens ≈ 40 characters in all).
CONTEXT_CHARS = 20
_TAGS = re.compile(r"</?mark>")


def render(raw: str) -> str:
    """A backend snippet (markers, U+200B) as escaped text with <mark> tags."""
    text = html.escape(strip_separators(raw).replace("\n", " "), quote=False)
    return text.replace(MARK_OPEN, OPEN_TAG).replace(MARK_CLOSE, CLOSE_TAG)


def has_mark(snippet: str) -> bool:
    return OPEN_TAG in snippet


def plain(snippet: str) -> str:
    """A rendered snippet without tags or escapes (for terminals and exports)."""
    return html.unescape(_TAGS.sub("", snippet))


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    forms = {w for word in words for w in (word, re.sub(r"\s+", "", word)) if w.strip()}
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def fallback(text: str, words: Sequence[str], *, context: int = CONTEXT_CHARS) -> str | None:
    """A snippet around the first literal occurrence of any query word, or None when none occurs."""
    pattern = _pattern(words)
    if pattern is None:
        return None
    first = pattern.search(text)
    if first is None:
        return None
    start = max(0, first.start() - context)
    end = min(len(text), first.end() + context)
    window = text[start:end]
    marked = pattern.sub(lambda m: f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}", window)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return render(prefix + marked + suffix)


def best(raw: str | None, text: str | None, words: Sequence[str]) -> str | None:
    """The backend's snippet when it marks a match, else a fallback from the text, else as is."""
    snippet = render(raw) if raw is not None else None
    if snippet is not None and has_mark(snippet):
        return snippet
    if text is not None:
        found = fallback(text, words)
        if found is not None:
            return found
    return snippet
