"""The subject of a metric: the phrase naming what is counted, as it stands in the text.

The noun phrase after the measure word wins (`下划900多名编制`); else the clause before the
number, cut at its predicate verb (`市级内设机构减少20个`, `收回内设机构职数183个`); a relative
clause completes a bare head (`需组建挂牌的22个单位`). Word classes: extract/words.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cnpolicy.extract.subject_context import (
    ORDINAL,
    beneficiary,
    load_phrase_words,
    meeting_subject,
)
from cnpolicy.extract.words import Category, Lexicon, Word, Words, category_of, join
from cnpolicy.gazetteer import OWN_PLACE, load_gazetteer
from cnpolicy.segmenter import dictionary_tags

__all__ = [
    "BARE_OBJECTS",
    "DATE_WORDS",
    "LISTED_CATEGORIES",
    "LIST_CLOSERS",
    "MARKS",
    "MAX_COMPARISON_WORDS",
    "MAX_RELATIVE_WORDS",
    "MEASURE_LEAD_REACH",
    "PER",
    "PERSON_UNITS",
    "ROUND_NUMERAL",
    "SIZE_MARK",
    "YEAR",
    "Before",
    "balance",
    "is_generic",
    "is_noun_phrase",
    "is_time",
    "listed_things",
    "shed_stray_verb",
    "subject_after",
    "subject_before",
]

# A preposition opens a relative clause (以市委领导为组长的…) only if its 的 comes within
# this many words; farther away it is the predicate's adverbial, not part of the phrase.
MAX_RELATIVE_WORDS = 10
# A comparison (比改革前, 比上年, 较一般镇) at the end of the clause is at most this many words.
MAX_COMPARISON_WORDS = 5
# Nouns that a verb directly before them turns into a compound rather than an object
# when they stand alone after it (划转职责, 回归职能): the verb stays in the subject.
BARE_OBJECTS = ("职责", "职能", "事项", "权限")
# Words closing a list of examples before the thing they exemplify (A、B等城市).
LIST_CLOSERS = ("等", "等等")
# Brackets and quotes that `balance` pairs up.
MARKS = "()“”‘’「」《》"
MARK_SET = frozenset(MARKS)  # for one C-level test of whether a phrase holds any
# How many words after 平均 the measure it qualifies may end (平均 + 办理 + 时限): two.
MEASURE_LEAD_REACH = 3
# Words that make a leading number a date (2019 年度, 2020 年): dropped with it.
DATE_WORDS = frozenset({"年", "年度", "月", "年底", "年初", "年末"})
# A round numeral (万亿, 千亿, 百万) and the mark after it that makes a size class (万亿级产业).
ROUND_NUMERAL = re.compile(r"[十百千万亿]{1,3}")
SIZE_MARK = "级"
# A numeral word inside a counted phrase that names a size or a class rather than counting:
# a round size (千亿县, 过五千亿产业), a class (一类创新药), digits with letters (5G工厂).
NAMING_NUMERAL = re.compile(r"[一二三四五两]?[十百千万亿]{1,3}|[一二三四五六七八九十]类")
LETTERED_NUMERAL = re.compile(r"\d+[A-Za-z]+")  # 5G: a name wherever it stands in the phrase
# Word classes of the items of a list of things (化学需氧量、二氧化硫排放总量): nouns.
LISTED_CATEGORIES = frozenset({"n", "b", "q"})
# Units that count people: their phrase closes at a person noun (data: person_heads).
PERSON_UNITS = frozenset({"名", "人"})
# Opens a per-capita denominator (每万人口发明专利拥有量).
PER = "每"

RESPECTIVE = "分别"
# The year mark: glued to the word after it by the segmenter (2007 年中等 → 2007 / 年中 / 等).
YEAR = "年"


# --- after the measure word ---------------------------------------------------------------------


def subject_after(
    words: Words,
    *,
    unit: str,
    percent: bool = False,
    object_count: Callable[[], bool] | None = None,
) -> tuple[str | None, int]:
    """The noun phrase after the unit, and how many words it used (0 when there is none).

    `object_count` (asked only when it matters): whether a verb stands right before the number
    (规划3条…), so the count is its object and a verb-led phrase filling the rest of the clause
    names what is counted."""
    lex = words.lex
    items, cats = words.items, words.cats
    index = 0
    if unit in lex.event_units:
        while index < len(items) and items[index] in lex.event_verbs:
            index += 1
    measure_only = False
    if index < len(items) and items[index] == "的":
        # 16%的税率, 3万亿元的投资规模: a measure after 的 is what the figure measures
        measure_only = not percent
        index += 1
    while index < len(items) and items[index] in lex.after_leading:
        index += 1
    taken = _noun_phrase(words, index, people=unit in PERSON_UNITS)
    while taken and cats[taken[-1]] not in ("n", "q", "a"):
        taken.pop()
    if not taken:
        return None, 0
    phrase = [items[i] for i in taken]
    if measure_only and not phrase[-1].endswith(lex.measure_nouns):
        return None, 0  # 100亿元的项目: the money is the projects' size, not the projects
    is_event = unit in lex.event_units
    if (
        cats[taken[0]] == "v"
        and not is_event
        and not join(phrase).endswith(lex.head_nouns)
        and not (object_count and _fills_the_clause(words, taken) and object_count())
    ):
        return None, 0
    used = taken[-1] + 1
    phrase, used = _complete_generic(words, phrase, used)
    return shed_stray_verb(_strip_relative(words, phrase)), used


def _fills_the_clause(words: Words, taken: list[int]) -> bool:
    """`(规划)3条出入城快速通道,`: a verb-led phrase ending in a noun at the clause's end, with a
    noun before that: the counted thing named by what it does, not a predicate."""
    end = taken[-1] + 1
    nouns = sum(words.cats[i] == "n" for i in taken)
    return nouns > 1 and (end == len(words.items) or words.cats[end] == "w")


def _noun_phrase(words: Words, index: int, *, people: bool = False) -> list[int]:
    """Indexes of the words that form the phrase starting at `index` (counting people: it
    closes at a person noun, 学生)."""
    lex = words.lex
    items, cats = words.items, words.cats
    taken: list[int] = []
    has_noun = False
    while index < len(items):
        word, cat = items[index], cats[index]
        following = cats[index + 1] if index + 1 < len(items) else "w"
        if word == "、" and _joins_admin_units(words, index, taken):
            taken.append(index)
            index += 1
            continue
        if word in lex.level_bounds and taken and _is_level(items[taken[-1]], lex):
            taken.append(index)  # 省级以上开发区: the bound belongs to the level
            index += 1
            continue
        if cat == "m" and _is_size_class(word, items[index + 1 : index + 2]):
            taken.extend((index, index + 1))  # 3个万亿级产业: a size class names the thing
            index += 2
            continue
        if cat == "m" and _names_with_number(words, index, has_noun):
            taken.append(index)  # 3个千亿县, 2款一类创新药, 38家国家级5G工厂: part of the name
            index += 1
            continue
        if has_noun and word in lex.head_nouns:
            cat = "n"  # 事业站所: a countable head after a noun, whatever its tag (站 as a verb)
        if cat in ("w", "m", "f", "r", "d") or word in lex.stop_after:
            break
        if has_noun and _opens_predicate(word, lex):
            break
        if word == "的":
            if not taken or following not in ("n", "a", "q", "v"):
                break
            if has_noun and cats[taken[0]] != "v":
                break  # 22个开发区的管理机构: the count is of the noun it stands before
            has_noun = False
        elif cat == "v" and has_noun:
            break
        elif cat == "p":
            relative = _relative_end(words, index)
            if has_noun or relative is None:
                break
            taken.extend(range(index, relative))
            index = relative
            continue
        elif cat == "c" and (not taken or following not in ("n", "v", "a", "q")):
            break
        taken.append(index)
        has_noun = has_noun or cat in ("n", "q")
        person = people and word.endswith(load_phrase_words().person_heads)
        if cat in ("n", "q") and (_closes(word, lex) or person) and following != "c":
            break
        index += 1
    return taken


def _opens_predicate(word: Word, lex: Lexicon) -> bool:
    """`全`, `扎实`, and words led by a longer opener (全面实施, 稳步推进)."""
    if word in lex.predicate_openers:
        return True
    return any(
        len(opener) > 1 and len(word) > len(opener) and word.startswith(opener)
        for opener in lex.predicate_openers
    )


def _is_size_class(word: Word, following: list[Word]) -> bool:
    """`万亿` + `级`: a round numeral with 级 is a size class inside a name (万亿级产业)."""
    return following == [SIZE_MARK] and ROUND_NUMERAL.fullmatch(word) is not None


def _names_with_number(words: Words, index: int, has_noun: bool) -> bool:
    """`千亿` + `县`, `一类` + `创新`: a naming numeral (NAMING_NUMERAL) that a noun or a verb
    follows, before the counted phrase's own noun; `5G` + `工厂` after a noun too."""
    following = words.cats[index + 1] if index + 1 < len(words.items) else "w"
    if following not in ("n", "v"):
        return False
    word = words.items[index]
    if LETTERED_NUMERAL.fullmatch(word):
        return True
    return not has_noun and NAMING_NUMERAL.fullmatch(word) is not None


