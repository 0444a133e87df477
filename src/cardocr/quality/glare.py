"""A specular highlight washing out part of the card (Huawei detect_glare).

Evidence: a solid patch of the straightened card where every channel is saturated and nothing
is printed: no text, no guilloche, no grain. An over-exposed card clips its pale background
too, but its print still shows through, so the patch is riddled with holes; an opening with a
disk wider than the gaps between print lines keeps only the solid part. And a highlight washes
out everything under it, while an over-exposed card's clipped ground still has its print inside
as holes: a patch whose holes are more than a tenth of its outline's area is ground, not glare.
The measurement is the largest washed patch without print left in it, as a share of the card.
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
SOLID = 0.9  # patch area over the area inside its outline, at least (print left: holes)
# Share of the card. Tune seeds: positives from 0.038, negatives up to 0.010; the main bench's
# ordinary photos (100000..) up to 0.030 (the camera's own faint glare), over-exposed ones 0.002.
THRESHOLD = 0.035
SPREAD = 0.002


def washed_share(card: np.ndarray) -> float:
    small = cv2.resize(inner(card), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    lo = small.min(axis=2)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    k = np.ones((3, 3), np.uint8)
    spread = cv2.dilate(gray, k).astype(np.int16) - cv2.erode(gray, k).astype(np.int16)
    mask = ((lo >= WHITE) & (spread <= FLAT)).astype(np.uint8)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (OPEN, OPEN))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, disk)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    best = 0
    for i in range(1, n):
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area <= best:
            continue
        x, y, w, h = (int(v) for v in stats[i, :4])
        comp = (labels[y:y + h, x:x + w] == i).astype(np.uint8)
        outline, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        inside = np.zeros_like(comp)
        cv2.drawContours(inside, outline, -1, 1, -1)
        if area >= SOLID * int(inside.sum()):
            best = area
    return best / mask.size


def detect(ev: Evidence) -> Signal:
    s = score(washed_share(ev.card.image), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
