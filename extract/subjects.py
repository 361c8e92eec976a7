"""The subject of a metric: the phrase naming what is counted, as it stands in the text.

The noun phrase after the measure word wins (`下划900多名编制`); else the clause before the
number back to its verb (`市级内设机构减少20个`, `收回内设机构职数183个`); relative clauses complete
a bare head (`需组建挂牌的22个单位`). Word classes: data/subject_words.json over jieba's tags.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import jieba.posseg

from cnpolicy.extract.mentions import read_data

Word = str
Category = str  # n noun, v verb, a modifier, d adverb, p preposition, c conjunction, u particle,
# f locative, r pronoun, m numeral, w punctuation

# jieba tag (its first letters) → our category; anything unlisted counts as a noun.
TAG_CATEGORIES: dict[str, Category] = {
    "v": "v", "vd": "v", "vi": "v", "vg": "v", "vn": "n", "a": "a", "ad": "d", "an": "n",
    "i": "a", "d": "d", "p": "p", "c": "c", "u": "u", "uj": "u", "ul": "u", "uz": "u", "ug": "u",
    "uv": "u", "ud": "u", "f": "f", "r": "r", "m": "m", "q": "m", "mq": "m", "y": "u", "e": "u",
    "o": "u", "zg": "u",
}
OPENING_QUOTES = frozenset("“‘「『")
CLOSING_QUOTES = frozenset("”’」』")
# A quoted stretch of at most this many words is a name (“证照分离”), joined into one word.
MAX_QUOTED_WORDS = 8
# A preposition opens a relative clause (以市委领导为组长的…) only if its 的 comes within
# this many words; farther away it is the predicate's adverbial, not part of the phrase.
MAX_RELATIVE_WORDS = 10


@dataclass(frozen=True, slots=True)
class Lexicon:
    nouns: frozenset[str]
    verbs: frozenset[str]
    adverbs: frozenset[str]
    prepositions: frozenset[str]
    conjunctions: frozenset[str]
    stop_after: frozenset[str]
    trailing_links: frozenset[str]
    leading_junk: frozenset[str]
    split_prefixes: str
    generic_heads: frozenset[str]
    closing_heads: tuple[str, ...]
    head_nouns: tuple[str, ...]
    completion_verbs: frozenset[str]
    event_units: frozenset[str]
    event_verbs: frozenset[str]
    change_verbs: frozenset[str]
    level_words: tuple[str, ...]
    layer_suffix: str
    count_suffixes: frozenset[str]
    topic_suffixes: tuple[str, ...]
    quote_chars: str


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The word classes of data/subject_words.json."""
    data = read_data("subject_words.json")

    def words(key: str) -> frozenset[str]:
        return frozenset(data[key])

    return Lexicon(
        nouns=words("nouns"),
        verbs=words("verbs"),
        adverbs=words("adverbs"),
        prepositions=words("prepositions"),
        conjunctions=words("conjunctions"),
        stop_after=words("stop_after"),
        trailing_links=words("trailing_links"),
        leading_junk=words("leading_junk"),
        split_prefixes=data["split_prefixes"],
        generic_heads=words("generic_heads"),
        closing_heads=tuple(data["closing_heads"]),
        head_nouns=tuple(data["head_nouns"]),
        completion_verbs=words("completion_verbs"),
        event_units=words("event_units"),
        event_verbs=words("event_verbs"),
        change_verbs=words("change_verbs"),
        level_words=tuple(sorted(data["level_words"], key=len, reverse=True)),
        layer_suffix=data["layer_suffix"],
        count_suffixes=words("count_suffixes"),
        topic_suffixes=tuple(data["topic_suffixes"]),
        quote_chars=data["quote_chars"],
    )


@lru_cache(maxsize=1)
def _tag_table() -> dict[str, str]:
    table: dict[str, str] = jieba.posseg.dt.word_tag_tab
    return table


