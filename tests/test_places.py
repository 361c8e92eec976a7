"""Places: the nation as a place, a document's own place, place scopes in round-ups, scope and
recipient. Every text here is our own writing (the shapes of real round-ups and reports)."""

from __future__ import annotations

import pytest

from cnpolicy.config import ExtractOptions
from cnpolicy.extract import extract_document
from cnpolicy.extract.scopes import find_recipient, find_scope
from cnpolicy.gazetteer import NATION_CODE, contains, load_gazetteer
from cnpolicy.ingest import ingest_bytes
from cnpolicy.records import Document, Metric
from cnpolicy.search.backend import resolve_region


def extract_text(text: str, name: str = "sample.txt") -> Document:
    document = ingest_bytes(text.encode("utf-8"), source=name)
    return extract_document(document, ExtractOptions(sanding=False))


def places_of(document: Document) -> dict[str, str | None]:
    return {m.text: m.region.name if m.region else None for m in document.metrics}


def metric(document: Document, text: str) -> Metric:
    found = [m for m in document.metrics if m.text == text]
    assert len(found) == 1, [m.text for m in document.metrics]
    return found[0]


# --- the nation -------------------------------------------------------------------------------


def test_the_nation_is_a_place_with_its_own_code_and_level() -> None:
    gazetteer = load_gazetteer()
    for name in ("全国", "我国", "中国", "中华人民共和国", "100000"):
        region = gazetteer.lookup(name) if not name.isdigit() else None
        if region is not None:
            assert (region.name, region.code, region.level) == (
                "中华人民共和国",
                NATION_CODE,
                "national",
            )
    assert contains(NATION_CODE, "440803")
    assert not contains("440000", NATION_CODE)


@pytest.mark.parametrize("given", ["全国", "中华人民共和国", "100000"])
def test_a_national_filter_selects_national_documents_alone(given: str) -> None:
    prefix = resolve_region(given).prefix
    assert prefix is not None
    assert NATION_CODE.startswith(prefix)
    # no province's code starts with the nation's prefix
    assert not any(d.code.startswith(prefix) for d in load_gazetteer().divisions)


NATIONAL_REPORT = (
    "各位代表:\n"
    "现在,我代表国务院,向大会报告政府工作,请予审议。\n"
    "一、过去一年工作回顾\n"
    "过去一年,我国经济总量突破一百万亿元,全国城镇新增就业1300万人。\n"
    "我们坚持深化改革,国务院部门精简行政审批事项120项。\n"
    "四川省灾后重建投入资金800亿元。\n"
    "台湾同胞和香港同胞积极参与,两岸贸易额增长5%。\n"
    "我国各族人民团结奋斗。全国各族人民共同努力。\n"
)


def test_a_state_council_report_is_national_and_a_work_report() -> None:
    document = extract_text(NATIONAL_REPORT)
    assert document.region is not None
    assert (document.region.code, document.region.level) == (NATION_CODE, "national")
    assert document.doc_type == "work_report"
    assert document.title is None or not document.title.startswith("一、")
    places = places_of(document)
    assert places["1300万人"] == "中华人民共和国"
    assert places["120项"] == "中华人民共和国"
    assert places["800亿元"] == "四川省"  # a clause led by a province is about it


def test_a_provincial_report_is_placed_by_its_congress_line_and_titled_by_its_title() -> None:
    text = (
        "打印\n2026年某省政府工作报告\n"
        "——2026年1月27日在山西省第十四届人民代表大会第五次会议上\n来源:山西日报\n"
        "各位代表:\n现在,我代表省人民政府,向大会报告工作。\n"
        "过去一年,全省地区生产总值增长5.2%。太原市、大同市新增就业10万人。\n"
    )
    document = extract_text(text)
    assert document.region is not None and document.region.name == "山西省"
    assert document.doc_type == "work_report"
    assert document.title is not None and document.title.startswith("2026年某省政府工作报告")
    assert document.date == "2026-01-27"


def test_a_delivery_line_in_chinese_numerals_or_with_the_speaker_is_no_title() -> None:
    text = (
        "政府工作报告\n二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上 省长 某某\n"
        "各位代表:\n现在,我代表省人民政府向大会报告工作。全省生产总值增长5%。\n"
    )
    document = extract_text(text)
    assert document.title is not None and document.title.startswith("政府工作报告")
    assert document.region is not None and document.region.name == "甘肃省"


# --- untitled text ----------------------------------------------------------------------------


def test_an_excerpt_with_cities_of_one_province_and_quanSheng_is_that_province() -> None:
    text = (
        "过去一年,全省上下共同努力,我们完成了主要目标任务。"
        "广州市新增就业30万人,深圳市新增就业35万人,深圳市研发投入增长10%,"
        "深圳市高新技术企业超过2万家,佛山市制造业增加值增长6%。"
        "全省粮食产量保持稳定,全省森林覆盖率达到58%。今年全省主要预期目标是:生产总值增长5%左右。"
    )
    document = extract_text(text)
    assert document.region is not None and document.region.name == "广东省"
    assert document.doc_type == "work_report"


def test_an_older_reports_excerpt_looks_back_and_plans_ahead() -> None:
    text = (
        "五年来,我们在各条战线上取得了很大的成绩,工业总产值比一九五九年增长百分之三十。"
        "今后,我们要继续调整国民经济,为第三个五年计划作好准备。"
    )
    assert extract_text(text).doc_type == "work_report"


def test_a_look_back_without_a_plan_is_not_a_work_report() -> None:
    text = "五年来,我们的学校培养了一千多名学生,今后还要继续努力办好教育。"
    assert extract_text(text).doc_type != "work_report"


