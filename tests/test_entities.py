"""Rule-based entities (extract/entities.py, cnpolicy/abbreviations.py) and the spaCy component."""

from __future__ import annotations

import datetime
import functools
import itertools
import re
from pathlib import Path

import cn2an
import jieba
import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.abbreviations import parse_suffixes, places_in
from cnpolicy.config import ExtractOptions
from cnpolicy.errors import ExtractError
from cnpolicy.extract.entities import LABELS, NESTING_LABELS, recognize
from cnpolicy.extract.offsets import TokenOffsets
from cnpolicy.extract.pipeline import build_nlp
from cnpolicy.gazetteer import load_gazetteer
from cnpolicy.records import Entity, Region


def region(name: str) -> Region:
    return load_gazetteer().region_for(name)


def found(text: str, label: str, **kwargs: object) -> list[Entity]:
    return [e for e in recognize(text, **kwargs) if e.label == label]  # type: ignore[arg-type]


def texts(text: str, label: str, **kwargs: object) -> list[str]:
    return [e.text for e in found(text, label, **kwargs)]


# --- ORG -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("组建市投资促进局,加快发展", ["市投资促进局"]),
        ("中共湛江市委、湛江市市场监督管理局参加", ["中共湛江市委", "湛江市市场监督管理局"]),
        ("国务院和中央编办联合发文", ["国务院", "中央编办"]),
        ("省委深化机构改革工作领导小组审定", ["省委深化机构改革工作领导小组"]),
        ("新组建的农业综合执法支队承担执法职能", ["农业综合执法支队"]),
        ("湛江高新区管委会与湛江经济技术开发区", ["湛江高新区管委会", "湛江经济技术开发区"]),
        ("如将原市农业局、海洋渔业局等下属单位", ["市农业局", "海洋渔业局"]),
        ("市发展和改革局和市人力资源和社会保障局", ["市发展和改革局", "市人力资源和社会保障局"]),
        ("市委组织部、市财政局等单位", ["市委组织部", "市财政局"]),
        ("市委市政府高度重视", ["市委", "市政府"]),
    ],
)
def test_organisations_found_without_swallowing_verbs(text: str, expected: list[str]) -> None:
    assert texts(text, "ORG", region=region("湛江市")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不断开创全面深化改革的新局面,顾大局", []),
        ("对分管部门的工作进行部署", []),
        ("湖北省委机构编制委员会办公室主办", ["湖北省委机构编制委员会办公室"]),  # 主办 is a verb
        ("实施审批服务马上办、网上办、就近办", []),
        ("坚持以人民为中心的发展思想,加快建设省域副中心城市", []),
        ("实行行政审批委托制改革", []),
        ("其中正科职数98名,副科职数75名", []),
        ("党委政府督查,解决合署办公问题", []),
        ("城市更新工作和超市管理", []),
    ],
)
def test_ordinary_words_with_suffixes_are_not_organisations(text: str, expected: list[str]) -> None:
    assert texts(text, "ORG") == expected


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("市委编办", "中共鄂州市委机构编制委员会办公室"),
        ("市编办", "中共鄂州市委机构编制委员会办公室"),
        ("市政府", "鄂州市人民政府"),
        ("市委", "中共鄂州市委员会"),
        ("市市场监管局", "鄂州市市场监督管理局"),
        ("省委编办", "中共湖北省委机构编制委员会办公室"),
        ("市委组织部", "中共鄂州市委组织部"),
        ("市投资促进局", "鄂州市投资促进局"),
    ],
)
def test_abbreviations_resolve_to_the_documents_place(short: str, full: str) -> None:
    text = f"会议由{short}召集。"
    orgs = found(text, "ORG", region=region("鄂州市"))
    assert [(o.text, o.normalized) for o in orgs] == [(short, full)]