def _is_level(word: Word, lex: Lexicon) -> bool:
    """省级, 国家级, 市本级: a level of government (a word ending in 级, or a listed one)."""
    return word in lex.level_words or (len(word) > 1 and word.endswith("级"))


def _joins_admin_units(words: Words, index: int, taken: list[int]) -> bool:
    """`区、县(市)`: a 、 between two kinds of division inside one counted phrase."""
    units = words.lex.admin_units
    if not taken or index + 1 >= len(words.items):
        return False
    return words.items[taken[-1]] in units and words.items[index + 1] in units


def _closes(word: Word, lex: Lexicon) -> bool:
    base = word.split("(", 1)[0]
    return base.endswith(lex.closing_heads)


def _relative_end(words: Words, index: int) -> int | None:
    """After a preposition opening a relative clause, the index just past its 的."""
    for j in range(index + 1, min(len(words.items), index + MAX_RELATIVE_WORDS)):
        if words.cats[j] in ("w", "m"):
            return None
        if words.items[j] == "的":
            return j + 1
    return None


def _complete_generic(words: Words, phrase: list[Word], used: int) -> tuple[list[Word], int]:
    """`事项实行容缺审批` → 容缺审批事项; `事项容缺审批` → 容缺审批事项."""
    lex = words.lex
    if not phrase or phrase[0] not in lex.generic_heads:
        return phrase, used
    if len(phrase) > 1 and "的" not in phrase and words.category(phrase[1]) != "c":
        return [*phrase[1:], phrase[0]], used
    index = used
    if index < len(words.items) and words.items[index] in lex.completion_verbs:
        index += 1
        tail: list[Word] = []
        while index < len(words.items) and words.cats[index] in ("n", "q"):
            tail.append(words.items[index])
            index += 1
        if tail:
            return [*tail, phrase[0]], index
    return phrase, used


