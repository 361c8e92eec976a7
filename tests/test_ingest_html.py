"""read_html: charset, main text without site furniture, title, date and publisher."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import html as lxml_html

from cnpolicy.dates import parse_date
from cnpolicy.errors import EmptyDocumentError
from cnpolicy.ingest.html import (
    declared_charset,
    fallback_text,
    read_html,
    restore_breaks,
    strip_site_suffix,
)
from cnpolicy.ingest.text import GB_FAMILY, decode_text
from tests.conftest import CORPORA

FURNITURE = re.compile(
    r"ICP备|版权所有|网站标识码|您现在的位置|请输入关键字|打印本页|关闭窗口|分享到|上一篇|下一篇"
    r"|责任编辑|浏览次数|设为首页|加入收藏|网站首页|字号[:：]|联系电话[:：]|地址[:：]"
)


def corpora_pages() -> list[Path]:
    return sorted(CORPORA.glob("*/*.html"))


@pytest.mark.parametrize("path", corpora_pages(), ids=lambda p: p.stem)
def test_corpora_pages_give_clean_text_title_and_date(path: Path) -> None:
    data = path.read_bytes()
    raw = read_html(data, source=path.name)
    assert raw.format == "html"
    assert len(raw.text) > 200 and raw.text.count("\n") >= 3
    assert "\ufffd" not in raw.text
    for line in raw.text.split("\n"):
        assert not FURNITURE.search(line), f"furniture left in {path.name}: {line[:60]}"
    assert raw.title and "_" not in raw.title and not raw.title.endswith("网")
    if raw.date is not None:
        assert date.fromisoformat(raw.date).year >= 1990


def gb_declared_pages() -> list[Path]:
    return [p for p in corpora_pages() if declared_charset(p.read_bytes()) in GB_FAMILY]


def test_the_corpora_hold_a_page_declaring_a_gb_charset() -> None:
    assert gb_declared_pages()


@pytest.mark.parametrize("path", gb_declared_pages(), ids=lambda p: p.stem)
def test_pages_declaring_a_gb_charset_decode_as_gb18030(path: Path) -> None:
    data = path.read_bytes()
    text, encoding = decode_text(data, source=path.name, declared=declared_charset(data))
    assert encoding == "gb18030" and text == data.decode("gb18030")


RARE = "朱镕基、王堃、张喆"

PAGE = f"""<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>江城市深化机构改革取得阶段性成效_工作动态_江城机构编制网</title>
<script>var hits = 1;</script>
</head><body>
<div class="header"><h1 class="logo">江城机构编制网</h1>
<div class="nav"><a href="/">网站首页</a> | <a>机构概况</a> | <a>工作动态</a></div>
<form><input value="请输入关键字"><button>搜索</button></form></div>
<div class="position">您现在的位置：<a>首页</a> &gt; 工作动态</div>
<div class="article">
<h2 class="title">江城市深化机构改革取得阶段性成效</h2>
<div class="info">来源：江城市委编办&nbsp;&nbsp;发布时间：2020-12-14 10:23&nbsp;&nbsp;浏览次数：128</div>
<div class="content">
<p>　　今年以来，江城市委编办认真贯彻落实中央和省委关于深化机构改革的决策部署，市级党政机构由原来的56个精简为42个，精简比例达25%。</p>
<p>　　一、强化组织领导</p>
<p>　　市委成立改革领导小组，{RARE}等同志参与调研，召开专题会议12次，研究解决改革中的重大问题。</p>
<table><tr><td>项目</td><td>改革前</td><td>改革后</td></tr><tr><td>党政机构</td><td>56个</td><td>42个</td></tr></table>
<p>　　全市共梳理职责事项1200余项，划转职责85项，进一步理顺了部门职责关系。</p>
</div>
<div class="share">分享到：<a>微信</a><a>微博</a></div>
<div class="tools"><a>【打印本页】</a> <a>【关闭窗口】</a></div>
</div>
<div class="related"><h3>相关新闻</h3><ul><li><a>江城市召开机构编制工作会议</a></li></ul></div>
<div class="footer"><p>主办：中共江城市委机构编制委员会办公室</p>
<p>地址：江城市人民路1号　电话：0710-1234567</p>
<p>版权所有：江城市委编办　鄂ICP备12345678号　网站标识码：4206000001</p></div>
</body></html>"""


def test_a_portal_page_declared_gb2312_holding_gbk_characters() -> None:
    raw = read_html(PAGE.encode("gb18030"), source="jiangcheng.html")
    assert raw.encoding == "gb18030"
    assert raw.title == "江城市深化机构改革取得阶段性成效"
    assert raw.date == "2020-12-14"
    assert raw.publisher == "江城市委编办"
    lines = raw.text.split("\n")
    assert lines[0].startswith("今年以来") and lines[-1].startswith("全市共梳理职责事项")
    assert "一、强化组织领导" in lines
    assert "项目\t改革前\t改革后" in lines and "党政机构\t56个\t42个" in lines
    assert RARE in raw.text
    for needle in ("相关新闻", "江城市召开机构编制工作会议", "主办", "ICP", "搜索", "分享", "首页"):
        assert needle not in raw.text


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("标题很长的一篇文章_机构编制网", "标题很长的一篇文章"),
        ("标题很长的一篇文章 - 江城市人民政府", "标题很长的一篇文章"),
        ("标题很长的一篇文章|江城网", "标题很长的一篇文章"),
        ("江城网｜标题很长的一篇文章", "标题很长的一篇文章"),
        ("关于印发《方案》的通知_部门文件_中国政府网", "关于印发《方案》的通知"),
        ("精兵简政 提质增效——咸宁市大科室制改革", "精兵简政 提质增效——咸宁市大科室制改革"),
        ("2019-2020年度工作总结", "2019-2020年度工作总结"),
        ("", None),
    ],
)
def test_the_site_name_is_removed_from_the_title(title: str, expected: str | None) -> None:
    assert strip_site_suffix(title) == expected


def page_with(head: str, body: str) -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


ARTICLE = (
    "<div class='content'>"
    + "<p>机构改革取得新进展，全市共精简编制120名，进一步理顺了职责关系。</p>" * 4
    + "</div>"
)


@pytest.mark.parametrize(
    ("info", "expected_date", "expected_publisher"),
    [
        (
            "来源：XX市委编办&nbsp;&nbsp;发布时间：2020-12-14 10:23&nbsp;&nbsp;浏览次数：",
            "2020-12-14",
            "XX市委编办",
        ),
        ("时间:2018-03-14&nbsp;&nbsp;&nbsp;", "2018-03-14", None),
        ("来源:湛江日报 责任编辑:顾雯丽 2019-09-06 16:32:46", "2019-09-06", "湛江日报"),
        ("2020年12月14日", "2020-12-14", None),
        ("发布日期：2021/3/2　信息来源：市委编办", "2021-03-02", "市委编办"),
        ("文章来源：江城日报 | 作者：记者 李明", None, "江城日报"),
        ("来源：中共江城县委办公室　阅读量：<span>867</span>", None, "中共江城县委办公室"),
        ("来源：江城日报 记者 李明 通讯员 王五 2021-03-02", "2021-03-02", "江城日报"),
        ("来源：江城市委编办阅读次数：1,286", None, "江城市委编办"),
        ("来源：阅读量：867", None, None),
    ],
)
def test_date_and_publisher_from_the_info_line(
    info: str, expected_date: str | None, expected_publisher: str | None
) -> None:
    body = f"<h1>江城市机构改革纪实</h1><div class='info'>{info}</div>{ARTICLE}"
    raw = read_html(page_with("<title>江城市机构改革纪实_江城网</title>", body), source="p.html")
    assert raw.title == "江城市机构改革纪实"
    assert raw.date == expected_date
    assert raw.publisher == expected_publisher


def test_meta_tags_are_the_fallback_for_date_publisher_and_title() -> None:
    head = (
        "<title>江城网</title><meta name='ArticleTitle' content='关于机构编制工作的通知'>"
        "<meta name='PubDate' content='2021-03-02 09:00'><meta name='ContentSource' content='江城市委编办'>"
    )
    raw = read_html(page_with(head, ARTICLE), source="p.html")
    assert (raw.title, raw.date, raw.publisher) == (
        "关于机构编制工作的通知",
        "2021-03-02",
        "江城市委编办",
    )
    iso = page_with(
        "<meta property='article:published_time' content='2022-02-24T17:05:00+08:00'>", ARTICLE
    )
    assert read_html(iso, source="p.html").date == "2022-02-24"


def test_no_date_is_invented_from_copyright_years_or_office_hours() -> None:
    body = f"<h1>江城市机构改革纪实</h1>{ARTICLE}<div>Copyright © 2014-2019 江城市委编办</div><div>办公时间：周一至周五</div>"
    raw = read_html(page_with("<title>江城市机构改革纪实</title>", body), source="p.html")
    assert raw.date is None and raw.publisher is None


def test_the_lxml_fallback_keeps_paragraphs_and_drops_menus_and_footers() -> None:
    tree = lxml_html.document_fromstring(
        "<html><body><div class='nav'>首页 | 机构概况</div><script>x=1</script>"
        "<div id='zoom'>第一段正文。<br>第二段正文。<p>第三段</p></div>"
        "<table><tr><td>机构</td><td>编制</td></tr></table>"
        "<div class='footer'>版权所有</div></body></html>"
    )
    assert fallback_text(tree) == "第一段正文。\n第二段正文。\n第三段\n机构\t编制"


def test_runs_of_blocks_joined_by_an_extractor_are_split_back() -> None:
    page_lines = ["标题", "时间:2018-03-14", "正文一。", "正文二。", "页脚"]
    assert restore_breaks("时间:2018-03-14 正文一。 正文二。", page_lines) == (
        "时间:2018-03-14\n正文一。\n正文二。"
    )
    assert restore_breaks("不在页面上的一行。", page_lines) == "不在页面上的一行。"


def test_charset_declarations_are_read_from_meta_and_xml() -> None:
    assert (
        declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">')
        == "gb2312"
    )
    assert declared_charset(b"<meta charset='utf-8'>") == "utf-8"
    assert declared_charset(b'<?xml version="1.0" encoding="GBK"?><html>') == "gbk"
    assert declared_charset(b"<html><body>no charset</body></html>") is None


def test_parse_date_validates_the_calendar() -> None:
    assert parse_date("发布时间：2019-09-06 16:32:46") == "2019-09-06"
    assert parse_date("2020年2月30日") is None
    assert parse_date("电话:0710-1234567") is None


def test_an_empty_page_gives_empty_text() -> None:
    raw = read_html(b"<html><head><title>x</title></head><body></body></html>", source="e.html")
    assert raw.text == ""


def test_a_blank_file_is_an_empty_document() -> None:
    with pytest.raises(EmptyDocumentError, match=r"blank\.html"):
        read_html(b"  \n ", source="blank.html")


OLD_PORTAL = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>江城县推进事业单位改革_江城县人民政府</title></head><body>
<table class="nav"><tr><td><a href="/">网站首页</a></td><td><a>政务公开</a></td></tr></table>
<table class="content">
<tr><td class="title"><h1>江城县推进事业单位改革</h1></td></tr>
<tr><td class="info">来源：江城县委编办&nbsp;&nbsp;&nbsp;发布时间：2021-11-08 09:30&nbsp;&nbsp;&nbsp;浏览次数：<script src="/count.php?id=1"></script>&nbsp;&nbsp;&nbsp;【字体：<a>大</a> <a>中</a> <a>小</a>】</td></tr>
<tr><td id="zoom" class="text">{paragraphs}
<p style="text-align:right">（编辑：张三　审核：李四）</p></td></tr>
<tr><td class="tools">【<a>打印本页</a>】&nbsp;【<a>关闭窗口</a>】</td></tr>
</table></body></html>"""
PARAGRAPHS = "".join(
    f"<p>　　第{n}段，全县事业单位由改革前的187个精简到102个，精简比例达45.5%，进一步理顺了职责关系。</p>"
    for n in range(1, 6)
)
INFO_TEXT = re.compile(r"来源|发布时间|浏览次数|字体|编辑|审核")


