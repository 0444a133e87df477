"""A digitally edited card (Huawei detect_tampering, Tencent DetectPsWarn 9106).

Evidence: a duplicated pixel block. A forger who copies one digit of the number (front) or
the validity period (back) over another pastes the same pixels twice; two digits the camera
photographed separately differ by their sensor noise and by where each edge falls between
two pixels. Each glyph of the row is cut out of the photo (not the straightened card: its
resampling would give the two copies different sub-pixel phases) and searched for along the
row; the measurement is the smallest difference between a glyph and any other place in the
row, relative to the glyph's contrast. The photo is smoothed a little first, so that the
JPEG saved after the edit (its error sits on the edges) does not hide the copy.

Second evidence: the JPEG history (quality.doublejpeg). A photo saved again after an edit
was compressed twice where it was left alone, once where the editor laid new pixels in (a
retyped run of digits, a spliced row, a swapped portrait) or moved a block off the 8-pixel
grid (a copy-moved digit). The measurement is the strongest 3x3-block neighbourhood of
single-compression evidence within the number / period row and (front) the portrait, against
the rest of the card, on the photo's own grid. Where no quantisation step can be read off the
pixels (a PNG that never was a JPEG, a photo resized after it was saved), or no frequency shows
a first quantisation, this evidence is not checked and the copy-move evidence alone decides.
It cannot see an edit when the first save was as fine as the second or finer (a scan at
quality 95 then saved at 80): the first quantisation leaves no trace then. That is about half
of the generator's edited photos.

Third evidence, for those: a model (tampering_model.json, trained by `python -m
tools.train_tampering` on tune seeds only; since the tenth pass boosted decision trees, before it
logistic regressions) over features a person could point at
(quality.tampering_features: a straight seam in the ground's colour around the row or the
portrait, retyped glyphs whose stroke width, height, baseline, ink or edges stand out of the
row) and the two measurements above. The score is the largest of the duplicated block's, the
single compression's, the portrait frame's (PORTRAIT_EDGE) and the model's (`combined`), or
100 where the card contradicts itself (the fourth evidence, below).

How each pass measured (tune out of fold, check through the pipeline's corners), what it kept
and what it dropped: docs/tampering-passes.md. The fifteenth: duplication_rel, the row's
closest match against its median one (equal digits printed apart match alike, a copied one
stands out), check recall 68 -> 74 of 120 pairs. The latest, the sixteenth: the fourth evidence
below, and the model fitted on what it misses; check recall 74 -> 106 of 120 pairs, no unedited
twin flagged. The held-out figures: bench/RESULTS.md.

Fourth evidence, from the reading rather than the pixels (quality.contradiction, session 31):
the card contradicts itself where it was read clearly (the number's check digit, its birth
date and sex against the printed ones, the back's period), which an edit of the number or the
period leaves unless the forger recomputed it. Where it does, the score is 100.

Documents other than the Mainland ID card: not checked (None).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..types import CARD_H, CARD_W, Signal
from . import boosted, contradiction, doublejpeg, tampering_features
from .features import score

if TYPE_CHECKING:
    from . import Evidence

ROW = (0.79, 0.95, 0.30, 0.97)  # card fractions y0, y1, x0, x1: the front's number, the back's period
# Gaussian sigma (photo pixels) before matching: takes the re-saved JPEG's ringing out. Tune
# seeds: 0.6 / 1.0 / 1.6 / 2.2 put 4 / 11 / 12 / 12 of 17 copy-moved digits under the ordinary
# photos' smallest value; at 2.2 and more, small glyphs lose the contrast to be compared. With the
# measure scaled by the glyph's height (below), 1.2 left the clean tune photos further from it.
SMOOTH = 1.2
INNER = (0.2, 0.15)  # the template is the glyph's box less this share of its width, height on each side
# grey-level std after smoothing: a glyph box with less is no glyph. A small photo's glyphs are
# 7-12 pixels high: on the tune ones whose copy went unfound, half their boxes read 3-10
MIN_CONTRAST = 6.0
# The measure: the relative difference (rms over the template's std) of the closest other place
# in the row, times the glyph's height in photo pixels. Two equal digits the camera saw apart
# differ where their edges fall between pixels, a share of the contrast that shrinks as the
# glyph grows (a scan's 30-pixel digits match to 0.013, a small photo's 10-pixel ones to 0.04);
# a copy differs by the re-saved JPEG's error alone, whatever its size. Tune seeds (pairs
# 700000..700119, ordinary photos 100000..100059 and 1300000..1300059, the pipeline's corners):
# unedited photos from 0.34 (then 0.38, 0.39), copy-moved digits 20 of 35 under 0.3 (the old
# relative difference under 0.016: 20 of 35, one clean scan too, 1300051), other edits from 0.40.
THRESHOLD = 0.3
SPREAD = 0.04
MIN_MATCHES = 4  # glyphs measured for the closest match to be set against the median one
MATCH_FLOOR = 2e-3  # a closer match counts as this (a copy saved losslessly): keeps the logs finite
# Single-compression evidence (doublejpeg.block_evidence, mean over 3x3 blocks): its largest
# value in the row or the portrait, less the 99th percentile over the rest of the card. Tune
# seeds (defects.TUNE_SEED.., 40 pairs, corners as the pipeline found them; main bench
# 100000..100059): edited photos up to 0.58 (9 of 40 over 0.12, all of them with a first save
# coarser than the second), the same photos unedited at most 0.049, ordinary photos at most
# 0.083. With the copy-move evidence: 15 of 40 flagged, no unedited or ordinary photo.
SINGLE = 0.12
SINGLE_SPREAD = 0.02
# Frequencies that must show a first quantisation for the photo to count as saved twice: the
# edited tune photos this evidence flags show 9-20 of 20; one ordinary photo of the second
# tune range (1300022, one JPEG) showed 1, and its spurious trace read 0.165.
MIN_TRACED = 4
# A frame in the ground's colour just inside the portrait's edge against just outside
# (tampering_features.portrait_edge, Lab units): a portrait pasted in from another card. Tune
# seeds (defects.TUNE_SEED.., 120 pairs; main bench 100000..100059): unedited and ordinary
# photos at most 1.41, swapped portraits 1.73-13.2 (13 of 14 over 2.0); the model alone, which
# weighs it against twelve other features, flagged 10 of 14. In float Lab (through the pipeline's
# corners, tune seeds): unedited and ordinary photos at most 1.97, 10 of 14 swapped portraits
# over 2.3 and 11 over 2.0; 2.3 flagged no fewer ordinary photos there, so 2.0 stays.
PORTRAIT_EDGE = 2.0
PORTRAIT_EDGE_SPREAD = 0.15
# The model (boosted decision trees, quality/boosted.py) over the features of
# quality.tampering_features and the two measurements above (tools/train_tampering.py writes it
# from tune seeds only): its threshold lets 1% of the unedited tune photos (scored out of fold)
# above it. Whether the card is square to the frame (every side of its quad within SQUARE degrees
# of the photo's axes: 239 of 240 tune and check scans through the pipeline's corners, and 35 of
# 479 photos) is one of its features: a scan's ground is quiet and its glyphs large, so the same
# step or stroke means more there (the logistic models before the trees had one fit for each).
SQUARE = 3.0
MODEL = Path(__file__).with_name("tampering_model.json")
MODEL_SPREAD = 1.0  # logit units: 0-100 over about +-2 around the threshold


def glyph_boxes(card: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, straightened-card pixels) of the dark glyphs of the row."""
    y0, y1 = int(ROW[0] * CARD_H), int(ROW[1] * CARD_H)
    x0, x1 = int(ROW[2] * CARD_W), int(ROW[3] * CARD_W)
    gray = cv2.cvtColor(card[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    ink = (gray < np.percentile(gray, 90) - 50).astype(np.uint8)
    n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if h >= 0.025 * CARD_H and area >= 20:
            boxes.append((x0 + x, y0 + y, x0 + x + w, y0 + y + h))
    return sorted(boxes)


def _card_to_photo(corners: np.ndarray) -> np.ndarray:
    """The homography from straightened-card pixels to the photo's."""
    src = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
    return cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))


