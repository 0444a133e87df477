"""The tampering signal's faster arithmetic gives the same measurements (issue 16, the signals'
cost): the block DCT of quality/doublejpeg.py against OpenCV's, one block at a time; the ground's
seams and Lab of quality/tampering_features.py against their plain definitions; on real cards from
the generator."""

from __future__ import annotations

import cv2
import numpy as np

from cardocr.documents import REGISTRY
from cardocr.quality import doublejpeg, tampering, tampering_features
from cardocr.types import CARD_H, CARD_W, Reading
from tools.cardgen import make_sample
from tools.cardgen.defects import TUNE_SEED, defect_pair

DST = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
SPLICED = TUNE_SEED + 2  # a scanned front (its kind: tools/cardgen/tamper.py, seeds 700000..)


def test_the_block_dct_is_opencvs_per_block():
    photo, _person, _corners = make_sample(TUNE_SEED + 3, "front", "photo")
    x0, y0, rows, cols = 16, 24, 37, 53  # an offset window, as block_evidence takes the card's box
    coef = doublejpeg.coefficients(photo, x0, y0, x0 + 8 * cols, y0 + 8 * rows)
    assert coef.shape == (rows, cols, doublejpeg.BAND, doublejpeg.BAND)
    luma = photo.astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32) - 128.0
    for r, c in ((0, 0), (5, 17), (rows - 1, cols - 1), (20, 3)):
        block = np.ascontiguousarray(luma[y0 + 8 * r:y0 + 8 * r + 8, x0 + 8 * c:x0 + 8 * c + 8])
        want = cv2.dct(block)[:doublejpeg.BAND, :doublejpeg.BAND]
        assert np.abs(coef[r, c] - want).max() < 1e-3


def _card() -> tuple[np.ndarray, np.ndarray]:
    neg, pos, side, condition = defect_pair("tampering", SPLICED)
    assert side == "front"
    _photo, _person, corners = make_sample(SPLICED, side, condition)
    hm = cv2.getPerspectiveTransform(np.asarray(corners, np.float32), DST)
    return (cv2.warpPerspective(neg, hm, (CARD_W, CARD_H), flags=cv2.INTER_AREA),
            cv2.warpPerspective(pos, hm, (CARD_W, CARD_H), flags=cv2.INTER_AREA))


def _seam_by_definition(lab: np.ndarray, flat: np.ndarray, ys: tuple[float, float], xs: tuple[float, float],
                        axis: int) -> float:
    y0, y1, x0, x1 = int(ys[0] * CARD_H), int(ys[1] * CARD_H), int(xs[0] * CARD_W), int(xs[1] * CARD_W)
    m = flat[y0:y1, x0:x1, None].astype(np.float32)
    n = m.sum(axis=1 - axis)
    prof = (lab[y0:y1, x0:x1] * m).sum(axis=1 - axis) / np.maximum(n, 1.0)
    ok = n[:, 0] >= 0.2 * m.shape[1 - axis]
    a, b = tampering_features.SEAM
    best = 0.0
    for i in range(b, prof.shape[0] - b):
        lo, hi = slice(i - b, i - a + 1), slice(i + a, i + b + 1)
        if ok[lo].all() and ok[hi].all():
            best = max(best, float(np.linalg.norm(prof[lo].mean(axis=0) - prof[hi].mean(axis=0))))
    return best


def test_the_seams_and_the_lab_they_read_are_as_defined():
    portrait = REGISTRY["id-card"].portrait(Reading("id-card", "front", {}))
    (px0, py0), (px1, py1) = portrait.min(axis=0), portrait.max(axis=0)
    box = (int(px0), int(py0), int(px1), int(py1))
    for card in _card():
        full = tampering_features._lab(card)
        part = tampering_features._lab_where(card, box)
        gray = cv2.GaussianBlur(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), 1.0)
        grad = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
        flat = cv2.dilate(grad, np.ones((5, 5), np.uint8)) < tampering_features.FLAT
        for band in tampering_features.SEAM_BANDS:
            want = _seam_by_definition(full, flat, *band)
            assert abs(tampering_features._seam(part, flat, *band) - want) < 1e-3
        # the portrait's frame and the edges read the same Lab as the whole card's
        b = tampering_features.RING[1]
        assert np.array_equal(part[box[1] - b:box[3] + b, box[0] - b:box[2] + b],
                              full[box[1] - b:box[3] + b, box[0] - b:box[2] + b])
        y0, x0 = int(tampering_features.EDGE_AREA[0] * CARD_H), int(tampering_features.EDGE_AREA[2] * CARD_W)
        assert np.array_equal(part[y0:, x0:], full[y0:, x0:])
    # and the spliced row's edges are still found: the scan's short straight steps (1.8, 1.9 on the
    # unedited twin; 3.2, 3.0 spliced)
    neg, pos = (tampering_features.features(c, tampering.glyph_boxes(c), tampering.ROW, box) for c in _card())
    assert pos["edge_h"] > neg["edge_h"] + 1.0 and pos["edge_v"] > neg["edge_v"] + 0.8


def test_the_reach_tables_are_cut_from_one_per_step_as_if_built_for_each_kmax():
    for q2, kmax in ((6, 3), (6, 17), (11, 16), (11, 40), (23, 9)):
        q1s, table = doublejpeg._log_reach(q2, kmax)
        # one first step at a time (the table reaches all of them at once)
        want = np.log(np.maximum(np.vstack([doublejpeg._reach(np.array([q1]), q2, kmax) for q1 in q1s]),
                                 doublejpeg.FLOOR))
        want[:, kmax] = 0.0
        assert table.shape == (len(q1s), 2 * kmax + 1) and np.array_equal(table, want)
