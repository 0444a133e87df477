"""The driving licence's dates: as the page prints them (YYYY-MM-DD), the validity row in
both layouts (`A 至 B`, `A 至 长期`, or a start and `6年` / `10年` / `长期`), and a start of
validity read under the seal.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import numpy as np

from ..ocr.ctc import char_index, sequence_log_prob
from ..ocr.types import Line
from ..types import CONFIDENT, Reading
from .checks import add_years, fmt, parse_date

RENEWALS = (0, 6, 16)  # a validity starts at the first issue, then after 6 and 10 more years


def start_after_issue(v: Line, issue: str, charset: list[str], reading: Reading) -> Line:
    """A validity cannot start before the licence was first issued. A start read before it,
    with some of its digits read without confidence (the seal is often printed over them),
    is chosen among the dates it can be: the first issue's, or its anniversary at a renewal
    (6, then 10 more years), with the month and day as read or as first issued. The year
    read is impossible, so it is chosen whole; the month and day keep every digit read with
    confidence. The pixels choose among the candidates left. A year read with three digits
    (the seal took one: the reference mockup's 0098 read 098 by the PP-OCRv6 detector's box)
    is as impossible, and chosen the same way."""
    m = re.search(r"(?<!\d)(\d{3,4})-?(\d{2})-?(\d{2})", v.text)
    first = parse_date(issue)
    if not m or first is None or v.probs is None or min(v.char_probs[m.start():m.end()]) >= CONFIDENT:
        return v
    if (int(m[1]), int(m[2]), int(m[3])) >= (first.year, first.month, first.day):
        return v
    index = char_index(charset)
    short = 4 - len(m[1])  # the year's digits not read
    sure = [(i + short, c) for i, (c, p) in enumerate(zip(m[0], v.char_probs[m.start():m.end()]))
            if p >= CONFIDENT and i >= len(m[1])]
    sep = "-" if "-" in m[0] else ""
    days = {f"{m[2]}{sep}{m[3]}", f"{first.month:02d}{sep}{first.day:02d}"}
    words = []
    for k in RENEWALS:
        if first.year + k > dt.date.today().year:
            continue
        for day in sorted(days):
            date = f"{first.year + k}{sep}{day}"
            if len(date) == len(m[0]) + short and all(date[i] == c for i, c in sure):
                words.append(v.text[:m.start()] + date + v.text[m.end():])
    words = [w for w in words if all(c in index for c in w)]
    if not words:
        return v
    best = max(words, key=lambda w: sequence_log_prob(v.probs, [index[c] for c in w]))  # type: ignore[arg-type]
    reading.corrections.append(("valid_from", "starts at the first issue or a renewal"))
    date_conf = [CONFIDENT - 0.05] * short + [min(p, CONFIDENT - 0.05) for p in v.char_probs[m.start():m.end()]]
    return Line(best, v.char_probs[:m.start()] + date_conf + v.char_probs[m.end():], v.probs, v.quad)


DATE_FORM = re.compile(r"(?=(\d{4}-\d{2}-\d{2}))")
MAX_CHANGES = 3  # uncertain digits a calendar date may change


def calendar_date(line: Line, reading: Reading, key: str) -> str:
    """A printed date (YYYY-MM-DD) as the page holds it. Of the places in the line where such
    a date stands (a label's fragment read as a digit can stand before it: `12000-02-23`), the
    first that is a calendar date of a plausible year; when none is, the digits read without
    confidence are chosen among the recogniser's alternatives (up to MAX_CHANGES of them) to
    make one, the likeliest; a digit read with confidence is never changed. Else as read."""
    text = line.text
    starts = [m.start() for m in DATE_FORM.finditer(text)]
    for i in starts:
        if _plausible(text[i:i + 10]):
            return text[i:i + 10]
    if starts and len(line.alternatives) == len(text):
        best = _likeliest_date(line, starts[0])
        if best:
            reading.corrections.append((key, "a calendar date among the uncertain digits"))
            return best
    return parse_date_as_read(text)


def _plausible(date: str) -> bool:
    d = parse_date(date)
    return d is not None and 1900 <= d.year <= dt.date.today().year + 1


def _likeliest_date(line: Line, i: int) -> str:
    options: list[list[tuple[str, float]]] = []
    for ch, p, alts in zip(line.text[i:i + 10], line.char_probs[i:i + 10], line.alternatives[i:i + 10]):
        if ch == "-" or p >= CONFIDENT:
            options.append([(ch, 1.0)])
        else:
            options.append([(c, q) for c, q in alts if c.isdigit()] or [(ch, p)])
    best, best_p = "", 0.0
    for combo in itertools.product(*options):
        date = "".join(c for c, _ in combo)
        changes = sum(c != o for c, o in zip(date, line.text[i:i + 10]))
        p = float(np.prod([q for _, q in combo]))
        if changes <= MAX_CHANGES and p > best_p and _plausible(date):
            best, best_p = date, p
    return best


def parse_date_as_read(text: str) -> str:
    m = re.search(r"(\d{4})-?(\d{1,2})-?(\d{1,2})", text)
    if not m:
        return ""
    y, mo, d = m.groups()
    return f"{y}-{int(mo):02d}-{int(d):02d}"


def parse_validity(text: str) -> tuple[str, str]:
    t = text.replace(" ", "")
    dates = list(re.finditer(r"(\d{4})-?(\d{2})-?(\d{2})", t))
    if not dates:
        return "", ""
    m = dates[0]
    start = f"{m[1]}-{m[2]}-{m[3]}"
    rest = t[m.end():]
    if len(dates) >= 2:
        m2 = dates[1]
        return start, f"{m2[1]}-{m2[2]}-{m2[3]}"
    years = re.search(r"(\d{1,2})年", rest)
    if years:
        n = int(years[1])
        n = min((6, 10), key=lambda k: abs(k - n)) if n not in (6, 10) else n
        d = parse_date(start)
        return start, fmt(add_years(d, n)) if d else ""
    if "长" in rest or rest.endswith("期"):
        return start, "长期"
    return start, ""
