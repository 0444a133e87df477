"""intake → vision → OCR → document: the one entry point the API, the CLI and the bench call.

`read` takes a decoded BGR image and returns one CardResult per card found, in no vendor's
words; a renderer (render/) turns them into a wire answer. Failures of OpenCV and onnxruntime
on a particular image become RecognitionFailed here; any other exception is a bug and is left
to propagate, so the caller can log its traceback and answer with an internal error instead
of passing it off as a bad photo.
"""

from __future__ import annotations

import logging

import cv2
import numpy as np
from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

from .confidence import assess, cap_free_text, field_evidence
from .confidence.second_look import second_look
from .documents import REGISTRY, DocumentType
from .documents.contract import MISSING_LANDMARKS
from .documents.identify import ANOTHER_DOCUMENT
from .documents.identify import identify as identify_lines
from .documents.seen import SeenLine, recording
from .errors import CardOcrError, ImageBlurred, InvalidParameter, MultiCardError, NoCardFound, RecognitionFailed
from .ocr.engine import OcrEngine
from .quality import MEASURABLE, Evidence, blur, measure, multicard
from .stages import stage
from .types import BOTH_SIDES, CARD_H, CARD_W, ID1_ASPECT, Card, CardResult, Reading, ReadRequest
from .vision.geometry import crop_box
from .vision.locate import CardQuad, find_cards, overlap
from .vision.orient import straighten
from .vision.recheck import alternatives

log = logging.getLogger(__name__)

DEEP_TRIES = 4  # candidates of the slow search read before giving up
WHOLE_MIN_FILLED = 0.5  # the photo as the card: fewer fields read than this share is weak
# a found quad read with fewer fields than this share is weak too: a quad that ran along a
# sheet of paper behind the card reads part of it (HK layout, seed 1300036: 5 of 10 fields,
# where the slow search's outline reads all 10); real cards fill 0.75 or more (a licence
# back without its record, an HK card without a Chinese name)
QUICK_MIN_FILLED = 0.6
MIN_TEXT_BOXES = 3  # fewer detected lines than this on a straightened card: not a card
# A slow-search quad is skipped as already read only if it is nearly the quick one: a quick
# quad that missed a strip of the card (5% of its height) reads every row a row off and
# empty, and the slow search's better fit of the same card must still be read.
SAME_QUAD = 0.97

# What the image itself can make the libraries fail with (a degenerate warp, an input the
# model cannot take, memory): a recognition failure of this photo, not a bug.
IMAGE_FAILURES: tuple[type[BaseException], ...] = (
    cv2.error, MemoryError, ort_state.Fail, ort_state.InvalidArgument, ort_state.RuntimeException,
)


def read(doc: DocumentType, image: np.ndarray, request: ReadRequest, engine: OcrEngine) -> list[CardResult]:
    """Read one decoded BGR image: `request.cards_wanted` cards, or raise CardOcrError."""
    if request.side not in (None, BOTH_SIDES, *doc.sides):
        raise InvalidParameter("The side parameter is invalid.")
    if not request.optional <= doc.optional_fields:
        raise InvalidParameter("Unknown optional field.")
    if not request.signals <= MEASURABLE.keys() | {multicard.MULTI_CARD}:
        raise InvalidParameter("Unknown signal.")
    try:
        results = _read_cards(doc, image, request, engine)
    except CardOcrError:
        raise
    except IMAGE_FAILURES as exc:
        log.warning("recognition failed: %s", type(exc).__name__)
        raise RecognitionFailed() from None
    for result in results:  # calibrated confidences and the review verdict, after the reading
        assess(result, request.review_threshold)
    return results


def identify(image: np.ndarray, engine: OcrEngine) -> tuple[DocumentType, str]:
    """Which document and side a photo shows (documents.identify: the words printed on it),
    from the first card the quick search finds, else the photo as the card. Costs one
    recognition pass over the card's lines before the document's own reading."""
    try:
        for quad in find_cards(image, max_cards=1, aspect=ID1_ASPECT)[:1] + [_whole_image(image)]:
            card, _quad, _vote = straighten(image, quad, engine)
            if len(card.boxes) < MIN_TEXT_BOXES:
                continue
            crops = [crop_box(card.image, *q.min(axis=0), *q.max(axis=0)) for q in card.boxes]
            found = identify_lines([line.text for line in engine.recognize(crops)])
            if found is not None:
                return REGISTRY[found[0]], found[1]
    except IMAGE_FAILURES as exc:
        log.warning("recognition failed: %s", type(exc).__name__)
        raise RecognitionFailed() from None
    raise NoCardFound()


