"""Strict calendar dates as printed on Chinese identity documents.

Accepted spellings (surrounding whitespace ignored, one separator style per
string):

* ``YYYYMMDD``                 -- as inside an ID number;
* ``YYYY-MM-DD``, ``YYYY.MM.DD``, ``YYYY/MM/DD`` -- month and day of 1 or 2 digits;
* ``YYYY年M月D日``             -- the card's birth line (``1949年12月31日``),
  spaces between the parts allowed.

Anything that is not a real date of the Gregorian calendar (30 February,
month 13, day 0, year 0000) gives None, never a "corrected" date.
"""

from __future__ import annotations

import datetime as _dt
import re

__all__ = ["add_years", "fmt", "parse_date"]

# re.ASCII: \d is 0-9 only (no fullwidth or other scripts' digits).
_PATTERNS = tuple(re.compile(p, re.ASCII) for p in (
    r"(\d{4})(\d{2})(\d{2})",
    r"(\d{4})-(\d{1,2})-(\d{1,2})",
    r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
    r"(\d{4})/(\d{1,2})/(\d{1,2})",
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日",
))


def parse_date(s: str) -> _dt.date | None:
    """Parse a date strictly; None unless it is a real calendar date.

    >>> parse_date("19491231")
    datetime.date(1949, 12, 31)
    >>> parse_date("2010.01.05")
    datetime.date(2010, 1, 5)
    >>> parse_date("1949年12月1日")
    datetime.date(1949, 12, 1)
    >>> parse_date("2024-02-29")
    datetime.date(2024, 2, 29)
    >>> parse_date("2023-02-29") is None
    True
    >>> parse_date("2023-13-01") is None, parse_date("2023-01.01") is None
    (True, True)
    >>> parse_date("２０２３０１０１") is None  # fullwidth digits are not ASCII digits
    True
    """
    if not isinstance(s, str):
        return None
    s = s.strip()
    for pattern in _PATTERNS:
        m = pattern.fullmatch(s)
        if m is None:
            continue
        year, month, day = (int(g) for g in m.groups())
        try:
            return _dt.date(year, month, day)
        except ValueError:
            return None
    return None


def add_years(d: _dt.date, n: int) -> _dt.date:
    """The same month and day ``n`` years later (earlier if ``n`` < 0).

    Rule for 29 February: when the target year is not a leap year the result
    is 28 February (the last day of that February), never 1 March.  So a card
    issued on 2012-02-29 and valid for 10 years is expected to end on
    2022-02-28.

    >>> add_years(_dt.date(2010, 1, 5), 10)
    datetime.date(2020, 1, 5)
    >>> add_years(_dt.date(2012, 2, 29), 10)
    datetime.date(2022, 2, 28)
    >>> add_years(_dt.date(2012, 2, 29), 4)
    datetime.date(2016, 2, 29)
    >>> add_years(_dt.date(2012, 2, 29), -1)
    datetime.date(2011, 2, 28)
    """
    year = d.year + n
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February in a common year
        return d.replace(year=year, day=28)


def fmt(d: _dt.date) -> str:
    """``"YYYY-MM-DD"``.

    >>> fmt(_dt.date(1949, 12, 1))
    '1949-12-01'
    """
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
