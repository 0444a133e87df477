"""Render canonical (856 x 540 px, 10 px/mm) front and back card images."""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .person import Person

W, H = 856, 540

_FONT_FILES = {
    "wqy": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    "ocrb": ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
    # Latin faces for the `layout` condition's templates (tools/cardgen/vary.py). No other
    # Simplified-Chinese face is installed: the JP/KR/TC faces of the Noto collections draw some
    # of the same code points in other forms (静 as 靜), which a reader may not be asked to read
    "dejavu_sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "dejavu_serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 0),
}

VALUE_FONTS = ("wqy", "sans", "serif")
LABEL_FONTS = ("wqy", "sans", "serif")


@functools.lru_cache(maxsize=256)
def font(key: str, size: int) -> ImageFont.FreeTypeFont:
    path, index = _FONT_FILES[key]
    return ImageFont.truetype(path, size, index=index)


# --------------------------------------------------------------------------- text


def text_width(text: str, f: ImageFont.FreeTypeFont, spacing: float = 0.0) -> float:
    return sum(f.getlength(c) for c in text) + spacing * max(0, len(text) - 1)


def draw_text(
    draw: ImageDraw.ImageDraw,
    x: float,
    yc: float,
    text: str,
    f: ImageFont.FreeTypeFont,
    fill,
    spacing: float = 0.0,
    latin: bool = False,
) -> float:
    """Draw text with its left edge at x and its glyph body centred on row yc.

    CJK glyphs occupy roughly [-0.88, +0.12] em around the baseline, Latin
    digits roughly [-0.72, 0] em.  Returns the x after the last glyph.
    """
    size = f.size
    base = yc + (0.36 * size if latin else 0.38 * size)
    for ch in text:
        draw.text((x, base), ch, font=f, fill=fill, anchor="ls")
        x += f.getlength(ch) + spacing
    return x - spacing


def wrap_text(text: str, f: ImageFont.FreeTypeFont, max_w: float) -> list[str]:
    lines: list[str] = []
    cur = ""
    for ch in text:
        if cur and f.getlength(cur + ch) > max_w:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def wrap_fitted(text: str, key: str, size: int, max_w: float, max_lines: int
                ) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """`text` wrapped at `max_w` in font `key`, its size lowered a point at a time until the
    text takes at most `max_lines` lines: the card prints the whole value in the lines it has
    (a fourth line was once cut off, and the bench held the reader to a character the card did
    not print: dev seed 1504344). Draws nothing from an rng, so a seed's other draws stay."""
    f = font(key, size)
    lines = wrap_text(text, f, max_w)
    while len(lines) > max_lines and size > 8:
        size -= 1
        f = font(key, size)
        lines = wrap_text(text, f, max_w)
    return lines, f


# --------------------------------------------------------------------- background