def test_an_info_line_in_a_table_cell_is_read_and_left_out_of_the_text() -> None:
    page = OLD_PORTAL.format(paragraphs=PARAGRAPHS).encode("gb18030")
    raw = read_html(page, source="old.html")
    assert (raw.title, raw.date, raw.publisher) == (
        "江城县推进事业单位改革",
        "2021-11-08",
        "江城县委编办",
    )
    assert raw.info is not None and raw.info.startswith("来源：江城县委编办")
    assert not [line for line in raw.text.split("\n") if INFO_TEXT.search(line)]
    assert raw.text.count("精简比例达45.5%") == 5


@pytest.mark.parametrize(
    "holder",
    [
        "<div class='info'>{}</div>",
        "<p>{}</p>",
        "<div class='content'><span class='meta'>{}</span><br></div>",
        "<table><tr><td>{}</td></tr></table>",
    ],
)
def test_info_lines_leave_the_text_whatever_element_holds_them(holder: str) -> None:
    info = "发布时间：2019-03-22 17:05　来源：中共江城县委办公室　阅读量：<span>867</span>　【<a>大</a> <a>中</a> <a>小</a>】"
    body = f"<h1>江城县机构改革纪实</h1>{holder.format(info)}{ARTICLE}"
    raw = read_html(page_with("<title>江城县机构改革纪实</title>", body), source="p.html")
    assert raw.date == "2019-03-22" and raw.publisher == "中共江城县委办公室"
    assert "阅读量" not in raw.text and "来源" not in raw.text
    assert raw.text.count("机构改革取得新进展") == 4


def test_a_notice_keeps_its_own_time_and_place_lines() -> None:
    body = (
        "<h1>关于召开机构编制工作会议的通知</h1><div class='content'>"
        "<p>各县（市、区）编办：</p><p>经研究，决定召开全市机构编制工作会议。现将有关事项通知如下。</p>"
        "<p>时间：2021年3月5日上午9时</p><p>地点：市行政中心3楼会议室</p>"
        "<p>请各单位按时参加，不得缺席，确有特殊情况须提前向市委编办请假。</p></div>"
    )
    raw = read_html(
        page_with("<title>关于召开机构编制工作会议的通知</title>", body), source="n.html"
    )
    assert "时间：2021年3月5日上午9时" in raw.text.split("\n")
    assert "地点：市行政中心3楼会议室" in raw.text.split("\n")


def test_a_counter_never_ends_up_in_the_publisher_from_a_meta_tag() -> None:
    head = "<title>江城网</title><meta name='ContentSource' content='江城市委编办 点击数：12'>"
    raw = read_html(page_with(head, ARTICLE), source="p.html")
    assert raw.publisher == "江城市委编办"
