"""The indicator taxonomy (data/indicators.json): canonical ids for what a metric measures, their
Chinese names and aliases (accepted wherever an id is), and the action lexicon (精简, 下放 …).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from cnpolicy.datafiles import read_data_json
from cnpolicy.errors import ExtractError, QueryError

__all__ = [
    "ACTION_JOINERS",
    "MAX_HINTS",
    "RULE_KEYS",
    "TAXONOMY_FILE",
    "Indicator",
    "Rule",
    "Taxonomy",
    "load_taxonomy",
    "resolve_indicators",
]

RULE_KEYS = frozenset(
    {
        "subject_any",
        "subject_none",
        "action_any",
        "unit_any",
        "kind_any",
        "context_any",
        "context_none",
        "sentence_any",
        "sentence_none",
        "recipient_any",
    }
)
# Names offered when a typed indicator is unknown: enough to spot the intended one.
MAX_HINTS = 5
# Words that join the actions of a list (撤销、整合、保留…分别为48个、67个和139个).
ACTION_JOINERS = "、和及与"


@dataclass(frozen=True, slots=True)
class Rule:
    subject_any: tuple[str, ...] = ()
    subject_none: tuple[str, ...] = ()
    action_any: tuple[str, ...] = ()
    unit_any: tuple[str, ...] = ()
    kind_any: tuple[str, ...] = ()
    context_any: tuple[str, ...] = ()
    context_none: tuple[str, ...] = ()
    sentence_any: tuple[str, ...] = ()
    sentence_none: tuple[str, ...] = ()
    # A word in the metric's recipient (下放 to whom); when none was found, in the clause.
    recipient_any: tuple[str, ...] = ()

    def matches(
        self,
        *,
        subject: str,
        action: str | None,
        unit: str,
        kind: str,
        context: str,
        sentence: str = "",
        recipient: str | None = None,
    ) -> bool:
        return (
            (not self.unit_any or unit in self.unit_any)
            and (not self.kind_any or kind in self.kind_any)
            and (not self.action_any or action in self.action_any)
            and (not self.subject_any or any(w in subject for w in self.subject_any))
            and not any(w in subject for w in self.subject_none)
            and (not self.context_any or any(w in context for w in self.context_any))
            and not any(w in context for w in self.context_none)
            and (not self.sentence_any or any(w in sentence for w in self.sentence_any))
            and not any(w in sentence for w in self.sentence_none)
            and (
                not self.recipient_any
                or any(w in (recipient or context) for w in self.recipient_any)
            )
        )


@dataclass(frozen=True, slots=True)
class Indicator:
    """An indicator: its id, names, the one unit its figures are counted in, and its rules.

    Every rule admits only figures in `unit` (a rule naming another unit is refused at load):
    one indicator never mixes units, so its figures can share one scale.
    """

    id: str
    label_zh: str
    label_en: str
    unit: str
    rules: tuple[Rule, ...]
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """What a user may type for it: the id, the Chinese name, the aliases."""
        return (self.id, self.label_zh, *self.aliases)


def _any_of(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex finding any of the words in a text (None for no words)."""
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


@dataclass(frozen=True, slots=True)
class _Matcher:
    """A rule's word lists as single regexes: `search` tells whether any word occurs, as
    `any(w in text for w in words)` does, in one pass."""

    indicator: str
    rule: Rule
    subject_any: re.Pattern[str] | None
    subject_none: re.Pattern[str] | None
    context_any: re.Pattern[str] | None
    context_none: re.Pattern[str] | None
    sentence_any: re.Pattern[str] | None
    sentence_none: re.Pattern[str] | None
    recipient_any: re.Pattern[str] | None

    @classmethod
    def of(cls, indicator: str, rule: Rule) -> _Matcher:
        return cls(
            indicator,
            rule,
            *map(
                _any_of,
                (
                    rule.subject_any,
                    rule.subject_none,
                    rule.context_any,
                    rule.context_none,
                    rule.sentence_any,
                    rule.sentence_none,
                    rule.recipient_any,
                ),
            ),
        )

    def admits(self, unit: str, kind: str, action: str | None) -> bool:
        rule = self.rule
        return (
            (not rule.unit_any or unit in rule.unit_any)
            and (not rule.kind_any or kind in rule.kind_any)
            and (not rule.action_any or action in rule.action_any)
        )

    def matches(
        self, subject: str, context: str, sentence: str, recipient: str | None = None
    ) -> bool:
        """`Rule.matches` for a metric whose unit, kind and action the rule admits."""
        return (
            (self.subject_any is None or self.subject_any.search(subject) is not None)
            and (self.subject_none is None or self.subject_none.search(subject) is None)
            and (self.context_any is None or self.context_any.search(context) is not None)
            and (self.context_none is None or self.context_none.search(context) is None)
            and (self.sentence_any is None or self.sentence_any.search(sentence) is not None)
            and (self.sentence_none is None or self.sentence_none.search(sentence) is None)
            and (
                self.recipient_any is None
                or self.recipient_any.search(recipient or context) is not None
            )
        )


