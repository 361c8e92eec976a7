"""Text normalisation shared by every reader: NFKC, whitespace, line structure, repeats.

`normalize` is pure and idempotent; it also owns the loader for the pattern files in `data/`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import cache
from pathlib import Path

import regex

from cnpolicy.gazetteer import char_class
from cnpolicy.outline import MARKERS

__all__ = [
    "CLOSERS",
    "COMMON_COMPATIBILITY",
    "CONTINUES_AFTER",
    "CONTINUES_BEFORE",
    "DATA_DIR",
    "LINE_BREAKS",
    "MAX_PASSES",
    "MIN_REPEATED_SENTENCE_CHARS",
    "MIN_WRAPPED_LINES",
    "MIN_WRAPPED_SHARE",
    "MIN_WRAP_COLUMNS",
    "SENTENCE_END",
    "WRAP_TOLERANCE_COLUMNS",
    "display_width",
    "ends_sentence",
    "join_wrapped",
    "load_patterns",
    "nfkc",
    "normalize",
    "paragraph_starts",
    "read_data_lines",
    "starts_paragraph",
]

# Character classes by Unicode property, matched in C by the `regex` module (its Unicode tables
# are newer than unicodedata's; they differ only on characters assigned since). They replace
# per-character Python loops that took a tenth of ingest time on the real reports.
_INVISIBLE = regex.compile(r"[[\p{Cc}\p{Cf}]--[\n\t]]", regex.V1)
# Runs, not single characters: findall then returns a few strings per line, not one per character.
_WIDE_RUNS = regex.compile(r"[\p{East_Asian_Width=Wide}\p{East_Asian_Width=Fullwidth}]+")

DATA_DIR = Path(__file__).resolve().parent / "data"

# The compatibility characters of Chinese prose that nfkc replaces before the others: the
# full-width comma alone is three quarters of them in the real reports, these six 93 %.
COMMON_COMPATIBILITY = "，\u3000；（）："

# normalize() repeats its pass until the text stops changing. Every step only removes
# characters, joins lines or drops repeats (NFKC is itself idempotent), so the text shrinks
# towards a fixpoint; in practice the second pass is already a no-op. 8 is a safety cap far
# above the 2-3 passes that fuzzing (tests/test_normalize.py) ever needed.
MAX_PASSES = 8
# A sentence repeated back to back is dropped only when it has at least this many characters:
# scrapes duplicate whole sentences (lead paragraphs, captions), while short cheers such as
# "加油!加油!" are repeated on purpose. 8 is longer than any such slogan we have seen.
MIN_REPEATED_SENTENCE_CHARS = 8
# Hard-wrapped text (copied from a PDF or a fixed-width mail) has most lines ending within
# this many display columns (a CJK character counts 2) of the common wrap width: a CJK line
# can fall one or two characters short when a closing mark may not start the next line.
WRAP_TOLERANCE_COLUMNS = 4
# ... and at least this many lines at that width (3 would match chance in short scrapes) ...
MIN_WRAPPED_LINES = 4
# ... making up at least this share of the lines at least half as wide (a wrapped paragraph
# of n lines has n-1 full lines; paragraph-per-line scrapes spread widely and stay far below).
MIN_WRAPPED_SHARE = 0.6
# ... with a wrap width of at least this many columns (below that, short list items and
# headings of similar length would look "wrapped").
MIN_WRAP_COLUMNS = 30

# Characters that end a sentence or a paragraph after NFKC (！？；：． become ASCII).
SENTENCE_END = "。!?;:.…"
# Closing marks that may follow the sentence end: 。” 。） 。』
CLOSERS = "”’」』)]》〉】〕"
# A line ending in one of these continues on the next line.
CONTINUES_AFTER = ",、“‘「『([《〈【〔-—/"
# A line starting with one of these continues the line before.
CONTINUES_BEFORE = ",、。!?;:)]》〉】〕”’」』%"

# Line breaks other than \n, each made \n ("\r\n" first: one break, not two).
LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85")
_HSPACE_RUN = re.compile(r"[^\S\n]+")
_CJK_RANGES = (
    "\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
_CJK = f"[{_CJK_RANGES}]"
# "。 一、" inside one line: paragraphs that a scraper joined with a space. Chinese never puts
# a space after 。 inside a paragraph, so the space becomes a line break again. ASCII !/? only
# count after a CJK character (so English "Hi! You" is left alone): the pattern opens with a
# character class, which the regex engine scans for in C, and the replacement checks the
# character before a !/? (a lookbehind in the pattern made every position a try: 6 times slower).
_JOINED_PARAGRAPHS = re.compile(
    rf"([。!?][{re.escape(CLOSERS)}]*)[ \t]+(?=[{_CJK_RANGES}“‘「『(《【\d])"
)
_CJK_CHAR = re.compile(_CJK)
# A subscript some converters write with an underscore (PM_2.5, CO_2, NO_x, PM_{10}): NFKC makes
# PM₂.₅ PM2.5, so these become the same characters. Only short capitalised symbols and short
# subscripts: identifiers in URLs and file names (zwxx_11337, post_4851130) keep theirs.
_SUBSCRIPT = re.compile(
    r"(?<![A-Za-z0-9_])([A-Z][A-Za-z]{0,2})_(?:\{(\d{1,2}(?:\.\d)?|x)\}|(\d{1,2}(?:\.\d)?|x))"
    r"(?!\.?[A-Za-z0-9_])"
)
_SENTENCE = re.compile(rf"[^。!?]*(?:[。!?][{re.escape(CLOSERS)}]*|$)")


def load_patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """Compile the regexes in data/<name>, one per line; blank lines and "#" lines are skipped."""
    return tuple(re.compile(line) for line in read_data_lines(name))


@cache
def read_data_lines(name: str) -> tuple[str, ...]:
    """The non-blank, non-comment lines of data/<name>, right-stripped."""
    path = DATA_DIR / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(s.rstrip() for s in lines if s.strip() and not s.lstrip().startswith("#"))


@cache
def paragraph_starts() -> tuple[re.Pattern[str], ...]:
    """Heading and list-marker patterns that always open a new paragraph: the outline markers
    (cnpolicy/outline.py) and the other openers of data/paragraph_starts.txt."""
    return (*MARKERS.values(), *load_patterns("paragraph_starts.txt"))


def starts_paragraph(line: str) -> bool:
    """True when the (NFKC, stripped) line opens with a heading or list marker."""
    return _any_paragraph_start().match(line) is not None


@cache
def _any_paragraph_start() -> re.Pattern[str]:
    """The paragraph openers as one alternation: one match per line instead of one per opener."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in paragraph_starts()))


