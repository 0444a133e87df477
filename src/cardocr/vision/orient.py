"""Straighten a located card and turn it upright (0° or 180°)."""

from __future__ import annotations

import numpy as np

from ..ocr.engine import OcrEngine
from ..types import CARD_W, Card
from .geometry import crop_quad
from .locate import CardQuad

DET_SIDE = 736  # detector input for the 856-px card: keeps 20-px labels legible
# A vote this close to 0.5 is unsure: a blurred card's lines look much alike either way up to
# the small classifier, and a wrong turn loses every field of the card at once. The
# recogniser then reads the widest lines both ways up: upright text reads as many confident
# characters, text upside down as a few unsure ones.
UNSURE = 0.3
RECHECK_LINES = 3
# only lines this wide (of the card) are read again: a card's widest lines are its number and
# address (~0.4-0.6), where a photo without a card (wood, fabric, noise) gives short boxes
# whose vote is unsure too, and reading them would only slow the "no card" answer
RECHECK_MIN_W = 0.25


def straighten(image: np.ndarray, quad: CardQuad, engine: OcrEngine,
               det_side: int = DET_SIDE) -> tuple[Card, CardQuad, float]:
    """Warp the card, find its text, and decide whether it is upside down.

    The orientation classifier votes on the widest lines, weighted by width (an unsure vote
    is settled by reading them both ways up: _recognised_vote); the card is
    turned only when the vote says so, and the detector then runs again on the upright card:
    the PP-OCRv6 detector is not symmetric under a half turn (HK 711 scan turned a quarter,
    then a half by the vote: the name 廖晶麒 was one box upright, only 晶 upside down, as
    were other lines on dev cards that came upside down). `det_side`: the
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
        wide = [c for c, w in zip(crops, weights) if w >= RECHECK_MIN_W * CARD_W][:RECHECK_LINES]
        if abs(vote - 0.5) < UNSURE and wide:
            vote = _recognised_vote(wide, engine)
    if vote > 0.5:
        card_img = card_img[::-1, ::-1].copy()
        boxes = engine.detect(card_img, det_side)
        quad = quad.rotated_180()
    return Card(card_img, boxes), quad, vote


def _recognised_vote(crops: list[np.ndarray], engine: OcrEngine) -> float:
    """1.0 if the lines read better turned by a half turn, 0.0 if as they are, 0.5 on a tie:
    each way's evidence is the sum of its characters' probabilities over the lines."""
    turned = [c[::-1, ::-1].copy() for c in crops]
    lines = engine.recognize(crops + turned)
    as_is = sum(sum(ln.char_probs) for ln in lines[:len(crops)])
    half_turn = sum(sum(ln.char_probs) for ln in lines[len(crops):])
    if as_is == half_turn:
        return 0.5
    return 1.0 if half_turn > as_is else 0.0
