"""The temporary resident identity card's (临时居民身份证) data side: where cn_id_card reads it.

The temporary card (MPS, 《临时居民身份证管理办法》 2005) prints all nine items on one side: the
permanent front's six fields and photograph, and under them 签发机关 and 有效期限, which the
permanent card prints on its back. Its other side carries only the title (中华人民共和国 /
临时居民身份证) and a Great Wall: nothing to read. So the data side is the permanent front's
columns (labels in a left column, values from ~0.18, the number from ~0.36) with two more
labelled rows under the number, and this is the landmark that tells it: the permanent front's
label column holds one label below ~0.62 of the card (公民身份号码), the temporary card's three
(公民身份号码, 签发机关, 有效期限), and two rows of values start under its number where the
permanent front has none. Told by where the boxes stand, without reading them (landmarks.py
says why), so a permanent card pays nothing for it.

Rows and zones are fractions of the card, from tools/cardgen/interim.py's drawing (no published
drawing gives the data side's positions); the label column moves them onto each card, the
upper block (name..address) and the lower block (number, authority, validity) each on its own.
"""

from __future__ import annotations

import datetime as dt

from ..types import Card
from .base import box_spans
from .landmarks import Zone, column_labels, fit_rows, values_right_of

LABEL_MAX_X0 = 0.13  # the label column, as on the permanent front
LOWER_Y = 0.62  # the permanent front has one label below this, the temporary card three
LOWER_LABELS = 2  # label-column boxes below LOWER_Y that make a card the temporary one
# the value column (a box starting here holds a value, not a label; the permanent number starts
# right of it) and the band under the temporary card's number: its authority and validity rows.
# The permanent front's third address line reaches ~0.79 only under the bench's largest layout
# moves: one row at most.
VALUE_X0 = (0.13, 0.30)
VALUES_Y = 0.76
ROW_GAP = 0.04  # boxes whose centres are closer than this are one row
# the number's line (both cards print it from ~0.36 to ~0.85): where it starts, how far right
# and how low it reaches at least, how wide it is at least
NUMBER_X0 = (0.30, 0.45)
NUMBER_MIN_X1, NUMBER_MIN_Y, NUMBER_MIN_W = 0.7, 0.5, 0.25
# the permanent back's title (cn_id_card.Layout.BACK_TITLE_*): where the data side has its photo
TITLE_MAX_Y, TITLE_MIN_W = 0.45, 0.25
UPPER = ("name", "sex", "birth", "address")
LOWER = ("number", "authority", "validity")
LABEL_ROWS = {"name": 0.12, "sex": 0.225, "birth": 0.33, "address": 0.435,
              "number": 0.70, "authority": 0.80, "validity": 0.90}
ZONES: dict[str, Zone] = {  # (x0, x1, y0, y1)
    "name": (0.155, 0.62, 0.065, 0.175),
    "sex": (0.155, 0.29, 0.175, 0.278),
    "ethnicity": (0.385, 0.62, 0.175, 0.278),
    "birth": (0.155, 0.62, 0.278, 0.383),
    "address": (0.155, 0.63, 0.383, 0.645),
    "number": (0.33, 0.99, 0.645, 0.755),
    # the four-character labels end by ~0.18, their values start after ~0.20
    "authority": (0.195, 0.99, 0.755, 0.85),
    "validity": (0.195, 0.99, 0.85, 0.975),
}
ROWS = {"name": (0.08, 0.16), "sex": (0.19, 0.26), "ethnicity": (0.19, 0.26), "birth": (0.29, 0.37),
        "number": (0.66, 0.74), "authority": (0.765, 0.835), "validity": (0.865, 0.935)}
UPPER_ZONES = ("name", "sex", "ethnicity", "birth", "address")
LABEL_ALONE_W = {"upper": 0.13, "lower": 0.2}  # a label box narrower than this holds no value
VALID_MONTHS = 3  # the card is valid for three months from its day of issue


