"""Something lying on the card: a finger, a note, a coin (Huawei detect_blocking_within_border,
Tencent 9105).

Evidence: a large solid patch of the straightened card whose colour is not the card's. The
card is pale print on a pale ground: with the thin dark print closed away (a grey-level
dilation wider than a stroke), what is left is the ground, lit unevenly (a plane fitted to its
lightness takes that out) — and whatever lies on it. Pixels far from the ground's colour and
lightness, outside the places where the document prints large pictures (the portrait, the
emblem), form patches; the measurement is the largest, as a share of the card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import Signal
from .features import score

if TYPE_CHECKING:
    from . import Evidence

SCALE = 4  # work at a quarter of the straightened card
# Large printed pictures, as card fractions (x0, x1, y0, y1), per document and side: print,
# not an occluder. The front's portrait comes from the document (DocumentType.portrait).
PICTURES = {("id-card", "back"): [(0.04, 0.27, 0.05, 0.40)]}
DEVIATION = 28.0  # Lab distance from the ground (lightness after the plane), at least
THRESHOLD = 0.008  # share of the card; tune seeds: negatives up to 0.0007, positives from 0.017 (a pale note: 0)
SPREAD = 0.003


def pictures(ev: Evidence) -> list[tuple[float, float, float, float]]:
    from ..documents import REGISTRY  # the documents know where their pictures are

    out = list(PICTURES.get((ev.reading.document, ev.reading.side), []))
    doc = REGISTRY.get(ev.reading.document)
    quad = doc.portrait(ev.reading) if doc is not None else None
    if quad is not None:
        h, w = ev.card.image.shape[:2]
        x0, y0 = quad.min(axis=0)
        x1, y1 = quad.max(axis=0)
        out.append((x0 / w - 0.02, x1 / w + 0.02, y0 / h - 0.02, y1 / h + 0.02))
    return out


def foreign_share(card: np.ndarray, pictures: list[tuple[float, float, float, float]]) -> float:
    h, w = card.shape[:2]
    small = cv2.resize(card, (w // SCALE, h // SCALE), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    closed = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    lab = cv2.cvtColor(closed, cv2.COLOR_BGR2LAB).astype(np.float32)
    lum, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    design = np.stack([np.ones(sh * sw, np.float32), xx.ravel() / sw, yy.ravel() / sh], axis=1)
    keep = np.ones(sh * sw, bool)
    for _ in range(3):  # a plane through the ground's lightness, occluders and pictures left out
        coef, *_ = np.linalg.lstsq(design[keep], lum.ravel()[keep], rcond=None)
        resid = lum.ravel() - design @ coef
        mad = float(np.median(np.abs(resid[keep]))) + 1.0
        keep = np.abs(resid) < 3 * mad
    dl = (lum.ravel() - design @ coef).reshape(sh, sw)
    da = a - float(np.median(a.ravel()[keep]))
    db = b - float(np.median(b.ravel()[keep]))
    dev = np.sqrt(dl * dl + da * da + db * db)
    mask = (dev > DEVIATION).astype(np.uint8)
    m = max(1, int(0.03 * sh))
    mask[:m] = mask[-m:] = 0
    mask[:, :m] = mask[:, -m:] = 0
    for x0, x1, y0, y1 in pictures:
        mask[max(0, int(y0 * sh)):int(np.ceil(y1 * sh)), max(0, int(x0 * sw)):int(np.ceil(x1 * sw))] = 0
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return 0.0
    return float(stats[1:, cv2.CC_STAT_AREA].max()) / mask.size


def detect(ev: Evidence) -> Signal:
    s = score(foreign_share(ev.card.image, pictures(ev)), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
