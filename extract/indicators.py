"""The indicator taxonomy (data/indicators.json): canonical ids for what a metric measures.

Also owns the action lexicon (精简, 下放, 划转 …): which word in a clause says what was done.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cnpolicy.errors import ExtractError
from cnpolicy.extract.mentions import read_data

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
    }
)
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

    def matches(
        self,
        *,
        subject: str,
        action: str | None,
        unit: str,
        kind: str,
        context: str,
        sentence: str = "",
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
        )


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    label_zh: str
    label_en: str
    unit: str
    rules: tuple[Rule, ...]


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

    def matches(self, subject: str, context: str, sentence: str) -> bool:
        """`Rule.matches` for a metric whose unit, kind and action the rule admits."""
        return (
            (self.subject_any is None or self.subject_any.search(subject) is not None)
            and (self.subject_none is None or self.subject_none.search(subject) is None)
            and (self.context_any is None or self.context_any.search(context) is not None)
            and (self.context_none is None or self.context_none.search(context) is None)
            and (self.sentence_any is None or self.sentence_any.search(sentence) is not None)
        )


@dataclass(frozen=True, slots=True)
class Taxonomy:
    indicators: tuple[Indicator, ...]
    actions: dict[str, str]  # word → canonical action
    action_pattern: re.Pattern[str]
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
    ) -> str | None:
        """The first indicator whose rules match, else None."""
        key = (unit, kind, action)
        admitted = self._admitted.get(key)
        if admitted is None:
            admitted = tuple(m for m in self._matchers if m.admits(unit, kind, action))
            self._admitted[key] = admitted
        text = subject or ""
        for matcher in admitted:
            if matcher.matches(text, context, sentence):
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

    def get(self, indicator_id: str) -> Indicator | None:
        return next((i for i in self.indicators if i.id == indicator_id), None)


def _rule(data: dict[str, Any], where: str) -> Rule:
    unknown = set(data) - RULE_KEYS
    if unknown:
        raise ExtractError(
            f"unknown rule keys {sorted(unknown)}; expected some of {sorted(RULE_KEYS)}",
            source="extract/data/indicators.json",
            field=where,
        )
    return Rule(**{key: tuple(value) for key, value in data.items()})


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The taxonomy and actions of data/indicators.json, validated."""
    data = read_data("indicators.json")
    indicators = []
    for entry in data["indicators"]:
        missing = {"id", "label_zh", "label_en", "unit", "rules"} - set(entry)
        if missing:
            raise ExtractError(
                f"indicator lacks {sorted(missing)}", source="extract/data/indicators.json"
            )
        rules = tuple(_rule(r, entry["id"]) for r in entry["rules"])
        indicators.append(
            Indicator(entry["id"], entry["label_zh"], entry["label_en"], entry["unit"], rules)
        )
    actions = {w: canonical for canonical, words in data["actions"].items() for w in words}
    alternation = "|".join(re.escape(w) for w in sorted(actions, key=len, reverse=True))
    return Taxonomy(tuple(indicators), actions, re.compile(alternation))
