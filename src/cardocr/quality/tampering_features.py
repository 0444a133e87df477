"""Features a person could point at, for the tampering model (tools/train_tampering.py).

Every edit the tampering signal looks for lays in pixels the camera never saw (a retyped run of
digits: painted over with a flat ground and typed again; a spliced row or a swapped portrait:
cut from a clean original, its brightness matched) or copies pixels it saw once. On the
straightened card the pipeline already has, the features contrast the number / period row and
the portrait with their surroundings:

    row_seam          the largest step in the ground's colour across a line just above, below
                      or left of the row: a pasted rectangle's straight edge
    portrait_edge     the ground's colour just inside the portrait's frame against just outside
    portrait_noise    the portrait's fine-grain residual (sensor noise, print texture) over the
                      rest of the card's, as a log ratio (a pasted original has no sensor noise)
    row_sharpness     the row's steepest edges over its contrast against the card's upper text
    glyph_stroke      the second most unusual glyph's stroke width against the row's median
    run_*             per glyph stroke width, height, baseline, ink darkness, edge steepness and
                      the ground's residual around it: the most unusual pair of neighbouring
                      glyphs (a retyped run is two digits or more, in another font and ink);
                      the baseline less its straight trend (a row tilted by corners a little off);
                      over the row's digits only (`digits`: not 长期, the label, merged blobs)
    edge_h, edge_v    the largest step in the ground's colour across a short straight line
                      (41 pixels along, horizontal; 25, vertical) anywhere around the row,
                      the card's own edge and the portrait's frame left out: a pasted box's
                      edge where it covers only part of the row, or ends at its right (which
                      row_seam's three fixed bands do not look at)
    edge_*_rel        the same over the area's median step (log): a scan's quiet ground makes
                      a small step stand out
    row_flat          how much quieter the ground's finest texture is in the quietest glyph-wide
                      window along the glyphs' band than along the band as a whole (log, > 0:
                      quieter): a retyped run is typed on a box painted in one flat colour, where
                      the print's fine texture and the sensor's noise are gone (0, not measured,
                      on a card not square to the frame or enlarged from a small photo: their
                      grounds have quiet windows of their own; quality.tampering's read_flat)

and quality.tampering's two measurements (a duplicated block; pixels saved once where the rest
was saved twice), whether the card is square to the frame (which of the two models weighs
them) and how much closer the row's closest match is than its glyphs' typical one
(duplication_rel: equal digits printed apart match alike, a copied one stands out). Every
feature is near 0 on an unedited card, and 0 where its region is missing (the back has no
portrait). Tune seeds (defects.TUNE_SEED.., 120 pairs; main bench 100000.., 75
photos), AUROC of each feature for its edit against every unedited photo: row_seam 0.84 for
spliced rows (0.96 on scans), portrait_edge 1.00 for swapped portraits, run_base 0.88
and glyph_stroke 0.81 for retyped runs; edge_h 0.93 for spliced rows (0.88 on scans, where the
model with row_seam alone flagged 0 of 18).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..types import CARD_H, CARD_W

RUN_NAMES = ("run_stroke", "run_height", "run_base", "run_dark", "run_sharp", "run_ground")
NAMES = ("row_seam", "portrait_edge", "portrait_noise", "row_sharpness", "glyph_stroke", *RUN_NAMES,
         "edge_h", "edge_v", "edge_h_rel", "edge_v_rel", "row_flat", "duplication", "single_compression", "square",
         "duplication_rel")
_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # Immerkaer's: cancels linear shading
FLAT = 12.0  # Sobel magnitude (smoothed grey) under which a pixel is ground, not an edge
MIN_FLAT = 40  # flat pixels a region needs for its ground to be read
MARGIN = 0.05  # the card's edge (rounded corners, a loose quad's background) is left out
RING = (3, 10)  # pixels inside / outside the portrait's frame compared across it
SEAM = (2, 7)  # rows (columns) either side of a candidate seam, nearest and farthest
# (y0, y1, x0, x1 card fractions, axis): the bands a pasted row's top, bottom and left edge cross
SEAM_BANDS = (((0.75, 0.85), (0.40, 0.95), 0), ((0.89, 0.985), (0.40, 0.95), 0), ((0.82, 0.92), (0.26, 0.40), 1))


def features(card: np.ndarray, glyphs: list[tuple[int, int, int, int]], row: tuple[float, float, float, float],
             portrait: tuple[int, int, int, int] | None, read_flat: bool = True) -> dict[str, float]:
    """The image features (NAMES less quality.tampering's two measurements) of one straightened
    card. glyphs: the row's glyph boxes (card pixels); row: y0, y1, x0, x1 (card fractions);
    portrait: x0, y0, x1, y1 (card pixels) or None; read_flat: whether row_flat speaks for
    this card (quality.tampering: on scans only), else it is 0 and not measured."""
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lab = _lab_where(card, portrait)
    resid = np.abs(cv2.filter2D(gray, -1, _KERNEL))
    smooth = cv2.GaussianBlur(gray, (0, 0), 1.0)
    grad = cv2.magnitude(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    flat = cv2.dilate(grad, np.ones((5, 5), np.uint8)) < FLAT
    ry0, ry1, rx0, rx1 = int(row[0] * CARD_H), int(row[1] * CARD_H), int(row[2] * CARD_W), int(row[3] * CARD_W)
    if len(glyphs) >= 4:  # the glyphs' band
        by0 = max(ry0, int(np.median([g[1] for g in glyphs])) - 3)
        by1 = min(ry1, int(np.median([g[3] for g in glyphs])) + 3)
        bx0, bx1 = max(rx0, min(g[0] for g in glyphs) - 3), min(rx1, max(g[2] for g in glyphs) + 3)
    else:
        by0, by1, bx0, bx1 = ry0, ry1, rx0, rx1
    mx, my = int(MARGIN * CARD_W), int(MARGIN * CARD_H)
    rest = flat.copy()  # the rest of the card: its inner part above the row, less the portrait
    rest[:my], rest[ry0:], rest[:, :mx], rest[:, CARD_W - mx:] = False, False, False, False
    if portrait is not None:
        px0, py0, px1, py1 = portrait
        rest[max(0, py0):py1, max(0, px0):px1] = False
    upper = (mx, my, portrait[0] if portrait is not None else CARD_W - mx, ry0)
    out = {"row_seam": max(_seam(lab, flat, *band) for band in SEAM_BANDS),
           "row_sharpness": _log_ratio(_sharpness(gray, (bx0, by0, bx1, by1)), _sharpness(gray, upper)),
           "glyph_stroke": 0.0, "portrait_edge": 0.0, "portrait_noise": 0.0}
    if portrait is not None:
        out.update(_portrait(lab, resid, flat, rest, portrait))
    out.update(_runs(gray, glyphs))
    out["row_flat"] = _flat(gray, glyphs) if read_flat else 0.0
    out.update(_edges(lab, flat, portrait))
    return out


# Short straight steps in the ground's colour around the row (card fractions y0, y1, x0, x1):
# a pasted box's top, bottom, left or right edge, where it holds only a few digits too.
EDGE_AREA = (0.70, 0.99, 0.22, 0.99)
EDGE_LEN = (41, 25)  # pixels a horizontal / vertical step must run along
EDGE_MARGIN = 16  # card pixels along the card's edge left out
EDGE_GAP = 4  # the two sides of a step: 5-pixel strips whose centres lie this far either side


def _edges(lab: np.ndarray, flat: np.ndarray, portrait: tuple[int, int, int, int] | None) -> dict[str, float]:
    """edge_h / edge_v: the largest step (Lab) between two strips of ground either side of a short
    horizontal / vertical line in EDGE_AREA; *_rel: the same over the area's median step (log)."""
    y0, y1 = int(EDGE_AREA[0] * CARD_H), int(EDGE_AREA[1] * CARD_H)
    x0, x1 = int(EDGE_AREA[2] * CARD_W), int(EDGE_AREA[3] * CARD_W)
    fl = flat[y0:y1, x0:x1].astype(np.float32)
    e = EDGE_MARGIN  # the card's own edge, its shadow and rounded corner are no seam
    fl[max(0, CARD_H - e - y0):, :] = 0.0
    fl[:, max(0, CARD_W - e - x0):] = 0.0
    fl[max(0, CARD_H - 3 * e - y0):, max(0, CARD_W - 3 * e - x0):] = 0.0
    if portrait is not None:  # the portrait's own printed frame is no seam
        px0, py0, px1, py1 = portrait
        fl[max(0, py0 - y0 - 6):max(0, py1 - y0 + 6), max(0, px0 - x0 - 6):max(0, px1 - x0 + 6)] = 0.0
    weighted = lab[y0:y1, x0:x1] * fl[..., None]
    out = {}
    g = EDGE_GAP
    for axis, name in ((0, "edge_h"), (1, "edge_v")):
        size = (EDGE_LEN[0], 5) if axis == 0 else (5, EDGE_LEN[1])
        s = cv2.boxFilter(weighted, -1, size, normalize=False, borderType=cv2.BORDER_CONSTANT)
        n = cv2.boxFilter(fl, -1, size, normalize=False, borderType=cv2.BORDER_CONSTANT)
        m = s / np.maximum(n, 1.0)[..., None]
        ok = n >= 0.5 * size[0] * size[1]
        if axis == 0:
            diff, valid = m[:-2 * g] - m[2 * g:], ok[:-2 * g] & ok[2 * g:]
        else:
            diff, valid = m[:, :-2 * g] - m[:, 2 * g:], ok[:, :-2 * g] & ok[:, 2 * g:]
        if valid.sum() < 100:
            out[name], out[name + "_rel"] = 0.0, 0.0
            continue
        d = diff[valid]  # the norm of the valid steps only, per channel (numpy's norm over a
        step = np.sqrt(d[:, 0] ** 2 + d[:, 1] ** 2 + d[:, 2] ** 2)  # last axis of 3 is slow)
        top = float(step.max())
        out[name] = top
        out[name + "_rel"] = _log_ratio(top, float(np.median(step)) + 0.1)
    return out


def _lab(card: np.ndarray) -> np.ndarray:
    """Lab in float on the 8-bit scale (L 0-255, a and b around 128). Lab of the 8-bit image is
    rounded to whole units, and a median of whole units steps by 1: portrait_edge (a norm of two
    medians) could only take the values 0, 1, 1.41, 1.73, 2, 2.24 ..., and an unedited small
    photo whose corners the pipeline found a little off read 2.45 (tune seed 100038), over
    PORTRAIT_EDGE."""
    lab = cv2.cvtColor(card.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_BGR2LAB)
    scale = np.array([255 / 100, 1.0, 1.0], np.float32)
    shift = np.array([0.0, 128.0, 128.0], np.float32)
    return np.asarray(lab * scale + shift, np.float32)


def _lab_where(card: np.ndarray, portrait: tuple[int, int, int, int] | None) -> np.ndarray:
    """_lab of the card where the features read it (the row's seams and edges below EDGE_AREA's
    top, the portrait's frame and RING around it), 0 elsewhere: float Lab of the whole card
    was a quarter of the signal's time."""
    lab = np.zeros(card.shape, np.float32)
    y0 = int(min(EDGE_AREA[0], SEAM_BANDS[0][0][0]) * CARD_H)
    x0 = int(min(EDGE_AREA[2], *(band[1][0] for band in SEAM_BANDS)) * CARD_W)
    boxes = [(x0, y0, CARD_W, CARD_H)]
    if portrait is not None:
        b = RING[1] + 1
        boxes.append((max(0, portrait[0] - b), max(0, portrait[1] - b), portrait[2] + b, portrait[3] + b))
    for bx0, by0, bx1, by1 in boxes:
        lab[by0:by1, bx0:bx1] = _lab(card[by0:by1, bx0:bx1])
    return lab


def _log_ratio(a: float | None, b: float | None) -> float:
    return 0.0 if a is None or b is None or a <= 0 or b <= 0 else math.log(a / b)


def _sharpness(gray: np.ndarray, box: tuple[int, int, int, int]) -> float | None:
    """The steepest edges (99th percentile of the gradient) over the contrast of a box."""
    x0, y0, x1, y1 = box
    patch = gray[y0:y1, x0:x1]
    if patch.shape[0] < 5 or patch.shape[1] < 5:
        return None
    grad = cv2.magnitude(cv2.Sobel(patch, cv2.CV_32F, 1, 0), cv2.Sobel(patch, cv2.CV_32F, 0, 1))[1:-1, 1:-1]
    lo, hi = np.percentile(patch, (5, 95))
    return float(np.percentile(grad, 99)) / (float(hi - lo) + 10.0)


def _portrait(lab: np.ndarray, resid: np.ndarray, flat: np.ndarray, rest: np.ndarray,
              box: tuple[int, int, int, int]) -> dict[str, float]:
    out = {"portrait_edge": 0.0, "portrait_noise": 0.0}
    px0, py0, px1, py1 = box
    a, b = RING
    inner = np.zeros(flat.shape, bool)
    inner[py0 + a:py1 - a, px0 + a:px1 - a] = True
    inner[py0 + b:py1 - b, px0 + b:px1 - b] = False
    outer = np.zeros(flat.shape, bool)
    outer[max(0, py0 - b):py1 + b, max(0, px0 - b):px1 + b] = True
    outer[max(0, py0 - a):py1 + a, max(0, px0 - a):px1 + a] = False
    ni, no = inner & flat, outer & flat
    if ni.sum() >= MIN_FLAT and no.sum() >= MIN_FLAT:
        out["portrait_edge"] = float(np.linalg.norm(np.median(lab[ni], axis=0) - np.median(lab[no], axis=0)))
    inside = np.zeros(flat.shape, bool)
    inside[max(0, py0):py1, max(0, px0):px1] = True
    inside &= flat
    if inside.sum() >= MIN_FLAT and rest.sum() >= MIN_FLAT:
        out["portrait_noise"] = _log_ratio(float(resid[inside].mean()), float(resid[rest].mean()))
    return out


def _seam(lab: np.ndarray, flat: np.ndarray, ys: tuple[float, float], xs: tuple[float, float], axis: int) -> float:
    """The largest step in the ground's colour (Lab, flat pixels' mean across the band) between
    the few rows (axis 0; columns: axis 1) either side of any line of the band."""
    y0, y1, x0, x1 = int(ys[0] * CARD_H), int(ys[1] * CARD_H), int(xs[0] * CARD_W), int(xs[1] * CARD_W)
    m = flat[y0:y1, x0:x1, None].astype(np.float32)
    other = 1 - axis
    n = m.sum(axis=other)
    prof = (lab[y0:y1, x0:x1] * m).sum(axis=other) / np.maximum(n, 1.0)
    ok = n[:, 0] >= 0.2 * m.shape[other]
    a, b = SEAM
    count = prof.shape[0] - 2 * b  # candidate lines i = b .. len - b - 1: lines i-b..i-a against i+a..i+b
    if count <= 0:
        return 0.0
    width = b - a + 1
    csum = np.vstack([np.zeros((1, 3)), np.cumsum(prof, axis=0, dtype=np.float64)])
    cbad = np.concatenate([[0], np.cumsum(~ok)])
    i = np.arange(b, b + count)
    lo, hi = (csum[i - a + 1] - csum[i - b]) / width, (csum[i + b + 1] - csum[i + a]) / width
    good = (cbad[i - a + 1] - cbad[i - b] == 0) & (cbad[i + b + 1] - cbad[i + a] == 0)
    if not good.any():
        return 0.0
    return float(np.sqrt(((lo - hi)[good] ** 2).sum(axis=1)).max())


# row_flat: the ground's texture is the grey less its Gaussian blur of FLAT_SIGMA (pixel-scale:
# the print's fine pattern and the noise; a coarser band showed nothing), read FLAT_CLEAR pixels
# or more off the ink, in windows one median glyph wide along the band. Tune seeds (pairs
# 700000..700119, ordinary 100000..100059, generator corners): AUROC 0.96 for retyped runs on
# scans against unedited scans (6 of 9 over their largest), 0.68 on every capture; sigma 0.7 /
# 2 / 3 gave 0.88 / 0.58 / 0.48 on scans, windows 1.5 / 2.5 glyphs 0.83 / 0.84. Check pairs
# (750000..750039, ordinary 1400000..1400059): 0.85 on scans, 4 of 8 over the unedited scans'
# largest. A photo's ground (blur, light, an enlarged small card) has quiet windows of its own:
# unedited photos reach 2.7, so the feature speaks for scans.
FLAT_SIGMA = 1.0
FLAT_CLEAR = 3
FLAT_FLOOR = 0.05  # grey levels added to both energies: no ratio of two near-zero textures


def _flat(gray: np.ndarray, glyphs: list[tuple[int, int, int, int]]) -> float:
    """row_flat: log of the band's median texture over its quietest window's (0: no band)."""
    if len(glyphs) < 4:
        return 0.0
    by0 = int(np.median([g[1] for g in glyphs])) - 2
    by1 = int(np.median([g[3] for g in glyphs])) + 2
    bx0, bx1 = min(g[0] for g in glyphs), max(g[2] for g in glyphs)
    pad = 8
    if by0 - pad < 0 or bx0 - pad < 0 or by1 + pad > gray.shape[0] or bx1 + pad > gray.shape[1]:
        return 0.0
    sub = gray[by0 - pad:by1 + pad, bx0 - pad:bx1 + pad]
    texture = np.abs(sub - cv2.GaussianBlur(sub, (0, 0), FLAT_SIGMA))[pad:-pad, pad:-pad]
    ink = (sub < float(np.percentile(sub, 90)) - 30).astype(np.uint8)
    clear = (cv2.dilate(ink, np.ones((2 * FLAT_CLEAR + 1,) * 2, np.uint8)) == 0)[pad:-pad, pad:-pad]
    w = int(np.median([g[2] - g[0] for g in glyphs]))
    if w < 2:
        return 0.0
    kernel = np.ones(w)
    energy = np.convolve((texture * clear).sum(axis=0), kernel, "valid")
    count = np.convolve(clear.sum(axis=0).astype(np.float64), kernel, "valid")
    good = count >= 0.15 * w * (by1 - by0)
    if good.sum() < 5:
        return 0.0
    m = energy[good] / count[good]
    return float(np.log((np.median(m) + FLAT_FLOOR) / (m.min() + FLAT_FLOOR)))


def _runs(gray: np.ndarray, glyphs: list[tuple[int, int, int, int]]) -> dict[str, float]:
    """glyph_stroke, and per glyph property (RUN_NAMES) the most unusual pair of neighbouring
    glyphs: the smaller of the two's robust z-scores against the row."""
    out = dict.fromkeys(("glyph_stroke", *RUN_NAMES), 0.0)
    glyphs = digits(glyphs)
    if len(glyphs) < 5:
        return out
    x0, y0 = min(g[0] for g in glyphs), min(g[1] for g in glyphs)
    x1, y1 = max(g[2] for g in glyphs), max(g[3] for g in glyphs)
    crop = gray[y0:y1, x0:x1]
    ground = float(np.percentile(crop, 90))
    ink = (crop < ground - 50).astype(np.uint8)  # as tampering.glyph_boxes finds the glyphs
    edge = ink - cv2.erode(ink, np.ones((3, 3), np.uint8))
    grad = cv2.magnitude(cv2.Sobel(crop, cv2.CV_32F, 1, 0), cv2.Sobel(crop, cv2.CV_32F, 0, 1))
    resid = np.abs(cv2.filter2D(crop, -1, _KERNEL))
    off_ink = cv2.dilate(ink, np.ones((5, 5), np.uint8)) == 0  # the ground 2 pixels off the ink
    props, centres = [], []
    for gx0, gy0, gx1, gy1 in glyphs:
        box = (slice(gy0 - y0, gy1 - y0), slice(gx0 - x0, gx1 - x0))
        m, e, g = ink[box] > 0, edge[box] > 0, off_ink[box]
        if e.sum() < 4 or m.sum() < 4:
            continue
        dark = ground - float(np.percentile(crop[box][m], 20))
        centres.append((gx0 + gx1) / 2)
        props.append((2.0 * m.sum() / e.sum(), gy1 - gy0, gy1, dark, float(np.percentile(grad[box], 95)) / (dark + 10),
                      float(resid[box][g].mean()) if g.sum() >= 4 else np.nan))
    if len(props) < 5:
        return out
    p = np.array(props, np.float64)
    p[:, 2] = _detrended(np.array(centres), p[:, 2])
    strokes = np.sort(np.abs(np.log(p[:, 0] / np.median(p[:, 0]))))
    out["glyph_stroke"] = float(strokes[-2])
    med = np.nanmedian(p, axis=0)
    mad = np.nanmedian(np.abs(p - med), axis=0) * 1.4826
    floor = np.array([0.15, 1.0, 1.0, 5.0, 0.02, 0.5]) + 0.05 * np.abs(med)  # no z-score from a tiny spread
    z = np.nan_to_num(np.minimum(np.abs(p - med) / np.maximum(mad, floor), 10.0))
    out.update({name: float(v) for name, v in zip(RUN_NAMES, np.minimum(z[1:], z[:-1]).max(axis=0))})
    return out


# digits: a box is a digit of the row when its height is within DIGIT_HEIGHT of the boxes' median
# and it is no wider than DIGIT_WIDTH of that height; the row's first or last box further than
# DIGIT_GAP median pitches from its neighbour is a fragment of the label or other print.
DIGIT_HEIGHT = (0.75, 1.25)
DIGIT_WIDTH = 0.95
DIGIT_GAP = 2.5


def digits(glyphs: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The row's glyph boxes less those that are no digit of it (glyphs unchanged where fewer
    than 5 would be left): the back's period ends in 长期 (its parts are as wide as tall or
    taller than a digit), the label's last character (限) can reach into the row, and a blurred
    photo merges digits into wide blobs. Such boxes set the unedited rows' run_* tails."""
    if len(glyphs) < 5:
        return glyphs
    mh = float(np.median([g[3] - g[1] for g in glyphs]))
    keep = [g for g in glyphs if DIGIT_HEIGHT[0] * mh <= g[3] - g[1] <= DIGIT_HEIGHT[1] * mh
            and g[2] - g[0] <= DIGIT_WIDTH * mh]
    if len(keep) < 5:
        return glyphs
    pitch = float(np.median(np.diff([(g[0] + g[2]) / 2 for g in keep])))
    while len(keep) > 5 and keep[1][0] - keep[0][2] > DIGIT_GAP * pitch:
        keep = keep[1:]
    while len(keep) > 5 and keep[-1][0] - keep[-2][2] > DIGIT_GAP * pitch:
        keep = keep[:-1]
    return keep


def _detrended(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y less its straight trend along x (Theil-Sen: the median of the pairwise slopes, which a
    retyped run of a few glyphs does not move). A card straightened from corners a little off
    tilts the row, and its glyphs' baselines then climb steadily: no glyph is out of line."""
    i, j = np.triu_indices(len(x), 1)
    dx = x[j] - x[i]
    ok = dx > 0
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.any() else 0.0
    return y - slope * x