def guilloche(img: np.ndarray, rng: random.Random, *, wavelength: tuple[float, float],
              amplitude: tuple[float, float], period: tuple[float, float], angle: float, width: float,
              colours: list[tuple[int, int, int]], alpha: tuple[float, float]) -> np.ndarray:
    """One family of wavy fine lines over a float32 RGB ground (the permanent and the temporary
    card's security print): its wavelength, wave amplitude and period, and a tilt within
    +-angle radians drawn from rng; `width` the share of each wave inked."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lam = rng.uniform(*wavelength)
    amp = rng.uniform(*amplitude)
    per = rng.uniform(*period)
    ph = rng.uniform(0, 2 * math.pi)
    ang = rng.uniform(-angle, angle)
    u = xx * math.cos(ang) + yy * math.sin(ang)
    v = -xx * math.sin(ang) + yy * math.cos(ang)
    phase = 2 * math.pi * (v + amp * np.sin(2 * math.pi * u / per + ph)) / lam
    line = np.clip(1 - np.abs(np.sin(phase)) / width, 0, 1)
    col = np.array(rng.choice(colours), np.float32)
    a = line * rng.uniform(*alpha)
    return img * (1 - a[..., None]) + col * a[..., None]


def _background(rng: random.Random, nrng: np.random.Generator, back: bool) -> np.ndarray:
    """Pale security-print-like background, float32 RGB in [0,255]."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    base = np.array([238, 242, 244], np.float32) + np.array(
        [rng.uniform(-8, 8), rng.uniform(-6, 6), rng.uniform(-10, 6)], np.float32
    )
    img = np.ones((H, W, 3), np.float32) * base
    # Large soft colour zones (pale blue / pink / yellow washes).
    for _ in range(rng.randint(2, 4)):
        cx, cy = rng.uniform(0, W), rng.uniform(0, H)
        r = rng.uniform(200, 500)
        col = np.array(rng.choice([(200, 222, 240), (245, 220, 225), (245, 238, 205), (215, 238, 228)]), np.float32)
        a = rng.uniform(0.15, 0.45) * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))
        img = img * (1 - a[..., None]) + col * a[..., None]
    # Guilloche: families of wavy fine lines.
    for _ in range(rng.randint(2, 3)):
        img = guilloche(img, rng, wavelength=(7, 14), amplitude=(10, 40), period=(120, 400), angle=0.6,
                        width=0.18, colours=[(150, 185, 220), (220, 170, 190), (200, 200, 150), (160, 200, 190)],
                        alpha=(0.10, 0.22))
    if back:
        _great_wall(img, rng)
    # Fine print noise.
    img += (nrng.standard_normal(img.shape, dtype=np.float32) * 1.5)
    return img


def _great_wall(img: np.ndarray, rng: random.Random) -> None:
    """Faint stylised mountain ridge + crenellated wall across the lower half."""
    layer = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(layer)
    y0 = rng.uniform(0.48, 0.58) * H
    pts = []
    for i in range(0, W + 20, 20):
        pts.append((i, y0 + 35 * math.sin(i / 90 + 1.3) + 20 * math.sin(i / 37)))
    d.line(pts, fill=255, width=2)
    d.line([(x, y + 18) for x, y in pts], fill=200, width=1)
    for x, y in pts[::2]:
        d.rectangle([x, y - 14, x + 10, y], outline=200, width=1)
    layer = layer.filter(ImageFilter.GaussianBlur(0.6))
    a = np.asarray(layer, np.float32)[..., None] / 255.0 * rng.uniform(0.12, 0.2)
    col = np.array((150, 170, 200), np.float32)
    img[:] = img * (1 - a) + col * a


# ----------------------------------------------------------------------- portrait


