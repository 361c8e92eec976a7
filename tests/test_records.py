from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cnpolicy.records import (
    Document,
    Duty,
    Entity,
    InternalBody,
    Metric,
    Region,
    Sanding,
    Section,
    as_number,
)

regions = st.builds(
    Region,
    name=st.text(min_size=1, max_size=8),
    code=st.one_of(st.none(), st.from_regex(r"\d{6}", fullmatch=True)),
    province=st.one_of(st.none(), st.text(max_size=5)),
    level=st.sampled_from([None, "province", "city", "county"]),
)
numbers = st.one_of(st.integers(0, 10**9), st.floats(0, 1e6, allow_nan=False).map(as_number))
metrics = st.builds(
    Metric,
    text=st.text(min_size=1, max_size=10),
    start=st.integers(0, 1000),
    end=st.integers(0, 1000),
    sentence=st.text(max_size=30),
    value=numbers,
    unit=st.sampled_from(["个", "项", "名", "%", "平方公里", "元"]),
    kind=st.sampled_from(["count", "percent", "change", "amount"]),
    value_max=st.one_of(st.none(), numbers),
    before=st.one_of(st.none(), numbers),
    approx=st.sampled_from([None, "more_than", "nearly", "about", "at_most"]),
    subject=st.one_of(st.none(), st.text(max_size=10)),
    region=st.one_of(st.none(), regions),
    indicator=st.sampled_from([None, "staffing.reduction_rate"]),
)
sandings = st.builds(
    Sanding,
    department=st.one_of(st.none(), st.text(max_size=12)),
    region=st.one_of(st.none(), st.text(max_size=5)),
    doc=st.one_of(st.none(), st.text(max_size=5)),
    additional_names=st.lists(st.text(min_size=1, max_size=6), max_size=2).map(tuple),
    duties=st.lists(
        st.builds(Duty, number=st.integers(1, 20), text=st.text(max_size=20)), max_size=3
    ).map(tuple),
    duties_count=st.integers(0, 20),
    internal_bodies=st.lists(
        st.builds(
            InternalBody,
            name=st.text(min_size=1, max_size=6),
            duties=st.one_of(st.none(), st.text(max_size=10)),
        ),
        max_size=3,
    ).map(tuple),
    staffing=st.dictionaries(st.sampled_from(["行政编制", "事业编制"]), st.integers(0, 500)),
    leadership=st.dictionaries(st.sampled_from(["局长", "副局长"]), st.integers(0, 9)),
    effective_date=st.one_of(st.none(), st.just("2019-03-01")),
    warnings=st.lists(st.text(max_size=10), max_size=2).map(tuple),
)
documents = st.builds(
    Document,
    id=st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
    source=st.text(min_size=1, max_size=20),
    format=st.sampled_from(["txt", "html", "pdf", "docx"]),
    text=st.text(max_size=100),
    title=st.one_of(st.none(), st.text(max_size=20)),
    region=st.one_of(st.none(), regions),
    sections=st.lists(
        st.builds(
            Section,
            title=st.text(max_size=8),
            level=st.integers(1, 4),
            start=st.integers(0, 99),
            end=st.integers(0, 99),
            marker=st.just("cn"),
        ),
        max_size=3,
    ).map(tuple),
    entities=st.lists(
        st.builds(
            Entity,
            text=st.text(min_size=1, max_size=5),
            label=st.just("ORG"),
            start=st.integers(0, 99),
            end=st.integers(0, 99),
        ),
        max_size=3,
    ).map(tuple),
    metrics=st.lists(metrics, max_size=3).map(tuple),
    sanding=st.one_of(st.none(), sandings),
)


@given(documents)
def test_document_round_trips_through_json(document: Document) -> None:
    line = json.dumps(document.to_dict(), ensure_ascii=False)
    assert Document.from_dict(json.loads(line)) == document


def test_contract_fields_present_in_order() -> None:
    data = Document(id="0" * 16, source="a.txt", format="txt", text="正文").to_dict()
    for key in (
        "id",
        "source",
        "format",
        "title",
        "date",
        "publisher",
        "region",
        "doc_type",
        "text",
        "sections",
        "entities",
        "metrics",
        "sanding",
    ):
        assert key in data
    assert data["entities"] == [] and data["metrics"] == [] and data["sanding"] is None


def test_sanding_dict_matches_gold_shape() -> None:
    record = Sanding(
        department="江州市市场监督管理局",
        region="江州市",
        internal_bodies=(InternalBody("办公室", "负责机关日常运转。"), InternalBody("机关党委")),
        staffing={"行政编制": 58},
    )
    data = record.to_dict()
    assert data["internal_bodies"] == ["办公室", "机关党委"]
    assert "additional_names" not in data
    assert data["internal_bodies_detail"][0] == {"name": "办公室", "duties": "负责机关日常运转。"}


def test_as_number_keeps_integers_integral() -> None:
    assert as_number(49.0) == 49 and isinstance(as_number(49.0), int)
    assert as_number(14.8) == 14.8
