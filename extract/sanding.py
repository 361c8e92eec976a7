"""三定规定 → department record: name, nature, rank, 主要职责, 内设机构, 编制, 领导职数, 解释, 施行.

The outline (cover letter, title, parts, list items) comes from sanding_layout.py; each field is
read from the part that holds it with the patterns and lexicons of data/sanding_patterns.json.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from cnpolicy.dates import parse_date
from cnpolicy.extract.sanding_layout import (
    NUMBER,
    Item,
    Part,
    Rules,
    body_after_label,
    clean_name,
    find_rules,
    headed,
    patterns,
    split_items,
    split_lines,
    split_parts,
    title_department,
    to_int,
)
from cnpolicy.gazetteer import NOT_PLACES, UNKNOWN_PLACE, load_gazetteer
from cnpolicy.numerals import TO_TEN_CLASS
from cnpolicy.records import Document, Duty, InternalBody, Sanding

__all__ = ["parse_sanding", "parse_sanding_text"]

# A body name cut at a comma or a verb is at most this long (办公室(政策法规科),负责…).
MAX_COMMA_NAME = 20
# A title waiting for a shared figure (总工程师、总经济师各1名) is a clause at most this long.
MAX_SHARED_TITLE = 10
# A part that may state staffing: it names 编制 or 职数, or a number of 名.
STAFFING_HINT = re.compile(rf"编制|职数|{NUMBER}\s*名")
BRACKETS = re.compile(r"\([^()]*\)")
CLAUSE_BREAK = re.compile(r"[。;:,、\n]")


# --- names ---------------------------------------------------------------------------------


def places_of(name: str) -> list[str]:
    """The places a department's name opens with, outermost first (江州市, 江南区)."""
    gazetteer = load_gazetteer()
    rest = name.removeprefix("中共")
    found: list[str] = []
    while rest:
        mentions = [m for m in gazetteer.find(rest[:12]) if m.start == 0 and not m.short]
        if mentions:
            place = mentions[0].text
        else:
            match = UNKNOWN_PLACE.match(rest)
            if not match or match.group()[:-1] in NOT_PLACES:
                break
            place = match.group()
        found.append(place)
        rest = rest[len(place) :]
    return found


def expand_name(name: str, region: str | None) -> str:
    """A name with its place prefix spelt out (市知识产权局 → 江州市知识产权局,
    市委编办 → 中共江州市委编办)."""
    name = clean_name(name)
    if not region or not name or places_of(name):
        return name
    level = region[-1]
    if name.startswith(f"{level}委"):
        return f"中共{region}{name[1:]}"
    if name.startswith(level) and not name.startswith(f"{level}场"):
        return f"{region}{name[1:]}"
    return name


def department_from_text(text: str) -> str | None:
    """The department named by the rules' first sentences (规范XX的职能配置, XX是市政府工作部门)."""
    match = re.search(r"规范(.{2,40}?)的?(?:主要)?职能配置", text)
    if match is None:
        nature = patterns().nature.pattern
        match = re.search(rf"^(?:第{TO_TEN_CLASS}+条)?\s*([^,。;:]{{2,40}}?){nature}", text, re.M)
    return clean_name(match.group(1)) if match else None


# --- the fields ----------------------------------------------------------------------------


def find_nature(text: str) -> str | None:
    pats = patterns()
    sentences = [s for s in re.split(r"[。\n]", text) if "本规定" not in s]
    for match in (m for s in sentences for m in pats.nature.finditer(s)):
        phrase = clean_name(match.group(1))
        if "的" in phrase:
            after = phrase.rsplit("的", 1)[1]
            if len(after) >= pats.nature_min_after_de:
                phrase = after
        return phrase
    return None


def find_rank(text: str) -> str | None:
    for sentence in re.split(r"[。;\n]", text):
        if "职数" in sentence:
            continue
        match = patterns().rank.search(sentence)
        if match:
            return match.group()
    return None


def find_additional_names(text: str, region: str | None) -> tuple[str, ...]:
    names: list[str] = []
    for match in patterns().additional_name.finditer(text):
        for listed in re.split(r"、|和(?=[市县区省州旗]|中共)", match.group(1)):
            for piece in bracketed_names(listed):
                name = expand_name(piece, region)
                if name and name not in names:
                    names.append(name)
    return tuple(names)


def bracketed_names(text: str) -> list[str]:
    """`A局(B局)`: a name with a second name in brackets is two names."""
    second = patterns().second_name
    outer = second.sub("", text).strip()
    return [outer, *(m.group(1).strip() for m in second.finditer(text))]