def _strip_relative(words: Words, phrase: list[Word]) -> str:
    """Drop a leading relative clause unless it starts with a verb (承担行政职能的事业单位 stays)."""
    if "的" not in phrase[:-1]:
        return join(phrase)
    cut = phrase.index("的")
    if words.category(phrase[0]) == "v":
        return join(phrase)
    return join(phrase[cut + 1 :])


def is_generic(subject: str | None, lexicon: Lexicon) -> bool:
    return subject is None or subject in lexicon.generic_heads


# --- before the number ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Before:
    """What the clause before the number says about the subject."""

    subject: str | None
    distributed: bool = False  # 分别: the subject is a list, one item per value
    relative: str | None = None  # "X的" right before the number, to complete a bare head
    level: str | None = None  # the phrase was only a level (其中市本级1126家)
    rate_verb: str | None = None  # 增长 right before a percentage: the subject's growth
    elided: bool = False  # the clause ends in its verb: the counted object was named earlier


@dataclass(slots=True)
class _Phrase:
    items: list[Word]
    cats: list[Category]


def subject_before(
    words: Words, *, kind: str, unit: str, topic: str | None = None, milestone: bool = False
) -> Before:
    """The subject from the clause before the number (after the previous metric, if any);
    `milestone`: the number counts milestones (连跨两个万亿元台阶), so the word right before it is
    the verb that reaches them, whatever verb it is: a link, not part of the subject."""
    lex = words.lex
    words = _without_qualifiers(words)
    receiver = beneficiary(words)
    if receiver and receiver[1] < len(words.items):
        thing = _Phrase(list(words.items[receiver[1] :]), list(words.cats[receiver[1] :]))
        _strip_trailing(thing, lex)
        if len(thing.items) == 1 and thing.items[0] in lex.head_nouns:
            return Before(receiver[0] + thing.items[0])
    phrase = _Phrase(list(words.items), list(words.cats))
    _cut_benchmark(phrase)
    _after_disposal(phrase)
    _strip_leading(phrase, lex)
    _drop_rate_adverb(phrase, lex, unit)
    if milestone and len(phrase.items) > 1:
        del phrase.items[-1], phrase.cats[-1]  # 连跨, 跨上: often unknown to the segmenter
    rate_verb = _rate_verb(phrase, lex, unit)
    if rate_verb and rate_verb != phrase.items[-1]:
        del phrase.items[-2], phrase.cats[-2]  # 年均 goes with the rate verb, not the subject
    distributed = _strip_trailing(phrase, lex)
    if not distributed:
        cut = _last_list_break(phrase.items, phrase.cats)
        phrase = _Phrase(phrase.items[cut:], phrase.cats[cut:])
        _strip_leading(phrase, lex)
    if not phrase.items:
        return Before(None, distributed, rate_verb=rate_verb)
    if phrase.items[-1] == "的":
        phrase = _Phrase(phrase.items[:-1], phrase.cats[:-1])
        _strip_leading(phrase, lex)
        text = _finish(phrase.items, lex, "percent")
        return Before(text or None, distributed, relative=text + "的" if text else None)
    if unit in lex.event_units and phrase.items[-1] not in lex.change_verbs:
        held = [i for i, word in enumerate(phrase.items[:-1]) if word in lex.event_verbs]
        items = phrase.items[held[-1] + 1 :] if held else phrase.items
        return Before(meeting_subject(items, lex) or _finish(items, lex, kind) or None, distributed)
    chosen = _respective_list(phrase, lex) if distributed else None
    chosen = chosen or _choose(phrase, lex, topic)
    chosen_phrase = _Phrase(chosen, [words.category(w) for w in chosen])
    _strip_leading(chosen_phrase, lex)
    subject = _finish(chosen_phrase.items, lex, kind)
    elided = topic is None and rate_verb is None and _ends_in_action(phrase, lex)
    if OWN_PLACE.fullmatch(subject) or subject in lex.milestones:
        # 扩大到全国86%的县: a place word alone says where; what is counted follows the number.
        # 迈上…台阶、达9万亿元: a milestone reached is not what the next figure measures
        return Before(None, distributed, rate_verb=rate_verb)
    if not subject or (subject in lex.level_words and not elided):
        return Before(None, distributed, level=subject or None, rate_verb=rate_verb)
    return Before(subject, distributed, rate_verb=rate_verb, elided=elided)


