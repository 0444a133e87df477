"""Synthetic Hong Kong smart identity cards (2003 and 2018 designs), front side only.

Everything is fake: random people, geometric stand-ins for the portraits and the
bauhinia, no security features.  Ground truth (`HkPerson`) uses exactly the field
names and string formats of the Huawei OCR ``hk-id-card`` result.

    from tools.cardgen.hk import make_hk_sample
    photo, person, corners = make_hk_sample(seed=1, condition="photo")          # random layout
    photo, person, corners = make_hk_sample(seed=1, condition="thumb", layout="2003")

CLI: ``python -m tools.cardgen.hk OUT_DIR --count 20 --seed 1 [--condition scan] [--layout 2018]``
(or ``python -m tools.cardgen OUT_DIR --doc hk ...``) writes JPEGs and truth.jsonl.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import math
import pathlib
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import hk_names as names
from .camera import CONDITIONS, _rounded_mask, capture
from .render import H, W, _portrait, draw_text, font
from .vary import PLAIN, Plain, frame_card, map_corners, random_template

LAYOUTS = ("2003", "2018")
HK_CONDITIONS = (*CONDITIONS, "thumb", "layout")

TELEGRAPH_TSV = pathlib.Path(__file__).resolve().parents[2] / "src/cardocr/documents/checks/telegraph.tsv"

# Large portrait, fractions of the card (x0, x1, y0, y1).  Rendering jitters it by <= 2 px.
_PORTRAIT_BOX = {"2018": (0.070, 0.325, 0.375, 0.925), "2003": (0.640, 0.925, 0.215, 0.815)}

# Fonts: the Debian CJK fonts of render.py, Traditional-Chinese (HK) faces of the Noto collections.
_HK_FONTS = {
    "wqy": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 4),
    "sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 4),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 4),
    "serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 4),
    "ocrb": ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
    # other faces for the `layout` condition (vary.py): the collections' SC and TC faces (the
    # same traditional characters, other stroke conventions), other Latin faces
    "sans_sc": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "serif_sc": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "sans_tc": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
    "serif_tc": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3),
    "dejavu_sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "dejavu_serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 0),
}


@functools.lru_cache(maxsize=256)
def _font(key: str, size: int):
    from PIL import ImageFont

    path, index = _HK_FONTS[key]
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError:  # pragma: no cover - font collection without the HK face
        return font(key, size)


# ------------------------------------------------------------------------ data


@functools.lru_cache(maxsize=1)
def telegraph_codes() -> dict[str, str]:
    """char -> 4-digit telegraph code, from the product's telegraph.tsv."""
    out: dict[str, str] = {}
    with open(TELEGRAPH_TSV, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            ch, code = line.rstrip("\n").split("\t")[:2]
            out.setdefault(ch, code)
    return out


@dataclasses.dataclass
class HkPerson:
    """Ground truth as the Huawei hk-id-card API returns it (portrait fields excluded)."""

    name: str                 # traditional Chinese, "" when the card has none
    name_en: str              # as printed: "CHAN, Peter Tai Man"
    sex: str                  # "M" / "F"
    birth_date: str           # "DD-MM-YYYY"
    number: str               # "A123456(3)"
    symbols: str              # "***AZ"
    name_telegraph_code: str  # "7115 1129 2429" ("" when no Chinese name)
    permanent: bool
    initial_issue_date: str   # "(MM-YY)"
    issue_date: str           # "DD-MM-YY"
    layout: str               # "2003" / "2018"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _char_value(c: str) -> int:
    return 36 if c == " " else (ord(c) - ord("A") + 10 if c.isalpha() else int(c))


def hkid_check_char(prefix: str, digits: str) -> str:
    """Check character for prefix (1-2 capital letters) + 6 digits: '0'..'9' or 'A'."""
    if not (1 <= len(prefix) <= 2 and prefix.isalpha() and prefix.isupper() and len(digits) == 6 and digits.isdigit()):
        raise ValueError(f"bad HKID body {prefix!r} {digits!r}")
    body = prefix.rjust(2) + digits
    s = sum(w * _char_value(c) for w, c in zip(range(9, 1, -1), body))
    check = (11 - s % 11) % 11
    return "A" if check == 10 else str(check)


def hkid_valid(number: str) -> bool:
    """True for a printed number like 'A123456(3)' / 'XA123456(A)' whose check digit matches."""
    import re

    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})\(([0-9A])\)", number)
    return bool(m) and hkid_check_char(m.group(1), m.group(2)) == m.group(3)


