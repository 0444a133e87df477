"""Find ID-1 sized cards in a photo and straighten them to the canonical 856x540 card.

The card is found as a large convex quadrilateral with an ID-1 aspect ratio (85.6 x 54 mm),
searched on a downscaled copy under several edge/segmentation maps because no single map
works on every background; quadrilaterals from all maps compete on one score. The
returned corners are in original-image pixels, so field locations can be mapped back.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..types import CARD_H, CARD_W, ID1_ASPECT
from . import lines
from .geometry import map_points, order_corners

MIN_AREA = 0.004  # of the photo: a card 15% of the width of a 4:3 photo is 1.1%
WORK_SIDE = 1400  # the search runs on a copy this large: enough for a card 15% of the width
FIT_POINTS = 128  # outline points per side a line fit uses
# a card whose long side spans this many pixels of the search's copy has corners precise
# enough for the 856 px canonical card; only smaller ones are searched again in a crop
REFINE_BELOW = 600
MIN_SHAPE = 0.08  # an outline whose shape scores under this is not a card
# a polygon whose shape scores in (0, this] is not refined by a side fit: the fit moves a
# corner by at most 4% of the diagonal, and none of 2,147 such polygons (270 generated
# photos, seeds 300000 on) reached MIN_SHAPE after it; fits were about a sixth of the
# search. A polygon scoring 0 is still fitted: one filling the whole photo, or at the
# smallest size, can come inside the limits once its corners move
HOPELESS_SHAPE = 0.02
# how far an outline's long/short ratio may stray from the document's (Gaussian width): a card
# seen at a slant is squeezed across the tilt's axis. The slow search, run only when the quick
# one read nothing, also takes outlines within DEEP_ASPECT_TOL, at SQUEEZED_WEIGHT of their
# score, so they come after (and, overlapping, give way to) any outline of the card's shape: a
# small card tilted by its corners' jitter measured 2.0 against ID-1's 1.59 (HK small, seed
# 1300052: its outline scored 0.01 and was never read); at full weight a 1.2 blob around a
# card outranked the card's own outline (HK layout, seed 1400056)
ASPECT_TOL = 0.2
DEEP_ASPECT_TOL = 0.45
SQUEEZED_WEIGHT = 0.5


@dataclass
class CardQuad:
    corners: np.ndarray  # 4x2, original pixels, order TL TR BR BL of the straightened card
    score: float
    method: str  # which map found it (recorded for debugging and the benchmark)

    def homography(self) -> np.ndarray:
        """Original image → canonical card pixels."""
        dst = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
        return cv2.getPerspectiveTransform(self.corners.astype(np.float32), dst)

    def warp(self, image: np.ndarray) -> np.ndarray:
        return cv2.warpPerspective(image, self.homography(), (CARD_W, CARD_H), flags=cv2.INTER_AREA
                                   if self._shrinks() else cv2.INTER_CUBIC)

    def to_original(self, pts: np.ndarray) -> np.ndarray:
        return map_points(np.linalg.inv(self.homography()), pts)

    def rotated_180(self) -> CardQuad:
        return CardQuad(np.roll(self.corners, 2, axis=0), self.score, self.method)

    def _shrinks(self) -> bool:
        return float(np.linalg.norm(self.corners[0] - self.corners[1])) > CARD_W * 1.5


def _masks(small: np.ndarray, gray: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Binary maps in which the card may show up as one region. No single map works on every
    background (white paper, wood, clutter), so all of them propose and the scores decide."""
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    maps = []
    out = []  # finished maps
    med = percentile_u8(blur, 50)
    for name, lo, hi in (("canny", max(10, 0.5 * med), min(255, 1.2 * med + 30)), ("canny_low", 8, 24)):
        edges = _edges(blur, lo, hi)
        closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
        cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        filled = np.zeros_like(closed)
        cv2.drawContours(filled, cnts, -1, 255, thickness=cv2.FILLED)
        # opened by 9x9, then closed like the other maps; their 3x3 opening is left out, as
        # an opening by a 9x9 square leaves nothing a 3x3 one would remove
        opened = cv2.morphologyEx(filled, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
        out.append((name, cv2.morphologyEx(opened, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))))
        # the regions *between* edges: a card lying on or against a sheet of paper merges with
        # it when filled, but its outline still encloses it
        out.append((name + "_cells", cv2.erode(255 - closed, np.ones((3, 3), np.uint8))))
    _, otsu = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    maps += [("otsu", otsu), ("otsu_inv", 255 - otsu)]
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    v = hsv[:, :, 2]
    # saturation under 70 and value over its 40th percentile (v > p is v >= floor(p) + 1 for
    # whole levels), 255 where both hold: OpenCV's inRange, a third of numpy's time
    pale = cv2.inRange(hsv, (0, 0, int(np.floor(percentile_u8(v, 40))) + 1), (255, 69, 255))
    maps.append(("pale", pale))
    # distance from the colour of the photo's border: a card on a plain sheet or table
    ring = np.concatenate([small[:4].reshape(-1, 3), small[-4:].reshape(-1, 3),
                           small[:, :4].reshape(-1, 3), small[:, -4:].reshape(-1, 3)])
    bg = np.median(ring, axis=0)
    # summed over the channels by OpenCV, saturating at 255 (only > 18 matters); numpy's
    # int16 arithmetic over the three channels was 40% of the whole search
    colour = tuple(float(c) for c in bg.astype(np.int16)) + (0.0,)  # in whole levels
    # (OpenCV's stubs lack absdiff's Scalar form, which this is)
    diff = cv2.absdiff(cv2.GaussianBlur(small, (7, 7), 0), colour)  # type: ignore[call-overload]
    dist = cv2.transform(diff, np.ones((1, 3), np.float32))
    maps.append(("not_border", cv2.threshold(dist, 18, 255, cv2.THRESH_BINARY)[1]))
    for name, m in maps:
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
        out.append((name, cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))))
    return out


