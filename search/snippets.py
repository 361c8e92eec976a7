"""Snippets as users see them: original text (U+200B removed), HTML-escaped, matches in <mark>.

`from_text` finds the query's words in the document text (4x faster than FTS5's snippet(),
which re-tokenizes the whole column, and it also marks a word the index matched as a sub-word:
长春 inside the token 长春市). Backend snippets (FTS5 when no word occurs literally, the
Elasticsearch highlighter) mark matches with private-use characters; `render` turns those into
tags after escaping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from cnpolicy.search.segment import strip_separators

__all__ = [
    "CLOSE_TAG",
    "CONTEXT_CHARS",
    "ELLIPSIS",
    "MARK_CLOSE",
    "MARK_OPEN",
    "MAX_CANDIDATES",
    "OPEN_TAG",
    "best",
    "from_text",
    "has_mark",
    "plain",
    "render",
]

# Markers the backends put around matches in snippets (FTS5 snippet(), the highlighter): private-use characters that no text contains,
# turned into <mark>…</mark> once the snippet is HTML-escaped (see snippets.py).
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
ELLIPSIS = "…"
OPEN_TAG, CLOSE_TAG = "<mark>", "</mark>"
# Characters of context either side of a match: about the span of the index's snippets
# (24 tokens ≈ 40 characters in all), a clause or two.
CONTEXT_CHARS = 20
# Matches considered as the start of the snippet window: the best window is almost always
# among the first few dozen, and the search stays linear in long texts with many matches.
MAX_CANDIDATES = 50
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


def _best_start(matches: list[re.Match[str]], width: int) -> int:
    """Index of the match that starts the window holding the most distinct words (first wins)."""
    best, best_count = 0, 0
    for i, first in enumerate(matches[:MAX_CANDIDATES]):
        seen = {m.group(0).lower() for m in matches[i:] if m.end() <= first.start() + width}
        if len(seen) > best_count:
            best, best_count = i, len(seen)
    return best


def from_text(text: str, words: Sequence[str], *, context: int = CONTEXT_CHARS) -> str | None:
    """A snippet where the query's words occur in the text, most distinct words first; None when
    no word occurs literally (the index matched across punctuation, or a sub-word only)."""
    pattern = _pattern(words)
    if pattern is None:
        return None
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    first = matches[_best_start(matches, 2 * context)]
    start = max(0, first.start() - context)
    end = min(len(text), first.end() + context)
    marked = pattern.sub(lambda m: f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}", text[start:end])
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return render(prefix + marked + suffix)


def best(raw: str | None, text: str | None, words: Sequence[str]) -> str | None:
    """A backend's snippet when it marks a match, else one from the text, else the unmarked one."""
    snippet = render(raw) if raw is not None else None
    if snippet is not None and has_mark(snippet):
        return snippet
    if text is not None:
        found = from_text(text, words)
        if found is not None:
            return found
    return snippet