def test_abbreviations_follow_the_region_and_stay_open_without_one() -> None:
    text = "市委编办和市政府"
    in_xianning = {o.text: o.normalized for o in found(text, "ORG", region=region("咸宁市"))}
    assert in_xianning == {
        "市委编办": "中共咸宁市委机构编制委员会办公室",
        "市政府": "咸宁市人民政府",
    }
    assert {o.normalized for o in found(text, "ORG")} == {None}  # no region: not guessed


def test_explicit_places_beat_the_document_region() -> None:
    orgs = found("山东省威海市委编办、咸宁市编办、威海编办", "ORG", region=region("湛江市"))
    assert [o.normalized for o in orgs] == [
        "中共威海市委机构编制委员会办公室",
        "中共咸宁市委机构编制委员会办公室",
        "中共威海市委机构编制委员会办公室",
    ]


def test_county_level_city_is_the_place_of_its_own_shi_words() -> None:
    orgs = found("市委、市政府", "ORG", region=region("廉江市"))
    assert [o.normalized for o in orgs] == ["中共廉江市委员会", "廉江市人民政府"]


def test_suffix_file_errors_name_the_file_and_line() -> None:
    with pytest.raises(ExtractError, match=r"org_suffixes.txt: line 2"):
        parse_suffixes("局\tstrong\t2\n委员会 strong 2\n")
    assert [s.text for s in parse_suffixes("# comment\n局\tstrong\t2\n")] == ["局"]


# --- GPE -------------------------------------------------------------------------------------


def test_places_get_codes_and_full_names() -> None:
    places = found("广东省湛江市所辖廉江市,湛江扎实推进", "GPE")
    assert [(p.text, p.code, p.normalized) for p in places] == [
        ("广东省", "440000", "广东省"),
        ("湛江市", "440800", "湛江市"),
        ("廉江市", "440881", "廉江市"),
        ("湛江", "440800", "湛江市"),
    ]


@pytest.mark.parametrize(
    ("context", "code"), [("北京市", "110105"), ("长春市", "220104"), (None, None)]
)
def test_namesakes_resolved_by_the_document_region(context: str | None, code: str | None) -> None:
    reg = region(context) if context else None
    [place] = found("朝阳区开展试点", "GPE", region=reg)
    assert (place.text, place.code) == ("朝阳区", code)  # ambiguous without context: no code


def test_namesakes_resolved_by_the_place_written_before() -> None:
    [_, _, place] = found("吉林省长春市朝阳区", "GPE")
    assert (place.text, place.code) == ("朝阳区", "220104")


def test_unknown_place_keeps_no_code_and_is_not_mapped_to_a_similar_one() -> None:
    text = "江州市市场监督管理局是江州市人民政府工作部门"
    places = found(text, "GPE", region=Region(name="江州市"))
    assert [(p.text, p.start, p.code) for p in places] == [
        ("江州市", 0, None),
        ("江州市", 11, None),
    ]
    after_province = found("广西壮族自治区江州市人民政府", "GPE")
    assert [(p.text, p.code) for p in after_province] == [
        ("广西壮族自治区", "450000"),
        ("江州市", None),
    ]
    orgs = found(text, "ORG")
    assert orgs[0].text == "江州市市场监督管理局"  # the name starts at the place, not at 州


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("为了规范江州市市场监督管理局的职能", "江州市市场监督管理局"),
        ("今天市委组织部开会了", "市委组织部"),  # 今天 is a word, 今天市 no place
        ("进一步强化市委对机构编制工作的领导", "市委"),
    ],
)
def test_unknown_places_need_a_name_not_a_word(text: str, org: str) -> None:
    assert texts(text, "ORG") == [org]
    assert texts(text, "GPE") == (["江州市"] if "江州市" in text else [])


def test_towns_are_places_without_code() -> None:
    places = found("廉江市石城镇人民政府,深化城乡一体和乡镇街道改革", "GPE")
    assert [(p.text, p.code) for p in places] == [("廉江市", "440881"), ("石城镇", None)]


