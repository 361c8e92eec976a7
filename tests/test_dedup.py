from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cnpolicy.dedup import (
    BITS,
    SHINGLE,
    DuplicateIndex,
    _crc32_columns,
    body_characters,
    content_id,
    distance,
    fingerprint,
    identify,
    simhash,
)
from cnpolicy.ingest import ingest_bytes
from tests.conftest import CORPORA

PLACES = "湛江茂名阳江江门佛山肇庆云浮清远韶关河源梅州汕头潮州揭阳汕尾惠州东莞中山珠海深圳"
ARTICLE = "".join(
    f"{PLACES[i % 20]}{PLACES[(i * 7) % 20]}市级机构从{60 + i}个减到{40 + i}个,内设机构减少{i}个,"
    f"编制精简率{10 + i % 9}.{i % 7}%。"
    for i in range(40)
)


def test_content_id_ignores_punctuation_and_spacing() -> None:
    assert content_id(ARTICLE) == content_id(ARTICLE.replace(",", ",").replace("。", "。\n"))
    assert content_id(ARTICLE) != content_id(ARTICLE.replace("49", "50"))


def test_repost_with_other_furniture_is_near() -> None:
    repost = "某某网首页\n" + ARTICLE + "\n责任编辑:张三"
    assert distance(fingerprint(ARTICLE), fingerprint(repost)) <= 6
    other = "全省推进相对集中行政许可权改革,组建行政审批局,划转审批事项175项。" * 6
    assert distance(fingerprint(ARTICLE), fingerprint(other)) > 12


def test_index_links_repeats_and_reposts_to_the_first() -> None:
    index = DuplicateIndex()
    first = content_id(ARTICLE)
    assert index.first_of(first, fingerprint(ARTICLE)) is None
    assert index.first_of(first, fingerprint(ARTICLE)) == first
    repost = ARTICLE + "本文来源:湛江日报"
    assert index.first_of(content_id(repost), fingerprint(repost)) == first
    other = "全省推进相对集中行政许可权改革,组建行政审批局,划转审批事项175项。" * 6
    assert index.first_of(content_id(other), fingerprint(other)) is None


@given(st.text(alphabet="编制机构改革市县两级精简下划0123456789", min_size=1, max_size=200))
def test_fingerprint_is_deterministic(text: str) -> None:
    assert fingerprint(text) == fingerprint(text)
    assert len(fingerprint(text)) == 16


def reference_simhash(text: str) -> int:
    """The fingerprint's definition, one shingle at a time with zlib (stores hold these values)."""
    body = body_characters(text)
    shingles = {body[i : i + SHINGLE] for i in range(max(1, len(body) - SHINGLE + 1))}
    hashes = [zlib.crc32(s.encode()) << 32 | zlib.crc32(s.encode(), 0x9E3779B1) for s in shingles]
    return sum(
        1 << bit for bit in range(BITS) if 2 * sum(h >> bit & 1 for h in hashes) > len(hashes)
    )


@given(st.text(alphabet="编制机构改革市县两级精简下划0123456789abcXYZ,。 \n㐀鿿", max_size=120))
def test_simhash_is_its_definition_on_any_body(text: str) -> None:
    assert simhash(text) == reference_simhash(text)


def corpus_text_files() -> list[Path]:
    return sorted(p for p in CORPORA.rglob("*") if p.suffix in (".txt", ".html", ".docx"))


def test_simhash_is_its_definition_on_every_corpus_text() -> None:
    texts = [ingest_bytes(p.read_bytes(), source=str(p)).text for p in corpus_text_files()]
    assert len(texts) > 20
    for text in texts:
        assert simhash(text) == reference_simhash(text)


BODY_POINTS = st.sampled_from(
    [*map(ord, "09AZaz"), 0x4E00, 0x9FFF, 0x3400, 0x4DBF, 0x7F, *range(0x4E00, 0x4E10)]
)


@given(st.lists(st.lists(BODY_POINTS, min_size=SHINGLE, max_size=SHINGLE), min_size=1))
@settings(max_examples=300)
def test_crc_of_rows_is_zlib_crc_of_their_utf8(rows: list[list[int]]) -> None:
    crc, lengths = _crc32_columns(list(np.array(rows, dtype=np.intp).T))
    data = ["".join(map(chr, row)).encode("utf-8") for row in rows]
    assert crc.tolist() == [zlib.crc32(d) for d in data]
    assert lengths.tolist() == [len(d) for d in data]


@given(st.text(alphabet="编制机构改革市县两级精简下划0123456789abcXYZ,。 \n㐀鿿", max_size=120))
def test_identify_is_content_id_and_fingerprint(text: str) -> None:
    assert identify(text) == (content_id(text), fingerprint(text))