def _in_photo(boxes: list[tuple[int, int, int, int]], corners: np.ndarray) -> list[tuple[int, int, int, int]]:
    """The glyph boxes' bounding boxes in the photo, shrunk by INNER (the part of a glyph a
    copied block surely holds, even with the card's corners a pixel or two off)."""
    hm = _card_to_photo(corners)
    out = []
    for x0, y0, x1, y1 in boxes:
        pts = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float32)
        q = cv2.perspectiveTransform(pts, hm)[0]
        (a, b), (c, d) = q.min(axis=0), q.max(axis=0)
        dx, dy = INNER[0] * (c - a), INNER[1] * (d - b)
        out.append((int(round(a + dx)), int(round(b + dy)), int(round(c - dx)), int(round(d - dy))))
    return out


def matches(photo: np.ndarray, corners: np.ndarray, card: np.ndarray,
            glyphs: list[tuple[int, int, int, int]] | None = None) -> list[float]:
    """Per glyph of the row with contrast enough, the smallest relative difference between it
    and any other place in the row, times its height in photo pixels (empty: fewer than two
    glyphs to compare). glyphs: glyph_boxes(card), when the caller has them."""
    glyphs = glyph_boxes(card) if glyphs is None else glyphs
    boxes = [b for b in _in_photo(glyphs, corners) if b[2] - b[0] >= 3 and b[3] - b[1] >= 4]
    h, w = photo.shape[:2]
    boxes = [b for b in boxes if b[0] >= 0 and b[1] >= 0 and b[2] <= w and b[3] <= h]
    if len(boxes) < 2:
        return []
    pad = max(b[3] - b[1] for b in boxes)
    sx0, sy0 = max(0, min(b[0] for b in boxes) - pad), max(0, min(b[1] for b in boxes) - pad)
    sx1, sy1 = min(w, max(b[2] for b in boxes) + pad), min(h, max(b[3] for b in boxes) + pad)
    gray = cv2.cvtColor(photo[sy0:sy1, sx0:sx1], cv2.COLOR_BGR2GRAY).astype(np.float32)
    strip = cv2.GaussianBlur(gray, (0, 0), SMOOTH)
    out = []
    for x0, y0, x1, y1 in boxes:
        t = strip[y0 - sy0:y1 - sy0, x0 - sx0:x1 - sx0]
        contrast = float(t.std())
        if contrast < MIN_CONTRAST:
            continue
        diff = cv2.matchTemplate(strip, t, cv2.TM_SQDIFF) / t.size
        cx, cy, r = x0 - sx0, y0 - sy0, max(3, (x1 - x0) // 2)
        diff[max(0, cy - r):cy + r + 1, max(0, cx - r):cx + r + 1] = np.inf  # the glyph itself
        height = (y1 - y0) / (1 - 2 * INNER[1])  # the whole glyph's
        out.append(float(np.sqrt(max(0.0, float(diff.min())))) / contrast * height)
    return out


def closest(found: list[float]) -> float | None:
    """The row's closest match of `matches` (None: none measured): the duplicated block's
    measure, which the rule (THRESHOLD) and the model's `duplication` read."""
    return min(found) if found else None


def duplication(photo: np.ndarray, corners: np.ndarray, card: np.ndarray,
                glyphs: list[tuple[int, int, int, int]] | None = None) -> float | None:
    """The duplicated block's measure of one card (`closest` of its `matches`)."""
    return closest(matches(photo, corners, card, glyphs))


def duplication_rel(found: list[float]) -> float:
    """How much closer the row's closest match is than its glyphs' median one (log; 0 under
    MIN_MATCHES glyphs): equal digits printed apart match about as well as each other (the
    back's period repeats its month and day), a copied one far better than the rest."""
    if len(found) < MIN_MATCHES:
        return 0.0
    return math.log(max(float(np.median(found)), MATCH_FLOOR) / max(min(found), MATCH_FLOOR))


def _region(corners: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """A polygon in card pixels (Nx2) as one in photo pixels."""
    return cv2.perspectiveTransform(np.asarray(polygon, np.float32)[None], _card_to_photo(corners))[0]


def _row() -> np.ndarray:
    y0, y1, x0, x1 = ROW
    return np.array([[x0 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y0 * CARD_H], [x1 * CARD_W, y1 * CARD_H],
                     [x0 * CARD_W, y1 * CARD_H]], np.float32)


def single_compression(photo: np.ndarray, corners: np.ndarray, portrait: np.ndarray | None) -> float | None:
    """How far the strongest single-compression evidence (mean over 3x3 blocks) in the row
    and the portrait (card pixels, the document's; None on the back) stands above the rest
    of the card's (its 99th percentile). None: no double-JPEG history to judge."""
    found = doublejpeg.block_evidence(photo, corners)
    if found is None:
        return None
    evidence, card, (bx0, by0) = found.evidence, found.card, found.origin
    if found.traced < MIN_TRACED:
        return None  # (next to) no frequency showed a first quantisation: one JPEG, or none
    smooth = cv2.boxFilter(evidence, -1, (3, 3), borderType=cv2.BORDER_CONSTANT)
    offset = 8.0 * np.array([bx0, by0], np.float32)
    fields = np.zeros_like(card)
    for area in (_row(),) if portrait is None else (_row(), portrait):
        fields |= doublejpeg.blocks_in(_region(corners, area) - offset, evidence.shape)
    fields &= card
    rest = card & ~fields
    if not fields.any() or not rest.any():
        return None
    return float(smooth[fields].max()) - float(np.percentile(smooth[rest], 99))


def square(corners: np.ndarray) -> float:
    """1.0 where every side of the card's quad lies within SQUARE degrees of the photo's axes."""
    c = np.asarray(corners, np.float64)
    v = np.roll(c, -1, axis=0) - c
    angle = np.degrees(np.arctan2(v[:, 1], v[:, 0])) % 90.0
    return float(np.minimum(angle, 90.0 - angle).max() < SQUARE)


def enlarged(corners: np.ndarray) -> bool:
    """Whether the straightened card was enlarged from the photo (its top and bottom sides
    under CARD_W photo pixels on average): interpolation made up its finest texture."""
    c = np.asarray(corners, np.float64)
    return float(np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2 < CARD_W


def vector(photo: np.ndarray, corners: np.ndarray, card: np.ndarray, portrait: np.ndarray | None) -> np.ndarray:
    """The model's features (tampering_features.NAMES) of one card."""
    return _measure(photo, corners, card, portrait)[0]


def _measure(photo: np.ndarray, corners: np.ndarray, card: np.ndarray, portrait: np.ndarray | None
             ) -> tuple[np.ndarray, float | None, float | None]:
    """The model's features, the duplicated block's measure and the single-compression one
    (detect weighs the two apart too); the row's glyphs found once for both readers of them."""
    glyphs = glyph_boxes(card)
    found = matches(photo, corners, card, glyphs)
    d = closest(found)
    single = single_compression(photo, corners, portrait)
    x = _vector(card, glyphs, portrait, d, single, square(corners), enlarged(corners), duplication_rel(found))
    return x, d, single


def _vector(card: np.ndarray, glyphs: list[tuple[int, int, int, int]], portrait: np.ndarray | None,
            d: float | None, single: float | None, sq: float, grown: bool, d_rel: float) -> np.ndarray:
    box = None
    if portrait is not None:
        (x0, y0), (x1, y1) = portrait.min(axis=0), portrait.max(axis=0)
        box = (int(x0), int(y0), int(x1), int(y1))
    # row_flat is read on scans only: a photo's ground has quiet windows of its own (blur, light;
    # an enlarged small card's texture was made up by interpolation)
    f = tampering_features.features(card, glyphs, ROW, box, read_flat=sq >= 0.5 and not grown)
    f["duplication"] = -1.0 if d is None else math.log(THRESHOLD / max(d, MATCH_FLOOR))  # > 0: a copied block
    f["single_compression"] = 0.0 if single is None else single
    f["square"] = sq
    f["duplication_rel"] = d_rel
    return np.array([f[name] for name in tampering_features.NAMES], np.float64)


def detect(ev: Evidence) -> Signal | None:
    if ev.reading.document != "id-card":
        return None
    from ..documents import REGISTRY  # the document knows where its portrait is

    if contradiction.contradicted(ev.reading):  # the card's own checks: 100, the pixels need not be read
        return Signal(100.0, True)
    portrait = REGISTRY["id-card"].portrait(ev.reading)
    x, d, single = _measure(ev.photo, ev.corners, ev.card.image, portrait)
    s = combined(x, d, single)
    return Signal(round(s, 1), s >= 50.0)


def combined(x: np.ndarray, d: float | None, single: float | None) -> float:
    """The signal's score: the largest of the duplicated block's, the single compression's,
    the portrait frame's and the model's (x: `vector`)."""
    frame = float(x[tampering_features.NAMES.index("portrait_edge")])
    return max(0.0 if d is None else score(-d, -THRESHOLD, SPREAD),
               0.0 if single is None else score(single, SINGLE, SINGLE_SPREAD),
               score(frame, PORTRAIT_EDGE, PORTRAIT_EDGE_SPREAD) if frame > 0 else 0.0,
               model_score(x))


@cache
def _model() -> tuple[boosted.Trees, float]:
    """The model file's trees and threshold, read once."""
    model = json.loads(MODEL.read_text())
    if tuple(model["names"]) != tampering_features.NAMES or "trees" not in model:
        raise RuntimeError(f"{MODEL.name} was trained on other features: run python -m tools.train_tampering")
    return boosted.Trees.from_json(model), float(model["threshold"])


def model_score(x: np.ndarray) -> float:
    """0-100 from the boosted trees over `vector`: 50 at their threshold (tools/train_tampering.py)."""
    trees, threshold = _model()
    return score(trees.logit(x), threshold, MODEL_SPREAD)
