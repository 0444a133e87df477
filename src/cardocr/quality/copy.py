"""A photocopy of the card, black-and-white or colour, scanned or photographed (Huawei
detect_copy, Tencent CopyWarn 9102).

Evidence: lost colour, where the Mainland card always prints it. The light's colour is taken
out first (each channel scaled so the card's ground is grey), then:
- back: the national emblem (red and gold, top left) is grey or faded on a copy;
- front: the labels (blue, the left column) and the ground's pale colour washes are gone: a
  copier's toner and contrast flatten the washes into paper white.
Documents other than the Mainland ID card: not checked (None).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import inner, score

if TYPE_CHECKING:
    from . import Evidence

EMBLEM = (0.03, 0.40, 0.0, 0.25)  # back: card fractions y0, y1, x0, x1 (of the inner card)
LABELS = (0.0, 0.95, 0.0, 0.14)  # front: the label column
# Tune seeds (defects.TUNE_SEED.., 20 pairs) and the main bench's ordinary photos (100000..100139):
# back emblem chroma negatives 73-81, copies 1-47; front log(1 + label chroma) + wash spread
# negatives from 2.80 (one ordinary photo; the next 3.03), copies 0.78-2.99 (8 of 10 under 2.75).
# The front's margin is thin: a false alarm costs more than a missed colour copy.
BACK_THRESHOLD, BACK_SPREAD = 60.0, 4.0
FRONT_THRESHOLD, FRONT_SPREAD = 2.75, 0.1


def balanced(card: np.ndarray, size: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(Lab of the inner card with the light's colour taken out, mask of its ground): every
    channel scaled so the ground's median is neutral grey."""
    src = inner(card, 0.05)
    c = (cv2.resize(src, size, interpolation=cv2.INTER_AREA) if size else
         cv2.resize(src, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    if size:
        c = cv2.medianBlur(c, 3)
    c = c.astype(np.float32)
    gray = c.mean(axis=2)
    ground = gray >= np.percentile(gray, 50 if size else 60)
    white = np.median(c[ground], axis=0)
    c = np.clip(c * (230.0 / np.maximum(white, 1.0)), 0, 255).astype(np.uint8)
    return cv2.cvtColor(c, cv2.COLOR_BGR2LAB).astype(np.float32), ground


def _chroma(lab: np.ndarray) -> np.ndarray:
    return np.hypot(lab[..., 1] - 128.0, lab[..., 2] - 128.0)


def _cut(a: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    h, w = a.shape[:2]
    return a[int(box[0] * h):int(box[1] * h), int(box[2] * w):int(box[3] * w)]


def emblem_colour(card: np.ndarray) -> float:
    """The 90th percentile of chroma over the emblem's corner of the back."""
    lab, _ = balanced(card)
    return float(np.percentile(_cut(_chroma(lab), EMBLEM), 90))


def label_colour(card: np.ndarray) -> float:
    """The 75th percentile of chroma over the print in the front's label column."""
    lab, _ = balanced(card)
    ink = _cut(lab[..., 0] < np.median(lab[..., 0]) - 25, LABELS)
    if int(ink.sum()) < 30:
        return 0.0
    return float(np.percentile(_cut(_chroma(lab), LABELS)[ink], 75))


def wash_spread(card: np.ndarray) -> float:
    """Mean colour distance of the ground (at 1/8 size, print filtered out) from its median:
    the pale washes printed under the card's text."""
    lab, ground = balanced(card, (card.shape[1] // 8, card.shape[0] // 8))
    a, b = lab[..., 1][ground], lab[..., 2][ground]
    return float(np.hypot(a - np.median(a), b - np.median(b)).mean())


def detect(ev: Evidence) -> Signal | None:
    if ev.reading.document != "id-card":
        return None
    card = ev.card.image
    if ev.reading.side == "back":
        s = score(-emblem_colour(card), -BACK_THRESHOLD, BACK_SPREAD)
    else:
        s = score(-(math.log1p(label_colour(card)) + wash_spread(card)), -FRONT_THRESHOLD, FRONT_SPREAD)
    return Signal(round(s, 1), s >= 50.0)
