"""Straighten a located card and turn it upright (0° or 180°)."""

from __future__ import annotations

import numpy as np

from ..ocr.engine import OcrEngine
from ..types import CARD_H, CARD_W, Card
from .geometry import crop_quad
from .locate import CardQuad

DET_SIDE = 736  # detector input for the 856-px card: keeps 20-px labels legible


def straighten(image: np.ndarray, quad: CardQuad, engine: OcrEngine,
               det_side: int = DET_SIDE) -> tuple[Card, CardQuad, float]:
    """Warp the card, find its text, and decide whether it is upside down.

    The orientation classifier votes on the widest lines, weighted by width; the card is
    turned only when the vote says so, and the detector's boxes are turned with it (the
    detector is symmetric under a half turn, so it need not run again). `det_side`: the
    detector's input size for the card (a document may ask for its own, measured on its
    pages: see DocumentType.det_side).
    Returns the upright card, the quad in the card's reading order, and the vote.
    """
    card_img = quad.warp(image)
    boxes = engine.detect(card_img, det_side)
    widest = sorted(boxes, key=lambda q: -(q[:, 0].max() - q[:, 0].min()))[:6]
    vote = 0.0
    if widest:
        crops = [crop_quad(card_img, q) for q in widest]
        probs = engine.upside_down(crops)
        weights = np.array([q[:, 0].max() - q[:, 0].min() for q in widest])
        vote = float(np.dot(probs, weights) / weights.sum())
    if vote > 0.5:
        card_img = card_img[::-1, ::-1].copy()
        boxes = [np.array([CARD_W, CARD_H], np.float32) - q for q in boxes]
        boxes = [np.roll(q, 2, axis=0) for q in boxes]
        quad = quad.rotated_180()
    return Card(card_img, boxes), quad, vote
