"""normalize(): NFKC, whitespace, line structure, repeats — examples and properties."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.ingest.normalize import (
    CLOSERS,
    COMMON_COMPATIBILITY,
    MAX_PASSES,
    MIN_WRAP_COLUMNS,
    MIN_WRAPPED_LINES,
    MIN_WRAPPED_SHARE,
    WRAP_TOLERANCE_COLUMNS,
    _compatibility_table,
    _display_widths,
    _is_settled,
    _normalize_once,
    _split_joined_paragraphs,
    _unify_line_breaks,
    _wrap_width,
    display_width,
    ends_sentence,
    join_wrapped,
    nfkc,
    normalize,
    paragraph_starts,
    starts_paragraph,
)

HANZI = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
CJK_PUNCT = st.sampled_from(list("，。、；：？！“”‘’（）《》【】…—·「」"))
FULLWIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
KANGXI = st.characters(min_codepoint=0x2F00, max_codepoint=0x2FD5)
SPACES = st.sampled_from([" ", "  ", "\t", "\u3000", "\u00a0", "\u2002"])
BREAKS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\u2028"])
INVISIBLE = st.sampled_from(["\u200b", "\u200d", "\ufeff", "\x00", "\x07", "\u202e", "\u00ad"])
ASCII = st.characters(min_codepoint=0x21, max_codepoint=0x7E)
MARKERS = st.sampled_from(["一、", "（二）", "第三条", "1.", "——", "二是"])

CJK_HEAVY = st.lists(
    st.one_of(
        HANZI,
        HANZI,
        HANZI,
        HANZI,
        CJK_PUNCT,
        CJK_PUNCT,
        FULLWIDTH,
        KANGXI,
        SPACES,
        BREAKS,
        BREAKS,
        INVISIBLE,
        ASCII,
        MARKERS,
        st.characters(),
    ),
    max_size=300,
).map("".join)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(CJK_HEAVY)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_normalize_is_idempotent_on_any_unicode(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(CJK_HEAVY)
def test_output_has_one_paragraph_per_line_and_no_stray_whitespace(text: str) -> None:
    result = normalize(text)
    assert "\r" not in result
    assert "" not in result.split("\n") or result == ""
    for line in result.split("\n"):
        assert line == line.strip()
        assert "  " not in line
    assert result == unicodedata.normalize("NFKC", result)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" for ch in result)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(HANZI, CJK_PUNCT, st.just("\n")), max_size=200).map("".join))
def test_no_space_is_ever_inserted_between_cjk_characters(text: str) -> None:
    assert " " not in normalize(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(HANZI, min_size=1, max_size=6), min_size=2, max_size=8))
def test_spaces_the_source_had_between_cjk_words_are_kept(words: list[str]) -> None:
    text = " ".join(words)
    assert normalize(text) == text


# --- examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("⼴东省⼈民政府", "广东省人民政府"),  # Kangxi radicals
        ("精简率１４．８％", "精简率14.8%"),  # full-width digits and percent
        ("实行容缺审批，74项事项", "实行容缺审批,74项事项"),  # NFKC comma, as the gold quotes
        ("ＡＢＣ机构", "ABC机构"),
    ],
)
def test_nfkc_folds_compatibility_characters(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("全省PM_2.5平均浓度下降12.1%", "全省PM2.5平均浓度下降12.1%"),  # as NFKC makes PM₂.₅
        ("CO_2排放和NO_x", "CO2排放和NOx"),
        ("PM_{10}浓度", "PM10浓度"),
        # identifiers keep their underscores
        ("网址zwxx_11337和post_4851130.html", "网址zwxx_11337和post_4851130.html"),
        ("字段my_var_2与PM_2.5_x", "字段my_var_2与PM_2.5_x"),
    ],
)
def test_a_subscript_written_with_an_underscore_is_joined(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize("PM₂.₅") == "PM2.5"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="PMCOx_{}.0125a中,\n", max_size=40))
def test_subscripts_leave_normalize_idempotent_and_settled(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert _is_settled(once)


def test_line_endings_blank_lines_and_trailing_spaces() -> None:
    raw = "第一段。  \r\n\r\n\r第二段。\u3000\r\n\n\n第三段。\u2029第四段。"
    assert normalize(raw) == "第一段。\n第二段。\n第三段。\n第四段。"


def test_zero_width_and_control_characters_are_dropped() -> None:
    raw = "\ufeff机\u200b构\u200d改\x07革\u00ad。\n下\x00一段。"
    assert normalize(raw) == "机构改革。\n下一段。"


def test_space_runs_collapse_but_single_spaces_between_cjk_stay() -> None:
    assert normalize("“大科室”   制改革") == "“大科室” 制改革"
    assert normalize("加强领导\u3000高位推进") == "加强领导 高位推进"
    assert normalize("市编委\u00a0\u00a0\u00a0办公室") == "市编委 办公室"


def test_tab_runs_become_one_tab_so_table_cells_stay_apart() -> None:
    assert normalize("机构 \t 改革前\t\t改革后") == "机构\t改革前\t改革后"


def test_a_sentence_broken_after_a_comma_is_rejoined() -> None:
    assert normalize("市级机构从61个，\n减到49个。") == "市级机构从61个,减到49个。"


def test_a_line_starting_with_closing_punctuation_continues_the_one_before() -> None:
    assert normalize("推进“大科室\n”制改革。") == "推进“大科室”制改革。"


def test_headings_and_short_title_lines_stay_their_own_paragraphs() -> None:
    raw = "精兵简政 提质增效\n时间:2018-03-14\n一、领导挂帅强推进\n市直单位启动改革。\n二、率先示范\n革人先革己。"
    assert normalize(raw) == raw


def test_a_list_after_a_colon_is_not_joined() -> None:
    raw = "主要职责是：\n（一）负责全市市场综合监督管理。\n（二）负责登记注册。"
    assert normalize(raw).split("\n") == [
        "主要职责是:",
        "(一)负责全市市场综合监督管理。",
        "(二)负责登记注册。",
    ]


def hard_wrap(text: str, columns: int) -> list[str]:
    """Wrap at a fixed display width, as a fixed-width mailer or a PDF copy does."""
    lines, current = [], ""
    for char in text:
        if current and display_width(current + char) > columns:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current] if current else lines


def test_hard_wrapped_text_is_joined_back_and_split_numbers_rejoined() -> None:
    first = (
        "市县两级向镇街下放经济社会管理事权651项，其中行政许可事项127项、"
        "行政处罚事项498项、其他事项26项，全部实现依法承接。"
    )
    second = (
        "整合镇街内设机构和事业站所，每个镇街统一设置内设机构和事业单位，"
        "全市镇街内设机构由原来的1100余个精简至860个。"
    )
    lines = hard_wrap(first, 35) + hard_wrap(second, 35)
    assert "事权6" in lines[0] and lines[1].startswith("51项")  # the number is split
    result = normalize("\n".join(lines))
    assert result.split("\n") == [
        unicodedata.normalize("NFKC", first),
        unicodedata.normalize("NFKC", second),
    ]
    assert "事权651项" in result


def test_unwrapped_paragraphs_of_similar_length_are_not_joined() -> None:
    raw = "第一段没有标点的短标题\n第二个小标题\n第三个小标题行\n正文在这里。"
    assert normalize(raw) == raw


def test_paragraphs_joined_by_spaces_in_a_scrape_are_split_again() -> None:
    raw = "促进机构重组由“物理变化”到“化学反应”。 一、编清单、明职责。 一是聚焦特色,编制清单。"
    assert normalize(raw).split("\n") == [
        "促进机构重组由“物理变化”到“化学反应”。",
        "一、编清单、明职责。",
        "一是聚焦特色,编制清单。",
    ]


def test_english_sentences_are_not_split_at_spaces() -> None:
    assert normalize("It works! Really? Yes.") == "It works! Really? Yes."


def test_repeated_paragraphs_and_sentences_are_kept_once() -> None:
    raw = "改革取得阶段性成效。\n改革取得阶段性成效。\n下一段落的内容。下一段落的内容。结束。"
    assert normalize(raw) == "改革取得阶段性成效。\n下一段落的内容。结束。"


def test_non_adjacent_repeats_and_short_repeated_slogans_stay() -> None:
    raw = "加油!加油!\n标题\n正文一句。\n标题"
    assert normalize(raw) == raw


def test_helpers() -> None:
    assert ends_sentence("推进改革。”")
    assert ends_sentence("如下:")
    assert not ends_sentence("一、领导挂帅强推进")
    assert starts_paragraph("(一)负责")
    assert starts_paragraph("第十二条 本规定")
    assert not starts_paragraph("5.2万人参加")
    assert not starts_paragraph("二是加强领导")
    assert display_width("机构ab") == 6
    assert join_wrapped("事权6", "51项") == "事权651项"
    assert join_wrapped("policy", "reform") == "policy reform"
    assert join_wrapped("办结率99.", "1%。") == "办结率99.1%。"
    assert join_wrapped("Item 3.", "Next") == "Item 3. Next"
    assert join_wrapped("well-", "known") == "well-known"
    assert join_wrapped("机构", "改革") == "机构改革"


@given(st.text(max_size=200))
@settings(max_examples=500)
def test_fast_nfkc_is_nfkc_on_any_unicode(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@given(st.text(alphabet="，。：；（）０１２ＡＢｃ　…①㎡℃ＡÁ\u0301\u0308豈機构改革a1", max_size=60))
def test_fast_nfkc_is_nfkc_on_compatibility_and_combining_characters(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


# The paragraph-joining rule as first written (a lookbehind for the CJK character before !/?):
# the definition the faster charset-first pattern must equal.
_JOINED_BY_LOOKBEHIND = re.compile(
    rf"((?:。|(?<=[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff\u3100-\u312f"
    rf"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f])[!?])"
    rf"[{re.escape(CLOSERS)}]*)[ \t]+(?=[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3040-\u30ff"
    rf"\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f“‘「『(《【\d])"
)


@given(st.text(alphabet="。!?”」) \t中文Hi1a(《", max_size=40))
@settings(max_examples=500)
def test_joined_paragraphs_split_as_the_lookbehind_rule_does(text: str) -> None:
    assert _split_joined_paragraphs(text) == _JOINED_BY_LOOKBEHIND.sub("\\1\n", text)


@given(
    st.lists(
        st.one_of(MARKERS, HANZI, ASCII, st.sampled_from(list("第章条附件:、.()—•·"))), max_size=12
    ).map("".join)
)
@settings(max_examples=500)
def test_one_alternation_finds_the_same_paragraph_starts(line: str) -> None:
    assert starts_paragraph(line) == any(p.match(line) for p in paragraph_starts())


# --- the confirming pass -----------------------------------------------------------------------


def _normalize_to_fixpoint(text: str) -> str:
    """normalize() as first written: passes until one changes nothing (the reference)."""
    result = text
    for _ in range(MAX_PASSES):
        again = _normalize_once(result)
        if again == result:
            break
        result = again
    return result


# What _is_settled takes for granted in a pass's output: the characters the first two steps
# (line breaks, invisible characters) remove.
_REMOVED_FIRST = regex.compile(r"[[\p{Cc}\p{Cf}\u2028\u2029\x85]--[\n\t]]", regex.V1)

# Text where a later pass still has work: joins that make a non-NFKC pair or a new
# "。 " / "中! 2" paragraph break, sentences repeated once lines are joined, wrapped lines.
SETTLING = st.lists(
    st.one_of(
        st.sampled_from(list("。!?,、”」) \t\n中文机构改革Hi1a2(《e\u0301\u0308\u3000-")),
        st.sampled_from(["深化机构改革工作。", "一、", "\r\n", "\u200b", "２０２０", "ab "]),
        HANZI,
    ),
    max_size=120,
).map("".join)


def test_nfkc_adds_no_character_the_first_steps_remove() -> None:
    """Every code point: NFKC maps a character without such a character to one without (the
    composition step cannot make one: none of them has a decomposition)."""
    for code in range(0x110000):
        char = chr(code)
        if _REMOVED_FIRST.match(char):
            assert not unicodedata.decomposition(char)
        elif unicodedata.decomposition(char):
            assert not _REMOVED_FIRST.search(unicodedata.normalize("NFKC", char))


@settings(max_examples=1000, deadline=None)
@given(st.one_of(SETTLING, CJK_HEAVY))
def test_settled_text_is_returned_unchanged_by_another_pass(text: str) -> None:
    once = _normalize_once(text)
    if _is_settled(once):
        assert _normalize_once(once) == once


@settings(max_examples=1000, deadline=None)
@given(st.one_of(SETTLING, CJK_HEAVY))
def test_normalize_equals_passes_to_a_fixpoint(text: str) -> None:
    assert normalize(text) == _normalize_to_fixpoint(text)


def _corpus_texts() -> list[Path]:
    here = Path(__file__).resolve().parent.parent
    folders = [here / "corpora", here.parent / "shared" / "corpus"]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.txt"))


@pytest.mark.parametrize("path", _corpus_texts(), ids=lambda p: p.name)
def test_normalize_equals_passes_to_a_fixpoint_on_corpus_texts(path: Path) -> None:
    text = path.read_text("utf-8", errors="replace")
    normalized = normalize(text)
    assert normalized == _normalize_to_fixpoint(text)
    assert _is_settled(normalized)
    assert _display_widths(normalized.split("\n")) == [
        display_width(line) for line in normalized.split("\n")
    ]


@given(
    st.lists(st.lists(st.one_of(HANZI, ASCII, FULLWIDTH, KANGXI, SPACES, CJK_PUNCT)).map("".join))
)
@settings(max_examples=500)
def test_display_widths_of_lines_equal_display_width_of_each(lines: list[str]) -> None:
    assert _display_widths(lines) == [display_width(line) for line in lines]


def _wrap_width_as_first_written(lines: list[str]) -> int | None:
    """_wrap_width before the longest lines were measured first (every line measured)."""
    widths = sorted(display_width(line) for line in lines)
    if len(widths) < MIN_WRAPPED_LINES or widths[-1] < MIN_WRAP_COLUMNS:
        return None
    best_width, best_count = 0, 0
    for width in sorted(set(widths)):
        count = sum(width - WRAP_TOLERANCE_COLUMNS <= w <= width for w in widths)
        if count >= best_count:
            best_width, best_count = width, count
    if best_width < MIN_WRAP_COLUMNS or best_count < MIN_WRAPPED_LINES:
        return None
    longer = sum(w > best_width for w in widths)
    wide = sum(w >= best_width / 2 for w in widths)
    if longer > 0 or best_count < MIN_WRAPPED_SHARE * wide:
        return None
    return best_width


# Lines of 10 to 40 characters, CJK and narrow mixed: widths from 10 to 80 columns, often a few
# within the tolerance of the widest (a wrapped paragraph), often not.
WRAP_LINES = st.lists(
    st.text(alphabet="机构改革编制,。1a 《》", min_size=1, max_size=40), min_size=0, max_size=14
)


@settings(max_examples=2000, deadline=None)
@given(WRAP_LINES)
def test_wrap_width_equals_its_former_definition(lines: list[str]) -> None:
    assert _wrap_width(lines) == _wrap_width_as_first_written(lines)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="机构改革编制,。1a", min_size=40, max_size=400), st.integers(15, 40))
def test_wrap_width_of_hard_wrapped_text_equals_its_former_definition(
    text: str, columns: int
) -> None:
    lines = [text[i : i + columns] for i in range(0, len(text), columns)]
    assert _wrap_width(lines) == _wrap_width_as_first_written(lines)


@pytest.mark.parametrize("path", _corpus_texts(), ids=lambda p: p.name)
def test_wrap_width_equals_its_former_definition_on_corpus_texts(path: Path) -> None:
    text = path.read_text("utf-8", errors="replace")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for sample in (lines, normalize(text).split("\n")):
        assert _wrap_width(sample) == _wrap_width_as_first_written(sample)


def test_no_nfkc_form_in_the_table_holds_a_character_of_the_table() -> None:
    """So the common characters may be replaced first and the other runs after."""
    table = _compatibility_table()
    assert all(ord(c) in table for c in COMMON_COMPATIBILITY)
    assert not any(ord(c) in table for form in table.values() for c in form)


@given(st.text(alphabet=COMMON_COMPATIBILITY + "，。０１ＡＢ①㎡℃Á\u0301豈機构改革a1 ", max_size=60))
@settings(max_examples=500)
def test_fast_nfkc_is_nfkc_on_the_common_characters(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


# The line-break rule as first written: one regex, "\r\n" before a lone break.
_LINE_BREAK_PATTERN = re.compile(r"\r\n|[\r\u2028\u2029\x0b\x0c\x85]")


@given(st.text(alphabet="\r\n\u2028\u2029\x0b\x0c\x85a中 ", max_size=60))
@settings(max_examples=1000)
def test_line_breaks_unified_as_the_regex_did(text: str) -> None:
    assert _unify_line_breaks(text) == _LINE_BREAK_PATTERN.sub("\n", text)
