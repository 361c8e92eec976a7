"""The `cnpolicy_metrics` spaCy component: whole metrics (value, unit, qualifier, change, subject,
place, indicator) from a document's text, as spans in `doc.spans["metrics"]`.

`find_metrics` is the pure core (text in, `Metric` records out); the component feeds it the Doc's
word boundaries, region and sections. Mentions: extract/mentions.py; subjects: extract/subjects.py.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from cnpolicy.abbreviations import places_in
from cnpolicy.extract.extensions import METRICS_KEY, register_extensions
from cnpolicy.extract.mentions import (
    Boundaries,
    Mention,
    Rules,
    load_rules,
    scan_mentions,
)
from cnpolicy.extract.offsets import TokenOffsets
from cnpolicy.extract.place_scopes import find_place_scopes
from cnpolicy.extract.scopes import find_recipient, find_scope
from cnpolicy.extract.segmenting import segmenter
from cnpolicy.extract.subject_context import (
    beneficiary,
    complete_rate,
    distribute,
    is_bare_rate,
    load_phrase_words,
    meeting_of,
    one_side,
    with_level,
)
from cnpolicy.extract.subjects import (
    PERSON_UNITS,
    Before,
    is_generic,
    is_noun_phrase,
    is_time,
    listed_things,
    subject_after,
    subject_before,
)
from cnpolicy.extract.words import Lexicon, Words, category_of, load_lexicon
from cnpolicy.gazetteer import (
    OWN_PLACE,
    Gazetteer,
    PlaceMention,
    contains,
    load_gazetteer,
    nation_region,
)
from cnpolicy.indicators import Taxonomy, load_taxonomy
from cnpolicy.records import Metric, MetricKind, Region, Section

__all__ = ["MetricsComponent", "find_metrics", "make_metrics"]

# How far before the number (characters) a subject is looked for: the longest gold subjects
# with their clause's lead-in run to about 30 characters; beyond that is another thought.
MAX_BEFORE_CHARS = 40
# The longest sentence-opening noun phrase that heads the figures after it (每百元工业固定资产
# 净值提供的税收利润, 18 characters, in a real work report); a longer opening clause is a statement.
MAX_LEAD_CLAUSE_CHARS = 24
# What such a heading opens with: a noun, a demonstrative (这个比重), a distinguishing word or an
# adjective (全社会研发经费), or 每 (每百元…); a verb, adverb, preposition or quotation mark opens
# something else; a time word (今年…) is dropped first.
LEAD_CLAUSE_OPENERS = frozenset({"n", "r", "b", "a"})
LEAD_CLAUSE_WORDS = frozenset({"每"})
# How far after the measure word: the longest noun phrases after it run to about 20.
MAX_AFTER_CHARS = 30
# How far into a clause a place name may start and still be what the clause is about
# (廉江市设立…, 其中汕尾市…): 3 characters leave room for 其中/在/各 before it.
PLACE_AT_CLAUSE_START = 3
# 在全省率先…, 在全省评价中: the province is the frame the document's own place acts in; so is
# the benchmark of a comparison (高于全国…: the lexicon's comparison words).
FRAME_BEFORE_OWN_PLACE = ("在", "居", "位居", "列")
# 全国性, 全省性: an own-place word before this is an adjective (national-level), not a place.
NAME_SUFFIX = "性"
# A place followed by these before the figure is one of a list of places being counted
# (在翠屏区、南溪区、江安县3个县(区)…), not the place the clause is about.
PLACE_LIST_MARKS = ("、", "等")
# A clause that is only 分别 and a verb (,分别增长 / 分别为 / 分别达到) after a list of figures.
# A comparison (比上年) or 实际 may stand around 分别, and a computation qualifier (扣除价格因素)
# may make a clause of its own before it (…2936元,扣除价格因素,分别实际增长7.7%和6.8%).
RESPECTIVE = re.compile(
    r"^[,，;；\s]*(?:比上年|同比|较上年)?分别(?:比上年|同比|较上年)?(?:实际)?[\u4e00-\u9fff]{0,2}$"
)
# What joins the figures of a list (A 5个、B 3个; 32.9%、41.6%; 8%和5%).
LIST_JOINS = ("、", "和", "及")
# The longest verb phrase closing a clause after counted people (PERSON_UNITS): 领取养老金 has
# 5 characters, 受益 and 参保 2; a longer one is a clause with a thing of its own.
MAX_ACTION_CHARS = 5
# How far before a figure its governing verb is looked for (规划3条…: the word just before it;
# verbs run to 4 characters).
MAX_LEAD_WORD_CHARS = 4
# Units of money: a verb phrase after an amount says what it is for (900亿元支持项目建设).
MONEY_UNITS = frozenset({"元", "美元", "欧元"})
# Clause breaks that also join the figures of a list a bare 分别 clause takes up.
CLAUSE_JOINS = (",", "，")
# `下沉到县(区)一线的约占68%`: a share of the thing counted before (its relative clause + it).
SHARE_OF = "占"
# A clause ending in this right before the number qualifies what the number counts (需转隶的34个单位).
RELATIVE_MARK = "的"
# What ends a paragraph: a figure in a paragraph that opens with a place is about that place.
PARAGRAPH_BREAK = "\n"
# The most of a sentence a metric keeps as its context (`Metric.sentence`): sentences of the
# real reports run to about 200 characters, so a normal sentence is kept whole; a longer
# stretch (a PDF table, a list without 。) is cut to a window around the mention, at clause
# breaks, so output grows with the text, not with its square.
MAX_CONTEXT_CHARS = 300
# The longest line read as a table row: rows of the reports' tables hold a few dozen cells of
# short figures; a longer "row" is a dump of figures, and reading it per figure is quadratic.
MAX_ROW_CHARS = 2000
# Characters that continue a division's name past a shorter one (区镇, 区、县(市), 县市区).
DIVISION_GLUE = "、(市县区镇乡街道旗"
# Between the cells of a table row (ingest writes table rows as tab-separated lines).
CELL_BREAK = "\t"
# A unit note closing a column header (执法队员(名)): not part of what the column counts.
UNIT_NOTE = re.compile(r"[(（][^()（）]{1,6}[)）]$")
# Section titles longer than this are headings of prose, not a place heading.
MAX_PLACE_HEADING = 12
# 的X中 / 当中 / 之中 closing a clause: a topic (新设置的机构中, …事业单位当中) for the sentence.
TOPIC_CLAUSE = re.compile(r"(?:的(?P<head>[\u4e00-\u9fff]{1,6}?)(?<![当之])中|当中|之中)$")
# What may stand between two values of one list (48个、67个和139个).
LIST_JOINERS = frozenset({"、", "和", "及", "与", ",", "以及"})
# A carried subject that is itself a class (公益类事业单位) gives its classes only what follows
# this mark (公益一类 + 事业单位), not a second class name.
CLASS_MARK = "类"
NO_BEFORE = Before(None)
# What may stand between a count and the milestone it counts (连跨两个万亿元台阶, 3个千亿级新台阶).
MILESTONE_SIZE = r"[十百千万亿]*(?:元|美元)?级?新?"
KINDS: dict[str, MetricKind] = {
    "count": "count",
    "percent": "percent",
    "amount": "amount",
    "duration": "amount",
    "change": "change",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What the component knows about the document besides its text."""

    region: Region | None = None
    sections: tuple[Section, ...] = ()


