"""read_docx: paragraphs and table rows in document order, core title, broken files refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from lxml import etree

from cnpolicy.errors import CorruptFileError, EncryptedFileError, UnsupportedFormatError
from cnpolicy.ingest.docx import read_docx
from cnpolicy.ingest.normalize import normalize
from tests.conftest import CORPORA


def corpora_docx() -> list[Path]:
    return sorted(CORPORA.glob("*/*.docx"))


def expected_lines(path: Path) -> list[str]:
    """Paragraphs and rows in order, walked with python-docx's own iter_inner_content()."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend("\t".join(cell.text for cell in row.cells) for row in block.rows)
        elif block.text.strip():
            lines.append(block.text.strip())
    return lines


@pytest.mark.parametrize("path", corpora_docx(), ids=lambda p: p.stem)
def test_paragraphs_and_table_rows_come_in_document_order(path: Path) -> None:
    raw = read_docx(path.read_bytes(), source=path.name)
    assert raw.format == "docx"
    assert raw.text.split("\n") == expected_lines(path)


@pytest.mark.parametrize("path", corpora_docx(), ids=lambda p: p.stem)
def test_the_title_comes_from_the_core_properties(path: Path) -> None:
    raw = read_docx(path.read_bytes(), source=path.name)
    assert raw.title == docx.Document(str(path)).core_properties.title.strip()


@pytest.mark.parametrize("path", corpora_docx(), ids=lambda p: p.stem)
def test_headings_stay_their_own_paragraphs(path: Path) -> None:
    document = docx.Document(str(path))
    headings = [
        p.text.strip()
        for p in document.paragraphs
        if p.style is not None and p.style.name.startswith(("Heading", "Title"))
    ]
    lines = normalize(read_docx(path.read_bytes(), source=path.name).text).split("\n")
    for heading in headings:
        assert normalize(heading) in lines


def test_the_corpora_hold_a_docx_with_a_table_whose_cells_survive_normalize() -> None:
    rows = [
        line
        for path in corpora_docx()
        for line in normalize(read_docx(path.read_bytes(), source=path.name).text).split("\n")
        if "\t" in line
    ]
    assert rows, "no table row found in the corpora DOCX files"
    assert all(all(cell.strip() for cell in row.split("\t")) for row in rows)


# --- built documents: only what no sample can show -----------------------------------------


def docx_bytes(document: object) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


@pytest.mark.parametrize("title", ["", "Title", "标题", "新建 Microsoft Word 文档", "  "])
def test_an_empty_or_template_title_is_no_title(title: str) -> None:
    document = docx.Document()
    document.add_paragraph("正文。")
    document.core_properties.title = title
    assert read_docx(docx_bytes(document), source="t.docx").title is None


def test_merged_cells_are_read_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for column, text in enumerate(("机构", "改革前", "改革后")):
        table.cell(0, column).text = text
    table.cell(1, 0).text = "合计"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "98个"
    assert (
        read_docx(docx_bytes(document), source="t.docx").text == "机构\t改革前\t改革后\n合计\t98个"
    )


def test_content_controls_are_read_in_place() -> None:
    document = docx.Document()
    document.add_paragraph("第一段。")
    wrapped = document.add_paragraph("控件里的段落。")
    document.add_paragraph("第三段。")
    sdt = etree.SubElement(document.element.body, qn("w:sdt"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    wrapped._p.addprevious(sdt)
    content.append(wrapped._p)
    assert (
        read_docx(docx_bytes(document), source="t.docx").text
        == "第一段。\n控件里的段落。\n第三段。"
    )


def test_a_truncated_docx_is_a_corrupt_file() -> None:
    data = corpora_docx()[0].read_bytes()
    with pytest.raises(CorruptFileError, match=r"cut\.docx"):
        read_docx(data[: len(data) // 2], source="cut.docx")


def test_damaged_xml_inside_the_package_is_a_corrupt_file() -> None:
    source = zipfile.ZipFile(io.BytesIO(corpora_docx()[0].read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = content[: len(content) // 2]
            target.writestr(info, content)
    with pytest.raises(CorruptFileError, match=r"bad\.docx"):
        read_docx(buffer.getvalue(), source="bad.docx")


def test_an_encrypted_office_file_is_reported_as_encrypted() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(EncryptedFileError, match="password"):
        read_docx(ole, source="secret.docx")


def test_a_legacy_doc_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match="legacy Word"):
        read_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), source="old.doc")
