"""The sample corpus in corpora/ is sound: meta.json and the files agree, every gold line follows
ANNOTATION.md and quotes its document exactly, and each sample keeps the trait it exists to test.
"""

from __future__ import annotations

import codecs
import html
import importlib.util
import itertools
import json
import re
import sys
import unicodedata
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.indicators import load_taxonomy
from cnpolicy.records import DOC_TYPES
from tests.conftest import CORPORA, REPO

META = CORPORA / "meta.json"
GOLD = CORPORA / "gold"
GAZETTEER = REPO / "cnpolicy" / "data" / "gazetteer.tsv"
SOURCES = REPO / "tools" / "sample_sources"
DOCUMENT_SUFFIXES = frozenset({".txt", ".html", ".pdf", ".docx"})
# 三定 samples carry their answers in <stem>.gold.json (SANDING.md), not in gold/*.jsonl, and
# are listed in meta.json by the lead once the sanding helper reports their metadata.
SANDING_DIR = "sanding"
METRIC_DOC_TYPES = frozenset({"reform_report", "work_report", "notice", "news"})
KINDS = frozenset({"count", "percent", "change", "amount"})
APPROX = frozenset({"more_than", "nearly", "about", "at_most"})
REQUIRED = ("doc", "quote", "value", "unit", "kind", "subject", "region")
OPTIONAL = ("value_max", "before", "approx", "indicator")
# The gold may name any indicator of the taxonomy (cnpolicy/data/indicators.json).
INDICATORS = frozenset(i.id for i in load_taxonomy().indicators)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PAGE_NUMBER = re.compile(
    r"^\s*(?:第\s*\d+\s*页\s*共\s*\d+\s*页|[-—]\s*\d+\s*[-—]|\d+\s*/\s*\d+)\s*$"
)
ARABIC = re.compile(r"\d+(?:\.\d+)?")
# Quotes whose number is written with these are not checked digit by digit (万/亿 scale the
# number, 成 is ×10, Chinese numerals are not Arabic digits).
SCALED = re.compile(r"[万亿成]|百分之|[零〇一二两三四五六七八九十百千]{2,}")


# --- reading the samples the way ANNOTATION.md defines the text ------------------------------


def decode(data: bytes) -> str:
    """Text by BOM, else UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def html_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", markup)
    return html.unescape(re.sub(r"(?s)<[^>]+>", "", markup))


def pdf_pages(path: Path) -> list[list[str]]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "").splitlines() for page in pdf.pages]


def pdf_body(pages: list[list[str]]) -> list[str]:
    """The lines of every page without the running header (the first line every page shares)
    and the page-number footer."""
    firsts = {page[0] for page in pages if page}
    header = next(iter(firsts)) if len(firsts) == 1 and len(pages) > 1 else None
    lines: list[str] = []
    for page in pages:
        start = 1 if header is not None and page and page[0] == header else 0
        end = -1 if page and PAGE_NUMBER.match(page[-1]) else len(page)
        lines.extend(page[start:end])
    return lines


def docx_parts(path: Path) -> list[str]:
    """Paragraph and table-cell texts in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    parts: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag.endswith("}p"):
            parts.append(Paragraph(element, document).text)
        elif element.tag.endswith("}tbl"):
            table = Table(element, document)
            parts.extend(cell.text for row in table.rows for cell in row.cells)
    return parts


@cache
def raw_text(relative: str) -> str:
    """A sample's visible text, line by line, before NFKC."""
    path = CORPORA / relative
    if path.suffix == ".pdf":
        return "\n".join(pdf_body(pdf_pages(path)))
    if path.suffix == ".docx":
        return "\n".join(docx_parts(path))
    text = decode(path.read_bytes())
    return html_text(text) if path.suffix == ".html" else text


@cache
def annotated_text(relative: str) -> str:
    """ANNOTATION.md's text: NFKC-normalised, line breaks removed."""
    text = unicodedata.normalize("NFKC", raw_text(relative))
    return text.replace("\r", "").replace("\n", "")