def _cut_benchmark(phrase: _Phrase) -> None:
    """`在校生是上年的` before a multiple: what follows the link (是, 相当于) up to 的 is the
    benchmark, not the thing, and goes; the thing is what stands before the link (none when the
    clause opens with it: the figure measures what was counted before)."""
    if not phrase.items or phrase.items[-1] != "的":
        return
    links = load_phrase_words().benchmark_links
    link = next((i for i, word in enumerate(phrase.items) if word in links), None)
    if link is not None:
        del phrase.items[link:], phrase.cats[link:]


def _after_disposal(phrase: _Phrase) -> None:
    """`坚决把文件压减`: the object of 把 (disposal_marks) is what the figure changes; the actor
    and the adverbs before it go."""
    marks = load_phrase_words().disposal_marks
    at = [i for i, word in enumerate(phrase.items[:-1]) if word in marks and phrase.cats[i] == "p"]
    if at:
        del phrase.items[: at[-1] + 1], phrase.cats[: at[-1] + 1]


def _without_qualifiers(words: Words) -> Words:
    """`社会消费品零售总额扣除价格因素增长`: the words of a computation qualifier taken out."""
    text = join(words.items)
    qualifiers = [q for q in load_phrase_words().qualifier_clauses if q in text]  # mostly none
    spans = [
        (found.start(), found.end())
        for qualifier in qualifiers
        for found in re.finditer(re.escape(qualifier), text)
    ]
    if not spans:
        return words
    kept: list[Word] = []
    start = 0
    for word in words.items:
        end = start + len(word)
        if not any(low <= start and end <= high for low, high in spans):
            kept.append(word)
        start = end
    return Words(kept, words.lex)


def _ends_in_action(phrase: _Phrase, lex: Lexicon) -> bool:
    """`人口较少的乡镇设置四至五个`: a place or level, then a verb that is no change (减少) or
    link (达), ends the clause: the place acts, and its object, what is counted, was named
    before and is left out here (a counted head, 内设机构个数设置…, is no place)."""
    last = phrase.items[-1]
    agent = phrase.items[-2] if len(phrase.items) > 1 else ""
    return (
        phrase.cats[-1] == "v"
        and last not in lex.change_verbs
        and last not in lex.trailing_links
        and (agent in lex.admin_units or agent.removeprefix("各") in lex.level_words)
        and _predicate(phrase.items, phrase.cats, lex) == len(phrase.items) - 1
    )


def _respective_list(phrase: _Phrase, lex: Lexicon) -> list[Word] | None:
    """`钢材、水泥、精炼铜产量(增长)` before 分别: the whole list is the subject (one item per
    figure), verbs inside its items (精炼) included; None when there is no list."""
    if "、" not in phrase.items:
        return None
    items = list(phrase.items)
    if items[-1] in lex.change_verbs:
        items.pop()
    first_mark = items.index("、")
    if first_mark and phrase.cats[first_mark - 1] == "v":
        return None  # 撤销、整合、保留…分别为: a list of actions, not of things
    verbs = [i for i, c in enumerate(phrase.cats[:first_mark]) if c == "v"]
    return items[verbs[-1] + 1 :] if verbs else items


def _drop_rate_adverb(phrase: _Phrase, lex: Lexicon, unit: str) -> None:
    """`出口逆势增长`, `出口大幅增长` before a percentage: the adverb says how the rate went, not
    what grew; the rate verb stays (出口增长). Not 分别 (a list follows) or a comparison (快于)."""
    items = phrase.items
    if unit != "%" or len(items) < 3 or items[-1] not in lex.rate_verbs:
        return
    adverb = items[-2]
    if phrase.cats[-2] != "d" or adverb == "分别" or adverb in lex.comparison_words:
        return
    if adverb in load_phrase_words().rate_adverbs:
        return  # 年均增长: the rate's own
    del phrase.items[-2], phrase.cats[-2]