def _portrait(rng: random.Random, w: int, h: int) -> tuple[Image.Image, Image.Image]:
    """A fake face-like figure. Returns (RGB image, feathered alpha mask)."""
    bg = rng.choice([(250, 250, 250), (235, 242, 250), (225, 230, 235), (245, 245, 240)])
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    skin = rng.choice([(232, 196, 170), (214, 170, 135), (190, 145, 110), (150, 105, 80), (240, 210, 190)])
    hair = rng.choice([(25, 20, 20), (45, 35, 30), (70, 55, 40), (120, 120, 120), (200, 200, 200)])
    cloth = rng.choice([(30, 35, 55), (20, 20, 25), (120, 30, 30), (60, 80, 110), (240, 240, 240), (90, 90, 90)])
    cx = w / 2 + rng.uniform(-10, 10)
    head_w = w * rng.uniform(0.38, 0.48)
    head_h = head_w * rng.uniform(1.22, 1.38)
    head_top = h * rng.uniform(0.12, 0.2)
    # Shoulders / torso.
    sh_y = head_top + head_h * 1.05
    d.ellipse([cx - w * 0.55, sh_y, cx + w * 0.55, sh_y + h * 0.75], fill=cloth)
    if rng.random() < 0.5:  # shirt collar
        d.polygon([(cx - head_w * 0.3, sh_y + 5), (cx, sh_y + h * 0.2), (cx + head_w * 0.3, sh_y + 5)],
                  fill=(245, 245, 245))
    # Neck.
    d.rectangle([cx - head_w * 0.2, head_top + head_h * 0.8, cx + head_w * 0.2, sh_y + 12], fill=skin)
    # Hair behind head (long hair sometimes).
    if rng.random() < 0.4:
        d.ellipse([cx - head_w * 0.62, head_top - head_h * 0.08, cx + head_w * 0.62, head_top + head_h * 0.92],
                  fill=hair)
    # Head.
    d.ellipse([cx - head_w / 2, head_top, cx + head_w / 2, head_top + head_h], fill=skin)
    # Ears.
    for s in (-1, 1):
        ex = cx + s * head_w / 2
        d.ellipse([ex - 8, head_top + head_h * 0.42, ex + 8, head_top + head_h * 0.62], fill=skin)
    # Hair top: a few styles.
    style = rng.randrange(4)
    if style == 0:  # bowl
        d.chord([cx - head_w * 0.55, head_top - head_h * 0.1, cx + head_w * 0.55, head_top + head_h * 0.55],
                180, 360, fill=hair)
    elif style == 1:  # short crop
        d.chord([cx - head_w * 0.52, head_top - head_h * 0.05, cx + head_w * 0.52, head_top + head_h * 0.45],
                170, 370, fill=hair)
    elif style == 2:  # side parting
        d.pieslice([cx - head_w * 0.56, head_top - head_h * 0.08, cx + head_w * 0.56, head_top + head_h * 0.7],
                   180, 360, fill=hair)
        d.polygon([(cx - head_w * 0.1, head_top + head_h * 0.05), (cx + head_w * 0.5, head_top + head_h * 0.3),
                   (cx + head_w * 0.5, head_top + head_h * 0.1)], fill=hair)
        d.ellipse([cx - head_w * 0.45, head_top + head_h * 0.22, cx + head_w * 0.45, head_top + head_h * 0.5],
                  fill=skin)
    else:  # receding / very short
        d.chord([cx - head_w * 0.5, head_top - head_h * 0.02, cx + head_w * 0.5, head_top + head_h * 0.3],
                180, 360, fill=hair)
    # Eyes, brows, nose, mouth.
    ey = head_top + head_h * rng.uniform(0.45, 0.5)
    for s in (-1, 1):
        ex = cx + s * head_w * 0.2
        d.ellipse([ex - 6, ey - 3, ex + 6, ey + 3], fill=(40, 30, 30))
        d.line([ex - 10, ey - 12, ex + 10, ey - 13], fill=hair, width=3)
    d.line([cx, ey + 5, cx - 4, ey + head_h * 0.2, cx + 3, ey + head_h * 0.21], fill=tuple(int(c * 0.8) for c in skin),
           width=2)
    my = head_top + head_h * 0.78
    d.arc([cx - head_w * 0.15, my - 8, cx + head_w * 0.15, my + 6], 20, 160, fill=(150, 70, 70), width=3)
    if rng.random() < 0.25:  # glasses
        for s in (-1, 1):
            ex = cx + s * head_w * 0.2
            d.ellipse([ex - 16, ey - 12, ex + 16, ey + 12], outline=(30, 30, 30), width=2)
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))
    if rng.random() < 0.2:
        im = im.convert("L").convert("RGB")
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rectangle([6, 6, w - 7, h - 7], fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(4))
    return im, mask


# -------------------------------------------------------------------------- emblem


def _star(d: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rot: float, fill) -> None:
    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = rot + i * math.pi / 5 - math.pi / 2
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    d.polygon(pts, fill=fill)


