"""Named entities by rules: ORG, GPE, PERSON, DOC, DATE, POLICY, and the `cnpolicy_entities` component.

`recognize(text, region=..., date=...)` returns the entities as records with exact offsets; the
component puts them in doc.spans["entities"] (each with span._.cnpolicy_entity) and in doc.ents.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from cnpolicy.abbreviations import (
    OrgRules,
    PlaceContext,
    alternation,
    is_cjk,
    load_org_rules,
    place_context,
    places_in,
)
from cnpolicy.datafiles import read_data_json, read_data_text
from cnpolicy.extract.dates import DateRules, finditer_at, parse_iso
from cnpolicy.extract.extensions import ENTITIES_KEY, register_extensions
from cnpolicy.extract.offsets import TokenOffsets
from cnpolicy.gazetteer import (
    LEVEL_RANK,
    Division,
    Gazetteer,
    PlaceMention,
    code_prefix,
    enclosing_codes,
    load_gazetteer,
)
from cnpolicy.records import Entity, Region

__all__ = [
    "DOC_NUMBER",
    "LABELS",
    "LABEL_PRIORITY",
    "NESTING_LABELS",
    "ORG_DOC_NUMBER",
    "TITLE_BRACKETS",
    "TITLE_MARKS",
    "TOWN",
    "EntityRecognizer",
    "EntityRules",
    "compatible",
    "entity_spans",
    "free_option",
    "load_entity_rules",
    "make_entities",
    "outside",
    "policy_key",
    "recognize",
    "resolve_overlaps",
    "scopes",
    "top_level",
]

LABELS = ("DOC", "ORG", "GPE", "DATE", "PERSON", "POLICY")
# When two entities cross (overlap without one containing the other) the one whose label comes
# first here stays: a title or a body name is the larger unit the other was cut from.
LABEL_PRIORITY = {label: rank for rank, label in enumerate(LABELS)}
# Labels whose entities may sit inside another of the same label (a title nested in a title);
# for the others the inner one is dropped (市委 inside 市委组织部).
NESTING_LABELS = frozenset({"DOC"})
TITLE_BRACKETS = {"》": "《", "〉": "〈"}
TITLE_MARKS = re.compile(r"[《》〈〉\n]")
# The year and number of a document number; the issuer code (国发, 粤机编办发) is read leftwards.
DOC_NUMBER = re.compile(
    r"\s*[〔\[［【(（]\s*(?P<year>(?:19|20)\d{2})\s*[〕\]］】)）]\s*第?\s*(?P<number>\d{1,5})\s*号"
)
# Where a document number can start (DOC_NUMBER's first characters: a space or the bracket of
# its year): the pattern opens with \s*, so a plain scan tries it at every position.
DOC_NUMBER_STARTS = re.compile(r"[\s〔\[［【(（]")
# A document cited by its issuer and number alone: 省委37号文件, 市编委48号文件.
ORG_DOC_NUMBER = re.compile(r"\d{1,4}号文件?")
# What ends a township's name (石城镇, 西湖街道), and a township's name.
TOWN_SUFFIX = "(?:街道|镇|乡)"
TOWN = re.compile(rf"[\u4e00-\u9fff]{{2,4}}?{TOWN_SUFFIX}")


class EntityRules:
    """Every lexicon and pattern of the rule-based recogniser, compiled once (`load_entity_rules`)."""

    def __init__(self, orgs: OrgRules, gazetteer: Gazetteer):
        self.orgs = orgs
        self.gazetteer = gazetteer
        self._load_policies(read_data_text("cnpolicy.extract", "policies.txt"))
        self._load_persons(read_data_json("cnpolicy.extract", "persons.json"))
        self.dates = DateRules(read_data_json("cnpolicy.extract", "dates.json"))
        documents = read_data_json("cnpolicy.extract", "documents.json")
        self.number_boundary_re = alternation(documents["number_boundaries"])
        self.number_max_prefix = int(documents["number_max_prefix"])
        self.max_title = int(documents["max_title"])
        alias = "|".join(re.escape(w) for w in documents["alias"])
        self.alias_re = re.compile(
            rf"\s*[（(]\s*(?:{alias})\s*[“\"《]?([^”\"》）)]{{1,30}}?)[”\"》]?\s*[）)]"
        )
        towns = read_data_json("cnpolicy.extract", "gpe_context.json")
        self.town_blocked = frozenset(towns["town_blocked"])
        self.town_government = tuple(towns["town_government"])
        # One scan for a township suffix before any of the words (镇人民政府, 乡党委).
        words = alternation(self.town_government).pattern
        self.town_government_re = re.compile(rf"{TOWN_SUFFIX}(?=(?:{words}))")

    # --- lexicons -----------------------------------------------------------------------------

    def _load_policies(self, text: str) -> None:
        lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
        forms = dict(line.partition("\t")[::2] for line in lines)  # form → canonical or ""
        self.policy_canonical = {policy_key(f): c or f for f, c in forms.items()}
        self.policy_re = re.compile(
            "|".join(
                re.escape(form).replace(r"\+", "[+＋]").replace("、", "[、,，]?")
                for form in sorted(forms, key=len, reverse=True)
            )
        )

    def _load_persons(self, data: dict[str, Any]) -> None:
        self.leaders: dict[str, str] = {}
        for name, aliases in data["leaders"].items():
            self.leaders[name] = name
            for alias in aliases:
                self.leaders[alias] = name
        self.leader_re = alternation(self.leaders)
        self.surnames = frozenset(data["surnames"])
        self.compound_surnames = frozenset(data["compound_surnames"])
        self.titles = tuple(data["titles"])
        self.title_re = alternation(self.titles)
        self.after = tuple(data["after"])
        self.function_chars = frozenset(data["function_chars"])
        self.not_given = frozenset(data["not_given"])

    # --- the whole text -------------------------------------------------------------------------

    def recognize(
        self, text: str, *, region: Region | None = None, date: str | None = None
    ) -> list[Entity]:
        """Every entity in the text, overlaps resolved, sorted by position."""
        context = place_context(region, self.gazetteer)
        mentions = self._places(text)
        places, unknown = self.find_places(text, mentions, context)
        if region is not None and region.code is None and len(region.name) >= 2:
            unknown.add(region.name)
        extra = self._occurrences(text, unknown, mentions)
        org_spans = self.orgs.find(text, sorted([*mentions, *extra], key=lambda m: m.start))
        found = [
            Entity(text[s:e], "ORG", s, e, self.orgs.normalize(text[s:e], context))
            for s, e in org_spans
        ]
        leading = {self._leading_unknown(text, s, e, mentions) for s, e in org_spans}
        extra += self._occurrences(text, {n for n in leading if n and n not in unknown}, mentions)
        places += [Entity(m.text, "GPE", m.start, m.end, m.text, None) for m in extra]
        found += places + self._towns(text, places)
        found += self.find_documents(text, org_spans)
        found += self.find_dates(text, parse_iso(date))
        found += self.find_persons(text)
        return resolve_overlaps(outside(found, self.find_policies(text)))

    # --- GPE ----------------------------------------------------------------------------------

    def _places(self, text: str) -> Sequence[PlaceMention]:
        """The gazetteer's places in the text (the shared scan when this is the bundled one)."""
        if self.gazetteer is load_gazetteer():
            return places_in(text)
        return self.gazetteer.find(text)

    def find_places(
        self, text: str, mentions: Sequence[PlaceMention], context: PlaceContext
    ) -> tuple[list[Entity], set[str]]:
        """Gazetteer places with their codes, and names missing from it that follow one (湖北省江州市)."""
        found: list[Entity] = []
        unknown: set[str] = set()
        previous: tuple[int, Division] | None = None
        for m in mentions:
            adjacent = previous[1].code if previous and previous[0] == m.start else None
            division = self.resolve(m.candidates, [adjacent, *scopes(context.code)])
            normalized = division.name if division else m.candidates[0].name
            found.append(
                Entity(
                    m.text, "GPE", m.start, m.end, normalized, division.code if division else None
                )
            )
            previous = (m.end, division) if division else None
            if division is not None and division.level != "county":
                name = self._unknown_after(text, m.end, division)
                if name:
                    unknown.add(name)
        return found, unknown

    def _leading_unknown(
        self, text: str, start: int, end: int, mentions: Sequence[PlaceMention]
    ) -> str | None:
        """A place missing from the gazetteer that starts an organisation's name."""
        start = start + 2 if text.startswith("中共", start) else start
        i = bisect.bisect_left(mentions, start, key=lambda m: m.start)
        if i < len(mentions) and mentions[i].start == start:
            return None
        return self.orgs.leading_unknown_place(text[start:end])

    def resolve(
        self, candidates: Sequence[Division], scopes_: Iterable[str | None]
    ) -> Division | None:
        """The division a name means: the only one, one inside the context, else None (ambiguous)."""
        if len(candidates) == 1:
            return candidates[0]
        for scope in scopes_:
            if scope:
                inside = [d for d in candidates if d.code.startswith(code_prefix(scope))]
                if inside:
                    return top_level(inside)
        return top_level(candidates)

    def _unknown_after(self, text: str, end: int, parent: Division) -> str | None:
        """A place missing from the gazetteer right after a known one (湖北省江州市)."""
        head = text[end : end + 8]
        known = self.gazetteer.find(head)
        if not head or (known and known[0].start == 0):
            return None
        name = self.orgs.leading_unknown_place(head, allow_end=True)
        if name is None or self.orgs.boundary_re.search(name[:-1]):
            return None
        allowed = "市县区旗州" if parent.level == "province" else "县区旗市"
        return name if name[-1] in allowed else None

    def _occurrences(
        self, text: str, names: set[str], mentions: Sequence[PlaceMention]
    ) -> list[PlaceMention]:
        """Every occurrence of places missing from the gazetteer that is not inside a known one."""
        starts = [m.start for m in mentions]
        found = []
        for name in sorted(names):
            for m in re.finditer(re.escape(name), text):
                i = bisect.bisect_right(starts, m.start()) - 1
                if i < 0 or mentions[i].end <= m.start():
                    found.append(PlaceMention(m.start(), m.end(), name, (), False))
        return found

    def _towns(self, text: str, places: Sequence[Entity]) -> list[Entity]:
        """Township-level places (石城镇): after a county or city, or before 人民政府/党委 …"""
        found: dict[int, Entity] = {}
        for place in places:
            if place.code is None or not place.code.endswith("0000"):
                m = TOWN.match(text, place.end)
                if m and self._is_town(m.group()):
                    found[m.start()] = Entity(m.group(), "GPE", m.start(), m.end(), m.group(), None)
        for m in self.town_government_re.finditer(text):
            start = m.start() - 2  # two-character names unless a clause starts one earlier
            if start > 0 and is_cjk(text[start - 1]) and not is_cjk(text[start - 2 : start - 1]):
                start -= 1
            name = text[max(start, 0) : m.end()]
            if start >= 0 and all(map(is_cjk, name)) and self._is_town(name):
                found.setdefault(start, Entity(name, "GPE", start, m.end(), name, None))
        return list(found.values())

    def _is_town(self, name: str) -> bool:
        if any(name.startswith(word) or name == word for word in self.town_blocked):
            return False
        return self.orgs.boundary_re.search(name) is None and not any(c in "省市县区" for c in name)

    # --- DOC ----------------------------------------------------------------------------------

    def find_documents(self, text: str, org_spans: Sequence[tuple[int, int]]) -> list[Entity]:
        """Titles in 《》 (and 〈〉 nested in them), document numbers (国发〔2016〕55号)."""
        titles = self._titles(text)
        aliases: dict[str, str] = {}
        for entity in titles:
            m = self.alias_re.match(text, entity.end + 1)
            if m:
                aliases[m.group(1)] = entity.normalized or entity.text
        found = [
            Entity(e.text, e.label, e.start, e.end, aliases.get(e.text, e.normalized))
            for e in titles
        ]
        for m in finditer_at(DOC_NUMBER, DOC_NUMBER_STARTS, text):
            issuer_start = self._issuer_start(text, m.start())
            if issuer_start is None:
                continue
            issuer = text[issuer_start : m.start()]
            normalized = f"{issuer}〔{m.group('year')}〕{int(m.group('number'))}号"
            found.append(
                Entity(text[issuer_start : m.end()], "DOC", issuer_start, m.end(), normalized)
            )
        for start, end in org_spans:
            m = ORG_DOC_NUMBER.match(text, end)
            if m:
                found.append(Entity(text[start : m.end()], "DOC", start, m.end(), None))
        return found

    def _titles(self, text: str) -> list[Entity]:
        found: list[Entity] = []
        stack: list[tuple[str, int]] = []
        for m in TITLE_MARKS.finditer(text):
            mark, at = m.group(), m.start()
            if mark == "\n":
                stack.clear()
            elif mark in "《〈":
                stack.append((mark, at))
            elif stack and stack[-1][0] == TITLE_BRACKETS[mark]:
                _, open_at = stack.pop()
                title = text[open_at + 1 : at]
                if title.strip() and len(title) <= self.max_title:
                    normalized = title.replace("〈", "《").replace("〉", "》")
                    found.append(Entity(title, "DOC", open_at + 1, at, normalized))
            else:
                stack.clear()
        return found

    def _issuer_start(self, text: str, end: int) -> int | None:
        """Where the issuer code before 〔year〕 begins, after any verb such as 根据 (None: no code)."""
        start = end
        while start > max(0, end - self.number_max_prefix) and is_cjk(text[start - 1]):
            start -= 1
        for m in self.number_boundary_re.finditer(text, start, end):
            start = m.end()
        return start if start < end else None

    # --- DATE ---------------------------------------------------------------------------------

    def find_dates(
        self, text: str, base: tuple[int, int | None, int | None] | None
    ) -> list[Entity]:
        """Dates, normalised to ISO at the precision written (extract/dates.py)."""
        return self.dates.find(text, base)

    # --- PERSON -------------------------------------------------------------------------------

    def find_persons(self, text: str) -> list[Entity]:
        """National leaders by name; others after a title (市长张三) or before 同志."""
        found = [
            Entity(m.group(), "PERSON", m.start(), m.end(), self.leaders[m.group()])
            for m in self.leader_re.finditer(text)
        ]
        for m in self.title_re.finditer(text):
            name = self._name_after(text, m.end())
            if name:
                found.append(Entity(name, "PERSON", m.end(), m.end() + len(name), name))
        for m in re.finditer("同志", text):
            name = self._name_before(text, m.start())
            if name:
                found.append(Entity(name, "PERSON", m.start() - len(name), m.start(), name))
        return found

    def _is_name(self, name: str) -> bool:
        surname = 2 if name[:2] in self.compound_surnames else 1
        if surname == 1 and name[0] not in self.surnames:
            return False
        given = name[surname:]
        return 1 <= len(given) <= 2 and all(is_cjk(c) and c not in self.not_given for c in given)

    def _name_after(self, text: str, start: int) -> str | None:
        for length in (4, 3, 2):
            name = text[start : start + length]
            end = start + length
            followed = end >= len(text) or not is_cjk(text[end]) or text.startswith(self.after, end)
            if len(name) == length and self._is_name(name) and followed:
                return name
        return None

    def _name_before(self, text: str, end: int) -> str | None:
        for length in (2, 3, 4):
            start = end - length
            if start < 0:
                break
            name = text[start:end]
            if not self._is_name(name):
                continue
            longer = text[start - 1 : end] if start > 0 else ""
            after_title = text.endswith(self.titles, 0, start)
            if (
                longer
                and self._is_name(longer)
                and longer[0] not in self.function_chars
                and not after_title
            ):
                continue  # 王小明同志: the three-character name, not 小明
            return name
        return None

    # --- POLICY -------------------------------------------------------------------------------

    def find_policies(self, text: str) -> list[Entity]:
        """Policy names and slogans from the lexicon, normalised to their canonical form."""
        return [
            Entity(
                m.group(),
                "POLICY",
                m.start(),
                m.end(),
                self.policy_canonical[policy_key(m.group())],
            )
            for m in self.policy_re.finditer(text)
        ]


