"""What a synthetic Hong Kong card is printed on: the guilloche grounds of the 2003 and 2018
designs (wavy lines, rosettes, the bauhinia) and the portraits (the large one and the ghost
image)."""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .render import H, W, _portrait


def jitter(rng: random.Random, a: float = 2.0) -> float:
    return rng.uniform(-a, a)


def _grid():
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    return xx, yy


def _blend(img: np.ndarray, alpha: np.ndarray, col) -> None:
    """In place: img = img * (1 - alpha) + col * alpha (float32)."""
    img += (np.asarray(col, np.float32) - img) * alpha.astype(np.float32, copy=False)[..., None]


def _wavy_lines(img, rng, xx, yy, cols, strength=(0.10, 0.2), n=(2, 3)) -> None:
    for _ in range(rng.randint(*n)):
        lam = rng.uniform(6, 12)
        amp = rng.uniform(10, 40)
        per = rng.uniform(120, 400)
        ph = rng.uniform(0, 2 * math.pi)
        ang = rng.uniform(-0.8, 0.8)
        u = xx * math.cos(ang) + yy * math.sin(ang)
        v = -xx * math.sin(ang) + yy * math.cos(ang)
        phase = 2 * math.pi * (v + amp * np.sin(2 * math.pi * u / per + ph)) / lam
        line = np.clip(1 - np.abs(np.sin(phase)) / 0.2, 0, 1)
        _blend(img, line * rng.uniform(*strength), rng.choice(cols))


def _rosette(img, rng, xx, yy, cx, cy, col, strength) -> None:
    """Radial guilloche rings around (cx, cy)."""
    dx, dy = xx - cx, yy - cy
    r = np.sqrt(dx * dx + dy * dy)
    th = np.arctan2(dy, dx)
    k = rng.choice((5, 10, 15))
    phase = 2 * math.pi * (r + rng.uniform(6, 14) * np.sin(k * th + rng.uniform(0, 6))) / rng.uniform(7, 11)
    line = np.clip(1 - np.abs(np.sin(phase)) / 0.18, 0, 1) * np.exp(-r / (0.6 * W))
    _blend(img, line * strength, col)


def _star_pts(cx, cy, r, rot):
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.42
        a = rot + i * math.pi / 5 - math.pi / 2
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def _bauhinia(cx: float, cy: float, R: float, rot: float, outline: bool = False) -> tuple[Image.Image, Image.Image]:
    """A five-petal swirl flower with a star in each petal (stylised, not the emblem artwork).

    Returns (petal alpha layer L, star alpha layer L)."""
    s = 2  # supersample
    petals = Image.new("L", (W * s, H * s), 0)
    stars = Image.new("L", (W * s, H * s), 0)
    dp, ds = ImageDraw.Draw(petals), ImageDraw.Draw(stars)
    for k in range(5):
        a0 = rot + k * 2 * math.pi / 5
        pts = []
        # Petal: a curved teardrop from the centre, swept sideways (pinwheel).
        for i in range(41):
            t = i / 40
            # outer edge then back along the inner edge
            if i <= 20:
                u = t * 2
                rad = R * (0.08 + 0.92 * u)
                ang = a0 + 0.55 * u ** 1.3 - 0.28 * math.sin(math.pi * u)
            else:
                u = (1 - t) * 2
                rad = R * (0.08 + 0.92 * u) * (0.98 if u > 0.9 else 1.0)
                ang = a0 + 0.55 * u ** 1.3 + 0.32 * math.sin(math.pi * u) * (1.0 if u < 0.95 else 0.6)
            pts.append(((cx + rad * math.cos(ang)) * s, (cy + rad * math.sin(ang)) * s))
        if outline:
            dp.line(pts + [pts[0]], fill=255, width=3 * s)
        else:
            dp.polygon(pts, fill=255)
        sa = a0 + 0.45
        sx, sy = cx + 0.58 * R * math.cos(sa), cy + 0.58 * R * math.sin(sa)
        ds.polygon([(x * s, y * s) for x, y in _star_pts(sx, sy, 0.11 * R, sa)], fill=255)
    petals = petals.reduce(s).filter(ImageFilter.GaussianBlur(0.8))
    stars = stars.reduce(s).filter(ImageFilter.GaussianBlur(0.6))
    return petals, stars


