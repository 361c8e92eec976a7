"""Organisation names (ORG): found by their suffix and left context, resolved to full names.

`OrgRules.find` gives the spans of party and government bodies in a text; `OrgRules.normalize`
turns a name into the full one for the document's place (市委编办 in 鄂州市 → 中共鄂州市委机构编制委员会办公室).
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cnpolicy.datafiles import read_data_json, read_data_text
from cnpolicy.errors import ExtractError
from cnpolicy.gazetteer import Gazetteer, PlaceMention, load_gazetteer
from cnpolicy.records import Region
from cnpolicy.segmenter import dictionary_tags

__all__ = [
    "ABBREVIATIONS_FILE",
    "CONTEXT_FILE",
    "MAX_ORG_BODY",
    "NAME_TAGS",
    "NORMALIZE_CACHE",
    "PLACE_SCANS_CACHED",
    "SUFFIXES_FILE",
    "UNKNOWN_PLACE",
    "OrgRules",
    "PlaceContext",
    "Suffix",
    "alternation",
    "chains",
    "is_cjk",
    "is_common_word",
    "issuer_name",
    "issuer_query_forms",
    "load_org_rules",
    "parse_suffixes",
    "place_context",
    "places_in",
]

SUFFIXES_FILE = "org_suffixes.txt"
CONTEXT_FILE = "org_context.json"
ABBREVIATIONS_FILE = "abbreviations.json"
# The longest name body (places and words before the suffix) looked at. The longest in the reform
# reports is 中共湛江市委军民融合发展 (12 characters) and 三定 titles reach 14; 16 leaves room
# without letting a name run over a whole clause.
MAX_ORG_BODY = 16
# Names resolved per process are remembered (a corpus repeats 市委, 市政府 … thousands of times);
# a few thousand distinct (name, place) pairs cover a city's documents at a few hundred KB.
NORMALIZE_CACHE = 4096
# A place missing from the gazetteer at the start of a name: two or three characters and a level
# suffix (江州市市场监督管理局). Shorter is a level word, longer is a phrase.
UNKNOWN_PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}?[省市县区州旗]")
# jieba's part-of-speech tags for names (places ns, people nr, other proper nouns nz, bodies nt,
# abbreviations j): a place missing from the gazetteer may be one of these, never another word.
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nz", "nt", "j"})


def is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


# Texts whose place scan is remembered: the entity and metric components read the same text
# one after the other, so the last few suffice (a scan of 3,000 characters is a few hundred µs).
PLACE_SCANS_CACHED = 4


def _by_length(words: Iterable[str]) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Words grouped by length, so one `str.startswith(tuple)` tests a whole group."""
    groups: dict[int, list[str]] = {}
    for word in words:
        groups.setdefault(len(word), []).append(word)
    return tuple((length, tuple(group)) for length, group in groups.items())


def _by_char_offset_length(
    words: Iterable[str],
) -> dict[str, tuple[tuple[int, int, tuple[str, ...]], ...]]:
    """For each character, the words holding it grouped by (offset of the character, length)."""
    groups: dict[str, dict[tuple[int, int], list[str]]] = {}
    for word in words:
        for offset, char in enumerate(word):
            groups.setdefault(char, {}).setdefault((offset, len(word)), []).append(word)
    return {
        char: tuple((offset, length, tuple(ws)) for (offset, length), ws in by.items())
        for char, by in groups.items()
    }


@lru_cache(maxsize=PLACE_SCANS_CACHED)
def places_in(text: str) -> tuple[PlaceMention, ...]:
    """Every gazetteer place in the text (one scan per text, shared by the components)."""
    return tuple(load_gazetteer().find(text))


