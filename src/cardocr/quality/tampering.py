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
row) and the two measurements above. The score is the largest of the three. On the tune
photos (5-fold cross-validation, 120 pairs and 75 ordinary photos) the model's AUROC is 0.87,
and with the two older rules 48% of the edited photos are flagged (40% without the model) at
1% of the unedited ones. Held out (bench.run --signals-only, 800000.., 40 pairs, once): AUROC
0.879 (0.797 without the model), precision 1.000, recall 0.600 (0.525), 3 of 200 ordinary
photos flagged (2): still under the issue's bar, so the signal stays a candidate.

Issue 16, per edit (tune seeds 700000..700119, generator corners): a row spliced from another
card was flagged on 0 of 18 scans, a retyped run on 1 of 9 scans. A scan's first save is as
fine as the second (no double-JPEG trace) and its ground is quiet, so the pasted box's edge is a
small step where it ends: short straight steps anywhere around the row (tampering_features
edge_*, the right end of the row too) now go into the model, and a swapped portrait's frame
(portrait_edge, which alone separates them on tune seeds) is a fourth rule of its own
(PORTRAIT_EDGE). Check seeds (1400000..1400079 pairs, generator corners; ordinary photos of
the main bench 1300000.. and 1600000..): AUROC 0.870 -> 0.916, recall 39 -> 49 of 80 (spliced
rows 4 -> 9 of 25, portraits 6 -> 9 of 9), unedited twins flagged 0 -> 0 of 80, ordinary
photos 4 -> 3 of 200. Retyped runs on scans (0 of 6) and copy-moved digits in small photos
are still missed: the signal stays a candidate.

Through the pipeline's corners (tune: pairs 700000..700119, ordinary photos 100000..100059 and
1300000..1300059) 4 of 120 ordinary photos were flagged: one by the portrait frame (100038, a
small photo whose corners were a few pixels off: 2.45, a norm of whole Lab units, see
tampering_features._lab), two by the model, one by the duplicated block (a clean scan's back).
In float Lab, the model retrained: tune AUROC 0.908 -> 0.919, recall 69 -> 75 of 120, ordinary
photos flagged 4 -> 3 of 120; check (pairs 1400000..1400079, ordinary 1400000..1400099 and
1600000..1600099) AUROC 0.907 -> 0.932, recall 47 -> 51 of 80, unedited twins flagged 1 -> 0,
ordinary photos 11 -> 9 of 200. The model's two were rows the corners tilted (run_base: the
baselines now less their trend), retrained: tune ordinary 3 -> 1 of 120 (AUROC 0.921, recall 74),
check 9 -> 8 of 200 (AUROC 0.928, recall 50 of 80, precision 50 of 50): still far over 2%.

Per capture (issue 16, seventh pass): the duplicated block's measure is scaled by the glyph's
height (equal digits the camera saw apart differ by a share of their contrast that shrinks as
they grow; a copy's share does not), with less smoothing and a lower contrast floor for a small
photo's 7-12 pixel digits; and two models, one for a card square to the frame (a scan: quiet
ground, large glyphs), one for the rest. Through the pipeline's corners, against f386801: tune
(pairs 700000..700119, ordinary 100000..100059 and 1300000..1300059) AUROC 0.921 -> 0.941,
recall 74 -> 72 of 120, unedited twins flagged 2 -> 1, ordinary photos 1 -> 0 of 120; copy-moved
digits in small photos 8 -> 10 of 14, on scans 8 -> 5 of 10, spliced rows on scans 3 -> 8 of 18;
check (pairs 1400000..1400079, ordinary 1400000..1400099 and 1600000..1600099) AUROC 0.928 ->
0.923, recall 50 -> 47 of 80, precision 50 of 50 -> 47 of 47, ordinary photos 8 -> 5 of 200
(2.5%): still a candidate. Tune range 1500000..1500099: 3 of 100 ordinary photos flagged.

