"""The printed page inside a dark plastic holder (a licence in its sleeve).

When the card search finds the holder rather than the page, the straightened "card" is the
holder: the page is a bright, pale, axis-aligned rectangle inside it with dark margins round
it (both lie in one plane, so the warp keeps the page rectangular). `find_page` finds that
rectangle and warps it to the canonical size; most cards have no holder round them, and
come back as they are.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from ..types import CARD_H, CARD_W, Card
from .locate import percentile_u8

PageMap = Callable[[np.ndarray], np.ndarray]  # page pixels (Nx2) -> card pixels

OUTER_BAND = 8  # px at the card's border that tell a holder's margin from the page's print


def find_page(card: Card) -> tuple[Card, PageMap]:
    """The printed page inside a dark plastic holder: when the locator found the holder, the
    page is a bright axis-aligned rectangle inside the warped card with dark margins round it
    (both lie in one plane, so the warp keeps the page rectangular). Returns the page warped
    to the canonical size, with its boxes, and the map of page pixels back to card pixels;
    the card itself (and the identity) when there is no holder round the page."""
    h, w = card.image.shape[:2]
    # levels from a ninth of the pixels: brightness in the brightest channel (the red seal
    # vanishes), paleness in the darkest (the page is pale, a coloured table beyond the
    # holder is bright in one channel only). OpenCV's extremes of the whole card, then
    # sampled: numpy's max over the channel axis of a strided view cost more than the rest
    g, pale = channel_extremes(card)
    g_sample = np.ascontiguousarray(g[::3, ::3])
    lo, hi = percentile_u8(g_sample, 3), percentile_u8(g_sample, 60)
    identity = (card, lambda q: q)
    if hi - lo < 70:
        return identity
    thr = lo + 0.5 * (hi - lo)
    pale_thr = 0.75 * percentile_u8(pale[::3, ::3], 60)
    # most pages fill the card (no holder, or the locator found the page): bright and pale
    # near all four borders, nothing to crop, and no need for the profiles below. The strips
    # start 6 px in, past a scanner's sliver of white outside a holder
    mx, my = slice(w // 5, -w // 5), slice(h // 5, -h // 5)
    borders = ((slice(6, 12), mx), (slice(-12, -6), mx), (my, slice(6, 12)), (my, slice(-12, -6)))
    if all(percentile_u8(g[b], 75) > thr and percentile_u8(pale[b], 75) > pale_thr
           for b in borders):
        return identity
    # each column's (row's) level from every third pixel along it: the run's ends stay exact
    mid_rows, mid_cols = slice(int(0.2 * h), int(0.8 * h), 3), slice(int(0.2 * w), int(0.8 * w), 3)
    cols = np.percentile(g[mid_rows], 75, axis=0)
    rows = np.percentile(g[:, mid_cols], 75, axis=1)
    pale_cols = np.percentile(pale[mid_rows], 75, axis=0) > pale_thr
    pale_rows = np.percentile(pale[:, mid_cols], 75, axis=1) > pale_thr

    def edges(profile: np.ndarray, pale_at: np.ndarray) -> tuple[int, int]:
        """The longest bright run (the page; a scanner's bright margin outside the dark
        holder is a shorter one)."""
        on = np.convolve(profile > thr, np.ones(3), mode="same") >= 2
        best, a = (0, len(on)), None
        best_len = -1
        for i, v in enumerate(list(on) + [False]):
            if v and a is None:
                a = i
            elif not v and a is not None:
                if i - a > best_len:
                    best, best_len = (a, i), i - a
                a = None
        # a holder's margin is dark out to the border (bar a scanner's sliver of white);
        # pale page beyond the dip means the dip was the page's own print (a blurred title)
        lo_end, hi_end = best
        page_like = on & pale_at
        if page_like[:min(lo_end, OUTER_BAND)].sum() > OUTER_BAND // 2:
            lo_end = 0
        if page_like[max(hi_end, len(on) - OUTER_BAND):].sum() > OUTER_BAND // 2:
            hi_end = len(on)
        return lo_end, hi_end

    x0, x1 = edges(cols, pale_cols)
    y0, y1 = edges(rows, pale_rows)
    if x0 < 5 and y0 < 5 and x1 > w - 5 and y1 > h - 5:
        return identity
    if x1 - x0 < 0.7 * w or y1 - y0 < 0.7 * h:
        return identity
    sx, sy = CARD_W / (x1 - x0), CARD_H / (y1 - y0)
    img = cv2.resize(card.image[y0:y1, x0:x1], (CARD_W, CARD_H), interpolation=cv2.INTER_LINEAR)
    off = np.array([x0, y0], np.float32)
    scale = np.array([sx, sy], np.float32)
    boxes = []
    for q in card.boxes:
        nq = (q - off) * scale
        c = nq.mean(axis=0)
        if 0 <= c[0] <= CARD_W and 0 <= c[1] <= CARD_H:
            boxes.append(nq.astype(np.float32))
    return Card(img, boxes), lambda q: (np.asarray(q, np.float32) / scale + off).astype(np.float32)


def channel_extremes(card: Card) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel max and min of B, G and R: brightness with the red seal gone, and paleness.
    Once per card, cached on it (find_page and the licence's red-suppressed page both want
    them); OpenCV's are ~8x faster than
    numpy's max / min over axis 2."""
    if "extremes" not in card.derived:
        b, g, r = cv2.split(card.image)
        card.derived["extremes"] = cv2.max(cv2.max(b, g), r), cv2.min(cv2.min(b, g), r)
    return card.derived["extremes"]
