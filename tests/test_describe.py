from __future__ import annotations

import pytest

from cnpolicy.dates import parse_date
from cnpolicy.ingest.describe import (
    classify,
    describe,
    find_region,
    is_issuer_line,
    read_signature,
)
from cnpolicy.ingest.raw import RawText


def describe_text(text: str, fmt: str = "txt", **raw: str) -> object:
    return describe(RawText(text=text, format=fmt, **raw), text, source="x.txt")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("来源:湛江日报 2019-09-06 16:32:46", "2019-09-06"),
        ("发布时间:2020年12月14日", "2020-12-14"),
        ("二〇二一年三月八日", "2021-03-08"),
        ("二〇二〇年十二月二十一日", "2020-12-21"),
        ("2019/3/1", "2019-03-01"),
        ("截至2017年底", None),
        ("编号 2019-13-45", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_title_date_publisher_from_the_info_line() -> None:
    text = (
        "网站首页\n湛江市推进机构改革纪实\n来源:湛江日报 责任编辑:王五 2019-09-06 16:32:46\n"
        "市级机构从61个减到49个,编制精简率14.8%。"
    )
    doc = describe_text(text)
    assert doc.title == "湛江市推进机构改革纪实"  # type: ignore[attr-defined]
    assert doc.date == "2019-09-06"  # type: ignore[attr-defined]
    assert doc.publisher == "湛江日报"  # type: ignore[attr-defined]
    assert "来源" not in doc.text  # type: ignore[attr-defined]
    assert doc.region.code == "440800"  # type: ignore[attr-defined]


def test_signature_gives_publisher_and_date() -> None:
    lines = [
        "关于做好机构编制统计工作的通知",
        "各县(市、区)编办:",
        "请按时报送。",
        "中共鄂州市委机构编制委员会办公室",
        "2020年12月14日",
    ]
    assert read_signature(lines) == ("中共鄂州市委机构编制委员会办公室", "2020-12-14")
    doc = describe_text("\n".join(lines))
    assert doc.date == "2020-12-14" and doc.doc_type == "notice"  # type: ignore[attr-defined]
    assert doc.region.name == "鄂州市" and doc.region.code == "420700"  # type: ignore[attr-defined]


def test_page_facts_win_over_text() -> None:
    doc = describe_text(
        "正文提到广州市。\n第二段。", "html", title="深圳市推进改革", date="2021-01-02"
    )
    assert doc.title == "深圳市推进改革" and doc.date == "2021-01-02"  # type: ignore[attr-defined]
    assert doc.text.startswith("深圳市推进改革\n")  # type: ignore[attr-defined]
    assert doc.region.code == "440300"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("江州市市场监督管理局职能配置、内设机构和人员编制规定", "第一条 为了规范", "sanding"),
        ("2021年政府工作报告", "各位代表:", "work_report"),
        ("关于做好2021年机构编制统计工作的通知", "各单位:", "notice"),
        ("咸宁市直机关大科室制改革释放活力", "改革后核减内设机构113个。", "reform_report"),
        ("全市召开春季运动会", "运动会在体育中心举行。", "other"),
    ],
)
def test_classify(title: str, text: str, expected: str) -> None:
    assert classify(title, text, has_info_line=False) == expected


def test_news_needs_an_info_line() -> None:
    assert classify("全市召开春季运动会", "运动会举行。", has_info_line=True) == "news"


def test_region_from_title_short_name_and_nesting() -> None:
    region = find_region("以创新推动发展 湛江扎实推进改革", "", None)
    assert region is not None and region.code == "440800"
    region = find_region("山东省威海市委编办四措并举", "", None)
    assert region is not None and region.code == "371000"


def test_unknown_place_keeps_its_name_without_code() -> None:
    region = find_region("江州市市场监督管理局职能配置、内设机构和人员编制规定", "", None)
    assert region is not None
    assert (region.name, region.code) == ("江州市", None)


def test_region_from_text_when_title_has_none() -> None:
    text = "近年来,宜昌市深化改革。宜昌市推进放管服。湖北省部署。"
    region = find_region("深化改革 永无止境", text, None)
    assert region is not None and region.code == "420500"


def test_stored_pdf_title_yields_to_the_text() -> None:
    text = "政府工作报告\n——2020年1月8日在昆山市第十七届人民代表大会第四次会议上\n昆山市人民政府\n各位代表:"
    doc = describe_text(text, "pdf", title="政府工作报告(送审稿)")
    assert doc.title == "政府工作报告" and doc.date == "2020-01-08"  # type: ignore[attr-defined]
    assert doc.publisher == "昆山市人民政府"  # type: ignore[attr-defined]
    assert doc.region.code == "320583" and doc.doc_type == "work_report"  # type: ignore[attr-defined]


