"""China's administrative divisions (province, city, county) with six-digit codes, and place lookup.

Data: cnpolicy/data/gazetteer.tsv, generated from jionlp's division data by tools/build_gazetteer.py.
A name is matched exactly (full name, a province's or city's short name, or a former name such as
襄樊市); a place not in the gazetteer is never mapped to a similar-sounding real one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cnpolicy.records import Region, RegionLevel

__all__ = [
    "DIVISION_SUFFIX",
    "LEVEL_RANK",
    "MIN_FORMER_NAME",
    "MIN_SHORT_NAME",
    "NATION",
    "NATION_CODE",
    "NATION_NAME",
    "NATION_NAMES",
    "NOT_PLACES",
    "OWN_PLACE",
    "PLACEHOLDER_NAMES",
    "SHORT_NAME_LEVELS",
    "SHORT_NAME_STOPLIST",
    "UNKNOWN_PLACE",
    "Division",
    "Gazetteer",
    "PlaceMention",
    "char_class",
    "code_prefix",
    "contains",
    "enclosing_codes",
    "load_gazetteer",
    "nation_region",
]

# Words that point back at the document's own place (我市精简…): the document region applies.
# The word's level says which place in scope is meant: after a city's section, 全省 is the
# province again; in a provincial report, 全国 is the nation.
OWN_PLACE = re.compile(
    r"我市|本市|全市|我省|本省|全省|我县|本县|全县|我区|全区|我州|全州|全国|我国"
)
# Bases of a "X市/X区" that are ordinary words, not place names (开发区, 园区 …).
NOT_PLACES = frozenset(
    {"开发", "高新", "新区", "自贸", "示范", "保税", "经济", "工业", "城市", "全市"}
)
# Placeholder rows in the source data that are not places anyone writes about.
PLACEHOLDER_NAMES = frozenset(
    {"市辖区", "市直辖行政区划", "省直辖县级行政区划", "自治区直辖县级行政区划"}
)
# Short names are matched only for provinces and prefecture-level cities: county short names
# (和平, 城关, 通州 …) are ordinary words far too often. Two characters is the shortest
# short name that is not a common word in policy prose ("湛江", "广东").
SHORT_NAME_LEVELS = frozenset({"province", "city"})
MIN_SHORT_NAME = 2
# Former names are used only when they are unambiguous and at least this long (城区, 郊区 are not).
MIN_FORMER_NAME = 3
# Short names that are common words or institution names in policy prose, never matched alone.
SHORT_NAME_STOPLIST = frozenset(
    {"中山", "吉林", "来宾", "安康", "大同", "长治", "白山", "黄山", "三明"}
)
# A suffix that marks an administrative division in running text (for places not in the gazetteer).
DIVISION_SUFFIX = "省市县区州盟旗"
LEVEL_RANK: dict[str, int] = {"national": 0, "province": 1, "city": 2, "county": 3}
# The nation as a place, with the code map services write for it (no province starts with 10,
# so the code prefix 10 selects national documents alone). It is not matched in running text
# (中国, 国家 are ordinary words there); filters and the document's own place use it.
NATION_CODE = "100000"
NATION_NAME = "中华人民共和国"
# Names a user types for the nation in a filter (--region 全国).
NATION_NAMES = frozenset({NATION_NAME, "全国", "我国", "中国", "国家", "national", NATION_CODE})


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    short: str
    level: RegionLevel
    province: str
    parent: str

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place name found in text: its span, the form found, and the candidates it may be."""

    start: int
    end: int
    text: str
    candidates: tuple[Division, ...]
    short: bool


