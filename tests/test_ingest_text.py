"""decode_text's encoding ladder and read_text, on the corpora samples and on built bytes."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.errors import DecodeError, IngestError, UnsupportedFormatError
from cnpolicy.ingest.text import (
    _BAD_CHARS,
    _OUTSIDE_COMMON_BLOCKS,
    MAX_BAD_CHAR_SHARE,
    decode_text,
    read_text,
)
from tests.conftest import CORPORA

RARE_GBK = "朱镕基 王堃 张喆"  # GBK/GB18030 characters outside GB2312
CHINESE = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
        st.sampled_from(list("，。、；：？！“”（）《》0123456789%abcXYZ \n")),
    ),
    min_size=1,
    max_size=200,
)


def corpora_texts() -> list[Path]:
    return sorted(CORPORA.glob("*/*.txt"))


@pytest.mark.parametrize("path", corpora_texts(), ids=lambda p: p.stem)
def test_every_corpora_text_decodes_cleanly_and_round_trips(path: Path) -> None:
    data = path.read_bytes()
    raw = read_text(data, source=str(path))
    assert raw.format == "txt"
    assert raw.encoding is not None
    assert "\ufffd" not in raw.text and "\r" not in raw.text
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in raw.text) > 100
    text, encoding = decode_text(data, source=str(path))
    boms = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
    without_bom = next((data[len(b) :] for b in boms if data.startswith(b)), data)
    assert text.encode(encoding).removeprefix(boms[0]) == without_bom


def test_the_corpora_hold_gbk_utf16_and_bom_samples() -> None:
    encodings = {read_text(p.read_bytes(), source=p.name).encoding for p in corpora_texts()}
    assert {"gb18030", "utf-16-le", "utf-8-sig", "utf-8"} <= encodings


@settings(max_examples=150, deadline=None)
@given(CHINESE, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]))
def test_unicode_encodings_with_or_without_bom_round_trip(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_text(data, source="t.txt")[0] == text


def _bad_share(text: str) -> float:
    """Share of controls, private-use, unassigned characters: what decode_text rejects."""
    rejected = ("Cc", "Co", "Cn", "Cs")
    bad = sum(1 for ch in text if ch not in "\t\n\r" and unicodedata.category(ch) in rejected)
    return bad / len(text) if text else 0.0


@settings(max_examples=150, deadline=None)
@given(CHINESE)
def test_gb18030_round_trips_unless_the_bytes_are_also_plausible_utf8(text: str) -> None:
    data = text.encode("gb18030")
    decoded, encoding = decode_text(data, source="t.txt")
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    # GB18030 bytes can also be valid UTF-8 ("赘" = D7 B8 = U+05F8): UTF-8 is tried first and
    # kept unless its reading holds unassigned or control characters (MAX_BAD_CHAR_SHARE).
    plausible_utf8 = as_utf8 is not None and _bad_share(as_utf8) <= MAX_BAD_CHAR_SHARE
    assert decoded == (as_utf8 if plausible_utf8 else text)
    assert encoding == ("utf-8" if plausible_utf8 else "gb18030")


def test_gb18030_bytes_that_read_as_unassigned_utf8_stay_gb18030() -> None:
    data = "赘".encode("gb18030")
    assert data.decode("utf-8") == "\u05f8"  # valid UTF-8, but an unassigned code point
    assert decode_text(data, source="t.txt") == ("赘", "gb18030")


def test_declared_gb2312_holding_gbk_characters_decodes_fully() -> None:
    text = f"机构改革领导小组成员：{RARE_GBK}等同志。"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    assert decode_text(data, source="p.html", declared="gb2312") == (text, "gb18030")
    assert decode_text(data, source="p.html", declared="GBK")[0] == text


def test_a_lying_declaration_does_not_win_over_valid_utf8() -> None:
    text = f"市级机构从61个减到49个。{RARE_GBK}"
    assert decode_text(text.encode("utf-8"), source="p.html", declared="gb2312")[0] == text
    assert decode_text(text.encode("gb18030"), source="p.html", declared="utf-8")[0] == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_nuls(encoding: str) -> None:
    text = "2019年市级机构从61个减到49个,精简率14.8%。\nReform report 2019.\n"
    assert decode_text(text.encode(encoding), source="t.txt") == (text, encoding)


def test_big5_is_told_apart_from_gbk() -> None:
    text = "臺灣政府機關組織改造，行政院組織法修正後，部會數量由三十七個精簡為二十九個。"
    assert decode_text(text.encode("big5"), source="t.txt") == (text, "big5")


def test_a_declared_latin1_page_is_read_as_western_text_when_nothing_else_fits() -> None:
    assert decode_text("café naïve".encode("latin-1"), source="p.html", declared="iso-8859-1")[
        0
    ] == ("café naïve")


def test_crlf_and_cr_line_endings_become_newlines() -> None:
    raw = read_text("第一段。\r\n第二段。\r第三段。".encode("gb18030"), source="t.txt")
    assert raw.text == "第一段。\n第二段。\n第三段。"
    assert raw.encoding == "gb18030"


def test_empty_bytes_decode_to_empty_text() -> None:
    assert read_text(b"", source="t.txt").text == ""


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"PK\x03\x04" + bytes(range(256)) * 8,
        bytes(range(32)) * 50,
    ],
    ids=["random", "png", "zip", "controls"],
)
def test_binary_data_is_rejected_with_the_source_named(data: bytes) -> None:
    with pytest.raises((UnsupportedFormatError, DecodeError)) as caught:
        decode_text(data, source="scan.txt")
    assert "scan.txt" in str(caught.value)
    assert isinstance(caught.value, IngestError)


def test_a_bom_followed_by_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="byte-order mark"):
        decode_text(b"\xff\xfe" + bytes(range(32)) * 10, source="t.txt")


def test_no_bad_character_lies_in_the_blocks_skipped_by_the_bad_character_count() -> None:
    common = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    common = [ch for ch in common if not _OUTSIDE_COMMON_BLOCKS.match(ch)]
    assert len(common) > 20_000  # the ideographs are among them
    assert not [ch for ch in common if _BAD_CHARS.match(ch)]
    # ... and everything else is still looked at: a stray control, private-use, U+FFFD
    for bad in ("\x00", "\ue000", "\ufffd", "\U0010fffd"):
        assert _OUTSIDE_COMMON_BLOCKS.match(bad) and _BAD_CHARS.match(bad)
