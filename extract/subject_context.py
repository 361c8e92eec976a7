"""Subjects completed from the clause around a metric: a receiver's quota (为X增加编制 → X编制),
the meetings of a body, bare rates (精简比例) named after what the clause counts, a level
prefix, and a subject shared by a list of figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cnpolicy.datafiles import read_data_json
from cnpolicy.extract.words import Lexicon, Word, Words, category_of, join

__all__ = [
    "ORDINAL",
    "PhraseWords",
    "beneficiary",
    "complete_rate",
    "distribute",
    "is_bare_rate",
    "load_phrase_words",
    "meeting_of",
    "meeting_subject",
    "one_side",
    "with_level",
]


def beneficiary(words: Words) -> tuple[str, int] | None:
    """`为基层卫生院增加`: the receiver of an allocation, and the index just past its verb.

    It completes only a bare head (为X增加编制 → X编制); a named thing (教师编制) stays as it is.
    """
    listed = load_phrase_words()
    items, cats = words.items, words.cats
    start = next((i for i, w in enumerate(items) if w in listed.beneficiaries), None)
    if start is None or cats[start] != "p":
        return None
    for j in range(start + 1, len(items)):
        if items[j] in listed.allocation_verbs:
            receiver = join(items[start + 1 : j])
            return (receiver, j + 1) if receiver and j > start + 1 else None
        if cats[j] not in ("n", "q", "c"):
            return None
    return None


def meeting_of(words: Words) -> str | None:
    """`县委编委会先后召开`: the last body of the clause, with 会议 (县委编委会会议)."""
    listed = load_phrase_words()
    for i in range(len(words.items) - 1, -1, -1):
        if _is_body(words.items[i]):
            return meeting_subject([*words.items[: i + 1], listed.meeting_head], words.lex)
    return None


def meeting_subject(items: list[Word], lex: Lexicon) -> str | None:
    """`服务 区委 编委会 会议` → 区委编委会会议: a body's meetings, from the body's name on."""
    listed = load_phrase_words()
    if len(items) < 2 or items[-1] != listed.meeting_head or not _is_body(items[-2]):
        return None
    start = len(items) - 2
    owner = items[start - 1] if start else ""
    if owner.endswith("委") or owner in lex.admin_units or owner in lex.level_words:
        start -= 1
    return join(items[start:])


def _is_body(word: Word) -> bool:
    listed = load_phrase_words()
    return len(word) > 1 and word.endswith(listed.body_suffix) and word != listed.meeting_head


@dataclass(frozen=True, slots=True)
class PhraseWords:
    """Word lists of data/subject_words.json that the shared Lexicon does not carry."""

    rate_heads: tuple[str, ...]  # 比例, 率: with a change verb alone, a rate of nothing
    thing_suffixes: tuple[str, ...]  # 总量: shed by a counted thing before a rate head
    measure_leads: frozenset[str]  # 平均: kept before a measure (平均办理时限)
    trailing_span: re.Pattern[str]  # 连续三年: how long, not what (before the verb)
    leading_span: re.Pattern[str]  # 近3年: when, not what (opening the clause)
    leading_times: frozenset[str]  # jieba tags of a time opening the clause (今年: t)
    stray_verbs: tuple[str, ...]  # 选派, 作为: open a phrase without being part of the thing
    modal_predicates: frozenset[str]  # 节约: still the predicate after 可 (可节约资金)
    bare_measures: frozenset[str]  # 量: a verb before it makes a compound (办理量)
    beneficiaries: frozenset[str]  # 为: opens the receiver of an allocation (为X增加编制)
    allocation_verbs: frozenset[str]  # 增加, 调剂: hand the counted thing to the receiver
    meeting_head: str  # 会议
    body_suffix: str  # 会: a body whose meetings are counted (编委会)
    paired_scopes: dict[str, tuple[str, ...]]  # 存贷款 → 存款, 贷款: one side per figure
    qualifier_clauses: tuple[str, ...]  # 扣除价格因素: how a figure was computed, not what
    name_places: frozenset[str]  # 国家: opens a name before a noun (国家重点实验室), kept
    per_capita_leads: frozenset[str]  # 万人: a per-capita measure's denominator (万人拥有量)
    rate_adverbs: frozenset[str]  # 年均: belongs to the rate verb after it (年均增长)
    person_heads: tuple[str, ...]  # 学生: closes a phrase of counted people (名, 人)
    target_modals: frozenset[str]  # 要: before the last verb, makes a target (贷款要增长)
    benchmark_links: frozenset[str]  # 是: opens the benchmark of a multiple (是上年的2倍)
    disposal_marks: frozenset[str]  # 把: its object is what the figure changes (把文件压减)


@lru_cache(maxsize=1)
def load_phrase_words() -> PhraseWords:
    """The word lists of the lexicon file that `PhraseWords` names."""
    data = read_data_json("cnpolicy.extract", "subject_words.json")
    suffixes = sorted(data["rate_thing_suffixes"], key=len, reverse=True)
    return PhraseWords(
        tuple(data["rate_heads"]),
        tuple(suffixes),
        frozenset(data["measure_leads"]),
        re.compile(data["trailing_spans"]),
        re.compile(data["leading_spans"]),
        frozenset(data["leading_time_tags"]),
        tuple(sorted(data["stray_leading_verbs"], key=len, reverse=True)),
        frozenset(data["modal_predicates"]),
        frozenset(data["bare_measures"]),
        frozenset(data["beneficiary_prepositions"]),
        frozenset(data["allocation_verbs"]),
        data["meeting_head"],
        data["body_suffix"],
        {word: tuple(sides) for word, sides in data["paired_scopes"].items()},
        tuple(sorted(data["qualifier_clauses"], key=len, reverse=True)),
        frozenset(data["name_places"]),
        frozenset(data["per_capita_leads"]),
        frozenset(data["rate_adverbs"]),
        tuple(data["person_heads"]),
        frozenset(data["target_modals"]),
        frozenset(data["benchmark_links"]),
        frozenset(data["disposal_marks"]),
    )


def one_side(subject: str, index: int, segment: Callable[[str], list[str]]) -> str | None:
    """`存贷款余额`, 0 → 存款余额; `事故起数和死亡人数`, 1 → 死亡人数: the index-th side of
    a pair word in the subject, or of a pair joined by one conjunction; None when it holds none."""
    for word, sides in load_phrase_words().paired_scopes.items():
        if word in subject and index < len(sides):
            return subject.replace(word, sides[index], 1)
    words = segment(subject)
    joins = [i for i, word in enumerate(words) if word in PAIR_JOINS]
    if len(joins) != 1 or index > 1 or any(mark in subject for mark in "()、"):
        return None
    cut = joins[0]
    if cut == 0 or cut == len(words) - 1:
        return None
    return "".join(words[:cut] if index == 0 else words[cut + 1 :])


def is_bare_rate(subject: str | None, lex: Lexicon) -> bool:
    """`精简比例`, `压减率`: a change verb and a rate head, naming no thing of its own."""
    if not subject:
        return False
    heads = load_phrase_words().rate_heads
    if not subject.endswith(heads):
        return False  # most subjects end in no rate head: the heads one by one only when one does
    return any(
        subject.endswith(head) and subject[: -len(head)] in lex.change_verbs for head in heads
    )


def complete_rate(subject: str | None, counted: str | None, lex: Lexicon) -> str | None:
    """`精简比例` after a figure counting `市级议事协调机构` → 市级议事协调机构精简比例.

    `counted` is what the sentence's previous figure counts; a rate (…比例) is no such thing.
    """
    if not subject or not counted or not is_bare_rate(subject, lex):
        return subject
    words = load_phrase_words()
    if counted.endswith(words.rate_heads) or counted.endswith(subject):
        return subject
    thing = next(
        (counted[: -len(s)] for s in words.thing_suffixes if counted.endswith(s) and counted != s),
        counted,
    )
    return thing + subject


def with_level(level: str, subject: str, lex: Lexicon) -> str:
    """`市本级` + 事业单位法人 → 市本级事业单位法人 (a level replaces the one the subject had)."""
    for known in lex.level_words:
        if subject.startswith(known):
            return level + subject[len(known) :]
    return level + subject


def distribute(subject: str, index: int, segment: Callable[[str], list[str]], lex: Lexicon) -> str:
    """The index-th thing of a list before 分别: `农业系统机构、编制精简比例` → 农业系统机构精简比例,
    农业系统编制精简比例 (the first item's head and the last item's ending are shared)."""
    parts = subject.split("、")
    if len(parts) < 2 or index >= len(parts):
        return subject
    if all(len(part) == 1 for part in parts[:-1]) and len(parts[-1]) > 1:
        # 中、高等职业教育; 大、中型企业; 中、小学: one-character items share all after the first
        # character of the last one (中等职业教育, 大型企业, 中学)
        return parts[index] + parts[-1][1:] if index < len(parts) - 1 else parts[-1]
    first, last = segment(parts[0]), segment(parts[-1])
    if len(first) > 1 and len(first[-1]) < 2:
        first = [*first[:-2], first[-2] + first[-1]]  # 水耗 cut as 水 / 耗: one item
    head = first[-1]
    if len(first) > 1 and len(last) > 1 and first[0] == last[0]:
        # 规上工业增加值、规上服务业营收: the last item repeats the opening, so each is whole
        return parts[index]
    ends = [i for i, word in enumerate(last[:-1]) if _ends_alike(head, word)]
    if ends:
        # 装备制造业、高技术制造业增加值; 新兴产业、高新技术产业产值: the items end where the
        # first does (制造业, …产业); the rest is shared
        suffix = "".join(last[ends[-1] + 1 :])
        return parts[index] + suffix if index < len(parts) - 1 else parts[index]
    if len(first) > 1 and len(last) > 1 and head == last[-1]:
        # 基础设施投资、工业投资: the items end in the same word, each a phrase of its own
        return parts[index]
    if len(last) < 2 or head[-1] == last[-1][-1]:
        # 营业收入、利润; 事故起数、死亡人数; 用水量、能耗、排放量: each item names a measure of its
        # own, and what the first one opens with (单位国内生产总值) is shared, unless the last
        # item has more words (化学需氧量、二氧化硫排放总量: each whole)
        prefix = "".join(first[:-1]) if len(last) <= len(first) else ""
        return parts[index] if index == 0 else prefix + parts[index]
    if len(last) > 2 and len(last[-1]) < 2:
        last = [*last[:-2], last[-2] + last[-1]]  # 警情 cut as 警 / 情: one word
    if len(first) > 1 and first[-1].endswith(lex.measure_nouns):
        # 接待旅游总人数、游客旅游总花费: the first item ends in a measure of its own, so it shares
        # none with the last; each is whole
        return parts[index]
    middle = [segment(part) for part in parts[1:-1]]
    # How many words an item has: as many as a middle item's, else no more than the first's
    shared = len(middle[0]) if middle else min(len(first), len(last) - 1)
    if last[-1].endswith(lex.measure_nouns):
        while (
            shared > 1 and len(last[shared - 1]) > 1 and category_of(last[shared - 1], lex) == "v"
        ):
            shared -= 1  # 编制精简比例: a verb before a measure noun compounds with it
    if 1 < shared < len(last):
        # 新能源汽车、节能家电零售额; 养老金、城市低保、农村低保标准: the items are phrases of
        # their own words, each whole; only the measure after the last one is shared
        suffix = "".join(last[shared:])
        return parts[index] + suffix if index < len(parts) - 1 else parts[index]
    prefix, suffix = "".join(first[:-1]), "".join(last[1:])  # 黄金、白银产量: 黄金产量
    items = [first[-1], *parts[1:-1], last[0]]
    ordinal = ORDINAL.match(last[0])
    if ordinal and ORDINAL.fullmatch(first[-1]):
        suffix = last[0][ordinal.end() :] + suffix  # 第一、第三产业增加值: 第一产业增加值
        items[-1] = ordinal.group()
    return prefix + items[index] + suffix


def _ends_alike(head: Word, word: Word) -> bool:
    """`新兴产业` and `产业`: a word of the last item ends as the first item's head does."""
    return word == head or (len(word) > 1 and head.endswith(word))


# What joins the two things of a pair named before two figures (事故起数和死亡人数下降5%、3%,
# 签约项目数与合同额分别增长22.1%、15.1%).
PAIR_JOINS = frozenset({"和", "及", "与"})
ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+")
