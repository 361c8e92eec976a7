"""Synthetic reform reports and 三定 rules at any scale, with the records an extractor would give.

Document i of seed s is always the same (its own random stream), so workers can generate in
parallel and a corpus streams without being held in memory. Places are real (the gazetteer),
phrasing, figures and dates vary; phrase data is in data/synth.json. Used by the store benchmark
and by corpora/generate.py; these texts are synthetic, not samples of real documents.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cnpolicy.dedup import content_id, fingerprint
from cnpolicy.gazetteer import Division, load_gazetteer
from cnpolicy.records import (
    Document,
    Duty,
    InternalBody,
    Metric,
    Sanding,
    Section,
    as_number,
)

__all__ = [
    "CN_NUMERALS",
    "COUNTY_SHARE",
    "DUPLICATE_SHARE",
    "DUPLICATE_WINDOW",
    "FIRST_DAY",
    "LAST_DAY",
    "METRIC_SHARE",
    "PARAGRAPHS",
    "QUOTE_CLOSE",
    "QUOTE_OPEN",
    "SANDING_SHARE",
    "SECTIONS",
    "SENTENCES",
    "Builder",
    "Places",
    "Writer",
    "cn_number",
    "document_at",
    "file_text",
    "generate",
    "level_char",
    "phrases",
    "places",
    "report",
    "sanding",
    "write_corpus",
]

# Shares of the corpus, as in the archives we collect: mostly reports, a few 三定 rules, and
# republications of an earlier report on another site (near-duplicates).
SANDING_SHARE = 0.03
DUPLICATE_SHARE = 0.02
# A republication repeats one of this many documents before it.
DUPLICATE_WINDOW = 1000
# Share of reports about a county rather than a prefecture-level city.
COUNTY_SHARE = 0.25
# Dates spread evenly over the years of the recent rounds of reform.
FIRST_DAY, LAST_DAY = date(2015, 1, 1), date(2024, 12, 31)
# Sections per report, paragraphs per section, sentences per paragraph: real reports run
# 3-6 sections of 2-4 paragraphs (2,000-6,000 characters).
SECTIONS = (3, 6)
PARAGRAPHS = (2, 4)
SENTENCES = (3, 6)
# Chance that a sentence states a figure: real reports give 10-40 figures in 40-100 sentences.
METRIC_SHARE = 0.3
CN_NUMERALS = "零一二三四五六七八九十"
_SLOT = re.compile(r"\{(\w+)\}")
QUOTE_OPEN, QUOTE_CLOSE = "⟨", "⟩"


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    text = resources.files("cnpolicy.search").joinpath("data").joinpath("synth.json")
    data: dict[str, Any] = json.loads(text.read_text("utf-8"))
    return data


@dataclass(frozen=True, slots=True)
class Places:
    cities: tuple[Division, ...]
    counties: tuple[Division, ...]
    counties_of: dict[str, tuple[Division, ...]]


@lru_cache(maxsize=1)
def places() -> Places:
    gazetteer = load_gazetteer()
    divisions = sorted(gazetteer.by_code.values(), key=lambda d: d.code)
    # Placeholder rows of the source data (省直辖县级行政区划 and the like) are not places.
    real = [d for d in divisions if "直辖" not in d.name]
    cities = tuple(d for d in real if d.level == "city")
    counties = tuple(d for d in real if d.level == "county")
    counties_of: dict[str, list[Division]] = {}
    for county in counties:
        counties_of.setdefault(county.city_code, []).append(county)
    return Places(cities, counties, {k: tuple(v) for k, v in counties_of.items()})


def cn_number(n: int) -> str:
    """Small numbers in Chinese numerals (三, 十二)."""
    if n <= 10:
        return CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUMERALS[tens]) + "十" + (CN_NUMERALS[ones] if ones else "")


def level_char(division: Division) -> str:
    return division.name[-1] if division.name[-1] in "市县区旗" else "市"


@dataclass
class Builder:
    """Text under construction, with the records whose offsets point into it."""

    parts: list[str] = field(default_factory=list)
    size: int = 0
    metrics: list[Metric] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def add(self, text: str) -> int:
        start = self.size
        self.parts.append(text)
        self.size += len(text)
        return start

    def text(self) -> str:
        return "".join(self.parts)


class Writer:
    """Fills templates for one document from its own random stream."""

    def __init__(self, rng: random.Random, place: Division, county: Division | None):
        self.rng = rng
        self.place = place
        self.county = county or place
        self.data = phrases()
        gazetteer = load_gazetteer()
        self.region = gazetteer.region(place)
        self.county_region = gazetteer.region(self.county)
        province = gazetteer.by_code.get(place.province)
        self.slots: dict[str, str] = {
            "place": place.name,
            "short": place.short,
            "province": province.name if province else place.name,
            "self": "我" + level_char(place),
            "county": self.county.name,
            "topic": rng.choice(self.data["topics"]),
        }

    def pick(self, key: str) -> str:
        return str(self.rng.choice(self.data[key]))

    def fill(self, template: str, extra: dict[str, str] | None = None) -> str:
        values = {**self.slots, **(extra or {})}

        def slot(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if name == "dept":
                return self.place.name + str(self.rng.choice(self.data["departments"])["name"])
            if name == "n_cn":
                return cn_number(self.rng.randint(3, 6))
            if name == "level":
                return self.pick_level()
            return self.pick({"goal": "goals", "subject": "subjects", "action": "actions",
                              "object": "objects", "measure": "measures"}[name])  # fmt: skip

        # NFKC, as ingest normalises every text: the records match what the pipeline would give.
        return unicodedata.normalize("NFKC", _SLOT.sub(slot, template))

    def pick_level(self) -> str:
        kind = "county" if self.place.level == "county" else "city"
        return str(self.rng.choice(self.data["levels"][kind]))

    def number(self, spec: dict[str, Any]) -> tuple[float, str]:
        """A value for a template: what the record holds, and how the text writes it."""
        low, high = spec["value"]
        if "decimals" in spec:
            shown = round(self.rng.uniform(low, high), spec["decimals"])
            text = f"{shown:.{spec['decimals']}f}"
        else:
            step = int(spec.get("round", 1))
            shown = self.rng.randint(int(low) // step, int(high) // step) * step
            text = str(shown)
        return float(shown) * float(spec.get("scale", 1)), text

    def metric_sentence(self, spec: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        value, shown = self.number(spec)
        values = {"value": shown}
        before = None
        if spec["kind"] == "change":
            before = value + self.rng.randint(*spec["delta"])
            values["before"] = str(int(before))
        if "{part}" in spec["template"]:
            part = self.rng.randint(int(value) // 3, int(value) // 2)
            values.update(part=str(part), rest=str(int(value) - part))
        level = self.pick_level() if "{level}" in spec["template"] else None
        if level is not None:
            values["level"] = level
        sentence = self.fill(spec["template"], values)
        start = sentence.index(QUOTE_OPEN)
        end = sentence.index(QUOTE_CLOSE) - 1
        sentence = sentence.replace(QUOTE_OPEN, "").replace(QUOTE_CLOSE, "")
        region = self.county_region if spec.get("region") == "county" else self.region
        info = {
            "text": sentence[start:end], "start": start, "end": end, "value": as_number(value),
            "unit": spec["unit"], "kind": spec["kind"],
            "before": as_number(before) if before is not None else None,
            "approx": spec.get("approx"), "subject": spec["subject"], "action": spec["action"],
            "level": level, "region": region, "indicator": spec["indicator"],
        }  # fmt: skip
        return sentence, info

    def paragraph(self, builder: Builder) -> None:
        count = self.rng.randint(*SENTENCES)
        for _ in range(count):
            if self.rng.random() < METRIC_SHARE:
                sentence, info = self.metric_sentence(self.rng.choice(self.data["metrics"]))
                offset = builder.add(sentence)
                builder.metrics.append(
                    Metric(
                        sentence=sentence,
                        **{**info, "start": offset + info["start"], "end": offset + info["end"]},
                    )
                )
            else:
                builder.add(self.fill(self.pick("sentences")))
        builder.add("\n")


def _rng(seed: int, index: int) -> random.Random:
    return random.Random(f"cnpolicy-synth:{seed}:{index}")


def _place(rng: random.Random) -> tuple[Division, Division | None]:
    found = places()
    if rng.random() < COUNTY_SHARE:
        county = rng.choice(found.counties)
        return county, county
    city = rng.choice(found.cities)
    inside = found.counties_of.get(city.code[:4] + "00", ())
    return city, (rng.choice(inside) if inside else None)


def _date(rng: random.Random) -> str:
    return (FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))).isoformat()


def report(seed: int, index: int) -> Document:
    """A reform report: title, intro, numbered sections with figures, a closing paragraph."""
    rng = _rng(seed, index)
    place, county = _place(rng)
    writer = Writer(rng, place, county)
    title = writer.fill(writer.pick("titles"))
    builder = Builder()
    builder.add(title + "\n")
    writer_intro = writer.fill(writer.pick("intros"))
    builder.add(writer_intro + "\n")
    headings = rng.sample(writer.data["headings"], rng.randint(*SECTIONS))
    for number, heading in enumerate(headings, start=1):
        line = unicodedata.normalize("NFKC", f"{cn_number(number)}、{heading}")
        start = builder.add(line + "\n")
        for _ in range(rng.randint(*PARAGRAPHS)):
            writer.paragraph(builder)
        builder.sections.append(Section(line, 1, start, builder.size, "cn"))
    builder.add(writer.fill(writer.pick("closings")))
    text = builder.text()
    return Document(
        id=content_id(text), source=f"synth/{seed}/{index:07d}.txt", format="txt", text=text,
        title=title, date=_date(rng), publisher=writer.fill(writer.pick("publishers")),
        region=writer.region, doc_type="reform_report", sections=tuple(builder.sections),
        fingerprint=fingerprint(text), encoding="utf-8", metrics=tuple(builder.metrics),
    )  # fmt: skip


def sanding(seed: int, index: int) -> Document:
    """三定 rules of one department, in the 第X条 shape, with the record a parser would give."""
    rng = _rng(seed, index)
    place, _county = _place(rng)
    writer = Writer(rng, place, None)
    dept = rng.choice(writer.data["departments"])
    name = place.name + dept["name"]
    level = level_char(place)
    nature = dept["nature"] if dept["nature"].startswith("部门") else level + dept["nature"]
    rank = "正科级" if place.level == "county" else "正处级"
    duties = tuple(
        Duty(n, writer.fill("负责{object}的统筹协调和监督管理工作。"))
        for n in range(1, rng.randint(8, 15) + 1)
    )
    bodies = tuple(InternalBody(b) for b in dept["bodies"][: rng.randint(4, len(dept["bodies"]))])
    staffing = {"行政编制": rng.randint(15, 120)}
    if rng.random() < 0.4:
        staffing[rng.choice(writer.data["staffing_kinds"][1:])] = rng.randint(2, 20)
    leadership = {dept["head"]: 1, dept["deputy"]: rng.randint(2, 5),
                  "正科级": rng.randint(len(bodies), len(bodies) + 3), "副科级": rng.randint(1, 6)}  # fmt: skip
    effective = _date(rng)
    interpreter = f"中共{place.name}委机构编制委员会办公室"
    title = f"{name}职能配置、内设机构和人员编制规定"
    lines = [
        title,
        "第一条 根据有关规定，制定本规定。",
        f"第二条 {name}是{nature}，为{rank}。",
        f"第三条 {name}的主要职责是：",
        *(f"（{cn_number(d.number)}）{d.text}" for d in duties),
        f"第四条 {name}设下列内设机构：" + "、".join(b.name for b in bodies) + "。",
        f"第五条 {name}机关"
        + "，".join(f"{k}{v}名" for k, v in staffing.items())
        + "。"
        + "，".join(
            f"设{k}{v}名" if k in (dept["head"], dept["deputy"]) else f"{k}领导职数{v}名"
            for k, v in leadership.items()
        )
        + "。",
        f"第六条 本规定由{interpreter}负责解释，其调整由{interpreter}按规定程序办理。",
        f"第七条 本规定自{effective[:4]}年{int(effective[5:7])}月{int(effective[8:])}日起施行。",
    ]
    text = unicodedata.normalize("NFKC", "\n".join(lines))
    record = Sanding(
        department=name, region=place.name, doc=f"{index:07d}", nature=nature, rank=rank,
        duties=duties, duties_count=len(duties), internal_bodies=bodies, staffing=staffing,
        leadership=leadership, interpreter=interpreter, effective_date=effective,
    )  # fmt: skip
    return Document(
        id=content_id(text), source=f"synth/{seed}/{index:07d}.txt", format="txt", text=text,
        title=title, date=effective, publisher=interpreter, region=writer.region,
        doc_type="sanding", fingerprint=fingerprint(text), encoding="utf-8", sanding=record,
    )  # fmt: skip


def document_at(index: int, *, seed: int = 0) -> Document:
    """Document `index` of the corpus `seed` (the same every time)."""
    rng = _rng(seed, index)
    roll = rng.random()
    if roll < SANDING_SHARE:
        return sanding(seed, index)
    if roll < SANDING_SHARE + DUPLICATE_SHARE and index > 0:
        original = report(seed, rng.randrange(max(0, index - DUPLICATE_WINDOW), index))
        editor = rng.choice(phrases()["editors"])
        text = unicodedata.normalize("NFKC", f"{original.text}\n（责任编辑：{editor}）")
        return replace(
            original, id=content_id(text), source=f"synth/{seed}/{index:07d}.txt", text=text,
            publisher=Writer(rng, *_place(rng)).fill(rng.choice(phrases()["publishers"])),
            fingerprint=fingerprint(text), duplicate_of=original.id,
        )  # fmt: skip
    return report(seed, index)


def generate(count: int, *, seed: int = 0, start: int = 0) -> Iterator[Document]:
    """Documents start … start+count-1, one at a time."""
    for index in range(start, start + count):
        yield document_at(index, seed=seed)


def file_text(document: Document) -> str:
    """The document as a scraped text file: title, an info line with source and date, body."""
    title, _, body = document.text.partition("\n")
    info = f"来源：{document.publisher or ''}  {document.date or ''}".rstrip()
    return f"{title}\n{info}\n{body}\n"


def write_corpus(folder: Path, count: int, *, seed: int = 0, start: int = 0) -> Iterator[Path]:
    """Write documents as UTF-8 text files, 1,000 to a subfolder; yields each path written."""
    for document in generate(count, seed=seed, start=start):
        index = int(Path(document.source).stem)
        path = folder / f"{index // 1000:04d}" / f"{index:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(file_text(document), "utf-8")
        yield path