def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence-final punctuation (closing quotes allowed)."""
    body = line.rstrip(CLOSERS + " \t")
    return bool(body) and body[-1] in SENTENCE_END


def display_width(text: str) -> int:
    """Columns the text takes in a fixed-width rendering: wide (CJK) characters count 2."""
    return len(text) + sum(map(len, _WIDE_RUNS.findall(text)))


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one sentence split by a line break.

    No space between CJK characters or digits (`事权6` + `51项` → `事权651项`, `99.` + `1%`
    → `99.1%`); one space
    between two Latin words (or after Latin punctuation), none after a hyphen.
    """
    if not left or not right:
        return left + right
    last, first = left[-1], right[0]
    if last in ".," and len(left) > 1 and left[-2].isdigit() and first.isdigit():
        return left + right  # a decimal point or thousands separator split off (`99.` + `1%`)
    latin_before = last.isascii() and (last.isalpha() or last in ",.;:!?)")
    latin_after = first.isascii() and first.isalnum()
    if latin_before and latin_after and not (last.isdigit() and first.isdigit()):
        return f"{left} {right}"
    return left + right


def normalize(text: str) -> str:
    """Normalise text: NFKC, one paragraph per line, no blank lines, no broken sentences.

    Spaces the source had between CJK characters are kept (a run collapses to one space,
    a run holding a tab to one tab — the tab is the DOCX table cell separator); none are
    ever inserted. Idempotent: normalize(normalize(x)) == normalize(x).
    """
    result = text
    for _ in range(MAX_PASSES):
        again = _normalize_once(result)
        if again == result:
            break
        result = again
        if _is_settled(result):
            break  # the next pass would return it unchanged: the loop would stop there
    return result


