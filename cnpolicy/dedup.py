"""Document identity: a stable content id, and a simhash fingerprint that links near-duplicates.

A republication of the same article on another site (other furniture, same body) differs in a few
lines at most; its 64-bit simhash over character shingles is then within a small Hamming distance.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field
from functools import cache

import numpy as np

__all__ = [
    "BANDS",
    "BITS",
    "ID_LENGTH",
    "NEAR_DUPLICATE_BITS",
    "SHINGLE",
    "DuplicateIndex",
    "body_characters",
    "content_id",
    "distance",
    "fingerprint",
    "identify",
    "simhash",
]

# Characters that carry the body: CJK, letters, digits. Punctuation and spaces differ between
# sites (full/half width, line breaks) and are left out of both the id and the fingerprint.
_BODY_CHARS = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbfA-Za-z0-9]+")
# Shingle length: 4 characters is about two Chinese words, long enough that common phrases do not
# dominate, short enough that one changed word alters few shingles.
SHINGLE = 4
# Hamming distance at or below which two fingerprints are the same article. Measured on reposts
# that add or drop a title/byline line on 2-10 kB articles: distance 0-4; different articles on the
# same topic: 18+.
NEAR_DUPLICATE_BITS = 6
BITS = 64
# Bands for the lookup index: with distance ≤ 6 and 8 bands of 8 bits, two near-duplicates share
# at least one band exactly (pigeonhole), so candidates are found without comparing all pairs.
BANDS = 8
ID_LENGTH = 16
# Second CRC seed, so each shingle gives 64 independent-enough bits.
_SALT = 0x9E3779B1


def body_characters(text: str) -> str:
    return "".join(_BODY_CHARS.findall(text))


def content_id(text: str) -> str:
    """Stable id: the first 16 hex digits of the SHA-256 of the body characters."""
    return _id_of_body(body_characters(text))


def identify(text: str) -> tuple[str, str]:
    """`content_id(text)` and `fingerprint(text)`, the body characters read once for both."""
    body = body_characters(text)
    return _id_of_body(body), _fingerprint_of_body(body)


def _id_of_body(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:ID_LENGTH]


def _shingle_hash(shingle: str) -> int:
    data = shingle.encode("utf-8")
    return zlib.crc32(data) << 32 | zlib.crc32(data, _SALT)


def _crc_table() -> np.ndarray:
    """zlib's CRC-32 lookup table (reflected polynomial 0xEDB88320), one entry per byte."""
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(0xEDB88320), table >> 1)
    return table


_CRC_TABLE = _crc_table()


def _crc_step(crc: np.ndarray, byte: np.ndarray) -> np.ndarray:
    updated: np.ndarray = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return updated


def _crc32_columns(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """`zlib.crc32(row.encode("utf-8"))` for every row of code points at once (given column by
    column), and each row's length in UTF-8 bytes.

    CRC-32 is affine: a row's CRC is the XOR of each character's share (`_character_shares`, by
    the bytes that follow it) and the CRC of as many zero bytes. Body characters are ASCII
    letters and digits (one UTF-8 byte) or CJK from the Basic Multilingual Plane (three)."""
    crc = np.zeros(len(columns[0]), dtype=np.uint32)
    following = np.zeros(len(columns[0]), dtype=np.intp)  # UTF-8 bytes after the column
    for column in reversed(columns):
        crc ^= _character_shares().take(following * _POINTS + column)
        following += np.where(column < 0x80, 1, 3)
    return crc ^ _ZERO_CRCS[following], following


# Body characters are all in the Basic Multilingual Plane.
_POINTS = 0x10000


@cache
def _character_shares() -> np.ndarray:
    """[bytes after, code point] → the CRC register (started at 0, not inverted) of the code
    point's UTF-8 bytes followed by that many zero bytes: its share of a row's CRC."""
    points = np.arange(_POINTS, dtype=np.uint32)
    zero = np.zeros_like(points)
    one_byte = points < 0x80
    first = _crc_step(zero, np.where(one_byte, points, 0xE0 | (points >> 12)))
    second = _crc_step(first, 0x80 | ((points >> 6) & 0x3F))
    shares = [np.where(one_byte, first, _crc_step(second, 0x80 | (points & 0x3F)))]
    for _ in range(3 * (SHINGLE - 1)):
        shares.append(_crc_step(shares[-1], zero))
    return np.concatenate(shares)  # flat: [bytes after * _POINTS + code point]


# zlib.crc32 of n zero bytes: what the start value 0xFFFFFFFF and the final inversion add.
_ZERO_CRCS = np.array([zlib.crc32(bytes(n)) for n in range(3 * SHINGLE + 1)], dtype=np.uint32)


# CRC-32 is affine in its starting value: for data of n bytes, crc32(data, salt) is
# crc32(data) XOR a constant that depends on n alone (the two CRCs of n zero bytes XORed). A
# shingle is 4 to 12 bytes; each length's constant is computed once.
_SALT_DELTAS = np.array(
    [zlib.crc32(bytes(n), _SALT) ^ zlib.crc32(bytes(n)) for n in range(3 * SHINGLE + 1)],
    dtype=np.uint32,
)
# Bits set in each byte value, bit 0 first: byte counts times this table give bit counts.
_BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1, bitorder="little")