def _emblem(rng: random.Random, size: int) -> Image.Image:
    """A simple geometric red/gold seal (not a copy of any artwork)."""
    s = size * 2  # supersample
    im = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    gold = (235, 190, 60, 255)
    red = (205, 30, 35, 255)
    c = s / 2
    # Ring of grain-like ellipses.
    n = 34
    for i in range(n):
        a = math.pi * 0.75 + (i / n) * math.pi * 1.5 * 1.0
        a = (i / n) * 2 * math.pi
        x, y = c + s * 0.44 * math.cos(a), c + s * 0.44 * math.sin(a)
        d.ellipse([x - s * 0.045, y - s * 0.045, x + s * 0.045, y + s * 0.045], fill=gold)
    d.ellipse([s * 0.1, s * 0.1, s * 0.9, s * 0.9], fill=red)
    # Big star and four small stars in an arc.
    _star(d, c, s * 0.3, s * 0.1, 0, gold)
    for a in (-0.9, -0.45, 0.45, 0.9):
        _star(d, c + s * 0.2 * math.sin(a) * 1.3, s * 0.3 + s * 0.12 * (1 - math.cos(a)) * 1.4 - s * 0.02, s * 0.04,
              a, gold)
    # Stylised gate: roof + body with openings + base steps.
    d.polygon([(s * 0.26, s * 0.53), (s * 0.74, s * 0.53), (s * 0.68, s * 0.47), (s * 0.32, s * 0.47)], fill=gold)
    d.rectangle([s * 0.3, s * 0.53, s * 0.7, s * 0.66], fill=gold)
    for k in range(5):
        x = s * (0.33 + k * 0.075)
        d.rectangle([x, s * 0.57, x + s * 0.03, s * 0.66], fill=red)
    d.rectangle([s * 0.22, s * 0.66, s * 0.78, s * 0.7], fill=gold)
    # Gear-like circle at the bottom.
    gx, gy, gr = c, s * 0.8, s * 0.06
    for k in range(10):
        a = k * math.pi / 5
        d.ellipse([gx + gr * math.cos(a) - s * 0.015, gy + gr * math.sin(a) - s * 0.015,
                   gx + gr * math.cos(a) + s * 0.015, gy + gr * math.sin(a) + s * 0.015], fill=gold)
    d.ellipse([gx - gr, gy - gr, gx + gr, gy + gr], fill=gold)
    d.ellipse([gx - gr * 0.4, gy - gr * 0.4, gx + gr * 0.4, gy + gr * 0.4], fill=red)
    return im.resize((size, size), Image.LANCZOS)


# --------------------------------------------------------------------------- cards


def _label_color(rng: random.Random) -> tuple[int, int, int]:
    return (int(rng.uniform(60, 95)), int(rng.uniform(100, 135)), int(rng.uniform(140, 175)))


def _ink(rng: random.Random) -> tuple[int, int, int]:
    k = int(rng.uniform(10, 40))
    return (k, k, k + int(rng.uniform(0, 10)))


def _j(rng: random.Random, a: float = 2.0) -> float:
    return rng.uniform(-a, a)


def _finish(img: np.ndarray) -> np.ndarray:
    out = np.clip(img, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(out[..., ::-1])  # RGB -> BGR


def _nrng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(63))


@dataclass(frozen=True)
class Variation:
    """How one printer's or year's card departs from the nominal template: the text blocks
    shifted (fractions of the card), the rows spread or squeezed about the block's top, the
    fonts scaled. Drawn from its own generator, so a card without one is drawn exactly as
    before (the same seed gives the same card)."""

    dx: float = 0.0  # every text block, to the right
    dy_upper: float = 0.0  # the upper block (front: name..address; back: authority..validity), down
    dy_lower: float = 0.0  # the number row (front), down
    pitch: float = 1.0  # row spacing within the upper block
    font: float = 1.0  # font sizes


