"""Plain-text reading: the encoding ladder (BOM, UTF-8, GB18030, UTF-16, guess) and `read_text`.

`decode_text` is shared with the HTML reader, which passes the charset a page declares.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

import regex
from charset_normalizer import from_bytes

from cnpolicy.config import IngestOptions
from cnpolicy.errors import DecodeError, UnsupportedFormatError
from cnpolicy.ingest.raw import RawText

__all__ = [
    "BOMS",
    "GB_FAMILY",
    "MAX_BAD_CHAR_SHARE",
    "MAX_CONTROL_BYTE_SHARE",
    "MIN_GB2312_SHARE",
    "MIN_HANZI_FOR_BIG5_TEST",
    "MIN_PLAUSIBLE_SHARE",
    "WEAK_DECLARATIONS",
    "decode_text",
    "raw_text",
    "read_text",
]

# BOMs, longest first (the UTF-32 LE BOM starts with the UTF-16 LE one).
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared charsets of the GB family, all decoded as GB18030, their superset: pages that
# declare gb2312 routinely hold GBK/GB18030-only characters (镕 堃 喆) a gb2312 codec rejects.
GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "euc-cn", "csgb2312"})
# Declarations servers send by default, not because they know: they are only a last resort.
WEAK_DECLARATIONS = frozenset(
    {"ascii", "us-ascii", "iso-8859-1", "latin-1", "latin1", "iso8859-1", "cp1252", "windows-1252"}
)
# A decoding is rejected when more than this share of its characters are controls, private-use,
# unassigned or U+FFFD. Real documents have almost none (a stray form feed or NUL: < 0.1 %);
# random bytes read as a single-byte code page give ~11 % C0 controls alone. 2 % sits between.
MAX_BAD_CHAR_SHARE = 0.02
# What counts as a bad character: U+FFFD, controls other than text layout, private-use, unassigned
# and surrogate code points (matched in C by the `regex` module, by Unicode property).
_BAD_CHARS = regex.compile(r"[[\p{Cc}\p{Co}\p{Cn}\p{Cs}\ufffd]--[\t\n\r\x0c]]", regex.V1)
# Runs of characters outside the blocks a Chinese text is mostly made of (layout whitespace,
# printable ASCII and Latin-1, general punctuation, CJK punctuation, the unified ideographs,
# full-width forms), every one of them assigned and none bad: bad characters are only counted
# inside these runs, a few per text (the property scan of every character took 0.6 ms per 20 kB).
_OUTSIDE_COMMON_BLOCKS = re.compile(
    "[^\t\n\r\x0c\x20-\x7e\xa0-\xff\u2010-\u2027\u2030-\u205e\u3000-\u303f"
    "\u4e00-\u9fff\uff01-\uff5e]+"
)
# Guessed decodings (UTF-16 without BOM, charset-normalizer's pick) must put at least this share
# of their characters in the scripts a Chinese policy text uses (ASCII, Latin, punctuation, CJK,
# full-width forms). Real text: > 99 %; random bytes read as UTF-16: ~47 %.
MIN_PLAUSIBLE_SHARE = 0.9
# Simplified-Chinese text has > 99 % of its hanzi in GB2312 (its 6,763 characters cover modern
# usage; rare names such as 镕 堃 are the exception). Big5 bytes misread as GBK land outside
# GB2312 about half the time (measured: 50 % on a Big5 news paragraph). Below 70 % we try Big5.
MIN_GB2312_SHARE = 0.7
# ... a share only judged on at least this many hanzi (fewer say nothing either way).
MIN_HANZI_FOR_BIG5_TEST = 10
# Raw bytes below 0x20 other than \t \n \r \f \x1a: above this share the data is binary, not
# text in an unknown encoding. Text encodings other than UTF-16/32 never produce them;
# a PNG or ZIP has ~10-30 %. 5 % leaves room for a few stray control bytes.
MAX_CONTROL_BYTE_SHARE = 0.05

_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1a")
_PLAUSIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x24F),  # Latin-1 supplement, Latin extended A/B
    (0x370, 0x4FF),  # Greek, Cyrillic
    (0x2000, 0x22FF),  # punctuation, super/subscripts, currency, letterlike, arrows, maths
    (0x2460, 0x27BF),  # enclosed numbers, box drawing, shapes, dingbats
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, bopomofo, CJK unified + ext. A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and full-width forms
    (0x20000, 0x3134F),  # CJK extensions B-G
)


def decode_text(data: bytes, *, source: str, declared: str | None = None) -> tuple[str, str]:
    """Decode text bytes; return (text, encoding name).

    The ladder: a BOM; UTF-16 when NULs show it; strict UTF-8; the declared charset (GB
    family as gb18030); strict GB18030 (Big5 when the result is not GB-like); then
    charset-normalizer's guess. A result that is mostly control or unassigned characters is
    rejected: DecodeError, or UnsupportedFormatError when the bytes look binary.
    """
    if not data:
        return "", "utf-8"
    bom_text = _decode_with_bom(data, source=source)
    if bom_text is not None:
        return bom_text
    for encoding, guessed in _candidates(data, declared):
        text = _try_decode(data, encoding)
        if text is not None and _looks_like_text(text, guessed=guessed):
            return text, encoding
    if _control_byte_share(data) > MAX_CONTROL_BYTE_SHARE:
        raise UnsupportedFormatError(
            "binary data, not text: expected text in UTF-8, GB18030/GBK, UTF-16 or Big5",
            source=source,
        )
    raise DecodeError(
        "could not determine the text encoding (tried BOM, UTF-8, "
        f"{_canonical(declared) + ', ' if declared else ''}GB18030, Big5, UTF-16 and a guess)",
        source=source,
    )


def read_text(data: bytes, *, source: str, limits: IngestOptions | None = None) -> RawText:
    """Read a plain-text file: decoded, line endings unified (paragraphs are its lines)."""
    text, encoding = decode_text(data, source=source)
    return raw_text(text, encoding)


def raw_text(text: str, encoding: str) -> RawText:
    """A plain-text file's RawText from its decoded text: line endings unified."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return RawText(text=text, format="txt", encoding=encoding)


