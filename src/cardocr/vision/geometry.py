"""Small geometry helpers shared by the vision stages and the document modules."""

from __future__ import annotations

import cv2
import numpy as np

_ROTATIONS = [np.roll(np.arange(4), -k) for k in range(4)]


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Order four points clockwise starting top-left (by image axes)."""
    pts = np.asarray(pts, dtype=np.float32).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise in image coords (y down), starting near -pi
    # rotate so that the point with the smallest x+y comes first
    start = int(np.argmin(pts.sum(axis=1)))
    return pts[_ROTATIONS[start]]  # np.roll(pts, -start, axis=0), without its overhead


def crop_quad(image: np.ndarray, quad: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """Warp a (roughly rectangular) text quad into an upright strip."""
    q = order_corners(quad)
    w = int(max(np.linalg.norm(q[0] - q[1]), np.linalg.norm(q[3] - q[2])))
    h = int(max(np.linalg.norm(q[0] - q[3]), np.linalg.norm(q[1] - q[2])))
    if w < 2 or h < 2:
        return np.zeros((2, 2, 3), dtype=np.uint8)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(q, dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def crop_box(image: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """Axis-aligned crop, clipped to the image."""
    h, w = image.shape[:2]
    xa, ya = max(0, int(round(x0))), max(0, int(round(y0)))
    xb, yb = min(w, int(round(x1))), min(h, int(round(y1)))
    if xb - xa < 2 or yb - ya < 2:
        return np.zeros((2, 2, 3), dtype=np.uint8)
    return image[ya:yb, xa:xb]


def map_points(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a 3x3 homography to Nx2 points."""
    pts = np.asarray(pts, dtype=np.float32).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(pts, m).reshape(-1, 2)