def percentile_u8(img: np.ndarray, q: float) -> float:
    """np.percentile(img, q) for an 8-bit image (the same linear interpolation between the
    two nearest order statistics), from its histogram: ten times faster on a photo."""
    hist = cv2.calcHist([np.ascontiguousarray(img)], [0], None, [256], [0, 256]).ravel()
    cum = np.cumsum(hist.astype(np.int64))
    pos = q / 100 * (cum[-1] - 1)
    k = int(np.floor(pos))
    # the value of order statistic k (0-based) is the first level whose count passes k
    lo = int(np.searchsorted(cum, k + 1))
    hi = int(np.searchsorted(cum, k + 2)) if pos > k else lo
    return float(lo + (pos - k) * (hi - lo))


def _edges(blur: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Canny edges of a blurred grey image, thickened by a pixel so that outlines close."""
    return cv2.dilate(cv2.Canny(blur, lo, hi), np.ones((3, 3), np.uint8))


def _outline_polygon(cnt: np.ndarray) -> tuple[np.ndarray, bool]:
    """A quadrilateral for the outline: its hull's 4-corner approximation (True), or failing
    that the hull's smallest enclosing rectangle (False; nothing to refine)."""
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32), True
    rect = cv2.minAreaRect(hull)
    return cv2.boxPoints(rect).astype(np.float32), False