def test_bulletin_masthead_subtitle_and_byline() -> None:
    text = (
        "浙江省机构编制工作简报\n2019年第5期(总第87期)\n浙江省委机构编制委员会办公室 2019年5月20日\n"
        "蹄疾步稳谋新篇 改革落地见实效\n——全省市县机构改革工作综述\n按照省委统一部署,全省完成机构改革。"
    )
    doc = describe_text(text)
    assert doc.title == "蹄疾步稳谋新篇 改革落地见实效——全省市县机构改革工作综述"  # type: ignore[attr-defined]
    assert doc.date == "2019-05-20"  # type: ignore[attr-defined]
    assert doc.publisher == "浙江省委机构编制委员会办公室"  # type: ignore[attr-defined]
    assert doc.region.code == "330000"  # type: ignore[attr-defined]


NOTICE_BODY = "各街道党工委、办事处:\n现将上半年改革推进情况通报如下。\n一、总体进展情况\n各街道均已组建执法队。"


def test_an_issuer_line_above_the_title_is_not_the_title() -> None:
    text = (
        "江城区深化街道综合行政执法改革工作领导小组办公室\n江执改办〔2022〕4号\n"
        f"关于全区街道综合行政执法改革推进情况的通报\n{NOTICE_BODY}"
    )
    doc = describe_text(text, "docx")
    assert doc.title == "关于全区街道综合行政执法改革推进情况的通报"  # type: ignore[attr-defined]
    assert doc.publisher == "江城区深化街道综合行政执法改革工作领导小组办公室"  # type: ignore[attr-defined]
    assert doc.doc_type == "notice"  # type: ignore[attr-defined]


def test_the_signature_wins_over_the_issuer_line_for_the_publisher() -> None:
    text = (
        "中共江城县委 江城县人民政府\n关于深化乡镇管理体制改革的意见\n"
        f"{NOTICE_BODY}\n中共江城县委办公室\n2021年3月8日"
    )
    doc = describe_text(text, "pdf")
    assert doc.title == "关于深化乡镇管理体制改革的意见"  # type: ignore[attr-defined]
    assert doc.publisher == "中共江城县委办公室" and doc.date == "2021-03-08"  # type: ignore[attr-defined]


def test_a_headline_ending_in_an_organisation_suffix_stays_the_title() -> None:
    text = "江城市组建市场监督管理局\n关于机构设置的情况说明\n市场监管局整合了原工商、质监、食药监的职责。"
    doc = describe_text(text)
    assert doc.title == "江城市组建市场监督管理局"  # type: ignore[attr-defined]


def test_an_organisation_name_alone_stays_the_title_when_no_real_title_follows() -> None:
    doc = describe_text("江城市市场监督管理局\n市场监管局整合了原工商、质监、食药监的职责。")
    assert doc.title == "江城市市场监督管理局"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("江城区深化街道综合行政执法改革工作领导小组办公室", True),
        ("中共江城县委办公室", True),
        ("中共江城县委 江城县人民政府", True),
        ("中共江城县委、江城县人民政府", True),
        ("江城市住房和城乡建设局", True),
        ("关于全区街道执法改革推进情况的通报", False),
        ("江城市成立营商环境工作领导小组", False),
        ("江城县2021年机构编制工作总结", False),
        ("江城县推进事业单位改革 公益服务效能持续提升", False),
        ("江城市推进“放管服”改革协调小组办公室", True),
        ("江城市委编办:", False),
        ("江城,市委编办", False),
        ("江城市人民政府工作报告", False),
        ("", False),
    ],
)
def test_issuer_lines(line: str, expected: bool) -> None:
    assert is_issuer_line(line) is expected


def test_a_readers_info_line_gives_date_publisher_and_news_type() -> None:
    doc = describe_text(
        "江城市召开春季运动会\n运动会在体育中心举行。",
        "html",
        title="江城市召开春季运动会",
        info="来源:江城日报 点击数:12",
    )
    assert doc.publisher == "江城日报" and doc.doc_type == "news"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("来源:江城日报阅读量:867 2019-09-06", "江城日报"),
        ("2019-09-06 来源:江城市委编办 浏览次数:128", "江城市委编办"),
        ("来源:中共江城县委办公室阅读次数1286", "中共江城县委办公室"),
    ],
)
def test_counters_never_end_up_in_the_publisher(info: str, expected: str) -> None:
    doc = describe_text(f"江城市推进机构改革纪实\n{info}\n市级机构从61个减到49个。")
    assert doc.publisher == expected  # type: ignore[attr-defined]
    page = describe_text(
        "市级机构从61个减到49个。", "html", title="江城", publisher=f"{expected} 阅读量:9"
    )
    assert page.publisher == expected  # type: ignore[attr-defined]
