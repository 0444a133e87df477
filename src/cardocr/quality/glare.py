"""A specular highlight washing out part of the card (Huawei detect_glare).

Evidence: a solid patch of the straightened card where every channel is saturated and nothing
is printed: no text, no guilloche, no grain. An over-exposed card clips its pale background
too, but its print still shows through, so the patch is riddled with holes; an opening with a
disk wider than the gaps between print lines keeps only the solid part. The measurement is the
largest such patch, as a share of the card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import inner, score

if TYPE_CHECKING:
    from . import Evidence

WHITE = 246  # every channel at least this: saturated
FLAT = 3.0  # gray-level spread (3x3 max - min) of a washed-out pixel, at most
OPEN = 9  # opening disk (straightened-card pixels, at half size)
THRESHOLD = 0.012  # share of the card; tune seeds: positives from 0.034, negatives 0
SPREAD = 0.004


def washed_share(card: np.ndarray) -> float:
    small = cv2.resize(inner(card), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    lo = small.min(axis=2)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    k = np.ones((3, 3), np.uint8)
    spread = cv2.dilate(gray, k).astype(np.int16) - cv2.erode(gray, k).astype(np.int16)
    mask = ((lo >= WHITE) & (spread <= FLAT)).astype(np.uint8)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (OPEN, OPEN))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, disk)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return 0.0
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / mask.size


def detect(ev: Evidence) -> Signal:
    s = score(washed_share(ev.card.image), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