def random_variation(rng: random.Random, shift: float = 0.05, scale: float = 0.10) -> Variation:
    """Blocks moved by up to +-`shift` of the card, rows and fonts scaled by up to +-`scale`."""
    return Variation(dx=rng.uniform(-shift, shift) * 0.6, dy_upper=rng.uniform(-shift, shift),
                     dy_lower=rng.uniform(-shift, shift) * 0.6, pitch=1 + rng.uniform(-scale, scale),
                     font=1 + rng.uniform(-scale, scale) * 0.6)


def _vary_rows(rows: dict[str, float], var: Variation, lower: tuple[str, ...]) -> dict[str, float]:
    top = min(v for k, v in rows.items() if k not in lower)
    return {k: v + var.dy_lower if k in lower else top + (v - top) * var.pitch + var.dy_upper
            for k, v in rows.items()}


def render_front(p: Person, rng: random.Random, var: Variation | None = None) -> np.ndarray:
    var = var or Variation()
    nrng = _nrng(rng)
    bg = _background(rng, nrng, back=False)
    im = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    vkey = rng.choice(VALUE_FONTS)
    lkey = rng.choice(LABEL_FONTS)
    lab_c, ink = _label_color(rng), _ink(rng)
    lsize = round(rng.randint(20, 23) * var.font)
    vsize = round(rng.randint(28, 31) * var.font)
    lf = font(lkey, lsize)
    vf = font(vkey, vsize)
    nf = font(vkey, vsize + rng.randint(3, 5))
    gx, gy = _j(rng, 4) + var.dx * W, _j(rng, 4)
    lx = 0.06 * W + gx
    vx = 0.18 * W + gx
    lab_sp = lsize * rng.uniform(0.8, 1.1)  # spread two-char labels

    # Portrait (drawn first so text never hides under it).
    px0, py0 = int(0.62 * W + _j(rng, 3)), int(0.12 * H + _j(rng, 3))
    pw, ph = int(0.30 * W), int(0.64 * H)
    por, mask = _portrait(rng, pw, ph)
    im.paste(por, (px0, py0), mask)

    rows = _vary_rows({"name": 0.155, "sex": 0.285, "birth": 0.415, "addr": 0.545, "num": 0.865}, var, ("num",))
    # Labels.
    for key, text in (("name", "姓名"), ("sex", "性别"), ("birth", "出生"), ("addr", "住址")):
        draw_text(d, lx + _j(rng, 1), rows[key] * H + gy + _j(rng, 1), text, lf, lab_c, spacing=lab_sp)
    draw_text(d, 0.30 * W + gx, rows["sex"] * H + gy, "民族", lf, lab_c, spacing=lab_sp)
    draw_text(d, lx, rows["num"] * H + gy + _j(rng, 1), "公民身份号码", lf, lab_c, spacing=rng.uniform(0, 2))

    # Values.
    draw_text(d, vx + _j(rng), rows["name"] * H + gy + _j(rng), p.name, nf, ink, spacing=rng.uniform(0, 3))
    draw_text(d, vx + _j(rng), rows["sex"] * H + gy + _j(rng), p.sex, vf, ink)
    draw_text(d, 0.42 * W + gx + _j(rng), rows["sex"] * H + gy + _j(rng), p.ethnicity, vf, ink,
              spacing=rng.uniform(0, 2))
    y, m, dd = p.birth.split("-")
    yc = rows["birth"] * H + gy + _j(rng)
    x = vx + _j(rng)
    gap = rng.uniform(7, 12)
    x = draw_text(d, x, yc, y, vf, ink, latin=True) + gap
    x = draw_text(d, x, yc, "年", lf, lab_c) + gap
    mx = max(x, vx + 0.17 * W - vf.getlength(str(int(m))) / 2)  # month field roughly fixed
    x = draw_text(d, mx, yc, str(int(m)), vf, ink, latin=True) + gap
    x = draw_text(d, x, yc, "月", lf, lab_c) + gap
    x = draw_text(d, x, yc, str(int(dd)), vf, ink, latin=True) + gap
    draw_text(d, x, yc, "日", lf, lab_c)
    # Address, wrapped at ~0.60 W.
    lines, af = wrap_fitted(p.address, vkey, vsize, 0.60 * W - vx + rng.uniform(-8, 6), 3)
    pitch = vsize * rng.uniform(1.25, 1.35)
    for i, line in enumerate(lines):
        draw_text(d, vx + _j(rng, 1), rows["addr"] * H + gy + i * pitch, line, af, ink)
    # ID number in OCR-B.
    of = font("ocrb", round(rng.randint(34, 37) * var.font))
    draw_text(d, 0.36 * W + gx + _j(rng), rows["num"] * H + gy + _j(rng), p.number, of, ink,
              spacing=rng.uniform(0.0, 1.5), latin=True)

    out = np.asarray(im, np.float32)
    out += (nrng.standard_normal(out.shape, dtype=np.float32) * 1.0)
    return _finish(out)