def split_duties(items: list[Item]) -> tuple[list[Duty], list[str], list[str]]:
    """Numbered duties, and the texts of the items headed 职能转变 and 有关职责分工."""
    pats = patterns()
    duties: list[Duty] = []
    transformation: list[str] = []
    division: list[str] = []
    for item in items:
        if headed(item.text, pats.function_transformation, pats.item_head_max):
            transformation.append(body_after_label(item.text, pats.function_transformation))
        elif headed(item.text, pats.responsibility_division, pats.item_head_max):
            division.append(body_after_label(item.text, pats.responsibility_division))
        else:
            duties.append(Duty(number=item.number, text=item.text))
    return duties, transformation, division


def body_from_item(item: Item) -> InternalBody:
    """A body from a list item: its name, and its duties (the rest of the item)."""
    first, rest = item.lines[0], item.lines[1:]
    cut = name_cut(first)
    name, duty = (first[: cut[0]], first[cut[1] :].strip()) if cut else (first, "")
    duties = "\n".join(s for s in (duty, *rest) if s)
    return InternalBody(name=body_name(name), duties=duties or None)


def name_cut(line: str) -> tuple[int, int] | None:
    """Where a body's name ends in its item's first line, and where its duties start: at the
    first 。 or :, or earlier at a comma or a duty verb right after a body's name (办公室负责…);
    None when the line is the name alone."""
    pats = patterns()
    stop = re.search(r"[。::]", line)
    limit = stop.start() if stop else len(line)
    for match, keep in ((re.search(",", line), False), (pats.body_duty_verb.search(line), True)):
        if match and match.start() < limit:
            head = BRACKETS.sub("", line[: match.start()])
            if len(head) <= MAX_COMMA_NAME and pats.body_suffix.search(head):
                return match.start(), match.start() if keep else match.end()
    return (stop.start(), stop.end()) if stop else None


def body_name(text: str) -> str:
    """A body's name without a bracket that only says what else it is called (加挂…牌子)."""
    text = re.sub(r"\((?:[^()]*(?:牌子|加挂|挂|合署)[^()]*)\)", "", text)
    text = patterns().second_name.sub(
        "", text
    )  # 政策法规科(行政审批科): the record keeps names only
    return clean_name(text.rstrip("等"))


def apart_bodies(lines: list[str] | tuple[str, ...]) -> tuple[list[str], list[InternalBody]]:
    """Split lines into those before any apart body (机关党委 …) and the apart bodies, each with
    the sentences after it as its duties."""
    pats = patterns()
    before: list[str] = []
    bodies: list[tuple[str, list[str]]] = []
    for line in lines:
        kept: list[str] = []
        for sentence in re.findall(r"[^。]+。?", line):
            match = pats.apart_body.match(sentence)
            if match:
                rest = sentence[match.end() :].lstrip("。,:;")
                bodies.append((match.group(1), [rest] if rest.strip("。") else []))
            elif bodies:
                bodies[-1][1].append(sentence)
            else:
                kept.append(sentence)
        if kept:
            before.append("".join(kept))
    return before, [InternalBody(name, "".join(body) or None) for name, body in bodies]


def inline_bodies(text: str) -> list[InternalBody]:
    """Bodies listed in one sentence: 设下列内设机构:A、B、C。"""
    for pattern in patterns().bodies_inline:
        match = pattern.search(text)
        if match and "、" in match.group(1):
            names = [body_name(n) for n in re.split(r"[、,]", match.group(1))]
            names = [re.sub(r"等?(?:共)?[\d一二三四五六七八九十]+个.*$", "", n) for n in names]
            return [InternalBody(name=n) for n in names if n]
    return []


def parse_bodies(part: Part, following: Part | None, top: str | None) -> list[InternalBody]:
    lead, items = split_items(part.lines, top=top)
    bodies: list[InternalBody] = []
    apart: list[InternalBody] = []
    if items:
        for item in items:
            own, extra = apart_bodies(item.lines)
            bodies.append(body_from_item(Item(item.number, tuple(own))))
            apart.extend(extra)
    else:
        before, apart = apart_bodies(lead)
        bodies = inline_bodies("\n".join(before))
    if following is not None and patterns().apart_body.match(following.head):
        apart.extend(apart_bodies(following.lines)[1])
    return bodies + [b for b in apart if b.name not in {x.name for x in bodies}]


def staffing_clauses(text: str) -> list[str]:
    """The clauses of the staffing parts, brackets removed (a 含 clause adds nothing), sentences
    about other bodies' staffing (所属事业单位, 派驻) left out."""
    flat = text.replace("正、副", "正副")
    while BRACKETS.search(flat):
        flat = BRACKETS.sub("", flat)
    skip = patterns().staffing_skip
    sentences = [s for s in re.split(r"[。\n]", flat) if not skip.search(s)]
    return [c.strip() for s in sentences for c in CLAUSE_BREAK.split(s) if c.strip()]


