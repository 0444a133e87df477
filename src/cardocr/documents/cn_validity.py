"""The validity period as the Mainland ID card prints it (YYYY.MM.DD-YYYY.MM.DD or
YYYY.MM.DD-长期), read as one line and, where the recogniser was unsure of digits, chosen
together with what the two dates must be to each other: a permanent card's 5, 10 or 20 years to
the day, a temporary card's three months (cn_temporary.span_ok).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import numpy as np

from ..ocr.shaped import shaped_decode
from ..ocr.types import Line
from ..types import CONFIDENT
from .checks.edits import edit_distance

FIRST_SECOND_GENERATION = dt.date(1990, 1, 1)  # as far back as joint_validity's years go
FIRST_TEMPORARY = dt.date(2005, 10, 1)  # the temporary card of the 2005 rules was issued from then

VALIDITY_SPANS = (5, 10, 20)  # years; 长期 for holders of 46 and over
RE_VALIDITY = re.compile(r"\d{4}\.\d{2}\.\d{2}-\d{4}\.\d{2}\.\d{2}")
RE_PERMANENT = re.compile(r"\d{4}\.\d{2}\.\d{2}-长期")
SHAPE_REPAIRS = 2  # characters the shaped decode may add, drop or change (shaped_validity)


def digit_rows(v: Line) -> np.ndarray | None:
    """16 x 10 log-probabilities of the period's digits (Y1 M1 D1 Y2 M2 D2) from the
    recogniser's top alternatives; a digit read at or above CONFIDENT allows only itself.
    None when the line is not two dates."""
    if not RE_VALIDITY.fullmatch(v.text):
        return None
    return _rows(v)


def _rows(v: Line) -> np.ndarray | None:
    """digit_rows for any line: a row a digit, in order."""
    if len(v.alternatives) != len(v.text):
        return None
    out = []
    for ch, p, alts in zip(v.text, v.char_probs, v.alternatives):
        if not ch.isdigit():
            continue
        row = np.full(10, np.log(1e-4))
        for a, pa in alts:
            if a.isdigit():
                row[int(a)] = max(row[int(a)], np.log(max(pa, 1e-4)))
        row[int(ch)] = max(row[int(ch)], np.log(max(p, 1e-4)))
        if p >= CONFIDENT:
            row[np.arange(10) != int(ch)] = -np.inf
        out.append(row)
    return np.array(out)


def joint_permanent(v: Line, today: dt.date | None = None) -> tuple[str, str] | None:
    """A permanent (长期) card's start of validity read as a real date between the second
    generation card's first issue and today, chosen by digit_rows (a digit read with
    confidence stays as read). None when the line is not a date and 长期."""
    if not RE_PERMANENT.fullmatch(v.text):
        return None
    rows = _rows(v)
    if rows is None:
        return None
    days, digits = _permanent_starts(today or dt.date.today())
    best = _likeliest(rows, digits)
    return None if best is None else (str(days[best]), "长期")


@functools.lru_cache(maxsize=2)
def _permanent_starts(today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Every day a card can have been issued on by `today` (datetime64[D]), with its 8 digits."""
    days = np.arange(np.datetime64(FIRST_SECOND_GENERATION), np.datetime64(today) + 1, dtype="datetime64[D]")
    return days, _digits(days)


def joint_temporary(v: Line, today: dt.date | None = None) -> tuple[str, str] | None:
    """A temporary card's two dates read as one: valid_to is three calendar months after
    valid_from (or a day less), valid_from between the 2005 card's first issue and today.
    The best-scoring pair under digit_rows, or None."""
    rows = digit_rows(v)
    if rows is None:
        return None
    pairs, digits = _temporary_periods(today or dt.date.today())
    best = _likeliest(rows, digits)
    if best is None:
        return None
    a, e = pairs[best]
    return str(a), str(e)


def _likeliest(rows: np.ndarray, digits: np.ndarray) -> int | None:
    """The candidate (a row of `digits`, one digit per row of `rows`) whose digits the
    recogniser gave the most log-probability, or None when every candidate needs a digit
    that a confidently read one rules out."""
    scores = rows[np.arange(digits.shape[1])[None, :], digits].sum(axis=1)
    best = int(np.argmax(scores))
    return best if np.isfinite(scores[best]) else None


