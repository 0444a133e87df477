"""The card cut by the frame (Huawei detect_border_integrity, Tencent BorderCheckWarn 9101 and
BorderCodeValue).

Evidence a person can point at: the card's corners, as the card search found them, lie outside
the photo or on its edge. The measurement is the signed distance of the nearest corner to the
frame, in card widths (negative: outside). A card found as the whole photo (a tight crop: no
background around it) has its edges on the frame by definition; that is measured as 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..types import Signal
from .features import card_width_in_photo, score

if TYPE_CHECKING:
    from . import Evidence

# Chosen on tools/cardgen/defects.py seeds TUNE_SEED.. (border pairs) and the main bench's
# ordinary photos (seeds 100000..); reported on HELDOUT_SEED.. and 500000.. (bench/run.py --signals).
THRESHOLD = 0.005  # nearest corner closer to the frame than this share of the card's width
SPREAD = 0.002


def margin(ev: Evidence) -> float:
    """Signed distance of the nearest corner to the frame, in card widths."""
    h, w = ev.photo.shape[:2]
    if ev.found_by == "whole":
        return 0.0
    c = np.asarray(ev.corners, np.float64)
    d = min(c[:, 0].min(), c[:, 1].min(), w - c[:, 0].max(), h - c[:, 1].max())
    return float(d) / max(card_width_in_photo(c), 1.0)


def detect(ev: Evidence) -> Signal:
    s = score(-margin(ev), -THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
