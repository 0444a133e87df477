"""A photocopy of the card, black-and-white or colour, scanned or photographed (Huawei
detect_copy, Tencent CopyWarn 9102).

Evidence: lost colour and a halftone screen. A card's print is coloured (blue labels, washes,
the red emblem, the portrait); a black-and-white copy has none, a colour copy little. And a
copier prints with dots on a regular screen, which shows as a sharp peak in the spectrum of
the card's lightness.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import chroma, inner, logistic, peakiness

if TYPE_CHECKING:
    from . import Evidence

# score = logistic(W_COLOUR * (colour - C0) + W_SCREEN * (screen - S0)); placeholders until measured
W_COLOUR, C0 = -0.5, 8.0
W_SCREEN, S0 = 2.0, 2.5
THRESHOLD = 50.0


def colour(card: np.ndarray) -> float:
    """The 98th percentile of chroma (the light's cast taken out), half-size card."""
    small = cv2.resize(inner(card, 0.05), None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return float(np.percentile(chroma(small), 98))


def screen(card: np.ndarray) -> float:
    gray = cv2.cvtColor(inner(card, 0.05), cv2.COLOR_BGR2GRAY)
    return peakiness(gray, 2.2, 8.0)


def detect(ev: Evidence) -> Signal:
    card = ev.card.image
    s = 100 * logistic(W_COLOUR * (colour(card) - C0) + W_SCREEN * (screen(card) - S0))
    return Signal(round(s, 1), s >= THRESHOLD)
