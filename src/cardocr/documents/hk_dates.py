"""The Hong Kong identity card's three dates: birth (`03-06-1985`), first issue (`(06-96)`,
month and year) and issue (`26-11-18`). Each must be a calendar date, and the card repeats
their order: birth <= first issue <= issue. A date that breaks either was misread or printed
so (specimens): when digits of it were read without confidence, the recogniser's other
readings that make it a real date in order are tried, and the one the pixels support best
(CTC likelihood over the line) is taken if it is nearly as likely as the reading; otherwise
the date stays as read and its confidence is lowered. A digit read with confidence is never
changed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np

from ..ocr.ctc import char_index, sequence_log_probs
from ..ocr.types import Line
from ..types import CONFIDENT, Reading
from .base import text_value
from .checks.hkid import is_valid_hkid
from .hk_fields import decode

DATE_MARGIN = 4.0  # log-likelihood a date in order may trail an impossible reading by
MAX_CHANGES = 2  # digits read without confidence that may change together
OLDEST = 110  # years: a birth date further before the issue is a misread century

# the value of each date field: its role's alphabet, and how its text parses
FORMS = {"birth_date": "birth", "initial_issue_date": "initial_issue_date", "issue_date": "issue_date"}


# the first issue with its parentheses read as 1s: `107-481` for `(07-48)`
RE_INITIAL_LOOSE = re.compile(r"^\s*([(1])(\d{2}-\d{2})([)1])(?=\s|$)")


def read_initial_loose(line: Line, charset: list[str]) -> tuple[str, float]:
    """`(MM-YY)` from a line whose parentheses came out as 1s read without confidence (a
    1 read with confidence is a digit, and the line something else)."""
    ln = decode(line, charset, "initial_issue_date")
    m = RE_INITIAL_LOOSE.match(ln.text)
    if not m or any(ln.text[i] == "1" and ln.char_probs[i] >= CONFIDENT for i in (m.start(1), m.start(3))):
        return "", 0.0
    conf = min(ln.char_probs[m.start(2):m.end(2)])
    return f"({m.group(2)})", round(min(conf, CONFIDENT - 0.05), 4)


def choose_dates(reading: Reading, lines: dict[str, Line | None], charset: list[str]) -> None:
    """Each date that is no calendar date or breaks the order, given the others that are
    fine: the best of the readings within MAX_CHANGES uncertain digits that makes it right.
    `lines`: the line each date was read from."""
    f = reading.fields
    for name in ("issue_date", "initial_issue_date", "birth_date"):
        value, line = text_value(f[name]), lines.get(name)
        if not value or line is None or line.probs is None or _fits(name, value, f):
            continue
        better = _repair(line, charset, name, value, f)
        if better is not None:
            f[name].value = better[0]
            f[name].confidence = round(min(f[name].confidence, better[1], CONFIDENT - 0.05), 4)
            reading.corrections.append((name, "a calendar date in the card's order"))


def _fits(name: str, value: str, f) -> bool:
    """A real date, in order with those of the other two that are real."""
    issue = issue_day(value if name == "issue_date" else text_value(f["issue_date"]))
    birth = _date(value if name == "birth_date" else text_value(f["birth_date"]), "%d-%m-%Y")
    initial = _initial(value if name == "initial_issue_date" else text_value(f["initial_issue_date"]), issue)
    own = {"birth_date": birth, "initial_issue_date": initial, "issue_date": issue}[name]
    if own is None:
        return False
    if birth is not None and issue is not None and birth.year < issue.year - OLDEST:
        return False
    order = [d for d in (birth, initial, issue) if d is not None]
    return all(a <= b for a, b in zip(order, order[1:]))


def _repair(line: Line, charset: list[str], name: str, value: str, f) -> tuple[str, float] | None:
    ln = decode(line, charset, FORMS[name])
    start = ln.text.find(value)
    if start < 0:
        return None
    doubt = [i for i in range(start, start + len(value))
             if ln.text[i].isdigit() and ln.char_probs[i] < CONFIDENT]
    trials: list[str] = []
    for k in range(1, MAX_CHANGES + 1):
        for pos in itertools.combinations(doubt, k):
            for digits in itertools.product("0123456789", repeat=k):
                chars = list(value)
                for i, d in zip(pos, digits):
                    chars[i - start] = d
                cand = "".join(chars)
                if cand != value and _fits(name, cand, f):
                    trials.append(cand)
    if not trials:
        return None
    index = char_index(charset)
    texts = [ln.text] + [ln.text[:start] + t + ln.text[start + len(value):] for t in trials]
    if not all(c in index for c in texts[0]):
        return None
    assert line.probs is not None  # choose_dates skips lines without posteriors
    lp = sequence_log_probs(line.probs, [[index[c] for c in t] for t in texts])
    best = int(np.argmax(lp[1:])) + 1
    if lp[best] < lp[0] - DATE_MARGIN:
        return None
    share = np.exp(lp[1:] - lp[1:].max())
    return trials[best - 1], float(share.max() / share.sum())


def cross_check(reading: Reading) -> None:
    """Dates must be real and ordered: birth ≤ first issue ≤ issue. A failure lowers the
    confidence of the least certain of the dates involved; nothing is rewritten."""
    f = reading.fields
    birth = _date(text_value(f["birth_date"]), "%d-%m-%Y")
    issue = issue_day(text_value(f["issue_date"]))
    initial = _initial(text_value(f["initial_issue_date"]), issue)
    if birth is not None and issue is not None and birth.year < issue.year - OLDEST:
        birth = None  # a misread century, or a specimen's: as printed, not vouched for
    for name, value in (("birth_date", birth), ("initial_issue_date", initial), ("issue_date", issue)):
        if f[name].value and value is None:
            f[name].confidence = round(f[name].confidence * 0.5, 4)
    order = [(n, v) for n, v in (("birth_date", birth), ("initial_issue_date", initial),
                                 ("issue_date", issue)) if v is not None]
    for (n1, v1), (n2, v2) in zip(order, order[1:]):
        if v1 > v2:
            weak = n1 if f[n1].confidence < f[n2].confidence else n2
            f[weak].confidence = round(f[weak].confidence * 0.5, 4)
    reading.checks.update({
        "number": is_valid_hkid(text_value(f["number"])),
        "dates": len(order) == 3 and order[0][1] <= order[1][1] <= order[2][1],
    })


REGISTRATION_AGE = 11  # a Hong Kong resident is registered (the first card) from 11 on


def registered_too_young(birth: str, initial: str, issue: str) -> bool | None:
    """Does the card say its holder was first registered (`(MM-YY)`) in a month before the
    11th birthday's, on a card issued after it? No resident is registered that young (HK
    1500061 photo: born 03-1984, (04-14) read (04-94)). None when a date is not a real one."""
    b, i = _date(birth, "%d-%m-%Y"), issue_day(issue)
    first = _initial(initial, i) if i is not None else None
    if b is None or i is None or first is None:
        return None
    year = b.year + REGISTRATION_AGE
    if (i.year, i.month, i.day) < (year, b.month, b.day):
        return None  # a card issued before 11: no rule to hold it to
    return (first.year, first.month) < (year, b.month)


def adult_at_issue(birth: str, issue: str) -> bool | None:
    """Was the holder 18 or over on the issue date (the stars the symbols carry)? None when
    either date is not a real one."""
    b, i = _date(birth, "%d-%m-%Y"), issue_day(issue)
    if b is None or i is None:
        return None
    return (i.year - b.year - ((i.month, i.day) < (b.month, b.day))) >= 18


def _date(text: str, fmt: str):
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


def _initial(text: str, issue: dt.date | None):
    """`(MM-YY)` → the first day of that month, in the latest century not after the issue."""
    m = re.fullmatch(r"\((\d{2})-(\d{2})\)", text)
    if not m:
        return None
    mo, yy = int(m.group(1)), int(m.group(2))
    limit = issue.year if issue else dt.date.today().year
    year = 2000 + yy if 2000 + yy <= limit else 1900 + yy
    return _date(f"01-{mo:02d}-{year}", "%d-%m-%Y")


def issue_day(text: str) -> dt.date | None:
    """The issue date `DD-MM-YY` as a date (years 70-99 in the 1900s), None if not one."""
    m = re.fullmatch(r"(\d{2})-(\d{2})-(\d{2})", text)
    if not m:
        return None
    yy = int(m.group(3))
    year = 2000 + yy if yy < 70 else 1900 + yy
    return _date(f"{m.group(1)}-{m.group(2)}-{year}", "%d-%m-%Y")