def staffing_and_leadership(
    text: str, department: str | None
) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """编制 by kind and 领导职数 by title, from the staffing parts' text."""
    pats = patterns()
    staffing: dict[str, int] = {}
    leadership: dict[str, int] = {}
    warnings: list[str] = []
    pending: list[str] = []  # titles waiting for a shared figure: 总工程师、总经济师各1名
    for clause in staffing_clauses(text):
        match = pats.staffing.search(clause)
        if match:
            number = to_int(match.group(2))
            kind = next((k for p, k in pats.staffing_kinds if p.search(match.group(1))), None)
            if kind is None or number is None:
                warnings.append(f"staffing: kind or number not recognised in {clause!r}")
            else:
                add_count(staffing, kind, number, warnings, "staffing")
            continue
        match = pats.leadership.search(clause)
        if match is None:
            title = (
                leadership_title(clause, department) if len(clause) <= MAX_SHARED_TITLE else None
            )
            pending = [*pending, title] if title else []
            continue
        words, number = match.group(1), to_int(match.group(2))
        shared = words.endswith("各")
        title = leadership_title(words.removesuffix("各"), department)
        if title and number is not None:
            for name in [*pending, title] if shared else [title]:
                add_count(leadership, name, number, warnings, "leadership")
        pending = []
    return staffing, leadership, warnings


def leadership_title(text: str, department: str | None) -> str | None:
    pats = patterns()
    cut = list(pats.leadership_cut.finditer(text))
    if cut:
        text = text[cut[-1].end() :]
    if department:
        text = text.removeprefix(department)
    title = pats.leadership_strip.sub("", text.removeprefix("机关"))
    if len(title) <= 1 or title.endswith("领导") or not re.fullmatch(r"[\u4e00-\u9fff]+", title):
        return None  # 局领导职数 N名: the total of the posts listed with it
    if title == text and not pats.leadership_suffixes.search(title):
        return None  # neither a 领导职数 figure nor a title
    return title


def add_count(
    table: dict[str, int], key: str, number: int, warnings: list[str], field: str
) -> None:
    if key in table:
        warnings.append(f"{field}: {key} stated more than once; the figures are added")
    table[key] = table.get(key, 0) + number


def find_interpreter(text: str, region: str | None) -> str | None:
    for pattern in patterns().interpreter:
        match = pattern.search(text)
        if match:
            return expand_name(match.group(1).removeprefix("本规定"), region)
    return None


def find_effective(text: str, issued: str | None) -> tuple[str | None, str | None]:
    """The ISO date the rules take effect, and a warning when it cannot be given."""
    matches = list(patterns().effective.finditer(text))
    if not matches:
        return None, "effective_date: no 自…起施行 clause"
    when = matches[-1].group(1)
    date = parse_date(when)
    if date:
        return date, None
    if patterns().issue_words.search(when):
        if issued:
            return issued, None
        return None, f"effective_date: takes effect {when} but the text gives no issue date"
    return None, f"effective_date: {when!r} is not a date"


# --- the record ----------------------------------------------------------------------------


def locate(parts: list[Part]) -> tuple[int | None, int | None]:
    """Index of the 主要职责 part and of the 内设机构 part (by the first line, else anywhere)."""
    pats = patterns()

    def find(pattern: re.Pattern[str], skip: int | None) -> int | None:
        for where in ("head", "text"):
            for index, part in enumerate(parts):
                if index != skip and pattern.search(part.head if where == "head" else part.text):
                    return index
        return None

    duties = find(pats.duties_anchor, None)
    return duties, find(pats.bodies_anchor, duties)


@dataclass(slots=True)
class Reading:
    """What the parts other than the duties and bodies hold: 职能转变 and 职责分工 texts, and
    the text of the parts that may state staffing."""

    transformation: list[str] = field(default_factory=list)
    division: list[str] = field(default_factory=list)
    staffing: list[str] = field(default_factory=list)


def read_other_parts(parts: list[Part], skip: tuple[int | None, ...], top: str | None) -> Reading:
    pats = patterns()
    reading = Reading()
    for index, part in enumerate(parts):
        if index in skip:
            continue
        if headed(part.text, pats.function_transformation, pats.item_head_max):
            reading.transformation.append(body_after_label(part.text, pats.function_transformation))
        elif headed(part.text, pats.responsibility_division, pats.item_head_max):
            reading.division.append(body_after_label(part.text, pats.responsibility_division))
        else:
            _, transformation, division = split_duties(split_items(part.lines, top=top)[1])
            reading.transformation.extend(transformation)
            reading.division.extend(division)
            if STAFFING_HINT.search(part.text):
                reading.staffing.append(part.text)
    return reading


