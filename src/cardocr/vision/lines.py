"""Card outlines from straight edges: the proposer for photos where no region map works.

The region maps in locate.py fail in two ways that straight lines survive: a card whose edge
fades into a sheet of paper on one side (the region leaks out through the gap), and a card
touched by another object (the region grows a limb). Here the card is four straight edges
instead: line segments (LSD) are merged into lines, lines into near-parallel pairs, and two
pairs that cross at a large angle and have the document's aspect ratio make a quadrilateral.
Each is scored by how much of its outline lies on image edges; the best few go on to the
same "looks like a card" score as the region candidates.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_SEGMENT = 12  # px at work scale: shorter LSD segments are text strokes
MAX_LINES = 400
LSD_QUANT = 1.0  # gradient quantisation bound: 2.0 (OpenCV default) misses faint card edges
PARALLEL_DEG = 14.0  # perspective lets opposite sides of a card differ by this much
MERGE_DEG, MERGE_PX = 2.5, 3.0
# collinear segments further apart along the line than this are two lines: a gap in a card's
# edge (glare, a pen lying across it) is short beside the edge
MERGE_GAP_PX, MERGE_GAP_SHARE = 24.0, 0.5


class _Line:
    __slots__ = ("theta", "rho", "length", "pts", "lo", "hi")

    def __init__(self, theta: float, rho: float, length: float, pts: list) -> None:
        self.theta, self.rho, self.length, self.pts = theta, rho, length, pts
        self.lo = self.hi = 0.0

    def finish(self) -> None:
        """Extent along the line (to compare opposite sides) from its segments' end points."""
        u = np.array([np.cos(self.theta), np.sin(self.theta)])
        t = np.asarray(self.pts) @ u
        self.lo, self.hi = float(t.min()), float(t.max())

    @property
    def density(self) -> float:
        """Inked share of the extent: a card edge is ~1, a line of dashed print much less."""
        return min(1.0, self.length / max(1.0, self.hi - self.lo))


def _angle_diff(a: float, b: float) -> float:
    d = abs(a - b) % np.pi
    return min(d, np.pi - d)


def _segments(gray: np.ndarray) -> np.ndarray:
    lsd = cv2.createLineSegmentDetector(cv2.LSD_REFINE_STD, 0.8, 0.6, LSD_QUANT)
    found = lsd.detect(gray)[0]
    if found is None:
        return np.zeros((0, 4), np.float32)
    seg = found.reshape(-1, 4)
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    return seg[length >= max(MIN_SEGMENT, 0.012 * max(gray.shape))]


def _merge(seg: np.ndarray) -> list[_Line]:
    """Collinear segments (a card edge broken by glare or a touching object) become one line.
    Only near ones: the edge of another object that happens to lie on the same straight line
    further along (a keyboard's side in line with the card's) must not swallow the card's
    edge, or the line's extent no longer ends at the card's corners."""
    lines: list[_Line] = []
    order = np.argsort(-np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]))
    for x0, y0, x1, y1 in seg[order]:
        theta = float(np.arctan2(y1 - y0, x1 - x0) % np.pi)
        n = np.array([-np.sin(theta), np.cos(theta)])
        rho = float(n @ np.array([(x0 + x1) / 2, (y0 + y1) / 2]))
        length = float(np.hypot(x1 - x0, y1 - y0))
        for ln in lines:
            if _angle_diff(ln.theta, theta) < np.radians(MERGE_DEG):
                # compare offsets in the existing line's frame
                ln_n = np.array([-np.sin(ln.theta), np.cos(ln.theta)])
                if (abs(ln_n @ np.array([x0, y0]) - ln.rho) < MERGE_PX
                        and abs(ln_n @ np.array([x1, y1]) - ln.rho) < MERGE_PX):
                    ln_u = np.array([np.cos(ln.theta), np.sin(ln.theta)])
                    t0, t1 = sorted((float(ln_u @ np.array([x0, y0])), float(ln_u @ np.array([x1, y1]))))
                    gap = max(t0 - ln.hi, ln.lo - t1)
                    if gap > max(MERGE_GAP_PX, MERGE_GAP_SHARE * (ln.hi - ln.lo)):
                        continue
                    ln.length += length
                    ln.pts += [(x0, y0), (x1, y1)]
                    ln.lo, ln.hi = min(ln.lo, t0), max(ln.hi, t1)
                    break
        else:
            lines.append(_Line(theta, rho, length, [(x0, y0), (x1, y1)]))
            lines[-1].finish()
    for ln in lines:
        ln.finish()
    # rows of print are collinear dashes that merge into long lines; ink density tells them apart
    lines = [ln for ln in lines if ln.density > 0.6]
    lines.sort(key=lambda ln: -ln.length * ln.density)
    return lines[:MAX_LINES]


