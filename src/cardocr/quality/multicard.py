"""More than one card in the photo: a signal of the whole photo, not of one card (Huawei
`side=double_side` answers AIS.0122 for two cards of one side; Tencent MultiCardDetect reads a
front and a back together and answers FailedOperation.MultiCardError otherwise).

Evidence a person can point at: another card-shaped region beside the cards read, apart from
them (not a part of one of them), straightened, whose recognised lines carry the landmarks
this document prints on one of its sides (documents.identify: 公民身份号码, 住址, 民族 on the ID
front, 居民身份证, 签发机关, 有效期限 on its back). A sheet of paper, a phone or a keyboard has
the shape but not the words.

Where the other cards come from:
- the candidates the card search already proposed and the reading did not use (free), and
  the outlines it passed over for a shape squeezed beyond its aspect tolerance (a small card
  seen at a slant; locate.find_cards' `spare`);
- when the reading's card came from the slow search (a card partly under another one merges
  with it into one region the quick search cannot take for a card), the quick search once more
  with the cards read blanked out (locate.find_cards' `exclude`);
- when the photo was read whole (no region looked like a card: two cards overlapping on a
  scanner), every line on it: two cards show a side's landmarks twice, or both sides'
  (sharing_the_frame).
An ordinary photo whose card the quick search found pays nothing unless that search proposed
another card-like region (measured in bench/multicard.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from ..documents import DocumentType
from ..documents.identify import LANDMARKS, printed, scores
from ..ocr.engine import OcrEngine
from ..types import Card, Signal
from ..vision.geometry import crop_box
from ..vision.locate import CardQuad, find_cards, overlap
from ..vision.orient import straighten

MULTI_CARD = "multi_card"  # another card of the document in the photo (either side)
SAME_SIDE = "multi_card_same_side"  # another card of a side already in the photo
SIGNALS = (MULTI_CARD, SAME_SIDE)  # ReadRequest.signals asks for both with MULTI_CARD

# Evidence of one side the other card's lines must show: a landmark counts 1, a line of the
# shape of a value only that side prints counts 2 (the front's small light labels are often
# misread: 公民身份号码 came back as 公批身种号码, its number 18 clean characters). Chosen on
# tools/cardgen/multicard.py TUNE_SEED.. and the main bench's ordinary photos (100000..); see
# bench/multicard.py.
MIN_LANDMARKS = 2
VALUES: dict[tuple[str, str], tuple[re.Pattern[str], ...]] = {
    ("id-card", "front"): (re.compile(r"\d{17}[\dX]"),),  # the citizen number
    # the validity period (its dots are read as commas now and then)
    ("id-card", "back"): (re.compile(r"\d{4}[.,]\d{2}[.,]\d{2}-(?:\d{4}[.,]\d{2}[.,]\d{2}|长期)"),),
}
# A line that is exactly a title the side prints on a line of its own counts 1, as a landmark
# does. 中华人民共和国 heads the ID back; the licence prints it in one line with 机动车驾驶证,
# so it is no landmark in documents.identify, where any line holding it would count.
TITLES: dict[tuple[str, str], tuple[str, ...]] = {("id-card", "back"): ("中华人民共和国",)}
APART = 0.3  # a candidate sharing more than this share of its area with a card read is part of it
AREA_RATIO = (0.3, 2.5)  # another card's area over the card read's (held nearer, partly hidden)
MIN_TEXT_BOXES = 3


@dataclass(frozen=True)
class OtherCard:
    side: str
    landmarks: int  # the evidence of that side its lines show (landmarks, VALUES, TITLES)
    corners: np.ndarray  # 4x2, photo pixels (zeros: found by sharing_the_frame, place unknown)


def other_cards(doc: DocumentType, image: np.ndarray, known: list[np.ndarray], candidates: list[CardQuad],
                engine: OcrEngine, search_again: bool) -> list[OtherCard]:
    """The cards of `doc` in the photo besides those at `known` (4x2 photo corners each), from
    the search's unused `candidates` and, with `search_again`, a search with `known` blanked."""
    if not known:
        return []
    pool = [c for c in candidates if _apart(c.corners, known)]
    if search_again:
        pool += [c for c in find_cards(image, max_cards=3, aspect=doc.aspect, exclude=known)
                 if _apart(c.corners, known + [p.corners for p in pool])]
    out: list[OtherCard] = []
    seen = list(known)
    for quad in pool:
        if not _apart(quad.corners, seen):  # two candidates of one other card count once
            continue
        found = _verify(doc, image, quad, engine)
        if found is not None:
            out.append(found)
            seen.append(quad.corners)
    return out


