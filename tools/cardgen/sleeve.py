"""The dark plastic holder a licence is often photographed in: one or two pages behind glossy
plastic, and where each page's corners land in the photo of the holder.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np


def put_in_sleeve(pages: list[np.ndarray], rng: random.Random) -> tuple[np.ndarray, list[np.ndarray]]:
    """Put 1 or 2 pages (side by side, like an opened licence holder) in a dark plastic holder.

    Returns (BGR image, per page the 4x2 float32 page corners TL,TR,BR,BL in that image).
    The plastic dulls the page a little and adds soft glossy bands and streaks.
    """
    nrng = np.random.default_rng(rng.getrandbits(63))
    ph, pw = pages[0].shape[:2]
    ml, mr = rng.randint(22, 46), rng.randint(22, 46)
    mt, mb = rng.randint(22, 50), rng.randint(24, 64)
    gap = rng.randint(50, 90)
    W = ml + mr + pw * len(pages) + gap * (len(pages) - 1)
    H = mt + mb + ph
    dark = np.array([rng.uniform(14, 40)] * 3, np.float32) + np.array(
        [rng.uniform(0, 10), rng.uniform(0, 6), rng.uniform(-2, 2)], np.float32)  # BGR: black / dark brown
    img = np.ones((H, W, 3), np.float32) * dark
    img *= (1 + 0.15 * cv2.resize(nrng.uniform(-1, 1, (H // 40 + 2, W // 40 + 2)).astype(np.float32), (W, H),
                                  interpolation=cv2.INTER_CUBIC))[..., None]
    img += nrng.standard_normal((H, W, 1), dtype=np.float32) * 3
    quads = []
    radius = rng.randint(6, 18)
    for i, page in enumerate(pages):
        x0 = ml + i * (pw + gap) + rng.randint(-3, 3) * (i > 0)
        y0 = mt
        # Window of the clear pocket: slightly lighter rim around the page.
        cv2.rectangle(img, (x0 - 6, y0 - 6), (x0 + pw + 5, y0 + ph + 5), tuple(float(c + 18) for c in dark), 2,
                      cv2.LINE_AA)
        m = np.zeros((ph, pw), np.uint8)
        cv2.rectangle(m, (radius, 0), (pw - 1 - radius, ph - 1), 255, -1)
        cv2.rectangle(m, (0, radius), (pw - 1, ph - 1 - radius), 255, -1)
        for cx, cy in ((radius, radius), (pw - 1 - radius, radius), (pw - 1 - radius, ph - 1 - radius),
                       (radius, ph - 1 - radius)):
            cv2.circle(m, (cx, cy), radius, 255, -1, cv2.LINE_AA)
        a = (m.astype(np.float32) / 255.0)[..., None]
        haze = page.astype(np.float32) * rng.uniform(0.88, 0.97) + rng.uniform(4, 14)
        roi = img[y0:y0 + ph, x0:x0 + pw]
        img[y0:y0 + ph, x0:x0 + pw] = roi * (1 - a) + haze * a
        quads.append(np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], np.float32))
    # Glossy reflections: soft wide bands + thin streaks at a common angle.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ang = rng.uniform(0, math.pi)
    ca, sa = math.cos(ang), math.sin(ang)
    proj = xx * ca + yy * sa
    lo, hi = float(proj.min()), float(proj.max())
    refl = np.zeros((H, W), np.float32)
    for _ in range(rng.randint(1, 3)):
        c = rng.uniform(lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo))
        w = rng.uniform(18, 90)
        refl += rng.uniform(0.3, 0.65) * np.exp(-((proj - c) / w) ** 2)
    for _ in range(rng.randint(0, 4)):
        c = rng.uniform(lo, hi)
        w = rng.uniform(1.5, 5)
        along = xx * -sa + yy * ca
        fade = 0.5 + 0.5 * np.sin(along / rng.uniform(40, 200) + rng.uniform(0, 6.3))
        refl += rng.uniform(0.15, 0.45) * np.exp(-((proj - c) / w) ** 2) * fade
    # Reflections fade out along the band so they are partial, not full stripes.
    along = xx * -sa + yy * ca
    amin, amax = float(along.min()), float(along.max())
    t = (along - amin) / max(amax - amin, 1.0)
    refl *= np.clip(0.5 + 0.8 * np.sin(math.pi * (t * rng.uniform(0.8, 1.4) + rng.uniform(-0.2, 0.2))), 0, 1)
    refl = np.clip(refl, 0, 0.75)
    img += (255 - img) * refl[..., None]
    out = np.clip(img, 0, 255).astype(np.uint8)
    return out, quads


def page_corners(photo_corners: np.ndarray, img_shape: tuple, quad: np.ndarray) -> np.ndarray:
    """Map a quad given in the captured image's pixel frame into the photo."""
    h, w = img_shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hm = cv2.getPerspectiveTransform(src, np.asarray(photo_corners, np.float32))
    return cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float64), hm).reshape(4, 2).astype(np.float32)
