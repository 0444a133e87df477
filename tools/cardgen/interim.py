"""Synthetic temporary resident identity cards (临时居民身份证), for the reader and the `interim`
signal (cardocr.quality.interim).

What the real card is, from the Ministry of Public Security's 《中华人民共和国临时居民身份证管理办法》
(in force 1 October 2005; its description of the new card as published with it, e.g. Sina News
2005-09-20 "10.1启用新版临时身份证"), facts only:
- a single paper sheet sealed in polyester film (聚酯薄膜密封的单页卡式), the international
  standard size 85.6 mm x 54 mm, printed in rainbow (iris) print, main tone light green;
- one side (the "正面") carries the card's name 中华人民共和国 / 临时居民身份证 in two lines in the
  upper middle, a freehand Great Wall in brown under it, and a rainbow guilloche grading light
  green -> light yellow -> light green; no personal data;
- the other side (the "背面") carries a horizontal wavy rainbow guilloche and the nine items:
  姓名, 性别, 民族, 出生日期, 住址, 公民身份号码, the holder's photograph (black and white: the
  applicant hands in a recent one-inch black-and-white photo), 有效期限 and 签发机关;
- the number is the holder's citizen identity number; the card is valid for three months from
  the day it is issued; it is issued by the county-level public security bureau.
So unlike the permanent card, every field is on one side: there is nothing to read on the title
side, and the issuing authority and the validity period sit under the number, beside the
photograph's side of the card.

What is this generator's own choice (no published drawing gives the data side's positions):
the data side follows the permanent front's columns (labels at ~0.06 of the card, values from
~0.18, the number in OCR-B from ~0.36, the photograph on the right) with the rows packed up to
make room for two more rows, 签发机关 and 有效期限, under the number; the validity is printed as
on the permanent card (YYYY.MM.DD-YYYY.MM.DD, three calendar months apart); the paper's edge is
seen through the film a little inside the card's. Portraits, guilloches and the Great Wall are
geometric stand-ins, as in render.py. Everything is fake.

    from tools.cardgen.interim import make_interim_sample
    photo, person, corners = make_interim_sample(seed=1, side="front", condition="photo")

`side`: "front" is the data side (the side a check photographs; it is read as the id-card's
front, or with side=back for its authority and validity), "back" the title side.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .camera import capture
from .person import TODAY, Person, random_person
from .render import (
    LABEL_FONTS,
    VALUE_FONTS,
    H,
    Variation,
    W,
    _finish,
    _ink,
    _j,
    _label_color,
    _nrng,
    _portrait,
    _vary_rows,
    draw_text,
    font,
    guilloche,
    random_variation,
    text_width,
    wrap_fitted,
)

SIDES = ("front", "back")  # the data side, the title side
VALID_MONTHS = 3

# rows' centres on the data side (card fractions); the lower block is number, authority, validity
ROWS = {"name": 0.12, "sex": 0.225, "birth": 0.33, "addr": 0.435, "num": 0.70, "issue": 0.80, "valid": 0.90}
LOWER = ("num", "issue", "valid")
PORTRAIT = (0.64, 0.92, 0.07, 0.60)  # x0, x1, y0, y1


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (that month's last day when it has no such day)."""
    y, m = divmod(d.month - 1 + months, 12)
    last = (dt.date(d.year + y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(d.year + y, m + 1, min(d.day, last))


def temporary_person(person: Person, rng: random.Random) -> Person:
    """The same person on a temporary card: issued within the last months (one in five already
    expired), valid for three months."""
    back = rng.randint(0, 80) if rng.random() < 0.8 else rng.randint(95, 700)
    start = TODAY - dt.timedelta(days=back)
    return dataclasses.replace(person, valid_from=start.isoformat(),
                               valid_to=add_months(start, VALID_MONTHS).isoformat())


# --------------------------------------------------------------------------- ground


def _ground(rng: random.Random, nrng: np.random.Generator, title_side: bool) -> np.ndarray:
    """Light green main tone; a rainbow guilloche grading light green -> light yellow -> light
    green across the card (horizontal waves on the data side, a woven net on the title side).
    Float32 RGB."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    green = np.array([214, 236, 212], np.float32) + [rng.uniform(-8, 6), rng.uniform(-5, 5), rng.uniform(-8, 8)]
    yellow = np.array([242, 240, 200], np.float32) + [rng.uniform(-6, 4), rng.uniform(-6, 4), rng.uniform(-8, 8)]
    # rainbow print: green at both edges, yellow in the middle (across x)
    t = 0.5 - 0.5 * np.cos(2 * math.pi * (xx / W + rng.uniform(-0.05, 0.05)))
    img = green * (1 - t[..., None]) + yellow * t[..., None]
    img = img * 0.55 + np.array([246, 248, 244], np.float32) * 0.45  # a pale print
    for _ in range(rng.randint(2, 3)):
        img = guilloche(img, rng, wavelength=(6, 11), amplitude=(8, 30), period=(90, 300),
                        angle=0.8 if title_side else 0.15, width=0.2,
                        colours=[(150, 200, 150), (200, 205, 130), (130, 190, 160), (175, 210, 120)],
                        alpha=(0.12, 0.24))
    img += nrng.standard_normal(img.shape, dtype=np.float32) * 1.5
    return img


def _film_edge(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """The sealed paper's edge, seen through the film a little inside the card's edge."""
    m = rng.uniform(0.008, 0.016) * W
    d.rounded_rectangle([m, m, W - m, H - m], radius=24, outline=(196, 206, 196), width=1)


def _great_wall(img: Image.Image, rng: random.Random, y0: float) -> None:
    """A brown freehand wall along a ridge, under the title."""
    layer = Image.new("L", (W, H), 0)
    d = ImageDraw.Draw(layer)
    pts = [(x, y0 + 28 * math.sin(x / 80 + rng.uniform(0, 0.3)) + 14 * math.sin(x / 31)) for x in range(40, W - 30, 14)]
    d.line(pts, fill=255, width=3)
    d.line([(x, y + 22) for x, y in pts], fill=190, width=2)
    for x, y in pts[::3]:
        d.rectangle([x, y - 16, x + 9, y], outline=220, width=2)
    layer = layer.filter(ImageFilter.GaussianBlur(0.7))
    a = np.asarray(layer, np.float32)[..., None] / 255.0 * rng.uniform(0.45, 0.65)
    brown = np.array((140, 95, 55), np.float32)
    arr = np.asarray(img, np.float32)
    img.paste(Image.fromarray(np.clip(arr * (1 - a) + brown * a, 0, 255).astype(np.uint8), "RGB"))


# --------------------------------------------------------------------------- sides


def render_interim_front(p: Person, rng: random.Random, var: Variation | None = None) -> np.ndarray:
    """The data side: the nine items, the black-and-white photograph on the right. BGR."""
    var = var or Variation()
    nrng = _nrng(rng)
    im = Image.fromarray(np.clip(_ground(rng, nrng, False), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    _film_edge(d, rng)
    vkey, lkey = rng.choice(VALUE_FONTS), rng.choice(LABEL_FONTS)
    lab_c, ink = _label_color(rng), _ink(rng)
    lsize = round(rng.randint(19, 22) * var.font)
    vsize = round(rng.randint(25, 28) * var.font)
    lf, vf = font(lkey, lsize), font(vkey, vsize)
    nf = font(vkey, vsize + rng.randint(2, 4))
    gx, gy = _j(rng, 4) + var.dx * W, _j(rng, 4)
    lx, vx = 0.06 * W + gx, 0.18 * W + gx
    lab_sp = lsize * rng.uniform(0.8, 1.1)

    x0, x1, y0, y1 = PORTRAIT
    pw, ph = int((x1 - x0) * W), int((y1 - y0) * H)
    por, mask = _portrait(rng, pw, ph)
    im.paste(por.convert("L").convert("RGB"), (int(x0 * W + _j(rng, 3)), int(y0 * H + _j(rng, 3))), mask)

    # another printer's card (var): the data side has less room between its blocks than the
    # permanent front, so its blocks move half as far, and the address keeps clear of the number
    var = dataclasses.replace(var, dy_upper=var.dy_upper / 2, dy_lower=var.dy_lower / 2, pitch=1 + (var.pitch - 1) / 2)
    rows = _vary_rows(dict(ROWS), var, LOWER)
    rows = {k: min(v, 0.92) for k, v in rows.items()}
    address_end = rows["addr"] + 2 * vsize * 1.3 * var.pitch / H  # the third line's centre, at most
    lift = max(0.0, address_end - (rows["num"] - 0.085))
    rows = {k: v if k in LOWER else v - lift for k, v in rows.items()}
    for key, text in (("name", "姓名"), ("sex", "性别"), ("birth", "出生"), ("addr", "住址")):
        draw_text(d, lx + _j(rng, 1), rows[key] * H + gy + _j(rng, 1), text, lf, lab_c, spacing=lab_sp)
    draw_text(d, 0.30 * W + gx, rows["sex"] * H + gy, "民族", lf, lab_c, spacing=lab_sp)
    draw_text(d, lx, rows["num"] * H + gy + _j(rng, 1), "公民身份号码", lf, lab_c, spacing=rng.uniform(0, 2))
    lsp = rng.uniform(0, 2)
    draw_text(d, lx, rows["issue"] * H + gy + _j(rng, 1), "签发机关", lf, lab_c, spacing=lsp)
    draw_text(d, lx, rows["valid"] * H + gy + _j(rng, 1), "有效期限", lf, lab_c, spacing=lsp)

    draw_text(d, vx + _j(rng), rows["name"] * H + gy + _j(rng), p.name, nf, ink, spacing=rng.uniform(0, 3))
    draw_text(d, vx + _j(rng), rows["sex"] * H + gy + _j(rng), p.sex, vf, ink)
    draw_text(d, 0.42 * W + gx + _j(rng), rows["sex"] * H + gy + _j(rng), p.ethnicity, vf, ink,
              spacing=rng.uniform(0, 2))
    y, m, dd = p.birth.split("-")
    yc, x, gap = rows["birth"] * H + gy + _j(rng), vx + _j(rng), rng.uniform(6, 10)
    x = draw_text(d, x, yc, y, vf, ink, latin=True) + gap
    x = draw_text(d, x, yc, "年", lf, lab_c) + gap
    x = draw_text(d, max(x, vx + 0.16 * W - vf.getlength(str(int(m))) / 2), yc, str(int(m)), vf, ink, latin=True) + gap
    x = draw_text(d, x, yc, "月", lf, lab_c) + gap
    x = draw_text(d, x, yc, str(int(dd)), vf, ink, latin=True) + gap
    draw_text(d, x, yc, "日", lf, lab_c)
    lines, af = wrap_fitted(p.address, vkey, vsize, (PORTRAIT[0] - 0.03) * W - vx + rng.uniform(-8, 4), 3)
    pitch = vsize * rng.uniform(1.2, 1.3) * var.pitch
    for i, line in enumerate(lines):
        draw_text(d, vx + _j(rng, 1), rows["addr"] * H + gy + i * pitch, line, af, ink)
    of = font("ocrb", round(rng.randint(31, 34) * var.font))
    draw_text(d, 0.36 * W + gx + _j(rng), rows["num"] * H + gy + _j(rng), p.number, of, ink,
              spacing=rng.uniform(0.0, 1.5), latin=True)
    # the lower rows' values start right of the four-character labels
    lower_x = lx + text_width("签发机关", lf, lsp) + rng.uniform(0.03, 0.05) * W
    draw_text(d, lower_x + _j(rng), rows["issue"] * H + gy + _j(rng, 1), p.issue, vf, ink,
              spacing=rng.uniform(0, 1.5))
    validity = f"{p.valid_from.replace('-', '.')}-{p.valid_to.replace('-', '.')}"
    draw_text(d, lower_x + _j(rng), rows["valid"] * H + gy + _j(rng, 1), validity, vf, ink,
              spacing=rng.uniform(0, 1.0), latin=True)
    out = np.asarray(im, np.float32) + nrng.standard_normal((H, W, 3), dtype=np.float32)
    return _finish(out)


def render_interim_back(p: Person, rng: random.Random, var: Variation | None = None) -> np.ndarray:
    """The title side: 中华人民共和国 / 临时居民身份证 in two lines in the upper middle, the brown
    Great Wall under it. BGR."""
    var = var or Variation()
    nrng = _nrng(rng)
    im = Image.fromarray(np.clip(_ground(rng, nrng, True), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    _film_edge(d, rng)
    ink = _ink(rng)
    tkey = rng.choice(("serif_bold", "serif_bold", "sans_bold", "wqy"))
    gx, gy = _j(rng, 6) + var.dx * W, _j(rng, 4) + var.dy_upper * H * 0.5
    for text, size, yc, half in (("中华人民共和国", rng.randint(40, 46), 0.22, 0.30),
                                 ("临时居民身份证", rng.randint(52, 58), 0.40, 0.34)):
        f = font(tkey, round(size * var.font))
        cw = text_width(text, f)
        x0, x1 = (0.5 - half) * W + gx, (0.5 + half) * W + gx
        draw_text(d, x0, yc * H + gy, text, f, ink, spacing=max(0.0, (x1 - x0 - cw) / (len(text) - 1)))
    _great_wall(im, rng, rng.uniform(0.66, 0.74) * H)
    out = np.asarray(im, np.float32) + nrng.standard_normal((H, W, 3), dtype=np.float32)
    return _finish(out)


def make_interim_sample(seed: int, side: str, condition: str) -> tuple[np.ndarray, Person, np.ndarray]:
    """Deterministic photo of a seed's temporary card: (photo BGR, the person as printed, 4x2
    corners). The person is the one `make_sample(seed, ...)` draws (the same name, number and
    address), with a temporary card's three-month validity; `layout` draws the card from another
    template (render.random_variation) and photographs it as `photo` does."""
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {SIDES}")
    rng = random.Random(seed)
    person = temporary_person(random_person(rng), random.Random(f"interim:{seed}"))
    var = random_variation(random.Random(seed * 7919 + 17)) if condition == "layout" else None
    condition = "photo" if condition == "layout" else condition
    card = (render_interim_front if side == "front" else render_interim_back)(person, rng, var)
    photo, corners = capture(card, condition, rng)
    return photo, person, corners