def _rate_verb(phrase: _Phrase, lex: Lexicon, unit: str) -> str | None:
    """`地区生产总值增长` right before a percentage (no 了, comparison or adverb in between)."""
    if unit != "%" or not phrase.items or phrase.items[-1] not in lex.rate_verbs:
        return None
    before = phrase.items[-2] if len(phrase.items) > 1 else ""
    if before in load_phrase_words().rate_adverbs:
        return before + phrase.items[-1]  # 地区生产总值年均增长: 年均 is the rate's
    if before in lex.comparison_words or phrase.cats[-2:-1] == ["d"]:
        return None
    if any(w in lex.comparison_words for w in phrase.items[-MAX_COMPARISON_WORDS:]):
        return None
    return phrase.items[-1]


def _strip_trailing(phrase: _Phrase, lex: Lexicon) -> bool:
    """Drop links, adverbs and comparisons before the number; True when 分别 was among them."""
    distributed = False
    changed = True
    while phrase.items and changed:
        changed = False
        last, cat = phrase.items[-1], phrase.cats[-1]
        if len(phrase.items) > 1 and phrase.items[-2] == "每":
            del phrase.items[-2:], phrase.cats[-2:]
            changed = True
            continue
        if last in lex.forecast_words and len(phrase.items) > 1:
            del phrase.items[-1], phrase.cats[-1]  # 粮食产量力争(达到): a target, not a thing
            changed = True
            continue
        if (
            len(phrase.items) > 2
            and phrase.items[-2] in lex.forecast_words
            and last in lex.change_verbs
        ):
            del phrase.items[-2], phrase.cats[-2]  # 广义货币M2预期增长 → 广义货币M2增长
            changed = True
            continue
        if (
            len(phrase.items) > 2
            and phrase.items[-2] in load_phrase_words().target_modals
            and cat == "v"
        ):
            del phrase.items[-2], phrase.cats[-2]  # 贷款要增长 → 贷款增长: a target, said of it
            changed = True
            continue
        if len(phrase.items) > 1 and phrase.items[-2] == "分别" and last in lex.change_verbs:
            # 用水量、能耗分别下降23%、15%: the list before 分别 is one subject per figure
            del phrase.items[-2:], phrase.cats[-2:]
            distributed = changed = True
            continue
        if (
            last in lex.trailing_links
            or (last in lex.trailing_predicates and len(phrase.items) > 1)
            or cat == "f"
            or last in lex.comparison_words
            or (cat in ("w", "d", "u", "p") and last != "的" and not last.endswith(")"))
        ):
            distributed = distributed or last == "分别"
            del phrase.items[-1], phrase.cats[-1]
            changed = True
            continue
        comparison = _comparison_start(phrase, lex)
        if comparison is not None:
            del phrase.items[comparison:], phrase.cats[comparison:]
            changed = True
    return distributed


def _comparison_start(phrase: _Phrase, lex: Lexicon) -> int | None:
    """`比改革前` / `由改革前的` / `较一般镇` at the end of the phrase: where it starts."""
    start = max(-1, len(phrase.items) - MAX_COMPARISON_WORDS - 1)
    for i in range(len(phrase.items) - 1, start, -1):
        word = phrase.items[i]
        if phrase.items[i + 2 : i + 3] == ["的"] and phrase.cats[i + 1 : i + 2] == ["a"]:
            continue  # 人口较少的乡镇: 较 grades an adjective in a relative clause
        if word in lex.comparison_words or (word in ("从", "由") and phrase.cats[i] == "p"):
            return i
        if word == "于" and i > 0 and phrase.items[i - 1] + word in lex.comparison_words:
            return i - 1  # 快 + 于: a comparative the segmenter splits
    return None


def _last_list_break(items: list[Word], cats: list[Category]) -> int:
    """Just past the last 、 that is not inside brackets, or past the 等 that closes a list of
    examples (黄石、咸宁等全国文明城市: what is counted follows it)."""
    depth = 0
    for i in range(len(items) - 1, -1, -1):
        depth += items[i].count(")") - items[i].count("(")
        if depth > 0:
            continue
        if items[i] == "、" and not (i and cats[i - 1] == "a"):
            return i + 1
        if items[i] in LIST_CLOSERS and 0 < i < len(items) - 1:
            return i + 1
    return 0