# --- the answer files ------------------------------------------------------------------------


@cache
def meta() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(META.read_text(encoding="utf-8"))
    return data


@cache
def gazetteer_names() -> dict[str, set[str]]:
    """Division code → the names it is known by (full name and former names)."""
    names: dict[str, set[str]] = {}
    for row in GAZETTEER.read_text(encoding="utf-8").splitlines()[1:]:
        code, name, _short, _level, _province, _parent, former = (row.split("\t") + [""] * 7)[:7]
        names.setdefault(code, set()).add(name)
        if former:
            names[code].update(former.split(","))
    return names


def gold_lines(stem: str) -> list[dict[str, Any]]:
    path = GOLD / f"{stem}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def metric_samples() -> list[str]:
    if not META.is_file():
        return []
    return sorted(k for k, v in meta().items() if v["doc_type"] in METRIC_DOC_TYPES)


def sample_files() -> set[str]:
    """Every document in corpora/ (answer files, scripts, 三定 samples and the held-out set aside)."""
    return {
        path.relative_to(CORPORA).as_posix()
        for path in CORPORA.rglob("*")
        if path.is_file()
        and path.suffix in DOCUMENT_SUFFIXES
        and path.relative_to(CORPORA).parts[0] not in ("gold", SANDING_DIR, "heldout", "heldout2")
    }


@pytest.fixture(autouse=True)
def _require_meta() -> None:
    if not META.is_file():
        pytest.fail(f"{META} is missing: the sample corpus has no answer file")


def test_meta_and_files_agree() -> None:
    listed = set(meta())
    assert sorted(listed - {p for p in listed if (CORPORA / p).is_file()}) == []
    assert sorted(sample_files() - listed) == []


@pytest.mark.parametrize(
    "name", sorted(json.loads(META.read_text("utf-8"))) if META.is_file() else []
)
def test_meta_entry_is_well_formed(name: str) -> None:
    entry = meta()[name]
    assert isinstance(entry["title"], str) and entry["title"].strip()
    assert entry["title"] == unicodedata.normalize("NFKC", entry["title"]), "titles are NFKC"
    assert entry["date"] is None or ISO_DATE.match(entry["date"])
    assert entry["doc_type"] in DOC_TYPES
    assert entry.get("publisher") is None or entry["publisher"].strip()
    code = entry.get("region_code")
    if code is not None:
        assert entry["region"] in gazetteer_names().get(code, set()), (
            f"{code} is not {entry['region']}"
        )
    duplicate = entry.get("duplicate_of")
    assert duplicate is None or (duplicate in meta() and duplicate != name)


def test_gold_files_belong_to_samples() -> None:
    stems = {Path(name).stem for name in meta()}
    assert sorted(p.stem for p in GOLD.glob("*.jsonl") if p.stem not in stems) == []
    assert len({Path(name).stem for name in metric_samples()}) == len(metric_samples())


@pytest.mark.parametrize("name", metric_samples())
def test_gold_lines_follow_annotation(name: str) -> None:
    stem = Path(name).stem
    lines = gold_lines(stem)
    assert lines, f"{stem}.jsonl holds no metric"
    for number, line in enumerate(lines, start=1):
        where = f"{stem}.jsonl:{number}"
        assert all(line.get(key) not in (None, "") for key in REQUIRED), where
        assert set(line) <= set(REQUIRED) | set(OPTIONAL), where
        assert line["doc"] == stem, where
        assert line["kind"] in KINDS and line.get("approx", "more_than") in APPROX, where
        assert line.get("indicator", "powers.devolved") in INDICATORS, where
        assert ("before" in line) == (line["kind"] == "change"), where
        assert not line["unit"].startswith(("万", "亿")), f"{where}: 万/亿 belong to the value"
        assert all(
            isinstance(line.get(k, 0), int | float) for k in ("value", "value_max", "before")
        )
        assert line.get("value_max", line["value"]) >= line["value"], where
        assert line["quote"] == unicodedata.normalize("NFKC", line["quote"]), where
        assert line["region"] in {n for names in gazetteer_names().values() for n in names}, where