def _read_cards(doc: DocumentType, image: np.ndarray, request: ReadRequest,
                engine: OcrEngine) -> list[CardResult]:
    wanted = request.cards_wanted
    found: list[CardResult] = []
    tried: list[CardQuad] = []
    weak: list[CardResult] = []
    others: list[str] = []  # documents whose titles candidates showed (documents.identify)
    straightened: list[tuple[CardQuad, Card]] = []  # every candidate warped, in the order tried
    # each candidate's signal evidence (id of its CardResult): the signals are measured on the
    # cards returned only, not on a weak candidate a fuller reading later replaced
    evidence: dict[int, Evidence] = {}
    # outlines of a card seen at a slant that the quick search passes over: another card
    # (multi-card) may be one of them
    spare: list[CardQuad] | None = [] if _others_asked(request) else None
    # the quick search, the photo as the card, and only then the slow search: most photos
    # never pay for it
    with stage("find"):
        quick = find_cards(image, max_cards=4, aspect=doc.aspect, spare=spare)
    unused = quick + (spare or [])  # what the multi-card signal looks at for another card
    _read_candidates(doc, image, request, engine, quick + [_whole_image(image)], found, tried, weak, others,
                     straightened, evidence)
    deep: list[CardQuad] = []
    if len(found) < wanted:
        if request.side == BOTH_SIDES and found:  # a second card of the side read: not worth the slow search
            _refuse_same_side(doc, image, found, unused, engine, False, evidence)
        with stage("find"):
            deep = [q for q in find_cards(image, max_cards=DEEP_TRIES, aspect=doc.aspect, deep=True)
                    if all(overlap(q.corners, t.corners, of_larger=True) < SAME_QUAD for t in tried)]
        _read_candidates(doc, image, request, engine, deep, found, tried, weak, others, straightened, evidence)
    if others:
        # the photo shows another document: what else was read here is that card's text in
        # this document's zones, unless it fills them
        found = [r for r in found if _filled(r.reading) >= WHOLE_MIN_FILLED]
        weak = []
    if request.side == BOTH_SIDES:  # one card of each side, never one side twice
        weak = [w for w in weak if all(w.side != r.side for r in found)]
    weak.sort(key=lambda r: _filled(r.reading), reverse=True)  # (stable: the earlier of two equally full)
    found += weak[:wanted - len(found)]
    if len(found) < wanted:
        if request.side == BOTH_SIDES and found:
            _refuse_same_side(doc, image, found, unused + deep, engine, bool(deep), evidence)
        if not found and "blur" in request.signals and not others:
            _refuse_blurred(straightened)
        raise NoCardFound()
    if request.side == BOTH_SIDES:  # front before back, whichever the search found first
        found.sort(key=lambda r: doc.sides.index(r.side))
    if per_card := request.signals & MEASURABLE.keys():  # (the multi-card signal: below)
        with stage("validate"):
            for r in found:
                r.signals = measure(per_card, evidence[id(r)])
    if _others_asked(request):
        with stage("validate"):
            seen = _other_cards(doc, image, found, unused + deep, engine, bool(deep), evidence)
            signals = multicard.signals([r.side for r in found], seen)
        for r in found:
            r.signals.update(signals)
    return found


def _others_asked(request: ReadRequest) -> bool:
    """Whether the photo's other cards matter: the multi-card signal, or both sides wanted
    (two cards of one side are refused)."""
    return multicard.MULTI_CARD in request.signals or request.side == BOTH_SIDES


def _other_cards(doc: DocumentType, image: np.ndarray, found: list[CardResult], candidates: list[CardQuad],
                 engine: OcrEngine, search_again: bool, evidence: dict[int, Evidence]) -> list[multicard.OtherCard]:
    """Cards of this document in the photo besides those read (quality.multicard); the search
    is run again without them only when their cards came from the slow search. A card read as
    the photo taken whole has no place in it: every line of the photo is read instead."""
    if len(found) == 1 and found[0].found_by == "whole":
        return multicard.sharing_the_frame(doc, evidence[id(found[0])].card, found[0].side, engine)
    corners = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
    known = [r.in_photo(corners) for r in found]
    return multicard.other_cards(doc, image, known, candidates, engine, search_again)


def _refuse_same_side(doc: DocumentType, image: np.ndarray, found: list[CardResult], candidates: list[CardQuad],
                      engine: OcrEngine, search_again: bool, evidence: dict[int, Evidence]) -> None:
    """side=double_side with one side read: another card of that side in the photo is why the
    other side is missing (MultiCardError: Huawei AIS.0122), not a photo without a card."""
    with stage("validate"):
        seen = _other_cards(doc, image, found, candidates, engine, search_again, evidence)
        if multicard.signals([r.side for r in found], seen)[multicard.SAME_SIDE].decision:
            raise MultiCardError()


def _refuse_blurred(straightened: list[tuple[CardQuad, Card]]) -> None:
    """Nothing read, the blur signal asked: the blur verdict on the card the search found
    (its best candidate; the photo as the card only when the search found none), raised as
    ImageBlurred when it says blurred. A card too blurred to read is the commonest such photo,
    and where a reading would carry the verdict this answer carries it instead."""
    tried = [t for t in straightened if t[0].method != "whole"] or straightened
    if not tried:
        return
    quad, card = tried[0]
    with stage("validate"):
        signal = blur.detect_card(card.image, quad.corners)
    if signal.decision:
        raise ImageBlurred(signal=signal)


