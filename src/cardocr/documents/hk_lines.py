"""The recognised lines of a straightened Hong Kong identity card, and how a role picks one.

hk_id_card.py decides which line holds which field; this module holds what it works on: a
line with its box (Seen), the recognition of the detector's boxes, the choice among lines
whose text fits a role (nearest the row the role prefers, then the most confident), the boxes
on a line's row, and whether ink stands before a line's first character (the symbols' stars).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, Card
from ..vision.geometry import crop_box
from .hk_fields import decode
from .seen import record as record_seen

_FOLD = str.maketrans({"，": ",", "（": "(", "）": ")", "－": "-", "＊": "*", "：": ":"})


@dataclass
class Seen:
    line: Line
    box: tuple[float, float, float, float]  # card pixels

    @property
    def text(self) -> str:
        """The raw reading with full-width punctuation folded, for telling roles apart."""
        return self.line.text.translate(_FOLD)

    @property
    def cy(self) -> float:
        return (self.box[1] + self.box[3]) / 2 / CARD_H

    @property
    def cx(self) -> float:
        return (self.box[0] + self.box[2]) / 2 / CARD_W

    @property
    def quad(self) -> np.ndarray:
        x0, y0, x1, y1 = self.box
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def ink_before_first_character(card: Card, seen: Seen) -> bool:
    """Whether ink stands left of the first character the recogniser read on a line: the
    symbols' stars are small and raised, and often read as nothing at all. Where the first
    character read starts is its first non-blank frame (the frames run across the crop);
    left of it, printed strokes about as dense as the rest of the line say something is
    there. Dark and light are told apart per crop (Otsu), so no ink level is fixed here."""
    probs = seen.line.probs
    if probs is None or len(probs) < 4:
        return False
    read = np.nonzero(probs.argmax(axis=1) != 0)[0]  # class 0: the CTC blank
    if not len(read):
        return False
    x0, y0, x1, y1 = seen.box
    h = y1 - y0
    pad = 0.12 * h  # as recognise cut it
    crop = cv2.cvtColor(crop_box(card.image, x0 - pad, y0 - pad, x1 + pad, y1 + pad), cv2.COLOR_BGR2GRAY)
    first = int(read[0] / len(probs) * crop.shape[1] - 0.35 * h)  # the character's left edge, roughly
    if first < pad + 0.3 * h:
        return False
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    left, rest = ink[:, int(pad):first], ink[:, first:]
    return bool(rest.size) and float(left.mean()) > 0.25 * float(rest.mean())


def recognise(card: Card, engine: OcrEngine, boxes: list[tuple[float, float, float, float]]) -> list[Seen]:
    crops = []
    for x0, y0, x1, y1 in boxes:
        pad = 0.12 * (y1 - y0)
        crops.append(crop_box(card.image, x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    # a card's lines run from one character to the whole card: batch only similar widths
    lines = engine.recognize(crops, similar_width=1.4) if crops else []
    for ln, b in zip(lines, boxes):
        record_seen(ln, b)  # evidence for cardocr.confidence
    return [Seen(ln, b) for ln, b in zip(lines, boxes)]


def pick(seen: list[Seen], fits, used: set[int] | None = None, prefer_y: float | None = None,
          max_y: float = 1.0, min_y: float = 0.0, role: str | None = None,
          charset: list[str] | None = None) -> Seen | None:
    """The line whose text fits a role; among several, the one nearest the preferred row,
    then the most confident. When no raw reading fits and a role is named, the lines are
    re-decoded under the role's alphabet and tried again (a '-' read as '=' in a date)."""
    pool = [s for s in seen if (used is None or id(s) not in used) and min_y <= s.cy <= max_y]
    cands = [s for s in pool if fits(s.text)]
    if not cands and role is not None and charset is not None:
        cands = [s for s in pool if fits(decode(s.line, charset, role).text)]
    if not cands:
        return None
    return min(cands, key=lambda s: (abs(s.cy - prefer_y) if prefer_y is not None else 0.0, -s.line.score))


def row_mates(seen: list[Seen], anchor: Seen, used: set[int]) -> list[Seen]:
    """Unused boxes on the same text row, right of the anchor."""
    h = anchor.box[3] - anchor.box[1]
    return sorted((s for s in seen if id(s) not in used and s is not anchor
                   and abs(s.cy - anchor.cy) * CARD_H < 0.5 * h and s.cx > anchor.cx + 0.02),
                  key=lambda s: s.box[0])