class Words:
    """Categorised words of a stretch of text, with the lexicon's corrections to jieba's tags."""

    def __init__(self, words: list[Word], lexicon: Lexicon):
        self.lex = lexicon
        self.items = self._join_quotes(self._split(words))
        self.cats = [self.category(w) for w in self.items]

    def _join_quotes(self, words: list[Word]) -> list[Word]:
        """A short quoted stretch (“网上办”, “证照分离”) is one noun-like word."""
        out: list[Word] = []
        index = 0
        while index < len(words):
            word = words[index]
            if word in OPENING_QUOTES:
                closing = next(
                    (j for j in range(index + 1, min(len(words), index + MAX_QUOTED_WORDS))
                     if words[j] in CLOSING_QUOTES),
                    None,
                )
                if closing is not None:
                    out.append("".join(words[index : closing + 1]))
                    index = closing + 1
                    continue
            out.append(word)
            index += 1
        return out

    def _split(self, words: list[Word]) -> list[Word]:
        """Split unknown words that start with an adverb character (共设 → 共 设)."""
        out: list[Word] = []
        table = _tag_table()
        for word in words:
            if (
                len(word) > 1
                and word[0] in self.lex.split_prefixes
                and word not in table
                and word not in self.lex.verbs
                and word not in self.lex.nouns
            ):
                out.extend((word[0], word[1:]))
            elif word.strip():
                out.append(word)
        return out

    def category(self, word: Word) -> Category:
        lex = self.lex
        if word in lex.nouns:
            return "n"
        if word in lex.verbs:
            return "v"
        if word in lex.adverbs:
            return "d"
        if word in lex.prepositions:
            return "p"
        if word in lex.conjunctions:
            return "c"
        if word == "的":
            return "u"
        first = word[0]
        if first.isdigit():
            return "m"
        if not (first.isalnum() or first in lex.quote_chars):
            return "w"
        if first in OPENING_QUOTES and len(word) > 1:
            return "q"
        if first in lex.quote_chars:
            return "w"
        tag = _tag_table().get(word)
        return TAG_CATEGORIES.get(tag, "n") if tag else "n"


def join(words: list[Word]) -> str:
    return "".join(words).replace(" ", "")


# --- after the measure word ---------------------------------------------------------------------


def subject_after(words: Words, *, unit: str) -> tuple[str | None, int]:
    """The noun phrase after the unit, and how many words it used (0 when there is none)."""
    lex = words.lex
    items, cats = words.items, words.cats
    index = 0
    if unit in lex.event_units:
        while index < len(items) and items[index] in lex.event_verbs:
            index += 1
    start = index
    taken: list[int] = []
    has_noun = False
    while index < len(items):
        word, cat = items[index], cats[index]
        following = cats[index + 1] if index + 1 < len(items) else "w"
        if cat in ("w", "m", "f", "r", "d") or word in lex.stop_after:
            break
        if word == "的":
            if not taken or following not in ("n", "a", "q", "v"):
                break
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
        if cat == "n" and word.endswith(lex.closing_heads) and following != "c":
            index += 1
            break
        index += 1
    while taken and cats[taken[-1]] not in ("n", "q", "a"):
        taken.pop()
    if not taken:
        return None, 0
    phrase = [items[i] for i in taken]
    is_event = unit in lex.event_units
    if cats[taken[0]] == "v" and not is_event and not join(phrase).endswith(lex.head_nouns):
        return None, 0
    used = taken[-1] + 1
    phrase, used = _complete_generic(words, phrase, used, start)
    return _strip_relative(words, phrase), used


def _relative_end(words: Words, index: int) -> int | None:
    """After a preposition opening a relative clause, the index just past its 的."""
    for j in range(index + 1, min(len(words.items), index + MAX_RELATIVE_WORDS)):
        if words.cats[j] in ("w", "m"):
            return None
        if words.items[j] == "的":
            return j + 1
    return None


def _complete_generic(
    words: Words, phrase: list[Word], used: int, start: int
) -> tuple[list[Word], int]:
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
    """What the clause before the number says: a subject, and whether 分别 distributes it."""

    subject: str | None
    distributed: bool = False
    relative: str | None = None  # "X的" right before the number, for completing a bare head