@dataclass(slots=True)
class SentenceState:
    """Carried from one metric to the next inside a sentence."""

    limit: int
    subject: str | None = None
    topic: str | None = None
    distributed: tuple[str, int] | None = None
    listed: list[str] = field(default_factory=list)  # subjects of a list of figures so far
    respective: tuple[list[str], int] | None = None  # 分别 after that list: which one is next
    side: int = -1  # the side (存款 0, 贷款 1) the last figure gave a pair word (存贷款); -1 none
    last_end: int = -1
    topics: list[tuple[int, str]] = field(default_factory=list)
    level_topic: str | None = None
    actions: list[str] = field(default_factory=list)
    action_index: int = 0
    sentence: str = ""


def jieba_boundaries(text: str) -> Boundaries:
    """Word boundaries from a jieba pass with our user dictionary (when no Doc is at hand)."""
    spans = segmenter().spans(text)
    return Boundaries([s for s, _ in spans], [e for _, e in spans])


def segment(text: str) -> list[str]:
    """jieba's words for a short phrase, segmented as the pipeline does."""
    return segmenter().cut(text)


def find_metrics(
    text: str, *, context: Context | None = None, bounds: Boundaries | None = None
) -> list[Metric]:
    """Every metric in the text, in order; offsets index `text`."""
    context = context or Context()
    bounds = bounds or jieba_boundaries(text)
    rules, lexicon, taxonomy = load_rules(), load_lexicon(), load_taxonomy()
    mentions = scan_mentions(text, rules, bounds)
    extractor = _Extractor(text, context, bounds, rules, lexicon, taxonomy)
    found = []
    for index, mention in enumerate(mentions):
        following = mentions[index + 1] if index + 1 < len(mentions) else None
        extractor.next_start = following.start if following else None
        found.append(extractor.metric(mention))
    return found


@lru_cache(maxsize=8)
def _break_pattern(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{re.escape(chars)}]")


@lru_cache(maxsize=2)
def _level_pattern(levels: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in levels))


def _break_offsets(text: str, chars: str) -> list[int]:
    """Offsets of every break character, in order (one regex pass per text)."""
    return [m.start() for m in _break_pattern(chars).finditer(text)]