class Gazetteer:
    """Lookup by name or code; mentions in text; regions as records."""

    def __init__(self, divisions: list[Division], former: dict[str, list[Division]]):
        self.divisions = divisions
        self.by_code: dict[str, Division] = {}
        for d in divisions:
            current = self.by_code.get(d.code)
            if current is None or LEVEL_RANK[d.level] < LEVEL_RANK[current.level]:
                self.by_code[d.code] = d
        self.by_name: dict[str, list[Division]] = {}
        self.by_short: dict[str, list[Division]] = {}
        for d in self.by_code.values():
            self.by_name.setdefault(d.name, []).append(d)
            if (
                d.level in SHORT_NAME_LEVELS
                and len(d.short) >= MIN_SHORT_NAME
                and d.short != d.name
                and d.short not in SHORT_NAME_STOPLIST
            ):
                self.by_short.setdefault(d.short, []).append(d)
        for name, targets in former.items():
            if len(name) >= MIN_FORMER_NAME and len(targets) == 1 and name not in self.by_name:
                self.by_name[name] = targets
        # Names indexed by their first two characters, longest first: a scan checks only the
        # few names that can start at each position (a 4,000-way regex alternation is 10x slower).
        self._by_prefix: dict[str, list[str]] = {}
        for name in sorted({*self.by_name, *self.by_short}, key=len, reverse=True):
            self._by_prefix.setdefault(name[:2], []).append(name)
        # Where a name may start: a character that starts one followed by a character that is
        # second in one. One regex pass finds those positions (about one in eight in policy
        # prose, against one in 150 that really starts a name), so the Python loop skips the rest.
        pairs = [prefix for prefix in self._by_prefix if len(prefix) == 2]
        firsts, seconds = char_class(p[0] for p in pairs), char_class(p[1] for p in pairs)
        self._starts = re.compile(f"(?={firsts}{seconds})")

    # --- lookup ----------------------------------------------------------------------------

    def candidates(self, name: str) -> list[Division]:
        if name in NATION_NAMES:
            return [NATION]
        return self.by_name.get(name) or self.by_short.get(name) or []

    def lookup(self, name: str, *, within: str | None = None) -> Region | None:
        """The region a name denotes; `within` (a division code) breaks ties between namesakes."""
        found = self.candidates(name)
        if not found:
            return None
        return self.region(self.choose(found, within=within))

    def choose(
        self, found: list[Division] | tuple[Division, ...], *, within: str | None
    ) -> Division:
        """Among namesakes prefer one inside `within`, then the higher level, then the first."""
        if within and len(found) > 1:
            inside = [d for d in found if contains(within, d.code)]
            if inside:
                found = inside
        return min(found, key=lambda d: LEVEL_RANK[d.level])

    def outwards(self, code: str) -> list[Division]:
        """The division with this code, then the city and the province around it (each once)."""
        found: list[Division] = []
        for outer in enclosing_codes(code):
            division = self.by_code.get(outer)
            if division is not None and division not in found:
                found.append(division)
        return found

    def ancestor(self, division: Division, level: str) -> Division | None:
        """The division itself or the one around it at `level` (a county's city or province)."""
        return next((d for d in self.outwards(division.code) if d.level == level), None)

    def region(self, division: Division) -> Region:
        if division.level == "national":
            return nation_region()
        province = self.by_code.get(division.province)
        return Region(
            name=division.name,
            code=division.code,
            province=province.name if province else None,
            level=division.level,
        )

    def region_for(self, name: str, *, within: str | None = None) -> Region:
        """A region record for any name: with its code when known, else the name alone."""
        return self.lookup(name, within=within) or Region(name=name, code=None)

    # --- text --------------------------------------------------------------------------------

    def find(self, text: str) -> list[PlaceMention]:
        """Every known place name in the text, longest match first, non-overlapping."""
        mentions: list[PlaceMention] = []
        index = 0
        prefixes = self._by_prefix
        for candidate in self._starts.finditer(text):
            at = candidate.start()
            if at < index:
                continue  # inside the last name found
            names = prefixes.get(text[at : at + 2])
            name = next((n for n in names if text.startswith(n, at)), None) if names else None
            if name is None:
                continue
            index = at + len(name)
            if name in self.by_name:
                mentions.append(PlaceMention(at, index, name, tuple(self.by_name[name]), False))
            else:
                mentions.append(PlaceMention(at, index, name, tuple(self.by_short[name]), True))
        return mentions

    def descendants_prefix(self, code: str) -> str:
        """The code prefix shared by a division and everything inside it (44 for 440000)."""
        return code_prefix(code)


def char_class(chars: Iterable[str]) -> str:
    """A regex character class of the characters (escaped, each once); no characters: never
    matches."""
    found = sorted(set(chars))
    return "[" + "".join(re.escape(c) for c in found) + "]" if found else "(?!x)x"


def enclosing_codes(code: str) -> list[str]:
    """A division code and the codes of the city and province around it, narrowest first, each
    once (440803 → 440803, 440800, 440000)."""
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def code_prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def contains(outer: str, inner: str) -> bool:
    """Whether division `inner` lies within (or is) division `outer`, by code."""
    return outer == NATION_CODE or inner.startswith(code_prefix(outer))


NATION = Division(NATION_CODE, NATION_NAME, "全国", "national", "", "")


def nation_region() -> Region:
    return Region(name=NATION_NAME, code=NATION_CODE, province=None, level="national")


def _parse(text: str) -> tuple[list[Division], dict[str, list[Division]]]:
    divisions: list[Division] = []
    former_names: list[tuple[str, str]] = []
    for line in text.splitlines()[1:]:
        code, name, short, level, province, parent, former_field = line.split("\t")
        if name in PLACEHOLDER_NAMES:
            continue
        division = Division(code, name, short, level, province, parent)  # type: ignore[arg-type]
        divisions.append(division)
        former_names.extend((old, code) for old in former_field.split(",") if old)
    by_code = {d.code: d for d in divisions}
    former: dict[str, list[Division]] = {}
    for old, code in former_names:
        former.setdefault(old, []).append(by_code[code])
    return divisions, former


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The bundled gazetteer, parsed once per process."""
    text = resources.files("cnpolicy").joinpath("data").joinpath("gazetteer.tsv").read_text("utf-8")
    return Gazetteer(*_parse(text))


UNKNOWN_PLACE = re.compile(rf"[\u4e00-\u9fff]{{2,4}}?[{DIVISION_SUFFIX}]")
