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
from .vision.locate import ID1_ASPECT, CardQuad, find_cards
from .vision.orient import straighten

log = logging.getLogger(__name__)

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
    candidates = find_cards(image, max_cards=4, aspect=getattr(doc, "ASPECT", ID1_ASPECT)) + [_whole_image(image)]
    found: list[CardResult] = []
    for quad in candidates:
        card, quad, _vote = straighten(image, quad, engine)
        if len(card.boxes) < MIN_TEXT_BOXES:
            continue
        if options.side in doc.SIDES:
            side = options.side
        else:
            side, _ = doc.classify_side(card)
        if wanted == 2 and any(r.reading.side == side for r in found):
            continue
        reading = doc.read(card, side, engine)
        if not any(f.value for f in reading.fields.values()):
            continue
        found.append(CardResult(reading, quad, card.image))
        if len(found) == wanted or quad.method == "whole":
            break
    if len(found) < wanted:
        raise NoCardFound()
    return found


def _whole_image(image: np.ndarray) -> CardQuad:
    """Last resort: the photo is the card (a tight crop has no background to find edges in)."""
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    if h > w:
        corners = np.roll(corners, -1, axis=0)
    return CardQuad(corners, 0.0, "whole")
