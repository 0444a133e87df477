"""The card shown on a phone or monitor and photographed again (Huawei detect_reproduce,
Tencent ReshootWarn 9103).

Evidence: a screen's pixel grid. Its red, green and blue sub-pixels sit side by side, so the
colour of a photographed screen is modulated on a regular grid (or on the moiré the camera
folds it into): a sharp peak in the spectrum of the card's colour-difference channel (red minus
blue), which printed cards do not have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import inner, peakiness, score

if TYPE_CHECKING:
    from . import Evidence

THRESHOLD = 2.5  # placeholder until measured
SPREAD = 0.2


def grid(card: np.ndarray) -> float:
    c = inner(card, 0.05).astype(np.float32)
    diff = c[..., 2] - c[..., 0]
    gray = cv2.cvtColor(inner(card, 0.05), cv2.COLOR_BGR2GRAY)
    return max(peakiness(diff, 2.1, 40.0, 384), peakiness(gray, 2.1, 40.0, 384) - 0.5)


def detect(ev: Evidence) -> Signal:
    s = score(grid(ev.card.image), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
