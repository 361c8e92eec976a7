"""Approximate figures: the qualifier words (超过, 近, 约, 余, 以上 …) by kind and position, one
list for extraction and for the qualifier shown as written in exports and comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cnpolicy.datafiles import read_data_json
from cnpolicy.errors import ExtractError
from cnpolicy.records import Approx

__all__ = ["APPROX_KINDS", "QUALIFIERS_FILE", "Qualifiers", "load_qualifiers", "qualifier_of"]

QUALIFIERS_FILE = "cnpolicy/data/qualifiers.json"
APPROX_KINDS: tuple[Approx, ...] = ("more_than", "nearly", "about", "at_most")


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """Qualifier word → approx kind, by where the word stands."""

    before: dict[str, Approx]  # 超过30%, 约占…的69%
    inside: dict[str, Approx]  # between the number and its unit: 900多名, 10余次
    after: dict[str, Approx]  # 30%以上, 5万元左右


def _kinds(groups: dict[str, Any], position: str) -> dict[str, Approx]:
    """Word → kind; a group named other than the four kinds is an error naming it."""
    found: dict[str, Approx] = {}
    for name, words in groups.items():
        if name.startswith("_"):
            continue
        kind = next((k for k in APPROX_KINDS if k == name), None)
        if kind is None:
            raise ExtractError(
                f"qualifier group {name!r} is not one of {list(APPROX_KINDS)}",
                source=QUALIFIERS_FILE,
                field=position,
            )
        found.update(dict.fromkeys(words, kind))
    return found


@lru_cache(maxsize=1)
def load_qualifiers() -> Qualifiers:
    data = read_data_json("cnpolicy", "qualifiers.json")
    return Qualifiers(
        before=_kinds(data["before"], "before"),
        inside=_kinds(data["inside"], "inside"),
        after=_kinds(data["after"], "after"),
    )


def qualifier_of(quote: str, approx: str | None) -> str | None:
    """The words of a mention that qualify its number, as written: `余` in 两百余项, `以上` in
    30%以上, `近` in 近三百亿元; None for an exact figure or one qualified by its shape alone
    (上千种, 两三个)."""
    if approx is None:
        return None
    qualifiers = load_qualifiers()
    words = {
        word
        for table in (qualifiers.before, qualifiers.inside, qualifiers.after)
        for word, kind in table.items()
        if kind == approx and word in quote
    }
    found = sorted(words, key=lambda w: (quote.index(w), -len(w)))
    kept: list[str] = []
    for word in found:
        if not any(word in other for other in kept):  # 以上 inside 及以上
            kept.append(word)
    return "…".join(kept) or None