def _is_settled(text: str) -> bool:
    """Whether `_normalize_once` returns `text`, a text it returned, unchanged; a quarter of the
    cost of that pass. Its output has no line breaks other than \n and no invisible characters
    (NFKC adds none: tests/test_normalize.py checks every code point), one space or tab per
    space run, stripped lines and no repeated lines; NFKC, the joins and the sentence repeats
    are checked, as a join can make them (`e` + a combining mark, `中!` + `2020`)."""
    if not unicodedata.is_normalized("NFKC", text):
        return False  # nfkc(text) == text exactly when text is NFKC (nfkc is NFKC)
    if "_" in text and _SUBSCRIPT.search(text):
        return False
    if _split_joined_paragraphs(text) != text:
        return False
    lines = text.split("\n")
    if _join_broken_lines(lines) != lines:
        return False
    return all(_drop_repeated_sentences(line) == line for line in lines)


def _normalize_once(text: str) -> str:
    text = _unify_line_breaks(text)
    text = _drop_invisible(text)
    text = _join_subscripts(nfkc(text))
    # Whole-text passes, the same as line by line: neither pattern crosses a line break.
    text = _split_joined_paragraphs(_tidy_spaces(text))
    lines = [stripped for line in text.split("\n") if (stripped := line.strip())]
    lines = _join_broken_lines(lines)
    lines = [_drop_repeated_sentences(line) for line in lines]
    return "\n".join(_drop_repeated_lines(lines))