@functools.lru_cache(maxsize=2)
def _temporary_periods(today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Every period a temporary card issued by `today` can print (start, end as datetime64[D])
    and its 16 digits: numpy throughout, ~15,000 periods in a few milliseconds."""
    start = np.arange(np.datetime64(FIRST_TEMPORARY), np.datetime64(today) + 1, dtype="datetime64[D]")
    months = start.astype("datetime64[M]")
    day = (start - months).astype(np.int64)  # 0-based
    due_month = months + 3
    last = ((due_month + 1).astype("datetime64[D]") - due_month.astype("datetime64[D]")).astype(np.int64)
    due = due_month.astype("datetime64[D]") + np.minimum(day, last - 1)
    starts = np.concatenate([start, start])
    ends = np.concatenate([due, due - 1])
    return np.stack([starts, ends], axis=1), np.concatenate([_digits(starts), _digits(ends)], axis=1)


def _digits(days: np.ndarray) -> np.ndarray:
    """YYYYMMDD of each date as 8 digit columns."""
    years = days.astype("datetime64[Y]")
    months = days.astype("datetime64[M]")
    y = years.astype(np.int64) + 1970
    m = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    d = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    value = y * 10000 + m * 100 + d
    return np.stack([value // 10 ** k % 10 for k in range(7, -1, -1)], axis=1)


def joint_validity(v: Line) -> tuple[str, str] | None:
    """The two dates of a fixed-term card read as one: valid_to repeats valid_from's month
    and day 5, 10 or 20 years later, and valid_from is not in the future. Each digit scores
    what the recogniser gave it (its top alternatives); digits read at or above CONFIDENT
    stay as read. Returns the best-scoring pair, or None when the line is not two dates."""
    rows = digit_rows(v)
    if rows is None:
        return None

    years, days = _fixed_term_tables(dt.date.today().year)
    # a candidate's score is the sum of its digits' rows, added left to right as the digits
    # are printed; among equal scores the latest year (span) and the latest day win
    year_scores = _digit_sum(rows, 0, years[:, 2:6]) + _digit_sum(rows, 8, years[:, 6:10])
    day_scores = (_digit_sum(rows, 4, days[:, 2:4]) + _digit_sum(rows, 6, days[:, 4:6])
                  + _digit_sum(rows, 12, days[:, 2:4]) + _digit_sum(rows, 14, days[:, 4:6]))
    best_year = _last_best(year_scores)
    best_day = _last_best(day_scores)
    if not np.isfinite(year_scores[best_year] + day_scores[best_day]):
        return None
    y, k = (int(x) for x in years[best_year, :2])
    m, d = (int(x) for x in days[best_day, :2])
    if (m, d) == (2, 29) and not (leap(y) and leap(y + k)):
        return None
    return f"{y:04d}-{m:02d}-{d:02d}", f"{y + k:04d}-{m:02d}-{d:02d}"


@functools.lru_cache(maxsize=2)
def _fixed_term_tables(last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (year, span) a fixed-term card issued by `last_year` can print, with the digits
    of the year and of the year it ends (columns y, k, 4 + 4 digits); and every printable
    (month, day), with their digits (m, d, 2 + 2 digits). In ascending order."""
    pairs = [(y, k) for y in range(1990, last_year + 1) for k in VALIDITY_SPANS]
    years = np.array([(y, k, *map(int, f"{y:04d}{y + k:04d}")) for y, k in pairs], np.int64)
    days = []
    for m in range(1, 13):
        for d in range(1, 32):
            try:
                dt.date(2000, m, d)  # a leap year: 02-29 is a real printed day
            except ValueError:
                continue
            days.append((m, d, *map(int, f"{m:02d}{d:02d}")))
    return years, np.array(days, np.int64)


def _digit_sum(rows: np.ndarray, first: int, digits: np.ndarray) -> np.ndarray:
    """Per candidate, its digits' scores from row `first` on, summed left to right."""
    picked = rows[first + np.arange(digits.shape[1])[None, :], digits]
    total = picked[:, 0].copy()
    for i in range(1, digits.shape[1]):
        total += picked[:, i]
    return total


def _last_best(scores: np.ndarray) -> int:
    """The index of the highest score, the last one among equals."""
    return int(np.flatnonzero(scores == scores.max())[-1])


def leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def parse_validity(text: str) -> tuple[str, str]:
    t = text.replace(" ", "")
    m = re.search(r"(\d{4})\.?(\d{2})\.?(\d{2})-?(?:(\d{4})\.?(\d{2})\.?(\d{2})|(长期))?", t)
    if not m:
        return "", ""
    start = f"{m[1]}-{m[2]}-{m[3]}"
    if m[7] or "长" in t or "期" in t[-3:]:
        return start, "长期"
    end = f"{m[4]}-{m[5]}-{m[6]}" if m[4] else ""
    return start, end


# the two shapes the period is printed in, a slot a character (ocr.shaped)
_DATE = ["0123456789"] * 4 + ["."] + ["0123456789"] * 2 + ["."] + ["0123456789"] * 2
SHAPES = (_DATE + ["-"] + _DATE, _DATE + ["-", "长", "期"])


def shaped_validity(v: Line, charset: list[str]) -> Line | None:
    """A validity line whose free decode broke the printed shape (a dash lost in a gap, one
    digit read as two, 长期 read as a digit), decoded again as the best path of either shape
    (ocr.shaped). None when the line holds its shape already, or when the shaped path drops a
    character the free decode read with confidence: the recogniser's own characters, in order,
    only re-spaced."""
    if v.probs is None or RE_VALIDITY.fullmatch(v.text) or RE_PERMANENT.fullmatch(v.text):
        return None
    decoded = [d for d in (shaped_decode(v.probs, charset, list(s)) for s in SHAPES) if d is not None]
    if not decoded:
        return None
    line = max(decoded, key=lambda d: d[1])[0]
    sure = iter(ch for ch, p in zip(v.text, v.char_probs) if p >= CONFIDENT)
    rest = iter(line.text)
    if not all(any(ch == c for c in rest) for ch in sure):  # a subsequence of the shaped text
        return None
    # a repair of the shape, not a new reading: a line read mostly wrong (dev 1500496,
    # '280283620220606') would come back as two well-formed dates that pass every check
    if _repairs(v.text, line.text) > SHAPE_REPAIRS:
        return None
    return line


PERMANENT_GLYPHS = 4  # characters the recogniser may read 长期's two wide glyphs as


def _repairs(free: str, shaped: str) -> int:
    """The edits from the free reading to the shaped one; 长期 read as a few characters (digits:
    dev 1500490 photo '2007.08.09-460') counts as one repair, as a digit read as two does: the
    free reading's sure characters are in the shaped text already (shaped_validity), so these
    are unsure ones, and the start date must still be within the other repairs."""
    edits = edit_distance(free, shaped)
    if shaped.endswith("长期"):
        head = shaped[:-2]
        for k in range(max(0, len(free) - PERMANENT_GLYPHS), len(free) + 1):
            tail = free[k:]
            edits = min(edits, edit_distance(free[:k], head) + (tail != "长期"))
    return edits