def _strip_leading(phrase: _Phrase, lex: Lexicon) -> None:
    while phrase.items and _is_leading_junk(phrase, lex) and _may_drop_first(phrase.items, lex):
        digits = phrase.cats[0] == "m"
        del phrase.items[0], phrase.cats[0]
        if digits and phrase.items and phrase.items[0] in DATE_WORDS:
            del phrase.items[0], phrase.cats[0]
        elif digits and phrase.items and _glued_to_year(phrase.items[0]):
            # 2007 年中等…: the segmenter glued the year's 年 to the next word (年中)
            phrase.items[0] = phrase.items[0][len(YEAR) :]
            phrase.cats[0] = category_of(phrase.items[0], lex)
    if _strip_when_and_where(phrase):
        _strip_leading(phrase, lex)
        return
    if len(phrase.items) > 2 and phrase.items[1] in lex.topic_locatives and phrase.cats[0] in "nv":
        del phrase.items[:2], phrase.cats[:2]  # 改革中回归…: a time or topic, not the subject
        _strip_leading(phrase, lex)
    while phrase.items and phrase.cats[-1] == "w":
        del phrase.items[-1], phrase.cats[-1]


def _is_leading_junk(phrase: _Phrase, lex: Lexicon) -> bool:
    """Whether the first word is of a kind that opens a clause without being its subject (a
    mark, preposition, conjunction, number, adverb, date); tested before the exceptions below,
    which it rules out in most clauses at a fraction of their cost."""
    first = phrase.items[0]
    return (
        first in lex.leading_junk
        or first in lex.adverbs
        or phrase.cats[0] in ("w", "p", "c", "u", "m", "f")
        or _is_date(first)
    )


def _may_drop_first(items: list[Word], lex: Lexicon) -> bool:
    """Whether the first word may go: not a comparison, nor a word a measure, list or name keeps."""
    return (
        items[0] not in lex.comparison_words
        and not _leads_a_measure(items, lex)
        and not _opens_ordinal_list(items)
        and not _names_a_thing(items)
    )


def _strip_when_and_where(phrase: _Phrase) -> bool:
    """`近3年提升`, `今年新增`, `吉林省一产增加值增幅`: a span of time or a place opening the
    clause says when or where, not what; shed when words follow. True when something went."""
    words = load_phrase_words()
    span = words.leading_span.match(join(phrase.items))
    if span:
        taken, length = 0, 0
        while taken < len(phrase.items) and length + len(phrase.items[taken]) <= span.end():
            length += len(phrase.items[taken])
            taken += 1
        if length == span.end() and taken < len(phrase.items):
            del phrase.items[:taken], phrase.cats[:taken]
            return True
    if len(phrase.items) < 2 or phrase.cats[1] == "w":
        return False
    first = phrase.items[0]
    if first in words.name_places and phrase.cats[1] != "v":
        return False  # 国家先进制造业集群: the nation names the thing, it is not where
    if (
        dictionary_tags().get(first) in words.leading_times
        or load_gazetteer().candidates(first)
        or OWN_PLACE.fullmatch(first)  # 我省…有44种: the document's own place, where not what
    ):
        del phrase.items[0], phrase.cats[0]
        return True
    return False


def _names_a_thing(items: list[Word]) -> bool:
    """`5G工厂`, `万人发明专利拥有量`: a leading numeral that is part of a name (digits with
    letters) or the denominator of a per-capita measure, not a number to drop."""
    if not items:
        return False
    first = items[0]
    if any(char.isdigit() for char in first) and any(
        char.isascii() and char.isalpha() for char in first
    ):
        return True
    if first == PER and len(items) > 2:
        first, items = items[1], items[1:]  # 每万人口…: the per-capita measure with its 每
    return len(items) > 1 and first + items[1] in load_phrase_words().per_capita_leads


def _glued_to_year(word: Word) -> bool:
    """`年中`, `年新增`: after a number, a word opening with 年 that is no date word itself."""
    return len(word) > len(YEAR) and word.startswith(YEAR) and word not in DATE_WORDS


def _opens_ordinal_list(items: list[Word]) -> bool:
    """`第一、第三产业增加值`: an ordinal opening a list is its first item, not a leading number;
    so is one character (中、高等职业教育: 中 is no locative here)."""
    if len(items) < 2 or items[1] != "、":
        return False
    return ORDINAL.fullmatch(items[0]) is not None or len(items[0]) == 1


def _leads_a_measure(items: list[Word], lex: Lexicon) -> bool:
    """`平均办理时限`, `平均担保费率`: 平均 qualifies a measure within the next two words."""
    if not items or items[0] not in load_phrase_words().measure_leads:
        return False
    return any(word.endswith(lex.measure_nouns) for word in items[1:MEASURE_LEAD_REACH])


def _is_date(word: Word) -> bool:
    """`2019年度`, `2020年`: a time phrase leading the clause, not part of the subject."""
    digits = word.rstrip("年度月")
    return digits != word and digits.isdigit()