def _support(edges: np.ndarray, quad: np.ndarray) -> float:
    """Share of the outline (corners left out: cards are rounded there) that lies on edges;
    the weakest side counts most, so three strong sides and one invented one score low."""
    h, w = edges.shape
    t = np.linspace(0.1, 0.9, 24)[:, None]
    shares = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        pts = a + (b - a) * t
        xi = pts[:, 0].round().astype(int)
        yi = pts[:, 1].round().astype(int)
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        if inside.mean() < 0.8:
            return 0.0
        shares.append(float(edges[yi[inside], xi[inside]].mean() / 255))
    return float(min(shares) * 0.6 + np.mean(shares) * 0.4)


def propose(gray: np.ndarray, edges: np.ndarray, aspect: float, min_area: float,
            limit: int = 8) -> list[tuple[np.ndarray, float]]:
    """Quadrilaterals (4x2, work-scale pixels) with an outline score in [0, 1], best first.

    `edges`: a (dilated) edge map of `gray`; `min_area`: the smallest card area in pixels.
    """
    lines = _merge(_segments(gray))
    if len(lines) < 4:
        return []
    img_area = float(gray.shape[0] * gray.shape[1])
    theta = np.array([ln.theta for ln in lines])
    rho = np.array([ln.rho for ln in lines])
    n = np.stack([-np.sin(theta), np.cos(theta)], axis=1)  # unit normals: n . p = rho on the line
    u = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    ends = np.array([[np.asarray(ln.pts)[np.argmin(np.asarray(ln.pts) @ u[k])],
                      np.asarray(ln.pts)[np.argmax(np.asarray(ln.pts) @ u[k])]] for k, ln in enumerate(lines)])
    span = np.array([ln.hi - ln.lo for ln in lines])

    # near-parallel pairs with their gap, overlapping along their length
    pairs = []
    for i in range(len(lines)):
        j = np.arange(i + 1, len(lines))
        d = np.abs(theta[j] - theta[i]) % np.pi
        d = np.minimum(d, np.pi - d)
        ok = d < np.radians(PARALLEL_DEG)
        j = j[ok]
        if not len(j):
            continue
        mid = ends[j].mean(axis=1)
        gap = np.abs(mid @ n[i] - rho[i])
        t = ends[j] @ u[i]  # the other line's end points along this one
        lo, hi = np.maximum(t.min(axis=1), lines[i].lo), np.minimum(t.max(axis=1), lines[i].hi)
        overlap = np.clip(hi - lo, 0, None) / np.maximum(1.0, np.minimum(span[i], span[j]))
        short = np.minimum(span[i], span[j])
        keep = (gap >= 15) & (overlap > 0.5) & (short > 0.2 * gap / aspect) & \
               (np.maximum(span[i], span[j]) < 1.3 * gap * aspect)
        for jj, g in zip(j[keep], gap[keep]):
            pairs.append((i, int(jj), float(g)))
    if len(pairs) < 2:
        return []
    pa = np.array([p[0] for p in pairs])
    pb = np.array([p[1] for p in pairs])
    pgap = np.array([p[2] for p in pairs])
    ptheta = theta[pa]

    found: list[tuple[np.ndarray, float]] = []
    for k in range(len(pairs)):
        d = np.abs(ptheta - ptheta[k]) % np.pi
        d = np.minimum(d, np.pi - d)
        ratio = np.maximum(pgap, pgap[k]) / np.minimum(pgap, pgap[k])
        area = pgap * pgap[k]
        cand = np.nonzero((np.arange(len(pairs)) > k) & (d > np.radians(60)) & (ratio > 0.8 * aspect) &
                          (ratio < 1.25 * aspect) & (area > min_area) & (area < 0.985 * img_area))[0]
        if not len(cand):
            continue
        # the four corners of every candidate at once: line a x line b, solved as 2x2 systems
        a1, a2 = pa[k], pb[k]
        b1, b2 = pa[cand], pb[cand]
        quads = np.stack([_cross(a1, b1, n, rho), _cross(b1, a2, n, rho), _cross(a2, b2, n, rho),
                          _cross(b2, a1, n, rho)], axis=1)  # (m, 4, 2)
        # every corner must sit near the ends of the two lines that make it: a card's sides
        # run into its corners, a stray line crossing the page does not
        near = _corner_fit(quads, a1, a2, b1, b2, ends, u, pgap[k], pgap[cand])
        for q, r in zip(quads[near], ratio[cand][near]):
            if not cv2.isContourConvex(q.astype(np.float32).reshape(-1, 1, 2)):
                continue
            support = _support(edges, q)
            if support > 0.35:
                found.append((q.astype(np.float32), support * float(np.exp(-((r - aspect) / 0.25) ** 2))))
    found.sort(key=lambda q: -q[1])
    chosen: list[tuple[np.ndarray, float]] = []
    for quad, score in found:
        # one card makes many near-identical quads (its inner print frame, its outer edge)
        if all(np.abs(quad[:, None] - c[None]).sum(axis=2).min(axis=1).max() > 6 for c, _ in chosen):
            chosen.append((quad, score))
        if len(chosen) == limit:
            break
    return chosen