def sharing_the_frame(doc: DocumentType, whole: Card, side_read: str, engine: OcrEngine) -> list[OtherCard]:
    """Another card in a photo read whole (the search proposed no card: two cards lying one
    against the other merge into one region it cannot take for a card), from every line on it:
    the other side's evidence (as _verify counts it), or the read side's printed twice (a
    landmark in two lines, two different values of the shape only that side prints)."""
    texts = _texts(whole, engine)
    out = []
    for (name, side), marks in LANDMARKS.items():
        if name != doc.name:
            continue
        if side == side_read:
            values = {m.group() for p in VALUES.get((name, side), ()) for t in texts if (m := p.fullmatch(t))}
            n = sum(sum(printed(mark, [t]) for t in texts) >= 2 for mark in marks) + 2 * (len(values) >= 2)
        else:
            n = sum(printed(mark, texts) for mark in marks) + _beyond_landmarks((name, side), texts)
        if n >= 1:  # (where in the photo it lies is not known)
            out.append(OtherCard(side, n, np.zeros((4, 2), np.float32)))
    return out


def signals(sides_read: list[str], others: list[OtherCard]) -> dict[str, Signal]:
    """MULTI_CARD and SAME_SIDE from the other cards found (score: the landmarks the best one
    showed, 0-100)."""
    best = max((o.landmarks for o in others), default=0)
    sides = list(sides_read)
    same = 0
    for o in others:
        if o.side in sides:
            same = max(same, o.landmarks)
        sides.append(o.side)
    return {MULTI_CARD: _signal(best), SAME_SIDE: _signal(same)}


def _signal(landmarks: int) -> Signal:
    return Signal(round(100.0 * min(landmarks, 3) / 3, 1), landmarks >= MIN_LANDMARKS)


def _apart(corners: np.ndarray, known: list[np.ndarray]) -> bool:
    area = float(cv2.contourArea(np.asarray(corners, np.float32)))
    for k in known:
        if overlap(corners, k) > APART:
            return False
    ref = float(cv2.contourArea(np.asarray(known[0], np.float32)))
    return AREA_RATIO[0] <= area / max(ref, 1.0) <= AREA_RATIO[1]


def _verify(doc: DocumentType, image: np.ndarray, quad: CardQuad, engine: OcrEngine) -> OtherCard | None:
    """The candidate straightened and its lines recognised: the side of `doc` whose landmarks
    they show most, when at least MIN_LANDMARKS."""
    card, quad, _vote = straighten(image, quad, engine, doc.det_side)
    if len(card.boxes) < MIN_TEXT_BOXES:
        return None
    texts = _texts(card, engine)
    found = {key: n + _beyond_landmarks(key, texts) for key, n in scores(texts).items()}
    side, n = max(((s, n) for (d, s), n in found.items() if d == doc.name), key=lambda sn: sn[1],
                  default=("", 0))
    if n < 1 or (doc.name, side) not in LANDMARKS:
        return None
    return OtherCard(side, n, quad.corners)


def _beyond_landmarks(key: tuple[str, str], texts: list[str]) -> int:
    """A side's evidence besides documents.identify's landmarks: its values (2 each), its
    titles on a line of their own (1 each)."""
    return (2 * sum(any(p.fullmatch(t) for t in texts) for p in VALUES.get(key, ()))
            + sum(title in texts for title in TITLES.get(key, ())))


def _texts(card: Card, engine: OcrEngine) -> list[str]:
    """Every line the detector found on the card, recognised, without spaces."""
    crops = [crop_box(card.image, *q.min(axis=0), *q.max(axis=0)) for q in card.boxes]
    return [line.text.replace(" ", "") for line in engine.recognize(crops)] if crops else []
