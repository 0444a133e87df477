"""The red seal stamped on a licence's main page, drawn from the authority's name: round with
the name on the rim and a star (the current layout), or square with the name in rows (older).
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .licence_data import PAGE_H, PAGE_W
from .render import _star, font, text_width


def _char_img(ch: str, f, size: int) -> Image.Image:
    im = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(im).text((size, size), ch, font=f, fill=255, anchor="mm")
    return im


def round_seal(rng: random.Random, name: str, diam: int, center_text: bool) -> Image.Image:
    """Alpha mask (L) of a round seal: rim ring, name on the upper arc, star, optional 驾驶证专用章."""
    s = diam * 2  # supersample
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    c = s / 2
    ring = s * rng.uniform(0.022, 0.032)
    d.ellipse([ring / 2, ring / 2, s - ring / 2, s - ring / 2], outline=255, width=int(ring))
    _star(d, c, c, s * rng.uniform(0.14, 0.17), 0, 255)
    fkey = rng.choice(("serif_bold", "sans_bold", "wqy", "serif_bold"))
    n = len(name)
    r_text = s / 2 - ring - s * 0.085
    span = math.radians(min(250.0 if center_text else 290.0, 22.0 * n + 20))
    fsize = int(min(s * 0.13, 0.78 * r_text * span / n))
    f = font(fkey, fsize)
    for i, ch in enumerate(name):
        # Clockwise from the left along the upper arc; angle measured from 12 o'clock.
        a = -span / 2 + (i + 0.5) * span / n
        x, y = c + r_text * math.sin(a), c - r_text * math.cos(a)
        g = _char_img(ch, f, fsize)
        g = g.resize((int(g.width * 0.8), g.height), Image.BICUBIC)  # seal characters are condensed
        g = g.rotate(-math.degrees(a), resample=Image.BICUBIC, expand=True)
        im.paste(255, (int(x - g.width / 2), int(y - g.height / 2)), g)
    if center_text:
        f2 = font(fkey, int(s * 0.085))
        text = "驾驶证专用章"
        tw = text_width(text, f2)
        x = c - tw / 2
        for ch in text:
            d.text((x, c + s * 0.27), ch, font=f2, fill=255, anchor="lm")
            x += f2.getlength(ch)
    return im.resize((diam, diam), Image.LANCZOS)


def square_seal(rng: random.Random, name: str, side: int) -> Image.Image:
    """Alpha mask (L) of a square seal: double border, the name in rows (like the mock-up)."""
    s = side * 2
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    bw = int(s * rng.uniform(0.02, 0.03))
    d.rectangle([bw // 2, bw // 2, s - bw // 2, s - bw // 2], outline=255, width=bw)
    n = len(name)
    rows = 2 if n <= 8 else 3 if n <= 15 else 4
    per = [n // rows + (1 if i < n % rows else 0) for i in range(rows)]
    cols = max(per)
    inner = s - 2 * bw - s * 0.08
    cell_w, cell_h = inner / cols, inner / rows
    fkey = rng.choice(("serif_bold", "serif", "sans_bold", "wqy"))
    fsize = int(min(cell_w * 0.95, cell_h * 0.8))
    f = font(fkey, fsize)
    k = 0
    off = bw + s * 0.04
    for ri, cnt in enumerate(per):
        cw = inner / cnt
        for ci in range(cnt):
            cx = off + (ci + 0.5) * cw
            cy = off + (ri + 0.5) * cell_h
            g = _char_img(name[k], f, fsize)
            g = g.resize((g.width, int(g.height * cell_h / cell_w * 0.85 if cell_h > cell_w else g.height)),
                         Image.BICUBIC)
            im.paste(255, (int(cx - g.width / 2), int(cy - g.height / 2)), g)
            k += 1
    return im.resize((side, side), Image.LANCZOS)


def stamp(img: np.ndarray, mask: Image.Image, x0: int, y0: int, rng: random.Random,
           nrng: np.random.Generator) -> None:
    """Multiply-blend red ink through mask at (x0, y0) into float RGB img (in place)."""
    m = np.asarray(mask.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9))), np.float32) / 255.0
    h, w = m.shape
    # Uneven ink: low-frequency density variation + speckle.
    small = nrng.uniform(0.55, 1.0, (max(2, h // 25), max(2, w // 25))).astype(np.float32)
    dens = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    speck = cv2.GaussianBlur((nrng.random((h, w)) > rng.uniform(0.02, 0.07)).astype(np.float32), (0, 0), 0.7)
    a = np.clip(m * dens * speck * rng.uniform(0.75, 0.95), 0, 1)
    ink = np.array((rng.uniform(200, 230), rng.uniform(25, 70), rng.uniform(35, 70)), np.float32) / 255.0
    ys, xs = slice(max(0, y0), min(PAGE_H, y0 + h)), slice(max(0, x0), min(PAGE_W, x0 + w))
    a = a[ys.start - y0: ys.stop - y0, xs.start - x0: xs.stop - x0][..., None]
    img[ys, xs] *= 1 - a + a * ink
