"""The domain model: what a photo becomes on its way through cardocr, in no vendor's words.

    ReadRequest ──► pipeline.read ──► list[CardResult] ──► render.<vendor> ──► wire answer
                          │
              Card ──► DocumentType.read ──► Reading

Nothing here knows a wire format: field and check names are the documents' own (see each
document module), and `render/` maps them to a vendor's keys. This module imports nothing of
cardocr, so every layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

# The canonical straightened card, in pixels: an ID-1 card (85.6 x 54 mm) at 10 px/mm.
# Every document is warped to this size (a licence page is stretched a little).
CARD_W, CARD_H = 856, 540
ID1_ASPECT = CARD_W / CARD_H

# A character the recogniser read with at least this probability is never changed by a check
# (validation chooses among uncertain readings; specimen cards fail their checks on purpose
# and must come back as printed).
CONFIDENT = 0.9

BOTH_SIDES = "double_side"  # ReadRequest.side: find two cards, one of each side

# A field whose calibrated confidence is below this sends its card to review when its
# document's map has no measured default (cardocr.confidence.threshold; Settings.
# review_threshold overrides both per service)
REVIEW_THRESHOLD = 0.9


@dataclass
class Field:
    """One field as read: `value` is a string, or a bool where the document says so (the
    Hong Kong card's `permanent`); `quad` is 4x2 in straightened-card pixels."""

    value: str | bool
    confidence: float
    quad: np.ndarray | None = None
    # what the recognised lines say about the value, as plain numbers and never the value
    # (cardocr.confidence.lines fills it after the reading; the calibration map reads it)
    evidence: dict[str, float] = field(default_factory=dict, repr=False, compare=False)


@dataclass
class Card:
    """A straightened card (CARD_H x CARD_W BGR) and the text boxes the detector found on it."""

    image: np.ndarray
    boxes: list[np.ndarray]  # 4x2 quads, card pixels
    # what a document module works out once per card (classify_side, then read): it lives
    # and dies with the card, so no image outlives its request in a module-level cache
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def boxes_in(self, x0: float, x1: float, y0: float, y1: float) -> list[tuple[float, float, float, float]]:
        """Axis-aligned boxes whose centre row lies in [y0, y1] and that reach into [x0, x1],
        clipped to the zone's x range. Fractions of the card size in, pixels out."""
        out = []
        for q in self.boxes:
            bx0, by0 = q.min(axis=0)
            bx1, by1 = q.max(axis=0)
            cy = (by0 + by1) / 2 / CARD_H
            if not (y0 <= cy <= y1):
                continue
            cx0, cx1 = max(bx0, x0 * CARD_W), min(bx1, x1 * CARD_W)
            if cx1 - cx0 < 0.012 * CARD_W:
                continue
            out.append((float(cx0), float(by0), float(cx1), float(by1)))
        return out


@dataclass
class Reading:
    """What a document module read on one straightened card."""

    document: str  # the registry name, e.g. "id-card"
    side: str
    fields: dict[str, Field]
    checks: dict[str, bool] = field(default_factory=dict)  # check name -> passed
    corrections: list[tuple[str, str]] = field(default_factory=list)  # (field, why) — never values
    meta: dict[str, str] = field(default_factory=dict)  # e.g. the card's generation; no personal data


@dataclass(frozen=True)
class ReadRequest:
    """What to read. `side`: one of the document's sides (read it as that), BOTH_SIDES (find
    one card of each side), or None (find one card, tell its side). `optional`: names of the
    document's optional fields to read (costly ones are read only when asked for). `signals`:
    the capture-quality and fraud signals to compute (cardocr.quality.DETECTORS); none costs
    anything unless asked for. `review_threshold`: the calibrated confidence below which a
    field sends its card to review (None: the document's default, measured with its
    calibration map; cardocr.confidence.threshold)."""

    side: str | None = None
    optional: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    review_threshold: float | None = None

    @property
    def cards_wanted(self) -> int:
        return 2 if self.side == BOTH_SIDES else 1


@dataclass
class Signal:
    """A per-card quality or fraud signal: a score 0-100 (higher = more likely) and the
    decision at the detector's default threshold. A signal that was not computed is absent
    from CardResult.signals: "not checked", never "no problem"."""

    score: float
    decision: bool


@dataclass
class CardResult:
    """One card found in a photo: the document's reading, where the card lies in the photo,
    the straightened card image and its portrait (crops are cut by the renderer, on demand)."""

    reading: Reading
    card_image: np.ndarray  # CARD_H x CARD_W BGR, upright
    to_photo: np.ndarray  # 3x3 homography, straightened-card pixels -> photo pixels
    portrait: np.ndarray | None = None  # 4x2, card pixels; None when the side has none
    signals: dict[str, Signal] = field(default_factory=dict)
    found_by: str = ""  # how the card was found: the quad's method (quick search, "whole", slow search)
    # filled in by cardocr.confidence.assess after the reading: field -> calibrated probability
    # that the value is exactly right, and the needs-review verdict's reasons (empty: none)
    calibrated: dict[str, float] = field(default_factory=dict)
    review: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    @property
    def document(self) -> str:
        return self.reading.document

    @property
    def side(self) -> str:
        return self.reading.side

    @property
    def fields(self) -> dict[str, Field]:
        return self.reading.fields

    @property
    def checks(self) -> dict[str, bool]:
        return self.reading.checks

    def in_photo(self, pts: np.ndarray) -> np.ndarray:
        """Card pixels -> photo pixels (Nx2)."""
        src = np.asarray(pts, np.float32).reshape(-1, 1, 2)
        return cv2.perspectiveTransform(src, self.to_photo.astype(np.float64)).reshape(-1, 2)
