"""Removal of site furniture (banners, navigation, widgets, footers) from normalised text.

The patterns live in data/furniture.txt; this module decides where each kind may strike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cnpolicy.ingest.info import (
    FIELD_MAX_CHARS,
    INFO_LINE_MAX_CHARS,
    holds_only_credits,
    label_pattern,
    source_or_date_label,
)
from cnpolicy.ingest.normalize import read_data_lines

__all__ = [
    "FURNITURE_FILE",
    "SECTIONS",
    "TAIL_LINE_MAX_CHARS",
    "TRAILING_FRAGMENT_ENDS",
    "Furniture",
    "furniture",
    "is_edge_furniture",
    "is_furniture_line",
    "is_info_line",
    "join_label_lines",
    "strip_fragments",
    "strip_furniture",
]

FURNITURE_FILE = "furniture.txt"
SECTIONS = ("anywhere", "edge", "tail_start", "trailing", "leading", "info")
# Lines after a [tail_start] line ("相关新闻") are dropped only when all are this short and
# none ends a sentence: link lists are article titles (rarely over 40 characters).
TAIL_LINE_MAX_CHARS = 60
# The characters a [trailing] fragment of furniture.txt ends with, but for whitespace: a bar, a
# closing bracket, the last of 打印本页/关闭窗口 (tests/test_clean.py reads them off the patterns).
TRAILING_FRAGMENT_ENDS = frozenset("|¦｜】]页口")
# Punctuation that makes a line a sentence, never a field's value.
_SENTENCE_MARKS = re.compile(r"[。!?;,，；！？]")


@dataclass(frozen=True, slots=True)
class Furniture:
    """The compiled patterns of data/furniture.txt, one tuple per section."""

    anywhere: tuple[re.Pattern[str], ...]
    edge: tuple[re.Pattern[str], ...]
    tail_start: tuple[re.Pattern[str], ...]
    trailing: tuple[re.Pattern[str], ...]
    leading: tuple[re.Pattern[str], ...]
    info: tuple[re.Pattern[str], ...]


@cache
def furniture() -> Furniture:
    """Read and compile data/furniture.txt (cached)."""
    sections: dict[str, list[re.Pattern[str]]] = {name: [] for name in SECTIONS}
    current: str | None = None
    for line in read_data_lines(FURNITURE_FILE):
        header = re.fullmatch(r"\[(\w+)\]", line.strip())
        if header:
            current = header.group(1)
            if current not in sections:
                raise ValueError(f"{FURNITURE_FILE}: unknown section [{current}]")
            continue
        if current is None:
            raise ValueError(f"{FURNITURE_FILE}: pattern {line!r} before any [section]")
        sections[current].append(_compile_fragment(line, current))
    return Furniture(**{name: tuple(patterns) for name, patterns in sections.items()})


def _compile_fragment(pattern: str, section: str) -> re.Pattern[str]:
    if section == "trailing":
        return re.compile(f"(?:{pattern})$")
    if section == "leading":
        return re.compile(f"^(?:{pattern})")
    return re.compile(pattern)


def is_furniture_line(line: str) -> bool:
    """True for a line that is wholly furniture wherever it stands ([anywhere] patterns)."""
    text = line.strip()
    return not text or _whole_anywhere().fullmatch(text) is not None


@cache
def _whole_anywhere() -> re.Pattern[str]:
    """The [anywhere] patterns as one alternation: fullmatch backtracks into every branch, so it
    matches a line exactly when one pattern does, with one call per line instead of forty."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in furniture().anywhere))


def is_edge_furniture(line: str) -> bool:
    """True for a line that is furniture when it stands at the top or bottom edge."""
    text = line.strip()
    return is_furniture_line(text) or any(p.fullmatch(text) for p in furniture().edge)


def is_info_line(line: str) -> bool:
    """True for a short line naming the article's source or date (kept for the describer)."""
    text = line.strip()
    if len(text) > INFO_LINE_MAX_CHARS:
        return False
    return source_or_date_label().search(text) is not None or any(
        p.search(text) for p in furniture().info
    )


def strip_fragments(line: str) -> str:
    """Remove trailing and leading furniture fragments ("标题 |" → "标题")."""
    text = line
    if _may_end_in_fragment(text):
        for pattern in furniture().trailing:
            text = pattern.sub("", text)
    for pattern in furniture().leading:
        text = pattern.sub("", text)
    return text.strip()


def _may_end_in_fragment(line: str) -> bool:
    """Whether the line, but for whitespace, ends in a character a [trailing] fragment can end
    with: a line ending otherwise holds none, and its $-anchored patterns, which try every
    position, need not scan it (they took two thirds of strip_fragments)."""
    return line.rstrip()[-1:] in TRAILING_FRAGMENT_ENDS


def strip_furniture(text: str) -> str:
    """Drop furniture lines: wholly-furniture lines anywhere, edge furniture at the top and bottom.

    Body lines that merely mention 电话 or 主办 stay: they are not wholly furniture, and
    edge patterns only strike in the unbroken run of furniture before the title and after
    the last body line. The info line stays (the describer reads it); credit lines
    ("(编辑:李四 审核:王五)") in the trailing run go.
    """
    lines = [strip_fragments(line) for line in text.split("\n")]
    lines = join_label_lines([line for line in lines if line and not is_furniture_line(line)])
    lines = _drop_tail_block(lines)
    start = _body_start(lines)
    end = _body_end(lines, start)
    return "\n".join(lines[start:end])


def join_label_lines(lines: list[str]) -> list[str]:
    """A line holding only an info label (`来源:`, `发表时间:`, as scraped pages split them) is
    joined with the value on the line after it (`来源:宁夏日报客户端`), so that the info line
    reads as one: its date and publisher are found and its counters go with the furniture."""
    out: list[str] = []
    for line in lines:
        if out and _is_bare_label(out[-1]) and _is_label_value(line):
            out[-1] += line
        else:
            out.append(line)
    return out


def _is_bare_label(line: str) -> bool:
    match = label_pattern().fullmatch(line.lstrip("【[("))
    return match is not None


def _is_label_value(line: str) -> bool:
    """A field's value: short, no sentence punctuation, not another label."""
    return (
        len(line) <= FIELD_MAX_CHARS
        and not _SENTENCE_MARKS.search(line)
        and label_pattern().match(line) is None
    )


def _body_start(lines: list[str]) -> int:
    """Index of the first line after the leading furniture run (the title stays)."""
    start = 0
    while start < len(lines) and is_edge_furniture(lines[start]):
        next_is_info = start + 1 < len(lines) and is_info_line(lines[start + 1])
        if next_is_info and not is_info_line(lines[start]):
            break
        start += 1
    return start


def _body_end(lines: list[str], start: int) -> int:
    """Index just past the last line before the trailing furniture run (editor and reviewer
    credits included: "(编辑:李四 审核:王五)" says nothing of the document)."""
    end = len(lines)
    while end > start and (is_edge_furniture(lines[end - 1]) or holds_only_credits(lines[end - 1])):
        end -= 1
    return end


def _drop_tail_block(lines: list[str]) -> list[str]:
    """Cut a trailing "相关新闻"-style block when everything after its opener is a link list."""
    patterns = furniture().tail_start
    for index, line in enumerate(lines):
        if any(p.fullmatch(line) for p in patterns) and _is_link_list(lines[index + 1 :]):
            return lines[:index]
    return lines


def _is_link_list(lines: list[str]) -> bool:
    return all(
        is_edge_furniture(line)
        or (len(line) <= TAIL_LINE_MAX_CHARS and not line.rstrip("”’」』)").endswith("。"))
        for line in lines
    )
