"""A temporary resident identity card (临时居民身份证) instead of the permanent one (Huawei
detect_interim, Tencent TempIdWarn 9104).

Evidence a person can point at, on the side that carries the fields (the temporary card's
other side has only its title: nothing is read there, so nothing is flagged either):
- rows under the number: the temporary card prints 签发机关 and 有效期限 (labels in the label
  column, values from ~0.18) under 公民身份号码, on the photograph's side; the permanent front
  prints nothing under its number and its back's labels stand right of the emblem
  (documents/cn_temporary.py);
- the validity period printed there runs three months (the permanent card's 5, 10 or 20
  years, or 长期), read by the id-card reader (Reading.meta validity_days: the length only).
Score: 25 for each printed row under the number's row beyond what the permanent front has
there (at most two), and 50 for a printed period of 85-95 days. Tune range
(defects.TUNE_SEED.., 40 pairs of the same person and scene, and the main bench's ordinary
photos 100000..): see bench/RESULTS.md; the decision is at 50, which one of the two kinds of
evidence alone does not reach unless the labels are all there.
Documents other than the Mainland ID card: not checked (None).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..documents import cn_temporary
from ..types import Signal

if TYPE_CHECKING:
    from . import Evidence

THRESHOLD = 50.0
PER_ROW = 25.0  # each extra row under the number (two: 签发机关 and 有效期限)
SPAN_POINTS = 50.0  # a printed validity of three months
SPAN_DAYS = (85, 95)  # three calendar months, with room for a month's length


def rows_under_number(ev: Evidence) -> int:
    """Printed rows under the number's row beyond what the permanent front has there: labels
    in the label column beyond its one, or rows of values (documents/cn_temporary.py); at most
    the temporary card's two."""
    labels, values = cn_temporary.rows_under_number(ev.card)
    return max(0, min(2, max(labels - 1, values)))


def three_months(ev: Evidence) -> bool:
    days = ev.reading.meta.get("validity_days", "")
    return days.isdigit() and SPAN_DAYS[0] <= int(days) <= SPAN_DAYS[1]


def detect(ev: Evidence) -> Signal | None:
    if ev.reading.document != "id-card":
        return None
    s = PER_ROW * rows_under_number(ev) + (SPAN_POINTS if three_months(ev) else 0.0)
    return Signal(round(s, 1), s >= THRESHOLD)