def _decode_with_bom(data: bytes, *, source: str) -> tuple[str, str] | None:
    """Decode data that starts with a BOM (the BOM itself dropped); None without a BOM."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            if not _looks_like_text(text, guessed=False):
                raise DecodeError(
                    f"starts with a {encoding.upper()} byte-order mark but is not {encoding}",
                    source=source,
                )
            return text, encoding
    return None


def _candidates(data: bytes, declared: str | None) -> Iterator[tuple[str, bool]]:
    """(encoding, is_a_guess) in the order the ladder tries them, after the BOM check."""
    if b"\x00" in data:
        yield from ((e, True) for e in _utf16_by_nul_position(data))
    yield "utf-8", False
    name = _canonical(declared) if declared else None
    if name and name not in WEAK_DECLARATIONS:
        yield ("gb18030" if name in GB_FAMILY else name), False
    yield from ((e, False) for e in _gb_or_big5(data, prefer_gb=name in GB_FAMILY))
    if name in WEAK_DECLARATIONS:
        yield ("cp1252" if name != "ascii" and name != "us-ascii" else "ascii"), True
    guess = from_bytes(data).best()
    if guess is not None:
        yield _canonical(guess.encoding), True


def _utf16_by_nul_position(data: bytes) -> list[str]:
    """UTF-16 LE when NULs sit at odd offsets (ASCII 'a' = 61 00), BE when at even ones."""
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    return ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]


def _gb_or_big5(data: bytes, *, prefer_gb: bool) -> list[str]:
    """GB18030, or Big5 first when GB18030 yields few GB2312 characters and Big5 decodes."""
    gb = _try_decode(data, "gb18030")
    if gb is None or prefer_gb or _gb2312_share(gb) >= MIN_GB2312_SHARE:
        return ["gb18030", "big5"]
    return ["big5", "gb18030"] if _try_decode(data, "big5") is not None else ["gb18030"]


def _gb2312_share(text: str) -> float:
    hanzi = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    if len(hanzi) < MIN_HANZI_FOR_BIG5_TEST:
        return 1.0
    return sum(1 for ch in hanzi if _in_gb2312(ch)) / len(hanzi)


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_like_text(text: str, *, guessed: bool) -> bool:
    """Few bad characters; for guessed decodings, also mostly plausible scripts."""
    if not text:
        return True
    bad = sum(len(_BAD_CHARS.findall(run)) for run in _OUTSIDE_COMMON_BLOCKS.findall(text))
    if bad > MAX_BAD_CHAR_SHARE * len(text):
        return False
    if not guessed:
        return True
    visible = [ch for ch in text if not ch.isspace()]
    plausible = sum(1 for ch in visible if _is_plausible(ch))
    return not visible or plausible >= MIN_PLAUSIBLE_SHARE * len(visible)


def _is_plausible(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _PLAUSIBLE_RANGES)


def _control_byte_share(data: bytes) -> float:
    controls = sum(1 for byte in data if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls / len(data)


def _canonical(name: str) -> str:
    """Python's canonical codec name for a declared charset ("GB2312" → "gb2312")."""
    cleaned = name.strip().strip("\"'").lower()
    if cleaned in GB_FAMILY or cleaned in WEAK_DECLARATIONS:
        return cleaned
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return cleaned
