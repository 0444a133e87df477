"""Tampering for the quality signals (Huawei detect_tampering, Tencent DetectPsWarn 9106): the
photo edited after it was taken, the way a forger does it in an image editor, then saved again.

    retype     a run of 2-4 digits (front: the ID number; back: the validity period) painted
               over with the ground's colour and typed again in another font and size
    copymove   one digit's pixels copied over another digit of the same row (a duplicated block)
    splice     the row cut from another person's card (a clean digital render: no camera blur,
               noise or light of this photo), its brightness matched, pasted in
    portrait   (front) the portrait replaced by another person's, brightness matched

Everything works on the photo through the card's corners: edits are made on the straightened
card and laid back over the photo (or, for copymove, copied in the photo's own pixels).
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .overlay import paste
from .person import random_person
from .render import H, W, font, render_back, render_front

ROW = (0.79, 0.95, 0.30, 0.97)  # card fractions y0, y1, x0, x1: the front's number, the back's period
PORTRAIT = (0.10, 0.80, 0.59, 0.95)  # front: y0, y1, x0, x1


def _straight(photo: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the straightened card, the card-to-photo homography)."""
    src = np.array([[0, 0], [W, 0], [W, H], [0, H]], np.float32)
    hm = cv2.getPerspectiveTransform(src, np.asarray(corners, np.float32))
    card = cv2.warpPerspective(photo, np.linalg.inv(hm), (W, H), flags=cv2.INTER_LINEAR)
    return card, hm


