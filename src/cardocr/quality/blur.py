"""Defocus, motion or smoothing too strong to trust (Huawei detect_blur; Tencent Quality =
100 - score).

Evidence: how little of the card's detail survives blurring it once more (Crete et al., "The
blur effect", 2007). Sharp print loses most of its pixel-to-pixel variation under a 9-pixel
box blur; a card already blurred loses little. Measured along the rows, the columns and both
diagonals of the straightened card (a motion blur smears one direction only) and the largest
taken: 0 sharp, 1 nothing left to blur. A card that is small in the photo is measured at the
size it has there (the straightened card is that many pixels stretched): stretching would make
a sharp small card look blurred.

Most cards blurred this much cannot be read at all: pipeline.read then measures the card its
search found (`detect_card`) and answers errors.ImageBlurred, the verdict without a reading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import card_width_in_photo, inner, score

if TYPE_CHECKING:
    from . import Evidence

TAPS = 9
# At the card's size in the photo. Tune seeds: negatives up to 0.31, the main bench's ordinary
# photos (100000..100139) up to 0.44, the positives read 0.40-0.74 (most too blurred to be read).
THRESHOLD = 0.47
SPREAD = 0.03


def _line(direction: int) -> np.ndarray:
    k = np.zeros((TAPS, TAPS), np.float32)
    c = TAPS // 2
    if direction == 0:
        k[c, :] = 1
    elif direction == 1:
        k[:, c] = 1
    elif direction == 2:
        np.fill_diagonal(k, 1)
    else:
        np.fill_diagonal(np.fliplr(k), 1)
    return k / k.sum()


def _diff(img: np.ndarray, direction: int) -> np.ndarray:
    if direction == 0:
        return np.abs(img[:, 1:] - img[:, :-1])
    if direction == 1:
        return np.abs(img[1:] - img[:-1])
    if direction == 2:
        return np.abs(img[1:, 1:] - img[:-1, :-1])
    return np.abs(img[1:, :-1] - img[:-1, 1:])


def blurriness(card: np.ndarray, width_in_photo: float | None = None) -> float:
    if width_in_photo is not None and width_in_photo < card.shape[1]:
        f = max(width_in_photo, 64.0) / card.shape[1]
        card = cv2.resize(card, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(inner(card, 0.05), cv2.COLOR_BGR2GRAY).astype(np.float32)
    worst = 0.0
    for direction in range(4):
        again = cv2.filter2D(gray, -1, _line(direction))
        d0, d1 = _diff(gray, direction), _diff(again, direction)
        lost = float(np.maximum(0.0, d0 - d1).sum()) / max(float(d0.sum()), 1e-3)
        worst = max(worst, 1.0 - lost)
    return worst


def detect_card(card: np.ndarray, corners: np.ndarray) -> Signal:
    """The verdict on a straightened card whose corners in the photo are `corners`: what
    `detect` says of a card read, and what pipeline.read says of a card it could not read."""
    s = score(blurriness(card, card_width_in_photo(corners)), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)


def detect(ev: Evidence) -> Signal:
    return detect_card(ev.card.image, ev.corners)