def _around(breaks: list[int], offset: int, low: int, high: int) -> tuple[int, int]:
    """The stretch between the breaks around `offset`, kept within [low, high]."""
    index = bisect.bisect_left(breaks, offset)
    start = breaks[index - 1] + 1 if index else 0
    end = breaks[index] if index < len(breaks) else high
    return max(start, low), min(end, high)


class _Extractor:
    """Builds Metric records for mentions in text order, keeping per-sentence state."""

    def __init__(
        self,
        text: str,
        context: Context,
        bounds: Boundaries,
        rules: Rules,
        lexicon: Lexicon,
        taxonomy: Taxonomy,
    ):
        self.text = text
        self.context = context
        self.bounds = bounds
        self.rules = rules
        self.lexicon = lexicon
        self.taxonomy = taxonomy
        self.gazetteer: Gazetteer = load_gazetteer()
        self.sentence_breaks = _break_offsets(text, rules.sentence_breaks)
        self.clause_breaks = _break_offsets(text, rules.clause_breaks)
        self.places: Sequence[PlaceMention] = places_in(text)
        self.place_starts = [place.start for place in self.places]
        self.section_places = self._place_sections()
        self.paragraph_breaks = _break_offsets(text, PARAGRAPH_BREAK)
        self.paragraph_places: dict[int, Region | None] = {}
        self.table_headers: dict[int, int] = {}
        pattern = _level_pattern(lexicon.level_words)
        self.levels = [(match.start(), match.group()) for match in pattern.finditer(text)]
        self.level_starts = [start for start, _ in self.levels]
        self.sentence_start = -1
        self.state = SentenceState(limit=0)
        self.next_start: int | None = None
        self.admin_units = sorted(lexicon.admin_units, key=len, reverse=True)
        milestones = "|".join(map(re.escape, sorted(lexicon.milestones, key=len, reverse=True)))
        self.milestone_next = re.compile(rf"{MILESTONE_SIZE}(?:{milestones})")
        self.milestones = tuple(lexicon.milestones)

    # --- text structure ---------------------------------------------------------------------

    def _sentence_bounds(self, offset: int) -> tuple[int, int]:
        return _around(self.sentence_breaks, offset, 0, len(self.text))

    def _context(self, m: Mention, sent_start: int, sent_end: int) -> str:
        """The sentence around the mention, cut to a window of MAX_CONTEXT_CHARS at clause breaks."""
        if sent_end - sent_start <= MAX_CONTEXT_CHARS:
            return self.text[sent_start:sent_end].strip()
        margin = max(0, (MAX_CONTEXT_CHARS - (m.end - m.start)) // 2)
        low = max(sent_start, m.start - margin)
        high = min(sent_end, m.end + margin)
        breaks = self.clause_breaks
        first = bisect.bisect_left(breaks, low)
        start, end = low, high
        if low > sent_start and first < len(breaks) and breaks[first] < m.start:
            start = breaks[first] + 1
        last = bisect.bisect_left(breaks, high) - 1
        if high < sent_end and last >= 0 and breaks[last] >= m.end:
            end = breaks[last]
        return self.text[start:end].strip()

    def _clause_bounds(self, offset: int, low: int, high: int) -> tuple[int, int]:
        return _around(self.clause_breaks, offset, low, high)

    def _words(self, start: int, end: int) -> Words:
        return Words(self.bounds.texts(self.text, start, end), self.lexicon)

    # --- one metric -------------------------------------------------------------------------

    def metric(self, m: Mention) -> Metric:
        sent_start, sent_end = self._sentence_bounds(m.start)
        if sent_start != self.sentence_start:
            self.sentence_start = sent_start
            self.state = SentenceState(limit=sent_start)
            self.state.topics = self._topics(sent_start, m.start)
        self.state.sentence = self._context(m, sent_start, sent_end)
        clause_start, _ = self._clause_bounds(m.start, sent_start, sent_end)
        _, after_end = self._clause_bounds(max(m.end - 1, m.start), sent_start, sent_end)
        # A clause without breaks (figures separated by spaces) is read within the context window.
        clause_start = max(clause_start, m.start - MAX_CONTEXT_CHARS // 2)
        after_end = min(after_end, m.end + MAX_CONTEXT_CHARS // 2)
        subject, limit = self._subject(m, clause_start, max(after_end, m.end))
        subject = self._column_header(m) or subject
        kind = KINDS["change" if m.before is not None else m.kind]
        before_text = self.text[clause_start : m.number_start]
        after_text = self.text[m.end : max(after_end, m.end)]
        action = self._listed_action(m, before_text) or self.taxonomy.find_action(
            before_text, after_text, subject
        )
        clause_text = self.text[clause_start : max(after_end, m.end)]
        level = self._level(sent_start, m.end)
        recipient = find_recipient(clause_text)
        self._list_figures(m, subject)
        self.state.limit, self.state.last_end = limit, m.end
        return Metric(
            text=self.text[m.start : m.end],
            start=m.start,
            end=m.end,
            sentence=self.state.sentence,
            value=m.value,
            unit=m.unit,
            kind=kind,
            value_max=m.value_max,
            before=m.before,
            approx=m.approx,
            subject=subject,
            action=action,
            level=level,
            region=self._region(m, clause_start, sent_start),
            scope=find_scope(self.text[sent_start : m.number_start], level, recipient),
            recipient=recipient,
            indicator=self.taxonomy.assign(
                subject=subject,
                action=action,
                unit=m.unit,
                kind=kind,
                context=clause_text,
                sentence=self.state.sentence,
            ),
        )

    def _subject(self, m: Mention, clause_start: int, after_end: int) -> tuple[str | None, int]:
        state = self.state
        percent = m.kind == "percent"
        after, used_end = None, m.end
        if m.before_end is not None:
            after, _ = subject_after(self._words(m.before_end, m.number_start), unit=m.unit)
        if after is None and not percent:
            after, used_end = self._after(m, after_end)
            if self._divisions_counted(after, after_end) != after:
                after = self._divisions_counted(after, after_end)
                used_end = self.text.find(after or "", m.end) + len(after or "")
        if after and after.endswith(self.milestones):  # 迈上万亿元台阶: reached, not counted
            after, used_end = None, m.end
        before = NO_BEFORE
        window = max(clause_start, state.limit, m.start - MAX_BEFORE_CHARS)
        if after is None or is_generic(after, self.lexicon):
            before = subject_before(
                self._words(window, m.start),
                kind=m.kind,
                unit=m.unit,
                topic=self._topic(m),
                milestone=m.kind == "count"
                and self.milestone_next.match(self.text, m.end) is not None,
            )
        elif self.text[window : m.start].endswith(RELATIVE_MARK):
            before = subject_before(self._words(window, m.start), kind=m.kind, unit=m.unit)
            if not (before.relative and self._opens_with_verb(before.relative, after)):
                before = NO_BEFORE
        after = self._completed_after(m, after, window)
        if after is None and percent and before.subject is None and not before.distributed:
            after, used_end = self._after(m, after_end, percent=True)
        subject = after
        carried = state.subject or self._topic(m)
        if after and before.relative:
            subject = before.relative + after
        elif not after:
            subject = carried if before.elided and carried else before.subject
        distributed = before.distributed
        if subject is None and (distributed or self._is_bare_respective(clause_start, m)):
            subject = self._earlier_list(clause_start)
            distributed = distributed or subject is not None
        subject = self._distribute(m, subject, distributed)
        opens = not after and self._is_bare_respective(state.last_end, m)
        subject = self._respective(m, opens) or subject
        if subject is None and not after and not before.distributed:
            subject = self._people_acting(m, after_end)
        if subject is None and carried:
            subject = with_level(before.level, carried, self.lexicon) if before.level else carried
        if subject is None and not after:
            subject = self._lead_clause(m) or self._previous_clause(m, clause_start)
        share_of = SHARE_OF in self.text[m.start : m.number_start]
        if share_of and before.relative and carried:
            subject = before.relative + carried
        if before.rate_verb and subject and not subject.endswith(before.rate_verb):
            subject += before.rate_verb
        if is_bare_rate(subject, self.lexicon):
            # 精简比例 names no thing: it takes the one just counted, which stays carried
            subject = complete_rate(subject, state.subject, self.lexicon)
            return self._with_level_topic(subject), max(used_end, m.end)
        state.subject = subject.removesuffix(before.rate_verb or "\0") if subject else None
        if subject and self._is_category(subject):
            base = carried.rpartition(CLASS_MARK)[2] if carried else None
            if base and base not in subject:
                subject = subject + base  # 其中公益一类1203个、其他50个
            state.subject = carried  # a class is not what later figures count
        subject = self._with_level_topic(subject)
        return self._one_side(m, subject), max(used_end, m.end)

    def _one_side(self, m: Mention, subject: str | None) -> str | None:
        """`存贷款余额分别达38万亿元、29万亿元`, `事故起数和死亡人数分别下降5%、3%`: two figures
        in a row after a pair word (存贷款) or a pair (A和B) take one side each (存款余额, 贷款余额;
        A, B); a single figure keeps it whole."""
        state = self.state
        gap = self.text[state.last_end : m.start].strip() if state.last_end >= 0 else None
        if state.side >= 0 and gap in LIST_JOINS and subject:
            state.side += 1
            side = one_side(subject, state.side, segment)
            if side:
                return side
        state.side = -1
        if subject is None or self.next_start is None or state.distributed:
            return subject  # an item of a list (城乡居民基础养老金、低保标准) is one thing
        if self.text[m.end : self.next_start].strip() not in LIST_JOINS:
            return subject
        side = one_side(subject, 0, segment)
        if side:
            state.side = 0
        return side or subject

    def _is_bare_respective(self, start: int, m: Mention) -> bool:
        """`,分别增长`, `,扣除价格因素,分别实际增长`: from `start` to the number, only 分别 and a
        verb (computation qualifiers aside)."""
        gap = self.text[start : m.number_start]
        for qualifier in load_phrase_words().qualifier_clauses:
            gap = gap.replace(qualifier, "")
        return RESPECTIVE.match(gap) is not None

    def _people_acting(self, m: Mention, clause_end: int) -> str | None:
        """`1334万人参保`, `641万人领取养老金`, `5700多万人受益`: people counted by what they do,
        a short verb phrase closing the clause after them, are the subject (not a thing the
        sentence counted before)."""
        if m.unit not in PERSON_UNITS:
            return None
        rest = self.text[m.end : clause_end].strip()
        if not rest or len(rest) > MAX_ACTION_CHARS:
            return None
        words = self._words(m.end, m.end + len(rest))
        if words.cats[0] != "v" or any(cat in ("w", "m") for cat in words.cats):
            return None
        return "".join(words.items)

    def _earlier_list(self, clause_start: int) -> str | None:
        """`化学需氧量、二氧化硫排放总量首次出现双下降,比上年分别下降3%和4%`: a clause of only
        分别 takes the list of things of the clause before it, in the same sentence."""
        before = self._clause_before(clause_start)
        if before is None:
            return None
        start, end = before
        if self.state.last_end > start:
            return None  # a figure stands in that clause: its list was of figures, not things
        return listed_things(self._words(start, end))

    def _clause_before(self, clause_start: int) -> tuple[int, int] | None:
        """The bounds of the clause before the one starting at `clause_start`, in the same
        sentence; None when that clause opens the sentence."""
        if clause_start - 1 <= self.sentence_start:
            return None
        return self._clause_bounds(clause_start - 2, self.sentence_start, clause_start - 1)

    def _previous_clause(self, m: Mention, clause_start: int) -> str | None:
        """`预算外资金也大幅度增加,一九八五年达到一千四百三十亿元`: a clause that names nothing
        before its figure measures what the clause just before it, without a figure and ending
        in a change verb, said changed."""
        before = self._clause_before(clause_start)
        if before is None:
            return None
        words = self._words(*before)
        if not words.items or any(cat == "m" for cat in words.cats):
            return None  # a figure or a number of its own: not a statement about one thing
        if words.items[-1] not in self.lexicon.change_verbs:
            return None  # only a change said of a thing (…也大幅度增加) carries it over
        return subject_before(words, kind=m.kind, unit=m.unit).subject

    def _lead_clause(self, m: Mention) -> str | None:
        """`工农业总产值,比1980年预计增长5.5%`, `这个比重,1978年为17.4%`: a sentence opening with
        a bare noun phrase names what the figures of its later clauses measure."""
        sent_start = self.sentence_start
        _, end = self._clause_bounds(sent_start, sent_start, m.start)
        if end >= m.start or end - sent_start > MAX_LEAD_CLAUSE_CHARS:
            return None
        words = self._words(sent_start, end)
        if len(words.items) > 1 and is_time(words.items[0]):
            words = Words(words.items[1:], self.lexicon)  # 今年中央财政用于教育的投入: when
        if not words.items or any(char.isdigit() for char in "".join(words.items)):
            return None
        opener = words.cats[0] in LEAD_CLAUSE_OPENERS or words.items[0] in LEAD_CLAUSE_WORDS
        if not opener or not is_noun_phrase(words):
            return None  # 实践表明, 根据需要…, “五五”末期: a statement, condition or time
        before = subject_before(words, kind=m.kind, unit=m.unit)
        return before.subject

    def _opens_with_verb(self, relative: str, after: str) -> bool:
        """`从事生产经营活动的`: a clause led by its verb and its object qualifies the counted
        noun; a bare verb (划转的, 原有的) or a noun with a relative of its own does not."""
        words = segment(relative.removesuffix(RELATIVE_MARK))
        verb_led = len(words) > 1 and category_of(words[0], self.lexicon) == "v"
        return verb_led and RELATIVE_MARK not in after

    def _completed_after(self, m: Mention, after: str | None, window: int) -> str | None:
        """`为X增加30名编制` → X编制; `县委编委会召开4次会议` → 县委编委会会议."""
        listed = load_phrase_words()
        if after in self.lexicon.head_nouns and any(
            p in self.text[window : m.start] for p in listed.beneficiaries
        ):
            words = self._words(window, m.start)
            receiver = beneficiary(words)
            if receiver and receiver[1] == len(words.items):
                return receiver[0] + after
        if m.unit in self.lexicon.event_units and after == listed.meeting_head:
            return meeting_of(self._words(window, m.start)) or after
        return after

    def _after(
        self, m: Mention, after_end: int, *, percent: bool = False
    ) -> tuple[str | None, int]:
        """The noun phrase after the unit, and where it ends."""
        words = self._words(m.end, min(after_end, m.end + MAX_AFTER_CHARS))

        def object_count() -> bool:
            lead = self._words(max(self.sentence_start, m.start - MAX_LEAD_WORD_CHARS), m.start)
            return bool(lead.cats) and lead.cats[-1] == "v" and m.unit not in MONEY_UNITS

        after, used = subject_after(words, unit=m.unit, percent=percent, object_count=object_count)
        return after, (m.end + len("".join(words.items[:used]))) if after else m.end

    def _divisions_counted(self, after: str | None, clause_end: int) -> str | None:
        """`7个县(市、区)党政机构总数由…减少到…`, `14个县(市、区)和开发区`: a count of divisions
        followed by what a later figure of the clause counts, or by another thing joined to
        them, counts the divisions alone."""
        if after is None:
            return None
        head = next((unit for unit in self.admin_units if after.startswith(unit)), None)
        if head is None or head == after or after[len(head)] in DIVISION_GLUE:
            return after  # 区镇, 区、县(市), 县市区: the divisions' name goes on
        joined = after[len(head)] in self.lexicon.conjunctions
        figure_follows = self.next_start is not None and self.next_start < clause_end
        return head if joined or figure_follows else after

    def _column_header(self, m: Mention) -> str | None:
        """A table cell that holds only the figure (`146项`) counts what its column's header names
        (`承接执法事项`); the row's label is where, not what."""
        start, end = _around(self.paragraph_breaks, m.start, 0, len(self.text))
        if end - start > MAX_ROW_CHARS or CELL_BREAK not in self.text[start:end]:
            return None
        column = self.text[start : m.start].count(CELL_BREAK)
        cells = self.text[start:end].split(CELL_BREAK)
        if cells[column].strip() != self.text[m.start : m.end]:
            return None
        header = self._table_header(start)
        if header == start or column >= len(headers := self._cells(header)):
            return None
        name = UNIT_NOTE.sub("", headers[column]).strip()
        return name if name and not any(char.isdigit() for char in name) else None

    def _table_header(self, row_start: int) -> int:
        """The first row of the table (its block of tab-separated lines) holding `row_start`."""
        if row_start not in self.table_headers:
            first = row_start
            while first > 0 and first not in self.table_headers:
                previous = _around(self.paragraph_breaks, first - 1, 0, len(self.text))[0]
                if CELL_BREAK not in self.text[previous : first - 1]:
                    break
                first = previous
            self.table_headers[row_start] = self.table_headers.get(first, first)
        return self.table_headers[row_start]

    def _cells(self, row_start: int) -> list[str]:
        end = _around(self.paragraph_breaks, row_start, 0, len(self.text))[1]
        return self.text[row_start:end].split(CELL_BREAK)

    def _listed_action(self, m: Mention, before_text: str) -> str | None:
        """The i-th action of `撤销、整合、保留X分别为A、B和C` for the i-th value of the list."""
        state = self.state
        between = self.text[state.last_end : m.start].strip() if state.last_end >= 0 else ""
        if state.actions and between and between in LIST_JOINERS:
            state.action_index += 1
            index = state.action_index
            return state.actions[index] if index < len(state.actions) else None
        listed = self.taxonomy.action_list(before_text) if "分别" in before_text else []
        state.actions, state.action_index = listed, 0
        return listed[0] if listed else None

    def _is_category(self, subject: str) -> bool:
        """`公益一类`, `其他`: a class of what the sentence counts, not a thing of its own."""
        return self.lexicon.category_label.search(subject) is not None

    def _with_level_topic(self, subject: str | None) -> str | None:
        """A clause that is only `市级层面` puts its level on the sentence's subjects."""
        level = self.state.level_topic
        if not subject or not level or subject.startswith(self.lexicon.level_words):
            return subject
        return level + subject

    def _respective(self, m: Mention, opens: bool) -> str | None:
        """`接待游客17.52亿人次、旅游花费1.27万亿元,分别增长32.9%、41.6%`: figures after a bare
        分别 take, in order, the subjects of the list of figures before it."""
        state = self.state
        gap = self.text[state.last_end : m.start].strip() if state.last_end >= 0 else ""
        if opens and len(state.listed) > 1:
            state.respective = (state.listed, 0)
            return state.listed[0]
        if state.respective and gap in LIST_JOINS:
            listed, index = state.respective
            if index + 1 < len(listed):
                state.respective = (listed, index + 1)
                return listed[index + 1]
        state.respective = None
        return None

    def _list_figures(self, m: Mention, subject: str | None) -> None:
        """Remember the subjects of a list of figures (A 5个、B 3个) for a 分别 after it."""
        state = self.state
        if state.respective:
            return
        gap = self.text[state.last_end : m.start] if state.last_end >= 0 else ""
        # 城镇居民收入9422元,农村居民收入2936元,分别…: older reports list figures with commas
        joined = gap.lstrip().startswith((*LIST_JOINS, *CLAUSE_JOINS)) and bool(state.listed)
        state.listed = (
            [*state.listed, subject] if joined and subject else ([subject] if subject else [])
        )

    def _distribute(self, m: Mention, subject: str | None, distributed: bool) -> str | None:
        state = self.state
        joined = state.last_end >= 0 and self.text[state.last_end : m.start].strip() in LIST_JOINS
        if distributed and subject and "、" in subject:
            state.distributed = (subject, 0)
            return distribute(subject, 0, segment, self.lexicon)
        if state.distributed and joined:
            base, index = state.distributed
            state.distributed = (base, index + 1)
            return distribute(base, index + 1, segment, self.lexicon)
        state.distributed = None
        return subject

    def _topics(self, sent_start: int, first: int) -> list[tuple[int, str]]:
        """Clauses of the sentence that set a topic (新设置的机构中,), with where they end."""
        topics: list[tuple[int, str]] = []
        sentence_end = self._sentence_bounds(first)[1]
        offset = sent_start
        while offset < sentence_end:
            _, end = self._clause_bounds(offset, sent_start, sentence_end)
            clause = self.text[offset:end].strip()
            match = TOPIC_CLAUSE.search(clause)
            if match:
                topics.append((end, match.group("head") or ""))
            if end <= first and clause.endswith(self.lexicon.layer_suffix):
                level = clause.removesuffix(self.lexicon.layer_suffix)
                if level in self.lexicon.level_words:
                    self.state.level_topic = level
            offset = end + 1
        return topics

    def _topic(self, m: Mention) -> str | None:
        for end, head in reversed(self.state.topics):
            if end <= m.start:
                return head or self.state.subject
        return None

    # --- level and region -------------------------------------------------------------------

    def _level(self, sent_start: int, end: int) -> str | None:
        """The last level word (市级, 县级, 镇街 …) in the sentence up to the metric."""
        index = bisect.bisect_right(self.level_starts, end - 1) - 1
        if index < 0 or self.level_starts[index] < sent_start:
            return None
        start, word = self.levels[index]
        return word.removeprefix("各") if start + len(word) <= end else None

    def _region(self, m: Mention, clause_start: int, sent_start: int) -> Region | None:
        """The place the figure is about: a place leading its clause or sentence, else the
        place of its section (a city heading in a round-up), else the document's."""
        default = self.context.region
        within = default.code if default else None
        base = self._paragraph_place(m.start) or self._section_place(m.start) or default
        for start in (clause_start, sent_start):
            head = self.text[start : m.start]
            own = OWN_PLACE.search(head[: PLACE_AT_CLAUSE_START + 2])
            if own and self._in_a_name(start, own):
                own = None
            if own:
                frames = (*FRAME_BEFORE_OWN_PLACE, *self.lexicon.comparison_words)
                framed = head[: own.start()].endswith(frames)
                return base if framed else self._own_place(own.group(), base)
            place = self._place_at(start, m.start, base.code if base else within)
            if place is not None:
                return place
        return base

    def _in_a_name(self, clause_start: int, own: re.Match[str]) -> bool:
        """`新创建全国文明城市13个`, `获全国性评奖`, `第四次全国文物普查`: a 全国/全省 word after
        anything but a lead word (其中, 目前, 去年: the lexicon's leading_junk) or a frame (在),
        or before 性, opens the name of a title or an undertaking the place takes part in, not
        the place the figure is about."""
        if self.text.startswith(NAME_SUFFIX, clause_start + own.end()):
            return True
        lead_end = clause_start + own.start()
        if lead_end == clause_start or self.text[clause_start:lead_end].endswith(
            FRAME_BEFORE_OWN_PLACE
        ):
            return False
        lead = self._words(clause_start, lead_end).items
        return any(word not in self.lexicon.leading_junk for word in lead)

    def _own_place(self, word: str, base: Region | None) -> Region | None:
        """The place a 全省/我市/全国 word means: the nearest place in scope, from the base place
        outwards, of that kind (全市 in a county-level city's report is that city; after a
        city's section, 全省 is the province again)."""
        kind = word[-1]
        if kind == "国":
            return nation_region()
        if base is None or base.code is None:
            return base
        for division in self.gazetteer.outwards(base.code):
            place = self.gazetteer.region(division)
            if (kind == "省" and place.level == "province") or place.name.endswith(kind):
                return place
        return base

    def _place_at(self, start: int, end: int, within: str | None) -> Region | None:
        """A place leading the clause as its agent (廉江市设立…), not one of a list (A、B3个县)."""
        index = bisect.bisect_left(self.place_starts, start)
        for found in self.places[index : index + 1]:
            if found.start - start > PLACE_AT_CLAUSE_START or found.end > end:
                break
            if self.text[start : found.start].endswith(self.rules.object_prepositions):
                return None  # 向柳江区下放…: the place receives, it does not act
            between = self.text[found.end : end]
            if any(mark in between for mark in PLACE_LIST_MARKS):
                return None
            division = self.gazetteer.choose(found.candidates, within=within)
            return self.gazetteer.region(division)
        return None

    def _paragraph_place(self, offset: int) -> Region | None:
        """The place a paragraph opens with as its agent (昆明市聚焦…, in a province's round-up),
        when it lies inside the document's place: every figure of the paragraph is about it."""
        start, end = _around(self.paragraph_breaks, offset, 0, len(self.text))
        if start not in self.paragraph_places:
            self.paragraph_places[start] = self._opening_place(start, end)
        return self.paragraph_places[start]

    def _opening_place(self, start: int, end: int) -> Region | None:
        default = self.context.region
        first_clause_end = self._clause_bounds(start, start, end)[1]
        place = self._place_at(start, first_clause_end, default.code if default else None)
        if place is None or default is None or default.code is None:
            return place
        inside = place.code is not None and contains(default.code, place.code)
        return place if inside else None

    def _section_place(self, offset: int) -> Region | None:
        """The place of the innermost section around the offset whose heading is a place."""
        found: Region | None = None
        for start, end, place in self.section_places:
            if start <= offset < end:
                found = place
        return found

    def _place_sections(self) -> list[tuple[int, int, Region]]:
        """Scopes of place headings (汕尾市, 一、汕尾市:…), innermost last (extract/place_scopes.py)."""
        default = self.context.region
        within = default.code if default else None
        scopes = find_place_scopes(self.text, self.context.sections, self.gazetteer, within)
        return [(scope.start, scope.end, scope.region) for scope in scopes]


# --- the spaCy component ----------------------------------------------------------------------------


class MetricsComponent:
    """Finds metrics in the Doc's text and stores them as spans with `span._.cnpolicy_metric`."""

    def __init__(
        self, nlp: Language, name: str = "cnpolicy_metrics", *, spans_key: str, overwrite: bool
    ):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.overwrite = overwrite
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        tokens = TokenOffsets.of(doc)
        metrics = self.match(doc, tokens)
        self.set_annotations(doc, metrics, tokens)
        return doc

    def match(self, doc: Doc, tokens: TokenOffsets | None = None) -> list[Metric]:
        context = Context(region=doc._.cnpolicy_region, sections=tuple(doc._.cnpolicy_sections))
        text = doc._.cnpolicy_text or doc.text  # doc.text rebuilds the string from tokens
        tokens = tokens or TokenOffsets.of(doc)
        return find_metrics(text, context=context, bounds=Boundaries(tokens.starts, tokens.ends))

    def set_annotations(
        self, doc: Doc, metrics: Sequence[Metric], tokens: TokenOffsets | None = None
    ) -> None:
        spans: list[Span] = []
        tokens = tokens or TokenOffsets.of(doc)
        for metric in metrics:
            found = tokens.expand(metric.start, metric.end)
            if found is None:
                continue
            span = Span(doc, *found)
            span._.cnpolicy_metric = metric
            spans.append(span)
        doc._.cnpolicy_metrics = (
            list(metrics)
            if self.overwrite
            else [
                *(doc._.cnpolicy_metrics or ()),
                *metrics,
            ]
        )
        if self.overwrite or self.spans_key not in doc.spans:
            doc.spans[self.spans_key] = spans
        else:
            doc.spans[self.spans_key] = [*doc.spans[self.spans_key], *spans]


@Language.factory(
    "cnpolicy_metrics",
    default_config={"spans_key": METRICS_KEY, "overwrite": True},
)
def make_metrics(nlp: Language, name: str, spans_key: str, overwrite: bool) -> MetricsComponent:
    """spaCy factory for `nlp.add_pipe("cnpolicy_metrics")`."""
    return MetricsComponent(nlp, name, spans_key=spans_key, overwrite=overwrite)


@lru_cache(maxsize=1)
def warm_up() -> None:
    """Load the lexicons and gazetteer once (so the first document's timing is not skewed)."""
    load_rules()
    load_lexicon()
    load_taxonomy()
    load_gazetteer()