def glyphs(card: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1, card pixels) of the dark glyphs in the card's number / period row,
    left to right. (cardocr.quality.tampering.glyph_boxes finds glyphs the same way today; the
    generator keeps its own copy on purpose, so that a change to the detector never moves the
    edits it is measured on.)"""
    y0, y1, x0, x1 = int(ROW[0] * H), int(ROW[1] * H), int(ROW[2] * W), int(ROW[3] * W)
    gray = cv2.cvtColor(card[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    ink = (gray < np.percentile(gray, 90) - 50).astype(np.uint8)
    n, _lab, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    boxes = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if h >= 0.025 * H and area >= 20:
            boxes.append((x0 + x, y0 + y, x0 + x + w, y0 + y + h))
    return sorted(boxes)


def _ground_and_ink(patch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = patch.reshape(-1, 3).astype(np.float32)
    return np.percentile(flat, 85, axis=0), np.percentile(flat, 3, axis=0)


def _lay(photo: np.ndarray, corners: np.ndarray, layer: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    alpha = np.zeros((H, W), np.float32)
    x0, y0, x1, y1 = box
    alpha[max(0, y0):min(H, y1), max(0, x0):min(W, x1)] = 1.0
    return paste(photo, corners, layer, cv2.GaussianBlur(alpha, (0, 0), 0.7))


def _retype(photo: np.ndarray, corners: np.ndarray, card: np.ndarray, boxes: list, drng: random.Random) -> np.ndarray:
    n = drng.randint(2, 4)
    i = drng.randrange(max(1, len(boxes) - n))
    run = boxes[i:i + n]
    x0, y0 = min(b[0] for b in run) - 3, min(b[1] for b in run) - 3
    x1, y1 = max(b[2] for b in run) + 3, max(b[3] for b in run) + 3
    ground, ink = _ground_and_ink(card[y0:y1, x0:x1])
    layer = card.astype(np.float32).copy()
    layer[y0:y1, x0:x1] = ground
    im = Image.fromarray(np.clip(layer, 0, 255).astype(np.uint8)[..., ::-1].copy(), "RGB")
    size = int(round((y1 - y0 - 6) * drng.uniform(1.2, 1.5)))
    f = font(drng.choice(("sans", "serif", "wqy")), max(10, size))
    text = "".join(str(drng.randrange(10)) for _ in run)
    fill = tuple(int(v) for v in ink[::-1])
    ImageDraw.Draw(im).text((x0 + 3 + drng.uniform(-2, 2), (y0 + y1) / 2 + drng.uniform(-2, 2)), text, font=f,
                            fill=fill, anchor="lm")
    layer = np.asarray(im, np.float32)[..., ::-1]
    return _lay(photo, corners, layer, (x0, y0, x0 + int(f.getlength(text)) + 8, y1))


def _copymove(photo: np.ndarray, hm: np.ndarray, boxes: list, drng: random.Random) -> np.ndarray:
    j, i = drng.sample(range(len(boxes)), 2)

    def photo_box(b: tuple[int, int, int, int]) -> tuple[np.ndarray, np.ndarray]:
        pts = np.array([[b[0] - 2, b[1] - 2], [b[2] + 2, b[1] - 2], [b[2] + 2, b[3] + 2], [b[0] - 2, b[3] + 2]],
                       np.float32)
        q = cv2.perspectiveTransform(pts[None], hm)[0]
        return q.min(axis=0), q.max(axis=0)

    (s0, s1), (t0, t1) = photo_box(boxes[j]), photo_box(boxes[i])
    shift = np.round((t0 + t1) / 2 - (s0 + s1) / 2).astype(int)
    sx0, sy0 = np.floor(s0).astype(int)
    sx1, sy1 = np.ceil(s1).astype(int)
    h, w = photo.shape[:2]
    tx0, ty0, tx1, ty1 = sx0 + shift[0], sy0 + shift[1], sx1 + shift[0], sy1 + shift[1]
    if min(sx0, sy0, tx0, ty0) < 0 or max(sx1, tx1) > w or max(sy1, ty1) > h:
        return photo
    out = photo.copy()
    out[ty0:ty1, tx0:tx1] = photo[sy0:sy1, sx0:sx1]
    return out


def _other(side: str, seed: int) -> np.ndarray:
    rng = random.Random(f"tamper-donor:{seed}")
    return (render_front if side == "front" else render_back)(random_person(rng), rng)


def _splice(photo: np.ndarray, corners: np.ndarray, card: np.ndarray, donor: np.ndarray,
            area: tuple[float, float, float, float]) -> np.ndarray:
    y0, y1, x0, x1 = int(area[0] * H), int(area[1] * H), int(area[2] * W), int(area[3] * W)
    ours, _ = _ground_and_ink(card[y0:y1, x0:x1])
    theirs, _ = _ground_and_ink(donor[y0:y1, x0:x1])
    layer = card.astype(np.float32).copy()
    layer[y0:y1, x0:x1] = donor[y0:y1, x0:x1].astype(np.float32) * (ours / np.maximum(theirs, 1.0))
    return _lay(photo, corners, layer, (x0, y0, x1, y1))


def tampered(photo: np.ndarray, corners: np.ndarray, side: str, seed: int, drng: random.Random) -> np.ndarray:
    """The photo with one edit (see the module's list); the JPEG it is saved as is the caller's."""
    card, hm = _straight(photo, corners)
    boxes = glyphs(card)
    kinds = ["retype", "copymove", "splice"] + (["portrait"] if side == "front" else [])
    kind = drng.choice(kinds)
    if kind in ("retype", "copymove") and len(boxes) < 4:
        kind = "splice"
    if kind == "retype":
        return _retype(photo, corners, card, boxes, drng)
    if kind == "copymove":
        moved = _copymove(photo, hm, boxes, drng)
        if moved is not photo:
            return moved
    donor = _other(side, seed)
    if kind == "portrait":  # (a copy-move that would leave the photo: a spliced row instead)
        return _splice(photo, corners, card, donor, PORTRAIT)
    row = (ROW[0] + drng.uniform(0, 0.02), ROW[1] - drng.uniform(0, 0.02), ROW[2] + drng.uniform(0, 0.05), ROW[3])
    return _splice(photo, corners, card, donor, row)