def _filled(reading: Reading) -> float:
    """Share of the reading's fields that have a value."""
    return sum(1 for f in reading.fields.values() if f.value not in ("", None)) / max(1, len(reading.fields))


def _checks_hold(reading: Reading) -> bool:
    """Some check of the reading passes (or it has none). A reading that fails every check
    read the wrong thing: the photo read as the card when the quick search missed the card
    (ID front, seed 1500513: a name, '20' as the address, '9' as the number), or a quad
    that took in a sheet or shape beside the card, one corner far off, reading every row
    aslant (1500151: the number as '701949'). It is a weak answer, so the slow search runs
    and its outline of the card is read. A real card read right passes some check even when
    its number's check character is wrong (a specimen's: the birth date still agrees)."""
    return not reading.checks or any(reading.checks.values())


def _read_candidates(doc: DocumentType, image: np.ndarray, request: ReadRequest, engine: OcrEngine,
                     candidates: list[CardQuad], found: list[CardResult],
                     tried: list[CardQuad], weak: list[CardResult], others: list[str],
                     straightened: list[tuple[CardQuad, Card]], evidence: dict[int, Evidence]) -> None:
    """Read candidates in order until enough cards are found (appended to `found`). A card
    read with most fields empty (QUICK_MIN_FILLED; WHOLE_MIN_FILLED for the whole photo), or
    with every check failing (_checks_hold), is a poor answer: it goes to `weak`, to be
    returned only if no candidate, the slow search's included, reads fuller."""
    wanted = request.cards_wanted
    for quad in candidates:
        if len(found) == wanted:
            return
        tried.append(quad)
        with stage("straighten"):  # (stages.py: the text detection it runs is charged to detect)
            card, quad, _vote = straighten(image, quad, engine, doc.det_side)
        straightened.append((quad, card))
        if len(card.boxes) < MIN_TEXT_BOXES:
            continue
        with stage("validate"):  # the side, the fields from the lines, their checks, the signals
            if request.side in doc.sides:
                side = request.side
            else:
                side, _ = doc.classify_side(card, engine)
            if wanted == 2 and any(r.side == side for r in found):
                continue
            with recording() as seen:  # the lines behind each field: confidence evidence
                reading = doc.read(card, side, engine, request.optional)
            if reading.meta.get(ANOTHER_DOCUMENT):
                others.append(reading.meta[ANOTHER_DOCUMENT])
                continue
            if not any(f.value for f in reading.fields.values()):
                continue
            if reading.meta.get(MISSING_LANDMARKS) and quad.method != "whole":
                quad, card, reading, seen = _recheck(doc, image, request, engine, side, (quad, card, reading, seen))
            result = CardResult(reading, card.image, np.linalg.inv(quad.homography()), doc.portrait(reading),
                                found_by=quad.method)
            field_evidence(reading, seen, engine.charset, card.image)
            second_look(reading, seen, engine, card.image)
            cap_free_text(reading)
            evidence[id(result)] = Evidence(image, quad.corners, quad.method, card, reading)  # measured if returned
        whole = quad.method == "whole"
        enough = _filled(reading) >= (WHOLE_MIN_FILLED if whole else QUICK_MIN_FILLED) and _checks_hold(reading)
        (found if enough else weak).append(result)
        if whole:
            return


def _recheck(doc: DocumentType, image: np.ndarray, request: ReadRequest, engine: OcrEngine, side: str,
             read_as: tuple[CardQuad, Card, Reading, list[SeenLine]]
             ) -> tuple[CardQuad, Card, Reading, list[SeenLine]]:
    """The reading misses a landmark printed at the card's edge (the quad may have missed a
    strip of the card, or taken in a strip of paper): read the card's other outlines around the
    quad (vision.recheck) and keep the reading that finds more landmarks, then more fields."""
    best = read_as
    with stage("find"):
        others = alternatives(image, read_as[0], doc.aspect)
    for alt in others:
        with stage("straighten"):
            card, quad, _vote = straighten(image, alt, engine, doc.det_side)
        if len(card.boxes) < MIN_TEXT_BOXES:
            continue
        with recording() as seen:
            reading = doc.read(card, side, engine, request.optional)
        if _landmarks_then_filled(reading) > _landmarks_then_filled(best[2]):
            best = (quad, card, reading, seen)
    return best


def _landmarks_then_filled(reading: Reading) -> tuple[int, float]:
    if reading.meta.get(ANOTHER_DOCUMENT):
        return -9, 0.0
    missing = reading.meta.get(MISSING_LANDMARKS, "")
    return -len(missing.split(",")) if missing else 0, _filled(reading)


def _whole_image(image: np.ndarray) -> CardQuad:
    """Last resort: the photo is the card (a tight crop has no background to find edges in)."""
    h, w = image.shape[:2]
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    if h > w:
        corners = np.roll(corners, -1, axis=0)
    return CardQuad(corners, 0.0, "whole")