def background_2018(rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    u = xx / W
    # pink (left/top) -> pale yellow-green (middle) -> pale blue (right)
    pink = np.array([246 + jitter(rng, 5), 216 + jitter(rng, 5), 230 + jitter(rng, 5)], np.float32)
    green = np.array([212 + jitter(rng, 6), 240 + jitter(rng, 5), 206 + jitter(rng, 6)], np.float32)
    blue = np.array([186 + jitter(rng, 6), 222 + jitter(rng, 6), 246 + jitter(rng, 4)], np.float32)
    t = np.clip(u + 0.25 * (yy / H - 0.5) + rng.uniform(-0.05, 0.05), 0, 1)[..., None]
    img = np.where(t < 0.45, pink + (green - pink) * (t / 0.45), green + (blue - green) * ((t - 0.45) / 0.55))
    img = img.astype(np.float32, copy=False)
    # soft pink wash top-left, blue wash bottom-right
    _blend(img, 0.35 * np.exp(-((xx - 0.05 * W) ** 2 + (yy - 0.05 * H) ** 2) / (2 * 220.0 ** 2)), (250, 210, 225))
    _blend(img, 0.30 * np.exp(-((xx - 0.95 * W) ** 2 + (yy - 0.9 * H) ** 2) / (2 * 260.0 ** 2)), (190, 215, 245))
    cx, cy = 0.57 * W + jitter(rng, 4), 0.45 * H + jitter(rng, 4)
    _rosette(img, rng, xx, yy, cx, cy, (150, 190, 215), rng.uniform(0.10, 0.16))
    _wavy_lines(img, rng, xx, yy, [(150, 185, 220), (220, 170, 190), (170, 205, 170)])
    petals, stars = _bauhinia(cx, cy, 0.215 * W, rng.uniform(-0.2, 0.2) - math.pi / 2)
    pa = np.asarray(petals, np.float32) / 255.0
    _blend(img, pa * rng.uniform(0.45, 0.6), (252, 252, 252))
    _blend(img, np.asarray(stars, np.float32) / 255.0 * rng.uniform(0.25, 0.4), (205, 175, 205))
    img += nrng.standard_normal(img.shape, dtype=np.float32) * 1.5
    return img


def background_2003(rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    base = np.array([232 + jitter(rng, 5), 226 + jitter(rng, 5), 230 + jitter(rng, 5)], np.float32)
    img = np.ones((H, W, 3), np.float32) * base
    # greyish-pink with a lilac band at the top and a warm wash at the bottom
    _blend(img, 0.45 * np.clip(1 - yy / (0.22 * H), 0, 1), (214, 206, 226))
    _blend(img, 0.35 * np.clip((yy / H - 0.6) / 0.4, 0, 1), (240, 218, 214))
    _blend(img, 0.3 * np.exp(-((xx - 0.35 * W) ** 2 + (yy - 0.55 * H) ** 2) / (2 * 230.0 ** 2)), (245, 232, 236))
    _wavy_lines(img, rng, xx, yy, [(190, 170, 190), (175, 180, 200), (200, 185, 175)], (0.08, 0.16), (2, 4))
    cx, cy = 0.36 * W + jitter(rng, 4), 0.55 * H + jitter(rng, 4)
    _rosette(img, rng, xx, yy, cx, cy, (185, 165, 190), rng.uniform(0.08, 0.13))
    petals, stars = _bauhinia(cx, cy, 0.17 * W, rng.uniform(0, 1.2), outline=True)
    _blend(img, np.asarray(petals, np.float32) / 255.0 * rng.uniform(0.15, 0.25), (170, 140, 170))
    # faint rainbow-print stripe behind the portrait column
    band = np.exp(-((xx - 0.78 * W) / (0.17 * W)) ** 2)
    hue = (yy / H * 2 + xx / W) % 1.0
    rainbow = np.stack([200 + 40 * np.sin(2 * math.pi * hue), 205 + 40 * np.sin(2 * math.pi * hue + 2.1),
                        210 + 40 * np.sin(2 * math.pi * hue + 4.2)], -1).astype(np.float32)
    _blend(img, 0.18 * band, 0)
    img += rainbow * (0.18 * band)[..., None]
    img += nrng.standard_normal(img.shape, dtype=np.float32) * 1.5
    return img


# ----------------------------------------------------------------------- portrait


def grey_portrait(rng: random.Random, w: int, h: int, sat: float) -> tuple[Image.Image, Image.Image]:
    por, mask = _portrait(rng, w, h)
    a = np.asarray(por, np.float32)
    g = a.mean(axis=2, keepdims=True)
    a = g + (a - g) * sat
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB"), mask


def paste_portrait(im: Image.Image, box_px, rng: random.Random, sat: float) -> None:
    x0, y0, x1, y1 = box_px
    por, mask = grey_portrait(rng, x1 - x0, y1 - y0, sat)
    im.paste(por, (x0, y0), mask)


def ghost(im: Image.Image, box_px, rng: random.Random, rng_seed_portrait: int) -> None:
    """Small faded monochrome portrait (2018 card, right side)."""
    x0, y0, x1, y1 = box_px
    por, mask = _portrait(random.Random(rng_seed_portrait), x1 - x0, y1 - y0)
    g = np.asarray(por.convert("L"), np.float32)
    a = np.asarray(mask, np.float32) / 255.0 * rng.uniform(0.55, 0.75)
    reg = np.asarray(im.crop((x0, y0, x1, y1)), np.float32)
    tint = np.stack([g * 0.92, g * 0.95, g], -1)
    out = reg * (1 - a[..., None]) + np.minimum(reg, tint) * a[..., None]
    im.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB"), (x0, y0))