def _rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


_ISSUE_RANGE = {"2003": (dt.date(2003, 6, 23), dt.date(2022, 12, 31)),
                "2018": (dt.date(2018, 11, 26), dt.date(2025, 10, 31))}
_PREFIX_1 = "ABCDEGHKMPRVYZ"
_PREFIX_1_W = [3, 2, 2, 3, 3, 2, 3, 3, 1, 3, 2, 1, 2, 3]
_PREFIX_2 = ("XA", "XB", "XC", "XD", "XE", "XG", "XH", "WX")


def _given_pool(sex: str) -> list[str]:
    lean_other = names.MALE_LEAN if sex == "F" else names.FEMALE_LEAN
    return [c for c in names.GIVEN if c not in lean_other and c in telegraph_codes()]


def random_hk_person(rng: random.Random, layout: str | None = None) -> HkPerson:
    layout = layout or rng.choice(LAYOUTS)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    codes = telegraph_codes()
    issue = _rand_date(rng, *_ISSUE_RANGE[layout])
    age = rng.randint(11, 17) if rng.random() < 0.1 else int(min(90, 18 + rng.expovariate(1 / 22)))
    birth = _rand_date(rng, _add_years(issue, -age - 1) + dt.timedelta(days=1), _add_years(issue, -age))
    permanent = rng.random() < 0.85
    sex = rng.choice("MF")
    chinese = rng.random() >= 0.15

    # Initial issue (first registration): usually at 11-18 for locals, else on arrival; never before birth.
    r = rng.random()
    if r < 0.55 and _add_years(birth, 11) <= issue:
        initial = _rand_date(rng, _add_years(birth, 11), min(issue, _add_years(birth, 18)))
    elif r < 0.65:
        initial = issue
    else:
        initial = _rand_date(rng, max(birth, _add_years(birth, 11) if _add_years(birth, 11) <= issue else birth), issue)

    if chinese:
        sur, sur_en = rng.choices([(s, e) for s, e, _ in names.SURNAMES],
                                  weights=[w for _, _, w in names.SURNAMES])[0]
        pool = _given_pool(sex)
        n_given = 1 if rng.random() < 0.2 else 2
        given = "".join(rng.choice(pool) for _ in range(n_given))
        name = sur + given
        words = [names.GIVEN[c] for c in given]
        if rng.random() < 0.15:
            words.insert(0, rng.choice(names.ENGLISH_GIVEN_M if sex == "M" else names.ENGLISH_GIVEN_F))
        name_en = f"{sur_en}, {' '.join(words)}"
        tele = " ".join(codes[c] for c in name)
        birthplace = rng.choices("ZXWO", weights=[60, 25, 5, 10])[0]
    else:
        sur_en, male, female = rng.choice(names.FOREIGN)
        name, tele = "", ""
        name_en = f"{sur_en}, {rng.choice(male if sex == 'M' else female)}"
        birthplace = rng.choices("OZ", weights=[85, 15])[0]

    # Symbols: age/re-entry-permit stars, optional history letters, status, birthplace.
    if age < 18:
        stars = "*"
    else:
        stars = rng.choices(("***", "**", ""), weights=[85, 8, 7])[0]
    extra = ""
    if rng.random() < 0.04:
        extra += "B"
    if rng.random() < 0.03:
        extra += "N"
    if permanent:
        if rng.random() < 0.05:
            extra += "C"
        status = "A" if (chinese and rng.random() < 0.95) or rng.random() < 0.5 else "R"
    else:
        status = rng.choices("CU", weights=[7, 3])[0]
    symbols = stars + extra + status + birthplace

    if not chinese and not permanent and rng.random() < 0.5:
        prefix = "W"
    elif rng.random() < 0.08:
        prefix = rng.choice(_PREFIX_2)
    else:
        prefix = rng.choices(_PREFIX_1, weights=_PREFIX_1_W)[0]
    digits = "".join(str(rng.randrange(10)) for _ in range(6))
    number = f"{prefix}{digits}({hkid_check_char(prefix, digits)})"

    return HkPerson(
        name=name, name_en=name_en, sex=sex, birth_date=birth.strftime("%d-%m-%Y"), number=number,
        symbols=symbols, name_telegraph_code=tele, permanent=permanent,
        initial_issue_date=initial.strftime("(%m-%y)"), issue_date=issue.strftime("%d-%m-%y"), layout=layout,
    )


