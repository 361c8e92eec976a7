"""Info lines of published pages ("来源:XX 发布时间:… 浏览次数:… 【字体:大 中 小】"): the label
lexicon (data/html_info.json), whether a line holds nothing but such fields, and a label's value
(a publisher) cut before counters, other labels, dates and bylines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from cnpolicy.ingest.normalize import DATA_DIR

__all__ = [
    "FIELD_MAX_CHARS",
    "INFO_FILE",
    "INFO_LINE_MAX_CHARS",
    "InfoLexicon",
    "clean_publisher",
    "holds_only_credits",
    "holds_only_info",
    "label_pattern",
    "labelled_address",
    "lexicon",
    "source_field",
    "source_or_date_label",
    "source_value",
    "value_end",
    "web_address",
]

INFO_FILE = "html_info.json"
# An info line ("来源:XX 发布时间:2020-12-14") is a short line; a longer one that merely holds
# a date is body text. 120 characters fit every info line we have seen (the longest carry
# source, author, editor, date, time and two counters) with room to spare. clean.py and
# html.py use this bound too.
INFO_LINE_MAX_CHARS = 120
# A publisher name ("湛江日报", "中共XX市委机构编制委员会办公室") is at most ~30 characters;
# a longer value means the label was followed by prose. The same bound holds for every other
# field of an info line (an editor's name, a date and time, "大 中 小").
FIELD_MAX_CHARS = 40

_SENTENCE_END = re.compile(r"[。!?！？;；]")
_DATE_TIME = re.compile(
    r"(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?)?"
)
_WRAPPERS = " \t\u3000【】[]()（）〔〕|｜"
_VALUE_PUNCTUATION = ":：,，;；、"


@dataclass(frozen=True, slots=True)
class InfoLexicon:
    """Labels, counters and meta names from data/html_info.json."""

    date_labels: tuple[str, ...]
    publisher_labels: tuple[str, ...]
    other_labels: tuple[str, ...]
    counter_words: tuple[str, ...]
    counter_stems: tuple[str, ...]
    byline_words: tuple[str, ...]
    weak_labels: tuple[str, ...]
    date_meta: tuple[str, ...]
    publisher_meta: tuple[str, ...]
    title_meta: tuple[str, ...]
    site_words: tuple[str, ...]
    url_meta: tuple[str, ...] = ()
    url_labels: tuple[str, ...] = ()

    def labels(self) -> tuple[str, ...]:
        """Every field label, longest first (so 发布时间 wins over 时间 at the same place)."""
        words = {
            *self.date_labels,
            *self.publisher_labels,
            *self.other_labels,
            *self.counter_words,
            *self.counter_stems,
        }
        return tuple(sorted(words, key=len, reverse=True))


@cache
def lexicon() -> InfoLexicon:
    """Read data/html_info.json (cached)."""
    raw: dict[str, Any] = json.loads((DATA_DIR / INFO_FILE).read_text(encoding="utf-8"))
    return InfoLexicon(**{k: tuple(v) for k, v in raw.items() if not k.startswith("_")})


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


@cache
def label_pattern() -> re.Pattern[str]:
    """A field label and its colon ("来源:", "浏览次数：", "【字体:")."""
    return re.compile(rf"(?P<label>{_alternatives(lexicon().labels())})\s*[:：]")


@cache
def source_or_date_label() -> re.Pattern[str]:
    """A source or date label and its colon ("来源:", "发布时间："), not a counter or a credit."""
    words = lexicon()
    return re.compile(rf"(?:{_alternatives(words.publisher_labels + words.date_labels)})\s*[:：]")


def source_field(info: str) -> str | None:
    """The value after the info line's publisher label (来源:湛江日报 → 湛江日报)."""
    match = _source_field().search(info)
    return match[1] if match else None


@cache
def _source_field() -> re.Pattern[str]:
    labels = _alternatives(lexicon().publisher_labels)
    return re.compile(rf"(?:{labels})\s*[:：]\s*([^\s|丨:：]{{2,{FIELD_MAX_CHARS}}})")