def _choose(phrase: _Phrase, lex: Lexicon, topic: str | None) -> list[Word]:
    """The subject words of a clause that ends at the number, given where its verb is."""
    items, cats = phrase.items, phrase.cats
    verb = _predicate(items, cats, lex)
    if verb is None:
        if topic and items and dictionary_tags().get(items[-1]) == "vn":
            return [*items, topic]
        return _after_first_of(items)
    if verb == len(items) - 1:
        head = items[:verb]
        if topic and _has_content(head, lex) and items[verb] not in lex.change_verbs:
            return [*items, topic]
        rest = _Phrase(head, cats[:verb])
        _strip_trailing(rest, lex)
        inner = _predicate(rest.items, rest.cats, lex)
        if inner is None:
            return _after_first_of(rest.items)
        if _is_measured_verb(rest, inner, items[verb], lex):
            return _after_first_of(rest.items)  # 研发经费投入(年均)增长: 投入 is what grows
        while inner > 0 and rest.cats[inner - 1] == "v":
            inner -= 1  # the first verb of a chain (完成 in 完成脱钩改制)
        if items[verb] not in lex.change_verbs and _has_content(rest.items[:inner], lex):
            # 事业单位完成转企改制62家: an action done (完成 + 转企改制) by what is counted
            return _after_first_of(rest.items[:inner])
        return _choose(rest, lex, None)
    if items[verb] in lex.destination_verbs and _has_content(items[:verb], lex):
        return _after_first_of(items[:verb])
    chosen = _after_verb(items, cats, verb, lex)
    if topic and chosen and dictionary_tags().get(chosen[-1]) == "vn":
        return [*chosen, topic]
    return chosen


def _is_measured_verb(rest: _Phrase, inner: int, rate: Word, lex: Lexicon) -> bool:
    """`研发经费投入` before 增长: a verb after a noun, last before a rate verb, is the measure
    that grows (投入, 出口, 消费), not the clause's predicate."""
    return (
        rate in lex.rate_verbs
        and inner == len(rest.items) - 1
        and inner > 0
        and rest.cats[inner - 1] == "n"
    )


def _predicate(items: list[Word], cats: list[Category], lex: Lexicon) -> int | None:
    """The predicate verb: the last verb outside a relative clause, else the first verb.

    Not a predicate: a verb in a coordination (取消或调整事项), inside a list (钢材、精炼铜、镍),
    after a modal (可办理事项), or compounding with a measure noun (办理时间, 精简比例).
    """
    marks = [i for i, w in enumerate(items) if w == "、"]
    inside = range(marks[0], marks[-1]) if marks else range(0)  # 钢材、精炼铜、镍: a list member
    verbs = [
        i
        for i, c in enumerate(cats)
        if c == "v" and i not in inside and not _is_modifier(items, cats, i, lex)
    ]
    if not verbs:
        return None
    last_of = max((i for i, w in enumerate(items) if w == "的"), default=-1)
    free = [i for i in verbs if i > last_of and (last_of < 0 or i == len(items) - 1)]
    return free[-1] if free else verbs[0]


def is_noun_phrase(words: Words) -> bool:
    """`每百元工业固定资产净值提供的税收利润`: no verb but inside a relative clause before 的;
    a verb that alone ends the phrase after 的 is its head (用于教育的投入)."""
    items, cats = words.items, words.cats
    last_of = max((i for i, w in enumerate(items) if w == "的"), default=-1)
    head = len(items) - 1 if last_of == len(items) - 2 else -1
    return all(
        i < last_of or i == head
        for i, c in enumerate(cats)
        if c == "v" and not _is_modifier(items, cats, i, words.lex)
    )


def listed_things(words: Words) -> str | None:
    """`化学需氧量、二氧化硫排放总量首次出现双下降`: the list of things (nouns joined by 、) in a
    clause, for a later clause of only 分别 and its figures; None when there is none."""
    items, cats = words.items, words.cats
    marks = [i for i, word in enumerate(items) if word == "、"]
    if not marks:
        return None
    start, end = marks[0], marks[-1] + 1
    while start > 0 and cats[start - 1] in LISTED_CATEGORIES and not is_time(items[start - 1]):
        start -= 1
    while end < len(items) and cats[end] in (*LISTED_CATEGORIES, "v") and not is_time(items[end]):
        end += 1  # 二氧化硫排放总量: a verb may stand inside the last item, a time (近年来) not
    while end > marks[-1] + 1 and cats[end - 1] not in LISTED_CATEGORIES:
        end -= 1
    if start == marks[0] or end == marks[-1] + 1:
        return None
    inner = zip(items[start : marks[-1]], cats[start : marks[-1]], strict=True)
    if any(cat not in LISTED_CATEGORIES and word != "、" for word, cat in inner):
        return None
    return join(items[start:end])


