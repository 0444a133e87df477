"""Drawing on a card after it was photographed: a layer in card pixels (W x H, the straightened
card of render.py) laid over the photo through the card's corners in it. The defects
(defects.py: a finger, a note, glare) and the edits (tamper.py) are drawn this way, so the
same card and scene can be made with and without them."""

from __future__ import annotations

import cv2
import numpy as np

from .render import H, W


def card_to_photo(corners: np.ndarray) -> np.ndarray:
    """The homography from card pixels to the photo, given the card's corners TL, TR, BR, BL."""
    src = np.array([[0, 0], [W, 0], [W, H], [0, H]], np.float32)
    return cv2.getPerspectiveTransform(src, corners.astype(np.float32))


def paste(photo: np.ndarray, corners: np.ndarray, layer: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Lay a card-space BGR layer (H x W, float) with its alpha (H x W, 0..1) over the photo."""
    h, w = photo.shape[:2]
    hm = card_to_photo(corners)
    lw = cv2.warpPerspective(layer.astype(np.float32), hm, (w, h), flags=cv2.INTER_LINEAR)
    aw = cv2.warpPerspective(alpha.astype(np.float32), hm, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    out = photo.astype(np.float32) * (1 - aw) + lw * aw
    return np.clip(out, 0, 255).astype(np.uint8)