def _bit_counts(values: np.ndarray) -> np.ndarray:
    """How many of the 32-bit values have each bit set (bit 0 first)."""
    octets = values.view(np.uint8).reshape(-1, 4)
    per_byte = [np.bincount(octets[:, i], minlength=256) @ _BYTE_BITS for i in range(4)]
    counts: np.ndarray = np.concatenate(per_byte).astype(np.int64)
    return counts


def simhash(text: str) -> int:
    """64-bit simhash of the body's distinct character shingles (two salted CRC-32s each).

    Computed on arrays of code points (a key per shingle, distinct keys, the CRC as the XOR of
    each character's share looked up in a table, the salted CRC from the plain one): the same value as hashing each shingle's UTF-8
    bytes with zlib (tests/test_dedup.py), several times faster.
    """
    return _simhash_of_body(body_characters(text))


def _simhash_of_body(body: str) -> int:
    if len(body) <= SHINGLE:
        return _shingle_hash(body)  # one shingle: the majority of its own bits
    points = np.frombuffer(body.encode("utf-32-le"), dtype=np.uint32)
    windows = np.lib.stride_tricks.sliding_window_view(points, SHINGLE)
    keys = np.zeros(len(windows), dtype=np.uint64)
    for column in windows.T:  # every body character is below U+10000: 16 bits each
        keys = (keys << np.uint64(16)) | column.astype(np.uint64)
    keys.sort()  # distinct keys by sorting and dropping repeats (3x faster than np.unique here)
    distinct = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    columns = [
        ((distinct >> np.uint64(16 * place)) & np.uint64(0xFFFF)).astype(np.intp)
        for place in range(SHINGLE - 1, -1, -1)
    ]
    plain, lengths = _crc32_columns(columns)
    salted = plain ^ _SALT_DELTAS[lengths]
    ones = np.concatenate([_bit_counts(salted), _bit_counts(plain)])
    return sum(1 << bit for bit in range(BITS) if 2 * int(ones[bit]) > len(distinct))


def fingerprint(text: str) -> str:
    return _fingerprint_of_body(body_characters(text))


def _fingerprint_of_body(body: str) -> str:
    return f"{_simhash_of_body(body):016x}"


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def _bands(value: str) -> list[tuple[int, str]]:
    width = len(value) // BANDS
    return [(i, value[i * width : (i + 1) * width]) for i in range(BANDS)]


@dataclass
class DuplicateIndex:
    """Remembers documents seen in a batch or store; answers which earlier one a new one repeats."""

    _ids: set[str] = field(default_factory=set)
    _bands: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)

    def first_of(self, doc_id: str, doc_fingerprint: str) -> str | None:
        """The id of an earlier document this one duplicates, else None; then remembers it."""
        if doc_id in self._ids:
            return doc_id
        found = None
        for band in _bands(doc_fingerprint):
            for other_id, other in self._bands.get(band, ()):
                if distance(doc_fingerprint, other) <= NEAR_DUPLICATE_BITS:
                    found = other_id
                    break
            if found:
                break
        self._ids.add(doc_id)
        if found is None:
            for band in _bands(doc_fingerprint):
                self._bands.setdefault(band, []).append((doc_id, doc_fingerprint))
        return found