def alternation(words: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any of the words, longest first (so 委员会 wins over 委)."""
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered) or r"(?!x)x")


@dataclass(frozen=True, slots=True)
class Suffix:
    """An organisation suffix: strong ones mark a body alone, weak ones need a place before them."""

    text: str
    strong: bool
    min_body: int


@dataclass(frozen=True, slots=True)
class PlaceContext:
    """The places a document's level words stand for (市 → its city), from the document's region."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None

    def for_level(self, char: str, level: str) -> str | None:
        """The place a level character stands for: 市 → the city, 县/区 → the county."""
        place = {"province": self.province, "city": self.city, "county": self.county}.get(level)
        if place and place.endswith(char):
            return place
        if char == "区" and self.county is None and (self.province or "").endswith("自治区"):
            return self.province  # 区委 in a document about an autonomous region
        return None


def parse_suffixes(text: str) -> list[Suffix]:
    """The suffix table (org_suffixes.txt); ExtractError naming the line that is malformed."""
    suffixes: list[Suffix] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("strong", "weak") or not parts[2].isdigit():
            raise ExtractError(
                f"line {number}: expected 'suffix<TAB>strong|weak<TAB>min_body', got {line!r}",
                source=SUFFIXES_FILE,
            )
        suffixes.append(Suffix(parts[0], parts[1] == "strong", int(parts[2])))
    return suffixes


def place_context(region: Region | None, gazetteer: Gazetteer) -> PlaceContext:
    """Which province, city and county the document's 省/市/县 words mean."""
    if region is None:
        return PlaceContext()
    division = gazetteer.by_code.get(region.code) if region.code else None
    if division is None:  # a place missing from the gazetteer stands only for itself
        name = region.name
        return PlaceContext(
            province=region.province or (name if name.endswith("省") else None),
            city=name if name.endswith(("市", "州")) else None,
            county=name if name.endswith(("县", "区", "旗")) else None,
        )
    province = gazetteer.by_code.get(division.province)
    province_name = province.name if province else None
    if division.level == "province":
        return PlaceContext(province_name, division.name, None, division.code)
    if division.level == "city":
        return PlaceContext(province_name, division.name, None, division.code)
    city = gazetteer.by_code.get(division.city_code)
    city_name = division.name if division.name.endswith("市") else (city.name if city else None)
    return PlaceContext(province_name, city_name, division.name, division.code)


class OrgRules:
    """The ORG lexicons, compiled once: suffixes, context words, abbreviation table."""

    def __init__(
        self,
        suffixes: Sequence[Suffix],
        context: dict[str, Any],
        abbreviations: dict[str, Any],
        gazetteer: Gazetteer,
    ):
        self.gazetteer = gazetteer
        self.suffixes = {s.text: s for s in suffixes}
        self.suffix_re = alternation(self.suffixes)
        self.boundary_re = alternation(context["boundaries"])
        self.conjunctions = frozenset(context["conjunctions"])
        self.protected_re = alternation(context["protected"])
        self.modifiers = tuple(sorted(context["modifiers"], key=len, reverse=True))
        self.anchor_words = tuple(sorted(context["anchors"], key=len, reverse=True))
        self.unknown_blocklist = frozenset(context["unknown_place_blocklist"])
        self.not_org = _by_char_offset_length(context["not_org"])
        self.levels: dict[str, str] = dict(abbreviations["levels"])
        self.level_blocked: dict[str, tuple[str, ...]] = {
            char: tuple(words) for char, words in context["levels"].items()
        }
        self.level_blocked_by_length = {
            char: _by_length(words) for char, words in self.level_blocked.items()
        }
        self.level_words = frozenset(abbreviations["level_words"])
        self.national: dict[str, str] = dict(abbreviations["national"])
        self.national_re = alternation(self.national)
        self.exact: dict[str, str] = dict(abbreviations["exact"])
        self.prefix: list[tuple[str, str]] = sorted(
            abbreviations["prefix"].items(), key=lambda kv: len(kv[0]), reverse=True
        )
        self.forms_re = alternation([*self.exact, *abbreviations["prefix"]])
        self._normalized: dict[tuple[str, PlaceContext], str | None] = {}

    # --- finding ------------------------------------------------------------------------------

    def find(self, text: str, places: Sequence[PlaceMention]) -> list[tuple[int, int]]:
        """The (start, end) of every organisation name in the text; `places` from the gazetteer."""
        place_at = {m.start: m.end for m in places}
        masked = bytearray(len(text))
        for place in places:
            masked[place.start : place.end] = b"\x01" * (place.end - place.start)
        for word in self.protected_re.finditer(text):
            masked[word.start() : word.end()] = b"\x01" * (word.end() - word.start())
        spans = [
            (m.start(), m.end())
            for m in self.national_re.finditer(text)
            if not self._crosses_word(text, m.start(), m.end())
        ]
        matches = [
            (m.start(), m.end(), self.suffixes[m.group()])
            for m in self.suffix_re.finditer(text)
            if not self._crosses_word(text, m.start(), m.end())
        ]
        ends = {end for _, end, _ in matches}
        for chain_start, chain_end, first, last in chains(matches):
            start = self._name_start(text, chain_start, first, last, place_at, masked, ends)
            if start is not None:
                spans.append((start, chain_end))
        return spans

    def _crosses_word(self, text: str, start: int, end: int) -> bool:
        """Whether [start, end) is part of an ordinary word such as 格局, 部门, 主办 (see not_org)."""
        for index in {start, end - 1}:
            for offset, length, words in self.not_org.get(text[index], ()):
                at = index - offset
                if at >= 0 and (at < start or at + length > end) and text.startswith(words, at):
                    return True
        return False

    def _name_start(
        self,
        text: str,
        chain_start: int,
        first: Suffix,
        last: Suffix,
        place_at: MutableMapping[int, int],
        masked: bytearray,
        ends: set[int],
    ) -> int | None:
        """Where the name ending in the suffix chain at `chain_start` begins, or None if no name."""
        limit = max(0, chain_start - MAX_ORG_BODY)
        start = chain_start
        while start > limit and is_cjk(text[start - 1]):
            start -= 1
        open_left = start == limit and start > 0 and is_cjk(text[start - 1])
        boundary = self._last_boundary(text, start, chain_start, place_at, masked, ends)
        if boundary is not None:
            start, open_left = boundary, False
        place_at = self._with_unknown_place(
            text, start, chain_start + len(first.text), place_at, masked
        )
        run = self._last_anchor_run(text, start, chain_start, place_at)
        if run is not None:
            start = self._unknown_before_level(text, start, run, chain_start, place_at, masked)
        elif open_left or not last.strong:
            return None
        else:
            start = self._strip_modifiers(text, start, chain_start)
        return start if chain_start - start >= first.min_body and start < chain_start else None

    def _with_unknown_place(
        self, text: str, start: int, end: int, place_at: MutableMapping[int, int], masked: bytearray
    ) -> MutableMapping[int, int]:
        """The places of `place_at`, and a place missing from the gazetteer that starts the
        name (after 中共), unless a known place overlaps it (规范|江州市 is no place 规范江州)."""
        for word in self.anchor_words:
            if text.startswith(word, start):
                start += len(word)
                break
        if start in place_at:
            return place_at
        unknown = self.leading_unknown_place(text[start:end])
        if unknown is None or any(masked[start : start + len(unknown)]):
            return place_at
        return ChainMap({start: start + len(unknown)}, place_at)

    def _unknown_before_level(
        self,
        text: str,
        start: int,
        run: int,
        end: int,
        place_at: MutableMapping[int, int],
        masked: bytearray,
    ) -> int:
        """Where a name whose places begin with a level character really begins: at a place
        missing from the gazetteer that ends in it (规范|江州市…, not 州市…), else at `run`."""
        if run in place_at or not self.is_level(text, run):
            return run
        for back in (1, 2):
            at = run - back
            if at < start or any(masked[at:run]):
                break
            name = self.leading_unknown_place(text[at:end])
            if name and at + len(name) > run:
                return at
        return run

    def _last_boundary(
        self,
        text: str,
        start: int,
        end: int,
        place_at: MutableMapping[int, int],
        masked: bytearray,
        ends: set[int],
    ) -> int | None:
        """The end of the last word in text[start:end] that cannot belong to a name (组建, 的 …)."""
        found: int | None = None
        for m in self.boundary_re.finditer(text, start, end):
            if not any(masked[m.start() : m.end()]):
                found = m.end()
        for index in range(start, end):
            if text[index] in self.conjunctions and not masked[index]:
                after = self._anchor_end(text, index + 1, place_at)
                if index in ends or after is not None:
                    found = max(found or 0, index + 1)
        return found

    def _last_anchor_run(
        self, text: str, start: int, end: int, place_at: MutableMapping[int, int]
    ) -> int | None:
        """Where the last run of places and level words before the suffix begins (中共湛江市|委)."""
        run: int | None = None
        previous_end = -1
        index = start
        while index < end:
            anchor_end = self._anchor_end(text, index, place_at)
            if anchor_end is None or anchor_end > end:
                index += 1
                continue
            if index != previous_end:
                run = index
            previous_end = index = anchor_end
        return run

    def _anchor_end(self, text: str, index: int, place_at: MutableMapping[int, int]) -> int | None:
        """The end of a place, a level character (市) or a word like 中共 starting at index."""
        if index >= len(text):
            return None
        if index in place_at:
            return place_at[index]
        if text.startswith(self.anchor_words, index):  # one test for all before the loop
            for word in self.anchor_words:
                if text.startswith(word, index):
                    return index + len(word)
        return index + 1 if self.is_level(text, index) else None

    def is_level(self, text: str, index: int) -> bool:
        """Whether text[index] is a level character (市 in 市委) rather than part of a word (城市)."""
        char = text[index]
        if char not in self.levels or index + 1 >= len(text):
            return False
        for length, words in self.level_blocked_by_length.get(char, ()):
            if text.startswith(words, index + 1 - length):
                return False
        if text[index : index + 2] in self.level_words:
            return self.forms_re.match(text, index + 1) is not None  # 市政府, not 市政管理
        return True

    def _strip_modifiers(self, text: str, start: int, end: int) -> int:
        for word in self.modifiers:
            if text.startswith(word, start) and start + len(word) < end:
                return start + len(word)
        return start

    # --- resolving ----------------------------------------------------------------------------

    def normalize(self, name: str, context: PlaceContext) -> str | None:
        """The full name of a body; None when its place cannot be told (市委 with no region)."""
        key = (name, context)
        if key not in self._normalized:
            if len(self._normalized) >= NORMALIZE_CACHE:
                self._normalized.clear()
            self._normalized[key] = self._normalize(name, context)
        return self._normalized[key]

    def query_forms(self, text: str) -> tuple[str, ...]:
        """What a partial issuer name typed as a filter matches: the text as written, and with
        an abbreviation at its end spelled out after what precedes it (编办 → 委机构编制委员会办公室,
        市委编办 → 市委机构编制委员会办公室, 市政府 → 市人民政府, 中编办 → its full name)."""
        if text in self.national:
            return (text, self.national[text])
        forms = [text]
        for short, template in sorted(self.exact.items(), key=lambda kv: -len(kv[0])):
            if text.endswith(short):
                forms.append(text[: -len(short)] + template.split("{place}")[-1])
                break
        for short, template in self.prefix:
            if text.endswith(short):
                forms.append(text[: -len(short)] + template.split("{place}")[-1])
                break
        return tuple(dict.fromkeys(form for form in forms if form))

    def _normalize(self, name: str, context: PlaceContext) -> str | None:
        if name in self.national:
            return self.national[name]
        rest = name
        for party in ("中国共产党", "中共"):
            if rest.startswith(party):
                rest = rest[len(party) :]
                break
        place, taken = self._leading_place(rest, context)
        if place is None and rest and self.is_level(rest, 0):
            place, taken = context.for_level(rest[0], self.levels[rest[0]]), 1
        if place is None or taken >= len(rest):
            return None
        rest = rest[taken:]
        if rest in self.exact:
            return self.exact[rest].format(place=place)
        for short, full in self.prefix:
            if rest.startswith(short):
                return full.format(place=place) + rest[len(short) :]
        return place + rest

    def _leading_place(self, text: str, context: PlaceContext) -> tuple[str | None, int]:
        """The last of the places a name starts with (full name) and where they end; places
        missing from the gazetteer count (广西壮族自治区江州市 → 江州市)."""
        place: str | None = None
        taken = 0
        while taken < len(text):
            known = self.gazetteer.find(text[taken : taken + 12])
            if known and known[0].start == 0:
                place = self.gazetteer.choose(known[0].candidates, within=context.code).name
                taken += known[0].end
                continue
            unknown = self.leading_unknown_place(text[taken:])
            if unknown is None:
                break
            place, taken = unknown, taken + len(unknown)
        return place, taken

    def leading_unknown_place(self, text: str, *, allow_end: bool = False) -> str | None:
        """A place missing from the gazetteer at the start of a name (江州市 in 江州市市场监督管理局)."""
        m = UNKNOWN_PLACE.match(text)
        if m is None or (m.end() >= len(text) and not allow_end):
            return None
        name = m.group()
        if name in self.unknown_blocklist or text[m.end() - 1 : m.end() + 1] in self.level_words:
            return None
        if self.boundary_re.search(name[:-1]) or name[0] in self.levels:
            return None
        if any(name.endswith(word) for word in self.level_blocked.get(name[-1], ())):
            return None
        stem = name[:-1]
        pieces = [stem] + ([stem[:2], stem[1:]] if len(stem) > 2 else [])
        if any(is_common_word(piece) for piece in pieces):
            return None  # 今天|市委, 规范|江州市, 我|代表|市: words before a level word, no place
        return name


def is_common_word(text: str) -> bool:
    """Whether jieba's dictionary has the text as a word that is not a name (今天, 强化, 规范)."""
    tag = dictionary_tags().get(text)
    return tag is not None and tag not in NAME_TAGS


def chains(matches: Sequence[tuple[int, int, Suffix]]) -> list[tuple[int, int, Suffix, Suffix]]:
    """Adjacent suffixes joined (委员会+办公室): (start, end, first suffix, last suffix)."""
    joined: list[tuple[int, int, Suffix, Suffix]] = []
    for start, end, suffix in matches:
        if joined and joined[-1][1] == start:
            first_start, _, first, _ = joined[-1]
            joined[-1] = (first_start, end, first, suffix)
        else:
            joined.append((start, end, suffix, suffix))
    return joined


@lru_cache(maxsize=1)
def load_org_rules() -> OrgRules:
    """The bundled ORG lexicons, parsed once per process."""
    return OrgRules(
        parse_suffixes(read_data_text("cnpolicy", SUFFIXES_FILE)),
        read_data_json("cnpolicy", CONTEXT_FILE),
        read_data_json("cnpolicy", ABBREVIATIONS_FILE),
        load_gazetteer(),
    )


def issuer_query_forms(text: str) -> tuple[str, ...]:
    """The strings a publisher filter looks for in names as written and in full (OrgRules)."""
    return load_org_rules().query_forms(text.strip()) if text.strip() else ()


def issuer_name(publisher: str | None, region: Region | None) -> str | None:
    """A publisher's full name when it is a party or government body (市委编办 in 鄂州市 →
    中共鄂州市委机构编制委员会办公室), else the name as written (湛江日报, 新华社)."""
    if not publisher:
        return None
    rules = load_org_rules()
    spans = rules.find(publisher, places_in(publisher))
    if (0, len(publisher)) not in spans:
        return publisher
    return rules.normalize(publisher, place_context(region, load_gazetteer())) or publisher
