"""Typed records shared by every stage: documents, sections, entities, metrics, 三定 records.

`Document.to_dict()` is the `cnpolicy extract --format jsonl` contract; `from_dict` reads it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from operator import attrgetter
from typing import Any, Literal, TypeAlias

__all__ = [
    "DOC_TYPES",
    "FORMATS",
    "Approx",
    "DocType",
    "Document",
    "Duty",
    "Entity",
    "InternalBody",
    "Metric",
    "MetricKind",
    "Number",
    "Region",
    "RegionLevel",
    "Sanding",
    "Section",
    "as_number",
]

Number: TypeAlias = int | float
DocType = Literal["reform_report", "work_report", "sanding", "notice", "news", "other"]
DOC_TYPES: tuple[str, ...] = ("reform_report", "work_report", "sanding", "notice", "news", "other")
FORMATS: tuple[str, ...] = ("txt", "html", "pdf", "docx")
MetricKind = Literal["count", "percent", "change", "amount"]
Approx = Literal["more_than", "nearly", "about", "at_most"]
RegionLevel = Literal["national", "province", "city", "county"]


def _fields_of(record: Any) -> dict[str, Any]:
    """A slotted record's fields in declaration order, values as they are (no deep copy: the
    fields of Region, Section and Entity are strings, numbers or None; asdict's copying cost
    a tenth of `cnpolicy extract`'s output time), read by one getter per record class."""
    kind = type(record)
    known = _FIELD_GETTERS.get(kind)
    if known is None:
        names: tuple[str, ...] = tuple(kind.__slots__)
        getter = attrgetter(*names)
        read = getter if len(names) > 1 else lambda item: (getter(item),)
        known = _FIELD_GETTERS[kind] = (names, read)
    names, read = known
    return dict(zip(names, read(record), strict=True))


# Each record class's field names and a getter of all their values at once.
_FIELD_GETTERS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def as_number(value: float) -> Number:
    """Return an int when the value is integral (49.0 → 49), so JSON shows what the text said."""
    if isinstance(value, int):
        return value
    return int(value) if float(value).is_integer() else round(float(value), 6)


