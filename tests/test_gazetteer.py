from __future__ import annotations

import pytest

from cnpolicy.gazetteer import code_prefix, contains, load_gazetteer


@pytest.mark.parametrize(
    ("name", "code", "level"),
    [
        ("湛江市", "440800", "city"),
        ("广东省", "440000", "province"),
        ("湛江", "440800", "city"),
        ("廉江市", "440881", "county"),
        ("北京市", "110000", "province"),
        ("襄樊市", "420600", "city"),  # former name of 襄阳市
    ],
)
def test_lookup_known_places(name: str, code: str, level: str) -> None:
    region = load_gazetteer().lookup(name)
    assert region is not None
    assert (region.code, region.level) == (code, level)


def test_unknown_place_is_never_mapped_to_a_similar_one() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("江州市") is None  # 江州区 (崇左) exists; 江州市 does not
    region = gazetteer.region_for("江州市")
    assert region.name == "江州市" and region.code is None


def test_namesakes_resolved_by_context() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("朝阳区", within="110000").code == "110105"  # type: ignore[union-attr]
    assert gazetteer.lookup("朝阳区", within="220100").code == "220104"  # type: ignore[union-attr]


def test_find_longest_names_with_offsets() -> None:
    text = "广东省湛江市廉江市设立金融工作局,与湛江日报合作"
    mentions = load_gazetteer().find(text)
    assert [(m.text, text[m.start : m.end]) for m in mentions] == [
        ("广东省", "广东省"),
        ("湛江市", "湛江市"),
        ("廉江市", "廉江市"),
        ("湛江", "湛江"),
    ]
    assert mentions[-1].short and not mentions[0].short


def test_common_words_are_not_places() -> None:
    assert load_gazetteer().find("长治久安,来宾致辞,中山大学") == []


def test_containment_by_code() -> None:
    assert code_prefix("440000") == "44" and code_prefix("440800") == "4408"
    assert contains("440000", "440881") and contains("440800", "440881")
    assert not contains("440800", "441900") and not contains("440881", "440800")


def test_outwards_and_ancestor_walk_from_a_county_to_its_city_and_province() -> None:
    gazetteer = load_gazetteer()
    county = gazetteer.by_name["廉江市"][0]
    names = [d.name for d in gazetteer.outwards(county.code)]
    assert names == ["廉江市", "湛江市", "广东省"]
    assert gazetteer.ancestor(county, "province") == gazetteer.by_name["广东省"][0]
    province = gazetteer.by_name["广东省"][0]
    assert gazetteer.ancestor(province, "city") is None