def test_common_words_and_slogans_are_not_places() -> None:
    assert found("长治久安,建立一中心四平台,来宾致辞", "GPE") == []


# --- PERSON ----------------------------------------------------------------------------------


def test_people_by_lexicon_title_and_tongzhi() -> None:
    text = (
        "习近平总书记指出,市长张三主持会议,李四同志讲话,向王小明同志学习,主任高明同志,习总书记强调"
    )
    people = found(text, "PERSON")
    assert [(p.text, p.normalized) for p in people] == [
        ("习近平", "习近平"),
        ("张三", "张三"),
        ("李四", "李四"),
        ("王小明", "王小明"),
        ("高明", "高明"),
        ("习总书记", "习近平"),
    ]


@pytest.mark.parametrize(
    "text", ["部长陈述意见", "65名转隶同志转隶到位", "各位同志、老同志", "书记专题会议", "一片汪洋"]
)
def test_not_people(text: str) -> None:
    assert found(text, "PERSON") == []


# --- DOC -------------------------------------------------------------------------------------


def test_nested_titles_give_outer_and_inner() -> None:
    text = "根据《关于印发〈湛江市机构改革方案〉的通知》要求"
    docs = found(text, "DOC")
    assert [(d.text, d.normalized) for d in docs] == [
        ("关于印发〈湛江市机构改革方案〉的通知", "关于印发《湛江市机构改革方案》的通知"),
        ("湛江市机构改革方案", "湛江市机构改革方案"),
    ]
    assert all(text[d.start : d.end] == d.text for d in docs)


def test_short_title_aliases_resolve_to_the_full_title() -> None:
    text = "起草《湛江市机构改革方案》(以下简称《方案》);省委批准《方案》"
    docs = found(text, "DOC")
    assert [(d.text, d.normalized) for d in docs][-2:] == [
        ("方案", "湛江市机构改革方案"),
        ("方案", "湛江市机构改革方案"),
    ]


def test_document_numbers() -> None:
    text = "根据国发〔2016〕55号和粤机编办发〔2019〕12号、鄂州编字[2020]6号文件,省委37号文件"
    docs = found(text, "DOC")
    assert [(d.text, d.normalized) for d in docs] == [
        ("国发〔2016〕55号", "国发〔2016〕55号"),
        ("粤机编办发〔2019〕12号", "粤机编办发〔2019〕12号"),
        ("鄂州编字[2020]6号", "鄂州编字〔2020〕6号"),
        ("省委37号文件", None),
    ]


@pytest.mark.parametrize("text", ["《方案没有闭合", "方案》只有后半", "第37号令", "(2020)6号"])
def test_not_documents(text: str) -> None:
    assert found(text, "DOC") == []


# --- DATE ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("2019年3月25日", "2019-03-25"),
        ("2021年7月", "2021-07"),
        ("2019年", "2019"),
        ("二〇一九年三月", "2019-03"),
        ("二〇二〇年十二月三十一日", "2020-12-31"),
        ("2017年底", "2017"),
        ("2019-09-06", "2019-09-06"),
        ("2019年2月30日", None),  # not a real day: kept, not normalised
    ],
)
def test_dates_normalised_at_their_precision(text: str, normalized: str | None) -> None:
    [date] = found(f"于{text}完成", "DATE")
    assert (date.text, date.normalized) == (text, normalized)


def test_relative_dates_resolve_only_against_a_document_date() -> None:
    text = "去年3月以来,今年1月2日至4日"
    assert [d.normalized for d in found(text, "DATE")] == [None, None]
    assert [d.normalized for d in found(text, "DATE", date="2019-09-06")] == [
        "2018-03",
        "2019-01-02",
    ]