@dataclass(frozen=True, slots=True)
class Region:
    """A place: its full name, six-digit division code (None when not in the gazetteer)."""

    name: str
    code: str | None = None
    province: str | None = None
    level: RegionLevel | None = None

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Region | None:
        if not data:
            return None
        return cls(
            name=str(data["name"]),
            code=data.get("code"),
            province=data.get("province"),
            level=data.get("level"),
        )


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the span of text it governs (heading included)."""

    title: str
    level: int
    start: int
    end: int
    marker: str  # "chapter" 第X章, "article" 第X条, "cn" 一、, "paren" （一）, "arabic" 1．, "standalone"

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True, slots=True)
class Entity:
    """A named thing in the text; `text == document.text[start:end]`."""

    text: str
    label: str  # ORG, GPE, PERSON, DOC, DATE, POLICY
    start: int
    end: int
    normalized: str | None = None
    code: str | None = None  # division code for GPE

    def to_dict(self) -> dict[str, Any]:
        return _fields_of(self)


@dataclass(frozen=True, slots=True)
class Metric:
    """A statistic stated in the text, typed and normalised (see ANNOTATION.md)."""

    text: str
    start: int
    end: int
    sentence: str
    value: Number
    unit: str
    kind: MetricKind
    value_max: Number | None = None
    before: Number | None = None
    approx: Approx | None = None
    subject: str | None = None
    action: str | None = None
    level: str | None = None
    region: Region | None = None
    indicator: str | None = None
    # How much the figure covers: 市级/县级/乡镇 (one level's own bodies), 全市/全省 (the place and
    # all below it), N个县 (a named subset), or None when the text does not say.
    scope: str | None = None
    # For transfers (下放/下划/下沉): who receives, e.g. 乡镇, 开发区, 县.
    recipient: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = _fields_of(self)
        data["region"] = self.region.to_dict() if self.region else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metric:
        values: dict[str, Any] = {f.name: data.get(f.name) for f in fields(cls)}
        values["region"] = Region.from_dict(data.get("region"))
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Duty:
    """A numbered item of 主要职责."""

    number: int
    text: str


@dataclass(frozen=True, slots=True)
class InternalBody:
    name: str
    duties: str | None = None


@dataclass(frozen=True, slots=True)
class Sanding:
    """A department record parsed from a 三定规定 (the fields of SANDING.md, plus texts)."""

    department: str | None
    region: str | None
    doc: str | None = None
    nature: str | None = None
    rank: str | None = None
    additional_names: tuple[str, ...] = ()
    duties: tuple[Duty, ...] = ()
    duties_count: int = 0
    has_function_transformation: bool = False
    function_transformation: str | None = None
    has_responsibility_division: bool = False
    responsibility_division: str | None = None
    internal_bodies: tuple[InternalBody, ...] = ()
    staffing: dict[str, int] = field(default_factory=dict)
    leadership: dict[str, int] = field(default_factory=dict)
    interpreter: str | None = None
    effective_date: str | None = None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """SANDING.md's fields as the gold files write them, then the texts behind them.

        `internal_bodies` is the list of names (as in the gold files); each body's duties
        text is in `internal_bodies_detail`; `additional_names` is omitted when there are none.
        """
        data: dict[str, Any] = {
            "doc": self.doc,
            "doc_type": "sanding",
            "department": self.department,
            "region": self.region,
            "nature": self.nature,
            "rank": self.rank,
        }
        if self.additional_names:
            data["additional_names"] = list(self.additional_names)
        data.update(
            {
                "duties_count": self.duties_count,
                "has_function_transformation": self.has_function_transformation,
                "has_responsibility_division": self.has_responsibility_division,
                "internal_bodies": [b.name for b in self.internal_bodies],
                "staffing": dict(self.staffing),
                "leadership": dict(self.leadership),
                "interpreter": self.interpreter,
                "effective_date": self.effective_date,
                "duties": [asdict(d) for d in self.duties],
                "function_transformation": self.function_transformation,
                "responsibility_division": self.responsibility_division,
                "internal_bodies_detail": [asdict(b) for b in self.internal_bodies],
                "warnings": list(self.warnings),
            }
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Sanding | None:
        if not data:
            return None
        simple = {f.name for f in fields(cls)} - {
            "additional_names",
            "duties",
            "internal_bodies",
            "warnings",
            "staffing",
            "leadership",
        }
        values: dict[str, Any] = {k: data[k] for k in simple if k in data}
        values.setdefault("department", None)
        values.setdefault("region", None)
        detail = data.get("internal_bodies_detail")
        bodies = (
            tuple(InternalBody(**b) for b in detail)
            if detail is not None
            else tuple(InternalBody(name=n) for n in data.get("internal_bodies") or ())
        )
        return cls(
            **values,
            additional_names=tuple(data.get("additional_names") or ()),
            duties=tuple(Duty(**d) for d in data.get("duties") or ()),
            internal_bodies=bodies,
            staffing=dict(data.get("staffing") or {}),
            leadership=dict(data.get("leadership") or {}),
            warnings=tuple(data.get("warnings") or ()),
        )


@dataclass(frozen=True, slots=True)
class Document:
    """One cleaned, described document and what was extracted from it."""

    id: str
    source: str
    format: str
    text: str
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    region: Region | None = None
    doc_type: str = "other"
    sections: tuple[Section, ...] = ()
    duplicate_of: str | None = None
    fingerprint: str | None = None  # simhash of the body, for near-duplicate detection
    encoding: str | None = None
    doc_number: str | None = None  # 发文字号, e.g. 国办发〔2024〕5号
    # The dates a document states, ISO: "written" (成文/印发), "published" (发布), "effective" (施行)
    dates: dict[str, str] = field(default_factory=dict)
    url: str | None = None  # the original address (canonical link, og:url or the info line)
    entities: tuple[Entity, ...] = ()
    metrics: tuple[Metric, ...] = ()
    sanding: Sanding | None = None

    def with_extraction(
        self,
        *,
        entities: tuple[Entity, ...] | None = None,
        metrics: tuple[Metric, ...] | None = None,
        sanding: Sanding | None = None,
    ) -> Document:
        return replace(
            self,
            entities=self.entities if entities is None else entities,
            metrics=self.metrics if metrics is None else metrics,
            sanding=sanding if sanding is not None else self.sanding,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "format": self.format,
            "title": self.title,
            "date": self.date,
            "publisher": self.publisher,
            "region": self.region.to_dict() if self.region else None,
            "doc_type": self.doc_type,
            "duplicate_of": self.duplicate_of,
            "fingerprint": self.fingerprint,
            "encoding": self.encoding,
            "doc_number": self.doc_number,
            "dates": dict(self.dates),
            "url": self.url,
            "text": self.text,
            "sections": [s.to_dict() for s in self.sections],
            "entities": [e.to_dict() for e in self.entities],
            "metrics": [m.to_dict() for m in self.metrics],
            "sanding": self.sanding.to_dict() if self.sanding else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            id=str(data["id"]),
            source=str(data["source"]),
            format=str(data["format"]),
            text=str(data["text"]),
            title=data.get("title"),
            date=data.get("date"),
            publisher=data.get("publisher"),
            region=Region.from_dict(data.get("region")),
            doc_type=str(data.get("doc_type") or "other"),
            sections=tuple(Section(**s) for s in data.get("sections") or ()),
            duplicate_of=data.get("duplicate_of"),
            fingerprint=data.get("fingerprint"),
            encoding=data.get("encoding"),
            doc_number=data.get("doc_number"),
            dates=dict(data.get("dates") or {}),
            url=data.get("url"),
            entities=tuple(Entity(**e) for e in data.get("entities") or ()),
            metrics=tuple(Metric.from_dict(m) for m in data.get("metrics") or ()),
            sanding=Sanding.from_dict(data.get("sanding")),
        )
