"""The indicator taxonomy: one unit per indicator on every corpus, Chinese names and aliases
accepted wherever an id is, and a defective taxonomy file refused with a named error."""

from __future__ import annotations

import pytest

from cnpolicy.errors import ExtractError, QueryError
from cnpolicy.indicators import _rule, load_taxonomy, resolve_indicators
from cnpolicy.quality.coverage import Coverage, mixed_units
from cnpolicy.records import Document


def test_no_indicator_yields_two_units_on_any_corpus(
    bundled_documents: dict[str, list[Document]],
) -> None:
    coverages = []
    for name, documents in bundled_documents.items():
        coverage = Coverage(name)
        for document in documents:
            coverage.add(document)
        coverages.append(coverage)
    assert sum(c.assigned for c in coverages) > 150  # the corpora do exercise the taxonomy
    assert mixed_units(coverages) == {}
    taxonomy = load_taxonomy()
    for coverage in coverages:
        for indicator, units in coverage.units.items():
            found = taxonomy.get(indicator)
            assert found is not None and set(units) == {found.unit}


def test_every_indicator_has_a_chinese_name_and_aliases() -> None:
    for indicator in load_taxonomy().indicators:
        assert any("\u4e00" <= c <= "\u9fff" for c in indicator.label_zh)
        assert indicator.aliases
        assert resolve_indicators([indicator.label_zh]) == (indicator.id,)
        assert resolve_indicators([indicator.id]) == (indicator.id,)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("党政机构", {"institutions.party_government"}),
        ("党政机构精简比例", {"institutions.reduction_rate"}),
        ("行政编制精简率", {"staffing.admin_reduction_rate"}),
        ("事业编制精简率", {"staffing.institution_reduction_rate"}),
        ("向开发区下放事权", {"powers.devolved_to_zones"}),
    ],
)
def test_chinese_names_resolve_to_ids(name: str, expected: set[str]) -> None:
    assert set(resolve_indicators([name])) == expected


def test_a_shared_alias_names_its_whole_family() -> None:
    devolved = resolve_indicators(["下放事权"])
    assert set(devolved) == {
        "powers.devolved",
        "powers.devolved_to_zones",
        "powers.devolved_to_townships",
        "powers.devolved_to_counties",
    }
    rates = resolve_indicators(["精简比例"])
    taxonomy = load_taxonomy()
    assert len(rates) >= 5
    assert {u for i in rates if (found := taxonomy.get(i)) for u in [found.unit]} == {"%"}


def test_an_unknown_name_is_a_query_error_with_hints() -> None:
    with pytest.raises(QueryError, match="党政机构") as raised:
        resolve_indicators(["党政机构改革"])
    assert raised.value.field == "indicator"
    with pytest.raises(QueryError, match="unknown indicator"):
        resolve_indicators(["没有这个指标"])


def test_a_rule_for_another_unit_is_refused() -> None:
    with pytest.raises(ExtractError, match="one indicator, one unit"):
        _rule({"subject_any": ["编制"], "unit_any": ["%", "名"]}, "staffing.x", "%")
    assert _rule({"subject_any": ["编制"]}, "staffing.x", "名").unit_any == ("名",)


def test_mixed_units_are_reported() -> None:
    coverage = Coverage("x")
    coverage.units = {"a": __import__("collections").Counter({"个": 2, "家": 1})}
    assert mixed_units([coverage]) == {"a": {"个", "家"}}