def policy_key(form: str) -> str:
    """A policy name with its variable marks unified (＋ → +, list marks dropped)."""
    return re.sub("[、,，]", "", form.replace("＋", "+"))


def outside(entities: list[Entity], policies: list[Entity]) -> list[Entity]:
    """The entities with those inside a policy name dropped (四平 in 一中心四平台), and the policies."""
    covered = bytearray(max((p.end for p in policies), default=0))
    for policy in policies:
        covered[policy.start : policy.end] = b"\x01" * (policy.end - policy.start)
    kept = [e for e in entities if e.end > len(covered) or not all(covered[e.start : e.end])]
    return kept + policies


def scopes(code: str | None) -> list[str]:
    """A region code and the city and province around it, narrowest first."""
    return enclosing_codes(code) if code else []


def top_level(candidates: Sequence[Division]) -> Division | None:
    """The highest-level candidate when it is the only one at that level, else None."""
    best = min(LEVEL_RANK[d.level] for d in candidates)
    top = [d for d in candidates if LEVEL_RANK[d.level] == best]
    return top[0] if len(top) == 1 else None


def resolve_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Drop duplicates, same-label entities inside another (except titles), and crossing ones."""
    unique = {(e.start, e.end, e.label): e for e in entities if e.end > e.start}
    ordered = sorted(
        unique.values(), key=lambda e: (LABEL_PRIORITY[e.label], e.start - e.end, e.start)
    )
    kept: list[Entity] = []
    starts: list[tuple[int, int]] = []  # (start, index in kept), sorted
    longest = 0
    for entity in ordered:
        low = bisect.bisect_left(starts, (entity.start - longest, -1))
        high = bisect.bisect_left(starts, (entity.end, -1))
        if all(compatible(entity, kept[i]) for _, i in starts[low:high]):
            bisect.insort(starts, (entity.start, len(kept)))
            kept.append(entity)
            longest = max(longest, entity.end - entity.start)
    return sorted(kept, key=lambda e: (e.start, e.end, LABEL_PRIORITY[e.label]))


def compatible(new: Entity, old: Entity) -> bool:
    """Whether `new` may stay beside `old`, which was kept first (higher priority or longer)."""
    if new.end <= old.start or old.end <= new.start:
        return True
    inside = old.start <= new.start and new.end <= old.end
    if not inside and not (new.start <= old.start and old.end <= new.end):
        return False  # crossing
    return new.label != old.label or new.label in NESTING_LABELS


@lru_cache(maxsize=1)
def load_entity_rules() -> EntityRules:
    """The bundled lexicons, compiled once per process."""
    return EntityRules(load_org_rules(), load_gazetteer())


def recognize(text: str, *, region: Region | None = None, date: str | None = None) -> list[Entity]:
    """Every entity in the text: `region` resolves 市委 and namesakes, `date` (ISO) resolves 去年."""
    return load_entity_rules().recognize(text, region=region, date=date)


class EntityRecognizer:
    """spaCy component: rule-based entities into doc.spans[spans_key] and doc.ents."""

    def __init__(
        self,
        nlp: Language,
        name: str = "cnpolicy_entities",
        *,
        spans_key: str = ENTITIES_KEY,
        annotate_ents: bool = True,
        region: str | None = None,
    ):
        register_extensions()
        self.name = name
        self.spans_key = spans_key
        self.annotate_ents = annotate_ents
        self.rules = load_entity_rules()
        self.default_region = self.rules.gazetteer.region_for(region) if region else None

    def __call__(self, doc: Doc) -> Doc:
        region = doc._.cnpolicy_region or self.default_region
        date = doc._.cnpolicy_date
        entities = self.rules.recognize(doc._.cnpolicy_text or doc.text, region=region, date=date)
        self.set_annotations(doc, entities)
        return doc

    def set_annotations(self, doc: Doc, entities: Sequence[Entity]) -> None:
        """Each entity as a span carrying its record; the longest non-overlapping ones as doc.ents."""
        spans = entity_spans(doc, entities)
        doc._.cnpolicy_entities = [*(doc._.cnpolicy_entities or ()), *entities]
        group = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        doc.spans[self.spans_key] = group + spans
        if self.annotate_ents:
            doc.ents = filter_spans([*doc.ents, *spans]) if doc.ents else filter_spans(spans)


def entity_spans(doc: Doc, entities: Sequence[Entity]) -> list[Span]:
    """Spans for the entities, each carrying its record. spaCy keys span extensions by character
    offsets, so when an entity's token-expanded span is already another's, it gets the tokens
    inside it, or a mix of both ends; an entity none of these can carry is left out."""
    spans: list[Span] = []
    used: set[tuple[int, int]] = set()
    tokens = TokenOffsets.of(doc)
    for entity in sorted(entities, key=lambda e: (LABEL_PRIORITY[e.label], e.start - e.end)):
        wide = tokens.expand(entity.start, entity.end)  # the first option, and nearly always free
        if wide is None:
            continue
        chars = (tokens.starts[wide[0]], tokens.ends[wide[1] - 1])
        choice = wide if chars not in used else free_option(tokens, entity, used)
        if choice is not None:
            used.add((tokens.starts[choice[0]], tokens.ends[choice[1] - 1]))
            span = Span(doc, *choice, label=entity.label)
            span._.cnpolicy_entity = entity
            spans.append(span)
    return sorted(spans, key=lambda s: (s.start, s.end))


def free_option(
    tokens: TokenOffsets, entity: Entity, used: set[tuple[int, int]]
) -> tuple[int, int] | None:
    """The first token range for the entity whose character offsets no span has taken."""
    for first, last in tokens.options(entity.start, entity.end):
        if (tokens.starts[first], tokens.ends[last - 1]) not in used:
            return first, last
    return None


@Language.factory(
    "cnpolicy_entities",
    default_config={"spans_key": ENTITIES_KEY, "annotate_ents": True, "region": None},
)
def make_entities(
    nlp: Language, name: str, spans_key: str, annotate_ents: bool, region: str | None
) -> EntityRecognizer:
    """Factory of the `cnpolicy_entities` component (also the spacy_factories entry point)."""
    return EntityRecognizer(
        nlp, name, spans_key=spans_key, annotate_ents=annotate_ents, region=region
    )