def subject_before(
    words: Words, *, kind: str, unit: str, topic: str | None = None
) -> Before:
    """The subject from the clause before the number (after the previous metric, if any)."""
    lex = words.lex
    items, cats = _strip_leading(list(words.items), list(words.cats), lex)
    items, cats, distributed = _strip_trailing(items, cats, lex)
    if not distributed:
        cut = _last_list_break(items)
        items, cats = _strip_leading(items[cut:], cats[cut:], lex)
    if not items:
        return Before(None, distributed)
    if items[-1] == "的":
        return _relative_before(items[:-1], cats[:-1], lex, distributed)
    if unit in lex.event_units:
        while items and items[0] in lex.event_verbs:
            items, cats = items[1:], cats[1:]
        return Before(_finish(items, lex, kind) or None, distributed)
    chosen = _choose_phrase(items, cats, lex, topic)
    chosen, _ = _strip_leading(chosen, [words.category(w) for w in chosen], lex)
    subject = _finish(chosen, lex, kind)
    if not subject or subject in lex.level_words:
        return Before(None, distributed)
    return Before(subject, distributed)


def _relative_before(
    items: list[Word], cats: list[Category], lex: Lexicon, distributed: bool
) -> Before:
    """`进展明显滞后的` (3个单位): the relative clause, from its clause or list item."""
    cut = _last_list_break(items)
    items, cats = _strip_leading(items[cut:], cats[cut:], lex)
    phrase = _finish(items, lex, "percent")
    return Before(phrase or None, distributed, relative=phrase + "的" if phrase else None)


def _last_list_break(items: list[Word]) -> int:
    """Just past the last 、 that is not inside brackets (县(市、区) is one name)."""
    depth = 0
    for i in range(len(items) - 1, -1, -1):
        word = items[i]
        depth += word.count(")") - word.count("(")
        if word == "、" and depth <= 0:
            return i + 1
    return 0


def _choose_phrase(
    items: list[Word], cats: list[Category], lex: Lexicon, topic: str | None
) -> list[Word]:
    verb = _predicate(items, cats)
    if verb is None:
        chosen = items
    elif verb == len(items) - 1:
        chosen = items[:verb]
        if topic and _has_content(chosen, lex):
            return [*items, topic]
    else:
        chosen = _after_verb(items, cats, verb, lex)
    if topic and chosen and _tag_table().get(chosen[-1]) == "vn":
        return [*chosen, topic]
    return chosen if verb is not None and verb < len(items) - 1 else _after_first_of(chosen)


def _predicate(items: list[Word], cats: list[Category]) -> int | None:
    """The predicate verb: the last verb outside a relative clause, else the first verb."""
    verbs = [i for i, c in enumerate(cats) if c == "v" and (i == 0 or cats[i - 1] != "c")]
    if not verbs:
        return None
    last_of = max((i for i, w in enumerate(items) if w == "的"), default=-1)
    free = [i for i in verbs if i > last_of]
    return free[-1] if free else verbs[0]


def _after_first_of(items: list[Word]) -> list[Word]:
    """`承担行政职能事业单位的行政职能` → 行政职能 (what stands after the first 的)."""
    if "的" in items[:-1]:
        return items[items.index("的") + 1 :]
    return items


def _strip_trailing(
    items: list[Word], cats: list[Category], lex: Lexicon
) -> tuple[list[Word], list[Category], bool]:
    distributed = False
    changed = True
    while items and changed:
        changed = False
        if items[-1] in lex.trailing_links or cats[-1] in ("w", "d", "u") and items[-1] != "的":
            distributed = distributed or items[-1] == "分别"
            items, cats, changed = items[:-1], cats[:-1], True
            continue
        comparison = _comparison_start(items, cats)
        if comparison is not None:
            items, cats, changed = items[:comparison], cats[:comparison], True
    return items, cats, distributed