Per edit kind through the pipeline's corners (issue 16, eighth pass; python -m tools.tamper_kinds):
tune (pairs 700000..700119, ordinary 100000..100059 with layout cards) AUROC 0.927, recall 70 of
120: copy-moved digits 23/36, swapped portraits 13/14, retyped runs 13/31 (scans 2/9), spliced
rows 21/39 (scans 8/18); twins flagged 2/120, ordinary photos 1/75 (a layout card: its portrait
moved, the frame rule reads the print). Check (pairs 750000..750039, ordinary 1400000..1400059)
AUROC 0.923, recall 18/40: copy-moves 7/9, portrait 1/1, retyped 4/18 (scans 0/8), spliced 6/12;
twins 0/40, ordinary 3/75. Retyped runs on scans are the gap: their run_* features sit inside
the unedited twins' range. Tried there and dropped (no AUROC over 0.65 for a missed kind): the
row's ground noise against the band above and its quietest window, the ground's texture between
glyphs; the duplicated block's high-pass correlation (0.97-1.00 for copies and equal digits
alike: edges dominate); the model retrained on the pipeline's corners (check AUROC 0.923 ->
0.88-0.90, recall 18 -> 18-20 of 40); a numpy MLP over the same features (5-fold on the tune
pairs alone: AUROC 0.89-0.91 against the logistic's 0.85-0.88, but at most 14 of 119 edits above
the 99th percentile of their twins, the logistic 2): 240 photos are too few to tell them apart.

Ninth pass (issue 16): a retyped run is typed on a box painted in one flat colour, and on a scan
the ground's finest texture (print pattern, noise) is gone there: tampering_features row_flat,
read on cards square to the frame and not enlarged from a small photo (elsewhere 0: a photo's
ground has quiet windows of its own), in the square model. Through the pipeline's corners
(tools.tamper_kinds), tune (pairs 700000..700119, ordinary 100000..100059): AUROC 0.927 -> 0.923,
recall 70 -> 84/120 (retyped runs 13 -> 19/31, on scans 2 -> 7/9; spliced rows 21 -> 28/39, on
scans 8 -> 15/18), twins flagged 2 -> 3/120, ordinary 1 -> 1/75. Check (pairs 750000..750039,
ordinary 1400000..1400059): AUROC 0.923 -> 0.907, recall 18 -> 24/40 (retyped 4 -> 9/18, on
scans 0 -> 5/8; spliced 6 -> 7/12), twins 0 -> 0/40, ordinary 3 -> 4/75. Tried and dropped:
each glyph's shape against the same digit's elsewhere in the row (truth labels, AUROC 0.56 for
retyped runs: the glyph boxes match the digit count on 122 of 195 unedited rows only), the
glyphs' pitch (0.69), the row's texture against the strips just above and below it (no better).

Tenth pass (issue 16): the model was data-starved and linear. On cached features of 480 tune
pairs (700000..700479) and 325 ordinary tune photos (100000.., 1300000.., 1500000..), 5-fold CV by
seed, three fold draws: the logistic models fitted on 120 pairs AUROC 0.875-0.885, on all of them
0.906-0.913; boosted trees (depth 3, 200 at 0.05, quality/boosted.py) on 120 pairs 0.914-0.923, on
all 0.957-0.959; with the three rules, recall at 1% of the unedited photos 0.49-0.53 (logistic, 120
pairs), 0.54-0.56 (logistic, all), 0.58-0.63 (trees, all). One threshold, out of fold. Through the
pipeline's corners (tools.tamper_kinds), tune (pairs 700000..700119, ordinary 100000..100059: in the
training set now) AUROC 0.923 -> 0.966, recall 84 -> 79/120 (copy-moves 24 -> 24/36, portraits
13 -> 13/14, retyped 19 -> 17/31, spliced 28 -> 25/39, on scans 15 -> 9/18), twins 3 -> 0/120,
ordinary 1 -> 1/75. Check (pairs 750000..750039, ordinary 1400000..1400059) AUROC 0.907 -> 0.956,
recall 24 -> 20/40 (copy-moves 7 -> 7/9, portrait 1 -> 1/1, retyped 9 -> 6/18, on scans 5 -> 2/8;
spliced 7 -> 6/12), twins 0 -> 0/40, ordinary 4 -> 1/75; ordinary 1600000..1600059 3 -> 1/75. Fewer
false alarms and a better ranking, fewer edits over the threshold: recall stays far under 0.8.
A lower threshold (-0.5 logit) gave check 1 more edit for 1 more ordinary photo; a threshold per
capture (square or not, as the logistic models had) 21 instead of 20 of 40.

