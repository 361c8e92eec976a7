"""Full dates as Chinese documents write them, the one rule every stage reads them by: digits
(2020-12-14, 2020/3/14, 2020年12月14日) or Chinese numerals (二〇二一年三月八日), as ISO."""

from __future__ import annotations

import re
from datetime import date

from cnpolicy.numerals import DIGIT_CLASS, TO_TEN_CLASS, small_number

__all__ = [
    "CHINESE_DATE",
    "DIGIT_DATE",
    "MAX_YEAR",
    "MIN_YEAR",
    "SIGNATURE_DATE",
    "iso_date",
    "parse_date",
]

# Years a policy document of ours can be dated: the People's Republic's founding to the end of the
# century (a "date" outside is a number that looks like one: a code, a count, a phone number).
MIN_YEAR, MAX_YEAR = 1949, 2100
DIGIT_DATE = re.compile(r"(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?!\d)")
CHINESE_DATE = re.compile(
    r"(" + DIGIT_CLASS + r"{4})年(" + TO_TEN_CLASS + r"{1,3})月(" + TO_TEN_CLASS + r"{1,3})日"
)

# A line holding only a date, as a document's signature or issue date is set (2026年1月5日,
# 二〇二六年一月五日, in brackets or not).
SIGNATURE_DATE = re.compile(
    r"^\(?\s*(?:\d{4}年\d{1,2}月\d{1,2}日|" + DIGIT_CLASS + r"{4}年" + TO_TEN_CLASS + r"{1,3}月"
    r"" + TO_TEN_CLASS + r"{1,3}日)\s*\)?$"
)


def iso_date(year: int, month: int, day: int) -> str | None:
    """`YYYY-MM-DD` for a real calendar day within the years above, else None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first valid full date in the text, in digits before Chinese numerals, as ISO."""
    for match in DIGIT_DATE.finditer(text):
        found = iso_date(int(match[1]), int(match[2]), int(match[3]))
        if found:
            return found
    for match in CHINESE_DATE.finditer(text):
        found = iso_date(small_number(match[1]), small_number(match[2]), small_number(match[3]))
        if found:
            return found
    return None