def test_an_excerpt_that_speaks_of_woGuo_is_national() -> None:
    text = (
        "我国粮食产量再创新高,我国经济总量稳居世界第二。上海市、深圳市、上海市的进出口增长较快,"
        "上海市港口吞吐量居首。我国城镇化率提高到66%。全国人民共同努力。"
    )
    document = extract_text(text)
    assert document.region is not None and document.region.level == "national"


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("关于做好2026年春耕生产工作的通知", "notice"),
        ("国务院关于印发某某方案的通知", "notice"),
    ],
)
def test_notices_are_notices_and_state_council_titles_are_national(
    title: str, doc_type: str
) -> None:
    document = extract_text(f"{title}\n各省、自治区、直辖市人民政府:\n现将有关事项通知如下。\n")
    assert document.doc_type == doc_type
    if title.startswith("国务院"):
        assert document.region is not None and document.region.level == "national"


# --- place scopes -----------------------------------------------------------------------------

ROUND_UP = (
    "广东省市县机构改革工作综述\n"
    "广东省委编办\n"
    "全省各地扎实推进机构改革。全省共精简党政机构120个。\n"
    "湛江市\n"
    "聚焦职能转变 优化机构设置\n"
    "改革后,市级设置党政机构40个,精简内设机构25个。\n"
    "强化统筹压实责任\n"
    "全市共核减行政编制300名。\n"
    "遂溪县\n"
    "县级党政机构精简至25个。\n"
    "茂名市\n"
    "改革后,市级党政机构39个。\n"
    "全省下放市县审批事项210项,向乡镇下放执法权限56项。\n"
)


def test_each_figure_of_a_round_up_goes_to_the_place_heading_it_stands_under() -> None:
    document = extract_text(ROUND_UP)
    assert document.region is not None and document.region.name == "广东省"
    assert [m.region.name if m.region else None for m in document.metrics] == [
        "广东省",  # 120个, before any city heading
        "湛江市",  # 40个: a subtitle under the city does not end its part
        "湛江市",  # 25个
        "湛江市",  # 300名, after a second subtitle
        "遂溪县",  # 25个: a county inside the city's part
        "茂名市",  # 39个: the next city ends the county's and the first city's parts
        "广东省",  # 210项: 全省 is the province again
        "广东省",  # 56项
    ]


def test_outline_sections_bound_the_place_headings_inside_them() -> None:
    text = (
        "关于全省市县机构改革进展情况的通报\n各市、县(区)委编办:\n现将进展情况通报如下。\n"
        "一、湛江市\n(一)优化机构设置\n市级设置党政机构40个。\n(二)精简编制\n"
        "遂溪县\n县级党政机构精简至25个,全县收回编制60名。\n"
        "(三)下放权限\n向乡镇下放事项45项。\n二、茂名市\n市级党政机构39个。\n"
        "三、下一步工作\n全省将再精简编制500名。\n广东省委编办\n2019年3月8日\n"
    )
    document = extract_text(text)
    assert document.region is not None and document.region.name == "广东省"
    assert places_of(document) == {
        "40个": "湛江市",
        "25个": "遂溪县",
        "60名": "遂溪县",
        "45项": "湛江市",  # the county's part ended with its outline section
        "39个": "茂名市",
        "500名": "广东省",
    }


def test_quanShi_in_a_county_level_city_is_that_city_and_a_framing_quanSheng_is_not() -> None:
    text = (
        "昆山市2020年机构改革情况\n全市精简内设机构48个。"
        "在全省率先推行一业一证改革,首批覆盖16个行业。\n"
    )
    document = extract_text(text)
    assert set(places_of(document).values()) == {"昆山市"}


def test_a_clause_led_by_a_place_goes_to_it() -> None:
    text = "某省机构改革情况\n江苏省推进改革。苏州市精简机构30个,南京市将核减编制200名。\n"
    document = extract_text(text)
    assert places_of(document) == {"30个": "苏州市", "200名": "南京市"}


# --- scope and recipient ----------------------------------------------------------------------


def test_scope_and_recipient_on_extracted_metrics() -> None:
    document = extract_text(ROUND_UP)
    assert metric(document, "40个").scope == "市级"
    assert metric(document, "300名").scope == "全市"
    assert metric(document, "120个").scope == "全省"
    transfer = metric(document, "56项")
    assert (transfer.recipient, transfer.scope) == ("乡镇", "全省")
    assert metric(document, "40个").recipient is None


@pytest.mark.parametrize(
    ("before", "level", "scope"),
    [
        ("改革后,市级设置党政机构", "市级", "市级"),
        ("全市共核减行政编制", None, "全市"),
        ("全市乡镇统一设置,县级党政机构精简至", "县级", "县级"),
        ("在翠屏区、南溪区等3个县(区)开展试点,精简编制", None, "3个县(区)"),
        ("精简内设机构", None, None),
    ],
)
def test_find_scope(before: str, level: str | None, scope: str | None) -> None:
    assert find_scope(before, level) == scope


@pytest.mark.parametrize(
    ("clause", "recipient"),
    [
        ("向乡镇(街道)下放执法事项56项", "乡镇(街道)"),
        ("下放到开发区管理权限30项", "开发区"),
        ("赋予县级经济社会管理权限100项", "县级"),
        ("向14个县(市、区)下放", None),
        ("精简内设机构20个", None),
    ],
)
def test_find_recipient(clause: str, recipient: str | None) -> None:
    assert find_recipient(clause) == recipient