@cache
def value_end() -> re.Pattern[str]:
    """Where a label's value ends: another label, a counter (阅读量, 点击:12), a byline word
    after a space (记者 张三), a date, two spaces, a bar or a bracket."""
    words = lexicon()
    return re.compile(
        rf"\s*(?:{_alternatives(words.labels())})\s*[:：]"
        rf"|\s*(?:{_alternatives(words.counter_words)})"
        rf"|\s*(?:{_alternatives(words.counter_stems)})(?=\s*[:：\d])"
        rf"|\s+(?:{_alternatives(words.byline_words)})(?=[\s:：]|$)"
        r"|\s*(?:19|20)\d\d\s*[-/.年]|\s{2,}|[|｜【\[]"
    )


def source_value(text: str) -> str | None:
    """The value at the start of text (what follows "来源:"), cut where value_end() says;
    None when nothing is left, when it is too long to be a name, or when it is a web address."""
    value = _trim(value_end().split(text, maxsplit=1)[0])
    if not value or len(value) > FIELD_MAX_CHARS or "://" in value:
        return None
    return value


def _trim(value: str) -> str:
    """Whitespace and separating punctuation off both ends, however they interleave."""
    previous = None
    while value != previous:
        previous, value = value, value.strip().strip(_VALUE_PUNCTUATION)
    return value


def clean_publisher(value: str | None) -> str | None:
    """A publisher without a label in front and without counters or other fields after it:
    "中共XX县委办公室 阅读量:867" → "中共XX县委办公室", "来源:XX日报 记者 张三" → "XX日报"."""
    if value is None:
        return None
    text = value.strip()
    match = label_pattern().match(text)
    if match and match.group("label") in lexicon().publisher_labels:
        text = text[match.end() :]
    return source_value(text)


_WEB_ADDRESS = re.compile(r"https?://[^\s\u3000<>\"'，。；）)】]+", re.IGNORECASE)


def web_address(text: str | None) -> str | None:
    """The first http(s) address in a text (an info line's 原文链接:…, a <meta> value)."""
    match = _WEB_ADDRESS.search(text or "")
    return match.group(0).rstrip(".,;:") if match else None


def labelled_address(line: str | None) -> str | None:
    """The address after one of the info line's address labels (原文链接: https://…)."""
    if not line:
        return None
    for label in lexicon().url_labels:
        at = line.find(label)
        if at >= 0:
            found = web_address(line[at + len(label) :])
            if found:
                return found
    return None


def holds_only_info(line: str) -> bool:
    """True for a short line made only of info fields ("来源:XX 发布时间:2021-11-08 09:30
    浏览次数: 【字体:大 中 小】", "(编辑:李四 审核:王五)"), a date/time at most before them.

    A line whose only label is a weak one ("时间:2021年3月5日" in a meeting notice) is not one,
    nor a line with prose before its first label or a sentence in a field.
    """
    text = line.strip()
    if not text or len(text) > INFO_LINE_MAX_CHARS:
        return False
    matches = list(label_pattern().finditer(text))
    if not matches or not _is_lead(text[: matches[0].start()]):
        return False
    labels = [m.group("label") for m in matches]
    if len(labels) == 1 and labels[0] in lexicon().weak_labels:
        return False
    ends = [m.start() for m in matches[1:]] + [len(text)]
    values = [text[m.end() : end].strip(_WRAPPERS) for m, end in zip(matches, ends, strict=True)]
    return all(len(v) <= FIELD_MAX_CHARS and not _SENTENCE_END.search(v) for v in values)


def holds_only_credits(line: str) -> bool:
    """True for an info line that names neither a source nor a date ("(编辑:李四 审核:王五)",
    "作者:张三 浏览次数:12"): nothing in it describes the document, so it may go anywhere."""
    if not holds_only_info(line) or _DATE_TIME.search(line):
        return False
    words = lexicon()
    dated_or_sourced = {*words.date_labels, *words.publisher_labels}
    return not any(m.group("label") in dated_or_sourced for m in label_pattern().finditer(line))


def _is_lead(text: str) -> bool:
    """What may stand before an info line's first label: nothing, a bracket, a date and time."""
    lead = text.strip(_WRAPPERS)
    return not lead or _DATE_TIME.fullmatch(lead) is not None
