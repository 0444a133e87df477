"""An invalid or expired validity period, from the reading alone (no pixels).

The Mainland ID card's back prints `valid_from-valid_to`: a card is invalid when the period is
unreadable as dates, ends before it starts, is not 5, 10 or 20 years to the day (or 长期 from
the start; a temporary card's three months), or ended before today. Tencent's InvalidDateWarn
(9100) and Huawei's `valid_validity_period` both say this; Tencent also asks for expiry.
"""

from __future__ import annotations

import datetime as dt

from ..documents.cn_temporary import span_ok
from ..types import Reading, Signal

SPANS = (5, 10, 20)  # years a fixed-term card is valid for; 长期 otherwise


def invalid_date(reading: Reading, today: dt.date | None = None) -> Signal | None:
    """None for a card side that prints no validity period."""
    if "valid_from" not in reading.fields or "valid_to" not in reading.fields:
        return None
    start, end = reading.fields["valid_from"].value, reading.fields["valid_to"].value
    if not isinstance(start, str) or not isinstance(end, str) or not (start or end):
        return None  # nothing read: not checked
    today = today or dt.date.today()
    d_from = _date(start)
    if d_from is None:
        return Signal(100.0, True)
    if end == "长期":
        return Signal(0.0, False) if d_from <= today else Signal(100.0, True)
    d_to = _date(end)
    if d_to is None or d_to <= d_from or d_from > today:
        return Signal(100.0, True)
    if reading.meta.get("layout") == "temporary":  # a temporary card: three months
        if not span_ok(d_from, d_to):
            return Signal(100.0, True)
    elif (d_to.month, d_to.day) != (d_from.month, d_from.day) or d_to.year - d_from.year not in SPANS:
        return Signal(100.0, True)
    return Signal(100.0, True) if d_to < today else Signal(0.0, False)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None