def test_dates_without_year_take_the_last_year_written() -> None:
    text = "2018年5月举办研讨班;10月邀请专家;1月12日完成"
    dates = found(text, "DATE", date="2019-09-06")
    assert [(d.text, d.normalized) for d in dates] == [
        ("2018年5月", "2018-05"),
        ("10月", "2018-10"),
        ("1月12日", "2018-01-12"),
    ]
    assert found("3月25日完成", "DATE")[0].normalized is None  # no year anywhere


@pytest.mark.parametrize("text", ["用3个月时间", "十九届三中全会", "回归2270项", "92.4%", "第2月"])
def test_not_dates(text: str) -> None:
    assert found(text, "DATE") == []


@settings(max_examples=60, deadline=None)
@given(
    st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31)),
    st.booleans(),
)
def test_written_dates_round_trip_to_iso(day: datetime.date, chinese: bool) -> None:
    if chinese:
        year = "".join("〇一二三四五六七八九"[int(c)] for c in str(day.year))
        written = f"{year}年{cn2an.an2cn(day.month)}月{cn2an.an2cn(day.day)}日"
    else:
        written = f"{day.year}年{day.month}月{day.day}日"
    [date] = found(f"会议于{written}召开", "DATE")
    assert (date.text, date.normalized) == (written, day.isoformat())


# --- POLICY ----------------------------------------------------------------------------------


def test_policies_with_variants_normalised() -> None:
    text = "深化“放管服”改革,推行证照分离和双随机、一公开,推进互联网＋政务服务,建立河长制"
    policies = found(text, "POLICY")
    assert [(p.text, p.normalized) for p in policies] == [
        ("放管服", "放管服"),
        ("证照分离", "证照分离"),
        ("双随机、一公开", "双随机一公开"),
        ("互联网＋政务服务", "互联网+政务服务"),
        ("河长制", "河长制"),
    ]


def test_not_policies() -> None:
    assert found("放管结合,管出效益,一网打尽", "POLICY") == []


# --- invariants ------------------------------------------------------------------------------

FRAGMENTS = [
    "市委",
    "编办",
    "市政府",
    "局",
    "委员会",
    "办公室",
    "《",
    "》",
    "〈",
    "〉",
    "湛江市",
    "廉江市",
    "2019年",
    "3月",
    "25日",
    "去年",
    "习近平",
    "同志",
    "市长",
    "张三",
    "放管服",
    "组建",
    "的",
    "和",
    "、",
    ",",
    "。",
    "\n",
    "〔2019〕",
    "12号",
    "国发",
    "石城镇",
    "朝阳区",
    "领导小组",
    "市场监管",
    "深化",
    "改革",
    "一中心四平台",
    "江州市",
    "中共",
    "省委",
    "部门",
    "格局",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=40), st.sampled_from([None, "湛江市", "鄂州市"])
)
def test_entities_have_exact_offsets_and_never_cross(pieces: list[str], place: str | None) -> None:
    text = "".join(pieces)
    entities = recognize(text, region=region(place) if place else None, date="2019-09-06")
    gazetteer = load_gazetteer()
    assert entities == sorted(entities, key=lambda e: (e.start, e.end, LABELS.index(e.label)))
    for e in entities:
        assert e.label in LABELS and e.text == text[e.start : e.end] and e.end > e.start
        assert e.code is None or (e.label == "GPE" and e.code in gazetteer.by_code)
        if e.label == "DATE" and e.normalized:
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", e.normalized)
    for a in entities:
        for b in entities:
            if a is b or a.end <= b.start or b.end <= a.start:
                continue
            inside = (a.start >= b.start and a.end <= b.end) or (
                b.start >= a.start and b.end <= a.end
            )
            assert inside, (a, b)  # overlapping entities nest, never cross
            assert (
                a.label != b.label
                or a.label in NESTING_LABELS
                or (a.start, a.end) == (b.start, b.end)
            )


# --- the spaCy component ---------------------------------------------------------------------