def _cross(i, j, n: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Intersections of lines i and j (index arrays or ints, broadcast), as (m, 2)."""
    i, j = np.broadcast_arrays(np.atleast_1d(i), np.atleast_1d(j))
    m = np.stack([n[i], n[j]], axis=1)  # (m, 2, 2)
    det = np.linalg.det(m)
    det = np.where(np.abs(det) < 1e-6, 1e-6, det)
    r1, r2 = rho[i], rho[j]
    x = (r1 * m[:, 1, 1] - r2 * m[:, 0, 1]) / det
    y = (m[:, 0, 0] * r2 - m[:, 1, 0] * r1) / det
    return np.stack([x, y], axis=1)


def _corner_fit(quads, a1, a2, b1, b2, ends, u, gap_a, gap_b) -> np.ndarray:
    """Per quad: do its corners lie within reach of the ends of the lines that meet there?
    One line may fall short of one corner (a side whose edge shows only in part, against a
    sheet of the card's own colour); every corner still needs one line reaching it."""
    corner_lines = ((0, (a1, b1)), (1, (b1, a2)), (2, (a2, b2)), (3, (b2, a1)))
    reach = 0.35 * np.minimum(gap_a, gap_b) + 6
    misses = np.zeros(len(quads), int)
    ok = np.ones(len(quads), bool)
    for c, (l1, l2) in corner_lines:
        p = quads[:, c]
        reached = np.zeros(len(quads), int)
        for ln in (l1, l2):
            ln = np.broadcast_to(np.atleast_1d(ln), (len(quads),))
            t = np.einsum("md,md->m", p, u[ln])
            lo = np.einsum("md,md->m", ends[ln, 0], u[ln])
            hi = np.einsum("md,md->m", ends[ln, 1], u[ln])
            reached += (t > lo - reach) & (t < hi + reach)
        ok &= reached > 0
        misses += 2 - reached
    return ok & (misses <= 1)