def numbers_agree(line: dict[str, Any]) -> bool:
    """Whether the Arabic numbers in the quote include the value (and before / value_max)."""
    quote = line["quote"]
    if SCALED.search(quote) or not ARABIC.search(quote):
        return True
    found = {float(n) for n in ARABIC.findall(quote)}
    wanted = [line[k] for k in ("value", "value_max", "before") if k in line]
    return all(float(value) in found for value in wanted)


@pytest.mark.parametrize("name", metric_samples())
def test_gold_quotes_occur_in_order_and_carry_the_value(name: str) -> None:
    text = annotated_text(name)
    position = 0
    for line in gold_lines(Path(name).stem):
        found = text.find(line["quote"], position)
        assert found >= 0, f"{line['quote']!r} not in {name} after offset {position}"
        assert numbers_agree(line), f"{line['quote']!r} does not state {line['value']}"
        position = found


@pytest.mark.parametrize("name", metric_samples())
def test_region_defaults_to_the_documents_region(name: str) -> None:
    regions = [line["region"] for line in gold_lines(Path(name).stem)]
    assert meta()[name]["region"] in regions


def test_repost_is_the_same_article() -> None:
    reposts = {k: v["duplicate_of"] for k, v in meta().items() if v.get("duplicate_of")}
    assert reposts, "the corpus needs a near-duplicate pair"
    for copy, original in reposts.items():
        strip = [
            {k: v for k, v in line.items() if k != "doc"} for line in gold_lines(Path(copy).stem)
        ]
        assert strip == [
            {k: v for k, v in line.items() if k != "doc"}
            for line in gold_lines(Path(original).stem)
        ]
        assert raw_text(copy) != raw_text(original)  # different site furniture


# --- each sample keeps what it is there to exercise ------------------------------------------


def test_round_up_has_figures_for_several_regions() -> None:
    names = [k for k, v in meta().items() if k.endswith(".pdf") and v["region"].endswith("省")]
    assert names, "the corpus needs a province-wide round-up PDF"
    regions = {line["region"] for name in names for line in gold_lines(Path(name).stem)}
    assert len(regions) >= 4
    lines = raw_text(names[0]).splitlines()
    assert sum(line.strip() in regions for line in lines) >= 3, "standalone city headings"


@pytest.mark.parametrize(
    "name",
    [k for k in sorted(json.loads(META.read_text("utf-8"))) if k.endswith(".pdf")]
    if META.is_file()
    else [],
)
def test_pdf_has_running_header_and_page_numbers(name: str) -> None:
    pages = pdf_pages(CORPORA / name)
    assert len(pages) >= 2
    assert len({page[0] for page in pages}) == 1, "a running header repeats on every page"
    assert all(PAGE_NUMBER.match(page[-1]) for page in pages)


def test_pdfs_split_a_number_across_a_line_end() -> None:
    pdfs = [k for k in meta() if k.endswith(".pdf")]
    lines = [line for name in pdfs for line in raw_text(name).splitlines()]
    assert any(a[-1:].isdigit() and b[:1].isdigit() for a, b in itertools.pairwise(lines))


def test_page_number_styles_vary() -> None:
    footers = {pdf_pages(CORPORA / k)[0][-1].strip()[:1] for k in meta() if k.endswith(".pdf")}
    assert len(footers) >= 3  # 第 1 页 共 3 页, - 1 -, 1/2


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF8, "utf-8-sig")],
)
def test_text_samples_with_a_bom(prefix: bytes, codec: str) -> None:
    names = [k for k in meta() if (CORPORA / k).read_bytes().startswith(prefix)]
    assert names, f"the corpus needs a {codec} sample"
    assert all(decode((CORPORA / k).read_bytes()).strip() for k in names)


