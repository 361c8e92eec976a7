"""strip_furniture(): site banners, menus, widgets and footers go; body, title and info line stay."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.ingest import ingest_bytes
from cnpolicy.ingest.clean import (
    TRAILING_FRAGMENT_ENDS,
    furniture,
    is_edge_furniture,
    is_furniture_line,
    is_info_line,
    join_label_lines,
    strip_fragments,
    strip_furniture,
)
from cnpolicy.ingest.normalize import normalize
from cnpolicy.ingest.text import read_text
from tests.conftest import CORPORA, SHARED

# The regex parser of the standard library (private: typeshed lists neither module), to read
# off the characters each [trailing] fragment can end with.
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

BODY = [
    "江城市深化机构改革 推动资源力量下沉",
    "发布时间:2020-12-14 10:23 来源:江城市委编办",
    "今年以来,江城市委编办扎实推进机构改革,市级党政机构由56个精简为42个。",
    "一、强化组织领导",
    "改革领导小组召开专题会议12次,研究解决重大问题。",
]

TOP_FURNITURE = [
    "无标题文档",
    "新华丝路首页",
    "一带一路国家级信息服务平台",
    "江城机构编制网",
    "湖北机构编制网欢迎您!",
    "站内搜索",
    "网站首页 | 机构概况 | 工作动态 | 政策法规",
    "今天是:2019年11月8日 星期五",
    "您现在的位置: 首页 > 市县动态",
    "当前位置:首页>>工作动态>>地方动态",
]

BOTTOM_FURNITURE = [
    "【字体:大 中 小】 【打印】 【关闭】",
    "阅读: 评论:0",
    "分享到:微信 微博",
    "本文链接:http://www.example.gov.cn/a/1.html",
    "版权声明:凡本网注明来源的作品,转载请注明出处。",
    "标签: 机构改革 编制",
    "留言与评论(共有 0 条评论)",
    "用户名: 匿名发表",
    "验证码: 看不清?换一张",
    "打印本页 关闭窗口",
    "|||",
    "Copyright © 2014-2019 中共江城市委机构编制委员会办公室 版权所有",
    "鄂ICP备 13009157号",
    "网站标识码:4206000001",
    "联系地址:武汉市武昌区水果湖洪山路 电话:027-87235482",
    "中共湖北省委机构编制委员会办公室主办 | 鄂ICP备 13009157号",
    "主办:中共江城市委机构编制委员会办公室 承办:江城市机构编制网络中心",
]


def test_the_pattern_file_loads_with_every_section() -> None:
    patterns = furniture()
    for section in ("anywhere", "edge", "tail_start", "trailing", "leading", "info"):
        assert getattr(patterns, section), f"[{section}] has no patterns"


@pytest.mark.parametrize("line", TOP_FURNITURE + BOTTOM_FURNITURE)
def test_each_furniture_line_is_recognised_at_an_edge(line: str) -> None:
    assert is_edge_furniture(normalize(line))


def test_furniture_at_top_and_bottom_goes_and_the_body_stays() -> None:
    page = normalize("\n".join(TOP_FURNITURE + BODY + BOTTOM_FURNITURE))
    assert strip_furniture(page) == normalize("\n".join(BODY))


def test_body_sentences_that_mention_phone_or_sponsor_stay() -> None:
    body = [
        "江城市召开机构编制培训会",
        "本次培训由市委编办主办,市人社局承办,共80人参加。",
        "联系人:市委编办综合科 张三,电话:0710-1234567。",
        "各单位要加强ICP备案管理,依法保护版权所有人的合法权益。",
        "本规定由市委编办负责解释。",
    ]
    text = normalize("\n".join(body))
    assert strip_furniture(text) == text


def test_wholly_furniture_lines_go_even_in_the_middle() -> None:
    text = normalize("标题\n第一段正文。\n【字体:大 中 小】\n||||\n第二段正文。")
    assert strip_furniture(text) == "标题\n第一段正文。\n第二段正文。"


def test_edge_only_patterns_do_not_strike_in_the_middle() -> None:
    middle = "地址:江城市人民路1号"
    text = f"标题\n第一段正文。\n{middle}\n第二段正文。"
    assert middle in strip_furniture(text).split("\n")


def test_trailing_fragments_are_cut_from_title_and_body_lines() -> None:
    text = "威海市委编办“四措并举”做好改革文章 |\n||||\n正文到此结束。 |\n打印本页 关闭窗口 |"
    assert strip_furniture(text) == "威海市委编办“四措并举”做好改革文章\n正文到此结束。"


def test_a_byline_is_kept_inline_and_on_its_own_line() -> None:
    text = (
        "标题\n正文提供了坚强保障。咸宁市编办供稿\n(南平市委编办供稿)\n联系地址:武汉市 电话:027-1"
    )
    assert strip_furniture(text) == "标题\n正文提供了坚强保障。咸宁市编办供稿\n(南平市委编办供稿)"


def test_the_title_above_the_info_line_is_kept_even_if_it_looks_like_a_site_name() -> None:
    text = "江城政务网\n打造一体化政务服务平台\n时间:2018-03-14\n正文内容。"
    assert strip_furniture(text) == "打造一体化政务服务平台\n时间:2018-03-14\n正文内容。"


def test_a_related_links_block_is_cut_but_a_heading_before_prose_is_not() -> None:
    links = "正文结束。\n相关新闻\n江城市召开机构编制工作会议\n市委编办开展主题教育活动"
    assert strip_furniture(links) == "正文结束。"
    prose = "正文。\n相关链接\n这是一段以句号结尾的正文,不是链接列表。"
    assert strip_furniture(prose) == prose


def test_info_lines_are_recognised_and_kept() -> None:
    assert is_info_line("来源:湛江日报 责任编辑:顾雯丽 2019-09-06 16:32:46")
    assert is_info_line("时间:2018-03-14")
    assert not is_info_line("正文" * 100 + "2019-09-06")
    assert not is_furniture_line("来源:湛江日报 责任编辑:顾雯丽 2019-09-06 16:32:46")


def test_credit_lines_at_the_bottom_go_but_a_dated_source_line_stays() -> None:
    text = "标题\n来源:江城日报 2021-03-02\n正文内容。\n(编辑:李四 审核:王五)\n作者:张三"
    assert strip_furniture(text) == "标题\n来源:江城日报 2021-03-02\n正文内容。"
    dated = "标题\n正文内容。\n来源:江城日报 2021-03-02"
    assert strip_furniture(dated) == dated
    middle = "标题\n正文内容。\n(编辑:李四 审核:王五)\n第二段正文。"
    assert strip_furniture(middle) == middle


def test_only_furniture_gives_an_empty_text() -> None:
    assert strip_furniture(normalize("\n".join(TOP_FURNITURE))) == ""


# --- the real scrapes of the shared development corpus ----------------------------------------

FURNITURE_TOKENS = re.compile(
    r"ICP|欢迎您|首页|打印本页|关闭窗口|站内搜索|无标题文档|联系地址|您现在的位置|^\|+$|信息服务平台"
)


def shared_reports() -> list[Path]:
    folder = SHARED / "reform"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


NOT_BODY = re.compile(r"版权|转载|ICP|评论|链接|本网")


def sentences(text: str) -> list[str]:
    """Sentences of 20+ characters that are not copyright or comment notices."""
    return [s for s in re.findall(r"[^。\n]{20,}。", text) if not NOT_BODY.search(s)]


@pytest.mark.parametrize(
    "path", shared_reports() or [None], ids=lambda p: p.stem if p else "absent"
)
def test_real_scrapes_lose_their_furniture_and_keep_the_body(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"shared development corpus not present at {SHARED}")
    raw = read_text(path.read_bytes(), source=str(path)).text
    cleaned = strip_furniture(normalize(raw))
    lines = cleaned.split("\n")
    for line in lines:
        assert not FURNITURE_TOKENS.search(line), f"furniture left: {line[:60]}"
    body = sentences(normalize(raw))
    assert body[0] in cleaned and body[-1] in cleaned
    meta = json.loads((SHARED / "meta.json").read_text("utf-8")).get(path.stem, {})
    if meta.get("title"):
        assert lines[0].replace("“", "").replace("”", "") == meta["title"].replace("“", "").replace(
            "”", ""
        )
    if meta.get("date"):
        assert any(meta["date"] in line for line in lines[:3]), "the info line must stay"


def corpora_scrapes() -> list[Path]:
    return sorted(p for p in CORPORA.glob("*/*.txt") if p.is_file())


@pytest.mark.parametrize("path", corpora_scrapes(), ids=lambda p: p.stem)
def test_corpora_texts_keep_first_and_last_sentences(path: Path) -> None:
    raw = normalize(read_text(path.read_bytes(), source=str(path)).text)
    cleaned = strip_furniture(raw)
    body = sentences(raw)
    if not body:
        pytest.skip(f"{path.name} has no sentence of 20+ characters")
    assert body[0] in cleaned and body[-1] in cleaned
    assert not any(FURNITURE_TOKENS.search(line) for line in cleaned.split("\n"))


def test_a_scraped_page_with_each_label_on_its_own_line_gets_its_date_and_publisher() -> None:
    page = (
        "首页\n>\n政务信息\n某省2026年政府工作报告\n发表时间:\n2026-02-09 09:45:30\n来源:\n"
        "某省日报客户端\n阅读量:\n【字号:\n"
        + "过去一年,全省地区生产总值增长5.3%,精简机构12个。\n"
        * 3
    )
    document = ingest_bytes(page.encode("utf-8"), source="page.txt")
    assert document.date == "2026-02-09"
    assert document.publisher == "某省日报客户端"
    assert "发表时间" not in document.text and "某省日报客户端" not in document.text


def test_a_label_is_not_joined_to_a_sentence_or_to_another_label() -> None:
    assert join_label_lines(["来源:", "某省日报"]) == ["来源:某省日报"]
    assert join_label_lines(["来源:", "发布时间:2026-02-09"]) == ["来源:", "发布时间:2026-02-09"]
    long_line = "这是正文的第一句话," * 8
    assert join_label_lines(["时间:", long_line]) == ["时间:", long_line]
    assert join_label_lines(["各位代表:", "现在我代表"]) == ["各位代表:", "现在我代表"]


# --- the fast paths against their former definitions ---------------------------------------


def _strip_fragments_as_first_written(line: str) -> str:
    text = line
    for pattern in furniture().trailing:
        text = pattern.sub("", text)
    for pattern in furniture().leading:
        text = pattern.sub("", text)
    return text.strip()


def _is_furniture_line_as_first_written(line: str) -> bool:
    text = line.strip()
    return not text or any(p.fullmatch(text) for p in furniture().anywhere)


def _ends(items: Any) -> tuple[set[str], bool]:
    """The characters a match of parsed regex items can end with, whitespace left out, and
    whether the match can end in whitespace only (then the items before it count as well)."""
    ends: set[str] = set()
    for op, arg in reversed(list(items)):
        found, blank = _item_ends(op, arg)
        ends |= found
        if not blank:
            return ends, False
    return ends, True


def _item_ends(op: Any, arg: Any) -> tuple[set[str], bool]:
    if op is sre.LITERAL:
        return (set(), True) if chr(arg).isspace() else ({chr(arg)}, False)
    if op is sre.IN:
        return _class_ends(arg)
    if op is sre.SUBPATTERN:
        return _ends(arg[-1])
    if op is sre.BRANCH:
        branches = [_ends(branch) for branch in arg[1]]
        return set().union(*(e for e, _ in branches)), any(b for _, b in branches)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        ends, blank = _ends(arg[2])
        return ends, blank or arg[0] == 0
    if op is sre.AT:
        return set(), True
    raise AssertionError(f"extend _item_ends for {op}")


def _class_ends(members: Any) -> tuple[set[str], bool]:
    chars: set[str] = set()
    spaces = False
    for kind, value in members:
        if kind is sre.LITERAL:
            chars.add(chr(value))
        elif kind is sre.RANGE:
            chars |= {chr(code) for code in range(value[0], value[1] + 1)}
        elif kind is sre.CATEGORY and value is sre.CATEGORY_SPACE:
            spaces = True
        else:
            raise AssertionError(f"extend _class_ends for {kind}")
    visible = {c for c in chars if not c.isspace()}
    return visible, spaces or len(visible) < len(chars)


def test_every_trailing_fragment_ends_in_one_of_the_listed_characters() -> None:
    for pattern in furniture().trailing:
        ends, blank = _ends(sre_parse.parse(pattern.pattern))
        assert not blank, pattern.pattern
        assert ends <= TRAILING_FRAGMENT_ENDS, (pattern.pattern, ends - TRAILING_FRAGMENT_ENDS)


def _pattern_characters() -> list[str]:
    """Every character the trailing, leading and [anywhere] patterns spell out, and spaces."""
    sources = [p.pattern for p in (*furniture().trailing, *furniture().leading)]
    return sorted({*"".join(sources), *" \t\u3000中文|】]:：0123456789", "打印本页关闭窗口"})


FRAGMENTARY = st.lists(
    st.one_of(
        st.sampled_from(_pattern_characters()),
        st.sampled_from(
            ["打印本页", "关闭窗口", "【打印】", "[关闭]", "返回顶部", " | ", "版权所有"]
        ),
        st.sampled_from(["分享到:", "Copyright 2020", "ICP备12345", "首页 > ", "电话:027"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(FRAGMENTARY)
def test_strip_fragments_equals_its_former_definition(line: str) -> None:
    assert strip_fragments(line) == _strip_fragments_as_first_written(line)


@settings(max_examples=1000, deadline=None)
@given(FRAGMENTARY)
def test_is_furniture_line_equals_its_former_definition(line: str) -> None:
    assert is_furniture_line(line) == _is_furniture_line_as_first_written(line)


def _corpus_lines() -> list[str]:
    paths = sorted(p for f in (CORPORA, SHARED) if f.is_dir() for p in f.rglob("*.txt"))
    texts = [normalize(p.read_text("utf-8", errors="replace")) for p in paths]
    return [line for text in texts for line in text.split("\n")]


def test_fast_paths_equal_their_former_definitions_on_every_corpus_line() -> None:
    lines = _corpus_lines() + TOP_FURNITURE + BOTTOM_FURNITURE
    for line in lines:
        assert strip_fragments(line) == _strip_fragments_as_first_written(line)
        assert is_furniture_line(line) == _is_furniture_line_as_first_written(line)
