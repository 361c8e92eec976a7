"""A figure's scope (市级, 全市, 3个县 …) and a transfer's recipient (乡镇, 开发区, 县), from the text.

Rules as data in extract/data/scopes.json; the metrics component calls `find_scope` and
`find_recipient` with the sentence (or clause) text before and around each figure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["find_recipient", "find_scope"]

SCOPES_FILE = "scopes.json"


@dataclass(frozen=True)
class ScopeRules:
    whole: re.Pattern[str]
    subset: re.Pattern[str]
    recipient: re.Pattern[str]
    subset_mark: str  # in every subset: without it, `subset` (tried at every position) cannot match


@lru_cache(maxsize=1)
def load_scope_rules() -> ScopeRules:
    text = resources.files("cnpolicy.extract").joinpath("data").joinpath(SCOPES_FILE)
    data = json.loads(text.read_text("utf-8"))
    verbs = "|".join(data["transfer_verbs"])
    targets = "|".join(data["recipients"])
    recipient = (
        rf"向(?P<a>{targets})[^,;。]{{0,6}}?(?:{verbs})"
        rf"|(?:{verbs})(?:到|至|给)?(?P<b>{targets})"
    )
    return ScopeRules(
        whole=re.compile("|".join(data["whole"])),
        subset=re.compile(data["subset"]),
        recipient=re.compile(recipient),
        subset_mark=data["subset_mark"],
    )


def find_scope(before: str, level: str | None, recipient: str | None = None) -> str | None:
    """The scope of a figure whose sentence reads `before` up to it: the nearest whole-place
    word (全市) or counted subset (3个县), unless the figure's level word (市级) is nearer; the
    level word of a transfer's recipient (向乡镇下放) is not the scope."""
    rules = load_scope_rules()
    if level and recipient and level in recipient:
        level = None
    found: tuple[int, str] | None = None
    patterns = (rules.whole, rules.subset) if rules.subset_mark in before else (rules.whole,)
    for pattern in patterns:
        for match in pattern.finditer(before):
            if found is None or match.start() > found[0]:
                found = (match.start(), match.group())
    if level:
        at = before.rfind(level)
        if at >= 0 and (found is None or at > found[0]):
            return level
        if found is None:
            return level
    return found[1] if found else None


def find_recipient(clause: str) -> str | None:
    """Who a transfer in the clause goes to (向乡镇下放, 下放到开发区, 赋予县级), or None."""
    match = load_scope_rules().recipient.search(clause)
    if match is None:
        return None
    return match["a"] or match["b"]
