"""Find the number + unit mentions in a text and keep the ones ANNOTATION.md counts as metrics.

Regexes run on the text (jieba splits `900多名` and `14.8%`); word boundaries from the segmenter
only veto numbers glued inside words (`一把手`, `三定`). Lexicons: data/units.json,
data/metric_patterns.json.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from cnpolicy.datafiles import read_data_json
from cnpolicy.extract.changes import merge_changes
from cnpolicy.extract.dates import finditer_at
from cnpolicy.extract.numbers import (
    ARABIC,
    CN_DIGITS,
    FRACTION,
    NUMERAL,
    RANGE,
    ROUND,
    NumberFormatError,
    Quantity,
    is_chinese_numeral,
    is_round,
    parse_fraction,
    parse_number,
    parse_quantity,
    parse_round,
    scale_tail,
)
from cnpolicy.gazetteer import char_class
from cnpolicy.qualifiers import load_qualifiers
from cnpolicy.records import Approx, Number, as_number
from cnpolicy.segmenter import dictionary_tags

__all__ = [
    "CATEGORY_NOUN_WINDOW",
    "CLAUSE_WINDOW",
    "CODE_DIGITS",
    "DECIMAL_POINT",
    "DIGIT",
    "MAX_SHARE",
    "PHONE_WINDOW",
    "QUOTE_WINDOW",
    "SHARE_BLOCKERS",
    "SLOGAN_LOOKAHEAD",
    "SLOGAN_TAGS",
    "WRAP",
    "Boundaries",
    "Mention",
    "NotMetrics",
    "Rules",
    "is_excluded",
    "load_rules",
    "scan_mentions",
]

# An exclusion: whether a mention is no metric (a date, an ordinal, a name …).
Check = Callable[[str, "Mention", "Rules", "Boundaries"], bool]
# A share in 成 is a tenth; 十成 is the whole, so anything above 10 成 is not a share.
MAX_SHARE = 10
# How far back (characters) to look for an unclosed quote or book-title mark: longer quoted
# passages hold real metrics, and titles longer than this are rare enough to not matter.
QUOTE_WINDOW = 40
# How far back to look for the start of a clause (longer clauses are cut there).
CLAUSE_WINDOW = 80
# How far back to look for 电话/传真/ICP before a number.
PHONE_WINDOW = 8
# Digits in a row from which a bare number is a code or a phone number, not a count; a decimal
# point or a thousands comma breaks the row (33757.93亿元 is an amount).
CODE_DIGITS = 7
CODE_RUN = re.compile(rf"\d{{{CODE_DIGITS},}}")
# How far after `三个` to look for the word that makes it a slogan.
SLOGAN_LOOKAHEAD = 8
# jieba tags of that word: a plain verb or adjective (突出, 集中, 维护), not a noun-like verb.
SLOGAN_TAGS = frozenset({"v", "a", "vi", "ad", "d"})
# How far before a numbered class (公益二类) to look for the noun it divides (a long word).
CATEGORY_NOUN_WINDOW = 6
# Characters that may not follow 成 when it is a share (成为, 成立, 成员, 成果 …).
SHARE_BLOCKERS = "立员果本就效功熟绩交型长都品份分色年人"
# A line break that a web page or PDF puts inside a sentence (对51<br>个镇街): a number and its
# measure word still belong together across one break, never across two (a new paragraph).
WRAP = r"\r?\n"
# The decimal point of a numeral in words (一点二).
DECIMAL_POINT = "点"
# Where an implicit mention (30单位) can start: its Arabic numeral opens with a lookbehind, so the
# scan tries it only at digits (one character in sixty of the reports), not at every position.
DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Mention:
    """A number with its unit: `start`/`end` cover the whole mention, qualifiers included."""

    start: int
    end: int
    number_start: int
    number_end: int
    unit_end: int
    numeral: str
    value: Number
    unit: str
    kind: str  # count, amount, percent, duration
    value_max: Number | None = None
    approx: Approx | None = None
    before: Number | None = None
    before_start: int | None = None
    before_end: int | None = None  # end of the first mention of a change (39个 in 39个X整合为11个)


@dataclass(frozen=True, slots=True)
class NotMetrics:
    """Lexicons of number + unit that state no figure (metric_patterns.json `not_metrics`)."""

    unit_words: tuple[str, ...]
    rank_words: tuple[str, ...]
    rank_units: frozenset[str]
    rank_leads: tuple[str, ...]
    phase_units: frozenset[str]
    phase_heads: tuple[str, ...]
    demonstratives: tuple[str, ...]
    formula_nouns: tuple[str, ...]
    formula_units: frozenset[str]
    size_class_qualifiers: frozenset[str]
    capacity_units: frozenset[str]
    capacity_heads: re.Pattern[str]
    class_tails: tuple[str, ...] = ()
    class_heads: tuple[str, ...] = ()
    age_units: frozenset[str] = frozenset()
    small_word_units: frozenset[str] = frozenset()
    small_word_max: int = 0
    span_words_after: tuple[str, ...] = ()
    qualifier_words: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any], breaks: str) -> NotMetrics:
        gap = int(data["capacity_gap"])
        return cls(
            unit_words=tuple(data["unit_words"]),
            rank_words=tuple(data["rank_words"]),
            rank_units=frozenset(data["rank_units"]),
            rank_leads=tuple(data["rank_leads"]),
            phase_units=frozenset(data["phase_units"]),
            phase_heads=tuple(data["phase_heads"]),
            demonstratives=tuple(data["demonstratives"]),
            formula_nouns=tuple(data["formula_nouns"]),
            formula_units=frozenset(data["formula_units"]),
            size_class_qualifiers=frozenset(data["size_class_qualifiers"]),
            capacity_units=frozenset(data["capacity_units"]),
            capacity_heads=re.compile(
                rf"[^{breaks}\d]{{0,{gap}}}?(?:{_alternation(data['capacity_heads'])})"
            ),
            class_tails=tuple(data["class_tails"]),
            class_heads=tuple(data["class_heads"]),
            age_units=frozenset(data["age_units"]),
            small_word_units=frozenset(data["small_word_units"]),
            small_word_max=int(data["small_word_max"]),
            span_words_after=tuple(data["span_words_after"]),
            qualifier_words=tuple(data["qualifier_words"]),
        )


@dataclass(frozen=True, slots=True)
class Rules:
    """Compiled patterns and lexicons, built once from the data files."""

    mention: re.Pattern[str]
    implicit: re.Pattern[str]
    change_gap: re.Pattern[str]
    change_verbs: re.Pattern[str]
    frequency: tuple[re.Pattern[str], ...]
    unit_kinds: dict[str, str]
    implicit_units: dict[str, str]
    approx_before: dict[str, Approx]
    approx_inside: dict[str, Approx]
    approx_after: dict[str, Approx]
    ordinal_before: tuple[str, ...]
    frequency_units: frozenset[str]
    time_after: tuple[str, ...]
    phone_before: re.Pattern[str]
    outcome_words: tuple[str, ...]
    name_words_after: tuple[str, ...]
    determiners: frozenset[str]
    determiner_units: frozenset[str]
    determiner_before: tuple[str, ...]
    determiner_after: str
    name_before_max: int
    name_units: frozenset[str]
    strict_change: re.Pattern[str]
    slogan_quote_max: int
    slogan_joiners: str
    open_quote: re.Pattern[str]
    close_quote: re.Pattern[str]
    open_title: re.Pattern[str]
    clause_break: re.Pattern[str]  # any one clause break
    bare_before: re.Pattern[str]
    clause_breaks: str
    sentence_breaks: str
    approx_lead: re.Pattern[str]
    approx_lead_verbs: tuple[str, ...]
    approx_lead_window: int
    category_units: frozenset[str]
    clause_head: re.Pattern[str]
    object_prepositions: tuple[str, ...]
    multiple_units: frozenset[str] = frozenset()
    half_value: Number = 50
    half_not_after: str = ""
    doubling_unit: str = "番"
    doubling_not_after: str = ""
    doubling_not_before: str = ""
    round_leads: tuple[str, ...] = ()
    arabic_only_units: frozenset[str] = frozenset()
    not_metrics: NotMetrics | None = None


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _unclosed(opening: str, closing: str) -> re.Pattern[str]:
    """An opening mark with no closing mark after it, up to the end of the searched window."""
    opening, closing = opening.replace('"', ""), closing.replace('"', "")
    return re.compile(f"[{re.escape(opening)}][^{re.escape(closing)}]*$")


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The mention rules from data/units.json and data/metric_patterns.json."""
    units = read_data_json("cnpolicy.extract", "units.json")
    patterns = read_data_json("cnpolicy.extract", "metric_patterns.json")
    unit_kinds = {
        u: kind for kind in ("count", "amount", "percent", "duration", "share") for u in units[kind]
    }
    implicit_units = {
        noun: unit
        for unit, nouns in units["implicit"].items()
        if not unit.startswith("_")
        for noun in nouns
    }
    qualifiers = load_qualifiers()
    before, inside, after = qualifiers.before, qualifiers.inside, qualifiers.after
    words = patterns["number_words"]
    starts = "".join(
        sorted(
            {w[0] for w in before}
            | {w[0] for w in words["doubling"]}
            | set(CN_DIGITS)
            | {"十", "拾", "百", "千", "万", "亿"}
        )
    )
    mention = re.compile(
        rf"(?=[\d{re.escape(starts)}])"
        rf"(?P<pre>{_alternation(list(before))})?"
        rf"(?:百分之(?P<pct>{NUMERAL})"
        rf"|(?P<frac>{FRACTION})"
        rf"|(?P<half>{_alternation(words['half'])})"
        rf"|(?P<double>{_alternation(words['doubling'])})"
        rf"|(?P<num>{RANGE}|{ROUND})(?:[ \t]|{WRAP})?(?P<inside>{_alternation(list(inside))})?"
        rf"(?P<big>[万亿]{{1,2}})?[ \t]?"
        rf"(?P<unit>{_alternation(list(unit_kinds))}))"
        rf"(?P<post>{_alternation(list(after))})?"
    )
    implicit = re.compile(rf"(?P<num>{ARABIC})(?P<noun>{_alternation(list(implicit_units))})")
    gap = int(patterns["change_gap_max"])
    openers = _alternation(patterns["change_openers"])
    breaks = re.escape(patterns["clause_breaks"])
    strict = [v for v in patterns["change_verbs"] if len(v) > 1 and v != "变为"]
    return Rules(
        mention=mention,
        implicit=implicit,
        change_gap=re.compile(rf"(?:{openers})[^{breaks}、从由]{{0,{gap}}}$"),
        change_verbs=re.compile(rf"(?:了)?(?:{_alternation(patterns['change_verbs'])})(?:了)?$"),
        frequency=tuple(re.compile(p) for p in patterns["frequency_before_patterns"]),
        unit_kinds=unit_kinds,
        implicit_units=implicit_units,
        approx_before=before,
        approx_inside=inside,
        approx_after=after,
        ordinal_before=tuple(patterns["ordinal_before"]),
        frequency_units=frozenset(patterns["frequency_units"]),
        time_after=tuple(sorted(patterns["time_after"], key=len, reverse=True)),
        phone_before=re.compile(_alternation(patterns["phone_before"])),
        outcome_words=tuple(patterns["outcome_words"]),
        name_words_after=tuple(patterns["name_words_after"]),
        determiners=frozenset(patterns["determiner_numerals"]),
        determiner_units=frozenset(patterns["determiner_counts"]["units"]),
        determiner_before=tuple(patterns["determiner_counts"]["before"]),
        determiner_after=patterns["determiner_counts"]["after"],
        name_before_max=int(patterns["name_before_max"]),
        name_units=frozenset(patterns["name_units"]),
        strict_change=re.compile(rf"[^{breaks}、\d]{{0,{gap}}}?(?:{_alternation(strict)})$"),
        slogan_quote_max=int(patterns["slogan_quote_max"]),
        slogan_joiners=patterns["slogan_joiners"],
        open_quote=_unclosed(patterns["quote_open"], patterns["quote_close"]),
        close_quote=re.compile(f"[{re.escape(patterns['quote_close'])}]"),
        open_title=_unclosed(patterns["title_open"], patterns["title_close"]),
        clause_break=re.compile(char_class(patterns["clause_breaks"])),
        bare_before=re.compile(rf"({NUMERAL})((?:了)?[^\d{breaks}]{{1,4}})$"),
        clause_breaks=patterns["clause_breaks"],
        sentence_breaks=patterns["sentence_breaks"],
        approx_lead=_approx_lead(patterns["qualifiers_leading"], before, breaks),
        approx_lead_verbs=tuple(patterns["qualifiers_leading"]["verbs"]),
        approx_lead_window=int(patterns["qualifiers_leading"]["max_gap"])
        + max(map(len, before))
        + max(len(v) for v in patterns["qualifiers_leading"]["verbs"]),
        category_units=frozenset(patterns["category_units"]),
        clause_head=re.compile(rf"[^{breaks}]*"),
        object_prepositions=tuple(patterns["object_prepositions"]),
        multiple_units=frozenset(words["multiple_units"]),
        half_value=words["half_value"],
        half_not_after=words["half_not_after"],
        doubling_not_after=words["doubling_not_after"],
        doubling_not_before=words["doubling_not_before"],
        round_leads=tuple(words["round_leads"]),
        arabic_only_units=frozenset(words["arabic_only_units"]),
        not_metrics=NotMetrics.from_data(patterns["not_metrics"], breaks),
    )