# ------------------------------------------------------------------- background


def _j(rng: random.Random, a: float = 2.0) -> float:
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


def _background_2018(rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    u = xx / W
    # pink (left/top) -> pale yellow-green (middle) -> pale blue (right)
    pink = np.array([246 + _j(rng, 5), 216 + _j(rng, 5), 230 + _j(rng, 5)], np.float32)
    green = np.array([212 + _j(rng, 6), 240 + _j(rng, 5), 206 + _j(rng, 6)], np.float32)
    blue = np.array([186 + _j(rng, 6), 222 + _j(rng, 6), 246 + _j(rng, 4)], np.float32)
    t = np.clip(u + 0.25 * (yy / H - 0.5) + rng.uniform(-0.05, 0.05), 0, 1)[..., None]
    img = np.where(t < 0.45, pink + (green - pink) * (t / 0.45), green + (blue - green) * ((t - 0.45) / 0.55))
    img = img.astype(np.float32, copy=False)
    # soft pink wash top-left, blue wash bottom-right
    _blend(img, 0.35 * np.exp(-((xx - 0.05 * W) ** 2 + (yy - 0.05 * H) ** 2) / (2 * 220.0 ** 2)), (250, 210, 225))
    _blend(img, 0.30 * np.exp(-((xx - 0.95 * W) ** 2 + (yy - 0.9 * H) ** 2) / (2 * 260.0 ** 2)), (190, 215, 245))
    cx, cy = 0.57 * W + _j(rng, 4), 0.45 * H + _j(rng, 4)
    _rosette(img, rng, xx, yy, cx, cy, (150, 190, 215), rng.uniform(0.10, 0.16))
    _wavy_lines(img, rng, xx, yy, [(150, 185, 220), (220, 170, 190), (170, 205, 170)])
    petals, stars = _bauhinia(cx, cy, 0.215 * W, rng.uniform(-0.2, 0.2) - math.pi / 2)
    pa = np.asarray(petals, np.float32) / 255.0
    _blend(img, pa * rng.uniform(0.45, 0.6), (252, 252, 252))
    _blend(img, np.asarray(stars, np.float32) / 255.0 * rng.uniform(0.25, 0.4), (205, 175, 205))
    img += nrng.standard_normal(img.shape, dtype=np.float32) * 1.5
    return img


def _background_2003(rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    xx, yy = _grid()
    base = np.array([232 + _j(rng, 5), 226 + _j(rng, 5), 230 + _j(rng, 5)], np.float32)
    img = np.ones((H, W, 3), np.float32) * base
    # greyish-pink with a lilac band at the top and a warm wash at the bottom
    _blend(img, 0.45 * np.clip(1 - yy / (0.22 * H), 0, 1), (214, 206, 226))
    _blend(img, 0.35 * np.clip((yy / H - 0.6) / 0.4, 0, 1), (240, 218, 214))
    _blend(img, 0.3 * np.exp(-((xx - 0.35 * W) ** 2 + (yy - 0.55 * H) ** 2) / (2 * 230.0 ** 2)), (245, 232, 236))
    _wavy_lines(img, rng, xx, yy, [(190, 170, 190), (175, 180, 200), (200, 185, 175)], (0.08, 0.16), (2, 4))
    cx, cy = 0.36 * W + _j(rng, 4), 0.55 * H + _j(rng, 4)
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


def _grey_portrait(rng: random.Random, w: int, h: int, sat: float) -> tuple[Image.Image, Image.Image]:
    por, mask = _portrait(rng, w, h)
    a = np.asarray(por, np.float32)
    g = a.mean(axis=2, keepdims=True)
    a = g + (a - g) * sat
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB"), mask


def _paste_portrait(im: Image.Image, box_px, rng: random.Random, sat: float) -> None:
    x0, y0, x1, y1 = box_px
    por, mask = _grey_portrait(rng, x1 - x0, y1 - y0, sat)
    im.paste(por, (x0, y0), mask)


def _ghost(im: Image.Image, box_px, rng: random.Random, rng_seed_portrait: int) -> None:
    """Small faded monochrome portrait (2018 card, right side)."""
    x0, y0, x1, y1 = box_px
    por, mask = _portrait(random.Random(rng_seed_portrait), x1 - x0, y1 - y0)
    g = np.asarray(por.convert("L"), np.float32)
    a = np.asarray(mask, np.float32) / 255.0 * rng.uniform(0.55, 0.75)
    reg = np.asarray(im.crop((x0, y0, x1, y1)), np.float32)
    tint = np.stack([g * 0.92, g * 0.95, g], -1)
    out = reg * (1 - a[..., None]) + np.minimum(reg, tint) * a[..., None]
    im.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB"), (x0, y0))


# --------------------------------------------------------------------------- text


def _spaced_width(text: str, f, spacing: float) -> float:
    return sum(f.getlength(c) for c in text) + spacing * max(0, len(text) - 1)


def _text(d, x, yc, text, f, fill, spacing=0.0, latin=False, align="left") -> float:
    if align != "left":
        w = _spaced_width(text, f, spacing)
        x = x - w if align == "right" else x - w / 2
    return draw_text(d, x, yc, text, f, fill, spacing=spacing, latin=latin)


def _fit(key: str, size: int, text: str, max_w: float, min_size: int = 14):
    """Font `key` at `size`, shrunk until `text` fits in max_w px."""
    f = _font(key, size)
    while size > min_size and f.getlength(text) > max_w:
        size -= 1
        f = _font(key, size)
    return f


def _dob_sex(d, x, yc, p: HkPerson, of, zf, ink, gap) -> None:
    x = _text(d, x, yc, p.birth_date, of, ink, latin=True) + gap
    x = _text(d, x, yc, "男" if p.sex == "M" else "女", zf, ink) + of.size * 0.35
    _text(d, x, yc, p.sex, of, ink, latin=True)


def _label(d, x, yc, zh, en, zf, ef, col) -> None:
    x = _text(d, x, yc, zh, zf, col) + zf.size * 0.45
    _text(d, x, yc + 1, en, ef, col, latin=True)


def _titles(p: HkPerson) -> tuple[str, str]:
    if p.permanent:
        return "香港永久性居民身份證", "HONG KONG PERMANENT IDENTITY CARD"
    return "香港居民身份證", "HONG KONG IDENTITY CARD"


def _box_px(layout: str, rng: random.Random) -> tuple[int, int, int, int]:
    fx0, fx1, fy0, fy1 = _PORTRAIT_BOX[layout]
    dx, dy = round(_j(rng, 2)), round(_j(rng, 2))
    return (round(fx0 * W) + dx, round(fy0 * H) + dy, round(fx1 * W) + dx, round(fy1 * H) + dy)


def _render_2018(p: HkPerson, rng: random.Random, nrng, t: Plain = PLAIN) -> Image.Image:
    im = Image.fromarray(np.clip(_background_2018(rng, nrng), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    teal = (int(rng.uniform(0, 20)), int(rng.uniform(90, 115)), int(rng.uniform(105, 130)))
    k = int(rng.uniform(15, 40))
    ink = (k, k, k + int(rng.uniform(0, 10)))
    gx, gy = _j(rng), _j(rng)
    zh_key = t.font("zh", rng.choice(("serif", "sans", "wqy")))
    tkey = rng.choice(("sans_bold", "serif_bold"))
    lat = t.font("latin", "ocrb")
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (fractions of the card)

    # Titles, centred.
    tz, te = _titles(p)
    tzf = _font(tkey, t.fs(rng.randint(29, 32)))
    tef = _font("sans_bold", t.fs(rng.randint(21, 23)))
    _text(d, X("title", 0.535) * W + gx, Y("title", 0.072) * H + gy, tz, tzf, teal, spacing=rng.uniform(1, 3),
          align="center")
    _text(d, X("title", 0.535) * W + gx, Y("title", 0.145) * H + gy, te, tef, teal, spacing=rng.uniform(0, 1),
          latin=True, align="center")

    # Number in an oval, top right (without the check digit).
    ox0, oy0 = X("oval", 0.725) * W + gx, Y("oval", 0.185) * H + gy
    ox1, oy1 = X("oval", 0.875) * W + gx, Y("oval", 0.262) * H + gy
    d.ellipse([ox0, oy0, ox1, oy1], fill=(236, 238, 240), outline=(150, 160, 170), width=1)
    small = p.number.split("(")[0]
    _text(d, (ox0 + ox1) / 2, (oy0 + oy1) / 2, small, _font(lat, t.fs(rng.randint(16, 18))), ink, latin=True,
          align="center")

    x_left = X("name_zh", 0.105) * W + gx
    if p.name:
        nf = _font(zh_key, t.fs(rng.randint(33, 36)))
        _text(d, x_left + _j(rng), Y("name_zh", 0.245) * H + gy + _j(rng), p.name, nf, ink,
              spacing=nf.size * rng.uniform(0.2, 0.4))
    x_en = X("name_en", 0.105) * W + gx
    ef = _fit(lat, t.fs(rng.randint(22, 25)), p.name_en, X("name_en", 0.85) * W - x_en)
    _text(d, x_en + _j(rng), Y("name_en", 0.318) * H + gy + _j(rng), p.name_en, ef, ink, latin=True)

    _paste_portrait(im, _box_px("2018", rng), rng, sat=rng.uniform(0.0, 0.35))
    pseed = rng.getrandbits(32)
    gx0, gy0 = round(X("data", 0.715) * W + gx), round(Y("data", 0.565) * H + gy)
    _ghost(im, (gx0, gy0, gx0 + round(0.12 * W), gy0 + round(0.275 * H)), rng, pseed)

    vx = X("data", 0.395) * W + gx
    vf = _font(lat, t.fs(rng.randint(25, 27)))
    if p.name_telegraph_code:
        tf = _font(lat, t.fs(rng.randint(26, 29)))
        _text(d, vx + _j(rng), Y("data", 0.41) * H + gy + _j(rng), p.name_telegraph_code, tf, ink, latin=True)
    lzf = _font(t.font("label", rng.choice(("sans", "wqy"))), t.fs(rng.randint(16, 18)))
    lef = _font(t.font("label_en", "sans"), t.fs(rng.randint(15, 17)))
    _label(d, vx, Y("data", 0.522) * H + gy, "出生日期", "Date of Birth", lzf, lef, teal)
    _dob_sex(d, vx + _j(rng), Y("data", 0.59) * H + gy + _j(rng, 1), p, vf, _font(zh_key, vf.size), ink,
             rng.uniform(14, 22))
    _text(d, vx + _j(rng), Y("data", 0.665) * H + gy + _j(rng, 1), p.symbols, vf, ink, latin=True)
    _label(d, vx, Y("data", 0.735) * H + gy, "簽發日期", "Date of Issue", lzf, lef, teal)
    _text(d, vx + _j(rng), Y("data", 0.80) * H + gy + _j(rng, 1), p.initial_issue_date, vf, ink, latin=True)
    # Bottom line: issue date left, number right-aligned; keep >= 0.35 em between them.
    bx = X("bottom", 0.395) * W + gx
    right = X("bottom", 0.952) * W + gx
    bf = _fit(lat, t.fs(rng.randint(32, 35)), p.issue_date + "xx" + p.number, right - bx - 2)
    _text(d, bx + _j(rng, 1), Y("bottom", 0.905) * H + gy + _j(rng, 1), p.issue_date, bf, ink, latin=True)
    _text(d, right + _j(rng, 1), Y("bottom", 0.905) * H + gy + _j(rng, 1), p.number, bf, ink, latin=True,
          align="right")
    return im


def _render_2003(p: HkPerson, rng: random.Random, nrng, t: Plain = PLAIN) -> Image.Image:
    im = Image.fromarray(np.clip(_background_2003(rng, nrng), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    k = int(rng.uniform(10, 35))
    ink = (k, k, k + int(rng.uniform(0, 10)))
    lab = (int(rng.uniform(70, 100)), int(rng.uniform(60, 85)), int(rng.uniform(95, 125)))
    title_c = (int(rng.uniform(60, 90)), int(rng.uniform(40, 60)), int(rng.uniform(80, 110)))
    gx, gy = _j(rng), _j(rng)
    zh_key = t.font("zh", rng.choice(("serif", "sans", "wqy")))
    lat = t.font("latin", "ocrb")
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (fractions of the card)
    x = X("title", 0.055) * W + gx

    # Title across the top, left aligned; a thin rule under it.
    tz, te = _titles(p)
    tzf = _font(rng.choice(("serif_bold", "sans_bold")), t.fs(rng.randint(30, 33)))
    tef = _font("sans_bold", t.fs(rng.randint(19, 21)))
    _text(d, x, Y("title", 0.075) * H + gy, tz, tzf, title_c, spacing=rng.uniform(4, 8))
    _text(d, x, Y("title", 0.145) * H + gy, te, tef, title_c, spacing=rng.uniform(0.5, 1.5), latin=True)
    d.line([(x, Y("title", 0.19) * H + gy), (X("title", 0.95) * W, Y("title", 0.19) * H + gy)], fill=(175, 150, 175),
           width=2)

    _paste_portrait(im, _box_px("2003", rng), rng, sat=rng.uniform(0.0, 0.2))

    x = X("names", 0.055) * W + gx
    if p.name:
        nf = _font(zh_key, t.fs(rng.randint(34, 38)))
        _text(d, x + _j(rng), Y("names", 0.27) * H + gy + _j(rng), p.name, nf, ink, spacing=rng.uniform(2, 8))
    ef = _fit(lat, t.fs(rng.randint(24, 26)), p.name_en, 0.62 * W - x)  # stops short of the portrait
    _text(d, x + _j(rng), Y("names", 0.355) * H + gy + _j(rng), p.name_en, ef, ink, latin=True)
    vf = _font(lat, t.fs(rng.randint(25, 27)))
    if p.name_telegraph_code:
        _text(d, x + _j(rng), Y("names", 0.435) * H + gy + _j(rng), p.name_telegraph_code, vf, ink, latin=True)
    x = X("data", 0.055) * W + gx
    lzf = _font(t.font("label", rng.choice(("sans", "wqy", "serif"))), t.fs(rng.randint(15, 17)))
    lef = _font(t.font("label_en", "sans"), t.fs(rng.randint(14, 16)))
    _label(d, x, Y("data", 0.525) * H + gy, "出生日期", "Date of Birth", lzf, lef, lab)
    _dob_sex(d, x + _j(rng), Y("data", 0.59) * H + gy + _j(rng, 1), p, vf, _font(zh_key, vf.size), ink,
             rng.uniform(22, 34))
    _text(d, x + _j(rng), Y("data", 0.665) * H + gy + _j(rng, 1), p.symbols, vf, ink, latin=True)
    _label(d, x, Y("data", 0.745) * H + gy, "簽發日期", "Date of Issue", lzf, lef, lab)
    yc = Y("data", 0.815) * H + gy + _j(rng, 1)
    _text(d, x + _j(rng), yc, p.initial_issue_date, vf, ink, latin=True)
    _text(d, X("data", 0.255) * W + gx + _j(rng), yc, p.issue_date, vf, ink, latin=True)
    nf = _font(lat, t.fs(rng.randint(32, 35)))
    _text(d, X("number", 0.925) * W + gx + _j(rng), Y("number", 0.905) * H + gy + _j(rng, 1), p.number, nf, ink,
          latin=True, align="right")
    return im


def render_hk_front(p: HkPerson, rng: random.Random, template: Plain = PLAIN) -> np.ndarray:
    """Canonical 856x540 BGR front of a Hong Kong smart ID card in p.layout (a `template`:
    another printer's or year's card, hk_template)."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    im = (_render_2018 if p.layout == "2018" else _render_2003)(p, rng, nrng, template)
    out = np.asarray(im, np.float32)
    out += nrng.standard_normal(out.shape, dtype=np.float32) * 1.0
    return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8)[..., ::-1])


# Text blocks of each design that a template moves, as fractions of the card: the printed
# extents (x0, x1, y0, y1) and the row the block's rows spread about. The large portrait is the
# card's artwork and stays where hk_portrait_box says.
_BLOCKS = {
    "2018": {
        "title": (((0.24, 0.83, 0.04, 0.167),), 0.072),
        "oval": (((0.725, 0.875, 0.185, 0.262),), 0.2235),
        "name_zh": (((0.10, 0.34, 0.21, 0.28),), 0.245),
        "name_en": (((0.10, 0.85, 0.295, 0.341),), 0.318),
        "portrait": (((0.065, 0.33, 0.37, 0.93),), 0.65),
        # telegraph code, the rows below it, the small ghost portrait
        "data": (((0.39, 0.80, 0.385, 0.435), (0.39, 0.70, 0.50, 0.825), (0.715, 0.835, 0.565, 0.84)), 0.41),
        "bottom": (((0.39, 0.955, 0.875, 0.935),), 0.905),
    },
    "2003": {
        "title": (((0.05, 0.95, 0.04, 0.195),), 0.075),
        "portrait": (((0.635, 0.93, 0.21, 0.82),), 0.5),
        "names": (((0.05, 0.46, 0.235, 0.46),), 0.27),
        "data": (((0.05, 0.45, 0.495, 0.845),), 0.525),
        "number": (((0.60, 0.93, 0.875, 0.935),), 0.905),
    },
}
_TEMPLATE_FONTS = {"zh": ("sans_sc", "serif_sc", "sans_tc", "serif_tc"), "latin": ("dejavu_sans", "dejavu_serif"),
                   "label": ("serif", "sans_sc", "sans_tc"), "label_en": ("dejavu_sans", "dejavu_serif")}


def hk_template(rng: random.Random, layout: str):
    """Another printer's or year's card of `layout` (vary.random_template): blocks moved by up to
    +-5% of the card, rows and fonts scaled by up to +-10%, other faces, framed too large or small."""
    return random_template(rng, _BLOCKS[layout], 1.0, 1.0, fonts=_TEMPLATE_FONTS, fixed=("portrait",))


def hk_portrait_box(layout: str) -> tuple[float, float, float, float]:
    """Large portrait as fractions of the card: (x0, x1, y0, y1).  Rendered within +-2 px of it."""
    return _PORTRAIT_BOX[layout]


# ------------------------------------------------------------------------- camera


def capture_thumb(card: np.ndarray, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """A small scan: card on a light background with a 0-4 % margin, ~280-340 px wide, JPEG 75-90."""
    ch, cw = card.shape[:2]
    m = int(round(rng.uniform(0.0, 0.04) * cw))
    level = rng.uniform(225, 250)
    canvas = np.empty((ch + 2 * m, cw + 2 * m, 3), np.float32)
    canvas[:] = [level + _j(rng, 4) for _ in range(3)]
    a = _rounded_mask(ch, cw, 32)[..., None]
    roi = canvas[m:m + ch, m:m + cw]
    roi[:] = roi * (1 - a) + card.astype(np.float32) * a
    tw = rng.randint(280, 340)
    s = tw / canvas.shape[1]
    th = max(1, round(canvas.shape[0] * s))
    canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.3, 0.8))
    small = cv2.resize(canvas, (tw, th), interpolation=cv2.INTER_AREA)
    nrng = np.random.default_rng(rng.getrandbits(63))
    small += nrng.standard_normal(small.shape, dtype=np.float32) * rng.uniform(0.5, 1.5)
    out = np.clip(small, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    sx, sy = tw / canvas.shape[1], th / canvas.shape[0]
    corners = np.array([[m, m], [m + cw, m], [m + cw, m + ch], [m, m + ch]], np.float32) * [sx, sy]
    return out, corners.astype(np.float32)


def make_hk_sample(seed: int, condition: str, layout: str | None = None
                   ) -> tuple[np.ndarray, HkPerson, np.ndarray]:
    """Deterministic HK ID front for a seed: (photo BGR, truth, 4x2 float32 corners TL,TR,BR,BL)."""
    if condition not in HK_CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {HK_CONDITIONS}")
    rng = random.Random(seed * 1_000_003 + 852)
    person = random_hk_person(rng, layout)
    # "layout": a photo of a card from another printer or year (hk_template), drawn from a
    # generator of its own, so the seed's person and camera stay those of the other conditions
    vrng = random.Random(seed * 7919 + 853)
    template = hk_template(vrng, person.layout) if condition == "layout" else PLAIN
    card = render_hk_front(person, rng, template)
    if condition == "thumb":
        photo, corners = capture_thumb(card, rng)
    elif condition == "layout":
        framed, quad = frame_card(card, template.frame, vrng)
        photo, c = capture(framed, "photo", rng, ref_width=card.shape[1])
        corners = map_corners(c, framed.shape, quad)
    else:
        photo, corners = capture(card, condition, rng)
    return photo, person, corners


# ---------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tools.cardgen.hk", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="first sample seed (samples use seed, seed+1, ...)")
    ap.add_argument("--condition", choices=HK_CONDITIONS, action="append",
                    help="restrict to these conditions (repeatable); default: all, cycled")
    ap.add_argument("--layout", choices=LAYOUTS, action="append",
                    help="restrict to these layouts (repeatable); default: random per seed")
    ap.add_argument("--quality", type=int, default=95, help="JPEG quality of the written files")
    args = ap.parse_args(argv)
    write_samples(args.out_dir, args.count, args.seed, args.condition, args.layout, args.quality)


def write_samples(out_dir: pathlib.Path, count: int, seed0: int, conditions=None, layouts=None,
                  quality: int = 95) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    conditions = conditions or list(HK_CONDITIONS)
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as fh:
        for i in range(count):
            seed = seed0 + i
            condition = conditions[i % len(conditions)]
            layout = layouts[i % len(layouts)] if layouts else None
            photo, person, corners = make_hk_sample(seed, condition, layout)
            name = f"{seed:06d}_hk{person.layout}_{condition}.jpg"
            cv2.imwrite(str(out_dir / name), photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
            fx0, fx1, fy0, fy1 = hk_portrait_box(person.layout)
            rec = {"file": name, "seed": seed, "doc": "hk", "side": "front", "condition": condition,
                   "width": photo.shape[1], "height": photo.shape[0], **person.to_dict(),
                   "corners": np.asarray(corners, np.float64).round(2).tolist(),
                   "portrait_box": [fx0, fx1, fy0, fy1]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(name)


if __name__ == "__main__":
    main()
