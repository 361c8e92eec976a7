from __future__ import annotations

from cnpolicy.ingest.sections import find_sections
from cnpolicy.outline import marker_of


def test_markers_recognised() -> None:
    assert marker_of("第三条 本规定…")[0] == "article"  # type: ignore[index]
    assert marker_of("一、领导挂帅强推进")[0] == "cn"  # type: ignore[index]
    assert marker_of("(二)负责全市市场主体统一登记注册。")[0] == "paren"  # type: ignore[index]
    assert marker_of("1.推行机构扁平化")[0] == "arabic"  # type: ignore[index]
    assert marker_of("2019年机构改革") is None
    assert marker_of("1.5万名编制") is None


def test_nesting_follows_first_appearance() -> None:
    text = "标题\n一、总体要求\n(一)指导思想\n正文。\n(二)基本原则\n正文。\n二、主要任务\n正文。"
    sections = find_sections(text, first_line=1)
    assert [(s.title, s.level) for s in sections] == [
        ("一、总体要求", 1),
        ("(一)指导思想", 2),
        ("(二)基本原则", 2),
        ("二、主要任务", 1),
    ]
    first = sections[0]
    assert text[first.start : first.end].startswith("一、总体要求")
    assert first.end == text.index("二、主要任务")
    assert sections[1].end == text.index("(二)")


def test_standalone_headings_in_a_round_up() -> None:
    body = "全省机构改革取得阶段性成效,各市均按时完成改革任务。"
    text = f"全省机构改革综述\n{body}\n广州市\n广州市级党政机构从61个减少到49个,精简比例近两成。\n深圳市\n深圳市级党政机构设置40个,市级内设机构减少20个。"
    sections = find_sections(text, first_line=1)
    assert [s.title for s in sections] == ["广州市", "深圳市"]
    assert all(s.marker == "standalone" for s in sections)
    assert text[sections[0].start : sections[0].end].rstrip("\n").endswith("精简比例近两成。")


def test_sentence_is_not_a_standalone_heading() -> None:
    text = "标题\n改革稳步推进。\n这是一个很长的段落,说明改革的各项措施和取得的成效以及下一步打算。"
    assert find_sections(text, first_line=1) == ()


def test_inline_headings_need_a_chain() -> None:
    chain = "标题\n导语。 一、编清单、明职责。 正文一。 二、高标准、促运转。 正文二。"
    titles = [s.title for s in find_sections(chain, first_line=1)]
    assert titles == ["一、编清单、明职责", "二、高标准、促运转"]
    lone = "标题\n按照 一、二类事业单位分类推进。"
    assert find_sections(lone, first_line=1) == ()


def test_round_up_pdfs_keep_every_city_heading() -> None:
    from cnpolicy.ingest import ingest_bytes
    from tests.conftest import CORPORA

    expected = {
        "reform/zhejiang-2019.pdf": ["杭州市", "宁波市", "温州市", "湖州市"],
        "heldout/anhui-2021.pdf": ["合肥市", "芜湖市", "蚌埠市", "安庆市", "阜阳市", "滁州市"],
    }
    for name, cities in expected.items():
        path = CORPORA / name
        document = ingest_bytes(path.read_bytes(), source=str(path))
        titles = [s.title for s in document.sections if s.marker == "standalone"]
        assert [t for t in titles if t in cities] == cities, name
