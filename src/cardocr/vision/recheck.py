"""Other outlines of a card already found, for when its reading says the outline is off.

An outline can follow a line printed on the card instead of the card's edge (the rule under
the Hong Kong card's title: HK layout 1300036 lost its title strip), or run on along a sheet of
paper the card lies on. The card then straightens with a strip missing or a strip of paper in
it, and the document's reader finds a landmark missing that sits at the card's edge (the
title, the number). The search dropped every outline overlapping a better one as the same
card; here the outlines around the found one are looked for again, in a crop around it, and
those that differ from it by a strip are offered for reading. The reading decides.
"""

from __future__ import annotations

import cv2
import numpy as np

from .locate import CardQuad, candidates, overlap

MARGIN = 0.4  # of the quad's extent, each side: room for a missed strip (a fifth of the card is a
# quarter of the rest) and for the background around it, without which no edge shows
# an outline whose corners all lie within this share of the diagonal of the found one's is
# the same outline; one further off but sharing most of its area is the card with or
# without a strip (a title strip is about a fifth of the card's height)
SAME_CORNERS = 0.03
SHARED = 0.75
AREA_RATIO = (0.6, 1.6)


def alternatives(image: np.ndarray, quad: CardQuad, aspect: float, limit: int = 2) -> list[CardQuad]:
    """Up to `limit` outlines (photo pixels, best first) that share most of `quad`'s area but
    not its corners: the card with a strip more or less than `quad` holds."""
    h, w = image.shape[:2]
    x0, y0 = quad.corners.min(axis=0)
    x1, y1 = quad.corners.max(axis=0)
    mx, my = MARGIN * (x1 - x0), MARGIN * (y1 - y0)
    xa, ya = int(max(0, x0 - mx)), int(max(0, y0 - my))
    xb, yb = int(min(w, x1 + mx)), int(min(h, y1 + my))
    if xb - xa < 16 or yb - ya < 16:
        return []
    offset = np.array([xa, ya], np.float32)
    area = cv2.contourArea(quad.corners.astype(np.float32))
    out: list[CardQuad] = []
    for c in candidates(image[ya:yb, xa:xb], aspect, deep=True):
        corners = c.corners + offset
        if (_same_outline(corners, quad.corners) or overlap(corners, quad.corners) < SHARED
                or not AREA_RATIO[0] < cv2.contourArea(corners.astype(np.float32)) / max(1.0, area) < AREA_RATIO[1]
                or any(_same_outline(corners, o.corners) for o in out)):
            continue
        out.append(CardQuad(corners, c.score, c.method + "+recheck"))
        if len(out) == limit:
            break
    return out


def _same_outline(a: np.ndarray, b: np.ndarray) -> bool:
    """The same four corners (in any starting order: a card upside down is the same outline)."""
    diag = float(np.linalg.norm(b[0] - b[2]))
    return min(float(np.abs(np.roll(a, k, axis=0) - b).max()) for k in range(4)) < SAME_CORNERS * diag
