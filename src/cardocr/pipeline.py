"""intake → vision → OCR → document → wire format: the one entry point the API and CLI call.

`recognize` takes a decoded BGR image and returns the Huawei `result` object. Every error
from OpenCV, numpy or onnxruntime is translated into the cardocr error tree here, so the
layers above only ever see documented errors.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from .documents import REGISTRY
from .documents.base import Reading
from .errors import CardOcrError, InvalidParameter, NoCardFound, RecognitionFailed
from .ocr.engine import OcrEngine, get_engine
from .render import huawei
from .vision.locate import ID1_ASPECT, CardQuad, overlap, find_cards
from .vision.orient import DET_SIDE, straighten

log = logging.getLogger(__name__)

DEEP_TRIES = 4  # candidates of the slow search read before giving up
WHOLE_MIN_FILLED = 0.5  # the photo as the card: fewer fields read than this share is weak
MIN_TEXT_BOXES = 3  # fewer detected lines than this on a straightened card: not a card


@dataclass(frozen=True)
class RecognizeOptions:
    side: str | None = None  # "front" | "back" | "double_side" | None (detect)
    return_verification: bool = False
    return_text_location: bool = False
    return_portrait_location: bool = False
    return_portrait_image: bool = False
    return_adjusted_image: bool = False
    return_issuing_authority: bool = False

    def optional_fields(self, doc: ModuleType) -> frozenset[str]:
        """The document's OPTIONAL_FIELDS whose request flag is set: read and returned only then."""
        return frozenset(f for f, flag in getattr(doc, "OPTIONAL_FIELDS", {}).items() if getattr(self, flag, False))


@dataclass
class CardResult:
    reading: Reading
    quad: CardQuad
    card_image: np.ndarray


def recognize(doc_type: str, image: np.ndarray, options: RecognizeOptions,
              engine: OcrEngine | None = None) -> dict:
    """Read one decoded BGR image; return the Huawei `result` object, or raise CardOcrError."""
    doc = REGISTRY.get(doc_type)
    if doc is None:
        raise InvalidParameter("Unknown document type.")
    if options.side not in (None, "", "double_side", *doc.SIDES):
        raise InvalidParameter("The side parameter is invalid.")
    try:
        results = read_cards(doc, image, options, engine or get_engine())
    except CardOcrError:
        raise
    except Exception as exc:  # the boundary: OpenCV, numpy and onnxruntime errors end here
        log.warning("recognition failed: %s", type(exc).__name__)
        raise RecognitionFailed() from None
    return huawei.render(doc, results, options)


def read_cards(doc: ModuleType, image: np.ndarray, options: RecognizeOptions,
               engine: OcrEngine) -> list[CardResult]:
    wanted = 2 if options.side == "double_side" else 1
    aspect = getattr(doc, "ASPECT", ID1_ASPECT)
    found: list[CardResult] = []
    tried: list[CardQuad] = []
    weak: list[CardResult] = []
    # the quick search, the photo as the card, and only then the slow search: most photos
    # never pay for it
    _read_candidates(doc, image, options, engine, find_cards(image, max_cards=4, aspect=aspect)
                     + [_whole_image(image)], wanted, found, tried, weak)
    if len(found) < wanted:
        deep = [q for q in find_cards(image, max_cards=DEEP_TRIES, aspect=aspect, deep=True)
                if all(overlap(q.corners, t.corners, of_larger=True) < 0.85 for t in tried)]
        _read_candidates(doc, image, options, engine, deep, wanted, found, tried, weak)
    found += weak[:wanted - len(found)]
    if len(found) < wanted:
        raise NoCardFound()
    return found


def _filled(reading: Reading) -> float:
    """Share of the reading's fields that have a value."""
    return sum(1 for f in reading.fields.values() if f.value not in ("", None)) / max(1, len(reading.fields))


def _read_candidates(doc: ModuleType, image: np.ndarray, options: RecognizeOptions, engine: OcrEngine,
                     candidates: list[CardQuad], wanted: int, found: list[CardResult],
                     tried: list[CardQuad], weak: list[CardResult]) -> None:
    """Read candidates in order until `wanted` cards are found (appended to `found`). The whole
    photo read as a card with most fields empty is a poor answer: it goes to `weak`, to be
    returned only if the slow search finds nothing better."""
    asked = options.optional_fields(doc)
    for quad in candidates:
        if len(found) == wanted:
            return
        tried.append(quad)
        card, quad, _vote = straighten(image, quad, engine, getattr(doc, "DET_SIDE", DET_SIDE))
        if len(card.boxes) < MIN_TEXT_BOXES:
            continue
        if options.side in doc.SIDES:
            side = options.side
        else:
            side, _ = doc.classify_side(card)
        if wanted == 2 and any(r.reading.side == side for r in found):
            continue
        reading = doc.read(card, side, engine, asked)
        if not any(f.value for f in reading.fields.values()):
            continue
        if quad.method == "whole":
            (found if _filled(reading) >= WHOLE_MIN_FILLED else weak).append(CardResult(reading, quad, card.image))
            return
        found.append(CardResult(reading, quad, card.image))


def _whole_image(image: np.ndarray) -> CardQuad:
    """Last resort: the photo is the card (a tight crop has no background to find edges in)."""
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    if h > w:
        corners = np.roll(corners, -1, axis=0)
    return CardQuad(corners, 0.0, "whole")