def _fit_sides(quad: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Corners of the card's underlying rectangle: fit a line to the outline points along the
    middle of each side and intersect neighbours. Cards have rounded corners, which pull a
    polygon approximation's corners inwards; the straight parts of the sides do not."""
    q = order_corners(quad)
    pts = pts.astype(np.float32)
    lines = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        d = b - a
        length = float(np.linalg.norm(d))
        if length < 8:
            return q
        u = d / length
        n = np.array([-u[1], u[0]], dtype=np.float32)
        rel = pts - a
        along = rel @ u
        across = np.abs(rel @ n)
        sel = pts[(along > 0.15 * length) & (along < 0.85 * length) & (across < max(3.0, 0.04 * length))]
        if len(sel) < 4:
            return q
        # outline points come in order along the contour: every k-th keeps the side's whole
        # length, and a robust fit needs no more than ~128 (it was a third of the search)
        sel = sel[::max(1, len(sel) // FIT_POINTS)]
        vx, vy, x0, y0 = cv2.fitLine(sel, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    out = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        m = np.array([d1, -d2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            return q
        t = np.linalg.solve(m, p2 - p1)
        out.append(p1 + t[0] * d1)
    res = np.array(out, dtype=np.float32)
    # a fit that moved a corner far from the polygon is a bad fit: keep the polygon
    if np.abs(res - q).max() > 0.04 * np.linalg.norm(q[0] - q[2]):
        return q
    return res


def _shape_score(quad: np.ndarray, cnt_area: float, img_area: float, aspect_want: float = ID1_ASPECT,
                 aspect_tol: float = ASPECT_TOL) -> float:
    q = order_corners(quad)
    area = cv2.contourArea(q)
    if area < img_area * MIN_AREA or area > img_area * 0.985:
        return 0.0
    sides = [np.linalg.norm(q[i] - q[(i + 1) % 4]) for i in range(4)]
    long_ = (sides[0] + sides[2]) / 2
    short = (sides[1] + sides[3]) / 2
    if min(long_, short) < 20:
        return 0.0
    aspect = max(long_, short) / min(long_, short)
    aspect_fit = np.exp(-((aspect - aspect_want) / aspect_tol) ** 2)
    fill = min(1.0, cnt_area / max(area, 1))  # a filled blob, not a frame of lines
    opp = min(sides[0], sides[2]) / max(sides[0], sides[2]) * min(sides[1], sides[3]) / max(sides[1], sides[3])
    return float(aspect_fit * fill ** 2 * opp)


def _edge_samples() -> np.ndarray:
    """Points 4 px inside, then 4 px outside, each side of the 160x100 patch _content_score
    warps a candidate to (12 a side, over its middle 70%), as one 1x96x2 float32 array."""
    inner, outer = [], []
    for (ax, ay), (bx, by), (nx, ny) in (((0, 0), (160, 0), (0, -1)), ((160, 0), (160, 100), (1, 0)),
                                        ((160, 100), (0, 100), (0, 1)), ((0, 100), (0, 0), (-1, 0))):
        t = np.linspace(0.15, 0.85, 12)[:, None]
        pts = np.hstack([ax + (bx - ax) * t, ay + (by - ay) * t])
        inner.append((pts - 4 * np.array([nx, ny])).astype(np.float32))
        outer.append((pts + 4 * np.array([nx, ny])).astype(np.float32))
    return np.concatenate(inner + outer)[None]


_EDGE_SAMPLES = _edge_samples()


def _sample(img: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The pixels nearest to points `p` (Nx2, x y), clipped to the image, as float32."""
    xi = np.clip(p[:, 0].round().astype(int), 0, img.shape[1] - 1)
    yi = np.clip(p[:, 1].round().astype(int), 0, img.shape[0] - 1)
    return img[yi, xi].astype(np.float32)


def _content_score(small: np.ndarray, quad: np.ndarray) -> float:
    """Does the inside look like a card: pale, with small dark print, and a visible edge?"""
    q = _landscape(order_corners(quad))
    dst = np.array([[0, 0], [160, 0], [160, 100], [0, 100]], np.float32)
    m = cv2.getPerspectiveTransform(q.astype(np.float32), dst)
    patch = cv2.warpPerspective(small, m, (160, 100))
    hsv = cv2.cvtColor(patch, cv2.COLOR_BGR2HSV)
    pale = np.clip((np.median(hsv[:, :, 2]) - 120) / 80, 0, 1) * np.clip((110 - np.median(hsv[:, :, 1])) / 70, 0, 1)
    g = cv2.cvtColor(patch, cv2.COLOR_BGR2GRAY)
    strokes = cv2.morphologyEx(g, cv2.MORPH_BLACKHAT, np.ones((5, 5), np.uint8)) > 25
    f = float(strokes[8:-8, 8:-8].mean())
    print_like = 1.0 if 0.008 < f < 0.3 else 0.3
    # contrast across each side: sample just inside and just outside the outline, all four
    # sides in one transform (a loop over the sides was most of this function's time)
    inv = np.linalg.inv(m)
    inner, outer = cv2.perspectiveTransform(_EDGE_SAMPLES, inv)[0].reshape(2, -1, 2)
    step = np.abs(_sample(small, inner) - _sample(small, outer)).sum(axis=1)
    contrasts = np.median(step.reshape(4, -1), axis=1)
    edge = float(np.clip(float(contrasts.min()) / 25, 0.1, 1.0))
    return float((0.3 + 0.7 * pale) * print_like * edge)


def find_cards(image: np.ndarray, max_cards: int = 2, aspect: float = ID1_ASPECT,
               deep: bool = False, exclude: list[np.ndarray] | None = None,
               spare: list[CardQuad] | None = None) -> list[CardQuad]:
    """Card candidates, best first, not overlapping one another. `aspect`: the document's
    long side over its short side (ID-1 cards by default).

    `deep`: the slower search for when the first one found nothing readable: the region maps
    are also opened at four sizes (cutting off a touching object, or closing the gap through
    which a card lying on paper leaks into it), and straight edges propose outlines too.

    A card that is small in a large photo is found on the downscaled copy, then found again
    in a crop around it at a finer scale, so its corners are as precise as a large card's.

    `exclude`: quads (4x2, photo pixels) of cards already found, blanked out of every map, so
    that a card lying against or partly under one of them is found on its own (multi-card).

    `spare` (quick search only): the outlines only the slow search's aspect tolerance takes (a
    card seen at a slant), apart from those returned, are appended to it, unzoomed. The
    multi-card signal looks at them for a second card; the reading never tries them.
    """
    h, w = image.shape[:2]
    work_scale = min(1.0, WORK_SIDE / max(h, w))
    found = _find(image, max_cards, aspect, deep, exclude, spare)
    refined = []
    for c in found:
        x0, y0 = c.corners.min(axis=0)
        x1, y1 = c.corners.max(axis=0)
        extent = max(x1 - x0, y1 - y0)
        if extent > 0.6 * max(h, w) or extent * work_scale >= REFINE_BELOW:
            refined.append(c)
            continue
        # the deep search's candidates may be part of a card (a region cut at a faint edge):
        # look wider around them, and accept a card that contains the candidate
        margin = 0.35 if deep else 0.12
        mx, my = margin * (x1 - x0), margin * (y1 - y0)
        xa, ya = int(max(0, x0 - mx)), int(max(0, y0 - my))
        xb, yb = int(min(w, x1 + mx)), int(min(h, y1 + my))
        offset = np.array([xa, ya], np.float32)
        again = _find(image[ya:yb, xa:xb], 1, aspect, exclude=[q - offset for q in exclude or []])
        if again and (_same_card(again[0].corners + offset, c.corners) or
                      deep and _contains(again[0].corners + offset, c.corners)):
            refined.append(CardQuad(again[0].corners + offset, c.score, c.method + "+zoom"))
        else:
            refined.append(c)
    return refined


def _contains(outer: np.ndarray, inner: np.ndarray) -> bool:
    """`outer` holds most of `inner` and is at most twice its size (a card around a part of it)."""
    ratio = cv2.contourArea(outer.astype(np.float32)) / max(1.0, cv2.contourArea(inner.astype(np.float32)))
    return 1.0 <= ratio < 2.0 and overlap(outer, inner) > 0.85


OPENINGS = (7, 9, 15, 25)  # px at work scale, for the deep search
LINE_QUADS = 24  # outlines from straight edges the deep search scores


def _find(image: np.ndarray, max_cards: int, aspect: float, deep: bool = False,
          exclude: list[np.ndarray] | None = None, spare: list[CardQuad] | None = None) -> list[CardQuad]:
    chosen: list[CardQuad] = []
    slanted: list[CardQuad] | None = [] if spare is not None and not deep else None
    for c in candidates(image, aspect, deep, exclude, slanted):
        # a candidate inside a better one (the portrait inside the card) is kept: the reader
        # tries candidates in order and skips one without the card's text
        if all(overlap(c.corners, o.corners, of_larger=True) < 0.5 for o in chosen):
            chosen.append(c)
        if len(chosen) == max_cards:
            break
    if spare is not None and slanted:
        for c in sorted(slanted, key=lambda c: -c.score):
            if all(overlap(c.corners, o.corners, of_larger=True) < 0.5 for o in chosen + spare):
                spare.append(c)
    return chosen


def candidates(image: np.ndarray, aspect: float, deep: bool = False,
               exclude: list[np.ndarray] | None = None, slanted: list[CardQuad] | None = None) -> list[CardQuad]:
    """Every outline that may be a card, best first, overlapping ones included (photo pixels,
    no zoom): _find keeps those apart, vision.recheck looks among the rest. `slanted` (quick
    search): gets, scored as the slow search would, the outlines only its tolerance takes."""
    h, w = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    img_area = float(gray.shape[0] * gray.shape[1])
    found: list[CardQuad] = []
    tol = DEEP_ASPECT_TOL if deep else ASPECT_TOL
    maps = _masks(small, gray)
    if exclude:
        maps = [(name, _blank(m, exclude, scale)) for name, m in maps]
    if deep:
        maps = [(f"{name}_open{k}", cv2.morphologyEx(m, cv2.MORPH_OPEN, cv2.getStructuringElement(
            cv2.MORPH_ELLIPSE, (k, k)))) for name, m in maps for k in OPENINGS]
        edges = _edges(cv2.GaussianBlur(gray, (5, 5), 0), 8, 24)  # the canny_low map's edges
        # many outlines (a keyboard is a grid of them): the content score below decides
        for quad, outline in lines.propose(gray, edges, aspect, img_area * MIN_AREA, limit=LINE_QUADS):
            s = outline * _content_score(small, quad)
            if s > 0.1:
                found.append(CardQuad(_landscape(order_corners(quad)) / scale, s, "lines"))
    for name, mask in maps:
        cnts, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for cnt in sorted(cnts, key=cv2.contourArea, reverse=True)[:10]:
            area = cv2.contourArea(cnt)
            if area < img_area * MIN_AREA:
                break
            quad, polygon = _outline_polygon(cnt)
            shape = _shape_score(quad, area, img_area, aspect, tol)
            if polygon and not 0 < shape <= HOPELESS_SHAPE:
                quad = _fit_sides(quad, cnt.reshape(-1, 2))
                shape = _shape_score(quad, area, img_area, aspect, tol)
            if shape < MIN_SHAPE:
                if slanted is not None and (loose := _shape_score(quad, area, img_area, aspect,
                                                                  DEEP_ASPECT_TOL)) >= MIN_SHAPE:
                    s = loose * SQUEEZED_WEIGHT * _content_score(small, quad)
                    if s > 0.1:
                        slanted.append(CardQuad(_landscape(order_corners(quad)) / scale, s, name + "_slanted"))
                continue
            if deep:  # the card's own shape scores as in the quick search; a squeezed one less
                strict = _shape_score(quad, area, img_area, aspect)
                shape = strict if strict >= MIN_SHAPE else shape * SQUEEZED_WEIGHT
            s = shape * _content_score(small, quad)
            if s > 0.1:
                found.append(CardQuad(_landscape(order_corners(quad)) / scale, s, name))
    found.sort(key=lambda c: -c.score)
    return found


def _blank(mask: np.ndarray, quads: list[np.ndarray], scale: float) -> np.ndarray:
    """The map with these quads (photo pixels), grown by 3% of their size, set to 0: their
    outlines and insides no longer join a neighbouring card's region."""
    out = mask.copy()
    for q in quads:
        q = np.asarray(q, np.float32) * scale
        centre = q.mean(axis=0)
        grown = centre + (q - centre) * 1.06
        cv2.fillPoly(out, [np.round(grown).astype(np.int32)], 0)
    return out


def _landscape(q: np.ndarray) -> np.ndarray:
    """Start the corner order so that the first edge is a long edge (card upright or upside down)."""
    if np.linalg.norm(q[0] - q[1]) < np.linalg.norm(q[1] - q[2]):
        q = np.roll(q, -1, axis=0)  # TR becomes the new TL: a 90° turn
    return q


def overlap(a: np.ndarray, b: np.ndarray, of_larger: bool = False) -> float:
    """Intersection as a share of the smaller (or, with of_larger, the larger) quad."""
    a, b = a.astype(np.float32), b.astype(np.float32)
    area_a, area_b = cv2.contourArea(a), cv2.contourArea(b)
    inter, _ = cv2.intersectConvexConvex(a, b)
    return float(inter / max(1.0, max(area_a, area_b) if of_larger else min(area_a, area_b)))


def _same_card(a: np.ndarray, b: np.ndarray) -> bool:
    """The zoomed search found the same card (not a part of it, nor something beside it)."""
    ratio = cv2.contourArea(a.astype(np.float32)) / max(1.0, cv2.contourArea(b.astype(np.float32)))
    return 0.85 < ratio < 1.18 and overlap(a, b) > 0.85