def _fmt_date(s: str) -> str:
    return s.replace("-", ".") if s != "长期" else s


def render_back(p: Person, rng: random.Random, var: Variation | None = None) -> np.ndarray:
    var = var or Variation()
    nrng = _nrng(rng)
    bg = _background(rng, nrng, back=True)
    im = Image.fromarray(np.clip(bg, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    gx, gy = _j(rng, 4), _j(rng, 4)
    ink = _ink(rng)
    lab_c = _label_color(rng) if rng.random() < 0.3 else ink
    # Emblem.
    es = int(0.16 * W + _j(rng, 4))
    em = _emblem(rng, es)
    im.paste(em, (int(0.07 * W + gx), int(0.22 * H - es / 2 + gy)), em)
    # Title lines, letter-spaced across 0.33..0.90 W.
    tkey = rng.choice(("serif_bold", "serif_bold", "sans_bold", "wqy"))
    x0, x1 = 0.33 * W + gx, 0.90 * W + gx
    for text, size, yc in (("中华人民共和国", rng.randint(44, 48), 0.17), ("居民身份证", rng.randint(60, 66), 0.35)):
        f = font(tkey, size)
        cw = text_width(text, f)
        sp = (x1 - x0 - cw) / (len(text) - 1)
        draw_text(d, x0, yc * H + gy, text, f, ink, spacing=sp)
    # Fields.
    lkey = rng.choice(LABEL_FONTS)
    vkey = rng.choice(VALUE_FONTS)
    lf = font(lkey, round(rng.randint(20, 23) * var.font))
    vf = font(vkey, round(rng.randint(24, 27) * var.font))
    lx, vx = 0.20 * W + gx + var.dx * W, 0.38 * W + gx + var.dx * W
    lsp = rng.uniform(0, 3)
    # the two rows move with the block; the validity row stays above the card's bottom edge
    rows = _vary_rows({"issue": 0.73, "valid": 0.86}, var, ())
    rows = {k: min(v, 0.90) for k, v in rows.items()}
    draw_text(d, lx + _j(rng, 1), rows["issue"] * H + gy, "签发机关", lf, lab_c, spacing=lsp)
    draw_text(d, vx + _j(rng), rows["issue"] * H + gy + _j(rng, 1), p.issue, vf, ink, spacing=rng.uniform(0, 1.5))
    draw_text(d, lx + _j(rng, 1), rows["valid"] * H + gy, "有效期限", lf, lab_c, spacing=lsp)
    validity = f"{_fmt_date(p.valid_from)}-{_fmt_date(p.valid_to)}"
    draw_text(d, vx + _j(rng), rows["valid"] * H + gy + _j(rng, 1), validity, vf, ink, spacing=rng.uniform(0, 1.0))

    out = np.asarray(im, np.float32)
    out += (nrng.standard_normal(out.shape, dtype=np.float32) * 1.0)
    return _finish(out)
