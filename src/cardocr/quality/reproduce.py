"""The card shown on a phone or monitor and photographed again (Huawei detect_reproduce,
Tencent ReshootWarn 9103).

Evidence: a screen's pixel grid. Its red, green and blue sub-pixels sit side by side, a third
of a pixel apart, so a photographed screen is striped in colour (directly, or folded by the
camera into a moiré) while its lightness stays nearly even: at the stripes' spatial frequencies
the energy is in the colour-difference channels, not in lightness. Print is the other way
round: its lines and guilloche are lightness first, with colour in step. The measurement is,
over the 20 strongest colour-difference frequencies (periods 2.1-40 pixels of the straightened
card), the colour share of their energy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..types import Signal
from .features import inner, score

if TYPE_CHECKING:
    from . import Evidence

SIZE = 384  # centre crop of the straightened card, pixels square
PEAKS = 20
# Tune seeds (defects.TUNE_SEED.., 24 pairs, straightened on the generator's corners) and the
# main bench's ordinary photos (100000.., 60): negatives up to 0.026, ordinary up to 0.036;
# screens 0.033-0.93, all but two above 0.04.
THRESHOLD = math.log10(0.045)
SPREAD = 0.08


def stripe_colour_share(card: np.ndarray) -> float:
    c = inner(card, 0.05).astype(np.float32)
    h, w = c.shape[:2]
    y0, x0 = max(0, (h - SIZE) // 2), max(0, (w - SIZE) // 2)
    c = c[y0:y0 + SIZE, x0:x0 + SIZE]
    win = np.outer(np.hanning(c.shape[0]), np.hanning(c.shape[1])).astype(np.float32)
    b, g, r = (np.fft.fft2((c[..., k] - c[..., k].mean()) * win) for k in range(3))
    luma = np.abs(r + g + b) ** 2 / 3
    chroma = np.abs(r - b) ** 2 / 2 + np.abs(r + b - 2 * g) ** 2 / 6
    fy = np.fft.fftfreq(c.shape[0])[:, None]
    fx = np.fft.fftfreq(c.shape[1])[None, :]
    radius = np.sqrt(fx * fx + fy * fy)
    band = (radius >= 1 / 40) & (radius <= 1 / 2.1)
    cb, lb = chroma[band], luma[band]
    top = np.argpartition(cb, -PEAKS)[-PEAKS:]  # the PEAKS largest (a full sort was most of the signal's time),
    top = top[np.argsort(cb[top])]  # in the order a sort gives them: the same sums to the last bit
    return float(cb[top].sum() / (lb[top].sum() + cb[top].sum() + 1e-6))


def detect(ev: Evidence) -> Signal:
    share = stripe_colour_share(ev.card.image)
    s = score(math.log10(max(share, 1e-6)), THRESHOLD, SPREAD)
    return Signal(round(s, 1), s >= 50.0)