@dataclass(frozen=True, slots=True)
class Taxonomy:
    indicators: tuple[Indicator, ...]
    actions: dict[str, str]  # word → canonical action
    action_pattern: re.Pattern[str]
    # Measure words counting the same things as an indicator's unit (家 → 个), from same_units.
    counted_as: dict[str, str] = field(default_factory=dict)
    _flat: tuple[tuple[str, Rule], ...] = ()
    _matchers: tuple[_Matcher, ...] = field(default=(), compare=False, repr=False)
    # The matchers admitting each (unit, kind, action) seen, in rule order. Units, kinds and
    # actions are the lexicons' own few hundred words, so this stays small.
    _admitted: dict[tuple[str, str, str | None], tuple[_Matcher, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        flat = tuple((i.id, rule) for i in self.indicators for rule in i.rules)
        object.__setattr__(self, "_flat", flat)
        object.__setattr__(self, "_matchers", tuple(_Matcher.of(i, rule) for i, rule in flat))

    def assign(
        self,
        *,
        subject: str | None,
        action: str | None,
        unit: str,
        kind: str,
        context: str,
        sentence: str = "",
        recipient: str | None = None,
    ) -> str | None:
        """The first indicator whose rules match, else None."""
        key = (unit, kind, action)
        admitted = self._admitted.get(key)
        if admitted is None:
            admitted = tuple(m for m in self._matchers if m.admits(unit, kind, action))
            self._admitted[key] = admitted
        text = subject or ""
        for matcher in admitted:
            if matcher.matches(text, context, sentence, recipient):
                return matcher.indicator
        return None

    @property
    def flat_rules(self) -> tuple[tuple[str, Rule], ...]:
        return self._flat

    def find_action(self, before: str, after: str, subject: str | None = None) -> str | None:
        """The action nearest before the number in its clause (outside the subject's own
        words: 审批 in 审批事项 is not what was done), else the first one after it."""
        if subject and subject in before:
            at = before.rfind(subject)
            before = before[:at] + " " * len(subject) + before[at + len(subject) :]
        found = list(self.action_pattern.finditer(before))
        if found:
            return self.actions[found[-1].group()]
        match = self.action_pattern.search(after)
        return self.actions[match.group()] if match else None

    def action_list(self, before: str) -> list[str]:
        """`撤销、整合、保留市直事业单位分别为…`: the actions of a list of them, in order (empty
        when the clause names fewer than two actions joined by 、/和)."""
        found = list(self.action_pattern.finditer(before))
        for first, second in itertools.pairwise(found):
            if before[first.end() : second.start()] not in tuple(ACTION_JOINERS):
                return []
        return [self.actions[m.group()] for m in found] if len(found) > 1 else []

    def unit_of(self, unit: str) -> str:
        """The unit a figure counts in for comparisons: 个 for 家, else the unit itself."""
        return self.counted_as.get(unit, unit)

    def get(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)

    def lookup(self, name: str) -> tuple[Indicator, ...]:
        """The indicators a typed name means: an id, a Chinese name, or an alias (an alias
        several indicators share, such as 精简比例, means all of them); () when none."""
        given = name.strip()
        return tuple(i for i in self.indicators if given in i.names)

    def suggest(self, text: str) -> tuple[Indicator, ...]:
        """Indicators with a name containing the text (or contained in it), for suggestions."""
        given = text.strip()
        if not given:
            return ()
        return tuple(i for i in self.indicators if any(given in n or n in given for n in i.names))


def resolve_indicators(names: Sequence[str]) -> tuple[str, ...]:
    """Ids for what a user typed (ids, Chinese names, aliases), in order, without repeats.

    A name that is none of them is a QueryError naming it, with the nearest names as hints.
    """
    taxonomy = load_taxonomy()
    found: list[str] = []
    for name in names:
        if not name.strip():
            continue
        matched = taxonomy.lookup(name)
        if not matched:
            hints = "、".join(i.label_zh for i in taxonomy.suggest(name)[:MAX_HINTS])
            raise QueryError(
                f"unknown indicator {name.strip()!r}"
                + (f"; did you mean {hints}?" if hints else "; see the taxonomy's names"),
                field="indicator",
            )
        found.extend(i.id for i in matched)
    return tuple(dict.fromkeys(found))


TAXONOMY_FILE = "cnpolicy/data/indicators.json"


def _rule(data: dict[str, Any], where: str, unit: str, same: Sequence[str] = ()) -> Rule:
    """A rule of the indicator `where`, admitting only its unit (and measure words that count
    the same things, `same`: 家 for 个 institutions)."""
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise ExtractError(
            f"unknown rule keys {sorted(unknown)}; expected some of {sorted(RULE_KEYS)}",
            source=TAXONOMY_FILE,
            field=where,
        )
    if data.get("unit_any", [unit]) != [unit]:
        raise ExtractError(
            f"rule admits units {data['unit_any']}, but the indicator is counted in {unit!r} "
            "(one indicator, one unit)",
            source=TAXONOMY_FILE,
            field=where,
        )
    values = {key: tuple(value) for key, value in data.items()}
    values["unit_any"] = (unit, *same)
    return Rule(**values)


def _check_names(indicators: Sequence[Indicator]) -> None:
    """Ids and Chinese names are unique and never another indicator's alias; aliases may be
    shared (a shared alias names a family, e.g. 精简比例)."""
    owner: dict[str, str] = {}
    for indicator in indicators:
        for name in (indicator.id, indicator.label_zh):
            if name in owner:
                raise ExtractError(
                    f"name {name!r} of {indicator.id} is already {owner[name]}'s",
                    source=TAXONOMY_FILE,
                    field=indicator.id,
                )
            owner[name] = indicator.id
    for indicator in indicators:
        for alias in indicator.aliases:
            if owner.get(alias, indicator.id) != indicator.id:
                raise ExtractError(
                    f"alias {alias!r} of {indicator.id} is {owner[alias]}'s name",
                    source=TAXONOMY_FILE,
                    field=indicator.id,
                )


@cache
def load_taxonomy() -> Taxonomy:
    """The taxonomy and actions of data/indicators.json, validated (read once per process: it
    was read again for every document, 2 ms each)."""
    data = read_data_json("cnpolicy", "indicators.json")
    same_units: dict[str, list[str]] = data.get("same_units", {})
    indicators = []
    for entry in data["indicators"]:
        missing = {"id", "label_zh", "label_en", "unit", "rules"} - set(entry)
        if missing:
            raise ExtractError(f"indicator lacks {sorted(missing)}", source=TAXONOMY_FILE)
        same = same_units.get(entry["unit"], ())
        rules = tuple(_rule(r, entry["id"], entry["unit"], same) for r in entry["rules"])
        indicators.append(
            Indicator(
                entry["id"],
                entry["label_zh"],
                entry["label_en"],
                entry["unit"],
                rules,
                tuple(entry.get("aliases", ())),
            )
        )
    _check_names(indicators)
    actions = {w: canonical for canonical, words in data["actions"].items() for w in words}
    alternation = "|".join(re.escape(w) for w in sorted(actions, key=len, reverse=True))
    counted_as = {word: unit for unit, words in same_units.items() for word in words}
    return Taxonomy(tuple(indicators), actions, re.compile(alternation), counted_as)
