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

from .geometry import map_points, order_corners

CARD_W, CARD_H = 856, 540
ID1_ASPECT = CARD_W / CARD_H
WORK_SIDE = 1000  # the search runs on a copy this large: enough for a card 15% of the width


@dataclass
class CardQuad:
    corners: np.ndarray  # 4x2, original pixels, order TL TR BR BL of the straightened card
    score: float
    method: str  # which map found it (recorded for debugging and the benchmark)

    def homography(self) -> np.ndarray:
        """Original image → canonical card pixels."""
        dst = np.float32([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]])
        return cv2.getPerspectiveTransform(self.corners.astype(np.float32), dst)

    def warp(self, image: np.ndarray) -> np.ndarray:
        return cv2.warpPerspective(image, self.homography(), (CARD_W, CARD_H), flags=cv2.INTER_AREA
                                   if self._shrinks() else cv2.INTER_CUBIC)

    def to_original(self, pts: np.ndarray) -> np.ndarray:
        return map_points(np.linalg.inv(self.homography()), pts)

    def rotated_180(self) -> "CardQuad":
        return CardQuad(np.roll(self.corners, 2, axis=0), self.score, self.method)

    def _shrinks(self) -> bool:
        return float(np.linalg.norm(self.corners[0] - self.corners[1])) > CARD_W * 1.5


def _edge_maps(gray: np.ndarray) -> list[tuple[str, np.ndarray]]:
    blur = cv2.GaussianBlur(gray, (5, 5), 0)
    maps = []
    med = float(np.median(blur))
    canny = cv2.Canny(blur, max(10, 0.5 * med), min(255, 1.2 * med + 30))
    maps.append(("canny", cv2.dilate(canny, np.ones((3, 3), np.uint8))))
    _, otsu = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    maps.append(("otsu", otsu))
    maps.append(("otsu_inv", 255 - otsu))
    return maps


def _colour_maps(small: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Cards are pale and low-saturation; many backgrounds are not."""
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    s, v = hsv[:, :, 1], hsv[:, :, 2]
    pale = ((s < 70) & (v > np.percentile(v, 40))).astype(np.uint8) * 255
    pale = cv2.morphologyEx(pale, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    pale = cv2.morphologyEx(pale, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    return [("pale", pale)]


def _quad_from_contour(cnt: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(cnt)
    peri = cv2.arcLength(hull, True)
    for eps in (0.02, 0.03, 0.045, 0.06):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
    rect = cv2.minAreaRect(hull)
    return cv2.boxPoints(rect).astype(np.float32)


def _score(quad: np.ndarray, cnt_area: float, img_area: float) -> float:
    q = order_corners(quad)
    area = cv2.contourArea(q)
    if area < img_area * 0.01 or area > img_area * 0.98:
        return 0.0
    sides = [np.linalg.norm(q[i] - q[(i + 1) % 4]) for i in range(4)]
    long_ = (sides[0] + sides[2]) / 2
    short = (sides[1] + sides[3]) / 2
    if min(long_, short) < 20:
        return 0.0
    aspect = max(long_, short) / min(long_, short)
    aspect_fit = np.exp(-((aspect - ID1_ASPECT) / 0.18) ** 2)
    fill = min(1.0, cnt_area / max(area, 1))  # a filled blob, not a frame of lines
    opp = min(sides[0], sides[2]) / max(sides[0], sides[2]) * min(sides[1], sides[3]) / max(sides[1], sides[3])
    return float(aspect_fit * fill * opp * (0.5 + 0.5 * np.sqrt(area / img_area)))


def find_cards(image: np.ndarray, max_cards: int = 2) -> list[CardQuad]:
    """Card candidates, best first, not overlapping one another."""
    h, w = image.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    small = cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA) if scale < 1 else image
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    img_area = float(gray.shape[0] * gray.shape[1])
    candidates: list[CardQuad] = []
    for name, mask in _edge_maps(gray) + _colour_maps(small):
        if name == "canny":
            # close the card outline so it becomes one filled region
            closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
            cnts, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            filled = np.zeros_like(closed)
            cv2.drawContours(filled, cnts, -1, 255, thickness=cv2.FILLED)
            mask = cv2.morphologyEx(filled, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
        cnts, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for cnt in sorted(cnts, key=cv2.contourArea, reverse=True)[:8]:
            area = cv2.contourArea(cnt)
            if area < img_area * 0.01:
                break
            quad = _quad_from_contour(cnt)
            s = _score(quad, area, img_area)
            if s > 0.15:
                candidates.append(CardQuad(_landscape(order_corners(quad)) / scale, s, name))
    candidates.sort(key=lambda c: -c.score)
    chosen: list[CardQuad] = []
    for c in candidates:
        if all(_overlap(c.corners, o.corners) < 0.2 for o in chosen):
            chosen.append(c)
        if len(chosen) == max_cards:
            break
    return chosen


def _landscape(q: np.ndarray) -> np.ndarray:
    """Start the corner order so that the first edge is a long edge (card upright or upside down)."""
    if np.linalg.norm(q[0] - q[1]) < np.linalg.norm(q[1] - q[2]):
        q = np.roll(q, -1, axis=0)  # TR becomes the new TL: a 90° turn
    return q


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    area_a, area_b = cv2.contourArea(a), cv2.contourArea(b)
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    return float(inter / max(1.0, min(area_a, area_b)))
