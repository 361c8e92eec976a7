"""read_pdf: running headers and page numbers removed, wrapped lines joined, broken files refused."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

from cnpolicy.errors import CorruptFileError, EncryptedFileError, NoTextLayerError
from cnpolicy.ingest.pdf import (
    Line,
    is_page_number,
    join_paragraphs,
    read_pdf,
    remove_page_furniture,
)
from tests.conftest import CORPORA


def corpora_pdfs() -> list[Path]:
    return sorted(CORPORA.glob("*/*.pdf"))


def raw_page_lines(path: Path) -> list[list[str]]:
    with pdfplumber.open(path) as pdf:
        return [[line["text"] for line in page.extract_text_lines()] for page in pdf.pages]


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("path", corpora_pdfs(), ids=lambda p: p.stem)
def test_running_headers_and_page_numbers_are_gone(path: Path) -> None:
    pages = raw_page_lines(path)
    assert len(pages) >= 2, "the samples are multi-page"
    text = read_pdf(path.read_bytes(), source=path.name).text
    lines = text.split("\n")
    assert not any(is_page_number(line) for line in lines)
    header = pages[1][0]  # the first line of page 2 is the running header
    if all(page[0] == header for page in pages):
        assert lines.count(header) <= 1  # at most the masthead of page 1 remains
    assert not any(re.fullmatch(r"第\s*\d+\s*页.*", line) for line in lines)


@pytest.mark.parametrize("path", corpora_pdfs(), ids=lambda p: p.stem)
def test_every_body_line_comes_back_once_wrapped_lines_joined(path: Path) -> None:
    text = read_pdf(path.read_bytes(), source=path.name).text
    joined = compact(text)
    body = [line for page in raw_page_lines(path) for line in page[1:-1]]
    for line in body:
        assert compact(line) in joined, f"lost: {line}"
    assert len(text.split("\n")) < len(body), "wrapped lines were not joined"


@pytest.mark.parametrize("path", corpora_pdfs(), ids=lambda p: p.stem)
def test_numbers_split_at_a_line_end_are_rejoined_without_spaces(path: Path) -> None:
    text = read_pdf(path.read_bytes(), source=path.name).text
    lines = [line for page in raw_page_lines(path) for line in page]
    for before, after in itertools.pairwise(lines):
        if before[-1:].isdigit() and after[:1].isdigit():
            assert before[-3:] + after[:3] in text


def test_the_corpora_hold_a_number_split_across_a_line_end() -> None:
    lines = [line for path in corpora_pdfs() for page in raw_page_lines(path) for line in page]
    assert any(a[-1:].isdigit() and b[:1].isdigit() for a, b in itertools.pairwise(lines))


def test_no_space_is_inserted_between_chinese_characters_at_a_wrap() -> None:
    for path in corpora_pdfs():
        text = read_pdf(path.read_bytes(), source=path.name).text
        assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]{2}[，。]", text)


def test_a_junk_metadata_title_is_dropped() -> None:
    titles = {read_pdf(p.read_bytes(), source=p.name).title for p in corpora_pdfs()}
    assert not any(t and ("Microsoft" in t or t.endswith(".docx")) for t in titles)


# --- broken and unusual files ------------------------------------------------------------------


def pdf_bytes(draw: object = None, *, encrypt: StandardEncryption | None = None) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, encrypt=encrypt)
    if callable(draw):
        draw(canvas)
    else:
        canvas.rect(100, 100, 200, 300, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def write_text(canvas: Canvas) -> None:
    canvas.drawString(72, 720, "Policy reform report 2019.")


def test_a_pdf_with_pages_but_no_text_has_no_text_layer() -> None:
    with pytest.raises(NoTextLayerError, match=r"scan\.pdf.*no text layer"):
        read_pdf(pdf_bytes(), source="scan.pdf")


def test_a_password_protected_pdf_is_an_encrypted_file() -> None:
    data = pdf_bytes(write_text, encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(EncryptedFileError, match=r"secret\.pdf"):
        read_pdf(data, source="secret.pdf")


def test_a_pdf_with_only_an_owner_password_is_readable() -> None:
    data = pdf_bytes(write_text, encrypt=StandardEncryption("", ownerPassword="owner"))
    assert read_pdf(data, source="open.pdf").text == "Policy reform report 2019."


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_a_truncated_pdf_is_a_corrupt_file(fraction: float) -> None:
    data = corpora_pdfs()[0].read_bytes()
    with pytest.raises(CorruptFileError, match=r"cut\.pdf"):
        read_pdf(data[: int(len(data) * fraction)], source="cut.pdf")


def test_garbage_after_a_pdf_header_is_a_corrupt_file() -> None:
    with pytest.raises(CorruptFileError, match="expected a readable PDF"):
        read_pdf(b"%PDF-1.4\n" + b"\x00garbage" * 100, source="junk.pdf")


# --- line joining and furniture on built geometry -------------------------------------------


def line(text: str, x0: float, x1: float, top: float, page: int = 0, size: float = 15.0) -> Line:
    return Line(text=text, x0=x0, x1=x1, top=top, bottom=top + size, size=size, page=page)


def paragraph(first: str, rest: list[str], top: float, page: int = 0) -> list[Line]:
    lines = [line(first, 110.0, 515.0, top, page)]
    for number, text in enumerate(rest, start=1):
        x1 = 515.0 if number < len(rest) else 300.0
        lines.append(line(text, 80.0, x1, top + 28.5 * number, page))
    return lines


def test_wrapped_lines_join_and_indented_or_heading_lines_start_paragraphs() -> None:
    page = [
        *paragraph("市县两级向镇街下放经济社会管理事权6", ["51项，其中行政许可事项127项。"], 100.0),
        line("一、聚焦放得下", 110.0, 250.0, 157.0, size=16.5),
        *paragraph(
            "各地坚持以改革为牵引，一是突出特色，二是推动下沉，", ["三是强化基层基础。"], 190.0
        ),
    ]
    assert join_paragraphs([page]) == [
        "市县两级向镇街下放经济社会管理事权651项，其中行政许可事项127项。",
        "一、聚焦放得下",
        "各地坚持以改革为牵引，一是突出特色，二是推动下沉，三是强化基层基础。",
    ]


def test_a_paragraph_runs_on_across_a_page_break() -> None:
    first = [
        *paragraph(
            "这是第一段的开头部分，内容较长，需要换行继续", ["写到页面的最右边并且没有结束"], 700.0
        )
    ]
    first[-1] = line(first[-1].text, 80.0, 515.0, first[-1].top)
    second = [
        line("而是在下一页继续。", 80.0, 230.0, 100.0, page=1),
        *paragraph("新的段落。", ["结束。"], 130.0, 1),
    ]
    paragraphs = join_paragraphs([first, second])
    assert paragraphs[0].endswith("没有结束而是在下一页继续。")
    assert paragraphs[1] == "新的段落。结束。"


def test_latin_words_keep_one_space_at_a_wrap() -> None:
    page = [
        line("The reform of public", 80.0, 515.0, 100.0),
        line("institutions ended.", 80.0, 300.0, 128.5),
    ]
    assert join_paragraphs([page]) == ["The reform of public institutions ended."]


def test_a_short_line_ends_its_paragraph() -> None:
    page = [line("主要做法", 80.0, 140.0, 100.0), line("市委高度重视。", 80.0, 200.0, 128.5)]
    assert join_paragraphs([page]) == ["主要做法", "市委高度重视。"]


def test_repeating_headers_with_changing_numbers_are_removed() -> None:
    bodies = ["改革取得成效。", "机构精简到位。", "编制统筹使用。"]
    pages = [
        [
            line(f"浙江省机构编制工作简报 第{n + 5}期", 200.0, 400.0, 37.0, n),
            line(body, 80.0, 300.0, 120.0, n),
            line(f"- {n + 1} -", 280.0, 310.0, 790.0, n),
        ]
        for n, body in enumerate(bodies)
    ]
    kept = remove_page_furniture(pages)
    assert [[ln.text for ln in page] for page in kept] == [[body] for body in bodies]


def test_a_title_repeated_in_the_body_at_another_height_is_kept() -> None:
    pages = [
        [
            line("简报", 200.0, 400.0, 37.0, 0),
            line("简报", 200.0, 400.0, 150.0, 0),
            line("正文。", 80.0, 200.0, 200.0, 0),
        ],
        [line("简报", 200.0, 400.0, 37.0, 1), line("正文二。", 80.0, 200.0, 120.0, 1)],
    ]
    kept = remove_page_furniture(pages)
    assert [ln.text for ln in kept[0]] == ["简报", "正文。"]


@pytest.mark.parametrize(
    "text",
    [
        "第 3 页 共 6 页",
        "第3页",
        "- 3 -",
        "— 3 —",
        "3/6",
        "3",
        "Page 3 of 6",
        "－ 12 －",
        "共6页 第3页",
    ],
)
def test_page_number_shapes(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize(
    "text", ["3个", "2019年", "第三章 总则", "第3条", "一、", "30%", "市级机构49个"]
)
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)