def number_row(card: Card) -> float | None:
    """Centre row of the number's line: the topmost long box that starts where the number does
    (right of the value column) and runs into the portrait's columns, which no other front
    line reaches (the temporary card's validity value starts left of it). None: not found."""
    rows = [s.cy for s in box_spans(card) if NUMBER_X0[0] <= s.x0 <= NUMBER_X0[1] and s.x1 > NUMBER_MIN_X1
            and s.width >= NUMBER_MIN_W and s.cy > NUMBER_MIN_Y]
    return min(rows) if rows else None


def rows_under_number(card: Card) -> tuple[int, int]:
    """(label-column boxes from the number's row down, rows of values starting in the value
    column under the number's row). The permanent front: one label (公民身份号码) and no value
    row (its number starts at ~0.36, right of the value column); the temporary card: three
    labels, and the authority's and the validity's values from ~0.2. Counted from the number's
    line where it is found: another printer's permanent front moved down and spread puts its
    住址 label below LOWER_Y, never below its number. The labels are printed pale and a small or
    blurred photo loses them first, the values are printed black: either count tells."""
    spans = [s for s in box_spans(card) if s.height > 0.02 and s.cy < 0.98]
    number = number_row(card)
    labels_y = LOWER_Y if number is None else number - ROW_GAP
    values_y = VALUES_Y if number is None else number + ROW_GAP
    labels = sum(1 for s in spans if s.x0 < LABEL_MAX_X0 and s.cy > labels_y)
    back_title = any(s.cy < TITLE_MAX_Y and (s.x0 + s.x1) / 2 > 0.5 and s.width > TITLE_MIN_W for s in spans)
    if back_title or sum(1 for s in spans if s.x0 < LABEL_MAX_X0 and s.cy <= labels_y) < 2:
        return labels, 0  # not a front: the permanent back's labels stand in the value column
    rows: list[float] = []
    for s in sorted((s for s in spans if VALUE_X0[0] <= s.x0 < VALUE_X0[1] and s.cy > values_y), key=lambda s: s.cy):
        if not rows or s.cy - rows[-1] > ROW_GAP:
            rows.append(s.cy)
    return labels, len(rows)


def is_temporary(card: Card) -> bool:
    """The data side of a temporary card: labels or values under the number's row."""
    labels, values = rows_under_number(card)
    return labels >= LOWER_LABELS or values >= 2


def zones(card: Card) -> tuple[dict[str, Zone], dict[str, tuple[float, float]]]:
    """The data side's zones and fallback rows on this card: each block moved onto its labels
    where they are found (landmarks.RowFit), else left where the template has it."""
    upper = column_labels(card, UPPER, LABEL_MAX_X0, 0.0, LOWER_Y, LABEL_ALONE_W["upper"], LABEL_ROWS)
    lower = column_labels(card, LOWER, LABEL_MAX_X0, LOWER_Y, 0.98, LABEL_ALONE_W["lower"], LABEL_ROWS)
    out = dict(ZONES)
    rows = dict(ROWS)
    for labels, keys in ((upper, UPPER_ZONES), (lower, LOWER)):
        fit = fit_rows(labels, LABEL_ROWS)
        if fit is not None:
            out.update(fit.zones({k: ZONES[k] for k in keys}))
            rows.update(fit.rows({k: ROWS[k] for k in keys if k in ROWS}))
    # the number's label box sits left of its value, which has a prior edge of its own
    values_right_of(out, {k: v for k, v in {**upper, **lower}.items() if k != "number"}, 0.005)
    x0, x1, y0, y1 = out["address"]
    out["address"] = (x0, x1, y0, min(y1, out["number"][2]))
    return out, rows


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day.

    >>> add_months(dt.date(2025, 11, 30), 3)
    datetime.date(2026, 2, 28)
    """
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    day = d.day
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def span_ok(start: dt.date, end: dt.date) -> bool:
    """Three calendar months, as the card prints them (a day less is accepted too: 'three months
    from the day of issue' is printed both ways)."""
    due = add_months(start, VALID_MONTHS)
    return end in (due, due - dt.timedelta(days=1))