def name_department(
    rules: Rules, body: list[str], title: str | None, region: str | None
) -> tuple[str | None, str | None, list[str]]:
    """The department's full name and its place, with warnings when either is unknown."""
    department = rules.department or (title_department(title) if title else None)
    department = department or department_from_text("\n".join(body))
    places = places_of(department) if department else []
    place = places[-1] if places else region
    if department and not places:
        department = expand_name(department, place)
    warnings = []
    if not department:
        warnings.append("department: no rules title (…职能配置、内设机构和人员编制规定) found")
    if not place:
        warnings.append("region: the department's name names no place")
    return department, place, warnings


def parse_sanding_text(
    text: str,
    *,
    region: str | None = None,
    doc: str | None = None,
    title: str | None = None,
    issued: str | None = None,
) -> Sanding:
    """A department record from a 三定's cleaned text. `region` (the place the describer found),
    `title` and `issued` (the document's date) are used only where the text does not say."""
    lines = split_lines(text)
    rules = find_rules(lines)
    body = lines[rules.start :] if rules.start < len(lines) else lines
    parts, top = split_parts(body)
    duties_at, bodies_at = locate(parts)
    department, place, warnings = name_department(rules, body, title, region)

    before = parts[: duties_at if duties_at is not None else (bodies_at or len(parts))]
    lead: list[str] = []
    duty_items: list[Item] = []
    if duties_at is not None:
        lead, duty_items = split_items(parts[duties_at].lines, top=top)
    intro = "\n".join([*(p.text for p in before), *lead])
    nature, rank = find_nature(intro), find_rank(intro)
    duties, transformation, division = split_duties(duty_items)
    other = read_other_parts(parts, (duties_at, bodies_at), top)
    transformation += other.transformation
    division += other.division

    bodies: list[InternalBody] = []
    if bodies_at is not None:
        following = parts[bodies_at + 1] if bodies_at + 1 < len(parts) else None
        bodies = parse_bodies(parts[bodies_at], following, top)
        warnings.extend(check_body_count(parts[bodies_at].text, bodies))
    staffing, leadership, more = staffing_and_leadership("\n".join(other.staffing), department)
    rules_text = "\n".join(body)
    effective, problem = find_effective(rules_text, rules.issued or issued)
    interpreter = find_interpreter(rules_text, place)
    warnings += more + missing(nature, rank, duties, bodies, staffing, leadership, interpreter)
    return Sanding(
        department=department,
        region=place,
        doc=doc,
        nature=nature,
        rank=rank,
        additional_names=find_additional_names(intro, place),
        duties=tuple(duties),
        duties_count=len(duties),
        has_function_transformation=bool(transformation),
        function_transformation="\n".join(transformation) or None,
        has_responsibility_division=bool(division),
        responsibility_division="\n".join(division) or None,
        internal_bodies=tuple(bodies),
        staffing=staffing,
        leadership=leadership,
        interpreter=interpreter,
        effective_date=effective,
        warnings=tuple(warnings + ([problem] if problem else [])),
    )


def check_body_count(text: str, bodies: list[InternalBody]) -> list[str]:
    match = patterns().bodies_count.search(text)
    if not match:
        return []
    stated = to_int(match.group(1) or match.group(2))
    listed = sum(1 for b in bodies if not patterns().apart_body.match(b.name))
    if stated is not None and stated != listed:
        return [f"internal_bodies: the text says {stated} bodies but lists {listed}"]
    return []


def missing(
    nature: str | None,
    rank: str | None,
    duties: list[Duty],
    bodies: list[InternalBody],
    staffing: dict[str, int],
    leadership: dict[str, int],
    interpreter: str | None,
) -> list[str]:
    checks = (
        (nature, "nature: no 是/为…工作部门(机关、机构) sentence"),
        (rank, "rank: no 正/副X级 stated"),
        (duties, "duties: no numbered 主要职责 items"),
        (bodies, "internal_bodies: no 内设机构 list"),
        (staffing, "staffing: no 编制 N名 figure"),
        (leadership, "leadership: no 领导职数 figure"),
        (interpreter, "interpreter: no 负责解释 clause"),
    )
    return [message for value, message in checks if not value]


def parse_sanding(document: Document) -> Sanding:
    """The department record of a document the describer classed as a 三定."""
    return parse_sanding_text(
        document.text,
        region=document.region.name if document.region else None,
        doc=PurePath(document.source).stem,
        title=document.title,
        issued=document.date,
    )