def test_gbk_samples_are_not_utf8_and_one_exceeds_its_declared_gb2312() -> None:
    gbk = []
    for name in meta():
        data = (CORPORA / name).read_bytes()
        if name.endswith((".txt", ".html")) and not data.startswith((b"\xff\xfe", b"\xef\xbb\xbf")):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                gbk.append((name, data))
    assert {Path(n).suffix for n, _ in gbk} == {".txt", ".html"}
    html_name, html_data = next((n, d) for n, d in gbk if n.endswith(".html"))
    assert b"charset=gb2312" in html_data.lower()
    with pytest.raises(UnicodeDecodeError):
        html_data.decode("gb2312")
    assert re.search("[镕堃喆昇珺]", html_data.decode("gbk")), html_name


# --- rendered samples are up to date with their sources --------------------------------------


@cache
def load_renderer() -> ModuleType:
    """tools/render_samples.py (a script, not a package module), loaded once."""
    path = REPO / "tools" / "render_samples.py"
    spec = importlib.util.spec_from_file_location("render_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("render_samples", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rendered_sources() -> list[str]:
    if not SOURCES.is_dir():
        return []
    return sorted(p.relative_to(SOURCES).as_posix() for p in SOURCES.rglob("*.*.*") if p.is_file())


@pytest.mark.parametrize("source", rendered_sources())
def test_rendered_sample_matches_its_source(source: str) -> None:
    renderer = load_renderer()
    path = SOURCES / source
    target = renderer.target_for(path, CORPORA / path.parent.relative_to(SOURCES))
    assert target is not None and target.is_file(), f"{source} is not rendered"
    parsed = renderer.parse_source(path.read_text(encoding="utf-8"))
    name = target.relative_to(CORPORA).as_posix()
    if target.suffix in (".pdf", ".docx"):
        body = re.sub(r"\s+", "", raw_text(name))
        for text in renderer.block_texts(renderer.parse_blocks(parsed.lines)):
            assert re.sub(r"\s+", "", text) in body, f"{name} lacks {text[:30]!r}: render again"
    else:
        expected = "\n".join(parsed.lines) + "\n"
        assert decode(target.read_bytes()).replace("\r\n", "\n") == expected, "render again"


# --- the checks and the renderer themselves ---------------------------------------------------


def test_numbers_agree_catches_a_mistyped_value() -> None:
    assert numbers_agree({"quote": "比改革前减少87个", "value": 87})
    assert not numbers_agree({"quote": "比改革前减少87个", "value": 78})
    assert not numbers_agree({"quote": "由48个调整为40个", "value": 40, "before": 84})
    assert numbers_agree({"quote": "涉及编制1.2万名", "value": 12000})  # scaled: not checked


def test_pdf_body_drops_header_and_page_numbers_only() -> None:
    pages = [["简报", "正文第一行", "第 1 页 共 2 页"], ["简报", "正文第二行", "2/2"]]
    assert pdf_body(pages) == ["正文第一行", "正文第二行"]
    assert pdf_body([["正文", "- 1 -"]]) == ["正文"]  # one page: no header to tell apart
    assert pdf_body([["甲", "共有3个单位"], ["乙", "减少2个"]]) == [
        "甲",
        "共有3个单位",
        "乙",
        "减少2个",
    ]


# Opening marks repeated so runs of them (which may not end a line) come up often.
WRAP_ALPHABET = "市级机构从61个减到49个，。、（（（（）“”%编制精简率14.8abc "


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=WRAP_ALPHABET, max_size=200))
def test_wrapping_keeps_every_character_and_the_line_rules(text: str) -> None:
    renderer = load_renderer()
    font = renderer.register_font()
    lines = renderer.wrap_text(text, 120.0, 90.0, font, 15.0)
    assert "".join(lines) == text
    assert all(line for line in lines)
    assert not any(line[0] in renderer.NO_LINE_START for line in lines[1:])
