"""Shared pixel measurements for the detectors, on the straightened card (CARD_H x CARD_W)."""

from __future__ import annotations

import math

import cv2
import numpy as np


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def score(value: float, threshold: float, spread: float) -> float:
    """0-100, 50 at `threshold`, rising with `value` over about +-2 `spread`."""
    return 100.0 * logistic((value - threshold) / spread)


def card_width_in_photo(corners: np.ndarray) -> float:
    c = np.asarray(corners, np.float64)
    return float((np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2)


def inner(card: np.ndarray, margin: float = 0.03) -> np.ndarray:
    """The card without a margin along its edges (the rounded corners, the background a
    loose quad lets in)."""
    h, w = card.shape[:2]
    my, mx = int(margin * h), int(margin * w)
    return card[my:h - my, mx:w - mx]




def peakiness(channel: np.ndarray, period_min: float, period_max: float, size: int = 256) -> float:
    """How far the strongest periodic component with a period in [period_min, period_max]
    (pixels of `channel`) stands above the spectrum around it: log10 of the peak power over
    the median power of the same band, on a centre crop `size` square. A printed grid (a
    halftone screen, a screen's pixels) gives a sharp peak; print and photo noise do not."""
    h, w = channel.shape[:2]
    y0, x0 = max(0, (h - size) // 2), max(0, (w - size) // 2)
    crop = channel[y0:y0 + size, x0:x0 + size].astype(np.float32)
    crop = crop - float(crop.mean())
    win = np.outer(np.hanning(crop.shape[0]), np.hanning(crop.shape[1])).astype(np.float32)
    power = np.abs(np.fft.fftshift(np.fft.fft2(crop * win))) ** 2
    fy = np.fft.fftshift(np.fft.fftfreq(crop.shape[0]))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(crop.shape[1]))[None, :]
    radius = np.sqrt(fx * fx + fy * fy)
    band = (radius >= 1.0 / period_max) & (radius <= 1.0 / period_min)
    vals = power[band]
    if vals.size == 0:
        return 0.0
    return float(np.log10((vals.max() + 1e-6) / (np.median(vals) + 1e-6)))


def chroma(card: np.ndarray) -> np.ndarray:
    """Per-pixel distance (Lab a, b) from the card's median colour: colour with the light's
    cast taken out."""
    lab = cv2.cvtColor(card, cv2.COLOR_BGR2LAB).astype(np.float32)
    a = lab[..., 1] - float(np.median(lab[..., 1]))
    b = lab[..., 2] - float(np.median(lab[..., 2]))
    return np.sqrt(a * a + b * b)