def is_time(word: Word) -> bool:
    """`今年`, `2008年`: a time word (jieba's tag, or a year)."""
    return _is_date(word) or dictionary_tags().get(word) in load_phrase_words().leading_times


def _is_modifier(items: list[Word], cats: list[Category], i: int, lex: Lexicon) -> bool:
    previous = items[i - 1] if i else ""
    following = items[i + 1] if i + 1 < len(items) else ""
    return (
        (i > 0 and cats[i - 1] == "c")
        or (i + 2 < len(items) and cats[i + 1] == "c" and cats[i + 2] == "v")
        or (previous in lex.modal_words and items[i] not in load_phrase_words().modal_predicates)
        or (len(following) == 1 and following in load_phrase_words().bare_measures)
        or following.startswith(lex.measure_nouns)
        or (bool(following) and following.endswith(lex.measure_nouns))
    )


def _after_first_of(items: list[Word]) -> list[Word]:
    """`承担行政职能事业单位的行政职能` → 行政职能 (what stands after the first 的)."""
    if "的" in items[:-1]:
        return items[items.index("的") + 1 :]
    return items


def _after_verb(items: list[Word], cats: list[Category], verb: int, lex: Lexicon) -> list[Word]:
    """`市级设党政机构` → 市级党政机构; `党政机关划转职责` → 划转职责; `清理X的Y` → Y."""
    rest = items[verb + 1 :]
    while rest and rest[0] in ("了", "着", "过"):
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in BARE_OBJECTS:
        return [items[verb], *rest]
    rest = _after_first_of(rest)
    head = [w for w, c in zip(items[:verb], cats[:verb], strict=True) if c not in ("p", "d")]
    level = _level_prefix(head, lex)
    return [level, *rest] if level and rest else rest


def _level_prefix(head: list[Word], lex: Lexicon) -> str | None:
    """The level word when it is all that stands before the verb (市级 in 市级设…)."""
    text = join(head).lstrip("各")
    if text in lex.scope_levels:
        return None
    for level in lex.level_words:
        if text == level or (text.startswith(level) and _is_quota_phrase(text[len(level) :])):
            return level.lstrip("各")
    return None


def _is_quota_phrase(rest: str) -> bool:
    """`按规定机构限额` between a level and its verb is an adverbial, not a subject."""
    return rest.startswith(("按", "根据", "依据"))


def _has_content(items: list[Word], lex: Lexicon) -> bool:
    text = join([w for w in items if w not in lex.leading_junk])
    return bool(text) and text not in lex.level_words


def _finish(items: list[Word], lex: Lexicon, kind: str) -> str:
    """Drop 层面 after a level, a bare count suffix (机构数 → 机构) on counts, stray marks."""
    words = [w for i, w in enumerate(items) if w != RESPECTIVE or i in (0, len(items) - 1)]
    # 试点分别发放贷款: 分别 inside a phrase is said of the figures, never part of the thing
    while len(words) > 1 and words[-1] in lex.adverbs:
        words = words[:-1]  # 审批时限再(压减至…): the adverb belongs to the verb
    if kind in ("count", "change") and len(words) > 1 and words[-1] in lex.count_suffixes:
        words = words[:-1]
    text = join(words)
    span = load_phrase_words().trailing_span.search(text)
    if span and span.start() > 0:
        text = text[: span.start()]
    scope = next((w for w in lex.scope_levels if text.startswith(w) and text != w), None)
    if scope:
        text = text[len(scope) :]  # 市县两级编制: the scope of the figure, not part of the thing
    if lex.layer_suffix in text:
        for level in lex.level_words:
            marker = level + lex.layer_suffix
            if text.startswith(marker):
                text = level + text[len(marker) :]
                break
    return balance(shed_stray_verb(text))


def balance(text: str) -> str:
    """Strip brackets and quotes that open or close nothing (a clause cut through “…”)."""
    if MARK_SET.isdisjoint(text):
        return text
    pairs = (("(", ")"), ("“", "”"), ("‘", "’"), ("「", "」"), ("《", "》"))
    changed = True
    while text and changed:
        changed = False
        for left, right in pairs:
            if text.startswith(left) and right not in text:
                text, changed = text[1:], True
            if text.endswith(right) and left not in text:
                text, changed = text[:-1], True
            if text.endswith(left):
                text, changed = text[:-1], True
    return text


def shed_stray_verb(text: str) -> str:
    """`选派服务专员` → 服务专员: a listed verb opening the phrase is not what is counted."""
    for verb in load_phrase_words().stray_verbs:
        if text.startswith(verb) and len(text) > len(verb) + 1:
            return text[len(verb) :]
    return text