Eleventh pass (issue 16), tried and dropped (its code: the branch tamper11's last commit):
run_top, the glyphs' top line against the row's (a retyped run is typed in another size, centred
on the row: tune seed 700038's tops 5 card pixels low), with run_base's floor a share of the
glyph height (it is 1 + 5% of the baseline's y, ~25 card pixels, so a run 3-5 pixels off the line
reads 0.1-0.2); row_shading, the light's slope along the row's ground against the band above (a
spliced row, a clean render matched in brightness once, does not share the photo's gradient;
AUROC 0.81-0.86 for spliced rows on scans and photos, feature alone). Retrained on all 480 + 325
tune photos: out of fold AUROC 0.953-0.955, recall 0.57-0.61 (without the two 0.954-0.955,
0.58-0.61); through the pipeline (tools.tamper_kinds) tune AUROC 0.966, recall 77/120 (79 before),
check AUROC 0.956 -> 0.969, recall 20 -> 20/40 per kind unchanged, twins 0/40, ordinary 1/75:
a better ranking, no edit more over the threshold. The unedited photos' tails (run_top's 99th
percentile on scans 3.9: rows whose glyph boxes take in other print) hide what they add.

Twelfth pass (issue 16): those tails came from glyph boxes that are no digits (tune seeds 700005,
700009, 700045, 700053): the back's period ends in 长期, the label's 限 reaches into the row, a
blurred photo merges digits into blobs. The run_* features now read the row's digits alone
(tampering_features.digits; the duplicated block and row_flat keep every box): on the first 60
tune pairs the unedited photos' 98th percentile of run_height 3.18 -> 1.10, retyped runs over it
0 -> 4 of 31; out of fold (480 pairs, 325 ordinary photos, five fold draws) AUROC 0.957 -> 0.960,
recall at 1% 0.598 -> 0.620 (higher in each draw). Retrained; through the pipeline's corners
(tools.tamper_kinds) tune (pairs 700000..700119, ordinary 100000..100059, trained on) AUROC 0.966
-> 0.966, recall 79 -> 81/120 (retyped 17 -> 19/31, on scans 4 -> 5/9; spliced 25 -> 26/39;
copy-moves 24 -> 23/36), twins 0/120, ordinary 1/75;
check (pairs 750000..750039, ordinary 1400000..1400059) AUROC 0.956 -> 0.951, recall 20 -> 21/40
(retyped 6 -> 7/18, on scans 2 -> 3/8), twins 0/40, ordinary 1/75: one edit more, still far
under 0.8. Dropped: run_top again, on the digits (out of fold 0.619); 270 more tune pairs
(700480..700749: AUROC 0.959, recall 0.611); noise residuals read in the photo itself (the flat
ground's second-order residual mapped onto the card: the glyph band against the band above, its
quietest two-glyph window, the share of zero residuals), AUROC 0.28-0.64 for retyped runs and
splices on photos and small photos (their first JPEG at 60-90 had flattened the sensor noise
already), 0.70-0.98 on retyped scans, where row_flat reads 1.00 (pairs alone, out of fold 0.596
-> 0.579 with them). The signal's own time on a photo: about the same (median 40 -> 42 ms).

Thirteenth pass, dropped (branch tamper13): a block map trained on the generator's edit masks
(tools/tamper_masks.py; the figures: quality/tampering_blocks.py on that branch): tune 299 -> 299/480
out of fold, check 21 -> 21/40, one ordinary photo more.

Fourteenth pass, dropped (branch tamper14): the front number's digits against OCR-B, the font it
is printed in (quality/font_fit.py there): on tune front scans 14 of 16 retyped runs stood out of
the row's fit (their twins did not), but the model caught most of them already; out of fold
(six fold draws) recall +7 of 480 on average, check 21 -> 21/40, ordinary photos 1 -> 3/75.

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
from . import boosted, doublejpeg, tampering_features
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


def duplication(photo: np.ndarray, corners: np.ndarray, card: np.ndarray,
                glyphs: list[tuple[int, int, int, int]] | None = None) -> float | None:
    """The smallest relative difference between a glyph of the row and any other place in the
    row, times the glyph's height in photo pixels (None: fewer than two glyphs to compare).
    glyphs: glyph_boxes(card), when the caller has them."""
    glyphs = glyph_boxes(card) if glyphs is None else glyphs
    boxes = [b for b in _in_photo(glyphs, corners) if b[2] - b[0] >= 3 and b[3] - b[1] >= 4]
    h, w = photo.shape[:2]
    boxes = [b for b in boxes if b[0] >= 0 and b[1] >= 0 and b[2] <= w and b[3] <= h]
    if len(boxes) < 2:
        return None
    pad = max(b[3] - b[1] for b in boxes)
    sx0, sy0 = max(0, min(b[0] for b in boxes) - pad), max(0, min(b[1] for b in boxes) - pad)
    sx1, sy1 = min(w, max(b[2] for b in boxes) + pad), min(h, max(b[3] for b in boxes) + pad)
    gray = cv2.cvtColor(photo[sy0:sy1, sx0:sx1], cv2.COLOR_BGR2GRAY).astype(np.float32)
    strip = cv2.GaussianBlur(gray, (0, 0), SMOOTH)
    best: float | None = None
    for x0, y0, x1, y1 in boxes:
        t = strip[y0 - sy0:y1 - sy0, x0 - sx0:x1 - sx0]
        contrast = float(t.std())
        if contrast < MIN_CONTRAST:
            continue
        diff = cv2.matchTemplate(strip, t, cv2.TM_SQDIFF) / t.size
        cx, cy, r = x0 - sx0, y0 - sy0, max(3, (x1 - x0) // 2)
        diff[max(0, cy - r):cy + r + 1, max(0, cx - r):cx + r + 1] = np.inf  # the glyph itself
        height = (y1 - y0) / (1 - 2 * INNER[1])  # the whole glyph's
        rel = float(np.sqrt(max(0.0, float(diff.min())))) / contrast * height
        best = rel if best is None else min(best, rel)
    return best


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
    d = duplication(photo, corners, card, glyphs)
    single = single_compression(photo, corners, portrait)
    return _vector(card, glyphs, portrait, d, single, square(corners), enlarged(corners)), d, single


def _vector(card: np.ndarray, glyphs: list[tuple[int, int, int, int]], portrait: np.ndarray | None,
            d: float | None, single: float | None, sq: float, grown: bool) -> np.ndarray:
    box = None
    if portrait is not None:
        (x0, y0), (x1, y1) = portrait.min(axis=0), portrait.max(axis=0)
        box = (int(x0), int(y0), int(x1), int(y1))
    # row_flat is read on scans only: a photo's ground has quiet windows of its own (blur, light;
    # an enlarged small card's texture was made up by interpolation)
    f = tampering_features.features(card, glyphs, ROW, box, read_flat=sq >= 0.5 and not grown)
    f["duplication"] = -1.0 if d is None else math.log(THRESHOLD / max(d, 2e-3))  # > 0: a copied block
    f["single_compression"] = 0.0 if single is None else single
    f["square"] = sq
    return np.array([f[name] for name in tampering_features.NAMES], np.float64)


def detect(ev: Evidence) -> Signal | None:
    if ev.reading.document != "id-card":
        return None
    from ..documents import REGISTRY  # the document knows where its portrait is

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