def _comparison_start(items: list[Word], cats: list[Category]) -> int | None:
    """`比改革前` / `由改革前的` at the end of the phrase: where it starts."""
    for i in range(len(items) - 1, max(-1, len(items) - 6), -1):
        if items[i] in ("比", "从", "由") and cats[i] == "p":
            return i
    return None


def _strip_leading(
    items: list[Word], cats: list[Category], lex: Lexicon
) -> tuple[list[Word], list[Category]]:
    while items and (items[0] in lex.leading_junk or cats[0] in ("w", "p", "d", "c", "u", "m")):
        if items[0] == "(" and ")" in items:
            break
        items, cats = items[1:], cats[1:]
    while items and cats[-1] == "w" and items[-1] != ")":
        items, cats = items[:-1], cats[:-1]
    return items, cats


def _after_verb(items: list[Word], cats: list[Category], verb: int, lex: Lexicon) -> list[Word]:
    """`市级设党政机构` → 市级党政机构; `党政机关划转职责` → 划转职责; `清理X的Y` → Y."""
    rest = items[verb + 1 :]
    while rest and rest[0] in ("了", "着", "过"):
        rest = rest[1:]
    if len(rest) == 1 and rest[0] in ("职责", "职能", "事项", "权限"):
        return [items[verb], *rest]
    rest = _after_first_of(rest)
    head = [w for w, c in zip(items[:verb], cats[:verb], strict=True) if c not in ("p", "d")]
    level = _level_prefix(head, lex)
    return [level, *rest] if level and rest else rest


def _level_prefix(head: list[Word], lex: Lexicon) -> str | None:
    """The level word when it is all that stands before the verb (市级 in 市级设…)."""
    text = join(head)
    while text.startswith("各"):
        text = text[1:]
    for level in lex.level_words:
        if text == level or (text.startswith(level) and _is_quota_phrase(text[len(level) :])):
            return level[1:] if level.startswith("各") else level
    return None


def _is_quota_phrase(rest: str) -> bool:
    """`按规定机构限额` between a level and its verb is an adverbial, not a subject."""
    return rest.startswith(("按", "根据", "依据"))


def _has_content(items: list[Word], lex: Lexicon) -> bool:
    text = join([w for w in items if w not in lex.leading_junk])
    return bool(text) and text not in lex.level_words


def _finish(items: list[Word], lex: Lexicon, kind: str) -> str:
    """Drop 层面 after a level, a bare count suffix (机构数 → 机构) on counts, stray marks."""
    words = list(items)
    if kind in ("count", "change") and len(words) > 1 and words[-1] in lex.count_suffixes:
        words = words[:-1]
    text = join(words)
    for level in lex.level_words:
        marker = level + lex.layer_suffix
        if text.startswith(marker):
            text = level + text[len(marker) :]
            break
    return _balance(text)


def _balance(text: str) -> str:
    """Strip brackets and quotes that open or close nothing (a clause cut through “…”)."""
    pairs = (("(", ")"), ("“", "”"), ("‘", "’"), ("「", "」"), ("《", "》"))
    changed = True
    while text and changed:
        changed = False
        for left, right in pairs:
            if text.startswith(left) and right not in text:
                text, changed = text[1:], True
            if text.endswith(right) and left not in text:
                text, changed = text[:-1], True
            if text.count(left) > text.count(right) and text.endswith(left):
                text, changed = text[:-1], True
    return text


def distribute(subject: str, index: int, segment: Callable[[str], list[str]]) -> str:
    """`农业系统机构、编制精简比例` 分别 → the index-th of 农业系统机构精简比例, 农业系统编制精简比例."""
    parts = subject.split("、")
    if len(parts) < 2 or index >= len(parts):
        return subject
    first, last = segment(parts[0]), segment(parts[-1])
    if len(first) < 2 or len(last) < 2:
        return subject
    prefix, suffix = "".join(first[:-1]), "".join(last[1:])
    items = [first[-1], *parts[1:-1], last[0]]
    return prefix + items[index] + suffix