def test_component_through_blank_chinese() -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("cnpolicy_entities", config={"region": "鄂州市"})
    doc = nlp("市委编办印发《鄂州市机构改革方案》。")
    records = [s._.cnpolicy_entity for s in doc.spans["entities"]]
    assert [(e.label, e.text, e.normalized) for e in records] == [
        ("ORG", "市委编办", "中共鄂州市委机构编制委员会办公室"),
        ("GPE", "鄂州市", "鄂州市"),
        ("DOC", "鄂州市机构改革方案", "鄂州市机构改革方案"),
    ]
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("市委编办", "ORG"),
        ("鄂州市机构改革方案", "DOC"),
    ]


def test_component_with_jieba_keeps_every_record_and_exact_offsets() -> None:
    jieba.setLogLevel(60)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("cnpolicy_entities")
    text = "湛江市委和湛江市政府组建市投资促进局,中共湛江市委机构编制委员会办公室印发通知。"
    doc = nlp.make_doc(text)
    doc._.cnpolicy_region = region("湛江市")
    doc = nlp.get_pipe("cnpolicy_entities")(doc)
    records = {s._.cnpolicy_entity for s in doc.spans["entities"]}
    assert records == set(recognize(text, region=region("湛江市")))
    assert all(text[e.start : e.end] == e.text for e in records)
    spans = [(e.start_char, e.end_char) for e in doc.ents]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # no overlap


# --- the development corpus ------------------------------------------------------------------


def test_real_reform_report(shared_corpus: Path) -> None:
    text = (shared_corpus / "reform" / "zhanjiang-2019.txt").read_text("utf-8")
    entities = recognize(text, region=region("湛江市"), date="2019-09-06")
    by_label = {label: {e.text for e in entities if e.label == label} for label in LABELS}
    assert {"中央编办", "市投资促进局", "市市场监管局", "市委"} <= by_label["ORG"]
    assert {"广东省机构改革方案", "湛江市机构改革方案"} <= by_label["DOC"]
    assert {"放管服", "证照分离", "双随机一公开"} <= by_label["POLICY"]
    assert "习近平" in by_label["PERSON"]
    lianjiang = [e for e in entities if e.text == "廉江市"]
    assert lianjiang and all(e.label == "GPE" and e.code == "440881" for e in lianjiang)
    market = next(e for e in entities if e.text == "市市场监管局")
    assert market.normalized == "湛江市市场监督管理局"
    march = next(e for e in entities if e.text == "3月25日")
    assert march.normalized == "2019-03-25"
    assert all(text[e.start : e.end] == e.text for e in entities)
    assert not by_label["ORG"] & {"大局", "部门", "新局面", "以人民为中心"}


# --- token offsets and the shared place scan (speed work must not change what is found) ------------


@functools.lru_cache(maxsize=1)
def tokenizer_only() -> spacy.language.Language:
    return build_nlp(ExtractOptions(entities=False, metrics=False, sanding=False))


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="市委编办机构改革湛江广东省 ,。的12", min_size=1, max_size=30),
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=1, max_value=30),
)
def test_token_offsets_align_as_char_span_does(text: str, start: int, length: int) -> None:
    doc = tokenizer_only().make_doc(text)
    tokens = TokenOffsets.of(doc)
    start = min(start, len(text) - 1)
    end = min(len(text), start + length)
    for mode, got in (
        ("expand", tokens.expand(start, end)),
        ("contract", tokens.contract(start, end)),
    ):
        span = doc.char_span(start, end, alignment_mode=mode)
        expected = (span.start, span.end) if span is not None and len(span) else None
        assert got == expected, (mode, text, start, end)


def test_the_place_scan_is_shared_and_equals_the_gazetteer() -> None:
    text = "广东省湛江市和茂名市推进改革,向遂溪县下放权限。"
    assert list(places_in(text)) == load_gazetteer().find(text)
    assert places_in(text) is places_in(text)
    assert [e.text for e in found(text, "GPE")] == ["广东省", "湛江市", "茂名市", "遂溪县"]