@cache
def _compatibility_table() -> dict[int, str]:
    """Each BMP character that NFKC changes mapped to its NFKC form (full-width ASCII, the
    ideographic space, …, ①, CJK compatibility ideographs): a character and its NFKC form have
    the same NFKD, so replacing one by the other leaves a text's NFKC as it was."""
    table: dict[int, str] = {}
    for code in range(0x80, 0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        form = unicodedata.normalize("NFKC", char)
        if form != char and form and not unicodedata.combining(form[0]):
            table[code] = form
    return table


@cache
def _compatibility_runs() -> re.Pattern[str]:
    """Runs of the characters `_compatibility_table` replaces."""
    return re.compile(char_class(map(chr, _compatibility_table())) + "+")


def _replace_compatibility_run(run: re.Match[str]) -> str:
    return run.group().translate(_compatibility_table())


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, four times as fast on Chinese policy text: runs of
    the usual compatibility characters (a few in a hundred) are replaced by a table first — a
    whole-text `str.translate` looks every character up — and the full algorithm runs only
    when the result is still not NFKC (tests/test_normalize.py checks it equals NFKC)."""
    replaced = _compatibility_runs().sub(_replace_compatibility_run, _replace_common(text))
    if unicodedata.is_normalized("NFKC", replaced):
        return replaced
    return unicodedata.normalize("NFKC", replaced)


def _replace_common(text: str) -> str:
    """The commonest compatibility characters replaced by their NFKC forms with `str.replace`:
    one fast pass each instead of a call per run (no NFKC form holds a character of the table,
    so the runs left are replaced just as before)."""
    table = _compatibility_table()
    for char in COMMON_COMPATIBILITY:
        text = text.replace(char, table[ord(char)])
    return text


def _join_subscripts(text: str) -> str:
    """`PM_2.5` → PM2.5: a subscript written with an underscore, joined as NFKC joins PM₂.₅."""
    if "_" not in text:
        return text
    return _SUBSCRIPT.sub(lambda m: m.group(1) + (m.group(2) or m.group(3)), text)


def _unify_line_breaks(text: str) -> str:
    """Every line break as \n: a `str.replace` pass per kind, a fifth of the time of one regex
    (a \r left before a \n by the first pass becomes a break of its own, as it was)."""
    for kind in LINE_BREAKS:
        text = text.replace(kind, "\n")
    return text


def _drop_invisible(text: str) -> str:
    """Remove control (except \\n and \\t) and format characters (zero-width, BOM, bidi)."""
    return _INVISIBLE.sub("", text)


def _tidy_spaces(text: str) -> str:
    """Collapse each run of horizontal whitespace to one space (one tab if it holds a tab)."""
    return _HSPACE_RUN.sub(_one_space, text)


def _one_space(run: re.Match[str]) -> str:
    return "\t" if "\t" in run.group() else " "


def _split_joined_paragraphs(text: str) -> str:
    """Break a line where `。` (or a CJK `!`/`?`) is followed by a space and a new sentence."""
    return _JOINED_PARAGRAPHS.sub(_paragraph_break, text)


def _paragraph_break(joined: re.Match[str]) -> str:
    start = joined.start()
    text = joined.string
    if text[start] != "。" and (start == 0 or not _CJK_CHAR.match(text, start - 1)):
        return joined.group()  # an ASCII !/? after a Latin word: English, left alone
    return joined.group(1) + "\n"


def _join_broken_lines(lines: list[str]) -> list[str]:
    """Rejoin lines that break a sentence: continuation marks, or wraps at a fixed width (measured
    only when a line pair needs it: most lines end a sentence or open a paragraph)."""
    wrap = cache(lambda: _wrap_width(lines))
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, wrap):
            out[-1] = join_wrapped(out[-1], line)
        else:
            out.append(line)
    return out


def _continues(previous: str, line: str, wrap_width: Callable[[], int | None]) -> bool:
    """Whether `line` is the rest of the sentence that `previous` breaks off."""
    if line[0] in CONTINUES_BEFORE:
        return True
    if starts_paragraph(line) or ends_sentence(previous):
        return False
    if previous[-1] in CONTINUES_AFTER:
        return True
    wrap = wrap_width()
    if wrap is None:
        return False
    # Every character takes at least one column: a line with this many characters is wide
    # enough without measuring it (rejoined lines grow; measuring them each time is quadratic).
    least = wrap - WRAP_TOLERANCE_COLUMNS
    return len(previous) >= least or display_width(previous) >= least


def _wrap_width(lines: list[str]) -> int | None:
    """The fixed width the text is hard-wrapped at, or None when it is not hard-wrapped."""
    if not _may_be_wrapped(lines):
        return None
    widths = sorted(_display_widths(lines))
    if len(widths) < MIN_WRAPPED_LINES or widths[-1] < MIN_WRAP_COLUMNS:
        return None
    best_width, best_count = 0, 0
    for width in sorted(set(widths)):
        count = bisect_right(widths, width) - bisect_left(widths, width - WRAP_TOLERANCE_COLUMNS)
        if count >= best_count:
            best_width, best_count = width, count
    if best_width < MIN_WRAP_COLUMNS or best_count < MIN_WRAPPED_LINES:
        return None
    longer = len(widths) - bisect_right(widths, best_width)
    wide = len(widths) - bisect_left(widths, best_width / 2)
    if longer > 0 or best_count < MIN_WRAPPED_SHARE * wide:
        return None
    return best_width


def _may_be_wrapped(lines: list[str]) -> bool:
    """False when the widest line is narrower than MIN_WRAP_COLUMNS or fewer than
    MIN_WRAPPED_LINES lines come within WRAP_TOLERANCE_COLUMNS of it: no wrap width then (a
    wrap width is the widest line's). A line is at most twice its length wide, so only the
    longest lines are measured, longest first, until the rest cannot reach that far."""
    widest = 0
    near: list[int] = []
    for line in sorted(lines, key=len, reverse=True):
        if 2 * len(line) < widest - WRAP_TOLERANCE_COLUMNS:
            break
        width = display_width(line)
        widest = max(widest, width)
        near.append(width)
    within = sum(width >= widest - WRAP_TOLERANCE_COLUMNS for width in near)
    return widest >= MIN_WRAP_COLUMNS and within >= MIN_WRAPPED_LINES


def _display_widths(lines: list[str]) -> list[int]:
    """`display_width` of each line (none holds a "\\n"), with one regex pass over the whole
    text: the line breaks survive the removal of the wide runs, so the lines' narrow parts
    line up with the lines; a line's width is twice its length less its narrow characters."""
    if not lines:
        return []
    narrow = _WIDE_RUNS.sub("", "\n".join(lines)).split("\n")
    return [2 * len(line) - len(rest) for line, rest in zip(lines, narrow, strict=True)]


def _drop_repeated_sentences(line: str) -> str:
    """Keep a sentence repeated back to back within a line only once."""
    sentences = [s for s in _SENTENCE.findall(line) if s]
    kept: list[str] = []
    for sentence in sentences:
        repeat = kept and kept[-1].strip() == sentence.strip()
        if repeat and len(sentence.strip()) >= MIN_REPEATED_SENTENCE_CHARS:
            continue
        kept.append(sentence)
    return "".join(kept).strip() if len(kept) != len(sentences) else line


def _drop_repeated_lines(lines: list[str]) -> list[str]:
    """Keep a paragraph repeated back to back only once; drop empty lines."""
    kept: list[str] = []
    for line in lines:
        if line and (not kept or kept[-1] != line):
            kept.append(line)
    return kept