def _approx_lead(data: dict[str, Any], before: dict[str, Approx], breaks: str) -> re.Pattern[str]:
    """`约有两成`, `约占全区编制总数的69%`: a qualifier, a verb, and a short stretch before the
    number (searched on the clause before it)."""
    gap = int(data["max_gap"])
    verbs = _alternation(data["verbs"])
    return re.compile(
        rf"(?P<q>{_alternation(list(before))})"
        rf"(?:(?:{verbs})[^{breaks}\d]{{0,{gap}}}|(?P<whole>[^{breaks}\d的]{{1,{gap}}}的))$"
    )


def _tile(starts: list[int], ends: list[int]) -> bool:
    """Whether the words follow each other without gaps or overlaps, in order (a segmenter's
    tokens always do): then the starts and ends are sorted and their union is the starts and the
    last end, with no sets or sorting to build (a tenth of a second over two million characters)."""
    return (
        len(starts) == len(ends) and starts[1:] == ends[:-1] and all(map(operator.lt, starts, ends))
    )


def _holds(sorted_offsets: list[int], offset: int) -> bool:
    index = bisect.bisect_left(sorted_offsets, offset)
    return index < len(sorted_offsets) and sorted_offsets[index] == offset


class Boundaries:
    """Word boundaries from the segmenter, as sorted token start offsets plus the text length."""

    def __init__(self, starts: Sequence[int], ends: Sequence[int]):
        self.starts = list(starts)
        self.ends = list(ends)
        if _tile(self.starts, self.ends):
            self.sorted_starts = [*self.starts, self.ends[-1]] if self.ends else []
        else:
            self.starts.sort()
            self.ends.sort()
            self.sorted_starts = sorted({*self.starts, *self.ends})

    def is_start(self, offset: int) -> bool:
        return _holds(self.starts, offset)

    def is_end(self, offset: int) -> bool:
        return _holds(self.ends, offset)

    def words(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """The (start, end) of each word between start and end, cut at the segmenter's bounds."""
        return [(a, b) for a, b in itertools.pairwise(self._cuts(start, end)) if b > a]

    def texts(self, text: str, start: int, end: int) -> list[str]:
        """The words between start and end as strings (`words`, cut out of the text directly)."""
        return [text[a:b] for a, b in itertools.pairwise(self._cuts(start, end)) if b > a]

    def _cuts(self, start: int, end: int) -> list[int]:
        """start, the word bounds strictly between start and end, end."""
        cuts = self.sorted_starts
        low, high = bisect.bisect_right(cuts, start), bisect.bisect_left(cuts, end)
        return [start, *cuts[low:high], end]


# --- scanning ---------------------------------------------------------------------------------


def scan_mentions(text: str, rules: Rules, bounds: Boundaries) -> list[Mention]:
    """Every number + unit in the text that is not excluded (dates, names, ordinals …)."""
    found: list[Mention] = []
    for match in rules.mention.finditer(text):
        mention = _from_match(text, match, rules)
        if mention is not None and not is_excluded(text, mention, rules, bounds):
            found.append(_with_leading_approx(text, mention, rules))
    for match in finditer_at(rules.implicit, DIGIT, text):
        mention = _from_implicit(match, rules)
        if not any(m.start < mention.end and mention.start < m.end for m in found) and not (
            is_excluded(text, mention, rules, bounds)
        ):
            found.append(mention)
    found.sort(key=lambda m: m.start)
    merged = merge_changes(text, found, rules)
    return [m for m in merged if not _time_not_outcome(text, m, rules, bounds)]


def _from_match(text: str, match: re.Match[str], rules: Rules) -> Mention | None:
    pre, post, inside = match.group("pre"), match.group("post"), match.group("inside")
    approx = (
        rules.approx_inside.get(inside or "")
        or rules.approx_after.get(post or "")
        or rules.approx_before.get(pre or "")
    )
    words = _from_words(text, match, rules)
    if words is not None:
        return replace(words, approx=approx) if words.value else None
    numeral = match.group("pct") or match.group("num")
    if is_round(numeral):
        approx = approx or _round_lead(text, match, rules)
        if approx is None:
            return None  # 千方百计, 千亿斤粮食产能提升行动: a round word, not a stated number
    try:
        if match.group("pct") is not None:
            quantity: Quantity = Quantity(parse_number(numeral))
            unit, kind, number_start = "%", "percent", match.start("pct") - len("百分之")
            unit_end = match.end("pct")
        else:
            quantity = _scaled(numeral, match.group("big"))
            unit, kind = match.group("unit"), rules.unit_kinds[match.group("unit")]
            number_start, unit_end = match.start("num"), match.end("unit")
    except NumberFormatError:
        return None
    if kind == "share":
        following = text[unit_end : unit_end + 1]
        if quantity.value > MAX_SHARE or (following and following in SHARE_BLOCKERS):
            return None
        quantity = Quantity(
            as_number(quantity.value * 10),
            None if quantity.value_max is None else as_number(quantity.value_max * 10),
        )
        unit, kind = "%", "percent"
    number_end = match.end("pct") if match.group("pct") is not None else match.end("num")
    if match.group("big"):
        number_end = match.end("big")  # 八千五百多万亩: the 万 belongs to the number
    return Mention(
        start=match.start(),
        end=match.end(),
        number_start=number_start,
        number_end=number_end,
        unit_end=unit_end,
        numeral=numeral,
        value=quantity.value,
        value_max=quantity.value_max,
        unit=unit,
        kind=kind,
        approx=approx,
    )


def _from_words(text: str, match: re.Match[str], rules: Rules) -> Mention | None:
    """A fraction or a half in words (三分之二, 一半): a share, as a percentage; a doubling
    (翻番): one 番."""
    name = next((n for n in ("double", "frac", "half") if match.group(n) is not None), None)
    if name is None:
        return None
    start, end = match.span(name)
    unit = "%"
    if name == "double":
        before, after = text[start - 1 : start] if start else "", text[end : end + 1]
        if (before and before in rules.doubling_not_after) or (
            after and after in rules.doubling_not_before
        ):
            return _nothing(match)  # 产值的翻番上, 翻番式增长: the word, not a figure
        value: Number = 1
        unit = rules.doubling_unit
    elif name == "half":
        if text[start - 1 : start] in rules.half_not_after if start else False:
            return _nothing(match)  # 另一半, 这一半: a part named, not a share stated
        value = rules.half_value
    else:
        try:
            value = parse_fraction(match.group("den"), match.group("part"))
        except NumberFormatError:
            return _nothing(match)
    return Mention(
        start=match.start(),
        end=match.end(),
        number_start=start,
        number_end=end,
        unit_end=end,
        numeral=match.group(name),
        value=value,
        unit=unit,
        kind="percent",
    )


def _nothing(match: re.Match[str]) -> Mention:
    """A placeholder with no value: the caller drops it (a fraction that is not one)."""
    return Mention(match.start(), match.end(), 0, 0, 0, "", 0, "%", "percent")


def _round_lead(text: str, match: re.Match[str], rules: Rules) -> Approx | None:
    """`上千种`: a round number led by 上 (and no qualifier of its own) is `more_than`."""
    start = match.start("num")
    return "more_than" if text.endswith(rules.round_leads, 0, start) else None


def _scaled(numeral: str, big: str | None) -> Quantity:
    """`八千五百多万`, `四亿零七百多万`: 万/亿 written after 多/余 scale the number before them."""
    if is_round(numeral):
        value = parse_round(numeral)
        return Quantity(value if not big else as_number(float(value) * parse_round(big)))
    if not big:
        return parse_quantity(numeral)
    return Quantity(scale_tail(numeral, big))


def _with_leading_approx(text: str, m: Mention, rules: Rules) -> Mention:
    """A qualifier a few characters before the number, across a verb (约有两成, 约占…的69%)."""
    if m.approx is not None:
        return m
    window = max(0, m.start - rules.approx_lead_window)
    head = text[window : m.start]
    if not head.endswith("的") and not any(verb in head for verb in rules.approx_lead_verbs):
        return m
    lead = rules.approx_lead.search(text, window, m.start)
    if lead is None:
        return m
    approx = rules.approx_before[lead.group("q")]
    if lead.group("whole") is not None and m.kind == "percent":
        return replace(m, start=lead.start(), approx=approx)  # 不低于合同金额的30%
    return replace(m, approx=approx) if lead.group("whole") is None else m


def _from_implicit(match: re.Match[str], rules: Rules) -> Mention:
    numeral = match.group("num")
    return Mention(
        start=match.start(),
        end=match.end("num"),
        number_start=match.start(),
        number_end=match.end("num"),
        unit_end=match.end("num"),
        numeral=numeral,
        value=parse_number(numeral),
        unit=rules.implicit_units[match.group("noun")],
        kind="count",
    )


# --- exclusions ---------------------------------------------------------------------------------


def is_excluded(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """Whether the mention is a date, ordinal, name, slogan, code or frequency, not a metric."""
    # A plain loop: any() over a generator costs a tenth of the whole scan here.
    for check in EXCLUSIONS:  # noqa: SIM110
        if check(text, m, rules, bounds):
            return True
    return False


def _glued_into_word(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """A numeral that the segmenter reads as part of a longer word (统一个, 一成不变).

    The word may start at a qualifier (近三成) and the measure word may be glued to the
    next character (11 个区): the segmenter does both, and neither makes a name.
    """
    if m.unit in rules.multiple_units:
        return False  # 翻两番 is one word to the segmenter, and a multiple all the same
    if not (bounds.is_start(m.number_start) or bounds.is_start(m.start)):
        return True
    unit_start = m.unit_end - len(m.unit)
    return not (bounds.is_end(m.unit_end) or bounds.is_start(unit_start))


def _ordinal(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """第二次, 十九届三中全会, 十七届人大三次会议: ordinals and parts of a meeting's name."""
    before = text[max(0, m.number_start - 2) : m.number_start]
    if before.endswith(rules.ordinal_before):
        return True
    if m.unit not in rules.frequency_units:
        return False
    return "届" in text[max(0, m.number_start - rules.name_before_max) : m.number_start]


def _inside_title(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """Inside 《…》: part of a document's title (《三年行动计划》)."""
    window_start = max(0, m.number_start - QUOTE_WINDOW)
    return rules.open_title.search(text, window_start, m.number_start) is not None


def _short_quote(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """Inside a short quoted phrase (“十四五”, “三化”): a name or a slogan."""
    window_start = max(0, m.number_start - QUOTE_WINDOW)
    opened = rules.open_quote.search(text, window_start, m.number_start)
    if opened is None:
        return False
    closing = rules.close_quote.search(text, m.number_start, m.number_start + QUOTE_WINDOW)
    if closing is None:
        return False
    return closing.start() - opened.start() - 1 <= rules.slogan_quote_max


def _slogan_joined(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """Numbers joined by + or > are names of schemes (1+8, 10+1, 1+1>2)."""
    before = text[m.number_start - 1 : m.number_start] if m.number_start else ""
    after = text[m.number_end : m.number_end + 1]
    return bool(before and before in rules.slogan_joiners) or bool(
        after and after in rules.slogan_joiners
    )


def _code_or_phone(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    if rules.phone_before.search(text, max(0, m.number_start - PHONE_WINDOW), m.number_start):
        return True
    previous = text[m.number_start - 1 : m.number_start] if m.number_start else ""
    return (previous.isascii() and previous.isalnum()) or _has_code_digits(m.numeral)


def _has_code_digits(numeral: str) -> bool:
    """At least CODE_DIGITS digits in a row (a shorter numeral cannot hold them: most are not
    searched)."""
    return len(numeral) >= CODE_DIGITS and CODE_RUN.search(numeral) is not None


def _frequency(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """每年一次, 五年一次: a rule of frequency, not a count of events."""
    if m.unit not in rules.frequency_units:
        return False
    before = text[_clause_start(text, m.start, rules) : m.number_start]
    return any(p.search(before) for p in rules.frequency)


def _time_not_outcome(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """A duration is a metric only as an outcome (办理时间压缩至3个工作日), not as time (三天后)."""
    if m.kind != "duration":
        return False
    if text.startswith(rules.time_after, m.end):
        return True
    if m.before is not None:
        return False
    clause_start = _clause_start(text, m.start, rules)
    head = rules.clause_head.match(text, m.end, m.end + CLAUSE_WINDOW)
    after = head.group() if head else ""
    return not any(
        word in text[clause_start : m.start] or after.startswith(word)
        for word in rules.outcome_words
    )


def _determiner(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """A bare 一 before a measure word is the article (一个部门统筹), not a count; after the post
    it counts (部长一名, 其中一名兼任…) it is a count."""
    if m.numeral not in rules.determiners or m.approx is not None or m.value_max is not None:
        return False
    if m.unit in rules.multiple_units:
        return False  # 翻一番, 扩大一倍: a multiple, never the article
    return not _counts_one(text, m, rules)


def _counts_one(text: str, m: Mention, rules: Rules) -> bool:
    """`部长一名,` / `编制一名。` / `(其中一名…)`: 一名 closing the phrase of the post it counts."""
    if m.unit not in rules.determiner_units:
        return False
    if text.endswith(rules.determiner_before, 0, m.start):
        return True
    following = text[m.end : m.end + 1]
    return _is_cjk(text[m.start - 1 : m.start]) and (
        not following or following in rules.determiner_after
    )


def _name_after(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """十二届五次全会: a count glued to a meeting name is part of the name."""
    return text.startswith(rules.name_words_after, m.unit_end) and is_chinese_numeral(m.numeral)


def _slogan_count(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """`三个突出`, `四个集中`: a Chinese numeral + 个 + a bare verb ending the phrase is a slogan."""
    if m.unit != "个" or not is_chinese_numeral(m.numeral):
        return False
    words = bounds.words(text, m.end, min(len(text), m.end + SLOGAN_LOOKAHEAD))
    if not words:
        return False
    first_end = words[0][1]
    tag = dictionary_tags().get(text[m.end : first_end], "")
    after = text[first_end : first_end + 1]
    ends_phrase = not after or not (after.isalnum() or after in "“‘「『")
    return tag in SLOGAN_TAGS and ends_phrase


def _office_name(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """`立法二处`, `综合一科`: a numbered office, not a count of offices."""
    if m.unit not in rules.name_units or not is_chinese_numeral(m.numeral) or m.approx:
        return False
    if DECIMAL_POINT in m.numeral:
        return False  # 一点二所: an average, and no office is numbered with a decimal
    previous = text[m.start - 1 : m.start] if m.start else ""
    after = text[m.end : m.end + 1]
    return _is_cjk(previous) and not _is_cjk(after)


def _category_label(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """`公益二类593个`, `公益一类事业单位`: a numbered class glued to the noun it divides, or
    heading the count that follows it, names a category; it counts nothing itself."""
    if m.unit not in rules.category_units or not is_chinese_numeral(m.numeral) or m.approx:
        return False
    if text[m.end : m.end + 1].isdigit():
        return True
    previous = bounds.words(text, max(0, m.start - CATEGORY_NOUN_WINDOW), m.start)
    if not previous or previous[-1][1] != m.start:
        return False
    word = text[previous[-1][0] : m.start]
    return len(word) > 1 and dictionary_tags().get(word, "").startswith("n")


def _arabic_only(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """`两度`, `三度` are times (twice, three times); 度 as kilowatt-hours is written in digits."""
    return m.unit in rules.arabic_only_units and is_chinese_numeral(m.numeral)


def _states_no_figure(text: str, m: Mention, rules: Rules, bounds: Boundaries) -> bool:
    """A unit that opens a noun (十亿人口), a rank (排名提升7位), a phase (三期扩建), a pointer
    back (这四条), a political formula (八项规定), a size class (5万吨以上的企业, 60万吨…项目)."""
    lex = rules.not_metrics
    if lex is None:
        return False
    unit_start = m.unit_end - len(m.unit)
    if m.unit and text.startswith(lex.unit_words, unit_start):
        return True
    if _bounds_a_class(text, m, lex) or _is_word_not_figure(text, m, lex):
        return True
    if m.unit in lex.rank_units and _ranks(
        text[_clause_start(text, m.start, rules) : m.number_start], lex
    ):
        return True
    if is_chinese_numeral(m.numeral) and _named_by_chinese_count(text, m, lex):
        return True
    return m.kind == "amount" and _size_class(text, m, lex)


def _ranks(clause: str, lex: NotMetrics) -> bool:
    """`排名提升7位`, `居全省第3位`: the clause before a rank unit speaks of a rank."""
    return any(word in clause for word in lex.rank_words) or clause.endswith(lex.rank_leads)


# The exclusions, in the order they are tried: the result is whether any holds, so the order
# only sets the cost. Those that hold most often (一个 as an article: one mention in eight; a
# numeral inside a word) and the cheap ones come first, the slow ones (a look at the clause
# before, at the word after) last; counted on the 93 reports of the speed benchmark.
EXCLUSIONS: tuple[Check, ...] = (
    _determiner,
    _glued_into_word,
    _short_quote,
    _ordinal,
    _arabic_only,
    _office_name,
    _category_label,
    _frequency,
    _slogan_joined,
    _inside_title,
    _name_after,
    _code_or_phone,
    _slogan_count,
    _states_no_figure,
)


def _bounds_a_class(text: str, m: Mention, lex: NotMetrics) -> bool:
    """`占比超过10%的有44种`, `超千亿元县`, `5000万元以上项目`, `0—6岁儿童`: the figure bounds a
    class of things that a later figure counts, or names an age group."""
    if text.startswith(lex.class_tails, m.end):
        return True
    following = text[m.end : m.end + 1]
    if m.unit in lex.age_units and _is_cjk(following) and following not in "左以及":
        return True
    if m.approx is None or m.kind == "percent":
        return False
    if following != "的" and m.kind != "amount":
        return False  # 千余家企业: a count's measure word already names what it counts
    head = m.end + (following == "的")
    return text.startswith(lex.class_heads, head)


def _is_word_not_figure(text: str, m: Mention, lex: NotMetrics) -> bool:
    """`抓好两头`, `四分之一世纪`, `最近一个时期`: numerals inside words and spans."""
    small = is_chinese_numeral(m.numeral) and m.approx is None and m.value <= lex.small_word_max
    if m.unit in lex.small_word_units and small:
        return True
    if "分之" in m.numeral and text.startswith(lex.span_words_after, m.number_end):
        return True
    lead = text[max(0, m.start - 1) : m.number_start]
    return m.numeral == "一" and any(lead.endswith(word) for word in lex.qualifier_words)


def _named_by_chinese_count(text: str, m: Mention, lex: NotMetrics) -> bool:
    if m.unit in lex.phase_units and text.startswith(lex.phase_heads, m.unit_end):
        return True
    if text.endswith(lex.demonstratives, 0, m.start):
        return True
    return m.unit in lex.formula_units and text.startswith(lex.formula_nouns, m.unit_end)


def _size_class(text: str, m: Mention, lex: NotMetrics) -> bool:
    """`5万吨以上的企业`, `10万千瓦及以下机组`, `60万吨赖氨酸等项目`: the amount sizes a class."""
    post = text[m.unit_end : m.end]
    following = text[m.end : m.end + 1]
    if post in lex.size_class_qualifiers and (following == "的" or _is_cjk(following)):
        return True
    return m.unit in lex.capacity_units and lex.capacity_heads.match(text, m.end) is not None


def _is_cjk(char: str) -> bool:
    return bool(char) and "\u4e00" <= char <= "\u9fff"


def _clause_start(text: str, offset: int, rules: Rules) -> int:
    """Where the clause holding `offset` starts (looking back at most CLAUSE_WINDOW): after the
    last break before it, as `[^breaks]*$` finds it (`$` also matches before a final line
    break), found by one scan of the window read backwards instead of a try at every position."""
    low = max(0, offset - CLAUSE_WINDOW)
    stop = offset - 1 if offset > low and text[offset - 1] == "\n" else offset
    last = rules.clause_break.search(text[low:stop][::-1])
    return stop - last.start() if last else low
