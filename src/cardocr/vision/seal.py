"""A red seal's text as straight lines for the recogniser: pure vision, no names.

A seal is found by its red ink, told round from square by its outline, and its text
straightened: the rim of a round seal unwrapped into one line (the band and the arc the text
fills), the rows of a square seal deskewed and cut apart. The lines are dark ink on white,
made from the green channel (where red ink is dark) gated by redness, so black print and a
coloured guilloche under the seal stay out. What the text says is the caller's business.

The region handed in must have square pixels (a circle on paper a circle in the image).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .locate import percentile_u8

# Unwrapped at the band's own scale, rim glyphs come out about 1.35 times as wide as tall
# (median 65 px a character at 48 px high, over 37 generated seals), and the recogniser's
# cost grows with the strip's width. Narrowed to 0.55, glyphs are about 3/4 as wide as tall,
# still some 4 timesteps each: on 180 generated main pages the names chosen and every other
# field were the same as at 0.75 (and at 0.5; at 0.4 one name was lost), and a round seal
# took ~5 ms less.
# Short strips are left as they are: a name needs at least a timestep (8 px) a character,
# plus one between repeats.
RIM_SQUEEZE = 0.55
RIM_MIN_SQUEEZED = 600
# a disc fills pi/4 of its bounding square (measured: round <= 0.84, square >= 0.94)
ROUND_FILL = 0.88
# a round seal's outer radius in the region's pixels (what _fit_rim accepts)
RIM_RADIUS = (60, 140)
# the rim's band is inked in this share of all directions around a round seal; a square
# seal's border, meeting the band where it is within 13% of a circle, in at most ~60%
# (more for a thick double border)
RING_SUPPORT = 0.8
# and just outside it (1.08-1.25 of the radius) in at most this share: a square's corners
# stand out there in about half of all directions, a round seal has nothing there but the
# print a tinted page lets in
RING_BEYOND = 0.3
RING_CANDIDATES = 3


@dataclass
class Seal:
    """A seal found in a region: its text lines (greyscale, dark ink on white; a round seal
    gives one, a square seal one per row, either may give none) and its box in the region's
    pixels (x0, y0, x1, y1)."""

    lines: list[np.ndarray]
    bbox: tuple[float, float, float, float]
    round: bool


def find_seal(region: np.ndarray) -> Seal | None:
    """The seal in a BGR region with square pixels, or None when there is too little red ink
    for one."""
    found = _red_ink(region)
    if found is None:
        return None
    red, seal, pts = found
    ink = _seal_ink(region, red, seal)
    ring = _ring(seal, pts)
    if ring is not None:  # a rim the red ink draws all the way round: a round seal
        cx, cy, rad = ring
        return Seal(_unwrap_round(ink, cx, cy, rad), (cx - rad, cy - rad, cx + rad, cy + rad), True)
    hull = cv2.convexHull(pts)
    if not _fills_its_box(pts):
        circle = _fit_rim(pts)
        if circle is None:
            (ex, ey), er = cv2.minEnclosingCircle(hull)
            circle = (float(ex), float(ey), float(er))
        cx, cy, rad = circle
        return Seal(_unwrap_round(ink, cx, cy, rad), (cx - rad, cy - rad, cx + rad, cy + rad), True)
    crops, bbox = _square_rows(ink, hull)
    return Seal(crops, bbox, False)


def _redness(img: np.ndarray) -> np.ndarray:
    """Red ink over the page: how far red stands above the brighter of green and blue,
    beyond what the page's own colour gives (float, 0 on the page and the green guilloche).
    Measured against the page's median first and only then cut at 0: on a lavender or green
    page red is below blue or green everywhere, and a thin blurred stroke of red ink only
    brings it less far below. Black print is 0 on a white page but not on a tinted one (its
    grey stands above the page's red-minus-blue); the seal's ink gate takes it in there."""
    f = img.astype(np.float32)
    signed = f[..., 2] - np.maximum(f[..., 1], f[..., 0])
    return np.maximum(signed - float(np.median(signed)), 0.0)


def _red_ink(region: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The seal's red ink: (redness above the page's own, mask of the seal's ink, its pixel
    coordinates as x, y), or None when there is too little red ink for a seal."""
    red = _redness(cv2.GaussianBlur(region, (3, 3), 0))
    top = float(np.percentile(red, 99))  # the ink's level (the solid star is rarer than 1 %)
    if top < 12:
        return None
    mask = (red > max(8.0, 0.3 * top)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= 12
    mask = keep[labels].astype(np.uint8)
    if mask.sum() < 300:
        return None
    # the seal is where red ink is densest; its ink is what lies within a seal's reach of
    # the ink's middle there
    dens = cv2.boxFilter(mask.astype(np.float32), -1, (71, 71))
    sy, sx = (int(i) for i in np.unravel_index(int(np.argmax(dens)), dens.shape))
    ys, xs = np.nonzero(mask)
    for reach in (160, 130):
        y0, y1, x0, x1 = max(0, sy - reach), sy + reach, max(0, sx - reach), sx + reach
        inside = (ys >= y0) & (ys < y1) & (xs >= x0) & (xs < x1)
        pts = np.column_stack((xs[inside], ys[inside])).astype(np.float32)
        if len(pts) < 100:
            return None
        sx, sy = (int(v) for v in np.median(pts, axis=0))
    win = np.zeros_like(mask)
    win[y0:y1, x0:x1] = 1  # the last window, as a mask
    return red, mask & win, pts


def _seal_ink(region: np.ndarray, red: np.ndarray, seal: np.ndarray) -> np.ndarray:
    """The seal as dark ink on white. The detail comes from the green channel (red ink is
    dark in it, and a JPEG keeps it at full resolution, where it halves the chroma that
    redness is made of); redness only says which dark pixels are seal ink (not black print,
    not the green or pink guilloche)."""
    green = region[..., 1]
    g = green.astype(np.float32)
    bg = percentile_u8(green, 50)
    ink_level = percentile_u8(green[seal > 0], 10) if seal.any() else 0.0
    dark = np.clip((bg - g) / max(bg - ink_level, 1.0), 0, 1)
    level = float(np.percentile(red[seal > 0], 90)) if seal.any() else 1.0
    gate = np.clip(red / max(0.35 * level, 1.0), 0, 1)
    return (255 - 255 * dark * gate).astype(np.uint8)


def _ring(mask: np.ndarray, pts: np.ndarray) -> tuple[float, float, float] | None:
    """A round seal's rim found by its own evidence: circles the red ink suggests (Hough),
    each refined on the ink within its reach (_fit_rim: so print a tinted page lets into the
    red ink, beside or under the seal, does not pull the rim), and kept when that ink's
    outline is not a square's and the ink covers the refined rim in at least RING_SUPPORT of
    all directions. A round rim half lost in a reflection falls back on the outline test
    (find_seal). Returns (centre, outer radius) or None."""
    img = cv2.GaussianBlur(mask.astype(np.uint8) * 255, (5, 5), 0)
    found = cv2.HoughCircles(img, cv2.HOUGH_GRADIENT, dp=2, minDist=40, param1=100, param2=40,
                             minRadius=RIM_RADIUS[0], maxRadius=RIM_RADIUS[1])
    if found is None:
        return None
    best: tuple[float, tuple[float, float, float]] | None = None
    for hx, hy, hr in found[0][:RING_CANDIDATES]:
        near = np.hypot(pts[:, 0] - hx, pts[:, 1] - hy) <= 1.3 * hr
        if near.sum() < 100 or _fills_its_box(pts[near]):  # a square seal (a dense one meets any circle)
            continue
        circle = _fit_rim(pts[near])
        if circle is None:
            continue
        support = _rim_support(mask, *circle, band=(0.9, 1.02))
        beyond = _rim_support(mask, *circle, band=(1.08, 1.25))
        if support >= RING_SUPPORT and beyond <= RING_BEYOND and (best is None or support > best[0]):
            best = (support, circle)
    return None if best is None else best[1]


def _fills_its_box(pts: np.ndarray) -> bool:
    """The ink's outline fills its (rotated) bounding box as a square does, not as a disc."""
    hull = cv2.convexHull(pts.astype(np.float32))
    rect = cv2.minAreaRect(hull)
    return bool(cv2.contourArea(hull) >= ROUND_FILL * rect[1][0] * rect[1][1])


def _rim_support(mask: np.ndarray, cx: float, cy: float, rad: float, band: tuple[float, float]) -> float:
    """The share of directions (2 degree steps) in which the mask has ink between band[0]
    and band[1] times the radius."""
    th = np.radians(np.arange(0, 360, 2, dtype=np.float32))
    rho = np.linspace(band[0] * rad, band[1] * rad, 9, dtype=np.float32)
    polar = _polar((mask > 0).astype(np.uint8) * 255, cx, cy, th, rho)
    return float(((polar > 127).any(axis=0)).mean())


def _fit_rim(pts: np.ndarray) -> tuple[float, float, float] | None:
    """A round seal's rim: the outermost ink in every direction lies on one circle; fitted
    to those points with stray specks dropped. Returns (centre, outer radius) or None."""
    c = np.median(pts, axis=0)
    d = pts - c
    ang = np.arctan2(d[:, 1], d[:, 0])
    dist = np.hypot(d[:, 0], d[:, 1])
    bins = ((ang + np.pi) / (2 * np.pi) * 90).astype(int) % 90
    # per direction bin, its farthest point (the first of equals): sorted by bin, then
    # farthest first, then by index, each bin's first entry
    order = np.lexsort((np.arange(len(dist)), -dist, bins))
    _, first = np.unique(bins[order], return_index=True)
    edge_idx = order[first]
    edge = pts[edge_idx[dist[edge_idx] > 0]].astype(np.float64)
    if len(edge) < 45:
        return None
    use = np.ones(len(edge), bool)
    for tol in (0.25, 0.12, 0.07, 0.07):  # least-squares circle (Kåsa), dropping stray specks
        e = edge[use]
        a = np.column_stack([2 * e[:, 0], 2 * e[:, 1], np.ones(len(e))])
        sol, *_ = np.linalg.lstsq(a, (e ** 2).sum(axis=1), rcond=None)
        cx, cy = sol[0], sol[1]
        r = float(np.sqrt(max(sol[2] + cx * cx + cy * cy, 1.0)))
        res = np.abs(np.hypot(edge[:, 0] - cx, edge[:, 1] - cy) - r)
        use = res < max(4.0, tol * r)
        if use.sum() < 20:
            return None
    if use.sum() < 45 or not RIM_RADIUS[0] <= r <= RIM_RADIUS[1]:
        return None
    return float(cx), float(cy), r


def _unwrap_round(ink: np.ndarray, cx: float, cy: float, rad: float) -> list[np.ndarray]:
    """The rim text as one straight line: radius outer→inner becomes rows, the angle
    clockwise over the top becomes columns. `rad` is the rim's outer radius. The band the
    name fills (its glyph size depends on its length) and the arc it spans are measured on
    a polar image first, so the line handed to the recogniser is the text, filling its
    height, from its first character to its last."""
    step = np.radians(0.5)
    th = np.arange(-np.pi, np.pi, step, dtype=np.float32)
    rho = np.linspace(0.98 * rad, 0.5 * rad, 60, dtype=np.float32)
    polar = _polar(ink, cx, cy, th, rho)
    dark = 1.0 - polar.astype(np.float32) / 255.0
    upper = np.abs(th) <= np.radians(120)
    prof = dark[:, upper].mean(axis=1)
    # the rim is the outermost peak; the name starts inside the dip that follows it
    rel = rho / rad
    ring = int(np.argmax(np.where(rel > 0.85, prof, -1)))
    inner = np.nonzero((rel < rel[ring]) & (rel > 0.55))[0]
    if inner.size < 5:
        return []
    gap = inner[0] + int(np.argmin(prof[inner[0]: inner[0] + int(0.15 * len(rho))]))
    body = np.arange(gap, int(np.nonzero(rel > 0.55)[0][-1]) + 1)
    peak = prof[body].max()
    on = body[prof[body] > 0.3 * peak]
    if on.size == 0 or peak < 0.02:
        return []
    a, b = on[0], on[-1]
    # keep rows from the dip down to where the glyphs end, with a small margin
    r_out = float(rho[max(gap, a - 2)])
    r_in = float(rho[min(len(rho) - 1, b + 3)])
    band = dark[max(gap, a - 2): b + 4]
    col = band.mean(axis=0)
    # characters of the name, and the gaps between them bridged (up to 18 degrees). Faint
    # ones count: a long name's first characters, down the left of the rim, can sit in a
    # reflection (scan 100102 lost 广西壮族自治 at 0.08 of the darkest column, and with it
    # the name; at 0.05, 2 more of 180 main pages were right and 1 small seal wrong)
    bridge = 37
    ink_c = col > 0.05 * float(col[upper].max())
    on_c = cv2.dilate(ink_c.astype(np.uint8)[None], np.ones((1, bridge), np.uint8))[0] > 0
    mid = len(th) // 2
    near = np.nonzero(on_c[mid - 60: mid + 60])[0]
    if near.size == 0:
        return []
    lo = hi = mid - 60 + int(near[np.argmin(np.abs(near - 60))])
    while lo > 0 and on_c[lo - 1]:
        lo -= 1
    while hi < len(th) - 1 and on_c[hi + 1]:
        hi += 1
    lo, hi = lo + bridge // 2, hi - bridge // 2
    if hi - lo < 20:
        return []
    # a little beyond the ink found: a faded first or last character, which the likelihood
    # of a name (blank over the empty part) does not mind
    # and as far on both sides of 12 o'clock: the name is set symmetric about the top (where
    # the star points), so an end lost in a reflection is as long as the end that was found
    half = max(-float(th[lo]), float(th[hi]))
    th0, th1 = -half - 12 * step, half + 12 * step
    th0, th1 = max(th0, np.radians(-160)), min(th1, np.radians(160))
    out_h = 48
    scale = out_h / max(r_out - r_in, 1.0)
    r_mid = (r_out + r_in) / 2
    out_w = max(16, int(r_mid * (th1 - th0) * scale))
    if out_w >= RIM_MIN_SQUEEZED:
        out_w = int(out_w * RIM_SQUEEZE)
    strip = _polar(ink, cx, cy, np.linspace(th0, th1, out_w, dtype=np.float32),
                   np.linspace(r_out, r_in, out_h, dtype=np.float32))
    return [strip]


def _polar(ink: np.ndarray, cx: float, cy: float, th: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """Sample `ink` on a polar grid: rows are radii, columns angles clockwise from 12 o'clock."""
    T, RR = np.meshgrid(th, rho)
    mx = (cx + RR * np.sin(T)).astype(np.float32)
    my = (cy - RR * np.cos(T)).astype(np.float32)
    return cv2.remap(ink, mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _square_rows(ink: np.ndarray, hull: np.ndarray) -> tuple[list[np.ndarray], tuple]:
    """A square seal deskewed by its border, its inner area split into text rows."""
    rect = cv2.minAreaRect(hull)
    box = cv2.boxPoints(rect)
    # order TL, TR, BR, BL
    s = box.sum(axis=1)
    d = np.diff(box, axis=1).ravel()
    tl, br = box[np.argmin(s)], box[np.argmax(s)]
    tr, bl = box[np.argmin(d)], box[np.argmax(d)]
    side = 240
    src = np.array([tl, tr, br, bl], np.float32)
    dst = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    sq = cv2.warpPerspective(ink, m, (side, side), borderValue=255)
    x0, y0 = box[:, 0].min(), box[:, 1].min()
    x1, y1 = box[:, 0].max(), box[:, 1].max()
    inner = sq[int(side * 0.06): int(side * 0.94), int(side * 0.05): int(side * 0.95)]
    prof = (inner < 128).sum(axis=1).astype(np.float32)
    prof = np.convolve(prof, np.ones(3) / 3, mode="same")
    on = prof > max(2.0, 0.08 * prof.max())
    rows: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            rows.append((start, i))
            start = None
    if start is not None:
        rows.append((start, len(on)))
    rows = [r for r in rows if r[1] - r[0] >= 0.06 * side]
    crops = []
    for a, b in rows:
        pad = int(0.15 * (b - a))
        row = inner[max(0, a - pad): b + pad]
        # the row's extent from fainter ink than its rows: a glyph in a reflection stays in
        cols = np.nonzero((row < 192).sum(axis=0) > 0)[0]
        if cols.size:
            row = row[:, max(0, cols[0] - 6): cols[-1] + 6]
        crops.append(row)
    return crops, (x0, y0, x1, y1)
